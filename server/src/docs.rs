//! The API documentation Tensile serves about itself, under `/_tensile/`
//! where no Elasticsearch route can collide:
//!
//! - `/_tensile/openapi.json`: an OpenAPI document of every routed
//!   operation, made from the generated API table through poem-openapi's
//!   registry (names, paths, parameters and types, linked to Elastic's
//!   docs; the spec's prose is not copied into Tensile);
//! - `/_tensile/docs`: Swagger UI over that document, its assets embedded
//!   in the binary by poem-openapi.
//!
//! Both are built on first use, so they cost nothing at start-up.

use poem::http::Method as HttpMethod;
use poem_openapi::registry::{
    MetaApi, MetaExternalDocument, MetaMediaType, MetaOperation, MetaOperationParam, MetaParamIn, MetaPath,
    MetaRequest, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::OpenApiService;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use tensile_generated::APIS;
use tensile_rest::spec::{BodyPresence, Method, ParamKind};

/// The marker type whose [`poem_openapi::OpenApi`] metadata is the generated table.
struct RoutedApis;

impl poem_openapi::OpenApi for RoutedApis {
    fn meta() -> Vec<MetaApi> {
        vec![MetaApi { paths: meta_paths() }]
    }

    fn register(_: &mut Registry) {}

    fn add_routes(self, _: &mut HashMap<String, HashMap<HttpMethod, poem::endpoint::BoxEndpoint<'static>>>) {}
}

fn http_method(m: Method) -> HttpMethod {
    HttpMethod::from_bytes(m.as_str().as_bytes()).unwrap_or(HttpMethod::GET)
}

fn schema(kind: ParamKind) -> MetaSchemaRef {
    let enum_items = |values: &[&str]| values.iter().map(|v| serde_json::Value::from(*v)).collect::<Vec<_>>();
    let s = match kind {
        ParamKind::Bool => MetaSchema::new("boolean"),
        ParamKind::Int => MetaSchema::new_with_format("integer", "int32"),
        ParamKind::Long => MetaSchema::new_with_format("integer", "int64"),
        ParamKind::Number => MetaSchema::new_with_format("number", "double"),
        ParamKind::Time => MetaSchema::new_with_format("string", "duration"),
        ParamKind::ByteSize => MetaSchema::new_with_format("string", "byte-size"),
        ParamKind::Date => MetaSchema::new_with_format("string", "date-math"),
        ParamKind::String | ParamKind::BoolOrLong => MetaSchema::new("string"),
        ParamKind::List => MetaSchema::new_with_format("string", "comma-separated"),
        ParamKind::Enum(values) => MetaSchema { enum_items: enum_items(values), ..MetaSchema::new("string") },
        ParamKind::EnumList(values) => MetaSchema {
            items: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema {
                enum_items: enum_items(values),
                ..MetaSchema::new("string")
            })))),
            ..MetaSchema::new("array")
        },
    };
    MetaSchemaRef::Inline(Box::new(s))
}

/// A unique operation id for each (API, path, method), in table order:
/// the API name, numbered when the API has several routes. Made once, as
/// poem-openapi wants `'static` ids.
fn operation_ids() -> &'static [Vec<String>] {
    static IDS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    IDS.get_or_init(|| {
        APIS.iter()
            .map(|spec| {
                let routes = spec.paths.iter().map(|p| p.methods.len()).sum::<usize>();
                (1..=routes)
                    .map(|n| if routes > 1 { format!("{}#{n}", spec.name) } else { spec.name.to_owned() })
                    .collect()
            })
            .collect()
    })
}

fn meta_paths() -> Vec<MetaPath> {
    let mut by_template: BTreeMap<&'static str, Vec<MetaOperation>> = BTreeMap::new();
    for (spec, ids) in APIS.iter().zip(operation_ids()) {
        let mut ids = ids.iter();
        for path in spec.paths {
            for &method in path.methods {
                let id: &'static str = ids.next().map_or(spec.name, String::as_str);
                let mut params: Vec<MetaOperationParam> =
                    path.parts.iter().map(|p| param(p.name, p.kind, MetaParamIn::Path, true)).collect();
                params.extend(
                    spec.params
                        .iter()
                        .filter(|q| path.parts.iter().all(|p| p.name != q.name))
                        .map(|q| param(q.name, q.kind, MetaParamIn::Query, false)),
                );
                let request = spec.body.presence.map(|presence| MetaRequest {
                    description: None,
                    content: spec
                        .body
                        .content_types
                        .iter()
                        .map(|ct| MetaMediaType {
                            content_type: ct,
                            schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("object"))),
                        })
                        .collect(),
                    required: presence == BodyPresence::Required,
                });
                let ops = by_template.entry(path.template).or_default();
                ops.push(MetaOperation {
                    method: http_method(method),
                    tags: vec![spec.namespace()],
                    summary: Some(spec.name),
                    description: None,
                    external_docs: (!spec.doc_url.is_empty())
                        .then(|| MetaExternalDocument { url: spec.doc_url.to_owned(), description: None }),
                    params,
                    request,
                    responses: MetaResponses {
                        responses: vec![MetaResponse {
                            description: "Elasticsearch-compatible response",
                            status: None,
                            status_range: None,
                            content: Vec::new(),
                            headers: Vec::new(),
                        }],
                    },
                    deprecated: path.deprecated,
                    security: Vec::new(),
                    operation_id: Some(id),
                    code_samples: Vec::new(),
                });
            }
        }
    }
    by_template.into_iter().map(|(path, operations)| MetaPath { path: path.to_owned(), operations }).collect()
}

fn param(name: &'static str, kind: ParamKind, in_type: MetaParamIn, required: bool) -> MetaOperationParam {
    MetaOperationParam {
        name: name.to_owned(),
        schema: schema(kind),
        in_type,
        description: None,
        required,
        deprecated: false,
        explode: false,
        style: None,
    }
}

fn service() -> OpenApiService<RoutedApis, ()> {
    OpenApiService::new(RoutedApis, "Tensile: Elasticsearch-compatible REST API", tensile_generated::SPEC_VERSION)
}

/// The OpenAPI document, built once.
pub fn openapi_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| service().spec())
}

/// The Swagger UI page, built once.
pub fn docs_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| service().swagger_ui_html())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_routed_operation() {
        let doc: serde_json::Value = serde_json::from_str(openapi_json()).unwrap();
        let listed: usize = doc["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
        let routed: usize = APIS.iter().flat_map(|a| a.paths).map(|p| p.methods.len()).sum();
        assert_eq!(listed, routed);
        assert!(routed >= tensile_generated::OPENAPI_OPERATIONS);
        assert_eq!(doc["paths"]["/{index}"]["put"]["summary"], "indices.create");
    }
}
