//! `cse`: common subexpression elimination, scoped by dominance.
//!
//! Two ops are equivalent when they are registered `Pure`, have no regions
//! and no successors, and have the same name, attributes, result types and
//! operands (as a multiset for `Commutative` ops). An op is replaced by an
//! equivalent op that dominates it: an earlier op of its block, an op of a
//! dominating block, or an op of an enclosing region, except across an
//! `IsolatedFromAbove` op.
//!
//! **Read-only ops** (loads: [`MemoryEffects::READ`] and nothing else) are
//! merged too, as MLIR's CSE does, but only with an equivalent earlier op
//! of the same block and only when no op in between may write or free
//! memory (by [`effects_of`], so an op of unknown effects, a call, or a
//! loop whose body stores, counts as a write).
//!
//! Invariant: the table only holds ops that dominate the op being visited.
//! Blocks are visited in dominator-tree order and each block (and each
//! nested region) is a scope whose entries are dropped on exit; isolated
//! regions start from an empty table. Each op is hashed once: the pass is
//! linear in the size of the IR.

use axir_ir::effects::{effects_of, MemoryEffects};
use axir_ir::{BlockId, Context, OpId, OpTraits, RegionId, Value};
use axir_pass::{Pass, PassFailure, PassInfo};
use rustc_hash::{FxHashMap, FxHasher};
use smallvec::SmallVec;
use std::hash::{Hash, Hasher};

/// Eliminates common subexpressions (MLIR's `CSE`).
#[derive(Default)]
pub struct Cse {
    /// Ops replaced by an equivalent op in the last run.
    pub num_cse: u64,
    /// Trivially dead ops erased in the last run.
    pub num_dce: u64,
}

impl Cse {
    /// The registration of `cse`.
    pub fn info() -> PassInfo {
        PassInfo::new("cse", "Eliminate common sub-expressions", &[], |_| {
            Ok(Box::new(Cse::default()) as Box<dyn Pass>)
        })
    }
}

impl Pass for Cse {
    fn name(&self) -> &'static str {
        "cse"
    }

    fn display_name(&self) -> &'static str {
        "CSE"
    }

    fn description(&self) -> &'static str {
        "Eliminate common sub-expressions"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        let mut driver = Driver {
            ctx,
            table: FxHashMap::default(),
            scope_log: Vec::new(),
            to_erase: Vec::new(),
            num_cse: 0,
            num_dce: 0,
        };
        let regions: SmallVec<[RegionId; 2]> = driver.ctx.regions(op).into();
        for r in regions {
            driver.simplify_region(r);
        }
        for dead in std::mem::take(&mut driver.to_erase) {
            if driver.ctx.is_op_alive(dead) {
                driver.ctx.erase_op(dead);
            }
        }
        self.num_cse = driver.num_cse;
        self.num_dce = driver.num_dce;
        Ok(())
    }
}

struct Driver<'c> {
    ctx: &'c mut Context,
    /// Structural hash -> ops with that hash, innermost scope last.
    table: FxHashMap<u64, SmallVec<[OpId; 1]>>,
    /// Every insertion, in order, so a scope can be popped.
    scope_log: Vec<(u64, OpId)>,
    to_erase: Vec<OpId>,
    num_cse: u64,
    num_dce: u64,
}

