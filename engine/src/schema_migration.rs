//! Brings a shard written by an older Tensile up to the current tantivy
//! schema, rewriting its `meta.json` atomically before tantivy opens it.
//! Two changes are compatible with the segments already written:
//! - fields appended to the schema (`indexed::schema` only ever appends):
//!   a segment written before a field existed simply holds none of it;
//! - a number field that became indexed or stopped being stored: an older
//!   segment has no postings for it, nor a segment merged from older ones
//!   and newer (ranges then read its column, see `point_range`), and
//!   stored values nobody reads.
//!
//! Any other difference is left alone (tantivy then refuses to open the
//! shard, which is reported as corrupt).

use std::path::Path;
use tantivy::directory::error::OpenReadError;
use tantivy::directory::Directory;
use tantivy::schema::Schema;

const META: &str = "meta.json";

/// What [`migrate`] did to a shard's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrated {
    /// No `meta.json` yet (a new shard), or its schema already the current one.
    Current,
    /// Brought up to the current schema.
    Updated,
    /// The schema is no prefix of the current one: left as it is.
    Foreign,
}

/// Appends to the shard's stored schema the fields `current` has after it.
pub fn migrate(directory: &dyn Directory, current: &Schema) -> std::io::Result<Migrated> {
    let bytes = match directory.atomic_read(Path::new(META)) {
        Ok(bytes) => bytes,
        Err(OpenReadError::FileDoesNotExist(_)) => return Ok(Migrated::Current),
        Err(e) => return Err(std::io::Error::other(e)),
    };
    let mut meta: serde_json::Value = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
    let wanted = serde_json::to_value(current).map_err(std::io::Error::other)?;
    let (Some(stored), Some(wanted)) = (meta.get("schema").and_then(|s| s.as_array()), wanted.as_array()) else {
        return Ok(Migrated::Foreign);
    };
    if stored == wanted {
        return Ok(Migrated::Current);
    }
    if stored.len() > wanted.len() || !stored.iter().zip(wanted).all(|(old, new)| compatible(old, new)) {
        return Ok(Migrated::Foreign);
    }
    meta["schema"] = serde_json::Value::Array(wanted.clone());
    let text = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
    directory.atomic_write(Path::new(META), &text)?;
    directory.sync_directory()?;
    Ok(Migrated::Updated)
}

/// Whether a field's stored entry can be read as the current one: the
/// same, or a number field differing in whether it is indexed or stored.
fn compatible(old: &serde_json::Value, new: &serde_json::Value) -> bool {
    if old == new {
        return true;
    }
    let number = ["u64", "i64", "f64"].contains(&new["type"].as_str().unwrap_or_default());
    let options = |entry: &serde_json::Value| {
        let mut options = entry["options"].as_object().cloned().unwrap_or_default();
        for key in ["indexed", "stored", "fieldnorms"] {
            options.remove(key);
        }
        options
    };
    number && old["name"] == new["name"] && old["type"] == new["type"] && options(old) == options(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::directory::RamDirectory;
    use tantivy::schema::{STORED, STRING};
    use tantivy::{doc, Index, IndexWriter};

    fn schema(fields: &[&str]) -> Schema {
        let mut b = Schema::builder();
        for name in fields {
            b.add_text_field(name, STRING | STORED);
        }
        b.build()
    }

    #[test]
    fn an_older_schema_gains_the_fields_appended_since_and_keeps_its_documents() {
        let dir = RamDirectory::create();
        let old = schema(&["a"]);
        let index = Index::create(dir.clone(), old.clone(), Default::default()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(old.get_field("a").unwrap() => "x")).unwrap();
        writer.commit().unwrap();
        drop(writer);

        let new = schema(&["a", "b"]);
        assert_eq!(migrate(&dir, &new).unwrap(), Migrated::Updated);
        let index = Index::open_or_create(dir.clone(), new.clone()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(new.get_field("b").unwrap() => "y")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), 2);
        assert_eq!(migrate(&dir, &new).unwrap(), Migrated::Current);
    }

    #[test]
    fn a_number_field_may_become_indexed_and_stop_being_stored() {
        use tantivy::schema::{FAST, INDEXED};
        let number = |options: tantivy::schema::NumericOptions| {
            let mut b = Schema::builder();
            b.add_u64_field("n", options);
            b.build()
        };
        let dir = RamDirectory::create();
        let old = number((STORED | FAST).into());
        let index = Index::create(dir.clone(), old.clone(), Default::default()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(old.get_field("n").unwrap() => 7u64)).unwrap();
        writer.commit().unwrap();
        drop(writer);

        let new = number((INDEXED | FAST).into());
        assert_eq!(migrate(&dir, &new).unwrap(), Migrated::Updated);
        let index = Index::open_or_create(dir.clone(), new).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let column = searcher.segment_reader(0).fast_fields().u64("n").unwrap();
        assert_eq!(column.first(0), Some(7));
        // A text field's options are no such change.
        let text = |options: tantivy::schema::TextOptions| {
            let mut b = Schema::builder();
            b.add_text_field("t", options);
            b.build()
        };
        let dir = RamDirectory::create();
        Index::create(dir.clone(), text(STORED.into()), Default::default()).unwrap();
        assert_eq!(migrate(&dir, &text(STRING)).unwrap(), Migrated::Foreign);
    }

    #[test]
    fn a_schema_that_is_no_prefix_is_left_alone() {
        let dir = RamDirectory::create();
        Index::create(dir.clone(), schema(&["a", "c"]), Default::default()).unwrap();
        assert_eq!(migrate(&dir, &schema(&["a", "b", "c"])).unwrap(), Migrated::Foreign);
        assert_eq!(migrate(&dir, &schema(&["a"])).unwrap(), Migrated::Foreign);
    }

    #[test]
    fn a_new_shard_has_nothing_to_migrate() {
        assert_eq!(migrate(&RamDirectory::create(), &schema(&["a"])).unwrap(), Migrated::Current);
    }
}
