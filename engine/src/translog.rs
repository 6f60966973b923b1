//! The write-ahead log of a shard. Every acknowledged write is appended
//! here and fsynced before the answer goes out; on start the operations
//! newer than the last tantivy commit are replayed. A commit empties it.
//!
//! A record is `[length u32 LE][crc32 u32 LE][operation]`, the operation
//! in a small binary layout (no escaping of the source). Reading stops at
//! the first record that is cut short or fails its checksum: that is a
//! write that was never acknowledged.
//!
//! Records gather in memory and reach the file in one write when a sync
//! asks for them (or past a megabyte): a bulk costs one write and
//! one fsync, not a write per document.

use crate::error::EngineError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Index { id: String, seq_no: u64, version: u64, routing: Option<String>, source: String },
    Delete { id: String, seq_no: u64, version: u64 },
}

impl Operation {
    pub fn seq_no(&self) -> u64 {
        match self {
            Operation::Index { seq_no, .. } | Operation::Delete { seq_no, .. } => *seq_no,
        }
    }
}

/// Pending records are written once they reach this many bytes.
const WRITE_AT: usize = 1 << 20;

pub struct Translog {
    path: PathBuf,
    file: File,
    /// Operations in the log.
    operations: u64,
    /// Bytes in the log, written or pending: where the next record goes.
    len: u64,
    /// Records not written to the file yet; they start at `len - pending.len()`.
    pending: Vec<u8>,
}

impl Translog {
    /// Opens the log, creating it when missing, and returns the intact
    /// operations in it with their locations. A torn tail is cut off.
    pub fn open(path: &Path) -> Result<(Translog, Vec<(u64, Operation)>), EngineError> {
        let mut file =
            OpenOptions::new().read(true).append(true).create(true).open(path).map_err(|e| EngineError::io(path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| EngineError::io(path, e))?;
        let (ops, intact) = decode(&bytes);
        if intact < bytes.len() {
            file.set_len(intact as u64).map_err(|e| EngineError::io(path, e))?;
            file.sync_all().map_err(|e| EngineError::io(path, e))?;
        }
        file.seek(SeekFrom::End(0)).map_err(|e| EngineError::io(path, e))?;
        let log = Translog {
            path: path.to_owned(),
            file,
            operations: ops.len() as u64,
            len: intact as u64,
            pending: Vec::new(),
        };
        Ok((log, ops))
    }

    /// Appends an operation; with `sync`, it is on disk when this returns.
    /// Returns its location, for [`Translog::read`].
    pub fn append(&mut self, op: &Operation, sync: bool) -> Result<u64, EngineError> {
        let location = self.len;
        let before = self.pending.len();
        encode(op, &mut self.pending);
        self.len += (self.pending.len() - before) as u64;
        self.operations += 1;
        if sync {
            self.sync()?;
        } else if self.pending.len() >= WRITE_AT {
            self.write_pending()?;
        }
        Ok(location)
    }

    /// Where the pending records start.
    fn written(&self) -> u64 {
        self.len - self.pending.len() as u64
    }

    /// Writes the pending records to the file (not yet fsynced). On an
    /// error they are dropped and the file cut back to its intact records.
    fn write_pending(&mut self) -> Result<(), EngineError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = self.written();
        let result = self.file.write_all(&self.pending);
        if let Err(e) = result {
            let _ = self.file.set_len(written);
            self.len = written;
            self.pending.clear();
            return Err(EngineError::io(&self.path, e));
        }
        self.pending.clear();
        Ok(())
    }

    /// Every operation from a location [`Translog::append`] returned to the
    /// end, with their locations.
    pub fn read_from(&mut self, location: u64) -> Result<Vec<(u64, Operation)>, EngineError> {
        use std::os::unix::fs::FileExt;
        self.write_pending()?;
        let mut bytes = vec![0u8; self.len.saturating_sub(location) as usize];
        self.file.read_exact_at(&mut bytes, location).map_err(|e| EngineError::io(&self.path, e))?;
        let (ops, intact) = decode(&bytes);
        if intact < bytes.len() {
            return Err(EngineError::Corrupt {
                path: self.path.clone(),
                reason: "an unreadable translog record".into(),
            });
        }
        Ok(ops.into_iter().map(|(at, op)| (location + at, op)).collect())
    }

