//! The open shards of every index, and the background task that refreshes
//! them every second (Elasticsearch's default `refresh_interval`) and syncs
//! the translogs of indices with `async` durability.

use crate::error::EngineError;
use crate::mapper::Mapper;
use crate::metadata::IndexMetadata;
use crate::routing;
use crate::shard::Shard;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tensile_rest::TimeValue;

/// The shards of one index.
pub struct IndexShards {
    pub uuid: String,
    pub shards: Vec<Shard>,
    routing_shards: u32,
    /// `index.refresh_interval`; `None` for `-1` (refresh on request only).
    refresh_interval: Mutex<Option<Duration>>,
    last_refresh: Mutex<Instant>,
    /// `index.translog.flush_threshold_size` in bytes.
    flush_threshold: Mutex<u64>,
    /// The compiled mapping, replaced whole when the mapping or settings change.
    mapper: RwLock<Arc<Mapper>>,
    /// Whether searches take the segments newest `@timestamp` first: the
    /// mapping had an `@timestamp` date field when the shards opened (as
    /// Elasticsearch decides when it opens a shard).
    pub timestamp_segments: bool,
}

impl IndexShards {
    /// Opens (or creates) the shards of an index under its folder.
    pub fn open(index_dir: &Path, meta: &IndexMetadata) -> Result<IndexShards, EngineError> {
        IndexShards::open_with(index_dir, meta, Arc::new(Mapper::for_index(meta)?))
    }

    /// [`IndexShards::open`] with the index's mapping already compiled.
    pub fn open_with(index_dir: &Path, meta: &IndexMetadata, mapper: Arc<Mapper>) -> Result<IndexShards, EngineError> {
        let n = meta.number_of_shards();
        let sync_each_write = meta.setting("index.translog.durability") != Some("async");
        let reindex = |id: &str, source: &str| mapper.index_source(id, source, &Default::default()).map(|(_, doc)| doc);
        let shards = (0..n)
            .map(|i| Shard::open(&index_dir.join(i.to_string()), sync_each_write, &reindex))
            .collect::<Result<Vec<_>, _>>()?;
        let routing_shards = meta
            .setting("index.number_of_routing_shards")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| routing::default_routing_shards(n));
        let refresh_interval = Mutex::new(refresh_interval(meta)?);
        let gc = gc_deletes(meta)?;
        shards.iter().for_each(|s| s.set_gc_deletes(gc));
        let timestamp = mapper.fields.get("@timestamp");
        let timestamp_segments = timestamp.is_some_and(|f| f.kind.is_date());
        Ok(IndexShards {
            timestamp_segments,
            uuid: meta.uuid.clone(),
            shards,
            routing_shards,
            refresh_interval,
            last_refresh: Mutex::new(Instant::now()),
            flush_threshold: Mutex::new(flush_threshold(meta)?),
            mapper: RwLock::new(mapper),
        })
    }

    /// The compiled mapping documents are parsed with.
    pub fn mapper(&self) -> Arc<Mapper> {
        self.mapper.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_mapper(&self, mapper: Arc<Mapper>) {
        *self.mapper.write().unwrap_or_else(|p| p.into_inner()) = mapper;
    }

    /// Takes changed settings (`TimedSettings::of`) into account.
    pub fn apply(&self, timed: &TimedSettings) {
        *self.refresh_interval.lock().unwrap_or_else(|p| p.into_inner()) = timed.refresh_interval;
        *self.flush_threshold.lock().unwrap_or_else(|p| p.into_inner()) = timed.flush_threshold;
        self.shards.iter().for_each(|s| s.set_gc_deletes(timed.gc_deletes));
    }

    /// Refreshes the dirty shards if the index's refresh interval has passed.
    fn scheduled_refresh(&self) -> Result<(), EngineError> {
        self.periodic_flush()?;
        let interval = *self.refresh_interval.lock().unwrap_or_else(|p| p.into_inner());
        let Some(interval) = interval else {
            return self.shards.iter().try_for_each(Shard::sync);
        };
        let mut last = self.last_refresh.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() < interval {
            return Ok(());
        }
        *last = Instant::now();
        drop(last);
        self.shards.iter().try_for_each(|shard| if shard.is_dirty() { shard.refresh() } else { shard.sync() })
    }

    /// The number of the shard of a document with this `_routing` or `_id`.
    /// `index.number_of_routing_shards`, as the routing formula uses it.
    pub fn routing_shards(&self) -> u32 {
        self.routing_shards
    }

    pub fn shard_number(&self, routing: &str) -> u32 {
        routing::shard_id(routing, self.shards.len() as u32, self.routing_shards)
    }

    /// The shard of a document with this `_routing` or `_id`.
    pub fn shard_for(&self, routing: &str) -> &Shard {
        &self.shards[self.shard_number(routing) as usize]
    }

    pub fn refresh(&self) -> Result<(), EngineError> {
        self.shards.iter().try_for_each(Shard::refresh)
    }

    pub fn flush(&self) -> Result<(), EngineError> {
        self.shards.iter().try_for_each(|s| s.flush(false))
    }

    /// Flushes the shards whose translog has outgrown `index.translog.flush_threshold_size`.
    fn periodic_flush(&self) -> Result<(), EngineError> {
        let threshold = *self.flush_threshold.lock().unwrap_or_else(|p| p.into_inner());
        self.shards.iter().filter(|s| s.translog_size() > threshold).try_for_each(|s| s.flush(true))
    }
}

