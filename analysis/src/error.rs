//! What can go wrong building analysis components from settings or a request.

/// An analysis error; Elasticsearch answers each as `illegal_argument_exception`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("failed to find analyzer [{0}]")]
    UnknownAnalyzer(String),
    #[error("failed to find global analyzer [{0}]")]
    UnknownGlobalAnalyzer(String),
    #[error("failed to find normalizer [{0}]")]
    UnknownNormalizer(String),
    #[error("failed to find global tokenizer under [{0}]")]
    UnknownTokenizer(String),
    #[error("failed to find global filter under [{0}]")]
    UnknownFilter(String),
    #[error("failed to find global char_filter under [{0}]")]
    UnknownCharFilter(String),
    #[error("{0}")]
    Invalid(String),
}
