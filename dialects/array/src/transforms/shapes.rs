//! Symbolic shapes: which dims of which array values are equal at run time.
//!
//! Every dim of every ranked tensor value of a function gets a [`SymDim`]:
//! a static size, or a symbol standing for a size known only at run time.
//! Two dims with the same symbol are equal in every run, which is what
//! fusion needs to know that a reduction's rows are the rows of its
//! consumer, and what the lowering needs to avoid a run-time broadcast check
//! where none is needed. A symbol is defined by a [`SymExpr`] that says how
//! to compute it from the function's arguments, so the lowering can compute
//! every dim once, at the start of the function.
//!
//! The analysis looks into `array.fusion` bodies: a body argument has the
//! dims of its input, a fusion result the dims of the yielded value.

use crate::fusion::FusionOp;
use crate::ops::{i64_array_attr, slice_specs, unary_op};
use crate::shape::{slice_len, TensorShape};
use axir_ir::{BlockId, Context, Dim, OpDefinition, OpId, Value};
use rustc_hash::FxHashMap;

/// One dim: a static size or a run-time symbol.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SymDim {
    /// Known when compiling.
    Static(u64),
    /// Symbol `n` of the [`ShapeInfo`], known at run time.
    Sym(u32),
}

impl SymDim {
    /// Whether the dim is statically 1 (broadcasts in every run).
    pub fn is_one(self) -> bool {
        self == SymDim::Static(1)
    }
}

/// How a symbol is computed.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum SymExpr {
    /// Dim `dim` of argument `arg` of the function.
    ArgDim {
        /// Argument number.
        arg: usize,
        /// Dim number.
        dim: usize,
    },
    /// numpy's broadcast of two dims not known to be equal: `a == 1 ? b : a`.
    Broadcast(SymDim, SymDim),
    /// The length of `start:stop:step` over a dim of size `n` (numpy's rules).
    Slice {
        /// The sliced dim.
        n: SymDim,
        /// Start, negative from the end.
        start: Option<i64>,
        /// Stop (exclusive), negative from the end.
        stop: Option<i64>,
        /// Step, never 0.
        step: i64,
    },
    /// The sum of dims (a concatenated dim).
    Sum(Vec<SymDim>),
    /// The product of `dividend` divided by `divisor` (the one `?` of a reshape).
    Quotient {
        /// The operand's dims.
        dividend: Vec<SymDim>,
        /// The product of the result's static dims.
        divisor: u64,
    },
    /// Dim `dim` of a value the analysis cannot relate to the arguments
    /// (the result of an op it does not know); read from its buffer.
    Opaque {
        /// The value.
        value: Value,
        /// Dim number.
        dim: usize,
    },
}

/// The symbolic dims of every ranked tensor value of one function.
#[derive(Clone, Debug, Default)]
pub struct ShapeInfo {
    exprs: Vec<SymExpr>,
    interned: FxHashMap<SymExpr, u32>,
    dims: FxHashMap<Value, Vec<SymDim>>,
}

impl ShapeInfo {
    /// Analyzes the body of a function whose entry block is `entry`.
    pub fn analyze(ctx: &Context, entry: BlockId) -> Self {
        let mut info = ShapeInfo::default();
        for (arg, &v) in ctx.block_arguments(entry).iter().enumerate() {
            if let Some(t) = TensorShape::of(ctx, ctx.value_type(v)) {
                let dims = t
                    .dims
                    .iter()
                    .enumerate()
                    .map(|(dim, d)| match d {
                        Some(n) => SymDim::Static(*n),
                        None => info.intern(SymExpr::ArgDim { arg, dim }),
                    })
                    .collect();
                info.dims.insert(v, dims);
            }
        }
        info.block(ctx, entry);
        info
    }

    /// The dims of `v`, if it is a ranked tensor the analysis saw.
    pub fn dims(&self, v: Value) -> Option<&[SymDim]> {
        self.dims.get(&v).map(|d| d.as_slice())
    }

    /// How symbol `n` is computed.
    pub fn expr(&self, n: u32) -> Option<&SymExpr> {
        self.exprs.get(n as usize)
    }

    /// Every symbol, numbered from 0; each refers only to smaller numbers.
    pub fn exprs(&self) -> &[SymExpr] {
        &self.exprs
    }

    fn intern(&mut self, e: SymExpr) -> SymDim {
        if let Some(&n) = self.interned.get(&e) {
            return SymDim::Sym(n);
        }
        let n = self.exprs.len() as u32;
        self.exprs.push(e.clone());
        self.interned.insert(e, n);
        SymDim::Sym(n)
    }

