//! Declarations of every `loop` op and their verifiers.
//!
//! Each op is declared once with `declare_op!`; its doc comment is the op's
//! description and contains an example. Custom syntax lives in `syntax.rs`,
//! the folder in `fold.rs`, patterns in `canonicalize.rs`, memory effects in
//! `effects.rs`.
//!
//! Operands of variadic ops are not split by an `operandSegmentSizes`
//! attribute: every group size follows from types or regions (the memref
//! rank, the number of `?` dims, the number of induction variables, the
//! number of results), as written next to each verifier.

use crate::effects::MemoryEffects;
use crate::memref::{constant_index, is_index, operand_ty, shape_str, MemRefType};
use crate::reduction::ReductionKind;
use crate::syntax;
use axir_ir::{declare_op, Arity, AttributeData, Context, DiagResult, OpId, OpTraits, RegionId, Type, Value};
use axir_syntax::CustomAssembly;

/// The name of `loop.parallel`'s attribute listing its reduction ops.
pub const REDUCTIONS_ATTR: &str = "reductions";

/// The name of `loop.dim`'s attribute holding the dim number.
pub const INDEX_ATTR: &str = "index";

// ----- helpers ---------------------------------------------------------------

fn ty_str(ctx: &Context, ty: Type) -> String {
    ctx.display_type(ty).to_string()
}

/// Operand `i` as a memref.
fn memref_operand(ctx: &Context, op: OpId, i: usize) -> DiagResult<MemRefType> {
    let ty = ctx.value_type(ctx.operand(op, i));
    MemRefType::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(
            op,
            format!(
                "operand #{i} must be a memref with an identity or strided layout, but got {}",
                ty_str(ctx, ty)
            ),
        )
    })
}

/// Result `i` as a memref.
fn memref_result(ctx: &Context, op: OpId, i: usize) -> DiagResult<MemRefType> {
    let ty = ctx.value_type(ctx.result(op, i));
    MemRefType::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(
            op,
            format!(
                "result #{i} must be a memref with an identity or strided layout, but got {}",
                ty_str(ctx, ty)
            ),
        )
    })
}

/// Checks that operands `range` are all `index`.
fn check_index_operands(ctx: &Context, op: OpId, range: std::ops::Range<usize>, what: &str) -> DiagResult {
    for i in range {
        let ty = ctx.value_type(ctx.operand(op, i));
        if !is_index(ctx, ty) {
            return Err(
                ctx.op_error(op, format!("{what} operand #{i} must be index, but got {}", ty_str(ctx, ty)))
            );
        }
    }
    Ok(())
}

/// The single block of region `r` of `op`, or an error.
fn single_block(ctx: &Context, op: OpId, r: RegionId) -> DiagResult<axir_ir::BlockId> {
    match ctx.region_blocks(r) {
        [b] => Ok(*b),
        [] => Err(ctx.op_error(op, "expects a non-empty region")),
        _ => Err(ctx.op_error(op, "expects region #0 to have 0 or 1 blocks")),
    }
}

/// The `loop.yield` that ends `block`, if the block ends with one.
fn yield_of(ctx: &Context, block: axir_ir::BlockId) -> Option<OpId> {
    ctx.last_op(block).filter(|&t| ctx.op_name(t) == "loop.yield")
}

