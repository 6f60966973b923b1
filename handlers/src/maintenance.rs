//! The index APIs that work on shards without changing documents: refresh,
//! flush, force merge and clear cache. Each answers with the `_shards` of
//! the indices it ran on: every copy in `total`, the primaries as
//! `successful` (replicas are never assigned on one node).

use crate::error::es_error;
use crate::node::Node;
use serde_json::json;
use tensile_engine::{EngineError, IndicesOptions};
use tensile_generated::params::{self, IndicesOptionsParams};
use tensile_rest::{ready, HandlerFuture, Request, Response};

/// Runs `op` over the indices a request names and answers with their `_shards`.
fn broadcast<'a>(
    node: &'a Node,
    index: &Option<Vec<String>>,
    p: &impl IndicesOptionsParams,
    op: impl FnOnce(&[String]) -> Result<u32, EngineError>,
) -> HandlerFuture<'a> {
    let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = node
        .engine
        .resolve(index.as_deref().unwrap_or_default(), opts)
        .and_then(|names| {
            let successful = op(&names)?;
            let meta = node.engine.metadata();
            let total: u32 = names
                .iter()
                .filter_map(|n| meta.indices.get(n))
                .map(|m| m.number_of_shards() * (1 + m.number_of_replicas()))
                .sum();
            Ok((total, successful))
        })
        .map_err(es_error)
        .map(|(total, successful)| {
            Response::json(json!({ "_shards": { "total": total, "successful": successful, "failed": 0 } }))
        });
    ready(result)
}

pub fn refresh<'a>(node: &'a Node, req: Request<params::IndicesRefresh>) -> HandlerFuture<'a> {
    let p = &req.params;
    broadcast(node, &p.index, p, |names| node.engine.refresh(names))
}

pub fn flush<'a>(node: &'a Node, req: Request<params::IndicesFlush>) -> HandlerFuture<'a> {
    let p = &req.params;
    broadcast(node, &p.index, p, |names| node.engine.flush(names))
}

pub fn forcemerge<'a>(node: &'a Node, req: Request<params::IndicesForcemerge>) -> HandlerFuture<'a> {
    let p = &req.params;
    if let (Some(_), Some(true)) = (p.max_num_segments, p.only_expunge_deletes) {
        return ready(Err(tensile_rest::EsError::validation("cannot set only_expunge_deletes and max_num_segments at the same time, those two parameters are mutually exclusive")));
    }
    let max = p.max_num_segments.map(|n| n.max(1) as usize);
    let expunge = p.only_expunge_deletes.unwrap_or(false);
    let flush = p.flush.unwrap_or(true);
    broadcast(node, &p.index, p, |names| {
        let shards = node.engine.force_merge(names, max, expunge)?;
        if flush {
            node.engine.flush(names)?;
        }
        Ok(shards)
    })
}

/// Tensile keeps no query, request or fielddata cache yet, so there is
/// nothing to clear; the answer names the shards it covered.
pub fn clear_cache<'a>(node: &'a Node, req: Request<params::IndicesClearCache>) -> HandlerFuture<'a> {
    let p = &req.params;
    broadcast(node, &p.index, p, |names| {
        names.iter().try_fold(0, |n, name| Ok(n + node.engine.shard_stats(name)?.len() as u32))
    })
}
