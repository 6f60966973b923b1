//! `_bulk`: many index, create, update and delete actions in one NDJSON
//! request, each answered in order with its own result or error; one
//! failing item never stops the others. The translog of every touched
//! index is synced once, before the answer.

use crate::documents::{check_pipeline, check_require_alias, update_spec, WriteAnswer};
use crate::error::es_error;
use crate::node::Node;
use crate::update_answer::{update_answer, FetchSource};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Instant;
use tensile_engine::{Conditions, NewDoc, Updated, VersionType};
use tensile_generated::params::{self, Refresh};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Index,
    Create,
    Update,
    Delete,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Index => "index",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One action with its metadata and, but for `delete`, its source line.
#[derive(Debug)]
struct Item {
    action: Action,
    index: String,
    id: Option<String>,
    routing: Option<String>,
    cond: Conditions,
    retry_on_conflict: u32,
    pipeline: Option<String>,
    require_alias: bool,
    /// What of the updated document an update's answer carries back.
    fetch_source: Option<FetchSource>,
    /// `dynamic_templates`: field path to the dynamic template that maps it.
    templates: std::collections::HashMap<String, String>,
    /// The source line as sent (the engine parses it).
    source: Option<String>,
}

const METADATA: &[&str] = &[
    "_index",
    "_id",
    "routing",
    "if_seq_no",
    "if_primary_term",
    "version",
    "version_type",
    "require_alias",
    "pipeline",
    "retry_on_conflict",
    "_source",
    "dynamic_templates",
    "op_type",
    "require_data_stream",
    "list_executed_pipelines",
];

fn malformed(line: usize, what: String) -> EsError {
    EsError::illegal_argument(format!("Malformed action/metadata line [{line}], {what}"))
}

/// Reads the NDJSON body into items; a malformed action line fails the request.
/// What the request's parameters give every item that does not say otherwise.
#[derive(Debug, Clone, Default)]
struct Defaults<'a> {
    index: Option<&'a str>,
    routing: Option<&'a str>,
    pipeline: Option<&'a str>,
    require_alias: bool,
    /// `_source`, `_source_includes`, `_source_excludes`: what updates return.
    fetch_source: Option<FetchSource>,
}

fn parse(body: &[u8], defaults: Defaults<'_>) -> Result<Vec<Item>, EsError> {
    if !body.is_empty() && !body.ends_with(b"\n") {
        return Err(EsError::illegal_argument("The bulk request must be terminated by a newline [\\n]"));
    }
    let text = std::str::from_utf8(body).map_err(|_| EsError::parse("the bulk body is not UTF-8"))?;
    let mut lines = text.split('\n').enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l));
    let mut items = Vec::new();
    let mut missing_index = Vec::new();
    while let Some((n, line)) = lines.next() {
        tensile_rest::duplicate_keys::check(line.as_bytes()).map_err(|e| malformed(n, e.to_string()))?;
        let parsed: Value =
            serde_json::from_str(line).map_err(|e| malformed(n, format!("expected START_OBJECT but found [{e}]")))?;
        let Value::Object(map) = parsed else { return Err(malformed(n, "expected START_OBJECT".into())) };
        let Some((name, meta)) = map.iter().next() else {
            return Err(malformed(n, "expected FIELD_NAME but found [END_OBJECT]".into()));
        };
        if map.len() > 1 {
            return Err(malformed(n, "expected END_OBJECT but found [FIELD_NAME]".into()));
        }
        let action = match name.as_str() {
            "index" => Action::Index,
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            other => {
                return Err(malformed(
                    n,
                    format!("expected one of [create, delete, index, update] but found [{other}]"),
                ))
            }
        };
        let Value::Object(meta) = meta else { return Err(malformed(n, "expected START_OBJECT".into())) };
        if let Some(unknown) = meta.keys().find(|k| !METADATA.contains(&k.as_str())) {
            return Err(EsError::illegal_argument(format!(
                "Action/metadata line [{n}] contains an unknown parameter [{unknown}]"
            )));
        }
        let text = |k: &str| meta.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
        let number = |k: &str| meta.get(k).and_then(Value::as_u64);
        let index = text("_index").or_else(|| defaults.index.map(str::to_owned));
        if index.is_none() {
            missing_index.push(items.len() + 1);
        }
        let version_type = text("version_type").as_deref().and_then(VersionType::from_name).unwrap_or_default();
        let id = text("_id");
        // `index` with `op_type: create` is a create, answered as one.
        let op_create = action == Action::Index && text("op_type").as_deref() == Some("create");
        let action = if op_create { Action::Create } else { action };
        let cond = Conditions {
            create_only: action == Action::Create || op_create || (action == Action::Index && id.is_none()),
            generated_id: id.is_none() && action != Action::Update,
            if_seq_no: number("if_seq_no"),
            if_primary_term: number("if_primary_term"),
            version: number("version"),
            version_type,
        };
        let source = match action {
            Action::Delete => None,
            _ => {
                let (_, line) = lines.next().ok_or_else(|| {
                    EsError::illegal_argument(format!(
                        "the [{}] action on line [{n}] has no source line",
                        action.name()
                    ))
                })?;
                Some(line.to_owned())
            }
        };
        items.push(Item {
            action,
            index: index.unwrap_or_default(),
            id,
            routing: text("routing").or_else(|| defaults.routing.map(str::to_owned)),
            cond,
            retry_on_conflict: number("retry_on_conflict").unwrap_or(0) as u32,
            pipeline: text("pipeline").or_else(|| defaults.pipeline.map(str::to_owned)),
            require_alias: meta.get("require_alias").and_then(Value::as_bool).unwrap_or(defaults.require_alias),
            fetch_source: meta.get("_source").map_or_else(|| defaults.fetch_source.clone(), FetchSource::from_value),
            templates: meta
                .get("dynamic_templates")
                .and_then(Value::as_object)
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
                .unwrap_or_default(),
            source,
        });
    }
    if !missing_index.is_empty() {
        let reasons: String = missing_index.iter().map(|i| format!("{i}: index is missing;")).collect();
        return Err(EsError::new(400, "action_request_validation_exception", format!("Validation Failed: {reasons}")));
    }
    Ok(items)
}

