//! The `simple_query_string` query: a forgiving syntax that never fails on
//! its input. `+` joins with AND, `|` with OR, whitespace with the default
//! operator (combined left to right, as Lucene's `SimpleQueryParser`
//! does); `-` negates, `"phrases"~slop`, `prefix*`, `fuzzy~2` and
//! `(groups)`. Each term runs over every field given (boosts allowed).

use super::dsl::{parsing, Query};
use crate::error::EngineError;
use serde_json::{Map, Value};

const OPTIONS: &[&str] = &[
    "query",
    "fields",
    "default_operator",
    "analyzer",
    "flags",
    "lenient",
    "minimum_should_match",
    "boost",
    "_name",
    "auto_generate_synonyms_phrase_query",
];

/// Reads a `simple_query_string` query's options.
pub fn parse(params: &Map<String, Value>) -> Result<Query, EngineError> {
    if let Some(k) = params.keys().find(|k| !OPTIONS.contains(&k.as_str())) {
        return Err(EngineError::Unsupported(format!("the [{k}] option of the [simple_query_string] query")));
    }
    match params.get("flags") {
        None => {}
        Some(Value::String(flags)) if flags.eq_ignore_ascii_case("ALL") => {}
        Some(Value::Number(n)) if n.as_i64() == Some(-1) => {}
        Some(other) => {
            return Err(EngineError::Unsupported(format!(
                "the flags [{}] of the [simple_query_string] query",
                crate::settings_text(other)
            )))
        }
    }
    let text = params
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| parsing("[simple_query_string] requires query value"))?;
    let and = params.get("default_operator").and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case("and"));
    let fields: Vec<(String, f32)> = match params.get("fields") {
        Some(Value::Array(items)) => {
            super::dsl::field_boosts(items.iter().filter_map(Value::as_str).map(str::to_owned))?
        }
        _ => vec![("*".to_owned(), 1.0)],
    };
    let analyzer = params.get("analyzer").and_then(Value::as_str).map(str::to_owned);
    // A term a field cannot take (`abc` for a number) fails the query unless
    // lenient, as it is by default over every field (`*`).
    let every_field = fields.iter().any(|(f, _)| f == "*");
    let lenient = params.get("lenient").map_or(every_field, |v| v == true || v == "true");
    let mut p = Parser { chars: text.chars().collect(), at: 0, depth: 0, and, fields, analyzer, lenient };
    let mut q = p.expr().unwrap_or(Query::MatchNone);
    super::dsl::with_minimum_should_match(&mut q, params)?;
    Ok(match params.get("boost").and_then(Value::as_f64) {
        Some(b) => bool_of(vec![q], Vec::new(), Vec::new(), b as f32),
        None => q,
    })
}

