//! Scalar semantics: what one element of each op computes, in f32, f64 and
//! the integer types. The array-level kernels in [`crate::elementwise`] map
//! these over data; f16 and bf16 reuse the f32 functions (widen, compute,
//! round back), which is what numpy does for float16 and ml_dtypes for bfloat16.
//!
//! Transcendental functions come from the `libm` crate (a port of musl), not
//! the host C library, so results are the same on every platform; they are
//! within about 1 ulp of numpy's (which uses the host libm or SIMD kernels).

use crate::elementwise::{BinaryOp, UnaryOp};
use crate::error::{NdError, Result};

/// A native binary float type whose math is done in its own precision.
pub(crate) trait Real: Copy + PartialOrd + std::fmt::Debug {
    /// Applies a float unary op (not `not` or the predicates, which callers handle).
    fn unary(op: UnaryOp, x: Self) -> Self;
    /// Applies a float binary op (not the bitwise ones, which callers reject).
    fn binary(op: BinaryOp, a: Self, b: Self) -> Self;
    /// Zero.
    const ZERO: Self;
    /// True for NaN.
    fn nan(self) -> bool;
    /// Magnitude of `self`, sign of `sign`.
    fn copy_sign(self, sign: Self) -> Self;
}

macro_rules! impl_real {
    ($t:ty, $m:ident) => {
        impl Real for $t {
            fn unary(op: UnaryOp, x: $t) -> $t {
                use UnaryOp as U;
                match op {
                    U::Neg => -x,
                    U::Abs => x.abs(),
                    // numpy: x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x (NaN stays NaN).
                    U::Sign => {
                        if x > 0.0 {
                            1.0
                        } else if x < 0.0 {
                            -1.0
                        } else if x == 0.0 {
                            0.0
                        } else {
                            x
                        }
                    }
                    U::Exp => $m::exp(x),
                    U::Exp2 => $m::exp2(x),
                    U::Expm1 => $m::expm1(x),
                    U::Log => $m::log(x),
                    U::Log2 => $m::log2(x),
                    U::Log10 => $m::log10(x),
                    U::Log1p => $m::log1p(x),
                    U::Sqrt => x.sqrt(),
                    U::Rsqrt => 1.0 / x.sqrt(),
                    U::Square => x * x,
                    U::Sin => $m::sin(x),
                    U::Cos => $m::cos(x),
                    U::Tan => $m::tan(x),
                    U::Asin => $m::asin(x),
                    U::Acos => $m::acos(x),
                    U::Atan => $m::atan(x),
                    U::Sinh => $m::sinh(x),
                    U::Cosh => $m::cosh(x),
                    U::Tanh => $m::tanh(x),
                    U::Asinh => $m::asinh(x),
                    U::Acosh => $m::acosh(x),
                    U::Atanh => $m::atanh(x),
                    U::Erf => $m::erf(x),
                    // Stable form: never evaluates exp of a large positive number.
                    U::Sigmoid => {
                        if x >= 0.0 {
                            1.0 / (1.0 + $m::exp(-x))
                        } else {
                            let e = $m::exp(x);
                            e / (1.0 + e)
                        }
                    }
                    U::Floor => x.floor(),
                    U::Ceil => x.ceil(),
                    U::Round => x.round_ties_even(),
                    U::Trunc => x.trunc(),
                    // Callers route these elsewhere; identity keeps this total.
                    U::Not | U::IsNan | U::IsInf | U::IsFinite => x,
                }
            }

            fn binary(op: BinaryOp, a: $t, b: $t) -> $t {
                use BinaryOp as B;
                match op {
                    B::Add => a + b,
                    B::Sub => a - b,
                    B::Mul => a * b,
                    B::Div => a / b,
                    B::Rem => remainder(b, $m::fmod(a, b)),
                    B::Fmod => $m::fmod(a, b),
                    B::Pow => $m::pow(a, b),
                    B::Max => max_second_on_tie(a, b),
                    B::Min => min_second_on_tie(a, b),
                    B::Atan2 => $m::atan2(a, b),
                    B::Hypot => $m::hypot(a, b),
                    B::Copysign => a.copysign(b),
                    B::Nextafter => $m::nextafter(a, b),
                    // Rejected for floats before we get here; NaN keeps this total.
                    B::And | B::Or | B::Xor => <$t>::NAN,
                }
            }

            const ZERO: $t = 0.0;

            fn nan(self) -> bool {
                self.is_nan()
            }

            fn copy_sign(self, sign: $t) -> $t {
                self.copysign(sign)
            }
        }
    };
}

/// numpy's `np.remainder` (`npy_divmod`'s modulus) from `b` and `fmod(a, b)`:
/// moved into the sign of `b`; `b == 0` keeps fmod's NaN.
fn remainder<T: Real>(b: T, m: T) -> T {
    if b == T::ZERO {
        return m;
    }
    if m != T::ZERO {
        if (b < T::ZERO) != (m < T::ZERO) {
            T::binary(BinaryOp::Add, m, b)
        } else {
            m
        }
    } else {
        T::ZERO.copy_sign(b)
    }
}

