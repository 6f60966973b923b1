//! `_search` and `_count`: the request (URL parameters and body) read into
//! an engine search, and the answer in Elasticsearch's shape. Body options
//! Tensile does not act on yet are refused by name, never ignored.

use crate::documents::{filter_source, filtered_source};
use crate::error::es_error;
use crate::node::Node;
use crate::raw_sources::RawSources;
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::search::fields::{self, Fetch};
use tensile_engine::search::sort::{SortBy, SortKey};
use tensile_engine::search::{dsl, query_string, SearchRequest, TrackTotal};
use tensile_engine::search::{highlight, nested, rescore, suggest};
use tensile_engine::{EngineError, IndicesOptions};
use tensile_generated::params;
use tensile_rest::params::BoolOrLong;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// Body keys the search reads.
const BODY_KEYS: &[&str] = &[
    "query",
    "from",
    "size",
    "track_total_hits",
    "_source",
    "min_score",
    "version",
    "seq_no_primary_term",
    "timeout",
    "sort",
    "fields",
    "docvalue_fields",
    "stored_fields",
    "post_filter",
    "search_after",
    "track_scores",
    "highlight",
    "pit",
    "collapse",
    "suggest",
    "indices_boost",
    "rescore",
    "terminate_after",
    "explain",
    "profile",
    "stats",
    "slice",
];

/// Body keys of Elasticsearch's search that Tensile does not act on yet.
const NOT_YET: &[&str] =
    &["aggs", "aggregations", "script_fields", "runtime_mappings", "knn", "ext", "retriever", "rank"];

pub(crate) fn unsupported(what: String) -> EsError {
    es_error(EngineError::Unsupported(what))
}

/// The sort keys of a body's `sort` (see the engine's `sort::parse`).
pub(crate) fn sort_keys(sort: &Value) -> Result<Vec<SortKey>, EsError> {
    tensile_engine::search::sort::parse(sort).map_err(es_error)
}

fn number(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, EsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| es_error(EngineError::Parsing(format!("[{key}] must be a number, got [{v}]")))),
    }
}

/// The indices a search or count runs over.
pub(crate) fn targets(
    node: &Node,
    index: &Option<Vec<String>>,
    p: &impl params::IndicesOptionsParams,
) -> Result<Vec<String>, EsError> {
    let opts = crate::indices::options(IndicesOptions::SEARCH, p);
    node.engine.resolve(index.as_deref().unwrap_or_default(), opts).map_err(es_error)
}

/// The indices that hold a document `index_filter` (a query) matches, as
/// `_field_caps` and `_terms_enum` narrow their indices.
pub(crate) fn indices_matching(
    node: &Node,
    indices: Vec<String>,
    index_filter: &Value,
) -> Result<Vec<String>, EsError> {
    let query = dsl::parse(index_filter).map_err(es_error)?;
    let mut kept = Vec::new();
    for index in indices {
        let one = std::slice::from_ref(&index);
        let (count, _) = node.engine.count(one, one, &query).map_err(es_error)?;
        if count > 0 {
            kept.push(index);
        }
    }
    Ok(kept)
}

/// A URI search's parameters: `q` in the query string syntax, over `df`.
#[derive(Clone, Copy, Default)]
pub(crate) struct UriQuery<'a> {
    pub q: Option<&'a str>,
    pub df: Option<&'a str>,
    pub default_operator: Option<params::DefaultOperator>,
    pub analyzer: Option<&'a str>,
}

/// The `q`, `df`, `default_operator` and `analyzer` parameters of an API.
macro_rules! uri_query {
    ($p:expr) => {
        $crate::search::UriQuery {
            q: $p.q.as_deref(),
            df: $p.df.as_deref(),
            default_operator: $p.default_operator,
            analyzer: $p.analyzer.as_deref(),
        }
    };
}
pub(crate) use uri_query;

/// The query of a request: `q` (the query string syntax, over `df`) when
/// given, else the body's `query`, else everything.
pub(crate) fn query_of(body: &Map<String, Value>, uri: UriQuery<'_>) -> Result<dsl::Query, EsError> {
    if let Some(text) = uri.q {
        let operator = match uri.default_operator {
            Some(params::DefaultOperator::And) => query_string::Operator::And,
            _ => query_string::Operator::Or,
        };
        let mut query =
            query_string::parse(text, uri.df.unwrap_or("*"), query_string::Options::with_operator(operator))
                .map_err(es_error)?;
        if let Some(analyzer) = uri.analyzer {
            query_string::analyzed_with(&mut query, analyzer);
        }
        return Ok(query);
    }
    body.get("query").map_or(Ok(dsl::Query::MatchAll { boost: 1.0 }), |q| dsl::parse(q).map_err(es_error))
}

fn flag(body: &Map<String, Value>, key: &str, param: Option<bool>) -> bool {
    param.unwrap_or_else(|| body.get(key).is_some_and(|v| v == true))
}

pub fn search<'a>(node: &'a Node, req: Request<params::Search>) -> HandlerFuture<'a> {
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let mut raw = RawSources::default();
        let answer = run_search(node, &req.params, &body, Some(&mut raw))?;
        Ok(raw.into_response(answer))
    })();
    ready(result)
}

