//! `profile: true`: what a search spent on each shard, in Elasticsearch's
//! shape. Measured honestly at Tensile's own steps: compiling the query
//! (reported as the rewrite), creating its weight, running it with the
//! collector (iteration and scoring, under `next_doc`), and fetching the
//! page's stored documents.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One shard's query phase.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryTiming {
    pub index: String,
    pub shard: usize,
    /// The compiled query's type and what it reads as.
    pub query_type: String,
    pub description: String,
    pub compile_nanos: u64,
    pub weight_nanos: u64,
    pub search_nanos: u64,
    pub matches: u64,
    pub scored: bool,
    pub collector: &'static str,
    /// With `dfs_query_then_fetch`: the time the statistics of the shards
    /// searched took to gather (once, for all of them).
    pub dfs_nanos: Option<u64>,
}

/// One shard's fetch phase.
#[derive(Debug, Clone, Default)]
pub(crate) struct FetchTiming {
    pub nanos: u64,
    pub docs: u64,
    pub segments: u64,
    /// Time spent finding the hits' `inner_hits`, and for how many hits.
    pub inner_hits_nanos: u64,
    pub inner_hits_docs: u64,
}

/// The name of a compiled query's type (`BooleanQuery`, `TermQuery`...).
pub(crate) fn type_name(query: &dyn tantivy::query::Query) -> String {
    let debug = format!("{query:?}");
    debug.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("Query").to_owned()
}

/// The `profile` section: one entry per shard searched.
pub(crate) fn render(
    node_id: &str,
    queries: &[QueryTiming],
    fetches: &BTreeMap<(String, usize), FetchTiming>,
) -> Value {
    let shards: Vec<Value> = queries
        .iter()
        .map(|q| {
            let run = q.search_nanos.saturating_sub(q.weight_nanos);
            let count = |n: u64| if q.scored { n } else { 0 };
            let mut shard = json!({
                "id": format!("[{node_id}][{}][{}]", q.index, q.shard),
                "node_id": node_id,
                "shard_id": q.shard,
                "index": q.index,
                "cluster": "(local)",
                "searches": [{
                    "query": [{
                        "type": q.query_type,
                        "description": q.description,
                        "time_in_nanos": q.weight_nanos + run,
                        "breakdown": {
                            "create_weight": q.weight_nanos, "create_weight_count": 1,
                            "build_scorer": 0, "build_scorer_count": 0,
                            "next_doc": run, "next_doc_count": q.matches,
                            "advance": 0, "advance_count": 0,
                            "score": 0, "score_count": count(q.matches),
                            "match": 0, "match_count": 0,
                            "shallow_advance": 0, "shallow_advance_count": 0,
                            "compute_max_score": 0, "compute_max_score_count": 0,
                            "set_min_competitive_score": 0, "set_min_competitive_score_count": 0,
                            "count_weight": 0, "count_weight_count": 0,
                        },
                    }],
                    "rewrite_time": q.compile_nanos,
                    "collector": [{"name": q.collector, "reason": "search_top_hits", "time_in_nanos": run}],
                }],
                "aggregations": [],
            });
            if let Some(nanos) = q.dfs_nanos {
                shard["dfs"] = json!({"statistics": {
                    "type": "statistics",
                    "description": "collect term statistics",
                    "time_in_nanos": nanos,
                    "breakdown": {
                        "term_statistics": nanos, "term_statistics_count": 1,
                        "collection_statistics": 0, "collection_statistics_count": 0,
                        "create_weight": 0, "create_weight_count": 0,
                        "rewrite": 0, "rewrite_count": 0,
                    },
                }});
            }
            if let Some(f) = fetches.get(&(q.index.clone(), q.shard)) {
                shard["fetch"] = json!({
                    "type": "fetch",
                    "description": "",
                    "time_in_nanos": f.nanos,
                    "breakdown": {
                        "next_reader": f.nanos, "next_reader_count": f.segments,
                        "load_stored_fields": f.nanos, "load_stored_fields_count": f.docs,
                        "load_source": f.nanos, "load_source_count": f.docs,
                    },
                    "debug": {"stored_fields": ["_id", "_routing", "_source"]},
                    "children": [{
                        "type": "StoredFieldsPhase",
                        "description": "",
                        "time_in_nanos": f.nanos,
                        "breakdown": {"next_reader": f.nanos, "next_reader_count": f.segments, "process": f.nanos, "process_count": f.docs},
                    }],
                });
                if f.inner_hits_docs > 0 {
                    let (nanos, docs) = (f.inner_hits_nanos, f.inner_hits_docs);
                    let phase = json!({
                        "type": "InnerHitsPhase",
                        "description": "",
                        "time_in_nanos": nanos,
                        "breakdown": {"next_reader": nanos, "next_reader_count": f.segments, "process": nanos, "process_count": docs},
                    });
                    if let Some(children) = shard["fetch"]["children"].as_array_mut() {
                        children.insert(0, phase);
                    }
                }
            }
            shard
        })
        .collect();
    json!({ "shards": shards })
}
