//! The conversion driver: legalizes ops with conversion patterns, then
//! commits or rolls back.
//!
//! Algorithm (MLIR's, restricted to 1:1 type conversions):
//! 1. The ops nested under the root (not the root itself) are collected in
//!    pre-order and legalized one by one. A legal op is left alone. Any other
//!    op is offered to the patterns rooted at its name (then the any-op
//!    patterns) by decreasing benefit. A pattern applies when it returns
//!    `true`, replaced or updated its root, and every op it created can in
//!    turn be legalized (recursively; a pattern is never applied to ops it
//!    produced itself). Otherwise its edits are rolled back and the next
//!    pattern is tried.
//! 2. An op no pattern legalizes is an error in a full conversion, and in a
//!    partial conversion when the target marks it illegal.
//! 3. If no op failed, values that remain in use after their op was replaced
//!    are rewired to their replacements, through a source materialization
//!    when the types differ, and the replaced ops are erased.
//!
//! **On failure the IR is left exactly as it was**: every edit is journaled
//! and undone, and every failing op is reported.

use super::rewriter::{
    ConversionPattern, ConversionPatternSet, ConversionRewriter, ConversionState, Entry, OpAdaptor,
};
use super::target::{ConversionTarget, Legality};
use super::type_converter::{MaterializationFn, TypeConverter};
use axir_ir::{Context, Diagnostic, InsertPoint, Location, OpBuilder, OpId, Type, Value, ValueDef};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

/// Options of a conversion.
#[derive(Clone, Copy)]
pub struct ConversionConfig<'a> {
    /// Converts operand types for the adaptors and provides
    /// materializations; without one, adaptor operands keep their types.
    pub type_converter: Option<&'a TypeConverter>,
    /// How deep patterns may legalize the ops created by other patterns.
    pub max_depth: u32,
}

impl Default for ConversionConfig<'_> {
    fn default() -> Self {
        Self { type_converter: None, max_depth: 32 }
    }
}

/// What a successful conversion did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversionStats {
    /// Patterns applied (and kept).
    pub patterns_applied: u64,
    /// Ops replaced or erased.
    pub ops_replaced: u64,
    /// In-place updates of ops.
    pub ops_modified: u64,
    /// Materializations inserted.
    pub materializations: u64,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Mode {
    Partial,
    Full,
}

/// Legalizes the ops nested under `root`, allowing ops that are not
/// explicitly illegal to remain. On failure the IR is unchanged and every
/// op that could not be legalized is reported.
pub fn apply_partial_conversion(
    ctx: &mut Context,
    root: OpId,
    target: &ConversionTarget,
    patterns: &ConversionPatternSet,
    config: ConversionConfig<'_>,
) -> Result<ConversionStats, Vec<Diagnostic>> {
    Converter::new(ctx, target, patterns, config, Mode::Partial).run(root)
}

/// Legalizes every op nested under `root`: an op that is not legal after
/// the conversion is an error. On failure the IR is unchanged.
pub fn apply_full_conversion(
    ctx: &mut Context,
    root: OpId,
    target: &ConversionTarget,
    patterns: &ConversionPatternSet,
    config: ConversionConfig<'_>,
) -> Result<ConversionStats, Vec<Diagnostic>> {
    Converter::new(ctx, target, patterns, config, Mode::Full).run(root)
}

struct Converter<'a, 'c> {
    ctx: &'c mut Context,
    target: &'a ConversionTarget,
    patterns: &'a [Box<dyn ConversionPattern>],
    by_root: FxHashMap<&'static str, Vec<u32>>,
    any_root: Vec<u32>,
    config: ConversionConfig<'a>,
    mode: Mode,
    state: ConversionState,
    stats: ConversionStats,
}

/// Which hooks a materialization uses.
#[derive(Copy, Clone)]
enum Direction {
    /// Unconverted value to converted type (for adaptors).
    Target,
    /// Converted value back to the original type (for remaining users).
    Source,
}

