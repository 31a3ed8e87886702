//! Elementwise ops with numpy broadcasting: [`unary`], [`binary`], [`cmp`] and [`select`].
//!
//! **No implicit type promotion**: binary operands must share a dtype and
//! the result has that dtype (except `cmp` and the `is*` predicates, which
//! give `i1`). Math is done in the operands' own dtype; f16/bf16 widen each
//! element to f32, compute and round back (numpy's float16 loops and
//! ml_dtypes' bfloat16 loops do the same).
//!
//! `i1` supports the ops that stay boolean in numpy: `abs floor ceil round
//! trunc` (identity), `not` (logical), the predicates, and `add`/`max`/`or`
//! (logical or), `mul`/`min`/`and` (logical and), `xor`. Ops numpy rejects on
//! bool (`neg`, `sub`) or computes by promoting to int8/float are errors.

use half::{bf16, f16};

use crate::array::{Data, NdArray};
use crate::dtype::DType;
use crate::error::{NdError, Result};
use crate::scalar::{int_binary, int_unary, nextafter16, Int, Real};
use crate::shape::{broadcast_shapes, broadcast_to};

named_enum! {
    /// Elementwise unary ops (`array.<name>`).
    pub enum UnaryOp ("unary op") {
        /// `-x` (wraps for integers).
        Neg = "neg",
        /// `|x|` (wraps for integers: `abs(-128i8) == -128`).
        Abs = "abs",
        /// -1, 0 or 1 (NaN stays NaN).
        Sign = "sign",
        /// `e^x`.
        Exp = "exp",
        /// `2^x`.
        Exp2 = "exp2",
        /// `e^x - 1`.
        Expm1 = "expm1",
        /// Natural logarithm.
        Log = "log",
        /// Base-2 logarithm.
        Log2 = "log2",
        /// Base-10 logarithm.
        Log10 = "log10",
        /// `log(1 + x)`.
        Log1p = "log1p",
        /// Square root (correctly rounded).
        Sqrt = "sqrt",
        /// `1 / sqrt(x)`, two roundings.
        Rsqrt = "rsqrt",
        /// `x * x` (wraps for integers).
        Square = "square",
        /// Sine.
        Sin = "sin",
        /// Cosine.
        Cos = "cos",
        /// Tangent.
        Tan = "tan",
        /// Arcsine.
        Asin = "asin",
        /// Arccosine.
        Acos = "acos",
        /// Arctangent.
        Atan = "atan",
        /// Hyperbolic sine.
        Sinh = "sinh",
        /// Hyperbolic cosine.
        Cosh = "cosh",
        /// Hyperbolic tangent.
        Tanh = "tanh",
        /// Inverse hyperbolic sine.
        Asinh = "asinh",
        /// Inverse hyperbolic cosine.
        Acosh = "acosh",
        /// Inverse hyperbolic tangent.
        Atanh = "atanh",
        /// Error function.
        Erf = "erf",
        /// `1 / (1 + e^-x)`, evaluated without overflow.
        Sigmoid = "sigmoid",
        /// Round toward -inf (identity on integers).
        Floor = "floor",
        /// Round toward +inf (identity on integers).
        Ceil = "ceil",
        /// Round half to even like `numpy.round` (identity on integers).
        Round = "round",
        /// Round toward zero (identity on integers).
        Trunc = "trunc",
        /// Logical not on `i1`, bitwise not on integers.
        Not = "not",
        /// NaN test, gives `i1`.
        IsNan = "isnan",
        /// Infinity test, gives `i1`.
        IsInf = "isinf",
        /// Finiteness test, gives `i1`.
        IsFinite = "isfinite",
    }
}

named_enum! {
    /// Elementwise binary ops (`array.<name>`).
    pub enum BinaryOp ("binary op") {
        /// `a + b` (wraps for integers; logical or on `i1`).
        Add = "add",
        /// `a - b` (wraps for integers).
        Sub = "sub",
        /// `a * b` (wraps for integers; logical and on `i1`).
        Mul = "mul",
        /// True division for floats, floor division (numpy `//`) for integers; `x // 0 == 0`.
        Div = "div",
        /// numpy `%`: the result has the sign of the divisor; integer `x % 0 == 0`.
        Rem = "rem",
        /// C `fmod`: the result has the sign of the dividend; integer `fmod(x, 0) == 0`.
        Fmod = "fmod",
        /// `a ** b` (wrapping for integers; negative integer exponents are an error).
        Pow = "pow",
        /// `numpy.maximum` (NaN propagates).
        Max = "max",
        /// `numpy.minimum` (NaN propagates).
        Min = "min",
        /// Two-argument arctangent.
        Atan2 = "atan2",
        /// `sqrt(a^2 + b^2)` without undue overflow.
        Hypot = "hypot",
        /// Magnitude of `a` with the sign of `b`.
        Copysign = "copysign",
        /// Next representable value after `a` toward `b`.
        Nextafter = "nextafter",
        /// Logical and on `i1`, bitwise and on integers.
        And = "and",
        /// Logical or on `i1`, bitwise or on integers.
        Or = "or",
        /// Logical xor on `i1`, bitwise xor on integers.
        Xor = "xor",
    }
}

