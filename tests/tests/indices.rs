//! The index lifecycle over HTTP: create with settings, mappings and
//! aliases, read it back, survive a restart, delete it.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use tensile_tests::{server, Server};

async fn call(server: &Server, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    tensile_tests::call(&Client::new(), &server.url, method, path, body).await
}

#[tokio::test]
async fn create_read_restart_delete() {
    use reqwest::Method;
    let server = server!();
    let body = json!({
        "settings": {"number_of_shards": 2, "index": {"number_of_replicas": 0}},
        "mappings": {"properties": {"title": {"type": "text", "fields": {"raw": {"type": "keyword"}}}}},
        "aliases": {"library": {}}
    });
    let (status, created) = call(&server, Method::PUT, "/books", Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(created, json!({"acknowledged": true, "shards_acknowledged": true, "index": "books"}));

    let (status, again) = call(&server, Method::PUT, "/books", None).await;
    assert_eq!(status, 400);
    assert_eq!(again["error"]["type"], "resource_already_exists_exception");
    let (status, bad) = call(&server, Method::PUT, "/Books", None).await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["reason"], "Invalid index name [Books], must be lowercase");
    let (status, bad) = call(&server, Method::PUT, "/films", Some(json!({"settings": {"index.nope": 1}}))).await;
    assert_eq!(status, 400);
    assert!(bad["error"]["reason"].as_str().unwrap().starts_with("unknown setting [index.nope]"));

    // Everything acknowledged is there after a restart.
    let (status, data) = server.stop();
    assert!(status.success());
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (status, got) = call(&server, Method::GET, "/library", None).await;
    assert_eq!(status, 200);
    assert_eq!(got["books"]["aliases"], json!({"library": {}}));
    assert_eq!(got["books"]["settings"]["index"]["number_of_shards"], "2");
    assert_eq!(got["books"]["settings"]["index"]["number_of_replicas"], "0");
    assert_eq!(got["books"]["mappings"]["properties"]["title"]["fields"]["raw"]["type"], "keyword");
    let (status, _) = call(&server, Method::HEAD, "/books", None).await;
    assert_eq!(status, 200);

    let (status, refused) = call(&server, Method::DELETE, "/library", None).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["type"], "illegal_argument_exception");
    let (status, deleted) = call(&server, Method::DELETE, "/books", None).await;
    assert_eq!((status, deleted), (StatusCode::OK, json!({"acknowledged": true})));

    let (status, data) = server.stop();
    assert!(status.success());
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (status, missing) = call(&server, Method::GET, "/books", None).await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["type"], "index_not_found_exception");
    assert_eq!(missing["error"]["resource.id"], "books");
    let (status, _) = call(&server, Method::HEAD, "/books", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn aliases_are_managed_and_persisted() {
    use reqwest::Method;
    let server = server!();
    for index in ["logs-1", "logs-2"] {
        let (status, _) = call(&server, Method::PUT, &format!("/{index}"), None).await;
        assert_eq!(status, 200);
    }
    let actions = json!({"actions": [
        {"add": {"indices": ["logs-1", "logs-2"], "alias": "logs"}},
        {"add": {"index": "logs-2", "alias": "current", "is_write_index": true, "routing": "r"}}
    ]});
    let (status, ack) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!((status, ack), (StatusCode::OK, json!({"acknowledged": true, "errors": false})));
    let (_, got) = call(&server, Method::GET, "/_alias/current", None).await;
    assert_eq!(
        got,
        json!({"logs-2": {"aliases": {"current": {"is_write_index": true, "index_routing": "r", "search_routing": "r"}}}})
    );

    // A write through an alias goes to its write index.
    let (status, written) = call(&server, Method::PUT, "/current/_doc/1", Some(json!({"m": 1}))).await;
    assert_eq!((status, written["_index"].as_str()), (StatusCode::CREATED, Some("logs-2")));

    let (status, missing) = call(&server, Method::GET, "/_alias/nope", None).await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"], "alias [nope] missing");
    let (status, _) = call(&server, Method::DELETE, "/logs-1/_alias/nope", None).await;
    assert_eq!(status, 404);

    let (status, data) = server.stop();
    assert!(status.success());
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (status, _) = call(&server, Method::HEAD, "/_alias/logs", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, Method::DELETE, "/logs-*/_alias/logs", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, Method::HEAD, "/_alias/logs", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn alias_expressions_and_per_action_results() {
    use reqwest::Method;
    let server = server!();
    let aliases = json!({"aliases": {"a1": {}, "a2": {}, "b1": {}}});
    call(&server, Method::PUT, "/idx", Some(aliases)).await;
    call(&server, Method::PUT, "/old", None).await;

    // Exclusions remove what came before them; only explicit names can be missing.
    let (status, got) = call(&server, Method::GET, "/_alias/b1,a*,-a1", None).await;
    assert_eq!((status, got), (StatusCode::OK, json!({"idx": {"aliases": {"a2": {}, "b1": {}}}})));
    let (status, got) = call(&server, Method::GET, "/_alias/a1,b1,-a*,-b1", None).await;
    assert_eq!((status, got), (StatusCode::OK, json!({})));
    let (status, got) = call(&server, Method::GET, "/_alias/-x,-a1,a*,-nope", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        got,
        json!({"error": "aliases [-a1,-x] missing", "status": 404, "idx": {"aliases": {"a1": {}, "a2": {}}}})
    );

    // A remove that finds nothing fails alone, unless must_exist says otherwise.
    let actions = json!({"actions": [
        {"add": {"index": "idx", "alias": "c1"}},
        {"remove": {"index": "i*", "aliases": "nope"}}
    ]});
    let (status, partial) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("alias_action_results", partial);
    let actions = json!({"actions": [
        {"remove": {"index": "idx", "alias": "nope", "must_exist": true}},
        {"add": {"index": "idx", "alias": "c2"}}
    ]});
    let (status, failed) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!(
        (status, failed["error"]["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("aliases_not_found_exception"))
    );
    let (status, _) = call(&server, Method::HEAD, "/_alias/c2", None).await;
    assert_eq!(status, 404);
    let actions = json!({"actions": [{"add": {"index": "idx", "alias": "c2", "must_exist": true}}]});
    let (status, refused) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["reason"], "[must_exist] is unsupported for [ADD]");

    // An index removed in the same request leaves its name to an alias.
    let actions = json!({"actions": [
        {"add": {"index": "idx", "alias": "old"}},
        {"remove_index": {"index": "old"}}
    ]});
    let (status, _) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!(status, 200);
    let (_, got) = call(&server, Method::GET, "/old/_alias/old", None).await;
    assert_eq!(got, json!({"idx": {"aliases": {"old": {}}}}));
}

#[tokio::test]
async fn date_math_names_resolve_wherever_an_index_name_is_taken() {
    use reqwest::Method;
    let server = server!();
    // `<dm-{2022-12-31||/d{yyyy-MM-dd}}>`, URL-encoded, with a date-math alias.
    let encoded = "%3Cdm-%7B2022-12-31%7C%7C%2Fd%7Byyyy-MM-dd%7D%7D%3E";
    let body = json!({"aliases": {"<a-{2022-12-31||+1d/d{yyyy.MM.dd|+01:00}}>": {}}});
    let (status, created) = call(&server, Method::PUT, &format!("/{encoded}"), Some(body)).await;
    assert_eq!((status, created["index"].as_str()), (StatusCode::OK, Some("dm-2022-12-31")));
    let (_, got) = call(&server, Method::GET, &format!("/{encoded}/_alias"), None).await;
    assert_eq!(got, json!({"dm-2022-12-31": {"aliases": {"a-2023.01.01": {}}}}));
    let (_, settings) = call(&server, Method::GET, "/dm-2022-12-31/_settings/index.provided_name", None).await;
    assert_eq!(settings["dm-2022-12-31"]["settings"]["index"]["provided_name"], "<dm-{2022-12-31||/d{yyyy-MM-dd}}>");

    let actions = json!({"actions": [{"add": {"index": "<dm-{2022-12-31||/d{yyyy-MM-dd}}>", "alias": "<b-{2022-12-31||/M{yyyy-MM}}>"}}]});
    let (status, _) = call(&server, Method::POST, "/_aliases", Some(actions)).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, Method::HEAD, "/_alias/b-2022-12", None).await;
    assert_eq!(status, 200);
    let (status, bad) = call(&server, Method::PUT, "/%3Cdm-%7Bnow%2Fd%3E", None).await;
    assert_eq!((status, bad["error"]["type"].as_str()), (StatusCode::BAD_REQUEST, Some("parse_exception")));
}

#[tokio::test]
async fn close_open_and_change_settings() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/shop", None).await;
    let (status, _) = call(&server, Method::PUT, "/shop/_doc/1", Some(json!({"item": "pen"}))).await;
    assert_eq!(status, 201);

    let (status, closed) = call(&server, Method::POST, "/shop/_close", None).await;
    assert_eq!((status, closed["indices"]["shop"]["closed"].as_bool()), (StatusCode::OK, Some(true)));
    let (status, refused) = call(&server, Method::GET, "/shop/_doc/1", None).await;
    assert_eq!((status, refused["error"]["type"].as_str()), (StatusCode::BAD_REQUEST, Some("index_closed_exception")));

    let (status, _) = call(&server, Method::POST, "/shop/_open", None).await;
    assert_eq!(status, 200);
    let (status, got) = call(&server, Method::GET, "/shop/_doc/1", None).await;
    assert_eq!((status, got["_source"].clone()), (StatusCode::OK, json!({"item": "pen"})));

    let (status, _) =
        call(&server, Method::PUT, "/shop/_settings", Some(json!({"index": {"number_of_replicas": 0}}))).await;
    assert_eq!(status, 200);
    let (_, settings) =
        call(&server, Method::GET, "/shop/_settings/index.number_of_replicas?flat_settings", None).await;
    assert_eq!(settings, json!({"shop": {"settings": {"index.number_of_replicas": "0"}}}));
    let (status, _) =
        call(&server, Method::PUT, "/shop/_mapping", Some(json!({"properties": {"price": {"type": "double"}}}))).await;
    assert_eq!(status, 200);
    let (_, mapping) = call(&server, Method::GET, "/shop/_mapping", None).await;
    assert_eq!(mapping["shop"]["mappings"]["properties"]["price"]["type"], "double");
    let (status, err) =
        call(&server, Method::PUT, "/shop/_mapping", Some(json!({"properties": {"price": {"type": "keyword"}}}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "mapper [price] cannot be changed from type [double] to [keyword]");

    let (status, err) = call(&server, Method::PUT, "/shop/_settings", Some(json!({"number_of_shards": 3}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "final index setting [index.number_of_shards], not updateable");
}

#[tokio::test]
async fn flush_force_merge_stats_and_segments() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/logs", Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}})))
        .await;
    for i in 0..3 {
        let path = format!("/logs/_doc/{i}?refresh=true");
        call(&server, Method::PUT, &path, Some(json!({"message": format!("line {i}")}))).await;
    }
    let (_, stats) = call(&server, Method::GET, "/logs/_stats", None).await;
    let primaries = &stats["indices"]["logs"]["primaries"];
    assert_eq!(stats["_shards"], json!({"total": 1, "successful": 1, "failed": 0}));
    assert_eq!(
        (primaries["docs"]["count"].as_u64(), primaries["indexing"]["index_total"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(primaries["translog"]["operations"], 3);

    let (status, flushed) = call(&server, Method::POST, "/logs/_flush", None).await;
    assert_eq!((status.as_u16(), &flushed["_shards"]["successful"]), (200, &json!(1)));
    let (status, _) = call(&server, Method::POST, "/logs/_forcemerge?max_num_segments=1", None).await;
    assert_eq!(status, 200);
    let (_, segments) = call(&server, Method::GET, "/logs/_segments", None).await;
    let copy = &segments["indices"]["logs"]["shards"]["0"][0];
    assert_eq!((copy["routing"]["primary"].as_bool(), copy["num_search_segments"].as_u64()), (Some(true), Some(1)));
    let (_, stats) = call(&server, Method::GET, "/logs/_stats/flush,translog,segments", None).await;
    let primaries = &stats["indices"]["logs"]["primaries"];
    assert_eq!(primaries["translog"]["operations"], 0);
    assert!(primaries["flush"]["total"].as_u64() >= Some(1));
    assert_eq!(primaries["segments"]["count"], 1);
    assert!(primaries.get("docs").is_none(), "only the metrics asked for: {primaries}");
    assert_eq!(primaries["segments"]["file_sizes"], json!({}), "files only when asked for");
    let (_, stats) = call(&server, Method::GET, "/logs/_stats/segments?include_segment_file_sizes=true", None).await;
    let files = &stats["_all"]["total"]["segments"]["file_sizes"];
    let postings = &files["idx"];
    assert_eq!((postings["count"].as_u64(), postings["description"].as_str()), (Some(1), Some("Postings")), "{files}");
    assert!(files["store"]["size_in_bytes"].as_u64() > Some(0));
    assert_eq!(files["store"]["min_size_in_bytes"], files["store"]["max_size_in_bytes"]);
    // Each segment's record in tantivy's meta.json is its segment info.
    assert_eq!((files["si"]["count"].as_u64(), files["si"]["description"].as_str()), (Some(1), Some("Segment Info")));
    assert!(files["si"]["size_in_bytes"].as_u64() > Some(0));

    // A bulk request counts once on each shard it wrote to, with its items' bytes.
    let lines = "{\"index\":{}}\n{\"message\":\"bulk one\"}\n{\"index\":{}}\n{\"message\":\"bulk two\"}\n";
    let resp = reqwest::Client::new()
        .post(format!("{}/logs/_bulk", server.url))
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let (_, stats) = call(&server, Method::GET, "/logs/_stats/bulk", None).await;
    let bulk = &stats["indices"]["logs"]["primaries"]["bulk"];
    assert_eq!(
        (bulk["total_operations"].as_u64(), bulk["total_size_in_bytes"].as_u64()),
        (Some(1), Some(44)),
        "{bulk}"
    );

    call(&server, Method::POST, "/logs/_search", Some(json!({"query": {"match": {"message": "line"}}}))).await;
    let (_, stats) = call(&server, Method::GET, "/logs/_stats/search", None).await;
    let search = &stats["indices"]["logs"]["primaries"]["search"];
    assert_eq!((search["query_total"].as_u64(), search["fetch_total"].as_u64()), (Some(1), Some(1)), "{search}");

    let (_, fields) = call(&server, Method::GET, "/logs/_mapping/field/mess*", None).await;
    assert_eq!(fields["logs"]["mappings"]["message"]["mapping"]["message"]["type"], "text");
}

#[tokio::test]
async fn blocks_refuse_writes_until_removed() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/locked", None).await;
    let (status, added) = call(&server, Method::PUT, "/locked/_block/write", None).await;
    assert_eq!((status.as_u16(), &added["indices"][0]), (200, &json!({"name": "locked", "blocked": true})));
    let (status, refused) = call(&server, Method::PUT, "/locked/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!(status, 403);
    assert_eq!(refused["error"]["type"], "cluster_block_exception");
    assert_eq!(refused["error"]["reason"], "index [locked] blocked by: [FORBIDDEN/8/index write (api)];");
    let (status, _) = call(&server, Method::DELETE, "/locked/_block/write", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, Method::PUT, "/locked/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn auto_create_index_follows_its_patterns() {
    use reqwest::Method;
    let server = server!("action.auto_create_index=-secret*,+*");
    let (status, refused) = call(&server, Method::PUT, "/secret-1/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!((status.as_u16(), &refused["error"]["type"]), (404, &json!("index_not_found_exception")));
    assert_eq!(
        refused["error"]["reason"],
        "no such index [secret-1] and [action.auto_create_index] contains [-secret*] which forbids automatic creation of the index"
    );
    let (status, _) = call(&server, Method::PUT, "/logs/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn settings_updates_preserve_existing_and_reopen() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/s", Some(json!({"settings": {"number_of_replicas": 0}}))).await;
    // `preserve_existing` leaves what the index has.
    let body = json!({"index": {"number_of_replicas": 1, "max_result_window": 50}});
    let (status, _) = call(&server, Method::PUT, "/s/_settings?preserve_existing=true", Some(body)).await;
    assert_eq!(status, 200);
    let (_, got) = call(&server, Method::GET, "/s/_settings?flat_settings=true", None).await;
    assert_eq!(got["s"]["settings"]["index.number_of_replicas"], "0");
    assert_eq!(got["s"]["settings"]["index.max_result_window"], "50");
    // A static setting of an open index needs `reopen`.
    let codec = json!({"index.codec": "best_compression"});
    let (status, _) = call(&server, Method::PUT, "/s/_settings", Some(codec.clone())).await;
    assert_eq!(status, 400);
    let (status, _) = call(&server, Method::PUT, "/s/_settings?reopen=true", Some(codec)).await;
    assert_eq!(status, 200);
    let (_, got) = call(&server, Method::GET, "/s/_settings?flat_settings=true", None).await;
    assert_eq!(got["s"]["settings"]["index.codec"], "best_compression");
    let (status, _) = call(&server, Method::PUT, "/s/_doc/1", Some(json!({"ok": true}))).await;
    assert_eq!(status, 201, "the index is open again");
}

#[tokio::test]
async fn expand_wildcards_none_takes_patterns_as_names() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/test-x1", None).await;
    let (status, _) = call(&server, Method::GET, "/test-x*/_mapping?expand_wildcards=none", None).await;
    assert_eq!(status, 404);
    let (status, got) =
        call(&server, Method::GET, "/test-x*/_mapping?expand_wildcards=none&ignore_unavailable=true", None).await;
    assert_eq!((status, got), (StatusCode::OK, json!({})));
    // Cluster health is lenient: the pattern selects nothing, a missing name is red.
    let (status, health) =
        call(&server, Method::GET, "/_cluster/health/test-x*?expand_wildcards=none&level=indices", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["active_shards"], 0);
    let (status, health) = call(&server, Method::GET, "/_cluster/health/nope?timeout=1ms", None).await;
    assert_eq!((status.as_u16(), &health["status"]), (408, &json!("red")));
}

#[tokio::test]
async fn human_settings_read_dates_and_versions() {
    use reqwest::Method;
    let server = server!();
    call(&server, Method::PUT, "/h", None).await;
    let (_, got) = call(&server, Method::GET, "/h?human=true&flat_settings=true", None).await;
    let settings = &got["h"]["settings"];
    let readable = settings["index.creation_date_string"].as_str().unwrap();
    assert!(readable.len() == 24 && readable.ends_with('Z') && readable.as_bytes()[10] == b'T', "{readable}");
    assert_eq!(settings["index.version.created_string"], "9.6.0");
    let (_, plain) = call(&server, Method::GET, "/h?flat_settings=true", None).await;
    assert!(plain["h"]["settings"].get("index.creation_date_string").is_none());
}

#[tokio::test]
async fn disk_usage_splits_each_field_by_category() {
    use reqwest::Method;
    let server = server!();
    let mappings = json!({"properties": {"name": {"type": "text"}, "genre": {"type": "keyword"}, "n": {"type": "long"},
        "q": {"type": "long", "doc_values": false}}});
    call(&server, Method::PUT, "/usage", Some(json!({"mappings": mappings}))).await;
    for (name, genre, n) in [("foo bar", "rock", 1), ("baz", "pop", 2), ("foo", "jazz", 3)] {
        call(&server, Method::POST, "/usage/_doc", Some(json!({"name": name, "genre": genre, "n": n, "q": n * 10})))
            .await;
    }
    let (status, refused) = call(&server, Method::POST, "/usage/_disk_usage", None).await;
    assert_eq!(status, 400);
    assert!(refused["error"]["reason"].as_str().unwrap().contains("[run_expensive_tasks]"));

    let (status, usage) = call(&server, Method::POST, "/usage/_disk_usage?run_expensive_tasks=true", None).await;
    assert_eq!(status, 200);
    assert_eq!(usage["_shards"]["total"], 1);
    let fields = &usage["usage"]["fields"];
    let bytes = |field: &str, pointer: &str| fields[field].pointer(pointer).and_then(Value::as_u64).unwrap();
    assert!(bytes("name", "/inverted_index/total_in_bytes") > 0);
    assert!(bytes("name", "/norms_in_bytes") > 0);
    assert_eq!(bytes("name", "/doc_values_in_bytes"), 0);
    assert!(bytes("genre", "/inverted_index/total_in_bytes") > 0);
    assert!(bytes("genre", "/doc_values_in_bytes") > 0);
    assert!(bytes("n", "/points_in_bytes") > 0);
    assert_eq!(bytes("n", "/inverted_index/total_in_bytes"), 0);
    // Without doc values, a number keeps its points alone.
    assert!(bytes("q", "/points_in_bytes") > 0);
    assert_eq!(bytes("q", "/doc_values_in_bytes"), 0);
    assert!(bytes("_source", "/stored_fields_in_bytes") > 0);
    assert!(bytes("_id", "/inverted_index/total_in_bytes") > 0);
    let all = &usage["usage"]["all_fields"];
    let sum: u64 = fields.as_object().unwrap().values().map(|f| f["total_in_bytes"].as_u64().unwrap()).sum();
    assert_eq!(all["total_in_bytes"].as_u64().unwrap(), sum);
    assert!(usage["usage"]["store_size_in_bytes"].as_u64().unwrap() >= sum);
}

#[tokio::test]
async fn field_usage_counts_what_searches_read() {
    use reqwest::Method;
    let server = server!();
    let mappings =
        json!({"properties": {"name": {"type": "text"}, "price": {"type": "double"}, "tag": {"type": "keyword"}}});
    call(&server, Method::PUT, "/usage", Some(json!({"mappings": mappings}))).await;
    call(&server, Method::PUT, "/usage/_doc/1?refresh=true", Some(json!({"name": "foo bar", "price": 3, "tag": "a"})))
        .await;
    let search = json!({"query": {"bool": {"must": [{"match_phrase": {"name": "foo bar"}}, {"term": {"tag": "a"}}]}}, "sort": ["price"]});
    call(&server, Method::POST, "/usage/_search", Some(search)).await;

    let (status, usage) = call(&server, Method::GET, "/usage/_field_usage_stats", None).await;
    assert_eq!(status, 200);
    let shard = &usage["usage"]["shards"][0];
    assert!(shard["tracking_id"].is_string());
    let fields = &shard["stats"]["fields"];
    assert_eq!(fields["name"]["inverted_index"]["positions"], 1);
    assert_eq!(fields["name"]["norms"], 0, "a field sort does not score");
    assert_eq!(fields["tag"]["inverted_index"]["postings"], 1);
    assert_eq!(fields["price"]["doc_values"], 1);
    assert_eq!(fields["_source"]["stored_fields"], 1);
    assert_eq!(shard["stats"]["all_fields"]["any"], 5);

    // A range on a field with points and doc values reads both; term
    // vectors and offsets count where the mapping keeps them.
    let mappings = json!({"properties": {"day": {"type": "date"},
        "body": {"type": "text", "index_options": "offsets", "term_vector": "with_positions_offsets"}}});
    call(&server, Method::PUT, "/more", Some(json!({"mappings": mappings}))).await;
    call(&server, Method::PUT, "/more/_doc/1?refresh=true", Some(json!({"day": "2020-01-02", "body": "foo bar"})))
        .await;
    let search = json!({"query": {"range": {"day": {"gte": "2020-01-01"}}}, "highlight": {"fields": {"body": {}}}});
    call(&server, Method::POST, "/more/_search", Some(search)).await;
    call(&server, Method::GET, "/more/_termvectors/1?fields=body", None).await;
    let (_, usage) = call(&server, Method::GET, "/more/_field_usage_stats", None).await;
    let fields = &usage["more"]["shards"][0]["stats"]["fields"];
    assert_eq!((&fields["day"]["points"], &fields["day"]["doc_values"]), (&json!(1), &json!(1)));
    assert_eq!(fields["body"]["inverted_index"]["offsets"], 1);
    assert_eq!(fields["body"]["term_vectors"], 1);

    let (_, only) = call(&server, Method::GET, "/usage/_field_usage_stats?fields=na*", None).await;
    let listed: Vec<&String> = only["usage"]["shards"][0]["stats"]["fields"].as_object().unwrap().keys().collect();
    assert_eq!(listed, ["name"]);
}
