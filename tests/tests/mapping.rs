//! Mappings applied to documents over HTTP: dynamic mapping, field type
//! errors, strict objects, `_source` filtering, and `_analyze`.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tensile_tests::{call, ids, server};

#[tokio::test]
async fn dynamic_mapping_and_field_errors() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let doc = json!({"title": "Hello world", "views": 3, "ratio": 0.5, "ok": true, "at": "2024-05-01T10:00:00Z",
        "user": {"name": "kim", "tags": ["a", "b"]}, "nothing": null});
    let (status, _) = call(&c, url, Method::PUT, "/logs/_doc/1", Some(doc)).await;
    assert_eq!(status, 201);
    let (_, mapping) = call(&c, url, Method::GET, "/logs/_mapping", None).await;
    insta::assert_json_snapshot!("dynamic_mapping", mapping);

    // A value the mapped type cannot take: ES's error, with its cause.
    let (status, err) = call(&c, url, Method::PUT, "/logs/_doc/2", Some(json!({"views": "many"}))).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("field_type_error", err);

    // Strict objects refuse new fields; `dynamic: false` keeps them in `_source` only.
    let body = json!({"mappings": {"dynamic": "strict", "properties": {
        "free": {"type": "object", "dynamic": false}, "n": {"type": "integer"}}}});
    call(&c, url, Method::PUT, "/strict", Some(body)).await;
    let (status, err) = call(&c, url, Method::PUT, "/strict/_doc/1", Some(json!({"other": 1}))).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("strict_dynamic_mapping_exception")));
    let (status, _) = call(&c, url, Method::PUT, "/strict/_doc/1", Some(json!({"free": {"x": 1}}))).await;
    assert_eq!(status, 201);
    let (_, mapping) = call(&c, url, Method::GET, "/strict/_mapping", None).await;
    assert_eq!(mapping["strict"]["mappings"]["properties"]["free"], json!({"type": "object", "dynamic": false}));
}

#[tokio::test]
async fn source_configuration_and_routing_requirement() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let body = json!({"mappings": {"_source": {"excludes": ["secret"]}, "_routing": {"required": true}}});
    call(&c, url, Method::PUT, "/filtered", Some(body)).await;
    let (status, err) = call(&c, url, Method::PUT, "/filtered/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("routing_missing_exception")));
    let (status, _) =
        call(&c, url, Method::PUT, "/filtered/_doc/1?routing=r", Some(json!({"a": 1, "secret": 2}))).await;
    assert_eq!(status, 201);
    let (_, got) = call(&c, url, Method::GET, "/filtered/_doc/1?routing=r", None).await;
    assert_eq!(got["_source"], json!({"a": 1}));

    let stored =
        json!({"mappings": {"properties": {"count": {"type": "integer", "store": true}, "tag": {"type": "keyword"}}}});
    call(&c, url, Method::PUT, "/stored", Some(stored)).await;
    call(&c, url, Method::PUT, "/stored/_doc/1", Some(json!({"count": 1, "tag": "a"}))).await;
    let (_, got) = call(&c, url, Method::GET, "/stored/_doc/1?stored_fields=count,tag", None).await;
    assert_eq!(got["fields"], json!({"count": [1]}), "only stored fields: {got}");
    assert!(got.get("_source").is_none(), "stored_fields leaves _source out unless asked: {got}");

    call(&c, url, Method::PUT, "/nosource", Some(json!({"mappings": {"_source": {"enabled": false}}}))).await;
    call(&c, url, Method::PUT, "/nosource/_doc/1", Some(json!({"a": 1}))).await;
    let (status, got) = call(&c, url, Method::GET, "/nosource/_doc/1", None).await;
    assert_eq!((status.as_u16(), got.get("_source")), (200, None));
    let (status, _) = call(&c, url, Method::GET, "/nosource/_source/1", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn analyze_with_built_in_custom_and_field_analyzers() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let analyze = |index: Option<&str>, body: Value| {
        let path = index.map_or("/_analyze".to_owned(), |i| format!("/{i}/_analyze"));
        let c = c.clone();
        async move { call(&c, url, Method::POST, &path, Some(body)).await }
    };
    let (_, english) = analyze(None, json!({"analyzer": "english", "text": "The QUICK foxes jumped"})).await;
    insta::assert_json_snapshot!("analyze_english", english);

    let settings = json!({"settings": {"analysis": {
        "analyzer": {"folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"], "char_filter": ["html_strip"]}},
        "normalizer": {"lower": {"type": "custom", "filter": ["lowercase"]}}}},
        "mappings": {"properties": {"body": {"type": "text", "analyzer": "folded"}, "code": {"type": "keyword", "normalizer": "lower"}}}});
    call(&c, url, Method::PUT, "/texts", Some(settings)).await;
    let (_, by_field) = analyze(Some("texts"), json!({"field": "body", "text": "<b>Café</b> Crème"})).await;
    insta::assert_json_snapshot!("analyze_custom_field", by_field);
    let (_, normalized) = analyze(Some("texts"), json!({"field": "code", "text": "AbC"})).await;
    assert_eq!(normalized["tokens"][0]["token"], "abc");
    let (_, explained) =
        analyze(None, json!({"tokenizer": "whitespace", "filter": ["lowercase"], "text": "A b", "explain": true}))
            .await;
    insta::assert_json_snapshot!("analyze_explain", explained);

    let (status, err) = analyze(Some("texts"), json!({"field": "missing_is_fine", "text": "x"})).await;
    assert_eq!(
        (status.as_u16(), &err["tokens"][0]["token"]),
        (200, &json!("x")),
        "an unmapped field takes the default analyzer"
    );
    call(&c, url, Method::PUT, "/texts/_mapping", Some(json!({"properties": {"n": {"type": "integer"}}}))).await;
    let (status, err) = analyze(Some("texts"), json!({"field": "n", "text": "1"})).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("illegal_argument_exception")));

    let (status, err) = analyze(None, json!({"analyzer": "folded", "text": "x"})).await;
    assert_eq!((status.as_u16(), &err["error"]["reason"]), (400, &json!("failed to find global analyzer [folded]")));
}

