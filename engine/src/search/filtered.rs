//! A scorer that keeps the documents of another that a predicate accepts
//! (read from the segment's columns): the filter of sliced searches and of
//! distances, which tantivy has no query for.

use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, TERMINATED};

/// A scorer keeping the documents a predicate accepts.
pub(crate) struct Filtered<F> {
    inner: Box<dyn Scorer>,
    keep: F,
}

impl<F: Fn(DocId) -> bool + Send + 'static> Filtered<F> {
    /// Positioned on the first document the predicate keeps.
    pub(crate) fn new(inner: Box<dyn Scorer>, keep: F) -> Filtered<F> {
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
