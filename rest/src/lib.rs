//! The REST vocabulary of Tensile.
//!
//! Everything the generated API table (`tensile-generated`), the HTTP server
//! (`tensile-server`) and the hand-written handlers (`tensile-handlers`) must
//! agree on, and nothing that ties them to an HTTP library:
//!
//! - [`spec`]: the static description of an API (name, paths, parameters,
//!   body media types) that code generation emits one of per operation;
//! - [`params`]: typed query and path parameter values (booleans, numbers,
//!   durations such as `30s`, byte sizes, enums, comma lists) and their
//!   Elasticsearch-compatible parse errors;
//! - [`request`] and [`response`]: what a handler receives and returns;
//! - [`error`]: errors in Elasticsearch's JSON shape, with its `type` names
//!   and status codes;
//! - [`did_you_mean`]: the "did you mean" hints of unrecognized names;
//! - [`duplicate_keys`]: the check that refuses a key repeated in a JSON object.

pub mod did_you_mean;
pub mod dotted;
pub mod duplicate_keys;
pub mod error;
pub mod handler;
pub mod params;
pub mod pattern;
pub mod request;
pub mod response;
pub mod spec;

pub use error::{ErrorCause, EsError};
pub use handler::{call, not_built, ready, HandlerFuture};
pub use params::{ByteSize, ParamError, ParamValue, TimeValue};
pub use request::{Body, RawParams, Request};
pub use response::{Response, ResponseBody};
pub use spec::{ApiSpec, BodySpec, Method, ParamKind, ParamSpec, PartSpec, PathSpec};
