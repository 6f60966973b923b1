//! Tokenizers: how text is cut into tokens.

use crate::token::Token;
use unicode_segmentation::UnicodeSegmentation;

/// Character classes of the `ngram`, `edge_ngram` and `char_group` tokenizers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    Letter,
    Digit,
    Whitespace,
    Punctuation,
    Symbol,
}

impl CharClass {
    pub fn parse(name: &str) -> Option<CharClass> {
        Some(match name {
            "letter" => CharClass::Letter,
            "digit" => CharClass::Digit,
            "whitespace" => CharClass::Whitespace,
            "punctuation" => CharClass::Punctuation,
            "symbol" => CharClass::Symbol,
            _ => return None,
        })
    }

    fn contains(self, c: char) -> bool {
        match self {
            CharClass::Letter => c.is_alphabetic(),
            CharClass::Digit => c.is_numeric(),
            CharClass::Whitespace => c.is_whitespace(),
            CharClass::Punctuation => c.is_ascii_punctuation() && !is_symbol(c),
            CharClass::Symbol => is_symbol(c),
        }
    }
}

fn is_symbol(c: char) -> bool {
    matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
}

#[derive(Debug, Clone)]
pub enum Tokenizer {
    /// Unicode word boundaries (UAX #29), as Lucene's `StandardTokenizer`.
    Standard {
        max_token_length: usize,
    },
    Whitespace {
        max_token_length: usize,
    },
    /// The whole text as one token.
    Keyword,
    /// Runs of letters.
    Letter,
    /// Runs of letters, lowercased.
    Lowercase,
    /// Splits on a regex (`group: -1`) or emits one of its groups.
    Pattern {
        regex: regex::Regex,
        group: i32,
    },
    /// Splits on any of the given characters or classes.
    CharGroup {
        chars: Vec<char>,
        classes: Vec<CharClass>,
    },
    NGram {
        min: usize,
        max: usize,
        token_chars: Vec<CharClass>,
        edge: bool,
    },
    PathHierarchy {
        delimiter: char,
        replacement: char,
    },
}

impl Tokenizer {
    /// The tokenizer a built-in name stands for.
    pub fn builtin(name: &str) -> Option<Tokenizer> {
        Some(match name {
            "standard" | "classic" | "uax_url_email" => Tokenizer::Standard { max_token_length: 255 },
            "whitespace" => Tokenizer::Whitespace { max_token_length: 255 },
            "keyword" => Tokenizer::Keyword,
            "letter" => Tokenizer::Letter,
            "lowercase" => Tokenizer::Lowercase,
            "pattern" => Tokenizer::Pattern { regex: regex::Regex::new(r"\W+").expect("valid regex"), group: -1 },
            "ngram" | "nGram" => Tokenizer::NGram { min: 1, max: 2, token_chars: Vec::new(), edge: false },
            "edge_ngram" | "edgeNGram" => Tokenizer::NGram { min: 1, max: 2, token_chars: Vec::new(), edge: true },
            "path_hierarchy" | "PathHierarchy" => Tokenizer::PathHierarchy { delimiter: '/', replacement: '/' },
            _ => return None,
        })
    }

