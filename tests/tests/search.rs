//! Search over HTTP: `_search` and `_count` with the query DSL built so
//! far, sorting, paging and the honest errors for what is not built.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tensile_tests::{call, ids, ids_and_sorts, matched_ids, server};

async fn load(c: &Client, url: &str) {
    let index = json!({"settings": {"number_of_shards": 2},
        "mappings": {"properties": {"title": {"type": "text"}, "year": {"type": "integer"}, "tag": {"type": "keyword"}}}});
    call(c, url, Method::PUT, "/books", Some(index)).await;
    let books = [
        ("1", "The quick brown fox", 1999, "animals"),
        ("2", "A lazy dog", 2005, "animals"),
        ("3", "Rust in action", 2021, "tech"),
        ("4", "The fox and the hound", 1981, "animals"),
    ];
    let docs = books.map(|(id, title, year, tag)| (id.to_string(), json!({"title": title, "year": year, "tag": tag})));
    bulk(c, url, "books", docs).await;
}

/// Bulk-indexes `(id, source)` pairs into an index, refreshed.
async fn bulk(c: &Client, url: &str, index: &str, docs: impl IntoIterator<Item = (String, Value)>) {
    let mut body = String::new();
    for (id, doc) in docs {
        body.push_str(&format!("{}\n{doc}\n", json!({"index": {"_id": id}})));
    }
    let resp = c
        .post(format!("{url}/{index}/_bulk?refresh=true"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
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

#[tokio::test]
async fn fields_search_after_and_post_filter() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;

    // fields, docvalue_fields and stored_fields: values as the mapping gives them.
    let body = json!({"query": {"ids": {"values": ["1"]}}, "_source": false,
        "fields": ["tit*", {"field": "year"}], "docvalue_fields": ["tag"]});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    let hit = &found["hits"]["hits"][0];
    assert_eq!(hit["fields"], json!({"title": ["The quick brown fox"], "year": [1999], "tag": ["animals"]}));
    assert!(hit.get("_source").is_none());
    let (status, err) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"docvalue_fields": ["title"]}))).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("illegal_argument_exception")));
    let (_, none) = call(&c, url, Method::POST, "/books/_search", Some(json!({"stored_fields": "_none_"}))).await;
    let hit = &none["hits"]["hits"][0];
    assert!(hit.get("_id").is_none() && hit.get("_source").is_none(), "{hit}");

    // search_after walks a sorted result page by page, without repeats.
    let mut after: Option<Value> = None;
    let mut seen = Vec::new();
    loop {
        let mut body = json!({"size": 1, "sort": [{"year": "asc"}]});
        if let Some(a) = &after {
            body["search_after"] = a.clone();
        }
        let (_, page) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
        assert_eq!(page["hits"]["total"]["value"], 4, "totals count every match");
        let Some(hit) = page["hits"]["hits"].get(0) else { break };
        seen.push(hit["_id"].as_str().unwrap().to_owned());
        after = Some(hit["sort"].clone());
    }
    assert_eq!(seen, ["4", "1", "2", "3"]);
    let bad = json!({"from": 1, "sort": [{"year": "asc"}], "search_after": [1999]});
    let (status, _) = call(&c, url, Method::POST, "/books/_search", Some(bad)).await;
    assert_eq!(status, 400);
    let bad = json!({"sort": [{"year": "asc"}], "search_after": [1999, "x"]});
    let (status, err) = call(&c, url, Method::POST, "/books/_search", Some(bad)).await;
    assert_eq!(status, 400, "{err}");

    // post_filter narrows the hits, not their scores.
    let (_, all) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"match": {"title": "fox"}}}))).await;
    let filtered = json!({"query": {"match": {"title": "fox"}}, "post_filter": {"term": {"year": 1981}}});
    let (_, some) = call(&c, url, Method::POST, "/books/_search", Some(filtered)).await;
    assert_eq!(ids(&some), ["4"]);
    let score_of = |answer: &Value, id: &str| {
        answer["hits"]["hits"].as_array().unwrap().iter().find(|h| h["_id"] == id).map(|h| h["_score"].clone())
    };
    assert_eq!(score_of(&all, "4"), score_of(&some, "4"));
}

#[tokio::test]
async fn highlighting() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let index = json!({"mappings": {"properties": {"body": {"type": "text", "fields": {"en": {"type": "text", "analyzer": "english"}}}, "tag": {"type": "keyword"}}}});
    call(&c, url, Method::PUT, "/notes", Some(index)).await;
    let long = "Foxes are small. A quick brown fox jumped over the lazy dog near the river bank. \
        Nothing else happens in this sentence at all, it is only here to make the text long enough.";
    call(&c, url, Method::PUT, "/notes/_doc/1?refresh=true", Some(json!({"body": long, "tag": "fox"}))).await;
    let search = |body: Value| {
        let c = c.clone();
        async move { call(&c, url, Method::POST, "/notes/_search", Some(body)).await }
    };
    let (_, found) =
        search(json!({"query": {"bool": {"should": [{"match": {"body": "fox dog"}}, {"term": {"tag": "fox"}}]}},
        "highlight": {"fields": {"*": {}}}}))
        .await;
    insta::assert_json_snapshot!("highlight_terms", found["hits"]["hits"][0]["highlight"]);
    let (_, phrase) = search(json!({"query": {"match_phrase": {"body": "brown fox"}},
        "highlight": {"fields": {"body": {"number_of_fragments": 0, "pre_tags": ["["], "post_tags": ["]"]}}}}))
    .await;
    let whole = phrase["hits"]["hits"][0]["highlight"]["body"][0].as_str().unwrap();
    assert!(whole.starts_with("Foxes are small. A quick [brown] [fox] jumped"), "{whole}");
    // matched_fields: the stemmed sub-field's matches mark the field's text.
    let (_, stemmed) = search(json!({"query": {"match": {"body.en": "foxes"}},
        "highlight": {"fields": {"body": {"matched_fields": ["body.en"], "fragment_size": 20, "number_of_fragments": 1}}}}))
    .await;
    assert_eq!(stemmed["hits"]["hits"][0]["highlight"]["body"], json!(["<em>Foxes</em> are small."]));
    let (status, _) =
        search(json!({"query": {"match": {"body": "fox"}}, "highlight": {"pre_tags": [], "fields": {"body": {}}}}))
            .await;
    assert_eq!(status, 400);
    let (_, none) =
        search(json!({"query": {"match": {"body": "fox"}}, "highlight": {"fields": {"tag": {"no_match_size": 10}}}}))
            .await;
    assert_eq!(
        none["hits"]["hits"][0]["highlight"]["tag"],
        json!(["fox"]),
        "no_match_size gives the start of the value"
    );
    // max_analyzed_offset: analysis stops that many characters in, whatever the index's limit.
    let within = |n: i64| {
        json!({"query": {"match": {"body": "fox"}}, "highlight": {"fields": {"body": {}},
        "type": "plain", "number_of_fragments": 0, "max_analyzed_offset": n}})
    };
    let (_, cut) = search(within(20)).await;
    let text = cut["hits"]["hits"][0]["highlight"]["body"][0].as_str().unwrap_or_default().to_owned();
    assert!(!text.contains("<em>fox</em>"), "\"fox\" starts past 20 characters: {cut}");
    let (_, whole) = search(within(40)).await;
    let text = whole["hits"]["hits"][0]["highlight"]["body"][0].as_str().unwrap_or_default().to_owned();
    assert!(text.contains("brown <em>fox</em>"), "{whole}");
    // The plain highlighter's `simple` fragmenter cuts slices, phrases or not.
    let (_, sliced) = search(json!({"query": {"match_phrase": {"body": "lazy dog"}}, "highlight": {"type": "plain",
        "fragmenter": "simple", "fragment_size": 20, "fields": {"body": {}}}}))
    .await;
    assert_eq!(sliced["hits"]["hits"][0]["highlight"]["body"], json!(["jumped over the <em>lazy</em> <em>dog</em>"]));
    // The unified highlighter has no `chars` boundary scanner.
    let (status, refused) = search(json!({"query": {"match": {"body": "fox"}},
        "highlight": {"boundary_scanner": "chars", "fields": {"body": {}}}}))
    .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn field_caps_merge_across_indices() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let a = json!({"mappings": {"properties": {"n": {"type": "long"}, "t": {"type": "text", "fields": {"k": {"type": "keyword"}}},
        "o": {"properties": {"x": {"type": "keyword", "index": false}}}}}});
    let b = json!({"mappings": {"properties": {"n": {"type": "double"}, "t": {"type": "text"},
        "o": {"properties": {"x": {"type": "keyword"}}}}}});
    call(&c, url, Method::PUT, "/caps-a", Some(a)).await;
    call(&c, url, Method::PUT, "/caps-b", Some(b)).await;
    let (status, caps) =
        call(&c, url, Method::GET, "/caps-*/_field_caps?fields=n,t*,o*&include_unmapped=true", None).await;
    assert_eq!(status, 200, "{caps}");
    insta::assert_json_snapshot!("field_caps", caps);
    let (status, _) = call(&c, url, Method::GET, "/caps-*/_field_caps", None).await;
    assert_eq!(status, 400, "fields are required");
}

