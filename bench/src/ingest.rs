//! The ingest benchmark: the corpus bulk-loaded into Tensile over HTTP by
//! concurrent clients, then the same documents indexed straight into a
//! tantivy `IndexWriter` with the equivalent schema, in a child process so
//! that each side's peak memory is its own. Both loaders (`start_loaded`,
//! `RawIndexer`) also load the search benchmark's two sides.

use crate::corpus::{self, Size};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::schema::{Field, Schema, FAST, INDEXED, STORED, STRING, TEXT};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

const BATCH: usize = 1000;

/// What one side measured.
struct Run {
    docs: usize,
    bytes: usize,
    seconds: f64,
    peak_rss: Option<u64>,
    /// CPU seconds of the indexing process (the server, for Tensile).
    cpu: Option<f64>,
}

impl Run {
    fn docs_per_second(&self) -> f64 {
        self.docs as f64 / self.seconds
    }

    /// The faster of a best run so far and a new one.
    fn faster(best: Option<Run>, run: Run) -> Run {
        match best {
            Some(best) if best.docs_per_second() >= run.docs_per_second() => best,
            _ => run,
        }
    }

    fn line(&self, name: &str) -> String {
        let mb = |b: f64| b / (1 << 20) as f64;
        format!(
            "{name:<12} {:>9.0} docs/s  {:>6.1} MB/s  {:>6.2} s  CPU {}  peak RSS {}",
            self.docs_per_second(),
            mb(self.bytes as f64) / self.seconds,
            self.seconds,
            self.cpu.map_or("n/a".to_owned(), |c| format!("{c:.2} s")),
            self.peak_rss.map_or("n/a".to_owned(), |b| format!("{:.0} MB", mb(b as f64)))
        )
    }
}

/// Runs both sides `rounds` times, alternating, and prints the comparison;
/// the last line is `ingest: tensile/raw-tantivy = R`, R the ratio of each
/// side's best throughput. On a shared machine a slow spell can last a
/// whole run: alternating puts both sides through it, and each round's
/// ratio is printed, so that the spread shows.
pub fn compare(tensile_binary: &str, size: Size, clients: usize, rounds: usize) -> Result<(), String> {
    let (logs, articles) = corpus::generate(size);
    let bytes: usize = logs.iter().chain(&articles).map(String::len).sum();
    println!(
        "corpus: {} log lines and {} articles, {:.1} MB of JSON; {clients} concurrent clients, bulks of {BATCH}; {rounds} round(s)",
        logs.len(),
        articles.len(),
        bytes as f64 / (1 << 20) as f64
    );
    let docs: Vec<String> = logs.into_iter().chain(articles).collect();
    let (mut best_tensile, mut best_raw) = (None::<Run>, None::<Run>);
    for round in 1..=rounds.max(1) {
        let tensile = tensile_run(tensile_binary, docs.clone(), clients)?;
        println!("{}", tensile.line("tensile"));
        let raw = raw_run(size)?;
        println!("{}", raw.line("raw-tantivy"));
        println!("round {round}: tensile/raw-tantivy = {:.2}", tensile.docs_per_second() / raw.docs_per_second());
        best_tensile = Some(Run::faster(best_tensile, tensile));
        best_raw = Some(Run::faster(best_raw, raw));
    }
    let (tensile, raw) = (best_tensile.expect("one round"), best_raw.expect("one round"));
    println!("ingest: tensile/raw-tantivy = {:.2}", tensile.docs_per_second() / raw.docs_per_second());
    Ok(())
}

fn tensile_run(binary: &str, docs: Vec<String>, clients: usize) -> Result<Run, String> {
    let server = start_tensile(binary);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let bytes: usize = docs.iter().map(String::len).sum();
    let count = docs.len();
    let seconds = runtime.block_on(async {
        let client = reqwest::Client::new();
        let index = index_url(&server);
        create_index(&client, &index).await?;
        let batches = batches(&docs);
        drop(docs);
        let start = Instant::now();
        let cpu_before = crate::rss::cpu_seconds(&server.pid().to_string());
        let client_before = crate::rss::cpu_seconds("self").unwrap_or(0.0);
        bulk_load(&client, &index, batches, clients).await?;
        let cpu =
            crate::rss::cpu_seconds(&server.pid().to_string()).zip(cpu_before).map(|(after, before)| after - before);
        let client = crate::rss::cpu_seconds("self").unwrap_or(0.0) - client_before;
        println!("(the {clients} bulk clients of this process used {client:.2} s of CPU meanwhile)");
        Ok::<(f64, Option<f64>), String>((start.elapsed().as_secs_f64(), cpu))
    })?;
    let (seconds, cpu) = seconds;
    let peak_rss = crate::rss::peak(&server.pid().to_string());
    Ok(Run { docs: count, bytes, seconds, peak_rss, cpu })
}

