//! The `math` dialect of axir: elementwise float functions (`exp`, `sqrt`,
//! `sin`, `erf`, `fma`, ...) with MLIR's op names, attributes and textual
//! forms. Every op is `Pure`, `SameOperandsAndResultType` and elementwise
//! over float-like types, and folds constant operands in its own precision
//! (the rules are in `docs/dialects/math.md`).
//!
//! Constants made by folding are `arith.constant`s: the math dialect's
//! materializer is arith's, as in MLIR.

pub mod erf;
mod fold;
mod ops;

pub use ops::*;

use axir_ir::{DialectInfo, DialectRegistry, OpDefinition, OpInfo};
use axir_rewrite::{CanonicalizationPatterns, RewritePatternSet};

/// Name of the dialect.
pub const DIALECT_NAME: &str = "math";

/// The declarations of every math op, in registration order.
pub fn op_infos() -> Vec<OpInfo> {
    vec![
        AbsFOp::info(),
        CopySignOp::info(),
        CeilOp::info(),
        FloorOp::info(),
        RoundOp::info(),
        RoundEvenOp::info(),
        TruncOp::info(),
        SqrtOp::info(),
        RsqrtOp::info(),
        CbrtOp::info(),
        ExpOp::info(),
        Exp2Op::info(),
        ExpM1Op::info(),
        LogOp::info(),
        Log2Op::info(),
        Log10Op::info(),
        Log1pOp::info(),
        PowFOp::info(),
        SinOp::info(),
        CosOp::info(),
        TanOp::info(),
        AsinOp::info(),
        AcosOp::info(),
        AtanOp::info(),
        Atan2Op::info(),
        SinhOp::info(),
        CoshOp::info(),
        TanhOp::info(),
        AsinhOp::info(),
        AcoshOp::info(),
        AtanhOp::info(),
        ErfOp::info(),
        ErfcOp::info(),
        FmaOp::info(),
    ]
}

/// Registers the math dialect (with arith's constant materializer) and
/// every math op. Folded math ops become `arith.constant`s, so a registry
/// with math should also have arith ([`axir_arith::register`]).
///
/// Registering twice is harmless: a registry that already has the dialect
/// is left as it is.
pub fn register(registry: &mut DialectRegistry) {
    if registry.dialect(DIALECT_NAME).is_some() {
        return;
    }
    let dialect = DialectInfo::new(DIALECT_NAME, "Elementwise floating-point math functions")
        .constant_materializer(axir_arith::materialize_constant);
    let result = registry.register_dialect(dialect);
    debug_assert!(result.is_ok(), "{result:?}");
    for info in op_infos() {
        // Invariant: the dialect is registered and op names are unique.
        let result = registry.register_op(info);
        debug_assert!(result.is_ok(), "{result:?}");
    }
}

/// Adds the canonicalization patterns of every math op (folding included).
pub fn populate_canonicalization_patterns(patterns: &mut RewritePatternSet) {
    for info in op_infos() {
        if let Some(c) = info.interfaces.get::<CanonicalizationPatterns>() {
            (c.populate)(patterns);
        }
    }
}
