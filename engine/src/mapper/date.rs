//! Date formats as `date` and `date_nanos` fields name them: the built-in
//! ones (`strict_date_optional_time`, `epoch_millis`, ...) and custom Java
//! patterns (`yyyy/MM/dd HH:mm:ss`), joined with `||`.

use std::fmt;

/// An instant: seconds since the epoch and nanoseconds within the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    pub seconds: i64,
    pub nanos: u32,
}

impl Instant {
    pub fn millis(self) -> i64 {
        self.seconds.saturating_mul(1000).saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// Nanoseconds since the epoch; `None` outside what `date_nanos` holds.
    pub fn epoch_nanos(self) -> Option<i64> {
        if self.seconds < 0 {
            return None;
        }
        self.seconds.checked_mul(1_000_000_000)?.checked_add(i64::from(self.nanos))
    }
}

/// One format of a `||` list.
#[derive(Debug, Clone, PartialEq)]
enum Format {
    /// ISO 8601 with optional parts, as `strict_date_optional_time`.
    IsoOptional,
    EpochMillis,
    EpochSecond,
    Pattern(Vec<Piece>),
}

/// A piece of a Java date pattern.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Year(usize),
    Month(usize),
    Day(usize),
    Hour24(usize),
    Hour12(usize),
    Minute(usize),
    Second(usize),
    Fraction(usize),
    AmPm,
    /// `Z`, `X`, `x`: an offset (`Z`, `+01:00`, `+0100`).
    Zone,
    Literal(String),
    Optional(Vec<Piece>),
}

/// A date format list, such as `strict_date_optional_time||epoch_millis`.
#[derive(Debug, Clone, PartialEq)]
pub struct DateFormat {
    text: String,
    formats: Vec<Format>,
}