/// Checks that `block`'s `loop.yield` yields exactly `types`.
fn check_yield(ctx: &Context, op: OpId, block: axir_ir::BlockId, types: &[Type], what: &str) -> DiagResult {
    let Some(y) = yield_of(ctx, block) else {
        return Err(ctx.op_error(op, "expects its region to end with 'loop.yield'"));
    };
    let yielded: Vec<Type> = ctx.operands(y).iter().map(|v| ctx.value_type(*v)).collect();
    if yielded.len() != types.len() {
        return Err(ctx.op_error(
            y,
            format!(
                "yields {} value{}, but the parent '{}' expects {} ({what})",
                yielded.len(),
                if yielded.len() == 1 { "" } else { "s" },
                ctx.op_name(op),
                types.len()
            ),
        ));
    }
    for (i, (got, want)) in yielded.iter().zip(types).enumerate() {
        if got != want {
            return Err(ctx.op_error(
                y,
                format!(
                    "type of yielded value #{i} ({}) does not match {what} #{i} of the parent '{}' ({})",
                    ty_str(ctx, *got),
                    ctx.op_name(op),
                    ty_str(ctx, *want)
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that a step operand, when constant, is positive.
fn check_step(ctx: &Context, op: OpId, step: Value) -> DiagResult {
    match constant_index(ctx, step) {
        Some(s) if s <= 0 => Err(ctx.op_error(op, "constant step operand must be positive")),
        _ => Ok(()),
    }
}

// ----- verifiers -------------------------------------------------------------

/// `loop.alloc`: one `index` operand per `?` dim, identity layout.
pub fn verify_alloc(ctx: &Context, op: OpId) -> DiagResult {
    let m = memref_result(ctx, op, 0)?;
    if !m.identity {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} must have the identity layout",
                ty_str(ctx, ctx.value_type(ctx.result(op, 0)))
            ),
        ));
    }
    let n = ctx.operands(op).len();
    if n != m.num_dynamic_dims() {
        return Err(ctx.op_error(
            op,
            format!("incorrect number of dynamic sizes, has {n}, expected {}", m.num_dynamic_dims()),
        ));
    }
    check_index_operands(ctx, op, 0..n, "size")
}

/// `loop.dealloc`: one memref operand.
pub fn verify_dealloc(ctx: &Context, op: OpId) -> DiagResult {
    memref_operand(ctx, op, 0).map(|_| ())
}

/// `loop.dim`: a dim number in range, an `index` result.
pub fn verify_dim(ctx: &Context, op: OpId) -> DiagResult {
    let m = memref_operand(ctx, op, 0)?;
    let index = dim_index(ctx, op).ok_or_else(|| ctx.op_error(op, "requires integer attribute 'index'"))?;
    if index < 0 || index as usize >= m.rank() {
        return Err(ctx.op_error(
            op,
            format!("index {index} is out of range for {} of rank {}", operand_ty(ctx, op, 0), m.rank()),
        ));
    }
    let ty = ctx.value_type(ctx.result(op, 0));
    if !is_index(ctx, ty) {
        return Err(ctx.op_error(op, format!("result must be index, but got {}", ty_str(ctx, ty))));
    }
    Ok(())
}

/// The dim number of a `loop.dim`.
pub fn dim_index(ctx: &Context, op: OpId) -> Option<i64> {
    ctx.attr(op, INDEX_ATTR).and_then(|a| ctx.attr_as_int(a)).and_then(|n| i64::try_from(n).ok())
}

/// `loop.load %b[indices]`: operands `1 + rank`.
pub fn verify_load(ctx: &Context, op: OpId) -> DiagResult {
    let m = memref_operand(ctx, op, 0)?;
    let n = ctx.operands(op).len() - 1;
    if n != m.rank() {
        return Err(ctx.op_error(
            op,
            format!("incorrect number of indices for load, expected {} but got {n}", m.rank()),
        ));
    }
    check_index_operands(ctx, op, 1..n + 1, "index")?;
    let ty = ctx.value_type(ctx.result(op, 0));
    if ty != m.element {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} does not match the element type {} of {}",
                ty_str(ctx, ty),
                ty_str(ctx, m.element),
                operand_ty(ctx, op, 0)
            ),
        ));
    }
    Ok(())
}

/// `loop.store %v, %b[indices]`: operands `2 + rank`.
pub fn verify_store(ctx: &Context, op: OpId) -> DiagResult {
    let m = memref_operand(ctx, op, 1)?;
    let n = ctx.operands(op).len() - 2;
    if n != m.rank() {
        return Err(ctx.op_error(
            op,
            format!("incorrect number of indices for store, expected {} but got {n}", m.rank()),
        ));
    }
    check_index_operands(ctx, op, 2..n + 2, "index")?;
    let ty = ctx.value_type(ctx.operand(op, 0));
    if ty != m.element {
        return Err(ctx.op_error(
            op,
            format!(
                "value type {} does not match the element type {} of {}",
                ty_str(ctx, ty),
                ty_str(ctx, m.element),
                operand_ty(ctx, op, 1)
            ),
        ));
    }
    Ok(())
}

