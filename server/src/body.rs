//! Reading request bodies: the `http.max_content_length` limit (413) and
//! `Content-Encoding: gzip`/`deflate` bodies, as Filebeat and the official
//! clients send them.

use bytes::Bytes;
use std::io::Read;
use tensile_rest::EsError;
use tokio::io::AsyncReadExt;

/// The answer to a body over the limit.
pub fn too_large(limit: u64) -> EsError {
    EsError::plain(413, format!("request body is larger than http.max_content_length [{limit}b]"))
}

/// Reads the whole body, failing with 413 past `limit` bytes, and decodes it.
pub async fn read(body: poem::Body, encoding: Option<&str>, limit: u64) -> Result<Bytes, EsError> {
    let mut raw = Vec::new();
    body.into_async_read()
        .take(limit + 1)
        .read_to_end(&mut raw)
        .await
        .map_err(|e| EsError::new(400, "io_exception", format!("failed to read the request body: {e}")))?;
    if raw.len() as u64 > limit {
        return Err(too_large(limit));
    }
    decode(raw, encoding, limit).map(Bytes::from)
}

/// Undoes `Content-Encoding`, keeping the decoded size within `limit`.
pub fn decode(raw: Vec<u8>, encoding: Option<&str>, limit: u64) -> Result<Vec<u8>, EsError> {
    let encoding = encoding.map(|e| e.trim().to_ascii_lowercase());
    let reader: Box<dyn Read> = match encoding.as_deref() {
        None | Some("" | "identity") => return Ok(raw),
        Some("gzip" | "x-gzip") => Box::new(flate2::read::GzDecoder::new(&raw[..])),
        Some("deflate") => Box::new(flate2::read::ZlibDecoder::new(&raw[..])),
        Some(other) => {
            return Err(EsError::illegal_argument(format!("unsupported Content-Encoding [{other}]")));
        }
    };
    let mut out = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| EsError::new(400, "parse_exception", format!("failed to decompress the request body: {e}")))?;
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

/// Gzip-compresses a response body.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4 + 32), flate2::Compression::new(3));
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trip_and_limits() {
        let text = b"{\"a\":1}".repeat(100);
        let packed = gzip(&text);
        assert_eq!(decode(packed.clone(), Some("gzip"), 10_000).unwrap(), text);
        assert_eq!(decode(packed, Some("gzip"), 100).unwrap_err().status, 413);
        assert_eq!(decode(b"x".to_vec(), None, 1).unwrap(), b"x");
        assert_eq!(decode(b"x".to_vec(), Some("gzip"), 10).unwrap_err().status, 400);
    }
}
