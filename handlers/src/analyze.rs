//! `_analyze`: the tokens an analyzer (named, ad hoc, or a field's) makes
//! of a text, with `explain`'s step-by-step detail, bounded by
//! `index.analyze.max_token_count` and `index.analyze.max_char_count`.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tensile_analysis::{utf16_offset, Analyzer, Analyzers, Token};
use tensile_engine::mapper::{FieldKind, Mapper};
use tensile_generated::params;
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// Elasticsearch's default of `index.analyze.max_token_count`.
const MAX_TOKEN_COUNT: usize = 10_000;

/// What the request asks to analyse with.
enum Using {
    /// A whole analyzer; `custom` when it is the index's own or ad hoc.
    Analyzer { name: String, analyzer: Arc<Analyzer>, custom: bool },
    /// A normalizer: the whole text as one token.
    Normalizer(Arc<Analyzer>),
}

fn illegal(e: impl ToString) -> EsError {
    EsError::illegal_argument(e.to_string())
}

fn texts(body: &Map<String, Value>) -> Result<Vec<String>, EsError> {
    match body.get("text") {
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => {
            Ok(items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect())
        }
        _ => Err(EsError::validation("text is missing")),
    }
}

fn list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

/// The analyzer (or normalizer) the body names, looked up in the index's
/// analyzers when there is an index, else among the built-in ones.
fn using(body: &Map<String, Value>, analyzers: &Analyzers, mapper: Option<&Mapper>) -> Result<Using, EsError> {
    if let Some(name) = body.get("analyzer").and_then(Value::as_str) {
        let analyzer = analyzers.analyzer(name).map_err(|_| {
            illegal(if mapper.is_some() {
                format!("failed to find analyzer [{name}]")
            } else {
                format!("failed to find global analyzer [{name}]")
            })
        })?;
        return Ok(Using::Analyzer { name: name.to_owned(), analyzer, custom: analyzers.is_custom(name) });
    }
    if body.contains_key("tokenizer") || body.contains_key("filter") || body.contains_key("char_filter") {
        let tokenizer = analyzers.tokenizer(body.get("tokenizer").unwrap_or(&json!("keyword"))).map_err(illegal)?;
        let filters =
            list(body.get("filter")).iter().map(|f| analyzers.filter(f)).collect::<Result<_, _>>().map_err(illegal)?;
        let char_filters = list(body.get("char_filter"))
            .iter()
            .map(|f| analyzers.char_filter(f))
            .collect::<Result<_, _>>()
            .map_err(illegal)?;
        let mut analyzer = Analyzer::new(tokenizer);
        analyzer.filters = filters;
        analyzer.char_filters = char_filters;
        return Ok(Using::Analyzer { name: "__custom__".into(), analyzer: Arc::new(analyzer), custom: true });
    }
    if let Some(name) = body.get("normalizer").and_then(Value::as_str) {
        if mapper.is_none() {
            return Err(illegal("analysis based on a normalizer requires an index"));
        }
        return analyzers.normalizer(name).map(Using::Normalizer).map_err(illegal);
    }
    if let (Some(field), Some(mapper)) = (body.get("field").and_then(Value::as_str), mapper) {
        if let Some(f) = mapper.fields.get(field) {
            if let Some(analyzer) = &f.analyzer {
                return Ok(Using::Analyzer { name: field.to_owned(), analyzer: analyzer.clone(), custom: false });
            }
            if !matches!(f.kind, FieldKind::Keyword | FieldKind::Wildcard | FieldKind::ConstantKeyword) {
                return Err(illegal(format!(
                    "Can't process field [{field}], Analysis requests are only supported on tokenized fields"
                )));
            }
            if f.kind == FieldKind::Keyword {
                return Ok(match &f.normalizer {
                    Some(n) => Using::Normalizer(n.clone()),
                    None => Using::Analyzer {
                        name: "keyword".into(),
                        analyzer: analyzers.analyzer("keyword").map_err(illegal)?,
                        custom: false,
                    },
                });
            }
        }
    }
    Ok(Using::Analyzer { name: "standard".into(), analyzer: analyzers.default_analyzer(), custom: false })
}

fn token_json(text: &str, t: &Token, explain: bool) -> Value {
    let mut out = json!({
        "token": t.term,
        "start_offset": utf16_offset(text, t.start),
        "end_offset": utf16_offset(text, t.end),
        "type": t.kind,
        "position": t.position,
    });
    if explain {
        let bytes: Vec<String> = t.term.bytes().map(|b| format!("{b:02x}")).collect();
        out["bytes"] = json!(format!("[{}]", bytes.join(" ")));
        out["positionLength"] = json!(1);
        out["termFrequency"] = json!(1);
    }
    out
}

/// The limits of `index.analyze.*` on what one request may produce.
struct Limits {
    max_tokens: usize,
    max_chars: Option<usize>,
}

