//! The official JavaScript client passes its product check and calls
//! `info()` and `ping()` successfully.

use std::path::Path;
use std::process::Command;
use tensile_tests::{server, unavailable};

#[test]
fn js_client_info_and_ping() {
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
    let installed = clients.join("node_modules/@elastic/elasticsearch").is_dir();
    let has_node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed || !has_node {
        unavailable("node and the JavaScript `@elastic/elasticsearch` client", "npm install --prefix tests/clients");
        return;
    }
    let server = server!();
    let out = Command::new("node").arg(clients.join("js_client.mjs")).arg(&server.url).output().expect("run node");
    assert!(
        out.status.success(),
        "js client failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
