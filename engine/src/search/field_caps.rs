//! Field capabilities: what each field of a set of indices is (its type,
//! whether it is searchable and aggregatable) merged across the indices,
//! as `_field_caps` reports it.

use crate::error::EngineError;
use crate::mapper::{FieldKind, Mapper};
use crate::resolve::wildcard_match;
use crate::Engine;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What `_field_caps` asks.
#[derive(Debug, Clone)]
pub struct Request {
    /// Field names or patterns.
    pub fields: Vec<String>,
    pub include_unmapped: bool,
    /// `filters`: `+metadata`, `-metadata`, `-nested`, `-multifield`, `-parent`.
    pub filters: Vec<String>,
    /// `types`: only fields of these types.
    pub types: Vec<String>,
    /// `include_empty_fields`: also the fields no document has a value of.
    pub empty_fields: bool,
}

/// One field as one index has it.
#[derive(Debug, Clone)]
struct Capability {
    type_name: String,
    metadata: bool,
    searchable: bool,
    aggregatable: bool,
    meta: Option<Map<String, Value>>,
    /// `time_series_dimension`.
    dimension: bool,
    /// `time_series_metric`.
    metric: Option<String>,
    /// A `passthrough` object.
    passthrough: bool,
}

/// Elasticsearch's metadata fields: name, searchable, aggregatable.
const METADATA: &[(&str, bool, bool)] = &[
    ("_id", true, false),
    ("_ignored", true, false),
    ("_index", true, true),
    ("_routing", true, false),
    ("_seq_no", true, true),
    ("_source", false, false),
    ("_version", false, false),
];

/// The capabilities of one index's fields, by path.
fn of_index(mapper: &Mapper, req: &Request) -> BTreeMap<String, Capability> {
    let mut out = BTreeMap::new();
    let wants = |path: &str| req.fields.iter().any(|p| wildcard_match(p, path));
    let has = |f: &str| req.filters.iter().any(|x| x == f);
    let is_multi_field = |path: &str| {
        path.rsplit_once('.').is_some_and(|(parent, _)| {
            mapper.fields.get(parent).is_some_and(|p| p.multi_fields.iter().any(|m| m.path == path))
        })
    };
    for path in mapper.fields.keys() {
        if !wants(path) || (has("-multifield") && is_multi_field(path)) {
            continue;
        }
        let Some(target) = mapper.resolved(path) else { continue };
        let aggregatable = target.doc_values && !target.kind.is_text();
        out.insert(
            path.clone(),
            Capability {
                type_name: target.type_name.clone(),
                metadata: false,
                searchable: target.index,
                aggregatable: aggregatable || target.kind == FieldKind::ConstantKeyword,
                meta: target.meta.clone(),
                dimension: target.dimension,
                metric: target.metric.clone(),
                passthrough: false,
            },
        );
    }
    // Runtime fields (from the mapping's `runtime` section) shadow mapped ones.
    for (path, type_name) in mapper.runtime.iter().filter(|(path, _)| wants(path)) {
        let capability = Capability {
            type_name: type_name.clone(),
            metadata: false,
            searchable: true,
            aggregatable: true,
            meta: None,
            dimension: false,
            metric: None,
            passthrough: false,
        };
        out.insert(path.clone(), capability);
    }
    if !has("-parent") {
        // Objects asked, and the objects holding a field listed.
        let parents: Vec<String> =
            out.keys().flat_map(|path| path.match_indices('.').map(move |(i, _)| path[..i].to_owned())).collect();
        for (path, o) in &mapper.objects {
            let holds_listed = parents.iter().any(|p| p == path);
            if (wants(path) || holds_listed) && !path.is_empty() && !(has("-nested") && o.nested) {
                let type_name = if o.nested { "nested" } else { "object" };
                out.insert(
                    path.clone(),
                    Capability {
                        type_name: type_name.into(),
                        metadata: false,
                        searchable: false,
                        aggregatable: false,
                        meta: None,
                        dimension: false,
                        metric: None,
                        passthrough: o.passthrough.is_some(),
                    },
                );
            }
        }
    }
    if has("-nested") {
        let nested: Vec<&String> = mapper.nested_paths().collect();
        out.retain(|path, _| !nested.iter().any(|n| path.starts_with(&format!("{n}."))));
    }
    let metadata_only = has("+metadata");
    if !has("-metadata") {
        for (name, searchable, aggregatable) in METADATA {
            if wants(name) {
                let capability = Capability {
                    type_name: (*name).into(),
                    metadata: true,
                    searchable: *searchable,
                    aggregatable: *aggregatable,
                    meta: None,
                    dimension: false,
                    metric: None,
                    passthrough: false,
                };
                out.insert((*name).into(), capability);
            }
        }
    }
    if metadata_only {
        out.retain(|_, c| c.metadata);
    }
    if !req.types.is_empty() {
        out.retain(|_, c| req.types.contains(&c.type_name));
    }
    out
}

