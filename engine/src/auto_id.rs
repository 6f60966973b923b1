//! Ids for documents indexed without one: time-based, as Elasticsearch
//! makes them (`TimeBasedUUIDGenerator`), not random. 15 bytes (a 24-bit
//! sequence, the millisecond clock, six random node bytes) in 20 URL-safe
//! base64 characters, laid out so that ids made close in time share long
//! prefixes: the term dictionary stores and sorts them cheaply, and making
//! one costs no system call.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;

struct Generator {
    sequence: AtomicU32,
    /// The last timestamp used: never goes back, moves on when the
    /// sequence wraps within one millisecond.
    last_millis: AtomicU64,
    node: [u8; 6],
}

fn generator() -> &'static Generator {
    static GENERATOR: OnceLock<Generator> = OnceLock::new();
    GENERATOR.get_or_init(|| {
        let random = uuid::Uuid::new_v4().into_bytes();
        let mut node = [0u8; 6];
        node.copy_from_slice(&random[..6]);
        let start = u32::from_le_bytes(random[6..10].try_into().expect("4 bytes"));
        Generator { sequence: AtomicU32::new(start), last_millis: AtomicU64::new(0), node }
    })
}

/// A new document id.
pub fn next_id() -> String {
    let g = generator();
    let sequence = g.sequence.fetch_add(1, Ordering::Relaxed).wrapping_add(1) & 0xFF_FFFF;
    let now = crate::clock::now_millis();
    let mut last = g.last_millis.load(Ordering::Relaxed);
    let millis = loop {
        // A wrapped sequence would repeat an id within the millisecond.
        let next = if sequence == 0 { now.max(last + 1) } else { now.max(last) };
        match g.last_millis.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break next,
            Err(seen) => last = seen,
        }
    };
    crate::node_meta::base64url(&id_bytes(sequence, millis, g.node))
}

/// The layout: the sequence's fast-changing low bytes first (ids spread
/// over the dictionary's first level), then the slow bytes of the clock
/// and the node (shared by neighbours), the fast ones last.
fn id_bytes(sequence: u32, millis: u64, node: [u8; 6]) -> [u8; 15] {
    let mut out = [0u8; 15];
    out[0] = sequence as u8;
    out[1] = (sequence >> 16) as u8;
    out[2] = (millis >> 16) as u8;
    out[3] = (millis >> 24) as u8;
    out[4] = (millis >> 32) as u8;
    out[5] = (millis >> 40) as u8;
    out[6..12].copy_from_slice(&node);
    out[12] = (millis >> 8) as u8;
    out[13] = (sequence >> 8) as u8;
    out[14] = millis as u8;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twenty_url_safe_characters_and_unique() {
        let ids: Vec<String> = (0..100_000).map(|_| next_id()).collect();
        assert!(ids
            .iter()
            .all(|id| id.len() == 20 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')));
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn a_wrapped_sequence_moves_the_clock_on() {
        let a = id_bytes(0xFF_FFFF, 1000, [0; 6]);
        let b = id_bytes(0, 1001, [0; 6]);
        assert_ne!(a, b);
    }
}
