//! The search benchmark: the ingest benchmark's corpus loaded into Tensile
//! (bulk over HTTP, refreshed, force-merged to one segment) and into a raw
//! tantivy index with the equivalent schema (merged to one segment), then a
//! fixed mix of queries, each run by concurrent clients against both in
//! turn: through Tensile's `_search` over kept-alive connections, and as the
//! equivalent tantivy query on one shared searcher with as many threads.
//!
//! Both sides do the same work per request: count the matches, collect the
//! top 10 (by score, or by field values with missing values last) and read
//! those 10 documents' stored `_source`. The raw side does it as tantivy
//! does it fastest: counting in the collecting pass, or, for the term query,
//! in a pass of its own, after which collecting by score skips most matches
//! with block-max WAND (for the match query, whose two words nearly every
//! article has, one pass is twice as fast).
//!
//! Deep `search_after` paging walks 50 pages by `views` then `published`;
//! the raw side emulates it with a filter on the sort values beyond the
//! previous page's last hit. Before timing, each query runs once on each
//! side and the counts (and, for sorted queries, the sort values and
//! sources of the page) are compared.
//!
//! Clients default to one per core: with more, a CPU-bound raw thread is
//! preempted rather than queued, and p50 would measure the scheduler (a
//! queued request waits in full, a preempted one only in the tail).
//!
//! Printed: p50 and p99 latency and throughput per query and system, and as
//! the last line `search: tensile/raw-tantivy p50 = R`, R the largest ratio
//! of Tensile's p50 to raw tantivy's over the mix.

use crate::corpus::{self, Size};
use crate::http::Connection;
use crate::ingest::{self, RawIndexer};
use serde_json::{json, Value};
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value as _};
use tantivy::{DateTime, DocAddress, Order, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Hits per page.
const PAGE: usize = 10;
/// Pages walked by the `search_after` query.
const DEPTH: usize = 50;

/// What to run.
pub struct Options {
    pub size: Size,
    /// Concurrent clients (threads) on each side.
    pub clients: usize,
    /// Timed requests per query and system.
    pub rounds: usize,
    /// The queries of the mix to time (all when empty), to profile one.
    pub only: Vec<String>,
}

/// How raw tantivy orders a query's hits (Tensile is told by the body).
#[derive(Clone, Copy, PartialEq)]
enum RawOrder {
    Score,
    UserIdDesc,
    ViewsThenPublished,
}

/// One request of a query of the mix, for both systems.
struct Request {
    /// Tensile's `_search` body.
    body: Value,
    bytes: Vec<u8>,
    /// The equivalent tantivy query.
    query: Box<dyn Query>,
    order: RawOrder,
    counting: Counting,
}

/// How the raw side counts a request's matches: as tantivy does it fastest.
enum Counting {
    /// In the pass that collects the top hits.
    Along,
    /// In a pass of its own (cheap: no scores), so that collecting by score
    /// can use block-max WAND, which can skip most matches of a term or of a
    /// disjunction of terms.
    Apart,
    /// The matches of another query: a `search_after` page counts all the
    /// search's matches, not only those after the cursor.
    Of(Box<dyn Query>),
}

impl Request {
    fn new(body: Value, query: Box<dyn Query>, order: RawOrder, counting: Counting) -> Request {
        Request { bytes: body.to_string().into_bytes(), body, query, order, counting }
    }

    fn raw_search(&self, searcher: &Searcher, f: &Fields) -> Result<RawPage, String> {
        raw_search(searcher, f, &*self.query, &self.counting, self.order)
    }
}

/// One query of the mix and the requests it cycles through.
struct Mix {
    name: &'static str,
    requests: Vec<Request>,
}

/// The raw index's fields the queries use.
struct Fields {
    id: Field,
    source: Field,
    service: Field,
    level: Field,
    message: Field,
    body: Field,
    timestamp: Field,
    views: Field,
    published: Field,
}

/// A raw search's page: the match count, each hit's sort values (none when
/// by score) and stored `_id` and `_source`.
struct RawPage {
    total: usize,
    sort: Vec<Vec<Value>>,
    hits: Vec<(String, String)>,
}

/// One side's timing of one query.
struct Timing {
    /// Sorted.
    latencies: Vec<Duration>,
    seconds: f64,
}

impl Timing {
    /// The `p`th percentile (nearest rank), in milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1].as_secs_f64() * 1000.0
    }

    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds
    }
}

