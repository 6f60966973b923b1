//! Stashed values (`set`, `$body`) and the paths tests use to look into
//! responses (`hits.hits.0._source`, `a\.b` for a literal dot, `$var` and
//! `_arbitrary_key_` segments).

use serde_json::{Map, Value};
use std::collections::HashMap;
use tensile_rest::dotted::split_dotted as split_path;

#[derive(Debug, Default, Clone)]
pub struct Stash {
    values: HashMap<String, Value>,
}

impl Stash {
    pub fn clear(&mut self) {
        self.values.clear();
    }

    pub fn set(&mut self, key: &str, value: Value) {
        self.values.insert(key.to_owned(), value);
    }

    /// The value of `$key`: a stashed name, optionally followed by a path
    /// into it (`$body.hits.total`).
    pub fn get(&self, key: &str) -> Option<Value> {
        if let Some(v) = self.values.get(key) {
            return Some(v.clone());
        }
        let (root, rest) = key.split_once('.')?;
        let base = self.values.get(root)?;
        lookup(base, rest, self).ok().flatten()
    }

    /// Substitutes stashed values in a request or an expected value: a string
    /// that is exactly `$name` or `${name}` becomes the stashed value itself;
    /// `${name}` inside a longer string is replaced by its text; object keys
    /// are substituted too.
    pub fn resolve(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => self.resolve_str(s)?,
            Value::Array(items) => Value::Array(items.iter().map(|i| self.resolve(i)).collect::<Result<_, _>>()?),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let key = match self.resolve_str(k)? {
                        Value::String(s) => s,
                        other => text(&other),
                    };
                    out.insert(key, self.resolve(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn resolve_str(&self, s: &str) -> Result<Value, String> {
        if let Some(name) = whole_reference(s) {
            return self.get(name).ok_or_else(|| format!("nothing is stashed under ${name}"));
        }
        if !s.contains("${") {
            return Ok(Value::String(s.to_owned()));
        }
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            let value = self.get(name).ok_or_else(|| format!("nothing is stashed under ${{{name}}}"))?;
            out.push_str(&text(&value));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }
}

/// `$name` or `${name}` standing alone.
fn whole_reference(s: &str) -> Option<&str> {
    if let Some(inner) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        return (!inner.contains('}')).then_some(inner);
    }
    let name = s.strip_prefix('$')?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    valid.then_some(name)
}

/// A value as text: strings bare, everything else as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Follows `path` into `body`; `Ok(None)` when it leads nowhere. An empty
/// path or `$body` is the whole body. `_arbitrary_key_` names any one key
/// of an object: as the last segment it gives the key itself, so that
/// tests can `set` it; inside a path it goes into that key's value.
pub fn lookup(body: &Value, path: &str, stash: &Stash) -> Result<Option<Value>, String> {
    if path.is_empty() || path == "$body" {
        return Ok(Some(body.clone()));
    }
    // A path that is a stashed name stands for the stashed value.
    if let Some(name) = whole_reference(path).filter(|n| !n.starts_with("body")) {
        if let Some(v) = stash.get(name) {
            return Ok(Some(v));
        }
    }
    let path = path.strip_prefix("$body.").unwrap_or(path);
    let segments = split_path(path);
    let mut current = body;
    for (i, segment) in segments.iter().enumerate() {
        let segment = match whole_reference(segment) {
            Some(name) => text(&stash.get(name).ok_or_else(|| format!("nothing is stashed under ${name}"))?),
            None => segment.clone(),
        };
        let next = match current {
            Value::Object(map) if segment == "_arbitrary_key_" => {
                if i + 1 == segments.len() {
                    return Ok(map.keys().next().map(|k| Value::String(k.clone())));
                }
                map.values().next()
            }
            Value::Object(map) => map.get(&segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return Ok(None),
        }
    }
    Ok(Some(current.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let body = json!({"hits": {"hits": [{"_id": "a"}, {"_id": "b"}]}, "a.b": 1, "nodes": {"n1": {"name": "x"}}});
        let stash = Stash::default();
        assert_eq!(lookup(&body, "hits.hits.1._id", &stash).unwrap(), Some(json!("b")));
        assert_eq!(lookup(&body, "a\\.b", &stash).unwrap(), Some(json!(1)));
        assert_eq!(lookup(&body, "", &stash).unwrap(), Some(body.clone()));
        assert_eq!(lookup(&body, "$body", &stash).unwrap(), Some(body.clone()));
        assert_eq!(lookup(&body, "hits.nope", &stash).unwrap(), None);
        assert_eq!(lookup(&body, "hits.hits.9", &stash).unwrap(), None);
        assert_eq!(lookup(&body, "nodes._arbitrary_key_", &stash).unwrap(), Some(json!("n1")));
        assert_eq!(lookup(&body, "nodes._arbitrary_key_.name", &stash).unwrap(), Some(json!("x")));
        let mut stash = Stash::default();
        stash.set("node", json!("n1"));
        assert_eq!(lookup(&body, "nodes.$node.name", &stash).unwrap(), Some(json!("x")));
    }

    #[test]
    fn substitution() {
        let mut stash = Stash::default();
        stash.set("id", json!(42));
        stash.set("name", json!("x"));
        stash.set("body", json!({"hits": {"total": 3}}));
        assert_eq!(stash.resolve(&json!("$id")).unwrap(), json!(42));
        assert_eq!(stash.resolve(&json!("${id}")).unwrap(), json!(42));
        assert_eq!(stash.resolve(&json!("id-${id}-${name}")).unwrap(), json!("id-42-x"));
        assert_eq!(stash.resolve(&json!({"$name": ["$id"]})).unwrap(), json!({"x": [42]}));
        assert_eq!(stash.resolve(&json!("$body.hits.total")).unwrap(), json!(3));
        assert_eq!(stash.resolve(&json!("costs $5")).unwrap(), json!("costs $5"));
        assert!(stash.resolve(&json!("$missing")).is_err());
    }

    proptest! {
        #[test]
        fn stashed_values_come_back(name in "[a-z_][a-z0-9_]{0,8}", n: i64, s in "[ -~]{0,12}") {
            let mut stash = Stash::default();
            stash.set(&name, json!(n));
            prop_assert_eq!(stash.resolve(&json!(format!("${name}"))).unwrap(), json!(n));
            prop_assert_eq!(stash.resolve(&json!(format!("<${{{name}}}>"))).unwrap(), json!(format!("<{n}>")));
            // Text without a `$` is left alone.
            let plain = s.replace('$', "");
            prop_assert_eq!(stash.resolve(&json!(plain.clone())).unwrap(), json!(plain));
        }
    }
}
