//! `cargo xtask`: the project's own tasks.
//!
//! - `cargo xtask codegen` regenerates `generated/` from the pinned spec;
//! - `cargo xtask codegen --check` regenerates into a temporary folder and
//!   fails when `generated/` differs from it;
//! - `cargo xtask conformance [--update-baseline]` replays the YAML REST
//!   suite against a fresh server (the `conformance` test of `tests/`) and,
//!   with `--update-baseline`, records what passes in
//!   `conformance/baseline.txt` and `conformance/REPORT.md`;
//! - `cargo xtask bench ingest [--logs N] [--articles N] [--clients N] [--rounds N]`
//!   builds Tensile and the benchmarks in release mode and compares
//!   Tensile's bulk ingest with raw tantivy's (see `bench/`);
//! - `cargo xtask bench search [--logs N] [--articles N] [--clients N]
//!   [--rounds N] [--queries a,b]` does the same for a mix of queries:
//!   latency and throughput of Tensile's `_search` against raw tantivy
//!   searchers (`--queries` times only the named ones, to profile them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["conformance"] => conformance(false),
        ["conformance", "--update-baseline"] => conformance(true),
        ["bench", which, rest @ ..] => bench(which, rest),
        _ => Err(
            "usage: cargo xtask codegen [--check] | cargo xtask conformance [--update-baseline] | cargo xtask bench ingest|search [options]"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the server and the benchmarks in release mode and runs one.
fn bench(which: &str, options: &[&str]) -> Result<(), String> {
    let root = repo_root();
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--bin", "tensile", "--bin", "tensile-bench"])
        .current_dir(&root)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("the release build failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let release = target.join("release");
    let tensile = release.join("tensile");
    let status = std::process::Command::new(release.join("tensile-bench"))
        .arg(which)
        .arg("--tensile")
        .arg(&tensile)
        .args(options)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the {which} benchmark failed"))
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the repository").to_owned()
}

fn codegen(check: bool) -> Result<(), String> {
    let root = repo_root();
    let output = tensile_codegen::generate(&root).map_err(|e| e.to_string())?;
    let model = &output.model;
    println!(
        "codegen: {} APIs ({} OpenAPI operations), {} parameter enums, {} model types, {} rewrites, {} patches, spec version {}",
        model.apis.len(),
        model.openapi_operations,
        model.enums.len(),
        output.type_count,
        model.rewrites.len(),
        output.patches.len(),
        model.version
    );
    let target = root.join("generated");
    if !check {
        for (rel, text) in &output.files {
            write(&target.join(rel), text)?;
        }
        for stale in files_under(&target)?.difference(&output.files.keys().cloned().collect()) {
            std::fs::remove_file(target.join(stale)).map_err(|e| format!("removing {stale}: {e}"))?;
        }
        println!("codegen: wrote {}", target.display());
        return Ok(());
    }
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (rel, text) in &output.files {
        write(&temp.path().join(rel), text)?;
    }
    let fresh = files_under(temp.path())?;
    let current = files_under(&target)?;
    let mut stale = Vec::new();
    for rel in fresh.union(&current) {
        let a = std::fs::read(temp.path().join(rel)).ok();
        let b = std::fs::read(target.join(rel)).ok();
        if a != b {
            stale.push(rel.clone());
        }
    }
    if stale.is_empty() {
        println!("codegen: generated/ is up to date");
        Ok(())
    } else {
        Err(format!("generated/ is stale ({}); run `cargo xtask codegen`", stale.join(", ")))
    }
}

fn conformance(update: bool) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(repo_root()).args(["test", "-p", "tensile-tests", "--test", "conformance", "--", "--nocapture"]);
    if update {
        cmd.env("TENSILE_CONFORMANCE_UPDATE", "1");
    }
    let status = cmd.status().map_err(|e| format!("running cargo test: {e}"))?;
    status.success().then_some(()).ok_or_else(|| "the conformance run failed".to_owned())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every file under `dir`, as relative paths with `/` separators.
fn files_under(dir: &Path) -> Result<BTreeSet<String>, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = BTreeSet::new();
    if dir.exists() {
        walk(dir, dir, &mut out).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(out)
}
