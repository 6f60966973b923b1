//! `search_type=dfs_query_then_fetch`: scores from the statistics of every
//! shard searched (document counts, document frequencies, token counts),
//! summed over the shards as Elasticsearch's DFS phase gathers them,
//! instead of each shard's own. The query is wrapped so that every shard's
//! weight is created with the summed statistics. They are summed when a
//! weight asks, so once per shard: a search reads few shards, and a term's
//! statistics are a dictionary lookup in each.

use std::sync::Arc;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// The statistics of all the shards a search reads.
pub(crate) struct GlobalStats {
    searchers: Vec<Searcher>,
}

impl GlobalStats {
    pub(crate) fn new(searchers: Vec<Searcher>) -> GlobalStats {
        GlobalStats { searchers }
    }

    fn sum(&self, each: impl Fn(&Searcher) -> tantivy::Result<u64>) -> tantivy::Result<u64> {
        self.searchers.iter().map(each).sum()
    }
}

impl Bm25StatisticsProvider for GlobalStats {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.sum(|s| s.total_num_tokens(field))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.sum(|s| s.total_num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.sum(|s| s.doc_freq(term))
    }
}

/// A query scored with the statistics of every shard searched.
#[derive(Clone)]
pub(crate) struct DfsQuery {
    pub inner: Arc<dyn Query>,
    pub stats: Arc<GlobalStats>,
}

impl std::fmt::Debug for DfsQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Profiles name the query inside.
        self.inner.fmt(f)
    }
}

impl Query for DfsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match scoring {
            EnableScoring::Enabled { searcher, .. } => {
                self.inner.weight(EnableScoring::enabled_from_statistics_provider(&*self.stats, searcher))
            }
            disabled => self.inner.weight(disabled),
        }
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}
