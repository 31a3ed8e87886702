//! What one element of each array op computes, as `arith` and `math` ops.
//!
//! The rules reproduce `axir_ndarray` (numpy) bit for bit where the math is
//! exact, because the lowered program is checked against the array-level
//! program run by the reference interpreter:
//!
//! - f16 and bf16 are widened to f32, computed, and rounded once (numpy's
//!   float16 loops and ml_dtypes do the same);
//! - integer `div` is floor division and `rem` takes the divisor's sign
//!   (Python's `//` and `%`); division by zero gives 0, and the divisor is
//!   replaced by 1 first so that no `arith` division is ever undefined;
//! - float `max`/`min` are `numpy.maximum`/`minimum`: NaN propagates, and
//!   on equal operands (`-0.0` and `0.0`) the second is returned (the first
//!   for f16). `arith.maximumf` orders `-0.0 < 0.0`, so it is not used;
//! - float `rem` is `numpy.remainder` (`fmod`, then moved to the sign of
//!   the divisor), `round` is `math.roundeven`;
//! - casts from float to integer saturate and send NaN to 0 (Rust's `as`,
//!   which `axir_ndarray` uses); the value is clamped before `fptosi`, which
//!   is undefined out of range.

use super::builder::Emitter;
use axir_ir::{Context, FloatKind, Signedness, Type, TypeData, Value};

/// The element types of the array dialect, with the meaning `arith` leaves
/// to the op: `ui8` becomes `i8` with unsigned ops.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Elem {
    /// `i1`.
    Bool,
    /// `i8 i16 i32 i64`, and `ui8` (`unsigned`).
    Int {
        /// Bit width.
        width: u32,
        /// Whether the bits are read as unsigned.
        unsigned: bool,
    },
    /// `f16 bf16 f32 f64`.
    Float(FloatKind),
}

impl Elem {
    /// The element kind of an array element type.
    pub fn of(ctx: &Context, ty: Type) -> Option<Elem> {
        match ctx.type_data(ty) {
            TypeData::Integer { width: 1, signedness: Signedness::Signless } => Some(Elem::Bool),
            TypeData::Integer { width: w @ (8 | 16 | 32 | 64), signedness: Signedness::Signless } => {
                Some(Elem::Int { width: *w, unsigned: false })
            }
            TypeData::Integer { width: 8, signedness: Signedness::Unsigned } => {
                Some(Elem::Int { width: 8, unsigned: true })
            }
            TypeData::Float(k) => Some(Elem::Float(*k)),
            _ => None,
        }
    }

    /// The signless type that holds it at the loop level.
    pub fn loop_type(self, ctx: &mut Context) -> Type {
        match self {
            Elem::Bool => ctx.i1_type(),
            Elem::Int { width, .. } => ctx.integer_type(width),
            Elem::Float(k) => ctx.float_type(k),
        }
    }
}

// MLIR's predicate numbers.
const F_OEQ: i128 = 1;
const F_OGT: i128 = 2;
const F_OGE: i128 = 3;
const F_OLT: i128 = 4;
const F_OLE: i128 = 5;
const F_ONE: i128 = 6;
const F_UNE: i128 = 13;
const F_UNO: i128 = 14;
const I_EQ: i128 = 0;
const I_NE: i128 = 1;
const I_SLT: i128 = 2;
const I_SGT: i128 = 4;
const I_ULT: i128 = 6;
const I_UGT: i128 = 8;

/// The type arithmetic is done in: f32 for f16 and bf16.
fn compute_kind(k: FloatKind) -> FloatKind {
    match k {
        FloatKind::F16 | FloatKind::BF16 => FloatKind::F32,
        k => k,
    }
}

/// Widens a float to its compute type.
pub fn widen(e: &mut Emitter<'_>, x: Value, k: FloatKind) -> Value {
    let ty = e.ctx.float_type(compute_kind(k));
    e.cast("arith.extf", x, ty)
}