/// Elasticsearch's default format of `date` fields.
pub const DEFAULT_FORMAT: &str = "strict_date_optional_time||epoch_millis";
/// A `date_nanos` field's format when its mapping names none.
pub const DEFAULT_NANOS_FORMAT: &str = "strict_date_optional_time_nanos||epoch_millis";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl DateFormat {
    pub fn parse(text: &str) -> Result<DateFormat, FormatError> {
        let formats = text.split("||").map(|f| named(f.trim())).collect::<Result<_, _>>()?;
        Ok(DateFormat { text: text.to_owned(), formats })
    }

    pub fn default_format() -> DateFormat {
        DateFormat::parse(DEFAULT_FORMAT).expect("the default format parses")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether a JSON number is read as epoch millis or seconds.
    pub fn epoch_number(&self, n: f64) -> Option<Instant> {
        self.formats.iter().find_map(|f| match f {
            Format::EpochMillis => from_millis(n),
            Format::EpochSecond => from_fraction(n),
            _ => None,
        })
    }

    /// The instant a string stands for under the first format that reads it.
    pub fn parse_str(&self, s: &str) -> Option<Instant> {
        self.parse_with(s, Reading::default())
    }

    /// [`DateFormat::parse_str`], reading a text without a zone in
    /// `reading`'s, its missing parts rounded up if it says so.
    pub fn parse_with(&self, s: &str, reading: Reading) -> Option<Instant> {
        self.formats.iter().find_map(|f| match f {
            Format::IsoOptional => iso(s, reading),
            Format::EpochMillis => match s.parse::<i64>() {
                Ok(ms) => {
                    Some(Instant { seconds: ms.div_euclid(1000), nanos: (ms.rem_euclid(1000) * 1_000_000) as u32 })
                }
                Err(_) => s.parse::<f64>().ok().filter(|_| is_number(s)).and_then(from_millis),
            },
            Format::EpochSecond => s.parse::<f64>().ok().filter(|_| is_number(s)).and_then(from_fraction),
            Format::Pattern(pieces) => pattern(pieces, s, reading),
        })
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn from_millis(ms: f64) -> Option<Instant> {
    if ms.fract() == 0.0 && ms.abs() < 9.2e18 {
        let ms = ms as i64;
        return Some(Instant { seconds: ms.div_euclid(1000), nanos: (ms.rem_euclid(1000) * 1_000_000) as u32 });
    }
    from_fraction(ms / 1000.0)
}

fn from_fraction(seconds: f64) -> Option<Instant> {
    if !seconds.is_finite() || seconds.abs() > 9.2e15 {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round() as u32;
    Some(Instant { seconds: whole as i64, nanos: nanos.min(999_999_999) })
}

fn named(name: &str) -> Result<Format, FormatError> {
    let pattern = match name.trim_start_matches("strict_") {
        "date_optional_time" | "date_time" | "date_optional_time_nanos" | "date_time_no_millis" | "iso8601" => {
            return Ok(Format::IsoOptional)
        }
        "epoch_millis" => return Ok(Format::EpochMillis),
        "epoch_second" => return Ok(Format::EpochSecond),
        "date" | "year_month_day" => "yyyy-MM-dd",
        "year_month" => "yyyy-MM",
        "year" | "weekyear" => "yyyy",
        "basic_date" => "yyyyMMdd",
        "basic_date_time" => "yyyyMMdd'T'HHmmss.SSSZ",
        "basic_date_time_no_millis" => "yyyyMMdd'T'HHmmssZ",
        "date_hour" => "yyyy-MM-dd'T'HH",
        "date_hour_minute" => "yyyy-MM-dd'T'HH:mm",
        "date_hour_minute_second" => "yyyy-MM-dd'T'HH:mm:ss",
        "date_hour_minute_second_fraction" | "date_hour_minute_second_millis" => "yyyy-MM-dd'T'HH:mm:ss.SSS",
        "hour_minute" => "HH:mm",
        "hour_minute_second" => "HH:mm:ss",
        "hour" => "HH",
        _ => name,
    };
    compile(pattern).map(Format::Pattern)
}

/// Compiles a Java `DateTimeFormatter` pattern.
fn compile(pattern: &str) -> Result<Vec<Piece>, FormatError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut stack: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&d| d == c).count();
        let piece = match c {
            'y' | 'u' | 'Y' => Piece::Year(run),
            'M' | 'L' => Piece::Month(run),
            'd' => Piece::Day(run),
            'H' | 'k' => Piece::Hour24(run),
            'h' | 'K' => Piece::Hour12(run),
            'm' => Piece::Minute(run),
            's' => Piece::Second(run),
            'S' | 'n' => Piece::Fraction(run),
            'a' => Piece::AmPm,
            'Z' | 'X' | 'x' | 'z' | 'O' | 'V' => Piece::Zone,
            '\'' => {
                let end = chars[i + 1..].iter().position(|&d| d == '\'').map(|p| i + 1 + p);
                let Some(end) = end else {
                    return Err(FormatError(format!("Invalid format: [{pattern}]: unterminated quote")));
                };
                let literal: String = if end == i + 1 { "'".into() } else { chars[i + 1..end].iter().collect() };
                stack.last_mut().expect("a level").push(Piece::Literal(literal));
                i = end + 1;
                continue;
            }
            '[' => {
                stack.push(Vec::new());
                i += 1;
                continue;
            }
            ']' => {
                let inner = stack.pop().filter(|_| !stack.is_empty());
                let Some(inner) = inner else {
                    return Err(FormatError(format!("Invalid format: [{pattern}]: unbalanced ]")));
                };
                stack.last_mut().expect("a level").push(Piece::Optional(inner));
                i += 1;
                continue;
            }
            c if c.is_ascii_alphabetic() => {
                return Err(FormatError(format!("Invalid format: [{pattern}]: Unknown pattern letter: {c}")))
            }
            other => Piece::Literal(other.to_string()),
        };
        let advance = if matches!(piece, Piece::Literal(_)) { 1 } else { run };
        stack.last_mut().expect("a level").push(piece);
        i += advance;
    }
    if stack.len() != 1 {
        return Err(FormatError(format!("Invalid format: [{pattern}]: unbalanced [")));
    }
    Ok(stack.pop().expect("one level"))
}

#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: u32,
    /// Whether the text had a fraction of a second, and a zone.
    fraction: bool,
    zoned: bool,
    pm: Option<bool>,
    offset: i64,
}

/// How a date text is read beyond its format: the zone of a text without
/// one, and whether missing parts round up (the upper bound of a range:
/// hour 23, minute 59, second 59, nanosecond 999999999).
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    pub round_up: bool,
    /// Seconds east of UTC.
    pub offset: i64,
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const FULL_MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn digits(s: &str, min: usize, max: usize) -> Option<(u64, usize)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    s[..n].parse().ok().map(|v| (v, n))
}

