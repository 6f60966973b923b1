//! Field collapsing: a search's hits kept one per value of a field (the
//! engine does that), and each kept hit's `inner_hits`: the best hits of
//! its group, found by a search of their own.

use crate::error::es_error;
use crate::node::Node;
use crate::search::{render, sort_keys, View};
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::search::{dsl, SearchRequest, SearchResult, TrackTotal};
use tensile_rest::EsError;

/// A body's `collapse`.
#[derive(Debug, Clone)]
pub struct Collapse {
    pub field: String,
    pub inner_hits: Vec<InnerHits>,
}

/// One `inner_hits` of a collapse: its name and its options (`size`,
/// `from`, `sort`, `_source`, `collapse`...).
#[derive(Debug, Clone)]
pub struct InnerHits {
    pub name: String,
    pub options: Map<String, Value>,
}

const INNER_KEYS: &[&str] = &[
    "name",
    "size",
    "from",
    "sort",
    "_source",
    "version",
    "seq_no_primary_term",
    "fields",
    "docvalue_fields",
    "stored_fields",
    "collapse",
    "track_scores",
];

/// Reads a `collapse`; `inner` for one inside inner hits, which may not
/// have inner hits (nor a collapse of its own under them).
pub fn parse(v: &Value, inner: bool) -> Result<Collapse, EsError> {
    let Value::Object(map) = v else { return Err(EsError::parse("[collapse] must be an object")) };
    if let Some(k) =
        map.keys().find(|k| !["field", "inner_hits", "max_concurrent_group_searches"].contains(&k.as_str()))
    {
        return Err(EsError::parse(format!("[collapse] unknown field [{k}]")));
    }
    let field =
        map.get("field").and_then(Value::as_str).ok_or_else(|| EsError::parse("[collapse] requires a [field]"))?;
    let specs: Vec<&Value> = match map.get("inner_hits") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    };
    if inner && !specs.is_empty() {
        return Err(EsError::parse("[inner_hits] is not allowed in an inner collapse"));
    }
    let mut inner_hits = Vec::new();
    for spec in specs {
        let Value::Object(options) = spec else { return Err(EsError::parse("[inner_hits] must be an object")) };
        if let Some(k) = options.keys().find(|k| !INNER_KEYS.contains(&k.as_str())) {
            return Err(crate::search::unsupported(format!("the [{k}] option of [inner_hits]")));
        }
        if let Some(c) = options.get("collapse") {
            let inner = parse(c, true)?;
            if inner.field == field {
                return Err(EsError::parse("[collapse] an inner collapse must be on another field"));
            }
        }
        let name = options.get("name").and_then(Value::as_str).unwrap_or(field).to_owned();
        inner_hits.push(InnerHits { name, options: options.clone() });
    }
    Ok(Collapse { field: field.to_owned(), inner_hits })
}

/// The query of one group: the search's, and the group's value (or its absence).
fn group_query(query: &dsl::Query, field: &str, value: &Value) -> dsl::Query {
    let member = if value.is_null() {
        dsl::Query::Bool {
            must: Vec::new(),
            should: Vec::new(),
            must_not: vec![dsl::Query::Exists { field: field.to_owned() }],
            filter: Vec::new(),
            minimum_should_match: None,
            boost: 1.0,
        }
    } else {
        dsl::Query::Term { field: field.to_owned(), value: value.clone(), boost: 1.0 }
    };
    query.filtered(vec![member])
}

/// Adds each collapsed hit's `fields` value of the collapse field and its
/// `inner_hits` to a rendered answer.
pub fn attach(
    node: &Node,
    indices: &[String],
    request: &SearchRequest,
    collapse: &Collapse,
    result: &SearchResult,
    total_as_int: bool,
    answer: &mut Value,
) -> Result<(), EsError> {
    let Some(rendered) = answer["hits"]["hits"].as_array_mut() else { return Ok(()) };
    for (hit, shown) in result.hits.iter().zip(rendered.iter_mut()) {
        let value = hit.group.as_ref().map_or(Value::Null, |g| g.to_json());
        shown["fields"][&collapse.field] = json!([value]);
        if collapse.inner_hits.is_empty() {
            continue;
        }
        let mut inner = Map::new();
        for spec in &collapse.inner_hits {
            let o = &spec.options;
            let number = |k: &str, default: usize| o.get(k).and_then(Value::as_u64).map_or(default, |n| n as usize);
            let sub = SearchRequest {
                query: group_query(&request.query, &collapse.field, &value),
                from: number("from", 0),
                size: number("size", 3),
                track_total_hits: TrackTotal::All,
                sort: o.get("sort").map(sort_keys).transpose()?.unwrap_or_default(),
                alias_filters: request.alias_filters.clone(),
                track_scores: o.get("track_scores").is_some_and(|v| v == true),
                collapse: o.get("collapse").map(|c| parse(c, true)).transpose()?.map(|c| c.field),
                ..SearchRequest::default()
            };
            let found = node.engine.search(indices, &sub).map_err(es_error)?;
            let view = View::of_inner(o, &sub, total_as_int)?;
            let mut rendered = render(node, &view, &found, None, Instant::now())?;
            if let Some(c) = o.get("collapse") {
                attach(node, indices, &sub, &parse(c, true)?, &found, total_as_int, &mut rendered)?;
            }
            inner.insert(spec.name.clone(), json!({ "hits": rendered["hits"].take() }));
        }
        shown["inner_hits"] = Value::Object(inner);
    }
    Ok(())
}
