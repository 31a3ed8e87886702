//! Operations, blocks, regions and values, and the edits that keep their
//! links consistent (parent pointers, op lists, use-def chains).
//!
//! Invariant: every `Value` records each (op, operand index) that uses it;
//! every edit of an operand list goes through this module so the use lists
//! stay exact. Ops in a block form a doubly linked list, so insertion and
//! erasure are O(1).

use crate::arena::define_handle;
use crate::attributes::Attribute;
use crate::context::{Context, Ident};
use crate::location::Location;
use crate::registry::OpInfo;
use crate::types::Type;
use smallvec::SmallVec;

define_handle!(
    /// A handle to an operation.
    OpId
);
define_handle!(
    /// A handle to a block.
    BlockId
);
define_handle!(
    /// A handle to a region.
    RegionId
);
define_handle!(
    /// A handle to an SSA value: an op result or a block argument.
    Value
);

/// A named attribute on an operation.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct NamedAttr {
    /// The name.
    pub name: Ident,
    /// The value.
    pub value: Attribute,
}

/// The stored form of an operation.
pub struct OperationData {
    /// The op's name, e.g. `arith.addf`.
    pub name: Ident,
    /// Where it came from.
    pub location: Location,
    pub(crate) operands: SmallVec<[Value; 3]>,
    // Invariant: `use_pos[i]` is the index of operand `i`'s entry in its
    // value's use list, so removing a use is O(1) however many uses a value has.
    pub(crate) use_pos: SmallVec<[u32; 3]>,
    pub(crate) results: SmallVec<[Value; 1]>,
    // Invariant: sorted by the attribute name's text, names unique.
    pub(crate) attributes: SmallVec<[NamedAttr; 2]>,
    pub(crate) regions: SmallVec<[RegionId; 1]>,
    pub(crate) successors: SmallVec<[BlockId; 1]>,
    pub(crate) parent: Option<BlockId>,
    pub(crate) prev: Option<OpId>,
    pub(crate) next: Option<OpId>,
}

/// The stored form of a block.
pub struct BlockData {
    pub(crate) arguments: Vec<Value>,
    pub(crate) first: Option<OpId>,
    pub(crate) last: Option<OpId>,
    pub(crate) parent: Option<RegionId>,
}

/// The stored form of a region.
pub struct RegionData {
    pub(crate) blocks: Vec<BlockId>,
    pub(crate) parent: Option<OpId>,
}

/// What defines a value.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ValueDef {
    /// Result `index` of `op`.
    OpResult {
        /// The defining op.
        op: OpId,
        /// Result number.
        index: u32,
    },
    /// Argument `index` of `block`.
    BlockArgument {
        /// The owning block.
        block: BlockId,
        /// Argument number.
        index: u32,
    },
}

/// One use of a value: operand `operand` of `op`.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Hash)]
pub struct Use {
    /// The using op.
    pub op: OpId,
    /// Operand number within the op.
    pub operand: u32,
}

/// The stored form of a value.
pub struct ValueData {
    pub(crate) ty: Type,
    pub(crate) def: ValueDef,
    pub(crate) uses: Vec<Use>,
    pub(crate) location: Option<Location>,
}

/// Everything needed to create an operation; see [`Context::create_op`].
#[derive(Clone, Debug)]
pub struct OperationState {
    /// The op's name.
    pub name: Ident,
    /// Its location.
    pub location: Location,
    /// Operand values.
    pub operands: Vec<Value>,
    /// Result types, one result per entry.
    pub result_types: Vec<Type>,
    /// Attributes (any order; duplicates keep the last).
    pub attributes: Vec<NamedAttr>,
    /// Detached regions to move into the op.
    pub regions: Vec<RegionId>,
    /// Successor blocks.
    pub successors: Vec<BlockId>,
}

impl OperationState {
    /// An empty state for op `name`.
    pub fn new(name: Ident, location: Location) -> Self {
        Self {
            name,
            location,
            operands: Vec::new(),
            result_types: Vec::new(),
            attributes: Vec::new(),
            regions: Vec::new(),
            successors: Vec::new(),
        }
    }

    /// Adds operands.
    pub fn with_operands(mut self, operands: &[Value]) -> Self {
        self.operands.extend_from_slice(operands);
        self
    }

