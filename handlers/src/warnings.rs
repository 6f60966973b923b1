//! Deprecation and other warnings, sent as Elasticsearch sends them: one
//! `Warning: 299 Elasticsearch-<version>-<build> "<message>"` header each.

use tensile_rest::{EsError, Response};

/// The value of a `Warning` header carrying `message`.
pub fn header(message: &str) -> String {
    let escaped = message.replace('\\', "\\\\").replace('"', "\\\"");
    format!("299 Elasticsearch-{}-tensile \"{escaped}\"", tensile_generated::SPEC_VERSION)
}

/// The response with a `Warning` header carrying `message`.
pub fn with_warning(response: Response, message: &str) -> Response {
    response.with_header("Warning", header(message))
}

/// The error with a `Warning` header carrying `message` (a deprecated
/// route warns whether or not the request succeeds).
pub fn error_with_warning(error: EsError, message: &str) -> EsError {
    error.with_header("Warning", header(message))
}
