//! The units the playground's commands read and print: durations as Go writes them
//! (`time.ParseDuration` / `Duration.String()`, the format of kubectl's `--timeout`) and
//! bandwidths (`10MB/s`, `512KiB/s`).
//!
//! Pure functions from text to a value and back; the commands in [`super::commands`] turn
//! their errors into usage errors.

use std::time::Duration;

/// Why a duration or a bandwidth could not be read. Duration messages are Go's
/// `time.ParseDuration` texts, as kubectl prints them for a bad `--timeout`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Not a number followed by a unit.
    #[error("time: invalid duration \"{0}\"")]
    InvalidDuration(String),
    /// A number without a unit (`5`).
    #[error("time: missing unit in duration \"{0}\"")]
    MissingUnit(String),
    /// A unit Go does not know (`5d`).
    #[error("time: unknown unit \"{unit}\" in duration \"{text}\"")]
    UnknownUnit {
        /// The unit given.
        unit: String,
        /// The whole text.
        text: String,
    },
    /// A negative duration: virtual time only moves forward.
    #[error("invalid duration \"{0}\": virtual time only moves forward")]
    Negative(String),
    /// Not a bandwidth.
    #[error("invalid bandwidth \"{0}\": give a number and a unit per second, like 10MB/s, 500KB/s or 2MiB/s")]
    InvalidBandwidth(String),
}

/// Reads a duration as Go's `time.ParseDuration` does (`30s`, `5m`, `1h30m`, `1.5s`,
/// `250ms`; a bare `0` is zero), with millisecond resolution (the virtual clock's).
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let invalid = || UnitError::InvalidDuration(text.to_string());
    let mut rest = text;
    if let Some(stripped) = rest.strip_prefix('+') {
        rest = stripped;
    } else if let Some(stripped) = rest.strip_prefix('-') {
        if stripped == "0" {
            return Ok(Duration::ZERO);
        }
        return Err(UnitError::Negative(text.to_string()));
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total_nanos: u128 = 0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        if unit.is_empty() {
            return Err(UnitError::MissingUnit(text.to_string()));
        }
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(UnitError::UnknownUnit {
                    unit: unit.to_string(),
                    text: text.to_string(),
                })
            }
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let mut part = whole.checked_mul(unit_nanos).ok_or_else(invalid)?;
        let mut scale = unit_nanos;
        for digit in fraction.chars() {
            scale /= 10;
            let value = u128::from(digit.to_digit(10).ok_or_else(invalid)?);
            part += value * scale;
        }
        total_nanos = total_nanos.checked_add(part).ok_or_else(invalid)?;
        rest = next;
    }
    let millis = u64::try_from(total_nanos / 1_000_000).map_err(|_| invalid())?;
    Ok(Duration::from_millis(millis))
}

/// A duration as Go's `Duration.String()` writes it, to the millisecond: `0s`, `250ms`,
/// `1.5s`, `5m0s`, `1h2m3s`.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_string();
    }
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let hours = millis / 3_600_000;
    let minutes = (millis / 60_000) % 60;
    let seconds = (millis / 1000) % 60;
    let fraction = millis % 1000;
    let mut text = String::new();
    if hours > 0 {
        text.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        text.push_str(&format!("{minutes}m"));
    }
    text.push_str(&seconds.to_string());
    if fraction > 0 {
        let digits = format!("{fraction:03}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push('s');
    text
}

/// Reads a bandwidth in bytes per second: a number, a unit (`B`, `KB`/`MB`/`GB` in powers
/// of 1000, `KiB`/`MiB`/`GiB` in powers of 1024) and an optional `/s`.
pub fn parse_bandwidth(text: &str) -> Result<u64, UnitError> {
    let invalid = || UnitError::InvalidBandwidth(text.to_string());
    let trimmed = text.strip_suffix("/s").unwrap_or(text);
    let number_end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(number_end);
    let multiplier: u64 = match unit {
        "B" => 1,
        "KB" | "kB" | "K" | "k" => 1_000,
        "MB" | "M" => 1_000_000,
        "GB" | "G" => 1_000_000_000,
        "KiB" | "Ki" => 1 << 10,
        "MiB" | "Mi" => 1 << 20,
        "GiB" | "Gi" => 1 << 30,
        _ => return Err(invalid()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(invalid());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let mut bytes = whole.checked_mul(multiplier).ok_or_else(invalid)?;
    let mut scale = multiplier;
    for digit in fraction.chars() {
        scale /= 10;
        bytes += u64::from(digit.to_digit(10).ok_or_else(invalid)?) * scale;
    }
    if bytes == 0 {
        return Err(invalid());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_go_reads_them() {
        let cases: &[(&str, Result<u64, UnitError>)] = &[
            ("30s", Ok(30_000)),
            ("5m", Ok(300_000)),
            ("1h30m", Ok(5_400_000)),
            ("1.5s", Ok(1_500)),
            ("250ms", Ok(250)),
            ("0", Ok(0)),
            ("+2s", Ok(2_000)),
            ("5", Err(UnitError::MissingUnit("5".into()))),
            (
                "5d",
                Err(UnitError::UnknownUnit {
                    unit: "d".into(),
                    text: "5d".into(),
                }),
            ),
            ("abc", Err(UnitError::InvalidDuration("abc".into()))),
            ("", Err(UnitError::InvalidDuration("".into()))),
            ("-1s", Err(UnitError::Negative("-1s".into()))),
        ];
        for (text, want) in cases {
            let got = parse_duration(text).map(|d| d.as_millis() as u64);
            assert_eq!(&got, want, "{text}");
        }
    }

    #[test]
    fn durations_print_as_go_prints_them() {
        let cases = [
            (0, "0s"),
            (250, "250ms"),
            (1_500, "1.5s"),
            (30_000, "30s"),
            (300_000, "5m0s"),
            (3_723_000, "1h2m3s"),
            (3_600_000, "1h0m0s"),
        ];
        for (millis, want) in cases {
            assert_eq!(format_duration(Duration::from_millis(millis)), want);
        }
    }

    #[test]
    fn bandwidths_read_in_decimal_and_binary_units() {
        let cases: &[(&str, Option<u64>)] = &[
            ("10MB/s", Some(10_000_000)),
            ("500KB/s", Some(500_000)),
            ("2MiB/s", Some(2 * 1024 * 1024)),
            ("1.5GB", Some(1_500_000_000)),
            ("100B/s", Some(100)),
            ("0MB/s", None),
            ("fast", None),
            ("10", None),
            ("/s", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_bandwidth(text).ok(), *want, "{text}");
        }
    }
}
