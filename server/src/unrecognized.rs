//! The check for query parameters an API does not declare, with
//! Elasticsearch's message and its "did you mean" hints.

use tensile_rest::did_you_mean::unrecognized;
use tensile_rest::spec::{ApiSpec, COMMON_PARAMS};
use tensile_rest::EsError;

/// Fails with Elasticsearch's `illegal_argument_exception` when `query`
/// has parameters that neither the API, its bound path parts nor the
/// common parameters name.
pub fn check(
    path: &str,
    spec: &ApiSpec,
    bound_parts: &[(&'static str, String)],
    query: &[(String, String)],
) -> Result<(), EsError> {
    let known = |name: &str| {
        spec.param(name).is_some()
            || COMMON_PARAMS.iter().any(|p| p.name == name)
            || bound_parts.iter().any(|(p, _)| *p == name)
    };
    let mut invalid: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).filter(|k| !known(k)).collect();
    if invalid.is_empty() {
        return Ok(());
    }
    invalid.sort_unstable();
    invalid.dedup();
    let candidates: Vec<&str> = spec.params.iter().map(|p| p.name).chain(bound_parts.iter().map(|(p, _)| *p)).collect();
    Err(EsError::illegal_argument(unrecognized(path, "parameter", &invalid, &candidates)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_drives_the_check() {
        let spec = tensile_generated::Api::from_name("search").unwrap().spec();
        let q = |k: &str| vec![(k.to_owned(), String::new())];
        assert!(check("/_search", spec, &[], &q("size")).is_ok());
        assert!(check("/_search", spec, &[], &q("pretty")).is_ok());
        assert!(check("/_search", spec, &[], &q("filter_path")).is_ok());
        let err = check("/_search", spec, &[], &q("sise")).unwrap_err();
        assert_eq!(err.kind(), Some("illegal_argument_exception"));
    }
}
