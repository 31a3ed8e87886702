//! The scalar evaluator: MLIR's semantics of every `arith` and `math` op on
//! one set of operand elements, applied lane by lane to vectors and tensors.
//!
//! It computes with the arith dialect's exact [`ApInt`] and [`ApFloat`], so
//! a run-time result equals what the folders would produce: integers wrap to
//! their width, floats round once in the op's own precision. Where MLIR says
//! the result is undefined behaviour or poison (a zero divisor, `INT_MIN /
//! -1`, a shift by the width or more, `fptosi` of a value out of range or
//! NaN) the evaluator returns an error instead of a value.
//!
//! Math functions other than the exact ones (`floor`, `sqrt`, ...) use
//! Rust's `f32`/`f64` functions, as the math folders do; f16 and bf16
//! compute in f32 and round once to their format (what MLIR's lowering of
//! f16 math through `extf`/`truncf` does). `erf`/`erfc` use
//! [`axir_math::erf`] rounded once.

use axir_arith::apfloat::ApFloat;
use axir_arith::apint::ApInt;
use axir_arith::fold::{ElementKind, Scalar};
use axir_arith::{CmpFPredicate, CmpIPredicate};
use axir_ir::FloatKind;

/// What an op needs besides its operands: its `predicate` attribute (cmp
/// ops) and the element kind of its result (casts).
#[derive(Copy, Clone, Debug)]
pub struct OpSpec<'a> {
    /// Full op name, e.g. `arith.addf`.
    pub name: &'a str,
    /// The integer `predicate` attribute, if any.
    pub predicate: Option<i128>,
    /// The element kind of the result.
    pub result: ElementKind,
    /// `overflow<nsw>`: signed wrap-around gives poison.
    pub nsw: bool,
    /// `overflow<nuw>`: unsigned wrap-around gives poison.
    pub nuw: bool,
}

impl<'a> OpSpec<'a> {
    /// The spec of an op with no predicate and no overflow flags.
    pub fn plain(name: &'a str, result: ElementKind) -> Self {
        OpSpec { name, predicate: None, result, nsw: false, nuw: false }
    }
}

/// Whether `r`, the wrapped result of `name` on `a` and `b`, differs from
/// the exact result read signed (`signed`) or unsigned: the overflow that
/// `nsw`/`nuw` turn into poison.
fn overflowed(name: &str, a: ApInt, b: ApInt, r: ApInt, signed: bool) -> bool {
    if signed {
        let (x, y) = (a.sext_value(), b.sext_value());
        let exact = match name {
            "arith.addi" => x.checked_add(y),
            "arith.subi" => x.checked_sub(y),
            "arith.muli" => x.checked_mul(y),
            "arith.shli" => {
                u32::try_from(b.zext_value()).ok().and_then(|k| x.checked_mul(1i128.checked_shl(k)?))
            }
            _ => return false,
        };
        exact != Some(r.sext_value())
    } else {
        let (x, y) = (a.zext_value(), b.zext_value());
        let exact = match name {
            "arith.addi" => x.checked_add(y),
            "arith.subi" => x.checked_sub(y),
            "arith.muli" => x.checked_mul(y),
            "arith.shli" => u32::try_from(y).ok().and_then(|k| x.checked_mul(1u128.checked_shl(k)?)),
            _ => return false,
        };
        exact != Some(r.zext_value())
    }
}

type EvalResult = Result<Scalar, String>;

fn f(s: Scalar) -> Result<ApFloat, String> {
    s.float().ok_or_else(|| "expected a float operand".to_string())
}

fn i(s: Scalar) -> Result<ApInt, String> {
    s.int().ok_or_else(|| "expected an integer operand".to_string())
}

fn bool_scalar(b: bool) -> Scalar {
    Scalar::Int(ApInt::from_u128(1, u128::from(b)))
}

fn arg(args: &[Scalar], k: usize) -> Result<Scalar, String> {
    args.get(k).copied().ok_or_else(|| format!("missing operand #{k}"))
}

