//! Typed request and response models, generated with typify.
//!
//! The OpenAPI component schemas, plus one `{Api}Request` and
//! `{Api}Response` per API whose operation has a JSON body or answer, go
//! through a normalisation pass that makes them fit typify and Rust, then
//! through typify into one file of plain serde types. Every rewrite is
//! reported. Descriptions, titles and examples are dropped: the generated
//! code carries names and types, not the spec's prose.

use crate::error::CodegenError;
use crate::model::{ApiModel, Rewrite};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The generated types source and what it took.
pub struct TypesOutput {
    pub source: String,
    pub type_count: usize,
    pub rewrites: Vec<Rewrite>,
}

/// Keywords that carry prose, or that typify does not read.
const DROPPED_KEYWORDS: &[&str] =
    &["description", "title", "summary", "examples", "example", "externalDocs", "discriminator"];

pub fn generate(openapi: &Value, apis: &[ApiModel]) -> Result<TypesOutput, CodegenError> {
    let mut rewrites = Vec::new();
    let mut definitions: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(Value::Object(schemas)) = openapi.pointer("/components/schemas") {
        for (name, schema) in schemas {
            definitions.insert(name.clone(), schema.clone());
        }
    }
    for api in apis.iter().filter(|a| a.in_openapi) {
        let Some((path, method)) = first_operation(api) else { continue };
        let Some(op) = openapi.pointer(&format!("/paths/{}/{}", escape(path), method.to_ascii_lowercase())) else {
            continue;
        };
        if let Some(schema) = request_schema(openapi, op) {
            definitions.insert(format!("{}Request", api.type_name), schema);
        }
        if let Some(schema) = response_schema(openapi, op) {
            definitions.insert(format!("{}Response", api.type_name), schema);
        }
    }
    for (name, schema) in definitions.iter_mut() {
        normalize(name, schema, &mut rewrites);
    }
    // typify names inline types after their parent and field; when such a
    // name is also a component's, the component is renamed and we go again.
    for _ in 0..8 {
        let (mut file, type_count) = run_typify(&definitions)?;
        let clashes = duplicate_item_names(&file);
        if clashes.is_empty() {
            strip_docs(&mut file);
            rename_clashing_fields(&mut file, &mut rewrites);
            rewrites.sort();
            return Ok(TypesOutput { source: prettyplease::unparse(&file), type_count, rewrites });
        }
        for clash in clashes {
            let Some(key) = definitions.keys().find(|k| typify_name(k) == clash).cloned() else {
                return Err(CodegenError::Model(format!("typify made two types called {clash}")));
            };
            let renamed = format!("{key}Def");
            rewrites.push(Rewrite {
                subject: format!("schema {key}"),
                what: format!("its type name {clash} is also an inline type's: generated as {}", typify_name(&renamed)),
            });
            rename_definition(&mut definitions, &key, &renamed);
        }
    }
    Err(CodegenError::Model("type names still clash after renaming".into()))
}

fn run_typify(definitions: &BTreeMap<String, Value>) -> Result<(syn::File, usize), CodegenError> {
    let root = serde_json::json!({ "definitions": definitions });
    let root: schemars::schema::RootSchema = serde_json::from_value(root)
        .map_err(|e| CodegenError::Model(format!("schemas are not JSON Schema after normalisation: {e}")))?;
    let mut settings = typify::TypeSpaceSettings::default();
    settings.with_struct_builder(false);
    let mut space = typify::TypeSpace::new(&settings);
    space.add_ref_types(root.definitions).map_err(|e| CodegenError::Model(format!("typify: {e}")))?;
    let type_count = space.iter_types().count();
    let file = syn::parse2(space.to_stream()).map_err(|e| CodegenError::Model(format!("typify output: {e}")))?;
    Ok((file, type_count))
}

/// The Rust name typify gives a definition key: its words in PascalCase.
fn typify_name(key: &str) -> String {
    crate::names::pascal(key)
}

