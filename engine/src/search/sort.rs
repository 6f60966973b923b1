//! Sorting hits by fields: each hit's sort values read from the `_terms`
//! columns of its segment, compared key by key as Elasticsearch does
//! (multi-valued fields by their least value ascending, greatest
//! descending; missing values last unless asked otherwise).

use crate::error::EngineError;
use crate::mapper::{FieldKind, IndexValue, Mapper};
use std::cmp::Ordering;
use tantivy::columnar::DynamicColumn;
use tantivy::{DocId, SegmentReader};

/// What a sort key orders by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortBy {
    Score,
    /// Index order.
    Doc,
    /// `_shard_doc`: each hit's place (index, shard, segment, document), a
    /// total order that `search_after` can page through.
    ShardDoc,
    Field(String),
    /// `_geo_distance`: a `geo_point` field's distance to points.
    GeoDistance(Box<GeoSort>),
}

/// A `_geo_distance` sort: each document's distance from its points to the
/// sort's, in a unit, along the earth's surface (`arc`) or on a flat
/// projection (`plane`); a document without a point is infinitely far.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoSort {
    pub field: String,
    /// `(lat, lon)` of each point distances are measured from.
    pub origins: Vec<(f64, f64)>,
    /// Metres in the unit distances are given in.
    pub unit: f64,
    pub plane: bool,
    /// `ignore_unmapped`: an index without the field sorts every hit as missing.
    pub ignore_unmapped: bool,
}

impl GeoSort {
    /// A `_geo_distance` entry: its field and points, and its options.
    fn parse(opts: &serde_json::Map<String, serde_json::Value>) -> Result<GeoSort, EngineError> {
        const OPTIONS: &[&str] =
            &["order", "unit", "mode", "distance_type", "ignore_unmapped", "validation_method", "nested", "_name"];
        let mut fields = opts.iter().filter(|(k, _)| !OPTIONS.contains(&k.as_str()));
        let Some((field, points)) = fields.next() else {
            return Err(EngineError::Parsing("[_geo_distance] requires a field and the points to sort by".into()));
        };
        if let Some((other, _)) = fields.next() {
            return Err(EngineError::Parsing(format!(
                "[_geo_distance] sort by one field only, got [{field}] and [{other}]"
            )));
        }
        let point = |v: &serde_json::Value| {
            crate::mapper::field::geo_point(v).map_err(|e| EngineError::Parsing(format!("[_geo_distance] {e}")))
        };
        let origins = match points {
            // `[lon, lat]` is one point; an array of anything else, several.
            serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_number) => vec![point(points)?],
            serde_json::Value::Array(items) => items.iter().map(point).collect::<Result<_, _>>()?,
            one => vec![point(one)?],
        };
        let unit = match opts.get("unit").and_then(serde_json::Value::as_str) {
            None => 1.0,
            Some(unit) => crate::mapper::geo::parse_distance(&format!("1{unit}"))
                .ok_or_else(|| EngineError::IllegalArgument(format!("No distance unit match [{unit}]")))?,
        };
        let plane = match opts.get("distance_type").and_then(serde_json::Value::as_str) {
            None | Some("arc") => false,
            Some("plane") => true,
            Some(other) => return Err(EngineError::IllegalArgument(format!("No geo distance type for [{other}]"))),
        };
        let ignore_unmapped = opts.get("ignore_unmapped").is_some_and(|v| v == true);
        Ok(GeoSort { field: field.clone(), origins, unit, plane, ignore_unmapped })
    }

    /// The distance between a document's point and a sort point, in the unit.
    fn distance(&self, (lat, lon): (f64, f64), (to_lat, to_lon): (f64, f64)) -> f64 {
        let metres = if self.plane {
            crate::mapper::geo::plane_distance(lat, lon, to_lat, to_lon)
        } else {
            crate::mapper::geo::arc_distance(lat, lon, to_lat, to_lon)
        };
        metres / self.unit
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub by: SortBy,
    pub desc: bool,
    /// `missing: _first`.
    pub missing_first: bool,
    /// `unmapped_type`: an unmapped field sorts as missing instead of failing.
    pub unmapped_ok: bool,
    /// `format`: how a date's sort value is printed (and a `search_after` date read).
    pub format: Option<String>,
    /// `numeric_type`: the type every index's values are converted to, so
    /// that a field mapped differently across indices sorts as one.
    pub numeric_type: Option<NumericType>,
    /// `mode`: which of a document's values it sorts by (by default its
    /// least ascending, its greatest descending).
    pub mode: Option<SortMode>,
    /// `missing` given as a value: what a document without one sorts as.
    pub missing_value: Option<serde_json::Value>,
    /// `nested`: the field's values are those of the document's nested
    /// objects of a nested field.
    pub nested: Option<NestedSort>,
}

/// A `nested` sort's compiled filters, one per level (outermost first).
pub type NestedFilters = Vec<Option<std::sync::Arc<dyn tantivy::query::Query>>>;

/// A sort key's `nested` options.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedSort {
    /// The nested field whose objects hold the values.
    pub path: String,
    /// `filter`: only the objects matching it count.
    pub filter: Option<super::dsl::Query>,
    /// `max_children`: at most this many objects of a document count, the
    /// first ones.
    pub max_children: Option<usize>,
    /// `nested`: the values are those of nested objects inside these
    /// (a nested field within this one).
    pub nested: Option<Box<NestedSort>>,
}

