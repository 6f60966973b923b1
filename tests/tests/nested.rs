//! Nested documents over HTTP: the objects of `nested` fields indexed as
//! documents of their own, the `nested` query joining them to their root
//! documents, `inner_hits`, and their life through updates, deletes and a
//! restart.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use std::path::Path;
use tensile_tests::{call, server, Server};

/// An index of orders with nested lines, each line with nested notes.
async fn load(c: &Client, url: &str) {
    let mappings = json!({"properties": {
        "customer": {"type": "keyword"},
        "lines": {"type": "nested", "properties": {
            "product": {"type": "keyword"},
            "qty": {"type": "integer"},
            "notes": {"type": "nested", "properties": {"text": {"type": "text"}}}
        }},
        "tags": {"type": "nested", "include_in_parent": true, "properties": {"name": {"type": "keyword"}}}
    }});
    call(c, url, Method::PUT, "/orders", Some(json!({"mappings": mappings}))).await;
    let orders = [
        (
            "1",
            json!({"customer": "ann", "lines": [
                {"product": "apple", "qty": 1},
                {"product": "pear", "qty": 5, "notes": [{"text": "ripe and sweet"}, {"text": "handle with care"}]}
            ], "tags": [{"name": "fruit"}]}),
        ),
        ("2", json!({"customer": "bob", "lines": [{"product": "apple", "qty": 5}, {"product": "pear", "qty": 1}]})),
        ("3", json!({"customer": "cy"})),
    ];
    for (id, order) in orders {
        let (status, _) = call(c, url, Method::PUT, &format!("/orders/_doc/{id}"), Some(order)).await;
        assert!(status.is_success());
    }
    call(c, url, Method::POST, "/orders/_refresh", None).await;
}

/// The hits' `_id`s, sorted.
fn sorted_ids(answer: &Value) -> Vec<&str> {
    let mut ids = tensile_tests::ids(answer);
    ids.sort_unstable();
    ids
}

async fn search(c: &Client, url: &str, body: Value) -> Value {
    let (status, answer) = call(c, url, Method::POST, "/orders/_search", Some(body)).await;
    assert!(status.is_success(), "{answer}");
    answer
}

/// Both conditions on one line of `lines`.
fn line(product: &str, qty: i64) -> Value {
    json!({"nested": {"path": "lines", "query": {"bool": {"filter": [
        {"term": {"lines.product": product}}, {"term": {"lines.qty": qty}}
    ]}}}})
}

