//! Index templates as Elasticsearch keeps them in its cluster metadata:
//! composable index templates (`_index_template`), the component templates
//! they are composed of (`_component_template`), and legacy templates
//! (`_template`). Each is read, checked and normalized here (settings flat
//! under `index.`, aliases in their stored form, mappings sorted) and kept
//! in the metadata, so written atomically and surviving restarts. How they
//! shape a new index is in `template_apply.rs`.

use crate::error::EngineError;
use crate::metadata::Metadata;
use crate::resolve::wildcard_match;
use crate::settings::{self, FlatSettings};
use crate::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Every template of the cluster, by name, in its stored form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Templates {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub index: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub component: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub legacy: BTreeMap<String, Value>,
}

impl Templates {
    pub fn is_empty(&self) -> bool {
        self.index.is_empty() && self.component.is_empty() && self.legacy.is_empty()
    }
}

/// The three kinds of templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Index,
    Component,
    Legacy,
}

impl Kind {
    fn of(self, templates: &Templates) -> &BTreeMap<String, Value> {
        match self {
            Kind::Index => &templates.index,
            Kind::Component => &templates.component,
            Kind::Legacy => &templates.legacy,
        }
    }

    fn of_mut(self, templates: &mut Templates) -> &mut BTreeMap<String, Value> {
        match self {
            Kind::Index => &mut templates.index,
            Kind::Component => &mut templates.component,
            Kind::Legacy => &mut templates.legacy,
        }
    }
}

fn invalid(name: &str, reason: impl Into<String>) -> EngineError {
    EngineError::InvalidIndexTemplate { name: name.to_owned(), reason: reason.into() }
}

fn unknown_field(object: &str, field: &str) -> EngineError {
    EngineError::XContentParse(format!("[{object}] unknown field [{field}]"))
}

/// An unknown field with Elasticsearch's hint at the known ones like it.
fn unknown_field_among(object: &str, field: &str, known: &[&str]) -> EngineError {
    match tensile_rest::did_you_mean::suggestion(field, known) {
        Some(hint) => EngineError::XContentParse(format!("[{object}] unknown field [{field}] {hint}")),
        None => unknown_field(object, field),
    }
}

/// When a composable template was first stored and last replaced: kept by
/// the system, refused in a request body.
pub const CREATED_MILLIS: &str = "created_date_millis";
pub const MODIFIED_MILLIS: &str = "modified_date_millis";

/// A Java list as Elasticsearch's messages print one: `[a, b]`.
pub fn java_list<S: AsRef<str>>(items: &[S]) -> String {
    format!("[{}]", items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "))
}

/// The names and patterns a template may have, as Elasticsearch's
/// `MetadataIndexTemplateService.validate` checks them.
fn check_names(name: &str, patterns: &[String]) -> Result<(), EngineError> {
    let bad = |what: &str, text: &str| -> Option<String> {
        if text.contains(' ') {
            Some(format!("{what} must not contain a space"))
        } else if text.contains(',') {
            Some(format!("{what} must not contain a ','"))
        } else if text.contains('#') {
            Some(format!("{what} must not contain a '#'"))
        } else if text.starts_with('_') {
            Some(format!("{what} must not start with '_'"))
        } else {
            None
        }
    };
    if let Some(reason) = bad("name", name) {
        return Err(invalid(name, reason));
    }
    if name.to_lowercase() != name {
        return Err(invalid(name, "name must be lower cased"));
    }
    for pattern in patterns {
        let what = format!("index_pattern [{pattern}]");
        if pattern.contains(' ') {
            // Elasticsearch words this one check in the plural.
            return Err(invalid(name, format!("index_patterns [{pattern}] must not contain a space")));
        }
        if let Some(reason) = bad(&what, pattern) {
            return Err(invalid(name, reason));
        }
        if pattern.contains(':') {
            return Err(invalid(name, format!("{what} must not contain a ':'")));
        }
    }
    Ok(())
}

/// `index_patterns`: one pattern or a list; required.
fn patterns(body: &Map<String, Value>) -> Result<Vec<String>, EngineError> {
    let list: Vec<String> = match body.get("index_patterns") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(items)) => items.iter().map(crate::settings_text).collect(),
        _ => Vec::new(),
    };
    if list.is_empty() {
        return Err(EngineError::Validation("index patterns are missing".into()));
    }
    Ok(list)
}