#[tokio::test]
async fn dotted_names_in_mappings_stand_for_objects() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let created = json!({"mappings": {"properties": {"a.b": {"type": "keyword"}}}});
    call(&c, url, Method::PUT, "/dots", Some(created)).await;
    let update = json!({"properties": {"a.c": {"type": "long"}, "x.y.z": {"type": "text"}}});
    let (status, _) = call(&c, url, Method::PUT, "/dots/_mapping", Some(update)).await;
    assert!(status.is_success());
    let (_, mapping) = call(&c, url, Method::GET, "/dots/_mapping", None).await;
    assert_eq!(
        mapping["dots"]["mappings"]["properties"],
        json!({"a": {"properties": {"b": {"type": "keyword"}, "c": {"type": "long"}}},
               "x": {"properties": {"y": {"properties": {"z": {"type": "text"}}}}}})
    );
    // Under `subobjects: false` a dotted name is a leaf's.
    let flat = json!({"mappings": {"subobjects": false, "properties": {"a.b": {"type": "keyword"}}}});
    call(&c, url, Method::PUT, "/flat", Some(flat)).await;
    call(&c, url, Method::PUT, "/flat/_mapping", Some(json!({"properties": {"a.c": {"type": "long"}}}))).await;
    let (_, mapping) = call(&c, url, Method::GET, "/flat/_mapping", None).await;
    assert_eq!(mapping["flat"]["mappings"]["properties"], json!({"a.b": {"type": "keyword"}, "a.c": {"type": "long"}}));
    // A mapping wrapped in a type is refused, as since 8.0.
    let typed = json!({"_doc": {"properties": {"f": {"type": "keyword"}}}});
    let (status, err) = call(&c, url, Method::PUT, "/dots/_mapping", Some(typed)).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("illegal_argument_exception")));
}

#[tokio::test]
async fn token_count_fields_index_the_number_of_tokens() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"name": {"type": "text", "fields": {
        "length": {"type": "token_count", "analyzer": "standard"},
        "words": {"type": "token_count", "analyzer": "stop", "enable_position_increments": false}
    }}}});
    call(&c, url, Method::PUT, "/tc", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/tc/_doc/1", Some(json!({"name": "the quick brown fox"}))).await;
    call(&c, url, Method::PUT, "/tc/_doc/2?refresh=true", Some(json!({"name": "hello"}))).await;
    let search = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move { call(&c, &url, Method::POST, "/tc/_search", Some(q)).await.1 }
    };
    let found = search(json!({"query": {"term": {"name.length": 4}}, "fields": ["name.*"]})).await;
    assert_eq!(found["hits"]["total"]["value"], 1);
    assert_eq!(found["hits"]["hits"][0]["fields"], json!({"name.length": [4], "name.words": [3]}));
    let ranged = search(json!({"query": {"range": {"name.length": {"lt": 2}}}})).await;
    assert_eq!(ranged["hits"]["hits"][0]["_id"], "2");
    // The analyzer is required.
    let bad = json!({"mappings": {"properties": {"n": {"type": "token_count"}}}});
    let (status, err) = call(&c, url, Method::PUT, "/tc2", Some(bad)).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("mapper_parsing_exception")));
}

