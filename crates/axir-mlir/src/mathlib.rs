//! Math functions the translation defines in the module itself, as private
//! MLIR functions of `arith` ops (and `math.absf`/`math.copysign`, which
//! are LLVM intrinsics), instead of leaving the op to upstream's
//! `convert-math-to-llvm`/`convert-math-to-libm` (an `llvm.exp` intrinsic
//! or a `tanhf` call, which LLVM turns into a scalar libm call per element
//! and cannot vectorize). Each definition is `internal` and `alwaysinline`:
//! LLVM inlines it at every call, so a loop of such calls vectorizes like
//! any other arithmetic. Pure Rust text; nothing here touches MLIR.
//!
//! All of them are f32 functions evaluated in f64, where a short
//! polynomial is accurate to about 2^-34 or better: the one rounding that
//! matters is the final `truncf` to f32, so the result is the correctly
//! rounded one except very near a rounding midpoint (then 1 ulp off).
//!
//! Accuracy is the contract: each function is measured against the
//! correctly rounded result (the f64 function rounded to f32) over a sweep
//! of f32 inputs in `crates/axir-mlir/tests/jit.rs`
//! (`f32_math_is_nearly_correctly_rounded`, and the ignored
//! `f32_math_dense_sweep`).

use std::sync::LazyLock;

/// `exp` for scalar f32, evaluated in f64 (`docs/mlir-bridge.md`,
/// "Translation"):
///
/// 1. `x` is widened to f64 and clamped to `[-104, 89]`: below, `exp`
///    rounds to +0 in f32 (`exp(-104)` is under half the smallest
///    denormal); above, it rounds to +inf. `-inf` gives 0 and `+inf` gives
///    inf through the clamp; NaN passes the clamp (both comparisons are
///    false) and propagates through the arithmetic, which is all defined
///    for NaN (no `fptosi`).
/// 2. `k = round(x / ln 2)` with the shifter `0x1.8p52`: `z + shifter` is
///    an integer in f64, whose low mantissa bits are `k`. `r = x - k ln 2`
///    lies in `[-ln 2 / 2, ln 2 / 2]`, its error about 1e-14 (without a
///    fused multiply-add) because `|k| <= 150`.
/// 3. `exp(r)` is a degree-7 polynomial with `c0 = c1 = 1` (a least-squares
///    fit on Chebyshev nodes of the relative error), relative error under
///    6e-11 (2^-34) on that interval.
/// 4. `2^k` is built from the bits: `(k + 1023) << 52` (the shifter's own
///    bits shift out), a normal f64 for every `k` in `[-150, 128]`, so the
///    product `p * 2^k` is exact and the one rounding is the final
///    `truncf` to f32, denormal results and overflow to inf included.
///
/// The f64 result is within about 2^-34 of `exp(x)` relative, so the f32
/// result is the correctly rounded one except within 2^-10 ulp of a
/// rounding midpoint (at most 1 ulp off; the sweep measures it). The
/// polynomial's `mulf`/`addf` carry `contract`, so LLVM may fuse them into
/// fused multiply-adds where the CPU has them (only more accurate). No
/// `reassoc`: the shifter's add and subtract must stay as written.
pub(crate) const EXPF_NAME: &str = "__axir_expf";

