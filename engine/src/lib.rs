//! Tensile's engine: everything stored on disk, and nothing of HTTP.
//!
//! - [`node_meta`]: the node's identity (cluster UUID stable across restarts);
//!   [`auto_id`]: the time-based ids of documents indexed without one;
//! - [`metadata`]: every index with its settings, mappings, aliases and state,
//!   persisted atomically ([`atomic`]);
//! - [`index_name`], [`settings`] and [`mapping`]: what a new index may be;
//! - [`resolve`]: index expressions (wildcards, aliases, `_all`) to indices;
//!   [`alias_expression`]: alias-name expressions (`GET _alias/{name}`).
//! - [`cluster_settings`]: persistent and transient cluster settings, the
//!   settings Tensile knows and acts on;
//! - [`templates`]: index, component and legacy templates, and
//!   [`template_apply`]: how they shape a new index.
//!
//! Shards (tantivy indices with a translog), documents and search come with
//! the rest of the engine issue and live beside these.

pub mod alias_expression;
pub mod aliases;
pub mod atomic;
pub mod auto_create;
pub mod auto_id;
pub mod blocks;
pub mod by_query;
pub mod clock;
pub mod cluster_settings;
mod column_cache;
pub mod date_math_name;
pub mod directory;
pub mod disk_usage;
mod doc_object;
pub mod documents;
pub mod error;
pub mod field_usage;
pub mod index_name;
pub mod indexed;
pub mod lifecycle;
pub mod mapper;
pub mod mapping;
pub mod metadata;
pub mod node_meta;
pub mod resize;
pub mod resolve;
pub mod rollover;
pub mod routing;
mod schema_migration;
pub mod search;
pub mod settings;
pub mod shard;
pub mod shards;
pub mod source_filter;
pub mod source_mode;
pub mod stats;
pub mod synthetic;
pub mod template_apply;
pub mod templates;
pub mod translog;

pub use documents::{DocWrite, NewDoc, UpdateSpec, Updated};
pub use error::EngineError;
pub use metadata::{IndexMetadata, IndexState, Metadata};
pub use node_meta::NodeMetadata;
pub use resize::ResizeKind;
pub use resolve::IndicesOptions;
pub use shard::{Conditions, StoredDoc, VersionType, WriteOutcome, WriteResult};

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

/// The index version Tensile writes into `index.version.created`.
pub const INDEX_VERSION_CREATED: &str = "9060099";

/// Whether a new index takes the templates that match its name: resized
/// indices do not.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Templating {
    Apply { auto: bool },
    Skip,
}

/// The engine over one data folder.
pub struct Engine {
    data_path: PathBuf,
    /// The node's settings that cluster settings override
    /// (`action.auto_create_index`, ...), flat.
    node_settings: settings::FlatSettings,
    /// Open scroll contexts.
    scrolls: search::scroll::Scrolls,
    pits: search::pit::Pits,
    node: NodeMetadata,
    metadata: RwLock<Metadata>,
    shards: shards::ShardTable,
}

