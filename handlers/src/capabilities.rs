//! `GET /_capabilities`: whether this node supports a route, its
//! parameters and named capabilities. Tests and clients ask it before they
//! use newer behaviour, so it must never claim more than Tensile has.

use crate::node::Node;
use serde_json::json;
use tensile_generated::{params, APIS};
use tensile_rest::spec::{template_shape as shape, Method, COMMON_PARAMS};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// The named capabilities Tensile has, by API. Elasticsearch names one for
/// each behaviour added to an existing route; an entry goes here only when
/// that behaviour is built.
pub const CAPABILITIES: &[(&str, &[&str])] = &[
    ("indices.analyze", &["analyze_max_char_count"]),
    ("cluster.health", &["unassigned_pri_shard_count"]),
    ("indices.close", &["wait-for-active-shards-index-setting-removed"]),
    ("indices.create", &["lookup_index_mode"]),
    (
        "indices.put_index_template",
        &["index_template_tracking_info", "index_template_managed_field", "index_template_registry_installed_field"],
    ),
    (
        "search",
        &[
            "range_regexp_interval_queries",
            "highlight_number_of_fragments_bounded",
            "highlight_max_analyzed_offset_default",
            "terms_query_bitmap_format",
            "terms_query_integer_bitmap_format",
        ],
    ),
];

/// Whether `method path` is routed, takes every parameter named, and has
/// every capability named.
pub fn supported(method: Method, path: &str, parameters: &[String], capabilities: &[String]) -> bool {
    let wanted = shape(path.trim_end_matches('/'));
    let wanted = if wanted.is_empty() { "/".to_owned() } else { wanted };
    APIS.iter().any(|api| {
        let routed = api.paths.iter().any(|p| p.methods.contains(&method) && shape(p.template) == wanted);
        let params_ok = parameters.iter().all(|name| {
            api.param(name).is_some()
                || COMMON_PARAMS.iter().any(|c| c.name == name)
                || api.paths.iter().any(|p| p.parts.iter().any(|part| part.name == name))
        });
        let has = CAPABILITIES.iter().find(|(name, _)| *name == api.name).map_or(&[][..], |(_, caps)| *caps);
        let caps_ok = capabilities.iter().all(|c| has.contains(&c.as_str()));
        routed && params_ok && caps_ok
    })
}

pub fn capabilities<'a>(node: &'a Node, req: Request<params::Capabilities>) -> HandlerFuture<'a> {
    let p = req.params;
    let Some(path) = p.path else {
        return ready(Err(EsError::validation("path is missing")));
    };
    let method = p.method.map_or(Method::Get, |m| Method::parse(m.as_str()).unwrap_or(Method::Get));
    let ok = supported(method, &path, &p.parameters.unwrap_or_default(), &p.capabilities.unwrap_or_default());
    ready(Ok(Response::json(
        json!({ "_nodes": { "total": 1, "successful": 1, "failed": 0 }, "cluster_name": node.settings.cluster_name, "supported": ok }),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parameters_and_capabilities() {
        assert!(supported(Method::Get, "/{index}/_stats", &[], &[]));
        assert!(supported(Method::Get, "/{x}/_stats", &["level".into()], &[]));
        assert!(!supported(Method::Get, "/{index}/_stats", &["no_such_param".into()], &[]));
        assert!(!supported(Method::Get, "/{index}/_stats", &[], &["ignored_field_doc_stats_counter".into()]));
        assert!(!supported(Method::Delete, "/_cluster/health", &[], &[]));
        assert!(supported(Method::Get, "/", &[], &[]));
    }
}
