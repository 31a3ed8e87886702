//! The constant table of the folding driver, like MLIR's `OperationFolder`.
//!
//! Constants are owned per *scope*: the entry block of the closest region
//! whose parent op is isolated from above (or is the driver's root). Owned
//! constants sit in a contiguous prefix at the start of that entry block, so
//! they dominate every use in the scope; two constants with the same dialect,
//! value and type in one scope are merged.
//!
//! Invariant: every op in `owned` that is alive is a constant-like op with no
//! operands and one result, placed in the owned prefix of its scope's entry
//! block.

use axir_ir::{Attribute, BlockId, Context, InsertPoint, Location, OpId, OpTraits, RegionId, Type, Value};
use rustc_hash::{FxHashMap, FxHashSet};

/// Name of the attribute that holds a constant-like op's value.
pub(crate) const VALUE_ATTR: &str = "value";

/// `(scope, dialect, value, type)`.
type ConstKey = (RegionId, &'static str, Attribute, Type);

/// What happened to a constant-like op offered to [`ConstantTable::insert_known`].
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum KnownConstant {
    /// It is not a constant the table can own (operands, no value, ...).
    NotOwnable,
    /// It is now owned (and was moved into the scope's prefix if needed).
    Owned,
    /// An equal constant already existed: uses were redirected to it and
    /// this op was erased.
    Merged,
}

/// Deduplicates and hoists constants; see the module docs.
#[derive(Default)]
pub(crate) struct ConstantTable {
    map: FxHashMap<ConstKey, OpId>,
    owned: FxHashSet<OpId>,
    /// Last op of the owned prefix of each scope's entry block (a hint,
    /// revalidated on use).
    prefix_end: FxHashMap<RegionId, OpId>,
}

/// The value of `v` if it is the result of a registered constant-like op.
pub(crate) fn constant_value(ctx: &Context, v: Value) -> Option<Attribute> {
    let op = ctx.defining_op(v)?;
    if !ctx.op_info(op)?.has(OpTraits::CONSTANT_LIKE) {
        return None;
    }
    ctx.attr(op, VALUE_ATTR)
}

/// The region whose entry block holds the constants used by `op`: the
/// closest enclosing region whose parent is isolated from above, or whose
/// parent is `root` (constants never leave the driver's root).
pub(crate) fn constant_scope(ctx: &Context, root: OpId, op: OpId) -> Option<RegionId> {
    let mut region = ctx.parent_region(op)?;
    loop {
        let Some(parent) = ctx.region_parent_op(region) else { return Some(region) };
        if parent == root || ctx.op_info(parent).is_some_and(|i| i.has(OpTraits::ISOLATED_FROM_ABOVE)) {
            return Some(region);
        }
        match ctx.parent_region(parent) {
            Some(r) => region = r,
            None => return Some(region),
        }
    }
}

impl ConstantTable {
    fn is_owned(&self, ctx: &Context, op: OpId) -> bool {
        self.owned.contains(&op) && ctx.is_op_alive(op)
    }

    fn key_of(ctx: &Context, scope: RegionId, op: OpId) -> Option<ConstKey> {
        let info = ctx.op_info(op)?;
        if !info.has(OpTraits::CONSTANT_LIKE) || !ctx.operands(op).is_empty() || ctx.results(op).len() != 1 {
            return None;
        }
        let value = ctx.attr(op, VALUE_ATTR)?;
        Some((scope, info.dialect(), value, ctx.value_type(ctx.result(op, 0))))
    }

    fn lookup(&mut self, ctx: &Context, key: &ConstKey) -> Option<OpId> {
        match self.map.get(key) {
            Some(&op) if ctx.is_op_alive(op) => Some(op),
            Some(_) => {
                self.map.remove(key);
                None
            }
            None => None,
        }
    }

    /// The last op of the owned prefix at the start of `entry`, if any.
    fn find_prefix_end(&mut self, ctx: &Context, scope: RegionId, entry: BlockId) -> Option<OpId> {
        let first = ctx.first_op(entry)?;
        if !self.is_owned(ctx, first) {
            return None;
        }
        // The hint is trusted only while the block still starts with an owned
        // constant; walking on from it keeps the whole table linear.
        let mut cur = match self.prefix_end.get(&scope) {
            Some(&hint) if self.is_owned(ctx, hint) && ctx.parent_block(hint) == Some(entry) => hint,
            _ => first,
        };
        while let Some(next) = ctx.next_op(cur) {
            if !self.is_owned(ctx, next) {
                break;
            }
            cur = next;
        }
        self.prefix_end.insert(scope, cur);
        Some(cur)
    }

    /// Places the (owned) constant `op` at the end of the owned prefix.
    fn hoist(&mut self, ctx: &mut Context, scope: RegionId, op: OpId) {
        let Some(entry) = ctx.entry_block(scope) else { return };
        let already_placed = self.is_owned(ctx, op)
            && ctx.parent_block(op) == Some(entry)
            && ctx.prev_op(op).is_none_or(|p| self.is_owned(ctx, p));
        if already_placed {
            return;
        }
        let end = self.find_prefix_end(ctx, scope, entry);
        if end == Some(op) {
            return;
        }
        let in_place = ctx.parent_block(op) == Some(entry) && ctx.prev_op(op) == end;
        if !in_place {
            let ip = match end {
                Some(e) => InsertPoint::After(e),
                None => InsertPoint::BlockStart(entry),
            };
            if ctx.parent_block(op).is_some() {
                ctx.move_op(op, ip);
            } else {
                ctx.insert_op(ip, op);
            }
        }
        self.owned.insert(op);
        self.prefix_end.insert(scope, op);
    }

    /// Offers an existing constant-like op to the table: the first of its
    /// kind in its scope is hoisted and owned, later ones are merged into it.
    /// Returns the users whose operands changed when merging.
    pub(crate) fn insert_known(
        &mut self,
        ctx: &mut Context,
        root: OpId,
        op: OpId,
        users: &mut Vec<OpId>,
    ) -> KnownConstant {
        let Some(scope) = constant_scope(ctx, root, op) else { return KnownConstant::NotOwnable };
        let Some(key) = Self::key_of(ctx, scope, op) else { return KnownConstant::NotOwnable };
        match self.lookup(ctx, &key) {
            Some(existing) if existing != op => {
                let from = ctx.result(op, 0);
                let to = ctx.result(existing, 0);
                users.extend(ctx.uses(from).iter().map(|u| u.op));
                ctx.replace_all_uses(from, to);
                ctx.erase_op(op);
                KnownConstant::Merged
            }
            Some(_) => {
                self.hoist(ctx, scope, op);
                KnownConstant::Owned
            }
            None => {
                self.map.insert(key, op);
                self.hoist(ctx, scope, op);
                KnownConstant::Owned
            }
        }
    }

    /// A constant of `value` and type `ty` for `op`'s scope: an existing one,
    /// or one built by `dialect`'s materializer and hoisted. `None` when the
    /// dialect cannot materialize it. The flag tells whether a new constant
    /// op was created.
    pub(crate) fn get_or_create(
        &mut self,
        ctx: &mut Context,
        request: ConstantRequest,
    ) -> Option<(Value, bool)> {
        let ConstantRequest { root, op, dialect, value, ty, location } = request;
        let scope = constant_scope(ctx, root, op)?;
        let requested: ConstKey = (scope, dialect, value, ty);
        if let Some(existing) = self.lookup(ctx, &requested) {
            return Some((ctx.result(existing, 0), false));
        }
        let materialize = ctx.registry().dialect(dialect)?.materialize_constant?;
        let new = materialize(ctx, value, ty, location)?;
        let Some(actual) = Self::key_of(ctx, scope, new).filter(|k| k.3 == ty) else {
            // A materializer that builds something else than a one-result
            // constant of the requested type cannot be used by the folder.
            tracing::warn!(dialect, "constant materializer returned an unusable op; fold dropped");
            ctx.erase_op(new);
            return None;
        };
        if let Some(existing) = self.lookup(ctx, &actual) {
            ctx.erase_op(new);
            self.map.insert(requested, existing);
            return Some((ctx.result(existing, 0), false));
        }
        self.map.insert(actual, new);
        self.map.insert(requested, new);
        self.hoist(ctx, scope, new);
        Some((ctx.result(new, 0), true))
    }
}

/// The arguments of [`ConstantTable::get_or_create`].
pub(crate) struct ConstantRequest {
    /// The driver's root.
    pub root: OpId,
    /// The op being folded; its scope receives the constant.
    pub op: OpId,
    /// The dialect asked to materialize it (the folded op's).
    pub dialect: &'static str,
    /// The constant's value.
    pub value: Attribute,
    /// The constant's type.
    pub ty: Type,
    /// Location for a new constant.
    pub location: Location,
}
