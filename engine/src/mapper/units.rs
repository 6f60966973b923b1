//! Values with units in queries on numeric fields whose `meta.unit` names
//! one, as Elasticsearch reads them: `1ms` on a field of microseconds is
//! 1000, `1kb` on a field of bytes (`By`) is 1024, `42%` on a `%` field is
//! 0.42.

/// A unit's kind and its size in the kind's smallest unit.
fn unit(name: &str) -> Option<(&'static str, f64)> {
    Some(match name {
        "ns" | "nanos" => ("time", 1.0),
        "us" | "micros" | "µs" => ("time", 1e3),
        "ms" => ("time", 1e6),
        "s" => ("time", 1e9),
        "m" | "min" => ("time", 60e9),
        "h" => ("time", 3600e9),
        "d" => ("time", 86_400e9),
        "By" | "b" => ("bytes", 1.0),
        "kb" | "KiBy" => ("bytes", 1024.0),
        "mb" | "MiBy" => ("bytes", 1024f64.powi(2)),
        "gb" | "GiBy" => ("bytes", 1024f64.powi(3)),
        "tb" | "TiBy" => ("bytes", 1024f64.powi(4)),
        "pb" | "PiBy" => ("bytes", 1024f64.powi(5)),
        "%" => ("percent", 100.0),
        _ => return None,
    })
}

/// A query value with a unit (`1ms`), in the field's unit; `None` when the
/// text is no number with a unit of the field's kind.
pub fn convert(text: &str, field_unit: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))?;
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let (kind, size) = unit(suffix.trim())?;
    let (field_kind, field_size) = unit(field_unit)?;
    if kind != field_kind {
        return None;
    }
    Some(if kind == "percent" { number / 100.0 } else { number * size / field_size })
}

#[cfg(test)]
mod tests {
    use super::convert;

    #[test]
    fn units_convert_to_the_fields() {
        assert_eq!(convert("1ms", "us"), Some(1000.0));
        assert_eq!(convert("1kb", "By"), Some(1024.0));
        assert_eq!(convert("42%", "%"), Some(0.42));
        assert_eq!(convert("1kb", "ms"), None);
        assert_eq!(convert("12", "ms"), None);
    }
}
