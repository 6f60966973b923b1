//! The official Python client against Tensile: `info()` and `ping()`, and
//! the bulk helper, search, count and the scan (scroll) helper.

use std::process::Command;
use tensile_tests::{server, unavailable};

/// Runs a script of `tests/clients/` against a fresh server, when the client is installed.
fn run_script(script: &str) {
    let has_client = Command::new("python3").args(["-c", "import elasticsearch"]).status().is_ok_and(|s| s.success());
    if !has_client {
        unavailable("the Python `elasticsearch` client", "pip install 'elasticsearch>=9,<10'");
        return;
    }
    let server = server!();
    let script = format!("{}/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3").arg(script).arg(&server.url).output().expect("run python3");
    assert!(
        out.status.success(),
        "python client failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn python_client_info_and_ping() {
    run_script("python_client.py");
}

#[test]
fn python_client_bulk_search_and_scan() {
    run_script("python_search.py");
}
