//! A leaf field's mapper: its type and parameters, and how one JSON value
//! becomes the value the index holds, with the coercions and errors of
//! Elasticsearch's field mappers.

use super::date::{DateFormat, DEFAULT_FORMAT, DEFAULT_NANOS_FORMAT};
use super::document::IndexValue;
use super::mapping_error;
use crate::error::EngineError;
use serde_json::{Map, Value};
use std::net::IpAddr;
use std::sync::Arc;
use tensile_analysis::{Analyzer, Analyzers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    MatchOnlyText,
    Keyword,
    ConstantKeyword,
    Wildcard,
    Long,
    Integer,
    Short,
    Byte,
    Double,
    Float,
    HalfFloat,
    ScaledFloat,
    UnsignedLong,
    Boolean,
    Date,
    DateNanos,
    Ip,
    Binary,
    GeoPoint,
    Flattened,
    Alias,
    Completion,
    /// `rank_feature`: one positive number a `rank_feature` query scores by.
    RankFeature,
    /// `rank_features`: named positive numbers, each a feature of its own.
    RankFeatures,
    /// `token_count`: text indexed as the number of its tokens, an integer.
    TokenCount,
    /// `integer_range`, `date_range`, ...: a range of values.
    Range(super::range::RangeKind),
}

impl FieldKind {
    pub fn parse(name: &str) -> Option<FieldKind> {
        Some(match name {
            "text" => FieldKind::Text,
            "match_only_text" => FieldKind::MatchOnlyText,
            "keyword" => FieldKind::Keyword,
            "constant_keyword" => FieldKind::ConstantKeyword,
            "wildcard" => FieldKind::Wildcard,
            "long" => FieldKind::Long,
            "integer" => FieldKind::Integer,
            "short" => FieldKind::Short,
            "byte" => FieldKind::Byte,
            "double" => FieldKind::Double,
            "float" => FieldKind::Float,
            "half_float" => FieldKind::HalfFloat,
            "scaled_float" => FieldKind::ScaledFloat,
            "unsigned_long" => FieldKind::UnsignedLong,
            "boolean" => FieldKind::Boolean,
            "date" => FieldKind::Date,
            "date_nanos" => FieldKind::DateNanos,
            "ip" => FieldKind::Ip,
            "binary" => FieldKind::Binary,
            "geo_point" => FieldKind::GeoPoint,
            "flattened" => FieldKind::Flattened,
            "alias" => FieldKind::Alias,
            "completion" => FieldKind::Completion,
            "rank_feature" => FieldKind::RankFeature,
            "rank_features" => FieldKind::RankFeatures,
            "token_count" => FieldKind::TokenCount,
            other => FieldKind::Range(super::range::RangeKind::of_type(other)?),
        })
    }

    pub fn is_date(self) -> bool {
        matches!(self, FieldKind::Date | FieldKind::DateNanos)
    }

    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::Text | FieldKind::MatchOnlyText)
    }

    /// The whole-number types a bitmap of values may query.
    pub fn is_integer(self) -> bool {
        matches!(self, FieldKind::Long | FieldKind::Integer | FieldKind::Short | FieldKind::Byte)
    }

    /// Numbers of any width (not dates).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldKind::Long
                | FieldKind::Integer
                | FieldKind::Short
                | FieldKind::Byte
                | FieldKind::Double
                | FieldKind::Float
                | FieldKind::HalfFloat
                | FieldKind::ScaledFloat
                | FieldKind::UnsignedLong
                | FieldKind::TokenCount
        )
    }

    fn integer_range(self) -> Option<(i64, i64, &'static str)> {
        Some(match self {
            FieldKind::Long => (i64::MIN, i64::MAX, "long"),
            FieldKind::Integer | FieldKind::TokenCount => (i32::MIN as i64, i32::MAX as i64, "integer"),
            FieldKind::Short => (i16::MIN as i64, i16::MAX as i64, "short"),
            FieldKind::Byte => (i8::MIN as i64, i8::MAX as i64, "byte"),
            _ => return None,
        })
    }
}

