//! The harness of Tensile's end-to-end tests: starts the real server as a
//! process on a free port with a temporary data folder, and stops it when
//! dropped. Tests talk to it over HTTP with real clients.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Sends a request with an optional JSON body; the status and the JSON
/// answer (`null` for an empty one).
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut req = client.request(method, format!("{base}{path}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (status, if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).expect("JSON") })
}

/// The `_id`s of a search answer's hits, in order.
pub fn ids(answer: &serde_json::Value) -> Vec<&str> {
    answer["hits"]["hits"].as_array().expect("hits").iter().map(|h| h["_id"].as_str().expect("an _id")).collect()
}

/// Each hit's `_id` with its first sort value, in order.
pub fn ids_and_sorts(answer: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    answer["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| (h["_id"].as_str().expect("an _id").to_owned(), h["sort"][0].clone()))
        .collect()
}

/// A search's status and the `_id`s of its hits, sorted (none when it failed).
pub async fn matched_ids(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    body: serde_json::Value,
) -> (reqwest::StatusCode, Vec<String>) {
    let (status, found) = call(client, base, reqwest::Method::POST, path, Some(body)).await;
    let mut matched: Vec<String> =
        if status.is_success() { ids(&found).iter().map(|s| s.to_string()).collect() } else { Vec::new() };
    matched.sort();
    (status, matched)
}

/// Starts the server under test: `server!()` or `server!("http.max_content_length=1kb")`.
/// A macro, because only integration tests see the binary's path.
#[macro_export]
macro_rules! server {
    ($($setting:expr),* $(,)?) => {
        $crate::Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_tensile-e2e")), &[$($setting),*])
    };
}

/// A running Tensile process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    data: tempfile::TempDir,
}

impl Server {
    /// Starts `binary` with extra `-E key=value` settings.
    pub fn start(binary: &Path, settings: &[&str]) -> Server {
        let data = tempfile::tempdir().expect("temporary data folder");
        Server::start_in(binary, data, settings)
    }

    /// Starts `binary` over an existing data folder.
    pub fn start_in(binary: &Path, data: tempfile::TempDir, settings: &[&str]) -> Server {
        let mut cmd = Command::new(binary);
        cmd.arg("-E").arg("http.port=0").arg("-E").arg(format!("path.data={}", data.path().display()));
        for s in settings {
            cmd.arg("-E").arg(s);
        }
        // No config folder of the developer's leaks into the test.
        cmd.arg("--config").arg(data.path().join("no-config"));
        cmd.env("RUST_LOG", "info").stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start the tensile binary");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = publish_address(&line) {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("tensile did not log its publish_address within 60s");
            }
        };
        Server { child, url: format!("http://{addr}"), data }
    }

    pub fn data_path(&self) -> &Path {
        self.data.path()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `url` followed by `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Stops the server with SIGTERM and waits for it; returns how it
    /// exited and the data folder.
    pub fn stop(mut self) -> (std::process::ExitStatus, tempfile::TempDir) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let status = self.child.wait().expect("wait for tensile");
        let data = std::mem::replace(&mut self.data, tempfile::tempdir().expect("temporary folder"));
        (status, data)
    }
}

impl Server {
    /// Kills the server with SIGKILL, as a crash would, and returns the data folder.
    pub fn kill_hard(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.data, tempfile::tempdir().expect("temporary folder"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn publish_address(line: &str) -> Option<String> {
    let rest = line.split("publish_address {").nth(1)?;
    Some(rest.split('}').next()?.to_owned())
}

/// Whether this run is CI, where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// Reports a test that cannot run here: a failure in CI, a skip elsewhere.
pub fn unavailable(what: &str, how: &str) {
    if in_ci() {
        panic!("{what} is required in CI: {how}");
    }
    eprintln!("SKIPPED: {what} is not available ({how})");
}

/// Gzip-compresses bytes, as clients compress request bodies.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

/// Decompresses a gzip body.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}
