//! The check for query parameters an API does not declare, with
//! Elasticsearch's message and its "did you mean" hints.

use tensile_rest::spec::{ApiSpec, COMMON_PARAMS};
use tensile_rest::EsError;

/// Fails with Elasticsearch's `illegal_argument_exception` when `query`
/// has parameters that neither the API, its bound path parts nor the
/// common parameters name.
pub fn check(
    path: &str,
    spec: &ApiSpec,
    bound_parts: &[(&'static str, String)],
    query: &[(String, String)],
) -> Result<(), EsError> {
    let known = |name: &str| {
        spec.param(name).is_some()
            || COMMON_PARAMS.iter().any(|p| p.name == name)
            || bound_parts.iter().any(|(p, _)| *p == name)
    };
    let mut invalid: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).filter(|k| !known(k)).collect();
    if invalid.is_empty() {
        return Ok(());
    }
    invalid.sort_unstable();
    invalid.dedup();
    let candidates: Vec<&str> = spec.params.iter().map(|p| p.name).chain(bound_parts.iter().map(|(p, _)| *p)).collect();
    Err(EsError::illegal_argument(message(path, &invalid, &candidates)))
}

/// `request [/_search] contains unrecognized parameter: [sise] -> did you mean [size]?`
pub fn message(path: &str, invalid: &[&str], candidates: &[&str]) -> String {
    let mut out =
        format!("request [{path}] contains unrecognized parameter{}: ", if invalid.len() > 1 { "s" } else { "" });
    for (i, name) in invalid.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("[{name}]"));
        let mut scored: Vec<(f32, &str)> =
            candidates.iter().map(|c| (similarity(name, c), *c)).filter(|(score, _)| *score > 0.5).collect();
        // Best first; equal scores by name.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.dedup_by(|a, b| a.1 == b.1);
        match scored.as_slice() {
            [] => {}
            [(_, only)] => out.push_str(&format!(" -> did you mean [{only}]?")),
            many => {
                let names: Vec<&str> = many.iter().map(|(_, n)| *n).collect();
                out.push_str(&format!(" -> did you mean any of [{}]?", names.join(", ")));
            }
        }
    }
    out
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
            message("/_search", &["sise"], &["size", "from", "q"]),
            "request [/_search] contains unrecognized parameter: [sise] -> did you mean [size]?"
        );
        assert_eq!(message("/", &["foo"], &[]), "request [/] contains unrecognized parameter: [foo]");
        assert_eq!(
            message("/x", &["a", "timout"], &["timeout", "timeouts"]),
            "request [/x] contains unrecognized parameters: [a], [timout] -> did you mean any of [timeout, timeouts]?"
        );
    }

    #[test]
    fn the_generated_table_drives_the_check() {
        let spec = tensile_generated::Api::from_name("search").unwrap().spec();
        let q = |k: &str| vec![(k.to_owned(), String::new())];
        assert!(check("/_search", spec, &[], &q("size")).is_ok());
        assert!(check("/_search", spec, &[], &q("pretty")).is_ok());
        assert!(check("/_search", spec, &[], &q("filter_path")).is_ok());
        let err = check("/_search", spec, &[], &q("sise")).unwrap_err();
        assert_eq!(err.kind(), Some("illegal_argument_exception"));
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