/// The `settings`, `mappings` and `aliases` of a template, checked and in
/// their stored form (settings flat).
fn template_parts(
    body: &Map<String, Value>,
    object: &str,
    allowed: &[&str],
) -> Result<Map<String, Value>, EngineError> {
    let mut out = Map::new();
    for (key, value) in body {
        match key.as_str() {
            "settings" => {
                let flat = settings::normalize(value)?;
                out.insert("settings".into(), settings::flat(&flat));
            }
            "mappings" => {
                let mappings = crate::template_apply::normalize_mappings(value)?;
                if mappings.as_object().is_some_and(|m| !m.is_empty()) {
                    out.insert("mappings".into(), mappings);
                }
            }
            "aliases" => {
                let Value::Object(aliases) = value else {
                    return Err(EngineError::IllegalArgument(format!("aliases must be an object, got [{value}]")));
                };
                let normalized = aliases
                    .iter()
                    .map(|(alias, def)| Ok((alias.clone(), crate::aliases::normalize_definition(alias, def)?)))
                    .collect::<Result<Map<String, Value>, EngineError>>()?;
                out.insert("aliases".into(), Value::Object(normalized));
            }
            other if allowed.contains(&other) => {
                out.insert(key.clone(), value.clone());
            }
            other => return Err(unknown_field(object, other)),
        }
    }
    Ok(out)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, EngineError> {
    value.as_object().ok_or_else(|| EngineError::Parse(format!("{what} must be an object")))
}

/// A non-negative whole number field (`priority`, `version`).
fn number(body: &Map<String, Value>, field: &str, name: &str) -> Result<Option<i64>, EngineError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
            Some(n) if n >= 0 || field == "version" || field == "order" => Ok(Some(n)),
            Some(_) => Err(invalid(name, format!("index template {field} must be >= 0"))),
            None => Err(EngineError::XContentParse(format!("[{field}] must be a number, got [{v}]"))),
        },
    }
}

/// Reads a composable index template body into its stored form.
pub fn read_index_template(name: &str, body: &Value) -> Result<Value, EngineError> {
    let body = object(body, "an index template")?;
    const FIELDS: &[&str] = &[
        "index_patterns",
        "template",
        "composed_of",
        "priority",
        "version",
        "_meta",
        "data_stream",
        "allow_auto_create",
        "ignore_missing_component_templates",
        "deprecated",
        CREATED_MILLIS,
        MODIFIED_MILLIS,
        "managed",
        "registry_installed",
    ];
    if let Some(field) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(unknown_field_among("index_template", field, FIELDS));
    }
    for (field, shown) in [(CREATED_MILLIS, "created_date"), (MODIFIED_MILLIS, "modified_date")] {
        if body.contains_key(field) {
            return Err(invalid(name, format!("provided a template property which is managed by the system: {shown}")));
        }
    }
    for field in ["managed", "registry_installed"] {
        if body.contains_key(field) {
            return Err(EngineError::IllegalArgument(format!(
                "[{field}] is a system-managed field and cannot be set by a user"
            )));
        }
    }
    let patterns = patterns(body)?;
    check_names(name, &patterns)?;
    let mut out = Map::new();
    out.insert("index_patterns".into(), Value::from(patterns.clone()));
    if let Some(template) = body.get("template").filter(|t| !t.is_null()) {
        let parts = template_parts(object(template, "[template]")?, "template", &["lifecycle", "data_stream_options"])?;
        out.insert("template".into(), Value::Object(parts));
    }
    let list = |field: &str| -> Vec<Value> {
        match body.get(field) {
            Some(Value::Array(items)) => items.iter().map(|v| Value::from(crate::settings_text(v))).collect(),
            Some(Value::String(one)) => vec![Value::from(one.clone())],
            _ => Vec::new(),
        }
    };
    out.insert("composed_of".into(), Value::Array(list("composed_of")));
    for field in ["priority", "version"] {
        if let Some(n) = number(body, field, name)? {
            out.insert(field.into(), Value::from(n));
        }
    }
    for field in ["_meta", "data_stream", "allow_auto_create", "deprecated"] {
        if let Some(v) = body.get(field).filter(|v| !v.is_null()) {
            out.insert(field.into(), v.clone());
        }
    }
    let ignored = list("ignore_missing_component_templates");
    if !ignored.is_empty() {
        out.insert("ignore_missing_component_templates".into(), Value::Array(ignored));
    }
    Ok(Value::Object(out))
}

