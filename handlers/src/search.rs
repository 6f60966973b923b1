//! `_search` and `_count`: the request (URL parameters and body) read into
//! an engine search, and the answer in Elasticsearch's shape. Body options
//! Tensile does not act on yet are refused by name, never ignored.

use crate::documents::filtered_source;
use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::search::{dsl, SearchRequest, TrackTotal};
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
];

/// Body keys of Elasticsearch's search that Tensile does not act on yet.
const NOT_YET: &[&str] = &[
    "aggs",
    "aggregations",
    "highlight",
    "suggest",
    "post_filter",
    "search_after",
    "collapse",
    "rescore",
    "script_fields",
    "docvalue_fields",
    "fields",
    "stored_fields",
    "pit",
    "runtime_mappings",
    "knn",
    "explain",
    "profile",
    "indices_boost",
    "terminate_after",
    "stats",
    "ext",
    "slice",
    "retriever",
    "rank",
    "track_scores",
];

fn unsupported(what: String) -> EsError {
    es_error(EngineError::Unsupported(what))
}

/// Whether a `sort` only asks for the default order (by score).
fn sorts_by_score_only(sort: &Value) -> bool {
    match sort {
        Value::String(s) => s == "_score",
        Value::Array(items) => items.iter().all(sorts_by_score_only),
        Value::Object(o) => {
            o.len() == 1 && o.get("_score").is_some_and(|d| d == "desc" || d.get("order").is_some_and(|o| o == "desc"))
        }
        _ => false,
    }
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
fn targets(
    node: &Node,
    index: &Option<Vec<String>>,
    p: &impl params::IndicesOptionsParams,
) -> Result<Vec<String>, EsError> {
    let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    node.engine.resolve(index.as_deref().unwrap_or_default(), opts).map_err(es_error)
}

fn query_of(body: &Map<String, Value>) -> Result<dsl::Query, EsError> {
    body.get("query").map_or(Ok(dsl::Query::MatchAll { boost: 1.0 }), |q| dsl::parse(q).map_err(es_error))
}

fn flag(body: &Map<String, Value>, key: &str, param: Option<bool>) -> bool {
    param.unwrap_or_else(|| body.get(key).is_some_and(|v| v == true))
}

pub fn search<'a>(node: &'a Node, req: Request<params::Search>) -> HandlerFuture<'a> {
    let started = Instant::now();
    let p = &req.params;
    let result = (|| {
        if p.q.is_some() {
            return Err(unsupported("URI search ([q] parameter)".into()));
        }
        if p.scroll.is_some() {
            return Err(unsupported("the [scroll] parameter of [search]".into()));
        }
        if let Some(sort) = &p.sort {
            if !sort.iter().all(|s| s == "_score" || s == "_score:desc") {
                return Err(unsupported("sorting by fields".into()));
            }
        }
        let body: Value = if req.body.is_empty() { json!({}) } else { req.body.json()? };
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(key) = body.keys().find(|k| NOT_YET.contains(&k.as_str())) {
            return Err(unsupported(format!("the [{key}] option of [search]")));
        }
        if let Some(key) = body.keys().find(|k| !BODY_KEYS.contains(&k.as_str())) {
            return Err(es_error(EngineError::Parsing(format!("Unknown key for a START_OBJECT in [{key}]."))));
        }
        if body.get("sort").is_some_and(|s| !sorts_by_score_only(s)) {
            return Err(unsupported("sorting by fields".into()));
        }
        let from = p.from.map(i64::from).or(number(body, "from")?).unwrap_or(0);
        let size = p.size.map(i64::from).or(number(body, "size")?).unwrap_or(10);
        if from < 0 {
            return Err(EsError::illegal_argument(format!("[from] parameter cannot be negative but was [{from}]")));
        }
        if size < 0 {
            return Err(EsError::illegal_argument(format!("[size] parameter cannot be negative but was [{size}]")));
        }
        let track = match (p.track_total_hits.as_ref(), body.get("track_total_hits")) {
            (Some(BoolOrLong::Bool(false)), _) | (None, Some(Value::Bool(false))) => TrackTotal::Off,
            (Some(BoolOrLong::Long(n)), _) => TrackTotal::UpTo((*n).max(0) as u64),
            (None, Some(Value::Number(n))) => TrackTotal::UpTo(n.as_u64().unwrap_or(0)),
            (Some(BoolOrLong::Bool(true)), _) | (None, Some(Value::Bool(true))) => TrackTotal::All,
            _ => TrackTotal::UpTo(10_000),
        };
        let request = SearchRequest {
            query: query_of(body)?,
            from: from as usize,
            size: size as usize,
            track_total_hits: track,
            min_score: body.get("min_score").and_then(Value::as_f64).map(|m| m as f32),
        };
        let indices = targets(node, &p.index, p)?;
        let result = node.engine.search(&indices, &request).map_err(es_error)?;

        let source_spec = p._source.clone().or_else(|| match body.get("_source") {
            Some(Value::Bool(b)) => Some(vec![b.to_string()]),
            Some(Value::String(s)) => Some(vec![s.clone()]),
            Some(Value::Array(items)) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()),
            _ => None,
        });
        let (mut includes, mut excludes) = (p._source_includes.clone(), p._source_excludes.clone());
        if let Some(Value::Object(o)) = body.get("_source") {
            let list = |k: &str| {
                o.get(k).map(|v| match v {
                    Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
                    other => vec![crate::documents::text(other)],
                })
            };
            includes = includes.or(list("includes")).or(list("include"));
            excludes = excludes.or(list("excludes")).or(list("exclude"));
        }
        let version = flag(body, "version", p.version);
        let seq_no = flag(body, "seq_no_primary_term", p.seq_no_primary_term);
        let mut hits = Vec::with_capacity(result.hits.len());
        for hit in &result.hits {
            let mut h = Map::new();
            h.insert("_index".into(), json!(hit.index));
            h.insert("_id".into(), json!(hit.doc.id));
            if version {
                h.insert("_version".into(), json!(hit.doc.version));
            }
            if seq_no {
                h.insert("_seq_no".into(), json!(hit.doc.seq_no));
                h.insert("_primary_term".into(), json!(tensile_engine::shard::PRIMARY_TERM));
            }
            h.insert("_score".into(), json!(hit.score));
            if let Some(r) = &hit.doc.routing {
                h.insert("_routing".into(), json!(r));
            }
            if let Some(source) = filtered_source(&hit.doc, &source_spec, &includes, &excludes)? {
                h.insert("_source".into(), source);
            }
            hits.push(Value::Object(h));
        }
        let mut hits_body = Map::new();
        if track != TrackTotal::Off {
            let total = if p.rest_total_hits_as_int == Some(true) {
                json!(result.total)
            } else {
                json!({ "value": result.total, "relation": if result.total_exact { "eq" } else { "gte" } })
            };
            hits_body.insert("total".into(), total);
        }
        hits_body.insert("max_score".into(), json!(result.max_score));
        hits_body.insert("hits".into(), Value::Array(hits));
        Ok(Response::json(json!({
            "took": started.elapsed().as_millis() as u64,
            "timed_out": false,
            "_shards": { "total": result.shards, "successful": result.shards, "skipped": 0, "failed": 0 },
            "hits": hits_body,
        })))
    })();
    ready(result)
}

pub fn count<'a>(node: &'a Node, req: Request<params::Count>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        if p.q.is_some() {
            return Err(unsupported("URI search ([q] parameter)".into()));
        }
        let body: Value = if req.body.is_empty() { json!({}) } else { req.body.json()? };
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(key) = body.keys().find(|k| k.as_str() != "query") {
            return Err(es_error(EngineError::Parsing(format!("request does not support [{key}]"))));
        }
        let indices = targets(node, &p.index, p)?;
        let (count, shards) = node.engine.count(&indices, &query_of(body)?).map_err(es_error)?;
        Ok(Response::json(json!({
            "count": count,
            "_shards": { "total": shards, "successful": shards, "skipped": 0, "failed": 0 },
        })))
    })();
    ready(result)
}
