//! The `intervals` query: documents where terms of a text field occur in
//! the order and proximity its rules say, as Lucene's interval queries.
//!
//! A rule ([`Rule`], read from the query) resolves against the mapping into
//! a [`Source`] of intervals: analysed terms, patterns expanded against a
//! segment's terms, and their combinations (`all_of`, ordered or not, with
//! `max_gaps`; `any_of`) and filters (`containing`, `before`...). A segment
//! is searched eagerly: the positions of every term the source names are
//! read, and each document holding any is given its intervals. A document
//! matches when it has one; it scores `freq / (freq + 1)`, `freq` being the
//! sum over its intervals of one over their width (Lucene's saturation).

use super::dsl::{edit_distance_for, parsing};
use super::listed::Listed;
use crate::error::EngineError;
use serde_json::{Map, Value};
use std::collections::HashMap;
use tantivy::postings::Postings;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// A rule of an `intervals` query, as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// The analysed terms of a text, in order or not, within `max_gaps`.
    Match {
        query: String,
        max_gaps: Option<u32>,
        ordered: bool,
        analyzer: Option<String>,
        filter: Option<Box<Filter>>,
    },
    /// Terms a pattern matches: `prefix`, `wildcard`, `regexp` (as a
    /// regular expression over the term), `fuzzy`, `range`.
    Expand {
        kind: &'static str,
        matcher: Matcher,
    },
    AllOf {
        rules: Vec<Rule>,
        max_gaps: Option<u32>,
        ordered: bool,
        filter: Option<Box<Filter>>,
    },
    AnyOf {
        rules: Vec<Rule>,
        filter: Option<Box<Filter>>,
    },
    /// One term as it is indexed, not analysed (`span_term`).
    Term(String),
    /// The intervals of a rule ending before a position (`span_first`).
    First {
        rule: Box<Rule>,
        end: u32,
    },
    /// A rule's intervals, related to another's (`span_not`, `span_containing`, `span_within`).
    Related {
        rule: Box<Rule>,
        filter: Box<Filter>,
    },
    /// A rule on another field, whose positions count as the query's field's
    /// (`field_masking_span`).
    Masked {
        field: String,
        rule: Box<Rule>,
    },
}

/// How an expanding rule picks terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A pattern the whole term matches.
    Pattern(tensile_regexp::Regex),
    /// Terms within an edit distance of `term`, its first `prefix` characters exact.
    Fuzzy { term: String, fuzziness: String, prefix: usize, transpositions: bool },
    /// Terms between bounds.
    Range { low: Option<(String, bool)>, high: Option<(String, bool)> },
}

impl Matcher {
    /// Terms near `term`, with the `fuzziness`, `prefix_length` and
    /// `transpositions` options `option` reads.
    pub fn fuzzy<'a>(term: String, option: impl Fn(&str) -> Option<&'a Value>) -> Matcher {
        Matcher::Fuzzy {
            term,
            fuzziness: option("fuzziness").map_or_else(|| "AUTO".to_owned(), crate::settings_text),
            prefix: option("prefix_length").and_then(Value::as_u64).unwrap_or(0) as usize,
            transpositions: option("transpositions").is_none_or(|t| t != false),
        }
    }

    /// Terms between the `gte`/`gt` and `lte`/`lt` bounds `bound` reads.
    pub fn range(bound: impl Fn(&str) -> Option<String>) -> Matcher {
        let with = |key: &str, inclusive: bool| bound(key).map(|b| (b, inclusive));
        Matcher::Range {
            low: with("gte", true).or_else(|| with("gt", false)),
            high: with("lte", true).or_else(|| with("lt", false)),
        }
    }
}

/// A filter on a rule's intervals, by their relation to another rule's.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub kind: FilterKind,
    pub rule: Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    Containing,
    NotContaining,
    ContainedBy,
    NotContainedBy,
    Overlapping,
    NotOverlapping,
    /// None of the other's intervals within `pre` positions before or
    /// `post` after (`span_not`'s `pre`, `post` and `dist`).
    NotNear {
        pre: u32,
        post: u32,
    },
    Before,
    After,
}

