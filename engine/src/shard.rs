//! A shard: one tantivy index, its translog, and the live version map that
//! makes GET realtime.
//!
//! A write takes the shard's write lock, checks the caller's conditions
//! against the document's current version, appends the operation to the
//! translog (fsynced unless `index.translog.durability` is `async`), applies
//! it to the tantivy writer and records it in the live map. GET reads the
//! live map first, then the last refreshed searcher. A refresh commits
//! tantivy without fsync ([`ShardDirectory`]), reopens the searcher and
//! empties the live map; a flush also makes the commit durable and trims
//! the translog. Opening a shard goes back to the last durable commit and
//! replays what the translog holds beyond it.

use crate::column_cache::ColumnCache;
use crate::directory::ShardDirectory;
use crate::error::EngineError;
use crate::indexed::{schema, Fields, IndexedDoc};
use crate::stats::{base36, folder_size, Counter, Counters, SegmentStats, ShardStats};
use crate::translog::{Operation, Translog};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::indexer::UserOperation;
use tantivy::schema::{Field, IndexRecordOption, Value as _};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentReader, TantivyDocument, Term,
    TERMINATED,
};

/// Marks the `_source` value that holds the stored fields the source
/// leaves out (no JSON text starts with it), beside the source itself.
pub(crate) const KEPT_MARK: char = '\u{0}';

/// Every write of this single-node engine is made under primary term 1.
pub const PRIMARY_TERM: u64 = 1;

/// Indexing threads of a shard's tantivy writer, and the memory of each.
const WRITER_THREADS: usize = 2;
const WRITER_MEMORY_PER_THREAD: usize = 32 << 20;

/// A document as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDoc {
    pub id: String,
    pub version: u64,
    pub seq_no: u64,
    pub routing: Option<String>,
    /// The `_source` as stored, JSON text; `None` when `_source` is disabled.
    pub source: Option<Arc<str>>,
    /// The values of stored fields the stored `_source` leaves out, JSON
    /// shaped as the source (`Mapper::kept_stored`).
    pub kept_stored: Option<Arc<str>>,
    /// Fields whose values were not indexed (`_ignored`).
    pub ignored: Vec<String>,
    /// The source is the one sent, read back from the translog: the
    /// mapping's `_source` filtering is still to apply.
    pub unfiltered: bool,
}

impl StoredDoc {
    /// The stored fields the stored `_source` leaves out, parsed.
    pub fn kept(&self) -> Option<serde_json::Value> {
        self.kept_stored.as_deref().and_then(|k| serde_json::from_str(k).ok())
    }

    /// What stored fields and highlighting read values from: the source
    /// with the stored fields it leaves out laid over it (`None` when
    /// there is neither).
    pub fn stored_view(&self) -> Option<serde_json::Value> {
        let source: Option<serde_json::Value> = self.source.as_deref().and_then(|s| serde_json::from_str(s).ok());
        with_kept(source, self.kept())
    }
}

/// A source (or part of one) with kept stored fields laid over it.
pub fn with_kept(source: Option<serde_json::Value>, kept: Option<serde_json::Value>) -> Option<serde_json::Value> {
    match (source, kept) {
        (Some(mut source), Some(kept)) => {
            crate::source_filter::overlay(&mut source, kept);
            Some(source)
        }
        (source, kept) => source.or(kept),
    }
}

