//! How templates shape a new index, as Elasticsearch's
//! `MetadataCreateIndexService` applies them.
//!
//! The composable template of the highest priority whose patterns match
//! the name wins (global `*` templates are passed over for a hidden
//! index); its component templates in `composed_of` order, then its own
//! template, then the request's body are merged, later ones winning. Only
//! when no composable template matches do legacy templates apply, every
//! matching one, in ascending `order`. Settings merge key by key, aliases
//! by name (`{index}` in a name is the new index's), and mappings as
//! Elasticsearch merges templates': objects merge field by field, and any
//! other field's later definition replaces the earlier one.

use crate::error::EngineError;
use crate::metadata::Metadata;
use crate::resolve::wildcard_match;
use crate::settings::{self, FlatSettings};
use crate::templates::{index_patterns, overlapping, priority, read_index_template, Templates};
use crate::Engine;
use serde_json::{json, Map, Value};

/// What templates (and a request) make of a new index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Composed {
    pub settings: FlatSettings,
    pub mappings: Value,
    pub aliases: Map<String, Value>,
}

impl Composed {
    fn add(&mut self, part: &Value) -> Result<(), EngineError> {
        if let Some(Value::Object(s)) = part.get("settings") {
            self.settings.extend(s.clone());
        }
        if let Some(m) = part.get("mappings").filter(|m| !m.is_null()) {
            merge_mappings(&mut self.mappings, m)?;
        }
        if let Some(Value::Object(a)) = part.get("aliases") {
            self.aliases.extend(a.clone());
        }
        Ok(())
    }

    /// Adds the body of a create-index request, last.
    fn add_request(&mut self, body: &Value) -> Result<(), EngineError> {
        let settings = settings::normalize(body.get("settings").unwrap_or(&Value::Null))?;
        let mut part = Map::new();
        part.insert("settings".into(), settings::flat(&settings));
        for key in ["mappings", "aliases"] {
            if let Some(v) = body.get(key) {
                part.insert(key.into(), v.clone());
            }
        }
        self.add(&Value::Object(part))
    }

    /// The body `create_index` takes.
    pub fn into_body(self) -> Value {
        json!({"settings": settings::flat(&self.settings), "mappings": self.mappings, "aliases": self.aliases})
    }

    /// As `_simulate` shows it: settings nested.
    pub fn shown(&self) -> Value {
        json!({"settings": settings::nested(&self.settings), "mappings": self.mappings, "aliases": self.aliases})
    }
}

/// Whether an object's dotted field names stand for sub-objects: not
/// under `subobjects: false` (nor `auto`), where they are leaf names.
pub(crate) fn keeps_subobjects(object: &Value) -> bool {
    object.get("subobjects").is_none_or(|v| crate::settings_text(v) == "true")
}