    /// Cuts `text` into tokens, numbering positions from 0.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        match self {
            Tokenizer::Standard { max_token_length } if text.is_ascii() => {
                for (start, end) in ascii_words(text.as_bytes()) {
                    let word = &text[start..end];
                    let kind = if word.bytes().all(|c| c.is_ascii_digit()) { "<NUM>" } else { "<ALPHANUM>" };
                    push_limited(&mut out, word, start, *max_token_length, kind);
                }
            }
            Tokenizer::Standard { max_token_length } => {
                for (start, word) in text.split_word_bound_indices() {
                    if !word.chars().any(char::is_alphanumeric) {
                        continue;
                    }
                    let kind = if word.chars().all(|c| c.is_ascii_digit()) { "<NUM>" } else { "<ALPHANUM>" };
                    push_limited(&mut out, word, start, *max_token_length, kind);
                }
            }
            Tokenizer::Whitespace { max_token_length } => {
                for (start, word) in runs(text, |c| !c.is_whitespace()) {
                    push_limited(&mut out, word, start, *max_token_length, "word");
                }
            }
            Tokenizer::Keyword => {
                if !text.is_empty() {
                    out.push(Token::new(text, 0, text.len(), 0, "word"));
                }
            }
            Tokenizer::Letter | Tokenizer::Lowercase => {
                let lower = matches!(self, Tokenizer::Lowercase);
                for (start, word) in runs(text, char::is_alphabetic) {
                    let term = if lower { word.to_lowercase() } else { word.to_owned() };
                    let position = out.len() as u32;
                    out.push(Token::new(term, start, start + word.len(), position, "word"));
                }
            }
            Tokenizer::Pattern { regex, group } => pattern(text, regex, *group, &mut out),
            Tokenizer::CharGroup { chars, classes } => {
                let split = |c: char| chars.contains(&c) || classes.iter().any(|k| k.contains(c));
                for (start, word) in runs(text, |c| !split(c)) {
                    let position = out.len() as u32;
                    out.push(Token::new(word, start, start + word.len(), position, "word"));
                }
            }
            Tokenizer::NGram { min, max, token_chars, edge } => {
                let keep = |c: char| token_chars.is_empty() || token_chars.iter().any(|k| k.contains(c));
                for (start, word) in runs(text, keep) {
                    ngrams(word, start, *min, *max, *edge, &mut out);
                }
            }
            Tokenizer::PathHierarchy { delimiter, replacement } => {
                let mut end = 0;
                let starts_with_delimiter = text.starts_with(*delimiter);
                for (i, c) in text.char_indices() {
                    if c == *delimiter && (i > 0 || !starts_with_delimiter) {
                        end = i;
                        out.push(path_token(text, end, *delimiter, *replacement));
                    }
                }
                if end < text.len() && !text.is_empty() && !text.ends_with(*delimiter) {
                    out.push(path_token(text, text.len(), *delimiter, *replacement));
                }
            }
        }
        out
    }
}

fn path_token(text: &str, end: usize, delimiter: char, replacement: char) -> Token {
    Token::new(text[..end].replace(delimiter, &replacement.to_string()), 0, end, 0, "word")
}

/// The words of ASCII text by the rules of UAX #29 (what
/// `split_word_bound_indices` keeps of it, faster): letters and digits
/// join, as does `_`; `.`, `'` and `:` join letters; `.`, `'`, `,` and `;`
/// join digits. Spans without a letter or digit are dropped.
pub(crate) fn ascii_words(b: &[u8]) -> Vec<(usize, usize)> {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < b.len() {
            let c = b[i];
            if word(c) {
                i += 1;
                continue;
            }
            let (prev, next) = (b[i - 1], b.get(i + 1).copied().unwrap_or(0));
            let letters = prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() && matches!(c, b'.' | b'\'' | b':');
            let digits = prev.is_ascii_digit() && next.is_ascii_digit() && matches!(c, b'.' | b'\'' | b',' | b';');
            if letters || digits {
                i += 2;
            } else {
                break;
            }
        }
        if b[start..i].iter().any(u8::is_ascii_alphanumeric) {
            out.push((start, i));
        }
    }
    out
}

/// Maximal runs of characters that `keep` accepts, with their byte offsets.
fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Pushes a word, cut into pieces of at most `max` characters as Lucene does.
fn push_limited(out: &mut Vec<Token>, word: &str, start: usize, max: usize, kind: &'static str) {
    // No more bytes than `max`: no more characters either, nothing to cut.
    if word.len() <= max {
        let position = out.len() as u32;
        out.push(Token::new(word, start, start + word.len(), position, kind));
        return;
    }
    let mut piece_start = 0;
    let mut count = 0;
    for (i, _) in word.char_indices() {
        if count == max {
            let position = out.len() as u32;
            out.push(Token::new(&word[piece_start..i], start + piece_start, start + i, position, kind));
            piece_start = i;
            count = 0;
        }
        count += 1;
    }
    let position = out.len() as u32;
    out.push(Token::new(&word[piece_start..], start + piece_start, start + word.len(), position, kind));
}

