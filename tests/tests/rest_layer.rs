//! Elasticsearch's REST-layer behaviour, end to end over HTTP: `GET /` and
//! `HEAD /`, errors for unknown parameters, paths and methods, unbuilt APIs,
//! `filter_path`, `pretty`, YAML, gzip both ways, body limits and
//! `compatible-with` media types.

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tensile_tests::{gunzip, gzip, server, Server};

async fn send(
    server: &Server,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Client::new().request(method, server.at(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.body(body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

async fn get_json(server: &Server, path: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(server, Method::GET, path, &[], None).await;
    (
        status,
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&body))),
    )
}

#[tokio::test]
async fn root_reports_node_and_version() {
    let server = server!("cluster.name=test-cluster", "node.name=test-node");
    let (status, headers, body) = send(&server, Method::GET, "/", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-elastic-product"], "Elasticsearch");
    assert_eq!(headers[CONTENT_TYPE], "application/json");
    let body: Value = serde_json::from_slice(&body).unwrap();
    insta::assert_json_snapshot!(body, { ".cluster_uuid" => "[uuid]", ".version.build_hash" => "[hash]", ".version.build_date" => "[date]" });

    // The cluster UUID survives a restart over the same data folder.
    let uuid = body["cluster_uuid"].as_str().unwrap().to_owned();
    let (status, data) = server.stop();
    assert!(status.success(), "SIGTERM ends tensile cleanly, not with {status}");
    let again = Server::start_in(std::path::Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), data, &[]);
    let (_, body) = get_json(&again, "/").await;
    assert_eq!(body["cluster_uuid"], uuid.as_str());
}

#[tokio::test]
async fn head_root_answers_without_a_body() {
    let server = server!();
    let (status, headers, body) = send(&server, Method::HEAD, "/", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-elastic-product"], "Elasticsearch");
    assert!(body.is_empty());
}

#[tokio::test]
async fn unknown_parameter_is_rejected_with_a_hint() {
    let server = server!();
    let (status, body) = get_json(&server, "/?foo=1").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "illegal_argument_exception");
    assert_eq!(body["error"]["reason"], "request [/] contains unrecognized parameter: [foo]");
    let (status, body) = get_json(&server, "/_search?sise=10").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["reason"],
        "request [/_search] contains unrecognized parameter: [sise] -> did you mean [size]?"
    );
}

#[tokio::test]
async fn badly_typed_parameter_is_rejected() {
    let server = server!();
    let (status, body) = get_json(&server, "/?pretty=maybe").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["reason"], "Failed to parse value [maybe] as only [true] or [false] are allowed.");
    let (status, body) = get_json(&server, "/_cluster/health?timeout=10").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "parse_exception");
}

#[tokio::test]
async fn unknown_path_and_wrong_method() {
    let server = server!();
    let (status, body) = get_json(&server, "/_no/such/route/here").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "no handler found for uri [/_no/such/route/here] and method [GET]", "status": 400})
    );

    let (status, headers, body) = send(&server, Method::DELETE, "/?pretty", &[], None).await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "GET,HEAD");
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"], "Incorrect HTTP method for uri [/?pretty] and method [DELETE], allowed: [GET, HEAD]");

    let (status, headers, _) = send(&server, Method::OPTIONS, "/", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["allow"], "GET,HEAD");
    let propfind = Method::from_bytes(b"PROPFIND").unwrap();
    let (status, headers, _) = send(&server, propfind, "/", &[], None).await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "GET,HEAD");

    // As in Elasticsearch, a literal route falls back to a parameter route
    // on its method: `/_search` also matches `/{index}`.
    let (status, headers, _) = send(&server, Method::OPTIONS, "/_search", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["allow"], "GET,POST,PUT,DELETE,HEAD");
}

#[tokio::test]
async fn unbuilt_api_answers_with_an_honest_error() {
    let server = server!();
    let (status, body) = get_json(&server, "/_ml/anomaly_detectors").await;
    assert_eq!(status, 501);
    assert_eq!(body["error"]["type"], "unsupported_operation_exception");
    assert!(body["error"]["reason"].as_str().unwrap().contains("[ml.get_jobs]"));
}