/// Expands dotted field names (`a.b: {..}` becomes `a: {properties: {b: {..}}}`)
/// through `properties`.
fn expand_dots(properties: &Map<String, Value>) -> Result<Map<String, Value>, EngineError> {
    let mut out = Value::Object(Map::new());
    for (name, def) in properties {
        let mut def = def.clone();
        // A flattened field's `properties` are its keys, not sub-objects.
        let object = is_object_like(&def) && keeps_subobjects(&def);
        if let Some(Value::Object(inner)) = def.get("properties").filter(|_| object) {
            def["properties"] = Value::Object(expand_dots(inner)?);
        }
        let mut parts: Vec<&str> = name.split('.').collect();
        let leaf = parts.pop().unwrap_or_default();
        let mut field = json!({ leaf: def });
        while let Some(parent) = parts.pop() {
            field = json!({ parent: { "properties": field } });
        }
        merge_properties(&mut out, &field)?;
    }
    Ok(match out {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

/// Expands the dotted field names of a mapping (`a.b: {..}` becomes
/// `a: {properties: {b: {..}}}`), as Elasticsearch reads a mapping,
/// except where `subobjects: false` keeps them whole.
pub(crate) fn expand_dotted_names(mappings: &mut Value) -> Result<(), EngineError> {
    if let Some(Value::Object(props)) = mappings.get("properties").filter(|_| keeps_subobjects(mappings)) {
        mappings["properties"] = Value::Object(expand_dots(props)?);
    }
    Ok(())
}

/// A mapping as a template keeps it: dotted names expanded, checked, and
/// its fields sorted.
pub fn normalize_mappings(value: &Value) -> Result<Value, EngineError> {
    let mut mappings = match value {
        Value::Null => Value::Object(Map::new()),
        // A mapping may still be wrapped in its type, `_doc`.
        Value::Object(m) if m.len() == 1 && m.get("_doc").is_some_and(Value::is_object) => m["_doc"].clone(),
        other => other.clone(),
    };
    expand_dotted_names(&mut mappings)?;
    crate::mapping::validate(&mappings)?;
    crate::mapping::sort_fields(&mut mappings);
    Ok(mappings)
}

fn is_object_like(def: &Value) -> bool {
    matches!(def.get("type").and_then(Value::as_str), None | Some("object") | Some("nested") | Some("passthrough"))
}

fn type_of(def: &Value) -> &str {
    def.get("type").and_then(Value::as_str).unwrap_or("object")
}

fn merge_properties(target: &mut Value, update: &Value) -> Result<(), EngineError> {
    let (Value::Object(target), Value::Object(fields)) = (target, update) else {
        return Ok(());
    };
    for (name, def) in fields {
        match target.get_mut(name) {
            Some(current) if is_object_like(current) && is_object_like(def) && type_of(current) == type_of(def) => {
                let (Value::Object(cur), Value::Object(new)) = (current, def) else { continue };
                for (param, value) in new {
                    if param == "properties" {
                        let props = cur.entry("properties").or_insert_with(|| Value::Object(Map::new()));
                        merge_properties(props, value)?;
                    } else {
                        cur.insert(param.clone(), value.clone());
                    }
                }
            }
            _ => {
                target.insert(name.clone(), def.clone());
            }
        }
    }
    Ok(())
}

/// Merges a template's (or request's) mapping into the composed one.
pub fn merge_mappings(base: &mut Value, update: &Value) -> Result<(), EngineError> {
    let update = normalize_mappings(update)?;
    if !base.is_object() {
        *base = Value::Object(Map::new());
    }
    let (Value::Object(target), Value::Object(changes)) = (&mut *base, &update) else {
        return Ok(());
    };
    for (key, value) in changes {
        match (target.get_mut(key), value) {
            (Some(current), _) if key == "properties" => merge_properties(current, value)?,
            (Some(Value::Object(current)), Value::Object(new)) => current.extend(new.clone()),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    crate::mapping::sort_fields(base);
    Ok(())
}

/// Composes a composable template with its component templates, and the
/// request body of a new index last.
pub fn compose(meta: &Metadata, template: &Value, request: Option<&Value>) -> Result<Composed, EngineError> {
    let mut composed = Composed { mappings: Value::Object(Map::new()), ..Default::default() };
    for name in template["composed_of"].as_array().into_iter().flatten() {
        if let Some(component) = meta.templates.component.get(&crate::settings_text(name)) {
            composed.add(component.get("template").unwrap_or(&Value::Null))?;
        }
    }
    composed.add(template.get("template").unwrap_or(&Value::Null))?;
    if let Some(body) = request {
        composed.add_request(body)?;
    }
    Ok(composed)
}

fn matches(template: &Value, index: &str, hidden: bool) -> bool {
    let patterns = index_patterns(template);
    !(hidden && patterns.iter().any(|p| p == "*")) && patterns.iter().any(|p| wildcard_match(p, index))
}

/// The composable template a new index gets, by name.
pub fn find_index_template<'a>(templates: &'a Templates, index: &str, hidden: bool) -> Option<(&'a String, &'a Value)> {
    templates.index.iter().filter(|(_, t)| matches(t, index, hidden)).fold(
        None,
        |best: Option<(&String, &Value)>, (n, t)| match best {
            Some((_, b)) if priority(b) >= priority(t) => best,
            _ => Some((n, t)),
        },
    )
}

fn is_hidden(request: &Value) -> bool {
    let settings = request.get("settings");
    let flag = settings.and_then(|s| {
        s.get("index.hidden").or_else(|| s.get("hidden")).or_else(|| s.get("index").and_then(|i| i.get("hidden")))
    });
    flag.is_some_and(|v| crate::settings_text(v) == "true")
}

/// The body a new index is created with once templates apply, or `None`
/// when none matches. `auto` is a creation by a write.
pub fn for_new_index(meta: &Metadata, index: &str, request: &Value, auto: bool) -> Result<Option<Value>, EngineError> {
    let hidden = is_hidden(request);
    let mut composed = if let Some((name, template)) = find_index_template(&meta.templates, index, hidden) {
        if template.get("data_stream").is_some() {
            return Err(if auto {
                EngineError::Unsupported(format!(
                    "creating data stream [{index}] (template [{name}] creates data streams; the [indices.create_data_stream] API)"
                ))
            } else {
                EngineError::IllegalArgument(format!(
                    "cannot create index with name [{index}], because it matches with template [{name}] that creates data streams only, use create data stream api instead"
                ))
            });
        }
        compose(meta, template, Some(request))?
    } else {
        let mut legacy: Vec<&Value> = meta.templates.legacy.values().filter(|t| matches(t, index, hidden)).collect();
        if legacy.is_empty() {
            return Ok(None);
        }
        legacy.sort_by_key(|t| t.get("order").and_then(Value::as_i64).unwrap_or(0));
        let mut composed = Composed { mappings: Value::Object(Map::new()), ..Default::default() };
        for template in legacy {
            composed.add(template)?;
        }
        composed.add_request(request)?;
        composed
    };
    composed.aliases = std::mem::take(&mut composed.aliases)
        .into_iter()
        .map(|(name, def)| (name.replace("{index}", index), def))
        .collect();
    Ok(Some(composed.into_body()))
}

/// The templates, but `except`, overlapping patterns: `[{name, index_patterns}]`.
fn overlapping_json(meta: &Metadata, except: &str, patterns: &[String]) -> Value {
    let mut all = overlapping(&meta.templates.legacy, except, patterns);
    all.extend(overlapping(&meta.templates.index, except, patterns));
    all.sort();
    Value::Array(all.into_iter().map(|(name, p)| json!({"name": name, "index_patterns": p})).collect())
}

impl Engine {
    /// `_index_template/_simulate_index/{index}`: the template a new index
    /// of that name would get (with `body` as an extra template, when
    /// given), and the other templates matching it. `{}` when none matches.
    pub fn simulate_index(&self, index: &str, body: Option<&Value>) -> Result<Value, EngineError> {
        let mut meta = self.metadata().clone();
        if let Some(body) = body {
            let name = "simulate_index_template";
            let template = read_index_template(name, body)?;
            crate::templates::check_index_template(&meta, name, &template)?;
            meta.templates.index.insert(name.to_owned(), template);
        }
        let Some((name, template)) = find_index_template(&meta.templates, index, false) else {
            return Ok(json!({}));
        };
        let composed = compose(&meta, template, None)?;
        Ok(json!({"template": composed.shown(), "overlapping": overlapping_json(&meta, name, &[index.to_owned()])}))
    }

    /// `_index_template/_simulate[/{name}]`: what a template (the body, or
    /// the stored one of that name) composes to, and the templates whose
    /// patterns overlap its own.
    pub fn simulate_template(&self, name: Option<&str>, body: Option<&Value>) -> Result<Value, EngineError> {
        let mut meta = self.metadata().clone();
        let name = name.unwrap_or("simulate_template");
        let template = match body {
            Some(body) => {
                let template = read_index_template(name, body)?;
                crate::templates::check_index_template(&meta, name, &template)?;
                meta.templates.index.insert(name.to_owned(), template.clone());
                template
            }
            None => meta.templates.index.get(name).cloned().ok_or_else(|| {
                EngineError::IllegalArgument(format!("unable to simulate template [{name}] that does not exist"))
            })?,
        };
        let composed = compose(&meta, &template, None)?;
        Ok(
            json!({"template": composed.shown(), "overlapping": overlapping_json(&meta, name, &index_patterns(&template))}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_templates_win_and_objects_merge() {
        let mut m = json!({});
        merge_mappings(
            &mut m,
            &json!({"properties": {"o.red": {"type": "keyword"}, "n": {"type": "nested", "include_in_root": true}}}),
        )
        .unwrap();
        merge_mappings(&mut m, &json!({"properties": {"o.red": {"type": "text"}, "o.blue": {"type": "long"}, "n": {"type": "nested", "include_in_root": false}}})).unwrap();
        assert_eq!(m["properties"]["o"]["properties"], json!({"blue": {"type": "long"}, "red": {"type": "text"}}));
        assert_eq!(m["properties"]["n"], json!({"type": "nested", "include_in_root": false}));
        let flat = normalize_mappings(&json!({"subobjects": false, "properties": {"host.name": {"type": "keyword"}}}))
            .unwrap();
        assert_eq!(flat["properties"]["host.name"]["type"], "keyword");
    }

    #[test]
    fn composition_order_is_components_template_request() {
        let mut meta = Metadata::default();
        meta.templates.component.insert("low".into(), json!({"template": {"settings": {"index.number_of_replicas": "1", "index.priority": "3"}, "aliases": {"a": {"is_write_index": false}}}}));
        meta.templates
            .component
            .insert("high".into(), json!({"template": {"settings": {"index.number_of_replicas": "0"}}}));
        let template = json!({"index_patterns": ["x*"], "composed_of": ["low", "high", "gone"], "template": {"aliases": {"a": {}, "{index}-alias": {}}}});
        meta.templates.index.insert("t".into(), template);
        let body = for_new_index(&meta, "x1", &json!({"settings": {"index.priority": 9}}), false).unwrap().unwrap();
        assert_eq!(body["settings"], json!({"index.number_of_replicas": "0", "index.priority": "9"}));
        assert_eq!(body["aliases"], json!({"a": {}, "x1-alias": {}}));
        assert_eq!(for_new_index(&meta, "y", &json!({}), false).unwrap(), None);
    }
}