impl Engine {
    /// `_field_caps` over resolved indices: `{indices, fields}`.
    pub fn field_caps(&self, indices: &[String], req: &Request) -> Result<Value, EngineError> {
        // field -> type -> (index, capability)
        let mut merged: BTreeMap<String, BTreeMap<String, Vec<(String, Capability)>>> = BTreeMap::new();
        let mut per_index = Vec::new();
        for index in indices {
            let mapper = self.mapper(index)?;
            let mut caps = of_index(&mapper, req);
            if !req.empty_fields {
                let searchers: Vec<_> = self.index_shards(index)?.shards.iter().map(|s| s.searcher()).collect();
                let has_values = |path: &str| match mapper.fields.get(path) {
                    Some(field) if crate::indexed::in_column_alone(&mapper, field) => {
                        let column = format!("_terms.{path}");
                        searchers.iter().flat_map(|s| s.segment_readers()).any(|segment| {
                            segment.fast_fields().dynamic_column_handles(&column).is_ok_and(|c| !c.is_empty())
                        })
                    }
                    _ => {
                        let term = tantivy::Term::from_field_text(crate::indexed::fields().exists, path);
                        searchers.iter().any(|s| s.doc_freq(&term).is_ok_and(|n| n > 0))
                    }
                };
                caps.retain(|path, c| c.metadata || has_values(path));
            }
            per_index.push((index, caps.keys().cloned().collect::<Vec<_>>()));
            for (path, c) in caps {
                merged.entry(path).or_default().entry(c.type_name.clone()).or_default().push((index.clone(), c));
            }
        }
        let mut fields = Map::new();
        for (path, types) in merged {
            let mut by_type = Map::new();
            let covered: usize = types.values().map(Vec::len).sum();
            let unmapped: Vec<&String> = if req.include_unmapped && covered < indices.len() {
                per_index.iter().filter(|(_, paths)| !paths.contains(&path)).map(|(i, _)| *i).collect()
            } else {
                Vec::new()
            };
            let several = types.len() > 1 || !unmapped.is_empty();
            for (type_name, list) in &types {
                let metadata = list.iter().any(|(_, c)| c.metadata);
                let searchable = list.iter().all(|(_, c)| c.searchable);
                let aggregatable = list.iter().all(|(_, c)| c.aggregatable);
                let mut entry = json!({
                    "type": type_name,
                    "metadata_field": metadata,
                    "searchable": searchable,
                    "aggregatable": aggregatable,
                });
                if several {
                    entry["indices"] = list.iter().map(|(i, _)| json!(i)).collect();
                }
                // The indices where a capability does not hold.
                let lacking = |has: fn(&Capability) -> bool| -> Value {
                    list.iter().filter(|(_, c)| !has(c)).map(|(i, _)| json!(i)).collect()
                };
                if !searchable && list.iter().any(|(_, c)| c.searchable) {
                    entry["non_searchable_indices"] = lacking(|c| c.searchable);
                }
                if !aggregatable && list.iter().any(|(_, c)| c.aggregatable) {
                    entry["non_aggregatable_indices"] = lacking(|c| c.aggregatable);
                }
                // A passthrough object, a dimension: in every index, or the
                // indices where it is not.
                let flags: [(&str, &str, fn(&Capability) -> bool); 2] = [
                    ("passthrough", "non_passthrough_indices", |c| c.passthrough),
                    ("time_series_dimension", "non_dimension_indices", |c| c.dimension),
                ];
                for (flag, others, has) in flags {
                    let holding = list.iter().filter(|(_, c)| has(c)).count();
                    if holding == list.len() {
                        entry[flag] = Value::Bool(true);
                    } else if holding > 0 {
                        entry[others] = lacking(has);
                    }
                }
                // One metric type in every index, or a conflict naming them all.
                match list.first().map(|(_, c)| &c.metric) {
                    Some(first) if list.iter().all(|(_, c)| &c.metric == first) => {
                        if let Some(metric) = first {
                            entry["time_series_metric"] = json!(metric);
                        }
                    }
                    Some(_) => entry["metric_conflicts_indices"] = list.iter().map(|(i, _)| json!(i)).collect(),
                    None => {}
                }
                // Each `meta` key with every value the indices give it.
                let mut meta: BTreeMap<String, Vec<Value>> = BTreeMap::new();
                for (_, c) in list {
                    for (k, v) in c.meta.iter().flatten() {
                        let values = meta.entry(k.clone()).or_default();
                        if !values.contains(v) {
                            values.push(v.clone());
                        }
                    }
                }
                if !meta.is_empty() {
                    entry["meta"] = meta
                        .into_iter()
                        .map(|(k, mut v)| {
                            v.sort_by_key(|x| x.to_string());
                            (k, Value::Array(v))
                        })
                        .collect::<Map<_, _>>()
                        .into();
                }
                by_type.insert(type_name.clone(), entry);
            }
            if !unmapped.is_empty() {
                by_type.insert(
                    "unmapped".into(),
                    json!({"type": "unmapped", "metadata_field": false, "searchable": false, "aggregatable": false, "indices": unmapped}),
                );
            }
            fields.insert(path, Value::Object(by_type));
        }
        Ok(json!({ "indices": indices, "fields": fields }))
    }
}