/// Parameters every leaf type accepts.
const COMMON: &[&str] = &[
    "type",
    "meta",
    "fields",
    "copy_to",
    "store",
    "index",
    "doc_values",
    "null_value",
    "script",
    "on_script_error",
    "time_series_dimension",
    "time_series_metric",
    "synthetic_source_keep",
];

/// The parameters a type accepts besides the common ones.
fn parameters(kind: FieldKind) -> &'static [&'static str] {
    match kind {
        FieldKind::Text | FieldKind::MatchOnlyText => &[
            "analyzer",
            "search_analyzer",
            "search_quote_analyzer",
            "index_options",
            "index_prefixes",
            "index_phrases",
            "norms",
            "position_increment_gap",
            "similarity",
            "term_vector",
            "fielddata",
            "fielddata_frequency_filter",
            "eager_global_ordinals",
        ],
        FieldKind::Keyword | FieldKind::Wildcard => &[
            "ignore_above",
            "normalizer",
            "eager_global_ordinals",
            "index_options",
            "norms",
            "similarity",
            "split_queries_on_whitespace",
            "script",
            "ignore_malformed",
        ],
        FieldKind::ConstantKeyword => &["value"],
        FieldKind::Date | FieldKind::DateNanos => &["format", "locale", "ignore_malformed", "precision_step", "boost"],
        FieldKind::ScaledFloat => &["scaling_factor", "coerce", "ignore_malformed"],
        FieldKind::Long
        | FieldKind::Integer
        | FieldKind::Short
        | FieldKind::Byte
        | FieldKind::Double
        | FieldKind::Float
        | FieldKind::HalfFloat
        | FieldKind::UnsignedLong => &["coerce", "ignore_malformed", "boost"],
        FieldKind::Boolean => &["boost"],
        FieldKind::Ip => &["ignore_malformed"],
        FieldKind::GeoPoint => &["ignore_malformed", "ignore_z_value"],
        FieldKind::Flattened => &[
            "properties",
            "time_series_dimensions",
            "null_value",
            "depth_limit",
            "ignore_above",
            "eager_global_ordinals",
            "index_options",
            "similarity",
            "split_queries_on_whitespace",
        ],
        FieldKind::Alias => &["path"],
        FieldKind::Completion => &[
            "analyzer",
            "search_analyzer",
            "max_input_length",
            "preserve_separators",
            "preserve_position_increments",
            "contexts",
        ],
        FieldKind::Binary => &[],
        FieldKind::RankFeature | FieldKind::RankFeatures => &["positive_score_impact"],
        FieldKind::TokenCount => &["analyzer", "enable_position_increments", "boost"],
        FieldKind::Range(_) => &["coerce", "format", "locale", "boost"],
    }
}

#[derive(Debug, Clone)]
pub struct FieldMapper {
    pub path: String,
    pub kind: FieldKind,
    pub type_name: String,
    pub index: bool,
    pub doc_values: bool,
    pub store: bool,
    pub null_value: Option<Value>,
    pub copy_to: Vec<String>,
    pub ignore_malformed: bool,
    pub coerce: bool,
    pub analyzer: Option<Arc<Analyzer>>,
    pub search_analyzer: Option<Arc<Analyzer>>,
    pub normalizer: Option<Arc<Analyzer>>,
    pub ignore_above: Option<usize>,
    pub format: Option<DateFormat>,
    pub scaling_factor: f64,
    /// `constant_keyword`'s value, once known.
    pub constant: Option<String>,
    /// `alias`: the path it points to.
    pub alias_of: Option<String>,
    pub multi_fields: Vec<Arc<FieldMapper>>,
    /// `index_options: offsets`: the postings keep offsets (highlighting needs no reanalysis).
    pub postings_offsets: bool,
    /// `term_vector` with offsets (what the fvh highlighter reads).
    pub term_vector_offsets: bool,
    /// Any `term_vector` but `no`: the mapping keeps the field's term vectors.
    pub term_vectors: bool,
    /// The field's `meta`: the user's own key-value notes.
    pub meta: Option<Map<String, Value>>,
    /// `time_series_dimension`: the field identifies a time series.
    pub dimension: bool,
    /// `time_series_metric`: `gauge`, `counter`... the kind of measure.
    pub metric: Option<String>,
    /// A text field's `fielddata`: its terms can sort (and aggregate).
    pub fielddata: bool,
    /// A completion field's contexts.
    pub contexts: Vec<super::completion::ContextMapping>,
    /// A rank feature's `positive_score_impact`.
    pub positive_impact: bool,
    /// `token_count`'s `enable_position_increments`: positions counted
    /// (removed stop words too), not tokens.
    pub position_increments: bool,
    /// `synthetic_source_keep`: `none`, `arrays` or `all` (`None`: unset).
    pub synthetic_source_keep: Option<String>,
}

