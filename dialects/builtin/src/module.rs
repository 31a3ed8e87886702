//! The `builtin` dialect: `builtin.module`, the top-level container, and
//! `builtin.unrealized_conversion_cast`, the glue op of partial conversions.

use axir_ir::{
    declare_op, Arity, AttributeData, BlockId, Context, DiagResult, Location, OpBuilder, OpDefinition, OpId,
    OpTraits, OperationState, Type, Value, SYM_NAME_ATTR, SYM_VISIBILITY_ATTR,
};

use crate::verify_string_attr;

declare_op! {
    /// A top-level container of symbols: one region holding one block with
    /// no arguments and no terminator.
    ///
    /// It is a symbol table (symbols defined in its block have unique names)
    /// and isolated from above. It may be named with `sym_name`; its other
    /// attributes must have dialect-prefixed names (`gpu.container_module`).
    /// The parser also accepts the bare keyword `module`.
    ///
    /// ```axir
    /// module @kernels attributes {gpu.container_module} {
    ///   func.func private @f(f32) -> f32
    /// }
    /// ```
    pub struct ModuleOp = "builtin.module";
    summary = "a top level container operation";
    traits(
        OpTraits::SYMBOL_TABLE
            | OpTraits::NO_TERMINATOR
            | OpTraits::ISOLATED_FROM_ABOVE
            | OpTraits::SINGLE_BLOCK
    );
    regions(Arity::Exact(1));
    verifier(verify_module);
    interface(crate::syntax::module_assembly());
}

impl ModuleOp {
    /// Creates a module with one empty block at the builder's insertion point
    /// (detached when the builder has none).
    pub fn build(b: &mut OpBuilder<'_>, name: Option<&str>, loc: Location) -> Self {
        let (region, _) = b.create_region_with_block(&[]);
        let op_name = b.ident(Self::NAME);
        let mut state = OperationState::new(op_name, loc).with_region(region);
        if let Some(name) = name {
            let sym = b.ident(SYM_NAME_ATTR);
            let value = b.string_attr(name);
            state = state.with_attr(sym, value);
        }
        ModuleOp(b.create(state))
    }

    /// The module's name, if it has one.
    pub fn name(self, ctx: &Context) -> Option<&str> {
        ctx.symbol_name(self.0)
    }

    /// The block holding the module's contents; `None` only for a malformed
    /// module with an empty region.
    pub fn body(self, ctx: &Context) -> Option<BlockId> {
        ctx.regions(self.0).first().and_then(|&r| ctx.entry_block(r))
    }
}

/// Creates a detached, unnamed `builtin.module` with an empty body at an
/// unknown location: the usual root of IR built in memory.
pub fn create_module(ctx: &mut Context) -> OpId {
    let loc = ctx.unknown_loc();
    ModuleOp::build(&mut OpBuilder::new(ctx), None, loc).0
}

fn verify_module(ctx: &Context, op: OpId) -> DiagResult {
    verify_string_attr(ctx, op, SYM_NAME_ATTR)?;
    verify_string_attr(ctx, op, SYM_VISIBILITY_ATTR)?;
    // Invariant: the body is exactly one block without arguments, so
    // `ModuleOp::body` always finds it in verified IR. (The core checked
    // the region count against `regions(Exact(1))` before calling us.)
    let region = ctx.regions(op)[0];
    match ctx.region_blocks(region) {
        [] => {
            return Err(ctx
                .op_error(op, "region #0 ('bodyRegion') failed to verify constraint: region with 1 blocks"))
        }
        [block, ..] if !ctx.block_arguments(*block).is_empty() => {
            return Err(ctx.op_error(op, "region should have no arguments"));
        }
        _ => {}
    }
    // Discardable attributes of a module belong to a dialect, so that one
    // pass's metadata cannot be mistaken for another's.
    for attr in ctx.attrs(op) {
        let name = ctx.ident_str(attr.name);
        if !name.contains('.') && name != SYM_NAME_ATTR && name != SYM_VISIBILITY_ATTR {
            return Err(ctx.op_error(
                op,
                format!("can only contain attributes with dialect-prefixed names, found: '{name}'"),
            ));
        }
    }
    Ok(())
}

declare_op! {
    /// Casts values of some types to values of other types with no defined
    /// semantics: a placeholder left by a partial dialect conversion, which
    /// later conversions must remove.
    ///
    /// ```axir
    /// %1 = builtin.unrealized_conversion_cast %0 : i32 to f32
    /// %3:2 = builtin.unrealized_conversion_cast %0, %2 : i32, i32 to f32, f32
    /// ```
    pub struct UnrealizedConversionCastOp = "builtin.unrealized_conversion_cast";
    summary = "an unrealized conversion from one set of types to another";
    traits(OpTraits::PURE);
    operands(Arity::ANY);
    results(Arity::ANY);
    interface(crate::syntax::cast_assembly());
}

impl UnrealizedConversionCastOp {
    /// Creates a cast of `inputs` to `result_types` at the builder's insertion point.
    pub fn build(b: &mut OpBuilder<'_>, inputs: &[Value], result_types: &[Type], loc: Location) -> Self {
        let name = b.ident(Self::NAME);
        UnrealizedConversionCastOp(
            b.create(OperationState::new(name, loc).with_operands(inputs).with_results(result_types)),
        )
    }

    /// The values being cast.
    pub fn inputs(self, ctx: &Context) -> &[Value] {
        ctx.operands(self.0)
    }

    /// The cast values.
    pub fn outputs(self, ctx: &Context) -> &[Value] {
        ctx.results(self.0)
    }
}

/// Whether `attr` is a string attribute (used by the symbol verifiers).
pub(crate) fn is_string(ctx: &Context, attr: axir_ir::Attribute) -> bool {
    matches!(ctx.attr_data(attr), AttributeData::String(_))
}
