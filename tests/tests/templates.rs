//! Templates over HTTP: composable index templates with their component
//! templates, and legacy templates, stored across restarts, checked as
//! Elasticsearch checks them, and applied to indices created explicitly or
//! by a write; and the simulate APIs.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use tensile_tests::{server, Server};

async fn call(server: &Server, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    tensile_tests::call(&Client::new(), &server.url, method, path, body).await
}

async fn ok(server: &Server, method: Method, path: &str, body: Value) -> Value {
    let body = if body.is_null() { None } else { Some(body) };
    let (status, answer) = call(server, method, path, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

#[tokio::test]
async fn composed_templates_shape_new_indices_and_survive_a_restart() {
    let server = server!();
    ok(
        &server,
        Method::PUT,
        "/_component_template/base",
        json!({"template": {"settings": {"number_of_replicas": 0, "index.priority": 3},
                            "mappings": {"properties": {"host.name": {"type": "keyword"}, "msg": {"type": "keyword"}}},
                            "aliases": {"all-logs": {"is_write_index": false}}}, "version": 2}),
    )
    .await;
    ok(
        &server,
        Method::PUT,
        "/_index_template/logs",
        json!({"index_patterns": ["logs-*"], "composed_of": ["base"], "priority": 10,
               "template": {"settings": {"number_of_shards": 2}, "mappings": {"properties": {"msg": {"type": "text"}}},
                            "aliases": {"{index}-alias": {}}}}),
    )
    .await;

    let data = server.kill_hard();
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (_, mut got) = call(&server, Method::GET, "/_index_template/logs?human=true", None).await;
    // Tracked through the restart: stored once, the same dates on both.
    let template = &mut got["index_templates"][0]["index_template"];
    let created = template["created_date_millis"].as_u64().expect("a creation date");
    assert_eq!(template["modified_date_millis"].as_u64(), Some(created));
    assert!(template["created_date"].as_str().is_some_and(|d| d.ends_with('Z')));
    for field in ["created_date", "created_date_millis", "modified_date", "modified_date_millis"] {
        template[field] = json!("<tracked>");
    }
    insta::assert_json_snapshot!("index_template_get", got);
    let (_, got) = call(&server, Method::GET, "/_component_template/base?flat_settings=true", None).await;
    assert_eq!(got["component_templates"][0]["component_template"]["template"]["settings"]["index.priority"], "3");

    // Explicitly: the request's body wins over the templates.
    ok(&server, Method::PUT, "/logs-1", json!({"settings": {"index.priority": 7}})).await;
    let (_, index) = call(&server, Method::GET, "/logs-1", None).await;
    let index = &index["logs-1"];
    assert_eq!(index["settings"]["index"]["number_of_shards"], "2");
    assert_eq!(index["settings"]["index"]["number_of_replicas"], "0");
    assert_eq!(index["settings"]["index"]["priority"], "7");
    assert_eq!(index["mappings"]["properties"]["msg"], json!({"type": "text"}));
    assert_eq!(index["mappings"]["properties"]["host"]["properties"]["name"], json!({"type": "keyword"}));
    assert_eq!(index["aliases"], json!({"all-logs": {"is_write_index": false}, "logs-1-alias": {}}));
    // By a write.
    let (status, _) = call(&server, Method::PUT, "/logs-2/_doc/1", Some(json!({"msg": "hello"}))).await;
    assert_eq!(status, 201);
    let (_, settings) = call(&server, Method::GET, "/logs-2/_settings?flat_settings=true", None).await;
    assert_eq!(settings["logs-2"]["settings"]["index.number_of_shards"], "2");
    // An index no template matches gets none.
    ok(&server, Method::PUT, "/other", json!({})).await;
    let (_, settings) = call(&server, Method::GET, "/other/_settings?flat_settings=true", None).await;
    assert_eq!(settings["other"]["settings"]["index.number_of_shards"], "1");
}

#[tokio::test]
async fn templates_are_checked_as_elasticsearch_checks_them() {
    let server = server!();
    ok(&server, Method::PUT, "/_index_template/a", json!({"index_patterns": ["te*"], "priority": 1})).await;
    let (status, err) = call(
        &server,
        Method::PUT,
        "/_index_template/b",
        Some(json!({"index_patterns": ["test-*", "x"], "priority": 1})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "index template [b] has index patterns [test-*, x] matching patterns from existing templates [a] with patterns (a => [te*]) that have the same priority [1], multiple index templates may not match during index creation, please use a different priority");
    let (status, err) =
        call(&server, Method::PUT, "/_index_template/a?create=true", Some(json!({"index_patterns": ["q"]}))).await;
    assert_eq!(
        (status, err["error"]["reason"].clone()),
        (StatusCode::BAD_REQUEST, json!("index template [a] already exists"))
    );
    let (status, err) = call(
        &server,
        Method::PUT,
        "/_index_template/c",
        Some(json!({"index_patterns": ["c"], "composed_of": ["nope"]})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["type"], "invalid_index_template_exception");
    assert_eq!(
        err["error"]["reason"],
        "index_template [c] invalid, cause [index template [c] specifies component templates [nope] that do not exist]"
    );
    let body = json!({"index_patterns": ["c"], "composed_of": ["nope", "gone"], "ignore_missing_component_templates": ["gone"]});
    let (_, err) = call(&server, Method::PUT, "/_index_template/c", Some(body)).await;
    assert_eq!(err["error"]["reason"], "index_template [c] invalid, cause [index template [c] specifies a missing component templates [nope] that does not exist and is not part of 'ignore_missing_component_templates']");
    let (status, err) = call(&server, Method::PUT, "/_index_template/c", Some(json!({"template": {}}))).await;
    assert_eq!(
        (status, err["error"]["type"].clone()),
        (StatusCode::BAD_REQUEST, json!("action_request_validation_exception"))
    );
    let (status, err) = call(
        &server,
        Method::PUT,
        "/_index_template/c",
        Some(json!({"index_patterns": ["c"], "template": {"settings": {"index.nope": 1}}})),
    )
    .await;
    assert_eq!(status, 400, "{err}");

    ok(&server, Method::PUT, "/_component_template/ct", json!({"template": {}})).await;
    ok(&server, Method::PUT, "/_component_template/hide", json!({"template": {"settings": {"index.hidden": true}}}))
        .await;
    let body = json!({"index_patterns": ["*"], "composed_of": ["hide"], "priority": 50});
    let (status, err) = call(&server, Method::PUT, "/_index_template/g", Some(body)).await;
    assert_eq!(status, 400);
    assert_eq!(
        err["error"]["reason"],
        "index_template [g] invalid, cause [global composable templates may not specify the setting index.hidden]"
    );
    ok(&server, Method::PUT, "/_index_template/c", json!({"index_patterns": ["c"], "composed_of": ["ct"]})).await;
    let (status, err) = call(&server, Method::DELETE, "/_component_template/ct", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        err["error"]["reason"],
        "component templates [ct] cannot be removed as they are still in use by index templates [c]"
    );

    let (status, err) = call(&server, Method::GET, "/_index_template/zzz", None).await;
    assert_eq!((status, err["error"]["type"].clone()), (StatusCode::NOT_FOUND, json!("resource_not_found_exception")));
    let (status, got) = call(&server, Method::GET, "/_index_template/zz*", None).await;
    assert_eq!((status, got), (StatusCode::OK, json!({"index_templates": []})));
    let (status, err) = call(&server, Method::DELETE, "/_index_template/zzz", None).await;
    assert_eq!(
        (status, err["error"]["reason"].clone()),
        (StatusCode::NOT_FOUND, json!("index_template [zzz] missing"))
    );
    let (status, err) = call(&server, Method::DELETE, "/_index_template/zz*", None).await;
    assert_eq!(
        (status, err["error"]["reason"].clone()),
        (StatusCode::NOT_FOUND, json!("index_template [zz*] missing"))
    );
    let (status, err) = call(&server, Method::DELETE, "/_component_template/hide,zzz", None).await;
    assert_eq!((status, err["error"]["type"].clone()), (StatusCode::NOT_FOUND, json!("resource_not_found_exception")));
    assert_eq!(err["error"]["reason"], "zzz");
    let (status, _) = call(&server, Method::HEAD, "/_index_template/c", None).await;
    assert_eq!(status, 200);
    ok(&server, Method::DELETE, "/_index_template/a,c", json!(null)).await;
    let (status, _) = call(&server, Method::HEAD, "/_index_template/c", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn legacy_templates_apply_in_order_unless_a_composable_one_matches() {
    let server = server!();
    ok(
        &server,
        Method::PUT,
        "/_template/high?order=2",
        json!({"index_patterns": "x*", "settings": {"number_of_shards": 3}}),
    )
    .await;
    ok(&server, Method::PUT, "/_template/low", json!({"index_patterns": ["x*", "y*"], "order": 1, "settings": {"number_of_shards": 2, "number_of_replicas": 0}, "mappings": {"properties": {"f": {"type": "keyword"}}}})).await;
    let (_, got) = call(&server, Method::GET, "/_template/low?flat_settings=true", None).await;
    assert_eq!(
        got,
        json!({"low": {"order": 1, "index_patterns": ["x*", "y*"], "settings": {"index.number_of_replicas": "0", "index.number_of_shards": "2"},
                       "mappings": {"properties": {"f": {"type": "keyword"}}}, "aliases": {}}})
    );
    // The legacy API is deprecated, and says so even when it refuses a template.
    for body in [json!({"index_patterns": ["z*"]}), json!({})] {
        let resp = Client::new().put(format!("{}/_template/z", server.url)).json(&body).send().await.unwrap();
        let warning = resp.headers()["warning"].to_str().unwrap().to_owned();
        assert!(
            warning.ends_with("\"Legacy index templates are deprecated in favor of composable templates.\""),
            "{warning}"
        );
    }
    ok(&server, Method::PUT, "/x1", json!({})).await;
    let (_, s) = call(&server, Method::GET, "/x1/_settings?flat_settings=true", None).await;
    assert_eq!(s["x1"]["settings"]["index.number_of_shards"], "3");
    assert_eq!(s["x1"]["settings"]["index.number_of_replicas"], "0");

    // A composable template takes precedence, and says so.
    let resp = Client::new()
        .put(format!("{}/_index_template/y", server.url))
        .json(&json!({"index_patterns": ["y*"]}))
        .send()
        .await
        .unwrap();
    let warning = resp.headers()["warning"].to_str().unwrap().to_owned();
    assert!(warning.contains("index template [y] has index patterns [y*] matching patterns from existing older templates [low] with patterns (low => [x*, y*]); this template [y] will take precedence during new index creation"), "{warning}");
    ok(&server, Method::PUT, "/y1", json!({})).await;
    let (_, s) = call(&server, Method::GET, "/y1/_settings?flat_settings=true", None).await;
    assert_eq!(s["y1"]["settings"]["index.number_of_shards"], "1");

    // A new legacy template may not overlap a composable one.
    let (status, err) = call(&server, Method::PUT, "/_template/late", Some(json!({"index_patterns": ["y1*"]}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "legacy template [late] has index patterns [y1*] matching patterns from existing composable templates [y] with patterns (y => [y*]), use composable templates (/_index_template) instead");
    let (status, err) =
        call(&server, Method::PUT, "/_template/high?create=true", Some(json!({"index_patterns": ["x*"]}))).await;
    assert_eq!(
        (status, err["error"]["reason"].clone()),
        (StatusCode::BAD_REQUEST, json!("index_template [high] already exists"))
    );
    let (status, got) = call(&server, Method::GET, "/_template/nope*", None).await;
    assert_eq!((status, got), (StatusCode::NOT_FOUND, json!({})));
    let (status, _) = call(&server, Method::HEAD, "/_template/high", None).await;
    assert_eq!(status, 200);
    let (status, err) = call(&server, Method::DELETE, "/_template/nope", None).await;
    assert_eq!(
        (status, err["error"]["type"].clone()),
        (StatusCode::NOT_FOUND, json!("index_template_missing_exception"))
    );
}

#[tokio::test]
async fn simulations_show_what_templates_compose_to() {
    let server = server!();
    ok(
        &server,
        Method::PUT,
        "/_component_template/ct",
        json!({"template": {"mappings": {"properties": {"a": {"type": "long"}}}}}),
    )
    .await;
    ok(&server, Method::PUT, "/_index_template/t", json!({"index_patterns": ["sim*"], "priority": 5, "composed_of": ["ct"], "template": {"settings": {"number_of_shards": 2}}})).await;
    ok(&server, Method::PUT, "/_index_template/u", json!({"index_patterns": ["si*"], "priority": 1})).await;
    let index = ok(&server, Method::POST, "/_index_template/_simulate_index/sim-1", json!(null)).await;
    let template = ok(
        &server,
        Method::POST,
        "/_index_template/_simulate",
        json!({"index_patterns": ["s*"], "priority": 9, "composed_of": ["ct"], "template": {"aliases": {"al": {}}}}),
    )
    .await;
    insta::assert_json_snapshot!("simulate", json!({"index": index, "template": template}));
    let none = ok(&server, Method::POST, "/_index_template/_simulate_index/other", json!(null)).await;
    assert_eq!(none, json!({}));
}

#[tokio::test]
async fn data_stream_templates_are_kept_but_data_streams_not_made() {
    let server = server!();
    ok(&server, Method::PUT, "/_index_template/ds", json!({"index_patterns": ["ds-*"], "data_stream": {}})).await;
    let (status, err) = call(&server, Method::PUT, "/ds-1", None).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "cannot create index with name [ds-1], because it matches with template [ds] that creates data streams only, use create data stream api instead");
    let (status, err) = call(&server, Method::POST, "/ds-1/_doc", Some(json!({"a": 1}))).await;
    assert_eq!(status, 501, "{err}");
    assert!(err["error"]["reason"].as_str().unwrap().contains("[indices.create_data_stream]"), "{err}");
}

#[tokio::test]
async fn a_template_allow_auto_create_overrides_the_setting() {
    let server = server!("action.auto_create_index=false");
    ok(&server, Method::PUT, "/_index_template/yes", json!({"index_patterns": ["yes-*"], "allow_auto_create": true}))
        .await;
    ok(&server, Method::PUT, "/_index_template/no", json!({"index_patterns": ["no-*"], "allow_auto_create": false}))
        .await;
    let (status, _) = call(&server, Method::POST, "/yes-1/_doc", Some(json!({}))).await;
    assert_eq!(status, 201);
    put_setting(&server, json!({"action.auto_create_index": true})).await;
    let (status, err) = call(&server, Method::POST, "/no-1/_doc", Some(json!({}))).await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["reason"], "no such index [composable template [no-*] forbids index auto creation]");
}

async fn put_setting(server: &Server, persistent: Value) {
    ok(server, Method::PUT, "/_cluster/settings", json!({ "persistent": persistent })).await;
}
