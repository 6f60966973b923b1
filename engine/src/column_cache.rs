//! The `_seq_no` column of each of a shard's segments, opened once rather
//! than by every search that collects from the segment (it orders hits
//! that tie): opening a column decodes its block index, which took a tenth
//! of a short query's time. A refresh drops the segments it left behind,
//! so that no merged-away segment's file stays mapped for long.

use rustc_hash::FxHashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// Each segment's `_seq_no` column (`None` when it has none).
#[derive(Default)]
pub struct ColumnCache {
    seq_nos: Mutex<FxHashMap<SegmentId, Option<Column<u64>>>>,
}

impl ColumnCache {
    fn lock(&self) -> MutexGuard<'_, FxHashMap<SegmentId, Option<Column<u64>>>> {
        self.seq_nos.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The segment's `_seq_no` column, opened the first time it is asked
    /// for, and kept when the segment is `current` (one the shard's
    /// searcher reads: a scroll's or a point in time's older segments are
    /// not kept, lest a merged-away segment's file stay mapped). `current`
    /// is asked under the cache's lock, which [`ColumnCache::retain`]
    /// takes after each new searcher: no entry outlives its segment.
    pub fn seq_no(&self, segment: &SegmentReader, current: impl Fn() -> bool) -> Option<Column<u64>> {
        let id = segment.segment_id();
        if let Some(column) = self.lock().get(&id) {
            return column.clone();
        }
        let column = segment.fast_fields().u64("_seq_no").ok();
        let mut cache = self.lock();
        if current() {
            cache.insert(id, column.clone());
        }
        column
    }

    /// Keeps the columns of the segments `searcher` reads, drops the rest
    /// (a search on an older view opens them again).
    pub fn retain(&self, searcher: &Searcher) {
        let live = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect::<Vec<_>>();
        self.lock().retain(|id, _| live.contains(id));
    }
}
