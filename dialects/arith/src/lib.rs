//! The `arith` dialect of axir: integer and floating-point arithmetic,
//! comparisons, `select`, casts and constants, with MLIR's op names,
//! attributes, verifiers and textual forms.
//!
//! **Folding is exact.** Integer ops wrap to their width; float ops follow
//! IEEE 754 in the op's own precision (f16/bf16 through the `half` crate,
//! f32 in f32, never in f64), NaN payloads and signed zeros included; an op
//! whose result is undefined (division by zero, ...) is never folded. See
//! [`fold`] and [`canonicalize`], and `docs/dialects/arith.md` for every op.
//!
//! Nothing registers itself: a tool calls [`register`] on its registry.

pub mod apfloat;
pub mod apint;
mod attrs;
pub mod canonicalize;
pub mod constraints;
pub mod fold;
mod ops;
mod predicate;
pub mod syntax;

pub use attrs::{
    verify_fastmath, verify_overflow_flags, FastMathFlags, IntegerOverflowFlags, FASTMATH_ATTR,
    OVERFLOW_ATTR, PREDICATE_ATTR, ROUNDING_MODE_ATTR, VALUE_ATTR,
};
pub use ops::*;
pub use predicate::{CmpFPredicate, CmpIPredicate};

use axir_ir::{DialectInfo, DialectRegistry, OpDefinition, OpInfo};
use axir_rewrite::{CanonicalizationPatterns, RewritePatternSet};

#[doc(hidden)]
pub mod __private {
    //! Re-exports for the crate's macros.
    pub use axir_ir::{Attribute, Context, OpId};
}

/// Name of the dialect.
pub const DIALECT_NAME: &str = "arith";

/// The declarations of every arith op, in registration order.
pub fn op_infos() -> Vec<OpInfo> {
    vec![
        ConstantOp::info(),
        AddFOp::info(),
        SubFOp::info(),
        MulFOp::info(),
        DivFOp::info(),
        RemFOp::info(),
        NegFOp::info(),
        MaximumFOp::info(),
        MinimumFOp::info(),
        MaxNumFOp::info(),
        MinNumFOp::info(),
        AddIOp::info(),
        SubIOp::info(),
        MulIOp::info(),
        DivSIOp::info(),
        DivUIOp::info(),
        RemSIOp::info(),
        RemUIOp::info(),
        FloorDivSIOp::info(),
        CeilDivSIOp::info(),
        AndIOp::info(),
        OrIOp::info(),
        XOrIOp::info(),
        ShLIOp::info(),
        ShRSIOp::info(),
        ShRUIOp::info(),
        MaxSIOp::info(),
        MinSIOp::info(),
        MaxUIOp::info(),
        MinUIOp::info(),
        CmpFOp::info(),
        CmpIOp::info(),
        SelectOp::info(),
        ExtFOp::info(),
        TruncFOp::info(),
        ExtSIOp::info(),
        ExtUIOp::info(),
        TruncIOp::info(),
        SIToFPOp::info(),
        UIToFPOp::info(),
        FPToSIOp::info(),
        FPToUIOp::info(),
        IndexCastOp::info(),
        IndexCastUIOp::info(),
        BitcastOp::info(),
    ]
}

/// Registers the arith dialect, with [`materialize_constant`] as its
/// constant materializer, and every arith op.
///
/// Registering twice is harmless: a registry that already has the dialect
/// is left as it is.
pub fn register(registry: &mut DialectRegistry) {
    if registry.dialect(DIALECT_NAME).is_some() {
        return;
    }
    let dialect =
        DialectInfo::new(DIALECT_NAME, "Integer and floating-point arithmetic, comparisons and casts")
            .constant_materializer(materialize_constant);
    let result = registry.register_dialect(dialect);
    debug_assert!(result.is_ok(), "{result:?}");
    for info in op_infos() {
        // Invariant: the dialect is registered and op names are unique.
        let result = registry.register_op(info);
        debug_assert!(result.is_ok(), "{result:?}");
    }
}

/// Adds the canonicalization patterns of every arith op (folding included)
/// to `patterns`, for passes that canonicalize arith alone.
pub fn populate_canonicalization_patterns(patterns: &mut RewritePatternSet) {
    for info in op_infos() {
        if let Some(c) = info.interfaces.get::<CanonicalizationPatterns>() {
            (c.populate)(patterns);
        }
    }
}
