//! Atomic file replacement: write a temporary file, fsync it, rename it
//! over the target, fsync the folder. A reader sees the old file or the new
//! one, never half of either, even after a crash.

use crate::error::EngineError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    let tmp = path.with_extension("tmp");
    let mut file =
        OpenOptions::new().write(true).create(true).truncate(true).open(&tmp).map_err(|e| EngineError::io(&tmp, e))?;
    file.write_all(bytes).map_err(|e| EngineError::io(&tmp, e))?;
    file.sync_all().map_err(|e| EngineError::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| EngineError::io(path, e))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| EngineError::io(dir, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/meta.json");
        super::write(&path, b"one").unwrap();
        super::write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!path.with_extension("tmp").exists());
    }
}
