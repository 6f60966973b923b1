//! Code generation: turns the pinned Elasticsearch API specification into
//! the Rust source of `generated/`.
//!
//! [`generate`] reads `spec/` ([`pin`]), the OpenAPI document with the
//! `openapiv3` crate ([`openapi`]) and the rest-api-spec files
//! ([`restspec`]), joins and normalises them into a [`model::Model`], and
//! renders it ([`emit`]). `cargo xtask codegen` writes the result.

pub mod emit;
pub mod error;
pub mod model;
pub mod names;
pub mod openapi;
pub mod pin;
pub mod restspec;
pub mod types;

pub use error::CodegenError;

use std::collections::BTreeMap;
use std::path::Path;

/// What one run of code generation produced.
pub struct Output {
    /// File contents by path relative to `generated/`.
    pub files: BTreeMap<String, String>,
    pub model: model::Model,
    pub patches: Vec<pin::Patch>,
    /// How many request/response model types typify made.
    pub type_count: usize,
}

/// Generates `generated/` for the repository at `repo_root`.
pub fn generate(repo_root: &Path) -> Result<Output, CodegenError> {
    let spec = pin::PinnedSpec::load(repo_root)?;
    let document = openapi::Document::parse(&spec.openapi)?;
    let operations = document.operations();
    let rest = restspec::load(&spec.rest_api_spec_dir)?;
    let version = openapi::newest_version(&spec.openapi)
        .ok_or_else(|| CodegenError::Model("no `Added in` version anywhere in the OpenAPI document".into()))?;
    let mut model = model::build(&rest, &operations, &spec.serverless_only, version, spec.openapi_sha256.clone())?;
    let types = types::generate(&spec.openapi, &model.apis)?;
    model.rewrites.extend(types.rewrites.iter().cloned());
    let mut files = emit::files(&model);
    files.extend(emit::type_files(&types));
    Ok(Output { files, model, patches: spec.patches, type_count: types.type_count })
}