    /// Adds result types.
    pub fn with_results(mut self, types: &[Type]) -> Self {
        self.result_types.extend_from_slice(types);
        self
    }

    /// Adds an attribute.
    pub fn with_attr(mut self, name: Ident, value: Attribute) -> Self {
        self.attributes.push(NamedAttr { name, value });
        self
    }

    /// Adds a detached region.
    pub fn with_region(mut self, region: RegionId) -> Self {
        self.regions.push(region);
        self
    }
}

/// Where new ops go.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum InsertPoint {
    /// At the end of the block.
    BlockEnd(BlockId),
    /// At the start of the block.
    BlockStart(BlockId),
    /// Just before the op.
    Before(OpId),
    /// Just after the op.
    After(OpId),
}

impl InsertPoint {
    /// Where the next op goes once `op` was inserted here, so that a
    /// sequence of inserts keeps program order: after `op` for `After` and
    /// `BlockStart`; unchanged for `Before` and `BlockEnd`, which already
    /// place later ops after earlier ones.
    pub fn after_inserting(self, op: OpId) -> InsertPoint {
        match self {
            InsertPoint::After(_) | InsertPoint::BlockStart(_) => InsertPoint::After(op),
            InsertPoint::Before(_) | InsertPoint::BlockEnd(_) => self,
        }
    }
}

impl Context {
    // ----- creation ---------------------------------------------------------

    /// Creates a detached operation from `state`; insert it with
    /// [`Context::insert_op`]. Regions in `state` must be detached.
    pub fn create_op(&mut self, state: OperationState) -> OpId {
        let mut attributes: SmallVec<[NamedAttr; 2]> = SmallVec::new();
        for attr in state.attributes {
            self.insert_sorted_attr(&mut attributes, attr);
        }
        let op = self.ops.alloc(OperationData {
            name: state.name,
            location: state.location,
            operands: SmallVec::new(),
            use_pos: SmallVec::new(),
            results: SmallVec::new(),
            attributes,
            regions: SmallVec::from_vec(state.regions),
            successors: SmallVec::from_vec(state.successors),
            parent: None,
            prev: None,
            next: None,
        });
        let mut results = SmallVec::with_capacity(state.result_types.len());
        for (index, ty) in state.result_types.into_iter().enumerate() {
            results.push(self.values.alloc(ValueData {
                ty,
                def: ValueDef::OpResult { op, index: index as u32 },
                uses: Vec::new(),
                location: None,
            }));
        }
        self.ops[op].results = results;
        self.link_operands(op, &state.operands);
        let regions = self.ops[op].regions.clone();
        for r in regions {
            debug_assert!(self.regions[r].parent.is_none(), "region already attached");
            self.regions[r].parent = Some(op);
        }
        op
    }

    fn insert_sorted_attr(&self, attrs: &mut SmallVec<[NamedAttr; 2]>, attr: NamedAttr) {
        let key = self.ident_str(attr.name);
        match attrs.binary_search_by(|a| self.ident_str(a.name).cmp(key)) {
            Ok(i) => attrs[i] = attr,
            Err(i) => attrs.insert(i, attr),
        }
    }

    /// Creates a detached, empty region.
    pub fn create_region(&mut self) -> RegionId {
        self.regions.alloc(RegionData { blocks: Vec::new(), parent: None })
    }

    /// Creates a detached block with arguments of the given types and locations.
    pub fn create_block(&mut self, args: &[(Type, Location)]) -> BlockId {
        let block =
            self.blocks.alloc(BlockData { arguments: Vec::new(), first: None, last: None, parent: None });
        for &(ty, loc) in args {
            self.add_block_argument(block, ty, loc);
        }
        block
    }

    /// Appends an argument to `block`.
    pub fn add_block_argument(&mut self, block: BlockId, ty: Type, loc: Location) -> Value {
        let index = self.blocks[block].arguments.len() as u32;
        let v = self.values.alloc(ValueData {
            ty,
            def: ValueDef::BlockArgument { block, index },
            uses: Vec::new(),
            location: Some(loc),
        });
        self.blocks[block].arguments.push(v);
        v
    }

    /// Removes `block` from its region, keeping it (and its ops) alive, so it
    /// can be appended to another region.
    pub fn detach_block(&mut self, block: BlockId) {
        if let Some(region) = self.blocks[block].parent.take() {
            self.regions[region].blocks.retain(|&b| b != block);
        }
    }

