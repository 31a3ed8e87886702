//! Canonicalization patterns of `loop.for`, `loop.parallel` and `loop.assert`. Each
//! pattern's doc comment states the identity it applies. None changes what
//! the program computes: folding a loop away needs constant bounds, and
//! hoisting follows the rules of [`crate::licm`].

use crate::licm::invariant_ops;
use crate::memref::constant_index;
use crate::ops::{parallel_rank, parallel_reductions};
use axir_ir::{InsertPoint, OpId, OperationState, Value};
use axir_rewrite::{PatternRewriter, RewritePattern, RewritePatternSet};

/// The static trip count of dim `d` of a loop with `n` dims, when its
/// bounds and step are constants (and the step is positive).
fn trip_count(rw: &PatternRewriter<'_>, op: OpId, n: usize, d: usize) -> Option<i64> {
    let operands = rw.operands(op);
    let lb = constant_index(rw, *operands.get(d)?)?;
    let ub = constant_index(rw, *operands.get(n + d)?)?;
    let step = constant_index(rw, *operands.get(2 * n + d)?)?;
    if step <= 0 {
        return None;
    }
    if ub <= lb {
        return Some(0);
    }
    // ceil((ub - lb) / step) without overflow.
    let span = i128::from(ub) - i128::from(lb);
    i64::try_from((span + i128::from(step) - 1) / i128::from(step)).ok()
}

/// Moves the body of `op` (a single block ending in `loop.yield`) before
/// `op`, its arguments replaced by `args`; returns the yielded values, or
/// `None` (changing nothing) when the body is not of that shape.
fn inline_body(rw: &mut PatternRewriter<'_>, op: OpId, args: &[Value]) -> Option<Vec<Value>> {
    let block = rw.regions(op).first().and_then(|r| rw.entry_block(*r))?;
    let terminator = rw.last_op(block).filter(|&t| rw.op_name(t) == "loop.yield")?;
    let params = rw.block_arguments(block).to_vec();
    if params.len() != args.len() {
        return None;
    }
    for (p, a) in params.iter().zip(args) {
        rw.replace_all_uses(*p, *a);
    }
    let yielded = rw.operands(terminator).to_vec();
    for inner in rw.block_ops(block) {
        if inner != terminator {
            rw.modify_in_place(inner, |ctx| ctx.move_op(inner, InsertPoint::Before(op)));
        }
    }
    Some(yielded)
}

/// `loop.for` that runs zero times -> its init values.
pub struct ForZeroTrip;

impl RewritePattern for ForZeroTrip {
    fn name(&self) -> &'static str {
        "loop-for-zero-trip"
    }
    fn root(&self) -> Option<&'static str> {
        Some("loop.for")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        if trip_count(rw, op, 1, 0) != Some(0) {
            return false;
        }
        let inits = rw.operands(op)[3..].to_vec();
        rw.replace_op(op, &inits);
        true
    }
}

/// `loop.for` that runs once -> its body, with the induction variable
/// replaced by the lower bound and the iter_args by the inits; the results
/// are the yielded values.
pub struct ForSingleIteration;

impl RewritePattern for ForSingleIteration {
    fn name(&self) -> &'static str {
        "loop-for-single-iteration"
    }
    fn root(&self) -> Option<&'static str> {
        Some("loop.for")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        if trip_count(rw, op, 1, 0) != Some(1) {
            return false;
        }
        let operands = rw.operands(op).to_vec();
        let mut args = vec![operands[0]];
        args.extend_from_slice(&operands[3..]);
        let Some(yielded) = inline_body(rw, op, &args) else { return false };
        rw.replace_op(op, &yielded);
        true
    }
}

/// `loop.parallel` with a dim that runs zero times -> its init values.
pub struct ParallelZeroTrip;