impl NestedSort {
    fn parse(spec: &serde_json::Value) -> Result<NestedSort, EngineError> {
        let Some(spec) = spec.as_object() else {
            return Err(EngineError::IllegalArgument("[nested] must be an object".into()));
        };
        if let Some(k) = spec.keys().find(|k| !["path", "filter", "max_children", "nested"].contains(&k.as_str())) {
            return Err(EngineError::Parsing(format!("[nested] unknown field [{k}]")));
        }
        let path = spec.get("path").and_then(serde_json::Value::as_str);
        let path = path.ok_or_else(|| EngineError::IllegalArgument("[nested] requires 'path' field".into()))?;
        let filter = spec.get("filter").map(super::dsl::parse).transpose()?;
        let max_children = match spec.get("max_children") {
            None => None,
            Some(n) => Some(n.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
                EngineError::IllegalArgument(format!(
                    "[nested] [max_children] must be a non-negative integer, got [{n}]"
                ))
            })?),
        };
        let nested = spec.get("nested").map(NestedSort::parse).transpose()?.map(Box::new);
        Ok(NestedSort { path: path.to_owned(), filter, max_children, nested })
    }

    /// This level and the ones within it, outermost first.
    pub fn levels(&self) -> Vec<&NestedSort> {
        let mut levels = vec![self];
        while let Some(inner) = &levels[levels.len() - 1].nested {
            levels.push(inner);
        }
        levels
    }
}

impl SortKey {
    pub const fn new(by: SortBy, desc: bool) -> SortKey {
        SortKey {
            by,
            desc,
            missing_first: false,
            unmapped_ok: false,
            format: None,
            numeric_type: None,
            mode: None,
            missing_value: None,
            nested: None,
        }
    }

    pub fn field(name: &str, desc: bool) -> SortKey {
        SortKey::new(SortBy::Field(name.to_owned()), desc)
    }
}

/// A sort key by name, in its default order (`_score` descending, the rest ascending).
pub fn key(name: &str, order: Option<&str>) -> Result<SortKey, EngineError> {
    let by = match name {
        "_score" => SortBy::Score,
        "_doc" => SortBy::Doc,
        "_shard_doc" => SortBy::ShardDoc,
        "_script" => return Err(EngineError::Unsupported(format!("sorting by [{name}]"))),
        "_geo_distance" => {
            return Err(EngineError::Parsing("[_geo_distance] sort needs its field and points in an object".into()))
        }
        field => SortBy::Field(field.to_owned()),
    };
    let desc = match order {
        None => by == SortBy::Score,
        Some(o) if o.eq_ignore_ascii_case("desc") => true,
        Some(o) if o.eq_ignore_ascii_case("asc") => false,
        Some(other) => return Err(EngineError::IllegalArgument(format!("Unknown SortOrder [{other}]"))),
    };
    Ok(SortKey::new(by, desc))
}

/// One `{name: order}` or `{name: {options}}` entry of a body's `sort`.
fn entry(name: &str, spec: &serde_json::Value) -> Result<SortKey, EngineError> {
    match spec {
        serde_json::Value::String(order) => key(name, Some(order)),
        serde_json::Value::Object(opts) if name == "_geo_distance" => {
            let desc = match opts.get("order").and_then(serde_json::Value::as_str) {
                None => false,
                Some(o) if o.eq_ignore_ascii_case("desc") => true,
                Some(o) if o.eq_ignore_ascii_case("asc") => false,
                Some(other) => return Err(EngineError::IllegalArgument(format!("Unknown SortOrder [{other}]"))),
            };
            let mut key = SortKey::new(SortBy::GeoDistance(Box::new(GeoSort::parse(opts)?)), desc);
            key.nested = opts.get("nested").map(NestedSort::parse).transpose()?;
            if let Some(mode) = opts.get("mode") {
                let name = mode.as_str().unwrap_or_default();
                key.mode = match SortMode::parse(name) {
                    Some(SortMode::Sum) | None => {
                        return Err(EngineError::IllegalArgument(format!("Unknown MultiValueMode [{name}]")))
                    }
                    mode => mode,
                };
            }
            Ok(key)
        }
        serde_json::Value::Object(opts) => {
            if let Some(k) = opts.keys().find(|k| {
                !["order", "missing", "unmapped_type", "mode", "format", "numeric_type", "nested"].contains(&k.as_str())
            }) {
                return Err(EngineError::Unsupported(format!("the [{k}] option of sort")));
            }
            let mut key = key(name, opts.get("order").and_then(serde_json::Value::as_str))?;
            match opts.get("missing") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::String(m)) if m == "_last" => {}
                Some(serde_json::Value::String(m)) if m == "_first" => key.missing_first = true,
                // A value documents without one sort as.
                Some(value) => key.missing_value = Some(value.clone()),
            }
            if let Some(mode) = opts.get("mode") {
                let name = mode.as_str().unwrap_or_default();
                key.mode = Some(
                    SortMode::parse(name)
                        .ok_or_else(|| EngineError::IllegalArgument(format!("Unknown MultiValueMode [{name}]")))?,
                );
            }
            if let Some(nested) = opts.get("nested") {
                key.nested = Some(NestedSort::parse(nested)?);
            }
            key.unmapped_ok = opts.contains_key("unmapped_type");
            key.format = opts.get("format").and_then(serde_json::Value::as_str).map(str::to_owned);
            if let Some(numeric_type) = opts.get("numeric_type") {
                let text = numeric_type.as_str().unwrap_or_default().to_lowercase();
                key.numeric_type = Some(NumericType::parse(&text).ok_or_else(|| {
                    EngineError::IllegalArgument(format!(
                        "invalid value for [numeric_type], must be [LONG, DOUBLE, DATE, DATE_NANOS], got {text}"
                    ))
                })?);
            }
            Ok(key)
        }
        _ => Err(EngineError::Parsing(format!("malformed sort for [{name}]"))),
    }
}

/// The sort keys of a body's `sort`: a name, an entry, or a list of them.
pub fn parse(sort: &serde_json::Value) -> Result<Vec<SortKey>, EngineError> {
    match sort {
        serde_json::Value::Array(items) => Ok(items.iter().map(parse).collect::<Result<Vec<_>, _>>()?.concat()),
        serde_json::Value::String(name) => Ok(vec![key(name, None)?]),
        serde_json::Value::Object(o) => o.iter().map(|(name, spec)| entry(name, spec)).collect(),
        _ => Err(EngineError::Parsing("malformed [sort]".into())),
    }
}

