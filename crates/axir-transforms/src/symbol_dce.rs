//! `symbol-dce`: erases private symbols that no live op references.
//!
//! Liveness starts from every op directly in the root symbol table that is
//! not a private symbol (public symbols and non-symbol ops are roots), and
//! flows through symbol references: every symbol referenced (by any
//! `@name` or `@a::@b` attribute, also inside arrays and dictionaries) from
//! a live op or from an op nested in it is live. A live op that is itself a
//! symbol table contributes its own roots. Private symbols of a live table
//! that stay dead are erased, with everything inside them.
//!
//! References are resolved from the referencing op outward through the
//! enclosing symbol tables; a reference that resolves nowhere keeps nothing
//! alive (the verifier reports it, not this pass).

use axir_ir::{Attribute, AttributeData, Context, OpId, SymbolTableCollection};
use axir_pass::{Pass, PassFailure, PassInfo};
use rustc_hash::FxHashSet;

/// Erases dead private symbols (MLIR's `SymbolDCE`).
#[derive(Default)]
pub struct SymbolDce {
    /// Symbols erased by the last run.
    pub num_erased: u64,
}

impl SymbolDce {
    /// The registration of `symbol-dce`.
    pub fn info() -> PassInfo {
        PassInfo::new("symbol-dce", "Eliminate dead symbols", &[], |_| {
            Ok(Box::new(SymbolDce::default()) as Box<dyn Pass>)
        })
    }
}

impl Pass for SymbolDce {
    fn name(&self) -> &'static str {
        "symbol-dce"
    }

    fn display_name(&self) -> &'static str {
        "SymbolDCE"
    }

    fn description(&self) -> &'static str {
        "Eliminate dead symbols"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        if !ctx.is_symbol_table(op) {
            return Err(PassFailure::new(
                ctx.op_error(op, "was scheduled to run under symbol-dce, but does not define a symbol table"),
            ));
        }
        let live = compute_liveness(ctx, op);
        let mut dead = Vec::new();
        for &table in &live.tables {
            for sym in table_children(ctx, table) {
                if ctx.symbol_name(sym).is_some() && ctx.is_private_symbol(sym) && !live.ops.contains(&sym) {
                    dead.push(sym);
                }
            }
        }
        self.num_erased = dead.len() as u64;
        // Dead symbols may reference each other: drop every use first.
        for &d in &dead {
            ctx.drop_all_uses_in(d);
        }
        for d in dead {
            if ctx.is_op_alive(d) {
                ctx.erase_op(d);
            }
        }
        Ok(())
    }
}

/// Live ops (roots and referenced symbols) and the live symbol tables.
struct Liveness {
    ops: FxHashSet<OpId>,
    tables: Vec<OpId>,
}

/// Ops directly in the regions of `table`.
fn table_children(ctx: &Context, table: OpId) -> Vec<OpId> {
    let mut out = Vec::new();
    for &r in ctx.regions(table) {
        for &b in ctx.region_blocks(r) {
            out.extend(ctx.block_ops_iter(b));
        }
    }
    out
}

fn compute_liveness(ctx: &Context, root: OpId) -> Liveness {
    let mut live = Liveness { ops: FxHashSet::default(), tables: Vec::new() };
    let mut worklist = Vec::new();
    let mut symbols = SymbolTableCollection::new();
    seed_table(ctx, root, &mut live, &mut worklist);
    let mut refs = Vec::new();
    while let Some(op) = worklist.pop() {
        // Walk the op and what it contains, stopping at nested symbol
        // tables: their contents are only live if the table is.
        let mut stack = vec![op];
        while let Some(o) = stack.pop() {
            refs.clear();
            for a in ctx.attrs(o) {
                collect_refs(ctx, a.value, &mut refs);
            }
            for (root_name, nested) in &refs {
                mark_reference(ctx, &mut symbols, o, root_name, nested, &mut live, &mut worklist);
            }
            if o != op && ctx.is_symbol_table(o) {
                if live.ops.insert(o) {
                    worklist.push(o);
                }
                continue;
            }
            if o == op && o != root && ctx.is_symbol_table(o) {
                seed_table(ctx, o, &mut live, &mut worklist);
                continue;
            }
            for &r in ctx.regions(o) {
                for &b in ctx.region_blocks(r) {
                    stack.extend(ctx.block_ops_iter(b));
                }
            }
        }
    }
    live
}

/// Marks the roots of a live symbol table.
fn seed_table(ctx: &Context, table: OpId, live: &mut Liveness, worklist: &mut Vec<OpId>) {
    live.tables.push(table);
    for child in table_children(ctx, table) {
        let discardable = ctx.symbol_name(child).is_some() && ctx.is_private_symbol(child);
        if !discardable && live.ops.insert(child) {
            worklist.push(child);
        }
    }
}

/// Resolves `@root::@nested...` from `user` and marks every symbol on the
/// path live.
fn mark_reference(
    ctx: &Context,
    symbols: &mut SymbolTableCollection,
    user: OpId,
    root: &str,
    nested: &[String],
    live: &mut Liveness,
    worklist: &mut Vec<OpId>,
) {
    let Some(mut current) = symbols.lookup_from(ctx, user, root) else { return };
    if live.ops.insert(current) {
        worklist.push(current);
    }
    for name in nested {
        let Some(next) = symbols.lookup_in(ctx, current, name) else { return };
        if live.ops.insert(next) {
            worklist.push(next);
        }
        current = next;
    }
}

/// Every symbol reference inside `attr`, as (root, nested path).
fn collect_refs(ctx: &Context, attr: Attribute, out: &mut Vec<(String, Vec<String>)>) {
    match ctx.attr_data(attr) {
        AttributeData::SymbolRef { root, nested } => out.push((root.clone(), nested.clone())),
        AttributeData::Array(items) => {
            for &a in items {
                collect_refs(ctx, a, out);
            }
        }
        AttributeData::Dictionary(entries) => {
            for (_, a) in entries {
                collect_refs(ctx, *a, out);
            }
        }
        _ => {}
    }
}
