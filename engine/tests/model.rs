//! The engine against a simple in-memory model: random sequences of index,
//! update, delete, refresh, flush and restart must leave every document
//! (source and version) as the model says, whatever the interleaving.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use tensile_engine::{Conditions, Engine, UpdateSpec, Updated};

#[derive(Debug, Clone)]
enum Op {
    Index { id: u8, n: i64 },
    Update { id: u8, n: i64 },
    Delete { id: u8 },
    Refresh,
    Flush,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..6u8, any::<i64>()).prop_map(|(id, n)| Op::Index { id, n }),
        2 => (0..6u8, any::<i64>()).prop_map(|(id, n)| Op::Update { id, n }),
        2 => (0..6u8).prop_map(|id| Op::Delete { id }),
        1 => Just(Op::Refresh),
        1 => Just(Op::Flush),
        1 => Just(Op::Restart),
    ]
}

/// What the model holds for a document: its source and version, or the
/// version of its deletion.
#[derive(Debug, Clone, Default)]
struct Doc {
    source: Option<Value>,
    version: u64,
    /// A deletion a flush has made durable: the translog no longer has it.
    flushed: bool,
}

const INDEX: &str = "model";

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = Engine::open(dir.path()).unwrap();
        engine.create_index(INDEX, &json!({"settings": {"number_of_shards": 2}})).unwrap();
        let mut model: HashMap<String, Doc> = HashMap::new();
        for op in ops {
            match op {
                Op::Index { id, n } => {
                    let id = id.to_string();
                    let source = json!({"n": n, "text": format!("doc {n}")});
                    let w = engine.index_doc(INDEX, &id, source.to_string(), None, &Conditions::default(), false).unwrap();
                    let doc = model.entry(id).or_default();
                    doc.version += 1;
                    doc.source = Some(source);
                    prop_assert_eq!(w.outcome.version, doc.version);
                }
                Op::Update { id, n } => {
                    let id = id.to_string();
                    let spec = UpdateSpec { doc: Some(json!({"m": n})), detect_noop: true, ..UpdateSpec::default() };
                    let result = engine.update_doc(INDEX, &id, None, &spec, false);
                    let doc = model.entry(id).or_default();
                    match (&mut doc.source, result) {
                        (None, Err(_)) => {}
                        (Some(source), Ok(Updated::Noop { .. })) => prop_assert_eq!(&source["m"], &json!(n)),
                        (Some(source), Ok(Updated::Written { write, .. })) => {
                            source["m"] = json!(n);
                            doc.version += 1;
                            prop_assert_eq!(write.outcome.version, doc.version);
                        }
                        (model_source, result) => prop_assert!(false, "model {model_source:?}, engine {result:?}"),
                    }
                }
                Op::Delete { id } => {
                    let id = id.to_string();
                    engine.delete_doc(INDEX, &id, None, &Conditions::default(), false).unwrap();
                    let doc = model.entry(id).or_default();
                    doc.version += 1;
                    doc.source = None;
                    doc.flushed = false;
                }
                Op::Refresh => {
                    engine.refresh(&[INDEX.to_owned()]).unwrap();
                }
                Op::Flush => {
                    engine.flush(&[INDEX.to_owned()]).unwrap();
                    model.values_mut().for_each(|d| d.flushed = true);
                }
                Op::Restart => {
                    drop(engine);
                    engine = Engine::open(dir.path()).unwrap();
                    // A deletion is remembered across a restart while the
                    // translog replays it; once flushed, the next write of the
                    // document starts over at version 1.
                    model.retain(|_, d| d.source.is_some() || !d.flushed);
                }
            }
            for (id, doc) in &model {
                let got = engine.get_doc(INDEX, id, None, true).unwrap();
                match (&doc.source, got) {
                    (None, None) => {}
                    (Some(source), Some(stored)) => {
                        let stored_source: Value = serde_json::from_str(stored.source.as_deref().unwrap()).unwrap();
                        prop_assert_eq!(&stored_source, source);
                        prop_assert_eq!(stored.version, doc.version);
                    }
                    (want, got) => prop_assert!(false, "document {id}: model {want:?}, engine {got:?}"),
                }
            }
        }
    }
}