#[tokio::test]
async fn point_in_time_keeps_its_view() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let (status, opened) = call(&c, url, Method::POST, "/books/_pit?keep_alive=1m", None).await;
    assert_eq!(status, 200, "{opened}");
    let id = opened["id"].as_str().unwrap().to_owned();
    call(&c, url, Method::PUT, "/books/_doc/5?refresh=true", Some(json!({"title": "Later", "year": 2030}))).await;

    // Pages through the point in time with search_after: the later document is not there.
    let mut after: Option<Value> = None;
    let mut seen = Vec::new();
    loop {
        let mut body = json!({"size": 3, "sort": [{"year": "desc"}], "pit": {"id": id, "keep_alive": "1m"}});
        if let Some(a) = &after {
            body["search_after"] = a.clone();
        }
        let (status, page) = call(&c, url, Method::POST, "/_search", Some(body)).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["pit_id"], json!(id));
        let hits = page["hits"]["hits"].as_array().unwrap().clone();
        let Some(last) = hits.last() else { break };
        assert_eq!(last["sort"].as_array().unwrap().len(), 2, "the _shard_doc tiebreaker is added");
        after = Some(last["sort"].clone());
        seen.extend(hits.iter().map(|h| h["_id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(seen, ["3", "2", "1", "4"]);
    let (status, _) = call(&c, url, Method::POST, "/books/_search", Some(json!({"pit": {"id": id}}))).await;
    assert_eq!(status, 400, "an index beside a point in time is refused");
    let (status, closed) = call(&c, url, Method::DELETE, "/_pit", Some(json!({"id": id}))).await;
    assert_eq!((status.as_u16(), closed["num_freed"].as_u64()), (200, Some(1)));
    let (status, _) = call(&c, url, Method::POST, "/_search", Some(json!({"pit": {"id": id}}))).await;
    assert_eq!(status, 404);

    // Through a filtered alias, the point in time keeps the alias's filter.
    let alias = json!({"actions": [{"add": {"index": "books", "alias": "tech", "filter": {"term": {"tag": "tech"}}}}]});
    call(&c, url, Method::POST, "/_aliases", Some(alias)).await;
    let (_, opened) = call(&c, url, Method::POST, "/tech/_pit?keep_alive=1m", None).await;
    let body = json!({"pit": {"id": opened["id"]}, "indices_boost": [{"books": 2.0}], "query": {"match_all": {}}});
    let (status, filtered) = call(&c, url, Method::POST, "/_search", Some(body)).await;
    assert_eq!(status, 200, "{filtered}");
    assert_eq!(ids(&filtered), ["3"]);
    assert_eq!(filtered["hits"]["hits"][0]["_score"], 2.0, "indices_boost applies too");
}

#[tokio::test]
async fn collapse_keeps_each_groups_best_hit() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let body = json!({"collapse": {"field": "tag", "inner_hits": {"name": "older", "size": 1, "sort": [{"year": "asc"}]}},
        "sort": [{"year": "desc"}]});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), ["3", "2"], "the newest of each tag");
    assert_eq!(found["hits"]["total"]["value"], 4, "totals count every match");
    let first = &found["hits"]["hits"][1];
    assert_eq!(first["fields"]["tag"], json!(["animals"]));
    assert_eq!(first["inner_hits"]["older"]["hits"]["total"]["value"], 3);
    assert_eq!(first["inner_hits"]["older"]["hits"]["hits"][0]["_id"], "4");
    let (status, err) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"collapse": {"field": "title"}}))).await;
    assert_eq!(status, 400, "{err}");
    let (status, _) =
        call(&c, url, Method::POST, "/books/_search?scroll=1m", Some(json!({"collapse": {"field": "tag"}}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn term_and_completion_suggesters() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let index = json!({"mappings": {"properties": {"body": {"type": "text"}, "name": {"type": "completion"}}}});
    call(&c, url, Method::PUT, "/places", Some(index)).await;
    let docs = [
        ("1", json!({"body": "Amsterdam meetup", "name": {"input": ["Amsterdam", "Mokum"], "weight": 5}})),
        ("2", json!({"body": "Amstelveen meetup", "name": "Amstelveen"})),
        ("3", json!({"body": "Berlin", "name": {"input": "Berlin", "weight": 9}})),
    ];
    for (id, doc) in docs {
        call(&c, url, Method::PUT, &format!("/places/_doc/{id}"), Some(doc)).await;
    }
    call(&c, url, Method::POST, "/places/_refresh", None).await;
    let body = json!({"size": 0, "suggest": {
        "fix": {"text": "amsterdma meetpu", "term": {"field": "body"}},
        "start": {"prefix": "ams", "completion": {"field": "name"}}}});
    let (status, found) = call(&c, url, Method::POST, "/places/_search?typed_keys=true", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    insta::assert_json_snapshot!("suggesters", found["suggest"], {
        ".**._source" => "[source]",
        ".**.score" => insta::rounded_redaction(3),
    });
    // The phrase suggester's smoothing models: checked, and laplace's alpha used.
    let smoothed = |smoothing: Value| json!({"suggest": {"p": {"text": "amsterdma meetup", "phrase": {"field": "body", "smoothing": smoothing}}}});
    for (smoothing, status) in [
        (json!({"laplace": {"alpha": 0.7}}), 200),
        (json!({"stupid_backoff": {"discount": 0.3}}), 200),
        (json!({"linear_interpolation": {"trigram_lambda": 0.5, "bigram_lambda": 0.3, "unigram_lambda": 0.2}}), 200),
        (json!({"linear_interpolation": {"trigram_lambda": 0.5, "bigram_lambda": 0.5, "unigram_lambda": 0.5}}), 400),
        (json!({"katz": {}}), 400),
    ] {
        let (got, found) = call(&c, url, Method::POST, "/places/_search", Some(smoothed(smoothing.clone()))).await;
        assert_eq!(got.as_u16(), status, "{smoothing}: {found}");
        if status == 200 {
            assert_eq!(found["suggest"]["p"][0]["options"][0]["text"], "amsterdam meetup", "{smoothing}");
        }
    }

    // Fuzzy completion: a typo within the allowed edits still completes,
    // and agreement from the start outranks weight alone.
    let fuzzy = |prefix: &str, fuzzy: Value| json!({"suggest": {"f": {"prefix": prefix, "completion": {"field": "name", "fuzzy": fuzzy}}}});
    let texts = |found: &Value| -> Vec<(String, f64)> {
        found["suggest"]["f"][0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["text"].as_str().unwrap().to_owned(), o["_score"].as_f64().unwrap()))
            .collect()
    };
    let (status, found) = call(&c, url, Method::POST, "/places/_search", Some(fuzzy("amsterdma", json!({})))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(texts(&found), [("Amsterdam".to_owned(), 5.0 * 7.0)]);
    let (_, found) = call(&c, url, Method::POST, "/places/_search", Some(fuzzy("amste", json!(true)))).await;
    assert_eq!(texts(&found), [("Amsterdam".to_owned(), 25.0), ("Amstelveen".to_owned(), 5.0)]);
    let (_, found) =
        call(&c, url, Method::POST, "/places/_search", Some(fuzzy("bxrlin", json!({"fuzziness": 0})))).await;
    assert!(texts(&found).is_empty(), "no edits allowed: {found}");
    let (status, _) = call(&c, url, Method::POST, "/places/_search", Some(fuzzy("ams", json!({"fuzziness": 5})))).await;
    assert_eq!(status, 400);

    // A regex instead of a prefix: inputs with a prefix it matches whole.
    let regex = |pattern: &str| json!({"suggest": {"f": {"regex": pattern, "completion": {"field": "name"}}}});
    let (status, found) = call(&c, url, Method::POST, "/places/_search", Some(regex("am.*n"))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(texts(&found), [("Amstelveen".to_owned(), 1.0)]);
    assert_eq!(found["suggest"]["f"][0]["text"], "am.*n");
    let (_, found) = call(&c, url, Method::POST, "/places/_search", Some(regex("[bm]"))).await;
    assert_eq!(texts(&found), [("Berlin".to_owned(), 9.0), ("Mokum".to_owned(), 5.0)]);
    let (status, _) = call(&c, url, Method::POST, "/places/_search", Some(regex("(unclosed"))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn fuzzy_matches_rank_by_closeness_with_blended_frequencies() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let index = json!({"mappings": {"properties": {"t": {"type": "text"}, "k": {"type": "keyword"}}}});
    call(&c, url, Method::PUT, "/fz", Some(index)).await;
    // "apply" is common, "appel" (a transposition of "apple") rare.
    let docs =
        [("1", "apple"), ("2", "apply"), ("3", "apple pie"), ("4", "appel"), ("5", "apply now"), ("6", "apply here")];
    for (id, text) in docs {
        call(&c, url, Method::PUT, &format!("/fz/_doc/{id}"), Some(json!({"t": text, "k": text}))).await;
    }
    call(&c, url, Method::POST, "/fz/_refresh", None).await;
    for query in
        [json!({"fuzzy": {"t": {"value": "apple"}}}), json!({"match": {"t": {"query": "apple", "fuzziness": "AUTO"}}})]
    {
        let (status, found) = call(&c, url, Method::POST, "/fz/_search", Some(json!({"query": query}))).await;
        assert_eq!(status, 200, "{found}");
        let hits = found["hits"]["hits"].as_array().unwrap();
        let score = |id: &str| hits.iter().find(|h| h["_id"] == id).and_then(|h| h["_score"].as_f64()).unwrap();
        // The word itself first; one edit away scores less at the same length
        // (by its closeness, 1 - 1/5), and a rare spelling no more than a common one.
        assert_eq!(hits[0]["_id"], "1", "{query}: {found}");
        assert!((score("2") / score("1") - 0.8).abs() < 1e-3, "{query}: {found}");
        assert!((score("2") - score("4")).abs() < 1e-6, "{query}: blended frequencies: {found}");
        assert!(score("5") < score("2") && score("3") < score("1"), "{query}: longer fields score less: {found}");
    }
    // max_expansions: the closest terms only.
    let closest = json!({"query": {"fuzzy": {"t": {"value": "apple", "max_expansions": 1}}}});
    let (_, found) = call(&c, url, Method::POST, "/fz/_search", Some(closest)).await;
    let mut matched = ids(&found);
    matched.sort();
    assert_eq!(matched, ["1", "3"], "{found}");
    // The same terms when nothing is scored (a count), and by the rewrite's size.
    for query in [
        json!({"fuzzy": {"t": {"value": "apple", "max_expansions": 1}}}),
        json!({"match": {"t": {"query": "apple", "fuzziness": 1, "fuzzy_rewrite": "top_terms_blended_freqs_1"}}}),
    ] {
        let (_, counted) = call(&c, url, Method::POST, "/fz/_count", Some(json!({"query": query}))).await;
        assert_eq!(counted["count"], 2, "{counted}");
    }
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/fz/_search",
        Some(json!({"query": {"fuzzy": {"t": {"value": "apple", "max_expansions": 0}}}})),
    )
    .await;
    assert_eq!(status, 400);
    // The expansions are highlighted.
    let highlighted = json!({"query": {"match": {"t": {"query": "aple", "fuzziness": 1}}},
        "highlight": {"fields": {"t": {}}}});
    let (_, found) = call(&c, url, Method::POST, "/fz/_search", Some(highlighted)).await;
    let first = found["hits"]["hits"].as_array().unwrap().iter().find(|h| h["_id"] == "3").unwrap();
    assert_eq!(first["highlight"]["t"], json!(["<em>apple</em> pie"]), "{found}");
    // A constant-score rewrite: every expansion scores alike.
    let constant =
        json!({"query": {"match": {"t": {"query": "apple", "fuzziness": 1, "fuzzy_rewrite": "constant_score"}}}});
    let (_, found) = call(&c, url, Method::POST, "/fz/_search", Some(constant)).await;
    let scores: Vec<f64> =
        found["hits"]["hits"].as_array().unwrap().iter().map(|h| h["_score"].as_f64().unwrap()).collect();
    assert!(scores.len() == 6 && scores.iter().all(|s| *s == scores[0]), "{found}");
    // As a filter, every expansion matches alike.
    let filtered = json!({"query": {"bool": {"filter": {"fuzzy": {"k": {"value": "apple"}}}}}});
    let (_, found) = call(&c, url, Method::POST, "/fz/_search", Some(filtered)).await;
    let mut matched = ids(&found);
    matched.sort();
    assert_eq!(matched, ["1", "2", "4"]);
}

#[tokio::test]
async fn fuzzy_and_prefix_matching() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let found = |query: Value| {
        let c = c.clone();
        async move {
            let (status, answer) = call(&c, url, Method::POST, "/books/_search", Some(json!({"query": query}))).await;
            assert_eq!(status, 200, "{answer}");
            let mut ids: Vec<String> = ids(&answer).into_iter().map(str::to_owned).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(found(json!({"fuzzy": {"title": "fix"}})).await, ["1", "4"]);
    assert_eq!(found(json!({"fuzzy": {"title": {"value": "fix", "fuzziness": 0}}})).await, Vec::<String>::new());
    assert_eq!(found(json!({"match": {"title": {"query": "quikc lazzy", "fuzziness": "AUTO"}}})).await, ["1", "2"]);
    assert_eq!(
        found(json!({"match": {"title": {"query": "quikc", "fuzziness": 1, "fuzzy_transpositions": false}}})).await,
        Vec::<String>::new(),
        "without transpositions a swap is two edits"
    );
    assert_eq!(found(json!({"match_bool_prefix": {"title": "quick bro"}})).await, ["1"]);
    assert_eq!(found(json!({"match_phrase_prefix": {"title": "the fox and th"}})).await, ["4"]);
    assert_eq!(found(json!({"match_phrase_prefix": {"title": "the qu"}})).await, ["1"]);
    assert_eq!(
        found(json!({"multi_match": {"query": "in rus", "type": "bool_prefix", "fields": ["title", "tag"], "operator": "and"}})).await,
        ["3"]
    );
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/books/_search",
        Some(json!({"query": {"match": {"title": {"query": "x", "fuzziness": 3}}}})),
    )
    .await;
    assert_eq!(status, 400, "edit distances above 2 are refused");
}

#[tokio::test]
async fn named_queries_are_listed_on_the_hits_they_match() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let body = json!({"query": {"bool": {"should": [
        {"match": {"title": {"query": "fox", "_name": "foxy"}}},
        {"term": {"tag": {"value": "tech", "_name": "techy"}}},
        {"range": {"year": {"lt": 2000, "_name": "old"}}}]}},
        "sort": [{"year": "asc"}]});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body.clone())).await;
    assert_eq!(status, 200, "{found}");
    let matched: Vec<(String, Value)> = found["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["_id"].as_str().unwrap().to_owned(), h.get("matched_queries").cloned().unwrap_or(Value::Null)))
        .collect();
    assert_eq!(
        matched,
        [
            ("4".to_owned(), json!(["foxy", "old"])),
            ("1".to_owned(), json!(["foxy", "old"])),
            ("3".to_owned(), json!(["techy"])),
        ]
    );
    let (_, scored) = call(&c, url, Method::POST, "/books/_search?include_named_queries_score=true", Some(body)).await;
    assert_eq!(scored["hits"]["hits"][2]["matched_queries"]["techy"].as_f64().map(|s| s > 0.0), Some(true));
    assert_eq!(scored["hits"]["hits"][0]["matched_queries"]["old"], json!(1.0));
}

#[tokio::test]
async fn a_value_a_field_cannot_take_fails_unless_lenient() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let (status, err) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"match": {"year": "soon"}}}))).await;
    assert_eq!((status.as_u16(), err["error"]["type"].as_str()), (400, Some("query_shard_exception")), "{err}");
    let lenient = json!({"query": {"match": {"year": {"query": "soon", "lenient": true}}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(lenient)).await;
    assert_eq!((status.as_u16(), found["hits"]["total"]["value"].as_u64()), (200, Some(0)));
    let (status, _) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"term": {"year": "x"}}}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn rescore_and_indices_boost_reorder_hits() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    // The rescore query lifts "Rust in action" (tag tech) over the foxes within the window.
    let body = json!({"query": {"match": {"title": "fox action"}},
        "rescore": {"window_size": 5, "query": {"rescore_query": {"term": {"tag": "tech"}},
            "query_weight": 1.0, "rescore_query_weight": 10.0}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found)[0], "3");
    // Hits beyond the window are weighted as if the rescore query missed them.
    let narrow = json!({"rescore": {"window_size": 2, "query": {"rescore_query": {"match_all": {}},
        "query_weight": 5, "rescore_query_weight": 10}}});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(narrow)).await;
    let scores: Vec<f64> =
        found["hits"]["hits"].as_array().unwrap().iter().map(|h| h["_score"].as_f64().unwrap()).collect();
    assert_eq!(scores, [15.0, 15.0, 5.0, 5.0]);
    let sorted = json!({"sort": ["year"], "rescore": {"query": {"rescore_query": {"match_all": {}}}}});
    let (status, _) = call(&c, url, Method::POST, "/books/_search", Some(sorted)).await;
    assert_eq!(status, 400, "rescore cannot go with a sort");
    let too_wide = json!({"rescore": {"window_size": 10001, "query": {"rescore_query": {"match_all": {}}}}});
    let (status, _) = call(&c, url, Method::POST, "/books/_search", Some(too_wide)).await;
    assert_eq!(status, 400);

    call(&c, url, Method::PUT, "/other/_doc/9?refresh=true", Some(json!({"title": "A fox"}))).await;
    let boosted = |factor: f64| json!({"query": {"match": {"title": "fox"}}, "indices_boost": [{"oth*": factor}]});
    let (_, up) = call(&c, url, Method::POST, "/books,other/_search", Some(boosted(100.0))).await;
    assert_eq!(up["hits"]["hits"][0]["_index"], "other");
    let (_, down) = call(&c, url, Method::POST, "/books,other/_search", Some(boosted(0.001))).await;
    assert_eq!(down["hits"]["hits"].as_array().unwrap().last().unwrap()["_index"], "other");
}

#[tokio::test]
async fn terminate_after_and_count_options() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/one", Some(json!({"settings": {"number_of_shards": 1}}))).await;
    for i in 0..5 {
        call(&c, url, Method::PUT, &format!("/one/_doc/{i}"), Some(json!({"n": i}))).await;
    }
    call(&c, url, Method::POST, "/one/_refresh", None).await;
    let (_, found) = call(&c, url, Method::POST, "/one/_search?terminate_after=2", None).await;
    assert_eq!((found["terminated_early"].as_bool(), found["hits"]["total"]["value"].as_u64()), (Some(true), Some(2)));
    let (_, all) = call(&c, url, Method::POST, "/one/_search", Some(json!({"terminate_after": 10}))).await;
    assert_eq!((all["terminated_early"].as_bool(), all["hits"]["total"]["value"].as_u64()), (Some(false), Some(5)));
    let (_, counted) = call(&c, url, Method::POST, "/one/_count?terminate_after=3", None).await;
    assert_eq!((counted["count"].as_u64(), counted["terminated_early"].as_bool()), (Some(3), Some(true)));
    let (status, _) = call(&c, url, Method::POST, "/one/_count?terminate_after=-1", None).await;
    assert_eq!(status, 400);
    let (_, none) = call(&c, url, Method::POST, "/one/_count?min_score=2", None).await;
    assert_eq!(none["count"], 0, "match_all scores 1: a minimum of 2 keeps nothing");
}

#[tokio::test]
async fn explain_and_routing() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let (_, found) = call(
        &c,
        url,
        Method::POST,
        "/books/_search?explain=true",
        Some(json!({"query": {"match": {"title": "rust"}}})),
    )
    .await;
    let hit = &found["hits"]["hits"][0];
    assert_eq!(hit["_explanation"]["value"], hit["_score"], "{hit}");
    assert!(hit["_shard"].as_str().unwrap().starts_with("[books]["));
    // A routed document is found through its routing, which searches its shard only.
    call(&c, url, Method::PUT, "/books/_doc/r1?routing=blue&refresh=true", Some(json!({"title": "Routed"}))).await;
    let (_, routed) =
        call(&c, url, Method::POST, "/books/_search?routing=blue", Some(json!({"query": {"ids": {"values": ["r1"]}}})))
            .await;
    assert_eq!((ids(&routed), routed["_shards"]["total"].as_u64()), (vec!["r1"], Some(1)));
    let (_, counted) = call(&c, url, Method::POST, "/books/_count?routing=blue", None).await;
    assert_eq!(counted["_shards"]["total"], 1);
}

#[tokio::test]
async fn query_string_syntax() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let q = |text: &str| {
        let c = c.clone();
        let path = format!("/books/_search?q={}", urlencode(text));
        async move {
            let (status, answer) = call(&c, url, Method::GET, &path, None).await;
            assert_eq!(status, 200, "{answer}");
            let mut ids: Vec<String> = ids(&answer).into_iter().map(str::to_owned).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(q("title:(fox OR dog) AND year:[1990 TO 2010]").await, ["1", "2"]);
    assert_eq!(q("year:{1981 TO *}").await, ["1", "2", "3"]);
    assert_eq!(q("year:<1990").await, ["4"]);
    assert_eq!(q("title:hund~1").await, ["4"]);
    assert_eq!(q("tag:/te.h/").await, ["3"]);
    assert_eq!(q("fox^3 -title:hound").await, ["1"]);
    let (status, _) = call(&c, url, Method::GET, "/books/_search?q=title:(fox", None).await;
    assert_eq!(status, 400);

    let simple = |text: &str| json!({"query": {"simple_query_string": {"query": text, "fields": ["title^2", "tag"]}}});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(simple("(fox | rus*) + -hound"))).await;
    let mut found: Vec<&str> = ids(&found);
    found.sort();
    assert_eq!(found, ["1", "3"]);
    let (status, broken) = call(&c, url, Method::POST, "/books/_search", Some(simple("((\"fox"))).await;
    assert_eq!(status, 200, "simple_query_string never fails on its syntax: {broken}");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn term_vectors_validate_and_search_shards() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let (status, tv) =
        call(&c, url, Method::GET, "/books/_termvectors/4?fields=title&term_statistics=true", None).await;
    assert_eq!(status, 200, "{tv}");
    insta::assert_json_snapshot!("term_vectors", tv["term_vectors"]);
    let (_, artificial) = call(
        &c,
        url,
        Method::POST,
        "/books/_termvectors",
        Some(json!({"doc": {"title": "Fox fox"}, "fields": ["title"], "positions": false})),
    )
    .await;
    assert_eq!(artificial["term_vectors"]["title"]["terms"]["fox"]["term_freq"], 2);
    let (_, multi) = call(
        &c,
        url,
        Method::POST,
        "/_mtermvectors",
        Some(json!({"docs": [{"_index": "books", "_id": "1"}, {"_index": "books", "_id": "missing"}]})),
    )
    .await;
    assert_eq!((multi["docs"][0]["found"].as_bool(), multi["docs"][1]["found"].as_bool()), (Some(true), Some(false)));

    let (_, valid) = call(&c, url, Method::POST, "/books/_validate/query?explain=true",
        Some(json!({"query": {"bool": {"must": {"term": {"tag": "tech"}}, "filter": {"range": {"year": {"gte": 2000}}}}}}))).await;
    assert_eq!(valid["valid"], true, "{valid}");
    assert_eq!(valid["explanations"][0]["explanation"], "+tag:tech #year:[2000 TO *] ");
    let (_, invalid) =
        call(&c, url, Method::POST, "/books/_validate/query", Some(json!({"query": {"nonsense": {}}}))).await;
    assert_eq!(invalid["valid"], false);
    let (_, bad_value) = call(
        &c,
        url,
        Method::POST,
        "/books/_validate/query?explain=true",
        Some(json!({"query": {"term": {"year": "soon"}}})),
    )
    .await;
    assert_eq!(bad_value["valid"], false, "a value the field cannot take is invalid: {bad_value}");

    let (_, shards) = call(&c, url, Method::GET, "/books/_search_shards", None).await;
    assert_eq!(shards["shards"].as_array().unwrap().len(), 2);
    let (_, routed) = call(&c, url, Method::GET, "/books/_search_shards?routing=blue", None).await;
    assert_eq!(routed["shards"].as_array().unwrap().len(), 1);
    assert!(routed["nodes"].as_object().unwrap().contains_key(routed["shards"][0][0]["node"].as_str().unwrap()));
}

