//! The conformance runner: replays Elasticsearch's YAML REST tests against
//! a live server, as Elasticsearch's own runner does, and reports what
//! passes.
//!
//! - [`suite`] reads the YAML files into tests made of [`suite::Step`]s;
//! - [`prereq`] decides `skip` and `requires` (versions, runner features,
//!   cluster features, capabilities asked of the server);
//! - [`stash`] holds `set` values and substitutes `$var` / `${var}`;
//! - [`request`] turns `do: api.name` into a method, path and body with the
//!   generated API table; [`client`] sends it;
//! - [`assertion`] checks `match`, `length`, `is_true`, ... on the answer;
//! - [`runner`] runs setup, test and teardown, and wipes the cluster
//!   between tests ([`wipe`]);
//! - [`report`] prints results, writes JUnit XML, `REPORT.md` and the baseline.

pub mod assertion;
pub mod client;
pub mod prereq;
pub mod report;
pub mod request;
pub mod runner;
pub mod stash;
pub mod suite;
pub mod wipe;

pub use report::{Outcome, TestResult};
pub use runner::{run_suite, RunOptions};

/// The runner features this runner implements, as Elasticsearch's runner
/// names them (`skip.features` / `requires.test_runner_features`).
pub const RUNNER_FEATURES: &[&str] = &[
    "allowed_warnings",
    "allowed_warnings_regex",
    "arbitrary_key",
    "capabilities",
    "catch_unauthorized",
    "close_to",
    "contains",
    "default_shards",
    "embedded_stash_key",
    "headers",
    "is_after",
    "node_selector",
    "stash_in_key",
    "stash_in_path",
    "stash_path_replace",
    "transform_and_set",
    "warnings",
    "warnings_regex",
    "yaml",
];