#[tokio::test]
async fn ignore_malformed_dates_take_objects_numbers_do_not() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "when": {"type": "date", "ignore_malformed": true},
        "nanos": {"type": "date_nanos"},
        "n": {"type": "long", "ignore_malformed": true}
    }});
    let settings = json!({"index": {"mapping.source.mode": "synthetic"}});
    call(&c, url, Method::PUT, "/im", Some(json!({"settings": settings, "mappings": mappings}))).await;
    let doc = json!({"when": {"key": "a"}, "nanos": "2024-02-03T10:12:43.123456789Z"});
    let (status, _) = call(&c, url, Method::PUT, "/im/_doc/1?refresh=true", Some(doc)).await;
    assert_eq!(status.as_u16(), 201);
    let (_, got) = call(&c, url, Method::GET, "/im/_doc/1", None).await;
    assert_eq!(got["_source"], json!({"nanos": "2024-02-03T10:12:43.123456789Z", "when": {"key": "a"}}));
    let (status, err) = call(&c, url, Method::PUT, "/im/_doc/2", Some(json!({"n": {"key": 1}}))).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("document_parsing_exception")));
}

#[tokio::test]
async fn flattened_fields_map_some_keys_as_fields_of_their_own() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"labels": {"type": "flattened", "properties": {
        "host.name": {"type": "keyword"}, "status_code": {"type": "long"}
    }}}});
    call(&c, url, Method::PUT, "/fl", Some(json!({"mappings": mappings}))).await;
    let docs = [
        json!({"labels": {"host": {"name": "b"}, "status_code": 503, "region": "eu"}}),
        json!({"labels": {"host": {"name": "a"}, "status_code": 200, "region": "us"}}),
    ];
    for (i, doc) in docs.iter().enumerate() {
        call(&c, url, Method::PUT, &format!("/fl/_doc/{i}?refresh=true"), Some(doc.clone())).await;
    }
    let search = |body: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move { call(&c, &url, Method::POST, "/fl/_search", Some(body)).await.1 }
    };
    // A mapped long sorts and ranges as a number; other keys stay flattened.
    let sorted = search(json!({"sort": [{"labels.status_code": "desc"}]})).await;
    assert_eq!(ids(&sorted), ["0", "1"]);
    let ranged = search(json!({"query": {"range": {"labels.status_code": {"gte": 300}}}})).await;
    assert_eq!(ids(&ranged), ["0"]);
    let region = search(json!({"query": {"term": {"labels.region": "us"}}})).await;
    assert_eq!(ids(&region), ["1"]);
    // A key asked by its full name in `fields`.
    let fields =
        search(json!({"query": {"ids": {"values": ["1"]}}, "fields": ["labels.region"], "_source": false})).await;
    assert_eq!(fields["hits"]["hits"][0]["fields"], json!({"labels.region": ["us"]}));
}

#[tokio::test]
async fn range_fields_hold_ranges_and_answer_by_relation() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "ages": {"type": "integer_range"},
        "during": {"type": "date_range", "format": "yyyy-MM-dd"},
        "net": {"type": "ip_range"}
    }});
    call(&c, url, Method::PUT, "/ranges", Some(json!({"mappings": mappings}))).await;
    let docs = [
        json!({"ages": {"gte": 10, "lt": 20}, "during": {"gte": "2020-01-01", "lte": "2020-01-31"}, "net": "10.0.0.0/8"}),
        json!({"ages": [{"gte": 30, "lte": 40}, {"gt": 50}], "net": {"gte": "192.168.0.1", "lte": "192.168.0.9"}}),
    ];
    for (i, doc) in docs.iter().enumerate() {
        let (status, body) =
            call(&c, url, Method::PUT, &format!("/ranges/_doc/{i}?refresh=true"), Some(doc.clone())).await;
        assert_eq!(status.as_u16(), 201, "{body}");
    }
    let search = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            ids(&call(&c, &url, Method::POST, "/ranges/_search", Some(json!({"query": q}))).await.1)
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        }
    };
    // A term is a point the ranges hold; `lt: 20` ends at 19.
    assert_eq!(search(json!({"term": {"ages": 15}})).await, ["0"]);
    assert!(search(json!({"term": {"ages": 20}})).await.is_empty());
    assert_eq!(search(json!({"term": {"ages": 1000}})).await, ["1"], "open above 50");
    assert_eq!(search(json!({"term": {"net": "10.1.2.3"}})).await, ["0"]);
    // Relations between the document's ranges and the query's.
    let relation = |r: &str| json!({"range": {"ages": {"gte": 12, "lte": 35, "relation": r}}});
    let mut both = search(relation("intersects")).await;
    both.sort();
    assert_eq!(both, ["0", "1"]);
    assert!(search(relation("within")).await.is_empty());
    assert_eq!(search(json!({"range": {"ages": {"gte": 12, "lte": 15, "relation": "contains"}}})).await, ["0"]);
    // A date's upper bound covers its whole day.
    assert_eq!(search(json!({"term": {"during": "2020-01-31"}})).await, ["0"]);
    let (_, found) = call(
        &c,
        url,
        Method::POST,
        "/ranges/_search",
        Some(json!({"query": {"ids": {"values": ["0"]}}, "fields": ["ages", "during"]})),
    )
    .await;
    assert_eq!(
        found["hits"]["hits"][0]["fields"],
        json!({"ages": [{"gte": 10, "lte": 19}], "during": [{"gte": "2020-01-01", "lte": "2020-01-31"}]})
    );
    let (status, _) = call(&c, url, Method::POST, "/ranges/_search", Some(json!({"sort": ["ages"]}))).await;
    assert_eq!(status.as_u16(), 400);
    let (status, err) =
        call(&c, url, Method::PUT, "/ranges/_doc/bad", Some(json!({"ages": {"gte": 5, "lte": 1}}))).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("document_parsing_exception")));
}

