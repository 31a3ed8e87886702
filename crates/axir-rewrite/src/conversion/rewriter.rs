//! Conversion patterns, their adaptor, and the journaling rewriter they edit
//! IR through.
//!
//! Invariant: every IR edit made through a [`ConversionRewriter`] is
//! recorded in the journal of the conversion, so a failed pattern (or a
//! failed conversion) is undone exactly. Replacing or erasing an op is
//! *lazy*: the op stays in place, its results are mapped to their
//! replacements, and only a successful conversion rewires the remaining uses
//! and erases it.

use super::type_converter::TypeConverter;
use axir_ir::{
    Attribute, BlockId, Context, InsertPoint, Location, NamedAttr, OpId, OperationState, RegionId, Type,
    Value,
};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

/// A rewrite used by the conversion driver to legalize one op.
///
/// Its doc comment states the rewrite (`/// test.a(x) -> test.b(x)`). It
/// returns `false` when it does not apply; whatever it did is then undone.
pub trait ConversionPattern: Send + Sync {
    /// A short name for debugging.
    fn name(&self) -> &'static str;
    /// The op name this pattern converts; `None` means any op.
    fn root(&self) -> Option<&'static str>;
    /// Higher benefit patterns are tried first.
    fn benefit(&self) -> u16 {
        1
    }
    /// Converts `op`, whose operands, already remapped to their converted
    /// values, are in `adaptor`. It must replace or erase `op`, or update it
    /// in place, through `rewriter`.
    fn match_and_rewrite(&self, op: OpId, adaptor: &OpAdaptor, rewriter: &mut ConversionRewriter<'_>)
        -> bool;
}

/// An ordered collection of conversion patterns.
#[derive(Default)]
pub struct ConversionPatternSet {
    patterns: Vec<Box<dyn ConversionPattern>>,
}

impl ConversionPatternSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pattern.
    pub fn add(&mut self, pattern: impl ConversionPattern + 'static) -> &mut Self {
        self.patterns.push(Box::new(pattern));
        self
    }

    /// Adds a boxed pattern.
    pub fn add_boxed(&mut self, pattern: Box<dyn ConversionPattern>) -> &mut Self {
        self.patterns.push(pattern);
        self
    }

