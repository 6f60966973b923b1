//! Mappings compiled for use: what each field of a document is, how it is
//! parsed and indexed, and what the dynamic rules add for fields no
//! mapping names.
//!
//! - [`field`]: a leaf field's mapper and how a JSON value becomes indexed values;
//! - [`document`]: the walk over a document, with multi-fields, `copy_to`,
//!   dynamic mapping and the limits;
//! - [`dynamic`]: the dynamic rules and `dynamic_templates`;
//! - [`date`]: date formats;
//! - [`range`]: the range field types' ranges.

pub mod completion;
pub mod date;
pub mod date_math;
pub mod document;
pub mod dynamic;
pub mod field;
pub mod geo;
pub mod json;
pub mod range;
pub mod units;

pub use document::{IndexValue, NestedDoc, ParsedDoc};
pub use field::{FieldKind, FieldMapper};

use crate::error::EngineError;
use crate::settings::FlatSettings;
use date::DateFormat;
use dynamic::DynamicTemplate;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tensile_analysis::Analyzers;

/// What happens to a field no mapping names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dynamic {
    True,
    False,
    Strict,
    Runtime,
}

impl Dynamic {
    fn parse(path: &str, v: &Value) -> Result<Dynamic, EngineError> {
        Ok(match v {
            Value::Bool(true) => Dynamic::True,
            Value::Bool(false) => Dynamic::False,
            Value::String(s) if s == "true" => Dynamic::True,
            Value::String(s) if s == "false" => Dynamic::False,
            Value::String(s) if s == "strict" => Dynamic::Strict,
            Value::String(s) if s == "runtime" => Dynamic::Runtime,
            other => {
                return Err(mapping_error(format!(
                    "Could not convert [{path}dynamic] to boolean: unknown value [{}], must be one of [true, false, strict, runtime]",
                    crate::settings_text(other)
                )))
            }
        })
    }
}

/// An object (or nested) field.
#[derive(Debug, Clone)]
pub struct ObjectMapper {
    /// Its own `dynamic`; `None` inherits the parent's.
    pub dynamic: Option<Dynamic>,
    pub enabled: bool,
    pub nested: bool,
    /// A `nested` field's `include_in_parent`: its values are also the parent's.
    pub include_in_parent: bool,
    /// A `nested` field's `include_in_root`: its values are also the root document's.
    pub include_in_root: bool,
    /// `synthetic_source_keep`: `none`, `arrays` or `all` (`None`: unset).
    pub synthetic_source_keep: Option<String>,
    pub subobjects: Subobjects,
    /// `passthrough`: its fields also answer to their names without its
    /// path, as root-level aliases (the highest `priority` wins).
    pub passthrough: Option<i64>,
}

/// An object's `subobjects`: whether dotted names and objects in its
/// documents stand for sub-objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subobjects {
    /// `a.b` is `b` inside the object `a`.
    #[default]
    True,
    /// Every name is a leaf's, dots included; an object's fields are
    /// flattened into dotted names.
    False,
    /// Dotted names are leaves' names; objects without dots still map
    /// to objects.
    Auto,
}

impl Subobjects {
    fn parse(value: Option<&Value>) -> Subobjects {
        match value.map(crate::settings_text).as_deref() {
            Some("false") => Subobjects::False,
            Some("auto") => Subobjects::Auto,
            _ => Subobjects::True,
        }
    }
}

impl ObjectMapper {
    /// A plain object mapping (not nested).
    pub fn object(dynamic: Option<Dynamic>, enabled: bool) -> ObjectMapper {
        ObjectMapper {
            dynamic,
            enabled,
            nested: false,
            include_in_parent: false,
            include_in_root: false,
            synthetic_source_keep: None,
            subobjects: Subobjects::True,
            passthrough: None,
        }
    }
}

/// The `_source` configuration.
#[derive(Debug, Clone, Default)]
pub struct SourceConfig {
    pub enabled: bool,
    /// `stored`, `synthetic` or `disabled` (`source_mode.rs`).
    pub mode: crate::source_mode::SourceMode,
    pub includes: Vec<String>,
    pub excludes: Vec<String>,
}

