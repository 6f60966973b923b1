//! Errors in Elasticsearch's shape.
//!
//! Elasticsearch answers a failed request with one of two bodies:
//!
//! - an exception: `{"error": {"root_cause": [...], "type": "...", "reason": "...", ...}, "status": N}`,
//!   where `type` is the snake-cased exception name (`index_not_found_exception`);
//! - a plain message, used by its REST layer before any handler runs
//!   (unknown route, wrong method, unsupported media type): `{"error": "...", "status": N}`.
//!
//! [`EsError`] is either, with the HTTP status it carries.

use serde_json::{Map, Value};
use std::fmt;

/// One exception of an error body: its type, reason, extra metadata fields
/// (`index`, `resource.id`, ...) and optional cause.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCause {
    pub kind: String,
    pub reason: String,
    pub metadata: Map<String, Value>,
    pub caused_by: Option<Box<ErrorCause>>,
}

impl ErrorCause {
    pub fn new(kind: impl Into<String>, reason: impl Into<String>) -> Self {
        ErrorCause { kind: kind.into(), reason: reason.into(), metadata: Map::new(), caused_by: None }
    }

    /// The JSON object of this cause. With `trace`, each level carries a
    /// `stack_trace` as Elasticsearch does for `error_trace=true`.
    fn to_json(&self, with_cause: bool, trace: bool) -> Value {
        let mut obj = Map::new();
        obj.insert("type".into(), Value::String(self.kind.clone()));
        obj.insert("reason".into(), Value::String(self.reason.clone()));
        for (k, v) in &self.metadata {
            obj.insert(k.clone(), v.clone());
        }
        if with_cause {
            if let Some(cause) = &self.caused_by {
                obj.insert("caused_by".into(), cause.to_json(true, trace));
            }
            if trace {
                obj.insert("stack_trace".into(), Value::String(self.stack_trace()));
            }
        }
        Value::Object(obj)
    }

    /// Tensile has no JVM stack; the trace names the exception chain instead.
    fn stack_trace(&self) -> String {
        let mut out = format!("{}: {}", self.kind, self.reason);
        let mut cause = self.caused_by.as_deref();
        while let Some(c) = cause {
            out.push_str(&format!("\nCaused by: {}: {}", c.kind, c.reason));
            cause = c.caused_by.as_deref();
        }
        out
    }
}

/// The body of an error response.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody {
    /// An exception with its root causes (by default the exception itself).
    Exception { cause: ErrorCause, root_causes: Option<Vec<ErrorCause>> },
    /// A bare message, as the REST layer answers before dispatch.
    Plain(String),
}

/// An error answer: an HTTP status and an Elasticsearch-shaped body.
#[derive(Debug, Clone, PartialEq)]
pub struct EsError {
    pub status: u16,
    pub body: ErrorBody,
    /// Extra response headers (e.g. `Allow` on a 405).
    pub headers: Vec<(String, String)>,
}

impl EsError {
    /// An exception of type `kind` (e.g. `illegal_argument_exception`).
    pub fn new(status: u16, kind: impl Into<String>, reason: impl Into<String>) -> Self {
        EsError {
            status,
            body: ErrorBody::Exception { cause: ErrorCause::new(kind, reason), root_causes: None },
            headers: Vec::new(),
        }
    }

    /// A plain-message error, `{"error": "...", "status": N}`.
    pub fn plain(status: u16, message: impl Into<String>) -> Self {
        EsError { status, body: ErrorBody::Plain(message.into()), headers: Vec::new() }
    }

    /// 400 `action_request_validation_exception` with one problem, worded as
    /// Elasticsearch words it: `Validation Failed: 1: <problem>;`.
    pub fn validation(problem: impl std::fmt::Display) -> Self {
        EsError::new(400, "action_request_validation_exception", format!("Validation Failed: 1: {problem};"))
    }

    /// 400 `illegal_argument_exception`, the most common client error.
    pub fn illegal_argument(reason: impl Into<String>) -> Self {
        EsError::new(400, "illegal_argument_exception", reason)
    }

    /// 400 `parse_exception`.
    pub fn parse(reason: impl Into<String>) -> Self {
        EsError::new(400, "parse_exception", reason)
    }