const FILTERS: &[(&str, FilterKind)] = &[
    ("containing", FilterKind::Containing),
    ("not_containing", FilterKind::NotContaining),
    ("contained_by", FilterKind::ContainedBy),
    ("not_contained_by", FilterKind::NotContainedBy),
    ("overlapping", FilterKind::Overlapping),
    ("not_overlapping", FilterKind::NotOverlapping),
    ("before", FilterKind::Before),
    ("after", FilterKind::After),
];

/// Reads the `{field: {rule: {...}, boost}}` of an `intervals` query: the
/// field, its rule and the boost.
pub fn parse(params: &Map<String, Value>) -> Result<(String, Rule, f32), EngineError> {
    let mut fields = params.iter().filter(|(k, _)| k.as_str() != "_name" && k.as_str() != "boost");
    let Some((field, body)) = fields.next() else {
        return Err(parsing("Expected [FIELD_NAME] but got [END_OBJECT]"));
    };
    if fields.next().is_some() {
        return Err(parsing("Expected [END_OBJECT] but got [FIELD_NAME]"));
    }
    let Value::Object(body) = body else { return Err(parsing("Expected [START_OBJECT] but got a value")) };
    let mut boost = 1.0;
    let mut rule = None;
    for (k, v) in body {
        match k.as_str() {
            "boost" => boost = v.as_f64().ok_or_else(|| parsing("[boost] must be a number"))? as f32,
            "_name" => {}
            name if rule.is_none() => rule = Some(parse_rule(name, v)?),
            other => return Err(parsing(format!("Only one interval rule can be specified, found [{other}]"))),
        }
    }
    let rule = rule.ok_or_else(|| parsing(format!("Missing intervals from interval query definition on [{field}]")))?;
    Ok((field.clone(), rule, boost))
}

fn object<'v>(name: &str, v: &'v Value) -> Result<&'v Map<String, Value>, EngineError> {
    v.as_object().ok_or_else(|| parsing(format!("Expected [START_OBJECT] for interval rule [{name}]")))
}

fn known(name: &str, o: &Map<String, Value>, keys: &[&str]) -> Result<(), EngineError> {
    match o.keys().find(|k| !keys.contains(&k.as_str()) && *k != "use_field") {
        // An option of Elasticsearch's that Tensile does not act on yet (a
        // pattern rule's terms are lower-cased, not normalised by an analyzer).
        Some(k) if k == "analyzer" => Err(EngineError::Unsupported(format!("the [{k}] option of [{name}]"))),
        Some(k) => Err(parsing(format!("[{name}] unknown field [{k}]"))),
        None => Ok(()),
    }
}

fn text(name: &str, o: &Map<String, Value>, key: &str) -> Result<String, EngineError> {
    o.get(key).map(crate::settings_text).ok_or_else(|| parsing(format!("[{name}] requires a [{key}]")))
}

fn max_gaps(o: &Map<String, Value>) -> Option<u32> {
    // `-1` (the default) means no limit.
    o.get("max_gaps").and_then(Value::as_i64).and_then(|n| u32::try_from(n).ok())
}

fn filter(o: &Map<String, Value>) -> Result<Option<Box<Filter>>, EngineError> {
    let Some(v) = o.get("filter") else { return Ok(None) };
    let f = object("filter", v)?;
    let (name, body) = f.iter().next().ok_or_else(|| parsing("[filter] requires a rule"))?;
    if name == "script" {
        return Err(EngineError::Unsupported("the [script] filter of [intervals]".into()));
    }
    let kind = FILTERS
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, k)| *k)
        .ok_or_else(|| parsing(format!("Unknown filter type [{name}]")))?;
    let rule = object(name, body)?;
    let (rule_name, rule_body) = rule.iter().next().ok_or_else(|| parsing(format!("[{name}] requires a rule")))?;
    Ok(Some(Box::new(Filter { kind, rule: parse_rule(rule_name, rule_body)? })))
}