/// Runs one search: its parameters and body to its answer (with
/// placeholders for the sources `raw` takes, when given).
fn run_search(node: &Node, p: &params::Search, body: &Value, raw: Option<&mut RawSources>) -> Result<Value, EsError> {
    let started = Instant::now();
    {
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(Value::Object(scripts)) = body.get("script_fields") {
            let indices = targets(node, &p.index, p)?;
            for index in &indices {
                let limit = node.engine.index_setting(index, "index.max_script_fields").unwrap_or(32usize);
                if scripts.len() > limit {
                    return Err(EsError::illegal_argument(format!("Trying to retrieve too many script_fields. Must be less than or equal to: [{limit}] but was [{}]. This limit can be set by changing the [index.max_script_fields] index level setting.", scripts.len())));
                }
            }
        }
        // Runtime and script fields defined as none (Kibana sends `{}`) ask for nothing.
        let defines_none = |k: &str, v: &Value| {
            matches!(k, "runtime_mappings" | "script_fields") && v.as_object().is_some_and(Map::is_empty)
        };
        if let Some((key, _)) = body.iter().find(|(k, v)| NOT_YET.contains(&k.as_str()) && !defines_none(k, v)) {
            return Err(unsupported(format!("the [{key}] option of [search]")));
        }
        if let Some(key) = body.keys().find(|k| !BODY_KEYS.contains(&k.as_str()) && !NOT_YET.contains(&k.as_str())) {
            return Err(es_error(EngineError::Parsing(format!("Unknown key for a START_OBJECT in [{key}]."))));
        }
        let sort = match (&p.sort, body.get("sort")) {
            (Some(list), _) => list
                .iter()
                .map(|s| match s.split_once(':') {
                    Some((name, order)) => tensile_engine::search::sort::key(name, Some(order)),
                    None => tensile_engine::search::sort::key(s, None),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(es_error)?,
            (None, Some(spec)) => sort_keys(spec)?,
            (None, None) => Vec::new(),
        };
        if p.pre_filter_shard_size.is_some_and(|n| n < 1) {
            return Err(EsError::validation("preFilterShardSize must be >= 1"));
        }
        let from = p.from.map(i64::from).or(number(body, "from")?).unwrap_or(0);
        // `size: -1` still means the default, as in Elasticsearch (deprecated there).
        let size = p.size.map(i64::from).or(number(body, "size")?).filter(|s| *s != -1).unwrap_or(10);
        if from < 0 {
            return Err(EsError::illegal_argument(format!("[from] parameter cannot be negative but was [{from}]")));
        }
        if size < 0 {
            return Err(EsError::illegal_argument(format!("[size] parameter cannot be negative, found [{size}]")));
        }
        let track = match (p.track_total_hits.as_ref(), body.get("track_total_hits")) {
            (Some(BoolOrLong::Bool(false)), _) | (None, Some(Value::Bool(false))) => TrackTotal::Off,
            (Some(BoolOrLong::Long(-1)), _) => TrackTotal::Off,
            (None, Some(Value::Number(n))) if n.as_i64() == Some(-1) => TrackTotal::Off,
            (Some(BoolOrLong::Long(n)), _) if *n >= 0 => TrackTotal::UpTo(*n as u64),
            (None, Some(Value::Number(n))) if n.as_u64().is_some() => TrackTotal::UpTo(n.as_u64().unwrap_or(0)),
            (Some(BoolOrLong::Long(n)), _) => {
                return Err(EsError::illegal_argument(format!(
                    "[track_total_hits] parameter must be positive or equals to -1, got {n}"
                )))
            }
            (Some(BoolOrLong::Bool(true)), _) | (None, Some(Value::Bool(true))) => TrackTotal::All,
            // Totals as plain numbers must be exact.
            _ if p.rest_total_hits_as_int == Some(true) => TrackTotal::All,
            _ => TrackTotal::UpTo(10_000),
        };
        if let (Some(true), TrackTotal::UpTo(n)) = (p.rest_total_hits_as_int, track) {
            return Err(EsError::illegal_argument(format!(
                "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got {n}"
            )));
        }
        let search_after = match body.get("search_after") {
            None | Some(Value::Null) => None,
            Some(Value::Array(values)) => Some(values.clone()),
            Some(other) => Some(vec![other.clone()]),
        };
        if let Some(after) = &search_after {
            if from > 0 {
                return Err(EsError::illegal_argument("[from] parameter must be set to 0 when [search_after] is used"));
            }
            let keys = sort.len().max(1);
            // Over a point in time, the values may end with the `_shard_doc` tiebreaker.
            let tiebreaker = body.contains_key("pit") && !sort.is_empty() && after.len() == keys + 1;
            if after.len() != keys && !tiebreaker {
                return Err(EsError::illegal_argument(format!(
                    "search_after has {} value(s) but sort has {keys}.",
                    after.len()
                )));
            }
        }
        let collapse = body.get("collapse").map(|c| crate::collapse::parse(c, false)).transpose()?;
        let suggestions = body.get("suggest").map(suggest::parse).transpose().map_err(es_error)?;
        let request = SearchRequest {
            query: query_of(body, uri_query!(p))?,
            from: from as usize,
            size: size as usize,
            track_total_hits: track,
            min_score: body.get("min_score").and_then(Value::as_f64).map(|m| m as f32),
            sort,
            alias_filters: Default::default(),
            post_filter: body.get("post_filter").map(dsl::parse).transpose().map_err(es_error)?,
            search_after,
            track_scores: flag(body, "track_scores", p.track_scores),
            highlight: body.get("highlight").map(highlight::parse).transpose().map_err(es_error)?,
            collapse: collapse.as_ref().map(|c| c.field.clone()),
            index_boosts: Default::default(),
            rescore: body.get("rescore").map(rescore::parse).transpose().map_err(es_error)?.unwrap_or_default(),
            terminate_after: terminate_after(p.terminate_after.map(i64::from).or(number(body, "terminate_after")?))?,
            explain: flag(body, "explain", p.explain),
            routing: p.routing.clone(),
            profile: flag(body, "profile", None),
            stats_groups: body.get("stats").map(crate::documents::names_of).unwrap_or_default(),
            slice: body.get("slice").map(slice_of).transpose()?,
            force_synthetic_source: p.force_synthetic_source.unwrap_or(false),
            // Set below, with the URL's `docvalue_fields`.
            docvalue_fields: Vec::new(),
            fields: Vec::new(),
            dfs: p.search_type == Some(params::SearchType::DfsQueryThenFetch),
            pre_filter_shard_size: p.pre_filter_shard_size.map(|n| n as usize),
        };
        if !request.rescore.is_empty() {
            if request.sorts_by_fields() {
                return Err(EsError::validation("Cannot use [sort] option in conjunction with [rescore]."));
            }
            if p.scroll.is_some() {
                return Err(unsupported("[rescore] in a scroll context".into()));
            }
        }
        if let Some(c) = &collapse {
            if p.scroll.is_some() {
                return Err(EsError::illegal_argument("cannot use `collapse` in a scroll context"));
            }
            let on_field = matches!(request.sort.as_slice(), [k] if k.by == SortBy::Field(c.field.clone()));
            if request.search_after.is_some() && !on_field {
                return Err(EsError::illegal_argument("Cannot use [collapse] in conjunction with [search_after] unless the search is sorted on the same field. Multiple sort fields are not allowed."));
            }
        }
        let mut request = request;
        if body.get("pit").is_none() && request.sort.iter().any(|k| k.by == SortBy::ShardDoc) {
            return Err(EsError::validation("[_shard_doc] sort field cannot be used without [point in time]"));
        }
        let pit = body.get("pit").map(|pit| pit_of(p, pit, &mut request)).transpose()?;
        if request.slice.is_some() && pit.is_none() && p.scroll.is_none() {
            return Err(EsError::validation("[slice] can only be used with [scroll] or [point-in-time] requests"));
        }
        // A point in time names its own indices (and the expressions they came from).
        let (indices, expressions) = match &pit {
            Some(pit) => node.engine.pit_targets(&pit.id).map_err(es_error)?,
            None => (targets(node, &p.index, p)?, p.index.clone().unwrap_or_default()),
        };
        request.alias_filters = node.engine.alias_filters(&expressions, &indices).map_err(es_error)?;
        if let Some(boosts) = body.get("indices_boost") {
            request.index_boosts = index_boosts(node, p, boosts)?;
        }
        let view = View::of(p, body, &request);
        if let Some(asked) = &view.docvalue_fields {
            request.docvalue_fields = fields::parse_requests(asked).map_err(es_error)?;
        }
        if let Some(asked) = &view.fields {
            request.fields = fields::parse_requests(asked).map_err(es_error)?;
        }
        if let Some(Value::Array(asked)) = &view.docvalue_fields {
            for index in &indices {
                let limit = node.engine.index_setting(index, "index.max_docvalue_fields_search").unwrap_or(100usize);
                if asked.len() > limit {
                    return Err(EsError::illegal_argument(format!("Trying to retrieve too many docvalue_fields. Must be less than or equal to: [{limit}] but was [{}]. This limit can be set by changing the [index.max_docvalue_fields_search] index level setting.", asked.len())));
                }
            }
        }
        if let Some(k) = pit.as_ref().and_then(|pit| pit.keep_alive) {
            crate::cluster_settings::check_keep_alive(node, &indices, k)?;
        }
        match p.scroll {
            None => {
                let result = match &pit {
                    Some(pit) => node.engine.search_pit(&pit.id, pit.keep_alive, &request),
                    None => node.engine.search(&indices, &request),
                }
                .map_err(es_error)?;
                let mut answer = render_with(node, &view, &result, None, started, raw)?;
                if let Some(pit) = &pit {
                    answer["pit_id"] = json!(pit.id);
                }
                if let Some(c) = &collapse {
                    crate::collapse::attach(node, &indices, &request, c, &result, view.total_as_int, &mut answer)?;
                }
                if let Some(suggestions) = &suggestions {
                    let typed = p.typed_keys == Some(true);
                    answer["suggest"] = node.engine.suggest(&indices, suggestions, typed).map_err(es_error)?.into();
                }
                Ok(answer)
            }
            Some(keep_alive) => {
                if let Some(k) = ["suggest", "profile"].into_iter().find(|k| body.contains_key(*k)) {
                    return Err(unsupported(format!("[{k}] in a scroll context")));
                }
                if request.size == 0 {
                    return Err(EsError::illegal_argument("[size] cannot be [0] in a scroll context"));
                }
                if p.request_cache == Some(true) {
                    return Err(EsError::illegal_argument("[request_cache] cannot be used in a scroll context"));
                }
                if let Some(slice) = &request.slice {
                    for index in &indices {
                        let limit = node.engine.index_setting(index, "index.max_slices_per_scroll").unwrap_or(1024u32);
                        if slice.max > limit {
                            return Err(EsError::illegal_argument(format!("The number of slices [{}] is too large. It must be less than [{limit}]. This limit can be set by changing the [index.max_slices_per_scroll] index level setting.", slice.max)));
                        }
                    }
                }
                let keep_alive = keep_alive.duration().unwrap_or_default();
                crate::cluster_settings::check_keep_alive(node, &indices, keep_alive)?;
                let meta = serde_json::to_value(&view).expect("a view serialises");
                let (result, id) = node.engine.search_scroll(&indices, &request, keep_alive, meta).map_err(es_error)?;
                render(node, &view, &result, Some(&id), started)
            }
        }
    }
}

/// `slice: {id, max, field}`.
fn slice_of(v: &Value) -> Result<tensile_engine::search::slice::Slice, EsError> {
    let number = |k: &str| v.get(k).and_then(|n| n.as_u64().or_else(|| n.as_str()?.parse().ok()));
    let field = v.get("field").and_then(Value::as_str).filter(|f| *f != "_id").map(str::to_owned);
    let (Some(id), Some(max)) = (number("id"), number("max")) else {
        return Err(es_error(EngineError::Parsing("[slice] requires [id] and [max]".into())));
    };
    if max <= 1 {
        return Err(EsError::illegal_argument("max must be greater than 1"));
    }
    if id >= max {
        return Err(EsError::illegal_argument("id must be lower than max"));
    }
    Ok(tensile_engine::search::slice::Slice { id: id as u32, max: max as u32, field })
}

/// `terminate_after`: a positive number of matches per shard (0: no limit).
fn terminate_after(given: Option<i64>) -> Result<Option<u64>, EsError> {
    match given {
        Some(n) if n < 0 => Err(EsError::illegal_argument("terminateAfter must be > 0")),
        Some(0) | None => Ok(None),
        Some(n) => Ok(Some(n as u64)),
    }
}

/// `indices_boost`: `[{expression: factor}, ...]`, each expression (a name,
/// alias or pattern) resolved to indices; an index takes the first factor
/// that names it.
fn index_boosts(
    node: &Node,
    p: &params::Search,
    boosts: &Value,
) -> Result<std::collections::HashMap<String, f32>, EsError> {
    let entries: Vec<(&String, &Value)> = match boosts {
        Value::Array(items) => items.iter().filter_map(Value::as_object).flatten().collect(),
        Value::Object(map) => map.iter().collect(),
        _ => return Err(es_error(EngineError::Parsing("[indices_boost] must be an array of objects".into()))),
    };
    let opts = crate::indices::options(IndicesOptions::SEARCH, p);
    let mut out = std::collections::HashMap::new();
    for (expression, factor) in entries {
        let factor = factor.as_f64().ok_or_else(|| {
            es_error(EngineError::Parsing(format!("[indices_boost] of [{expression}] must be a number")))
        })?;
        for index in node.engine.resolve(std::slice::from_ref(expression), opts).map_err(es_error)? {
            out.entry(index).or_insert(factor as f32);
        }
    }
    Ok(out)
}

/// Why a point in time refuses indices named beside it.
const PIT_WITH_INDICES: &str =
    "[indices] cannot be used with point in time. Do not specify any index with point in time.";

/// A search's point in time: its id and the keep-alive to renew it with.
struct Pit {
    id: String,
    keep_alive: Option<std::time::Duration>,
}

/// Reads a body's `pit`: no index may be named beside it, no scroll kept;
/// a sorted search gets `_shard_doc` as its last key (unless its
/// `search_after` values leave no room for it).
fn pit_of(p: &params::Search, pit: &Value, request: &mut SearchRequest) -> Result<Pit, EsError> {
    if p.index.as_ref().is_some_and(|i| !i.is_empty()) {
        return Err(EsError::validation(PIT_WITH_INDICES));
    }
    if p.scroll.is_some() {
        return Err(EsError::validation("using [point in time] is not allowed in a scroll context"));
    }
    let id = pit.get("id").and_then(Value::as_str).ok_or_else(|| EsError::validation("[pit] requires an [id]"))?;
    let keep_alive = match pit.get("keep_alive").and_then(Value::as_str) {
        Some(text) => tensile_rest::TimeValue::parse("keep_alive", text)?.duration(),
        None => None,
    };
    if !request.sort.is_empty() && !request.sort.iter().any(|k| k.by == SortBy::ShardDoc) {
        let room = request.search_after.as_ref().is_none_or(|after| after.len() > request.sort.len());
        if room {
            request.sort.push(SortKey::new(SortBy::ShardDoc, false));
        }
    }
    Ok(Pit { id: id.to_owned(), keep_alive })
}

/// `POST /{index}/_pit`: opens a point in time.
pub fn open_pit<'a>(node: &'a Node, req: Request<params::OpenPointInTime>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let keep_alive = p
            .keep_alive
            .as_ref()
            .and_then(|k| k.duration())
            .ok_or_else(|| EsError::validation("[keep_alive] is not specified"))?;
        if p.routing.is_some() {
            return Err(unsupported("the [routing] parameter of [open_point_in_time]".into()));
        }
        let opts = crate::indices::options(IndicesOptions::SEARCH, p);
        let indices = node.engine.resolve(&p.index, opts).map_err(es_error)?;
        crate::cluster_settings::check_keep_alive(node, &indices, keep_alive)?;
        let (id, shards) = node.engine.open_pit(&p.index, &indices, keep_alive).map_err(es_error)?;
        Ok(Response::json(json!({
            "id": id,
            "_shards": { "total": shards, "successful": shards, "skipped": 0, "failed": 0 },
        })))
    })();
    ready(result)
}

