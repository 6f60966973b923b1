//! An analyzer: char filters, a tokenizer and token filters, each named as
//! `_analyze`'s `explain` names them.

use crate::char_filter::{CharFilter, Filtered};
use crate::filter::{stemmer_algorithm, TokenFilter};
use crate::stopwords;
use crate::token::Token;
use crate::tokenizer::Tokenizer;

/// Lucene's default gap between the positions of two values of a field.
pub const POSITION_INCREMENT_GAP: u32 = 100;

/// A named analysis component.
#[derive(Debug, Clone)]
pub struct Named<T> {
    pub name: String,
    pub component: T,
}

impl<T> Named<T> {
    pub fn new(name: impl Into<String>, component: T) -> Named<T> {
        Named { name: name.into(), component }
    }
}

#[derive(Debug, Clone)]
pub struct Analyzer {
    pub char_filters: Vec<Named<CharFilter>>,
    pub tokenizer: Named<Tokenizer>,
    pub filters: Vec<Named<TokenFilter>>,
    pub position_increment_gap: u32,
}

/// What each step of an analysis produced, for `explain`.
#[derive(Debug, Clone)]
pub struct Steps {
    /// Each char filter's name and output text.
    pub char_filters: Vec<(String, String)>,
    pub tokenizer: (String, Vec<Token>),
    pub filters: Vec<(String, Vec<Token>)>,
}

/// Languages with a built-in analyzer: standard tokens, lowercased and stemmed.
const LANGUAGES: &[&str] = &[
    "arabic",
    "danish",
    "dutch",
    "finnish",
    "french",
    "german",
    "greek",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
];

impl Analyzer {
    pub fn new(tokenizer: Named<Tokenizer>) -> Analyzer {
        Analyzer {
            char_filters: Vec::new(),
            tokenizer,
            filters: Vec::new(),
            position_increment_gap: POSITION_INCREMENT_GAP,
        }
    }

    fn with_filter(mut self, name: &str, filter: TokenFilter) -> Analyzer {
        self.filters.push(Named::new(name, filter));
        self
    }

    fn builtin_tokenizer(name: &str) -> Named<Tokenizer> {
        Named::new(name, Tokenizer::builtin(name).expect("a built-in tokenizer"))
    }

    /// The `standard` analyzer with its parameters.
    pub fn standard(max_token_length: usize, stop: &[&str]) -> Analyzer {
        let mut a = Analyzer::new(Named::new("standard", Tokenizer::Standard { max_token_length }))
            .with_filter("lowercase", TokenFilter::Lowercase);
        if !stop.is_empty() {
            a = a.with_filter("stop", TokenFilter::stop(stop, false));
        }
        a
    }

    /// The analyzer a built-in name stands for.
    pub fn builtin(name: &str) -> Option<Analyzer> {
        Some(match name {
            "standard" | "default" => Analyzer::standard(255, &[]),
            "simple" => Analyzer::new(Analyzer::builtin_tokenizer("lowercase")),
            "whitespace" => Analyzer::new(Analyzer::builtin_tokenizer("whitespace")),
            "keyword" => Analyzer::new(Analyzer::builtin_tokenizer("keyword")),
            "stop" => Analyzer::new(Analyzer::builtin_tokenizer("lowercase"))
                .with_filter("stop", TokenFilter::stop(stopwords::ENGLISH, false)),
            "pattern" => {
                Analyzer::new(Analyzer::builtin_tokenizer("pattern")).with_filter("lowercase", TokenFilter::Lowercase)
            }
            "english" => Analyzer::new(Analyzer::builtin_tokenizer("standard"))
                .with_filter("possessive_english", TokenFilter::PossessiveEnglish)
                .with_filter("lowercase", TokenFilter::Lowercase)
                .with_filter("stop", TokenFilter::stop(stopwords::ENGLISH, false))
                .with_filter("porter_stem", TokenFilter::builtin("porter_stem").expect("built in")),
            language if LANGUAGES.contains(&language) => Analyzer::new(Analyzer::builtin_tokenizer("standard"))
                .with_filter("lowercase", TokenFilter::Lowercase)
                .with_filter("stemmer", TokenFilter::stemmer(stemmer_algorithm(language)?)),
            _ => return None,
        })
    }