/// Rounds a value of the compute type back to `k`.
pub fn narrow(e: &mut Emitter<'_>, x: Value, k: FloatKind) -> Value {
    let ty = e.ctx.float_type(k);
    e.cast("arith.truncf", x, ty)
}

/// A float's NaN test.
fn is_nan(e: &mut Emitter<'_>, x: Value) -> Value {
    e.cmpf(F_UNO, x, x)
}

/// Unary elementwise op `name` (without `array.`) on one element.
pub fn unary(e: &mut Emitter<'_>, name: &str, x: Value, elem: Elem) -> Result<Value, String> {
    match elem {
        Elem::Float(k) => {
            if let Some(r) = float_predicate(e, name, x) {
                return Ok(r);
            }
            let w = widen(e, x, k);
            let r = float_unary(e, name, w)?;
            let r = narrow(e, r, k);
            if name == "sign" && k == FloatKind::BF16 {
                // ml_dtypes returns zeros unchanged (-0.0 stays -0.0).
                let zero = e.float(0.0, e.ctx.value_type(x));
                let is_zero = e.cmpf(F_OEQ, x, zero);
                return Ok(e.select(is_zero, x, r));
            }
            Ok(r)
        }
        Elem::Int { width, unsigned } => int_unary(e, name, x, width, unsigned),
        Elem::Bool => match name {
            "abs" | "floor" | "ceil" | "round" | "trunc" => Ok(x),
            "not" => {
                let t = e.bool(true);
                Ok(e.bin("arith.xori", x, t))
            }
            _ => Err(format!("'array.{name}' is not defined on i1")),
        },
    }
}

fn float_predicate(e: &mut Emitter<'_>, name: &str, x: Value) -> Option<Value> {
    let ty = e.ctx.value_type(x);
    Some(match name {
        "isnan" => is_nan(e, x),
        "isinf" | "isfinite" => {
            let a = e.un("math.absf", x);
            let inf = e.float(f64::INFINITY, ty);
            if name == "isinf" {
                e.cmpf(F_OEQ, a, inf)
            } else {
                e.cmpf(F_ONE, a, inf)
            }
        }
        _ => return None,
    })
}

fn float_unary(e: &mut Emitter<'_>, name: &str, x: Value) -> Result<Value, String> {
    let ty = e.ctx.value_type(x);
    Ok(match name {
        "neg" => e.un("arith.negf", x),
        "abs" => e.un("math.absf", x),
        "sign" => {
            // numpy: x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x (NaN stays NaN).
            let (zero, one, minus) = (e.float(0.0, ty), e.float(1.0, ty), e.float(-1.0, ty));
            let is_zero = e.cmpf(F_OEQ, x, zero);
            let z = e.select(is_zero, zero, x);
            let neg = e.cmpf(F_OLT, x, zero);
            let n = e.select(neg, minus, z);
            let pos = e.cmpf(F_OGT, x, zero);
            e.select(pos, one, n)
        }
        "exp" | "exp2" | "expm1" | "log" | "log2" | "log10" | "log1p" | "sin" | "cos" | "tan" | "asin"
        | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "asinh" | "acosh" | "atanh" | "erf" | "sqrt"
        | "floor" | "ceil" | "trunc" => e.un(&format!("math.{name}"), x),
        "round" => e.un("math.roundeven", x),
        // Two roundings, as numpy computes 1 / sqrt(x).
        "rsqrt" => {
            let one = e.float(1.0, ty);
            let s = e.un("math.sqrt", x);
            e.bin("arith.divf", one, s)
        }
        "square" => e.bin("arith.mulf", x, x),
        // The stable form numpy's reference uses: exp of a large positive
        // number is never needed on the branch that is kept.
        "sigmoid" => {
            let (zero, one) = (e.float(0.0, ty), e.float(1.0, ty));
            let nx = e.un("arith.negf", x);
            let en = e.un("math.exp", nx);
            let dn = e.bin("arith.addf", one, en);
            let pos = e.bin("arith.divf", one, dn);
            let ep = e.un("math.exp", x);
            let dp = e.bin("arith.addf", one, ep);
            let neg = e.bin("arith.divf", ep, dp);
            let c = e.cmpf(F_OGE, x, zero);
            e.select(c, pos, neg)
        }
        _ => return Err(format!("'array.{name}' is not defined on floats")),
    })
}

