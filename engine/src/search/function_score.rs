//! `function_score` (and `boosting`, which is one): a query's scores
//! changed by functions of each document (a weight, a field's value, a
//! random number, a decay with the distance to an origin), each applying
//! where its filter matches, combined by `score_mode` and then with the
//! query's score by `boost_mode`. The scorer wraps the query's (tantivy
//! has no such query) and reads fields from their columns.

use super::dsl::{parsing, Query};
use crate::error::EngineError;
use serde_json::{Map, Value};
use tantivy::columnar::DynamicColumn;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// How functions' results combine, and how that combines with the query's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    Multiply,
    Sum,
    Avg,
    First,
    Max,
    Min,
    /// `boost_mode: replace`: the functions' score alone.
    Replace,
}

impl Combine {
    fn parse(text: &str, boost_mode: bool) -> Result<Combine, EngineError> {
        Ok(match text {
            "multiply" => Combine::Multiply,
            "sum" => Combine::Sum,
            "avg" => Combine::Avg,
            "max" => Combine::Max,
            "min" => Combine::Min,
            "first" if !boost_mode => Combine::First,
            "replace" if boost_mode => Combine::Replace,
            other => return Err(parsing(format!("failed to parse [function_score] mode [{other}]"))),
        })
    }
}

/// A decay's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decay {
    Gauss,
    Exp,
    Linear,
}

/// `field_value_factor`'s modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    None,
    Log,
    Log1p,
    Log2p,
    Ln,
    Ln1p,
    Ln2p,
    Square,
    Sqrt,
    Reciprocal,
}

impl Modifier {
    fn apply(self, v: f64) -> f64 {
        match self {
            Modifier::None => v,
            Modifier::Log => v.log10(),
            Modifier::Log1p => (v + 1.0).log10(),
            Modifier::Log2p => (v + 2.0).log10(),
            Modifier::Ln => v.ln(),
            Modifier::Ln1p => v.ln_1p(),
            Modifier::Ln2p => (v + 2.0).ln(),
            Modifier::Square => v * v,
            Modifier::Sqrt => v.sqrt(),
            Modifier::Reciprocal => 1.0 / v,
        }
    }
}

/// What one function computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// Only the weight.
    Weight,
    FieldValueFactor {
        field: String,
        factor: f64,
        modifier: Modifier,
        missing: Option<f64>,
    },
    /// A random number by seed and document (`field`: by the field's value).
    Random {
        seed: u64,
        field: Option<String>,
    },
    /// `origin`, `scale` and `offset` as given; read against the field's type when compiled.
    Decay {
        shape: Decay,
        field: String,
        origin: Option<Value>,
        scale: Value,
        offset: Option<Value>,
        decay: f64,
        mode: DistanceMode,
    },
}

/// A decay's `multi_value_mode`: which distance of a document's values
/// decays (the least by default), or their average or sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMode {
    Min,
    Max,
    Avg,
    Sum,
}

impl DistanceMode {
    fn parse(name: &str) -> Option<DistanceMode> {
        Some(match name.to_ascii_lowercase().as_str() {
            "min" => DistanceMode::Min,
            "max" => DistanceMode::Max,
            "avg" => DistanceMode::Avg,
            "sum" => DistanceMode::Sum,
            _ => return None,
        })
    }

    /// The distance of a document's values (`None` without values).
    fn select(self, distances: impl Iterator<Item = f64>) -> Option<f64> {
        let (mut count, mut total, mut least, mut most) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for d in distances {
            count += 1;
            total += d;
            least = least.min(d);
            most = most.max(d);
        }
        (count > 0).then(|| match self {
            DistanceMode::Min => least,
            DistanceMode::Max => most,
            DistanceMode::Avg => total / count as f64,
            DistanceMode::Sum => total,
        })
    }
}

/// One function with its filter and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFunction {
    pub filter: Option<Query>,
    pub weight: f64,
    pub function: Function,
}

fn number(v: &Value, what: &str) -> Result<f64, EngineError> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| parsing(format!("[{what}] must be a number")))
}

