//! The `rank_feature` query: documents holding a `rank_feature` field (or
//! a feature of a `rank_features` field), scored by a function of its
//! value: `saturation` (`S / (S + pivot)`), `log` (`ln(scaling_factor +
//! S)`), `sigmoid` (`S^a / (S^a + pivot^a)`) or `linear` (`S`); with
//! `positive_score_impact: false`, the functions read `1 / value`, as
//! Elasticsearch indexes such features (and `log` is refused there).

use super::listed::Listed;
use serde_json::Value;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// How a feature's value becomes a score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankFunction {
    /// `pivot` `None`: the geometric mean of the field's values.
    Saturation {
        pivot: Option<f64>,
    },
    Log {
        scaling_factor: f64,
    },
    Sigmoid {
        pivot: f64,
        exponent: f64,
    },
    Linear,
}

impl RankFunction {
    /// Reads a `rank_feature` query's function; saturation when none is named.
    pub fn parse(params: &serde_json::Map<String, Value>) -> Result<RankFunction, crate::EngineError> {
        let parsing = |r: String| crate::EngineError::Parsing(r);
        let named: Vec<&str> =
            ["saturation", "log", "sigmoid", "linear"].into_iter().filter(|k| params.contains_key(*k)).collect();
        if named.len() > 1 {
            return Err(parsing("Can only specify one of [log], [saturation], [sigmoid] and [linear]".into()));
        }
        let number = |f: &str, k: &str| -> Result<f64, crate::EngineError> {
            params[f].get(k).and_then(Value::as_f64).ok_or_else(|| parsing(format!("[{f}] requires a [{k}]")))
        };
        let positive = |f: &str, k: &str, v: f64, min: f64| -> Result<f64, crate::EngineError> {
            if v > min || (min == 1.0 && v >= min) {
                Ok(v)
            } else {
                Err(crate::EngineError::IllegalArgument(format!(
                    "[{f}] {k} must be {} {min}, got {v}",
                    if min == 1.0 { ">=" } else { ">" }
                )))
            }
        };
        for f in &named {
            let known: &[&str] = match *f {
                "saturation" => &["pivot"],
                "log" => &["scaling_factor"],
                "sigmoid" => &["pivot", "exponent"],
                _ => &[],
            };
            if let Some(k) = params[*f].as_object().and_then(|o| o.keys().find(|k| !known.contains(&k.as_str()))) {
                return Err(parsing(format!("[{f}] unknown field [{k}]")));
            }
        }
        Ok(match named.first().copied() {
            None => RankFunction::Saturation { pivot: None },
            Some("saturation") if params["saturation"].get("pivot").is_some_and(|p| !p.is_number()) => {
                return Err(parsing("[saturation] [pivot] must be a number".into()))
            }
            Some("saturation") => RankFunction::Saturation {
                pivot: params["saturation"]
                    .get("pivot")
                    .and_then(Value::as_f64)
                    .map(|p| positive("saturation", "pivot", p, 0.0))
                    .transpose()?,
            },
            Some("log") => RankFunction::Log {
                scaling_factor: positive("log", "scaling_factor", number("log", "scaling_factor")?, 1.0)?,
            },
            Some("sigmoid") => RankFunction::Sigmoid {
                pivot: positive("sigmoid", "pivot", number("sigmoid", "pivot")?, 0.0)?,
                exponent: positive("sigmoid", "exponent", number("sigmoid", "exponent")?, 0.0)?,
            },
            _ => RankFunction::Linear,
        })
    }

    fn score(self, value: f64, pivot: f64) -> f64 {
        match self {
            RankFunction::Saturation { .. } => value / (value + pivot),
            RankFunction::Log { scaling_factor } => (scaling_factor + value).ln(),
            RankFunction::Sigmoid { pivot, exponent } => {
                value.powf(exponent) / (value.powf(exponent) + pivot.powf(exponent))
            }
            RankFunction::Linear => value,
        }
    }
}

