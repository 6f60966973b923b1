//! The dynamic rules: the mapping Elasticsearch gives a field no mapping
//! names, from `dynamic_templates` first, then from the JSON type of its value.

use super::{mapping_error, Mapper};
use crate::error::EngineError;
use serde_json::{json, Value};

/// The JSON type of a value as `match_mapping_type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectedType {
    String,
    Long,
    Double,
    Boolean,
    Date,
    Object,
}

impl DetectedType {
    fn name(self) -> &'static str {
        match self {
            DetectedType::String => "string",
            DetectedType::Long => "long",
            DetectedType::Double => "double",
            DetectedType::Boolean => "boolean",
            DetectedType::Date => "date",
            DetectedType::Object => "object",
        }
    }
}

/// One entry of `dynamic_templates`.
#[derive(Debug, Clone)]
pub struct DynamicTemplate {
    pub name: String,
    match_mapping_type: Vec<String>,
    unmatch_mapping_type: Vec<String>,
    matches: Vec<String>,
    unmatches: Vec<String>,
    path_match: Vec<String>,
    path_unmatch: Vec<String>,
    regex: bool,
    mapping: Value,
    runtime: bool,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

/// Parses `dynamic_templates`: a list of single-key objects.
pub fn templates(v: &Value) -> Result<Vec<DynamicTemplate>, EngineError> {
    let Value::Array(items) = v else {
        return Err(mapping_error(
            "Failed to parse mapping: Dynamic template syntax error. An array of named objects is expected.",
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let Some((name, def)) = item.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return Err(mapping_error(
                "Failed to parse mapping: Dynamic template syntax error. An array of named objects is expected.",
            ));
        };
        let (mapping, runtime) = match (def.get("mapping"), def.get("runtime")) {
            (Some(m), _) => (m.clone(), false),
            (None, Some(r)) => (r.clone(), true),
            (None, None) => {
                return Err(mapping_error(format!(
                    "Failed to parse mapping: template [{name}] must have either mapping or runtime set"
                )))
            }
        };
        out.push(DynamicTemplate {
            name: name.clone(),
            match_mapping_type: strings(def.get("match_mapping_type")),
            unmatch_mapping_type: strings(def.get("unmatch_mapping_type")),
            matches: strings(def.get("match")),
            unmatches: strings(def.get("unmatch")),
            path_match: strings(def.get("path_match")),
            path_unmatch: strings(def.get("path_unmatch")),
            regex: def.get("match_pattern").and_then(Value::as_str) == Some("regex"),
            mapping,
            runtime,
        });
    }
    Ok(out)
}

impl DynamicTemplate {
    fn pattern_matches(&self, pattern: &str, value: &str) -> bool {
        if self.regex {
            regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(value))
        } else {
            tensile_rest::pattern::simple_match(pattern, value)
        }
    }

    fn applies(&self, name: &str, path: &str, detected: DetectedType) -> bool {
        let any = |patterns: &[String], v: &str| patterns.iter().any(|p| self.pattern_matches(p, v));
        let type_ok = self.match_mapping_type.is_empty()
            || self.match_mapping_type.iter().any(|t| t == "*" || t == detected.name());
        type_ok
            && !self.unmatch_mapping_type.iter().any(|t| t == detected.name())
            && (self.matches.is_empty() || any(&self.matches, name))
            && !any(&self.unmatches, name)
            && (self.path_match.is_empty() || any(&self.path_match, path))
            && !any(&self.path_unmatch, path)
    }

    /// The template's mapping for a field, `{name}` and `{dynamic_type}` substituted.
    fn mapping_for(&self, name: &str, detected: DetectedType, default_type: &str) -> Value {
        fn substitute(v: &Value, name: &str, dynamic_type: &str) -> Value {
            match v {
                Value::String(s) => Value::String(s.replace("{name}", name).replace("{dynamic_type}", dynamic_type)),
                Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, name, dynamic_type)).collect()),
                Value::Object(map) => Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            (
                                k.replace("{name}", name).replace("{dynamic_type}", dynamic_type),
                                substitute(v, name, dynamic_type),
                            )
                        })
                        .collect(),
                ),
                other => other.clone(),
            }
        }
        let dynamic_type =
            if detected == DetectedType::String && default_type != "date" { "string" } else { default_type };
        let mut mapping = substitute(&self.mapping, name, dynamic_type);
        if let Value::Object(map) = &mut mapping {
            if !map.contains_key("type") && detected != DetectedType::Object {
                map.insert(
                    "type".into(),
                    Value::from(if detected == DetectedType::String { "text" } else { default_type }),
                );
            }
        }
        mapping
    }
}

