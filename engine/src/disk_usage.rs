//! `_disk_usage`: the bytes each field takes on disk, in Elasticsearch's
//! categories. tantivy reports its files by tantivy field; Tensile's mapped
//! fields share JSON fields (see `indexed`), so the term dictionary and
//! postings of those are split by path, walking every term, and the stored
//! documents are split by field in proportion to their raw sizes, reading
//! every document: it is expensive, as Elasticsearch warns.
//!
//! Categories: a path's string and boolean terms are its inverted index
//! (the paths indexed for `exists` are `_field_names`'); its number, date and IP terms are
//! what Elasticsearch keeps as points; its column is its doc values; a text
//! field's lengths (its slot's norms, or its `_len` column) are its norms.
//! With synthetic source the stored document is what Elasticsearch calls
//! `_recovery_source`: kept for recovery, not served.

use crate::error::EngineError;
use crate::Engine;
use std::collections::BTreeMap;
use tantivy::schema::{Field, Value as _};
use tantivy::{SegmentReader, TantivyDocument};

/// One field's bytes, by category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldDisk {
    pub inverted_index: u64,
    pub stored_fields: u64,
    pub doc_values: u64,
    pub points: u64,
    pub norms: u64,
    pub term_vectors: u64,
}

impl FieldDisk {
    pub fn total(&self) -> u64 {
        self.inverted_index + self.stored_fields + self.doc_values + self.points + self.norms + self.term_vectors
    }

    fn add(&mut self, other: &FieldDisk) {
        self.inverted_index += other.inverted_index;
        self.stored_fields += other.stored_fields;
        self.doc_values += other.doc_values;
        self.points += other.points;
        self.norms += other.norms;
        self.term_vectors += other.term_vectors;
    }
}

/// An index's disk usage: its store, and each field's share of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskUsage {
    pub store_bytes: u64,
    pub fields: BTreeMap<String, FieldDisk>,
}

impl DiskUsage {
    /// Every field's bytes together.
    pub fn all_fields(&self) -> FieldDisk {
        let mut all = FieldDisk::default();
        self.fields.values().for_each(|f| all.add(f));
        all
    }
}

/// A term key's path inside a JSON field (segments joined by dots) and
/// whether its value is a point (a number, date or IP).
fn json_path(key: &[u8]) -> Option<(String, bool)> {
    // The path ends at a zero byte (tantivy's end of path), the value's type follows.
    let end = key.iter().position(|b| *b == 0)?;
    let path: String = String::from_utf8_lossy(&key[..end]).replace('\u{1}', ".");
    let point = matches!(key.get(end + 1), Some(b'i' | b'u' | b'f' | b'd' | b'p'));
    Some((path, point))
}

impl Engine {
    /// The disk usage of an open index, every shard and segment read.
    pub fn disk_usage(&self, index: &str) -> Result<DiskUsage, EngineError> {
        let shards = self.index_shards(index)?;
        let meta = self.index_metadata(index)?;
        let synthetic = self.mapper(index)?.source.mode == crate::source_mode::SourceMode::Synthetic;
        let slots: BTreeMap<u32, &String> = meta.text_slots.iter().map(|(path, slot)| (*slot, path)).collect();
        let fields = crate::indexed::fields();
        let store_bytes = self.shard_stats(index)?.iter().map(|s| s.store_bytes).sum();
        let mut usage = DiskUsage { store_bytes, ..DiskUsage::default() };
        for shard in &shards.shards {
            let searcher = shard.searcher();
            for segment in searcher.segment_readers() {
                let corrupt = |e: &dyn std::fmt::Display| EngineError::Corrupt {
                    path: index.into(),
                    reason: format!("reading a segment's disk usage: {e}"),
                };
                let space = segment.space_usage().map_err(|e| corrupt(&e))?;
                let mut add =
                    |name: &str, f: &dyn Fn(&mut FieldDisk)| f(usage.fields.entry(name.to_owned()).or_default());

                // Columns: doc values, and the lengths of text fields as norms.
                for column in space.fast_fields().fields() {
                    let bytes = column.total().get_bytes();
                    match column.field_name().split_once('.') {
                        Some(("_len", path)) => add(path, &|d| d.norms += bytes),
                        Some((_, path)) => add(path, &|d| d.doc_values += bytes),
                        None => add(column.field_name(), &|d| d.doc_values += bytes),
                    }
                }
                // Norms of the text slots.
                for norms in space.fieldnorms().fields() {
                    let bytes = norms.total().get_bytes();
                    if let Some(path) = norms
                        .field_name()
                        .strip_prefix("_t")
                        .and_then(|n| n.parse::<u32>().ok())
                        .and_then(|slot| slots.get(&slot))
                    {
                        add(path, &|d| d.norms += bytes);
                    }
                }
                // Terms and postings: tantivy fields whole, JSON ones by path.
                let dictionaries: BTreeMap<&str, u64> =
                    space.termdict().fields().map(|f| (f.field_name(), f.total().get_bytes())).collect();
                for (name, dictionary) in dictionaries {
                    let Ok(field) = searcher.schema().get_field(name) else { continue };
                    let split = terms_by_name(segment, field, name, &slots, fields.exists).map_err(|e| corrupt(&e))?;
                    let keys: u64 = split.values().map(|t| t.key_bytes).sum::<u64>().max(1);
                    for (path, terms) in split {
                        let bytes = share(dictionary, terms.key_bytes, keys) + terms.postings;
                        add(&path, &|d| if terms.points { d.points += bytes } else { d.inverted_index += bytes });
                    }
                }
                // Stored fields, in proportion to their raw sizes.
                let store = space.store().total().get_bytes();
                let raw = stored_sizes(segment, synthetic).map_err(|e| corrupt(&e))?;
                let whole: u64 = raw.values().sum::<u64>().max(1);
                for (name, bytes) in raw {
                    add(&name, &|d| d.stored_fields += share(store, bytes, whole));
                }
            }
        }
        Ok(usage)
    }
}

