//! numpy-style text of an array: `NdArray`'s `Display` is numpy's `repr`
//! with default print options, e.g.
//!
//! ```text
//! array([[1., 2.],
//!        [3., 4.]], dtype=float32)
//! ```
//!
//! This is a port of numpy 2.x `arrayprint` (`_formatArray`,
//! `FloatingFormat` in `maxprec` mode with precision 8, `IntegerFormat`,
//! `BoolFormat`): line width 75, summarization with `...` above 1000
//! elements (3 edge items, plus `shape=`), `dtype=` omitted for float64,
//! int64 and bool, `shape=`/`dtype=` always shown for empty arrays. Floats
//! use the shortest digits that round-trip in their own dtype, limited to 8
//! fractional digits, and switch to scientific notation by numpy's rule.
//! bf16 is printed with the same float rules (ml_dtypes' own repr differs).

use std::fmt;

use crate::array::{strides, NdArray};
use crate::cast::{bf16_from_f64, f16_from_f64};
use crate::dtype::DType;

const LINE_WIDTH: usize = 75;
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const PRECISION: usize = 8;

impl fmt::Display for NdArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr(self))
    }
}

/// numpy's `repr(x)` for this array (the same text as its `Display`).
pub fn repr(x: &NdArray) -> String {
    let prefix = "array(";
    let summarize = x.len() > THRESHOLD;
    let lst = if x.is_empty() {
        "[]".to_string()
    } else {
        let fmt = Formatter::new(x, summarize);
        let p = Printer { x, strides: strides(x.shape()), fmt, summarize };
        let hanging = " ".repeat(prefix.len() + 1);
        // The closing ')' must fit on the last line too.
        p.recurse(&mut Vec::new(), &hanging, LINE_WIDTH - 1)
    };
    let mut extras = Vec::new();
    if (x.is_empty() && x.shape() != [0]) || summarize {
        extras.push(format!("shape={}", tuple(x.shape())));
    }
    let implied = matches!(x.dtype(), DType::F64 | DType::I64 | DType::I1);
    if !implied || x.is_empty() {
        extras.push(format!("dtype={}", x.dtype().numpy_name()));
    }
    if extras.is_empty() {
        return format!("{prefix}{lst})");
    }
    let arr = format!("{prefix}{lst},");
    let extra = format!("{})", extras.join(", "));
    let last_line = arr.len() - arr.rfind('\n').map_or(0, |i| i + 1);
    let spacer = if last_line + extra.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(prefix.len()))
    } else {
        " ".to_string()
    };
    format!("{arr}{spacer}{extra}")
}

/// Python's tuple repr of a shape: `()`, `(3,)`, `(2, 3)`.
fn tuple(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [d] => format!("({d},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// Walks the array like numpy's `_formatArray`.
struct Printer<'a> {
    x: &'a NdArray,
    strides: Vec<usize>,
    fmt: Formatter,
    summarize: bool,
}

impl Printer<'_> {
    fn element(&self, index: &[usize]) -> String {
        let flat: usize = index.iter().zip(&self.strides).map(|(i, s)| i * s).sum();
        // i64 beyond 2^53 is not exact in f64: print it from the integer itself.
        if let (Formatter::Int { width }, Some(v)) = (&self.fmt, self.x.as_slice::<i64>()) {
            return format!("{:>width$}", v[flat], width = *width);
        }
        self.fmt.format(self.x.data().get_f64(flat))
    }

    fn recurse(&self, index: &mut Vec<usize>, hanging: &str, width: usize) -> String {
        let axis = index.len();
        let axes_left = self.x.rank() - axis;
        if axes_left == 0 {
            return self.element(index);
        }
        let next_hanging = format!("{hanging} ");
        let next_width = width.saturating_sub(1);
        let len = self.x.shape()[axis];
        let summary = self.summarize && 2 * EDGE_ITEMS < len;
        let (leading, trailing) = if summary { (EDGE_ITEMS, EDGE_ITEMS) } else { (0, len) };
        // Indices in print order, with None for the "..." marker.
        let order: Vec<Option<usize>> = (0..leading)
            .map(Some)
            .chain(summary.then_some(None))
            .chain((len - trailing..len).map(Some))
            .collect();
        let child = |i: usize, index: &mut Vec<usize>| {
            index.push(i);
            let s = self.recurse(index, &next_hanging, next_width);
            index.pop();
            s
        };
        let mut s = String::new();
        if axes_left == 1 {
            let elem_width = width.saturating_sub(1);
            let mut line = hanging.to_string();
            for (n, item) in order.iter().enumerate() {
                let word = match item {
                    Some(i) => child(*i, index),
                    None => "...".to_string(),
                };
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                if n + 1 < order.len() {
                    line.push_str(", ");
                }
            }
            s.push_str(&line);
        } else {
            let line_sep = format!(",{}", "\n".repeat(axes_left - 1));
            for (n, item) in order.iter().enumerate() {
                s.push_str(hanging);
                match item {
                    Some(i) => s.push_str(&child(*i, index)),
                    None => s.push_str("..."),
                }
                if n + 1 < order.len() {
                    s.push_str(&line_sep);
                }
            }
        }
        format!("[{}]", &s[hanging.len()..])
    }
}

