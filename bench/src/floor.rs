//! The floor under any search over HTTP on this machine: a server that
//! does nothing but read a request and send back a canned answer (one
//! Tensile gave), timed with the same clients, connections and concurrency
//! as the mix. No server can answer faster over this loopback, and one
//! that searches spends the search on top: the floor's p50 plus raw
//! tantivy's, against raw tantivy's, is the least ratio any server can
//! reach over HTTP on this machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// A running floor server; its threads live until the process ends.
pub struct Floor {
    pub url: String,
}

/// Starts the server on a free loopback port, answering every request with
/// `answer` as a JSON body.
pub fn start(answer: Vec<u8>) -> Result<Floor, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    let mut response =
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", answer.len())
            .into_bytes();
    response.extend_from_slice(&answer);
    let response: Arc<[u8]> = response.into();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let response = response.clone();
            std::thread::spawn(move || serve(stream, &response));
        }
    });
    Ok(Floor { url })
}

/// Answers the requests of one kept-alive connection until it closes.
fn serve(stream: TcpStream, response: &[u8]) {
    if stream.set_nodelay(true).is_err() {
        return;
    }
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        // The request line and headers, up to the empty line.
        let mut length = 0usize;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        body.resize(length, 0);
        if reader.read_exact(&mut body).is_err() || reader.get_mut().write_all(response).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Connection;

    #[test]
    fn answers_every_request_of_a_connection_with_the_canned_answer() {
        let floor = start(b"{\"took\":1}".to_vec()).unwrap();
        let mut conn = Connection::new(&floor.url).unwrap();
        for body in [Some(&b"{\"query\":{}}"[..]), None, Some(&b"{}"[..])] {
            let (status, answer) = conn.send("POST", "/i/_search", body).unwrap();
            assert_eq!((status, answer.as_slice()), (200, &b"{\"took\":1}"[..]));
        }
    }
}