/// A sort's `mode`: the value a document with several sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortMode {
    Min,
    Max,
    /// The numbers' sum, average or median alone.
    Sum,
    Avg,
    Median,
}

impl SortMode {
    pub fn parse(name: &str) -> Option<SortMode> {
        Some(match name {
            "min" => SortMode::Min,
            "max" => SortMode::Max,
            "sum" => SortMode::Sum,
            "avg" => SortMode::Avg,
            "median" => SortMode::Median,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            SortMode::Min => "min",
            SortMode::Max => "max",
            SortMode::Sum => "sum",
            SortMode::Avg => "avg",
            SortMode::Median => "median",
        }
    }

    /// Whether the mode computes over numbers (not text).
    fn numeric(self) -> bool {
        matches!(self, SortMode::Sum | SortMode::Avg | SortMode::Median)
    }

    /// The sum, average or median of a document's numbers: a long when
    /// they are whole (an average or a median rounded, as Elasticsearch
    /// rounds them), else a double.
    fn combine(self, values: &[SortValue]) -> SortValue {
        let whole: Option<Vec<i64>> = values
            .iter()
            .map(|v| match v {
                SortValue::Long(n) => Some(*n),
                SortValue::Unsigned(n) => i64::try_from(*n).ok(),
                _ => None,
            })
            .collect();
        let numbers: Vec<f64> = values
            .iter()
            .filter_map(|v| match v {
                SortValue::Long(n) => Some(*n as f64),
                SortValue::Unsigned(n) => Some(*n as f64),
                SortValue::Double(n) => Some(*n),
                _ => None,
            })
            .collect();
        if numbers.is_empty() {
            return SortValue::Missing;
        }
        let median = |mut sorted: Vec<f64>| {
            sorted.sort_by(f64::total_cmp);
            let mid = sorted.len() / 2;
            if sorted.len() % 2 == 1 {
                sorted[mid]
            } else {
                (sorted[mid - 1] + sorted[mid]) / 2.0
            }
        };
        let value = match self {
            SortMode::Sum => numbers.iter().sum(),
            SortMode::Avg => numbers.iter().sum::<f64>() / numbers.len() as f64,
            _ => median(numbers),
        };
        match whole {
            Some(whole) if self == SortMode::Sum => {
                SortValue::Long(whole.iter().fold(0i64, |a, b| a.saturating_add(*b)))
            }
            Some(_) => SortValue::Long(value.round() as i64),
            None => SortValue::Double(value),
        }
    }
}

/// A sort's `numeric_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericType {
    Long,
    Double,
    Date,
    DateNanos,
}

impl NumericType {
    pub fn parse(text: &str) -> Option<NumericType> {
        Some(match text {
            "long" => NumericType::Long,
            "double" => NumericType::Double,
            "date" => NumericType::Date,
            "date_nanos" => NumericType::DateNanos,
            _ => return None,
        })
    }
}

/// How one index's values of a sort key are read: converted to its
/// `numeric_type`, and what a document without one sorts as.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub conversion: Conversion,
    pub missing: SortValue,
    pub mode: Option<SortMode>,
}

impl Default for Reading {
    fn default() -> Reading {
        Reading { conversion: Conversion::None, missing: SortValue::Missing, mode: None }
    }
}

impl Reading {
    /// How a key reads its field in one index: a missing integer or date
    /// is its type's extreme, as Elasticsearch substitutes it, so that
    /// missing values of indices mapping the field differently order by
    /// their substitutes (an `integer`'s before a `long`'s).
    pub fn of(mapper: &Mapper, key: &SortKey) -> Reading {
        if let SortBy::GeoDistance(_) = key.by {
            return Reading { conversion: Conversion::None, missing: SortValue::Double(f64::INFINITY), mode: key.mode };
        }
        Reading {
            conversion: Conversion::of(mapper, key),
            missing: missing_shown(mapper, key).unwrap_or(SortValue::Missing),
            mode: key.mode,
        }
    }
}

/// How one index's values of a sort field are converted before they are
/// compared (its [`NumericType`] against the field's type there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conversion {
    #[default]
    None,
    ToLong,
    ToDouble,
    MillisToNanos,
    NanosToMillis,
}

impl Conversion {
    /// The conversion a key asks of its field in one index.
    pub fn of(mapper: &Mapper, key: &SortKey) -> Conversion {
        let (Some(numeric_type), SortBy::Field(path)) = (key.numeric_type, &key.by) else {
            return Conversion::None;
        };
        let Some(field) = mapper.fields.get(path) else { return Conversion::None };
        match (numeric_type, field.kind) {
            (NumericType::DateNanos, FieldKind::Date) => Conversion::MillisToNanos,
            (NumericType::Date, FieldKind::DateNanos) => Conversion::NanosToMillis,
            (NumericType::Date | NumericType::DateNanos, _) => Conversion::None,
            (NumericType::Long, _) => Conversion::ToLong,
            (NumericType::Double, _) => Conversion::ToDouble,
        }
    }

    /// A date's value in the resolution the conversion asks.
    fn date(self, value: i64) -> i64 {
        match self {
            Conversion::MillisToNanos => value.saturating_mul(1_000_000),
            Conversion::NanosToMillis => value.div_euclid(1_000_000),
            _ => value,
        }
    }

    fn apply(self, value: SortValue) -> SortValue {
        match (self, value) {
            (Conversion::MillisToNanos | Conversion::NanosToMillis, SortValue::Long(v)) => {
                SortValue::Long(self.date(v))
            }
            (Conversion::ToLong, SortValue::Double(v)) => SortValue::Long(v as i64),
            (Conversion::ToLong, SortValue::Unsigned(v)) => SortValue::Long(i64::try_from(v).unwrap_or(i64::MAX)),
            (Conversion::ToDouble, SortValue::Long(v)) => SortValue::Double(v as f64),
            (Conversion::ToDouble, SortValue::Unsigned(v)) => SortValue::Double(v as f64),
            (_, value) => value,
        }
    }
}

