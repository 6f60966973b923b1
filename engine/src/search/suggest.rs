//! Suggesters: `term` (corrections of each analysed term of a text, from a
//! field's term dictionary within an edit distance), `completion` (inputs
//! of a `completion` field that start with a prefix, best weight first)
//! and `phrase` (`phrase_suggest.rs`).

use super::spelling::{usize_of, Spelling, SPELLING_OPTIONS};
use crate::error::EngineError;
use crate::mapper::{FieldKind, Mapper};
use crate::Engine;
use serde_json::{json, Map, Value};

/// One named suggestion of a request.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub name: String,
    pub text: String,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Term(TermOptions),
    Completion(CompletionOptions),
    Phrase(super::phrase_suggest::PhraseOptions),
}

impl Kind {
    /// The suggester's name, as `typed_keys` prefixes it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Term(_) => "term",
            Kind::Completion(_) => "completion",
            Kind::Phrase(_) => "phrase",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TermOptions {
    pub field: String,
    pub analyzer: Option<String>,
    /// `lowercase_terms`: the text's words are lowercased after analysis.
    pub lowercase: bool,
    pub spelling: Spelling,
}

#[derive(Debug, Clone)]
pub struct CompletionOptions {
    pub field: String,
    pub size: usize,
    pub skip_duplicates: bool,
    /// `contexts`: by context name, the values suggestions must carry.
    pub contexts: Option<Map<String, Value>>,
    /// `fuzzy`: inputs may differ from the text by a few edits.
    pub fuzzy: Option<super::fuzzy_prefix::FuzzyPrefix>,
    /// The suggestion's `regex` instead of a prefix: inputs with a prefix
    /// the pattern matches whole (the `regexp` query's syntax).
    pub regex: Option<Box<tensile_regexp::Dfa>>,
    /// `analyzer`: what the text is analysed with instead of the field's
    /// search analyzer.
    pub analyzer: Option<String>,
    /// The `regex` options: its optional operators and automaton bound.
    regex_flags: tensile_regexp::Flags,
    regex_max_states: usize,
}

fn parsing(reason: impl Into<String>) -> EngineError {
    EngineError::Parsing(reason.into())
}

/// The analyzer a suggester reads its text with: the named one, else the
/// field's search analyzer.
pub(crate) fn text_analyzer(
    mapper: &Mapper,
    field: &crate::mapper::FieldMapper,
    name: Option<&str>,
) -> Result<std::sync::Arc<tensile_analysis::Analyzer>, EngineError> {
    match name {
        Some(name) => mapper
            .analyzers
            .analyzer(name)
            .map_err(|_| EngineError::IllegalArgument(format!("analyzer [{name}] not found"))),
        None => Ok(field.search_analyzer.clone().unwrap_or_else(|| mapper.analyzers.default_search_analyzer())),
    }
}

/// A suggester's numeric option, given as a number or as text.
pub(crate) fn number_of(o: &Map<String, Value>, key: &str, default: f64) -> Result<f64, EngineError> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| parsing(format!("[{key}] must be a number"))),
    }
}

fn term_options(o: &Map<String, Value>) -> Result<TermOptions, EngineError> {
    // `shard_size`: how many candidates each shard keeps; every term of
    // every shard is looked at here, so it only bounds what is already exact.
    const OWN: &[&str] = &["field", "analyzer", "lowercase_terms", "shard_size"];
    if let Some(k) = o.keys().find(|k| !OWN.contains(&k.as_str()) && !SPELLING_OPTIONS.contains(&k.as_str())) {
        return Err(parsing(format!("suggester[term] doesn't support field [{k}]")));
    }
    let field = o
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| parsing("the required field option [field] is missing"))?;
    Ok(TermOptions {
        field: field.to_owned(),
        analyzer: o.get("analyzer").and_then(Value::as_str).map(str::to_owned),
        lowercase: o.get("lowercase_terms").is_some_and(|v| v == true),
        spelling: Spelling::parse(o)?,
    })
}

