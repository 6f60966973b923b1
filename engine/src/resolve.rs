//! Index expressions (`logs-*`, `a,b`, `_all`, `-old-*`, aliases) to
//! concrete index names, with the `ignore_unavailable`, `allow_no_indices`
//! and `expand_wildcards` rules of Elasticsearch's
//! `IndexNameExpressionResolver`; date math in names (`<logs-{now/d}>`)
//! is resolved first ([`crate::date_math_name`]).

use crate::error::EngineError;
use crate::metadata::{IndexState, Metadata};

/// How an API resolves index expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicesOptions {
    pub ignore_unavailable: bool,
    pub allow_no_indices: bool,
    pub expand_open: bool,
    pub expand_closed: bool,
    pub expand_hidden: bool,
    /// Aliases may not stand for their indices (index deletion).
    pub forbid_aliases: bool,
    /// A closed index named is an error, or skipped with
    /// `ignore_unavailable` (search, count, field caps).
    pub forbid_closed: bool,
}

impl IndicesOptions {
    /// Missing names fail, empty wildcards are fine, wildcards open indices.
    pub const STRICT_EXPAND_OPEN: IndicesOptions = IndicesOptions {
        ignore_unavailable: false,
        allow_no_indices: true,
        expand_open: true,
        expand_closed: false,
        expand_hidden: false,
        forbid_aliases: false,
        forbid_closed: false,
    };

    /// Search: as [`Self::STRICT_EXPAND_OPEN`], closed indices refused
    /// (Elasticsearch's `strictExpandOpenAndForbidClosed`).
    pub const SEARCH: IndicesOptions = IndicesOptions { forbid_closed: true, ..IndicesOptions::STRICT_EXPAND_OPEN };

    /// Index deletion: wildcards reach closed indices, aliases are refused.
    pub const DELETE: IndicesOptions =
        IndicesOptions { expand_closed: true, forbid_aliases: true, ..IndicesOptions::STRICT_EXPAND_OPEN };

    /// Applies `expand_wildcards` values (`all`, `open`, `closed`, `hidden`, `none`).
    pub fn with_expand_wildcards<'a>(mut self, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.expand_open = false;
        self.expand_closed = false;
        self.expand_hidden = false;
        for v in values {
            match v {
                "all" => {
                    self.expand_open = true;
                    self.expand_closed = true;
                    self.expand_hidden = true;
                }
                "open" => self.expand_open = true,
                "closed" => self.expand_closed = true,
                "hidden" => self.expand_hidden = true,
                _ => {}
            }
        }
        self
    }
}

pub use tensile_rest::pattern::simple_match as wildcard_match;

