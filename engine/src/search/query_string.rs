//! The Lucene query syntax of `q=` and the `query_string` query: terms,
//! `field:value`, `"phrases"~slop`, `*` and `?` wildcards, `/regular
//! expressions/`, fuzzy terms (`term~2`), ranges (`[a TO b]`, `{a TO *}`,
//! `>=5`), groups (`(a OR b)`, `field:(a b)`), boosts (`^2`), `+`/`-`,
//! `AND`/`OR`/`NOT` (`&&`, `||`, `!`) and `_exists_:field`. A field named
//! `*` (the default, `index.query.default_field`) stands for every text and
//! keyword field.

use super::dsl::{parsing, Query};
use super::multi_term::Rewrite;
use crate::error::EngineError;
use serde_json::Value;

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

/// How a query string is read beyond its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `default_operator`.
    pub operator: Operator,
    /// `phrase_slop`: the slop of phrases that give none.
    pub phrase_slop: u32,
    /// `allow_leading_wildcard`: whether a term may start with `*` or `?`.
    pub allow_leading_wildcard: bool,
    /// `time_zone`: the zone of the date ranges.
    pub time_zone: Option<String>,
    /// `fuzziness`: the edits of a `term~` that names none (`AUTO` when unset).
    pub fuzziness: Option<String>,
    /// `fuzzy_prefix_length`, `fuzzy_max_expansions`, `fuzzy_transpositions`
    /// and `fuzzy_rewrite`: how fuzzy terms expand.
    pub fuzzy_prefix_length: usize,
    pub fuzzy_max_expansions: usize,
    pub fuzzy_transpositions: bool,
    pub fuzzy_rewrite: Option<Rewrite>,
    /// `rewrite`: how wildcard and regular expression terms score.
    pub rewrite: Rewrite,
    /// `max_determinized_states` of regular expressions.
    pub max_states: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            operator: Operator::Or,
            phrase_slop: 0,
            allow_leading_wildcard: true,
            time_zone: None,
            fuzziness: None,
            fuzzy_prefix_length: 0,
            fuzzy_max_expansions: super::dsl::DEFAULT_EXPANSIONS,
            fuzzy_transpositions: true,
            fuzzy_rewrite: None,
            rewrite: Rewrite::ConstantScore,
            max_states: tensile_regexp::DEFAULT_MAX_STATES,
        }
    }
}

impl Options {
    pub fn with_operator(operator: Operator) -> Options {
        Options { operator, ..Options::default() }
    }
}

/// A parsed query string whose terms are analysed with `analyzer`
/// (`analyzer`, `q=` with `analyzer=`) instead of their fields' own.
pub fn analyzed_with(q: &mut Query, analyzer: &str) {
    match q {
        Query::Match { analyzer: a, .. } | Query::MatchPhrase { analyzer: a, .. } => *a = Some(analyzer.to_owned()),
        Query::Bool { must, should, must_not, filter, .. } => {
            for child in must.iter_mut().chain(should).chain(must_not).chain(filter) {
                analyzed_with(child, analyzer);
            }
        }
        Query::DisMax { queries, .. } => queries.iter_mut().for_each(|child| analyzed_with(child, analyzer)),
        Query::ConstantScore { filter, .. } => analyzed_with(filter, analyzer),
        _ => {}
    }
}

/// How a query string's clauses that name no field spread over several
/// fields (`fields` and `type`): as Elasticsearch does, each term, phrase,
/// pattern or range is looked for in every field, the query's boolean
/// structure kept around them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// `best_fields` and `most_fields`: the best field's score plus
    /// `tie_breaker` times the others' (`most_fields`: 1, all summed).
    Fields { tie_breaker: f32 },
    /// `cross_fields`: a term's fields blended as one (`tie_breaker` as in
    /// `multi_match`); patterns and ranges as `Fields`.
    CrossFields { tie_breaker: f32 },
    /// `phrase` and `phrase_prefix`: each term is a phrase of what it analyses to.
    Phrase { prefix: bool, tie_breaker: f32 },
    /// `bool_prefix`: each term's last word matches as a prefix.
    BoolPrefix { tie_breaker: f32 },
}

