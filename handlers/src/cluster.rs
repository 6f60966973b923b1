//! `GET /_cluster/health`: the health of a single node. Primaries are
//! always active; replicas can never be assigned (no second node), so an
//! index with replicas is yellow, as on a one-node Elasticsearch cluster.
//! Nothing on one node changes health by waiting, so a `wait_for_status`,
//! `wait_for_nodes` or `wait_for_active_shards` that is not met times out
//! at once (408, `timed_out: true`).

use crate::node::Node;
use serde_json::{json, Map, Value};
use tensile_engine::{IndexMetadata, IndicesOptions};
use tensile_generated::params::{self, Level, WaitForStatus};
use tensile_rest::{ready, EsError, HandlerFuture, Request, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Health {
    Green,
    Yellow,
    Red,
}

impl Health {
    fn as_str(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Yellow => "yellow",
            Health::Red => "red",
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    primaries: u64,
    unassigned: u64,
}

fn replicas(index: &IndexMetadata) -> u64 {
    u64::from(index.number_of_replicas())
}

fn index_counts(index: &IndexMetadata) -> Counts {
    let shards = u64::from(index.number_of_shards());
    Counts { primaries: shards, unassigned: shards * replicas(index) }
}

fn health_of(c: Counts) -> Health {
    if c.unassigned > 0 {
        Health::Yellow
    } else {
        Health::Green
    }
}

fn shard_table(index: &IndexMetadata) -> Value {
    let r = replicas(index);
    let status = if r > 0 { "yellow" } else { "green" };
    let shards: Map<String, Value> = (0..index.number_of_shards())
        .map(|i| {
            let entry = json!({
                "status": status, "primary_active": true, "active_shards": 1, "relocating_shards": 0,
                "initializing_shards": 0, "unassigned_shards": r, "unassigned_primary_shards": 0
            });
            (i.to_string(), entry)
        })
        .collect();
    Value::Object(shards)
}

/// Whether `nodes` meets `wait_for_nodes`: `N`, `>=N`, `<=N`, `>N`, `<N`,
/// or `ge(N)`, `le(N)`, `gt(N)`, `lt(N)`.
fn nodes_meet(spec: &str, nodes: u64) -> Result<bool, EsError> {
    let spec = spec.trim();
    let function = |name: &str| spec.strip_prefix(name).and_then(|rest| rest.strip_prefix('(')?.strip_suffix(')'));
    let (wanted, test): (&str, fn(u64, u64) -> bool) =
        if let Some(n) = spec.strip_prefix(">=").or_else(|| function("ge")) {
            (n, |have, n| have >= n)
        } else if let Some(n) = spec.strip_prefix("<=").or_else(|| function("le")) {
            (n, |have, n| have <= n)
        } else if let Some(n) = spec.strip_prefix('>').or_else(|| function("gt")) {
            (n, |have, n| have > n)
        } else if let Some(n) = spec.strip_prefix('<').or_else(|| function("lt")) {
            (n, |have, n| have < n)
        } else {
            (spec, |have, n| have == n)
        };
    let n = wanted
        .trim()
        .parse::<u64>()
        .map_err(|_| EsError::illegal_argument(format!("cannot parse wait_for_nodes [{spec}]")))?;
    Ok(test(nodes, n))
}

/// Whether the shards meet `wait_for_active_shards`: `all` of their
/// copies, or at least a number of them.
fn active_shards_meet(spec: &str, counts: Counts) -> Result<bool, EsError> {
    match spec {
        "all" => Ok(counts.unassigned == 0),
        n => match n.parse::<i64>() {
            Ok(n) if n < 0 => Err(EsError::illegal_argument("shard count cannot be a negative value")),
            Ok(n) => Ok(counts.primaries >= n as u64),
            Err(_) => Err(EsError::illegal_argument(format!("cannot parse ActiveShardCount[{spec}]"))),
        },
    }
}

pub fn health<'a>(node: &'a Node, req: Request<params::ClusterHealth>) -> HandlerFuture<'a> {
    let p = &req.params;
    // Lenient, as Elasticsearch's: a pattern nothing matches (or that
    // `expand_wildcards: none` keeps from matching) selects nothing; a named
    // index that does not exist makes the health red.
    let opts = IndicesOptions { ignore_unavailable: true, ..IndicesOptions::STRICT_EXPAND_OPEN }.with_expand_wildcards(
        p.expand_wildcards.as_ref().map_or(vec!["all"], |v| v.iter().map(|x| x.as_str()).collect()),
    );
    let requested = p.index.as_deref().unwrap_or_default();
    let meta = node.engine.metadata();
    let missing = requested.iter().any(|name| {
        let name = tensile_engine::date_math_name::resolve_expression(name).unwrap_or_else(|_| name.clone());
        !name.contains('*') && name != "_all" && !meta.indices.contains_key(&name) && !meta.is_alias(&name)
    });
    drop(meta);
    let selected = if missing {
        Err(tensile_engine::EngineError::IndexNotFound { name: requested.join(",") })
    } else {
        node.engine.resolve(requested, opts)
    };
    let meta = node.engine.metadata();
    let indices: Vec<&IndexMetadata> = match &selected {
        Ok(names) => names.iter().filter_map(|n| meta.indices.get(n)).collect(),
        Err(_) => Vec::new(),
    };
    let mut total = Counts::default();
    for index in &indices {
        let c = index_counts(index);
        total.primaries += c.primaries;
        total.unassigned += c.unassigned;
    }
    let status = if selected.is_err() { Health::Red } else { health_of(total) };
    let wanted = match p.wait_for_status {
        Some(WaitForStatus::Green) => Some(Health::Green),
        Some(WaitForStatus::Yellow) => Some(Health::Yellow),
        Some(WaitForStatus::Red) => Some(Health::Red),
        _ => None,
    };
    let nodes_met = match p.wait_for_nodes.as_deref().filter(|n| !n.is_empty()) {
        Some(spec) => match nodes_meet(spec, 1) {
            Ok(met) => met,
            Err(e) => return ready(Err(e)),
        },
        None => true,
    };
    let shards_met = match p.wait_for_active_shards.as_deref().filter(|n| !n.is_empty()) {
        Some(spec) => match active_shards_meet(spec, total) {
            Ok(met) => met,
            Err(e) => return ready(Err(e)),
        },
        None => true,
    };
    let timed_out = selected.is_err() || wanted.is_some_and(|w| status > w) || !nodes_met || !shards_met;
    let percent = if total.primaries + total.unassigned == 0 {
        100.0
    } else {
        100.0 * total.primaries as f64 / (total.primaries + total.unassigned) as f64
    };
    let mut body = json!({
        "cluster_name": node.settings.cluster_name,
        "status": status.as_str(),
        "timed_out": timed_out,
        "number_of_nodes": 1,
        "number_of_data_nodes": 1,
        "active_primary_shards": total.primaries,
        "active_shards": total.primaries,
        "relocating_shards": 0,
        "initializing_shards": 0,
        "unassigned_shards": total.unassigned,
        "unassigned_primary_shards": 0,
        "delayed_unassigned_shards": 0,
        "number_of_pending_tasks": 0,
        "number_of_in_flight_fetch": 0,
        "task_max_waiting_in_queue_millis": 0,
        "active_shards_percent_as_number": percent,
    });
    if matches!(p.level, Some(Level::Indices | Level::Shards)) {
        let per_index: Map<String, Value> = indices
            .iter()
            .map(|index| {
                let c = index_counts(index);
                let mut entry = json!({
                    "status": health_of(c).as_str(),
                    "number_of_shards": index.number_of_shards(),
                    "number_of_replicas": replicas(index),
                    "active_primary_shards": c.primaries,
                    "active_shards": c.primaries,
                    "relocating_shards": 0,
                    "initializing_shards": 0,
                    "unassigned_shards": c.unassigned,
                    "unassigned_primary_shards": 0,
                });
                if p.level == Some(Level::Shards) {
                    entry["shards"] = shard_table(index);
                }
                (index.name.clone(), entry)
            })
            .collect();
        body["indices"] = Value::Object(per_index);
    }
    ready(Ok(Response::json_with_status(if timed_out { 408 } else { 200 }, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_for_nodes_reads_every_comparison() {
        for (spec, met) in [("1", true), ("2", false), (">=1", true), ("ge(2)", false), ("<=1", true), ("le(0)", false)]
        {
            assert_eq!(nodes_meet(spec, 1).unwrap(), met, "{spec}");
        }
        for (spec, met) in [(">0", true), ("gt(1)", false), ("<2", true), ("lt(1)", false)] {
            assert_eq!(nodes_meet(spec, 1).unwrap(), met, "{spec}");
        }
        assert!(nodes_meet(">=x", 1).is_err());
    }

    #[test]
    fn wait_for_active_shards_counts_active_copies() {
        let counts = Counts { primaries: 2, unassigned: 1 };
        assert!(active_shards_meet("2", counts).unwrap());
        assert!(!active_shards_meet("3", counts).unwrap());
        assert!(!active_shards_meet("all", counts).unwrap());
        assert!(active_shards_meet("all", Counts { primaries: 2, unassigned: 0 }).unwrap());
        assert!(active_shards_meet("-1", counts).is_err());
    }
}
