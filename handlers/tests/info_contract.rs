//! `GET /` answers with a body the spec's `InfoResponse` model reads: the
//! handler keeps to the Elasticsearch response schema.

use tensile_engine::Engine;
use tensile_generated::params;
use tensile_handlers::Node;
use tensile_rest::{Body, Method, RawParams, Request, ResponseBody};
use tensile_server::Settings;

#[tokio::test]
async fn info_matches_the_spec_response_model() {
    let data = tempfile::tempdir().unwrap();
    let settings = Settings { path_data: data.path().to_owned(), ..Settings::default() };
    let node = Node::new(settings.clone(), Engine::open(&settings.path_data).unwrap());
    let req = Request {
        params: params::Info {},
        body: Body::default(),
        method: Method::Get,
        path: "/".into(),
        raw: RawParams::default(),
        headers: Vec::new(),
    };
    let response = tensile_handlers::info::info(&node, req).await.unwrap();
    assert_eq!(response.status, 200);
    let ResponseBody::Json(body) = response.body else { panic!("info answers JSON") };
    let typed: tensile_types::InfoResponse = serde_json::from_value(body.clone()).expect("InfoResponse reads the body");
    assert_eq!(typed.tagline, "You Know, for Search");
    assert_eq!(typed.version.number, tensile_generated::SPEC_VERSION);
    assert_eq!(*typed.cluster_uuid, node.engine.node().cluster_uuid);
}
