//! Fuzzy matching scored as Elasticsearch scores it by default (Lucene's
//! `top_terms_blended_freqs_N` rewrite): the terms within the allowed
//! edits of the word (its first `prefix_length` characters unchanged) are
//! found in the term dictionary, the `max_expansions` closest kept, and each
//! scores by BM25 boosted by its closeness (`1 - edits / shorter length`),
//! all with the same document frequency, the largest of theirs, so that a
//! rare misspelling does not outscore the common word. Unscored (a count, a
//! filter), the same terms match; under a constant-score rewrite, every
//! term within the edits does, as tantivy's fuzzy query matches them.

use super::edits::FuzzyWord;
use std::collections::{BTreeSet, HashSet};
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, Query,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// How an expansion of a field's word is scored: a text field's term with
/// the field's own statistics (its slot's or the shared `_text` field's),
/// or an exact value's term as tantivy scores it.
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

/// A fuzzy match of one word of a field.
#[derive(Debug, Clone)]
pub(crate) struct ScoredFuzzy {
    /// The field's term for the empty word: its tantivy field, and for a
    /// JSON field its path and type, which every expansion starts with.
    pub base: Term,
    pub word: String,
    pub distance: u8,
    pub transpositions: bool,
    /// The characters of the word that may not change.
    pub prefix_length: usize,
    pub max_expansions: usize,
    pub scoring: TermScoring,
    /// The default rewrite: the `max_expansions` closest terms, scored or
    /// not; else (`constant_score`) every term within the edits.
    pub top_terms: bool,
}

impl ScoredFuzzy {
    fn term_of(&self, text: &str) -> Term {
        let mut term = self.base.clone();
        term.append_bytes(text.as_bytes());
        term
    }

    /// The terms of the searched segments within the edits, closest first
    /// (ties by term), each with its boost.
    fn expansions(&self, searcher: &Searcher) -> tantivy::Result<Vec<(Term, f32)>> {
        let automaton =
            FuzzyTermQuery::new(self.term_of(&self.word), self.distance, self.transpositions).automaton()?;
        let field: Field = self.base.field();
        let start = self.base.serialized_value_bytes().to_vec();
        let end = prefix_end(&start);
        let mut texts: BTreeSet<String> = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut builder = inverted.terms().search(&automaton).ge(&start);
            if let Some(end) = &end {
                builder = builder.lt(end);
            }
            let mut stream = builder.into_stream()?;
            while stream.advance() {
                let Some(rest) = stream.key().strip_prefix(start.as_slice()) else { break };
                if let Ok(text) = std::str::from_utf8(rest) {
                    texts.insert(text.to_owned());
                }
            }
        }
        let near = FuzzyWord {
            chars: self.word.chars().collect(),
            distance: usize::from(self.distance),
            prefix: self.prefix_length,
            transpositions: self.transpositions,
        };
        let mut scored: Vec<(f32, String)> = texts
            .into_iter()
            .filter_map(|text| {
                let edits = near.edits_to(&text)?;
                let shorter = text.chars().count().min(near.chars.len()).max(1);
                Some((1.0 - edits as f32 / shorter as f32, text))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(self.max_expansions);
        Ok(scored.into_iter().map(|(boost, text)| (self.term_of(&text), boost)).collect())
    }

    /// Every term within the edits, past the fixed prefix, alike.
    fn all_terms(&self) -> Box<dyn Query> {
        let fuzzy: Box<dyn Query> =
            Box::new(FuzzyTermQuery::new(self.term_of(&self.word), self.distance, self.transpositions));
        if self.prefix_length == 0 {
            return fuzzy;
        }
        let fixed: String = self.word.chars().take(self.prefix_length).collect();
        let prefix = Box::new(FuzzyTermQuery::new_prefix(self.term_of(&fixed), 0, false));
        Box::new(BooleanQuery::new(vec![(Occur::Must, fuzzy), (Occur::Must, prefix)]))
    }
}

/// A search's statistics with the expansions of one word sharing the
/// largest document frequency among them.
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

impl Query for ScoredFuzzy {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let searcher = match scoring {
            EnableScoring::Enabled { searcher, .. } => searcher,
            EnableScoring::Disabled { searcher_opt: Some(searcher), .. } => searcher,
            EnableScoring::Disabled { searcher_opt: None, .. } => return self.all_terms().weight(scoring),
        };
        if !self.top_terms {
            return self.all_terms().weight(scoring);
        }
        let expansions = self.expansions(searcher)?;
        if expansions.is_empty() {
            return EmptyQuery.weight(scoring);
        }
        let EnableScoring::Enabled { statistics_provider, .. } = scoring else {
            // Unscored, the same terms match.
            let terms = expansions.into_iter().map(|(term, _)| {
                (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
            });
            return BooleanQuery::new(terms.collect()).weight(scoring);
        };
        // The largest frequency among the expansions, from the search's
        // statistics (every shard's with DFS), and from the shard alone (what
        // a term of the shared `_text` field scores with).
        let (mut doc_freq, mut shard_doc_freq) = (0, 0);
        for (term, _) in &expansions {
            doc_freq = doc_freq.max(statistics_provider.doc_freq(term)?);
            shard_doc_freq = shard_doc_freq.max(searcher.doc_freq(term)?);
        }
        let blended = Blended {
            stats: statistics_provider,
            terms: expansions.iter().map(|(t, _)| t.clone()).collect(),
            doc_freq,
        };
        let clauses: Vec<(Occur, Box<dyn Query>)> = expansions
            .into_iter()
            .map(|(term, boost)| {
                let scored = self.scoring.query_with(term, Some(shard_doc_freq));
                (Occur::Should, Box::new(BoostQuery::new(scored, boost)) as Box<dyn Query>)
            })
            .collect();
        BooleanQuery::new(clauses).weight(EnableScoring::enabled_from_statistics_provider(&blended, searcher))
    }
}

/// The first key past every key starting with `prefix` (`None`: no end).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}
