//! The range field types (`integer_range`, `long_range`, `float_range`,
//! `double_range`, `date_range`, `ip_range`). A document's value is a
//! range, read from `{gte|gt, lte|lt}` (or a CIDR block for `ip_range`)
//! and kept with inclusive bounds, as Elasticsearch keeps it; a missing
//! bound is the type's extreme. Each range is indexed as one
//! order-preserving string in its field's column, which range queries on
//! the field read.

use serde_json::Value;
use std::cmp::Ordering;
use std::net::IpAddr;

/// The type of a range field's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    Integer,
    Long,
    Float,
    Double,
    Date,
    Ip,
}

/// A range with inclusive bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bounds {
    /// Integers, longs and dates (epoch millis).
    Long(i64, i64),
    /// Floats (held as doubles) and doubles.
    Double(f64, f64),
    /// Addresses, as the bits of their IPv6 form.
    Ip(u128, u128),
}

/// How a document's range must relate to a query's (`relation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Relation {
    #[default]
    Intersects,
    /// The document's range holds the query's.
    Contains,
    /// The document's range lies within the query's.
    Within,
}

impl Relation {
    pub fn parse(text: &str) -> Option<Relation> {
        match text.to_ascii_lowercase().as_str() {
            "intersects" => Some(Relation::Intersects),
            "contains" => Some(Relation::Contains),
            "within" => Some(Relation::Within),
            _ => None,
        }
    }
}

impl RangeKind {
    pub fn of_type(name: &str) -> Option<RangeKind> {
        Some(match name {
            "integer_range" => RangeKind::Integer,
            "long_range" => RangeKind::Long,
            "float_range" => RangeKind::Float,
            "double_range" => RangeKind::Double,
            "date_range" => RangeKind::Date,
            "ip_range" => RangeKind::Ip,
            _ => return None,
        })
    }

    /// The whole range of the type: what missing bounds stand for.
    fn whole(self) -> Bounds {
        match self {
            RangeKind::Integer => Bounds::Long(i64::from(i32::MIN), i64::from(i32::MAX)),
            RangeKind::Long | RangeKind::Date => Bounds::Long(i64::MIN, i64::MAX),
            RangeKind::Float | RangeKind::Double => Bounds::Double(f64::NEG_INFINITY, f64::INFINITY),
            RangeKind::Ip => Bounds::Ip(0, u128::MAX),
        }
    }
}

/// One bound as the type holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    Long(i64),
    Double(f64),
    Ip(u128),
}

impl Bound {
    /// The next value up (`gt`) or down (`lt`) of the type.
    fn step(self, kind: RangeKind, up: bool) -> Bound {
        match self {
            Bound::Long(v) => Bound::Long(if up { v.saturating_add(1) } else { v.saturating_sub(1) }),
            Bound::Double(v) if kind == RangeKind::Float => {
                let f = v as f32;
                Bound::Double(f64::from(if up { f.next_up() } else { f.next_down() }))
            }
            Bound::Double(v) => Bound::Double(if up { v.next_up() } else { v.next_down() }),
            Bound::Ip(v) => Bound::Ip(if up { v.saturating_add(1) } else { v.saturating_sub(1) }),
        }
    }
}

/// How a date bound is read: with the field's format, its missing parts
/// rounded up (`true`, for `lte` and `gt`) or down.
pub type DateReader<'a> = &'a dyn Fn(&Value, bool) -> Result<i64, String>;

/// Reads one bound: `date` reads a date, rounded up with `round_up`.
fn bound(kind: RangeKind, value: &Value, date: DateReader<'_>, round_up: bool) -> Result<Bound, String> {
    let number = || match value {
        Value::Number(n) => n.as_f64().ok_or_else(String::new),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| format!("For input string: \"{s}\"")),
        other => Err(format!("For input string: \"{}\"", crate::settings_text(other))),
    };
    Ok(match kind {
        RangeKind::Integer | RangeKind::Long => {
            let v = match value {
                Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or_default(),
                _ => {
                    let f = number()?;
                    if f.fract() != 0.0 {
                        return Err(format!("Value [{f}] has a decimal part"));
                    }
                    f as i64
                }
            };
            if kind == RangeKind::Integer && i32::try_from(v).is_err() {
                return Err(format!("Value [{v}] is out of range for an integer"));
            }
            Bound::Long(v)
        }
        RangeKind::Float => Bound::Double(f64::from(number()? as f32)),
        RangeKind::Double => Bound::Double(number()?),
        RangeKind::Date => Bound::Long(date(value, round_up)?),
        RangeKind::Ip => {
            let text = value.as_str().ok_or_else(|| format!("'{value}' is not an IP string literal."))?;
            Bound::Ip(ip_bits(text)?)
        }
    })
}

fn ip_bits(text: &str) -> Result<u128, String> {
    let ip: IpAddr = text.parse().map_err(|_| format!("'{text}' is not an IP string literal."))?;
    Ok(super::field::ip_bits(ip))
}

