//! Math functions the translation defines in the module itself, as private
//! MLIR functions of `arith` ops, instead of leaving the op to upstream's
//! `convert-math-to-llvm` (an `llvm.exp` intrinsic, which LLVM turns into a
//! scalar libm call per element and cannot vectorize). Each definition is
//! `internal` and `alwaysinline`: LLVM inlines it at every call, so a loop
//! of such calls vectorizes like any other arithmetic. Pure Rust text;
//! nothing here touches MLIR.
//!
//! Accuracy is the contract: each function is measured against the
//! correctly rounded result (the f64 function rounded to f32) over a sweep
//! of all finite f32 inputs in `crates/axir-mlir/tests/jit.rs`
//! (`f32_exp_is_nearly_correctly_rounded`).

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

/// The function defined here that computes `op` on operand and result type
/// `ty` (MLIR text), with its definition.
pub(crate) fn defined_function(op: &str, ty: &str) -> Option<(&'static str, &'static str)> {
    match (op, ty) {
        ("math.exp", "f32") => Some((EXPF_NAME, EXPF)),
        _ => None,
    }
}