/// Static parts of a view that the verifier can compare with the declared
/// result type: sizes, strides and the offset, each known when its operand
/// is a constant (and, for subview, the source's layout is static).
struct InferredView {
    sizes: Vec<Option<i64>>,
    strides: Vec<Option<i64>>,
    offset: Option<i64>,
}

/// Compares a view's declared result type with what its constant operands
/// imply; dynamic parts are checked at run time instead.
fn check_view_result(ctx: &Context, op: OpId, result: &MemRefType, inferred: &InferredView) -> DiagResult {
    let ty = ty_str(ctx, ctx.value_type(ctx.result(op, 0)));
    for (d, (declared, size)) in result.shape.iter().zip(&inferred.sizes).enumerate() {
        if let (Some(declared), Some(size)) = (declared, size) {
            if *declared as i64 != *size {
                return Err(ctx.op_error(
                    op,
                    format!(
                        "result type {ty} has size {declared} in dim {d}, but the size operand is {size}"
                    ),
                ));
            }
        }
    }
    for (d, (declared, stride)) in result.strides.iter().zip(&inferred.strides).enumerate() {
        if let (Some(declared), Some(stride)) = (declared, stride) {
            if declared != stride {
                return Err(ctx.op_error(
                    op,
                    format!(
                        "result type {ty} has stride {declared} in dim {d}, but the view has stride {stride}"
                    ),
                ));
            }
        }
    }
    if let (Some(declared), Some(offset)) = (result.offset, inferred.offset) {
        if declared != offset {
            return Err(ctx.op_error(
                op,
                format!("result type {ty} has offset {declared}, but the view has offset {offset}"),
            ));
        }
    }
    Ok(())
}

/// `loop.subview %b[offsets] [sizes] [strides]`: operands `1 + 3 * rank`.
pub fn verify_subview(ctx: &Context, op: OpId) -> DiagResult {
    let src = memref_operand(ctx, op, 0)?;
    let result = memref_result(ctx, op, 0)?;
    let rank = src.rank();
    let n = ctx.operands(op).len() - 1;
    if n != 3 * rank {
        return Err(ctx.op_error(
            op,
            format!(
                "expected {rank} offsets, {rank} sizes and {rank} strides for {}, but got {n} index operands",
                operand_ty(ctx, op, 0)
            ),
        ));
    }
    check_index_operands(ctx, op, 1..n + 1, "offset, size and stride")?;
    if result.element != src.element || result.rank() != rank {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} must have the element type and rank of the source type {}",
                ty_str(ctx, ctx.value_type(ctx.result(op, 0))),
                operand_ty(ctx, op, 0)
            ),
        ));
    }
    if result.identity && rank > 0 {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} must have a strided layout",
                ty_str(ctx, ctx.value_type(ctx.result(op, 0)))
            ),
        ));
    }
    let operands = ctx.operands(op);
    let konst = |i: usize| constant_index(ctx, operands[1 + i]);
    let offsets: Vec<Option<i64>> = (0..rank).map(konst).collect();
    let sizes: Vec<Option<i64>> = (0..rank).map(|d| konst(rank + d)).collect();
    let steps: Vec<Option<i64>> = (0..rank).map(|d| konst(2 * rank + d)).collect();
    let strides = src
        .strides
        .iter()
        .zip(&steps)
        .map(|(s, t)| match (s, t) {
            (Some(s), Some(t)) => s.checked_mul(*t),
            _ => None,
        })
        .collect();
    let mut offset = src.offset;
    for (o, s) in offsets.iter().zip(&src.strides) {
        offset = match (offset, o, s) {
            (Some(acc), Some(o), Some(s)) => o.checked_mul(*s).and_then(|x| acc.checked_add(x)),
            _ => None,
        };
    }
    check_view_result(ctx, op, &result, &InferredView { sizes, strides, offset })
}

