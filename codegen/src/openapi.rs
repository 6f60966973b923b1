//! The operations of the OpenAPI document, read with the `openapiv3` crate.
//!
//! From the OpenAPI side code generation takes what the rest-api-spec files
//! do not say: which parameters are byte sizes or may be arrays, whether a
//! body is required, the body field that tells apart operations sharing a
//! route, and the newest version any part of the API was added in.

use crate::error::CodegenError;
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Schema, SchemaKind, Type};
use serde_json::Value;

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub path: String,
    /// Upper-case method.
    pub method: String,
    pub operation_id: String,
    /// Query and path parameters whose schema is `_types.ByteSize`.
    pub byte_size_params: Vec<String>,
    /// Parameters whose schema also takes an array of values.
    pub array_params: Vec<String>,
    pub body: Option<OperationBody>,
}

#[derive(Debug, Clone)]
pub struct OperationBody {
    pub required: bool,
    /// Required body fields whose schema admits exactly one string value.
    pub constant_fields: Vec<(String, String)>,
}

pub struct Document {
    pub api: OpenAPI,
}

impl Document {
    pub fn parse(raw: &Value) -> Result<Self, CodegenError> {
        let api: OpenAPI = serde_json::from_value(raw.clone())
            .map_err(|e| CodegenError::Model(format!("openapiv3 cannot read the document: {e}")))?;
        Ok(Document { api })
    }

    pub fn operations(&self) -> Vec<Operation> {
        let mut ops = Vec::new();
        for (path, item) in self.api.paths.iter() {
            let Some(item) = item.as_item() else { continue };
            for (method, op) in item.iter() {
                let mut byte_size_params = Vec::new();
                let mut array_params = Vec::new();
                for param in op.parameters.iter().chain(item.parameters.iter()) {
                    let Some(param) = self.resolve_parameter(param) else { continue };
                    let data = param.parameter_data_ref();
                    if let ParameterSchemaOrContent::Schema(schema) = &data.format {
                        if self.schema_names(schema).iter().any(|n| n == "_types.ByteSize") {
                            byte_size_params.push(data.name.clone());
                        }
                        if self.allows_array(schema, 0) {
                            array_params.push(data.name.clone());
                        }
                    }
                }
                let body = op
                    .request_body
                    .as_ref()
                    .and_then(|b| self.resolve_body(b))
                    .map(|b| OperationBody { required: b.required, constant_fields: self.constant_fields(b) });
                ops.push(Operation {
                    path: path.clone(),
                    method: method.to_ascii_uppercase(),
                    operation_id: op.operation_id.clone().unwrap_or_default(),
                    byte_size_params,
                    array_params,
                    body,
                });
            }
        }
        ops
    }

    fn resolve_parameter<'a>(&'a self, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                self.api.components.as_ref()?.parameters.get(name)?.as_item()
            }
        }
    }

    fn resolve_body<'a>(&'a self, b: &'a ReferenceOr<RequestBody>) -> Option<&'a RequestBody> {
        match b {
            ReferenceOr::Item(b) => Some(b),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/")?;
                self.api.components.as_ref()?.request_bodies.get(name)?.as_item()
            }
        }
    }

    fn schema(&self, name: &str) -> Option<&Schema> {
        self.api.components.as_ref()?.schemas.get(name)?.as_item()
    }

    fn resolve<'a>(&'a self, s: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        match s {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.schema(reference.strip_prefix("#/components/schemas/")?),
        }
    }

    /// The component names a schema refers to, directly or through a
    /// single-member `allOf`.
    fn schema_names(&self, s: &ReferenceOr<Schema>) -> Vec<String> {
        match s {
            ReferenceOr::Reference { reference } => {
                reference.strip_prefix("#/components/schemas/").map(str::to_owned).into_iter().collect()
            }
            ReferenceOr::Item(Schema { schema_kind: SchemaKind::AllOf { all_of }, .. }) => {
                all_of.iter().flat_map(|s| self.schema_names(s)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether the schema is an array or a union with an array member.
    fn allows_array(&self, s: &ReferenceOr<Schema>, depth: usize) -> bool {
        if depth > 8 {
            return false;
        }
        let Some(schema) = self.resolve(s) else { return false };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(_)) => true,
            SchemaKind::OneOf { one_of: list }
            | SchemaKind::AnyOf { any_of: list }
            | SchemaKind::AllOf { all_of: list } => list.iter().any(|s| self.allows_array(s, depth + 1)),
            _ => false,
        }
    }

    /// The single string value a schema admits, if it admits only one.
    fn constant(&self, s: &ReferenceOr<Schema>, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let schema = self.resolve(s)?;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(t)) if t.enumeration.len() == 1 => t.enumeration[0].clone(),
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.constant(&all_of[0], depth + 1),
            _ => None,
        }
    }

    fn constant_fields(&self, body: &RequestBody) -> Vec<(String, String)> {
        let Some(media) = body.content.values().next() else { return Vec::new() };
        let Some(schema) = media.schema.as_ref().and_then(|s| self.resolve(s)) else { return Vec::new() };
        let SchemaKind::Type(Type::Object(obj)) = &schema.schema_kind else { return Vec::new() };
        obj.required
            .iter()
            .filter_map(|field| {
                let prop = obj.properties.get(field)?;
                let value = match prop {
                    ReferenceOr::Item(boxed) => self.constant(&ReferenceOr::Item((**boxed).clone()), 0),
                    ReferenceOr::Reference { reference } => {
                        self.constant(&ReferenceOr::Reference { reference: reference.clone() }, 0)
                    }
                }?;
                Some((field.clone(), value))
            })
            .collect()
    }
}

/// The newest `Added in X.Y.Z` of any `x-state` in the document: the
/// Elasticsearch version the spec describes.
pub fn newest_version(raw: &Value) -> Option<String> {
    fn walk(v: &Value, best: &mut Option<(Vec<u32>, String)>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(state)) = map.get("x-state") {
                    if let Some(version) = state.split("Added in ").nth(1) {
                        let version = version.split([' ', ';', ',']).next().unwrap_or_default();
                        let key: Vec<u32> = version.split('.').filter_map(|p| p.parse().ok()).collect();
                        if key.len() == 3 && best.as_ref().is_none_or(|(b, _)| key > *b) {
                            *best = Some((key, version.to_owned()));
                        }
                    }
                }
                map.values().for_each(|v| walk(v, best));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, best)),
            _ => {}
        }
    }
    let mut best = None;
    walk(raw, &mut best);
    best.map(|(_, v)| v)
}
