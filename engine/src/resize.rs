//! Clone, shrink and split: a new index with the source index's mappings
//! and settings (the request's own over them, no templates) holding every
//! document of the source, each in the shard its routing gives in the
//! target. Elasticsearch hard-links the source's segments; Tensile indexes
//! the stored sources again (versions kept), so the source index must
//! keep its documents' `_source` whole.

use crate::error::EngineError;
use crate::shard::{Conditions, VersionType};
use crate::{Engine, Templating};
use serde_json::{Map, Value};
use tantivy::DocAddress;

/// Which resize: the same number of shards, fewer, or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeKind {
    Clone,
    Shrink,
    Split,
}

impl ResizeKind {
    fn verb(self) -> &'static str {
        match self {
            ResizeKind::Clone => "clone",
            ResizeKind::Shrink => "shrink",
            ResizeKind::Split => "split",
        }
    }
}

/// Source settings a target never takes: its own identity, its replicas,
/// and what the resize decides.
const NOT_COPIED: [&str; 8] = [
    "index.uuid",
    "index.creation_date",
    "index.provided_name",
    "index.version.created",
    "index.number_of_shards",
    "index.number_of_replicas",
    "index.auto_expand_replicas",
    "index.resize.source.name",
];

impl Engine {
    /// Resizes `source` into the new index `target`; `body` may hold
    /// `settings` and `aliases`.
    pub fn resize(&self, kind: ResizeKind, source: &str, target: &str, body: &Value) -> Result<(), EngineError> {
        let request = body.as_object().cloned().unwrap_or_default();
        if let Some(unknown) =
            request.keys().find(|k| !["settings", "aliases", "max_primary_shard_size"].contains(&k.as_str()))
        {
            return Err(EngineError::XContentParse(format!("[resize_request] unknown field [{unknown}]")));
        }
        let meta = self.metadata();
        let from = meta.indices.get(source).ok_or_else(|| EngineError::IndexNotFound { name: source.to_owned() })?;
        if from.state != crate::metadata::IndexState::Open {
            return Err(EngineError::IndexClosed { name: source.to_owned(), uuid: from.uuid.clone() });
        }
        if from.setting("index.blocks.write") != Some("true") && from.setting("index.blocks.read_only") != Some("true")
        {
            return Err(EngineError::IllegalState(format!(
                "index {source} must block write operations to resize index. use \"index.blocks.write=true\""
            )));
        }
        let mapper = self.mapper(source)?;
        if !mapper.source.enabled || !mapper.source.includes.is_empty() || !mapper.source.excludes.is_empty() {
            return Err(EngineError::IllegalArgument(format!(
                "cannot {} index [{source}]: Tensile copies documents from their _source, which the mapping of [{source}] does not keep whole",
                kind.verb()
            )));
        }

        // The source's settings under the request's.
        let asked = crate::settings::normalize(request.get("settings").unwrap_or(&Value::Null))?;
        let source_shards = from.number_of_shards();
        let target_shards = match asked.get("index.number_of_shards") {
            Some(n) => crate::settings_text(n).parse::<u32>().map_err(|_| {
                EngineError::IllegalArgument(format!(
                    "Failed to parse value [{n}] for setting [index.number_of_shards]"
                ))
            })?,
            None if kind == ResizeKind::Shrink => 1,
            None if kind == ResizeKind::Split => {
                return Err(EngineError::IllegalArgument(
                    "index.number_of_shards is required for split operations".into(),
                ))
            }
            None => source_shards,
        };
        let routing_shards = self.index_shards(source)?.routing_shards();
        check_shards(kind, source_shards, target_shards, routing_shards)?;
        let mut settings: Map<String, Value> = Map::new();
        let mut blocks = Vec::new();
        for (key, value) in &from.settings {
            if NOT_COPIED.contains(&key.as_str()) || key.starts_with("index.resize.") {
                continue;
            }
            if kind == ResizeKind::Shrink && key == "index.number_of_routing_shards" {
                continue;
            }
            // Blocks come last: the documents are written first.
            if key.starts_with("index.blocks.") {
                blocks.push((key.clone(), value.clone()));
                continue;
            }
            settings.insert(key.clone(), value.clone());
        }
        for (key, value) in asked {
            blocks.retain(|(k, _)| *k != key);
            if key.starts_with("index.blocks.") && !value.is_null() {
                blocks.push((key, value));
            } else if value.is_null() {
                settings.remove(&key);
            } else {
                settings.insert(key, value);
            }
        }
        settings.insert("index.number_of_shards".into(), Value::from(target_shards.to_string()));
        // Set once the documents are in: the blocks, and the private
        // settings that name the source.
        let mut after = blocks;
        after.push(("index.resize.source.name".into(), Value::from(source)));
        after.push(("index.resize.source.uuid".into(), Value::from(from.uuid.clone())));
        let mut create = serde_json::json!({ "settings": settings, "mappings": from.mappings });
        if let Some(aliases) = request.get("aliases") {
            create["aliases"] = aliases.clone();
        }
        drop(meta);

        self.create_index_with(target, &create, Templating::Skip)?;
        let copied = self.copy_documents(source, target);
        if let Err(e) = copied {
            let _ = self.delete_indices(&[target.to_owned()]);
            return Err(e);
        }
        self.change_metadata(|meta| {
            if let Some(index) = meta.indices.get_mut(target) {
                index.settings.extend(after);
            }
            Ok(())
        })
    }

