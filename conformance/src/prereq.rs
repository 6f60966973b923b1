//! `skip` and `requires`: whether a test runs against this server.
//!
//! - versions (`skip.version: "8.0.0 - 8.4.99"`, `all`) against the
//!   version the server reports;
//! - runner features (`skip.features`, `requires.test_runner_features`)
//!   against [`crate::RUNNER_FEATURES`];
//! - cluster features: those of the version the server claims, so
//!   `gte_v8.15.0` holds for 9.x and every named feature is present;
//! - capabilities, asked of the server's own `GET /_capabilities`;
//! - `awaits_fix` always skips.

use crate::client::Client;
use crate::request::HttpRequest;
use serde_json::Value;
use tensile_rest::spec::Method;

/// Why a test does not run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipKind {
    /// The file is for serverless only.
    NotForStack,
    /// A runner feature this runner lacks.
    RunnerFeature,
    /// The server says it lacks a capability (often: the API is not built yet).
    Capability,
    /// The version or cluster features rule it out.
    Version,
    /// `awaits_fix` upstream.
    AwaitsFix,
}

impl SkipKind {
    pub fn label(&self) -> &'static str {
        match self {
            SkipKind::NotForStack => "not for stack nodes",
            SkipKind::RunnerFeature => "runner feature missing",
            SkipKind::Capability => "capability not supported by the server",
            SkipKind::Version => "version or cluster features",
            SkipKind::AwaitsFix => "awaits fix upstream",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

/// A version as three numbers.
pub fn parse_version(s: &str) -> Option<[u32; 3]> {
    let s = s.trim().trim_start_matches('v');
    let mut parts = s.split(['.', '-']).map(|p| p.parse::<u32>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().map(|p| p.unwrap_or(0)).unwrap_or(0);
    let patch = parts.next().map(|p| p.unwrap_or(0)).unwrap_or(0);
    Some([major, minor, patch])
}

/// Whether `version` is in a `skip.version` expression.
pub fn version_in(expr: &str, version: [u32; 3]) -> bool {
    if expr.trim() == "all" {
        return true;
    }
    expr.split(',').any(|range| {
        let Some((lo, hi)) = range
            .split_once(" - ")
            .or_else(|| range.split_once('-').filter(|_| range.trim().starts_with('-') || range.trim().ends_with('-')))
        else {
            return parse_version(range) == Some(version);
        };
        let lo = parse_version(lo).unwrap_or([0, 0, 0]);
        let hi = parse_version(hi).unwrap_or([u32::MAX; 3]);
        lo <= version && version <= hi
    })
}

/// Whether a node of `version` has the cluster feature `name`.
pub fn has_cluster_feature(name: &str, version: [u32; 3]) -> bool {
    match name.strip_prefix("gte_v") {
        Some(v) => parse_version(v).is_some_and(|v| version >= v),
        None => true,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(crate::stash::text).collect(),
        Some(other) => vec![crate::stash::text(other)],
    }
}

fn reason(spec: &Value) -> String {
    spec.get("reason").map(crate::stash::text).unwrap_or_default()
}

/// Evaluates one `skip` (`is_skip`) or `requires` section.
pub async fn evaluate(spec: &Value, is_skip: bool, version: [u32; 3], client: &Client) -> Option<Skip> {
    let skip = |kind: SkipKind, what: String| Some(Skip { kind, reason: format!("{what}: {}", reason(spec)) });
    if is_skip {
        if spec.get("awaits_fix").is_some() {
            return skip(SkipKind::AwaitsFix, "awaits_fix".into());
        }
        if let Some(expr) = spec.get("version").and_then(Value::as_str) {
            if version_in(expr, version) {
                return skip(SkipKind::Version, format!("version {expr}"));
            }
        }
        for feature in list(spec.get("features")) {
            if !crate::RUNNER_FEATURES.contains(&feature.as_str()) {
                return skip(SkipKind::RunnerFeature, format!("runner feature [{feature}]"));
            }
        }
        for feature in list(spec.get("cluster_features")) {
            if has_cluster_feature(&feature, version) {
                return skip(SkipKind::Version, format!("cluster feature [{feature}] present"));
            }
        }
        if let Some(Value::Array(caps)) = spec.get("capabilities") {
            if all_supported(caps, client).await {
                return skip(SkipKind::Capability, "capabilities present".into());
            }
        }
    } else {
        for feature in list(spec.get("test_runner_features")) {
            if !crate::RUNNER_FEATURES.contains(&feature.as_str()) {
                return skip(SkipKind::RunnerFeature, format!("runner feature [{feature}]"));
            }
        }
        for feature in list(spec.get("cluster_features")) {
            if !has_cluster_feature(&feature, version) {
                return skip(SkipKind::Version, format!("cluster feature [{feature}] absent"));
            }
        }
        if let Some(Value::Array(caps)) = spec.get("capabilities") {
            if !all_supported(caps, client).await {
                return skip(SkipKind::Capability, "capabilities not supported".into());
            }
        }
    }
    None
}

/// Asks `GET /_capabilities` for each entry; any error means "no".
async fn all_supported(caps: &[Value], client: &Client) -> bool {
    for cap in caps {
        let mut query = Vec::new();
        for key in ["method", "path", "parameters", "capabilities"] {
            let values = list(cap.get(key));
            if !values.is_empty() {
                let joined = values.join(",");
                query.push(format!(
                    "{key}={}",
                    percent_encoding::utf8_percent_encode(&joined, percent_encoding::NON_ALPHANUMERIC)
                ));
            }
        }
        let req = HttpRequest {
            method: Method::Get,
            uri: format!("/_capabilities?{}", query.join("&")),
            body: None,
            content_type: None,
        };
        match client.send(&req, &[]).await {
            Ok(answer) if answer.status == 200 && answer.body.get("supported") == Some(&Value::Bool(true)) => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: [u32; 3] = [9, 6, 0];

    #[test]
    fn version_ranges() {
        assert!(version_in("all", V));
        assert!(version_in(" - 9.9.99", V));
        assert!(version_in("9.0.0 - ", V));
        assert!(!version_in(" - 8.99.99", V));
        assert!(version_in("7.0.0 - 7.9.99, 9.5.0 - 9.7.0", V));
        assert!(!version_in("8.0.0 - 8.4.99", V));
    }

    #[test]
    fn cluster_features_of_the_claimed_version() {
        assert!(has_cluster_feature("gte_v8.15.0", V));
        assert!(!has_cluster_feature("gte_v10.0.0", V));
        assert!(has_cluster_feature("mapper.source.synthetic_source_fallback", V));
    }
}