/// The function an object names (`weight` alone when it names none).
fn function_of(o: &Map<String, Value>) -> Result<Option<Function>, EngineError> {
    for (k, v) in o {
        let f = match k.as_str() {
            "field_value_factor" => {
                let Value::Object(p) = v else { return Err(parsing("[field_value_factor] must be an object")) };
                let field = p
                    .get("field")
                    .and_then(Value::as_str)
                    .ok_or_else(|| parsing("[field_value_factor] requires a [field]"))?;
                let modifier = match p.get("modifier").and_then(Value::as_str).unwrap_or("none") {
                    "none" => Modifier::None,
                    "log" => Modifier::Log,
                    "log1p" => Modifier::Log1p,
                    "log2p" => Modifier::Log2p,
                    "ln" => Modifier::Ln,
                    "ln1p" => Modifier::Ln1p,
                    "ln2p" => Modifier::Ln2p,
                    "square" => Modifier::Square,
                    "sqrt" => Modifier::Sqrt,
                    "reciprocal" => Modifier::Reciprocal,
                    other => return Err(parsing(format!("Illegal modifier: {other}"))),
                };
                Function::FieldValueFactor {
                    field: field.to_owned(),
                    factor: p.get("factor").map(|f| number(f, "factor")).transpose()?.unwrap_or(1.0),
                    modifier,
                    missing: p.get("missing").map(|m| number(m, "missing")).transpose()?,
                }
            }
            "random_score" => {
                let p = v.as_object();
                if let Some(field) = p.and_then(|p| p.get("field")).and_then(Value::as_str) {
                    if field == "_id" {
                        return Err(EngineError::IllegalArgument(
                            "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled".into(),
                        ));
                    }
                }
                let seed = p.and_then(|p| p.get("seed")).map_or(0, |s| match s {
                    Value::Number(n) => n.as_u64().unwrap_or(n.as_i64().unwrap_or(0) as u64),
                    other => crate::settings_text(other)
                        .bytes()
                        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
                });
                let field = p.and_then(|p| p.get("field")).and_then(Value::as_str).filter(|f| *f != "_seq_no");
                Function::Random { seed, field: field.map(str::to_owned) }
            }
            "gauss" | "exp" | "linear" => {
                let shape = match k.as_str() {
                    "gauss" => Decay::Gauss,
                    "exp" => Decay::Exp,
                    _ => Decay::Linear,
                };
                let Value::Object(p) = v else { return Err(parsing(format!("[{k}] must be an object"))) };
                let (field, spec) = p
                    .iter()
                    .find(|(name, _)| !["multi_value_mode"].contains(&name.as_str()))
                    .ok_or_else(|| parsing(format!("[{k}] requires a field")))?;
                let mode = match p.get("multi_value_mode") {
                    None => DistanceMode::Min,
                    Some(m) => {
                        let name = crate::settings_text(m);
                        DistanceMode::parse(&name)
                            .ok_or_else(|| EngineError::IllegalArgument(format!("Unknown MultiValueMode [{name}]")))?
                    }
                };
                let Value::Object(spec) = spec else {
                    return Err(parsing(format!("[{k}] on [{field}] must be an object")));
                };
                Function::Decay {
                    shape,
                    field: field.clone(),
                    origin: spec.get("origin").cloned(),
                    scale: spec.get("scale").cloned().ok_or_else(|| parsing(format!("[{k}] requires a [scale]")))?,
                    offset: spec.get("offset").cloned(),
                    decay: spec.get("decay").map(|d| number(d, "decay")).transpose()?.unwrap_or(0.5),
                    mode,
                }
            }
            "script_score" => return Err(EngineError::Unsupported("the [script_score] function".into())),
            _ => continue,
        };
        return Ok(Some(f));
    }
    Ok(None)
}

/// One entry of `functions` (or the query's own top-level function).
fn score_function(o: &Map<String, Value>) -> Result<ScoreFunction, EngineError> {
    let weight = o.get("weight").map(|w| number(w, "weight")).transpose()?;
    let function = function_of(o)?;
    if function.is_none() && weight.is_none() {
        return Err(parsing("failed to parse [function_score]: a function needs a weight or a score function"));
    }
    Ok(ScoreFunction {
        filter: o.get("filter").map(super::dsl::parse).transpose()?,
        weight: weight.unwrap_or(1.0),
        function: function.unwrap_or(Function::Weight),
    })
}

/// The parts of a `function_score` query.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionScore {
    pub query: Box<Query>,
    pub functions: Vec<ScoreFunction>,
    pub score_mode: Combine,
    pub boost_mode: Combine,
    pub max_boost: f64,
    pub min_score: Option<f32>,
    pub boost: f32,
}

