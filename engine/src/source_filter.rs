//! `_source` filtering (`_source_includes`, `_source_excludes`): which
//! parts of a document's source an answer carries. Patterns are dotted
//! paths with `*` wildcards; a pattern naming an object takes its whole
//! subtree.

use crate::resolve::wildcard_match;
use serde_json::{Map, Value};

fn matches_any(patterns: &[String], path: &str) -> bool {
    patterns.iter().any(|p| wildcard_match(p, path) || (p.ends_with(".*") && path == &p[..p.len() - 2]))
}

/// Whether some pattern could match below `path` (a wildcard pattern
/// always could: the walk goes on and the leaves decide).
fn may_match_below(patterns: &[String], path: &str) -> bool {
    let prefix = format!("{path}.");
    patterns.iter().any(|p| p.starts_with(&prefix) || p.contains('*'))
}

/// The values at a dotted path of a source, arrays flattened, as a stored
/// field holds them; an object at the path is one value (a range, a
/// point), for the field to read or refuse.
pub fn values_at(source: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    collect(source, path, &mut out);
    out
}

fn collect(value: &Value, path: &str, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, path, out)),
        Value::Object(_) if path.is_empty() => out.push(value.clone()),
        Value::Object(map) => {
            // A key may itself hold dots (`{"a.b": 1}`): try every split.
            let splits = path.match_indices('.').map(|(i, _)| i).chain(std::iter::once(path.len()));
            for i in splits.filter(|_| !path.is_empty()) {
                if let Some(child) = map.get(&path[..i]) {
                    collect(child, path.get(i + 1..).unwrap_or(""), out);
                }
            }
        }
        Value::Null => {}
        leaf if path.is_empty() => out.push(leaf.clone()),
        _ => {}
    }
}

/// Filters a source object.
pub fn filter(source: &Value, includes: &[String], excludes: &[String]) -> Value {
    match source {
        Value::Object(map) => Value::Object(filter_object(map, "", includes, excludes, includes.is_empty())),
        other => other.clone(),
    }
}

fn filter_object(
    map: &Map<String, Value>,
    prefix: &str,
    includes: &[String],
    excludes: &[String],
    included: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        if matches_any(excludes, &path) {
            continue;
        }
        let here = included || matches_any(includes, &path);
        match value {
            Value::Object(child) => {
                if here || may_match_below(includes, &path) {
                    let kept = filter_object(child, &path, includes, excludes, here);
                    if here || !kept.is_empty() {
                        out.insert(key.clone(), Value::Object(kept));
                    }
                }
            }
            _ if here => {
                out.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_at_paths() {
        let source = serde_json::json!({"a": {"b": [1, 2]}, "c": [{"d": "x"}, {"d": "y"}], "e.f": true, "n": null});
        assert_eq!(values_at(&source, "a.b"), [serde_json::json!(1), serde_json::json!(2)]);
        assert_eq!(values_at(&source, "c.d"), [serde_json::json!("x"), serde_json::json!("y")]);
        assert_eq!(values_at(&source, "e.f"), [serde_json::json!(true)]);
        assert!(values_at(&source, "n").is_empty());
        // An object at the path is one value, for the field to read or refuse.
        assert_eq!(values_at(&source, "a"), [serde_json::json!({"b": [1, 2]})]);
    }
    use serde_json::json;

    fn f(inc: &[&str], exc: &[&str]) -> Value {
        let doc = json!({"a": 1, "b": {"c": 2, "d": {"e": 3}}, "bb": 4});
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        filter(&doc, &s(inc), &s(exc))
    }

    #[test]
    fn includes_and_excludes() {
        assert_eq!(f(&[], &[]), json!({"a": 1, "b": {"c": 2, "d": {"e": 3}}, "bb": 4}));
        assert_eq!(f(&["a"], &[]), json!({"a": 1}));
        assert_eq!(f(&["b"], &[]), json!({"b": {"c": 2, "d": {"e": 3}}}));
        assert_eq!(f(&["b.d.e"], &[]), json!({"b": {"d": {"e": 3}}}));
        assert_eq!(f(&["b*"], &[]), json!({"b": {"c": 2, "d": {"e": 3}}, "bb": 4}));
        assert_eq!(f(&["b.*"], &[]), json!({"b": {"c": 2, "d": {"e": 3}}}));
        assert_eq!(f(&[], &["b.d"]), json!({"a": 1, "b": {"c": 2}, "bb": 4}));
        assert_eq!(f(&["b"], &["b.c"]), json!({"b": {"d": {"e": 3}}}));
        assert_eq!(f(&["*.e"], &[]), json!({"b": {"d": {"e": 3}}}));
    }
}
