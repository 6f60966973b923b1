//! Highlighting: the parts of a hit's field values that a query matched,
//! wrapped in tags and cut into fragments, as Elasticsearch's unified,
//! plain and fvh highlighters give them. Values are re-analysed from the
//! source; a phrase is highlighted as one span, other terms one by one.

use super::dsl::{self, Query};
use crate::error::EngineError;
use crate::mapper::{FieldKind, FieldMapper, Mapper};
use crate::resolve::wildcard_match;
use crate::source_filter::values_at;
use serde_json::{Map, Value};
use std::collections::HashSet;
use tensile_analysis::Token;

/// Which highlighter a field asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlighter {
    Unified,
    Plain,
    Fvh,
}

/// What highlighting reads of the fields it names, for
/// `_field_usage_stats` (see `field_usage`): the offsets of a field
/// indexed with them (unified), the term vectors of one that keeps them (fvh).
pub fn field_uses(spec: &Highlight, mapper: &Mapper, out: &mut Vec<(String, crate::field_usage::Use)>) {
    use crate::field_usage::Use;
    for (pattern, o) in &spec.fields {
        for (path, field) in mapper.fields.iter().filter(|(path, _)| wildcard_match(pattern, path)) {
            match o.kind {
                Highlighter::Unified if field.postings_offsets => out.push((path.clone(), Use::Offsets)),
                Highlighter::Fvh if field.term_vector_offsets => out.push((path.clone(), Use::TermVectors)),
                _ => {}
            }
        }
    }
}

/// The options of one highlighted field (the request's, overridden by the field's).
#[derive(Debug, Clone)]
pub struct Options {
    pub kind: Highlighter,
    pub pre_tag: String,
    pub post_tag: String,
    pub fragment_size: usize,
    pub number_of_fragments: usize,
    pub no_match_size: usize,
    pub require_field_match: bool,
    pub highlight_query: Option<Query>,
    pub order_by_score: bool,
    /// `encoder: html`: the text is HTML-escaped around the tags.
    pub html: bool,
    /// Other fields whose matches also highlight this one (unified).
    pub matched_fields: Vec<String>,
    /// `max_analyzed_offset`: how much of a long value to analyse (`None`:
    /// a value past the index's limit is refused).
    pub max_analyzed_offset: Option<AnalyzedOffset>,
    /// `boundary_scanner`: where the unified and fvh highlighters cut
    /// fragments (`None`: the highlighter's own, sentences for unified,
    /// boundary characters for fvh).
    pub boundary: Option<Boundary>,
    /// `boundary_chars`: the characters the `chars` scanner cuts at.
    pub boundary_chars: Vec<char>,
    /// `boundary_max_scan`: how far the `chars` scanner looks for one.
    pub boundary_max_scan: usize,
    /// `fragmenter: simple`: the plain highlighter cuts the text in
    /// slices of `fragment_size`, phrases or not (`span`, the default,
    /// keeps them whole).
    pub simple_fragments: bool,
    /// `phrase_limit`: how many matches of a value fvh considers.
    pub phrase_limit: usize,
}

/// A `boundary_scanner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    Sentence,
    Word,
    /// At one of `boundary_chars`, looked for up to `boundary_max_scan`
    /// characters from the window's ends (fvh's own).
    Chars,
}

/// Lucene's `SimpleBoundaryScanner` defaults.
const DEFAULT_BOUNDARY_CHARS: &[char] = &['.', ',', '!', '?', ' ', '\t', '\n'];
const DEFAULT_BOUNDARY_MAX_SCAN: usize = 20;

/// A request's `max_analyzed_offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyzedOffset {
    /// `-1`: as far as `index.highlight.max_analyzed_offset`, past which
    /// a value is cut rather than refused.
    IndexLimit,
    /// As far as this many characters (or the index's limit, if lower).
    Chars(usize),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            kind: Highlighter::Unified,
            pre_tag: "<em>".into(),
            post_tag: "</em>".into(),
            fragment_size: 100,
            number_of_fragments: 5,
            no_match_size: 0,
            require_field_match: true,
            highlight_query: None,
            order_by_score: false,
            html: false,
            matched_fields: Vec::new(),
            max_analyzed_offset: None,
            boundary: None,
            boundary_chars: DEFAULT_BOUNDARY_CHARS.to_vec(),
            boundary_max_scan: DEFAULT_BOUNDARY_MAX_SCAN,
            simple_fragments: false,
            phrase_limit: 256,
        }
    }
}

/// A request's `highlight`: field patterns with their options.
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    pub fields: Vec<(String, Options)>,
}

/// The index settings highlighting obeys.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `index.highlight.max_analyzed_offset`.
    pub max_analyzed_offset: usize,
    /// `index.highlight.max_number_of_fragments`.
    pub max_fragments: usize,
}