/// An item's error as the bulk answer shows it: the exception, no root causes.
fn item_error(index: &str, id: Option<&str>, err: &EsError) -> Value {
    json!({ "_index": index, "_id": id, "status": err.status, "error": crate::error::exception_json(err) })
}

/// Runs one item (taking its source) and writes its answer to `out`; the
/// index and shard it wrote to.
fn run(node: &Node, item: &mut Item, out: &mut Vec<u8>) -> Result<(String, u32), EsError> {
    if item.action != Action::Delete {
        check_pipeline(item.pipeline.as_deref())?;
    }
    check_require_alias(node, &item.index, item.require_alias)?;
    let target = node.engine.write_index(&item.index).map_err(es_error)?;
    let routing = item.routing.as_deref();
    let taken = item.source.take();
    let doc = move || -> Result<String, EsError> {
        let text = taken.unwrap_or_default();
        crate::documents::check_object(&text)?;
        Ok(text)
    };
    match item.action {
        Action::Index | Action::Create => {
            let id = crate::documents::document_id(item.id.as_deref())?;
            let new = NewDoc { id: &id, source: doc()?, routing, cond: &item.cond, templates: Some(&item.templates) };
            let w = node.engine.index_new(&target, new, true).map_err(es_error)?;
            write_answer(out, item.action, &WriteAnswer::item(&id, &w));
            Ok((target, w.shard))
        }
        Action::Delete => {
            let id = item.id.clone().ok_or_else(|| EsError::illegal_argument("delete requires an _id"))?;
            let w = node.engine.delete_doc(&target, &id, routing, &item.cond, true).map_err(es_error)?;
            write_answer(out, item.action, &WriteAnswer::item(&id, &w));
            Ok((target, w.shard))
        }
        Action::Update => {
            let id = item.id.clone().ok_or_else(|| EsError::illegal_argument("update requires an _id"))?;
            let body: Value = serde_json::from_str(&doc()?).map_err(|e| crate::documents::source_error(&e))?;
            let mut spec = update_spec(&body)?;
            let fetch = FetchSource::from_body(&body, item.fetch_source.clone());
            spec.cond = Conditions {
                if_seq_no: item.cond.if_seq_no,
                if_primary_term: item.cond.if_primary_term,
                ..Conditions::default()
            };
            spec.retry_on_conflict = item.retry_on_conflict;
            let updated = node.engine.update_doc(&target, &id, routing, &spec, true).map_err(es_error)?;
            let (status, mut answer) = update_answer(&id, &updated, fetch.as_ref());
            answer["status"] = json!(status);
            write_answer(out, item.action, &answer);
            let shard = match &updated {
                Updated::Written { write, .. } => write.shard,
                Updated::Noop { shard, .. } => *shard,
            };
            Ok((target, shard))
        }
    }
}

