//! Floating-point arithmetic: `addf subf mulf divf remf negf maximumf
//! minimumf maxnumf minnumf`. Operands and result have one float-like type;
//! results are IEEE 754, rounded to nearest-even in the type's precision.

use axir_ir::{Context, DiagResult, Location, OpBuilder, OpDefinition, OpId, OpTraits, Value};

use super::{binary_op, build_one, unary_op};
use crate::attrs::verify_fastmath;
use crate::canonicalize::CommuteConstantToRhs;
use crate::constraints::{check_all, check_elementwise, TypeConstraint};
use crate::fold;

const TRAITS: OpTraits =
    OpTraits::PURE.union(OpTraits::SAME_OPERANDS_AND_RESULT_TYPE).union(OpTraits::ELEMENTWISE);
const COMMUTATIVE: OpTraits = TRAITS.union(OpTraits::COMMUTATIVE);

/// Verifies a float op: `fastmath` flags, float-like types, elementwise
/// shapes. Shared with the math dialect.
pub fn verify_float_op(ctx: &Context, op: OpId) -> DiagResult {
    verify_fastmath(ctx, op)?;
    check_all(ctx, op, TypeConstraint::FloatLike)?;
    check_elementwise(ctx, op)
}

binary_op! {
    /// Floating-point addition, IEEE 754.
    ///
    /// ```axir
    /// %0 = arith.addf %a, %b : f32
    /// %1 = arith.addf %x, %y fastmath<fast> : vector<4xf16>
    /// ```
    AddFOp = "arith.addf";
    summary = "floating point addition operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::addf;
    patterns = [CommuteConstantToRhs::new("arith.addf")];
}

binary_op! {
    /// Floating-point subtraction, IEEE 754.
    ///
    /// ```axir
    /// %0 = arith.subf %a, %b : f64
    /// ```
    SubFOp = "arith.subf";
    summary = "floating point subtraction operation";
    traits = TRAITS;
    verifier = verify_float_op;
    folder = fold::subf;
}

binary_op! {
    /// Floating-point multiplication, IEEE 754.
    ///
    /// ```axir
    /// %0 = arith.mulf %a, %b : tensor<?xf32>
    /// ```
    MulFOp = "arith.mulf";
    summary = "floating point multiplication operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::mulf;
    patterns = [CommuteConstantToRhs::new("arith.mulf")];
}

binary_op! {
    /// Floating-point division, IEEE 754 (`x / 0.0` is an infinity or NaN).
    ///
    /// ```axir
    /// %0 = arith.divf %a, %b : f32
    /// ```
    DivFOp = "arith.divf";
    summary = "floating point division operation";
    traits = TRAITS;
    verifier = verify_float_op;
    folder = fold::divf;
}

binary_op! {
    /// Floating-point remainder of the division truncated toward zero (C's
    /// `fmod`): exact, with the sign of the dividend.
    ///
    /// ```axir
    /// %0 = arith.remf %a, %b : f32
    /// ```
    RemFOp = "arith.remf";
    summary = "floating point division remainder operation";
    traits = TRAITS;
    verifier = verify_float_op;
    folder = fold::remf;
}

binary_op! {
    /// IEEE 754-2019 `maximum`: NaN if either operand is NaN; `-0.0 < +0.0`.
    ///
    /// ```axir
    /// %0 = arith.maximumf %a, %b : f32
    /// ```
    MaximumFOp = "arith.maximumf";
    summary = "floating-point maximum operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::maximumf;
    patterns = [CommuteConstantToRhs::new("arith.maximumf")];
}

binary_op! {
    /// IEEE 754-2019 `minimum`: NaN if either operand is NaN; `-0.0 < +0.0`.
    ///
    /// ```axir
    /// %0 = arith.minimumf %a, %b : f32
    /// ```
    MinimumFOp = "arith.minimumf";
    summary = "floating-point minimum operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::minimumf;
    patterns = [CommuteConstantToRhs::new("arith.minimumf")];
}

binary_op! {
    /// IEEE 754-2008 `maxNum`: a NaN operand is ignored in favour of the
    /// other (NaN only if both are); `-0.0 < +0.0`.
    ///
    /// ```axir
    /// %0 = arith.maxnumf %a, %b : f32
    /// ```
    MaxNumFOp = "arith.maxnumf";
    summary = "floating-point maximum operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::maxnumf;
    patterns = [CommuteConstantToRhs::new("arith.maxnumf")];
}

binary_op! {
    /// IEEE 754-2008 `minNum`: a NaN operand is ignored in favour of the
    /// other (NaN only if both are); `-0.0 < +0.0`.
    ///
    /// ```axir
    /// %0 = arith.minnumf %a, %b : f32
    /// ```
    MinNumFOp = "arith.minnumf";
    summary = "floating-point minimum operation";
    traits = COMMUTATIVE;
    verifier = verify_float_op;
    folder = fold::minnumf;
    patterns = [CommuteConstantToRhs::new("arith.minnumf")];
}

unary_op! {
    /// Floating-point negation: flips the sign bit, also of zeros and NaNs.
    ///
    /// ```axir
    /// %0 = arith.negf %a : f32
    /// ```
    NegFOp = "arith.negf";
    summary = "floating point negation";
    traits = TRAITS.union(OpTraits::INVOLUTION);
    verifier = verify_float_op;
    folder = fold::negf;
    assembly = crate::syntax::unary_assembly();
}

impl NegFOp {
    /// Creates `-x` at the builder's insertion point.
    pub fn build(b: &mut OpBuilder<'_>, x: Value, loc: Location) -> Self {
        let ty = b.value_type(x);
        NegFOp(build_one(b, Self::NAME, &[x], ty, loc))
    }
}
