//! The one poem endpoint every request goes through: from the HTTP request
//! to the handler's answer and back, with Elasticsearch's REST-layer rules
//! applied once for all APIs.
//!
//! The order follows Elasticsearch's `RestController`: route (400 for an
//! unknown path, 405 with `Allow` for a wrong method), body size and media
//! type (413, 406), the API's own checks (body allowed or required,
//! unrecognized parameters), then the handler.

use crate::body;
use crate::docs;
use crate::filter_path::FilterPath;
use crate::media::{negotiate, MediaType};
use crate::render::{render, render_error, RenderOptions, Rendered};
use crate::router::{pick_by_body, Matched, Routed, Router};
use crate::unrecognized;
use poem::http::{header, HeaderMap, StatusCode};
use poem::{Endpoint, Request as HttpRequest, Response as HttpResponse};
use std::sync::Arc;
use tensile_generated::{dispatch, Handlers};
use tensile_rest::spec::{BodyPresence, Method};
use tensile_rest::{Body, EsError, RawParams, Request};

/// The REST endpoint: routes by the generated table into the handlers.
pub struct RestService {
    handlers: Arc<dyn Handlers>,
    router: Router,
    max_content_length: u64,
}

impl RestService {
    pub fn new(handlers: Arc<dyn Handlers>, max_content_length: u64) -> Self {
        RestService { handlers, router: Router::new(), max_content_length }
    }
}

impl Endpoint for RestService {
    type Output = HttpResponse;

