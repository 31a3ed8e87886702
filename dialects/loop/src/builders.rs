//! Typed builders and accessors of the loop ops, for passes and lowerings
//! that create loop-level IR with an [`OpBuilder`]. Each builder creates a
//! well-formed op at the builder's insertion point; verification still
//! checks the types it is given.

use crate::memref::MemRefType;
use crate::ops::*;
use crate::reduction::ReductionKind;
use axir_ir::{
    BlockId, Context, InsertPoint, Location, OpBuilder, OpDefinition, OperationState, Type, Value,
};

fn one_result(
    b: &mut OpBuilder<'_>,
    name: &str,
    operands: &[Value],
    ty: Type,
    loc: Location,
) -> axir_ir::OpId {
    b.create_named(name, loc, operands, &[ty], &[])
}

impl AllocOp {
    /// `loop.alloc(dynamic_sizes) : ty`; one size per `?` dim of `ty`.
    pub fn build(b: &mut OpBuilder<'_>, ty: Type, dynamic_sizes: &[Value], loc: Location) -> Self {
        Self(one_result(b, Self::NAME, dynamic_sizes, ty, loc))
    }

    /// The new buffer.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

impl DeallocOp {
    /// `loop.dealloc buffer`.
    pub fn build(b: &mut OpBuilder<'_>, buffer: Value, loc: Location) -> Self {
        Self(b.create_named(Self::NAME, loc, &[buffer], &[], &[]))
    }
}

impl DimOp {
    /// `loop.dim buffer, dim`.
    pub fn build(b: &mut OpBuilder<'_>, buffer: Value, dim: i64, loc: Location) -> Self {
        let i64t = b.integer_type(64);
        let attr = b.integer_attr(i128::from(dim), i64t);
        let index = b.index_type();
        Self(b.create_named(Self::NAME, loc, &[buffer], &[index], &[(INDEX_ATTR, attr)]))
    }

    /// The size, an `index`.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

impl LoadOp {
    /// `loop.load buffer[indices]`; the result has the buffer's element type
    /// (`None` when `buffer` is not a memref).
    pub fn build(b: &mut OpBuilder<'_>, buffer: Value, indices: &[Value], loc: Location) -> Option<Self> {
        let element = MemRefType::of(b, b.value_type(buffer))?.element;
        let operands: Vec<Value> = std::iter::once(buffer).chain(indices.iter().copied()).collect();
        Some(Self(one_result(b, Self::NAME, &operands, element, loc)))
    }

    /// The loaded value.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

impl StoreOp {
    /// `loop.store value, buffer[indices]`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        value: Value,
        buffer: Value,
        indices: &[Value],
        loc: Location,
    ) -> Self {
        let operands: Vec<Value> = [value, buffer].into_iter().chain(indices.iter().copied()).collect();
        Self(b.create_named(Self::NAME, loc, &operands, &[], &[]))
    }
}

impl SubviewOp {
    /// `loop.subview src[offsets] [sizes] [strides] : ... -> result_ty`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        src: Value,
        parts: [&[Value]; 3],
        result_ty: Type,
        loc: Location,
    ) -> Self {
        let operands: Vec<Value> =
            std::iter::once(src).chain(parts.iter().flat_map(|p| p.iter().copied())).collect();
        Self(one_result(b, Self::NAME, &operands, result_ty, loc))
    }

    /// The view.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

/// The offset, sizes and strides of a `loop.view`, all `index` values.
#[derive(Copy, Clone, Debug)]
pub struct ViewLayout<'a> {
    /// Offset from the start of the source's storage.
    pub offset: Value,
    /// One size per result dim.
    pub sizes: &'a [Value],
    /// One stride per result dim.
    pub strides: &'a [Value],
}

impl ViewOp {
    /// `loop.view src offset o sizes [...] strides [...] : ... -> result_ty`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        src: Value,
        layout: ViewLayout<'_>,
        result_ty: Type,
        loc: Location,
    ) -> Self {
        let operands: Vec<Value> = [src, layout.offset]
            .into_iter()
            .chain(layout.sizes.iter().copied())
            .chain(layout.strides.iter().copied())
            .collect();
        Self(one_result(b, Self::NAME, &operands, result_ty, loc))
    }

