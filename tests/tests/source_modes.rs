//! `_source` modes over HTTP: the mapping's `_source.mode`, the
//! `index.mapping.source.mode` setting and `index.mode`, and synthetic
//! source as get, mget, search, explain and update show it.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tensile_tests::{call, server};

#[tokio::test]
async fn source_modes_in_settings_and_mappings() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;

    // The setting wins over the mapping, and the mapping reports it.
    let body =
        json!({"settings": {"index.mapping.source.mode": "disabled"}, "mappings": {"_source": {"mode": "synthetic"}}});
    let (status, _) = call(&c, url, Method::PUT, "/overridden", Some(body)).await;
    assert_eq!(status, 200);
    let (_, mapping) = call(&c, url, Method::GET, "/overridden/_mapping", None).await;
    assert_eq!(mapping["overridden"]["mappings"], json!({"_source": {"mode": "disabled"}}));
    call(&c, url, Method::PUT, "/overridden/_doc/1?refresh=true", Some(json!({"a": 1}))).await;
    let (_, got) = call(&c, url, Method::GET, "/overridden/_doc/1", None).await;
    assert!(got.get("_source").is_none(), "disabled source: {got}");

    // A setting alone leaves the mapping empty.
    let body = json!({"settings": {"index.mapping.source.mode": "synthetic"}});
    call(&c, url, Method::PUT, "/by_setting", Some(body)).await;
    let (_, mapping) = call(&c, url, Method::GET, "/by_setting/_mapping", None).await;
    assert_eq!(mapping["by_setting"]["mappings"], json!({}));

    // logsdb and time_series keep synthetic source only.
    let body = json!({"settings": {"index": {"mode": "logsdb"}}, "mappings": {"_source": {"mode": "stored"}}});
    let (status, logsdb) = call(&c, url, Method::PUT, "/logs", Some(body)).await;
    assert_eq!(status, 400);
    let body = json!({"settings": {"index.mode": "time_series", "index.mapping.source.mode": "stored", "routing_path": ["k"]},
        "mappings": {"properties": {"k": {"type": "keyword", "time_series_dimension": true}}}});
    let (status, _) = call(&c, url, Method::PUT, "/metrics", Some(body)).await;
    assert_eq!(status, 200);
    let (_, mapping) = call(&c, url, Method::GET, "/metrics/_mapping", None).await;
    assert_eq!(mapping["metrics"]["mappings"]["_source"], json!({"mode": "synthetic"}));
    let (status, no_routing) =
        call(&c, url, Method::PUT, "/no_routing", Some(json!({"settings": {"index.mode": "time_series"}}))).await;
    assert_eq!(status, 400);

    // Synthetic source cannot be turned back into stored source.
    call(&c, url, Method::PUT, "/synth", Some(json!({"mappings": {"_source": {"mode": "synthetic"}}}))).await;
    let (status, refused) =
        call(&c, url, Method::PUT, "/synth/_mapping", Some(json!({"_source": {"mode": "stored"}}))).await;
    assert_eq!(status, 400);
    let (status, _) = call(&c, url, Method::PUT, "/overridden/_mapping", Some(json!({"properties": {}}))).await;
    assert_eq!(status, 200);

    // Synthetic source cannot filter what is stored; a mode may turn into `disabled`.
    let body = json!({"mappings": {"_source": {"mode": "synthetic", "excludes": ["secret"]}}});
    let (status, err) = call(&c, url, Method::PUT, "/filtering", Some(body)).await;
    assert_eq!(status, 400);
    assert_eq!(
        (&err["error"]["type"], &err["error"]["caused_by"]["reason"]),
        (
            &json!("mapper_parsing_exception"),
            &json!("filtering the stored _source is incompatible with synthetic source")
        )
    );
    let (status, _) =
        call(&c, url, Method::PUT, "/synth/_mapping", Some(json!({"_source": {"mode": "disabled"}}))).await;
    assert_eq!(status, 200);

    // A flattened field without doc values keeps its value as sent...
    let flat = json!({"type": "flattened", "doc_values": false});
    let body = json!({"mappings": {"_source": {"mode": "synthetic"}, "properties": {"f": flat}}});
    assert_eq!(call(&c, url, Method::PUT, "/flat", Some(body)).await.0, 200);
    let doc = json!({"f": {"b": "2", "a": ["z", "y"]}});
    call(&c, url, Method::PUT, "/flat/_doc/1?refresh=true", Some(doc.clone())).await;
    assert_eq!(call(&c, url, Method::GET, "/flat/_doc/1", None).await.1["_source"], doc);
    // ...which an index storing its source whole cannot rebuild on request.
    call(&c, url, Method::PUT, "/flat_stored", Some(json!({"mappings": {"properties": {"f": flat}}}))).await;
    call(&c, url, Method::PUT, "/flat_stored/_doc/1", Some(doc)).await;
    let (status, flattened) = call(&c, url, Method::GET, "/flat_stored/_doc/1?force_synthetic_source=true", None).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(
        "source_mode_errors",
        json!({"logsdb": logsdb, "no_routing": no_routing, "refused": refused, "flattened": flattened})
    );
}