fn int_unary(e: &mut Emitter<'_>, name: &str, x: Value, width: u32, unsigned: bool) -> Result<Value, String> {
    let ty = e.ctx.value_type(x);
    let zero = e.int(0, ty);
    Ok(match name {
        "neg" => e.bin("arith.subi", zero, x),
        "abs" if unsigned => x,
        "abs" => {
            let n = e.bin("arith.subi", zero, x);
            let neg = e.cmpi(I_SLT, x, zero);
            e.select(neg, n, x)
        }
        "sign" => {
            let one = e.int(1, ty);
            let nz = e.cmpi(I_NE, x, zero);
            let s = e.select(nz, one, zero);
            if unsigned {
                s
            } else {
                let minus = e.int(-1, ty);
                let neg = e.cmpi(I_SLT, x, zero);
                e.select(neg, minus, s)
            }
        }
        "square" => e.bin("arith.muli", x, x),
        "floor" | "ceil" | "round" | "trunc" => x,
        "not" => {
            let ones = e.int((1i128 << width) - 1, ty);
            e.bin("arith.xori", x, ones)
        }
        _ => return Err(format!("'array.{name}' is not defined on integers")),
    })
}

/// Binary elementwise op `name` (without `array.`) on one element of each operand.
pub fn binary(e: &mut Emitter<'_>, name: &str, a: Value, b: Value, elem: Elem) -> Result<Value, String> {
    match elem {
        Elem::Float(k) => float_binary(e, name, a, b, k),
        Elem::Int { width, unsigned } => int_binary(e, name, a, b, width, unsigned),
        Elem::Bool => Ok(match name {
            "add" | "max" | "or" => e.bin("arith.ori", a, b),
            "mul" | "min" | "and" => e.bin("arith.andi", a, b),
            "xor" => e.bin("arith.xori", a, b),
            _ => return Err(format!("'array.{name}' is not defined on i1")),
        }),
    }
}

fn float_binary(e: &mut Emitter<'_>, name: &str, a: Value, b: Value, k: FloatKind) -> Result<Value, String> {
    let (x, y) = (widen(e, a, k), widen(e, b, k));
    match name {
        // Pick an operand rather than compute one, so that NaN payloads and
        // signs of zero survive; f16 keeps the first operand on ties.
        "max" | "min" => {
            let first_nan = is_nan(e, x);
            let pred = match (name, k) {
                ("max", FloatKind::F16) => F_OGE,
                ("max", _) => F_OGT,
                (_, FloatKind::F16) => F_OLE,
                _ => F_OLT,
            };
            let wins = e.cmpf(pred, x, y);
            let take_first = e.bin("arith.ori", first_nan, wins);
            return Ok(e.select(take_first, a, b));
        }
        "nextafter" => return Ok(nextafter(e, a, b, k)),
        _ => {}
    }
    let ty = e.ctx.value_type(x);
    let r = match name {
        "add" => e.bin("arith.addf", x, y),
        "sub" => e.bin("arith.subf", x, y),
        "mul" => e.bin("arith.mulf", x, y),
        "div" => e.bin("arith.divf", x, y),
        "fmod" => e.bin("arith.remf", x, y),
        "rem" => {
            // numpy.remainder: fmod moved to the sign of the divisor; a zero
            // result takes the divisor's sign.
            let zero = e.float(0.0, ty);
            let m = e.bin("arith.remf", x, y);
            let m_nz = e.cmpf(F_ONE, m, zero);
            let y_neg = e.cmpf(F_OLT, y, zero);
            let m_neg = e.cmpf(F_OLT, m, zero);
            let differ = e.bin("arith.xori", y_neg, m_neg);
            let fix = e.bin("arith.andi", m_nz, differ);
            let moved = e.bin("arith.addf", m, y);
            let r = e.select(fix, moved, m);
            let signed_zero = e.bin("math.copysign", zero, y);
            let m_zero = e.cmpf(F_OEQ, m, zero);
            e.select(m_zero, signed_zero, r)
        }
        "pow" => e.bin("math.powf", x, y),
        "atan2" => e.bin("math.atan2", x, y),
        "copysign" => e.bin("math.copysign", x, y),
        "hypot" => hypot(e, x, y),
        _ => return Err(format!("'array.{name}' is not defined on floats")),
    };
    Ok(narrow(e, r, k))
}

