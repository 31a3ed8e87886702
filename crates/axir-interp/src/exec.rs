//! Op-by-op execution of functions.

use axir_array::convert::{attr_to_array, dtype_of};
use axir_array::ops::{binary_op, i64_array_attr, slice_specs, unary_op};
use axir_array::shape::TensorShape;
use axir_builtin::{lookup_func, FuncOp};
use axir_ir::{Context, Diagnostic, Dim, OpDefinition, OpId, TypeData, Value, ValueDef};
use axir_ndarray::{self as nd, BinaryOp, CmpPredicate, DType, NdArray, ReduceKind, UnaryOp};
use rustc_hash::FxHashMap;

/// A run-time value.
#[derive(Clone, Debug, PartialEq)]
pub enum RtValue {
    /// A tensor.
    Array(NdArray),
    /// An `index` scalar.
    Index(i64),
}

/// Deepest `func.call` nesting before the interpreter reports runaway recursion.
const MAX_CALL_DEPTH: usize = 256;

/// Runs functions of one module.
pub struct Interpreter<'c> {
    ctx: &'c Context,
    depth: usize,
}

fn describe_dims(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.map_or("?".into(), |n| n.to_string())).collect();
    format!("({})", parts.join(", "))
}

fn describe_shape(shape: &[usize]) -> String {
    if shape.len() == 1 {
        return format!("({},)", shape[0]);
    }
    format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// Checks `args` against the signature of `func`: count, dtype, rank and
/// every static dim. Messages name the argument (`argument #1`).
pub fn check_arguments(ctx: &Context, func: FuncOp, args: &[NdArray]) -> Result<(), String> {
    let inputs = func.input_types(ctx);
    if inputs.len() != args.len() {
        return Err(format!(
            "function @{} takes {} argument{}, but {} {} given",
            func.name(ctx),
            inputs.len(),
            if inputs.len() == 1 { "" } else { "s" },
            args.len(),
            if args.len() == 1 { "was" } else { "were" }
        ));
    }
    for (i, (ty, arg)) in inputs.iter().zip(args).enumerate() {
        let Some(t) = TensorShape::of(ctx, *ty) else {
            return Err(format!("argument #{i} has type {}, which axrun cannot pass", ctx.display_type(*ty)));
        };
        let want = dtype_of(ctx, t.element).ok_or_else(|| {
            format!("argument #{i} has unsupported element type {}", ctx.display_type(t.element))
        })?;
        if arg.dtype() != want {
            return Err(format!(
                "argument #{i}: expected element type {} ({}), but got an array of dtype {}",
                want.name(),
                ctx.display_type(*ty),
                arg.dtype().numpy_name()
            ));
        }
        if arg.rank() != t.rank() {
            return Err(format!(
                "argument #{i}: expected rank {} ({}), but got an array of shape {}",
                t.rank(),
                ctx.display_type(*ty),
                describe_shape(arg.shape())
            ));
        }
        for (d, (want, got)) in t.dims.iter().zip(arg.shape()).enumerate() {
            if let Some(n) = want {
                if *n as usize != *got {
                    return Err(format!(
                        "argument #{i}: dim {d} must be {n} ({}), but the array has shape {}",
                        ctx.display_type(*ty),
                        describe_shape(arg.shape())
                    ));
                }
            }
        }
    }
    Ok(())
}

impl<'c> Interpreter<'c> {
    /// An interpreter over the IR of `ctx`.
    pub fn new(ctx: &'c Context) -> Self {
        Self { ctx, depth: 0 }
    }

    /// Runs `func` on `args` and returns its results.
    pub fn call(&mut self, func: FuncOp, args: Vec<RtValue>) -> Result<Vec<RtValue>, Diagnostic> {
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
        let mut env: FxHashMap<Value, RtValue> = params.iter().copied().zip(args).collect();
        self.depth += 1;
        let result = self.run_block(entry, &mut env);
        self.depth -= 1;
        result
    }

    fn run_block(
        &mut self,
        block: axir_ir::BlockId,
        env: &mut FxHashMap<Value, RtValue>,
    ) -> Result<Vec<RtValue>, Diagnostic> {
        let ctx = self.ctx;
        for op in ctx.block_ops_iter(block) {
            let name = ctx.op_name(op);
            if name == "func.return" {
                return ctx.operands(op).iter().map(|v| self.lookup(env, op, *v)).collect();
            }
            let results = self.exec(op, env)?;
            for (v, r) in ctx.results(op).iter().zip(results) {
                self.check_result(op, *v, &r)?;
                env.insert(*v, r);
            }
        }
        Err(Diagnostic::error(ctx.unknown_loc(), "function body ended without func.return"))
    }

    fn lookup(&self, env: &FxHashMap<Value, RtValue>, op: OpId, v: Value) -> Result<RtValue, Diagnostic> {
        env.get(&v).cloned().ok_or_else(|| self.ctx.op_error(op, "operand has no value at run time"))
    }

    fn array(&self, env: &FxHashMap<Value, RtValue>, op: OpId, i: usize) -> Result<NdArray, Diagnostic> {
        match self.lookup(env, op, self.ctx.operand(op, i))? {
            RtValue::Array(a) => Ok(a),
            RtValue::Index(_) => {
                Err(self.ctx.op_error(op, format!("operand #{i} is an index, not an array")))
            }
        }
    }

    fn index(&self, env: &FxHashMap<Value, RtValue>, op: OpId, i: usize) -> Result<i64, Diagnostic> {
        match self.lookup(env, op, self.ctx.operand(op, i))? {
            RtValue::Index(n) => Ok(n),
            RtValue::Array(_) => {
                Err(self.ctx.op_error(op, format!("operand #{i} is an array, not an index")))
            }
        }
    }

    /// A run-time failure of `op`, with notes saying which operands are
    /// function arguments (that is usually where a bad dynamic dim came from).
    fn failure(&self, op: OpId, what: impl std::fmt::Display, args: &[&NdArray]) -> Diagnostic {
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

    fn exec(&mut self, op: OpId, env: &FxHashMap<Value, RtValue>) -> Result<Vec<RtValue>, Diagnostic> {
        let ctx = self.ctx;
        let name = ctx.op_name(op);
        let arr = |r: nd::Result<NdArray>, args: &[&NdArray]| -> Result<Vec<RtValue>, Diagnostic> {
            r.map(|a| vec![RtValue::Array(a)]).map_err(|e| self.failure(op, e, args))
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
            "array.constant" => {
                let value = ctx.attr(op, "value").and_then(|a| attr_to_array(ctx, a));
                value
                    .map(|a| vec![RtValue::Array(a)])
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
                    .map(|n| vec![RtValue::Index(*n as i64)])
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
                arr(nd::reduce(kind, &x, &dims, ctx.attr(op, "keepdims").is_some()), &[&x])
            }
            "array.matmul" => {
                let (a, b) = (self.array(env, op, 0)?, self.array(env, op, 1)?);
                arr(nd::matmul(&a, &b), &[&a, &b])
            }
            "func.call" => {
                let callee = str_attr_sym(ctx, op);
                let func = lookup_func(ctx, op, &callee).ok_or_else(|| {
                    ctx.op_error(op, format!("'@{callee}' does not reference a valid function"))
                })?;
                let args: Vec<RtValue> =
                    ctx.operands(op).iter().map(|v| self.lookup(env, op, *v)).collect::<Result<_, _>>()?;
                self.call(func, args)
            }
            "arith.constant" => {
                let value = ctx.attr(op, "value");
                match value.and_then(|a| ctx.attr_as_int(a)) {
                    Some(n)
                        if matches!(ctx.type_data(ctx.value_type(ctx.result(op, 0))), TypeData::Index) =>
                    {
                        Ok(vec![RtValue::Index(n as i64)])
                    }
                    _ => Err(ctx.op_error(op, "the interpreter runs arith.constant of index type only")),
                }
            }
            "arith.addi" | "arith.subi" | "arith.muli" => {
                let (a, b) = (self.index(env, op, 0)?, self.index(env, op, 1)?);
                let r = match name {
                    "arith.addi" => a.wrapping_add(b),
                    "arith.subi" => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                };
                Ok(vec![RtValue::Index(r)])
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
    fn check_result(&self, op: OpId, v: Value, r: &RtValue) -> Result<(), Diagnostic> {
        let ctx = self.ctx;
        let RtValue::Array(a) = r else { return Ok(()) };
        let Some(t) = TensorShape::of(ctx, ctx.value_type(v)) else { return Ok(()) };
        let dims_ok = a.rank() == t.rank()
            && t.dims.iter().zip(a.shape()).all(|(d, n)| d.is_none_or(|d| d as usize == *n));
        let dtype_ok = dtype_of(ctx, t.element) == Some(a.dtype());
        if dims_ok && dtype_ok {
            return Ok(());
        }
        Err(ctx.op_error(
            op,
            format!(
                "result of shape {} and dtype {} contradicts the declared type {}",
                describe_shape(a.shape()),
                a.dtype().name(),
                ctx.display_type(ctx.value_type(v))
            ),
        ))
    }
}

fn str_attr_sym(ctx: &Context, op: OpId) -> String {
    ctx.attr(op, "callee").and_then(|a| ctx.attr_as_symbol(a)).unwrap_or("").to_string()
}
