//! The span queries (`span_term`, `span_near`, `span_or`, `span_first`,
//! `span_not`, `span_containing`, `span_within`, `span_multi`,
//! `field_masking_span`) as `intervals` rules over their one field:
//! positions of terms, near each other, first in the field, or related to
//! other spans; a masked span reads another field's positions as the
//! query's field.

use super::dsl::parsing;
use super::intervals::{Filter, FilterKind, Matcher, Rule};
use crate::error::EngineError;
use serde_json::{Map, Value};
use tensile_regexp::Regex;

/// The field a span query is on, its rule, and the boost a `span_term`
/// gives with its value (the others give theirs beside their clauses).
pub fn parse(kind: &str, params: &Map<String, Value>) -> Result<(String, Rule, f32), EngineError> {
    let mut field = None;
    let boost = match kind {
        "span_term" => params.values().find_map(|v| v.get("boost")).and_then(Value::as_f64),
        _ => params.get("boost").and_then(Value::as_f64),
    };
    let rule = span(kind, params, &mut field, true)?;
    let field = field.ok_or_else(|| parsing(format!("[{kind}] must name a field")))?;
    Ok((field, rule, boost.unwrap_or(1.0) as f32))
}

/// Refuses boosts of inner clauses, as Elasticsearch does (a span inside
/// another is never scored), and the multi-term options Tensile does not
/// act on.
fn refuse_inner(kind: &str, options: &Value, top: bool) -> Result<(), EngineError> {
    let Value::Object(o) = options else { return Ok(()) };
    if let Some(boost) = o.get("boost").and_then(Value::as_f64).filter(|b| !top && *b != 1.0) {
        return Err(parsing(format!("{kind} as a nested span clause can't have non-default boost value [{boost:?}]")));
    }
    match ["rewrite", "case_insensitive"].iter().find(|k| o.contains_key(**k)) {
        Some(k) if o.get(*k) != Some(&Value::Bool(false)) => {
            Err(EngineError::Unsupported(format!("the [{k}] option of [{kind}] inside a span query")))
        }
        _ => Ok(()),
    }
}

/// Notes the field of a leaf, which every span of a query must share.
fn on_field(field: &mut Option<String>, name: &str) -> Result<(), EngineError> {
    match field {
        Some(f) if f != name => Err(EngineError::IllegalArgument("Clauses must have same field".into())),
        Some(_) => Ok(()),
        None => {
            *field = Some(name.to_owned());
            Ok(())
        }
    }
}

/// A clause: `{span_*: {...}}`.
fn clause(v: &Value, field: &mut Option<String>) -> Result<Rule, EngineError> {
    let (kind, body) = v
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(|| parsing("span clause must be an object naming a span query"))?;
    let Value::Object(params) = body else { return Err(parsing(format!("[{kind}] must be an object"))) };
    if !kind.starts_with("span_") && kind != "field_masking_span" {
        return Err(parsing(format!("spanNear [clauses] must be of type span query, got [{kind}]")));
    }
    span(kind, params, field, false)
}

fn clauses(kind: &str, params: &Map<String, Value>, field: &mut Option<String>) -> Result<Vec<Rule>, EngineError> {
    let items = params
        .get("clauses")
        .and_then(Value::as_array)
        .ok_or_else(|| parsing(format!("[{kind}] must include [clauses]")))?;
    if items.is_empty() {
        return Err(parsing(format!("[{kind}] must include at least one clause")));
    }
    items.iter().map(|c| clause(c, field)).collect()
}

fn inner(
    kind: &str,
    params: &Map<String, Value>,
    key: &str,
    field: &mut Option<String>,
) -> Result<Box<Rule>, EngineError> {
    let v = params.get(key).ok_or_else(|| parsing(format!("[{kind}] must include [{key}]")))?;
    Ok(Box::new(clause(v, field)?))
}

