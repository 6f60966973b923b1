//! The generated route table: a snapshot of its shape, and the guarantee
//! that every (method, path) of the spec reaches its own operation.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;
use tensile_generated::{Api, APIS};
use tensile_rest::spec::{ParamKind, PathSpec};
use tensile_server::router::{pick_by_body, Routed, Router};

#[test]
fn route_table_summary() {
    let mut per_namespace: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for spec in APIS.iter() {
        let entry = per_namespace.entry(spec.namespace()).or_default();
        entry.0 += 1;
        entry.1 += spec.paths.iter().map(|p| p.methods.len()).sum::<usize>();
    }
    let routes: usize = per_namespace.values().map(|(_, r)| r).sum();
    let mut out = format!(
        "spec version {}\n{} APIs, {} routes (method, path), {} OpenAPI operations\n\nnamespace: APIs routes\n",
        tensile_generated::SPEC_VERSION,
        APIS.len(),
        routes,
        tensile_generated::OPENAPI_OPERATIONS
    );
    for (ns, (apis, routes)) in &per_namespace {
        let _ = writeln!(out, "{ns}: {apis} {routes}");
    }
    out.push_str("\nsample:\n");
    for spec in APIS.iter().step_by(40) {
        for path in spec.paths {
            let methods: Vec<&str> = path.methods.iter().map(|m| m.as_str()).collect();
            let _ = writeln!(out, "{} {} -> {}", methods.join("|"), path.template, spec.name);
        }
    }
    insta::assert_snapshot!(out);
}

/// A value for a path part: one of the enum's values, or a name no
/// literal segment of the spec uses (spec literals hold no digits).
fn part_value(kind: ParamKind, seed: &str, pick: usize) -> String {
    match kind {
        ParamKind::Enum(values) | ParamKind::EnumList(values) => values[pick % values.len()].to_owned(),
        _ => seed.to_owned(),
    }
}

fn fill(path: &PathSpec, seed: &str, pick: usize) -> String {
    let mut out = path.template.to_owned();
    for part in path.parts {
        out = out.replace(&format!("{{{}}}", part.name), &part_value(part.kind, seed, pick));
    }
    out
}

fn routes_to_itself(router: &Router, api: Api, path: &PathSpec, seed: &str, pick: usize) -> Result<(), String> {
    let concrete = fill(path, seed, pick);
    for &method in path.methods {
        let chosen = match router.route(method, &concrete) {
            Routed::Api(m) => m,
            Routed::ByBody(list) => {
                let body = api.spec().body.discriminator.map(|(field, value)| serde_json::json!({ field: value }));
                pick_by_body(&list, body.as_ref()).ok_or("no API picked by body")?
            }
            other => return Err(format!("{method} {concrete} ({}): {other:?}", api.name())),
        };
        if chosen.api != api {
            // Elasticsearch's precedence: a route with a literal segment where
            // this one has a part wins when the part's value is that literal
            // (`POST /_inference/sparse_embedding/{id}` over
            // `POST /_inference/{task_type}/{id}`). Anything else is a bug.
            if more_specific(chosen.template, path.template) {
                continue;
            }
            return Err(format!("{method} {concrete} reached {} instead of {}", chosen.api.name(), api.name()));
        }
        for part in path.parts {
            let bound = chosen.parts.iter().find(|(n, _)| *n == part.name).map(|(_, v)| v.clone());
            if bound != Some(part_value(part.kind, seed, pick)) {
                return Err(format!("{method} {concrete}: part {} bound as {bound:?}", part.name));
            }
        }
    }
    Ok(())
}

/// Whether `a` has a literal at the first position where the two differ
/// in kind, `b` a part.
fn more_specific(a: &str, b: &str) -> bool {
    let kinds = |t: &str| t.split('/').map(|s| s.starts_with('{')).collect::<Vec<_>>();
    kinds(a) < kinds(b)
}

#[test]
fn every_spec_route_reaches_its_own_operation() {
    let router = Router::new();
    let mut failures = Vec::new();
    for api in Api::ALL {
        for path in api.spec().paths {
            if let Err(e) = routes_to_itself(&router, api, path, "v1", 0) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{} routes go astray:\n{}", failures.len(), failures.join("\n"));
}

proptest! {
    #[test]
    fn routes_hold_for_any_part_values(
        api_index in 0..APIS.len(),
        path_index in 0usize..8,
        seed in "[a-z]{1,6}[0-9]{1,3}[a-z-]{0,4}",
        pick in 0usize..64,
    ) {
        let router = Router::new();
        let api = Api::ALL[api_index];
        let paths = api.spec().paths;
        let path = &paths[path_index % paths.len()];
        prop_assert_eq!(routes_to_itself(&router, api, path, &seed, pick), Ok(()));
    }
}