named_enum! {
    /// Comparison predicates of `array.cmp`; NaN compares like IEEE (only `ne` is true).
    pub enum CmpPredicate ("cmp predicate") {
        /// Equal.
        Eq = "eq",
        /// Not equal.
        Ne = "ne",
        /// Less than.
        Lt = "lt",
        /// Less than or equal.
        Le = "le",
        /// Greater than.
        Gt = "gt",
        /// Greater than or equal.
        Ge = "ge",
    }
}

fn map<T: Copy, U>(v: &[T], f: impl Fn(T) -> U) -> Vec<U> {
    v.iter().map(|&x| f(x)).collect()
}

fn zip<T: Copy, U>(a: &[T], b: &[T], f: impl Fn(T, T) -> U) -> Vec<U> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}

/// Applies a unary op elementwise (see [`UnaryOp`] for each op's meaning).
///
/// Float-only ops on integers or `i1`, `not` on floats, and `neg`/`sign`/`square`
/// on `i1` are [`NdError::UnsupportedDType`].
pub fn unary(op: UnaryOp, x: &NdArray) -> Result<NdArray> {
    let unsupported = || NdError::UnsupportedDType { op: op.name(), dtype: x.dtype() };
    if matches!(op, UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite) {
        return predicate(op, x);
    }
    let float_ok = op != UnaryOp::Not;
    let data = match x.data() {
        Data::F32(v) if float_ok => Data::F32(map(v, |e| f32::unary(op, e))),
        Data::F64(v) if float_ok => Data::F64(map(v, |e| f64::unary(op, e))),
        Data::F16(v) if float_ok => Data::F16(map(v, |e| f16::from_f32(f32::unary(op, e.to_f32())))),
        // ml_dtypes' sign returns zeros unchanged (numpy's float loops give +0 for -0).
        Data::BF16(v) if op == UnaryOp::Sign => {
            Data::BF16(map(
                v,
                |e| if e.to_f32() == 0.0 { e } else { bf16::from_f32(f32::unary(op, e.to_f32())) },
            ))
        }
        Data::BF16(v) if float_ok => Data::BF16(map(v, |e| bf16::from_f32(f32::unary(op, e.to_f32())))),
        Data::I8(v) => Data::I8(int_map(op, v).ok_or_else(unsupported)?),
        Data::I16(v) => Data::I16(int_map(op, v).ok_or_else(unsupported)?),
        Data::I32(v) => Data::I32(int_map(op, v).ok_or_else(unsupported)?),
        Data::I64(v) => Data::I64(int_map(op, v).ok_or_else(unsupported)?),
        Data::U8(v) => Data::U8(int_map(op, v).ok_or_else(unsupported)?),
        Data::I1(v) => match op {
            UnaryOp::Abs | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc => {
                Data::I1(v.clone())
            }
            UnaryOp::Not => Data::I1(map(v, |b| !b)),
            _ => return Err(unsupported()),
        },
        _ => return Err(unsupported()),
    };
    NdArray::new(x.shape().to_vec(), data)
}

fn int_map<T: Int>(op: UnaryOp, v: &[T]) -> Option<Vec<T>> {
    v.iter().map(|&e| int_unary(op, e)).collect()
}

/// `isnan`, `isinf`, `isfinite` on any dtype (integers and `i1` are finite).
fn predicate(op: UnaryOp, x: &NdArray) -> Result<NdArray> {
    let test = |v: f64| match op {
        UnaryOp::IsNan => v.is_nan(),
        UnaryOp::IsInf => v.is_infinite(),
        _ => v.is_finite(),
    };
    // Widening to f64 preserves NaN/inf/finite for every dtype.
    let v: Vec<bool> = x.to_f64_vec().into_iter().map(test).collect();
    NdArray::new(x.shape().to_vec(), Data::I1(v))
}

