//! Values computed once per segment and kept (a text field's documents
//! and tokens, a rank feature's logarithms, the latest `@timestamp`):
//! segments are immutable, so a value holds until they merge away.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use tantivy::index::SegmentId;
use tantivy::SegmentReader;

type Cache = HashMap<(SegmentId, String), Arc<dyn Any + Send + Sync>>;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

/// The value `compute` gives for a segment under `key` (which names what
/// is computed, and so its type), computed the first time only.
pub(crate) fn cached<T: Clone + Send + Sync + 'static>(
    segment: &SegmentReader,
    key: &str,
    compute: impl FnOnce() -> T,
) -> T {
    let key = (segment.segment_id(), key.to_owned());
    let found = CACHE.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
    if let Some(value) = found.and_then(|v| v.downcast_ref::<T>().cloned()) {
        return value;
    }
    let value = compute();
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    // Merged-away segments leave their entries: start over now and then.
    if cache.len() > 100_000 {
        cache.clear();
    }
    cache.insert(key, Arc::new(value.clone()));
    value
}
