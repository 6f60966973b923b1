//! The single-document APIs: index (with and without an id), create, get,
//! exists, get source, exists source, delete, update (partial document,
//! upsert), `_mget`, and `_refresh`.

use crate::error::es_error;
use crate::node::Node;
use crate::update_answer::{update_answer, FetchSource};
use serde_json::{json, Map, Value};
use tensile_engine::source_mode::SourceMode;
use tensile_engine::{
    source_filter, Conditions, DocWrite, IndicesOptions, StoredDoc, UpdateSpec, Updated, VersionType, WriteResult,
};
use tensile_generated::params::{self, OpType, Refresh};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// A list parameter (`routing`) as one value.
pub(crate) fn joined(list: &Option<Vec<String>>) -> Option<String> {
    list.as_ref().map(|l| l.join(","))
}

fn version_type(v: Option<params::VersionType>) -> VersionType {
    match v {
        Some(params::VersionType::External) => VersionType::External,
        Some(params::VersionType::ExternalGte) => VersionType::ExternalGte,
        _ => VersionType::Internal,
    }
}

fn seq_no(name: &str, v: Option<i64>) -> Result<Option<u64>, EsError> {
    v.map(|n| {
        u64::try_from(n).map_err(|_| EsError::illegal_argument(format!("{name} must be non-negative, got [{n}]")))
    })
    .transpose()
}

/// The request body as a document source: a JSON object, kept as sent.
fn source<P>(req: &Request<P>) -> Result<String, EsError> {
    if req.body.is_empty() {
        return Err(EsError::validation("source is missing"));
    }
    if req.body.content_type.as_deref().is_some_and(|ct| ct.contains("yaml")) {
        let value: Value = req.body.json()?;
        let text = value.to_string();
        return check_object(&text).map(|()| text);
    }
    // JSON is the engine's to parse: its errors are the document's.
    let text = String::from_utf8(req.body.bytes.to_vec()).map_err(|_| EsError::parse("the document is not UTF-8"))?;
    check_object(&text).map(|()| text)
}

/// A document's JSON error, as Elasticsearch words it.
pub(crate) fn source_error(e: &serde_json::Error) -> EsError {
    EsError::new(400, "document_parsing_exception", format!("[{}:{}] failed to parse: {e}", e.line(), e.column()))
}

/// A document must be a JSON object; what does not open one is refused
/// here, with the parser's error when it is not JSON at all (the engine
/// reads the objects, and refuses the malformed ones).
pub(crate) fn check_object(text: &str) -> Result<(), EsError> {
    if text.trim_start().starts_with('{') {
        return Ok(());
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(e) => Err(source_error(&e)),
        Ok(_) => {
            Err(EsError::new(400, "document_parsing_exception", "failed to parse: the document must be a JSON object"))
        }
    }
}

/// Refreshes the shard a write went to (by its routing, else its id) as
/// `?refresh` asks; `true` when it was forced.
fn refresh_after(node: &Node, index: &str, routing: &str, refresh: Option<Refresh>) -> Result<bool, EsError> {
    match refresh {
        Some(Refresh::True | Refresh::WaitFor) => {
            node.engine.refresh_shard_of(index, routing).map_err(es_error)?;
            Ok(refresh == Some(Refresh::True))
        }
        _ => Ok(false),
    }
}

/// The answer of one write, as the document APIs and `_bulk` items give
/// it (Elasticsearch's `DocWriteResponse`), serialized without building a
/// JSON tree first.
#[derive(serde::Serialize)]
pub(crate) struct WriteAnswer<'a> {
    _index: &'a str,
    _id: &'a str,
    _version: u64,
    result: &'static str,
    _shards: ShardsAnswer,
    _seq_no: u64,
    _primary_term: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    forced_refresh: Option<bool>,
    /// In a `_bulk` item.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
}

#[derive(serde::Serialize)]
struct ShardsAnswer {
    total: u32,
    successful: u32,
    failed: u32,
}

