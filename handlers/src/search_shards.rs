//! `_search_shards`: the shards a search over the given indices (and
//! routing values) would run on, and the node holding them.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::{ready, HandlerFuture, Request, Response};

pub fn search_shards<'a>(node: &'a Node, req: Request<params::SearchShards>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let indices = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        let node_id = node.engine.node().node_id.clone();
        let mut groups = Vec::new();
        let mut listed = Map::new();
        for index in &indices {
            let (uuid, shards) = match node.engine.metadata().indices.get(index) {
                Some(meta) => (meta.uuid.clone(), meta.number_of_shards()),
                None => continue,
            };
            let mut numbers: Vec<u32> = match &p.routing {
                Some(values) => {
                    values.iter().map(|r| node.engine.route(index, r)).collect::<Result<_, _>>().map_err(es_error)?
                }
                None => (0..shards).collect(),
            };
            numbers.sort_unstable();
            numbers.dedup();
            for shard in numbers {
                groups.push(json!([{
                    "state": "STARTED",
                    "primary": true,
                    "node": node_id,
                    "relocating_node": null,
                    "shard": shard,
                    "index": index,
                    "allocation_id": {"id": format!("{uuid}-{shard}")},
                }]));
            }
            listed.insert(index.clone(), json!({}));
        }
        let nodes = json!({ node_id: node_description(node) });
        Ok(Response::json(json!({"nodes": nodes, "indices": Value::Object(listed), "shards": groups})))
    })();
    ready(result)
}

/// The node, as the shard APIs describe the node a shard copy is on.
pub(crate) fn node_description(node: &Node) -> Value {
    let name = &node.settings.node_name;
    json!({
        "name": name,
        "ephemeral_id": node.engine.node().node_id,
        "transport_address": format!("{}:{}", node.settings.http_host, node.settings.http_port),
        "external_id": name,
        "attributes": {},
        "roles": ["data", "ingest", "master"],
        "version": tensile_generated::SPEC_VERSION,
        "min_index_version": 8_000_099,
        "max_index_version": 9_000_000,
    })
}