fn synthetic_index() -> Value {
    json!({
        "settings": {"index": {"refresh_interval": -1}},
        "mappings": {"_source": {"mode": "synthetic"}, "properties": {
            "kwd": {"type": "keyword", "ignore_above": 10},
            "n": {"type": "long"},
            "ip": {"type": "ip", "ignore_malformed": true},
            "obj": {"properties": {"kwd": {"type": "keyword"}}},
            "text": {"type": "text", "store": true},
            "copied": {"type": "keyword", "copy_to": "all"},
            "all": {"type": "keyword"},
        }}
    })
}

fn document() -> Value {
    json!({
        "kwd": ["b", "jumped over the lazy dog", "a", "b"],
        "n": [3, 1, 2],
        "ip": ["192.8.1.2", "hot garbage", "10.10.1.1"],
        "obj.kwd": "foo",
        "text": ["the quick", "brown fox"],
        "copied": ["z", "y"],
    })
}

#[tokio::test]
async fn synthetic_source_in_every_read() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/synth", Some(synthetic_index())).await;
    call(&c, url, Method::PUT, "/synth/_doc/1", Some(document())).await;

    // Realtime get, read back from the translog before any refresh.
    let (_, realtime) = call(&c, url, Method::GET, "/synth/_doc/1", None).await;
    insta::assert_json_snapshot!("synthetic_get", realtime);
    let expected = realtime["_source"].clone();
    assert_eq!(expected["obj"], json!({"kwd": "foo"}));

    call(&c, url, Method::POST, "/synth/_refresh", None).await;
    let (_, got) = call(&c, url, Method::GET, "/synth/_doc/1", None).await;
    assert_eq!(got["_source"], expected, "refreshed get");
    let (_, docs) = call(&c, url, Method::POST, "/synth/_mget", Some(json!({"ids": ["1"]}))).await;
    assert_eq!(docs["docs"][0]["_source"], expected, "mget");
    let (_, found) = call(&c, url, Method::POST, "/synth/_search", Some(json!({"query": {"match_all": {}}}))).await;
    assert_eq!(found["hits"]["hits"][0]["_source"], expected, "search");
    let query = json!({"query": {"term": {"n": 3}}});
    let (_, explained) = call(&c, url, Method::POST, "/synth/_explain/1", Some(query)).await;
    assert_eq!(explained["matched"], json!(true));
    let (_, filtered) = call(&c, url, Method::GET, "/synth/_doc/1?_source=obj", None).await;
    assert_eq!(filtered["_source"], json!({"obj": {"kwd": "foo"}}), "source filtering of the synthetic source");

    // An update merges into the synthetic source.
    let update = json!({"doc": {"n": 0}});
    let (status, _) = call(&c, url, Method::POST, "/synth/_update/1?refresh=true", Some(update)).await;
    assert_eq!(status, 200);
    let (_, updated) = call(&c, url, Method::GET, "/synth/_doc/1", None).await;
    assert_eq!(updated["_source"]["n"], json!(0));
    assert_eq!(updated["_source"]["kwd"], expected["kwd"]);
}

