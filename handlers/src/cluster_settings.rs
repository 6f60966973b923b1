//! `PUT /_cluster/settings` and `GET /_cluster/settings`: persistent and
//! transient cluster settings (`tensile_engine::cluster_settings` keeps
//! them and knows their types), shown nested or, with `flat_settings`,
//! flat; `include_defaults` adds every known setting's default.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Value};
use tensile_engine::cluster_settings::{read, Scope};
use tensile_engine::settings::{flat, nested, FlatSettings};
use tensile_generated::params;
use tensile_rest::{ready, ErrorCause, EsError, HandlerFuture, Request, Response};

/// Elasticsearch's deprecation warning for any transient setting changed.
const TRANSIENT_DEPRECATED: &str = "[transient settings removal] Updating cluster settings through transient settings is deprecated. Some Elastic products may make use of transient settings and those should not be changed. Any custom use of transient settings should be replaced by persistent settings.";

fn shown(settings: &FlatSettings, flat_settings: bool) -> Value {
    if flat_settings {
        flat(settings)
    } else {
        nested(settings)
    }
}

pub fn put<'a>(node: &'a Node, req: Request<params::ClusterPutSettings>) -> HandlerFuture<'a> {
    let result = (|| {
        let body: Value = req.body.required_json()?;
        if !body.is_object() {
            return Err(EsError::parse("request body must be an object"));
        }
        // Other fields are ignored, as Elasticsearch reads only these two.
        let scope = |name: &str, scope: Scope| read(scope, body.get(name).unwrap_or(&Value::Null)).map_err(es_error);
        let persistent = scope("persistent", Scope::Persistent)?;
        let transient = scope("transient", Scope::Transient)?;
        if persistent.is_empty() && transient.is_empty() {
            return Err(EsError::validation("no settings to update"));
        }
        let updated = node.engine.put_cluster_settings(&persistent, &transient).map_err(es_error)?;
        let flat_settings = req.params.flat_settings == Some(true);
        let response = Response::json(json!({
            "acknowledged": true,
            "persistent": shown(&updated.persistent, flat_settings),
            "transient": shown(&updated.transient, flat_settings),
        }));
        Ok(if transient.is_empty() { response } else { crate::warnings::with_warning(response, TRANSIENT_DEPRECATED) })
    })();
    ready(result)
}

pub fn get<'a>(node: &'a Node, req: Request<params::ClusterGetSettings>) -> HandlerFuture<'a> {
    let p = &req.params;
    let flat_settings = p.flat_settings == Some(true);
    let (persistent, transient) = node.engine.cluster_settings();
    let mut body = json!({
        "persistent": shown(&persistent, flat_settings),
        "transient": shown(&transient, flat_settings),
    });
    if p.include_defaults == Some(true) {
        let mut defaults = node.engine.cluster_defaults();
        defaults.retain(|k, _| !persistent.contains_key(k) && !transient.contains_key(k));
        body["defaults"] = shown(&defaults, flat_settings);
    }
    ready(Ok(Response::json(body)))
}

/// Refuses a scroll or point-in-time keep-alive beyond
/// `search.max_keep_alive`. Elasticsearch checks it on each shard, so the
/// search fails as one whose every shard failed, grouped by index.
pub fn check_keep_alive(node: &Node, indices: &[String], keep_alive: std::time::Duration) -> Result<(), EsError> {
    let max = node.engine.cluster_time_setting("search.max_keep_alive");
    let asked = tensile_rest::TimeValue::from_nanos(i64::try_from(keep_alive.as_nanos()).unwrap_or(i64::MAX));
    if max.nanos() < 0 || asked.nanos() <= max.nanos() {
        return Ok(());
    }
    let reason = format!(
        "Keep alive for request ({asked}) is too large. It must be less than ({max}). This limit can be set by changing the [search.max_keep_alive] cluster level setting."
    );
    let cause = || ErrorCause::new("illegal_argument_exception", reason.clone());
    let failed: Vec<Value> = indices
        .iter()
        .map(|index| {
            json!({
                "shard": 0, "index": index, "node": node.engine.node().node_id,
                "reason": { "type": "illegal_argument_exception", "reason": reason },
            })
        })
        .collect();
    Err(EsError::new(400, "search_phase_execution_exception", "all shards failed")
        .with_metadata("phase", "query")
        .with_metadata("grouped", true)
        .with_metadata("failed_shards", Value::Array(failed))
        .with_cause(cause())
        .with_root_causes(vec![cause()]))
}
