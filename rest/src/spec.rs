//! The static description of an API, as code generation emits it.
//!
//! `tensile-generated` holds one [`ApiSpec`] per Elasticsearch API, in the
//! same order as its `Api` enum. The server routes and validates requests
//! with these tables alone; handlers never need to look at them.

use std::fmt;

/// An HTTP method of the REST API, in Elasticsearch's order (its
/// `RestRequest.Method`), which is the order `Allow` lists use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Options,
    Head,
    Patch,
}

impl Method {
    pub const ALL: [Method; 7] =
        [Method::Get, Method::Post, Method::Put, Method::Delete, Method::Options, Method::Head, Method::Patch];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type of a path part or query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Bool,
    /// A 32-bit integer.
    Int,
    /// A 64-bit integer.
    Long,
    /// A floating-point number.
    Number,
    /// A duration such as `30s` or `-1`.
    Time,
    /// A byte size such as `10mb`.
    ByteSize,
    String,
    /// A comma-separated list of strings.
    List,
    /// One of the given values.
    Enum(&'static [&'static str]),
    /// A comma-separated list of the given values.
    EnumList(&'static [&'static str]),
    /// `true`, `false` or a whole number (`track_total_hits`).
    BoolOrLong,
    /// A date or date-math expression, kept as text.
    Date,
}

/// A named part of a path template, such as `{index}`.
#[derive(Debug, Clone, Copy)]
pub struct PartSpec {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// One path an API answers on, with the methods it takes there.
#[derive(Debug, Clone, Copy)]
pub struct PathSpec {
    /// The template, e.g. `/{index}/_doc/{id}`.
    pub template: &'static str,
    pub methods: &'static [Method],
    pub parts: &'static [PartSpec],
    /// Set when the spec marks this path as deprecated.
    pub deprecated: bool,
}

/// A query parameter an API declares.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// Whether and how an API takes a request body.
#[derive(Debug, Clone, Copy)]
pub struct BodySpec {
    /// `None` when the API takes no body at all.
    pub presence: Option<BodyPresence>,
    /// The media types of bodies it takes (`application/json`, `application/x-ndjson`, ...).
    pub content_types: &'static [&'static str],
    /// When several APIs share a route, the body field whose value picks
    /// this API (e.g. `service: openai` for `inference.put_openai`).
    pub discriminator: Option<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPresence {
    Optional,
    Required,
}

/// Everything the server needs to know about one API.
#[derive(Debug, Clone, Copy)]
pub struct ApiSpec {
    /// The API's name, as in `rest-api-spec` (e.g. `indices.create`).
    pub name: &'static str,
    /// The official documentation page of the operation.
    pub doc_url: &'static str,
    /// `stable`, `beta` or `experimental`.
    pub stability: &'static str,
    pub paths: &'static [PathSpec],
    pub params: &'static [ParamSpec],
    pub body: BodySpec,
    /// The media types the API can answer with (`text/plain` for cat APIs).
    pub accept: &'static [&'static str],
}

impl ApiSpec {
    /// The namespace of the API (`indices` for `indices.create`, `_global` for `search`).
    pub fn namespace(&self) -> &'static str {
        self.name.split_once('.').map_or("_global", |(ns, _)| ns)
    }

    /// The declared query parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// The query parameters every API takes (`rest-api-spec/api/_common.json`)
/// plus `format`, which Elasticsearch's REST layer accepts on every API.
pub const COMMON_PARAMS: &[ParamSpec] = &[
    ParamSpec { name: "error_trace", kind: ParamKind::Bool },
    ParamSpec { name: "filter_path", kind: ParamKind::List },
    ParamSpec { name: "format", kind: ParamKind::String },
    ParamSpec { name: "human", kind: ParamKind::Bool },
    ParamSpec { name: "pretty", kind: ParamKind::Bool },
];

/// A path template with its part names dropped (`/{index}/_doc/{id}` ->
/// `/{}/_doc/{}`), so that templates compare by shape.
pub fn template_shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_part = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_part = true;
                out.push_str("{}");
            }
            '}' => in_part = false,
            _ if !in_part => out.push(c),
            _ => {}
        }
    }
    out
}
