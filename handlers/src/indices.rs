//! The index APIs built so far: create, delete, exists, get, and reading
//! mappings and settings.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{Map, Value};
use tensile_engine::settings::{flat, nested};
use tensile_engine::{IndexMetadata, IndicesOptions};
use tensile_generated::params::{self, IndicesOptionsParams};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// The options of an API, with the request's overrides.
pub(crate) fn options(base: IndicesOptions, p: &impl IndicesOptionsParams) -> IndicesOptions {
    let mut opts = base;
    if let Some(v) = p.ignore_unavailable() {
        opts.ignore_unavailable = v;
    }
    if let Some(v) = p.allow_no_indices() {
        opts.allow_no_indices = v;
    }
    if let Some(values) = p.expand_wildcards() {
        opts = opts.with_expand_wildcards(values.iter().map(|v| v.as_str()));
    }
    opts
}

/// The indices of a request, resolved, and the metadata of each.
fn resolved(node: &Node, expressions: &[String], opts: IndicesOptions) -> Result<Vec<IndexMetadata>, EsError> {
    let names = node.engine.resolve(expressions, opts).map_err(es_error)?;
    let meta = node.engine.metadata();
    Ok(names.iter().filter_map(|n| meta.indices.get(n).cloned()).collect())
}

/// An index's settings as `GET /{index}` shows them; with `human`, also
/// its creation date and version in readable form.
fn settings_json(index: &IndexMetadata, flat_settings: bool, human: bool) -> Value {
    let mut settings = index.settings.clone();
    if human {
        if let Some(created) = index.setting("index.creation_date").and_then(|d| d.parse::<i64>().ok()) {
            let readable = tensile_engine::mapper::date::format_iso_millis(created);
            settings.insert("index.creation_date_string".into(), Value::from(readable));
        }
        if let Some(id) = index.setting("index.version.created").and_then(|v| v.parse::<u64>().ok()) {
            // Elasticsearch's version ids: major, then two digits each of minor and revision, then build.
            let readable = format!("{}.{}.{}", id / 1_000_000, id / 10_000 % 100, id / 100 % 100);
            settings.insert("index.version.created_string".into(), Value::from(readable));
        }
    }
    if flat_settings {
        flat(&settings)
    } else {
        nested(&settings)
    }
}

pub fn create<'a>(node: &'a Node, req: Request<params::IndicesCreate>) -> HandlerFuture<'a> {
    let result =
        req.body.json_or_empty().and_then(|body| node.engine.create_index(&req.params.index, &body).map_err(es_error));
    ready(result.map(|index| {
        Response::json(serde_json::json!({ "acknowledged": true, "shards_acknowledged": true, "index": index.name }))
    }))
}

pub fn delete<'a>(node: &'a Node, req: Request<params::IndicesDelete>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::DELETE, p);
    let result = node
        .engine
        .check_destructive(&p.index)
        .and_then(|()| node.engine.resolve(&p.index, opts))
        .and_then(|names| node.engine.delete_indices(&names))
        .map_err(es_error)
        .map(|()| Response::json(serde_json::json!({ "acknowledged": true })));
    ready(result)
}

pub fn exists<'a>(node: &'a Node, req: Request<params::IndicesExists>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let found = node.engine.resolve(&p.index, opts).is_ok_and(|names| !names.is_empty());
    ready(Ok(Response::empty(if found { 200 } else { 404 })))
}

pub fn get<'a>(node: &'a Node, req: Request<params::IndicesGet>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let wanted = |feature: &str| p.features.as_ref().is_none_or(|f| f.iter().any(|x| x.as_str() == feature));
    let result = resolved(node, &p.index, opts).map(|indices| {
        let mut out = Map::new();
        for index in indices {
            let mut entry = Map::new();
            if wanted("aliases") {
                entry.insert("aliases".into(), Value::Object(index.aliases.clone().into_iter().collect()));
            }
            if wanted("mappings") {
                entry.insert("mappings".into(), index.mappings.clone());
            }
            if wanted("settings") {
                let human = req.raw.query::<bool>("human").ok().flatten().unwrap_or(false);
                entry.insert("settings".into(), settings_json(&index, p.flat_settings.unwrap_or(false), human));
            }
            out.insert(index.name.clone(), Value::Object(entry));
        }
        Response::json(Value::Object(out))
    });
    ready(result)
}

