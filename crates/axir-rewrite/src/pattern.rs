//! Rewrite patterns and the rewriter they edit IR through.
//!
//! A pattern matches one op and rewrites it through a [`PatternRewriter`],
//! which records every op it creates, modifies or erases, so drivers can keep
//! their worklists exact without scanning the IR again.

use axir_ir::{Context, InsertPoint, OpId, OperationState, Value};
use rustc_hash::FxHashMap;

/// A rewrite of one op.
///
/// Its doc comment states the identity it applies, e.g.
/// `/// addi(x, 0) -> x`. It returns `false` when it changes nothing, so that
/// drivers converge.
pub trait RewritePattern: Send + Sync {
    /// A short name for debugging and statistics.
    fn name(&self) -> &'static str;
    /// The op name this pattern applies to; `None` means any op.
    fn root(&self) -> Option<&'static str>;
    /// Higher benefit patterns are tried first.
    fn benefit(&self) -> u16 {
        1
    }
    /// Tries to rewrite `op`; returns whether the IR changed. A pattern that
    /// returns `false` must not have changed anything.
    fn match_and_rewrite(&self, op: OpId, rewriter: &mut PatternRewriter<'_>) -> bool;
}

/// An ordered collection of patterns.
#[derive(Default)]
pub struct RewritePatternSet {
    patterns: Vec<Box<dyn RewritePattern>>,
}

impl RewritePatternSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pattern.
    pub fn add(&mut self, pattern: impl RewritePattern + 'static) {
        self.patterns.push(Box::new(pattern));
    }

    /// Adds a boxed pattern.
    pub fn add_boxed(&mut self, pattern: Box<dyn RewritePattern>) {
        self.patterns.push(pattern);
    }

    /// The patterns, in insertion order.
    pub fn patterns(&self) -> &[Box<dyn RewritePattern>] {
        &self.patterns
    }

    /// Takes the patterns out.
    pub fn into_patterns(self) -> Vec<Box<dyn RewritePattern>> {
        self.patterns
    }