#[tokio::test]
async fn nested_queries_match_within_one_object() {
    let server = server!();
    let (c, url) = (Client::new(), &server.url);
    load(&c, url).await;

    // Searches see root documents only.
    let all = search(&c, url, json!({"query": {"match_all": {}}})).await;
    assert_eq!(sorted_ids(&all), ["1", "2", "3"]);
    let (_, count) = call(&c, url, Method::GET, "/orders/_count", None).await;
    assert_eq!(count["count"], 3);
    // A nested field is not the root's: outside a `nested` query it matches nothing.
    let outside = search(&c, url, json!({"query": {"term": {"lines.product": "apple"}}})).await;
    assert_eq!(sorted_ids(&outside), Vec::<&str>::new());

    // Conditions hold on the same object, not across the document's objects.
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("apple", 1)})).await), ["1"]);
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("apple", 5)})).await), ["2"]);
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("apple", 3)})).await), Vec::<&str>::new());

    // Two levels: notes inside lines, through a nested query in a nested query
    // and through the inner path directly.
    let two_levels = json!({"query": {"nested": {"path": "lines", "query": {"nested": {
        "path": "lines.notes", "query": {"match": {"lines.notes.text": "care"}}}}}}});
    assert_eq!(sorted_ids(&search(&c, url, two_levels).await), ["1"]);
    let direct =
        json!({"query": {"nested": {"path": "lines.notes", "query": {"match": {"lines.notes.text": "ripe"}}}}});
    assert_eq!(sorted_ids(&search(&c, url, direct).await), ["1"]);

    // `include_in_parent`: the values are also the root's.
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": {"term": {"tags.name": "fruit"}}})).await), ["1"]);

    // Score modes: the sum of two matching lines beats their average.
    let scored = |mode: &str| {
        json!({"query": {"nested": {"path": "lines", "score_mode": mode,
            "query": {"function_score": {"query": {"match_all": {}}, "field_value_factor": {"field": "lines.qty"}}}}},
            "size": 1})
    };
    let sum = search(&c, url, scored("sum")).await;
    let avg = search(&c, url, scored("avg")).await;
    let max = search(&c, url, scored("max")).await;
    assert_eq!(sum["hits"]["max_score"], json!(6.0));
    assert_eq!(avg["hits"]["max_score"], json!(3.0));
    assert_eq!(max["hits"]["max_score"], json!(5.0));

    // Errors, as Elasticsearch words them.
    let (status, err) = call(
        &c,
        url,
        Method::POST,
        "/orders/_search",
        Some(json!({"query": {"nested": {"path": "customer", "query": {"match_all": {}}}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 400);
    assert!(
        err["error"]["root_cause"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("failed to find nested object under path [customer]"),
        "{err}"
    );
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/orders/_search",
        Some(json!({"query": {"nested": {"path": "nope", "query": {"match_all": {}}, "ignore_unmapped": true}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 200);
}

#[tokio::test]
async fn inner_hits_show_the_matching_objects() {
    let server = server!();
    let (c, url) = (Client::new(), &server.url);
    load(&c, url).await;
    let body = json!({
        "query": {"bool": {"filter": {"term": {"customer": "ann"}}, "must": {"nested": {
            "path": "lines",
            "query": {"bool": {"should": [{"term": {"lines.product": "pear"}}, {"match_all": {}}]}},
            "inner_hits": {"name": "lines_found", "size": 1, "version": true, "docvalue_fields": ["_seq_no"]}
        }}}},
        "_source": false
    });
    let answer = search(&c, url, body).await;
    insta::assert_json_snapshot!("nested_inner_hits", answer, { ".took" => "[took]" });

    // The objects of a second level, each placed in its source by both levels.
    let deep = json!({"query": {"nested": {"path": "lines.notes", "query": {"match_all": {}},
        "inner_hits": {"_source": ["lines.notes.text"]}}}, "_source": false});
    let answer = search(&c, url, deep).await;
    let hits = &answer["hits"]["hits"][0]["inner_hits"]["lines.notes"]["hits"]["hits"];
    assert_eq!(hits[1]["_nested"], json!({"field": "lines", "offset": 1, "_nested": {"field": "notes", "offset": 1}}));
    assert_eq!(hits[1]["_source"], json!({"text": "handle with care"}));

    // `explain`: each inner hit with how the inner query scores it.
    let explained = json!({"query": {"nested": {"path": "lines", "query": {"term": {"lines.product": "pear"}},
        "inner_hits": {"explain": true}}}, "_source": false});
    let answer = search(&c, url, explained).await;
    let inner = &answer["hits"]["hits"][0]["inner_hits"]["lines"]["hits"]["hits"][0];
    assert_eq!(inner["_explanation"]["value"], inner["_score"], "{inner}");
    assert!(inner["_explanation"]["description"].is_string(), "{inner}");
}

#[tokio::test]
async fn nested_documents_follow_their_root_through_writes_and_a_restart() {
    let server = server!();
    let (c, url) = (Client::new(), &server.url.clone());
    load(&c, url).await;

    // A replaced document takes its old objects with it.
    let replaced = json!({"customer": "bob", "lines": [{"product": "plum", "qty": 2}]});
    call(&c, url, Method::PUT, "/orders/_doc/2?refresh=true", Some(replaced)).await;
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("apple", 5)})).await), Vec::<&str>::new());
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("plum", 2)})).await), ["2"]);
    // So does a deleted one.
    call(&c, url, Method::DELETE, "/orders/_doc/1?refresh=true", None).await;
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("apple", 1)})).await), Vec::<&str>::new());
    // And a partial update rewrites the whole block.
    let update = json!({"doc": {"lines": [{"product": "fig", "qty": 9}]}});
    call(&c, url, Method::POST, "/orders/_update/3?refresh=true", Some(update)).await;
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("fig", 9)})).await), ["3"]);

    // Unrefreshed writes come back from the translog with their objects.
    let late = json!({"customer": "di", "lines": [{"product": "kiwi", "qty": 4}]});
    call(&c, url, Method::PUT, "/orders/_doc/4", Some(late)).await;
    let data = server.kill_hard();
    let server = Server::start_in(Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let url = &server.url;
    call(&c, url, Method::POST, "/orders/_refresh", None).await;
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("kiwi", 4)})).await), ["4"]);
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": line("plum", 2)})).await), ["2"]);
    assert_eq!(sorted_ids(&search(&c, url, json!({"query": {"match_all": {}}})).await), ["2", "3", "4"]);
}

