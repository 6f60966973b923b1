//! Sums over a segment's values that queries weigh by (a text field's
//! documents and tokens, a rank feature's logarithms), computed once per
//! segment: segments are immutable, so a sum holds until they merge away.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use tantivy::index::SegmentId;
use tantivy::SegmentReader;

static SUMS: LazyLock<Mutex<HashMap<(SegmentId, String), (f64, f64)>>> = LazyLock::new(Default::default);

/// The pair of sums `compute` gives for a segment under `key` (which names
/// what is summed), computed the first time only.
pub(crate) fn cached(segment: &SegmentReader, key: &str, compute: impl FnOnce() -> (f64, f64)) -> (f64, f64) {
    let key = (segment.segment_id(), key.to_owned());
    if let Some(sums) = SUMS.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return *sums;
    }
    let sums = compute();
    let mut cache = SUMS.lock().unwrap_or_else(|p| p.into_inner());
    // Merged-away segments leave their entries: start over now and then.
    if cache.len() > 100_000 {
        cache.clear();
    }
    cache.insert(key, sums);
    sums
}
