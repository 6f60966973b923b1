//! The assertions of the YAML test language, with Elasticsearch's runner
//! semantics: `match` (values, whole objects, `/regex/` with the `x` flag),
//! `length`, `is_true`/`is_false` (its truthiness), `gt`/`gte`/`lt`/`lte`,
//! `contains`, `close_to`, `is_after`, `exists`/`not_exists`, and the
//! stashing steps `set` and `transform_and_set`.

use crate::stash::{lookup, text, Stash};
use crate::suite::{CompareOp, Step};
use base64::Engine as _;
use serde_json::Value;

/// Checks one assertion step against the last response body. `Err` is the
/// failure message.
pub fn check(step: &Step, body: &Value, stash: &mut Stash) -> Result<(), String> {
    let at = |path: &str, stash: &Stash| lookup(body, path, stash);
    match step {
        Step::Match(path, expected) => {
            let expected = stash.resolve(expected)?;
            let actual = at(path, stash)?;
            if let Some(pattern) = regex_of(&expected) {
                let actual =
                    actual.ok_or_else(|| format!("match [{path}]: no value, expected one matching {pattern}"))?;
                let re = regex::Regex::new(&format!("(?x){pattern}"))
                    .map_err(|e| format!("match [{path}]: bad regex: {e}"))?;
                return if re.is_match(&text(&actual)) {
                    Ok(())
                } else {
                    Err(format!("match [{path}]: [{}] does not match /{pattern}/", text(&actual)))
                };
            }
            match actual {
                Some(a) if equal(&a, &expected) => Ok(()),
                Some(a) => Err(format!("match [{path}]: expected [{expected}] but was [{a}]")),
                None if expected.is_null() => Ok(()),
                None => Err(format!("match [{path}]: expected [{expected}] but there is no value")),
            }
        }
        Step::Length(path, expected) => {
            let expected = stash.resolve(expected)?;
            let want = expected.as_u64().ok_or_else(|| format!("length [{path}]: expected a count, got {expected}"))?;
            let actual = at(path, stash)?.ok_or_else(|| format!("length [{path}]: no value"))?;
            let len = match &actual {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                Value::String(s) => s.chars().count(),
                other => return Err(format!("length [{path}]: [{other}] has no length")),
            } as u64;
            (len == want).then_some(()).ok_or_else(|| format!("length [{path}]: expected {want} but was {len}"))
        }
        Step::IsTrue(path) => {
            let actual = at(path, stash)?;
            truthy(actual.as_ref())
                .then_some(())
                .ok_or_else(|| format!("is_true [{path}]: was [{}]", shown(actual.as_ref())))
        }
        Step::IsFalse(path) => {
            let actual = at(path, stash)?;
            (!truthy(actual.as_ref()))
                .then_some(())
                .ok_or_else(|| format!("is_false [{path}]: was [{}]", shown(actual.as_ref())))
        }
        Step::Exists(path) => match at(path, stash)? {
            Some(v) if !v.is_null() => Ok(()),
            _ => Err(format!("exists [{path}]: no value")),
        },
        Step::NotExists(path) => match at(path, stash)? {
            Some(v) if !v.is_null() => Err(format!("not_exists [{path}]: was [{v}]")),
            _ => Ok(()),
        },
        Step::Compare(op, path, expected) => {
            let expected = stash.resolve(expected)?;
            let actual = at(path, stash)?.ok_or_else(|| format!("{op:?} [{path}]: no value"))?;
            let ordering = compare(&actual, &expected)
                .ok_or_else(|| format!("{op:?} [{path}]: cannot compare [{actual}] with [{expected}]"))?;
            use std::cmp::Ordering::*;
            let ok = match op {
                CompareOp::Gt => ordering == Greater,
                CompareOp::Gte => ordering != Less,
                CompareOp::Lt => ordering == Less,
                CompareOp::Lte => ordering != Greater,
            };
            ok.then_some(()).ok_or_else(|| format!("{op:?} [{path}]: [{actual}] vs [{expected}]").to_lowercase())
        }
        Step::Contains(path, expected) => {
            let expected = stash.resolve(expected)?;
            let actual = at(path, stash)?.ok_or_else(|| format!("contains [{path}]: no value"))?;
            let found = match &actual {
                Value::Array(items) => items.iter().any(|item| subset(item, &expected)),
                Value::String(s) => expected.as_str().is_some_and(|e| s.contains(e)),
                _ => false,
            };
            found.then_some(()).ok_or_else(|| format!("contains [{path}]: [{actual}] does not contain [{expected}]"))
        }
        Step::CloseTo { path, value, error } => {
            let value =
                stash.resolve(value)?.as_f64().ok_or_else(|| format!("close_to [{path}]: value is not a number"))?;
            let actual =
                at(path, stash)?.and_then(|v| v.as_f64()).ok_or_else(|| format!("close_to [{path}]: no number"))?;
            ((actual - value).abs() <= *error)
                .then_some(())
                .ok_or_else(|| format!("close_to [{path}]: {actual} is not within {error} of {value}"))
        }
        Step::IsAfter(path, expected) => {
            let expected = text(&stash.resolve(expected)?);
            let actual = at(path, stash)?.map(|v| text(&v)).ok_or_else(|| format!("is_after [{path}]: no value"))?;
            (actual > expected)
                .then_some(())
                .ok_or_else(|| format!("is_after [{path}]: [{actual}] is not after [{expected}]"))
        }
        Step::Set(pairs) => {
            for (path, var) in pairs {
                let value = at(path, stash)?.ok_or_else(|| format!("set [{path}]: no value to stash"))?;
                stash.set(var, value);
            }
            Ok(())
        }
        Step::TransformAndSet(pairs) => {
            for (var, expr) in pairs {
                let value = transform(expr, body, stash)?;
                stash.set(var, value);
            }
            Ok(())
        }
        Step::Skip(_) | Step::Requires(_) | Step::Do(_) => Ok(()),
    }
}

