//! Date math in index and alias names, as Elasticsearch's
//! `DateMathExpressionResolver` reads it: `<static{math{format|zone}}static>`,
//! such as `<logs-{now/d}>` or `<logs-{2022-12-31||/d{yyyy.MM.dd|+01:00}}>`.
//! The math is an anchor (`now`, or a date then `||`) followed by
//! additions (`+1d`), subtractions (`-1M`) and roundings (`/d`), in the
//! units `y M w d h H m s`; the format defaults to `uuuu.MM.dd` and the
//! zone to UTC (fixed offsets only). `\` escapes a brace. A name not
//! wrapped in `<` and `>` is returned as it is.

use crate::error::EngineError;
use crate::mapper::date::{civil_from_days, days_from_civil, DateFormat};

const DEFAULT_FORMAT: &str = "uuuu.MM.dd";
const DAY: i64 = 86_400_000;

fn invalid(expression: &str, why: impl std::fmt::Display) -> EngineError {
    EngineError::Parse(format!("invalid dynamic name expression [{expression}]. {why}"))
}

/// The name `expression` stands for at `now` (epoch millis).
pub fn resolve(expression: &str, now: i64) -> Result<String, EngineError> {
    let Some(inner) = expression.strip_prefix('<').and_then(|e| e.strip_suffix('>')) else {
        return Ok(expression.to_owned());
    };
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '{' => {
                // Up to the matching `}`: the math, then an optional `{format|zone}`.
                let mut depth = 0;
                let start = i + 1;
                let mut end = None;
                for (j, &c) in chars.iter().enumerate().skip(i) {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| invalid(expression, "date math placeholder is open ended"))?;
                let placeholder: String = chars[start..end].iter().collect();
                out.push_str(&placeholder_value(expression, &placeholder, now)?);
                i = end + 1;
            }
            '}' => return Err(invalid(expression, format!("invalid character in placeholder at position [{i}]"))),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The name `expression` stands for now.
pub fn resolve_now(expression: &str) -> Result<String, EngineError> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    resolve(expression, now)
}

/// An index expression with its date math resolved; an exclusion
/// (`-<logs-{now/d}>`) keeps its `-`.
pub fn resolve_expression(expression: &str) -> Result<String, EngineError> {
    match expression.strip_prefix('-') {
        Some(excluded) if excluded.starts_with('<') => Ok(format!("-{}", resolve_now(excluded)?)),
        _ => resolve_now(expression),
    }
}

fn placeholder_value(expression: &str, placeholder: &str, now: i64) -> Result<String, EngineError> {
    let (math, format_zone) = match placeholder.find('{') {
        Some(at) if placeholder.ends_with('}') => {
            (&placeholder[..at], Some(&placeholder[at + 1..placeholder.len() - 1]))
        }
        Some(_) => return Err(invalid(expression, "missing closing `}` for date math format")),
        None => (placeholder, None),
    };
    if math.is_empty() {
        return Err(invalid(expression, "missing date math expression"));
    }
    let (format, zone) = match format_zone {
        None => (DEFAULT_FORMAT, None),
        Some(fz) => match fz.split_once('|') {
            Some((f, z)) => (f, Some(z)),
            None => (fz, None),
        },
    };
    if format.is_empty() {
        return Err(invalid(expression, "missing date format"));
    }
    let offset = match zone {
        None => 0,
        Some(z) => zone_offset(z).ok_or_else(|| invalid(expression, format!("unsupported time zone [{z}]")))?,
    };
    let formatter = DateFormat::parse(format).map_err(|e| invalid(expression, e))?;
    let millis = evaluate(math, now, offset, &formatter).map_err(|why| invalid(expression, why))?;
    Ok(formatter.format_millis(millis + offset))
}

/// A fixed offset in millis: `Z`, `UTC`, `+01:00`, `-0800`, `+5`.
fn zone_offset(zone: &str) -> Option<i64> {
    let zone = zone.trim();
    if matches!(zone, "Z" | "UTC" | "GMT" | "UT") {
        return Some(0);
    }
    let zone = zone.strip_prefix("UTC").or_else(|| zone.strip_prefix("GMT")).unwrap_or(zone);
    let sign = match zone.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = if digits.len() <= 2 { (&digits[..], "0") } else { digits.split_at(digits.len() - 2) };
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 18 && minutes < 60).then_some(sign * (hours * 3_600_000 + minutes * 60_000))
}

/// Evaluates `now-1d/d` or `2022-12-31||+1M/M` to epoch millis, rounding
/// in the zone `offset` millis from UTC.
fn evaluate(math: &str, now: i64, offset: i64, format: &DateFormat) -> Result<i64, String> {
    let (mut millis, ops) = if let Some(rest) = math.strip_prefix("now") {
        (now, rest)
    } else if let Some((anchor, rest)) = math.split_once("||") {
        let parsed = format
            .parse_str(anchor)
            .or_else(|| DateFormat::default_format().parse_str(anchor))
            .ok_or_else(|| format!("failed to parse date field [{anchor}]"))?;
        // An anchor without a zone of its own is read in the expression's zone.
        (parsed.millis() - offset, rest)
    } else {
        return Err(format!("failed to parse date math [{math}]"));
    };
    let chars: Vec<char> = ops.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let op = chars[i];
        i += 1;
        let amount = if op == '/' {
            1
        } else {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                1
            } else {
                chars[start..i].iter().collect::<String>().parse::<i64>().map_err(|e| e.to_string())?
            }
        };
        let unit = *chars.get(i).ok_or_else(|| format!("truncated date math [{math}]"))?;
        i += 1;
        millis = match op {
            '+' => add(millis, offset, amount, unit)?,
            '-' => add(millis, offset, -amount, unit)?,
            '/' => round_down(millis, offset, unit)?,
            other => return Err(format!("operator not supported for date math [{other}]")),
        };
    }
    Ok(millis)
}