/// The name of the index both benchmarks load.
pub const INDEX: &str = "bench";

/// Starts the Tensile binary on a port of its choosing and a temporary data
/// folder (removed when the server is dropped).
pub fn start_tensile(binary: &str) -> tensile_tests::Server {
    tensile_tests::Server::start(Path::new(binary), &[])
}

/// The benchmark index's URL on `server`.
pub fn index_url(server: &tensile_tests::Server) -> String {
    format!("{}/{INDEX}", server.url)
}

/// Creates the benchmark index: one shard, no replica, no periodic
/// refresh, the corpus's mapping.
pub async fn create_index(client: &reqwest::Client, index: &str) -> Result<(), String> {
    let body = json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
        "mappings": corpus::mappings()});
    let created = client.put(index).json(&body).send().await.map_err(|e| e.to_string())?;
    if !created.status().is_success() {
        return Err(format!("creating the index: {}", created.text().await.unwrap_or_default()));
    }
    Ok(())
}

/// The `_bulk` bodies of `docs`, `BATCH` index actions each.
pub fn batches(docs: &[String]) -> Vec<String> {
    docs.chunks(BATCH)
        .map(|chunk| chunk.iter().flat_map(|d| ["{\"index\":{}}\n", d.as_str(), "\n"]).collect())
        .collect()
}

/// Sends `batches` to `index`'s `_bulk` with `clients` concurrent clients,
/// fails on the first item that failed, and refreshes the index.
pub async fn bulk_load(
    client: &reqwest::Client,
    index: &str,
    batches: Vec<String>,
    clients: usize,
) -> Result<(), String> {
    let queue = Arc::new(Mutex::new(batches.into_iter()));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (queue, client, url) = (queue.clone(), client.clone(), format!("{index}/_bulk"));
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(batch) = queue.lock().unwrap().next() else { return Ok(()) };
                let resp = client
                    .post(&url)
                    .header("content-type", "application/x-ndjson")
                    .body(batch)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
                // Elasticsearch puts `errors` first: parse the whole answer only when it says true.
                if bytes.starts_with(b"{\"errors\":false") {
                    continue;
                }
                let answer: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                if answer["errors"] != false {
                    let first = answer["items"]
                        .as_array()
                        .and_then(|items| items.iter().find(|i| i["index"]["error"].is_object()));
                    return Err(format!("a bulk failed: {}", first.unwrap_or(&answer)));
                }
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    client.post(format!("{index}/_refresh")).send().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Starts Tensile, creates the benchmark index and bulk-loads `docs` into
/// it with `clients` concurrent clients, refreshed: a server ready to search.
pub fn start_loaded(binary: &str, docs: &[String], clients: usize) -> Result<tensile_tests::Server, String> {
    let server = start_tensile(binary);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let index = index_url(&server);
        create_index(&client, &index).await?;
        bulk_load(&client, &index, batches(docs), clients).await
    })?;
    Ok(server)
}

/// Runs the raw side in a child process and reads its report line.
fn raw_run(size: Size) -> Result<Run, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(["raw-ingest", "--logs", &size.logs.to_string(), "--articles", &size.articles.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("raw "))
        .ok_or_else(|| format!("raw-ingest failed: {}", String::from_utf8_lossy(&out.stderr)))?;
    let field = |name: &str| -> Option<f64> {
        line.split_whitespace().find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
    };
    Ok(Run {
        docs: field("docs").ok_or("no docs")? as usize,
        bytes: field("bytes").ok_or("no bytes")? as usize,
        seconds: field("seconds").ok_or("no seconds")?,
        peak_rss: field("rss").map(|r| r as u64),
        cpu: field("cpu"),
    })
}

/// The child process: indexes the corpus into a tantivy index with the
/// schema the mapping stands for, `_id` and `_source` stored as Tensile
/// stores them, and prints `raw docs=.. bytes=.. seconds=.. rss=..`.
pub fn raw_child(size: Size) -> Result<(), String> {
    let (logs, articles) = corpus::generate(size);
    let docs: Vec<String> = logs.into_iter().chain(articles).collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut raw = RawIndexer::create(dir.path())?;
    let start = Instant::now();
    let cpu_before = crate::rss::cpu_seconds("self").unwrap_or(0.0);
    for (n, line) in docs.iter().enumerate() {
        raw.add(n, line)?;
    }
    raw.commit()?;
    let seconds = start.elapsed().as_secs_f64();
    let rss = crate::rss::peak("self").unwrap_or(0);
    let cpu = crate::rss::cpu_seconds("self").unwrap_or(0.0) - cpu_before;
    println!("raw docs={} bytes={bytes} seconds={seconds} rss={rss} cpu={cpu}", docs.len());
    Ok(())
}

