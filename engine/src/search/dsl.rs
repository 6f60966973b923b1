//! The query DSL: a search body's `query` read into a typed tree, with
//! Elasticsearch's parsing errors. Queries Tensile does not run yet are
//! refused by name, never ignored.

use super::multi_term::Rewrite;
use super::query_string::Spread;
use crate::error::EngineError;
use serde_json::{Map, Value};

/// A parsed query. (A request holds a handful: the size of `Range` does not matter.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    MatchAll {
        boost: f32,
    },
    MatchNone,
    Term {
        field: String,
        value: Value,
        boost: f32,
    },
    Terms {
        field: String,
        values: Vec<Value>,
        boost: f32,
        /// The values came as a bitmap (`format: bitmap`): the field must
        /// be an indexed integer one.
        bitmap: bool,
    },
    /// `terms` with a lookup: the values at `path` of another document,
    /// read (and replaced by a `Terms`) before the query runs.
    TermsLookup {
        field: String,
        index: String,
        id: String,
        path: String,
        routing: Option<String>,
        boost: f32,
    },
    Match {
        field: String,
        text: String,
        and: bool,
        minimum_should_match: Option<String>,
        boost: f32,
        /// An analyzer for the query text instead of the field's.
        analyzer: Option<String>,
        /// `zero_terms_query: all`: a text that analyses to nothing matches everything.
        zero_terms_all: bool,
        /// `fuzziness`: terms within this edit distance (`AUTO`, `0`..`2`) match too.
        fuzziness: Option<String>,
        /// With `fuzziness`: how many leading characters must match exactly.
        prefix_length: usize,
        /// With `fuzziness`: whether swapping two adjacent characters is one edit.
        transpositions: bool,
        /// With `fuzziness`: how expansions match and score (`fuzzy_rewrite`;
        /// `None`: the `max_expansions` closest, blended).
        fuzzy_rewrite: Option<Rewrite>,
        /// With `fuzziness`: the most terms a word expands to.
        max_expansions: usize,
        /// `match_bool_prefix`: the last term matches as a prefix.
        bool_prefix: bool,
        /// `lenient`: a text a field cannot take (`"abc"` for a number) matches
        /// nothing instead of failing the search.
        lenient: bool,
    },
    MatchPhrase {
        field: String,
        text: String,
        slop: u32,
        boost: f32,
        /// `match_phrase_prefix`: the last term matches as a prefix.
        prefix: bool,
        /// With `prefix`: the most terms the last one expands to.
        max_expansions: usize,
        /// An analyzer for the phrase instead of the field's.
        analyzer: Option<String>,
    },
    /// `combined_fields`, and `multi_match` of type `cross_fields`: the
    /// text's terms each looked for in all the fields (as one field would
    /// hold them), summed (`tie_breaker: None`) or best-of.
    AcrossFields {
        fields: Vec<(String, f32)>,
        text: String,
        and: bool,
        minimum_should_match: Option<String>,
        zero_terms_all: bool,
        tie_breaker: Option<f32>,
        /// `combined_fields` takes text fields only.
        text_only: bool,
        boost: f32,
    },
    /// A query with a `_name`: it matches as its query does, and hits it
    /// matches list the name in their `matched_queries`.
    Named {
        name: String,
        query: Box<Query>,
    },
    /// `function_score` and `boosting`: scores changed by functions of each document.
    FunctionScore(super::function_score::FunctionScore),
    /// `nested`: documents holding nested objects the query matches.
    Nested(Box<Nested>),
    /// `terms_set`: documents holding as many of the terms as their number
    /// field `minimum_should_match_field` says.
    TermsSet {
        field: String,
        terms: Vec<Value>,
        minimum: TermsMinimum,
        boost: f32,
    },
    /// `more_like_this`: documents whose terms are like the liked texts'.
    MoreLikeThis(Box<super::more_like_this::MoreLikeThis>),
    /// `rank_feature`: documents with a feature, scored by a function of it.
    RankFeature {
        field: String,
        function: super::rank_feature::RankFunction,
        boost: f32,
    },
    /// `intervals`: terms of a text field in the order and proximity a rule says.
    Intervals {
        field: String,
        rule: super::intervals::Rule,
        boost: f32,
    },
    /// `distance_feature`: documents with the field, scored higher the
    /// nearer their value (a date, a number or a point) is to `origin`.
    DistanceFeature {
        field: String,
        origin: Value,
        pivot: Value,
        boost: f32,
    },
    /// `geo_bounding_box`: points within a box (`left` > `right` crosses the antimeridian).
    GeoBox {
        field: String,
        top: f64,
        bottom: f64,
        left: f64,
        right: f64,
        /// `ignore_unmapped`: an unmapped field matches nothing instead of failing.
        ignore_unmapped: bool,
        boost: f32,
    },
    /// `geo_distance`: points within a distance (metres) of a centre.
    GeoDistance {
        field: String,
        lat: f64,
        lon: f64,
        meters: f64,
        ignore_unmapped: bool,
        boost: f32,
    },
    /// `fuzzy`: the terms within an edit distance of a value.
    Fuzzy {
        field: String,
        value: String,
        fuzziness: String,
        prefix_length: usize,
        transpositions: bool,
        /// The most terms the value expands to (the closest ones).
        max_expansions: usize,
        /// `rewrite` (`None`: the `max_expansions` closest, blended).
        rewrite: Option<Rewrite>,
        boost: f32,
    },
    Range {
        field: String,
        gt: Option<Value>,
        gte: Option<Value>,
        lt: Option<Value>,
        lte: Option<Value>,
        format: Option<String>,
        /// `time_zone`: the zone of dates without one, and of date math roundings.
        time_zone: Option<String>,
        /// The zone came with a query string: fields other than dates
        /// ignore it, as Elasticsearch's query string parser does.
        lenient_zone: bool,
        /// How a range field's ranges must relate to the query's (on other
        /// fields a value is a point, which intersects).
        relation: crate::mapper::range::Relation,
        boost: f32,
    },
    Exists {
        field: String,
    },
    Ids {
        values: Vec<String>,
    },
    Bool {
        must: Vec<Query>,
        should: Vec<Query>,
        must_not: Vec<Query>,
        filter: Vec<Query>,
        minimum_should_match: Option<String>,
        boost: f32,
    },
    ConstantScore {
        filter: Box<Query>,
        boost: f32,
    },
    /// The best-scoring of several queries, plus `tie_breaker` times the others.
    DisMax {
        queries: Vec<Query>,
        tie_breaker: f32,
        boost: f32,
    },
    /// `prefix`, `wildcard` and `regexp`: the terms of a field matching a
    /// pattern.
    Pattern {
        field: String,
        regex: tensile_regexp::Regex,
        case_insensitive: bool,
        /// The most states its automaton may take (`max_determinized_states`).
        max_states: usize,
        /// How the matching terms score (`rewrite`; a constant score by default).
        rewrite: Rewrite,
        boost: f32,
        kind: &'static str,
    },
}

/// A `nested` query.
#[derive(Debug, Clone, PartialEq)]
pub struct Nested {
    /// The nested field.
    pub path: String,
    /// The query on its objects.
    pub query: Query,
    pub score_mode: super::nested::ScoreMode,
    /// An unmapped `path` matches nothing instead of failing.
    pub ignore_unmapped: bool,
    pub inner_hits: Option<super::nested::InnerHits>,
    pub boost: f32,
}

impl Query {
    /// The queries this one combines (none for a leaf query).
    pub fn children(&self) -> Vec<&Query> {
        match self {
            Query::Bool { must, should, must_not, filter, .. } => {
                must.iter().chain(should).chain(must_not).chain(filter).collect()
            }
            Query::ConstantScore { filter, .. } => vec![filter],
            Query::DisMax { queries, .. } => queries.iter().collect(),
            Query::Named { query, .. } => vec![query],
            Query::FunctionScore(f) => {
                std::iter::once(&*f.query).chain(f.functions.iter().filter_map(|f| f.filter.as_ref())).collect()
            }
            Query::Nested(n) => vec![&n.query],
            _ => Vec::new(),
        }
    }

    /// A `match` of a text on a field, every option at its default.
    pub fn match_text(field: impl Into<String>, text: impl Into<String>) -> Query {
        Query::Match {
            field: field.into(),
            text: text.into(),
            and: false,
            minimum_should_match: None,
            boost: 1.0,
            analyzer: None,
            zero_terms_all: false,
            fuzziness: None,
            prefix_length: 0,
            transpositions: true,
            fuzzy_rewrite: None,
            max_expansions: DEFAULT_EXPANSIONS,
            bool_prefix: false,
            lenient: false,
        }
    }

