//! Scroll contexts: a search's every match, ordered, kept with the
//! searchers that found them (a point-in-time view) and handed out a page
//! at a time until they run out or their `keep_alive` passes.

use super::contexts::{missing, Contexts, Expiring};
use super::{fetch, Collected, SearchRequest, SearchResult};
use crate::error::EngineError;
use crate::Engine;
use std::time::{Duration, Instant};

/// The open scroll contexts of a node.
pub(crate) type Scrolls = Contexts<Context>;

pub(crate) struct Context {
    indices: Vec<String>,
    collected: Collected,
    /// How hits are shown (sort formats, highlighting).
    shown: super::Shown,
    /// The next match to hand out.
    next: usize,
    size: usize,
    scores: bool,
    max_score: Option<f32>,
    total: u64,
    expires: Instant,
    /// What the caller keeps with the scroll (how to show its hits).
    meta: serde_json::Value,
    /// When it opened, for the shards' scroll time.
    opened: Instant,
}

/// A freed (or expired) scroll counts on each of its shards, as
/// Elasticsearch's `scroll_total` and `scroll_time_in_millis` count.
impl Drop for Context {
    fn drop(&mut self) {
        let nanos = self.opened.elapsed().as_nanos() as u64;
        for counters in super::shard_counters(&self.collected.searchers) {
            counters.sub(crate::stats::Counter::ScrollCurrent, 1);
            counters.add(crate::stats::Counter::ScrollTotal, 1);
            counters.add(crate::stats::Counter::ScrollTimeNanos, nanos);
        }
    }
}

impl Expiring for Context {
    fn expires(&self) -> Instant {
        self.expires
    }
}

impl Engine {
    /// Starts a scroll: the first page, and the id of the rest.
    pub fn search_scroll(
        &self,
        indices: &[String],
        req: &SearchRequest,
        keep_alive: Duration,
        meta: serde_json::Value,
    ) -> Result<(SearchResult, String), EngineError> {
        if req.from > 0 {
            return Err(EngineError::IllegalArgument("using [from] is not allowed in a scroll context".into()));
        }
        let req = &*self.with_lookups_read(req, indices)?;
        self.check_window(indices, req, true)?;
        self.check_highlight(indices, req)?;
        let collected = self.collect(indices, req, true, None)?;
        let id = crate::node_meta::random_base64_uuid();
        let context = Context {
            indices: indices.to_vec(),
            max_score: collected.max_score(req),
            total: collected.total,
            collected,
            shown: super::Shown::of(req),
            next: 0,
            size: req.size,
            scores: req.scores(),
            expires: Instant::now() + keep_alive,
            meta,
            opened: Instant::now(),
        };
        super::shard_counters(&context.collected.searchers)
            .for_each(|c| c.add(crate::stats::Counter::ScrollCurrent, 1));
        let first = self.scrolls.lock().entry(id.clone()).or_insert(context).page(self, None)?;
        Ok((first, id))
    }

    /// The next page of a scroll, its keep-alive renewed, and what the
    /// caller kept with it.
    pub fn scroll(
        &self,
        id: &str,
        keep_alive: Option<Duration>,
    ) -> Result<(SearchResult, serde_json::Value), EngineError> {
        let mut scrolls = self.scrolls.lock();
        let context = scrolls.get_mut(id).ok_or_else(|| missing(id))?;
        Ok((context.page(self, keep_alive)?, context.meta.clone()))
    }

    /// Frees scroll contexts (`_all` frees every one); how many were freed.
    pub fn clear_scroll(&self, ids: &[String]) -> usize {
        let mut scrolls = self.scrolls.lock();
        if ids.iter().any(|id| id == "_all") {
            let n = scrolls.len();
            scrolls.clear();
            return n;
        }
        ids.iter().filter(|id| scrolls.remove(id.as_str()).is_some()).count()
    }
}

impl Context {
    fn page(&mut self, engine: &Engine, keep_alive: Option<Duration>) -> Result<SearchResult, EngineError> {
        if let Some(k) = keep_alive {
            self.expires = Instant::now() + k;
        }
        let end = (self.next + self.size).min(self.collected.found.len());
        let hits = fetch(
            engine,
            &self.indices,
            &self.collected.searchers,
            &self.shown,
            &self.collected.found[self.next..end],
            None,
        )?;
        self.next = end;
        Ok(SearchResult {
            total: self.total,
            total_exact: true,
            max_score: if self.scores { self.max_score } else { None },
            hits,
            shards: self.collected.shards,
            skipped_shards: self.collected.skipped,
            terminated_early: None,
            profile: None,
        })
    }
}