/// A CIDR block (`10.0.0.0/8`) as its first and last addresses.
fn cidr(text: &str) -> Result<Bounds, String> {
    let (address, prefix) = text.split_once('/').ok_or_else(|| format!("Expected [ip/prefix] but was [{text}]"))?;
    let ip: IpAddr = address.parse().map_err(|_| format!("'{address}' is not an IP string literal."))?;
    let prefix: u32 = prefix.parse().map_err(|_| format!("Expected [ip/prefix] but was [{text}]"))?;
    // An IPv4 prefix counts within the mapped IPv6 form's last 32 bits.
    let (bits, prefix) = match ip {
        IpAddr::V4(v4) if prefix <= 32 => (u128::from(v4.to_ipv6_mapped()), prefix + 96),
        IpAddr::V6(v6) if prefix <= 128 => (u128::from(v6), prefix),
        _ => return Err(format!("Illegal prefix length [{prefix}] in [{text}]")),
    };
    let host = if prefix == 128 { 0 } else { u128::MAX >> prefix };
    Ok(Bounds::Ip(bits & !host, bits | host))
}

/// Reads a range: an object of bounds, or for `ip_range` a CIDR block.
pub fn parse(kind: RangeKind, value: &Value, date: DateReader<'_>) -> Result<Bounds, String> {
    let map = match value {
        Value::Object(map) => map,
        Value::String(text) if kind == RangeKind::Ip => return cidr(text),
        other => {
            return Err(format!("error parsing range, expected an object but got [{}]", crate::settings_text(other)))
        }
    };
    let (mut lo, mut hi) = match kind.whole() {
        Bounds::Long(a, b) => (Bound::Long(a), Bound::Long(b)),
        Bounds::Double(a, b) => (Bound::Double(a), Bound::Double(b)),
        Bounds::Ip(a, b) => (Bound::Ip(a), Bound::Ip(b)),
    };
    for (key, v) in map {
        if v.is_null() {
            continue;
        }
        match key.as_str() {
            "gte" | "from" => lo = bound(kind, v, date, false)?,
            "gt" => lo = bound(kind, v, date, true)?.step(kind, true),
            "lte" | "to" => hi = bound(kind, v, date, true)?,
            "lt" => hi = bound(kind, v, date, false)?.step(kind, false),
            other => return Err(format!("error parsing range field, unknown parameter [{other}]")),
        }
    }
    let bounds = match (lo, hi) {
        (Bound::Long(a), Bound::Long(b)) => Bounds::Long(a, b),
        (Bound::Double(a), Bound::Double(b)) => Bounds::Double(a, b),
        (Bound::Ip(a), Bound::Ip(b)) => Bounds::Ip(a, b),
        _ => return Err("mismatched range bounds".into()),
    };
    if bounds.lo_cmp_hi() == Ordering::Greater {
        let (lo, hi) = bounds.texts();
        return Err(format!("min value ({lo}) is greater than max value ({hi})"));
    }
    Ok(bounds)
}

/// A point as a range of one value, for `term` queries on range fields.
pub fn point(kind: RangeKind, value: &Value, date: DateReader<'_>) -> Result<Bounds, String> {
    Ok(match bound(kind, value, date, false)? {
        Bound::Long(v) => Bounds::Long(v, v),
        Bound::Double(v) => Bounds::Double(v, v),
        Bound::Ip(v) => Bounds::Ip(v, v),
    })
}

impl Bounds {
    fn lo_cmp_hi(&self) -> Ordering {
        match *self {
            Bounds::Long(a, b) => a.cmp(&b),
            Bounds::Double(a, b) => a.total_cmp(&b),
            Bounds::Ip(a, b) => a.cmp(&b),
        }
    }

    /// The bounds as numbers or addresses, for messages.
    fn texts(&self) -> (String, String) {
        match *self {
            Bounds::Long(a, b) => (a.to_string(), b.to_string()),
            Bounds::Double(a, b) => (a.to_string(), b.to_string()),
            Bounds::Ip(a, b) => (crate::mapper::field::ip_text(a), crate::mapper::field::ip_text(b)),
        }
    }

    /// The order-preserving string a range is indexed as (numbers by
    /// tantivy's sortable bits).
    pub fn encode(&self) -> String {
        match *self {
            Bounds::Long(a, b) => format!("{:016x}:{:016x}", tantivy::i64_to_u64(a), tantivy::i64_to_u64(b)),
            Bounds::Double(a, b) => format!("{:016x}:{:016x}", tantivy::f64_to_u64(a), tantivy::f64_to_u64(b)),
            Bounds::Ip(a, b) => format!("{a:032x}:{b:032x}"),
        }
    }

    /// A range read back from its indexed string.
    pub fn decode(kind: RangeKind, text: &str) -> Option<Bounds> {
        let (a, b) = text.split_once(':')?;
        Some(match kind {
            RangeKind::Integer | RangeKind::Long | RangeKind::Date => {
                let n = |s: &str| u64::from_str_radix(s, 16).ok().map(tantivy::u64_to_i64);
                Bounds::Long(n(a)?, n(b)?)
            }
            RangeKind::Float | RangeKind::Double => {
                let n = |s: &str| u64::from_str_radix(s, 16).ok().map(tantivy::u64_to_f64);
                Bounds::Double(n(a)?, n(b)?)
            }
            RangeKind::Ip => Bounds::Ip(u128::from_str_radix(a, 16).ok()?, u128::from_str_radix(b, 16).ok()?),
        })
    }

