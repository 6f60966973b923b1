//! Lucene's regular expression syntax (`org.apache.lucene.util.automaton.RegExp`):
//!
//! ```text
//! union      := inter ('|' union)?
//! inter      := concat ('&' inter)?            with INTERSECTION
//! concat     := repeat concat?
//! repeat     := complement ('?' | '*' | '+' | '{' n (',' m?)? '}')*
//! complement := '~' complement | class         '~' with COMPLEMENT
//! class      := '[' '^'? (char ('-' char)?)+ ']' | simple
//! simple     := '.' | '#' | '@' | '"' text '"' | '(' union? ')' | '<' n '-' m '>' | char
//! char       := any character | '\' any character
//! ```
//!
//! `#` (EMPTY), `@` (ANYSTRING) and `<n-m>` (INTERVAL) are operators only
//! when their flag is on, plain characters otherwise. `\d`, `\s`, `\w` and
//! their capitals are the digit, space and word classes and their
//! complements. Patterns are always anchored: they match whole terms.

use crate::error::Error;
use crate::syntax::Node;

/// The optional operators a pattern may use (Elasticsearch's `flags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flags(u32);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const INTERSECTION: Flags = Flags(0x1);
    pub const COMPLEMENT: Flags = Flags(0x2);
    pub const EMPTY: Flags = Flags(0x4);
    pub const ANYSTRING: Flags = Flags(0x8);
    pub const INTERVAL: Flags = Flags(0x20);
    pub const ALL: Flags = Flags(0x2f);

    /// Elasticsearch's `flags` text: names joined by `|` (`ALL` when empty).
    pub fn parse(text: &str) -> Result<Flags, String> {
        let mut flags = Flags::NONE;
        let mut any = false;
        for name in text.split('|').map(str::trim).filter(|n| !n.is_empty()) {
            any = true;
            flags = flags
                | match name.to_ascii_uppercase().as_str() {
                    "ALL" => Flags::ALL,
                    "NONE" => Flags::NONE,
                    "INTERSECTION" => Flags::INTERSECTION,
                    "COMPLEMENT" => Flags::COMPLEMENT,
                    "EMPTY" => Flags::EMPTY,
                    "ANYSTRING" => Flags::ANYSTRING,
                    "INTERVAL" => Flags::INTERVAL,
                    _ => return Err(format!("Unknown regexp flag [{name}]")),
                };
        }
        Ok(if any { flags } else { Flags::ALL })
    }

    /// The flags of Elasticsearch's `flags_value`, Lucene's bits.
    pub fn from_lucene_bits(bits: i64) -> Flags {
        // Lucene's AUTOMATON (0x10) names automata Elasticsearch never
        // provides; its complement is 0x10000 (0x2 before Lucene 10).
        let mut flags = Flags((bits & 0x2d) as u32);
        if bits & 0x2 != 0 || bits & 0x10000 != 0 {
            flags = flags | Flags::COMPLEMENT;
        }
        flags
    }

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
}

pub(crate) struct Parser {
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
}

type Parsed = Result<Node, Error>;

fn syntax(message: String) -> Error {
    Error::Syntax(message)
}

impl Parser {
    pub(crate) fn new(pattern: &str, flags: Flags) -> Parser {
        Parser { chars: pattern.chars().collect(), pos: 0, flags }
    }

    pub(crate) fn parse(mut self) -> Parsed {
        if self.chars.is_empty() {
            return Ok(Node::Literal(String::new()));
        }
        let node = self.union()?;
        if self.more() {
            return Err(syntax(format!("end-of-string expected at position {}", self.pos)));
        }
        Ok(node)
    }

    fn more(&self) -> bool {
        self.pos < self.chars.len()
    }

    fn peek(&self, any_of: &str) -> bool {
        self.chars.get(self.pos).is_some_and(|c| any_of.contains(*c))
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.chars.get(self.pos) == Some(&c);
        self.pos += usize::from(found);
        found
    }

    fn with(&self, flag: Flags) -> bool {
        self.flags.contains(flag)
    }

    fn next(&mut self) -> Result<char, Error> {
        let c = self.chars.get(self.pos).copied().ok_or_else(|| syntax("unexpected end-of-string".into()))?;
        self.pos += 1;
        Ok(c)
    }