/// Reads a `function_score` query.
pub fn parse(params: &Map<String, Value>) -> Result<FunctionScore, EngineError> {
    const KNOWN: &[&str] = &[
        "query",
        "functions",
        "score_mode",
        "boost_mode",
        "max_boost",
        "min_score",
        "boost",
        "_name",
        "weight",
        "field_value_factor",
        "random_score",
        "gauss",
        "exp",
        "linear",
        "script_score",
        "filter",
    ];
    if let Some(k) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(parsing(format!("function_score query does not support [{k}]")));
    }
    let query = match params.get("query") {
        Some(q) => super::dsl::parse(q)?,
        None => Query::MatchAll { boost: 1.0 },
    };
    let mut functions = Vec::new();
    if let Some(list) = params.get("functions") {
        let Value::Array(items) = list else { return Err(parsing("[functions] must be an array")) };
        for item in items {
            let Value::Object(o) = item else { return Err(parsing("[functions] entries must be objects")) };
            functions.push(score_function(o)?);
        }
    }
    if params.keys().any(|k| {
        ["weight", "field_value_factor", "random_score", "gauss", "exp", "linear", "script_score"].contains(&k.as_str())
    }) {
        if !functions.is_empty() {
            return Err(parsing("already found [functions] array, now encountering a single function"));
        }
        let mut own = params.clone();
        own.remove("filter");
        functions.push(score_function(&own)?);
    }
    let mode = |key: &str, default: Combine, boost_mode| match params.get(key).and_then(Value::as_str) {
        Some(m) => Combine::parse(m, boost_mode),
        None => Ok(default),
    };
    Ok(FunctionScore {
        query: Box::new(query),
        functions,
        score_mode: mode("score_mode", Combine::Multiply, false)?,
        boost_mode: mode("boost_mode", Combine::Multiply, true)?,
        max_boost: params.get("max_boost").map(|m| number(m, "max_boost")).transpose()?.unwrap_or(f64::from(f32::MAX)),
        min_score: params.get("min_score").map(|m| number(m, "min_score")).transpose()?.map(|m| m as f32),
        boost: params.get("boost").map(|b| number(b, "boost")).transpose()?.unwrap_or(1.0) as f32,
    })
}

/// Reads a `boosting` query: the positive query's scores, times
/// `negative_boost` where the negative query also matches.
pub fn boosting(params: &Map<String, Value>) -> Result<FunctionScore, EngineError> {
    let positive = params.get("positive").ok_or_else(|| parsing("[boosting] query requires [positive] query"))?;
    let negative = params.get("negative").ok_or_else(|| parsing("[boosting] query requires [negative] query"))?;
    let negative_boost = params
        .get("negative_boost")
        .ok_or_else(|| parsing("[boosting] query requires [negative_boost] query"))
        .and_then(|b| number(b, "negative_boost"))?;
    Ok(FunctionScore {
        query: Box::new(super::dsl::parse(positive)?),
        functions: vec![ScoreFunction {
            filter: Some(super::dsl::parse(negative)?),
            weight: negative_boost,
            function: Function::Weight,
        }],
        score_mode: Combine::Multiply,
        boost_mode: Combine::Multiply,
        max_boost: f64::from(f32::MAX),
        min_score: None,
        boost: params.get("boost").map(|b| number(b, "boost")).transpose()?.unwrap_or(1.0) as f32,
    })
}

/// A function ready to run: its filter compiled, its field's column named
/// and its decay read as numbers of the field's unit.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub filter: Option<Box<dyn TQuery>>,
    pub weight: f64,
    pub kind: CompiledKind,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledKind {
    Weight,
    Factor {
        column: String,
        factor: f64,
        modifier: Modifier,
        missing: Option<f64>,
    },
    Random {
        seed: u64,
        column: Option<String>,
    },
    /// A decay over a number's (or date's) column, or a point's latitude
    /// and longitude columns (`lon_column`, distances then in metres).
    Decay {
        shape: Decay,
        column: String,
        lon_column: Option<String>,
        origin: (f64, f64),
        scale: f64,
        offset: f64,
        decay: f64,
        mode: DistanceMode,
    },
    /// `distance_feature`: `pivot / (pivot + distance)` to an origin, by a
    /// number's (or date's) column, or a point's latitude and longitude
    /// columns (`lon_column`, the distance then in metres).
    Saturation {
        column: String,
        lon_column: Option<String>,
        origin: (f64, f64),
        pivot: f64,
    },
}

impl Clone for Compiled {
    fn clone(&self) -> Self {
        Compiled { filter: self.filter.as_ref().map(|f| f.box_clone()), weight: self.weight, kind: self.kind.clone() }
    }
}