#[tokio::test]
async fn force_synthetic_source_on_stored_source() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mut body = synthetic_index();
    body["mappings"]["_source"] = json!({"mode": "stored"});
    call(&c, url, Method::PUT, "/stored", Some(body)).await;
    call(&c, url, Method::PUT, "/stored/_doc/1?refresh=true", Some(document())).await;

    let (_, got) = call(&c, url, Method::GET, "/stored/_doc/1", None).await;
    assert_eq!(got["_source"], document(), "stored source as sent");
    let (_, forced) = call(&c, url, Method::GET, "/stored/_doc/1?force_synthetic_source=true", None).await;
    assert_eq!(forced["_source"]["obj"], json!({"kwd": "foo"}));
    assert_eq!(forced["_source"]["n"], json!([1, 2, 3]));
    let (_, docs) =
        call(&c, url, Method::POST, "/stored/_mget?force_synthetic_source=true", Some(json!({"ids": ["1"]}))).await;
    assert_eq!(docs["docs"][0]["_source"], forced["_source"], "mget");
    let (_, found) = call(&c, url, Method::POST, "/stored/_search?force_synthetic_source=true", Some(json!({}))).await;
    assert_eq!(found["hits"]["hits"][0]["_source"], forced["_source"], "search");
    let (_, plain) = call(&c, url, Method::POST, "/stored/_search", Some(json!({}))).await;
    assert_eq!(plain["hits"]["hits"][0]["_source"], document(), "search without forcing");
}

#[tokio::test]
async fn index_ignore_above_and_synthetic_source() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let body = json!({"settings": {"index.mapping": {"source.mode": "synthetic", "ignore_above": 5}},
        "mappings": {"properties": {"k": {"type": "keyword"}, "f": {"type": "flattened"}}}});
    call(&c, url, Method::PUT, "/short", Some(body)).await;
    let doc = json!({"k": ["longer one", "b", "a"], "f": {"v": ["too long", "z", "y"]}});
    call(&c, url, Method::PUT, "/short/_doc/1?refresh=true", Some(doc)).await;
    let (_, got) = call(&c, url, Method::GET, "/short/_doc/1", None).await;
    assert_eq!(got["_source"], json!({"f": {"v": ["y", "z", "too long"]}, "k": ["a", "b", "longer one"]}));
    let (_, found) =
        call(&c, url, Method::POST, "/short/_search", Some(json!({"query": {"term": {"k": "longer one"}}}))).await;
    assert_eq!(found["hits"]["total"]["value"], json!(0), "values past ignore_above are not indexed");

    let body = json!({"settings": {"index.mapping.ignore_above": -1}});
    let (status, err) = call(&c, url, Method::PUT, "/negative", Some(body)).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("illegal_argument_exception")));
}

#[tokio::test]
async fn index_modes_check_their_settings() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let (status, _) = call(&c, url, Method::PUT, "/lookup", Some(json!({"settings": {"index.mode": "lookup"}}))).await;
    assert_eq!(status, 200);
    let (_, settings) = call(&c, url, Method::GET, "/lookup/_settings", None).await;
    assert_eq!(settings["lookup"]["settings"]["index"]["number_of_shards"], json!("1"));
    assert_eq!(settings["lookup"]["settings"]["index"]["mode"], json!("lookup"));
    let body = json!({"settings": {"index.mode": "lookup", "index.number_of_shards": 2}});
    let (status, two) = call(&c, url, Method::PUT, "/lookup2", Some(body)).await;
    assert_eq!(status, 400);
    let body = json!({"settings": {"index.mode": "time_series", "index.routing_path": ["k"], "index.sort.field": "k"}});
    let (status, sorted) = call(&c, url, Method::PUT, "/tsdb", Some(body)).await;
    assert_eq!(status, 400);
    let (status, unknown) = call(&c, url, Method::PUT, "/odd", Some(json!({"settings": {"index.mode": "odd"}}))).await;
    assert_eq!(status, 400);
    let reasons: Vec<&Value> = [&two, &sorted, &unknown].iter().map(|e| &e["error"]["reason"]).collect();
    assert_eq!(
        reasons,
        [
            "index with [lookup] mode must have [index.number_of_shards] set to 1 or unset; provided 2",
            "[index.mode=time_series] is incompatible with [index.sort.field]",
            "[odd] is an invalid index mode, valid modes are: [standard,time_series,logsdb,lookup]",
        ]
    );
}

