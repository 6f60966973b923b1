//! The node: what every handler works over, and the [`Handlers`] impl that
//! routes each built API to its module.

use tensile_engine::Engine;
use tensile_generated::{params, Handlers};
use tensile_rest::{HandlerFuture, Request};
use tensile_server::Settings;

/// One Tensile node: its settings and its engine.
pub struct Node {
    pub settings: Settings,
    pub engine: Engine,
}

impl Node {
    pub fn new(settings: Settings, engine: Engine) -> Self {
        Node { settings, engine }
    }
}

impl Handlers for Node {
    fn info(&self, req: Request<params::Info>) -> HandlerFuture<'_> {
        crate::info::info(self, req)
    }

    fn ping(&self, req: Request<params::Ping>) -> HandlerFuture<'_> {
        crate::info::ping(self, req)
    }

    fn capabilities(&self, req: Request<params::Capabilities>) -> HandlerFuture<'_> {
        crate::capabilities::capabilities(self, req)
    }
}