    /// The answer of an API that is in the spec but not built in Tensile yet.
    pub fn not_built(api: &str) -> Self {
        EsError::new(
            501,
            "unsupported_operation_exception",
            format!("the [{api}] API is not implemented by Tensile yet"),
        )
    }

    /// Adds a metadata field (`index`, `resource.id`, ...) to the exception.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        if let ErrorBody::Exception { cause, .. } = &mut self.body {
            cause.metadata.insert(key.into(), value.into());
        }
        self
    }

    /// Sets the exception's `caused_by`.
    pub fn with_cause(mut self, caused_by: ErrorCause) -> Self {
        if let ErrorBody::Exception { cause, .. } = &mut self.body {
            cause.caused_by = Some(Box::new(caused_by));
        }
        self
    }

    /// Sets the `root_cause` list, which is otherwise the exception itself
    /// (a search whose shards all failed lists the shards' causes).
    pub fn with_root_causes(mut self, roots: Vec<ErrorCause>) -> Self {
        if let ErrorBody::Exception { root_causes, .. } = &mut self.body {
            *root_causes = Some(roots);
        }
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `type` of the exception, or `None` for a plain-message error.
    pub fn kind(&self) -> Option<&str> {
        match &self.body {
            ErrorBody::Exception { cause, .. } => Some(&cause.kind),
            ErrorBody::Plain(_) => None,
        }
    }

    /// The response body; `trace` is the request's `error_trace`.
    pub fn to_json(&self, trace: bool) -> Value {
        let error = match &self.body {
            ErrorBody::Plain(message) => Value::String(message.clone()),
            ErrorBody::Exception { cause, root_causes } => {
                let roots: Vec<Value> = match root_causes {
                    Some(list) => list.iter().map(|c| c.to_json(false, false)).collect(),
                    None => vec![cause.to_json(false, false)],
                };
                let mut obj = Map::new();
                obj.insert("root_cause".into(), Value::Array(roots));
                if let Value::Object(rest) = cause.to_json(true, trace) {
                    obj.extend(rest);
                }
                Value::Object(obj)
            }
        };
        let mut body = Map::new();
        body.insert("error".into(), error);
        body.insert("status".into(), Value::from(self.status));
        Value::Object(body)
    }
}

impl fmt::Display for EsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            ErrorBody::Plain(message) => write!(f, "[{}] {}", self.status, message),
            ErrorBody::Exception { cause, .. } => write!(f, "[{}] {}: {}", self.status, cause.kind, cause.reason),
        }
    }
}

impl std::error::Error for EsError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_are_worded_as_elasticsearch_words_them() {
        let err = EsError::validation("query is missing");
        assert_eq!(err.status, 400);
        assert_eq!(err.to_json(false)["error"]["type"], "action_request_validation_exception");
        assert_eq!(err.to_json(false)["error"]["reason"], "Validation Failed: 1: query is missing;");
    }

    #[test]
    fn exception_shape_has_root_cause_and_status() {
        let err = EsError::new(404, "index_not_found_exception", "no such index [x]")
            .with_metadata("index", "x")
            .with_cause(ErrorCause::new("illegal_state_exception", "inner"));
        assert_eq!(
            err.to_json(false),
            json!({
                "error": {
                    "root_cause": [{"type": "index_not_found_exception", "reason": "no such index [x]", "index": "x"}],
                    "type": "index_not_found_exception",
                    "reason": "no such index [x]",
                    "index": "x",
                    "caused_by": {"type": "illegal_state_exception", "reason": "inner"}
                },
                "status": 404
            })
        );
    }

    #[test]
    fn error_trace_adds_stack_trace() {
        let err = EsError::illegal_argument("bad");
        let body = err.to_json(true);
        assert_eq!(body["error"]["stack_trace"], "illegal_argument_exception: bad");
        assert!(body["error"]["root_cause"][0].get("stack_trace").is_none());
    }

    #[test]
    fn plain_error_is_a_string() {
        let err = EsError::plain(400, "no handler found for uri [/x] and method [GET]");
        assert_eq!(
            err.to_json(false),
            json!({"error": "no handler found for uri [/x] and method [GET]", "status": 400})
        );
    }
}
