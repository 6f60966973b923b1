//! Tensile's HTTP layer.
//!
//! One poem endpoint ([`service::RestService`]) takes every request, routes
//! it with the generated API table ([`router`]), applies Elasticsearch's
//! REST-layer behaviour once for all APIs (unknown routes and methods,
//! media types and `compatible-with`, gzip, body limits, unrecognized
//! parameters, `pretty`, `filter_path`, `format=yaml`, `error_trace`), and
//! dispatches to the handlers through the generated [`Handlers`] trait.
//! [`settings`] reads the node's settings as Elasticsearch does.

pub mod body;
pub mod docs;
pub mod filter_path;
pub mod media;
pub mod pretty;
pub mod render;
pub mod router;
pub mod service;
pub mod settings;
pub mod unrecognized;

pub use service::RestService;
pub use settings::{Settings, SettingsError};

use poem::listener::{Acceptor, TcpAcceptor};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tensile_generated::Handlers;

/// A bound HTTP listener, ready to serve.
pub struct Bound {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
}

impl Bound {
    /// Binds `http.host:http.port` (port 0 picks a free one).
    pub async fn bind(settings: &Settings) -> std::io::Result<Bound> {
        let listener = tokio::net::TcpListener::bind((settings.http_host.as_str(), settings.http_port)).await?;
        let addr = listener.local_addr()?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        Ok(Bound { acceptor, addr })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn serve(
        self,
        handlers: Arc<dyn Handlers>,
        settings: &Settings,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let limit = u64::try_from(settings.max_content_length.bytes()).unwrap_or(u64::MAX);
        let service = RestService::new(handlers, limit);
        debug_assert!(self.acceptor.local_addr().len() == 1);
        poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(service, shutdown, Some(Duration::from_secs(10)))
            .await
    }
}
