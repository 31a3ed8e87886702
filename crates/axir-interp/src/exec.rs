//! Op-by-op execution: functions, regions (loops, fusions), the array ops,
//! and the dispatch to the scalar evaluator ([`crate::scalar`]) and the
//! memory ops ([`crate::memory`]).

use crate::scalar::{eval_scalar, is_scalar_op, OpSpec};
use crate::value::{array_of_scalars, dtype_of_element, scalars_of_array, tuple_str, RunValue, VectorValue};
use axir_arith::fold::{element_kind, ConstValue, ElementKind, Scalar};
use axir_array::convert::{attr_to_array, dtype_of};
use axir_array::ops::{binary_op, i64_array_attr, slice_specs, unary_op};
use axir_array::shape::TensorShape;
use axir_builtin::{lookup_func, FuncOp};
use axir_ir::{
    BlockId, Context, Diagnostic, Dim, OpDefinition, OpId, OpTraits, Type, TypeData, Value, ValueDef,
};
use axir_loop::memref::MemRefType;
use axir_ndarray::{self as nd, BinaryOp, CmpPredicate, DType, NdArray, ReduceKind, UnaryOp};
use rustc_hash::FxHashMap;

/// Deepest `func.call` nesting before the interpreter reports runaway recursion.
const MAX_CALL_DEPTH: usize = 256;

/// The values of a function's SSA values while it runs. Nested regions
/// share it: their values are simply bound again at each iteration.
pub(crate) type Env = FxHashMap<Value, RunValue>;

/// How a block ended: its terminator and the values the terminator passes on.
pub(crate) struct Exit {
    pub(crate) op: OpId,
    pub(crate) values: Vec<RunValue>,
}

/// Runs functions of one module.
pub struct Interpreter<'c> {
    pub(crate) ctx: &'c Context,
    depth: usize,
}

fn describe_dims(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.map_or("?".into(), |n| n.to_string())).collect();
    format!("({})", parts.join(", "))
}

/// numpy's text for a shape: `(3,)`, `(2, 4)`.
pub(crate) fn describe_shape(shape: &[usize]) -> String {
    let v: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    tuple_str(&v)
}

/// The static shape and element type of a vector type.
pub(crate) fn vector_type(ctx: &Context, ty: Type) -> Option<(Vec<usize>, Type)> {
    axir_loop::vector::vector_parts(ctx, ty)
        .map(|(shape, e)| (shape.iter().map(|&d| d as usize).collect(), e))
}

impl<'c> Interpreter<'c> {
    /// An interpreter over the IR of `ctx`.
    pub fn new(ctx: &'c Context) -> Self {
        Self { ctx, depth: 0 }
    }