    /// Erases argument `index` of `block`, which must have no uses; later
    /// arguments shift down by one.
    pub fn erase_block_argument(&mut self, block: BlockId, index: usize) {
        let v = self.blocks[block].arguments.remove(index);
        debug_assert!(self.values[v].uses.is_empty(), "erasing a block argument that is still used");
        self.values.free(v);
        for (i, &arg) in self.blocks[block].arguments.iter().enumerate().skip(index) {
            self.values[arg].def = ValueDef::BlockArgument { block, index: i as u32 };
        }
    }

    /// Changes the location of `op` (e.g. to a call-site location when inlining).
    pub fn set_op_location(&mut self, op: OpId, location: Location) {
        self.ops[op].location = location;
    }

    /// Appends `block` to `region`.
    pub fn append_block(&mut self, region: RegionId, block: BlockId) {
        debug_assert!(self.blocks[block].parent.is_none(), "block already attached");
        self.blocks[block].parent = Some(region);
        self.regions[region].blocks.push(block);
    }

    /// Creates a block with the given arguments at the end of `region`.
    pub fn append_new_block(&mut self, region: RegionId, args: &[(Type, Location)]) -> BlockId {
        let b = self.create_block(args);
        self.append_block(region, b);
        b
    }

    // ----- placement --------------------------------------------------------

    /// Inserts a detached op at `ip`.
    pub fn insert_op(&mut self, ip: InsertPoint, op: OpId) {
        debug_assert!(self.ops[op].parent.is_none(), "op already in a block");
        let (block, prev, next) = match ip {
            InsertPoint::BlockEnd(b) => (b, self.blocks[b].last, None),
            InsertPoint::BlockStart(b) => (b, None, self.blocks[b].first),
            InsertPoint::Before(anchor) => {
                let a = &self.ops[anchor];
                (a.parent.expect("anchor op is not in a block"), a.prev, Some(anchor))
            }
            InsertPoint::After(anchor) => {
                let a = &self.ops[anchor];
                (a.parent.expect("anchor op is not in a block"), Some(anchor), a.next)
            }
        };
        {
            let d = &mut self.ops[op];
            d.parent = Some(block);
            d.prev = prev;
            d.next = next;
        }
        match prev {
            Some(p) => self.ops[p].next = Some(op),
            None => self.blocks[block].first = Some(op),
        }
        match next {
            Some(n) => self.ops[n].prev = Some(op),
            None => self.blocks[block].last = Some(op),
        }
    }

    /// Appends a detached op at the end of `block`.
    pub fn append_op(&mut self, block: BlockId, op: OpId) {
        self.insert_op(InsertPoint::BlockEnd(block), op);
    }

    /// Unlinks `op` from its block, keeping it (and its uses) alive.
    pub fn detach_op(&mut self, op: OpId) {
        let (parent, prev, next) = {
            let d = &self.ops[op];
            (d.parent, d.prev, d.next)
        };
        let Some(block) = parent else { return };
        match prev {
            Some(p) => self.ops[p].next = next,
            None => self.blocks[block].first = next,
        }
        match next {
            Some(n) => self.ops[n].prev = prev,
            None => self.blocks[block].last = prev,
        }
        let d = &mut self.ops[op];
        d.parent = None;
        d.prev = None;
        d.next = None;
    }

    /// Moves `op` to `ip`.
    pub fn move_op(&mut self, op: OpId, ip: InsertPoint) {
        self.detach_op(op);
        self.insert_op(ip, op);
    }

    /// Erases `op`, its regions and its results. Callers must first replace
    /// the uses of its results; a remaining use becomes a stale handle that
    /// the verifier reports.
    pub fn erase_op(&mut self, op: OpId) {
        self.detach_op(op);
        self.erase_detached(op);
    }

    fn erase_detached(&mut self, op: OpId) {
        if !self.ops.contains(op) {
            return;
        }
        self.unlink_operands(op);
        let Some(data) = self.ops.free(op) else { return };
        for r in data.regions {
            self.erase_region(r);
        }
        for v in data.results {
            self.values.free(v);
        }
    }