#[tokio::test]
async fn geo_box_and_distance() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/places", Some(json!({"mappings": {"properties": {"at": {"type": "geo_point"}}}})))
        .await;
    let places = [
        ("paris", json!({"lat": 48.8566, "lon": 2.3522})),
        ("london", json!("51.5074,-0.1278")),
        ("berlin", json!([13.405, 52.52])),
        ("tokyo", json!({"type": "Point", "coordinates": [139.6917, 35.6895]})),
        ("fiji", json!("POINT (179.5 -17.7)")),
    ];
    for (id, at) in places {
        let (status, answer) = call(&c, url, Method::PUT, &format!("/places/_doc/{id}"), Some(json!({"at": at}))).await;
        assert!(status.is_success(), "{answer}");
    }
    call(&c, url, Method::POST, "/places/_refresh", None).await;
    let found = |query: Value| {
        let c = c.clone();
        async move {
            let (status, answer) = call(&c, url, Method::POST, "/places/_search", Some(json!({"query": query}))).await;
            assert_eq!(status, 200, "{answer}");
            let mut ids: Vec<String> = ids(&answer).into_iter().map(str::to_owned).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(found(json!({"geo_distance": {"distance": "400km", "at": [2.35, 48.85]}})).await, ["london", "paris"]);
    assert_eq!(
        found(json!({"geo_distance": {"distance": "1000km", "at": "48.85,2.35"}})).await,
        ["berlin", "london", "paris"]
    );
    let europe = json!({"geo_bounding_box": {"at": {"top_left": [-10, 60], "bottom_right": [20, 40]}}});
    assert_eq!(found(europe).await, ["berlin", "london", "paris"]);
    // A box across the antimeridian.
    let pacific = json!({"geo_bounding_box": {"at": {"top": 40, "bottom": -40, "left": 130, "right": -170}}});
    assert_eq!(found(pacific).await, ["fiji", "tokyo"]);
    // validation_method: out-of-range coordinates refused (strict), or brought into range (coerce):
    // longitude 362.35 is Paris's 2.35 a turn later.
    let far = |method: &str| json!({"geo_distance": {"distance": "400km", "at": {"lat": 48.85, "lon": 362.35}, "validation_method": method}});
    let (status, refused) = call(&c, url, Method::POST, "/places/_search", Some(json!({"query": far("strict")}))).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused.to_string().contains("illegal longitude value [362.35] for [geo_distance]"), "{refused}");
    assert_eq!(found(far("COERCE")).await, ["london", "paris"]);
    let wrapped = json!({"geo_bounding_box": {"at": {"top": 60, "bottom": 40, "left": 350, "right": 380}, "validation_method": "coerce"}});
    assert_eq!(found(wrapped).await, ["berlin", "london", "paris"], "the europe box, a turn later");
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/places/_search",
        Some(json!({"query": {"geo_distance": {"distance": "far", "at": [0, 0]}}})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn profile_reports_each_shard() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let body = json!({"profile": true, "query": {"match": {"title": "fox"}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    let shards = found["profile"]["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 2, "one entry per shard searched");
    for shard in shards {
        let query = &shard["searches"][0]["query"][0];
        assert_eq!(query["description"], "title:fox");
        assert!(query["time_in_nanos"].as_u64().unwrap() > 0);
        assert!(shard["searches"][0]["collector"][0]["name"].is_string());
    }
    let fetched: Vec<&Value> = shards.iter().filter_map(|s| s.get("fetch")).collect();
    assert!(!fetched.is_empty());
    assert_eq!(fetched[0]["children"][0]["type"], "FetchSourcePhase");
    let (_, plain) = call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"match_all": {}}}))).await;
    assert!(plain.get("profile").is_none());
}

#[tokio::test]
async fn function_score_and_boosting() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let search = |query: Value| {
        let c = c.clone();
        async move {
            let (status, answer) = call(&c, url, Method::POST, "/books/_search", Some(json!({"query": query}))).await;
            assert_eq!(status, 200, "{answer}");
            answer
        }
    };
    // Newest first by a field's value; the weight applies only where its filter matches.
    let by_year = search(json!({"function_score": {"query": {"match_all": {}},
        "field_value_factor": {"field": "year", "modifier": "ln"}, "boost_mode": "replace"}}))
    .await;
    assert_eq!(ids(&by_year), ["3", "2", "1", "4"]);
    let filtered = search(json!({"function_score": {"query": {"match_all": {}}, "boost_mode": "replace",
        "functions": [{"filter": {"term": {"tag": "tech"}}, "weight": 5}, {"weight": 2}], "score_mode": "first"}}))
    .await;
    assert_eq!(filtered["hits"]["hits"][0]["_id"], "3");
    assert_eq!(filtered["hits"]["hits"][0]["_score"], 5.0);
    assert_eq!(filtered["hits"]["hits"][1]["_score"], 2.0);
    // A decay: 2005 scores highest, the further years less.
    let near = search(json!({"function_score": {"query": {"match_all": {}}, "boost_mode": "replace",
        "gauss": {"year": {"origin": 2005, "scale": 10}}}}))
    .await;
    assert_eq!(near["hits"]["hits"][0]["_id"], "2");
    assert_eq!(near["hits"]["hits"][0]["_score"], 1.0);
    // min_score drops what scores under it.
    let some = search(json!({"function_score": {"query": {"match_all": {}}, "boost_mode": "replace",
        "functions": [{"filter": {"term": {"tag": "tech"}}, "weight": 5}], "min_score": 2}}))
    .await;
    assert_eq!(ids(&some), ["3"]);
    // Random scores are stable for a seed.
    let random = json!({"function_score": {"random_score": {"seed": 7, "field": "_seq_no"}}});
    assert_eq!(ids(&search(random.clone()).await), ids(&search(random).await));
    // boosting: foxes about hounds sink below the other foxes.
    let boosted = search(json!({"boosting": {"positive": {"match": {"title": "fox"}},
        "negative": {"match": {"title": "hound"}}, "negative_boost": 0.01}}))
    .await;
    assert_eq!(ids(&boosted), ["1", "4"]);
}

#[tokio::test]
async fn stats_groups_count_the_searches_that_name_them() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    call(&c, url, Method::POST, "/books/_search", Some(json!({"stats": ["reports", "daily"]}))).await;
    call(&c, url, Method::POST, "/books/_search", Some(json!({"stats": "reports"}))).await;
    let (_, stats) = call(&c, url, Method::GET, "/books/_stats/search?groups=rep*", None).await;
    let groups = &stats["_all"]["total"]["search"]["groups"];
    // Two shards each ran both searches' query phases.
    assert_eq!(groups["reports"]["query_total"], 4, "{groups}");
    assert!(groups.get("daily").is_none(), "only the groups asked for are shown");
    let (_, plain) = call(&c, url, Method::GET, "/books/_stats/search", None).await;
    assert!(plain["_all"]["total"]["search"].get("groups").is_none());
}

#[tokio::test]
async fn slices_partition_the_matches() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    for max in [2, 3, 5] {
        let mut seen: Vec<String> = Vec::new();
        for id in 0..max {
            let body = json!({"size": 10, "slice": {"id": id, "max": max}});
            let (status, page) = call(&c, url, Method::POST, "/books/_search?scroll=1m", Some(body)).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(ids(&page).into_iter().map(str::to_owned));
        }
        seen.sort();
        assert_eq!(seen, ["1", "2", "3", "4"], "{max} slices cover every document once");
    }
    let (status, _) =
        call(&c, url, Method::POST, "/books/_search?scroll=1m", Some(json!({"slice": {"id": 2, "max": 2}}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn terms_lookup_reads_another_document() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    call(&c, url, Method::PUT, "/users/_doc/kim?refresh=true", Some(json!({"likes": {"tags": ["tech", "cooking"]}})))
        .await;
    let lookup = json!({"query": {"terms": {"tag": {"index": "users", "id": "kim", "path": "likes.tags"}}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(lookup)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), ["3"]);
    let missing = json!({"query": {"terms": {"tag": {"index": "users", "id": "nobody", "path": "likes.tags"}}}});
    let (_, none) = call(&c, url, Method::POST, "/books/_search", Some(missing)).await;
    assert_eq!(none["hits"]["total"]["value"], 0);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/books/_search",
        Some(json!({"query": {"terms": {"tag": {"index": "users", "id": "kim"}}}})),
    )
    .await;
    assert_eq!(status, 400, "a lookup needs its path");
}

#[tokio::test]
async fn terms_across_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let index = json!({"mappings": {"properties": {"first": {"type": "text"}, "last": {"type": "text"}, "age": {"type": "integer"}}}});
    call(&c, url, Method::PUT, "/people", Some(index)).await;
    for (id, first, last) in [("1", "Will", "Smith"), ("2", "John", "Will"), ("3", "Will", "Jones")] {
        call(
            &c,
            url,
            Method::PUT,
            &format!("/people/_doc/{id}"),
            Some(json!({"first": first, "last": last, "age": 40})),
        )
        .await;
    }
    call(&c, url, Method::POST, "/people/_refresh", None).await;
    let found = |query: Value| {
        let c = c.clone();
        async move {
            let (status, answer) = call(&c, url, Method::POST, "/people/_search", Some(json!({"query": query}))).await;
            assert_eq!(status, 200, "{answer}");
            let mut ids: Vec<String> = ids(&answer).into_iter().map(str::to_owned).collect();
            ids.sort();
            ids
        }
    };
    // Every term in some field: "will smith" spans first and last name.
    let combined = json!({"combined_fields": {"query": "will smith", "fields": ["first", "last"], "operator": "and"}});
    assert_eq!(found(combined).await, ["1"]);
    let cross = json!({"multi_match": {"query": "john will", "type": "cross_fields", "fields": ["first", "last"], "operator": "and"}});
    assert_eq!(found(cross).await, ["2"]);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/people/_search",
        Some(json!({"query": {"combined_fields": {"query": "40", "fields": ["age"]}}})),
    )
    .await;
    assert_eq!(status, 400, "combined_fields takes text fields only");
}

#[tokio::test]
async fn queries_on_metadata_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let count = |query: Value| {
        let c = c.clone();
        async move {
            let (status, answer) = call(&c, url, Method::POST, "/books/_count", Some(json!({"query": query}))).await;
            assert_eq!(status, 200, "{answer}");
            answer["count"].as_u64().unwrap()
        }
    };
    assert_eq!(count(json!({"term": {"_id": "2"}})).await, 1);
    assert_eq!(count(json!({"terms": {"_id": ["1", "3", "nope"]}})).await, 2);
    assert_eq!(count(json!({"match": {"_id": "4"}})).await, 1);
    assert_eq!(count(json!({"exists": {"field": "_seq_no"}})).await, 4);
    assert_eq!(count(json!({"term": {"_index": "books"}})).await, 4);
    assert_eq!(count(json!({"term": {"_index": "other"}})).await, 0);
    let (status, _) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": {"exists": {"field": "_source"}}}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn distance_feature_scores_by_nearness() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    call(&c, url, Method::PUT, "/books/_mapping", Some(json!({"properties": {"published": {"type": "date"}}}))).await;
    for (id, day) in [("1", "2020-01-10"), ("2", "2020-01-02"), ("3", "2020-01-30")] {
        call(&c, url, Method::POST, &format!("/books/_update/{id}"), Some(json!({"doc": {"published": day}}))).await;
    }
    call(&c, url, Method::POST, "/books/_refresh", None).await;
    let body = json!({"query": {"distance_feature": {"field": "published", "origin": "2020-01-01", "pivot": "7d"}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), ["2", "1", "3"], "nearest first; the book without a date is left out");
    let score = found["hits"]["hits"][0]["_score"].as_f64().unwrap();
    assert!((score - 7.0 / 8.0).abs() < 1e-6, "pivot / (pivot + one day) = {score}");
}

#[tokio::test]
async fn geo_options_and_unmapped_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/spots", Some(json!({"mappings": {"properties": {"at": {"type": "geo_point"}}}})))
        .await;
    let query = |q: Value| {
        let c = c.clone();
        async move { call(&c, url, Method::POST, "/spots/_search", Some(json!({"query": q}))).await.0 }
    };
    let unmapped =
        |ignore: bool| json!({"geo_distance": {"distance": "1km", "nowhere": [0, 0], "ignore_unmapped": ignore}});
    assert_eq!(query(unmapped(false)).await, 400, "an unmapped field fails unless ignore_unmapped");
    assert_eq!(query(unmapped(true)).await, 200);
    // `plane` is read and measured on the arc, as Elasticsearch does; an unknown type is refused.
    let plane = json!({"geo_distance": {"distance": "1km", "at": [0, 0], "distance_type": "plane"}});
    assert_eq!(query(plane).await, 200);
    let curved = json!({"geo_distance": {"distance": "1km", "at": [0, 0], "distance_type": "curved"}});
    assert_eq!(query(curved).await, 400);
    let (status, _) = call(&c, url, Method::POST, "/spots/_search", Some(json!({"sort": ["_shard_doc"]}))).await;
    assert_eq!(status, 400, "_shard_doc needs a point in time");
}

#[tokio::test]
async fn ignored_fields_are_listed_and_searchable() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let index = json!({"mappings": {"properties": {"n": {"type": "integer", "ignore_malformed": true}, "k": {"type": "keyword", "ignore_above": 3}}}});
    call(&c, url, Method::PUT, "/loose", Some(index)).await;
    call(&c, url, Method::PUT, "/loose/_doc/1", Some(json!({"n": "many", "k": "ok"}))).await;
    call(&c, url, Method::PUT, "/loose/_doc/2?refresh=true", Some(json!({"n": 2, "k": "too long"}))).await;
    let search = |query: Value| {
        let c = c.clone();
        async move { call(&c, url, Method::POST, "/loose/_search", Some(json!({"query": query}))).await.1 }
    };
    let all = search(json!({"exists": {"field": "_ignored"}})).await;
    assert_eq!(all["hits"]["total"]["value"], 2);
    let one = search(json!({"term": {"_ignored": "n"}})).await;
    assert_eq!(ids(&one), ["1"]);
    assert_eq!(one["hits"]["hits"][0]["_ignored"], json!(["n"]));
    let (_, untracked) =
        call(&c, url, Method::GET, "/loose/_search?track_total_hits=false&rest_total_hits_as_int=true", None).await;
    assert_eq!(untracked["hits"]["total"], -1);
}

