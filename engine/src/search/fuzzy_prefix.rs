//! The `fuzzy` option of the completion suggester: an input matches when
//! one of its prefixes lies within the allowed edits of the text typed
//! (its first `prefix_length` units unchanged), and it is boosted by how
//! far the two agree from the start, as Lucene's fuzzy completion query
//! boosts its paths: the common start of the text and the matching prefix
//! less its last unit, so that an exact match and one whose only edit is
//! at the end rank alike. Units are bytes, or characters with
//! `unicode_aware`.

use super::dsl;
use super::edits::edits_within;
use crate::error::EngineError;
use serde_json::{Map, Value};

/// A completion suggestion's `fuzzy` options, with Elasticsearch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyPrefix {
    /// `fuzziness`: `AUTO` by default, as for queries.
    pub fuzziness: String,
    /// `transpositions`: a swap of two neighbours is one edit (default true).
    pub transpositions: bool,
    /// `min_length`: shorter texts are matched exactly (default 3).
    pub min_length: usize,
    /// `prefix_length`: the units of the text that may not change (default 1).
    pub prefix_length: usize,
    /// `unicode_aware`: count characters, not bytes (default false).
    pub unicode_aware: bool,
}

impl Default for FuzzyPrefix {
    fn default() -> FuzzyPrefix {
        FuzzyPrefix {
            fuzziness: "AUTO".into(),
            transpositions: true,
            min_length: 3,
            prefix_length: 1,
            unicode_aware: false,
        }
    }
}

impl FuzzyPrefix {
    pub fn parse(spec: &Value) -> Result<FuzzyPrefix, EngineError> {
        let Some(spec) = spec.as_object() else {
            return Err(EngineError::Parsing("[fuzzy] must be an object".into()));
        };
        let mut out = FuzzyPrefix::default();
        for (key, value) in spec {
            match key.as_str() {
                "fuzziness" => out.fuzziness = crate::settings_text(value),
                "transpositions" => out.transpositions = flag(spec, key)?,
                "min_length" => out.min_length = number(spec, key)?,
                "prefix_length" => out.prefix_length = number(spec, key)?,
                "unicode_aware" => out.unicode_aware = flag(spec, key)?,
                other => return Err(EngineError::Parsing(format!("[fuzzy] doesn't support [{other}]"))),
            }
        }
        // A fuzziness that cannot be read fails now, not per input.
        dsl::edit_distance_for(&out.fuzziness, 0)?;
        Ok(out)
    }

    /// The boost of `input` for the text `typed` (both analysed), or `None`
    /// when no prefix of it is close enough.
    pub fn boost(&self, typed: &str, input: &str) -> Option<usize> {
        let (typed, input) = (self.units(typed), self.units(input));
        let edits = usize::from(dsl::edit_distance_for(&self.fuzziness, typed.len()).unwrap_or(0));
        let common = typed.iter().zip(&input).take_while(|(a, b)| a == b).count();
        if typed.len() <= self.prefix_length || typed.len() < self.min_length || edits == 0 {
            // Matched exactly: the accepting prefix is the text itself.
            return (common == typed.len()).then(|| typed.len().saturating_sub(1));
        }
        let fixed = self.prefix_length;
        if input.len() < fixed || input[..fixed] != typed[..fixed] {
            return None;
        }
        let shortest = typed.len().saturating_sub(edits).max(fixed).max(1);
        let longest = (typed.len() + edits).min(input.len());
        (shortest..=longest)
            .filter(|&end| edits_within(&input[fixed..end], &typed[fixed..], edits, self.transpositions).is_some())
            .map(|end| common.min(end - 1))
            .max()
    }

    /// A text's units: its characters, or (not `unicode_aware`) its bytes.
    fn units(&self, text: &str) -> Vec<char> {
        if self.unicode_aware {
            text.chars().collect()
        } else {
            text.bytes().map(char::from).collect()
        }
    }
}

fn flag(spec: &Map<String, Value>, key: &str) -> Result<bool, EngineError> {
    match &spec[key] {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        other => Err(EngineError::Parsing(format!("[fuzzy] [{key}] must be a boolean, got [{other}]"))),
    }
}

fn number(spec: &Map<String, Value>, key: &str) -> Result<usize, EngineError> {
    let value = &spec[key];
    value
        .as_u64()
        .or_else(|| value.as_str()?.parse().ok())
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| EngineError::Parsing(format!("[fuzzy] [{key}] must be a non-negative integer, got [{value}]")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_prefix_within_the_edits_matches_and_agreement_from_the_start_boosts() {
        let fuzzy = FuzzyPrefix::default();
        // Exact prefixes rank first: "nirv" agrees with "nirvana" on four units.
        assert_eq!(fuzzy.boost("nirv", "nirvana"), Some(4));
        // One substitution, at the third unit.
        assert_eq!(fuzzy.boost("nirv", "nevermind"), None, "two edits, AUTO allows one for four units");
        assert_eq!(fuzzy.boost("mirv", "nirvana"), None, "the first unit may not change");
        assert_eq!(fuzzy.boost("nerv", "nirvana"), Some(1), "one substitution past it may");
        assert_eq!(fuzzy.boost("nriv", "nirvana"), Some(1), "a transposition is one edit");
        let strict = FuzzyPrefix { transpositions: false, ..FuzzyPrefix::default() };
        assert_eq!(strict.boost("nriv", "nirvana"), None);
        // Too short for edits: exact prefixes only, boosted as Lucene's exact paths.
        assert_eq!(fuzzy.boost("ni", "nirvana"), Some(1));
        assert_eq!(fuzzy.boost("nx", "nirvana"), None);
        // A longer text may take two edits.
        assert_eq!(fuzzy.boost("nirvanna", "nirvana"), Some(6));
    }

    #[test]
    fn units_are_bytes_unless_unicode_aware() {
        let bytes = FuzzyPrefix::default();
        let chars = FuzzyPrefix { unicode_aware: true, ..FuzzyPrefix::default() };
        // "é" is two bytes: replacing it by "e" is two edits in bytes.
        assert_eq!(bytes.boost("cafes", "cafés"), None);
        assert_eq!(chars.boost("cafes", "cafés"), Some(3));
    }

    #[test]
    fn options_are_read_with_elasticsearchs_defaults() {
        let parsed = FuzzyPrefix::parse(&json!({"fuzziness": 2, "prefix_length": 0, "unicode_aware": true})).unwrap();
        assert_eq!(
            parsed,
            FuzzyPrefix { fuzziness: "2".into(), prefix_length: 0, unicode_aware: true, ..FuzzyPrefix::default() }
        );
        assert!(FuzzyPrefix::parse(&json!({"fuzziness": 3})).is_err());
        assert!(FuzzyPrefix::parse(&json!({"nope": 1})).is_err());
        assert!(FuzzyPrefix::parse(&json!(true)).is_err());
    }
}