#[tokio::test]
async fn synthetic_source_keep_on_objects_and_index() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let body = json!({"settings": {"index.mapping": {"source.mode": "synthetic", "synthetic_source_keep": "arrays"}},
    "mappings": {"properties": {
        "kept": {"type": "object", "properties": {"a": {"type": "long"}}},
        "merged": {"type": "object", "synthetic_source_keep": "none", "properties": {"a": {"type": "long"}}},
    }}});
    call(&c, url, Method::PUT, "/keep", Some(body)).await;
    let doc = json!({"kept": [{"a": 2}, {"a": 1}], "merged": [{"a": 2}, {"a": 1}]});
    call(&c, url, Method::PUT, "/keep/_doc/1?refresh=true", Some(doc)).await;
    let (_, got) = call(&c, url, Method::GET, "/keep/_doc/1", None).await;
    assert_eq!(got["_source"], json!({"kept": [{"a": 2}, {"a": 1}], "merged": {"a": [1, 2]}}));
}

#[tokio::test]
async fn forcing_a_synthetic_source_needs_a_mapping_that_can_rebuild_it() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let plain = json!({"mappings": {"properties": {"text": {"type": "text"}}}});
    call(&c, url, Method::PUT, "/plain", Some(plain)).await;
    let rebuildable = json!({"mappings": {"properties": {
        "text": {"type": "text", "fields": {"raw": {"type": "keyword"}}}
    }}});
    call(&c, url, Method::PUT, "/rebuildable", Some(rebuildable)).await;
    for index in ["plain", "rebuildable"] {
        call(&c, url, Method::PUT, &format!("/{index}/_doc/1?refresh=true"), Some(json!({"text": "foo"}))).await;
    }
    let (status, err) = call(&c, url, Method::GET, "/plain/_doc/1?force_synthetic_source=true", None).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("illegal_argument_exception")));
    let (status, _) = call(&c, url, Method::POST, "/plain/_search?force_synthetic_source=true", None).await;
    assert_eq!(status.as_u16(), 400);
    let (_, got) = call(&c, url, Method::GET, "/rebuildable/_doc/1?force_synthetic_source=true", None).await;
    assert_eq!(got["_source"], json!({"text": "foo"}));
}

#[tokio::test]
async fn fields_of_a_synthetic_source_index_come_from_the_columns() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let body = json!({
        "settings": {"index": {"mapping.source.mode": "synthetic"}},
        "mappings": {"properties": {"n": {"type": "long", "copy_to": "copy"}, "copy": {"type": "keyword"}}}
    });
    call(&c, url, Method::PUT, "/syn", Some(body)).await;
    call(&c, url, Method::PUT, "/syn/_doc/1?refresh=true", Some(json!({"n": 100}))).await;
    let (_, found) = call(&c, url, Method::POST, "/syn/_search", Some(json!({"fields": ["n", "copy"]}))).await;
    let hit = &found["hits"]["hits"][0];
    // The copy is not in the source, but the field holds it.
    assert_eq!(hit["_source"], json!({"n": 100}));
    assert_eq!(hit["fields"], json!({"copy": ["100"], "n": [100]}));
}

