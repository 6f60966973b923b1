//! Hits' `_source` sent as stored. A search answer is built as a JSON tree;
//! a hit whose source is shown whole gets a placeholder string in it, and
//! once the tree is written out the stored text takes the placeholder's
//! place. The source is neither parsed into a tree nor written again, and
//! the client gets its bytes as it sent them, as Elasticsearch sends them.

use serde_json::Value;
use std::sync::Arc;
use tensile_rest::Response;

/// The sources an answer's placeholders stand for.
#[derive(Default)]
pub struct RawSources {
    texts: Vec<Arc<str>>,
}

/// Makes placeholders unlike any text a document holds: drawn once per
/// process (never sent, so no document can be written to match it).
fn nonce() -> &'static str {
    static NONCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(tensile_engine::node_meta::random_base64_uuid);
    &NONCE
}

impl RawSources {
    /// A placeholder for `text` (a JSON object as stored), to put in the tree.
    pub fn placeholder(&mut self, text: Arc<str>) -> Value {
        let n = self.texts.len();
        self.texts.push(text);
        Value::String(format!("\u{0}{}:{n}", nonce()))
    }

    /// The answer as JSON text, each placeholder replaced by its source
    /// (the placeholders come out in the order they were made).
    pub fn into_response(self, answer: Value) -> Response {
        if self.texts.is_empty() {
            return Response::value(200, answer);
        }
        let written = serde_json::to_vec(&answer).expect("a JSON tree serialises");
        match self.splice(&written) {
            Some(spliced) => Response::raw_json(200, spliced),
            // Not found where expected: fall back to the sources parsed.
            None => Response::value(200, self.resolve(answer)),
        }
    }

    fn splice(&self, written: &[u8]) -> Option<Vec<u8>> {
        let extra: usize = self.texts.iter().map(|t| t.len()).sum();
        let mut out = Vec::with_capacity(written.len() + extra);
        let mut rest = written;
        for (n, text) in self.texts.iter().enumerate() {
            // How serde_json writes the placeholder: NUL escaped, in quotes.
            let mark = format!("\"\\u0000{}:{n}\"", nonce());
            let at = find(rest, mark.as_bytes())?;
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(text.as_bytes());
            rest = &rest[at + mark.len()..];
        }
        out.extend_from_slice(rest);
        Some(out)
    }

    /// The tree with each placeholder replaced by its source parsed.
    fn resolve(&self, mut answer: Value) -> Value {
        fn walk(value: &mut Value, raw: &RawSources) {
            match value {
                Value::String(s) => {
                    let n = s
                        .strip_prefix('\u{0}')
                        .and_then(|rest| rest.strip_prefix(nonce()))
                        .and_then(|rest| rest.strip_prefix(':'))
                        .and_then(|n| n.parse::<usize>().ok());
                    if let Some(text) = n.and_then(|n| raw.texts.get(n)) {
                        *value = serde_json::from_str(text).unwrap_or_default();
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|v| walk(v, raw)),
                Value::Object(map) => map.values_mut().for_each(|v| walk(v, raw)),
                _ => {}
            }
        }
        walk(&mut answer, self);
        answer
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sources_take_their_placeholders_places() {
        let mut raw = RawSources::default();
        let a = raw.placeholder(Arc::from(r#"{"b": [1, 2],  "a":"x"}"#));
        let b = raw.placeholder(Arc::from(r#"{"text":"\u0000 quoted \""}"#));
        let answer = json!({"hits": {"hits": [{"_id": "1", "_source": a}, {"_id": "2", "_source": b}]}, "took": 1});
        let response = raw.into_response(answer);
        let tensile_rest::ResponseBody::RawJson(bytes) = response.body else { panic!("raw JSON expected") };
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(r#""_source":{"b": [1, 2],  "a":"x"}"#), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["hits"]["hits"][1]["_source"]["text"], "\u{0} quoted \"");
        assert_eq!(parsed["took"], 1);
    }

    #[test]
    fn an_answer_without_sources_stays_a_tree() {
        let response = RawSources::default().into_response(json!({"a": 1}));
        assert_eq!(response.body, tensile_rest::ResponseBody::Json(json!({"a": 1})));
    }
}
