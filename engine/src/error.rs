//! Why an engine operation failed.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("corrupt metadata in {path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

impl EngineError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        EngineError::Io { path: path.to_owned(), source }
    }
}
