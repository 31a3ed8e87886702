//! Lowering one function: its signature, its buffers and its ops in order.
//!
//! **Calling convention** (destination-passing style, the interpreter's
//! `loop.output` convention):
//! - each ranked tensor parameter becomes a `memref` of the same shape with
//!   the identity layout (`ui8` elements become `i8`: arith is signless);
//! - each tensor result becomes a trailing `memref` parameter marked with
//!   the argument attribute `loop.output` (`unit` when its shape is static,
//!   else one entry per dim: the size, or `[ARG, DIM]` for a dim that is the
//!   size of dim `DIM` of parameter `ARG`); the caller allocates it and the
//!   function writes every element. Results of other types stay results;
//! - outputs must not alias inputs;
//! - when the size of some dynamic dim of some result is not the size of an
//!   argument dim (a slice, a concatenation, a broadcast of two dynamic
//!   dims), the caller cannot allocate it: the function then allocates
//!   every tensor result itself and returns it as a `memref` result (in the
//!   place of the tensor), and the caller frees it.
//!
//! **Buffers**: a group writes its outputs directly into the output
//! parameters when they are results, else into temporaries. Temporaries are
//! allocated once, at the start of the function, freed before it returns,
//! and reused: a value whose last reader ran before another value of the
//! same element type and dims is computed gets its buffer. Broadcasts,
//! transposes, slices and reshapes of contiguous buffers outside groups are
//! views (`loop.view`, stride 0 for a broadcast dim), never copies.

use super::builder::Emitter;
use super::group::{elem_of, BufferRef, Ix, Lowering};
use super::scalar::Elem;
use axir_array::ops::{i64_array_attr, slice_specs};
use axir_array::transforms::{ShapeInfo, SymDim, SymExpr};
use axir_array::FusionOp;
use axir_ir::{
    Attribute, AttributeData, BlockId, Context, Diagnostic, InsertPoint, MemRefLayout, OpDefinition, OpId,
    Type, TypeData, Value,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// The largest constant array the lowering writes into a buffer, one store
/// per element.
const MAX_CONSTANT_ELEMENTS: usize = 1 << 16;

/// The ops the lowering evaluates point by point.
fn is_compute(name: &str) -> bool {
    axir_array::ops::unary_op(name).is_some()
        || axir_array::ops::binary_op(name).is_some()
        || matches!(
            name,
            "array.cmp"
                | "array.select"
                | "array.cast"
                | "array.iota"
                | "array.reduce"
                | "array.matmul"
                | "array.broadcast"
                | "array.transpose"
                | "array.slice"
                | "array.reshape"
                | "array.constant"
        )
}

fn is_view(name: &str) -> bool {
    matches!(name, "array.broadcast" | "array.transpose" | "array.slice" | "array.reshape")
}

fn is_splat(ctx: &Context, op: OpId) -> bool {
    ctx.op_name(op) == "array.constant"
        && ctx.attr(op, "value").is_some_and(
            |a| matches!(ctx.attr_data(a), AttributeData::DenseElements { data, .. } if data.len() == 1),
        )
}

fn is_tensor(ctx: &Context, ty: Type) -> bool {
    matches!(ctx.type_data(ty), TypeData::Tensor { .. })
}

/// A located "failed to legalize" error with a note saying why.
fn legalize_error(ctx: &Context, op: OpId, why: impl Into<String>) -> Diagnostic {
    let loc = ctx.op_location(op);
    Diagnostic::error(loc, format!("failed to legalize operation '{}'", ctx.op_name(op))).with_note(loc, why)
}

/// Checks everything the lowering needs before it changes anything, and
/// reports every problem.
pub(crate) fn check(ctx: &Context, func: OpId, entry: BlockId, shapes: &ShapeInfo) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let fname = ctx.symbol_name(func).unwrap_or("").to_string();
    let Some(&region) = ctx.regions(func).first() else { return errors };
    if ctx.region_blocks(region).len() > 1 {
        errors.push(legalize_error(
            ctx,
            func,
            format!(
                "convert-array-to-loop lowers single-block functions, and @{fname} has more than one block"
            ),
        ));
        return errors;
    }
    for (i, &a) in ctx.block_arguments(entry).iter().enumerate() {
        let ty = ctx.value_type(a);
        if let TypeData::Tensor { shape, element } = ctx.type_data(ty) {
            if shape.is_none() || Elem::of(ctx, *element).is_none() {
                errors.push(legalize_error(
                    ctx,
                    func,
                    format!("argument #{i} of @{fname} has type {}, but convert-array-to-loop needs a ranked tensor of a supported element type", ctx.display_type(ty)),
                ));
            }
        }
    }
    for op in ctx.block_ops_iter(entry) {
        check_op(ctx, op, &mut errors, false);
        if let Some(f) = FusionOp::from_op(ctx, op) {
            if let Some(body) = f.body(ctx) {
                for inner in ctx.block_ops_iter(body) {
                    check_op(ctx, inner, &mut errors, true);
                }
            }
        }
    }
    for e in shapes.exprs() {
        if let SymExpr::Opaque { value, dim } = e {
            if let Some(op) = ctx.defining_op(*value) {
                if ctx.parent_op(op) == Some(func)
                    || ctx.parent_op(op).and_then(|p| ctx.parent_op(p)) == Some(func)
                {
                    errors.push(legalize_error(ctx, op, format!("convert-array-to-loop cannot compute the size of dynamic dim {dim} of its result from the arguments")));
                }
            }
        }
    }
    errors
}