#[tokio::test]
async fn routed_documents_and_search_parameter_checks() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    call(&c, url, Method::PUT, "/books/_doc/r?routing=x&refresh=true", Some(json!({"title": "Routed"}))).await;
    let (_, routed) =
        call(&c, url, Method::POST, "/books/_count", Some(json!({"query": {"exists": {"field": "_routing"}}}))).await;
    assert_eq!(routed["count"], 1);
    let (status, _) = call(&c, url, Method::GET, "/books/_search?pre_filter_shard_size=0", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn intervals_find_terms_in_order_and_proximity() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let search = |rule: Value| {
        let c = c.clone();
        let url = url.clone();
        async move {
            let body = json!({"query": {"intervals": {"title": rule}}});
            let (status, found) = call(&c, &url, Method::POST, "/books/_search", Some(body)).await;
            assert!(status.is_success(), "{found}");
            let mut matched: Vec<String> = ids(&found).iter().map(|s| s.to_string()).collect();
            matched.sort();
            matched
        }
    };
    // "The quick brown fox" (1), "The fox and the hound" (4).
    assert_eq!(search(json!({"match": {"query": "the fox", "ordered": true}})).await, ["1", "4"]);
    assert_eq!(search(json!({"match": {"query": "the fox", "ordered": true, "max_gaps": 0}})).await, ["4"]);
    assert_eq!(search(json!({"match": {"query": "fox the", "ordered": true}})).await, ["4"]);
    let quick_before_fox = json!({"all_of": {"ordered": true, "intervals": [
        {"prefix": {"prefix": "qui"}}, {"any_of": {"intervals": [{"match": {"query": "fox"}}, {"match": {"query": "dog"}}]}}
    ]}});
    assert_eq!(search(quick_before_fox).await, ["1"]);
    let not_containing =
        json!({"match": {"query": "fox hound", "filter": {"not_containing": {"match": {"query": "and"}}}}});
    assert_eq!(search(not_containing).await, Vec::<String>::new());
    assert_eq!(search(json!({"fuzzy": {"term": "hund"}})).await, ["4"]);
    // A word shorter than the fixed prefix fixes only its own characters.
    assert_eq!(search(json!({"fuzzy": {"term": "fo", "prefix_length": 3, "fuzziness": 1}})).await, ["1", "4"]);
    // Tighter intervals score higher.
    let body = json!({"query": {"intervals": {"title": {"match": {"query": "the fox", "ordered": true}}}}});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(ids(&found), ["4", "1"]);
    let (status, err) = call(
        &c,
        url,
        Method::POST,
        "/books/_search",
        Some(json!({"query": {"intervals": {"tag": {"match": {"query": "tech"}}}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 400, "{err}");
}

#[tokio::test]
async fn query_values_are_read_as_elasticsearch_reads_them() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "took_us": {"type": "long", "meta": {"unit": "us"}},
        "ratio": {"type": "float"},
        "airport": {"type": "text", "index": false, "doc_values": {"cardinality": "low"}},
        "year": {"type": "date", "format": "uuuu"},
        "when": {"type": "date", "format": "uuuu||strict_date_optional_time"},
        "rank": {"type": "integer"}
    }});
    call(&c, url, Method::PUT, "/q", Some(json!({"mappings": mappings}))).await;
    call(
        &c,
        url,
        Method::PUT,
        "/q/_doc/1",
        Some(json!({"took_us": 1500, "ratio": 0.5, "airport": "London Heathrow", "year": "1999", "rank": 3})),
    )
    .await;
    call(
        &c,
        url,
        Method::PUT,
        "/q/_doc/2?refresh=true",
        Some(json!({"took_us": 10, "ratio": 3.0e38, "airport": "Singapore Changi", "when": "1999-01-01T12:00:00Z"})),
    )
    .await;
    let hits = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/q/_search", Some(json!({"query": q}))).await;
            assert!(status.is_success(), "{found}");
            let mut matched: Vec<String> = ids(&found).iter().map(|s| s.to_string()).collect();
            matched.sort();
            matched
        }
    };
    // A unit converts to the field's (`meta.unit`).
    assert_eq!(hits(json!({"range": {"took_us": {"gte": "1ms", "lt": "2ms"}}})).await, ["1"]);
    // A float bound beyond a float's range still bounds.
    assert_eq!(hits(json!({"range": {"ratio": {"gt": 0, "lte": 1e300}}})).await, ["1", "2"]);
    // A text field with doc values only matches patterns on its whole values.
    assert_eq!(hits(json!({"prefix": {"airport": "London"}})).await, ["1"]);
    assert_eq!(hits(json!({"wildcard": {"airport": "*Changi"}})).await, ["2"]);
    // A number is read by the date format when it is no epoch.
    assert_eq!(hits(json!({"range": {"year": {"gte": 1990, "lte": 2000}}})).await, ["1"]);
    // ...and rounds as its text would: `lte` to the day's last millisecond.
    assert_eq!(hits(json!({"range": {"when": {"gte": 1999, "lte": 1999}}})).await, ["2"]);

    // More ids than the result window is the query's error, first.
    call(&c, url, Method::PUT, "/q/_settings", Some(json!({"index": {"max_result_window": 2}}))).await;
    let (status, err) =
        call(&c, url, Method::POST, "/q/_search", Some(json!({"query": {"ids": {"values": ["1", "2", "3"]}}}))).await;
    assert_eq!(status.as_u16(), 400);
    assert_eq!(err["error"]["root_cause"][0]["type"], "query_shard_exception");

    // A missing integer sorts, and shows, as the type's largest value.
    let (_, sorted) =
        call(&c, url, Method::POST, "/q/_search", Some(json!({"sort": [{"rank": "asc"}], "size": 2}))).await;
    let sort_values: Vec<&Value> = sorted["hits"]["hits"].as_array().unwrap().iter().map(|h| &h["sort"][0]).collect();
    assert_eq!(sort_values, [&json!(3), &json!(i32::MAX)]);
    let after = json!({"sort": [{"rank": "asc"}], "search_after": [i32::MAX], "size": 2});
    let (_, rest) = call(&c, url, Method::POST, "/q/_search", Some(after)).await;
    assert_eq!(ids(&rest), Vec::<&str>::new());
}

#[tokio::test]
async fn text_fields_with_fielddata_sort_and_are_counted() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "name": {"type": "text", "fielddata": true, "fields": {"suggest": {"type": "completion"}}},
        "plain": {"type": "text"}
    }});
    call(&c, url, Method::PUT, "/fd", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/fd/_doc/1", Some(json!({"name": "zebra crossing", "plain": "x"}))).await;
    call(&c, url, Method::PUT, "/fd/_doc/2?refresh=true", Some(json!({"name": "Mango", "plain": "y"}))).await;

    // Field data is not loaded before a search needs it.
    let (_, before) = call(&c, url, Method::GET, "/fd/_stats/fielddata,completion?fields=*", None).await;
    assert_eq!(before["_all"]["total"]["fielddata"]["memory_size_in_bytes"], 0);
    assert!(before["_all"]["total"]["completion"]["fields"]["name.suggest"]["size_in_bytes"].as_u64().unwrap() > 0);

    // Sorted by its terms: the least ascending ("crossing" < "mango").
    let (_, sorted) = call(&c, url, Method::POST, "/fd/_search", Some(json!({"sort": [{"name": "asc"}]}))).await;
    assert_eq!(ids(&sorted), ["1", "2"]);
    let sort: Vec<&Value> = sorted["hits"]["hits"].as_array().unwrap().iter().map(|h| &h["sort"][0]).collect();
    assert_eq!(sort, [&json!("crossing"), &json!("mango")]);
    let (status, err) = call(&c, url, Method::POST, "/fd/_search", Some(json!({"sort": ["plain"]}))).await;
    assert_eq!(status.as_u16(), 400, "{err}");

    let (_, after) = call(&c, url, Method::GET, "/fd/_stats/fielddata?fielddata_fields=name", None).await;
    let fielddata = &after["_all"]["total"]["fielddata"];
    assert!(fielddata["memory_size_in_bytes"].as_u64().unwrap() > 0, "{after}");
    assert!(fielddata["fields"]["name"]["memory_size_in_bytes"].as_u64().unwrap() > 0);
    let (_, unbroken) = call(&c, url, Method::GET, "/fd/_stats/fielddata", None).await;
    assert!(unbroken["_all"]["total"]["fielddata"].get("fields").is_none());
}

#[tokio::test]
async fn date_ranges_read_date_math_zones_and_partial_dates() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/days", Some(json!({"mappings": {"properties": {"at": {"type": "date"}}}}))).await;
    for (id, at) in [
        ("1", "2024-02-29T23:00:00Z"),
        ("2", "2024-03-01T10:00:00Z"),
        ("3", "2024-03-31T23:59:59.999Z"),
        ("4", "2999-01-01"),
    ] {
        call(&c, url, Method::PUT, &format!("/days/_doc/{id}"), Some(json!({ "at": at }))).await;
    }
    call(&c, url, Method::POST, "/days/_refresh", None).await;
    let range = |bounds: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) =
                call(&c, &url, Method::POST, "/days/_search", Some(json!({"query": {"range": {"at": bounds}}}))).await;
            assert!(status.is_success(), "{found}");
            let mut matched: Vec<String> = ids(&found).iter().map(|s| s.to_string()).collect();
            matched.sort();
            matched
        }
    };
    // Rounding: `gte` down to the month's start, `lte` up to its last millisecond.
    assert_eq!(range(json!({"gte": "2024-03-15||/M", "lte": "2024-03-15||/M"})).await, ["2", "3"]);
    // `gt` rounds up too: the whole of February is excluded.
    assert_eq!(range(json!({"gt": "2024-02-10||/M", "lt": "2024-04-01"})).await, ["2", "3"]);
    // A partial date as an upper bound covers the rest of its day.
    assert_eq!(range(json!({"lte": "2024-03-01"})).await, ["1", "2"]);
    // In a zone an hour east, February's last hour is already March.
    assert_eq!(range(json!({"gte": "2024-03-01", "lt": "2024-03-02", "time_zone": "+01:00"})).await, ["1", "2"]);
    // `now`: only the far future lies beyond it.
    assert_eq!(range(json!({"gt": "now-1d/d"})).await, ["4"]);
    let (status, _) =
        call(&c, url, Method::POST, "/days/_search", Some(json!({"query": {"range": {"at": {"gte": "now+1x"}}}})))
            .await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn completion_suggestions_are_limited_to_contexts() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "color": {"type": "keyword"},
        "suggest": {"type": "completion", "contexts": [
            {"name": "color", "type": "category", "path": "color"},
            {"name": "place", "type": "geo", "precision": "5km"}
        ]},
        "strict": {"type": "completion", "contexts": [{"name": "kind", "type": "category"}]}
    }});
    call(&c, url, Method::PUT, "/places", Some(json!({"mappings": mappings}))).await;
    let docs = [
        (
            "1",
            json!({"color": "red", "suggest": {"input": "Hotel Amsterdam", "weight": 2, "contexts": {"place": {"lat": 52.22, "lon": 4.53}}}}),
        ),
        (
            "2",
            json!({"color": "blue", "suggest": {"input": "Hotel Berlin", "weight": 5, "contexts": {"place": {"lat": 52.52, "lon": 13.40}}}}),
        ),
    ];
    for (id, doc) in docs {
        let (status, answer) = call(&c, url, Method::PUT, &format!("/places/_doc/{id}"), Some(doc)).await;
        assert!(status.is_success(), "{answer}");
    }
    call(&c, url, Method::POST, "/places/_refresh", None).await;
    let suggest = |contexts: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let body =
                json!({"suggest": {"s": {"prefix": "hot", "completion": {"field": "suggest", "contexts": contexts}}}});
            let (status, answer) = call(&c, &url, Method::POST, "/places/_search", Some(body)).await;
            assert!(status.is_success(), "{answer}");
            let options = answer["suggest"]["s"][0]["options"].as_array().unwrap().clone();
            options.iter().map(|o| o["text"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    // Categories read from the document's `color`; several ask for either.
    assert_eq!(suggest(json!({"color": "red"})).await, ["Hotel Amsterdam"]);
    assert_eq!(suggest(json!({"color": ["red", "blue"]})).await, ["Hotel Berlin", "Hotel Amsterdam"]);
    // A boost can reorder them.
    let boosted = json!({"color": [{"context": "red", "boost": 4}, {"context": "blue"}]});
    assert_eq!(suggest(boosted).await, ["Hotel Amsterdam", "Hotel Berlin"]);
    // A point finds the cell it falls in (and its neighbours).
    assert_eq!(suggest(json!({"place": {"lat": 52.2263, "lon": 4.543}})).await, ["Hotel Amsterdam"]);

    // A field whose contexts come with the input needs them, to index and to query.
    let (status, err) =
        call(&c, url, Method::PUT, "/places/_doc/3", Some(json!({"strict": {"input": "Hostel"}}))).await;
    assert_eq!(status.as_u16(), 400);
    assert!(err.to_string().contains("Contexts are mandatory in context enabled completion field [strict]"), "{err}");
    let body = json!({"suggest": {"s": {"prefix": "hot", "completion": {"field": "suggest"}}}});
    let (status, err) = call(&c, url, Method::POST, "/places/_search", Some(body)).await;
    assert_eq!(status.as_u16(), 400);
    assert!(err.to_string().contains("Missing mandatory contexts in context query"), "{err}");
}

#[tokio::test]
async fn text_scores_are_bm25_over_the_fields_own_statistics() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"title": {"type": "text"}, "body": {"type": "text"}}});
    call(&c, url, Method::PUT, "/bm", Some(json!({"mappings": mappings}))).await;
    // `body` is long in every document: it must not weigh on `title`'s lengths.
    let long = "filler ".repeat(40);
    call(&c, url, Method::PUT, "/bm/_doc/1", Some(json!({"title": "rust", "body": long}))).await;
    call(&c, url, Method::PUT, "/bm/_doc/2", Some(json!({"title": "rust in action", "body": long}))).await;
    call(&c, url, Method::PUT, "/bm/_doc/3?refresh=true", Some(json!({"title": "go", "body": long}))).await;
    let (_, found) =
        call(&c, url, Method::POST, "/bm/_search", Some(json!({"query": {"match": {"title": "rust"}}}))).await;
    assert_eq!(ids(&found), ["1", "2"]);
    // Lucene's BM25: idf over the 3 documents with a title, 2 of which hold
    // the term; lengths 1 and 3 against an average of 5/3.
    let bm25 = |dl: f64| {
        let idf = (1.0 + (3.0 - 2.0 + 0.5) / (2.0 + 0.5f64)).ln();
        idf * 2.2 / (1.0 + 1.2 * (0.25 + 0.75 * dl / (5.0 / 3.0)))
    };
    let scores: Vec<f64> =
        found["hits"]["hits"].as_array().unwrap().iter().map(|h| h["_score"].as_f64().unwrap()).collect();
    assert!((scores[0] - bm25(1.0)).abs() < 1e-5, "{scores:?} vs {}", bm25(1.0));
    assert!((scores[1] - bm25(3.0)).abs() < 1e-5, "{scores:?} vs {}", bm25(3.0));

    // Past the text fields that get a tantivy field of their own, the others
    // share one and are scored by Tensile's BM25: the same scores.
    let many: serde_json::Map<String, Value> = (0..70).map(|i| (format!("f{i:02}"), json!({"type": "text"}))).collect();
    call(&c, url, Method::PUT, "/many", Some(json!({"mappings": {"properties": many}}))).await;
    for (id, text) in [("1", "rust"), ("2", "rust in action"), ("3", "go")] {
        call(&c, url, Method::PUT, &format!("/many/_doc/{id}"), Some(json!({"f00": text, "f69": text}))).await;
    }
    call(&c, url, Method::POST, "/many/_refresh", None).await;
    for field in ["f00", "f69"] {
        let (_, found) =
            call(&c, url, Method::POST, "/many/_search", Some(json!({"query": {"match": {field: "rust"}}}))).await;
        let scores: Vec<f64> =
            found["hits"]["hits"].as_array().unwrap().iter().map(|h| h["_score"].as_f64().unwrap()).collect();
        assert!((scores[0] - bm25(1.0)).abs() < 1e-5 && (scores[1] - bm25(3.0)).abs() < 1e-5, "{field}: {scores:?}");
    }
}

