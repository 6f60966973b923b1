//! The Lucene query syntax of `q=` and the `query_string` query, in the
//! subset Tensile reads: terms, `field:value`, `"phrases"~slop`, `*` and
//! `?` wildcards, `+`/`-` and `AND`/`OR`/`NOT`. A field named `*` (the
//! default, `index.query.default_field`) stands for every text and keyword
//! field. What the subset does not cover is refused by name.

use super::dsl::{parsing, wildcard_regex, Query};
use crate::error::EngineError;

/// How clauses without `+`, `-` or an operator combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Or,
    And,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occur {
    Must,
    Should,
    MustNot,
}

/// Reads a query string into a query over `default_field`.
pub fn parse(text: &str, default_field: &str, operator: Operator) -> Result<Query, EngineError> {
    if text.contains(['(', ')', '[', ']', '{', '}', '^', '/']) {
        return Err(EngineError::Unsupported(format!(
            "the query string syntax of [{text}] (groups, ranges, boosts, regular expressions)"
        )));
    }
    let mut clauses: Vec<(Occur, Query)> = Vec::new();
    let mut pending: Option<Occur> = None;
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (token, after) = next_token(rest)?;
        rest = after.trim_start();
        match token.as_str() {
            "AND" | "&&" => {
                if let Some(last) = clauses.last_mut().filter(|(o, _)| *o == Occur::Should) {
                    last.0 = Occur::Must;
                }
                pending = Some(Occur::Must);
                continue;
            }
            "OR" | "||" => {
                pending = Some(Occur::Should);
                continue;
            }
            "NOT" | "!" => {
                pending = Some(Occur::MustNot);
                continue;
            }
            _ => {}
        }
        let (mut occur, body) = match token.strip_prefix('+') {
            Some(b) => (Occur::Must, b.to_owned()),
            None => match token.strip_prefix('-') {
                Some(b) => (Occur::MustNot, b.to_owned()),
                None => (
                    pending.unwrap_or(if operator == Operator::And { Occur::Must } else { Occur::Should }),
                    token.clone(),
                ),
            },
        };
        if pending == Some(Occur::MustNot) {
            occur = Occur::MustNot;
        }
        pending = None;
        clauses.push((occur, clause(&body, default_field)?));
    }
    let mut must = Vec::new();
    let mut should = Vec::new();
    let mut must_not = Vec::new();
    for (occur, q) in clauses {
        match occur {
            Occur::Must => must.push(q),
            Occur::Should => should.push(q),
            Occur::MustNot => must_not.push(q),
        }
    }
    Ok(Query::Bool { must, should, must_not, filter: Vec::new(), minimum_should_match: None, boost: 1.0 })
}

/// The next whitespace-separated token, a quoted phrase kept whole.
fn next_token(text: &str) -> Result<(String, &str), EngineError> {
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => return Ok((text[..i].to_owned(), &text[i..])),
            _ => {}
        }
    }
    if in_quotes {
        return Err(parsing(format!("Failed to parse query [{text}]: unterminated phrase")));
    }
    Ok((text.to_owned(), ""))
}

/// One clause: `[field:]value`.
fn clause(body: &str, default_field: &str) -> Result<Query, EngineError> {
    let (field, value) = match body.split_once(':') {
        Some((f, v)) if !f.is_empty() && !f.starts_with('"') => (f.to_owned(), v),
        _ => (default_field.to_owned(), body),
    };
    if field == "_exists_" {
        return Ok(Query::Exists { field: value.to_owned() });
    }
    if let Some(quoted) = value.strip_prefix('"') {
        let (phrase, tail) = quoted.split_once('"').unwrap_or((quoted, ""));
        let slop = tail.strip_prefix('~').and_then(|s| s.parse().ok()).unwrap_or(0);
        return Ok(Query::MatchPhrase { field, text: phrase.to_owned(), slop, boost: 1.0, prefix: false });
    }
    if value.contains(['*', '?']) {
        // Wildcard terms are matched lowercased, as the standard analyzer indexes them.
        return Ok(Query::Pattern {
            field,
            regex: wildcard_regex(&value.to_lowercase()),
            case_insensitive: false,
            boost: 1.0,
            kind: "wildcard",
        });
    }
    if value.contains('~') {
        return Err(EngineError::Unsupported(format!("fuzzy terms in a query string ([{value}])")));
    }
    // Over many fields a term goes to those that can take it.
    let mut q = Query::match_text(field, value);
    if let Query::Match { lenient, .. } = &mut q {
        *lenient = true;
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_and_operators() {
        let q = parse("field:foo +bar -baz \"a b\"~2 ba*", "*", Operator::Or).unwrap();
        let Query::Bool { must, should, must_not, .. } = q else { panic!() };
        assert_eq!((must.len(), should.len(), must_not.len()), (1, 3, 1));
        assert!(matches!(&should[1], Query::MatchPhrase { slop: 2, .. }));
        let Query::Bool { must, .. } = parse("a AND b", "f", Operator::Or).unwrap() else { panic!() };
        assert_eq!(must.len(), 2);
        assert!(matches!(parse("(a)", "f", Operator::Or), Err(EngineError::Unsupported(_))));
    }
}
