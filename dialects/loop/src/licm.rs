//! Loop-invariant code motion out of `loop.for` and `loop.parallel`: the
//! `loop-invariant-code-motion` pass, and the same hoisting as a
//! canonicalization pattern.
//!
//! An op of a loop body moves to just before the loop when every operand is
//! defined outside the loop (or by an op already hoisted) and it has no
//! region, and:
//! - it is `Pure` and cannot trap (integer division and remainder can: a
//!   zero divisor is undefined behaviour), or
//! - it is read-only (see [`crate::effects`]), or `Pure` but may trap, and
//!   **the loop body contains no op that may write or free memory** (no
//!   store, copy, dealloc, call or unknown op) **and the loop runs at least
//!   once** (constant bounds): a load hoisted out of a loop that runs zero
//!   times would read memory the program never reads, perhaps out of bounds.
//!
//! Loops are processed innermost first, so an op climbs out of every loop it
//! does not depend on.

use crate::effects::{effects_of, MemoryEffects};
use crate::memref::constant_index;
use axir_ir::{Context, InsertPoint, OpId, OpTraits, Value, ValueDef};
use axir_pass::{Pass, PassFailure, PassInfo};
use rustc_hash::FxHashSet;

/// Integer ops whose result is undefined for some operands (a zero divisor,
/// `INT_MIN / -1`): never executed speculatively.
const MAY_TRAP: &[&str] = &[
    "arith.divsi",
    "arith.divui",
    "arith.remsi",
    "arith.remui",
    "arith.floordivsi",
    "arith.ceildivsi",
    "arith.ceildivui",
];

/// Whether `name` is one of the loop ops LICM works on.
pub fn is_loop(name: &str) -> bool {
    matches!(name, "loop.for" | "loop.parallel")
}

/// Whether `v` is defined inside `loop_op` (by a nested op or as a block
/// argument of one of its regions).
fn defined_inside(ctx: &Context, loop_op: OpId, v: Value) -> bool {
    match ctx.value_def(v) {
        ValueDef::OpResult { op, .. } => op != loop_op && ctx.is_ancestor(loop_op, op),
        ValueDef::BlockArgument { block, .. } => {
            ctx.block_parent_op(block).is_some_and(|p| ctx.is_ancestor(loop_op, p))
        }
    }
}

/// Whether the loop runs at least once: all its bounds and steps are
/// constants and every dim has a lower bound below its upper bound.
pub fn runs_at_least_once(ctx: &Context, loop_op: OpId) -> bool {
    let n = match ctx.op_name(loop_op) {
        "loop.for" => 1,
        "loop.parallel" => crate::ops::parallel_rank(ctx, loop_op),
        _ => return false,
    };
    let operands = ctx.operands(loop_op);
    if operands.len() < 3 * n || n == 0 {
        return false;
    }
    (0..n).all(|d| {
        let lb = constant_index(ctx, operands[d]);
        let ub = constant_index(ctx, operands[n + d]);
        let step = constant_index(ctx, operands[2 * n + d]);
        matches!((lb, ub, step), (Some(l), Some(u), Some(s)) if l < u && s > 0)
    })
}

/// The ops of `loop_op`'s body that can move before it, in body order (so
/// moving them in this order keeps every definition before its uses).
pub fn invariant_ops(ctx: &Context, loop_op: OpId) -> Vec<OpId> {
    let Some(block) = ctx.regions(loop_op).first().and_then(|r| ctx.entry_block(*r)) else {
        return Vec::new();
    };
    // Computed lazily: most bodies have nothing that needs them.
    let mut speculation_ok: Option<bool> = None;
    let mut hoisted: FxHashSet<OpId> = FxHashSet::default();
    let mut out = Vec::new();
    for op in ctx.block_ops_iter(block) {
        let Some(info) = ctx.op_info(op) else { continue };
        if info.has(OpTraits::TERMINATOR) || !ctx.regions(op).is_empty() {
            continue;
        }
        let invariant = ctx.operands(op).iter().all(|&v| {
            !defined_inside(ctx, loop_op, v) || ctx.defining_op(v).is_some_and(|d| hoisted.contains(&d))
        });
        if !invariant {
            continue;
        }
        let pure = info.has(OpTraits::PURE);
        let read_only = info.interfaces.get::<MemoryEffects>().is_some_and(|e| e.is_read_only());
        let needs_guard = (pure && MAY_TRAP.contains(&info.name)) || (!pure && read_only);
        let ok = if pure && !needs_guard {
            true
        } else if needs_guard {
            *speculation_ok.get_or_insert_with(|| {
                runs_at_least_once(ctx, loop_op) && !effects_of(ctx, loop_op).may_write()
            })
        } else {
            false
        };
        if ok {
            hoisted.insert(op);
            out.push(op);
        }
    }
    out
}

/// Hoists the invariant ops of every loop nested in `root` (innermost
/// first); returns how many ops moved.
pub fn hoist_invariants_in(ctx: &mut Context, root: OpId) -> usize {
    let mut moved = 0;
    for op in ctx.walk_post_order(root) {
        if !ctx.is_op_alive(op) || !is_loop(ctx.op_name(op)) {
            continue;
        }
        for inv in invariant_ops(ctx, op) {
            ctx.move_op(inv, InsertPoint::Before(op));
            moved += 1;
        }
    }
    moved
}

/// Moves loop-invariant ops out of `loop.for` and `loop.parallel`
/// (MLIR's `loop-invariant-code-motion`).
#[derive(Default)]
pub struct LoopInvariantCodeMotion {
    /// Ops moved in the last run.
    pub num_moved: usize,
}

impl LoopInvariantCodeMotion {
    /// The registration of `loop-invariant-code-motion`.
    pub fn info() -> PassInfo {
        PassInfo::new(
            "loop-invariant-code-motion",
            "Hoist loop invariant instructions outside of the loop",
            &[],
            |_| Ok(Box::new(LoopInvariantCodeMotion::default()) as Box<dyn Pass>),
        )
    }
}

impl Pass for LoopInvariantCodeMotion {
    fn name(&self) -> &'static str {
        "loop-invariant-code-motion"
    }

    fn display_name(&self) -> &'static str {
        "LoopInvariantCodeMotion"
    }

    fn description(&self) -> &'static str {
        "Hoist loop invariant instructions outside of the loop"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        self.num_moved = hoist_invariants_in(ctx, op);
        tracing::debug!(moved = self.num_moved, "loop-invariant-code-motion");
        Ok(())
    }
}