fn span(kind: &str, params: &Map<String, Value>, field: &mut Option<String>, top: bool) -> Result<Rule, EngineError> {
    Ok(match kind {
        "span_term" => {
            let (name, v) = params
                .iter()
                .find(|(k, _)| k.as_str() != "boost" && k.as_str() != "_name")
                .ok_or_else(|| parsing("[span_term] must name a field"))?;
            on_field(field, name)?;
            refuse_inner(kind, v, top)?;
            let value = match v {
                Value::Object(o) => o.get("value").or_else(|| o.get("term")).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            Rule::Term(crate::settings_text(&value))
        }
        "span_near" => {
            let slop = params.get("slop").and_then(Value::as_u64).unwrap_or(0) as u32;
            let ordered = params.get("in_order").is_none_or(|v| v != false);
            Rule::AllOf { rules: clauses(kind, params, field)?, max_gaps: Some(slop), ordered, filter: None }
        }
        "span_or" => Rule::AnyOf { rules: clauses(kind, params, field)?, filter: None },
        "span_first" => {
            let end =
                params.get("end").and_then(Value::as_u64).ok_or_else(|| parsing("[span_first] must include [end]"))?;
            Rule::First { rule: inner(kind, params, "match", field)?, end: end as u32 }
        }
        "span_not" => {
            let distance = |k: &str| -> Result<Option<u32>, EngineError> {
                match params.get(k) {
                    None => Ok(None),
                    Some(v) => v
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .map(Some)
                        .ok_or_else(|| parsing(format!("[span_not] [{k}] must be a non-negative integer"))),
                }
            };
            let (pre, post) = match (distance("dist")?, distance("pre")?, distance("post")?) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    return Err(parsing("span_not can either use [dist] or [pre] & [post] (or none)"))
                }
                (Some(dist), None, None) => (dist, dist),
                (None, pre, post) => (pre.unwrap_or(0), post.unwrap_or(0)),
            };
            let exclude = inner(kind, params, "exclude", field)?;
            // Excluded: include spans with an exclude span overlapping them,
            // or within `pre` positions before or `post` after.
            let relation =
                if (pre, post) == (0, 0) { FilterKind::NotOverlapping } else { FilterKind::NotNear { pre, post } };
            Rule::Related {
                rule: inner(kind, params, "include", field)?,
                filter: Box::new(Filter { kind: relation, rule: *exclude }),
            }
        }
        "span_containing" | "span_within" => {
            let (big, little) = (inner(kind, params, "big", field)?, inner(kind, params, "little", field)?);
            if kind == "span_containing" {
                Rule::Related { rule: big, filter: Box::new(Filter { kind: FilterKind::Containing, rule: *little }) }
            } else {
                Rule::Related { rule: little, filter: Box::new(Filter { kind: FilterKind::ContainedBy, rule: *big }) }
            }
        }
        "span_multi" => {
            let m = params
                .get("match")
                .and_then(Value::as_object)
                .ok_or_else(|| parsing("[span_multi] must include [match]"))?;
            let (query, body) =
                m.iter().next().ok_or_else(|| parsing("[span_multi] must include a multi-term query"))?;
            let (name, v) = body
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.as_str() != "boost" && k.as_str() != "_name"))
                .ok_or_else(|| parsing(format!("[{query}] must name a field")))?;
            on_field(field, name)?;
            refuse_inner(query, v, false)?;
            let value = |key: &str| match v {
                Value::Object(o) => o.get(key).or_else(|| o.get("value")).map(crate::settings_text).unwrap_or_default(),
                other => crate::settings_text(other),
            };
            let matcher = match query.as_str() {
                "prefix" => Matcher::Pattern(Regex::prefix(&value("prefix"))),
                "wildcard" => Matcher::Pattern(Regex::wildcard(&value("wildcard"))),
                "regexp" => Matcher::Pattern(
                    Regex::parse(&value("regexp"), tensile_regexp::Flags::ALL).map_err(|e| parsing(e.to_string()))?,
                ),
                "fuzzy" => Matcher::fuzzy(value("value"), |k| v.get(k)),
                "range" => Matcher::range(|k| v.get(k).map(crate::settings_text)),
                other => return Err(parsing(format!("[span_multi] can only wrap a multi-term query, got [{other}]"))),
            };
            Rule::Expand { kind: "span_multi", matcher }
        }
        "field_masking_span" => {
            let masked = params
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| parsing("[field_masking_span] must include [field]"))?;
            on_field(field, masked)?;
            // The wrapped span keeps its own field, which it must share throughout.
            let mut own = None;
            let rule = inner(kind, params, "query", &mut own)?;
            let own = own.ok_or_else(|| parsing("[field_masking_span] must wrap a span query on a field"))?;
            Rule::Masked { field: own, rule }
        }
        other => return Err(EngineError::Unsupported(format!("the [{other}] query"))),
    })
}