/// `/.../` as a regex body.
fn regex_of(expected: &Value) -> Option<String> {
    let s = expected.as_str()?.trim();
    (s.len() > 1 && s.starts_with('/') && s.ends_with('/')).then(|| s[1..s.len() - 1].to_owned())
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "no value".to_owned(), |v| v.to_string())
}

/// Elasticsearch's runner truthiness: missing, `null`, `false`, `""`,
/// `"false"` (any case) and `0` are false.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(v) => {
            let t = text(v);
            !(t.is_empty() || t.eq_ignore_ascii_case("false") || t == "0")
        }
    }
}

/// Equality with numbers compared by value (`1` equals `1.0`).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64() || x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// `expected` is `actual`, or for objects a part of it.
fn subset(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|w| subset(w, v))),
        _ => equal(actual, expected),
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(a.as_str()?.cmp(b.as_str()?)),
    }
}

/// `#base64EncodeCredentials(id,api_key)`: the base64 of `id:api_key`,
/// both read from the last response.
fn transform(expr: &str, body: &Value, stash: &Stash) -> Result<Value, String> {
    let args = expr
        .strip_prefix("#base64EncodeCredentials(")
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("transform_and_set: unknown transformation [{expr}]"))?;
    let parts: Vec<String> = args
        .split(',')
        .map(|p| lookup(body, p.trim(), stash)?.map(|v| text(&v)).ok_or_else(|| format!("transform_and_set: no [{p}]")))
        .collect::<Result<_, _>>()?;
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(parts.join(":"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(step: Step, body: Value) -> Result<(), String> {
        check(&step, &body, &mut Stash::default())
    }

    #[test]
    fn match_values_objects_and_regexes() {
        let body = json!({"a": {"b": 1, "c": [1, 2]}, "s": "green open idx", "f": 1.0});
        assert!(run(Step::Match("a.b".into(), json!(1)), body.clone()).is_ok());
        assert!(run(Step::Match("f".into(), json!(1)), body.clone()).is_ok());
        assert!(run(Step::Match("a".into(), json!({"b": 1, "c": [1, 2]})), body.clone()).is_ok());
        assert!(run(Step::Match("a".into(), json!({"b": 1})), body.clone()).is_err());
        assert!(run(Step::Match("s".into(), json!("/^green \\s+ open/")), body.clone()).is_ok());
        assert!(run(Step::Match("missing".into(), json!(null)), body.clone()).is_ok());
        let err = run(Step::Match("a.b".into(), json!(2)), body).unwrap_err();
        assert_eq!(err, "match [a.b]: expected [2] but was [1]");
    }

    #[test]
    fn truthiness_follows_elasticsearch() {
        for falsy in [json!(null), json!(false), json!(""), json!("false"), json!("FALSE"), json!(0)] {
            assert!(!truthy(Some(&falsy)), "{falsy}");
        }
        for truthy_value in [json!(true), json!("x"), json!(1), json!([]), json!({})] {
            assert!(truthy(Some(&truthy_value)), "{truthy_value}");
        }
        assert!(!truthy(None));
        assert!(run(Step::IsTrue("".into()), json!(true)).is_ok());
        assert!(run(Step::IsFalse("nope".into()), json!({})).is_ok());
    }

    #[test]
    fn length_compare_contains_close_to() {
        let body = json!({"l": [1, {"x": 1, "y": 2}], "n": 5, "s": "abc", "d": "2024-02-01"});
        assert!(run(Step::Length("l".into(), json!(2)), body.clone()).is_ok());
        assert!(run(Step::Length("s".into(), json!(3)), body.clone()).is_ok());
        assert!(run(Step::Compare(CompareOp::Gt, "n".into(), json!(4)), body.clone()).is_ok());
        assert!(run(Step::Compare(CompareOp::Lte, "n".into(), json!(5)), body.clone()).is_ok());
        assert!(run(Step::Compare(CompareOp::Lt, "n".into(), json!(5)), body.clone()).is_err());
        assert!(run(Step::Contains("l".into(), json!({"x": 1})), body.clone()).is_ok());
        assert!(run(Step::Contains("l".into(), json!(3)), body.clone()).is_err());
        assert!(run(Step::CloseTo { path: "n".into(), value: json!(5.05), error: 0.1 }, body.clone()).is_ok());
        assert!(run(Step::IsAfter("d".into(), json!("2024-01-01")), body.clone()).is_ok());
        assert!(run(Step::Exists("n".into()), body.clone()).is_ok());
        assert!(run(Step::NotExists("zz".into()), body).is_ok());
    }

    #[test]
    fn set_and_transform() {
        let mut stash = Stash::default();
        let body = json!({"id": "abc", "api_key": "k", "n": 3});
        check(&Step::Set(vec![("n".into(), "count".into())]), &body, &mut stash).unwrap();
        assert_eq!(stash.get("count"), Some(json!(3)));
        check(&Step::Compare(CompareOp::Gte, "n".into(), json!("$count")), &body, &mut stash).unwrap();
        check(
            &Step::TransformAndSet(vec![("cred".into(), "#base64EncodeCredentials(id,api_key)".into())]),
            &body,
            &mut stash,
        )
        .unwrap();
        assert_eq!(stash.get("cred"), Some(json!("YWJjOms=")));
    }
}
