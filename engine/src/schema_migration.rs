//! Brings a shard written by an older Tensile up to the current tantivy
//! schema. Fields are only ever appended to the schema (`indexed::schema`),
//! and a segment written before a field existed simply holds none of it,
//! so an older shard's schema is a prefix of the current one: the missing
//! fields are appended to its `meta.json`, written atomically, before
//! tantivy opens it. A schema that is no prefix is left alone (tantivy then
//! refuses to open the shard, which is reported as corrupt).

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
    /// The current schema's missing last fields were appended.
    Appended(usize),
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
    if stored.len() >= wanted.len() {
        return Ok(if stored == wanted { Migrated::Current } else { Migrated::Foreign });
    }
    if wanted[..stored.len()] != stored[..] {
        return Ok(Migrated::Foreign);
    }
    let appended = wanted.len() - stored.len();
    meta["schema"] = serde_json::Value::Array(wanted.clone());
    let text = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
    directory.atomic_write(Path::new(META), &text)?;
    directory.sync_directory()?;
    Ok(Migrated::Appended(appended))
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
        assert_eq!(migrate(&dir, &new).unwrap(), Migrated::Appended(1));
        let index = Index::open_or_create(dir.clone(), new.clone()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(new.get_field("b").unwrap() => "y")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), 2);
        assert_eq!(migrate(&dir, &new).unwrap(), Migrated::Current);
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
