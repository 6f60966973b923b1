//! Search: a request's query run over the shards of the indices it names,
//! the top hits merged across them, and their documents fetched.
//!
//! - [`dsl`]: the query DSL read into a typed tree;
//! - [`compile`]: that tree turned into a tantivy query over a mapping
//!   (with the queries tantivy has not: [`range_field`], nested, intervals...);
//! - [`sort`] and the collector that keeps a page of hits by it;
//! - [`fields`]: what a hit shows of its fields (from the source or its columns);
//! - `dfs`: the statistics of every shard searched, for `dfs_query_then_fetch`.

mod bm25;
mod can_match;
mod collect;
pub mod compile;
mod contexts;
pub mod decimal_format;
mod dfs;
pub mod dsl;
mod edits;
pub mod field_caps;
pub mod fields;
mod filtered;
pub mod function_score;
mod fuzzy_prefix;
mod fuzzy_scored;
mod geo_query;
pub mod highlight;
pub mod intervals;
mod listed;
pub mod more_like_this;
pub mod multi_term;
pub mod nested;
mod phrase_suggest;
pub mod pit;
mod point_range;
mod profile;
pub mod query_string;
mod range_field;
pub mod rank_feature;
pub mod rescore;
mod roaring;
pub mod scroll;
mod segment_cache;
pub mod simple_query_string;
pub mod slice;
pub mod sort;
mod spans;
mod spelling;
mod string_distance;
pub mod suggest;
mod term_pattern;
pub mod terms;
pub mod terms_enum;
mod terms_set;
mod top_score;

use crate::error::EngineError;
use crate::stats::Counter;
use crate::Engine;
use collect::{Found, Order, SegmentValues, ShardTop};
use std::collections::hash_map::Entry;
use std::sync::Arc;
use tantivy::collector::{Count, TopDocs};
use tantivy::DocAddress;

/// How many hits the total counts exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackTotal {
    /// Count every hit.
    All,
    /// Count up to this many, then report `gte`.
    UpTo(u64),
    /// No total in the answer.
    Off,
}

/// What a search asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: dsl::Query,
    pub from: usize,
    pub size: usize,
    pub track_total_hits: TrackTotal,
    pub min_score: Option<f32>,
    /// Sort keys; empty sorts by score.
    pub sort: Vec<sort::SortKey>,
    /// Indices reached only through filtered aliases, with the filter their
    /// documents must also pass.
    pub alias_filters: std::collections::HashMap<String, dsl::Query>,
    /// `post_filter`: what hits must also pass, without changing their scores.
    pub post_filter: Option<dsl::Query>,
    /// `search_after`: the sort values hits must come after.
    pub search_after: Option<Vec<serde_json::Value>>,
    /// `track_scores`: scores even when sorted by fields.
    pub track_scores: bool,
    /// `highlight`: which fields of each hit to highlight, and how.
    pub highlight: Option<highlight::Highlight>,
    /// `collapse`: the field whose values group hits, one hit per value.
    pub collapse: Option<String>,
    /// `indices_boost`: a factor on the scores of each named index's hits.
    pub index_boosts: std::collections::HashMap<String, f32>,
    /// `rescore`: rescorers of the top hits, applied in turn.
    pub rescore: Vec<rescore::Rescore>,
    /// `terminate_after`: each shard stops after collecting this many matches.
    pub terminate_after: Option<u64>,
    /// `explain`: each hit with the explanation of its score.
    pub explain: bool,
    /// `routing`: only the shards these routing values lead to are searched.
    pub routing: Option<Vec<String>>,
    /// `profile`: the answer tells what each shard spent.
    pub profile: bool,
    /// `stats`: the groups whose search counters this search adds to.
    pub stats_groups: Vec<String>,
    /// `slice`: only this slice of the matches.
    pub slice: Option<slice::Slice>,
    /// `force_synthetic_source`: hits show the synthetic source whatever
    /// their index keeps.
    pub force_synthetic_source: bool,
    /// `docvalue_fields`: read from each hit's columns ([`Hit::doc_values`]).
    pub docvalue_fields: Vec<fields::FieldRequest>,
    /// `fields`: read from each hit's columns when its index keeps a
    /// synthetic source ([`Hit::column_fields`]).
    pub fields: Vec<fields::FieldRequest>,
    /// `search_type=dfs_query_then_fetch`: scored with every searched
    /// shard's statistics.
    pub dfs: bool,
    /// `pre_filter_shard_size`: past this many shards, those the query
    /// cannot match are skipped ([`can_match`]).
    pub pre_filter_shard_size: Option<usize>,
}

impl Default for SearchRequest {
    fn default() -> SearchRequest {
        SearchRequest {
            query: dsl::Query::MatchAll { boost: 1.0 },
            from: 0,
            size: 10,
            track_total_hits: TrackTotal::UpTo(10_000),
            min_score: None,
            sort: Vec::new(),
            alias_filters: Default::default(),
            post_filter: None,
            search_after: None,
            track_scores: false,
            highlight: None,
            collapse: None,
            index_boosts: Default::default(),
            rescore: Vec::new(),
            terminate_after: None,
            explain: false,
            routing: None,
            profile: false,
            stats_groups: Vec::new(),
            slice: None,
            force_synthetic_source: false,
            docvalue_fields: Vec::new(),
            fields: Vec::new(),
            dfs: false,
            pre_filter_shard_size: None,
        }
    }
}

impl SearchRequest {
    /// Whether hits are ordered by anything but their score.
    pub fn sorts_by_fields(&self) -> bool {
        !(self.sort.is_empty() || self.sort.len() == 1 && self.sort[0].by == sort::SortBy::Score && self.sort[0].desc)
    }

    /// Whether the answer shows scores: always unless sorted by fields without `_score`.
    pub fn scores(&self) -> bool {
        !self.sorts_by_fields() || self.track_scores || self.sort.iter().any(|k| k.by == sort::SortBy::Score)
    }
}

/// One hit, with what the answer may show of it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub index: String,
    pub score: f32,
    pub doc: crate::StoredDoc,
    /// The hit's sort values, when sorted by fields.
    pub sort: Vec<sort::SortValue>,
    /// The highlighted fragments of its fields, when asked for.
    pub highlight: serde_json::Map<String, serde_json::Value>,
    /// Its value of the field the search collapses on.
    pub group: Option<sort::SortValue>,
    /// The named queries (`_name`) it matches, with their scores.
    pub matched_queries: Vec<(String, f32)>,
    /// With `explain`: how its score was reached, and the shard it is in.
    pub explanation: Option<serde_json::Value>,
    pub shard: usize,
    /// For a nested document: where it sits in its root document, each
    /// nested field (relative to the one before) with its offset.
    pub nested: Vec<(String, usize)>,
    /// The `inner_hits` of the `nested` queries it matched.
    pub inner_hits: Vec<InnerHitsResult>,
    /// The request's `docvalue_fields`, read from the hit's columns
    /// (`None`: not asked, or to read from the source).
    pub doc_values: Option<serde_json::Map<String, serde_json::Value>>,
    /// The request's `fields`, read from the hit's columns when its index
    /// keeps a synthetic source (`None`: from the source).
    pub column_fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One `inner_hits` section of a hit: the best nested documents it holds
/// that matched a `nested` query.
#[derive(Debug, Clone)]
pub struct InnerHitsResult {
    pub name: String,
    /// The `inner_hits` options, for the rendering of its hits.
    pub options: serde_json::Map<String, serde_json::Value>,
    pub total: u64,
    pub max_score: Option<f32>,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    /// Every matching document (capped as `track_total_hits` says).
    pub total: u64,
    /// Whether `total` is exact.
    pub total_exact: bool,
    pub max_score: Option<f32>,
    pub hits: Vec<Hit>,
    /// The shards the search reached, skipped ones included.
    pub shards: u32,
    /// The shards skipped because the query could not match in them.
    pub skipped_shards: u32,
    /// With `terminate_after`: whether some shard stopped early.
    pub terminated_early: Option<bool>,
    /// With `profile`: the `profile` section.
    pub profile: Option<serde_json::Value>,
}

/// A failed shard search as the engine reports it: what tantivy refuses
/// as an argument (a query grown past its clause limit while weighed) is
/// the request's fault; anything else, the index's.
fn search_failed(index: &str, e: tantivy::TantivyError) -> EngineError {
    match e {
        tantivy::TantivyError::InvalidArgument(reason) => EngineError::IllegalArgument(reason),
        e => EngineError::Corrupt { path: index.into(), reason: format!("search failed: {e}") },
    }
}