pub fn get_mapping<'a>(node: &'a Node, req: Request<params::IndicesGetMapping>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = resolved(node, p.index.as_deref().unwrap_or_default(), opts).map(|indices| {
        let out: Map<String, Value> =
            indices.into_iter().map(|i| (i.name.clone(), serde_json::json!({ "mappings": i.mappings }))).collect();
        Response::json(Value::Object(out))
    });
    ready(result)
}

/// Every leaf field of a mapping: its full path, its own name and its
/// definition (multi-fields included, under their parent's path).
fn leaf_fields<'m>(props: &'m Value, prefix: &str, out: &mut Vec<(String, &'m str, &'m Value)>) {
    let Some(props) = props.as_object() else { return };
    for (name, def) in props {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        if let Some(children) = def.get("properties") {
            leaf_fields(children, &path, out);
            continue;
        }
        if def.get("type").is_some() {
            out.push((path.clone(), name, def));
        }
        if let Some(subs) = def.get("fields") {
            leaf_fields(subs, &path, out);
        }
    }
}

pub fn get_field_mapping<'a>(node: &'a Node, req: Request<params::IndicesGetFieldMapping>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = resolved(node, p.index.as_deref().unwrap_or_default(), opts).map(|indices| {
        let mut out = Map::new();
        for index in indices {
            let mut leaves = Vec::new();
            leaf_fields(index.mappings.get("properties").unwrap_or(&Value::Null), "", &mut leaves);
            let fields: Map<String, Value> = leaves
                .into_iter()
                .filter(|(path, _, _)| p.fields.iter().any(|f| tensile_engine::resolve::wildcard_match(f, path)))
                .map(|(path, name, def)| {
                    (path.clone(), serde_json::json!({ "full_name": path, "mapping": { name: def } }))
                })
                .collect();
            out.insert(index.name.clone(), serde_json::json!({ "mappings": fields }));
        }
        Response::json(Value::Object(out))
    });
    ready(result)
}

pub fn get_settings<'a>(node: &'a Node, req: Request<params::IndicesGetSettings>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let names = p.name.clone().unwrap_or_default();
    let result = resolved(node, p.index.as_deref().unwrap_or_default(), opts).map(|indices| {
        let mut out = Map::new();
        let flat_form = p.flat_settings.unwrap_or(false);
        let shape = |s: &tensile_engine::settings::FlatSettings| if flat_form { flat(s) } else { nested(s) };
        let wanted = |key: &str| {
            names.is_empty() || names.iter().any(|n| n == "_all" || tensile_engine::resolve::wildcard_match(n, key))
        };
        for mut index in indices {
            let mut defaults = tensile_engine::settings::defaults(&index.settings);
            index.settings.retain(|key, _| wanted(key));
            let mut entry = serde_json::json!({ "settings": shape(&index.settings) });
            if p.include_defaults == Some(true) {
                defaults.retain(|key, _| wanted(key));
                entry["defaults"] = shape(&defaults);
            }
            out.insert(index.name.clone(), entry);
        }
        Response::json(Value::Object(out))
    });
    ready(result)
}

pub fn close<'a>(node: &'a Node, req: Request<params::IndicesClose>) -> HandlerFuture<'a> {
    let p = &req.params;
    if p.wait_for_active_shards.as_deref().is_some_and(|w| w.eq_ignore_ascii_case("index-setting")) {
        return ready(Err(EsError::illegal_argument(
            "The 'index-setting' value for parameter 'wait_for_active_shards' is the default behaviour and this configuration value is not supported anymore. Please remove 'wait_for_active_shards=index-setting'",
        )));
    }
    let opts = options(IndicesOptions { allow_no_indices: false, ..IndicesOptions::STRICT_EXPAND_OPEN }, p);
    let result =
        node.engine.check_destructive(&p.index).and_then(|()| node.engine.resolve(&p.index, opts)).and_then(|names| {
            node.engine.close_indices(&names)?;
            let closed: Map<String, Value> =
                names.into_iter().map(|n| (n, serde_json::json!({ "closed": true }))).collect();
            Ok(Response::json(
                serde_json::json!({ "acknowledged": true, "shards_acknowledged": true, "indices": closed }),
            ))
        });
    ready(result.map_err(es_error))
}

