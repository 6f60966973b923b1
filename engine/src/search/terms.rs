//! A field's terms as the index holds them: the term dictionary of a
//! field's JSON path with document frequencies (for suggesters), and term
//! vectors (a document's terms with positions, offsets and statistics, as
//! `_termvectors` gives them, analysed from its source).

use crate::error::EngineError;
use crate::mapper::{FieldKind, FieldMapper, Mapper};
use crate::Engine;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

/// What `_termvectors` asks for.
#[derive(Debug, Clone)]
pub struct TermVectorsRequest {
    /// Fields by name or pattern; every text and keyword field of the document when empty.
    pub fields: Vec<String>,
    pub positions: bool,
    pub offsets: bool,
    pub term_statistics: bool,
    pub field_statistics: bool,
}

impl Engine {
    /// Every term of a field in the named indices, with its document frequency.
    /// The documents of the indices' shards, deleted ones included (what
    /// shares of documents are counted against, as Lucene's `maxDoc`).
    pub(crate) fn max_docs(&self, indices: &[String]) -> Result<u64, EngineError> {
        let mut total = 0;
        for index in indices {
            for shard in &self.index_shards(index)?.shards {
                total += shard.searcher().segment_readers().iter().map(|s| u64::from(s.max_doc())).sum::<u64>();
            }
        }
        Ok(total)
    }