fn rules(name: &str, o: &Map<String, Value>) -> Result<Vec<Rule>, EngineError> {
    let items = o
        .get("intervals")
        .and_then(Value::as_array)
        .ok_or_else(|| parsing(format!("[{name}] requires an [intervals] array")))?;
    items
        .iter()
        .map(|item| {
            let rule = object(name, item)?;
            let (n, body) = rule.iter().next().ok_or_else(|| parsing(format!("[{name}] holds an empty rule")))?;
            parse_rule(n, body)
        })
        .collect()
}

fn parse_rule(name: &str, v: &Value) -> Result<Rule, EngineError> {
    let o = object(name, v)?;
    let rule = rule_of(name, o)?;
    // `use_field`: the rule's intervals come from another field, as its own field's.
    Ok(match o.get("use_field") {
        Some(_) if matches!(name, "all_of" | "any_of") => {
            return Err(parsing(format!("[{name}] unknown field [use_field]")))
        }
        Some(field) => Rule::Masked { field: crate::settings_text(field), rule: Box::new(rule) },
        None => rule,
    })
}

fn rule_of(name: &str, o: &Map<String, Value>) -> Result<Rule, EngineError> {
    Ok(match name {
        "match" => {
            known(name, o, &["query", "max_gaps", "ordered", "analyzer", "filter"])?;
            Rule::Match {
                query: text(name, o, "query")?,
                max_gaps: max_gaps(o),
                ordered: o.get("ordered").is_some_and(|v| v == true),
                analyzer: o.get("analyzer").and_then(Value::as_str).map(str::to_owned),
                filter: filter(o)?,
            }
        }
        "all_of" => {
            known(name, o, &["intervals", "max_gaps", "ordered", "filter"])?;
            Rule::AllOf {
                rules: rules(name, o)?,
                max_gaps: max_gaps(o),
                ordered: o.get("ordered").is_some_and(|v| v == true),
                filter: filter(o)?,
            }
        }
        "any_of" => {
            known(name, o, &["intervals", "filter"])?;
            Rule::AnyOf { rules: rules(name, o)?, filter: filter(o)? }
        }
        "prefix" => {
            known(name, o, &["prefix"])?;
            let prefix = text(name, o, "prefix")?.to_lowercase();
            Rule::Expand { kind: "prefix", matcher: Matcher::Pattern(tensile_regexp::Regex::prefix(&prefix)) }
        }
        "wildcard" => {
            known(name, o, &["pattern"])?;
            let pattern = text(name, o, "pattern")?.to_lowercase();
            Rule::Expand { kind: "wildcard", matcher: Matcher::Pattern(tensile_regexp::Regex::wildcard(&pattern)) }
        }
        "regexp" => {
            known(name, o, &["pattern"])?;
            let pattern = tensile_regexp::Regex::parse(&text(name, o, "pattern")?, tensile_regexp::Flags::ALL)
                .map_err(|e| parsing(e.to_string()))?;
            Rule::Expand { kind: "regexp", matcher: Matcher::Pattern(pattern) }
        }
        "fuzzy" => {
            known(name, o, &["term", "prefix_length", "transpositions", "fuzziness"])?;
            let term = text(name, o, "term")?.to_lowercase();
            if let Some(fuzziness) = o.get("fuzziness") {
                edit_distance_for(&crate::settings_text(fuzziness), 0)?;
            }
            Rule::Expand { kind: "fuzzy", matcher: Matcher::fuzzy(term, |k| o.get(k)) }
        }
        "range" => {
            known(name, o, &["gt", "gte", "lt", "lte"])?;
            let bound = |k: &str| o.get(k).map(|v| crate::settings_text(v).to_lowercase());
            Rule::Expand { kind: "range", matcher: Matcher::range(bound) }
        }
        other => return Err(parsing(format!("Unknown interval type [{other}]"))),
    })
}

/// How many terms an expanding rule may stand for, as in Elasticsearch.
const MAX_EXPANSIONS: usize = 128;

