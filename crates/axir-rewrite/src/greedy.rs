//! The greedy pattern driver: applies patterns and folders until nothing
//! changes, like MLIR's `applyPatternsGreedily`.
//!
//! Policy (also in `docs/passes.md`):
//! - An op is visited from a worklist. A trivially dead op (registered,
//!   `Pure`, not a terminator nor a symbol, every result unused) is erased.
//!   A constant-like op is merged with an equal constant of its scope, or
//!   hoisted to the start of the scope's entry block. Any other op is folded
//!   through its `OpInfo::fold`; otherwise the patterns rooted at its name
//!   (and the any-op patterns) are tried by decreasing benefit until one
//!   applies.
//! - After a change, the ops the rewriter logged (created, modified, users
//!   of replaced values, definitions of erased operands) go back on the
//!   worklist.
//! - One *iteration* fills the worklist with every op under the root and
//!   drains it. Iterations repeat until one changes nothing (converged), or
//!   `max_iterations` is reached, or `max_rewrites` is exceeded.
//! - **The driver always terminates.** Each iteration may apply at most
//!   `4 * ops + 1024` folds and pattern rewrites (ops counted when the
//!   iteration starts); past that it ends early and the next iteration starts
//!   over. Patterns that undo each other therefore exhaust `max_iterations`
//!   and the driver returns a [`ConvergenceError`] naming them, located at the
//!   last op they rewrote.

use crate::error::{ConvergenceError, NonConvergence};
use crate::folder::{constant_value, ConstantRequest, ConstantTable, KnownConstant};
use crate::pattern::{FrozenPatternSet, PatternRewriter, RewriteLog};
use axir_ir::{
    Attribute, Context, Diagnostic, FoldFn, FoldResult, Handle, Ident, Location, OpId, OpTraits, Value,
};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// How the greedy driver runs.
#[derive(Clone, Debug)]
pub struct GreedyConfig {
    /// Maximum number of iterations over the whole IR (at least 1 is run).
    pub max_iterations: u32,
    /// Maximum number of folds and pattern rewrites in total; `None` for no
    /// limit other than the per-iteration budget.
    pub max_rewrites: Option<u64>,
    /// Visit ops in pre-order (definitions before uses) when filling the
    /// worklist; otherwise in post-order.
    pub top_down: bool,
    /// Fold ops and deduplicate/hoist constants.
    pub fold: bool,
}

impl Default for GreedyConfig {
    fn default() -> Self {
        Self { max_iterations: 10, max_rewrites: None, top_down: true, fold: true }
    }
}

/// What a greedy run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GreedyStats {
    /// Iterations run, the last (non-changing) one included.
    pub iterations: u32,
    /// Successful pattern applications.
    pub pattern_rewrites: u64,
    /// Ops replaced by their folded values.
    pub folds: u64,
    /// Trivially dead ops erased.
    pub dead_ops_erased: u64,
    /// Constants merged into an equal constant of their scope.
    pub constants_merged: u64,
    /// Whether the IR changed at all.
    pub changed: bool,
}

/// Applies `patterns` and folding to every op nested under `root` (not
/// `root` itself) until a fixed point; see the module docs for the policy.
///
/// On `Err` the IR is valid but not at a fixed point.
pub fn apply_patterns_greedily(
    ctx: &mut Context,
    root: OpId,
    patterns: &FrozenPatternSet,
    config: &GreedyConfig,
) -> Result<GreedyStats, ConvergenceError> {
    let mut driver = Driver {
        ctx,
        root,
        patterns,
        config,
        worklist: Worklist::default(),
        constants: ConstantTable::default(),
        pattern_cache: FxHashMap::default(),
        stats: GreedyStats::default(),
        total_changes: 0,
        last_change: None,
        recent: FxHashMap::default(),
    };
    driver.run()
}

/// A LIFO worklist without duplicates. Entries of erased ops are skipped;
/// a slot reused by a new op does not hide that op (membership is keyed by
/// the full handle, generation included).
#[derive(Default)]
struct Worklist {
    stack: Vec<OpId>,
    member: Vec<Option<OpId>>,
}

impl Worklist {
    fn push(&mut self, op: OpId) {
        let i = op.index();
        if i >= self.member.len() {
            self.member.resize(i + 1, None);
        }
        if self.member[i] == Some(op) {
            return;
        }
        self.member[i] = Some(op);
        self.stack.push(op);
    }