/// `loop.view %b offset %o sizes [...] strides [...]`: operands
/// `2 + 2 * result rank`.
pub fn verify_view(ctx: &Context, op: OpId) -> DiagResult {
    let src = memref_operand(ctx, op, 0)?;
    let result = memref_result(ctx, op, 0)?;
    let rank = result.rank();
    let n = ctx.operands(op).len() - 1;
    if n != 1 + 2 * rank {
        return Err(ctx.op_error(
            op,
            format!(
                "expected an offset, {rank} sizes and {rank} strides for the result of rank {rank}, but got {n} index operands"
            ),
        ));
    }
    check_index_operands(ctx, op, 1..n + 1, "offset, size and stride")?;
    if result.element != src.element {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} must have the element type of the source type {}",
                ty_str(ctx, ctx.value_type(ctx.result(op, 0))),
                operand_ty(ctx, op, 0)
            ),
        ));
    }
    let operands = ctx.operands(op);
    let konst = |i: usize| constant_index(ctx, operands[1 + i]);
    for i in 0..rank {
        if let Some(s) = konst(1 + i) {
            if s < 0 {
                return Err(ctx.op_error(op, format!("size #{i} must be non-negative, but is {s}")));
            }
        }
    }
    let inferred = InferredView {
        offset: konst(0),
        sizes: (0..rank).map(|d| konst(1 + d)).collect(),
        strides: (0..rank).map(|d| konst(1 + rank + d)).collect(),
    };
    check_view_result(ctx, op, &result, &inferred)
}

/// `loop.copy %src, %dst`: same element type and rank, static dims agree.
pub fn verify_copy(ctx: &Context, op: OpId) -> DiagResult {
    let src = memref_operand(ctx, op, 0)?;
    let dst = memref_operand(ctx, op, 1)?;
    if src.element != dst.element {
        return Err(ctx.op_error(
            op,
            format!(
                "source {} and target {} must have the same element type",
                operand_ty(ctx, op, 0),
                operand_ty(ctx, op, 1)
            ),
        ));
    }
    let compatible = src.rank() == dst.rank()
        && src.shape.iter().zip(&dst.shape).all(|(a, b)| a.is_none() || b.is_none() || a == b);
    if !compatible {
        return Err(ctx.op_error(
            op,
            format!(
                "source shape {} and target shape {} are not compatible",
                shape_str(&src.shape),
                shape_str(&dst.shape)
            ),
        ));
    }
    Ok(())
}

/// `loop.for`: operands `lb, ub, step, inits...`; the region's block takes
/// `(index, init types...)` and yields the result types.
pub fn verify_for(ctx: &Context, op: OpId) -> DiagResult {
    check_index_operands(ctx, op, 0..3, "bound and step")?;
    check_step(ctx, op, ctx.operand(op, 2))?;
    let inits: Vec<Type> = ctx.operands(op)[3..].iter().map(|v| ctx.value_type(*v)).collect();
    let results: Vec<Type> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    if inits.len() != results.len() {
        return Err(ctx.op_error(
            op,
            format!(
                "mismatch in number of loop-carried values and defined values: {} iter_args, {} results",
                inits.len(),
                results.len()
            ),
        ));
    }
    for (i, (a, b)) in inits.iter().zip(&results).enumerate() {
        if a != b {
            return Err(ctx.op_error(
                op,
                format!(
                    "type of iter_arg #{i} ({}) does not match result #{i} ({})",
                    ty_str(ctx, *a),
                    ty_str(ctx, *b)
                ),
            ));
        }
    }
    let block = single_block(ctx, op, ctx.regions(op)[0])?;
    let args: Vec<Type> = ctx.block_arguments(block).iter().map(|v| ctx.value_type(*v)).collect();
    let index = ctx.index();
    let expected: Vec<Type> = std::iter::once(index).chain(inits.iter().copied()).collect();
    if args != expected {
        let list = |ts: &[Type]| ts.iter().map(|t| ty_str(ctx, *t)).collect::<Vec<_>>().join(", ");
        return Err(ctx.op_error(
            op,
            format!(
                "region arguments ({}) must be the induction variable (index) followed by the iter_args ({})",
                list(&args),
                list(&expected)
            ),
        ));
    }
    check_yield(ctx, op, block, &results, "result")
}

/// The number of induction variables of a `loop.parallel`: the arguments of
/// its region's block (0 when the region has no block).
pub fn parallel_rank(ctx: &Context, op: OpId) -> usize {
    ctx.regions(op).first().and_then(|r| ctx.entry_block(*r)).map_or(0, |b| ctx.block_arguments(b).len())
}

