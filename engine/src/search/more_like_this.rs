//! The `more_like_this` query, as Lucene's `MoreLikeThis`: the terms of
//! the liked texts and documents, per field, weighed by `tf * idf`; the
//! best `max_query_terms` of them, kept within the frequency bounds, are
//! a disjunction with `minimum_should_match`. Liked documents named by id
//! are read before the query runs (`Engine::with_lookups`) and left out
//! of the hits unless `include`.

use crate::error::EngineError;
use serde_json::{Map, Value};
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query as TQuery, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

/// A `more_like_this` query as sent (its liked documents read or not).
#[derive(Debug, Clone, PartialEq)]
pub struct MoreLikeThis {
    /// The fields to look in; every text field when empty.
    pub fields: Vec<String>,
    pub like: Vec<Like>,
    pub unlike: Vec<Like>,
    pub min_term_freq: u64,
    pub max_query_terms: usize,
    pub min_doc_freq: u64,
    pub max_doc_freq: u64,
    pub min_word_length: usize,
    pub max_word_length: usize,
    pub stop_words: Vec<String>,
    pub analyzer: Option<String>,
    pub minimum_should_match: String,
    pub include: bool,
    /// Named fields that are neither text nor keyword fail the query, unless off.
    pub fail_on_unsupported_field: bool,
    /// `boost_terms`: each term's clause boosted by its tf-idf score over
    /// the best term's, times this (0: no such boosts).
    pub boost_terms: f32,
    pub boost: f32,
}

/// Something liked: a text, a document of the index (by id, read before
/// running) or an artificial document.
#[derive(Debug, Clone, PartialEq)]
pub enum Like {
    Text(String),
    Document {
        index: Option<String>,
        id: String,
        routing: Option<String>,
    },
    /// A document's source (given, or read for a `Document`), and its id if it has one.
    Source {
        source: Value,
        id: Option<String>,
    },
}

impl Like {
    fn parse(v: &Value) -> Result<Like, EngineError> {
        match v {
            Value::String(s) => Ok(Like::Text(s.clone())),
            Value::Object(o) if o.contains_key("doc") => Ok(Like::Source { source: o["doc"].clone(), id: None }),
            Value::Object(o) => Ok(Like::Document {
                index: o.get("_index").and_then(Value::as_str).map(str::to_owned),
                id: o
                    .get("_id")
                    .map(crate::settings_text)
                    .ok_or_else(|| EngineError::Parsing("[more_like_this] a liked document needs an [_id]".into()))?,
                routing: o.get("routing").map(crate::settings_text),
            }),
            _ => Err(EngineError::Parsing("[more_like_this] like must be a text or a document".into())),
        }
    }

    fn list(v: Option<&Value>) -> Result<Vec<Like>, EngineError> {
        match v {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(Like::parse).collect(),
            Some(one) => Ok(vec![Like::parse(one)?]),
        }
    }
}

const OPTIONS: &[&str] = &[
    "fields",
    "like",
    "unlike",
    "min_term_freq",
    "max_query_terms",
    "min_doc_freq",
    "max_doc_freq",
    "min_word_length",
    "max_word_length",
    "stop_words",
    "analyzer",
    "minimum_should_match",
    "include",
    "boost",
    "_name",
    "fail_on_unsupported_field",
    "boost_terms",
];

impl MoreLikeThis {
    pub fn parse(params: &Map<String, Value>) -> Result<MoreLikeThis, EngineError> {
        if let Some(k) = params.keys().find(|k| !OPTIONS.contains(&k.as_str())) {
            return Err(EngineError::Unsupported(format!("the [{k}] option of the [more_like_this] query")));
        }
        let like = Like::list(params.get("like"))?;
        if like.is_empty() {
            return Err(EngineError::IllegalArgument("more_like_this requires 'like' to be specified".into()));
        }
        let number = |k: &str, default: u64| params.get(k).and_then(Value::as_u64).unwrap_or(default);
        let strings = |k: &str| match params.get(k) {
            Some(Value::Array(items)) => items.iter().map(crate::settings_text).collect(),
            Some(one) => vec![crate::settings_text(one)],
            None => Vec::new(),
        };
        Ok(MoreLikeThis {
            fields: strings("fields"),
            like,
            unlike: Like::list(params.get("unlike"))?,
            min_term_freq: number("min_term_freq", 2),
            max_query_terms: number("max_query_terms", 25) as usize,
            min_doc_freq: number("min_doc_freq", 5),
            max_doc_freq: number("max_doc_freq", u64::from(u32::MAX)),
            min_word_length: number("min_word_length", 0) as usize,
            max_word_length: number("max_word_length", 0) as usize,
            stop_words: strings("stop_words").into_iter().map(|w| w.to_lowercase()).collect(),
            analyzer: params.get("analyzer").and_then(Value::as_str).map(str::to_owned),
            minimum_should_match: params
                .get("minimum_should_match")
                .map_or_else(|| "30%".to_owned(), crate::settings_text),
            include: params.get("include").is_some_and(|v| v == true),
            fail_on_unsupported_field: params.get("fail_on_unsupported_field").is_none_or(|v| v != false),
            boost_terms: params.get("boost_terms").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            boost: params.get("boost").and_then(Value::as_f64).unwrap_or(1.0) as f32,
        })
    }

