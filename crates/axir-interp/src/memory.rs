//! The loop level: buffers (`loop.alloc`, views, loads and stores), loops
//! (`loop.for`, `loop.parallel`) and the vector ops.
//!
//! Every access is checked: an index outside its dim, a view that reaches
//! outside its storage, or an access after `loop.dealloc` is a located
//! run-time error, never a panic and never a silent read.

use crate::exec::{elementwise, vector_type, Env, Interpreter};
use crate::scalar::{combine, OpSpec};
use crate::value::{for_each_index, tuple_str, zero_of, Buffer, RunValue, VectorValue};
use axir_arith::apint::ApInt;
use axir_arith::fold::{ElementKind, Scalar};
use axir_ir::{Diagnostic, OpId};
use axir_loop::memref::MemRefType;
use axir_loop::ops::{dim_index, parallel_rank, parallel_reductions};
use axir_loop::vector::{reduction_kind, CombiningKind};

/// The most lanes a vector may have in the interpreter.
const MAX_VECTOR_LANES: usize = 1 << 20;

/// The arith op that combines two values of `element` for a vector
/// combining kind.
fn combining_op(kind: CombiningKind, is_float: bool) -> &'static str {
    match (kind, is_float) {
        (CombiningKind::Add, true) => "arith.addf",
        (CombiningKind::Add, false) => "arith.addi",
        (CombiningKind::Mul, true) => "arith.mulf",
        (CombiningKind::Mul, false) => "arith.muli",
        (CombiningKind::MinUI, _) => "arith.minui",
        (CombiningKind::MinSI, _) => "arith.minsi",
        (CombiningKind::MaxUI, _) => "arith.maxui",
        (CombiningKind::MaxSI, _) => "arith.maxsi",
        (CombiningKind::MinNumF, _) => "arith.minnumf",
        (CombiningKind::MaxNumF, _) => "arith.maxnumf",
        (CombiningKind::MinimumF, _) => "arith.minimumf",
        (CombiningKind::MaximumF, _) => "arith.maximumf",
        (CombiningKind::And, _) => "arith.andi",
        (CombiningKind::Or, _) => "arith.ori",
        (CombiningKind::Xor, _) => "arith.xori",
    }
}

/// The element kind of a value (the combining ops need it).
fn kind_of(v: &RunValue) -> Option<ElementKind> {
    let s = match v {
        RunValue::Scalar(s) => *s,
        RunValue::Vector(v) => *v.elems.first()?,
        _ => return None,
    };
    Some(match s {
        Scalar::Int(i) => ElementKind::Int(i.width()),
        Scalar::Float(f) => ElementKind::Float(f.kind()),
    })
}

/// The row-major multi-indices of a vector of `shape`.
fn lanes(shape: &[usize]) -> Vec<Vec<i64>> {
    let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    let mut out = Vec::new();
    let _ = for_each_index(&sizes, |idx| {
        out.push(idx.to_vec());
        Ok(())
    });
    out
}

/// The buffer index of lane `lane` of a vector access at `base`: the lane
/// offsets the trailing dims.
fn lane_index(base: &[i64], lane: &[i64]) -> Result<Vec<i64>, String> {
    let lead = base.len().checked_sub(lane.len()).ok_or("the vector has a higher rank than the buffer")?;
    let mut idx = base.to_vec();
    for (t, j) in lane.iter().enumerate() {
        idx[lead + t] = idx[lead + t].checked_add(*j).ok_or("index overflow")?;
    }
    Ok(idx)
}