/// The mapping limits of `index.mapping.*`.
#[derive(Debug, Clone)]
pub struct Limits {
    pub total_fields: usize,
    pub ignore_dynamic_beyond_limit: bool,
    pub depth: usize,
    pub nested_fields: usize,
    pub field_name_length: usize,
    /// Objects inside arrays, across the document.
    pub array_objects: usize,
    /// Tokens of all text fields of a document.
    pub total_tokens: usize,
    /// Objects of nested fields in a document.
    pub nested_objects: usize,
    /// `index.mapping.ignore_above`: the `ignore_above` of keyword,
    /// wildcard and flattened fields that set none.
    pub ignore_above: Option<usize>,
}

/// The index-wide default of `ignore_above`.
const IGNORE_ABOVE_SETTING: &str = "index.mapping.ignore_above";

impl Limits {
    /// Checks the limits' settings Elasticsearch validates.
    fn check(settings: &FlatSettings) -> Result<(), EngineError> {
        if let Some(v) = settings.get(IGNORE_ABOVE_SETTING) {
            let text = crate::settings_text(v);
            match text.parse::<i64>() {
                Ok(n) if n >= 0 => {}
                Ok(_) => {
                    return Err(EngineError::IllegalArgument(format!(
                        "Failed to parse value [{text}] for setting [{IGNORE_ABOVE_SETTING}] must be >= 0"
                    )))
                }
                Err(_) => {
                    return Err(EngineError::IllegalArgument(format!(
                        "Failed to parse value [{text}] for setting [{IGNORE_ABOVE_SETTING}]"
                    )))
                }
            }
        }
        Ok(())
    }

    fn from_settings(settings: &FlatSettings) -> Limits {
        let number = |k: &str, d: usize| {
            settings.get(k).map(crate::settings_text).and_then(|s| s.parse::<i64>().ok()).map_or(d, |v| {
                if v < 0 {
                    usize::MAX
                } else {
                    v as usize
                }
            })
        };
        Limits {
            total_fields: number("index.mapping.total_fields.limit", 1000),
            ignore_dynamic_beyond_limit: settings
                .get("index.mapping.total_fields.ignore_dynamic_beyond_limit")
                .is_some_and(|v| crate::settings_text(v) == "true"),
            depth: number("index.mapping.depth.limit", 20),
            nested_fields: number("index.mapping.nested_fields.limit", 50),
            field_name_length: number("index.mapping.field_name_length.limit", usize::MAX),
            array_objects: number("index.mapping.array_objects.limit", usize::MAX),
            total_tokens: number("index.mapping.total_tokens_per_document.limit", usize::MAX),
            nested_objects: number("index.mapping.nested_objects.limit", 10_000),
            ignore_above: settings
                .get(IGNORE_ABOVE_SETTING)
                .and_then(|v| crate::settings_text(v).parse::<usize>().ok()),
        }
    }
}

/// The `dynamic` in force at an object: its own, else its nearest
/// ancestor's (`lookup` gives an object's own), else `true`.
pub(crate) fn inherited_dynamic(object_path: &str, lookup: impl Fn(&str) -> Option<Dynamic>) -> Dynamic {
    let mut path = object_path;
    loop {
        if let Some(d) = lookup(path) {
            return d;
        }
        if path.is_empty() {
            return Dynamic::True;
        }
        path = path.rfind('.').map_or("", |i| &path[..i]);
    }
}

/// An index's mapping, compiled.
#[derive(Debug, Clone)]
pub struct Mapper {
    /// Leaf fields (multi-fields included) by full path.
    pub fields: PathMap<Arc<FieldMapper>>,
    /// Object fields by full path; the root is `""`.
    pub objects: PathMap<ObjectMapper>,
    /// Runtime fields by name, with their type.
    pub runtime: HashMap<String, String>,
    pub dynamic_templates: Vec<DynamicTemplate>,
    pub date_detection: bool,
    pub numeric_detection: bool,
    /// `index.mapping.dynamic_strings.auto_text`: a new string field is
    /// text with a keyword sub-field (the default), else a keyword.
    pub dynamic_strings_text: bool,
    pub dynamic_date_formats: Vec<DateFormat>,
    pub source: SourceConfig,
    /// `index.mapping.synthetic_source_keep`: the `synthetic_source_keep`
    /// of fields and objects that set none.
    pub synthetic_source_keep: Option<String>,
    pub routing_required: bool,
    /// `_routing.doc_values`: routing kept as doc values, not shown on reads.
    pub routing_doc_values: bool,
    pub analyzers: Arc<Analyzers>,
    pub limits: Limits,
    /// Mapped fields, objects and runtime fields, as the total-fields limit counts them.
    pub total_fields: usize,
    /// The text slot of each text field that has one (`IndexMetadata::text_slots`).
    pub text_slots: std::collections::BTreeMap<String, u32>,
    /// `IndexMetadata::index_only_values`: where the exact values of
    /// fields without doc values are.
    pub index_only_values: bool,
    /// The source paths of stored fields the stored `_source` leaves out.
    unkept_stored: Vec<String>,
}