/// A tantivy index with the schema the corpus's mapping stands for: a typed
/// field per mapped field (text `TEXT`, keyword `STRING | FAST`, numbers and
/// dates `INDEXED | FAST`), `_id` and `_source` stored as Tensile stores them.
pub struct RawIndexer {
    index: Index,
    writer: IndexWriter<TantivyDocument>,
    id: Field,
    source: Field,
    text: Vec<(String, Field)>,
    keyword: Vec<(String, Field)>,
    number: Vec<(String, Field)>,
    float: Vec<(String, Field)>,
    date: Vec<(String, Field)>,
}

impl RawIndexer {
    /// A new index in `dir`, with a writer of 64 MB.
    pub fn create(dir: &Path) -> Result<RawIndexer, String> {
        let mut b = Schema::builder();
        let id = b.add_text_field("_id", STRING | STORED);
        let source = b.add_text_field("_source", STORED);
        let (mut text, mut keyword, mut number, mut float, mut date) = (vec![], vec![], vec![], vec![], vec![]);
        let mappings = corpus::mappings();
        for (name, def) in mappings["properties"].as_object().expect("properties") {
            match def["type"].as_str() {
                Some("text") => text.push((name.clone(), b.add_text_field(name, TEXT))),
                Some("keyword") => keyword.push((name.clone(), b.add_text_field(name, STRING | FAST))),
                Some("float") => float.push((name.clone(), b.add_f64_field(name, INDEXED | FAST))),
                Some("date") => date.push((name.clone(), b.add_date_field(name, INDEXED | FAST))),
                _ => number.push((name.clone(), b.add_i64_field(name, INDEXED | FAST))),
            }
        }
        let index = Index::create_in_dir(dir, b.build()).map_err(|e| e.to_string())?;
        let writer = index.writer::<TantivyDocument>(64 << 20).map_err(|e| e.to_string())?;
        Ok(RawIndexer { index, writer, id, source, text, keyword, number, float, date })
    }

    /// Adds the document of JSON line `line` with `_id` `n`.
    pub fn add(&self, n: usize, line: &str) -> Result<(), String> {
        let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, n.to_string());
        doc.add_text(self.source, line);
        let values = |name: &str| -> Vec<Value> {
            match &value[name] {
                Value::Null => Vec::new(),
                Value::Array(items) => items.clone(),
                v => vec![v.clone()],
            }
        };
        for (name, f) in &self.text {
            values(name).iter().filter_map(Value::as_str).for_each(|v| doc.add_text(*f, v));
        }
        for (name, f) in &self.keyword {
            values(name).iter().filter_map(Value::as_str).for_each(|v| doc.add_text(*f, v));
        }
        for (name, f) in &self.number {
            values(name).iter().filter_map(Value::as_i64).for_each(|v| doc.add_i64(*f, v));
        }
        for (name, f) in &self.float {
            values(name).iter().filter_map(Value::as_f64).for_each(|v| doc.add_f64(*f, v));
        }
        for (name, f) in &self.date {
            for v in values(name).iter().filter_map(Value::as_str) {
                doc.add_date(*f, DateTime::from_timestamp_millis(iso_millis(v)));
            }
        }
        self.writer.add_document(doc).map_err(|e| e.to_string())?;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), String> {
        self.writer.commit().map(drop).map_err(|e| e.to_string())
    }

    /// Commits, lets the merges under way finish, then merges every segment
    /// into one: the index to search, as Tensile's after a force merge.
    pub fn merged(mut self) -> Result<Index, String> {
        let error = |e: tantivy::TantivyError| e.to_string();
        self.commit()?;
        self.writer.wait_merging_threads().map_err(error)?;
        let mut writer = self.index.writer::<TantivyDocument>(64 << 20).map_err(error)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let segments = self.index.searchable_segment_ids().map_err(error)?;
        if segments.len() > 1 {
            writer.merge(&segments).wait().map_err(error)?;
        }
        writer.wait_merging_threads().map_err(error)?;
        Ok(self.index)
    }
}

/// Millis of the corpus's `yyyy-MM-ddTHH:mm:ss.SSSZ` timestamps (years
/// 1970 to 2099).
pub fn iso_millis(s: &str) -> i64 {
    let n = |a: usize, b: usize| s.get(a..b).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let days = (y - 1970) * 365
        + (y - 1969) / 4
        + [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][(m - 1) as usize]
        + i64::from(y % 4 == 0 && m > 2)
        + d
        - 1;
    ((days * 24 + n(11, 13)) * 60 + n(14, 16)) * 60_000 + n(17, 19) * 1000 + n(20, 23)
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_read_as_epoch_millis() {
        assert_eq!(super::iso_millis("1970-01-01T00:00:01.002Z"), 1002);
        assert_eq!(super::iso_millis("2024-01-01T00:00:00.000Z"), 1_704_067_200_000);
        assert_eq!(super::iso_millis("2024-03-01T12:30:00.500Z"), 1_709_296_200_500);
    }
}