impl<'a, 'c> Converter<'a, 'c> {
    fn new(
        ctx: &'c mut Context,
        target: &'a ConversionTarget,
        patterns: &'a ConversionPatternSet,
        config: ConversionConfig<'a>,
        mode: Mode,
    ) -> Self {
        let patterns = patterns.patterns();
        let mut by_root: FxHashMap<&'static str, Vec<u32>> = FxHashMap::default();
        let mut any_root = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match p.root() {
                Some(name) => by_root.entry(name).or_default().push(i as u32),
                None => any_root.push(i as u32),
            }
        }
        Self {
            ctx,
            target,
            patterns,
            by_root,
            any_root,
            config,
            mode,
            state: ConversionState::default(),
            stats: ConversionStats::default(),
        }
    }

    fn run(mut self, root: OpId) -> Result<ConversionStats, Vec<Diagnostic>> {
        let ops = self.ctx.walk(root);
        let mut diags = Vec::new();
        let mut stack = Vec::new();
        for op in ops.into_iter().filter(|&op| op != root) {
            if !self.ctx.is_op_alive(op) || self.state.is_dead(self.ctx, op) {
                continue;
            }
            if self.legalize(op, 0, &mut stack) {
                continue;
            }
            let name = self.ctx.op_name(op).to_string();
            let location = self.ctx.op_location(op);
            match self.mode {
                Mode::Full => {
                    diags.push(Diagnostic::error(location, format!("failed to legalize operation '{name}'")))
                }
                Mode::Partial => {
                    if self.target.legality(self.ctx, op) == Legality::Illegal {
                        diags.push(Diagnostic::error(
                            location,
                            format!(
                                "failed to legalize operation '{name}' that was explicitly marked illegal"
                            ),
                        ));
                    }
                }
            }
        }
        if diags.is_empty() {
            match self.prepare_commit() {
                Ok(plan) => {
                    self.commit(plan);
                    return Ok(self.stats);
                }
                Err(mut d) => diags.append(&mut d),
            }
        }
        self.state.rollback(self.ctx, 0);
        Err(diags)
    }

    fn indices_for(&self, name: &str) -> Vec<u32> {
        let mut out: Vec<u32> = self.by_root.get(name).cloned().unwrap_or_default();
        out.extend_from_slice(&self.any_root);
        out.sort_by_key(|&i| (std::cmp::Reverse(self.patterns[i as usize].benefit()), i));
        out
    }

    /// Legalizes `op`; on failure, nothing is left changed.
    fn legalize(&mut self, op: OpId, depth: u32, stack: &mut Vec<u32>) -> bool {
        if self.target.legality(self.ctx, op) == Legality::Legal {
            return true;
        }
        if depth > self.config.max_depth {
            tracing::debug!(op = self.ctx.op_name(op), "conversion recursion limit reached");
            return false;
        }
        let candidates = self.indices_for(self.ctx.op_name(op));
        for index in candidates {
            if stack.contains(&index) {
                continue;
            }
            let checkpoint = self.state.journal.len();
            if self.try_pattern(op, index, depth, stack) {
                self.stats.patterns_applied += 1;
                return true;
            }
            self.state.rollback(self.ctx, checkpoint);
        }
        false
    }

    /// Applies one pattern to `op` and legalizes what it produced. On
    /// `false` the caller rolls back.
    fn try_pattern(&mut self, op: OpId, index: u32, depth: u32, stack: &mut Vec<u32>) -> bool {
        let pattern = self.patterns[index as usize].as_ref();
        let checkpoint = self.state.journal.len();
        let Some(adaptor) = self.adaptor(op) else {
            tracing::debug!(pattern = pattern.name(), "operand types cannot be converted");
            return false;
        };
        let applied = {
            let mut rewriter = ConversionRewriter {
                ctx: self.ctx,
                state: &mut self.state,
                type_converter: self.config.type_converter,
                insert_point: Some(InsertPoint::Before(op)),
            };
            pattern.match_and_rewrite(op, &adaptor, &mut rewriter)
        };
        if let Some(misuse) = self.state.misuse.take() {
            tracing::warn!(pattern = pattern.name(), "{misuse}");
            return false;
        }
        if !applied {
            return false;
        }
        let replaced = self.state.replaced.contains(&op);
        let updated = self.state.journal[checkpoint..]
            .iter()
            .any(|e| matches!(e, Entry::Modify { op: o, .. } if *o == op));
        if !replaced && !updated {
            tracing::warn!(
                pattern = pattern.name(),
                "conversion pattern neither replaced nor updated its root"
            );
            return false;
        }
        let created: Vec<OpId> = self.state.journal[checkpoint..]
            .iter()
            .filter_map(|e| match e {
                Entry::CreateOp(o) => Some(*o),
                _ => None,
            })
            .collect();
        stack.push(index);
        let mut ok = true;
        for new in created {
            if self.ctx.is_op_alive(new)
                && !self.state.is_dead(self.ctx, new)
                && !self.legalize(new, depth + 1, stack)
            {
                tracing::debug!(
                    pattern = pattern.name(),
                    op = self.ctx.op_name(new),
                    "failed to legalize an operation the pattern created"
                );
                ok = false;
                break;
            }
        }
        if ok && !replaced && self.ctx.is_op_alive(op) {
            ok = self.legalize(op, depth + 1, stack);
        }
        stack.pop();
        ok
    }

    /// The converted operands of `op`, or `None` when an operand type
    /// cannot be converted or materialized.
    fn adaptor(&mut self, op: OpId) -> Option<OpAdaptor> {
        let operands: SmallVec<[Value; 4]> = self.ctx.operands(op).into();
        let location = self.ctx.op_location(op);
        let mut adaptor = OpAdaptor::default();
        for v in operands {
            let mut mapped = self.state.lookup(v);
            if let Some(tc) = self.config.type_converter {
                let ty = self.ctx.value_type(mapped);
                let converted = tc.convert_type(self.ctx, ty)?;
                if converted != ty {
                    mapped = self.materialize(mapped, converted, Direction::Target, location)?;
                }
            }
            adaptor.operands.push(mapped);
        }
        Some(adaptor)
    }

    /// A value of type `ty` standing for `input`, built by the type
    /// converter's materializations right after `input` is defined (so it
    /// can be shared by every later use).
    fn materialize(
        &mut self,
        input: Value,
        ty: Type,
        direction: Direction,
        location: Location,
    ) -> Option<Value> {
        let key = (input, ty);
        if let Some(&v) = self.state.materialized.get(&key) {
            if self.ctx.is_value_alive(v) {
                return Some(v);
            }
        }
        let tc = self.config.type_converter?;
        let hooks: &[MaterializationFn] = match direction {
            Direction::Target => tc.target_materializations(),
            Direction::Source => tc.source_materializations(),
        };
        let (block, after) = match self.ctx.value_def(input) {
            ValueDef::OpResult { op, .. } => (self.ctx.parent_block(op)?, Some(op)),
            ValueDef::BlockArgument { block, .. } => (block, None),
        };
        for hook in hooks.iter().rev() {
            let ip = match after {
                Some(op) => InsertPoint::After(op),
                None => InsertPoint::BlockStart(block),
            };
            let stop = match after {
                Some(op) => self.ctx.next_op(op),
                None => self.ctx.first_op(block),
            };
            let result = {
                let mut builder = OpBuilder::at(self.ctx, ip);
                hook(&mut builder, ty, input, location)
            };
            let mut made = Vec::new();
            let mut cur = match after {
                Some(op) => self.ctx.next_op(op),
                None => self.ctx.first_op(block),
            };
            while let Some(o) = cur {
                if Some(o) == stop {
                    break;
                }
                made.push(o);
                cur = self.ctx.next_op(o);
            }
            match result {
                Some(v) if self.ctx.is_value_alive(v) && self.ctx.value_type(v) == ty => {
                    for o in made {
                        self.state.materializations.insert(o);
                        self.state.journal.push(Entry::CreateMaterialization(o));
                    }
                    self.state.materialized.insert(key, v);
                    self.state.journal.push(Entry::Materialize { key });
                    self.stats.materializations += 1;
                    return Some(v);
                }
                _ => {
                    for &o in made.iter().rev() {
                        self.ctx.drop_all_uses_in(o);
                        self.ctx.erase_op(o);
                    }
                }
            }
        }
        None
    }

    /// Builds the materializations the commit needs; nothing irreversible
    /// happens here, so a failure can still roll back.
    fn prepare_commit(&mut self) -> Result<CommitPlan, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut plan = CommitPlan::default();
        let replaced: Vec<(OpId, SmallVec<[Value; 2]>)> = self
            .state
            .journal
            .iter()
            .filter_map(|e| match e {
                Entry::Replace { op, results } => Some((*op, results.clone())),
                _ => None,
            })
            .collect();
        for (op, results) in replaced {
            for (i, r) in results.into_iter().enumerate() {
                let Some(user) = self.live_users(r).first().copied() else { continue };
                let to = self.state.lookup(r);
                let to_is_dead = to == r
                    || self.ctx.defining_op(to).is_some_and(|d| self.state.is_dead(self.ctx, d))
                    || !self.ctx.is_value_alive(to);
                let old_ty = self.ctx.value_type(r);
                let resolved = if to_is_dead {
                    None
                } else if self.ctx.value_type(to) == old_ty {
                    Some(to)
                } else {
                    self.materialize(to, old_ty, Direction::Source, self.ctx.op_location(op))
                };
                match resolved {
                    Some(v) => plan.rewire_all.push((r, v)),
                    None => diags.push(
                        Diagnostic::error(
                            self.ctx.op_location(op),
                            format!(
                                "failed to materialize conversion for result #{i} of operation '{}' that remained live after conversion",
                                self.ctx.op_name(op)
                            ),
                        )
                        .with_note(
                            self.ctx.op_location(user),
                            format!("see existing live user here: '{}'", self.ctx.op_name(user)),
                        ),
                    ),
                }
            }
        }
        let mut seen = FxHashSet::default();
        let retyped: Vec<(Value, Type)> = self
            .state
            .journal
            .iter()
            .filter_map(|e| match e {
                Entry::Retype { value, old } => Some((*value, *old)),
                _ => None,
            })
            .collect();
        for (value, old) in retyped {
            // The first journal entry of a value holds its original type.
            if !seen.insert(value) || !self.ctx.is_value_alive(value) || self.ctx.value_type(value) == old {
                continue;
            }
            let stale: Vec<(OpId, u32)> = self
                .ctx
                .uses(value)
                .iter()
                .filter(|u| {
                    !self.state.is_dead(self.ctx, u.op)
                        && !self.state.created.contains(&u.op)
                        && !self.state.materializations.contains(&u.op)
                        && !self.state.modified.contains_key(&u.op)
                })
                .map(|u| (u.op, u.operand))
                .collect();
            let Some(&(user, _)) = stale.first() else { continue };
            let location = self.ctx.value_location(value);
            match self.materialize(value, old, Direction::Source, location) {
                Some(m) => plan.rewire_uses.extend(stale.into_iter().map(|(o, i)| (o, i, m))),
                None => {
                    let what = match self.ctx.value_def(value) {
                        ValueDef::BlockArgument { index, .. } => format!("block argument #{index}"),
                        ValueDef::OpResult { index, op } => {
                            format!("result #{index} of operation '{}'", self.ctx.op_name(op))
                        }
                    };
                    diags.push(
                        Diagnostic::error(
                            location,
                            format!(
                                "failed to materialize conversion for {what} that remained live after conversion, type was '{}', with target type '{}'",
                                self.ctx.display_type(old),
                                self.ctx.display_type(self.ctx.value_type(value))
                            ),
                        )
                        .with_note(
                            self.ctx.op_location(user),
                            format!("see existing live user here: '{}'", self.ctx.op_name(user)),
                        ),
                    );
                }
            }
        }
        if diags.is_empty() {
            Ok(plan)
        } else {
            Err(diags)
        }
    }

    fn live_users(&self, v: Value) -> SmallVec<[OpId; 4]> {
        self.ctx.uses(v).iter().map(|u| u.op).filter(|&o| !self.state.is_dead(self.ctx, o)).collect()
    }

    /// Rewires remaining uses and erases replaced ops. Cannot fail.
    fn commit(&mut self, plan: CommitPlan) {
        for (from, to) in plan.rewire_all {
            self.ctx.replace_all_uses(from, to);
        }
        for (op, index, to) in plan.rewire_uses {
            if self.ctx.is_op_alive(op) {
                self.ctx.set_operand(op, index as usize, to);
            }
        }
        let dead: Vec<OpId> = self.state.replaced.iter().copied().collect();
        // Dead ops may use each other's results: drop every operand first.
        for &op in &dead {
            if self.ctx.is_op_alive(op) {
                self.ctx.drop_all_uses_in(op);
            }
        }
        for &op in &dead {
            if self.ctx.is_op_alive(op) {
                self.ctx.erase_op(op);
            }
        }
        self.stats.ops_replaced = dead.len() as u64;
        self.stats.ops_modified =
            self.state.journal.iter().filter(|e| matches!(e, Entry::Modify { .. })).count() as u64;
    }
}

/// The rewiring a commit performs.
#[derive(Default)]
struct CommitPlan {
    /// Every use of the first value goes to the second.
    rewire_all: Vec<(Value, Value)>,
    /// Operand `.1` of op `.0` becomes `.2`.
    rewire_uses: Vec<(OpId, u32, Value)>,
}