/// A rule resolved against the mapping: where its intervals come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Each position of any of these terms.
    Terms(Vec<Term>),
    /// The terms of the field (its `_text` path) a matcher accepts, found per segment.
    Expand {
        kind: &'static str,
        path: Term,
        matcher: Matcher,
    },
    Ordered {
        sources: Vec<Source>,
        max_gaps: Option<u32>,
    },
    Unordered {
        sources: Vec<Source>,
        max_gaps: Option<u32>,
    },
    Or(Vec<Source>),
    Filtered {
        source: Box<Source>,
        kind: FilterKind,
        filter: Box<Source>,
    },
    /// The intervals ending before a position.
    First {
        source: Box<Source>,
        end: u32,
    },
    Nothing,
}

impl Source {
    /// The terms of a match rule's analysed text, in order or not.
    pub(crate) fn of_terms(terms: Vec<Term>, ordered: bool, max_gaps: Option<u32>) -> Source {
        match terms.len() {
            0 => Source::Nothing,
            1 => Source::Terms(terms),
            _ => {
                let sources = terms.into_iter().map(|t| Source::Terms(vec![t])).collect();
                if ordered {
                    Source::Ordered { sources, max_gaps }
                } else {
                    Source::Unordered { sources, max_gaps }
                }
            }
        }
    }

    pub(crate) fn filtered(self, filter: Option<(FilterKind, Source)>) -> Source {
        match filter {
            Some((kind, f)) => Source::Filtered { source: Box::new(self), kind, filter: Box::new(f) },
            None => self,
        }
    }

    /// The source with its expanding rules replaced by the terms they find
    /// in a segment.
    fn bind(&self, reader: &SegmentReader) -> tantivy::Result<Source> {
        let all = |list: &[Source]| list.iter().map(|s| s.bind(reader)).collect::<tantivy::Result<Vec<_>>>();
        Ok(match self {
            Source::Expand { kind, path, matcher } => Source::Terms(expand(reader, path, matcher, kind)?),
            Source::Ordered { sources, max_gaps } => Source::Ordered { sources: all(sources)?, max_gaps: *max_gaps },
            Source::Unordered { sources, max_gaps } => {
                Source::Unordered { sources: all(sources)?, max_gaps: *max_gaps }
            }
            Source::Or(list) => Source::Or(all(list)?),
            Source::Filtered { source, kind, filter } => Source::Filtered {
                source: Box::new(source.bind(reader)?),
                kind: *kind,
                filter: Box::new(filter.bind(reader)?),
            },
            Source::First { source, end } => Source::First { source: Box::new(source.bind(reader)?), end: *end },
            other => other.clone(),
        })
    }

    fn terms<'s>(&'s self, out: &mut Vec<&'s Term>) {
        match self {
            Source::Terms(terms) => out.extend(terms),
            Source::Ordered { sources, .. } | Source::Unordered { sources, .. } | Source::Or(sources) => {
                sources.iter().for_each(|s| s.terms(out))
            }
            Source::Filtered { source, filter, .. } => {
                source.terms(out);
                filter.terms(out);
            }
            Source::First { source, .. } => source.terms(out),
            Source::Expand { .. } | Source::Nothing => {}
        }
    }

    /// The intervals of one document, given each term's positions in it.
    fn intervals(&self, positions: &HashMap<&Term, Vec<u32>>) -> Vec<Interval> {
        match self {
            Source::Terms(terms) => {
                let mut out: Vec<Interval> = terms
                    .iter()
                    .filter_map(|t| positions.get(t))
                    .flatten()
                    .map(|p| Interval { start: *p, end: *p, gaps: 0 })
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            }
            Source::Or(list) => {
                let mut out: Vec<Interval> = list.iter().flat_map(|s| s.intervals(positions)).collect();
                out.sort_unstable();
                out.dedup();
                out
            }
            Source::Ordered { sources, max_gaps } | Source::Unordered { sources, max_gaps } => {
                let lists: Vec<Vec<Interval>> = sources.iter().map(|s| s.intervals(positions)).collect();
                if lists.iter().any(Vec::is_empty) {
                    return Vec::new();
                }
                let ordered = matches!(self, Source::Ordered { .. });
                minimal(combine(&lists, ordered, *max_gaps))
            }
            Source::Filtered { source, kind, filter } => {
                let filters = filter.intervals(positions);
                source.intervals(positions).into_iter().filter(|i| kind.keeps(i, &filters)).collect()
            }
            Source::First { source, end } => source.intervals(positions).into_iter().filter(|i| i.end < *end).collect(),
            Source::Expand { .. } | Source::Nothing => Vec::new(),
        }
    }
}

