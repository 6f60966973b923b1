//! Synthetic `_source`: the source Elasticsearch rebuilds from what it
//! indexed, made here from the stored source and the mapping, once for
//! every API that shows `_source` (get, mget, search, explain, update).
//!
//! The rules, as Elasticsearch's synthetic source loaders apply them:
//! - dotted keys become objects, arrays of objects merge into one object,
//!   objects left without values disappear, keys come out sorted;
//! - a field with doc values comes back in doc-values order: keywords
//!   (normalized) and IPs sorted and deduplicated, numbers, booleans and
//!   dates sorted with their duplicates (floats at their precision, dates
//!   in the field's format); values ignored by `ignore_above` or
//!   `ignore_malformed` follow, as sent;
//! - a stored field (`store: true` without doc values) keeps its order;
//!   a text field without it reads its keyword multi-field's doc values;
//! - `flattened` fields rebuild their keys from their sorted key/value
//!   pairs; `nested` objects are each rebuilt on their own;
//! - what has no doc values to rebuild it from is kept as sent: unmapped
//!   fields, disabled objects, fields without doc values, `copy_to`
//!   sources and targets, `synthetic_source_keep: all` (and `arrays` for
//!   arrays) of a field or object or `index.mapping.synthetic_source_keep`,
//!   and field types without a synthetic loader.

use crate::mapper::{FieldKind, FieldMapper, IndexValue, Mapper, Subobjects};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

/// The synthetic source of a stored source.
pub fn synthesize(mapper: &Mapper, source: &Value) -> Value {
    let Value::Object(root) = source else { return source.clone() };
    let copy_targets: HashSet<&str> =
        mapper.fields.values().flat_map(|f| f.copy_to.iter().map(String::as_str)).collect();
    let rules = Rules { mapper, copy_targets };
    Value::Object(rules.object("", root))
}

/// The synthetic source of a stored source's text, as text (the text
/// itself if it is not a JSON object).
pub fn synthesize_text(mapper: &Mapper, text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => synthesize(mapper, &value).to_string(),
        _ => text.to_owned(),
    }
}

/// Checks a mapping can rebuild a synthetic source on request
/// (`force_synthetic_source`) though its index keeps its source as sent:
/// there is then no fallback copy of what a field cannot rebuild, so a text
/// field needs to be stored or to have a keyword sub-field, and a
/// `flattened` field its doc values. An index whose source is synthetic
/// already passes: it keeps such fields as sent (as Elasticsearch 9 keeps
/// them in `_ignored_source`).
pub fn check_forced(mapper: &Mapper) -> Result<(), crate::error::EngineError> {
    if mapper.source.mode == crate::source_mode::SourceMode::Synthetic {
        return Ok(());
    }
    let mut paths: Vec<&String> = mapper.fields.keys().collect();
    paths.sort();
    for path in paths {
        let field = &mapper.fields[path];
        if field.kind == FieldKind::Text && !field.store && text_source_field(field).is_none() {
            return Err(crate::error::EngineError::IllegalArgument(format!(
                "field [{path}] of type [{}] doesn't support synthetic source unless it is stored or has a sub-field of type [keyword] with doc values or stored and without a normalizer",
                field.type_name
            )));
        }
        if field.kind == FieldKind::Flattened && !field.doc_values {
            return Err(crate::error::EngineError::IllegalArgument(format!(
                "field [{path}] of type [{}] doesn't support synthetic source because it doesn't have doc values",
                field.type_name
            )));
        }
    }
    Ok(())
}

struct Rules<'m> {
    mapper: &'m Mapper,
    /// Fields other fields `copy_to`.
    copy_targets: HashSet<&'m str>,
}

