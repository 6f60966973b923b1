//! Elasticsearch refuses JSON with a key repeated in one object (Jackson's
//! strict duplicate detection, on for every body it parses): `serde_json`
//! keeps the last value. [`check`] walks a body once, keeping only the
//! keys of the objects it is inside, and finds the first repeat.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The first repeated key of a JSON text, as `serde_json`'s error (with its
/// line and column); `Ok` also for text that is no JSON, which the caller's
/// own parse then refuses.
pub fn check(json: &[u8]) -> Result<(), serde_json::Error> {
    match serde_json::from_slice::<Walk>(json) {
        Err(e) if e.is_data() => Err(e),
        _ => Ok(()),
    }
}

/// The message of a repeated key, as Jackson words it.
pub fn message(key: &str) -> String {
    format!("Duplicate field '{key}'")
}

/// Any JSON value, walked for repeated keys.
struct Walk;

impl<'de> Deserialize<'de> for Walk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Walk, D::Error> {
        deserializer.deserialize_any(WalkVisitor)
    }
}

struct WalkVisitor;

impl<'de> Visitor<'de> for WalkVisitor {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_str<E>(self, _: &str) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        while seq.next_element::<Walk>()?.is_some() {}
        Ok(Walk)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if keys.contains(&key.0) {
                return Err(serde::de::Error::custom(message(&key.0)));
            }
            map.next_value::<Walk>()?;
            keys.push(key.0);
        }
        Ok(Walk)
    }
}

/// An object's key, borrowed from the text unless it escapes.
pub struct Key<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_repeat_is_found_at_its_place() {
        let e = check(br#"{"a": {"b": 1, "c": [{"d": 1, "d": 2}]}}"#).unwrap_err();
        assert_eq!((e.to_string().starts_with("Duplicate field 'd'"), e.line(), e.column()), (true, 1, 33));
        assert!(check(br#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#).is_ok());
        assert!(check(br#"{"a\u0062": 1, "ab": 2}"#).is_err(), "escaped keys compare as read");
        assert!(check(b"{not json").is_ok(), "syntax is the caller's parse to refuse");
    }

    proptest! {
        #[test]
        fn json_without_repeats_passes(value in proptest::arbitrary::any::<Vec<(String, u8)>>()) {
            let object: serde_json::Map<String, serde_json::Value> =
                value.into_iter().map(|(k, v)| (k, serde_json::json!([v, {"x": v}]))).collect();
            prop_assert!(check(serde_json::to_string(&object).unwrap().as_bytes()).is_ok());
        }
    }
}