/// Broadcasts two operands of the same dtype to their common shape.
fn broadcast_pair(op: &'static str, a: &NdArray, b: &NdArray) -> Result<(NdArray, NdArray)> {
    if a.dtype() != b.dtype() {
        return Err(NdError::DTypeMismatch { op, a: a.dtype(), b: b.dtype() });
    }
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    Ok((stretch(a, &shape)?, stretch(b, &shape)?))
}

/// `broadcast_to`, skipping the copy when the shape already matches.
fn stretch(x: &NdArray, shape: &[usize]) -> Result<NdArray> {
    if x.shape() == shape {
        Ok(x.clone())
    } else {
        broadcast_to(x, shape)
    }
}

/// Applies a binary op elementwise with numpy broadcasting (see [`BinaryOp`]).
///
/// Both operands must have the same dtype. Integer `pow` with a negative
/// exponent is [`NdError::NegativeIntegerPower`] (numpy raises too).
pub fn binary(op: BinaryOp, a: &NdArray, b: &NdArray) -> Result<NdArray> {
    let (a, b) = broadcast_pair(op.name(), a, b)?;
    let unsupported = || NdError::UnsupportedDType { op: op.name(), dtype: a.dtype() };
    let bitwise = matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor);
    let data = match (a.data(), b.data()) {
        (Data::F32(x), Data::F32(y)) if !bitwise => Data::F32(zip(x, y, |p, q| f32::binary(op, p, q))),
        (Data::F64(x), Data::F64(y)) if !bitwise => Data::F64(zip(x, y, |p, q| f64::binary(op, p, q))),
        (Data::F16(x), Data::F16(y)) if !bitwise => Data::F16(zip(x, y, |p, q| f16_binary(op, p, q))),
        (Data::BF16(x), Data::BF16(y)) if !bitwise => Data::BF16(zip(x, y, |p, q| bf16_binary(op, p, q))),
        (Data::I8(x), Data::I8(y)) => Data::I8(int_zip(op, x, y)?.ok_or_else(unsupported)?),
        (Data::I16(x), Data::I16(y)) => Data::I16(int_zip(op, x, y)?.ok_or_else(unsupported)?),
        (Data::I32(x), Data::I32(y)) => Data::I32(int_zip(op, x, y)?.ok_or_else(unsupported)?),
        (Data::I64(x), Data::I64(y)) => Data::I64(int_zip(op, x, y)?.ok_or_else(unsupported)?),
        (Data::U8(x), Data::U8(y)) => Data::U8(int_zip(op, x, y)?.ok_or_else(unsupported)?),
        (Data::I1(x), Data::I1(y)) => Data::I1(bool_zip(op, x, y).ok_or_else(unsupported)?),
        _ => return Err(unsupported()),
    };
    NdArray::new(a.shape().to_vec(), data)
}

/// f16 binary op: widen to f32 except where numpy works on the half values directly.
pub(crate) fn f16_binary(op: BinaryOp, a: f16, b: f16) -> f16 {
    let (x, y) = (a.to_f32(), b.to_f32());
    match op {
        // numpy's HALF_maximum/minimum: `a >= b || isnan(a) ? a : b`, so ties give the first.
        BinaryOp::Max => {
            if x.is_nan() || x >= y {
                a
            } else {
                b
            }
        }
        BinaryOp::Min => {
            if x.is_nan() || x <= y {
                a
            } else {
                b
            }
        }
        BinaryOp::Nextafter => {
            f16::from_bits(nextafter16(a.to_bits(), b.to_bits(), x.is_nan(), y.is_nan(), 0x7e00, false))
        }
        _ => f16::from_f32(f32::binary(op, x, y)),
    }
}

/// bf16 binary op, as ml_dtypes computes it (f32, except `nextafter` on bits).
pub(crate) fn bf16_binary(op: BinaryOp, a: bf16, b: bf16) -> bf16 {
    let (x, y) = (a.to_f32(), b.to_f32());
    match op {
        // Pick an operand rather than round-trip, so NaN payloads and zero signs survive;
        // ties give the second operand like f32.
        BinaryOp::Max => {
            if x.is_nan() || (!y.is_nan() && x > y) {
                a
            } else {
                b
            }
        }
        BinaryOp::Min => {
            if x.is_nan() || (!y.is_nan() && x < y) {
                a
            } else {
                b
            }
        }
        BinaryOp::Nextafter => {
            bf16::from_bits(nextafter16(a.to_bits(), b.to_bits(), x.is_nan(), y.is_nan(), 0x7fc0, true))
        }
        _ => bf16::from_f32(f32::binary(op, x, y)),
    }
}

