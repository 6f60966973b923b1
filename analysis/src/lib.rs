//! Text analysis as Elasticsearch does it.
//!
//! An [`Analyzer`] runs char filters over the text, splits it with a
//! tokenizer and passes the tokens through token filters. The built-in
//! analyzers (`standard`, `simple`, `whitespace`, `keyword`, `stop`,
//! `pattern`, `english` and the other language analyzers) and the custom
//! ones of an index's `index.analysis.*` settings are looked up in an
//! [`Analyzers`] registry, which also holds normalizers for `keyword` fields.
//! Tokens carry byte offsets into the original text; [`utf16_offset`] turns
//! them into the Java character offsets Elasticsearch reports.

mod analyzer;
mod char_filter;
mod error;
mod filter;
mod registry;
mod stopwords;
mod token;
mod tokenizer;

pub use analyzer::{Analyzer, Named, Steps};
pub use char_filter::CharFilter;
pub use error::AnalysisError;
pub use filter::TokenFilter;
pub use registry::{Analyzers, Component};
pub use token::{utf16_offset, Token};
pub use tokenizer::Tokenizer;