/// `DELETE /_pit`: closes a point in time.
pub fn close_pit<'a>(node: &'a Node, req: Request<params::ClosePointInTime>) -> HandlerFuture<'a> {
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let id = body.get("id").and_then(Value::as_str).ok_or_else(|| EsError::validation("[id] is required"))?;
        let freed = node.engine.close_pit(&[id.to_owned()]);
        let status = if freed == 0 { 404 } else { 200 };
        Ok(Response::json_with_status(status, json!({ "succeeded": true, "num_freed": freed })))
    })();
    ready(result)
}

/// How a search's hits are shown: what of `_source`, which `fields`, and
/// the metadata asked for. Kept with a scroll for its later pages.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct View {
    source_spec: Option<Vec<String>>,
    includes: Option<Vec<String>>,
    excludes: Option<Vec<String>>,
    /// The body's `fields`, as sent.
    fields: Option<Value>,
    /// `docvalue_fields`: the body's, or the URL's names.
    docvalue_fields: Option<Value>,
    /// `stored_fields`: `_none_` leaves out every stored field, `_id` included.
    stored_fields: Option<Vec<String>>,
    version: bool,
    seq_no: bool,
    scores: bool,
    pub total: bool,
    pub total_as_int: bool,
    /// `include_named_queries_score`: `matched_queries` as names with scores.
    #[serde(default)]
    named_scores: bool,
}

