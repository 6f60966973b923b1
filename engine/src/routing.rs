//! Which shard a document lives on: Elasticsearch's formula, murmur3 of
//! the routing value (the `_id` by default) over the index's routing shards.

/// Murmur3 x86 32-bit, seed 0, as Lucene's `StringHelper.murmurhash3_x86_32`.
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> i32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h1 = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut k1 = u32::from_le_bytes(chunk.try_into().expect("4 bytes"));
        k1 = k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let mut k1: u32 = 0;
    for (i, b) in tail.iter().enumerate() {
        k1 ^= u32::from(*b) << (8 * i);
    }
    if !tail.is_empty() {
        k1 = k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 ^= k1;
    }
    h1 ^= data.len() as u32;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^= h1 >> 16;
    h1 as i32
}

/// Elasticsearch's `Murmur3HashFunction.hash(String)`: the string's UTF-16
/// code units, little-endian, hashed.
pub fn hash_routing(routing: &str) -> i32 {
    let bytes: Vec<u8> = routing.encode_utf16().flat_map(|unit| unit.to_le_bytes()).collect();
    murmur3_x86_32(&bytes, 0)
}

/// The default `index.number_of_routing_shards`: enough to split the index
/// up to 1024 shards, at least once.
pub fn default_routing_shards(number_of_shards: u32) -> u32 {
    let log2_shards = 32 - (number_of_shards.max(1) - 1).leading_zeros();
    let splits = 10u32.saturating_sub(log2_shards).max(1);
    number_of_shards << splits
}

/// The shard of a document with this routing value (or `_id`).
pub fn shard_id(routing: &str, number_of_shards: u32, routing_shards: u32) -> u32 {
    let factor = (routing_shards / number_of_shards.max(1)).max(1);
    let hash = i64::from(hash_routing(routing));
    (hash.rem_euclid(i64::from(routing_shards)) as u32) / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_reference_values() {
        // Reference values of MurmurHash3_x86_32 with seed 0.
        assert_eq!(murmur3_x86_32(b"", 0), 0);
        assert_eq!(murmur3_x86_32(b"hello", 0) as u32, 0x248b_fa47);
        assert_eq!(murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0) as u32, 0x2e4f_f723);
    }

    #[test]
    fn routing_shards_and_ids() {
        assert_eq!(default_routing_shards(1), 1024);
        assert_eq!(default_routing_shards(5), 640);
        assert_eq!(default_routing_shards(1024), 2048);
        for id in ["a", "b", "doc-1", "ünïcode"] {
            assert_eq!(shard_id(id, 1, 1024), 0);
            assert!(shard_id(id, 5, 640) < 5);
        }
    }
}