#[tokio::test]
async fn sorting_by_a_nested_field_reads_each_roots_nested_objects() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"offers": {"type": "nested", "properties": {
        "price": {"type": "long"}, "seller": {"type": "keyword"}
    }}}});
    call(&c, url, Method::PUT, "/shop", Some(json!({"mappings": mappings}))).await;
    let one = json!({"offers": [{"price": 30, "seller": "a"}, {"price": 10, "seller": "b"}]});
    call(&c, url, Method::PUT, "/shop/_doc/1", Some(one)).await;
    call(&c, url, Method::PUT, "/shop/_doc/2", Some(json!({"offers": [{"price": 20, "seller": "a"}]}))).await;
    call(&c, url, Method::PUT, "/shop/_doc/3?refresh=true", Some(json!({"title": "no offers"}))).await;
    let sorted = |sort: Value| {
        let c = &c;
        async move {
            let (status, found) = call(c, url, Method::POST, "/shop/_search", Some(json!({"sort": [sort]}))).await;
            assert_eq!(status, 200, "{found}");
            tensile_tests::ids_and_sorts(&found)
        }
    };
    let order = |sort: Value| {
        let sorted = &sorted;
        async move { sorted(sort).await.into_iter().map(|(id, _)| id).collect::<Vec<_>>() }
    };
    assert_eq!(order(json!({"offers.price": {"order": "asc", "nested": {"path": "offers"}}})).await, ["1", "2", "3"]);
    assert_eq!(
        order(json!({"offers.price": {"order": "asc", "mode": "sum", "nested": {"path": "offers"}}})).await,
        ["2", "1", "3"]
    );
    // `filter`: only the objects it matches count; a root with none sorts as missing.
    let by_seller = |seller: &str| {
        json!({"offers.price": {"order": "asc", "nested": {
            "path": "offers", "filter": {"term": {"offers.seller": seller}}
        }}})
    };
    assert_eq!(
        sorted(by_seller("a")).await,
        [("2".to_owned(), json!(20)), ("1".to_owned(), json!(30)), ("3".to_owned(), json!(i64::MAX))]
    );
    assert_eq!(order(by_seller("b")).await, ["1", "2", "3"]);
    // A terms lookup in the filter is read before the search, as in the query.
    call(&c, url, Method::PUT, "/sellers/_doc/picked?refresh=true", Some(json!({"names": ["a"]}))).await;
    let looked_up = json!({"offers.price": {"order": "asc", "nested": {"path": "offers", "filter": {"terms": {
        "offers.seller": {"index": "sellers", "id": "picked", "path": "names"}
    }}}}});
    assert_eq!(order(looked_up).await, ["2", "1", "3"]);
    // `max_children`: the first objects of each root only.
    let first = json!({"offers.price": {"order": "asc", "nested": {"path": "offers", "max_children": 1}}});
    assert_eq!(order(first).await, ["2", "1", "3"]);
    let bad = json!({"sort": [{"offers.price": {"nested": {"path": "offers", "max_children": -1}}}]});
    assert_eq!(call(&c, url, Method::POST, "/shop/_search", Some(bad)).await.0, 400);
    // A `nested` level must be a nested field.
    let deeper = json!({"sort": [{"offers.price": {"nested": {"path": "offers", "nested": {"path": "offers.x"}}}}]});
    assert_eq!(call(&c, url, Method::POST, "/shop/_search", Some(deeper)).await.0, 400);
}

