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

/// Filters a source object, as an answer shows it.
pub fn filter(source: &Value, includes: &[String], excludes: &[String]) -> Value {
    filter_keeping(source, includes, excludes, &[])
}

/// Filters a source object; in the arrays at `positions` (the paths of
/// `nested` fields, whose documents count their offsets into the stored
/// source) an object that filtering empties stays, as `{}`. Elsewhere it
/// goes, as Elasticsearch drops it.
pub fn filter_keeping(source: &Value, includes: &[String], excludes: &[String], positions: &[String]) -> Value {
    let f = Filter { includes, excludes, positions };
    match source {
        Value::Object(map) => Value::Object(f.object(map, "", includes.is_empty())),
        other => other.clone(),
    }
}

struct Filter<'a> {
    includes: &'a [String],
    excludes: &'a [String],
    positions: &'a [String],
}

fn is_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

impl Filter<'_> {
    fn object(&self, map: &Map<String, Value>, prefix: &str, included: bool) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, value) in map {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            if matches_any(self.excludes, &path) {
                continue;
            }
            let here = included || matches_any(self.includes, &path);
            if let Some(kept) = self.value(value, &path, here) {
                out.insert(key.clone(), kept);
            }
        }
        out
    }

    /// A value at `path` filtered: objects (also inside arrays) key by
    /// key, other leaves kept when `here` (included); `None` when nothing
    /// is left.
    fn value(&self, value: &Value, path: &str, here: bool) -> Option<Value> {
        match value {
            Value::Object(child) => {
                if !(here || may_match_below(self.includes, path)) {
                    return None;
                }
                let kept = self.object(child, path, here);
                (here || !kept.is_empty()).then_some(Value::Object(kept))
            }
            Value::Array(items) => {
                let keep_positions = self.positions.iter().any(|p| p == path);
                let mut kept = Vec::with_capacity(items.len());
                for item in items {
                    let filtered = self.value(item, path, here);
                    // An object that filtering empties.
                    let emptied = item.as_object().is_some_and(|o| !o.is_empty())
                        && filtered.as_ref().is_none_or(is_empty_object);
                    match (item.is_object(), emptied, keep_positions) {
                        (true, true, true) => kept.push(Value::Object(Map::new())),
                        (true, true, false) => {}
                        (true, false, true) => kept.push(filtered.unwrap_or_else(|| Value::Object(Map::new()))),
                        _ => kept.extend(filtered),
                    }
                }
                (here || kept.iter().any(|k| !is_empty_object(k))).then_some(Value::Array(kept))
            }
            _ if here => Some(value.clone()),
            _ => None,
        }
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
                    if paths.contains(&path) {
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
                // Items keep their positions: an object with none of the
                // paths as `{}`, anything else as `null` (nested offsets
                // count objects alone).
                let kept: Vec<Option<Value>> = items.iter().map(|item| walk(item, prefix, paths)).collect();
                kept.iter().any(Option::is_some).then(|| {
                    let placeholder =
                        |item: &Value| if item.is_object() { Value::Object(Map::new()) } else { Value::Null };
                    let items = kept.into_iter().zip(items).map(|(k, item)| k.unwrap_or_else(|| placeholder(item)));
                    Value::Array(items.collect())
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
        let mut stored = filter_keeping(&doc, &[], &s(&["n.b", "o.b"]), &s(&["n"]));
        assert_eq!(stored, json!({"n": [{"a": 1}, {"a": 3}, {}], "top": "t", "o": {}}));
        overlay(&mut stored, only);
        assert_eq!(stored, doc);

        // Objects keep their offsets among objects on both sides.
        let doc = json!({"c": [null, {"author": "a", "secret": "s"}], "d": [{"secret": "s1"}, {"author": "b", "secret": "s2"}]});
        let paths = s(&["c.secret", "d.secret"]);
        let stored = filter_keeping(&doc, &[], &paths, &s(&["c", "d"]));
        assert_eq!(stored, json!({"c": [null, {"author": "a"}], "d": [{}, {"author": "b"}]}));
        let only = only_paths(&doc, &paths).unwrap();
        assert_eq!(only, json!({"c": [null, {"secret": "s"}], "d": [{"secret": "s1"}, {"secret": "s2"}]}));
        // As an answer shows it, an emptied object goes.
        assert_eq!(filter(&doc, &[], &paths), json!({"c": [null, {"author": "a"}], "d": [{"author": "b"}]}));
    }
}