    /// Whether it names documents still to read.
    pub fn has_lookup(&self) -> bool {
        self.like.iter().chain(&self.unlike).any(|l| matches!(l, Like::Document { .. }))
    }

    /// The ids of the liked documents, which the hits leave out.
    pub fn liked_ids(&self) -> Vec<String> {
        self.like
            .iter()
            .filter_map(|l| match l {
                Like::Source { id: Some(id), .. } | Like::Document { id, .. } => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether a word may be a query term by its length and the stop words.
    pub(crate) fn keeps(&self, word: &str) -> bool {
        let n = word.chars().count();
        n >= self.min_word_length
            && (self.max_word_length == 0 || n <= self.max_word_length)
            && !self.stop_words.iter().any(|s| s == word)
    }
}

/// The candidate terms of liked texts, with their frequencies there; the
/// best are chosen against the searcher's document frequencies.
#[derive(Debug, Clone)]
pub(crate) struct MoreLikeThisQuery {
    /// Each candidate term, its frequency in the liked texts, and the text
    /// field it belongs to (scored with that field's own BM25 statistics).
    pub candidates: Vec<(Term, u64, Option<String>)>,
    pub min_term_freq: u64,
    pub min_doc_freq: u64,
    pub max_doc_freq: u64,
    pub max_query_terms: usize,
    pub minimum_should_match: String,
    /// `MoreLikeThis::boost_terms`.
    pub boost_terms: f32,
}

impl TQuery for MoreLikeThisQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let docs = scoring.searcher().map_or(0, |s| s.num_docs());
        let mut scored: Vec<(f64, &Term, &Option<String>)> = Vec::new();
        for (term, tf, text_path) in self.candidates.iter().filter(|(_, tf, _)| *tf >= self.min_term_freq) {
            let df = match scoring.searcher() {
                Some(searcher) => searcher.doc_freq(term)?,
                None => self.min_doc_freq,
            };
            if df < self.min_doc_freq || df > self.max_doc_freq || df == 0 {
                continue;
            }
            // Lucene's classic idf.
            let idf = (docs as f64 / (df as f64 + 1.0)).ln() + 1.0;
            scored.push((*tf as f64 * idf, term, text_path));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.truncate(self.max_query_terms);
        let text = crate::indexed::fields().text;
        let clause = |term: &Term, text_path: &Option<String>| -> Box<dyn TQuery> {
            let plain = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            match text_path {
                // A text field's term: its own field's statistics, as every text query.
                Some(path) if term.field() == text => {
                    Box::new(super::bm25::TextTermQuery { term: term.clone(), path: path.clone(), doc_freq: None })
                }
                Some(path) => Box::new(super::bm25::FieldStatsQuery { inner: plain, path: path.clone() }),
                None => plain,
            }
        };
        // With `boost_terms`, each clause by its score over the best one's, as Lucene boosts them.
        let best = scored.first().map_or(1.0, |(score, _, _)| *score);
        let clauses: Vec<(Occur, Box<dyn TQuery>)> = scored
            .iter()
            .map(|(score, t, path)| {
                let q = clause(t, path);
                let q: Box<dyn TQuery> = if self.boost_terms > 0.0 && best > 0.0 {
                    Box::new(BoostQuery::new(q, self.boost_terms * (*score / best) as f32))
                } else {
                    q
                };
                (Occur::Should, q)
            })
            .collect();
        let required = super::dsl::minimum_should_match(&self.minimum_should_match, clauses.len()).max(1);
        let query = if clauses.is_empty() {
            Box::new(tantivy::query::EmptyQuery) as Box<dyn TQuery>
        } else {
            Box::new(BooleanQuery::with_minimum_required_clauses(clauses, required))
        };
        query.weight(scoring)
    }
}
