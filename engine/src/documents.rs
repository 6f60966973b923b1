//! Document operations of the engine: index, get, delete and refresh, on
//! the shard each document routes to. Writing to a missing index creates
//! it, as Elasticsearch's `action.auto_create_index` does by default.

use crate::auto_create;
use crate::blocks::Access;
use crate::error::{EngineError, ShardRef};
use crate::indexed::IndexedDoc;
use crate::metadata::IndexMetadata;
use crate::shard::{Conditions, StoredDoc, WriteOutcome};
use crate::shards::IndexShards;
use crate::Engine;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// What an update asks for.
#[derive(Debug, Clone, Default)]
pub struct UpdateSpec {
    /// The partial document merged into the source.
    pub doc: Option<Value>,
    /// The document to create when there is none.
    pub upsert: Option<Value>,
    pub doc_as_upsert: bool,
    pub detect_noop: bool,
    pub retry_on_conflict: u32,
    /// `if_seq_no` / `if_primary_term` of the request.
    pub cond: Conditions,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq)]
pub enum Updated {
    Written {
        write: DocWrite,
        source: Value,
    },
    /// Nothing changed: no write happened.
    Noop {
        index: String,
        /// The shard holding the document.
        shard: u32,
        version: u64,
        seq_no: u64,
        source: Value,
    },
}

/// Merges a partial document into a source as Elasticsearch does: objects
/// merge key by key, recursively; any other value replaces.
pub fn merge(target: &mut Value, partial: &Value) {
    match (target, partial) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (target, partial) => *target = partial.clone(),
    }
}

/// A document to index.
#[derive(Debug)]
pub struct NewDoc<'a> {
    pub id: &'a str,
    /// The source as sent: `_source` keeps it byte for byte.
    pub source: String,
    pub routing: Option<&'a str>,
    pub cond: &'a Conditions,
    /// Bulk's `dynamic_templates`: field path to the template that maps it.
    pub templates: Option<&'a HashMap<String, String>>,
}

/// A write's outcome with where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocWrite {
    pub index: String,
    /// The shard written to.
    pub shard: u32,
    pub outcome: WriteOutcome,
    /// Shard copies: the primary plus `number_of_replicas` (never assigned
    /// on one node), and the ones written.
    pub shards_total: u32,
    pub shards_successful: u32,
}

impl Engine {
    /// The open shards of a concrete index.
    pub(crate) fn index_shards(&self, index: &str) -> Result<Arc<IndexShards>, EngineError> {
        if let Some(shards) = self.shards.read().unwrap_or_else(|p| p.into_inner()).get(index) {
            return Ok(shards.clone());
        }
        match self.metadata().indices.get(index) {
            Some(closed) => Err(EngineError::IndexClosed { name: closed.name.clone(), uuid: closed.uuid.clone() }),
            None => Err(EngineError::IndexNotFound { name: index.to_owned() }),
        }
    }