impl View {
    /// The view of inner hits, by their section's own `options` alone:
    /// totals always shown, as the outer answer shows them (`as_int`).
    pub(crate) fn of_inner(
        options: &Map<String, Value>,
        request: &SearchRequest,
        total_as_int: bool,
    ) -> Result<View, EsError> {
        let p = params::Search::from_raw(&tensile_rest::RawParams::default())?;
        Ok(View { total: true, total_as_int, ..View::of(&p, options, request) })
    }

    pub(crate) fn of(p: &params::Search, body: &Map<String, Value>, request: &SearchRequest) -> View {
        // The URL's source parameters, when given, replace the body's `_source`.
        let url_source = p._source.is_some() || p._source_includes.is_some() || p._source_excludes.is_some();
        let body_source = body.get("_source").filter(|_| !url_source);
        let source_spec = p._source.clone().or_else(|| match body_source {
            Some(Value::Bool(b)) => Some(vec![b.to_string()]),
            Some(Value::String(s)) => Some(vec![s.clone()]),
            Some(Value::Array(items)) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()),
            _ => None,
        });
        let (mut includes, mut excludes) = (p._source_includes.clone(), p._source_excludes.clone());
        if let Some(Value::Object(o)) = body_source {
            let list = |k: &str| {
                o.get(k).map(|v| match v {
                    Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
                    other => vec![crate::documents::text(other)],
                })
            };
            includes = includes.or(list("includes")).or(list("include"));
            excludes = excludes.or(list("excludes")).or(list("exclude"));
        }
        View {
            source_spec,
            includes,
            excludes,
            fields: body.get("fields").cloned(),
            docvalue_fields: p
                .docvalue_fields
                .as_ref()
                .map(|names| json!(names))
                .or_else(|| body.get("docvalue_fields").cloned()),
            stored_fields: p
                .stored_fields
                .clone()
                .or_else(|| body.get("stored_fields").map(crate::documents::names_of)),
            version: flag(body, "version", p.version),
            seq_no: flag(body, "seq_no_primary_term", p.seq_no_primary_term),
            scores: request.scores(),
            total: request.track_total_hits != TrackTotal::Off,
            total_as_int: p.rest_total_hits_as_int == Some(true),
            named_scores: p.include_named_queries_score == Some(true),
        }
    }
}