impl<'a> WriteAnswer<'a> {
    pub(crate) fn new(id: &'a str, w: &'a DocWrite) -> WriteAnswer<'a> {
        WriteAnswer {
            _index: &w.index,
            _id: id,
            _version: w.outcome.version,
            result: w.outcome.result.as_str(),
            _shards: ShardsAnswer { total: w.shards_total, successful: w.shards_successful, failed: 0 },
            _seq_no: w.outcome.seq_no,
            _primary_term: tensile_engine::shard::PRIMARY_TERM,
            forced_refresh: None,
            status: None,
        }
    }

    /// As a `_bulk` item answers: with its status.
    pub(crate) fn item(id: &'a str, w: &'a DocWrite) -> WriteAnswer<'a> {
        WriteAnswer { status: Some(write_status(w)), ..WriteAnswer::new(id, w) }
    }
}

pub(crate) fn write_status(w: &DocWrite) -> u16 {
    match w.outcome.result {
        WriteResult::Created => 201,
        WriteResult::NotFound => 404,
        WriteResult::Updated | WriteResult::Deleted => 200,
    }
}

pub(crate) fn write_body(id: &str, w: &DocWrite) -> Value {
    serde_json::to_value(WriteAnswer::new(id, w)).unwrap_or_default()
}

fn write_response(id: &str, w: &DocWrite, forced_refresh: bool) -> Response {
    let answer = WriteAnswer { forced_refresh: forced_refresh.then_some(true), ..WriteAnswer::new(id, w) };
    Response::json_with_status(write_status(w), answer)
}

/// The fields an update body may have.
const UPDATE_FIELDS: &[&str] =
    &["doc", "upsert", "doc_as_upsert", "script", "scripted_upsert", "detect_noop", "_source"];

/// Reads an update body (`doc`, `upsert`, `doc_as_upsert`, `detect_noop`).
pub fn update_spec(body: &Value) -> Result<UpdateSpec, EsError> {
    let Value::Object(map) = body else {
        return Err(EsError::new(
            400,
            "x_content_parse_exception",
            "[UpdateRequest] the update body must be an object",
        ));
    };
    for key in map.keys() {
        if !UPDATE_FIELDS.contains(&key.as_str()) {
            let hint = tensile_rest::did_you_mean::suggestion(key, UPDATE_FIELDS)
                .map_or_else(String::new, |h| format!(" {h}"));
            return Err(EsError::new(
                400,
                "x_content_parse_exception",
                format!("[UpdateRequest] unknown field [{key}]{hint}"),
            ));
        }
    }
    if map.contains_key("script") || map.get("scripted_upsert").and_then(Value::as_bool) == Some(true) {
        return Err(EsError::new(
            400,
            "illegal_argument_exception",
            "scripted updates are not supported by Tensile yet: scripting comes with its own issue",
        ));
    }
    let object = |k: &str| -> Result<Option<Value>, EsError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
            Some(other) => Err(EsError::new(
                400,
                "x_content_parse_exception",
                format!("[UpdateRequest] [{k}] must be an object, got [{other}]"),
            )),
        }
    };
    let doc = object("doc")?;
    let upsert = object("upsert")?;
    if doc.is_none() && upsert.is_none() {
        return Err(EsError::validation("script or doc is missing"));
    }
    Ok(UpdateSpec {
        doc,
        upsert,
        doc_as_upsert: map.get("doc_as_upsert").and_then(Value::as_bool).unwrap_or(false),
        detect_noop: map.get("detect_noop").and_then(Value::as_bool).unwrap_or(true),
        retry_on_conflict: 0,
        cond: Conditions::default(),
    })
}

pub fn update<'a>(node: &'a Node, req: Request<params::Update>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body: Value = req.body.required_json()?;
        let mut spec = update_spec(&body)?;
        spec.retry_on_conflict = p.retry_on_conflict.unwrap_or(0).max(0) as u32;
        spec.cond = Conditions {
            if_seq_no: seq_no("if_seq_no", p.if_seq_no)?,
            if_primary_term: seq_no("if_primary_term", p.if_primary_term)?,
            ..Conditions::default()
        };
        check_require_alias(node, &p.index, p.require_alias.unwrap_or(false))?;
        let fetch = FetchSource::from_params(&p._source, &p._source_includes, &p._source_excludes);
        let fetch = FetchSource::from_body(&body, fetch);
        let index = node.engine.write_index(&p.index).map_err(es_error)?;
        let routing = joined(&p.routing);
        let updated = node.engine.update_doc(&index, &p.id, routing.as_deref(), &spec, false).map_err(es_error)?;
        let (status, mut answer) = update_answer(&p.id, &updated, fetch.as_ref());
        let routed = routing.as_deref().unwrap_or(&p.id);
        if matches!(updated, Updated::Written { .. }) && refresh_after(node, &index, routed, p.refresh)? {
            answer["forced_refresh"] = Value::Bool(true);
        }
        Ok(Response::json_with_status(status, answer))
    })();
    ready(result)
}

