//! The contexts of a `completion` field: the categories and places an
//! input carries (given with it, or read from another field at `path`),
//! to which a completion suggestion can be limited. Places are geohash
//! cells of the context's precision.

use super::geo::{geohash, geohash_level_for, parse_distance};
use super::mapping_error;
use crate::error::EngineError;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum ContextKind {
    Category,
    /// Points, as geohashes of `level` characters.
    Geo {
        level: usize,
    },
}

/// One context of a completion field's mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextMapping {
    pub name: String,
    pub kind: ContextKind,
    /// A field of the document whose values are the context's.
    pub path: Option<String>,
}

/// A geohash precision: a number of characters, or a distance the cells
/// must not exceed.
pub fn geo_level(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().map(|n| (n as usize).clamp(1, 12)),
        Value::String(s) => match s.parse::<usize>() {
            Ok(n) => Some(n.clamp(1, 12)),
            Err(_) => parse_distance(s).map(geohash_level_for),
        },
        _ => None,
    }
}

/// Reads a completion field's `contexts`.
pub fn parse_contexts(field: &str, v: &Value) -> Result<Vec<ContextMapping>, EngineError> {
    let items = match v {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    items
        .iter()
        .map(|item| {
            let name = item.get("name").and_then(Value::as_str).ok_or_else(|| {
                mapping_error(format!("Failed to parse mapping: field [name] is missing in the contexts of [{field}]"))
            })?;
            let kind = match item.get("type").and_then(Value::as_str) {
                Some("category") => ContextKind::Category,
                Some("geo") => {
                    ContextKind::Geo { level: item.get("precision").map_or(Some(12), geo_level).unwrap_or(12) }
                }
                Some(other) => {
                    return Err(mapping_error(format!("Failed to parse mapping: unknown context type [{other}]")))
                }
                None => {
                    return Err(mapping_error(format!(
                        "Failed to parse mapping: field [type] is missing in the context [{name}] of [{field}]"
                    )))
                }
            };
            Ok(ContextMapping {
                name: name.to_owned(),
                kind,
                path: item.get("path").and_then(Value::as_str).map(str::to_owned),
            })
        })
        .collect()
}

/// A point of a geo context: `{lat, lon}`, `"lat,lon"`, `[lon, lat]` or a geohash.
fn point_hash(v: &Value, level: usize) -> Option<String> {
    if let Some(hash) = v.as_str().filter(|s| !s.contains(',')) {
        return Some(hash.chars().take(level).collect());
    }
    super::field::geo_point(v).ok().map(|(lat, lon)| geohash(lat, lon, level))
}

impl ContextMapping {
    /// The context's values of one entry: the entry's own `contexts`, else
    /// the document's values at `path`; places as geohashes.
    pub fn values(&self, entry: &Value, source: &Value) -> Vec<String> {
        let given = entry.get("contexts").and_then(|c| c.get(&self.name)).cloned();
        let raw: Vec<Value> = match (given, &self.path) {
            (Some(Value::Array(items)), _) if self.is_geo_pair(&items) => vec![Value::Array(items)],
            (Some(Value::Array(items)), _) => items,
            (Some(one), _) => vec![one],
            (None, Some(path)) => {
                let objects = crate::search::fields::objects_at(source, path).into_iter().cloned();
                crate::source_filter::values_at(source, path).into_iter().chain(objects).collect()
            }
            (None, None) => Vec::new(),
        };
        match self.kind {
            ContextKind::Category => raw.iter().filter(|v| !v.is_object()).map(crate::settings_text).collect(),
            ContextKind::Geo { level } => raw.iter().filter_map(|v| point_hash(v, level)).collect(),
        }
    }

    /// Whether a geo context's array is one `[lon, lat]` point.
    fn is_geo_pair(&self, items: &[Value]) -> bool {
        matches!(self.kind, ContextKind::Geo { .. }) && items.len() == 2 && items.iter().all(Value::is_number)
    }
}

/// Refuses a completion entry without contexts when its field has some
/// and none is read from another field.
pub fn check_entry(field: &str, contexts: &[ContextMapping], entry: &Value) -> Result<(), String> {
    let given = entry.get("contexts").is_some_and(|c| c.as_object().is_some_and(|o| !o.is_empty()));
    if contexts.is_empty() || given || contexts.iter().any(|c| c.path.is_some()) {
        return Ok(());
    }
    Err(format!("Contexts are mandatory in context enabled completion field [{field}]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contexts_read_from_the_entry_or_a_path() {
        let mapped = parse_contexts(
            "s",
            &json!([{"name": "color", "type": "category", "path": "c"}, {"name": "at", "type": "geo", "precision": "5km"}]),
        )
        .unwrap();
        let source = json!({"c": ["red", "blue"]});
        assert_eq!(mapped[0].values(&json!("input"), &source), ["red", "blue"]);
        assert_eq!(mapped[0].values(&json!({"contexts": {"color": "green"}}), &source), ["green"]);
        let at = json!({"contexts": {"at": {"lat": 57.64911, "lon": 10.40744}}});
        assert_eq!(mapped[1].values(&at, &source), ["u4pru"]);
        assert!(check_entry("s", &mapped[1..], &json!("x")).is_err());
        assert!(check_entry("s", &mapped, &json!("x")).is_ok());
    }
}