    /// The compiled mapping of an open index (with its analyzers).
    pub fn mapper(&self, index: &str) -> Result<Arc<crate::mapper::Mapper>, EngineError> {
        Ok(self.index_shards(index)?.mapper())
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
                    .filter(|i| {
                        meta.indices[*i].aliases[target].get("is_write_index").and_then(|v| v.as_bool()) == Some(true)
                    })
                    .collect();
                return match (write.as_slice(), indices.as_slice()) {
                    ([one], _) | ([], [one]) => Ok((*one).to_owned()),
                    _ => Err(EngineError::IllegalArgument(format!(
                        "no write index is defined for alias [{target}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index"
                    ))),
                };
            }
        }
        // A matching composable template's `allow_auto_create` overrides the setting.
        let allowed = {
            let meta = self.metadata();
            crate::template_apply::find_index_template(&meta.templates, target, false)
                .and_then(|(_, t)| t.get("allow_auto_create").and_then(Value::as_bool).map(|a| (a, t.clone())))
        };
        match allowed {
            Some((true, _)) => {}
            Some((false, template)) => {
                let patterns = crate::templates::java_list(&crate::templates::index_patterns(&template));
                return Err(EngineError::IndexNotFound {
                    name: format!("composable template {patterns} forbids index auto creation"),
                });
            }
            None => {
                let rule = self.cluster_setting("action.auto_create_index");
                auto_create::AutoCreate::parse(&rule).map_err(EngineError::IllegalArgument)?.check(target)?;
            }
        }
        match self.create_index_from(target, &serde_json::json!({}), true) {
            Ok(_) | Err(EngineError::IndexAlreadyExists { .. }) => Ok(target.to_owned()),
            Err(e) => Err(e),
        }
    }

    fn copies(&self, index: &str) -> u32 {
        1 + self.metadata().indices.get(index).map_or(1, IndexMetadata::number_of_replicas)
    }

    /// Indexes a document (`source` is its JSON text) into a concrete index.
    /// With `defer_sync`, call [`Engine::sync`] before acknowledging.
    pub fn index_doc(
        &self,
        index: &str,
        id: &str,
        source: String,
        routing: Option<&str>,
        cond: &Conditions,
        defer_sync: bool,
    ) -> Result<DocWrite, EngineError> {
        let doc = NewDoc { id, source, routing, cond, templates: None };
        self.index_new(index, doc, defer_sync)
    }

    /// Indexes a document into a concrete index; `defer_sync` as for [`Engine::index_doc`].
    pub fn index_new(&self, index: &str, doc: NewDoc<'_>, defer_sync: bool) -> Result<DocWrite, EngineError> {
        self.check_block(index, Access::Write)?;
        let indexed = self.prepare(index, &doc)?;
        let NewDoc { id, source, routing, cond, .. } = doc;
        self.write_on_shard(index, routing.unwrap_or(id), |shard| {
            shard.index(id, source, indexed, routing.map(str::to_owned), cond, defer_sync)
        })
    }

    /// Parses a document against its index's mapping, adding the mapping
    /// its new fields get first.
    fn prepare(&self, index: &str, doc: &NewDoc<'_>) -> Result<IndexedDoc, EngineError> {
        let shards = self.index_shards(index)?;
        let no_templates = HashMap::new();
        let templates = doc.templates.unwrap_or(&no_templates);
        let mut retried = false;
        let mut remapped = false;
        loop {
            let mapper = shards.mapper();
            if mapper.routing_required && doc.routing.is_none() {
                return Err(EngineError::RoutingMissing { index: index.to_owned(), id: doc.id.to_owned() });
            }
            let (parsed, indexed) = mapper.index_source(doc.id, &doc.source, templates)?;
            let Some(update) = &parsed.mapping_update else {
                return Ok(indexed);
            };
            match self.add_dynamic_mapping(index, update) {
                // Parsed again with the new mapping: its new text fields have their slots now.
                Ok(()) if !remapped => remapped = true,
                Ok(()) => return Ok(indexed),
                // Another write mapped the same field first: parse again with its mapping.
                Err(EngineError::IllegalArgument(_)) if !retried => retried = true,
                Err(e) => return Err(e),
            }
        }
    }

    /// Deletes a document of a concrete index; `defer_sync` as for [`Engine::index_doc`].
    pub fn delete_doc(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        cond: &Conditions,
        defer_sync: bool,
    ) -> Result<DocWrite, EngineError> {
        self.check_block(index, Access::Write)?;
        self.write_on_shard(index, routing.unwrap_or(id), |shard| shard.delete(id, cond, defer_sync))
    }

    /// Names the shard of a concrete index that a routing value (or `_id`) goes to.
    fn shard_ref(&self, index: &str, routing: &str) -> Result<(Arc<IndexShards>, ShardRef), EngineError> {
        let shards = self.index_shards(index)?;
        let shard = shards.shard_number(routing);
        let at = ShardRef { index: index.to_owned(), index_uuid: shards.uuid.clone(), shard };
        Ok((shards, at))
    }

    /// Runs a write on the shard a routing value (or `_id`) goes to; a
    /// version conflict names that shard.
    fn write_on_shard(
        &self,
        index: &str,
        routing: &str,
        write: impl FnOnce(&crate::shard::Shard) -> Result<WriteOutcome, EngineError>,
    ) -> Result<DocWrite, EngineError> {
        let (shards, at) = self.shard_ref(index, routing)?;
        let shard = at.shard;
        let outcome = write(&shards.shards[shard as usize]).map_err(|e| e.on_shard(at))?;
        Ok(DocWrite { index: index.to_owned(), shard, outcome, shards_total: self.copies(index), shards_successful: 1 })
    }

    /// The shard a routing value (or an id) leads to in an index.
    pub fn route(&self, index: &str, routing: &str) -> Result<u32, EngineError> {
        Ok(self.index_shards(index)?.shard_number(routing))
    }

    /// The document; `realtime` sees writes not refreshed yet.
    pub fn get_doc(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        realtime: bool,
    ) -> Result<Option<StoredDoc>, EngineError> {
        self.check_block(index, Access::Read)?;
        let shards = self.index_shards(index)?;
        let Some(mut doc) = shards.shard_for(routing.unwrap_or(id)).get(id, realtime)? else {
            return Ok(None);
        };
        if doc.unfiltered {
            // Read back from the translog as sent: store it as the mapping says.
            let sent = doc.source.as_deref().unwrap_or("{}");
            let mapper = shards.mapper();
            let (source, kept) = mapper.stored_of_text(sent)?;
            (doc.source, doc.kept_stored) = (source.map(Arc::from), kept);
            doc.unfiltered = false;
        }
        shards.mapper().read_doc(&mut doc, false);
        Ok(Some(doc))
    }

    /// Counts a `_bulk` request's part on one shard: its items' bytes and
    /// the time they took.
    pub fn record_bulk(&self, index: &str, shard: u32, bytes: u64, nanos: u64) -> Result<(), EngineError> {
        let shards = self.index_shards(index)?;
        if let Some(shard) = shards.shards.get(shard as usize) {
            let counters = shard.counters();
            counters.add(crate::stats::Counter::BulkTotal, 1);
            counters.add(crate::stats::Counter::BulkTimeNanos, nanos);
            counters.add(crate::stats::Counter::BulkBytes, bytes);
        }
        Ok(())
    }

    /// Makes the deferred writes to these indices durable.
    pub fn sync(&self, indices: &[String]) -> Result<(), EngineError> {
        for index in indices {
            self.index_shards(index)?.shards.iter().try_for_each(crate::shard::Shard::sync)?;
        }
        Ok(())
    }

    /// Updates a document: merges a partial `doc` into its source, or
    /// creates it from `upsert` (or the `doc` itself with `doc_as_upsert`)
    /// when it is missing. An update that changes nothing is a `noop`.
    pub fn update_doc(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        spec: &UpdateSpec,
        defer_sync: bool,
    ) -> Result<Updated, EngineError> {
        self.check_block(index, Access::Write)?;
        let mut attempts = 0;
        loop {
            let current = self.get_doc(index, id, routing, true)?;
            let result = self.update_once(index, id, routing, spec, current, defer_sync);
            match result {
                Err(EngineError::VersionConflict { .. })
                    if attempts < spec.retry_on_conflict && spec.cond.if_seq_no.is_none() =>
                {
                    attempts += 1;
                }
                other => return other,
            }
        }
    }

    fn update_once(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        spec: &UpdateSpec,
        current: Option<StoredDoc>,
        defer_sync: bool,
    ) -> Result<Updated, EngineError> {
        let Some(current) = current else {
            let source = match (&spec.upsert, &spec.doc) {
                (Some(upsert), _) => upsert.clone(),
                (None, Some(doc)) if spec.doc_as_upsert => doc.clone(),
                _ => {
                    let (_, shard) = self.shard_ref(index, routing.unwrap_or(id))?;
                    return Err(EngineError::DocumentMissing { id: id.to_owned(), shard });
                }
            };
            let cond = Conditions { create_only: true, ..spec.cond.clone() };
            let write = self.index_doc(index, id, source.to_string(), routing, &cond, defer_sync)?;
            return Ok(Updated::Written { write, source });
        };
        // As Elasticsearch's UpdateHelper: the request's seq_no condition is
        // checked against the document read, before any noop detection.
        if let Err(conflict) = crate::shard::check_seq_no(id, Some(current.seq_no), &spec.cond) {
            let (_, at) = self.shard_ref(index, routing.unwrap_or(id))?;
            return Err(conflict.on_shard(at));
        }
        let Some(stored) = &current.source else {
            return Err(EngineError::DocumentSourceMissing { id: id.to_owned() });
        };
        let mut source: Value = serde_json::from_str(stored)
            .map_err(|e| EngineError::Corrupt { path: id.into(), reason: e.to_string() })?;
        let before = source.clone();
        if let Some(doc) = &spec.doc {
            merge(&mut source, doc);
        }
        if spec.detect_noop && source == before {
            let (shards, at) = self.shard_ref(index, routing.unwrap_or(id))?;
            shards.shards[at.shard as usize].counters().add(crate::stats::Counter::NoopUpdateTotal, 1);
            return Ok(Updated::Noop {
                index: index.to_owned(),
                shard: at.shard,
                version: current.version,
                seq_no: current.seq_no,
                source,
            });
        }
        let cond = Conditions {
            if_seq_no: Some(spec.cond.if_seq_no.unwrap_or(current.seq_no)),
            if_primary_term: Some(spec.cond.if_primary_term.unwrap_or(crate::shard::PRIMARY_TERM)),
            ..Conditions::default()
        };
        let write = self.index_doc(index, id, source.to_string(), routing, &cond, defer_sync)?;
        Ok(Updated::Written { write, source })
    }

    /// Commits every write to these indices durably and empties their translogs.
    pub fn flush(&self, indices: &[String]) -> Result<u32, EngineError> {
        self.each_index(indices, |s| s.flush())
    }

    /// Merges the segments of these indices (see [`crate::shard::Shard::force_merge`]).
    pub fn force_merge(
        &self,
        indices: &[String],
        max_segments: Option<usize>,
        only_expunge_deletes: bool,
    ) -> Result<u32, EngineError> {
        self.each_index(indices, |s| {
            s.shards.iter().try_for_each(|shard| shard.force_merge(max_segments, only_expunge_deletes))
        })
    }

    /// The statistics of each shard of an open index.
    pub fn shard_stats(&self, index: &str) -> Result<Vec<crate::stats::ShardStats>, EngineError> {
        let shards = self.index_shards(index)?;
        let mapper = shards.mapper();
        let completion: Vec<&String> = mapper
            .fields
            .iter()
            .filter(|(_, f)| f.kind == crate::mapper::FieldKind::Completion)
            .map(|(path, _)| path)
            .collect();
        let stats = shards.shards.iter().enumerate().map(|(i, s)| {
            let mut stats = s.stats(i as u32);
            stats.fielddata =
                s.loaded_fielddata().into_iter().map(|path| (path.clone(), s.column_bytes(&path))).collect();
            stats.completion = completion.iter().map(|path| ((*path).clone(), s.column_bytes(path))).collect();
            stats
        });
        Ok(stats.collect())
    }

    /// Counts a request's uses of fields on the shard that holds the
    /// document `id` (a search counts its own; see `field_usage`).
    pub fn record_field_usage(
        &self,
        index: &str,
        id: &str,
        routing: Option<&str>,
        mut uses: Vec<(String, crate::field_usage::Use)>,
    ) -> Result<(), EngineError> {
        crate::field_usage::distinct(&mut uses);
        self.index_shards(index)?.shard_for(routing.unwrap_or(id)).field_usage().record(&uses);
        Ok(())
    }

    /// How searches used each field of each shard of an open index: the
    /// tracking's id and start, and each field's counts.
    pub fn field_usage(&self, index: &str) -> Result<Vec<crate::field_usage::UsageReport>, EngineError> {
        Ok(self.index_shards(index)?.shards.iter().map(|s| s.field_usage().report()).collect())
    }

    /// How each shard of an open index was opened.
    pub fn recoveries(&self, index: &str) -> Result<Vec<crate::shard::Recovery>, EngineError> {
        Ok(self.index_shards(index)?.shards.iter().map(crate::shard::Shard::recovery).collect())
    }

    /// Runs `op` on the shards of each index; the number of shards it ran on.
    fn each_index(
        &self,
        indices: &[String],
        op: impl Fn(&IndexShards) -> Result<(), EngineError>,
    ) -> Result<u32, EngineError> {
        let mut shards = 0;
        for index in indices {
            let s = self.index_shards(index)?;
            op(&s)?;
            shards += s.shards.len() as u32;
        }
        Ok(shards)
    }

    /// Makes every write to these indices searchable.
    pub fn refresh(&self, indices: &[String]) -> Result<u32, EngineError> {
        self.each_index(indices, IndexShards::refresh)
    }

    /// Makes the writes to one shard searchable: the shard a document's
    /// `_routing` (or `_id`) leads to, as a write's `?refresh` does.
    pub fn refresh_shard_of(&self, index: &str, routing: &str) -> Result<(), EngineError> {
        self.index_shards(index)?.shard_for(routing).refresh()
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
            engine
                .create_index("multi", &json!({"settings": {"number_of_shards": 3, "number_of_replicas": 0}}))
                .unwrap();
            for i in 0..30 {
                let w = engine
                    .index_doc("multi", &i.to_string(), format!("{{\"n\":{i}}}"), None, &Conditions::default(), false)
                    .unwrap();
                assert_eq!((w.outcome.result, w.shards_total), (WriteResult::Created, 1));
            }
            let per_shard: Vec<u64> = {
                engine.refresh(&["multi".into()]).unwrap();
                engine.index_shards("multi").unwrap().shards.iter().map(|s| s.searchable_docs()).collect()
            };
            assert_eq!(per_shard.iter().sum::<u64>(), 30);
            assert!(per_shard.iter().all(|&n| n > 0), "{per_shard:?}");
            engine.delete_doc("multi", "7", None, &Conditions::default(), false).unwrap();
        }
        let engine = Engine::open(dir.path()).unwrap();
        assert!(engine.get_doc("multi", "7", None, true).unwrap().is_none());
        assert_eq!(engine.get_doc("multi", "8", None, true).unwrap().unwrap().source.as_deref(), Some("{\"n\":8}"));
    }

    #[test]
    fn a_writes_refresh_reaches_its_own_shard_only() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let settings = json!({"settings": {"number_of_shards": 2, "refresh_interval": "-1"}});
        engine.create_index("two", &settings).unwrap();
        let ids: Vec<String> = (0..).map(|i: u32| i.to_string()).take(20).collect();
        let first = &ids[0];
        let other = ids.iter().find(|id| engine.route("two", id).unwrap() != engine.route("two", first).unwrap());
        let other = other.expect("some id routes to the other shard");
        for id in [first, other] {
            engine.index_doc("two", id, "{}".into(), None, &Conditions::default(), false).unwrap();
        }
        engine.refresh_shard_of("two", other).unwrap();
        let searchable: u64 = engine.index_shards("two").unwrap().shards.iter().map(|s| s.searchable_docs()).sum();
        assert_eq!(searchable, 1);
    }

    #[test]
    fn updates_merge_upsert_and_detect_noops() {
        use crate::documents::{UpdateSpec, Updated};
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("u", &json!({})).unwrap();
        let missing = UpdateSpec { doc: Some(json!({"a": 1})), detect_noop: true, ..Default::default() };
        assert!(matches!(
            engine.update_doc("u", "1", None, &missing, false),
            Err(crate::EngineError::DocumentMissing { .. })
        ));
        let upsert = UpdateSpec { doc_as_upsert: true, ..missing.clone() };
        assert!(matches!(engine.update_doc("u", "1", None, &upsert, false).unwrap(), Updated::Written { .. }));
        let partial = UpdateSpec { doc: Some(json!({"b": {"c": 2}})), detect_noop: true, ..Default::default() };
        let Updated::Written { write, source } = engine.update_doc("u", "1", None, &partial, false).unwrap() else {
            panic!()
        };
        assert_eq!((write.outcome.version, source), (2, json!({"a": 1, "b": {"c": 2}})));
        assert!(matches!(
            engine.update_doc("u", "1", None, &partial, false).unwrap(),
            Updated::Noop { version: 2, .. }
        ));
        // A stale if_seq_no conflicts even where the update would change nothing.
        let cond = crate::Conditions { if_seq_no: Some(234), if_primary_term: Some(1), ..Default::default() };
        let stale = UpdateSpec { cond, ..partial.clone() };
        assert!(matches!(
            engine.update_doc("u", "1", None, &stale, false),
            Err(crate::EngineError::VersionConflict { shard: Some(_), .. })
        ));
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