#[tokio::test]
async fn msearch_totals_as_numbers_need_exact_totals() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let body =
        "{\"index\":\"books\"}\n{\"query\":{\"match_all\":{}}}\n{\"index\":\"books\"}\n{\"track_total_hits\":2}\n";
    let answer = c
        .post(format!("{url}/_msearch?rest_total_hits_as_int=true"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let err: Value = answer.json().await.unwrap();
    assert_eq!(
        err["error"]["reason"],
        "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got 2"
    );
}

#[tokio::test]
async fn terms_ignoring_case_ip_ranges_and_number_formats() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings =
        json!({"properties": {"code": {"type": "keyword"}, "ip": {"type": "ip"}, "price": {"type": "double"}}});
    call(&c, url, Method::PUT, "/net", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/net/_doc/1", Some(json!({"code": "Key1", "ip": "10.0.0.5", "price": 1234.5}))).await;
    call(
        &c,
        url,
        Method::PUT,
        "/net/_doc/2?refresh=true",
        Some(json!({"code": "key2", "ip": "192.168.1.1", "price": 2.0})),
    )
    .await;
    let hits = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/net/_search", Some(json!({"query": q}))).await;
            assert!(status.is_success(), "{found}");
            ids(&found).iter().map(|s| s.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(hits(json!({"term": {"code": {"value": "KEY1", "case_insensitive": true}}})).await, ["1"]);
    assert_eq!(hits(json!({"term": {"code": {"value": "KEY1"}}})).await, Vec::<String>::new());
    assert_eq!(hits(json!({"range": {"ip": {"gte": "10.0.0.0", "lt": "10.0.1.0"}}})).await, ["1"]);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/net/_search",
        Some(json!({"query": {"term": {"code": {"value": "x", "nope": 1}}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 501);

    let body =
        json!({"query": {"ids": {"values": ["1"]}}, "docvalue_fields": [{"field": "price", "format": "#,##0.00"}]});
    let (_, found) = call(&c, url, Method::POST, "/net/_search", Some(body)).await;
    assert_eq!(found["hits"]["hits"][0]["fields"]["price"], json!(["1,234.50"]));
    let body = json!({"docvalue_fields": [{"field": "code", "format": "#.0"}]});
    let (status, err) = call(&c, url, Method::POST, "/net/_search", Some(body)).await;
    assert_eq!(status.as_u16(), 400, "{err}");
}

#[tokio::test]
async fn flattened_keys_and_metadata_in_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings =
        json!({"properties": {"headers": {"type": "flattened"}, "code": {"type": "keyword", "ignore_above": 3}}});
    call(&c, url, Method::PUT, "/flat", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"headers": {"content-type": "text/plain", "origin": "elastic.co"}, "code": "toolong"});
    call(&c, url, Method::PUT, "/flat/_doc/1?refresh=true", Some(doc)).await;
    let search = |body: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move { call(&c, &url, Method::POST, "/flat/_search", Some(body)).await }
    };
    // A key of a flattened field is a keyword field of its own to queries.
    let (_, found) = search(json!({"query": {"term": {"headers.origin": "elastic.co"}}})).await;
    assert_eq!(ids(&found), ["1"]);
    let (_, found) =
        search(json!({"query": {"query_string": {"query": "text\\/plain AND headers.origin:elastic.co"}}})).await;
    assert_eq!(ids(&found), ["1"]);
    // `fields` gives a flattened field's object whole, and `_ignored`.
    let (_, found) = search(json!({"fields": ["headers", "_ignored"], "_source": false})).await;
    let fields = &found["hits"]["hits"][0]["fields"];
    assert_eq!(fields["headers"], json!([{"content-type": "text/plain", "origin": "elastic.co"}]));
    assert_eq!(fields["_ignored"], json!(["code"]));
    let (status, err) = search(json!({"fields": ["_seq_no"]})).await;
    assert_eq!((status.as_u16(), &err["error"]["type"]), (400, &json!("illegal_argument_exception")));

    // `index.mapping.ignore_above` is the default of keyword and flattened fields.
    let body = json!({"settings": {"index.mapping.ignore_above": 8}, "mappings": {"properties": {
        "k": {"type": "keyword"}, "f": {"type": "flattened"}}}});
    call(&c, url, Method::PUT, "/limited", Some(body)).await;
    let doc = json!({"k": "much too long", "f": {"short": "ok", "long": "much too long"}});
    call(&c, url, Method::PUT, "/limited/_doc/1?refresh=true", Some(doc)).await;
    let (_, found) =
        call(&c, url, Method::POST, "/limited/_search", Some(json!({"fields": ["k", "f"], "_source": false}))).await;
    let hit = &found["hits"]["hits"][0];
    assert_eq!(hit["fields"], json!({"f": [{"short": "ok"}]}));
    assert_eq!(hit["_ignored"], json!(["f", "k"]));
    let (status, _) =
        call(&c, url, Method::PUT, "/negative", Some(json!({"settings": {"index.mapping.ignore_above": -1}}))).await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn span_queries_find_positions() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let hits = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/books/_search", Some(json!({"query": q}))).await;
            assert!(status.is_success(), "{found}");
            let mut matched: Vec<String> = ids(&found).iter().map(|s| s.to_string()).collect();
            matched.sort();
            matched
        }
    };
    // "The quick brown fox" (1), "The fox and the hound" (4).
    let near = |slop: u64, in_order: bool| json!({"span_near": {"clauses": [{"span_term": {"title": "the"}}, {"span_term": {"title": "fox"}}], "slop": slop, "in_order": in_order}});
    assert_eq!(hits(near(0, true)).await, ["4"]);
    assert_eq!(hits(near(2, true)).await, ["1", "4"]);
    assert_eq!(hits(json!({"span_first": {"match": {"span_term": {"title": "fox"}}, "end": 2}})).await, ["4"]);
    let or = json!({"span_or": {"clauses": [{"span_term": {"title": "dog"}}, {"span_term": {"title": "rust"}}]}});
    assert_eq!(hits(or).await, ["2", "3"]);
    let multi = json!({"span_near": {"clauses": [
        {"span_term": {"title": "quick"}}, {"span_multi": {"match": {"prefix": {"title": {"value": "bro"}}}}}
    ], "slop": 0}});
    assert_eq!(hits(multi).await, ["1"]);
    let not = json!({"span_not": {"include": {"span_term": {"title": "fox"}}, "exclude": {"span_near": {
        "clauses": [{"span_term": {"title": "brown"}}, {"span_term": {"title": "fox"}}], "slop": 0}}}});
    assert_eq!(hits(not).await, ["4"]);
    // An inner span takes no boost, as in Elasticsearch.
    let boosted = json!({"span_near": {"clauses": [{"span_term": {"title": {"value": "the", "boost": 2}}}, {"span_term": {"title": "fox"}}]}});
    let (status, refused) = call(&c, url, Method::POST, "/books/_search", Some(json!({"query": boosted}))).await;
    assert_eq!(status.as_u16(), 400, "{refused}");
    assert_eq!(refused["error"]["type"], "parsing_exception", "{refused}");
    // `pre`, `post`, `dist`: an exclude span near the include span excludes it too.
    let not_near = |extra: Value| {
        let mut q = json!({"include": {"span_term": {"title": "fox"}}, "exclude": {"span_term": {"title": "brown"}}});
        q.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"span_not": q})
    };
    assert_eq!(hits(not_near(json!({}))).await, ["1", "4"]);
    assert_eq!(hits(not_near(json!({"pre": 1}))).await, ["4"]);
    assert_eq!(hits(not_near(json!({"post": 1}))).await, ["1", "4"]);
    assert_eq!(hits(not_near(json!({"dist": 1}))).await, ["4"]);
    let (status, _) =
        call(&c, url, Method::POST, "/books/_search", Some(json!({"query": not_near(json!({"dist": 1, "pre": 1}))})))
            .await;
    assert_eq!(status.as_u16(), 400);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/books/_search",
        Some(
            json!({"query": {"span_near": {"clauses": [{"span_term": {"title": "a"}}, {"span_term": {"tag": "b"}}]}}}),
        ),
    )
    .await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn terms_set_needs_as_many_terms_as_the_document_says() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"skills": {"type": "keyword"}, "needed": {"type": "integer"}}});
    call(&c, url, Method::PUT, "/jobs", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/jobs/_doc/1", Some(json!({"skills": ["rust", "go"], "needed": 2}))).await;
    call(&c, url, Method::PUT, "/jobs/_doc/2", Some(json!({"skills": ["rust", "java", "c"], "needed": 1}))).await;
    call(&c, url, Method::PUT, "/jobs/_doc/3?refresh=true", Some(json!({"skills": ["rust"]}))).await;
    let query = |terms: Value| json!({"query": {"terms_set": {"skills": {"terms": terms, "minimum_should_match_field": "needed"}}}});
    let (_, found) = call(&c, url, Method::POST, "/jobs/_search", Some(query(json!(["rust", "go"])))).await;
    let mut matched = ids(&found);
    matched.sort_unstable();
    // 3 has no `needed`: it matches nothing.
    assert_eq!(matched, ["1", "2"]);
    let (_, found) = call(&c, url, Method::POST, "/jobs/_search", Some(query(json!(["rust"])))).await;
    assert_eq!(ids(&found), ["2"]);
    let script = json!({"query": {"terms_set": {"skills": {"terms": ["rust"], "minimum_should_match_script": {"source": "1"}}}}});
    let (status, _) = call(&c, url, Method::POST, "/jobs/_search", Some(script)).await;
    assert_eq!(status.as_u16(), 501);
    // A fixed `minimum_should_match`, conditional here: both of two terms, 2 of 3 past that.
    let fixed =
        |terms: Value| json!({"query": {"terms_set": {"skills": {"terms": terms, "minimum_should_match": "2<-1"}}}});
    let (_, found) = call(&c, url, Method::POST, "/jobs/_search", Some(fixed(json!(["rust", "go"])))).await;
    assert_eq!(ids(&found), ["1"]);
    let (_, found) = call(&c, url, Method::POST, "/jobs/_search", Some(fixed(json!(["rust", "java", "go"])))).await;
    let mut matched = ids(&found);
    matched.sort_unstable();
    assert_eq!(matched, ["1", "2"]);
}

#[tokio::test]
async fn rank_features_score_documents() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "pagerank": {"type": "rank_feature"},
        "length": {"type": "rank_feature", "positive_score_impact": false},
        "topics": {"type": "rank_features"}
    }});
    call(&c, url, Method::PUT, "/pages", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/pages/_doc/1", Some(json!({"pagerank": 8, "length": 100, "topics": {"sports": 50}})))
        .await;
    call(&c, url, Method::PUT, "/pages/_doc/2", Some(json!({"pagerank": 2, "length": 10, "topics": {"art": 20}})))
        .await;
    call(&c, url, Method::PUT, "/pages/_doc/3?refresh=true", Some(json!({"length": 5}))).await;
    let scores = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/pages/_search", Some(json!({"query": q}))).await;
            assert!(status.is_success(), "{found}");
            found["hits"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h["_id"].as_str().unwrap().to_owned(), h["_score"].as_f64().unwrap()))
                .collect::<Vec<_>>()
        }
    };
    // Saturation with the pivot given: S / (S + pivot).
    let found = scores(json!({"rank_feature": {"field": "pagerank", "saturation": {"pivot": 8}}})).await;
    assert_eq!(found.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
    assert!((found[0].1 - 0.5).abs() < 1e-6 && (found[1].1 - 0.2).abs() < 1e-6, "{found:?}");
    // A negative impact: shorter scores higher.
    let found = scores(json!({"rank_feature": {"field": "length", "linear": {}}})).await;
    assert_eq!(found[0].0, "3");
    // A feature of `rank_features`.
    let found = scores(json!({"rank_feature": {"field": "topics.sports", "log": {"scaling_factor": 1}}})).await;
    assert_eq!(found.len(), 1);
    assert!((found[0].1 - 51f64.ln()).abs() < 1e-5, "{found:?}");
    let (status, _) = call(&c, url, Method::PUT, "/pages/_doc/4", Some(json!({"pagerank": -1}))).await;
    assert_eq!(status.as_u16(), 400);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/pages/_search",
        Some(json!({"query": {"rank_feature": {"field": "pagerank", "log": {"scaling_factor": 1}, "linear": {}}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn more_like_this_finds_documents_sharing_their_best_terms() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let mlt = |like: Value, extra: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let mut q = json!({"fields": ["title"], "like": like, "min_term_freq": 1, "min_doc_freq": 1});
            q.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let (status, found) =
                call(&c, &url, Method::POST, "/books/_search", Some(json!({"query": {"more_like_this": q}}))).await;
            assert!(status.is_success(), "{found}");
            let mut matched: Vec<String> = ids(&found).iter().map(|s| s.to_string()).collect();
            matched.sort();
            matched
        }
    };
    // "The quick brown fox" (1), "The fox and the hound" (4).
    assert_eq!(mlt(json!("fox hunt"), json!({})).await, ["1", "4"]);
    // Liking a document leaves it out, unless `include`.
    assert_eq!(mlt(json!([{"_id": "4"}]), json!({"minimum_should_match": 1})).await, ["1"]);
    assert_eq!(mlt(json!([{"_id": "4"}]), json!({"minimum_should_match": 1, "include": true})).await, ["1", "4"]);
    // An unliked text takes its terms out.
    assert_eq!(mlt(json!("fox"), json!({"unlike": "fox"})).await, Vec::<String>::new());
    // `boost_terms` weighs each term by its tf-idf over the best term's: the same hits, other scores.
    assert_eq!(mlt(json!("fox hunt"), json!({"boost_terms": 2})).await, ["1", "4"]);
    let top = |boost_terms: f64| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let q = json!({"fields": ["title"], "like": "fox hound", "min_term_freq": 1, "min_doc_freq": 1, "boost_terms": boost_terms});
            let (_, found) =
                call(&c, &url, Method::POST, "/books/_search", Some(json!({"query": {"more_like_this": q}}))).await;
            found["hits"]["max_score"].as_f64().unwrap()
        }
    };
    assert!((top(2.0).await - 2.0 * top(1.0).await).abs() < 1e-4, "scores scale with boost_terms");
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/books/_search",
        Some(json!({"query": {"more_like_this": {"fields": ["title"]}}})),
    )
    .await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn phrase_suggester_corrects_a_whole_text() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let body = json!({"suggest": {"fix": {"text": "the quik brown fox", "phrase": {
        "field": "title", "size": 2, "highlight": {"pre_tag": "<b>", "post_tag": "</b>"},
        "direct_generator": [{"field": "title", "suggest_mode": "missing", "min_word_length": 3}]
    }}}});
    let (status, found) = call(&c, url, Method::POST, "/books/_search?typed_keys=true", Some(body)).await;
    assert!(status.is_success(), "{found}");
    let entry = &found["suggest"]["phrase#fix"][0];
    assert_eq!(entry["text"], "the quik brown fox");
    assert_eq!(entry["options"][0]["text"], "the quick brown fox");
    assert_eq!(entry["options"][0]["highlighted"], "the <b>quick</b> brown fox");
    assert!(entry["options"][0]["score"].as_f64().unwrap() > 0.0);
    // A text already right has nothing better to suggest.
    let body = json!({"suggest": {"fix": {"text": "brown fox", "phrase": {"field": "title"}}}});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(found["suggest"]["fix"][0]["options"], json!([]));
    let body = json!({"suggest": {"fix": {"text": "x", "phrase": {"field": "title", "collate": {}}}}});
    let (status, _) = call(&c, url, Method::POST, "/books/_search", Some(body)).await;
    assert_eq!(status.as_u16(), 501);
    // Direct generators take the term suggester's options: too high an accuracy finds nothing to fix.
    let generated = |generator: Value| {
        json!({"suggest": {"fix": {"text": "the quik brown fox", "phrase": {
        "field": "title", "direct_generator": [generator]}}}})
    };
    let options = |found: &Value| found["suggest"]["fix"][0]["options"].as_array().map_or(0, Vec::len);
    let jaro = json!({"field": "title", "min_word_length": 3, "string_distance": "jaro_winkler", "sort": "frequency"});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(generated(jaro))).await;
    assert_eq!(found["suggest"]["fix"][0]["options"][0]["text"], "the quick brown fox", "{found}");
    let strict = json!({"field": "title", "min_word_length": 3, "accuracy": 0.99});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(generated(strict))).await;
    assert_eq!(options(&found), 0, "{found}");
}

#[tokio::test]
async fn sorting_across_indices_that_map_a_field_differently() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for (index, when, rank) in [("millis", "date", "long"), ("nanos", "date_nanos", "integer")] {
        let mappings = json!({"properties": {"when": {"type": when}, "rank": {"type": rank}}});
        call(&c, url, Method::PUT, &format!("/{index}"), Some(json!({"mappings": mappings}))).await;
    }
    call(&c, url, Method::PUT, "/millis/_doc/m1", Some(json!({"when": "2021-01-01T00:00:00.002Z"}))).await;
    call(&c, url, Method::PUT, "/nanos/_doc/n1", Some(json!({"when": "2021-01-01T00:00:00.001000001Z"}))).await;
    call(&c, url, Method::PUT, "/nanos/_doc/n2?refresh=true", Some(json!({"when": "2021-01-01T00:00:00.003Z"}))).await;
    call(&c, url, Method::POST, "/millis/_refresh", None).await;

    // `numeric_type` converts each index's values to one resolution.
    let sorted = |numeric_type: &str| json!({"sort": [{"when": {"order": "asc", "numeric_type": numeric_type, "format": "strict_date_optional_time_nanos"}}]});
    let (_, nanos) = call(&c, url, Method::POST, "/millis,nanos/_search", Some(sorted("date_nanos"))).await;
    assert_eq!(ids(&nanos), ["n1", "m1", "n2"]);
    assert_eq!(nanos["hits"]["hits"][0]["sort"], json!(["2021-01-01T00:00:00.001000001Z"]));
    let mut after = sorted("date");
    after["search_after"] = json!(["2021-01-01T00:00:00.001Z"]);
    let (_, millis) = call(&c, url, Method::POST, "/millis,nanos/_search", Some(after)).await;
    assert_eq!(ids(&millis), ["m1", "n2"]);
    assert_eq!(millis["hits"]["hits"][0]["sort"], json!(["2021-01-01T00:00:00.002Z"]));

    // A missing value sorts as its own type's largest: an integer's before a long's.
    let (_, missing) =
        call(&c, url, Method::POST, "/millis,nanos/_search", Some(json!({"sort": [{"rank": "asc"}]}))).await;
    let sort: Vec<&Value> = missing["hits"]["hits"].as_array().unwrap().iter().map(|h| &h["sort"][0]).collect();
    assert_eq!(sort, [&json!(i32::MAX), &json!(i32::MAX), &json!(i64::MAX)]);

    let (status, err) =
        call(&c, url, Method::POST, "/millis/_search", Some(json!({"sort": [{"when": {"numeric_type": "decimal"}}]})))
            .await;
    assert_eq!(status.as_u16(), 400);
    assert_eq!(err["error"]["type"], "illegal_argument_exception");
}