fn completion_options(o: &Map<String, Value>) -> Result<CompletionOptions, EngineError> {
    for k in o.keys() {
        match k.as_str() {
            "field" | "size" | "skip_duplicates" | "contexts" | "fuzzy" => {}
            // The `regex` suggestion's options: its flags and automaton bound.
            "regex" => {
                let options = o[k].as_object().ok_or_else(|| parsing("[regex] must be an object"))?;
                if let Some(other) =
                    options.keys().find(|k| !["flags", "max_determinized_states"].contains(&k.as_str()))
                {
                    return Err(parsing(format!("[regex] doesn't support [{other}]")));
                }
            }
            // Every document is looked at, so `shard_size` bounds nothing.
            "analyzer" | "shard_size" => {}
            other => return Err(parsing(format!("suggester[completion] doesn't support field [{other}]"))),
        }
    }
    let field = o
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| parsing("the required field option [field] is missing"))?;
    let regex_options = o.get("regex").and_then(Value::as_object);
    let regex_flags = match regex_options.and_then(|r| r.get("flags")) {
        None => tensile_regexp::Flags::ALL,
        Some(Value::String(names)) => tensile_regexp::Flags::parse(names).map_err(EngineError::IllegalArgument)?,
        Some(Value::Number(bits)) => tensile_regexp::Flags::from_lucene_bits(bits.as_i64().unwrap_or(0xff)),
        Some(_) => return Err(parsing("[regex] [flags] must be a string")),
    };
    let regex_max_states = match regex_options.and_then(|r| r.get("max_determinized_states")) {
        None => tensile_regexp::DEFAULT_MAX_STATES,
        Some(n) => n.as_u64().ok_or_else(|| parsing("[regex] [max_determinized_states] must be a number"))? as usize,
    };
    Ok(CompletionOptions {
        field: field.to_owned(),
        size: usize_of(o, "size", 5)?,
        skip_duplicates: o.get("skip_duplicates").is_some_and(|v| v == true),
        contexts: match o.get("contexts") {
            None => None,
            Some(Value::Object(c)) => Some(c.clone()),
            Some(_) => return Err(parsing("[contexts] must be an object")),
        },
        fuzzy: match o.get("fuzzy") {
            None | Some(Value::Bool(false)) => None,
            // `true`: the default options.
            Some(Value::Bool(true)) => Some(super::fuzzy_prefix::FuzzyPrefix::default()),
            Some(spec) => Some(super::fuzzy_prefix::FuzzyPrefix::parse(spec)?),
        },
        regex: None,
        analyzer: o.get("analyzer").and_then(Value::as_str).map(str::to_owned),
        regex_flags,
        regex_max_states,
    })
}

/// One value a completion query's context asks for.
#[derive(Debug, Clone)]
struct WantedContext {
    name: String,
    /// A category, or a geohash (matching the cells within it).
    value: String,
    boost: f64,
    /// A category given as a prefix, or a geohash.
    prefix: bool,
}

