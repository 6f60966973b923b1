//! Index settings as Elasticsearch keeps them: flat keys under `index.`
//! (`{"number_of_shards": 1}` and `{"index": {"number_of_shards": 1}}` both
//! become `index.number_of_shards`), values as strings or lists of strings,
//! and only settings Tensile knows.

use crate::error::EngineError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Flat settings: key to a string, or a list of strings.
pub type FlatSettings = BTreeMap<String, Value>;

/// Exact index settings Tensile accepts.
const KNOWN: &[&str] = &[
    "index.number_of_shards",
    "index.number_of_replicas",
    "index.auto_expand_replicas",
    "index.refresh_interval",
    "index.max_result_window",
    "index.max_slices_per_scroll",
    "index.max_inner_result_window",
    "index.max_rescore_window",
    "index.max_docvalue_fields_search",
    "index.max_script_fields",
    "index.max_ngram_diff",
    "index.max_shingle_diff",
    "index.max_terms_count",
    "index.max_regex_length",
    "index.hidden",
    "index.codec",
    "index.default_pipeline",
    "index.final_pipeline",
    "index.mode",
    "index.routing_path",
    "index.number_of_routing_shards",
    "index.routing_partition_size",
    "index.priority",
    "index.query.default_field",
    "index.query_string.lenient",
    "index.gc_deletes",
    "index.shard.check_on_startup",
    "index.load_fixed_bitset_filters_eagerly",
    "index.translog.durability",
    "index.translog.sync_interval",
    "index.translog.flush_threshold_size",
    "index.write.wait_for_active_shards",
    "index.soft_deletes.enabled",
    "index.soft_deletes.retention_lease.period",
    "index.search.idle.after",
    "index.lifecycle.name",
    "index.lifecycle.rollover_alias",
    "index.provided_name",
    "index.uuid",
    "index.creation_date",
    "index.version.created",
    "index.sort.field",
    "index.sort.order",
    "index.sort.mode",
    "index.sort.missing",
];

/// Setting groups Tensile accepts every key of.
const KNOWN_PREFIXES: &[&str] = &[
    "index.analysis.",
    "index.analyze.",
    "index.blocks.",
    "index.mapping.",
    "index.routing.",
    "index.similarity.",
    "index.highlight.",
    "index.indexing.slowlog.",
    "index.search.slowlog.",
    "index.merge.",
    "index.unassigned.",
];

/// The defaults of the settings Tensile acts on or reports, as
/// `include_defaults` lists them.
const DEFAULTS: &[(&str, &str)] = &[
    ("index.refresh_interval", "1s"),
    ("index.max_result_window", "10000"),
    ("index.query_string.lenient", "false"),
    ("index.max_slices_per_scroll", "1024"),
    ("index.max_inner_result_window", "100"),
    ("index.max_rescore_window", "10000"),
    ("index.max_docvalue_fields_search", "100"),
    ("index.max_script_fields", "32"),
    ("index.max_ngram_diff", "1"),
    ("index.max_shingle_diff", "3"),
    ("index.max_terms_count", "65536"),
    ("index.max_regex_length", "1000"),
    ("index.hidden", "false"),
    ("index.codec", "default"),
    ("index.priority", "1"),
    ("index.routing_partition_size", "1"),
    ("index.auto_expand_replicas", "false"),
    ("index.gc_deletes", "60s"),
    ("index.shard.check_on_startup", "false"),
    ("index.soft_deletes.enabled", "true"),
    ("index.search.idle.after", "30s"),
    ("index.write.wait_for_active_shards", "1"),
    ("index.translog.durability", "REQUEST"),
    ("index.translog.sync_interval", "5s"),
    ("index.translog.flush_threshold_size", "10gb"),
    ("index.mapping.total_fields.limit", "1000"),
    ("index.mapping.total_fields.ignore_dynamic_beyond_limit", "false"),
    ("index.mapping.depth.limit", "20"),
    ("index.mapping.nested_fields.limit", "50"),
    ("index.mapping.nested_objects.limit", "10000"),
    ("index.mapping.field_name_length.limit", "9223372036854775807"),
    ("index.mapping.total_tokens_per_document.limit", "-1"),
    ("index.mapping.ignore_above", "2147483647"),
    ("index.mapping.dynamic_strings.auto_text", "true"),
    ("index.analyze.max_token_count", "10000"),
    ("index.highlight.max_analyzed_offset", "1000000"),
    ("index.blocks.read_only", "false"),
    ("index.blocks.read_only_allow_delete", "false"),
    ("index.blocks.read", "false"),
    ("index.blocks.write", "false"),
    ("index.blocks.metadata", "false"),
];

