//! Index APIs that make one index from another: clone, shrink and split
//! (a copy with other shards), and rollover (a new write index for an alias).

use crate::error::es_error;
use crate::node::Node;
use serde_json::json;
use tensile_engine::ResizeKind;
use tensile_generated::params;
use tensile_rest::{ready, HandlerFuture, Request, Response};

/// `POST /{index}/_clone|_shrink|_split/{target}`.
fn resize<'a, P>(node: &'a Node, req: &Request<P>, kind: ResizeKind, index: &str, target: &str) -> HandlerFuture<'a> {
    let result = req.body.json_or_empty().and_then(|body| {
        node.engine.resize(kind, index, target, &body).map_err(es_error)?;
        Ok(Response::json(json!({ "acknowledged": true, "shards_acknowledged": true, "index": target })))
    });
    ready(result)
}

pub fn clone<'a>(node: &'a Node, req: Request<params::IndicesClone>) -> HandlerFuture<'a> {
    resize(node, &req, ResizeKind::Clone, &req.params.index, &req.params.target)
}

pub fn shrink<'a>(node: &'a Node, req: Request<params::IndicesShrink>) -> HandlerFuture<'a> {
    resize(node, &req, ResizeKind::Shrink, &req.params.index, &req.params.target)
}

pub fn split<'a>(node: &'a Node, req: Request<params::IndicesSplit>) -> HandlerFuture<'a> {
    resize(node, &req, ResizeKind::Split, &req.params.index, &req.params.target)
}

/// `POST /{alias}/_rollover[/{new_index}]`.
pub fn rollover<'a>(node: &'a Node, req: Request<params::IndicesRollover>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = req.body.json_or_empty().and_then(|body| {
        let done =
            node.engine.rollover(&p.alias, p.new_index.as_deref(), &body, p.dry_run == Some(true)).map_err(es_error)?;
        Ok(Response::json(json!({
            "acknowledged": done.rolled_over,
            "shards_acknowledged": done.rolled_over,
            "old_index": done.old_index,
            "new_index": done.new_index,
            "rolled_over": done.rolled_over,
            "dry_run": done.dry_run,
            "lazy": false,
            "conditions": done.conditions,
        })))
    });
    ready(result)
}
