//! How the terms a multi-term query expands to (`prefix`, `wildcard`,
//! `regexp`, `fuzzy`, and fuzzy `match` words) match and score: the
//! query's `rewrite` (`fuzzy_rewrite`), as Lucene's rewrite methods do it.
//!
//! - `constant_score` (also `constant_score_boolean` and
//!   `constant_score_blended`): every term alike, one constant score; the
//!   queries build that themselves, without listing the terms;
//! - `scoring_boolean`: every term, each scored by BM25 times its boost,
//!   the scores summed (at most [`MAX_CLAUSES`] terms);
//! - `top_terms_N`: the `N` terms of highest boost (ties: first in term
//!   order), scored so;
//! - `top_terms_boost_N`: the same terms, each scoring its boost alone;
//! - `top_terms_blended_freqs_N`: the same terms scored with one document
//!   frequency, the largest among them, so that a rare term does not
//!   outscore a common one (a fuzzy query's default, with `max_expansions`).
//!
//! A term of a prefix, wildcard or regexp has boost 1; a fuzzy one, its
//! closeness to the word.

use crate::error::EngineError;
use std::collections::HashSet;
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Occur, Query,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// The most terms a query may expand to (Elasticsearch's default
/// `indices.query.bool.max_clause_count`).
pub(crate) const MAX_CLAUSES: usize = 4096;

/// A multi-term query's rewrite method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rewrite {
    ConstantScore,
    ScoringBoolean,
    TopTerms(usize),
    TopTermsBoost(usize),
    TopTermsBlendedFreqs(usize),
}

impl Rewrite {
    /// A rewrite by its name, as `rewrite` and `fuzzy_rewrite` take it.
    pub fn parse(name: &str) -> Result<Rewrite, EngineError> {
        let sized = |prefix: &str| name.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok());
        let failed = || EngineError::IllegalArgument(format!("Failed to parse rewrite_method [{name}]"));
        Ok(match name {
            "constant_score" | "constant_score_boolean" | "constant_score_blended" => Rewrite::ConstantScore,
            "scoring_boolean" => Rewrite::ScoringBoolean,
            _ => {
                let (rewrite, size) = if let Some(n) = sized("top_terms_blended_freqs_") {
                    (Rewrite::TopTermsBlendedFreqs(n), n)
                } else if let Some(n) = sized("top_terms_boost_") {
                    (Rewrite::TopTermsBoost(n), n)
                } else if let Some(n) = sized("top_terms_") {
                    (Rewrite::TopTerms(n), n)
                } else {
                    return Err(failed());
                };
                if size == 0 {
                    return Err(failed());
                }
                rewrite
            }
        })
    }

    /// How many terms the rewrite keeps, at most.
    pub(crate) fn size(self) -> usize {
        match self {
            Rewrite::ConstantScore | Rewrite::ScoringBoolean => usize::MAX,
            Rewrite::TopTerms(n) | Rewrite::TopTermsBoost(n) | Rewrite::TopTermsBlendedFreqs(n) => n.min(MAX_CLAUSES),
        }
    }
}

/// How a term of a field scores: a text field's with the field's own
/// statistics (its slot's or the shared `_text` field's), an exact value's
/// as tantivy scores it.
#[derive(Debug, Clone)]
pub(crate) enum TermScoring {
    Slot { path: String },
    SharedText { path: String },
    Exact,
}

impl TermScoring {
    /// How a field's terms score.
    pub fn of(mapper: &crate::mapper::Mapper, field: &crate::mapper::FieldMapper) -> TermScoring {
        let path = field.path.clone();
        match (field.kind.is_text(), mapper.text_slot(&field.path)) {
            (true, Some(_)) => TermScoring::Slot { path },
            (true, None) => TermScoring::SharedText { path },
            (false, _) => TermScoring::Exact,
        }
    }

    pub fn query(&self, term: Term) -> Box<dyn Query> {
        self.query_with(term, None)
    }

    /// The query of a term; a term of the shared `_text` field scores with
    /// `doc_freq` when given (it reads its statistics from the shard, not
    /// from the search's statistics provider).
    fn query_with(&self, term: Term, doc_freq: Option<u64>) -> Box<dyn Query> {
        match self {
            TermScoring::Slot { path } => Box::new(super::bm25::FieldStatsQuery {
                inner: Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                path: path.clone(),
            }),
            TermScoring::SharedText { path } => {
                Box::new(super::bm25::TextTermQuery { term, path: path.clone(), doc_freq })
            }
            TermScoring::Exact => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
        }
    }
}

