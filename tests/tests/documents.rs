//! Single-document APIs over HTTP, and durability: every acknowledged
//! write survives a SIGKILL.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tensile_tests::{call, server, Server};

#[tokio::test]
async fn index_get_delete_with_versions() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let (status, created) = call(&c, url, Method::PUT, "/docs/_doc/1", Some(json!({"title": "one"}))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["result"].as_str(), created["_version"].as_u64(), created["_seq_no"].as_u64()),
        (Some("created"), Some(1), Some(0))
    );
    let (status, updated) = call(&c, url, Method::PUT, "/docs/_doc/1", Some(json!({"title": "two"}))).await;
    assert_eq!(
        (status, updated["result"].as_str(), updated["_version"].as_u64()),
        (StatusCode::OK, Some("updated"), Some(2))
    );

    // Realtime: visible before any refresh.
    let (status, got) = call(&c, url, Method::GET, "/docs/_doc/1", None).await;
    assert_eq!(status, 200);
    assert_eq!(got["_source"], json!({"title": "two"}));
    assert_eq!(got["found"], true);

    let (status, conflict) = call(&c, url, Method::PUT, "/docs/_create/1", Some(json!({}))).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["type"], "version_conflict_engine_exception");
    let (status, _) = call(&c, url, Method::PUT, "/docs/_doc/1?if_seq_no=0&if_primary_term=1", Some(json!({}))).await;
    assert_eq!(status, 409);

    let (status, auto) = call(&c, url, Method::POST, "/docs/_doc", Some(json!({"auto": true}))).await;
    assert_eq!(status, 201);
    let auto_id = auto["_id"].as_str().unwrap().to_owned();
    let (status, source) = call(&c, url, Method::GET, &format!("/docs/_source/{auto_id}"), None).await;
    assert_eq!((status, source), (StatusCode::OK, json!({"auto": true})));

    let (status, deleted) = call(&c, url, Method::DELETE, "/docs/_doc/1", None).await;
    assert_eq!((status, deleted["result"].as_str()), (StatusCode::OK, Some("deleted")));
    let (status, missing) = call(&c, url, Method::GET, "/docs/_doc/1", None).await;
    assert_eq!((status, missing), (StatusCode::NOT_FOUND, json!({"_index": "docs", "_id": "1", "found": false})));
    let (status, _) = call(&c, url, Method::DELETE, "/docs/_doc/1", None).await;
    assert_eq!(status, 404);

    // No ingest pipeline exists in Tensile yet: naming one is the missing-pipeline error.
    let (status, err) = call(&c, url, Method::PUT, "/docs/_doc/5?pipeline=enrich", Some(json!({}))).await;
    assert_eq!(
        (status, err["error"]["reason"].as_str()),
        (StatusCode::BAD_REQUEST, Some("pipeline with id [enrich] does not exist"))
    );
    let (status, _) = call(&c, url, Method::PUT, "/docs/_doc/5?require_alias=true", Some(json!({}))).await;
    assert_eq!(status, 404);

    let (status, bad) = call(&c, url, Method::PUT, "/docs/_doc/2", Some(json!([1, 2]))).await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["type"], "document_parsing_exception");
    let (status, _) = call(&c, url, Method::GET, "/nope/_doc/1", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let server = server!();
    let url = server.url.clone();
    let acked: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4u64 {
        let (url, acked) = (url.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let c = Client::new();
            for i in 0..10_000u64 {
                let id = format!("w{w}-{i}");
                let body = json!({"writer": w, "i": i, "payload": "x".repeat(200)});
                match c.put(format!("{url}/crash/_doc/{id}")).json(&body).send().await {
                    Ok(resp) if resp.status().is_success() => acked.lock().unwrap().push((id, i)),
                    _ => return,
                }
            }
        }));
    }
    // Let the writers get going, then crash the server under them.
    while acked.lock().unwrap().len() < 300 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let data = server.kill_hard();
    for w in writers {
        let _ = w.await;
    }
    let acked = acked.lock().unwrap().clone();

    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let c = Client::new();
    for (id, i) in &acked {
        let (status, got) = call(&c, &server.url, Method::GET, &format!("/crash/_doc/{id}"), None).await;
        assert_eq!(status, 200, "acknowledged document {id} is lost");
        assert_eq!(got["_source"]["i"].as_u64(), Some(*i), "document {id} is not what was acknowledged");
        assert_eq!(got["_source"]["payload"].as_str().map(str::len), Some(200));
    }
}

