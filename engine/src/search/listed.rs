//! A scorer over documents found beforehand, with their scores: what the
//! queries that search a segment eagerly (block joins, intervals) answer.

use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, TERMINATED};

/// A scorer over documents found beforehand, in order, with their scores.
pub(crate) struct Listed {
    docs: Vec<(DocId, Score)>,
    at: usize,
}

impl Listed {
    pub(crate) fn new(docs: Vec<(DocId, Score)>) -> Listed {
        Listed { docs, at: 0 }
    }
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.at += 1;
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at += self.docs[self.at.min(self.docs.len())..].partition_point(|(d, _)| *d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).map_or(TERMINATED, |(d, _)| *d)
    }

    fn size_hint(&self) -> u32 {
        self.docs.len().saturating_sub(self.at) as u32
    }
}

impl Scorer for Listed {
    fn score(&mut self) -> Score {
        self.docs.get(self.at).map_or(0.0, |(_, s)| *s)
    }
}
