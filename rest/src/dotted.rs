//! Dotted paths into JSON documents (`hits.hits.0._id`), as `filter_path`
//! and Elasticsearch's test paths write them: `\.` is a literal dot.

/// Splits `path` on the dots that are not escaped with `\`.
pub fn split_dotted(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A doubled backslash before a dot escapes it too, as the YAML tests write it unquoted.
            '\\' if chars.peek() == Some(&'\\') && chars.clone().nth(1) == Some('.') => {
                cur.push('.');
                chars.next();
                chars.next();
            }
            '\\' if chars.peek() == Some(&'.') => {
                cur.push('.');
                chars.next();
            }
            '.' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escaped_dots_stay() {
        assert_eq!(split_dotted("a.b\\.c.d"), vec!["a", "b.c", "d"]);
        assert_eq!(split_dotted("a.b\\\\.c.d"), vec!["a", "b.c", "d"]);
        assert_eq!(split_dotted(""), vec![""]);
    }

    proptest! {
        #[test]
        fn split_round_trips(segments in proptest::collection::vec("[a-z0-9_.*]{1,6}", 1..5)) {
            let joined = segments.iter().map(|s| s.replace('.', "\\.")).collect::<Vec<_>>().join(".");
            prop_assert_eq!(split_dotted(&joined), segments);
        }
    }
}