/// Reads a component template body into its stored form.
pub fn read_component_template(name: &str, body: &Value) -> Result<Value, EngineError> {
    let body = object(body, "a component template")?;
    check_names(name, &[])?;
    let mut out = Map::new();
    for (key, value) in body {
        match key.as_str() {
            "template" => {
                let parts =
                    template_parts(object(value, "[template]")?, "template", &["lifecycle", "data_stream_options"])?;
                out.insert("template".into(), Value::Object(parts));
            }
            "version" => {
                if let Some(n) = number(body, "version", name)? {
                    out.insert("version".into(), Value::from(n));
                }
            }
            "_meta" | "deprecated" => {
                out.insert(key.clone(), value.clone());
            }
            other => return Err(unknown_field("component_template", other)),
        }
    }
    if !out.contains_key("template") {
        return Err(EngineError::XContentParse("Required [template]".into()));
    }
    Ok(Value::Object(out))
}

/// Reads a legacy template body (its `order` may come from the query
/// string) into its stored form.
pub fn read_legacy_template(name: &str, body: &Value, order: Option<i64>) -> Result<Value, EngineError> {
    let body = object(body, "a template")?;
    let patterns = patterns(body)?;
    check_names(name, &patterns)?;
    let mut parts = Map::new();
    for (key, value) in body {
        match key.as_str() {
            "index_patterns" | "order" | "version" => {}
            "settings" | "aliases" => {
                parts.insert(key.clone(), value.clone());
            }
            // A mapping may still be wrapped in its type, `_doc`.
            "mappings" => {
                let inner = match value.as_object() {
                    Some(m) if m.len() == 1 && m.contains_key("_doc") => m["_doc"].clone(),
                    _ => value.clone(),
                };
                parts.insert(key.clone(), inner);
            }
            other => return Err(unknown_field("template", other)),
        }
    }
    let parts = template_parts(&parts, "template", &[])?;
    let mut out = Map::new();
    out.insert("order".into(), Value::from(order.or(number(body, "order", name)?).unwrap_or(0)));
    if let Some(v) = number(body, "version", name)? {
        out.insert("version".into(), Value::from(v));
    }
    out.insert("index_patterns".into(), Value::from(patterns));
    for part in ["settings", "mappings", "aliases"] {
        out.insert(part.into(), parts.get(part).cloned().unwrap_or_else(|| Value::Object(Map::new())));
    }
    Ok(Value::Object(out))
}

/// A template's index patterns.
pub fn index_patterns(template: &Value) -> Vec<String> {
    template["index_patterns"].as_array().map(|p| p.iter().map(crate::settings_text).collect()).unwrap_or_default()
}

/// A composable template's priority (0 when it has none).
pub fn priority(template: &Value) -> i64 {
    template.get("priority").and_then(Value::as_i64).unwrap_or(0)
}

/// Whether some name matches both simple patterns (`*` any run).
pub fn patterns_overlap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut memo = vec![vec![None; b.len() + 1]; a.len() + 1];
    fn go(a: &[char], b: &[char], i: usize, j: usize, memo: &mut Vec<Vec<Option<bool>>>) -> bool {
        if let Some(known) = memo[i][j] {
            return known;
        }
        let out = match (a.get(i), b.get(j)) {
            (None, None) => true,
            (Some('*'), _) => go(a, b, i + 1, j, memo) || (j < b.len() && go(a, b, i, j + 1, memo)),
            (_, Some('*')) => go(a, b, i, j + 1, memo) || (i < a.len() && go(a, b, i + 1, j, memo)),
            (Some(x), Some(y)) => x == y && go(a, b, i + 1, j + 1, memo),
            _ => false,
        };
        memo[i][j] = Some(out);
        out
    }
    go(&a, &b, 0, 0, &mut memo)
}

/// The templates of one kind (but `except`) with a pattern overlapping one
/// of `patterns`, with their patterns.
pub fn overlapping(
    templates: &BTreeMap<String, Value>,
    except: &str,
    patterns: &[String],
) -> Vec<(String, Vec<String>)> {
    templates
        .iter()
        .filter(|(name, _)| name.as_str() != except)
        .map(|(name, t)| (name.clone(), index_patterns(t)))
        .filter(|(_, theirs)| theirs.iter().any(|t| patterns.iter().any(|p| patterns_overlap(t, p))))
        .collect()
}