/// The contexts a completion query asks for on a field with contexts
/// (`None` for a field without); a field with contexts needs some.
fn context_query(
    field: &crate::mapper::FieldMapper,
    asked: Option<&Map<String, Value>>,
) -> Result<Option<Vec<WantedContext>>, EngineError> {
    use crate::mapper::completion::{geo_level, ContextKind};
    if field.contexts.is_empty() {
        return match asked {
            Some(c) if !c.is_empty() => Err(EngineError::IllegalArgument(format!(
                "Unknown context name [{}], must be one of []",
                c.keys().next().map_or("", String::as_str)
            ))),
            _ => Ok(None),
        };
    }
    let mut wanted = Vec::new();
    for (name, given) in asked.into_iter().flatten() {
        let Some(mapping) = field.contexts.iter().find(|c| &c.name == name) else {
            let names: Vec<&str> = field.contexts.iter().map(|c| c.name.as_str()).collect();
            return Err(EngineError::IllegalArgument(format!(
                "Unknown context name [{name}], must be one of [{}]",
                names.join(", ")
            )));
        };
        let items = match given {
            // A geo context's `[lon, lat]` is one point.
            Value::Array(items)
                if items.is_empty()
                    || !(matches!(mapping.kind, ContextKind::Geo { .. }) && items.iter().all(Value::is_number)) =>
            {
                items.clone()
            }
            one => vec![one.clone()],
        };
        for item in items {
            let (value, boost, o) = match &item {
                Value::Object(o) if o.contains_key("context") => {
                    let known: &[&str] = match mapping.kind {
                        ContextKind::Category => &["context", "boost", "prefix"],
                        ContextKind::Geo { .. } => &["context", "boost", "precision"],
                    };
                    if let Some(k) = o.keys().find(|k| !known.contains(&k.as_str())) {
                        return Err(match k.as_str() {
                            "neighbours" => {
                                EngineError::Unsupported(format!("the [neighbours] option of the [{name}] context"))
                            }
                            other => parsing(format!("[{name}] context does not support [{other}]")),
                        });
                    }
                    (o["context"].clone(), o.get("boost").and_then(Value::as_f64).unwrap_or(1.0), Some(o))
                }
                other => (other.clone(), 1.0, None),
            };
            match mapping.kind {
                ContextKind::Category => wanted.push(WantedContext {
                    name: name.clone(),
                    value: crate::settings_text(&value),
                    boost,
                    prefix: o.and_then(|o| o.get("prefix")).is_some_and(|p| p == true),
                }),
                ContextKind::Geo { level } => {
                    let asked_level =
                        o.and_then(|o| o.get("precision")).and_then(geo_level).unwrap_or(level).min(level);
                    let point = crate::mapper::field::geo_point(&value)
                        .map_err(|_| parsing(format!("[{name}] context is not a geo point")))?;
                    let hash = crate::mapper::geo::geohash(point.0, point.1, asked_level);
                    // As Elasticsearch, a cell of the mapping's precision brings its neighbours.
                    let mut cells = vec![hash.clone()];
                    if asked_level == level {
                        cells.extend(crate::mapper::geo::geohash_neighbours(&hash));
                    }
                    wanted.extend(cells.into_iter().map(|cell| WantedContext {
                        name: name.clone(),
                        value: cell,
                        boost,
                        prefix: true,
                    }));
                }
            }
        }
    }
    if wanted.is_empty() {
        return Err(EngineError::IllegalArgument("Missing mandatory contexts in context query".into()));
    }
    Ok(Some(wanted))
}

/// The boost of the best query context an entry's contexts match; `None`
/// when it matches none.
fn context_boost(wanted: &[WantedContext], carried: &[(&str, Vec<String>)]) -> Option<f64> {
    wanted
        .iter()
        .filter(|w| {
            carried.iter().any(|(name, values)| {
                *name == w.name && values.iter().any(|v| if w.prefix { v.starts_with(&w.value) } else { *v == w.value })
            })
        })
        .map(|w| w.boost)
        .reduce(f64::max)
}

/// Reads a search body's `suggest`.
pub fn parse(v: &Value) -> Result<Vec<Suggestion>, EngineError> {
    let Value::Object(map) = v else { return Err(parsing("[suggest] must be an object")) };
    let global = map.get("text").and_then(Value::as_str);
    let mut out = Vec::new();
    for (name, spec) in map.iter().filter(|(k, _)| k.as_str() != "text") {
        let Value::Object(spec) = spec else { return Err(parsing(format!("suggestion [{name}] must be an object"))) };
        let regex = spec.get("regex");
        let text = spec.get("text").or_else(|| spec.get("prefix")).or(regex).and_then(Value::as_str).or(global);
        let mut kind = None;
        for (k, options) in spec {
            let Value::Object(o) = options else { continue };
            kind = Some(match k.as_str() {
                "term" => Kind::Term(term_options(o)?),
                "completion" => Kind::Completion(completion_options(o)?),
                "phrase" => Kind::Phrase(super::phrase_suggest::PhraseOptions::parse(o)?),
                other => return Err(parsing(format!("Unable to parse a suggester of type [{other}]"))),
            });
        }
        let mut kind = kind.ok_or_else(|| parsing(format!("suggestion [{name}] does not name a suggester")))?;
        if let Some(pattern) = regex {
            let Kind::Completion(o) = &mut kind else {
                return Err(parsing("[regex] is only supported by the [completion] suggester"));
            };
            let pattern = pattern.as_str().ok_or_else(|| parsing("[regex] must be a string"))?;
            let invalid =
                |e: tensile_regexp::Error| EngineError::IllegalArgument(format!("invalid regex [{pattern}]: {e}"));
            let regex = tensile_regexp::Regex::parse(pattern, o.regex_flags).map_err(invalid)?;
            o.regex = Some(Box::new(regex.compile(false, o.regex_max_states).map_err(invalid)?));
        }
        let text = text.ok_or_else(|| EngineError::IllegalArgument("The required text option is missing".into()))?;
        out.push(Suggestion { name: name.clone(), text: text.to_owned(), kind });
    }
    Ok(out)
}

