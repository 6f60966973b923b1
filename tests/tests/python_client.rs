//! The official Python client calls `info()` and `ping()` successfully.

use std::process::Command;
use tensile_tests::{server, unavailable};

#[test]
fn python_client_info_and_ping() {
    let has_client = Command::new("python3").args(["-c", "import elasticsearch"]).status().is_ok_and(|s| s.success());
    if !has_client {
        unavailable("the Python `elasticsearch` client", "pip install 'elasticsearch>=9,<10'");
        return;
    }
    let server = server!();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients/python_client.py");
    let out = Command::new("python3").arg(script).arg(&server.url).output().expect("run python3");
    assert!(
        out.status.success(),
        "python client failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