    fn pop(&mut self) -> Option<OpId> {
        while let Some(op) = self.stack.pop() {
            let slot = &mut self.member[op.index()];
            if *slot == Some(op) {
                *slot = None;
                return Some(op);
            }
        }
        None
    }

    fn clear(&mut self) {
        while self.pop().is_some() {}
    }

    fn len(&self) -> usize {
        self.stack.len()
    }
}

/// Who made a change, for the non-convergence report.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ChangeKind {
    Pattern(&'static str),
    Fold,
    DeadCode,
    ConstantMerge,
}

impl ChangeKind {
    fn describe(self) -> String {
        match self {
            ChangeKind::Pattern(name) => format!("pattern '{name}'"),
            ChangeKind::Fold => "folding".to_string(),
            ChangeKind::DeadCode => "dead code elimination".to_string(),
            ChangeKind::ConstantMerge => "constant merging".to_string(),
        }
    }
}

struct Driver<'a, 'c> {
    ctx: &'c mut Context,
    root: OpId,
    patterns: &'a FrozenPatternSet,
    config: &'a GreedyConfig,
    worklist: Worklist,
    constants: ConstantTable,
    pattern_cache: FxHashMap<Ident, Box<[u32]>>,
    stats: GreedyStats,
    total_changes: u64,
    /// Where the IR last changed, to locate a non-convergence report.
    last_change: Option<Location>,
    /// Changes in the current iteration by who made them, for the
    /// non-convergence report.
    recent: FxHashMap<ChangeKind, u64>,
}

impl Driver<'_, '_> {
    fn run(&mut self) -> Result<GreedyStats, ConvergenceError> {
        let max_iterations = self.config.max_iterations.max(1);
        loop {
            self.stats.iterations += 1;
            self.recent.clear();
            self.fill_worklist();
            let budget = 4 * self.worklist.len() as u64 + 1024;
            let changed = self.drain(budget)?;
            if !changed {
                return Ok(self.stats.clone());
            }
            self.stats.changed = true;
            if self.stats.iterations >= max_iterations {
                return Err(self.non_convergence(NonConvergence::MaxIterations(max_iterations)));
            }
        }
    }

    fn fill_worklist(&mut self) {
        self.worklist.clear();
        let mut ops =
            if self.config.top_down { self.ctx.walk(self.root) } else { self.ctx.walk_post_order(self.root) };
        ops.retain(|&op| op != self.root);
        // The worklist is a stack: push in reverse so the first op pops first.
        for &op in ops.iter().rev() {
            self.worklist.push(op);
        }
    }

    /// Drains the worklist; returns whether anything changed.
    fn drain(&mut self, budget: u64) -> Result<bool, ConvergenceError> {
        let mut changed = false;
        let mut changes_this_iteration = 0u64;
        while let Some(op) = self.worklist.pop() {
            if !self.ctx.is_op_alive(op) {
                continue;
            }
            match self.process(op) {
                Step::Unchanged => {}
                Step::Cleaned => changed = true,
                Step::Rewritten => {
                    changed = true;
                    changes_this_iteration += 1;
                    self.total_changes += 1;
                    if let Some(limit) = self.config.max_rewrites {
                        if self.total_changes >= limit && self.worklist.len() > 0 {
                            return Err(self.non_convergence(NonConvergence::MaxRewrites(limit)));
                        }
                    }
                    if changes_this_iteration >= budget {
                        // Invariant: an iteration is bounded; the next one
                        // revisits everything anyway.
                        tracing::debug!(budget, "greedy iteration budget exhausted");
                        self.worklist.clear();
                    }
                }
            }
        }
        Ok(changed)
    }

