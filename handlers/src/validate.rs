//! `_validate/query`: whether a query parses and compiles against the
//! mappings of the indices it targets, with an explanation per index.

use crate::error::es_error;
use crate::node::Node;
use serde_json::json;
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::error::ErrorBody;
use tensile_rest::{ready, HandlerFuture, Request, Response};

/// An error as the answer words it: `[type] reason`.
fn described(e: tensile_rest::EsError) -> String {
    match e.body {
        ErrorBody::Exception { cause, .. } => format!("[{}] {}", cause.kind, cause.reason),
        ErrorBody::Plain(message) => message,
    }
}

pub fn validate_query<'a>(node: &'a Node, req: Request<params::IndicesValidateQuery>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        if let Some(k) = body.as_object().into_iter().flatten().map(|(k, _)| k).find(|k| k.as_str() != "query") {
            return Err(es_error(tensile_engine::EngineError::Parsing(format!("request does not support [{k}]"))));
        }
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let indices = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        let shards: u32 = indices.len() as u32;
        let empty = serde_json::Map::new();
        let parsed = crate::search::query_of(body.as_object().unwrap_or(&empty), crate::search::uri_query!(p));
        let mut explanations = Vec::new();
        let mut error = None;
        match parsed {
            Err(e) => error = Some(described(e)),
            Ok(query) => {
                for index in &indices {
                    match node.engine.validate_query(index, &query) {
                        Ok(explanation) => {
                            explanations.push(json!({"index": index, "valid": true, "explanation": explanation}))
                        }
                        Err(e) => {
                            let message = described(es_error(e));
                            explanations.push(json!({"index": index, "valid": false, "error": message}));
                            error.get_or_insert(message);
                        }
                    }
                }
            }
        }
        let mut answer = json!({
            "_shards": {"total": shards, "successful": shards, "failed": 0},
            "valid": error.is_none(),
        });
        if p.explain == Some(true) {
            match &error {
                Some(e) if explanations.is_empty() => answer["error"] = json!(e),
                _ => answer["explanations"] = json!(explanations),
            }
        }
        Ok(Response::json(answer))
    })();
    ready(result)
}
