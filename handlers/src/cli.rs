//! The `tensile` command line: reads settings, opens the engine, serves
//! HTTP until SIGINT or SIGTERM.

use crate::Node;
use clap::Parser;
use std::path::PathBuf;
use std::sync::Arc;
use tensile_engine::Engine;
use tensile_server::{Bound, Settings};

/// An Elasticsearch-compatible search server.
#[derive(Debug, Parser)]
#[command(name = "tensile", version)]
struct Cli {
    /// A setting, as `-E key=value` (http.port, http.host, path.data,
    /// cluster.name, node.name, http.max_content_length, action.auto_create_index,
    /// action.destructive_requires_name).
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    settings: Vec<String>,

    /// The folder holding tensile.yml (default: $TENSILE_PATH_CONF or ./config).
    #[arg(long, value_name = "DIR")]
    config: Option<PathBuf>,
}

/// Runs the server as the `tensile` binary does.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let config_dir = cli
        .config
        .or_else(|| std::env::var_os("TENSILE_PATH_CONF").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("config"));
    let settings = Settings::load(&config_dir, &cli.settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(settings))
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    let node_settings = [
        ("action.auto_create_index", &settings.auto_create_index),
        ("action.destructive_requires_name", &settings.destructive_requires_name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v.as_str())))
    .collect();
    let engine = Engine::open(&settings.path_data)?.with_node_settings(node_settings)?;
    let shutdown = shutdown_signal();
    let bound = Bound::bind(&settings).await?;
    let addr = bound.local_addr();
    tracing::info!(
        node = %settings.node_name,
        cluster = %settings.cluster_name,
        cluster_uuid = %engine.node().cluster_uuid,
        data = %settings.path_data.display(),
        "publish_address {{{addr}}}, bound_addresses {{{addr}}}"
    );
    let node = Arc::new(Node::new(settings.clone(), engine));
    bound.serve(node, &settings, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The end of serving: SIGINT or SIGTERM. The handlers are installed when
/// this is called, before the server answers anything, so that a signal
/// sent as soon as it answers ends it cleanly rather than by the signal's
/// default action.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok())
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Some(mut interrupt), Some(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    }
}