#[tokio::test]
async fn binary_fields_come_back_as_their_base64() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"blob": {"type": "binary", "doc_values": true}, "plain": {"type": "binary"}}});
    call(&c, url, Method::PUT, "/bin", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"blob": "U29tZSBiaW5hcnkgYmxvYg==", "plain": "AQI="});
    call(&c, url, Method::PUT, "/bin/_doc/1?refresh=true", Some(doc)).await;
    for option in ["fields", "docvalue_fields"] {
        let (_, found) =
            call(&c, url, Method::POST, "/bin/_search", Some(json!({option: ["blob"], "_source": false}))).await;
        assert_eq!(found["hits"]["hits"][0]["fields"], json!({"blob": ["U29tZSBiaW5hcnkgYmxvYg=="]}), "{option}");
    }
    // Without doc values, only `fields` (from the source) reads it.
    let (_, found) = call(&c, url, Method::POST, "/bin/_search", Some(json!({"fields": ["plain"]}))).await;
    assert_eq!(found["hits"]["hits"][0]["fields"], json!({"plain": ["AQI="]}));
    let (status, _) = call(&c, url, Method::POST, "/bin/_search", Some(json!({"docvalue_fields": ["plain"]}))).await;
    assert_eq!(status.as_u16(), 400);
}

#[tokio::test]
async fn ignored_values_come_back_apart_from_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "when": {"type": "date", "ignore_malformed": true},
        "code": {"type": "keyword", "ignore_above": 3}
    }});
    call(&c, url, Method::PUT, "/ign", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"when": ["2020-01-01", "not a date"], "code": ["abc", "toolong"]});
    call(&c, url, Method::PUT, "/ign/_doc/1?refresh=true", Some(doc)).await;
    let (_, found) =
        call(&c, url, Method::POST, "/ign/_search", Some(json!({"fields": ["*"], "_source": false}))).await;
    let hit = &found["hits"]["hits"][0];
    assert_eq!(hit["fields"], json!({"code": ["abc"], "when": ["2020-01-01T00:00:00.000Z"]}));
    assert_eq!(hit["ignored_field_values"], json!({"code": ["toolong"], "when": ["not a date"]}));
    // Only for the fields asked.
    let (_, found) = call(&c, url, Method::POST, "/ign/_search", Some(json!({"fields": ["code"]}))).await;
    assert_eq!(found["hits"]["hits"][0]["ignored_field_values"], json!({"code": ["toolong"]}));
}

#[tokio::test]
async fn query_string_boost_applies_over_one_field_too() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let prefix =
        |boost: f64| json!({"query": {"query_string": {"default_field": "title", "query": "rus*", "boost": boost}}});
    let (_, plain) = call(&c, url, Method::POST, "/books/_search", Some(prefix(1.0))).await;
    let (_, boosted) = call(&c, url, Method::POST, "/books/_search", Some(prefix(2.0))).await;
    assert_eq!(plain["hits"]["max_score"], json!(1.0));
    assert_eq!(boosted["hits"]["max_score"], json!(2.0));
}

#[tokio::test]
async fn a_full_page_sorted_by_a_number_keeps_the_best_hits() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"n": {"type": "long"}, "f": {"type": "double"}}});
    call(&c, url, Method::PUT, "/page", Some(json!({"mappings": mappings}))).await;
    let docs = (0..40u64).map(|i| {
        // Every fifth document has no values; the others are shuffled.
        let doc = if i % 5 == 0 { json!({}) } else { json!({"n": (i * 7) % 40, "f": ((i * 11) % 40) as f64 / 2.0}) };
        (i.to_string(), doc)
    });
    bulk(&c, url, "page", docs).await;
    for (field, order) in [("n", "asc"), ("n", "desc"), ("f", "asc"), ("f", "desc")] {
        let sort = json!({"size": 5, "sort": [{field: order}]});
        let (_, found) = call(&c, url, Method::POST, "/page/_search", Some(sort)).await;
        let got: Vec<f64> =
            found["hits"]["hits"].as_array().unwrap().iter().map(|h| h["sort"][0].as_f64().unwrap()).collect();
        let mut all: Vec<f64> = (0..40u64)
            .filter(|i| i % 5 != 0)
            .map(|i| if field == "n" { ((i * 7) % 40) as f64 } else { ((i * 11) % 40) as f64 / 2.0 })
            .collect();
        all.sort_by(|a, b| if order == "asc" { a.total_cmp(b) } else { b.total_cmp(a) });
        assert_eq!(got, all[..5], "{field} {order}");
    }
    // Missing values come last, after every value.
    let (_, last) =
        call(&c, url, Method::POST, "/page/_search", Some(json!({"size": 40, "sort": [{"f": "desc"}]}))).await;
    let hits = last["hits"]["hits"].as_array().unwrap();
    assert!(hits[32..].iter().all(|h| h["sort"][0].is_null()), "{:?}", &hits[32..]);
}

#[tokio::test]
async fn docvalue_fields_read_what_the_fields_indexed() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {
        "k": {"type": "keyword", "copy_to": "all"},
        "n": {"type": "long", "ignore_malformed": true, "copy_to": "all"},
        "all": {"type": "keyword"},
        "ip": {"type": "ip"},
        "when": {"type": "date", "format": "yyyy-MM-dd"},
        "price": {"type": "scaled_float", "scaling_factor": 100},
        "ok": {"type": "boolean"}
    }});
    call(&c, url, Method::PUT, "/dv", Some(json!({"mappings": mappings}))).await;
    let doc = json!({"k": ["b", "a"], "n": "oops", "all": "own", "ip": "10.0.0.1", "when": "2020-01-02",
        "price": 1.234, "ok": [true, false]});
    call(&c, url, Method::PUT, "/dv/_doc/1?refresh=true", Some(doc)).await;
    let asked = json!({"_source": false, "docvalue_fields": ["all", "ip", "when", "price", "ok", "n",
        {"field": "when", "format": "epoch_millis"}]});
    let (_, found) = call(&c, url, Method::POST, "/dv/_search", Some(asked)).await;
    assert_eq!(
        found["hits"]["hits"][0]["fields"],
        json!({
            // Copied values too, sorted, as doc values hold them; the
            // malformed number is copied though its own field ignored it.
            "all": ["a", "b", "oops", "own"],
            "ip": ["10.0.0.1"],
            "when": ["2020-01-02"],
            "price": [1.23],
            "ok": [false, true]
        })
    );
}

#[tokio::test]
async fn range_over_a_text_fields_terms() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let range = |bounds: Value| json!({"query": {"range": {"title": bounds}}});
    let (_, found) = call(&c, url, Method::POST, "/books/_search", Some(range(json!({"gte": "r", "lt": "s"})))).await;
    // "rust" is the only term from r up to s.
    assert_eq!(ids(&found), ["3"]);
    let (_, all) = call(&c, url, Method::POST, "/books/_search", Some(range(json!({"gte": "a"})))).await;
    assert_eq!(all["hits"]["total"]["value"], 4);
    // Not analysed: an upper-case bound sorts before every lower-case term.
    let (_, none) = call(&c, url, Method::POST, "/books/_search", Some(range(json!({"lte": "Z"})))).await;
    assert_eq!(none["hits"]["total"]["value"], 0);
}

#[tokio::test]
async fn dfs_query_then_fetch_scores_with_every_shards_statistics() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let settings = json!({"settings": {"number_of_shards": 2}, "mappings": {"properties": {"t": {"type": "text"}}}});
    call(&c, url, Method::PUT, "/dfs", Some(settings)).await;
    // Two routing values that lead to different shards.
    let mut by_shard = std::collections::BTreeMap::new();
    for r in 0..32 {
        let (_, shards) = call(&c, url, Method::GET, &format!("/dfs/_search_shards?routing=r{r}"), None).await;
        by_shard.entry(shards["shards"][0][0]["shard"].as_u64().unwrap()).or_insert(format!("r{r}"));
    }
    let routes: Vec<String> = by_shard.into_values().collect();
    assert_eq!(routes.len(), 2);
    // One shard holds the word in many documents, the other once.
    for i in 0..5 {
        let doc = json!({"t": "word filler"});
        call(&c, url, Method::PUT, &format!("/dfs/_doc/f{i}?routing={}", routes[0]), Some(doc)).await;
    }
    call(&c, url, Method::PUT, &format!("/dfs/_doc/a?routing={}", routes[0]), Some(json!({"t": "word"}))).await;
    call(&c, url, Method::PUT, &format!("/dfs/_doc/b?routing={}", routes[1]), Some(json!({"t": "word"}))).await;
    call(&c, url, Method::POST, "/dfs/_refresh", None).await;
    let score_of = |found: &Value, id: &str| {
        found["hits"]["hits"].as_array().unwrap().iter().find(|h| h["_id"] == id).unwrap()["_score"].as_f64().unwrap()
    };
    let query = json!({"query": {"match": {"t": "word"}}, "size": 10});
    let (_, local) = call(&c, url, Method::POST, "/dfs/_search", Some(query.clone())).await;
    assert_ne!(score_of(&local, "a"), score_of(&local, "b"), "each shard's own statistics");
    let (_, global) = call(&c, url, Method::POST, "/dfs/_search?search_type=dfs_query_then_fetch", Some(query)).await;
    assert_eq!(score_of(&global, "a"), score_of(&global, "b"), "every shard's statistics");
}

#[tokio::test]
async fn field_caps_of_time_series_fields_and_without_empty_fields() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let with_dimension = |dimension: bool, metric: &str| {
        json!({"mappings": {"properties": {
            "host": {"type": "keyword", "time_series_dimension": dimension},
            "load": {"type": "double", "time_series_metric": metric},
            "empty": {"type": "text"}
        }}})
    };
    call(&c, url, Method::PUT, "/ts1", Some(with_dimension(true, "gauge"))).await;
    call(&c, url, Method::PUT, "/ts2", Some(with_dimension(false, "counter"))).await;
    call(&c, url, Method::PUT, "/ts1/_doc/1?refresh=true", Some(json!({"host": "a", "load": 1.5}))).await;
    let (_, one) = call(&c, url, Method::GET, "/ts1/_field_caps?fields=host,load", None).await;
    assert_eq!(one["fields"]["host"]["keyword"]["time_series_dimension"], true);
    assert_eq!(one["fields"]["load"]["double"]["time_series_metric"], "gauge");
    let (_, both) = call(&c, url, Method::GET, "/ts1,ts2/_field_caps?fields=host,load", None).await;
    assert_eq!(both["fields"]["host"]["keyword"]["non_dimension_indices"], json!(["ts2"]));
    assert_eq!(both["fields"]["load"]["double"]["metric_conflicts_indices"], json!(["ts1", "ts2"]));
    assert!(both["fields"]["load"]["double"].get("time_series_metric").is_none());
    // Without the fields no document has a value of.
    let (_, filled) = call(&c, url, Method::GET, "/ts1/_field_caps?fields=*&include_empty_fields=false", None).await;
    assert!(filled["fields"].get("host").is_some() && filled["fields"].get("empty").is_none());
    assert!(filled["fields"].get("_index").is_some(), "metadata fields stay");
}

#[tokio::test]
async fn segments_of_timestamped_indices_come_newest_first() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mapped = json!({"mappings": {"properties": {"@timestamp": {"type": "date"}}}});
    call(&c, url, Method::PUT, "/stamped", Some(mapped)).await;
    call(&c, url, Method::PUT, "/plain", None).await;
    for index in ["stamped", "plain"] {
        for (id, day) in [("old", "2021-08-01"), ("new", "2021-08-02")] {
            let doc = json!({"@timestamp": day});
            call(&c, url, Method::PUT, &format!("/{index}/_doc/{id}?refresh=true"), Some(doc)).await;
        }
    }
    // Equal scores: the newest segment first where the index was created
    // with an `@timestamp` date field, else the order of writing.
    let (_, stamped) = call(&c, url, Method::POST, "/stamped/_search", None).await;
    assert_eq!(ids(&stamped), ["new", "old"]);
    let (_, plain) = call(&c, url, Method::POST, "/plain/_search", None).await;
    assert_eq!(ids(&plain), ["old", "new"]);
}

#[tokio::test]
async fn totals_are_tracked_as_far_as_asked() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    load(&c, url).await;
    let search = |track: Value| json!({"query": {"match": {"title": "fox lazy quick"}}, "track_total_hits": track});
    let (_, all) = call(&c, url, Method::POST, "/books/_search", Some(search(json!(true)))).await;
    assert_eq!(all["hits"]["total"], json!({"value": 3, "relation": "eq"}));
    // Past the tracked number the page is still the best hits.
    let (_, one) = call(&c, url, Method::POST, "/books/_search", Some(search(json!(1)))).await;
    assert_eq!(one["hits"]["total"], json!({"value": 1, "relation": "gte"}));
    assert_eq!(ids(&one), ids(&all));
    let (_, three) = call(&c, url, Method::POST, "/books/_search", Some(search(json!(3)))).await;
    assert_eq!(three["hits"]["total"], json!({"value": 3, "relation": "eq"}));
    let (_, off) = call(&c, url, Method::POST, "/books/_search", Some(search(json!(false)))).await;
    assert!(off["hits"].get("total").is_none());
    assert_eq!(ids(&off), ids(&all));
}