    /// The view.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

impl CopyOp {
    /// `loop.copy src, dst`.
    pub fn build(b: &mut OpBuilder<'_>, src: Value, dst: Value, loc: Location) -> Self {
        Self(b.create_named(Self::NAME, loc, &[src, dst], &[], &[]))
    }
}

impl YieldOp {
    /// `loop.yield values`.
    pub fn build(b: &mut OpBuilder<'_>, values: &[Value], loc: Location) -> Self {
        Self(b.create_named(Self::NAME, loc, values, &[], &[]))
    }
}

/// The body block of a loop op.
fn body(ctx: &Context, op: axir_ir::OpId) -> Option<BlockId> {
    ctx.regions(op).first().and_then(|r| ctx.entry_block(*r))
}

/// Creates a loop op whose body block takes `args`; without results the body
/// gets its empty `loop.yield` (insert the body's ops before it).
fn build_loop(b: &mut OpBuilder<'_>, state: OperationState, args: &[Type], loc: Location) -> axir_ir::OpId {
    let arg_locs: Vec<(Type, Location)> = args.iter().map(|t| (*t, loc)).collect();
    let (region, block) = b.create_region_with_block(&arg_locs);
    let no_results = state.result_types.is_empty();
    let op = b.create(state.with_region(region));
    if no_results {
        let name = b.ident(YieldOp::NAME);
        let y = b.create_op(OperationState::new(name, loc));
        b.insert_op(InsertPoint::BlockEnd(block), y);
    }
    op
}

impl ForOp {
    /// `loop.for %i = lb to ub step step iter_args(... = inits)`. The body
    /// block takes `(index, init types...)`; with no inits it already ends
    /// with `loop.yield`, else the caller adds the `loop.yield` of the next
    /// values.
    pub fn build(
        b: &mut OpBuilder<'_>,
        lb: Value,
        ub: Value,
        step: Value,
        inits: &[Value],
        loc: Location,
    ) -> Self {
        let types: Vec<Type> = inits.iter().map(|v| b.value_type(*v)).collect();
        let index = b.index_type();
        let args: Vec<Type> = std::iter::once(index).chain(types.iter().copied()).collect();
        let name = b.ident(Self::NAME);
        let operands: Vec<Value> = [lb, ub, step].into_iter().chain(inits.iter().copied()).collect();
        let state = OperationState::new(name, loc).with_operands(&operands).with_results(&types);
        Self(build_loop(b, state, &args, loc))
    }

    /// The body block.
    pub fn body(self, ctx: &Context) -> Option<BlockId> {
        body(ctx, self.0)
    }

    /// The induction variable.
    pub fn induction_var(self, ctx: &Context) -> Option<Value> {
        self.body(ctx).and_then(|b| ctx.block_arguments(b).first().copied())
    }

    /// The region arguments that carry the iter_args.
    pub fn iter_args(self, ctx: &Context) -> Vec<Value> {
        self.body(ctx).map(|b| ctx.block_arguments(b).iter().skip(1).copied().collect()).unwrap_or_default()
    }

    /// The results.
    pub fn results(self, ctx: &Context) -> &[Value] {
        ctx.results(self.0)
    }
}

impl ParallelOp {
    /// `loop.parallel (ivs) = (lbs) to (ubs) step (steps) reduce([...])
    /// init(...)`, one induction variable per bound, one result per
    /// `(kind, init)`. With no reductions the body already ends with
    /// `loop.yield`; else the caller adds the `loop.yield` of the partial
    /// values.
    pub fn build(
        b: &mut OpBuilder<'_>,
        bounds: [&[Value]; 3],
        reductions: &[(ReductionKind, Value)],
        loc: Location,
    ) -> Self {
        let types: Vec<Type> = reductions.iter().map(|(_, v)| b.value_type(*v)).collect();
        let index = b.index_type();
        let args = vec![index; bounds[0].len()];
        let name = b.ident(Self::NAME);
        let operands: Vec<Value> =
            bounds.iter().flat_map(|p| p.iter().copied()).chain(reductions.iter().map(|(_, v)| *v)).collect();
        let mut state = OperationState::new(name, loc).with_operands(&operands).with_results(&types);
        if !reductions.is_empty() {
            let names: Vec<axir_ir::Attribute> =
                reductions.iter().map(|(k, _)| b.string_attr(k.op_name())).collect();
            let array = b.array_attr(names);
            let attr_name = b.ident(REDUCTIONS_ATTR);
            state = state.with_attr(attr_name, array);
        }
        Self(build_loop(b, state, &args, loc))
    }

    /// The body block.
    pub fn body(self, ctx: &Context) -> Option<BlockId> {
        body(ctx, self.0)
    }

    /// The induction variables.
    pub fn induction_vars(self, ctx: &Context) -> Vec<Value> {
        self.body(ctx).map(|b| ctx.block_arguments(b).to_vec()).unwrap_or_default()
    }

    /// The results.
    pub fn results(self, ctx: &Context) -> &[Value] {
        ctx.results(self.0)
    }
}
