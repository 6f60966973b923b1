//! Engine errors as Elasticsearch answers them: exception type, status and
//! the metadata fields its clients read (`index`, `resource.id`, ...).

use tensile_engine::EngineError;
use tensile_rest::EsError;

pub fn es_error(e: EngineError) -> EsError {
    let reason = e.to_string();
    match e {
        EngineError::InvalidIndexName { name, .. } => EsError::new(400, "invalid_index_name_exception", reason)
            .with_metadata("index_uuid", "_na_")
            .with_metadata("index", name),
        EngineError::InvalidAliasName { .. } => EsError::new(400, "invalid_alias_name_exception", reason),
        EngineError::IndexAlreadyExists { name, uuid } => {
            EsError::new(400, "resource_already_exists_exception", reason)
                .with_metadata("index_uuid", uuid)
                .with_metadata("index", name)
        }
        EngineError::IndexNotFound { name } => EsError::new(404, "index_not_found_exception", reason)
            .with_metadata("resource.type", "index_or_alias")
            .with_metadata("resource.id", name.clone())
            .with_metadata("index_uuid", "_na_")
            .with_metadata("index", name),
        EngineError::AutoCreateForbidden { name, .. } => EsError::new(404, "index_not_found_exception", reason)
            .with_metadata("resource.type", "index_expression")
            .with_metadata("resource.id", name.clone())
            .with_metadata("index_uuid", "_na_")
            .with_metadata("index", name),
        EngineError::VersionConflict { shard, .. } => {
            let err = EsError::new(409, "version_conflict_engine_exception", reason);
            match shard {
                Some(s) => err
                    .with_metadata("index_uuid", s.index_uuid)
                    .with_metadata("shard", s.shard.to_string())
                    .with_metadata("index", s.index),
                None => err,
            }
        }
        EngineError::DocumentMissing { shard, .. } => EsError::new(404, "document_missing_exception", reason)
            .with_metadata("index_uuid", shard.index_uuid)
            .with_metadata("shard", shard.shard.to_string())
            .with_metadata("index", shard.index),
        EngineError::AliasesNotFound { names } => EsError::new(404, "aliases_not_found_exception", reason)
            .with_metadata("resource.type", "aliases")
            .with_metadata("resource.id", names.join(",")),
        EngineError::IndexClosed { name, uuid } => EsError::new(400, "index_closed_exception", reason)
            .with_metadata("index_uuid", uuid)
            .with_metadata("index", name),
        EngineError::IllegalArgument(_) => EsError::illegal_argument(reason),
        EngineError::MapperParsing { cause, .. } => {
            caused_by_illegal_argument(EsError::new(400, "mapper_parsing_exception", reason), cause)
        }
        EngineError::DocumentParsing { cause, .. } => {
            caused_by_illegal_argument(EsError::new(400, "document_parsing_exception", reason), cause)
        }
        EngineError::StrictDynamicMapping(_) => EsError::new(400, "strict_dynamic_mapping_exception", reason),
        EngineError::RoutingMissing { index, .. } => EsError::new(400, "routing_missing_exception", reason)
            .with_metadata("index_uuid", "_na_")
            .with_metadata("index", index),
        EngineError::DocumentSourceMissing { .. } => EsError::new(400, "document_source_missing_exception", reason),
        EngineError::Blocked { status, .. } => EsError::new(status, "cluster_block_exception", reason),
        EngineError::SearchContextMissing(_) => EsError::new(404, "search_context_missing_exception", reason),
        EngineError::QueryShard(_) => EsError::new(400, "query_shard_exception", reason),
        EngineError::Parsing(_) => EsError::new(400, "parsing_exception", reason),
        EngineError::Parse(_) => EsError::parse(reason),
        EngineError::Unsupported(_) => EsError::new(501, "unsupported_operation_exception", reason),
        EngineError::Settings(_) => EsError::new(400, "settings_exception", reason),
        EngineError::InvalidIndexTemplate { .. } => EsError::new(400, "invalid_index_template_exception", reason),
        EngineError::IndexTemplateMissing(_) => EsError::new(404, "index_template_missing_exception", reason),
        EngineError::ResourceNotFound(_) => EsError::new(404, "resource_not_found_exception", reason),
        EngineError::Validation(_) => EsError::new(400, "action_request_validation_exception", reason),
        EngineError::IllegalState(_) => EsError::new(500, "illegal_state_exception", reason),
        EngineError::XContentParse(_) => EsError::new(400, "x_content_parse_exception", reason),
        EngineError::FieldValue { cause, .. } => {
            caused_by_illegal_argument(EsError::new(400, "x_content_parse_exception", reason), Some(cause.clone()))
        }
        EngineError::Io { .. } => EsError::new(500, "io_exception", reason),
        EngineError::Corrupt { .. } => EsError::new(500, "corrupt_state_exception", reason),
    }
}

/// The error with an `illegal_argument_exception` as its `caused_by`, when there is a cause.
fn caused_by_illegal_argument(err: EsError, cause: Option<String>) -> EsError {
    match cause {
        Some(cause) => err.with_cause(tensile_rest::ErrorCause::new("illegal_argument_exception", cause)),
        None => err,
    }
}

/// An error inside a multi-item answer (`_bulk` items, `_mget` docs): the
/// exception object without the root causes.
pub fn exception_json(err: &EsError) -> serde_json::Value {
    let mut error = err.to_json(false)["error"].clone();
    if let serde_json::Value::Object(map) = &mut error {
        map.shift_remove("root_cause");
    }
    error
}
