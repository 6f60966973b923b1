//! The `fields` of a search hit: the values of the mapped fields a request
//! names (wildcards allowed), read from the source and given as the
//! mapping types them: numbers as numbers, dates in the field's format,
//! multi-fields from their parent's value, ignored values left out.

use crate::error::EngineError;
use crate::mapper::date::{format_iso_millis, DateFormat};
use crate::mapper::range::RangeKind;
use crate::mapper::{FieldKind, FieldMapper, IndexValue, Mapper};
use crate::resolve::wildcard_match;
use crate::source_filter::values_at;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use tantivy::columnar::DynamicColumn;
use tantivy::index::SegmentId;

/// One entry of a request's `fields`: a name or pattern, and a date format.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRequest {
    pub pattern: String,
    pub format: Option<String>,
    /// Also the source's values of paths the mapping does not know.
    pub include_unmapped: bool,
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
            Value::String(s) => Ok(FieldRequest { pattern: s.clone(), format: None, include_unmapped: false }),
            Value::Object(o) => {
                if let Some(k) = o.keys().find(|k| !["field", "format", "include_unmapped"].contains(&k.as_str())) {
                    return Err(EngineError::Unsupported(format!("the [{k}] option of [fields]")));
                }
                Ok(FieldRequest {
                    pattern: o
                        .get("field")
                        .and_then(Value::as_str)
                        .ok_or_else(|| super::dsl::parsing("[fields] entries need a [field]"))?
                        .to_owned(),
                    format: o.get("format").and_then(Value::as_str).map(str::to_owned),
                    include_unmapped: o.get("include_unmapped").is_some_and(|v| v == true || v == "true"),
                })
            }
            _ => Err(super::dsl::parsing("[fields] must be an array of field names or objects")),
        })
        .collect()
}

/// The source path a field's values come from: a multi-field's parent.
pub(crate) fn source_path<'m>(mapper: &'m Mapper, field: &'m FieldMapper) -> &'m str {
    let mut path = field.path.as_str();
    while let Some((parent, _)) = path.rsplit_once('.') {
        match mapper.fields.get(parent) {
            Some(p) if p.multi_fields.iter().any(|m| m.path == field.path) => path = &p.path,
            _ => break,
        }
    }
    path
}

/// How a request asks a field's values written: dates by a date format,
/// numbers by a decimal pattern.
#[derive(Debug, Clone)]
enum ValueFormat {
    Date(DateFormat),
    Number(super::decimal_format::DecimalFormat),
}

impl ValueFormat {
    /// A request's `format` for a field, read as its type takes one.
    fn of(field: &FieldMapper, format: &str) -> Result<ValueFormat, EngineError> {
        if field.kind.is_numeric() {
            return Ok(ValueFormat::Number(super::decimal_format::DecimalFormat::parse(format)?));
        }
        if matches!(field.kind, FieldKind::Date | FieldKind::DateNanos | FieldKind::Range(RangeKind::Date)) {
            return Ok(ValueFormat::Date(DateFormat::parse(format).map_err(|e| super::dsl::parsing(e.0))?));
        }
        Err(EngineError::IllegalArgument(format!(
            "Field [{}] of type [{}] doesn't support formats.",
            field.path, field.type_name
        )))
    }

    fn date(&self) -> Option<&DateFormat> {
        match self {
            ValueFormat::Date(f) => Some(f),
            ValueFormat::Number(_) => None,
        }
    }
}

/// A flattened object without the leaves longer than `ignore_above`;
/// `None` when nothing is left.
fn within_limit(value: &Value, limit: Option<usize>) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let kept: Map<String, Value> =
                map.iter().filter_map(|(k, v)| Some((k.clone(), within_limit(v, limit)?))).collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(|v| within_limit(v, limit)).collect();
            match kept.len() {
                0 => None,
                1 => kept.into_iter().next(),
                _ => Some(Value::Array(kept)),
            }
        }
        Value::Null => None,
        leaf => {
            let long = limit.is_some_and(|l| crate::settings_text(leaf).chars().count() > l);
            (!long).then(|| leaf.clone())
        }
    }
}

/// One value as the field gives it back.
fn typed(field: &FieldMapper, value: &Value, format: Option<&ValueFormat>) -> Result<Option<Value>, EngineError> {
    Ok(match field.parse_value(value) {
        // Addresses and base64 bytes come back as sent.
        Ok(Some(IndexValue::Ip(_))) if format.is_none() => Some(value.clone()),
        Ok(Some(IndexValue::SourceOnly)) if field.kind == FieldKind::Binary => Some(value.clone()),
        Ok(Some(parsed)) => present(field, parsed, format),
        _ => None,
    })
}

