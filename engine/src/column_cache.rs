//! The `_seq_no` and `_version` columns of each of a shard's segments,
//! opened once rather than by every search that collects from the segment
//! (sequence numbers order hits that tie; both are read for each fetched
//! hit): opening a column decodes its block index, which took a tenth of a
//! short query's time. A refresh drops the segments it left behind,
//! so that no merged-away segment's file stays mapped for long.

use rustc_hash::FxHashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// A segment's `_seq_no` and `_version` columns (`None` when it has none).
#[derive(Clone, Default)]
pub struct IdentityColumns {
    pub seq_no: Option<Column<u64>>,
    pub version: Option<Column<u64>>,
}

/// Each segment's identity columns.
#[derive(Default)]
pub struct ColumnCache {
    segments: Mutex<FxHashMap<SegmentId, IdentityColumns>>,
}

impl ColumnCache {
    fn lock(&self) -> MutexGuard<'_, FxHashMap<SegmentId, IdentityColumns>> {
        self.segments.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The segment's columns, opened the first time they are asked for,
    /// and kept when the segment is `current` (one the shard's searcher
    /// reads: a scroll's or a point in time's older segments are not kept,
    /// lest a merged-away segment's file stay mapped). `current` is asked
    /// under the cache's lock, which [`ColumnCache::retain`]
    /// takes after each new searcher: no entry outlives its segment.
    pub fn of(&self, segment: &SegmentReader, current: impl Fn() -> bool) -> IdentityColumns {
        let id = segment.segment_id();
        if let Some(columns) = self.lock().get(&id) {
            return columns.clone();
        }
        let fast = segment.fast_fields();
        let columns = IdentityColumns { seq_no: fast.u64("_seq_no").ok(), version: fast.u64("_version").ok() };
        let mut cache = self.lock();
        if current() {
            cache.insert(id, columns.clone());
        }
        columns
    }

    /// Keeps the columns of the segments `searcher` reads, drops the rest
    /// (a search on an older view opens them again).
    pub fn retain(&self, searcher: &Searcher) {
        let live = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect::<Vec<_>>();
        self.lock().retain(|id, _| live.contains(id));
    }
}