    fn process(&mut self, op: OpId) -> Step {
        let info = self.ctx.op_info(op).map(|i| (i.traits, i.fold, i.dialect()));
        if let Some((traits, _, _)) = info {
            if self.is_trivially_dead(op, traits) {
                self.note_change(op, ChangeKind::DeadCode);
                self.erase_dead(op);
                return Step::Cleaned;
            }
        }
        if self.config.fold {
            if let Some((traits, fold, dialect)) = info {
                if traits.contains(OpTraits::CONSTANT_LIKE) {
                    // Folding a constant would give back the same constant:
                    // constants are only merged and hoisted.
                    let mut users = Vec::new();
                    let location = self.ctx.op_location(op);
                    let outcome = self.constants.insert_known(self.ctx, self.root, op, &mut users);
                    if outcome == KnownConstant::Merged {
                        self.last_change = Some(location);
                        *self.recent.entry(ChangeKind::ConstantMerge).or_default() += 1;
                        self.stats.constants_merged += 1;
                        for u in users {
                            self.push(u);
                        }
                        return Step::Cleaned;
                    }
                } else if let Some(fold) = fold {
                    if self.try_fold(op, fold, dialect) {
                        return Step::Rewritten;
                    }
                }
            }
        }
        self.try_patterns(op)
    }

    fn is_trivially_dead(&self, op: OpId, traits: OpTraits) -> bool {
        traits.contains(OpTraits::PURE)
            && !traits.contains(OpTraits::TERMINATOR)
            && !traits.contains(OpTraits::SYMBOL)
            && op != self.root
            && self.ctx.results(op).iter().all(|&r| self.ctx.is_unused(r))
    }

    fn erase_dead(&mut self, op: OpId) {
        let defs: SmallVec<[OpId; 4]> =
            self.ctx.operands(op).iter().filter_map(|&v| self.ctx.defining_op(v)).collect();
        self.ctx.erase_op(op);
        self.stats.dead_ops_erased += 1;
        for d in defs {
            self.push_if_inside(d);
        }
    }