/// One sort value of a hit.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    Missing,
    Long(i64),
    Unsigned(u64),
    Double(f64),
    Text(String),
}

impl SortValue {
    /// The value as the hit's `sort` array shows it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SortValue::Missing => serde_json::Value::Null,
            SortValue::Long(v) => (*v).into(),
            SortValue::Unsigned(v) => (*v).into(),
            // Infinity (a geo distance to nothing) as Elasticsearch writes it.
            SortValue::Double(v) if v.is_infinite() => if *v > 0.0 { "Infinity" } else { "-Infinity" }.into(),
            SortValue::Double(v) => serde_json::json!(v),
            SortValue::Text(s) => s.clone().into(),
        }
    }

    /// A `search_after` value read as the kind of value a hit has for the
    /// same key (numbers as numbers, strings as text or as numbers).
    pub fn like(given: &serde_json::Value, hit: &SortValue) -> SortValue {
        use serde_json::Value;
        match (given, hit) {
            (Value::Null, _) => SortValue::Missing,
            (Value::String(s), SortValue::Text(_) | SortValue::Missing) => SortValue::Text(s.clone()),
            (Value::String(s), _) => match (s.parse::<i64>(), s.parse::<f64>()) {
                (Ok(n), _) => SortValue::Long(n),
                (_, Ok(d)) => SortValue::Double(d),
                _ => SortValue::Text(s.clone()),
            },
            (Value::Number(n), _) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => SortValue::Long(i),
                (_, Some(u)) => SortValue::Unsigned(u),
                _ => SortValue::Double(n.as_f64().unwrap_or(0.0)),
            },
            (Value::Bool(b), _) => SortValue::Long(i64::from(*b)),
            (other, _) => SortValue::Text(other.to_string()),
        }
    }

    fn cmp_present(&self, other: &SortValue) -> Ordering {
        match (self, other) {
            (SortValue::Long(a), SortValue::Long(b)) => a.cmp(b),
            (SortValue::Unsigned(a), SortValue::Unsigned(b)) => a.cmp(b),
            (SortValue::Long(a), SortValue::Unsigned(b)) => i128::from(*a).cmp(&i128::from(*b)),
            (SortValue::Unsigned(a), SortValue::Long(b)) => i128::from(*a).cmp(&i128::from(*b)),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            (a, b) => a.as_f64().total_cmp(&b.as_f64()),
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            SortValue::Long(v) => *v as f64,
            SortValue::Unsigned(v) => *v as f64,
            SortValue::Double(v) => *v,
            _ => 0.0,
        }
    }
}

/// A hit's values for a list of keys: held inline when there is one (the
/// common case), so that ranking a match allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    One(SortValue),
    Many(Vec<SortValue>),
}

impl std::ops::Deref for Values {
    type Target = [SortValue];

