//! Number formats of `docvalue_fields` and `fields`: the part of Java's
//! `DecimalFormat` patterns Elasticsearch users write (`#.0`, `0.00`,
//! `#,##0.###`): minimum integer digits, grouping, and the minimum and
//! maximum digits after the point, rounding half to even.

use crate::error::EngineError;

#[derive(Debug, Clone, PartialEq)]
pub struct DecimalFormat {
    min_integer: usize,
    min_fraction: usize,
    max_fraction: usize,
    /// Digits per group (`#,##0`: 3), when grouped.
    grouping: Option<usize>,
}

impl DecimalFormat {
    pub fn parse(pattern: &str) -> Result<DecimalFormat, EngineError> {
        let invalid = || EngineError::IllegalArgument(format!("Malformed pattern \"{pattern}\""));
        if pattern.is_empty() || !pattern.chars().all(|c| matches!(c, '#' | '0' | ',' | '.')) {
            return Err(invalid());
        }
        let (integer, fraction) = pattern.split_once('.').unwrap_or((pattern, ""));
        if fraction.contains(['.', ',']) {
            return Err(invalid());
        }
        let min_fraction = fraction.chars().take_while(|c| *c == '0').count();
        if fraction[min_fraction..].contains('0') {
            return Err(invalid());
        }
        let grouping = integer.rfind(',').map(|at| integer.len() - at - 1).filter(|n| *n > 0);
        Ok(DecimalFormat {
            min_integer: integer.chars().filter(|c| *c == '0').count(),
            min_fraction,
            max_fraction: fraction.len(),
            grouping,
        })
    }

    pub fn format(&self, value: f64) -> String {
        if !value.is_finite() {
            return if value.is_nan() {
                "NaN".into()
            } else if value > 0.0 {
                "∞".into()
            } else {
                "-∞".into()
            };
        }
        let scale = 10f64.powi(self.max_fraction as i32);
        let scaled = value.abs() * scale;
        // Half to even, as DecimalFormat rounds.
        let mut rounded = scaled.round();
        if (scaled - scaled.trunc() - 0.5).abs() < f64::EPSILON && rounded % 2.0 != 0.0 {
            rounded -= 1.0;
        }
        let digits = format!("{:.0}", rounded);
        let digits = format!("{digits:0>width$}", width = self.max_fraction + 1);
        let (int_part, frac_part) = digits.split_at(digits.len() - self.max_fraction);
        let mut fraction = frac_part.trim_end_matches('0').to_owned();
        while fraction.len() < self.min_fraction {
            fraction.push('0');
        }
        let mut integer = int_part.trim_start_matches('0').to_owned();
        while integer.len() < self.min_integer {
            integer.insert(0, '0');
        }
        if let Some(size) = self.grouping {
            let chars: Vec<char> = integer.chars().collect();
            let mut grouped = String::new();
            for (i, c) in chars.iter().enumerate() {
                if i > 0 && (chars.len() - i) % size == 0 {
                    grouped.push(',');
                }
                grouped.push(*c);
            }
            integer = grouped;
        }
        let negative =
            value < 0.0 && (integer.chars().any(|c| c != '0' && c != ',') || fraction.chars().any(|c| c != '0'));
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&integer);
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(&fraction);
        }
        if out.is_empty() || out == "-" {
            out.push('0');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pattern: &str, value: f64) -> String {
        DecimalFormat::parse(pattern).unwrap().format(value)
    }

    #[test]
    fn patterns_format_as_java_does() {
        assert_eq!(f("#.0", 1.0), "1.0");
        assert_eq!(f("#.0", 0.5), ".5");
        assert_eq!(f("0.00", 1.23456), "1.23");
        assert_eq!(f("#,##0.###", 1234567.891), "1,234,567.891");
        assert_eq!(f("#", 2.5), "2");
        assert_eq!(f("#", 3.5), "4");
        assert!(DecimalFormat::parse("yyyy").is_err());
    }
}
