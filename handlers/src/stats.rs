//! `_stats` and `_segments`: what each shard counted and holds, summed per
//! index and over all, in Elasticsearch's shape. Every primary is active
//! and no replica is assigned, so `primaries` and `total` agree and
//! `_shards.total` counts the unassigned replica copies too.

use crate::error::es_error;
use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::stats::{Counter, CounterValues, ShardStats};
use tensile_engine::{IndexMetadata, IndicesOptions};
use tensile_generated::params::{self, IndicesStatsMetric as Metric, Level};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

/// The sections `_stats` reports when no metric is named.
const DEFAULT: &[Metric] = &[
    Metric::Docs,
    Metric::ShardStats,
    Metric::Store,
    Metric::Indexing,
    Metric::Get,
    Metric::Search,
    Metric::Merge,
    Metric::Refresh,
    Metric::Flush,
    Metric::Warmer,
    Metric::QueryCache,
    Metric::Fielddata,
    Metric::Completion,
    Metric::Segments,
    Metric::Translog,
    Metric::RequestCache,
    Metric::Recovery,
    Metric::Bulk,
    Metric::DenseVector,
    Metric::SparseVector,
];

/// The statistics of a group of shards, summed.
#[derive(Default)]
struct Sum {
    shards: u64,
    counters: CounterValues,
    docs: u64,
    deleted: u64,
    store: u64,
    segments: u64,
    translog_ops: u64,
    translog_bytes: u64,
    write_load: f64,
    /// The search counters of each `stats` group.
    groups: std::collections::BTreeMap<String, tensile_engine::stats::GroupValues>,
    /// The bytes of each loaded field data, and of each completion field.
    fielddata: std::collections::BTreeMap<String, u64>,
    completion: std::collections::BTreeMap<String, u64>,
    /// The segments' files by kind.
    files: std::collections::BTreeMap<String, FileSizes>,
}

/// The files of one kind over many segments.
#[derive(Default)]
struct FileSizes {
    count: u64,
    total: u64,
    min: u64,
    max: u64,
}

impl FileSizes {
    fn add(&mut self, bytes: u64) {
        self.min = if self.count == 0 { bytes } else { self.min.min(bytes) };
        self.max = self.max.max(bytes);
        self.count += 1;
        self.total += bytes;
    }

    fn json(&self, kind: &str) -> Value {
        json!({
            "size_in_bytes": self.total, "min_size_in_bytes": self.min, "max_size_in_bytes": self.max,
            "average_size_in_bytes": self.total / self.count.max(1), "count": self.count,
            "description": tensile_engine::stats::file_kind_description(kind),
        })
    }
}

/// Which per-name breakdowns the sections show, as patterns: `groups` of
/// the search counters, `fielddata_fields` and `completion_fields` (both
/// `fields` when not given); and whether segments show their files
/// (`include_segment_file_sizes`).
#[derive(Default)]
struct Breakdowns {
    groups: Vec<String>,
    fielddata: Vec<String>,
    completion: Vec<String>,
    file_sizes: bool,
}

impl Breakdowns {
    fn of(p: &params::IndicesStats) -> Breakdowns {
        let fields = p.fields.clone().unwrap_or_default();
        Breakdowns {
            groups: p.groups.clone().unwrap_or_default(),
            fielddata: p.fielddata_fields.clone().unwrap_or_else(|| fields.clone()),
            completion: p.completion_fields.clone().unwrap_or(fields),
            file_sizes: p.include_segment_file_sizes.unwrap_or(false),
        }
    }
}

/// The sizes of the names some pattern matches, each as `{key: bytes}`.
fn sizes_of(sizes: &std::collections::BTreeMap<String, u64>, patterns: &[String], key: &str) -> Map<String, Value> {
    sizes
        .iter()
        .filter(|(name, _)| patterns.iter().any(|p| tensile_engine::resolve::wildcard_match(p, name)))
        .map(|(name, bytes)| (name.clone(), json!({ key: bytes })))
        .collect()
}