pub(crate) fn mapping_error(reason: impl Into<String>) -> EngineError {
    EngineError::mapper_parsing(reason.into())
}

/// A map keyed by field or object path, hashed fast: a document's walk
/// looks each of its paths up (the keys come from the mapping, whose size
/// `index.mapping.total_fields.limit` bounds).
pub type PathMap<V> = rustc_hash::FxHashMap<String, V>;

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Mapper {
    /// Compiles an index's mapping with the analyzers of its settings.
    pub fn for_index(meta: &crate::metadata::IndexMetadata) -> Result<Mapper, EngineError> {
        let analyzers =
            Analyzers::from_settings(&meta.settings).map_err(|e| EngineError::IllegalArgument(e.to_string()))?;
        let mut mapper = Mapper::new(&meta.mappings, Arc::new(analyzers), &meta.settings)?;
        mapper.text_slots = meta.text_slots.clone();
        mapper.index_only_values = meta.index_only_values;
        Ok(mapper)
    }

    /// [`Mapper::for_index`] after a mapping change: new text fields are
    /// given their text slots first.
    pub fn for_index_assigning(meta: &mut crate::metadata::IndexMetadata) -> Result<Mapper, EngineError> {
        let mut mapper = Mapper::for_index(meta)?;
        meta.assign_text_slots(&mapper);
        mapper.text_slots = meta.text_slots.clone();
        Ok(mapper)
    }

    /// Where a text field's terms are: its own text slot, or the shared
    /// `_text` field under its path.
    pub fn text_slot(&self, path: &str) -> Option<u32> {
        self.text_slots.get(path).copied()
    }

    /// Parses a document's JSON text and prepares what the shard indexes.
    pub fn index_source(
        &self,
        id: &str,
        source: &str,
        templates: &HashMap<String, String>,
    ) -> Result<(ParsedDoc, crate::indexed::IndexedDoc), EngineError> {
        let json = json::Json::parse(source).map_err(|e| EngineError::DocumentParsing {
            reason: format!("[{}:{}] failed to parse: {e}", e.line(), e.column()),
            cause: None,
        })?;
        let parsed = self.parse(id, &json, templates)?;
        let (stored, kept) = self.stored_of_text(source)?;
        let mut doc = crate::indexed::IndexedDoc::new(&parsed, stored, self)?;
        doc.kept_stored = kept.map(|kept| kept.to_string());
        Ok((parsed, doc))
    }

    /// Compiles a mapping (as `_mapping` returns it) against the index's
    /// analyzers and settings.
    pub fn new(mappings: &Value, analyzers: Arc<Analyzers>, settings: &FlatSettings) -> Result<Mapper, EngineError> {
        let empty = Map::new();
        let root = mappings.as_object().unwrap_or(&empty);
        Limits::check(settings)?;
        let mut mapper = Mapper {
            fields: PathMap::default(),
            objects: PathMap::default(),
            runtime: HashMap::new(),
            dynamic_templates: Vec::new(),
            date_detection: root.get("date_detection").is_none_or(|v| v != &Value::Bool(false) && v != "false"),
            numeric_detection: root.get("numeric_detection").is_some_and(|v| v == &Value::Bool(true) || v == "true"),
            dynamic_strings_text: settings
                .get("index.mapping.dynamic_strings.auto_text")
                .is_none_or(|v| crate::settings_text(v) != "false"),
            dynamic_date_formats: Vec::new(),
            source: SourceConfig { enabled: true, ..SourceConfig::default() },
            synthetic_source_keep: settings.get("index.mapping.synthetic_source_keep").map(crate::settings_text),
            routing_required: root
                .get("_routing")
                .and_then(|r| r.get("required"))
                .is_some_and(|v| v == &Value::Bool(true) || v == "true"),
            routing_doc_values: root
                .get("_routing")
                .and_then(|r| r.get("doc_values"))
                .is_some_and(|v| v == &Value::Bool(true) || v == "true"),
            analyzers,
            limits: Limits::from_settings(settings),
            total_fields: 0,
            text_slots: Default::default(),
            index_only_values: true,
            unkept_stored: Vec::new(),
        };
        let formats: Vec<String> = match root.get("dynamic_date_formats") {
            Some(Value::Array(items)) => items.iter().map(crate::settings_text).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            // Elasticsearch's defaults since 7.0 (the Joda-era documentation still
            // shows `yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z`).
            _ => vec!["strict_date_optional_time".into(), "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis".into()],
        };
        for f in formats {
            mapper.dynamic_date_formats.push(DateFormat::parse(&f).map_err(|e| mapping_error(e.0))?);
        }
        mapper.source.mode = crate::source_mode::effective(settings, mappings);
        mapper.source.enabled = mapper.source.mode != crate::source_mode::SourceMode::Disabled;
        if let Some(source) = root.get("_source").and_then(Value::as_object) {
            let list = |k: &str| -> Vec<String> {
                source
                    .get(k)
                    .and_then(Value::as_array)
                    .map_or_else(Vec::new, |a| a.iter().map(crate::settings_text).collect())
            };
            mapper.source.includes = list("includes");
            mapper.source.excludes = list("excludes");
        }
        let dynamic = root.get("dynamic").map(|v| Dynamic::parse("", v)).transpose()?;
        let enabled = root.get("enabled").is_none_or(|v| v != &Value::Bool(false));
        let subobjects = Subobjects::parse(root.get("subobjects"));
        mapper.objects.insert(String::new(), ObjectMapper { subobjects, ..ObjectMapper::object(dynamic, enabled) });
        if let Some(templates) = root.get("dynamic_templates") {
            mapper.dynamic_templates = dynamic::templates(templates)?;
        }
        if let Some(Value::Object(runtime)) = root.get("runtime") {
            for (name, def) in runtime {
                let kind = def.get("type").and_then(Value::as_str).unwrap_or("keyword");
                mapper.runtime.insert(name.clone(), kind.to_owned());
            }
            mapper.total_fields += runtime.len();
        }
        if let Some(props) = root.get("properties") {
            mapper.properties("", props, 1, &mut 0)?;
        }
        mapper.add_passthrough_aliases();
        mapper.unkept_stored = mapper.unkept_stored_paths();
        Ok(mapper)
    }

    /// The fields of `passthrough` objects under their names without the
    /// object's path: aliases, unless a field has that name; where two
    /// passthrough objects hold one name, the higher `priority` wins.
    fn add_passthrough_aliases(&mut self) {
        let mut passthrough: Vec<(i64, String)> =
            self.objects.iter().filter_map(|(path, o)| Some((o.passthrough?, path.clone()))).collect();
        passthrough.sort();
        let mut aliases: HashMap<String, String> = HashMap::new();
        for (_, object) in passthrough {
            let prefix = format!("{object}.");
            for (path, field) in &self.fields {
                let Some(name) = path.strip_prefix(&prefix) else { continue };
                if field.kind != FieldKind::Alias && !self.fields.contains_key(name) {
                    aliases.insert(name.to_owned(), path.clone());
                }
            }
        }
        for (name, target) in aliases {
            let alias = FieldMapper {
                path: name.clone(),
                kind: FieldKind::Alias,
                type_name: "alias".into(),
                alias_of: Some(target.clone()),
                multi_fields: Vec::new(),
                ..(*self.fields[&target]).clone()
            };
            self.fields.insert(name, Arc::new(alias));
        }
    }

    fn properties(&mut self, prefix: &str, props: &Value, depth: usize, nested: &mut usize) -> Result<(), EngineError> {
        let Value::Object(fields) = props else {
            return Err(mapping_error(format!(
                "Failed to parse mapping: [properties] of [{prefix}] must be an object"
            )));
        };
        if depth > self.limits.depth {
            return Err(EngineError::IllegalArgument(format!(
                "Limit of mapping depth [{}] has been exceeded due to object field [{prefix}]",
                self.limits.depth
            )));
        }
        for (name, def) in fields {
            let path = join(prefix, name);
            if name.trim().is_empty() {
                let cause = if name.is_empty() {
                    "field name cannot be an empty string".to_owned()
                } else {
                    format!("field name cannot contain only whitespace: ['{name}']")
                };
                return Err(EngineError::MapperParsing {
                    reason: format!("Failed to parse mapping: {cause}"),
                    cause: Some(cause),
                });
            }
            if name.chars().count() > self.limits.field_name_length {
                return Err(EngineError::IllegalArgument(format!(
                    "Field name [{name}] is longer than the limit of [{}] characters",
                    self.limits.field_name_length
                )));
            }
            self.add(&path, def, depth, nested)?;
        }
        Ok(())
    }

    /// Adds one field definition (and what it holds) at `path`.
    pub(crate) fn add(&mut self, path: &str, def: &Value, depth: usize, nested: &mut usize) -> Result<(), EngineError> {
        let Value::Object(map) = def else {
            return Err(mapping_error(format!("Failed to parse mapping: Expected map for property [fields] on field [{path}] but got a class java.lang.String")));
        };
        let kind = map.get("type").and_then(Value::as_str).unwrap_or("object");
        self.total_fields += 1;
        if kind == "object" || kind == "nested" || kind == "passthrough" {
            let dynamic = map.get("dynamic").map(|v| Dynamic::parse(&format!("{path}."), v)).transpose()?;
            let enabled = map.get("enabled").is_none_or(|v| v != &Value::Bool(false) && v != "false");
            if kind == "nested" {
                *nested += 1;
                if *nested > self.limits.nested_fields {
                    return Err(EngineError::IllegalArgument(format!(
                        "Limit of nested fields [{}] has been exceeded",
                        self.limits.nested_fields
                    )));
                }
            }
            let flag = |k: &str| map.get(k).is_some_and(|v| v == &Value::Bool(true) || v == "true");
            self.objects.insert(
                path.to_owned(),
                ObjectMapper {
                    nested: kind == "nested",
                    include_in_parent: kind == "nested" && flag("include_in_parent"),
                    include_in_root: kind == "nested" && flag("include_in_root"),
                    synthetic_source_keep: map.get("synthetic_source_keep").map(crate::settings_text),
                    subobjects: Subobjects::parse(map.get("subobjects")),
                    passthrough: (kind == "passthrough").then(|| {
                        map.get("priority").map(crate::settings_text).and_then(|p| p.parse().ok()).unwrap_or(0)
                    }),
                    ..ObjectMapper::object(dynamic, enabled)
                },
            );
            if let Some(props) = map.get("properties") {
                self.properties(path, props, depth + 1, nested)?;
            }
            return Ok(());
        }
        // A flattened field's `properties` map some of its keys as fields of their own.
        if let Some(props) = map.get("properties").filter(|_| kind == "flattened") {
            self.properties(path, props, depth + 1, nested)?;
        }
        let mut field = FieldMapper::compile(path, kind, map, &self.analyzers)?;
        if let Some(limit) = self.limits.ignore_above {
            field.default_ignore_above(limit);
        }
        for sub in &field.multi_fields {
            self.total_fields += 1;
            self.fields.insert(sub.path.clone(), sub.clone());
        }
        self.fields.insert(path.to_owned(), Arc::new(field));
        Ok(())
    }

    /// A mapper with this one's analyzers and limits and no fields, to
    /// compile single field definitions in.
    pub(crate) fn empty_like(&self) -> Mapper {
        Mapper {
            fields: PathMap::default(),
            objects: PathMap::default(),
            runtime: HashMap::new(),
            dynamic_templates: Vec::new(),
            dynamic_date_formats: Vec::new(),
            source: SourceConfig::default(),
            synthetic_source_keep: self.synthetic_source_keep.clone(),
            analyzers: self.analyzers.clone(),
            limits: self.limits.clone(),
            total_fields: 0,
            text_slots: Default::default(),
            unkept_stored: Vec::new(),
            ..*self
        }
    }

    /// Whether the mapping has `nested` fields (documents then have nested
    /// documents beside them, which searches of the root leave out).
    pub fn has_nested(&self) -> bool {
        self.nested_paths().next().is_some()
    }

    /// The paths of the `nested` fields.
    pub fn nested_paths(&self) -> impl Iterator<Item = &String> {
        self.objects.iter().filter(|(_, o)| o.nested).map(|(path, _)| path)
    }

    /// Whether `path` is a `nested` field.
    pub fn is_nested(&self, path: &str) -> bool {
        self.objects.get(path).is_some_and(|o| o.nested)
    }

    /// The nearest `nested` field strictly above `path` (`None`: the root).
    pub fn nested_parent<'p>(&self, path: &'p str) -> Option<&'p str> {
        let mut at = path;
        while let Some((parent, _)) = at.rsplit_once('.') {
            if self.is_nested(parent) {
                return Some(parent);
            }
            at = parent;
        }
        None
    }

    /// The effective `dynamic` of the object at `path` (inherited upwards).
    pub fn dynamic_of(&self, object_path: &str) -> Dynamic {
        inherited_dynamic(object_path, |path| self.objects.get(path).and_then(|o| o.dynamic))
    }

    /// The mapped field `name` names, following an alias to its target.
    pub fn resolved(&self, name: &str) -> Option<&FieldMapper> {
        let f = self.fields.get(name)?;
        match (&f.kind, &f.alias_of) {
            (FieldKind::Alias, Some(target)) => self.fields.get(target).map(|t| &**t),
            _ => Some(f),
        }
    }

    /// The `flattened` field a dotted path is a key of, if any.
    pub fn flattened_holding(&self, path: &str) -> Option<&FieldMapper> {
        let mut at = path;
        while let Some((parent, _)) = at.rsplit_once('.') {
            if let Some(f) = self.fields.get(parent).filter(|f| f.kind == FieldKind::Flattened) {
                return Some(f);
            }
            at = parent;
        }
        None
    }

    /// A stored document as a read shows it: its source by
    /// [`Self::read_source`], its `_routing` hidden when the mapping keeps
    /// it as doc values (`_routing.doc_values`), as Elasticsearch hides it.
    pub fn read_doc(&self, doc: &mut crate::shard::StoredDoc, force_synthetic: bool) {
        doc.source = doc.source.take().map(|s| self.read_source(s, force_synthetic));
        if self.routing_doc_values {
            doc.routing = None;
        }
    }

    /// The `_source` a read shows of a stored one: rebuilt by
    /// [`crate::synthetic`] when the index keeps synthetic source or the
    /// read forces it (`force_synthetic_source`), else as stored.
    pub fn read_source(&self, stored: Arc<str>, force_synthetic: bool) -> Arc<str> {
        if force_synthetic || self.source.mode == crate::source_mode::SourceMode::Synthetic {
            Arc::from(crate::synthetic::synthesize_text(self, &stored))
        } else {
            stored
        }
    }

    /// The paths (in the source) of the stored fields (`store: true`) whose
    /// values the stored `_source` does not hold: all of them when
    /// `_source` is disabled, those its `includes`/`excludes` filter out.
    fn unkept_stored_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .fields
            .values()
            .filter(|f| f.store)
            .map(|f| crate::search::fields::source_path(self, f).to_owned())
            .filter(|path| {
                !self.source.enabled || !crate::source_filter::keeps(&self.source.includes, &self.source.excludes, path)
            })
            .collect();
        paths.sort_unstable();
        paths.dedup();
        paths
    }

    /// The values of stored fields that the stored `_source` leaves out,
    /// shaped as the source is (see [`crate::source_filter::only_paths`]):
    /// kept beside it, so that `stored_fields` and highlighting still find them.
    pub fn kept_stored(&self, source: &Value) -> Option<Value> {
        if self.unkept_stored.is_empty() {
            return None;
        }
        crate::source_filter::only_paths(source, &self.unkept_stored)
    }

    /// What to store of a source as sent (JSON text): its `_source`
    /// ([`Mapper::stored_source`]) and the stored fields that leaves out
    /// ([`Mapper::kept_stored`]), the text parsed at most once.
    pub fn stored_of_text(&self, text: &str) -> Result<(Option<String>, Option<Arc<str>>), EngineError> {
        if self.unkept_stored.is_empty() {
            return Ok((self.stored_source(text, None)?, None));
        }
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        let kept = parsed.as_ref().and_then(|source| self.kept_stored(source)).map(|k| Arc::from(k.to_string()));
        Ok((self.stored_source(text, parsed.as_ref())?, kept))
    }

    /// The `_source` to store of a document sent as `text` (`value`, when
    /// already parsed): as sent, filtered by `includes`/`excludes`, or
    /// `None` when `_source` is disabled.
    pub fn stored_source(&self, text: &str, value: Option<&Value>) -> Result<Option<String>, EngineError> {
        if !self.source.enabled {
            return Ok(None);
        }
        if self.source.includes.is_empty() && self.source.excludes.is_empty() {
            return Ok(Some(text.to_owned()));
        }
        let parsed;
        let value = match value {
            Some(v) => v,
            None => {
                parsed = serde_json::from_str::<Value>(text).map_err(|e| EngineError::DocumentParsing {
                    reason: format!("failed to parse: {e}"),
                    cause: None,
                })?;
                &parsed
            }
        };
        // Nested documents count their offsets into the stored arrays.
        let nested: Vec<String> = self.nested_paths().cloned().collect();
        let filtered =
            crate::source_filter::filter_keeping(value, &self.source.includes, &self.source.excludes, &nested);
        Ok(Some(filtered.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn mapper(m: Value) -> Mapper {
        Mapper::new(&m, Arc::new(Analyzers::default()), &FlatSettings::new()).unwrap()
    }

    #[test]
    fn floating_point_fields_take_finite_values_only() {
        let m = mapper(
            json!({"properties": {"d": {"type": "double"}, "h": {"type": "half_float"}, "f": {"type": "float"}}}),
        );
        for (path, name) in [("d", "double"), ("h", "half_float"), ("f", "float")] {
            let field = &m.fields[path];
            assert_eq!(field.parse_value(&json!(1.5)), Ok(Some(IndexValue::Double(1.5))));
            for bad in ["NaN", "Infinity", "-Infinity"] {
                let refused = field.parse_value(&json!(bad)).unwrap_err();
                assert!(refused.starts_with(&format!("[{name}] supports only finite values")), "{refused}");
            }
        }
    }

    #[test]
    fn index_ignore_above_is_the_default_of_fields_setting_none() {
        let settings: FlatSettings = [("index.mapping.ignore_above".to_owned(), Value::from("10"))].into();
        let m = Mapper::new(
            &json!({"properties": {
                "k": {"type": "keyword"},
                "own": {"type": "keyword", "ignore_above": 3},
                "t": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
                "n": {"type": "long"},
            }}),
            Arc::new(Analyzers::default()),
            &settings,
        )
        .unwrap();
        let limit = |p: &str| m.fields[p].ignore_above;
        assert_eq!((limit("k"), limit("own"), limit("t.raw"), limit("n")), (Some(10), Some(3), Some(10), None));
        let negative: FlatSettings = [("index.mapping.ignore_above".to_owned(), Value::from("-1"))].into();
        let err = Mapper::new(&json!({}), Arc::new(Analyzers::default()), &negative).unwrap_err().to_string();
        assert_eq!(err, "Failed to parse value [-1] for setting [index.mapping.ignore_above] must be >= 0");
    }

    #[test]
    fn compiles_fields_objects_and_multi_fields() {
        let m = mapper(json!({"dynamic": "strict", "properties": {
            "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
            "user": {"dynamic": true, "properties": {"age": {"type": "integer"}}},
        }}));
        assert!(m.fields.contains_key("title.raw") && m.fields.contains_key("user.age"));
        assert_eq!(m.dynamic_of("user"), Dynamic::True);
        assert_eq!(m.dynamic_of(""), Dynamic::Strict);
        assert_eq!(m.total_fields, 4);
        let err = Mapper::new(
            &json!({"properties": {"t": {"type": "text", "analyzer": "nope"}}}),
            Arc::new(Analyzers::default()),
            &FlatSettings::new(),
        );
        assert!(err.unwrap_err().to_string().contains("analyzer [nope] has not been configured in mappings"));
    }
}
