//! The wall clock, read as Elasticsearch's timestamps are: milliseconds
//! since the Unix epoch.

/// Now, in milliseconds since the epoch (0 for a clock set before it).
pub fn now_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
