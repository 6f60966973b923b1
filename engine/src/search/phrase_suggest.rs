//! The `phrase` suggester: corrections of a whole text. Each analysed term
//! of the text gets candidates from the field's term dictionary (direct
//! generators: terms within an edit distance), and the phrases made of at
//! most `max_errors` corrected terms are scored by a unigram language model
//! of the field (each term's share of the field's terms, smoothed as the
//! request's `smoothing` says) times a channel model (`real_word_error_likelihood` for a term
//! kept, the rest shared by the corrections by their similarity). Phrases
//! scoring above `confidence` times the text's own score are suggested.

use super::dsl::parsing;
use super::spelling::{Spelling, SPELLING_OPTIONS};
use super::suggest::number_of;
use crate::error::EngineError;
use crate::mapper::Mapper;
use crate::Engine;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct PhraseOptions {
    pub field: String,
    pub analyzer: Option<String>,
    pub size: usize,
    /// Terms that may be corrected: a count (≥ 1) or a share of the terms.
    pub max_errors: f64,
    pub confidence: f64,
    pub real_word_error_likelihood: f64,
    pub separator: String,
    pub highlight: Option<(String, String)>,
    pub generators: Vec<Generator>,
    pub smoothing: Smoothing,
}

/// The language model's `smoothing`: each model's parameters are read and
/// checked, though on unigrams only laplace's `alpha` changes a score. This suggester builds unigrams alone
/// (`gram_size` 1), and on unigrams Elasticsearch's `stupid_backoff` (the
/// default) and `linear_interpolation` both score a term as add-one
/// smoothing does, their `discount` and lambdas weighing longer grams only;
/// `laplace` adds its `alpha` instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Smoothing {
    StupidBackoff { discount: f64 },
    Laplace { alpha: f64 },
    LinearInterpolation { trigram: f64, bigram: f64, unigram: f64 },
}

impl Smoothing {
    fn parse(v: &Value) -> Result<Smoothing, EngineError> {
        let Some((name, options)) = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return Err(parsing("suggester[phrase] [smoothing] must be an object with one model"));
        };
        let Value::Object(o) = options else { return Err(parsing(format!("[{name}] must be an object"))) };
        let known = |names: &[&str]| match o.keys().find(|k| !names.contains(&k.as_str())) {
            Some(k) => Err(parsing(format!("suggester[phrase][smoothing][{name}] doesn't support field [{k}]"))),
            None => Ok(()),
        };
        match name.as_str() {
            "stupid_backoff" => {
                known(&["discount"])?;
                Ok(Smoothing::StupidBackoff { discount: number_of(o, "discount", 0.4)? })
            }
            "laplace" => {
                known(&["alpha"])?;
                Ok(Smoothing::Laplace { alpha: number_of(o, "alpha", 0.5)? })
            }
            "linear_interpolation" => {
                known(&["trigram_lambda", "bigram_lambda", "unigram_lambda"])?;
                // A lambda not given is none of the weight, as in Elasticsearch.
                let lambda = |k: &str| o.get(k).and_then(Value::as_f64).unwrap_or(0.0);
                let (trigram, bigram, unigram) =
                    (lambda("trigram_lambda"), lambda("bigram_lambda"), lambda("unigram_lambda"));
                if (trigram + bigram + unigram - 1.0).abs() > 0.001 {
                    return Err(EngineError::IllegalArgument("linear smoothing lambdas must sum to 1".into()));
                }
                Ok(Smoothing::LinearInterpolation { trigram, bigram, unigram })
            }
            other => Err(parsing(format!("suggester[phrase] doesn't support smoothing model [{other}]"))),
        }
    }

    /// A term's probability from its frequency, the field's total of term
    /// frequencies and its number of distinct terms.
    fn unigram(self, frequency: u64, total: u64, distinct: u64) -> f64 {
        let (added, per_term) = match self {
            Smoothing::Laplace { alpha } => (alpha, alpha),
            Smoothing::StupidBackoff { .. } | Smoothing::LinearInterpolation { .. } => (1.0, 1.0),
        };
        (added + frequency as f64) / (total as f64 + per_term * distinct as f64).max(1.0)
    }
}

/// A `direct_generator`: where and how candidates of a term are found.
#[derive(Debug, Clone)]
pub struct Generator {
    pub field: String,
    pub spelling: Spelling,
    /// `pre_filter`: an analyzer the term goes through before its
    /// corrections are looked for (its last token is looked for).
    pub pre_filter: Option<String>,
    /// `post_filter`: an analyzer each correction goes through, each token
    /// it gives a candidate.
    pub post_filter: Option<String>,
}