    fn try_fold(&mut self, op: OpId, fold: FoldFn, dialect: &'static str) -> bool {
        let operands: SmallVec<[Option<Attribute>; 4]> =
            self.ctx.operands(op).iter().map(|&v| constant_value(self.ctx, v)).collect();
        let Some(folded) = fold(self.ctx, op, &operands) else { return false };
        let results: SmallVec<[Value; 2]> = self.ctx.results(op).into();
        if folded.len() != results.len() {
            tracing::warn!(op = self.ctx.op_name(op), "folder returned a wrong number of results; ignored");
            return false;
        }
        // A folder answering with the op's own results means "updated in
        // place" in MLIR; ours cannot edit, so that is "no change". Any other
        // reference to an own result cannot be a replacement.
        if folded.iter().any(|r| matches!(r, FoldResult::Value(v) if results.contains(v))) {
            return false;
        }
        let location = self.ctx.op_location(op);
        let mut values: SmallVec<[Value; 2]> = SmallVec::new();
        let mut new_constants: SmallVec<[OpId; 2]> = SmallVec::new();
        let mut failed = false;
        for (r, &old) in folded.iter().zip(&results) {
            let v = match *r {
                FoldResult::Value(v) if self.ctx.is_value_alive(v) => Some(v),
                FoldResult::Value(_) => None,
                FoldResult::Attribute(value) => {
                    let ty = self.ctx.value_type(old);
                    let request = ConstantRequest { root: self.root, op, dialect, value, ty, location };
                    self.constants.get_or_create(self.ctx, request).map(|(v, is_new)| {
                        if is_new {
                            new_constants.extend(self.ctx.defining_op(v));
                        }
                        v
                    })
                }
            };
            match v {
                Some(v) if self.ctx.value_type(v) == self.ctx.value_type(old) => values.push(v),
                _ => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            // Invariant: a dropped fold leaves no new constant behind, or the
            // next iteration would erase it as dead and fold again, forever.
            for c in new_constants {
                if self.ctx.is_op_alive(c) && self.ctx.results(c).iter().all(|&r| self.ctx.is_unused(r)) {
                    self.ctx.erase_op(c);
                }
            }
            return false;
        }
        let mut touched: SmallVec<[OpId; 8]> = SmallVec::new();
        for &r in &results {
            touched.extend(self.ctx.uses(r).iter().map(|u| u.op));
        }
        let defs: SmallVec<[OpId; 4]> =
            self.ctx.operands(op).iter().filter_map(|&v| self.ctx.defining_op(v)).collect();
        self.note_change(op, ChangeKind::Fold);
        self.ctx.replace_op(op, &values);
        self.stats.folds += 1;
        for u in touched {
            self.push(u);
        }
        for d in defs {
            self.push_if_inside(d);
        }
        for v in values {
            if let Some(d) = self.ctx.defining_op(v) {
                self.push_if_inside(d);
            }
        }
        true
    }

    fn try_patterns(&mut self, op: OpId) -> Step {
        if self.patterns.is_empty() {
            return Step::Unchanged;
        }
        let name = self.ctx.op(op).name;
        let indices = match self.pattern_cache.get(&name) {
            Some(list) => list.clone(),
            None => {
                let list: Box<[u32]> = self.patterns.indices_for(self.ctx.ident_str(name)).into();
                self.pattern_cache.insert(name, list.clone());
                list
            }
        };
        for &index in indices.iter() {
            let pattern = self.patterns.pattern(index);
            let location = self.ctx.op_location(op);
            let mut rewriter = PatternRewriter::new(self.ctx);
            rewriter.set_insert_point_before(op);
            let applied = pattern.match_and_rewrite(op, &mut rewriter);
            let log = rewriter.take_log();
            if applied {
                self.stats.pattern_rewrites += 1;
                self.last_change = Some(location);
                *self.recent.entry(ChangeKind::Pattern(pattern.name())).or_default() += 1;
                self.requeue(op, log);
                return Step::Rewritten;
            }
            if !log.created.is_empty() || !log.erased.is_empty() || !log.modified.is_empty() {
                // Counted as a rewrite so that a pattern that keeps doing
                // this still exhausts the budget.
                tracing::warn!(pattern = pattern.name(), "pattern changed the IR but reported no change");
                self.last_change = Some(location);
                *self.recent.entry(ChangeKind::Pattern(pattern.name())).or_default() += 1;
                self.requeue(op, log);
                return Step::Rewritten;
            }
        }
        Step::Unchanged
    }

    fn requeue(&mut self, op: OpId, log: RewriteLog) {
        for created in log.created {
            if self.ctx.is_op_alive(created) {
                for nested in self.ctx.walk(created) {
                    self.push(nested);
                }
            }
        }
        for o in log.modified.into_iter().chain(log.users_changed) {
            self.push(o);
        }
        for d in log.operand_defs {
            self.push_if_inside(d);
        }
        self.push(op);
    }

    fn note_change(&mut self, op: OpId, by: ChangeKind) {
        self.last_change = Some(self.ctx.op_location(op));
        *self.recent.entry(by).or_default() += 1;
    }

    /// Queues an op known to be under the root (or erased: skipped later).
    fn push(&mut self, op: OpId) {
        if op != self.root && self.ctx.is_op_alive(op) {
            self.worklist.push(op);
        }
    }

    /// Queues an op that may lie outside the root (the definition of an
    /// operand), only if it is under the root.
    fn push_if_inside(&mut self, op: OpId) {
        if op != self.root && self.ctx.is_op_alive(op) && self.ctx.is_ancestor(self.root, op) {
            self.worklist.push(op);
        }
    }

    fn non_convergence(&self, reason: NonConvergence) -> ConvergenceError {
        let location = self.last_change.unwrap_or(self.ctx.op_location(self.root));
        let message = match reason {
            NonConvergence::MaxIterations(n) => {
                format!("greedy pattern rewriting did not converge after {n} iteration{}", plural(n as u64))
            }
            NonConvergence::MaxRewrites(n) => {
                format!("greedy pattern rewriting stopped after the maximum of {n} rewrite{}", plural(n))
            }
        };
        let mut diagnostic = Diagnostic::error(location, message);
        let mut recent: Vec<(ChangeKind, u64)> = self.recent.iter().map(|(k, v)| (*k, *v)).collect();
        recent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if !recent.is_empty() {
            let list: Vec<String> =
                recent.iter().map(|(by, n)| format!("{} ({n} time{})", by.describe(), plural(*n))).collect();
            diagnostic = diagnostic.with_note(
                location,
                format!("still changing the IR in the last iteration: {}", list.join(", ")),
            );
        }
        ConvergenceError { reason, stats: self.stats.clone(), diagnostic }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The outcome of visiting one op.
enum Step {
    Unchanged,
    /// Dead-op erasure or constant merging: changes that only shrink the IR,
    /// so they do not count against the budgets.
    Cleaned,
    /// A fold or a pattern rewrite.
    Rewritten,
}