/// The compiled query.
#[derive(Debug)]
pub(crate) struct FunctionScoreQuery {
    pub inner: Box<dyn TQuery>,
    pub functions: Vec<Compiled>,
    pub score_mode: Combine,
    pub boost_mode: Combine,
    pub max_boost: f64,
    pub min_score: Option<f32>,
    pub boost: f32,
}

impl Clone for FunctionScoreQuery {
    fn clone(&self) -> Self {
        FunctionScoreQuery {
            inner: self.inner.box_clone(),
            functions: self.functions.clone(),
            score_mode: self.score_mode,
            boost_mode: self.boost_mode,
            max_boost: self.max_boost,
            min_score: self.min_score,
            boost: self.boost,
        }
    }
}

impl TQuery for FunctionScoreQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Filters only select: they need no scores.
        let unscored = || match scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(scoring.schema()),
        };
        let filters = self
            .functions
            .iter()
            .map(|f| f.filter.as_ref().map(|q| q.weight(unscored())).transpose())
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(FunctionWeight { inner: self.inner.weight(scoring)?, filters, query: self.clone() }))
    }
}

struct FunctionWeight {
    inner: Box<dyn Weight>,
    filters: Vec<Option<Box<dyn Weight>>>,
    query: FunctionScoreQuery,
}

impl Weight for FunctionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        let mut filters = Vec::new();
        let mut values = Vec::new();
        let mut more_values = Vec::new();
        for (f, weight) in self.query.functions.iter().zip(&self.filters) {
            filters.push(match weight {
                Some(w) => Some(w.scorer(reader, 1.0)?),
                None => None,
            });
            values.push(match &f.kind {
                CompiledKind::Factor { column, .. } | CompiledKind::Decay { column, .. } => {
                    super::sort::columns(reader, column)?
                }
                CompiledKind::Random { column: Some(column), .. } => super::sort::columns(reader, column)?,
                CompiledKind::Saturation { column, .. } => super::sort::columns(reader, column)?,
                _ => Vec::new(),
            });
            more_values.push(match &f.kind {
                CompiledKind::Saturation { lon_column: Some(column), .. }
                | CompiledKind::Decay { lon_column: Some(column), .. } => super::sort::columns(reader, column)?,
                _ => Vec::new(),
            });
        }
        let seq_no = reader.fast_fields().u64("_seq_no").ok();
        let mut scorer = FunctionScorer {
            inner,
            filters,
            values,
            more_values,
            seq_no,
            query: self.query.clone(),
            boost,
            score: 0.0,
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(
            self,
            reader,
            doc,
            "function score, computed as the functions and boost_mode say",
        )
    }
}

struct FunctionScorer {
    inner: Box<dyn Scorer>,
    filters: Vec<Option<Box<dyn Scorer>>>,
    values: Vec<Vec<DynamicColumn>>,
    /// A function's second columns (a point's longitudes).
    more_values: Vec<Vec<DynamicColumn>>,
    seq_no: Option<tantivy::columnar::Column<u64>>,
    query: FunctionScoreQuery,
    boost: Score,
    /// The current document's final score.
    score: Score,
}

/// A decay's value at a distance `d` (past the offset) from the origin.
fn decayed(shape: Decay, scale: f64, decay: f64, d: f64) -> f64 {
    match shape {
        Decay::Gauss => {
            let sigma2 = -scale * scale / (2.0 * decay.ln());
            (-(d * d) / (2.0 * sigma2)).exp()
        }
        Decay::Exp => (decay.ln() / scale * d).exp(),
        Decay::Linear => {
            let s = scale / (1.0 - decay);
            ((s - d) / s).max(0.0)
        }
    }
}

