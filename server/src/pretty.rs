//! `?pretty` output as Elasticsearch writes it: Jackson's pretty printer
//! with two-space indentation for objects and arrays, `"key" : value`, `{ }`
//! and `[ ]` for empty containers, and a line feed at the end.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

#[derive(Default)]
struct JacksonFormatter {
    depth: usize,
    /// Whether the container being written has had a value yet, per level.
    has_value: Vec<bool>,
}

impl JacksonFormatter {
    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, w: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value.push(false);
        w.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value.pop().unwrap_or(false) {
            self.newline(w)?;
        } else {
            w.write_all(b" ")?;
        }
        w.write_all(close)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if let Some(last) = self.has_value.last_mut() {
            *last = true;
        }
        self.newline(w)
    }
}

impl Formatter for JacksonFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b" : ")
    }
}

/// `value` pretty-printed the way Elasticsearch does.
pub fn to_vec_pretty(value: &impl Serialize) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JacksonFormatter::default());
    // Serialising a `serde_json::Value` into memory cannot fail.
    let _ = value.serialize(&mut ser);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jackson_layout() {
        let value = json!({"name": "n", "roles": ["a", "b"], "empty": {}, "none": [], "nested": [{"x": 1.0}]});
        let text = String::from_utf8(to_vec_pretty(&value)).unwrap();
        assert_eq!(
            text,
            "{\n  \"name\" : \"n\",\n  \"roles\" : [\n    \"a\",\n    \"b\"\n  ],\n  \"empty\" : { },\n  \"none\" : [ ],\n  \"nested\" : [\n    {\n      \"x\" : 1.0\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn pretty_output_parses_back() {
        let value = json!({"a": [1, {"b": [[], {}]}], "c": "d\n\"e\""});
        let back: serde_json::Value = serde_json::from_slice(&to_vec_pretty(&value)).unwrap();
        assert_eq!(back, value);
    }
}
