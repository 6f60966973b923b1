//! Indices made from other indices over HTTP: clone, shrink and split
//! carry every document over; rollover moves an alias to a new index; and
//! the shard APIs (`_resolve`, `_recovery`, `_shard_stores`) describe them.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tensile_tests::{server, Server};

async fn call(server: &Server, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    tensile_tests::call(&Client::new(), &server.url, method, path, body).await
}

/// A two-shard index of six documents, one with routing and one with an
/// external version.
async fn source(server: &Server) {
    let settings = json!({"settings": {"number_of_shards": 2, "number_of_replicas": 0, "number_of_routing_shards": 4}});
    call(server, Method::PUT, "/src", Some(settings)).await;
    for id in 1..=4 {
        call(server, Method::PUT, &format!("/src/_doc/{id}"), Some(json!({"n": id}))).await;
    }
    call(server, Method::PUT, "/src/_doc/5?routing=r", Some(json!({"n": 5}))).await;
    call(server, Method::PUT, "/src/_doc/6?version=7&version_type=external", Some(json!({"n": 6}))).await;
}

async fn count(server: &Server, index: &str) -> u64 {
    call(server, Method::POST, &format!("/{index}/_refresh"), None).await;
    let (_, found) = call(server, Method::GET, &format!("/{index}/_count"), None).await;
    found["count"].as_u64().unwrap()
}