/// The definition of [`EXPF_NAME`], in MLIR's custom form.
pub(crate) const EXPF: &str = r#"func.func private @__axir_expf(%x: f32) -> f32 attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["alwaysinline"]} {
  %hi = arith.constant 89.0 : f64
  %lo = arith.constant -104.0 : f64
  %invln2 = arith.constant 1.4426950408889634 : f64
  %ln2 = arith.constant 0.6931471805599453 : f64
  %shifter = arith.constant 6755399441055744.0 : f64
  %bias = arith.constant 1023 : i64
  %c52 = arith.constant 52 : i64
  %one = arith.constant 1.0 : f64
  %c2 = arith.constant 0.5000000078176722 : f64
  %c3 = arith.constant 0.1666666616358316 : f64
  %c4 = arith.constant 0.041666270127773686 : f64
  %c5 = arith.constant 0.008333430015123017 : f64
  %c6 = arith.constant 0.0013946032144248276 : f64
  %c7 = arith.constant 0.00019826492590009374 : f64
  %xd = arith.extf %x : f32 to f64
  %above = arith.cmpf ogt, %xd, %hi : f64
  %x1 = arith.select %above, %hi, %xd : f64
  %below = arith.cmpf olt, %x1, %lo : f64
  %xc = arith.select %below, %lo, %x1 : f64
  %z = arith.mulf %xc, %invln2 fastmath<contract> : f64
  %zs = arith.addf %z, %shifter fastmath<contract> : f64
  %k = arith.subf %zs, %shifter : f64
  %kl = arith.mulf %k, %ln2 fastmath<contract> : f64
  %r = arith.subf %xc, %kl fastmath<contract> : f64
  %p7 = arith.mulf %c7, %r fastmath<contract> : f64
  %q6 = arith.addf %p7, %c6 fastmath<contract> : f64
  %p6 = arith.mulf %q6, %r fastmath<contract> : f64
  %q5 = arith.addf %p6, %c5 fastmath<contract> : f64
  %p5 = arith.mulf %q5, %r fastmath<contract> : f64
  %q4 = arith.addf %p5, %c4 fastmath<contract> : f64
  %p4 = arith.mulf %q4, %r fastmath<contract> : f64
  %q3 = arith.addf %p4, %c3 fastmath<contract> : f64
  %p3 = arith.mulf %q3, %r fastmath<contract> : f64
  %q2 = arith.addf %p3, %c2 fastmath<contract> : f64
  %p2 = arith.mulf %q2, %r fastmath<contract> : f64
  %q1 = arith.addf %p2, %one fastmath<contract> : f64
  %p1 = arith.mulf %q1, %r fastmath<contract> : f64
  %p = arith.addf %p1, %one fastmath<contract> : f64
  %bits = arith.bitcast %zs : f64 to i64
  %biased = arith.addi %bits, %bias : i64
  %sbits = arith.shli %biased, %c52 : i64
  %scale = arith.bitcast %sbits : i64 to f64
  %y = arith.mulf %p, %scale : f64
  %r32 = arith.truncf %y : f64 to f32
  func.return %r32 : f32
}
"#;