    fn deref(&self) -> &[SortValue] {
        match self {
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a SortValue;
    type IntoIter = std::slice::Iter<'a, SortValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<SortValue> for Values {
    fn from_iter<I: IntoIterator<Item = SortValue>>(items: I) -> Values {
        let mut items = items.into_iter();
        let Some(first) = items.next() else { return Values::Many(Vec::new()) };
        match items.next() {
            None => Values::One(first),
            Some(second) => Values::Many([first, second].into_iter().chain(items).collect()),
        }
    }
}

/// Compares two hits' values for one key.
pub fn compare(key: &SortKey, a: &SortValue, b: &SortValue) -> Ordering {
    match (a, b) {
        (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
        (SortValue::Missing, _) => {
            if key.missing_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (_, SortValue::Missing) => {
            if key.missing_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (a, b) => {
            let o = a.cmp_present(b);
            if key.desc {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// Checks a `nested` sort's levels: each a nested field within the one
/// before, the sorted field within the innermost.
fn check_nested(mapper: &Mapper, nested: &NestedSort, field: &str) -> Result<(), EngineError> {
    let mut outer: Option<&str> = None;
    for NestedSort { path, .. } in nested.levels() {
        if !mapper.is_nested(path) {
            return Err(EngineError::QueryShard(format!(
                "[nested] nested object under path [{path}] is not of nested type"
            )));
        }
        if let Some(outer) = outer.filter(|outer| !path.starts_with(&format!("{outer}."))) {
            return Err(EngineError::QueryShard(format!("[nested] nested path [{path}] is not a child of [{outer}]")));
        }
        outer = Some(path);
    }
    let path = outer.unwrap_or_default();
    if !field.starts_with(&format!("{path}.")) {
        return Err(EngineError::QueryShard(format!("[nested] field [{field}] is not inside nested path [{path}]")));
    }
    Ok(())
}

/// Checks that a sort key's field can be sorted on (and its `format` read).
pub fn check(mapper: &Mapper, key: &SortKey) -> Result<(), EngineError> {
    if let SortBy::GeoDistance(geo) = &key.by {
        if let (Some(nested), Some(_)) = (&key.nested, mapper.fields.get(&geo.field)) {
            check_nested(mapper, nested, &geo.field)?;
        }
        return match mapper.fields.get(&geo.field) {
            Some(f) if f.kind == FieldKind::GeoPoint => Ok(()),
            Some(f) => Err(EngineError::IllegalArgument(format!(
                "field [{}] of type [{}] is not supported for geo distance sorting",
                geo.field, f.type_name
            ))),
            None if geo.ignore_unmapped => Ok(()),
            None => Err(EngineError::IllegalArgument(format!(
                "failed to find mapper for [{}] for geo distance based sort",
                geo.field
            ))),
        };
    }
    let SortBy::Field(name) = &key.by else { return Ok(()) };
    if let Some(format) = &key.format {
        match mapper.fields.get(name) {
            // A number's values in a decimal pattern (`#.00`), as its `docvalue_fields`.
            Some(f) if f.kind.is_numeric() => {
                super::decimal_format::DecimalFormat::parse(format)?;
            }
            Some(f) if date_field(mapper, Some(key)).is_none() => {
                return Err(EngineError::IllegalArgument(format!(
                    "Field [{name}] of type [{}] does not support custom formats",
                    f.type_name
                )))
            }
            _ => {
                crate::mapper::date::DateFormat::parse(format).map_err(|e| EngineError::Parsing(e.0))?;
            }
        }
    }
    if let (Some(_), Some(f)) = (key.numeric_type, mapper.fields.get(name)) {
        if !f.kind.is_numeric() && !matches!(f.kind, FieldKind::Date | FieldKind::DateNanos) {
            return Err(EngineError::IllegalArgument(format!(
                "[numeric_type] option cannot be set on a non-numeric field, got [{}]",
                f.type_name
            )));
        }
    }
    if let Some(f) = mapper.fields.get(name).filter(|f| matches!(f.kind, FieldKind::Range(_))) {
        return Err(EngineError::IllegalArgument(format!("Sorting by range field [{}] is not supported", f.path)));
    }
    if let (Some(mode), Some(f)) = (key.mode.filter(|m| m.numeric()), mapper.fields.get(name)) {
        if !f.kind.is_numeric() && !f.kind.is_date() {
            return Err(EngineError::IllegalArgument(format!(
                "Sort mode [{}] is not supported on non-numeric field [{name}] of type [{}]",
                mode.name(),
                f.type_name
            )));
        }
    }
    if let (Some(value), Some(f)) = (&key.missing_value, mapper.fields.get(name)) {
        missing_value(f, value)?;
    }
    if let Some(nested) = &key.nested {
        check_nested(mapper, nested, name)?;
    }
    match mapper.fields.get(name) {
        None if key.unmapped_ok => Ok(()),
        None => Err(EngineError::QueryShard(format!("No mapping found for [{name}] in order to sort on"))),
        Some(f) => f.field_data(),
    }
}

/// Whether a date key's values are nanoseconds: its `numeric_type`'s
/// resolution when it has one, else its field's.
fn in_nanos(field: &crate::mapper::FieldMapper, key: Option<&SortKey>) -> bool {
    match key.and_then(|k| k.numeric_type) {
        Some(NumericType::DateNanos) => true,
        Some(NumericType::Date) => false,
        _ => field.kind == FieldKind::DateNanos,
    }
}

/// The date field a key sorts by, if it is one.
fn date_field<'m>(mapper: &'m Mapper, key: Option<&SortKey>) -> Option<&'m crate::mapper::FieldMapper> {
    match key.map(|k| &k.by) {
        Some(SortBy::Field(path)) => {
            mapper.fields.get(path).filter(|f| matches!(f.kind, FieldKind::Date | FieldKind::DateNanos)).map(|f| &**f)
        }
        _ => None,
    }
}

/// The decimal pattern a key shows a number field's values in, if it
/// has a `format` and sorts by a number field.
fn number_format<'k>(mapper: &Mapper, key: Option<&'k SortKey>) -> Option<&'k str> {
    let key = key?;
    let SortBy::Field(path) = &key.by else { return None };
    mapper.fields.get(path).filter(|f| f.kind.is_numeric())?;
    key.format.as_deref()
}

/// What a missing integer or date value sorts as, and so shows as in a
/// hit's `sort` (Elasticsearch substitutes the type's extreme: the largest
/// ascending with missing values last); `None` for other types, shown null,
/// and under a `format`.
fn missing_shown(mapper: &Mapper, key: &SortKey) -> Option<SortValue> {
    let SortBy::Field(path) = &key.by else { return None };
    if let Some(value) = &key.missing_value {
        return missing_value(mapper.fields.get(path)?, value).ok();
    }
    if key.format.is_some() {
        return None;
    }
    let (min, max) = match mapper.fields.get(path)?.kind {
        FieldKind::Long | FieldKind::Date | FieldKind::DateNanos => (i64::MIN, i64::MAX),
        FieldKind::Integer | FieldKind::Short | FieldKind::Byte => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => return None,
    };
    // Last ascending and first descending are the largest value.
    Some(SortValue::Long(if key.desc == key.missing_first { max } else { min }))
}

/// A `missing` sort value read as the field reads its values.
fn missing_value(field: &crate::mapper::FieldMapper, value: &serde_json::Value) -> Result<SortValue, EngineError> {
    let refused =
        || EngineError::IllegalArgument(format!("Illegal missing value [{value}] for field [{}]", field.path));
    Ok(match field.parse_value(value).map_err(|_| refused())? {
        Some(IndexValue::Long(v) | IndexValue::Date(v)) => SortValue::Long(v),
        Some(IndexValue::Unsigned(v)) => SortValue::Unsigned(v),
        Some(IndexValue::Double(v)) => SortValue::Double(v),
        Some(IndexValue::Keyword(k)) => SortValue::Text(k),
        Some(IndexValue::Bool(b)) => SortValue::Long(i64::from(b)),
        _ => return Err(refused()),
    })
}

/// `search_after` values as one index's columns hold them: a date given as
/// text is read with the key's `format`, else its field's.
pub fn search_after_values(
    mapper: &Mapper,
    keys: &[SortKey],
    values: &[serde_json::Value],
) -> Result<Vec<serde_json::Value>, EngineError> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let key = keys.get(i);
        let text = v.as_str().filter(|t| t.parse::<f64>().is_err());
        // A number shown in a decimal pattern reads back without its grouping.
        if let (Some(_), Some(text)) = (number_format(mapper, key), text) {
            let plain = text.replace(',', "");
            // Whole numbers exactly (a long past 2^53 is no f64).
            let number = match plain.parse::<i64>() {
                Ok(n) => serde_json::Value::from(n),
                Err(_) => plain.parse::<f64>().map(serde_json::Value::from).map_err(|_| {
                    EngineError::Parsing(format!("failed to parse [{text}] as a number of the sort's format"))
                })?,
            };
            out.push(number);
            continue;
        }
        let (Some(field), Some(text)) = (date_field(mapper, key), text) else {
            out.push(v.clone());
            continue;
        };
        let format = key.and_then(|k| k.format.as_deref());
        let parsed = match format {
            Some(f) => {
                let format = crate::mapper::date::DateFormat::parse(f).map_err(|e| EngineError::Parsing(e.0))?;
                let instant = format.parse_str(text);
                let value = instant.and_then(|i| if in_nanos(field, key) { i.epoch_nanos() } else { Some(i.millis()) });
                value.ok_or_else(|| format!("failed to parse date field [{text}] with format [{f}]"))
            }
            None => match field.parse_value(v) {
                Ok(Some(crate::mapper::IndexValue::Date(n))) => {
                    Ok(key.map_or(Conversion::None, |k| Conversion::of(mapper, k)).date(n))
                }
                Ok(_) => Err(format!("failed to parse date field [{text}]")),
                Err(e) => Err(e),
            },
        };
        out.push(parsed.map_err(EngineError::Parsing)?.into());
    }
    Ok(out)
}

/// A filter keeping the matches at or beyond a `search_after` cursor by the
/// first sort key (inclusive: ties go on to the other keys), when that key
/// is a field whose values a range can bound and whose missing values sort
/// last; `None` otherwise.
pub fn cursor_filter(mapper: &Mapper, keys: &[SortKey], after: &[serde_json::Value]) -> Option<super::dsl::Query> {
    // Documents without a value may sort anywhere with a `missing` value;
    // a nested field's values are its nested documents', not the root's; a
    // sum may lie beyond every one of a document's values.
    let key = keys.first().filter(|k| {
        !k.missing_first && k.missing_value.is_none() && k.nested.is_none() && k.mode != Some(SortMode::Sum)
    })?;
    let SortBy::Field(path) = &key.by else { return None };
    if Conversion::of(mapper, key) != Conversion::None {
        return None;
    }
    let field = mapper.fields.get(path)?;
    let value = after.first().filter(|v| !v.is_null())?;
    // Past the last value: the documents without one, which no range finds.
    if missing_shown(mapper, key).is_some_and(|m| &m.to_json() == value) {
        return None;
    }
    let (value, format) = match field.kind {
        FieldKind::Long | FieldKind::Integer | FieldKind::Short | FieldKind::Byte => (value.clone(), None),
        FieldKind::Double | FieldKind::Float | FieldKind::HalfFloat => (value.clone(), None),
        FieldKind::Keyword if value.is_string() => (value.clone(), None),
        FieldKind::Date => (value.clone(), Some("epoch_millis".to_owned())),
        // Nanoseconds bound loosely by their millisecond: down for a lower
        // bound, up for an upper one.
        FieldKind::DateNanos => {
            let nanos = value.as_i64()?;
            let millis = if key.desc { nanos.div_euclid(1_000_000) + 1 } else { nanos.div_euclid(1_000_000) };
            (millis.into(), Some("epoch_millis".to_owned()))
        }
        _ => return None,
    };
    let (gte, lte) = if key.desc { (None, Some(value)) } else { (Some(value), None) };
    Some(super::dsl::Query::range(path.clone(), [None, gte, None, lte], format))
}

/// A hit's sort value as the request shows it: a date or a number in the
/// key's `format`.
pub fn shown(mapper: &Mapper, key: &SortKey, value: SortValue) -> SortValue {
    if value == SortValue::Missing {
        return missing_shown(mapper, key).unwrap_or(value);
    }
    if let Some(format) = number_format(mapper, Some(key)) {
        let number = match value {
            SortValue::Long(n) => n as f64,
            SortValue::Unsigned(n) => n as f64,
            SortValue::Double(x) => x,
            other => return other,
        };
        return match super::decimal_format::DecimalFormat::parse(format) {
            Ok(pattern) => SortValue::Text(pattern.format(number)),
            Err(_) => value,
        };
    }
    let (Some(format), Some(field), SortValue::Long(n)) = (&key.format, date_field(mapper, Some(key)), &value) else {
        return value;
    };
    let Ok(format) = crate::mapper::date::DateFormat::parse(format) else { return value };
    SortValue::Text(if in_nanos(field, Some(key)) { format.format_nanos_value(*n) } else { format.format_millis(*n) })
}

/// A document's first number in columns (booleans as 0 and 1).
pub(crate) fn first_number(columns: &[DynamicColumn], doc: DocId) -> Option<f64> {
    columns.iter().find_map(|c| match c {
        DynamicColumn::F64(c) => c.first(doc),
        DynamicColumn::I64(c) => c.first(doc).map(|v| v as f64),
        DynamicColumn::U64(c) => c.first(doc).map(|v| v as f64),
        DynamicColumn::Bool(c) => c.first(doc).map(|b| f64::from(u8::from(b))),
        _ => None,
    })
}

/// A segment's columns under a name: a JSON path's values may sit in
/// several, one per type (integers, floats, strings...).
pub(crate) fn columns(segment: &SegmentReader, name: &str) -> tantivy::Result<Vec<DynamicColumn>> {
    let handles = segment.fast_fields().dynamic_column_handles(name)?;
    handles.iter().map(|h| h.open().map_err(tantivy::TantivyError::from)).collect()
}

/// Reads one field's sort values in a segment.
pub struct FieldColumns {
    columns: Vec<DynamicColumn>,
    desc: bool,
    reading: Reading,
    /// The one single-valued number column, when that is all there is.
    single: Option<Single>,
    /// For a `nested` sort: which nested documents of the segment hold
    /// a root's values.
    nested: Option<NestedValues>,
    /// For a `_geo_distance` sort: the points' columns, and the sort.
    geo: Option<GeoValues>,
}

/// A segment's columns of a `geo_point` field, for a `_geo_distance` sort.
struct GeoValues {
    lats: Vec<DynamicColumn>,
    lons: Vec<DynamicColumn>,
    sort: GeoSort,
}

/// A document's values in numeric columns, as `f64`.
pub(crate) fn numbers(columns: &[DynamicColumn], doc: DocId) -> impl Iterator<Item = f64> + '_ {
    columns.iter().flat_map(move |column| -> Box<dyn Iterator<Item = f64>> {
        match column {
            DynamicColumn::F64(c) => Box::new(c.values_for_doc(doc)),
            DynamicColumn::I64(c) => Box::new(c.values_for_doc(doc).map(|v| v as f64)),
            DynamicColumn::U64(c) => Box::new(c.values_for_doc(doc).map(|v| v as f64)),
            _ => Box::new(std::iter::empty()),
        }
    })
}

/// A segment's nested documents for a `nested` sort: one level per
/// nested field, outermost first.
struct NestedValues {
    blocks: super::nested::Blocks,
    levels: Vec<NestedLevel>,
}

/// One nested field of a `nested` sort in a segment.
struct NestedLevel {
    /// The field's `_nested` ordinal (`None` when the segment has none of its documents).
    ord: Option<u64>,
    /// Its documents the level's `filter` matches (all without one).
    matching: Option<tantivy::BitSet>,
    max_children: Option<usize>,
}

impl NestedValues {
    /// The nested documents whose values count for a root: at each level,
    /// the matching objects (the first `max_children`) of the documents the
    /// level above kept, in document order.
    fn of_root(&self, root: DocId) -> Vec<DocId> {
        let mut holders = vec![root];
        for (depth, level) in self.levels.iter().enumerate() {
            let Some(ord) = level.ord else { return Vec::new() };
            let mut kept = Vec::new();
            for &holder in &holders {
                let mut children = if depth == 0 {
                    self.blocks.children_of_root(holder, ord)
                } else {
                    self.blocks.children_of(holder, ord)
                };
                children.reverse();
                if let Some(matching) = &level.matching {
                    children.retain(|doc| matching.contains(*doc));
                }
                children.truncate(level.max_children.unwrap_or(usize::MAX));
                kept.extend(children);
            }
            holders = kept;
        }
        holders
    }
}

/// A field's values in one single-valued number column.
enum Single {
    I64(tantivy::columnar::Column<i64>),
    U64(tantivy::columnar::Column<u64>),
    F64(tantivy::columnar::Column<f64>),
}

/// The documents of a segment a query matches.
fn matching_docs(segment: &SegmentReader, query: &dyn tantivy::query::Query) -> tantivy::Result<tantivy::BitSet> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_schema(segment.schema()))?;
    let mut matching = tantivy::BitSet::with_max_value(segment.max_doc());
    weight.for_each_no_score(segment, &mut |docs| {
        for doc in docs {
            matching.insert(*doc);
        }
    })?;
    Ok(matching)
}

