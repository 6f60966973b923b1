//! Why code generation failed.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("{path} has sha256 {actual}, but spec/spec.toml pins {expected}; update the pin deliberately")]
    ShaMismatch { path: PathBuf, expected: String, actual: String },
    #[error("patch at {path} does not apply: {reason}")]
    Patch { path: String, reason: String },
    #[error("the spec cannot be mapped: {0}")]
    Model(String),
}
