//! The write-ahead log of a shard. Every acknowledged write is appended
//! here and fsynced before the answer goes out; on start the operations
//! newer than the last tantivy commit are replayed. A commit empties it.
//!
//! A record is `[length u32 LE][crc32 u32 LE][operation as JSON]`. Reading
//! stops at the first record that is cut short or fails its checksum: that
//! is a write that was never acknowledged.

use crate::error::EngineError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
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

pub struct Translog {
    path: PathBuf,
    file: File,
    /// Operations in the log.
    operations: u64,
}

impl Translog {
    /// Opens the log, creating it when missing, and returns the intact
    /// operations in it. A torn tail is cut off.
    pub fn open(path: &Path) -> Result<(Translog, Vec<Operation>), EngineError> {
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
        Ok((Translog { path: path.to_owned(), file, operations: ops.len() as u64 }, ops))
    }

    /// Appends operations; with `sync`, they are on disk when this returns.
    pub fn append(&mut self, ops: &[Operation], sync: bool) -> Result<(), EngineError> {
        let mut buf = Vec::new();
        for op in ops {
            encode(op, &mut buf);
        }
        self.file.write_all(&buf).map_err(|e| EngineError::io(&self.path, e))?;
        self.operations += ops.len() as u64;
        if sync {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), EngineError> {
        self.file.sync_data().map_err(|e| EngineError::io(&self.path, e))
    }

    /// Empties the log once its operations are committed.
    pub fn trim(&mut self) -> Result<(), EngineError> {
        self.file.set_len(0).map_err(|e| EngineError::io(&self.path, e))?;
        self.operations = 0;
        self.file.sync_all().map_err(|e| EngineError::io(&self.path, e))
    }

    /// The number of operations in the log.
    pub fn operations(&self) -> u64 {
        self.operations
    }

    /// The size of the log in bytes.
    pub fn size(&self) -> u64 {
        self.file.metadata().map_or(0, |m| m.len())
    }
}

fn encode(op: &Operation, out: &mut Vec<u8>) {
    let payload = serde_json::to_vec(op).expect("an operation serialises");
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
}

/// The intact operations, and how many bytes they take.
fn decode(bytes: &[u8]) -> (Vec<Operation>, usize) {
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
        let Ok(op) = serde_json::from_slice(payload) else {
            break;
        };
        ops.push(op);
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
        log.append(&[index("a", 0), Operation::Delete { id: "a".into(), seq_no: 1, version: 2 }], true).unwrap();
        drop(log);
        let (mut log, ops) = Translog::open(&path).unwrap();
        assert_eq!(ops.len(), 2);
        log.trim().unwrap();
        drop(log);
        assert!(Translog::open(&path).unwrap().1.is_empty());
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
            prop_assert_eq!(&read[..whole], &ops[..whole]);
            prop_assert!(intact <= bytes.len());
        }
    }
}