#[tokio::test]
async fn terms_enum_lists_a_keyword_fields_terms_by_prefix() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for (id, tag) in ["Kibana", "kitten", "kite", "Zoo", "kernel"].iter().enumerate() {
        call(&c, url, Method::PUT, &format!("/tags/_doc/{id}"), Some(json!({"tag": tag, "n": id}))).await;
    }
    call(&c, url, Method::POST, "/tags/_refresh", None).await;
    let terms = |body: Value| async {
        let (_, answer) = call(&c, url, Method::POST, "/tags/_terms_enum", Some(body)).await;
        assert_eq!(answer["complete"], true);
        answer["terms"].clone()
    };
    assert_eq!(terms(json!({"field": "tag.keyword", "string": "ki"})).await, json!(["kite", "kitten"]));
    let insensitive = json!({"field": "tag.keyword", "string": "ki", "case_insensitive": true, "size": 2});
    assert_eq!(terms(insensitive).await, json!(["Kibana", "kite"]));
    assert_eq!(terms(json!({"field": "tag.keyword", "search_after": "kite"})).await, json!(["kitten"]));
    // Text and number fields have no terms to list.
    assert_eq!(terms(json!({"field": "tag"})).await, json!([]));
    assert_eq!(terms(json!({"field": "n"})).await, json!([]));
    let filtered = json!({"field": "tag.keyword", "index_filter": {"term": {"n": 99}}});
    assert_eq!(terms(filtered).await, json!([]));
    let (status, _) = call(&c, url, Method::POST, "/tags/_terms_enum", Some(json!({"string": "k"}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn sort_modes_and_missing_values() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for (id, doc) in
        [("1", json!({"v": [1, 9], "k": ["b", "z"]})), ("2", json!({"v": [4, 5], "k": "m"})), ("3", json!({"x": 1}))]
    {
        call(&c, url, Method::PUT, &format!("/modes/_doc/{id}"), Some(doc)).await;
    }
    call(&c, url, Method::POST, "/modes/_refresh", None).await;
    let client = &c;
    let sorted = |sort: Value| async move {
        let (_, found) = call(client, url, Method::POST, "/modes/_search", Some(json!({"sort": [sort]}))).await;
        let hits = found["hits"]["hits"].as_array().unwrap().clone();
        hits.iter().map(|h| (h["_id"].as_str().unwrap().to_owned(), h["sort"][0].clone())).collect::<Vec<_>>()
    };
    let pairs = |list: &[(&str, Value)]| list.iter().map(|(id, v)| (id.to_string(), v.clone())).collect::<Vec<_>>();
    let sum = sorted(json!({"v": {"mode": "sum", "order": "asc", "missing": "_first"}})).await;
    assert_eq!(sum, pairs(&[("3", json!(i64::MIN)), ("2", json!(9)), ("1", json!(10))]));
    // A sum may lie beyond each of a document's values: paging still finds it.
    let page = json!({"size": 1, "search_after": [6], "sort": [{"v": {"mode": "sum", "order": "asc"}}]});
    let (_, next) = call(&c, url, Method::POST, "/modes/_search", Some(page)).await;
    assert_eq!(next["hits"]["hits"][0]["_id"], "2", "[4, 5] sums to 9, past 6, though neither value is");
    let median = sorted(json!({"v": {"mode": "median", "order": "desc"}})).await;
    assert_eq!(median[..2], pairs(&[("1", json!(5)), ("2", json!(5))]));
    let max_asc = sorted(json!({"v": {"mode": "max", "order": "asc", "missing": 3}})).await;
    assert_eq!(max_asc, pairs(&[("3", json!(3)), ("2", json!(5)), ("1", json!(9))]));
    let min_desc = sorted(json!({"k.keyword": {"mode": "min", "order": "desc", "missing": "c"}})).await;
    assert_eq!(min_desc, pairs(&[("2", json!("m")), ("3", json!("c")), ("1", json!("b"))]));

    let (status, refused) =
        call(&c, url, Method::POST, "/modes/_search", Some(json!({"sort": [{"k.keyword": {"mode": "avg"}}]}))).await;
    assert_eq!(status, 400);
    assert!(refused["error"]["reason"].as_str().unwrap().contains("[avg]"));
    let (status, _) =
        call(&c, url, Method::POST, "/modes/_search", Some(json!({"sort": [{"v": {"mode": "middle"}}]}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn query_strings_take_an_analyzer() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/analyzed/_doc/1?refresh=true", Some(json!({"title": "The Quick fox"}))).await;
    let client = &c;
    let count = |path: &'static str| async move {
        let (_, found) = call(client, url, Method::GET, path, None).await;
        found["hits"]["total"]["value"].as_u64().unwrap()
    };
    assert_eq!(count("/analyzed/_search?q=title:QUICK").await, 1);
    // The keyword analyzer keeps the case: no such term was indexed.
    assert_eq!(count("/analyzed/_search?q=title:QUICK&analyzer=keyword").await, 0);
    let body = json!({"query": {"query_string": {"query": "QUICK", "default_field": "title", "analyzer": "keyword"}}});
    let (_, found) = call(&c, url, Method::POST, "/analyzed/_search", Some(body)).await;
    assert_eq!(found["hits"]["total"]["value"], 0);
}

#[tokio::test]
async fn phrases_take_an_analyzer() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/phrased/_doc/1?refresh=true", Some(json!({"title": "the quick fox"}))).await;
    let hits = |body: Value| {
        let c = &c;
        async move {
            let (_, found) = call(c, url, Method::POST, "/phrased/_search", Some(body)).await;
            found["hits"]["total"]["value"].as_u64().unwrap()
        }
    };
    assert_eq!(hits(json!({"query": {"match_phrase": {"title": "QUICK FOX"}}})).await, 1);
    let kept_case = json!({"query": {"match_phrase": {"title": {"query": "QUICK FOX", "analyzer": "whitespace"}}}});
    assert_eq!(hits(kept_case).await, 0);
    let quoted = json!({"query": {"query_string": {"query": "\"QUICK FOX\"", "default_field": "title", "analyzer": "whitespace"}}});
    assert_eq!(hits(quoted).await, 0);
}

#[tokio::test]
async fn regular_expressions_are_lucenes() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"code": {"type": "keyword"}, "body": {"type": "text"}}});
    call(&c, url, Method::PUT, "/re", Some(json!({"mappings": mappings}))).await;
    let codes = ["foo7", "foo42", "foo120", "a&b", "abc", "abd", "John@example.com", "Été"];
    bulk(&c, url, "re", codes.iter().enumerate().map(|(i, code)| (i.to_string(), json!({"code": code, "body": code}))))
        .await;
    let search = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move { call(&c, &url, Method::POST, "/re/_search?size=20", Some(json!({"query": q}))).await }
    };
    let codes_of = |found: &Value| {
        let mut out: Vec<String> = found["hits"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["_source"]["code"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let matched = |q: Value| {
        let search = search.clone();
        async move {
            let (status, found) = search(q).await;
            assert!(status.is_success(), "{found}");
            codes_of(&found)
        }
    };
    // Numeric intervals, complement and intersection, any string.
    assert_eq!(matched(json!({"regexp": {"code": "foo<1-50>"}})).await, ["foo42", "foo7"]);
    assert_eq!(matched(json!({"regexp": {"code": "ab~(c)"}})).await, ["abd"]);
    assert_eq!(matched(json!({"regexp": {"code": "@&~(foo.*)&~(a.*)"}})).await, ["John@example.com", "Été"]);
    // Flags turn operators off: `&` is then a character.
    assert_eq!(matched(json!({"regexp": {"code": {"value": "a&b", "flags": "NONE"}}})).await, ["a&b"]);
    assert_eq!(matched(json!({"regexp": {"code": {"value": "a&b", "flags": "ALL"}}})).await, Vec::<String>::new());
    // Quoted text and escapes are literal; anchors are plain characters.
    assert_eq!(matched(json!({"regexp": {"code": "\"John@\".*"}})).await, ["John@example.com"]);
    assert_eq!(matched(json!({"regexp": {"code": "^abc"}})).await, Vec::<String>::new());
    assert_eq!(matched(json!({"regexp": {"code": {"value": "été", "case_insensitive": true}}})).await, ["Été"]);
    // Analysed text is matched term by term; query_string's /regex/ alike.
    assert_eq!(matched(json!({"regexp": {"body": "foo\\d{3}"}})).await, ["foo120"]);
    assert_eq!(matched(json!({"query_string": {"query": "body:/foo<100-200>/"}})).await, ["foo120"]);
    assert_eq!(matched(json!({"wildcard": {"code": "a?b"}})).await, ["a&b"]);

    // Bad patterns and runaway automata are the query's errors.
    let (status, found) = search(json!({"regexp": {"code": "(abc"}})).await;
    assert_eq!(status, 400);
    assert_eq!(found["error"]["root_cause"][0]["type"], "query_shard_exception", "{found}");
    assert!(found["error"]["root_cause"][0]["reason"].as_str().unwrap().contains("expected ')' at position 4"));
    let runaway = json!({"regexp": {"code": {"value": "(a|b)*a(a|b){16}", "max_determinized_states": 1000}}});
    let (status, found) = search(runaway).await;
    assert_eq!(status, 400);
    assert!(found["error"]["root_cause"][0]["reason"].as_str().unwrap().contains("more than 1000 states"), "{found}");
    let (status, found) = search(json!({"regexp": {"code": {"value": "a", "flags": "SOME"}}})).await;
    assert_eq!((status.as_u16(), found["error"]["reason"].as_str()), (400, Some("Unknown regexp flag [SOME]")));
}

#[tokio::test]
async fn shards_a_range_rules_out_are_skipped_past_the_pre_filter_size() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    for (index, day) in [("days_1", "2016-01-01"), ("days_2", "2017-01-01"), ("days_3", "2018-01-01")] {
        bulk(&c, url, index, [("1".to_string(), json!({"created_at": day}))]).await;
    }
    let shards = |range: Value, pre_filter: Option<u32>| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let size = pre_filter.map_or(String::new(), |n| format!("&pre_filter_shard_size={n}"));
            let path = format!("/days_*/_search?size=0{size}");
            let (status, found) =
                call(&c, &url, Method::POST, &path, Some(json!({"query": {"range": {"created_at": range}}}))).await;
            assert!(status.is_success(), "{found}");
            (
                found["_shards"]["skipped"].as_u64().unwrap(),
                found["_shards"]["successful"].as_u64().unwrap(),
                found["hits"]["total"]["value"].as_u64().unwrap(),
            )
        }
    };
    let some = json!({"gte": "2016-02-01", "lt": "2018-02-01"});
    assert_eq!(shards(some.clone(), None).await, (0, 3, 2), "three shards are below the default size");
    assert_eq!(shards(some, Some(1)).await, (1, 3, 2));
    // All ruled out: one is searched for the (empty) answer.
    assert_eq!(shards(json!({"gte": "2019-02-01"}), Some(1)).await, (2, 3, 0));
    // Nothing required to rule a shard out: none skipped.
    let (_, all) = call(&c, url, Method::GET, "/days_*/_search?pre_filter_shard_size=1", None).await;
    assert_eq!((all["_shards"]["skipped"].as_u64(), all["hits"]["total"]["value"].as_u64()), (Some(0), Some(3)));
}

#[tokio::test]
async fn multi_term_rewrites_choose_and_score_the_terms() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"word": {"type": "keyword"}}});
    call(&c, url, Method::PUT, "/words", Some(json!({"mappings": mappings}))).await;
    let words = ["apple", "apple", "apple", "apply", "applied", "banana"];
    bulk(&c, url, "words", words.iter().enumerate().map(|(i, w)| (i.to_string(), json!({"word": w})))).await;
    let scored = |q: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, found) =
                call(&c, &url, Method::POST, "/words/_search?size=20", Some(json!({"query": q}))).await;
            assert!(status.is_success(), "{found}");
            let mut hits: Vec<(String, f64)> = found["hits"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h["_source"]["word"].as_str().unwrap().to_owned(), h["_score"].as_f64().unwrap()))
                .collect();
            hits.sort_by(|a, b| a.0.cmp(&b.0));
            hits.dedup_by(|a, b| a.0 == b.0);
            hits
        }
    };
    let prefix = |rewrite: &str| json!({"prefix": {"word": {"value": "app", "rewrite": rewrite}}});
    // By default every term alike.
    let alike = scored(json!({"prefix": {"word": "app"}})).await;
    assert!(alike.iter().all(|(_, s)| *s == 1.0), "{alike:?}");
    // Scored: the rarer term scores higher.
    let boolean = scored(prefix("scoring_boolean")).await;
    assert_eq!(boolean.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["apple", "applied", "apply"]);
    assert!(boolean[2].1 > boolean[0].1, "{boolean:?}");
    // The first terms in term order, scored or by their boost alone.
    let top = scored(prefix("top_terms_2")).await;
    assert_eq!(top.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["apple", "applied"]);
    let boosts = scored(prefix("top_terms_boost_1")).await;
    assert_eq!(boosts, [("apple".to_owned(), 1.0)]);
    // Fuzzy terms carry their closeness as boost.
    let fuzzy =
        scored(json!({"fuzzy": {"word": {"value": "applx", "fuzziness": 1, "rewrite": "top_terms_boost_5"}}})).await;
    assert_eq!(fuzzy.iter().map(|(w, s)| (w.as_str(), *s)).collect::<Vec<_>>(), [("apple", 0.8), ("apply", 0.8)]);
    let matched =
        scored(json!({"match": {"word": {"query": "applx", "fuzziness": 1, "fuzzy_rewrite": "scoring_boolean"}}}))
            .await;
    assert_eq!(matched.len(), 2);

    // Past the clause limit, scoring_boolean is refused.
    let many: Vec<String> = (0..4100).map(|i| format!("t{i}")).collect();
    call(&c, url, Method::PUT, "/words/_doc/many?refresh=true", Some(json!({"word": many}))).await;
    let (status, refused) = call(
        &c,
        url,
        Method::POST,
        "/words/_search",
        Some(json!({"query": {"prefix": {"word": {"value": "t", "rewrite": "scoring_boolean"}}}})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["reason"].as_str().unwrap().contains("maxClauseCount is set to 4096"), "{refused}");
}

#[tokio::test]
async fn date_ranges_read_named_time_zones_with_their_daylight_saving_time() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/tz", Some(json!({"mappings": {"properties": {"at": {"type": "date"}}}}))).await;
    // Just past midnight in Paris: in winter (+01:00) and in summer (+02:00).
    let docs = [("winter", "2024-01-15T23:30:00Z"), ("summer", "2024-07-15T22:30:00Z")];
    bulk(&c, url, "tz", docs.map(|(id, at)| (id.to_owned(), json!({"at": at})))).await;
    let day = |gte: &str, lt: &str, zone: &str| {
        let (c, url) = (c.clone(), url.clone());
        let range = json!({"range": {"at": {"gte": gte, "lt": lt, "time_zone": zone}}});
        async move { matched_ids(&c, &url, "/tz/_search", json!({"query": range})).await.1 }
    };
    assert_eq!(day("2024-01-16", "2024-01-17", "Europe/Paris").await, ["winter"]);
    assert_eq!(day("2024-07-16", "2024-07-17", "Europe/Paris").await, ["summer"]);
    // A fixed offset stays the same all year: summer's instant is the 15th at +01:00.
    assert_eq!(day("2024-07-16", "2024-07-17", "+01:00").await, Vec::<String>::new());
    let (status, refused) = call(
        &c,
        url,
        Method::POST,
        "/tz/_search",
        Some(json!({"query": {"range": {"at": {"gte": "2024-01-01", "time_zone": "Nowhere/Special"}}}})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn simple_query_strings_take_a_minimum_should_match() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let texts = ["red apple", "red", "red green apple", "green"];
    bulk(&c, url, "sqs", texts.iter().enumerate().map(|(i, t)| (i.to_string(), json!({"text": t})))).await;
    let matched = |msm: &str| {
        let (c, url) = (c.clone(), url.clone());
        let body = json!({"query": {"simple_query_string": {"query": "red green apple", "fields": ["text"], "minimum_should_match": msm}}});
        async move { matched_ids(&c, &url, "/sqs/_search", body).await.1 }
    };
    assert_eq!(matched("1").await, ["0", "1", "2", "3"]);
    assert_eq!(matched("2").await, ["0", "2"]);
    assert_eq!(matched("100%").await, ["2"]);

    // A word a named field cannot take fails the query unless lenient, as
    // it is by default over every field.
    call(&c, url, Method::PUT, "/sqs/_doc/n?refresh=true", Some(json!({"n": 5}))).await;
    let status = |options: Value| {
        let (c, url) = (c.clone(), url.clone());
        let body = json!({"query": {"simple_query_string": options}});
        async move { call(&c, &url, Method::POST, "/sqs/_search", Some(body)).await.0.as_u16() }
    };
    assert_eq!(status(json!({"query": "red", "fields": ["n"]})).await, 400);
    assert_eq!(status(json!({"query": "red", "fields": ["n"], "lenient": true})).await, 200);
    assert_eq!(status(json!({"query": "red"})).await, 200);
}

#[tokio::test]
async fn runtime_and_script_fields_defined_as_none_ask_for_nothing() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    bulk(&c, url, "discover", [("1".to_owned(), json!({"msg": "hello world"}))]).await;
    // As Kibana's Discover asks.
    let body = json!({"runtime_mappings": {}, "script_fields": {}, "query": {"query_string": {"query": "hello"}},
        "fields": [{"field": "*", "include_unmapped": true}], "_source": false, "version": true});
    let (status, found) = call(&c, url, Method::POST, "/discover/_search", Some(body)).await;
    assert!(status.is_success(), "{found}");
    assert_eq!(found["hits"]["hits"][0]["fields"]["msg"], json!(["hello world"]));
    // Some runtime field is still honestly not built.
    let body = json!({"runtime_mappings": {"x": {"type": "long"}}});
    let (status, refused) = call(&c, url, Method::POST, "/discover/_search", Some(body)).await;
    assert_eq!(status, 501, "{refused}");
    let (status, caps) =
        call(&c, url, Method::POST, "/discover/_field_caps?fields=msg", Some(json!({"runtime_mappings": {}}))).await;
    assert!(status.is_success(), "{caps}");
}

#[tokio::test]
async fn query_strings_take_kibanas_options() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"at": {"type": "date"}, "n": {"type": "long"}, "msg": {"type": "text"}}});
    call(&c, url, Method::PUT, "/qs", Some(json!({"mappings": mappings}))).await;
    let docs = [("1", "2024-07-15T22:30:00Z", 5, "quick brown fox"), ("2", "2024-07-15T20:30:00Z", 50, "lazy dog")];
    bulk(&c, url, "qs", docs.map(|(id, at, n, msg)| (id.to_owned(), json!({"at": at, "n": n, "msg": msg})))).await;
    let found = |options: Value| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (status, matched) =
                matched_ids(&c, &url, "/qs/_search", json!({"query": {"query_string": options}})).await;
            (status.as_u16(), matched)
        }
    };
    // A date range read in Paris (+02:00 in July); a numeric range ignores the zone.
    let paris = json!({"query": "at:[2024-07-16 TO 2024-07-17} AND n:[1 TO 10]", "time_zone": "Europe/Paris"});
    assert_eq!(found(paris).await, (200, vec!["1".to_owned()]));
    // A default fuzziness for `term~`, and the leading wildcards refused when asked.
    assert_eq!(found(json!({"query": "qwack~", "fuzziness": 1})).await, (200, Vec::<String>::new()));
    assert_eq!(found(json!({"query": "qwack~", "fuzziness": 2})).await, (200, vec!["1".to_owned()]));
    assert_eq!(found(json!({"query": "msg:*own", "allow_leading_wildcard": false})).await.0, 400);
    assert_eq!(found(json!({"query": "msg:*own"})).await, (200, vec!["1".to_owned()]));
    // minimum_should_match over the optional terms.
    let two = json!({"query": "quick lazy fox", "default_field": "msg", "minimum_should_match": 2});
    assert_eq!(found(two).await, (200, vec!["1".to_owned()]));
}