/// The defaults of the settings an index does not set.
pub fn defaults(settings: &FlatSettings) -> FlatSettings {
    DEFAULTS
        .iter()
        .filter(|(k, _)| !settings.contains_key(*k))
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect()
}

/// Settings that only Tensile sets, at creation.
pub const PRIVATE: &[&str] = &["index.uuid", "index.creation_date", "index.version.created", "index.provided_name"];

fn leaf(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.clone()),
        Value::Array(items) => Value::Array(items.iter().map(leaf).collect()),
        Value::Null => Value::Null,
        other => Value::String(other.to_string()),
    }
}

/// Flattens a settings object into `out` (`{"a": {"b": 1}}` -> `a.b: "1"`).
pub(crate) fn flatten(prefix: &str, v: &Value, out: &mut FlatSettings) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), leaf(other));
        }
    }
}

/// Reads a settings object into flat settings, checking every key.
pub fn normalize(input: &Value) -> Result<FlatSettings, EngineError> {
    let mut raw = FlatSettings::new();
    match input {
        Value::Null => {}
        Value::Object(_) => flatten("", input, &mut raw),
        other => return Err(EngineError::Settings(format!("settings must be an object, got [{other}]"))),
    }
    let mut out = FlatSettings::new();
    for (key, value) in raw {
        let key = if key.starts_with("index.") { key } else { format!("index.{key}") };
        let known = KNOWN.contains(&key.as_str()) || KNOWN_PREFIXES.iter().any(|p| key.starts_with(p));
        if !known {
            return Err(EngineError::IllegalArgument(format!(
                "unknown setting [{key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings"
            )));
        }
        if PRIVATE.contains(&key.as_str()) {
            return Err(EngineError::IllegalArgument(format!(
                "private index setting [{key}] can not be set explicitly"
            )));
        }
        check_value(&key, &value)?;
        out.insert(key, value);
    }
    Ok(out)
}

fn check_value(key: &str, value: &Value) -> Result<(), EngineError> {
    if value.is_null() {
        // `null` resets a setting to its default.
        return Ok(());
    }
    if key == "index.refresh_interval" {
        let text = value.as_str().unwrap_or_default();
        tensile_rest::TimeValue::parse(key, text).map_err(|e| EngineError::IllegalArgument(e.to_string()))?;
        return Ok(());
    }
    if key == "index.soft_deletes.enabled" && crate::settings_text(value) == "false" {
        return Err(EngineError::IllegalArgument(
            "Creating indices with soft-deletes disabled is no longer supported. Please do not specify a value for setting [index.soft_deletes.enabled].".into(),
        ));
    }
    if key == "index.mapping.total_tokens_per_document.limit" || key == "index.mapping.tokens_per_field.limit" {
        let text = crate::settings_text(value);
        return match text.parse::<i64>() {
            Ok(n) if n == -1 || n > 0 => Ok(()),
            _ => Err(EngineError::IllegalArgument(format!(
                "Failed to parse value [{text}] for setting [{key}]: must be -1 (no limit) or a positive number"
            ))),
        };
    }
    let bounds: Option<(i64, i64)> = match key {
        "index.mapping.array_objects.limit"
        | "index.mapping.total_fields.limit"
        | "index.mapping.depth.limit"
        | "index.mapping.field_name_length.limit" => Some((1, i64::MAX)),
        "index.mapping.nested_fields.limit" | "index.mapping.nested_objects.limit" => Some((0, i64::MAX)),
        "index.mapping.ignore_above" => Some((0, i64::from(i32::MAX))),
        "index.number_of_shards" => Some((1, 1024)),
        "index.number_of_replicas" => Some((0, i64::from(i32::MAX))),
        "index.max_result_window" | "index.max_inner_result_window" | "index.max_rescore_window" => {
            Some((1, i64::from(i32::MAX)))
        }
        _ => None,
    };
    let Some((min, max)) = bounds else {
        return Ok(());
    };
    let text = value.as_str().unwrap_or_default();
    let n: i64 = text
        .parse()
        .map_err(|_| EngineError::IllegalArgument(format!("Failed to parse value [{text}] for setting [{key}]")))?;
    if n < min {
        return Err(EngineError::IllegalArgument(format!(
            "Failed to parse value [{text}] for setting [{key}] must be >= {min}"
        )));
    }
    if n > max {
        return Err(EngineError::IllegalArgument(format!(
            "Failed to parse value [{text}] for setting [{key}] must be <= {max}"
        )));
    }
    Ok(())
}