    /// This query, its matches also passing `filters` (which do not score).
    pub fn filtered(&self, filters: Vec<Query>) -> Query {
        if filters.is_empty() {
            return self.clone();
        }
        Query::Bool {
            must: vec![self.clone()],
            should: Vec::new(),
            must_not: Vec::new(),
            filter: filters,
            minimum_should_match: None,
            boost: 1.0,
        }
    }

    /// The same query on another field (for a per-field query whose field
    /// was a pattern).
    pub fn on_field(&self, name: &str) -> Query {
        let mut q = self.clone();
        if let Query::Match { field, .. }
        | Query::MatchPhrase { field, .. }
        | Query::Fuzzy { field, .. }
        | Query::Pattern { field, .. }
        | Query::Range { field, .. }
        | Query::Exists { field } = &mut q
        {
            *field = name.to_owned();
        }
        q
    }

    /// The field of a query on one field that [`Query::on_field`] can move.
    pub fn movable_field(&self) -> Option<&str> {
        match self {
            Query::Match { field, .. }
            | Query::MatchPhrase { field, .. }
            | Query::Fuzzy { field, .. }
            | Query::Pattern { field, .. }
            | Query::Range { field, .. }
            | Query::Exists { field } => Some(field),
            _ => None,
        }
    }
}

/// How many of a `terms_set` query's terms a document must hold.
#[derive(Debug, Clone, PartialEq)]
pub enum TermsMinimum {
    /// `minimum_should_match_field`: a number field of the document's.
    Field(String),
    /// `minimum_should_match`: as a `bool` query's, over the terms.
    Count(String),
}

/// A query as Lucene's syntax would write it (for `_validate/query`).
impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = |v: &Value| crate::settings_text(v);
        let clauses = |f: &mut std::fmt::Formatter<'_>, prefix: &str, list: &[Query]| -> std::fmt::Result {
            for q in list {
                write!(f, "{prefix}{q} ")?;
            }
            Ok(())
        };
        match self {
            Query::MatchAll { .. } => write!(f, "*:*"),
            Query::MatchNone => write!(f, "MatchNoDocsQuery"),
            Query::Term { field, value: v, .. } => write!(f, "{field}:{}", value(v)),
            Query::Terms { field, values, .. } => {
                write!(f, "{field}:(")?;
                for v in values {
                    write!(f, "{} ", value(v))?;
                }
                write!(f, ")")
            }
            Query::Match { field, text, .. } => write!(f, "{field}:{text}"),
            Query::MatchPhrase { field, text, slop, .. } => write!(f, "{field}:\"{text}\"~{slop}"),
            Query::Fuzzy { field, value, fuzziness, .. } => write!(f, "{field}:{value}~{fuzziness}"),
            Query::Range { field, gt, gte, lt, lte, .. } => {
                let open = if gt.is_some() { '{' } else { '[' };
                let close = if lt.is_some() { '}' } else { ']' };
                let low = gt.as_ref().or(gte.as_ref()).map_or("*".to_owned(), value);
                let high = lt.as_ref().or(lte.as_ref()).map_or("*".to_owned(), value);
                write!(f, "{field}:{open}{low} TO {high}{close}")
            }
            Query::Exists { field } => write!(f, "_exists_:{field}"),
            Query::DistanceFeature { field, origin, pivot, .. } => {
                write!(f, "DistanceFeature({field}, {}, {})", value(origin), value(pivot))
            }
            Query::AcrossFields { fields, text, .. } => {
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                write!(f, "[{}]:{text}", names.join(","))
            }
            Query::TermsLookup { field, index, id, path, .. } => {
                write!(f, "{field}:(terms of [{index}/{id}] at [{path}])")
            }
            Query::Ids { values } => write!(f, "_id:({})", values.join(" ")),
            Query::Bool { must, should, must_not, filter, .. } => {
                clauses(f, "+", must)?;
                clauses(f, "#", filter)?;
                clauses(f, "", should)?;
                clauses(f, "-", must_not)
            }
            Query::ConstantScore { filter, .. } => write!(f, "ConstantScore({filter})"),
            Query::DisMax { queries, .. } => {
                write!(f, "(")?;
                for (i, q) in queries.iter().enumerate() {
                    write!(f, "{}{q}", if i > 0 { " | " } else { "" })?;
                }
                write!(f, ")")
            }
            Query::Pattern { field, regex, kind: "regexp", .. } => write!(f, "{field}:/{regex}/"),
            Query::Pattern { field, regex, .. } => write!(f, "{field}:{regex}"),
            Query::Named { query, .. } => write!(f, "{query}"),
            Query::GeoBox { field, top, bottom, left, right, .. } => {
                write!(f, "{field}:BBOX({left}, {right}, {top}, {bottom})")
            }
            Query::GeoDistance { field, lat, lon, meters, .. } => {
                write!(f, "{field}:within {meters}m of ({lat}, {lon})")
            }
            Query::FunctionScore(fs) => write!(f, "function score ({}, functions: {})", fs.query, fs.functions.len()),
            Query::Nested(n) => write!(f, "ToParentBlockJoinQuery ({})", n.query),
            Query::Intervals { field, .. } => write!(f, "IntervalQuery({field})"),
            Query::RankFeature { field, .. } => write!(f, "RankFeatureQuery({field})"),
            Query::MoreLikeThis(m) => write!(f, "like:({} liked)", m.like.len()),
            Query::TermsSet { field, terms, minimum: TermsMinimum::Field(minimum), .. } => {
                write!(f, "CoveringQuery({field}: {} terms, minimum [{minimum}])", terms.len())
            }
            Query::TermsSet { field, terms, minimum: TermsMinimum::Count(spec), .. } => {
                let clauses: Vec<String> = terms.iter().map(|t| format!("{field}:{}", value(t))).collect();
                write!(f, "({})~{spec}", clauses.join(" "))
            }
        }
    }
}

/// The edit distance a `fuzziness` allows a term of `len` characters:
/// `AUTO` (`AUTO:3,6`: none up to 2 characters, 1 up to 5, else 2) or a number.
pub fn edit_distance_for(fuzziness: &str, len: usize) -> Result<u8, EngineError> {
    let f = fuzziness.trim();
    if let Some(rest) = f.strip_prefix("AUTO").or_else(|| f.strip_prefix("auto")) {
        let (low, high) = match rest.strip_prefix(':') {
            Some(bounds) => {
                let (l, h) = bounds
                    .split_once(',')
                    .ok_or_else(|| parsing(format!("failed to find low and high distance values in [{f}]")))?;
                let n = |v: &str| {
                    v.trim().parse::<usize>().map_err(|_| parsing(format!("failed to parse [{f}] as fuzziness")))
                };
                (n(l)?, n(h)?)
            }
            None => (3, 6),
        };
        return Ok(if len < low {
            0
        } else if len < high {
            1
        } else {
            2
        });
    }
    match f.parse::<f64>() {
        Ok(n) if (0.0..=2.0).contains(&n) && n.fract() == 0.0 => Ok(n as u8),
        Ok(_) => Err(EngineError::IllegalArgument(format!("Valid edit distances are [0, 1, 2] but was [{f}]"))),
        Err(_) => Err(parsing(format!("failed to parse [{f}] as fuzziness"))),
    }
}

/// A `regexp` query's optional operators: `flags` (names joined by `|`)
/// or `flags_value` (Lucene's bits); all of them by default.
fn regexp_flags(options: Option<&Map<String, Value>>) -> Result<tensile_regexp::Flags, EngineError> {
    use tensile_regexp::Flags;
    match (options.and_then(|o| o.get("flags")), options.and_then(|o| o.get("flags_value"))) {
        (Some(Value::String(names)), _) => Flags::parse(names).map_err(EngineError::IllegalArgument),
        (_, Some(bits)) => {
            bits.as_i64().map(Flags::from_lucene_bits).ok_or_else(|| parsing("[regexp] [flags_value] must be a number"))
        }
        _ => Ok(Flags::ALL),
    }
}

/// Queries Elasticsearch has that Tensile does not run yet.
const NOT_YET: &[&str] = &[
    "script_score",
    "script",
    "has_child",
    "has_parent",
    "parent_id",
    "geo_shape",
    "geo_polygon",
    "percolate",
    "pinned",
    "knn",
    "semantic",
    "sparse_vector",
    "text_expansion",
    "weighted_tokens",
    "rule",
    "shape",
];

