//! The conformance baseline: replays the official YAML REST suite against
//! a fresh Tensile and fails if a test listed in `conformance/baseline.txt`
//! no longer passes. Newly passing tests are printed; `cargo xtask
//! conformance --update-baseline` records them (and rewrites
//! `conformance/REPORT.md`) by running this test with
//! `TENSILE_CONFORMANCE_UPDATE=1`.

use conformance::report::{self, Counts, Outcome};
use conformance::{run_suite, RunOptions};
use std::path::PathBuf;
use tensile_tests::{server, unavailable};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository").to_owned()
}

#[tokio::test]
async fn conformance_baseline_holds() {
    let suite = repo().join("../shared/rest-tests");
    if !suite.is_dir() {
        unavailable(
            &format!("the YAML REST suite at {}", suite.display()),
            "put the shared/ folder (with rest-tests/) beside the repository",
        );
        return;
    }
    let server = server!();
    let opts = RunOptions { url: server.url.clone(), tests_dir: suite, filter: None };
    let results = run_suite(&opts, |_| {}).await.expect("the suite runs");

    let junit = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conformance-junit.xml");
    std::fs::write(&junit, report::junit(&results)).expect("write the JUnit report");

    let baseline_path = repo().join("conformance/baseline.txt");
    let baseline = report::read_baseline(&std::fs::read_to_string(&baseline_path).unwrap_or_default());
    let passing: std::collections::BTreeSet<&str> =
        results.iter().filter(|r| r.outcome == Outcome::Pass).map(|r| r.id.as_str()).collect();
    // A test found stale (asserting what Elasticsearch 9 no longer does)
    // may leave the baseline: Elasticsearch 9 wins.
    let stale: Vec<&str> = report::stale().into_iter().map(|(id, _)| id).collect();
    let regressed: Vec<String> = baseline
        .iter()
        .filter(|id| !passing.contains(id.as_str()) && !stale.contains(&id.as_str()))
        .map(|id| {
            let why = results.iter().find(|r| &r.id == id).map_or("(no longer in the suite)".to_owned(), |r| r.line());
            format!("  {id}\n    {why}")
        })
        .collect();
    let new: Vec<&str> = passing.iter().copied().filter(|id| !baseline.iter().any(|b| b == id)).collect();

    println!("conformance: {}; JUnit report in {}", Counts::of(&results).closing_line(), junit.display());
    if !new.is_empty() {
        println!("newly passing ({}), record them with `cargo xtask conformance --update-baseline`:", new.len());
        for id in &new {
            println!("  {id}");
        }
    }
    if std::env::var_os("TENSILE_CONFORMANCE_UPDATE").is_some() {
        assert!(
            regressed.is_empty(),
            "not updating the baseline: tests that passed now fail:\n{}",
            regressed.join("\n")
        );
        std::fs::write(&baseline_path, report::baseline(&results)).expect("write the baseline");
        std::fs::write(repo().join("conformance/REPORT.md"), report::markdown(&results)).expect("write the report");
        println!("updated {}", baseline_path.display());
    }
    assert!(regressed.is_empty(), "{} baseline tests fail now:\n{}", regressed.len(), regressed.join("\n"));
}
