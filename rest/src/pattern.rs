//! Elasticsearch's simple wildcard patterns (`Regex.simpleMatch`): `*`
//! matches any run of characters, every other character itself. Index
//! expressions, `filter_path` and settings names use them.

/// Whether `text` matches `pattern`.
pub fn simple_match(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else { return pattern == text };
    let Some(mut remaining) = text.strip_prefix(first) else { return false };
    let mut pieces: Vec<&str> = rest.split('*').collect();
    let last = pieces.pop().unwrap_or_default();
    for piece in pieces {
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(simple_match("*", ""));
        assert!(simple_match("a*c", "abc"));
        assert!(simple_match("a*b*c", "a_b_c"));
        assert!(simple_match("logs-*", "logs-2024"));
        assert!(!simple_match("a*c", "ab"));
        assert!(!simple_match("ab*b", "ab"));
        assert!(!simple_match("abc", "abcd"));
    }
}
