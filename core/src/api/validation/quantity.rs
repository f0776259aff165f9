//! Resource quantities (`500m`, `128Mi`, `1G`, `1e3`), as Kubernetes' `resource.Quantity` parses,
//! compares and prints them.
//!
//! k8s-openapi keeps a quantity as its raw string; validation needs its value (requests must not
//! exceed limits, nothing may be negative) and its canonical text (Kubernetes prints `0.5` as
//! `500m` in messages). A [`ParsedQuantity`] holds the value in nano-units as an `i128`, which is
//! exact for every suffix from `n` to `E`/`Ei`, plus the suffix family it was written in.

use std::cmp::Ordering;
use std::fmt;

use thiserror::Error;

/// Nano-units per unit.
const NANOS: i128 = 1_000_000_000;

/// Why a quantity string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum QuantityError {
    /// The text is not `<number><suffix>`; the message is the one the API server returns.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    Format,
    /// The value is too large to represent.
    #[error("quantity {0:?} is too large")]
    TooLarge(String),
}

/// How a quantity was written, which decides how it is printed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityFormat {
    /// Powers of ten with SI suffixes: `500m`, `1k`, `2G`.
    DecimalSi,
    /// Powers of two: `128Mi`, `1Gi`.
    BinarySi,
    /// Scientific notation: `1e3`.
    DecimalExponent,
}

/// A parsed quantity: its exact value in nano-units and the format it was written in.
#[derive(Clone, Copy, Debug)]
pub struct ParsedQuantity {
    /// The value times 10^9 (rounded up to whole nano-units, as Kubernetes does).
    pub nanos: i128,
    /// The suffix family, used when printing the canonical form.
    pub format: QuantityFormat,
}

impl PartialEq for ParsedQuantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl PartialOrd for ParsedQuantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.nanos))
    }
}

impl ParsedQuantity {
    /// Parses Kubernetes quantity syntax.
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        let too_large = || QuantityError::TooLarge(text.to_string());
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let number_len = rest
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        let (number, suffix) = rest.split_at(number_len);
        let (whole, fraction) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err(QuantityError::Format);
        }
        // The significant digits as one integer, and how many of them are after the point.
        let mut digits: i128 = 0;
        for c in whole.bytes().chain(fraction.bytes()) {
            digits = digits
                .checked_mul(10)
                .and_then(|d| d.checked_add(i128::from(c - b'0')))
                .ok_or_else(too_large)?;
        }
        let scale = i32::try_from(fraction.len()).map_err(|_| too_large())?;

        let (format, binary_power, decimal_exponent) = parse_suffix(suffix)?;
        let mut numerator = digits;
        if binary_power > 0 {
            numerator = numerator
                .checked_mul(1i128 << binary_power)
                .ok_or_else(too_large)?;
        }
        let exponent = decimal_exponent + 9 - scale;
        let magnitude = if exponent >= 0 {
            let factor = pow10(exponent).ok_or_else(too_large)?;
            numerator.checked_mul(factor).ok_or_else(too_large)?
        } else {
            match pow10(-exponent) {
                // Kubernetes rounds values finer than a nano-unit up.
                Some(divisor) => (numerator + divisor - 1) / divisor,
                None => i128::from(numerator != 0),
            }
        };
        Ok(ParsedQuantity {
            nanos: if negative { -magnitude } else { magnitude },
            format,
        })
    }

    /// Whether the quantity is below zero.
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// Whether the quantity is a whole number.
    pub fn is_integer(&self) -> bool {
        self.nanos % NANOS == 0
    }
}

/// Reads a suffix: its format, a power of two (for `Ki`…`Ei`) and a power of ten.
fn parse_suffix(suffix: &str) -> Result<(QuantityFormat, u32, i32), QuantityError> {
    let decimal = |exp| Ok((QuantityFormat::DecimalSi, 0, exp));
    let binary = |power| Ok((QuantityFormat::BinarySi, power, 0));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let exp = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))
                .ok_or(QuantityError::Format)?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(QuantityError::Format);
            }
            let value: i32 = exp.parse().map_err(|_| QuantityError::Format)?;
            Ok((QuantityFormat::DecimalExponent, 0, value))
        }
    }
}