fn invalid(reason: impl Into<String>) -> EngineError {
    EngineError::IllegalArgument(reason.into())
}

/// A highlight option's value refused, as Elasticsearch's parser refuses it.
fn bad_value(key: &str, cause: &str) -> EngineError {
    EngineError::FieldValue { reason: format!("[highlight] failed to parse field [{key}]"), cause: cause.to_owned() }
}

/// Reads one level of options (the request's or a field's) over `base`.
fn read_options(map: &Map<String, Value>, base: &Options) -> Result<Options, EngineError> {
    let mut o = base.clone();
    let number = |key: &str, v: &Value| -> Result<i64, EngineError> {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| dsl::parsing(format!("[highlight] [{key}] must be a number")))
    };
    let tags = |key: &str, v: &Value| -> Result<String, EngineError> {
        let list: Vec<String> = match v {
            Value::Array(items) => items.iter().map(crate::settings_text).collect(),
            other => vec![crate::settings_text(other)],
        };
        list.into_iter().next().ok_or_else(|| invalid(format!("pre_tags or post_tags must not be empty ([{key}])")))
    };
    for (key, v) in map {
        match key.as_str() {
            "fields" => {}
            "type" => {
                o.kind = match v.as_str() {
                    Some("unified") => Highlighter::Unified,
                    Some("plain") => Highlighter::Plain,
                    Some("fvh") => Highlighter::Fvh,
                    _ => return Err(invalid(format!("unknown highlighter type [{}]", crate::settings_text(v)))),
                }
            }
            "pre_tags" => o.pre_tag = tags(key, v)?,
            "post_tags" => o.post_tag = tags(key, v)?,
            "tags_schema" => match v.as_str() {
                Some("styled") => {
                    o.pre_tag = "<em class=\"hlt\">".into();
                    o.post_tag = "</em>".into();
                }
                _ => return Err(invalid(format!("Unknown tag schema [{}]", crate::settings_text(v)))),
            },
            "fragment_size" => o.fragment_size = number(key, v)?.max(0) as usize,
            "number_of_fragments" => {
                let n = number(key, v)?;
                if n < 0 {
                    return Err(bad_value(key, "[number_of_fragments] must not be negative"));
                }
                o.number_of_fragments = n as usize;
            }
            "no_match_size" => o.no_match_size = number(key, v)?.max(0) as usize,
            "require_field_match" => o.require_field_match = v == true || v == "true",
            "highlight_query" => o.highlight_query = Some(dsl::parse(v)?),
            "order" => o.order_by_score = v.as_str() == Some("score"),
            "encoder" => o.html = v.as_str() == Some("html"),
            "matched_fields" => {
                o.matched_fields = match v {
                    Value::Array(items) => items.iter().map(crate::settings_text).collect(),
                    other => vec![crate::settings_text(other)],
                }
            }
            "max_analyzed_offset" => {
                o.max_analyzed_offset = Some(match number(key, v)? {
                    -1 => AnalyzedOffset::IndexLimit,
                    n if n > 0 => AnalyzedOffset::Chars(n as usize),
                    _ => return Err(bad_value(key, "[max_analyzed_offset] must be a positive integer, or -1")),
                });
            }
            "boundary_scanner" => {
                o.boundary = Some(match v.as_str() {
                    Some("sentence") => Boundary::Sentence,
                    Some("word") => Boundary::Word,
                    Some("chars") => Boundary::Chars,
                    _ => return Err(invalid(format!("Invalid boundary_scanner [{}]", crate::settings_text(v)))),
                })
            }
            "boundary_chars" => o.boundary_chars = crate::settings_text(v).chars().collect(),
            "boundary_max_scan" => o.boundary_max_scan = number(key, v)?.max(0) as usize,
            // Tensile's sentence and word breaks are the same in every locale.
            "boundary_scanner_locale" => {}
            "fragmenter" => {
                o.simple_fragments = match v.as_str() {
                    Some("simple") => true,
                    Some("span") => false,
                    _ => {
                        return Err(invalid(format!(
                            "unknown fragmenter option [{}] for the field",
                            crate::settings_text(v)
                        )))
                    }
                }
            }
            "phrase_limit" => o.phrase_limit = number(key, v)?.max(0) as usize,
            // Deprecated, and without effect in Elasticsearch too.
            "force_source" => {}
            other => return Err(EngineError::Unsupported(format!("the [{other}] option of [highlight]"))),
        }
    }
    if o.pre_tag.is_empty() && o.post_tag.is_empty() && (map.contains_key("pre_tags") || map.contains_key("post_tags"))
    {
        return Err(invalid("pre_tags or post_tags must not be empty"));
    }
    Ok(o)
}

