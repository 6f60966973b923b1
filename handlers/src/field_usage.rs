//! `GET /{index}/_field_usage_stats`: each shard's counts of how searches
//! used each field since the shard opened (see the engine's `field_usage`).

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::field_usage::{FieldUses, Use};
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::{ready, HandlerFuture, Request, Response};

fn uses_json(u: &FieldUses) -> Value {
    json!({
        "any": u.any,
        "inverted_index": {
            "terms": u.count(Use::Terms),
            "postings": u.count(Use::Postings),
            "term_frequencies": u.count(Use::TermFrequencies),
            "positions": u.count(Use::Positions),
            "offsets": u.count(Use::Offsets),
            "payloads": 0,
            "proximity": u.count(Use::Proximity),
        },
        "stored_fields": u.count(Use::StoredFields),
        "doc_values": u.count(Use::DocValues),
        "points": u.count(Use::Points),
        "norms": u.count(Use::Norms),
        "term_vectors": u.count(Use::TermVectors),
        "knn_vectors": 0,
    })
}

pub fn field_usage_stats<'a>(node: &'a Node, req: Request<params::IndicesFieldUsageStats>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let names = node.engine.resolve(&p.index, opts).map_err(es_error)?;
        let wanted = |field: &str| {
            p.fields.as_ref().is_none_or(|patterns| {
                patterns.iter().any(|pattern| tensile_engine::resolve::wildcard_match(pattern, field))
            })
        };
        let node_id = node.engine.node().node_id.clone();
        let mut out = Map::new();
        let mut total = 0;
        for name in names {
            let mut shards = Vec::new();
            for report in node.engine.field_usage(&name).map_err(es_error)? {
                total += 1;
                let mut all = FieldUses::default();
                let mut shown = Map::new();
                for (field, uses) in report.fields.iter().filter(|(f, _)| wanted(f)) {
                    all.add(uses);
                    shown.insert(field.clone(), uses_json(uses));
                }
                shards.push(json!({
                    "tracking_id": report.tracking_id,
                    "tracking_started_at_millis": report.started_millis,
                    "routing": { "state": "STARTED", "primary": true, "node": node_id, "relocating_node": null },
                    "stats": { "all_fields": uses_json(&all), "fields": shown },
                }));
            }
            out.insert(name, json!({ "shards": shards }));
        }
        let mut body = Map::new();
        body.insert("_shards".into(), json!({ "total": total, "successful": total, "failed": 0 }));
        body.extend(out);
        Ok(Response::json(Value::Object(body)))
    })();
    ready(result)
}