    /// numpy broadcasting of two dims of operands of one elementwise op.
    pub fn broadcast_dim(&mut self, a: SymDim, b: SymDim) -> SymDim {
        match (a, b) {
            _ if a == b => a,
            (SymDim::Static(1), x) | (x, SymDim::Static(1)) => x,
            // The verifier inferred n: the other side is 1 or n in every run.
            (SymDim::Static(n), SymDim::Sym(_)) | (SymDim::Sym(_), SymDim::Static(n)) => SymDim::Static(n),
            (SymDim::Static(_), SymDim::Static(_)) => a,
            (x, y) => self.intern(SymExpr::Broadcast(x.min(y), x.max(y))),
        }
    }

    fn broadcast_shapes(&mut self, shapes: &[Vec<SymDim>]) -> Vec<SymDim> {
        let rank = shapes.iter().map(Vec::len).max().unwrap_or(0);
        let mut out = vec![SymDim::Static(1); rank];
        for s in shapes {
            let offset = rank - s.len();
            for (i, &d) in s.iter().enumerate() {
                out[offset + i] = self.broadcast_dim(out[offset + i], d);
            }
        }
        out
    }

    fn block(&mut self, ctx: &Context, block: BlockId) {
        for op in ctx.block_ops_iter(block) {
            self.op(ctx, op);
        }
    }

    fn operand_dims(&self, ctx: &Context, op: OpId, i: usize) -> Option<Vec<SymDim>> {
        ctx.operands(op).get(i).and_then(|v| self.dims.get(v)).cloned()
    }

    fn op(&mut self, ctx: &Context, op: OpId) {
        if let Some(fusion) = FusionOp::from_op(ctx, op) {
            self.fusion(ctx, fusion);
            return;
        }
        for (i, &r) in ctx.results(op).iter().enumerate() {
            let Some(declared) = TensorShape::of(ctx, ctx.value_type(r)) else { continue };
            let inferred = if i == 0 { self.infer(ctx, op, &declared.dims) } else { None };
            let dims = self.reconcile(r, &declared.dims, inferred);
            self.dims.insert(r, dims);
        }
    }

    fn fusion(&mut self, ctx: &Context, fusion: FusionOp) {
        let Some(body) = fusion.body(ctx) else { return };
        for (&arg, &input) in ctx.block_arguments(body).iter().zip(fusion.inputs(ctx)) {
            if let Some(d) = self.dims.get(&input).cloned() {
                self.dims.insert(arg, d);
            }
        }
        self.block(ctx, body);
        let yielded: Vec<Value> = fusion.yield_op(ctx).map(|y| y.values(ctx).to_vec()).unwrap_or_default();
        for (i, &r) in ctx.results(fusion.0).iter().enumerate() {
            let Some(declared) = TensorShape::of(ctx, ctx.value_type(r)) else { continue };
            let inferred = yielded.get(i).and_then(|v| self.dims.get(v)).cloned();
            let dims = self.reconcile(r, &declared.dims, inferred);
            self.dims.insert(r, dims);
        }
    }

    /// Combines what the type says with what the analysis derived: a static
    /// declared dim wins, then a derived one, then an opaque symbol.
    fn reconcile(&mut self, v: Value, declared: &[Dim], inferred: Option<Vec<SymDim>>) -> Vec<SymDim> {
        let inferred = inferred.filter(|d| d.len() == declared.len());
        declared
            .iter()
            .enumerate()
            .map(|(dim, d)| match (d, inferred.as_ref().map(|x| x[dim])) {
                (Some(n), _) => SymDim::Static(*n),
                (None, Some(s)) => s,
                (None, None) => self.intern(SymExpr::Opaque { value: v, dim }),
            })
            .collect()
    }