    /// Erases a region and everything in it.
    pub fn erase_region(&mut self, region: RegionId) {
        let Some(data) = self.regions.free(region) else { return };
        // Uses may cross blocks: drop every operand first, then free.
        for &b in &data.blocks {
            for op in self.block_ops(b) {
                self.drop_all_uses_in(op);
            }
        }
        for b in data.blocks {
            self.erase_block_contents(b);
        }
    }

    fn erase_block_contents(&mut self, block: BlockId) {
        let ops = self.block_ops(block);
        for op in ops {
            self.erase_detached(op);
        }
        if let Some(b) = self.blocks.free(block) {
            for v in b.arguments {
                self.values.free(v);
            }
        }
    }

    /// Erases a block of a region (its ops must have no outside users).
    pub fn erase_block(&mut self, block: BlockId) {
        if let Some(region) = self.blocks[block].parent {
            self.regions[region].blocks.retain(|&b| b != block);
        }
        for op in self.block_ops(block) {
            self.drop_all_uses_in(op);
        }
        self.erase_block_contents(block);
    }

    /// Drops every operand of `op` and of ops nested in it, so they can be
    /// erased in any order.
    pub fn drop_all_uses_in(&mut self, op: OpId) {
        for nested in self.walk(op) {
            self.unlink_operands(nested);
        }
    }

    /// Sets the operand list of `op` (which has none) and records each use.
    fn link_operands(&mut self, op: OpId, operands: &[Value]) {
        let mut positions = SmallVec::with_capacity(operands.len());
        for (i, &v) in operands.iter().enumerate() {
            let uses = &mut self.values[v].uses;
            positions.push(uses.len() as u32);
            uses.push(Use { op, operand: i as u32 });
        }
        let d = &mut self.ops[op];
        d.operands = SmallVec::from_slice(operands);
        d.use_pos = positions;
    }

    /// Removes every operand of `op` and its entries in the use lists.
    fn unlink_operands(&mut self, op: OpId) {
        // Positions are read one at a time: removing one use may move
        // another use of this same op within a shared use list.
        for i in 0..self.ops[op].operands.len() {
            let (v, pos) = (self.ops[op].operands[i], self.ops[op].use_pos[i]);
            self.remove_use_at(v, pos as usize);
        }
        let d = &mut self.ops[op];
        d.operands.clear();
        d.use_pos.clear();
    }

    /// Removes entry `pos` of `v`'s use list in O(1) and fixes the position
    /// recorded for the use moved into its place.
    fn remove_use_at(&mut self, v: Value, pos: usize) {
        let Some(vd) = self.values.get_mut(v) else { return };
        if pos >= vd.uses.len() {
            return;
        }
        vd.uses.swap_remove(pos);
        if let Some(&moved) = vd.uses.get(pos) {
            if let Some(d) = self.ops.get_mut(moved.op) {
                d.use_pos[moved.operand as usize] = pos as u32;
            }
        }
    }

    // ----- operand and use edits ---------------------------------------------

    /// Replaces operand `index` of `op` with `value`.
    pub fn set_operand(&mut self, op: OpId, index: usize, value: Value) {
        let old = self.ops[op].operands[index];
        let pos = self.ops[op].use_pos[index] as usize;
        self.remove_use_at(old, pos);
        let uses = &mut self.values[value].uses;
        let new_pos = uses.len() as u32;
        uses.push(Use { op, operand: index as u32 });
        let d = &mut self.ops[op];
        d.operands[index] = value;
        d.use_pos[index] = new_pos;
    }

    /// Replaces the whole operand list of `op`.
    pub fn set_operands(&mut self, op: OpId, operands: &[Value]) {
        self.unlink_operands(op);
        self.link_operands(op, operands);
    }

    /// Makes every user of `from` use `to` instead.
    pub fn replace_all_uses(&mut self, from: Value, to: Value) {
        if from == to {
            return;
        }
        let uses = std::mem::take(&mut self.values[from].uses);
        let base = self.values[to].uses.len();
        for (k, u) in uses.iter().enumerate() {
            let d = &mut self.ops[u.op];
            d.operands[u.operand as usize] = to;
            d.use_pos[u.operand as usize] = (base + k) as u32;
        }
        self.values[to].uses.extend(uses);
    }