/// Whether the evaluator knows the op `name`.
pub fn is_scalar_op(name: &str) -> bool {
    (name.starts_with("arith.") && name != "arith.constant") || name.starts_with("math.")
}

/// A unary math function in the op's precision (f16/bf16 through f32).
fn unary_fn(x: ApFloat, f32_op: fn(f32) -> f32, f64_op: fn(f64) -> f64) -> ApFloat {
    x.unary(f32_op, f64_op)
}

/// A binary libm function with the math folder's NaN rule: a non-NaN result
/// (`pow(NaN, 0) = 1`) is kept; a NaN result is the first NaN operand,
/// quieted, or the default NaN.
fn binary_fn(a: ApFloat, b: ApFloat, f32_op: fn(f32, f32) -> f32, f64_op: fn(f64, f64) -> f64) -> ApFloat {
    let r = match a.kind() {
        FloatKind::F64 => ApFloat::from_f64(f64_op(a.to_f64(), b.to_f64())),
        kind => ApFloat::from_f32(f32_op(a.to_f32(), b.to_f32())).convert(kind),
    };
    if !r.is_nan() {
        r
    } else if a.is_nan() {
        a.quiet()
    } else if b.is_nan() {
        b.quiet()
    } else {
        ApFloat::default_nan(a.kind())
    }
}

/// `erf`/`erfc` through the f64 implementation, rounded once.
fn erf_like(x: ApFloat, g: fn(f64) -> f64) -> ApFloat {
    if x.is_nan() {
        return x.quiet();
    }
    ApFloat::from_f64(g(x.to_f64())).convert(x.kind())
}

fn undefined(what: &str) -> String {
    format!("{what} (undefined behavior in MLIR)")
}

