//! How corrections of a word are found: the options and the candidate
//! search the term suggester and the phrase suggester's direct generators
//! share (Lucene's `DirectSpellChecker`): the terms of a field's
//! dictionary within `max_edits` of the word, past its `prefix_length`
//! first characters, frequent enough and alike enough (`accuracy`, by the
//! `string_distance`), most alike first.

use super::dsl::parsing;
use super::edits::edits_within;
use super::string_distance::StringDistance;
use crate::error::EngineError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// When corrections are proposed (`suggest_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only for terms no document holds.
    Missing,
    /// Only terms more frequent than the given one.
    Popular,
    Always,
}

/// The options of a correction search.
#[derive(Debug, Clone)]
pub struct Spelling {
    pub size: usize,
    /// `sort: frequency`: the most frequent corrections first, not the most alike.
    pub by_frequency: bool,
    pub mode: Mode,
    pub max_edits: usize,
    pub prefix_length: usize,
    pub min_word_length: usize,
    /// `min_doc_freq`: the documents a correction must be in, a count or
    /// (below 1) a share of the documents.
    pub min_doc_freq: f64,
    /// `max_term_freq`: past this many documents (or share of them, below
    /// 1; 1% by default) a word is taken as well spelled and not corrected.
    pub max_term_freq: f64,
    /// `string_distance`: how alike a correction is to the word.
    pub distance: StringDistance,
    /// `accuracy`: the least likeness a correction needs (0.5 by default).
    pub accuracy: f64,
}

/// The options [`Spelling::parse`] reads.
pub const SPELLING_OPTIONS: &[&str] = &[
    "size",
    "sort",
    "suggest_mode",
    "max_edits",
    "prefix_length",
    "min_word_length",
    "min_doc_freq",
    "max_term_freq",
    "string_distance",
    "accuracy",
    // How many candidates each shard looks at: every term of every shard
    // is looked at here, so this only bounds what is already exact.
    "max_inspections",
];

/// A whole-number option, `default` when absent.
pub(crate) fn usize_of(o: &Map<String, Value>, key: &str, default: usize) -> Result<usize, EngineError> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(|n| n as usize)
            .ok_or_else(|| parsing(format!("[{key}] must be a positive number"))),
    }
}

/// A document frequency option: a count, or below 1 a share of the
/// documents (whole counts only above 1, as Elasticsearch asks).
fn frequency(o: &Map<String, Value>, key: &str, default: f64) -> Result<f64, EngineError> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => match v.as_f64().or_else(|| v.as_str()?.parse().ok()) {
            Some(f) if f >= 0.0 && (f < 1.0 || f.fract() == 0.0) => Ok(f),
            Some(f) if f >= 1.0 => Err(EngineError::IllegalArgument(format!(
                "[{key}] can't be fractional if greater than or equal to 1, got [{f}]"
            ))),
            _ => Err(EngineError::IllegalArgument(format!("[{key}] must be a positive number, got [{v}]"))),
        },
    }
}

/// A frequency option in documents: a count as it is, a share of `docs`
/// rounded up.
fn in_documents(frequency: f64, docs: u64) -> u64 {
    if frequency >= 1.0 {
        frequency as u64
    } else {
        (frequency * docs as f64).ceil() as u64
    }
}

impl Spelling {
    /// Reads the [`SPELLING_OPTIONS`] of a suggester or generator.
    pub fn parse(o: &Map<String, Value>) -> Result<Spelling, EngineError> {
        let max_edits = usize_of(o, "max_edits", 2)?;
        if !(1..=2).contains(&max_edits) {
            return Err(EngineError::IllegalArgument("maxEdits must be between 1 and 2".into()));
        }
        let distance = match o.get("string_distance") {
            None => StringDistance::default(),
            Some(v) => StringDistance::parse(&crate::settings_text(v)).ok_or_else(|| {
                EngineError::IllegalArgument(format!("Illegal distance option {}", crate::settings_text(v)))
            })?,
        };
        let accuracy = match o.get("accuracy") {
            None => 0.5,
            Some(v) => v
                .as_f64()
                .or_else(|| v.as_str()?.parse().ok())
                .ok_or_else(|| parsing(format!("[accuracy] must be a number, got [{v}]")))?,
        };
        Ok(Spelling {
            size: usize_of(o, "size", 5)?,
            by_frequency: match o.get("sort").and_then(Value::as_str) {
                None | Some("score") => false,
                Some("frequency") => true,
                Some(other) => return Err(EngineError::IllegalArgument(format!("Illegal suggest sort: {other}"))),
            },
            mode: match o.get("suggest_mode").and_then(Value::as_str) {
                None | Some("missing") => Mode::Missing,
                Some("popular") => Mode::Popular,
                Some("always") => Mode::Always,
                Some(other) => return Err(EngineError::IllegalArgument(format!("Illegal suggest mode {other}"))),
            },
            max_edits,
            prefix_length: usize_of(o, "prefix_length", 1)?,
            min_word_length: usize_of(o, "min_word_length", 4)?,
            min_doc_freq: frequency(o, "min_doc_freq", 0.0)?,
            max_term_freq: frequency(o, "max_term_freq", 0.01)?,
            distance,
            accuracy,
        })
    }

