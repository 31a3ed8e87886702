//! The `builtin` and `func` dialects of axir, with MLIR's op names,
//! attributes, verifiers and textual forms.
//!
//! - [`ModuleOp`] (`builtin.module`): the top-level symbol table.
//! - [`UnrealizedConversionCastOp`] (`builtin.unrealized_conversion_cast`).
//! - [`FuncOp`] (`func.func`), [`ReturnOp`] (`func.return`) and
//!   [`CallOp`] (`func.call`).
//!
//! Nothing registers itself: a tool calls [`register`] on the registry it
//! builds. The ops are documented in `docs/dialects/builtin.md`.

mod func;
mod module;
mod syntax;

pub use func::{
    lookup_func, CallOp, FuncOp, ReturnOp, ARG_ATTRS_ATTR, CALLEE_ATTR, FUNCTION_TYPE_ATTR, RES_ATTRS_ATTR,
};
pub use module::{create_module, ModuleOp, UnrealizedConversionCastOp};

use axir_ir::{Context, DiagResult, DialectInfo, DialectRegistry, OpDefinition, OpId, OpInfo};

/// Registers the `builtin` and `func` dialects and their ops.
///
/// Registering twice is harmless: a dialect already in `registry` is left
/// as it is.
pub fn register(registry: &mut DialectRegistry) {
    if registry.dialect("builtin").is_none() {
        add_dialect(
            registry,
            DialectInfo::new("builtin", "The builtin dialect: modules and conversion casts"),
        );
        add_ops(registry, [ModuleOp::info(), UnrealizedConversionCastOp::info()]);
    }
    if registry.dialect("func").is_none() {
        add_dialect(registry, DialectInfo::new("func", "Functions, calls and returns"));
        add_ops(registry, [FuncOp::info(), ReturnOp::info(), CallOp::info()]);
    }
}

fn add_dialect(registry: &mut DialectRegistry, dialect: DialectInfo) {
    let result = registry.register_dialect(dialect);
    debug_assert!(result.is_ok(), "{result:?}");
}

fn add_ops(registry: &mut DialectRegistry, ops: impl IntoIterator<Item = OpInfo>) {
    for op in ops {
        // Invariant: the dialect was registered just before and its op
        // names are unique, so this cannot fail.
        let result = registry.register_op(op);
        debug_assert!(result.is_ok(), "{result:?}");
    }
}

/// Checks that the optional attribute `name` of `op` is a string, with
/// MLIR's wording for attribute constraints.
pub(crate) fn verify_string_attr(ctx: &Context, op: OpId, name: &str) -> DiagResult {
    match ctx.attr(op, name) {
        Some(a) if !module::is_string(ctx, a) => {
            Err(ctx
                .op_error(op, format!("attribute '{name}' failed to satisfy constraint: string attribute")))
        }
        _ => Ok(()),
    }
}
