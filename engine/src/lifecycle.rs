//! Closing and opening indices, and changing their settings.
//!
//! Closing refreshes (commits) an index's shards and releases them; the
//! data stays on disk and opening reopens it. Settings changes follow
//! Elasticsearch: static settings only on closed indices, `null` resets a
//! setting, and a new `refresh_interval` takes effect at once.

use crate::error::EngineError;
use crate::mapper::Mapper;
use crate::metadata::IndexState;
use crate::settings::{self, FlatSettings};
use crate::shards::IndexShards;
use crate::Engine;
use serde_json::Value;
use std::sync::Arc;

/// Settings fixed at creation.
const FINAL: &[&str] = &[
    "index.number_of_shards",
    "index.number_of_routing_shards",
    "index.routing_partition_size",
    "index.mode",
    "index.soft_deletes.enabled",
];
/// Settings that only a closed index may change.
const STATIC: &[&str] = &["index.codec"];
const STATIC_PREFIXES: &[&str] = &["index.analysis.", "index.similarity."];

fn is_final(key: &str) -> bool {
    FINAL.contains(&key) || key.starts_with("index.sort.")
}

fn is_static(key: &str) -> bool {
    STATIC.contains(&key) || STATIC_PREFIXES.iter().any(|p| key.starts_with(p))
}

impl Engine {
    /// Closes the named (resolved) indices.
    pub fn close_indices(&self, names: &[String]) -> Result<(), EngineError> {
        self.change_metadata(|meta| {
            for name in names {
                if let Some(shards) = self.shards.write().unwrap_or_else(|p| p.into_inner()).remove(name) {
                    shards.flush()?;
                }
                if let Some(index) = meta.indices.get_mut(name) {
                    index.state = IndexState::Close;
                }
            }
            Ok(())
        })
    }

    /// The number of committed segments of each shard of a closed index,
    /// read from disk without opening the index.
    pub fn closed_segment_counts(&self, name: &str) -> Result<Vec<usize>, EngineError> {
        let meta = self.index_metadata(name)?;
        let dir = self.data_path.join("indices").join(&meta.uuid);
        (0..meta.number_of_shards())
            .map(|shard| {
                let path = dir.join(shard.to_string()).join("index");
                let corrupt =
                    |e: tantivy::TantivyError| EngineError::Corrupt { path: path.clone(), reason: e.to_string() };
                let index = tantivy::Index::open_in_dir(&path).map_err(corrupt)?;
                Ok(index.searchable_segment_metas().map_err(corrupt)?.len())
            })
            .collect()
    }

    /// Opens the named (resolved) indices.
    pub fn open_indices(&self, names: &[String]) -> Result<(), EngineError> {
        let opened = self.change_metadata(|meta| {
            let mut opened = Vec::new();
            for name in names {
                let Some(index) = meta.indices.get_mut(name) else {
                    continue;
                };
                if index.state == IndexState::Close {
                    index.state = IndexState::Open;
                    let dir = self.data_path.join("indices").join(&index.uuid);
                    opened.push((name.clone(), Arc::new(IndexShards::open(&dir, index)?)));
                }
            }
            Ok(opened)
        })?;
        self.shards.write().unwrap_or_else(|p| p.into_inner()).extend(opened);
        Ok(())
    }

    /// Changes settings of the named (resolved) indices; a `null` value
    /// resets the setting to its default.
    pub fn update_settings(&self, names: &[String], body: &Value) -> Result<(), EngineError> {
        self.update_settings_with(names, body, SettingsUpdate::default())
    }