/// numpy's `_extendLine`: wrap before `word` if it would overflow, unless wrapping cannot help.
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, prefix: &str) {
    let needs_wrap = line.len() + word.len() > width && line.len() > prefix.len();
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = prefix.to_string();
    }
    line.push_str(word);
}

/// Per-array element formatter (numpy's `_get_format_function`).
enum Formatter {
    Bool { scalar: bool },
    Int { width: usize },
    Float(FloatFormat),
}

impl Formatter {
    fn new(x: &NdArray, summarize: bool) -> Formatter {
        // numpy decides widths from the printed elements only.
        let values: Vec<f64> = if summarize { edge_values(x) } else { x.to_f64_vec() };
        match x.dtype() {
            DType::I1 => Formatter::Bool { scalar: x.rank() == 0 },
            DType::I64 => {
                // f64 would round large i64 values; measure the exact text instead.
                let v = x.as_slice::<i64>().unwrap_or(&[]);
                let width = v.iter().map(|e| e.to_string().len()).max().unwrap_or(0);
                Formatter::Int { width }
            }
            d if d.is_integer() => {
                let width = values.iter().map(|&e| (e as i64).to_string().len()).max().unwrap_or(0);
                Formatter::Int { width }
            }
            d => Formatter::Float(FloatFormat::new(d, &values)),
        }
    }

    fn format(&self, v: f64) -> String {
        match self {
            Formatter::Bool { scalar } => match (v != 0.0, scalar) {
                (true, true) => "True".to_string(),
                (true, false) => " True".to_string(),
                (false, _) => "False".to_string(),
            },
            Formatter::Int { width } => format!("{:>width$}", v as i64),
            Formatter::Float(f) => f.format(v),
        }
    }
}

/// The elements numpy's `_leading_trailing` keeps when summarizing.
fn edge_values(x: &NdArray) -> Vec<f64> {
    let st = strides(x.shape());
    let mut out = Vec::new();
    fn walk(x: &NdArray, st: &[usize], axis: usize, base: usize, out: &mut Vec<f64>) {
        if axis == x.rank() {
            out.push(x.data().get_f64(base));
            return;
        }
        let len = x.shape()[axis];
        let keep: Vec<usize> = if len > 2 * EDGE_ITEMS {
            (0..EDGE_ITEMS).chain(len - EDGE_ITEMS..len).collect()
        } else {
            (0..len).collect()
        };
        for i in keep {
            walk(x, st, axis + 1, base + i * st[axis], out);
        }
    }
    walk(x, &st, 0, 0, &mut out);
    out
}

/// numpy's `FloatingFormat` in `maxprec` mode.
struct FloatFormat {
    dtype: DType,
    exp: bool,
    pad_left: usize,
    pad_right: usize,
    /// Scientific mode: mantissa fraction digits and exponent digits.
    precision: usize,
    exp_size: usize,
}