/// `part` of `whole` applied to `total`, without overflowing.
fn share(total: u64, part: u64, whole: u64) -> u64 {
    (u128::from(total) * u128::from(part) / u128::from(whole.max(1))) as u64
}

/// The terms of a path (or of a whole non-JSON field).
#[derive(Default)]
struct Terms {
    key_bytes: u64,
    postings: u64,
    points: bool,
}

/// A tantivy field's terms by the name Elasticsearch gives them: a JSON
/// field's by path, a slot's as its text field's, `_exists` as
/// `_field_names`, other fields as themselves.
fn terms_by_name(
    segment: &SegmentReader,
    field: Field,
    name: &str,
    slots: &BTreeMap<u32, &String>,
    exists: Field,
) -> tantivy::Result<BTreeMap<String, Terms>> {
    let inverted = segment.inverted_index(field)?;
    let value_type = segment.schema().get_field_entry(field).field_type().value_type();
    let json = value_type == tantivy::schema::Type::Json;
    // A number field's terms (`_seq_no`'s) are its points.
    let number = matches!(value_type, tantivy::schema::Type::U64 | tantivy::schema::Type::I64);
    let slot = name.strip_prefix("_t").and_then(|n| n.parse::<u32>().ok()).and_then(|s| slots.get(&s));
    let mut out: BTreeMap<String, Terms> = BTreeMap::new();
    let mut stream = inverted.terms().stream()?;
    while stream.advance() {
        let key = stream.key();
        let info = stream.value();
        let (path, points) = if json {
            match json_path(key) {
                Some(found) => found,
                None => continue,
            }
        } else if field == exists {
            // The paths that hold values, for `exists`: Elasticsearch's `_field_names`.
            ("_field_names".to_owned(), false)
        } else if let Some(path) = slot {
            ((*path).clone(), false)
        } else {
            (name.to_owned(), number)
        };
        let terms = out.entry(path).or_default();
        terms.key_bytes += key.len() as u64;
        terms.postings += (info.postings_range.len() + info.positions_range.len()) as u64;
        terms.points |= points;
    }
    Ok(out)
}

/// The text size of each leaf of a source-shaped value, by dotted path.
fn leaf_sizes(value: &serde_json::Value, path: &str, sizes: &mut BTreeMap<String, u64>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let below = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                leaf_sizes(child, &below, sizes);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| leaf_sizes(item, path, sizes)),
        leaf => *sizes.entry(path.to_owned()).or_default() += leaf.to_string().len() as u64,
    }
}

/// The raw bytes of each stored field over a segment's live documents.
fn stored_sizes(segment: &SegmentReader, synthetic: bool) -> tantivy::Result<BTreeMap<String, u64>> {
    let store = segment.get_store_reader(0)?;
    let schema = segment.schema();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    for doc in segment.doc_ids_alive() {
        let stored: TantivyDocument = store.get(doc)?;
        for (field, value) in stored.field_values() {
            let name = match schema.get_field_name(field) {
                "_source" if synthetic => "_recovery_source",
                other => other,
            };
            let text = value.as_str();
            // The stored fields `_source` leaves out are kept beside it: theirs.
            if let Some(kept) = text.and_then(|t| t.strip_prefix(crate::shard::KEPT_MARK)) {
                let kept: serde_json::Value = serde_json::from_str(kept).unwrap_or_default();
                leaf_sizes(&kept, "", &mut sizes);
                continue;
            }
            let bytes = text.map_or(8, str::len) as u64;
            *sizes.entry(name.to_owned()).or_default() += bytes;
        }
    }
    Ok(sizes)
}
