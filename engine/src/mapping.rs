//! Checks of mapping definitions given at index creation: the root
//! parameters, and every field's type, through `properties` and
//! multi-field `fields`.

use crate::error::EngineError;
use serde_json::{Map, Value};

/// Field types Tensile's engine is built to index.
pub const SUPPORTED_TYPES: &[&str] = &[
    "text",
    "keyword",
    "match_only_text",
    "long",
    "integer",
    "short",
    "byte",
    "double",
    "float",
    "half_float",
    "scaled_float",
    "unsigned_long",
    "boolean",
    "date",
    "date_nanos",
    "ip",
    "object",
    "nested",
    "flattened",
    "binary",
    "geo_point",
    "alias",
    "constant_keyword",
    "wildcard",
    "completion",
    "rank_feature",
    "rank_features",
    "token_count",
    "passthrough",
    "integer_range",
    "long_range",
    "float_range",
    "double_range",
    "date_range",
    "ip_range",
];

/// Field types Elasticsearch has that Tensile does not index yet.
const UNSUPPORTED_TYPES: &[&str] = &[
    "search_as_you_type",
    "dense_vector",
    "sparse_vector",
    "percolator",
    "join",
    "version",
    "semantic_text",
    "histogram",
    "aggregate_metric_double",
    "point",
    "shape",
    "geo_shape",
    "counted_keyword",
    "annotated_text",
    "murmur3",
];

const ROOT_PARAMETERS: &[&str] = &[
    "properties",
    "dynamic",
    "dynamic_templates",
    "_source",
    "_routing",
    "_meta",
    "date_detection",
    "numeric_detection",
    "dynamic_date_formats",
    "runtime",
    "enabled",
    "_field_names",
    "subobjects",
    "_data_stream_timestamp",
];

/// Validates a mapping definition (`null` or `{}` is an empty mapping).
pub fn validate(mappings: &Value) -> Result<(), EngineError> {
    let root = match mappings {
        Value::Null => return Ok(()),
        Value::Object(map) => map,
        other => {
            return Err(EngineError::mapper_parsing(format!(
                "Failed to parse mapping: mappings must be an object, got [{other}]"
            )))
        }
    };
    let unsupported: Vec<String> = root
        .iter()
        .filter(|(k, _)| !ROOT_PARAMETERS.contains(&k.as_str()))
        .map(|(k, v)| format!("{k} : {}", crate::settings_text(v)))
        .collect();
    if !unsupported.is_empty() {
        return Err(EngineError::mapper_parsing(format!(
            "Failed to parse mapping: Root mapping definition has unsupported parameters:  [{}]",
            unsupported.join("] [")
        )));
    }
    if let Some(props) = root.get("properties") {
        properties("", props)?;
    }
    Ok(())
}

fn properties(prefix: &str, props: &Value) -> Result<(), EngineError> {
    let Value::Object(fields) = props else {
        return Err(EngineError::mapper_parsing(format!(
            "Failed to parse mapping: [properties] of [{prefix}] must be an object"
        )));
    };
    for (name, def) in fields {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        field(&path, def)?;
    }
    Ok(())
}

fn field(path: &str, def: &Value) -> Result<(), EngineError> {
    let Value::Object(def) = def else {
        return Err(EngineError::mapper_parsing(format!(
            "Failed to parse mapping: the definition of field [{path}] must be an object"
        )));
    };
    // A field without a type is an object, as in Elasticsearch.
    let kind = def.get("type").and_then(Value::as_str).unwrap_or("object");
    if !SUPPORTED_TYPES.contains(&kind) {
        return Err(type_error(path, kind));
    }
    if let Some(props) = def.get("properties") {
        properties(path, props)?;
    }
    if let Some(Value::Object(multi)) = def.get("fields") {
        for (sub, sub_def) in multi {
            field(&format!("{path}.{sub}"), sub_def)?;
        }
    }
    Ok(())
}

/// The error for a field type Tensile does not index: one Elasticsearch
/// has and Tensile not yet, or one neither has.
pub(crate) fn type_error(path: &str, kind: &str) -> EngineError {
    if UNSUPPORTED_TYPES.contains(&kind) {
        EngineError::mapper_parsing(format!(
            "Failed to parse mapping: the field type [{kind}] of field [{path}] is not supported by Tensile yet"
        ))
    } else {
        EngineError::mapper_parsing(format!(
            "Failed to parse mapping: No handler for type [{kind}] declared on field [{path}]"
        ))
    }
}

/// The type of a field definition (`object` when it has none).
fn field_type(def: &Value) -> &str {
    def.get("type").and_then(Value::as_str).unwrap_or("object")
}