/// A search's answer.
pub(crate) fn render(
    node: &Node,
    view: &View,
    result: &tensile_engine::search::SearchResult,
    scroll_id: Option<&str>,
    started: Instant,
) -> Result<Value, EsError> {
    render_with(node, view, result, scroll_id, started, None)
}

/// [`render`], a hit's whole source given to `raw` (a placeholder in the
/// answer) when there is one.
fn render_with(
    node: &Node,
    view: &View,
    result: &tensile_engine::search::SearchResult,
    scroll_id: Option<&str>,
    started: Instant,
    mut raw: Option<&mut RawSources>,
) -> Result<Value, EsError> {
    // Shown whole, a source goes out as stored.
    let whole_source = view.source_spec.as_deref().is_none_or(|s| s == ["true"])
        && view.includes.as_ref().is_none_or(Vec::is_empty)
        && view.excludes.as_ref().is_none_or(Vec::is_empty);
    let requests = |v: &Option<Value>| match v {
        Some(v) => tensile_engine::search::fields::parse_requests(v).map_err(es_error),
        None => Ok(Vec::new()),
    };
    let (field_requests, docvalue_requests) = (requests(&view.fields)?, requests(&view.docvalue_fields)?);
    let no_stored = view.stored_fields.as_ref().is_some_and(|names| names.iter().any(|n| n == "_none_"));
    let source_asked = view.source_spec.is_some() || view.includes.is_some() || view.excludes.is_some();
    if no_stored && source_asked {
        return Err(EsError::illegal_argument("[stored_fields] cannot be disabled if [_source] is requested"));
    }
    if no_stored && !field_requests.is_empty() {
        return Err(EsError::illegal_argument("[stored_fields] cannot be disabled when using the [fields] option"));
    }
    let mut hits = Vec::with_capacity(result.hits.len());
    // With `profile`: the time each shard's hits spent in the source and fields phases.
    let profiling = result.profile.is_some();
    let mut phases: Phases = Default::default();
    // Each index's plans for `docvalue_fields` and `fields` read from the
    // source, made at the first hit that needs one.
    let mut plans: std::collections::HashMap<(String, Fetch), fields::FieldPlan> = Default::default();
    for hit in &result.hits {
        let mut h = Map::new();
        if hit.explanation.is_some() {
            h.insert("_shard".into(), json!(format!("[{}][{}]", hit.index, hit.shard)));
            h.insert("_node".into(), json!(node.engine.node().node_id));
        }
        h.insert("_index".into(), json!(hit.index));
        if !no_stored {
            h.insert("_id".into(), json!(hit.doc.id));
        }
        if let Some(identity) = nested_identity(&hit.nested) {
            h.insert("_nested".into(), identity);
        }
        if view.version {
            h.insert("_version".into(), json!(hit.doc.version));
        }
        if view.seq_no {
            h.insert("_seq_no".into(), json!(hit.doc.seq_no));
            h.insert("_primary_term".into(), json!(tensile_engine::shard::PRIMARY_TERM));
        }
        h.insert(
            "_score".into(),
            if view.scores { tensile_engine::search::float_json(hit.score) } else { Value::Null },
        );
        if !hit.doc.ignored.is_empty() {
            h.insert("_ignored".into(), json!(hit.doc.ignored));
        }
        if let Some(r) = hit.doc.routing.as_ref().filter(|_| !no_stored) {
            h.insert("_routing".into(), json!(r));
        }
        let source_stored = view.stored_fields.as_ref().is_none_or(|names| names.iter().any(|n| n == "_source"));
        let phase_started = profiling.then(Instant::now);
        if source_stored || source_asked {
            let raw_source = raw.as_deref_mut().filter(|_| whole_source && hit.nested.is_empty());
            let source = if let (Some(raw), Some(text)) = (raw_source, &hit.doc.source) {
                Some(raw.placeholder(text.clone()))
            } else if hit.nested.is_empty() {
                filtered_source(&hit.doc, &view.source_spec, &view.includes, &view.excludes)?
            } else {
                // A nested document's object, filtered at its full path.
                let root: Option<Value> = hit.doc.source.as_deref().and_then(|s| serde_json::from_str(s).ok());
                let placed = root.and_then(|root| nested::placed(&root, &hit.nested)).unwrap_or_else(|| json!({}));
                filter_source(placed, &view.source_spec, &view.includes, &view.excludes)
                    .map(|filtered| nested::unplaced(filtered, &hit.nested))
                    .filter(|_| hit.doc.source.is_some())
            };
            if let Some(source) = source {
                h.insert("_source".into(), source);
                add_phase(&mut phases, hit, 0, phase_started);
            }
        }
        let phase_started = profiling.then(Instant::now);
        let stored_names = view.stored_fields.as_ref().filter(|_| !no_stored);
        if !field_requests.is_empty() || !docvalue_requests.is_empty() || stored_names.is_some() {
            let mapper = node.engine.mapper(&hit.index).map_err(es_error)?;
            let mut source: Value =
                hit.doc.source.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
            if !hit.nested.is_empty() {
                source = nested::placed(&source, &hit.nested).unwrap_or_default();
            }
            if !field_requests.is_empty() && !mapper.source.enabled {
                return Err(EsError::illegal_argument(format!(
                    "Unable to retrieve the requested [fields] since _source is disabled in the mappings for index [{}]",
                    hit.index
                )));
            }
            let mut fields = metadata_fields(&hit.doc, &docvalue_requests, &field_requests)?;
            if let Some(names) = stored_names {
                // The stored fields the source leaves out are read too.
                let kept = hit.doc.kept();
                let kept =
                    if hit.nested.is_empty() { kept } else { kept.and_then(|k| nested::placed(&k, &hit.nested)) };
                let view = match kept {
                    Some(kept) => std::borrow::Cow::Owned(
                        tensile_engine::shard::with_kept(Some(source.clone()), Some(kept)).unwrap_or_default(),
                    ),
                    None => std::borrow::Cow::Borrowed(&source),
                };
                fields.extend(fields::stored(&mapper, &view, names));
            }
            let mut from_source =
                |requests: &[fields::FieldRequest], how: Fetch| -> Result<Map<String, Value>, EsError> {
                    let plan = match plans.entry((hit.index.clone(), how)) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(fields::FieldPlan::new(&mapper, requests, how).map_err(es_error)?)
                        }
                    };
                    plan.fetch(&mapper, &source, None).map_err(es_error)
                };
            match &hit.doc_values {
                Some(doc_values) => fields.extend(doc_values.clone()),
                None => fields.extend(from_source(&docvalue_requests, Fetch::DocValues)?),
            }
            match &hit.column_fields {
                Some(column_fields) => fields.extend(column_fields.clone()),
                None => fields.extend(from_source(&field_requests, Fetch::Fields)?),
            }
            add_phase(&mut phases, hit, 1, phase_started);
            if !fields.is_empty() {
                h.insert("fields".into(), Value::Object(fields));
            }
            let ignored = fields::ignored_values(&mapper, &source, &field_requests, &hit.doc.ignored);
            if !ignored.is_empty() {
                h.insert("ignored_field_values".into(), Value::Object(ignored));
            }
        }
        if !hit.highlight.is_empty() {
            h.insert("highlight".into(), Value::Object(hit.highlight.clone()));
        }
        if !hit.sort.is_empty() {
            h.insert("sort".into(), hit.sort.iter().map(|v| v.to_json()).collect());
        }
        if let Some(explanation) = &hit.explanation {
            h.insert("_explanation".into(), explanation.clone());
        }
        if !hit.matched_queries.is_empty() {
            let matched: Value = if view.named_scores {
                hit.matched_queries.iter().map(|(n, s)| (n.clone(), json!(s))).collect::<Map<_, _>>().into()
            } else {
                hit.matched_queries.iter().map(|(n, _)| json!(n)).collect()
            };
            h.insert("matched_queries".into(), matched);
        }
        if !hit.inner_hits.is_empty() {
            h.insert("inner_hits".into(), render_inner_hits(node, view, &hit.inner_hits, started)?);
        }
        hits.push(Value::Object(h));
    }
    let mut hits_body = Map::new();
    if !view.total && view.total_as_int {
        // Untracked totals as a plain number are -1, as Elasticsearch writes them.
        hits_body.insert("total".into(), json!(-1));
    }
    if view.total {
        let total = if view.total_as_int {
            json!(result.total)
        } else {
            json!({ "value": result.total, "relation": if result.total_exact { "eq" } else { "gte" } })
        };
        hits_body.insert("total".into(), total);
    }
    hits_body.insert("max_score".into(), result.max_score.map_or(Value::Null, tensile_engine::search::float_json));
    hits_body.insert("hits".into(), Value::Array(hits));
    let mut out = Map::new();
    if let Some(id) = scroll_id {
        out.insert("_scroll_id".into(), json!(id));
    }
    out.insert("took".into(), json!(started.elapsed().as_millis() as u64));
    out.insert("timed_out".into(), json!(false));
    if let Some(early) = result.terminated_early {
        out.insert("terminated_early".into(), json!(early));
    }
    out.insert(
        "_shards".into(),
        json!({ "total": result.shards, "successful": result.shards, "skipped": result.skipped_shards, "failed": 0 }),
    );
    out.insert("hits".into(), Value::Object(hits_body));
    if let Some(profile) = &result.profile {
        let mut profile = profile.clone();
        add_fetch_phases(&mut profile, &phases, no_stored);
        out.insert("profile".into(), profile);
    }
    Ok(Value::Object(out))
}

