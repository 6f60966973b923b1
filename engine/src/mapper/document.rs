//! Parsing a document against the mapping: every value the index holds
//! for it, by field path, and the mapping the dynamic rules add. Objects
//! recurse, arrays flatten, multi-fields and `copy_to` targets get the
//! same value, and the limits of `index.mapping.*` hold.

use super::dynamic::NewField;
use super::field::{FieldKind, FieldMapper};
use super::json::Json;
use super::{join, Dynamic, Mapper, ObjectMapper, PathMap, Subobjects};
use crate::error::EngineError;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// A value as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexValue {
    /// Text to analyse with the field's analyzer.
    Text(String),
    Keyword(String),
    Long(i64),
    Unsigned(u64),
    Double(f64),
    Bool(bool),
    /// Millis since the epoch (nanos for `date_nanos`).
    Date(i64),
    /// An IP address as the bits of its IPv6 form.
    Ip(u128),
    Geo {
        lat: f64,
        lon: f64,
    },
    /// A value the field ignores (`ignore_above`): in `_source`, not indexed.
    Ignored,
    /// A value kept in `_source` alone (`binary`): not searchable, but the
    /// field exists.
    SourceOnly,
    /// A range field's range.
    Range(super::range::Bounds),
}

/// A document parsed against the mapping.
#[derive(Debug, Clone, Default)]
pub struct ParsedDoc {
    /// Each indexed value with the field it belongs to.
    pub values: Vec<(Arc<FieldMapper>, IndexValue)>,
    /// The mapping the dynamic rules add, in `_mapping`'s shape; `None` when nothing new.
    pub mapping_update: Option<Value>,
    /// Fields whose values were ignored (`ignore_above`, `ignore_malformed`).
    pub ignored: Vec<String>,
    /// Paths of objects holding at least one value, for `exists` on objects.
    pub objects: Vec<String>,
    /// The objects of `nested` fields, each a document of its own, in the
    /// order they are indexed: every one after those it holds (Lucene's
    /// block order, the root document last).
    pub nested: Vec<NestedDoc>,
}

/// One object of a `nested` field, parsed as a document of its own.
#[derive(Debug, Clone)]
pub struct NestedDoc {
    /// The nested field's full path.
    pub path: String,
    pub doc: ParsedDoc,
}

/// A document being parsed that holds a nested one (the one being parsed
/// sits in `Parse::out`).
struct Outer {
    doc: ParsedDoc,
}

/// Why a document was refused, as Elasticsearch names it.
fn parsing_error(reason: impl Into<String>) -> EngineError {
    EngineError::DocumentParsing { reason: reason.into(), cause: None }
}

/// Java's `toString` of a value, as Elasticsearch previews field values.
fn preview(v: &Json) -> String {
    match v {
        Json::Str(s) => s.to_string(),
        Json::Object(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={}", preview(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Json::Array(items) => format!("[{}]", items.iter().map(preview).collect::<Vec<_>>().join(", ")),
        other => other.to_value().to_string(),
    }
}

/// An object's entries.
type Entries<'a> = [(Cow<'a, str>, Json<'a>)];

struct Parse<'m> {
    mapper: &'m Mapper,
    id: &'m str,
    /// Bulk's `dynamic_templates`: field path to template name.
    templates: &'m HashMap<String, String>,
    out: ParsedDoc,
    /// What the dynamic rules added in this document.
    new_fields: PathMap<Arc<FieldMapper>>,
    new_objects: PathMap<ObjectMapper>,
    update: Map<String, Value>,
    added: usize,
    /// Objects met inside arrays so far.
    array_objects: usize,
    /// Objects of nested fields met so far.
    nested_objects: usize,
    /// The documents holding the nested object being parsed, outermost first.
    outer: Vec<Outer>,
    /// Parsing a value `copy_to` copied.
    copying: bool,
}

