//! Fuzzy matching scored as Elasticsearch scores it: the terms within the
//! allowed edits of the word (its first `prefix_length` characters
//! unchanged) are found in the term dictionary, each boosted by its
//! closeness (`1 - edits / shorter length`), and matched and scored as the
//! query's rewrite says ([`super::multi_term`]): by default the
//! `max_expansions` closest, with the same document frequency, the largest
//! of theirs, so that a rare misspelling does not outscore the common word.
//! Under a constant-score rewrite, every term within the edits matches
//! alike, as tantivy's fuzzy query matches them.

use super::edits::FuzzyWord;
use super::multi_term::{Rewrite, TermScoring};
use std::collections::BTreeSet;
use tantivy::query::{BooleanQuery, EnableScoring, FuzzyTermQuery, Occur, Query, Weight};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

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
    pub scoring: TermScoring,
    /// How the terms within the edits match and score (by default, the
    /// `max_expansions` closest, blended).
    pub rewrite: Rewrite,
}

impl ScoredFuzzy {
    fn term_of(&self, text: &str) -> Term {
        let mut term = self.base.clone();
        term.append_bytes(text.as_bytes());
        term
    }

    /// The terms of the searched segments within the edits, each with its
    /// boost (its closeness).
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
        Ok(texts
            .into_iter()
            .filter_map(|text| {
                let edits = near.edits_to(&text)?;
                let shorter = text.chars().count().min(near.chars.len()).max(1);
                Some((self.term_of(&text), 1.0 - edits as f32 / shorter as f32))
            })
            .collect())
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

impl Query for ScoredFuzzy {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match super::multi_term::searcher_of(&scoring) {
            Some(searcher) if self.rewrite != Rewrite::ConstantScore => {
                let expansions = self.expansions(searcher)?;
                super::multi_term::weigh(expansions, self.rewrite, &self.scoring, searcher, scoring)
            }
            _ => self.all_terms().weight(scoring),
        }
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