/// Where a nested document sits in its root document: `{field, offset}`,
/// with the next nested field's inside as `_nested`.
fn nested_identity(chain: &[(String, usize)]) -> Option<Value> {
    chain.iter().rev().fold(None, |inner, (field, offset)| {
        let mut identity = json!({ "field": field, "offset": offset });
        if let Some(inner) = inner {
            identity["_nested"] = inner;
        }
        Some(identity)
    })
}

/// The metadata fields that `docvalue_fields` (`_seq_no`, `_version`) and
/// `fields` (`_ignored`) name, which the document itself holds; `fields`
/// refuses the internal ones, as Elasticsearch does.
fn metadata_fields(
    doc: &tensile_engine::StoredDoc,
    doc_values: &[fields::FieldRequest],
    fetched: &[fields::FieldRequest],
) -> Result<Map<String, Value>, EsError> {
    let mut out = Map::new();
    for r in doc_values {
        match r.pattern.as_str() {
            "_seq_no" => out.insert("_seq_no".into(), json!([doc.seq_no])),
            "_version" => out.insert("_version".into(), json!([doc.version])),
            _ => None,
        };
    }
    for r in fetched {
        match r.pattern.as_str() {
            "_ignored" if !doc.ignored.is_empty() => {
                out.insert("_ignored".into(), json!(doc.ignored));
            }
            name @ ("_seq_no" | "_version" | "_primary_term") => {
                return Err(EsError::illegal_argument(format!(
                    "error fetching [{name}]: Cannot fetch values for internal field [{name}]."
                )))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A hit's `inner_hits`, each section rendered as a search's hits are,
/// with its own options.
fn render_inner_hits(
    node: &Node,
    outer: &View,
    sections: &[tensile_engine::search::InnerHitsResult],
    started: Instant,
) -> Result<Value, EsError> {
    let mut out = Map::new();
    for section in sections {
        // Sorted by fields, inner hits show no score unless they track them.
        let request = SearchRequest {
            sort: section.options.get("sort").map(sort_keys).transpose()?.unwrap_or_default(),
            track_scores: section.options.get("track_scores").is_some_and(|v| v == true),
            ..SearchRequest::default()
        };
        let view = View::of_inner(&section.options, &request, outer.total_as_int)?;
        let result = tensile_engine::search::SearchResult {
            total: section.total,
            total_exact: true,
            max_score: section.max_score,
            hits: section.hits.clone(),
            shards: 0,
            skipped_shards: 0,
            terminated_early: None,
            profile: None,
        };
        let mut rendered = render(node, &view, &result, None, started)?;
        out.insert(section.name.clone(), json!({ "hits": rendered["hits"].take() }));
    }
    Ok(Value::Object(out))
}

/// Each shard's time in the source and fields phases of its hits, and how many hits.
type Phases = std::collections::HashMap<(String, usize), [(u64, u64); 2]>;

/// With `profile` (`started` given), adds the time since `started` to
/// phase `n` of the hit's shard.
fn add_phase(phases: &mut Phases, hit: &tensile_engine::search::Hit, n: usize, started: Option<Instant>) {
    if let Some(started) = started {
        let phase = &mut phases.entry((hit.index.clone(), hit.shard)).or_default()[n];
        *phase = (phase.0 + started.elapsed().as_nanos() as u64, phase.1 + 1);
    }
}

/// Adds the source and fields phases the handler ran to each shard's
/// profiled fetch (before the engine's stored-fields phase); with
/// `stored_fields: _none_` no stored field was loaded and no phase ran.
fn add_fetch_phases(profile: &mut Value, phases: &Phases, no_stored: bool) {
    let Some(shards) = profile["shards"].as_array_mut() else { return };
    for shard in shards {
        let key =
            (shard["index"].as_str().unwrap_or_default().to_owned(), shard["shard_id"].as_u64().unwrap_or(0) as usize);
        let Some(fetch) = shard.get_mut("fetch") else { continue };
        if no_stored {
            fetch["debug"]["stored_fields"] = json!([]);
            if let Some(f) = fetch.as_object_mut() {
                f.remove("children");
            }
            continue;
        }
        let mut children = Vec::new();
        let [(source_nanos, sources), (fields_nanos, fielded)] = phases.get(&key).copied().unwrap_or_default();
        for (name, nanos, count) in
            [("FetchSourcePhase", source_nanos, sources), ("FetchFieldsPhase", fields_nanos, fielded)]
        {
            if count > 0 {
                let mut child = json!({
                    "type": name,
                    "description": "",
                    "time_in_nanos": nanos,
                    "breakdown": {"process": nanos, "process_count": count, "next_reader": nanos, "next_reader_count": 1},
                });
                if name == "FetchSourcePhase" {
                    child["debug"] = json!({"fast_path": count});
                }
                children.push(child);
            }
        }
        if let Some(Value::Array(stored)) = fetch.get_mut("children") {
            children.append(stored);
        }
        fetch["children"] = Value::Array(children);
    }
}

/// `_search/scroll`: the next page of a scroll.
pub fn scroll<'a>(node: &'a Node, req: Request<params::Scroll>) -> HandlerFuture<'a> {
    let started = Instant::now();
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        // The body's values win over the query string's, as in Elasticsearch.
        let id = body
            .get("scroll_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| p.scroll_id.clone())
            .ok_or_else(|| EsError::validation("scrollId is missing"))?;
        let keep_alive = match (body.get("scroll").and_then(Value::as_str), p.scroll) {
            (Some(text), _) => tensile_rest::TimeValue::parse("scroll", text)?.duration(),
            (None, Some(t)) => t.duration(),
            (None, None) => None,
        };
        if let Some(k) = keep_alive {
            crate::cluster_settings::check_keep_alive(node, &[], k)?;
        }
        let (result, meta) = node.engine.scroll(&id, keep_alive).map_err(es_error)?;
        let mut view: View = serde_json::from_value(meta).unwrap_or_default();
        if let Some(as_int) = p.rest_total_hits_as_int.or(body.get("rest_total_hits_as_int").and_then(Value::as_bool)) {
            view.total_as_int = as_int;
        }
        render(node, &view, &result, Some(&id), started).map(Response::json)
    })();
    ready(result)
}

/// `DELETE _search/scroll`: frees scroll contexts.
pub fn clear_scroll<'a>(node: &'a Node, req: Request<params::ClearScroll>) -> HandlerFuture<'a> {
    let result = (|| {
        let mut ids = req.params.scroll_id.clone().unwrap_or_default();
        if !req.body.is_empty() {
            let body: Value = req.body.json()?;
            match body.get("scroll_id") {
                Some(Value::String(one)) => ids.push(one.clone()),
                Some(Value::Array(many)) => ids.extend(many.iter().map(crate::documents::text)),
                _ => {}
            }
        }
        if ids.is_empty() {
            return Err(EsError::validation("no scroll ids specified"));
        }
        let freed = node.engine.clear_scroll(&ids);
        let status = if freed == 0 && !ids.is_empty() { 404 } else { 200 };
        Ok(Response::json_with_status(status, json!({ "succeeded": true, "num_freed": freed })))
    })();
    ready(result)
}

