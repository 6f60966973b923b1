//! Typed parameter values and their parse errors.
//!
//! Query and path parameters arrive as text. [`ParamValue`] turns one into a
//! typed value the way Elasticsearch's `RestRequest` does (`?pretty` alone is
//! `true`, lists are comma-separated, durations take ES units), and a bad
//! value gives the same error type and message as Elasticsearch.

use crate::error::EsError;
use std::fmt;
use std::time::Duration;

/// Why a parameter could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("Failed to parse value [{value}] as only [true] or [false] are allowed.")]
    Bool { name: String, value: String },
    #[error("Failed to parse {bits} parameter [{name}] with value [{value}]")]
    Integer { name: String, value: String, bits: &'static str },
    #[error("Failed to parse double parameter [{name}] with value [{value}]")]
    Number { name: String, value: String },
    #[error("failed to parse setting [{name}] with value [{value}] as a time value: unit is missing or unrecognized")]
    TimeUnit { name: String, value: String },
    #[error(
        "failed to parse setting [{name}] with value [{value}] as a time value: negative durations are not supported"
    )]
    NegativeTime { name: String, value: String },
    #[error("failed to parse [{value}], fractional time values are not supported")]
    FractionalTime { value: String },
    #[error("failed to parse [{value}]")]
    Malformed { value: String },
    #[error(
        "failed to parse setting [{name}] with value [{value}] as a size in bytes: unit is missing or unrecognized"
    )]
    ByteUnit { name: String, value: String },
    #[error("{}", enum_message(name, value, allowed))]
    Enum { name: String, value: String, allowed: &'static [&'static str] },
    #[error("required path part [{name}] is missing")]
    MissingPart { name: String },
    #[error("{0}")]
    Unrecognized(String),
}

/// Elasticsearch's message for a value outside an enum: a few parameters
/// have their own wording (`SearchType.fromString`,
/// `IndicesOptions.WildcardStates.parseParameter`), the rest the generic one.
fn enum_message(name: &str, value: &str, allowed: &[&str]) -> String {
    match name {
        "search_type" => format!("No search type for [{value}]"),
        "expand_wildcards" => format!("No valid expand wildcard value [{value}]"),
        _ => format!("[{name}] must be one of [{}], but was [{value}]", allowed.join(", ")),
    }
}

impl ParamError {
    /// The Elasticsearch exception type of this error.
    pub fn kind(&self) -> &'static str {
        match self {
            ParamError::TimeUnit { .. }
            | ParamError::FractionalTime { .. }
            | ParamError::Malformed { .. }
            | ParamError::ByteUnit { .. } => "parse_exception",
            _ => "illegal_argument_exception",
        }
    }
}

impl From<ParamError> for EsError {
    fn from(err: ParamError) -> Self {
        EsError::new(400, err.kind(), err.to_string())
    }
}

/// A value that can be read from the text of a query or path parameter.
pub trait ParamValue: Sized {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError>;
}

impl ParamValue for String {
    fn parse_param(_: &str, raw: &str) -> Result<Self, ParamError> {
        Ok(raw.to_owned())
    }
}

impl ParamValue for bool {
    /// An empty value (`?pretty`) is `true`, as in Elasticsearch.
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        match raw {
            "" | "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ParamError::Bool { name: name.into(), value: raw.into() }),
        }
    }
}

impl ParamValue for i32 {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        raw.parse().map_err(|_| ParamError::Integer { name: name.into(), value: raw.into(), bits: "int" })
    }
}

impl ParamValue for i64 {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        raw.parse().map_err(|_| ParamError::Integer { name: name.into(), value: raw.into(), bits: "long" })
    }
}

impl ParamValue for f64 {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        raw.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| ParamError::Number { name: name.into(), value: raw.into() })
    }
}

/// A comma-separated list; empty items are dropped, as Elasticsearch's
/// `Strings.splitStringByCommaToArray` does.
impl<T: ParamValue> ParamValue for Vec<T> {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        raw.split(',').filter(|s| !s.is_empty()).map(|item| T::parse_param(name, item)).collect()
    }
}