/// A stretch of positions, with the gaps its parts leave inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Interval {
    start: u32,
    end: u32,
    gaps: u32,
}

impl Interval {
    fn width(&self) -> u32 {
        self.end - self.start + 1
    }

    fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl FilterKind {
    fn keeps(self, i: &Interval, filters: &[Interval]) -> bool {
        let any = |test: &dyn Fn(&Interval) -> bool| filters.iter().any(test);
        match self {
            FilterKind::Containing => any(&|f| i.contains(f)),
            FilterKind::NotContaining => !any(&|f| i.contains(f)),
            FilterKind::ContainedBy => any(&|f| f.contains(i)),
            FilterKind::NotContainedBy => !any(&|f| f.contains(i)),
            FilterKind::Overlapping => any(&|f| i.start <= f.end && f.start <= i.end),
            FilterKind::NotOverlapping => !any(&|f| i.start <= f.end && f.start <= i.end),
            FilterKind::NotNear { pre, post } => {
                !any(&|f| f.start <= i.end.saturating_add(post) && f.end.saturating_add(pre) >= i.start)
            }
            FilterKind::Before => any(&|f| i.end < f.start),
            FilterKind::After => any(&|f| i.start > f.end),
        }
    }
}

/// How many combinations of sub-intervals one document may try.
const MAX_COMBINATIONS: usize = 100_000;

/// The intervals made of one interval of each list: in the lists' order
/// without overlapping (`ordered`), or in any order; within `max_gaps`.
fn combine(lists: &[Vec<Interval>], ordered: bool, max_gaps: Option<u32>) -> Vec<Interval> {
    if ordered && max_gaps.is_none() {
        return ordered_tightest(lists);
    }
    let mut out = Vec::new();
    let mut budget = MAX_COMBINATIONS;
    let mut chosen: Vec<Interval> = Vec::with_capacity(lists.len());
    fn walk(
        lists: &[Vec<Interval>],
        ordered: bool,
        max_gaps: Option<u32>,
        chosen: &mut Vec<Interval>,
        budget: &mut usize,
        out: &mut Vec<Interval>,
    ) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let Some(list) = lists.get(chosen.len()) else {
            let start = chosen.iter().map(|i| i.start).min().unwrap_or(0);
            let end = chosen.iter().map(|i| i.end).max().unwrap_or(0);
            // The positions between the parts, and those inside them.
            let covered: u32 = chosen.iter().map(Interval::width).sum();
            let inner: u32 = chosen.iter().map(|i| i.gaps).sum();
            let gaps = (end - start + 1).saturating_sub(covered) + inner;
            if max_gaps.is_none_or(|m| gaps <= m) {
                out.push(Interval { start, end, gaps });
            }
            return;
        };
        for next in list {
            if ordered {
                if chosen.last().is_some_and(|prev| next.start <= prev.end) {
                    continue;
                }
                // The gaps so far already too many: later choices only add.
                if let (Some(m), Some(first)) = (max_gaps, chosen.first()) {
                    let covered: u32 = chosen.iter().map(Interval::width).sum();
                    let inner: u32 = chosen.iter().map(|i| i.gaps).sum();
                    if (next.start - first.start).saturating_sub(covered) + inner > m {
                        break;
                    }
                }
            } else if chosen.iter().any(|c| c.start <= next.end && next.start <= c.end) {
                continue;
            }
            chosen.push(*next);
            walk(lists, ordered, max_gaps, chosen, budget, out);
            chosen.pop();
        }
    }
    walk(lists, ordered, max_gaps, &mut chosen, &mut budget, &mut out);
    out
}