    /// Keeps only the patterns for which `keep` returns true (used by the
    /// `disable-patterns`/`enable-patterns` options of `canonicalize`).
    pub fn retain(&mut self, mut keep: impl FnMut(&dyn RewritePattern) -> bool) {
        self.patterns.retain(|p| keep(p.as_ref()));
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// The per-op interface through which a dialect contributes canonicalization
/// patterns: attach it with `OpInfo::interface(CanonicalizationPatterns { .. })`.
/// The `canonicalize` pass collects these from every registered op.
#[derive(Copy, Clone)]
pub struct CanonicalizationPatterns {
    /// Adds the op's canonicalization patterns to the set.
    pub populate: fn(&mut RewritePatternSet),
}

/// A pattern set indexed for matching: by root op name, highest benefit
/// first, with ties kept in insertion order so that matching is deterministic.
pub struct FrozenPatternSet {
    patterns: Vec<Box<dyn RewritePattern>>,
    by_root: FxHashMap<&'static str, Vec<u32>>,
    any_root: Vec<u32>,
}

impl FrozenPatternSet {
    /// Indexes `set`.
    pub fn new(set: RewritePatternSet) -> Self {
        let patterns = set.into_patterns();
        let mut by_root: FxHashMap<&'static str, Vec<u32>> = FxHashMap::default();
        let mut any_root = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match p.root() {
                Some(name) => by_root.entry(name).or_default().push(i as u32),
                None => any_root.push(i as u32),
            }
        }
        let by_benefit =
            |list: &mut Vec<u32>| list.sort_by_key(|&i| std::cmp::Reverse(patterns[i as usize].benefit()));
        for list in by_root.values_mut() {
            by_benefit(list);
        }
        by_benefit(&mut any_root);
        Self { patterns, by_root, any_root }
    }

    /// Indices of the patterns to try on an op named `name`, in the order to
    /// try them: those rooted at `name` merged with the any-op patterns, by
    /// decreasing benefit (stable sort, so sorted by insertion on ties).
    pub fn indices_for(&self, name: &str) -> Vec<u32> {
        let mut out: Vec<u32> = self.by_root.get(name).map(|v| v.to_vec()).unwrap_or_default();
        if !self.any_root.is_empty() {
            out.extend_from_slice(&self.any_root);
            out.sort_by_key(|&i| (std::cmp::Reverse(self.patterns[i as usize].benefit()), i));
        }
        out
    }

    /// The pattern at `index` (as returned by [`FrozenPatternSet::indices_for`]).
    pub fn pattern(&self, index: u32) -> &dyn RewritePattern {
        self.patterns[index as usize].as_ref()
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

impl From<RewritePatternSet> for FrozenPatternSet {
    fn from(set: RewritePatternSet) -> Self {
        Self::new(set)
    }
}

/// What a rewriter did, for the driver's worklist.
#[derive(Default, Debug)]
pub struct RewriteLog {
    /// Ops created (and inserted) by the rewrite.
    pub created: Vec<OpId>,
    /// Ops changed in place (operands, attributes).
    pub modified: Vec<OpId>,
    /// Ops erased.
    pub erased: Vec<OpId>,
    /// Ops whose operands were replaced because a value they used was
    /// replaced; their definitions may now fold.
    pub users_changed: Vec<OpId>,
    /// Ops that defined an operand of an erased op: with one use fewer they
    /// may have become dead.
    pub operand_defs: Vec<OpId>,
}

/// Edits IR on behalf of a pattern and logs each edit for the driver.
///
/// It dereferences to [`Context`] for queries and type/attribute
/// construction; structural edits must go through its own methods so the
/// log stays complete.
pub struct PatternRewriter<'c> {
    ctx: &'c mut Context,
    insert_point: Option<InsertPoint>,
    log: RewriteLog,
}

impl<'c> PatternRewriter<'c> {
    /// A rewriter over `ctx` with no insertion point.
    pub fn new(ctx: &'c mut Context) -> Self {
        Self { ctx, insert_point: None, log: RewriteLog::default() }
    }

    /// The underlying context, for edits the rewriter does not log
    /// (attaching attributes to ops just created, for instance).
    pub fn ctx(&mut self) -> &mut Context {
        self.ctx
    }

    /// Sets where new ops go.
    pub fn set_insert_point(&mut self, ip: InsertPoint) {
        self.insert_point = Some(ip);
    }

    /// New ops go just before `op`.
    pub fn set_insert_point_before(&mut self, op: OpId) {
        self.insert_point = Some(InsertPoint::Before(op));
    }

    /// Creates and inserts an op at the insertion point.
    pub fn create(&mut self, state: OperationState) -> OpId {
        let op = self.ctx.create_op(state);
        self.insert(op)
    }

    /// Inserts a detached op at the insertion point (after ops inserted so far).
    pub fn insert(&mut self, op: OpId) -> OpId {
        if let Some(ip) = self.insert_point {
            self.ctx.insert_op(ip, op);
            self.insert_point = Some(ip.after_inserting(op));
        }
        self.log.created.push(op);
        op
    }

    /// Replaces every use of each result of `op` with the matching value and
    /// erases `op`.
    pub fn replace_op(&mut self, op: OpId, values: &[Value]) {
        for &r in self.ctx.results(op).to_vec().iter() {
            for u in self.ctx.uses(r) {
                self.log.users_changed.push(u.op);
            }
        }
        self.log_operand_defs(op);
        self.ctx.replace_op(op, values);
        self.log.erased.push(op);
    }

    /// Creates an op before `op` and replaces `op` with its results.
    pub fn replace_op_with_new(&mut self, op: OpId, state: OperationState) -> OpId {
        self.set_insert_point_before(op);
        let new = self.create(state);
        let results = self.ctx.results(new).to_vec();
        self.replace_op(op, &results);
        new
    }

    /// Replaces all uses of `from` with `to`.
    pub fn replace_all_uses(&mut self, from: Value, to: Value) {
        for u in self.ctx.uses(from) {
            self.log.users_changed.push(u.op);
        }
        self.ctx.replace_all_uses(from, to);
    }

    /// Erases an op whose results are unused.
    pub fn erase_op(&mut self, op: OpId) {
        self.log_operand_defs(op);
        self.ctx.erase_op(op);
        self.log.erased.push(op);
    }

    /// Runs `f` to edit `op` in place (operands, attributes) and logs it.
    pub fn modify_in_place(&mut self, op: OpId, f: impl FnOnce(&mut Context)) {
        f(self.ctx);
        self.log.modified.push(op);
    }

    fn log_operand_defs(&mut self, op: OpId) {
        let defs = self.ctx.operands(op).iter().filter_map(|&v| self.ctx.defining_op(v));
        self.log.operand_defs.extend(defs);
    }

    /// The current insertion point.
    pub fn insert_point(&self) -> Option<InsertPoint> {
        self.insert_point
    }

    /// Takes the log of edits made so far.
    pub fn take_log(&mut self) -> RewriteLog {
        std::mem::take(&mut self.log)
    }
}

impl std::ops::Deref for PatternRewriter<'_> {
    type Target = Context;
    fn deref(&self) -> &Context {
        self.ctx
    }
}

impl std::ops::DerefMut for PatternRewriter<'_> {
    fn deref_mut(&mut self) -> &mut Context {
        self.ctx
    }
}