/// Reads one value of a generated enum: `values[i]` is the wire text of
/// `variants[i]`. An empty value means `true` for enums that have it, as
/// Elasticsearch reads `?refresh` alone as `refresh=true`.
pub fn parse_enum<E: Copy>(
    name: &str,
    raw: &str,
    values: &'static [&'static str],
    variants: &[E],
) -> Result<E, ParamError> {
    let wanted = if raw.is_empty() && values.contains(&"true") { "true" } else { raw };
    // Elasticsearch reads most enum parameters whatever their case (`AND`, `Open`).
    let exact = values.iter().position(|v| *v == wanted);
    let position = exact.or_else(|| values.iter().position(|v| v.eq_ignore_ascii_case(wanted)));
    position.map(|i| variants[i]).ok_or_else(|| ParamError::Enum {
        name: name.into(),
        value: raw.into(),
        allowed: values,
    })
}

/// `true`, `false`, or a whole number, as `track_total_hits` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOrLong {
    Bool(bool),
    Long(i64),
}

impl ParamValue for BoolOrLong {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        match raw.parse::<i64>() {
            Ok(n) => Ok(BoolOrLong::Long(n)),
            Err(_) => bool::parse_param(name, raw).map(BoolOrLong::Bool),
        }
    }
}

/// A duration in Elasticsearch's notation: `30s`, `5m`, `100ms`, `-1`, `0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeValue {
    nanos: i64,
}

/// Time units, longest suffix first so that `ms` is not read as `s`.
const TIME_UNITS: &[(&str, i64)] = &[
    ("nanos", 1),
    ("micros", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

impl TimeValue {
    /// `-1`: "no timeout" / "never" wherever Elasticsearch takes it.
    pub const MINUS_ONE: TimeValue = TimeValue { nanos: -1 };
    pub const ZERO: TimeValue = TimeValue { nanos: 0 };

    pub fn from_nanos(nanos: i64) -> Self {
        TimeValue { nanos }
    }

    pub fn from_millis(millis: i64) -> Self {
        TimeValue { nanos: millis.saturating_mul(1_000_000) }
    }

    pub fn nanos(self) -> i64 {
        self.nanos
    }

    pub fn millis(self) -> i64 {
        if self.nanos < 0 {
            self.nanos
        } else {
            self.nanos / 1_000_000
        }
    }

    /// The duration, or `None` for `-1`.
    pub fn duration(self) -> Option<Duration> {
        u64::try_from(self.nanos).ok().map(Duration::from_nanos)
    }

    /// Parses a setting or parameter value, naming `setting` in errors.
    pub fn parse(setting: &str, raw: &str) -> Result<Self, ParamError> {
        let normalized = raw.trim().to_ascii_lowercase();
        match normalized.as_str() {
            "-1" => return Ok(TimeValue::MINUS_ONE),
            "0" => return Ok(TimeValue::ZERO),
            _ => {}
        }
        let (number, unit) = TIME_UNITS
            .iter()
            .find_map(|&(suffix, unit)| normalized.strip_suffix(suffix).map(|n| (n.trim(), unit)))
            .ok_or_else(|| ParamError::TimeUnit { name: setting.into(), value: raw.into() })?;
        let value: i64 = number.parse().map_err(|_| {
            if number.parse::<f64>().is_ok() {
                ParamError::FractionalTime { value: raw.into() }
            } else {
                ParamError::Malformed { value: raw.into() }
            }
        })?;
        if value < -1 {
            return Err(ParamError::NegativeTime { name: setting.into(), value: raw.into() });
        }
        if value == -1 {
            return Ok(TimeValue::MINUS_ONE);
        }
        value.checked_mul(unit).map(TimeValue::from_nanos).ok_or(ParamError::Malformed { value: raw.into() })
    }
}

impl ParamValue for TimeValue {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        TimeValue::parse(name, raw)
    }
}

/// The largest unit that divides the value exactly, so that the text reads
/// back to the same value (`30s`, `1500ms`, `-1`).
impl fmt::Display for TimeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos <= 0 {
            return write!(f, "{}", self.nanos);
        }
        let (suffix, unit) =
            TIME_UNITS.iter().rev().find(|&&(_, unit)| self.nanos % unit == 0).copied().unwrap_or(("nanos", 1));
        write!(f, "{}{}", self.nanos / unit, suffix)
    }
}

/// A size in bytes in Elasticsearch's notation: `512b`, `10kb`, `1.5gb`, `-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize {
    bytes: i64,
}