#[tokio::test]
async fn clone_shrink_and_split_carry_every_document() {
    let server = server!();
    source(&server).await;

    // Only a source that takes no writes can be resized.
    let (status, refused) = call(&server, Method::POST, "/src/_clone/copy", None).await;
    assert_eq!(status, 500);
    assert_eq!(refused["error"]["type"], "illegal_state_exception");
    call(&server, Method::PUT, "/src/_settings", Some(json!({"index.blocks.write": true}))).await;

    let (status, bad) =
        call(&server, Method::POST, "/src/_clone/copy", Some(json!({"settings": {"index.number_of_shards": 3}}))).await;
    assert_eq!((status, bad["error"]["type"].as_str()), (StatusCode::BAD_REQUEST, Some("illegal_argument_exception")));
    let (status, bad) = call(&server, Method::POST, "/src/_split/more", Some(json!({"settings": {}}))).await;
    assert_eq!((status, bad["error"]["type"].as_str()), (StatusCode::BAD_REQUEST, Some("illegal_argument_exception")));

    let (status, cloned) =
        call(&server, Method::POST, "/src/_clone/copy", Some(json!({"aliases": {"copies": {}}}))).await;
    assert_eq!(status, 200);
    assert_eq!(cloned, json!({"acknowledged": true, "shards_acknowledged": true, "index": "copy"}));
    let (_, one) = call(&server, Method::GET, "/copies/_doc/5?routing=r", None).await;
    assert_eq!(one["_source"], json!({"n": 5}));
    let (_, versioned) = call(&server, Method::GET, "/copy/_doc/6", None).await;
    assert_eq!(versioned["_version"], 7);
    // The target keeps the source's write block, and names its source.
    let (_, settings) = call(&server, Method::GET, "/copy/_settings?flat_settings=true", None).await;
    assert_eq!(settings["copy"]["settings"]["index.blocks.write"], "true");
    assert_eq!(settings["copy"]["settings"]["index.resize.source.name"], "src");
    assert_eq!(settings["copy"]["settings"]["index.number_of_shards"], "2");

    let (status, _) = call(&server, Method::POST, "/src/_shrink/small", Some(json!({}))).await;
    assert_eq!(status, 200);
    let (status, _) =
        call(&server, Method::POST, "/src/_split/big", Some(json!({"settings": {"index.number_of_shards": 4}}))).await;
    assert_eq!(status, 200);
    for index in ["copy", "small", "big"] {
        assert_eq!(count(&server, index).await, 6, "{index}");
    }
    let (_, settings) = call(&server, Method::GET, "/small,big/_settings?flat_settings=true", None).await;
    assert_eq!(settings["small"]["settings"]["index.number_of_shards"], "1");
    assert_eq!(settings["big"]["settings"]["index.number_of_shards"], "4");
    // Each document is where the target's routing looks for it.
    for id in 1..=4 {
        let (status, _) = call(&server, Method::GET, &format!("/big/_doc/{id}"), None).await;
        assert_eq!(status, 200, "{id}");
    }

    let (status, taken) = call(&server, Method::POST, "/src/_clone/copy", None).await;
    assert_eq!(
        (status, taken["error"]["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("resource_already_exists_exception"))
    );
}

#[tokio::test]
async fn rollover_moves_the_alias_when_its_conditions_are_met() {
    let server = server!();
    call(&server, Method::PUT, "/logs-1", Some(json!({"aliases": {"logs": {}}}))).await;
    call(&server, Method::PUT, "/logs/_doc/1?refresh=true", Some(json!({"m": 1}))).await;

    let (status, waiting) =
        call(&server, Method::POST, "/logs/_rollover", Some(json!({"conditions": {"max_docs": 2}}))).await;
    assert_eq!(status, 200);
    assert_eq!(waiting["rolled_over"], false);
    assert_eq!(waiting["conditions"], json!({"[max_docs: 2]": false}));
    let (status, min_only) =
        call(&server, Method::POST, "/logs/_rollover", Some(json!({"conditions": {"min_docs": 1}}))).await;
    assert_eq!(
        (status, min_only["error"]["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("action_request_validation_exception"))
    );
    let (_, dry) = call(&server, Method::POST, "/logs/_rollover?dry_run=true", None).await;
    assert_eq!((dry["dry_run"].as_bool(), dry["rolled_over"].as_bool()), (Some(true), Some(false)));
    assert_eq!(dry["new_index"], "logs-000002");

    let (_, done) = call(&server, Method::POST, "/logs/_rollover", Some(json!({"conditions": {"max_docs": 1}}))).await;
    assert_eq!(done["old_index"], "logs-1");
    assert_eq!(done["new_index"], "logs-000002");
    assert_eq!(done["rolled_over"], true);
    call(&server, Method::PUT, "/logs/_doc/2?refresh=true", Some(json!({"m": 2}))).await;
    let (_, aliases) = call(&server, Method::GET, "/_alias/logs", None).await;
    assert_eq!(aliases, json!({"logs-000002": {"aliases": {"logs": {}}}}));

    // An alias that marks its write index keeps every index; only the mark moves.
    call(&server, Method::PUT, "/app-000001", Some(json!({"aliases": {"app": {"is_write_index": true}}}))).await;
    let (_, named) = call(&server, Method::POST, "/app/_rollover/app-next", None).await;
    assert_eq!(named["new_index"], "app-next");
    let (_, aliases) = call(&server, Method::GET, "/_alias/app", None).await;
    assert_eq!(aliases["app-000001"]["aliases"]["app"]["is_write_index"], false);
    assert_eq!(aliases["app-next"]["aliases"]["app"]["is_write_index"], true);

    let (status, concrete) = call(&server, Method::POST, "/logs-1/_rollover", None).await;
    assert_eq!(
        (status, concrete["error"]["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("illegal_argument_exception"))
    );
}

#[tokio::test]
async fn resolve_recovery_and_shard_stores_describe_indices() {
    let server = server!();
    call(&server, Method::PUT, "/alpha", Some(json!({"aliases": {"b-alias": {}, "a-alias": {}}}))).await;
    let settings = json!({"settings": {"number_of_replicas": 0, "number_of_shards": 2}});
    call(&server, Method::PUT, "/beta", Some(settings)).await;
    call(&server, Method::POST, "/beta/_close", None).await;

    let (_, resolved) = call(&server, Method::GET, "/_resolve/index/*?expand_wildcards=all", None).await;
    insta::assert_json_snapshot!("resolve_index", resolved);
    let (_, open_only) = call(&server, Method::GET, "/_resolve/index/*-alias,beta", None).await;
    assert_eq!(open_only["aliases"].as_array().unwrap().len(), 2);
    assert_eq!(open_only["indices"][0]["attributes"], json!(["closed"]));
    let (status, _) = call(&server, Method::GET, "/_resolve/index/nothing", None).await;
    assert_eq!(status, 404);
    let (_, cluster) = call(&server, Method::GET, "/_resolve/cluster/alp*", None).await;
    assert_eq!(cluster["(local)"]["matching_indices"], true);

    call(&server, Method::POST, "/beta/_open", None).await;
    let (_, recovery) = call(&server, Method::GET, "/alpha,beta/_recovery", None).await;
    assert_eq!(recovery["alpha"]["shards"][0]["type"], "EMPTY_STORE");
    assert_eq!(recovery["alpha"]["shards"][0]["stage"], "DONE");
    assert_eq!(recovery["beta"]["shards"].as_array().unwrap().len(), 2);
    let (_, active) = call(&server, Method::GET, "/_recovery?active_only=true", None).await;
    assert_eq!(active, json!({}));

    // Shards whose replicas are unassigned are yellow: listed by default.
    let (_, stores) = call(&server, Method::GET, "/_shard_stores", None).await;
    let listed: Vec<&String> = stores["indices"].as_object().unwrap().keys().collect();
    assert_eq!(listed, ["alpha"]);
    let (_, green) = call(&server, Method::GET, "/beta/_shard_stores?status=green", None).await;
    assert_eq!(green["indices"]["beta"]["shards"]["1"]["stores"][0]["allocation"], "primary");
}

#[tokio::test]
async fn a_clone_carries_nested_documents_with_their_roots() {
    let server = server!();
    let mappings = json!({"properties": {"comments": {"type": "nested", "properties": {"by": {"type": "keyword"}}}}});
    call(&server, Method::PUT, "/threads", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"title": "t", "comments": [{"by": "ann"}, {"by": "bob"}]});
    call(&server, Method::PUT, "/threads/_doc/1", Some(doc)).await;
    call(&server, Method::PUT, "/threads/_settings", Some(json!({"index.blocks.write": true}))).await;
    let (status, _) = call(&server, Method::POST, "/threads/_clone/copied", None).await;
    assert_eq!(status, 200);
    assert_eq!(count(&server, "copied").await, 1);
    let nested = json!({"query": {"nested": {"path": "comments", "query": {"term": {"comments.by": "bob"}}}}});
    let (_, found) = call(&server, Method::POST, "/copied/_search", Some(nested)).await;
    assert_eq!(found["hits"]["total"]["value"], 1);
}