impl RewritePattern for ParallelZeroTrip {
    fn name(&self) -> &'static str {
        "loop-parallel-zero-trip"
    }
    fn root(&self) -> Option<&'static str> {
        Some("loop.parallel")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let n = parallel_rank(rw, op);
        if !(0..n).any(|d| trip_count(rw, op, n, d) == Some(0)) {
            return false;
        }
        let Some(inits) = rw.operands(op).get(3 * n..).map(<[Value]>::to_vec) else { return false };
        if inits.len() != rw.results(op).len() {
            return false;
        }
        rw.replace_op(op, &inits);
        true
    }
}

/// `loop.parallel` whose every dim runs once -> its body with the induction
/// variables replaced by the lower bounds; result `i` is `init_i ⊕ yielded_i`
/// with reduction `i`'s op.
pub struct ParallelSingleIteration;

impl RewritePattern for ParallelSingleIteration {
    fn name(&self) -> &'static str {
        "loop-parallel-single-iteration"
    }
    fn root(&self) -> Option<&'static str> {
        Some("loop.parallel")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let n = parallel_rank(rw, op);
        if n == 0 || !(0..n).all(|d| trip_count(rw, op, n, d) == Some(1)) {
            return false;
        }
        let Some(kinds) = parallel_reductions(rw, op) else { return false };
        let Some(kinds) = kinds.into_iter().collect::<Option<Vec<_>>>() else { return false };
        let operands = rw.operands(op).to_vec();
        let inits = operands[3 * n..].to_vec();
        if kinds.len() != inits.len() || inits.len() != rw.results(op).len() {
            return false;
        }
        let Some(yielded) = inline_body(rw, op, &operands[..n]) else { return false };
        let loc = rw.op_location(op);
        let mut results = Vec::with_capacity(inits.len());
        rw.set_insert_point_before(op);
        for ((kind, init), partial) in kinds.iter().zip(&inits).zip(&yielded) {
            let ty = rw.value_type(*init);
            let name = rw.ident(kind.op_name());
            let combine = rw
                .create(OperationState::new(name, loc).with_operands(&[*init, *partial]).with_results(&[ty]));
            results.push(rw.result(combine, 0));
        }
        rw.replace_op(op, &results);
        true
    }
}

/// `loop { invariant; body }` -> `invariant; loop { body }` (see [`crate::licm`]).
pub struct HoistLoopInvariants {
    root: &'static str,
}

impl RewritePattern for HoistLoopInvariants {
    fn name(&self) -> &'static str {
        "loop-invariant-code-motion"
    }
    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let ops = invariant_ops(rw, op);
        for &inner in &ops {
            rw.modify_in_place(inner, |ctx| ctx.move_op(inner, InsertPoint::Before(op)));
        }
        !ops.is_empty()
    }
}

/// Per-op hook: `loop.for` patterns.
pub fn populate_for(set: &mut RewritePatternSet) {
    set.add(ForZeroTrip);
    set.add(ForSingleIteration);
    set.add(HoistLoopInvariants { root: "loop.for" });
}

/// Per-op hook: `loop.parallel` patterns.
pub fn populate_parallel(set: &mut RewritePatternSet) {
    set.add(ParallelZeroTrip);
    set.add(ParallelSingleIteration);
    set.add(HoistLoopInvariants { root: "loop.parallel" });
}

/// Adds every canonicalization pattern of the loop dialect.
pub fn populate_canonicalization_patterns(set: &mut RewritePatternSet) {
    populate_for(set);
    populate_parallel(set);
    populate_assert(set);
}

/// `loop.assert` of a constant true condition -> nothing (it cannot fail).
pub struct AssertAlwaysHolds;

impl RewritePattern for AssertAlwaysHolds {
    fn name(&self) -> &'static str {
        "loop-assert-always-holds"
    }
    fn root(&self) -> Option<&'static str> {
        Some("loop.assert")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(&cond) = rw.operands(op).first() else { return false };
        if constant_index(rw, cond).is_none_or(|c| c == 0) {
            return false;
        }
        rw.erase_op(op);
        true
    }
}

/// Per-op hook: `loop.assert` patterns.
pub fn populate_assert(set: &mut RewritePatternSet) {
    set.add(AssertAlwaysHolds);
}
