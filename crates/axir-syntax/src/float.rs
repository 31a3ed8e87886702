//! Float literals: parsing decimal and hex-bit forms into a float kind, and
//! printing them the way mlir-opt does.
//!
//! Printing follows MLIR's `printFloatValue`: try `%e` with six digits
//! (`1.000000e+00`) and keep it when it re-parses to the same bits; otherwise
//! print the shortest decimal that round-trips (always with a `.`, which the
//! lexer needs); NaN and infinities are printed as hex bits
//! (`0x7FC00000 : f32`).

use axir_ir::{float_bits_in_kind, float_from_bits_in_kind, round_to_float_kind, FloatKind};
use std::fmt::Write;

/// Parses an unsigned decimal float literal (`1.5e3`) and rounds it to `kind`.
///
/// Returns the value as an `f64` holding exactly the `kind` value.
pub(crate) fn parse_decimal(text: &str, negative: bool, kind: FloatKind) -> Option<f64> {
    let v = match kind {
        // Invariant: f32 values are parsed directly so that rounding happens
        // once (decimal -> f32), never decimal -> f64 -> f32.
        FloatKind::F32 => text.parse::<f32>().ok()? as f64,
        _ => round_to_float_kind(text.parse::<f64>().ok()?, kind),
    };
    Some(if negative { -v } else { v })
}

/// Reads hex bits (`0x7FC00000`) as a float of `kind`; `None` when the bits
/// do not fit the width.
pub(crate) fn from_hex_bits(digits: &str, kind: FloatKind) -> Option<f64> {
    let bits = u64::from_str_radix(digits, 16).ok()?;
    let width = kind.width();
    if width < 64 && bits >> width != 0 {
        return None;
    }
    Some(float_from_bits_in_kind(bits, kind))
}

/// Appends `value` (already a value of `kind`) as MLIR prints it.
pub(crate) fn write_float(out: &mut String, value: f64, kind: FloatKind) {
    if !value.is_finite() {
        let digits = (kind.width() / 4) as usize;
        let _ = write!(out, "0x{:0digits$X}", float_bits_in_kind(value, kind));
        return;
    }
    let start = out.len();
    match kind {
        FloatKind::F64 => {
            let _ = write!(out, "{value:.6e}");
        }
        // f16/bf16/f32 values are exact in f32; format them there so that
        // `%e` digits match MLIR's.
        _ => {
            let _ = write!(out, "{:.6e}", value as f32);
        }
    }
    normalize_exponent(out, start);
    if parse_back(&out[start..], kind).map(f64::to_bits) == Some(value.to_bits()) {
        return;
    }
    out.truncate(start);
    match kind {
        FloatKind::F64 => {
            let _ = write!(out, "{value:e}");
        }
        _ => {
            let _ = write!(out, "{:e}", value as f32);
        }
    }
    normalize_exponent(out, start);
}

fn parse_back(text: &str, kind: FloatKind) -> Option<f64> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    parse_decimal(body, neg, kind)
}

/// Rewrites Rust's `1.5e3` / `1e-7` written at `out[start..]` into MLIR's
/// `1.5e+03` / `1.0e-07`: a `.` in the mantissa and a signed, two-digit
/// exponent.
fn normalize_exponent(out: &mut String, start: usize) {
    let Some(epos) = out[start..].find('e').map(|p| p + start) else {
        return;
    };
    let exp: i32 = out[epos + 1..].parse().unwrap_or(0);
    let has_dot = out[start..epos].contains('.');
    out.truncate(epos);
    if !has_dot {
        out.push_str(".0");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exp.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: f64, k: FloatKind) -> String {
        let mut s = String::new();
        write_float(&mut s, v, k);
        s
    }

    #[test]
    fn prints_like_mlir() {
        assert_eq!(fmt(1.0, FloatKind::F32), "1.000000e+00");
        assert_eq!(fmt(0.1f32 as f64, FloatKind::F32), "1.000000e-01");
        assert_eq!(fmt(0.1, FloatKind::F64), "1.000000e-01");
        assert_eq!(fmt(-0.0, FloatKind::F32), "-0.000000e+00");
        assert_eq!(fmt(1e100, FloatKind::F64), "1.000000e+100");
        assert_eq!(fmt(2.5, FloatKind::F16), "2.500000e+00");
        assert_eq!(fmt(f64::NAN, FloatKind::F32), "0x7FC00000");
        assert_eq!(fmt(f64::NAN, FloatKind::F64), "0x7FF8000000000000");
        assert_eq!(fmt(f64::NEG_INFINITY, FloatKind::F32), "0xFF800000");
        assert_eq!(fmt(f64::INFINITY, FloatKind::F16), "0x7C00");
        assert_eq!(fmt(0.123456789, FloatKind::F64), "1.23456789e-01");
        assert_eq!(fmt(3.4028235e38f32 as f64, FloatKind::F32), "3.4028235e+38");
    }

    #[test]
    fn every_printed_float_reparses_exactly() {
        let samples = [0.1f64, 1.0 / 3.0, f64::MIN_POSITIVE, 5e-324, f64::MAX, 123456789.123, -2.0e-7];
        for k in [FloatKind::F16, FloatKind::BF16, FloatKind::F32, FloatKind::F64] {
            for &s in &samples {
                let v = round_to_float_kind(s, k);
                let text = fmt(v, k);
                let back = if let Some(h) = text.strip_prefix("0x") {
                    from_hex_bits(h, k).unwrap()
                } else {
                    parse_back(&text, k).unwrap()
                };
                assert_eq!(back.to_bits(), v.to_bits(), "{k:?} {s} -> {text}");
            }
        }
    }

    #[test]
    fn hex_bits_must_fit() {
        assert!(from_hex_bits("7FC00000", FloatKind::F32).unwrap().is_nan());
        assert!(from_hex_bits("7FFFFFFFF", FloatKind::F32).is_none());
    }
}
