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
        if let Some(kept) = filter_value(value, &path, includes, excludes, here) {
            out.insert(key.clone(), kept);
        }
    }
    out
}

/// A value at `path` filtered: objects (also inside arrays) key by key,
/// other leaves kept when `here` (included); `None` when nothing is left.
fn filter_value(value: &Value, path: &str, includes: &[String], excludes: &[String], here: bool) -> Option<Value> {
    match value {
        Value::Object(child) => {
            if !(here || may_match_below(includes, path)) {
                return None;
            }
            let kept = filter_object(child, path, includes, excludes, here);
            (here || !kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            // Objects in an array are filtered one by one, and dropped
            // when nothing of them is left, as Elasticsearch does.
            let kept: Vec<Value> = items
                .iter()
                .filter_map(|item| match item {
                    Value::Object(o) => {
                        let kept = filter_value(item, path, includes, excludes, here)?;
                        (!o.is_empty() && kept.as_object().is_some_and(Map::is_empty))
                            .then_some(())
                            .map_or(Some(kept), |()| None)
                    }
                    _ => filter_value(item, path, includes, excludes, here),
                })
                .collect();
            (here && items.is_empty() || !kept.is_empty()).then_some(Value::Array(kept))
        }
        _ if here => Some(value.clone()),
        _ => None,
    }
}

/// Whether filtering by `includes` and `excludes` keeps the values at
/// `path` (a dotted leaf path).
pub fn keeps(includes: &[String], excludes: &[String], path: &str) -> bool {
    let mut included = includes.is_empty();
    let prefixes = path.match_indices('.').map(|(i, _)| &path[..i]).chain(std::iter::once(path));
    for prefix in prefixes {
        if matches_any(excludes, prefix) {
            return false;
        }
        included |= matches_any(includes, prefix);
    }
    included
}

/// The parts of a source at `paths` alone, shaped as the source is: arrays
/// keep their length (an element without any of the paths is `{}`), so
/// that a nested object keeps its offset. `None` when no path has a value.
pub fn only_paths(source: &Value, paths: &[String]) -> Option<Value> {
    fn walk(value: &Value, prefix: &str, paths: &[String]) -> Option<Value> {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, child) in map {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    let below = format!("{path}.");
                    if paths.iter().any(|p| *p == path) {
                        if !child.is_null() {
                            out.insert(key.clone(), child.clone());
                        }
                    } else if paths.iter().any(|p| p.starts_with(&below)) {
                        if let Some(kept) = walk(child, &path, paths) {
                            out.insert(key.clone(), kept);
                        }
                    }
                }
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Value::Array(items) => {
                let kept: Vec<Option<Value>> = items.iter().map(|item| walk(item, prefix, paths)).collect();
                kept.iter().any(Option::is_some).then(|| {
                    Value::Array(kept.into_iter().map(|k| k.unwrap_or_else(|| Value::Object(Map::new()))).collect())
                })
            }
            _ => None,
        }
    }
    walk(source, "", paths)
}

/// Lays `extra` (shaped as [`only_paths`] gives) over `into`: objects key
/// by key, arrays element by element.
pub fn overlay(into: &mut Value, extra: Value) {
    match (into, extra) {
        (Value::Object(map), Value::Object(more)) => {
            for (key, value) in more {
                match map.get_mut(&key) {
                    Some(existing) => overlay(existing, value),
                    None => {
                        map.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(items), Value::Array(more)) => {
            for (i, value) in more.into_iter().enumerate() {
                match items.get_mut(i) {
                    Some(existing) => overlay(existing, value),
                    None => items.push(value),
                }
            }
        }
        (slot, value) => *slot = value,
    }
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

    #[test]
    fn objects_in_arrays_are_filtered_one_by_one() {
        let doc = json!({"n": [{"a": 1, "b": 2}, {"b": 3}, "x"], "m": []});
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(filter(&doc, &[], &s(&["n.b"])), json!({"n": [{"a": 1}, "x"], "m": []}));
        assert_eq!(filter(&doc, &s(&["n.a"]), &[]), json!({"n": [{"a": 1}]}));
    }

    #[test]
    fn kept_paths_and_their_overlay() {
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(!keeps(&[], &s(&["a.b"]), "a.b"));
        assert!(!keeps(&[], &s(&["a"]), "a.b"));
        assert!(keeps(&[], &s(&["a.c"]), "a.b"));
        assert!(keeps(&s(&["a"]), &[], "a.b"));
        assert!(!keeps(&s(&["c"]), &[], "a.b"));

        let doc = json!({"n": [{"a": 1, "b": 2}, {"a": 3}, {"b": 4}], "top": "t", "o": {"b": 5}});
        let only = only_paths(&doc, &s(&["n.b", "o.b"])).unwrap();
        assert_eq!(only, json!({"n": [{"b": 2}, {}, {"b": 4}], "o": {"b": 5}}));
        assert_eq!(only_paths(&doc, &s(&["missing"])), None);
        let mut filtered = filter(&doc, &[], &s(&["n.b", "o.b"]));
        overlay(&mut filtered, only);
        assert_eq!(filtered, doc);
    }
}