impl Driver<'_> {
    fn pop_scope(&mut self, mark: usize) {
        while self.scope_log.len() > mark {
            let Some((hash, _)) = self.scope_log.pop() else { break };
            if let Some(list) = self.table.get_mut(&hash) {
                list.pop();
                if list.is_empty() {
                    self.table.remove(&hash);
                }
            }
        }
    }

    fn simplify_region(&mut self, region: RegionId) {
        let blocks: SmallVec<[BlockId; 4]> = self.ctx.region_blocks(region).into();
        match blocks.as_slice() {
            [] => {}
            [single] => {
                let mark = self.scope_log.len();
                self.simplify_block(*single);
                self.pop_scope(mark);
            }
            _ => self.simplify_cfg_region(region, &blocks),
        }
    }

    /// Visits the blocks of a multi-block region in dominator-tree order;
    /// unreachable blocks get their own scopes.
    fn simplify_cfg_region(&mut self, region: RegionId, blocks: &[BlockId]) {
        let tree = DomTree::compute(self.ctx, region, blocks);
        let mut stack: Vec<(usize, Option<usize>)> = vec![(0, None)];
        while let Some((node, mark)) = stack.pop() {
            if let Some(mark) = mark {
                self.pop_scope(mark);
                continue;
            }
            let mark = self.scope_log.len();
            self.simplify_block(tree.order[node]);
            stack.push((node, Some(mark)));
            for &child in tree.children[node].iter().rev() {
                stack.push((child, None));
            }
        }
        for &b in blocks {
            if !tree.index.contains_key(&b) {
                let mark = self.scope_log.len();
                self.simplify_block(b);
                self.pop_scope(mark);
            }
        }
    }

    fn simplify_block(&mut self, block: BlockId) {
        let ops = self.ctx.block_ops(block);
        // The read-only ops seen since the last op that may write memory.
        let mut reads: FxHashMap<u64, SmallVec<[OpId; 1]>> = FxHashMap::default();
        for op in ops {
            if !self.ctx.is_op_alive(op) {
                continue;
            }
            let regions: SmallVec<[RegionId; 2]> = self.ctx.regions(op).into();
            if !regions.is_empty() {
                let isolated = self.ctx.op_info(op).is_some_and(|i| i.has(OpTraits::ISOLATED_FROM_ABOVE));
                // An isolated region cannot use what dominates it from
                // outside: it starts with an empty table.
                let saved =
                    isolated.then(|| (std::mem::take(&mut self.table), std::mem::take(&mut self.scope_log)));
                for r in regions {
                    self.simplify_region(r);
                }
                if let Some((table, log)) = saved {
                    self.table = table;
                    self.scope_log = log;
                }
            }
            if !self.simplify_effects(op, &mut reads) {
                self.simplify_op(op);
            }
        }
    }

    /// Handles an op that is not `Pure`: an op that may write memory ends
    /// the merging of reads; a read-only op is merged with an equivalent
    /// one in `reads`, or recorded there. Returns false for a `Pure` op,
    /// which [`Self::simplify_op`] handles.
    fn simplify_effects(&mut self, op: OpId, reads: &mut FxHashMap<u64, SmallVec<[OpId; 1]>>) -> bool {
        let ctx = &*self.ctx;
        if ctx.op_info(op).is_some_and(|i| i.has(OpTraits::PURE)) {
            return false;
        }
        let effects = effects_of(ctx, op);
        if effects.may_write() {
            reads.clear();
            return true;
        }
        let mergeable = effects == MemoryEffects::READ
            && ctx.regions(op).is_empty()
            && ctx.successors(op).is_empty()
            && !ctx.results(op).is_empty()
            && !ctx.op_info(op).is_some_and(|i| i.has(OpTraits::TERMINATOR));
        if !mergeable {
            return true;
        }
        let hash = structural_hash(ctx, op, false);
        let existing =
            reads.get(&hash).and_then(|list| list.iter().copied().find(|&e| equivalent(ctx, e, op, false)));
        match existing {
            Some(e) => self.replace(op, e),
            None => reads.entry(hash).or_default().push(op),
        }
        true
    }

    /// Replaces the results of `op` by those of its equivalent `existing`,
    /// and erases `op` at the end of the pass.
    fn replace(&mut self, op: OpId, existing: OpId) {
        let results: SmallVec<[Value; 2]> = self.ctx.results(op).into();
        for (i, r) in results.into_iter().enumerate() {
            let to = self.ctx.result(existing, i);
            self.ctx.replace_all_uses(r, to);
        }
        self.to_erase.push(op);
        self.num_cse += 1;
    }

    fn simplify_op(&mut self, op: OpId) {
        let ctx = &*self.ctx;
        let Some(info) = ctx.op_info(op) else { return };
        let traits = info.traits;
        if !traits.contains(OpTraits::PURE) || traits.contains(OpTraits::TERMINATOR) {
            return;
        }
        if !ctx.regions(op).is_empty() || !ctx.successors(op).is_empty() {
            return;
        }
        if !traits.contains(OpTraits::SYMBOL) && ctx.results(op).iter().all(|&r| ctx.is_unused(r)) {
            self.to_erase.push(op);
            self.num_dce += 1;
            return;
        }
        let commutative = traits.contains(OpTraits::COMMUTATIVE);
        let hash = structural_hash(ctx, op, commutative);
        let existing = self
            .table
            .get(&hash)
            .and_then(|list| list.iter().rev().copied().find(|&e| equivalent(ctx, e, op, commutative)));
        match existing {
            Some(e) => self.replace(op, e),
            None => {
                self.table.entry(hash).or_default().push(op);
                self.scope_log.push((hash, op));
            }
        }
    }
}

