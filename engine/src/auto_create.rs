//! `action.auto_create_index`: whether a write to a missing index creates
//! it. `true` (the default), `false`, or comma-separated patterns with
//! `+` (allow) and `-` (forbid) prefixes, the first matching one deciding.

use crate::error::EngineError;
use crate::resolve::wildcard_match;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoCreate {
    /// The setting as given, for error messages.
    text: String,
    rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    Always,
    Never,
    /// `(allow, pattern)` in order.
    Patterns(Vec<(bool, String)>),
}

impl Default for AutoCreate {
    fn default() -> Self {
        AutoCreate { text: "true".into(), rule: Rule::Always }
    }
}

impl AutoCreate {
    pub fn parse(text: &str) -> Result<AutoCreate, String> {
        let rule = match text.trim() {
            "true" => Rule::Always,
            "false" => Rule::Never,
            patterns => Rule::Patterns(
                patterns
                    .split(',')
                    .map(|p| p.trim())
                    .map(|p| match p.strip_prefix('-') {
                        Some(rest) => (false, rest.to_owned()),
                        None => (true, p.strip_prefix('+').unwrap_or(p).to_owned()),
                    })
                    .map(|(allow, p)| if p.is_empty() { Err(format!("Can't parse [{text}] for setting [action.auto_create_index] must be either [true, false, or a comma separated list of index patterns]")) } else { Ok((allow, p)) })
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(AutoCreate { text: text.trim().to_owned(), rule })
    }

    /// Whether `index` may be created by a write, and if not, the error.
    pub fn check(&self, index: &str) -> Result<(), EngineError> {
        let refuse = |why: String| Err(EngineError::AutoCreateForbidden { name: index.to_owned(), why });
        match &self.rule {
            Rule::Always => Ok(()),
            Rule::Never => refuse(format!("[action.auto_create_index] is [{}]", self.text)),
            Rule::Patterns(patterns) => match patterns.iter().find(|(_, p)| wildcard_match(p, index)) {
                Some((true, _)) => Ok(()),
                Some((false, p)) => refuse(format!(
                    "[action.auto_create_index] contains [-{p}] which forbids automatic creation of the index"
                )),
                None => refuse(format!("[action.auto_create_index] ([{}]) doesn't match", self.text)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_decide_in_order() {
        let rule = AutoCreate::parse("-logs-secret*,+logs-*").unwrap();
        assert!(rule.check("logs-app").is_ok());
        let err = rule.check("logs-secret-1").unwrap_err().to_string();
        assert!(err.contains("contains [-logs-secret*] which forbids"), "{err}");
        assert!(rule.check("metrics").unwrap_err().to_string().contains("doesn't match"));
        assert!(AutoCreate::parse("false").unwrap().check("x").is_err());
        assert!(AutoCreate::default().check("x").is_ok());
    }
}