/// The newest state of a document written since the last refresh. Its
/// source stays in the translog, at `location`.
#[derive(Debug, Clone)]
enum Live {
    Present { version: u64, seq_no: u64, location: u64 },
    Deleted { version: u64, seq_no: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionType {
    #[default]
    Internal,
    External,
    ExternalGte,
}

impl VersionType {
    /// By its name in a request: `internal`, `external`, `external_gte`.
    pub fn from_name(name: &str) -> Option<VersionType> {
        match name {
            "internal" => Some(VersionType::Internal),
            "external" => Some(VersionType::External),
            "external_gte" => Some(VersionType::ExternalGte),
            _ => None,
        }
    }
}

/// What a write requires of the document's current state.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// `op_type=create`: the document must not exist.
    pub create_only: bool,
    pub if_seq_no: Option<u64>,
    pub if_primary_term: Option<u64>,
    /// With an external version type, the version to write.
    pub version: Option<u64>,
    pub version_type: VersionType,
    /// The `_id` was generated for this write, so no document has it yet.
    pub generated_id: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteResult {
    Created,
    Updated,
    Deleted,
    NotFound,
}

impl WriteResult {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteResult::Created => "created",
            WriteResult::Updated => "updated",
            WriteResult::Deleted => "deleted",
            WriteResult::NotFound => "not_found",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOutcome {
    pub result: WriteResult,
    pub version: u64,
    pub seq_no: u64,
}

struct WriteState {
    writer: IndexWriter,
    translog: Translog,
    next_seq_no: u64,
    /// Keyed by `_id` with a fast hash: one entry per write between refreshes,
    /// except writes of generated ids (see `untracked_from`).
    live: FxHashMap<String, Live>,
    /// Where in the translog the first write since the last refresh that
    /// `live` does not hold is (a generated id: Elasticsearch's unsafe
    /// version map). A lookup by id first reads the translog from there
    /// into `live`, then every write is tracked until the next refresh.
    untracked_from: Option<u64>,
    /// Every write goes into `live`, generated ids too.
    track_all: bool,
    /// Whether the shard may hold nested documents, which replacing or
    /// deleting a document must delete too.
    has_nested: bool,
    /// Deletions already refreshed, kept for `index.gc_deletes` so that a
    /// recreated document goes on from the deleted one's version.
    tombstones: FxHashMap<String, Tombstone>,
    gc_deletes: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Tombstone {
    version: u64,
    seq_no: u64,
    at: Instant,
}

/// Elasticsearch's default `index.gc_deletes`.
pub const DEFAULT_GC_DELETES: Duration = Duration::from_secs(60);

pub struct Shard {
    dir: PathBuf,
    directory: ShardDirectory,
    fields: Fields,
    reader: IndexReader,
    state: Mutex<WriteState>,
    sync_each_write: bool,
    counters: Counters,
    opened: Instant,
    /// Segment generations, numbered as segments are first seen.
    generations: Mutex<HashMap<SegmentId, u64>>,
    /// Text fields whose field data a search has loaded (sorted on).
    fielddata: Mutex<std::collections::BTreeSet<String>>,
    /// Columns searches read from every segment, opened once each.
    columns: ColumnCache,
    recovery: Recovery,
    /// How searches used each field since the shard opened.
    field_usage: crate::field_usage::FieldUsage,
}

/// How a shard came to be open: from an empty store or its files on disk,
/// with how many translog operations replayed, when and how fast.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recovery {
    pub existing_store: bool,
    pub replayed_operations: u64,
    pub started_millis: u64,
    pub took: Duration,
}

fn tantivy_error(dir: &Path, e: impl std::fmt::Display) -> EngineError {
    EngineError::Corrupt { path: dir.to_owned(), reason: e.to_string() }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CommitPayload {
    next_seq_no: u64,
}

/// Indexes a document's source again, as the translog replay needs.
pub type Reindex<'a> = &'a dyn Fn(&str, &str) -> Result<IndexedDoc, EngineError>;

impl Shard {
    /// Opens the shard in `dir` (creating it when new) and replays its
    /// translog, indexing each replayed source with `reindex`.
    pub fn open(dir: &Path, sync_each_write: bool, reindex: Reindex<'_>) -> Result<Shard, EngineError> {
        let started = (Instant::now(), std::time::SystemTime::now());
        let index_dir = dir.join("index");
        std::fs::create_dir_all(&index_dir).map_err(|e| EngineError::io(&index_dir, e))?;
        let (schema, fields) = schema();
        let directory = ShardDirectory::open(&index_dir).map_err(|e| tantivy_error(&index_dir, e))?;
        let existing = Index::exists(&directory).unwrap_or(false);
        let migrated =
            crate::schema_migration::migrate(&directory, &schema).map_err(|e| EngineError::io(&index_dir, e))?;
        if migrated == crate::schema_migration::Migrated::Updated {
            tracing::info!(shard = %dir.display(), "the shard's schema was brought up to the current one");
        }
        let index = Index::open_or_create(directory.clone(), schema).map_err(|e| tantivy_error(&index_dir, e))?;
        // The commit the index opened at (or its first) is the durable one.
        directory.sync().map_err(|e| EngineError::io(&index_dir, e))?;
        crate::indexed::register_tokenizers(&index);
        let committed = index
            .load_metas()
            .map_err(|e| tantivy_error(&index_dir, e))?
            .payload
            .and_then(|p| serde_json::from_str::<CommitPayload>(&p).ok())
            .map_or(0, |p| p.next_seq_no);
        let writer = index
            .writer_with_num_threads(WRITER_THREADS, WRITER_THREADS * WRITER_MEMORY_PER_THREAD)
            .map_err(|e| tantivy_error(&index_dir, e))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| tantivy_error(&index_dir, e))?;
        let (translog, ops) = Translog::open(&dir.join("translog.tlog"))?;
        let has_nested = reader
            .searcher()
            .segment_readers()
            .iter()
            .any(|segment| segment.inverted_index(fields.nested).is_ok_and(|terms| terms.terms().num_terms() > 0));
        let mut state = WriteState {
            writer,
            translog,
            next_seq_no: committed,
            live: FxHashMap::default(),
            untracked_from: None,
            track_all: false,
            has_nested,
            tombstones: FxHashMap::default(),
            gc_deletes: DEFAULT_GC_DELETES,
        };
        let mut replayed = 0;
        for (location, op) in ops.into_iter().filter(|(_, op)| op.seq_no() >= committed) {
            state.next_seq_no = state.next_seq_no.max(op.seq_no() + 1);
            let indexed = match &op {
                // An operation accepted once is never lost: if the mapping
                // no longer takes it (a limit lowered since), it is kept as
                // its source alone.
                Operation::Index { id, source, .. } => Some(reindex(id, source).unwrap_or_else(|e| {
                    tracing::warn!(shard = %dir.display(), id = %id, error = %e, "a replayed document no longer fits the mapping; kept by its source only");
                    IndexedDoc::source_only(source)
                })),
                Operation::Delete { .. } => None,
            };
            apply(&fields, &mut state, op, indexed, location, true).map_err(|e| tantivy_error(dir, e))?;
            replayed += 1;
        }
        let shard = Shard {
            dir: dir.to_owned(),
            directory,
            fields,
            reader,
            state: Mutex::new(state),
            sync_each_write,
            counters: Counters::default(),
            opened: Instant::now(),
            generations: Mutex::new(HashMap::new()),
            fielddata: Mutex::new(Default::default()),
            columns: ColumnCache::default(),
            recovery: Recovery::default(),
            field_usage: Default::default(),
        };
        if replayed > 0 {
            shard.refresh()?;
        }
        let since_epoch = started.1.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Ok(Shard {
            recovery: Recovery {
                existing_store: existing,
                replayed_operations: replayed,
                started_millis: since_epoch.as_millis() as u64,
                took: started.0.elapsed(),
            },
            ..shard
        })
    }

    fn lock(&self) -> MutexGuard<'_, WriteState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The document: realtime (writes not yet refreshed are seen), or as
    /// the last refresh left it.
    pub fn get(&self, id: &str, realtime: bool) -> Result<Option<StoredDoc>, EngineError> {
        let start = Instant::now();
        let found = if realtime {
            let mut state = self.lock();
            self.track_lookups(&mut state)?;
            match state.live.get(id) {
                Some(Live::Present { location, .. }) => Some(Self::from_translog(&state.translog, *location)?),
                Some(Live::Deleted { .. }) => None,
                None => self.search_id(id)?,
            }
        } else {
            self.search_id(id)?
        };
        self.counters.timed(Counter::GetTotal, Counter::GetTimeNanos, start);
        match found {
            Some(_) => self.counters.timed(Counter::GetExistsTotal, Counter::GetExistsTimeNanos, start),
            None => self.counters.timed(Counter::GetMissingTotal, Counter::GetMissingTimeNanos, start),
        }
        Ok(found)
    }

    /// A document written since the last refresh, read back from the translog.
    fn from_translog(translog: &Translog, location: u64) -> Result<StoredDoc, EngineError> {
        match translog.read(location)? {
            Operation::Index { id, seq_no, version, routing, source } => Ok(StoredDoc {
                id,
                version,
                seq_no,
                routing,
                source: Some(Arc::from(source)),
                kept_stored: None,
                ignored: Vec::new(),
                unfiltered: true,
            }),
            Operation::Delete { .. } => Err(EngineError::Corrupt {
                path: PathBuf::from("translog"),
                reason: "a live document points at a deletion".into(),
            }),
        }
    }

    /// Where the live document with this `_id` is in the last refreshed
    /// searcher: straight from each segment's postings, no query.
    fn locate(&self, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>, EngineError> {
        let term = Term::from_field_text(self.fields.id, id);
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let index = segment.inverted_index(self.fields.id).map_err(|e| tantivy_error(&self.dir, e))?;
            let Some(mut postings) =
                index.read_postings(&term, IndexRecordOption::Basic).map_err(|e| tantivy_error(&self.dir, e))?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if segment.alive_bitset().is_none_or(|alive| alive.is_alive(doc)) {
                    return Ok(Some(DocAddress::new(ordinal as u32, doc)));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    fn search_id(&self, id: &str) -> Result<Option<StoredDoc>, EngineError> {
        let searcher = self.reader.searcher();
        let Some(address) = self.locate(&searcher, id)? else {
            return Ok(None);
        };
        self.stored_in(&searcher, address)
    }

    /// The refreshed document with this `_id`: the searcher and its address.
    pub fn find(&self, id: &str) -> Result<Option<(Searcher, DocAddress)>, EngineError> {
        let searcher = self.reader.searcher();
        Ok(self.locate(&searcher, id)?.map(|address| (searcher, address)))
    }

    /// The searcher of the last refresh.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// How the shard was opened.
    pub fn recovery(&self) -> Recovery {
        self.recovery
    }

    /// How searches used each field since the shard opened.
    pub fn field_usage(&self) -> &crate::field_usage::FieldUsage {
        &self.field_usage
    }

    /// A segment's `_seq_no` column (which orders hits that tie), opened
    /// once per segment.
    pub fn seq_no_column(&self, segment: &SegmentReader) -> Option<Column<u64>> {
        self.identity_columns(segment).seq_no
    }

    /// A segment's `_seq_no` and `_version` columns, opened once per segment.
    fn identity_columns(&self, segment: &SegmentReader) -> crate::column_cache::IdentityColumns {
        let id = segment.segment_id();
        self.columns.of(segment, || self.reader.searcher().segment_readers().iter().any(|s| s.segment_id() == id))
    }

    /// The stored document at an address of a searcher of this shard.
    pub fn stored_in(&self, searcher: &Searcher, address: DocAddress) -> Result<Option<StoredDoc>, EngineError> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| tantivy_error(&self.dir, e))?;
        let text = |f: Field| doc.get_first(f).and_then(|v| v.as_str().map(str::to_owned));
        // Version and sequence number are columns (older segments stored them too).
        let columns = self.identity_columns(searcher.segment_reader(address.segment_ord));
        let number = |c: Option<Column<u64>>| c.and_then(|c| c.first(address.doc_id)).unwrap_or_default();
        // `_source` holds the source, and the stored fields it leaves out (marked).
        let (mut source, mut kept) = (None, None);
        for value in doc.get_all(self.fields.source).filter_map(|v| v.as_str()) {
            match value.strip_prefix(KEPT_MARK) {
                Some(k) => kept = kept.or(Some(k)),
                None => source = source.or(Some(value)),
            }
        }
        Ok(Some(StoredDoc {
            id: text(self.fields.id).unwrap_or_default(),
            version: number(columns.version),
            seq_no: number(columns.seq_no),
            routing: text(self.fields.routing),
            source: source.map(Arc::from),
            kept_stored: kept.map(Arc::from),
            ignored: doc.get_all(self.fields.ignored).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            unfiltered: false,
        }))
    }

    /// The version and sequence number of the refreshed document with this
    /// `_id`, from the columns, without loading the document.
    fn searched_version(&self, id: &str) -> Result<Option<(u64, u64)>, EngineError> {
        let searcher = self.reader.searcher();
        let Some(address) = self.locate(&searcher, id)? else {
            return Ok(None);
        };
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let column = |name: &str| fast.u64(name).map_err(|e| tantivy_error(&self.dir, e));
        let version = column("_version")?.first(address.doc_id).unwrap_or_default();
        let seq_no = column("_seq_no")?.first(address.doc_id).unwrap_or_default();
        Ok(Some((version, seq_no)))
    }

    /// The document's current state: present, a recent deletion (whose
    /// version the next write goes on from), or unknown.
    fn current(&self, state: &mut WriteState, id: &str) -> Result<Current, EngineError> {
        self.track_lookups(state)?;
        Ok(match state.live.get(id) {
            Some(Live::Present { version, seq_no, .. }) => Current { exists: true, version: *version, seq_no: *seq_no },
            Some(Live::Deleted { version, seq_no }) => Current { exists: false, version: *version, seq_no: *seq_no },
            None => match self.searched_version(id)? {
                None if state.tombstones.get(id).is_some_and(|t| t.at.elapsed() < state.gc_deletes) => {
                    let t = state.tombstones[id];
                    Current { exists: false, version: t.version, seq_no: t.seq_no }
                }
                Some((version, seq_no)) => Current { exists: true, version, seq_no },
                None => Current { exists: false, version: 0, seq_no: 0 },
            },
        })
    }

    /// Makes a lookup by id safe: after untracked writes, reads them back
    /// from the translog into the live map (the operations since, in order,
    /// leave it as it was, with them added), and tracks every write until
    /// the next refresh.
    fn track_lookups(&self, state: &mut WriteState) -> Result<(), EngineError> {
        let Some(from) = state.untracked_from.take() else { return Ok(()) };
        for (location, op) in state.translog.read_from(from)? {
            match op {
                Operation::Index { id, seq_no, version, .. } => {
                    state.live.insert(id, Live::Present { version, seq_no, location });
                }
                Operation::Delete { id, seq_no, version } => {
                    state.live.insert(id, Live::Deleted { version, seq_no });
                }
            }
        }
        state.track_all = true;
        Ok(())
    }

    /// Indexes (creates or replaces) a document. With `defer_sync`, the
    /// translog is not fsynced here: the caller calls [`Shard::sync`] before
    /// acknowledging (a bulk request syncs once per shard).
    pub fn index(
        &self,
        id: &str,
        source: String,
        indexed: IndexedDoc,
        routing: Option<String>,
        cond: &Conditions,
        defer_sync: bool,
    ) -> Result<WriteOutcome, EngineError> {
        let start = Instant::now();
        let written = (|| {
            let mut state = self.lock();
            // A generated `_id` is new: no document to look up (Elasticsearch's append-only path).
            let current = if cond.generated_id {
                Current { exists: false, version: 0, seq_no: 0 }
            } else {
                self.current(&mut state, id)?
            };
            let version = next_version(id, current, cond)?;
            let op = Operation::Index { id: id.to_owned(), seq_no: state.next_seq_no, version, routing, source };
            let seq_no = self.log_and_apply(&mut state, op, Some(indexed), !cond.generated_id, defer_sync)?;
            let result = if current.exists { WriteResult::Updated } else { WriteResult::Created };
            Ok(WriteOutcome { result, version, seq_no })
        })();
        match written {
            Ok(_) => self.counters.timed(Counter::IndexTotal, Counter::IndexTimeNanos, start),
            Err(_) => self.counters.add(Counter::IndexFailed, 1),
        }
        written
    }

    /// Deletes a document; `NotFound` when there was none. `defer_sync` as for [`Shard::index`].
    pub fn delete(&self, id: &str, cond: &Conditions, defer_sync: bool) -> Result<WriteOutcome, EngineError> {
        let start = Instant::now();
        let deleted = (|| {
            let mut state = self.lock();
            let current = self.current(&mut state, id)?;
            let version = next_version(id, current, &Conditions { create_only: false, ..cond.clone() })?;
            let op = Operation::Delete { id: id.to_owned(), seq_no: state.next_seq_no, version };
            let seq_no = self.log_and_apply(&mut state, op, None, true, defer_sync)?;
            let result = if current.exists { WriteResult::Deleted } else { WriteResult::NotFound };
            Ok(WriteOutcome { result, version, seq_no })
        })();
        if deleted.is_ok() {
            self.counters.timed(Counter::DeleteTotal, Counter::DeleteTimeNanos, start);
        }
        deleted
    }

    /// Logs an operation numbered with the next sequence number (fsynced
    /// unless deferred or `async`), then applies it; its sequence number.
    fn log_and_apply(
        &self,
        state: &mut WriteState,
        op: Operation,
        indexed: Option<IndexedDoc>,
        replace: bool,
        defer_sync: bool,
    ) -> Result<u64, EngineError> {
        let seq_no = op.seq_no();
        let location = state.translog.append(&op, self.sync_each_write && !defer_sync)?;
        state.next_seq_no += 1;
        apply(&self.fields, state, op, indexed, location, replace).map_err(|e| tantivy_error(&self.dir, e))?;
        Ok(seq_no)
    }

    /// Whether writes are waiting for a refresh.
    pub fn is_dirty(&self) -> bool {
        let state = self.lock();
        !state.live.is_empty() || state.untracked_from.is_some()
    }

    /// Makes every write searchable: commits tantivy, reopens the searcher
    /// and empties the live map. The translog keeps its operations until a
    /// flush.
    pub fn refresh(&self) -> Result<(), EngineError> {
        let start = Instant::now();
        let mut state = self.lock();
        self.commit(&mut state)?;
        self.counters.timed(Counter::RefreshTotal, Counter::RefreshTimeNanos, start);
        self.counters.timed(Counter::ExternalRefreshTotal, Counter::ExternalRefreshTimeNanos, start);
        Ok(())
    }

    fn commit(&self, state: &mut WriteState) -> Result<(), EngineError> {
        let payload =
            serde_json::to_string(&CommitPayload { next_seq_no: state.next_seq_no }).expect("payload serialises");
        let mut commit = state.writer.prepare_commit().map_err(|e| tantivy_error(&self.dir, e))?;
        commit.set_payload(&payload);
        commit.commit().map_err(|e| tantivy_error(&self.dir, e))?;
        self.counters.add(Counter::Commits, 1);
        self.reader.reload().map_err(|e| tantivy_error(&self.dir, e))?;
        self.columns.retain(&self.reader.searcher());
        state.untracked_from = None;
        state.track_all = false;
        let now = Instant::now();
        let gc = state.gc_deletes;
        state.tombstones.retain(|_, t| t.at.elapsed() < gc);
        for (id, live) in std::mem::take(&mut state.live) {
            match live {
                Live::Deleted { version, seq_no } => {
                    state.tombstones.insert(id, Tombstone { version, seq_no, at: now });
                }
                Live::Present { .. } => {
                    state.tombstones.remove(&id);
                }
            }
        }
        Ok(())
    }

    /// Commits every write durably and empties the translog. `periodic`
    /// when the translog's size asked for it rather than a request.
    pub fn flush(&self, periodic: bool) -> Result<(), EngineError> {
        let start = Instant::now();
        let mut state = self.lock();
        self.commit(&mut state)?;
        self.directory.sync().map_err(|e| EngineError::io(&self.dir, e))?;
        state.translog.trim()?;
        self.counters.timed(Counter::FlushTotal, Counter::FlushTimeNanos, start);
        if periodic {
            self.counters.add(Counter::FlushPeriodic, 1);
        }
        Ok(())
    }

    /// Takes a changed `index.gc_deletes` into account.
    pub fn set_gc_deletes(&self, gc_deletes: Duration) {
        self.lock().gc_deletes = gc_deletes;
    }

    /// The translog's size in bytes.
    pub fn translog_size(&self) -> u64 {
        self.lock().translog.size()
    }

    /// Merges segments: down to `max_segments`, or only those with deleted
    /// documents. Waits for the merges and commits them.
    pub fn force_merge(&self, max_segments: Option<usize>, only_expunge_deletes: bool) -> Result<(), EngineError> {
        let start = Instant::now();
        let mut state = self.lock();
        self.commit(&mut state)?;
        let searcher = self.reader.searcher();
        let readers = searcher.segment_readers();
        let groups: Vec<Vec<SegmentId>> = if only_expunge_deletes {
            readers.iter().filter(|r| r.num_deleted_docs() > 0).map(|r| vec![r.segment_id()]).collect()
        } else {
            let target = max_segments.unwrap_or(1).max(1);
            if readers.len() <= target && readers.iter().all(|r| r.num_deleted_docs() == 0) {
                Vec::new()
            } else {
                let per_group = readers.len().div_ceil(target);
                readers.chunks(per_group.max(1)).map(|c| c.iter().map(|r| r.segment_id()).collect()).collect()
            }
        };
        let docs: u64 = readers.iter().map(|r| u64::from(r.num_docs())).sum();
        for group in groups.iter().filter(|g| !g.is_empty()) {
            state.writer.merge(group).wait().map_err(|e| tantivy_error(&self.dir, e))?;
            self.counters.add(Counter::MergeTotal, 1);
        }
        self.commit(&mut state)?;
        if !groups.is_empty() {
            self.counters.add(Counter::MergeDocs, docs);
            self.counters.add(Counter::MergeTimeNanos, start.elapsed().as_nanos() as u64);
        }
        Ok(())
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The shard's statistics, as shard number `shard`.
    pub fn stats(&self, shard: u32) -> ShardStats {
        let searcher = self.reader.searcher();
        let files: Vec<(String, u64)> = std::fs::read_dir(self.dir.join("index"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().map_or(0, |m| m.len())))
                    .collect()
            })
            .unwrap_or_default();
        // Each segment's record in `meta.json`: its segment info (Lucene's `.si` file).
        let infos: HashMap<SegmentId, u64> = searcher
            .index()
            .searchable_segment_metas()
            .unwrap_or_default()
            .iter()
            .map(|meta| (meta.id(), serde_json::to_vec(meta).map_or(0, |record| record.len() as u64)))
            .collect();
        let mut generations = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        let mut segments: Vec<SegmentStats> = searcher
            .segment_readers()
            .iter()
            .map(|r| {
                let next = generations.len() as u64;
                let generation = *generations.entry(r.segment_id()).or_insert(next);
                let prefix = r.segment_id().uuid_string();
                let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
                for (name, bytes) in files.iter().filter(|(name, _)| name.starts_with(&prefix)) {
                    let kind = name.rsplit('.').next().unwrap_or_default();
                    *by_kind.entry(kind.to_owned()).or_default() += bytes;
                }
                if let Some(info) = infos.get(&r.segment_id()) {
                    by_kind.insert("si".to_owned(), *info);
                }
                SegmentStats {
                    name: format!("_{}", base36(generation)),
                    generation,
                    num_docs: u64::from(r.num_docs()),
                    deleted_docs: u64::from(r.num_deleted_docs()),
                    size_in_bytes: by_kind.values().sum(),
                    files: by_kind,
                }
            })
            .collect();
        drop(generations);
        segments.sort_by_key(|s| s.generation);
        let state = self.lock();
        ShardStats {
            shard,
            counters: self.counters.snapshot(),
            groups: self.counters.groups(),
            docs: searcher.num_docs(),
            deleted_docs: segments.iter().map(|s| s.deleted_docs).sum(),
            store_bytes: folder_size(&self.dir.join("index")),
            segments,
            translog_operations: state.translog.operations(),
            translog_bytes: state.translog.size(),
            max_seq_no: state.next_seq_no as i64 - 1,
            uptime_nanos: self.opened.elapsed().as_nanos() as u64,
            fielddata: BTreeMap::new(),
            completion: BTreeMap::new(),
        }
    }

    /// Records that a search loaded a text field's field data.
    pub fn load_fielddata(&self, path: &str) {
        let mut loaded = self.fielddata.lock().unwrap_or_else(|p| p.into_inner());
        if !loaded.contains(path) {
            loaded.insert(path.to_owned());
        }
    }

    /// The text fields whose field data is loaded.
    pub fn loaded_fielddata(&self) -> Vec<String> {
        self.fielddata.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }

    /// The bytes of a field's columns over the searchable segments.
    pub fn column_bytes(&self, path: &str) -> u64 {
        let searcher = self.reader.searcher();
        let name = format!("_terms.{path}");
        let segment_bytes = |segment: &tantivy::SegmentReader| -> u64 {
            let handles = segment.fast_fields().dynamic_column_handles(&name).unwrap_or_default();
            handles.iter().map(|h| h.num_bytes().get_bytes()).sum()
        };
        searcher.segment_readers().iter().map(segment_bytes).sum()
    }

    /// Makes the translog durable now (for `async` durability).
    /// The fsync runs outside the shard's lock: writes go on meanwhile.
    pub fn sync(&self) -> Result<(), EngineError> {
        let (file, path) = self.lock().translog.sync_handle()?;
        file.sync_data().map_err(|e| EngineError::io(&path, e))
    }

    /// The number of live documents visible to search.
    pub fn searchable_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// A document's state as a write sees it.
#[derive(Debug, Clone, Copy)]
struct Current {
    exists: bool,
    /// The last version, also of a recently deleted document (0 if none).
    version: u64,
    seq_no: u64,
}

/// The `if_seq_no`/`if_primary_term` check against a document's sequence
/// number (`None`: there is no document).
pub(crate) fn check_seq_no(id: &str, seq_no: Option<u64>, cond: &Conditions) -> Result<(), EngineError> {
    let conflict = |reason: String| Err(EngineError::VersionConflict { id: id.to_owned(), reason, shard: None });
    if let (Some(required), Some(term)) = (cond.if_seq_no, cond.if_primary_term) {
        let Some(seq_no) = seq_no else {
            return conflict(format!("required seqNo [{required}], primary term [{term}]. but no document was found"));
        };
        if seq_no != required || term != PRIMARY_TERM {
            return conflict(format!(
                "required seqNo [{required}], primary term [{term}]. current document has seqNo [{seq_no}] and primary term [{PRIMARY_TERM}]"
            ));
        }
    }
    Ok(())
}

/// The version a write gives the document, or the conflict it runs into.
fn next_version(id: &str, current: Current, cond: &Conditions) -> Result<u64, EngineError> {
    let conflict = |reason: String| Err(EngineError::VersionConflict { id: id.to_owned(), reason, shard: None });
    check_seq_no(id, current.exists.then_some(current.seq_no), cond)?;
    if cond.create_only && current.exists {
        return conflict(format!("document already exists (current version [{}])", current.version));
    }
    match (cond.version_type, cond.version) {
        (VersionType::External, Some(v)) if current.exists && current.version >= v => {
            conflict(format!("current version [{}] is higher or equal to the one provided [{v}]", current.version))
        }
        (VersionType::ExternalGte, Some(v)) if current.exists && current.version > v => {
            conflict(format!("current version [{}] is higher than the one provided [{v}]", current.version))
        }
        (VersionType::External | VersionType::ExternalGte, Some(v)) => Ok(v),
        _ => Ok(current.version + 1),
    }
}

/// Applies an operation (an index operation with its indexed fields),
/// logged at `location` of the translog, to the tantivy writer and the
/// live map. `replace`: an older copy of the document may exist and is
/// deleted (not for a generated `_id`).
fn apply(
    fields: &Fields,
    state: &mut WriteState,
    op: Operation,
    indexed: Option<IndexedDoc>,
    location: u64,
    replace: bool,
) -> tantivy::Result<()> {
    match op {
        Operation::Index { id, seq_no, version, routing, .. } => {
            let mut indexed = indexed.unwrap_or_default();
            let nested_docs = std::mem::take(&mut indexed.nested);
            if replace {
                delete(fields, state, &id);
            }
            let (stored_source, kept_stored) = (indexed.stored_source.take(), indexed.kept_stored.take());
            let mut doc = indexed.into_tantivy();
            doc.add_text(fields.id, &id);
            if let Some(source) = &stored_source {
                doc.add_text(fields.source, source);
            }
            if let Some(kept) = &kept_stored {
                doc.add_text(fields.source, format!("{KEPT_MARK}{kept}"));
            }
            doc.add_u64(fields.seq_no, seq_no);
            doc.add_u64(fields.version, version);
            if let Some(r) = &routing {
                doc.add_text(fields.routing, r);
            }
            if nested_docs.is_empty() {
                state.writer.add_document(doc)?;
            } else {
                // One group: its documents stay together, nested ones first.
                state.has_nested = true;
                let mut group = Vec::with_capacity(nested_docs.len() + 1);
                for (path, fields_of_nested) in nested_docs {
                    let mut nested = fields_of_nested.into_tantivy();
                    nested.add_text(fields.nested, &path);
                    nested.add_text(fields.root, &id);
                    group.push(UserOperation::Add(nested));
                }
                group.push(UserOperation::Add(doc));
                state.writer.run(group)?;
            }
            // A generated id is new and unique: nothing needs it in the live
            // map until someone looks an id up (`track_lookups`).
            if replace || state.track_all {
                state.live.insert(id, Live::Present { version, seq_no, location });
            } else {
                state.untracked_from.get_or_insert(location);
            }
        }
        Operation::Delete { id, seq_no, version } => {
            delete(fields, state, &id);
            state.live.insert(id, Live::Deleted { version, seq_no });
        }
    }
    Ok(())
}

/// Deletes a document, and its nested documents if the shard may have any.
fn delete(fields: &Fields, state: &mut WriteState, id: &str) {
    state.writer.delete_term(Term::from_field_text(fields.id, id));
    if state.has_nested {
        state.writer.delete_term(Term::from_field_text(fields.root, id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &Path) -> Shard {
        Shard::open(dir, true, &|_, source| Ok(IndexedDoc::source_only(source))).unwrap()
    }

    /// Indexes a source with no mapped fields.
    fn put(
        shard: &Shard,
        id: &str,
        source: &str,
        routing: Option<String>,
        cond: &Conditions,
    ) -> Result<WriteOutcome, EngineError> {
        shard.index(id, source.into(), IndexedDoc::source_only(source), routing, cond, false)
    }

    #[test]
    fn generated_ids_are_found_by_a_lookup_before_any_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let shard = open(dir.path());
        let generated = Conditions { generated_id: true, ..Default::default() };
        for id in ["g1", "g2"] {
            put(&shard, id, r#"{"a":1}"#, None, &generated).unwrap();
        }
        assert!(shard.is_dirty());
        // Untracked until looked up: the lookup reads them back from the
        // translog, and makes nothing searchable before a refresh.
        assert_eq!(shard.get("g1", true).unwrap().unwrap().version, 1);
        assert_eq!(shard.get("g2", false).unwrap(), None);
        assert_eq!(shard.searchable_docs(), 0);
        // Then every write is tracked.
        put(&shard, "g3", r#"{"a":3}"#, None, &generated).unwrap();
        assert_eq!(shard.get("g3", true).unwrap().unwrap().source.as_deref(), Some(r#"{"a":3}"#));
        assert_eq!(shard.searchable_docs(), 0);
        shard.refresh().unwrap();
        assert_eq!(shard.searchable_docs(), 3);

        // A write by id finds an untracked document: it replaces, not duplicates.
        put(&shard, "g4", r#"{"a":4}"#, None, &generated).unwrap();
        let w = put(&shard, "g4", r#"{"a":5}"#, None, &Conditions::default()).unwrap();
        assert_eq!((w.result, w.version), (WriteResult::Updated, 2));
        put(&shard, "g5", "{}", None, &generated).unwrap();
        assert_eq!(shard.delete("g5", &Conditions::default(), false).unwrap().result, WriteResult::Deleted);
        shard.refresh().unwrap();
        assert_eq!(shard.searchable_docs(), 4);
        // Untracked writes after a delete and a rewrite of the same id
        // leave the live map as the writes left it.
        put(&shard, "g6", "{}", None, &generated).unwrap();
        shard.delete("g4", &Conditions::default(), false).unwrap();
        assert_eq!(shard.get("g4", true).unwrap(), None);
        assert!(shard.get("g6", true).unwrap().is_some());
    }

    #[test]
    fn realtime_get_versions_and_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let shard = open(dir.path());
        let none = Conditions::default();
        let w = put(&shard, "1", r#"{"a":1}"#, None, &none).unwrap();
        assert_eq!((w.result, w.version, w.seq_no), (WriteResult::Created, 1, 0));
        assert_eq!(shard.get("1", true).unwrap().unwrap().source.as_deref(), Some(r#"{"a":1}"#));
        let w = put(&shard, "1", r#"{"a":2}"#, None, &none).unwrap();
        assert_eq!((w.result, w.version, w.seq_no), (WriteResult::Updated, 2, 1));

        let create = Conditions { create_only: true, ..Default::default() };
        let err = put(&shard, "1", "{}", None, &create).unwrap_err().to_string();
        assert_eq!(err, "[1]: version conflict, document already exists (current version [2])");
        let cas = Conditions { if_seq_no: Some(0), if_primary_term: Some(1), ..Default::default() };
        assert!(put(&shard, "1", "{}", None, &cas).is_err());
        let cas = Conditions { if_seq_no: Some(1), if_primary_term: Some(1), ..Default::default() };
        assert_eq!(put(&shard, "1", r#"{"a":3}"#, None, &cas).unwrap().version, 3);

        shard.refresh().unwrap();
        assert_eq!(shard.searchable_docs(), 1);
        assert_eq!(shard.get("1", true).unwrap().unwrap().version, 3);
        let d = shard.delete("1", &none, false).unwrap();
        assert_eq!((d.result, d.version), (WriteResult::Deleted, 4));
        assert!(shard.get("1", true).unwrap().is_none());
        assert_eq!(shard.delete("1", &none, false).unwrap().result, WriteResult::NotFound);
        // As in Elasticsearch, a recreated document goes on from the deletion's version.
        let w = put(&shard, "1", "{}", None, &none).unwrap();
        assert_eq!((w.result, w.version), (WriteResult::Created, 6));

        let external = Conditions { version: Some(10), version_type: VersionType::External, ..Default::default() };
        assert_eq!(put(&shard, "2", "{}", None, &external).unwrap().version, 10);
        assert!(put(&shard, "2", "{}", None, &external).is_err());
    }

    #[test]
    fn unrefreshed_writes_survive_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        {
            let shard = open(dir.path());
            put(&shard, "a", r#"{"n":1}"#, Some("r".into()), &Conditions::default()).unwrap();
            shard.refresh().unwrap();
            put(&shard, "b", r#"{"n":2}"#, None, &Conditions::default()).unwrap();
            shard.delete("a", &Conditions::default(), false).unwrap();
            // Dropped without a refresh: only the translog has the last two writes.
        }
        let shard = open(dir.path());
        assert!(shard.get("a", true).unwrap().is_none());
        let b = shard.get("b", true).unwrap().unwrap();
        assert_eq!((b.version, b.seq_no, b.source.as_deref()), (1, 1, Some(r#"{"n":2}"#)));
        // Sequence numbers go on from where they were.
        assert_eq!(put(&shard, "c", "{}", None, &Conditions::default()).unwrap().seq_no, 3);
    }

    #[test]
    fn flush_trims_the_translog_and_force_merge_leaves_one_segment() {
        let dir = tempfile::tempdir().unwrap();
        let shard = open(dir.path());
        for id in ["a", "b", "c"] {
            put(&shard, id, "{}", None, &Conditions::default()).unwrap();
            shard.refresh().unwrap();
        }
        shard.delete("b", &Conditions::default(), false).unwrap();
        shard.refresh().unwrap();
        let before = shard.stats(0);
        assert_eq!((before.docs, before.translog_operations), (2, 4), "refresh keeps the translog");
        assert!(before.segments.len() > 1, "{:?}", before.segments);

        shard.force_merge(Some(1), false).unwrap();
        shard.flush(false).unwrap();
        let after = shard.stats(0);
        assert_eq!((after.docs, after.deleted_docs, after.segments.len()), (2, 0, 1));
        assert_eq!(after.translog_operations, 0);
        assert_eq!(after.counters.get(Counter::FlushTotal), 1);
        assert_eq!(after.counters.get(Counter::IndexTotal), 3);
        assert_eq!(after.max_seq_no, 3);
        drop(shard);
        // What the flush committed is there without a translog.
        assert!(open(dir.path()).get("c", true).unwrap().is_some());
    }
}
