//! Queries that keep the documents of another query that a per-document
//! test accepts, the test built once per segment from its columns: sliced
//! searches, distances and range fields, which tantivy has no query for.
//! A filter says only how to build its test ([`SegmentFilter`]);
//! [`FilteredQuery`] and [`Filtered`] do the rest.

use std::fmt::Debug;
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// A per-document test over one segment's columns.
pub(crate) trait SegmentFilter: Clone + Debug + Send + Sync + 'static {
    /// The test for `reader`'s documents, or `None` when it keeps none.
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>>;

    /// How a kept document's score is explained: `None` leaves it to the
    /// inner query (the filter only selects); else the score the filtered
    /// scorer gives, under this description.
    fn description(&self) -> Option<&'static str> {
        None
    }
}

/// The documents of `inner` that `filter` keeps, scored as `inner` scores them.
#[derive(Debug)]
pub(crate) struct FilteredQuery<P> {
    pub inner: Box<dyn Query>,
    pub filter: P,
}

impl<P: SegmentFilter> FilteredQuery<P> {
    pub(crate) fn new(inner: Box<dyn Query>, filter: P) -> FilteredQuery<P> {
        FilteredQuery { inner, filter }
    }
}

impl<P: SegmentFilter> Clone for FilteredQuery<P> {
    fn clone(&self) -> Self {
        FilteredQuery { inner: self.inner.box_clone(), filter: self.filter.clone() }
    }
}

impl<P: SegmentFilter> Query for FilteredQuery<P> {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FilteredWeight { inner: self.inner.weight(scoring)?, filter: self.filter.clone() }))
    }
}

struct FilteredWeight<P> {
    inner: Box<dyn Weight>,
    filter: P,
}

impl<P: SegmentFilter> Weight for FilteredWeight<P> {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        match self.filter.keep(reader)? {
            Some(keep) => Ok(Box::new(Filtered::new(self.inner.scorer(reader, boost)?, keep))),
            None => Ok(Box::new(EmptyScorer)),
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.filter.description() {
            Some(description) => super::listed::explain_by_scorer(self, reader, doc, description),
            None => self.inner.explain(reader, doc),
        }
    }
}

/// A scorer keeping the documents a predicate accepts.
struct Filtered<F> {
    inner: Box<dyn Scorer>,
    keep: F,
}

impl<F: Fn(DocId) -> bool + Send + 'static> Filtered<F> {
    /// Positioned on the first document the predicate keeps.
    fn new(inner: Box<dyn Scorer>, keep: F) -> Filtered<F> {
        let mut filtered = Filtered { inner, keep };
        if filtered.inner.doc() != TERMINATED && !(filtered.keep)(filtered.inner.doc()) {
            filtered.advance();
        }
        filtered
    }
}

impl<F: Fn(DocId) -> bool + Send + 'static> DocSet for Filtered<F> {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.inner.advance();
            if doc == TERMINATED || (self.keep)(doc) {
                return doc;
            }
        }
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl<F: Fn(DocId) -> bool + Send + 'static> Scorer for Filtered<F> {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
