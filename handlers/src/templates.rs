//! The template APIs: composable index templates (`_index_template`),
//! component templates (`_component_template`), legacy templates
//! (`_template`), and simulating what a template or a new index would get
//! (`_index_template/_simulate`, `_simulate_index`). The engine keeps and
//! checks them (`tensile_engine::templates`); these handlers read bodies,
//! answer in Elasticsearch's shapes and pass its warnings on.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Value};
use tensile_engine::templates::{self, Kind};
use tensile_engine::EngineError;
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// `{"acknowledged": true}` with a `Warning` header per warning.
fn acknowledged(warnings: Vec<String>) -> Response {
    warnings.iter().fold(Response::json(json!({"acknowledged": true})), |r, w| crate::warnings::with_warning(r, w))
}

fn body<P>(req: &Request<P>) -> Result<Value, EsError> {
    req.body.required_json()
}

fn optional_body<P>(req: &Request<P>) -> Result<Option<Value>, EsError> {
    if req.body.is_empty() {
        Ok(None)
    } else {
        req.body.json().map(Some)
    }
}

fn split(name: &str) -> Vec<String> {
    name.split(',').map(str::to_owned).collect()
}

fn put(
    node: &Node,
    kind: Kind,
    name: &str,
    template: Result<Value, EngineError>,
    create: bool,
) -> Result<Response, EsError> {
    let template = template.map_err(es_error)?;
    node.engine.put_template(kind, name, template, create).map(acknowledged).map_err(es_error)
}

fn delete<'a>(node: &'a Node, kind: Kind, names: &[String]) -> HandlerFuture<'a> {
    let result = node.engine.delete_templates(kind, names).map(|()| acknowledged(Vec::new()));
    ready(result.map_err(es_error))
}

/// The templates of a composable or component GET: a missing name
/// without wildcards is a 404, as Elasticsearch's.
fn listed(node: &Node, kind: Kind, name: Option<&str>, flat: bool) -> Result<Vec<(String, Value)>, EsError> {
    let names = name.map(split);
    let found = node.engine.templates(kind, names.as_deref());
    if let Some(name) = name.filter(|n| !n.contains('*') && *n != "_all") {
        if found.is_empty() {
            let what = if kind == Kind::Component { "component template" } else { "index template" };
            return Err(es_error(EngineError::ResourceNotFound(format!("{what} matching [{name}] not found"))));
        }
    }
    Ok(found.into_iter().map(|(n, t)| (n, templates::shown(&t, flat))).collect())
}

fn exists_status(found: bool) -> HandlerFuture<'static> {
    ready(Ok(Response::empty(if found { 200 } else { 404 })))
}

pub fn put_index_template<'a>(node: &'a Node, req: Request<params::IndicesPutIndexTemplate>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = body(&req).and_then(|b| {
        put(node, Kind::Index, &p.name, templates::read_index_template(&p.name, &b), p.create == Some(true))
    });
    ready(result)
}

pub fn get_index_template<'a>(node: &'a Node, req: Request<params::IndicesGetIndexTemplate>) -> HandlerFuture<'a> {
    let p = &req.params;
    let human = req.raw.query::<bool>("human").ok().flatten().unwrap_or(false);
    let result = listed(node, Kind::Index, p.name.as_deref(), p.flat_settings == Some(true)).map(|found| {
        let list: Vec<Value> = found
            .into_iter()
            .map(|(name, mut t)| {
                if human {
                    with_readable_dates(&mut t);
                }
                json!({"name": name, "index_template": t})
            })
            .collect();
        Response::json(json!({ "index_templates": list }))
    });
    ready(result)
}

/// With `human`: the tracking dates of a composable template also as
/// ISO 8601 text, before their millisecond forms, as Elasticsearch shows them.
fn with_readable_dates(template: &mut Value) {
    let Some(fields) = template.as_object_mut() else { return };
    for (millis, readable) in
        [(templates::CREATED_MILLIS, "created_date"), (templates::MODIFIED_MILLIS, "modified_date")]
    {
        if let Some(ms) = fields.get(millis).and_then(Value::as_i64) {
            let at = fields.keys().position(|k| k == millis).unwrap_or(fields.len());
            fields.shift_insert(at, readable.into(), Value::from(tensile_engine::mapper::date::format_iso_millis(ms)));
        }
    }
}

pub fn exists_index_template<'a>(
    node: &'a Node,
    req: Request<params::IndicesExistsIndexTemplate>,
) -> HandlerFuture<'a> {
    exists_status(!node.engine.templates(Kind::Index, Some(&split(&req.params.name))).is_empty())
}