/// Reads a search body's `highlight`.
pub fn parse(v: &Value) -> Result<Highlight, EngineError> {
    let Value::Object(map) = v else { return Err(dsl::parsing("[highlight] must be an object")) };
    let refuse_matched = |o: &Options| {
        if !o.require_field_match && !o.matched_fields.is_empty() {
            return Err(invalid("Matched fields are not supported when [require_field_match] is set to [false]"));
        }
        Ok(())
    };
    for key in ["pre_tags", "post_tags"] {
        if map.get(key).is_some_and(|t| t.as_array().is_some_and(Vec::is_empty)) {
            return Err(invalid("pre_tags or post_tags must not be empty"));
        }
    }
    let global = read_options(map, &Options::default())?;
    let entries: Vec<(String, &Value)> = match map.get("fields") {
        Some(Value::Object(fields)) => fields.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Some(Value::Array(items)) => {
            items.iter().flat_map(|i| i.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v))).collect()
        }
        _ => return Err(dsl::parsing("[highlight] requires [fields]")),
    };
    let mut fields = Vec::new();
    for (pattern, opts) in entries {
        let options = match opts {
            Value::Object(o) => read_options(o, &global)?,
            _ => global.clone(),
        };
        refuse_matched(&options)?;
        fields.push((pattern, options));
    }
    Ok(Highlight { fields })
}

impl Highlight {
    /// Refuses what no hit could be highlighted with: too many fragments,
    /// a boundary scanner the highlighter has not.
    pub fn check(&self, limits: &Limits) -> Result<(), EngineError> {
        for (field, o) in &self.fields {
            // As Elasticsearch's unified highlighter, which has no `chars` scanner.
            if o.kind == Highlighter::Unified && o.boundary == Some(Boundary::Chars) {
                return Err(invalid("Invalid boundary scanner type: CHARS"));
            }
            if o.number_of_fragments > limits.max_fragments {
                return Err(invalid(format!(
                    "The number of fragments requested for highlighting field [{field}] is [{}] but the maximum allowed is [{}]. This maximum can be set by changing the [index.highlight.max_number_of_fragments] index level setting.",
                    o.number_of_fragments, limits.max_fragments
                )));
            }
        }
        Ok(())
    }
}

/// What marks a token as matched.
enum Matcher {
    Terms(HashSet<String>),
    /// A fuzzy match's expansions: the terms near a word.
    Fuzzy(super::edits::FuzzyWord),
    /// Consecutive terms (within `slop` extra positions).
    Phrase(Vec<String>, u32),
    Pattern(Box<tensile_regexp::Dfa>),
}

/// The matchers a query gives a field: its clauses on that field (any
/// field, without `require_field_match`), negated clauses left out.
fn gather(q: &Query, field: &FieldMapper, mapper: &Mapper, names: &[&str], any_field: bool, out: &mut Vec<Matcher>) {
    let applies = |f: &str| any_field || names.iter().any(|n| *n == f || wildcard_match(f, n));
    let text_terms = |text: &str, analyzer: Option<&str>| -> Vec<String> {
        if field.kind.is_text() {
            let named = analyzer.and_then(|a| mapper.analyzers.analyzer(a).ok());
            let analyzer = named
                .or_else(|| field.search_analyzer.clone())
                .unwrap_or_else(|| mapper.analyzers.default_search_analyzer());
            analyzer.analyze(text).into_iter().map(|t| t.term).collect()
        } else {
            vec![keyword_term(field, text)]
        }
    };
    match q {
        Query::Term { field: f, value, .. } if applies(f) => {
            let raw = crate::settings_text(value);
            let term = if field.kind.is_text() { raw } else { keyword_term(field, &raw) };
            out.push(Matcher::Terms(HashSet::from([term])));
        }
        Query::Terms { field: f, values, .. } if applies(f) => out.push(Matcher::Terms(
            values
                .iter()
                .map(|v| {
                    let raw = crate::settings_text(v);
                    if field.kind.is_text() {
                        raw
                    } else {
                        keyword_term(field, &raw)
                    }
                })
                .collect(),
        )),
        Query::Match { field: f, text, analyzer, fuzziness, prefix_length, transpositions, .. } if applies(f) => {
            let words = text_terms(text, analyzer.as_deref());
            if let Some(fuzziness) = fuzziness {
                out.extend(words.iter().filter_map(|w| fuzzy_matcher(w, fuzziness, *prefix_length, *transpositions)));
            }
            out.push(Matcher::Terms(words.into_iter().collect()))
        }
        Query::Fuzzy { field: f, value, fuzziness, prefix_length, transpositions, .. } if applies(f) => {
            let word = if field.kind.is_text() { value.clone() } else { keyword_term(field, value) };
            out.extend(fuzzy_matcher(&word, fuzziness, *prefix_length, *transpositions));
        }
        Query::MatchPhrase { field: f, text, slop, .. } if applies(f) => {
            let terms = text_terms(text, None);
            out.push(if terms.len() > 1 {
                Matcher::Phrase(terms, *slop)
            } else {
                Matcher::Terms(terms.into_iter().collect())
            })
        }
        Query::Pattern { field: f, regex, case_insensitive, max_states, .. } if applies(f) => {
            if let Ok(dfa) = regex.compile(*case_insensitive, *max_states) {
                out.push(Matcher::Pattern(Box::new(dfa)));
            }
        }
        Query::Bool { must, should, filter, .. } => {
            for q in must.iter().chain(should).chain(filter) {
                gather(q, field, mapper, names, any_field, out);
            }
        }
        Query::ConstantScore { filter, .. } => gather(filter, field, mapper, names, any_field, out),
        Query::Named { query, .. } => gather(query, field, mapper, names, any_field, out),
        Query::FunctionScore(f) => gather(&f.query, field, mapper, names, any_field, out),
        Query::AcrossFields { fields, text, .. } if fields.iter().any(|(f, _)| applies(f)) => {
            out.push(Matcher::Terms(text_terms(text, None).into_iter().collect()))
        }
        Query::DisMax { queries, .. } => {
            queries.iter().for_each(|q| gather(q, field, mapper, names, any_field, out));
        }
        _ => {}
    }
}