/// What the dynamic rules map a new field to.
pub struct NewField {
    pub mapping: Value,
    pub runtime: bool,
}

impl Mapper {
    /// The JSON type of a value, with date and numeric detection on strings.
    pub fn detect(&self, value: &Value) -> Option<(DetectedType, Option<String>)> {
        Some(match value {
            Value::String(s) => {
                // As in Elasticsearch, only a string with a date's separators
                // is tried as a date ("1111" stays a string).
                // A number ("-5") is no date, whatever `epoch_millis` reads.
                if self.date_detection && s.contains([':', '-', '/']) && s.parse::<f64>().is_err() {
                    if let Some(f) = self.dynamic_date_formats.iter().find(|f| f.parse_str(s).is_some()) {
                        return Some((DetectedType::Date, Some(f.as_str().to_owned())));
                    }
                }
                if self.numeric_detection {
                    if s.parse::<i64>().is_ok() {
                        return Some((DetectedType::Long, None));
                    }
                    if s.parse::<f64>().is_ok() {
                        return Some((DetectedType::Double, None));
                    }
                }
                (DetectedType::String, None)
            }
            Value::Number(n) if n.is_i64() || n.is_u64() => (DetectedType::Long, None),
            Value::Number(_) => (DetectedType::Double, None),
            Value::Bool(_) => (DetectedType::Boolean, None),
            Value::Object(_) => (DetectedType::Object, None),
            Value::Array(items) => return items.iter().find(|v| !v.is_null()).and_then(|v| self.detect(v)),
            Value::Null => return None,
        })
    }

    /// The mapping a new field gets; `None` for a value that maps to nothing
    /// (null, an empty array). `template` names an explicit dynamic template
    /// (bulk's `dynamic_templates`).
    pub fn new_field(
        &self,
        name: &str,
        path: &str,
        value: &Value,
        runtime: bool,
        template: Option<&str>,
    ) -> Result<Option<NewField>, String> {
        let Some((detected, date_format)) = self.detect(value) else {
            return Ok(None);
        };
        let default_date = || {
            let mut m = json!({"type": "date"});
            if let Some(f) = date_format.as_deref().filter(|f| *f != "strict_date_optional_time") {
                m["format"] = Value::from(f);
            }
            m
        };
        let default_type = match detected {
            DetectedType::String => "text",
            DetectedType::Long => "long",
            DetectedType::Double => "float",
            DetectedType::Boolean => "boolean",
            DetectedType::Date => "date",
            DetectedType::Object => "object",
        };
        let chosen = match template {
            Some(t) => Some(self.dynamic_templates.iter().find(|d| d.name == t).ok_or_else(|| {
                format!("Can't find dynamic template for dynamic template name [{t}] of field [{path}]")
            })?),
            None => self.dynamic_templates.iter().find(|d| d.applies(name, path, detected)),
        };
        if let Some(t) = chosen {
            let mut mapping = t.mapping_for(name, detected, default_type);
            if detected == DetectedType::Date {
                if let (Value::Object(m), Some(f)) =
                    (&mut mapping, date_format.as_deref().filter(|f| *f != "strict_date_optional_time"))
                {
                    if m.get("type").and_then(Value::as_str) == Some("date") && !m.contains_key("format") {
                        m.insert("format".into(), Value::from(f));
                    }
                }
            }
            return Ok(Some(NewField { mapping, runtime: t.runtime || (runtime && detected != DetectedType::Object) }));
        }
        if detected == DetectedType::Object {
            return Ok(Some(NewField { mapping: json!({}), runtime: false }));
        }
        if runtime {
            let kind = match detected {
                DetectedType::String => "keyword",
                DetectedType::Double => "double",
                _ => default_type,
            };
            let mut mapping = json!({"type": kind});
            if detected == DetectedType::Date {
                mapping = default_date();
            }
            return Ok(Some(NewField { mapping, runtime: true }));
        }
        let mapping = match detected {
            // Without `index.mapping.dynamic_strings.auto_text`, a keyword alone.
            DetectedType::String if !self.dynamic_strings_text => json!({"type": "keyword"}),
            DetectedType::String => {
                json!({"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}})
            }
            DetectedType::Date => default_date(),
            _ => json!({"type": default_type}),
        };
        Ok(Some(NewField { mapping, runtime: false }))
    }
}