struct IndexRequest<'a> {
    target: &'a str,
    id: Option<&'a str>,
    routing: Option<String>,
    refresh: Option<Refresh>,
    cond: Conditions,
    pipeline: Option<&'a str>,
    require_alias: bool,
}

/// Tensile has no ingest pipelines yet, so a named one does not exist:
/// the error Elasticsearch gives for a missing pipeline (`_none` means none).
pub fn check_pipeline(pipeline: Option<&str>) -> Result<(), EsError> {
    match pipeline {
        None | Some("_none") => Ok(()),
        Some(name) => Err(EsError::illegal_argument(format!("pipeline with id [{name}] does not exist"))),
    }
}

/// `require_alias=true`: the target must be an alias.
pub fn check_require_alias(node: &Node, target: &str, require_alias: bool) -> Result<(), EsError> {
    if require_alias && !node.engine.metadata().is_alias(target) {
        return Err(EsError::new(
            404,
            "index_not_found_exception",
            format!(
                "no such index [{target}] and [require_alias] request flag is [true] and [{target}] is not an alias"
            ),
        )
        .with_metadata("index_uuid", "_na_")
        .with_metadata("index", target.to_owned()));
    }
    Ok(())
}

/// The `_id` of a new document: the given one, checked as Elasticsearch
/// checks it, or a fresh one.
pub(crate) fn document_id(id: Option<&str>) -> Result<String, EsError> {
    match id {
        Some("") => Err(EsError::illegal_argument("if _id is specified it must not be empty")),
        Some(id) if id.len() > 512 => Err(EsError::validation(format!(
            "id [{id}] is too long, must be no longer than 512 bytes but was: {}",
            id.len()
        ))),
        Some(id) => Ok(id.to_owned()),
        None => Ok(tensile_engine::auto_id::next_id()),
    }
}

fn index_one<P>(node: &Node, req: &Request<P>, r: IndexRequest<'_>) -> Result<Response, EsError> {
    let source = source(req)?;
    check_pipeline(r.pipeline)?;
    check_require_alias(node, r.target, r.require_alias)?;
    let index = node.engine.write_index(r.target).map_err(es_error)?;
    let id = document_id(r.id)?;
    let written = node.engine.index_doc(&index, &id, source, r.routing.as_deref(), &r.cond, false).map_err(es_error)?;
    let forced = refresh_after(node, &index, r.routing.as_deref().unwrap_or(&id), r.refresh)?;
    Ok(write_response(&id, &written, forced))
}

pub fn index<'a>(node: &'a Node, req: Request<params::Index>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let cond = Conditions {
            create_only: p.op_type == Some(OpType::Create) || (p.id.is_none() && p.op_type.is_none()),
            if_seq_no: seq_no("if_seq_no", p.if_seq_no)?,
            if_primary_term: seq_no("if_primary_term", p.if_primary_term)?,
            version: seq_no("version", p.version)?,
            version_type: version_type(p.version_type),
            generated_id: p.id.is_none(),
        };
        let r = IndexRequest {
            target: &p.index,
            id: p.id.as_deref(),
            routing: joined(&p.routing),
            refresh: p.refresh,
            cond,
            pipeline: p.pipeline.as_deref(),
            require_alias: p.require_alias.unwrap_or(false),
        };
        index_one(node, &req, r)
    })();
    ready(result)
}

pub fn create<'a>(node: &'a Node, req: Request<params::Create>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        if p.version_type.is_some_and(|v| v != params::VersionType::Internal) {
            return Err(EsError::validation("create operations only support internal versioning. use index instead"));
        }
        let cond = Conditions {
            create_only: true,
            version: seq_no("version", p.version)?,
            version_type: version_type(p.version_type),
            ..Conditions::default()
        };
        let r = IndexRequest {
            target: &p.index,
            id: Some(&p.id),
            routing: joined(&p.routing),
            refresh: p.refresh,
            cond,
            pipeline: p.pipeline.as_deref(),
            require_alias: p.require_alias.unwrap_or(false),
        };
        index_one(node, &req, r)
    })();
    ready(result)
}