/// A value the field holds, as the field gives it back.
fn present(field: &FieldMapper, parsed: IndexValue, format: Option<&ValueFormat>) -> Option<Value> {
    if let Some(ValueFormat::Number(pattern)) = format {
        let number = match parsed {
            IndexValue::Long(n) if field.kind == FieldKind::ScaledFloat => Some(n as f64 / field.scaling_factor),
            IndexValue::Long(n) => Some(n as f64),
            IndexValue::Unsigned(n) => Some(n as f64),
            IndexValue::Double(d) => Some(d),
            _ => None,
        };
        if let Some(number) = number {
            return Some(Value::String(pattern.format(number)));
        }
    }
    let format = format.and_then(ValueFormat::date);
    match parsed {
        IndexValue::Keyword(k) | IndexValue::Text(k) => Some(Value::String(k)),
        IndexValue::Long(n) if field.kind == FieldKind::ScaledFloat => {
            Some(serde_json::json!(n as f64 / field.scaling_factor))
        }
        IndexValue::Long(n) => Some(n.into()),
        IndexValue::Unsigned(n) => Some(n.into()),
        IndexValue::Double(d) => Some(serde_json::json!(d)),
        IndexValue::Bool(b) => Some(b.into()),
        IndexValue::Date(n) if field.kind == FieldKind::DateNanos => Some(Value::String(
            format
                .or(field.format.as_ref())
                .map_or_else(|| format_iso_millis(n.div_euclid(1_000_000)), |f| f.format_nanos_value(n)),
        )),
        IndexValue::Date(ms) => Some(Value::String(match format {
            Some(f) => f.format_millis(ms),
            None => format_iso_millis(ms),
        })),
        IndexValue::Ip(bits) => Some(Value::String(crate::mapper::field::ip_text(bits))),
        IndexValue::Geo { lat, lon } => Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]})),
        IndexValue::Range(bounds) => {
            let FieldKind::Range(kind) = field.kind else { return None };
            let dates = format.or(field.format.as_ref());
            Some(bounds.to_json(kind, &|ms| dates.map_or_else(|| format_iso_millis(ms), |f| f.format_millis(ms))))
        }
        IndexValue::Ignored | IndexValue::SourceOnly => None,
    }
}

