//! The `fields` of a search hit: the values of the mapped fields a request
//! names (wildcards allowed), read from the source and given as the
//! mapping types them: numbers as numbers, dates in the field's format,
//! multi-fields from their parent's value, ignored values left out.

use crate::error::EngineError;
use crate::mapper::date::{format_iso_millis, DateFormat};
use crate::mapper::{FieldKind, FieldMapper, IndexValue, Mapper};
use crate::resolve::wildcard_match;
use crate::source_filter::values_at;
use serde_json::{Map, Value};

/// One entry of a request's `fields`: a name or pattern, and a date format.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRequest {
    pub pattern: String,
    pub format: Option<String>,
}

/// Reads `fields` from a search body: names or `{field, format}` objects.
pub fn parse_requests(v: &Value) -> Result<Vec<FieldRequest>, EngineError> {
    let items = match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(FieldRequest { pattern: s.clone(), format: None }),
            Value::Object(o) => {
                if let Some(k) = o.keys().find(|k| !["field", "format"].contains(&k.as_str())) {
                    return Err(EngineError::Unsupported(format!("the [{k}] option of [fields]")));
                }
                Ok(FieldRequest {
                    pattern: o
                        .get("field")
                        .and_then(Value::as_str)
                        .ok_or_else(|| super::dsl::parsing("[fields] entries need a [field]"))?
                        .to_owned(),
                    format: o.get("format").and_then(Value::as_str).map(str::to_owned),
                })
            }
            _ => Err(super::dsl::parsing("[fields] must be an array of field names or objects")),
        })
        .collect()
}

/// The source path a field's values come from: a multi-field's parent.
fn source_path<'m>(mapper: &'m Mapper, field: &'m FieldMapper) -> &'m str {
    let mut path = field.path.as_str();
    while let Some((parent, _)) = path.rsplit_once('.') {
        match mapper.fields.get(parent) {
            Some(p) if p.multi_fields.iter().any(|m| m.path == field.path) => path = &p.path,
            _ => break,
        }
    }
    path
}

/// One value as the field gives it back.
fn typed(field: &FieldMapper, value: &Value, format: Option<&DateFormat>) -> Result<Option<Value>, EngineError> {
    Ok(match field.parse_value(value) {
        Ok(Some(IndexValue::Keyword(k) | IndexValue::Text(k))) => Some(Value::String(k)),
        Ok(Some(IndexValue::Long(n))) if field.kind == FieldKind::ScaledFloat => {
            Some(serde_json::json!(n as f64 / field.scaling_factor))
        }
        Ok(Some(IndexValue::Long(n))) => Some(n.into()),
        Ok(Some(IndexValue::Unsigned(n))) => Some(n.into()),
        Ok(Some(IndexValue::Double(d))) => Some(serde_json::json!(d)),
        Ok(Some(IndexValue::Bool(b))) => Some(b.into()),
        Ok(Some(IndexValue::Date(ms))) => {
            let millis = if field.kind == FieldKind::DateNanos { ms / 1_000_000 } else { ms };
            // A date prints in the first format of its list.
            let first = format.map_or("strict_date_optional_time", |f| f.as_str().split("||").next().unwrap_or(""));
            Some(match first.trim_start_matches("strict_") {
                "date_optional_time" | "date_time" | "date_optional_time_nanos" => {
                    Value::String(format_iso_millis(millis))
                }
                "epoch_millis" => Value::String(millis.to_string()),
                "epoch_second" => Value::String(millis.div_euclid(1000).to_string()),
                _ => return Err(EngineError::Unsupported(format!("formatting dates as [{first}] in [fields]"))),
            })
        }
        Ok(Some(IndexValue::Ip(_))) => Some(value.clone()),
        Ok(Some(IndexValue::Geo { lat, lon })) => Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]})),
        _ => None,
    })
}

/// The `fields` of one hit.
pub fn fetch(mapper: &Mapper, source: &Value, requests: &[FieldRequest]) -> Result<Map<String, Value>, EngineError> {
    let mut names: Vec<(&String, &FieldMapper)> = mapper.fields.iter().map(|(k, f)| (k, &**f)).collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Map::new();
    for req in requests {
        let format = match &req.format {
            Some(f) => Some(DateFormat::parse(f).map_err(|e| super::dsl::parsing(e.0))?),
            None => None,
        };
        for (path, field) in names.iter().filter(|(path, _)| wildcard_match(&req.pattern, path)) {
            if out.contains_key(path.as_str()) || field.kind == FieldKind::Alias {
                continue;
            }
            let date_format = format.as_ref().or(field.format.as_ref());
            let mut values = Vec::new();
            for v in values_at(source, source_path(mapper, field)) {
                if let Some(typed) = typed(field, &v, date_format)? {
                    values.push(typed);
                }
            }
            if !values.is_empty() {
                out.insert((*path).clone(), Value::Array(values));
            }
        }
    }
    Ok(out)
}