/// Loads both sides, runs the mix and prints the comparison; the last line
/// is `search: tensile/raw-tantivy p50 = R`.
pub fn compare(tensile_binary: &str, options: Options) -> Result<(), String> {
    let Options { size, clients, rounds, only } = options;
    if size.logs < 1000 || size.articles < (DEPTH + 1) * PAGE || clients == 0 || rounds == 0 {
        return Err(format!(
            "the search benchmark needs at least 1000 logs, {} articles, a client and a round",
            (DEPTH + 1) * PAGE
        ));
    }
    let (logs, articles) = corpus::generate(size);
    let docs: Vec<String> = logs.into_iter().chain(articles).collect();
    println!(
        "corpus: {} log lines and {} articles, {:.1} MB of JSON; {clients} concurrent clients, {rounds} requests per query and system",
        size.logs,
        size.articles,
        docs.iter().map(String::len).sum::<usize>() as f64 / (1 << 20) as f64
    );

    let start = Instant::now();
    let server = ingest::start_loaded(tensile_binary, &docs, clients)?;
    let mut control = Connection::new(&server.url)?;
    let merge = format!("/{}/_forcemerge?max_num_segments=1", ingest::INDEX);
    let (status, answer) = control.send("POST", &merge, None)?;
    if status != 200 {
        return Err(format!("force merge: {}", describe(status, &answer)));
    }
    let (_, answer) = control.send("GET", &format!("/{}/_segments", ingest::INDEX), None)?;
    let segments = serde_json::from_slice::<Value>(&answer)
        .ok()
        .and_then(|a| a["indices"][ingest::INDEX]["shards"]["0"][0]["num_search_segments"].as_u64());
    println!(
        "tensile: loaded, refreshed and force-merged in {:.1} s ({} segment(s))",
        start.elapsed().as_secs_f64(),
        segments.map_or("?".to_owned(), |n| n.to_string())
    );

    let start = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let raw = RawIndexer::create(dir.path())?;
    for (n, line) in docs.iter().enumerate() {
        raw.add(n, line)?;
    }
    let index = raw.merged()?;
    drop(docs);
    let reader: tantivy::IndexReader =
        index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(error)?;
    let searcher = reader.searcher();
    println!(
        "raw-tantivy: indexed and merged in {:.1} s ({} segment(s))",
        start.elapsed().as_secs_f64(),
        searcher.segment_readers().len()
    );

    let fields = fields(&searcher)?;
    let mut mix = mix(size, &fields, &searcher)?;
    if !only.is_empty() {
        mix.retain(|query| only.iter().any(|name| name == query.name));
    }
    let search = format!("/{}/_search", ingest::INDEX);
    check(&mut control, &search, &searcher, &fields, &mix);

    println!(
        "\n{:<14} {:<12} {:>9} {:>9} {:>10} {:>16}",
        "query", "system", "p50 ms", "p99 ms", "queries/s", "p50 tensile/raw"
    );
    let warmup = (rounds / 10).max(clients * 2);
    let mut worst: Option<(f64, &str)> = None;
    // The query raw tantivy answers fastest, with its p50.
    let mut fastest: Option<(f64, &Mix)> = None;
    let mut failures = Vec::new();
    for query in &mix {
        let requests = &query.requests;
        let mut connections = (0..clients).map(|_| Connection::new(&server.url)).collect::<Result<Vec<_>, String>>()?;
        let tensile = measure(&mut connections, warmup, rounds, |conn, i| {
            let (status, answer) = conn.send("POST", &search, Some(&requests[i % requests.len()].bytes))?;
            if status == 200 {
                Ok(())
            } else {
                Err(describe(status, &answer))
            }
        });
        drop(connections);
        let raw = measure(&mut vec![(); clients], warmup, rounds, |_, i| {
            let request = &requests[i % requests.len()];
            request.raw_search(&searcher, &fields).map(drop)
        });
        let ratio = match (&tensile, &raw) {
            (Ok(t), Ok(r)) => Some(t.percentile(50.0) / r.percentile(50.0)),
            _ => None,
        };
        for (system, timing) in [("tensile", &tensile), ("raw-tantivy", &raw)] {
            match timing {
                Ok(t) => print!(
                    "{:<14} {system:<12} {:>9.3} {:>9.3} {:>10.0}",
                    query.name,
                    t.percentile(50.0),
                    t.percentile(99.0),
                    t.per_second()
                ),
                Err(e) => {
                    print!("{:<14} {system:<12} {:>9} {:>9} {:>10}", query.name, "n/a", "n/a", "n/a");
                    failures.push(format!("{} on {system} failed: {e}", query.name));
                }
            }
            match (system, ratio) {
                ("tensile", Some(r)) => println!(" {r:>16.2}"),
                ("tensile", None) => println!(" {:>16}", "n/a"),
                _ => println!(),
            }
        }
        if let Some(r) = ratio {
            if worst.is_none_or(|(w, _)| r > w) {
                worst = Some((r, query.name));
            }
        }
        if let Ok(r) = &raw {
            if fastest.is_none_or(|(p50, _)| r.percentile(50.0) < p50) {
                fastest = Some((r.percentile(50.0), query));
            }
        }
    }
    if let Some((raw_p50, query)) = fastest {
        // The floor answers with what Tensile answered to the query's first request.
        let (_, answer) = control.send("POST", &search, Some(&query.requests[0].bytes))?;
        let floor = crate::floor::start(answer)?;
        let mut connections = (0..clients).map(|_| Connection::new(&floor.url)).collect::<Result<Vec<_>, String>>()?;
        let requests = &query.requests;
        let timing = measure(&mut connections, warmup, rounds, |conn, i| {
            conn.send("POST", &search, Some(&requests[i % requests.len()].bytes)).map(drop)
        })?;
        let p50 = timing.percentile(50.0);
        println!(
            "\nfloor: a server that only sends back Tensile's answer to {}: p50 {p50:.3} ms, {:.2}x raw tantivy's p50 for it",
            query.name,
            p50 / raw_p50
        );
        // A server over HTTP exchanges the request and answer, and searches.
        println!(
            "floor: over HTTP, {} needs at least the exchange and the search, {:.3} ms: {:.2}x raw tantivy's p50",
            query.name,
            p50 + raw_p50,
            (p50 + raw_p50) / raw_p50
        );
    }
    println!();
    for failure in &failures {
        println!("{failure}");
    }
    drop(server);
    match worst {
        Some((r, name)) => {
            println!(
                "worst: {name} (target: within 1.5x on every query{})",
                if failures.is_empty() { "" } else { "; failed queries excluded" }
            );
            println!("search: tensile/raw-tantivy p50 = {r:.2}");
        }
        None => println!("search: tensile/raw-tantivy p50 = n/a"),
    }
    Ok(())
}

