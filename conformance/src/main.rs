//! `conformance`: replays the YAML REST tests against any server.
//!
//! `cargo run -p conformance -- --url http://127.0.0.1:9200 [--tests DIR]
//! [--filter TEXT] [--junit FILE] [--report FILE] [--baseline FILE]`

use conformance::report::{self, Counts};
use conformance::{run_suite, RunOptions};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: conformance --url URL [--tests DIR] [--filter TEXT] [--junit FILE] [--report FILE] [--baseline FILE]";

fn main() -> ExitCode {
    let mut url = None;
    let mut tests = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/rest-tests"));
    let (mut filter, mut junit, mut report_path, mut baseline) = (None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let parsed = match arg.as_str() {
            "--url" => value().map(|v| url = Some(v)),
            "--tests" => value().map(|v| tests = PathBuf::from(v)),
            "--filter" => value().map(|v| filter = Some(v)),
            "--junit" => value().map(|v| junit = Some(PathBuf::from(v))),
            "--report" => value().map(|v| report_path = Some(PathBuf::from(v))),
            "--baseline" => value().map(|v| baseline = Some(PathBuf::from(v))),
            _ => Err(USAGE.to_owned()),
        };
        if let Err(e) = parsed {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let Some(url) = url else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let opts = RunOptions { url, tests_dir: tests, filter };
    let results = match runtime.block_on(run_suite(&opts, |r| println!("{}", r.line()))) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let writes = [
        (junit, report::junit(&results)),
        (report_path, report::markdown(&results)),
        (baseline, report::baseline(&results)),
    ];
    for (path, text) in writes {
        if let Some(path) = path {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("conformance: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{}", Counts::of(&results).closing_line());
    ExitCode::SUCCESS
}
