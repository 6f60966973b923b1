//! Sliced searches (`slice: {id, max, field}`), as Elasticsearch cuts
//! them: with no more slices than shards, a slice is the shards whose
//! number modulo `max` is its id; with more, each shard's documents are
//! split further among the slices that fall on it: by a field, the
//! documents whose value's mixed hash falls in the slice; else by sequence
//! number (which every document has once), where Elasticsearch hashes `_id`.

use super::filtered::SegmentFilter;
use tantivy::columnar::Column;
use tantivy::{DocId, SegmentReader};

/// A request's slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    pub id: u32,
    pub max: u32,
    /// A numeric field with doc values to slice by.
    pub field: Option<String>,
}

/// HPPC's `BitMixer.mix64`; Elasticsearch slices numeric values by its low
/// 32 bits (`BitMixer.mix`).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 32)).wrapping_mul(0x4cd6_944c_5cc2_0b6d);
    z = (z ^ (z >> 29)).wrapping_mul(0xfc12_c5b1_9d32_59e9);
    z ^ (z >> 32)
}

impl Slice {
    /// How a shard takes part in the slice: not at all, wholly, or the
    /// documents whose sequence number modulo `.0` is `.1`.
    pub(crate) fn part(&self, shard: u32, shards: u32) -> Option<Option<(u64, u64)>> {
        if self.max <= shards {
            return (shard % self.max == self.id).then_some(None);
        }
        if self.id % shards != shard {
            return None;
        }
        let on_shard = self.max / shards + u32::from(shard < self.max % shards);
        Some(Some((u64::from(on_shard), u64::from(self.id / shards))))
    }
}

/// The documents whose sequence number modulo `modulo` is `rest`.
#[derive(Debug, Clone)]
pub(crate) struct SeqNoSlice {
    pub modulo: u64,
    pub rest: u64,
}

impl SegmentFilter for SeqNoSlice {
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>> {
        let seq_no: Option<Column<u64>> = reader.fast_fields().u64("_seq_no").ok();
        let (modulo, rest) = (self.modulo, self.rest);
        Ok(Some(move |doc: DocId| {
            seq_no.as_ref().and_then(|c| c.first(doc)).unwrap_or(u64::from(doc)) % modulo == rest
        }))
    }
}

/// The documents whose value of a numeric field, mixed, falls in the slice.
#[derive(Debug, Clone)]
pub(crate) struct FieldSlice {
    pub column: String,
    pub id: u64,
    pub max: u64,
}

impl SegmentFilter for FieldSlice {
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>> {
        let column = reader.fast_fields().column_opt::<i64>(&self.column)?;
        let (id, max) = (self.id as i64, self.max as i64);
        Ok(Some(move |doc: DocId| {
            column
                .as_ref()
                .and_then(|c| c.first(doc))
                .is_some_and(|v| i64::from(mix64(v as u64) as i32).rem_euclid(max) == id)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_every_shard_once() {
        for (shards, max) in [(5u32, 2u32), (2, 5), (3, 3), (1, 4)] {
            // Each (shard, remainder) pair belongs to exactly one slice.
            for shard in 0..shards {
                let parts: Vec<_> =
                    (0..max).filter_map(|id| Slice { id, max, field: None }.part(shard, shards)).collect();
                match parts.as_slice() {
                    [None] => {}
                    many => {
                        let mut rests: Vec<u64> = many.iter().map(|p| p.expect("split").1).collect();
                        rests.sort_unstable();
                        let modulo = many[0].expect("split").0;
                        assert_eq!(rests, (0..modulo).collect::<Vec<_>>(), "{shards} shards, {max} slices");
                    }
                }
            }
        }
    }
}