    /// The patterns, in insertion order.
    pub fn patterns(&self) -> &[Box<dyn ConversionPattern>] {
        &self.patterns
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

/// The operands of the op being converted, each replaced by its converted
/// value (and, when the conversion has a type converter, of converted type).
#[derive(Clone, Debug, Default)]
pub struct OpAdaptor {
    pub(crate) operands: SmallVec<[Value; 4]>,
}

impl OpAdaptor {
    /// All converted operands.
    pub fn operands(&self) -> &[Value] {
        &self.operands
    }

    /// Converted operand `i`, if present.
    pub fn operand(&self, i: usize) -> Option<Value> {
        self.operands.get(i).copied()
    }
}

/// One undoable edit.
pub(crate) enum Entry {
    /// An op created by a pattern.
    CreateOp(OpId),
    /// An op created by a materialization (not legalized).
    CreateMaterialization(OpId),
    /// A block created by a pattern.
    CreateBlock(BlockId),
    /// `op` was replaced (its results mapped) or erased.
    Replace { op: OpId, results: SmallVec<[Value; 2]> },
    /// `op` was about to be updated in place; its previous state.
    Modify {
        op: OpId,
        operands: SmallVec<[Value; 4]>,
        attrs: Vec<NamedAttr>,
        result_types: SmallVec<[Type; 2]>,
    },
    /// A value's type was changed.
    Retype { value: Value, old: Type },
    /// The blocks of `from` were moved into the empty region `to`.
    MoveBody { from: RegionId, to: RegionId },
    /// A materialization was cached under this key.
    Materialize { key: (Value, Type) },
}

/// The journal and the lazy replacement state of a conversion.
#[derive(Default)]
pub(crate) struct ConversionState {
    pub journal: Vec<Entry>,
    pub replaced: FxHashSet<OpId>,
    pub value_map: FxHashMap<Value, Value>,
    pub created: FxHashSet<OpId>,
    pub materializations: FxHashSet<OpId>,
    pub modified: FxHashMap<OpId, u32>,
    pub materialized: FxHashMap<(Value, Type), Value>,
    /// A misuse of the rewriter by the current pattern.
    pub misuse: Option<String>,
}

impl ConversionState {
    /// The value `v` stands for now: its replacement, transitively.
    pub fn lookup(&self, mut v: Value) -> Value {
        // Invariant: replacement chains are acyclic because an op can only
        // be replaced once and its replacements exist when it is replaced.
        while let Some(&next) = self.value_map.get(&v) {
            v = next;
        }
        v
    }

    /// Whether `op` or an op containing it was replaced or erased.
    pub fn is_dead(&self, ctx: &Context, op: OpId) -> bool {
        if self.replaced.is_empty() {
            return false;
        }
        let mut cur = Some(op);
        while let Some(o) = cur {
            if self.replaced.contains(&o) {
                return true;
            }
            cur = ctx.parent_op(o);
        }
        false
    }

    /// Undoes the journal back to `checkpoint` entries.
    pub fn rollback(&mut self, ctx: &mut Context, checkpoint: usize) {
        while self.journal.len() > checkpoint {
            let Some(entry) = self.journal.pop() else { break };
            self.undo(ctx, entry);
        }
    }

    fn undo(&mut self, ctx: &mut Context, entry: Entry) {
        match entry {
            Entry::CreateOp(op) | Entry::CreateMaterialization(op) => {
                self.created.remove(&op);
                self.materializations.remove(&op);
                if ctx.is_op_alive(op) {
                    // Everything that used its results was created or
                    // modified later, and is already undone.
                    ctx.drop_all_uses_in(op);
                    ctx.erase_op(op);
                }
            }
            Entry::CreateBlock(block) => {
                if ctx.is_block_alive(block) {
                    ctx.erase_block(block);
                }
            }
            Entry::Replace { op, results } => {
                self.replaced.remove(&op);
                for r in results {
                    self.value_map.remove(&r);
                }
            }
            Entry::Modify { op, operands, attrs, result_types } => {
                if let Some(n) = self.modified.get_mut(&op) {
                    *n -= 1;
                    if *n == 0 {
                        self.modified.remove(&op);
                    }
                }
                if ctx.is_op_alive(op) {
                    restore_op(ctx, op, &operands, &attrs, &result_types);
                }
            }
            Entry::Retype { value, old } => {
                if ctx.is_value_alive(value) {
                    ctx.set_value_type(value, old);
                }
            }
            Entry::MoveBody { from, to } => ctx.move_region_blocks(to, from),
            Entry::Materialize { key } => {
                self.materialized.remove(&key);
            }
        }
    }
}

fn restore_op(ctx: &mut Context, op: OpId, operands: &[Value], attrs: &[NamedAttr], result_types: &[Type]) {
    if ctx.operands(op) != operands {
        ctx.set_operands(op, operands);
    }
    if ctx.attrs(op) != attrs {
        let current: Vec<String> = ctx.attrs(op).iter().map(|a| ctx.ident_str(a.name).to_string()).collect();
        for name in current {
            ctx.remove_attr(op, &name);
        }
        for a in attrs {
            let name = ctx.ident_str(a.name).to_string();
            ctx.set_attr(op, &name, a.value);
        }
    }
    let results: SmallVec<[Value; 2]> = ctx.results(op).into();
    for (r, &ty) in results.iter().zip(result_types) {
        ctx.set_value_type(*r, ty);
    }
}

/// Edits IR on behalf of a conversion pattern and journals every edit.
///
/// It dereferences to [`Context`] for queries. Interning types, attributes
/// and identifiers goes through [`ConversionRewriter::ctx_mut`]; **structural
/// edits must use the rewriter's methods**, or a rollback cannot undo them.
pub struct ConversionRewriter<'a> {
    pub(crate) ctx: &'a mut Context,
    pub(crate) state: &'a mut ConversionState,
    pub(crate) type_converter: Option<&'a TypeConverter>,
    pub(crate) insert_point: Option<InsertPoint>,
}

impl<'a> ConversionRewriter<'a> {
    /// The conversion's type converter, if it has one.
    pub fn type_converter(&self) -> Option<&'a TypeConverter> {
        self.type_converter
    }