const MATCH_OPTIONS: &[&str] = &[
    "query",
    "operator",
    "minimum_should_match",
    "boost",
    "analyzer",
    "_name",
    "lenient",
    "zero_terms_query",
    "auto_generate_synonyms_phrase_query",
    "fuzziness",
    "prefix_length",
    "max_expansions",
    "fuzzy_transpositions",
    "fuzzy_rewrite",
];
const QUERY_STRING_OPTIONS: &[&str] = &[
    "query",
    "default_field",
    "fields",
    "default_operator",
    "boost",
    "_name",
    "lenient",
    "analyze_wildcard",
    "phrase_slop",
    "analyzer",
    "allow_leading_wildcard",
    "time_zone",
    "fuzziness",
    "fuzzy_prefix_length",
    "fuzzy_max_expansions",
    "fuzzy_transpositions",
    "fuzzy_rewrite",
    "rewrite",
    "max_determinized_states",
    "minimum_should_match",
    "auto_generate_synonyms_phrase_query",
    "tie_breaker",
    "type",
];
const MULTI_MATCH_OPTIONS: &[&str] = &[
    "query",
    "fuzziness",
    "fuzzy_rewrite",
    "prefix_length",
    "max_expansions",
    "fuzzy_transpositions",
    "fields",
    "type",
    "operator",
    "minimum_should_match",
    "tie_breaker",
    "boost",
    "_name",
    "slop",
    "lenient",
    "analyzer",
    "zero_terms_query",
    "auto_generate_synonyms_phrase_query",
];

impl Query {
    /// A `range` query of bounds alone (no format, zone or relation).
    pub fn range(field: impl Into<String>, [gt, gte, lt, lte]: [Option<Value>; 4], format: Option<String>) -> Query {
        let relation = Default::default();
        Query::Range {
            field: field.into(),
            gt,
            gte,
            lt,
            lte,
            format,
            time_zone: None,
            lenient_zone: false,
            relation,
            boost: 1.0,
        }
    }
}

/// Refuses, by name, an option of a query that Tensile does not act on yet.
fn supported_options(params: &Map<String, Value>, known: &[&str], query: &str) -> Result<(), EngineError> {
    if let Some(unknown) = params.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(EngineError::Unsupported(format!("the [{unknown}] option of the [{query}] query")));
    }
    rewrite_of(params, "fuzzy_rewrite").map(|_| ())
}

/// The terms a fuzzy word expands to by default, as in Elasticsearch.
pub const DEFAULT_EXPANSIONS: usize = 50;

/// A query's `max_expansions`: a positive count, 50 by default.
fn max_expansions(params: &Map<String, Value>) -> Result<usize, EngineError> {
    match params.get("max_expansions") {
        None => Ok(DEFAULT_EXPANSIONS),
        Some(v) => match v.as_i64().or_else(|| v.as_str()?.parse().ok()) {
            Some(n) if n > 0 => Ok(n as usize),
            _ => Err(EngineError::IllegalArgument(format!("[max_expansions] must be greater than 0, got [{v}]"))),
        },
    }
}

/// A multi-term rewrite method the query names under `option`.
fn rewrite_of(params: &Map<String, Value>, option: &str) -> Result<Option<Rewrite>, EngineError> {
    params.get(option).map(|method| Rewrite::parse(&text_of(method))).transpose()
}

pub(crate) fn parsing(reason: impl Into<String>) -> EngineError {
    EngineError::Parsing(reason.into())
}

fn boost(map: &Map<String, Value>) -> Result<f32, EngineError> {
    match map.get("boost") {
        None => Ok(1.0),
        Some(v) => v.as_f64().map(|b| b as f32).ok_or_else(|| parsing("[boost] must be a number")),
    }
}

/// The single `field: params` entry of a field query, params given as an
/// object or as the value itself (`{"term": {"user": "kim"}}`).
fn field_entry<'a>(name: &str, body: &'a Value) -> Result<(&'a str, &'a Value), EngineError> {
    let Some(map) = body.as_object() else {
        return Err(parsing(format!("[{name}] query malformed, no start_object after query name")));
    };
    let mut fields = map.iter().filter(|(k, _)| k.as_str() != "boost" && k.as_str() != "_name");
    let Some((field, params)) = fields.next() else {
        return Err(parsing(format!("[{name}] query doesn't support empty fields")));
    };
    if let Some((second, _)) = fields.next() {
        return Err(parsing(format!("[{name}] query doesn't support multiple fields, found [{field}] and [{second}]")));
    }
    Ok((field, params))
}

/// The most values a `terms` bitmap may hold, whatever the index's
/// `max_terms_count` (which the query then checks): a run of a bitmap stands
/// for up to 65,536 values in four bytes.
const BITMAP_VALUES: usize = 1 << 20;

/// The values of a `terms` query with a `format`: `bitmap` or
/// `integer_bitmap`, a base64 RoaringBitmap (alone, or alone in an array).
fn bitmap_values(format: &Value, given: &Value) -> Result<Vec<Value>, EngineError> {
    if !matches!(format.as_str(), Some("bitmap" | "integer_bitmap")) {
        return Err(parsing(format!("[terms] query does not support [format] [{}]", text_of(format))));
    }
    let text = match given {
        Value::String(text) => text,
        Value::Array(items) => match items.as_slice() {
            [Value::String(text)] => text,
            _ => return Err(parsing("[terms] query with a bitmap [format] takes one base64 bitmap")),
        },
        _ => return Err(parsing("[terms] query with a bitmap [format] takes one base64 bitmap")),
    };
    let values = super::roaring::decode_base64(text, BITMAP_VALUES)
        .map_err(|e| EngineError::IllegalArgument(format!("[terms] query could not read its bitmap: {e}")))?;
    Ok(values.into_iter().map(Value::from).collect())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(v: Option<&Value>) -> Result<Vec<Query>, EngineError> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(parse).collect(),
        Some(one @ Value::Object(_)) => Ok(vec![parse(one)?]),
        Some(_) => Err(parsing("[bool] query malformed, clauses must be objects or arrays")),
    }
}

/// Parses a query object: `{"<kind>": {...}}`, named when it has a
/// `_name` (beside its options, or among a field's).
pub fn parse(v: &Value) -> Result<Query, EngineError> {
    let query = parse_unnamed(v)?;
    let body = v.as_object().and_then(|m| m.values().next());
    let name = body.and_then(|b| b.get("_name")).or_else(|| {
        // A field query's options: `{"match": {"title": {"query": ..., "_name": ...}}}`.
        body.and_then(Value::as_object)
            .and_then(|o| o.iter().find(|(k, _)| k.as_str() != "boost").map(|(_, v)| v))
            .and_then(|field| field.get("_name"))
    });
    Ok(match name {
        Some(n) => Query::Named { name: crate::settings_text(n), query: Box::new(query) },
        None => query,
    })
}

/// Whether a tree holds a terms lookup (which must be read before it runs).
pub fn has_lookup(q: &Query) -> bool {
    match q {
        Query::TermsLookup { .. } => true,
        Query::MoreLikeThis(m) => m.has_lookup(),
        _ => q.children().into_iter().any(has_lookup),
    }
}

/// The queries of a tree that carry a `_name`, with their names. (Named
/// queries inside a `nested` one name nested documents, not hits.)
pub fn named(q: &Query, out: &mut Vec<(String, Query)>) {
    match q {
        Query::Named { name, query } => {
            out.push((name.clone(), (**query).clone()));
            named(query, out);
        }
        Query::Nested(_) => {}
        Query::FunctionScore(f) => named(&f.query, out),
        _ => q.children().into_iter().for_each(|c| named(c, out)),
    }
}

/// The `nested` queries of a tree with `inner_hits`, outermost only (those
/// inside them give the inner hits of their inner hits).
pub fn with_inner_hits(q: &Query) -> Vec<&Nested> {
    match q {
        Query::Nested(n) if n.inner_hits.is_some() => vec![n],
        _ => q.children().into_iter().flat_map(with_inner_hits).collect(),
    }
}

