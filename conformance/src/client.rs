//! Sends the runner's requests and reads the answers the way the YAML
//! test language sees them: a status, a body (JSON, text for the cat APIs,
//! `true`/`false` for HEAD), and the `Warning` header messages.

use crate::request::HttpRequest;
use serde_json::Value;
use std::time::Duration;
use tensile_rest::spec::Method;

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// The messages of the `Warning` headers.
    pub warnings: Vec<String>,
}

pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base_url: &str) -> Client {
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("an HTTP client without TLS");
        Client { base: base_url.trim_end_matches('/').to_owned(), http }
    }

    pub async fn send(&self, req: &HttpRequest, headers: &[(String, String)]) -> Result<Answer, String> {
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes()).map_err(|e| e.to_string())?;
        let mut builder = self.http.request(method, format!("{}{}", self.base, req.uri));
        if let Some(ct) = req.content_type {
            builder = builder.header("content-type", ct);
        }
        for (k, v) in headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let resp = builder.send().await.map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status().as_u16();
        let warnings =
            resp.headers().get_all("warning").iter().filter_map(|v| v.to_str().ok()).map(warning_text).collect();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = resp.bytes().await.map_err(|e| format!("reading the answer failed: {e}"))?;
        let body = if req.method == Method::Head {
            Value::Bool((200..300).contains(&status))
        } else {
            parse_body(&content_type, &bytes)
        };
        Ok(Answer { status, body, warnings })
    }
}

/// JSON and YAML bodies as values; anything else as a string.
pub fn parse_body(content_type: &str, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::String(String::new());
    }
    if content_type.contains("yaml") {
        if let Ok(v) = serde_yaml::from_slice::<serde_yaml::Value>(bytes) {
            return crate::suite::yaml_to_json(&v);
        }
    }
    if content_type.contains("json") {
        if let Ok(v) = serde_json::from_slice(bytes) {
            return v;
        }
    }
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// The message of a `Warning: 299 Elasticsearch-9.6.0-hash "message"` header.
pub fn warning_text(header: &str) -> String {
    match (header.find('"'), header.rfind('"')) {
        (Some(a), Some(b)) if b > a => header[a + 1..b].replace("\\\"", "\"").replace("\\\\", "\\"),
        _ => header.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_messages_are_unquoted() {
        assert_eq!(warning_text(r#"299 Elasticsearch-9.6.0-abc "[x] is deprecated""#), "[x] is deprecated");
        assert_eq!(warning_text("plain"), "plain");
    }

    #[test]
    fn bodies_by_media_type() {
        assert_eq!(parse_body("application/json", br#"{"a":1}"#), serde_json::json!({"a": 1}));
        assert_eq!(parse_body("text/plain", b"green 1\n"), serde_json::json!("green 1\n"));
        assert_eq!(parse_body("application/yaml", b"---\na: 1\n"), serde_json::json!({"a": 1}));
    }
}