/// Refuses collapsing on a field that cannot group hits: one without doc
/// values, or neither a keyword nor a number.
fn check_collapse(mapper: &crate::mapper::Mapper, field: &str) -> Result<(), EngineError> {
    use crate::mapper::FieldKind;
    let Some(f) = mapper.fields.get(field) else {
        return Err(EngineError::IllegalArgument(format!("no mapping found for `{field}` in order to collapse on")));
    };
    let groups = f.kind.is_numeric() || matches!(f.kind, FieldKind::Keyword | FieldKind::Date | FieldKind::DateNanos);
    if !groups {
        return Err(EngineError::IllegalArgument(format!(
            "unknown type for collapse field `{field}`, only keywords and numbers are accepted"
        )));
    }
    if !f.doc_values {
        return Err(EngineError::IllegalArgument(format!("cannot collapse on field `{field}` without `doc_values`")));
    }
    Ok(())
}

/// An index's sort (`index.sort.field`, `index.sort.order`): the order its
/// documents keep, and so the order of hits that tie.
fn index_sort(meta: Option<&crate::IndexMetadata>) -> Vec<sort::SortKey> {
    let list = |key: &str| -> Vec<String> {
        match meta.and_then(|m| m.settings.get(key)) {
            Some(serde_json::Value::Array(items)) => items.iter().map(crate::settings_text).collect(),
            Some(v) => crate::settings_text(v).split(',').map(|s| s.trim().to_owned()).collect(),
            None => Vec::new(),
        }
    };
    let orders = list("index.sort.order");
    list("index.sort.field")
        .iter()
        .enumerate()
        .map(|(i, f)| sort::SortKey::field(f, orders.get(i).is_some_and(|o| o == "desc")))
        .collect()
}

/// A shard as a search saw it: the searcher its hits' addresses belong to.
#[derive(Clone)]
pub(crate) struct Searched {
    shards: std::sync::Arc<crate::shards::IndexShards>,
    shard: usize,
    searcher: tantivy::Searcher,
}

/// The counters of each shard some searchers read (a scroll's, a point in
/// time's), for the contexts open over them.
fn shard_counters(searchers: &[Vec<Searched>]) -> impl Iterator<Item = &crate::stats::Counters> {
    searchers.iter().flatten().filter_map(|s| s.shards.shards.get(s.shard)).map(|s| s.counters())
}

/// The matches of a search, ordered, with the searchers they came from.
pub(crate) struct Collected {
    /// Whether `terminate_after` stopped some shard.
    terminated_early: bool,
    /// With `profile`: each shard's query phase.
    timings: Vec<profile::QueryTiming>,
    found: Vec<Found>,
    searchers: Vec<Vec<Searched>>,
    total: u64,
    shards: u32,
    skipped: u32,
}

impl Collected {
    fn max_score(&self, req: &SearchRequest) -> Option<f32> {
        if req.scores() {
            self.found.iter().map(|f| f.score).reduce(f32::max)
        } else {
            None
        }
    }
}

/// How hits are shown beyond their documents: the sort values' formats,
/// and the highlighting (with the query it highlights).
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    keys: Vec<sort::SortKey>,
    highlight: Option<(highlight::Highlight, dsl::Query)>,
    /// The request's named queries (`_name`), for each hit's `matched_queries`.
    named: Vec<(String, dsl::Query)>,
    /// `explain`: each hit's explanation of its score by this query.
    explain: Option<dsl::Query>,
    /// `stats` groups, whose fetch counters the fetch adds to.
    stats_groups: Vec<String>,
    /// The `nested` queries whose matching nested documents hits show.
    inner_hits: Vec<dsl::Nested>,
    /// `force_synthetic_source`.
    force_synthetic: bool,
    docvalue_fields: Vec<fields::FieldRequest>,
    fields: Vec<fields::FieldRequest>,
}

impl Shown {
    fn of(req: &SearchRequest) -> Shown {
        let mut named = Vec::new();
        dsl::named(&req.query, &mut named);
        if let Some(f) = &req.post_filter {
            dsl::named(f, &mut named);
        }
        Shown {
            force_synthetic: req.force_synthetic_source,
            keys: req.sort.clone(),
            highlight: req.highlight.clone().map(|h| (h, req.query.clone())),
            named,
            explain: req.explain.then(|| req.query.clone()),
            stats_groups: req.stats_groups.clone(),
            inner_hits: dsl::with_inner_hits(&req.query).into_iter().cloned().collect(),
            docvalue_fields: req.docvalue_fields.clone(),
            fields: req.fields.clone(),
        }
    }
}

/// How a query scores a document it matches: tantivy's explanation, with
/// the score a search gives it.
fn explanation(
    query: &dyn tantivy::query::Query,
    searcher: &tantivy::Searcher,
    address: DocAddress,
    score: f32,
) -> serde_json::Value {
    // tantivy's explanation can trip an assertion on some boolean
    // queries: a caught panic leaves the score without its details.
    let explained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| query.explain(searcher, address)));
    let mut json = match explained {
        Ok(Ok(explanation)) => serde_json::to_value(&explanation).unwrap_or_default(),
        _ => serde_json::json!({"description": "the score of the query", "details": []}),
    };
    shorten_values(&mut json);
    json["value"] = float_json(score);
    json
}

/// A `f32` as Elasticsearch writes its floats (scores, explanation
/// values): the shortest decimal that reads back as the same `f32`
/// (`0.2876821`, not its `f64` expansion `0.28768211603164673`).
pub fn float_json(value: f32) -> serde_json::Value {
    use std::io::Write;
    // Written on the stack: scores go out with every hit.
    let mut buffer = [0u8; 64];
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    let written = write!(cursor, "{value}").map(|()| cursor.position() as usize);
    let shortest = match written {
        Ok(len) => std::str::from_utf8(&buffer[..len]).ok().and_then(|s| s.parse::<f64>().ok()),
        Err(_) => format!("{value}").parse::<f64>().ok(),
    };
    shortest.and_then(serde_json::Number::from_f64).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// An explanation's values (tantivy's `f32`s) written as [`float_json`] writes them.
fn shorten_values(json: &mut serde_json::Value) {
    if let Some(value) = json.get("value").and_then(serde_json::Value::as_f64) {
        json["value"] = float_json(value as f32);
    }
    if let Some(details) = json.get_mut("details").and_then(serde_json::Value::as_array_mut) {
        details.iter_mut().for_each(shorten_values);
    }
}

/// How long creating a query's weight takes on a searcher (for `profile`).
fn weight_time(query: &dyn tantivy::query::Query, searcher: &tantivy::Searcher, scored: bool) -> u64 {
    let started = std::time::Instant::now();
    let scoring = if scored {
        tantivy::query::EnableScoring::enabled_from_searcher(searcher)
    } else {
        tantivy::query::EnableScoring::disabled_from_searcher(searcher)
    };
    let _ = query.weight(scoring);
    started.elapsed().as_nanos() as u64
}

/// A compiled query's score for one document of a searcher, if it matches it.
fn score_of(
    query: &dyn tantivy::query::Query,
    searcher: &tantivy::Searcher,
    address: DocAddress,
) -> tantivy::Result<Option<f32>> {
    use tantivy::DocSet;
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(searcher))?;
    let mut scorer = weight.scorer(searcher.segment_reader(address.segment_ord), 1.0)?;
    let matched = scorer.doc() <= address.doc_id && scorer.seek(address.doc_id) == address.doc_id;
    Ok(matched.then(|| scorer.score()))
}

/// An index's highlighting limits.
fn highlight_limits(engine: &Engine, index: &str) -> highlight::Limits {
    highlight::Limits {
        max_analyzed_offset: engine.index_setting(index, "index.highlight.max_analyzed_offset").unwrap_or(1_000_000),
        max_fragments: engine.index_setting(index, "index.highlight.max_number_of_fragments").unwrap_or(10_000),
    }
}