pub fn open<'a>(node: &'a Node, req: Request<params::IndicesOpen>) -> HandlerFuture<'a> {
    let p = &req.params;
    let base = IndicesOptions { allow_no_indices: false, ..IndicesOptions::STRICT_EXPAND_OPEN }
        .with_expand_wildcards(["closed"]);
    let opts = options(base, p);
    let result = node
        .engine
        .resolve(&p.index, opts)
        .and_then(|names| node.engine.open_indices(&names))
        .map(|()| Response::json(serde_json::json!({ "acknowledged": true, "shards_acknowledged": true })));
    ready(result.map_err(es_error))
}

pub fn put_settings<'a>(node: &'a Node, req: Request<params::IndicesPutSettings>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN.with_expand_wildcards(["open", "closed"]), p);
    let result = (|| {
        let body: Value = req.body.required_json()?;
        let body = body.get("settings").cloned().unwrap_or(body);
        let names = node.engine.resolve(p.index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
        let how = tensile_engine::lifecycle::SettingsUpdate {
            preserve_existing: p.preserve_existing == Some(true),
            reopen: p.reopen == Some(true),
        };
        node.engine.update_settings_with(&names, &body, how).map_err(es_error)?;
        Ok(Response::json(serde_json::json!({ "acknowledged": true })))
    })();
    ready(result)
}

pub fn put_mapping<'a>(node: &'a Node, req: Request<params::IndicesPutMapping>) -> HandlerFuture<'a> {
    let p = &req.params;
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    let result = (|| {
        let body: Value = req.body.required_json()?;
        // A mapping wrapped in its type, as before 8.0 (`RestPutMappingAction`).
        if body.as_object().is_some_and(|m| m.len() == 1 && m.contains_key("_doc")) {
            return Err(EsError::illegal_argument("Types cannot be provided in put mapping requests"));
        }
        let names = node.engine.resolve(&p.index, opts).map_err(es_error)?;
        node.engine.put_mapping(&names, &body).map_err(es_error)?;
        Ok(Response::json(serde_json::json!({ "acknowledged": true })))
    })();
    ready(result)
}

/// `PUT /{index}/_block/{block}` and `DELETE /{index}/_block/{block}`.
fn change_block<'a>(
    node: &'a Node,
    index: &[String],
    block: params::Block,
    p: &impl IndicesOptionsParams,
    on: bool,
) -> HandlerFuture<'a> {
    let opts = options(IndicesOptions::STRICT_EXPAND_OPEN, p);
    // Adding a block is destructive; removing one is not.
    let destructive = if on { node.engine.check_destructive(index) } else { Ok(()) };
    let result = destructive
        .and_then(|()| node.engine.resolve(index, opts))
        .and_then(|names| node.engine.set_block(&names, block.as_str(), on).map(|()| names))
        .map_err(es_error)
        .map(|names| {
            let flag = if on { "blocked" } else { "unblocked" };
            let indices: Vec<Value> = names.iter().map(|n| serde_json::json!({ "name": n, flag: true })).collect();
            let mut body = serde_json::json!({ "acknowledged": true, "indices": indices });
            if on {
                body["shards_acknowledged"] = Value::Bool(true);
            }
            Response::json(body)
        });
    ready(result)
}

pub fn add_block<'a>(node: &'a Node, req: Request<params::IndicesAddBlock>) -> HandlerFuture<'a> {
    let p = &req.params;
    change_block(node, &p.index, p.block, p, true)
}

pub fn remove_block<'a>(node: &'a Node, req: Request<params::IndicesRemoveBlock>) -> HandlerFuture<'a> {
    let p = &req.params;
    change_block(node, &p.index, p.block, p, false)
}