fn parse_unnamed(v: &Value) -> Result<Query, EngineError> {
    let Some(map) = v.as_object() else {
        return Err(parsing("query malformed, must start with start_object"));
    };
    let mut entries = map.iter();
    let Some((kind, body)) = entries.next() else {
        return Err(parsing("query malformed, empty clause found"));
    };
    if let Some((other, _)) = entries.next() {
        return Err(parsing(format!(
            "[{kind}] malformed query, expected [END_OBJECT] but found [FIELD_NAME] [{other}]"
        )));
    }
    let empty = Map::new();
    let params = body.as_object().unwrap_or(&empty);
    Ok(match kind.as_str() {
        "match_all" => Query::MatchAll { boost: boost(params)? },
        "match_none" => Query::MatchNone,
        "term" => {
            let (field, p) = field_entry(kind, body)?;
            match p {
                Value::Object(o) => {
                    supported_options(o, &["value", "boost", "_name", "case_insensitive"], "term")?;
                    let value = o.get("value").cloned().ok_or_else(|| parsing("[term] query requires a [value]"))?;
                    match value.as_str() {
                        // A string matched whatever its case: the term as a pattern.
                        Some(text) if o.get("case_insensitive").is_some_and(|v| v == true) => Query::Pattern {
                            field: field.to_owned(),
                            regex: tensile_regexp::Regex::literal(text),
                            case_insensitive: true,
                            max_states: tensile_regexp::DEFAULT_MAX_STATES,
                            rewrite: Rewrite::ConstantScore,
                            boost: boost(o)?,
                            kind: "term",
                        },
                        _ => Query::Term { field: field.to_owned(), value, boost: boost(o)? },
                    }
                }
                value => Query::Term { field: field.to_owned(), value: value.clone(), boost: 1.0 },
            }
        }
        "terms" => {
            // `format` is an option when it is text beside a field; an
            // array under that name is a field's values.
            let format = body.get("format").filter(|f| f.is_string()).filter(|_| {
                body.as_object().is_some_and(|o| o.keys().any(|k| !["format", "boost", "_name"].contains(&k.as_str())))
            });
            let without_format;
            let body = match format {
                Some(_) => {
                    let mut rest = body.as_object().cloned().unwrap_or_default();
                    rest.remove("format");
                    without_format = Value::Object(rest);
                    &without_format
                }
                None => body,
            };
            let (field, p) = field_entry(kind, body)?;
            if let Some(format) = format {
                return Ok(Query::Terms {
                    field: field.to_owned(),
                    values: bitmap_values(format, p)?,
                    boost: boost(params)?,
                    bitmap: true,
                });
            }
            match p {
                Value::Array(values) => Query::Terms {
                    field: field.to_owned(),
                    values: values.clone(),
                    boost: boost(params)?,
                    bitmap: false,
                },
                Value::Object(lookup) => {
                    let part = |k: &str| {
                        lookup.get(k).map(text_of).ok_or_else(|| {
                            parsing(format!("[terms] query lookup element requires specifying the [{k}]"))
                        })
                    };
                    Query::TermsLookup {
                        field: field.to_owned(),
                        index: part("index")?,
                        id: part("id")?,
                        path: part("path")?,
                        routing: lookup.get("routing").map(text_of),
                        boost: boost(params)?,
                    }
                }
                _ => return Err(parsing("[terms] query does not support [terms] as a single value")),
            }
        }
        "match" | "match_bool_prefix" => {
            let (field, p) = field_entry(kind, body)?;
            let bool_prefix = kind == "match_bool_prefix";
            match p {
                Value::Object(o) => {
                    supported_options(o, MATCH_OPTIONS, kind)?;
                    let fuzziness = o.get("fuzziness").map(text_of);
                    if let Some(f) = &fuzziness {
                        edit_distance_for(f, 0)?;
                    }
                    Query::Match {
                        field: field.to_owned(),
                        text: o
                            .get("query")
                            .map(text_of)
                            .ok_or_else(|| parsing(format!("[{kind}] requires query value")))?,
                        and: o.get("operator").and_then(Value::as_str).is_some_and(|op| op.eq_ignore_ascii_case("and")),
                        minimum_should_match: match o.get("minimum_should_match").map(text_of) {
                            Some(m) => {
                                check_minimum_should_match(&m)?;
                                Some(m)
                            }
                            None => None,
                        },
                        boost: boost(o)?,
                        analyzer: o.get("analyzer").and_then(Value::as_str).map(str::to_owned),
                        zero_terms_all: match o.get("zero_terms_query").and_then(Value::as_str) {
                            None | Some("none") => false,
                            Some("all") => true,
                            Some(other) => {
                                return Err(parsing(format!("Unsupported zero_terms_query value [{other}]")))
                            }
                        },
                        fuzziness,
                        prefix_length: o.get("prefix_length").and_then(Value::as_u64).unwrap_or(0) as usize,
                        transpositions: o.get("fuzzy_transpositions").is_none_or(|v| v != false),
                        fuzzy_rewrite: rewrite_of(o, "fuzzy_rewrite")?,
                        max_expansions: max_expansions(o)?,
                        bool_prefix,
                        lenient: o.get("lenient").is_some_and(|v| v == true || v == "true"),
                    }
                }
                value => {
                    let mut q = Query::match_text(field, text_of(value));
                    if let Query::Match { bool_prefix: b, .. } = &mut q {
                        *b = bool_prefix;
                    }
                    q
                }
            }
        }
        "fuzzy" => {
            let (field, p) = field_entry(kind, body)?;
            let (value, o) = match p {
                Value::Object(o) => {
                    supported_options(
                        o,
                        &[
                            "value",
                            "fuzziness",
                            "prefix_length",
                            "transpositions",
                            "boost",
                            "_name",
                            "max_expansions",
                            "rewrite",
                        ],
                        "fuzzy",
                    )?;
                    (o.get("value").map(text_of).ok_or_else(|| parsing("[fuzzy] query requires a [value]"))?, Some(o))
                }
                other => (text_of(other), None),
            };
            let fuzziness = o.and_then(|o| o.get("fuzziness")).map_or_else(|| "AUTO".to_owned(), text_of);
            edit_distance_for(&fuzziness, 0)?;
            Query::Fuzzy {
                field: field.to_owned(),
                value,
                fuzziness,
                prefix_length: o.and_then(|o| o.get("prefix_length")).and_then(Value::as_u64).unwrap_or(0) as usize,
                transpositions: o.and_then(|o| o.get("transpositions")).is_none_or(|v| v != false),
                max_expansions: o.map_or(Ok(DEFAULT_EXPANSIONS), max_expansions)?,
                rewrite: o.map_or(Ok(None), |o| rewrite_of(o, "rewrite"))?,
                boost: o.map_or(Ok(1.0), boost)?,
            }
        }
        "match_phrase" | "match_phrase_prefix" => {
            let (field, p) = field_entry(kind, body)?;
            let prefix = kind == "match_phrase_prefix";
            match p {
                Value::Object(o) => {
                    supported_options(o, &["query", "slop", "boost", "_name", "analyzer", "max_expansions"], kind)?;
                    Query::MatchPhrase {
                        field: field.to_owned(),
                        text: o
                            .get("query")
                            .map(text_of)
                            .ok_or_else(|| parsing(format!("[{kind}] requires query value")))?,
                        slop: o.get("slop").and_then(Value::as_u64).unwrap_or(0) as u32,
                        boost: boost(o)?,
                        prefix,
                        max_expansions: max_expansions(o)?,
                        analyzer: o.get("analyzer").map(text_of),
                    }
                }
                value => Query::MatchPhrase {
                    field: field.to_owned(),
                    text: text_of(value),
                    slop: 0,
                    boost: 1.0,
                    prefix,
                    max_expansions: DEFAULT_EXPANSIONS,
                    analyzer: None,
                },
            }
        }
        "range" => {
            let (field, p) = field_entry(kind, body)?;
            let Value::Object(o) = p else {
                return Err(parsing("[range] query malformed, no start_object after query name"));
            };
            let mut q = Query::Range {
                field: field.to_owned(),
                gt: None,
                gte: None,
                lt: None,
                lte: None,
                format: None,
                time_zone: None,
                lenient_zone: false,
                relation: Default::default(),
                boost: boost(o)?,
            };
            if let Query::Range { gt, gte, lt, lte, format, time_zone, relation, .. } = &mut q {
                for (k, v) in o {
                    match k.as_str() {
                        "gt" => *gt = Some(v.clone()).filter(|v| !v.is_null()),
                        "gte" | "from" => *gte = Some(v.clone()).filter(|v| !v.is_null()),
                        "lt" => *lt = Some(v.clone()).filter(|v| !v.is_null()),
                        "lte" | "to" => *lte = Some(v.clone()).filter(|v| !v.is_null()),
                        "format" => *format = v.as_str().map(str::to_owned),
                        "time_zone" => *time_zone = v.as_str().map(str::to_owned),
                        // How a range field's ranges must relate to the query's;
                        // on other fields a value is a point, which intersects.
                        "relation" => {
                            *relation = v.as_str().and_then(crate::mapper::range::Relation::parse).ok_or_else(|| {
                                parsing(format!(
                                    "[range] query does not support relation [{}]",
                                    crate::settings_text(v)
                                ))
                            })?
                        }
                        "boost" | "_name" => {}
                        other => return Err(parsing(format!("[range] query does not support [{other}]"))),
                    }
                }
            }
            q
        }
        "exists" => Query::Exists {
            field: params
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| parsing("[exists] must be provided with a [field]"))?
                .to_owned(),
        },
        "ids" => Query::Ids {
            values: params
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(text_of).collect())
                .unwrap_or_default(),
        },
        "bool" => {
            if let Some(unknown) = params.keys().find(|k| {
                ![
                    "must",
                    "should",
                    "must_not",
                    "filter",
                    "minimum_should_match",
                    "boost",
                    "_name",
                    "adjust_pure_negative",
                ]
                .contains(&k.as_str())
            }) {
                return Err(parsing(format!("[bool] query does not support [{unknown}]")));
            }
            Query::Bool {
                must: list(params.get("must"))?,
                should: list(params.get("should"))?,
                must_not: list(params.get("must_not"))?,
                filter: list(params.get("filter"))?,
                minimum_should_match: match params.get("minimum_should_match").map(text_of) {
                    Some(m) => {
                        check_minimum_should_match(&m)?;
                        Some(m)
                    }
                    None => None,
                },
                boost: boost(params)?,
            }
        }
        "prefix" | "wildcard" | "regexp" => {
            let (field, p) = field_entry(kind, body)?;
            let (value, opts) = match p {
                Value::Object(o) => {
                    let key = if kind == "wildcard" && o.contains_key("wildcard") { "wildcard" } else { "value" };
                    let v =
                        o.get(key).map(text_of).ok_or_else(|| parsing(format!("[{kind}] query requires a [value]")))?;
                    (v, Some(o))
                }
                other => (text_of(other), None),
            };
            let flag = |k: &str| opts.and_then(|o| o.get(k)).is_some_and(|v| v == true);
            let regex = match kind.as_str() {
                "prefix" => tensile_regexp::Regex::prefix(&value),
                "wildcard" => tensile_regexp::Regex::wildcard(&value),
                // A syntax error is the query's when it runs, after the length check.
                _ => tensile_regexp::Regex::read(&value, regexp_flags(opts)?),
            };
            let max_states = match opts.and_then(|o| o.get("max_determinized_states")) {
                None => tensile_regexp::DEFAULT_MAX_STATES,
                Some(v) => v
                    .as_u64()
                    .map(|n| n as usize)
                    .ok_or_else(|| parsing(format!("[{kind}] [max_determinized_states] must be a positive number")))?,
            };
            let kind: &'static str = match kind.as_str() {
                "prefix" => "prefix",
                "wildcard" => "wildcard",
                _ => "regexp",
            };
            Query::Pattern {
                field: field.to_owned(),
                regex,
                case_insensitive: flag("case_insensitive"),
                max_states,
                rewrite: opts.map_or(Ok(None), |o| rewrite_of(o, "rewrite"))?.unwrap_or(Rewrite::ConstantScore),
                boost: opts.map_or(Ok(1.0), boost)?,
                kind,
            }
        }
        // A query sent as base64 JSON text, read as if sent plainly.
        "wrapper" => {
            supported_options(params, &["query"], kind)?;
            let encoded =
                params.get("query").and_then(Value::as_str).ok_or_else(|| parsing("[wrapper] requires a [query]"))?;
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|e| parsing(format!("[wrapper] query is no base64 text: {e}")))?;
            let inner: Value =
                serde_json::from_slice(&decoded).map_err(|e| parsing(format!("[wrapper] query is no JSON: {e}")))?;
            parse(&inner)?
        }
        "dis_max" => Query::DisMax {
            queries: list(params.get("queries"))?,
            tie_breaker: params.get("tie_breaker").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            boost: boost(params)?,
        },
        "multi_match" => multi_match(params)?,
        "simple_query_string" => super::simple_query_string::parse(params)?,
        "combined_fields" => across_fields(params, None, true)?,
        "distance_feature" => {
            let part =
                |k: &str| params.get(k).cloned().ok_or_else(|| parsing(format!("[distance_feature] requires [{k}]")));
            Query::DistanceFeature {
                field: params
                    .get("field")
                    .map(text_of)
                    .ok_or_else(|| parsing("[distance_feature] requires [field]"))?,
                origin: part("origin")?,
                pivot: part("pivot")?,
                boost: boost(params)?,
            }
        }
        "geo_bounding_box" => geo_bounding_box(params)?,
        "function_score" => Query::FunctionScore(super::function_score::parse(params)?),
        "boosting" => Query::FunctionScore(super::function_score::boosting(params)?),
        "geo_distance" => geo_distance(params)?,
        "query_string" => {
            supported_options(params, QUERY_STRING_OPTIONS, "query_string")?;
            let text =
                params.get("query").map(text_of).ok_or_else(|| parsing("[query_string] requires query value"))?;
            let operator = match params.get("default_operator").and_then(Value::as_str) {
                Some(op) if op.eq_ignore_ascii_case("and") => super::query_string::Operator::And,
                _ => super::query_string::Operator::Or,
            };
            let fields: Vec<String> = match params.get("fields") {
                Some(Value::Array(items)) if !items.is_empty() => items.iter().map(text_of).collect(),
                _ => vec![params.get("default_field").map_or_else(|| "*".to_owned(), text_of)],
            };
            let phrase_slop = match params.get("phrase_slop") {
                None => 0,
                Some(v) => {
                    let n = v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
                    n.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                        parsing(format!("[query_string] [phrase_slop] must be a whole number, got [{v}]"))
                    })?
                }
            };
            let number = |key: &str, default: usize| -> Result<usize, EngineError> {
                match params.get(key) {
                    None => Ok(default),
                    Some(v) => v
                        .as_u64()
                        .or_else(|| v.as_str()?.parse().ok())
                        .map(|n| n as usize)
                        .ok_or_else(|| parsing(format!("[query_string] [{key}] must be a whole number, got [{v}]"))),
                }
            };
            let fuzziness = params.get("fuzziness").map(text_of);
            if let Some(f) = &fuzziness {
                edit_distance_for(f, 0)?;
            }
            let options = super::query_string::Options {
                operator,
                phrase_slop,
                allow_leading_wildcard: params.get("allow_leading_wildcard").is_none_or(|v| v != false && v != "false"),
                time_zone: params.get("time_zone").map(text_of),
                fuzziness,
                fuzzy_prefix_length: number("fuzzy_prefix_length", 0)?,
                fuzzy_max_expansions: number("fuzzy_max_expansions", DEFAULT_EXPANSIONS)?,
                fuzzy_transpositions: params.get("fuzzy_transpositions").is_none_or(|v| v != false),
                fuzzy_rewrite: rewrite_of(params, "fuzzy_rewrite")?,
                rewrite: rewrite_of(params, "rewrite")?.unwrap_or(Rewrite::ConstantScore),
                max_states: number("max_determinized_states", tensile_regexp::DEFAULT_MAX_STATES)?,
            };
            let tie_breaker = params.get("tie_breaker").and_then(Value::as_f64).map(|t| t as f32);
            let spread = match params.get("type").map(text_of).as_deref() {
                None | Some("best_fields") => Spread::Fields { tie_breaker: tie_breaker.unwrap_or(0.0) },
                Some("most_fields") => Spread::Fields { tie_breaker: tie_breaker.unwrap_or(1.0) },
                Some("cross_fields") => Spread::CrossFields { tie_breaker: tie_breaker.unwrap_or(0.0) },
                Some("phrase") => Spread::Phrase { prefix: false, tie_breaker: tie_breaker.unwrap_or(0.0) },
                Some("phrase_prefix") => Spread::Phrase { prefix: true, tie_breaker: tie_breaker.unwrap_or(0.0) },
                Some("bool_prefix") => Spread::BoolPrefix { tie_breaker: tie_breaker.unwrap_or(0.0) },
                Some(other) => return Err(unknown_multi_match_type(other)),
            };
            let mut q = super::query_string::parse_over_fields(&text, &field_boosts(fields)?, options, spread)?;
            with_minimum_should_match(&mut q, params)?;
            if let Some(analyzer) = params.get("analyzer").and_then(Value::as_str) {
                super::query_string::analyzed_with(&mut q, analyzer);
            }
            match boost(params)? {
                1.0 => q,
                boost => Query::DisMax { queries: vec![q], tie_breaker: 0.0, boost },
            }
        }
        "nested" => {
            supported_options(
                params,
                &["path", "query", "score_mode", "ignore_unmapped", "inner_hits", "boost", "_name"],
                "nested",
            )?;
            let path =
                params.get("path").and_then(Value::as_str).ok_or_else(|| parsing("[nested] requires 'path' field"))?;
            let query = parse(params.get("query").ok_or_else(|| parsing("[nested] requires 'query' field"))?)?;
            let score_mode = match params.get("score_mode") {
                None => super::nested::ScoreMode::Avg,
                Some(v) => {
                    let name = text_of(v);
                    super::nested::ScoreMode::parse(&name).ok_or_else(|| {
                        EngineError::IllegalArgument(format!("No score mode for child query [{name}] found"))
                    })?
                }
            };
            Query::Nested(Box::new(Nested {
                path: path.to_owned(),
                query,
                score_mode,
                ignore_unmapped: params.get("ignore_unmapped").is_some_and(|v| v == true),
                inner_hits: params.get("inner_hits").map(|v| super::nested::InnerHits::parse(path, v)).transpose()?,
                boost: boost(params)?,
            }))
        }
        "span_term" | "span_near" | "span_or" | "span_first" | "span_not" | "span_containing" | "span_within"
        | "span_multi" | "field_masking_span" => {
            let (field, rule, boost) = super::spans::parse(kind, params)?;
            Query::Intervals { field, rule, boost }
        }
        "terms_set" => {
            let (field, p) = field_entry(kind, body)?;
            let Value::Object(o) = p else {
                return Err(parsing("[terms_set] query malformed, no start_object after query name"));
            };
            supported_options(
                o,
                &[
                    "terms",
                    "minimum_should_match_field",
                    "minimum_should_match_script",
                    "minimum_should_match",
                    "boost",
                    "_name",
                ],
                "terms_set",
            )?;
            if o.contains_key("minimum_should_match_script") {
                return Err(EngineError::Unsupported(
                    "the [minimum_should_match_script] option of the [terms_set] query".into(),
                ));
            }
            let minimum = match (o.get("minimum_should_match"), o.get("minimum_should_match_field")) {
                (Some(_), Some(_)) => {
                    return Err(parsing(
                        "[terms_set] query takes one of [minimum_should_match] and [minimum_should_match_field]",
                    ))
                }
                (Some(spec), None) => {
                    let spec = text_of(spec);
                    check_minimum_should_match(&spec)?;
                    TermsMinimum::Count(spec)
                }
                (None, Some(field)) => TermsMinimum::Field(text_of(field)),
                (None, None) => {
                    return Err(parsing(
                        "[terms_set] query requires [minimum_should_match], [minimum_should_match_field] or [minimum_should_match_script]",
                    ))
                }
            };
            Query::TermsSet {
                field: field.to_owned(),
                terms: o.get("terms").and_then(Value::as_array).cloned().unwrap_or_default(),
                minimum,
                boost: boost(o)?,
            }
        }
        "more_like_this" => Query::MoreLikeThis(Box::new(super::more_like_this::MoreLikeThis::parse(params)?)),
        "rank_feature" => {
            supported_options(params, &["field", "saturation", "log", "sigmoid", "linear", "boost", "_name"], kind)?;
            Query::RankFeature {
                field: params
                    .get("field")
                    .and_then(Value::as_str)
                    .ok_or_else(|| parsing("[rank_feature] requires a [field]"))?
                    .to_owned(),
                function: super::rank_feature::RankFunction::parse(params)?,
                boost: boost(params)?,
            }
        }
        "intervals" => {
            let (field, rule, boost) = super::intervals::parse(params)?;
            Query::Intervals { field, rule, boost }
        }
        "constant_score" => Query::ConstantScore {
            filter: Box::new(parse(
                params.get("filter").ok_or_else(|| parsing("[constant_score] requires a 'filter' element"))?,
            )?),
            boost: boost(params)?,
        },
        other if NOT_YET.contains(&other) => return Err(EngineError::Unsupported(format!("the [{other}] query"))),
        other => return Err(parsing(format!("unknown query [{other}]"))),
    })
}

