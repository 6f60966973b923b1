//! Token filters: what happens to tokens after the tokenizer.

use crate::token::Token;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Clone)]
pub enum TokenFilter {
    Lowercase,
    Uppercase,
    AsciiFolding {
        preserve_original: bool,
    },
    Stop {
        words: Arc<HashSet<String>>,
        ignore_case: bool,
    },
    Stemmer(Arc<Stemmer>),
    /// Removes the English possessive `'s`.
    PossessiveEnglish,
    Trim,
    Truncate {
        length: usize,
    },
    Unique {
        only_on_same_position: bool,
    },
    Length {
        min: usize,
        max: usize,
    },
    Reverse,
    NGram {
        min: usize,
        max: usize,
        edge: bool,
        preserve_original: bool,
    },
    /// Single-term synonyms: each term to the terms it also stands for
    /// (`replace`: instead of itself).
    Synonym {
        map: Arc<HashMap<String, Vec<String>>>,
        replace: Arc<HashSet<String>>,
    },
    Shingle {
        min: usize,
        max: usize,
        output_unigrams: bool,
        separator: String,
    },
    Elision {
        articles: Arc<HashSet<String>>,
    },
    Apostrophe,
    DecimalDigit,
}

impl std::fmt::Debug for TokenFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            TokenFilter::Lowercase => "lowercase",
            TokenFilter::Uppercase => "uppercase",
            TokenFilter::AsciiFolding { .. } => "asciifolding",
            TokenFilter::Stop { .. } => "stop",
            TokenFilter::Stemmer(_) => "stemmer",
            TokenFilter::PossessiveEnglish => "possessive_english",
            TokenFilter::Trim => "trim",
            TokenFilter::Truncate { .. } => "truncate",
            TokenFilter::Unique { .. } => "unique",
            TokenFilter::Length { .. } => "length",
            TokenFilter::Reverse => "reverse",
            TokenFilter::NGram { .. } => "ngram",
            TokenFilter::Synonym { .. } => "synonym",
            TokenFilter::Shingle { .. } => "shingle",
            TokenFilter::Elision { .. } => "elision",
            TokenFilter::Apostrophe => "apostrophe",
            TokenFilter::DecimalDigit => "decimal_digit",
        };
        f.write_str(name)
    }
}

/// The stemming algorithm a language name stands for.
pub fn stemmer_algorithm(language: &str) -> Option<Algorithm> {
    Some(match language.to_ascii_lowercase().as_str() {
        "english" | "porter" | "porter2" | "light_english" | "minimal_english" | "lovins" | "possessive_english" => {
            Algorithm::English
        }
        "arabic" => Algorithm::Arabic,
        "danish" => Algorithm::Danish,
        "dutch" => Algorithm::Dutch,
        "finnish" | "light_finnish" => Algorithm::Finnish,
        "french" | "light_french" | "minimal_french" => Algorithm::French,
        "german" | "german2" | "light_german" | "minimal_german" => Algorithm::German,
        "greek" => Algorithm::Greek,
        "hungarian" | "light_hungarian" => Algorithm::Hungarian,
        "italian" | "light_italian" => Algorithm::Italian,
        "norwegian" | "light_norwegian" | "minimal_norwegian" => Algorithm::Norwegian,
        "portuguese" | "light_portuguese" | "minimal_portuguese" | "portuguese_rslp" => Algorithm::Portuguese,
        "romanian" => Algorithm::Romanian,
        "russian" | "light_russian" => Algorithm::Russian,
        "spanish" | "light_spanish" => Algorithm::Spanish,
        "swedish" | "light_swedish" => Algorithm::Swedish,
        "tamil" => Algorithm::Tamil,
        "turkish" => Algorithm::Turkish,
        _ => return None,
    })
}

impl TokenFilter {
    pub fn stemmer(algorithm: Algorithm) -> TokenFilter {
        TokenFilter::Stemmer(Arc::new(Stemmer::create(algorithm)))
    }

    pub fn stop(words: &[&str], ignore_case: bool) -> TokenFilter {
        let words = words.iter().map(|w| if ignore_case { w.to_lowercase() } else { (*w).to_owned() }).collect();
        TokenFilter::Stop { words: Arc::new(words), ignore_case }
    }

