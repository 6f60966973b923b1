//! Tensile's engine: everything stored on disk, and nothing of HTTP.
//!
//! Today it holds the node's identity ([`node_meta`]), persisted atomically
//! under `path.data` so that the cluster UUID is stable across restarts.
//! Indices, mappings, documents, the translog and search (on tantivy) come
//! with the engine issue and live beside it.

pub mod atomic;
pub mod error;
pub mod node_meta;

pub use error::EngineError;
pub use node_meta::NodeMetadata;

use std::path::{Path, PathBuf};

/// The engine over one data folder.
#[derive(Debug)]
pub struct Engine {
    data_path: PathBuf,
    node: NodeMetadata,
}

impl Engine {
    /// Opens (or creates) the data folder and loads the node's metadata.
    pub fn open(data_path: impl Into<PathBuf>) -> Result<Engine, EngineError> {
        let data_path = data_path.into();
        std::fs::create_dir_all(&data_path).map_err(|e| EngineError::io(&data_path, e))?;
        let node = NodeMetadata::load_or_create(&data_path)?;
        Ok(Engine { data_path, node })
    }

    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    pub fn node(&self) -> &NodeMetadata {
        &self.node
    }
}
