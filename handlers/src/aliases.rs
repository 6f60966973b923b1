//! The alias APIs: put, delete, get, exists, and `POST /_aliases`.

use crate::error::es_error;
use crate::indices::options;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::aliases::AliasAction;
use tensile_engine::resolve::wildcard_match;
use tensile_engine::IndicesOptions;
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

fn acknowledged() -> Response {
    Response::json(json!({ "acknowledged": true }))
}

fn resolve(node: &Node, expressions: &[String]) -> Result<Vec<String>, EsError> {
    let opts = IndicesOptions { allow_no_indices: false, ..IndicesOptions::STRICT_EXPAND_OPEN };
    node.engine.resolve(expressions, opts).map_err(es_error)
}

pub fn put<'a>(node: &'a Node, req: Request<params::IndicesPutAlias>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let definition: Value = if req.body.is_empty() { json!({}) } else { req.body.json()? };
        let indices = resolve(node, &p.index)?;
        node.engine
            .update_aliases(&[AliasAction::Add { indices, alias: p.name.clone(), definition }])
            .map_err(es_error)?;
        Ok(acknowledged())
    })();
    ready(result)
}

pub fn delete<'a>(node: &'a Node, req: Request<params::IndicesDeleteAlias>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let indices = resolve(node, &p.index)?;
        let aliases = if p.name.iter().any(|n| n == "_all") { vec!["*".to_owned()] } else { p.name.clone() };
        node.engine.update_aliases(&[AliasAction::Remove { indices, aliases, must_exist: true }]).map_err(es_error)?;
        Ok(acknowledged())
    })();
    ready(result)
}

/// `index -> {aliases: {name: definition}}` for the aliases matching `names`
/// (all when empty), and the named aliases that matched nothing.
fn matching(node: &Node, indices: &[String], names: &[String]) -> (Map<String, Value>, Vec<String>) {
    let wanted = |alias: &str| names.is_empty() || names.iter().any(|n| n == "_all" || wildcard_match(n, alias));
    let meta = node.engine.metadata();
    let mut out = Map::new();
    for name in indices {
        let Some(index) = meta.indices.get(name) else { continue };
        let aliases: Map<String, Value> =
            index.aliases.iter().filter(|(a, _)| wanted(a)).map(|(a, d)| (a.clone(), d.clone())).collect();
        if names.is_empty() || !aliases.is_empty() {
            out.insert(name.clone(), json!({ "aliases": aliases }));
        }
    }
    let missing = names
        .iter()
        .filter(|n| !n.contains('*') && *n != "_all")
        .filter(|n| !out.values().any(|v| v["aliases"].get(n.as_str()).is_some()))
        .cloned()
        .collect();
    (out, missing)
}

pub fn get<'a>(node: &'a Node, req: Request<params::IndicesGetAlias>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error).map(|indices| {
        let names = p.name.clone().unwrap_or_default();
        let (mut found, missing) = matching(node, &indices, &names);
        if missing.is_empty() {
            return Response::json(Value::Object(found));
        }
        // As Elasticsearch: what was found, with an error naming what was not.
        let what = if missing.len() == 1 { "alias" } else { "aliases" };
        found.insert("error".into(), json!(format!("{what} [{}] missing", missing.join(","))));
        found.insert("status".into(), json!(404));
        Response::json_with_status(404, Value::Object(found))
    });
    ready(result)
}

pub fn exists<'a>(node: &'a Node, req: Request<params::IndicesExistsAlias>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let found = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).is_ok_and(|indices| {
        let (found, missing) = matching(node, &indices, &p.name);
        missing.is_empty() && !found.is_empty()
    });
    ready(Ok(Response::empty(if found { 200 } else { 404 })))
}

/// A list field that may be one string or several (`index`/`indices`).
fn one_or_many(action: &Map<String, Value>, one: &str, many: &str) -> Vec<String> {
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    };
    let mut out: Vec<String> = action.get(one).map(as_list).unwrap_or_default();
    out.extend(action.get(many).map(as_list).unwrap_or_default());
    out
}

pub fn update<'a>(node: &'a Node, req: Request<params::IndicesUpdateAliases>) -> HandlerFuture<'a> {
    let result = (|| {
        let body: Value = req.body.required_json()?;
        let Some(Value::Array(list)) = body.get("actions") else {
            return Err(EsError::validation("no actions specified"));
        };
        let mut actions = Vec::new();
        for entry in list {
            let Some((kind, Value::Object(spec))) = entry.as_object().and_then(|o| o.iter().next()) else {
                return Err(EsError::illegal_argument(format!("malformed alias action [{entry}]")));
            };
            let index_names = one_or_many(spec, "index", "indices");
            if index_names.is_empty() {
                return Err(EsError::validation("One of [index] or [indices] is required"));
            }
            let indices = resolve(node, &index_names)?;
            match kind.as_str() {
                "add" => {
                    let mut definition = spec.clone();
                    for key in ["index", "indices", "alias", "aliases", "must_exist"] {
                        definition.remove(key);
                    }
                    for alias in one_or_many(spec, "alias", "aliases") {
                        actions.push(AliasAction::Add {
                            indices: indices.clone(),
                            alias,
                            definition: Value::Object(definition.clone()),
                        });
                    }
                }
                "remove" => {
                    let must_exist = spec.get("must_exist").and_then(Value::as_bool).unwrap_or(false);
                    actions.push(AliasAction::Remove {
                        indices,
                        aliases: one_or_many(spec, "alias", "aliases"),
                        must_exist,
                    });
                }
                "remove_index" => actions.push(AliasAction::RemoveIndex { indices }),
                other => return Err(EsError::illegal_argument(format!("[alias_action] unknown field [{other}]"))),
            }
        }
        node.engine.update_aliases(&actions).map_err(es_error)?;
        Ok(Response::json(json!({ "acknowledged": true, "errors": false })))
    })();
    ready(result)
}
