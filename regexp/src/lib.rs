//! Lucene's regular expression language, as Elasticsearch's `regexp` query,
//! `query_string`'s `/regex/` terms, interval and span rules and completion
//! suggestions read it, and the wildcard patterns of `wildcard` queries.
//!
//! A pattern is parsed into a [`Regex`] (its syntax tree, with the optional
//! operators its [`Flags`] enable) and compiled into a [`Dfa`] over the
//! UTF-8 bytes of a term, bounded by a number of states as Lucene's
//! `max_determinized_states` bounds its own. Complement (`~`) and
//! intersection (`&`) are built on determinized automata, so every
//! construct of the language is matched exactly; a term dictionary walks
//! the automaton byte by byte and prunes where [`Dfa::can_match`] says no.

mod dfa;
mod error;
mod interval;
mod nfa;
mod parse;
mod syntax;

pub use dfa::{Dfa, StateId};
pub use error::Error;
pub use parse::Flags;
pub use syntax::Regex;

/// Lucene's default bound on the states of a determinized automaton
/// (Elasticsearch's `max_determinized_states`).
pub const DEFAULT_MAX_STATES: usize = 10_000;