/// `hypot` without undue overflow: in f64 for f32 (exact enough to round
/// correctly), scaled by the larger magnitude for f64. Infinity wins over NaN.
fn hypot(e: &mut Emitter<'_>, x: Value, y: Value) -> Value {
    let ty = e.ctx.value_type(x);
    let (ax, ay) = (e.un("math.absf", x), e.un("math.absf", y));
    let inf = e.float(f64::INFINITY, ty);
    let r = if e.float_kind(ty) == Some(FloatKind::F32) {
        let f64t = e.ctx.f64_type();
        let (dx, dy) = (e.cast("arith.extf", ax, f64t), e.cast("arith.extf", ay, f64t));
        let (xx, yy) = (e.bin("arith.mulf", dx, dx), e.bin("arith.mulf", dy, dy));
        let s = e.bin("arith.addf", xx, yy);
        let r = e.un("math.sqrt", s);
        e.cast("arith.truncf", r, ty)
    } else {
        let zero = e.float(0.0, ty);
        let one = e.float(1.0, ty);
        let gt = e.cmpf(F_OGT, ax, ay);
        let big = e.select(gt, ax, ay);
        let small = e.select(gt, ay, ax);
        let q = e.bin("arith.divf", small, big);
        let qq = e.bin("arith.mulf", q, q);
        let s = e.bin("arith.addf", one, qq);
        let root = e.un("math.sqrt", s);
        let r = e.bin("arith.mulf", big, root);
        let big_zero = e.cmpf(F_OEQ, big, zero);
        let r = e.select(big_zero, zero, r);
        let nan = e.bin("arith.addf", ax, ay);
        let any_nan = e.cmpf(F_UNO, ax, ay);
        e.select(any_nan, nan, r)
    };
    let x_inf = e.cmpf(F_OEQ, ax, inf);
    let y_inf = e.cmpf(F_OEQ, ay, inf);
    let either = e.bin("arith.ori", x_inf, y_inf);
    e.select(either, inf, r)
}

/// `nextafter` on the bits: C's for f32/f64 (and bf16, as ml_dtypes),
/// numpy's `npy_half_nextafter` for f16 (equal operands return `x`).
fn nextafter(e: &mut Emitter<'_>, a: Value, b: Value, k: FloatKind) -> Value {
    let width = match k {
        FloatKind::F16 | FloatKind::BF16 => 16,
        FloatKind::F32 => 32,
        FloatKind::F64 => 64,
    };
    let ity = e.ctx.integer_type(width);
    let fty = e.ctx.value_type(a);
    let (ux, uy) = (e.cast("arith.bitcast", a, ity), e.cast("arith.bitcast", b, ity));
    let sign = e.int(1i128 << (width - 1), ity);
    let mag = e.int((1i128 << (width - 1)) - 1, ity);
    let (one, zero) = (e.int(1, ity), e.int(0, ity));
    let (ax, ay) = (e.bin("arith.andi", ux, mag), e.bin("arith.andi", uy, mag));
    let up = e.bin("arith.addi", ux, one);
    let down = e.bin("arith.subi", ux, one);
    // Away from zero when moving toward a larger magnitude of the same sign.
    let bigger = e.cmpi(I_UGT, ax, ay);
    let xor = e.bin("arith.xori", ux, uy);
    let sign_diff = e.bin("arith.andi", xor, sign);
    let signs_differ = e.cmpi(I_NE, sign_diff, zero);
    let go_down = e.bin("arith.ori", bigger, signs_differ);
    let moved = e.select(go_down, down, up);
    let y_sign = e.bin("arith.andi", uy, sign);
    let tiny = e.bin("arith.ori", y_sign, one);
    let x_zero = e.cmpi(I_EQ, ax, zero);
    let from_zero = e.select(x_zero, tiny, moved);
    let same = e.cmpi(I_EQ, ux, uy);
    let both_zero = {
        let y_zero = e.cmpi(I_EQ, ay, zero);
        e.bin("arith.andi", x_zero, y_zero)
    };
    let equal = e.bin("arith.ori", same, both_zero);
    let on_equal = if k == FloatKind::F16 { ux } else { uy };
    let bits = e.select(equal, on_equal, from_zero);
    let r = e.cast("arith.bitcast", bits, fty);
    let (xn, yn) = (is_nan(e, a), is_nan(e, b));
    let any_nan = e.bin("arith.ori", xn, yn);
    let nan = match k {
        FloatKind::F16 => {
            let n = e.int(0x7e00, ity);
            e.cast("arith.bitcast", n, fty)
        }
        FloatKind::BF16 => {
            let n = e.int(0x7fc0, ity);
            e.cast("arith.bitcast", n, fty)
        }
        // C returns x + y, a quiet NaN.
        _ => e.bin("arith.addf", a, b),
    };
    e.select(any_nan, nan, r)
}