impl Limits {
    fn check(&self, tokens: &[Token]) -> Result<(), EsError> {
        if tokens.len() > self.max_tokens {
            return Err(EsError::new(500, "illegal_state_exception", format!(
                "The number of tokens produced by calling _analyze has exceeded the allowed maximum of [{}]. This limit can be set by changing the [index.analyze.max_token_count] index level setting.",
                self.max_tokens
            )));
        }
        let chars: usize = tokens.iter().map(|t| t.term.chars().count()).sum();
        if let Some(max) = self.max_chars.filter(|max| chars > *max) {
            return Err(illegal(format!(
                "The number of characters produced by calling _analyze has exceeded the allowed maximum of [{max}]. This limit can be set by changing the [index.analyze.max_char_count] index level setting."
            )));
        }
        Ok(())
    }
}

fn analyze(node: &Node, index: Option<&str>, body: &Value) -> Result<Value, EsError> {
    let empty = Map::new();
    let body = body.as_object().unwrap_or(&empty);
    let texts = texts(body)?;
    let explain = body.get("explain").is_some_and(|v| v == &json!(true) || v == "true");
    let (mapper, limits) = match index {
        Some(target) => {
            let names = node
                .engine
                .resolve(&[target.to_owned()], tensile_engine::IndicesOptions::STRICT_EXPAND_OPEN)
                .map_err(es_error)?;
            let [name] = names.as_slice() else {
                return Err(illegal(format!("[{target}] resolves to more than one index")));
            };
            let meta = node.engine.metadata();
            let setting =
                |k: &str| meta.indices.get(name).and_then(|m| m.setting(k)).and_then(|v| v.parse::<usize>().ok());
            let limits = Limits {
                max_tokens: setting("index.analyze.max_token_count").unwrap_or(MAX_TOKEN_COUNT),
                max_chars: setting("index.analyze.max_char_count"),
            };
            drop(meta);
            (Some(node.engine.mapper(name).map_err(es_error)?), limits)
        }
        None => (None, Limits { max_tokens: MAX_TOKEN_COUNT, max_chars: None }),
    };
    let global = Analyzers::default();
    let analyzers = mapper.as_ref().map_or(&global, |m| &m.analyzers);
    let joined = texts.join(" ");
    match using(body, analyzers, mapper.as_deref())? {
        Using::Normalizer(n) => {
            let tokens: Vec<Token> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| Token::new(n.normalize(t), 0, t.len(), i as u32, "word"))
                .collect();
            limits.check(&tokens)?;
            Ok(json!({ "tokens": tokens.iter().map(|t| token_json(&joined, t, false)).collect::<Vec<_>>() }))
        }
        Using::Analyzer { name, analyzer, custom } => {
            let tokens = analyzer.analyze_values(texts.iter().map(String::as_str));
            limits.check(&tokens)?;
            if !explain {
                return Ok(
                    json!({ "tokens": tokens.iter().map(|t| token_json(&joined, t, false)).collect::<Vec<_>>() }),
                );
            }
            Ok(json!({ "detail": explain_detail(&name, &analyzer, custom, &texts) }))
        }
    }
}

/// `explain`'s detail: the analyzer's tokens, or each step's for a custom one.
fn explain_detail(name: &str, analyzer: &Analyzer, custom: bool, texts: &[String]) -> Value {
    let joined = texts.join(" ");
    let tokens = |list: &[Token]| list.iter().map(|t| token_json(&joined, t, true)).collect::<Vec<_>>();
    if !custom {
        let all = analyzer.analyze_values(texts.iter().map(String::as_str));
        return json!({ "custom_analyzer": false, "analyzer": { "name": name, "tokens": tokens(&all) } });
    }
    let steps: Vec<_> = texts.iter().map(|t| analyzer.steps(t)).collect();
    let char_filters: Vec<Value> = analyzer
        .char_filters
        .iter()
        .enumerate()
        .map(|(i, f)| json!({ "name": f.name, "filtered_text": steps.iter().map(|s| s.char_filters[i].1.clone()).collect::<Vec<_>>() }))
        .collect();
    let tokenizer_tokens: Vec<Token> = steps.iter().flat_map(|s| s.tokenizer.1.clone()).collect();
    let filters: Vec<Value> = analyzer
        .filters
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let out: Vec<Token> = steps.iter().flat_map(|s| s.filters[i].1.clone()).collect();
            json!({ "name": f.name, "tokens": tokens(&out) })
        })
        .collect();
    json!({
        "custom_analyzer": true,
        "charfilters": char_filters,
        "tokenizer": { "name": analyzer.tokenizer.name, "tokens": tokens(&tokenizer_tokens) },
        "tokenfilters": filters,
    })
}

pub fn analyze_api<'a>(node: &'a Node, req: Request<params::IndicesAnalyze>) -> HandlerFuture<'a> {
    let result = req
        .body
        .required_json::<Value>()
        .and_then(|body| analyze(node, req.params.index.as_deref(), &body))
        .map(Response::json);
    ready(result)
}