/// `(a => [x, y]),(b => [z])`, as Elasticsearch lists overlapping templates.
fn describe(overlaps: &[(String, Vec<String>)]) -> (String, String) {
    let names = overlaps.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(",");
    let with = overlaps.iter().map(|(n, p)| format!("{n} => {}", java_list(p))).collect::<Vec<_>>().join(",");
    (names, with)
}

/// Checks a composable template against the rest of the metadata: its
/// component templates exist (or may be missing), and no template of the
/// same priority has an overlapping pattern. Returns the warnings of
/// overlapping legacy templates, which it takes precedence over.
pub(crate) fn check_index_template(meta: &Metadata, name: &str, template: &Value) -> Result<Vec<String>, EngineError> {
    let patterns = index_patterns(template);
    let ignored = string_list(template, "ignore_missing_component_templates");
    let missing: Vec<String> = string_list(template, "composed_of")
        .into_iter()
        .filter(|c| !meta.templates.component.contains_key(c) && !ignored.contains(c))
        .collect();
    if !missing.is_empty() {
        let list = java_list(&missing);
        return Err(invalid(
            name,
            if ignored.is_empty() {
                format!("index template [{name}] specifies component templates {list} that do not exist")
            } else {
                format!("index template [{name}] specifies a missing component templates {list} that does not exist and is not part of 'ignore_missing_component_templates'")
            },
        ));
    }
    let same_priority: Vec<(String, Vec<String>)> = overlapping(&meta.templates.index, name, &patterns)
        .into_iter()
        .filter(|(other, _)| priority(&meta.templates.index[other]) == priority(template))
        .collect();
    if !same_priority.is_empty() {
        let (names, with) = describe(&same_priority);
        return Err(EngineError::IllegalArgument(format!(
            "index template [{name}] has index patterns {} matching patterns from existing templates [{names}] with patterns ({with}) that have the same priority [{}], multiple index templates may not match during index creation, please use a different priority",
            java_list(&patterns),
            priority(template)
        )));
    }
    // The composed template must make a valid index, and a global one may
    // not hide it.
    let composed = crate::template_apply::compose(meta, template, None);
    if let Ok(c) = &composed {
        if patterns.iter().any(|p| p == "*") && c.settings.contains_key("index.hidden") {
            return Err(invalid(name, "global composable templates may not specify the setting index.hidden"));
        }
    }
    if let Err(e) = composed {
        let components = string_list(template, "composed_of");
        let with = if components.is_empty() {
            String::new()
        } else {
            format!("with component templates {} ", java_list(&components))
        };
        return Err(EngineError::IllegalArgument(format!(
            "composable template [{name}] template after composition {with}is invalid: {e}"
        )));
    }
    let legacy = overlapping(&meta.templates.legacy, "", &patterns);
    Ok(if legacy.is_empty() {
        Vec::new()
    } else {
        let (names, with) = describe(&legacy);
        vec![format!(
            "index template [{name}] has index patterns {} matching patterns from existing older templates [{names}] with patterns ({with}); this template [{name}] will take precedence during new index creation",
            java_list(&patterns)
        )]
    })
}

/// The component templates an index template needs: those it is composed
/// of, but the ones it may do without.
fn required_components(template: &Value) -> Vec<String> {
    let ignored = string_list(template, "ignore_missing_component_templates");
    string_list(template, "composed_of").into_iter().filter(|c| !ignored.contains(c)).collect()
}

fn string_list(template: &Value, field: &str) -> Vec<String> {
    template.get(field).and_then(Value::as_array).into_iter().flatten().map(crate::settings_text).collect()
}

/// Refuses to remove component templates an index template requires.
fn check_unused(meta: &Metadata, removed: &[String]) -> Result<(), EngineError> {
    let mut users: Vec<&str> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (template, body) in &meta.templates.index {
        let hit: Vec<String> = required_components(body).into_iter().filter(|c| removed.contains(c)).collect();
        if !hit.is_empty() {
            users.push(template);
            used.extend(hit);
        }
    }
    if users.is_empty() {
        return Ok(());
    }
    used.sort_unstable();
    used.dedup();
    Err(EngineError::IllegalArgument(format!(
        "component templates {} cannot be removed as they are still in use by index templates {}",
        java_list(&used),
        java_list(&users)
    )))
}