fn int_zip<T: Int>(op: BinaryOp, a: &[T], b: &[T]) -> Result<Option<Vec<T>>> {
    let mut out = Vec::with_capacity(a.len());
    for (&x, &y) in a.iter().zip(b) {
        match int_binary(op, x, y)? {
            Some(v) => out.push(v),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

fn bool_zip(op: BinaryOp, a: &[bool], b: &[bool]) -> Option<Vec<bool>> {
    let f: fn(bool, bool) -> bool = match op {
        BinaryOp::Add | BinaryOp::Max | BinaryOp::Or => |x, y| x | y,
        BinaryOp::Mul | BinaryOp::Min | BinaryOp::And => |x, y| x & y,
        BinaryOp::Xor => |x, y| x ^ y,
        _ => return None,
    };
    Some(zip(a, b, f))
}

/// Elementwise comparison with broadcasting; the result is `i1`.
///
/// Floats compare like IEEE (`NaN` is unordered: only `ne` holds; `-0.0 == 0.0`);
/// `i1` orders `false < true`.
pub fn cmp(pred: CmpPredicate, a: &NdArray, b: &NdArray) -> Result<NdArray> {
    let (a, b) = broadcast_pair("cmp", a, b)?;
    fn go<T: PartialOrd + Copy>(pred: CmpPredicate, a: &[T], b: &[T]) -> Vec<bool> {
        zip(a, b, |x, y| match pred {
            CmpPredicate::Eq => x == y,
            CmpPredicate::Ne => x != y,
            CmpPredicate::Lt => x < y,
            CmpPredicate::Le => x <= y,
            CmpPredicate::Gt => x > y,
            CmpPredicate::Ge => x >= y,
        })
    }
    let v = match (a.data(), b.data()) {
        (Data::I1(x), Data::I1(y)) => go(pred, x, y),
        (Data::I8(x), Data::I8(y)) => go(pred, x, y),
        (Data::I16(x), Data::I16(y)) => go(pred, x, y),
        (Data::I32(x), Data::I32(y)) => go(pred, x, y),
        (Data::I64(x), Data::I64(y)) => go(pred, x, y),
        (Data::U8(x), Data::U8(y)) => go(pred, x, y),
        // Widen the 16-bit floats so the comparison is plainly IEEE.
        (Data::F16(x), Data::F16(y)) => go(pred, &map(x, f16::to_f32), &map(y, f16::to_f32)),
        (Data::BF16(x), Data::BF16(y)) => go(pred, &map(x, bf16::to_f32), &map(y, bf16::to_f32)),
        (Data::F32(x), Data::F32(y)) => go(pred, x, y),
        (Data::F64(x), Data::F64(y)) => go(pred, x, y),
        // broadcast_pair checked the dtypes agree.
        _ => return Err(NdError::DTypeMismatch { op: "cmp", a: a.dtype(), b: b.dtype() }),
    };
    NdArray::new(a.shape().to_vec(), Data::I1(v))
}

/// `numpy.where(cond, a, b)`: three-way broadcasting; `cond` must be `i1`
/// and `a`, `b` must share a dtype, which the result has.
pub fn select(cond: &NdArray, a: &NdArray, b: &NdArray) -> Result<NdArray> {
    if cond.dtype() != DType::I1 {
        return Err(NdError::SelectCondition(cond.dtype()));
    }
    if a.dtype() != b.dtype() {
        return Err(NdError::DTypeMismatch { op: "select", a: a.dtype(), b: b.dtype() });
    }
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), a.shape())?, b.shape())?;
    let (c, a, b) = (stretch(cond, &shape)?, stretch(a, &shape)?, stretch(b, &shape)?);
    let c = c.as_slice::<bool>().unwrap_or(&[]);
    let idx: Vec<usize> = c.iter().enumerate().map(|(i, &t)| if t { i } else { i + c.len() }).collect();
    // Gather from the concatenation [a, b]: index i picks a[i], i + n picks b[i].
    let both = crate::shape::concat(&[&flat(&a)?, &flat(&b)?], 0)?;
    NdArray::new(shape, both.data().gather(&idx))
}

/// A rank-1 view of the same data (rank-0 arrays become one element).
fn flat(x: &NdArray) -> Result<NdArray> {
    crate::shape::reshape(x, &[x.len()])
}
