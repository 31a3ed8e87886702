//! Folders of the math ops: constant operands are evaluated in the op's own
//! precision, as MLIR's math folders do.
//!
//! - **Exact ops fold in every float type**: `absf`, `copysign` (sign bit
//!   only, NaNs included), `floor`, `ceil`, `round` (half away from zero),
//!   `roundeven`, `trunc` (the integral result is representable), and
//!   `sqrt` (f32 carries more than twice f16/bf16 precision, so rounding the
//!   f32 root once more is exact).
//! - **Other functions fold in f32 and f64 only**, through Rust's `f32`/`f64`
//!   methods (the platform libm, as MLIR's `expf`/`exp`), never computing an
//!   f32 op in f64. They are not folded for f16/bf16, where rounding a
//!   libm result a second time could differ from the runtime.
//!   `rsqrt` is `1 / sqrt(x)` with two roundings, as it is usually lowered.
//!   `erf`/`erfc` come from [`crate::erf`] (within 1 f64 ulp) rounded once.
//! - `fma` folds with a single rounding (`mul_add`) in f32 and f64.
//! - NaN operands give their first NaN, quieted; a NaN made by the function
//!   (`sqrt(-1)`, `log(-1)`) is the default NaN. `powf` follows C: `pow(x,
//!   0) = 1` and `pow(1, y) = 1` even for NaN.
//!
//! Idempotent functions also fold `f(f(x)) -> f(x)` (`floor`, `ceil`,
//! `round`, `roundeven`, `trunc`, `absf`).

use axir_arith::apfloat::ApFloat;
use axir_arith::fold::{fold_float_elementwise, ConstValue, Folder};
use axir_ir::{Attribute, FloatKind, FoldResult, OpId, Value};

/// The constant values of the operands.
fn consts(f: &Folder<'_>, attrs: &[Option<Attribute>], n: usize) -> Vec<Option<ConstValue>> {
    (0..n).map(|i| attrs.get(i).copied().flatten().and_then(|a| ConstValue::from_attr(f.ctx(), a))).collect()
}

/// A unary function folded only in f32 and f64.
fn libm_unary(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    f32_fn: fn(f32) -> f32,
    f64_fn: fn(f64) -> f64,
) -> Option<FoldResult> {
    let c = consts(f, attrs, 1);
    fold_float_elementwise(f, op, &c, |v| match v[0].kind() {
        FloatKind::F32 | FloatKind::F64 => Some(v[0].unary(f32_fn, f64_fn)),
        FloatKind::F16 | FloatKind::BF16 => None,
    })
}

/// A unary function exactly rounded in f32, so folded in every type.
fn exact_unary(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    f32_fn: fn(f32) -> f32,
    f64_fn: fn(f64) -> f64,
) -> Option<FoldResult> {
    let c = consts(f, attrs, 1);
    fold_float_elementwise(f, op, &c, |v| Some(v[0].unary(f32_fn, f64_fn)))
}

/// A binary libm function (f32/f64 only). A NaN result takes the first NaN
/// operand, quieted, or is the default NaN; non-NaN results (`pow(NaN, 0)`)
/// are kept.
fn libm_binary(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    f32_fn: fn(f32, f32) -> f32,
    f64_fn: fn(f64, f64) -> f64,
) -> Option<FoldResult> {
    let c = consts(f, attrs, 2);
    fold_float_elementwise(f, op, &c, |v| {
        let (a, b) = (v[0], v[1]);
        let r = match a.kind() {
            FloatKind::F32 => ApFloat::from_f32(f32_fn(a.to_f32(), b.to_f32())),
            FloatKind::F64 => ApFloat::from_f64(f64_fn(a.to_f64(), b.to_f64())),
            FloatKind::F16 | FloatKind::BF16 => return None,
        };
        Some(if !r.is_nan() {
            r
        } else if a.is_nan() {
            a.quiet()
        } else if b.is_nan() {
            b.quiet()
        } else {
            ApFloat::default_nan(a.kind())
        })
    })
}