/// Whether a value comparing as `o` to the worst sorts past it.
fn beyond(desc: bool, o: Ordering) -> bool {
    if desc {
        o == Ordering::Less
    } else {
        o == Ordering::Greater
    }
}

/// Pushes the documents whose first value (or, missing, `missing_beyond`)
/// does not sort past the worst, compared by `cmp`.
fn keep_within<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static>(
    column: &tantivy::columnar::Column<T>,
    docs: &[DocId],
    cmp: impl Fn(&T) -> Ordering,
    desc: bool,
    missing_beyond: bool,
    kept: &mut Vec<DocId>,
) {
    for &doc in docs {
        let past = match column.first(doc) {
            Some(v) => beyond(desc, cmp(&v)),
            None => missing_beyond,
        };
        if !past {
            kept.push(doc);
        }
    }
}

impl FieldColumns {
    pub fn open(segment: &SegmentReader, path: &str, desc: bool) -> Result<FieldColumns, EngineError> {
        let columns = columns(segment, &format!("_terms.{path}"))
            .map_err(|e| EngineError::Corrupt { path: path.into(), reason: e.to_string() })?;
        let single = match columns.as_slice() {
            [column] => match column {
                DynamicColumn::I64(c) if !c.get_cardinality().is_multivalue() => Some(Single::I64(c.clone())),
                DynamicColumn::U64(c) if !c.get_cardinality().is_multivalue() => Some(Single::U64(c.clone())),
                DynamicColumn::F64(c) if !c.get_cardinality().is_multivalue() => Some(Single::F64(c.clone())),
                _ => None,
            },
            _ => None,
        };
        Ok(FieldColumns { columns, desc, reading: Reading::default(), single, nested: None, geo: None })
    }