    /// The dims of the first result of `op` derived from its operands.
    fn infer(&mut self, ctx: &Context, op: OpId, declared: &[Dim]) -> Option<Vec<SymDim>> {
        let name = ctx.op_name(op);
        let info = ctx.op_info(op)?;
        if info.has(axir_ir::OpTraits::ELEMENTWISE) || unary_op(name).is_some() {
            let shapes: Option<Vec<Vec<SymDim>>> =
                (0..ctx.operands(op).len()).map(|i| self.operand_dims(ctx, op, i)).collect();
            return Some(self.broadcast_shapes(&shapes?));
        }
        match name {
            "array.broadcast" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let offset = declared.len().checked_sub(x.len())?;
                // A dynamic dim the operand does not have cannot be known
                // (the interpreter rejects it too): no inference at all.
                declared
                    .iter()
                    .enumerate()
                    .map(|(i, d)| match d {
                        Some(n) => Some(SymDim::Static(*n)),
                        None if i >= offset => Some(x[i - offset]),
                        None => None,
                    })
                    .collect()
            }
            "array.transpose" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let perm = i64_array_attr(ctx, op, "permutation")?;
                perm.iter().map(|&p| usize::try_from(p).ok().and_then(|p| x.get(p).copied())).collect()
            }
            "array.reduce" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let dims = i64_array_attr(ctx, op, "dims")?;
                let keep = ctx.attr(op, "keepdims").is_some();
                Some(
                    x.iter()
                        .enumerate()
                        .filter_map(|(i, &d)| match (dims.contains(&(i as i64)), keep) {
                            (false, _) => Some(d),
                            (true, true) => Some(SymDim::Static(1)),
                            (true, false) => None,
                        })
                        .collect(),
                )
            }
            "array.slice" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let specs = slice_specs(ctx, op)?;
                let mut out = Vec::with_capacity(x.len());
                for (i, &d) in x.iter().enumerate() {
                    let Some(s) = specs.get(i) else {
                        out.push(d);
                        continue;
                    };
                    let step = s.step.unwrap_or(1);
                    out.push(match d {
                        SymDim::Static(n) => SymDim::Static(slice_len(n, s.start, s.stop, step)),
                        _ if s.start.is_none() && s.stop.is_none() && step == 1 => d,
                        _ => self.intern(SymExpr::Slice { n: d, start: s.start, stop: s.stop, step }),
                    });
                }
                Some(out)
            }
            "array.concat" => {
                let dim = ctx.attr(op, "dim").and_then(|a| ctx.attr_as_int(a))? as usize;
                let all: Option<Vec<Vec<SymDim>>> =
                    (0..ctx.operands(op).len()).map(|i| self.operand_dims(ctx, op, i)).collect();
                let all = all?;
                let mut out = all.first()?.clone();
                for (d, slot) in out.iter_mut().enumerate() {
                    if d == dim {
                        let parts: Vec<SymDim> = all.iter().map(|s| s[d]).collect();
                        let statics: Option<Vec<u64>> = parts
                            .iter()
                            .map(|p| match p {
                                SymDim::Static(n) => Some(*n),
                                SymDim::Sym(_) => None,
                            })
                            .collect();
                        *slot = match statics {
                            Some(ns) => SymDim::Static(ns.iter().sum()),
                            None => self.intern(SymExpr::Sum(parts)),
                        };
                    } else if let Some(s) = all.iter().map(|s| s[d]).find(|s| matches!(s, SymDim::Static(_)))
                    {
                        *slot = s;
                    }
                }
                Some(out)
            }
            "array.reshape" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let dynamic = declared.iter().filter(|d| d.is_none()).count();
                if dynamic != 1 {
                    return None;
                }
                let divisor: u64 = declared.iter().flatten().product();
                let all_static: Option<u64> = x
                    .iter()
                    .map(|d| match d {
                        SymDim::Static(n) => Some(*n),
                        SymDim::Sym(_) => None,
                    })
                    .product();
                let q = match all_static {
                    Some(total) if divisor > 0 => SymDim::Static(total / divisor),
                    _ => self.intern(SymExpr::Quotient { dividend: x, divisor }),
                };
                Some(declared.iter().map(|d| d.map_or(q, SymDim::Static)).collect())
            }
            "array.matmul" => {
                let a = self.operand_dims(ctx, op, 0)?;
                let b = self.operand_dims(ctx, op, 1)?;
                let a2: Vec<SymDim> = if a.len() == 1 { vec![SymDim::Static(1), a[0]] } else { a.clone() };
                let b2: Vec<SymDim> = if b.len() == 1 { vec![b[0], SymDim::Static(1)] } else { b.clone() };
                if a2.len() < 2 || b2.len() < 2 {
                    return None;
                }
                let mut out =
                    self.broadcast_shapes(&[a2[..a2.len() - 2].to_vec(), b2[..b2.len() - 2].to_vec()]);
                if a.len() > 1 {
                    out.push(a2[a2.len() - 2]);
                }
                if b.len() > 1 {
                    out.push(b2[b2.len() - 1]);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_keeps_what_is_known() {
        let mut info = ShapeInfo::default();
        let a = info.intern(SymExpr::ArgDim { arg: 0, dim: 0 });
        let b = info.intern(SymExpr::ArgDim { arg: 1, dim: 0 });
        // Equal symbols stay; 1 stretches; a static n wins over a symbol.
        assert_eq!(info.broadcast_dim(a, a), a);
        assert_eq!(info.broadcast_dim(SymDim::Static(1), a), a);
        assert_eq!(info.broadcast_dim(a, SymDim::Static(8)), SymDim::Static(8));
        // Two unrelated symbols make one symbol, the same either way round.
        let ab = info.broadcast_dim(a, b);
        assert_eq!(info.broadcast_dim(b, a), ab);
        assert!(matches!(ab, SymDim::Sym(n) if info.expr(n) == Some(&SymExpr::Broadcast(a, b))));
    }
}
