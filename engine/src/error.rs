//! Why an engine operation failed. Each variant maps onto one
//! Elasticsearch exception; the handlers turn them into HTTP answers.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("corrupt metadata in {path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// `invalid_index_name_exception`
    #[error("Invalid index name [{name}], {reason}")]
    InvalidIndexName { name: String, reason: String },
    /// `invalid_alias_name_exception`
    #[error("Invalid alias name [{name}]: {reason}")]
    InvalidAliasName { name: String, reason: String },
    /// `resource_already_exists_exception`
    #[error("index [{name}/{uuid}] already exists")]
    IndexAlreadyExists { name: String, uuid: String },
    /// `index_not_found_exception`
    #[error("no such index [{name}]")]
    IndexNotFound { name: String },
    /// `index_not_found_exception`: a write to a missing index that
    /// `action.auto_create_index` does not let it create.
    #[error("no such index [{name}] and {why}")]
    AutoCreateForbidden { name: String, why: String },
    /// `version_conflict_engine_exception`; `shard` names where it happened
    /// (filled in by the engine, which knows the index).
    #[error("[{id}]: version conflict, {reason}")]
    VersionConflict { id: String, reason: String, shard: Option<ShardRef> },
    /// `document_missing_exception`
    #[error("[{id}]: document missing")]
    DocumentMissing { id: String, shard: ShardRef },
    /// `aliases_not_found_exception`
    #[error("aliases [{}] missing", names.join(","))]
    AliasesNotFound { names: Vec<String> },
    /// `index_closed_exception`
    #[error("closed")]
    IndexClosed { name: String, uuid: String },
    /// `illegal_argument_exception`
    #[error("{0}")]
    IllegalArgument(String),
    /// `mapper_parsing_exception`; `cause` is the reason of the
    /// `illegal_argument_exception` under it, when there is one.
    #[error("{reason}")]
    MapperParsing { reason: String, cause: Option<String> },
    /// `document_parsing_exception`: a document the mapping refuses;
    /// `cause` is the reason of the `illegal_argument_exception` under it.
    #[error("{reason}")]
    DocumentParsing { reason: String, cause: Option<String> },
    /// `strict_dynamic_mapping_exception`
    #[error("{0}")]
    StrictDynamicMapping(String),
    /// `routing_missing_exception`: the mapping requires `_routing`.
    #[error("routing is required for [{index}]/[{id}]")]
    RoutingMissing { index: String, id: String },
    /// `document_source_missing_exception`
    #[error("[{id}]: document source missing")]
    DocumentSourceMissing { id: String },
    /// `cluster_block_exception`: an index block refuses the operation.
    #[error("{reason}")]
    Blocked { reason: String, status: u16 },
    /// `search_context_missing_exception`: an unknown or expired scroll.
    #[error("{0}")]
    SearchContextMissing(String),
    /// `query_shard_exception`: a query or sort a shard cannot run.
    #[error("{0}")]
    QueryShard(String),
    /// `parse_exception` (Elasticsearch's `ElasticsearchParseException`),
    /// such as a malformed date-math index name.
    #[error("{0}")]
    Parse(String),
    /// `parsing_exception`: a malformed query.
    #[error("{0}")]
    Parsing(String),
    /// A feature Elasticsearch has that Tensile does not yet, named.
    #[error("{0} is not implemented by Tensile yet")]
    Unsupported(String),
    /// `settings_exception`
    #[error("{0}")]
    Settings(String),
    /// `invalid_index_template_exception`
    #[error("index_template [{name}] invalid, cause [{reason}]")]
    InvalidIndexTemplate { name: String, reason: String },
    /// `index_template_missing_exception`
    #[error("index_template [{0}] missing")]
    IndexTemplateMissing(String),
    /// `resource_not_found_exception`
    #[error("{0}")]
    ResourceNotFound(String),
    /// `action_request_validation_exception`, with one problem.
    #[error("Validation Failed: 1: {0};")]
    Validation(String),
    /// `illegal_state_exception`: the request needs a state the index is not in.
    #[error("{0}")]
    IllegalState(String),
    /// `x_content_parse_exception`: a body field the API does not know.
    #[error("{0}")]
    XContentParse(String),
    /// `x_content_parse_exception` over an `illegal_argument_exception`:
    /// a body field's value the API refuses (`cause` is its reason).
    #[error("{reason}")]
    FieldValue { reason: String, cause: String },
}

/// A shard of an index, as error metadata names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardRef {
    pub index: String,
    pub index_uuid: String,
    pub shard: u32,
}

impl EngineError {
    /// Names the shard a version conflict happened on.
    pub fn on_shard(self, shard: ShardRef) -> Self {
        match self {
            EngineError::VersionConflict { id, reason, .. } => {
                EngineError::VersionConflict { id, reason, shard: Some(shard) }
            }
            other => other,
        }
    }

    /// A `mapper_parsing_exception` with no cause.
    pub fn mapper_parsing(reason: impl Into<String>) -> Self {
        EngineError::MapperParsing { reason: reason.into(), cause: None }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        EngineError::Io { path: path.to_owned(), source }
    }
}