/// Checks a legacy template against the composable ones: overlapping one
/// is refused, unless the template keeps its patterns or matches
/// everything, when it is a warning.
fn check_legacy_template(meta: &Metadata, name: &str, template: &Value) -> Result<Vec<String>, EngineError> {
    let patterns = index_patterns(template);
    let composable = overlapping(&meta.templates.index, name, &patterns);
    if composable.is_empty() {
        return Ok(Vec::new());
    }
    let (names, with) = describe(&composable);
    let list = java_list(&patterns);
    let unchanged = meta.templates.legacy.get(name).is_some_and(|old| index_patterns(old) == patterns);
    if unchanged || patterns.iter().any(|p| p == "*") {
        Ok(vec![format!(
            "legacy template [{name}] has index patterns {list} matching patterns from existing composable templates [{names}] with patterns ({with}); this template [{name}] may be ignored in favor of a composable template at index creation time"
        )])
    } else {
        Err(EngineError::IllegalArgument(format!(
            "legacy template [{name}] has index patterns {list} matching patterns from existing composable templates [{names}] with patterns ({with}), use composable templates (/_index_template) instead"
        )))
    }
}

/// The names of templates of a kind matching comma-separated names or
/// patterns.
pub fn matching(templates: &BTreeMap<String, Value>, names: &[String]) -> Vec<String> {
    templates.keys().filter(|k| names.iter().any(|n| n == "_all" || wildcard_match(n, k))).cloned().collect()
}

impl Engine {
    /// Stores a template of a kind. With `create`, an existing one of that
    /// name is an error. Returns the warnings to answer with.
    pub fn put_template(
        &self,
        kind: Kind,
        name: &str,
        template: Value,
        create: bool,
    ) -> Result<Vec<String>, EngineError> {
        self.change_metadata(|meta| {
            if create && kind.of(&meta.templates).contains_key(name) {
                return Err(EngineError::IllegalArgument(match kind {
                    Kind::Index => format!("index template [{name}] already exists"),
                    Kind::Legacy => format!("index_template [{name}] already exists"),
                    Kind::Component => format!("component template [{name}] already exists"),
                }));
            }
            let warnings = match kind {
                Kind::Index => check_index_template(meta, name, &template)?,
                Kind::Component => Vec::new(),
                Kind::Legacy => check_legacy_template(meta, name, &template)?,
            };
            let mut template = template;
            if kind == Kind::Index {
                // Tracked: first stored (kept through replacements), last replaced.
                let now = crate::clock::now_millis();
                let created = kind.of(&meta.templates).get(name).and_then(|old| old.get(CREATED_MILLIS)).cloned();
                if let Some(fields) = template.as_object_mut() {
                    fields.insert(CREATED_MILLIS.into(), created.unwrap_or_else(|| Value::from(now)));
                    fields.insert(MODIFIED_MILLIS.into(), Value::from(now));
                }
            }
            kind.of_mut(&mut meta.templates).insert(name.to_owned(), template);
            Ok(warnings)
        })
    }

    /// Deletes templates of a kind, as Elasticsearch's
    /// `MetadataIndexTemplateService` does: several names must each exist
    /// (no wildcards then); one name may be a pattern, which must match
    /// something unless it is `*`.
    pub fn delete_templates(&self, kind: Kind, names: &[String]) -> Result<(), EngineError> {
        let not_found = |names: String| match kind {
            Kind::Component => EngineError::ResourceNotFound(names),
            _ => EngineError::IndexTemplateMissing(names),
        };
        self.change_metadata(|meta| {
            let store = kind.of(&meta.templates);
            if kind == Kind::Component {
                // Elasticsearch checks use before existence.
                let named: Vec<String> = match names {
                    [one] => store.keys().filter(|k| wildcard_match(one, k)).cloned().collect(),
                    several => several.iter().filter(|n| store.contains_key(*n)).cloned().collect(),
                };
                check_unused(meta, &named)?;
            }
            let found: Vec<String> = match names {
                [one] => {
                    let found: Vec<String> = store.keys().filter(|k| wildcard_match(one, k)).cloned().collect();
                    if found.is_empty() && one != "*" {
                        return Err(not_found(one.clone()));
                    }
                    found
                }
                several => {
                    let missing: Vec<&str> =
                        several.iter().filter(|n| !store.contains_key(*n)).map(String::as_str).collect();
                    if !missing.is_empty() {
                        return Err(not_found(missing.join(",")));
                    }
                    several.to_vec()
                }
            };
            let store = kind.of_mut(&mut meta.templates);
            for name in &found {
                store.remove(name);
            }
            Ok(())
        })
    }