impl FloatFormat {
    fn new(dtype: DType, values: &[f64]) -> FloatFormat {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let nonzero: Vec<f64> = finite.iter().map(|v| v.abs()).filter(|&v| v != 0.0).collect();
        let mut exp = false;
        if !nonzero.is_empty() {
            let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
            let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
            // numpy compares in the array's dtype (Python floats are weak scalars).
            let digits = match dtype {
                DType::F16 => 3,
                DType::BF16 => 2,
                DType::F32 => 6,
                _ => 8,
            };
            let cutoff = round_to(dtype, 10f64.powi(digits));
            exp = max >= cutoff || min < round_to(dtype, 1e-4) || round_to(dtype, max / min) > 1000.0;
        }
        let mut f = FloatFormat { dtype, exp, pad_left: 0, pad_right: 0, precision: 0, exp_size: 0 };
        if !finite.is_empty() {
            if exp {
                let parts: Vec<(String, String, String)> = finite.iter().map(|&v| f.scientific(v)).collect();
                f.exp_size = parts.iter().map(|p| p.2.len() - 1).max().unwrap_or(0);
                f.precision = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
                f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
                f.pad_right = f.exp_size + 2 + f.precision;
            } else {
                let parts: Vec<(String, String)> = finite.iter().map(|&v| f.positional(v)).collect();
                f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
                f.pad_right = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
            }
        }
        if finite.len() != values.len() {
            let neginf = values.contains(&f64::NEG_INFINITY);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3usize.saturating_sub(offset))
                .max((3 + usize::from(neginf)).saturating_sub(offset));
        }
        f
    }

    /// Shortest round-trip digits of `v` in this dtype: (`d1d2...dn`, sign, decimal exponent of d1).
    fn shortest(&self, v: f64) -> (String, bool, i32) {
        let s = match self.dtype {
            DType::F32 => format!("{:e}", v as f32),
            DType::F16 | DType::BF16 => (1..=9)
                .map(|d| format!("{:.*e}", d - 1, v))
                .find(|s| s.parse::<f64>().is_ok_and(|p| round_to(self.dtype, p) == v))
                .unwrap_or_else(|| format!("{v:e}")),
            _ => format!("{v:e}"),
        };
        split_sci(&s)
    }

    /// Positional digits split at the point: ("-12", "5"); at most 8 fraction digits.
    fn positional(&self, v: f64) -> (String, String) {
        let (digits, neg, e) = self.shortest(v);
        let frac_digits = (digits.len() as i32 - 1 - e).max(0) as usize;
        let text = if frac_digits > PRECISION {
            // Dragon4 with a cutoff rounds the exact value.
            let t = format!("{:.*}", PRECISION, v);
            t.trim_end_matches('0').to_string()
        } else {
            let sign = if neg { "-" } else { "" };
            if e >= 0 {
                let int_len = e as usize + 1;
                let mut int: String = digits.chars().take(int_len).collect();
                while int.len() < int_len {
                    int.push('0');
                }
                let frac: String = digits.chars().skip(int_len).collect();
                format!("{sign}{int}.{frac}")
            } else {
                format!("{sign}0.{}{digits}", "0".repeat((-e - 1) as usize))
            }
        };
        let (i, f) = text.split_once('.').unwrap_or((&text, ""));
        // "-0." keeps its sign, as numpy prints negative zero.
        (i.to_string(), f.trim_end_matches('0').to_string())
    }

    /// Scientific parts: ("-1", "5", "-05") for -1.5e-05; at most 8 fraction digits.
    fn scientific(&self, v: f64) -> (String, String, String) {
        let (mut digits, neg, mut e) = self.shortest(v);
        if digits.len() > PRECISION + 1 {
            let (d, _, e2) = split_sci(&format!("{:.*e}", PRECISION, v));
            digits = d.trim_end_matches('0').to_string();
            e = e2;
        }
        let sign = if neg { "-" } else { "" };
        let int = format!("{sign}{}", &digits[..1]);
        let frac = digits[1..].to_string();
        let exp = format!("{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
        (int, frac, exp)
    }

    fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            let text = if v.is_nan() {
                "nan"
            } else if v < 0.0 {
                "-inf"
            } else {
                "inf"
            };
            return format!("{:>w$}", text, w = self.pad_left + self.pad_right + 1);
        }
        if self.exp {
            // With min_digits = precision, Dragon4 prints the exact value's digits
            // (not zero padding) up to the common precision.
            let text = format!("{:.*e}", self.precision, v);
            let (mant, e) = text.split_once('e').unwrap_or((&text, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
            let sign = if e < 0 { '-' } else { '+' };
            format!(
                "{:>pl$}.{frac}e{sign}{:0>w$}",
                int,
                e.unsigned_abs(),
                pl = self.pad_left,
                w = self.exp_size.max(2)
            )
        } else {
            let (int, frac) = self.positional(v);
            format!("{:>pl$}.{:<pr$}", int, frac, pl = self.pad_left, pr = self.pad_right)
        }
    }
}

/// Splits Rust's `{:e}` text (`-1.25e-7`) into (`125`, negative, -7); zero gives ("0", sign, 0).
fn split_sci(s: &str) -> (String, bool, i32) {
    let neg = s.starts_with('-');
    let body = s.trim_start_matches('-');
    let (mant, exp) = body.split_once('e').unwrap_or((body, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = {
        // Rust may print "1.50e0" for fixed precision: drop trailing zeros, keep one digit.
        let t = digits.trim_end_matches('0');
        if t.is_empty() {
            "0".to_string()
        } else {
            t.to_string()
        }
    };
    (digits, neg, exp.parse().unwrap_or(0))
}

/// Rounds an f64 to the nearest value of a float dtype (identity for f64 and non-floats).
fn round_to(dtype: DType, v: f64) -> f64 {
    match dtype {
        DType::F32 => f64::from(v as f32),
        DType::F16 => f64::from(f16_from_f64(v)),
        DType::BF16 => f64::from(bf16_from_f64(v)),
        _ => v,
    }
}
