//! The `rest-api-spec/api/*.json` files: one file per API, with its name,
//! paths, parameter types (int vs long, enum options) and media types.

use crate::error::CodegenError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct RestApi {
    #[serde(default)]
    pub documentation: Documentation,
    #[serde(default)]
    pub stability: String,
    #[serde(default)]
    pub headers: Headers,
    pub url: Url,
    #[serde(default)]
    pub params: BTreeMap<String, RestParam>,
    #[serde(default)]
    pub body: Option<RestBody>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Documentation {
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Headers {
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub content_type: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Url {
    pub paths: Vec<RestPath>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RestPath {
    pub path: String,
    pub methods: Vec<String>,
    #[serde(default)]
    pub parts: BTreeMap<String, RestParam>,
    #[serde(default)]
    pub deprecated: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RestParam {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RestBody {
    #[serde(default)]
    pub required: bool,
}

/// Reads every API file of the folder (not `_common.json`), by API name.
pub fn load(dir: &Path) -> Result<BTreeMap<String, RestApi>, CodegenError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CodegenError::Read { path: dir.to_owned(), source })?;
    let mut apis = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|source| CodegenError::Read { path: dir.to_owned(), source })?.path();
        let is_api = path.extension().is_some_and(|e| e == "json")
            && path.file_stem().is_some_and(|s| !s.to_string_lossy().starts_with("_common"));
        if !is_api {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|source| CodegenError::Read { path: path.clone(), source })?;
        let file: BTreeMap<String, RestApi> = serde_json::from_str(&text)
            .map_err(|e| CodegenError::Invalid { path: path.clone(), reason: e.to_string() })?;
        apis.extend(file);
    }
    Ok(apis)
}