fn rename_definition(definitions: &mut BTreeMap<String, Value>, from: &str, to: &str) {
    if let Some(schema) = definitions.remove(from) {
        definitions.insert(to.to_owned(), schema);
    }
    let (old, new) = (format!("#/definitions/{from}"), format!("#/definitions/{to}"));
    fn fix(v: &mut Value, old: &str, new: &str) {
        match v {
            Value::Object(map) => {
                if map.get("$ref").and_then(Value::as_str) == Some(old) {
                    map.insert("$ref".into(), Value::String(new.to_owned()));
                }
                map.values_mut().for_each(|c| fix(c, old, new));
            }
            Value::Array(items) => items.iter_mut().for_each(|c| fix(c, old, new)),
            _ => {}
        }
    }
    definitions.values_mut().for_each(|v| fix(v, &old, &new));
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

fn duplicate_item_names(file: &syn::File) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut dups = BTreeSet::new();
    for name in file.items.iter().filter_map(item_name) {
        if !seen.insert(name.clone()) {
            dups.insert(name);
        }
    }
    dups.into_iter().collect()
}

/// Drops typify's doc comments: they repeat the JSON schema, and the
/// generated code carries no prose.
fn strip_docs(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    struct Strip;
    impl VisitMut for Strip {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
            attrs.retain(|a| !a.path().is_ident("doc"));
        }
        fn visit_item_mut(&mut self, item: &mut syn::Item) {
            syn::visit_mut::visit_item_mut(self, item);
        }
        fn visit_field_mut(&mut self, field: &mut syn::Field) {
            field.attrs.retain(|a| !a.path().is_ident("doc"));
            syn::visit_mut::visit_field_mut(self, field);
        }
        fn visit_variant_mut(&mut self, v: &mut syn::Variant) {
            v.attrs.retain(|a| !a.path().is_ident("doc"));
            syn::visit_mut::visit_variant_mut(self, v);
        }
    }
    file.attrs.retain(|a| !a.path().is_ident("doc"));
    for item in &mut file.items {
        match item {
            syn::Item::Struct(s) => s.attrs.retain(|a| !a.path().is_ident("doc")),
            syn::Item::Enum(e) => e.attrs.retain(|a| !a.path().is_ident("doc")),
            syn::Item::Type(t) => t.attrs.retain(|a| !a.path().is_ident("doc")),
            syn::Item::Mod(m) => m.attrs.retain(|a| !a.path().is_ident("doc")),
            syn::Item::Impl(i) => i.attrs.retain(|a| !a.path().is_ident("doc")),
            syn::Item::Fn(f) => f.attrs.retain(|a| !a.path().is_ident("doc")),
            _ => {}
        }
        Strip.visit_item_mut(item);
    }
}

/// Properties such as `_nodes` and `nodes` both become the field `nodes`.
/// The one whose wire name starts with `_` is renamed `underscore_{name}`,
/// in the struct and wherever typify builds it field by field.
fn rename_clashing_fields(file: &mut syn::File, rewrites: &mut Vec<Rewrite>) {
    use syn::visit_mut::VisitMut;
    // struct name -> (field, occurrence index to rename)
    let mut renames: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for item in &mut file.items {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else { continue };
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for f in &fields.named {
            if let Some(id) = &f.ident {
                *count.entry(id.to_string()).or_default() += 1;
            }
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for f in fields.named.iter_mut() {
            let Some(id) = f.ident.clone() else { continue };
            let name = id.to_string();
            let nth = *seen.entry(name.clone()).and_modify(|n| *n += 1).or_insert(0);
            if count[&name] > 1 && wire_name(f).is_some_and(|w| w.starts_with('_')) {
                let new = format!("underscore_{name}");
                f.ident = Some(syn::Ident::new(&new, id.span()));
                renames.entry(s.ident.to_string()).or_default().push((name.clone(), nth));
                rewrites.push(Rewrite {
                    subject: format!("type {}", s.ident),
                    what: format!("fields `_{name}` and `{name}` clash in Rust: the first is `{new}`"),
                });
            }
        }
    }
    struct Fix<'a> {
        renames: &'a BTreeMap<String, Vec<(String, usize)>>,
        current: Option<String>,
    }
    impl VisitMut for Fix<'_> {
        fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
            let target = match &*i.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let previous = std::mem::replace(&mut self.current, target);
            syn::visit_mut::visit_item_impl_mut(self, i);
            self.current = previous;
        }
        fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
            let is_self = e.path.is_ident("Self")
                || self.current.as_deref().is_some_and(|c| e.path.segments.last().is_some_and(|s| s.ident == c));
            if let (true, Some(list)) = (is_self, self.current.as_ref().and_then(|c| self.renames.get(c))) {
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for field in e.fields.iter_mut() {
                    if let syn::Member::Named(id) = &field.member {
                        let name = id.to_string();
                        let nth = *seen.entry(name.clone()).and_modify(|n| *n += 1).or_insert(0);
                        if list.iter().any(|(n, k)| *n == name && *k == nth) {
                            field.member =
                                syn::Member::Named(syn::Ident::new(&format!("underscore_{name}"), id.span()));
                        }
                    }
                }
            }
            syn::visit_mut::visit_expr_struct_mut(self, e);
        }
    }
    let mut fix = Fix { renames: &renames, current: None };
    fix.visit_file_mut(file);
}