fn int_binary(
    e: &mut Emitter<'_>,
    name: &str,
    a: Value,
    b: Value,
    width: u32,
    unsigned: bool,
) -> Result<Value, String> {
    let ty = e.ctx.value_type(a);
    let zero = e.int(0, ty);
    let one = e.int(1, ty);
    // A divisor that never makes an arith division undefined: 1 instead
    // of 0, and instead of -1 under INT_MIN (whose quotient wraps to INT_MIN
    // and remainder is 0, which is what dividing by 1 gives).
    let safe_divisor = |e: &mut Emitter<'_>| {
        let b_zero = e.cmpi(I_EQ, b, zero);
        let bad = if unsigned {
            b_zero
        } else {
            let min = e.int(-(1i128 << (width - 1)), ty);
            let minus = e.int(-1, ty);
            let a_min = e.cmpi(I_EQ, a, min);
            let b_minus = e.cmpi(I_EQ, b, minus);
            let overflow = e.bin("arith.andi", a_min, b_minus);
            e.bin("arith.ori", b_zero, overflow)
        };
        (b_zero, e.select(bad, one, b))
    };
    Ok(match name {
        "add" => e.bin("arith.addi", a, b),
        "sub" => e.bin("arith.subi", a, b),
        "mul" => e.bin("arith.muli", a, b),
        "div" => {
            let (b_zero, d) = safe_divisor(e);
            let q = if unsigned { e.bin("arith.divui", a, d) } else { e.bin("arith.floordivsi", a, d) };
            e.select(b_zero, zero, q)
        }
        "rem" => {
            let (b_zero, d) = safe_divisor(e);
            if unsigned {
                let r = e.bin("arith.remui", a, d);
                e.select(b_zero, zero, r)
            } else {
                let r = e.bin("arith.remsi", a, d);
                let r_nz = e.cmpi(I_NE, r, zero);
                let r_neg = e.cmpi(I_SLT, r, zero);
                let b_neg = e.cmpi(I_SLT, b, zero);
                let differ = e.bin("arith.xori", r_neg, b_neg);
                let fix = e.bin("arith.andi", r_nz, differ);
                let moved = e.bin("arith.addi", r, b);
                e.select(fix, moved, r)
            }
        }
        "fmod" => {
            let (b_zero, d) = safe_divisor(e);
            let r = if unsigned { e.bin("arith.remui", a, d) } else { e.bin("arith.remsi", a, d) };
            e.select(b_zero, zero, r)
        }
        "pow" => int_pow(e, a, b, width),
        "max" => e.bin(if unsigned { "arith.maxui" } else { "arith.maxsi" }, a, b),
        "min" => e.bin(if unsigned { "arith.minui" } else { "arith.minsi" }, a, b),
        "and" => e.bin("arith.andi", a, b),
        "or" => e.bin("arith.ori", a, b),
        "xor" => e.bin("arith.xori", a, b),
        _ => return Err(format!("'array.{name}' is not defined on integers")),
    })
}

