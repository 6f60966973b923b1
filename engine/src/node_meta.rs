//! The node's identity: its id and its cluster's UUID, made once and kept
//! in `path.data/_state/node.json`.

use crate::atomic;
use crate::error::EngineError;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeMetadata {
    pub node_id: String,
    pub cluster_uuid: String,
}

const FILE: &str = "_state/node.json";

impl NodeMetadata {
    /// Loads the metadata, or makes and persists new ids on a fresh folder.
    pub fn load_or_create(data_path: &Path) -> Result<NodeMetadata, EngineError> {
        let path = data_path.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| EngineError::Corrupt { path, reason: e.to_string() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let meta = NodeMetadata { node_id: random_base64_uuid(), cluster_uuid: random_base64_uuid() };
                let bytes = serde_json::to_vec_pretty(&meta)
                    .map_err(|e| EngineError::Corrupt { path: path.clone(), reason: e.to_string() })?;
                atomic::write(&path, &bytes)?;
                Ok(meta)
            }
            Err(e) => Err(EngineError::io(&path, e)),
        }
    }
}

/// A random UUID in Elasticsearch's form: 16 bytes as 22 URL-safe base64 characters.
pub fn random_base64_uuid() -> String {
    base64url(&uuid::Uuid::new_v4().into_bytes())
}

/// Bytes as URL-safe base64, without padding.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 1);
    let mut bits: u32 = 0;
    let mut n_bits = 0;
    for &b in bytes {
        bits = (bits << 8) | u32::from(b);
        n_bits += 8;
        while n_bits >= 6 {
            n_bits -= 6;
            out.push(ALPHABET[((bits >> n_bits) & 63) as usize] as char);
        }
    }
    if n_bits > 0 {
        out.push(ALPHABET[((bits << (6 - n_bits)) & 63) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_across_opens() {
        let dir = tempfile::tempdir().unwrap();
        let first = NodeMetadata::load_or_create(dir.path()).unwrap();
        let again = NodeMetadata::load_or_create(dir.path()).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.cluster_uuid.len(), 22);
        assert_ne!(first.cluster_uuid, first.node_id);
    }

    #[test]
    fn corrupt_metadata_is_an_error_not_a_new_identity() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("_state")).unwrap();
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert!(matches!(NodeMetadata::load_or_create(dir.path()), Err(EngineError::Corrupt { .. })));
    }
}