fn check_op(ctx: &Context, op: OpId, errors: &mut Vec<Diagnostic>, in_group: bool) {
    let name = ctx.op_name(op);
    for (i, &v) in ctx.operands(op).iter().chain(ctx.results(op)).enumerate() {
        let ty = ctx.value_type(v);
        if let TypeData::Tensor { shape, element } = ctx.type_data(ty) {
            if shape.is_none() || Elem::of(ctx, *element).is_none() {
                errors.push(legalize_error(
                    ctx,
                    op,
                    format!(
                        "value #{i} has type {}, which convert-array-to-loop cannot lower",
                        ctx.display_type(ty)
                    ),
                ));
                return;
            }
        }
    }
    let ok = match name {
        "array.fusion" | "array.dim" | "array.concat" | "func.return" => !in_group,
        "array.yield" => in_group,
        _ if is_compute(name) => true,
        _ if name.starts_with("array.") => false,
        "func.call" => {
            errors.push(legalize_error(
                ctx,
                op,
                "convert-array-to-loop does not lower calls; run 'inline' first",
            ));
            return;
        }
        // Scalar ops (index math) are left as they are, unless they touch tensors.
        _ => !ctx.operands(op).iter().chain(ctx.results(op)).any(|&v| is_tensor(ctx, ctx.value_type(v))),
    };
    if !ok {
        let why = if in_group {
            "convert-array-to-loop cannot compute this op inside an 'array.fusion'"
        } else {
            "convert-array-to-loop has no lowering for it"
        };
        errors.push(legalize_error(ctx, op, why));
    }
    if name == "array.constant" && !is_splat(ctx, op) {
        let count = match ctx.type_data(ctx.value_type(ctx.result(op, 0))) {
            TypeData::Tensor { shape: Some(s), .. } => s.iter().map(|d| d.unwrap_or(0) as usize).product(),
            _ => 0,
        };
        if count > MAX_CONSTANT_ELEMENTS {
            errors.push(legalize_error(
                ctx,
                op,
                format!("convert-array-to-loop writes constant arrays element by element, and this one has {count} elements (at most {MAX_CONSTANT_ELEMENTS})"),
            ));
        }
    }
    if name == "array.reduce" {
        let kind = ctx.attr(op, "kind").and_then(|a| ctx.attr_as_str(a)).unwrap_or("");
        if !axir_array::ops::REDUCE_KINDS.contains(&kind) {
            errors.push(legalize_error(
                ctx,
                op,
                format!("convert-array-to-loop knows no reduction '{kind}'"),
            ));
        }
    }
}

/// The memref type of a tensor type, with the identity layout.
pub(crate) fn memref_of(ctx: &mut Context, ty: Type) -> Option<Type> {
    let TypeData::Tensor { shape: Some(shape), element } = ctx.type_data(ty).clone() else { return None };
    let elem = Elem::of(ctx, element)?.loop_type(ctx);
    Some(ctx.memref_type(shape, elem, MemRefLayout::Identity))
}

/// Where a function-level array value lives.
#[derive(Clone, Debug)]
struct Buf {
    /// A buffer with the identity layout whose storage this value uses.
    root: Value,
    offset: Ix,
    /// Strides in elements; empty for a root until a view needs them (so
    /// that a buffer read only through loads costs no index math).
    strides: Vec<Ix>,
    dims: Vec<Ix>,
    /// Whether the elements are the root's, in row-major order from offset 0.
    contiguous: bool,
    /// The sizes of the root.
    root_dims: Vec<Ix>,
    /// The memref to read through: the root, or a view of it.
    memref: Value,
}

struct FuncLowering<'a, 'c> {
    l: Lowering<'a, 'c>,
    bufs: FxHashMap<Value, Buf>,
    /// `array.dim` results and the run-time sizes that replace them.
    dim_values: Vec<(Value, Value)>,
}

impl FuncLowering<'_, '_> {
    fn ix(&mut self, i: Ix) -> Value {
        match i {
            Ix::C(c) => self.l.e.index(c),
            Ix::V(v) => v,
        }
    }

    fn sym_ix(&mut self, d: SymDim) -> Ix {
        match d {
            SymDim::Static(n) => Ix::C(n as i64),
            SymDim::Sym(_) => Ix::V(self.l.dim(d)),
        }
    }

    fn mul(&mut self, a: Ix, b: Ix) -> Ix {
        match (a, b) {
            (Ix::C(x), Ix::C(y)) => Ix::C(x.wrapping_mul(y)),
            (Ix::C(0), _) | (_, Ix::C(0)) => Ix::C(0),
            (Ix::C(1), o) | (o, Ix::C(1)) => o,
            _ => {
                let (x, y) = (self.ix(a), self.ix(b));
                Ix::V(self.l.e.bin("arith.muli", x, y))
            }
        }
    }

    fn add(&mut self, a: Ix, b: Ix) -> Ix {
        match (a, b) {
            (Ix::C(x), Ix::C(y)) => Ix::C(x.wrapping_add(y)),
            (Ix::C(0), o) | (o, Ix::C(0)) => o,
            _ => {
                let (x, y) = (self.ix(a), self.ix(b));
                Ix::V(self.l.e.bin("arith.addi", x, y))
            }
        }
    }

