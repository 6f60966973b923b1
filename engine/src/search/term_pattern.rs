//! Patterns (`regexp`, `wildcard`, `prefix` and case-insensitive `term`
//! queries, and the patterns of intervals and spans) run over a term
//! dictionary: the pattern's automaton ([`tensile_regexp`]), after the
//! field's path when the terms are in a shared JSON field. Under a
//! constant-score rewrite the matching terms' documents match alike
//! ([`PatternQuery`]); under a scoring one ([`ScoredPattern`]) the terms are
//! listed from the searched segments and scored as
//! [`super::multi_term`] says.

use super::multi_term::{Rewrite, TermScoring};
use crate::error::EngineError;
use std::collections::BTreeSet;
use std::sync::Arc;
use tantivy::query::{AutomatonWeight, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy::Term;
use tensile_regexp::{Dfa, Regex};

/// A pattern as a query gives it.
pub(crate) struct Pattern<'a> {
    pub regex: &'a Regex,
    pub case_insensitive: bool,
    /// Elasticsearch's `max_determinized_states`.
    pub max_states: usize,
    /// How the matching terms score.
    pub rewrite: Rewrite,
}

/// A pattern's automaton, or the error Elasticsearch gives for it.
pub(crate) fn automaton(regex: &Regex, case_insensitive: bool, max_states: usize) -> Result<Dfa, EngineError> {
    regex.compile(case_insensitive, max_states).map_err(|e| match e {
        tensile_regexp::Error::TooComplex { limit } => EngineError::QueryShard(format!(
            "failed to create query: Determinizing automaton [{regex}] would require more than {limit} states. Use a simpler pattern or raise [max_determinized_states]."
        )),
        syntax => EngineError::QueryShard(format!("failed to create query: {syntax}")),
    })
}

/// The state of a [`TermAutomaton`] no term gets out of.
const REJECTED: u32 = u32::MAX;

/// A pattern's automaton behind the bytes every term of the field starts
/// with (its JSON path and type code; none for a field of its own).
#[derive(Debug)]
struct TermAutomaton {
    prefix: Box<[u8]>,
    dfa: Dfa,
}

impl TermAutomaton {
    /// States below the prefix's length read it; the automaton's follow.
    fn after_prefix(&self, state: u32) -> u32 {
        self.prefix.len() as u32 + state
    }
}

impl tantivy_fst::Automaton for TermAutomaton {
    type State = u32;

    fn start(&self) -> u32 {
        if self.prefix.is_empty() {
            self.after_prefix(self.dfa.start())
        } else {
            0
        }
    }

    fn is_match(&self, state: &u32) -> bool {
        let p = self.prefix.len() as u32;
        *state != REJECTED && *state >= p && self.dfa.is_match(state - p)
    }

    fn can_match(&self, state: &u32) -> bool {
        let p = self.prefix.len() as u32;
        *state != REJECTED && (*state < p || self.dfa.can_match(state - p))
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        let p = self.prefix.len() as u32;
        match *state {
            REJECTED => REJECTED,
            s if s < p => match self.prefix[s as usize] == byte {
                true if s + 1 == p => self.after_prefix(self.dfa.start()),
                true => s + 1,
                false => REJECTED,
            },
            s => self.after_prefix(self.dfa.next(s - p, byte)),
        }
    }
}

/// The documents holding a term of `field` that starts with `prefix` and
/// whose rest the automaton matches.
#[derive(Debug, Clone)]
pub(crate) struct PatternQuery {
    field: Field,
    automaton: Arc<TermAutomaton>,
}

impl PatternQuery {
    pub(crate) fn new(field: Field, prefix: &[u8], dfa: Dfa) -> PatternQuery {
        PatternQuery { field, automaton: Arc::new(TermAutomaton { prefix: prefix.into(), dfa }) }
    }
}

impl Query for PatternQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let automaton = Arc::clone(&self.automaton);
        Ok(Box::new(if self.automaton.prefix.is_empty() {
            AutomatonWeight::<TermAutomaton>::new(self.field, automaton)
        } else {
            let prefix = self.automaton.prefix.clone();
            AutomatonWeight::<TermAutomaton>::new_for_json_path(self.field, automaton, &prefix)
        }))
    }
}

/// A pattern's terms scored under a scoring rewrite: `base` is the field's
/// term for the empty value (its tantivy field, and in a JSON field its
/// path and type), which every matching term starts with.
#[derive(Debug, Clone)]
pub(crate) struct ScoredPattern {
    pub base: Term,
    pub rewrite: Rewrite,
    pub scoring: TermScoring,
    matching: PatternQuery,
}

impl ScoredPattern {
    pub(crate) fn new(base: Term, dfa: Dfa, rewrite: Rewrite, scoring: TermScoring) -> ScoredPattern {
        let matching = PatternQuery::new(base.field(), base.serialized_value_bytes(), dfa);
        ScoredPattern { base, rewrite, scoring, matching }
    }

    /// The matching terms of the searched segments, in term order: as many
    /// as the rewrite can take (one past its limit for `scoring_boolean`, to
    /// refuse it). Terms all weigh alike, so each segment's first ones do.
    fn terms(&self, searcher: &tantivy::Searcher) -> tantivy::Result<Vec<Term>> {
        let wanted = match self.rewrite {
            Rewrite::ScoringBoolean => super::multi_term::MAX_CLAUSES + 1,
            other => other.size(),
        };
        let prefix = self.base.serialized_value_bytes();
        let automaton: &TermAutomaton = &self.matching.automaton;
        let mut found: BTreeSet<Vec<u8>> = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.base.field())?;
            let mut stream = inverted.terms().search(automaton).ge(prefix).into_stream()?;
            let mut taken = 0;
            while taken < wanted && stream.advance() {
                let Some(rest) = stream.key().strip_prefix(prefix) else { break };
                found.insert(rest.to_vec());
                taken += 1;
            }
        }
        Ok(found
            .into_iter()
            .take(wanted)
            .map(|rest| {
                let mut term = self.base.clone();
                term.append_bytes(&rest);
                term
            })
            .collect())
    }
}

impl Query for ScoredPattern {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match super::multi_term::searcher_of(&scoring) {
            Some(searcher) => {
                let terms = self.terms(searcher)?.into_iter().map(|term| (term, 1.0)).collect();
                super::multi_term::weigh(terms, self.rewrite, &self.scoring, searcher, scoring)
            }
            None => self.matching.weight(scoring),
        }
    }
}
