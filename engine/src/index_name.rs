//! Index and alias name rules, as Elasticsearch's
//! `MetadataCreateIndexService.validateIndexOrAliasName` has them.

use crate::error::EngineError;

/// Characters an index name may not contain.
pub const INVALID_CHARS: &[char] = &['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

/// Checks a name for a new index.
pub fn validate(name: &str) -> Result<(), EngineError> {
    let invalid = |reason: String| Err(EngineError::InvalidIndexName { name: name.to_owned(), reason });
    if name.is_empty() {
        return invalid("must not be empty".into());
    }
    if name.contains(INVALID_CHARS) {
        let list: Vec<String> = INVALID_CHARS.iter().map(|c| c.to_string()).collect();
        return invalid(format!("must not contain the following characters [{}]", list.join(", ")));
    }
    if name.contains('#') {
        return invalid("must not contain '#'".into());
    }
    if name.contains(':') {
        return invalid("must not contain ':'".into());
    }
    if name.starts_with(['_', '-', '+']) {
        return invalid("must not start with '_', '-', or '+'".into());
    }
    if name.chars().any(|c| c.is_uppercase()) {
        return invalid("must be lowercase".into());
    }
    if name == "." || name == ".." {
        return invalid("must not be '.' or '..'".into());
    }
    if name.len() > 255 {
        return invalid(format!("index name is too long, ({} > 255)", name.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str) -> String {
        match validate(name) {
            Err(EngineError::InvalidIndexName { reason, .. }) => reason,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn rules() {
        assert!(validate("logs-2024.01.01").is_ok());
        assert!(validate(".hidden").is_ok());
        assert_eq!(reason("Logs"), "must be lowercase");
        assert_eq!(reason("_x"), "must not start with '_', '-', or '+'");
        assert_eq!(reason("a b"), "must not contain the following characters [\\, /, *, ?, \", <, >, |,  , ,]");
        assert_eq!(reason(".."), "must not be '.' or '..'");
        assert_eq!(reason("a:b"), "must not contain ':'");
        assert!(reason(&"a".repeat(256)).starts_with("index name is too long"));
    }
}
