//! Reading the YAML test files.
//!
//! A file holds one or more YAML documents: an optional leading
//! `requires:` document (`stack`/`serverless`), then documents whose keys
//! are `setup`, `teardown` and test names, each a list of steps. A step is
//! a one-key mapping: `do`, `skip`, `requires`, or an assertion.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum CompareOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// One step of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Skip(Value),
    Requires(Value),
    Do(Box<DoStep>),
    Match(String, Value),
    Length(String, Value),
    IsTrue(String),
    IsFalse(String),
    Compare(CompareOp, String, Value),
    Contains(String, Value),
    CloseTo { path: String, value: Value, error: f64 },
    Set(Vec<(String, String)>),
    TransformAndSet(Vec<(String, String)>),
    Exists(String),
    NotExists(String),
    IsAfter(String, Value),
}

/// A `do` step: one API call and what the test expects of it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DoStep {
    pub api: String,
    /// Parameters and path parts, before stash substitution.
    pub params: Map<String, Value>,
    pub body: Option<Value>,
    /// Statuses the client ignores (`ignore: 404`).
    pub ignore: Vec<u16>,
    pub catch: Option<String>,
    pub headers: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub warnings_regex: Vec<String>,
    pub allowed_warnings: Vec<String>,
    pub allowed_warnings_regex: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestSection {
    pub name: String,
    /// `Err` when the section could not be read: the test fails with it.
    pub steps: Result<Vec<Step>, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// The path relative to the suite root, with `/`.
    pub id: String,
    /// `false` when the file's `requires` says it is not for stack nodes.
    pub for_stack: bool,
    pub setup: Result<Vec<Step>, String>,
    pub teardown: Result<Vec<Step>, String>,
    pub tests: Vec<TestSection>,
}

/// Converts YAML into JSON values (keys become strings).
pub fn yaml_to_json(v: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(&t.value),
    }
}

/// Every `.yml`/`.yaml` file under `root`, sorted, as (id, path).
pub fn discover(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                let id = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.push((id, path));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

/// Parses one file's text.
pub fn parse_file(id: &str, text: &str) -> Result<TestFile, String> {
    let mut file = TestFile {
        id: id.to_owned(),
        for_stack: true,
        setup: Ok(Vec::new()),
        teardown: Ok(Vec::new()),
        tests: Vec::new(),
    };
    for document in serde_yaml::Deserializer::from_str(text) {
        let doc = serde_yaml::Value::deserialize(document).map_err(|e| format!("YAML: {e}"))?;
        let Value::Object(map) = yaml_to_json(&doc) else { continue };
        for (key, value) in map {
            match key.as_str() {
                "requires" if !value.is_array() => {
                    file.for_stack = value.get("stack").and_then(Value::as_bool).unwrap_or(true);
                }
                "setup" => file.setup = parse_steps(&value),
                "teardown" => file.teardown = parse_steps(&value),
                _ => file.tests.push(TestSection { name: key, steps: parse_steps(&value) }),
            }
        }
    }
    Ok(file)
}

fn parse_steps(value: &Value) -> Result<Vec<Step>, String> {
    let Value::Array(items) = value else {
        return Err("a test must be a list of steps".into());
    };
    items.iter().map(parse_step).collect()
}

fn as_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(as_string).collect(),
        Some(other) => vec![as_string(other)],
    }
}

/// The single `path: expected` pair of an assertion.
fn pair(kind: &str, v: &Value) -> Result<(String, Value), String> {
    match v {
        Value::Object(map) if map.len() == 1 => {
            let (k, v) = map.iter().next().expect("one entry");
            Ok((k.clone(), v.clone()))
        }
        _ => Err(format!("`{kind}` takes one `path: value` pair, got {v}")),
    }
}