#[tokio::test]
async fn stored_fields_outlive_a_source_that_leaves_them_out() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({
        "_source": {"excludes": ["secret", "items.note"]},
        "properties": {
            "secret": {"type": "keyword", "store": true},
            "title": {"type": "text"},
            "items": {"properties": {"note": {"type": "text", "store": true}, "n": {"type": "long"}}},
        }
    });
    call(&c, url, Method::PUT, "/kept", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"secret": "s3", "title": "hello", "items": [{"note": "quick fox", "n": 1}, {"n": 2}, {"note": "lazy dog"}]});
    call(&c, url, Method::PUT, "/kept/_doc/1", Some(doc)).await;

    // Realtime (from the translog) and refreshed, the stored values are there.
    for refresh in [false, true] {
        if refresh {
            call(&c, url, Method::POST, "/kept/_refresh", None).await;
        }
        let (_, got) = call(&c, url, Method::GET, "/kept/_doc/1?stored_fields=secret,items.note,_source", None).await;
        assert_eq!(got["_source"], json!({"title": "hello", "items": [{"n": 1}, {"n": 2}]}), "{refresh}");
        assert_eq!(got["fields"], json!({"secret": ["s3"], "items.note": ["quick fox", "lazy dog"]}), "{refresh}");
    }

    let body = json!({
        "query": {"match": {"items.note": "fox"}},
        "stored_fields": ["secret"],
        "highlight": {"fields": {"items.note": {}}},
    });
    let (_, found) = call(&c, url, Method::POST, "/kept/_search", Some(body)).await;
    let hit = &found["hits"]["hits"][0];
    assert_eq!(hit["fields"], json!({"secret": ["s3"]}));
    assert_eq!(hit["highlight"]["items.note"], json!(["quick <em>fox</em>"]));

    // With `_source` disabled, every stored field is kept.
    let mappings = json!({"_source": {"enabled": false}, "properties": {"k": {"type": "keyword", "store": true}}});
    call(&c, url, Method::PUT, "/bare", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/bare/_doc/1?refresh=true", Some(json!({"k": ["a", "b"]}))).await;
    let (_, got) = call(&c, url, Method::GET, "/bare/_doc/1?stored_fields=k", None).await;
    assert!(got.get("_source").is_none());
    assert_eq!(got["fields"], json!({"k": ["a", "b"]}));
    let (_, found) = call(&c, url, Method::POST, "/bare/_search", Some(json!({"stored_fields": ["k"]}))).await;
    assert_eq!(found["hits"]["hits"][0]["fields"], json!({"k": ["a", "b"]}));
}

#[tokio::test]
async fn nested_objects_keep_their_offsets_when_filtering_empties_one() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({
        "_source": {"excludes": ["comments.secret"]},
        "properties": {"comments": {"type": "nested", "properties": {
            "author": {"type": "keyword"}, "secret": {"type": "keyword", "store": true}}}}
    });
    call(&c, url, Method::PUT, "/threads", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"comments": [{"secret": "s1"}, {"author": "bob", "secret": "s2"}]});
    call(&c, url, Method::PUT, "/threads/_doc/1?refresh=true", Some(doc)).await;
    let body = json!({"query": {"nested": {"path": "comments", "query": {"term": {"comments.author": "bob"}},
        "inner_hits": {"stored_fields": ["comments.secret", "_source"]}}}});
    let (_, found) = call(&c, url, Method::POST, "/threads/_search", Some(body)).await;
    let inner = &found["hits"]["hits"][0]["inner_hits"]["comments"]["hits"]["hits"][0];
    assert_eq!(inner["_nested"]["offset"], 1);
    assert_eq!(inner["_source"], json!({"author": "bob"}));
    assert_eq!(inner["fields"], json!({"comments.secret": ["s2"]}));
    // The stored source keeps the emptied object's place, for the offsets.
    assert_eq!(found["hits"]["hits"][0]["_source"], json!({"comments": [{}, {"author": "bob"}]}));
}