    /// Converts `ty` with the type converter (the identity without one).
    pub fn convert_type(&mut self, ty: Type) -> Option<Type> {
        match self.type_converter {
            Some(tc) => tc.convert_type(self.ctx, ty),
            None => Some(ty),
        }
    }

    /// Converts every type (the identity without a type converter).
    pub fn convert_types(&mut self, types: &[Type]) -> Option<Vec<Type>> {
        types.iter().map(|&t| self.convert_type(t)).collect()
    }

    /// The context, for interning types, attributes, identifiers and
    /// locations. IR edits made through it are not journaled.
    pub fn ctx_mut(&mut self) -> &mut Context {
        self.ctx
    }

    /// What `v` stands for now (its replacement, if its op was replaced).
    pub fn remapped(&self, v: Value) -> Value {
        self.state.lookup(v)
    }

    /// The current insertion point (initially: before the op being converted).
    pub fn insert_point(&self) -> Option<InsertPoint> {
        self.insert_point
    }

    /// Sets where new ops go.
    pub fn set_insert_point(&mut self, ip: InsertPoint) {
        self.insert_point = Some(ip);
    }

    /// New ops go just before `op`.
    pub fn set_insert_point_before(&mut self, op: OpId) {
        self.insert_point = Some(InsertPoint::Before(op));
    }

    /// New ops go at the end of `block`.
    pub fn set_insert_point_to_end(&mut self, block: BlockId) {
        self.insert_point = Some(InsertPoint::BlockEnd(block));
    }

    /// Creates an op and inserts it at the insertion point.
    pub fn create(&mut self, state: OperationState) -> OpId {
        let op = self.ctx.create_op(state);
        self.insert(op)
    }

    /// Creates an op by name with operands, result types and attributes.
    pub fn create_named(
        &mut self,
        name: &str,
        location: Location,
        operands: &[Value],
        result_types: &[Type],
        attributes: &[(&str, Attribute)],
    ) -> OpId {
        let name = self.ctx.ident(name);
        let mut state =
            OperationState::new(name, location).with_operands(operands).with_results(result_types);
        for (n, a) in attributes {
            let n = self.ctx.ident(n);
            state.attributes.push(NamedAttr { name: n, value: *a });
        }
        self.create(state)
    }

    /// Inserts a detached op (created with `ctx_mut().create_op`) at the
    /// insertion point and journals it; later ops go after it.
    pub fn insert(&mut self, op: OpId) -> OpId {
        if let Some(ip) = self.insert_point {
            self.ctx.insert_op(ip, op);
            self.insert_point = Some(ip.after_inserting(op));
        }
        self.state.created.insert(op);
        self.state.journal.push(Entry::CreateOp(op));
        op
    }

    /// Creates a block with arguments at the end of `region` (a region of
    /// an op this pattern created, or an existing one).
    pub fn create_block(&mut self, region: RegionId, args: &[(Type, Location)]) -> BlockId {
        let block = self.ctx.append_new_block(region, args);
        self.state.journal.push(Entry::CreateBlock(block));
        block
    }