/// One item of the answer: `{"<action>": <answer>}`.
fn write_answer(out: &mut Vec<u8>, action: Action, answer: &impl serde::Serialize) {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(action.name().as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(&mut *out, answer).expect("a JSON value serializes into memory");
    out.push(b'}');
}

pub fn bulk<'a>(node: &'a Node, req: Request<params::Bulk>) -> HandlerFuture<'a> {
    let p = &req.params;
    let started = Instant::now();
    let routing = p.routing.as_ref().map(|r| r.join(","));
    let defaults = Defaults {
        index: p.index.as_deref(),
        routing: routing.as_deref(),
        pipeline: p.pipeline.as_deref(),
        require_alias: p.require_alias.unwrap_or(false),
        fetch_source: FetchSource::from_params(&p._source, &p._source_includes, &p._source_excludes),
    };
    let items = match parse(&req.body.bytes, defaults) {
        Ok(items) => items,
        Err(e) => return ready(Err(e)),
    };
    // Each shard written to, with its part of the request for its `bulk`
    // stats: bytes and nanoseconds.
    let mut per_shard: BTreeMap<(String, u32), (u64, u64)> = BTreeMap::new();
    // The items' answers, written as they come: a large bulk is never a tree.
    let mut items_json = Vec::with_capacity(items.len() * 200);
    let mut errors = false;
    for (i, mut item) in items.into_iter().enumerate() {
        if i > 0 {
            items_json.push(b',');
        }
        let mark = items_json.len();
        let (item_started, bytes) = (Instant::now(), item.source.as_ref().map_or(0, |s| s.len() as u64));
        match run(node, &mut item, &mut items_json) {
            Ok((index, shard)) => {
                let part = per_shard.entry((index, shard)).or_default();
                part.0 += bytes;
                part.1 += item_started.elapsed().as_nanos() as u64;
            }
            Err(e) => {
                errors = true;
                items_json.truncate(mark);
                write_answer(&mut items_json, item.action, &item_error(&item.index, item.id.as_deref(), &e));
            }
        }
    }
    // The indices written to, each once (the keys are sorted by index).
    let mut touched: Vec<String> = per_shard.keys().map(|(index, _)| index.clone()).collect();
    touched.dedup();
    for ((index, shard), (bytes, nanos)) in per_shard {
        // The index was written to a moment ago; a concurrent delete leaves nothing to count.
        let _ = node.engine.record_bulk(&index, shard, bytes, nanos);
    }
    let result = node.engine.sync(&touched).map_err(es_error).and_then(|()| match p.refresh {
        Some(Refresh::True | Refresh::WaitFor) => node.engine.refresh(&touched).map(|_| ()).map_err(es_error),
        _ => Ok(()),
    });
    ready(result.map(|()| {
        let took = started.elapsed().as_millis();
        let mut body = Vec::with_capacity(items_json.len() + 48);
        body.extend_from_slice(format!("{{\"errors\":{errors},\"took\":{took},\"items\":[").as_bytes());
        body.extend_from_slice(&items_json);
        body.extend_from_slice(b"]}");
        Response::raw_json(200, body)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_rules() {
        let body =
            b"{\"index\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{\"a\":1}\n{\"delete\":{\"_index\":\"i\",\"_id\":\"2\"}}\n";
        let items = parse(body, Defaults::default()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].action, Action::Delete);
        assert!(parse(b"{\"index\":{}}\n{}", Defaults::default())
            .unwrap_err()
            .to_string()
            .contains("terminated by a newline"));
        let err = parse(b"{\"index\":{\"_index\":\"i\",\"_type\":\"_doc\"}}\n{}\n", Defaults::default()).unwrap_err();
        assert!(err.to_string().contains("unknown parameter [_type]"), "{err}");
        let err = parse(b"{\"explode\":{}}\n", Defaults { index: Some("i"), ..Defaults::default() }).unwrap_err();
        assert!(err.to_string().contains("expected one of [create, delete, index, update] but found [explode]"));
        let err = parse(b"{\"index\":{}}\n{}\n", Defaults::default()).unwrap_err();
        assert_eq!(err.kind(), Some("action_request_validation_exception"));
        // A bad source line is the item's error (when it runs), not the request's.
        let items = parse(b"{\"index\":{\"_index\":\"i\"}}\n[nope\n", Defaults::default()).unwrap();
        let err = crate::documents::check_object(items[0].source.as_ref().unwrap()).unwrap_err();
        assert_eq!(err.kind(), Some("document_parsing_exception"));
        assert!(err.to_string().contains("[1:3] failed to parse"), "{err}");
        assert!(crate::documents::check_object("[1]").unwrap_err().to_string().contains("must be a JSON object"));
        let items = parse(b"{\"index\":{\"_index\":\"i\"}}\n{ \"a\" : 1 }\n", Defaults::default()).unwrap();
        assert_eq!(items[0].source.as_deref(), Some("{ \"a\" : 1 }"), "the source is kept as sent");
        assert!(items[0].cond.generated_id);
    }
}
