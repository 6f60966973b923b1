//! The alias APIs: put, delete, get, exists, and `POST /_aliases`.

use crate::error::{es_error, exception_json};
use crate::indices::options;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::alias_expression::AliasExpression;
use tensile_engine::aliases::AliasAction;
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
        let definition = req.body.json_or_empty()?;
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
        let remove = AliasAction::Remove { indices, aliases, must_exist: true };
        node.engine.update_aliases(&[remove]).map_err(es_error)?;
        Ok(acknowledged())
    })();
    ready(result)
}

/// `index -> {aliases: {name: definition}}` for the aliases matching the
/// alias-name expression `names` (all when empty; only indices with a
/// matching alias when names are given), and the named aliases that
/// matched nothing.
fn matching(node: &Node, indices: &[String], names: &[String]) -> (Map<String, Value>, Vec<String>) {
    let expression = AliasExpression::new(names);
    let meta = node.engine.metadata();
    let mut out = Map::new();
    for name in indices {
        let Some(index) = meta.indices.get(name) else { continue };
        let aliases: Map<String, Value> =
            index.aliases.iter().filter(|(a, _)| expression.matches(a)).map(|(a, d)| (a.clone(), d.clone())).collect();
        if names.is_empty() || !aliases.is_empty() {
            out.insert(name.clone(), json!({ "aliases": aliases }));
        }
    }
    let missing = expression.missing(|n| out.values().any(|v| v["aliases"].get(n).is_some()));
    (out, missing)
}

pub fn get<'a>(node: &'a Node, req: Request<params::IndicesGetAlias>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error).map(|indices| {
        let names = p.name.clone().unwrap_or_default();
        let (found, missing) = matching(node, &indices, &names);
        if missing.is_empty() {
            return Response::json(Value::Object(found));
        }
        // As Elasticsearch: an error naming what was not found, then what was.
        let what = if missing.len() == 1 { "alias" } else { "aliases" };
        let mut body = Map::new();
        body.insert("error".into(), json!(format!("{what} [{}] missing", missing.join(","))));
        body.insert("status".into(), json!(404));
        body.extend(found);
        Response::json_with_status(404, Value::Object(body))
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

/// One action of `POST /_aliases` as its result names it.
struct Requested {
    kind: String,
    indices: Vec<String>,
    aliases: Vec<String>,
    /// The engine actions it became.
    actions: std::ops::Range<usize>,
}

/// Reads the body's actions into engine actions, remembering which
/// requested action each came from.
fn read_actions(node: &Node, body: &Value) -> Result<(Vec<Requested>, Vec<AliasAction>), EsError> {
    let Some(Value::Array(list)) = body.get("actions") else {
        return Err(EsError::validation("no actions specified"));
    };
    let mut requested = Vec::new();
    let mut actions = Vec::new();
    for entry in list {
        let Some((kind, Value::Object(spec))) = entry.as_object().and_then(|o| o.iter().next()) else {
            return Err(EsError::illegal_argument(format!("malformed alias action [{entry}]")));
        };
        if kind != "remove" && spec.contains_key("must_exist") {
            return Err(EsError::illegal_argument(format!(
                "[must_exist] is unsupported for [{}]",
                kind.to_ascii_uppercase()
            )));
        }
        let index_names = one_or_many(spec, "index", "indices");
        if index_names.is_empty() {
            return Err(EsError::validation("One of [index] or [indices] is required"));
        }
        let indices = resolve(node, &index_names)?;
        let aliases = one_or_many(spec, "alias", "aliases");
        let first = actions.len();
        match kind.as_str() {
            "add" => {
                let mut definition = spec.clone();
                for key in ["index", "indices", "alias", "aliases", "must_exist"] {
                    definition.remove(key);
                }
                for alias in &aliases {
                    actions.push(AliasAction::Add {
                        indices: indices.clone(),
                        alias: alias.clone(),
                        definition: Value::Object(definition.clone()),
                    });
                }
            }
            "remove" => {
                let must_exist = spec.get("must_exist").and_then(Value::as_bool).unwrap_or(false);
                actions.push(AliasAction::Remove { indices: indices.clone(), aliases: aliases.clone(), must_exist });
            }
            "remove_index" => actions.push(AliasAction::RemoveIndex { indices: indices.clone() }),
            other => return Err(EsError::illegal_argument(format!("[alias_action] unknown field [{other}]"))),
        }
        requested.push(Requested { kind: kind.clone(), indices, aliases, actions: first..actions.len() });
    }
    Ok((requested, actions))
}

pub fn update<'a>(node: &'a Node, req: Request<params::IndicesUpdateAliases>) -> HandlerFuture<'a> {
    let result = (|| {
        let body: Value = req.body.required_json()?;
        let (requested, actions) = read_actions(node, &body)?;
        let outcomes = node.engine.update_aliases(&actions).map_err(es_error)?;
        let errors: Vec<Option<EsError>> = outcomes.into_iter().map(|o| o.map(es_error)).collect();
        if errors.iter().all(Option::is_none) {
            return Ok(Response::json(json!({ "acknowledged": true, "errors": false })));
        }
        // Some actions failed alone: a result per requested action.
        let results: Vec<Value> = requested
            .into_iter()
            .map(|r| {
                let mut result = json!({
                    "action": { "type": r.kind, "indices": r.indices, "aliases": r.aliases },
                    "status": 200,
                });
                if let Some(error) = errors[r.actions].iter().flatten().next() {
                    result["status"] = json!(error.status);
                    result["error"] = exception_json(error);
                }
                result
            })
            .collect();
        Ok(Response::json(json!({ "acknowledged": true, "errors": true, "action_results": results })))
    })();
    ready(result)
}
