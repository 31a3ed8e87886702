//! Casts: `extf truncf extsi extui trunci sitofp uitofp fptosi fptoui
//! index_cast index_castui bitcast`. A cast keeps the container and shape
//! of its operand and changes the element type.

use axir_ir::{Context, DiagResult, OpId, OpTraits, Type, TypeData};

use super::unary_op;
use crate::attrs::verify_overflow_flags;
use crate::canonicalize::{ExtOfExt, IndexCastOfExt, TruncIOfExt, TruncIOfTruncI};
use crate::constraints::{
    check_operand, check_result, check_same_shape, check_same_tensor_dims, TypeConstraint,
};
use crate::fold;

const TRAITS: OpTraits = OpTraits::PURE.union(OpTraits::ELEMENTWISE);

/// Verifies a cast: operand and result constraints, same shape, same
/// tensor dims, then the op's own compatibility rule on element types.
fn verify_cast(
    ctx: &Context,
    op: OpId,
    from: TypeConstraint,
    to: TypeConstraint,
    compatible: fn(&Context, Type, Type) -> bool,
) -> DiagResult {
    check_operand(ctx, op, 0, from)?;
    check_result(ctx, op, 0, to)?;
    check_same_shape(ctx, op)?;
    check_same_tensor_dims(ctx, op)?;
    let (a, b) = (ctx.value_type(ctx.operand(op, 0)), ctx.value_type(ctx.result(op, 0)));
    if !compatible(ctx, ctx.element_type_or_self(a), ctx.element_type_or_self(b)) {
        return Err(ctx.op_error(
            op,
            format!(
                "operand type '{}' and result type '{}' are cast incompatible",
                ctx.display_type(a),
                ctx.display_type(b)
            ),
        ));
    }
    Ok(())
}

/// Bit width of an integer or float element type (`index` has none).
fn bit_width(ctx: &Context, ty: Type) -> Option<u32> {
    match ctx.type_data(ty) {
        TypeData::Integer { width, .. } => Some(*width),
        TypeData::Float(k) => Some(k.width()),
        _ => None,
    }
}

fn wider(ctx: &Context, a: Type, b: Type) -> bool {
    matches!((bit_width(ctx, a), bit_width(ctx, b)), (Some(x), Some(y)) if y > x)
}

fn narrower(ctx: &Context, a: Type, b: Type) -> bool {
    wider(ctx, b, a)
}

fn any_pair(_: &Context, _: Type, _: Type) -> bool {
    true
}

fn one_side_index(ctx: &Context, a: Type, b: Type) -> bool {
    let is_index = |t| matches!(ctx.type_data(t), TypeData::Index);
    is_index(a) != is_index(b)
}

fn same_width(ctx: &Context, a: Type, b: Type) -> bool {
    matches!((bit_width(ctx, a), bit_width(ctx, b)), (Some(x), Some(y)) if x == y)
}

macro_rules! cast_verifier {
    ($name:ident, $from:ident, $to:ident, $compatible:ident) => {
        fn $name(ctx: &Context, op: OpId) -> DiagResult {
            verify_cast(ctx, op, TypeConstraint::$from, TypeConstraint::$to, $compatible)
        }
    };
}

cast_verifier!(verify_extf, FloatLike, FloatLike, wider);
cast_verifier!(verify_truncf, FloatLike, FloatLike, narrower);
cast_verifier!(verify_ext_int, SignlessFixedWidthIntegerLike, SignlessFixedWidthIntegerLike, wider);
cast_verifier!(verify_int_to_fp, SignlessFixedWidthIntegerLike, FloatLike, any_pair);
cast_verifier!(verify_fp_to_int, FloatLike, SignlessFixedWidthIntegerLike, any_pair);
cast_verifier!(verify_index_cast, SignlessIntegerLikeOrMemRef, SignlessIntegerLikeOrMemRef, one_side_index);
cast_verifier!(verify_bitcast, IntegerOrFloatLikeOrMemRef, IntegerOrFloatLikeOrMemRef, same_width);

fn verify_trunci(ctx: &Context, op: OpId) -> DiagResult {
    verify_overflow_flags(ctx, op)?;
    verify_cast(
        ctx,
        op,
        TypeConstraint::SignlessFixedWidthIntegerLike,
        TypeConstraint::SignlessFixedWidthIntegerLike,
        narrower,
    )
}