/// `log`, `log2` and `log10` for scalar f32, evaluated in f64 (the method of
/// musl's `log`, without its table):
///
/// 1. `x` is widened to f64, where every positive f32 (denormals included)
///    is a normal number. Its bits minus those of `sqrt(1/2)`, shifted
///    right by 52 (arithmetic), give `k`, and subtracting `k << 52` from
///    the bits gives `z` in `[sqrt(1/2), sqrt(2))` with `x = 2^k z` exactly.
/// 2. `log z = 2 atanh(s)` with `s = (z - 1) / (z + 1)`, `|s| <= 0.172`:
///    `2s (1 + w/3 + w^2/5 + ... + w^6/13)` with `w = s^2`, the Taylor
///    series, whose first omitted term is under 2^-39 relative. `z - 1` is
///    exact, so there is no cancellation near `x = 1`.
/// 3. `log x = k ln 2 + log z` (`|log z| <= ln 2 / 2`, so no cancellation
///    either); `log2 x = k + log z / ln 2`, exact at powers of 2;
///    `log10 x = (k ln 2 + log z) / ln 10`.
/// 4. Special values by `select` at the end: `+inf` for `+inf`, `-inf` for
///    `±0`, NaN for negative `x`, `x` itself for NaN (the arithmetic on
///    their bits is defined but meaningless).
fn log_function(name: &str, finish: &str) -> String {
    format!(
        r#"func.func private @{name}(%x: f32) -> f32 attributes {{llvm.linkage = #llvm.linkage<internal>, passthrough = ["alwaysinline"]}} {{
  %off = arith.constant 4604544271217802189 : i64
  %c52 = arith.constant 52 : i64
  %one = arith.constant 1.0 : f64
  %two = arith.constant 2.0 : f64
  %ln2 = arith.constant 0.6931471805599453 : f64
  %invln2 = arith.constant 1.4426950408889634 : f64
  %invln10 = arith.constant 0.4342944819032518 : f64
  %l1 = arith.constant 0.3333333333333333 : f64
  %l2 = arith.constant 0.2 : f64
  %l3 = arith.constant 0.14285714285714285 : f64
  %l4 = arith.constant 0.1111111111111111 : f64
  %l5 = arith.constant 0.09090909090909091 : f64
  %l6 = arith.constant 0.07692307692307693 : f64
  %zero32 = arith.constant 0.0 : f32
  %inf32 = arith.constant 0x7F800000 : f32
  %ninf32 = arith.constant 0xFF800000 : f32
  %nan32 = arith.constant 0x7FC00000 : f32
  %xd = arith.extf %x : f32 to f64
  %bits = arith.bitcast %xd : f64 to i64
  %tmp = arith.subi %bits, %off : i64
  %k = arith.shrsi %tmp, %c52 : i64
  %kbits = arith.shli %k, %c52 : i64
  %zbits = arith.subi %bits, %kbits : i64
  %z = arith.bitcast %zbits : i64 to f64
  %kd = arith.sitofp %k : i64 to f64
  %f = arith.subf %z, %one : f64
  %zp = arith.addf %z, %one : f64
  %s = arith.divf %f, %zp : f64
  %w = arith.mulf %s, %s fastmath<contract> : f64
  %p6 = arith.mulf %l6, %w fastmath<contract> : f64
  %q5 = arith.addf %p6, %l5 fastmath<contract> : f64
  %p5 = arith.mulf %q5, %w fastmath<contract> : f64
  %q4 = arith.addf %p5, %l4 fastmath<contract> : f64
  %p4 = arith.mulf %q4, %w fastmath<contract> : f64
  %q3 = arith.addf %p4, %l3 fastmath<contract> : f64
  %p3 = arith.mulf %q3, %w fastmath<contract> : f64
  %q2 = arith.addf %p3, %l2 fastmath<contract> : f64
  %p2 = arith.mulf %q2, %w fastmath<contract> : f64
  %q1 = arith.addf %p2, %l1 fastmath<contract> : f64
  %p1 = arith.mulf %q1, %w fastmath<contract> : f64
  %p = arith.addf %p1, %one fastmath<contract> : f64
  %t = arith.mulf %two, %s : f64
  %lz = arith.mulf %t, %p fastmath<contract> : f64
{finish}
  %r32 = arith.truncf %r : f64 to f32
  %isinf = arith.cmpf oeq, %x, %inf32 : f32
  %y1 = arith.select %isinf, %inf32, %r32 : f32
  %iszero = arith.cmpf oeq, %x, %zero32 : f32
  %y2 = arith.select %iszero, %ninf32, %y1 : f32
  %isneg = arith.cmpf olt, %x, %zero32 : f32
  %y3 = arith.select %isneg, %nan32, %y2 : f32
  %isnan = arith.cmpf uno, %x, %x : f32
  %y4 = arith.select %isnan, %x, %y3 : f32
  func.return %y4 : f32
}}
"#
    )
}

static LOGF: LazyLock<String> = LazyLock::new(|| {
    log_function(
        "__axir_logf",
        "  %kl = arith.mulf %kd, %ln2 fastmath<contract> : f64\n  %r = arith.addf %kl, %lz fastmath<contract> : f64",
    )
});

static LOG2F: LazyLock<String> = LazyLock::new(|| {
    log_function(
        "__axir_log2f",
        "  %l2z = arith.mulf %lz, %invln2 fastmath<contract> : f64\n  %r = arith.addf %kd, %l2z fastmath<contract> : f64",
    )
});

static LOG10F: LazyLock<String> = LazyLock::new(|| {
    log_function(
        "__axir_log10f",
        "  %kl = arith.mulf %kd, %ln2 fastmath<contract> : f64\n  %ln = arith.addf %kl, %lz fastmath<contract> : f64\n  %r = arith.mulf %ln, %invln10 : f64",
    )
});

