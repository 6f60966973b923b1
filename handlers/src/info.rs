//! `GET /` (`info`) and `HEAD /` (`ping`): who this node is and which
//! Elasticsearch version it speaks. Clients and log shippers read
//! `version.number` before they talk to the node.

use crate::node::Node;
use serde::Serialize;
use tensile_generated::params;
use tensile_rest::{ready, HandlerFuture, Request, Response};

/// The Lucene line of the Elasticsearch version Tensile reports. Tensile
/// stores data with tantivy; the field is there because clients read it.
pub const LUCENE_VERSION: &str = "10.3.1";
/// The oldest versions an Elasticsearch 9 node talks to and reads indices of.
pub const MINIMUM_WIRE_COMPATIBILITY_VERSION: &str = "8.19.0";
pub const MINIMUM_INDEX_COMPATIBILITY_VERSION: &str = "8.0.0";

#[derive(Debug, Serialize)]
pub struct InfoResponse<'a> {
    pub name: &'a str,
    pub cluster_name: &'a str,
    pub cluster_uuid: &'a str,
    pub version: VersionInfo,
    pub tagline: &'static str,
}

#[derive(Debug, Serialize)]
pub struct VersionInfo {
    pub number: &'static str,
    pub build_flavor: &'static str,
    pub build_type: &'static str,
    pub build_hash: &'static str,
    pub build_date: &'static str,
    pub build_snapshot: bool,
    pub lucene_version: &'static str,
    pub minimum_wire_compatibility_version: &'static str,
    pub minimum_index_compatibility_version: &'static str,
}

impl VersionInfo {
    pub fn current() -> Self {
        VersionInfo {
            number: tensile_generated::SPEC_VERSION,
            build_flavor: "default",
            build_type: "tar",
            build_hash: option_env!("TENSILE_BUILD_HASH").unwrap_or("unknown"),
            build_date: option_env!("TENSILE_BUILD_DATE").unwrap_or("unknown"),
            build_snapshot: false,
            lucene_version: LUCENE_VERSION,
            minimum_wire_compatibility_version: MINIMUM_WIRE_COMPATIBILITY_VERSION,
            minimum_index_compatibility_version: MINIMUM_INDEX_COMPATIBILITY_VERSION,
        }
    }
}

pub fn info<'a>(node: &'a Node, _req: Request<params::Info>) -> HandlerFuture<'a> {
    let body = InfoResponse {
        name: &node.settings.node_name,
        cluster_name: &node.settings.cluster_name,
        cluster_uuid: &node.engine.node().cluster_uuid,
        version: VersionInfo::current(),
        tagline: "You Know, for Search",
    };
    ready(Ok(Response::json(body)))
}

pub fn ping<'a>(_node: &'a Node, _req: Request<params::Ping>) -> HandlerFuture<'a> {
    ready(Ok(Response::empty(200)))
}