fn pattern(text: &str, regex: &regex::Regex, group: i32, out: &mut Vec<Token>) {
    let mut push = |start: usize, end: usize| {
        if start < end {
            let position = out.len() as u32;
            out.push(Token::new(&text[start..end], start, end, position, "word"));
        }
    };
    if group < 0 {
        let mut last = 0;
        for m in regex.find_iter(text) {
            push(last, m.start());
            last = m.end();
        }
        push(last, text.len());
    } else {
        for caps in regex.captures_iter(text) {
            if let Some(m) = caps.get(group as usize) {
                push(m.start(), m.end());
            }
        }
    }
}

/// The n-grams of a word (only its prefixes when `edge`), by start then length.
pub(crate) fn ngrams(word: &str, offset: usize, min: usize, max: usize, edge: bool, out: &mut Vec<Token>) {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).chain(std::iter::once(word.len())).collect();
    let chars = bounds.len() - 1;
    let starts = if edge { 0..chars.min(1) } else { 0..chars };
    for s in starts {
        for len in min.max(1)..=max.min(chars) {
            if s + len > chars {
                break;
            }
            let (a, b) = (bounds[s], bounds[s + len]);
            let position = out.len() as u32;
            out.push(Token::new(&word[a..b], offset + a, offset + b, position, "word"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &Tokenizer, text: &str) -> Vec<String> {
        t.tokenize(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn standard_follows_word_boundaries() {
        let t = Tokenizer::builtin("standard").unwrap();
        assert_eq!(
            terms(&t, "The 2 QUICK Brown-Foxes jumped, U.S.A. wi-fi!"),
            ["The", "2", "QUICK", "Brown", "Foxes", "jumped", "U.S.A", "wi", "fi"]
        );
        let tokens = t.tokenize("a 42");
        assert_eq!((tokens[1].kind, tokens[1].start, tokens[1].end, tokens[1].position), ("<NUM>", 2, 4, 1));
    }

    proptest::proptest! {
        /// The ASCII fast path cuts exactly where the Unicode word rules do.
        #[test]
        fn ascii_words_follow_uax29(text in "[a-zA-Z0-9 .,;:'_!?()-]{0,40}") {
            let fast: Vec<&str> = ascii_words(text.as_bytes()).into_iter().map(|(a, b)| &text[a..b]).collect();
            let unicode: Vec<&str> =
                text.split_word_bounds().filter(|w| w.chars().any(char::is_alphanumeric)).collect();
            proptest::prop_assert_eq!(fast, unicode);
        }
    }

    #[test]
    fn grams_paths_and_patterns() {
        let ngram = Tokenizer::NGram { min: 1, max: 2, token_chars: vec![], edge: false };
        assert_eq!(terms(&ngram, "abc"), ["a", "ab", "b", "bc", "c"]);
        let edge = Tokenizer::NGram { min: 1, max: 3, token_chars: vec![CharClass::Letter], edge: true };
        assert_eq!(terms(&edge, "ab cd"), ["a", "ab", "c", "cd"]);
        let path = Tokenizer::builtin("path_hierarchy").unwrap();
        assert_eq!(terms(&path, "/a/b/c"), ["/a", "/a/b", "/a/b/c"]);
        let pattern = Tokenizer::builtin("pattern").unwrap();
        assert_eq!(terms(&pattern, "foo,bar baz"), ["foo", "bar", "baz"]);
        let long = Tokenizer::Standard { max_token_length: 3 };
        assert_eq!(terms(&long, "abcdefg"), ["abc", "def", "g"]);
    }
}
