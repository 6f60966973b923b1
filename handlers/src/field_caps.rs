//! `_field_caps`: the capabilities of the fields of one or more indices,
//! optionally only of the indices an `index_filter` query matches in.

use crate::error::es_error;
use crate::node::Node;
use tensile_engine::search::field_caps;
use tensile_engine::{EngineError, IndicesOptions};
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

pub fn field_caps<'a>(node: &'a Node, req: Request<params::FieldCaps>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        if let Some(key) = body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .find(|k| !["fields", "index_filter", "runtime_mappings"].contains(&k.as_str()))
        {
            return Err(es_error(EngineError::Parsing(format!("request does not support [{key}]"))));
        }
        if body.get("runtime_mappings").is_some_and(|r| r.as_object().is_none_or(|r| !r.is_empty())) {
            return Err(es_error(EngineError::Unsupported("the [runtime_mappings] option of [field_caps]".into())));
        }
        let fields =
            p.fields.clone().or_else(|| body.get("fields").map(crate::documents::names_of)).unwrap_or_default();
        if fields.is_empty() {
            return Err(EsError::validation("specified fields can't be null or empty"));
        }
        let opts = crate::indices::options(IndicesOptions::SEARCH, p);
        let mut indices = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        if let Some(filter) = body.get("index_filter") {
            indices = crate::search::indices_matching(node, indices, filter)?;
        }
        indices.sort();
        let filters = p.filters.clone().unwrap_or_default();
        if let Some(f) = filters
            .iter()
            .find(|f| !["+metadata", "-metadata", "-nested", "-multifield", "-parent"].contains(&f.as_str()))
        {
            return Err(EsError::illegal_argument(format!("{f} is not a recognized filter.")));
        }
        let request = field_caps::Request {
            fields,
            include_unmapped: p.include_unmapped == Some(true),
            filters,
            types: p.types.clone().unwrap_or_default(),
            empty_fields: p.include_empty_fields != Some(false),
        };
        Ok(Response::json(node.engine.field_caps(&indices, &request).map_err(es_error)?))
    })();
    ready(result)
}
