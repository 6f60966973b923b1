//! Document operations of the engine: index, get, delete and refresh, on
//! the shard each document routes to. Writing to a missing index creates
//! it, as Elasticsearch's `action.auto_create_index` does by default.

use crate::error::{EngineError, ShardRef};
use crate::shard::{Conditions, StoredDoc, WriteOutcome};
use crate::shards::IndexShards;
use crate::Engine;
use std::sync::Arc;

/// A write's outcome with where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocWrite {
    pub index: String,
    pub outcome: WriteOutcome,
    /// Shard copies: the primary plus `number_of_replicas` (never assigned
    /// on one node), and the ones written.
    pub shards_total: u32,
    pub shards_successful: u32,
}

impl Engine {
    /// The open shards of a concrete index.
    pub(crate) fn index_shards(&self, index: &str) -> Result<Arc<IndexShards>, EngineError> {
        self.shards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(index)
            .cloned()
            .ok_or_else(|| EngineError::IndexNotFound { name: index.to_owned() })
    }

    /// The index a write to `target` goes to: the index itself, the one
    /// index of an alias (or its write index), or a new index.
    pub fn write_index(&self, target: &str) -> Result<String, EngineError> {
        {
            let meta = self.metadata();
            if meta.indices.contains_key(target) {
                return Ok(target.to_owned());
            }
            if meta.is_alias(target) {
                let indices = meta.alias_indices(target);
                let write: Vec<&str> = indices
                    .iter()
                    .copied()
                    .filter(|i| meta.indices[*i].aliases[target].get("is_write_index").and_then(|v| v.as_bool()) == Some(true))
                    .collect();
                return match (write.as_slice(), indices.as_slice()) {
                    ([one], _) | ([], [one]) => Ok((*one).to_owned()),
                    _ => Err(EngineError::IllegalArgument(format!(
                        "no write index is defined for alias [{target}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index"
                    ))),
                };
            }
        }
        match self.create_index(target, &serde_json::json!({})) {
            Ok(_) | Err(EngineError::IndexAlreadyExists { .. }) => Ok(target.to_owned()),
            Err(e) => Err(e),
        }
    }

    fn copies(&self, index: &str) -> u32 {
        let replicas: u32 = self
            .metadata()
            .indices
            .get(index)
            .and_then(|m| m.setting("index.number_of_replicas"))
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        1 + replicas
    }

    /// Indexes a document (`source` is its JSON text) into a concrete index.
    pub fn index_doc(&self, index: &str, id: &str, source: String, routing: Option<&str>, cond: &Conditions) -> Result<DocWrite, EngineError> {
        let shards = self.index_shards(index)?;
        let number = shards.shard_number(routing.unwrap_or(id));
        let outcome = shards.shards[number as usize]
            .index(id, source, routing.map(str::to_owned), cond)
            .map_err(|e| e.on_shard(ShardRef { index: index.to_owned(), index_uuid: shards.uuid.clone(), shard: number }))?;
        Ok(DocWrite { index: index.to_owned(), outcome, shards_total: self.copies(index), shards_successful: 1 })
    }

    /// Deletes a document of a concrete index.
    pub fn delete_doc(&self, index: &str, id: &str, routing: Option<&str>, cond: &Conditions) -> Result<DocWrite, EngineError> {
        let shards = self.index_shards(index)?;
        let number = shards.shard_number(routing.unwrap_or(id));
        let outcome = shards.shards[number as usize]
            .delete(id, cond)
            .map_err(|e| e.on_shard(ShardRef { index: index.to_owned(), index_uuid: shards.uuid.clone(), shard: number }))?;
        Ok(DocWrite { index: index.to_owned(), outcome, shards_total: self.copies(index), shards_successful: 1 })
    }

    /// The document; `realtime` sees writes not refreshed yet.
    pub fn get_doc(&self, index: &str, id: &str, routing: Option<&str>, realtime: bool) -> Result<Option<StoredDoc>, EngineError> {
        self.index_shards(index)?.shard_for(routing.unwrap_or(id)).get(id, realtime)
    }

    /// Makes every write to these indices searchable.
    pub fn refresh(&self, indices: &[String]) -> Result<u32, EngineError> {
        let mut shards = 0;
        for index in indices {
            let s = self.index_shards(index)?;
            s.refresh()?;
            shards += s.shards.len() as u32;
        }
        Ok(shards)
    }
}

#[cfg(test)]
mod tests {
    use crate::shard::{Conditions, WriteResult};
    use crate::Engine;
    use serde_json::json;

    #[test]
    fn documents_route_across_shards_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        {
            let engine = Engine::open(dir.path()).unwrap();
            engine.create_index("multi", &json!({"settings": {"number_of_shards": 3, "number_of_replicas": 0}})).unwrap();
            for i in 0..30 {
                let w = engine.index_doc("multi", &i.to_string(), format!("{{\"n\":{i}}}"), None, &Conditions::default()).unwrap();
                assert_eq!((w.outcome.result, w.shards_total), (WriteResult::Created, 1));
            }
            let per_shard: Vec<u64> = {
                engine.refresh(&["multi".into()]).unwrap();
                engine.index_shards("multi").unwrap().shards.iter().map(|s| s.searchable_docs()).collect()
            };
            assert_eq!(per_shard.iter().sum::<u64>(), 30);
            assert!(per_shard.iter().all(|&n| n > 0), "{per_shard:?}");
            engine.delete_doc("multi", "7", None, &Conditions::default()).unwrap();
        }
        let engine = Engine::open(dir.path()).unwrap();
        assert!(engine.get_doc("multi", "7", None, true).unwrap().is_none());
        assert_eq!(&*engine.get_doc("multi", "8", None, true).unwrap().unwrap().source, "{\"n\":8}");
    }

    #[test]
    fn writes_create_missing_indices_and_follow_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        assert_eq!(engine.write_index("fresh").unwrap(), "fresh");
        assert!(engine.metadata().indices.contains_key("fresh"));
        engine.create_index("real", &json!({"aliases": {"alias": {}}})).unwrap();
        assert_eq!(engine.write_index("alias").unwrap(), "real");
        assert!(engine.write_index("Bad").is_err());
    }
}
