//! `_terms_enum`: the terms of a keyword field that start with a string
//! (autocompletion in Kibana's filter bar), over the indices whose
//! documents `index_filter` matches.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::search::terms_enum::TermsEnumRequest;
use tensile_engine::{EngineError, IndicesOptions};
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

const BODY_KEYS: [&str; 7] = ["field", "string", "size", "timeout", "case_insensitive", "index_filter", "search_after"];

pub fn terms_enum<'a>(node: &'a Node, req: Request<params::TermsEnum>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let empty = Map::new();
        let body = body.as_object().unwrap_or(&empty);
        if let Some(key) = body.keys().find(|k| !BODY_KEYS.contains(&k.as_str())) {
            return Err(es_error(EngineError::XContentParse(format!("[terms_enum_request] unknown field [{key}]"))));
        }
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
        let Some(field) = text("field") else { return Err(EsError::validation("field cannot be null")) };
        let size = match body.get("size") {
            None => 10,
            Some(v) => {
                v.as_u64().ok_or_else(|| EsError::illegal_argument("[size] must be a positive number"))? as usize
            }
        };
        let request = TermsEnumRequest {
            field,
            prefix: text("string").unwrap_or_default(),
            case_insensitive: body.get("case_insensitive").is_some_and(|v| v == true),
            search_after: text("search_after"),
            size,
        };
        // No multi-index options: a search's defaults.
        let mut indices = node.engine.resolve(&p.index, IndicesOptions::SEARCH).map_err(es_error)?;
        if let Some(filter) = body.get("index_filter") {
            indices = crate::search::indices_matching(node, indices, filter)?;
        }
        let (terms, shards) = node.engine.terms_enum(&indices, &request).map_err(es_error)?;
        Ok(Response::json(json!({
            "_shards": { "total": shards, "successful": shards, "failed": 0 },
            "terms": terms,
            "complete": true,
        })))
    })();
    ready(result)
}
