//! From `do: api.name` to an HTTP request, as the official runners build
//! it: the API's path whose parts are all given (the one with the most
//! parts), its parameters in the query string (lists comma-separated), and
//! the body as JSON, or as NDJSON lines for APIs that take them.

use crate::stash::text;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use tensile_generated::Api;
use tensile_rest::spec::{Method, PathSpec, COMMON_PARAMS};

/// Bytes a path part keeps as they are.
const PART: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*').remove(b',').remove(b'~');
/// Bytes a query value keeps as they are.
const QUERY: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*').remove(b',').remove(b'~');

#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query string.
    pub uri: String,
    pub body: Option<Vec<u8>>,
    pub content_type: Option<&'static str>,
}

/// Why a request could not be built: the runner's `catch: param`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("unknown API [{0}]")]
    UnknownApi(String),
    #[error("no path of [{api}] has all of its parts among the parameters given ({given})")]
    NoPath { api: String, given: String },
    #[error("[{api}] does not take the parameter [{param}]")]
    UnknownParam { api: String, param: String },
}

/// A parameter value as text: lists are comma-joined.
fn param_text(v: &Value) -> String {
    match v {
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => text(other),
    }
}

/// Builds the request for `api` with resolved `params` and `body`.
pub fn build(api_name: &str, params: &Map<String, Value>, body: Option<&Value>) -> Result<HttpRequest, RequestError> {
    let api = Api::from_name(api_name).ok_or_else(|| RequestError::UnknownApi(api_name.to_owned()))?;
    let spec = api.spec();
    for name in params.keys() {
        let known = spec.param(name).is_some()
            || COMMON_PARAMS.iter().any(|c| c.name == name)
            || spec.paths.iter().any(|p| p.parts.iter().any(|part| part.name == name));
        if !known {
            return Err(RequestError::UnknownParam { api: api_name.to_owned(), param: name.clone() });
        }
    }
    let path: &PathSpec = spec
        .paths
        .iter()
        .filter(|p| p.parts.iter().all(|part| params.contains_key(part.name)))
        .max_by_key(|p| p.parts.len())
        .ok_or_else(|| RequestError::NoPath {
            api: api_name.to_owned(),
            given: params.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;

    let mut uri = path.template.to_owned();
    for part in path.parts {
        let value = param_text(&params[part.name]);
        uri = uri.replace(&format!("{{{}}}", part.name), &utf8_percent_encode(&value, PART).to_string());
    }
    let query: Vec<String> = params
        .iter()
        .filter(|(k, _)| path.parts.iter().all(|p| p.name != k.as_str()))
        .map(|(k, v)| format!("{}={}", utf8_percent_encode(k, QUERY), utf8_percent_encode(&param_text(v), QUERY)))
        .collect();
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&query.join("&"));
    }

    let ndjson = spec.body.content_types.iter().any(|ct| ct.contains("ndjson"));
    let (body, content_type) = match body {
        None => (None, None),
        Some(Value::String(s)) => {
            let mut s = s.clone();
            if ndjson && !s.ends_with('\n') {
                s.push('\n');
            }
            (Some(s.into_bytes()), Some(if ndjson { "application/x-ndjson" } else { "application/json" }))
        }
        Some(Value::Array(lines)) if ndjson => {
            let mut out = String::new();
            for line in lines {
                match line {
                    // A document written over several YAML lines is one NDJSON
                    // line, as Elasticsearch's runner reads and rewrites it.
                    Value::String(s) if s.contains('\n') => match serde_json::from_str::<Value>(s) {
                        Ok(parsed) => out.push_str(&parsed.to_string()),
                        Err(_) => out.push_str(s),
                    },
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                out.push('\n');
            }
            (Some(out.into_bytes()), Some("application/x-ndjson"))
        }
        Some(other) => (Some(other.to_string().into_bytes()), Some("application/json")),
    };
    let method = choose_method(path.methods, body.is_some());
    Ok(HttpRequest { method, uri, body, content_type })
}

/// With a body, a method that carries one (`POST` before `GET`); without,
/// the first the path lists.
fn choose_method(methods: &[Method], has_body: bool) -> Method {
    let first = methods.first().copied().unwrap_or(Method::Get);
    if has_body {
        methods.iter().copied().find(|m| matches!(m, Method::Post | Method::Put)).unwrap_or(first)
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn picks_the_path_with_all_parts_given() {
        let r = build("search", &params(json!({})), None).unwrap();
        assert_eq!((r.method, r.uri.as_str()), (Method::Get, "/_search"));
        let r = build("search", &params(json!({"index": ["a", "b"], "size": 1})), Some(&json!({"query": {}}))).unwrap();
        assert_eq!((r.method, r.uri.as_str()), (Method::Post, "/a,b/_search?size=1"));
        assert_eq!(r.body.unwrap(), br#"{"query":{}}"#);
        let r = build("index", &params(json!({"index": "i", "id": "a b"})), Some(&json!({}))).unwrap();
        assert_eq!(r.uri, "/i/_doc/a%20b");
    }

    #[test]
    fn ndjson_bodies_are_lines() {
        let body = json!([{"index": {"_index": "i"}}, {"f": 1}]);
        let r = build("bulk", &params(json!({"refresh": true})), Some(&body)).unwrap();
        assert_eq!(r.uri, "/_bulk?refresh=true");
        assert_eq!(r.content_type, Some("application/x-ndjson"));
        assert_eq!(String::from_utf8(r.body.unwrap()).unwrap(), "{\"index\":{\"_index\":\"i\"}}\n{\"f\":1}\n");
        // A document written over several lines is sent as one.
        let body = json!(["{\"create\": {}}", "{\n  \"f\": 1,\n  \"g\": 2\n}"]);
        let r = build("bulk", &params(json!({})), Some(&body)).unwrap();
        assert_eq!(String::from_utf8(r.body.unwrap()).unwrap(), "{\"create\": {}}\n{\"f\":1,\"g\":2}\n");
    }

    #[test]
    fn missing_parts_and_unknown_apis_are_param_errors() {
        assert!(matches!(build("get", &params(json!({"index": "i"})), None), Err(RequestError::NoPath { .. })));
        assert!(matches!(build("no.such.api", &params(json!({})), None), Err(RequestError::UnknownApi(_))));
        assert!(matches!(build("info", &params(json!({"bogus": 1})), None), Err(RequestError::UnknownParam { .. })));
    }
}
