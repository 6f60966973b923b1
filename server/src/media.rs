//! Media types: what a request body is, what the client accepts, and the
//! `compatible-with` versions of Elasticsearch's vendor media types
//! (`application/vnd.elasticsearch+json; compatible-with=9`).

use tensile_rest::{ErrorCause, EsError};

/// The major version Tensile speaks, and the previous one it stays compatible with.
pub const CURRENT_MAJOR: u8 = 9;
pub const PREVIOUS_MAJOR: u8 = 8;

/// A parsed media type, vendor types folded onto their plain form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    /// e.g. `application/json` (for `application/vnd.elasticsearch+json` too).
    pub essence: String,
    /// The `compatible-with` version of a vendor media type.
    pub compatible_with: Option<u8>,
}

impl MediaType {
    /// Parses one media type; `None` when it is not of the form `type/subtype`.
    pub fn parse(raw: &str) -> Option<MediaType> {
        let mut pieces = raw.split(';');
        let essence = pieces.next()?.trim().to_ascii_lowercase();
        let (kind, subtype) = essence.split_once('/')?;
        if kind.is_empty() || subtype.is_empty() {
            return None;
        }
        let mut compatible_with = None;
        for param in pieces {
            if let Some((k, v)) = param.split_once('=') {
                if k.trim().eq_ignore_ascii_case("compatible-with") {
                    compatible_with = Some(v.trim().parse().unwrap_or(0));
                }
            }
        }
        let essence = match subtype.strip_prefix("vnd.elasticsearch+") {
            Some(format) => format!("{kind}/{format}"),
            None => essence.clone(),
        };
        Some(MediaType { essence, compatible_with })
    }

    /// Whether a body of this type is one Tensile reads as structured content.
    pub fn is_structured(&self) -> bool {
        matches!(self.essence.as_str(), "application/json" | "application/x-ndjson" | "application/yaml")
    }
}

/// The response format the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

/// The negotiated shape of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    pub format: Format,
    /// Echoed in the response `Content-Type` when the client asked for it.
    pub compatible_with: Option<u8>,
}

impl Negotiated {
    pub fn content_type(&self) -> String {
        match (self.format, self.compatible_with) {
            (Format::Json, None) => "application/json".into(),
            (Format::Yaml, None) => "application/yaml".into(),
            (Format::Json, Some(v)) => format!("application/vnd.elasticsearch+json;compatible-with={v}"),
            (Format::Yaml, Some(v)) => format!("application/vnd.elasticsearch+yaml;compatible-with={v}"),
        }
    }
}

/// Works out the response format from `?format=`, then `Accept`, and
/// checks the compatibility versions of `Accept` and `Content-Type`.
pub fn negotiate(
    format: Option<&str>,
    accept: Option<&str>,
    content_type: Option<&str>,
    has_body: bool,
) -> Result<Negotiated, EsError> {
    let accepted: Vec<MediaType> =
        accept.map(|a| a.split(',').filter_map(MediaType::parse).collect()).unwrap_or_default();
    let sent = content_type.filter(|_| has_body).and_then(MediaType::parse);
    let accept_version = accepted.iter().find_map(|m| m.compatible_with);
    let content_version = sent.as_ref().and_then(|m| m.compatible_with);
    let compatible_with = check_versions(accept, accept_version, content_type, content_version, has_body)?;

    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("yaml") => Format::Yaml,
        Some("cbor" | "smile") => {
            return Err(EsError::illegal_argument(format!(
                "the [{}] response format is not supported by Tensile; use json or yaml",
                format.unwrap_or_default()
            )))
        }
        Some(_) => Format::Json,
        None => {
            let first_known = accepted.iter().find_map(|m| match m.essence.as_str() {
                "application/yaml" => Some(Format::Yaml),
                "application/json" | "application/x-ndjson" => Some(Format::Json),
                _ => None,
            });
            first_known.unwrap_or(Format::Json)
        }
    };
    Ok(Negotiated { format, compatible_with })
}

fn media_type_error(detail: String) -> EsError {
    EsError::new(400, "media_type_header_exception", "Invalid media-type value on headers [Accept, Content-Type]")
        .with_cause(ErrorCause::new("status_exception", detail))
}

fn check_versions(
    accept: Option<&str>,
    accept_version: Option<u8>,
    content_type: Option<&str>,
    content_version: Option<u8>,
    has_body: bool,
) -> Result<Option<u8>, EsError> {
    let shown = |v: Option<&str>| v.unwrap_or("null").to_owned();
    for (header, version) in [("Accept", accept_version), ("Content-Type", content_version)] {
        if let Some(v) = version {
            if v != CURRENT_MAJOR && v != PREVIOUS_MAJOR {
                return Err(media_type_error(format!(
                    "{header} version must be either version {CURRENT_MAJOR} or {PREVIOUS_MAJOR}, but found {v}. Accept={}, Content-Type={}",
                    shown(accept),
                    shown(content_type)
                )));
            }
        }
    }
    if has_body && content_version.is_some() && accept_version.is_some() && content_version != accept_version {
        return Err(media_type_error(format!(
            "A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept={}, Content-Type={}",
            shown(accept),
            shown(content_type)
        )));
    }
    Ok(accept_version.or(content_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_types_fold_onto_plain_ones() {
        let m = MediaType::parse("application/vnd.elasticsearch+json; compatible-with=9").unwrap();
        assert_eq!(m, MediaType { essence: "application/json".into(), compatible_with: Some(9) });
        assert!(MediaType::parse("application/x-ndjson; charset=UTF-8").unwrap().is_structured());
        assert!(!MediaType::parse("text/plain").unwrap().is_structured());
        assert_eq!(MediaType::parse("nonsense"), None);
    }

    #[test]
    fn negotiation() {
        let n = negotiate(None, Some("application/vnd.elasticsearch+json; compatible-with=9"), None, false).unwrap();
        assert_eq!(n.content_type(), "application/vnd.elasticsearch+json;compatible-with=9");
        assert_eq!(negotiate(Some("yaml"), None, None, false).unwrap().format, Format::Yaml);
        assert_eq!(negotiate(None, Some("application/yaml"), None, false).unwrap().format, Format::Yaml);
        assert_eq!(
            negotiate(None, Some("*/*"), None, false).unwrap(),
            Negotiated { format: Format::Json, compatible_with: None }
        );
        let err =
            negotiate(None, Some("application/vnd.elasticsearch+json;compatible-with=7"), None, false).unwrap_err();
        assert_eq!(err.kind(), Some("media_type_header_exception"));
        let err = negotiate(
            None,
            Some("application/vnd.elasticsearch+json;compatible-with=8"),
            Some("application/vnd.elasticsearch+json;compatible-with=9"),
            true,
        )
        .unwrap_err();
        assert_eq!(err.status, 400);
    }
}