    /// Runs `func` on run-time values of its parameter types (no
    /// conversion) and returns its results.
    pub fn call_values(&mut self, func: FuncOp, args: Vec<RunValue>) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let op = func.op();
        let Some(entry) = func.entry_block(ctx) else {
            return Err(ctx.op_error(op, format!("cannot run @{}: it is a declaration", func.name(ctx))));
        };
        if self.depth >= MAX_CALL_DEPTH {
            return Err(ctx.op_error(op, format!("call depth exceeds {MAX_CALL_DEPTH}: runaway recursion")));
        }
        let params = ctx.block_arguments(entry);
        if params.len() != args.len() {
            return Err(
                ctx.op_error(op, format!("expected {} arguments, but got {}", params.len(), args.len()))
            );
        }
        for (i, (p, a)) in params.iter().zip(&args).enumerate() {
            self.check_value(ctx.value_type(*p), a)
                .map_err(|why| ctx.op_error(op, format!("argument #{i} {why}")))?;
        }
        let mut env: Env = params.iter().copied().zip(args).collect();
        self.depth += 1;
        let result = self.run_block(entry, &mut env);
        self.depth -= 1;
        let exit = result?;
        if ctx.op_name(exit.op) != "func.return" {
            return Err(ctx.op_error(exit.op, "is not a valid terminator of a function body"));
        }
        Ok(exit.values)
    }

    /// Runs the ops of `block` up to its terminator and returns the values
    /// the terminator passes on.
    pub(crate) fn run_block(&mut self, block: BlockId, env: &mut Env) -> Result<Exit, Diagnostic> {
        let ctx = self.ctx;
        for op in ctx.block_ops_iter(block) {
            let is_terminator = ctx.op_info(op).is_some_and(|i| i.has(OpTraits::TERMINATOR))
                || matches!(ctx.op_name(op), "func.return" | "loop.yield" | "array.yield");
            if is_terminator {
                let values =
                    ctx.operands(op).iter().map(|v| self.lookup(env, op, *v)).collect::<Result<_, _>>()?;
                return Ok(Exit { op, values });
            }
            let results = self.exec(op, env)?;
            if results.len() != ctx.results(op).len() {
                return Err(ctx.op_error(
                    op,
                    format!(
                        "produced {} values at run time for {} results",
                        results.len(),
                        ctx.results(op).len()
                    ),
                ));
            }
            for (v, r) in ctx.results(op).iter().zip(results) {
                self.check_result(op, *v, &r)?;
                env.insert(*v, r);
            }
        }
        let loc = ctx.block_parent_op(block).map_or(ctx.unknown_loc(), |p| ctx.op_location(p));
        Err(Diagnostic::error(loc, "block ended without a terminator at run time"))
    }

    pub(crate) fn lookup(&self, env: &Env, op: OpId, v: Value) -> Result<RunValue, Diagnostic> {
        env.get(&v).cloned().ok_or_else(|| self.ctx.op_error(op, "operand has no value at run time"))
    }

    pub(crate) fn operand(&self, env: &Env, op: OpId, i: usize) -> Result<RunValue, Diagnostic> {
        let v = *self
            .ctx
            .operands(op)
            .get(i)
            .ok_or_else(|| self.ctx.op_error(op, format!("has no operand #{i}")))?;
        self.lookup(env, op, v)
    }

    fn wrong_kind(&self, op: OpId, i: usize, want: &str, got: &RunValue) -> Diagnostic {
        self.ctx.op_error(op, format!("operand #{i} is {} at run time, not {want}", got.describe()))
    }

    pub(crate) fn array(&self, env: &Env, op: OpId, i: usize) -> Result<NdArray, Diagnostic> {
        match self.operand(env, op, i)? {
            RunValue::Array(a) => Ok(a),
            other => Err(self.wrong_kind(op, i, "an array", &other)),
        }
    }

    pub(crate) fn scalar(&self, env: &Env, op: OpId, i: usize) -> Result<Scalar, Diagnostic> {
        match self.operand(env, op, i)? {
            RunValue::Scalar(s) => Ok(s),
            other => Err(self.wrong_kind(op, i, "a scalar", &other)),
        }
    }

    /// Operand `i` as an `index` (a 64-bit integer, sign-extended).
    pub(crate) fn index(&self, env: &Env, op: OpId, i: usize) -> Result<i64, Diagnostic> {
        match self.scalar(env, op, i)? {
            Scalar::Int(n) => Ok(n.sext_value() as i64),
            Scalar::Float(_) => Err(self.ctx.op_error(op, format!("operand #{i} is a float, not an index"))),
        }
    }

    /// Operands `range` as indices.
    pub(crate) fn indices(
        &self,
        env: &Env,
        op: OpId,
        range: std::ops::Range<usize>,
    ) -> Result<Vec<i64>, Diagnostic> {
        range.map(|i| self.index(env, op, i)).collect()
    }

    /// A run-time failure of `op`, with notes saying which operands are
    /// function arguments (that is usually where a bad dynamic dim came from).
    pub(crate) fn failure(&self, op: OpId, what: impl std::fmt::Display, args: &[&NdArray]) -> Diagnostic {
        let ctx = self.ctx;
        let shapes: Vec<String> = args.iter().map(|a| describe_shape(a.shape())).collect();
        let mut msg = format!("failed at run time: {what}");
        if !shapes.is_empty() {
            msg.push_str(&format!(" (operand shapes {})", shapes.join(", ")));
        }
        let mut diag = ctx.op_error(op, msg);
        for (i, v) in ctx.operands(op).iter().enumerate() {
            if let ValueDef::BlockArgument { block, index } = ctx.value_def(*v) {
                if ctx.block_parent_op(block).is_some_and(|p| FuncOp::from_op(ctx, p).is_some()) {
                    diag =
                        diag.with_note(ctx.value_location(*v), format!("operand #{i} is argument #{index}"));
                }
            }
        }
        diag
    }

    /// The concrete shape of the result of `op` given its declared type,
    /// resolving `?` dims from `hint` (aligned from the right).
    fn concrete_shape(&self, op: OpId, hint: &[usize]) -> Result<Vec<usize>, Diagnostic> {
        let ctx = self.ctx;
        let t = TensorShape::of(ctx, ctx.value_type(ctx.result(op, 0)))
            .ok_or_else(|| ctx.op_error(op, "result is not a ranked tensor"))?;
        let offset = t.rank() as isize - hint.len() as isize;
        t.dims
            .iter()
            .enumerate()
            .map(|(i, d)| match d {
                Some(n) => Ok(*n as usize),
                None => {
                    let j = i as isize - offset;
                    (j >= 0).then(|| hint.get(j as usize).copied()).flatten().ok_or_else(|| {
                        ctx.op_error(op, format!("cannot infer the size of dynamic dim {i} of the result"))
                    })
                }
            })
            .collect()
    }

    fn exec(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let name = ctx.op_name(op);
        if name.starts_with("array.") {
            return self.exec_array(op, env);
        }
        if is_scalar_op(name) {
            return self.exec_scalar(op, env).map(|v| vec![v]);
        }
        if name.starts_with("loop.") || name.starts_with("vector.") {
            return self.exec_memory(op, env);
        }
        match name {
            "func.call" => {
                let callee =
                    ctx.attr(op, "callee").and_then(|a| ctx.attr_as_symbol(a)).unwrap_or("").to_string();
                let func = lookup_func(ctx, op, &callee).ok_or_else(|| {
                    ctx.op_error(op, format!("'@{callee}' does not reference a valid function"))
                })?;
                let args: Vec<RunValue> =
                    ctx.operands(op).iter().map(|v| self.lookup(env, op, *v)).collect::<Result<_, _>>()?;
                self.call_values(func, args)
            }
            "arith.constant" => self.exec_constant(op).map(|v| vec![v]),
            _ => Err(ctx.op_error(op, "the reference interpreter does not support this op")),
        }
    }

    /// `array.fusion`: the region runs once with its block arguments bound
    /// to the operands; the results are what `array.yield` passes on.
    fn exec_fusion(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let block = ctx
            .regions(op)
            .first()
            .and_then(|r| ctx.entry_block(*r))
            .ok_or_else(|| ctx.op_error(op, "has no body to run"))?;
        let params = ctx.block_arguments(block);
        if params.len() != ctx.operands(op).len() {
            return Err(ctx.op_error(
                op,
                format!(
                    "has {} operands but its body takes {} arguments",
                    ctx.operands(op).len(),
                    params.len()
                ),
            ));
        }
        for (i, p) in params.iter().enumerate() {
            let v = self.operand(env, op, i)?;
            env.insert(*p, v);
        }
        let exit = self.run_block(block, env)?;
        if ctx.op_name(exit.op) != "array.yield" {
            return Err(ctx.op_error(exit.op, "is not a valid terminator of an 'array.fusion' body"));
        }
        Ok(exit.values)
    }

    /// `arith.constant` of a scalar, vector or tensor type.
    fn exec_constant(&self, op: OpId) -> Result<RunValue, Diagnostic> {
        let ctx = self.ctx;
        let ty = ctx.value_type(ctx.result(op, 0));
        let attr = ctx.attr(op, "value").ok_or_else(|| ctx.op_error(op, "requires attribute 'value'"))?;
        if let TypeData::Tensor { .. } = ctx.type_data(ty) {
            return attr_to_array(ctx, attr)
                .map(RunValue::Array)
                .ok_or_else(|| ctx.op_error(op, "constant has no usable value"));
        }
        let c = ConstValue::from_attr(ctx, attr)
            .ok_or_else(|| ctx.op_error(op, "constant has no usable value"))?;
        match vector_type(ctx, ty) {
            Some((shape, _)) => {
                let n = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).unwrap_or(usize::MAX);
                if n > 1 << 20 {
                    return Err(ctx.op_error(op, "vectors of more than 1048576 lanes are not supported"));
                }
                let elems = match c.splat() {
                    Some(s) => vec![s; n],
                    None if c.elems.len() == n => c.elems,
                    None => return Err(ctx.op_error(op, "constant has the wrong number of elements")),
                };
                Ok(RunValue::Vector(VectorValue { shape, elems }))
            }
            None => c
                .splat()
                .map(RunValue::Scalar)
                .ok_or_else(|| ctx.op_error(op, "constant has no usable value")),
        }
    }

    /// An `arith` or `math` op on scalars, vectors (lane by lane) or tensors
    /// (element by element).
    fn exec_scalar(&self, op: OpId, env: &Env) -> Result<RunValue, Diagnostic> {
        let ctx = self.ctx;
        let name = ctx.op_name(op);
        let Some(&result) = ctx.results(op).first() else {
            return Err(ctx.op_error(op, "has no result to compute"));
        };
        let result_ty = ctx.value_type(result);
        let kind = element_kind(ctx, result_ty).ok_or_else(|| {
            ctx.op_error(
                op,
                format!("the interpreter does not support the result type {}", ctx.display_type(result_ty)),
            )
        })?;
        let predicate = ctx.attr(op, "predicate").and_then(|a| ctx.attr_as_int(a));
        let flags = ctx
            .attr(op, axir_arith::OVERFLOW_ATTR)
            .and_then(|a| axir_arith::IntegerOverflowFlags::from_attr(ctx, a))
            .map(|f| f.keywords())
            .unwrap_or_default();
        let spec =
            OpSpec { name, predicate, result: kind, nsw: flags.contains("nsw"), nuw: flags.contains("nuw") };
        let args: Vec<RunValue> =
            (0..ctx.operands(op).len()).map(|i| self.operand(env, op, i)).collect::<Result<_, _>>()?;
        let dtype = dtype_of_element(ctx, ctx.element_type_or_self(result_ty));
        elementwise(spec, &args, dtype).map_err(|why| self.failure(op, why, &[]))
    }

    fn exec_array(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let name = ctx.op_name(op);
        let arr = |r: nd::Result<NdArray>, args: &[&NdArray]| -> Result<Vec<RunValue>, Diagnostic> {
            r.map(|a| vec![RunValue::Array(a)]).map_err(|e| self.failure(op, e, args))
        };
        if let Some(info) = unary_op(name) {
            let x = self.array(env, op, 0)?;
            let kind = UnaryOp::from_name(info.name).map_err(|e| self.failure(op, e, &[]))?;
            return arr(nd::unary(kind, &x), &[&x]);
        }
        if let Some(info) = binary_op(name) {
            let (a, b) = (self.array(env, op, 0)?, self.array(env, op, 1)?);
            let kind = BinaryOp::from_name(info.name).map_err(|e| self.failure(op, e, &[]))?;
            return arr(nd::binary(kind, &a, &b), &[&a, &b]);
        }
        let str_attr = |n: &str| ctx.attr(op, n).and_then(|a| ctx.attr_as_str(a)).unwrap_or("");
        let int_attr = |n: &str| ctx.attr(op, n).and_then(|a| ctx.attr_as_int(a)).unwrap_or(0);
        match name {
            "array.fusion" => self.exec_fusion(op, env),
            "array.constant" => {
                let value = ctx.attr(op, "value").and_then(|a| attr_to_array(ctx, a));
                value
                    .map(|a| vec![RunValue::Array(a)])
                    .ok_or_else(|| ctx.op_error(op, "constant has no usable value"))
            }
            "array.iota" => {
                let shape = self.concrete_shape(op, &[])?;
                let t = TensorShape::of(ctx, ctx.value_type(ctx.result(op, 0)));
                let dtype = t.and_then(|t| dtype_of(ctx, t.element)).unwrap_or(DType::I64);
                arr(nd::iota(shape, int_attr("dim") as usize, dtype), &[])
            }
            "array.dim" => {
                let x = self.array(env, op, 0)?;
                let d = int_attr("index") as usize;
                x.shape()
                    .get(d)
                    .map(|n| vec![RunValue::index(*n as i64)])
                    .ok_or_else(|| self.failure(op, "dim out of range", &[&x]))
            }
            "array.cmp" => {
                let (a, b) = (self.array(env, op, 0)?, self.array(env, op, 1)?);
                let pred =
                    CmpPredicate::from_name(str_attr("predicate")).map_err(|e| self.failure(op, e, &[]))?;
                arr(nd::cmp(pred, &a, &b), &[&a, &b])
            }
            "array.select" => {
                let (c, a, b) = (self.array(env, op, 0)?, self.array(env, op, 1)?, self.array(env, op, 2)?);
                arr(nd::select(&c, &a, &b), &[&c, &a, &b])
            }
            "array.cast" => {
                let x = self.array(env, op, 0)?;
                let t = TensorShape::of(ctx, ctx.value_type(ctx.result(op, 0)));
                let dtype = t
                    .and_then(|t| dtype_of(ctx, t.element))
                    .ok_or_else(|| ctx.op_error(op, "unsupported result element type"))?;
                arr(nd::cast(&x, dtype), &[&x])
            }
            "array.broadcast" => {
                let x = self.array(env, op, 0)?;
                let shape = self.concrete_shape(op, x.shape())?;
                arr(nd::broadcast_to(&x, &shape), &[&x])
            }
            "array.reshape" => {
                let x = self.array(env, op, 0)?;
                let shape = self.reshape_target(op, &x)?;
                arr(nd::reshape(&x, &shape), &[&x])
            }
            "array.transpose" => {
                let x = self.array(env, op, 0)?;
                let perm: Vec<usize> = i64_array_attr(ctx, op, "permutation")
                    .unwrap_or_default()
                    .iter()
                    .map(|&p| p as usize)
                    .collect();
                arr(nd::transpose(&x, &perm), &[&x])
            }
            "array.slice" => {
                let x = self.array(env, op, 0)?;
                let specs: Vec<nd::SliceSpec> = slice_specs(ctx, op)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| nd::SliceSpec::new(s.start, s.stop, s.step))
                    .collect();
                arr(nd::slice(&x, &specs), &[&x])
            }
            "array.concat" => {
                let xs: Vec<NdArray> =
                    (0..ctx.operands(op).len()).map(|i| self.array(env, op, i)).collect::<Result<_, _>>()?;
                let refs: Vec<&NdArray> = xs.iter().collect();
                arr(nd::concat(&refs, int_attr("dim") as usize), &refs)
            }
            "array.reduce" => {
                let x = self.array(env, op, 0)?;
                let kind = ReduceKind::from_name(str_attr("kind")).map_err(|e| self.failure(op, e, &[]))?;
                let dims: Vec<usize> =
                    i64_array_attr(ctx, op, "dims").unwrap_or_default().iter().map(|&d| d as usize).collect();
                arr(nd::reduce(kind, &x, &dims, axir_array::ops::keepdims(ctx, op)), &[&x])
            }
            "array.matmul" => {
                let (a, b) = (self.array(env, op, 0)?, self.array(env, op, 1)?);
                arr(nd::matmul(&a, &b), &[&a, &b])
            }
            _ => Err(ctx.op_error(op, "the reference interpreter does not support this op")),
        }
    }

    /// The target shape of a reshape: static dims as declared; one `?` is
    /// inferred from the element count (like numpy's `-1`).
    fn reshape_target(&self, op: OpId, x: &NdArray) -> Result<Vec<usize>, Diagnostic> {
        let ctx = self.ctx;
        let t = TensorShape::of(ctx, ctx.value_type(ctx.result(op, 0)))
            .ok_or_else(|| ctx.op_error(op, "result is not a ranked tensor"))?;
        let dynamic: Vec<usize> =
            t.dims.iter().enumerate().filter(|(_, d)| d.is_none()).map(|(i, _)| i).collect();
        let known: usize = t.dims.iter().flatten().map(|&n| n as usize).product();
        match dynamic.as_slice() {
            [] => Ok(t.dims.iter().map(|d| d.unwrap_or(0) as usize).collect()),
            [i] if known > 0 && x.len() % known == 0 => {
                let mut shape: Vec<usize> = t.dims.iter().map(|d| d.unwrap_or(0) as usize).collect();
                shape[*i] = x.len() / known;
                Ok(shape)
            }
            _ => Err(self.failure(
                op,
                format!(
                    "cannot infer the dynamic dims of {} from {} elements",
                    describe_dims(&t.dims),
                    x.len()
                ),
                &[x],
            )),
        }
    }

    /// Checks a computed value against the declared type of `v`.
    fn check_result(&self, op: OpId, v: Value, r: &RunValue) -> Result<(), Diagnostic> {
        let ctx = self.ctx;
        self.check_value(ctx.value_type(v), r).map_err(|why| ctx.op_error(op, format!("result {why}")))
    }

    /// Checks that `r` fits type `ty`: kind, shape, element type, and for a
    /// buffer every static size, stride and offset. The message completes
    /// "result ..." or "argument #i ...".
    pub(crate) fn check_value(&self, ty: Type, r: &RunValue) -> Result<(), String> {
        let ctx = self.ctx;
        let declared = || ctx.display_type(ty).to_string();
        match (ctx.type_data(ty), r) {
            (TypeData::Tensor { .. }, RunValue::Array(a)) => {
                let Some(t) = TensorShape::of(ctx, ty) else { return Ok(()) };
                let dims_ok = a.rank() == t.rank()
                    && t.dims.iter().zip(a.shape()).all(|(d, n)| d.is_none_or(|d| d as usize == *n));
                let dtype_ok = dtype_of(ctx, t.element) == Some(a.dtype());
                if dims_ok && dtype_ok {
                    return Ok(());
                }
                Err(format!(
                    "of shape {} and dtype {} contradicts the declared type {}",
                    describe_shape(a.shape()),
                    a.dtype().name(),
                    declared()
                ))
            }
            (TypeData::MemRef { .. }, RunValue::Buffer(b)) => {
                let Some(m) = MemRefType::of(ctx, ty) else { return Ok(()) };
                let sizes_ok = b.rank() == m.rank()
                    && m.shape.iter().zip(&b.sizes).all(|(d, n)| d.is_none_or(|d| d as i64 == *n));
                // A dim of size 1 never uses its stride, and a buffer with a
                // dim of size 0 uses none at all, so MLIR's layouts leave them
                // free; compare the others.
                let empty = b.sizes.contains(&0);
                let strides_ok = sizes_ok
                    && (empty
                        || m.strides
                            .iter()
                            .zip(&b.strides)
                            .zip(&b.sizes)
                            .all(|((s, t), n)| *n <= 1 || s.is_none_or(|s| s == *t)));
                let offset_ok = m.offset.is_none_or(|o| o == b.offset);
                if sizes_ok && strides_ok && offset_ok {
                    return Ok(());
                }
                Err(format!(
                    "buffer with sizes {}, strides {} and offset {} contradicts the declared type {}",
                    tuple_str(&b.sizes),
                    tuple_str(&b.strides),
                    b.offset,
                    declared()
                ))
            }
            (TypeData::Vector { .. }, RunValue::Vector(v)) => match vector_type(ctx, ty) {
                Some((shape, _)) if shape == v.shape => Ok(()),
                _ => Err(format!(
                    "vector of shape {} contradicts the declared type {}",
                    describe_shape(&v.shape),
                    declared()
                )),
            },
            (TypeData::Integer { .. } | TypeData::Index | TypeData::Float(_), RunValue::Scalar(s)) => {
                let kind = match s {
                    Scalar::Int(i) => ElementKind::Int(i.width()),
                    Scalar::Float(f) => ElementKind::Float(f.kind()),
                };
                if element_kind(ctx, ty) == Some(kind) {
                    Ok(())
                } else {
                    Err(format!("scalar contradicts the declared type {}", declared()))
                }
            }
            (
                TypeData::Tensor { .. }
                | TypeData::MemRef { .. }
                | TypeData::Vector { .. }
                | TypeData::Integer { .. }
                | TypeData::Index
                | TypeData::Float(_),
                _,
            ) => Err(format!(
                "is {} at run time, which contradicts the declared type {}",
                r.describe(),
                declared()
            )),
            // Other types (opaque, tuples) are not interpreted: nothing to check.
            _ => Ok(()),
        }
    }
}