/// Resolves `expressions` to index names, in order, without duplicates.
pub fn resolve(meta: &Metadata, expressions: &[String], opts: IndicesOptions) -> Result<Vec<String>, EngineError> {
    let expressions: Vec<String> =
        expressions.iter().map(|e| crate::date_math_name::resolve_expression(e)).collect::<Result<_, _>>()?;
    let expressions = expressions.as_slice();
    let all = expressions.is_empty() || (expressions.len() == 1 && (expressions[0] == "_all" || expressions[0] == "*"));
    let expressions: Vec<String> = if all { vec!["*".to_owned()] } else { expressions.to_vec() };
    let wildcard_state_ok = |name: &str, pattern: &str| {
        let Some(index) = meta.indices.get(name) else {
            return false;
        };
        let state_ok = match index.state {
            IndexState::Open => opts.expand_open,
            IndexState::Close => opts.expand_closed,
        };
        let hidden_ok = !index.is_hidden() || opts.expand_hidden || (pattern.starts_with('.') && name.starts_with('.'));
        state_ok && hidden_ok
    };

    let mut out: Vec<String> = Vec::new();
    let mut seen_wildcard = false;
    for expr in &expressions {
        if let Some(excluded) = expr.strip_prefix('-').filter(|_| seen_wildcard) {
            out.retain(|name| !wildcard_match(excluded, name));
            continue;
        }
        // `expand_wildcards: none` expands nothing: a pattern is a name like any other.
        let expands = opts.expand_open || opts.expand_closed || all;
        if expr.contains('*') && !expands {
            seen_wildcard = true;
            if !meta.indices.contains_key(expr) && !opts.ignore_unavailable {
                return Err(EngineError::IndexNotFound { name: expr.clone() });
            }
            continue;
        }
        if expr.contains('*') {
            seen_wildcard = true;
            let mut matched: Vec<String> = meta
                .indices
                .keys()
                .filter(|name| wildcard_match(expr, name) && wildcard_state_ok(name, expr))
                .cloned()
                .collect();
            if !opts.forbid_aliases {
                for alias in meta.aliases().filter(|a| wildcard_match(expr, a)) {
                    matched.extend(
                        meta.alias_indices(alias).into_iter().filter(|n| wildcard_state_ok(n, expr)).map(str::to_owned),
                    );
                }
            }
            if matched.is_empty() && !opts.allow_no_indices {
                return Err(EngineError::IndexNotFound { name: expr.clone() });
            }
            out.extend(matched);
            continue;
        }
        if let Some(index) = meta.indices.get(expr) {
            if opts.forbid_closed && index.state == IndexState::Close {
                if opts.ignore_unavailable {
                    continue;
                }
                return Err(EngineError::IndexClosed { name: index.name.clone(), uuid: index.uuid.clone() });
            }
            out.push(expr.clone());
        } else if meta.is_alias(expr) {
            if opts.forbid_aliases {
                if opts.ignore_unavailable {
                    continue;
                }
                return Err(EngineError::IllegalArgument(format!(
                    "The provided expression [{expr}] matches an alias, specify the corresponding concrete indices instead."
                )));
            }
            out.extend(meta.alias_indices(expr).into_iter().map(str::to_owned));
        } else {
            check_unknown_name(expr, &expressions, opts)?;
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|n| seen.insert(n.clone()));
    if out.is_empty() && !opts.allow_no_indices {
        let name = if all { "_all".to_owned() } else { expressions.join(",") };
        return Err(EngineError::IndexNotFound { name });
    }
    Ok(out)
}

/// The names `_resolve/index` lists for expressions: the indices and the
/// aliases they name or match (an alias is listed as itself, not as its
/// indices), each sorted.
pub fn resolve_names(
    meta: &Metadata,
    expressions: &[String],
    opts: IndicesOptions,
) -> Result<(Vec<String>, Vec<String>), EngineError> {
    let expressions: Vec<String> =
        expressions.iter().map(|e| crate::date_math_name::resolve_expression(e)).collect::<Result<_, _>>()?;
    let visible = |name: &str, pattern: &str| {
        meta.indices.get(name).is_some_and(|index| {
            let state_ok = match index.state {
                IndexState::Open => opts.expand_open,
                IndexState::Close => opts.expand_closed,
            };
            state_ok && (!index.is_hidden() || opts.expand_hidden || pattern.starts_with('.'))
        })
    };
    let (mut indices, mut aliases): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut seen_wildcard = false;
    for expr in &expressions {
        if let Some(excluded) = expr.strip_prefix('-').filter(|_| seen_wildcard) {
            indices.retain(|name| !wildcard_match(excluded, name));
            aliases.retain(|name| !wildcard_match(excluded, name));
            continue;
        }
        if expr.contains('*') || expr == "_all" {
            seen_wildcard = true;
            let pattern = if expr == "_all" { "*" } else { expr.as_str() };
            let before = indices.len() + aliases.len();
            indices.extend(meta.indices.keys().filter(|n| wildcard_match(pattern, n) && visible(n, pattern)).cloned());
            aliases.extend(
                meta.aliases()
                    .filter(|a| wildcard_match(pattern, a))
                    .filter(|a| meta.alias_indices(a).iter().any(|i| visible(i, pattern)))
                    .map(str::to_owned),
            );
            if indices.len() + aliases.len() == before && !opts.allow_no_indices {
                return Err(EngineError::IndexNotFound { name: expr.clone() });
            }
        } else if meta.indices.contains_key(expr) {
            indices.push(expr.clone());
        } else if meta.is_alias(expr) {
            aliases.push(expr.clone());
        } else {
            check_unknown_name(expr, &expressions, opts)?;
        }
    }
    for names in [&mut indices, &mut aliases] {
        names.sort_unstable();
        names.dedup();
    }
    Ok((indices, aliases))
}

/// Why a name that is neither an index nor an alias fails, as
/// Elasticsearch's `validateResourceExpression` words it: names starting
/// with `_` are reserved for APIs, `cluster:index` names are remote (and
/// cross-cluster calls are not supported here, `ignore_unavailable` or
/// not), others are not found unless `ignore_unavailable`.
fn check_unknown_name(expr: &str, expressions: &[String], opts: IndicesOptions) -> Result<(), EngineError> {
    if expr.starts_with('_') {
        return Err(EngineError::InvalidIndexName { name: expr.to_owned(), reason: "must not start with '_'.".into() });
    }
    // Remote names fail even with `ignore_unavailable`: there is no other cluster.
    if expr.contains(':') {
        let remote: Vec<&str> = expressions.iter().map(String::as_str).filter(|e| e.contains(':')).collect();
        return Err(EngineError::IllegalArgument(format!(
            "Cross-cluster calls are not supported in this context but remote indices were requested: [{}]",
            remote.join(", ")
        )));
    }
    if opts.ignore_unavailable {
        return Ok(());
    }
    Err(EngineError::IndexNotFound { name: expr.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::IndexMetadata;
    use serde_json::json;

    fn meta() -> Metadata {
        let mut m = Metadata::default();
        for (name, state, hidden, alias) in [
            ("logs-1", IndexState::Open, false, Some("logs")),
            ("logs-2", IndexState::Close, false, Some("logs")),
            ("other", IndexState::Open, false, None),
            (".secret", IndexState::Open, true, None),
        ] {
            let mut settings = crate::settings::FlatSettings::new();
            if hidden {
                settings.insert("index.hidden".into(), json!("true"));
            }
            let aliases = alias.map(|a| [(a.to_owned(), json!({}))].into_iter().collect()).unwrap_or_default();
            m.indices.insert(
                name.into(),
                IndexMetadata {
                    name: name.into(),
                    uuid: "u".into(),
                    state,
                    settings,
                    mappings: json!({}),
                    aliases,
                    text_slots: Default::default(),
                    index_only_values: true,
                },
            );
        }
        m
    }

    fn names(r: Result<Vec<String>, EngineError>) -> Vec<String> {
        r.unwrap()
    }

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn wildcards_states_and_exclusions() {
        let m = meta();
        let open = IndicesOptions::STRICT_EXPAND_OPEN;
        assert_eq!(names(resolve(&m, &s(&["logs-*"]), open)), s(&["logs-1"]));
        assert_eq!(names(resolve(&m, &s(&["_all"]), open)), s(&["logs-1", "other"]));
        assert_eq!(names(resolve(&m, &s(&["*", "-o*"]), open)), s(&["logs-1"]));
        assert_eq!(names(resolve(&m, &s(&[".s*"]), open)), s(&[".secret"]));
        let all = open.with_expand_wildcards(["all"]);
        assert_eq!(names(resolve(&m, &s(&["*"]), all)), s(&[".secret", "logs-1", "logs-2", "other"]));
        assert!(names(resolve(&m, &s(&["nothing*"]), open)).is_empty());
        let strict = IndicesOptions { allow_no_indices: false, ..open };
        assert!(
            matches!(resolve(&m, &s(&["nothing*"]), strict), Err(EngineError::IndexNotFound { name }) if name == "nothing*")
        );
    }

    #[test]
    fn concrete_names_and_aliases() {
        let m = meta();
        let open = IndicesOptions::STRICT_EXPAND_OPEN;
        assert_eq!(names(resolve(&m, &s(&["logs", "other", "logs-1"]), open)), s(&["logs-1", "logs-2", "other"]));
        assert!(matches!(resolve(&m, &s(&["missing"]), open), Err(EngineError::IndexNotFound { .. })));
        let lenient = IndicesOptions { ignore_unavailable: true, ..open };
        assert_eq!(names(resolve(&m, &s(&["missing", "other"]), lenient)), s(&["other"]));
        assert!(matches!(resolve(&m, &s(&["logs"]), IndicesOptions::DELETE), Err(EngineError::IllegalArgument(_))));
        assert!(names(resolve(&m, &s(&["log*"]), IndicesOptions::DELETE)).len() == 2);
        // A closed index named: kept, unless the API forbids closed ones.
        assert_eq!(names(resolve(&m, &s(&["logs-2"]), open)), s(&["logs-2"]));
        let search = IndicesOptions::SEARCH;
        assert!(matches!(resolve(&m, &s(&["logs-2"]), search), Err(EngineError::IndexClosed { .. })));
        let lenient_search = IndicesOptions { ignore_unavailable: true, ..search };
        assert_eq!(names(resolve(&m, &s(&["logs-2", "other"]), lenient_search)), s(&["other"]));
        // Reserved and remote names fail with their own errors.
        assert!(
            matches!(resolve(&m, &s(&["_foo"]), lenient), Err(EngineError::InvalidIndexName { reason, .. }) if reason == "must not start with '_'.")
        );
        assert!(matches!(
            resolve(&m, &s(&["other", "r1:x"]), open),
            Err(EngineError::IllegalArgument(r)) if r.ends_with("remote indices were requested: [r1:x]")
        ));
    }
}