#[tokio::test]
async fn hits_sort_by_their_distance_to_points() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    call(&c, url, Method::PUT, "/places", Some(json!({"mappings": {"properties": {"at": {"type": "geo_point"}}}})))
        .await;
    // Paris, London, Berlin; a shop in both Madrid and Rome; one without a place.
    let places = [
        ("paris", json!({"at": {"lat": 48.8566, "lon": 2.3522}})),
        ("london", json!({"at": "51.5074,-0.1278"})),
        ("berlin", json!({"at": [13.405, 52.52]})),
        ("south", json!({"at": [[-3.7038, 40.4168], [12.4964, 41.9028]]})),
        ("nowhere", json!({})),
    ];
    bulk(&c, url, "places", places.map(|(id, doc)| (id.to_owned(), doc))).await;
    let sorted = |geo: Value, after: Option<Value>| {
        let (c, url) = (c.clone(), url.clone());
        let mut body = json!({"sort": [{"_geo_distance": geo}]});
        if let Some(after) = after {
            body["search_after"] = after;
        }
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/places/_search", Some(body)).await;
            assert!(status.is_success(), "{found}");
            ids_and_sorts(&found)
        }
    };
    // From Brussels, in kilometres: London ~320, Paris ~264, Berlin ~651.
    let brussels = json!({"at": {"lat": 50.8503, "lon": 4.3517}, "unit": "km"});
    let hits = sorted(brussels.clone(), None).await;
    let ids: Vec<&str> = hits.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["paris", "london", "berlin", "south", "nowhere"]);
    let paris_km = hits[0].1.as_f64().unwrap();
    assert!((250.0..280.0).contains(&paris_km), "{paris_km}");
    assert_eq!(hits[4].1, json!("Infinity"), "a hit without a point is infinitely far");
    // Descending, the farthest point of each counts, and nowhere comes first.
    let mut far = brussels.clone();
    far["order"] = json!("desc");
    let ids: Vec<String> = sorted(far, None).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["nowhere", "south", "berlin", "london", "paris"]);
    // Paging on from a distance.
    let next = sorted(brussels, Some(json!([paris_km]))).await;
    assert_eq!(next.first().map(|(id, _)| id.as_str()), Some("london"));
    // Several points: the nearest of any of them.
    let two = json!({"at": [[13.405, 52.52], [-0.1278, 51.5074]], "mode": "min"});
    let hits = sorted(two, None).await;
    let mut nearest: Vec<&str> = hits[..2].iter().map(|(id, _)| id.as_str()).collect();
    nearest.sort();
    assert_eq!((nearest, &hits[0].1), (vec!["berlin", "london"], &json!(0.0)));
    // A field that is no geo point, or none at all, is refused unless ignored.
    let (status, _) =
        call(&c, url, Method::POST, "/places/_search", Some(json!({"sort": [{"_geo_distance": {"nope": [0, 0]}}]})))
            .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/places/_search",
        Some(json!({"sort": [{"_geo_distance": {"nope": [0, 0], "ignore_unmapped": true}}]})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn term_suggestions_take_frequency_bounds_and_lowercasing() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let texts = ["a brown fox", "the brown dog", "brown bears", "a browm cat"];
    bulk(&c, url, "spell", texts.iter().enumerate().map(|(i, t)| (i.to_string(), json!({"body": t})))).await;
    let options = |text: &str, term: Value| {
        let (c, url) = (c.clone(), url.clone());
        let body = json!({"suggest": {"s": {"text": text, "term": term}}});
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/spell/_search", Some(body)).await;
            assert!(status.is_success(), "{found}");
            found["suggest"]["s"][0]["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["text"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    // "brown" is in three of four documents: past max_term_freq it is taken as well spelled.
    let always = |max: f64| json!({"field": "body", "suggest_mode": "always", "max_term_freq": max});
    assert_eq!(options("brown", always(0.5)).await, Vec::<String>::new());
    assert_eq!(options("brown", always(0.9)).await, ["browm"]);
    // Lowercased after analysis, and only suggestions in half the documents.
    let upper = json!({"field": "body", "analyzer": "whitespace", "lowercase_terms": true, "min_doc_freq": 0.5});
    assert_eq!(options("BRWON", upper).await, ["brown"]);
    let upper = json!({"field": "body", "analyzer": "whitespace"});
    assert_eq!(options("BRWON", upper).await, Vec::<String>::new());
    // `accuracy` bounds the similarity: "bears" is 2 edits from "beaxx"
    // (0.6 alike), past the default 0.5 but not 0.7.
    let accurate = |accuracy: f64| json!({"field": "body", "accuracy": accuracy});
    assert_eq!(options("beaxx", accurate(0.5)).await, ["bears"]);
    assert_eq!(options("beaxx", accurate(0.7)).await, Vec::<String>::new());
    // Every string_distance scores: jaro_winkler finds "cat" like "cab" enough, ngram too.
    for distance in ["internal", "damerau_levenshtein", "levenshtein", "jaro_winkler", "ngram"] {
        let term = json!({"field": "body", "min_word_length": 3, "string_distance": distance});
        assert_eq!(options("cab", term).await, ["cat"], "{distance}");
    }
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/spell/_search",
        Some(json!({"suggest": {"s": {"text": "cab", "term": {"field": "body", "string_distance": "soundex"}}}})),
    )
    .await;
    assert_eq!(status, 400);
    // Each search with suggestions counts on the index's shard.
    let (_, stats) = call(&c, url, Method::GET, "/spell/_stats/search", None).await;
    assert_eq!(stats["indices"]["spell"]["primaries"]["search"]["suggest_total"], 11);
}

#[tokio::test]
async fn completion_text_is_read_with_the_asked_analyzer() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"name": {"type": "completion"}}});
    call(&c, url, Method::PUT, "/songs", Some(json!({"mappings": mappings}))).await;
    bulk(&c, url, "songs", [("1".to_owned(), json!({"name": "Nirvana"}))]).await;
    let suggested = |completion: Value| {
        let (c, url) = (c.clone(), url.clone());
        let body = json!({"suggest": {"s": {"prefix": "NIR", "completion": completion}}});
        async move {
            let (status, found) = call(&c, &url, Method::POST, "/songs/_search", Some(body)).await;
            assert!(status.is_success(), "{found}");
            found["suggest"]["s"][0]["options"].as_array().unwrap().len()
        }
    };
    // The field's analyzer (simple) lowercases the text; keyword keeps it as sent.
    assert_eq!(suggested(json!({"field": "name", "shard_size": 10})).await, 1);
    assert_eq!(suggested(json!({"field": "name", "analyzer": "keyword"})).await, 0);
}

#[tokio::test]
async fn scrolls_and_points_in_time_are_counted_on_their_shards() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    bulk(&c, url, "scrolled", (0..3).map(|i| (i.to_string(), json!({"n": i})))).await;
    let scroll_stats = || {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (_, stats) = call(&c, &url, Method::GET, "/scrolled/_stats/search", None).await;
            let search = stats["indices"]["scrolled"]["primaries"]["search"].clone();
            (search["scroll_current"].as_u64(), search["scroll_total"].as_u64(), search["open_contexts"].as_u64())
        }
    };
    let (_, first) = call(&c, url, Method::POST, "/scrolled/_search?scroll=1m&size=1", Some(json!({}))).await;
    assert_eq!(scroll_stats().await, (Some(1), Some(0), Some(1)), "one open scroll context");
    let id = first["_scroll_id"].as_str().unwrap();
    call(&c, url, Method::DELETE, "/_search/scroll", Some(json!({"scroll_id": id}))).await;
    assert_eq!(scroll_stats().await, (Some(0), Some(1), Some(0)), "freed, it is counted");
    // A point in time is an open context too, until closed.
    let (_, pit) = call(&c, url, Method::POST, "/scrolled/_pit?keep_alive=1m", None).await;
    assert_eq!(scroll_stats().await.2, Some(1));
    call(&c, url, Method::DELETE, "/_pit", Some(json!({"id": pit["id"]}))).await;
    assert_eq!(scroll_stats().await.2, Some(0));
}

#[tokio::test]
async fn phrase_prefixes_expand_their_last_word_as_far_as_asked() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let texts = ["quick brown fox", "quick black cat", "quick blue whale"];
    bulk(&c, url, "prefixes", texts.iter().enumerate().map(|(i, t)| (i.to_string(), json!({"body": t})))).await;
    // The terms are counted segment by segment: one segment here.
    call(&c, url, Method::POST, "/prefixes/_forcemerge?max_num_segments=1", None).await;
    let matched = |max: Option<u64>| {
        let (c, url) = (c.clone(), url.clone());
        let mut options = json!({"query": "quick b"});
        if let Some(max) = max {
            options["max_expansions"] = json!(max);
        }
        let body = json!({"query": {"match_phrase_prefix": {"body": options}}});
        async move { matched_ids(&c, &url, "/prefixes/_search", body).await.1 }
    };
    assert_eq!(matched(None).await, ["0", "1", "2"]);
    // The first term in term order: "black".
    assert_eq!(matched(Some(1)).await, ["1"]);
}

#[tokio::test]
async fn direct_generators_filter_terms_before_and_after() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    // Corrections looked for from the end of the word: reversed before, reversed back after.
    let settings =
        json!({"analysis": {"analyzer": {"reverse": {"tokenizer": "standard", "filter": ["lowercase", "reverse"]}}}});
    let mappings = json!({"properties": {"title": {"type": "text", "fields": {"reverse": {"type": "text", "analyzer": "reverse"}}}}});
    call(&c, url, Method::PUT, "/words", Some(json!({"settings": settings, "mappings": mappings}))).await;
    bulk(&c, url, "words", [("1".to_owned(), json!({"title": "the quick brown fox"}))]).await;
    let suggest = |generator: Value| {
        json!({"suggest": {"fix": {"text": "qick brown", "phrase": {
        "field": "title", "direct_generator": [generator]}}}})
    };
    let reversed = json!({"field": "title.reverse", "suggest_mode": "always", "min_word_length": 3, "prefix_length": 2,
        "max_term_freq": 0.99, "pre_filter": "reverse", "post_filter": "reverse"});
    let (status, found) = call(&c, url, Method::POST, "/words/_search", Some(suggest(reversed))).await;
    assert!(status.is_success(), "{found}");
    assert_eq!(found["suggest"]["fix"][0]["options"][0]["text"], "quick brown", "{found}");
    // From the start, "qi" is no prefix of "quick": nothing to suggest.
    let forward = json!({"field": "title", "suggest_mode": "always", "min_word_length": 3, "prefix_length": 2, "max_term_freq": 0.99});
    let (_, found) = call(&c, url, Method::POST, "/words/_search", Some(suggest(forward))).await;
    assert_eq!(found["suggest"]["fix"][0]["options"], json!([]), "{found}");
    let unknown = json!({"field": "title", "pre_filter": "nope"});
    let (status, _) = call(&c, url, Method::POST, "/words/_search", Some(suggest(unknown))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn number_sort_values_take_a_decimal_format() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"price": {"type": "double"}, "tag": {"type": "keyword"}}});
    call(&c, url, Method::PUT, "/prices", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/prices/_doc/1", Some(json!({"price": 1234.5, "tag": "a"}))).await;
    call(&c, url, Method::PUT, "/prices/_doc/2?refresh=true", Some(json!({"price": 7, "tag": "b"}))).await;
    let sorted = |field: &str, format: &str| json!({"sort": [{field: {"order": "desc", "format": format}}]});
    let (status, found) = call(&c, url, Method::POST, "/prices/_search", Some(sorted("price", "#,##0.00"))).await;
    assert_eq!(status, 200, "{found}");
    let sorts: Vec<&Value> = found["hits"]["hits"].as_array().unwrap().iter().map(|h| &h["sort"][0]).collect();
    assert_eq!(sorts, [&json!("1,234.50"), &json!("7.00")]);
    // The shown values page on as search_after values.
    let mut after = sorted("price", "#,##0.00");
    after["search_after"] = json!(["1,234.50"]);
    let (status, next) = call(&c, url, Method::POST, "/prices/_search", Some(after)).await;
    assert_eq!(status, 200, "{next}");
    assert_eq!(ids(&next), ["2"]);
    // A keyword takes no format, as in Elasticsearch.
    let (status, refused) = call(&c, url, Method::POST, "/prices/_search", Some(sorted("tag", "#.0"))).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused.to_string().contains("does not support custom formats"), "{refused}");
}

#[tokio::test]
async fn decay_functions_score_points_and_many_values() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings = json!({"properties": {"at": {"type": "geo_point"}, "sizes": {"type": "integer"}}});
    call(&c, url, Method::PUT, "/shops", Some(json!({"mappings": mappings}))).await;
    let shops = [
        ("paris", json!({"at": {"lat": 48.85, "lon": 2.35}, "sizes": [1, 40]})),
        ("london", json!({"at": {"lat": 51.5, "lon": -0.12}, "sizes": [10]})),
        ("berlin", json!({"at": {"lat": 52.52, "lon": 13.4}, "sizes": [12, 14]})),
    ];
    bulk(&c, url, "shops", shops.iter().map(|(id, doc)| (id.to_string(), doc.clone()))).await;
    let scored = |function: Value| {
        let c = c.clone();
        async move {
            let body = json!({"query": {"function_score": {"query": {"match_all": {}}, "boost_mode": "replace", "functions": [function]}}});
            let (status, found) = call(&c, url, Method::POST, "/shops/_search", Some(body)).await;
            assert_eq!(status, 200, "{found}");
            found["hits"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h["_id"].as_str().unwrap().to_owned(), h["_score"].as_f64().unwrap()))
                .collect::<Vec<_>>()
        }
    };
    // Nearest Paris first; at `scale` from the origin the score is the decay (0.5).
    let near = scored(json!({"gauss": {"at": {"origin": "48.85,2.35", "scale": "344km", "decay": 0.5}}})).await;
    assert_eq!(near.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["paris", "london", "berlin"]);
    assert_eq!(near[0].1, 1.0);
    assert!((near[1].1 - 0.5).abs() < 0.02, "London is about 344 km from Paris: {near:?}");
    // multi_value_mode: the least distance by default, or the greatest.
    let sizes = |mode: &str| json!({"linear": {"sizes": {"origin": 10, "scale": 30}, "multi_value_mode": mode}});
    let least = scored(sizes("min")).await;
    assert_eq!(least[0].0, "london", "{least:?}");
    let greatest = scored(sizes("max")).await;
    assert_eq!(greatest[0].0, "london", "{greatest:?}");
    assert_eq!(greatest.last().unwrap().0, "paris", "Paris's 40 is the farthest: {greatest:?}");
    let (status, _) = call(
        &c,
        url,
        Method::POST,
        "/shops/_search",
        Some(json!({"query": {"function_score": {
        "exp": {"sizes": {"origin": 1, "scale": 2}, "multi_value_mode": "median"}}}})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn field_masking_spans_join_another_fields_positions() {
    let server = server!();
    let c = Client::new();
    let url = &server.url;
    let mappings =
        json!({"properties": {"text": {"type": "text", "fields": {"stems": {"type": "text", "analyzer": "english"}}}}});
    call(&c, url, Method::PUT, "/masked", Some(json!({"mappings": mappings}))).await;
    call(&c, url, Method::PUT, "/masked/_doc/1", Some(json!({"text": "quick foxes jumped"}))).await;
    call(&c, url, Method::PUT, "/masked/_doc/2?refresh=true", Some(json!({"text": "foxes quick jumped"}))).await;
    // "quick" on the field itself, then "fox" stemmed on its sub-field, in order.
    let near = json!({"span_near": {"clauses": [
        {"span_term": {"text": "quick"}},
        {"field_masking_span": {"query": {"span_term": {"text.stems": "fox"}}, "field": "text"}}
    ], "slop": 0, "in_order": true}});
    let (status, found) = call(&c, url, Method::POST, "/masked/_search", Some(json!({"query": near}))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), ["1"]);
    // Without the mask, the clauses' fields differ.
    let unmasked =
        json!({"span_near": {"clauses": [{"span_term": {"text": "quick"}}, {"span_term": {"text.stems": "fox"}}]}});
    let (status, _) = call(&c, url, Method::POST, "/masked/_search", Some(json!({"query": unmasked}))).await;
    assert_eq!(status, 400);
    // An intervals rule's `use_field` does the same, analysed as that field is.
    let intervals = json!({"intervals": {"text": {"all_of": {"ordered": true, "intervals": [
        {"match": {"query": "quick"}},
        {"match": {"query": "fox", "use_field": "text.stems"}}
    ]}}}});
    let (status, found) = call(&c, url, Method::POST, "/masked/_search", Some(json!({"query": intervals}))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), ["1"]);
}