    async fn call(&self, mut req: HttpRequest) -> poem::Result<HttpResponse> {
        let head = req.method() == poem::http::Method::HEAD;
        let gzip_ok = header_str(req.headers(), header::ACCEPT_ENCODING).is_some_and(|v| v.contains("gzip"));
        let opaque_id = header_str(req.headers(), "x-opaque-id").map(str::to_owned);
        let rendered = self.respond(&mut req).await;
        Ok(to_http(rendered, head, gzip_ok, opaque_id))
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: impl header::AsHeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn decode_query(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// The response-shaping parameters; on a bad one, the error and the
/// options read so far (an error is rendered with them).
fn render_options(
    query: &RawParams,
    headers: &HeaderMap,
    has_body: bool,
) -> Result<RenderOptions, (EsError, RenderOptions)> {
    let mut opts = RenderOptions::default();
    let fail = |e: EsError, opts: &RenderOptions| (e, opts.clone());
    opts.pretty = query.query::<bool>("pretty").map_err(|e| fail(e.into(), &opts))?.unwrap_or(false);
    opts.error_trace = query.query::<bool>("error_trace").map_err(|e| fail(e.into(), &opts))?.unwrap_or(false);
    if let Some(filter) = query.query_str("filter_path") {
        opts.filter = FilterPath::parse(filter.split(','));
    }
    opts.negotiated = negotiate(
        query.query_str("format"),
        header_str(headers, header::ACCEPT),
        header_str(headers, header::CONTENT_TYPE),
        has_body,
    )
    .map_err(|e| fail(e, &opts))?;
    Ok(opts)
}

impl RestService {
    async fn respond(&self, req: &mut HttpRequest) -> Rendered {
        let raw = RawParams { path: Vec::new(), query: decode_query(req.uri().query()) };
        let declared_length: Option<u64> =
            header_str(req.headers(), header::CONTENT_LENGTH).and_then(|v| v.parse().ok());
        let has_body = declared_length.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING);
        let opts = match render_options(&raw, req.headers(), has_body) {
            Ok(opts) => opts,
            Err((err, opts)) => return render_error(&err, &opts),
        };
        match self.run(req, raw, declared_length, &opts).await {
            Ok(rendered) => rendered,
            Err(err) => render_error(&err, &opts),
        }
    }

    async fn run(
        &self,
        req: &mut HttpRequest,
        raw: RawParams,
        declared_length: Option<u64>,
        opts: &RenderOptions,
    ) -> Result<Rendered, EsError> {
        let path = req.uri().path().to_owned();
        let uri = req.uri().path_and_query().map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
        let method_text = req.method().as_str().to_owned();

        if let Some(page) = self_docs(&path, &method_text) {
            return Ok(page);
        }

        let method = Method::parse(&method_text);
        let routed = match method {
            Some(m) => self.router.route(m, &path),
            None => self.router.allowed(&path).map_or(Routed::NotFound, |allowed| Routed::WrongMethod { allowed }),
        };
        let target = match routed {
            Routed::NotFound => {
                return Err(EsError::plain(400, format!("no handler found for uri [{uri}] and method [{method_text}]")))
            }
            Routed::WrongMethod { allowed } => return wrong_method(&uri, &method_text, method, &allowed),
            Routed::Api(m) => Target::One(m),
            Routed::ByBody(list) => Target::ByBody(list),
        };
        let method = method.unwrap_or(Method::Get);

        if declared_length.is_some_and(|n| n > self.max_content_length) {
            return Err(body::too_large(self.max_content_length));
        }
        let encoding = header_str(req.headers(), header::CONTENT_ENCODING).map(str::to_owned);
        let bytes = body::read(req.take_body(), encoding.as_deref(), self.max_content_length).await?;
        let content_type = header_str(req.headers(), header::CONTENT_TYPE).map(str::to_owned);

        let matched = match target {
            Target::One(m) => m,
            Target::ByBody(list) => {
                let json: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
                pick_by_body(&list, json.as_ref()).unwrap_or_else(|| list[0].clone())
            }
        };
        let spec = matched.api.spec();

        if !bytes.is_empty() {
            check_content_type(content_type.as_deref(), spec.body.content_types)?;
            if spec.body.presence.is_none() {
                return Err(EsError::illegal_argument(format!(
                    "request [{method_text} {path}] does not support having a body"
                )));
            }
        } else if spec.body.presence == Some(BodyPresence::Required) {
            return Err(EsError::parse("request body is required"));
        }
        unrecognized::check(&path, spec, &matched.parts, &raw.query)?;

        let headers = req
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let request = Request {
            params: (),
            body: Body { bytes, content_type },
            method,
            path,
            raw: RawParams { path: matched.parts, ..raw },
            headers,
        };
        tracing::debug!(api = spec.name, "dispatch");
        let response = dispatch(self.handlers.as_ref(), matched.api, request).await?;
        Ok(render(response, opts))
    }
}

enum Target {
    One(Matched),
    ByBody(Vec<Matched>),
}

/// 405 with `Allow`, or for `OPTIONS` the allowed methods with 200, as
/// Elasticsearch answers.
fn wrong_method(uri: &str, method_text: &str, method: Option<Method>, allowed: &[Method]) -> Result<Rendered, EsError> {
    let names: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
    let allow = ("Allow".to_owned(), names.join(","));
    if method == Some(Method::Options) {
        return Ok(Rendered { status: 200, content_type: None, body: Vec::new(), headers: vec![allow] });
    }
    Err(EsError::plain(
        405,
        format!("Incorrect HTTP method for uri [{uri}] and method [{method_text}], allowed: [{}]", names.join(", ")),
    )
    .with_header(allow.0, allow.1))
}

/// A body must come with a media type the API reads (406 otherwise).
fn check_content_type(content_type: Option<&str>, declared: &[&str]) -> Result<(), EsError> {
    let Some(raw) = content_type else {
        return Err(EsError::plain(406, "Content-Type header is missing"));
    };
    let supported = MediaType::parse(raw).is_some_and(|m| {
        m.is_structured() || declared.iter().any(|d| MediaType::parse(d).is_some_and(|d| d.essence == m.essence))
    });
    if supported {
        Ok(())
    } else {
        Err(EsError::plain(406, format!("Content-Type header [{raw}] is not supported")))
    }
}

/// Tensile's own pages, under a prefix no Elasticsearch route uses.
fn self_docs(path: &str, method: &str) -> Option<Rendered> {
    let (content_type, text) = match (method, path.trim_end_matches('/')) {
        ("GET" | "HEAD", "/_tensile/openapi.json") => ("application/json", docs::openapi_json()),
        ("GET" | "HEAD", "/_tensile/docs") => ("text/html; charset=utf-8", docs::docs_html()),
        _ => return None,
    };
    Some(Rendered {
        status: 200,
        content_type: Some(content_type.into()),
        body: text.as_bytes().to_vec(),
        headers: vec![],
    })
}

fn to_http(rendered: Rendered, head: bool, gzip_ok: bool, opaque_id: Option<String>) -> HttpResponse {
    let mut builder = HttpResponse::builder()
        .status(StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("X-Elastic-Product", "Elasticsearch");
    if let Some(ct) = &rendered.content_type {
        builder = builder.header(header::CONTENT_TYPE, ct.as_str());
    }
    if let Some(id) = opaque_id {
        builder = builder.header("X-Opaque-Id", id);
    }
    for (k, v) in &rendered.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if head || rendered.body.is_empty() {
        return builder.body(());
    }
    if gzip_ok {
        return builder
            .header(header::CONTENT_ENCODING, "gzip")
            .header(header::VARY, "Accept-Encoding")
            .body(body::gzip(&rendered.body));
    }
    builder.body(rendered.body)
}