impl Sum {
    fn add(&mut self, s: &ShardStats) {
        self.shards += 1;
        self.counters = self.counters.plus(&s.counters);
        self.docs += s.docs;
        self.deleted += s.deleted_docs;
        self.store += s.store_bytes;
        self.segments += s.segments.len() as u64;
        self.translog_ops += s.translog_operations;
        self.translog_bytes += s.translog_bytes;
        self.write_load += s.write_load();
        for (name, values) in &s.groups {
            let sum = self.groups.entry(name.clone()).or_default();
            *sum = sum.plus(values);
        }
        for (name, bytes) in &s.fielddata {
            *self.fielddata.entry(name.clone()).or_default() += bytes;
        }
        for (name, bytes) in &s.completion {
            *self.completion.entry(name.clone()).or_default() += bytes;
        }
        for (kind, bytes) in s.segments.iter().flat_map(|segment| &segment.files) {
            self.files.entry(kind.clone()).or_default().add(*bytes);
        }
    }

    fn of<'a>(shards: impl IntoIterator<Item = &'a ShardStats>) -> Sum {
        let mut sum = Sum::default();
        shards.into_iter().for_each(|s| sum.add(s));
        sum
    }

    /// One metric's section.
    fn section(&self, metric: Metric, shown: &Breakdowns) -> (&'static str, Value) {
        let groups = &shown.groups;
        let c = &self.counters;
        let ms = |k: Counter| c.millis(k);
        match metric {
            Metric::Docs => {
                ("docs", json!({"count": self.docs, "deleted": self.deleted, "total_size_in_bytes": self.store}))
            }
            Metric::ShardStats => ("shard_stats", json!({"total_count": self.shards})),
            Metric::Store => (
                "store",
                json!({"size_in_bytes": self.store, "total_data_set_size_in_bytes": self.store, "reserved_in_bytes": 0}),
            ),
            Metric::Indexing => (
                "indexing",
                json!({
                    "index_total": c.get(Counter::IndexTotal), "index_time_in_millis": ms(Counter::IndexTimeNanos),
                    "index_current": 0, "index_failed": c.get(Counter::IndexFailed),
                    "delete_total": c.get(Counter::DeleteTotal), "delete_time_in_millis": ms(Counter::DeleteTimeNanos),
                    "delete_current": 0, "noop_update_total": c.get(Counter::NoopUpdateTotal),
                    "is_throttled": false, "throttle_time_in_millis": 0,
                    "write_load": self.write_load, "write_load_avg": self.write_load,
                }),
            ),
            Metric::Get => (
                "get",
                json!({
                    "total": c.get(Counter::GetTotal), "time_in_millis": ms(Counter::GetTimeNanos),
                    "exists_total": c.get(Counter::GetExistsTotal), "exists_time_in_millis": ms(Counter::GetExistsTimeNanos),
                    "missing_total": c.get(Counter::GetMissingTotal), "missing_time_in_millis": ms(Counter::GetMissingTimeNanos),
                    "current": 0,
                }),
            ),
            Metric::Search => {
                let mut search = json!({
                    "open_contexts": c.get(Counter::ScrollCurrent) + c.get(Counter::PitCurrent),
                    "query_total": c.get(Counter::QueryTotal),
                    "query_time_in_millis": ms(Counter::QueryTimeNanos), "query_current": 0, "query_failure": 0,
                    "fetch_total": c.get(Counter::FetchTotal), "fetch_time_in_millis": ms(Counter::FetchTimeNanos),
                    "fetch_current": 0,
                    "fetch_failure": 0, "scroll_total": c.get(Counter::ScrollTotal),
                    "scroll_time_in_millis": ms(Counter::ScrollTimeNanos), "scroll_current": c.get(Counter::ScrollCurrent),
                    "suggest_total": c.get(Counter::SuggestTotal), "suggest_time_in_millis": ms(Counter::SuggestTimeNanos),
                    "suggest_current": 0, "recent_search_load": 0.0,
                });
                // `groups`: the counters of the `stats` groups the patterns name.
                let named: Map<String, Value> = self
                    .groups
                    .iter()
                    .filter(|(name, _)| groups.iter().any(|p| tensile_engine::resolve::wildcard_match(p, name)))
                    .map(|(name, g)| {
                        (
                            name.clone(),
                            json!({
                                "query_total": g.query_total, "query_time_in_millis": g.query_nanos / 1_000_000,
                                "query_current": 0, "query_failure": 0,
                                "fetch_total": g.fetch_total, "fetch_time_in_millis": g.fetch_nanos / 1_000_000,
                                "fetch_current": 0, "fetch_failure": 0,
                                "scroll_total": 0, "scroll_time_in_millis": 0, "scroll_current": 0,
                                "suggest_total": 0, "suggest_time_in_millis": 0, "suggest_current": 0,
                            }),
                        )
                    })
                    .collect();
                if !named.is_empty() {
                    search["groups"] = Value::Object(named);
                }
                ("search", search)
            }
            Metric::Merge => (
                "merges",
                json!({
                    "current": 0, "current_docs": 0, "current_size_in_bytes": 0,
                    "total": c.get(Counter::MergeTotal), "total_time_in_millis": ms(Counter::MergeTimeNanos),
                    "total_docs": c.get(Counter::MergeDocs), "total_size_in_bytes": 0,
                    "total_stopped_time_in_millis": 0, "total_throttled_time_in_millis": 0,
                    "total_auto_throttle_in_bytes": 0,
                }),
            ),
            Metric::Refresh => (
                "refresh",
                json!({
                    "total": c.get(Counter::RefreshTotal), "total_time_in_millis": ms(Counter::RefreshTimeNanos),
                    "external_total": c.get(Counter::ExternalRefreshTotal),
                    "external_total_time_in_millis": ms(Counter::ExternalRefreshTimeNanos), "listeners": 0,
                }),
            ),
            Metric::Flush => (
                "flush",
                json!({
                    "total": c.get(Counter::FlushTotal), "periodic": c.get(Counter::FlushPeriodic),
                    "total_time_in_millis": ms(Counter::FlushTimeNanos), "total_time_excluding_waiting_on_lock_in_millis": ms(Counter::FlushTimeNanos),
                }),
            ),
            Metric::Warmer => ("warmer", json!({"current": 0, "total": 0, "total_time_in_millis": 0})),
            Metric::QueryCache => (
                "query_cache",
                json!({"memory_size_in_bytes": 0, "total_count": 0, "hit_count": 0, "miss_count": 0,
                       "cache_size": 0, "cache_count": 0, "evictions": 0}),
            ),
            Metric::Fielddata => {
                let total: u64 = self.fielddata.values().sum();
                let mut section = json!({"memory_size_in_bytes": total, "evictions": 0, "global_ordinals": {"build_time_in_millis": 0}});
                if !shown.fielddata.is_empty() {
                    section["fields"] =
                        Value::Object(sizes_of(&self.fielddata, &shown.fielddata, "memory_size_in_bytes"));
                }
                ("fielddata", section)
            }
            Metric::Completion => {
                let mut section = json!({"size_in_bytes": self.completion.values().sum::<u64>()});
                if !shown.completion.is_empty() {
                    section["fields"] = Value::Object(sizes_of(&self.completion, &shown.completion, "size_in_bytes"));
                }
                ("completion", section)
            }
            Metric::Segments => {
                let files: Map<String, Value> = match shown.file_sizes {
                    true => self.files.iter().map(|(kind, sizes)| (kind.clone(), sizes.json(kind))).collect(),
                    false => Map::new(),
                };
                (
                    "segments",
                    json!({
                        "count": self.segments, "memory_in_bytes": 0, "terms_memory_in_bytes": 0,
                        "stored_fields_memory_in_bytes": 0, "term_vectors_memory_in_bytes": 0, "norms_memory_in_bytes": 0,
                        "points_memory_in_bytes": 0, "doc_values_memory_in_bytes": 0, "index_writer_memory_in_bytes": 0,
                        "version_map_memory_in_bytes": 0, "fixed_bit_set_memory_in_bytes": 0,
                        "max_unsafe_auto_id_timestamp": -1, "file_sizes": files,
                    }),
                )
            }
            Metric::Translog => (
                "translog",
                json!({
                    "operations": self.translog_ops, "size_in_bytes": self.translog_bytes,
                    "uncommitted_operations": self.translog_ops, "uncommitted_size_in_bytes": self.translog_bytes,
                    "earliest_last_modified_age": 0,
                }),
            ),
            Metric::RequestCache => {
                ("request_cache", json!({"memory_size_in_bytes": 0, "evictions": 0, "hit_count": 0, "miss_count": 0}))
            }
            Metric::Recovery => {
                ("recovery", json!({"current_as_source": 0, "current_as_target": 0, "throttle_time_in_millis": 0}))
            }
            Metric::Bulk => {
                let (ops, millis, bytes) =
                    (c.get(Counter::BulkTotal), ms(Counter::BulkTimeNanos), c.get(Counter::BulkBytes));
                let avg = |total: u64| total.checked_div(ops).unwrap_or(0);
                (
                    "bulk",
                    json!({"total_operations": ops, "total_time_in_millis": millis, "total_size_in_bytes": bytes,
                           "avg_time_in_millis": avg(millis), "avg_size_in_bytes": avg(bytes)}),
                )
            }
            Metric::DenseVector => ("dense_vector", json!({"value_count": 0})),
            Metric::SparseVector => ("sparse_vector", json!({"value_count": 0})),
            Metric::Mappings => ("mappings", json!({"total_count": 0, "total_estimated_overhead_in_bytes": 0})),
            Metric::All => ("_all", Value::Null),
        }
    }

    fn json(&self, metrics: &[Metric], shown: &Breakdowns) -> Value {
        Value::Object(metrics.iter().map(|m| self.section(*m, shown)).map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

fn metrics(asked: Option<&[Metric]>) -> Result<Vec<Metric>, EsError> {
    match asked {
        None => Ok(DEFAULT.to_vec()),
        Some(list) if list.contains(&Metric::All) => {
            if list.len() > 1 {
                return Err(EsError::illegal_argument(
                    "request [/_stats] contains _all and individual metrics [_all,...]",
                ));
            }
            Ok(DEFAULT.to_vec())
        }
        Some(list) => Ok(list.to_vec()),
    }
}

/// The indices a request names, with the statistics of their shards; a
/// closed index's shards report nothing.
fn indices_stats(
    node: &Node,
    index: &Option<Vec<String>>,
    opts: IndicesOptions,
    include_closed: bool,
    unloaded_segments: bool,
) -> Result<Vec<(IndexMetadata, Vec<ShardStats>)>, EsError> {
    let names = node.engine.resolve(index.as_deref().unwrap_or_default(), opts).map_err(es_error)?;
    let mut out = Vec::new();
    for name in names {
        let Ok(meta) = node.engine.index_metadata(&name) else { continue };
        match node.engine.shard_stats(&name) {
            Ok(stats) => out.push((meta, stats)),
            Err(tensile_engine::EngineError::IndexClosed { .. }) if !include_closed => {}
            Err(tensile_engine::EngineError::IndexClosed { .. }) => {
                let on_disk = if unloaded_segments {
                    node.engine.closed_segment_counts(&name).map_err(es_error)?
                } else {
                    Vec::new()
                };
                let idle = (0..meta.number_of_shards())
                    .map(|shard| {
                        let segments = on_disk.get(shard as usize).copied().unwrap_or(0);
                        let segments = vec![tensile_engine::stats::SegmentStats::default(); segments];
                        ShardStats { shard, max_seq_no: -1, segments, ..ShardStats::default() }
                    })
                    .collect();
                out.push((meta, idle));
            }
            Err(e) => return Err(es_error(e)),
        }
    }
    Ok(out)
}

/// What a shard copy reports at `level=shards` besides its metrics.
fn shard_extras(node: &Node, meta: &IndexMetadata, s: &ShardStats, copy: &mut Value) {
    let generation = s.counters.get(Counter::Commits);
    copy["routing"] = routing(node);
    copy["commit"] = json!({
        "id": format!("{}-{}-{generation}", meta.uuid, s.shard),
        "generation": generation,
        "user_data": {"max_seq_no": s.max_seq_no.to_string(), "local_checkpoint": s.max_seq_no.to_string()},
        "num_docs": s.docs,
    });
    copy["seq_no"] =
        json!({"max_seq_no": s.max_seq_no, "local_checkpoint": s.max_seq_no, "global_checkpoint": s.max_seq_no});
    copy["shard_path"] = json!({
        "state_path": node.engine.data_path(), "data_path": node.engine.data_path(), "is_custom_data_path": false,
    });
    copy["search_idle"] = json!(false);
    copy["search_idle_time"] = json!(0);
}

fn shards_header(indices: &[(IndexMetadata, Vec<ShardStats>)]) -> Value {
    let total: u32 = indices.iter().map(|(m, _)| m.number_of_shards() * (1 + m.number_of_replicas())).sum();
    let successful: usize = indices.iter().map(|(_, s)| s.len()).sum();
    json!({"total": total, "successful": successful, "failed": 0})
}

/// A shard copy's `routing`, as the primary on this node.
fn routing(node: &Node) -> Value {
    json!({"state": "STARTED", "primary": true, "node": node.engine.node().node_id, "relocating_node": null})
}

pub fn stats<'a>(node: &'a Node, req: Request<params::IndicesStats>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let metrics = metrics(p.metric.as_deref())?;
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let indices = indices_stats(
            node,
            &p.index,
            opts,
            p.forbid_closed_indices == Some(false),
            p.include_unloaded_segments.unwrap_or(false),
        )?;
        let all = Sum::of(indices.iter().flat_map(|(_, s)| s));
        let shown = Breakdowns::of(p);
        let level = p.level.unwrap_or(Level::Indices);
        let mut body = Map::new();
        body.insert("_shards".into(), shards_header(&indices));
        body.insert(
            "_all".into(),
            json!({"primaries": all.json(&metrics, &shown), "total": all.json(&metrics, &shown)}),
        );
        if level != Level::Cluster {
            let mut per_index = Map::new();
            for (meta, shards) in &indices {
                let sum = Sum::of(shards);
                let open = meta.state == tensile_engine::IndexState::Open;
                let health = if !open {
                    "red"
                } else if meta.number_of_replicas() > 0 {
                    "yellow"
                } else {
                    "green"
                };
                let created: Option<i64> = meta.setting("index.creation_date").and_then(|d| d.parse().ok());
                let mut entry = json!({
                    "uuid": meta.uuid, "health": health, "status": if open { "open" } else { "close" },
                    "creation_date": created, "tier_preference": "data_content",
                    "primaries": sum.json(&metrics, &shown), "total": sum.json(&metrics, &shown),
                });
                if level == Level::Shards {
                    let table: Map<String, Value> = shards
                        .iter()
                        .map(|s| {
                            let mut copy = Sum::of([s]).json(&metrics, &shown);
                            shard_extras(node, meta, s, &mut copy);
                            (s.shard.to_string(), json!([copy]))
                        })
                        .collect();
                    entry["shards"] = Value::Object(table);
                }
                per_index.insert(meta.name.clone(), entry);
            }
            body.insert("indices".into(), Value::Object(per_index));
        }
        Ok(Response::json(Value::Object(body)))
    })();
    ready(result)
}

