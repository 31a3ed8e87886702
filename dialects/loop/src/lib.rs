//! The `loop` dialect: strided buffers (`memref`) and loop nests, plus the
//! subset of MLIR's `vector` dialect that vectorization needs.
//!
//! Programs at this level hold buffers and scalars: `loop.alloc` makes a
//! buffer, `loop.subview` and `loop.view` make views that share its
//! storage, `loop.load`/`loop.store` move single elements, `loop.for` and
//! `loop.parallel` are the loop nests, and scalar math is MLIR's `arith`
//! and `math`. `docs/dialects/loop.md` and `docs/dialects/vector.md`
//! describe every op.
//!
//! - `ops`: the loop op declarations and verifiers; `builders`: their typed
//!   builders and accessors.
//! - `syntax`: their custom textual forms.
//! - `vector`: the vector ops (declarations, verifiers, syntax).
//! - `memref`: reading memref types and constant index operands.
//! - `effects`: the memory effects interface (the read-only property).
//! - `reduction`: the reduction kinds of `loop.parallel`.
//! - `fold`, `canonicalize`: the canonical form.
//! - `licm`: the `loop-invariant-code-motion` pass.

pub mod builders;
pub mod canonicalize;
pub mod effects;
pub mod fold;
pub mod licm;
pub mod memref;
pub mod ops;
pub mod reduction;
pub mod syntax;
pub mod vector;

pub use effects::MemoryEffects;
pub use licm::LoopInvariantCodeMotion;
pub use ops::*;
pub use reduction::ReductionKind;

use axir_ir::{DialectInfo, DialectRegistry, OpDefinition, OpInfo};
use axir_pass::PassRegistry;

/// The declarations of every `loop` op, in registration order.
pub fn op_infos() -> Vec<OpInfo> {
    vec![
        AllocOp::info(),
        DeallocOp::info(),
        DimOp::info(),
        LoadOp::info(),
        StoreOp::info(),
        SubviewOp::info(),
        ViewOp::info(),
        CopyOp::info(),
        ForOp::info(),
        ParallelOp::info(),
        YieldOp::info(),
        AssertOp::info(),
    ]
}

/// Registers the `loop` and `vector` dialects and their ops. Folded
/// constants are `arith.constant`s (arith's materializer), as in MLIR.
///
/// Registering twice is harmless: a registry that already has the dialects
/// is left as it is.
pub fn register(registry: &mut DialectRegistry) {
    for (name, summary, infos) in [
        ("loop", "strided buffers and loop nests", op_infos()),
        ("vector", "the subset of MLIR's vector dialect used by vectorized loops", vector::op_infos()),
    ] {
        if registry.dialect(name).is_some() {
            continue;
        }
        let dialect = DialectInfo::new(name, summary).constant_materializer(axir_arith::materialize_constant);
        // Invariant: the dialect is new and op names are unique (tested).
        if let Err(e) = registry.register_dialect(dialect) {
            tracing::error!("{e}");
            continue;
        }
        for info in infos {
            if let Err(e) = registry.register_op(info) {
                tracing::error!("{e}");
            }
        }
    }
}

/// Registers the passes of the loop level: `loop-invariant-code-motion`.
///
/// Registering twice is harmless: passes already in `registry` are kept.
pub fn register_passes(registry: &mut PassRegistry) {
    let info = LoopInvariantCodeMotion::info();
    if registry.pass(info.name).is_none() {
        if let Err(e) = registry.register_pass(info) {
            tracing::error!("{e}");
        }
    }
}