impl Spread {
    fn tie_breaker(self) -> f32 {
        match self {
            Spread::Fields { tie_breaker }
            | Spread::CrossFields { tie_breaker }
            | Spread::Phrase { tie_breaker, .. }
            | Spread::BoolPrefix { tie_breaker } => tie_breaker,
        }
    }
}

/// The field name the clauses that name none get before they are spread
/// (no mapped field can have it: it starts with a zero character).
const UNNAMED: &str = "\u{0}fields";

/// Reads a query string over several fields (each with its boost).
pub fn parse_over_fields(
    text: &str,
    fields: &[(String, f32)],
    options: Options,
    spread: Spread,
) -> Result<Query, EngineError> {
    let phrase_slop = options.phrase_slop;
    let q = parse(text, UNNAMED, options)?;
    Ok(spread_over(q, fields, spread, phrase_slop))
}

/// `q` with each clause on [`UNNAMED`] spread over `fields`.
fn spread_over(q: Query, fields: &[(String, f32)], spread: Spread, slop: u32) -> Query {
    let each = |list: Vec<Query>| list.into_iter().map(|q| spread_over(q, fields, spread, slop)).collect();
    match q {
        Query::Bool { must, should, must_not, filter, minimum_should_match, boost } => Query::Bool {
            must: each(must),
            should: each(should),
            must_not: each(must_not),
            filter: each(filter),
            minimum_should_match,
            boost,
        },
        Query::DisMax { queries, tie_breaker, boost } => Query::DisMax { queries: each(queries), tie_breaker, boost },
        Query::ConstantScore { filter, boost } => {
            Query::ConstantScore { filter: Box::new(spread_over(*filter, fields, spread, slop)), boost }
        }
        leaf if leaf.movable_field() == Some(UNNAMED) => spread_leaf(leaf, fields, spread, slop),
        other => other,
    }
}

/// One clause that names no field, over every field.
fn spread_leaf(leaf: Query, fields: &[(String, f32)], spread: Spread, slop: u32) -> Query {
    if let (Spread::CrossFields { tie_breaker }, Query::Match { text, and, minimum_should_match, boost, .. }) =
        (spread, &leaf)
    {
        return Query::AcrossFields {
            fields: fields.to_vec(),
            text: text.clone(),
            and: *and,
            minimum_should_match: minimum_should_match.clone(),
            zero_terms_all: false,
            tie_breaker: Some(tie_breaker),
            text_only: false,
            boost: *boost,
        };
    }
    let mut queries: Vec<Query> = fields
        .iter()
        .map(|(name, field_boost)| {
            let mut one = match (&leaf, spread) {
                // A lone `*`: every document on all fields, else those holding the field.
                (Query::Exists { .. }, _) if name == "*" => Query::MatchAll { boost: 1.0 },
                (Query::Match { text, boost, analyzer, max_expansions, .. }, Spread::Phrase { prefix, .. }) => {
                    Query::MatchPhrase {
                        field: name.clone(),
                        text: text.clone(),
                        slop,
                        boost: *boost,
                        prefix,
                        max_expansions: *max_expansions,
                        analyzer: analyzer.clone(),
                    }
                }
                _ => leaf.on_field(name),
            };
            match &mut one {
                Query::Match { bool_prefix, boost, .. } => {
                    *bool_prefix |= matches!(spread, Spread::BoolPrefix { .. });
                    *boost *= field_boost;
                }
                Query::MatchPhrase { boost, .. }
                | Query::Fuzzy { boost, .. }
                | Query::Pattern { boost, .. }
                | Query::Range { boost, .. } => *boost *= field_boost,
                _ => {}
            }
            one
        })
        .collect();
    match queries.len() {
        1 => queries.remove(0),
        _ => Query::DisMax { queries, tie_breaker: spread.tie_breaker(), boost: 1.0 },
    }
}