#[tokio::test]
async fn bulk_items_succeed_and_fail_independently() {
    let server = server!();
    let body = concat!(
        "{\"index\":{\"_index\":\"b\",\"_id\":\"1\"}}\n{\"a\":1}\n",
        "{\"create\":{\"_index\":\"b\",\"_id\":\"1\"}}\n{\"a\":2}\n",
        "{\"update\":{\"_index\":\"b\",\"_id\":\"1\"}}\n{\"doc\":{\"c\":3}}\n",
        "{\"delete\":{\"_index\":\"b\",\"_id\":\"9\"}}\n",
        "{\"index\":{\"_index\":\"b\",\"_id\":\"2\"}}\n{broken\n",
        "{\"index\":{\"_index\":\"b\",\"_id\":\"3\"}}\n{\"ok\":true}\n",
    );
    let resp = Client::new()
        .post(server.at("/_bulk?refresh=true"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["errors"], true);
    let statuses: Vec<u64> = answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_object().unwrap().values().next().unwrap()["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![201, 409, 200, 404, 400, 201]);
    assert_eq!(answer["items"][1]["create"]["error"]["type"], "version_conflict_engine_exception");

    let c = Client::new();
    let (_, got) = call(&c, &server.url, Method::GET, "/b/_doc/1", None).await;
    assert_eq!(got["_source"], json!({"a": 1, "c": 3}));
    let (status, _) = call(&c, &server.url, Method::GET, "/b/_doc/3", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&c, &server.url, Method::GET, "/b/_doc/2", None).await;
    assert_eq!(status, 404);

    let (status, docs) = call(&c, &server.url, Method::POST, "/_mget", Some(json!({"docs": [
        {"_index": "b", "_id": "1", "_source": ["c"]}, {"_index": "b", "_id": "2"}, {"_index": "missing", "_id": "1"}
    ]}))).await;
    assert_eq!(status, 200);
    assert_eq!(docs["docs"][0]["_source"], json!({"c": 3}));
    assert_eq!(docs["docs"][1]["found"], false);
    assert_eq!(docs["docs"][2]["error"]["type"], "index_not_found_exception");

    // Nothing to get, or a field Elasticsearch 9 does not know, is refused.
    let (status, err) = call(&c, &server.url, Method::POST, "/b/_mget", Some(json!({"ids": []}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "Validation Failed: 1: no documents to get;");
    let (status, err) =
        call(&c, &server.url, Method::POST, "/b/_mget", Some(json!({"docs": [{"_id": "1", "_routing": "r"}]}))).await;
    assert_eq!((status, err["error"]["type"].as_str()), (StatusCode::BAD_REQUEST, Some("parse_exception")));
    // `_source` among the stored fields brings the source back too.
    let (_, docs) =
        call(&c, &server.url, Method::POST, "/b/_mget?stored_fields=a,_source", Some(json!({"ids": ["3"]}))).await;
    assert_eq!(docs["docs"][0]["_source"], json!({"ok": true}));
    let (_, docs) = call(&c, &server.url, Method::POST, "/b/_mget?stored_fields=a", Some(json!({"ids": ["3"]}))).await;
    assert!(docs["docs"][0].get("_source").is_none());

    let (status, err) = call(&c, &server.url, Method::POST, "/b/_update/1", Some(json!({"dac": {}}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["reason"], "[UpdateRequest] unknown field [dac] did you mean [doc]?");
    let (status, noop) = call(&c, &server.url, Method::POST, "/b/_update/1", Some(json!({"doc": {"c": 3}}))).await;
    assert_eq!((status, noop["result"].as_str()), (StatusCode::OK, Some("noop")));
    // `_source` brings the updated document back, filtered; a stale
    // if_seq_no conflicts even when nothing would change.
    let (status, updated) =
        call(&c, &server.url, Method::POST, "/b/_update/1?_source=c", Some(json!({"doc": {"d": 4}}))).await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("update_with_source", updated);
    let (status, stale) = call(
        &c,
        &server.url,
        Method::POST,
        "/b/_update/1?if_seq_no=99&if_primary_term=1",
        Some(json!({"doc": {"d": 4}})),
    )
    .await;
    assert_eq!(
        (status, stale["error"]["type"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict_engine_exception"))
    );
    let (status, _) =
        call(&c, &server.url, Method::POST, "/b/_update/1?require_alias=true", Some(json!({"doc": {"d": 5}}))).await;
    assert_eq!(status, 404);
    let (status, scripted) =
        call(&c, &server.url, Method::POST, "/b/_update/1", Some(json!({"script": "ctx._source.a++"}))).await;
    assert_eq!(status, 400);
    assert!(scripted["error"]["reason"].as_str().unwrap().contains("not supported by Tensile yet"));
}

#[tokio::test]
async fn acknowledged_bulk_items_survive_sigkill_with_flushes_under_way() {
    let server = server!();
    let url = server.url.clone();
    let c = Client::new();
    // Frequent refreshes and periodic flushes, so that the kill lands among
    // non-durable commits, durable ones and merges.
    let settings = json!({"settings": {"number_of_shards": 2, "refresh_interval": "100ms",
        "translog": {"flush_threshold_size": "64kb"}}});
    let (status, _) = call(&c, &url, Method::PUT, "/bulkcrash", Some(settings)).await;
    assert_eq!(status, 200);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut loaders = Vec::new();
    for w in 0..3u64 {
        let (url, acked, sent) = (url.clone(), acked.clone(), sent.clone());
        loaders.push(tokio::spawn(async move {
            let c = Client::new();
            for batch in 0..1_000u64 {
                let mut body = String::new();
                let ids: Vec<String> = (0..100).map(|i| format!("w{w}-b{batch}-{i}")).collect();
                for id in &ids {
                    body.push_str(&format!("{{\"index\":{{\"_id\":\"{id}\"}}}}\n"));
                    body.push_str(&json!({"id": id, "payload": "y".repeat(100)}).to_string());
                    body.push('\n');
                }
                sent.lock().unwrap().extend(ids.iter().cloned());
                let resp = c
                    .post(format!("{url}/bulkcrash/_bulk"))
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await;
                let Ok(resp) = resp else { return };
                let Ok(answer) = resp.json::<Value>().await else { return };
                assert_eq!(answer["errors"], false, "{answer}");
                acked.lock().unwrap().extend(ids);
            }
        }));
    }
    // Crash once documents are acknowledged and a periodic flush has happened.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (_, stats) = call(&c, &url, Method::GET, "/bulkcrash/_stats/flush", None).await;
        let periodic = stats["_all"]["primaries"]["flush"]["periodic"].as_u64().expect("flush stats");
        if periodic > 0 && acked.lock().unwrap().len() >= 3_000 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no periodic flush while loading: {stats}");
    }
    let data = server.kill_hard();
    for l in loaders {
        let _ = l.await;
    }
    let acked: std::collections::HashSet<String> = acked.lock().unwrap().iter().cloned().collect();
    let sent = sent.lock().unwrap().clone();

    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let c = Client::new();
    for id in &sent {
        let (status, got) = call(&c, &server.url, Method::GET, &format!("/bulkcrash/_doc/{id}"), None).await;
        if acked.contains(id) {
            assert_eq!(status, 200, "acknowledged document {id} is lost");
        }
        if status == 200 {
            // Whatever is visible is whole.
            assert_eq!(got["_source"]["id"].as_str(), Some(id.as_str()));
            assert_eq!(got["_source"]["payload"].as_str().map(str::len), Some(100));
        }
    }
}

#[tokio::test]
async fn routing_kept_as_doc_values_is_not_shown() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"_routing": {"doc_values": true}});
    call(&c, url, Method::PUT, "/dv", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/plain", None).await;
    for index in ["dv", "plain"] {
        call(&c, url, Method::PUT, &format!("/{index}/_doc/1?routing=5&refresh=true"), Some(json!({"a": 1}))).await;
    }
    let (_, got) = call(&c, url, Method::GET, "/dv/_doc/1?routing=5", None).await;
    assert_eq!((got["found"].clone(), got.get("_routing")), (json!(true), None));
    let (_, found) = call(&c, url, Method::POST, "/dv/_search", None).await;
    assert_eq!(found["hits"]["hits"][0].get("_routing"), None);
    let (_, plain) = call(&c, url, Method::GET, "/plain/_doc/1?routing=5", None).await;
    assert_eq!(plain["_routing"], "5");
}

#[tokio::test]
async fn delete_by_query_counts_what_it_deletes_and_what_changed_meanwhile() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for id in 1..=5 {
        let doc = json!({"kind": if id <= 4 { "old" } else { "new" }, "n": id});
        call(&c, url, Method::PUT, &format!("/dbq/_doc/{id}"), Some(doc)).await;
    }
    call(&c, url, Method::POST, "/dbq/_refresh", None).await;
    // Changed after the last refresh: the search sees an older copy.
    call(&c, url, Method::PUT, "/dbq/_doc/1", Some(json!({"kind": "old", "n": 10}))).await;

    let query = json!({"query": {"term": {"kind": "old"}}});
    let (status, aborted) = call(&c, url, Method::POST, "/dbq/_delete_by_query", Some(query.clone())).await;
    assert_eq!(status, 409);
    assert_eq!(aborted["version_conflicts"], 1);
    assert_eq!(aborted["failures"][0]["cause"]["type"], "version_conflict_engine_exception");
    assert!(aborted["failures"][0]["cause"].get("root_cause").is_none(), "a failure's cause is the exception alone");

    let (status, done) =
        call(&c, url, Method::POST, "/dbq/_delete_by_query?conflicts=proceed&refresh=true", Some(query)).await;
    assert_eq!(status, 200);
    assert_eq!((done["deleted"].as_u64(), done["version_conflicts"].as_u64()), (Some(3), Some(1)));
    assert_eq!(done["failures"], json!([]));
    let (_, left) = call(&c, url, Method::GET, "/dbq/_count", None).await;
    assert_eq!(left["count"], 2);

    let (_, capped) =
        call(&c, url, Method::POST, "/dbq/_delete_by_query?q=n:*&max_docs=1&refresh=true", Some(json!({}))).await;
    assert_eq!(capped["deleted"], 1);
    let (status, _) =
        call(&c, url, Method::POST, "/dbq/_delete_by_query?wait_for_completion=false", Some(json!({}))).await;
    assert_eq!(status, 501);
}

#[tokio::test]
async fn reindex_and_update_by_query_copy_and_rewrite_documents() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for id in 1..=3 {
        call(&c, url, Method::PUT, &format!("/src/_doc/{id}?routing=r{id}"), Some(json!({"n": id}))).await;
    }
    call(&c, url, Method::POST, "/src/_refresh", None).await;

    let copy = json!({"source": {"index": "src", "query": {"range": {"n": {"gte": 2}}}}, "dest": {"index": "dst"}});
    let (status, done) = call(&c, url, Method::POST, "/_reindex?refresh=true", Some(copy)).await;
    assert_eq!(status, 200);
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(2), Some(0)));
    let (_, got) = call(&c, url, Method::GET, "/dst/_doc/2?routing=r2", None).await;
    assert_eq!(got["_source"], json!({"n": 2}));

    // `op_type: create` leaves what is there, as conflicts, counted with `proceed`.
    let again =
        json!({"source": {"index": "src"}, "dest": {"index": "dst", "op_type": "create"}, "conflicts": "proceed"});
    let (_, done) = call(&c, url, Method::POST, "/_reindex", Some(again)).await;
    assert_eq!((done["created"].as_u64(), done["version_conflicts"].as_u64()), (Some(1), Some(2)));
    let (status, _) =
        call(&c, url, Method::POST, "/_reindex", Some(json!({"source": {"index": "src"}, "dest": {"index": "src"}})))
            .await;
    assert_eq!(status, 400);

    // Without a script, an update by query indexes each document again.
    let (_, done) = call(&c, url, Method::POST, "/src/_update_by_query?refresh=true", Some(json!({}))).await;
    assert_eq!(done["updated"], 3);
    let (_, got) = call(&c, url, Method::GET, "/src/_doc/1?routing=r1", None).await;
    assert_eq!(got["_version"], 2);
    let script = json!({"script": {"source": "ctx._source.n++"}});
    let (status, _) = call(&c, url, Method::POST, "/src/_update_by_query", Some(script)).await;
    assert_eq!(status, 501);
}

#[tokio::test]
async fn a_key_repeated_in_an_object_is_refused() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let send = |method: Method, path: &'static str, body: &'static str, content_type: &'static str| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let resp = c
                .request(method, format!("{url}{path}"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let json = "application/json";
    let (status, refused) = send(Method::PUT, "/dups/_doc/1", r#"{"a": 1, "b": {"c": 2, "c": 3}}"#, json).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["type"], "document_parsing_exception");
    assert!(refused["error"]["reason"].as_str().unwrap().contains("Duplicate field 'c'"), "{refused}");
    // In a bulk, the item alone fails.
    let bulk = "{\"index\":{\"_index\":\"dups\",\"_id\":\"2\"}}\n{\"x\":1,\"x\":2}\n{\"index\":{\"_index\":\"dups\",\"_id\":\"3\"}}\n{\"x\":1}\n";
    let (status, items) = send(Method::POST, "/_bulk?refresh=true", bulk, "application/x-ndjson").await;
    assert_eq!((status, items["errors"].as_bool()), (200, Some(true)));
    assert_eq!(items["items"][0]["index"]["error"]["type"], "document_parsing_exception");
    assert_eq!(items["items"][1]["index"]["status"], 201);
    // Nothing of the refused documents was kept.
    let (_, count) = call(&c, url, Method::GET, "/dups/_count", None).await;
    assert_eq!(count["count"], 1);
    // Request bodies alike, and bulk action lines.
    let (status, refused) = send(Method::POST, "/dups/_search", r#"{"size": 1, "size": 2}"#, json).await;
    assert_eq!((status, refused["error"]["type"].as_str()), (400, Some("x_content_parse_exception")));
    let action = "{\"index\":{\"_index\":\"dups\",\"_index\":\"other\"}}\n{}\n";
    let (status, refused) = send(Method::POST, "/_bulk", action, "application/x-ndjson").await;
    assert_eq!(status, 400);
    assert!(refused["error"]["reason"].as_str().unwrap().contains("Duplicate field '_index'"), "{refused}");
}
