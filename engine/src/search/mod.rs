//! Search: a request's query run over the shards of the indices it names,
//! the top hits merged across them, and their documents fetched.
//!
//! - [`dsl`]: the query DSL read into a typed tree;
//! - [`compile`]: that tree turned into a tantivy query over a mapping.

pub mod compile;
pub mod dsl;

use crate::error::EngineError;
use crate::Engine;
use tantivy::collector::{Count, TopDocs};
use tantivy::DocAddress;

/// How many hits the total counts exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackTotal {
    /// Count every hit.
    All,
    /// Count up to this many, then report `gte`.
    UpTo(u64),
    /// No total in the answer.
    Off,
}

/// What a search asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: dsl::Query,
    pub from: usize,
    pub size: usize,
    pub track_total_hits: TrackTotal,
    pub min_score: Option<f32>,
}

/// One hit, with what the answer may show of it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub index: String,
    pub score: f32,
    pub doc: crate::StoredDoc,
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    /// Every matching document (capped as `track_total_hits` says).
    pub total: u64,
    /// Whether `total` is exact.
    pub total_exact: bool,
    pub max_score: Option<f32>,
    pub hits: Vec<Hit>,
    /// The shards searched.
    pub shards: u32,
}

/// A hit found on a shard, before its document is fetched.
struct Found {
    score: f32,
    index: usize,
    shard: usize,
    address: DocAddress,
}

/// Elasticsearch's default `index.max_result_window`.
pub const MAX_RESULT_WINDOW: usize = 10_000;

impl Engine {
    /// Runs a search over the named (resolved, open) indices.
    pub fn search(&self, indices: &[String], req: &SearchRequest) -> Result<SearchResult, EngineError> {
        for name in indices {
            let window = self
                .metadata()
                .indices
                .get(name)
                .and_then(|m| m.setting("index.max_result_window"))
                .and_then(|w| w.parse().ok())
                .unwrap_or(MAX_RESULT_WINDOW);
            if req.from + req.size > window {
                return Err(EngineError::IllegalArgument(format!(
                    "Result window is too large, from + size must be less than or equal to: [{window}] but was [{}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.",
                    req.from + req.size
                )));
            }
        }
        let fields = crate::indexed::fields();
        let wanted = req.from + req.size;
        let mut total = 0u64;
        let mut shards_searched = 0u32;
        let mut found: Vec<Found> = Vec::new();
        let mut open = Vec::new();
        for (i, name) in indices.iter().enumerate() {
            self.check_block(name, crate::blocks::Access::Read)?;
            let shards = self.index_shards(name)?;
            let mapper = shards.mapper();
            let query = compile::Compiler { mapper: &mapper, fields: &fields }.compile(&req.query)?;
            for (s, shard) in shards.shards.iter().enumerate() {
                shards_searched += 1;
                let searcher = shard.searcher();
                let search = |e| EngineError::Corrupt { path: name.into(), reason: format!("search failed: {e}") };
                total += searcher.search(&query, &Count).map_err(search)? as u64;
                if wanted > 0 {
                    let top = searcher.search(&query, &TopDocs::with_limit(wanted).order_by_score()).map_err(search)?;
                    found.extend(top.into_iter().map(|(score, address)| Found { score, index: i, shard: s, address }));
                }
            }
            open.push(shards);
        }
        if let Some(min) = req.min_score {
            found.retain(|f| f.score >= min);
        }
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.index.cmp(&b.index))
                .then(a.shard.cmp(&b.shard))
                .then(a.address.cmp(&b.address))
        });
        let max_score = found.first().map(|f| f.score);
        let mut hits = Vec::new();
        for f in found.into_iter().skip(req.from).take(req.size) {
            let shard = &open[f.index].shards[f.shard];
            if let Some(doc) = shard.stored(f.address)? {
                hits.push(Hit { index: indices[f.index].clone(), score: f.score, doc });
            }
        }
        let (total, total_exact) = match req.track_total_hits {
            TrackTotal::UpTo(n) if total > n => (n, false),
            _ => (total, true),
        };
        Ok(SearchResult { total, total_exact, max_score, hits, shards: shards_searched })
    }

    /// The number of documents of the named indices a query matches.
    pub fn count(&self, indices: &[String], query: &dsl::Query) -> Result<(u64, u32), EngineError> {
        let req = SearchRequest {
            query: query.clone(),
            from: 0,
            size: 0,
            track_total_hits: TrackTotal::All,
            min_score: None,
        };
        let result = self.search(indices, &req)?;
        Ok((result.total, result.shards))
    }
}