    fn row_major(&mut self, dims: &[Ix]) -> Vec<Ix> {
        let mut strides = vec![Ix::C(1); dims.len()];
        let mut acc = Ix::C(1);
        for d in (0..dims.len()).rev() {
            strides[d] = acc;
            acc = self.mul(acc, dims[d]);
        }
        strides
    }

    fn root_buf(&mut self, memref: Value, v: Value) -> Buf {
        let sd = self.l.dims_of(v);
        let dims: Vec<Ix> = sd.iter().map(|&d| self.sym_ix(d)).collect();
        Buf {
            root: memref,
            offset: Ix::C(0),
            strides: Vec::new(),
            root_dims: dims.clone(),
            dims,
            contiguous: true,
            memref,
        }
    }

    /// Makes the memref of a view: `loop.view` of the root with the view's
    /// offset, sizes and strides; static where they are constants.
    fn view(&mut self, v: Value, mut b: Buf) -> Buf {
        let identity = b.contiguous && b.offset == Ix::C(0) && b.dims == b.root_dims;
        if identity {
            b.memref = b.root;
            return b;
        }
        let mut b = self.with_strides(b);
        let ctx = &*self.l.e.ctx;
        let Some(elem) = ctx.type_data(ctx.value_type(b.root)).element_type() else { return b };
        let shape: Vec<Option<u64>> = self
            .l
            .dims_of(v)
            .iter()
            .map(|d| match d {
                SymDim::Static(n) => Some(*n),
                SymDim::Sym(_) => None,
            })
            .collect();
        let stat = |i: &Ix| match i {
            Ix::C(c) => Some(*c),
            Ix::V(_) => None,
        };
        let layout =
            MemRefLayout::Strided { strides: b.strides.iter().map(stat).collect(), offset: stat(&b.offset) };
        let ty = self.l.e.ctx.memref_type(shape, elem, layout);
        let mut operands = vec![b.root];
        let off = self.ix(b.offset);
        operands.push(off);
        for d in b.dims.clone() {
            operands.push(self.ix(d));
        }
        for s in b.strides.clone() {
            operands.push(self.ix(s));
        }
        let op = self.l.e.op_here("loop.view", &operands, &[ty], &[]);
        b.memref = self.l.e.ctx.result(op, 0);
        b
    }

    /// `b` with its strides computed (row-major for a root).
    fn with_strides(&mut self, mut b: Buf) -> Buf {
        if b.strides.len() != b.dims.len() {
            b.strides = self.row_major(&b.dims.clone());
        }
        b
    }

    /// The buffer of `v` viewed as a broadcast, transpose, slice or reshape
    /// of `src`; `None` when it is not a view (a reshape of a buffer that is
    /// not contiguous).
    fn view_of(&mut self, op: OpId, src: &Buf) -> Option<Buf> {
        let src = &self.with_strides(src.clone());
        let ctx = &*self.l.e.ctx;
        let name = ctx.op_name(op).to_string();
        let result = ctx.result(op, 0);
        let x = ctx.operand(op, 0);
        let (xd, rd) = (self.l.dims_of(x), self.l.dims_of(result));
        let dims: Vec<Ix> = rd.iter().map(|&d| self.sym_ix(d)).collect();
        match name.as_str() {
            "array.broadcast" => {
                let offset_rank = rd.len().checked_sub(xd.len())?;
                let mut strides = vec![Ix::C(0); rd.len()];
                for (j, &e) in xd.iter().enumerate() {
                    let r = rd[j + offset_rank];
                    strides[j + offset_rank] = if e.is_one() && !r.is_one() {
                        Ix::C(0)
                    } else if e == r {
                        src.strides[j]
                    } else {
                        // Stride 0 exactly when the source dim is 1 at run time.
                        let size = self.l.dim(e);
                        let one = self.l.e.index(1);
                        let zero = self.l.e.index(0);
                        let is_one = self.l.e.cmpi(0, size, one);
                        let s = self.ix(src.strides[j]);
                        Ix::V(self.l.e.select(is_one, zero, s))
                    };
                }
                Some(Buf { dims, strides, contiguous: false, ..src.clone() })
            }
            "array.transpose" => {
                let perm = i64_array_attr(self.l.e.ctx, op, "permutation")?;
                let strides = perm
                    .iter()
                    .map(|&p| src.strides.get(p as usize).copied())
                    .collect::<Option<Vec<Ix>>>()?;
                Some(Buf { dims, strides, contiguous: false, ..src.clone() })
            }
            "array.slice" => {
                let specs = slice_specs(self.l.e.ctx, op)?;
                let mut offset = src.offset;
                let mut strides = src.strides.clone();
                for (d, s) in specs.iter().enumerate() {
                    let step = s.step.unwrap_or(1);
                    if s.start.is_none() && s.stop.is_none() && step == 1 {
                        continue;
                    }
                    let start = slice_start_ix(self, xd[d], s.start, step);
                    let shift = self.mul(start, src.strides[d]);
                    offset = self.add(offset, shift);
                    strides[d] = self.mul(src.strides[d], Ix::C(step));
                }
                Some(Buf { dims, strides, offset, contiguous: false, ..src.clone() })
            }
            "array.reshape" if src.contiguous => {
                let strides = self.row_major(&dims);
                Some(Buf { dims, strides, contiguous: true, ..src.clone() })
            }
            _ => None,
        }
    }
}