impl FunctionScorer {
    /// One function's value for a document, if it applies.
    fn function(&mut self, i: usize, doc: DocId) -> Option<f64> {
        if let Some(filter) = &mut self.filters[i] {
            if filter.doc() < doc {
                filter.seek(doc);
            }
            if filter.doc() != doc {
                return None;
            }
        }
        let f = &self.query.functions[i];
        let value = match &f.kind {
            CompiledKind::Weight => 1.0,
            CompiledKind::Factor { factor, modifier, missing, .. } => {
                let v = super::sort::first_number(&self.values[i], doc).or(*missing).unwrap_or(1.0);
                modifier.apply(v * factor)
            }
            CompiledKind::Random { seed, column } => {
                let key = match column {
                    Some(_) => super::sort::first_number(&self.values[i], doc).map_or(0, f64::to_bits),
                    None => self.seq_no.as_ref().and_then(|c| c.first(doc)).unwrap_or(u64::from(doc)),
                };
                // splitmix64 of the seed and the document: stable for both.
                let mut z = seed.wrapping_add(key.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                (z >> 40) as f64 / (1u64 << 24) as f64
            }
            CompiledKind::Saturation { lon_column, origin, pivot, .. } => {
                let distance = match (super::sort::first_number(&self.values[i], doc), lon_column) {
                    (Some(lat), Some(_)) => super::sort::first_number(&self.more_values[i], doc)
                        .map(|lon| crate::mapper::geo::arc_distance(origin.0, origin.1, lat, lon)),
                    (Some(v), None) => Some((v - origin.0).abs()),
                    (None, _) => None,
                };
                distance.map_or(0.0, |d| pivot / (pivot + d))
            }
            CompiledKind::Decay { shape, lon_column, origin, scale, offset, decay, mode, .. } => {
                let values = super::sort::numbers(&self.values[i], doc);
                let distance = match lon_column {
                    Some(_) => {
                        let points = values.zip(super::sort::numbers(&self.more_values[i], doc));
                        mode.select(
                            points.map(|(lat, lon)| crate::mapper::geo::arc_distance(origin.0, origin.1, lat, lon)),
                        )
                    }
                    None => mode.select(values.map(|v| (v - origin.0).abs())),
                };
                // A document without the field is not decayed.
                distance.map_or(1.0, |d| decayed(*shape, *scale, *decay, (d - offset).max(0.0)))
            }
        };
        Some(value * f.weight)
    }

    /// The current document's score (`None`: it falls under `min_score`).
    fn compute(&mut self) -> Option<Score> {
        let doc = self.inner.doc();
        let query_score = f64::from(self.inner.score());
        // Each applying function's value, with its weight.
        let mut applied: Vec<(f64, f64)> = Vec::new();
        for i in 0..self.query.functions.len() {
            if let Some(v) = self.function(i, doc) {
                applied.push((v, self.query.functions[i].weight));
                if self.query.score_mode == Combine::First {
                    break;
                }
            }
        }
        let functions = if applied.is_empty() {
            1.0
        } else {
            let values = applied.iter().map(|(v, _)| *v);
            match self.query.score_mode {
                Combine::Multiply => values.product(),
                Combine::Sum => values.sum(),
                Combine::Avg => {
                    // Weighted average: the applying functions' weights divide the sum.
                    let weights: f64 = applied.iter().map(|(_, w)| w).sum();
                    values.sum::<f64>() / if weights > 0.0 { weights } else { applied.len() as f64 }
                }
                Combine::First => applied[0].0,
                Combine::Max => values.fold(f64::MIN, f64::max),
                Combine::Min | Combine::Replace => values.fold(f64::MAX, f64::min),
            }
        }
        .min(self.query.max_boost);
        let combined = match self.query.boost_mode {
            Combine::Multiply | Combine::First => query_score * functions,
            Combine::Replace => functions,
            Combine::Sum => query_score + functions,
            Combine::Avg => (query_score + functions) / 2.0,
            Combine::Max => query_score.max(functions),
            Combine::Min => query_score.min(functions),
        };
        let score = (combined as f32)
            * self.query.boost
            * if self.query.boost_mode == Combine::Replace { self.boost } else { 1.0 };
        match self.query.min_score {
            Some(min) if score < min => None,
            _ => Some(score),
        }
    }

    /// Moves to the first document at or after the inner one that passes `min_score`.
    fn settle(&mut self) -> DocId {
        loop {
            if self.inner.doc() == TERMINATED {
                return TERMINATED;
            }
            if let Some(score) = self.compute() {
                self.score = score;
                return self.inner.doc();
            }
            self.inner.advance();
        }
    }
}

impl DocSet for FunctionScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance();
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for FunctionScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_halve_at_the_scale() {
        for shape in [Decay::Gauss, Decay::Exp, Decay::Linear] {
            assert!((decayed(shape, 10.0, 0.5, 10.0) - 0.5).abs() < 1e-9, "{shape:?}");
            assert!((decayed(shape, 10.0, 0.5, 0.0) - 1.0).abs() < 1e-9, "{shape:?}");
        }
        assert!((Modifier::Log1p.apply(9.0) - 1.0).abs() < 1e-12);
    }
}