/// Applies `spec` element by element: scalars directly, vectors lane by lane
/// and tensors element by element (a scalar operand, such as `select`'s
/// condition, applies to every lane). `dtype` is the element dtype of a
/// tensor result.
pub(crate) fn elementwise(
    spec: OpSpec<'_>,
    args: &[RunValue],
    dtype: Option<DType>,
) -> Result<RunValue, String> {
    if args.iter().all(|a| matches!(a, RunValue::Scalar(_))) {
        let scalars: Vec<Scalar> =
            args.iter().filter_map(|a| if let RunValue::Scalar(s) = a { Some(*s) } else { None }).collect();
        return eval_scalar(spec, &scalars).map(RunValue::Scalar);
    }
    let mut shape: Option<(Vec<usize>, bool)> = None;
    let mut lanes: Vec<Option<Vec<Scalar>>> = Vec::with_capacity(args.len());
    for a in args {
        let (s, elems, is_array) = match a {
            RunValue::Scalar(_) => {
                lanes.push(None);
                continue;
            }
            RunValue::Vector(v) => (v.shape.clone(), v.elems.clone(), false),
            RunValue::Array(x) => (x.shape().to_vec(), scalars_of_array(x), true),
            RunValue::Buffer(_) => return Err("an elementwise op got a buffer operand".into()),
        };
        match &shape {
            Some((prev, _)) if *prev != s => {
                return Err(format!(
                    "operand shapes {} and {} differ",
                    describe_shape(prev),
                    describe_shape(&s)
                ))
            }
            Some(_) => {}
            None => shape = Some((s, is_array)),
        }
        lanes.push(Some(elems));
    }
    let Some((shape, is_array)) = shape else { return Err("no shaped operand".into()) };
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut lane_args = Vec::with_capacity(args.len());
    for l in 0..n {
        lane_args.clear();
        for (a, lane) in args.iter().zip(&lanes) {
            lane_args.push(match (a, lane) {
                (RunValue::Scalar(s), _) => *s,
                (_, Some(v)) => v[l],
                _ => return Err("an operand has no lanes".into()),
            });
        }
        out.push(eval_scalar(spec, &lane_args)?);
    }
    if is_array {
        let dtype = dtype.ok_or("the result element type has no array dtype")?;
        array_of_scalars(dtype, shape, &out).map(RunValue::Array)
    } else {
        Ok(RunValue::Vector(VectorValue { shape, elems: out }))
    }
}
