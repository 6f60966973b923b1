//! `_resolve/index/{name}`: the indices, aliases and data streams that
//! names and patterns match, each listed as itself; `_resolve/cluster`:
//! the clusters they name, whether each answers and matches.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Value};
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::{ready, HandlerFuture, Request, Response};

pub fn resolve_index<'a>(node: &'a Node, req: Request<params::IndicesResolveIndex>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let meta = node.engine.metadata();
        let (indices, aliases) = tensile_engine::resolve::resolve_names(&meta, &p.name, opts).map_err(es_error)?;
        let indices: Vec<Value> = indices
            .iter()
            .filter_map(|name| meta.indices.get(name))
            .map(|index| {
                let mut attributes =
                    vec![if index.state == tensile_engine::IndexState::Open { "open" } else { "closed" }];
                if index.is_hidden() {
                    attributes.push("hidden");
                }
                attributes.sort_unstable();
                let mut item = json!({ "name": index.name });
                // Listed only when there are some, as Elasticsearch does.
                if !index.aliases.is_empty() {
                    item["aliases"] = json!(index.aliases.keys().collect::<Vec<_>>());
                }
                item["attributes"] = json!(attributes);
                item["mode"] = json!(index.setting("index.mode").unwrap_or("standard"));
                item
            })
            .collect();
        let aliases: Vec<Value> = aliases
            .iter()
            .map(|alias| {
                let mut on = meta.alias_indices(alias);
                on.sort_unstable();
                json!({ "name": alias, "indices": on })
            })
            .collect();
        Ok(Response::json(json!({ "indices": indices, "aliases": aliases, "data_streams": [] })))
    })();
    ready(result)
}

/// `_resolve/cluster[/{name}]`: for each cluster the expressions name,
/// whether it answers and whether they match anything there. This node is
/// the only cluster, `(local)`; a remote name (`cluster:index`) is an error.
pub fn resolve_cluster<'a>(node: &'a Node, req: Request<params::IndicesResolveCluster>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let Some(names) = p.name.as_ref().filter(|n| !n.is_empty()) else {
            // Without expressions: the remote clusters alone, and there are none.
            return Ok(Response::json(json!({})));
        };
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let version = crate::info::VersionInfo::current();
        let mut local = json!({
            "connected": true,
            "skip_unavailable": false,
            "version": {
                "number": version.number,
                "build_flavor": version.build_flavor,
                "minimum_wire_compatibility_version": version.minimum_wire_compatibility_version,
                "minimum_index_compatibility_version": version.minimum_index_compatibility_version,
            },
        });
        match tensile_engine::resolve::resolve_names(&node.engine.metadata(), names, opts) {
            Ok((indices, aliases)) => local["matching_indices"] = json!(!indices.is_empty() || !aliases.is_empty()),
            Err(e @ tensile_engine::EngineError::IndexNotFound { .. }) => local["error"] = json!(e.to_string()),
            Err(e) => return Err(es_error(e)),
        }
        Ok(Response::json(json!({ "(local)": local })))
    })();
    ready(result)
}