    /// The filter a built-in name stands for.
    pub fn builtin(name: &str) -> Option<TokenFilter> {
        Some(match name {
            "lowercase" => TokenFilter::Lowercase,
            "uppercase" => TokenFilter::Uppercase,
            "asciifolding" => TokenFilter::AsciiFolding { preserve_original: false },
            "stop" => TokenFilter::stop(crate::stopwords::ENGLISH, false),
            "porter_stem" | "kstem" | "snowball" | "stemmer" => TokenFilter::stemmer(Algorithm::English),
            "trim" => TokenFilter::Trim,
            "truncate" => TokenFilter::Truncate { length: 10 },
            "unique" => TokenFilter::Unique { only_on_same_position: false },
            "reverse" => TokenFilter::Reverse,
            "ngram" | "nGram" => TokenFilter::NGram { min: 1, max: 2, edge: false, preserve_original: false },
            "edge_ngram" | "edgeNGram" => TokenFilter::NGram { min: 1, max: 2, edge: true, preserve_original: false },
            "shingle" => TokenFilter::Shingle { min: 2, max: 2, output_unigrams: true, separator: " ".into() },
            "apostrophe" => TokenFilter::Apostrophe,
            "decimal_digit" => TokenFilter::DecimalDigit,
            "classic" => TokenFilter::PossessiveEnglish,
            _ => {
                let language = name.strip_suffix("_stem").unwrap_or(name);
                return stemmer_algorithm(language).map(TokenFilter::stemmer);
            }
        })
    }

    /// Whether the filter only changes characters one token at a time, the
    /// condition for use in a normalizer.
    pub fn is_normalizing(&self) -> bool {
        matches!(
            self,
            TokenFilter::Lowercase
                | TokenFilter::Uppercase
                | TokenFilter::AsciiFolding { .. }
                | TokenFilter::Trim
                | TokenFilter::Apostrophe
                | TokenFilter::DecimalDigit
                | TokenFilter::Elision { .. }
        )
    }

    /// Runs the filter over a token stream.
    pub fn apply(&self, tokens: Vec<Token>) -> Vec<Token> {
        match self {
            TokenFilter::Lowercase => {
                let mut tokens = tokens;
                for t in &mut tokens {
                    if t.term.is_ascii() {
                        t.term.make_ascii_lowercase();
                    } else {
                        t.term = t.term.to_lowercase();
                    }
                }
                tokens
            }
            TokenFilter::Uppercase => map_terms(tokens, |t| t.to_uppercase()),
            TokenFilter::AsciiFolding { preserve_original } => {
                let mut out = Vec::with_capacity(tokens.len());
                for t in tokens {
                    let folded = fold_to_ascii(&t.term);
                    if *preserve_original && folded != t.term {
                        out.push(t.clone());
                    }
                    out.push(Token { term: folded, ..t });
                }
                out
            }
            TokenFilter::Stop { words, ignore_case } => {
                tokens
                    .into_iter()
                    .filter(|t| {
                        if *ignore_case {
                            !words.contains(&t.term.to_lowercase())
                        } else {
                            !words.contains(&t.term)
                        }
                    })
                    .collect()
            }
            TokenFilter::Stemmer(stemmer) => map_terms(tokens, |t| stemmer.stem(t).into_owned()),
            TokenFilter::PossessiveEnglish => map_terms(tokens, |t| {
                for suffix in ["'s", "'S", "\u{2019}s", "\u{2019}S"] {
                    if let Some(stem) = t.strip_suffix(suffix) {
                        return stem.to_owned();
                    }
                }
                t.to_owned()
            }),
            TokenFilter::Trim => map_terms(tokens, |t| t.trim().to_owned()),
            TokenFilter::Truncate { length } => map_terms(tokens, |t| t.chars().take(*length).collect()),
            TokenFilter::Unique { only_on_same_position } => {
                let mut seen = HashSet::new();
                tokens
                    .into_iter()
                    .filter(|t| {
                        let key =
                            if *only_on_same_position { (t.position, t.term.clone()) } else { (0, t.term.clone()) };
                        seen.insert(key)
                    })
                    .collect()
            }
            TokenFilter::Length { min, max } => tokens
                .into_iter()
                .filter(|t| {
                    let n = t.term.chars().count();
                    n >= *min && n <= *max
                })
                .collect(),
            TokenFilter::Reverse => map_terms(tokens, |t| t.chars().rev().collect()),
            TokenFilter::NGram { min, max, edge, preserve_original } => {
                let mut out = Vec::new();
                for t in tokens {
                    let mut grams = Vec::new();
                    crate::tokenizer::ngrams(&t.term, 0, *min, *max, *edge, &mut grams);
                    let longest = grams.iter().any(|g| g.term == t.term);
                    for g in grams {
                        out.push(Token { term: g.term, ..t.clone() });
                    }
                    if *preserve_original && !longest {
                        out.push(t);
                    }
                }
                out
            }
            TokenFilter::Synonym { map, replace } => {
                let mut out = Vec::with_capacity(tokens.len());
                for t in tokens {
                    match map.get(&t.term) {
                        Some(others) => {
                            if !replace.contains(&t.term) {
                                out.push(t.clone());
                            }
                            for other in others {
                                if *other != t.term || replace.contains(&t.term) {
                                    out.push(Token { term: other.clone(), kind: "SYNONYM", ..t.clone() });
                                }
                            }
                        }
                        None => out.push(t),
                    }
                }
                out
            }
            TokenFilter::Shingle { min, max, output_unigrams, separator } => {
                shingles(tokens, *min, *max, *output_unigrams, separator)
            }
            TokenFilter::Elision { articles } => map_terms(tokens, |t| match t.find(['\'', '\u{2019}']) {
                Some(i) if articles.contains(&t[..i].to_lowercase()) => t[i + 1..].to_owned(),
                _ => t.to_owned(),
            }),
            TokenFilter::Apostrophe => map_terms(tokens, |t| match t.find(['\'', '\u{2019}']) {
                Some(i) => t[..i].to_owned(),
                None => t.to_owned(),
            }),
            TokenFilter::DecimalDigit => map_terms(tokens, |t| {
                t.chars().map(|c| c.to_digit(10).and_then(|d| char::from_digit(d, 10)).unwrap_or(c)).collect()
            }),
        }
    }
}