    pub(crate) fn term_frequencies(
        &self,
        indices: &[String],
        field: &FieldMapper,
    ) -> Result<BTreeMap<String, u64>, EngineError> {
        let corrupt =
            |e: std::io::Error| EngineError::Corrupt { path: field.path.clone().into(), reason: e.to_string() };
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        for index in indices {
            let shards = self.index_shards(index)?;
            let (located, prefix) = crate::indexed::term_location(&shards.mapper(), field);
            let prefix = prefix.serialized_value_bytes().to_vec();
            for shard in &shards.shards {
                let searcher = shard.searcher();
                for segment in searcher.segment_readers() {
                    let inverted = segment
                        .inverted_index(located)
                        .map_err(|e| EngineError::Corrupt { path: field.path.clone().into(), reason: e.to_string() })?;
                    let mut stream = inverted.terms().range().ge(&prefix).into_stream().map_err(corrupt)?;
                    while stream.advance() {
                        let Some(term) = stream.key().strip_prefix(prefix.as_slice()) else { break };
                        if let Ok(text) = std::str::from_utf8(term) {
                            *out.entry(text.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// A term's document frequency and total frequency in one index.
    fn term_stats(&self, index: &str, field: &FieldMapper, text: &str) -> Result<(u64, u64), EngineError> {
        let (_, mut term) = crate::indexed::term_location(&self.index_shards(index)?.mapper(), field);
        term.append_bytes(text.as_bytes());
        let failed = |e: tantivy::TantivyError| EngineError::Corrupt { path: index.into(), reason: e.to_string() };
        let (mut doc_freq, mut total) = (0u64, 0u64);
        for shard in &self.index_shards(index)?.shards {
            let searcher = shard.searcher();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(term.field()).map_err(failed)?;
                let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .map_err(|e| EngineError::Corrupt { path: index.into(), reason: e.to_string() })?
                else {
                    continue;
                };
                while postings.doc() != TERMINATED {
                    doc_freq += 1;
                    total += u64::from(tantivy::postings::Postings::term_freq(&postings));
                    postings.advance();
                }
            }
        }
        Ok((doc_freq, total))
    }

    /// A field's statistics in one index: documents with it, the sum of its
    /// terms' document frequencies (`sum_ttf` is not kept: -1, as Lucene
    /// reports a missing statistic).
    fn field_stats(&self, index: &str, field: &FieldMapper) -> Result<Value, EngineError> {
        let holding = crate::indexed::holding(&*self.mapper(index)?, field);
        let mut doc_count = 0u64;
        for shard in &self.index_shards(index)?.shards {
            doc_count += shard
                .searcher()
                .search(&*holding, &tantivy::collector::Count)
                .map_err(|e| EngineError::Corrupt { path: index.into(), reason: e.to_string() })?
                as u64;
        }
        let sum_doc_freq: u64 = self.term_frequencies(std::slice::from_ref(&index.to_owned()), field)?.values().sum();
        Ok(json!({"sum_doc_freq": sum_doc_freq, "doc_count": doc_count, "sum_ttf": -1}))
    }

    /// The term vectors of a document's source (stored or given), by field.
    pub fn term_vectors(
        &self,
        index: &str,
        mapper: &Mapper,
        source: &Value,
        req: &TermVectorsRequest,
    ) -> Result<Map<String, Value>, EngineError> {
        let mut names: Vec<&String> = mapper
            .fields
            .iter()
            .filter(|(path, f)| {
                let asked = if req.fields.is_empty() {
                    true
                } else {
                    req.fields.iter().any(|p| crate::resolve::wildcard_match(p, path))
                };
                asked && (f.kind.is_text() || f.kind == FieldKind::Keyword)
            })
            .map(|(path, _)| path)
            .collect();
        names.sort();
        let mut out = Map::new();
        for path in names {
            let field = &mapper.fields[path.as_str()];
            let values: Vec<String> =
                crate::source_filter::values_at(source, super::fields::source_path(mapper, field))
                    .iter()
                    .filter(|v| !v.is_object() && !v.is_array())
                    .map(crate::settings_text)
                    .collect();
            if values.is_empty() {
                continue;
            }
            // term -> (position, start, end) of each occurrence.
            let mut terms: BTreeMap<String, Vec<(u32, usize, usize)>> = BTreeMap::new();
            if field.kind.is_text() {
                let analyzer = field.analyzer.clone().unwrap_or_else(|| mapper.analyzers.default_analyzer());
                let mut base_position = 0u32;
                let mut base_offset = 0usize;
                for value in &values {
                    let tokens = analyzer.analyze(value);
                    let last = tokens.last().map(|t| t.position);
                    for t in tokens {
                        // Offsets as Java counts them: UTF-16 units.
                        terms.entry(t.term).or_default().push((
                            base_position + t.position,
                            base_offset + tensile_analysis::utf16_offset(value, t.start),
                            base_offset + tensile_analysis::utf16_offset(value, t.end),
                        ));
                    }
                    // Values sit apart by the position gap, their offsets one apart.
                    base_position += last.map_or(0, |p| p + 1) + analyzer.position_increment_gap;
                    base_offset += value.encode_utf16().count() + 1;
                }
            } else {
                let mut base_offset = 0usize;
                for (i, value) in values.iter().enumerate() {
                    if field.ignore_above.is_some_and(|max| value.chars().count() > max) {
                        continue;
                    }
                    let term = field.normalizer.as_ref().map_or_else(|| value.clone(), |n| n.normalize(value));
                    let width = value.encode_utf16().count();
                    terms.entry(term).or_default().push((i as u32, base_offset, base_offset + width));
                    base_offset += width + 1;
                }
            }
            let mut shown = Map::new();
            for (term, occurrences) in terms {
                let mut entry = json!({"term_freq": occurrences.len()});
                if req.term_statistics {
                    let (doc_freq, ttf) = self.term_stats(index, field, &term)?;
                    entry["doc_freq"] = json!(doc_freq);
                    entry["ttf"] = json!(ttf);
                }
                if req.positions || req.offsets {
                    entry["tokens"] = occurrences
                        .iter()
                        .map(|(position, start, end)| {
                            let mut token = Map::new();
                            if req.positions {
                                token.insert("position".into(), json!(position));
                            }
                            if req.offsets {
                                token.insert("start_offset".into(), json!(start));
                                token.insert("end_offset".into(), json!(end));
                            }
                            Value::Object(token)
                        })
                        .collect();
                }
                shown.insert(term, entry);
            }
            let mut vectors = Map::new();
            if req.field_statistics {
                vectors.insert("field_statistics".into(), self.field_stats(index, field)?);
            }
            vectors.insert("terms".into(), Value::Object(shown));
            out.insert(path.clone(), Value::Object(vectors));
        }
        Ok(out)
    }
}