impl Mapper {
    /// Parses a document's source.
    pub fn parse(
        &self,
        id: &str,
        source: &Json,
        templates: &HashMap<String, String>,
    ) -> Result<ParsedDoc, EngineError> {
        let Json::Object(root) = source else {
            return Err(parsing_error("failed to parse, document is empty"));
        };
        let mut p = Parse {
            mapper: self,
            id,
            templates,
            out: ParsedDoc::default(),
            new_fields: PathMap::default(),
            new_objects: PathMap::default(),
            update: Map::new(),
            added: 0,
            array_objects: 0,
            nested_objects: 0,
            outer: Vec::new(),
            copying: false,
        };
        if self.objects.get("").is_some_and(|o| o.enabled) {
            p.object("", root, 1)?;
        }
        let mut out = p.out;
        if !p.update.is_empty() {
            out.mapping_update = Some(Value::Object(p.update));
        }
        Ok(out)
    }
}

impl Parse<'_> {
    fn field(&self, path: &str) -> Option<Arc<FieldMapper>> {
        self.mapper.fields.get(path).or_else(|| self.new_fields.get(path)).cloned()
    }

    fn object_mapper(&self, path: &str) -> Option<&ObjectMapper> {
        self.mapper.objects.get(path).or_else(|| self.new_objects.get(path))
    }

    /// The names a field's path takes in a mapping update: one per object,
    /// the rest whole below an object without subobjects.
    fn mapping_parts(&self, path: &str) -> Vec<String> {
        let mut parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        if let Some(i) = (0..parts.len()).find(|&i| self.subobjects_of(&parts[..i].join(".")) != Subobjects::True) {
            let rest = parts.split_off(i).join(".");
            parts.push(rest);
        }
        parts
    }

    fn subobjects_of(&self, object_path: &str) -> Subobjects {
        self.object_mapper(object_path).map_or(Subobjects::True, |o| o.subobjects)
    }

    fn dynamic_of(&self, object_path: &str) -> Dynamic {
        super::inherited_dynamic(object_path, |path| self.object_mapper(path).and_then(|o| o.dynamic))
    }

    fn object(&mut self, prefix: &str, map: &Entries, depth: usize) -> Result<(), EngineError> {
        if depth > self.mapper.limits.depth {
            return Err(parsing_error(format!(
                "Limit of mapping depth [{}] has been exceeded due to object field [{prefix}]",
                self.mapper.limits.depth
            )));
        }
        if !prefix.is_empty() && !map.is_empty() {
            self.out.objects.push(prefix.to_owned());
        }
        let subobjects = self.subobjects_of(prefix);
        for (key, value) in map {
            if key.trim().is_empty() {
                return Err(parsing_error("field name cannot be an empty string"));
            }
            // Without subobjects a dotted name is a leaf's own.
            if subobjects != Subobjects::True {
                if key.split('.').any(|p| p.is_empty()) {
                    return Err(parsing_error(format!("field name cannot contain only whitespace: ['{key}']")));
                }
                self.value(prefix, key, value, depth)?;
                continue;
            }
            if !key.contains('.') {
                self.value(prefix, key, value, depth)?;
                continue;
            }
            // A dotted name stands for nested objects: `a.b` is `b` inside `a`.
            let mut parent = prefix.to_owned();
            let mut parts: Vec<&str> = key.split('.').collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(parsing_error(format!("field name cannot contain only whitespace: ['{key}']")));
            }
            let leaf = parts.pop().expect("split yields one part");
            let mut skip = false;
            let mut rest = None;
            for (i, part) in parts.iter().enumerate() {
                let path = join(&parent, part);
                if self.field(&path).is_none() && !self.ensure_object(&parent, part, &path)? {
                    skip = true;
                    break;
                }
                parent = path;
                // Below an object without subobjects the rest is one name.
                if self.subobjects_of(&parent) != Subobjects::True {
                    rest = Some(parts[i + 1..].iter().chain([&leaf]).copied().collect::<Vec<_>>().join("."));
                    break;
                }
            }
            if !skip {
                self.value(&parent, rest.as_deref().unwrap_or(leaf), value, depth)?;
            }
        }
        Ok(())
    }

    /// Makes sure an object exists at `path`, mapping it dynamically if the
    /// rules allow; `false` when its content is not to be indexed.
    fn ensure_object(&mut self, parent: &str, name: &str, path: &str) -> Result<bool, EngineError> {
        if let Some(o) = self.object_mapper(path) {
            return Ok(o.enabled);
        }
        match self.dynamic_of(parent) {
            Dynamic::Strict => Err(self.strict(parent, name)),
            Dynamic::False => Ok(false),
            Dynamic::True | Dynamic::Runtime => {
                // A dynamic template may map the object (`subobjects: false`...).
                let empty = Value::Object(Map::new());
                let template = self.templates.get(path).map(String::as_str);
                let mapped = self.mapper.new_field(name, path, &empty, false, template).ok().flatten();
                let new = mapped
                    .filter(|n| matches!(n.mapping.get("type").and_then(Value::as_str), None | Some("object")))
                    .unwrap_or(NewField { mapping: serde_json::json!({}), runtime: false });
                self.add_mapping(path, &new)?;
                Ok(true)
            }
        }
    }

    fn strict(&self, parent: &str, name: &str) -> EngineError {
        EngineError::StrictDynamicMapping(format!(
            "mapping set to strict, dynamic introduction of [{name}] within [{}] is not allowed",
            if parent.is_empty() { "_doc" } else { parent }
        ))
    }

    fn value(&mut self, parent: &str, name: &str, value: &Json, depth: usize) -> Result<(), EngineError> {
        let path = join(parent, name);
        if let Some(field) = self.field(&path) {
            return self.leaf(&field, value);
        }
        if let Some(object) = self.object_mapper(&path) {
            if !object.enabled {
                return Ok(());
            }
            return self.object_value(&path, value, depth);
        }
        // Under `subobjects: false` an object's fields are leaves with dotted names.
        if self.subobjects_of(parent) == Subobjects::False {
            match value {
                Json::Object(map) => {
                    return map.iter().try_for_each(|(k, v)| self.value(parent, &join(name, k), v, depth));
                }
                Json::Array(items) if items.iter().any(Json::is_object) => {
                    return items.iter().try_for_each(|item| self.value(parent, name, item, depth));
                }
                _ => {}
            }
        }
        if name.chars().count() > self.mapper.limits.field_name_length {
            // Too long a name for a new field: kept in `_source`, not mapped.
            self.out.ignored.push(path);
            return Ok(());
        }
        let dynamic = self.dynamic_of(parent);
        match dynamic {
            Dynamic::Strict if !value.is_null() => return Err(self.strict(parent, name)),
            Dynamic::False | Dynamic::Strict => return Ok(()),
            Dynamic::True | Dynamic::Runtime => {}
        }
        let template = self.templates.get(&path).map(String::as_str);
        let new = self
            .mapper
            .new_field(name, &path, &value.to_value(), dynamic == Dynamic::Runtime, template)
            .map_err(|reason| parsing_error(format!("failed to parse: {reason}")))?;
        let Some(new) = new else { return Ok(()) };
        if !self.add_mapping(&path, &new)? {
            return Ok(());
        }
        if new.runtime {
            return Ok(());
        }
        match self.field(&path) {
            Some(field) => self.leaf(&field, value),
            None => self.object_value(&path, value, depth),
        }
    }

    fn object_value(&mut self, path: &str, value: &Json, depth: usize) -> Result<(), EngineError> {
        match value {
            Json::Object(map) => match self.object_mapper(path) {
                Some(o) if o.nested => {
                    let (in_parent, in_root) = (o.include_in_parent, o.include_in_root);
                    self.nested_object(path, map, depth, in_parent, in_root)
                }
                _ => self.object(path, map, depth + 1),
            },
            Json::Array(items) => items.iter().try_for_each(|item| {
                if item.is_object() {
                    self.count_array_object()?;
                }
                self.object_value(path, item, depth)
            }),
            Json::Null => Ok(()),
            _ => Err(parsing_error(format!(
                "object mapping for [{path}] tried to parse field [{}] as object, but found a concrete value",
                path.rsplit('.').next().unwrap_or(path)
            ))),
        }
    }

    /// An object of a nested field: a document of its own, parsed apart
    /// and then listed after those it holds. With `include_in_parent` or
    /// `include_in_root`, its values are also indexed in that document.
    fn nested_object(
        &mut self,
        path: &str,
        map: &Entries,
        depth: usize,
        in_parent: bool,
        in_root: bool,
    ) -> Result<(), EngineError> {
        self.count_nested_object()?;
        self.outer.push(Outer { doc: std::mem::take(&mut self.out) });
        let parsed = self.object(path, map, depth + 1);
        let outer = self.outer.pop().expect("pushed above");
        let mut inner = std::mem::replace(&mut self.out, outer.doc);
        parsed?;
        self.out.ignored.append(&mut inner.ignored);
        if in_parent {
            self.out.values.extend(inner.values.iter().cloned());
            self.out.objects.extend(inner.objects.iter().cloned());
        }
        // The parent may be the root: then its values are there already.
        if in_root && !(in_parent && self.outer.is_empty()) {
            let root = match self.outer.first_mut() {
                Some(root) => &mut root.doc,
                None => &mut self.out,
            };
            root.values.extend(inner.values.iter().cloned());
            root.objects.extend(inner.objects.iter().cloned());
        }
        let root = match self.outer.first_mut() {
            Some(root) => &mut root.doc,
            None => &mut self.out,
        };
        root.nested.push(NestedDoc { path: path.to_owned(), doc: inner });
        Ok(())
    }

    fn count_nested_object(&mut self) -> Result<(), EngineError> {
        count(&mut self.nested_objects, self.mapper.limits.nested_objects, |limit| {
            format!("The number of nested documents has exceeded the allowed limit of [{limit}]. This limit can be set by changing the [index.mapping.nested_objects.limit] index level setting.")
        })
    }

    fn count_array_object(&mut self) -> Result<(), EngineError> {
        count(&mut self.array_objects, self.mapper.limits.array_objects, |limit| {
            format!("The total number of objects across all arrays in the document has exceeded the allowed limit of [{limit}]. This limit can be set by changing the [index.mapping.array_objects.limit] index level setting.")
        })
    }

    /// Records a dynamically mapped field; `false` when the total-fields
    /// limit keeps it out and the index ignores such fields.
    fn add_mapping(&mut self, path: &str, new: &NewField) -> Result<bool, EngineError> {
        let limits = &self.mapper.limits;
        let count = 1 + new.mapping.get("fields").and_then(Value::as_object).map_or(0, Map::len);
        if self.mapper.total_fields + self.added + count > limits.total_fields {
            if limits.ignore_dynamic_beyond_limit {
                self.out.ignored.push(path.to_owned());
                return Ok(false);
            }
            return Err(parsing_error(format!(
                "failed to parse: Limit of total fields [{}] has been exceeded while adding new fields [{count}]",
                limits.total_fields
            )));
        }
        self.added += count;
        if new.runtime {
            let runtime = self.update.entry("runtime").or_insert_with(|| Value::Object(Map::new()));
            runtime[path] = new.mapping.clone();
            return Ok(true);
        }
        let kind = new.mapping.get("type").and_then(Value::as_str).unwrap_or("object");
        let mut scratch = self.mapper.empty_like();
        scratch.add(path, &new.mapping, 1, &mut 0).map_err(|e| parsing_error(format!("failed to parse: {e}")))?;
        if kind == "object" || kind == "nested" {
            self.new_objects.extend(scratch.objects);
        }
        self.new_fields.extend(scratch.fields);
        let parts = self.mapping_parts(path);
        insert_path(&mut self.update, &parts, new.mapping.clone(), self.mapper);
        Ok(true)
    }

    fn leaf(&mut self, field: &Arc<FieldMapper>, value: &Json) -> Result<(), EngineError> {
        match value {
            Json::Array(items) if field.kind == FieldKind::GeoPoint && items.first().is_some_and(Json::is_number) => {
                self.one(field, value)
            }
            Json::Array(items) => items.iter().try_for_each(|item| self.leaf(field, item)),
            Json::Object(_) if matches!(field.kind, FieldKind::GeoPoint | FieldKind::Completion) => {
                self.one(field, value)
            }
            Json::Object(map) if field.kind == FieldKind::Flattened => self.flattened(field, &field.path, map),
            // Each feature is a number of its own, under the field's path.
            Json::Object(map) if field.kind == FieldKind::RankFeatures => map.iter().try_for_each(|(name, v)| {
                let feature = Arc::new(FieldMapper {
                    path: format!("{}.{name}", field.path),
                    multi_fields: Vec::new(),
                    ..(**field).clone()
                });
                self.one(&feature, v)
            }),
            _ => self.one(field, value),
        }
    }

    /// The keys of a `flattened` field's object: each a keyword under its
    /// full path, or a field of its own where the flattened field maps
    /// that key (`properties`).
    fn flattened(&mut self, field: &Arc<FieldMapper>, prefix: &str, map: &Entries) -> Result<(), EngineError> {
        for (k, v) in map {
            let key = format!("{prefix}.{k}");
            if let Some(mapped) = self.mapper.fields.get(&key).filter(|f| f.kind != FieldKind::Flattened) {
                self.leaf(&mapped.clone(), v)?;
                continue;
            }
            match v {
                Json::Object(inner) => self.flattened(field, &key, inner)?,
                Json::Null => {}
                leaf => {
                    let leaves = match leaf {
                        Json::Array(items) => items.as_slice(),
                        one => std::slice::from_ref(one),
                    };
                    for item in leaves.iter().filter(|v| !v.is_null()) {
                        let text = crate::settings_text(&item.to_value());
                        if field.ignore_above.is_some_and(|limit| text.chars().count() > limit) {
                            self.out.ignored.push(field.path.clone());
                            continue;
                        }
                        self.out.values.push((field.clone(), IndexValue::Keyword(text.clone())));
                        let keyed =
                            Arc::new(FieldMapper { path: key.clone(), multi_fields: Vec::new(), ..(**field).clone() });
                        self.out.values.push((keyed, IndexValue::Keyword(text)));
                    }
                }
            }
        }
        Ok(())
    }

    /// One value of a field, then its multi-fields and `copy_to` targets.
    fn one(&mut self, field: &Arc<FieldMapper>, value: &Json) -> Result<(), EngineError> {
        // A document's number in a `token_count` field is text to count.
        let as_text;
        let value = match value {
            Json::Number(n) if field.kind == FieldKind::TokenCount => {
                as_text = Json::Str(Cow::Owned(n.to_string()));
                &as_text
            }
            _ => value,
        };
        // Text for text and keywords goes straight in; other values through JSON.
        let parsed = match value {
            Json::Str(text) => field.parse_string(text),
            _ => None,
        };
        match parsed.unwrap_or_else(|| field.parse_value(&value.to_value())) {
            Ok(Some(IndexValue::Ignored)) => self.out.ignored.push(field.path.clone()),
            Ok(Some(v)) => {
                if field.kind == FieldKind::ConstantKeyword && field.constant.is_none() {
                    self.set_constant(field, value);
                }
                self.out.values.push((field.clone(), v));
            }
            Ok(None) => {}
            // `ignore_malformed` covers malformed values (objects where a
            // value belongs only for dates, as Elasticsearch's date mapper
            // ignores them); the value still goes on to multi-fields and
            // `copy_to` targets.
            Err(_) if field.ignore_malformed && (!value.is_object() || field.kind.is_date()) => {
                self.out.ignored.push(field.path.clone());
            }
            Err(reason) => {
                let message = format!(
                    "failed to parse field [{}] of type [{}] in document with id '{}'. Preview of field's value: '{}'",
                    field.path,
                    field.type_name,
                    self.id,
                    preview(value)
                );
                return Err(EngineError::DocumentParsing {
                    reason: message,
                    cause: Some(reason).filter(|r| !r.is_empty()),
                });
            }
        }
        if value.is_null() && field.null_value.is_none() {
            return Ok(());
        }
        for sub in &field.multi_fields {
            self.one(sub, value)?;
        }
        // As in Elasticsearch, a copied value is not copied on again: no chains, no cycles.
        let object = value.is_object() && !matches!(field.kind, FieldKind::GeoPoint | FieldKind::Completion);
        if object && !field.copy_to.is_empty() {
            return Err(parsing_error("Copy-to currently only works for value-type fields, not objects."));
        }
        if !self.copying {
            self.copying = true;
            let copied = field.copy_to.iter().try_for_each(|target| {
                let (parent, name) = target.rsplit_once('.').unwrap_or(("", target.as_str()));
                self.value(parent, name, value, 1)
            });
            self.copying = false;
            copied?;
        }
        Ok(())
    }

    /// The first value of a `constant_keyword` without one becomes its value.
    fn set_constant(&mut self, field: &Arc<FieldMapper>, value: &Json) {
        let text = crate::settings_text(&value.to_value());
        let def = serde_json::json!({"type": "constant_keyword", "value": text});
        let parts = self.mapping_parts(&field.path);
        insert_path(&mut self.update, &parts, def, self.mapper);
        let fixed = FieldMapper { constant: Some(text), ..(**field).clone() };
        self.new_fields.insert(field.path.clone(), Arc::new(fixed));
    }
}

