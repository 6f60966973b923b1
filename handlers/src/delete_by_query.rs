//! `POST /{index}/_delete_by_query`: deletes what a query finds, and
//! answers with Elasticsearch's counts. It runs to its end within the
//! request; `wait_for_completion=false` (a task) and parallel `slices`
//! answer 501 until tasks exist.

use crate::error::es_error;
use crate::node::Node;
use crate::search::query_of;
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::by_query::ByQuery;
use tensile_engine::search::{SearchRequest, TrackTotal};
use tensile_engine::{EngineError, IndicesOptions};
use tensile_generated::params::{self, Conflicts};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// The keys a delete by query's body may hold.
const BODY_KEYS: [&str; 3] = ["query", "max_docs", "slice"];

pub fn delete_by_query<'a>(node: &'a Node, req: Request<params::DeleteByQuery>) -> HandlerFuture<'a> {
    let p = &req.params;
    let started = Instant::now();
    let result = (|| {
        if p.wait_for_completion == Some(false) {
            return Err(crate::search::unsupported(
                "the [wait_for_completion=false] option of [delete_by_query]".into(),
            ));
        }
        if p.slices.as_deref().is_some_and(|s| s != "auto" && s != "1") {
            return Err(crate::search::unsupported("the [slices] option of [delete_by_query]".into()));
        }
        let body: Value = if req.body.is_empty() { json!({}) } else { req.body.json()? };
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(key) = body.keys().find(|k| !BODY_KEYS.contains(&k.as_str())) {
            return Err(es_error(EngineError::Parsing(format!("Unknown key for a START_OBJECT in [{key}]."))));
        }
        if body.contains_key("slice") {
            return Err(crate::search::unsupported("the [slice] option of [delete_by_query]".into()));
        }
        let max_docs = match (p.max_docs, body.get("max_docs")) {
            (Some(n), _) => Some(n),
            (None, Some(v)) => {
                Some(v.as_i64().ok_or_else(|| EsError::illegal_argument("[max_docs] must be a number"))?)
            }
            (None, None) => None,
        };
        if max_docs.is_some_and(|n| n <= 0) {
            return Err(EsError::validation(format!(
                "maxDocs should be greater than 0, but was [{}]",
                max_docs.unwrap_or(0)
            )));
        }
        let query = query_of(body, p.q.as_deref(), p.df.as_deref(), p.default_operator)?;
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let indices = node.engine.resolve(&p.index, opts).map_err(es_error)?;
        let search = SearchRequest {
            query,
            track_total_hits: TrackTotal::All,
            routing: p.routing.clone(),
            alias_filters: node.engine.alias_filters(&p.index, &indices).map_err(es_error)?,
            ..SearchRequest::default()
        };
        let how = ByQuery {
            max_docs: max_docs.map(|n| n as u64),
            proceed_on_conflicts: p.conflicts == Some(Conflicts::Proceed),
            batch: p.scroll_size.filter(|n| *n > 0).unwrap_or(1000) as usize,
        };
        let done = node.engine.delete_by_query(&indices, &search, &how).map_err(es_error)?;
        if p.refresh == Some(true) {
            node.engine.refresh(&indices).map_err(es_error)?;
        }
        let failures: Vec<Value> = done
            .failures
            .into_iter()
            .map(|f| {
                let cause = es_error(f.cause);
                json!({ "index": f.index, "id": f.id, "cause": cause.to_json(false)["error"], "status": cause.status })
            })
            .collect();
        let status = failures.first().and_then(|f| f["status"].as_u64()).map_or(200, |s| s as u16);
        Ok(Response::json_with_status(
            status,
            json!({
                "took": started.elapsed().as_millis() as u64,
                "timed_out": false,
                "total": done.total,
                "deleted": done.deleted,
                "batches": done.batches,
                "version_conflicts": done.version_conflicts,
                "noops": 0,
                "retries": { "bulk": 0, "search": 0 },
                "throttled_millis": 0,
                "requests_per_second": p.requests_per_second.unwrap_or(-1.0),
                "throttled_until_millis": 0,
                "failures": failures,
            }),
        ))
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