/// Reads pieces from the start of `s`; returns the bytes read.
fn read(pieces: &[Piece], s: &str, f: &mut Fields) -> Option<usize> {
    let mut at = 0;
    for piece in pieces {
        let rest = &s[at..];
        let n = match piece {
            Piece::Year(w) => {
                let (neg, body) = match rest.strip_prefix('-') {
                    Some(b) => (true, b),
                    None => (false, rest.strip_prefix('+').unwrap_or(rest)),
                };
                let sign = rest.len() - body.len();
                let max = if sign > 0 { 9 } else { (*w).max(4) };
                let (v, n) = if *w == 2 { digits(body, 2, 2)? } else { digits(body, (*w).min(4), max)? };
                let v = if *w == 2 { 2000 + v as i64 } else { v as i64 };
                f.year = Some(if neg { -v } else { v });
                n + sign
            }
            Piece::Month(w) if *w >= 3 => {
                let lower = rest.to_ascii_lowercase();
                let i = MONTHS.iter().position(|m| lower.starts_with(m))?;
                f.month = Some(i as u32 + 1);
                let full = FULL_MONTHS[i];
                if *w >= 4 && lower.starts_with(full) {
                    full.len()
                } else {
                    3
                }
            }
            Piece::Month(w) => read_number(rest, *w, 2, &mut f.month)?,
            Piece::Day(w) => read_number(rest, *w, 2, &mut f.day)?,
            Piece::Hour24(w) | Piece::Hour12(w) => read_number(rest, *w, 2, &mut f.hour)?,
            Piece::Minute(w) => read_number(rest, *w, 2, &mut f.minute)?,
            Piece::Second(w) => read_number(rest, *w, 2, &mut f.second)?,
            Piece::Fraction(w) => {
                let (v, n) = digits(rest, 1, (*w).max(9))?;
                f.nanos = (v * 10u64.pow(9u32.saturating_sub(n as u32))) as u32;
                f.fraction = true;
                n
            }
            Piece::AmPm => {
                let lower = rest.get(..2)?.to_ascii_lowercase();
                f.pm = Some(match lower.as_str() {
                    "am" => false,
                    "pm" => true,
                    _ => return None,
                });
                2
            }
            Piece::Zone => {
                let (offset, n) = zone(rest)?;
                f.offset = offset;
                f.zoned = true;
                n
            }
            Piece::Literal(l) => {
                if rest.starts_with(l.as_str()) {
                    l.len()
                } else if l == "T" && rest.starts_with('t') {
                    1
                } else {
                    return None;
                }
            }
            Piece::Optional(inner) => read(inner, rest, f).unwrap_or(0),
        };
        at += n;
    }
    Some(at)
}

fn read_number(s: &str, width: usize, max: usize, into: &mut Option<u32>) -> Option<usize> {
    let (v, n) = digits(s, width.min(max), max.max(width))?;
    *into = Some(v as u32);
    Some(n)
}

/// An offset: `Z`, `+01`, `+01:00`, `+0100`; in seconds east of UTC.
fn zone(s: &str) -> Option<(i64, usize)> {
    if s.starts_with('Z') || s.starts_with('z') {
        return Some((0, 1));
    }
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (h, n1) = digits(&s[1..], 2, 2)?;
    let mut n = 1 + n1;
    let mut m = 0;
    let rest = &s[n..];
    let colon = usize::from(rest.starts_with(':'));
    if let Some((mm, n2)) = digits(&rest[colon..], 2, 2) {
        m = mm;
        n += colon + n2;
    }
    Some((sign * (h as i64 * 3600 + m as i64 * 60), n))
}

fn pattern(pieces: &[Piece], s: &str, reading: Reading) -> Option<Instant> {
    let mut f = Fields::default();
    if read(pieces, s, &mut f)? != s.len() {
        return None;
    }
    instant(&f, reading)
}

/// ISO 8601, each part after the year optional: `2024`, `2024-05`,
/// `2024-05-01T10:00`, `2024-05-01T10:00:00.123456789+02:00`.
fn iso(s: &str, reading: Reading) -> Option<Instant> {
    static ISO: std::sync::LazyLock<Vec<Piece>> = std::sync::LazyLock::new(|| {
        compile("yyyy[-MM[-dd['T'HH[:mm[:ss[.SSSSSSSSS]]]][Z]]]").expect("the ISO pattern compiles")
    });
    let mut f = Fields::default();
    if read(&ISO, s, &mut f)? != s.len() {
        return None;
    }
    // A year alone must have four digits, as in Elasticsearch's strict parser.
    if f.month.is_none() && s.trim_start_matches(['-', '+']).len() < 4 {
        return None;
    }
    instant(&f, reading)
}