    /// A `_geo_distance` sort's values: each document's distances from its
    /// points (latitudes and longitudes paired in the order written) to the
    /// sort's points.
    pub fn geo(segment: &SegmentReader, sort: &GeoSort, desc: bool) -> Result<FieldColumns, EngineError> {
        let open = |part: &str| {
            columns(segment, &format!("_terms.{}.{part}", sort.field))
                .map_err(|e| EngineError::Corrupt { path: sort.field.clone().into(), reason: e.to_string() })
        };
        let geo = GeoValues { lats: open("lat")?, lons: open("lon")?, sort: sort.clone() };
        Ok(FieldColumns {
            columns: Vec::new(),
            desc,
            reading: Reading::default(),
            single: None,
            nested: None,
            geo: Some(geo),
        })
    }

    /// The values of a document are those of its nested objects of a
    /// nested field (a `nested` sort): of those `filter` matches, if given,
    /// the first `max_children`.
    pub fn nested(
        mut self,
        segment: &SegmentReader,
        nested: &NestedSort,
        filters: &NestedFilters,
    ) -> Result<FieldColumns, EngineError> {
        let corrupt =
            |e: tantivy::TantivyError| EngineError::Corrupt { path: nested.path.clone().into(), reason: e.to_string() };
        let blocks = super::nested::Blocks::of(segment).map_err(corrupt)?;
        let mut levels = Vec::new();
        for (depth, level) in nested.levels().into_iter().enumerate() {
            let filter = filters.get(depth).and_then(Option::as_deref);
            levels.push(NestedLevel {
                ord: blocks.ord_of(&level.path),
                matching: filter.map(|filter| matching_docs(segment, filter)).transpose().map_err(corrupt)?,
                max_children: level.max_children,
            });
        }
        self.nested = Some(NestedValues { blocks, levels });
        // A root document holds no value itself: no shortcut by its column.
        self.single = None;
        Ok(self)
    }