/// Declares a cast op with the shared cast syntax and a `build` taking the
/// result type.
macro_rules! cast_op {
    (
        $(#[doc = $doc:expr])*
        $ty:ident = $name:literal;
        summary = $summary:literal;
        verifier = $verify:path;
        folder = $fold:path;
        $(patterns = [$($pattern:expr),+ $(,)?];)?
    ) => {
        unary_op! {
            $(#[doc = $doc])*
            $ty = $name;
            summary = $summary;
            traits = TRAITS;
            verifier = $verify;
            folder = $fold;
            assembly = crate::syntax::cast_assembly();
            $(patterns = [$($pattern),+];)?
        }

        impl $ty {
            /// Creates a cast of `input` to `result_type` at the builder's
            /// insertion point.
            pub fn build(
                b: &mut axir_ir::OpBuilder<'_>,
                input: axir_ir::Value,
                result_type: Type,
                loc: axir_ir::Location,
            ) -> Self {
                Self(super::build_one(b, $name, &[input], result_type, loc))
            }
        }
    };
}

cast_op! {
    /// Extends a float to a wider float type. Exact: every value of the
    /// narrower type is a value of the wider one.
    ///
    /// ```axir
    /// %0 = arith.extf %a : f16 to f32
    /// ```
    ExtFOp = "arith.extf";
    summary = "cast from floating-point to wider floating-point";
    verifier = verify_extf;
    folder = fold::extf;
    patterns = [ExtOfExt::new("arith.extf")];
}

cast_op! {
    /// Truncates a float to a narrower float type, rounding to nearest with
    /// ties to even (values beyond the range become infinities).
    ///
    /// ```axir
    /// %0 = arith.truncf %a : f32 to bf16
    /// ```
    TruncFOp = "arith.truncf";
    summary = "cast from floating-point to narrower floating-point";
    verifier = verify_truncf;
    folder = fold::truncf;
}

cast_op! {
    /// Extends an integer to a wider integer type, replicating the sign bit.
    ///
    /// ```axir
    /// %0 = arith.extsi %a : i8 to i32
    /// ```
    ExtSIOp = "arith.extsi";
    summary = "integer sign extension operation";
    verifier = verify_ext_int;
    folder = fold::extsi;
    patterns = [ExtOfExt::new("arith.extsi")];
}

cast_op! {
    /// Extends an integer to a wider integer type with zeros.
    ///
    /// ```axir
    /// %0 = arith.extui %a : i1 to i32
    /// ```
    ExtUIOp = "arith.extui";
    summary = "integer zero extension operation";
    verifier = verify_ext_int;
    folder = fold::extui;
    patterns = [ExtOfExt::new("arith.extui")];
}

cast_op! {
    /// Truncates an integer to a narrower integer type, keeping the low bits.
    ///
    /// ```axir
    /// %0 = arith.trunci %a : i32 to i8
    /// ```
    TruncIOp = "arith.trunci";
    summary = "integer truncation operation";
    verifier = verify_trunci;
    folder = fold::trunci;
    patterns = [TruncIOfTruncI, TruncIOfExt];
}

cast_op! {
    /// Converts a signed integer to a float, rounding to nearest-even.
    ///
    /// ```axir
    /// %0 = arith.sitofp %a : i32 to f32
    /// ```
    SIToFPOp = "arith.sitofp";
    summary = "cast from integer type to floating-point";
    verifier = verify_int_to_fp;
    folder = fold::sitofp;
}

cast_op! {
    /// Converts an unsigned integer to a float, rounding to nearest-even.
    ///
    /// ```axir
    /// %0 = arith.uitofp %a : i32 to f32
    /// ```
    UIToFPOp = "arith.uitofp";
    summary = "cast from unsigned integer type to floating-point";
    verifier = verify_int_to_fp;
    folder = fold::uitofp;
}

cast_op! {
    /// Converts a float to a signed integer, rounding toward zero. NaN and
    /// values out of range give poison.
    ///
    /// ```axir
    /// %0 = arith.fptosi %a : f32 to i32
    /// ```
    FPToSIOp = "arith.fptosi";
    summary = "cast from floating-point type to integer type";
    verifier = verify_fp_to_int;
    folder = fold::fptosi;
}

cast_op! {
    /// Converts a float to an unsigned integer, rounding toward zero. NaN
    /// and values out of range give poison.
    ///
    /// ```axir
    /// %0 = arith.fptoui %a : f32 to i32
    /// ```
    FPToUIOp = "arith.fptoui";
    summary = "cast from floating-point type to integer type";
    verifier = verify_fp_to_int;
    folder = fold::fptoui;
}

cast_op! {
    /// Casts between `index` and an integer type: sign-extends when
    /// widening, truncates when narrowing. Also applies to memrefs.
    ///
    /// ```axir
    /// %0 = arith.index_cast %a : i32 to index
    /// %1 = arith.index_cast %i : index to i64
    /// ```
    IndexCastOp = "arith.index_cast";
    summary = "index cast";
    verifier = verify_index_cast;
    folder = fold::index_cast;
    patterns = [IndexCastOfExt::new("arith.index_cast")];
}

cast_op! {
    /// Casts between `index` and an integer type: zero-extends when
    /// widening, truncates when narrowing.
    ///
    /// ```axir
    /// %0 = arith.index_castui %a : i32 to index
    /// ```
    IndexCastUIOp = "arith.index_castui";
    summary = "unsigned index cast";
    verifier = verify_index_cast;
    folder = fold::index_castui;
    patterns = [IndexCastOfExt::new("arith.index_castui")];
}

cast_op! {
    /// Reinterprets the bits of a value as another type of the same width
    /// (integer or float; NaN payloads are kept).
    ///
    /// ```axir
    /// %0 = arith.bitcast %a : f32 to i32
    /// ```
    BitcastOp = "arith.bitcast";
    summary = "bitcast between values of equal bit width";
    verifier = verify_bitcast;
    folder = fold::bitcast;
}