/// The matcher of a word's fuzzy expansions (`None` when its fuzziness
/// allows no edit: the word itself is matched as a term).
fn fuzzy_matcher(word: &str, fuzziness: &str, prefix: usize, transpositions: bool) -> Option<Matcher> {
    let chars: Vec<char> = word.chars().collect();
    let distance = usize::from(dsl::edit_distance_for(fuzziness, chars.len()).ok()?);
    (distance > 0).then_some(Matcher::Fuzzy(super::edits::FuzzyWord { chars, distance, prefix, transpositions }))
}

/// A keyword's indexed term: the value through its normalizer.
fn keyword_term(field: &FieldMapper, value: &str) -> String {
    match &field.normalizer {
        Some(n) => n.normalize(value),
        None => value.to_owned(),
    }
}

/// The matched spans (byte ranges) of one analysed value; a phrase is one
/// span with `whole_phrases`, else its terms are one each.
fn spans(tokens: &[Token], matchers: &[Matcher], whole_phrases: bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        for m in matchers {
            match m {
                Matcher::Terms(set) if set.contains(&t.term) => out.push((t.start, t.end)),
                Matcher::Pattern(dfa) if dfa.matches(&t.term) => out.push((t.start, t.end)),
                Matcher::Fuzzy(word) if word.edits_to(&t.term).is_some() => out.push((t.start, t.end)),
                Matcher::Phrase(terms, slop) if t.term == terms[0] => {
                    // Each next term within the positions the slop allows, in
                    // order; a phrase's terms are highlighted one by one.
                    let mut found = vec![(t.start, t.end)];
                    let mut position = t.position;
                    let mut budget = *slop;
                    for want in &terms[1..] {
                        let next = tokens[i + 1..]
                            .iter()
                            .find(|n| n.term == *want && n.position > position && n.position - position - 1 <= budget);
                        let Some(n) = next else { break };
                        budget -= n.position - position - 1;
                        position = n.position;
                        found.push((n.start, n.end));
                    }
                    if found.len() == terms.len() {
                        if whole_phrases {
                            out.push((t.start, found.iter().map(|f| f.1).max().unwrap_or(t.end)));
                        } else {
                            out.extend(found);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    merge(out)
}

/// Spans in order, merged where they overlap.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn escape(text: &str, html: bool, out: &mut String) {
    if !html {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
}

/// `text[from..to]` with its spans wrapped in the tags.
fn render(text: &str, from: usize, to: usize, spans: &[(usize, usize)], o: &Options) -> String {
    let mut out = String::new();
    let mut at = from;
    for &(s, e) in spans.iter().filter(|(s, e)| *s >= from && *e <= to) {
        escape(&text[at..s], o.html, &mut out);
        out.push_str(&o.pre_tag);
        escape(&text[s..e], o.html, &mut out);
        out.push_str(&o.post_tag);
        at = e;
    }
    escape(&text[at..to], o.html, &mut out);
    out
}

/// The byte index at or before `i` that is a char boundary.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How fragments are cut around matches.
#[derive(Clone, Copy)]
enum Cut<'a> {
    /// The sentence around the match, or a window at words in a long one.
    Sentences,
    /// A window of about `fragment_size` at words.
    Words,
    /// Lucene's fvh window (centred on the match), its ends moved to the
    /// nearest boundary character within `max_scan`.
    Chars { chars: &'a [char], max_scan: usize },
    /// Consecutive slices of about `fragment_size`, phrases or not (the
    /// plain highlighter's `simple` fragmenter).
    Slices,
}

impl Options {
    fn cut(&self) -> Cut<'_> {
        let chars = Cut::Chars { chars: &self.boundary_chars, max_scan: self.boundary_max_scan };
        match (self.kind, self.boundary) {
            (Highlighter::Plain, _) if self.simple_fragments => Cut::Slices,
            (Highlighter::Plain, _) => Cut::Words,
            (_, Some(Boundary::Word)) => Cut::Words,
            (Highlighter::Fvh, None | Some(Boundary::Chars)) => chars,
            _ => Cut::Sentences,
        }
    }
}

/// Where a fragment around `[start, end)` begins and ends, cut as `cut`
/// says; never much longer than `size` unless the match itself is.
fn fragment_bounds(text: &str, start: usize, end: usize, size: usize, cut: Cut<'_>) -> (usize, usize) {
    match cut {
        Cut::Chars { chars, max_scan } => return char_bounds(text, start, end, size, chars, max_scan),
        Cut::Slices => return slice_bounds(text, start, size),
        Cut::Sentences | Cut::Words => {}
    }
    if text.len() <= size {
        return (0, text.len());
    }
    let is_break = |b: u8| matches!(b, b'.' | b'!' | b'?');
    let bytes = text.as_bytes();
    let (mut from, mut to) = (start, end);
    if matches!(cut, Cut::Sentences) {
        // Back to the sentence's start, forward to its end.
        while from > 0 && !(is_break(bytes[from - 1]) && bytes.get(from).is_some_and(u8::is_ascii_whitespace)) {
            from -= 1;
        }
        while to < text.len() && !(is_break(bytes[to - 1]) && bytes[to].is_ascii_whitespace()) {
            to += 1;
        }
        while from < start && bytes[from].is_ascii_whitespace() {
            from += 1;
        }
        if to - from <= size {
            return (from, to);
        }
        from = from.max(end.saturating_sub(size));
    } else {
        from = start.saturating_sub(size.saturating_sub(end - start) / 2);
    }
    // A window of about `size` bytes, cut at whitespace.
    from = floor_boundary(text, from);
    if from > 0 && from < start {
        // Just past the first whitespace, whatever its width in bytes.
        from = text[from..start]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(from, |(i, c)| from + i + c.len_utf8())
            .min(start);
    }
    to = floor_boundary(text, (from + size).max(end));
    if to < text.len() {
        to = text[to..].find(char::is_whitespace).map_or(text.len(), |i| to + i);
    }
    (from, to)
}

/// fvh's window: `size` long (or the match's length) with the match in
/// its middle, as Lucene centres it; its start moved back to just past a
/// boundary character, its end forward to one, each looked for within
/// `max_scan` characters (kept where it was when there is none; the
/// text's ends count as boundaries).
fn char_bounds(text: &str, start: usize, end: usize, size: usize, chars: &[char], max_scan: usize) -> (usize, usize) {
    let from = floor_boundary(text, start.saturating_sub(size.saturating_sub(end - start) / 2));
    let to = floor_boundary(text, (from + size).max(end));
    let boundary = |c: char| chars.contains(&c);
    let from = if from == 0 {
        0
    } else {
        let before = text[..from].char_indices().rev().take(max_scan).find(|(_, c)| boundary(*c));
        match before {
            Some((i, c)) => i + c.len_utf8(),
            None if text[..from].chars().count() <= max_scan => 0,
            None => from,
        }
    };
    let to = if to >= text.len() {
        text.len()
    } else {
        let after = text[to..].char_indices().take(max_scan).find(|(_, c)| boundary(*c));
        match after {
            Some((i, _)) => to + i,
            None if text[to..].chars().count() <= max_scan => text.len(),
            None => to,
        }
    };
    (from, to)
}

/// The plain highlighter's `simple` slice holding `start`: as Lucene's
/// `SimpleFragmenter`, a new slice begins at the first word that ends at
/// or past the next multiple of `size` (words: whitespace-separated).
fn slice_bounds(text: &str, start: usize, size: usize) -> (usize, usize) {
    let size = size.max(1);
    let mut words = text.split_whitespace().map(|w| {
        let at = w.as_ptr() as usize - text.as_ptr() as usize;
        (at, at + w.len())
    });
    let (mut from, mut slices) = (0, 1);
    let mut last_end = text.len();
    for (word_start, word_end) in words.by_ref() {
        if word_end >= size * slices {
            slices += 1;
            if word_start > start {
                return (from, last_end.min(word_start));
            }
            from = word_start;
        }
        last_end = word_end;
    }
    (from, text.len())
}

/// One fragment: where it sits and how many matches it holds.
struct Fragment {
    value: usize,
    from: usize,
    to: usize,
    score: usize,
}

/// How a field's values are cut into tokens for highlighting.
type Analysis<'a> = Box<dyn Fn(&str) -> Vec<Token> + 'a>;

/// One way of finding matches in a field's values: an analysis of them
/// (the field's own, or a matched field's) and what marks its tokens.
struct Pass<'a> {
    analyze: Analysis<'a>,
    matchers: Vec<Matcher>,
}

/// The highlighted fragments of one field of a hit.
fn highlight_field(field: &FieldMapper, values: &[String], passes: &[Pass], o: &Options) -> Vec<String> {
    let spans: Vec<Vec<(usize, usize)>> = values
        .iter()
        .map(|v| {
            // fvh marks whole phrases; so does the unified highlighter with
            // `matched_fields` (Lucene's weight-matches mode), not without.
            let whole_phrases = match o.kind {
                Highlighter::Fvh => true,
                Highlighter::Unified => !o.matched_fields.is_empty(),
                Highlighter::Plain => false,
            };
            let mut spans =
                merge(passes.iter().flat_map(|p| spans(&(p.analyze)(v), &p.matchers, whole_phrases)).collect());
            if o.kind == Highlighter::Fvh {
                spans.truncate(o.phrase_limit);
            }
            spans
        })
        .collect();
    if o.number_of_fragments == 0 {
        return values
            .iter()
            .zip(&spans)
            .filter(|(_, s)| !s.is_empty())
            .map(|(v, s)| render(v, 0, v.len(), s, o))
            .collect();
    }
    let mut fragments: Vec<Fragment> = Vec::new();
    for (i, (v, s)) in values.iter().zip(&spans).enumerate() {
        for &(start, end) in s {
            if fragments.iter().any(|f| f.value == i && start >= f.from && end <= f.to) {
                continue;
            }
            let (from, to) = fragment_bounds(v, start, end, o.fragment_size.max(1), o.cut());
            let score = s.iter().filter(|(a, b)| *a >= from && *b <= to).count();
            fragments.push(Fragment { value: i, from, to, score });
        }
    }
    if fragments.is_empty() {
        if o.no_match_size == 0 || field.kind == FieldKind::Keyword && values.is_empty() {
            return Vec::new();
        }
        let Some(first) = values.first() else { return Vec::new() };
        let mut cut = floor_boundary(first, o.no_match_size);
        if cut < first.len() && o.kind != Highlighter::Plain {
            if let Some(space) = first[..cut].rfind(char::is_whitespace) {
                cut = space;
            }
        }
        let mut out = String::new();
        escape(first[..cut].trim_end(), o.html, &mut out);
        return vec![out];
    }
    // The best ones, shown in the order of the text unless asked by score.
    let mut order: Vec<usize> = (0..fragments.len()).collect();
    order.sort_by(|a, b| fragments[*b].score.cmp(&fragments[*a].score).then(a.cmp(b)));
    order.truncate(o.number_of_fragments);
    if !o.order_by_score {
        order.sort_unstable();
    }
    order
        .into_iter()
        .map(|i| {
            let f = &fragments[i];
            let text = &values[f.value];
            // A fragment leaves out the whitespace around it.
            let from = f.from + (text[f.from..f.to].len() - text[f.from..f.to].trim_start().len());
            let to = f.to - (text[f.from..f.to].len() - text[f.from..f.to].trim_end().len());
            render(text, from, to.max(from), &spans[f.value], o)
        })
        .collect()
}

/// How a field's values are analysed for highlighting: a text field's
/// index analyzer (over the first `limit` bytes), a keyword's normalizer.
fn analysis_of<'a>(mapper: &Mapper, field: &'a FieldMapper, limit: Option<usize>) -> impl Fn(&str) -> Vec<Token> + 'a {
    let analyzer = field.analyzer.clone().unwrap_or_else(|| mapper.analyzers.default_analyzer());
    move |text: &str| {
        if field.kind.is_text() {
            // The limit counts characters.
            let end = limit.map_or(text.len(), |n| text.char_indices().nth(n).map_or(text.len(), |(at, _)| at));
            analyzer.analyze(&text[..end])
        } else {
            vec![Token::new(keyword_term(field, text), 0, text.len(), 0, "word")]
        }
    }
}

/// The `highlight` of one hit: each asked field's fragments.
pub fn highlight(
    spec: &Highlight,
    query: &Query,
    mapper: &Mapper,
    source: &Value,
    limits: &Limits,
    where_: (&str, u32),
) -> Result<Map<String, Value>, EngineError> {
    let mut names: Vec<&String> = mapper.fields.keys().collect();
    names.sort_unstable();
    let mut out = Map::new();
    for (pattern, o) in &spec.fields {
        let wildcard = pattern.contains('*');
        for path in names.iter().filter(|p| wildcard_match(pattern, p)) {
            let field = &mapper.fields[path.as_str()];
            let highlightable = field.kind.is_text() || matches!(field.kind, FieldKind::Keyword);
            if out.contains_key(path.as_str()) || !highlightable {
                continue;
            }
            if o.kind == Highlighter::Fvh && !field.term_vector_offsets {
                if wildcard {
                    continue;
                }
                return Err(invalid(format!(
                    "the field [{path}] should be indexed with term vector with position offsets to be used with fast vector highlighter"
                )));
            }
            let values: Vec<String> = values_at(source, super::fields::source_path(mapper, field))
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(_) | Value::Bool(_) => Some(crate::settings_text(v)),
                    _ => None,
                })
                .filter(|s| field.ignore_above.is_none_or(|max| s.chars().count() <= max))
                .collect();
            let synthetic = mapper.source.mode == crate::source_mode::SourceMode::Synthetic;
            if o.kind == Highlighter::Fvh && synthetic && !field.store && values.len() > 1 {
                return Err(invalid(format!(
                    "The fast vector highlighter doesn't support loading multi-valued fields from _source in index [{}] because _source can reorder field values",
                    where_.0
                )));
            }
            // Reanalysis is bounded unless offsets were indexed.
            let offsets = match o.kind {
                Highlighter::Unified => field.postings_offsets || field.term_vector_offsets,
                Highlighter::Fvh => true,
                Highlighter::Plain => false,
            };
            // With `max_analyzed_offset`, analysis stops that many characters in
            // (never past the index's limit); without, a value longer than the
            // index's limit is refused unless offsets were indexed.
            let analyzed_limit = match o.max_analyzed_offset {
                Some(AnalyzedOffset::Chars(n)) => Some(n.min(limits.max_analyzed_offset)),
                Some(AnalyzedOffset::IndexLimit) => Some(limits.max_analyzed_offset),
                None => None,
            };
            if analyzed_limit.is_none() && !offsets && field.kind.is_text() {
                let long = values.iter().map(|v| v.chars().count()).find(|n| *n > limits.max_analyzed_offset);
                if let Some(length) = long {
                    return Err(invalid(format!(
                        "The length [{length}] of field [{path}] in doc[{}]/index[{}] exceeds the [index.highlight.max_analyzed_offset] limit [{}]. To avoid this error, set the query parameter [max_analyzed_offset] to a value less than index setting [{}] and this will tolerate long field values by truncating them.",
                        where_.1, where_.0, limits.max_analyzed_offset, limits.max_analyzed_offset
                    )));
                }
            }
            let query = o.highlight_query.as_ref().unwrap_or(query);
            // The field itself, and each matched field over the same text.
            let mut passes = Vec::new();
            for name in std::iter::once(path.as_str()).chain(o.matched_fields.iter().map(String::as_str)) {
                let Some(by) = mapper.fields.get(name) else { continue };
                let mut matchers = Vec::new();
                gather(query, by, mapper, &[name], !o.require_field_match, &mut matchers);
                passes.push(Pass { analyze: Box::new(analysis_of(mapper, by, analyzed_limit)), matchers });
            }
            let fragments = highlight_field(field, &values, &passes, o);
            if !fragments.is_empty() {
                out.insert((*path).clone(), Value::Array(fragments.into_iter().map(Value::String).collect()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        tensile_analysis::Analyzer::builtin("standard").unwrap().analyze(text)
    }

    #[test]
    fn terms_one_by_one_phrases_only_where_they_match() {
        let text = "The quick brown fox is brown.";
        let terms = Matcher::Terms(["brown".to_owned(), "fox".to_owned()].into_iter().collect());
        let s = spans(&tokens(text), &[terms], false);
        let o = Options::default();
        assert_eq!(render(text, 0, text.len(), &s, &o), "The quick <em>brown</em> <em>fox</em> is <em>brown</em>.");
        let phrase = || Matcher::Phrase(vec!["quick".into(), "brown".into()], 0);
        let s = spans(&tokens(text), &[phrase()], false);
        assert_eq!(render(text, 0, text.len(), &s, &o), "The <em>quick</em> <em>brown</em> fox is brown.");
        let s = spans(&tokens(text), &[phrase()], true);
        assert_eq!(render(text, 0, text.len(), &s, &o), "The <em>quick brown</em> fox is brown.", "fvh");
    }

    #[test]
    fn wide_whitespace_cuts_at_a_char_boundary() {
        let text = format!("{}\u{3000}fox{}", "word ".repeat(40), " tail".repeat(40));
        let start = text.find("fox").unwrap();
        let chars = Cut::Chars { chars: DEFAULT_BOUNDARY_CHARS, max_scan: 3 };
        for (n, cut) in [Cut::Words, Cut::Sentences, chars, Cut::Slices].into_iter().enumerate() {
            let (from, to) = fragment_bounds(&text, start, start + 3, 20, cut);
            assert!(text.is_char_boundary(from) && text.is_char_boundary(to), "cut {n}");
            assert!(from <= start && to >= start + 3, "cut {n}");
        }
    }

    #[test]
    fn long_values_give_sentences() {
        let text = "First sentence here. The second one holds the fox we want. And a third one comes after it, long enough to pass the size of a fragment by a margin.";
        let terms = Matcher::Terms(["fox".to_owned()].into_iter().collect());
        let s = spans(&tokens(text), &[terms], false);
        let (from, to) = fragment_bounds(text, s[0].0, s[0].1, 100, Cut::Sentences);
        assert_eq!(&text[from..to], "The second one holds the fox we want.");
        // `boundary_scanner: word`: a window of words around the match instead.
        let (from, to) = fragment_bounds(text, s[0].0, s[0].1, 30, Cut::Words);
        assert_eq!(&text[from..to], "holds the fox we want. And a third");
        let options: Value = serde_json::json!({"boundary_scanner": "word", "fields": {"f": {}}});
        assert!(parse(&options).is_ok());
        assert!(parse(&serde_json::json!({"boundary_scanner": "lines", "fields": {"f": {}}})).is_err());
    }

    #[test]
    fn fvh_windows_end_at_boundary_characters() {
        let text = "The quick brown fox jumps over the lazy dog, and then it runs far away from here.";
        let start = text.find("lazy").unwrap();
        let chars = Cut::Chars { chars: DEFAULT_BOUNDARY_CHARS, max_scan: 20 };
        // 20 long around the match (from 8 before it), each end moved to a boundary character.
        let (from, to) = fragment_bounds(text, start, start + 4, 20, chars);
        assert_eq!(&text[from..to], "over the lazy dog, and");
        // A window past the text is the whole text.
        assert_eq!(fragment_bounds(text, start, start + 4, 100, chars), (0, text.len()));
        // Only commas, none within reach: the ends of the text (close enough) count as boundaries.
        let commas = [','];
        let (from, to) = fragment_bounds(text, start, start + 4, 20, Cut::Chars { chars: &commas, max_scan: 40 });
        assert_eq!((from, to), (0, text.len()));
        // Nothing within reach: the window stays as it is.
        let (from, to) = fragment_bounds(text, start, start + 4, 20, Cut::Chars { chars: &commas, max_scan: 2 });
        assert_eq!(&text[from..to], "ver the lazy dog, an");
    }

    #[test]
    fn fvh_windows_hold_their_whole_match() {
        // Multi-byte text and no boundary character near: the window still
        // reaches the match's end.
        let text = "前前前前前前前前前前前前前前前前前前前前匹配的字在这里后后后后后后后后后后后后后后后后后后后后";
        let start = text.find("匹配").unwrap();
        let end = start + "匹配的字在".len();
        let chars = Cut::Chars { chars: DEFAULT_BOUNDARY_CHARS, max_scan: 2 };
        for size in end - start..end - start + 8 {
            let (from, to) = fragment_bounds(text, start, end, size, chars);
            assert!(from <= start && to >= end, "size {size}: {from}..{to} for {start}..{end}");
        }
    }

    #[test]
    fn simple_fragments_are_consecutive_slices() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let at = |word: &str| {
            let start = text.find(word).unwrap();
            let (from, to) = fragment_bounds(text, start, start + word.len(), 15, Cut::Slices);
            &text[from..to]
        };
        // A slice begins at the first word ending at or past 15, 30, 45...
        assert_eq!(at("one"), "one two three");
        assert_eq!(at("four"), "four five six");
        assert_eq!(at("six"), "four five six");
        assert_eq!(at("seven"), "seven eight nine");
        assert_eq!(at("eleven"), "ten eleven");
        assert_eq!(at("twelve"), "twelve");
    }

    #[test]
    fn highlighter_options_are_read() {
        let o = |v: Value| parse(&v).map(|h| h.fields[0].1.clone());
        let fvh =
            o(serde_json::json!({"type": "fvh", "boundary_chars": ";", "boundary_max_scan": 5, "phrase_limit": 3,
            "fields": {"f": {"boundary_scanner_locale": "fr-FR"}}}))
            .unwrap();
        assert_eq!((fvh.boundary_chars, fvh.boundary_max_scan, fvh.phrase_limit), (vec![';'], 5, 3));
        assert!(
            o(serde_json::json!({"type": "plain", "fragmenter": "simple", "fields": {"f": {}}}))
                .unwrap()
                .simple_fragments
        );
        assert!(o(serde_json::json!({"fragmenter": "lines", "fields": {"f": {}}})).is_err());
        let limits = Limits { max_analyzed_offset: 1000, max_fragments: 10 };
        let unified_chars = parse(&serde_json::json!({"boundary_scanner": "chars", "fields": {"f": {}}})).unwrap();
        assert_eq!(unified_chars.check(&limits).unwrap_err().to_string(), "Invalid boundary scanner type: CHARS");
    }
}