/// The weight of a query's terms (each with its boost) under a scoring
/// rewrite; unscored, the same terms match.
pub(crate) fn weigh(
    mut terms: Vec<(Term, f32)>,
    rewrite: Rewrite,
    scoring: &TermScoring,
    searcher: &Searcher,
    enable: EnableScoring<'_>,
) -> tantivy::Result<Box<dyn Weight>> {
    if rewrite == Rewrite::ScoringBoolean && terms.len() > MAX_CLAUSES {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "Query rewrite failed: too many clauses: Query contains too many nested clauses; maxClauseCount is set to {MAX_CLAUSES}"
        )));
    }
    // The highest boosts first, then term order: the terms a `top_terms` keeps.
    terms.sort_by(|a, b| {
        b.1.total_cmp(&a.1).then_with(|| a.0.serialized_value_bytes().cmp(b.0.serialized_value_bytes()))
    });
    terms.truncate(rewrite.size());
    if terms.is_empty() {
        return EmptyQuery.weight(enable);
    }
    let EnableScoring::Enabled { statistics_provider, .. } = enable else {
        let alike = terms.into_iter().map(|(term, _)| {
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        });
        return BooleanQuery::new(alike.collect()).weight(enable);
    };
    let clauses = |doc_freq: Option<u64>| -> Vec<(Occur, Box<dyn Query>)> {
        terms
            .iter()
            .map(|(term, boost)| {
                let query: Box<dyn Query> = match rewrite {
                    Rewrite::TopTermsBoost(_) | Rewrite::ConstantScore => Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
                        *boost,
                    )),
                    _ => Box::new(BoostQuery::new(scoring.query_with(term.clone(), doc_freq), *boost)),
                };
                (Occur::Should, query)
            })
            .collect()
    };
    if !matches!(rewrite, Rewrite::TopTermsBlendedFreqs(_)) {
        return BooleanQuery::new(clauses(None)).weight(enable);
    }
    // The largest frequency among the terms, from the search's statistics
    // (every shard's with DFS), and from the shard alone (what a term of the
    // shared `_text` field scores with).
    let (mut doc_freq, mut shard_doc_freq) = (0, 0);
    for (term, _) in &terms {
        doc_freq = doc_freq.max(statistics_provider.doc_freq(term)?);
        shard_doc_freq = shard_doc_freq.max(searcher.doc_freq(term)?);
    }
    let blended =
        Blended { stats: statistics_provider, terms: terms.iter().map(|(t, _)| t.clone()).collect(), doc_freq };
    BooleanQuery::new(clauses(Some(shard_doc_freq)))
        .weight(EnableScoring::enabled_from_statistics_provider(&blended, searcher))
}

/// A search's statistics with some terms sharing one document frequency.
struct Blended<'s> {
    stats: &'s dyn Bm25StatisticsProvider,
    terms: HashSet<Term>,
    doc_freq: u64,
}

impl Bm25StatisticsProvider for Blended<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.stats.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.stats.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if self.terms.contains(term) {
            return Ok(self.doc_freq);
        }
        self.stats.doc_freq(term)
    }
}

/// The searcher a query is weighed with, when it has one.
pub(crate) fn searcher_of<'a>(enable: &EnableScoring<'a>) -> Option<&'a Searcher> {
    match enable {
        EnableScoring::Enabled { searcher, .. } => Some(searcher),
        EnableScoring::Disabled { searcher_opt, .. } => *searcher_opt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_are_read_by_name() {
        assert_eq!(Rewrite::parse("constant_score_boolean").unwrap(), Rewrite::ConstantScore);
        assert_eq!(Rewrite::parse("scoring_boolean").unwrap(), Rewrite::ScoringBoolean);
        assert_eq!(Rewrite::parse("top_terms_10").unwrap(), Rewrite::TopTerms(10));
        assert_eq!(Rewrite::parse("top_terms_boost_3").unwrap(), Rewrite::TopTermsBoost(3));
        assert_eq!(Rewrite::parse("top_terms_blended_freqs_5").unwrap(), Rewrite::TopTermsBlendedFreqs(5));
        for bad in ["top_terms_0", "top_terms_x", "bogus", "top_terms_"] {
            assert!(matches!(Rewrite::parse(bad), Err(EngineError::IllegalArgument(_))), "{bad}");
        }
        assert_eq!(Rewrite::TopTerms(100_000).size(), MAX_CLAUSES);
    }
}
