//! A document's JSON as the mapping walk reads it: strings borrowed from
//! the source text (owned only where it escapes), objects as lists of
//! entries. Parsing a source into `serde_json::Value` hashes every key into
//! an ordered map and copies every string; the walk only reads each value
//! once, in order, so it needs neither (a sixth of the bulk-indexing CPU).
//!
//! A key sent twice in one object is refused, as Elasticsearch refuses it.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use tensile_rest::duplicate_keys::Key;

/// A JSON value borrowing from its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Objects longer than this find repeated keys with a set, not a scan.
const SCAN_KEYS: usize = 16;

impl<'a> Json<'a> {
    /// Parses JSON text; the error is `serde_json`'s, with its line and column.
    pub fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Json::Number(_))
    }

    /// The value as `serde_json` holds it, for what reads values whole
    /// (a field's value parser, dynamic mapping, error previews).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::Str(s) => Value::String(s.as_ref().to_owned()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => {
                let map: Map<String, Value> =
                    entries.iter().map(|(k, v)| (k.as_ref().to_owned(), v.to_value())).collect();
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json<'de>, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        // Past a few keys, the keys seen in a set, to find a repeated one at once.
        let mut seen: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let repeated = match &seen {
                Some(seen) => seen.contains(&key.0),
                None => entries.iter().any(|(k, _)| *k == key.0),
            };
            if repeated {
                return Err(serde::de::Error::custom(tensile_rest::duplicate_keys::message(&key.0)));
            }
            let value: Json<'de> = map.next_value()?;
            if let Some(seen) = &mut seen {
                seen.insert(key.0.clone());
            }
            entries.push((key.0, value));
            if seen.is_none() && entries.len() > SCAN_KEYS {
                seen = Some(entries.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strings_borrow_unless_they_escape() {
        let text = r#"{"plain": "abc", "esc\u0061ped": "a\nb", "n": [1, -2, 2.5, true, null]}"#;
        let Json::Object(entries) = Json::parse(text).unwrap() else { panic!("an object") };
        assert!(matches!(entries[0].0, Cow::Borrowed("plain")));
        assert!(matches!(entries[0].1, Json::Str(Cow::Borrowed("abc"))));
        assert!(matches!(entries[1].0, Cow::Owned(ref k) if k == "escaped"));
        assert_eq!(entries[1].1, Json::Str(Cow::Owned("a\nb".into())));
    }

    #[test]
    fn a_repeated_key_is_refused_at_its_place() {
        let e = Json::parse(r#"{"a": 1, "b": {"c": 2, "c": 3}}"#).unwrap_err();
        assert!(e.to_string().starts_with("Duplicate field 'c'"), "{e}");
        assert_eq!((e.line(), e.column()), (1, 26));
        // Past the scanned length, a set finds the repeats.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let long = format!("{{{}, \"k3\": \"again\"}}", keys.join(", "));
        assert!(Json::parse(&long).unwrap_err().to_string().starts_with("Duplicate field 'k3'"));
        // The same key in different objects is no repeat.
        assert!(Json::parse(r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#).is_ok());
    }

    #[test]
    fn malformed_text_is_refused_with_its_place() {
        let e = Json::parse("{\"a\": [1,}").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 10));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-c\\\\\"é]{0,3}", inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON text reads back as `serde_json` reads it.
        #[test]
        fn reads_as_serde_json_does(value in arb_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            let want: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(Json::parse(&text).unwrap().to_value(), want);
        }
    }
}
