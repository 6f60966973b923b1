//! Sliced searches (`slice: {id, max, field}`), as Elasticsearch cuts
//! them: with no more slices than shards, a slice is the shards whose
//! number modulo `max` is its id; with more, each shard's documents are
//! split further among the slices that fall on it: by a field, the
//! documents whose value's mixed hash falls in the slice; else by sequence
//! number (which every document has once), where Elasticsearch hashes `_id`.

use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader};

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

/// The documents of an inner query whose sequence number modulo `modulo` is `rest`.
#[derive(Debug)]
pub(crate) struct SeqNoSlice {
    pub inner: Box<dyn Query>,
    pub modulo: u64,
    pub rest: u64,
}

impl Clone for SeqNoSlice {
    fn clone(&self) -> Self {
        SeqNoSlice { inner: self.inner.box_clone(), modulo: self.modulo, rest: self.rest }
    }
}

impl Query for SeqNoSlice {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SliceWeight { inner: self.inner.weight(scoring)?, modulo: self.modulo, rest: self.rest }))
    }
}

struct SliceWeight {
    inner: Box<dyn Weight>,
    modulo: u64,
    rest: u64,
}

impl Weight for SliceWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let seq_no: Option<Column<u64>> = reader.fast_fields().u64("_seq_no").ok();
        let (modulo, rest) = (self.modulo, self.rest);
        let keep =
            move |doc: DocId| seq_no.as_ref().and_then(|c| c.first(doc)).unwrap_or(u64::from(doc)) % modulo == rest;
        Ok(Box::new(super::filtered::Filtered::new(self.inner.scorer(reader, boost)?, keep)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// The documents of an inner query whose value of a numeric field, mixed,
/// falls in the slice.
#[derive(Debug)]
pub(crate) struct FieldSlice {
    pub inner: Box<dyn Query>,
    pub column: String,
    pub id: u64,
    pub max: u64,
}

impl Clone for FieldSlice {
    fn clone(&self) -> Self {
        FieldSlice { inner: self.inner.box_clone(), column: self.column.clone(), id: self.id, max: self.max }
    }
}

impl Query for FieldSlice {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FieldSliceWeight { inner: self.inner.weight(scoring)?, query: self.clone() }))
    }
}

struct FieldSliceWeight {
    inner: Box<dyn Weight>,
    query: FieldSlice,
}

impl Weight for FieldSliceWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let column = reader.fast_fields().column_opt::<i64>(&self.query.column)?;
        let (id, max) = (self.query.id as i64, self.query.max as i64);
        let keep = move |doc: DocId| {
            column
                .as_ref()
                .and_then(|c| c.first(doc))
                .is_some_and(|v| i64::from(mix64(v as u64) as i32).rem_euclid(max) == id)
        };
        Ok(Box::new(super::filtered::Filtered::new(self.inner.scorer(reader, boost)?, keep)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
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
