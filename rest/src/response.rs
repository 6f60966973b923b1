//! What a handler returns.
//!
//! A JSON body stays a `serde_json::Value` until the server renders it, so
//! that `filter_path`, `pretty` and `format=yaml` apply to every API alike.

use serde::Serialize;
use serde_json::Value;

/// A response body, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No body (HEAD answers, `exists` APIs).
    Empty,
    /// A JSON document, rendered as JSON or YAML as the client asked.
    Json(Value),
    /// A JSON document already serialized (compact): sent as it is, or
    /// read back into a [`Value`] when the request reshapes its answer
    /// (`filter_path`, `pretty`, YAML). For answers too large to build as
    /// a tree first (`_bulk`).
    RawJson(Vec<u8>),
    /// Text with its media type (the cat APIs' tables).
    Text { content_type: &'static str, text: String },
}

/// A status and a body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: ResponseBody,
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// 200 with a JSON body.
    pub fn json(body: impl Serialize) -> Self {
        Response::json_with_status(200, body)
    }

    /// A JSON document already built, with the given status (no
    /// conversion, unlike [`Response::json_with_status`]).
    pub fn value(status: u16, body: Value) -> Self {
        Response { status, body: ResponseBody::Json(body), headers: Vec::new() }
    }

    /// A JSON document already serialized, with the given status.
    pub fn raw_json(status: u16, body: Vec<u8>) -> Self {
        Response { status, body: ResponseBody::RawJson(body), headers: Vec::new() }
    }

    /// A JSON body with the given status.
    pub fn json_with_status(status: u16, body: impl Serialize) -> Self {
        let value = serde_json::to_value(body).unwrap_or_else(|e| Value::String(e.to_string()));
        Response { status, body: ResponseBody::Json(value), headers: Vec::new() }
    }

    /// A body-less answer, e.g. `200` or `404` for the `exists` APIs.
    pub fn empty(status: u16) -> Self {
        Response { status, body: ResponseBody::Empty, headers: Vec::new() }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}
