//! The cluster metadata: every index with its settings, mappings, aliases
//! and state, the persistent cluster settings and the templates, kept in `path.data/_state/metadata.json` and rewritten
//! atomically on each change.

use crate::atomic;
use crate::error::EngineError;
use crate::settings::FlatSettings;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexState {
    Open,
    Close,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexMetadata {
    pub name: String,
    pub uuid: String,
    pub state: IndexState,
    /// Flat settings, including those Tensile sets (`index.uuid`, ...).
    pub settings: FlatSettings,
    /// The mapping, as Elasticsearch returns it from `_mapping`.
    pub mappings: Value,
    /// Alias name to its definition (`filter`, `routing`, `is_write_index`, ...).
    pub aliases: BTreeMap<String, Value>,
    /// The tantivy text field (`_t{slot}`) each text field's terms go to;
    /// a text field without one goes to the shared `_text` field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub text_slots: BTreeMap<String, u32>,
    /// Whether the exact values of fields without doc values go to
    /// `_index_only` (see `indexed::index_only`): true for every index
    /// created since that field exists; older ones keep them in `_terms`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub index_only_values: bool,
}

impl IndexMetadata {
    /// Gives each text field of a mapping that has none a free text slot
    /// (once given, a slot never changes: documents are indexed in it).
    pub fn assign_text_slots(&mut self, mapper: &crate::mapper::Mapper) {
        let mut paths: Vec<&String> =
            mapper.fields.iter().filter(|(_, f)| f.kind.is_text()).map(|(path, _)| path).collect();
        paths.sort_unstable();
        let used: std::collections::BTreeSet<u32> = self.text_slots.values().copied().collect();
        let mut free = (0..crate::indexed::TEXT_SLOTS as u32).filter(|slot| !used.contains(slot));
        for path in paths {
            if self.text_slots.contains_key(path) {
                continue;
            }
            let Some(slot) = free.next() else { break };
            self.text_slots.insert(path.clone(), slot);
        }
    }

    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).and_then(Value::as_str)
    }

    pub fn is_hidden(&self) -> bool {
        self.setting("index.hidden") == Some("true")
    }

    /// Replicas per shard (never assigned on one node).
    pub fn number_of_replicas(&self) -> u32 {
        self.setting("index.number_of_replicas").and_then(|s| s.parse().ok()).unwrap_or(1)
    }

    pub fn number_of_shards(&self) -> u32 {
        self.setting("index.number_of_shards").and_then(|s| s.parse().ok()).unwrap_or(1)
    }
}

/// Every index of the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub indices: BTreeMap<String, IndexMetadata>,
    /// Persistent cluster settings, flat (`cluster_settings.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub persistent_settings: FlatSettings,
    /// Transient cluster settings: kept with the metadata so that changes
    /// stay all or nothing, but never written, so gone after a restart.
    #[serde(skip)]
    pub transient_settings: FlatSettings,
    /// Index, component and legacy templates (`templates.rs`).
    #[serde(default, skip_serializing_if = "crate::templates::Templates::is_empty")]
    pub templates: crate::templates::Templates,
}

const FILE: &str = "_state/metadata.json";

impl Metadata {
    fn path(data: &Path) -> PathBuf {
        data.join(FILE)
    }

    /// Loads the metadata of a data folder; empty when there is none yet.
    pub fn load(data: &Path) -> Result<Metadata, EngineError> {
        let path = Metadata::path(data);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| EngineError::Corrupt { path, reason: e.to_string() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Metadata::default()),
            Err(e) => Err(EngineError::io(&path, e)),
        }
    }

    /// Writes the metadata atomically.
    pub fn persist(&self, data: &Path) -> Result<(), EngineError> {
        let path = Metadata::path(data);
        let bytes =
            serde_json::to_vec(self).map_err(|e| EngineError::Corrupt { path: path.clone(), reason: e.to_string() })?;
        atomic::write(&path, &bytes)
    }

    /// The indices an alias points to.
    pub fn alias_indices(&self, alias: &str) -> Vec<&str> {
        self.indices.values().filter(|i| i.aliases.contains_key(alias)).map(|i| i.name.as_str()).collect()
    }

    pub fn is_alias(&self, name: &str) -> bool {
        self.indices.values().any(|i| i.aliases.contains_key(name))
    }

    /// Every alias name.
    pub fn aliases(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.indices.values().flat_map(|i| i.aliases.keys().map(String::as_str)).collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter()
    }
}