/// What one object's walk gathers.
#[derive(Default)]
struct Gathered {
    /// Leaf fields' values, in the order met, by full path.
    leaves: BTreeMap<String, Vec<Value>>,
    /// Values kept as sent, by full path.
    kept: Vec<(String, Value)>,
    /// Each `nested` field's objects, rebuilt.
    nested: BTreeMap<String, Vec<Value>>,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Rules<'_> {
    /// The object at `prefix`, rebuilt.
    fn object(&self, prefix: &str, map: &Map<String, Value>) -> Map<String, Value> {
        let mut gathered = Gathered::default();
        for (key, value) in map {
            self.visit(&join(prefix, key), value, &mut gathered);
        }
        let mut out = Map::new();
        let relative =
            |path: &str| if prefix.is_empty() { path.to_owned() } else { path[prefix.len() + 1..].to_owned() };
        // Whether the object `consumed` bytes into a relative path keeps
        // dotted names whole (`subobjects: false` or `auto`).
        let insert = |out: &mut Map<String, Value>, rel: &str, value: Value| {
            let flat = |consumed: usize| {
                let object = join(prefix, rel[..consumed].trim_end_matches('.'));
                let object = if consumed == 0 { prefix.to_owned() } else { object };
                self.mapper.objects.get(&object).is_some_and(|o| o.subobjects != Subobjects::True)
            };
            insert_below(out, rel, value, &flat);
        };
        for (path, values) in &gathered.leaves {
            let Some(field) = self.mapper.fields.get(path) else { continue };
            if let Some(value) = one_or_many(self.leaf(field, values)) {
                insert(&mut out, &relative(path), value);
            }
        }
        for (path, objects) in gathered.nested {
            if let Some(value) = one_or_many(objects) {
                insert(&mut out, &relative(&path), value);
            }
        }
        for (path, value) in gathered.kept {
            insert(&mut out, &relative(&path), value);
        }
        sort_keys(&mut out);
        out
    }

    fn visit(&self, path: &str, value: &Value, out: &mut Gathered) {
        if let Some(field) = self.mapper.fields.get(path) {
            if self.kept_as_sent(field, value) {
                out.kept.push((path.to_owned(), value.clone()));
            } else {
                flatten_into(value, out.leaves.entry(path.to_owned()).or_default());
            }
            return;
        }
        if let Some(object) = self.mapper.objects.get(path) {
            if !object.enabled || self.keeps(object.synthetic_source_keep.as_deref(), value) {
                out.kept.push((path.to_owned(), value.clone()));
            } else if object.nested {
                let objects = out.nested.entry(path.to_owned()).or_default();
                for item in as_items(value) {
                    if let Value::Object(map) = item {
                        objects.push(Value::Object(self.object(path, map)));
                    }
                }
            } else {
                match value {
                    Value::Object(map) => map.iter().for_each(|(k, v)| self.visit(&join(path, k), v, out)),
                    Value::Array(items) => items.iter().for_each(|v| self.visit(path, v, out)),
                    Value::Null => {}
                    other => out.kept.push((path.to_owned(), other.clone())),
                }
            }
            return;
        }
        // Not mapped: an object some of whose fields are, or kept as sent.
        let inner = format!("{path}.");
        let maps_inside = self.mapper.fields.keys().chain(self.mapper.objects.keys()).any(|p| p.starts_with(&inner));
        match value {
            Value::Object(map) if maps_inside => map.iter().for_each(|(k, v)| self.visit(&join(path, k), v, out)),
            other => out.kept.push((path.to_owned(), other.clone())),
        }
    }

    /// Whether `synthetic_source_keep` (a field's or object's own, else the
    /// index's) keeps this value as sent: `all` always, `arrays` for arrays.
    fn keeps(&self, own: Option<&str>, value: &Value) -> bool {
        match own.or(self.mapper.synthetic_source_keep.as_deref()) {
            Some("all") => true,
            Some("arrays") => value.is_array(),
            _ => false,
        }
    }

