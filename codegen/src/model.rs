//! The joined model of every routed API, and the normalisation that makes
//! the spec fit Rust and a router. Every rewrite is recorded in
//! [`Model::rewrites`] and written next to the generated code.

use crate::error::CodegenError;
use crate::names::{pascal, snake_ident};
use crate::openapi::{Operation, OperationBody};
use crate::restspec::{RestApi, RestParam};
use std::collections::{BTreeMap, BTreeSet};

/// The methods in Elasticsearch's order (its `RestRequest.Method`).
pub const METHOD_ORDER: &[&str] = &["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int,
    Long,
    Number,
    Time,
    ByteSize,
    Str,
    List,
    Enum(usize),
    EnumList(usize),
    BoolOrLong,
    Date,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    /// `(spec value, Rust variant)`.
    pub variants: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The name on the wire.
    pub name: String,
    /// The Rust field name.
    pub ident: String,
    pub ty: Ty,
    /// Path parts present in every path of the API.
    pub required: bool,
    /// For a path part: the query parameter of the same name, read when the
    /// path does not bind it.
    pub also_query: bool,
}

#[derive(Debug, Clone)]
pub struct PathModel {
    pub template: String,
    pub methods: Vec<String>,
    pub parts: Vec<(String, Ty)>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct BodyModel {
    pub presence: Option<bool>,
    pub content_types: Vec<String>,
    pub discriminator: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ApiModel {
    pub name: String,
    pub fn_name: String,
    pub type_name: String,
    pub doc_url: String,
    pub stability: String,
    pub paths: Vec<PathModel>,
    /// Path parts, then query parameters, as struct fields.
    pub fields: Vec<Field>,
    /// Every query parameter the API accepts, with its type.
    pub query_params: Vec<(String, Ty)>,
    pub body: BodyModel,
    pub accept: Vec<String>,
    pub in_openapi: bool,
}

/// One normalisation step applied to the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rewrite {
    pub subject: String,
    pub what: String,
}

pub struct Model {
    pub version: String,
    pub openapi_sha256: String,
    pub openapi_operations: usize,
    pub apis: Vec<ApiModel>,
    pub enums: Vec<EnumDef>,
    pub rewrites: Vec<Rewrite>,
}

pub use tensile_rest::spec::template_shape as normalize_template;

#[derive(Default)]
struct Enums {
    defs: Vec<EnumDef>,
    by_key: BTreeMap<(String, Vec<String>), usize>,
    names: BTreeSet<String>,
}

impl Enums {
    fn intern(&mut self, api_type: &str, param: &str, options: &[String], rewrites: &mut Vec<Rewrite>) -> usize {
        let key = (param.to_owned(), options.to_vec());
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        let mut name = pascal(param);
        if self.names.contains(&name) {
            name = format!("{api_type}{name}");
        }
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in options {
            let mut variant = pascal(value);
            if variants.iter().any(|(_, v)| v.eq_ignore_ascii_case(&variant)) {
                let renamed = format!("{variant}{}", variants.len());
                rewrites.push(Rewrite {
                    subject: format!("enum {name}"),
                    what: format!("value `{value}` clashes with another once case is dropped; variant named {renamed}"),
                });
                variant = renamed;
            }
            variants.push((value.clone(), variant));
        }
        self.names.insert(name.clone());
        self.defs.push(EnumDef { name, variants });
        self.by_key.insert(key, self.defs.len() - 1);
        self.defs.len() - 1
    }
}

struct TypeCtx<'a> {
    api_type: &'a str,
    byte_sizes: &'a BTreeSet<String>,
    arrays: &'a BTreeSet<String>,
}

