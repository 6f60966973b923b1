//! Points in time: the searchers of a set of indices kept open under an id
//! until their keep-alive passes, so that searches (and `search_after`
//! pages) over them see the same documents whatever is written since.

use super::contexts::{missing, Contexts, Expiring};
use super::{SearchRequest, SearchResult, Searched};
use crate::error::EngineError;
use crate::Engine;
use std::time::{Duration, Instant};

/// The open points in time, by id.
pub(crate) type Pits = Contexts<Pit>;

pub(crate) struct Pit {
    indices: Vec<String>,
    /// The expressions the indices were resolved from (for filtered aliases).
    expressions: Vec<String>,
    searchers: Vec<Vec<Searched>>,
    expires: Instant,
}

impl Expiring for Pit {
    fn expires(&self) -> Instant {
        self.expires
    }
}

/// A closed (or expired) point in time no longer counts as open on its shards.
impl Drop for Pit {
    fn drop(&mut self) {
        super::shard_counters(&self.searchers).for_each(|c| c.sub(crate::stats::Counter::PitCurrent, 1));
    }
}

impl Engine {
    /// Opens a point in time over resolved indices (and the expressions they
    /// came from); its id and shard count.
    pub fn open_pit(
        &self,
        expressions: &[String],
        indices: &[String],
        keep_alive: Duration,
    ) -> Result<(String, u32), EngineError> {
        let mut searchers = Vec::new();
        let mut shards_total = 0;
        for name in indices {
            self.check_block(name, crate::blocks::Access::Read)?;
            let shards = self.index_shards(name)?;
            let pinned: Vec<Searched> = (0..shards.shards.len())
                .map(|s| Searched { shards: shards.clone(), shard: s, searcher: shards.shards[s].searcher() })
                .collect();
            shards_total += pinned.len() as u32;
            searchers.push(pinned);
        }
        let id = crate::node_meta::random_base64_uuid();
        let pit = Pit {
            indices: indices.to_vec(),
            expressions: expressions.to_vec(),
            searchers,
            expires: Instant::now() + keep_alive,
        };
        super::shard_counters(&pit.searchers).for_each(|c| c.add(crate::stats::Counter::PitCurrent, 1));
        self.pits.lock().insert(id.clone(), pit);
        Ok((id, shards_total))
    }

    /// The indices of a point in time, and the expressions they came from.
    pub fn pit_targets(&self, id: &str) -> Result<(Vec<String>, Vec<String>), EngineError> {
        let pits = self.pits.lock();
        let pit = pits.get(id).ok_or_else(|| missing(id))?;
        Ok((pit.indices.clone(), pit.expressions.clone()))
    }

    /// Closes points in time; how many were open.
    pub fn close_pit(&self, ids: &[String]) -> usize {
        let mut pits = self.pits.lock();
        ids.iter().filter(|id| pits.remove(id.as_str()).is_some()).count()
    }

    /// Searches a point in time, renewing its keep-alive when one is given.
    pub fn search_pit(
        &self,
        id: &str,
        keep_alive: Option<Duration>,
        req: &SearchRequest,
    ) -> Result<SearchResult, EngineError> {
        let (indices, searchers) = {
            let mut pits = self.pits.lock();
            let pit = pits.get_mut(id).ok_or_else(|| missing(id))?;
            if let Some(k) = keep_alive {
                pit.expires = Instant::now() + k;
            }
            (pit.indices.clone(), pit.searchers.clone())
        };
        self.search_over(&indices, req, Some(&searchers))
    }
}