pub fn parse_step(step: &Value) -> Result<Step, String> {
    let Value::Object(map) = step else { return Err(format!("a step must be a mapping, got {step}")) };
    let (kind, v) = map.iter().next().ok_or("an empty step")?;
    Ok(match kind.as_str() {
        "skip" => Step::Skip(v.clone()),
        "requires" => Step::Requires(v.clone()),
        "do" => Step::Do(Box::new(parse_do(v)?)),
        "match" => {
            let (p, e) = pair(kind, v)?;
            Step::Match(p, e)
        }
        "length" => {
            let (p, e) = pair(kind, v)?;
            Step::Length(p, e)
        }
        "is_true" => Step::IsTrue(as_string(v)),
        "is_false" => Step::IsFalse(as_string(v)),
        "exists" => Step::Exists(as_string(v)),
        "not_exists" => Step::NotExists(as_string(v)),
        "gt" | "gte" | "lt" | "lte" => {
            let (p, e) = pair(kind, v)?;
            let op = match kind.as_str() {
                "gt" => CompareOp::Gt,
                "gte" => CompareOp::Gte,
                "lt" => CompareOp::Lt,
                _ => CompareOp::Lte,
            };
            Step::Compare(op, p, e)
        }
        "contains" => {
            let (p, e) = pair(kind, v)?;
            Step::Contains(p, e)
        }
        "close_to" => {
            let (p, spec) = pair(kind, v)?;
            let value = spec.get("value").cloned().ok_or("close_to needs `value`")?;
            let error = spec.get("error").and_then(Value::as_f64).ok_or("close_to needs a numeric `error`")?;
            Step::CloseTo { path: p, value, error }
        }
        "is_after" => {
            let (p, e) = pair(kind, v)?;
            Step::IsAfter(p, e)
        }
        "set" | "transform_and_set" => {
            let Value::Object(m) = v else { return Err(format!("`{kind}` takes a mapping")) };
            let pairs = m.iter().map(|(k, v)| (k.clone(), as_string(v))).collect();
            if kind == "set" {
                Step::Set(pairs)
            } else {
                Step::TransformAndSet(pairs)
            }
        }
        other => return Err(format!("unknown step `{other}`")),
    })
}

fn parse_do(v: &Value) -> Result<DoStep, String> {
    let Value::Object(map) = v else { return Err("`do` takes a mapping".into()) };
    let mut step = DoStep::default();
    for (k, v) in map {
        match k.as_str() {
            "catch" => step.catch = Some(as_string(v)),
            "headers" => {
                if let Value::Object(h) = v {
                    step.headers = h.iter().map(|(k, v)| (k.clone(), as_string(v))).collect();
                }
            }
            "warnings" => step.warnings = strings(Some(v)),
            "warnings_regex" => step.warnings_regex = strings(Some(v)),
            "allowed_warnings" => step.allowed_warnings = strings(Some(v)),
            "allowed_warnings_regex" => step.allowed_warnings_regex = strings(Some(v)),
            "node_selector" => {}
            api => {
                if !step.api.is_empty() {
                    return Err(format!("`do` names two APIs: {} and {api}", step.api));
                }
                step.api = api.to_owned();
                if let Value::Object(params) = v {
                    for (name, value) in params {
                        match name.as_str() {
                            "body" => step.body = Some(value.clone()),
                            "ignore" => {
                                step.ignore = match value {
                                    Value::Array(list) => {
                                        list.iter().filter_map(Value::as_u64).map(|n| n as u16).collect()
                                    }
                                    other => other.as_u64().map(|n| vec![n as u16]).unwrap_or_default(),
                                }
                            }
                            _ => {
                                step.params.insert(name.clone(), value.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    if step.api.is_empty() {
        return Err("`do` names no API".into());
    }
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn files_with_requires_setup_and_tests() {
        let text = r#"---
requires:
  serverless: true
  stack: false
---
setup:
  - do:
      indices.create:
        index: test
---
"first":
  - do:
      catch: missing
      headers: { Accept: application/json }
      warnings: [ "w" ]
      get: { index: test, id: 1, ignore: 404 }
  - match: { _id: "1" }
  - is_true: found
  - gte: { count: 1 }
  - close_to: { score: { value: 1.5, error: 0.1 } }
  - set: { _id: id }
"second":
  - bogus: {}
"#;
        let file = parse_file("dir/a.yml", text).unwrap();
        assert!(!file.for_stack);
        assert_eq!(file.setup.as_ref().unwrap().len(), 1);
        assert_eq!(file.tests.len(), 2);
        let steps = file.tests[0].steps.as_ref().unwrap();
        let Step::Do(d) = &steps[0] else { panic!() };
        assert_eq!(d.api, "get");
        assert_eq!(d.catch.as_deref(), Some("missing"));
        assert_eq!(d.ignore, vec![404]);
        assert_eq!(d.headers, vec![("Accept".into(), "application/json".into())]);
        assert_eq!(d.params.get("id"), Some(&json!(1)));
        assert_eq!(steps[1], Step::Match("_id".into(), json!("1")));
        assert_eq!(steps[3], Step::Compare(CompareOp::Gte, "count".into(), json!(1)));
        assert_eq!(steps[4], Step::CloseTo { path: "score".into(), value: json!(1.5), error: 0.1 });
        assert!(file.tests[1].steps.is_err());
    }
}
