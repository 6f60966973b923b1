//! The glue the generated dispatch uses to call a handler.

use crate::error::EsError;
use crate::params::ParamError;
use crate::request::{RawParams, Request};
use crate::response::Response;
use std::future::Future;
use std::pin::Pin;

/// The future every handler returns: a response or an Elasticsearch error.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<Response, EsError>> + Send + 'a>>;

/// A handler future that is already finished.
pub fn ready<'a>(result: Result<Response, EsError>) -> HandlerFuture<'a> {
    Box::pin(std::future::ready(result))
}

/// Reads the API's typed parameters and calls its handler; a parameter that
/// does not parse is answered with its 400 error without calling it.
pub fn call<'a, P>(
    req: Request<()>,
    parse: fn(&RawParams) -> Result<P, ParamError>,
    handler: impl FnOnce(Request<P>) -> HandlerFuture<'a>,
) -> HandlerFuture<'a> {
    match parse(&req.raw) {
        Ok(params) => handler(req.with_params(params)),
        Err(err) => ready(Err(param_error(&req.path, err))),
    }
}

/// A parameter's error; a metric a path names that the API has not is
/// worded as Elasticsearch's `BaseRestHandler.unrecognized` words it.
fn param_error(path: &str, err: ParamError) -> EsError {
    match err {
        ParamError::Enum { name, value, allowed } if name == "metric" || name == "index_metric" => {
            EsError::illegal_argument(crate::did_you_mean::unrecognized(path, "metric", &[&value], allowed))
        }
        err => err.into(),
    }
}

/// The answer of every API the handlers do not implement yet: an honest
/// error naming it, never a fake success.
pub fn not_built<'a, P>(req: Request<P>, api: &str) -> HandlerFuture<'a> {
    drop(req);
    ready(Err(EsError::not_built(api)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_metric_is_unrecognized_with_a_hint() {
        let err = ParamError::Enum { name: "metric".into(), value: "fieldata".into(), allowed: &["docs", "fielddata"] };
        assert_eq!(
            param_error("/_stats/fieldata", err).to_string(),
            "[400] illegal_argument_exception: request [/_stats/fieldata] contains unrecognized metric: [fieldata] -> did you mean [fielddata]?"
        );
        let other = ParamError::Enum { name: "level".into(), value: "x".into(), allowed: &["indices"] };
        assert_eq!(
            param_error("/", other).to_string(),
            "[400] illegal_argument_exception: [level] must be one of [indices], but was [x]"
        );
    }
}