/// A value as settings text: strings bare, everything else as JSON.
pub(crate) fn settings_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Engine {
    /// Opens (or creates) the data folder and loads the node's metadata and
    /// every index's.
    pub fn open(data_path: impl Into<PathBuf>) -> Result<Engine, EngineError> {
        let data_path = data_path.into();
        std::fs::create_dir_all(&data_path).map_err(|e| EngineError::io(&data_path, e))?;
        let node = NodeMetadata::load_or_create(&data_path)?;
        let metadata = Metadata::load(&data_path)?;
        let mut table = std::collections::HashMap::new();
        for index in metadata.indices.values().filter(|i| i.state == IndexState::Open) {
            let dir = data_path.join("indices").join(&index.uuid);
            table.insert(index.name.clone(), std::sync::Arc::new(shards::IndexShards::open(&dir, index)?));
        }
        let shards: shards::ShardTable = std::sync::Arc::new(RwLock::new(table));
        shards::spawn_refresher(&shards, std::time::Duration::from_millis(200));
        Ok(Engine {
            data_path,
            node_settings: Default::default(),
            scrolls: Default::default(),
            pits: Default::default(),
            node,
            metadata: RwLock::new(metadata),
            shards,
        })
    }

    /// Sets the node's values of cluster settings (`action.auto_create_index`,
    /// ...), after checking them as cluster settings are checked.
    pub fn with_node_settings(mut self, settings: settings::FlatSettings) -> Result<Engine, EngineError> {
        cluster_settings::check_node_settings(&settings)?;
        self.node_settings = settings;
        Ok(self)
    }

    /// The node's values of cluster settings.
    pub fn node_settings(&self) -> &settings::FlatSettings {
        &self.node_settings
    }

    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    pub fn node(&self) -> &NodeMetadata {
        &self.node
    }

    /// A read view of the metadata.
    pub fn metadata(&self) -> RwLockReadGuard<'_, Metadata> {
        self.metadata.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A copy of one index's metadata, by its concrete name.
    pub fn index_metadata(&self, name: &str) -> Result<IndexMetadata, EngineError> {
        self.metadata().indices.get(name).cloned().ok_or_else(|| EngineError::IndexNotFound { name: name.to_owned() })
    }

    /// Changes the metadata all or nothing: `change` works on a copy, which
    /// is persisted and only then made current. The metadata stays locked
    /// meanwhile, so changes never interleave.
    pub(crate) fn change_metadata<T>(
        &self,
        change: impl FnOnce(&mut Metadata) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        self.change_metadata_then(change, |_| {})
    }

    /// [`Engine::change_metadata`], then `then` with what `change` returned,
    /// once the change is persisted and before the metadata is unlocked:
    /// where in-memory state follows the metadata, it never runs ahead of
    /// the disk nor falls behind a later change.
    pub(crate) fn change_metadata_then<T>(
        &self,
        change: impl FnOnce(&mut Metadata) -> Result<T, EngineError>,
        then: impl FnOnce(&T),
    ) -> Result<T, EngineError> {
        let mut meta = self.metadata.write().unwrap_or_else(|p| p.into_inner());
        let mut next = meta.clone();
        let out = change(&mut next)?;
        next.persist(&self.data_path)?;
        *meta = next;
        then(&out);
        Ok(out)
    }

    /// Resolves index expressions against the current metadata.
    pub fn resolve(&self, expressions: &[String], options: IndicesOptions) -> Result<Vec<String>, EngineError> {
        resolve::resolve(&self.metadata(), expressions, options)
    }

    fn index_dir(&self, uuid: &str) -> PathBuf {
        self.data_path.join("indices").join(uuid)
    }

    /// Creates an index from the body of `PUT /{index}` (`settings`,
    /// `mappings`, `aliases`).
    pub fn create_index(&self, name: &str, body: &Value) -> Result<IndexMetadata, EngineError> {
        self.create_index_from(name, body, false)
    }

    /// Creates an index, the matching templates applied under the request's
    /// body; `auto` when a write creates it.
    pub(crate) fn create_index_from(&self, name: &str, body: &Value, auto: bool) -> Result<IndexMetadata, EngineError> {
        self.create_index_with(name, body, Templating::Apply { auto })
    }

    /// Creates an index, with the matching templates or without.
    pub(crate) fn create_index_with(
        &self,
        name: &str,
        body: &Value,
        templating: Templating,
    ) -> Result<IndexMetadata, EngineError> {
        // `index.provided_name` keeps the name as given, date math included.
        let provided = name;
        let name = &date_math_name::resolve_now(name)?;
        index_name::validate(name)?;
        let templated = match templating {
            Templating::Apply { auto } => template_apply::for_new_index(&self.metadata(), name, body, auto)?,
            Templating::Skip => None,
        };
        let body = templated.as_ref().unwrap_or(body);
        let mut settings = settings::normalize(body.get("settings").unwrap_or(&Value::Null))?;
        settings.retain(|_, v| !v.is_null());
        let mut mappings = body.get("mappings").cloned().unwrap_or_else(|| Value::Object(Default::default()));
        template_apply::expand_dotted_names(&mut mappings)?;
        mapping::validate(&mappings)?;
        source_mode::at_creation(&settings, &mut mappings)?;
        mapping::sort_fields(&mut mappings);
        let aliases: std::collections::BTreeMap<String, Value> = match body.get("aliases") {
            None | Some(Value::Null) => Default::default(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| Ok((date_math_name::resolve_now(k)?, aliases::normalize_definition(k, v)?)))
                .collect::<Result<_, EngineError>>()?,
            Some(other) => {
                return Err(EngineError::IllegalArgument(format!("aliases must be an object, got [{other}]")))
            }
        };

        let mut meta = self.metadata.write().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = meta.indices.get(name) {
            return Err(EngineError::IndexAlreadyExists { name: name.to_owned(), uuid: existing.uuid.clone() });
        }
        if meta.is_alias(name) {
            return Err(EngineError::InvalidIndexName {
                name: name.to_owned(),
                reason: "already exists as alias".into(),
            });
        }
        for alias in aliases.keys() {
            aliases::check_name(&meta, alias, Some(name))?;
        }

        let uuid = node_meta::random_base64_uuid();
        let created = clock::now_millis();
        settings.entry("index.number_of_shards".into()).or_insert_with(|| Value::from("1"));
        settings.entry("index.number_of_replicas".into()).or_insert_with(|| Value::from("1"));
        settings::expand_replicas(&mut settings, 1)?;
        settings.insert("index.uuid".into(), Value::from(uuid.clone()));
        settings.insert("index.creation_date".into(), Value::from(created.to_string()));
        settings.insert("index.provided_name".into(), Value::from(provided));
        settings.insert("index.version.created".into(), Value::from(INDEX_VERSION_CREATED));
        let mut index = IndexMetadata {
            name: name.to_owned(),
            uuid: uuid.clone(),
            state: IndexState::Open,
            settings,
            mappings,
            aliases,
            text_slots: Default::default(),
            index_only_values: true,
        };
        let mapper = std::sync::Arc::new(mapper::Mapper::for_index_assigning(&mut index)?);

        let dir = self.index_dir(&uuid);
        let opened = shards::IndexShards::open_with(&dir, &index, mapper)?;
        meta.indices.insert(name.to_owned(), index.clone());
        if let Err(e) = meta.persist(&self.data_path) {
            meta.indices.remove(name);
            drop(opened);
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        self.shards.write().unwrap_or_else(|p| p.into_inner()).insert(name.to_owned(), std::sync::Arc::new(opened));
        Ok(index)
    }

    /// Deletes the named (already resolved) indices and their data.
    pub fn delete_indices(&self, names: &[String]) -> Result<(), EngineError> {
        let removed: Vec<IndexMetadata> =
            self.change_metadata(|meta| Ok(names.iter().filter_map(|n| meta.indices.remove(n)).collect()))?;
        self.drop_removed(removed);
        Ok(())
    }

    /// Closes the shards of indices just removed from the metadata and
    /// deletes their folders.
    pub(crate) fn drop_removed(&self, removed: Vec<IndexMetadata>) {
        {
            let mut table = self.shards.write().unwrap_or_else(|p| p.into_inner());
            for index in &removed {
                table.remove(&index.name);
            }
        }
        for index in removed {
            let dir = self.index_dir(&index.uuid);
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(dir = %dir.display(), error = %e, "could not remove a deleted index's folder");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indices_survive_a_reopen_and_deletion_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let created = engine
            .create_index("books", &json!({"settings": {"number_of_shards": 2}, "aliases": {"library": {}}}))
            .unwrap();
        assert_eq!(created.number_of_shards(), 2);
        assert!(matches!(engine.create_index("books", &json!({})), Err(EngineError::IndexAlreadyExists { .. })));
        assert!(matches!(engine.create_index("library", &json!({})), Err(EngineError::InvalidIndexName { .. })));
        engine.create_index("films", &json!({})).unwrap();
        drop(engine);

        let engine = Engine::open(dir.path()).unwrap();
        assert_eq!(engine.metadata().indices["books"], created);
        assert_eq!(engine.resolve(&["library".into()], IndicesOptions::STRICT_EXPAND_OPEN).unwrap(), vec!["books"]);
        engine.delete_indices(&["books".into()]).unwrap();
        assert!(!dir.path().join("indices").join(&created.uuid).exists());
        drop(engine);

        let engine = Engine::open(dir.path()).unwrap();
        assert_eq!(engine.metadata().indices.keys().collect::<Vec<_>>(), vec!["films"]);
    }

    #[test]
    fn bad_input_leaves_no_index() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        assert!(engine.create_index("Upper", &json!({})).is_err());
        assert!(engine.create_index("a", &json!({"settings": {"index.nope": 1}})).is_err());
        assert!(engine.create_index("a", &json!({"mappings": {"properties": {"f": {"type": "nope"}}}})).is_err());
        assert!(engine.create_index("a", &json!({"aliases": {"A": {}}})).is_err());
        assert!(engine.metadata().indices.is_empty());
    }
}
