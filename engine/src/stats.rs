//! What a shard counts (writes, reads, refreshes, flushes, merges) and the
//! statistics `_stats` and `_segments` report from it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// One counter of a shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    IndexTotal,
    IndexTimeNanos,
    IndexFailed,
    DeleteTotal,
    DeleteTimeNanos,
    NoopUpdateTotal,
    GetTotal,
    GetTimeNanos,
    GetExistsTotal,
    GetExistsTimeNanos,
    GetMissingTotal,
    GetMissingTimeNanos,
    RefreshTotal,
    RefreshTimeNanos,
    ExternalRefreshTotal,
    ExternalRefreshTimeNanos,
    FlushTotal,
    FlushPeriodic,
    FlushTimeNanos,
    MergeTotal,
    MergeTimeNanos,
    MergeDocs,
    /// Commits of the shard's tantivy index (refreshes, flushes, merges).
    Commits,
    QueryTotal,
    QueryTimeNanos,
    FetchTotal,
    FetchTimeNanos,
    /// The shard's part of `_bulk` requests: one a request that wrote to
    /// it, with the time and the bytes of its items.
    BulkTotal,
    BulkTimeNanos,
    BulkBytes,
    /// Scroll contexts over the shard: freed ones, the time they were
    /// open, and the open ones now.
    ScrollTotal,
    ScrollTimeNanos,
    ScrollCurrent,
    /// Points in time open over the shard.
    PitCurrent,
    /// Searches with suggestions over the shard, and their time.
    SuggestTotal,
    SuggestTimeNanos,
}

const COUNTERS: usize = Counter::SuggestTimeNanos as usize + 1;

/// A shard's counters, updated without locks; and the search counters of
/// each `stats` group searches name (behind a lock, as groups come and go).
#[derive(Debug)]
pub struct Counters([AtomicU64; COUNTERS], std::sync::Mutex<BTreeMap<String, GroupValues>>);

impl Default for Counters {
    fn default() -> Counters {
        Counters(std::array::from_fn(|_| AtomicU64::new(0)), Default::default())
    }
}

/// One `stats` group's search counters: queries and fetches with their nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupValues {
    pub query_total: u64,
    pub query_nanos: u64,
    pub fetch_total: u64,
    pub fetch_nanos: u64,
}

impl GroupValues {
    pub fn plus(&self, o: &GroupValues) -> GroupValues {
        GroupValues {
            query_total: self.query_total + o.query_total,
            query_nanos: self.query_nanos + o.query_nanos,
            fetch_total: self.fetch_total + o.fetch_total,
            fetch_nanos: self.fetch_nanos + o.fetch_nanos,
        }
    }
}

impl Counters {
    pub fn add(&self, counter: Counter, n: u64) {
        self.0[counter as usize].fetch_add(n, Ordering::Relaxed);
    }

    /// Takes `n` back from a gauge (such as the open scroll contexts).
    pub fn sub(&self, counter: Counter, n: u64) {
        self.0[counter as usize].fetch_sub(n, Ordering::Relaxed);
    }

    /// Counts a query (or, `fetch`, a fetch) phase since `start` for each group.
    pub fn grouped(&self, groups: &[String], fetch: bool, start: Instant) {
        if groups.is_empty() {
            return;
        }
        let nanos = start.elapsed().as_nanos() as u64;
        let mut map = self.1.lock().unwrap_or_else(|p| p.into_inner());
        for g in groups {
            let v = map.entry(g.clone()).or_default();
            if fetch {
                v.fetch_total += 1;
                v.fetch_nanos += nanos;
            } else {
                v.query_total += 1;
                v.query_nanos += nanos;
            }
        }
    }

    /// Each group's counters.
    pub fn groups(&self) -> BTreeMap<String, GroupValues> {
        self.1.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Counts one event of `total` and the time since `start` in `time`.
    pub fn timed(&self, total: Counter, time: Counter, start: Instant) {
        self.add(total, 1);
        self.add(time, start.elapsed().as_nanos() as u64);
    }

    pub fn snapshot(&self) -> CounterValues {
        CounterValues(std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed)))
    }
}

/// The counters' values at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterValues([u64; COUNTERS]);

impl Default for CounterValues {
    fn default() -> CounterValues {
        CounterValues([0; COUNTERS])
    }
}

impl CounterValues {
    pub fn get(&self, counter: Counter) -> u64 {
        self.0[counter as usize]
    }

    /// A time counter in milliseconds.
    pub fn millis(&self, counter: Counter) -> u64 {
        self.get(counter) / 1_000_000
    }

    /// The sum of two shards' values.
    pub fn plus(&self, other: &CounterValues) -> CounterValues {
        CounterValues(std::array::from_fn(|i| self.0[i] + other.0[i]))
    }
}

/// One segment of a shard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentStats {
    /// `_0`, `_1`...: the generation of the segment, in base 36, as Lucene names them.
    pub name: String,
    pub generation: u64,
    pub num_docs: u64,
    pub deleted_docs: u64,
    pub size_in_bytes: u64,
    /// The bytes of each of the segment's files, by kind (extension).
    pub files: BTreeMap<String, u64>,
}

/// What a kind of segment file holds (tantivy's files, named as
/// `segments.file_sizes` describes Lucene's). `si`, Lucene's segment info
/// file, is the segment's record in tantivy's shared `meta.json`.
pub fn file_kind_description(kind: &str) -> &'static str {
    match kind {
        "si" => "Segment Info",
        "term" => "Term Dictionary",
        "idx" => "Postings",
        "pos" => "Positions",
        "store" => "Stored Fields",
        "fast" => "Columnar Values",
        "fieldnorm" => "Field Norms",
        "del" => "Deleted Documents",
        _ => "Others",
    }
}

/// A shard's statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardStats {
    pub shard: u32,
    pub counters: CounterValues,
    /// The search counters of each `stats` group.
    pub groups: BTreeMap<String, GroupValues>,
    /// Live documents visible to search.
    pub docs: u64,
    pub deleted_docs: u64,
    pub store_bytes: u64,
    pub segments: Vec<SegmentStats>,
    pub translog_operations: u64,
    pub translog_bytes: u64,
    /// The highest sequence number written; -1 before the first write.
    pub max_seq_no: i64,
    /// How long the shard has been open.
    pub uptime_nanos: u64,
    /// The bytes of each loaded text field's field data.
    pub fielddata: BTreeMap<String, u64>,
    /// The bytes of each completion field's suggestions.
    pub completion: BTreeMap<String, u64>,
}

impl ShardStats {
    /// The share of the shard's open time spent indexing.
    pub fn write_load(&self) -> f64 {
        if self.uptime_nanos == 0 {
            return 0.0;
        }
        self.counters.get(Counter::IndexTimeNanos) as f64 / self.uptime_nanos as f64
    }
}

/// A number in base 36, as Lucene writes segment generations.
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// The bytes of every file under a folder.
pub fn folder_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_names() {
        let c = Counters::default();
        c.add(Counter::IndexTotal, 2);
        c.add(Counter::RefreshTimeNanos, 3_000_000);
        let v = c.snapshot();
        assert_eq!((v.get(Counter::IndexTotal), v.millis(Counter::RefreshTimeNanos)), (2, 3));
        assert_eq!(v.plus(&v).get(Counter::IndexTotal), 4);
        assert_eq!((base36(0), base36(35), base36(36)), ("0".into(), "z".into(), "10".into()));
    }
}