    /// Whether a field's value is kept as sent rather than rebuilt.
    fn kept_as_sent(&self, field: &FieldMapper, value: &Value) -> bool {
        if self.keeps(field.synthetic_source_keep.as_deref(), value) {
            return true;
        }
        if !field.copy_to.is_empty() || self.copy_targets.contains(field.path.as_str()) {
            return true;
        }
        match field.kind {
            FieldKind::Text => !field.store && text_source_field(field).is_none(),
            FieldKind::Flattened => !field.doc_values,
            FieldKind::ConstantKeyword => false,
            FieldKind::MatchOnlyText
            | FieldKind::Binary
            | FieldKind::GeoPoint
            | FieldKind::Completion
            | FieldKind::Alias => true,
            _ => !field.doc_values && !field.store,
        }
    }

    /// A leaf field's values, rebuilt.
    fn leaf(&self, field: &FieldMapper, values: &[Value]) -> Vec<Value> {
        match field.kind {
            FieldKind::Text if field.store => values.iter().filter(|v| !v.is_null()).cloned().collect(),
            FieldKind::Text => match text_source_field(field) {
                Some(keyword) => self.leaf(keyword, values),
                None => values.to_vec(),
            },
            FieldKind::ConstantKeyword => field.constant.iter().map(|c| Value::from(c.as_str())).take(1).collect(),
            FieldKind::Flattened => flattened(self.mapper, field, values).into_iter().collect(),
            _ => doc_values(field, values),
        }
    }
}

/// The keyword multi-field a text field's synthetic source reads, if any.
fn text_source_field(field: &FieldMapper) -> Option<&FieldMapper> {
    field
        .multi_fields
        .iter()
        .find(|sub| sub.kind == FieldKind::Keyword && sub.doc_values && sub.normalizer.is_none())
        .map(|sub| &**sub)
}

/// The values of one leaf in doc-values order (or stored order when the
/// field is stored without doc values), then those the field ignored.
fn doc_values(field: &FieldMapper, values: &[Value]) -> Vec<Value> {
    let mut parsed = Vec::new();
    let mut ignored = Vec::new();
    for raw in values {
        match field.parse_value(raw) {
            Ok(Some(IndexValue::Ignored)) | Err(_) => ignored.push(raw.clone()),
            Ok(Some(v)) => parsed.push(v),
            Ok(None) => {}
        }
    }
    if field.doc_values {
        sort_values(field.kind, &mut parsed);
    }
    let mut out: Vec<Value> = parsed.into_iter().map(|v| shown(field, v)).collect();
    out.extend(ignored);
    out
}