/// The reduction ops of a `loop.parallel`, one per result (`None` for an
/// entry that is not a known kind).
pub fn parallel_reductions(ctx: &Context, op: OpId) -> Option<Vec<Option<ReductionKind>>> {
    let Some(attr) = ctx.attr(op, REDUCTIONS_ATTR) else { return Some(Vec::new()) };
    match ctx.attr_data(attr) {
        AttributeData::Array(items) => {
            Some(items.iter().map(|a| ctx.attr_as_str(*a).and_then(ReductionKind::from_op_name)).collect())
        }
        _ => None,
    }
}

/// `loop.parallel`: operands `lbs(n), ubs(n), steps(n), inits(r)` where `n`
/// is the number of block arguments (all `index`) and `r` the number of
/// results; `reductions` names one combining op per result.
pub fn verify_parallel(ctx: &Context, op: OpId) -> DiagResult {
    let block = single_block(ctx, op, ctx.regions(op)[0])?;
    let n = ctx.block_arguments(block).len();
    if n == 0 {
        return Err(ctx.op_error(op, "needs at least one induction variable"));
    }
    for (i, a) in ctx.block_arguments(block).iter().enumerate() {
        let ty = ctx.value_type(*a);
        if !is_index(ctx, ty) {
            return Err(ctx.op_error(
                op,
                format!("induction variable #{i} must be index, but got {}", ty_str(ctx, ty)),
            ));
        }
    }
    let results: Vec<Type> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    let r = results.len();
    let operands = ctx.operands(op);
    if operands.len() != 3 * n + r {
        return Err(ctx.op_error(
            op,
            format!(
                "expected {n} lower bounds, {n} upper bounds, {n} steps and {r} init values ({} operands), but got {}",
                3 * n + r,
                operands.len()
            ),
        ));
    }
    check_index_operands(ctx, op, 0..3 * n, "bound and step")?;
    for &s in &operands[2 * n..3 * n] {
        check_step(ctx, op, s)?;
    }
    let kinds = parallel_reductions(ctx, op).ok_or_else(|| {
        ctx.op_error(op, format!("attribute '{REDUCTIONS_ATTR}' must be an array of op names"))
    })?;
    if kinds.len() != r {
        return Err(ctx.op_error(
            op,
            format!(
                "expects {r} reduction op{} (one per result), but got {}",
                if r == 1 { "" } else { "s" },
                kinds.len()
            ),
        ));
    }
    for (i, (kind, ty)) in kinds.iter().zip(&results).enumerate() {
        let Some(kind) = kind else {
            return Err(ctx.op_error(
                op,
                format!(
                    "reduction #{i} is not a supported reduction op; expected one of {}",
                    ReductionKind::ALL.iter().map(|k| k.op_name()).collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if !kind.accepts(ctx, *ty) {
            return Err(ctx.op_error(
                op,
                format!(
                    "reduction #{i} '{}' does not apply to result type {}",
                    kind.op_name(),
                    ty_str(ctx, *ty)
                ),
            ));
        }
        let init = ctx.value_type(operands[3 * n + i]);
        if init != *ty {
            return Err(ctx.op_error(
                op,
                format!(
                    "type of init value #{i} ({}) does not match result #{i} ({})",
                    ty_str(ctx, init),
                    ty_str(ctx, *ty)
                ),
            ));
        }
    }
    check_yield(ctx, op, block, &results, "result")
}

/// `loop.yield`: inside `loop.for` or `loop.parallel` (the parent checks the types).
pub fn verify_yield(ctx: &Context, op: OpId) -> DiagResult {
    match ctx.parent_op(op).map(|p| ctx.op_name(p)) {
        Some("loop.for" | "loop.parallel") => Ok(()),
        _ => Err(ctx.op_error(op, "expects parent op to be one of 'loop.for, loop.parallel'")),
    }
}

// ----- declarations ----------------------------------------------------------

declare_op! {
    /// Allocates a buffer with the identity (row-major, contiguous) layout.
    /// Takes one `index` operand per dynamic (`?`) dim, in order. The
    /// contents are undefined until written; the interpreter fills them with
    /// zeros. Free it with `loop.dealloc`.
    ///
    /// ```axir
    /// %b = loop.alloc(%n) : memref<?x8xf32>
    /// %c = loop.alloc() : memref<4xi32>
    /// ```
    pub struct AllocOp = "loop.alloc";
    summary = "buffer allocation";
    operands(Arity::ANY);
    results(Arity::Exact(1));
    verifier(verify_alloc);
    interface(MemoryEffects::ALLOC);
    interface(CustomAssembly::new(syntax::parse_alloc, syntax::print_alloc));
}

declare_op! {
    /// Frees a buffer made by `loop.alloc`. Any later access through it or
    /// through a view of it is an error (the interpreter reports it).
    ///
    /// ```axir
    /// loop.dealloc %b : memref<?x8xf32>
    /// ```
    pub struct DeallocOp = "loop.dealloc";
    summary = "buffer deallocation";
    operands(Arity::Exact(1));
    verifier(verify_dealloc);
    interface(MemoryEffects::FREE);
    interface(CustomAssembly::new(syntax::parse_dealloc, syntax::print_dealloc));
}

declare_op! {
    /// The size of dim `index` of a buffer, as an `index`. A buffer's shape
    /// never changes, so (as MLIR's `memref.dim`) this reads no memory and
    /// is `Pure`. It folds to a constant for a static dim, and to the size
    /// operand of the `loop.alloc` that made the buffer for a dynamic one.
    ///
    /// ```axir
    /// %n = loop.dim %b, 0 : memref<?x8xf32>
    /// ```
    pub struct DimOp = "loop.dim";
    summary = "size of a buffer dim";
    traits(OpTraits::PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    required_attrs(&[INDEX_ATTR]);
    verifier(verify_dim);
    folder(crate::fold::fold_dim);
    interface(CustomAssembly::new(syntax::parse_dim, syntax::print_dim));
}

declare_op! {
    /// Reads one element at `indices` (one `index` per dim). The address is
    /// `offset + sum(indices[d] * strides[d])`; an index outside `[0, size)`
    /// of its dim is an error at run time. Not `Pure` (it reads memory) but
    /// read-only: see `MemoryEffects`.
    ///
    /// ```axir
    /// %v = loop.load %b[%i, %j] : memref<?x8xf32, strided<[?, 1], offset: ?>>
    /// ```
    pub struct LoadOp = "loop.load";
    summary = "element load";
    operands(Arity::AtLeast(1));
    results(Arity::Exact(1));
    verifier(verify_load);
    interface(MemoryEffects::READ);
    interface(CustomAssembly::new(syntax::parse_load, syntax::print_load));
}

declare_op! {
    /// Writes one element at `indices`; addressing and bounds as `loop.load`.
    ///
    /// ```axir
    /// loop.store %v, %b[%i, %j] : memref<?x8xf32>
    /// ```
    pub struct StoreOp = "loop.store";
    summary = "element store";
    operands(Arity::AtLeast(2));
    verifier(verify_store);
    interface(MemoryEffects::WRITE);
    interface(CustomAssembly::new(syntax::parse_store, syntax::print_store));
}

declare_op! {
    /// A rectangular, strided window of a buffer that shares its storage.
    /// For each dim `d`: the window starts at `offsets[d]`, has `sizes[d]`
    /// elements and steps `strides[d]` source elements. So the result's
    /// offset is `src.offset + sum(offsets[d] * src.strides[d])` and its
    /// stride `d` is `src.strides[d] * strides[d]`. The window must lie in the
    /// source (checked at run time). The result has a strided layout; where
    /// the operands are constants its static sizes, strides and offset must
    /// agree with them.
    ///
    /// ```axir
    /// %s = loop.subview %b[%o0, %o1] [%s0, %s1] [%t0, %t1] : memref<?x?xf32> -> memref<?x?xf32, strided<[?, ?], offset: ?>>
    /// ```
    pub struct SubviewOp = "loop.subview";
    summary = "strided window of a buffer";
    traits(OpTraits::PURE);
    operands(Arity::AtLeast(1));
    results(Arity::Exact(1));
    verifier(verify_subview);
    interface(CustomAssembly::new(syntax::parse_subview, syntax::print_subview));
}

declare_op! {
    /// Reinterprets the storage of a buffer with any offset, sizes and
    /// strides, like MLIR's `memref.reinterpret_cast`: the offset is counted
    /// from the start of the source's storage (the source's own offset and
    /// strides are ignored), and strides may be 0 to broadcast one element
    /// along a dim. Every reachable element must lie in the storage (checked
    /// at run time). Where the operands are constants the result type's
    /// static sizes, strides and offset must agree with them.
    ///
    /// ```axir
    /// %w = loop.view %b offset %o sizes [%s0, %s1] strides [%t0, %t1] : memref<8xf32> -> memref<?x8xf32, strided<[0, 1]>>
    /// ```
    pub struct ViewOp = "loop.view";
    summary = "reinterpretation of a buffer's storage";
    traits(OpTraits::PURE);
    operands(Arity::AtLeast(2));
    results(Arity::Exact(1));
    verifier(verify_view);
    interface(CustomAssembly::new(syntax::parse_view, syntax::print_view));
}

declare_op! {
    /// Copies every element of `src` to `dst`, which must have the same
    /// element type and shape (static dims are checked by the verifier,
    /// dynamic ones at run time). The two may have different layouts; they
    /// must not overlap.
    ///
    /// ```axir
    /// loop.copy %src, %dst : memref<?x8xf32, strided<[8, 1]>>, memref<?x8xf32>
    /// ```
    pub struct CopyOp = "loop.copy";
    summary = "buffer copy";
    operands(Arity::Exact(2));
    verifier(verify_copy);
    interface(MemoryEffects::READ_WRITE);
    interface(CustomAssembly::new(syntax::parse_copy, syntax::print_copy));
}

declare_op! {
    /// A sequential loop from `lb` (inclusive) to `ub` (exclusive) by a
    /// positive `step`, like MLIR's `scf.for`. The region's block takes the
    /// induction variable and one argument per `iter_args` value; its
    /// `loop.yield` gives the next values; the results are the last yielded
    /// values, or the inits when the loop runs zero times. Without
    /// `iter_args` the empty `loop.yield` may be left out in the text.
    ///
    /// ```axir
    /// %r = loop.for %i = %lb to %ub step %st iter_args(%acc = %init) -> (f32) {
    ///   %x = loop.load %b[%i] : memref<?xf32>
    ///   %next = arith.addf %acc, %x : f32
    ///   loop.yield %next : f32
    /// }
    /// loop.for %i = %lb to %ub step %st {
    ///   loop.store %x, %b[%i] : memref<?xf32>
    /// }
    /// ```
    pub struct ForOp = "loop.for";
    summary = "sequential loop";
    traits(OpTraits::SINGLE_BLOCK | OpTraits::RECURSIVE_MEMORY_EFFECTS);
    operands(Arity::AtLeast(3));
    results(Arity::ANY);
    regions(Arity::Exact(1));
    verifier(verify_for);
    interface(CustomAssembly::new(syntax::parse_for, syntax::print_for));
    interface(axir_rewrite::CanonicalizationPatterns { populate: crate::canonicalize::populate_for });
}

declare_op! {
    /// A loop nest whose iterations are independent and may run in any
    /// order or at once. Each induction variable runs from its lower bound
    /// (inclusive) to its upper bound (exclusive) by its positive step. Each
    /// result is a reduction: the values that the iterations yield are
    /// combined, starting from the matching `init`, with the named
    /// commutative and associative arith op (`arith.addf mulf maximumf
    /// minimumf addi muli maxsi minsi maxui minui andi ori xori`), in an
    /// unspecified order. Without reductions: `loop.parallel (%i) = (%lb) to
    /// (%ub) step (%s) { ... }` and the empty `loop.yield` may be left out.
    ///
    /// ```axir
    /// %r = loop.parallel (%i, %j) = (%lb0, %lb1) to (%ub0, %ub1) step (%s0, %s1) reduce(["arith.addf"]) init(%zero) -> (f32) {
    ///   %x = loop.load %b[%i, %j] : memref<?x?xf32>
    ///   loop.yield %x : f32
    /// }
    /// ```
    pub struct ParallelOp = "loop.parallel";
    summary = "parallel loop nest with reductions";
    traits(OpTraits::SINGLE_BLOCK | OpTraits::RECURSIVE_MEMORY_EFFECTS);
    operands(Arity::AtLeast(3));
    results(Arity::ANY);
    regions(Arity::Exact(1));
    verifier(verify_parallel);
    interface(CustomAssembly::new(syntax::parse_parallel, syntax::print_parallel));
    interface(axir_rewrite::CanonicalizationPatterns { populate: crate::canonicalize::populate_parallel });
}

declare_op! {
    /// Ends the body of `loop.for` (the next iter_args values) or of
    /// `loop.parallel` (this iteration's partial values, one per reduction).
    ///
    /// ```axir
    /// loop.yield %a, %b : f32, f32
    /// ```
    pub struct YieldOp = "loop.yield";
    summary = "loop body terminator";
    traits(OpTraits::PURE | OpTraits::TERMINATOR | OpTraits::RETURN_LIKE);
    operands(Arity::ANY);
    verifier(verify_yield);
    interface(CustomAssembly::new(syntax::parse_yield, syntax::print_yield));
}

declare_op! {
    /// Stops the function with a run-time error when `condition` (an `i1`)
    /// is false, like MLIR's `cf.assert`, but with a message that can show
    /// run-time values: `{N}` in `msg` stands for the N-th `index` value
    /// after the message. The lowering from the array level writes one per
    /// shape condition it cannot decide when compiling (dims that must
    /// broadcast, match or divide), before the function touches any memory.
    /// The interpreter reports a failure as a located error; compiled code
    /// returns it to the caller (see `docs/mlir-bridge.md`). Not `Pure`:
    /// it must not be removed, hoisted or merged with what follows it.
    ///
    /// ```axir
    /// loop.assert %ok, "shapes ({0},) and ({1},) cannot be broadcast together" (%n, %m)
    /// ```
    pub struct AssertOp = "loop.assert";
    summary = "run-time check with a message";
    operands(Arity::AtLeast(1));
    required_attrs(&[MSG_ATTR]);
    verifier(verify_assert);
    interface(CustomAssembly::new(syntax::parse_assert, syntax::print_assert));
    interface(axir_rewrite::CanonicalizationPatterns { populate: crate::canonicalize::populate_assert });
}

/// The name of `loop.assert`'s message attribute (MLIR's `cf.assert` name).
pub const MSG_ATTR: &str = "msg";

/// `loop.assert`: an `i1` condition, then `index` values; every `{N}` of
/// the message names one of the values.
pub fn verify_assert(ctx: &Context, op: OpId) -> DiagResult {
    let cond_ty = ctx.value_type(ctx.operand(op, 0));
    if !matches!(ctx.type_data(cond_ty), axir_ir::TypeData::Integer { width: 1, .. }) {
        return Err(ctx.op_error(op, format!("operand #0 must be i1, but got {}", ty_str(ctx, cond_ty))));
    }
    check_index_operands(ctx, op, 1..ctx.operands(op).len(), "value")?;
    let msg = assert_message(ctx, op).ok_or_else(|| ctx.op_error(op, "requires string attribute 'msg'"))?;
    let n = ctx.operands(op).len() - 1;
    if let Some(k) = placeholders(msg).find(|&k| k >= n) {
        return Err(ctx.op_error(
            op,
            format!(
                "message refers to value {{{k}}}, but the op has {n} value{}",
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

/// The message template of a `loop.assert`.
pub fn assert_message(ctx: &Context, op: OpId) -> Option<&str> {
    ctx.attr(op, MSG_ATTR).and_then(|a| ctx.attr_as_str(a))
}

/// The value numbers of the `{N}` placeholders of `template`, in order.
fn placeholders(template: &str) -> impl Iterator<Item = usize> + '_ {
    template.split('{').skip(1).filter_map(|rest| {
        let (digits, _) = rest.split_once('}')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // A number too large for usize refers to no value either.
        Some(digits.parse().unwrap_or(usize::MAX))
    })
}

/// The message of a failed `loop.assert`: `template` with each `{N}`
/// replaced by `values[N]` (`?` where there is no such value). Shared by
/// the interpreter and compiled code, so both say the same thing.
pub fn format_assert_message(template: &str, values: &[i64]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let number = after.split_once('}').and_then(|(digits, tail)| {
            let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| (digits.parse::<usize>().ok(), tail))
        });
        match number {
            Some((k, tail)) => {
                match k.and_then(|k| values.get(k)) {
                    Some(v) => out.push_str(&v.to_string()),
                    None => out.push('?'),
                }
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
