//! Rust identifiers for spec names.

/// Words Rust reserves; a spec name equal to one becomes a raw identifier.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for",
    "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "unsafe", "use", "where", "while", "yield", "abstract",
    "become", "do", "final", "macro", "override", "unsized", "virtual",
];

/// Identifiers that cannot even be raw.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A `snake_case` identifier for a spec name (`indices.create`,
/// `_source_includes`, `type`): non-identifier characters become `_`,
/// keywords become raw identifiers.
pub fn snake_ident(name: &str) -> String {
    let mut out: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    } else if KEYWORDS.contains(&out.as_str()) {
        out.insert_str(0, "r#");
    }
    out
}

/// A `PascalCase` type name (`indices.create` -> `IndicesCreate`).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// A Rust string literal for any text.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(snake_ident("indices.create"), "indices_create");
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("_source"), "_source");
        assert_eq!(pascal("indices.put_mapping"), "IndicesPutMapping");
        assert_eq!(pascal("_internal.get_desired_nodes"), "InternalGetDesiredNodes");
        assert_eq!(pascal("1m"), "V1m");
        assert_eq!(pascal("wait_for"), "WaitFor");
    }

    fn is_ident(s: &str) -> bool {
        let s = s.strip_prefix("r#").unwrap_or(s);
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    }

    proptest! {
        #[test]
        fn any_name_gives_an_identifier(name in "\\PC{0,16}") {
            prop_assert!(is_ident(&snake_ident(&name)));
            prop_assert!(is_ident(&pascal(&name)));
        }
    }
}
