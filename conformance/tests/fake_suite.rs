//! The runner end to end: a tiny YAML suite (`tests/suite/`) that uses
//! every feature of the test language, run against a mock server that
//! echoes requests. Tests named `FAIL ...` must fail, `SKIP ...` must be
//! skipped, all others must pass.

use conformance::report::Outcome;
use conformance::{run_suite, RunOptions};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{handler, Body, Request, Response};
use serde_json::{json, Value};

#[handler]
async fn mock(req: &Request, body: Body) -> Response {
    let raw = body.into_string().await.unwrap_or_default();
    let query: serde_json::Map<String, Value> = req
        .uri()
        .query()
        .map(|q| form_pairs(q).into_iter().map(|(k, v)| (k, Value::String(v))).collect())
        .unwrap_or_default();
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut builder = Response::builder().content_type("application/json");
    for w in header("x-mock-warning").iter().flat_map(|w| w.split('|').map(str::to_owned).collect::<Vec<_>>()) {
        builder = builder.header("Warning", format!("299 Elasticsearch-9.6.0 \"{w}\""));
    }
    if let Some(status) = header("x-mock-status").and_then(|s| s.parse::<u16>().ok()) {
        let error = json!({"error": {"type": "mock_exception", "reason": "asked for"}, "status": status});
        return builder.status(poem::http::StatusCode::from_u16(status).unwrap()).body(error.to_string());
    }
    if req.uri().path() == "/_capabilities" {
        let yes = query.get("capabilities").and_then(Value::as_str).is_some_and(|c| c.split(',').all(|c| c == "yes"));
        return builder.body(json!({"supported": yes}).to_string());
    }
    let echo = json!({
        "method": req.method().as_str(),
        "path": req.uri().path(),
        "query": query,
        "body": serde_json::from_str::<Value>(&raw).unwrap_or(Value::Null),
        "raw": raw,
        "content_type": header("content-type"),
        "version": {"number": "9.6.0"},
    });
    builder.body(echo.to_string())
}

fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}

#[tokio::test]
async fn every_feature_of_the_test_language() {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(mock));

    let opts = RunOptions {
        url: format!("http://{addr}"),
        tests_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/suite").into(),
        filter: None,
    };
    let results = run_suite(&opts, |r| println!("{}", r.line())).await.unwrap();
    assert_eq!(results.len(), 15, "every test of the fake suite ran");
    for r in &results {
        let ok = match &r.outcome {
            Outcome::Pass => !r.name.starts_with("FAIL") && !r.name.starts_with("SKIP"),
            Outcome::Fail { .. } => r.name.starts_with("FAIL"),
            Outcome::Skip { .. } => r.name.starts_with("SKIP"),
        };
        assert!(ok, "{}", r.line());
    }
}