fn param_ty(ctx: &TypeCtx<'_>, name: &str, p: &RestParam, enums: &mut Enums, rewrites: &mut Vec<Rewrite>) -> Ty {
    let options = p.options.as_deref().filter(|o| !o.is_empty());
    match (p.kind.as_str(), options) {
        ("boolean", _) => Ty::Bool,
        ("int", _) => Ty::Int,
        ("long", _) => Ty::Long,
        ("number" | "double", _) => Ty::Number,
        ("time", _) => Ty::Time,
        ("date", _) => Ty::Date,
        ("boolean|long", _) => Ty::BoolOrLong,
        ("list", Some(opts)) => Ty::EnumList(enums.intern(ctx.api_type, name, opts, rewrites)),
        ("list", None) => Ty::List,
        ("enum", Some(opts)) if ctx.arrays.contains(name) => {
            rewrites.push(Rewrite {
                subject: format!("{}.{name}", ctx.api_type),
                what: "enum that the OpenAPI schema also takes as an array: read as a comma list".into(),
            });
            Ty::EnumList(enums.intern(ctx.api_type, name, opts, rewrites))
        }
        ("enum", Some(opts)) => Ty::Enum(enums.intern(ctx.api_type, name, opts, rewrites)),
        ("string", _) if ctx.byte_sizes.contains(name) => Ty::ByteSize,
        ("string" | "number|string" | "enum", _) => Ty::Str,
        (other, _) => {
            rewrites.push(Rewrite {
                subject: format!("{}.{name}", ctx.api_type),
                what: format!("unknown parameter type `{other}` read as a string"),
            });
            Ty::Str
        }
    }
}

/// Joins the rest-api-spec APIs with the OpenAPI operations.
pub fn build(
    rest: &BTreeMap<String, RestApi>,
    operations: &[Operation],
    serverless_only: &[String],
    version: String,
    openapi_sha256: String,
) -> Result<Model, CodegenError> {
    let mut rewrites = Vec::new();
    let mut enums = Enums::default();

    let by_route: BTreeMap<(&str, &str), &Operation> =
        operations.iter().map(|op| ((op.path.as_str(), op.method.as_str()), op)).collect();
    let mut claimed: BTreeSet<(&str, &str)> = BTreeSet::new();

    let mut apis = Vec::new();
    let mut fn_names = BTreeSet::new();
    for (name, api) in rest {
        let namespace = name.split_once('.').map_or("", |(ns, _)| ns);
        if serverless_only.iter().any(|ns| ns == namespace) {
            rewrites.push(Rewrite { subject: name.clone(), what: "serverless-only namespace: not routed".into() });
            continue;
        }
        let fn_name = snake_ident(name);
        let type_name = pascal(name);
        if !fn_names.insert(fn_name.clone()) {
            return Err(CodegenError::Model(format!("two APIs map to the Rust name {fn_name}")));
        }

        let ops: Vec<&Operation> = api
            .url
            .paths
            .iter()
            .flat_map(|p| p.methods.iter().map(move |m| (p.path.as_str(), m.as_str())))
            .filter_map(|key| by_route.get(&key).copied())
            .collect();
        for op in &ops {
            claimed.insert((op.path.as_str(), op.method.as_str()));
        }
        let in_openapi = !ops.is_empty();
        if !in_openapi {
            rewrites.push(Rewrite {
                subject: name.clone(),
                what: "not in the OpenAPI document (self-managed only): routed from rest-api-spec".into(),
            });
        }
        let byte_sizes: BTreeSet<String> = ops.iter().flat_map(|o| o.byte_size_params.iter().cloned()).collect();
        let arrays: BTreeSet<String> = ops.iter().flat_map(|o| o.array_params.iter().cloned()).collect();
        let ctx = TypeCtx { api_type: &type_name, byte_sizes: &byte_sizes, arrays: &arrays };

        // Path parts: the union over the API's paths.
        let mut part_types: BTreeMap<String, Ty> = BTreeMap::new();
        let mut paths = Vec::new();
        for path in &api.url.paths {
            let mut parts = Vec::new();
            for (part, spec) in &path.parts {
                let ty = param_ty(&ctx, part, spec, &mut enums, &mut rewrites);
                part_types.entry(part.clone()).or_insert_with(|| ty.clone());
                parts.push((part.clone(), ty));
            }
            let mut methods = path.methods.clone();
            methods.sort_by_key(|m| METHOD_ORDER.iter().position(|o| o == m).unwrap_or(usize::MAX));
            paths.push(PathModel {
                template: path.path.clone(),
                methods,
                parts,
                deprecated: path.deprecated.is_some(),
            });
        }

        let mut fields = Vec::new();
        for (part, ty) in &part_types {
            let required = api.url.paths.iter().all(|p| p.parts.contains_key(part));
            let also_query = api.params.contains_key(part);
            if also_query {
                rewrites.push(Rewrite {
                    subject: format!("{name}.{part}"),
                    what: "query parameter shadows the path part of the same name: one field, the path wins".into(),
                });
            }
            fields.push(Field { name: part.clone(), ident: snake_ident(part), ty: ty.clone(), required, also_query });
        }
        let mut query_params = Vec::new();
        for (param, spec) in &api.params {
            let ty = param_ty(&ctx, param, spec, &mut enums, &mut rewrites);
            query_params.push((param.clone(), ty.clone()));
            if part_types.contains_key(param) {
                continue;
            }
            fields.push(Field {
                name: param.clone(),
                ident: snake_ident(param),
                ty,
                required: false,
                also_query: false,
            });
        }

        let openapi_body: Option<&OperationBody> = ops.iter().find_map(|o| o.body.as_ref());
        let presence = match (&api.body, openapi_body) {
            (None, None) => None,
            (rest_body, oa) => Some(rest_body.as_ref().is_some_and(|b| b.required) || oa.is_some_and(|b| b.required)),
        };
        let mut content_types = api.headers.content_type.clone();
        if presence.is_some() && content_types.is_empty() {
            content_types.push("application/json".into());
        }

        apis.push(ApiModel {
            name: name.clone(),
            fn_name,
            type_name,
            doc_url: api.documentation.url.clone().unwrap_or_default(),
            stability: if api.stability.is_empty() { "stable".into() } else { api.stability.clone() },
            paths,
            fields,
            query_params,
            body: BodyModel { presence, content_types, discriminator: None },
            accept: api.headers.accept.clone(),
            in_openapi,
        });
    }

    let unclaimed: Vec<String> = operations
        .iter()
        .filter(|op| !claimed.contains(&(op.path.as_str(), op.method.as_str())))
        .map(|op| format!("{} {} ({})", op.method, op.path, op.operation_id))
        .collect();
    if !unclaimed.is_empty() {
        return Err(CodegenError::Model(format!("OpenAPI operations with no rest-api-spec API: {unclaimed:?}")));
    }

    assign_discriminators(&mut apis, operations, &mut rewrites)?;
    rewrites.sort();
    Ok(Model { version, openapi_sha256, openapi_operations: operations.len(), apis, enums: enums.defs, rewrites })
}