    /// Indexes every document of `source` into `target`, keeping its id,
    /// routing and version.
    fn copy_documents(&self, source: &str, target: &str) -> Result<(), EngineError> {
        self.refresh(&[source.to_owned()])?;
        let shards = self.index_shards(source)?;
        for shard in &shards.shards {
            let searcher = shard.searcher();
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                for doc in segment.doc_ids_alive() {
                    let Some(stored) = shard.stored_in(&searcher, DocAddress::new(ord as u32, doc))? else {
                        continue;
                    };
                    // A nested document (no `_id` of its own) comes back
                    // with its root, from the root's source.
                    if stored.id.is_empty() {
                        continue;
                    }
                    let cond = Conditions {
                        version: Some(stored.version),
                        version_type: VersionType::External,
                        ..Conditions::default()
                    };
                    let text = stored.source.as_deref().unwrap_or("{}").to_owned();
                    self.index_doc(target, &stored.id, text, stored.routing.as_deref(), &cond, true)?;
                }
            }
        }
        self.sync(&[target.to_owned()])?;
        self.refresh(&[target.to_owned()])?;
        Ok(())
    }
}

/// Elasticsearch's rules for the shards of a resize's target.
fn check_shards(kind: ResizeKind, source: u32, target: u32, routing_shards: u32) -> Result<(), EngineError> {
    let refuse = |reason: String| Err(EngineError::IllegalArgument(reason));
    if target == 0 {
        return refuse("index.number_of_shards must be at least 1".into());
    }
    match kind {
        ResizeKind::Clone if target != source => refuse(format!(
            "the number of target shards ({target}) must be the same as the number of source shards ({source})"
        )),
        ResizeKind::Shrink if target > source => refuse(format!(
            "the number of target shards [{target}] must be less that the number of source shards [{source}]"
        )),
        ResizeKind::Shrink if !source.is_multiple_of(target) => {
            refuse(format!("the number of source shards [{source}] must be a multiple of [{target}]"))
        }
        ResizeKind::Split if target <= source => refuse(format!(
            "the number of source shards [{source}] must be less that the number of target shards [{target}]"
        )),
        ResizeKind::Split if !target.is_multiple_of(source) => {
            refuse(format!("the number of source shards [{source}] must be a factor of [{target}]"))
        }
        ResizeKind::Split if !routing_shards.is_multiple_of(target) => refuse(format!(
            "the number of routing shards [{routing_shards}] must be a multiple of the target shards [{target}]"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_counts_follow_each_kind() {
        assert!(check_shards(ResizeKind::Clone, 2, 2, 1024).is_ok());
        assert!(check_shards(ResizeKind::Clone, 2, 3, 1024).is_err());
        assert!(check_shards(ResizeKind::Shrink, 4, 2, 1024).is_ok());
        assert!(check_shards(ResizeKind::Shrink, 3, 2, 1024).is_err());
        assert!(check_shards(ResizeKind::Shrink, 2, 4, 1024).is_err());
        assert!(check_shards(ResizeKind::Split, 2, 4, 4).is_ok());
        assert!(check_shards(ResizeKind::Split, 2, 8, 4).is_err());
        assert!(check_shards(ResizeKind::Split, 2, 3, 1024).is_err());
        assert!(check_shards(ResizeKind::Split, 2, 2, 1024).is_err());
    }
}
