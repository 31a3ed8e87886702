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
//!
//! It also collects the [`ShapeCheck`]s: the conditions on run-time sizes
//! that numpy's rules impose and the types leave open (two dynamic dims
//! that must broadcast, a contraction, a reshape's element count, a
//! reduction without identity over a dim that may be empty). The verifier
//! has already decided every condition on static dims; compiled code must
//! check these before it touches memory, or it would read out of bounds.

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

/// A condition on run-time sizes that must hold for the op to be defined.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ShapeCheck {
    /// numpy broadcasting of two dims: `a == b || a == 1 || b == 1`.
    Broadcast(SymDim, SymDim),
    /// `array.broadcast` stretching dim `from` to `to`: `from == to || from == 1`.
    BroadcastTo {
        /// The operand's dim.
        from: SymDim,
        /// The result's dim.
        to: SymDim,
    },
    /// Equal sizes: `a == b` (contracted dims, a concatenation's other dims).
    Equal(SymDim, SymDim),
    /// Dim `dim` of the result, derived as `inferred`, is `declared` as the
    /// type says.
    Declared {
        /// The result dim.
        dim: usize,
        /// What the operands make it.
        inferred: SymDim,
        /// What the type says.
        declared: u64,
    },
    /// A reshape's `?`: the product of `dims` is a multiple of `divisor`
    /// (never, when `divisor` is 0).
    Divisible {
        /// The operand's dims.
        dims: Vec<SymDim>,
        /// The product of the result's static dims.
        divisor: u64,
    },
    /// A reshape to a static shape: the product of `dims` is `count`.
    ElementCount {
        /// The operand's dims.
        dims: Vec<SymDim>,
        /// The result's element count.
        count: u64,
    },
    /// A reduction without identity: the product of the reduced `dims` is
    /// not 0.
    NonEmpty(Vec<SymDim>),
}

/// A [`ShapeCheck`] and the op whose meaning needs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RunTimeCheck {
    /// The op (inside an `array.fusion` body, the op there).
    pub op: OpId,
    /// The condition.
    pub check: ShapeCheck,
}

/// The symbolic dims of every ranked tensor value of one function.
#[derive(Clone, Debug, Default)]
pub struct ShapeInfo {
    exprs: Vec<SymExpr>,
    interned: FxHashMap<SymExpr, u32>,
    dims: FxHashMap<Value, Vec<SymDim>>,
    checks: Vec<RunTimeCheck>,
    seen_checks: rustc_hash::FxHashSet<ShapeCheck>,
    /// The op being analyzed, which owns the checks found now.
    current: Option<OpId>,
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

    /// The run-time checks the function needs, in program order, each
    /// condition once (the first op that needs it owns it).
    pub fn checks(&self) -> &[RunTimeCheck] {
        &self.checks
    }

    /// Records `check` for the current op, unless it holds whatever the
    /// sizes or an earlier op checks it already.
    fn require(&mut self, check: ShapeCheck) {
        let decided = match &check {
            ShapeCheck::Broadcast(a, b) => a == b || a.is_one() || b.is_one() || both_static(*a, *b),
            ShapeCheck::BroadcastTo { from, to } => from == to || from.is_one() || both_static(*from, *to),
            ShapeCheck::Equal(a, b) => a == b || both_static(*a, *b),
            ShapeCheck::Declared { inferred, .. } => matches!(inferred, SymDim::Static(_)),
            ShapeCheck::Divisible { dims, .. }
            | ShapeCheck::ElementCount { dims, .. }
            | ShapeCheck::NonEmpty(dims) => dims.iter().all(|d| matches!(d, SymDim::Static(_))),
        };
        let Some(op) = self.current else { return };
        if decided || !self.seen_checks.insert(check.clone()) {
            return;
        }
        self.checks.push(RunTimeCheck { op, check });
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

    /// numpy broadcasting of two dims of operands of one elementwise op
    /// (recording the run-time check it needs).
    pub fn broadcast_dim(&mut self, a: SymDim, b: SymDim) -> SymDim {
        // broadcast(broadcast(x, y), y) is broadcast(x, y), and holds
        // wherever the inner one does: no new symbol, no new check.
        if self.broadcast_of(a, b) {
            return a;
        }
        if self.broadcast_of(b, a) {
            return b;
        }
        self.require(ShapeCheck::Broadcast(a.min(b), a.max(b)));
        match (a, b) {
            _ if a == b => a,
            (SymDim::Static(1), x) | (x, SymDim::Static(1)) => x,
            // The verifier inferred n: the other side is 1 or n in every run.
            (SymDim::Static(n), SymDim::Sym(_)) | (SymDim::Sym(_), SymDim::Static(n)) => SymDim::Static(n),
            (SymDim::Static(_), SymDim::Static(_)) => a,
            (x, y) => self.intern(SymExpr::Broadcast(x.min(y), x.max(y))),
        }
    }

    /// Whether `ab` is the broadcast of `c` and some other dim.
    fn broadcast_of(&self, ab: SymDim, c: SymDim) -> bool {
        let SymDim::Sym(n) = ab else { return false };
        matches!(self.expr(n), Some(SymExpr::Broadcast(x, y)) if *x == c || *y == c)
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
        self.current = Some(op);
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
        self.current = Some(fusion.0);
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
                (Some(n), Some(s)) => {
                    self.require(ShapeCheck::Declared { dim, inferred: s, declared: *n });
                    SymDim::Static(*n)
                }
                (Some(n), None) => SymDim::Static(*n),
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
                for (i, d) in declared.iter().enumerate().skip(offset) {
                    if let Some(n) = d {
                        self.require(ShapeCheck::BroadcastTo { from: x[i - offset], to: SymDim::Static(*n) });
                    }
                }
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
                let kind = ctx.attr(op, "kind").and_then(|a| ctx.attr_as_str(a));
                if matches!(kind, Some("max" | "min" | "argmax" | "argmin")) {
                    let reduced: Vec<SymDim> = dims
                        .iter()
                        .filter_map(|&d| usize::try_from(d).ok().and_then(|d| x.get(d)).copied())
                        .collect();
                    self.require(ShapeCheck::NonEmpty(reduced));
                }
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
                    } else {
                        for other in &all[1..] {
                            self.require(ShapeCheck::Equal(all[0][d], other[d]));
                        }
                        if let Some(s) = all.iter().map(|s| s[d]).find(|s| matches!(s, SymDim::Static(_))) {
                            *slot = s;
                        }
                    }
                }
                Some(out)
            }
            "array.reshape" => {
                let x = self.operand_dims(ctx, op, 0)?;
                let dynamic = declared.iter().filter(|d| d.is_none()).count();
                let divisor: u64 = declared.iter().flatten().product();
                if dynamic == 0 {
                    self.require(ShapeCheck::ElementCount { dims: x, count: divisor });
                    return None;
                }
                if dynamic != 1 {
                    return None;
                }
                self.require(ShapeCheck::Divisible { dims: x.clone(), divisor });
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
                self.require(ShapeCheck::Equal(a2[a2.len() - 1], b2[b2.len() - 2]));
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

fn both_static(a: SymDim, b: SymDim) -> bool {
    matches!((a, b), (SymDim::Static(_), SymDim::Static(_)))
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
        // Broadcasting the result with either side again changes nothing.
        assert_eq!(info.broadcast_dim(ab, b), ab);
        assert_eq!(info.broadcast_dim(a, ab), ab);
        assert!(matches!(ab, SymDim::Sym(n) if info.expr(n) == Some(&SymExpr::Broadcast(a, b))));
    }
}
