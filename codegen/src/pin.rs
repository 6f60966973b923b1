//! The pinned specification: `spec/spec.toml` says where the OpenAPI document
//! and the rest-api-spec files are and which sha256 the document must have;
//! `spec/patches/*.json` are our own corrections, applied before parsing.

use crate::error::CodegenError;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct PinFile {
    openapi: OpenApiPin,
    rest_api_spec: RestApiSpecPin,
    apis: ApisPin,
}

#[derive(Debug, Deserialize)]
struct OpenApiPin {
    path: PathBuf,
    sha256: String,
}

#[derive(Debug, Deserialize)]
struct RestApiSpecPin {
    path: PathBuf,
}

#[derive(Debug, Deserialize)]
struct ApisPin {
    serverless_only: Vec<String>,
}

/// One correction of the OpenAPI document: a JSON Patch operation
/// (`add`, `replace` or `remove` at a JSON Pointer) with the reason for it.
#[derive(Debug, Clone, Deserialize)]
pub struct Patch {
    pub reason: String,
    pub op: PatchOp,
    pub path: String,
    #[serde(default)]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PatchOp {
    Add,
    Replace,
    Remove,
}

/// The loaded, verified and patched specification.
pub struct PinnedSpec {
    /// The OpenAPI document after our patches.
    pub openapi: Value,
    pub openapi_sha256: String,
    pub rest_api_spec_dir: PathBuf,
    pub serverless_only: Vec<String>,
    pub patches: Vec<Patch>,
}

impl PinnedSpec {
    /// Reads `spec/` under `repo_root` and everything it points to.
    pub fn load(repo_root: &Path) -> Result<Self, CodegenError> {
        let pin_path = repo_root.join("spec/spec.toml");
        let pin_text = read(&pin_path)?;
        let pin: PinFile =
            toml::from_str(&pin_text).map_err(|e| CodegenError::Invalid { path: pin_path, reason: e.to_string() })?;

        let openapi_path = repo_root.join(&pin.openapi.path);
        let bytes =
            std::fs::read(&openapi_path).map_err(|source| CodegenError::Read { path: openapi_path.clone(), source })?;
        let actual = hex(&Sha256::digest(&bytes));
        if actual != pin.openapi.sha256 {
            return Err(CodegenError::ShaMismatch { path: openapi_path, expected: pin.openapi.sha256, actual });
        }
        let mut openapi: Value = serde_json::from_slice(&bytes)
            .map_err(|e| CodegenError::Invalid { path: openapi_path.clone(), reason: e.to_string() })?;

        let patches = load_patches(&repo_root.join("spec/patches"))?;
        for patch in &patches {
            apply(&mut openapi, patch)?;
        }
        Ok(PinnedSpec {
            openapi,
            openapi_sha256: actual,
            rest_api_spec_dir: repo_root.join(&pin.rest_api_spec.path),
            serverless_only: pin.apis.serverless_only,
            patches,
        })
    }
}

fn read(path: &Path) -> Result<String, CodegenError> {
    std::fs::read_to_string(path).map_err(|source| CodegenError::Read { path: path.to_owned(), source })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every `*.json` file of the folder, in name order, each a list of patches.
fn load_patches(dir: &Path) -> Result<Vec<Patch>, CodegenError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => return Ok(Vec::new()),
    };
    files.sort();
    let mut patches = Vec::new();
    for file in files {
        let list: Vec<Patch> = serde_json::from_str(&read(&file)?)
            .map_err(|e| CodegenError::Invalid { path: file.clone(), reason: e.to_string() })?;
        patches.extend(list);
    }
    Ok(patches)
}

/// Applies one patch; a pointer that does not resolve is an error, so a
/// patch that no longer fits a newer spec is noticed.
pub fn apply(doc: &mut Value, patch: &Patch) -> Result<(), CodegenError> {
    let fail = |why: &str| CodegenError::Patch { path: patch.path.clone(), reason: why.to_owned() };
    let (parent_ptr, last) = patch.path.rsplit_once('/').ok_or_else(|| fail("not a JSON pointer"))?;
    let key = last.replace("~1", "/").replace("~0", "~");
    let parent = doc.pointer_mut(parent_ptr).ok_or_else(|| fail("parent does not exist"))?;
    match (patch.op, parent) {
        (PatchOp::Remove, Value::Object(map)) => map.remove(&key).map(drop).ok_or_else(|| fail("nothing to remove")),
        (PatchOp::Remove, Value::Array(items)) => {
            let i: usize = key.parse().map_err(|_| fail("bad array index"))?;
            (i < items.len()).then(|| drop(items.remove(i))).ok_or_else(|| fail("index out of range"))
        }
        (PatchOp::Add | PatchOp::Replace, Value::Object(map)) => {
            let value = patch.value.clone().ok_or_else(|| fail("missing value"))?;
            if patch.op == PatchOp::Replace && !map.contains_key(&key) {
                return Err(fail("nothing to replace"));
            }
            map.insert(key, value);
            Ok(())
        }
        (PatchOp::Add | PatchOp::Replace, Value::Array(items)) => {
            let value = patch.value.clone().ok_or_else(|| fail("missing value"))?;
            if key == "-" && patch.op == PatchOp::Add {
                items.push(value);
                return Ok(());
            }
            let i: usize = key.parse().map_err(|_| fail("bad array index"))?;
            match patch.op {
                PatchOp::Add if i <= items.len() => items.insert(i, value),
                PatchOp::Replace if i < items.len() => items[i] = value,
                _ => return Err(fail("index out of range")),
            }
            Ok(())
        }
        _ => Err(fail("parent is not an object or array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(op: PatchOp, path: &str, value: Option<Value>) -> Patch {
        Patch { reason: "test".into(), op, path: path.into(), value }
    }

    #[test]
    fn patches_add_replace_remove() {
        let mut doc = json!({"paths": {"/a/{b}": {"get": {"x": 1}}}, "list": [1, 2]});
        apply(&mut doc, &patch(PatchOp::Replace, "/paths/~1a~1{b}/get/x", Some(json!(2)))).unwrap();
        apply(&mut doc, &patch(PatchOp::Add, "/list/-", Some(json!(3)))).unwrap();
        apply(&mut doc, &patch(PatchOp::Remove, "/list/0", None)).unwrap();
        assert_eq!(doc, json!({"paths": {"/a/{b}": {"get": {"x": 2}}}, "list": [2, 3]}));
    }

    #[test]
    fn a_patch_that_no_longer_fits_fails() {
        let mut doc = json!({"a": {}});
        assert!(apply(&mut doc, &patch(PatchOp::Replace, "/a/missing", Some(json!(1)))).is_err());
        assert!(apply(&mut doc, &patch(PatchOp::Remove, "/b/c", None)).is_err());
    }
}
