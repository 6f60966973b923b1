//! The answer of an update, as `_update` and `_bulk` items give it: the
//! write's metadata (or `result: noop`), and when the request asks for
//! `_source` (parameters, the bulk action line or the update body), a `get`
//! object with the document as the update left it, filtered.

use crate::documents::{write_body, write_status};
use serde_json::{json, Value};
use tensile_engine::source_filter;
use tensile_engine::Updated;

/// The source an update's answer carries back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchSource {
    includes: Vec<String>,
    excludes: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl FetchSource {
    /// From `_source`, `_source_includes` and `_source_excludes` request
    /// parameters: `None` when none asks for the source or `_source=false`.
    pub fn from_params(
        spec: &Option<Vec<String>>,
        includes: &Option<Vec<String>>,
        excludes: &Option<Vec<String>>,
    ) -> Option<FetchSource> {
        let mut fetch = FetchSource {
            includes: includes.clone().unwrap_or_default(),
            excludes: excludes.clone().unwrap_or_default(),
        };
        match spec.as_deref() {
            Some([flag]) if flag == "false" => None,
            Some([flag]) if flag == "true" => Some(fetch),
            Some(fields) => {
                fetch.includes.extend(fields.iter().cloned());
                Some(fetch)
            }
            None if includes.is_some() || excludes.is_some() => Some(fetch),
            None => None,
        }
    }

    /// From a `_source` value in a body or an action line: a flag, a field
    /// or fields, or `{includes, excludes}`.
    pub fn from_value(v: &Value) -> Option<FetchSource> {
        match v {
            Value::Bool(false) | Value::Null => None,
            Value::Bool(true) => Some(FetchSource::default()),
            Value::Object(o) => Some(FetchSource {
                includes: o.get("includes").or_else(|| o.get("include")).map(strings).unwrap_or_default(),
                excludes: o.get("excludes").or_else(|| o.get("exclude")).map(strings).unwrap_or_default(),
            }),
            other => Some(FetchSource { includes: strings(other), excludes: Vec::new() }),
        }
    }

    /// The update body's `_source` where it has one, else `default`.
    pub fn from_body(body: &Value, default: Option<FetchSource>) -> Option<FetchSource> {
        match body.get("_source") {
            Some(v) => FetchSource::from_value(v),
            None => default,
        }
    }

    fn apply(&self, source: &Value) -> Value {
        if self.includes.is_empty() && self.excludes.is_empty() {
            source.clone()
        } else {
            source_filter::filter(source, &self.includes, &self.excludes)
        }
    }
}

/// The status and body of an update's answer.
pub fn update_answer(id: &str, updated: &Updated, fetch: Option<&FetchSource>) -> (u16, Value) {
    let (status, mut body, seq_no, source) = match updated {
        Updated::Written { write, source } => {
            (write_status(write), write_body(id, write), write.outcome.seq_no, source)
        }
        Updated::Noop { index, version, seq_no, source, .. } => {
            let body = json!({
                "_index": index, "_id": id, "_version": version, "result": "noop",
                "_shards": { "total": 0, "successful": 0, "failed": 0 },
                "_seq_no": seq_no, "_primary_term": tensile_engine::shard::PRIMARY_TERM
            });
            (200, body, *seq_no, source)
        }
    };
    if let Some(fetch) = fetch {
        body["get"] = json!({
            "_seq_no": seq_no,
            "_primary_term": tensile_engine::shard::PRIMARY_TERM,
            "found": true,
            "_source": fetch.apply(source),
        });
    }
    (status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_asks_for_the_source() {
        let list = |s: &[&str]| Some(s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(FetchSource::from_params(&None, &None, &None), None);
        assert_eq!(FetchSource::from_params(&list(&["false"]), &None, &None), None);
        assert_eq!(FetchSource::from_params(&list(&["true"]), &None, &None), Some(FetchSource::default()));
        let fields = FetchSource::from_params(&list(&["a", "b"]), &None, &None).unwrap();
        assert_eq!(fields.apply(&json!({"a": 1, "b": 2, "c": 3})), json!({"a": 1, "b": 2}));
        let excluded = FetchSource::from_params(&None, &None, &list(&["c"])).unwrap();
        assert_eq!(excluded.apply(&json!({"a": 1, "c": 3})), json!({"a": 1}));
        let object = FetchSource::from_value(&json!({"includes": "bar"})).unwrap();
        assert_eq!(object.apply(&json!({"foo": 1, "bar": 2})), json!({"bar": 2}));
        assert_eq!(FetchSource::from_body(&json!({"_source": false}), Some(FetchSource::default())), None);
        assert_eq!(FetchSource::from_body(&json!({}), None), None);
    }
}
