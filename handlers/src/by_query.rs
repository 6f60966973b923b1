//! The by-query document APIs: `_delete_by_query`, `_update_by_query`
//! (without a script: each document indexed again as it is) and `_reindex`
//! (without a script or a pipeline), answered with Elasticsearch's counts.
//! Each runs to its end within the request; as a task
//! (`wait_for_completion=false`), with parallel `slices`, a script or a
//! remote source they answer 501 until those exist.

use crate::error::es_error;
use crate::node::Node;
use crate::search::{query_of, unsupported};
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::by_query::{ByQuery, ByQueryOutcome, Destination};
use tensile_engine::search::{SearchRequest, TrackTotal};
use tensile_engine::{EngineError, IndicesOptions, VersionType};
use tensile_generated::params::{self, Conflicts};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// What every by-query API takes besides its search.
struct Common<'a> {
    api: &'static str,
    wait_for_completion: Option<bool>,
    slices: Option<&'a str>,
    max_docs: Option<i64>,
    conflicts: Option<Conflicts>,
    batch: Option<i64>,
}

impl Common<'_> {
    /// Refuses what is not built, and reads `max_docs` (the parameter,
    /// else the body's), `conflicts` (likewise) and the batch size.
    fn how(&self, body: &Map<String, Value>) -> Result<ByQuery, EsError> {
        if self.wait_for_completion == Some(false) {
            return Err(unsupported(format!("the [wait_for_completion=false] option of [{}]", self.api)));
        }
        if self.slices.is_some_and(|s| s != "auto" && s != "1") {
            return Err(unsupported(format!("the [slices] option of [{}]", self.api)));
        }
        for key in ["slice", "script"] {
            if body.contains_key(key) {
                return Err(unsupported(format!("the [{key}] option of [{}]", self.api)));
            }
        }
        let max_docs = match (self.max_docs, body.get("max_docs")) {
            (Some(n), _) => Some(n),
            (None, Some(v)) => {
                Some(v.as_i64().ok_or_else(|| EsError::illegal_argument("[max_docs] must be a number"))?)
            }
            (None, None) => None,
        };
        if let Some(n) = max_docs.filter(|n| *n <= 0) {
            return Err(EsError::validation(format!("maxDocs should be greater than 0, but was [{n}]")));
        }
        let proceed = match (self.conflicts, body.get("conflicts").and_then(Value::as_str)) {
            (Some(c), _) => c == Conflicts::Proceed,
            (None, Some("proceed")) => true,
            (None, Some("abort") | None) => false,
            (None, Some(other)) => {
                return Err(EsError::illegal_argument(format!(
                    "conflicts may only be \"proceed\" or \"abort\" but was [{other}]"
                )))
            }
        };
        Ok(ByQuery {
            max_docs: max_docs.map(|n| n as u64),
            proceed_on_conflicts: proceed,
            batch: self.batch.filter(|n| *n > 0).unwrap_or(1000) as usize,
        })
    }
}

/// The [`Common`] options of a by-query API over indices, whose parameters
/// name them alike (`delete_by_query`, `update_by_query`).
macro_rules! over_indices {
    ($p:expr, $api:expr) => {
        Common {
            api: $api,
            wait_for_completion: $p.wait_for_completion,
            slices: $p.slices.as_deref(),
            max_docs: $p.max_docs,
            conflicts: $p.conflicts,
            batch: $p.scroll_size,
        }
    };
}

/// The request body, an object (empty when none came), its keys checked.
fn body_of<P>(req: &Request<P>, keys: &[&str]) -> Result<Map<String, Value>, EsError> {
    let body = req.body.json_or_empty()?;
    let Value::Object(body) = body else { return Err(EsError::parse("request body must be an object")) };
    if let Some(key) = body.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(es_error(EngineError::Parsing(format!("Unknown key for a START_OBJECT in [{key}]."))));
    }
    Ok(body)
}