/// Applies `index.auto_expand_replicas` (`min-max`, max a number or `all`)
/// as Elasticsearch does on a cluster of `data_nodes`: the number of
/// replicas becomes the nodes beyond the first, within the bounds.
pub fn expand_replicas(settings: &mut FlatSettings, data_nodes: u64) -> Result<(), EngineError> {
    let Some(range) = settings.get("index.auto_expand_replicas").map(crate::settings_text) else {
        return Ok(());
    };
    if range == "false" {
        return Ok(());
    }
    let invalid = || {
        EngineError::IllegalArgument(format!(
            "failed to parse [index.auto_expand_replicas] from value: [{range}] at index -1"
        ))
    };
    let (min, max) = range.split_once('-').ok_or_else(invalid)?;
    let min: u64 = min.parse().map_err(|_| invalid())?;
    let max: u64 = if max == "all" { u64::MAX } else { max.parse().map_err(|_| invalid())? };
    if min > max {
        return Err(invalid());
    }
    let replicas = data_nodes.saturating_sub(1).max(min).min(max);
    settings.insert("index.number_of_replicas".into(), Value::from(replicas.to_string()));
    Ok(())
}

/// Flat settings as nested objects (`index.number_of_shards` -> `{"index": {"number_of_shards": ..}}`).
pub fn nested(flat: &FlatSettings) -> Value {
    let mut root = Map::new();
    for (key, value) in flat {
        let mut node = &mut root;
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_owned(), value.clone());
            } else {
                let child = node.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                if !child.is_object() {
                    *child = Value::Object(Map::new());
                }
                node = child.as_object_mut().expect("made an object above");
            }
        }
    }
    Value::Object(root)
}

/// Flat settings as a flat JSON object.
pub fn flat(flat: &FlatSettings) -> Value {
    Value::Object(flat.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_those_not_set() {
        let set = normalize(&json!({"refresh_interval": "5s"})).unwrap();
        let d = defaults(&set);
        assert!(!d.contains_key("index.refresh_interval"));
        assert_eq!(d["index.max_result_window"], json!("10000"));
    }

    #[test]
    fn forms_are_flattened_under_index() {
        let s = normalize(&json!({"number_of_shards": 2, "index": {"number_of_replicas": "0", "analysis": {"filter": {"f": {"stopwords": ["a", "b"]}}}}})).unwrap();
        assert_eq!(s["index.number_of_shards"], json!("2"));
        assert_eq!(s["index.number_of_replicas"], json!("0"));
        assert_eq!(s["index.analysis.filter.f.stopwords"], json!(["a", "b"]));
        assert_eq!(nested(&s)["index"]["number_of_shards"], json!("2"));
    }

    #[test]
    fn unknown_private_and_out_of_range_settings_are_rejected() {
        assert!(
            matches!(normalize(&json!({"index.foo": 1})), Err(EngineError::IllegalArgument(m)) if m.starts_with("unknown setting [index.foo]"))
        );
        assert!(matches!(normalize(&json!({"index.uuid": "x"})), Err(EngineError::IllegalArgument(_))));
        assert!(
            matches!(normalize(&json!({"number_of_shards": 0})), Err(EngineError::IllegalArgument(m)) if m.ends_with("must be >= 1"))
        );
        assert!(matches!(normalize(&json!({"number_of_shards": "x"})), Err(EngineError::IllegalArgument(_))));
        assert!(matches!(normalize(&json!({"refresh_interval": "soon"})), Err(EngineError::IllegalArgument(_))));
        assert!(normalize(&json!({"refresh_interval": "-1"})).is_ok());
    }
}