/// The first index a slice reads. Python clamps a backward slice's start to
/// -1 when it lies before the array; the slice is then empty, so 0 is
/// returned instead: an empty view at offset 0 reads nothing, while a
/// negative static offset is invalid for MLIR's memref views.
fn slice_start_ix(f: &mut FuncLowering<'_, '_>, n: SymDim, start: Option<i64>, step: i64) -> Ix {
    if let SymDim::Static(n) = n {
        let n = n as i64;
        let (lo, hi) = if step > 0 { (0, n) } else { (-1, n - 1) };
        return Ix::C(
            start
                .map_or(if step > 0 { lo } else { hi }, |v| (if v < 0 { v + n } else { v }).clamp(lo, hi))
                .max(0),
        );
    }
    let nv = f.l.dim(n);
    let one = f.l.e.index(1);
    let (lo, hi) =
        if step > 0 { (f.l.e.index(0), nv) } else { (f.l.e.index(-1), f.l.e.bin("arith.subi", nv, one)) };
    Ix::V(match start {
        None => {
            if step > 0 {
                lo
            } else {
                // n - 1 is -1 for an empty dim: see the function's doc.
                let zero = f.l.e.index(0);
                f.l.e.bin("arith.maxsi", hi, zero)
            }
        }
        Some(v) => {
            let raw = if v < 0 {
                let c = f.l.e.index(v);
                f.l.e.bin("arith.addi", c, nv)
            } else {
                f.l.e.index(v)
            };
            let c = f.l.e.bin("arith.maxsi", raw, lo);
            let c = f.l.e.bin("arith.minsi", c, hi);
            if step > 0 {
                c
            } else {
                let zero = f.l.e.index(0);
                f.l.e.bin("arith.maxsi", c, zero)
            }
        }
    })
}

/// Computes every symbol of `shapes` at the start of the function.
fn compute_symbols(l: &mut Lowering<'_, '_>, args: &[Value]) {
    let exprs = l.shapes.exprs().to_vec();
    for (n, e) in exprs.iter().enumerate() {
        let v = match e {
            SymExpr::ArgDim { arg, dim } => {
                let Some(&a) = args.get(*arg) else { continue };
                let index = l.e.ctx.index();
                let i64t = l.e.ctx.i64();
                let d = l.e.ctx.integer_attr(*dim as i128, i64t);
                let op = l.e.op("loop.dim", &[a], &[index], &[("index", d)]);
                l.e.ctx.result(op, 0)
            }
            SymExpr::Broadcast(a, b) => {
                let (va, vb) = (l.dim(*a), l.dim(*b));
                let one = l.e.index(1);
                let is_one = l.e.cmpi(0, va, one);
                l.e.select(is_one, vb, va)
            }
            SymExpr::Slice { n, start, stop, step } => {
                let nv = l.dim(*n);
                slice_len(l, nv, *start, *stop, *step)
            }
            SymExpr::Sum(parts) => {
                let mut acc = l.e.index(0);
                for p in parts {
                    let v = l.dim(*p);
                    acc = l.e.bin("arith.addi", acc, v);
                }
                acc
            }
            SymExpr::Quotient { dividend, divisor } => {
                let mut acc = l.e.index(1);
                for p in dividend {
                    let v = l.dim(*p);
                    acc = l.e.bin("arith.muli", acc, v);
                }
                let d = l.e.index((*divisor).max(1) as i64);
                l.e.bin("arith.divui", acc, d)
            }
            SymExpr::Opaque { .. } => continue,
        };
        l.syms.insert(n as u32, v);
    }
}

/// numpy's length of `start:stop:step` over a dim of run-time size `n`.
fn slice_len(l: &mut Lowering<'_, '_>, n: Value, start: Option<i64>, stop: Option<i64>, step: i64) -> Value {
    let one = l.e.index(1);
    let zero = l.e.index(0);
    let (lo, hi) = if step > 0 { (zero, n) } else { (l.e.index(-1), l.e.bin("arith.subi", n, one)) };
    let clamp = |l: &mut Lowering<'_, '_>, v: Option<i64>, default: Value| match v {
        None => default,
        Some(v) => {
            let raw = if v < 0 {
                let c = l.e.index(v);
                l.e.bin("arith.addi", c, n)
            } else {
                l.e.index(v)
            };
            let c = l.e.bin("arith.maxsi", raw, lo);
            l.e.bin("arith.minsi", c, hi)
        }
    };
    let (s, t) = if step > 0 {
        (clamp(l, start, lo), clamp(l, stop, hi))
    } else {
        (clamp(l, start, hi), clamp(l, stop, lo))
    };
    let abs = l.e.index(step.abs());
    let span = if step > 0 { l.e.bin("arith.subi", t, s) } else { l.e.bin("arith.subi", s, t) };
    let minus = l.e.index(step.abs() - 1);
    let num = l.e.bin("arith.addi", span, minus);
    let q = l.e.bin("arith.floordivsi", num, abs);
    l.e.bin("arith.maxsi", q, zero)
}