fn error(e: tantivy::TantivyError) -> String {
    e.to_string()
}

/// A failed answer in a line: the status and Elasticsearch's reason, or
/// the start of the body.
fn describe(status: u16, answer: &[u8]) -> String {
    let reason = serde_json::from_slice::<Value>(answer).ok().and_then(|a| {
        let e = &a["error"];
        Some(format!("{}: {}", e["type"].as_str()?, e["reason"].as_str()?))
    });
    let text = String::from_utf8_lossy(answer);
    format!("{status} {}", reason.unwrap_or_else(|| text.chars().take(300).collect()))
}

fn fields(searcher: &Searcher) -> Result<Fields, String> {
    let schema = searcher.schema();
    let field = |name: &str| schema.get_field(name).map_err(error);
    Ok(Fields {
        id: field("_id")?,
        source: field("_source")?,
        service: field("service")?,
        level: field("level")?,
        message: field("message")?,
        body: field("body")?,
        timestamp: field("@timestamp")?,
        views: field("views")?,
        published: field("published")?,
    })
}

/// The queries, each with its requests: the same searches with different
/// values, so that no answer is the same every time.
fn mix(size: Size, f: &Fields, searcher: &Searcher) -> Result<Vec<Mix>, String> {
    let text = |field: Field, word: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs))
    };
    let keyword = |field: Field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
    };
    let date = |field: Field, iso: &str| {
        Term::from_field_date_for_search(field, DateTime::from_timestamp_millis(ingest::iso_millis(iso)))
    };
    // The corpus's words past "the of and to in".
    let words = &corpus::WORDS[5..];
    let pairs: Vec<(&str, &str)> = (0..16).map(|k| (words[2 * k], words[2 * k + 1])).collect();
    let levels = ["INFO", "WARN", "ERROR", "DEBUG"];
    debug_assert!(levels.iter().all(|l| corpus::LEVELS.contains(l)));

    let term = corpus::SERVICES
        .iter()
        .map(|s| {
            Request::new(
                json!({"query": {"term": {"service": s}}}),
                keyword(f.service, s),
                RawOrder::Score,
                Counting::Apart,
            )
        })
        .collect();
    let matches = pairs
        .iter()
        .map(|(a, b)| {
            let query = BooleanQuery::new(vec![(Occur::Should, text(f.body, a)), (Occur::Should, text(f.body, b))]);
            Request::new(
                json!({"query": {"match": {"body": format!("{a} {b}")}}}),
                Box::new(query),
                RawOrder::Score,
                Counting::Along,
            )
        })
        .collect();
    let phrases = pairs
        .iter()
        .map(|(a, b)| {
            let query = PhraseQuery::new(vec![Term::from_field_text(f.body, a), Term::from_field_text(f.body, b)]);
            let body = json!({"query": {"match_phrase": {"body": format!("{a} {b}")}}});
            Request::new(body, Box::new(query), RawOrder::Score, Counting::Along)
        })
        .collect();
    let bools = (0..16)
        .map(|k| {
            let (word, level, service) = (words[k * 3 % words.len()], levels[k % 4], corpus::SERVICES[k * 5 % 16]);
            let body = json!({"query": {"bool": {
                "must": [{"match": {"message": word}}],
                "filter": [{"term": {"level": level}}],
                "should": [{"term": {"service": service}}],
            }}});
            let query = BooleanQuery::new(vec![
                (Occur::Must, text(f.message, word)),
                (Occur::Must, Box::new(ConstScoreQuery::new(keyword(f.level, level), 0.0))),
                (Occur::Should, keyword(f.service, service)),
            ]);
            Request::new(body, Box::new(query), RawOrder::Score, Counting::Along)
        })
        .collect();
    // Windows of a fourteenth of the log lines' time span (an hour, for
    // 200,000 lines: four lines a second).
    let span = size.logs as u64 / 4;
    let window = (span / 14).max(1);
    let ranges = (0..12)
        .map(|k| {
            let start = k * (span - window) / 11;
            let (gte, lt) = (corpus::timestamp(start), corpus::timestamp(start + window));
            let query =
                RangeQuery::new(Bound::Included(date(f.timestamp, &gte)), Bound::Excluded(date(f.timestamp, &lt)));
            let body = json!({"query": {"range": {"@timestamp": {"gte": gte, "lt": lt}}}});
            Request::new(body, Box::new(query), RawOrder::Score, Counting::Along)
        })
        .collect();
    let sort = vec![Request::new(
        json!({"sort": [{"user_id": "desc"}]}),
        Box::new(AllQuery),
        RawOrder::UserIdDesc,
        Counting::Along,
    )];

    // The walk: each page starts after the previous page's last hit.
    let mut pages = Vec::new();
    let mut last = raw_search(searcher, f, &AllQuery, &Counting::Along, RawOrder::ViewsThenPublished)?.sort.pop();
    for _ in 0..DEPTH {
        let after = last.take().ok_or("the deep paging ran out of hits")?;
        let (Some(views), Some(published)) = (after[0].as_i64(), after[1].as_i64()) else {
            return Err(format!("the deep paging reached hits without sort values: {after:?}"));
        };
        let published = Term::from_field_date_for_search(f.published, DateTime::from_timestamp_millis(published));
        let query = BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(RangeQuery::new(Bound::Excluded(Term::from_field_i64(f.views, views)), Bound::Unbounded)),
            ),
            (
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(Term::from_field_i64(f.views, views), IndexRecordOption::Basic)),
                    ),
                    (Occur::Must, Box::new(RangeQuery::new(Bound::Excluded(published), Bound::Unbounded))),
                ])),
            ),
        ]);
        let counting = Counting::Of(Box::new(AllQuery));
        last = raw_search(searcher, f, &query, &counting, RawOrder::ViewsThenPublished)?.sort.pop();
        let body = json!({"size": PAGE, "sort": [{"views": "asc"}, {"published": "asc"}], "search_after": after});
        pages.push(Request::new(body, Box::new(query), RawOrder::ViewsThenPublished, counting));
    }

    Ok(vec![
        Mix { name: "term", requests: term },
        Mix { name: "match", requests: matches },
        Mix { name: "match_phrase", requests: phrases },
        Mix { name: "bool", requests: bools },
        Mix { name: "range", requests: ranges },
        Mix { name: "sort", requests: sort },
        Mix { name: "search_after", requests: pages },
    ])
}