    /// The tokens of one text.
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        self.analyze_from(text, 0, 0)
    }

    /// The tokens of the values of a multi-valued field: positions go on
    /// after a gap, offsets after the previous value and one separator.
    pub fn analyze_values<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<Token> {
        let mut out: Vec<Token> = Vec::new();
        let (mut position, mut offset) = (0u32, 0usize);
        for (i, text) in texts.into_iter().enumerate() {
            if i > 0 {
                position = out.last().map_or(position, |t| t.position + 1) + self.position_increment_gap;
            }
            let tokens = self.analyze_from(text, position, offset);
            offset += text.len() + 1;
            out.extend(tokens);
        }
        out
    }

    /// Each term of the values with its position, in the order and with
    /// the positions [`Analyzer::analyze_values`] gives them, handed to
    /// `each`; the number of terms. The standard tokenizer, lowercased or
    /// not, over ASCII text (what most text fields are) is read without a
    /// token or a `String` per term.
    pub fn each_term<'a>(&self, texts: impl IntoIterator<Item = &'a str>, mut each: impl FnMut(&str, u32)) -> usize {
        let (mut count, mut last, mut position, mut offset) = (0, None::<u32>, 0u32, 0usize);
        let mut scratch = String::new();
        for (i, text) in texts.into_iter().enumerate() {
            if i > 0 {
                position = last.map_or(position, |p| p + 1) + self.position_increment_gap;
            }
            match self.plain_ascii_words(text) {
                Some((words, lowercase)) => {
                    for (k, (start, end)) in words.into_iter().enumerate() {
                        scratch.clear();
                        scratch.push_str(&text[start..end]);
                        if lowercase {
                            scratch.make_ascii_lowercase();
                        }
                        let at = position + k as u32;
                        each(&scratch, at);
                        (last, count) = (Some(at), count + 1);
                    }
                }
                None => {
                    for t in self.analyze_from(text, position, offset) {
                        each(&t.term, t.position);
                        (last, count) = (Some(t.position), count + 1);
                    }
                }
            }
            offset += text.len() + 1;
        }
        count
    }

    /// The words of `text`, and whether to lowercase them, when this
    /// analyzer is the standard tokenizer with at most a lowercase filter,
    /// the text is ASCII and no word is long enough to be cut.
    fn plain_ascii_words(&self, text: &str) -> Option<(Vec<(usize, usize)>, bool)> {
        let Tokenizer::Standard { max_token_length } = self.tokenizer.component else { return None };
        let lowercase_only = self.filters.iter().all(|f| matches!(f.component, TokenFilter::Lowercase));
        if !self.char_filters.is_empty() || !lowercase_only || !text.is_ascii() {
            return None;
        }
        let words = crate::tokenizer::ascii_words(text.as_bytes());
        words.iter().all(|(start, end)| end - start <= max_token_length).then_some((words, !self.filters.is_empty()))
    }

    fn analyze_from(&self, text: &str, position: u32, offset: usize) -> Vec<Token> {
        let mut filtered = Filtered::identity(text);
        for f in &self.char_filters {
            filtered = f.component.apply(&filtered);
        }
        let mut tokens = self.tokens_of(&filtered);
        for f in &self.filters {
            tokens = f.component.apply(tokens);
        }
        for t in &mut tokens {
            t.position += position;
            t.start += offset;
            t.end += offset;
        }
        tokens
    }

    fn tokens_of(&self, filtered: &Filtered) -> Vec<Token> {
        let mut tokens = self.tokenizer.component.tokenize(&filtered.text);
        for t in &mut tokens {
            t.start = filtered.original(t.start);
            t.end = filtered.original_end(t.end);
        }
        tokens
    }

    /// Every step's output, for `_analyze` with `explain`.
    pub fn steps(&self, text: &str) -> Steps {
        let mut filtered = Filtered::identity(text);
        let mut char_filters = Vec::new();
        for f in &self.char_filters {
            filtered = f.component.apply(&filtered);
            char_filters.push((f.name.clone(), filtered.text.clone()));
        }
        let mut tokens = self.tokens_of(&filtered);
        let tokenizer = (self.tokenizer.name.clone(), tokens.clone());
        let mut filters = Vec::new();
        for f in &self.filters {
            tokens = f.component.apply(tokens);
            filters.push((f.name.clone(), tokens.clone()));
        }
        Steps { char_filters, tokenizer, filters }
    }

    /// Applies a normalizer's filters to a whole value (a `keyword`'s).
    pub fn normalize(&self, value: &str) -> String {
        let mut filtered = Filtered::identity(value);
        for f in &self.char_filters {
            filtered = f.component.apply(&filtered);
        }
        let mut tokens = vec![Token::new(filtered.text, 0, value.len(), 0, "word")];
        for f in &self.filters {
            tokens = f.component.apply(tokens);
        }
        tokens.into_iter().next().map(|t| t.term).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(a: &Analyzer, text: &str) -> Vec<String> {
        a.analyze(text).into_iter().map(|t| t.term).collect()
    }

    proptest::proptest! {
        /// `each_term` gives the terms and positions `analyze_values` gives,
        /// on its fast path (standard, lowercased or not, ASCII) and off it.
        #[test]
        fn each_term_agrees_with_analyze_values(
            values in proptest::collection::vec("([a-zA-Z0-9 .,:'_-]|é|ß){0,30}", 0..4),
            which in 0usize..5,
        ) {
            let analyzer = match which {
                0 => Analyzer::standard(255, &[]),
                1 => Analyzer::standard(4, &[]),
                2 => Analyzer::new(Named::new("standard", Tokenizer::Standard { max_token_length: 255 })),
                3 => Analyzer::builtin("english").unwrap(),
                _ => Analyzer::builtin("whitespace").unwrap(),
            };
            let want: Vec<(String, u32)> =
                analyzer.analyze_values(values.iter().map(String::as_str)).into_iter().map(|t| (t.term, t.position)).collect();
            let mut got = Vec::new();
            let count = analyzer.each_term(values.iter().map(String::as_str), |term, at| got.push((term.to_owned(), at)));
            proptest::prop_assert_eq!(count, got.len());
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn builtin_analyzers() {
        let text = "The QUICK brown foxes' jumped over the lazy dog's bone.";
        assert_eq!(terms(&Analyzer::builtin("standard").unwrap(), "The QUICK fox."), ["the", "quick", "fox"]);
        assert_eq!(terms(&Analyzer::builtin("whitespace").unwrap(), "The QUICK fox."), ["The", "QUICK", "fox."]);
        assert_eq!(terms(&Analyzer::builtin("keyword").unwrap(), "The QUICK fox."), ["The QUICK fox."]);
        assert_eq!(terms(&Analyzer::builtin("simple").unwrap(), "it's 2 FOX"), ["it", "s", "fox"]);
        assert_eq!(terms(&Analyzer::builtin("stop").unwrap(), "The fox is here"), ["fox", "here"]);
        assert_eq!(
            terms(&Analyzer::builtin("english").unwrap(), text),
            ["quick", "brown", "fox", "jump", "over", "lazi", "dog", "bone"]
        );
        let stop = Analyzer::builtin("stop").unwrap().analyze("the fox");
        assert_eq!(stop[0].position, 1, "a removed stop word leaves a position gap");
    }

    #[test]
    fn values_are_separated_by_the_gap() {
        let tokens = Analyzer::builtin("standard").unwrap().analyze_values(["a b", "c"]);
        let at: Vec<(u32, usize)> = tokens.iter().map(|t| (t.position, t.start)).collect();
        assert_eq!(at, [(0, 0), (1, 2), (102, 4)]);
    }
}
