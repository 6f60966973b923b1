//! Date math, as Elasticsearch's `DateMathParser` reads it: an anchor
//! (`now`, or a date then `||`) followed by additions (`+1d`),
//! subtractions (`-1M`) and roundings (`/d`), in the units `y M w d h H m
//! s`, in a zone of fixed offset. Range queries and date-math index names
//! use it.

use super::date::{civil_from_days, days_from_civil, DateFormat};

const DAY: i64 = 86_400_000;

/// Whether a date text is date math rather than a date.
pub fn is_math(text: &str) -> bool {
    text.starts_with("now") || text.contains("||")
}

/// A fixed offset in millis: `Z`, `UTC`, `+01:00`, `-0800`, `+5`.
pub fn zone_offset(zone: &str) -> Option<i64> {
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

/// A time zone dates are read and rounded in: a fixed offset (`+01:00`,
/// `UTC`), or a region of the tz database (`Europe/Paris`), whose offset
/// depends on the instant (daylight saving time).
#[derive(Debug, Clone)]
pub enum Zone {
    /// Millis from UTC.
    Fixed(i64),
    Region(jiff::tz::TimeZone),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(0);

    /// A zone by its name or offset, as `time_zone` takes it.
    pub fn parse(text: &str) -> Option<Zone> {
        zone_offset(text).map(Zone::Fixed).or_else(|| jiff::tz::TimeZone::get(text.trim()).ok().map(Zone::Region))
    }

    /// The zone's offset from UTC at an instant, in millis.
    pub fn offset_at(&self, millis: i64) -> i64 {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Region(tz) => {
                jiff::Timestamp::from_millisecond(millis).map_or(0, |t| i64::from(tz.to_offset(t).seconds()) * 1000)
            }
        }
    }

    /// The instant `at` computes from the zone's offset: a fixed zone's, or
    /// a region's at `near` first and, when the instant found has another
    /// offset (a change of offset between them), the one in force there.
    pub fn resolve<E>(&self, near: i64, at: impl Fn(i64) -> Result<i64, E>) -> Result<i64, E> {
        let first = self.offset_at(near);
        let instant = at(first)?;
        match self.offset_at(instant) {
            second if second != first => at(second),
            _ => Ok(instant),
        }
    }
}

/// Evaluates `now-1d/d` or `2022-12-31||+1M/M` to epoch millis, rounding
/// in the zone `offset` millis from UTC; with `round_up` (the upper bound
/// of a range), a rounding goes to the last millisecond of its unit.
pub fn evaluate(math: &str, now: i64, offset: i64, format: &DateFormat, round_up: bool) -> Result<i64, String> {
    let (mut millis, ops) = if let Some(rest) = math.strip_prefix("now") {
        (now, rest)
    } else if let Some((anchor, rest)) = math.split_once("||") {
        // An anchor without a zone of its own is read in the expression's zone.
        let reading = super::date::Reading { round_up: false, offset: offset / 1000 };
        let parsed = format
            .parse_with(anchor, reading)
            .or_else(|| DateFormat::default_format().parse_with(anchor, reading))
            .ok_or_else(|| format!("failed to parse date field [{anchor}]"))?;
        (parsed.millis(), rest)
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
            '/' if round_up => add(round_down(millis, offset, unit)?, offset, 1, unit)? - 1,
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
    let too_far = || format!("date math of [{amount}{unit}] goes beyond the dates this can hold");
    if let Some(size) = fixed_unit(unit) {
        return amount.checked_mul(size).and_then(|d| millis.checked_add(d)).ok_or_else(too_far);
    }
    let months = match unit {
        'M' => amount,
        'y' => amount.checked_mul(12).ok_or_else(too_far)?,
        other => return Err(format!("unit [{other}] not supported for date math")),
    };
    if months.abs() > 12 * 300_000 {
        return Err(too_far());
    }
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

    fn at(math: &str, round_up: bool) -> i64 {
        evaluate(math, NOW, 0, &DateFormat::default_format(), round_up).unwrap()
    }

    #[test]
    fn roundings_go_down_or_to_the_units_last_millisecond() {
        assert_eq!(at("now/d", false), 1_710_460_800_000);
        assert_eq!(at("now/d", true), 1_710_460_800_000 + DAY - 1);
        assert_eq!(at("now-1d/d", false), 1_710_460_800_000 - DAY);
        assert_eq!(at("2024-02-10||+1M/M", true), 1_711_929_600_000 - 1);
        assert_eq!(at("now+1h", false), NOW + 3_600_000);
        assert!(evaluate("now+1x", NOW, 0, &DateFormat::default_format(), false).is_err());
        assert!(evaluate("now+99999999999999999d", NOW, 0, &DateFormat::default_format(), false).is_err());
        // An anchor's own zone wins over the expression's.
        let zoned = evaluate("2024-03-15T00:00:00+05:00||", NOW, 3_600_000, &DateFormat::default_format(), false);
        assert_eq!(zoned, Ok(1_710_442_800_000));
        assert_eq!(zone_offset("+01:00"), Some(3_600_000));
        assert_eq!(zone_offset("Europe/Paris"), None);
        assert!(matches!(Zone::parse("+01:00"), Some(Zone::Fixed(3_600_000))));
        assert!(Zone::parse("Nowhere/Special").is_none());
        // Paris: +01:00 in winter, +02:00 in summer.
        let paris = Zone::parse("Europe/Paris").unwrap();
        assert_eq!((paris.offset_at(1_704_067_200_000), paris.offset_at(1_719_792_000_000)), (3_600_000, 7_200_000));
        // Midnight of 2024-07-01 in Paris, found from a guess in winter.
        let local_midnight = 1_719_792_000_000;
        let instant = paris.resolve(1_704_067_200_000, |offset| Ok::<i64, ()>(local_midnight - offset)).unwrap();
        assert_eq!(instant, local_midnight - 7_200_000);
    }
}