/// A buffer holding a non-splat constant, filled at the start of the
/// function (the outermost scope of `l` is its entry).
pub(crate) fn constant_buffer(l: &mut Lowering<'_, '_>, op: OpId) -> Result<Value, Diagnostic> {
    let ctx = &*l.e.ctx;
    let result = ctx.result(op, 0);
    let ty = ctx.value_type(result);
    let elem = elem_of(ctx, result).ok_or_else(|| ctx.op_error(op, "unsupported element type"))?;
    let Some(AttributeData::DenseElements { data, .. }) =
        ctx.attr(op, "value").map(|a| ctx.attr_data(a).clone())
    else {
        return Err(ctx.op_error(op, "expected a dense elements value"));
    };
    let shape: Vec<u64> = match ctx.type_data(ty) {
        TypeData::Tensor { shape: Some(s), .. } => s.iter().map(|d| d.unwrap_or(0)).collect(),
        _ => return Err(ctx.op_error(op, "expected a ranked tensor")),
    };
    let count: usize = shape.iter().map(|&d| d as usize).product();
    if count > MAX_CONSTANT_ELEMENTS {
        return Err(legalize_error(ctx, op, format!("convert-array-to-loop writes constant arrays element by element, and this one has {count} elements (at most {MAX_CONSTANT_ELEMENTS})")));
    }
    let mty = memref_of(l.e.ctx, ty).ok_or_else(|| l.e.ctx.op_error(op, "expected a ranked tensor"))?;
    let alloc = l.e.op("loop.alloc", &[], &[mty], &[]);
    let buf = l.e.ctx.result(alloc, 0);
    for i in 0..count {
        let mut rest = i;
        let mut idx = vec![0i64; shape.len()];
        for d in (0..shape.len()).rev() {
            let n = shape[d].max(1) as usize;
            idx[d] = (rest % n) as i64;
            rest /= n;
        }
        let v = l.dense_element(&data, i, elem);
        let mut operands = vec![v, buf];
        for k in idx {
            operands.push(l.e.index(k));
        }
        l.e.op("loop.store", &operands, &[], &[]);
    }
    Ok(buf)
}

