//! `filter_path`: Elasticsearch's response filtering.
//!
//! A comma-separated list of dotted paths. A segment may hold `*`
//! wildcards, `**` matches any number of levels, `\.` is a literal dot, and
//! a leading `-` makes the path an exclusion. Arrays are transparent: a
//! filter applies to each element. Inclusions are applied first, then
//! exclusions; a response with nothing left is `{}`.

use serde_json::{Map, Value};
use tensile_rest::dotted::split_dotted;
use tensile_rest::pattern::simple_match as glob;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Name(String),
    AnyDepth,
}

/// A parsed `filter_path`.
#[derive(Debug, Clone, Default)]
pub struct FilterPath {
    includes: Vec<Vec<Seg>>,
    excludes: Vec<Vec<Seg>>,
}

impl FilterPath {
    /// Parses the values of `filter_path` (already split on commas).
    pub fn parse<'a>(filters: impl IntoIterator<Item = &'a str>) -> Self {
        let mut fp = FilterPath::default();
        for filter in filters {
            let filter = filter.trim();
            let (list, path) = match filter.strip_prefix('-') {
                Some(rest) => (&mut fp.excludes, rest),
                None => (&mut fp.includes, filter),
            };
            if !path.is_empty() {
                list.push(split_segments(path));
            }
        }
        fp
    }

    pub fn is_empty(&self) -> bool {
        self.includes.is_empty() && self.excludes.is_empty()
    }

    /// Filters a response body.
    pub fn apply(&self, value: Value) -> Value {
        let mut value = if self.includes.is_empty() {
            value
        } else {
            let start: Vec<State> = (0..self.includes.len()).map(|f| (f, 0)).collect();
            include(&self.includes, &value, &start).unwrap_or_else(|| Value::Object(Map::new()))
        };
        if !self.excludes.is_empty() {
            let start: Vec<State> = (0..self.excludes.len()).map(|f| (f, 0)).collect();
            exclude(&self.excludes, &mut value, &start);
        }
        value
    }
}

fn split_segments(path: &str) -> Vec<Seg> {
    split_dotted(path).into_iter().map(|s| if s == "**" { Seg::AnyDepth } else { Seg::Name(s) }).collect()
}

/// (filter index, position of the next segment to match).
type State = (usize, usize);

/// Steps every state over one key: whether some filter now matches fully,
/// and the states that continue below the key.
fn step(filters: &[Vec<Seg>], states: &[State], key: &str) -> (bool, Vec<State>) {
    let mut full = false;
    let mut next = Vec::new();
    let push = |s: State, next: &mut Vec<State>| {
        if !next.contains(&s) {
            next.push(s);
        }
    };
    for &(f, i) in states {
        let segs = &filters[f];
        let mut i = i;
        loop {
            match segs.get(i) {
                None => break,
                Some(Seg::AnyDepth) => {
                    if i + 1 == segs.len() {
                        full = true;
                        break;
                    }
                    push((f, i), &mut next);
                    i += 1;
                }
                Some(Seg::Name(pattern)) => {
                    if glob(pattern, key) {
                        if i + 1 == segs.len() {
                            full = true;
                        } else {
                            push((f, i + 1), &mut next);
                        }
                    }
                    break;
                }
            }
        }
    }
    (full, next)
}

fn include(filters: &[Vec<Seg>], value: &Value, states: &[State]) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let (full, next) = step(filters, states, k);
                if full {
                    out.insert(k.clone(), v.clone());
                } else if !next.is_empty() {
                    if let Some(kept) = include(filters, v, &next) {
                        out.insert(k.clone(), kept);
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(|v| include(filters, v, states)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

fn exclude(filters: &[Vec<Seg>], value: &mut Value, states: &[State]) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| {
                let (full, next) = step(filters, states, k);
                if full {
                    return false;
                }
                if !next.is_empty() {
                    exclude(filters, v, &next);
                }
                true
            });
        }
        Value::Array(items) => items.iter_mut().for_each(|v| exclude(filters, v, states)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn filter(paths: &str, value: Value) -> Value {
        FilterPath::parse(paths.split(',')).apply(value)
    }

    fn doc() -> Value {
        json!({
            "took": 3,
            "hits": {
                "total": {"value": 2, "relation": "eq"},
                "hits": [
                    {"_id": "1", "_source": {"title": "a", "tags": ["x"]}},
                    {"_id": "2", "_source": {"title": "b", "tags": []}}
                ]
            },
            "a.b": {"c": 1}
        })
    }

    #[test]
    fn includes() {
        assert_eq!(filter("took", doc()), json!({"took": 3}));
        assert_eq!(filter("hits.hits._id", doc()), json!({"hits": {"hits": [{"_id": "1"}, {"_id": "2"}]}}));
        assert_eq!(filter("hits.total.value,took", doc()), json!({"took": 3, "hits": {"total": {"value": 2}}}));
        assert_eq!(filter("hits.*._id", doc()), json!({"hits": {"hits": [{"_id": "1"}, {"_id": "2"}]}}));
        assert_eq!(
            filter("**.title", doc()),
            json!({"hits": {"hits": [{"_source": {"title": "a"}}, {"_source": {"title": "b"}}]}})
        );
        assert_eq!(filter("t*k", doc()), json!({"took": 3}));
        assert_eq!(filter("a\\.b.c", doc()), json!({"a.b": {"c": 1}}));
        assert_eq!(filter("nothing", doc()), json!({}));
        assert_eq!(filter("hits.**", doc())["hits"], doc()["hits"]);
    }

    #[test]
    fn excludes() {
        assert_eq!(filter("-hits", doc()), json!({"took": 3, "a.b": {"c": 1}}));
        assert_eq!(
            filter("-hits.hits._source,-a*", doc()),
            json!({"took": 3, "hits": {"total": {"value": 2, "relation": "eq"}, "hits": [{"_id": "1"}, {"_id": "2"}]}})
        );
        assert_eq!(filter("-**.relation", doc())["hits"]["total"], json!({"value": 2}));
    }

    #[test]
    fn includes_then_excludes() {
        assert_eq!(filter("hits.total,-hits.total.relation", doc()), json!({"hits": {"total": {"value": 2}}}));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf =
            prop_oneof![Just(Value::Null), any::<i32>().prop_map(Value::from), "[a-c]{0,2}".prop_map(Value::from)];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn double_star_keeps_every_object(map in proptest::collection::btree_map("[a-c]{1,2}", arb_json(), 1..4)) {
            let value = Value::Object(map.into_iter().collect());
            // `**` keeps every top-level field whole.
            prop_assert_eq!(filter("**", value.clone()), value);
        }

        #[test]
        fn excluding_an_absent_field_is_identity(value in arb_json()) {
            prop_assert_eq!(filter("-zzz", value.clone()), value);
        }

        #[test]
        fn filtering_is_idempotent(value in arb_json(), path in "[a-c*]{1,2}(\\.[a-c*]{1,2}){0,2}") {
            let once = filter(&path, value);
            prop_assert_eq!(filter(&path, once.clone()), once);
        }
    }
}
