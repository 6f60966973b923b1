//! A pattern's syntax tree, and the patterns made without parsing:
//! literals, prefixes and wildcards.

use crate::dfa::Dfa;
use crate::error::Error;
use crate::parse::{Flags, Parser};

/// A node of the syntax tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// No string at all (`#`).
    Nothing,
    /// One character of these inclusive code point ranges.
    Class(Vec<(char, char)>),
    /// This string (plain characters, or `"quoted"`).
    Literal(String),
    Concat(Vec<Node>),
    Union(Vec<Node>),
    /// The strings both sides match (`&`).
    Intersection(Box<Node>, Box<Node>),
    /// The strings the node does not match (`~`).
    Complement(Box<Node>),
    /// `?`, `*`, `+` and `{n,m}`: from `min` to `max` (unbounded if `None`) repetitions.
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// Any string (`@`, and a wildcard's `*`).
    AnyString,
}

impl Node {
    /// Any one character.
    pub(crate) fn any_char() -> Node {
        Node::Class(vec![('\0', char::MAX)])
    }
}

/// A parsed pattern: what it matches (or why it does not parse), and the
/// text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regex {
    node: Result<Node, Error>,
    source: String,
}

impl Regex {
    /// A Lucene regular expression, with the optional operators `flags`
    /// enable.
    pub fn parse(pattern: &str, flags: Flags) -> Result<Regex, Error> {
        let regex = Regex::read(pattern, flags);
        regex.node.as_ref().map_err(Clone::clone)?;
        Ok(regex)
    }

    /// [`Regex::parse`] with its syntax error kept for [`Regex::compile`],
    /// as Elasticsearch reports it when it builds the query (after checks
    /// of the pattern's length).
    pub fn read(pattern: &str, flags: Flags) -> Regex {
        Regex { node: Parser::new(pattern, flags).parse(), source: pattern.to_owned() }
    }

    /// Exactly this text.
    pub fn literal(text: &str) -> Regex {
        Regex { node: Ok(Node::Literal(text.to_owned())), source: text.to_owned() }
    }

    /// The strings starting with this text.
    pub fn prefix(text: &str) -> Regex {
        Regex {
            node: Ok(Node::Concat(vec![Node::Literal(text.to_owned()), Node::AnyString])),
            source: format!("{text}*"),
        }
    }

    /// A wildcard pattern: `*` any string, `?` any character, `\` makes the
    /// next character literal.
    pub fn wildcard(pattern: &str) -> Regex {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            let part = match c {
                '*' => Node::AnyString,
                '?' => Node::any_char(),
                '\\' => {
                    literal.extend(chars.next());
                    continue;
                }
                c => {
                    literal.push(c);
                    continue;
                }
            };
            if !literal.is_empty() {
                parts.push(Node::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
        if !literal.is_empty() {
            parts.push(Node::Literal(literal));
        }
        Regex { node: Ok(Node::Concat(parts)), source: pattern.to_owned() }
    }

    /// The text the pattern was read from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The pattern's automaton; letters match either case when
    /// `case_insensitive`. Fails when the pattern did not parse, or when
    /// determinizing it would take more than `max_states` states.
    pub fn compile(&self, case_insensitive: bool, max_states: usize) -> Result<Dfa, Error> {
        crate::nfa::compile(self.node.as_ref().map_err(Clone::clone)?, case_insensitive, max_states)
    }
}

impl std::fmt::Display for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}
