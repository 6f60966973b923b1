//! `tensile-bench`: throughput, latency and memory of Tensile against raw
//! tantivy, measured in the same run on the same machine. Run through
//! `cargo xtask bench ingest|search`, which builds both in release mode.
//!
//! - [`corpus`]: the deterministic documents (log lines and articles);
//! - [`ingest`]: bulk loads through Tensile's HTTP API with concurrent
//!   clients, and the same documents straight into a tantivy `IndexWriter`;
//! - [`search`]: a mix of queries through Tensile's `_search` with
//!   concurrent clients, and the same queries on a raw tantivy searcher;
//! - [`http`]: the small blocking HTTP client of the search clients;
//! - [`floor`]: a do-nothing HTTP server, the floor under any search over HTTP;
//! - [`rss`]: peak resident memory of a process.

mod corpus;
mod floor;
mod http;
mod ingest;
mod rss;
mod search;

use std::process::ExitCode;

const USAGE: &str = "usage: tensile-bench ingest --tensile BIN [--logs N] [--articles N] [--clients N] [--rounds N]
       tensile-bench search --tensile BIN [--logs N] [--articles N] [--clients N] [--rounds N] [--queries a,b]
       tensile-bench raw-ingest [--logs N] [--articles N]";

/// The command line: a command and `--name value` options.
struct Args {
    command: String,
    options: Vec<(String, String)>,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut raw = std::env::args().skip(1);
        let command = raw.next().ok_or(USAGE)?;
        let mut options = Vec::new();
        while let Some(name) = raw.next() {
            let name = name.strip_prefix("--").ok_or_else(|| format!("unexpected argument [{name}]\n{USAGE}"))?;
            let value = raw.next().ok_or_else(|| format!("--{name} needs a value"))?;
            options.push((name.to_owned(), value));
        }
        Ok(Args { command, options })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        self.get(name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("--{name} must be a number")))
    }

    /// `--logs` and `--articles`, by default the ingest benchmark's corpus.
    fn corpus(&self) -> Result<corpus::Size, String> {
        self.corpus_or(1_000_000, 50_000)
    }

    fn corpus_or(&self, logs: usize, articles: usize) -> Result<corpus::Size, String> {
        Ok(corpus::Size { logs: self.number("logs", logs)?, articles: self.number("articles", articles)? })
    }
}

fn main() -> ExitCode {
    let result = Args::parse().and_then(|args| match args.command.as_str() {
        "ingest" => {
            let binary = args.get("tensile").ok_or("--tensile BIN is required")?.to_owned();
            ingest::compare(&binary, args.corpus()?, args.number("clients", 4)?, args.number("rounds", 3)?)
        }
        "search" => {
            let binary = args.get("tensile").ok_or("--tensile BIN is required")?.to_owned();
            let options = search::Options {
                // Smaller than ingest's, so that loading both sides and the
                // mix take about a minute on two cores.
                size: args.corpus_or(200_000, 20_000)?,
                clients: args.number("clients", std::thread::available_parallelism().map_or(2, |n| n.get()))?,
                rounds: args.number("rounds", 1000)?,
                only: args.get("queries").map_or_else(Vec::new, |q| q.split(',').map(str::to_owned).collect()),
            };
            search::compare(&binary, options)
        }
        "raw-ingest" => ingest::raw_child(args.corpus()?),
        other => Err(format!("unknown command [{other}]\n{USAGE}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tensile-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
