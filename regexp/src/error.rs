//! Why a pattern does not become an automaton.

/// A pattern that does not parse, or whose automaton would be too big.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not Lucene regular expression syntax; the message is Lucene's
    /// (`expected ')' at position 4`).
    #[error("{0}")]
    Syntax(String),
    /// Determinizing would take more states than allowed.
    #[error("Determinizing automaton would require more than {limit} states.")]
    TooComplex { limit: usize },
}
