//! The verifier: structural rules of the IR, then every op's own rules.
//!
//! Invariant: verification never stops at the first error; it returns every
//! diagnostic it finds, in IR order. It never panics on any IR reachable
//! from the root, including IR with erased (stale) operands.

use crate::arena::Handle;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::operation::{BlockId, OpId, RegionId, Value, ValueDef};
use crate::registry::{Arity, OpTraits};
use crate::symbol::SymbolTableCollection;
use rustc_hash::{FxHashMap, FxHashSet};

/// Verifies `root` and everything nested in it.
pub fn verify(ctx: &Context, root: OpId) -> Result<(), Vec<Diagnostic>> {
    let mut v = Verifier::new(ctx);
    v.run(root);
    if v.diags.is_empty() {
        Ok(())
    } else {
        Err(v.diags)
    }
}

struct Verifier<'a> {
    ctx: &'a Context,
    diags: Vec<Diagnostic>,
    /// Position of each op in its block, indexed by the op's slot.
    position: Vec<u32>,
    dominators: FxHashMap<RegionId, FxHashMap<BlockId, FxHashSet<BlockId>>>,
}

impl<'a> Verifier<'a> {
    fn new(ctx: &'a Context) -> Self {
        Self {
            ctx,
            diags: Vec::new(),
            position: vec![0; ctx.ops.capacity_bound()],
            dominators: FxHashMap::default(),
        }
    }

    fn run(&mut self, root: OpId) {
        let ctx = self.ctx;
        let all = ctx.walk(root);
        for &op in &all {
            for &r in ctx.regions(op) {
                for &b in ctx.region_blocks(r) {
                    for (i, o) in ctx.block_ops_iter(b).enumerate() {
                        self.position[o.index()] = i as u32;
                    }
                }
            }
        }
        for &op in &all {
            self.verify_op(op);
        }
        let mut symbols = SymbolTableCollection::new();
        for &op in &all {
            if let Some(f) = ctx.op_info(op).and_then(|i| i.verify_symbol_uses) {
                if let Err(d) = f(ctx, op, &mut symbols) {
                    self.diags.push(d);
                }
            }
        }
    }

    fn verify_op(&mut self, op: OpId) {
        let ctx = self.ctx;
        let before = self.diags.len();
        self.verify_operands(op);
        self.verify_regions(op);
        let Some(info) = ctx.op_info(op) else {
            if !ctx.allows_unregistered() {
                let name = ctx.op_name(op);
                let dialect = name.split_once('.').map_or(name, |(d, _)| d);
                self.diags.push(Diagnostic::error(
                    ctx.op_location(op),
                    format!(
                        "unregistered operation '{name}' found in dialect ('{dialect}') that does not allow unknown operations"
                    ),
                ));
            }
            return;
        };
        let counts = [
            ("operand", info.operands, ctx.operands(op).len()),
            ("result", info.results, ctx.results(op).len()),
            ("region", info.regions, ctx.regions(op).len()),
            ("successor", info.successors, ctx.successors(op).len()),
        ];
        for (what, arity, found) in counts {
            if !arity.accepts(found) {
                let plural = if matches!(arity, Arity::Exact(1)) { "" } else { "s" };
                self.diags.push(ctx.op_error(
                    op,
                    format!("expected {} {what}{plural}, but found {found}", arity.describe()),
                ));
            }
        }
        for name in info.required_attrs {
            if ctx.attr(op, name).is_none() {
                self.diags.push(ctx.op_error(op, format!("requires attribute '{name}'")));
            }
        }
        if self.diags.len() > before {
            // The op's own verifier may index operands by position: skip it
            // when the shape of the op is already wrong.
            return;
        }
        self.verify_traits(op, info.traits);
        if self.diags.len() > before {
            return;
        }
        if let Some(f) = info.verify {
            if let Err(d) = f(ctx, op) {
                self.diags.push(d);
            }
        }
    }

