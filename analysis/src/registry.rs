//! The analyzers of an index: the built-in ones and those its
//! `index.analysis.*` settings define, with the custom tokenizers, token
//! filters, char filters and normalizers they are made of.

use crate::analyzer::{Analyzer, Named, POSITION_INCREMENT_GAP};
use crate::char_filter::{java_replacement, CharFilter};
use crate::error::AnalysisError;
use crate::filter::{stemmer_algorithm, TokenFilter};
use crate::stopwords;
use crate::tokenizer::{CharClass, Tokenizer};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The kinds of component under `index.analysis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Analyzer,
    Tokenizer,
    Filter,
    CharFilter,
    Normalizer,
}

/// A component's definition: its parameters, dotted keys flattened.
type Definition = Map<String, Value>;

/// The char filters and token filters of a custom analyzer.
type Parts = (Vec<Named<CharFilter>>, Vec<Named<TokenFilter>>);

/// An index's analysis components by name.
#[derive(Debug, Clone, Default)]
pub struct Analyzers {
    analyzers: HashMap<String, Arc<Analyzer>>,
    normalizers: HashMap<String, Arc<Analyzer>>,
    tokenizers: HashMap<String, Tokenizer>,
    filters: HashMap<String, TokenFilter>,
    char_filters: HashMap<String, CharFilter>,
    max_ngram_diff: usize,
    max_shingle_diff: usize,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
        Some(v) => text(v).map(|s| s.split(',').map(|p| p.trim().to_owned()).collect()).unwrap_or_default(),
        None => Vec::new(),
    }
}

fn number(def: &Definition, key: &str, default: usize) -> Result<usize, AnalysisError> {
    match def.get(key).and_then(text) {
        None => Ok(default),
        Some(s) => {
            s.parse().map_err(|_| AnalysisError::Invalid(format!("Failed to parse value [{s}] for setting [{key}]")))
        }
    }
}

fn flag(def: &Definition, key: &str, default: bool) -> bool {
    def.get(key).and_then(text).map_or(default, |s| s == "true")
}

impl Analyzers {
    /// The components the flat `index.analysis.*` settings of an index define.
    pub fn from_settings(settings: &BTreeMap<String, Value>) -> Result<Analyzers, AnalysisError> {
        let setting = |k: &str, d: usize| settings.get(k).and_then(text).and_then(|s| s.parse().ok()).unwrap_or(d);
        let mut out = Analyzers {
            max_ngram_diff: setting("index.max_ngram_diff", 1),
            max_shingle_diff: setting("index.max_shingle_diff", 3),
            ..Analyzers::default()
        };
        let mut defs: HashMap<&str, BTreeMap<String, Definition>> = HashMap::new();
        for (key, value) in settings {
            let Some(rest) = key.strip_prefix("index.analysis.") else { continue };
            let mut parts = rest.splitn(3, '.');
            let (Some(kind), Some(name), Some(param)) = (parts.next(), parts.next(), parts.next()) else { continue };
            defs.entry(kind).or_default().entry(name.to_owned()).or_default().insert(param.to_owned(), value.clone());
        }
        for (name, def) in defs.remove("char_filter").unwrap_or_default() {
            let built = out.char_filter_def(&name, &def)?;
            out.char_filters.insert(name, built);
        }
        for (name, def) in defs.remove("tokenizer").unwrap_or_default() {
            let built = out.tokenizer_def(&name, &def)?;
            out.tokenizers.insert(name, built);
        }
        for (name, def) in defs.remove("filter").unwrap_or_default() {
            let built = out.filter_def(&name, &def)?;
            out.filters.insert(name, built);
        }
        for (name, def) in defs.remove("normalizer").unwrap_or_default() {
            let built = out.normalizer_def(&name, &def)?;
            out.normalizers.insert(name, Arc::new(built));
        }
        for (name, def) in defs.remove("analyzer").unwrap_or_default() {
            let built = out.analyzer_def(&name, &def)?;
            out.analyzers.insert(name, Arc::new(built));
        }
        Ok(out)
    }

    /// An analyzer by name: the index's own, then the built-in ones.
    pub fn analyzer(&self, name: &str) -> Result<Arc<Analyzer>, AnalysisError> {
        if let Some(a) = self.analyzers.get(name) {
            return Ok(a.clone());
        }
        Analyzer::builtin(name).map(Arc::new).ok_or_else(|| AnalysisError::UnknownAnalyzer(name.to_owned()))
    }

    /// Whether a name is an analyzer of the index's own rather than a built-in one.
    pub fn is_custom(&self, name: &str) -> bool {
        self.analyzers.contains_key(name)
    }

    /// The analyzer of text fields that name none (`default` if the index defines one).
    pub fn default_analyzer(&self) -> Arc<Analyzer> {
        self.analyzers.get("default").cloned().unwrap_or_else(|| Arc::new(Analyzer::standard(255, &[])))
    }

    /// The analyzer of queries on text fields that name no search analyzer.
    pub fn default_search_analyzer(&self) -> Arc<Analyzer> {
        self.analyzers.get("default_search").cloned().unwrap_or_else(|| self.default_analyzer())
    }

    pub fn normalizer(&self, name: &str) -> Result<Arc<Analyzer>, AnalysisError> {
        if let Some(n) = self.normalizers.get(name) {
            return Ok(n.clone());
        }
        match name {
            "lowercase" => Ok(Arc::new(
                Analyzer::new(Named::new("keyword", Tokenizer::Keyword))
                    .normalizer_with("lowercase", TokenFilter::Lowercase),
            )),
            _ => Err(AnalysisError::UnknownNormalizer(name.to_owned())),
        }
    }

    /// A tokenizer given by name or as an inline definition.
    pub fn tokenizer(&self, spec: &Value) -> Result<Named<Tokenizer>, AnalysisError> {
        named(
            spec,
            "_anonymous_tokenizer",
            |def| self.tokenizer_def("_anonymous_tokenizer", def),
            |name| self.tokenizers.get(name).cloned().or_else(|| Tokenizer::builtin(name)),
            AnalysisError::UnknownTokenizer,
        )
    }

    /// A token filter given by name or as an inline definition.
    pub fn filter(&self, spec: &Value) -> Result<Named<TokenFilter>, AnalysisError> {
        named(
            spec,
            "__anonymous__",
            |def| self.filter_def("__anonymous__", def),
            |name| self.filters.get(name).cloned().or_else(|| TokenFilter::builtin(name)),
            AnalysisError::UnknownFilter,
        )
    }

    /// A char filter given by name or as an inline definition.
    pub fn char_filter(&self, spec: &Value) -> Result<Named<CharFilter>, AnalysisError> {
        named(
            spec,
            "__anonymous__",
            |def| self.char_filter_def("__anonymous__", def),
            |name| self.char_filters.get(name).cloned().or_else(|| CharFilter::builtin(name)),
            AnalysisError::UnknownCharFilter,
        )
    }

    fn kind<'d>(name: &str, def: &'d Definition, what: &str) -> Result<&'d str, AnalysisError> {
        def.get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| AnalysisError::Invalid(format!("{what} [{name}] must have a type associated with it")))
    }

    fn tokenizer_def(&self, name: &str, def: &Definition) -> Result<Tokenizer, AnalysisError> {
        let kind = Analyzers::kind(name, def, "tokenizer")?;
        let classes = |key: &str| -> Result<Vec<CharClass>, AnalysisError> {
            list(def.get(key))
                .iter()
                .map(|c| CharClass::parse(c).ok_or_else(|| AnalysisError::Invalid(format!("Unknown token type: '{c}', must be one of [symbol, private_use, paragraph_separator, start_punctuation, unassigned, enclosing_mark, connector_punctuation, letter_number, other_number, math_symbol, lowercase_letter, space_separator, surrogate, initial_quote_punctuation, decimal_digit_number, digit, other_punctuation, dash_punctuation, currency_symbol, final_quote_punctuation, format, other_letter, spacing_combining_mark, control, uppercase_letter, modifier_symbol, letter, line_separator, titlecase_letter, punctuation, modifier_letter, non_spacing_mark, whitespace, other_symbol, custom]"))))
                .collect()
        };
        Ok(match kind {
            "standard" | "classic" | "uax_url_email" => {
                Tokenizer::Standard { max_token_length: number(def, "max_token_length", 255)? }
            }
            "whitespace" => Tokenizer::Whitespace { max_token_length: number(def, "max_token_length", 255)? },
            "pattern" => {
                let pattern = def.get("pattern").and_then(text).unwrap_or_else(|| r"\W+".into());
                let insensitive = def.get("flags").and_then(text).is_some_and(|f| f.contains("CASE_INSENSITIVE"));
                Tokenizer::Pattern { regex: regex(&pattern, insensitive)?, group: number_i32(def, "group", -1)? }
            }
            "ngram" | "nGram" | "edge_ngram" | "edgeNGram" => {
                let edge = kind.starts_with("edge");
                let (min, max) = gram_bounds(number(def, "min_gram", 1)?, number(def, "max_gram", 2)?)?;
                if !edge && max.saturating_sub(min) > self.max_ngram_diff {
                    return Err(ngram_diff(min, max, self.max_ngram_diff, "NGram Tokenizer"));
                }
                Tokenizer::NGram { min, max, token_chars: classes("token_chars")?, edge }
            }
            "char_group" => {
                let mut chars = Vec::new();
                let mut kinds = Vec::new();
                for item in list(def.get("tokenize_on_chars")) {
                    match CharClass::parse(&item) {
                        Some(c) => kinds.push(c),
                        None => chars.extend(unescape(&item).chars().next()),
                    }
                }
                Tokenizer::CharGroup { chars, classes: kinds }
            }
            "path_hierarchy" | "PathHierarchy" => {
                let delimiter = def.get("delimiter").and_then(text).and_then(|s| s.chars().next()).unwrap_or('/');
                let replacement =
                    def.get("replacement").and_then(text).and_then(|s| s.chars().next()).unwrap_or(delimiter);
                Tokenizer::PathHierarchy { delimiter, replacement }
            }
            other => Tokenizer::builtin(other).ok_or_else(|| AnalysisError::UnknownTokenizer(other.to_owned()))?,
        })
    }

    fn filter_def(&self, name: &str, def: &Definition) -> Result<TokenFilter, AnalysisError> {
        let kind = Analyzers::kind(name, def, "filter")?;
        Ok(match kind {
            "stop" => {
                let ignore_case = flag(def, "ignore_case", false);
                let words = match def.get("stopwords") {
                    None => stopwords::ENGLISH.iter().map(|s| (*s).to_owned()).collect(),
                    Some(v) => stop_words(v)?,
                };
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                TokenFilter::stop(&words, ignore_case)
            }
            "stemmer" | "snowball" => {
                let language =
                    def.get("language").or_else(|| def.get("name")).and_then(text).unwrap_or_else(|| "english".into());
                let algorithm = stemmer_algorithm(&language)
                    .ok_or_else(|| AnalysisError::Invalid(format!("Unknown stemmer language [{language}]")))?;
                TokenFilter::stemmer(algorithm)
            }
            "asciifolding" => TokenFilter::AsciiFolding { preserve_original: flag(def, "preserve_original", false) },
            "length" => {
                TokenFilter::Length { min: number(def, "min", 0)?, max: number(def, "max", i32::MAX as usize)? }
            }
            "truncate" => TokenFilter::Truncate { length: number(def, "length", 10)? },
            "unique" => TokenFilter::Unique { only_on_same_position: flag(def, "only_on_same_position", false) },
            "ngram" | "nGram" | "edge_ngram" | "edgeNGram" => {
                let edge = kind.starts_with("edge");
                let (min, max) = gram_bounds(number(def, "min_gram", 1)?, number(def, "max_gram", 2)?)?;
                if !edge && max.saturating_sub(min) > self.max_ngram_diff {
                    return Err(ngram_diff(min, max, self.max_ngram_diff, "NGram Tokenizer"));
                }
                TokenFilter::NGram { min, max, edge, preserve_original: flag(def, "preserve_original", false) }
            }
            "shingle" => {
                let (min, max) = (number(def, "min_shingle_size", 2)?, number(def, "max_shingle_size", 2)?);
                if max.saturating_sub(min) > self.max_shingle_diff {
                    return Err(AnalysisError::Invalid(format!("In Shingle TokenFilter the difference between max_shingle_size and min_shingle_size (and +1 if outputting unigrams) must be less than or equal to: [{}] but was [{}]. This limit can be set by changing the [index.max_shingle_diff] index level setting.", self.max_shingle_diff, max - min)));
                }
                TokenFilter::Shingle {
                    min,
                    max,
                    output_unigrams: flag(def, "output_unigrams", true),
                    separator: def.get("token_separator").and_then(text).unwrap_or_else(|| " ".into()),
                }
            }
            "synonym" | "synonym_graph" => synonyms(&list(def.get("synonyms")), flag(def, "expand", true)),
            "elision" => TokenFilter::Elision {
                articles: Arc::new(list(def.get("articles")).into_iter().map(|a| a.to_lowercase()).collect()),
            },
            other => TokenFilter::builtin(other).ok_or_else(|| AnalysisError::UnknownFilter(other.to_owned()))?,
        })
    }

    fn char_filter_def(&self, name: &str, def: &Definition) -> Result<CharFilter, AnalysisError> {
        let kind = Analyzers::kind(name, def, "char_filter")?;
        Ok(match kind {
            "mapping" => {
                let mut pairs = Vec::new();
                for rule in list(def.get("mappings")) {
                    let Some((from, to)) = rule.split_once("=>") else {
                        return Err(AnalysisError::Invalid(format!("Invalid Mapping Rule : [{rule}]")));
                    };
                    pairs.push((unescape(from.trim()), unescape(to.trim())));
                }
                pairs.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
                CharFilter::Mapping(Arc::new(pairs))
            }
            "pattern_replace" => {
                let pattern = def.get("pattern").and_then(text).unwrap_or_default();
                let replacement = java_replacement(&def.get("replacement").and_then(text).unwrap_or_default());
                CharFilter::PatternReplace { regex: regex(&pattern, false)?, replacement }
            }
            other => CharFilter::builtin(other).ok_or_else(|| AnalysisError::UnknownCharFilter(other.to_owned()))?,
        })
    }

    /// The named filters and char filters of a custom analyzer or normalizer.
    fn parts(&self, def: &Definition) -> Result<Parts, AnalysisError> {
        let char_filters = list(def.get("char_filter"))
            .iter()
            .map(|n| self.char_filter(&Value::String(n.clone())))
            .collect::<Result<_, _>>()?;
        let filters =
            list(def.get("filter")).iter().map(|n| self.filter(&Value::String(n.clone()))).collect::<Result<_, _>>()?;
        Ok((char_filters, filters))
    }

    fn analyzer_def(&self, name: &str, def: &Definition) -> Result<Analyzer, AnalysisError> {
        let kind = def.get("type").and_then(Value::as_str).unwrap_or(if def.contains_key("tokenizer") {
            "custom"
        } else {
            ""
        });
        match kind {
            "custom" => {
                let tokenizer = def.get("tokenizer").ok_or_else(|| {
                    AnalysisError::Invalid(format!(
                        "analyzer [{name}] must specify either an analyzer type, or a tokenizer"
                    ))
                })?;
                let tokenizer = self.tokenizer(tokenizer).map_err(|_| {
                    AnalysisError::Invalid(format!(
                        "Custom Analyzer [{name}] failed to find tokenizer under name [{}]",
                        def["tokenizer"].as_str().unwrap_or("")
                    ))
                })?;
                let (char_filters, filters) = self.parts(def)?;
                let position_increment_gap =
                    number(def, "position_increment_gap", POSITION_INCREMENT_GAP as usize)? as u32;
                Ok(Analyzer { char_filters, tokenizer, filters, position_increment_gap })
            }
            "standard" | "stop" => {
                let stop = match def.get("stopwords") {
                    Some(v) => stop_words(v)?,
                    None if kind == "stop" => stopwords::ENGLISH.iter().map(|s| (*s).to_owned()).collect(),
                    None => Vec::new(),
                };
                let stop: Vec<&str> = stop.iter().map(String::as_str).collect();
                if kind == "stop" {
                    let mut a = Analyzer::builtin("simple").expect("built in");
                    a.filters.push(Named::new("stop", TokenFilter::stop(&stop, false)));
                    return Ok(a);
                }
                Ok(Analyzer::standard(number(def, "max_token_length", 255)?, &stop))
            }
            "pattern" => {
                let pattern = def.get("pattern").and_then(text).unwrap_or_else(|| r"\W+".into());
                let tokenizer = Tokenizer::Pattern { regex: regex(&pattern, false)?, group: -1 };
                let mut a = Analyzer::new(Named::new("pattern", tokenizer));
                if flag(def, "lowercase", true) {
                    a.filters.push(Named::new("lowercase", TokenFilter::Lowercase));
                }
                Ok(a)
            }
            "" => Err(AnalysisError::Invalid(format!(
                "analyzer [{name}] must specify either an analyzer type, or a tokenizer"
            ))),
            other => Analyzer::builtin(other)
                .ok_or_else(|| AnalysisError::Invalid(format!("Unknown analyzer type [{other}] for [{name}]"))),
        }
    }

    fn normalizer_def(&self, name: &str, def: &Definition) -> Result<Analyzer, AnalysisError> {
        let kind = def.get("type").and_then(Value::as_str).unwrap_or("custom");
        if kind != "custom" {
            return Err(AnalysisError::Invalid(format!("Unknown normalizer type [{kind}] for [{name}]")));
        }
        let (char_filters, filters) = self.parts(def)?;
        if let Some(f) = filters.iter().find(|f| !f.component.is_normalizing()) {
            return Err(AnalysisError::Invalid(format!("Custom normalizer [{name}] may not use filter [{}]", f.name)));
        }
        Ok(Analyzer {
            char_filters,
            tokenizer: Named::new("keyword", Tokenizer::Keyword),
            filters,
            position_increment_gap: 0,
        })
    }
}

impl Analyzer {
    fn normalizer_with(mut self, name: &str, filter: TokenFilter) -> Analyzer {
        self.filters.push(Named::new(name, filter));
        self
    }
}

/// A component given inline (built by `inline`, under an anonymous name)
/// or by name (found by `known`, else the `unknown` error).
fn named<T>(
    spec: &Value,
    anonymous: &str,
    inline: impl FnOnce(&Definition) -> Result<T, AnalysisError>,
    known: impl FnOnce(&str) -> Option<T>,
    unknown: impl FnOnce(String) -> AnalysisError,
) -> Result<Named<T>, AnalysisError> {
    match spec {
        Value::Object(def) => Ok(Named::new(anonymous, inline(def)?)),
        other => {
            let name = text(other).unwrap_or_default();
            match known(&name) {
                Some(t) => Ok(Named::new(name, t)),
                None => Err(unknown(name)),
            }
        }
    }
}

fn number_i32(def: &Definition, key: &str, default: i32) -> Result<i32, AnalysisError> {
    match def.get(key).and_then(text) {
        None => Ok(default),
        Some(s) => {
            s.parse().map_err(|_| AnalysisError::Invalid(format!("Failed to parse value [{s}] for setting [{key}]")))
        }
    }
}

/// `min_gram` and `max_gram` as Elasticsearch accepts them.
fn gram_bounds(min: usize, max: usize) -> Result<(usize, usize), AnalysisError> {
    if min == 0 {
        return Err(AnalysisError::Invalid("minGram must be greater than zero".into()));
    }
    if min > max {
        return Err(AnalysisError::Invalid("minGram must not be greater than maxGram".into()));
    }
    Ok((min, max))
}

fn ngram_diff(min: usize, max: usize, limit: usize, what: &str) -> AnalysisError {
    AnalysisError::Invalid(format!(
        "The difference between max_gram and min_gram in {what} must be less than or equal to: [{limit}] but was [{}]. This limit can be set by changing the [index.max_ngram_diff] index level setting.",
        max - min
    ))
}

fn regex(pattern: &str, case_insensitive: bool) -> Result<regex::Regex, AnalysisError> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
        .map_err(|e| AnalysisError::Invalid(format!("Invalid regex [{pattern}]: {e}")))
}

fn stop_words(v: &Value) -> Result<Vec<String>, AnalysisError> {
    let words = list(Some(v));
    match words.as_slice() {
        [one] if one.starts_with('_') && one.ends_with('_') => stopwords::named(one)
            .map(|w| w.iter().map(|s| (*s).to_owned()).collect())
            .ok_or_else(|| AnalysisError::Invalid(format!("Tensile has no stop word list [{one}] yet"))),
        _ => Ok(words),
    }
}

/// `\t`, `\n`, `\\` and `\uXXXX` escapes of mapping rules and char groups.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A synonym filter from Solr-format rules: `a, b` (equivalent) and `a => b` (replacement).
fn synonyms(rules: &[String], expand: bool) -> TokenFilter {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let mut replace = HashSet::new();
    let split = |s: &str| s.split(',').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect::<Vec<_>>();
    for rule in rules {
        if let Some((from, to)) = rule.split_once("=>") {
            let to = split(to);
            for f in split(from) {
                replace.insert(f.clone());
                map.entry(f).or_default().extend(to.iter().cloned());
            }
        } else {
            let words = split(rule);
            for w in &words {
                let targets: Vec<String> =
                    if expand { words.iter().filter(|o| *o != w).cloned().collect() } else { vec![words[0].clone()] };
                if !expand && *w != words[0] {
                    replace.insert(w.clone());
                }
                map.entry(w.clone()).or_default().extend(targets);
            }
        }
    }
    TokenFilter::Synonym { map: Arc::new(map), replace: Arc::new(replace) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn custom_analyzers_from_settings() {
        let s = settings(&[
            ("index.analysis.analyzer.my.tokenizer", json!("my_tok")),
            ("index.analysis.analyzer.my.filter", json!(["lowercase", "my_syn"])),
            ("index.analysis.analyzer.my.char_filter", json!(["my_map"])),
            ("index.analysis.tokenizer.my_tok.type", json!("whitespace")),
            ("index.analysis.filter.my_syn.type", json!("synonym")),
            ("index.analysis.filter.my_syn.synonyms", json!(["quick, fast"])),
            ("index.analysis.char_filter.my_map.type", json!("mapping")),
            ("index.analysis.char_filter.my_map.mappings", json!(["& => and"])),
            ("index.analysis.normalizer.lower.type", json!("custom")),
            ("index.analysis.normalizer.lower.filter", json!(["lowercase", "asciifolding"])),
        ]);
        let a = Analyzers::from_settings(&s).unwrap();
        let tokens = a.analyzer("my").unwrap().analyze("Quick & dirty");
        let terms: Vec<(&str, u32)> = tokens.iter().map(|t| (t.term.as_str(), t.position)).collect();
        assert_eq!(terms, [("quick", 0), ("fast", 0), ("and", 1), ("dirty", 2)]);
        assert_eq!(a.normalizer("lower").unwrap().normalize("Café"), "cafe");
        assert!(matches!(a.analyzer("nope"), Err(AnalysisError::UnknownAnalyzer(_))));
    }

    #[test]
    fn bad_definitions_are_refused() {
        let s = settings(&[("index.analysis.analyzer.a.tokenizer", json!("nope"))]);
        assert!(Analyzers::from_settings(&s)
            .unwrap_err()
            .to_string()
            .contains("failed to find tokenizer under name [nope]"));
        let s = settings(&[
            ("index.analysis.tokenizer.t.type", json!("ngram")),
            ("index.analysis.tokenizer.t.max_gram", json!("5")),
        ]);
        assert!(Analyzers::from_settings(&s).unwrap_err().to_string().contains("[index.max_ngram_diff]"));
        let s = settings(&[
            ("index.analysis.normalizer.n.type", json!("custom")),
            ("index.analysis.normalizer.n.filter", json!(["porter_stem"])),
        ]);
        assert!(Analyzers::from_settings(&s).is_err());
    }
}
