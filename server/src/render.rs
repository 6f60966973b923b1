//! Turns a handler's answer into bytes: JSON or YAML, `pretty`,
//! `filter_path`, `error_trace`, all applied the same way to every API.

use crate::filter_path::FilterPath;
use crate::media::{Format, Negotiated};
use crate::pretty::to_vec_pretty;
use serde_json::Value;
use tensile_rest::{EsError, Response, ResponseBody};

/// The response-shaping parameters of one request.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub negotiated: Negotiated,
    pub pretty: bool,
    pub error_trace: bool,
    pub filter: FilterPath,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            negotiated: Negotiated { format: Format::Json, compatible_with: None },
            pretty: false,
            error_trace: false,
            filter: FilterPath::default(),
        }
    }
}

/// A response ready for the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

pub fn render(response: Response, opts: &RenderOptions) -> Rendered {
    let (content_type, body) = match response.body {
        ResponseBody::Empty => (None, Vec::new()),
        ResponseBody::Text { content_type, text } => (Some(content_type.to_owned()), text.into_bytes()),
        ResponseBody::Json(value) => {
            let (ct, bytes) = document(value, opts);
            (Some(ct), bytes)
        }
        ResponseBody::RawJson(bytes) if plain_json(opts) => (Some(opts.negotiated.content_type()), bytes),
        ResponseBody::RawJson(bytes) => {
            let value = serde_json::from_slice(&bytes).unwrap_or_else(|e| Value::String(e.to_string()));
            let (ct, bytes) = document(value, opts);
            (Some(ct), bytes)
        }
    };
    Rendered { status: response.status, content_type, body, headers: response.headers }
}

pub fn render_error(error: &EsError, opts: &RenderOptions) -> Rendered {
    let (ct, body) = document(error.to_json(opts.error_trace), opts);
    Rendered { status: error.status, content_type: Some(ct), body, headers: error.headers.clone() }
}

/// Whether an answer goes out as compact JSON, untouched.
fn plain_json(opts: &RenderOptions) -> bool {
    opts.filter.is_empty() && !opts.pretty && opts.negotiated.format == Format::Json
}

fn document(value: Value, opts: &RenderOptions) -> (String, Vec<u8>) {
    let value = if opts.filter.is_empty() { value } else { opts.filter.apply(value) };
    let bytes = match opts.negotiated.format {
        Format::Yaml => {
            let mut text = String::from("---\n");
            text.push_str(&serde_yaml::to_string(&value).unwrap_or_default());
            text.into_bytes()
        }
        Format::Json if opts.pretty => to_vec_pretty(&value),
        Format::Json => serde_json::to_vec(&value).unwrap_or_default(),
    };
    (opts.negotiated.content_type(), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_json_goes_out_as_is_unless_reshaped() {
        let raw = br#"{"errors":false,"items":[{"index":{"status":201,"_id":"a"}}]}"#.to_vec();
        let plain = render(Response::raw_json(200, raw.clone()), &RenderOptions::default());
        assert_eq!(plain.body, raw);
        let filtered = RenderOptions { filter: FilterPath::parse(["items.*.status"]), ..RenderOptions::default() };
        let reshaped = render(Response::raw_json(200, raw.clone()), &filtered);
        assert_eq!(reshaped.body, br#"{"items":[{"index":{"status":201}}]}"#);
        let pretty = render(Response::raw_json(200, raw), &RenderOptions { pretty: true, ..RenderOptions::default() });
        assert!(String::from_utf8(pretty.body).unwrap().contains("\n"));
    }
}
