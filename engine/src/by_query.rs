//! `_delete_by_query`: the documents a search finds (as the last refresh
//! shows them), read in scroll batches and deleted one by one under the
//! sequence number the search saw, so that a document changed meanwhile
//! is a version conflict, as Elasticsearch counts them.

use crate::error::EngineError;
use crate::search::SearchRequest;
use crate::shard::{Conditions, WriteResult, PRIMARY_TERM};
use crate::Engine;
use std::time::Duration;

/// How a delete by query goes about it.
#[derive(Debug, Clone)]
pub struct ByQuery {
    /// Deletes at most this many documents.
    pub max_docs: Option<u64>,
    /// `conflicts=proceed`: a version conflict is counted, not the end.
    pub proceed_on_conflicts: bool,
    /// Documents a scroll batch reads (`scroll_size`).
    pub batch: usize,
}

/// A document a delete by query could not delete, and why.
#[derive(Debug)]
pub struct Failure {
    pub index: String,
    pub id: String,
    pub cause: EngineError,
}

/// What a delete by query did.
#[derive(Debug, Default)]
pub struct ByQueryOutcome {
    /// The documents it went through.
    pub total: u64,
    pub deleted: u64,
    pub batches: u64,
    pub version_conflicts: u64,
    /// What stopped it (a conflict without `proceed`, or another error).
    pub failures: Vec<Failure>,
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
        let mut outcome = ByQueryOutcome::default();
        let req = SearchRequest { size: how.batch.max(1), ..search.clone() };
        let (mut page, id) = self.search_scroll(indices, &req, Duration::from_secs(300), serde_json::Value::Null)?;
        let mut touched: Vec<String> = Vec::new();
        let result = (|| {
            'pages: while !page.hits.is_empty() {
                outcome.batches += 1;
                for hit in &page.hits {
                    // With `proceed`, conflicts do not count toward `max_docs`.
                    if how.max_docs.is_some_and(|max| outcome.deleted >= max) {
                        break 'pages;
                    }
                    outcome.total += 1;
                    let cond = Conditions {
                        if_seq_no: Some(hit.doc.seq_no),
                        if_primary_term: Some(PRIMARY_TERM),
                        ..Conditions::default()
                    };
                    let routing = hit.doc.routing.as_deref();
                    match self.delete_doc(&hit.index, &hit.doc.id, routing, &cond, true) {
                        Ok(write) if write.outcome.result == WriteResult::Deleted => outcome.deleted += 1,
                        Ok(_) | Err(EngineError::VersionConflict { .. }) if how.proceed_on_conflicts => {
                            outcome.version_conflicts += 1
                        }
                        Ok(_) => {
                            outcome.version_conflicts += 1;
                            let cause = EngineError::VersionConflict {
                                id: hit.doc.id.clone(),
                                reason: "the document is gone".into(),
                                shard: None,
                            };
                            outcome.failures.push(Failure { index: hit.index.clone(), id: hit.doc.id.clone(), cause });
                            break 'pages;
                        }
                        Err(cause) => {
                            if matches!(cause, EngineError::VersionConflict { .. }) {
                                outcome.version_conflicts += 1;
                            }
                            outcome.failures.push(Failure { index: hit.index.clone(), id: hit.doc.id.clone(), cause });
                            break 'pages;
                        }
                    }
                    if !touched.contains(&hit.index) {
                        touched.push(hit.index.clone());
                    }
                }
                page = self.scroll(&id, None)?.0;
            }
            Ok::<(), EngineError>(())
        })();
        self.clear_scroll(std::slice::from_ref(&id));
        // Every deletion is durable before the answer, as a bulk's are.
        self.sync(&touched)?;
        result?;
        Ok(outcome)
    }
}