/// Wrapping power by squaring over every bit of the exponent (a negative
/// exponent, an error in numpy, is read as unsigned).
fn int_pow(e: &mut Emitter<'_>, a: Value, b: Value, width: u32) -> Value {
    let ty = e.ctx.value_type(a);
    let (zero, one) = (e.int(0, ty), e.int(1, ty));
    let n = e.index(i64::from(width));
    let frame = e.enter_for(n, &[one, a, b], &[]);
    let (acc, base, exp) = (frame.carried[0], frame.carried[1], frame.carried[2]);
    let bit = e.bin("arith.andi", exp, one);
    let set = e.cmpi(I_NE, bit, zero);
    let times = e.bin("arith.muli", acc, base);
    let acc2 = e.select(set, times, acc);
    let base2 = e.bin("arith.muli", base, base);
    let exp2 = e.bin("arith.shrui", exp, one);
    let out = e.exit_for(frame, &[acc2, base2, exp2]);
    out[0]
}

/// `array.cmp` with predicate `pred` on one element of each operand.
pub fn compare(e: &mut Emitter<'_>, pred: &str, a: Value, b: Value, elem: Elem) -> Result<Value, String> {
    Ok(match elem {
        Elem::Float(_) => {
            let p = match pred {
                "eq" => F_OEQ,
                "ne" => F_UNE,
                "lt" => F_OLT,
                "le" => F_OLE,
                "gt" => F_OGT,
                "ge" => F_OGE,
                _ => return Err(format!("unknown comparison predicate '{pred}'")),
            };
            e.cmpf(p, a, b)
        }
        Elem::Int { unsigned, .. } => {
            let p = match (pred, unsigned) {
                ("eq", _) => I_EQ,
                ("ne", _) => I_NE,
                ("lt", false) => I_SLT,
                ("le", false) => 3,
                ("gt", false) => I_SGT,
                ("ge", false) => 5,
                ("lt", true) => I_ULT,
                ("le", true) => 7,
                ("gt", true) => I_UGT,
                ("ge", true) => 9,
                _ => return Err(format!("unknown comparison predicate '{pred}'")),
            };
            e.cmpi(p, a, b)
        }
        Elem::Bool => {
            let p = match pred {
                "eq" => I_EQ,
                "ne" => I_NE,
                "lt" => I_ULT,
                "le" => 7,
                "gt" => I_UGT,
                "ge" => 9,
                _ => return Err(format!("unknown comparison predicate '{pred}'")),
            };
            e.cmpi(p, a, b)
        }
    })
}

/// `array.cast` of one element.
pub fn cast(e: &mut Emitter<'_>, x: Value, from: Elem, to: Elem) -> Value {
    let to_ty = to.loop_type(e.ctx);
    match (from, to) {
        _ if from == to => x,
        (Elem::Bool, Elem::Bool) => x,
        (Elem::Float(_), Elem::Bool) => {
            let ty = e.ctx.value_type(x);
            let zero = e.float(0.0, ty);
            e.cmpf(F_UNE, x, zero)
        }
        (Elem::Int { .. }, Elem::Bool) => {
            let ty = e.ctx.value_type(x);
            let zero = e.int(0, ty);
            e.cmpi(I_NE, x, zero)
        }
        (Elem::Bool, Elem::Int { .. }) => e.cast("arith.extui", x, to_ty),
        (Elem::Bool, Elem::Float(k)) => {
            let f32t = e.ctx.f32_type();
            let f = e.cast("arith.uitofp", x, f32t);
            if k == FloatKind::F64 {
                let f64t = e.ctx.f64_type();
                e.cast("arith.extf", f, f64t)
            } else {
                narrow(e, f, k)
            }
        }
        (Elem::Int { width: w1, unsigned }, Elem::Int { width: w2, .. }) => {
            if w1 == w2 {
                x
            } else if w1 > w2 {
                e.cast("arith.trunci", x, to_ty)
            } else if unsigned {
                e.cast("arith.extui", x, to_ty)
            } else {
                e.cast("arith.extsi", x, to_ty)
            }
        }
        (Elem::Int { unsigned, .. }, Elem::Float(k)) => {
            let op = if unsigned { "arith.uitofp" } else { "arith.sitofp" };
            match k {
                FloatKind::F32 | FloatKind::F64 => e.cast(op, x, to_ty),
                // Through f32, as the reference: exact below 2^24, and f16
                // overflows long before; bf16 rounds twice, as ml_dtypes.
                FloatKind::F16 | FloatKind::BF16 => {
                    let f32t = e.ctx.f32_type();
                    let f = e.cast(op, x, f32t);
                    narrow(e, f, k)
                }
            }
        }
        (Elem::Float(k1), Elem::Float(k2)) => float_to_float(e, x, k1, k2),
        (Elem::Float(k), Elem::Int { width, unsigned }) => float_to_int(e, x, k, width, unsigned, to_ty),
    }
}

