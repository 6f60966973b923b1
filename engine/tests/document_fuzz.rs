//! Random documents and mappings: every document is indexed or refused
//! with an error, never a panic, and a refused one leaves nothing behind;
//! random mapping definitions create an index or are refused.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tensile_engine::{Conditions, Engine};

const NAMES: &[&str] = &["title", "tag", "n", "price", "day", "ok", "ip", "loc", "kids", "obj", "new", "a.b", "x"];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            "text",
            "2020-01-01",
            "1.5",
            "10.0.0.1",
            "not an ip",
            "40.1,-70.2",
            "POINT (1 2)",
            "",
            "true",
            "1e400",
            "2020-13-45",
            "-0",
            "ünïcødé",
            "drm3btev3e86",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(NAMES.to_vec()), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(NAMES.to_vec()), value()), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>()))
}

const OPTIONS: &[&str] = &[
    "index",
    "doc_values",
    "store",
    "null_value",
    "coerce",
    "ignore_malformed",
    "ignore_above",
    "format",
    "scaling_factor",
    "analyzer",
    "normalizer",
    "copy_to",
    "path",
    "fields",
    "enabled",
    "dynamic",
    "value",
];

fn mapping() -> impl Strategy<Value = Value> {
    let option_value = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        (-2i64..300).prop_map(Value::from),
        prop::sample::select(vec!["standard", "keyword", "yyyy", "tag", "title", "strict", "x", ""])
            .prop_map(Value::from),
        Just(json!({"raw": {"type": "keyword"}})),
        Just(Value::Null),
    ];
    // Every type a mapping may name, and one none knows.
    let types: Vec<&str> = tensile_engine::mapping::SUPPORTED_TYPES.iter().copied().chain(["bogus"]).collect();
    let field = (
        prop::sample::select(types),
        prop::collection::vec((prop::sample::select(OPTIONS.to_vec()), option_value), 0..3),
    )
        .prop_map(|(kind, options)| {
            let mut def: Map<String, Value> = options.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            def.insert("type".into(), Value::from(kind));
            Value::Object(def)
        });
    prop::collection::vec((prop::sample::select(NAMES.to_vec()), field), 0..6).prop_map(|fields| {
        let properties: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        json!({"properties": properties})
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn documents_are_indexed_or_refused(mapping in mapping(), docs in prop::collection::vec(document(), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        if engine.create_index("docs", &json!({"mappings": mapping})).is_err() {
            return Ok(());
        }
        let mut kept = 0u64;
        for (i, doc) in docs.iter().enumerate() {
            let written = engine.index_doc("docs", &i.to_string(), doc.to_string(), None, &Conditions::default(), false);
            kept += u64::from(written.is_ok());
            // Refused or not, the document reads back as indexed.
            let got = engine.get_doc("docs", &i.to_string(), None, true).unwrap();
            prop_assert_eq!(got.is_some(), written.is_ok());
        }
        engine.refresh(&["docs".to_owned()]).unwrap();
        let req = tensile_engine::search::SearchRequest {
            track_total_hits: tensile_engine::search::TrackTotal::All,
            ..Default::default()
        };
        prop_assert_eq!(engine.search(&["docs".to_owned()], &req).unwrap().total, kept);
    }
}
