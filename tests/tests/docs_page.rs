//! The documentation page loads in headless Chromium and lists the operations.

use std::process::Command;
use tensile_tests::{server, unavailable};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| Command::new(bin).arg("--version").output().is_ok_and(|o| o.status.success()))
}

#[test]
fn docs_page_lists_operations_in_a_browser() {
    let Some(browser) = chromium() else {
        unavailable("headless Chromium", "apt-get install chromium");
        return;
    };
    let server = server!();
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(server.at("/_tensile/docs"))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("opblock"), "Swagger UI rendered no operations:\n{}", &dom[..dom.len().min(2000)]);
    for op in ["indices.create", "search", "bulk", "cluster.health"] {
        assert!(dom.contains(&format!(">{op}<")), "the page does not list {op}");
    }
    assert!(dom.contains("/{index}/_doc/{id}"), "the page does not list the document paths");
}