#[tokio::test]
async fn sorting_by_a_field_of_nested_objects_within_nested_objects() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"offers": {"type": "nested", "properties": {
        "seller": {"type": "keyword"},
        "bids": {"type": "nested", "properties": {"price": {"type": "long"}, "open": {"type": "boolean"}}}
    }}}});
    call(&c, url, Method::PUT, "/market", Some(json!({"mappings": mappings}))).await;
    let one = json!({"offers": [
        {"seller": "a", "bids": [{"price": 50, "open": true}, {"price": 5, "open": false}]},
        {"seller": "b", "bids": [{"price": 1, "open": true}]}
    ]});
    call(&c, url, Method::PUT, "/market/_doc/1", Some(one)).await;
    let two = json!({"offers": [{"seller": "a", "bids": [{"price": 20, "open": true}]}]});
    call(&c, url, Method::PUT, "/market/_doc/2?refresh=true", Some(two)).await;
    let sorted = |nested: Value| {
        let c = &c;
        async move {
            let body = json!({"sort": [{"offers.bids.price": {"order": "asc", "nested": nested}}]});
            let (status, found) = call(c, url, Method::POST, "/market/_search", Some(body)).await;
            assert_eq!(status, 200, "{found}");
            tensile_tests::ids_and_sorts(&found)
        }
    };
    // Every bid of every offer: 1's cheapest is 1.
    let all = json!({"path": "offers", "nested": {"path": "offers.bids"}});
    assert_eq!(sorted(all).await, [("1".to_owned(), json!(1)), ("2".to_owned(), json!(20))]);
    // Only seller a's offers, and of those only open bids.
    let filtered = json!({"path": "offers", "filter": {"term": {"offers.seller": "a"}},
        "nested": {"path": "offers.bids", "filter": {"term": {"offers.bids.open": true}}}});
    assert_eq!(sorted(filtered).await, [("2".to_owned(), json!(20)), ("1".to_owned(), json!(50))]);
    // The inner path must lie within the outer one.
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/market/_search",
        Some(
            json!({"sort": [{"offers.bids.price": {"nested": {"path": "offers.bids", "nested": {"path": "offers"}}}}]}),
        ),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn inner_hits_follow_their_own_sort() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings =
        json!({"properties": {"c": {"type": "nested", "properties": {"t": {"type": "text"}, "n": {"type": "long"}}}}});
    call(&c, url, Method::PUT, "/threads", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"c": [{"t": "fox", "n": 3}, {"t": "fox fox", "n": 1}, {"t": "fox", "n": 2}]});
    call(&c, url, Method::PUT, "/threads/_doc/1?refresh=true", Some(doc)).await;
    let body = json!({"query": {"nested": {"path": "c", "query": {"match": {"c.t": "fox"}},
        "inner_hits": {"sort": [{"c.n": "desc"}], "size": 2}}}});
    let (_, found) = call(&c, url, Method::POST, "/threads/_search", Some(body)).await;
    let inner = &found["hits"]["hits"][0]["inner_hits"]["c"]["hits"];
    assert_eq!(inner["total"]["value"], 3);
    let shown: Vec<(Value, Value)> = inner["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["_nested"]["offset"].clone(), h["sort"][0].clone()))
        .collect();
    assert_eq!(shown, [(json!(0), json!(3)), (json!(2), json!(2))]);
    assert_eq!(inner["hits"][0]["_score"], Value::Null);
}

#[tokio::test]
async fn geo_distance_sorts_read_nested_points() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"branches": {"type": "nested", "properties": {
        "at": {"type": "geo_point"}, "open": {"type": "boolean"}
    }}}});
    call(&c, url, Method::PUT, "/chains", Some(json!({"mappings": mappings}))).await;
    // Chain 1 has a branch in Paris (closed) and one in Berlin; chain 2 one in London.
    let one = json!({"branches": [{"at": {"lat": 48.85, "lon": 2.35}, "open": false}, {"at": {"lat": 52.52, "lon": 13.4}, "open": true}]});
    call(&c, url, Method::PUT, "/chains/_doc/1", Some(one)).await;
    let two = json!({"branches": [{"at": {"lat": 51.5, "lon": -0.12}, "open": true}]});
    call(&c, url, Method::PUT, "/chains/_doc/2?refresh=true", Some(two)).await;
    let nearest = |nested: Value| {
        let c = &c;
        async move {
            let sort = json!([{"_geo_distance": {"branches.at": {"lat": 48.85, "lon": 2.35}, "unit": "km", "nested": nested}}]);
            let (status, found) = call(c, url, Method::POST, "/chains/_search", Some(json!({"sort": sort}))).await;
            assert_eq!(status, 200, "{found}");
            tensile_tests::ids_and_sorts(&found).into_iter().map(|(id, _)| id).collect::<Vec<_>>()
        }
    };
    // From Paris: chain 1 is there.
    assert_eq!(nearest(json!({"path": "branches"})).await, ["1", "2"]);
    // Open branches only: London is nearer than Berlin.
    let open = json!({"path": "branches", "filter": {"term": {"branches.open": true}}});
    assert_eq!(nearest(open).await, ["2", "1"]);
}