    fn verify_traits(&mut self, op: OpId, traits: OpTraits) {
        let ctx = self.ctx;
        if traits.contains(OpTraits::SAME_OPERANDS_AND_RESULT_TYPE) {
            let mut types = ctx.operands(op).iter().chain(ctx.results(op)).map(|v| ctx.value_type(*v));
            if let Some(first) = types.next() {
                if types.any(|t| t != first) {
                    self.diags.push(ctx.op_error(op, "requires the same type for all operands and results"));
                }
            }
        }
        if traits.contains(OpTraits::SAME_TYPE_OPERANDS) {
            let mut types = ctx.operands(op).iter().map(|v| ctx.value_type(*v));
            if let Some(first) = types.next() {
                if types.any(|t| t != first) {
                    self.diags.push(ctx.op_error(op, "requires all operands to have the same type"));
                }
            }
        }
        if traits.contains(OpTraits::TERMINATOR) {
            if let Some(b) = ctx.parent_block(op) {
                if ctx.last_op(b) != Some(op) {
                    self.diags.push(ctx.op_error(op, "must be the last operation in the parent block"));
                }
            }
        }
        if traits.contains(OpTraits::SINGLE_BLOCK) {
            for (i, &r) in ctx.regions(op).iter().enumerate() {
                if ctx.region_blocks(r).len() > 1 {
                    self.diags.push(ctx.op_error(op, format!("expects region #{i} to have 0 or 1 blocks")));
                }
            }
        }
        if traits.contains(OpTraits::SYMBOL) && ctx.symbol_name(op).is_none() {
            self.diags.push(ctx.op_error(op, "requires string attribute 'sym_name'"));
        }
        if traits.contains(OpTraits::SYMBOL_TABLE) {
            let mut seen: FxHashMap<String, OpId> = FxHashMap::default();
            for (name, sym) in ctx.symbols_in(op) {
                if let Some(&first) = seen.get(&name) {
                    self.diags.push(
                        Diagnostic::error(
                            ctx.op_location(sym),
                            format!("redefinition of symbol named '{name}'"),
                        )
                        .with_note(ctx.op_location(first), "see existing symbol definition here"),
                    );
                } else {
                    seen.insert(name, sym);
                }
            }
        }
    }

    fn verify_regions(&mut self, op: OpId) {
        let ctx = self.ctx;
        let info = ctx.op_info(op);
        let needs_terminator = match info {
            Some(i) => !i.has(OpTraits::NO_TERMINATOR),
            // Unregistered ops: nothing is known about their regions.
            None => false,
        };
        for &r in ctx.regions(op) {
            let blocks = ctx.region_blocks(r);
            for &b in blocks {
                if needs_terminator {
                    match ctx.last_op(b) {
                        None => {
                            self.diags.push(ctx.op_error(op, "empty block: expect at least a terminator"))
                        }
                        Some(last) => {
                            // An unregistered op may be a terminator: give it the benefit of the doubt.
                            let is_term = ctx.op_info(last).is_none_or(|i| i.has(OpTraits::TERMINATOR));
                            if !is_term {
                                self.diags.push(Diagnostic::error(
                                    ctx.op_location(last),
                                    format!("block with no terminator, has '{}'", ctx.op_name(last)),
                                ));
                            }
                        }
                    }
                }
                for o in ctx.block_ops_iter(b) {
                    for &s in ctx.successors(o) {
                        if !ctx.is_block_alive(s) || ctx.block_parent_region(s) != Some(r) {
                            self.diags.push(ctx.op_error(o, "reference to block defined in another region"));
                        } else if ctx.region_blocks(r).first() == Some(&s) {
                            self.diags
                                .push(ctx.op_error(o, "entry block of region may not have predecessors"));
                        }
                    }
                }
            }
        }
    }

    fn verify_operands(&mut self, op: OpId) {
        let ctx = self.ctx;
        for (i, &v) in ctx.operands(op).iter().enumerate() {
            if !ctx.is_value_alive(v) {
                self.diags.push(ctx.op_error(op, format!("operand #{i} refers to an erased value")));
                continue;
            }
            if let Err(d) = self.check_dominance(op, i, v) {
                self.diags.push(d);
            }
        }
    }