fn instant(f: &Fields, reading: Reading) -> Option<Instant> {
    let up = reading.round_up;
    let year = f.year.unwrap_or(1970);
    let month = f.month.unwrap_or(1);
    let day = f.day.unwrap_or(1);
    let mut hour = f.hour.unwrap_or(if up { 23 } else { 0 });
    if let Some(pm) = f.pm {
        if hour == 0 || hour > 12 {
            return None;
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    let last = |up_value| if up { up_value } else { 0 };
    let (minute, second) = (f.minute.unwrap_or(last(59)), f.second.unwrap_or(last(59)));
    let nanos = if f.fraction { f.nanos } else { last(999_999_999) };
    let offset = if f.zoned { f.offset } else { reading.offset };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days.checked_mul(86_400)? + i64::from(hour * 3600 + minute * 60 + second) - offset;
    Some(Instant { seconds, nanos })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since the epoch.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl DateFormat {
    /// An instant (epoch millis, UTC) as the list's first format prints it.
    pub fn format_millis(&self, millis: i64) -> String {
        match self.formats.first() {
            None | Some(Format::IsoOptional) => format_iso_millis(millis),
            Some(Format::EpochMillis) => millis.to_string(),
            Some(Format::EpochSecond) => millis.div_euclid(1000).to_string(),
            Some(Format::Pattern(pieces)) => {
                let mut out = String::new();
                write_pieces(pieces, millis, 0, &mut out);
                out
            }
        }
    }

    /// An instant in epoch nanos (a `date_nanos` value) as the list's first
    /// format prints it: the digits below the millisecond only where the
    /// format has room for them (`_nanos` formats, epoch millis, patterns).
    pub fn format_nanos_value(&self, nanos: i64) -> String {
        let millis = nanos.div_euclid(1_000_000);
        let below = nanos.rem_euclid(1_000_000) as u32;
        match self.formats.first() {
            Some(Format::IsoOptional) if self.text.contains("nanos") => format_iso(millis, below, true),
            Some(Format::EpochMillis) if below > 0 => {
                format!("{millis}.{}", format!("{below:06}").trim_end_matches('0'))
            }
            Some(Format::Pattern(pieces)) => {
                let mut out = String::new();
                write_pieces(pieces, millis, below, &mut out);
                out
            }
            _ => self.format_millis(millis),
        }
    }
}

/// Prints a pattern's pieces (optional sections in full, offsets as `Z`);
/// `below` is the nanoseconds beneath the millisecond.
fn write_pieces(pieces: &[Piece], millis: i64, below: u32, out: &mut String) {
    use std::fmt::Write;
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    for piece in pieces {
        let _ = match piece {
            Piece::Year(2) => write!(out, "{:02}", y.rem_euclid(100)),
            Piece::Year(w) => write!(out, "{y:0w$}"),
            Piece::Month(w) if *w >= 4 => {
                let name = MONTHS[m as usize - 1];
                write!(out, "{}{}", name[..1].to_ascii_uppercase(), &FULL_MONTHS[m as usize - 1][1..])
            }
            Piece::Month(3) => {
                let name = MONTHS[m as usize - 1];
                write!(out, "{}{}", name[..1].to_ascii_uppercase(), &name[1..])
            }
            Piece::Month(w) => write!(out, "{m:0w$}"),
            Piece::Day(w) => write!(out, "{d:0w$}"),
            Piece::Hour24(w) => write!(out, "{h:0w$}"),
            Piece::Hour12(w) => write!(out, "{:0w$}", if h % 12 == 0 { 12 } else { h % 12 }),
            Piece::Minute(w) => write!(out, "{min:0w$}"),
            Piece::Second(w) => write!(out, "{s:0w$}"),
            Piece::Fraction(w) => {
                let nanos = format!("{:09}", frac as u32 * 1_000_000 + below);
                out.push_str(&nanos[..(*w).min(9)]);
                Ok(())
            }
            Piece::AmPm => write!(out, "{}", if h < 12 { "AM" } else { "PM" }),
            Piece::Zone => write!(out, "Z"),
            Piece::Literal(l) => write!(out, "{l}"),
            Piece::Optional(inner) => {
                write_pieces(inner, millis, below, out);
                Ok(())
            }
        };
    }
}

/// An instant as `strict_date_optional_time` prints it (UTC, millis).
pub fn format_iso_millis(millis: i64) -> String {
    format_iso(millis, 0, false)
}

/// An instant in ISO 8601, UTC: three fraction digits, or with `nanos`
/// (`strict_date_optional_time_nanos`) three to nine, as many as it needs.
fn format_iso(millis: i64, below: u32, nanos: bool) -> String {
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut fraction = format!("{:09}", frac as u32 * 1_000_000 + below);
    let keep = if nanos { fraction.trim_end_matches('0').len().max(3) } else { 3 };
    fraction.truncate(keep);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{fraction}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn millis(format: &str, s: &str) -> Option<i64> {
        DateFormat::parse(format).unwrap().parse_str(s).map(Instant::millis)
    }

    #[test]
    fn default_format() {
        let d = DEFAULT_FORMAT;
        assert_eq!(millis(d, "1970-01-01"), Some(0));
        assert_eq!(millis(d, "2015-01-01T12:10:30Z"), Some(1_420_114_230_000));
        assert_eq!(millis(d, "2015-01-01T12:10:30.123+01:00"), Some(1_420_110_630_123));
        assert_eq!(millis(d, "2015-01"), Some(1_420_070_400_000));
        assert_eq!(millis(d, "1420070400001"), Some(1_420_070_400_001));
        assert_eq!(millis(d, "2015-13-01"), None);
        assert_eq!(millis(d, "2015-02-29"), None);
        assert_eq!(millis(d, "foo"), None);
        assert_eq!(DateFormat::default_format().epoch_number(-1000.0).map(Instant::millis), Some(-1000));
    }

    #[test]
    fn nanos_print_as_far_as_the_format_goes() {
        let nanos = 1_540_815_132_123_456_789;
        let f = |format: &str| DateFormat::parse(format).unwrap().format_nanos_value(nanos);
        assert_eq!(f("strict_date_optional_time_nanos"), "2018-10-29T12:12:12.123456789Z");
        assert_eq!(f("strict_date_optional_time"), "2018-10-29T12:12:12.123Z");
        assert_eq!(f("epoch_millis"), "1540815132123.456789");
        assert_eq!(f("yyyy-MM-dd HH:mm:ss.SSSSSS"), "2018-10-29 12:12:12.123456");
        let whole = DateFormat::parse("strict_date_optional_time_nanos").unwrap();
        assert_eq!(whole.format_nanos_value(1_540_815_132_120_000_000), "2018-10-29T12:12:12.120Z");
    }

    #[test]
    fn custom_patterns() {
        assert_eq!(millis("yyyy/MM/dd HH:mm:ss", "2015/01/01 12:10:30"), Some(1_420_114_230_000));
        assert_eq!(millis("dd-MM-yyyy", "01-01-2015"), Some(1_420_070_400_000));
        assert_eq!(millis("yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z", "2015/01/01 +0000"), Some(1_420_070_400_000));
        assert_eq!(millis("MMM dd, yyyy", "Jan 01, 2015"), Some(1_420_070_400_000));
        assert_eq!(millis("epoch_second", "1420070400"), Some(1_420_070_400_000));
        assert!(DateFormat::parse("yyyy-MM-dd qqq").is_err() || millis("yyyy-MM-dd qqq", "x").is_none());
    }

    proptest! {
        #[test]
        fn iso_round_trips(ms in -62_000_000_000_000i64..250_000_000_000_000) {
            prop_assert_eq!(millis(DEFAULT_FORMAT, &format_iso_millis(ms)), Some(ms));
        }

        #[test]
        fn patterns_round_trip(ms in 0i64..250_000_000_000_000, which in 0usize..4) {
            let pattern = ["yyyy/MM/dd HH:mm:ss.SSS", "dd MMM yyyy hh:mm:ss.SSS a", "yyyyMMdd'T'HHmmss.SSSZ", "epoch_millis"][which];
            let format = DateFormat::parse(pattern).unwrap();
            prop_assert_eq!(format.parse_str(&format.format_millis(ms)).map(Instant::millis), Some(ms));
        }
    }
}