    /// Replaces each result of `op` by the matching value, then erases `op`.
    pub fn replace_op(&mut self, op: OpId, values: &[Value]) {
        let results = self.ops[op].results.clone();
        assert_eq!(results.len(), values.len(), "replace_op: result count mismatch");
        for (r, v) in results.iter().zip(values) {
            self.replace_all_uses(*r, *v);
        }
        self.erase_op(op);
    }

    /// Changes the type of a value in place (for type conversions).
    pub fn set_value_type(&mut self, v: Value, ty: Type) {
        self.values[v].ty = ty;
    }

    // ----- attributes -------------------------------------------------------

    /// The attribute named `name` on `op`.
    pub fn attr(&self, op: OpId, name: &str) -> Option<Attribute> {
        self.ops[op].attributes.iter().find(|a| self.ident_str(a.name) == name).map(|a| a.value)
    }

    /// Sets (or replaces) an attribute.
    pub fn set_attr(&mut self, op: OpId, name: &str, value: Attribute) {
        let name = self.ident(name);
        let mut attrs = std::mem::take(&mut self.ops[op].attributes);
        self.insert_sorted_attr(&mut attrs, NamedAttr { name, value });
        self.ops[op].attributes = attrs;
    }

    /// Removes an attribute, returning it.
    pub fn remove_attr(&mut self, op: OpId, name: &str) -> Option<Attribute> {
        let pos = self.ops[op].attributes.iter().position(|a| self.ident_str(a.name) == name)?;
        Some(self.ops[op].attributes.remove(pos).value)
    }

    /// All attributes of `op`, sorted by name.
    pub fn attrs(&self, op: OpId) -> &[NamedAttr] {
        &self.ops[op].attributes
    }

    // ----- queries ----------------------------------------------------------

    /// The stored form of `op`. Panics on a stale handle.
    pub fn op(&self, op: OpId) -> &OperationData {
        &self.ops[op]
    }

    /// Whether `op` is still alive.
    pub fn is_op_alive(&self, op: OpId) -> bool {
        self.ops.contains(op)
    }

    /// Whether `v` is still alive.
    pub fn is_value_alive(&self, v: Value) -> bool {
        self.values.contains(v)
    }

    /// Whether `block` is still alive.
    pub fn is_block_alive(&self, b: BlockId) -> bool {
        self.blocks.contains(b)
    }

    /// The op's name text.
    pub fn op_name(&self, op: OpId) -> &str {
        self.ident_str(self.ops[op].name)
    }

    /// The op's registration, if its name is registered.
    pub fn op_info(&self, op: OpId) -> Option<&OpInfo> {
        self.op_info_by_ident(self.ops[op].name)
    }

    /// The op's location.
    pub fn op_location(&self, op: OpId) -> Location {
        self.ops[op].location
    }

    /// Operands of `op`.
    pub fn operands(&self, op: OpId) -> &[Value] {
        &self.ops[op].operands
    }

    /// Operand `i` of `op`.
    pub fn operand(&self, op: OpId, i: usize) -> Value {
        self.ops[op].operands[i]
    }

    /// Results of `op`.
    pub fn results(&self, op: OpId) -> &[Value] {
        &self.ops[op].results
    }

    /// Result `i` of `op`.
    pub fn result(&self, op: OpId, i: usize) -> Value {
        self.ops[op].results[i]
    }

    /// Regions of `op`.
    pub fn regions(&self, op: OpId) -> &[RegionId] {
        &self.ops[op].regions
    }

    /// Successor blocks of `op`.
    pub fn successors(&self, op: OpId) -> &[BlockId] {
        &self.ops[op].successors
    }