    /// The operation at a location [`Translog::append`] returned.
    pub fn read(&self, location: u64) -> Result<Operation, EngineError> {
        use std::os::unix::fs::FileExt;
        let corrupt = |reason: &str| EngineError::Corrupt { path: self.path.clone(), reason: reason.to_owned() };
        let written = self.written();
        let (checksum, payload): ([u8; 4], std::borrow::Cow<[u8]>) = if location >= written {
            let at = (location - written) as usize;
            let header = self.pending.get(at..at + 8).ok_or_else(|| corrupt("a translog location past its end"))?;
            let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
            let payload =
                self.pending.get(at + 8..at + 8 + len).ok_or_else(|| corrupt("a translog record cut short"))?;
            (header[4..8].try_into().expect("4 bytes"), payload.into())
        } else {
            let mut header = [0u8; 8];
            self.file.read_exact_at(&mut header, location).map_err(|e| EngineError::io(&self.path, e))?;
            let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
            let mut payload = vec![0u8; len];
            self.file.read_exact_at(&mut payload, location + 8).map_err(|e| EngineError::io(&self.path, e))?;
            (header[4..8].try_into().expect("4 bytes"), payload.into())
        };
        if crc32fast::hash(&payload).to_le_bytes() != checksum {
            return Err(corrupt("a translog record fails its checksum"));
        }
        decode_op(&payload).ok_or_else(|| corrupt("an unreadable translog record"))
    }

    pub fn sync(&mut self) -> Result<(), EngineError> {
        self.write_pending()?;
        self.file.sync_data().map_err(|e| EngineError::io(&self.path, e))
    }

    /// Writes the pending records and gives a handle to fsync the log with
    /// while others append to it.
    pub fn sync_handle(&mut self) -> Result<(File, PathBuf), EngineError> {
        self.write_pending()?;
        let file = self.file.try_clone().map_err(|e| EngineError::io(&self.path, e))?;
        Ok((file, self.path.clone()))
    }

    /// Empties the log once its operations are committed.
    pub fn trim(&mut self) -> Result<(), EngineError> {
        self.pending.clear();
        self.file.set_len(0).map_err(|e| EngineError::io(&self.path, e))?;
        self.operations = 0;
        self.len = 0;
        self.file.sync_all().map_err(|e| EngineError::io(&self.path, e))
    }

    /// The number of operations in the log.
    pub fn operations(&self) -> u64 {
        self.operations
    }

    /// The size of the log in bytes.
    pub fn size(&self) -> u64 {
        self.len
    }
}

/// A log closed in order keeps what it was given, synced or not.
impl Drop for Translog {
    fn drop(&mut self) {
        let _ = self.write_pending();
    }
}

const INDEX: u8 = 1;
const DELETE: u8 = 2;

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// `[kind u8][seq_no u64][version u64][id]`, then for an index
/// `[has routing u8][routing]?[source]`; strings as `[len u32][bytes]`.
/// The payload goes straight after its header, filled in last.
fn encode(op: &Operation, out: &mut Vec<u8>) {
    let header = out.len();
    out.extend_from_slice(&[0; 8]);
    let start = out.len();
    match op {
        Operation::Index { id, seq_no, version, routing, source } => {
            out.reserve(8 + 8 + 8 + id.len() + 5 + routing.as_ref().map_or(0, |r| r.len() + 4) + source.len() + 4);
            out.push(INDEX);
            out.extend_from_slice(&seq_no.to_le_bytes());
            out.extend_from_slice(&version.to_le_bytes());
            put_bytes(out, id.as_bytes());
            out.push(u8::from(routing.is_some()));
            if let Some(r) = routing {
                put_bytes(out, r.as_bytes());
            }
            put_bytes(out, source.as_bytes());
        }
        Operation::Delete { id, seq_no, version } => {
            out.push(DELETE);
            out.extend_from_slice(&seq_no.to_le_bytes());
            out.extend_from_slice(&version.to_le_bytes());
            put_bytes(out, id.as_bytes());
        }
    }
    let len = (out.len() - start) as u32;
    let checksum = crc32fast::hash(&out[start..]);
    out[header..header + 4].copy_from_slice(&len.to_le_bytes());
    out[header + 4..start].copy_from_slice(&checksum.to_le_bytes());
}