/// The `#[serde(rename = "...")]` of a field.
fn wire_name(field: &syn::Field) -> Option<String> {
    field.attrs.iter().filter(|a| a.path().is_ident("serde")).find_map(|a| {
        let mut found = None;
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        found
    })
}

fn first_operation(api: &ApiModel) -> Option<(&str, &str)> {
    api.paths.iter().find_map(|p| p.methods.first().map(|m| (p.template.as_str(), m.as_str())))
}

/// A JSON Pointer token for a path (`/` becomes `~1`).
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

fn resolve<'a>(openapi: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix('#').and_then(|p| openapi.pointer(p)).unwrap_or(value),
        None => value,
    }
}

fn json_schema(openapi: &Value, holder: &Value) -> Option<Value> {
    let holder = resolve(openapi, holder);
    let content = holder.get("content")?.as_object()?;
    let media = content.get("application/json").or_else(|| content.values().next())?;
    media.get("schema").cloned()
}

fn request_schema(openapi: &Value, op: &Value) -> Option<Value> {
    json_schema(openapi, op.get("requestBody")?)
}

fn response_schema(openapi: &Value, op: &Value) -> Option<Value> {
    json_schema(openapi, op.pointer("/responses/200")?)
}

/// Makes one schema fit typify, recording what changed.
fn normalize(name: &str, schema: &mut Value, rewrites: &mut Vec<Rewrite>) {
    walk_schema(name, "", schema, rewrites);
}