    /// Of `docs`, those that may sort before `worst` (missing values
    /// last), pushed to `kept`: decided from a single number column without
    /// building sort values, the test that rules most matches out of a full
    /// page. `false` (nothing pushed) when it cannot tell that way.
    pub fn keep_before(&self, docs: &[DocId], worst: &SortValue, kept: &mut Vec<DocId>) -> bool {
        if self.reading.conversion != Conversion::None {
            return false;
        }
        let desc = self.desc;
        let missing = &self.reading.missing;
        match (self.single.as_ref(), worst) {
            (Some(Single::I64(c)), SortValue::Long(w)) => {
                let missing_beyond = match missing {
                    SortValue::Long(v) => beyond(desc, v.cmp(w)),
                    SortValue::Missing => true,
                    _ => return false,
                };
                keep_within(c, docs, |v| v.cmp(w), desc, missing_beyond, kept)
            }
            (Some(Single::U64(c)), SortValue::Unsigned(w)) if *missing == SortValue::Missing => {
                keep_within(c, docs, |v| v.cmp(w), desc, true, kept)
            }
            (Some(Single::F64(c)), SortValue::Double(w)) if *missing == SortValue::Missing => {
                keep_within(c, docs, |v| v.total_cmp(w), desc, true, kept)
            }
            _ => return false,
        }
        true
    }

    /// Reads values as a sort key of one index asks.
    pub fn reading(self, reading: Reading) -> FieldColumns {
        FieldColumns { reading, ..self }
    }

    /// The document's value: its least (or, descending, greatest),
    /// converted, or the key's substitute for a missing one.
    pub fn value(&self, doc: DocId) -> SortValue {
        match (self.stored_value(doc), &self.reading) {
            (SortValue::Missing, reading) => reading.missing.clone(),
            (value, Reading { conversion: Conversion::None, .. }) => value,
            (value, reading) => reading.conversion.apply(value),
        }
    }

    /// The document's value as its columns hold it (for a `nested` sort,
    /// the value over its nested objects of the path).
    fn stored_value(&self, doc: DocId) -> SortValue {
        if let Some(nested) = &self.nested {
            return self.value_over(&nested.of_root(doc));
        }
        self.value_over(&[doc])
    }

    /// The value of a set of documents' values, as the mode or the order asks.
    fn value_over(&self, docs: &[DocId]) -> SortValue {
        // One single-valued numeric column (the usual case): its value.
        if let ([doc], Some(single)) = (docs, &self.single) {
            let doc = *doc;
            return match single {
                Single::I64(c) => c.first(doc).map_or(SortValue::Missing, SortValue::Long),
                Single::U64(c) => c.first(doc).map_or(SortValue::Missing, SortValue::Unsigned),
                Single::F64(c) => c.first(doc).map_or(SortValue::Missing, SortValue::Double),
            };
        }
        // The greatest (or the least) value, as the mode or the order asks;
        // a sum, an average or a median over every value.
        let greatest = match self.reading.mode {
            Some(SortMode::Max) => true,
            Some(SortMode::Min) => false,
            _ => self.desc,
        };
        let mut all: Vec<SortValue> = Vec::new();
        let combined = self.reading.mode.filter(|m| m.numeric());
        let mut best: Option<SortValue> = None;
        let mut consider = |v: SortValue| {
            if combined.is_some() {
                all.push(v);
                return;
            }
            let better = match &best {
                None => true,
                Some(b) => {
                    let o = v.cmp_present(b);
                    if greatest {
                        o == Ordering::Greater
                    } else {
                        o == Ordering::Less
                    }
                }
            };
            if better {
                best = Some(v);
            }
        };
        for &doc in docs {
            if let Some(geo) = &self.geo {
                for point in numbers(&geo.lats, doc).zip(numbers(&geo.lons, doc)) {
                    geo.sort
                        .origins
                        .iter()
                        .for_each(|origin| consider(SortValue::Double(geo.sort.distance(point, *origin))));
                }
            }
            for column in &self.columns {
                match column {
                    DynamicColumn::I64(c) => c.values_for_doc(doc).for_each(|v| consider(SortValue::Long(v))),
                    DynamicColumn::U64(c) => c.values_for_doc(doc).for_each(|v| consider(SortValue::Unsigned(v))),
                    DynamicColumn::F64(c) => c.values_for_doc(doc).for_each(|v| consider(SortValue::Double(v))),
                    DynamicColumn::Bool(c) => {
                        c.values_for_doc(doc).for_each(|b| consider(SortValue::Long(i64::from(b))))
                    }
                    DynamicColumn::Str(c) => {
                        for ord in c.term_ords(doc) {
                            let mut s = String::new();
                            if c.ord_to_str(ord, &mut s).unwrap_or(false) {
                                consider(SortValue::Text(s));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(mode) = combined {
            return mode.combine(&all);
        }
        best.unwrap_or(SortValue::Missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_go_last_both_ways() {
        let asc = SortKey::field("a", false);
        let desc = SortKey::field("a", true);
        assert_eq!(compare(&asc, &SortValue::Long(1), &SortValue::Missing), Ordering::Less);
        assert_eq!(compare(&desc, &SortValue::Long(1), &SortValue::Missing), Ordering::Less);
        assert_eq!(compare(&desc, &SortValue::Long(1), &SortValue::Long(2)), Ordering::Greater);
        assert_eq!(compare(&asc, &SortValue::Text("a".into()), &SortValue::Text("b".into())), Ordering::Less);
    }
}