/// The answer: Elasticsearch's counts (`counted` names those the API
/// reports), 409 when a conflict stopped it.
/// The writes are never throttled: the rate in effect is unlimited (`-1`),
/// whatever `requests_per_second` asked.
fn answer(started: Instant, done: ByQueryOutcome, counted: &[&str]) -> Response {
    let failures: Vec<Value> = done
        .failures
        .into_iter()
        .map(|f| {
            let cause = es_error(f.cause);
            json!({ "index": f.index, "id": f.id, "cause": crate::error::exception_json(&cause), "status": cause.status })
        })
        .collect();
    let status = failures.first().and_then(|f| f["status"].as_u64()).map_or(200, |s| s as u16);
    let mut body = Map::new();
    body.insert("took".into(), json!(started.elapsed().as_millis() as u64));
    body.insert("timed_out".into(), json!(false));
    body.insert("total".into(), json!(done.total));
    for (name, n) in [("updated", done.updated), ("created", done.created), ("deleted", done.deleted)] {
        if counted.contains(&name) {
            body.insert(name.into(), json!(n));
        }
    }
    body.insert("batches".into(), json!(done.batches));
    body.insert("version_conflicts".into(), json!(done.version_conflicts));
    body.insert("noops".into(), json!(0));
    body.insert("retries".into(), json!({ "bulk": 0, "search": 0 }));
    body.insert("throttled_millis".into(), json!(0));
    body.insert("requests_per_second".into(), json!(-1.0));
    body.insert("throttled_until_millis".into(), json!(0));
    body.insert("failures".into(), Value::Array(failures));
    Response::json_with_status(status, Value::Object(body))
}

/// The search over the request's indices that picks the documents.
fn search_of(
    node: &Node,
    expressions: &[String],
    indices: &[String],
    query: tensile_engine::search::dsl::Query,
    routing: Option<Vec<String>>,
) -> Result<SearchRequest, EsError> {
    Ok(SearchRequest {
        query,
        track_total_hits: TrackTotal::All,
        routing,
        alias_filters: node.engine.alias_filters(expressions, indices).map_err(es_error)?,
        ..SearchRequest::default()
    })
}

/// The indices, the search and the manner of a by-query API over indices
/// (`delete_by_query`, `update_by_query`).
fn query_target(
    node: &Node,
    body: &Map<String, Value>,
    common: &Common<'_>,
    index: &[String],
    options: &impl params::IndicesOptionsParams,
    uri: crate::search::UriQuery<'_>,
    routing: Option<Vec<String>>,
) -> Result<(Vec<String>, SearchRequest, ByQuery), EsError> {
    let how = common.how(body)?;
    let query = query_of(body, uri)?;
    let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, options);
    let indices = node.engine.resolve(index, opts).map_err(es_error)?;
    let search = search_of(node, index, &indices, query, routing)?;
    Ok((indices, search, how))
}

pub fn delete_by_query<'a>(node: &'a Node, req: Request<params::DeleteByQuery>) -> HandlerFuture<'a> {
    let p = &req.params;
    let started = Instant::now();
    let result = (|| {
        let common = over_indices!(p, "delete_by_query");
        let body = body_of(&req, &["query", "max_docs", "slice", "conflicts"])?;
        let uri = crate::search::uri_query!(p);
        let (indices, search, how) = query_target(node, &body, &common, &p.index, p, uri, p.routing.clone())?;
        let done = node.engine.delete_by_query(&indices, &search, &how).map_err(es_error)?;
        if p.refresh == Some(true) {
            node.engine.refresh(&indices).map_err(es_error)?;
        }
        Ok(answer(started, done, &["deleted"]))
    })();
    ready(result)
}

pub fn update_by_query<'a>(node: &'a Node, req: Request<params::UpdateByQuery>) -> HandlerFuture<'a> {
    let p = &req.params;
    let started = Instant::now();
    let result = (|| {
        let common = over_indices!(p, "update_by_query");
        let body = body_of(&req, &["query", "max_docs", "slice", "script", "conflicts"])?;
        if p.pipeline.is_some() {
            return Err(unsupported("the [pipeline] option of [update_by_query]".into()));
        }
        let uri = crate::search::uri_query!(p);
        let (indices, search, how) = query_target(node, &body, &common, &p.index, p, uri, p.routing.clone())?;
        let done = node.engine.update_by_query(&indices, &search, &how).map_err(es_error)?;
        if p.refresh == Some(true) {
            node.engine.refresh(&indices).map_err(es_error)?;
        }
        Ok(answer(started, done, &["updated", "deleted"]))
    })();
    ready(result)
}

