//! A token: a term with its position and where it came from in the text.

/// One token of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    /// Byte offsets into the original text.
    pub start: usize,
    pub end: usize,
    pub position: u32,
    /// Lucene's token type: `<ALPHANUM>`, `<NUM>`, `word`, `SYNONYM`...
    pub kind: &'static str,
}

impl Token {
    pub fn new(term: impl Into<String>, start: usize, end: usize, position: u32, kind: &'static str) -> Token {
        Token { term: term.into(), start, end, position, kind }
    }
}

/// A byte offset into `text` as the UTF-16 offset Java reports.
pub fn utf16_offset(text: &str, byte: usize) -> usize {
    let byte = byte.min(text.len());
    let mut end = byte;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].encode_utf16().count()
}
