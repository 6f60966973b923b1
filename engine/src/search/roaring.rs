//! The values of a `terms` query sent as a bitmap (`format: bitmap` or
//! `integer_bitmap`): base64 text of a RoaringBitmap in its portable
//! serialization, the format Java's, C's and Rust's roaring libraries share.
//!
//! The format: a cookie (with run containers, it also holds the number of
//! containers, followed by a bitset of which are runs; without, the number
//! follows it), a key (high 16 bits) and cardinality minus one per
//! container, each container's offset (always without run containers,
//! else from four containers on), then the containers: sorted arrays of
//! low 16 bits (up to 4,096 values), bitmaps of 65,536 bits, or runs.

use base64::Engine as _;

const COOKIE_NO_RUNS: u32 = 12346;
const COOKIE_RUNS: u16 = 12347;
/// From this many containers on, a bitmap with runs lists their offsets.
const OFFSETS_FROM: usize = 4;
/// Up to this many values a container is an array, past it a bitmap.
const ARRAY_MAX: usize = 4096;

/// Why a bitmap could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadBitmap(String);

/// The values of a base64-encoded portable RoaringBitmap, ascending;
/// refused past `limit` values (runs make a few bytes stand for many).
pub fn decode_base64(text: &str, limit: usize) -> Result<Vec<u32>, BadBitmap> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| BadBitmap(format!("the bitmap is not base64: {e}")))?;
    decode(&bytes, limit)
}

/// The values of a portable RoaringBitmap, ascending; refused past `limit`.
pub fn decode(bytes: &[u8], limit: usize) -> Result<Vec<u32>, BadBitmap> {
    let mut r = Reader { bytes, at: 0 };
    let cookie = r.u32()?;
    let (containers, runs) = if cookie == COOKIE_NO_RUNS {
        (r.u32()? as usize, None)
    } else if cookie as u16 == COOKIE_RUNS {
        let containers = (cookie >> 16) as usize + 1;
        (containers, Some(r.take(containers.div_ceil(8))?.to_vec()))
    } else {
        return Err(BadBitmap(format!("not a serialized RoaringBitmap (cookie {cookie})")));
    };
    let mut headers = Vec::with_capacity(containers.min(1 << 16));
    for _ in 0..containers {
        let key = u32::from(r.u16()?);
        let cardinality = usize::from(r.u16()?) + 1;
        headers.push((key, cardinality));
    }
    if runs.is_none() || containers >= OFFSETS_FROM {
        r.take(4 * containers)?;
    }
    let mut values: Vec<u32> = Vec::new();
    let too_many = || BadBitmap(format!("the bitmap holds more than [{limit}] values"));
    for (i, (key, cardinality)) in headers.into_iter().enumerate() {
        if values.len() > limit {
            return Err(too_many());
        }
        let high = key << 16;
        let is_run = runs.as_ref().is_some_and(|bits| bits[i / 8] & (1 << (i % 8)) != 0);
        if is_run {
            let count = r.u16()?;
            for _ in 0..count {
                let start = u32::from(r.u16()?);
                let length = u32::from(r.u16()?);
                if start + length > u32::from(u16::MAX) {
                    return Err(BadBitmap("a run of the bitmap goes past its container".into()));
                }
                if values.len() + length as usize >= limit {
                    return Err(too_many());
                }
                values.extend((start..=start + length).map(|low| high | low));
            }
        } else if cardinality <= ARRAY_MAX {
            for _ in 0..cardinality {
                values.push(high | u32::from(r.u16()?));
            }
        } else {
            let words = r.take(8192)?;
            for (w, word) in words.chunks_exact(8).enumerate() {
                let mut bits = u64::from_le_bytes(word.try_into().expect("eight bytes"));
                while bits != 0 {
                    values.push(high | (w as u32 * 64 + bits.trailing_zeros()));
                    bits &= bits - 1;
                }
            }
        }
    }
    if values.len() > limit {
        return Err(too_many());
    }
    // Well-formed bitmaps come sorted; a crafted one may repeat values.
    values.sort_unstable();
    values.dedup();
    Ok(values)
}