pub fn reindex<'a>(node: &'a Node, req: Request<params::Reindex>) -> HandlerFuture<'a> {
    let p = &req.params;
    let started = Instant::now();
    let result = (|| {
        let common = Common {
            api: "reindex",
            wait_for_completion: p.wait_for_completion,
            slices: p.slices.as_deref(),
            max_docs: p.max_docs.map(i64::from),
            conflicts: None,
            batch: None,
        };
        let body = body_of(&req, &["source", "dest", "max_docs", "conflicts", "script"])?;
        let mut how = common.how(&body)?;
        let source =
            body.get("source").and_then(Value::as_object).ok_or_else(|| EsError::validation("source is missing"))?;
        let dest =
            body.get("dest").and_then(Value::as_object).ok_or_else(|| EsError::validation("destination is missing"))?;
        for key in source.keys() {
            if !["index", "query", "size", "_source", "sort"].contains(&key.as_str()) {
                return Err(unsupported(format!("the [source.{key}] option of [reindex]")));
            }
        }
        if source.contains_key("_source") || source.contains_key("sort") {
            return Err(unsupported("the [source._source] and [source.sort] options of [reindex]".into()));
        }
        for key in dest.keys() {
            if !["index", "op_type", "version_type", "routing"].contains(&key.as_str()) {
                return Err(unsupported(format!("the [dest.{key}] option of [reindex]")));
            }
        }
        let expressions = source.get("index").map(crate::documents::string_list).unwrap_or_default();
        if expressions.is_empty() {
            return Err(EsError::validation("use _all if you really want to copy from all existing indexes"));
        }
        let Some(dest_index) = dest.get("index").and_then(Value::as_str) else {
            return Err(EsError::validation("index must be specified"));
        };
        if let Some(size) = source.get("size").and_then(Value::as_u64) {
            how.batch = size as usize;
        }
        let version_type = match dest.get("version_type").and_then(Value::as_str) {
            None => VersionType::Internal,
            Some(name) => VersionType::from_name(name)
                .ok_or_else(|| EsError::illegal_argument(format!("No version type match [{name}]")))?,
        };
        let create_only = match dest.get("op_type").and_then(Value::as_str) {
            None | Some("index") => false,
            Some("create") => true,
            Some(other) => {
                return Err(EsError::illegal_argument(format!("opType must be 'create' or 'index', found: [{other}]")))
            }
        };
        let routing = match dest.get("routing").and_then(Value::as_str) {
            None | Some("keep") => None,
            Some("discard") => Some(None),
            Some(value) => match value.strip_prefix('=') {
                Some(set) => Some(Some(set.to_owned())),
                None => return Err(EsError::illegal_argument(format!("Unsupported routing command [{value}]"))),
            },
        };
        let indices = node.engine.resolve(&expressions, IndicesOptions::STRICT_EXPAND_OPEN).map_err(es_error)?;
        // The destination by its concrete indices (an alias's too).
        let lenient =
            IndicesOptions { ignore_unavailable: true, allow_no_indices: true, ..IndicesOptions::STRICT_EXPAND_OPEN };
        let dest_indices = node.engine.resolve(&[dest_index.to_owned()], lenient).unwrap_or_default();
        if indices.iter().any(|i| i == dest_index || dest_indices.contains(i)) {
            return Err(EsError::illegal_argument(format!(
                "reindex cannot write into an index its reading from [{dest_index}]"
            )));
        }
        let query = crate::search::query_of(source, crate::search::UriQuery::default())?;
        let search = search_of(node, &expressions, &indices, query, None)?;
        let target = Destination { index: dest_index.to_owned(), create_only, version_type, routing };
        let done = node.engine.reindex(&indices, &search, &target, &how).map_err(es_error)?;
        if p.refresh == Some(true) {
            let written = node.engine.write_index(dest_index).map_err(es_error)?;
            node.engine.refresh(&[written]).map_err(es_error)?;
        }
        Ok(answer(started, done, &["created", "updated", "deleted"]))
    })();
    ready(result)
}

/// `POST /_delete_by_query/{task_id}/_rethrottle`. A delete by query runs
/// within its request, never as a task left running, so there is none to
/// rethrottle: a task of this node is missing, another node does not exist.
pub fn rethrottle<'a>(node: &'a Node, req: Request<params::DeleteByQueryRethrottle>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        match p.requests_per_second {
            None => return Err(EsError::illegal_argument("requests_per_second is a required parameter")),
            Some(r) if r <= 0.0 && r != -1.0 => {
                return Err(EsError::illegal_argument(format!(
                    "[requests_per_second] must be a float greater than 0. Use -1 to disable throttling. Found [{r}]"
                )))
            }
            Some(_) => {}
        }
        let Some((task_node, number)) = p.task_id.split_once(':').filter(|(_, n)| n.parse::<u64>().is_ok()) else {
            return Err(EsError::illegal_argument(format!("malformed task id {}", p.task_id)));
        };
        if task_node == node.engine.node().node_id {
            return Err(EsError::new(
                404,
                "resource_not_found_exception",
                format!("task [{task_node}:{number}] is missing"),
            ));
        }
        let missing = format!("No such node [{task_node}]");
        Ok(Response::json(json!({
            "nodes": {},
            "node_failures": [{
                "type": "failed_node_exception",
                "reason": format!("Failed node [{task_node}]"),
                "node_id": task_node,
                "caused_by": { "type": "no_such_node_exception", "reason": missing, "node_id": task_node },
            }],
        })))
    })();
    ready(result)
}
