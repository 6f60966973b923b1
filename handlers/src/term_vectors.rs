//! `_termvectors` and `_mtermvectors`: a document's terms by field, with
//! positions, offsets and statistics, analysed from its source (a stored
//! document's, or an artificial `doc` given in the body).

use crate::documents::{concrete, joined, names_of, text};
use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use std::time::Instant;
use tensile_engine::search::terms::TermVectorsRequest;
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// The options shared by both APIs: URL parameters, then a body's or a document entry's.
fn options(
    fields: &Option<Vec<String>>,
    flags: [Option<bool>; 4],
    over: Option<&Map<String, Value>>,
) -> TermVectorsRequest {
    let [positions, offsets, term_statistics, field_statistics] = flags;
    let flag = |key: &str, param: Option<bool>, default: bool| {
        over.and_then(|o| o.get(key)).and_then(Value::as_bool).or(param).unwrap_or(default)
    };
    let fields = over.and_then(|o| o.get("fields")).map(names_of).or_else(|| fields.clone()).unwrap_or_default();
    TermVectorsRequest {
        fields,
        positions: flag("positions", positions, true),
        offsets: flag("offsets", offsets, true),
        term_statistics: flag("term_statistics", term_statistics, false),
        field_statistics: flag("field_statistics", field_statistics, true),
    }
}

/// Refuses the options Tensile does not act on yet, by name.
fn refuse_unbuilt(over: Option<&Map<String, Value>>, version: Option<i64>) -> Result<(), EsError> {
    let unbuilt = ["per_field_analyzer", "filter", "version", "version_type"];
    if let Some(k) = over.and_then(|o| o.keys().find(|k| unbuilt.contains(&k.as_str()))) {
        return Err(crate::search::unsupported(format!("the [{k}] option of [termvectors]")));
    }
    if version.is_some() {
        return Err(crate::search::unsupported("the [version] parameter of [termvectors]".into()));
    }
    Ok(())
}

/// One document's term vectors: `{_index, _id, _version, found, took,
/// term_vectors}`.
fn one(
    node: &Node,
    index: &str,
    id: Option<&str>,
    routing: Option<&str>,
    realtime: bool,
    artificial: Option<&Value>,
    req: &TermVectorsRequest,
) -> Result<Value, EsError> {
    let started = Instant::now();
    let index = concrete(node, index)?;
    let mapper = node.engine.mapper(&index).map_err(es_error)?;
    let (source, mut answer) = match (artificial, id) {
        (Some(doc), _) => (doc.clone(), json!({"_index": index, "_version": 0, "found": true})),
        (None, Some(id)) => {
            let Some(doc) = node.engine.get_doc(&index, id, routing, realtime).map_err(es_error)? else {
                let took = started.elapsed().as_millis() as u64;
                return Ok(json!({"_index": index, "_id": id, "found": false, "took": took}));
            };
            let source = doc.source.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
            (source, json!({"_index": index, "_id": id, "_version": doc.version, "found": true}))
        }
        (None, None) => return Err(EsError::validation("id or doc is missing")),
    };
    let vectors = node.engine.term_vectors(&index, &mapper, &source, req).map_err(es_error)?;
    // A stored document's fields that keep term vectors had them read
    // (an artificial document's are analysed, in Elasticsearch too).
    if let (None, Some(id)) = (artificial, id) {
        let kept = vectors.keys().filter(|path| mapper.fields.get(path.as_str()).is_some_and(|f| f.term_vectors));
        let uses = kept.map(|path| (path.clone(), tensile_engine::field_usage::Use::TermVectors)).collect();
        node.engine.record_field_usage(&index, id, routing, uses).map_err(es_error)?;
    }
    answer["took"] = json!(started.elapsed().as_millis() as u64);
    answer["term_vectors"] = Value::Object(vectors);
    Ok(answer)
}

pub fn termvectors<'a>(node: &'a Node, req: Request<params::Termvectors>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let body = body.as_object();
        refuse_unbuilt(body, p.version)?;
        let flags = [p.positions, p.offsets, p.term_statistics, p.field_statistics];
        let options = options(&p.fields, flags, body);
        let routing = joined(&p.routing);
        let artificial = body.and_then(|b| b.get("doc"));
        let answer =
            one(node, &p.index, p.id.as_deref(), routing.as_deref(), p.realtime.unwrap_or(true), artificial, &options)?;
        Ok(Response::json(answer))
    })();
    ready(result)
}

pub fn mtermvectors<'a>(node: &'a Node, req: Request<params::Mtermvectors>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body = req.body.json_or_empty()?;
        let flags = [p.positions, p.offsets, p.term_statistics, p.field_statistics];
        let mut entries: Vec<Map<String, Value>> = match body.get("docs") {
            Some(Value::Array(docs)) => docs.iter().filter_map(|d| d.as_object().cloned()).collect(),
            _ => Vec::new(),
        };
        let ids =
            body.get("ids").and_then(Value::as_array).map(|a| a.iter().map(text).collect()).or_else(|| p.ids.clone());
        for id in ids.unwrap_or_default() {
            entries.push(Map::from_iter([("_id".to_owned(), json!(id))]));
        }
        refuse_unbuilt(None, p.version)?;
        let mut docs = Vec::new();
        for entry in &entries {
            refuse_unbuilt(Some(entry), None)?;
            let index = entry.get("_index").map(text).or_else(|| p.index.clone());
            let Some(index) = index else {
                docs.push(json!({"error": {"type": "illegal_argument_exception", "reason": "index is missing"}}));
                continue;
            };
            let id = entry.get("_id").map(text);
            let routing = entry.get("routing").map(text).or_else(|| joined(&p.routing));
            let realtime = entry.get("realtime").and_then(Value::as_bool).or(p.realtime).unwrap_or(true);
            let options = options(&p.fields, flags, Some(entry));
            let answer = one(node, &index, id.as_deref(), routing.as_deref(), realtime, entry.get("doc"), &options);
            docs.push(match answer {
                Ok(doc) => doc,
                Err(e) => json!({"_index": index, "_id": id, "error": e.to_json(false)["error"]}),
            });
        }
        Ok(Response::json(json!({ "docs": docs })))
    })();
    ready(result)
}