    /// Whether this (a document's) range relates to a query's as asked.
    pub fn relates(&self, query: &Bounds, relation: Relation) -> bool {
        fn check<T: PartialOrd>(a: T, b: T, c: T, d: T, relation: Relation) -> bool {
            match relation {
                Relation::Intersects => a <= d && c <= b,
                Relation::Contains => a <= c && d <= b,
                Relation::Within => c <= a && b <= d,
            }
        }
        match (*self, *query) {
            (Bounds::Long(a, b), Bounds::Long(c, d)) => check(a, b, c, d, relation),
            (Bounds::Double(a, b), Bounds::Double(c, d)) => check(a, b, c, d, relation),
            (Bounds::Ip(a, b), Bounds::Ip(c, d)) => check(a, b, c, d, relation),
            _ => false,
        }
    }

    /// The range as the `fields` of a hit show it: `{gte, lte}`, a bound
    /// the type's extreme (none given) as null; dates by `date`.
    pub fn to_json(&self, kind: RangeKind, date: &dyn Fn(i64) -> String) -> Value {
        let whole = kind.whole();
        let (lo, hi) = match (*self, whole) {
            (Bounds::Long(a, b), Bounds::Long(min, max)) => {
                let show = |v: i64| if kind == RangeKind::Date { Value::from(date(v)) } else { Value::from(v) };
                ((a != min).then(|| show(a)), (b != max).then(|| show(b)))
            }
            (Bounds::Double(a, b), _) => {
                let show = |v: f64| {
                    let v = if kind == RangeKind::Float { (v as f32).to_string().parse().unwrap_or(v) } else { v };
                    serde_json::json!(v)
                };
                (a.is_finite().then(|| show(a)), b.is_finite().then(|| show(b)))
            }
            (Bounds::Ip(a, b), _) => (
                Some(Value::from(crate::mapper::field::ip_text(a))),
                Some(Value::from(crate::mapper::field::ip_text(b))),
            ),
            _ => (None, None),
        };
        serde_json::json!({"gte": lo, "lte": hi})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn no_dates(_: &Value, _: bool) -> Result<i64, String> {
        Err("no dates here".into())
    }

    #[test]
    fn bounds_are_read_inclusive() {
        assert_eq!(parse(RangeKind::Long, &json!({"gte": 10, "lt": 20}), &no_dates), Ok(Bounds::Long(10, 19)));
        assert_eq!(parse(RangeKind::Integer, &json!({"gt": 1}), &no_dates), Ok(Bounds::Long(2, i64::from(i32::MAX))));
        assert!(parse(RangeKind::Long, &json!({"gte": 5, "lte": 1}), &no_dates).is_err());
        assert!(parse(RangeKind::Long, &json!({"gte": 1, "foo": 2}), &no_dates).is_err());
        assert_eq!(
            parse(RangeKind::Ip, &json!("10.0.0.0/8"), &no_dates).map(|b| b.to_json(RangeKind::Ip, &|_| String::new())),
            Ok(json!({"gte": "10.0.0.0", "lte": "10.255.255.255"}))
        );
        let open = parse(RangeKind::Double, &json!({"gte": 1.5}), &no_dates).unwrap();
        assert_eq!(open.to_json(RangeKind::Double, &|_| String::new()), json!({"gte": 1.5, "lte": null}));
    }

    #[test]
    fn relations() {
        let doc = Bounds::Long(10, 20);
        assert!(doc.relates(&Bounds::Long(15, 30), Relation::Intersects));
        assert!(!doc.relates(&Bounds::Long(21, 30), Relation::Intersects));
        assert!(doc.relates(&Bounds::Long(12, 18), Relation::Contains));
        assert!(!doc.relates(&Bounds::Long(12, 28), Relation::Contains));
        assert!(doc.relates(&Bounds::Long(0, 20), Relation::Within));
    }

    proptest! {
        #[test]
        fn encoding_keeps_order_and_round_trips(a in any::<i64>(), b in any::<i64>(), x in -1e300f64..1e300, y in -1e300f64..1e300) {
            let (lo, hi) = (a.min(b), a.max(b));
            let long = Bounds::Long(lo, hi);
            prop_assert_eq!(Bounds::decode(RangeKind::Long, &long.encode()), Some(long));
            let (dlo, dhi) = (x.min(y), x.max(y));
            let double = Bounds::Double(dlo, dhi);
            prop_assert_eq!(Bounds::decode(RangeKind::Double, &double.encode()), Some(double));
            prop_assert_eq!(Bounds::Long(lo, lo).encode() <= Bounds::Long(hi, hi).encode(), true);
            prop_assert_eq!(Bounds::Double(dlo, dlo).encode() <= Bounds::Double(dhi, dhi).encode(), true);
        }
    }
}
