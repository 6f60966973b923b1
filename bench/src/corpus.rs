//! The benchmark corpus, the same on every run: log lines (short, mostly
//! keywords and numbers) and articles (text-heavy), generated from a fixed
//! seed.

use serde_json::{json, Value};

/// How many documents of each kind.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub logs: usize,
    pub articles: usize,
}

/// xorshift64*: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "request",
    "server",
    "client",
    "timeout",
    "connection",
    "error",
    "index",
    "search",
    "query",
    "cluster",
    "node",
    "shard",
    "replica",
    "document",
    "field",
    "mapping",
    "value",
    "memory",
    "disk",
    "network",
    "latency",
    "throughput",
    "cache",
    "thread",
    "pool",
    "queue",
    "write",
    "read",
    "flush",
    "merge",
    "segment",
    "commit",
    "refresh",
    "token",
    "analyzer",
    "filter",
    "score",
    "rank",
    "result",
    "page",
    "user",
    "session",
    "login",
    "payment",
    "order",
    "cart",
    "product",
    "price",
    "stock",
    "warehouse",
    "delivery",
    "river",
    "mountain",
    "forest",
    "city",
    "market",
    "history",
    "science",
    "music",
    "garden",
    "winter",
    "summer",
];
pub const LEVELS: &[&str] = &["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"];
pub const SERVICES: &[&str] = &[
    "api",
    "auth",
    "billing",
    "cart",
    "catalog",
    "checkout",
    "gateway",
    "inventory",
    "mailer",
    "orders",
    "payments",
    "search",
    "shipping",
    "users",
    "web",
    "worker",
];
const STATUS: &[u64] = &[200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 500, 503];

fn sentence(rng: &mut Rng, min: usize, max: usize) -> String {
    let n = min + rng.below(max - min + 1);
    (0..n).map(|_| rng.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

/// `2024-01-01T00:00:00.000Z` plus `seconds`.
pub fn timestamp(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (month, day) = (1 + days / 28 % 12, 1 + days % 28);
    format!("2024-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// One log line.
pub fn log(rng_seed: u64, i: usize) -> Value {
    let mut rng = Rng(rng_seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    json!({
        "@timestamp": timestamp(i as u64 / 4),
        "level": rng.pick(LEVELS),
        "service": rng.pick(SERVICES),
        "host": format!("host-{:02}", rng.below(40)),
        "status": STATUS[rng.below(STATUS.len())],
        "latency_ms": rng.below(100_000) as f64 / 100.0,
        "user_id": rng.below(1_000_000),
        "message": sentence(&mut rng, 6, 16),
    })
}

/// One article.
pub fn article(rng_seed: u64, i: usize) -> Value {
    let mut rng = Rng(rng_seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    json!({
        "title": sentence(&mut rng, 4, 10),
        "body": sentence(&mut rng, 150, 400),
        "tags": [rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS)],
        "published": timestamp(i as u64 * 600),
        "views": rng.below(10_000_000),
    })
}

const SEED: u64 = 0x5EED_0F7E_0512_E000;

/// The corpus as JSON lines: logs then articles.
pub fn generate(size: Size) -> (Vec<String>, Vec<String>) {
    let logs = (0..size.logs).map(|i| log(SEED, i).to_string()).collect();
    let articles = (0..size.articles).map(|i| article(SEED, i).to_string()).collect();
    (logs, articles)
}

/// The mapping both systems index with.
pub fn mappings() -> Value {
    json!({"properties": {
        "@timestamp": {"type": "date"}, "level": {"type": "keyword"}, "service": {"type": "keyword"},
        "host": {"type": "keyword"}, "status": {"type": "integer"}, "latency_ms": {"type": "float"},
        "user_id": {"type": "long"}, "message": {"type": "text"},
        "title": {"type": "text"}, "body": {"type": "text"}, "tags": {"type": "keyword"},
        "published": {"type": "date"}, "views": {"type": "long"},
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_the_same_every_time() {
        let a = generate(Size { logs: 3, articles: 2 });
        assert_eq!(a, generate(Size { logs: 3, articles: 2 }));
        assert_ne!(a.0[0], a.0[1]);
        assert_eq!(timestamp(86_400 + 61), "2024-01-02T00:01:01.000Z");
    }
}