/// Operands in the order used for hashing and comparison: sorted for
/// commutative ops, so that `add(a, b)` and `add(b, a)` agree.
fn key_operands(ctx: &Context, op: OpId, commutative: bool) -> SmallVec<[Value; 4]> {
    let mut operands: SmallVec<[Value; 4]> = ctx.operands(op).into();
    if commutative {
        operands.sort_unstable();
    }
    operands
}

fn structural_hash(ctx: &Context, op: OpId, commutative: bool) -> u64 {
    let mut h = FxHasher::default();
    ctx.op(op).name.hash(&mut h);
    for a in ctx.attrs(op) {
        a.name.hash(&mut h);
        a.value.hash(&mut h);
    }
    for &r in ctx.results(op) {
        ctx.value_type(r).hash(&mut h);
    }
    key_operands(ctx, op, commutative).hash(&mut h);
    h.finish()
}

fn equivalent(ctx: &Context, a: OpId, b: OpId, commutative: bool) -> bool {
    ctx.op(a).name == ctx.op(b).name
        && ctx.attrs(a) == ctx.attrs(b)
        && ctx.results(a).len() == ctx.results(b).len()
        && ctx.results(a).iter().zip(ctx.results(b)).all(|(&x, &y)| ctx.value_type(x) == ctx.value_type(y))
        && key_operands(ctx, a, commutative) == key_operands(ctx, b, commutative)
}

/// The dominator tree of the reachable blocks of a region (Cooper, Harvey
/// and Kennedy's iterative algorithm over reverse post-order).
struct DomTree {
    /// Reachable blocks in reverse post-order; index 0 is the entry.
    order: Vec<BlockId>,
    index: FxHashMap<BlockId, usize>,
    children: Vec<Vec<usize>>,
}

impl DomTree {
    fn compute(ctx: &Context, region: RegionId, blocks: &[BlockId]) -> Self {
        let successors = |b: BlockId| -> SmallVec<[BlockId; 2]> {
            ctx.last_op(b)
                .map(|t| {
                    ctx.successors(t)
                        .iter()
                        .copied()
                        .filter(|&s| ctx.is_block_alive(s) && ctx.block_parent_region(s) == Some(region))
                        .collect()
                })
                .unwrap_or_default()
        };
        // Post-order by an explicit DFS, then reversed.
        let mut post = Vec::new();
        let mut visited: FxHashMap<BlockId, ()> = FxHashMap::default();
        let mut stack: Vec<(BlockId, SmallVec<[BlockId; 2]>, usize)> = Vec::new();
        let entry = blocks[0];
        visited.insert(entry, ());
        stack.push((entry, successors(entry), 0));
        while let Some(top) = stack.last_mut() {
            if top.2 < top.1.len() {
                let s = top.1[top.2];
                top.2 += 1;
                if visited.insert(s, ()).is_none() {
                    let succ = successors(s);
                    stack.push((s, succ, 0));
                }
            } else {
                post.push(top.0);
                stack.pop();
            }
        }
        let order: Vec<BlockId> = post.into_iter().rev().collect();
        let index: FxHashMap<BlockId, usize> = order.iter().enumerate().map(|(i, &b)| (b, i)).collect();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
        for (i, &b) in order.iter().enumerate() {
            for s in successors(b) {
                if let Some(&j) = index.get(&s) {
                    preds[j].push(i);
                }
            }
        }
        let mut idom: Vec<Option<usize>> = vec![None; order.len()];
        idom[0] = Some(0);
        let mut changed = true;
        while changed {
            changed = false;
            for b in 1..order.len() {
                let mut new: Option<usize> = None;
                for &p in &preds[b] {
                    if idom[p].is_none() {
                        continue;
                    }
                    new = Some(match new {
                        None => p,
                        Some(n) => intersect(&idom, p, n),
                    });
                }
                if new.is_some() && idom[b] != new {
                    idom[b] = new;
                    changed = true;
                }
            }
        }
        let mut children = vec![Vec::new(); order.len()];
        for (b, d) in idom.iter().enumerate().skip(1) {
            if let Some(d) = d {
                children[*d].push(b);
            }
        }
        Self { order, index, children }
    }
}

fn intersect(idom: &[Option<usize>], mut a: usize, mut b: usize) -> usize {
    while a != b {
        while a > b {
            a = idom[a].unwrap_or(0);
        }
        while b > a {
            b = idom[b].unwrap_or(0);
        }
    }
    a
}
