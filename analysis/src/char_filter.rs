//! Char filters: rewrites of the text before it is tokenized. Each keeps a
//! map from its output's byte offsets back to its input's, so that tokens
//! report offsets into the original text.

use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum CharFilter {
    /// Removes HTML tags and decodes entities.
    HtmlStrip,
    /// Replaces each key with its value, longest key first.
    Mapping(Arc<Vec<(String, String)>>),
    /// `replacement` in the regex crate's syntax; see [`java_replacement`].
    PatternReplace { regex: regex::Regex, replacement: String },
}

/// A Java replacement string (`$1`) in the regex crate's syntax (`${1}`).
pub fn java_replacement(java: &str) -> String {
    let mut out = String::with_capacity(java.len());
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    if next == '$' {
                        out.push_str("$$");
                    } else {
                        out.push(next);
                    }
                }
            }
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            other => out.push(other),
        }
    }
    out
}

/// Text with, for each of its bytes, the span of the original it came from.
#[derive(Debug, Clone)]
pub struct Filtered {
    pub text: String,
    /// Where each byte's source starts (plus the end of the text).
    starts: Vec<usize>,
    /// Where each byte's source ends.
    ends: Vec<usize>,
}

impl Filtered {
    pub fn identity(text: &str) -> Filtered {
        Filtered { text: text.to_owned(), starts: (0..=text.len()).collect(), ends: (1..=text.len()).collect() }
    }

    /// The original offset a token starting at `offset` starts at.
    pub fn original(&self, offset: usize) -> usize {
        self.starts[offset.min(self.starts.len() - 1)]
    }

    /// The original offset a token ending at `offset` ends at.
    pub fn original_end(&self, offset: usize) -> usize {
        match offset.min(self.ends.len()) {
            0 => self.starts[0],
            o => self.ends[o - 1],
        }
    }
}

/// Builds filtered text piece by piece.
struct Builder<'a> {
    input: &'a Filtered,
    text: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl<'a> Builder<'a> {
    fn new(input: &'a Filtered) -> Self {
        let n = input.text.len();
        Builder {
            input,
            text: String::with_capacity(n),
            starts: Vec::with_capacity(n + 1),
            ends: Vec::with_capacity(n),
        }
    }

    /// Copies input bytes `from..to` unchanged.
    fn copy(&mut self, from: usize, to: usize) {
        self.text.push_str(&self.input.text[from..to]);
        self.starts.extend_from_slice(&self.input.starts[from..to]);
        self.ends.extend_from_slice(&self.input.ends[from..to]);
    }

    /// Writes a replacement for input bytes `from..to`.
    fn replace(&mut self, replacement: &str, from: usize, to: usize) {
        self.text.push_str(replacement);
        let start = self.input.starts[from];
        let end = if to > from { self.input.ends[to - 1] } else { start };
        self.starts.extend(std::iter::repeat_n(start, replacement.len()));
        self.ends.extend(std::iter::repeat_n(end, replacement.len()));
    }

    fn finish(mut self) -> Filtered {
        self.starts.push(*self.input.starts.last().expect("starts has an end"));
        Filtered { text: self.text, starts: self.starts, ends: self.ends }
    }
}

impl CharFilter {
    pub fn builtin(name: &str) -> Option<CharFilter> {
        match name {
            "html_strip" => Some(CharFilter::HtmlStrip),
            _ => None,
        }
    }

    pub fn apply(&self, input: &Filtered) -> Filtered {
        let mut b = Builder::new(input);
        let text = input.text.as_str();
        match self {
            CharFilter::Mapping(pairs) => {
                let mut i = 0;
                while i < text.len() {
                    match pairs.iter().find(|(k, _)| !k.is_empty() && text[i..].starts_with(k.as_str())) {
                        Some((k, v)) => {
                            b.replace(v, i, i + k.len());
                            i += k.len();
                        }
                        None => {
                            let n = text[i..].chars().next().map_or(1, char::len_utf8);
                            b.copy(i, i + n);
                            i += n;
                        }
                    }
                }
            }
            CharFilter::PatternReplace { regex, replacement } => {
                let mut last = 0;
                for caps in regex.captures_iter(text) {
                    let m = caps.get(0).expect("group 0");
                    b.copy(last, m.start());
                    let mut expanded = String::new();
                    caps.expand(replacement, &mut expanded);
                    b.replace(&expanded, m.start(), m.end());
                    last = m.end();
                }
                b.copy(last, text.len());
            }
            CharFilter::HtmlStrip => html_strip(text, &mut b),
        }
        b.finish()
    }
}

const BLOCK_TAGS: &[&str] = &["p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"];

fn html_strip(text: &str, b: &mut Builder<'_>) {
    let mut i = 0;
    let mut copied = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with('<') {
            if let Some(close) = rest.find('>') {
                b.copy(copied, i);
                let tag = rest[1..close].trim_start_matches('/').split([' ', '/', '\t', '\n']).next().unwrap_or("");
                if BLOCK_TAGS.contains(&tag.to_ascii_lowercase().as_str()) {
                    b.replace("\n", i, i + close + 1);
                }
                i += close + 1;
                copied = i;
                continue;
            }
        } else if rest.starts_with('&') {
            if let Some(semi) = rest[..rest.len().min(10)].find(';') {
                if let Some(decoded) = entity(&rest[1..semi]) {
                    b.copy(copied, i);
                    b.replace(&decoded, i, i + semi + 1);
                    i += semi + 1;
                    copied = i;
                    continue;
                }
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    b.copy(copied, text.len());
}

fn entity(name: &str) -> Option<String> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let code = name
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse));
            return code.and_then(Result::ok).and_then(char::from_u32).map(String::from);
        }
    };
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_original() {
        let out = CharFilter::HtmlStrip.apply(&Filtered::identity("<p>I&amp;you</p>"));
        assert_eq!(out.text, "\nI&you\n");
        assert_eq!(out.original(1), 3);
        assert_eq!(out.original(3), 9);
        assert_eq!(out.original_end(3), 9, "the decoded entity ends where the entity does");
        let mapping = CharFilter::Mapping(Arc::new(vec![("ph".into(), "f".into())]));
        let out = mapping.apply(&Filtered::identity("phone"));
        // "f" stands for "ph": a token ending after it ends after "ph".
        assert_eq!(out.original_end(1), 2);
        assert_eq!((out.text.as_str(), out.original(1), out.original_end(1), out.original_end(4)), ("fone", 2, 2, 5));
        assert_eq!(out.original_end(0), 0);
        let pattern = CharFilter::PatternReplace {
            regex: regex::Regex::new("(\\d+)-(\\d+)").unwrap(),
            replacement: java_replacement("$1_$2"),
        };
        assert_eq!(pattern.apply(&Filtered::identity("a 12-34")).text, "a 12_34");
    }
}