fn int_binary(name: &str, a: ApInt, b: ApInt) -> Option<EvalResult> {
    let width = a.width();
    let shift_err =
        || undefined(&format!("shift amount {} is not less than the bit width {width}", b.zext_value()));
    let div_err = || {
        if b.is_zero() {
            undefined("division by zero")
        } else {
            undefined("signed division overflow")
        }
    };
    Some(Ok(Scalar::Int(match name {
        "arith.addi" => a + b,
        "arith.subi" => a - b,
        "arith.muli" => a * b,
        "arith.divsi" => return Some(a.sdiv(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.divui" => return Some(a.udiv(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.remsi" => return Some(a.srem(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.remui" => return Some(a.urem(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.floordivsi" => return Some(a.floordiv_s(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.ceildivsi" => return Some(a.ceildiv_s(b).map(Scalar::Int).ok_or_else(div_err)),
        "arith.andi" => a.and(b),
        "arith.ori" => a.or(b),
        "arith.xori" => a.xor(b),
        "arith.shli" => return Some(a.shift_left(b).map(Scalar::Int).ok_or_else(shift_err)),
        "arith.shrsi" => return Some(a.ashr(b).map(Scalar::Int).ok_or_else(shift_err)),
        "arith.shrui" => return Some(a.lshr(b).map(Scalar::Int).ok_or_else(shift_err)),
        "arith.maxsi" => a.smax(b),
        "arith.minsi" => a.smin(b),
        "arith.maxui" => a.umax(b),
        "arith.minui" => a.umin(b),
        _ => return None,
    })))
}

fn float_binary(name: &str, a: ApFloat, b: ApFloat) -> Option<ApFloat> {
    Some(match name {
        "arith.addf" => a + b,
        "arith.subf" => a - b,
        "arith.mulf" => a * b,
        "arith.divf" => a / b,
        "arith.remf" => a % b,
        "arith.maximumf" => a.maximum(b),
        "arith.minimumf" => a.minimum(b),
        "arith.maxnumf" => a.maxnum(b),
        "arith.minnumf" => a.minnum(b),
        "math.copysign" => a.copysign(b),
        "math.atan2" => binary_fn(a, b, f32::atan2, f64::atan2),
        "math.powf" => binary_fn(a, b, f32::powf, f64::powf),
        _ => return None,
    })
}

fn float_unary(name: &str, x: ApFloat) -> Option<ApFloat> {
    Some(match name {
        "arith.negf" => -x,
        "math.absf" => x.abs(),
        "math.ceil" => unary_fn(x, f32::ceil, f64::ceil),
        "math.floor" => unary_fn(x, f32::floor, f64::floor),
        "math.round" => unary_fn(x, f32::round, f64::round),
        "math.roundeven" => unary_fn(x, f32::round_ties_even, f64::round_ties_even),
        "math.trunc" => unary_fn(x, f32::trunc, f64::trunc),
        "math.sqrt" => unary_fn(x, f32::sqrt, f64::sqrt),
        "math.rsqrt" => unary_fn(x, |v| 1.0 / v.sqrt(), |v| 1.0 / v.sqrt()),
        "math.cbrt" => unary_fn(x, f32::cbrt, f64::cbrt),
        "math.exp" => unary_fn(x, f32::exp, f64::exp),
        "math.exp2" => unary_fn(x, f32::exp2, f64::exp2),
        "math.expm1" => unary_fn(x, f32::exp_m1, f64::exp_m1),
        "math.log" => unary_fn(x, f32::ln, f64::ln),
        "math.log2" => unary_fn(x, f32::log2, f64::log2),
        "math.log10" => unary_fn(x, f32::log10, f64::log10),
        "math.log1p" => unary_fn(x, f32::ln_1p, f64::ln_1p),
        "math.sin" => unary_fn(x, f32::sin, f64::sin),
        "math.cos" => unary_fn(x, f32::cos, f64::cos),
        "math.tan" => unary_fn(x, f32::tan, f64::tan),
        "math.asin" => unary_fn(x, f32::asin, f64::asin),
        "math.acos" => unary_fn(x, f32::acos, f64::acos),
        "math.atan" => unary_fn(x, f32::atan, f64::atan),
        "math.sinh" => unary_fn(x, f32::sinh, f64::sinh),
        "math.cosh" => unary_fn(x, f32::cosh, f64::cosh),
        "math.tanh" => unary_fn(x, f32::tanh, f64::tanh),
        // libm's, as the math folder: std's overflow near the largest values.
        "math.asinh" => unary_fn(x, libm::asinhf, libm::asinh),
        "math.acosh" => unary_fn(x, libm::acoshf, libm::acosh),
        "math.atanh" => unary_fn(x, f32::atanh, f64::atanh),
        "math.erf" => erf_like(x, axir_math::erf::erf),
        "math.erfc" => erf_like(x, axir_math::erf::erfc),
        _ => return None,
    })
}

/// Fused multiply-add: one rounding in f32/f64. For f16/bf16 the product is
/// exact in f64 and the sum rounds in f64 then to the format, which can
/// differ from a single rounding in rare halfway cases.
fn fma(a: ApFloat, b: ApFloat, c: ApFloat) -> ApFloat {
    match a.fma(b, c) {
        Some(r) => r,
        None => {
            for v in [a, b, c] {
                if v.is_nan() {
                    return v.quiet();
                }
            }
            let r = ApFloat::from_f64(a.to_f64().mul_add(b.to_f64(), c.to_f64())).convert(a.kind());
            if r.is_nan() {
                ApFloat::default_nan(a.kind())
            } else {
                r
            }
        }
    }
}

/// Evaluates `spec.name` on one element of each operand.
pub fn eval_scalar(spec: OpSpec<'_>, args: &[Scalar]) -> EvalResult {
    let name = spec.name;
    match args {
        [Scalar::Int(a), Scalar::Int(b)] => {
            if let Some(r) = int_binary(name, *a, *b) {
                if let Ok(Scalar::Int(v)) = r {
                    for (flag, signed, what) in [(spec.nsw, true, "nsw"), (spec.nuw, false, "nuw")] {
                        if flag && overflowed(name, *a, *b, v, signed) {
                            return Err(format!(
                                "{} overflow in an op with overflow<{what}> (poison in MLIR)",
                                if signed { "signed" } else { "unsigned" }
                            ));
                        }
                    }
                }
                return r;
            }
        }
        [Scalar::Float(a), Scalar::Float(b)] => {
            if let Some(r) = float_binary(name, *a, *b) {
                return Ok(Scalar::Float(r));
            }
        }
        [Scalar::Float(x)] => {
            if let Some(r) = float_unary(name, *x) {
                return Ok(Scalar::Float(r));
            }
        }
        _ => {}
    }
    let result = spec.result;
    match (name, result) {
        ("arith.cmpf", _) => {
            let pred = spec
                .predicate
                .and_then(CmpFPredicate::from_value)
                .ok_or("arith.cmpf has no valid 'predicate' attribute")?;
            Ok(bool_scalar(pred.evaluate(f(arg(args, 0)?)?, f(arg(args, 1)?)?)))
        }
        ("arith.cmpi", _) => {
            let pred = spec
                .predicate
                .and_then(CmpIPredicate::from_value)
                .ok_or("arith.cmpi has no valid 'predicate' attribute")?;
            Ok(bool_scalar(pred.evaluate(i(arg(args, 0)?)?, i(arg(args, 1)?)?)))
        }
        ("arith.select", _) => {
            let c = i(arg(args, 0)?)?;
            if c.is_zero() {
                arg(args, 2)
            } else {
                arg(args, 1)
            }
        }
        ("math.fma", _) => Ok(Scalar::Float(fma(f(arg(args, 0)?)?, f(arg(args, 1)?)?, f(arg(args, 2)?)?))),
        ("arith.extf" | "arith.truncf", ElementKind::Float(k)) => {
            Ok(Scalar::Float(f(arg(args, 0)?)?.convert(k)))
        }
        ("arith.extsi" | "arith.trunci" | "arith.index_cast", ElementKind::Int(w)) => {
            Ok(Scalar::Int(i(arg(args, 0)?)?.sext_or_trunc(w)))
        }
        ("arith.extui" | "arith.index_castui", ElementKind::Int(w)) => {
            Ok(Scalar::Int(i(arg(args, 0)?)?.zext_or_trunc(w)))
        }
        ("arith.sitofp" | "arith.uitofp", ElementKind::Float(k)) => {
            Ok(Scalar::Float(ApFloat::from_int(i(arg(args, 0)?)?, name == "arith.sitofp", k)))
        }
        ("arith.fptosi" | "arith.fptoui", ElementKind::Int(w)) => {
            let x = f(arg(args, 0)?)?;
            let signed = name == "arith.fptosi";
            x.to_int(w, signed).map(Scalar::Int).ok_or_else(|| {
                format!(
                    "{} of {} is out of range for i{w} (poison in MLIR)",
                    name.trim_start_matches("arith."),
                    x.to_f64()
                )
            })
        }
        ("arith.bitcast", ElementKind::Int(w)) => {
            Ok(Scalar::Int(ApInt::from_u128(w, u128::from(f(arg(args, 0)?)?.bits()))))
        }
        ("arith.bitcast", ElementKind::Float(k)) => {
            Ok(Scalar::Float(ApFloat::from_bits(k, i(arg(args, 0)?)?.zext_value() as u64)))
        }
        _ => Err(format!("the reference interpreter does not evaluate '{name}' on these operands")),
    }
}

/// Evaluates a reduction's combining op: `arith.addf`, `arith.maxsi`, ... on two values.
pub fn combine(op_name: &str, acc: Scalar, value: Scalar) -> EvalResult {
    let result = match acc {
        Scalar::Int(a) => ElementKind::Int(a.width()),
        Scalar::Float(x) => ElementKind::Float(x.kind()),
    };
    eval_scalar(OpSpec::plain(op_name, result), &[acc, value])
}