/// Byte units, two-letter suffixes first so that `mb` is not read as `b`.
const BYTE_UNITS: &[(&str, i64)] = &[
    ("kb", 1 << 10),
    ("mb", 1 << 20),
    ("gb", 1 << 30),
    ("tb", 1 << 40),
    ("pb", 1 << 50),
    ("k", 1 << 10),
    ("m", 1 << 20),
    ("g", 1 << 30),
    ("t", 1 << 40),
    ("p", 1 << 50),
    ("b", 1),
];

impl ByteSize {
    pub const MINUS_ONE: ByteSize = ByteSize { bytes: -1 };

    pub fn from_bytes(bytes: i64) -> Self {
        ByteSize { bytes }
    }

    pub fn bytes(self) -> i64 {
        self.bytes
    }

    /// Parses a setting or parameter value, naming `setting` in errors.
    pub fn parse(setting: &str, raw: &str) -> Result<Self, ParamError> {
        let normalized = raw.trim().to_ascii_lowercase();
        match normalized.as_str() {
            "-1" => return Ok(ByteSize::MINUS_ONE),
            "0" => return Ok(ByteSize { bytes: 0 }),
            _ => {}
        }
        let (number, unit) = BYTE_UNITS
            .iter()
            .find_map(|&(suffix, unit)| normalized.strip_suffix(suffix).map(|n| (n.trim(), unit)))
            .ok_or_else(|| ParamError::ByteUnit { name: setting.into(), value: raw.into() })?;
        if let Ok(whole) = number.parse::<i64>() {
            if whole >= 0 {
                return whole
                    .checked_mul(unit)
                    .map(ByteSize::from_bytes)
                    .ok_or(ParamError::Malformed { value: raw.into() });
            }
        }
        match number.parse::<f64>() {
            Ok(fraction) if fraction >= 0.0 && unit > 1 && (fraction * unit as f64) < i64::MAX as f64 => {
                Ok(ByteSize::from_bytes((fraction * unit as f64) as i64))
            }
            _ => Err(ParamError::Malformed { value: raw.into() }),
        }
    }
}

