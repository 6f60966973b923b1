//! Alias-name expressions, as `GET _alias/{name}` reads them: names and
//! wildcards, `_all`, and exclusions (`-name`, `-pattern*`). As in
//! Elasticsearch, an exclusion removes what the expressions before it
//! matched (so a leading one removes nothing), and only explicit names
//! count as missing: no wildcard, no `_all`, not an exclusion after the
//! first wildcard, and not excluded by a later exclusion.

use crate::resolve::wildcard_match;

/// One parsed alias-name expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasExpression {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    /// As requested, `-` included.
    raw: String,
    /// The pattern matched against alias names (`-` stripped for exclusions).
    pattern: String,
    include: bool,
}

fn is_wildcard(name: &str) -> bool {
    name.contains('*')
}

impl AliasExpression {
    pub fn new(names: &[String]) -> Self {
        let items = names
            .iter()
            .map(|raw| match raw.strip_prefix('-') {
                Some(excluded) => Item { raw: raw.clone(), pattern: excluded.to_owned(), include: false },
                None => Item { raw: raw.clone(), pattern: raw.clone(), include: true },
            })
            .collect();
        AliasExpression { items }
    }

    /// Whether `alias` is selected: matched by an inclusion and not
    /// excluded by a later exclusion.
    pub fn matches(&self, alias: &str) -> bool {
        let mut matched = self.items.is_empty();
        for item in &self.items {
            if item.include {
                matched = matched || item.pattern == "_all" || wildcard_match(&item.pattern, alias);
            } else if matched {
                matched = !wildcard_match(&item.pattern, alias);
            }
        }
        matched
    }

    /// The explicitly requested names (no wildcard, not `_all`, not an
    /// exclusion, not excluded later) that are not in `found`, sorted:
    /// the names of Elasticsearch's `alias [x] missing` answer.
    pub fn missing(&self, found: impl Fn(&str) -> bool) -> Vec<String> {
        let first_wildcard = self.items.iter().position(|i| is_wildcard(&i.raw)).unwrap_or(self.items.len());
        let mut missing: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .filter(|(i, item)| {
                item.raw != "_all" && !is_wildcard(&item.raw) && !(*i > first_wildcard && item.raw.starts_with('-'))
            })
            .filter(|(i, item)| {
                let excluded_later = self.items[(i + 1).max(first_wildcard)..].iter().any(|later| {
                    later.raw.strip_prefix('-').is_some_and(|p| p == "_all" || wildcard_match(p, &item.raw))
                });
                !excluded_later && !found(&item.raw)
            })
            .map(|(_, item)| item.raw.clone())
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALIASES: [&str; 5] = ["test_alias_1", "test_alias_2", "test_blias_1", "test_blias_2", "test"];

    fn run(names: &[&str]) -> (Vec<&'static str>, Vec<String>) {
        let expr = AliasExpression::new(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let selected: Vec<&str> = ALIASES.iter().copied().filter(|a| expr.matches(a)).collect();
        let missing = expr.missing(|n| selected.contains(&n));
        (selected, missing)
    }

    #[test]
    fn inclusions_and_exclusions() {
        assert_eq!(run(&[]).0, ALIASES.to_vec());
        assert_eq!(run(&["_all"]).0, ALIASES.to_vec());
        assert_eq!(run(&["test_alias*", "test_blias_1"]).0, ["test_alias_1", "test_alias_2", "test_blias_1"]);
        assert_eq!(run(&["test_blias_2", "test_alias*", "-test_alias_1"]).0, ["test_alias_2", "test_blias_2"]);
        assert_eq!(run(&["test_alias_1", "test_blias_1", "-test_alias*"]).0, ["test_blias_1"]);
        assert_eq!(run(&["test_blias_2", "tes*", "-test_alias*"]).0, ["test_blias_1", "test_blias_2", "test"]);
        assert!(run(&["test_alias_1", "test_blias_2", "-test_alias*", "-test_blias_2"]).0.is_empty());
    }

    #[test]
    fn missing_names_only_count_explicit_unexcluded_ones() {
        // A `-` name before any wildcard excludes nothing, and is missing.
        let (selected, missing) = run(&["-test_alias_1", "test_alias*", "-test_alias_2"]);
        assert_eq!(selected, ["test_alias_1"]);
        assert_eq!(missing, ["-test_alias_1"]);
        let (_, missing) = run(&["-test_alias_1", "-non-existing", "test_alias*", "-test"]);
        assert_eq!(missing, ["-non-existing", "-test_alias_1"]);
        // Exclusions after a wildcard never count as missing.
        assert!(run(&["test_alias*", "-non-existent", "test_blias*", "-test"]).1.is_empty());
        // Explicit names excluded later are not missing either.
        let (selected, missing) = run(&["test_alias_1", "test_blias_2", "-test_alias*", "-test_blias_2"]);
        assert!(selected.is_empty() && missing.is_empty());
        assert_eq!(run(&["-non-existent", "-non-existent*", "-another"]).1, ["-non-existent"]);
        assert_eq!(run(&["nope", "other"]).1, ["nope", "other"]);
    }
}