/// One raw search: the matches counted as `counting` says, the top `PAGE`
/// hits in `order` and their stored fields.
fn raw_search(
    searcher: &Searcher,
    f: &Fields,
    query: &dyn Query,
    counting: &Counting,
    order: RawOrder,
) -> Result<RawPage, String> {
    let top = TopDocs::with_limit(PAGE);
    let (total, hits): (usize, Vec<(Vec<Value>, DocAddress)>) = match order {
        RawOrder::Score => {
            let (total, hits) = counted(searcher, query, counting, top.order_by_score())?;
            (total, hits.into_iter().map(|(_, address)| (Vec::new(), address)).collect())
        }
        RawOrder::UserIdDesc => {
            let top = top.order_by_fast_field::<i64>("user_id", Order::Desc);
            let (total, hits) = counted(searcher, query, counting, top)?;
            (total, hits.into_iter().map(|(v, address)| (vec![json!(v)], address)).collect())
        }
        RawOrder::ViewsThenPublished => {
            let keys = (
                (SortByStaticFastValue::<i64>::for_field("views"), Order::Asc),
                (SortByStaticFastValue::<DateTime>::for_field("published"), Order::Asc),
            );
            let (total, hits) = counted(searcher, query, counting, top.order_by(keys))?;
            let hits = hits
                .into_iter()
                .map(|((views, published), address)| {
                    (vec![json!(views), json!(published.map(DateTime::into_timestamp_millis))], address)
                })
                .collect();
            (total, hits)
        }
    };
    let mut page = RawPage { total, sort: Vec::with_capacity(hits.len()), hits: Vec::with_capacity(hits.len()) };
    for (sort, address) in hits {
        let doc: TantivyDocument = searcher.doc(address).map_err(error)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        page.hits.push((text(f.id), text(f.source)));
        page.sort.push(sort);
    }
    Ok(page)
}

