//! The math ops, each declared once: elementwise float functions whose
//! operands and result share one float-like type, written
//! `%r = math.exp %x : f32` (`fastmath<...>` flags as in arith).

use axir_arith::verify_float_op;
use axir_ir::{OpId, OpTraits};
use axir_rewrite::{PatternRewriter, RewritePattern};

use crate::fold;

const TRAITS: OpTraits =
    OpTraits::PURE.union(OpTraits::SAME_OPERANDS_AND_RESULT_TYPE).union(OpTraits::ELEMENTWISE);

/// Declares a math op with `n` operands; `build` takes the operands and
/// gives the result their type.
macro_rules! math_op {
    (
        $(#[doc = $doc:expr])*
        $ty:ident = $name:literal;
        summary = $summary:literal;
        operands = $n:literal ($($arg:ident),+);
        traits = $traits:expr;
        folder = $fold:path;
        $(patterns = [$($pattern:expr),+ $(,)?];)?
    ) => {
        axir_ir::declare_op! {
            $(#[doc = $doc])*
            pub struct $ty = $name;
            summary = $summary;
            traits($traits);
            operands(axir_ir::Arity::Exact($n));
            results(axir_ir::Arity::Exact(1));
            verifier(verify_float_op);
            folder(axir_arith::shared_folder!($fold));
            $(interface(axir_rewrite::CanonicalizationPatterns {
                populate: {
                    fn populate(patterns: &mut axir_rewrite::RewritePatternSet) {
                        $( patterns.add($pattern); )+
                    }
                    populate
                },
            });)?
            interface(axir_arith::syntax::unary_assembly());
        }

        impl $ty {
            /// Creates the op at the builder's insertion point; the result
            /// has the type of the first operand.
            pub fn build(
                b: &mut axir_ir::OpBuilder<'_>,
                $($arg: axir_ir::Value,)+
                loc: axir_ir::Location,
            ) -> Self {
                let operands = [$($arg),+];
                let ty = b.value_type(operands[0]);
                let name = b.ident($name);
                let state = axir_ir::OperationState::new(name, loc).with_operands(&operands).with_results(&[ty]);
                Self(b.create(state))
            }

            /// The result.
            pub fn result(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.result(self.0, 0)
            }
        }
    };
}

/// Declares unary math ops, one per line.
macro_rules! unary_ops {
    ($( $(#[doc = $doc:expr])* $ty:ident = $name:literal, $summary:literal, $fold:path; )*) => {
        $(
            math_op! {
                $(#[doc = $doc])*
                $ty = $name;
                summary = $summary;
                operands = 1 (x);
                traits = TRAITS;
                folder = $fold;
            }
        )*
    };
}

unary_ops! {
    /// The base-e exponential, `e^x`.
    ///
    /// ```axir
    /// %0 = math.exp %x : f32
    /// ```
    ExpOp = "math.exp", "base-e exponential of the specified value", fold::exp;
    /// The base-2 exponential, `2^x`.
    ///
    /// ```axir
    /// %0 = math.exp2 %x : f64
    /// ```
    Exp2Op = "math.exp2", "base-2 exponential of the specified value", fold::exp2;
    /// `e^x - 1`, accurate near zero.
    ///
    /// ```axir
    /// %0 = math.expm1 %x : f32
    /// ```
    ExpM1Op = "math.expm1", "base-e exponential of the specified value minus 1", fold::expm1;
    /// The natural logarithm (`log(-1)` is NaN, `log(0)` is `-inf`).
    ///
    /// ```axir
    /// %0 = math.log %x : f32
    /// ```
    LogOp = "math.log", "base-e logarithm of the specified value", fold::log;
    /// The base-2 logarithm.
    ///
    /// ```axir
    /// %0 = math.log2 %x : f32
    /// ```
    Log2Op = "math.log2", "base-2 logarithm of the specified value", fold::log2;
    /// The base-10 logarithm.
    ///
    /// ```axir
    /// %0 = math.log10 %x : f32
    /// ```
    Log10Op = "math.log10", "base-10 logarithm of the specified value", fold::log10;
    /// `log(1 + x)`, accurate near zero.
    ///
    /// ```axir
    /// %0 = math.log1p %x : f32
    /// ```
    Log1pOp = "math.log1p", "natural logarithm of one plus the given value", fold::log1p;
    /// The square root, exactly rounded (`sqrt(-0.0)` is `-0.0`, negative
    /// values give NaN).
    ///
    /// ```axir
    /// %0 = math.sqrt %x : f32
    /// ```
    SqrtOp = "math.sqrt", "sqrt of the specified value", fold::sqrt;
    /// The reciprocal square root `1 / sqrt(x)`.
    ///
    /// ```axir
    /// %0 = math.rsqrt %x : f32
    /// ```
    RsqrtOp = "math.rsqrt", "reciprocal of sqrt (1 / sqrt of the specified value)", fold::rsqrt;
    /// The sine of an angle in radians.
    ///
    /// ```axir
    /// %0 = math.sin %x : f32
    /// ```
    SinOp = "math.sin", "sine of the specified value", fold::sin;
    /// The cosine of an angle in radians.
    ///
    /// ```axir
    /// %0 = math.cos %x : f32
    /// ```
    CosOp = "math.cos", "cosine of the specified value", fold::cos;
    /// The tangent of an angle in radians.
    ///
    /// ```axir
    /// %0 = math.tan %x : f32
    /// ```
    TanOp = "math.tan", "tangent of the specified value", fold::tan;
    /// The arcsine, in radians (NaN outside `[-1, 1]`).
    ///
    /// ```axir
    /// %0 = math.asin %x : f32
    /// ```
    AsinOp = "math.asin", "arcus sine of the given value", fold::asin;
    /// The arccosine, in radians (NaN outside `[-1, 1]`).
    ///
    /// ```axir
    /// %0 = math.acos %x : f32
    /// ```
    AcosOp = "math.acos", "arcus cosine of the given value", fold::acos;
    /// The arctangent, in radians.
    ///
    /// ```axir
    /// %0 = math.atan %x : f32
    /// ```
    AtanOp = "math.atan", "arcus tangent of the given value", fold::atan;
    /// The hyperbolic sine.
    ///
    /// ```axir
    /// %0 = math.sinh %x : f32
    /// ```
    SinhOp = "math.sinh", "hyperbolic sine of the specified value", fold::sinh;
    /// The hyperbolic cosine.
    ///
    /// ```axir
    /// %0 = math.cosh %x : f32
    /// ```
    CoshOp = "math.cosh", "hyperbolic cosine of the specified value", fold::cosh;
    /// The hyperbolic tangent.
    ///
    /// ```axir
    /// %0 = math.tanh %x : f32
    /// ```
    TanhOp = "math.tanh", "hyperbolic tangent of the specified value", fold::tanh;
    /// The inverse hyperbolic sine.
    ///
    /// ```axir
    /// %0 = math.asinh %x : f32
    /// ```
    AsinhOp = "math.asinh", "inverse hyperbolic sine of the given value", fold::asinh;
    /// The inverse hyperbolic cosine (NaN below 1).
    ///
    /// ```axir
    /// %0 = math.acosh %x : f32
    /// ```
    AcoshOp = "math.acosh", "inverse hyperbolic cosine of the given value", fold::acosh;
    /// The inverse hyperbolic tangent (NaN outside `[-1, 1]`).
    ///
    /// ```axir
    /// %0 = math.atanh %x : f32
    /// ```
    AtanhOp = "math.atanh", "inverse hyperbolic tangent of the given value", fold::atanh;
    /// The error function `2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt`.
    ///
    /// ```axir
    /// %0 = math.erf %x : f32
    /// ```
    ErfOp = "math.erf", "error function of the specified value", fold::erf;
    /// The complementary error function `1 - erf(x)`, accurate where it is tiny.
    ///
    /// ```axir
    /// %0 = math.erfc %x : f32
    /// ```
    ErfcOp = "math.erfc", "complementary error function of the specified value", fold::erfc;
    /// The cube root (defined for negative values).
    ///
    /// ```axir
    /// %0 = math.cbrt %x : f32
    /// ```
    CbrtOp = "math.cbrt", "cube root of the specified value", fold::cbrt;
    /// The largest integral value not greater than `x`.
    ///
    /// ```axir
    /// %0 = math.floor %x : f32
    /// ```
    FloorOp = "math.floor", "floor of the specified value", fold::floor;
    /// The smallest integral value not less than `x`.
    ///
    /// ```axir
    /// %0 = math.ceil %x : f32
    /// ```
    CeilOp = "math.ceil", "ceiling of the specified value", fold::ceil;
    /// Rounds to the nearest integral value, halfway cases away from zero
    /// (`round(2.5) = 3`, `round(-2.5) = -3`).
    ///
    /// ```axir
    /// %0 = math.round %x : f32
    /// ```
    RoundOp = "math.round", "round of the specified value", fold::round;
    /// Rounds to the nearest integral value, halfway cases to even
    /// (`roundeven(2.5) = 2`).
    ///
    /// ```axir
    /// %0 = math.roundeven %x : f32
    /// ```
    RoundEvenOp = "math.roundeven", "round of the specified value with halfway cases to even", fold::roundeven;
    /// Rounds toward zero to an integral value.
    ///
    /// ```axir
    /// %0 = math.trunc %x : f32
    /// ```
    TruncOp = "math.trunc", "trunc of the specified value", fold::trunc;
}

math_op! {
    /// The absolute value: clears the sign bit (also of zeros and NaNs).
    ///
    /// ```axir
    /// %0 = math.absf %x : f32
    /// ```
    AbsFOp = "math.absf";
    summary = "floating point absolute-value operation";
    operands = 1 (x);
    traits = TRAITS.union(OpTraits::IDEMPOTENT);
    folder = fold::absf;
    patterns = [AbsFOfNegF];
}

math_op! {
    /// The magnitude of `lhs` with the sign of `rhs` (bitwise, NaNs included).
    ///
    /// ```axir
    /// %0 = math.copysign %a, %b : f32
    /// ```
    CopySignOp = "math.copysign";
    summary = "copysign operation";
    operands = 2 (lhs, rhs);
    traits = TRAITS;
    folder = fold::copysign;
}

math_op! {
    /// The angle of the point `(x, y)` from the x axis, in `[-pi, pi]`:
    /// `atan2(y, x)`, first operand `y`.
    ///
    /// ```axir
    /// %0 = math.atan2 %y, %x : f32
    /// ```
    Atan2Op = "math.atan2";
    summary = "2-argument arcus tangent of the given values";
    operands = 2 (y, x);
    traits = TRAITS;
    folder = fold::atan2;
}

math_op! {
    /// `lhs` raised to the power `rhs`, with C's special cases
    /// (`powf(x, 0) = 1` and `powf(1, y) = 1`, even for NaN).
    ///
    /// ```axir
    /// %0 = math.powf %x, %y : f32
    /// ```
    PowFOp = "math.powf";
    summary = "floating point raised to the power of operation";
    operands = 2 (lhs, rhs);
    traits = TRAITS;
    folder = fold::powf;
}

math_op! {
    /// Fused multiply-add `a * b + c` with a single rounding.
    ///
    /// ```axir
    /// %0 = math.fma %a, %b, %c : f32
    /// ```
    FmaOp = "math.fma";
    summary = "floating point fused multipy-add operation";
    operands = 3 (a, b, c);
    traits = TRAITS;
    folder = fold::fma;
}

/// `absf(negf(x)) -> absf(x)`: clearing the sign bit ignores a flipped one.
pub struct AbsFOfNegF;

impl RewritePattern for AbsFOfNegF {
    fn name(&self) -> &'static str {
        "absf-of-negf"
    }

    fn root(&self) -> Option<&'static str> {
        Some("math.absf")
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(neg) = rw.defining_op(rw.operand(op, 0)) else { return false };
        if rw.op_name(neg) != "arith.negf" {
            return false;
        }
        let x = rw.operand(neg, 0);
        rw.modify_in_place(op, |ctx| ctx.set_operand(op, 0, x));
        true
    }
}
