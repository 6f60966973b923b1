//! Cleaning the cluster between tests, as Elasticsearch's test base class
//! does: indices, data streams, aliases (with their indices), index and
//! component templates, ingest pipelines, stored scripts and cluster
//! settings, all through the REST API. A cleanup the server does not
//! support yet is passed over.

use crate::client::Client;
use crate::request::HttpRequest;
use tensile_rest::spec::Method;

const STEPS: &[(Method, &str, Option<&str>)] = &[
    (Method::Delete, "/_data_stream/*?expand_wildcards=all", None),
    (Method::Delete, "/*?expand_wildcards=all", None),
    (Method::Delete, "/_index_template/*", None),
    (Method::Delete, "/_component_template/*", None),
    (Method::Delete, "/_template/*", None),
    (Method::Delete, "/_ingest/pipeline/*", None),
    (Method::Delete, "/_search/scroll/_all", None),
    (Method::Put, "/_cluster/settings", Some(r#"{"persistent":{"*":null},"transient":{"*":null}}"#)),
];

pub async fn wipe(client: &Client) {
    for (method, uri, body) in STEPS {
        let req = HttpRequest {
            method: *method,
            uri: (*uri).to_owned(),
            body: body.map(|b| b.as_bytes().to_vec()),
            content_type: body.map(|_| "application/json"),
        };
        let _ = client.send(&req, &[]).await;
    }
    wipe_stored_scripts(client).await;
}

/// Stored scripts have no wildcard delete: list them from the cluster state.
async fn wipe_stored_scripts(client: &Client) {
    let list = HttpRequest {
        method: Method::Get,
        uri: "/_cluster/state/metadata?filter_path=metadata.stored_scripts".into(),
        body: None,
        content_type: None,
    };
    let Ok(answer) = client.send(&list, &[]).await else { return };
    let Some(scripts) = answer.body.pointer("/metadata/stored_scripts").and_then(|s| s.as_object()) else { return };
    for id in scripts.keys() {
        let req =
            HttpRequest { method: Method::Delete, uri: format!("/_scripts/{id}"), body: None, content_type: None };
        let _ = client.send(&req, &[]).await;
    }
}
