//! Symbols and symbol tables (`@name`), as in MLIR.
//!
//! An op with the `Symbol` trait names itself through its `sym_name` string
//! attribute; an op with the `SymbolTable` trait (such as `builtin.module`)
//! scopes the symbols defined directly in its region.

use crate::context::Context;
use crate::operation::OpId;
use crate::registry::OpTraits;
use rustc_hash::FxHashMap;

/// Name of the attribute holding a symbol's name.
pub const SYM_NAME_ATTR: &str = "sym_name";
/// Name of the attribute holding a symbol's visibility (`"private"`, `"nested"`).
pub const SYM_VISIBILITY_ATTR: &str = "sym_visibility";

impl Context {
    /// The symbol name defined by `op`, if it has a `sym_name` attribute.
    pub fn symbol_name(&self, op: OpId) -> Option<&str> {
        self.attr(op, SYM_NAME_ATTR).and_then(|a| self.attr_as_str(a))
    }

    /// Whether `op` is a symbol table (registered with `SymbolTable`).
    pub fn is_symbol_table(&self, op: OpId) -> bool {
        self.op_info(op).is_some_and(|i| i.has(OpTraits::SYMBOL_TABLE))
    }

    /// Whether the symbol defined by `op` is private.
    pub fn is_private_symbol(&self, op: OpId) -> bool {
        self.attr(op, SYM_VISIBILITY_ATTR).and_then(|a| self.attr_as_str(a)) == Some("private")
    }

    /// The closest symbol table that contains `op` (not `op` itself).
    pub fn nearest_symbol_table(&self, op: OpId) -> Option<OpId> {
        let mut cur = self.parent_op(op);
        while let Some(p) = cur {
            if self.is_symbol_table(p) {
                return Some(p);
            }
            cur = self.parent_op(p);
        }
        None
    }

    /// Symbols defined directly in the region of `table`, in order.
    pub fn symbols_in(&self, table: OpId) -> Vec<(String, OpId)> {
        let mut out = Vec::new();
        for &r in self.regions(table) {
            for &b in self.region_blocks(r) {
                for op in self.block_ops_iter(b) {
                    if let Some(name) = self.symbol_name(op) {
                        out.push((name.to_string(), op));
                    }
                }
            }
        }
        out
    }

    /// Looks up `name` directly in `table`.
    pub fn lookup_symbol_in(&self, table: OpId, name: &str) -> Option<OpId> {
        self.symbols_in(table).into_iter().find(|(n, _)| n == name).map(|(_, op)| op)
    }

    /// Resolves `name` from `from` outward through enclosing symbol tables.
    pub fn lookup_symbol_from(&self, from: OpId, name: &str) -> Option<OpId> {
        let mut table = self.nearest_symbol_table(from);
        while let Some(t) = table {
            if let Some(found) = self.lookup_symbol_in(t, name) {
                return Some(found);
            }
            table = self.nearest_symbol_table(t);
        }
        None
    }
}

/// Caches the symbol maps of tables, so resolving many references is linear.
#[derive(Default)]
pub struct SymbolTableCollection {
    tables: FxHashMap<OpId, FxHashMap<String, OpId>>,
}

impl SymbolTableCollection {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks up `name` directly in `table`.
    pub fn lookup_in(&mut self, ctx: &Context, table: OpId, name: &str) -> Option<OpId> {
        self.tables
            .entry(table)
            .or_insert_with(|| ctx.symbols_in(table).into_iter().collect())
            .get(name)
            .copied()
    }

    /// Resolves `name` from `from` outward through enclosing symbol tables.
    pub fn lookup_from(&mut self, ctx: &Context, from: OpId, name: &str) -> Option<OpId> {
        let mut table = ctx.nearest_symbol_table(from);
        while let Some(t) = table {
            if let Some(found) = self.lookup_in(ctx, t, name) {
                return Some(found);
            }
            table = ctx.nearest_symbol_table(t);
        }
        None
    }

    /// Forgets cached tables (after symbols were added, removed or renamed).
    pub fn invalidate(&mut self) {
        self.tables.clear();
    }
}