    /// Replaces `op`: each result stands for the matching value from now on.
    /// The op stays in place until the conversion succeeds.
    pub fn replace_op(&mut self, op: OpId, values: &[Value]) {
        let results: SmallVec<[Value; 2]> = self.ctx.results(op).into();
        if results.len() != values.len() {
            self.misuse(format!(
                "'{}' op replaced with {} value(s) but has {} result(s)",
                self.ctx.op_name(op),
                values.len(),
                results.len()
            ));
            return;
        }
        if !self.mark_replaced(op, results.clone()) {
            return;
        }
        for (r, v) in results.iter().zip(values) {
            self.state.value_map.insert(*r, *v);
        }
    }

    /// Creates an op before `op` and replaces `op` with its results.
    pub fn replace_op_with_new(&mut self, op: OpId, state: OperationState) -> OpId {
        self.set_insert_point_before(op);
        let new = self.create(state);
        let results: SmallVec<[Value; 2]> = self.ctx.results(new).into();
        self.replace_op(op, &results);
        new
    }

    /// Erases `op`; its results must have no live use when the conversion ends.
    pub fn erase_op(&mut self, op: OpId) {
        let results: SmallVec<[Value; 2]> = self.ctx.results(op).into();
        self.mark_replaced(op, results);
    }

    fn mark_replaced(&mut self, op: OpId, results: SmallVec<[Value; 2]>) -> bool {
        if !self.state.replaced.insert(op) {
            self.misuse(format!("'{}' op replaced or erased twice", self.ctx.op_name(op)));
            return false;
        }
        self.state.journal.push(Entry::Replace { op, results });
        true
    }

    /// Updates `op` in place (operands, attributes, result types) with `f`.
    pub fn modify_op_in_place(&mut self, op: OpId, f: impl FnOnce(&mut Context)) {
        let operands: SmallVec<[Value; 4]> = self.ctx.operands(op).into();
        let attrs = self.ctx.attrs(op).to_vec();
        let result_types: SmallVec<[Type; 2]> =
            self.ctx.results(op).iter().map(|&r| self.ctx.value_type(r)).collect();
        self.state.journal.push(Entry::Modify { op, operands, attrs, result_types });
        *self.state.modified.entry(op).or_default() += 1;
        f(self.ctx);
    }

    /// Changes the type of `v` (a block argument, typically).
    pub fn set_value_type(&mut self, v: Value, ty: Type) {
        let old = self.ctx.value_type(v);
        if old == ty {
            return;
        }
        self.state.journal.push(Entry::Retype { value: v, old });
        self.ctx.set_value_type(v, ty);
    }

    /// Converts the argument types of `block` with the type converter;
    /// returns `false` (changing nothing) when one cannot be converted.
    pub fn convert_block_signature(&mut self, block: BlockId) -> bool {
        let args: SmallVec<[Value; 4]> = self.ctx.block_arguments(block).into();
        let mut new_types: SmallVec<[Type; 4]> = SmallVec::new();
        for &a in &args {
            let ty = self.ctx.value_type(a);
            match self.convert_type(ty) {
                Some(t) => new_types.push(t),
                None => return false,
            }
        }
        for (a, t) in args.into_iter().zip(new_types) {
            self.set_value_type(a, t);
        }
        true
    }

    /// Moves every block of `from` into the empty region `to` (typically a
    /// region of an op this pattern created). Returns `false`, changing
    /// nothing, when `to` is not empty.
    pub fn take_region_body(&mut self, from: RegionId, to: RegionId) -> bool {
        if !self.ctx.region_blocks(to).is_empty() {
            self.misuse("take_region_body needs an empty destination region".to_string());
            return false;
        }
        self.ctx.move_region_blocks(from, to);
        self.state.journal.push(Entry::MoveBody { from, to });
        true
    }

    fn misuse(&mut self, message: String) {
        if self.state.misuse.is_none() {
            self.state.misuse = Some(message);
        }
    }
}

impl std::ops::Deref for ConversionRewriter<'_> {
    type Target = Context;
    fn deref(&self) -> &Context {
        self.ctx
    }
}