fn flag(map: &Map<String, Value>, key: &str, default: bool) -> bool {
    match map.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        // Options of a feature (`doc_values: {cardinality: low}`) turn it on.
        Some(Value::Object(_)) => true,
        _ => default,
    }
}

impl FieldMapper {
    /// A query's value for this field: a number with a unit (`1ms`)
    /// converted to the unit of the field's `meta.unit`.
    pub fn query_value<'v>(&self, value: &'v Value) -> std::borrow::Cow<'v, Value> {
        let unit = self.meta.as_ref().and_then(|m| m.get("unit")).and_then(Value::as_str);
        let converted = match (unit, value) {
            (Some(unit), Value::String(text)) if self.kind.is_numeric() => super::units::convert(text, unit),
            _ => None,
        };
        match converted.and_then(serde_json::Number::from_f64) {
            Some(n) => std::borrow::Cow::Owned(Value::Number(n)),
            None => std::borrow::Cow::Borrowed(value),
        }
    }

    /// Refuses reading the field's values document by document (sorting,
    /// score functions, `docvalue_fields`) when it keeps none: a text field
    /// without `fielddata`, another field without doc values; in
    /// Elasticsearch's words.
    pub fn field_data(&self) -> Result<(), EngineError> {
        if self.kind.is_text() && !self.fielddata {
            return Err(self.no_field_data());
        }
        if !self.kind.is_text() && !self.doc_values {
            return Err(EngineError::IllegalArgument(format!(
                "Can't load fielddata on [{}] because fielddata is unsupported on fields of type [{}]. Use doc values instead.",
                self.path, self.type_name
            )));
        }
        Ok(())
    }

    /// Elasticsearch's refusal to read a text field's values per document.
    pub fn no_field_data(&self) -> EngineError {
        EngineError::IllegalArgument(format!(
            "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [{}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.",
            self.path
        ))
    }

    /// A text field searched by its doc values alone (`index: false`,
    /// `doc_values` on): its whole values are exact terms, as a keyword's.
    pub fn text_by_doc_values(&self) -> bool {
        self.kind.is_text() && !self.index && self.doc_values
    }

    pub fn compile(
        path: &str,
        type_name: &str,
        map: &Map<String, Value>,
        analyzers: &Analyzers,
    ) -> Result<FieldMapper, EngineError> {
        let Some(kind) = FieldKind::parse(type_name) else {
            return Err(crate::mapping::type_error(path, type_name));
        };
        if let Some(unknown) =
            map.keys().find(|k| !COMMON.contains(&k.as_str()) && !parameters(kind).contains(&k.as_str()))
        {
            return Err(mapping_error(format!(
                "Failed to parse mapping: unknown parameter [{unknown}] on mapper [{path}] of type [{type_name}]"
            )));
        }
        let analyzer = |key: &str| -> Result<Option<Arc<Analyzer>>, EngineError> {
            match map.get(key).and_then(Value::as_str) {
                None => Ok(None),
                Some(name) => analyzers.analyzer(name).map(Some).map_err(|_| {
                    mapping_error(format!(
                        "Failed to parse mapping: analyzer [{name}] has not been configured in mappings"
                    ))
                }),
            }
        };
        let mut field = FieldMapper {
            path: path.to_owned(),
            kind,
            type_name: type_name.to_owned(),
            index: flag(map, "index", true),
            doc_values: flag(
                map,
                "doc_values",
                !matches!(kind, FieldKind::Text | FieldKind::MatchOnlyText | FieldKind::Binary),
            ),
            store: flag(map, "store", false),
            null_value: map.get("null_value").filter(|v| !v.is_null()).cloned(),
            copy_to: match map.get("copy_to") {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                _ => Vec::new(),
            },
            ignore_malformed: flag(map, "ignore_malformed", false),
            coerce: flag(map, "coerce", true),
            analyzer: None,
            search_analyzer: None,
            normalizer: None,
            ignore_above: None,
            format: None,
            scaling_factor: 1.0,
            constant: map.get("value").and_then(|v| if v.is_null() { None } else { Some(crate::settings_text(v)) }),
            alias_of: map.get("path").and_then(Value::as_str).map(str::to_owned),
            postings_offsets: map.get("index_options").and_then(Value::as_str) == Some("offsets"),
            term_vector_offsets: map.get("term_vector").and_then(Value::as_str).is_some_and(|t| t.ends_with("offsets")),
            term_vectors: map.get("term_vector").and_then(Value::as_str).is_some_and(|t| t != "no"),
            meta: map.get("meta").and_then(Value::as_object).cloned(),
            dimension: flag(map, "time_series_dimension", false),
            metric: map.get("time_series_metric").and_then(Value::as_str).map(str::to_owned),
            fielddata: kind.is_text() && flag(map, "fielddata", false),
            positive_impact: flag(map, "positive_score_impact", true),
            position_increments: true,
            contexts: match map.get("contexts") {
                Some(c) if kind == FieldKind::Completion => super::completion::parse_contexts(path, c)?,
                _ => Vec::new(),
            },
            multi_fields: Vec::new(),
            synthetic_source_keep: map.get("synthetic_source_keep").map(crate::settings_text),
        };
        if kind == FieldKind::TokenCount {
            field.analyzer = Some(analyzer("analyzer")?.ok_or_else(|| {
                mapping_error(format!("Failed to parse mapping: Analyzer must be set for field [{path}] but wasn't."))
            })?);
            field.position_increments = flag(map, "enable_position_increments", true);
        }
        if kind.is_text() || kind == FieldKind::Completion {
            let index_analyzer = analyzer("analyzer")?.unwrap_or_else(|| {
                if kind == FieldKind::Completion {
                    analyzers.analyzer("simple").expect("built in")
                } else {
                    analyzers.default_analyzer()
                }
            });
            field.search_analyzer = Some(analyzer("search_analyzer")?.unwrap_or_else(|| {
                if map.contains_key("analyzer") {
                    index_analyzer.clone()
                } else {
                    analyzers.default_search_analyzer()
                }
            }));
            field.analyzer = Some(index_analyzer);
        }
        if let Some(name) = map.get("normalizer").and_then(Value::as_str) {
            field.normalizer = Some(analyzers.normalizer(name).map_err(|_| {
                mapping_error(format!("Failed to parse mapping: normalizer [{name}] not found for field [{path}]"))
            })?);
        }
        if let Some(v) = map.get("ignore_above") {
            let n = crate::settings_text(v).parse::<i64>().map_err(|_| {
                mapping_error(format!(
                    "Failed to parse mapping: Failed to parse value [{}] for [ignore_above]",
                    crate::settings_text(v)
                ))
            })?;
            if n < 0 {
                return Err(mapping_error(format!(
                    "Failed to parse mapping: [ignore_above] must be positive, got [{n}]"
                )));
            }
            field.ignore_above = Some(n as usize);
        }
        if matches!(kind, FieldKind::Date | FieldKind::DateNanos | FieldKind::Range(super::range::RangeKind::Date)) {
            let default = if kind == FieldKind::DateNanos { DEFAULT_NANOS_FORMAT } else { DEFAULT_FORMAT };
            let text = map.get("format").map_or(default.to_owned(), crate::settings_text);
            field.format = Some(DateFormat::parse(&text).map_err(|e| {
                mapping_error(format!("Failed to parse mapping: Error parsing [format] on field [{path}]: {e}"))
            })?);
        }
        if kind == FieldKind::ScaledFloat {
            let factor = map
                .get("scaling_factor")
                .ok_or_else(|| mapping_error("Failed to parse mapping: Field [scaling_factor] is required"))?;
            field.scaling_factor = crate::settings_text(factor).parse().map_err(|_| {
                mapping_error(format!(
                    "Failed to parse mapping: [scaling_factor] must be a number, got [{}]",
                    crate::settings_text(factor)
                ))
            })?;
        }
        if kind == FieldKind::Alias && field.alias_of.is_none() {
            return Err(mapping_error(format!(
                "Failed to parse mapping: The [path] property must be specified for field [{path}]."
            )));
        }
        if let Some(fields) = map.get("fields") {
            let Value::Object(subs) = fields else {
                return Err(mapping_error(format!(
                    "Failed to parse mapping: [fields] of field [{path}] must be an object"
                )));
            };
            for (name, def) in subs {
                let sub_path = format!("{path}.{name}");
                let Some(sub) = def.as_object() else {
                    return Err(mapping_error(format!(
                        "Failed to parse mapping: the definition of field [{sub_path}] must be an object"
                    )));
                };
                let sub_type = sub.get("type").and_then(Value::as_str).unwrap_or("object");
                if sub_type == "object" || sub_type == "nested" {
                    return Err(mapping_error(format!(
                        "Failed to parse mapping: Type [{sub_type}] cannot be used in multi field"
                    )));
                }
                field.multi_fields.push(Arc::new(FieldMapper::compile(&sub_path, sub_type, sub, analyzers)?));
            }
        }
        Ok(field)
    }

    /// Gives this field and its multi-fields the index's `ignore_above`
    /// where they take one and set none.
    pub(crate) fn default_ignore_above(&mut self, limit: usize) {
        if self.ignore_above.is_none()
            && matches!(self.kind, FieldKind::Keyword | FieldKind::Wildcard | FieldKind::Flattened)
        {
            self.ignore_above = Some(limit);
        }
        for sub in &mut self.multi_fields {
            Arc::make_mut(sub).default_ignore_above(limit);
        }
    }

    /// A text value as [`FieldMapper::parse_value`] reads it, without a
    /// JSON value made for it: for text, keywords and dates; `None` for the
    /// other kinds.
    pub fn parse_string(&self, text: &str) -> Option<Result<Option<IndexValue>, String>> {
        Some(Ok(Some(match self.kind {
            FieldKind::Text | FieldKind::MatchOnlyText => IndexValue::Text(text.to_owned()),
            FieldKind::Keyword | FieldKind::Wildcard => {
                if self.ignore_above.is_some_and(|limit| text.chars().count() > limit) {
                    return Some(Ok(Some(IndexValue::Ignored)));
                }
                IndexValue::Keyword(match &self.normalizer {
                    Some(n) => n.normalize(text),
                    None => text.to_owned(),
                })
            }
            FieldKind::Date | FieldKind::DateNanos => return Some(self.date_of_text(text).map(Some)),
            _ => return None,
        })))
    }

    /// What the index holds for one JSON value of this field (nothing for
    /// a value the field ignores), or why the value is refused.
    pub fn parse_value(&self, value: &Value) -> Result<Option<IndexValue>, String> {
        let value = match value {
            Value::Null => match &self.null_value {
                Some(v) => v,
                None => return Ok(None),
            },
            v => v,
        };
        let text = || -> Result<String, String> {
            match value {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                _ => Err(String::new()),
            }
        };
        Ok(Some(match self.kind {
            FieldKind::Text | FieldKind::MatchOnlyText => IndexValue::Text(text()?),
            FieldKind::Keyword | FieldKind::Wildcard | FieldKind::Flattened => {
                let raw = text()?;
                if self.ignore_above.is_some_and(|limit| raw.chars().count() > limit) {
                    return Ok(Some(IndexValue::Ignored));
                }
                IndexValue::Keyword(match &self.normalizer {
                    Some(n) => n.normalize(&raw),
                    None => raw,
                })
            }
            FieldKind::ConstantKeyword => {
                let raw = text()?;
                match &self.constant {
                    Some(c) if *c != raw => {
                        return Err(format!("[constant_keyword] field [{}] only accepts values that are equal to the value defined in the mappings [{c}], but got [{raw}]", self.path))
                    }
                    _ => IndexValue::Keyword(raw),
                }
            }
            FieldKind::Completion => {
                super::completion::check_entry(&self.path, &self.contexts, value)?;
                match value {
                    Value::Object(o) => {
                        IndexValue::Keyword(o.get("input").map(crate::settings_text).unwrap_or_default())
                    }
                    _ => IndexValue::Keyword(text()?),
                }
            }
            // A number is a count (a query's); text is counted (a document's).
            FieldKind::TokenCount if !value.is_number() => {
                let analyzer = self.analyzer.as_deref().ok_or("the field has no analyzer")?;
                let tokens = analyzer.analyze(&text()?);
                let count = match tokens.last() {
                    Some(last) if self.position_increments => last.position as usize + 1,
                    _ => tokens.len(),
                };
                IndexValue::Long(i64::try_from(count).unwrap_or(i64::MAX))
            }
            FieldKind::Long | FieldKind::Integer | FieldKind::Short | FieldKind::Byte | FieldKind::TokenCount => {
                let (min, max, name) = self.kind.integer_range().expect("an integer kind");
                IndexValue::Long(self.integer(value, min, max, name)?)
            }
            FieldKind::UnsignedLong => IndexValue::Unsigned(self.unsigned(value)?),
            FieldKind::Double | FieldKind::Float | FieldKind::HalfFloat => {
                let v = self.double(value)?;
                let v = if self.kind == FieldKind::Double { v } else { f64::from(v as f32) };
                // Every floating-point type takes finite values only, as
                // Elasticsearch checks them (a half_float as a float).
                if !v.is_finite() {
                    return Err(format!("[{}] supports only finite values, but got [{v}]", self.type_name));
                }
                IndexValue::Double(v)
            }
            FieldKind::ScaledFloat => IndexValue::Long((self.double(value)? * self.scaling_factor).round() as i64),
            FieldKind::Boolean => IndexValue::Bool(match value {
                Value::Bool(b) => *b,
                Value::String(s) if s == "true" => true,
                Value::String(s) if s == "false" || s.is_empty() => false,
                other => {
                    return Err(format!(
                        "Failed to parse value [{}] as only [true] or [false] are allowed.",
                        crate::settings_text(other)
                    ))
                }
            }),
            FieldKind::Date | FieldKind::DateNanos => self.date(value)?,
            FieldKind::Range(kind) => {
                IndexValue::Range(super::range::parse(kind, value, &|v, up| self.date_millis(v, up))?)
            }
            FieldKind::Ip => {
                let raw = text()?;
                let ip: IpAddr = raw.parse().map_err(|_| format!("'{raw}' is not an IP string literal."))?;
                IndexValue::Ip(ip_bits(ip))
            }
            FieldKind::GeoPoint => {
                let (lat, lon) = geo_point(value)?;
                IndexValue::Geo { lat, lon }
            }
            FieldKind::Binary => {
                text()?;
                IndexValue::SourceOnly
            }
            FieldKind::RankFeature | FieldKind::RankFeatures => {
                let v = self.double(value)?;
                if !(v.is_normal() && v > 0.0) || v > f64::from(f32::MAX) {
                    return Err(format!("[{}] must be a positive normal float, got [{v}]", self.type_name));
                }
                IndexValue::Double(f64::from(v as f32))
            }
            FieldKind::Alias => return Err(format!("Cannot write to a field alias [{}].", self.path)),
        }))
    }

    /// A date bound of a `date_range` field, in epoch millis; a text's
    /// missing parts rounded up with `round_up`.
    fn date_millis(&self, value: &Value, round_up: bool) -> Result<i64, String> {
        if let (Value::String(text), Some(format)) = (value, &self.format) {
            let reading = super::date::Reading { round_up, offset: 0 };
            if let Some(instant) = format.parse_with(text, reading) {
                return Ok(instant.millis());
            }
        }
        match self.date(value)? {
            IndexValue::Date(millis) => Ok(millis),
            _ => Err(format!("failed to parse date field [{}]", crate::settings_text(value))),
        }
    }

    fn double(&self, value: &Value) -> Result<f64, String> {
        match value {
            Value::Number(n) => n.as_f64().ok_or_else(String::new),
            Value::String(s) if self.coerce => {
                s.trim().parse::<f64>().map_err(|_| format!("For input string: \"{s}\""))
            }
            Value::String(_) => Err("Cannot coerce string to number: coerce is false".into()),
            _ => Err(String::new()),
        }
    }

    fn integer(&self, value: &Value, min: i64, max: i64, name: &str) -> Result<i64, String> {
        let out_of_range = |v: &dyn std::fmt::Display| {
            format!("Value [{v}] is out of range for {} {name}", if name == "integer" { "an" } else { "a" })
        };
        match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    return if (min..=max).contains(&i) { Ok(i) } else { Err(out_of_range(&i)) };
                }
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() != 0.0 && !self.coerce {
                    return Err(format!("Value [{f}] has a decimal part"));
                }
                if f < min as f64 || f > max as f64 {
                    return Err(out_of_range(n));
                }
                Ok(f.trunc() as i64)
            }
            Value::String(s) if self.coerce => {
                let t = s.trim();
                if let Ok(i) = t.parse::<i64>() {
                    return if (min..=max).contains(&i) { Ok(i) } else { Err(out_of_range(&t)) };
                }
                let f: f64 = t.parse().map_err(|_| format!("For input string: \"{s}\""))?;
                if !f.is_finite() || f < min as f64 || f > max as f64 {
                    return Err(out_of_range(&t));
                }
                Ok(f.trunc() as i64)
            }
            Value::String(_) => Err("Cannot coerce string to number: coerce is false".into()),
            _ => Err(String::new()),
        }
    }

    fn unsigned(&self, value: &Value) -> Result<u64, String> {
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_owned(),
            _ => return Err(String::new()),
        };
        text.parse::<u64>()
            .or_else(|_| {
                text.parse::<f64>().ok().filter(|f| *f >= 0.0 && *f < 1.8446744073709552e19).map(|f| f as u64).ok_or(())
            })
            .map_err(|()| format!("Value \"{text}\" has a decimal part or is out of range for an unsigned long"))
    }

    fn date(&self, value: &Value) -> Result<IndexValue, String> {
        let format = self.format.as_ref().expect("date fields have a format");
        let instant = match value {
            // A number is an epoch if the format takes one, else its text.
            Value::Number(n) => {
                format.epoch_number(n.as_f64().unwrap_or(f64::NAN)).or_else(|| format.parse_str(&n.to_string()))
            }
            Value::String(s) => format.parse_str(s),
            _ => return Err(String::new()),
        };
        self.date_from(instant, || crate::settings_text(value))
    }

    /// A date field's value from its text.
    fn date_of_text(&self, text: &str) -> Result<IndexValue, String> {
        let format = self.format.as_ref().expect("date fields have a format");
        self.date_from(format.parse_str(text), || text.to_owned())
    }

    /// A date field's value from the instant its value was read as (`None`:
    /// unreadable); `raw` is the value as errors quote it.
    fn date_from(&self, instant: Option<super::date::Instant>, raw: impl Fn() -> String) -> Result<IndexValue, String> {
        let format = self.format.as_ref().expect("date fields have a format");
        let Some(instant) = instant else {
            return Err(format!("failed to parse date field [{}] with format [{}]", raw(), format.as_str()));
        };
        if self.kind == FieldKind::DateNanos {
            return instant.epoch_nanos().map(IndexValue::Date).ok_or_else(|| {
                if instant.seconds < 0 {
                    format!("date[{}] is before the epoch in 1970 and cannot be stored in nanosecond resolution", raw())
                } else {
                    format!(
                        "date[{}] is after 2262-04-11T23:47:16.854775807 and cannot be stored in nanosecond resolution",
                        raw()
                    )
                }
            });
        }
        Ok(IndexValue::Date(instant.millis()))
    }
}