/// The settings the shards of an index act on over time, read (and so
/// checked) before a settings change is persisted, applied after.
#[derive(Debug, Clone, Copy)]
pub struct TimedSettings {
    refresh_interval: Option<Duration>,
    flush_threshold: u64,
    gc_deletes: Duration,
}

impl TimedSettings {
    pub fn of(meta: &IndexMetadata) -> Result<TimedSettings, EngineError> {
        Ok(TimedSettings {
            refresh_interval: refresh_interval(meta)?,
            flush_threshold: flush_threshold(meta)?,
            gc_deletes: gc_deletes(meta)?,
        })
    }
}

/// An index's refresh interval; `None` for `-1`.
fn refresh_interval(meta: &IndexMetadata) -> Result<Option<Duration>, EngineError> {
    match meta.setting("index.refresh_interval") {
        None => Ok(Some(DEFAULT_REFRESH_INTERVAL)),
        Some(text) => Ok(TimeValue::parse("index.refresh_interval", text)
            .map_err(|e| EngineError::IllegalArgument(e.to_string()))?
            .duration()),
    }
}

/// How long deletions are remembered after a refresh (`index.gc_deletes`).
fn gc_deletes(meta: &IndexMetadata) -> Result<Duration, EngineError> {
    match meta.setting("index.gc_deletes") {
        None => Ok(crate::shard::DEFAULT_GC_DELETES),
        Some(text) => Ok(TimeValue::parse("index.gc_deletes", text)
            .map_err(|e| EngineError::IllegalArgument(e.to_string()))?
            .duration()
            .unwrap_or_default()),
    }
}

/// Elasticsearch's default `index.translog.flush_threshold_size`.
const DEFAULT_FLUSH_THRESHOLD: u64 = 10 << 30;

fn flush_threshold(meta: &IndexMetadata) -> Result<u64, EngineError> {
    match meta.setting("index.translog.flush_threshold_size") {
        None => Ok(DEFAULT_FLUSH_THRESHOLD),
        Some(text) => tensile_rest::ByteSize::parse("index.translog.flush_threshold_size", text)
            .map(|b| b.bytes().max(0) as u64)
            .map_err(|e| EngineError::IllegalArgument(e.to_string())),
    }
}

/// Index name to its open shards.
pub type ShardTable = Arc<RwLock<HashMap<String, Arc<IndexShards>>>>;

/// Elasticsearch's default `index.refresh_interval`.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// Every `tick`, refreshes the indices whose refresh interval has passed,
/// until the table is dropped.
pub fn spawn_refresher(table: &ShardTable, tick: Duration) {
    let weak: Weak<RwLock<HashMap<String, Arc<IndexShards>>>> = Arc::downgrade(table);
    let spawned = std::thread::Builder::new().name("tensile-refresh".into()).spawn(move || loop {
        std::thread::sleep(tick);
        let Some(table) = weak.upgrade() else { return };
        let indices: Vec<Arc<IndexShards>> =
            table.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        drop(table);
        for index in indices {
            if let Err(e) = index.scheduled_refresh() {
                tracing::warn!(index = %index.uuid, error = %e, "scheduled refresh failed");
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the refresh thread: writes become searchable on explicit refresh only");
    }
}