/// The count of matches and what `collector` collects of `query`.
fn counted<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    counting: &Counting,
    collector: C,
) -> Result<(usize, C::Fruit), String> {
    let counted = match counting {
        Counting::Along => return searcher.search(query, &(Count, collector)).map_err(error),
        Counting::Apart => query,
        Counting::Of(counted) => &**counted,
    };
    Ok((searcher.search(counted, &Count).map_err(error)?, searcher.search(query, &collector).map_err(error)?))
}

/// Runs each query's first request (and the deepest page) once on each
/// side and compares what both must agree on: the number of matches
/// (counted exactly), and for the queries sorted by fields the page's sort
/// values and sources. Prints a line per difference.
fn check(conn: &mut Connection, search: &str, searcher: &Searcher, f: &Fields, mix: &[Mix]) {
    let mut differences = 0;
    let mut compared = 0;
    for query in mix {
        let last = query.requests.len() - 1;
        for request in [&query.requests[0], &query.requests[last]].into_iter().take(if last > 0 { 2 } else { 1 }) {
            let mut body = request.body.clone();
            body["track_total_hits"] = json!(true);
            let tensile = conn.send("POST", search, Some(body.to_string().as_bytes())).and_then(|(status, answer)| {
                if status == 200 {
                    serde_json::from_slice::<Value>(&answer).map_err(|e| e.to_string())
                } else {
                    Err(describe(status, &answer))
                }
            });
            let raw = request.raw_search(searcher, f);
            let (tensile, raw) = match (tensile, raw) {
                (Ok(t), Ok(r)) => (t, r),
                (t, r) => {
                    let failure = t.err().or(r.err()).unwrap_or_default();
                    println!("check {}: not compared: {failure}", query.name);
                    differences += 1;
                    continue;
                }
            };
            compared += 1;
            let total = tensile["hits"]["total"]["value"].as_u64();
            if total != Some(raw.total as u64) {
                println!("check {}: tensile counts {total:?} hits, raw tantivy {}", query.name, raw.total);
                differences += 1;
            }
            if request.order == RawOrder::Score {
                continue;
            }
            let hits = tensile["hits"]["hits"].as_array().cloned().unwrap_or_default();
            let sort: Vec<Value> = hits.iter().map(|h| h["sort"].clone()).collect();
            let raw_sort: Vec<Value> = raw.sort.iter().map(|s| Value::from(s.clone())).collect();
            // Hits with the same sort values may come in either order (each
            // side's document order): compare the sources in one order.
            let in_order = |mut pairs: Vec<(String, String)>| {
                pairs.sort();
                pairs
            };
            let sources = in_order(hits.iter().map(|h| (h["sort"].to_string(), h["_source"].to_string())).collect());
            let raw_sources = in_order(
                raw.sort
                    .iter()
                    .zip(&raw.hits)
                    .map(|(sort, (_, s))| {
                        let source = serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
                        (Value::from(sort.clone()).to_string(), source.to_string())
                    })
                    .collect(),
            );
            if sort != raw_sort || sources != raw_sources {
                println!(
                    "check {}: the pages differ (sources or sort values): tensile's sort values {}, raw tantivy's {}",
                    query.name,
                    Value::from(sort),
                    Value::from(raw_sort)
                );
                differences += 1;
            }
        }
    }
    if differences == 0 {
        println!(
            "check: {compared} searches agree on both sides (match counts; sort values and sources of sorted pages)"
        );
    }
}

