//! Elasticsearch's `can_match` pre-filter phase: when a search reaches more
//! shards than `pre_filter_shard_size` (128 unless given), a shard that one
//! of the query's required clauses proves empty is skipped, counted in
//! `_shards.skipped`, not searched. A required clause (the query itself, or
//! a `must` or `filter` clause of a required `bool`, through
//! `constant_score` and `_name`) proves a shard empty when it is
//! `match_none` or a range without a match in it: a range outside the
//! bounds of the shard's values (which columns know) is found empty without
//! reading documents, one inside them by looking for its first match. If
//! every shard would be skipped, the first is searched all the same, for a
//! real (empty) result. (Aggregations, once built, must keep every shard
//! for a `global` one, as Elasticsearch does.)

use super::compile::Compiler;
use super::dsl::Query;
use crate::error::EngineError;
use tantivy::query::EnableScoring;
use tantivy::{DocSet, Searcher, TERMINATED};

/// The shard count past which shards are pre-filtered, unless the request
/// names one.
pub const DEFAULT_PRE_FILTER_SHARD_SIZE: usize = 128;

/// The clauses every match must pass that can prove a shard empty.
pub(crate) fn required_clauses(q: &Query) -> Vec<&Query> {
    let mut out = Vec::new();
    gather(q, &mut out);
    out
}

fn gather<'q>(q: &'q Query, out: &mut Vec<&'q Query>) {
    match q {
        Query::MatchNone | Query::Range { .. } => out.push(q),
        Query::Bool { must, filter, .. } => must.iter().chain(filter).for_each(|c| gather(c, out)),
        Query::ConstantScore { filter, .. } => gather(filter, out),
        Query::Named { query, .. } => gather(query, out),
        _ => {}
    }
}

/// Whether a shard may hold a match: no required clause is empty in it.
pub(crate) fn can_match(compiler: &Compiler<'_>, clauses: &[&Query], searcher: &Searcher) -> Result<bool, EngineError> {
    for clause in clauses {
        let query = compiler.compile(clause)?;
        let failed = |e: tantivy::TantivyError| EngineError::Corrupt {
            path: compiler.index.into(),
            reason: format!("pre-filtering a shard: {e}"),
        };
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher)).map_err(failed)?;
        let mut any = false;
        for reader in searcher.segment_readers() {
            // A scorer starts on its first match: a range outside the
            // column's bounds has none from the start.
            if weight.scorer(reader, 1.0).map_err(failed)?.doc() != TERMINATED {
                any = true;
                break;
            }
        }
        if !any {
            return Ok(false);
        }
    }
    Ok(true)
}