fn pow10(exp: i32) -> Option<i128> {
    let exp = u32::try_from(exp).ok()?;
    10i128.checked_pow(exp)
}

const DECIMAL_SUFFIXES: [(i32, &str); 10] = [
    (18, "E"),
    (15, "P"),
    (12, "T"),
    (9, "G"),
    (6, "M"),
    (3, "k"),
    (0, ""),
    (-3, "m"),
    (-6, "u"),
    (-9, "n"),
];

const BINARY_SUFFIXES: [(u32, &str); 6] = [
    (60, "Ei"),
    (50, "Pi"),
    (40, "Ti"),
    (30, "Gi"),
    (20, "Mi"),
    (10, "Ki"),
];

impl fmt::Display for ParsedQuantity {
    /// The canonical form Kubernetes prints (`Quantity.String()`): the largest suffix of the
    /// written family that keeps the number whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let magnitude = self.nanos.unsigned_abs();
        let whole = magnitude % (NANOS as u128) == 0;
        let units = magnitude / NANOS as u128;
        // Binary quantities below 1024 or with fractions print in decimal, as in Kubernetes.
        if self.format == QuantityFormat::BinarySi && whole && units >= 1024 {
            for (power, suffix) in BINARY_SUFFIXES {
                let unit = 1u128 << power;
                if units % unit == 0 {
                    return write!(f, "{sign}{}{suffix}", units / unit);
                }
            }
            return write!(f, "{sign}{units}");
        }
        for (exp, suffix) in DECIMAL_SUFFIXES {
            let unit = 10u128.pow((exp + 9).unsigned_abs());
            if magnitude % unit == 0 {
                let mantissa = magnitude / unit;
                return match self.format {
                    QuantityFormat::DecimalExponent if exp != 0 => {
                        write!(f, "{sign}{mantissa}e{exp}")
                    }
                    QuantityFormat::DecimalExponent
                    | QuantityFormat::DecimalSi
                    | QuantityFormat::BinarySi => write!(f, "{sign}{mantissa}{suffix}"),
                };
            }
        }
        write!(f, "{sign}{magnitude}n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_to_exact_nano_values() {
        let cases: [(&str, i128); 10] = [
            ("500m", 500_000_000),
            ("1", NANOS),
            ("0.5", 500_000_000),
            ("128Mi", 128 * (1 << 20) * NANOS),
            ("1G", 1_000_000_000 * NANOS),
            ("1e3", 1000 * NANOS),
            ("1E-3", 1_000_000),
            ("-2k", -2000 * NANOS),
            ("1n", 1),
            ("+.5", 500_000_000),
        ];
        for (text, nanos) in cases {
            assert_eq!(
                ParsedQuantity::parse(text).map(|q| q.nanos),
                Ok(nanos),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_quantities_are_rejected_with_the_api_server_message() {
        for bad in ["", "abc", "1.2.3", "5 m", "1x", "1e", "."] {
            assert_eq!(
                ParsedQuantity::parse(bad).err(),
                Some(QuantityError::Format),
                "{bad}"
            );
        }
    }

    #[test]
    fn quantities_print_in_kubernetes_canonical_form() {
        let cases = [
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1000", "1k"),
            ("1500m", "1500m"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("512", "512"),
            ("1e3", "1e3"),
            ("0", "0"),
            ("-100m", "-100m"),
        ];
        for (text, want) in cases {
            let parsed = ParsedQuantity::parse(text).map(|q| q.to_string());
            assert_eq!(parsed.as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn quantities_compare_by_value_across_suffixes() {
        let a = ParsedQuantity::parse("1Gi");
        let b = ParsedQuantity::parse("1G");
        assert!(matches!((a, b), (Ok(a), Ok(b)) if a > b));
        let c = ParsedQuantity::parse("1000m");
        let d = ParsedQuantity::parse("1");
        assert!(matches!((c, d), (Ok(c), Ok(d)) if c == d));
    }
}
