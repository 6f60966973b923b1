//! Tensile's handlers: the hand-written implementations of the generated
//! [`Handlers`](tensile_generated::Handlers) trait, over the engine.
//!
//! [`Node`] is the implementation. Each API group has a module; an API with
//! no method here answers with the generated default, an honest error that
//! names it.

pub mod aliases;
pub mod analyze;
pub mod breaker;
pub mod bulk;
pub mod by_query;
pub mod capabilities;
pub mod cli;
pub mod cluster;
pub mod cluster_settings;
pub mod collapse;
pub mod disk_usage;
pub mod documents;
pub mod error;
pub mod field_caps;
pub mod field_usage;
pub mod indices;
pub mod info;
pub mod maintenance;
pub mod mget_request;
pub mod node;
pub mod raw_sources;
pub mod resize;
pub mod resolve_index;
pub mod search;
pub mod search_shards;
pub mod shard_copies;
pub mod stats;
pub mod templates;
pub mod term_vectors;
pub mod terms_enum;
pub mod update_answer;
pub mod validate;
pub mod warnings;

pub use node::Node;

/// mimalloc for every binary built on the handlers: request handling
/// allocates many small, short-lived values from several threads, where
/// the system allocator spends a third of the ingest time (see the README's
/// design notes).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
