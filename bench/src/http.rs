//! A minimal blocking HTTP/1.1 client over one keep-alive connection, on
//! the standard library alone: what each client thread of the search
//! benchmark uses, so that a request costs the client side as little as
//! possible and the latency measured is the server's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// One connection to a server, opened on first use and kept alive.
pub struct Connection {
    /// `host:port`
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    /// A connection to `url` (`http://host:port`).
    pub fn new(url: &str) -> Result<Connection, String> {
        let addr = url.strip_prefix("http://").ok_or_else(|| format!("not an http:// URL: {url}"))?;
        Ok(Connection { addr: addr.trim_end_matches('/').to_owned(), stream: None })
    }

    /// Sends `method path` with an optional JSON body and reads the whole
    /// answer: its status and body.
    pub fn send(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<(u16, Vec<u8>), String> {
        let reused = self.stream.is_some();
        let result = match self.exchange(method, path, body) {
            // A kept-alive connection the server has closed fails on its next use.
            Err(_) if reused => {
                self.stream = None;
                self.exchange(method, path, body)
            }
            result => result,
        };
        result.map_err(|e| {
            self.stream = None;
            format!("{method} {path}: {e}")
        })
    }

    fn exchange(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> std::io::Result<(u16, Vec<u8>)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.addr)?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let stream = self.stream.as_mut().expect("connected");
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if let Some(body) = body {
            request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut request = request.into_bytes();
        request.extend_from_slice(body.unwrap_or_default());
        stream.get_mut().write_all(&request)?;

        let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
        let mut line = String::new();
        if stream.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(invalid("status line"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            if stream.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else { continue };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = Some(value.parse::<usize>().map_err(|_| invalid("content-length"))?),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                stream.read_line(&mut line)?;
                let size = line.trim().split(';').next().unwrap_or_default();
                let size = usize::from_str_radix(size, 16).map_err(|_| invalid("chunk size"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while {
                        line.clear();
                        stream.read_line(&mut line)? > 0 && !line.trim_end().is_empty()
                    } {}
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                stream.read_exact(&mut body[start..])?;
                line.clear();
                stream.read_line(&mut line)?;
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            stream.read_exact(&mut body)?;
        } else if status >= 200 && status != 204 && status != 304 && method != "HEAD" {
            stream.read_to_end(&mut body)?;
            close = true;
        }
        if close {
            self.stream = None;
        }
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::Connection;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// Answers two requests on one connection: with a length, then chunked.
    #[test]
    fn reads_sized_and_chunked_answers_on_one_kept_alive_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            let mut bodies = Vec::new();
            for answer in [
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
                "HTTP/1.1 501 Not Implemented\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\"}\r\n0\r\n\r\n",
            ] {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = n.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                bodies.push(String::from_utf8(body).unwrap());
                writer.write_all(answer.as_bytes()).unwrap();
            }
            bodies
        });
        let mut conn = Connection::new(&url).unwrap();
        assert_eq!(conn.send("POST", "/x/_search", Some(b"{\"size\":1}")).unwrap(), (200, b"{}".to_vec()));
        assert_eq!(conn.send("GET", "/", None).unwrap(), (501, b"{\"a\"}".to_vec()));
        assert_eq!(server.join().unwrap(), ["{\"size\":1}", ""]);
    }
}
