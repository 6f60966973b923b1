//! The tantivy directory of a shard: near-real-time refreshes without
//! fsync, durable flushes.
//!
//! A refresh commits tantivy so that a new searcher sees the writes, but
//! nothing it writes is fsynced: the translog already holds every
//! acknowledged operation. A flush ([`ShardDirectory::sync`]) fsyncs every
//! file written since the last one and records the commit as durable in
//! `meta.durable.json`. Opening a shard goes back to that durable commit
//! (the translog replays what came after), so a commit that an operating
//! system crash left half on disk is never read. Files the durable commit
//! uses are not deleted before the next flush, even when tantivy's merges
//! no longer need them.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

const META: &str = "meta.json";
const DURABLE_META: &str = "meta.durable.json";

#[derive(Debug, Default)]
struct SyncState {
    /// Files the durable commit uses: kept until the next sync.
    durable: HashSet<PathBuf>,
    /// Deletions of durable files, carried out after the next sync.
    deferred: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ShardDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    state: Arc<Mutex<SyncState>>,
}

impl ShardDirectory {
    /// Opens the directory, back at its last durable commit if it has one.
    pub fn open(root: &Path) -> Result<ShardDirectory, OpenDirectoryError> {
        let inner = MmapDirectory::open(root)?;
        let dir = ShardDirectory { inner, root: root.to_owned(), state: Arc::default() };
        let durable = root.join(DURABLE_META);
        if durable.exists() {
            let restore = || -> io::Result<()> {
                let meta = std::fs::read(&durable)?;
                let used = dir.files_of_commit(&meta)?;
                std::fs::write(root.join(META), &meta)?;
                dir.remove_strays(&used)?;
                dir.lock().durable = used;
                Ok(())
            };
            restore().map_err(|e| OpenDirectoryError::wrap_io_error(e, root.to_owned()))?;
        }
        Ok(dir)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The files a commit's `meta.json` bytes use: its segments'
    /// components and, for a segment with deletions, the one deletes file
    /// it names. An unreadable meta is an error, never an empty set.
    fn files_of_commit(&self, meta: &[u8]) -> io::Result<HashSet<PathBuf>> {
        let meta: serde_json::Value = serde_json::from_slice(meta).map_err(io::Error::other)?;
        let Some(list) = meta["segments"].as_array() else {
            return Err(io::Error::other("meta.json has no segment list"));
        };
        // Each segment's file prefix, and the name of its deletes file.
        let segments: Vec<(String, Option<String>)> = list
            .iter()
            .filter_map(|seg| {
                let id = seg["segment_id"].as_str()?.replace('-', "");
                let deletes = seg["deletes"]["opstamp"].as_u64().map(|op| format!("{id}.{op}.del"));
                Some((id, deletes))
            })
            .collect();
        let used = |name: &str| {
            name == META
                || name == ".managed.json"
                || segments.iter().any(|(id, deletes)| match name.strip_prefix(id.as_str()) {
                    Some(rest) if rest.ends_with(".del") => deletes.as_deref() == Some(name),
                    Some(rest) => rest.starts_with('.'),
                    None => false,
                })
        };
        Ok(std::fs::read_dir(&self.root)?
            .flatten()
            .map(|e| PathBuf::from(e.file_name()))
            .filter(|n| used(&n.to_string_lossy()))
            .collect())
    }

    /// Deletes the segment files of commits newer than the durable one: the
    /// translog replays their operations, and tantivy would otherwise meet
    /// their names again.
    fn remove_strays(&self, used: &HashSet<PathBuf>) -> io::Result<()> {
        for entry in std::fs::read_dir(&self.root)?.flatten() {
            let name = PathBuf::from(entry.file_name());
            let hidden = name.to_string_lossy().starts_with('.');
            if hidden || used.contains(&name) || name == Path::new(DURABLE_META) || !entry.path().is_file() {
                continue;
            }
            std::fs::remove_file(entry.path())?;
        }
        Ok(())
    }

    /// Makes everything written so far durable and the current commit the
    /// one an opening goes back to.
    pub fn sync(&self) -> io::Result<()> {
        // One reading of the commit: a merge may write a newer one meanwhile,
        // and what becomes durable is exactly what was fsynced.
        let meta = std::fs::read(self.root.join(META))?;
        let used = self.files_of_commit(&meta)?;
        for path in &used {
            match File::open(self.root.join(path)) {
                Ok(f) => f.sync_data()?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        File::open(&self.root)?.sync_all()?;
        crate::atomic::write(&self.root.join(DURABLE_META), &meta).map_err(io::Error::other)?;
        let mut state = self.lock();
        let deferred = std::mem::take(&mut state.deferred);
        for path in deferred {
            if used.contains(&path) {
                state.deferred.push(path);
            } else if let Err(e) = self.inner.delete(&path) {
                tracing::debug!(path = %path.display(), error = %e, "a deferred deletion failed");
            }
        }
        state.durable = used;
        Ok(())
    }
}

/// A file written without fsync: the next sync fsyncs it if the durable
/// commit uses it.
struct LazyFile {
    file: File,
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl TerminatingWrite for LazyFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.file.flush()
    }
}

impl Directory for ShardDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        let mut state = self.lock();
        if state.durable.contains(path) {
            state.deferred.push(path.to_owned());
            return Ok(());
        }
        drop(state);
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new().write(true).create_new(true).open(self.root.join(path)).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                OpenWriteError::FileAlreadyExists(path.to_owned())
            } else {
                OpenWriteError::wrap_io_error(e, path.to_owned())
            }
        })?;
        Ok(BufWriter::new(Box::new(LazyFile { file })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let target = self.root.join(path);
        let temp = self.root.join(format!(".{}.tmp", path.display()));
        std::fs::write(&temp, data)?;
        std::fs::rename(&temp, &target)?;
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }

    /// Durability waits for [`ShardDirectory::sync`].
    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deletes file of a segment is named in `meta.json` as tantivy writes it.
    #[test]
    fn a_segment_with_deletions_keeps_its_deletes_file() {
        let dir = tempfile::tempdir().unwrap();
        let shard = crate::shard::Shard::open(dir.path(), true, &|_, s| Ok(crate::indexed::IndexedDoc::source_only(s)))
            .unwrap();
        let doc = |id: &str| {
            shard.index(
                id,
                "{}".into(),
                crate::indexed::IndexedDoc::source_only("{}"),
                None,
                &Default::default(),
                false,
            )
        };
        // One segment of several documents, one of which is then deleted.
        for i in 0..20 {
            doc(&i.to_string()).unwrap();
        }
        shard.force_merge(Some(1), false).unwrap();
        shard.flush(false).unwrap();
        shard.delete("0", &Default::default(), false).unwrap();
        shard.flush(false).unwrap();
        let index = dir.path().join("index");
        let d = ShardDirectory::open(&index).unwrap();
        let used = d.files_of_commit(&std::fs::read(index.join(META)).unwrap()).unwrap();
        assert!(used.iter().any(|f| f.to_string_lossy().ends_with(".del")), "{used:?}");
        drop(shard);
    }

    #[test]
    fn opening_goes_back_to_the_durable_commit_and_keeps_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = ShardDirectory::open(dir.path()).unwrap();
        d.atomic_write(Path::new(META), br#"{"segments":[{"segment_id":"aaaa-bbbb"}]}"#).unwrap();
        let mut w = d.open_write(Path::new("aaaabbbb.idx")).unwrap();
        w.write_all(b"data").unwrap();
        w.flush().unwrap();
        drop(w);
        d.sync().unwrap();
        // A later commit, not synced, replaces the segment.
        d.atomic_write(Path::new(META), br#"{"segments":[{"segment_id":"cccc"}]}"#).unwrap();
        d.delete(Path::new("aaaabbbb.idx")).unwrap();
        assert!(dir.path().join("aaaabbbb.idx").exists(), "the durable commit's file stays");

        // A crash: the reopened directory is back at the durable commit,
        // without the newer commit's files.
        let mut w = d.open_write(Path::new("cccc.idx")).unwrap();
        w.flush().unwrap();
        drop(w);
        drop(d);
        let d = ShardDirectory::open(dir.path()).unwrap();
        let meta = std::fs::read_to_string(dir.path().join(META)).unwrap();
        assert!(meta.contains("aaaa-bbbb"), "{meta}");
        assert!(!dir.path().join("cccc.idx").exists());

        // Once a newer commit is durable, the old file goes.
        d.atomic_write(Path::new(META), br#"{"segments":[{"segment_id":"cccc"}]}"#).unwrap();
        d.delete(Path::new("aaaabbbb.idx")).unwrap();
        assert!(dir.path().join("aaaabbbb.idx").exists());
        d.sync().unwrap();
        assert!(!dir.path().join("aaaabbbb.idx").exists());
    }
}
