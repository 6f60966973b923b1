//! The language each construct matches, against Lucene's documented
//! examples, and the common constructs against the `regex` crate.

use proptest::prelude::*;
use tensile_regexp::{Error, Flags, Regex, DEFAULT_MAX_STATES};

fn dfa(pattern: &str) -> tensile_regexp::Dfa {
    Regex::parse(pattern, Flags::ALL).unwrap().compile(false, DEFAULT_MAX_STATES).unwrap()
}

fn matches(pattern: &str, text: &str) -> bool {
    dfa(pattern).matches(text)
}

#[test]
fn standard_operators() {
    assert!(matches("ab.", "abz") && !matches("ab.", "ab"));
    assert!(matches("abc?", "ab") && matches("abc?", "abc"));
    assert!(matches("ab+", "abbb") && !matches("ab+", "a"));
    assert!(matches("ab*", "a"));
    assert!(matches("a{2}", "aa") && !matches("a{2}", "aaa"));
    assert!(matches("a{2,4}", "aaaa") && !matches("a{2,4}", "a"));
    assert!(matches("a{2,}", "aaaaaaa"));
    assert!(matches("abc|xyz", "xyz"));
    assert!(matches("abc(xyz)?", "abcxyz"));
    assert!(matches("[abc]", "b") && matches("[a-c]", "c") && !matches("[^abc]", "a") && matches("[^a-c]", "é"));
    assert!(matches("[-abc]", "-"));
    // Anchored: the whole term, never a part of it.
    assert!(!matches("bc", "abcd"));
    // Reserved characters made literal.
    assert!(matches("\\@", "@") && matches("\\\\", "\\") && matches("\"john@smith.com\"", "john@smith.com"));
    assert!(matches("()", ""));
    // Characters other engines make special are plain here.
    assert!(matches("a^b$", "a^b$"));
    assert!(matches("\\d+\\s\\w", "42 x") && !matches("\\D", "4") && matches("[\\d]", "4"));
}

#[test]
fn optional_operators() {
    assert!(matches("a~bc", "adc") && !matches("a~bc", "abc"));
    assert!(matches("aaa.+&.+bbb", "aaabbb") && !matches("aaa.+&.+bbb", "aaaccc"));
    assert!(matches("@&~(abc.+)", "abd") && !matches("@&~(abc.+)", "abcd"));
    assert!(matches("@", "") && matches("@", "anything"));
    assert!(!matches("#", "") && !matches("#", "#"));
    assert!(matches("foo<1-100>", "foo1") && matches("foo<1-100>", "foo100") && !matches("foo<1-100>", "foo101"));
    assert!(matches("foo<1-100>", "foo007"));
    // Bounds of one width fix it; of different widths, any leading zeros go.
    assert!(matches("<001-100>", "050") && !matches("<001-100>", "50") && !matches("<001-100>", "0050"));
    assert!(matches("foo<01-100>", "foo01") && matches("foo<01-100>", "foo1") && matches("foo<01-100>", "foo0099"));
    assert!(matches("<10-2>", "5"));
}

#[test]
fn operators_off_are_characters() {
    let none = |p: &str, t: &str| Regex::parse(p, Flags::NONE).unwrap().compile(false, 100).unwrap().matches(t);
    assert!(none("a&b", "a&b") && none("~a", "~a") && none("#", "#") && none("@", "@") && none("<1-2>", "<1-2>"));
    let flags = Flags::parse("INTERSECTION|ANYSTRING").unwrap();
    assert!(Regex::parse("@&a.", flags).unwrap().compile(false, 100).unwrap().matches("ab"));
    assert_eq!(Flags::parse(""), Ok(Flags::ALL));
    assert_eq!(Flags::parse("bogus"), Err("Unknown regexp flag [bogus]".into()));
}

#[test]
fn syntax_errors_name_the_position() {
    let error = |p: &str| Regex::parse(p, Flags::ALL).unwrap_err();
    assert_eq!(error("(ab"), Error::Syntax("expected ')' at position 3".into()));
    assert_eq!(error("[ab"), Error::Syntax("expected ']' at position 3".into()));
    assert_eq!(error("a{x}"), Error::Syntax("integer expected at position 2".into()));
    assert_eq!(error("a{2"), Error::Syntax("expected '}' at position 3".into()));
    assert_eq!(error("ab)"), Error::Syntax("end-of-string expected at position 2".into()));
    assert_eq!(error("\"ab"), Error::Syntax("expected '\"' at position 3".into()));
    assert_eq!(error("ab\\"), Error::Syntax("unexpected end-of-string".into()));
    assert!(matches!(error("<1->"), Error::Syntax(m) if m.starts_with("interval syntax error")));
}