pub fn delete_index_template<'a>(
    node: &'a Node,
    req: Request<params::IndicesDeleteIndexTemplate>,
) -> HandlerFuture<'a> {
    delete(node, Kind::Index, &req.params.name)
}

pub fn put_component_template<'a>(
    node: &'a Node,
    req: Request<params::ClusterPutComponentTemplate>,
) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = body(&req).and_then(|b| {
        put(node, Kind::Component, &p.name, templates::read_component_template(&p.name, &b), p.create == Some(true))
    });
    ready(result)
}

pub fn get_component_template<'a>(
    node: &'a Node,
    req: Request<params::ClusterGetComponentTemplate>,
) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = listed(node, Kind::Component, p.name.as_deref(), p.flat_settings == Some(true)).map(|found| {
        let list: Vec<Value> =
            found.into_iter().map(|(name, t)| json!({"name": name, "component_template": t})).collect();
        Response::json(json!({ "component_templates": list }))
    });
    ready(result)
}

pub fn exists_component_template<'a>(
    node: &'a Node,
    req: Request<params::ClusterExistsComponentTemplate>,
) -> HandlerFuture<'a> {
    exists_status(!node.engine.templates(Kind::Component, Some(&req.params.name)).is_empty())
}

pub fn delete_component_template<'a>(
    node: &'a Node,
    req: Request<params::ClusterDeleteComponentTemplate>,
) -> HandlerFuture<'a> {
    delete(node, Kind::Component, &req.params.name)
}

/// Elasticsearch's deprecation of the legacy `PUT _template` route.
const LEGACY_DEPRECATED: &str = "Legacy index templates are deprecated in favor of composable templates.";

pub fn put_template<'a>(node: &'a Node, req: Request<params::IndicesPutTemplate>) -> HandlerFuture<'a> {
    let p = &req.params;
    let order = p.order.map(i64::from);
    let result = body(&req).and_then(|b| {
        put(node, Kind::Legacy, &p.name, templates::read_legacy_template(&p.name, &b, order), p.create == Some(true))
    });
    ready(
        result
            .map(|r| crate::warnings::with_warning(r, LEGACY_DEPRECATED))
            .map_err(|e| crate::warnings::error_with_warning(e, LEGACY_DEPRECATED)),
    )
}

/// `GET _template[/{name}]`: templates by name; none found is a 404 with
/// an empty object, unless every template was asked for.
pub fn get_template<'a>(node: &'a Node, req: Request<params::IndicesGetTemplate>) -> HandlerFuture<'a> {
    let p = &req.params;
    let found = node.engine.templates(Kind::Legacy, p.name.as_deref());
    let flat = p.flat_settings == Some(true);
    let out: serde_json::Map<String, Value> =
        found.iter().map(|(n, t)| (n.clone(), templates::shown(t, flat))).collect();
    let status = if out.is_empty() && p.name.is_some() { 404 } else { 200 };
    ready(Ok(Response::json_with_status(status, Value::Object(out))))
}

pub fn exists_template<'a>(node: &'a Node, req: Request<params::IndicesExistsTemplate>) -> HandlerFuture<'a> {
    exists_status(!node.engine.templates(Kind::Legacy, Some(&req.params.name)).is_empty())
}

pub fn delete_template<'a>(node: &'a Node, req: Request<params::IndicesDeleteTemplate>) -> HandlerFuture<'a> {
    let names = split(&req.params.name);
    let result = node.engine.delete_templates(Kind::Legacy, &names).map(|()| acknowledged(Vec::new()));
    ready(result.map_err(es_error))
}

pub fn simulate_index_template<'a>(
    node: &'a Node,
    req: Request<params::IndicesSimulateIndexTemplate>,
) -> HandlerFuture<'a> {
    let result = optional_body(&req)
        .and_then(|b| node.engine.simulate_index(&req.params.name, b.as_ref()).map(Response::json).map_err(es_error));
    ready(result)
}

pub fn simulate_template<'a>(node: &'a Node, req: Request<params::IndicesSimulateTemplate>) -> HandlerFuture<'a> {
    let result = optional_body(&req).and_then(|b| {
        if b.is_none() && req.params.name.is_none() {
            return Err(EsError::validation("must specify either a template to simulate or a template name"));
        }
        node.engine.simulate_template(req.params.name.as_deref(), b.as_ref()).map(Response::json).map_err(es_error)
    });
    ready(result)
}
