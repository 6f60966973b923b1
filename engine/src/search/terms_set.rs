//! The `terms_set` query: documents holding at least as many of the terms
//! as a number field of theirs (`minimum_should_match_field`) asks, scored
//! by the terms they hold, as Lucene's `CoveringQuery`.

use super::listed::Listed;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// The compiled query: one query per term, and the column of the number
/// of them each document needs.
#[derive(Debug)]
pub(crate) struct TermsSetQuery {
    pub terms: Vec<Box<dyn TQuery>>,
    /// The `_terms` column of `minimum_should_match_field`.
    pub column: String,
}

impl Clone for TermsSetQuery {
    fn clone(&self) -> TermsSetQuery {
        TermsSetQuery { terms: self.terms.iter().map(|t| t.box_clone()).collect(), column: self.column.clone() }
    }
}

impl TQuery for TermsSetQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms = self.terms.iter().map(|t| t.weight(scoring)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(TermsSetWeight { terms, column: self.column.clone() }))
    }
}

struct TermsSetWeight {
    terms: Vec<Box<dyn Weight>>,
    column: String,
}

impl Weight for TermsSetWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = self.terms.iter().map(|w| w.scorer(reader, boost)).collect::<tantivy::Result<Vec<_>>>()?;
        let columns = super::sort::columns(reader, &self.column)?;
        let mut matched = Vec::new();
        loop {
            let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
            if doc == TERMINATED {
                break;
            }
            let (mut count, mut score) = (0usize, 0.0);
            for s in scorers.iter_mut().filter(|s| s.doc() == doc) {
                count += 1;
                score += s.score();
                s.advance();
            }
            if super::sort::first_number(&columns, doc).is_some_and(|n| count as f64 >= n.max(1.0)) {
                matched.push((doc, score));
            }
        }
        Ok(Box::new(Listed::new(matched)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(
            self,
            reader,
            doc,
            "sum of the matching terms, at least as many as the document asks",
        )
    }
}