pub fn segments<'a>(node: &'a Node, req: Request<params::IndicesSegments>) -> HandlerFuture<'a> {
    let p = &req.params;
    let result = (|| {
        let opts = crate::indices::options(IndicesOptions::STRICT_EXPAND_OPEN, p);
        let indices = indices_stats(node, &p.index, opts, false, false)?;
        let mut per_index = Map::new();
        for (meta, shards) in &indices {
            let table: Map<String, Value> = shards
                .iter()
                .map(|s| {
                    let segments: Map<String, Value> = s
                        .segments
                        .iter()
                        .map(|seg| {
                            let entry = json!({
                                "generation": seg.generation, "num_docs": seg.num_docs, "deleted_docs": seg.deleted_docs,
                                "size_in_bytes": seg.size_in_bytes, "committed": true, "search": true,
                                "version": "tantivy-0.27", "compound": false, "attributes": {},
                            });
                            (seg.name.clone(), entry)
                        })
                        .collect();
                    let copy = json!({
                        "routing": routing(node), "num_committed_segments": segments.len(),
                        "num_search_segments": segments.len(), "segments": segments,
                    });
                    (s.shard.to_string(), json!([copy]))
                })
                .collect();
            per_index.insert(meta.name.clone(), json!({"shards": table}));
        }
        Ok(Response::json(json!({"_shards": shards_header(&indices), "indices": per_index})))
    })();
    ready(result)
}