/// The f32 functions of `libm` under their f64 names, for [`impl_real`].
mod libm32 {
    pub use libm::{
        acosf as acos, acoshf as acosh, asinf as asin, asinhf as asinh, atan2f as atan2, atanf as atan,
        atanhf as atanh, cosf as cos, coshf as cosh, erff as erf, exp2f as exp2, expf as exp,
        expm1f as expm1, fmodf as fmod, hypotf as hypot, log10f as log10, log1pf as log1p, log2f as log2,
        logf as log, nextafterf as nextafter, powf as pow, sinf as sin, sinhf as sinh, tanf as tan,
        tanhf as tanh,
    };
}

impl_real!(f32, libm32);
impl_real!(f64, libm);

/// `numpy.maximum` for f32/f64: NaN propagates (the first NaN operand wins);
/// on equal operands (`-0.0` vs `0.0`) the second operand is returned, which
/// is what numpy 2.x's SIMD loops do on x86-64.
pub(crate) fn max_second_on_tie<T: Real>(a: T, b: T) -> T {
    if a.nan() || (!b.nan() && a > b) {
        a
    } else {
        b
    }
}

/// `numpy.minimum` for f32/f64; see [`max_second_on_tie`].
pub(crate) fn min_second_on_tie<T: Real>(a: T, b: T) -> T {
    if a.nan() || (!b.nan() && a < b) {
        a
    } else {
        b
    }
}

/// `nextafter` on the bits of a 16-bit float (sign bit 15), as numpy's
/// `npy_half_nextafter` does for f16 (`equal_returns_to == false`: returns `x`
/// when `x == y`) and ml_dtypes for bf16 (`true`: returns `y`, like C).
pub(crate) fn nextafter16(x: u16, y: u16, x_nan: bool, y_nan: bool, nan: u16, equal_returns_to: bool) -> u16 {
    let eq = x == y || (x | y) & 0x7fff == 0;
    if x_nan || y_nan {
        nan
    } else if eq {
        if equal_returns_to {
            y
        } else {
            x
        }
    } else if x & 0x7fff == 0 {
        (y & 0x8000) | 1
    } else if x & 0x8000 == 0 {
        // x > 0: move up when y > x (y positive and larger magnitude).
        if (x as i16) > (y as i16) {
            x - 1
        } else {
            x + 1
        }
    } else if y & 0x8000 == 0 || (x & 0x7fff) > (y & 0x7fff) {
        x - 1
    } else {
        x + 1
    }
}

/// Integer element types, computed through i128 and wrapped back, which
/// gives numpy's two's complement wrapping for every op without overflow.
pub(crate) trait Int: Copy + Ord {
    /// Widens exactly.
    fn wide(self) -> i128;
    /// Narrows with wrapping.
    fn narrow(v: i128) -> Self;
}

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            fn wide(self) -> i128 {
                i128::from(self)
            }
            fn narrow(v: i128) -> $t {
                v as $t
            }
        }
    )*};
}
impl_int!(i8, i16, i32, i64, u8);

/// Integer unary ops; `None` when the op is float-only.
pub(crate) fn int_unary<T: Int>(op: UnaryOp, x: T) -> Option<T> {
    use UnaryOp as U;
    let w = x.wide();
    Some(T::narrow(match op {
        U::Neg => -w,
        U::Abs => w.abs(),
        U::Sign => w.signum(),
        U::Square => w * w,
        // numpy 2 keeps integers as they are under rounding.
        U::Floor | U::Ceil | U::Round | U::Trunc => w,
        U::Not => !w,
        _ => return None,
    }))
}

/// Floor division and its remainder (Python `//` and `%`); division by zero gives (0, 0).
fn floor_divmod(a: i128, b: i128) -> (i128, i128) {
    if b == 0 {
        return (0, 0);
    }
    let (q, r) = (a / b, a % b);
    if r != 0 && ((r < 0) != (b < 0)) {
        (q - 1, r + b)
    } else {
        (q, r)
    }
}

/// Integer binary ops with numpy semantics; `Ok(None)` when float-only.
pub(crate) fn int_binary<T: Int>(op: BinaryOp, a: T, b: T) -> Result<Option<T>> {
    use BinaryOp as B;
    let (x, y) = (a.wide(), b.wide());
    Ok(Some(match op {
        B::Add => T::narrow(x + y),
        B::Sub => T::narrow(x - y),
        B::Mul => T::narrow(x * y),
        // INT_MIN // -1 is 2^63 in i128 and wraps back to INT_MIN when narrowed.
        B::Div => T::narrow(floor_divmod(x, y).0),
        B::Rem => T::narrow(floor_divmod(x, y).1),
        B::Fmod => T::narrow(if y == 0 { 0 } else { x % y }),
        B::Pow => int_pow(a, b)?,
        B::Max => a.max(b),
        B::Min => a.min(b),
        B::And => T::narrow(x & y),
        B::Or => T::narrow(x | y),
        B::Xor => T::narrow(x ^ y),
        B::Atan2 | B::Hypot | B::Copysign | B::Nextafter => return Ok(None),
    }))
}

/// Wrapping integer power by squaring; a negative exponent is an error, as in numpy.
fn int_pow<T: Int>(base: T, exp: T) -> Result<T> {
    let mut e = exp.wide();
    if e < 0 {
        return Err(NdError::NegativeIntegerPower);
    }
    let mut acc = T::narrow(1);
    let mut b = base;
    while e > 0 {
        if e & 1 == 1 {
            acc = T::narrow(acc.wide() * b.wide());
        }
        b = T::narrow(b.wide() * b.wide());
        e >>= 1;
    }
    Ok(acc)
}