/// The compiled query over one feature's path.
#[derive(Debug, Clone)]
pub(crate) struct RankFeatureQuery {
    /// The `_exists` term of the feature's path.
    pub exists: Term,
    /// Its `_terms` column.
    pub column: String,
    pub function: RankFunction,
    pub positive: bool,
}

impl RankFeatureQuery {
    /// The value the functions read: the feature, or its inverse when a
    /// greater value scores less.
    fn stored(&self, value: f64) -> f64 {
        if self.positive {
            value
        } else {
            1.0 / value
        }
    }
}

impl TQuery for RankFeatureQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Saturation's default pivot: the geometric mean of the values.
        let pivot = match (self.function, scoring.searcher()) {
            (RankFunction::Saturation { pivot: Some(p) }, _) => p,
            (RankFunction::Saturation { pivot: None }, Some(searcher)) => {
                let (mut logs, mut n) = (0.0, 0.0);
                for segment in searcher.segment_readers() {
                    let columns = super::sort::columns(segment, &self.column)?;
                    let key = format!("logarithms of {} ({})", self.column, self.positive);
                    let (segment_logs, segment_n) = super::segment_cache::cached(segment, &key, || {
                        let (mut logs, mut n) = (0.0, 0.0);
                        for doc in 0..segment.max_doc() {
                            if let Some(v) = super::sort::first_number(&columns, doc).filter(|v| *v > 0.0) {
                                logs += self.stored(v).ln();
                                n += 1.0;
                            }
                        }
                        (logs, n)
                    });
                    logs += segment_logs;
                    n += segment_n;
                }
                if n == 0.0 {
                    1.0
                } else {
                    (logs / n).exp()
                }
            }
            _ => 1.0,
        };
        let exists = TermQuery::new(self.exists.clone(), IndexRecordOption::Basic)
            .weight(EnableScoring::disabled_from_schema(scoring.schema()))?;
        Ok(Box::new(RankFeatureWeight { query: self.clone(), exists, pivot }))
    }
}

struct RankFeatureWeight {
    query: RankFeatureQuery,
    exists: Box<dyn Weight>,
    pivot: f64,
}

impl Weight for RankFeatureWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = self.exists.scorer(reader, 1.0)?;
        let columns = super::sort::columns(reader, &self.query.column)?;
        let mut scored = Vec::new();
        let mut doc = docs.doc();
        while doc != TERMINATED {
            if let Some(v) = super::sort::first_number(&columns, doc) {
                let score = self.query.function.score(self.query.stored(v), self.pivot);
                scored.push((doc, score as Score * boost));
            }
            doc = docs.advance();
        }
        Ok(Box::new(Listed::new(scored)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(self, reader, doc, "rank feature function of the value")
    }
}

#[cfg(test)]
mod tests {
    use super::RankFunction;

    #[test]
    fn functions_score_as_elasticsearch_documents() {
        let s = RankFunction::Saturation { pivot: Some(8.0) };
        assert!((s.score(8.0, 8.0) - 0.5).abs() < 1e-12);
        assert!((RankFunction::Log { scaling_factor: 1.0 }.score(std::f64::consts::E - 1.0, 0.0) - 1.0).abs() < 1e-12);
        let sig = RankFunction::Sigmoid { pivot: 2.0, exponent: 1.0 };
        assert!((sig.score(2.0, 0.0) - 0.5).abs() < 1e-12);
        assert_eq!(RankFunction::Linear.score(3.0, 0.0), 3.0);
        let parse = |v: serde_json::Value| RankFunction::parse(v.as_object().unwrap());
        assert!(parse(serde_json::json!({"saturation": {"pivot": 0}})).is_err());
        assert!(parse(serde_json::json!({"log": {"scaling_factor": 0.5}})).is_err());
        assert!(parse(serde_json::json!({"sigmoid": {"pivot": 1, "exponent": 0}})).is_err());
        assert!(parse(serde_json::json!({"linear": {"x": 1}})).is_err());
    }
}
