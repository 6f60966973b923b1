//! Properties every built-in analyzer keeps on any text: offsets lie on
//! character boundaries of the original, in order, and positions never go
//! back.

use proptest::prelude::*;
use tensile_analysis::Analyzers;

const ANALYZERS: &[&str] = &["standard", "simple", "whitespace", "keyword", "stop", "pattern", "english", "french"];

proptest! {
    #[test]
    fn offsets_and_positions_are_sane(text in "\\PC{0,60}", which in 0..ANALYZERS.len()) {
        let analyzer = Analyzers::default().analyzer(ANALYZERS[which]).unwrap();
        let tokens = analyzer.analyze(&text);
        let mut last = 0;
        for t in &tokens {
            prop_assert!(t.start <= t.end && t.end <= text.len());
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(t.position >= last);
            last = t.position;
        }
    }

    #[test]
    fn html_strip_keeps_offsets_in_the_original(text in "[a-z <>/&;p]{0,40}") {
        let settings = [
            ("index.analysis.analyzer.h.tokenizer".to_owned(), serde_json::json!("standard")),
            ("index.analysis.analyzer.h.char_filter".to_owned(), serde_json::json!(["html_strip"])),
        ].into_iter().collect();
        let analyzer = Analyzers::from_settings(&settings).unwrap().analyzer("h").unwrap();
        for t in analyzer.analyze(&text) {
            prop_assert!(t.start <= t.end && t.end <= text.len());
        }
    }
}
