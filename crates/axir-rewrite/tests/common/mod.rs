//! A `test` dialect for the rewrite tests, built with the IR core only.

#![allow(dead_code)]

use axir_ir::{
    Arity, Attribute, AttributeData, BlockId, Context, DialectInfo, DialectRegistry, FoldResult, InsertPoint,
    Location, OpBuilder, OpId, OpInfo, OpTraits, Type, Value,
};
use std::sync::Arc;

/// `test.add` folds `x + 0` and `0 + x` to `x`.
fn fold_add(ctx: &mut Context, op: OpId, operands: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    let int = |a: Option<Attribute>| a.and_then(|a| ctx.attr_as_int(a));
    match (int(operands[0]), int(operands[1])) {
        (_, Some(0)) => Some(vec![FoldResult::Value(ctx.operand(op, 0))]),
        (Some(0), _) => Some(vec![FoldResult::Value(ctx.operand(op, 1))]),
        _ => None,
    }
}

/// `test.addc` folds `c1 + c2` to a constant.
fn fold_addc(ctx: &mut Context, _op: OpId, operands: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    let (Some(a), Some(b)) = (operands[0], operands[1]) else { return None };
    let (AttributeData::Integer { value: x, ty }, Some(y)) = (ctx.attr_data(a).clone(), ctx.attr_as_int(b))
    else {
        return None;
    };
    Some(vec![FoldResult::Attribute(ctx.integer_attr(x + y, ty))])
}

fn materialize(ctx: &mut Context, value: Attribute, ty: Type, loc: Location) -> Option<OpId> {
    let mut b = OpBuilder::new(ctx);
    Some(b.create_named("test.constant", loc, &[], &[ty], &[("value", value)]))
}

/// The registry with the `test` dialect.
pub fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    r.register_dialect(DialectInfo::new("test", "test ops").constant_materializer(materialize)).unwrap();
    let pure1 = |name: &'static str| {
        OpInfo::new(name, "unary", "")
            .traits(OpTraits::PURE)
            .operands(Arity::Exact(1))
            .results(Arity::Exact(1))
    };
    let ops = vec![
        OpInfo::new("test.constant", "constant", "")
            .traits(OpTraits::PURE | OpTraits::CONSTANT_LIKE)
            .results(Arity::Exact(1))
            .required_attrs(&["value"]),
        OpInfo::new("test.add", "add", "")
            .traits(OpTraits::PURE | OpTraits::COMMUTATIVE)
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1))
            .folder(fold_add),
        OpInfo::new("test.addc", "add with constant folding", "")
            .traits(OpTraits::PURE)
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1))
            .folder(fold_addc),
        OpInfo::new("test.sub", "sub", "")
            .traits(OpTraits::PURE)
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1)),
        pure1("test.neg"),
        pure1("test.a"),
        pure1("test.b"),
        pure1("test.cast"),
        OpInfo::new("test.use", "side effect", "").operands(Arity::ANY),
        OpInfo::new("test.effect", "side effect with a result", "").operands(Arity::ANY).results(Arity::ANY),
        OpInfo::new("test.func", "isolated", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::NO_TERMINATOR)
            .regions(Arity::Exact(1)),
        OpInfo::new("test.region", "not isolated", "")
            .traits(OpTraits::NO_TERMINATOR)
            .operands(Arity::ANY)
            .results(Arity::ANY)
            .regions(Arity::Exact(1)),
        OpInfo::new("test.module", "top", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::NO_TERMINATOR | OpTraits::SYMBOL_TABLE)
            .regions(Arity::Exact(1)),
        OpInfo::new("test.wide_add", "converted add", "")
            .traits(OpTraits::PURE)
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1)),
        OpInfo::new("test.illegal", "never convertible", "").operands(Arity::ANY).results(Arity::ANY),
    ];
    for op in ops {
        r.register_op(op).unwrap();
    }
    Arc::new(r)
}

/// A context with the `test` dialect, a `test.module` holding one
/// `test.func`; returns the module and the function's body block.
pub fn setup() -> (Context, OpId, BlockId) {
    let mut ctx = Context::new(registry());
    let loc = ctx.unknown_loc();
    let module_region = ctx.create_region();
    let module_block = ctx.append_new_block(module_region, &[]);
    let module_state = axir_ir::OperationState::new(ctx.ident("test.module"), loc).with_region(module_region);
    let module = ctx.create_op(module_state);
    let (func, body) = region_op(&mut ctx, "test.func", InsertPoint::BlockEnd(module_block), &[]);
    let _ = func;
    (ctx, module, body)
}

/// Creates op `name` with one region of one block at `ip`; returns both.
pub fn region_op(ctx: &mut Context, name: &str, ip: InsertPoint, operands: &[Value]) -> (OpId, BlockId) {
    let loc = ctx.unknown_loc();
    let region = ctx.create_region();
    let block = ctx.append_new_block(region, &[]);
    let state =
        axir_ir::OperationState::new(ctx.ident(name), loc).with_operands(operands).with_region(region);
    let op = ctx.create_op(state);
    ctx.insert_op(ip, op);
    (op, block)
}

/// Builds ops at the end of a block.
pub struct Build<'c> {
    pub b: OpBuilder<'c>,
    pub line: u32,
}

impl<'c> Build<'c> {
    pub fn at_end(ctx: &'c mut Context, block: BlockId) -> Self {
        Self { b: OpBuilder::at(ctx, InsertPoint::BlockEnd(block)), line: 0 }
    }

    /// Each op gets its own line, so tests can tell locations apart.
    pub fn loc(&mut self) -> Location {
        self.line += 1;
        let line = self.line;
        self.b.file_loc("test.axir", line, 1)
    }

    pub fn i32(&mut self) -> Type {
        self.b.integer_type(32)
    }

    pub fn constant(&mut self, value: i128) -> Value {
        let ty = self.i32();
        let a = self.b.integer_attr(value, ty);
        let loc = self.loc();
        let op = self.b.create_named("test.constant", loc, &[], &[ty], &[("value", a)]);
        self.b.result(op, 0)
    }

    pub fn op(&mut self, name: &str, operands: &[Value]) -> Value {
        let ty = self.i32();
        let loc = self.loc();
        let op = self.b.create_named(name, loc, operands, &[ty], &[]);
        self.b.result(op, 0)
    }

    pub fn sink(&mut self, operands: &[Value]) -> OpId {
        let loc = self.loc();
        self.b.create_named("test.use", loc, operands, &[], &[])
    }
}

/// `name` of each op of `block`, with the integer value of constants.
pub fn summary(ctx: &Context, block: BlockId) -> Vec<String> {
    ctx.block_ops(block)
        .into_iter()
        .map(|op| match ctx.attr(op, "value").and_then(|a| ctx.attr_as_int(a)) {
            Some(v) => format!("{} {v}", ctx.op_name(op)),
            None => ctx.op_name(op).to_string(),
        })
        .collect()
}
