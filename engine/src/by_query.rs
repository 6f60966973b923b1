//! The by-query document APIs: `_delete_by_query`, `_update_by_query` and
//! `_reindex`. Each reads the documents a search finds (as the last
//! refresh shows them) in scroll batches and writes each one in turn: a
//! delete or a rewrite in place under the sequence number the search saw
//! (a document changed meanwhile is a version conflict, as Elasticsearch
//! counts them), or a copy into another index.

use crate::error::EngineError;
use crate::search::{Hit, SearchRequest};
use crate::shard::{Conditions, VersionType, WriteResult, PRIMARY_TERM};
use crate::Engine;
use std::time::Duration;

/// How a by-query operation goes about it.
#[derive(Debug, Clone)]
pub struct ByQuery {
    /// Writes at most this many documents.
    pub max_docs: Option<u64>,
    /// `conflicts=proceed`: a version conflict is counted, not the end.
    pub proceed_on_conflicts: bool,
    /// Documents a scroll batch reads (`scroll_size`, `source.size`).
    pub batch: usize,
}

/// A document a by-query operation could not write, and why.
#[derive(Debug)]
pub struct Failure {
    pub index: String,
    pub id: String,
    pub cause: EngineError,
}

/// What a by-query operation did.
#[derive(Debug, Default)]
pub struct ByQueryOutcome {
    /// The documents it went through.
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub batches: u64,
    pub version_conflicts: u64,
    /// What stopped it (a conflict without `proceed`, or another error).
    pub failures: Vec<Failure>,
}

/// Where `_reindex` writes, and how.
#[derive(Debug, Clone, Default)]
pub struct Destination {
    pub index: String,
    /// `op_type: create`: an existing document is a conflict.
    pub create_only: bool,
    /// `version_type`: `internal` (overwrite) or an external one (the
    /// source document's version goes along).
    pub version_type: VersionType,
    /// `routing`: `keep` (`None`, the source's), `discard`, or `=value`.
    pub routing: Option<Option<String>>,
}

impl Engine {
    /// Deletes what `search` (its query, routing and alias filters over
    /// `indices`) finds.
    pub fn delete_by_query(
        &self,
        indices: &[String],
        search: &SearchRequest,
        how: &ByQuery,
    ) -> Result<ByQueryOutcome, EngineError> {
        self.by_query(indices, search, how, |engine, hit| {
            engine.delete_doc(&hit.index, &hit.doc.id, hit.doc.routing.as_deref(), &seen(hit), true)
        })
    }

    /// Indexes again, in place, what `search` finds (so that it takes the
    /// mapping of the moment).
    pub fn update_by_query(
        &self,
        indices: &[String],
        search: &SearchRequest,
        how: &ByQuery,
    ) -> Result<ByQueryOutcome, EngineError> {
        self.by_query(indices, search, how, |engine, hit| {
            let routing = hit.doc.routing.as_deref();
            engine.index_doc(&hit.index, &hit.doc.id, source_of(hit)?, routing, &seen(hit), true)
        })
    }

    /// Copies what `search` finds over `indices` into `dest`.
    pub fn reindex(
        &self,
        indices: &[String],
        search: &SearchRequest,
        dest: &Destination,
        how: &ByQuery,
    ) -> Result<ByQueryOutcome, EngineError> {
        let target = self.write_index(&dest.index)?;
        self.by_query(indices, search, how, |engine, hit| {
            let routing = match &dest.routing {
                None => hit.doc.routing.clone(),
                Some(set) => set.clone(),
            };
            let cond = Conditions {
                create_only: dest.create_only,
                version: (dest.version_type != VersionType::Internal).then_some(hit.doc.version),
                version_type: dest.version_type,
                ..Conditions::default()
            };
            engine.index_doc(&target, &hit.doc.id, source_of(hit)?, routing.as_deref(), &cond, true)
        })
    }

    /// Walks what `search` finds in scroll batches, writing each match
    /// with `write` and counting what each write did.
    fn by_query(
        &self,
        indices: &[String],
        search: &SearchRequest,
        how: &ByQuery,
        write: impl Fn(&Engine, &Hit) -> Result<crate::DocWrite, EngineError>,
    ) -> Result<ByQueryOutcome, EngineError> {
        let mut outcome = ByQueryOutcome::default();
        let req = SearchRequest { size: how.batch.max(1), ..search.clone() };
        // Each page renews the scroll, however long the writes take.
        let keep_alive = Duration::from_secs(300);
        let (mut page, id) = self.search_scroll(indices, &req, keep_alive, serde_json::Value::Null)?;
        // As Elasticsearch counts it: the matches, at most `max_docs`.
        outcome.total = how.max_docs.map_or(page.total, |max| page.total.min(max));
        let mut written: Vec<String> = Vec::new();
        // With `proceed`, conflicts do not count toward `max_docs`.
        let reached = |outcome: &ByQueryOutcome| {
            how.max_docs.is_some_and(|max| outcome.created + outcome.updated + outcome.deleted >= max)
        };
        let result = (|| {
            'pages: while !page.hits.is_empty() {
                outcome.batches += 1;
                for hit in &page.hits {
                    if reached(&outcome) {
                        break 'pages;
                    }
                    let conflict = match write(self, hit) {
                        Ok(w) => {
                            match w.outcome.result {
                                WriteResult::Created => outcome.created += 1,
                                WriteResult::Updated => outcome.updated += 1,
                                WriteResult::Deleted => outcome.deleted += 1,
                                WriteResult::NotFound => {}
                            }
                            if !written.contains(&w.index) {
                                written.push(w.index);
                            }
                            None
                        }
                        Err(cause @ EngineError::VersionConflict { .. }) => Some(cause),
                        Err(cause) => {
                            outcome.failures.push(Failure { index: hit.index.clone(), id: hit.doc.id.clone(), cause });
                            break 'pages;
                        }
                    };
                    if let Some(cause) = conflict {
                        outcome.version_conflicts += 1;
                        if !how.proceed_on_conflicts {
                            outcome.failures.push(Failure { index: hit.index.clone(), id: hit.doc.id.clone(), cause });
                            break 'pages;
                        }
                    }
                }
                if reached(&outcome) {
                    break;
                }
                page = self.scroll(&id, Some(keep_alive))?.0;
            }
            Ok::<(), EngineError>(())
        })();
        self.clear_scroll(std::slice::from_ref(&id));
        // Every write is durable before the answer, as a bulk's are.
        self.sync(&written)?;
        result?;
        Ok(outcome)
    }
}

/// A found document's source, to index again (a by-query write needs it).
fn source_of(hit: &Hit) -> Result<String, EngineError> {
    let source = hit.doc.source.as_deref();
    source.map(str::to_owned).ok_or_else(|| EngineError::DocumentSourceMissing { id: hit.doc.id.clone() })
}

/// Writes only the copy of a document the search saw.
fn seen(hit: &Hit) -> Conditions {
    Conditions { if_seq_no: Some(hit.doc.seq_no), if_primary_term: Some(PRIMARY_TERM), ..Conditions::default() }
}
