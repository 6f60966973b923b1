//! The request circuit breaker over `_msearch`: every search's answer is
//! held until the last one is done, and their estimated sizes together may
//! not pass `indices.breaker.request.limit`. A search whose answer would
//! pass it answers 429 `circuit_breaking_exception` in its place; the
//! others still answer. The limit is a byte size, or a percentage of the
//! machine's memory (Tensile has no JVM heap to take it of; 60% by
//! default). The estimate is Elasticsearch's: 512 bytes an answer, 400 a
//! hit, and each hit's source as written.

use crate::node::Node;
use serde_json::Value;
use tensile_rest::EsError;

const SETTING: &str = "indices.breaker.request.limit";
/// What an answer costs besides its hits.
const PER_ANSWER: u64 = 512;
/// What a hit costs besides its source.
const PER_HIT: u64 = 400;

/// The bytes held so far under a limit.
pub struct RequestBreaker {
    limit: Option<u64>,
    held: u64,
}

impl RequestBreaker {
    /// The breaker of one request, with the node's current limit.
    pub fn new(node: &Node) -> RequestBreaker {
        RequestBreaker { limit: limit(&node.engine.cluster_setting(SETTING), machine_memory()), held: 0 }
    }

    /// Holds an answer's bytes, or refuses them when they would pass the limit.
    pub fn hold(&mut self, answer: &Value, label: &str) -> Result<(), EsError> {
        let wanted = self.held + estimate(answer);
        match self.limit {
            Some(limit) if wanted > limit => Err(EsError::new(
                429,
                "circuit_breaking_exception",
                format!(
                    "[request] Data too large, data for [{label}] would be [{wanted}/{}], which is larger than the limit of [{limit}/{}]",
                    human(wanted),
                    human(limit)
                ),
            )
            .with_metadata("bytes_wanted", wanted)
            .with_metadata("bytes_limit", limit)
            .with_metadata("durability", "TRANSIENT")),
            _ => {
                self.held = wanted;
                Ok(())
            }
        }
    }
}

/// An answer's estimated size in memory.
fn estimate(answer: &Value) -> u64 {
    let hits = answer["hits"]["hits"].as_array().map_or(&[][..], Vec::as_slice);
    PER_ANSWER + hits.iter().map(|hit| PER_HIT + written_len(&hit["_source"])).sum::<u64>()
}

/// The length of a value written as JSON (nothing for none).
fn written_len(value: &Value) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    if value.is_null() {
        return 0;
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_or(0, |()| count.0)
}

/// The limit a setting's text names: a byte size, or a percentage of
/// `memory`; none when it cannot be read.
fn limit(text: &str, memory: Option<u64>) -> Option<u64> {
    match text.trim().strip_suffix('%') {
        Some(percent) => {
            let percent: f64 = percent.trim().parse().ok()?;
            Some((memory? as f64 * percent / 100.0) as u64)
        }
        None => tensile_rest::ByteSize::parse(SETTING, text).ok().and_then(|b| u64::try_from(b.bytes()).ok()),
    }
}

/// The machine's memory, from `/proc/meminfo`.
fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.trim_start_matches("MemTotal:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Bytes as Elasticsearch writes them in messages: one decimal at most, in
/// the largest unit that keeps a whole part (`61.5kb`).
fn human(bytes: u64) -> String {
    let units = [("pb", 1u64 << 50), ("tb", 1 << 40), ("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)];
    match units.iter().find(|(_, size)| bytes >= *size) {
        Some((unit, size)) => {
            let text = format!("{:.1}", bytes as f64 / *size as f64);
            format!("{}{unit}", text.strip_suffix(".0").unwrap_or(&text))
        }
        None => format!("{bytes}b"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_are_byte_sizes_or_shares_of_memory() {
        assert_eq!(limit("63000b", None), Some(63_000));
        assert_eq!(limit("1kb", None), Some(1024));
        assert_eq!(limit("60%", Some(1000)), Some(600));
        assert_eq!(limit("60%", None), None);
        assert_eq!(limit("lots", Some(1000)), None);
    }

    #[test]
    fn answers_are_estimated_by_their_hits_and_sources() {
        let answer = json!({"hits": {"hits": [{"_source": {}}, {"_source": {"a": 1}}, {"_id": "x"}]}});
        assert_eq!(estimate(&answer), 512 + 3 * 400 + 2 + 7);
        assert_eq!(estimate(&json!({"error": {}})), 512);
    }

    #[test]
    fn the_breaker_trips_past_its_limit_and_keeps_what_it_held() {
        let mut breaker = RequestBreaker { limit: Some(1500), held: 0 };
        let answer = json!({"hits": {"hits": [{"_source": {}}]}});
        assert!(breaker.hold(&answer, "msearch").is_ok());
        let tripped = breaker.hold(&answer, "msearch").unwrap_err();
        let body = tripped.to_json(false);
        assert_eq!((tripped.status, &body["error"]["type"]), (429, &json!("circuit_breaking_exception")));
        assert_eq!((&body["error"]["bytes_wanted"], &body["error"]["durability"]), (&json!(1828), &json!("TRANSIENT")));
        assert_eq!(breaker.held, 914);
        assert_eq!(human(65_024), "63.5kb");
        assert_eq!(human(63_000), "61.5kb");
        assert_eq!(human(1 << 20), "1mb");
    }
}