impl Engine {
    fn term_suggestion(
        &self,
        indices: &[String],
        mapper: &Mapper,
        text: &str,
        o: &TermOptions,
    ) -> Result<Vec<Value>, EngineError> {
        let Some(field) = mapper.fields.get(&o.field) else {
            return Err(EngineError::IllegalArgument(format!("no mapping found for field [{}]", o.field)));
        };
        let analyzer = text_analyzer(mapper, field, o.analyzer.as_deref())?;
        let dictionary = self.term_frequencies(indices, field)?;
        let docs = self.max_docs(indices)?;
        let mut entries = Vec::new();
        for mut token in analyzer.analyze(text) {
            if o.lowercase {
                token.term = token.term.to_lowercase();
            }
            let original = &text[token.start..token.end];
            let options: Vec<Value> = o
                .spelling
                .corrections(&token.term, &dictionary, docs)
                .into_iter()
                .map(|(text, score, freq)| json!({"text": text, "score": score, "freq": freq}))
                .collect();
            let entry = json!({
                "text": original,
                "offset": tensile_analysis::utf16_offset(text, token.start),
                "length": original.encode_utf16().count(),
                "options": options,
            });
            entries.push(entry);
        }
        Ok(entries)
    }

    fn completion_suggestion(
        &self,
        indices: &[String],
        mapper: &Mapper,
        text: &str,
        o: &CompletionOptions,
    ) -> Result<Vec<Value>, EngineError> {
        let field = match mapper.fields.get(&o.field) {
            Some(f) if f.kind == FieldKind::Completion => f,
            Some(f) => {
                return Err(EngineError::IllegalArgument(format!(
                    "Field [{}] is not a completion suggest field",
                    f.path
                )))
            }
            None => return Err(EngineError::IllegalArgument(format!("no mapping found for field [{}]", o.field))),
        };
        let wanted_contexts = context_query(field, o.contexts.as_ref())?;
        let analyzer = field.analyzer.clone().unwrap_or_else(|| mapper.analyzers.default_analyzer());
        let joined = |a: &tensile_analysis::Analyzer, s: &str| {
            a.analyze(s).into_iter().map(|t| t.term).collect::<Vec<_>>().join(" ")
        };
        let normalise = |s: &str| joined(&analyzer, s);
        // The text by the suggestion's analyzer, else the field's search analyzer.
        let wanted = match &o.analyzer {
            Some(name) => {
                let named = mapper
                    .analyzers
                    .analyzer(name)
                    .map_err(|_| EngineError::IllegalArgument(format!("analyzer [{name}] doesn't exist")))?;
                joined(&named, text)
            }
            None => joined(field.search_analyzer.as_ref().unwrap_or(&analyzer), text),
        };
        // A multi-field's inputs are its parent's values.
        let path = super::fields::source_path(mapper, field).to_owned();
        // The documents holding the field, each with its best matching input.
        let req = super::SearchRequest {
            query: super::dsl::Query::Exists { field: path.clone() },
            track_total_hits: super::TrackTotal::All,
            ..Default::default()
        };
        let collected = self.collect(indices, &req, true, None)?;
        let shown = super::Shown::of(&req);
        let hits = super::fetch(self, indices, &collected.searchers, &shown, &collected.found, None)?;
        let mut options: Vec<(f64, String, Value)> = Vec::new();
        for hit in hits {
            let Some(source) = hit.doc.source.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()) else {
                continue;
            };
            let mut best: Option<(f64, String, Map<String, Value>)> = None;
            // Completion entries are values, or objects of `{input, weight}`.
            let objects = super::fields::objects_at(&source, &path).into_iter().cloned();
            for entry in crate::source_filter::values_at(&source, &path).into_iter().chain(objects) {
                let (inputs, weight) = match &entry {
                    Value::Object(o) => {
                        let inputs = match o.get("input") {
                            Some(Value::Array(items)) => items.iter().map(crate::settings_text).collect(),
                            Some(v) => vec![crate::settings_text(v)],
                            None => Vec::new(),
                        };
                        (
                            inputs,
                            o.get("weight").and_then(|w| w.as_i64().or_else(|| w.as_str()?.parse().ok())).unwrap_or(1),
                        )
                    }
                    other => (vec![crate::settings_text(other)], 1),
                };
                // The entry's contexts, and the boost of those the query asks for.
                let carried: Vec<(&str, Vec<String>)> =
                    field.contexts.iter().map(|c| (c.name.as_str(), c.values(&entry, &source))).collect();
                let boost = match &wanted_contexts {
                    None => 1.0,
                    Some(wanted) => match context_boost(wanted, &carried) {
                        Some(boost) => boost,
                        None => continue,
                    },
                };
                for input in inputs {
                    // A fuzzy match is boosted by its agreement with the text
                    // (none is no boost, as Lucene scores it).
                    let matched = match (&o.regex, &o.fuzzy) {
                        (Some(regex), _) => regex.matches_a_prefix(&normalise(&input)).then_some(0),
                        (None, None) => normalise(&input).starts_with(&wanted).then_some(0),
                        (None, Some(fuzzy)) => fuzzy.boost(&wanted, &normalise(&input)),
                    };
                    let Some(agreement) = matched else { continue };
                    let score = weight as f64 * boost * if agreement > 0 { agreement as f64 } else { 1.0 };
                    if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                        let shown: Map<String, Value> = carried
                            .iter()
                            .filter(|(_, values)| !values.is_empty())
                            .map(|(name, values)| ((*name).to_owned(), json!(values)))
                            .collect();
                        best = Some((score, input, shown));
                    }
                }
            }
            if let Some((score, input, contexts)) = best {
                let mut option = json!({
                    "text": input,
                    "_index": hit.index,
                    "_id": hit.doc.id,
                    "_score": score,
                    "_source": source,
                });
                if !contexts.is_empty() {
                    option["contexts"] = Value::Object(contexts);
                }
                options.push((score, input, option));
            }
        }
        options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if o.skip_duplicates {
            let mut seen = std::collections::HashSet::new();
            options.retain(|(_, text, _)| seen.insert(text.clone()));
        }
        options.truncate(o.size);
        let length = text.encode_utf16().count();
        Ok(vec![json!({
            "text": text,
            "offset": 0,
            "length": length,
            "options": options.into_iter().map(|(_, _, o)| o).collect::<Vec<_>>(),
        })])
    }

    /// A search's `suggest` section: each suggestion's entries, by name
    /// (prefixed with the suggester's type for `typed_keys`).
    pub fn suggest(
        &self,
        indices: &[String],
        suggestions: &[Suggestion],
        typed_keys: bool,
    ) -> Result<Map<String, Value>, EngineError> {
        let started = std::time::Instant::now();
        let mut out = Map::new();
        for s in suggestions {
            // Both suggesters read every index at once: the first index
            // that maps the field gives the analysis.
            let mut entries = Vec::new();
            for index in indices {
                let mapper = self.mapper(index)?;
                entries = match &s.kind {
                    Kind::Term(o) if mapper.fields.contains_key(&o.field) => {
                        self.term_suggestion(indices, &mapper, &s.text, o)?
                    }
                    Kind::Completion(o) if mapper.fields.contains_key(&o.field) => {
                        self.completion_suggestion(indices, &mapper, &s.text, o)?
                    }
                    Kind::Phrase(o) if mapper.fields.contains_key(&o.field) => {
                        self.phrase_suggestion(indices, &mapper, &s.text, o)?
                    }
                    _ => continue,
                };
                break;
            }
            let key = if typed_keys { format!("{}#{}", s.kind.type_name(), s.name) } else { s.name.clone() };
            out.insert(key, Value::Array(entries));
        }
        // Each shard of the indices counts the suggestions once, as a search.
        if !suggestions.is_empty() {
            for index in indices {
                for shard in &self.index_shards(index)?.shards {
                    shard.counters().timed(
                        crate::stats::Counter::SuggestTotal,
                        crate::stats::Counter::SuggestTimeNanos,
                        started,
                    );
                }
            }
        }
        Ok(out)
    }
}
