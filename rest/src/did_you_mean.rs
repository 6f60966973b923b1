//! Elasticsearch's "did you mean" hints: the names closest to one that was
//! not recognized, by Lucene's Levenshtein similarity.

/// `request [/_search] contains unrecognized parameter: [sise] -> did you
/// mean [size]?`, `detail` naming what was not recognized (`parameter`,
/// `metric`), as `BaseRestHandler.unrecognized` words it.
pub fn unrecognized(path: &str, detail: &str, invalid: &[&str], candidates: &[&str]) -> String {
    let plural = if invalid.len() > 1 { "s" } else { "" };
    let mut out = format!("request [{path}] contains unrecognized {detail}{plural}: ");
    for (i, name) in invalid.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("[{name}]"));
        if let Some(hint) = suggestion(name, candidates) {
            out.push_str(&format!(" -> {hint}"));
        }
    }
    out
}

/// `did you mean [x]?` or `did you mean any of [x, y]?`: the candidates
/// like `name` (Levenshtein similarity over 0.5), best first, equal
/// scores by name; `None` when none is.
pub fn suggestion(name: &str, candidates: &[&str]) -> Option<String> {
    let mut scored: Vec<(f32, &str)> =
        candidates.iter().map(|c| (similarity(name, c), *c)).filter(|(score, _)| *score > 0.5).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    match scored.as_slice() {
        [] => None,
        [(_, only)] => Some(format!("did you mean [{only}]?")),
        many => {
            let names: Vec<&str> = many.iter().map(|(_, n)| *n).collect();
            Some(format!("did you mean any of [{}]?", names.join(", ")))
        }
    }
}

/// Lucene's `LevenshteinDistance`: one minus the edit distance over the
/// longer length, so 1.0 is identical.
pub fn similarity(a: &str, b: &str) -> f32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 1.0 } else { 0.0 };
    }
    let mut prev: Vec<usize> = (0..=a.len()).collect();
    let mut cur = vec![0; a.len() + 1];
    for (j, &bc) in b.iter().enumerate() {
        cur[0] = j + 1;
        for (i, &ac) in a.iter().enumerate() {
            let cost = usize::from(ac != bc);
            cur[i + 1] = (cur[i] + 1).min(prev[i + 1] + 1).min(prev[i] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    1.0 - prev[a.len()] as f32 / a.len().max(b.len()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn messages_match_elasticsearch() {
        assert_eq!(
            unrecognized("/_search", "parameter", &["sise"], &["size", "from", "q"]),
            "request [/_search] contains unrecognized parameter: [sise] -> did you mean [size]?"
        );
        assert_eq!(unrecognized("/", "parameter", &["foo"], &[]), "request [/] contains unrecognized parameter: [foo]");
        assert_eq!(
            unrecognized("/x", "parameter", &["a", "timout"], &["timeout", "timeouts"]),
            "request [/x] contains unrecognized parameters: [a], [timout] -> did you mean any of [timeout, timeouts]?"
        );
    }

    proptest! {
        #[test]
        fn similarity_is_bounded_and_reflexive(a in "[a-z_]{0,12}", b in "[a-z_]{0,12}") {
            let s = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert_eq!(similarity(&a, &a), 1.0);
            prop_assert!((s - similarity(&b, &a)).abs() < 1e-6);
        }
    }
}
