//! Stop word lists named as Elasticsearch names them (`_english_`, `_none_`).

/// Lucene's English stop words, the default of the `stop` analyzer and filter.
pub const ENGLISH: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
];

/// The list a predefined name stands for; `None` for a name Tensile has no list for.
pub fn named(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "_english_" => Some(ENGLISH),
        "_none_" => Some(&[]),
        _ => None,
    }
}