/// An IP address as the 128 bits of its IPv6 form (IPv4 mapped).
pub fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// A geo point in any of the forms Elasticsearch reads: `{lat, lon}`,
/// `"lat,lon"`, `[lon, lat]` and `POINT (lon lat)`, its latitude and
/// longitude within their ranges.
pub fn geo_point(value: &Value) -> Result<(f64, f64), String> {
    let (lat, lon) = read_geo_point(value)?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("illegal latitude value [{lat}] for {}", "geo_point"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("illegal longitude value [{lon}] for {}", "geo_point"));
    }
    Ok((lat, lon))
}

/// [`geo_point`]'s latitude and longitude as written, in range or not.
pub fn read_geo_point(value: &Value) -> Result<(f64, f64), String> {
    let number = |v: &Value| -> Result<f64, String> {
        match v {
            Value::Number(n) => n.as_f64().ok_or_else(String::new),
            Value::String(s) => s.trim().parse().map_err(|_| format!("[{s}] is not a number")),
            _ => Err("field must be either lat/lon or a geohash".into()),
        }
    };
    let (lat, lon) = match value {
        // GeoJSON: `{"type": "Point", "coordinates": [lon, lat]}`.
        Value::Object(o) if o.contains_key("coordinates") => match o.get("coordinates") {
            Some(Value::Array(c)) if (2..=3).contains(&c.len()) => (number(&c[1])?, number(&c[0])?),
            _ => return Err("[coordinates] must be an array of longitude and latitude".into()),
        },
        Value::Object(o) => match (o.get("lat"), o.get("lon")) {
            (Some(lat), Some(lon)) => (number(lat)?, number(lon)?),
            _ => return Err("field [lat] or [lon] missing".into()),
        },
        Value::Array(items) if (2..=3).contains(&items.len()) => (number(&items[1])?, number(&items[0])?),
        Value::String(s) => {
            if let Some(inner) = s
                .trim()
                .strip_prefix("POINT")
                .map(str::trim)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
            {
                let parts: Vec<&str> =
                    inner.split(|c: char| c.is_whitespace() || c == ',').filter(|p| !p.is_empty()).collect();
                let [lon, lat, ..] = parts.as_slice() else { return Err(format!("invalid WKT point [{s}]")) };
                (number(&Value::String((*lat).into()))?, number(&Value::String((*lon).into()))?)
            } else {
                let parts: Vec<&str> = s.split(',').collect();
                match parts.as_slice() {
                    [lat, lon] | [lat, lon, _] => {
                        (number(&Value::String((*lat).into()))?, number(&Value::String((*lon).into()))?)
                    }
                    // A geohash stands for its cell's centre.
                    _ => match super::geo::geohash_cell(s.trim()) {
                        Some((min_lat, max_lat, min_lon, max_lon)) => {
                            ((min_lat + max_lat) / 2.0, (min_lon + max_lon) / 2.0)
                        }
                        None => {
                            return Err(format!(
                                "unsupported symbol [{}] in geohash [{s}]",
                                s.chars().find(|c| !c.is_ascii_alphanumeric()).unwrap_or(' ')
                            ))
                        }
                    },
                }
            }
        }
        _ => return Err("geo_point expected".into()),
    };
    Ok((lat, lon))
}

/// An address from the bits of its IPv6 form, as Elasticsearch writes it
/// (IPv4-mapped addresses in dotted form).
pub(crate) fn ip_text(bits: u128) -> String {
    let v6 = std::net::Ipv6Addr::from(bits);
    v6.to_ipv4_mapped().map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4).to_string()
}