    /// [`Engine::update_settings`], as `preserve_existing` and `reopen` ask:
    /// settings an index has are kept, and open indices are closed around a
    /// change of their static settings, then opened again.
    pub fn update_settings_with(&self, names: &[String], body: &Value, how: SettingsUpdate) -> Result<(), EngineError> {
        if how.reopen {
            let changes: FlatSettings = settings::normalize(body)?;
            let static_change = changes.keys().any(|k| is_static(k));
            let open: Vec<String> = {
                let meta = self.metadata();
                names
                    .iter()
                    .filter(|n| meta.indices.get(*n).is_some_and(|i| i.state == IndexState::Open))
                    .cloned()
                    .collect()
            };
            if static_change && !open.is_empty() {
                self.close_indices(&open)?;
                let updated = self.update_settings_with(names, body, SettingsUpdate { reopen: false, ..how });
                self.open_indices(&open)?;
                return updated;
            }
        }
        let changes: FlatSettings = settings::normalize(body)?;
        if changes.is_empty() {
            return Err(EngineError::IllegalArgument("no settings to update".into()));
        }
        if let Some(key) = changes.keys().find(|k| is_final(k)) {
            return Err(EngineError::IllegalArgument(format!("final index setting [{key}], not updateable")));
        }
        let change = |meta: &mut crate::metadata::Metadata| {
            let mut applied = Vec::new();
            for name in names {
                let Some(index) = meta.indices.get_mut(name) else {
                    continue;
                };
                // Blocks themselves can always change: that is how an index is unblocked.
                if changes.keys().any(|k| !k.starts_with("index.blocks.")) {
                    crate::blocks::check(index, crate::blocks::Access::Metadata)?;
                }
                let kept: FlatSettings;
                let changes = if how.preserve_existing {
                    kept = changes
                        .iter()
                        .filter(|(k, _)| !index.settings.contains_key(*k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    &kept
                } else {
                    &changes
                };
                let static_keys: Vec<&String> = changes.keys().filter(|k| is_static(k)).collect();
                if index.state == IndexState::Open && !static_keys.is_empty() {
                    let keys: Vec<&str> = static_keys.iter().map(|k| k.as_str()).collect();
                    return Err(EngineError::IllegalArgument(format!(
                        "Can't update non dynamic settings [[{}]] for open indices [[{}/{}]]",
                        keys.join(", "),
                        index.name,
                        index.uuid
                    )));
                }
                for (key, value) in changes {
                    if value.is_null() {
                        index.settings.remove(key);
                    } else {
                        index.settings.insert(key.clone(), value.clone());
                    }
                }
                settings::expand_replicas(&mut index.settings, 1)?;
                if index.state == IndexState::Open {
                    let timed = crate::shards::TimedSettings::of(index)?;
                    applied.push((name.clone(), timed, Arc::new(Mapper::for_index_assigning(index)?)));
                }
            }
            Ok(applied)
        };
        self.change_metadata_then(change, |applied| {
            let table = self.shards.read().unwrap_or_else(|p| p.into_inner());
            for (name, timed, mapper) in applied {
                if let Some(shards) = table.get(name) {
                    shards.apply(timed);
                    shards.set_mapper(mapper.clone());
                }
            }
        })
        .map(drop)
    }
}

/// How a settings update treats what the indices have.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsUpdate {
    /// `preserve_existing`: settings an index already has are left alone.
    pub preserve_existing: bool,
    /// `reopen`: open indices are closed and opened again around a change
    /// of static settings.
    pub reopen: bool,
}

impl Engine {
    /// Merges a mapping update into the named (resolved) indices, all or none.
    pub fn put_mapping(&self, names: &[String], update: &Value) -> Result<(), EngineError> {
        let change = |meta: &mut crate::metadata::Metadata| {
            let mut compiled = Vec::new();
            for name in names {
                if let Some(index) = meta.indices.get_mut(name) {
                    crate::blocks::check(index, crate::blocks::Access::Metadata)?;
                    crate::source_mode::check_update(&index.mappings, update, &index.settings)?;
                    let mut update = update.clone();
                    if crate::template_apply::keeps_subobjects(&index.mappings) {
                        crate::template_apply::expand_dotted_names(&mut update)?;
                    }
                    crate::mapping::merge(&mut index.mappings, &update)?;
                    compiled.push((name.clone(), Arc::new(Mapper::for_index_assigning(index)?)));
                }
            }
            Ok(compiled)
        };
        self.change_metadata_then(change, |compiled| self.install_mappers(compiled)).map(drop)
    }

    /// Makes compiled mappings the ones documents are parsed with.
    fn install_mappers(&self, compiled: &[(String, Arc<Mapper>)]) {
        let table = self.shards.read().unwrap_or_else(|p| p.into_inner());
        for (name, mapper) in compiled {
            if let Some(shards) = table.get(name) {
                shards.set_mapper(mapper.clone());
            }
        }
    }

    /// Merges the mapping a document's dynamic fields add into its index,
    /// and makes it the mapping later documents are parsed with.
    pub(crate) fn add_dynamic_mapping(&self, index: &str, update: &Value) -> Result<(), EngineError> {
        let change = |meta: &mut crate::metadata::Metadata| {
            let Some(meta) = meta.indices.get_mut(index) else {
                return Err(EngineError::IndexNotFound { name: index.to_owned() });
            };
            crate::mapping::merge(&mut meta.mappings, update)?;
            Ok(vec![(index.to_owned(), Arc::new(Mapper::for_index_assigning(meta)?))])
        };
        self.change_metadata_then(change, |compiled| self.install_mappers(compiled)).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use crate::shard::Conditions;
    use crate::{Engine, EngineError};
    use serde_json::json;

    #[test]
    fn close_open_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("i", &json!({})).unwrap();
        engine.index_doc("i", "1", "{}".into(), None, &Conditions::default(), false).unwrap();
        engine.close_indices(&["i".into()]).unwrap();
        assert!(matches!(engine.get_doc("i", "1", None, true), Err(EngineError::IndexClosed { .. })));
        let err =
            engine.update_settings(&["i".into()], &json!({"index": {"number_of_shards": 2}})).unwrap_err().to_string();
        assert_eq!(err, "final index setting [index.number_of_shards], not updateable");
        engine.update_settings(&["i".into()], &json!({"index": {"codec": "best_compression"}})).unwrap();
        engine.open_indices(&["i".into()]).unwrap();
        assert!(engine.get_doc("i", "1", None, true).unwrap().is_some());

        let err = engine.update_settings(&["i".into()], &json!({"codec": "default"})).unwrap_err().to_string();
        assert!(err.starts_with("Can't update non dynamic settings [[index.codec]] for open indices [[i/"), "{err}");
        engine
            .update_settings(&["i".into()], &json!({"index": {"number_of_replicas": 0, "refresh_interval": "-1"}}))
            .unwrap();
        assert_eq!(engine.metadata().indices["i"].setting("index.number_of_replicas"), Some("0"));
        engine.update_settings(&["i".into()], &json!({"index.refresh_interval": null})).unwrap();
        assert_eq!(engine.metadata().indices["i"].setting("index.refresh_interval"), None);
    }
}
