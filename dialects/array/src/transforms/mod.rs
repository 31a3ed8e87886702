//! The passes of the array level and the analyses they share.
//!
//! | flag | pass | what it does |
//! |------|------|--------------|
//! | `array-fuse` | [`ArrayFuse`] | groups array ops into `array.fusion` ops, one per loop nest |
//!
//! - `shapes`: symbolic dims ([`ShapeInfo`]), shared with the lowerings.
//! - `roles`: how a group indexes each value it reads ([`GroupRoles`]).
//! - `fuse`: the fusion planner and rewrite.

pub mod fuse;
pub mod roles;
pub mod shapes;

pub use fuse::{fuse_block, fuse_functions, op_cost, ArrayFuse, FuseConfig, FuseStats, ARRAY_FUSE_OPTIONS};
pub use roles::{GroupRoles, Role, Roles};
pub use shapes::{RunTimeCheck, ShapeCheck, ShapeInfo, SymDim, SymExpr};

use axir_pass::PassRegistry;

/// Registers `array-fuse`. Registering twice is harmless.
pub fn register_passes(registry: &mut PassRegistry) {
    let info = ArrayFuse::info();
    if registry.pass(info.name).is_none() {
        // The only possible error is a duplicate name, excluded just above.
        let _ = registry.register_pass(info);
    }
}
