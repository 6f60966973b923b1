//! What a handler receives: typed parameters and the request body.

use crate::error::EsError;
use crate::params::{ParamError, ParamValue};
use crate::spec::Method;
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// The path parts bound by the router and the decoded query string, before
/// they are read into an API's typed parameter struct.
#[derive(Debug, Clone, Default)]
pub struct RawParams {
    pub path: Vec<(&'static str, String)>,
    pub query: Vec<(String, String)>,
}

impl RawParams {
    /// The path part `name`, typed.
    pub fn path<T: ParamValue>(&self, name: &str) -> Result<Option<T>, ParamError> {
        self.path.iter().find(|(k, _)| *k == name).map(|(_, v)| T::parse_param(name, v)).transpose()
    }

    /// A path part the route always binds.
    pub fn required_path<T: ParamValue>(&self, name: &str) -> Result<T, ParamError> {
        self.path(name)?.ok_or_else(|| ParamError::MissingPart { name: name.into() })
    }

    /// A path part, or when the path does not bind it, the query parameter
    /// of the same name (Elasticsearch reads both from one parameter map).
    pub fn path_or_query<T: ParamValue>(&self, name: &str) -> Result<Option<T>, ParamError> {
        match self.path(name)? {
            Some(v) => Ok(Some(v)),
            None => self.query(name),
        }
    }

    /// The raw text of query parameter `name`; when it is repeated, the
    /// last one wins, as in Elasticsearch.
    pub fn query_str(&self, name: &str) -> Option<&str> {
        self.query.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The query parameter `name`, typed.
    pub fn query<T: ParamValue>(&self, name: &str) -> Result<Option<T>, ParamError> {
        self.query_str(name).map(|v| T::parse_param(name, v)).transpose()
    }
}

/// A request body as it arrived (after gzip decoding), with its media type.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub bytes: Bytes,
    pub content_type: Option<String>,
}

impl Body {
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn is_yaml(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| ct.contains("yaml"))
    }

    /// The body read as JSON (or YAML, when sent as YAML) into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, EsError> {
        let parsed = if self.is_yaml() {
            serde_yaml::from_slice(&self.bytes).map_err(|e| e.to_string())
        } else {
            crate::duplicate_keys::check(&self.bytes)
                .and_then(|()| serde_json::from_slice(&self.bytes))
                .map_err(|e| format!("[{}:{}] {}", e.line(), e.column(), e))
        };
        parsed.map_err(|reason| EsError::new(400, "x_content_parse_exception", reason))
    }

    /// The body as JSON, an empty object when none came (for the APIs
    /// whose body is optional).
    pub fn json_or_empty(&self) -> Result<serde_json::Value, EsError> {
        if self.is_empty() {
            return Ok(serde_json::Value::Object(serde_json::Map::new()));
        }
        self.json()
    }

    /// The body as JSON, or an error when the API needs one and none came.
    pub fn required_json<T: DeserializeOwned>(&self) -> Result<T, EsError> {
        if self.is_empty() {
            return Err(EsError::parse("request body is required"));
        }
        self.json()
    }
}

/// A request to one API: its typed parameters (a struct generated per API)
/// and everything else a handler may read.
#[derive(Debug, Clone)]
pub struct Request<P> {
    pub params: P,
    pub body: Body,
    pub method: Method,
    /// The request path as sent, without the query string.
    pub path: String,
    /// The raw parameters, for the few handlers that read undeclared ones.
    pub raw: RawParams,
    /// Request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl<P> Request<P> {
    /// The same request with other parameters.
    pub fn with_params<Q>(self, params: Q) -> Request<Q> {
        Request { params, body: self.body, method: self.method, path: self.path, raw: self.raw, headers: self.headers }
    }

    /// The first header called `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}