/// A cursor over a record's payload.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(out)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<String> {
        let len = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

/// Reads what [`encode`] wrote; `None` for anything else.
fn decode_op(payload: &[u8]) -> Option<Operation> {
    let mut r = Reader { bytes: payload, at: 0 };
    let kind = r.byte()?;
    let (seq_no, version, id) = (r.u64()?, r.u64()?, r.string()?);
    match kind {
        DELETE => Some(Operation::Delete { id, seq_no, version }),
        INDEX => {
            let routing = if r.byte()? == 1 { Some(r.string()?) } else { None };
            let source = r.string()?;
            Some(Operation::Index { id, seq_no, version, routing, source })
        }
        _ => None,
    }
}

/// The intact operations with their locations, and how many bytes they take.
fn decode(bytes: &[u8]) -> (Vec<(u64, Operation)>, usize) {
    let mut ops = Vec::new();
    let mut at = 0;
    while bytes.len() - at >= 8 {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Some(op) = decode_op(payload) else {
            break;
        };
        ops.push((at as u64, op));
        at += 8 + len;
    }
    (ops, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn index(id: &str, seq_no: u64) -> Operation {
        Operation::Index { id: id.into(), seq_no, version: 1, routing: None, source: format!("{{\"n\":{seq_no}}}") }
    }

    #[test]
    fn append_reopen_trim() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("translog.tlog");
        let (mut log, ops) = Translog::open(&path).unwrap();
        assert!(ops.is_empty());
        let first = log.append(&index("a", 0), true).unwrap();
        let second = log.append(&Operation::Delete { id: "a".into(), seq_no: 1, version: 2 }, true).unwrap();
        assert_eq!(log.read(first).unwrap(), index("a", 0));
        drop(log);
        let (mut log, ops) = Translog::open(&path).unwrap();
        assert_eq!(ops.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [first, second]);
        assert_eq!(log.read(second).unwrap().seq_no(), 1);
        log.trim().unwrap();
        drop(log);
        assert!(Translog::open(&path).unwrap().1.is_empty());
    }

    #[test]
    fn unsynced_records_are_read_back_and_written_by_a_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("translog.tlog");
        let (mut log, _) = Translog::open(&path).unwrap();
        let synced = log.append(&index("a", 0), true).unwrap();
        let pending = log.append(&index("b", 1), false).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), pending, "the second record waits in memory");
        assert_eq!((log.read(synced).unwrap(), log.read(pending).unwrap()), (index("a", 0), index("b", 1)));
        log.sync().unwrap();
        assert_eq!(log.read(pending).unwrap(), index("b", 1));
        let third = log.append(&index("c", 2), false).unwrap();
        drop(log);
        let (_, ops) = Translog::open(&path).unwrap();
        assert_eq!(ops.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [synced, pending, third], "a close writes them");
    }

    proptest! {
        /// Whatever the tail of the file lost or garbled, the intact
        /// operations before it come back, and nothing else.
        #[test]
        fn torn_tails_are_cut(n in 1usize..20, cut in 0usize..400, garbage in proptest::collection::vec(any::<u8>(), 0..16)) {
            let ops: Vec<Operation> = (0..n as u64).map(|i| index(&format!("id{i}"), i)).collect();
            let mut bytes = Vec::new();
            let mut ends = Vec::new();
            for op in &ops {
                encode(op, &mut bytes);
                ends.push(bytes.len());
            }
            let keep = bytes.len().saturating_sub(cut);
            bytes.truncate(keep);
            bytes.extend_from_slice(&garbage);
            let (read, intact) = decode(&bytes);
            let whole = ends.iter().filter(|&&e| e <= keep).count();
            prop_assert!(read.len() >= whole);
            prop_assert!(read.iter().zip(std::iter::once(0).chain(ends.iter().copied())).all(|((at, _), end)| *at == end as u64));
            let read_ops: Vec<Operation> = read.into_iter().map(|(_, op)| op).collect();
            prop_assert_eq!(&read_ops[..whole], &ops[..whole]);
            prop_assert!(intact <= bytes.len());
        }
    }
}