impl Generator {
    fn parse(v: &Value, default_field: &str) -> Result<Generator, EngineError> {
        let Value::Object(o) = v else { return Err(parsing("[direct_generator] must be an object")) };
        const OWN: &[&str] = &["field", "pre_filter", "post_filter"];
        if let Some(k) = o.keys().find(|k| !OWN.contains(&k.as_str()) && !SPELLING_OPTIONS.contains(&k.as_str())) {
            return Err(parsing(format!("[direct_generator] unknown field [{k}]")));
        }
        let analyzer = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(Generator {
            field: o.get("field").and_then(Value::as_str).unwrap_or(default_field).to_owned(),
            spelling: Spelling::parse(o)?,
            pre_filter: analyzer("pre_filter"),
            post_filter: analyzer("post_filter"),
        })
    }

    /// The candidates of `term` in `dictionary`, each with its likeness,
    /// through the generator's filters.
    fn candidates(
        &self,
        mapper: &Mapper,
        term: &str,
        dictionary: &BTreeMap<String, u64>,
        docs: u64,
    ) -> Result<Vec<(String, f64)>, EngineError> {
        let filter = |name: &str| {
            mapper
                .analyzers
                .analyzer(name)
                .map_err(|_| EngineError::IllegalArgument(format!("analyzer [{name}] not found")))
        };
        let looked_for = match &self.pre_filter {
            Some(name) => filter(name)?.analyze(term).pop().map_or_else(|| term.to_owned(), |t| t.term),
            None => term.to_owned(),
        };
        let found = self.spelling.corrections(&looked_for, dictionary, docs);
        let Some(name) = &self.post_filter else {
            return Ok(found.into_iter().map(|(word, likeness, _)| (word.clone(), likeness)).collect());
        };
        let post = filter(name)?;
        Ok(found
            .into_iter()
            .flat_map(|(word, likeness, _)| post.analyze(word).into_iter().map(move |t| (t.term, likeness)))
            .collect())
    }
}

impl PhraseOptions {
    pub fn parse(o: &Map<String, Value>) -> Result<PhraseOptions, EngineError> {
        const KNOWN: &[&str] = &[
            "field",
            "analyzer",
            "size",
            "max_errors",
            "confidence",
            "real_word_error_likelihood",
            "separator",
            "highlight",
            "direct_generator",
            "gram_size",
            "smoothing",
        ];
        if let Some(k) = o.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(EngineError::Unsupported(format!("the [{k}] option of the [phrase] suggester")));
        }
        if o.get("gram_size").and_then(Value::as_u64).is_some_and(|n| n > 1) {
            return Err(EngineError::Unsupported("a [gram_size] above 1 in the [phrase] suggester".into()));
        }
        let field = o
            .get("field")
            .and_then(Value::as_str)
            .ok_or_else(|| parsing("the required field option [field] is missing"))?;
        let tag = |h: &Value, k: &str| h.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let highlight = o.get("highlight").map(|h| (tag(h, "pre_tag"), tag(h, "post_tag")));
        let generators = match o.get("direct_generator") {
            None => vec![Generator::parse(&json!({}), field)?],
            Some(Value::Array(items)) => items.iter().map(|g| Generator::parse(g, field)).collect::<Result<_, _>>()?,
            Some(one) => vec![Generator::parse(one, field)?],
        };
        Ok(PhraseOptions {
            field: field.to_owned(),
            analyzer: o.get("analyzer").and_then(Value::as_str).map(str::to_owned),
            size: number_of(o, "size", 5.0)? as usize,
            max_errors: number_of(o, "max_errors", 1.0)?,
            confidence: number_of(o, "confidence", 1.0)?,
            real_word_error_likelihood: number_of(o, "real_word_error_likelihood", 0.95)?,
            separator: o.get("separator").and_then(Value::as_str).unwrap_or(" ").to_owned(),
            highlight,
            generators,
            smoothing: match o.get("smoothing") {
                Some(spec) => Smoothing::parse(spec)?,
                None => Smoothing::StupidBackoff { discount: 0.4 },
            },
        })
    }
}

/// A term of the text and the ways to write it: itself first, then its
/// corrections, each with its score (language model times channel).
struct Position {
    candidates: Vec<(String, f64)>,
}

/// How many phrases the search may build.
const MAX_PHRASES: usize = 10_000;