fn map_terms(mut tokens: Vec<Token>, f: impl Fn(&str) -> String) -> Vec<Token> {
    for t in &mut tokens {
        t.term = f(&t.term);
    }
    tokens
}

fn shingles(tokens: Vec<Token>, min: usize, max: usize, unigrams: bool, separator: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        if unigrams {
            out.push(tokens[i].clone());
        }
        for n in min.max(2)..=max {
            if i + n > tokens.len() {
                break;
            }
            let parts: Vec<&str> = tokens[i..i + n].iter().map(|t| t.term.as_str()).collect();
            out.push(Token {
                term: parts.join(separator),
                start: tokens[i].start,
                end: tokens[i + n - 1].end,
                position: tokens[i].position,
                kind: "shingle",
            });
        }
    }
    out
}

/// Folds Latin letters with diacritics (and a few ligatures) to ASCII.
fn fold_to_ascii(term: &str) -> String {
    if term.is_ascii() {
        return term.to_owned();
    }
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        match fold_char(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' => "C",
        'ç' | 'ć' | 'č' => "c",
        'È'..='Ë' => "E",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'Ì'..='Ï' => "I",
        'ì'..='ï' | 'ī' | 'į' => "i",
        'Ð' => "D",
        'ð' | 'ď' | 'đ' => "d",
        'Ñ' => "N",
        'ñ' | 'ń' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' => "O",
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ù'..='Ü' => "U",
        'ù'..='ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ý' => "Y",
        'ý' | 'ÿ' => "y",
        'Þ' => "TH",
        'þ' => "th",
        'ß' => "ss",
        'ł' => "l",
        'Ł' => "L",
        'ř' => "r",
        'ś' | 'š' => "s",
        'Š' => "S",
        'ť' => "t",
        'ź' | 'ż' | 'ž' => "z",
        'Ž' => "Z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(filter: &TokenFilter, terms: &[&str]) -> Vec<String> {
        let tokens = terms.iter().enumerate().map(|(i, t)| Token::new(*t, 0, 0, i as u32, "word")).collect();
        filter.apply(tokens).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn filters_change_drop_and_add_tokens() {
        assert_eq!(run(&TokenFilter::builtin("stop").unwrap(), &["the", "quick", "a", "fox"]), ["quick", "fox"]);
        assert_eq!(run(&TokenFilter::builtin("porter_stem").unwrap(), &["jumping", "foxes"]), ["jump", "fox"]);
        assert_eq!(run(&TokenFilter::builtin("asciifolding").unwrap(), &["café", "Ærø"]), ["cafe", "AEro"]);
        assert_eq!(run(&TokenFilter::builtin("shingle").unwrap(), &["a", "b", "c"]), ["a", "a b", "b", "b c", "c"]);
        assert_eq!(run(&TokenFilter::builtin("edge_ngram").unwrap(), &["abc"]), ["a", "ab"]);
        assert_eq!(run(&TokenFilter::builtin("unique").unwrap(), &["a", "b", "a"]), ["a", "b"]);
        assert_eq!(run(&TokenFilter::PossessiveEnglish, &["john's"]), ["john"]);
    }
}