fn float_to_float(e: &mut Emitter<'_>, x: Value, from: FloatKind, to: FloatKind) -> Value {
    let to_ty = e.ctx.float_type(to);
    match (from, to) {
        (FloatKind::F16 | FloatKind::BF16, FloatKind::F32 | FloatKind::F64) => e.cast("arith.extf", x, to_ty),
        (FloatKind::F32, FloatKind::F64) => e.cast("arith.extf", x, to_ty),
        // bf16 conversions go through f32 (ml_dtypes), so f64 rounds twice.
        (_, FloatKind::BF16) => {
            let f32t = e.ctx.f32_type();
            let w = match from {
                FloatKind::F64 => e.cast("arith.truncf", x, f32t),
                _ => e.cast("arith.extf", x, f32t),
            };
            e.cast("arith.truncf", w, to_ty)
        }
        (FloatKind::BF16, FloatKind::F16) => {
            let f32t = e.ctx.f32_type();
            let w = e.cast("arith.extf", x, f32t);
            e.cast("arith.truncf", w, to_ty)
        }
        _ => e.cast("arith.truncf", x, to_ty),
    }
}

/// The largest value of float kind `k` that is at most `limit`.
fn float_at_most(limit: i128, k: FloatKind) -> f64 {
    let v = limit as f64;
    let r = axir_ir::round_to_float_kind(v, k);
    if r as i128 > limit {
        // Step down one ulp of the format.
        let bits = axir_ir::float_bits_in_kind(r, k);
        axir_ir::float_from_bits_in_kind(bits - 1, k)
    } else {
        r
    }
}

fn float_to_int(
    e: &mut Emitter<'_>,
    x: Value,
    k: FloatKind,
    width: u32,
    unsigned: bool,
    to_ty: Type,
) -> Value {
    let x = widen(e, x, k);
    let ck = compute_kind(k);
    let fty = e.ctx.value_type(x);
    let (lo, hi) = if unsigned {
        (0i128, (1i128 << width) - 1)
    } else {
        (-(1i128 << (width - 1)), (1i128 << (width - 1)) - 1)
    };
    let lo_f = e.float(lo as f64, fty);
    let hi_f = e.float(float_at_most(hi, ck), fty);
    let zero_f = e.float(0.0, fty);
    let below = e.cmpf(F_OLT, x, lo_f);
    let c = e.select(below, lo_f, x);
    let above = e.cmpf(F_OGT, c, hi_f);
    let c = e.select(above, hi_f, c);
    let nan = is_nan(e, x);
    let c = e.select(nan, zero_f, c);
    let op = if unsigned { "arith.fptoui" } else { "arith.fptosi" };
    let r = e.cast(op, c, to_ty);
    // Values above the largest float below the limit saturate to the limit.
    let max = e.int(hi, to_ty);
    let over = e.cmpf(F_OGT, x, hi_f);
    e.select(over, max, r)
}