impl Engine {
    pub(crate) fn phrase_suggestion(
        &self,
        indices: &[String],
        mapper: &Mapper,
        text: &str,
        o: &PhraseOptions,
    ) -> Result<Vec<Value>, EngineError> {
        let field = mapper
            .fields
            .get(&o.field)
            .ok_or_else(|| EngineError::IllegalArgument(format!("no mapping found for field [{}]", o.field)))?;
        let analyzer = super::suggest::text_analyzer(mapper, field, o.analyzer.as_deref())?;
        let dictionary = self.term_frequencies(indices, field)?;
        let docs = self.max_docs(indices)?;
        let total: u64 = dictionary.values().sum();
        let distinct = dictionary.len() as u64;
        // The unigram language model, smoothed so that unseen terms keep a little.
        let model = |term: &str| o.smoothing.unigram(dictionary.get(term).copied().unwrap_or(0), total, distinct);
        let rwel = o.real_word_error_likelihood;
        // Each generator's dictionary, read once.
        let mut sources = Vec::with_capacity(o.generators.len());
        for g in &o.generators {
            sources.push(match mapper.fields.get(&g.field) {
                Some(f) if g.field != o.field => Some(self.term_frequencies(indices, f)?),
                _ => None,
            });
        }
        let tokens = analyzer.analyze(text);
        let mut positions = Vec::new();
        for token in &tokens {
            let own = dictionary.get(&token.term).copied().unwrap_or(0);
            let keep = if own > 0 { rwel } else { 1.0 - rwel };
            let mut candidates = vec![(token.term.clone(), model(&token.term) * keep)];
            for (g, source) in o.generators.iter().zip(&sources) {
                let found = g.candidates(mapper, &token.term, source.as_ref().unwrap_or(&dictionary), docs)?;
                for (word, similarity) in found {
                    if candidates.iter().all(|(c, _)| *c != word) {
                        let score = model(&word) * (1.0 - rwel) * similarity;
                        candidates.push((word, score));
                    }
                }
            }
            positions.push(Position { candidates });
        }
        let max_errors = if o.max_errors >= 1.0 {
            o.max_errors.floor() as usize
        } else {
            ((o.max_errors * positions.len() as f64).ceil() as usize).max(1)
        };
        let original: f64 = positions.iter().map(|p| p.candidates[0].1.ln()).sum();
        let mut phrases: Vec<(f64, Vec<usize>)> = Vec::new();
        let mut chosen = Vec::with_capacity(positions.len());
        build(&positions, max_errors, 0.0, &mut chosen, &mut phrases);
        let threshold = original + o.confidence.max(f64::MIN_POSITIVE).ln();
        phrases.retain(|(score, choice)| choice.iter().any(|c| *c > 0) && (o.confidence <= 0.0 || *score > threshold));
        phrases.sort_by(|a, b| b.0.total_cmp(&a.0));
        phrases.truncate(o.size);
        let options: Vec<Value> = phrases
            .iter()
            .map(|(score, choice)| {
                let words: Vec<&str> =
                    choice.iter().zip(&positions).map(|(c, p)| p.candidates[*c].0.as_str()).collect();
                let mut option = json!({"text": words.join(&o.separator), "score": score.exp()});
                if let Some((pre, post)) = &o.highlight {
                    let marked: Vec<String> = choice
                        .iter()
                        .zip(&words)
                        .map(|(c, w)| if *c > 0 { format!("{pre}{w}{post}") } else { (*w).to_owned() })
                        .collect();
                    option["highlighted"] = json!(marked.join(&o.separator));
                }
                option
            })
            .collect();
        Ok(vec![json!({
            "text": text,
            "offset": 0,
            "length": text.encode_utf16().count(),
            "options": options,
        })])
    }
}

/// Every phrase of at most `errors` corrections, with its log score.
fn build(positions: &[Position], errors: usize, score: f64, chosen: &mut Vec<usize>, out: &mut Vec<(f64, Vec<usize>)>) {
    if out.len() >= MAX_PHRASES {
        return;
    }
    let Some(position) = positions.get(chosen.len()) else {
        out.push((score, chosen.clone()));
        return;
    };
    for (i, (_, candidate)) in position.candidates.iter().enumerate() {
        if i > 0 && errors == 0 {
            break;
        }
        chosen.push(i);
        build(positions, errors - usize::from(i > 0), score + candidate.ln(), chosen, out);
        chosen.pop();
    }
}