#[test]
fn case_insensitive() {
    let ci = |p: &str, t: &str| Regex::parse(p, Flags::ALL).unwrap().compile(true, 1000).unwrap().matches(t);
    assert!(ci("london.*", "London Bridge") && ci("[a-c]x", "BX") && ci("ÉTÉ", "été"));
    assert!(Regex::literal("MiXeD").compile(true, 100).unwrap().matches("mixed"));
}

#[test]
fn wildcards_and_prefixes() {
    let w = |p: &str, t: &str| Regex::wildcard(p).compile(false, 1000).unwrap().matches(t);
    assert!(w("k*y", "kimchy") && w("k?y", "kiy") && !w("k?y", "ky") && w("a\\*", "a*") && !w("a\\*", "ab"));
    assert!(w("*", "") && w("a.b", "a.b") && !w("a.b", "axb"));
    assert!(Regex::prefix("ki").compile(false, 100).unwrap().matches("kimchy"));
    assert!(Regex::literal("a.b").compile(false, 100).unwrap().matches("a.b"));
}

#[test]
fn too_many_states_is_an_error() {
    let explosive = Regex::parse("(a|b)*a(a|b){20}", Flags::ALL).unwrap();
    assert_eq!(explosive.compile(false, DEFAULT_MAX_STATES).unwrap_err(), Error::TooComplex { limit: 10_000 });
    assert!(matches!(
        Regex::parse("a{1000000}", Flags::ALL).unwrap().compile(false, 10),
        Err(Error::TooComplex { .. })
    ));
}

#[test]
fn prefixes_of_a_text() {
    let d = dfa("ab|abcd");
    assert!(d.matches_a_prefix("abz") && d.matches_a_prefix("abcdef") && !d.matches_a_prefix("a"));
}

/// Patterns both languages read alike: characters, `.`, classes, groups,
/// alternation and repetition.
fn common_pattern() -> impl Strategy<Value = String> {
    let leaf =
        prop_oneof!["[abcé]".prop_map(|s| s), Just(".".to_owned()), Just("[a-c]".to_owned()), Just("[^b]".to_owned()),];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}|{b})")),
            (inner.clone(), prop_oneof![Just("*"), Just("+"), Just("?"), Just("{1,2}"), Just("{2}")])
                .prop_map(|(a, op)| format!("({a}){op}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn common_constructs_match_as_the_regex_crate_does(pattern in common_pattern(), text in "[abcé]{0,6}") {
        let ours = Regex::parse(&pattern, Flags::ALL).unwrap().compile(false, 100_000);
        prop_assume!(ours.is_ok());
        let theirs = regex::Regex::new(&format!("^(?s:{pattern})$")).unwrap();
        prop_assert_eq!(ours.unwrap().matches(&text), theirs.is_match(&text), "pattern {}", pattern);
    }

    #[test]
    fn complement_and_intersection_are_exact(a in common_pattern(), b in common_pattern(), text in "[abcé]{0,5}") {
        let one = |p: &str| regex::Regex::new(&format!("^(?s:{p})$")).unwrap().is_match(&text);
        let both = Regex::parse(&format!("({a})&({b})"), Flags::ALL).unwrap().compile(false, 100_000);
        let not = Regex::parse(&format!("~({a})"), Flags::ALL).unwrap().compile(false, 100_000);
        prop_assume!(both.is_ok() && not.is_ok());
        prop_assert_eq!(both.unwrap().matches(&text), one(&a) && one(&b));
        prop_assert_eq!(not.unwrap().matches(&text), !one(&a));
    }

    #[test]
    fn intervals_are_the_numbers_between(low in 0u64..300, high in 0u64..300, n in 0u64..400) {
        let d = dfa(&format!("<{low}-{high}>"));
        prop_assert_eq!(d.matches(&n.to_string()), (low.min(high)..=low.max(high)).contains(&n));
    }

    #[test]
    fn parsing_never_panics(pattern in "[ab()\\[\\]{}|&~#@<>0-9,\\-.*+?\"\\\\^]{0,12}") {
        if let Ok(regex) = Regex::parse(&pattern, Flags::ALL) {
            let _ = regex.compile(true, 1000);
        }
    }
}