#[tokio::test]
async fn filter_path_pretty_yaml_and_error_trace() {
    let server = server!();
    let (_, body) = get_json(&server, "/?filter_path=version.number,tagline").await;
    assert_eq!(body, json!({"version": {"number": tensile_version()}, "tagline": "You Know, for Search"}));
    let (_, body) = get_json(&server, "/?filter_path=-version,-cluster_uuid,-name").await;
    assert_eq!(body, json!({"cluster_name": "elasticsearch", "tagline": "You Know, for Search"}));

    let (_, _, pretty) = send(&server, Method::GET, "/?pretty&filter_path=version.number,tagline", &[], None).await;
    insta::assert_snapshot!(String::from_utf8(pretty).unwrap());

    let (_, headers, yaml) = send(&server, Method::GET, "/?format=yaml&filter_path=tagline", &[], None).await;
    assert_eq!(headers[CONTENT_TYPE], "application/yaml");
    assert_eq!(String::from_utf8(yaml).unwrap(), "---\ntagline: You Know, for Search\n");

    let (_, body) = get_json(&server, "/?foo=1&error_trace=true").await;
    assert!(body["error"]["stack_trace"].as_str().is_some());
    let (_, body) = get_json(&server, "/?foo=1").await;
    assert!(body["error"].get("stack_trace").is_none());
}

fn tensile_version() -> &'static str {
    "9.6.0"
}

#[tokio::test]
async fn gzip_responses_when_asked() {
    let server = server!();
    let (status, headers, body) = send(&server, Method::GET, "/", &[("accept-encoding", "gzip")], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-encoding"], "gzip");
    let body: Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    assert_eq!(body["tagline"], "You Know, for Search");
}

#[tokio::test]
async fn gzip_request_bodies_are_decoded_and_limits_hold() {
    let server = server!("http.max_content_length=1kb");
    let json_ct = ("content-type", "application/json");
    // 2 KiB of JSON compresses far below the 1 KiB limit, but decodes above it.
    let big = format!("{{\"query\":{{\"match_all\":{{}}}},\"pad\":\"{}\"}}", "x".repeat(2048)).into_bytes();
    let packed = gzip(&big);
    assert!(packed.len() < 1024);
    let (status, _, _) =
        send(&server, Method::POST, "/_search", &[json_ct, ("content-encoding", "gzip")], Some(packed)).await;
    assert_eq!(status, 413);
    // Sent plainly it is over the limit too.
    let (status, _, _) = send(&server, Method::POST, "/_search", &[json_ct], Some(big)).await;
    assert_eq!(status, 413);
    // A small gzip body gets through to the API, which does not take one.
    let small = gzip(b"{}");
    let (status, _, body) =
        send(&server, Method::GET, "/", &[json_ct, ("content-encoding", "gzip")], Some(small)).await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["reason"], "request [GET /] does not support having a body");
    // A body that claims gzip but is not is a client error, not a crash.
    let (status, _, _) =
        send(&server, Method::POST, "/_search", &[json_ct, ("content-encoding", "gzip")], Some(b"nope".to_vec())).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn media_types_and_compatible_with() {
    let server = server!();
    let accept9 = ("accept", "application/vnd.elasticsearch+json; compatible-with=9");
    let (status, headers, _) = send(&server, Method::GET, "/", &[accept9], None).await;
    assert_eq!(status, 200);
    assert_eq!(headers[CONTENT_TYPE], "application/vnd.elasticsearch+json;compatible-with=9");

    let accept7 = ("accept", "application/vnd.elasticsearch+json; compatible-with=7");
    let (status, _, body) = send(&server, Method::GET, "/", &[accept7], None).await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["type"], "media_type_header_exception");

    let (status, _, body) =
        send(&server, Method::POST, "/_search", &[("content-type", "text/plain")], Some(b"{}".to_vec())).await;
    assert_eq!(status, 406);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body, json!({"error": "Content-Type header [text/plain] is not supported", "status": 406}));
}

#[tokio::test]
async fn opaque_id_is_echoed() {
    let server = server!();
    let (_, headers, _) = send(&server, Method::GET, "/", &[("x-opaque-id", "trace-42")], None).await;
    assert_eq!(headers["x-opaque-id"], "trace-42");
}

#[tokio::test]
async fn openapi_document_lists_every_operation() {
    let server = server!();
    let (status, doc) = get_json(&server, "/_tensile/openapi.json").await;
    assert_eq!(status, 200);
    let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert!(operations >= 845, "only {operations} operations listed");
    assert_eq!(doc["paths"]["/{index}/_doc/{id}"]["get"]["summary"], "get");
}
