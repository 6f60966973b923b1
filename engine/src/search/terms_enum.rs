//! `_terms_enum`: the terms of a keyword field that start with a string,
//! in order, read from each segment's term dictionary (as Elasticsearch
//! reads them from Lucene's, deleted documents' terms included). Fields of
//! other types have no such terms: none are listed.

use crate::error::EngineError;
use crate::mapper::FieldKind;
use crate::Engine;
use std::collections::BTreeSet;

/// What terms to list.
#[derive(Debug, Clone, Default)]
pub struct TermsEnumRequest {
    pub field: String,
    /// The start every term listed has (`string`).
    pub prefix: String,
    pub case_insensitive: bool,
    /// Only terms after this one.
    pub search_after: Option<String>,
    pub size: usize,
}

impl Engine {
    /// The first `size` terms of the field over `indices`, and the number
    /// of shards read.
    pub fn terms_enum(&self, indices: &[String], req: &TermsEnumRequest) -> Result<(Vec<String>, u32), EngineError> {
        let mut terms: BTreeSet<String> = BTreeSet::new();
        let mut shards_read = 0;
        let lowered = req.prefix.to_lowercase();
        for index in indices {
            let shards = self.index_shards(index)?;
            let mapper = shards.mapper();
            shards_read += shards.shards.len() as u32;
            let Some(field) = mapper.fields.get(&req.field) else { continue };
            if field.kind != FieldKind::Keyword {
                continue;
            }
            let (tantivy_field, start) = crate::indexed::term_location(&mapper, field);
            let start = start.serialized_value_bytes().to_vec();
            // Terms are in order: a case-sensitive prefix starts the walk.
            let mut from = start.clone();
            if !req.case_insensitive {
                from.extend_from_slice(req.prefix.as_bytes());
            }
            for shard in &shards.shards {
                let searcher = shard.searcher();
                for segment in searcher.segment_readers() {
                    let corrupt = |e: &dyn std::fmt::Display| EngineError::Corrupt {
                        path: index.into(),
                        reason: format!("reading a term dictionary: {e}"),
                    };
                    let inverted = segment.inverted_index(tantivy_field).map_err(|e| corrupt(&e))?;
                    let mut stream = inverted.terms().range().ge(&from).into_stream().map_err(|e| corrupt(&e))?;
                    // A segment's first `size` terms that qualify are all it can add.
                    let mut taken = 0;
                    while taken < req.size && stream.advance() {
                        // Past the field's terms, or past the prefix: done.
                        let Some(rest) = stream.key().strip_prefix(start.as_slice()) else { break };
                        let Ok(term) = std::str::from_utf8(rest) else { continue };
                        if req.case_insensitive {
                            if !term.to_lowercase().starts_with(&lowered) {
                                continue;
                            }
                        } else if !term.starts_with(&req.prefix) {
                            break;
                        }
                        if req.search_after.as_deref().is_some_and(|after| term <= after) {
                            continue;
                        }
                        terms.insert(term.to_owned());
                        taken += 1;
                    }
                }
            }
        }
        Ok((terms.into_iter().take(req.size).collect(), shards_read))
    }
}
