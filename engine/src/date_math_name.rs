//! Date math in index and alias names, as Elasticsearch's
//! `DateMathExpressionResolver` reads it: `<static{math{format|zone}}static>`,
//! such as `<logs-{now/d}>` or `<logs-{2022-12-31||/d{yyyy.MM.dd|+01:00}}>`.
//! The math is an anchor (`now`, or a date then `||`) followed by
//! additions (`+1d`), subtractions (`-1M`) and roundings (`/d`), in the
//! units `y M w d h H m s`; the format defaults to `uuuu.MM.dd` and the
//! zone to UTC (fixed offsets only). `\` escapes a brace. A name not
//! wrapped in `<` and `>` is returned as it is.

use crate::error::EngineError;
use crate::mapper::date::DateFormat;
use crate::mapper::date_math::{evaluate, Zone};

const DEFAULT_FORMAT: &str = "uuuu.MM.dd";

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
    resolve(expression, crate::clock::now_millis() as i64)
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
    let zone = match zone {
        None => Zone::UTC,
        Some(z) => Zone::parse(z).ok_or_else(|| invalid(expression, format!("unsupported time zone [{z}]")))?,
    };
    let formatter = DateFormat::parse(format).map_err(|e| invalid(expression, e))?;
    let millis = zone
        .resolve(now, |offset| evaluate(math, now, offset, &formatter, false))
        .map_err(|why| invalid(expression, why))?;
    Ok(formatter.format_millis(millis + zone.offset_at(millis)))
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
        // A region of the tz database: already the next day at +14:00, and
        // New York on daylight saving time since March 10th (-04:00).
        assert_eq!(r("<logs-{now/d{yyyy.MM.dd|Pacific/Kiritimati}}>"), "logs-2024.03.16");
        assert_eq!(r("<logs-{now/h{yyyy.MM.dd.HH|America/New_York}}>"), "logs-2024.03.15.06");
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