    fn union(&mut self) -> Parsed {
        let mut alternatives = vec![self.intersection()?];
        while self.eat('|') {
            alternatives.push(self.intersection()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Nothing)
        } else {
            Node::Union(alternatives)
        })
    }

    fn intersection(&mut self) -> Parsed {
        let left = self.concat()?;
        if self.with(Flags::INTERSECTION) && self.eat('&') {
            return Ok(Node::Intersection(Box::new(left), Box::new(self.intersection()?)));
        }
        Ok(left)
    }

    fn concat(&mut self) -> Parsed {
        let mut parts = vec![self.repeat()?];
        while self.more() && !self.peek(")|") && !(self.with(Flags::INTERSECTION) && self.peek("&")) {
            parts.push(self.repeat()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Node::Nothing) } else { Node::Concat(parts) })
    }

    fn repeat(&mut self) -> Parsed {
        let mut node = self.complement()?;
        while self.peek("?*+{") {
            let (min, max) = match self.next()? {
                '?' => (0, Some(1)),
                '*' => (0, None),
                '+' => (1, None),
                _ => {
                    let min = self.integer()?;
                    let max = if self.eat(',') {
                        if self.peek("0123456789") {
                            Some(self.integer()?)
                        } else {
                            None
                        }
                    } else {
                        Some(min)
                    };
                    if !self.eat('}') {
                        return Err(syntax(format!("expected '}}' at position {}", self.pos)));
                    }
                    (min, max)
                }
            };
            node = Node::Repeat { node: Box::new(node), min, max };
        }
        Ok(node)
    }

    fn integer(&mut self) -> Result<u32, Error> {
        let start = self.pos;
        while self.peek("0123456789") {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(syntax(format!("integer expected at position {}", self.pos)));
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        digits.parse().map_err(|_| syntax(format!("integer expected at position {start}")))
    }

    fn complement(&mut self) -> Parsed {
        if self.with(Flags::COMPLEMENT) && self.eat('~') {
            return Ok(Node::Complement(Box::new(self.complement()?)));
        }
        self.class()
    }

    fn class(&mut self) -> Parsed {
        if !self.eat('[') {
            return self.simple();
        }
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        loop {
            ranges.extend(self.class_member()?);
            if !self.more() || self.peek("]") {
                break;
            }
        }
        if !self.eat(']') {
            return Err(syntax(format!("expected ']' at position {}", self.pos)));
        }
        Ok(Node::Class(if negated { complement_ranges(&ranges) } else { ranges }))
    }

    fn class_member(&mut self) -> Result<Vec<(char, char)>, Error> {
        if let Some(ranges) = self.predefined_class() {
            return Ok(ranges);
        }
        let from = self.char_exp()?;
        if !self.eat('-') {
            return Ok(vec![(from, from)]);
        }
        let to = self.char_exp()?;
        if from > to {
            return Err(syntax(format!("invalid range: from ({from}) cannot be > to ({to})")));
        }
        Ok(vec![(from, to)])
    }

    /// `\d`, `\s`, `\w` and their complements `\D`, `\S`, `\W`.
    fn predefined_class(&mut self) -> Option<Vec<(char, char)>> {
        if self.chars.get(self.pos) != Some(&'\\') {
            return None;
        }
        let class: &[(char, char)] = match self.chars.get(self.pos + 1)?.to_ascii_lowercase() {
            'd' => &[('0', '9')],
            's' => &[('\t', '\r'), (' ', ' ')],
            'w' => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
            _ => return None,
        };
        let upper = self.chars[self.pos + 1].is_ascii_uppercase();
        self.pos += 2;
        Some(if upper { complement_ranges(class) } else { class.to_vec() })
    }

    fn char_exp(&mut self) -> Result<char, Error> {
        if self.eat('\\') {
            return self.next();
        }
        self.next()
    }

    fn simple(&mut self) -> Parsed {
        if self.eat('.') {
            return Ok(Node::any_char());
        }
        if self.with(Flags::EMPTY) && self.eat('#') {
            return Ok(Node::Nothing);
        }
        if self.with(Flags::ANYSTRING) && self.eat('@') {
            return Ok(Node::AnyString);
        }
        if self.eat('"') {
            let start = self.pos;
            while self.more() && !self.peek("\"") {
                self.pos += 1;
            }
            if !self.eat('"') {
                return Err(syntax(format!("expected '\"' at position {}", self.pos)));
            }
            return Ok(Node::Literal(self.chars[start..self.pos - 1].iter().collect()));
        }
        if self.eat('(') {
            if self.eat(')') {
                return Ok(Node::Literal(String::new()));
            }
            let inner = self.union()?;
            if !self.eat(')') {
                return Err(syntax(format!("expected ')' at position {}", self.pos)));
            }
            return Ok(inner);
        }
        if self.with(Flags::INTERVAL) && self.eat('<') {
            return self.interval();
        }
        if let Some(ranges) = self.predefined_class() {
            return Ok(Node::Class(ranges));
        }
        Ok(Node::Literal(self.char_exp()?.to_string()))
    }

    /// `<n-m>`, after its `<`: the numbers from n to m, zero-padded to a
    /// fixed width when both bounds are written with the same number of
    /// digits, with any leading zeros otherwise.
    fn interval(&mut self) -> Parsed {
        let start = self.pos;
        while self.more() && !self.peek(">") {
            self.pos += 1;
        }
        if !self.eat('>') {
            return Err(syntax(format!("expected '>' at position {}", self.pos)));
        }
        let body: String = self.chars[start..self.pos - 1].iter().collect();
        let bad = || syntax(format!("interval syntax error at position {}", self.pos - 1));
        let (low, high) = body.split_once('-').ok_or_else(bad)?;
        if low.is_empty() || high.is_empty() || !low.bytes().chain(high.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (n, m): (u64, u64) = (low.parse().map_err(|_| bad())?, high.parse().map_err(|_| bad())?);
        let width = if low.len() == high.len() { low.len() } else { 0 };
        Ok(crate::interval::decimal(n.min(m), n.max(m), width))
    }
}

/// The characters not in `ranges`.
pub(crate) fn complement_ranges(ranges: &[(char, char)]) -> Vec<(char, char)> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in sorted {
        if (lo as u32) > next {
            push_scalar_range(&mut out, next, lo as u32 - 1);
        }
        next = next.max(hi as u32 + 1);
    }
    if next <= char::MAX as u32 {
        push_scalar_range(&mut out, next, char::MAX as u32);
    }
    out
}

/// The scalar values (no surrogates) from `lo` to `hi`.
fn push_scalar_range(out: &mut Vec<(char, char)>, lo: u32, hi: u32) {
    let (surrogate_lo, surrogate_hi) = (0xD800, 0xDFFF);
    let mut push = |a: u32, b: u32| {
        if let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b)) {
            if a <= b {
                out.push((a, b));
            }
        }
    };
    if hi < surrogate_lo || lo > surrogate_hi {
        push(lo, hi);
    } else {
        if lo < surrogate_lo {
            push(lo, surrogate_lo - 1);
        }
        if hi > surrogate_hi {
            push(lo.max(surrogate_hi + 1), hi);
        }
    }
}