impl ParamValue for ByteSize {
    fn parse_param(name: &str, raw: &str) -> Result<Self, ParamError> {
        ByteSize::parse(name, raw)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bytes < 0 {
            return f.write_str("-1");
        }
        if self.bytes == 0 {
            return f.write_str("0b");
        }
        let (suffix, unit) =
            BYTE_UNITS[..5].iter().rev().find(|&&(_, unit)| self.bytes % unit == 0).copied().unwrap_or(("b", 1));
        write!(f, "{}{}", self.bytes / unit, suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn booleans_are_strict_and_empty_means_true() {
        assert_eq!(bool::parse_param("pretty", ""), Ok(true));
        assert_eq!(bool::parse_param("pretty", "false"), Ok(false));
        let err = bool::parse_param("pretty", "yes").unwrap_err();
        assert_eq!(err.to_string(), "Failed to parse value [yes] as only [true] or [false] are allowed.");
        assert_eq!(err.kind(), "illegal_argument_exception");
    }

    #[test]
    fn integers_name_their_width() {
        assert_eq!(i32::parse_param("size", "12"), Ok(12));
        assert_eq!(
            i32::parse_param("size", "x").unwrap_err().to_string(),
            "Failed to parse int parameter [size] with value [x]"
        );
        assert_eq!(
            i64::parse_param("version", "1.5").unwrap_err().to_string(),
            "Failed to parse long parameter [version] with value [1.5]"
        );
    }

    #[test]
    fn time_values_follow_elasticsearch() {
        assert_eq!(TimeValue::parse("t", "30s").unwrap().millis(), 30_000);
        assert_eq!(TimeValue::parse("t", "100ms").unwrap().millis(), 100);
        assert_eq!(TimeValue::parse("t", "2M").unwrap().millis(), 120_000);
        assert_eq!(TimeValue::parse("t", "-1").unwrap(), TimeValue::MINUS_ONE);
        assert_eq!(TimeValue::parse("t", "0").unwrap(), TimeValue::ZERO);
        assert_eq!(TimeValue::parse("t", "1d").unwrap().duration(), Some(Duration::from_secs(86_400)));
        let err = TimeValue::parse("timeout", "10").unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to parse setting [timeout] with value [10] as a time value: unit is missing or unrecognized"
        );
        assert_eq!(err.kind(), "parse_exception");
        assert_eq!(
            TimeValue::parse("t", "1.5s").unwrap_err().to_string(),
            "failed to parse [1.5s], fractional time values are not supported"
        );
        assert!(matches!(TimeValue::parse("t", "-5s"), Err(ParamError::NegativeTime { .. })));
    }

    #[test]
    fn byte_sizes_follow_elasticsearch() {
        assert_eq!(ByteSize::parse("s", "100mb").unwrap().bytes(), 100 << 20);
        assert_eq!(ByteSize::parse("s", "1k").unwrap().bytes(), 1024);
        assert_eq!(ByteSize::parse("s", "1.5kb").unwrap().bytes(), 1536);
        assert_eq!(ByteSize::parse("s", "12b").unwrap().bytes(), 12);
        assert_eq!(ByteSize::parse("s", "-1").unwrap(), ByteSize::MINUS_ONE);
        assert_eq!(
            ByteSize::parse("http.max_content_length", "12").unwrap_err().to_string(),
            "failed to parse setting [http.max_content_length] with value [12] as a size in bytes: unit is missing or unrecognized"
        );
    }

    #[test]
    fn lists_split_on_commas() {
        assert_eq!(Vec::<String>::parse_param("index", "a,b,,c"), Ok(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(Vec::<i32>::parse_param("n", "1,2"), Ok(vec![1, 2]));
        assert!(Vec::<i32>::parse_param("n", "1,x").is_err());
    }

    #[test]
    fn enums_read_by_wire_value() {
        const VALUES: &[&str] = &["true", "false", "wait_for"];
        assert_eq!(parse_enum("refresh", "wait_for", VALUES, &[0, 1, 2]), Ok(2));
        assert_eq!(parse_enum("refresh", "", VALUES, &[0, 1, 2]), Ok(0));
        assert_eq!(
            parse_enum("refresh", "soon", VALUES, &[0, 1, 2]).unwrap_err().to_string(),
            "[refresh] must be one of [true, false, wait_for], but was [soon]"
        );
        assert!(parse_enum("level", "", &["cluster", "indices"], &[0, 1]).is_err());
        assert_eq!(
            parse_enum("search_type", "query_and_fetch", &["query_then_fetch"], &[0]).unwrap_err().to_string(),
            "No search type for [query_and_fetch]"
        );
    }

    #[test]
    fn bool_or_long() {
        assert_eq!(BoolOrLong::parse_param("t", "true"), Ok(BoolOrLong::Bool(true)));
        assert_eq!(BoolOrLong::parse_param("t", "100"), Ok(BoolOrLong::Long(100)));
        assert!(BoolOrLong::parse_param("t", "x").is_err());
    }

    proptest! {
        #[test]
        fn time_value_round_trips(nanos in 0i64..=i64::MAX / 2) {
            let t = TimeValue::from_nanos(nanos);
            prop_assert_eq!(TimeValue::parse("t", &t.to_string()), Ok(t));
        }

        #[test]
        fn byte_size_round_trips(bytes in 0i64..=i64::MAX / 2) {
            let b = ByteSize::from_bytes(bytes);
            prop_assert_eq!(ByteSize::parse("b", &b.to_string()), Ok(b));
        }

        #[test]
        fn integers_round_trip(n: i64, m: i32) {
            prop_assert_eq!(i64::parse_param("n", &n.to_string()), Ok(n));
            prop_assert_eq!(i32::parse_param("m", &m.to_string()), Ok(m));
        }

        #[test]
        fn lists_round_trip(items in proptest::collection::vec("[a-z0-9_*-]{1,8}", 0..6)) {
            prop_assert_eq!(Vec::<String>::parse_param("l", &items.join(",")), Ok(items));
        }

        #[test]
        fn arbitrary_text_never_panics(raw in "\\PC{0,20}") {
            let _ = TimeValue::parse("t", &raw);
            let _ = ByteSize::parse("b", &raw);
            let _ = f64::parse_param("f", &raw);
            let _ = BoolOrLong::parse_param("x", &raw);
        }
    }
}
