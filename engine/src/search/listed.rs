//! A scorer over documents found beforehand, with their scores: what the
//! queries that search a segment eagerly (block joins, intervals) answer;
//! and the explanation of such queries, whose scorer alone knows a score.

use tantivy::query::{Explanation, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// A document's explanation by a weight's scorer: its score, described.
pub(crate) fn explain_by_scorer(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
    description: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match")));
    }
    Ok(Explanation::new(description, scorer.score()))
}

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