/// Times `rounds` requests spread over the client threads, one per state
/// (a connection, say), after `warmup` untimed ones; request `i` is
/// `run(state, i)`. The first failure stops the run and is returned.
fn measure<S: Send>(
    states: &mut [S],
    warmup: usize,
    rounds: usize,
    run: impl Fn(&mut S, usize) -> Result<(), String> + Sync,
) -> Result<Timing, String> {
    phase(states, warmup, &run)?;
    let start = Instant::now();
    let mut latencies = phase(states, rounds, &run)?;
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort();
    Ok(Timing { latencies, seconds })
}

fn phase<S: Send>(
    states: &mut [S],
    requests: usize,
    run: &(impl Fn(&mut S, usize) -> Result<(), String> + Sync),
) -> Result<Vec<Duration>, String> {
    let (next, failed) = (&AtomicUsize::new(0), &AtomicBool::new(false));
    let results: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = states
            .iter_mut()
            .map(|state| {
                scope.spawn(move || {
                    let mut latencies = Vec::with_capacity(requests / 2);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= requests || failed.load(Ordering::Relaxed) {
                            return Ok(latencies);
                        }
                        let start = Instant::now();
                        if let Err(e) = run(state, i) {
                            failed.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                        latencies.push(start.elapsed());
                    }
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("a client thread panicked".to_owned()))).collect()
    });
    let mut all = Vec::with_capacity(requests);
    for result in results {
        all.extend(result?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_ranks() {
        let timing = Timing { latencies: (1..=200).map(Duration::from_millis).collect(), seconds: 2.0 };
        assert_eq!(timing.percentile(50.0), 100.0);
        assert_eq!(timing.percentile(99.0), 198.0);
        assert_eq!(timing.per_second(), 100.0);
        let one = Timing { latencies: vec![Duration::from_millis(3)], seconds: 1.0 };
        assert_eq!((one.percentile(50.0), one.percentile(99.0)), (3.0, 3.0));
    }

    #[test]
    fn a_failed_answer_is_described_by_its_reason() {
        let answer = br#"{"error":{"type":"unsupported_operation_exception","reason":"[search_after] is not supported yet"},"status":501}"#;
        assert_eq!(describe(501, answer), "501 unsupported_operation_exception: [search_after] is not supported yet");
        assert_eq!(describe(502, b"bad gateway"), "502 bad gateway");
    }

    #[test]
    fn the_first_failure_stops_a_run() {
        let mut states = vec![0usize; 3];
        let failed = measure(&mut states, 0, 100, |n, i| {
            *n += 1;
            if i == 10 {
                Err("ten".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(failed.err().as_deref(), Some("ten"));
        let timing = measure(&mut states, 5, 50, |_, _| Ok(())).unwrap();
        assert_eq!(timing.latencies.len(), 50);
    }
}
