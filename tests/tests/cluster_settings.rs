//! Cluster settings over HTTP: persistent ones survive a hard restart,
//! transient ones do not; unknown settings and bad values are refused;
//! `null` and wildcards reset; and the settings Tensile acts on act
//! (`action.destructive_requires_name`, `action.auto_create_index`,
//! `search.max_keep_alive`, `search.allow_expensive_queries`).

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use tensile_tests::{server, Server};

async fn call(server: &Server, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    tensile_tests::call(&Client::new(), &server.url, method, path, body).await
}

async fn put(server: &Server, body: Value) -> (StatusCode, Value) {
    call(server, Method::PUT, "/_cluster/settings?flat_settings=true", Some(body)).await
}

#[tokio::test]
async fn persistent_settings_survive_a_restart_and_transient_ones_do_not() {
    let server = server!();
    let (status, ack) = put(
        &server,
        json!({"persistent": {"indices.recovery.max_bytes_per_sec": "20mb", "search": {"max_buckets": 100}},
               "transient": {"logger.org.apache": "debug"}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        ack,
        json!({"acknowledged": true,
               "persistent": {"indices.recovery.max_bytes_per_sec": "20mb", "search.max_buckets": "100"},
               "transient": {"logger.org.apache": "debug"}})
    );
    // Transient settings are deprecated, and Elasticsearch says so each time.
    let resp = Client::new()
        .put(format!("{}/_cluster/settings", server.url))
        .json(&json!({"transient": {"logger.org.apache": "debug"}, "ignored": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let warning = resp.headers()["warning"].to_str().unwrap();
    assert!(
        warning.contains(
            "[transient settings removal] Updating cluster settings through transient settings is deprecated."
        ),
        "{warning}"
    );
    let resp = Client::new()
        .put(format!("{}/_cluster/settings", server.url))
        .json(&json!({"persistent": {"search.max_buckets": 100}, "transient": {}}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("warning").is_none());
    let (_, nested) = call(&server, Method::GET, "/_cluster/settings", None).await;
    assert_eq!(nested["persistent"]["indices"]["recovery"]["max_bytes_per_sec"], "20mb");
    assert_eq!(nested["transient"]["logger"]["org"]["apache"], "debug");

    let data = server.kill_hard();
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (status, got) = call(&server, Method::GET, "/_cluster/settings?flat_settings=true", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        got,
        json!({"persistent": {"indices.recovery.max_bytes_per_sec": "20mb", "search.max_buckets": "100"},
               "transient": {}})
    );

    // `null` resets one setting, a wildcard every setting it matches.
    let (status, ack) = put(&server, json!({"persistent": {"indices.recovery.*": null}})).await;
    assert_eq!((status, &ack["persistent"]), (StatusCode::OK, &json!({})));
    put(&server, json!({"persistent": {"search.max_buckets": null}})).await;
    let (_, got) = call(&server, Method::GET, "/_cluster/settings", None).await;
    assert_eq!(got, json!({"persistent": {}, "transient": {}}));
}

#[tokio::test]
async fn unknown_settings_and_bad_values_are_refused() {
    let server = server!();
    let (status, err) = put(&server, json!({"persistent": {"no.such.setting": 1}})).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["type"], "illegal_argument_exception");
    assert_eq!(err["error"]["reason"], "persistent setting [no.such.setting], not recognized");
    let (_, err) = put(&server, json!({"transient": {"no.such.setting": null}})).await;
    assert_eq!(err["error"]["reason"], "transient setting [no.such.setting], not recognized");
    let (status, err) = put(&server, json!({"persistent": {"search.max_keep_alive": "soon"}})).await;
    assert_eq!(status, 400);
    assert_eq!(
        err["error"]["reason"],
        "failed to parse setting [search.max_keep_alive] with value [soon] as a time value: unit is missing or unrecognized"
    );
    let (_, err) = put(&server, json!({"persistent": {"search.default_keep_alive": "2d"}})).await;
    assert_eq!(err["error"]["reason"], "Default keep alive setting for request [search.default_keep_alive] should be smaller than max keep alive [search.max_keep_alive], was (2d > 1d)");
    let (status, err) = put(&server, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["type"], "action_request_validation_exception");
    // A refused change changes nothing, not even its valid parts.
    let (_, err) = put(
        &server,
        json!({"persistent": {"search.max_buckets": 5, "cluster.routing.allocation.enable": "sometimes"}}),
    )
    .await;
    assert_eq!(err["error"]["reason"], "Illegal allocation.enable value [SOMETIMES]");
    let (_, got) = call(&server, Method::GET, "/_cluster/settings", None).await;
    assert_eq!(got, json!({"persistent": {}, "transient": {}}));
}

#[tokio::test]
async fn defaults_are_listed_on_request() {
    let server = server!();
    put(&server, json!({"persistent": {"search.max_buckets": "10"}})).await;
    let (status, got) =
        call(&server, Method::GET, "/_cluster/settings?include_defaults=true&flat_settings=true", None).await;
    assert_eq!(status, 200);
    assert!(got["defaults"].get("search.max_buckets").is_none(), "a setting set is not a default");
    insta::assert_json_snapshot!("cluster_settings_defaults", got);
}

#[tokio::test]
async fn destructive_operations_require_names_when_asked() {
    let server = server!();
    for index in ["a", "b"] {
        call(&server, Method::PUT, &format!("/{index}"), None).await;
    }
    put(&server, json!({"persistent": {"action.destructive_requires_name": true}})).await;
    for path in ["/*", "/_all", "/a,b*", "/*/_block/write"] {
        let method = if path.contains("_block") { Method::PUT } else { Method::DELETE };
        let (status, err) = call(&server, method, path, None).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(err["error"]["reason"], "Wildcard expressions or all indices are not allowed", "{path}");
    }
    let (status, _) = call(&server, Method::POST, "/_all/_close", None).await;
    assert_eq!(status, 400);
    let (status, _) = call(&server, Method::DELETE, "/a", None).await;
    assert_eq!(status, 200);
    put(&server, json!({"persistent": {"action.destructive_requires_name": null}})).await;
    let (status, _) = call(&server, Method::DELETE, "/*", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn auto_create_index_is_a_cluster_setting_too() {
    let server = server!();
    put(&server, json!({"transient": {"action.auto_create_index": "+logs-*,-*"}})).await;
    let (status, err) = call(&server, Method::PUT, "/metrics/_doc/1", Some(json!({}))).await;
    assert_eq!(status, 404);
    assert_eq!(
        err["error"]["reason"],
        "no such index [metrics] and [action.auto_create_index] contains [-*] which forbids automatic creation of the index"
    );
    let (status, _) = call(&server, Method::PUT, "/logs-1/_doc/1", Some(json!({}))).await;
    assert_eq!(status, 201);
    let (status, err) = put(&server, json!({"transient": {"action.auto_create_index": "+"}})).await;
    assert_eq!(status, 400, "{err}");
    put(&server, json!({"transient": {"action.auto_create_index": null}})).await;
    let (status, _) = call(&server, Method::PUT, "/metrics/_doc/1", Some(json!({}))).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn keep_alives_are_bounded_by_search_max_keep_alive() {
    let server = server!();
    call(&server, Method::PUT, "/i/_doc/1?refresh=true", Some(json!({"f": 1}))).await;
    put(&server, json!({"transient": {"search.default_keep_alive": "1m", "search.max_keep_alive": "1m"}})).await;
    let (status, err) = call(&server, Method::POST, "/i/_search?scroll=2m", Some(json!({"size": 1}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["type"], "search_phase_execution_exception");
    assert_eq!(err["error"]["root_cause"][0]["type"], "illegal_argument_exception");
    assert_eq!(
        err["error"]["caused_by"]["reason"],
        "Keep alive for request (2m) is too large. It must be less than (1m). This limit can be set by changing the [search.max_keep_alive] cluster level setting."
    );
    let (status, ok) = call(&server, Method::POST, "/i/_search?scroll=1m", Some(json!({"size": 1}))).await;
    assert_eq!(status, 200);
    let id = ok["_scroll_id"].as_str().unwrap().to_owned();
    let (status, _) =
        call(&server, Method::POST, "/_search/scroll", Some(json!({"scroll_id": id, "scroll": "90s"}))).await;
    assert_eq!(status, 400);
    let (status, _) = call(&server, Method::POST, "/i/_pit?keep_alive=5m", None).await;
    assert_eq!(status, 400);
    let (status, _) = call(&server, Method::POST, "/i/_pit?keep_alive=30s", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn expensive_queries_are_refused_when_disallowed() {
    let server = server!();
    let mappings =
        json!({"mappings": {"properties": {"t": {"type": "text"}, "k": {"type": "keyword"}, "n": {"type": "nested"}}}});
    call(&server, Method::PUT, "/e", Some(mappings)).await;
    call(&server, Method::PUT, "/e/_doc/1?refresh=true", Some(json!({"t": "hello", "k": "abc", "n": {"x": 1}}))).await;
    let queries = [
        json!({"prefix": {"k": "a"}}),
        json!({"wildcard": {"t": "h*"}}),
        json!({"regexp": {"k": "a.*"}}),
        json!({"fuzzy": {"t": "helo"}}),
        json!({"range": {"k": {"gte": "a"}}}),
        json!({"nested": {"path": "n", "query": {"match_all": {}}}}),
    ];
    for q in &queries {
        let (status, _) = call(&server, Method::POST, "/e/_search", Some(json!({"query": q}))).await;
        assert_eq!(status, 200, "{q}");
    }
    put(&server, json!({"persistent": {"search.allow_expensive_queries": false}})).await;
    for q in &queries {
        let (status, err) = call(&server, Method::POST, "/e/_search", Some(json!({"query": q}))).await;
        assert_eq!(status, 400, "{q}");
        let reason = err["error"]["root_cause"][0]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("cannot be executed when 'search.allow_expensive_queries' is set to false."),
            "{reason}"
        );
    }
    // Cheap queries still run.
    let (status, _) = call(&server, Method::POST, "/e/_search", Some(json!({"query": {"term": {"k": "abc"}}}))).await;
    assert_eq!(status, 200);
}