/// `_msearch`: NDJSON pairs of a header (index and search parameters) and
/// a body, each run as a search; a failing one answers with its error, as
/// does one whose answer the request breaker refuses to hold.
pub fn msearch<'a>(node: &'a Node, req: Request<params::Msearch>) -> HandlerFuture<'a> {
    let started = Instant::now();
    let p = &req.params;
    let result = (|| {
        let text = std::str::from_utf8(&req.body.bytes).map_err(|_| EsError::parse("the msearch body is not UTF-8"))?;
        // An empty line is an empty header, as in Elasticsearch; only the
        // text after the last newline is not a line.
        let mut lines: Vec<&str> = text.split('\n').collect();
        if lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        if lines.is_empty() {
            return Err(EsError::validation("no requests added"));
        }
        // A point in time names its own indices: the whole request is refused
        // when an item also names some, as Elasticsearch validates it.
        for pair in lines.chunks(2) {
            let parsed = |line: Option<&&str>| line.and_then(|l| serde_json::from_str::<Value>(l).ok());
            let (header, body) = (parsed(pair.first()), parsed(pair.get(1)));
            let named = header.as_ref().and_then(|h| h.get("index")).is_some() || p.index.is_some();
            if named && body.as_ref().and_then(|b| b.get("pit")).is_some() {
                return Err(EsError::validation(PIT_WITH_INDICES));
            }
            // Totals as plain numbers need exact totals in every search, or the whole request fails.
            let tracked = body.as_ref().and_then(|b| b.get("track_total_hits")).and_then(|t| match t {
                Value::Bool(false) => Some(-1),
                other => other.as_i64(),
            });
            if let (Some(true), Some(n)) = (p.rest_total_hits_as_int, tracked.filter(|n| *n != i64::from(i32::MAX))) {
                return Err(EsError::illegal_argument(format!(
                    "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got {n}"
                )));
            }
        }
        let mut responses = Vec::new();
        // The answers are held until the last: the request breaker bounds them.
        let mut breaker = crate::breaker::RequestBreaker::new(node);
        for pair in lines.chunks(2) {
            let answer = (|| {
                let line_json = |line: &str| -> Result<Value, EsError> {
                    tensile_rest::duplicate_keys::check(line.as_bytes())
                        .and_then(|()| serde_json::from_str(line))
                        .map_err(|e| es_error(EngineError::Parsing(e.to_string())))
                };
                let header = line_json(pair[0])?;
                let body = match pair.get(1) {
                    Some(line) => line_json(line)?,
                    None => return Err(EsError::illegal_argument("msearch header without a body line")),
                };
                let search = header_params(&header, p)?;
                let answer = run_search(node, &search, &body, None)?;
                breaker.hold(&answer, "<msearch>").map(|()| answer)
            })();
            responses.push(match answer {
                Ok(mut ok) => {
                    ok["status"] = json!(200);
                    ok
                }
                Err(e) => json!({ "error": e.to_json(false)["error"], "status": e.status }),
            });
        }
        Ok(Response::json(json!({ "took": started.elapsed().as_millis() as u64, "responses": responses })))
    })();
    ready(result)
}

