//! `tensile-bench`: throughput and memory of Tensile against raw tantivy,
//! measured in the same run on the same machine. Run through
//! `cargo xtask bench ingest`, which builds both in release mode.
//!
//! - [`corpus`]: the deterministic documents (log lines and articles);
//! - [`ingest`]: bulk loads through Tensile's HTTP API with concurrent
//!   clients, and the same documents straight into a tantivy `IndexWriter`;
//! - [`rss`]: peak resident memory of a process.

mod corpus;
mod ingest;
mod rss;

use std::process::ExitCode;

const USAGE: &str = "usage: tensile-bench ingest --tensile BIN [--logs N] [--articles N] [--clients N]
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

    fn corpus(&self) -> Result<corpus::Size, String> {
        Ok(corpus::Size { logs: self.number("logs", 1_000_000)?, articles: self.number("articles", 50_000)? })
    }
}

fn main() -> ExitCode {
    let result = Args::parse().and_then(|args| match args.command.as_str() {
        "ingest" => {
            let binary = args.get("tensile").ok_or("--tensile BIN is required")?.to_owned();
            ingest::compare(&binary, args.corpus()?, args.number("clients", 4)?)
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