/// Walks a schema object: keywords are rewritten here, and the walk goes on
/// into sub-schemas only (a property called `description` stays).
fn walk_schema(name: &str, at: &str, v: &mut Value, rewrites: &mut Vec<Rewrite>) {
    let Value::Object(map) = v else { return };
    for key in DROPPED_KEYWORDS {
        map.remove(*key);
    }
    map.retain(|k, _| !k.starts_with("x-"));
    if let Some(Value::String(r)) = map.get_mut("$ref") {
        if let Some(target) = r.strip_prefix("#/components/schemas/") {
            *r = format!("#/definitions/{target}");
        }
    }
    clashing_enum(name, at, map, rewrites);
    untyped_default(name, at, map, rewrites);
    for (key, child) in map.iter_mut() {
        let here = format!("{at}/{key}");
        match key.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let Value::Object(named) = child {
                    for (prop, sub) in named.iter_mut() {
                        walk_schema(name, &format!("{here}/{prop}"), sub, rewrites);
                    }
                }
            }
            "items" | "additionalProperties" | "not" => walk_schema(name, &here, child, rewrites),
            "allOf" | "oneOf" | "anyOf" => {
                if let Value::Array(list) = child {
                    for (i, sub) in list.iter_mut().enumerate() {
                        walk_schema(name, &format!("{here}/{i}"), sub, rewrites);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Enum values that are the same once case and punctuation are dropped
/// (`and`/`AND`, `1m`/`1M`) cannot be distinct Rust variants: such an enum
/// becomes a plain string.
fn clashing_enum(name: &str, at: &str, map: &mut Map<String, Value>, rewrites: &mut Vec<Rewrite>) {
    let Some(Value::Array(values)) = map.get("enum") else { return };
    let mut seen = BTreeSet::new();
    let clash = values.iter().filter_map(Value::as_str).any(|v| {
        let key: String = v.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(char::to_lowercase).collect();
        !seen.insert(key)
    });
    if clash {
        map.remove("enum");
        map.insert("type".into(), Value::String("string".into()));
        rewrites.push(Rewrite {
            subject: format!("schema {name}{at}"),
            what: "enum values clash once case is dropped: typed as a string".into(),
        });
    }
}

/// A `default` on a schema with no type of its own (a `$ref` or a
/// combinator) often does not match the referenced type; typify would
/// reject it.
fn untyped_default(name: &str, at: &str, map: &mut Map<String, Value>, rewrites: &mut Vec<Rewrite>) {
    if map.contains_key("default") && !map.contains_key("type") {
        map.remove("default");
        rewrites.push(Rewrite {
            subject: format!("schema {name}{at}"),
            what: "default on a schema without its own type: removed".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn normalized(schema: Value) -> (Value, Vec<Rewrite>) {
        let mut schema = schema;
        let mut rewrites = Vec::new();
        normalize("T", &mut schema, &mut rewrites);
        (schema, rewrites)
    }

    #[test]
    fn prose_goes_but_properties_called_like_keywords_stay() {
        let (schema, _) = normalized(json!({
            "type": "object",
            "description": "prose",
            "x-state": "Added in 1.0.0",
            "properties": {
                "description": {"type": "string", "description": "more prose"},
                "child": {"$ref": "#/components/schemas/_types.Name"}
            }
        }));
        assert_eq!(
            schema,
            json!({"type": "object", "properties": {
                "description": {"type": "string"},
                "child": {"$ref": "#/definitions/_types.Name"}
            }})
        );
    }

    #[test]
    fn clashing_enums_become_strings() {
        let (schema, rewrites) = normalized(json!({"type": "string", "enum": ["and", "AND", "or"]}));
        assert_eq!(schema, json!({"type": "string"}));
        assert_eq!(rewrites.len(), 1);
        let (schema, rewrites) = normalized(json!({"type": "string", "enum": ["1m", "1h"]}));
        assert_eq!(schema["enum"], json!(["1m", "1h"]));
        assert!(rewrites.is_empty());
    }

    #[test]
    fn defaults_without_an_own_type_are_removed() {
        let (schema, rewrites) = normalized(json!({"properties": {
            "a": {"allOf": [{"$ref": "#/components/schemas/X"}], "default": "30s"},
            "b": {"type": "integer", "default": 3}
        }}));
        assert!(schema["properties"]["a"].get("default").is_none());
        assert_eq!(schema["properties"]["b"]["default"], 3);
        assert_eq!(rewrites.len(), 1);
    }

    #[test]
    fn clashing_fields_are_renamed_everywhere() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct S {
                #[serde(rename = "_nodes")]
                pub nodes: A,
                pub nodes: B,
            }
            impl Default for S {
                fn default() -> Self {
                    Self { nodes: Default::default(), nodes: Default::default() }
                }
            }
        };
        let mut rewrites = Vec::new();
        rename_clashing_fields(&mut file, &mut rewrites);
        let text = prettyplease::unparse(&file);
        assert!(text.contains("pub underscore_nodes: A"), "{text}");
        assert!(
            text.contains("underscore_nodes: Default::default(),\n            nodes: Default::default()"),
            "{text}"
        );
        assert_eq!(rewrites.len(), 1);
    }

    #[test]
    fn docs_are_stripped() {
        let mut file: syn::File = syn::parse_quote! {
            #[doc = "a schema"]
            pub struct S {
                #[doc = "a field"]
                pub a: u8,
            }
        };
        strip_docs(&mut file);
        assert!(!prettyplease::unparse(&file).contains("///"));
    }

    #[test]
    fn renaming_a_definition_follows_its_references() {
        let mut defs = BTreeMap::new();
        defs.insert("A".to_owned(), json!({"type": "string"}));
        defs.insert("B".to_owned(), json!({"properties": {"a": {"$ref": "#/definitions/A"}}}));
        rename_definition(&mut defs, "A", "ADef");
        assert!(defs.contains_key("ADef") && !defs.contains_key("A"));
        assert_eq!(defs["B"]["properties"]["a"]["$ref"], "#/definitions/ADef");
    }
}