    /// Checks that the definition of `v` dominates its use as operand `i` of `user`.
    fn check_dominance(&mut self, user: OpId, i: usize, v: Value) -> Result<(), Diagnostic> {
        let ctx = self.ctx;
        let (def_block, def_op) = match ctx.value_def(v) {
            ValueDef::OpResult { op, .. } => match ctx.parent_block(op) {
                Some(b) => (b, Some(op)),
                None => return Err(self.not_dominating(user, i, v)),
            },
            ValueDef::BlockArgument { block, .. } => (block, None),
        };
        let def_region = ctx.block_parent_region(def_block);
        // Walk up from the user to the op that sits in the defining region.
        let mut ancestor = user;
        loop {
            let Some(block) = ctx.parent_block(ancestor) else {
                return Err(self.not_dominating(user, i, v));
            };
            if ctx.block_parent_region(block) == def_region {
                break;
            }
            let Some(parent) = ctx.parent_op(ancestor) else {
                return Err(self.not_dominating(user, i, v));
            };
            if ctx.op_info(parent).is_some_and(|inf| inf.has(OpTraits::ISOLATED_FROM_ABOVE)) {
                return Err(ctx
                    .op_error(user, "using value defined outside the region")
                    .with_note(ctx.op_location(parent), "required by region isolation constraints"));
            }
            ancestor = parent;
        }
        let use_block = ctx.parent_block(ancestor).expect("checked above");
        if use_block == def_block {
            match def_op {
                None => Ok(()),
                Some(d) if d != ancestor && self.position[d.index()] < self.position[ancestor.index()] => {
                    Ok(())
                }
                Some(_) => Err(self.not_dominating(user, i, v)),
            }
        } else if self.block_dominates(def_block, use_block) {
            Ok(())
        } else {
            Err(self.not_dominating(user, i, v))
        }
    }

    fn not_dominating(&self, user: OpId, i: usize, v: Value) -> Diagnostic {
        let ctx = self.ctx;
        ctx.op_error(user, format!("operand #{i} does not dominate this use"))
            .with_note(ctx.value_location(v), "operand defined here")
    }

    fn block_dominates(&mut self, a: BlockId, b: BlockId) -> bool {
        let ctx = self.ctx;
        let Some(region) = ctx.block_parent_region(a) else { return false };
        let doms = self.dominators.entry(region).or_insert_with(|| compute_dominators(ctx, region));
        // Blocks unreachable from the entry are dominated by everything, as in MLIR.
        doms.get(&b).is_none_or(|set| set.contains(&a))
    }
}

/// Iterative dominator sets over the CFG formed by terminator successors.
fn compute_dominators(ctx: &Context, region: RegionId) -> FxHashMap<BlockId, FxHashSet<BlockId>> {
    let blocks = ctx.region_blocks(region);
    let Some(&entry) = blocks.first() else { return FxHashMap::default() };
    let mut preds: FxHashMap<BlockId, Vec<BlockId>> = FxHashMap::default();
    let mut reachable = FxHashSet::default();
    let mut stack = vec![entry];
    while let Some(b) = stack.pop() {
        if !reachable.insert(b) {
            continue;
        }
        if let Some(t) = ctx.last_op(b) {
            for &s in ctx.successors(t) {
                if ctx.is_block_alive(s) && ctx.block_parent_region(s) == Some(region) {
                    preds.entry(s).or_default().push(b);
                    stack.push(s);
                }
            }
        }
    }
    let order: Vec<BlockId> = blocks.iter().copied().filter(|b| reachable.contains(b)).collect();
    let all: FxHashSet<BlockId> = order.iter().copied().collect();
    let mut dom: FxHashMap<BlockId, FxHashSet<BlockId>> = FxHashMap::default();
    for &b in &order {
        dom.insert(b, if b == entry { std::iter::once(entry).collect() } else { all.clone() });
    }
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().skip(1) {
            let mut new: Option<FxHashSet<BlockId>> = None;
            for p in preds.get(&b).map(Vec::as_slice).unwrap_or(&[]) {
                let pd = &dom[p];
                new = Some(match new {
                    None => pd.clone(),
                    Some(n) => n.intersection(pd).copied().collect(),
                });
            }
            let mut new = new.unwrap_or_default();
            new.insert(b);
            if new != dom[&b] {
                dom.insert(b, new);
                changed = true;
            }
        }
    }
    dom
}