/// Orders parsed values as the field's doc values keep them: sorted, and
/// deduplicated for the sorted-set types (keywords, IPs).
fn sort_values(kind: FieldKind, values: &mut Vec<IndexValue>) {
    values.sort_by(|a, b| match (a, b) {
        (IndexValue::Keyword(x), IndexValue::Keyword(y)) => x.cmp(y),
        (IndexValue::Long(x), IndexValue::Long(y)) | (IndexValue::Date(x), IndexValue::Date(y)) => x.cmp(y),
        (IndexValue::Unsigned(x), IndexValue::Unsigned(y)) => x.cmp(y),
        (IndexValue::Double(x), IndexValue::Double(y)) => x.total_cmp(y),
        (IndexValue::Bool(x), IndexValue::Bool(y)) => x.cmp(y),
        (IndexValue::Ip(x), IndexValue::Ip(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    if matches!(kind, FieldKind::Keyword | FieldKind::Wildcard | FieldKind::Ip) {
        values.dedup();
    }
}

/// A parsed value as synthetic source shows it.
fn shown(field: &FieldMapper, value: IndexValue) -> Value {
    match value {
        IndexValue::Keyword(s) | IndexValue::Text(s) => Value::from(s),
        IndexValue::Long(n) if field.kind == FieldKind::ScaledFloat => number(n as f64 / field.scaling_factor),
        IndexValue::Long(n) => Value::from(n),
        IndexValue::Unsigned(n) => Value::from(n),
        IndexValue::Double(d) if field.kind == FieldKind::Double => number(d),
        // Floats keep their own precision: `3.14`, not `3.140000104904175`.
        IndexValue::Double(d) => number((d as f32).to_string().parse().unwrap_or(d)),
        IndexValue::Bool(b) => Value::from(b),
        IndexValue::Date(t) => {
            let format = field.format.clone().unwrap_or_else(crate::mapper::date::DateFormat::default_format);
            Value::from(if field.kind == FieldKind::DateNanos {
                format.format_nanos_value(t)
            } else {
                format.format_millis(t)
            })
        }
        IndexValue::Ip(bits) => Value::from(crate::mapper::field::ip_text(bits)),
        IndexValue::Geo { lat, lon } => serde_json::json!({"lat": lat, "lon": lon}),
        IndexValue::Range(bounds) => match field.kind {
            FieldKind::Range(kind) => {
                let format = field.format.clone().unwrap_or_else(crate::mapper::date::DateFormat::default_format);
                bounds.to_json(kind, &|ms| format.format_millis(ms))
            }
            _ => Value::Null,
        },
        IndexValue::Ignored | IndexValue::SourceOnly => Value::Null,
    }
}

fn number(d: f64) -> Value {
    serde_json::Number::from_f64(d).map_or(Value::Null, Value::Number)
}

/// A `flattened` field rebuilt from its key/value pairs: keys sorted,
/// each key's values as sorted, deduplicated strings, then the values
/// past `ignore_above`, as sent. A key the field maps as a field of its
/// own (`properties`) comes back by its dotted name, as that field gives it.
fn flattened(mapper: &Mapper, field: &FieldMapper, values: &[Value]) -> Option<Value> {
    let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mapped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for value in values {
        flatten_pairs("", value, &mut pairs);
        for key in pairs.keys().cloned().collect::<Vec<_>>() {
            if mapper.fields.contains_key(&join(&field.path, &key)) {
                pairs.remove(&key);
                mapped.entry(key.clone()).or_default().extend(crate::source_filter::values_at(value, &key));
            }
        }
    }
    let mut out = Map::new();
    for (key, raw) in mapped {
        let Some(sub) = mapper.fields.get(&join(&field.path, &key)) else { continue };
        if let Some(value) = one_or_many(doc_values(sub, &raw)) {
            out.insert(key, value);
        }
    }
    for (key, strings) in pairs {
        let (mut kept, ignored): (Vec<String>, Vec<String>) =
            strings.into_iter().partition(|s| field.ignore_above.is_none_or(|limit| s.chars().count() <= limit));
        kept.sort();
        kept.dedup();
        if let Some(value) = one_or_many(kept.into_iter().chain(ignored).map(Value::from).collect()) {
            insert(&mut out, &key, value);
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn flatten_pairs(prefix: &str, value: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten_pairs(&join(prefix, k), v, out)),
        Value::Array(items) => items.iter().for_each(|v| flatten_pairs(prefix, v, out)),
        Value::Null => {}
        leaf if !prefix.is_empty() => out.entry(prefix.to_owned()).or_default().push(crate::settings_text(leaf)),
        _ => {}
    }
}

/// Adds a value's leaves to a list, arrays flattened.
fn flatten_into(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| flatten_into(v, out)),
        other => out.push(other.clone()),
    }
}

fn as_items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// One value alone, several as an array, none as nothing.
fn one_or_many(mut values: Vec<Value>) -> Option<Value> {
    match values.len() {
        0 => None,
        1 => values.pop(),
        _ => Some(Value::Array(values)),
    }
}

/// Puts a value at a dotted path, making objects on the way; what is
/// already there merges (objects) or becomes an array with it.
fn insert(map: &mut Map<String, Value>, path: &str, value: Value) {
    insert_below(map, path, value, &|_| false);
}

/// [`insert`] into the object at a path of the mapping: below an object
/// without subobjects (`flat`, given the full path of an object), the rest
/// of the path is one name.
fn insert_below(map: &mut Map<String, Value>, path: &str, value: Value, flat: &dyn Fn(usize) -> bool) {
    let split = if flat(0) { None } else { path.split_once('.') };
    let (head, rest) = match split {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let value = match rest {
        Some(rest) => {
            let mut inner = Map::new();
            // `flat` counts the names consumed so far.
            let consumed = head.len() + 1;
            insert_below(&mut inner, rest, value, &|n| flat(consumed + n));
            Value::Object(inner)
        }
        None => value,
    };
    match map.get_mut(head) {
        None => {
            map.insert(head.to_owned(), value);
        }
        Some(existing) => merge(existing, value),
    }
}

fn merge(existing: &mut Value, value: Value) {
    match (existing, value) {
        (Value::Object(current), Value::Object(new)) => {
            for (k, v) in new {
                match current.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        current.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(items), Value::Array(new)) => items.extend(new),
        (Value::Array(items), new) => items.push(new),
        (slot, new) => {
            let old = slot.take();
            let mut items = vec![old];
            match new {
                Value::Array(more) => items.extend(more),
                other => items.push(other),
            }
            *slot = Value::Array(items);
        }
    }
}

fn sort_keys(map: &mut Map<String, Value>) {
    map.sort_keys();
    for value in map.values_mut() {
        if let Value::Object(inner) = value {
            sort_keys(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::FlatSettings;
    use proptest::prelude::*;
    use serde_json::json;
    use std::sync::Arc;
    use tensile_analysis::Analyzers;

    fn mapper(m: Value) -> Mapper {
        Mapper::new(&m, Arc::new(Analyzers::default()), &FlatSettings::new()).unwrap()
    }

    #[test]
    fn objects_without_subobjects_keep_dotted_names() {
        let m = mapper(json!({"properties": {
            "metrics": {"type": "object", "subobjects": false, "properties": {
                "time": {"type": "long"}, "time.max": {"type": "long"}, "host.name": {"type": "keyword"}
            }},
            "other": {"properties": {"a": {"type": "long"}}}
        }}));
        let source = json!({"metrics": {"time": 10, "time.max": 100, "host.name": "h"}, "other.a": 1});
        assert_eq!(
            synthesize(&m, &source),
            json!({"metrics": {"host.name": "h", "time": 10, "time.max": 100}, "other": {"a": 1}})
        );
    }

    fn rules() -> Mapper {
        mapper(json!({"properties": {
            "kwd": {"type": "keyword", "ignore_above": 10},
            "n": {"type": "long"},
            "f": {"type": "float"},
            "ip": {"type": "ip", "ignore_malformed": true},
            "d": {"type": "date"},
            "b": {"type": "boolean"},
            "t": {"type": "text"},
            "tk": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
            "st": {"type": "text", "store": true},
            "obj": {"properties": {"kwd": {"type": "keyword"}}},
            "off": {"type": "object", "enabled": false},
            "nest": {"type": "nested", "properties": {"v": {"type": "long"}}},
            "flat": {"type": "flattened"},
            "flat_short": {"type": "flattened", "ignore_above": 3},
            "k": {"type": "keyword", "copy_to": "copy"},
            "copy": {"type": "keyword"},
        }}))
    }

    #[test]
    fn rebuilds_as_elasticsearch_does() {
        let m = rules();
        let source = json!({
            "kwd": ["b", "jumped over the lazy dog", "a", "b"],
            "n": [3, 1, 3],
            "f": 1.1,
            "ip": ["192.8.1.2", "hot garbage", "10.10.1.1"],
            "d": "2015-01-01",
            "b": [true, false],
            "t": ["z", "a"],
            "tk": ["z", "a", "z"],
            "st": ["z", "a"],
            "obj.kwd": "foo",
            "off": {"x.y": [1]},
            "nest": [{"v": [2, 1]}, {"v": 3}],
            "flat": {"b": ["2", "10", "2"], "a": {"c": 1}},
            "flat_short": {"v": ["long one", "zz", "ab", "zz"]},
            "k": ["y", "x"],
            "copy": "w",
            "empty": {},
        });
        assert_eq!(
            synthesize(&m, &source),
            json!({
                "b": [false, true],
                "copy": "w",
                "d": "2015-01-01T00:00:00.000Z",
                "empty": {},
                "f": 1.1,
                "flat": {"a": {"c": "1"}, "b": ["10", "2"]},
                "flat_short": {"v": ["ab", "zz", "long one"]},
                "ip": ["10.10.1.1", "192.8.1.2", "hot garbage"],
                "k": ["y", "x"],
                "kwd": ["a", "b", "jumped over the lazy dog"],
                "n": [1, 3, 3],
                "nest": [{"v": [1, 2]}, {"v": 3}],
                "obj": {"kwd": "foo"},
                "off": {"x.y": [1]},
                "st": ["z", "a"],
                "t": ["z", "a"],
                "tk": ["a", "z"],
            })
        );
    }

    #[test]
    fn arrays_of_objects_merge_and_empty_objects_go() {
        let m = rules();
        let source = json!({"obj": [{"kwd": "b"}, {"kwd": "a"}, {}], "n": null});
        assert_eq!(synthesize(&m, &source), json!({"obj": {"kwd": ["a", "b"]}}));
    }

    #[test]
    fn keep_modes_keep_the_value_as_sent() {
        let m = mapper(json!({"properties": {
            "all": {"type": "long", "synthetic_source_keep": "all"},
            "arrays": {"type": "long", "synthetic_source_keep": "arrays"},
        }}));
        let source = json!({"all": [3, 1], "arrays": [3, 1]});
        assert_eq!(synthesize(&m, &source), source);
        assert_eq!(synthesize(&m, &json!({"arrays": 2})), json!({"arrays": 2}));

        let objects = mapper(json!({"properties": {
            "o": {"synthetic_source_keep": "arrays", "properties": {"a": {"type": "long"}}},
            "p": {"properties": {"a": {"type": "long"}}},
        }}));
        let source = json!({"o": [{"a": 2}, {"a": 1}], "p": [{"a": 2}, {"a": 1}]});
        assert_eq!(synthesize(&objects, &source), json!({"o": [{"a": 2}, {"a": 1}], "p": {"a": [1, 2]}}));
        assert_eq!(synthesize(&objects, &json!({"o": {"a": [2, 1]}})), json!({"o": {"a": [1, 2]}}));

        let settings: FlatSettings = [("index.mapping.synthetic_source_keep".to_owned(), Value::from("arrays"))].into();
        let index_wide = Mapper::new(
            &json!({"properties": {"n": {"type": "long"}, "m": {"type": "long", "synthetic_source_keep": "none"}}}),
            Arc::new(Analyzers::default()),
            &settings,
        )
        .unwrap();
        assert_eq!(synthesize(&index_wide, &json!({"n": [2, 1], "m": [2, 1]})), json!({"n": [2, 1], "m": [1, 2]}));
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-z ]{0,14}".prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            (0u8..=255, 0u8..=255).prop_map(|(a, b)| Value::from(format!("10.0.{a}.{b}"))),
            Just(Value::Null),
        ]
    }

    fn values() -> impl Strategy<Value = Value> {
        prop_oneof![leaf(), prop::collection::vec(leaf(), 0..5).prop_map(Value::Array)]
    }

    proptest! {
        /// Synthetic source is a fixed point: rebuilding it again changes nothing.
        #[test]
        fn synthesizing_twice_is_stable(
            fields in prop::collection::btree_map(
                prop_oneof![Just("kwd"), Just("n"), Just("f"), Just("ip"), Just("d"), Just("b"), Just("tk"),
                    Just("st"), Just("obj.kwd"), Just("flat"), Just("flat_short"), Just("other"), Just("k")],
                values(),
                0..8,
            )
        ) {
            let m = rules();
            let source = Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
            let once = synthesize(&m, &source);
            prop_assert_eq!(synthesize(&m, &once), once.clone());
        }
    }
}