/// Reads a query string into a query over `default_field`.
pub fn parse(text: &str, default_field: &str, options: Options) -> Result<Query, EngineError> {
    let mut p = Parser { chars: text.chars().collect(), at: 0, text, options, depth: 0 };
    let q = p.query(default_field)?;
    p.skip_space();
    if p.at < p.chars.len() {
        return Err(p.error(&format!("unexpected [{}]", p.chars[p.at])));
    }
    Ok(q)
}

struct Parser<'t> {
    chars: Vec<char>,
    at: usize,
    text: &'t str,
    options: Options,
    /// How many groups the cursor is inside.
    depth: usize,
}

/// The deepest nesting of groups a query string may have (the JSON body's own bound).
const MAX_DEPTH: usize = 100;

/// Characters that end a bare term.
fn special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '^' | '"' | '~' | ':')
}

impl Parser<'_> {
    /// A range of the query string, in its `time_zone` when the field is a date.
    fn range_query(&self, field: &str, bounds: [Option<Value>; 4]) -> Query {
        let mut q = Query::range(field, bounds, None);
        if let Query::Range { time_zone, lenient_zone, .. } = &mut q {
            *time_zone = self.options.time_zone.clone();
            *lenient_zone = true;
        }
        q
    }

    fn error(&self, what: &str) -> EngineError {
        parsing(format!("Failed to parse query [{}]: {what}", self.text))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// An operator word at the cursor (followed by a break), consumed.
    fn operator_word(&mut self) -> Option<&'static str> {
        for (word, name) in [("AND", "AND"), ("OR", "OR"), ("NOT", "NOT"), ("&&", "AND"), ("||", "OR")] {
            let end = self.at + word.len();
            let matches = self.chars.get(self.at..end).is_some_and(|s| s.iter().copied().eq(word.chars()));
            let breaks = self.chars.get(end).is_none_or(|c| c.is_whitespace() || *c == '(');
            if matches && breaks {
                self.at = end;
                return Some(name);
            }
        }
        if self.peek() == Some('!') && self.chars.get(self.at + 1).is_some_and(|c| !c.is_whitespace()) {
            self.at += 1;
            return Some("NOT");
        }
        None
    }

    /// A sequence of clauses up to the end or a closing parenthesis.
    fn query(&mut self, field: &str) -> Result<Query, EngineError> {
        let default = if self.options.operator == Operator::And { Occur::Must } else { Occur::Should };
        let mut clauses: Vec<(Occur, Query)> = Vec::new();
        let mut pending: Option<Occur> = None;
        loop {
            self.skip_space();
            match self.peek() {
                None | Some(')') => break,
                _ => {}
            }
            match self.operator_word() {
                Some("AND") => {
                    if let Some(last) = clauses.last_mut().filter(|(o, _)| *o == Occur::Should) {
                        last.0 = Occur::Must;
                    }
                    pending = Some(Occur::Must);
                    continue;
                }
                Some("OR") => {
                    // `a OR b` under AND: both become optional.
                    if let Some(last) = clauses.last_mut().filter(|(o, _)| *o == Occur::Must) {
                        if self.options.operator == Operator::And {
                            last.0 = Occur::Should;
                        }
                    }
                    pending = Some(Occur::Should);
                    continue;
                }
                Some(_) => {
                    pending = Some(Occur::MustNot);
                    continue;
                }
                None => {}
            }
            let modifier = if self.eat('+') {
                Some(Occur::Must)
            } else if self.eat('-') {
                Some(Occur::MustNot)
            } else {
                None
            };
            let q = self.clause(field)?;
            let occur = match (pending.take(), modifier) {
                (Some(Occur::MustNot), _) | (_, Some(Occur::MustNot)) => Occur::MustNot,
                (_, Some(m)) => m,
                (Some(p), None) => p,
                (None, None) => default,
            };
            clauses.push((occur, q));
        }
        if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
            return Ok(clauses.remove(0).1);
        }
        let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
        for (occur, q) in clauses {
            match occur {
                Occur::Must => must.push(q),
                Occur::Should => should.push(q),
                Occur::MustNot => must_not.push(q),
            }
        }
        Ok(Query::Bool { must, should, must_not, filter: Vec::new(), minimum_should_match: None, boost: 1.0 })
    }

    /// A bare word (escapes kept as the characters they escape).
    fn word(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                if let Some(next) = self.chars.get(self.at + 1) {
                    // Escaped wildcards stay escaped for the pattern reader.
                    if matches!(next, '*' | '?') {
                        out.push('\\');
                    }
                    out.push(*next);
                    self.at += 2;
                    continue;
                }
            }
            if special(c) {
                break;
            }
            out.push(c);
            self.at += 1;
        }
        out
    }

    /// The text from the cursor (on the opening `close`) to the closing one;
    /// a backslash before a character `unescapes` accepts stands for it.
    fn delimited(&mut self, close: char, what: &str, unescapes: impl Fn(char) -> bool) -> Result<String, EngineError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error(&format!("unterminated {what}"))),
                Some(c) if c == close => {
                    self.at += 1;
                    return Ok(out);
                }
                Some('\\') if self.chars.get(self.at + 1).is_some_and(|&n| unescapes(n)) => {
                    out.push(self.chars[self.at + 1]);
                    self.at += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// A number after `^` or `~`, if any.
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect::<String>().parse().ok()
    }

    /// One clause: `[field:](term | "phrase" | (group) | [range] | /regex/)[~n][^boost]`.
    fn clause(&mut self, default_field: &str) -> Result<Query, EngineError> {
        // A field name, when a word is followed by `:`.
        let start = self.at;
        let mut field = default_field.to_owned();
        if !matches!(self.peek(), Some('(' | '"' | '[' | '{' | '/')) {
            let name = self.word();
            if self.eat(':') && !name.is_empty() {
                field = name;
            } else {
                self.at = start;
            }
        }
        let mut q = match self.peek() {
            Some('(') => {
                self.at += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error(&format!("groups nest deeper than {MAX_DEPTH}")));
                }
                let inner = self.query(&field)?;
                self.depth -= 1;
                if !self.eat(')') {
                    return Err(self.error("missing )"));
                }
                inner
            }
            Some('"') => {
                // A backslash escapes any character of a phrase.
                let phrase = self.delimited('"', "phrase", |_| true)?;
                let slop = if self.eat('~') { self.number().unwrap_or(0.0) as u32 } else { self.options.phrase_slop };
                Query::MatchPhrase {
                    field: field.clone(),
                    text: phrase,
                    slop,
                    boost: 1.0,
                    prefix: false,
                    max_expansions: super::dsl::DEFAULT_EXPANSIONS,
                    analyzer: None,
                }
            }
            Some('[' | '{') => self.range(&field)?,
            Some('/') => {
                // Only `\/` is unescaped: the expression keeps its own escapes.
                let text = self.delimited('/', "regular expression", |c| c == '/')?;
                let regex = tensile_regexp::Regex::read(&text, tensile_regexp::Flags::ALL);
                Query::Pattern {
                    field: field.clone(),
                    regex,
                    case_insensitive: false,
                    max_states: self.options.max_states,
                    rewrite: self.options.rewrite,
                    boost: 1.0,
                    kind: "regexp",
                }
            }
            _ => {
                // `>=5`, `<2020-01-01`: one-sided ranges.
                for (op, inclusive, lower) in
                    [(">=", true, true), ("<=", true, false), (">", false, true), ("<", false, false)]
                {
                    let end = self.at + op.len();
                    if self.chars.get(self.at..end).is_some_and(|s| s.iter().copied().eq(op.chars())) {
                        self.at = end;
                        let bound = Value::String(self.word());
                        let bounds = match (lower, inclusive) {
                            (true, true) => [None, Some(bound), None, None],
                            (true, false) => [Some(bound), None, None, None],
                            (false, true) => [None, None, None, Some(bound)],
                            (false, false) => [None, None, Some(bound), None],
                        };
                        return Ok(self.range_query(&field, bounds));
                    }
                }
                let value = self.word();
                if value.is_empty() {
                    return Err(self.error(&format!("unexpected [{}]", self.peek().unwrap_or(' '))));
                }
                self.term(&field, &value)?
            }
        };
        if self.eat('^') {
            let boost = self.number().ok_or_else(|| self.error("a boost needs a number"))? as f32;
            q = Query::Bool {
                must: vec![q],
                should: Vec::new(),
                must_not: Vec::new(),
                filter: Vec::new(),
                minimum_should_match: None,
                boost,
            };
        }
        Ok(q)
    }

    /// A term on a field: `_exists_`, a wildcard, a fuzzy term, or text.
    fn term(&mut self, field: &str, value: &str) -> Result<Query, EngineError> {
        if field == "_exists_" {
            return Ok(Query::Exists { field: value.to_owned() });
        }
        if self.eat('~') {
            let named = self.options.fuzziness.clone().unwrap_or_else(|| "AUTO".to_owned());
            let distance = self.number().map_or(named, |n| (n as u32).min(2).to_string());
            return Ok(Query::Fuzzy {
                field: field.to_owned(),
                value: value.to_lowercase(),
                fuzziness: distance,
                prefix_length: self.options.fuzzy_prefix_length,
                transpositions: self.options.fuzzy_transpositions,
                max_expansions: self.options.fuzzy_max_expansions,
                rewrite: self.options.fuzzy_rewrite,
                boost: 1.0,
            });
        }
        if value.contains(['*', '?']) && !value.replace("\\*", "").replace("\\?", "").is_empty() {
            if value == "*" && field != "*" {
                return Ok(Query::Exists { field: field.to_owned() });
            }
            if value == "*" {
                return Ok(Query::MatchAll { boost: 1.0 });
            }
            if !self.options.allow_leading_wildcard && value.starts_with(['*', '?']) {
                return Err(
                    self.error(&format!("'*' or '?' not allowed as first character in WildcardQuery [{value}]"))
                );
            }
            // Wildcard terms are matched lowercased, as the standard analyzer indexes them.
            return Ok(Query::Pattern {
                field: field.to_owned(),
                regex: tensile_regexp::Regex::wildcard(&value.to_lowercase()),
                case_insensitive: false,
                max_states: self.options.max_states,
                rewrite: self.options.rewrite,
                boost: 1.0,
                kind: "wildcard",
            });
        }
        let value = value.replace("\\*", "*").replace("\\?", "?");
        // Over many fields a term goes to those that can take it.
        let mut q = Query::match_text(field, value);
        if let Query::Match { lenient, .. } = &mut q {
            *lenient = true;
        }
        Ok(q)
    }

    /// `[a TO b]`, `{a TO b}` or a mix; `*` leaves a side open.
    fn range(&mut self, field: &str) -> Result<Query, EngineError> {
        let lower_inclusive = self.peek() == Some('[');
        self.at += 1;
        self.skip_space();
        let lower = self.bound();
        self.skip_space();
        let to = self.word();
        if to != "TO" {
            return Err(self.error("a range needs TO"));
        }
        self.skip_space();
        let upper = self.bound();
        self.skip_space();
        let upper_inclusive = match self.peek() {
            Some(']') => true,
            Some('}') => false,
            _ => return Err(self.error("unterminated range")),
        };
        self.at += 1;
        let side = |v: Option<String>, inclusive: bool| match v {
            None => (None, None),
            Some(v) if inclusive => (None, Some(Value::String(v))),
            Some(v) => (Some(Value::String(v)), None),
        };
        let (gt, gte) = side(lower, lower_inclusive);
        let (lt, lte) = side(upper, upper_inclusive);
        Ok(self.range_query(field, [gt, gte, lt, lte]))
    }

    /// One side of a range: a word or a quoted value; `*` is open.
    fn bound(&mut self) -> Option<String> {
        let value = if self.eat('"') {
            let start = self.at;
            while self.peek().is_some_and(|c| c != '"') {
                self.at += 1;
            }
            let v: String = self.chars[start..self.at].iter().collect();
            self.eat('"');
            v
        } else {
            let start = self.at;
            while self.peek().is_some_and(|c| !c.is_whitespace() && !matches!(c, ']' | '}')) {
                self.at += 1;
            }
            self.chars[start..self.at].iter().collect()
        };
        (value != "*").then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clauses_and_operators() {
        let q = parse("field:foo +bar -baz \"a b\"~2 ba*", "*", Options::default()).unwrap();
        let Query::Bool { must, should, must_not, .. } = q else { panic!() };
        assert_eq!((must.len(), should.len(), must_not.len()), (1, 3, 1));
        assert!(matches!(&should[1], Query::MatchPhrase { slop: 2, .. }));
        let sloppy = Options { phrase_slop: 3, ..Options::default() };
        assert!(matches!(parse("\"a b\"", "f", sloppy.clone()).unwrap(), Query::MatchPhrase { slop: 3, .. }));
        assert!(matches!(parse("\"a b\"~1", "f", sloppy).unwrap(), Query::MatchPhrase { slop: 1, .. }));
        // The options of fuzzy, wildcard and range terms.
        let options = Options {
            fuzziness: Some("1".into()),
            fuzzy_prefix_length: 2,
            time_zone: Some("Europe/Paris".into()),
            allow_leading_wildcard: false,
            ..Options::default()
        };
        let fuzzy = parse("quikc~", "f", options.clone()).unwrap();
        assert!(matches!(fuzzy, Query::Fuzzy { ref fuzziness, prefix_length: 2, .. } if fuzziness == "1"), "{fuzzy:?}");
        let range = parse("d:[2024-01-01 TO 2024-02-01]", "f", options.clone()).unwrap();
        assert!(matches!(range, Query::Range { time_zone: Some(_), lenient_zone: true, .. }), "{range:?}");
        assert!(parse("*ing", "f", options.clone()).is_err());
        assert!(parse("ing*", "f", options).is_ok());
        let Query::Bool { must, .. } = parse("a AND b", "f", Options::default()).unwrap() else { panic!() };
        assert_eq!(must.len(), 2);
    }

    #[test]
    fn groups_ranges_boosts_and_fuzzy_terms() {
        let Query::Bool { must, should, .. } =
            parse("title:(quick OR brown) AND year:[2000 TO *]", "*", Options::default()).unwrap()
        else {
            panic!()
        };
        assert!(should.is_empty());
        assert!(matches!(&must[0], Query::Bool { should, .. } if should.len() == 2));
        assert!(matches!(&must[1], Query::Range { gte: Some(_), lt: None, lte: None, .. }));
        assert!(matches!(
            parse("year:{1 TO 5]", "*", Options::default()).unwrap(),
            Query::Range { gt: Some(_), lte: Some(_), .. }
        ));
        assert!(matches!(parse("quikc~1", "f", Options::default()).unwrap(), Query::Fuzzy { .. }));
        assert!(matches!(parse("fox^2", "f", Options::default()).unwrap(), Query::Bool { boost, .. } if boost == 2.0));
        assert!(matches!(parse("n:>=5", "f", Options::default()).unwrap(), Query::Range { gte: Some(_), .. }));
        assert!(matches!(parse("/jo.n/", "f", Options::default()).unwrap(), Query::Pattern { kind: "regexp", .. }));
        assert!(matches!(parse("_exists_:title", "f", Options::default()).unwrap(), Query::Exists { .. }));
        assert!(parse("(a", "f", Options::default()).is_err());
        assert!(parse("[1 TO", "f", Options::default()).is_err());
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep, "f", Options::default()).is_err(), "deep nesting is refused, not a stack overflow");
    }

    proptest! {
        /// Any text either parses or is refused with an error: never a panic.
        #[test]
        fn never_panics(text in "[a-z:()\\[\\]{}^~\"*?/<>=+\\- !&|\\\\0-9]{0,24}") {
            let _ = parse(&text, "*", Options::default());
        }
    }
}