/// The documents of hits, read with the searchers that found them.
fn fetch<'a>(
    engine: &Engine,
    indices: &[String],
    searchers: &[Vec<Searched>],
    shown: &Shown,
    found: impl IntoIterator<Item = &'a Found>,
    mut timings: Option<&mut std::collections::BTreeMap<(String, usize), profile::FetchTiming>>,
) -> Result<Vec<Hit>, EngineError> {
    let keys = &shown.keys;
    let formatted = keys.iter().any(|k| k.format.is_some());
    // Each index's named queries (and the explained query), compiled once.
    let mut named: std::collections::HashMap<usize, Vec<(String, compile::Compiled)>> = Default::default();
    let mut explained: std::collections::HashMap<usize, compile::Compiled> = Default::default();
    // Each index's plans for `docvalue_fields` and for `fields` read from columns.
    type Plans = (Option<fields::FieldPlan>, Option<fields::FieldPlan>);
    let mut plans: std::collections::HashMap<usize, Plans> = Default::default();
    let mut hits = Vec::new();
    let started = std::time::Instant::now();
    let mut fetched: Vec<(usize, usize)> = Vec::new();
    for f in found {
        let at = &searchers[f.index][f.shard];
        if !fetched.contains(&(f.index, f.shard)) {
            fetched.push((f.index, f.shard));
        }
        let load_started = std::time::Instant::now();
        let mapper = at.shards.mapper();
        let mut stored = at.shards.shards[at.shard].stored_in(&at.searcher, f.address)?;
        if let Some(doc) = stored.as_mut() {
            mapper.read_doc(doc, shown.force_synthetic);
        }
        if let Some(t) = timings.as_deref_mut() {
            let timing = t.entry((indices[f.index].clone(), at.shard)).or_default();
            timing.nanos += load_started.elapsed().as_nanos() as u64;
            timing.docs += 1;
            timing.segments = timing.segments.max(u64::from(f.address.segment_ord) + 1);
        }
        if let Some(doc) = stored {
            let synthetic = mapper.source.mode == crate::source_mode::SourceMode::Synthetic;
            let from_columns = !shown.docvalue_fields.is_empty() || (synthetic && !shown.fields.is_empty());
            // The source as JSON, parsed once for highlighting and the fields
            // the columns do not give.
            let source: serde_json::Value = if shown.highlight.is_some() || from_columns {
                doc.source.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
            } else {
                serde_json::Value::Null
            };
            let sort = if formatted || f.sort.contains(&sort::SortValue::Missing) {
                keys.iter().zip(&f.sort).map(|(key, v)| sort::shown(&mapper, key, v.clone())).collect()
            } else {
                f.sort.to_vec()
            };
            let mut marked = serde_json::Map::new();
            if let Some((spec, query)) = &shown.highlight {
                let index = &indices[f.index];
                let limits = highlight_limits(engine, index);
                // Stored fields the source leaves out are highlighted too.
                let view = match doc.kept() {
                    Some(kept) => crate::shard::with_kept(Some(source.clone()), Some(kept)).unwrap_or_default(),
                    None => source.clone(),
                };
                marked = highlight::highlight(spec, query, &mapper, &view, &limits, (index, f.address.doc_id))?;
            }
            let group = f.group.clone();
            let mut matched_queries = Vec::new();
            if !shown.named.is_empty() {
                let compiled = match named.entry(f.index) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(
                        shown
                            .named
                            .iter()
                            .map(|(name, q)| Ok((name.clone(), engine.compile_for(&indices[f.index], &mapper, q)?)))
                            .collect::<Result<Vec<_>, EngineError>>()?,
                    ),
                };
                for (name, q) in compiled.iter() {
                    let failed =
                        |e| EngineError::Corrupt { path: indices[f.index].clone().into(), reason: format!("{e}") };
                    if matched_queries.iter().any(|(n, _)| n == name) {
                        continue;
                    }
                    if let Some(score) = score_of(q.as_ref(), &at.searcher, f.address).map_err(failed)? {
                        matched_queries.push((name.clone(), score));
                    }
                }
            }
            let mut explanation_json = None;
            if let Some(query) = &shown.explain {
                let compiled = match explained.entry(f.index) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(engine.compile_for(&indices[f.index], &mapper, query)?),
                };
                explanation_json = Some(explanation(compiled.as_ref(), &at.searcher, f.address, f.score));
            }
            let segment = at.searcher.segment_reader(f.address.segment_ord);
            let (docvalue_plan, fields_plan) = match plans.entry(f.index) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let plan = |requests: &[fields::FieldRequest], how| fields::FieldPlan::new(&mapper, requests, how);
                    let docvalue_plan = (!shown.docvalue_fields.is_empty())
                        .then(|| plan(&shown.docvalue_fields, fields::Fetch::DocValues))
                        .transpose()?;
                    let fields_plan = (synthetic && !shown.fields.is_empty())
                        .then(|| plan(&shown.fields, fields::Fetch::Fields))
                        .transpose()?;
                    e.insert((docvalue_plan, fields_plan))
                }
            };
            let columns = Some((segment, f.address.doc_id));
            let doc_values = docvalue_plan.as_ref().map(|p| p.fetch(&mapper, &source, columns)).transpose()?;
            let column_fields = fields_plan.as_ref().map(|p| p.fetch(&mapper, &source, columns)).transpose()?;
            hits.push(Hit {
                index: indices[f.index].clone(),
                score: f.score,
                doc,
                sort,
                highlight: marked,
                group,
                matched_queries,
                explanation: explanation_json,
                shard: at.shard,
                nested: Vec::new(),
                inner_hits: Vec::new(),
                doc_values,
                column_fields,
            });
            if !shown.inner_hits.is_empty() {
                let inner_started = std::time::Instant::now();
                let hit = hits.last_mut().expect("pushed above");
                let root = nested::Root::of(&hit.doc);
                for n in &shown.inner_hits {
                    let found = nested::inner_hits(engine, &indices[f.index], at, f.address, &root, n)?;
                    hit.inner_hits.push(found);
                }
                if let Some(t) = timings.as_deref_mut() {
                    let timing = t.entry((indices[f.index].clone(), at.shard)).or_default();
                    timing.inner_hits_nanos += inner_started.elapsed().as_nanos() as u64;
                    timing.inner_hits_docs += 1;
                }
            }
        }
    }
    // Each shard that gave hits ran a fetch phase.
    for (index, shard) in fetched {
        let at = &searchers[index][shard];
        let shard = &at.shards.shards[at.shard];
        let counters = shard.counters();
        counters.timed(Counter::FetchTotal, Counter::FetchTimeNanos, started);
        counters.grouped(&shown.stats_groups, true, started);
        // The fetch read each hit's stored `_id` and `_source`.
        use crate::field_usage::Use;
        shard.field_usage().record(&[("_id".into(), Use::StoredFields), ("_source".into(), Use::StoredFields)]);
    }
    Ok(hits)
}

/// Elasticsearch's default `index.max_result_window`.
pub const MAX_RESULT_WINDOW: usize = 10_000;

impl Engine {
    /// Runs a search over the named (resolved, open) indices.
    pub fn search(&self, indices: &[String], req: &SearchRequest) -> Result<SearchResult, EngineError> {
        self.search_over(indices, req, None)
    }

    /// A search over fresh searchers, or over `pinned` ones (a point in time).
    fn search_over(
        &self,
        indices: &[String],
        req: &SearchRequest,
        pinned: Option<&[Vec<Searched>]>,
    ) -> Result<SearchResult, EngineError> {
        let req = &*self.with_lookups_read(req, indices)?;
        self.check_window(indices, req, false)?;
        self.check_highlight(indices, req)?;
        self.check_rescore(indices, &req.rescore)?;
        let mut collected = self.collect(indices, req, false, pinned)?;
        if !req.rescore.is_empty() {
            self.rescore(indices, &mut collected, &req.rescore)?;
        }
        let max_score = collected.max_score(req);
        let page: Vec<&Found> = collected.found.iter().skip(req.from).take(req.size).collect();
        let mut fetch_timings = std::collections::BTreeMap::new();
        let timings = req.profile.then_some(&mut fetch_timings);
        let hits = fetch(self, indices, &collected.searchers, &Shown::of(req), page, timings)?;
        let (total, total_exact) = match req.track_total_hits {
            TrackTotal::UpTo(n) if collected.total > n => (n, false),
            _ => (collected.total, true),
        };
        let terminated_early = req.terminate_after.map(|_| collected.terminated_early);
        let profile = req.profile.then(|| profile::render(&self.node().node_id, &collected.timings, &fetch_timings));
        Ok(SearchResult {
            total,
            total_exact,
            max_score,
            hits,
            shards: collected.shards,
            skipped_shards: collected.skipped,
            terminated_early,
            profile,
        })
    }

