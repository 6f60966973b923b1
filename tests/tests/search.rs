//! Search over HTTP: `_search` and `_count` with the query DSL built so
//! far, sorting, paging and the honest errors for what is not built.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tensile_tests::{call, server};

async fn load(c: &Client, url: &str) {
    let index = json!({"settings": {"number_of_shards": 2},
        "mappings": {"properties": {"title": {"type": "text"}, "year": {"type": "integer"}, "tag": {"type": "keyword"}}}});
    call(c, url, Method::PUT, "/books", Some(index)).await;
    let mut body = String::new();
    for (id, title, year, tag) in [
        ("1", "The quick brown fox", 1999, "animals"),
        ("2", "A lazy dog", 2005, "animals"),
        ("3", "Rust in action", 2021, "tech"),
        ("4", "The fox and the hound", 1981, "animals"),
    ] {
        body.push_str(&format!("{{\"index\":{{\"_id\":\"{id}\"}}}}\n"));
        body.push_str(&json!({"title": title, "year": year, "tag": tag}).to_string());
        body.push('\n');
    }
    let resp = c
        .post(format!("{url}/books/_bulk?refresh=true"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

fn ids(answer: &Value) -> Vec<&str> {
    answer["hits"]["hits"].as_array().unwrap().iter().map(|h| h["_id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn queries_sorting_paging_and_counting() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;

    let (_, found) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"match": {"title": "fox"}}}))).await;
    let mut matched = ids(&found);
    matched.sort();
    assert_eq!(matched, ["1", "4"]);
    assert_eq!(found["hits"]["total"], json!({"value": 2, "relation": "eq"}));

    let sorted = json!({"query": {"bool": {"filter": {"term": {"tag": "animals"}}}}, "sort": [{"year": "desc"}], "size": 2, "from": 1});
    let (_, page) = call(&c, url, Method::POST, "/books/_search", Some(sorted)).await;
    insta::assert_json_snapshot!("sorted_page", page, { ".took" => "[took]" });

    let (_, count) =
        call(&c, url, Method::POST, "/books/_count", Some(json!({"query": {"range": {"year": {"lt": 2000}}}}))).await;
    assert_eq!(count["count"], 2);

    let body = "{\"index\":\"books\"}\n{\"query\":{\"term\":{\"tag\":\"tech\"}}}\n{\"index\":\"missing\"}\n{}\n";
    let multi: Value = c
        .post(format!("{url}/_msearch"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&multi["responses"][0]), ["3"]);
    assert_eq!(multi["responses"][1]["status"], 404);
    assert_eq!(multi["responses"][1]["error"]["type"], "index_not_found_exception");

    let (status, err) = call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"nope": {}}}))).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("parsing_exception")));
    let (status, err) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"aggs": {"t": {"terms": {"field": "tag"}}}}))).await;
    assert_eq!(
        (status.as_u16(), &err["error"]["reason"]),
        (501, &json!("the [aggs] option of [search] is not implemented by Tensile yet"))
    );
    let (status, err) = call(&c, url, Method::POST, "/books/_search", Some(json!({"sort": ["title"]}))).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("illegal_argument_exception")));
}