/// Where different APIs share a method and path template (the
/// `PUT /_inference/{task_type}/{id}` provider variants), the request body
/// tells them apart: each gets the required body field whose schema admits
/// one value only (`service: openai`); the API without one is the fallback.
fn assign_discriminators(
    apis: &mut [ApiModel],
    operations: &[Operation],
    rewrites: &mut Vec<Rewrite>,
) -> Result<(), CodegenError> {
    let mut groups: BTreeMap<(String, String), BTreeSet<usize>> = BTreeMap::new();
    for (i, api) in apis.iter().enumerate() {
        for path in &api.paths {
            for m in &path.methods {
                groups.entry((normalize_template(&path.template), m.clone())).or_default().insert(i);
            }
        }
    }
    for ((template, method), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let constants = |i: usize| -> Vec<(String, String)> {
            let api = &apis[i];
            api.paths
                .iter()
                .filter(|p| normalize_template(&p.template) == template)
                .filter_map(|p| operations.iter().find(|o| o.path == p.template && o.method == method))
                .filter_map(|o| o.body.as_ref())
                .flat_map(|b| b.constant_fields.clone())
                .collect()
        };
        let mut found: BTreeMap<usize, (String, String)> = BTreeMap::new();
        for &i in &members {
            if let Some(first) = constants(i).into_iter().next() {
                found.insert(i, first);
            }
        }
        let fallbacks: Vec<&str> =
            members.iter().filter(|i| !found.contains_key(i)).map(|&i| apis[i].name.as_str()).collect();
        if fallbacks.len() > 1 {
            return Err(CodegenError::Model(format!(
                "{method} {template} is shared by {fallbacks:?} and nothing in their bodies tells them apart"
            )));
        }
        for (i, (field, value)) in found {
            rewrites.push(Rewrite {
                subject: apis[i].name.clone(),
                what: format!("shares {method} {template}; chosen when the body has {field}: {value}"),
            });
            apis[i].body.discriminator = Some((field, value));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_normalise() {
        assert_eq!(normalize_template("/_nodes/{node_id}/stats/{metric}"), "/_nodes/{}/stats/{}");
        assert_eq!(normalize_template("/"), "/");
    }
}