/// A document's values of a field as its column holds them (doc values:
/// what the field indexed, `copy_to` copies included), for the types
/// whose column holds their values as they are; `None` for the others.
fn column_values(field: &FieldMapper, columns: &[DynamicColumn], doc: tantivy::DocId) -> Vec<IndexValue> {
    let kind = field.kind;
    let mut out = Vec::new();
    let number = |v: i64| match kind {
        FieldKind::Date | FieldKind::DateNanos => IndexValue::Date(v),
        _ => IndexValue::Long(v),
    };
    for column in columns {
        match column {
            DynamicColumn::I64(c) => out.extend(c.values_for_doc(doc).map(number)),
            DynamicColumn::U64(c) if kind == FieldKind::UnsignedLong => {
                out.extend(c.values_for_doc(doc).map(IndexValue::Unsigned))
            }
            DynamicColumn::U64(c) => out.extend(c.values_for_doc(doc).map(|v| number(v as i64))),
            DynamicColumn::F64(c) => out.extend(c.values_for_doc(doc).map(IndexValue::Double)),
            DynamicColumn::Bool(c) => out.extend(c.values_for_doc(doc).map(IndexValue::Bool)),
            DynamicColumn::Str(c) => {
                for ord in c.term_ords(doc) {
                    let mut text = String::new();
                    if !c.ord_to_str(ord, &mut text).unwrap_or(false) {
                        continue;
                    }
                    out.push(match kind {
                        // Addresses are kept as the hex of their IPv6 bits.
                        FieldKind::Ip => match u128::from_str_radix(&text, 16) {
                            Ok(bits) => IndexValue::Ip(bits),
                            Err(_) => continue,
                        },
                        _ => IndexValue::Keyword(text),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a field's columns hold its values as `fields` shows them.
fn readable_from_columns(kind: FieldKind) -> bool {
    kind.is_numeric()
        || matches!(
            kind,
            FieldKind::Keyword | FieldKind::Boolean | FieldKind::Date | FieldKind::DateNanos | FieldKind::Ip
        )
}

/// Where a hit's field values are read as: the `fields` option (values as
/// the mapping types them) or `docvalue_fields` (as the field's doc values
/// hold them: sorted, keywords deduplicated, only fields with doc values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fetch {
    Fields,
    DocValues,
}

/// Refuses a `docvalue_fields` entry on a field without doc values, as
/// Elasticsearch does; the `fields` option takes any mapped field.
fn check_doc_values(field: &FieldMapper) -> Result<(), EngineError> {
    if field.kind.is_text() {
        return Err(field.no_field_data());
    }
    field.field_data()
}

/// Doc values come sorted, and a keyword's deduplicated.
fn as_doc_values(field: &FieldMapper, mut values: Vec<Value>) -> Vec<Value> {
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    match field.kind {
        FieldKind::Keyword | FieldKind::ConstantKeyword | FieldKind::Wildcard => {
            values.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            values.dedup();
        }
        _ if values.iter().all(Value::is_number) => values.sort_by(|a, b| number(a).total_cmp(&number(b))),
        _ => {}
    }
    values
}

/// The `fields` (or `docvalue_fields`) of one hit. Fields inside `nested`
/// objects come grouped by object, their names relative to it, as in
/// Elasticsearch.
pub fn fetch(
    mapper: &Mapper,
    source: &Value,
    requests: &[FieldRequest],
    how: Fetch,
) -> Result<Map<String, Value>, EngineError> {
    FieldPlan::new(mapper, requests, how)?.fetch(mapper, source, None)
}

/// What a search's `fields` (or `docvalue_fields`) read in one index: the
/// mapped fields its patterns name, with their formats. Made once per
/// index and search, then used for each hit.
pub struct FieldPlan {
    wanted: Vec<Wanted>,
    requests: Vec<FieldRequest>,
    how: Fetch,
    /// The columns of each wanted field, by segment, opened at the first
    /// hit of the segment that reads them.
    columns: RefCell<HashMap<(SegmentId, usize), Option<Rc<Vec<DynamicColumn>>>>>,
}

/// One field a plan reads.
#[derive(Debug)]
struct Wanted {
    path: String,
    field: Arc<FieldMapper>,
    format: Option<ValueFormat>,
}

impl FieldPlan {
    pub fn new(mapper: &Mapper, requests: &[FieldRequest], how: Fetch) -> Result<FieldPlan, EngineError> {
        let mut names: Vec<(&String, Arc<FieldMapper>)> = mapper.fields.iter().map(|(k, f)| (k, f.clone())).collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        // A key of a `flattened` field asked by its full name (not a pattern)
        // is a keyword field of its own.
        let keys: Vec<(String, Arc<FieldMapper>)> = requests
            .iter()
            .filter(|r| !r.pattern.contains('*') && !mapper.fields.contains_key(&r.pattern))
            .filter_map(|r| {
                let flattened = mapper.flattened_holding(&r.pattern)?;
                let key = FieldMapper { path: r.pattern.clone(), kind: FieldKind::Keyword, ..flattened.clone() };
                Some((r.pattern.clone(), Arc::new(key)))
            })
            .collect();
        names.extend(keys.iter().map(|(path, key)| (path, key.clone())));
        let mut wanted: Vec<Wanted> = Vec::new();
        for req in requests {
            for (path, field) in names.iter().filter(|(path, _)| wildcard_match(&req.pattern, path)) {
                if field.kind == FieldKind::Alias || wanted.iter().any(|w| &w.path == *path) {
                    continue;
                }
                if how == Fetch::DocValues {
                    // A pattern skips what it cannot read; a name is refused.
                    if req.pattern.contains('*') && (field.kind.is_text() || !field.doc_values) {
                        continue;
                    }
                    check_doc_values(field)?;
                }
                let format = match &req.format {
                    Some(f) => Some(ValueFormat::of(field, f)?),
                    None => field.format.clone().map(ValueFormat::Date),
                };
                wanted.push(Wanted { path: (*path).clone(), field: field.clone(), format });
            }
        }
        Ok(FieldPlan { wanted, requests: requests.to_vec(), how, columns: RefCell::default() })
    }

    /// The columns of the plan's `n`th field in a segment; `None` when they
    /// cannot be read (the values then come from the source).
    fn columns_of(&self, n: usize, segment: &tantivy::SegmentReader) -> Option<Rc<Vec<DynamicColumn>>> {
        let key = (segment.segment_id(), n);
        if let Some(columns) = self.columns.borrow().get(&key) {
            return columns.clone();
        }
        let path = format!("_terms.{}", self.wanted[n].field.path);
        let columns = super::sort::columns(segment, &path).ok().map(Rc::new);
        self.columns.borrow_mut().insert(key, columns.clone());
        columns
    }

    /// One hit's fields from its source, or (for a hit's own fields, not
    /// those of its nested objects) its segment's columns when given.
    pub fn fetch(
        &self,
        mapper: &Mapper,
        source: &Value,
        columns: Option<(&tantivy::SegmentReader, tantivy::DocId)>,
    ) -> Result<Map<String, Value>, EngineError> {
        let scope =
            Scope { mapper, plan: self, wanted: &self.wanted, requests: &self.requests, how: self.how, columns };
        let mut out = Map::new();
        scope.fill(None, source, &mut out)?;
        Ok(out)
    }
}

/// One `fetch`: the fields wanted, with their date formats.
struct Scope<'a> {
    mapper: &'a Mapper,
    plan: &'a FieldPlan,
    wanted: &'a [Wanted],
    requests: &'a [FieldRequest],
    how: Fetch,
    /// The hit's segment and document, to read doc values from.
    columns: Option<(&'a tantivy::SegmentReader, tantivy::DocId)>,
}

impl Scope<'_> {
    /// The nearest `nested` object holding `path`, if any.
    fn nested_parent<'p>(&self, path: &'p str) -> Option<&'p str> {
        self.mapper.nested_parent(path)
    }

    /// Fills `out` with the fields of one object: the document (`nested`
    /// `None`) or one object of a nested field, `value` being its source.
    fn fill(&self, nested: Option<&str>, value: &Value, out: &mut Map<String, Value>) -> Result<(), EngineError> {
        let relative = |path: &str| -> String {
            match nested {
                Some(n) => path[n.len() + 1..].to_owned(),
                None => path.to_owned(),
            }
        };
        for (n, Wanted { path, field, format }) in self.wanted.iter().enumerate() {
            let field: &FieldMapper = field;
            let from = source_path(self.mapper, field);
            if self.nested_parent(from) != nested {
                continue;
            }
            let mut values = Vec::new();
            let from_columns = match self.columns.filter(|_| nested.is_none()) {
                Some((segment, doc)) if readable_from_columns(field.kind) => {
                    self.plan.columns_of(n, segment).map(|columns| column_values(field, &columns, doc))
                }
                _ => None,
            };
            if let Some(mut indexed) = from_columns {
                // Doc values come in order.
                indexed.sort_by(|a, b| match (a, b) {
                    (IndexValue::Long(x) | IndexValue::Date(x), IndexValue::Long(y) | IndexValue::Date(y)) => x.cmp(y),
                    (IndexValue::Unsigned(x), IndexValue::Unsigned(y)) => x.cmp(y),
                    (IndexValue::Double(x), IndexValue::Double(y)) => x.total_cmp(y),
                    (IndexValue::Ip(x), IndexValue::Ip(y)) => x.cmp(y),
                    (IndexValue::Bool(x), IndexValue::Bool(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
                values.extend(indexed.into_iter().filter_map(|v| present(field, v, format.as_ref())));
                values = as_doc_values(field, values);
                if !values.is_empty() {
                    out.insert(relative(path), Value::Array(values));
                }
                continue;
            }
            if field.kind == FieldKind::Flattened && self.how == Fetch::Fields {
                // A flattened field gives back its objects whole, less the values it ignored.
                let kept =
                    objects_at(value, &relative(from)).into_iter().filter_map(|o| within_limit(o, field.ignore_above));
                values.extend(kept);
            }
            for v in values_at(value, &relative(from)) {
                if let Some(typed) = typed(field, &v, format.as_ref())? {
                    values.push(typed);
                }
            }
            if self.how == Fetch::DocValues {
                values = as_doc_values(field, values);
            }
            if !values.is_empty() {
                out.insert(relative(path), Value::Array(values));
            }
        }
        let mut children: Vec<&str> = self
            .mapper
            .objects
            .iter()
            .filter(|(path, o)| o.nested && self.nested_parent(path) == nested)
            .map(|(path, _)| path.as_str())
            .filter(|path| self.wanted.iter().any(|w| w.path.starts_with(&format!("{path}."))) || self.unmapped())
            .collect();
        children.sort_unstable();
        for child in children {
            let mut objects = Vec::new();
            for object in objects_at(value, &relative(child)) {
                let mut fields = Map::new();
                self.fill(Some(child), object, &mut fields)?;
                if !fields.is_empty() {
                    objects.push(Value::Object(fields));
                }
            }
            if !objects.is_empty() {
                out.insert(relative(child), Value::Array(objects));
            }
        }
        if self.unmapped() {
            let prefix = nested.map(|n| format!("{n}.")).unwrap_or_default();
            let mut leaves = std::collections::BTreeMap::new();
            collect_leaves(value, &prefix, &mut leaves);
            for (path, values) in leaves {
                let known = self.mapper.fields.contains_key(&path)
                    || self.mapper.flattened_holding(&path).is_some()
                    || self.nested_parent(&path) != nested;
                let asked = self.requests.iter().any(|r| r.include_unmapped && wildcard_match(&r.pattern, &path));
                if !known && asked {
                    out.entry(relative(&path)).or_insert(Value::Array(values));
                }
            }
        }
        Ok(())
    }

    fn unmapped(&self) -> bool {
        self.requests.iter().any(|r| r.include_unmapped)
    }
}

/// `ignored_field_values`: for each field asked by `fields` whose values
/// were ignored in this document (`_ignored`: malformed, or past
/// `ignore_above`), the values the source holds that the field did not
/// take, as sent.
pub fn ignored_values(
    mapper: &Mapper,
    source: &Value,
    requests: &[FieldRequest],
    ignored: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut names: Vec<&String> = ignored.iter().collect();
    names.sort_unstable();
    names.dedup();
    for path in names {
        let Some(field) = mapper.fields.get(path.as_str()) else { continue };
        if !requests.iter().any(|r| wildcard_match(&r.pattern, path)) {
            continue;
        }
        let over_limit =
            |v: &Value| field.ignore_above.is_some_and(|max| v.as_str().is_some_and(|s| s.chars().count() > max));
        let values: Vec<Value> = values_at(source, source_path(mapper, field))
            .into_iter()
            .filter(|v| over_limit(v) || !matches!(typed(field, v, None), Ok(Some(_))))
            .collect();
        if !values.is_empty() {
            out.insert(path.clone(), Value::Array(values));
        }
    }
    out
}

/// The objects at a path of a source (arrays of them flattened).
pub(crate) fn objects_at<'v>(value: &'v Value, path: &str) -> Vec<&'v Value> {
    fn collect<'v>(value: &'v Value, path: &str, out: &mut Vec<&'v Value>) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| collect(item, path, out)),
            Value::Object(_) if path.is_empty() => out.push(value),
            Value::Object(map) => {
                // A key may itself hold dots (`{"a.b": [...]}`): try every split.
                let splits = path.match_indices('.').map(|(i, _)| i).chain(std::iter::once(path.len()));
                for i in splits {
                    if let Some(child) = map.get(&path[..i]) {
                        collect(child, path.get(i + 1..).unwrap_or(""), out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(value, path, &mut out);
    out
}

/// Every leaf value of a source by its dotted path. An array's own leaves
/// come after those of the arrays and objects it holds, in the order
/// Elasticsearch's field fetcher gives them.
fn collect_leaves(value: &Value, prefix: &str, out: &mut std::collections::BTreeMap<String, Vec<Value>>) {
    let path = || prefix.trim_end_matches('.').to_owned();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_leaves(v, &format!("{prefix}{k}."), out);
            }
        }
        Value::Array(items) => {
            let mut leaves = Vec::new();
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => collect_leaves(item, prefix, out),
                    Value::Null => {}
                    leaf => leaves.push(leaf.clone()),
                }
            }
            if !leaves.is_empty() {
                out.entry(path()).or_default().extend(leaves);
            }
        }
        Value::Null => {}
        leaf => out.entry(path()).or_default().push(leaf.clone()),
    }
}

/// The values of the stored (`store: true`) fields among `names` (wildcards
/// allowed), read from the source: a get's or a hit's `fields` for `stored_fields`.
pub fn stored(mapper: &Mapper, source: &Value, names: &[String]) -> Map<String, Value> {
    let mut stored: Vec<&FieldMapper> = mapper
        .fields
        .values()
        .filter(|f| f.store && names.iter().any(|n| wildcard_match(n, &f.path)))
        .map(|f| &**f)
        .collect();
    stored.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    stored
        .into_iter()
        .filter_map(|field| {
            let format = field.format.clone().map(ValueFormat::Date);
            let values: Vec<Value> = values_at(source, source_path(mapper, field))
                .iter()
                .filter_map(|v| typed(field, v, format.as_ref()).ok().flatten())
                .collect();
            (!values.is_empty()).then(|| (field.path.clone(), Value::Array(values)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_arrays_own_leaves_follow_those_it_holds() {
        let mut leaves = std::collections::BTreeMap::new();
        collect_leaves(&json!({"f": ["text", {"a": "b"}, [1, 2, 3]]}), "", &mut leaves);
        assert_eq!(leaves["f"], [json!(1), json!(2), json!(3), json!("text")]);
        assert_eq!(leaves["f.a"], [json!("b")]);
    }
}
