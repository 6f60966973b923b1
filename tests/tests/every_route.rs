//! Every route of the spec, with bodies an API does not expect and each of
//! its parameters with a value none takes: each
//! answers in Elasticsearch's error shape or succeeds, none fails inside
//! the server (a 5xx other than the honest 501 "not implemented", or
//! Elasticsearch's own 500 for an `illegal_state_exception`), and the
//! server still answers afterwards.

use reqwest::{Client, Method};
use tensile_tests::server;

/// Bodies no API expects all of.
const BODIES: &[&str] = &[
    "",
    "{}",
    "[]",
    "\"text\"",
    "{\"query\": {\"bogus\": {}}, \"size\": -3, \"aggs\": 1}",
    "{\"a\": {\"b\": [1, null, true, {\"c\": \"d\"}]}, \"index\": \"x\"}",
    "{not json",
];

/// A value for a path part, by its name: names that exist, or (`odd`)
/// names that do not, cannot or are too long to.
fn part(name: &str, odd: bool) -> String {
    let plain = match name {
        "index" | "target" => "fuzz",
        "id" | "task_id" | "scroll_id" => "1",
        "metric" | "index_metric" => "_all",
        "fields" | "fielddata_fields" | "completion_fields" => "f",
        _ => "x",
    };
    match (odd, name) {
        (false, _) => plain.to_owned(),
        (true, "id") => "i".repeat(600),
        (true, "index" | "target") => "No%20such,_all,*".to_owned(),
        (true, _) => "%E2%9C%93,-".to_owned(),
    }
}

/// The status and start of an answer that failed inside the server: a 5xx
/// but the honest 501 and Elasticsearch's own 500 for an illegal state.
async fn failed_inside(resp: reqwest::Response) -> Option<String> {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let own_500 = status == 500 && text.contains("\"type\":\"illegal_state_exception\"");
    (status >= 500 && status != 501 && !own_500)
        .then(|| format!("{status} {}", text.chars().take(300).collect::<String>()))
}

#[tokio::test]
async fn every_route_answers_without_failing_inside() {
    let server = server!();
    let c = Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
    let url = &server.url;
    c.put(format!("{url}/fuzz/_doc/1?refresh=true")).json(&serde_json::json!({"f": "v", "n": 1})).send().await.unwrap();
    let mut failures = Vec::new();
    let routes = tensile_generated::APIS.iter().flat_map(|api| api.paths.iter().map(move |path| (api, path)));
    for ((api, path), odd) in routes.flat_map(|route| [(route, false), (route, true)]) {
        let mut concrete = path.template.to_owned();
        for p in path.parts {
            concrete = concrete.replace(&format!("{{{}}}", p.name), &part(p.name, odd));
        }
        for (method, body) in path.methods.iter().flat_map(|m| BODIES.iter().map(move |b| (m, b))) {
            let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
            let mut req = c.request(method.clone(), format!("{url}{concrete}"));
            if !body.is_empty() {
                req = req.header("content-type", "application/json").body(*body);
            }
            let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {concrete} with {body}: {e}"));
            if let Some(failure) = failed_inside(resp).await {
                failures.push(format!("{} {method} {concrete} with {body}: {failure}", api.name));
            }
        }
    }
    // Every parameter of every route with a value no parameter takes.
    for (api, path) in tensile_generated::APIS.iter().flat_map(|api| api.paths.iter().map(move |path| (api, path))) {
        let mut concrete = path.template.to_owned();
        for p in path.parts {
            concrete = concrete.replace(&format!("{{{}}}", p.name), &part(p.name, false));
        }
        for (method, param) in path.methods.iter().flat_map(|m| api.params.iter().map(move |p| (m, p))) {
            let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
            let target = format!("{url}{concrete}?{}=-1%25x%2C%2C", param.name);
            let resp = c.request(method.clone(), &target).send().await.unwrap_or_else(|e| panic!("{target}: {e}"));
            if let Some(failure) = failed_inside(resp).await {
                failures.push(format!("{} {method} {target}: {failure}", api.name));
            }
        }
    }
    let (status, _) = tensile_tests::call(&c, url, Method::GET, "/", None).await;
    assert_eq!(status, 200, "the server answers afterwards");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