#[tokio::test]
async fn passthrough_objects_answer_to_their_fields_short_names() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "attributes": {"type": "passthrough", "priority": 10, "properties": {"host.name": {"type": "keyword"}}},
        "resource": {"properties": {"attributes": {"type": "passthrough", "priority": 20,
            "properties": {"host.name": {"type": "keyword"}}}}}
    }});
    call(&c, url, Method::PUT, "/pt", Some(json!({"mappings": mappings}))).await;
    let docs = [
        json!({"attributes": {"host.name": "low"}, "resource": {"attributes": {"host.name": "high"}}}),
        json!({"attributes": {"host.name": "high"}}),
    ];
    for (i, doc) in docs.iter().enumerate() {
        call(&c, url, Method::PUT, &format!("/pt/_doc/{i}?refresh=true"), Some(doc.clone())).await;
    }
    // `host.name` is the higher priority object's field.
    let (_, found) =
        call(&c, url, Method::POST, "/pt/_search", Some(json!({"query": {"term": {"host.name": "high"}}}))).await;
    assert_eq!(ids(&found), ["0"]);
    let (_, caps) = call(&c, url, Method::GET, "/pt/_field_caps?fields=attributes.*,resource.*", None).await;
    assert_eq!(caps["fields"]["attributes"]["object"]["passthrough"], true);
    assert!(caps["fields"]["resource"]["object"].get("passthrough").is_none());
    let (_, mapping) = call(&c, url, Method::GET, "/pt/_mapping", None).await;
    assert_eq!(mapping["pt"]["mappings"]["properties"]["attributes"]["type"], "passthrough");
}

#[tokio::test]
async fn dynamic_strings_can_map_to_keywords_alone() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let settings = json!({"settings": {"index.mapping.dynamic_strings.auto_text": false}});
    call(&c, url, Method::PUT, "/kw", Some(settings)).await;
    call(&c, url, Method::PUT, "/kw/_doc/1", Some(json!({"a": "hello"}))).await;
    let (_, mapping) = call(&c, url, Method::GET, "/kw/_mapping", None).await;
    assert_eq!(mapping["kw"]["mappings"]["properties"]["a"], json!({"type": "keyword"}));
    // Turned back on, the next new string is text with a keyword sub-field.
    call(&c, url, Method::PUT, "/kw/_settings", Some(json!({"index.mapping.dynamic_strings.auto_text": true}))).await;
    call(&c, url, Method::PUT, "/kw/_doc/2", Some(json!({"b": "hello"}))).await;
    let (_, mapping) = call(&c, url, Method::GET, "/kw/_mapping", None).await;
    assert_eq!(mapping["kw"]["mappings"]["properties"]["b"]["type"], "text");
    let (_, defaults) =
        call(&c, url, Method::GET, "/kw/_settings?include_defaults=true&flat_settings=true", None).await;
    assert_eq!(defaults["kw"]["settings"]["index.mapping.dynamic_strings.auto_text"], "true");
}

#[tokio::test]
async fn slash_dates_are_detected_with_elasticsearchs_default_formats() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let doc =
        json!({"day": "2015/09/02", "at": "2015/09/02 10:11:12", "iso": "2015-09-02", "code": "12-3", "neg": "-3"});
    call(&c, url, Method::PUT, "/dated/_doc/1", Some(doc)).await;
    let (_, mapping) = call(&c, url, Method::GET, "/dated/_mapping", None).await;
    let props = &mapping["dated"]["mappings"]["properties"];
    let slash = json!({"type": "date", "format": "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis"});
    assert_eq!(props["day"], slash);
    assert_eq!(props["at"], slash);
    assert_eq!(props["iso"], json!({"type": "date"}));
    assert_eq!(props["code"]["type"], "text");
    // A negative number is no date, though `epoch_millis` would read it.
    assert_eq!(props["neg"]["type"], "text");
}