/// `f(f(x)) -> f(x)` for an idempotent `f`.
fn idempotent(f: &Folder<'_>, op: OpId) -> Option<FoldResult> {
    let ctx = f.ctx();
    let x: Value = ctx.operand(op, 0);
    let inner = ctx.defining_op(x)?;
    (ctx.op_name(inner) == ctx.op_name(op)).then_some(FoldResult::Value(x))
}

macro_rules! libm_folders {
    ($($name:ident => $f32:expr, $f64:expr;)*) => {
        $(
            pub(crate) fn $name(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
                libm_unary(f, op, attrs, $f32, $f64)
            }
        )*
    };
}

libm_folders! {
    exp => f32::exp, f64::exp;
    exp2 => f32::exp2, f64::exp2;
    expm1 => f32::exp_m1, f64::exp_m1;
    log => f32::ln, f64::ln;
    log2 => f32::log2, f64::log2;
    log10 => f32::log10, f64::log10;
    log1p => f32::ln_1p, f64::ln_1p;
    rsqrt => |x| 1.0 / x.sqrt(), |x| 1.0 / x.sqrt();
    sin => f32::sin, f64::sin;
    cos => f32::cos, f64::cos;
    tan => f32::tan, f64::tan;
    asin => f32::asin, f64::asin;
    acos => f32::acos, f64::acos;
    atan => f32::atan, f64::atan;
    sinh => f32::sinh, f64::sinh;
    cosh => f32::cosh, f64::cosh;
    tanh => f32::tanh, f64::tanh;
    // libm's, not std's: std computes ln(x + sqrt(x*x + 1)), which overflows
    // to inf for x near the largest finite values where the result is finite.
    asinh => libm::asinhf, libm::asinh;
    acosh => libm::acoshf, libm::acosh;
    atanh => f32::atanh, f64::atanh;
    cbrt => f32::cbrt, f64::cbrt;
    erf => |x| crate::erf::erf(x as f64) as f32, crate::erf::erf;
    erfc => |x| crate::erf::erfc(x as f64) as f32, crate::erf::erfc;
}

macro_rules! exact_folders {
    ($($name:ident => $f32:expr, $f64:expr;)*) => {
        $(
            pub(crate) fn $name(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
                if let Some(r) = idempotent(f, op) {
                    return Some(r);
                }
                exact_unary(f, op, attrs, $f32, $f64)
            }
        )*
    };
}

exact_folders! {
    floor => f32::floor, f64::floor;
    ceil => f32::ceil, f64::ceil;
    round => f32::round, f64::round;
    roundeven => f32::round_ties_even, f64::round_ties_even;
    trunc => f32::trunc, f64::trunc;
}

/// `sqrt`: exactly rounded in every type (no idempotence: `sqrt(sqrt x)` is
/// the fourth root).
pub(crate) fn sqrt(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    exact_unary(f, op, attrs, f32::sqrt, f64::sqrt)
}

/// `absf`: clears the sign bit; `absf(absf(x)) -> absf(x)`.
pub(crate) fn absf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    if let Some(r) = idempotent(f, op) {
        return Some(r);
    }
    let c = consts(f, attrs, 1);
    fold_float_elementwise(f, op, &c, |v| Some(v[0].abs()))
}

/// `copysign`: the magnitude of the first operand with the sign of the second.
pub(crate) fn copysign(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let c = consts(f, attrs, 2);
    fold_float_elementwise(f, op, &c, |v| Some(v[0].copysign(v[1])))
}

/// `atan2(y, x)`.
pub(crate) fn atan2(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    libm_binary(f, op, attrs, f32::atan2, f64::atan2)
}

/// `powf(x, y)`.
pub(crate) fn powf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    libm_binary(f, op, attrs, f32::powf, f64::powf)
}

/// `fma(a, b, c) = a * b + c` with one rounding.
pub(crate) fn fma(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let c = consts(f, attrs, 3);
    fold_float_elementwise(f, op, &c, |v| v[0].fma(v[1], v[2]))
}