/// Counts one more of something a document may hold `limit` of.
fn count(counter: &mut usize, limit: usize, message: impl FnOnce(usize) -> String) -> Result<(), EngineError> {
    *counter += 1;
    if *counter > limit {
        return Err(parsing_error(message(limit)));
    }
    Ok(())
}

/// Puts a field definition at its path (its names, one per object) in a
/// `{"properties": ...}` tree; intermediate objects the mapping has as
/// `nested` say so.
fn insert_path(root: &mut Map<String, Value>, parts: &[String], def: Value, mapper: &Mapper) {
    let mut node = root;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 && mapper.objects.get(&parts[..i].join(".")).is_some_and(|o| o.nested) {
            node.insert("type".into(), Value::from("nested"));
        }
        let props = node.entry("properties").or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(props) = props else { return };
        if i + 1 == parts.len() {
            match props.get_mut(part.as_str()) {
                Some(Value::Object(existing)) => {
                    if let Value::Object(d) = def {
                        for (k, v) in d {
                            existing.entry(k).or_insert(v);
                        }
                    }
                }
                _ => {
                    props.insert(part.clone(), def);
                }
            }
            return;
        }
        let child = props.entry(part.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(child) = child else { return };
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::tests::mapper;
    use serde_json::json;

    fn parse(m: &Mapper, doc: Value) -> Result<ParsedDoc, EngineError> {
        let text = doc.to_string();
        m.parse("1", &Json::parse(&text).unwrap(), &HashMap::new())
    }

    proptest::proptest! {
        /// Text read straight from the source is what the JSON path makes of it.
        #[test]
        fn strings_read_as_their_json_values(text in "\\PC{0,12}|20[0-9]{2}-0[1-9]-[12][0-9](T1[0-9]:[0-5][0-9]:00Z)?") {
            let m = mapper(json!({"properties": {
                "t": {"type": "text"}, "k": {"type": "keyword", "ignore_above": 5}, "w": {"type": "wildcard"},
                "n": {"type": "keyword", "normalizer": "lowercase"}, "d": {"type": "date"},
                "dn": {"type": "date_nanos"}
            }}));
            for name in ["t", "k", "w", "n", "d", "dn"] {
                let field = m.fields.get(name).unwrap();
                if let Some(direct) = field.parse_string(&text) {
                    proptest::prop_assert_eq!(direct, field.parse_value(&Value::from(text.clone())));
                }
            }
        }
    }

    fn values(p: &ParsedDoc) -> Vec<(String, IndexValue)> {
        p.values.iter().map(|(f, v)| (f.path.clone(), v.clone())).collect()
    }

    #[test]
    fn copy_to_takes_values_not_objects() {
        let m = mapper(json!({"properties": {
            "r": {"type": "long_range", "copy_to": "c"}, "n": {"type": "long", "copy_to": "c"}, "c": {"type": "keyword"}
        }}));
        let err = parse(&m, json!({"r": {"gte": 1}})).unwrap_err();
        assert!(err.to_string().contains("Copy-to currently only works for value-type fields"), "{err}");
        let p = parse(&m, json!({"n": 5})).unwrap();
        assert!(values(&p).contains(&("c".to_owned(), IndexValue::Keyword("5".into()))));
    }

    #[test]
    fn without_subobjects_dotted_names_and_objects_are_leaves() {
        let m = mapper(json!({"subobjects": false, "properties": {"host.name": {"type": "keyword"}}}));
        let p = parse(&m, json!({"host.name": "h", "time": 10, "time.max": 100, "m": {"a": {"b": 1}}})).unwrap();
        let paths: Vec<String> = values(&p).into_iter().map(|(path, _)| path).collect();
        assert_eq!(paths, ["host.name", "time", "time.max", "m.a.b"]);
        let update = p.mapping_update.unwrap();
        let props = update["properties"].as_object().unwrap();
        assert_eq!(props.keys().collect::<Vec<_>>(), ["time", "time.max", "m.a.b"]);
        // Below an object without subobjects, the rest of a dotted name is one name.
        let m = mapper(json!({"properties": {"metrics": {"type": "object", "subobjects": false}}}));
        let p = parse(&m, json!({"metrics.time": 10, "metrics.time.max": 100})).unwrap();
        let update = p.mapping_update.unwrap();
        let props = update["properties"]["metrics"]["properties"].as_object().unwrap();
        assert_eq!(props.keys().collect::<Vec<_>>(), ["time", "time.max"]);
    }

    #[test]
    fn nested_objects_are_documents_of_their_own_in_block_order() {
        let m = mapper(json!({"properties": {
            "a": {"type": "nested", "properties": {"b": {"type": "nested"}, "k": {"type": "keyword"}}},
            "c": {"type": "nested", "include_in_root": true, "properties": {"k": {"type": "keyword"}}}
        }}));
        let p = parse(&m, json!({"a": [{"k": "x", "b": [{"n": 1}, {"n": 2}]}, {"k": "y"}], "c": {"k": "z"}})).unwrap();
        let order: Vec<&str> = p.nested.iter().map(|n| n.path.as_str()).collect();
        // Each object after those it holds; the root (not listed) last.
        assert_eq!(order, ["a.b", "a.b", "a", "a", "c"]);
        assert_eq!(values(&p.nested[2].doc), [("a.k".to_owned(), IndexValue::Keyword("x".into()))]);
        assert_eq!(values(&p.nested[0].doc), [("a.b.n".to_owned(), IndexValue::Long(1))]);
        // Nested values are not the root's, unless `include_in_root` says so.
        assert_eq!(values(&p), [("c.k".to_owned(), IndexValue::Keyword("z".into()))]);
    }

    #[test]
    fn dynamic_mapping_follows_elasticsearch_rules() {
        let m = mapper(json!({}));
        let p = parse(&m, json!({"title": "Hello", "n": 5, "f": 1.5, "ok": true, "when": "2015-01-01", "obj": {"a.b": 1}, "nil": null, "empty": []})).unwrap();
        assert_eq!(
            p.mapping_update.clone().unwrap(),
            json!({"properties": {
                "title": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
                "n": {"type": "long"}, "f": {"type": "float"}, "ok": {"type": "boolean"}, "when": {"type": "date"},
                "obj": {"properties": {"a": {"properties": {"b": {"type": "long"}}}}}
            }})
        );
        let v = values(&p);
        assert!(v.contains(&("title".into(), IndexValue::Text("Hello".into()))));
        assert!(v.contains(&("title.keyword".into(), IndexValue::Keyword("Hello".into()))));
        assert!(v.contains(&("obj.a.b".into(), IndexValue::Long(1))));
        assert!(v.contains(&("when".into(), IndexValue::Date(1_420_070_400_000))));
    }

    #[test]
    fn strict_false_and_errors() {
        let m = mapper(
            json!({"dynamic": "strict", "properties": {"n": {"type": "integer"}, "o": {"type": "object", "dynamic": false}}}),
        );
        let err = parse(&m, json!({"x": 1})).unwrap_err();
        assert_eq!(err.to_string(), "mapping set to strict, dynamic introduction of [x] within [_doc] is not allowed");
        assert!(parse(&m, json!({"o": {"x": 1}})).unwrap().mapping_update.is_none());
        let err = parse(&m, json!({"n": "abc"})).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "failed to parse field [n] of type [integer] in document with id '1'. Preview of field's value: 'abc'"
            ),
            "{err}"
        );
        let Err(EngineError::DocumentParsing { cause: Some(cause), .. }) = parse(&m, json!({"n": 3_000_000_000u64}))
        else {
            panic!("an out of range value is refused with its cause")
        };
        assert_eq!(cause, "Value [3000000000] is out of range for an integer");
        assert_eq!(values(&parse(&m, json!({"n": "42"})).unwrap()), [("n".to_owned(), IndexValue::Long(42))]);
    }

    #[test]
    fn multi_fields_copy_to_and_ignore_above() {
        let m = mapper(json!({"properties": {
            "first": {"type": "keyword", "copy_to": "full", "ignore_above": 3},
            "full": {"type": "text"},
        }}));
        let p = parse(&m, json!({"first": ["ab", "abcd"]})).unwrap();
        assert_eq!(
            values(&p),
            [
                ("first".to_owned(), IndexValue::Keyword("ab".into())),
                ("full".to_owned(), IndexValue::Text("ab".into())),
                ("full".to_owned(), IndexValue::Text("abcd".into())),
            ]
        );
        assert_eq!(p.ignored, ["first"]);
    }

    #[test]
    fn copy_to_cycles_end() {
        let m = mapper(
            json!({"properties": {"a": {"type": "keyword", "copy_to": "b"}, "b": {"type": "keyword", "copy_to": "a"}}}),
        );
        let p = parse(&m, json!({"a": "x"})).unwrap();
        assert_eq!(
            values(&p),
            [("a".to_owned(), IndexValue::Keyword("x".into())), ("b".to_owned(), IndexValue::Keyword("x".into())),]
        );
    }

    #[test]
    fn total_fields_limit() {
        let settings: crate::settings::FlatSettings =
            [("index.mapping.total_fields.limit".to_owned(), json!("2"))].into_iter().collect();
        let m = Mapper::new(&json!({}), Arc::new(tensile_analysis::Analyzers::default()), &settings).unwrap();
        let err = parse(&m, json!({"a": 1, "b": 2, "c": 3})).unwrap_err().to_string();
        assert!(err.contains("Limit of total fields [2] has been exceeded"), "{err}");
    }
}