impl Interpreter<'_> {
    fn buffer(&self, env: &Env, op: OpId, i: usize) -> Result<Buffer, Diagnostic> {
        match self.operand(env, op, i)? {
            RunValue::Buffer(b) => Ok(b),
            other => Err(self
                .ctx
                .op_error(op, format!("operand #{i} is {} at run time, not a buffer", other.describe()))),
        }
    }

    /// Applies `f` to the buffer of operand `i` without copying its view
    /// (loads and stores are the interpreter's hot path).
    fn with_buffer<R>(
        &self,
        env: &Env,
        op: OpId,
        i: usize,
        f: impl FnOnce(&Buffer) -> Result<R, String>,
    ) -> Result<R, Diagnostic> {
        let v = self.ctx.operands(op).get(i).and_then(|v| env.get(v));
        match v {
            Some(RunValue::Buffer(b)) => f(b).map_err(|e| self.fail(op, e)),
            Some(other) => Err(self
                .ctx
                .op_error(op, format!("operand #{i} is {} at run time, not a buffer", other.describe()))),
            None => Err(self.ctx.op_error(op, "operand has no value at run time")),
        }
    }

    fn vector(&self, env: &Env, op: OpId, i: usize) -> Result<VectorValue, Diagnostic> {
        match self.operand(env, op, i)? {
            RunValue::Vector(v) => Ok(v),
            other => Err(self
                .ctx
                .op_error(op, format!("operand #{i} is {} at run time, not a vector", other.describe()))),
        }
    }

    /// A run-time failure of a memory or loop op.
    fn fail(&self, op: OpId, why: impl std::fmt::Display) -> Diagnostic {
        self.failure(op, why, &[])
    }

    /// The result vector type's shape.
    fn result_vector_shape(&self, op: OpId) -> Result<Vec<usize>, Diagnostic> {
        let ctx = self.ctx;
        let shape = vector_type(ctx, ctx.value_type(ctx.result(op, 0)))
            .map(|(s, _)| s)
            .ok_or_else(|| ctx.op_error(op, "result is not a vector"))?;
        let lanes = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if lanes.is_none_or(|l| l > MAX_VECTOR_LANES) {
            return Err(
                self.fail(op, format!("vectors of more than {MAX_VECTOR_LANES} lanes are not supported"))
            );
        }
        Ok(shape)
    }

    /// Runs a `loop.*` or `vector.*` op.
    pub(crate) fn exec_memory(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let n = ctx.operands(op).len();
        let one = |v: RunValue| Ok(vec![v]);
        match ctx.op_name(op) {
            "loop.alloc" => {
                let ty = ctx.value_type(ctx.result(op, 0));
                let m = MemRefType::of(ctx, ty).ok_or_else(|| ctx.op_error(op, "result is not a memref"))?;
                let dynamic = self.indices(env, op, 0..n)?;
                let mut it = dynamic.iter();
                let sizes: Vec<i64> = m
                    .shape
                    .iter()
                    .map(|d| d.map_or_else(|| it.next().copied().unwrap_or(0), |s| s as i64))
                    .collect();
                if let Some(s) = sizes.iter().find(|s| **s < 0) {
                    return Err(self.fail(op, format!("negative size {s}")));
                }
                let zero = zero_of(ctx, m.element)
                    .ok_or_else(|| ctx.op_error(op, "the interpreter does not support this element type"))?;
                one(RunValue::Buffer(Buffer::alloc(sizes, zero, true).map_err(|e| self.fail(op, e))?))
            }
            "loop.assert" => {
                let holds = match self.scalar(env, op, 0)? {
                    Scalar::Int(c) => !c.is_zero(),
                    Scalar::Float(_) => return Err(ctx.op_error(op, "operand #0 is a float, not an i1")),
                };
                if holds {
                    return Ok(vec![]);
                }
                // The message is the whole diagnostic, as for MLIR's cf.assert:
                // the lowering writes it in the words of the op it checks for.
                let values = self.indices(env, op, 1..n)?;
                let msg = axir_loop::format_assert_message(
                    axir_loop::assert_message(ctx, op).unwrap_or(""),
                    &values,
                );
                Err(Diagnostic::error(ctx.op_location(op), msg))
            }
            "loop.dealloc" => {
                self.buffer(env, op, 0)?.free().map_err(|e| self.fail(op, e))?;
                Ok(vec![])
            }
            "loop.dim" => {
                let b = self.buffer(env, op, 0)?;
                let d = dim_index(ctx, op).and_then(|d| usize::try_from(d).ok());
                let size = d.and_then(|d| b.sizes.get(d)).ok_or_else(|| self.fail(op, "dim out of range"))?;
                one(RunValue::index(*size))
            }
            "loop.load" => {
                let idx = self.indices(env, op, 1..n)?;
                let v = self.with_buffer(env, op, 0, |b| b.load(&idx))?;
                one(RunValue::Scalar(v))
            }
            "loop.store" => {
                let v = self.scalar(env, op, 0)?;
                let idx = self.indices(env, op, 2..n)?;
                self.with_buffer(env, op, 1, |b| b.store(&idx, v))?;
                Ok(vec![])
            }
            "loop.subview" => self.exec_subview(op, env).map(|b| vec![RunValue::Buffer(b)]),
            "loop.view" => {
                let src = self.buffer(env, op, 0)?;
                let rank = (n - 2) / 2;
                let offset = self.index(env, op, 1)?;
                let sizes = self.indices(env, op, 2..2 + rank)?;
                let strides = self.indices(env, op, 2 + rank..n)?;
                one(RunValue::Buffer(src.view(offset, sizes, strides).map_err(|e| self.fail(op, e))?))
            }
            "loop.copy" => {
                let (src, dst) = (self.buffer(env, op, 0)?, self.buffer(env, op, 1)?);
                if src.sizes != dst.sizes {
                    return Err(self.fail(
                        op,
                        format!(
                            "source shape {} and target shape {} differ",
                            tuple_str(&src.sizes),
                            tuple_str(&dst.sizes)
                        ),
                    ));
                }
                let values = src.elements().map_err(|e| self.fail(op, e))?;
                dst.set_elements(&values).map_err(|e| self.fail(op, e))?;
                Ok(vec![])
            }
            "loop.for" => self.exec_for(op, env),
            "loop.parallel" => self.exec_parallel(op, env),
            "vector.load" | "vector.maskedload" => {
                self.exec_vector_load(op, env).map(|v| vec![RunValue::Vector(v)])
            }
            "vector.store" | "vector.maskedstore" => {
                self.exec_vector_store(op, env)?;
                Ok(vec![])
            }
            "vector.broadcast" => {
                let shape = self.result_vector_shape(op)?;
                let count: usize = shape.iter().product();
                let elems = match self.operand(env, op, 0)? {
                    RunValue::Scalar(s) => vec![s; count],
                    RunValue::Vector(v) => {
                        let lead = shape.len().saturating_sub(v.shape.len());
                        lanes(&shape)
                            .iter()
                            .map(|lane| {
                                // Source dims of size 1 repeat; others map one to one.
                                let src: Vec<i64> = lane[lead..]
                                    .iter()
                                    .zip(&v.shape)
                                    .map(|(&j, &d)| if d == 1 { 0 } else { j })
                                    .collect();
                                let flat = src
                                    .iter()
                                    .zip(&v.shape)
                                    .fold(0usize, |acc, (&j, &d)| acc * d + j as usize);
                                v.elems
                                    .get(flat)
                                    .copied()
                                    .ok_or_else(|| self.fail(op, "broadcast lane out of range"))
                            })
                            .collect::<Result<_, _>>()?
                    }
                    other => {
                        return Err(
                            ctx.op_error(op, format!("operand #0 is {} at run time", other.describe()))
                        )
                    }
                };
                one(RunValue::Vector(VectorValue { shape, elems }))
            }
            "vector.reduction" => {
                let v = self.vector(env, op, 0)?;
                let kind =
                    reduction_kind(ctx, op).ok_or_else(|| ctx.op_error(op, "has no valid combining kind"))?;
                let mut lanes = v.elems.iter().copied();
                let start = if n > 1 { Some(self.scalar(env, op, 1)?) } else { lanes.next() };
                let mut acc = start
                    .ok_or_else(|| self.fail(op, "reduction of an empty vector without an accumulator"))?;
                let name = combining_op(kind, matches!(acc, Scalar::Float(_)));
                for x in lanes {
                    acc = combine(name, acc, x).map_err(|e| self.fail(op, e))?;
                }
                one(RunValue::Scalar(acc))
            }
            "vector.fma" => {
                let args: Vec<RunValue> =
                    (0..3).map(|i| self.operand(env, op, i)).collect::<Result<_, _>>()?;
                let kind = kind_of(&args[0]).ok_or_else(|| self.fail(op, "fma of an empty vector"))?;
                let spec = OpSpec::plain("math.fma", kind);
                one(elementwise(spec, &args, None).map_err(|e| self.fail(op, e))?)
            }
            "vector.create_mask" => {
                let shape = self.result_vector_shape(op)?;
                let bounds = self.indices(env, op, 0..n)?;
                let elems = lanes(&shape)
                    .iter()
                    .map(|lane| {
                        let set = lane.iter().zip(&bounds).all(|(j, b)| j < b);
                        Scalar::Int(ApInt::from_u128(1, u128::from(set)))
                    })
                    .collect();
                one(RunValue::Vector(VectorValue { shape, elems }))
            }
            _ => Err(ctx.op_error(op, "the reference interpreter does not support this op")),
        }
    }

    /// `loop.subview`: the window must lie inside the source.
    fn exec_subview(&self, op: OpId, env: &Env) -> Result<Buffer, Diagnostic> {
        let src = self.buffer(env, op, 0)?;
        let rank = src.rank();
        let offsets = self.indices(env, op, 1..1 + rank)?;
        let sizes = self.indices(env, op, 1 + rank..1 + 2 * rank)?;
        let steps = self.indices(env, op, 1 + 2 * rank..1 + 3 * rank)?;
        let mut offset = i128::from(src.offset);
        let mut strides = Vec::with_capacity(rank);
        for d in 0..rank {
            let (o, s, t, n) = (offsets[d], sizes[d], steps[d], src.sizes[d]);
            let last = i128::from(o) + i128::from(s.max(1) - 1) * i128::from(t);
            if o < 0 || s < 0 || t < 0 || (s > 0 && last >= i128::from(n)) || o > n {
                return Err(self.fail(
                    op,
                    format!(
                        "the window offsets {}, sizes {}, strides {} is outside the source of shape {} (dim {d})",
                        tuple_str(&offsets),
                        tuple_str(&sizes),
                        tuple_str(&steps),
                        tuple_str(&src.sizes)
                    ),
                ));
            }
            offset += i128::from(o) * i128::from(src.strides[d]);
            strides.push(src.strides[d].checked_mul(t).ok_or_else(|| self.fail(op, "stride overflow"))?);
        }
        let offset = i64::try_from(offset).map_err(|_| self.fail(op, "offset overflow"))?;
        src.view(offset, sizes, strides).map_err(|e| self.fail(op, e))
    }

    /// `loop.for`: runs the body for `lb, lb + step, ...` below `ub`.
    fn exec_for(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let (lb, ub, step) = (self.index(env, op, 0)?, self.index(env, op, 1)?, self.index(env, op, 2)?);
        if step <= 0 {
            return Err(self.fail(op, format!("the step must be positive, but is {step}")));
        }
        let mut iters: Vec<RunValue> =
            (3..ctx.operands(op).len()).map(|i| self.operand(env, op, i)).collect::<Result<_, _>>()?;
        let block = ctx
            .regions(op)
            .first()
            .and_then(|r| ctx.entry_block(*r))
            .ok_or_else(|| ctx.op_error(op, "has no body to run"))?;
        let params = ctx.block_arguments(block).to_vec();
        if params.len() != iters.len() + 1 {
            return Err(ctx.op_error(op, "body arguments do not match the iter_args"));
        }
        let mut i = lb;
        while i < ub {
            env.insert(params[0], RunValue::index(i));
            for (p, v) in params[1..].iter().zip(iters) {
                env.insert(*p, v);
            }
            iters = self.run_body(op, block, env)?;
            i = match i.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        Ok(iters)
    }

    /// Runs a loop body and returns what its `loop.yield` passes on.
    fn run_body(
        &mut self,
        op: OpId,
        block: axir_ir::BlockId,
        env: &mut Env,
    ) -> Result<Vec<RunValue>, Diagnostic> {
        let exit = self.run_block(block, env)?;
        if self.ctx.op_name(exit.op) != "loop.yield" {
            return Err(self.ctx.op_error(
                exit.op,
                format!("is not a valid terminator of a '{}' body", self.ctx.op_name(op)),
            ));
        }
        Ok(exit.values)
    }

    /// `loop.parallel`: every iteration in row-major order of the induction
    /// variables; each reduction combines the partial values in that order,
    /// starting from its init.
    fn exec_parallel(&mut self, op: OpId, env: &mut Env) -> Result<Vec<RunValue>, Diagnostic> {
        let ctx = self.ctx;
        let n = parallel_rank(ctx, op);
        let lbs = self.indices(env, op, 0..n)?;
        let ubs = self.indices(env, op, n..2 * n)?;
        let steps = self.indices(env, op, 2 * n..3 * n)?;
        if let Some(s) = steps.iter().find(|s| **s <= 0) {
            return Err(self.fail(op, format!("the step must be positive, but is {s}")));
        }
        let kinds = parallel_reductions(ctx, op)
            .and_then(|k| k.into_iter().collect::<Option<Vec<_>>>())
            .ok_or_else(|| ctx.op_error(op, "has an invalid reduction"))?;
        let mut accs: Vec<RunValue> =
            (3 * n..ctx.operands(op).len()).map(|i| self.operand(env, op, i)).collect::<Result<_, _>>()?;
        if kinds.len() != accs.len() {
            return Err(ctx.op_error(op, "reductions do not match the init values"));
        }
        let block = ctx
            .regions(op)
            .first()
            .and_then(|r| ctx.entry_block(*r))
            .ok_or_else(|| ctx.op_error(op, "has no body to run"))?;
        let params = ctx.block_arguments(block).to_vec();
        let trips: Vec<i64> = (0..n)
            .map(|d| {
                if ubs[d] <= lbs[d] {
                    0
                } else {
                    let span = i128::from(ubs[d]) - i128::from(lbs[d]);
                    i64::try_from((span + i128::from(steps[d]) - 1) / i128::from(steps[d]))
                        .unwrap_or(i64::MAX)
                }
            })
            .collect();
        // An odometer over the iteration space, in row-major order; nothing
        // is materialized, so a large space costs time, not memory.
        if trips.contains(&0) {
            return Ok(accs);
        }
        let mut k = vec![0i64; n];
        loop {
            for d in 0..n {
                // In range: k[d] < trips[d], so the value is below ub.
                env.insert(params[d], RunValue::index(lbs[d] + k[d] * steps[d]));
            }
            let partials = self.run_body(op, block, env)?;
            if partials.len() != accs.len() {
                return Err(ctx.op_error(op, "the body yields a value per reduction"));
            }
            for ((acc, partial), kind) in accs.iter_mut().zip(partials).zip(&kinds) {
                let ek = kind_of(acc).ok_or_else(|| self.fail(op, "cannot reduce this value"))?;
                let spec = OpSpec::plain(kind.op_name(), ek);
                *acc = elementwise(spec, &[acc.clone(), partial], None).map_err(|e| self.fail(op, e))?;
            }
            let mut d = n;
            loop {
                if d == 0 {
                    return Ok(accs);
                }
                d -= 1;
                k[d] += 1;
                if k[d] < trips[d] {
                    break;
                }
                k[d] = 0;
            }
        }
    }

    /// `vector.load` and `vector.maskedload`.
    fn exec_vector_load(&self, op: OpId, env: &Env) -> Result<VectorValue, Diagnostic> {
        let ctx = self.ctx;
        let n = ctx.operands(op).len();
        let masked = ctx.op_name(op) == "vector.maskedload";
        let b = self.buffer(env, op, 0)?;
        let base = self.indices(env, op, 1..if masked { n - 2 } else { n })?;
        let shape = self.result_vector_shape(op)?;
        let (mask, pass) = if masked {
            (Some(self.vector(env, op, n - 2)?), Some(self.vector(env, op, n - 1)?))
        } else {
            (None, None)
        };
        let mut elems = Vec::new();
        for (l, lane) in lanes(&shape).iter().enumerate() {
            let on = mask
                .as_ref()
                .is_none_or(|m| m.elems.get(l).and_then(|s| s.int()).is_some_and(|i| !i.is_zero()));
            let value = if on {
                let idx = lane_index(&base, lane).map_err(|e| self.fail(op, e))?;
                b.load(&idx).map_err(|e| self.fail(op, format!("lane {}: {e}", tuple_str(lane))))?
            } else {
                *pass
                    .as_ref()
                    .and_then(|p| p.elems.get(l))
                    .ok_or_else(|| self.fail(op, "pass_thru has too few lanes"))?
            };
            elems.push(value);
        }
        Ok(VectorValue { shape, elems })
    }

    /// `vector.store` and `vector.maskedstore`.
    fn exec_vector_store(&self, op: OpId, env: &Env) -> Result<(), Diagnostic> {
        let ctx = self.ctx;
        let n = ctx.operands(op).len();
        let masked = ctx.op_name(op) == "vector.maskedstore";
        let (value, b, base, mask) = if masked {
            (
                self.vector(env, op, n - 1)?,
                self.buffer(env, op, 0)?,
                self.indices(env, op, 1..n - 2)?,
                Some(self.vector(env, op, n - 2)?),
            )
        } else {
            (self.vector(env, op, 0)?, self.buffer(env, op, 1)?, self.indices(env, op, 2..n)?, None)
        };
        for (l, lane) in lanes(&value.shape).iter().enumerate() {
            let on = mask
                .as_ref()
                .is_none_or(|m| m.elems.get(l).and_then(|s| s.int()).is_some_and(|i| !i.is_zero()));
            if !on {
                continue;
            }
            let idx = lane_index(&base, lane).map_err(|e| self.fail(op, e))?;
            let v = *value.elems.get(l).ok_or_else(|| self.fail(op, "the vector has too few lanes"))?;
            b.store(&idx, v).map_err(|e| self.fail(op, format!("lane {}: {e}", tuple_str(lane))))?;
        }
        Ok(())
    }
}
