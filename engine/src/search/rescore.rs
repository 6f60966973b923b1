//! Rescoring: the top `window_size` hits of a search scored again by a
//! second query (`rescore.query`), their scores combined by `score_mode`
//! and weighted, then reordered; hits beyond the window are weighted as
//! if the rescore query missed them. Rescorers apply in turn.

use super::dsl::{self, Query};
use super::{compile, score_of, Collected};
use crate::error::EngineError;
use crate::Engine;
use serde_json::{Map, Value};

/// How a rescore query's score combines with a hit's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreMode {
    Total,
    Multiply,
    Avg,
    Max,
    Min,
}

/// One query rescorer.
#[derive(Debug, Clone)]
pub struct Rescore {
    pub window_size: usize,
    pub query: Query,
    pub query_weight: f32,
    pub rescore_query_weight: f32,
    pub score_mode: ScoreMode,
}

fn parsing(reason: impl Into<String>) -> EngineError {
    EngineError::Parsing(reason.into())
}

fn weight(o: &Map<String, Value>, key: &str) -> Result<f32, EngineError> {
    match o.get(key) {
        None => Ok(1.0),
        Some(v) => v.as_f64().map(|w| w as f32).ok_or_else(|| parsing(format!("[{key}] must be a number"))),
    }
}

fn one(v: &Value) -> Result<Rescore, EngineError> {
    let Value::Object(map) = v else { return Err(parsing("[rescore] must be an object")) };
    if let Some(k) = map.keys().find(|k| !["window_size", "query"].contains(&k.as_str())) {
        return Err(EngineError::Unsupported(format!("the [{k}] rescorer")));
    }
    let Some(Value::Object(q)) = map.get("query") else { return Err(parsing("[rescore] requires a [query]")) };
    if let Some(k) = q
        .keys()
        .find(|k| !["rescore_query", "query_weight", "rescore_query_weight", "score_mode"].contains(&k.as_str()))
    {
        return Err(parsing(format!("[query] rescorer does not support [{k}]")));
    }
    let query =
        dsl::parse(q.get("rescore_query").ok_or_else(|| parsing("[query] rescorer requires [rescore_query]"))?)?;
    Ok(Rescore {
        window_size: match map.get("window_size") {
            None => 10,
            Some(w) => w.as_u64().ok_or_else(|| parsing("[window_size] must be a positive number"))? as usize,
        },
        query,
        query_weight: weight(q, "query_weight")?,
        rescore_query_weight: weight(q, "rescore_query_weight")?,
        score_mode: match q.get("score_mode").and_then(Value::as_str) {
            None | Some("total") => ScoreMode::Total,
            Some("multiply") => ScoreMode::Multiply,
            Some("avg") => ScoreMode::Avg,
            Some("max") => ScoreMode::Max,
            Some("min") => ScoreMode::Min,
            Some(other) => return Err(parsing(format!("illegal score_mode [{other}]"))),
        },
    })
}

/// Reads a body's `rescore`: one rescorer or a list of them.
pub fn parse(v: &Value) -> Result<Vec<Rescore>, EngineError> {
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

impl Rescore {
    fn combine(&self, original: f32, rescored: Option<f32>) -> f32 {
        let primary = original * self.query_weight;
        let Some(r) = rescored else { return primary };
        let secondary = r * self.rescore_query_weight;
        match self.score_mode {
            ScoreMode::Total => primary + secondary,
            ScoreMode::Multiply => primary * secondary,
            ScoreMode::Avg => (primary + secondary) / 2.0,
            ScoreMode::Max => primary.max(secondary),
            ScoreMode::Min => primary.min(secondary),
        }
    }
}

impl Engine {
    /// Refuses a rescore window beyond `index.max_rescore_window`.
    pub(crate) fn check_rescore(&self, indices: &[String], rescorers: &[Rescore]) -> Result<(), EngineError> {
        for index in indices {
            let max = self.index_setting(index, "index.max_rescore_window").unwrap_or(10_000usize);
            if let Some(r) = rescorers.iter().find(|r| r.window_size > max) {
                return Err(EngineError::IllegalArgument(format!(
                    "Rescore window [{}] is too large. It must be less than [{max}]. This prevents allocating massive heaps for storing the results to be rescored. This limit can be set by changing the [index.max_rescore_window] index level setting.",
                    r.window_size
                )));
            }
        }
        Ok(())
    }

    /// Rescores the top of collected hits (ordered by score), rescorer by rescorer.
    pub(crate) fn rescore(
        &self,
        indices: &[String],
        collected: &mut Collected,
        rescorers: &[Rescore],
    ) -> Result<(), EngineError> {
        for r in rescorers {
            let window = r.window_size.min(collected.found.len());
            let mut compiled: Vec<Option<compile::Compiled>> = (0..indices.len()).map(|_| None).collect();
            for f in &mut collected.found[..window] {
                let at = &collected.searchers[f.index][f.shard];
                if compiled[f.index].is_none() {
                    compiled[f.index] = Some(self.compile_for(&indices[f.index], &at.shards.mapper(), &r.query)?);
                }
                let query = compiled[f.index].as_deref().expect("compiled above");
                let failed = |e| EngineError::Corrupt { path: indices[f.index].clone().into(), reason: format!("{e}") };
                let rescored = score_of(query, &at.searcher, f.address).map_err(failed)?;
                f.score = r.combine(f.score, rescored);
            }
            // Hits beyond the window count as rescored ones the second
            // query did not match (their score weighted), as Elasticsearch's
            // `QueryRescorer` splices them back; all by the new scores, the
            // order of ties kept.
            let beyond = &mut collected.found[window..];
            beyond.iter_mut().for_each(|f| f.score = r.combine(f.score, None));
            let resorted = if beyond.is_empty() { &mut collected.found[..window] } else { &mut collected.found[..] };
            resorted.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        Ok(())
    }
}
