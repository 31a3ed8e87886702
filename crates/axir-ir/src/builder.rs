//! [`OpBuilder`]: creates ops at an insertion point.

use crate::attributes::Attribute;
use crate::context::Context;
use crate::location::Location;
use crate::operation::{BlockId, InsertPoint, NamedAttr, OpId, OperationState, RegionId, Value};
use crate::types::Type;

/// Creates ops and inserts them at its insertion point.
///
/// It borrows the context mutably and dereferences to it, so every context
/// query and type/attribute constructor is available on the builder.
pub struct OpBuilder<'c> {
    ctx: &'c mut Context,
    insert_point: Option<InsertPoint>,
}

impl<'c> OpBuilder<'c> {
    /// A builder with no insertion point: created ops stay detached.
    pub fn new(ctx: &'c mut Context) -> Self {
        Self { ctx, insert_point: None }
    }

    /// A builder inserting at `ip`.
    pub fn at(ctx: &'c mut Context, ip: InsertPoint) -> Self {
        Self { ctx, insert_point: Some(ip) }
    }

    /// The current insertion point.
    pub fn insert_point(&self) -> Option<InsertPoint> {
        self.insert_point
    }

    /// Moves the insertion point.
    pub fn set_insert_point(&mut self, ip: InsertPoint) {
        self.insert_point = Some(ip);
    }

    /// Inserts at the end of `block` from now on.
    pub fn set_insert_point_to_end(&mut self, block: BlockId) {
        self.insert_point = Some(InsertPoint::BlockEnd(block));
    }

    /// Inserts a detached op at the insertion point; later ops go after it.
    pub fn insert(&mut self, op: OpId) -> OpId {
        if let Some(ip) = self.insert_point {
            self.ctx.insert_op(ip, op);
            self.insert_point = Some(ip.after_inserting(op));
        }
        op
    }

    /// Creates an op from `state` and inserts it.
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

    /// Creates a region with one block with the given arguments; returns both.
    pub fn create_region_with_block(&mut self, args: &[(Type, Location)]) -> (RegionId, BlockId) {
        let r = self.ctx.create_region();
        let b = self.ctx.append_new_block(r, args);
        (r, b)
    }
}

impl std::ops::Deref for OpBuilder<'_> {
    type Target = Context;
    fn deref(&self) -> &Context {
        self.ctx
    }
}

impl std::ops::DerefMut for OpBuilder<'_> {
    fn deref_mut(&mut self) -> &mut Context {
        self.ctx
    }
}