    /// Type of a value.
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v].ty
    }

    /// What defines a value.
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v].def
    }

    /// The op defining `v`, if it is an op result.
    pub fn defining_op(&self, v: Value) -> Option<OpId> {
        match self.values[v].def {
            ValueDef::OpResult { op, .. } => Some(op),
            ValueDef::BlockArgument { .. } => None,
        }
    }

    /// The location of a value: its op's, or the block argument's own.
    pub fn value_location(&self, v: Value) -> Location {
        let d = &self.values[v];
        match (d.location, d.def) {
            (Some(l), _) => l,
            (None, ValueDef::OpResult { op, .. }) => self.ops[op].location,
            (None, ValueDef::BlockArgument { .. }) => self.unknown_loc(),
        }
    }

    /// Every use of `v`.
    pub fn uses(&self, v: Value) -> &[Use] {
        &self.values[v].uses
    }

    /// Whether `v` has no uses.
    pub fn is_unused(&self, v: Value) -> bool {
        self.values[v].uses.is_empty()
    }

    /// Arguments of a block.
    pub fn block_arguments(&self, b: BlockId) -> &[Value] {
        &self.blocks[b].arguments
    }

    /// Ops of a block, in order.
    pub fn block_ops(&self, b: BlockId) -> Vec<OpId> {
        self.block_ops_iter(b).collect()
    }

    /// Iterates the ops of a block in order without allocating.
    pub fn block_ops_iter(&self, b: BlockId) -> BlockOps<'_> {
        BlockOps { ctx: self, next: self.blocks[b].first }
    }

    /// First op of a block.
    pub fn first_op(&self, b: BlockId) -> Option<OpId> {
        self.blocks[b].first
    }

    /// Last op of a block (its terminator when the block is well formed).
    pub fn last_op(&self, b: BlockId) -> Option<OpId> {
        self.blocks[b].last
    }

    /// The op after `op` in its block.
    pub fn next_op(&self, op: OpId) -> Option<OpId> {
        self.ops[op].next
    }

    /// The op before `op` in its block.
    pub fn prev_op(&self, op: OpId) -> Option<OpId> {
        self.ops[op].prev
    }

    /// Blocks of a region, entry first.
    pub fn region_blocks(&self, r: RegionId) -> &[BlockId] {
        &self.regions[r].blocks
    }

    /// The entry block of a region.
    pub fn entry_block(&self, r: RegionId) -> Option<BlockId> {
        self.regions[r].blocks.first().copied()
    }

    /// The block containing `op`.
    pub fn parent_block(&self, op: OpId) -> Option<BlockId> {
        self.ops[op].parent
    }

    /// The region containing `block`.
    pub fn block_parent_region(&self, b: BlockId) -> Option<RegionId> {
        self.blocks[b].parent
    }

    /// The op owning `region`.
    pub fn region_parent_op(&self, r: RegionId) -> Option<OpId> {
        self.regions[r].parent
    }

    /// The region containing `op`.
    pub fn parent_region(&self, op: OpId) -> Option<RegionId> {
        self.parent_block(op).and_then(|b| self.block_parent_region(b))
    }

    /// The op whose region contains `op`.
    pub fn parent_op(&self, op: OpId) -> Option<OpId> {
        self.parent_region(op).and_then(|r| self.region_parent_op(r))
    }

    /// The op owning the block `b` (through its region).
    pub fn block_parent_op(&self, b: BlockId) -> Option<OpId> {
        self.block_parent_region(b).and_then(|r| self.region_parent_op(r))
    }

    /// Whether `ancestor` is `op` or contains it.
    pub fn is_ancestor(&self, ancestor: OpId, op: OpId) -> bool {
        let mut cur = Some(op);
        while let Some(o) = cur {
            if o == ancestor {
                return true;
            }
            cur = self.parent_op(o);
        }
        false
    }

    /// Every op nested in `root` (itself included), pre-order.
    pub fn walk(&self, root: OpId) -> Vec<OpId> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(op) = stack.pop() {
            out.push(op);
            // Push in reverse so that the pre-order visits regions and ops in order.
            for &r in self.ops[op].regions.iter().rev() {
                for &b in self.regions[r].blocks.iter().rev() {
                    let mut cur = self.blocks[b].last;
                    while let Some(o) = cur {
                        stack.push(o);
                        cur = self.ops[o].prev;
                    }
                }
            }
        }
        out
    }

    /// Every op nested in `root` (itself included), post-order: children
    /// before parents, so erasing while iterating is safe.
    pub fn walk_post_order(&self, root: OpId) -> Vec<OpId> {
        let mut out = Vec::new();
        self.walk_post_into(root, &mut out);
        out
    }

    fn walk_post_into(&self, op: OpId, out: &mut Vec<OpId>) {
        for &r in self.ops[op].regions.iter() {
            for &b in &self.regions[r].blocks {
                let mut cur = self.blocks[b].first;
                while let Some(o) = cur {
                    self.walk_post_into(o, out);
                    cur = self.ops[o].next;
                }
            }
        }
        out.push(op);
    }

    /// Detaches a block's ops into a list, leaving the block empty.
    pub fn take_block_ops(&mut self, b: BlockId) -> Vec<OpId> {
        let ops = self.block_ops(b);
        for &op in &ops {
            self.detach_op(op);
        }
        ops
    }

    /// Moves the blocks of `from` to the end of `to`.
    pub fn move_region_blocks(&mut self, from: RegionId, to: RegionId) {
        let blocks = std::mem::take(&mut self.regions[from].blocks);
        for b in blocks {
            self.blocks[b].parent = None;
            self.append_block(to, b);
        }
    }

    /// Deep-copies `op` (with its regions) as a detached op. Operands defined
    /// outside `op` are mapped through `mapping` when present there; values
    /// defined inside are mapped to their copies (and added to `mapping`).
    pub fn clone_op(&mut self, op: OpId, mapping: &mut rustc_hash::FxHashMap<Value, Value>) -> OpId {
        let data = &self.ops[op];
        let name = data.name;
        let location = data.location;
        let operands: Vec<Value> = data.operands.iter().map(|v| *mapping.get(v).unwrap_or(v)).collect();
        let attributes: Vec<NamedAttr> = data.attributes.to_vec();
        let successors: Vec<BlockId> = data.successors.to_vec();
        let src_regions: Vec<RegionId> = data.regions.to_vec();
        let result_types: Vec<Type> = data.results.iter().map(|v| self.values[*v].ty).collect();
        let mut regions = Vec::with_capacity(src_regions.len());
        for r in src_regions {
            let nr = self.create_region();
            self.clone_region_into(r, nr, mapping);
            regions.push(nr);
        }
        let new = self.create_op(OperationState {
            name,
            location,
            operands,
            result_types,
            attributes,
            regions,
            successors,
        });
        let old_results = self.ops[op].results.clone();
        for (o, n) in old_results.iter().zip(self.ops[new].results.clone()) {
            mapping.insert(*o, n);
        }
        new
    }

    /// Copies the blocks of `from` to the end of `to`, extending `mapping`.
    pub fn clone_region_into(
        &mut self,
        from: RegionId,
        to: RegionId,
        mapping: &mut rustc_hash::FxHashMap<Value, Value>,
    ) {
        let blocks = self.regions[from].blocks.clone();
        let mut block_map = rustc_hash::FxHashMap::default();
        // Create all blocks first so forward successor references resolve.
        for &b in &blocks {
            let args: Vec<(Type, Location)> = self.blocks[b]
                .arguments
                .iter()
                .map(|v| (self.values[*v].ty, self.value_location(*v)))
                .collect();
            let nb = self.append_new_block(to, &args);
            for (o, n) in self.blocks[b].arguments.clone().iter().zip(self.blocks[nb].arguments.clone()) {
                mapping.insert(*o, n);
            }
            block_map.insert(b, nb);
        }
        for &b in &blocks {
            let nb = block_map[&b];
            for op in self.block_ops(b) {
                let new = self.clone_op(op, mapping);
                let succ: SmallVec<[BlockId; 1]> =
                    self.ops[new].successors.iter().map(|s| *block_map.get(s).unwrap_or(s)).collect();
                self.ops[new].successors = succ;
                self.append_op(nb, new);
            }
        }
        // Operands that referred to values defined later in the region (graph
        // regions, back edges) were cloned before their definitions: remap now.
        for &b in &blocks {
            let nb = block_map[&b];
            for op in self.block_ops(nb) {
                for nested in self.walk(op) {
                    let operands = self.ops[nested].operands.clone();
                    for (i, v) in operands.iter().enumerate() {
                        if let Some(&m) = mapping.get(v) {
                            if m != *v {
                                self.set_operand(nested, i, m);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Iterator over the ops of a block; see [`Context::block_ops_iter`].
pub struct BlockOps<'a> {
    ctx: &'a Context,
    next: Option<OpId>,
}

impl Iterator for BlockOps<'_> {
    type Item = OpId;
    fn next(&mut self) -> Option<OpId> {
        let cur = self.next?;
        self.next = self.ctx.ops[cur].next;
        Some(cur)
    }
}