/// `tanh` for scalar f32, evaluated in f64 as `tanh |x| = E / (E + 2)` with
/// `E = expm1(2 |x|)`, the sign put back with `copysign`:
///
/// 1. `|x|` is clamped to 10 (`tanh` rounds to 1 in f32 from 9.01 on; NaN
///    passes the clamp and propagates), `y = 2 |x|` (exact).
/// 2. `expm1(y)` as for `exp`: `k = round(y / ln 2)` by the shifter, `r = y -
///    k ln 2`, `q = expm1(r)` a degree-8 polynomial `r + c2 r^2 + ...` (a
///    least-squares fit of the relative error of `expm1`, under 6e-12 =
///    2^-37 on `|r| <= ln 2 / 2`; relative, so `tanh x` stays accurate for
///    tiny `x`), then `E = 2^k q + (2^k - 1)`, where `2^k - 1` is exact
///    (`k <= 29`).
/// 3. `E / (E + 2)`, `copysign` (so `tanh(-0) = -0`), one `truncf`.
pub(crate) const TANHF: &str = r#"func.func private @__axir_tanhf(%x: f32) -> f32 attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["alwaysinline"]} {
  %ten = arith.constant 10.0 : f64
  %one = arith.constant 1.0 : f64
  %two = arith.constant 2.0 : f64
  %invln2 = arith.constant 1.4426950408889634 : f64
  %ln2 = arith.constant 0.6931471805599453 : f64
  %shifter = arith.constant 6755399441055744.0 : f64
  %bias = arith.constant 1023 : i64
  %c52 = arith.constant 52 : i64
  %c2 = arith.constant 0.5000000000179887 : f64
  %c3 = arith.constant 0.16666666755677478 : f64
  %c4 = arith.constant 0.04166666555526463 : f64
  %c5 = arith.constant 0.008333288703956058 : f64
  %c6 = arith.constant 0.0013889044343129463 : f64
  %c7 = arith.constant 0.00019905094250790661 : f64
  %c8 = arith.constant 2.47701658538634e-05 : f64
  %xd = arith.extf %x : f32 to f64
  %ax = math.absf %xd : f64
  %big = arith.cmpf ogt, %ax, %ten : f64
  %axc = arith.select %big, %ten, %ax : f64
  %y = arith.addf %axc, %axc : f64
  %z = arith.mulf %y, %invln2 fastmath<contract> : f64
  %zs = arith.addf %z, %shifter fastmath<contract> : f64
  %k = arith.subf %zs, %shifter : f64
  %kl = arith.mulf %k, %ln2 fastmath<contract> : f64
  %r = arith.subf %y, %kl fastmath<contract> : f64
  %p8 = arith.mulf %c8, %r fastmath<contract> : f64
  %q7 = arith.addf %p8, %c7 fastmath<contract> : f64
  %p7 = arith.mulf %q7, %r fastmath<contract> : f64
  %q6 = arith.addf %p7, %c6 fastmath<contract> : f64
  %p6 = arith.mulf %q6, %r fastmath<contract> : f64
  %q5 = arith.addf %p6, %c5 fastmath<contract> : f64
  %p5 = arith.mulf %q5, %r fastmath<contract> : f64
  %q4 = arith.addf %p5, %c4 fastmath<contract> : f64
  %p4 = arith.mulf %q4, %r fastmath<contract> : f64
  %q3 = arith.addf %p4, %c3 fastmath<contract> : f64
  %p3 = arith.mulf %q3, %r fastmath<contract> : f64
  %q2 = arith.addf %p3, %c2 fastmath<contract> : f64
  %p2 = arith.mulf %q2, %r fastmath<contract> : f64
  %q1 = arith.addf %p2, %one fastmath<contract> : f64
  %q = arith.mulf %q1, %r fastmath<contract> : f64
  %bits = arith.bitcast %zs : f64 to i64
  %biased = arith.addi %bits, %bias : i64
  %sbits = arith.shli %biased, %c52 : i64
  %scale = arith.bitcast %sbits : i64 to f64
  %sq = arith.mulf %scale, %q fastmath<contract> : f64
  %sm1 = arith.subf %scale, %one : f64
  %e = arith.addf %sq, %sm1 fastmath<contract> : f64
  %den = arith.addf %e, %two : f64
  %t = arith.divf %e, %den : f64
  %ts = math.copysign %t, %xd : f64
  %r32 = arith.truncf %ts : f64 to f32
  func.return %r32 : f32
}
"#;

/// The function defined here that computes `op` on operand and result type
/// `ty` (MLIR text): its name and definition.
pub(crate) fn defined_function(op: &str, ty: &str) -> Option<(&'static str, &'static str)> {
    match (op, ty) {
        ("math.exp", "f32") => Some((EXPF_NAME, EXPF)),
        ("math.log", "f32") => Some(("__axir_logf", LOGF.as_str())),
        ("math.log2", "f32") => Some(("__axir_log2f", LOG2F.as_str())),
        ("math.log10", "f32") => Some(("__axir_log10f", LOG10F.as_str())),
        ("math.tanh", "f32") => Some(("__axir_tanhf", TANHF)),
        _ => None,
    }
}