pub fn delete<'a>(node: &'a Node, req: Request<params::Delete>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let index = concrete(node, &p.index)?;
        let cond = Conditions {
            if_seq_no: seq_no("if_seq_no", p.if_seq_no)?,
            if_primary_term: seq_no("if_primary_term", p.if_primary_term)?,
            version: seq_no("version", p.version)?,
            version_type: version_type(p.version_type),
            ..Conditions::default()
        };
        let routing = joined(&p.routing);
        let written = node.engine.delete_doc(&index, &p.id, routing.as_deref(), &cond, false).map_err(es_error)?;
        let forced = refresh_after(node, &index, routing.as_deref().unwrap_or(&p.id), p.refresh)?;
        Ok(write_response(&p.id, &written, forced))
    })();
    ready(result)
}

/// The one index a single-document read or delete names (an alias with one index too).
pub(crate) fn concrete(node: &Node, target: &str) -> Result<String, EsError> {
    let names = node.engine.resolve(&[target.to_owned()], IndicesOptions::STRICT_EXPAND_OPEN).map_err(es_error)?;
    match names.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(EsError::illegal_argument(format!(
            "alias [{target}] has more than one index associated with it [{}], can't execute a single index op",
            names.join(", ")
        ))),
    }
}

/// A stored document's source, filtered as `_source`, `_source_includes`
/// and `_source_excludes` ask; `None` for `_source=false`.
pub(crate) fn filtered_source(
    doc: &StoredDoc,
    spec: &Option<Vec<String>>,
    includes: &Option<Vec<String>>,
    excludes: &Option<Vec<String>>,
) -> Result<Option<Value>, EsError> {
    let Some(stored) = &doc.source else {
        return Ok(None);
    };
    let source: Value =
        serde_json::from_str(stored).map_err(|e| EsError::new(500, "corrupt_state_exception", e.to_string()))?;
    Ok(filter_source(source, spec, includes, excludes))
}

/// A source as `_source` filtering leaves it; `None` for `_source: false`.
pub(crate) fn filter_source(
    source: Value,
    spec: &Option<Vec<String>>,
    includes: &Option<Vec<String>>,
    excludes: &Option<Vec<String>>,
) -> Option<Value> {
    let mut inc = includes.clone().unwrap_or_default();
    match spec.as_deref() {
        Some([flag]) if flag == "false" => return None,
        Some([flag]) if flag == "true" => {}
        Some(fields) => inc.extend(fields.iter().cloned()),
        None => {}
    }
    let exc = excludes.clone().unwrap_or_default();
    Some(if inc.is_empty() && exc.is_empty() { source } else { source_filter::filter(&source, &inc, &exc) })
}

/// How a read finds its document.
struct Read<'a> {
    index: &'a str,
    id: &'a str,
    routing: &'a Option<Vec<String>>,
    realtime: Option<bool>,
    /// Refresh the index before reading.
    refresh: Option<bool>,
    version: Option<i64>,
    /// `force_synthetic_source`: show the synthetic source whatever the
    /// index keeps.
    force_synthetic: bool,
}

/// The document a read names; with `version`, a conflict unless the
/// document has that version (any version for `external_gte` at or below).
fn lookup(node: &Node, r: Read<'_>) -> Result<(String, Option<StoredDoc>), EsError> {
    let index = concrete(node, r.index)?;
    if r.refresh == Some(true) {
        node.engine.refresh(std::slice::from_ref(&index)).map_err(es_error)?;
    }
    let mut doc = node
        .engine
        .get_doc(&index, r.id, joined(r.routing).as_deref(), r.realtime.unwrap_or(true))
        .map_err(es_error)?;
    if r.force_synthetic {
        let mapper = node.engine.mapper(&index).map_err(es_error)?;
        tensile_engine::synthetic::check_forced(&mapper).map_err(es_error)?;
        if let Some(doc) = doc.as_mut().filter(|_| mapper.source.mode != SourceMode::Synthetic) {
            doc.source = doc.source.take().map(|s| mapper.read_source(s, true));
        }
    }
    // A read with a version wants exactly that version, whatever the version type.
    if let (Some(doc), Some(wanted)) = (&doc, r.version) {
        if doc.version as i64 != wanted {
            return Err(EsError::new(
                409,
                "version_conflict_engine_exception",
                format!(
                    "[{}]: version conflict, current version [{}] is different than the one provided [{wanted}]",
                    r.id, doc.version
                ),
            )
            .with_metadata("index", index));
        }
    }
    Ok((index, doc))
}