/// Orders `properties` and multi-field `fields` by name, everywhere, as
/// Elasticsearch serializes mappings.
pub fn sort_fields(mapping: &mut Value) {
    let Value::Object(map) = mapping else { return };
    for key in ["properties", "fields"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.sort_keys();
            children.values_mut().for_each(sort_fields);
        }
    }
}

/// Merges a mapping update into an existing mapping, as `PUT _mapping`
/// does: new fields are added, objects and multi-fields merge, a field's
/// type cannot change, other root parameters are replaced.
pub fn merge(existing: &mut Value, update: &Value) -> Result<(), EngineError> {
    merge_unsorted(existing, update)?;
    sort_fields(existing);
    Ok(())
}

fn merge_unsorted(existing: &mut Value, update: &Value) -> Result<(), EngineError> {
    validate(update)?;
    let (Value::Object(target), Value::Object(changes)) = (existing, update) else {
        return Ok(());
    };
    for (key, value) in changes {
        if key == "properties" {
            let props = target.entry("properties").or_insert_with(|| Value::Object(Map::new()));
            merge_properties("", props, value)?;
        } else if let (Some(Value::Object(runtime)), Value::Object(changes)) = (target.get_mut("runtime"), value) {
            // Runtime fields merge by name; `null` removes one.
            for (name, def) in changes {
                if def.is_null() {
                    runtime.shift_remove(name);
                } else {
                    runtime.insert(name.clone(), def.clone());
                }
            }
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}

fn merge_properties(prefix: &str, existing: &mut Value, update: &Value) -> Result<(), EngineError> {
    let (Value::Object(target), Value::Object(fields)) = (existing, update) else {
        return Ok(());
    };
    for (name, def) in fields {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        let Some(current) = target.get_mut(name) else {
            target.insert(name.clone(), def.clone());
            continue;
        };
        let (from, to) = (field_type(current).to_owned(), field_type(def).to_owned());
        if from != to {
            return Err(EngineError::IllegalArgument(format!(
                "mapper [{path}] cannot be changed from type [{from}] to [{to}]"
            )));
        }
        let (Value::Object(cur), Value::Object(new)) = (current, def) else {
            continue;
        };
        for (param, value) in new {
            match param.as_str() {
                "properties" => {
                    let props = cur.entry("properties").or_insert_with(|| Value::Object(Map::new()));
                    merge_properties(&path, props, value)?;
                }
                "fields" => {
                    let multi = cur.entry("fields").or_insert_with(|| Value::Object(Map::new()));
                    merge_properties(&path, multi, value)?;
                }
                _ => {
                    cur.insert(param.clone(), value.clone());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_add_fields_and_refuse_type_changes() {
        let mut m = json!({"properties": {"a": {"type": "text"}, "o": {"properties": {"x": {"type": "long"}}}}});
        merge(&mut m, &json!({"properties": {"b": {"type": "keyword"}, "o": {"properties": {"y": {"type": "date"}}}, "a": {"type": "text", "fields": {"raw": {"type": "keyword"}}}}, "dynamic": "strict"})).unwrap();
        assert_eq!(m["properties"]["o"]["properties"]["y"]["type"], "date");
        assert_eq!(m["properties"]["a"]["fields"]["raw"]["type"], "keyword");
        assert_eq!(m["dynamic"], "strict");
        let err = merge(&mut m, &json!({"properties": {"o": {"properties": {"x": {"type": "keyword"}}}}}))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "mapper [o.x] cannot be changed from type [long] to [keyword]");
    }

    #[test]
    fn types_are_checked_everywhere() {
        assert!(validate(&json!({})).is_ok());
        assert!(validate(&json!({"properties": {"a": {"type": "text", "fields": {"raw": {"type": "keyword"}}}, "o": {"properties": {"n": {"type": "long"}}}}})).is_ok());
        let err =
            validate(&json!({"properties": {"o": {"properties": {"x": {"type": "foo"}}}}})).unwrap_err().to_string();
        assert_eq!(err, "Failed to parse mapping: No handler for type [foo] declared on field [o.x]");
        let err = validate(&json!({"properties": {"a": {"type": "text", "fields": {"v": {"type": "dense_vector"}}}}}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[dense_vector] of field [a.v] is not supported by Tensile yet"), "{err}");
        let err = validate(&json!({"foo": "bar"})).unwrap_err().to_string();
        assert_eq!(err, "Failed to parse mapping: Root mapping definition has unsupported parameters:  [foo : bar]");
    }
}