fn fixed_unit(unit: char) -> Option<i64> {
    match unit {
        'w' => Some(7 * DAY),
        'd' => Some(DAY),
        'h' | 'H' => Some(3_600_000),
        'm' => Some(60_000),
        's' => Some(1000),
        _ => None,
    }
}

/// Local civil (year, month, day) and millis within the day.
fn local(millis: i64, offset: i64) -> (i64, u32, u32, i64) {
    let local = millis + offset;
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    (y, m, d, local.rem_euclid(DAY))
}

fn from_local(y: i64, m: u32, d: u32, ms: i64, offset: i64) -> i64 {
    days_from_civil(y, m, d) * DAY + ms - offset
}

fn add(millis: i64, offset: i64, amount: i64, unit: char) -> Result<i64, String> {
    if let Some(size) = fixed_unit(unit) {
        return Ok(millis + amount * size);
    }
    let months = match unit {
        'M' => amount,
        'y' => amount * 12,
        other => return Err(format!("unit [{other}] not supported for date math")),
    };
    let (y, m, d, ms) = local(millis, offset);
    let total = y * 12 + i64::from(m - 1) + months;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last = (1..=31).rev().find(|&day| civil_ok(y, m, day)).unwrap_or(28);
    Ok(from_local(y, m, d.min(last), ms, offset))
}

fn civil_ok(y: i64, m: u32, d: u32) -> bool {
    let days = days_from_civil(y, m, d);
    civil_from_days(days) == (y, m, d)
}

fn round_down(millis: i64, offset: i64, unit: char) -> Result<i64, String> {
    let (y, m, d, ms) = local(millis, offset);
    Ok(match unit {
        'y' => from_local(y, 1, 1, 0, offset),
        'M' => from_local(y, m, 1, 0, offset),
        'w' => {
            // Weeks start on Monday; 1970-01-01 was a Thursday.
            let day = (millis + offset).div_euclid(DAY);
            let monday = day - (day + 3).rem_euclid(7);
            monday * DAY - offset
        }
        'd' => from_local(y, m, d, 0, offset),
        unit => {
            let size = fixed_unit(unit).ok_or_else(|| format!("unit [{unit}] not supported for date math"))?;
            from_local(y, m, d, ms - ms.rem_euclid(size), offset)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-03-15T10:30:00Z
    const NOW: i64 = 1_710_498_600_000;

    fn r(expression: &str) -> String {
        resolve(expression, NOW).unwrap()
    }

    #[test]
    fn names_without_brackets_are_kept() {
        assert_eq!(r("logs"), "logs");
        assert_eq!(r("<logs>"), "logs");
    }

    #[test]
    fn anchors_rounding_formats_and_zones() {
        assert_eq!(r("<logs-{now/d}>"), "logs-2024.03.15");
        assert_eq!(r("<logs-{now/M}>"), "logs-2024.03.01");
        assert_eq!(r("<logs-{now/M{yyyy.MM}}>"), "logs-2024.03");
        assert_eq!(r("<logs-{now-1d/d}>"), "logs-2024.03.14");
        assert_eq!(r("<logs-{now+1M/y{yyyy}}>"), "logs-2024");
        assert_eq!(r("<logs-{now/w}>"), "logs-2024.03.11");
        assert_eq!(r("<logs_{2022-12-31||/d{yyyy-MM-dd}}>"), "logs_2022-12-31");
        assert_eq!(r("<name-{2022-12-31||/d{yyyy.MM.dd|+01:00}}>"), "name-2022.12.31");
        assert_eq!(r("<logs-{now/h{yyyy.MM.dd.HH|-08:00}}>"), "logs-2024.03.15.02");
        assert_eq!(r("<logs-{now/d{yyyy.MM.dd|+12:00}}>"), "logs-2024.03.15");
        assert_eq!(r("<logs-{now/d{yyyy.MM.dd|+14:00}}>"), "logs-2024.03.16");
        assert_eq!(r("<a-{2024-01-31||+1M{yyyy-MM-dd}}>"), "a-2024-02-29");
        assert_eq!(r("<\\{x\\}-{now/d}>"), "{x}-2024.03.15");
    }

    #[test]
    fn malformed_expressions_are_parse_errors() {
        for bad in [
            "<logs-{now/d>",
            "<logs-{}>",
            "<logs-{now/d{}}>",
            "<logs-}>",
            "<logs-{now/q}>",
            "<l-{now/d{yyyy|Mars/Base}}>",
        ] {
            assert!(matches!(resolve(bad, NOW), Err(EngineError::Parse(_))), "{bad}");
        }
    }
}