    /// A request with its terms lookups read (itself when it has none).
    pub(crate) fn with_lookups_read<'r>(
        &self,
        req: &'r SearchRequest,
        indices: &[String],
    ) -> Result<std::borrow::Cow<'r, SearchRequest>, EngineError> {
        // Documents named without an index are the searched index's.
        let default = indices.first().map(String::as_str);
        let rescored = req.rescore.iter().any(|r| dsl::has_lookup(&r.query));
        let sorted = req.sort.iter().filter_map(|key| key.nested.as_ref()?.filter.as_ref()).any(dsl::has_lookup);
        if !dsl::has_lookup(&req.query)
            && !req.post_filter.as_ref().is_some_and(dsl::has_lookup)
            && !rescored
            && !sorted
        {
            return Ok(std::borrow::Cow::Borrowed(req));
        }
        let mut owned = req.clone();
        owned.query = self.with_lookups(&req.query, default)?;
        owned.post_filter = req.post_filter.as_ref().map(|f| self.with_lookups(f, default)).transpose()?;
        for r in &mut owned.rescore {
            r.query = self.with_lookups(&r.query, default)?;
        }
        for nested in owned.sort.iter_mut().filter_map(|key| key.nested.as_mut()) {
            nested.filter = nested.filter.as_ref().map(|f| self.with_lookups(f, default)).transpose()?;
        }
        Ok(std::borrow::Cow::Owned(owned))
    }

    /// A query with its lookups read: each `TermsLookup` replaced by the
    /// values at its path in the document it names (none when it is
    /// missing), each document a `more_like_this` likes by id by its source
    /// (`default` is the index of documents named without one).
    pub(crate) fn with_lookups(&self, q: &dsl::Query, default: Option<&str>) -> Result<dsl::Query, EngineError> {
        use dsl::Query;
        let all = |list: &[Query]| list.iter().map(|c| self.with_lookups(c, default)).collect::<Result<Vec<_>, _>>();
        Ok(match q {
            Query::TermsLookup { field, index, id, path, routing, boost } => {
                let target = self.resolve(std::slice::from_ref(index), crate::IndicesOptions::STRICT_EXPAND_OPEN)?;
                let doc = match target.first() {
                    Some(index) => self.get_doc(index, id, routing.as_deref(), true)?,
                    None => None,
                };
                let source: serde_json::Value = doc
                    .and_then(|d| d.source.as_deref().and_then(|s| serde_json::from_str(s).ok()))
                    .unwrap_or_default();
                Query::Terms {
                    field: field.clone(),
                    values: crate::source_filter::values_at(&source, path),
                    boost: *boost,
                    bitmap: false,
                }
            }
            Query::Bool { must, should, must_not, filter, minimum_should_match, boost } => Query::Bool {
                must: all(must)?,
                should: all(should)?,
                must_not: all(must_not)?,
                filter: all(filter)?,
                minimum_should_match: minimum_should_match.clone(),
                boost: *boost,
            },
            Query::ConstantScore { filter, boost } => {
                Query::ConstantScore { filter: Box::new(self.with_lookups(filter, default)?), boost: *boost }
            }
            Query::DisMax { queries, tie_breaker, boost } => {
                Query::DisMax { queries: all(queries)?, tie_breaker: *tie_breaker, boost: *boost }
            }
            Query::Named { name, query } => {
                Query::Named { name: name.clone(), query: Box::new(self.with_lookups(query, default)?) }
            }
            Query::MoreLikeThis(m) => {
                let mut m = m.clone();
                for like in m.like.iter_mut().chain(m.unlike.iter_mut()) {
                    let more_like_this::Like::Document { index, id, routing } = like else { continue };
                    let Some(name) = index.as_deref().or(default) else { continue };
                    let target = self.resolve(&[name.to_owned()], crate::IndicesOptions::STRICT_EXPAND_OPEN)?;
                    let doc = match target.first() {
                        Some(index) => self.get_doc(index, id, routing.as_deref(), true)?,
                        None => None,
                    };
                    let source = doc.and_then(|d| d.source.as_deref().and_then(|s| serde_json::from_str(s).ok()));
                    *like = more_like_this::Like::Source { source: source.unwrap_or_default(), id: Some(id.clone()) };
                }
                Query::MoreLikeThis(m)
            }
            Query::Nested(n) => {
                let mut n = n.clone();
                n.query = self.with_lookups(&n.query, default)?;
                Query::Nested(n)
            }
            Query::FunctionScore(fs) => {
                let mut fs = fs.clone();
                fs.query = Box::new(self.with_lookups(&fs.query, default)?);
                for f in &mut fs.functions {
                    f.filter = f.filter.as_ref().map(|q| self.with_lookups(q, default)).transpose()?;
                }
                Query::FunctionScore(fs)
            }
            other => other.clone(),
        })
    }

    /// The settings of an index that bound its queries.
    fn query_limits(&self, index: &str) -> compile::QueryLimits {
        compile::QueryLimits {
            max_regex_length: self.index_setting(index, "index.max_regex_length").unwrap_or(1000),
            max_terms_count: self.index_setting(index, "index.max_terms_count").unwrap_or(65_536),
            max_result_window: self.index_setting(index, "index.max_result_window").unwrap_or(MAX_RESULT_WINDOW),
            allow_expensive: self.cluster_bool_setting("search.allow_expensive_queries"),
        }
    }

    /// A query compiled for one index: its mapping, its limits, its name.
    pub(crate) fn compile_for(
        &self,
        index: &str,
        mapper: &crate::mapper::Mapper,
        query: &dsl::Query,
    ) -> Result<compile::Compiled, EngineError> {
        self.compiler(index, mapper, &crate::indexed::fields()).compile_top(query)
    }

    /// Each sort key's `nested` filters, one per level (`nested.nested`...),
    /// compiled on an index's documents of that level's nested field.
    fn nested_sort_filters(
        &self,
        index: &str,
        mapper: &crate::mapper::Mapper,
        keys: &[sort::SortKey],
    ) -> Result<Vec<sort::NestedFilters>, EngineError> {
        let fields = crate::indexed::fields();
        let compiler = self.compiler(index, mapper, &fields);
        let level_filter = |level: &sort::NestedSort| -> Result<Option<Arc<dyn tantivy::query::Query>>, EngineError> {
            let Some(filter) = &level.filter else { return Ok(None) };
            let scoped = compile::Compiler { scope: Some(&level.path), ..compiler };
            Ok(Some(Arc::from(scoped.compile(filter)?)))
        };
        keys.iter()
            .map(|key| match &key.nested {
                Some(nested) => nested.levels().into_iter().map(level_filter).collect(),
                None => Ok(Vec::new()),
            })
            .collect()
    }

    /// The compiler of queries on an index's root documents.
    pub(crate) fn compiler<'a>(
        &self,
        index: &'a str,
        mapper: &'a crate::mapper::Mapper,
        fields: &'a crate::indexed::Fields,
    ) -> compile::Compiler<'a> {
        compile::Compiler { mapper, fields, limits: self.query_limits(index), index, scope: None }
    }

    /// Whether a query compiles against an index's mapping; if so, how it
    /// reads (Lucene's query syntax, roughly).
    pub fn validate_query(&self, index: &str, query: &dsl::Query) -> Result<String, EngineError> {
        self.compile_for(index, &*self.mapper(index)?, query)?;
        Ok(query.to_string())
    }

    /// An index's setting, read as a `T`.
    pub fn index_setting<T: std::str::FromStr>(&self, index: &str, key: &str) -> Option<T> {
        self.metadata().indices.get(index).and_then(|m| m.setting(key)).and_then(|v| v.parse().ok())
    }

    /// Refuses highlighting no index of the search allows.
    pub(crate) fn check_highlight(&self, indices: &[String], req: &SearchRequest) -> Result<(), EngineError> {
        if let Some(h) = &req.highlight {
            for index in indices {
                h.check(&highlight_limits(self, index))?;
            }
        }
        Ok(())
    }

    /// Refuses pages beyond `index.max_result_window` (a scroll's batches
    /// included). A query that cannot run says so first, as in
    /// Elasticsearch, where the query is made before the window is checked.
    pub(crate) fn check_window(
        &self,
        indices: &[String],
        req: &SearchRequest,
        scroll: bool,
    ) -> Result<(), EngineError> {
        let checked = self.window_fits(indices, req, scroll);
        if checked.is_err() {
            for name in indices {
                self.compile_for(name, &*self.mapper(name)?, &req.query)?;
            }
        }
        checked
    }

    fn window_fits(&self, indices: &[String], req: &SearchRequest, scroll: bool) -> Result<(), EngineError> {
        for name in indices {
            let window = self.index_setting(name, "index.max_result_window").unwrap_or(MAX_RESULT_WINDOW);
            if scroll && req.size > window {
                return Err(EngineError::IllegalArgument(format!(
                    "Batch size is too large, size must be less than or equal to: [{window}] but was [{}]. Scroll batch sizes cost as much memory as result windows so they are controlled by the [index.max_result_window] index level setting.",
                    req.size
                )));
            }
            if !scroll && req.from + req.size > window {
                return Err(EngineError::IllegalArgument(format!(
                    "Result window is too large, from + size must be less than or equal to: [{window}] but was [{}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.",
                    req.from + req.size
                )));
            }
        }
        Ok(())
    }

    /// The searcher of every shard of the indices (a point in time's own,
    /// when pinned): what a search reads.
    fn shard_searchers(
        &self,
        indices: &[String],
        pinned: Option<&[Vec<Searched>]>,
    ) -> Result<Vec<Vec<tantivy::Searcher>>, EngineError> {
        let mut out = Vec::with_capacity(indices.len());
        for (i, name) in indices.iter().enumerate() {
            out.push(match pinned {
                Some(p) => p[i].iter().map(|at| at.searcher.clone()).collect(),
                None => self.index_shards(name)?.shards.iter().map(|s| s.searcher()).collect(),
            });
        }
        Ok(out)
    }

    /// Every shard's matches (the top ones, or `all`), ordered.
    fn collect(
        &self,
        indices: &[String],
        req: &SearchRequest,
        all: bool,
        pinned: Option<&[Vec<Searched>]>,
    ) -> Result<Collected, EngineError> {
        let fields = crate::indexed::fields();
        // Rescoring looks at its whole window, however small the page.
        let window = req.rescore.iter().map(|r| r.window_size).max().unwrap_or(0);
        let limit = if all { usize::MAX } else { (req.from + req.size).max(window) };
        let collapse = match &req.collapse {
            Some(field) => {
                let mut paths = Vec::new();
                for name in indices {
                    let mapper = self.mapper(name)?;
                    let path = match mapper.fields.get(field).and_then(|f| f.alias_of.clone()) {
                        Some(target) => target,
                        None => field.clone(),
                    };
                    check_collapse(&mapper, &path)?;
                    paths.push(path);
                }
                Some(paths)
            }
            None => None,
        };
        let mut readings = Vec::with_capacity(indices.len());
        let mut nested_filters = Vec::with_capacity(indices.len());
        let mut timestamp_segments = Vec::with_capacity(indices.len());
        for name in indices {
            let shards = self.index_shards(name)?;
            let mapper = shards.mapper();
            readings.push(req.sort.iter().map(|key| sort::Reading::of(&mapper, key)).collect());
            nested_filters.push(self.nested_sort_filters(name, &mapper, &req.sort)?);
            timestamp_segments.push(shards.timestamp_segments);
        }
        let metadata = self.metadata();
        let order = Arc::new(Order {
            keys: req.sort.clone(),
            readings,
            nested_filters,
            timestamp_segments,
            by_fields: req.sorts_by_fields(),
            tie_orders: indices.iter().map(|name| index_sort(metadata.indices.get(name))).collect(),
            collapse,
            boosts: indices.iter().map(|name| req.index_boosts.get(name).copied().unwrap_or(1.0)).collect(),
            paged: req.search_after.is_some(),
        });
        // Collapsing needs every match in order to keep each group's best.
        let all = all || req.collapse.is_some();
        let limit = if all { usize::MAX } else { limit };
        drop(metadata);
        // By score alone, tantivy's top-k collector (which skips what cannot
        // make the page); else one that orders by the request's keys.
        let by_score_alone = !order.by_fields
            && req.search_after.is_none()
            && req.min_score.is_none()
            && req.terminate_after.is_none()
            && !all;
        let mut terminated_early = false;
        let mut timings = Vec::new();
        let mut total = 0u64;
        let mut shards_searched = 0u32;
        let mut found: Vec<Found> = Vec::new();
        let mut searchers: Vec<Vec<Searched>> = Vec::new();
        // With DFS, every shard's statistics first: the searchers the search reads.
        let dfs_started = std::time::Instant::now();
        let shard_searchers = self.shard_searchers(indices, pinned)?;
        let dfs = req.dfs.then(|| Arc::new(dfs::GlobalStats::new(shard_searchers.iter().flatten().cloned().collect())));
        let dfs_nanos = req.dfs.then(|| dfs_started.elapsed().as_nanos() as u64);
        let skipped = self.pre_filter(indices, req, pinned, &shard_searchers, &fields)?;
        let with_stats = |query: compile::Compiled| -> compile::Compiled {
            match &dfs {
                Some(stats) => Box::new(dfs::DfsQuery { inner: Arc::from(query), stats: stats.clone() }),
                None => query,
            }
        };
        for (i, name) in indices.iter().enumerate() {
            self.check_block(name, crate::blocks::Access::Read)?;
            let shards = match pinned.and_then(|p| p[i].first()) {
                Some(at) => at.shards.clone(),
                None => self.index_shards(name)?,
            };
            let mapper = shards.mapper();
            if req.force_synthetic_source {
                crate::synthetic::check_forced(&mapper)?;
            }
            let compiler = self.compiler(name, &mapper, &fields);
            let filters: Vec<dsl::Query> =
                req.alias_filters.get(name).into_iter().chain(req.post_filter.as_ref()).cloned().collect();
            let whole = req.query.filtered(filters);
            let compile_started = std::time::Instant::now();
            let query = with_stats(compiler.compile_top(&whole)?);
            let compile_nanos = compile_started.elapsed().as_nanos() as u64;
            // What the search reads of each field, for `_field_usage_stats`.
            let mut uses = Vec::new();
            crate::field_usage::query_uses(&whole, &mapper, req.scores(), &mut uses);
            if let Some(spec) = &req.highlight {
                highlight::field_uses(spec, &mapper, &mut uses);
            }
            for key in &req.sort {
                sort::check(&mapper, key)?;
                // Sorting on a text field loads its field data.
                if let sort::SortBy::Field(path) = &key.by {
                    if mapper.fields.get(path).is_some_and(|f| f.fielddata) {
                        shards.shards.iter().for_each(|s| s.load_fielddata(path));
                    }
                    if mapper.fields.contains_key(path) {
                        uses.push((path.clone(), crate::field_usage::Use::DocValues));
                    }
                }
                if let sort::SortBy::GeoDistance(geo) = &key.by {
                    if mapper.fields.contains_key(&geo.field) {
                        uses.push((geo.field.clone(), crate::field_usage::Use::DocValues));
                    }
                }
            }
            crate::field_usage::distinct(&mut uses);
            let search_after = req
                .search_after
                .as_ref()
                .map(|v| sort::search_after_values(&mapper, &req.sort, v))
                .transpose()?
                .map(Arc::new);
            // A cursor the range cannot take (a value the field would refuse)
            // only costs the narrowing.
            let narrowed = search_after
                .as_deref()
                .and_then(|after| sort::cursor_filter(&mapper, &req.sort, after))
                .and_then(|cursor| compiler.compile_top(&whole.filtered(vec![cursor])).ok())
                .map(with_stats);
            let mut index_searchers = Vec::new();
            let routed: Option<Vec<usize>> =
                req.routing.as_ref().map(|values| values.iter().map(|r| shards.shard_number(r) as usize).collect());
            for (s, shard) in shards.shards.iter().enumerate() {
                let searcher = shard_searchers[i][s].clone();
                // Kept for every shard: hits name their shard by its position.
                index_searchers.push(Searched { shards: shards.clone(), shard: s, searcher: searcher.clone() });
                if routed.as_ref().is_some_and(|r| !r.contains(&s)) || skipped.contains(&(i, s)) {
                    continue;
                }
                // A slice takes whole shards, or a part of this one's documents.
                let part = req.slice.as_ref().map(|sl| sl.part(s as u32, shards.shards.len() as u32));
                if part == Some(None) {
                    continue;
                }
                let field = req.slice.as_ref().and_then(|sl| sl.field.as_deref());
                let sliced: Option<Box<dyn tantivy::query::Query>> = match (field, part.flatten().flatten()) {
                    (Some(field), Some((modulo, rest))) => {
                        let slice = slice::FieldSlice { column: format!("_terms.{field}"), id: rest, max: modulo };
                        Some(Box::new(filtered::FilteredQuery::new(query.box_clone(), slice)))
                    }
                    (None, Some((modulo, rest))) => Some(Box::new(filtered::FilteredQuery::new(
                        query.box_clone(),
                        slice::SeqNoSlice { modulo, rest },
                    ))),
                    _ => None,
                };
                let query: &dyn tantivy::query::Query = sliced.as_deref().unwrap_or(&*query);
                shards_searched += 1;
                shard.field_usage().record(&uses);
                let query_started = std::time::Instant::now();
                let (total_before, weight_nanos) =
                    (total, if req.profile { weight_time(query, &searcher, req.scores()) } else { 0 });
                let search = |e| search_failed(name, e);
                if by_score_alone {
                    // A lone term is counted by its document frequency, and
                    // its page pruned from the first match (block-max WAND);
                    // anything else is counted as far as tracked while its
                    // page is collected, then pruned when it can be.
                    let top = if limit == 0 {
                        total += searcher.search(query, &Count).map_err(search)? as u64;
                        Vec::new()
                    } else if top_score::lone_term(query) {
                        total += searcher.search(query, &Count).map_err(search)? as u64;
                        searcher.search(query, &TopDocs::with_limit(limit).order_by_score()).map_err(search)?
                    } else {
                        let count_up_to = match req.track_total_hits {
                            TrackTotal::All => None,
                            TrackTotal::UpTo(n) => Some(n),
                            TrackTotal::Off => Some(0),
                        };
                        let pruning = top_score::pruning_terms(query);
                        let fruit = searcher
                            .search(query, &top_score::TopByScore { limit, count_up_to, pruning })
                            .map_err(search)?;
                        total += fruit.count;
                        fruit.top
                    };
                    {
                        let mut segments: Vec<Option<SegmentValues>> = vec![];
                        for (score, address) in top {
                            let ord = address.segment_ord as usize;
                            if segments.len() <= ord {
                                segments.resize_with(ord + 1, || None);
                            }
                            if segments[ord].is_none() {
                                let reader = searcher.segment_reader(address.segment_ord);
                                let seq_no = shard.seq_no_column(reader);
                                segments[ord] =
                                    Some(SegmentValues::open(&order, i, s, address.segment_ord, reader, seq_no)?);
                            }
                            found.extend(segments[ord].as_ref().map(|v| v.found(address.doc_id, score)));
                        }
                    }
                } else {
                    let top = ShardTop {
                        order: order.clone(),
                        index: i,
                        shard: s,
                        limit,
                        min_score: req.min_score,
                        search_after: search_after.clone(),
                        needs_scores: req.scores(),
                        terminate_after: req.terminate_after,
                        seen: Default::default(),
                        shards: shards.clone(),
                    };
                    // Past a `search_after` cursor, first only the matches at or
                    // beyond it by the first key (a range the index answers),
                    // counted apart; all of them when that does not fill the page.
                    let fruit = match narrowed
                        .as_ref()
                        .filter(|_| req.min_score.is_none() && req.terminate_after.is_none() && !all)
                    {
                        Some(narrowed) => {
                            let near = searcher.search(narrowed, &top).map_err(search)?;
                            let count = searcher.search(query, &Count).map_err(search)? as u64;
                            if near.found.len() >= limit {
                                collect::ShardFruit { found: near.found, total: count, terminated: false }
                            } else {
                                searcher.search(query, &top).map_err(search)?
                            }
                        }
                        None => searcher.search(query, &top).map_err(search)?,
                    };
                    total += fruit.total;
                    terminated_early |= fruit.terminated;
                    found.extend(fruit.found);
                }
                if req.profile {
                    timings.push(profile::QueryTiming {
                        index: name.clone(),
                        shard: s,
                        query_type: profile::type_name(query),
                        description: whole.to_string(),
                        compile_nanos,
                        weight_nanos,
                        search_nanos: query_started.elapsed().as_nanos() as u64,
                        matches: total - total_before,
                        scored: req.scores(),
                        collector: if by_score_alone { "TopScoreDocCollector" } else { "TopFieldCollector" },
                        dfs_nanos,
                    });
                }
                shard.counters().timed(Counter::QueryTotal, Counter::QueryTimeNanos, query_started);
                shard.counters().grouped(&req.stats_groups, false, query_started);
            }
            searchers.push(index_searchers);
        }
        found.sort_by(|a, b| order.cmp(a, b));
        if req.collapse.is_some() {
            let mut seen = std::collections::HashSet::new();
            found.retain(|f| seen.insert(format!("{:?}", f.group)));
        }
        found.truncate(limit);
        let skipped = skipped.len() as u32;
        Ok(Collected { terminated_early, timings, found, searchers, total, shards: shards_searched + skipped, skipped })
    }

    /// The shards (index and shard positions) the pre-filter phase skips:
    /// none until the search reaches more than `pre_filter_shard_size`.
    fn pre_filter(
        &self,
        indices: &[String],
        req: &SearchRequest,
        pinned: Option<&[Vec<Searched>]>,
        searchers: &[Vec<tantivy::Searcher>],
        fields: &crate::indexed::Fields,
    ) -> Result<std::collections::HashSet<(usize, usize)>, EngineError> {
        let mut skipped = std::collections::HashSet::new();
        let mut reached = Vec::new();
        let mut index_shards = Vec::with_capacity(indices.len());
        for (i, name) in indices.iter().enumerate() {
            let shards = match pinned.and_then(|p| p[i].first()) {
                Some(at) => at.shards.clone(),
                None => self.index_shards(name)?,
            };
            let routed: Option<Vec<usize>> =
                req.routing.as_ref().map(|values| values.iter().map(|r| shards.shard_number(r) as usize).collect());
            reached.extend(
                (0..shards.shards.len()).filter(|s| routed.as_ref().is_none_or(|r| r.contains(s))).map(|s| (i, s)),
            );
            index_shards.push(shards);
        }
        let threshold = req.pre_filter_shard_size.unwrap_or(can_match::DEFAULT_PRE_FILTER_SHARD_SIZE);
        if reached.len() <= threshold {
            return Ok(skipped);
        }
        // Each index's required clauses, compiled against its mapping, tried on its shards.
        for (i, (name, shards)) in indices.iter().zip(&index_shards).enumerate() {
            let mapper = shards.mapper();
            let compiler = self.compiler(name, &mapper, fields);
            let query = req.query.filtered(req.alias_filters.get(name).into_iter().cloned().collect());
            let clauses = can_match::required_clauses(&query);
            if clauses.is_empty() {
                continue;
            }
            for &(_, s) in reached.iter().filter(|(index, _)| *index == i) {
                if !can_match::can_match(&compiler, &clauses, &searchers[i][s])? {
                    skipped.insert((i, s));
                }
            }
        }
        if skipped.len() == reached.len() {
            skipped.remove(&reached[0]);
        }
        Ok(skipped)
    }

    /// How a query scores one refreshed document: `None` when there is no
    /// such document; else whether it matches, tantivy's explanation of its
    /// score, and the document.
    pub fn explain(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        query: &dsl::Query,
        filter: Option<&dsl::Query>,
    ) -> Result<Option<(bool, serde_json::Value, crate::StoredDoc)>, EngineError> {
        self.check_block(index, crate::blocks::Access::Read)?;
        let shards = self.index_shards(index)?;
        let shard = shards.shard_for(routing.unwrap_or(id));
        let Some((searcher, address)) = shard.find(id)? else { return Ok(None) };
        let query = self.with_lookups(&query.filtered(filter.into_iter().cloned().collect()), Some(index))?;
        let compiled = self.compile_for(index, &shards.mapper(), &query)?;
        let mut doc = shard.stored_in(&searcher, address)?.ok_or_else(|| EngineError::Corrupt {
            path: index.into(),
            reason: format!("document [{id}] found but not readable"),
        })?;
        shards.mapper().read_doc(&mut doc, false);
        // Whether it matches, from the documents the query matches; only a
        // match is explained (tantivy's explanation expects one).
        let matches = searcher
            .search(&compiled, &tantivy::collector::DocSetCollector)
            .map_err(|e| EngineError::Corrupt { path: index.into(), reason: format!("search failed: {e}") })?;
        if !matches.contains(&address) {
            let none = serde_json::json!({"value": 0.0, "description": "no matching term", "details": []});
            return Ok(Some((false, none, doc)));
        }
        // The document's score as a search computes it.
        let scored = searcher
            .search(&compiled, &TopDocs::with_limit(matches.len().max(1)).order_by_score())
            .map_err(|e| EngineError::Corrupt { path: index.into(), reason: format!("search failed: {e}") })?;
        let score = scored.iter().find(|(_, a)| *a == address).map_or(0.0, |(s, _)| *s);
        Ok(Some((true, explanation(compiled.as_ref(), &searcher, address, score), doc)))
    }

    /// The filters of the aliases through which `expressions` reach each
    /// index, for the indices reached only through filtered aliases (a
    /// document passes any one of them, as in Elasticsearch).
    pub fn alias_filters(
        &self,
        expressions: &[String],
        indices: &[String],
    ) -> Result<std::collections::HashMap<String, dsl::Query>, EngineError> {
        let meta = self.metadata();
        let mut out = std::collections::HashMap::new();
        for index in indices {
            let Some(index_meta) = meta.indices.get(index) else { continue };
            let mut filters = Vec::new();
            let mut unfiltered = false;
            for e in expressions {
                match index_meta.aliases.get(e) {
                    Some(def) => match def.get("filter") {
                        Some(f) => filters.push(dsl::parse(f)?),
                        None => unfiltered = true,
                    },
                    // Reached by name, wildcard or `_all`: every document counts.
                    None if !meta.is_alias(e) => unfiltered = true,
                    None => {}
                }
            }
            if !unfiltered && !filters.is_empty() {
                let filter = if filters.len() == 1 {
                    filters.remove(0)
                } else {
                    dsl::Query::Bool {
                        must: Vec::new(),
                        should: filters,
                        must_not: Vec::new(),
                        filter: Vec::new(),
                        minimum_should_match: None,
                        boost: 1.0,
                    }
                };
                out.insert(index.clone(), filter);
            }
        }
        Ok(out)
    }

    /// The number of documents of the named indices a query matches.
    /// `expressions` are the ones the indices were resolved from (for alias filters).
    pub fn count(
        &self,
        expressions: &[String],
        indices: &[String],
        query: &dsl::Query,
    ) -> Result<(u64, u32), EngineError> {
        let req = SearchRequest {
            query: query.clone(),
            size: 0,
            track_total_hits: TrackTotal::All,
            alias_filters: self.alias_filters(expressions, indices)?,
            ..SearchRequest::default()
        };
        let result = self.search(indices, &req)?;
        Ok((result.total, result.shards))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Conditions;
    use serde_json::json;

    #[test]
    fn floats_are_written_as_their_shortest_decimal() {
        assert_eq!(float_json(0.287_682_1).to_string(), "0.2876821");
        assert_eq!(float_json(1.0).to_string(), "1.0");
        assert_eq!(float_json(f32::MAX).as_f64(), Some(3.402_823_5e38));
        assert_eq!(float_json(-f32::from_bits(1)).to_string(), "-1e-45");
        assert!(float_json(f32::NAN).is_null());
    }

    /// The ids of every hit (up to a thousand) of a query on "books", sorted.
    fn all_ids(engine: &Engine, query: serde_json::Value) -> Vec<String> {
        let req = SearchRequest { query: dsl::parse(&query).unwrap(), size: 1000, ..Default::default() };
        let mut ids: Vec<String> =
            engine.search(&["books".into()], &req).unwrap().hits.into_iter().map(|h| h.doc.id).collect();
        ids.sort();
        ids
    }

    fn ids(engine: &Engine, query: serde_json::Value) -> Vec<String> {
        let req = SearchRequest {
            query: dsl::parse(&query).unwrap(),
            track_total_hits: TrackTotal::All,
            ..Default::default()
        };
        let mut ids: Vec<String> =
            engine.search(&["books".into()], &req).unwrap().hits.into_iter().map(|h| h.doc.id).collect();
        ids.sort();
        ids
    }

    #[test]
    fn queries_find_what_the_mapping_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let mappings = json!({"properties": {"title": {"type": "text", "analyzer": "english"}, "year": {"type": "integer"},
            "tag": {"type": "keyword", "normalizer": "lowercase"}, "price": {"type": "double"}}});
        engine.create_index("books", &json!({"settings": {"number_of_shards": 2}, "mappings": mappings})).unwrap();
        let docs = [
            ("1", json!({"title": "The Running Foxes", "year": 1999, "tag": "Fiction", "price": 9.5})),
            ("2", json!({"title": "A quiet fox runs", "year": 2005, "tag": "fiction", "price": 12})),
            ("3", json!({"title": "Databases", "year": 2011, "tag": "Tech"})),
        ];
        for (id, doc) in docs {
            engine.index_doc("books", id, doc.to_string(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        assert_eq!(ids(&engine, json!({"match": {"title": "fox running"}})), ["1", "2"]);
        assert_eq!(ids(&engine, json!({"match": {"title": {"query": "fox running", "operator": "and"}}})), ["1", "2"]);
        assert_eq!(ids(&engine, json!({"match_phrase": {"title": "running foxes"}})), ["1"]);
        // The whitespace analyzer leaves "Running" as it is: no lowercase term matches it.
        assert!(ids(&engine, json!({"match": {"title": {"query": "Running", "analyzer": "whitespace"}}})).is_empty());
        assert_eq!(
            ids(&engine, json!({"match": {"title": {"query": "the", "zero_terms_query": "all"}}})),
            ["1", "2", "3"]
        );
        assert_eq!(
            ids(&engine, json!({"term": {"tag": "FICTION"}})),
            ["1", "2"],
            "the normalizer applies to the query"
        );
        assert_eq!(ids(&engine, json!({"range": {"year": {"gte": 2000}}})), ["2", "3"]);
        assert_eq!(ids(&engine, json!({"range": {"price": {"gt": 9.5, "lte": 12}}})), ["2"]);
        assert_eq!(ids(&engine, json!({"bool": {"must_not": {"exists": {"field": "price"}}}})), ["3"]);
        assert_eq!(
            ids(&engine, json!({"bool": {"should": [{"ids": {"values": ["3"]}}, {"term": {"year": 1999}}]}})),
            ["1", "3"]
        );
        assert!(ids(&engine, json!({"term": {"missing_field": "x"}})).is_empty());
        assert_eq!(ids(&engine, json!({"prefix": {"tag": "fic"}})), ["1", "2"]);
        assert_eq!(ids(&engine, json!({"wildcard": {"tag": {"value": "t?c*"}}})), ["3"]);
        assert_eq!(ids(&engine, json!({"regexp": {"tag": "f.*n|te.h"}})), ["1", "2", "3"]);
        assert_eq!(ids(&engine, json!({"prefix": {"title": "quie"}})), ["2"]);
        // A keyword field matches the whole text, normalised.
        assert_eq!(
            ids(&engine, json!({"multi_match": {"query": "fiction databases", "fields": ["title^2", "ta*"]}})),
            ["3"]
        );
        assert_eq!(ids(&engine, json!({"multi_match": {"query": "Fiction", "fields": ["title", "ta*"]}})), ["1", "2"]);
        assert_eq!(
            ids(&engine, json!({"multi_match": {"query": "running", "type": "most_fields", "fields": ["*"]}})),
            ["1", "2"]
        );
        let window = SearchRequest {
            from: 9_999,
            size: 2,
            sort: vec![sort::SortKey::field("year", true)],
            ..Default::default()
        };
        assert!(engine
            .search(&["books".into()], &window)
            .unwrap_err()
            .to_string()
            .starts_with("Result window is too large"));
    }

    #[test]
    fn exists_reads_columns_and_postings_alike() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let mappings = json!({"properties": {"k": {"type": "keyword"}, "n": {"type": "long"}, "d": {"type": "date"},
            "b": {"type": "boolean"}, "ip": {"type": "ip"}, "t": {"type": "text"}, "o": {"properties": {"k": {"type": "keyword"}}},
            "off": {"type": "keyword", "index": false, "doc_values": false}}});
        engine.create_index("books", &json!({"mappings": mappings})).unwrap();
        let docs = [
            (
                "1",
                json!({"k": "a", "n": 1, "d": "2020-01-01", "b": true, "ip": "10.0.0.1", "t": "x", "o": {"k": "z"}, "off": "q"}),
            ),
            ("2", json!({"k": ["a", "b"], "n": [], "t": null, "o": {}})),
            ("3", json!({"k": null, "n": null, "d": null})),
            ("4", json!({"n": 7, "b": false})),
            ("5", json!({"k": "gone", "n": 5})),
        ];
        for (id, doc) in docs {
            engine.index_doc("books", id, doc.to_string(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        engine.delete_doc("books", "5", None, &Conditions::default(), false).unwrap();
        engine.refresh(&["books".into()]).unwrap();
        let exists = |field: &str| ids(&engine, json!({"exists": {"field": field}}));
        assert_eq!(exists("k"), ["1", "2"]);
        assert_eq!(exists("n"), ["1", "4"]);
        assert_eq!(exists("d"), ["1"]);
        assert_eq!(exists("b"), ["1", "4"]);
        assert_eq!(exists("ip"), ["1"]);
        assert_eq!(exists("t"), ["1"]);
        assert_eq!(exists("o.k"), ["1"]);
        assert_eq!(exists("off"), ["1"]);
        assert_eq!(ids(&engine, json!({"range": {"n": {}}})), ["1", "4"]);
        assert_eq!(ids(&engine, json!({"query_string": {"query": "_exists_:k"}})), ["1", "2"]);
    }

    #[test]
    fn ranges_match_alike_from_points_columns_and_values_without_doc_values() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        // Each kind twice: with doc values (points or column, by the
        // range's span) and without (points alone, in `_index_only`).
        let mut properties = serde_json::Map::new();
        for kind in ["long", "double", "unsigned_long", "date", "ip", "keyword"] {
            properties.insert(format!("{kind}_dv"), json!({"type": kind}));
            properties.insert(format!("{kind}_pt"), json!({"type": kind, "doc_values": false}));
        }
        engine.create_index("books", &json!({"mappings": {"properties": properties}})).unwrap();
        // Enough distinct values that wide ranges read the column.
        let value = |i: i64| -> [(String, serde_json::Value); 6] {
            [
                ("long".into(), json!(i * 7 % 101 - 50)),
                ("double".into(), json!((i % 90) as f64 / 4.0 - 10.0)),
                ("unsigned_long".into(), json!(if i % 3 == 0 { u64::MAX - i as u64 } else { i as u64 * 1000 })),
                ("date".into(), json!(1_600_000_000_000i64 + i * 3_600_000)),
                ("ip".into(), json!(format!("10.0.{}.{}", i % 4, i))),
                ("keyword".into(), json!(format!("k{:03}", i % 150))),
            ]
        };
        for i in 0..200 {
            let mut doc = serde_json::Map::new();
            for (kind, v) in value(i) {
                doc.insert(format!("{kind}_dv"), v.clone());
                doc.insert(format!("{kind}_pt"), v);
            }
            let id = i.to_string();
            engine
                .index_doc(
                    "books",
                    &id,
                    serde_json::Value::Object(doc).to_string(),
                    None,
                    &Conditions::default(),
                    false,
                )
                .unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        let matching = |query: serde_json::Value| all_ids(&engine, query);
        let ranges = [
            ("long", json!({"gte": -3, "lt": 4})),
            ("long", json!({"gt": -50})),
            ("long", json!({"lte": 2.5})),
            ("double", json!({"gte": 0.25, "lte": 1})),
            ("double", json!({"gt": -10})),
            ("double", json!({"gt": 2, "lt": 2.75})),
            ("unsigned_long", json!({"gte": 9_223_372_036_854_775_807u64})),
            ("unsigned_long", json!({"lt": 5000})),
            ("unsigned_long", json!({"gte": 18_446_744_073_709_551_500u64, "lte": 18_446_744_073_709_551_600u64})),
            ("date", json!({"gte": "2020-09-13T12:26:40Z", "lt": "2020-09-13T15:00:00Z"})),
            ("date", json!({"gt": "2020-09-14"})),
            ("ip", json!({"gte": "10.0.1.0", "lte": "10.0.1.255"})),
            ("keyword", json!({"gte": "k010", "lt": "k013"})),
            ("keyword", json!({"gt": "k100"})),
        ];
        for (kind, bounds) in ranges {
            let with = matching(json!({"range": {format!("{kind}_dv"): bounds.clone()}}));
            let without = matching(json!({"range": {format!("{kind}_pt"): bounds.clone()}}));
            assert!(!with.is_empty(), "{kind} {bounds}");
            assert_eq!(with, without, "{kind} {bounds}");
        }
        // Against the values themselves, for the numbers.
        let expected: Vec<String> = {
            let mut ids: Vec<String> =
                (0..200i64).filter(|i| (-3..4).contains(&(i * 7 % 101 - 50))).map(|i| i.to_string()).collect();
            ids.sort();
            ids
        };
        assert_eq!(matching(json!({"range": {"long_pt": {"gte": -3, "lt": 4}}})), expected);
        // Terms too read values without doc values, and `exists` finds them.
        assert_eq!(matching(json!({"term": {"double_pt": -9.75}})), matching(json!({"term": {"double_dv": -9.75}})));
        assert_eq!(matching(json!({"exists": {"field": "ip_pt"}})).len(), 200);
        // Without doc values nothing sorts, keywords included, as in Elasticsearch.
        for field in ["long_pt", "keyword_pt"] {
            let req = SearchRequest { sort: vec![sort::SortKey::field(field, true)], ..Default::default() };
            let refused = engine.search(&["books".into()], &req).unwrap_err().to_string();
            assert!(refused.starts_with(&format!("Can't load fielddata on [{field}]")), "{refused}");
        }
        // Nor does a score function read it.
        let decay = json!({"function_score": {"gauss": {"long_pt": {"origin": 0, "scale": 10}}}});
        let req = SearchRequest { query: dsl::parse(&decay).unwrap(), ..Default::default() };
        let refused = engine.search(&["books".into()], &req).unwrap_err().to_string();
        assert!(refused.starts_with("Can't load fielddata on [long_pt]"), "{refused}");
        // A field without doc values keeps no column.
        let usage = engine.disk_usage("books").unwrap();
        assert_eq!(usage.fields["long_pt"].doc_values, 0);
        assert!(usage.fields["long_pt"].points > 0);
        assert!(usage.fields["long_dv"].doc_values > 0);
        assert_eq!(usage.fields["keyword_pt"].doc_values, 0);
        assert!(usage.fields["keyword_pt"].inverted_index > 0);
    }

    #[test]
    fn query_strings_spread_each_clause_over_their_fields() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let mappings =
            json!({"properties": {"first": {"type": "text"}, "last": {"type": "text"}, "tag": {"type": "keyword"}}});
        engine.create_index("books", &json!({"mappings": mappings})).unwrap();
        let docs = [
            ("1", json!({"first": "john", "last": "smith"})),
            ("2", json!({"first": "smith john"})),
            ("3", json!({"first": "quick brown", "tag": "x"})),
            ("4", json!({"last": "brown quick"})),
        ];
        for (id, doc) in docs {
            engine.index_doc("books", id, doc.to_string(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        let qs = |query: &str, extra: serde_json::Value| {
            let mut params = json!({"query": query, "fields": ["first", "last^2"]});
            params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            ids(&engine, json!({"query_string": params}))
        };
        // Each term over both fields, the AND outside: john in one field, smith in the other.
        assert_eq!(qs("john AND smith", json!({})), ["1", "2"]);
        assert_eq!(qs("john smith", json!({"default_operator": "and", "type": "cross_fields"})), ["1", "2"]);
        // `phrase`: a term is a phrase of what it analyses to.
        assert_eq!(qs("quick-brown", json!({})), ["3", "4"]);
        assert_eq!(qs("quick-brown", json!({"type": "phrase"})), ["3"]);
        assert_eq!(qs("quick-bro", json!({"type": "phrase_prefix"})), ["3"]);
        assert_eq!(qs("bro", json!({"type": "bool_prefix"})), ["3", "4"]);
        // A lone `*`: the documents holding one of the fields.
        assert_eq!(qs("*", json!({})), ["1", "2", "3", "4"]);
        assert_eq!(ids(&engine, json!({"query_string": {"query": "*", "fields": ["tag"]}})), ["3"]);
        // No fields: the default field.
        assert_eq!(ids(&engine, json!({"query_string": {"query": "x", "fields": [], "default_field": "tag"}})), ["3"]);
        // Boosted fields score higher: `last^2` puts the one with smith in `last` first.
        let req = SearchRequest {
            query: dsl::parse(&json!({"query_string": {"query": "smith", "fields": ["first", "last^2"]}})).unwrap(),
            ..Default::default()
        };
        let hits = engine.search(&["books".into()], &req).unwrap().hits;
        assert_eq!(hits[0].doc.id, "1");
        let unknown = dsl::parse(&json!({"query_string": {"query": "a", "type": "nearest"}})).unwrap_err();
        assert!(matches!(unknown, EngineError::Parse(_)), "{unknown:?}");
    }

    #[test]
    fn sequence_numbers_are_queried_by_term_terms_and_range() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("books", &json!({})).unwrap();
        // Sequence numbers 0 to 99, then 100 and 101 for rewrites of "3" and "4".
        for i in 0..100 {
            engine.index_doc("books", &i.to_string(), "{}".into(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        for id in ["3", "4"] {
            engine.index_doc("books", id, "{}".into(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh(&["books".into()]).unwrap();
        let matching = |query: serde_json::Value| all_ids(&engine, query);
        assert_eq!(matching(json!({"term": {"_seq_no": 7}})), ["7"]);
        assert!(matching(json!({"term": {"_seq_no": 3}})).is_empty(), "rewritten since");
        assert_eq!(matching(json!({"terms": {"_seq_no": [101, "5", -1]}})), ["4", "5"]);
        assert_eq!(matching(json!({"range": {"_seq_no": {"gte": 98}}})), ["3", "4", "98", "99"]);
        assert_eq!(matching(json!({"range": {"_seq_no": {"gt": -5, "lt": 2}}})), ["0", "1"]);
        // Wide: read from the column.
        assert_eq!(matching(json!({"range": {"_seq_no": {"lte": 99}}})).len(), 98);
        assert!(matching(json!({"range": {"_seq_no": {"lt": 0}}})).is_empty());
        let req =
            SearchRequest { query: dsl::parse(&json!({"term": {"_seq_no": "x"}})).unwrap(), ..Default::default() };
        assert!(engine.search(&["books".into()], &req).is_err());
        // Hits read their sequence number and version from the columns.
        let doc = engine.get_doc("books", "4", None, false).unwrap().unwrap();
        assert_eq!((doc.seq_no, doc.version), (101, 2));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
        /// Paging with `search_after` (which narrows each page by a range
        /// on the first key) walks exactly the order of one whole search.
        #[test]
        fn search_after_pages_walk_the_whole_order(
            // Enough documents for several of tantivy's blocks of 64, so
            // that whole blocks are ruled out past a full page's worst.
            values in proptest::collection::vec(proptest::option::of(0i64..40), 1..300),
            desc in proptest::bool::ANY,
            page in 1usize..5,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let engine = Engine::open(dir.path()).unwrap();
            let mappings = json!({"properties": {"n": {"type": "long"}, "k": {"type": "keyword"}}});
            engine.create_index("walk", &json!({"settings": {"number_of_shards": 2}, "mappings": mappings})).unwrap();
            for (i, v) in values.iter().enumerate() {
                let doc = match v {
                    Some(n) => json!({"n": n, "k": format!("{i:03}")}),
                    None => json!({"k": format!("{i:03}")}),
                };
                engine.index_doc("walk", &i.to_string(), doc.to_string(), None, &Conditions::default(), false).unwrap();
            }
            engine.refresh(&["walk".into()]).unwrap();
            let sort = vec![sort::SortKey::field("n", desc), sort::SortKey::field("k", false)];
            let indices = ["walk".to_owned()];
            let whole = SearchRequest { size: 1000, sort: sort.clone(), ..Default::default() };
            let expected: Vec<String> = engine.search(&indices, &whole).unwrap().hits.into_iter().map(|h| h.doc.id).collect();
            let mut walked = Vec::new();
            let mut after: Option<Vec<serde_json::Value>> = None;
            loop {
                let req = SearchRequest { size: page, sort: sort.clone(), search_after: after.clone(), ..Default::default() };
                let result = engine.search(&indices, &req).unwrap();
                proptest::prop_assert_eq!(result.total, values.len() as u64);
                let Some(last) = result.hits.last() else { break };
                after = Some(last.sort.iter().map(|v| v.to_json()).collect());
                walked.extend(result.hits.into_iter().map(|h| h.doc.id));
            }
            proptest::prop_assert_eq!(walked, expected);
        }
    }
}