    /// The corrections of `word` in a field's `dictionary` (term to
    /// document frequency, over `docs` documents), best first, at most
    /// `size`, each with its likeness and frequency. None for a word too
    /// short, or taken as well spelled (in the dictionary under
    /// `suggest_mode: missing`, or past `max_term_freq`).
    pub fn corrections<'d>(
        &self,
        word: &str,
        dictionary: &'d BTreeMap<String, u64>,
        docs: u64,
    ) -> Vec<(&'d String, f64, u64)> {
        let chars: Vec<char> = word.chars().collect();
        let own = dictionary.get(word).copied().unwrap_or(0);
        let (min_freq, max_freq) = (in_documents(self.min_doc_freq, docs), in_documents(self.max_term_freq, docs));
        if chars.len() < self.min_word_length || (self.mode == Mode::Missing && own > 0) || own > max_freq {
            return Vec::new();
        }
        let prefix: String = chars.iter().take(self.prefix_length).collect();
        let mut found: Vec<(&String, f64, u64)> = Vec::new();
        for (candidate, &freq) in dictionary.range(prefix.clone()..) {
            if !candidate.starts_with(&prefix) {
                break;
            }
            if candidate == word || freq < min_freq || (self.mode == Mode::Popular && freq <= own) {
                continue;
            }
            let cand: Vec<char> = candidate.chars().collect();
            let Some(edits) = edits_within(&chars, &cand, self.max_edits, true).filter(|d| *d > 0) else {
                continue;
            };
            let likeness = self.distance.similarity(&chars, &cand, edits);
            if likeness >= self.accuracy {
                found.push((candidate, likeness, freq));
            }
        }
        found.sort_by(|a, b| {
            let by_likeness = b.1.total_cmp(&a.1).then(b.2.cmp(&a.2));
            let by_freq = b.2.cmp(&a.2).then(b.1.total_cmp(&a.1));
            (if self.by_frequency { by_freq } else { by_likeness }).then(a.0.cmp(b.0))
        });
        found.truncate(self.size);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spelling(v: Value) -> Spelling {
        Spelling::parse(v.as_object().unwrap()).unwrap()
    }

    #[test]
    fn corrections_are_alike_enough_and_best_first() {
        let dictionary: BTreeMap<String, u64> =
            [("brown", 3), ("browm", 1), ("brawn", 2), ("bright", 5)].into_iter().map(|(t, f)| (t.into(), f)).collect();
        let words = |s: &Spelling, word: &str| -> Vec<String> {
            s.corrections(word, &dictionary, 10).into_iter().map(|(w, _, _)| w.clone()).collect()
        };
        let defaults = spelling(json!({"max_term_freq": 0.9}));
        // One edit each from "brwon" (a transposition is one), the more frequent first.
        assert_eq!(words(&defaults, "brwon"), ["brown", "brawn", "browm"]);
        assert_eq!(words(&spelling(json!({"sort": "frequency", "max_term_freq": 0.9})), "brwon")[0], "brown");
        assert!(words(&defaults, "brown").is_empty(), "a word in the dictionary is well spelled");
        assert_eq!(
            words(&spelling(json!({"suggest_mode": "popular", "max_term_freq": 0.9})), "browm"),
            ["brown", "brawn"]
        );
        // Past max_term_freq (1% of 10 documents by default) a word is not corrected.
        assert!(words(&spelling(json!({"suggest_mode": "always"})), "brown").is_empty());
        assert!(words(&spelling(json!({"accuracy": 0.9, "max_term_freq": 0.9})), "brwon").is_empty());
        assert!(Spelling::parse(json!({"max_edits": 3}).as_object().unwrap()).is_err());
    }
}