/// Lowers one `func.func` whose body is `entry`. Nothing is changed when an
/// error is returned.
pub(crate) fn lower_function(ctx: &mut Context, func: OpId) -> Result<(), Vec<Diagnostic>> {
    let Some(&region) = ctx.regions(func).first() else { return Ok(()) };
    let Some(entry) = ctx.entry_block(region) else { return Ok(()) };
    let ops = ctx.block_ops(entry);
    let touches_tensors = ctx.block_arguments(entry).iter().any(|&a| is_tensor(ctx, ctx.value_type(a)))
        || ops.iter().any(|&op| {
            ctx.op_name(op).starts_with("array.")
                || ctx.operands(op).iter().any(|&v| is_tensor(ctx, ctx.value_type(v)))
        });
    if !touches_tensors {
        return Ok(());
    }
    let shapes = ShapeInfo::analyze(ctx, entry);
    let errors = check(ctx, func, entry, &shapes);
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(&terminator) = ops.last().filter(|&&t| ctx.op_name(t) == "func.return") else {
        return Err(vec![legalize_error(
            ctx,
            func,
            "convert-array-to-loop needs a body that ends with 'func.return'",
        )]);
    };
    let returned: Vec<Value> = ctx.operands(terminator).to_vec();

    // ----- signature ---------------------------------------------------------
    let old_args: Vec<Value> = ctx.block_arguments(entry).to_vec();
    let arg_elems: FxHashMap<Value, Elem> =
        old_args.iter().filter_map(|&a| elem_of(ctx, a).map(|e| (a, e))).collect();
    let loc = ctx.op_location(func);
    for &a in &old_args {
        let ty = ctx.value_type(a);
        if let Some(m) = memref_of(ctx, ty) {
            ctx.set_value_type(a, m);
        }
    }
    // Destination-passing style when the caller can size every output
    // from the arguments; otherwise the function allocates its results.
    let dps = returned.iter().all(|&v| {
        shapes.dims(v).unwrap_or(&[]).iter().all(|d| match d {
            SymDim::Static(_) => true,
            SymDim::Sym(s) => matches!(shapes.expr(*s), Some(SymExpr::ArgDim { .. })),
        })
    });
    let result_types: Vec<Type> = returned.iter().map(|&v| ctx.value_type(v)).collect();
    let mut out_params: Vec<(usize, Value)> = Vec::new();
    let mut out_specs: Vec<Attribute> = Vec::new();
    for (i, &v) in returned.iter().enumerate() {
        let ty = result_types[i];
        let Some(m) = memref_of(ctx, ty) else { continue };
        if !dps {
            continue;
        }
        let p = ctx.add_block_argument(entry, m, loc);
        out_params.push((i, p));
        let dims = shapes.dims(v).unwrap_or(&[]).to_vec();
        let static_type = matches!(ctx.type_data(ty), TypeData::Tensor { shape: Some(s), .. } if s.iter().all(Option::is_some));
        let spec = if static_type {
            ctx.unit_attr()
        } else {
            let i64t = ctx.i64();
            let entries: Vec<Attribute> = dims
                .iter()
                .map(|d| match d {
                    SymDim::Static(n) => ctx.integer_attr(*n as i128, i64t),
                    SymDim::Sym(s) => match shapes.expr(*s) {
                        Some(SymExpr::ArgDim { arg, dim }) => {
                            let (a, b) = (*arg as i128, *dim as i128);
                            let pair = vec![ctx.integer_attr(a, i64t), ctx.integer_attr(b, i64t)];
                            ctx.array_attr(pair)
                        }
                        _ => ctx.integer_attr(0, i64t),
                    },
                })
                .collect();
            ctx.array_attr(entries)
        };
        out_specs.push(spec);
    }
    update_signature(ctx, func, entry, &result_types, &out_specs, dps);

    // ----- lowering ----------------------------------------------------------
    let first = ctx.first_op(entry).unwrap_or(terminator);
    let emitter = Emitter::new(ctx, InsertPoint::Before(first), loc);
    let mut f = FuncLowering {
        l: Lowering {
            e: emitter,
            shapes: &shapes,
            syms: FxHashMap::default(),
            leaves: FxHashMap::default(),
            members: FxHashSet::default(),
            constant_buffers: Vec::new(),
            arg_elems,
        },
        bufs: FxHashMap::default(),
        dim_values: Vec::new(),
    };
    compute_symbols(&mut f.l, &old_args);
    super::checks::emit_shape_checks(&mut f.l);
    if !dps {
        for (i, &v) in returned.iter().enumerate() {
            let Some(m) = memref_of(f.l.e.ctx, result_types[i]) else { continue };
            let dims = f.l.dims_of(v);
            let sizes: Vec<Value> =
                dims.iter().filter(|d| matches!(d, SymDim::Sym(_))).map(|&d| f.l.dim(d)).collect();
            let op = f.l.e.op("loop.alloc", &sizes, &[m], &[]);
            out_params.push((i, f.l.e.ctx.result(op, 0)));
        }
    }
    for &a in &old_args {
        if is_memref(f.l.e.ctx, a) {
            let b = f.root_buf(a, a);
            f.bufs.insert(a, b);
        }
    }
    let mut errors = Vec::new();
    let plan = plan_buffers(&mut f, &ops, &returned, &out_params);
    let mut temps: Vec<Value> = plan.allocs.clone();
    for &op in &ops {
        if op == terminator {
            break;
        }
        f.l.e.reset_outer(InsertPoint::Before(op));
        if let Err(d) = lower_op(&mut f, op, &plan) {
            errors.push(d);
        }
    }
    // ----- return ------------------------------------------------------------
    f.l.e.reset_outer(InsertPoint::Before(terminator));
    for &(i, param) in &out_params {
        let v = returned[i];
        if plan.output_of.get(&v) == Some(&i) && plan.computed_into_output.contains(&v) {
            continue;
        }
        match f.bufs.get(&v).cloned() {
            Some(b) => {
                f.l.e.op_here("loop.copy", &[b.memref, param], &[], &[]);
            }
            None => errors.push(Diagnostic::error(
                f.l.e.ctx.op_location(terminator),
                format!("internal error: result #{i} has no buffer"),
            )),
        }
    }
    temps.extend(f.l.constant_buffers.iter().copied());
    for t in temps {
        f.l.e.op_here("loop.dealloc", &[t], &[], &[]);
    }
    let out_of: FxHashMap<usize, Value> = out_params.iter().copied().collect();
    let keep: Vec<Value> = returned
        .iter()
        .enumerate()
        .filter_map(|(i, &v)| match out_of.get(&i) {
            Some(&m) => (!dps).then_some(m),
            None => Some(v),
        })
        .collect();
    f.l.e.op_here("func.return", &keep, &[], &[]);
    let dim_values = std::mem::take(&mut f.dim_values);
    let ctx = f.l.e.ctx;
    // Index values from array.dim now come from the buffers.
    for (v, r) in dim_values {
        ctx.replace_all_uses(v, r);
    }
    let old: Vec<OpId> = ops
        .iter()
        .copied()
        .filter(|&op| {
            let name = ctx.op_name(op);
            name.starts_with("array.") || op == terminator
        })
        .collect();
    for &op in &old {
        ctx.drop_all_uses_in(op);
    }
    for op in old {
        ctx.erase_op(op);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn is_memref(ctx: &Context, v: Value) -> bool {
    matches!(ctx.type_data(ctx.value_type(v)), TypeData::MemRef { .. })
}

fn update_signature(
    ctx: &mut Context,
    func: OpId,
    entry: BlockId,
    result_types: &[Type],
    out_specs: &[Attribute],
    dps: bool,
) {
    let inputs: Vec<Type> = ctx.block_arguments(entry).iter().map(|&a| ctx.value_type(a)).collect();
    let results: Vec<Type> = result_types
        .iter()
        .filter_map(|&t| match memref_of(ctx, t) {
            Some(m) => (!dps).then_some(m),
            None => Some(t),
        })
        .collect();
    axir_builtin::FuncOp(func).set_function_type(ctx, inputs.clone(), results);
    let n_out = out_specs.len();
    let n_in = inputs.len() - n_out;
    let old: Vec<Attribute> = match ctx.attr(func, "arg_attrs").map(|a| ctx.attr_data(a).clone()) {
        Some(AttributeData::Array(items)) => items,
        _ => Vec::new(),
    };
    let empty = ctx.dictionary_attr(Vec::new());
    let mut dicts: Vec<Attribute> = (0..n_in).map(|i| old.get(i).copied().unwrap_or(empty)).collect();
    for &spec in out_specs {
        dicts.push(ctx.dictionary_attr(vec![("loop.output".to_string(), spec)]));
    }
    if n_out > 0 || !old.is_empty() {
        let arr = ctx.array_attr(dicts);
        ctx.set_attr(func, "arg_attrs", arr);
    }
    ctx.remove_attr(func, "res_attrs");
}

/// Which buffer each function-level array value gets.
#[derive(Default)]
struct Plan {
    /// The output parameter a returned value is computed into (by result number).
    output_of: FxHashMap<Value, usize>,
    computed_into_output: FxHashSet<Value>,
    /// Temporaries by value (a buffer may serve several values).
    temp_of: FxHashMap<Value, Value>,
    /// Every temporary allocation, to free at the end.
    allocs: Vec<Value>,
    /// Output parameter by result number.
    params: FxHashMap<usize, Value>,
    /// Splat constants read only by lone ops, which compute them in place.
    inline_splats: FxHashSet<Value>,
}

fn plan_buffers(
    f: &mut FuncLowering<'_, '_>,
    ops: &[OpId],
    returned: &[Value],
    out_params: &[(usize, Value)],
) -> Plan {
    let mut plan = Plan::default();
    let ctx = &*f.l.e.ctx;
    for &(i, p) in out_params {
        plan.params.insert(i, p);
    }
    // Values that are views of another value (outside groups) share its storage.
    let mut storage: FxHashMap<Value, Value> = FxHashMap::default();
    let mut def_pos: FxHashMap<Value, usize> = FxHashMap::default();
    let mut last_use: FxHashMap<Value, usize> = FxHashMap::default();
    let mut needs: Vec<Value> = Vec::new();
    // Which values are laid out row-major from the start of their storage
    // (the same rule as `Buf::contiguous`): a reshape of one is a view.
    let mut strided: FxHashSet<Value> = FxHashSet::default();
    for (pos, &op) in ops.iter().enumerate() {
        let name = ctx.op_name(op);
        for &v in ctx.operands(op) {
            let root = storage.get(&v).copied().unwrap_or(v);
            last_use.insert(root, pos);
        }
        // Constant arrays get a buffer of their own, filled at the start.
        if !name.starts_with("array.")
            || name == "array.dim"
            || (name == "array.constant" && !is_splat(ctx, op))
        {
            continue;
        }
        for &r in ctx.results(op) {
            def_pos.insert(r, pos);
            let src = ctx.operands(op).first().copied();
            let view_src = match (name, src) {
                ("array.reshape", Some(s)) if !strided.contains(&s) => Some(s),
                ("array.broadcast" | "array.transpose" | "array.slice", Some(s)) => {
                    strided.insert(r);
                    Some(s)
                }
                _ => None,
            };
            match view_src {
                Some(s) => {
                    storage.insert(r, storage.get(&s).copied().unwrap_or(s));
                }
                None => needs.push(r),
            }
        }
    }
    // Splat constants that only lone compute ops read are computed where
    // they are read.
    for &v in &needs {
        let Some(op) = ctx.defining_op(v).filter(|&o| is_splat(ctx, o)) else { continue };
        let only_compute = ctx.uses(v).iter().all(|u| {
            let n = ctx.op_name(u.op);
            is_compute(n) && !is_view(n) && n != "array.constant"
        });
        let _ = op;
        if only_compute {
            plan.inline_splats.insert(v);
        }
    }
    needs.retain(|v| !plan.inline_splats.contains(v));
    // Returned values computed by an op go straight into their output.
    for (i, &v) in returned.iter().enumerate() {
        if !needs.contains(&v) || plan.output_of.contains_key(&v) {
            continue;
        }
        if plan.params.contains_key(&i) {
            plan.output_of.insert(v, i);
            plan.computed_into_output.insert(v);
        }
    }
    // Temporaries, reused by liveness.
    let mut free: Vec<(Vec<SymDim>, Type, Value)> = Vec::new();
    let mut live: Vec<(usize, Vec<SymDim>, Type, Value)> = Vec::new();
    let mut by_pos: Vec<Vec<Value>> = vec![Vec::new(); ops.len()];
    for &v in &needs {
        if plan.output_of.contains_key(&v) {
            continue;
        }
        if let Some(&p) = def_pos.get(&v) {
            by_pos[p].push(v);
        }
    }
    for (pos, vs) in by_pos.iter().enumerate() {
        live.retain(|(end, dims, ty, b)| {
            if *end < pos {
                free.push((dims.clone(), *ty, *b));
                false
            } else {
                true
            }
        });
        for &v in vs {
            let ty = f.l.e.ctx.value_type(v);
            let Some(mty) = memref_of(f.l.e.ctx, ty) else { continue };
            let dims = f.l.dims_of(v);
            let end = last_use.get(&v).copied().unwrap_or(pos);
            let buf = match free.iter().position(|(d, t, _)| *d == dims && *t == mty) {
                Some(k) => free.remove(k).2,
                None => {
                    let dyn_sizes: Vec<Value> =
                        dims.iter().filter(|d| matches!(d, SymDim::Sym(_))).map(|&d| f.l.dim(d)).collect();
                    let op = f.l.e.op("loop.alloc", &dyn_sizes, &[mty], &[]);
                    let b = f.l.e.ctx.result(op, 0);
                    plan.allocs.push(b);
                    b
                }
            };
            plan.temp_of.insert(v, buf);
            live.push((end.max(pos), dims, mty, buf));
        }
    }
    plan
}

fn lower_op(f: &mut FuncLowering<'_, '_>, op: OpId, plan: &Plan) -> Result<(), Diagnostic> {
    let ctx = &*f.l.e.ctx;
    let name = ctx.op_name(op).to_string();
    if !name.starts_with("array.") {
        return Ok(());
    }
    match name.as_str() {
        "array.dim" => {
            let x = ctx.operand(op, 0);
            let index = ctx.attr(op, "index").and_then(|a| ctx.attr_as_int(a)).unwrap_or(0) as usize;
            let d = f.l.dims_of(x).get(index).copied().unwrap_or(SymDim::Static(0));
            let v = f.l.dim(d);
            let r = f.l.e.ctx.result(op, 0);
            f.dim_values.push((r, v));
            Ok(())
        }
        "array.concat" => lower_concat(f, op, plan),
        "array.fusion" => {
            let fusion = FusionOp(op);
            let Some(body) = fusion.body(ctx) else { return Ok(()) };
            let members: FxHashSet<OpId> = ctx.block_ops(body).into_iter().collect();
            let args = ctx.block_arguments(body).to_vec();
            let inputs = fusion.inputs(ctx).to_vec();
            let yielded: Vec<Value> =
                fusion.yield_op(ctx).map(|y| y.values(ctx).to_vec()).unwrap_or_default();
            let results = ctx.results(op).to_vec();
            f.l.leaves.clear();
            for (&a, &v) in args.iter().zip(&inputs) {
                let b = input_buffer(f, v, op)?;
                f.l.leaves.insert(a, BufferRef { memref: b });
            }
            f.l.members = members;
            let mut outs = Vec::new();
            for (&y, &r) in yielded.iter().zip(&results) {
                let m = result_buffer(f, r, plan);
                outs.push((y, m));
            }
            f.l.emit_outputs(&outs)
        }
        "array.constant" if plan.inline_splats.contains(&ctx.result(op, 0)) => Ok(()),
        _ if is_view(&name) => {
            let src = ctx.operand(op, 0);
            let r = ctx.result(op, 0);
            let Some(sb) = f.bufs.get(&src).cloned() else {
                return Err(ctx.op_error(op, "internal error: the source of a view has no buffer"));
            };
            match f.view_of(op, &sb) {
                Some(b) => {
                    let b = f.view(r, b);
                    f.bufs.insert(r, b);
                    Ok(())
                }
                None => compute_op(f, op, plan),
            }
        }
        "array.constant" if !is_splat(ctx, op) => {
            let b = constant_buffer(&mut f.l, op)?;
            f.l.constant_buffers.push(b);
            let r = f.l.e.ctx.result(op, 0);
            let buf = f.root_buf(b, r);
            f.bufs.insert(r, buf);
            Ok(())
        }
        _ => compute_op(f, op, plan),
    }
}

/// The memref a group reads input `v` through.
fn input_buffer(f: &mut FuncLowering<'_, '_>, v: Value, user: OpId) -> Result<Value, Diagnostic> {
    if let Some(b) = f.bufs.get(&v) {
        return Ok(b.memref);
    }
    Err(f.l.e.ctx.op_error(user, "internal error: an input has no buffer"))
}

/// The memref group result `r` is written to, registered as its buffer.
fn result_buffer(f: &mut FuncLowering<'_, '_>, r: Value, plan: &Plan) -> Value {
    let m = match plan.output_of.get(&r) {
        Some(i) => plan.params[i],
        None => plan.temp_of.get(&r).copied().unwrap_or(r),
    };
    let b = f.root_buf(m, r);
    f.bufs.insert(r, b);
    m
}

/// Lowers a lone op as a group of one (with the splat constants it reads).
fn compute_op(f: &mut FuncLowering<'_, '_>, op: OpId, plan: &Plan) -> Result<(), Diagnostic> {
    let mut members: FxHashSet<OpId> = FxHashSet::default();
    members.insert(op);
    f.l.leaves.clear();
    let operands = f.l.e.ctx.operands(op).to_vec();
    for &v in &operands {
        match f.l.e.ctx.defining_op(v) {
            Some(d) if plan.inline_splats.contains(&v) => {
                members.insert(d);
            }
            _ => {
                let b = input_buffer(f, v, op)?;
                f.l.leaves.insert(v, BufferRef { memref: b });
            }
        }
    }
    f.l.members = members;
    let r = f.l.e.ctx.result(op, 0);
    let m = result_buffer(f, r, plan);
    f.l.emit_outputs(&[(r, m)])
}

fn lower_concat(f: &mut FuncLowering<'_, '_>, op: OpId, plan: &Plan) -> Result<(), Diagnostic> {
    let ctx = &*f.l.e.ctx;
    let dim = ctx.attr(op, "dim").and_then(|a| ctx.attr_as_int(a)).unwrap_or(0) as usize;
    let operands = ctx.operands(op).to_vec();
    let r = ctx.result(op, 0);
    result_buffer(f, r, plan);
    let Some(dest) = f.bufs.get(&r).cloned() else { return Ok(()) };
    let dest = f.with_strides(dest);
    let mut offset = Ix::C(0);
    for v in operands {
        let src = match f.bufs.get(&v).cloned() {
            Some(b) => b,
            None => {
                // A splat constant operand: give it a filled buffer first.
                return Err(legalize_error(f.l.e.ctx, op, "an operand of the concatenation has no buffer"));
            }
        };
        let vd = f.l.dims_of(v);
        let dims: Vec<Ix> = vd.iter().map(|&d| f.sym_ix(d)).collect();
        let shift = f.mul(offset, dest.strides[dim]);
        let off = f.add(dest.offset, shift);
        let part = Buf { dims: dims.clone(), offset: off, contiguous: false, ..dest.clone() };
        let part = f.view(v, part);
        f.l.e.op_here("loop.copy", &[src.memref, part.memref], &[], &[]);
        offset = f.add(offset, dims[dim]);
    }
    Ok(())
}
