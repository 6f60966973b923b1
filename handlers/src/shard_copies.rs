//! Where each shard's copies are and how they came to be: `_recovery`
//! (every primary recovered from an empty store, its files on disk, or
//! another index's shards) and `_shard_stores` (the stores holding each
//! shard). One node holds every primary; replicas are never assigned.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::IndicesOptions;
use tensile_generated::params::{self, IndicesShardStoresStatus};
use tensile_rest::{ready, HandlerFuture, Request, Response};

/// A duration or instant in milliseconds, as `human` adds it beside the number.
fn human_millis(ms: u64) -> String {
    tensile_rest::TimeValue::from_millis(ms as i64).to_string()
}

/// `GET [/{index}]/_recovery`.
pub fn recovery<'a>(node: &'a Node, req: Request<params::IndicesRecovery>) -> HandlerFuture<'a> {
    let p = &req.params;
    let human = req.raw.query::<bool>("human").ok().flatten().unwrap_or(false);
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let names = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        let mut out = Map::new();
        // Every recovery is done: only ongoing ones are `active_only`.
        if p.active_only == Some(true) {
            return Ok(Response::json(Value::Object(out)));
        }
        for name in names {
            let Ok(meta) = node.engine.index_metadata(&name) else { continue };
            if meta.state != tensile_engine::IndexState::Open {
                continue;
            }
            let resized = meta.setting("index.resize.source.name").map(str::to_owned);
            let recoveries = node.engine.recoveries(&name).map_err(es_error)?;
            let stats = node.engine.shard_stats(&name).map_err(es_error)?;
            let shards: Vec<Value> = recoveries
                .iter()
                .zip(&stats)
                .enumerate()
                .map(|(id, (r, s))| {
                    let kind = match (&resized, r.existing_store) {
                        (_, true) => "EXISTING_STORE",
                        (Some(_), false) => "LOCAL_SHARDS",
                        (None, false) => "EMPTY_STORE",
                    };
                    let took = r.took.as_millis() as u64;
                    let files = if r.existing_store { s.segments.len() as u64 } else { 0 };
                    let bytes = if r.existing_store { s.store_bytes } else { 0 };
                    let mut shard = json!({
                        "id": id,
                        "type": kind,
                        "stage": "DONE",
                        "primary": true,
                        "start_time_in_millis": r.started_millis,
                        "stop_time_in_millis": r.started_millis + took,
                        "total_time_in_millis": took,
                        "source": resized.as_ref().map_or_else(|| json!({}), |source| json!({ "index": source })),
                        "target": {
                            "id": node.engine.node().node_id,
                            "host": node.settings.http_host,
                            "transport_address": format!("{}:{}", node.settings.http_host, node.settings.http_port),
                            "ip": node.settings.http_host,
                            "name": node.settings.node_name,
                        },
                        "index": {
                            "size": {
                                "total_in_bytes": bytes,
                                "reused_in_bytes": bytes,
                                "recovered_in_bytes": 0,
                                "recovered_from_snapshot_in_bytes": 0,
                                "percent": "100.0%",
                            },
                            "files": { "total": files, "reused": files, "recovered": 0, "percent": "100.0%" },
                            "total_time_in_millis": took,
                            "source_throttle_time_in_millis": 0,
                            "target_throttle_time_in_millis": 0,
                        },
                        "translog": {
                            "recovered": r.replayed_operations,
                            "total": r.replayed_operations,
                            "percent": "100.0%",
                            "total_on_start": r.replayed_operations,
                            "total_time_in_millis": took,
                        },
                        "verify_index": { "check_index_time_in_millis": 0, "total_time_in_millis": 0 },
                    });
                    if p.detailed == Some(true) {
                        shard["index"]["files"]["details"] = json!([]);
                    }
                    if human {
                        shard["start_time"] = json!(human_millis(r.started_millis));
                        shard["stop_time"] = json!(human_millis(r.started_millis + took));
                        shard["total_time"] = json!(human_millis(took));
                    }
                    shard
                })
                .collect();
            out.insert(name, json!({ "shards": shards }));
        }
        Ok(Response::json(Value::Object(out)))
    })();
    ready(result)
}

/// `GET [/{index}]/_shard_stores`: the shards whose health is among
/// `status` (by default yellow and red) with the store of each copy.
pub fn shard_stores<'a>(node: &'a Node, req: Request<params::IndicesShardStores>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let names = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        let statuses =
            p.status.clone().unwrap_or_else(|| vec![IndicesShardStoresStatus::Yellow, IndicesShardStoresStatus::Red]);
        let node_id = node.engine.node().node_id.clone();
        let mut indices = Map::new();
        for name in names {
            let Ok(meta) = node.engine.index_metadata(&name) else { continue };
            // The primary is assigned; any replica is not.
            let health = if meta.number_of_replicas() == 0 {
                IndicesShardStoresStatus::Green
            } else {
                IndicesShardStoresStatus::Yellow
            };
            if !statuses.iter().any(|s| *s == health || *s == IndicesShardStoresStatus::All) {
                continue;
            }
            let shards: Map<String, Value> = (0..meta.number_of_shards())
                .map(|shard| {
                    let store = json!({
                        node_id.clone(): crate::search_shards::node_description(node),
                        "allocation_id": format!("{}-{shard}", meta.uuid),
                        "allocation": "primary",
                    });
                    (shard.to_string(), json!({ "stores": [store] }))
                })
                .collect();
            indices.insert(name, json!({ "shards": shards }));
        }
        Ok(Response::json(json!({ "indices": indices })))
    })();
    ready(result)
}