/// Ordered combinations without a gap limit: from each interval of the
/// first list, the interval of each next list that starts after the one
/// before and ends first (which gives the shortest interval from there).
fn ordered_tightest(lists: &[Vec<Interval>]) -> Vec<Interval> {
    // For each list (sorted by start), the interval ending first from each
    // position on.
    let earliest: Vec<Vec<usize>> = lists
        .iter()
        .map(|list| {
            let mut best = vec![0; list.len()];
            for k in (0..list.len()).rev() {
                best[k] = if k + 1 < list.len() && list[best[k + 1]].end < list[k].end { best[k + 1] } else { k };
            }
            best
        })
        .collect();
    let mut out = Vec::new();
    'first: for first in lists.first().into_iter().flatten() {
        let (mut end, mut covered, mut inner) = (first.end, first.width(), first.gaps);
        for (list, best) in lists.iter().zip(&earliest).skip(1) {
            let from = list.partition_point(|i| i.start <= end);
            let Some(next) = best.get(from).map(|k| &list[*k]) else {
                break 'first;
            };
            end = next.end;
            covered += next.width();
            inner += next.gaps;
        }
        out.push(Interval { start: first.start, end, gaps: (end - first.start + 1).saturating_sub(covered) + inner });
    }
    out
}

/// The minimal intervals: none containing another.
fn minimal(mut all: Vec<Interval>) -> Vec<Interval> {
    all.sort_unstable_by_key(|i| (i.start, i.end, i.gaps));
    all.dedup_by_key(|i| (i.start, i.end));
    // From the last start back, an interval is minimal when every interval
    // starting at or after it ends after it.
    let mut kept = Vec::with_capacity(all.len());
    let mut least_end = u32::MAX;
    for i in all.iter().rev() {
        if i.end < least_end {
            kept.push(*i);
        }
        least_end = least_end.min(i.end);
    }
    kept.reverse();
    kept
}

/// The terms of a text field's path a matcher accepts, in a segment.
fn expand(reader: &SegmentReader, path: &Term, matcher: &Matcher, kind: &str) -> tantivy::Result<Vec<Term>> {
    let prefix = path.serialized_value_bytes();
    let index = reader.inverted_index(path.field())?;
    let mut stream = index.terms().range().ge(prefix).into_stream()?;
    let pattern = match matcher {
        Matcher::Pattern(p) => Some(
            p.compile(false, tensile_regexp::DEFAULT_MAX_STATES)
                .map_err(|e| tantivy::TantivyError::InvalidArgument(format!("[{p}]: {e}")))?,
        ),
        _ => None,
    };
    let mut out = Vec::new();
    while stream.advance() {
        let key = stream.key();
        let Some(word) = key.strip_prefix(prefix) else { break };
        let Ok(word) = std::str::from_utf8(word) else { continue };
        let accepted = match (matcher, &pattern) {
            (Matcher::Pattern(_), Some(dfa)) => dfa.matches(word),
            (Matcher::Fuzzy { term, fuzziness, prefix, transpositions }, _) => {
                let chars: Vec<char> = term.chars().collect();
                let distance = edit_distance_for(fuzziness, chars.len()).unwrap_or(0) as usize;
                let near =
                    super::edits::FuzzyWord { chars, distance, prefix: *prefix, transpositions: *transpositions };
                near.edits_to(word).is_some()
            }
            (Matcher::Range { low, high }, _) => {
                low.as_ref()
                    .is_none_or(|(l, inclusive)| if *inclusive { word >= l.as_str() } else { word > l.as_str() })
                    && high
                        .as_ref()
                        .is_none_or(|(h, inclusive)| if *inclusive { word <= h.as_str() } else { word < h.as_str() })
            }
            _ => false,
        };
        if accepted {
            if out.len() == MAX_EXPANSIONS {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "[{kind}] expanded to too many terms (limit {MAX_EXPANSIONS})"
                )));
            }
            let mut term = path.clone();
            term.append_bytes(word.as_bytes());
            out.push(term);
        }
    }
    Ok(out)
}

/// The compiled `intervals` query: its source's terms carry their fields
/// (one text field's, or for a masked span another's).
#[derive(Debug, Clone)]
pub(crate) struct IntervalsQuery {
    pub source: Source,
    pub boost: Score,
}