/// `multi_match` as the queries it stands for: per field, a `match` (or
/// `match_phrase`), combined by `dis_max` (`best_fields`, `phrase`) or
/// summed (`most_fields`). Field names may carry a boost (`title^2`);
/// wildcards in them are expanded by the compiler against the mapping.
fn multi_match(params: &Map<String, Value>) -> Result<Query, EngineError> {
    let text = params.get("query").map(text_of).ok_or_else(|| parsing("No text specified for multi_match query"))?;
    let kind = params.get("type").and_then(Value::as_str).unwrap_or("best_fields");
    if kind == "bool_prefix" {
        if let Some(k) = ["slop", "cutoff_frequency"].into_iter().find(|k| params.contains_key(*k)) {
            return Err(parsing(format!("[{k}] not allowed for type [bool_prefix]")));
        }
    }
    supported_options(params, MULTI_MATCH_OPTIONS, "multi_match")?;
    let fields: Vec<String> = match params.get("fields") {
        Some(Value::Array(items)) => items.iter().map(text_of).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec!["*".into()],
    };
    let and = params.get("operator").and_then(Value::as_str).is_some_and(|op| op.eq_ignore_ascii_case("and"));
    let msm = params.get("minimum_should_match").map(text_of);
    let slop = params.get("slop").and_then(Value::as_u64).unwrap_or(0) as u32;
    let analyzer = params.get("analyzer").and_then(Value::as_str).map(str::to_owned);
    if kind == "cross_fields" {
        let tie_breaker = params.get("tie_breaker").and_then(Value::as_f64).unwrap_or(0.0) as f32;
        return across_fields(params, Some(tie_breaker), false);
    }
    let fuzziness = params.get("fuzziness").map(text_of);
    if let Some(f) = &fuzziness {
        edit_distance_for(f, 0)?;
    }
    let prefix_length = params.get("prefix_length").and_then(Value::as_u64).unwrap_or(0) as usize;
    let transpositions = params.get("fuzzy_transpositions").is_none_or(|v| v != false);
    let fuzzy_rewrite = rewrite_of(params, "fuzzy_rewrite")?;
    let expansions = max_expansions(params)?;
    let lenient = params.get("lenient").is_some_and(|v| v == true || v == "true");
    let per_field = |field: String, boost: f32| match kind {
        "phrase" | "phrase_prefix" => Ok(Query::MatchPhrase {
            field,
            text: text.clone(),
            slop,
            boost,
            prefix: kind == "phrase_prefix",
            max_expansions: expansions,
            analyzer: analyzer.clone(),
        }),
        "best_fields" | "most_fields" | "bool_prefix" => Ok(Query::Match {
            field,
            text: text.clone(),
            and,
            minimum_should_match: msm.clone(),
            boost,
            analyzer: analyzer.clone(),
            zero_terms_all: false,
            fuzziness: fuzziness.clone(),
            prefix_length,
            transpositions,
            fuzzy_rewrite,
            max_expansions: expansions,
            bool_prefix: kind == "bool_prefix",
            lenient,
        }),
        other => Err(unknown_multi_match_type(other)),
    };
    let queries =
        field_boosts(fields)?.into_iter().map(|(name, boost)| per_field(name, boost)).collect::<Result<Vec<_>, _>>()?;
    let boost = boost(params)?;
    Ok(match kind {
        "most_fields" => Query::Bool {
            must: Vec::new(),
            should: queries,
            must_not: Vec::new(),
            filter: Vec::new(),
            minimum_should_match: None,
            boost,
        },
        _ => Query::DisMax {
            queries,
            tie_breaker: params.get("tie_breaker").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            boost,
        },
    })
}

