//! `POST /{index}/_disk_usage`: the bytes each field of each index takes,
//! by Elasticsearch's categories (see the engine's `disk_usage`).

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::disk_usage::FieldDisk;
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

fn field_json(f: &FieldDisk) -> Value {
    json!({
        "total_in_bytes": f.total(),
        "inverted_index": { "total_in_bytes": f.inverted_index },
        "stored_fields_in_bytes": f.stored_fields,
        "doc_values_in_bytes": f.doc_values,
        "points_in_bytes": f.points,
        "norms_in_bytes": f.norms,
        "term_vectors_in_bytes": f.term_vectors,
        "knn_vectors_in_bytes": 0,
    })
}

pub fn disk_usage<'a>(node: &'a Node, req: Request<params::IndicesDiskUsage>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        if p.run_expensive_tasks != Some(true) {
            return Err(EsError::illegal_argument(
                "analyzing the disk usage of an index is expensive and resource-intensive, the parameter [run_expensive_tasks] must be set to [true] in order for the task to be performed.",
            ));
        }
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let names = node.engine.resolve(&p.index, opts).map_err(es_error)?;
        // Flushed first (unless told not to), as Elasticsearch does, so that
        // every write is in a segment.
        if p.flush != Some(false) {
            node.engine.flush(&names).map_err(es_error)?;
        } else {
            node.engine.refresh(&names).map_err(es_error)?;
        }
        let mut out = Map::new();
        let mut shards = 0;
        for name in names {
            let usage = node.engine.disk_usage(&name).map_err(es_error)?;
            shards += node.engine.metadata().indices.get(&name).map_or(0, |m| m.number_of_shards());
            let fields: Map<String, Value> = usage.fields.iter().map(|(k, f)| (k.clone(), field_json(f))).collect();
            out.insert(
                name,
                json!({
                    "store_size_in_bytes": usage.store_bytes,
                    "all_fields": field_json(&usage.all_fields()),
                    "fields": fields,
                }),
            );
        }
        let mut body = Map::new();
        body.insert("_shards".into(), json!({ "total": shards, "successful": shards, "failed": 0 }));
        body.extend(out);
        Ok(Response::json(Value::Object(body)))
    })();
    ready(result)
}