    /// Templates of a kind by name (every one without names), sorted.
    pub fn templates(&self, kind: Kind, names: Option<&[String]>) -> Vec<(String, Value)> {
        let meta = self.metadata();
        let store = kind.of(&meta.templates);
        match names {
            None => store.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some(names) => matching(store, names).into_iter().map(|n| (n.clone(), store[&n].clone())).collect(),
        }
    }
}

/// A stored template as its GET shows it: settings nested unless `flat`.
pub fn shown(template: &Value, flat: bool) -> Value {
    let mut out = template.clone();
    let settings = match out.get_mut("template") {
        Some(inner) => inner.get_mut("settings"),
        None => out.get_mut("settings"),
    };
    if let Some(s) = settings {
        let as_flat: FlatSettings = s.as_object().map(|m| m.clone().into_iter().collect()).unwrap_or_default();
        *s = if flat { settings::flat(&as_flat) } else { settings::nested(&as_flat) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn glob_patterns_overlap_when_a_name_matches_both() {
        assert!(patterns_overlap("te*", "test-*"));
        assert!(patterns_overlap("*", "logs"));
        assert!(patterns_overlap("a*c", "*bc"));
        assert!(!patterns_overlap("foo-*", "bar-*"));
        assert!(!patterns_overlap("logs", "logs-*x"));
    }

    #[test]
    fn bodies_are_checked_and_normalized() {
        let t = read_index_template(
            "t",
            &json!({"index_patterns": "a-*", "template": {"settings": {"number_of_shards": 2}, "aliases": {"x": {"routing": "r"}}}}),
        )
        .unwrap();
        assert_eq!(t["index_patterns"], json!(["a-*"]));
        assert_eq!(t["template"]["settings"], json!({"index.number_of_shards": "2"}));
        assert_eq!(t["template"]["aliases"]["x"], json!({"index_routing": "r", "search_routing": "r"}));
        assert_eq!(t["composed_of"], json!([]));
        assert!(matches!(read_index_template("t", &json!({})), Err(EngineError::Validation(_))));
        assert!(matches!(
            read_index_template("T", &json!({"index_patterns": "a"})),
            Err(EngineError::InvalidIndexTemplate { .. })
        ));
        assert!(matches!(
            read_index_template("t", &json!({"index_patterns": "a", "nope": 1})),
            Err(EngineError::XContentParse(_))
        ));
        let hinted = read_index_template("t", &json!({"index_patterns": "a", "created_date": "x"})).unwrap_err();
        assert_eq!(
            hinted.to_string(),
            "[index_template] unknown field [created_date] did you mean [created_date_millis]?"
        );
        // The tracking dates and the system's flags are not the user's to set.
        let tracked = read_index_template("t", &json!({"index_patterns": "a", "modified_date_millis": 0})).unwrap_err();
        assert_eq!(
            tracked.to_string(),
            "index_template [t] invalid, cause [provided a template property which is managed by the system: modified_date]"
        );
        let managed = read_index_template("t", &json!({"index_patterns": "a", "managed": true})).unwrap_err();
        assert_eq!(managed.to_string(), "[managed] is a system-managed field and cannot be set by a user");
        assert!(read_component_template("c", &json!({"version": 1})).is_err());
        let legacy = read_legacy_template(
            "l",
            &json!({"index_patterns": ["x*"], "mappings": {"_doc": {"properties": {}}}}),
            Some(3),
        )
        .unwrap();
        assert_eq!(legacy["order"], json!(3));
        assert_eq!(legacy["settings"], json!({}));
    }

    #[test]
    fn components_a_template_may_do_without_can_be_removed() {
        let mut meta = Metadata::default();
        let t = json!({"composed_of": ["a", "b"], "ignore_missing_component_templates": ["b"]});
        meta.templates.index.insert("t".into(), t);
        assert!(check_unused(&meta, &["b".into()]).is_ok());
        let err = check_unused(&meta, &["a".into(), "b".into()]).unwrap_err().to_string();
        assert_eq!(err, "component templates [a] cannot be removed as they are still in use by index templates [t]");
    }
}