fn bool_of(must: Vec<Query>, should: Vec<Query>, must_not: Vec<Query>, boost: f32) -> Query {
    Query::Bool { must, should, must_not, filter: Vec::new(), minimum_should_match: None, boost }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    /// How many groups the cursor is inside (deeper ones are read as text).
    depth: usize,
    and: bool,
    fields: Vec<(String, f32)>,
    analyzer: Option<String>,
    lenient: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Terms joined left to right; `None` when there were none.
    fn expr(&mut self) -> Option<Query> {
        let mut current: Option<Query> = None;
        // The operator of the boolean query `current` is, when this loop made it.
        let mut joined: Option<bool> = None;
        let mut op_and = self.and;
        loop {
            // Whitespace keeps the default operator; `+` and `|` override it.
            let mut explicit = None;
            while let Some(c) = self.peek() {
                match c {
                    c if c.is_whitespace() => {}
                    '+' => explicit = Some(true),
                    '|' => explicit = Some(false),
                    _ => break,
                }
                self.at += 1;
            }
            if let Some(e) = explicit {
                op_and = e;
            }
            match self.peek() {
                None => break,
                // A stray `)` at the top is skipped, as Lucene skips it.
                Some(')') if self.depth == 0 => {
                    self.at += 1;
                    continue;
                }
                Some(')') => break,
                _ => {}
            }
            let negated = if self.peek() == Some('-') {
                self.at += 1;
                true
            } else {
                false
            };
            let Some(term) = self.term() else { continue };
            let term = if negated { bool_of(Vec::new(), Vec::new(), vec![term], 1.0) } else { term };
            // The operator of the boolean query before adds the term to it;
            // another makes a new one of both (Lucene's query tree).
            let first = current.is_none();
            current = Some(match current {
                None => term,
                Some(Query::Bool { mut must, mut should, must_not, filter, minimum_should_match, boost })
                    if joined == Some(op_and) =>
                {
                    if op_and {
                        must.push(term)
                    } else {
                        should.push(term)
                    }
                    Query::Bool { must, should, must_not, filter, minimum_should_match, boost }
                }
                Some(left) if op_and => bool_of(vec![left, term], Vec::new(), Vec::new(), 1.0),
                Some(left) => bool_of(Vec::new(), vec![left, term], Vec::new(), 1.0),
            });
            // Past the first term, `current` is the boolean query of this operator.
            joined = (!first).then_some(op_and);
            op_and = self.and;
        }
        current
    }

    /// A number after `~`, if any.
    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect::<String>().parse().ok()
    }

    fn term(&mut self) -> Option<Query> {
        match self.peek()? {
            '(' if self.depth < 100 => {
                self.at += 1;
                self.depth += 1;
                let inner = self.expr();
                self.depth -= 1;
                if self.peek() == Some(')') {
                    self.at += 1;
                }
                inner
            }
            '"' => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|c| c != '"') {
                    self.at += 1;
                }
                let phrase: String = self.chars[start..self.at].iter().collect();
                self.at = (self.at + 1).min(self.chars.len());
                let slop = if self.peek() == Some('~') {
                    self.at += 1;
                    self.number().unwrap_or(0)
                } else {
                    0
                };
                Some(self.over_fields(|field| Query::MatchPhrase {
                    field: field.to_owned(),
                    text: phrase.clone(),
                    slop,
                    boost: 1.0,
                    prefix: false,
                    max_expansions: super::dsl::DEFAULT_EXPANSIONS,
                    analyzer: None,
                }))
            }
            _ => {
                let start = self.at;
                while self.peek().is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '|' | '+' | '"')) {
                    self.at += 1;
                }
                let word: String = self.chars[start..self.at].iter().collect();
                if word.is_empty() {
                    self.at += 1;
                    return None;
                }
                let (word, fuzziness) = match word.split_once('~') {
                    Some((w, n)) => (w.to_owned(), Some(n.parse::<u32>().unwrap_or(2).min(2).to_string())),
                    None => (word, None),
                };
                if let Some(prefix) = word.strip_suffix('*') {
                    let regex = tensile_regexp::Regex::prefix(&prefix.to_lowercase());
                    return Some(self.over_fields(|field| Query::Pattern {
                        field: field.to_owned(),
                        regex: regex.clone(),
                        case_insensitive: false,
                        max_states: tensile_regexp::DEFAULT_MAX_STATES,
                        rewrite: super::multi_term::Rewrite::ConstantScore,
                        boost: 1.0,
                        kind: "prefix",
                    }));
                }
                Some(self.over_fields(|field| {
                    let mut q = Query::match_text(field, word.clone());
                    if let Query::Match { lenient, fuzziness: f, analyzer, .. } = &mut q {
                        *lenient = self.lenient;
                        *f = fuzziness.clone();
                        *analyzer = self.analyzer.clone();
                    }
                    q
                }))
            }
        }
    }

    /// One query per field, their scores summed (boosted per field).
    fn over_fields(&self, make: impl Fn(&str) -> Query) -> Query {
        let mut per_field: Vec<Query> = self
            .fields
            .iter()
            .map(|(field, boost)| {
                let q = make(field);
                if *boost == 1.0 {
                    q
                } else {
                    bool_of(vec![q], Vec::new(), Vec::new(), *boost)
                }
            })
            .collect();
        if per_field.len() == 1 {
            per_field.remove(0)
        } else {
            bool_of(Vec::new(), per_field, Vec::new(), 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn parsed(v: Value) -> Query {
        parse(v.as_object().unwrap()).unwrap()
    }

    #[test]
    fn operators_fold_left_to_right() {
        let q = parsed(json!({"query": "a + b | c", "fields": ["f"]}));
        // ((a AND b) OR c)
        let Query::Bool { should, .. } = q else { panic!("{q:?}") };
        assert!(matches!(&should[0], Query::Bool { must, .. } if must.len() == 2));
        let q = parsed(json!({"query": "-a \"x y\"~2 pre*", "fields": ["f^2", "g"]}));
        assert!(matches!(q, Query::Bool { .. }));
        assert!(matches!(parsed(json!({"query": ""})), Query::MatchNone));
        // A stray `)` does not end the query.
        assert!(matches!(parsed(json!({"query": "a) b", "fields": ["f"]})), Query::Bool { .. }));
        let deep = format!("{}a", "(".repeat(100_000));
        assert!(parse(json!({"query": deep}).as_object().unwrap()).is_ok(), "deep nesting is not a stack overflow");
    }

    #[test]
    fn one_operator_runs_into_one_boolean_query_which_minimum_should_match_bounds() {
        let q = parsed(json!({"query": "a b c", "fields": ["f"], "minimum_should_match": "2"}));
        let Query::Bool { should, minimum_should_match, .. } = q else { panic!("{q:?}") };
        assert_eq!((should.len(), minimum_should_match.as_deref()), (3, Some("2")));
        // A group stays a clause of its own; a lone term takes no minimum.
        let q = parsed(json!({"query": "(a b) c d", "fields": ["f"]}));
        let Query::Bool { should, .. } = q else { panic!("{q:?}") };
        assert!(should.len() == 3 && matches!(&should[0], Query::Bool { should, .. } if should.len() == 2));
        let lone = parsed(json!({"query": "a", "fields": ["f"], "minimum_should_match": "2"}));
        assert!(!matches!(lone, Query::Bool { .. }));
        assert!(parse(json!({"query": "a", "minimum_should_match": "x%"}).as_object().unwrap()).is_err());
    }

    proptest! {
        /// It never fails on its input.
        #[test]
        fn never_fails(text in "[a-z()+|\\-\"*~0-9 ]{0,24}") {
            let params = json!({"query": text});
            let parsed = parse(params.as_object().unwrap());
            prop_assert!(parsed.is_ok());
        }
    }
}