/// A search's parameters from an `_msearch` header over the request's own.
fn header_params(header: &Value, p: &params::Msearch) -> Result<params::Search, EsError> {
    let mut raw = tensile_rest::RawParams::default();
    let text = |v: &Value| match v {
        Value::Array(items) => items.iter().map(crate::documents::text).collect::<Vec<_>>().join(","),
        other => crate::documents::text(other),
    };
    if let Some(index) = &p.index {
        raw.path.push(("index", index.join(",")));
    }
    if let Some(flag) = p.rest_total_hits_as_int {
        raw.query.push(("rest_total_hits_as_int".into(), flag.to_string()));
    }
    if let Value::Object(map) = header {
        for (k, v) in map {
            if k == "index" {
                raw.path.retain(|(name, _)| *name != "index");
                raw.path.push(("index", text(v)));
            } else {
                raw.query.push((k.clone(), text(v)));
            }
        }
    }
    Ok(params::Search::from_raw(&raw)?)
}

pub fn count<'a>(node: &'a Node, req: Request<params::Count>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(key) = body.keys().find(|k| k.as_str() != "query") {
            return Err(es_error(EngineError::Parsing(format!("request does not support [{key}]"))));
        }
        let terminate_after = terminate_after(p.terminate_after)?;
        let indices = targets(node, &p.index, p)?;
        let query = query_of(body, uri_query!(p))?;
        let expressions = p.index.clone().unwrap_or_default();
        let request = SearchRequest {
            query,
            size: 0,
            track_total_hits: TrackTotal::All,
            alias_filters: node.engine.alias_filters(&expressions, &indices).map_err(es_error)?,
            min_score: p.min_score.map(|m| m as f32),
            terminate_after,
            routing: p.routing.clone(),
            ..SearchRequest::default()
        };
        let result = node.engine.search(&indices, &request).map_err(es_error)?;
        let shards = result.shards;
        let mut answer = json!({
            "count": result.total,
            "_shards": { "total": shards, "successful": shards, "skipped": 0, "failed": 0 },
        });
        if let Some(early) = result.terminated_early {
            answer["terminated_early"] = json!(early);
        }
        Ok(Response::json(answer))
    })();
    ready(result)
}

/// `_explain`: how a query scores one document.
pub fn explain<'a>(node: &'a Node, req: Request<params::Explain>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if p.q.is_none() && !body.contains_key("query") {
            return Err(EsError::validation("query is missing"));
        }
        if let Some(key) = body.keys().find(|k| k.as_str() != "query") {
            return Err(es_error(EngineError::Parsing(format!("request does not support [{key}]"))));
        }
        let query = query_of(body, uri_query!(p))?;
        let index = crate::documents::concrete(node, &p.index)?;
        let filters = node
            .engine
            .alias_filters(std::slice::from_ref(&p.index), std::slice::from_ref(&index))
            .map_err(es_error)?;
        let routing = p.routing.as_ref().map(|r| r.join(","));
        let found =
            node.engine.explain(&index, &p.id, routing.as_deref(), &query, filters.get(&index)).map_err(es_error)?;
        let Some((matched, explanation, doc)) = found else {
            return Ok(Response::json_with_status(404, json!({ "_index": index, "_id": p.id, "matched": false })));
        };
        let mut out = json!({ "_index": index, "_id": p.id, "matched": matched, "explanation": explanation });
        if p._source.is_some() || p._source_includes.is_some() || p._source_excludes.is_some() {
            let mut get =
                json!({ "_seq_no": doc.seq_no, "_primary_term": tensile_engine::shard::PRIMARY_TERM, "found": true });
            if let Some(source) = filtered_source(&doc, &p._source, &p._source_includes, &p._source_excludes)? {
                get["_source"] = source;
            }
            out["get"] = get;
        }
        Ok(Response::json(out))
    })();
    ready(result)
}