/// What of `_source` a read returns: `_source` (`false`, `true` or
/// fields), `_source_includes`, `_source_excludes`.
#[derive(Debug, Clone, Default)]
struct SourceParams {
    spec: Option<Vec<String>>,
    includes: Option<Vec<String>>,
    excludes: Option<Vec<String>>,
    /// `stored_fields`: the stored fields to return; `_source` is then
    /// left out unless asked for (here or as `_source` among them).
    stored_fields: Option<Vec<String>>,
}

/// The values of the stored (`store: true`) fields among `names` (wildcards
/// allowed), as a get's `fields`.
fn stored_values(node: &Node, index: &str, doc: &StoredDoc, names: &[String]) -> Result<Map<String, Value>, EsError> {
    let mapper = node.engine.mapper(index).map_err(es_error)?;
    // The source with the stored fields it leaves out laid over it.
    let Some(view) = doc.stored_view() else { return Ok(Map::new()) };
    Ok(tensile_engine::search::fields::stored(&mapper, &view, names))
}

/// The answer of a get: the document with its metadata, or `found: false`.
fn get_body(
    node: &Node,
    index: &str,
    id: &str,
    doc: Option<StoredDoc>,
    source: &SourceParams,
) -> Result<Value, EsError> {
    let Some(doc) = doc else {
        return Ok(json!({ "_index": index, "_id": id, "found": false }));
    };
    let mut body = Map::new();
    body.insert("_index".into(), json!(index));
    body.insert("_id".into(), json!(doc.id));
    body.insert("_version".into(), json!(doc.version));
    body.insert("_seq_no".into(), json!(doc.seq_no));
    body.insert("_primary_term".into(), json!(tensile_engine::shard::PRIMARY_TERM));
    if let Some(r) = &doc.routing {
        body.insert("_routing".into(), json!(r));
    }
    body.insert("found".into(), json!(true));
    let source_asked = source.spec.is_some() || source.includes.is_some() || source.excludes.is_some();
    let source_stored = source.stored_fields.as_ref().is_none_or(|names| names.iter().any(|n| n == "_source"));
    if source_stored || source_asked {
        if let Some(filtered) = filtered_source(&doc, &source.spec, &source.includes, &source.excludes)? {
            body.insert("_source".into(), filtered);
        }
    }
    if let Some(names) = &source.stored_fields {
        let fields = stored_values(node, index, &doc, names)?;
        if !fields.is_empty() {
            body.insert("fields".into(), Value::Object(fields));
        }
    }
    Ok(Value::Object(body))
}

pub fn get<'a>(node: &'a Node, req: Request<params::Get>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let read = Read {
            index: &p.index,
            id: &p.id,
            routing: &p.routing,
            realtime: p.realtime,
            refresh: p.refresh,
            version: p.version,
            force_synthetic: p.force_synthetic_source.unwrap_or(false),
        };
        let (index, doc) = lookup(node, read)?;
        let status = if doc.is_some() { 200 } else { 404 };
        let source = SourceParams {
            spec: p._source.clone(),
            includes: p._source_includes.clone(),
            excludes: p._source_excludes.clone(),
            stored_fields: p.stored_fields.clone(),
        };
        Ok(Response::json_with_status(status, get_body(node, &index, &p.id, doc, &source)?))
    })();
    ready(result)
}

/// A per-document `_source` of `_mget`: a flag, a field list, or
/// `{includes, excludes}`, over the request's defaults.
fn doc_source(v: Option<&Value>, defaults: &SourceParams) -> SourceParams {
    match v {
        None => defaults.clone(),
        Some(Value::Bool(b)) => SourceParams {
            spec: Some(vec![b.to_string()]),
            stored_fields: defaults.stored_fields.clone(),
            ..Default::default()
        },
        Some(Value::Object(o)) => SourceParams {
            spec: None,
            includes: o.get("includes").or_else(|| o.get("include")).map(string_list),
            excludes: o.get("excludes").or_else(|| o.get("exclude")).map(string_list),
            stored_fields: defaults.stored_fields.clone(),
        },
        Some(other) => SourceParams {
            spec: Some(string_list(other)),
            stored_fields: defaults.stored_fields.clone(),
            ..Default::default()
        },
    }
}