/// Field names as multi-field queries take them, each with an optional
/// `^boost` (`title^2`).
pub(crate) fn field_boosts(names: impl IntoIterator<Item = String>) -> Result<Vec<(String, f32)>, EngineError> {
    names
        .into_iter()
        .map(|f| match f.split_once('^') {
            Some((name, b)) => b
                .parse::<f32>()
                .map(|b| (name.to_owned(), b))
                .map_err(|_| parsing(format!("invalid boost [{b}] for field [{name}]"))),
            None => Ok((f, 1.0)),
        })
        .collect()
}

/// A `multi_match` or `query_string` `type` Elasticsearch does not know.
fn unknown_multi_match_type(name: &str) -> EngineError {
    EngineError::Parse(format!("failed to parse [multi_match] query type [{name}]. unknown type."))
}

/// `combined_fields` (`tie_breaker: None`, text fields only) or a
/// `cross_fields` `multi_match`: fields with boosts, the text, its operator.
fn across_fields(params: &Map<String, Value>, tie_breaker: Option<f32>, text_only: bool) -> Result<Query, EngineError> {
    let name = if text_only { "combined_fields" } else { "multi_match" };
    if text_only {
        supported_options(
            params,
            &[
                "query",
                "fields",
                "operator",
                "minimum_should_match",
                "zero_terms_query",
                "boost",
                "_name",
                "auto_generate_synonyms_phrase_query",
            ],
            name,
        )?;
    }
    let text = params.get("query").map(text_of).ok_or_else(|| parsing(format!("[{name}] requires a [query]")))?;
    let fields = match params.get("fields") {
        Some(Value::Array(items)) => items.iter().map(text_of).collect::<Vec<_>>(),
        Some(Value::String(s)) => vec![s.clone()],
        _ if text_only => return Err(parsing("[combined_fields] requires [fields]")),
        _ => vec!["*".to_owned()],
    };
    let fields = field_boosts(fields)?;
    let minimum_should_match = params.get("minimum_should_match").map(text_of);
    if let Some(m) = &minimum_should_match {
        check_minimum_should_match(m)?;
    }
    Ok(Query::AcrossFields {
        fields,
        text,
        and: params.get("operator").and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case("and")),
        minimum_should_match,
        zero_terms_all: params.get("zero_terms_query").and_then(Value::as_str) == Some("all"),
        tie_breaker,
        text_only,
        boost: boost(params)?,
    })
}