impl TQuery for IntervalsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for IntervalsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let source = self.source.bind(reader)?;
        let mut terms = Vec::new();
        source.terms(&mut terms);
        terms.sort_unstable();
        terms.dedup();
        let alive = reader.alive_bitset();
        let mut postings = Vec::new();
        // Each term from its own field: a masked span's are another field's.
        for term in &terms {
            let index = reader.inverted_index(term.field())?;
            if let Some(p) = index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                postings.push((*term, p));
            }
        }
        // One document at a time, the postings in step: the positions of
        // the terms it holds, in buffers used again for the next.
        let mut positions: HashMap<&Term, Vec<u32>> = HashMap::new();
        let mut matched = Vec::new();
        loop {
            let doc = postings.iter().map(|(_, p)| p.doc()).min().unwrap_or(TERMINATED);
            if doc == TERMINATED {
                break;
            }
            positions.values_mut().for_each(Vec::clear);
            for (term, p) in postings.iter_mut().filter(|(_, p)| p.doc() == doc) {
                p.positions(positions.entry(*term).or_default());
                p.advance();
            }
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let intervals = source.intervals(&positions);
            if !intervals.is_empty() {
                let freq: f32 = intervals.iter().map(|i| 1.0 / i.width().max(1) as f32).sum();
                matched.push((doc, self.boost * boost * freq / (freq + 1.0)));
            }
        }
        Ok(Box::new(Listed::new(matched)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(self, reader, doc, "intervals, scored by the saturation of their widths")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: u32, end: u32) -> Interval {
        Interval { start, end, gaps: 0 }
    }

    #[test]
    fn ordered_combinations_keep_the_tightest_within_gaps() {
        // "the big bad wolf": the[0], big[1] or big-bad[1..2], wolf[3].
        let lists = vec![vec![at(0, 0)], vec![at(1, 1), at(1, 2)], vec![at(3, 3)]];
        assert_eq!(combine(&lists, true, Some(0)), [Interval { start: 0, end: 3, gaps: 0 }]);
        // Without a gap limit, the span alone counts.
        let loose = minimal(combine(&lists, true, None));
        assert_eq!(loose.iter().map(|i| (i.start, i.end)).collect::<Vec<_>>(), [(0, 3)]);
        // Many positions stay cheap: each start takes the tightest follower.
        let many: Vec<Vec<Interval>> = (0..2).map(|k| (0..2000).map(|p| at(2 * p + k, 2 * p + k)).collect()).collect();
        assert_eq!(minimal(combine(&many, true, None)).len(), 2000);
        let nested = vec![at(0, 5), at(1, 3), at(1, 4), at(2, 3), at(6, 7)];
        assert_eq!(minimal(nested), [at(2, 3), at(6, 7)]);
        // Unordered: either order, no overlap.
        let lists = vec![vec![at(4, 4)], vec![at(1, 1)]];
        assert_eq!(combine(&lists, false, Some(2)), [Interval { start: 1, end: 4, gaps: 2 }]);
        assert!(combine(&lists, false, Some(1)).is_empty());
        assert!(combine(&lists, true, None).is_empty());
    }

    #[test]
    fn filters_relate_intervals() {
        let i = at(2, 5);
        assert!(FilterKind::Containing.keeps(&i, &[at(3, 3)]));
        assert!(FilterKind::NotContaining.keeps(&i, &[at(6, 6)]));
        assert!(FilterKind::ContainedBy.keeps(&i, &[at(0, 9)]));
        assert!(FilterKind::Overlapping.keeps(&i, &[at(5, 7)]));
        assert!(FilterKind::Before.keeps(&i, &[at(6, 6)]));
        assert!(FilterKind::After.keeps(&i, &[at(0, 1)]));
        assert!(!FilterKind::After.keeps(&i, &[at(6, 6)]));
        // Within two positions after: excluded; three: kept.
        let near = FilterKind::NotNear { pre: 0, post: 2 };
        assert!(!near.keeps(&at(2, 3), &[at(5, 5)]) && near.keeps(&at(2, 3), &[at(6, 6)]));
        assert!(FilterKind::NotNear { pre: 1, post: 0 }.keeps(&at(4, 5), &[at(2, 2)]));
        assert!(!FilterKind::NotNear { pre: 2, post: 0 }.keeps(&at(4, 5), &[at(2, 2)]));
    }
}