pub fn mget<'a>(node: &'a Node, req: Request<params::Mget>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let body: Value = req.body.required_json()?;
        let defaults = SourceParams {
            spec: p._source.clone(),
            includes: p._source_includes.clone(),
            excludes: p._source_excludes.clone(),
            stored_fields: p.stored_fields.clone(),
        };
        let items = crate::mget_request::parse(&body, p.index.as_deref())?;
        let docs: Vec<Value> = items
            .iter()
            .map(|item| {
                let index = item.index.as_deref().unwrap_or_default();
                let id = item.id.as_deref().unwrap_or_default();
                let routing = item.routing.clone().map(|r| vec![r]).or_else(|| p.routing.clone());
                let read = Read {
                    index,
                    id,
                    routing: &routing,
                    realtime: p.realtime,
                    refresh: p.refresh,
                    version: item.version,
                    force_synthetic: p.force_synthetic_source.unwrap_or(false),
                };
                let answer = lookup(node, read).and_then(|(index, doc)| {
                    let mut wanted = doc_source(item.source.as_ref(), &defaults);
                    if item.stored_fields.is_some() {
                        wanted.stored_fields = item.stored_fields.clone();
                    }
                    get_body(node, &index, id, doc, &wanted)
                });
                answer.unwrap_or_else(
                    |e| json!({ "_index": index, "_id": id, "error": crate::error::exception_json(&e) }),
                )
            })
            .collect();
        Ok(Response::json(json!({ "docs": docs })))
    })();
    ready(result)
}

/// A JSON value as text: strings bare, others as JSON.
pub(crate) fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// A name or a list of names in a body: an array, or one comma-separated
/// value; anything but a string read as its JSON text.
pub(crate) fn names_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(text).collect(),
        other => text(other).split(',').map(str::to_owned).collect(),
    }
}

/// The strings of a body's list: an array's strings, or one
/// comma-separated string; nothing from other values.
pub(crate) fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        Value::String(s) => s.split(',').map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// 200 when the document exists (and, with `need_source`, has a stored `_source`), else 404.
fn exists_answer<'a>(node: &'a Node, read: Read<'_>, need_source: bool) -> HandlerFuture<'a> {
    let found = lookup(node, read).is_ok_and(|(_, doc)| doc.is_some_and(|d| !need_source || d.source.is_some()));
    ready(Ok(Response::empty(if found { 200 } else { 404 })))
}

pub fn exists<'a>(node: &'a Node, req: Request<params::Exists>) -> HandlerFuture<'a> {
    let p = &req.params;
    exists_answer(
        node,
        Read {
            index: &p.index,
            id: &p.id,
            routing: &p.routing,
            realtime: p.realtime,
            refresh: p.refresh,
            version: p.version,
            force_synthetic: false,
        },
        false,
    )
}

pub fn get_source<'a>(node: &'a Node, req: Request<params::GetSource>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let read = Read {
            index: &p.index,
            id: &p.id,
            routing: &p.routing,
            realtime: p.realtime,
            refresh: p.refresh,
            version: p.version,
            force_synthetic: false,
        };
        let (index, doc) = lookup(node, read)?;
        let not_found =
            || EsError::new(404, "resource_not_found_exception", format!("Document not found [{index}]/[{}]", p.id));
        let doc = doc.ok_or_else(not_found)?;
        let no_source =
            || EsError::new(404, "resource_not_found_exception", format!("Source not found [{index}]/[{}]", p.id));
        let source =
            filtered_source(&doc, &p._source, &p._source_includes, &p._source_excludes)?.ok_or_else(no_source)?;
        Ok(Response::json(source))
    })();
    ready(result)
}

pub fn exists_source<'a>(node: &'a Node, req: Request<params::ExistsSource>) -> HandlerFuture<'a> {
    let p = &req.params;
    exists_answer(
        node,
        Read {
            index: &p.index,
            id: &p.id,
            routing: &p.routing,
            realtime: p.realtime,
            refresh: p.refresh,
            version: p.version,
            force_synthetic: false,
        },
        true,
    )
}