/// Options of the geo queries beside their field.
const GEO_OPTIONS: &[&str] =
    &["boost", "_name", "validation_method", "ignore_unmapped", "type", "distance", "distance_type"];

/// A geo query's `validation_method`: out-of-range coordinates are
/// refused (`strict`), taken as they are (`ignore_malformed`) or brought
/// into range (`coerce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeoValidation {
    Strict,
    IgnoreMalformed,
    Coerce,
}

/// A geo query's options beside its field: its validation, and
/// `ignore_unmapped`. `distance_type` is read and, as in Elasticsearch,
/// changes nothing: distances are measured on the arc.
fn geo_options(kind: &str, params: &Map<String, Value>) -> Result<(GeoValidation, bool), EngineError> {
    let validation = match params.get("validation_method").map(text_of).as_deref().map(str::to_ascii_lowercase) {
        None => GeoValidation::Strict,
        Some(m) if m == "strict" => GeoValidation::Strict,
        Some(m) if m == "ignore_malformed" => GeoValidation::IgnoreMalformed,
        Some(m) if m == "coerce" => GeoValidation::Coerce,
        Some(m) => return Err(parsing(format!("[{kind}] unknown validation_method [{m}]"))),
    };
    if let Some(t) = params.get("distance_type").map(text_of).filter(|t| !matches!(t.as_str(), "arc" | "plane")) {
        return Err(parsing(format!("[{kind}] unknown distance_type [{t}]")));
    }
    Ok((validation, params.get("ignore_unmapped").is_some_and(|v| v == true || v == "true")))
}

/// Checks a latitude and longitude as `validation` says, or brings them into range.
fn validated(kind: &str, validation: GeoValidation, lat: f64, lon: f64) -> Result<(f64, f64), EngineError> {
    match validation {
        GeoValidation::IgnoreMalformed => Ok((lat, lon)),
        GeoValidation::Coerce => Ok(crate::mapper::geo::normalize_point(lat, lon)),
        GeoValidation::Strict if !(-90.0..=90.0).contains(&lat) => {
            Err(EngineError::QueryShard(format!("illegal latitude value [{lat:?}] for [{kind}]")))
        }
        GeoValidation::Strict if !(-180.0..=180.0).contains(&lon) => {
            Err(EngineError::QueryShard(format!("illegal longitude value [{lon:?}] for [{kind}]")))
        }
        GeoValidation::Strict => Ok((lat, lon)),
    }
}

/// The one field entry of a geo query.
fn geo_field<'a>(kind: &str, params: &'a Map<String, Value>) -> Result<(&'a String, &'a Value), EngineError> {
    let mut fields = params.iter().filter(|(k, _)| !GEO_OPTIONS.contains(&k.as_str()));
    let entry = fields.next().ok_or_else(|| parsing(format!("failed to find [{kind}] field")))?;
    if let Some((second, _)) = fields.next() {
        return Err(parsing(format!(
            "[{kind}] query doesn't support multiple fields, found [{}] and [{second}]",
            entry.0
        )));
    }
    Ok(entry)
}

/// A point as a geo query takes it (`[lon, lat]`, `{lat, lon}`, `"lat,lon"`, WKT, geohash).
fn point(v: &Value) -> Result<(f64, f64), EngineError> {
    crate::mapper::field::read_geo_point(v).map_err(|e| parsing(format!("failed to parse point: {e}")))
}

/// `geo_bounding_box`: corners (`top_left`/`bottom_right`, `top_right`/`bottom_left`),
/// sides (`top`, `left`, `bottom`, `right`), `wkt: "BBOX (minLon, maxLon, maxLat, minLat)"`
/// or a `geohash` cell.
fn geo_bounding_box(params: &Map<String, Value>) -> Result<Query, EngineError> {
    let (field, spec) = geo_field("geo_bounding_box", params)?;
    let Value::Object(o) = spec else { return Err(parsing("[geo_bounding_box] expects an object for its field")) };
    let cell = |v: &Value| v.as_str().and_then(crate::mapper::geo::geohash_cell);
    let (mut top, mut bottom, mut left, mut right) = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    for (k, v) in o {
        match k.as_str() {
            "top_left" | "topLeft" => match cell(v).filter(|_| v.as_str().is_some_and(|s| !s.contains(','))) {
                Some((_, max_lat, min_lon, _)) => (top, left) = (max_lat, min_lon),
                None => (top, left) = point(v)?,
            },
            "bottom_right" | "bottomRight" => match cell(v).filter(|_| v.as_str().is_some_and(|s| !s.contains(','))) {
                Some((min_lat, _, _, max_lon)) => (bottom, right) = (min_lat, max_lon),
                None => (bottom, right) = point(v)?,
            },
            "top_right" | "topRight" => (top, right) = point(v)?,
            "bottom_left" | "bottomLeft" => (bottom, left) = point(v)?,
            "top" => top = v.as_f64().ok_or_else(|| parsing("[top] must be a number"))?,
            "bottom" => bottom = v.as_f64().ok_or_else(|| parsing("[bottom] must be a number"))?,
            "left" => left = v.as_f64().ok_or_else(|| parsing("[left] must be a number"))?,
            "right" => right = v.as_f64().ok_or_else(|| parsing("[right] must be a number"))?,
            "geohash" => {
                let (min_lat, max_lat, min_lon, max_lon) =
                    cell(v).ok_or_else(|| parsing(format!("invalid geohash [{}]", text_of(v))))?;
                (top, bottom, left, right) = (max_lat, min_lat, min_lon, max_lon);
            }
            "geotile" => {
                let (min_lat, max_lat, min_lon, max_lon) = v
                    .as_str()
                    .and_then(crate::mapper::geo::geotile_cell)
                    .ok_or_else(|| parsing(format!("invalid geotile [{}]", text_of(v))))?;
                (top, bottom, left, right) = (max_lat, min_lat, min_lon, max_lon);
            }
            "wkt" => {
                let text = v.as_str().unwrap_or_default().trim();
                let inner = text
                    .strip_prefix("BBOX")
                    .map(str::trim)
                    .and_then(|r| r.strip_prefix('('))
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| parsing(format!("failed to parse WKT bounding box [{text}]")))?;
                let n: Vec<f64> = inner
                    .split(',')
                    .map(|p| p.trim().parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| parsing(format!("failed to parse WKT bounding box [{text}]")))?;
                let [min_lon, max_lon, max_lat, min_lat] = n.as_slice() else {
                    return Err(parsing(format!("failed to parse WKT bounding box [{text}]")));
                };
                (top, bottom, left, right) = (*max_lat, *min_lat, *min_lon, *max_lon);
            }
            other => {
                return Err(parsing(format!("failed to parse [geo_bounding_box] query. unexpected field [{other}]")))
            }
        }
    }
    if [top, bottom, left, right].iter().any(|v| v.is_nan()) {
        return Err(parsing("failed to parse [geo_bounding_box] query: the box needs all four sides"));
    }
    let (validation, ignore_unmapped) = geo_options("geo_bounding_box", params)?;
    let whole_turn = (right - left).abs() >= 360.0;
    let invalid = |_| EngineError::QueryShard("couldn't validate latitude/ longitude values".into());
    let (top, left) = validated("geo_bounding_box", validation, top, left).map_err(invalid)?;
    let (bottom, right) = validated("geo_bounding_box", validation, bottom, right).map_err(invalid)?;
    // Coerced sides a whole turn apart or more take every longitude.
    let (left, right) = if validation == GeoValidation::Coerce && whole_turn { (-180.0, 180.0) } else { (left, right) };
    if top < bottom {
        return Err(EngineError::IllegalArgument(format!("top is below bottom corner: {top} vs. {bottom}")));
    }
    Ok(Query::GeoBox { field: field.clone(), top, bottom, left, right, ignore_unmapped, boost: boost(params)? })
}

/// `geo_distance`: `{"distance": "12km", "<field>": point}`.
fn geo_distance(params: &Map<String, Value>) -> Result<Query, EngineError> {
    let (field, center) = geo_field("geo_distance", params)?;
    let distance = params.get("distance").ok_or_else(|| parsing("geo_distance requires 'distance' to be specified"))?;
    let meters = crate::mapper::geo::distance_value(distance)
        .ok_or_else(|| parsing(format!("failed to parse distance [{}]", text_of(distance))))?;
    let (validation, ignore_unmapped) = geo_options("geo_distance", params)?;
    let (lat, lon) = point(center)?;
    let (lat, lon) = validated("geo_distance", validation, lat, lon)?;
    Ok(Query::GeoDistance { field: field.clone(), lat, lon, meters, ignore_unmapped, boost: boost(params)? })
}