/// A cursor over the serialized bytes, little-endian.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BadBitmap> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| BadBitmap("the bitmap is cut short".into()))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u16(&mut self) -> Result<u16, BadBitmap> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("two bytes")))
    }

    fn u32(&mut self) -> Result<u32, BadBitmap> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_portable_format_as_elasticsearch_clients_write_it() {
        assert_eq!(decode_base64("OjAAAAEAAAAAAAIAEAAAAAEAAwAFAA==", 10).unwrap(), [1, 3, 5]);
        assert_eq!(decode_base64("OjAAAAEAAAAAAAAAEAAAAAoA", 10).unwrap(), [10]);
        assert!(decode_base64("OjAAAAEAAAAAAAIAEAAAAAEA", 10).is_err(), "cut short");
        assert!(decode_base64("not base64!", 10).is_err());
        assert!(decode(&[1, 2, 3, 4], 10).is_err(), "no cookie");
        assert!(decode_base64("OjAAAAEAAAAAAAIAEAAAAAEAAwAFAA==", 2).is_err(), "three values past a limit of two");
    }

    #[test]
    fn runs_are_bounded() {
        // One container, one run of 65,536 values from a dozen bytes.
        let all: std::collections::BTreeSet<u32> = (0..65_536).collect();
        let bytes = encode(&all, true);
        assert_eq!(decode(&bytes, 70_000).unwrap().len(), 65_536);
        assert!(decode(&bytes, 1_000).is_err());
        // A run past the end of its container is refused, not wrapped into the next.
        let mut past = encode(&[65_530u32].into_iter().collect(), true);
        let n = past.len();
        past[n - 2..].copy_from_slice(&10u16.to_le_bytes());
        assert!(decode(&past, 100).is_err());
    }

    /// Writes the portable format the way the roaring libraries do: arrays
    /// up to 4,096 values, bitmaps past that, and (when asked) a run
    /// container wherever the values of a container are one run.
    fn encode(values: &std::collections::BTreeSet<u32>, with_runs: bool) -> Vec<u8> {
        let mut containers: std::collections::BTreeMap<u16, Vec<u16>> = Default::default();
        for v in values {
            containers.entry((v >> 16) as u16).or_default().push(*v as u16);
        }
        let is_run = |lows: &[u16]| with_runs && u32::from(lows[lows.len() - 1] - lows[0]) + 1 == lows.len() as u32;
        let mut out = Vec::new();
        let n = containers.len();
        if with_runs {
            out.extend_from_slice(&((u32::from(COOKIE_RUNS)) | ((n as u32 - 1) << 16)).to_le_bytes());
            let mut bits = vec![0u8; n.div_ceil(8)];
            for (i, lows) in containers.values().enumerate() {
                if is_run(lows) {
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            out.extend_from_slice(&bits);
        } else {
            out.extend_from_slice(&COOKIE_NO_RUNS.to_le_bytes());
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for (key, lows) in &containers {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&((lows.len() - 1) as u16).to_le_bytes());
        }
        let mut bodies = Vec::new();
        for lows in containers.values() {
            let mut body = Vec::new();
            if is_run(lows) {
                body.extend_from_slice(&1u16.to_le_bytes());
                body.extend_from_slice(&lows[0].to_le_bytes());
                body.extend_from_slice(&(lows[lows.len() - 1] - lows[0]).to_le_bytes());
            } else if lows.len() <= ARRAY_MAX {
                lows.iter().for_each(|l| body.extend_from_slice(&l.to_le_bytes()));
            } else {
                let mut words = [0u64; 1024];
                lows.iter().for_each(|l| words[usize::from(*l) / 64] |= 1 << (l % 64));
                words.iter().for_each(|w| body.extend_from_slice(&w.to_le_bytes()));
            }
            bodies.push(body);
        }
        if !with_runs || n >= OFFSETS_FROM {
            let mut offset = out.len() + 4 * n;
            for body in &bodies {
                out.extend_from_slice(&(offset as u32).to_le_bytes());
                offset += body.len();
            }
        }
        bodies.iter().for_each(|b| out.extend_from_slice(b));
        out
    }

    proptest! {
        /// Any set of values, in any container kind, reads back whole and in order.
        #[test]
        fn values_read_back_as_written(
            sparse in proptest::collection::btree_set(any::<u32>(), 0..40),
            dense_high in 0u32..4,
            dense_len in 0u32..6000,
            with_runs in any::<bool>(),
        ) {
            let mut values = sparse;
            values.extend((0..dense_len).map(|i| (dense_high << 16) | (i * 7 % 65536)));
            prop_assume!(!values.is_empty());
            let got = decode(&encode(&values, with_runs), usize::MAX).unwrap();
            prop_assert_eq!(got, values.into_iter().collect::<Vec<_>>());
        }
    }
}