/// A query string's `minimum_should_match`: it bounds the optional clauses
/// of the top boolean query the string made, as Elasticsearch applies it
/// (a query of one clause takes none).
pub(crate) fn with_minimum_should_match(q: &mut Query, params: &Map<String, Value>) -> Result<(), EngineError> {
    let Some(spec) = params.get("minimum_should_match").map(text_of) else { return Ok(()) };
    check_minimum_should_match(&spec)?;
    if let Query::Bool { should, minimum_should_match, .. } = q {
        if !should.is_empty() {
            *minimum_should_match = Some(spec);
        }
    }
    Ok(())
}

/// Checks a `minimum_should_match`: an integer, a percentage, or
/// conditions of them.
pub fn check_minimum_should_match(spec: &str) -> Result<(), EngineError> {
    let invalid = || parsing(format!("Invalid minimum_should_match value [{spec}]"));
    let simple = |part: &str| part.strip_suffix('%').unwrap_or(part).parse::<i64>().map(drop).map_err(|_| invalid());
    match conditions(spec) {
        Some(conditions) => conditions.iter().try_for_each(|(bound, part)| {
            bound.parse::<usize>().map_err(|_| invalid())?;
            simple(part)
        }),
        None => simple(spec.trim()),
    }
}

/// A conditional `minimum_should_match` (`3<90%`, `2<-25% 9<-3`) as its
/// conditions: above each count of clauses, the expression that applies.
/// `None` for a plain expression.
fn conditions(spec: &str) -> Option<Vec<(String, String)>> {
    if !spec.contains('<') {
        return None;
    }
    // Spaces around `<` belong to their condition.
    let mut joined = String::with_capacity(spec.len());
    for part in spec.split('<') {
        if !joined.is_empty() {
            joined.truncate(joined.trim_end().len());
            joined.push('<');
            joined.push_str(part.trim_start());
        } else {
            joined.push_str(part);
        }
    }
    Some(
        joined
            .split_whitespace()
            .map(|c| match c.split_once('<') {
                Some((bound, part)) => (bound.to_owned(), part.to_owned()),
                None => (String::new(), c.to_owned()),
            })
            .collect(),
    )
}

/// `minimum_should_match` (`2`, `-1`, `75%`, `-25%`, or conditions such as
/// `3<90%`: all clauses up to 3, 90% above) for `n` optional clauses,
/// never more than `n`.
pub fn minimum_should_match(spec: &str, n: usize) -> usize {
    let Some(conditions) = conditions(spec) else { return simple_minimum(spec.trim(), n) };
    let mut required = n;
    for (bound, part) in conditions {
        if bound.parse::<usize>().is_ok_and(|bound| n <= bound) {
            break;
        }
        required = simple_minimum(&part, n);
    }
    required
}

/// A plain `minimum_should_match` expression for `n` optional clauses.
fn simple_minimum(spec: &str, n: usize) -> usize {
    let required = if let Some(pct) = spec.strip_suffix('%') {
        let p: i64 = pct.parse().unwrap_or(0);
        let v = (n as i64 * p.abs()) / 100;
        if p < 0 {
            n as i64 - v
        } else {
            v
        }
    } else {
        let v: i64 = spec.parse().unwrap_or(0);
        if v < 0 {
            n as i64 + v
        } else {
            v
        }
    };
    required.clamp(0, n as i64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_take_a_bitmap_format_yet_a_field_may_be_called_format() {
        let bitmap = parse(&json!({"terms": {"num": "OjAAAAEAAAAAAAIAEAAAAAEAAwAFAA==", "format": "bitmap"}})).unwrap();
        assert!(matches!(&bitmap, Query::Terms { field, values, bitmap: true, .. }
            if field == "num" && *values == [json!(1), json!(3), json!(5)]));
        let field = parse(&json!({"terms": {"format": ["pdf", "docx"]}})).unwrap();
        assert!(matches!(&field, Query::Terms { field, bitmap: false, .. } if field == "format"));
        let boosted = parse(&json!({"terms": {"format": ["pdf"], "boost": 2}})).unwrap();
        assert!(matches!(&boosted, Query::Terms { field, .. } if field == "format"));
        assert!(parse(&json!({"terms": {"num": "x", "format": "csv"}})).is_err());
    }

    #[test]
    fn query_strings_over_fields_combine_as_their_type_says() {
        let tie = |options: Value| match parse(&json!({"query_string": options})) {
            Ok(Query::DisMax { tie_breaker, .. }) => Ok(tie_breaker),
            other => Err(format!("{other:?}")),
        };
        assert_eq!(tie(json!({"query": "x", "fields": ["a", "b"]})), Ok(0.0));
        assert_eq!(tie(json!({"query": "x", "fields": ["a", "b"], "tie_breaker": 0.3})), Ok(0.3));
        assert_eq!(tie(json!({"query": "x", "fields": ["a", "b"], "type": "most_fields"})), Ok(1.0));
        assert!(tie(json!({"query": "x", "fields": ["a", "b"], "type": "cross_fields"})).is_err());
    }

    #[test]
    fn rewrites_are_read_by_every_multi_term_query() {
        let fuzzy_rewrite = |method: &str| match parse(
            &json!({"match": {"f": {"query": "x", "fuzziness": 1, "fuzzy_rewrite": method}}}),
        ) {
            Ok(Query::Match { fuzzy_rewrite, .. }) => Ok(fuzzy_rewrite),
            other => Err(other),
        };
        assert!(matches!(fuzzy_rewrite("constant_score"), Ok(Some(Rewrite::ConstantScore))));
        assert!(matches!(fuzzy_rewrite("top_terms_10"), Ok(Some(Rewrite::TopTerms(10)))));
        assert!(matches!(fuzzy_rewrite("nonsense"), Err(Err(EngineError::IllegalArgument(_)))));
        let pattern = parse(&json!({"wildcard": {"f": {"value": "a*", "rewrite": "scoring_boolean"}}})).unwrap();
        assert!(matches!(pattern, Query::Pattern { rewrite: Rewrite::ScoringBoolean, .. }));
        let fuzzy = parse(&json!({"fuzzy": {"f": {"value": "a", "rewrite": "top_terms_boost_2"}}})).unwrap();
        assert!(matches!(fuzzy, Query::Fuzzy { rewrite: Some(Rewrite::TopTermsBoost(2)), .. }));
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            parse(&json!({"term": {"user": "kim"}})).unwrap(),
            Query::Term { field: "user".into(), value: json!("kim"), boost: 1.0 }
        );
        assert!(matches!(
            parse(&json!({"bool": {"must": {"match_all": {}}, "filter": [{"exists": {"field": "a"}}]}})).unwrap(),
            Query::Bool { .. }
        ));
        assert_eq!(parse(&json!({"foo": {}})).unwrap_err().to_string(), "unknown query [foo]");
        assert!(matches!(parse(&json!({"percolate": {"field": "b"}})), Err(EngineError::Unsupported(_))));
        assert_eq!((edit_distance_for("AUTO", 2).unwrap(), edit_distance_for("AUTO", 4).unwrap()), (0, 1));
        assert_eq!(edit_distance_for("AUTO:2,4", 5).unwrap(), 2);
        assert!(edit_distance_for("3", 5).is_err());
        assert!(parse(&json!({"match": {"a": "x", "b": "y"}}))
            .unwrap_err()
            .to_string()
            .contains("doesn't support multiple fields"));
        assert_eq!(
            (minimum_should_match("75%", 4), minimum_should_match("-1", 3), minimum_should_match("5", 3)),
            (3, 2, 3)
        );
        // A wrapper query is its base64 JSON read as the query.
        use base64::Engine as _;
        let inner = json!({"term": {"tag": "x"}});
        let encoded = base64::engine::general_purpose::STANDARD.encode(inner.to_string());
        assert_eq!(parse(&json!({"wrapper": {"query": encoded}})).unwrap(), parse(&inner).unwrap());
        assert!(matches!(parse(&json!({"wrapper": {"query": "%%"}})), Err(EngineError::Parsing(_))));
        // Conditions: all clauses up to the bound, the expression past it.
        assert_eq!((minimum_should_match("3<90%", 3), minimum_should_match("3<90%", 10)), (3, 9));
        let two = |n| minimum_should_match("2<-25% 9 < -3", n);
        assert_eq!((two(2), two(4), two(9), two(12)), (2, 3, 7, 9));
        assert!(check_minimum_should_match("2<-25% 9<-3").is_ok());
        assert!(check_minimum_should_match("x<2").is_err() && check_minimum_should_match("2<y").is_err());
    }
}
