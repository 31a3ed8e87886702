//! `arith.constant` and the dialect's constant materializer.

use axir_ir::{
    declare_op, Arity, Attribute, AttributeData, Context, DiagResult, Location, OpBuilder, OpDefinition,
    OpId, OpTraits, OperationState, Signedness, Type, TypeData, Value,
};

use crate::attrs::VALUE_ATTR;
use crate::syntax;

fn verify_constant(ctx: &Context, op: OpId) -> DiagResult {
    let result = ctx.value_type(ctx.result(op, 0));
    let value = ctx.attr(op, VALUE_ATTR);
    if value.and_then(|v| ctx.attr_type(v)) != Some(result) {
        return Err(ctx.op_error(op, "failed to verify that all of {value, result} have same type"));
    }
    if matches!(ctx.type_data(result), TypeData::Integer { signedness, .. } if *signedness != Signedness::Signless)
    {
        return Err(ctx.op_error(op, "integer return type must be signless"));
    }
    if !value.is_some_and(|v| {
        matches!(
            ctx.attr_data(v),
            AttributeData::Integer { .. } | AttributeData::Float { .. } | AttributeData::DenseElements { .. }
        )
    }) {
        return Err(ctx.op_error(op, "value must be an integer, float, or elements attribute"));
    }
    Ok(())
}

declare_op! {
    /// A constant integer, index, float, or dense vector/tensor. The result
    /// has the type of the `value` attribute; integers are signless.
    ///
    /// ```axir
    /// %c = arith.constant 1.000000e+00 : f32
    /// %i = arith.constant 42 : index
    /// %t = arith.constant true
    /// %v = arith.constant dense<[1, 2]> : vector<2xi32>
    /// ```
    pub struct ConstantOp = "arith.constant";
    summary = "integer or floating point constant";
    traits(OpTraits::PURE.union(OpTraits::CONSTANT_LIKE));
    operands(Arity::Exact(0));
    results(Arity::Exact(1));
    required_attrs(&[VALUE_ATTR]);
    verifier(verify_constant);
    interface(syntax::constant_assembly());
}

impl ConstantOp {
    /// Creates a constant of the typed attribute `value` (integer, float or
    /// dense elements); its type is the result type.
    pub fn build(b: &mut OpBuilder<'_>, value: Attribute, loc: Location) -> Option<Self> {
        let state = constant_state(b, value, loc)?;
        Some(ConstantOp(b.create(state)))
    }

    /// Creates an integer or index constant of type `ty` (wrapped to its width).
    pub fn int(b: &mut OpBuilder<'_>, value: i128, ty: Type, loc: Location) -> Self {
        let attr = b.integer_attr(value, ty);
        let state = state_for(b, attr, ty, loc);
        ConstantOp(b.create(state))
    }

    /// Creates an `index` constant.
    pub fn index(b: &mut OpBuilder<'_>, value: i64, loc: Location) -> Self {
        let ty = b.index_type();
        Self::int(b, value as i128, ty, loc)
    }

    /// Creates an `i1` constant.
    pub fn bool(b: &mut OpBuilder<'_>, value: bool, loc: Location) -> Self {
        let ty = b.i1_type();
        Self::int(b, value as i128, ty, loc)
    }

    /// Creates a float constant of type `ty`, rounded to its precision.
    pub fn float(b: &mut OpBuilder<'_>, value: f64, ty: Type, loc: Location) -> Self {
        let attr = b.float_attr(value, ty);
        let state = state_for(b, attr, ty, loc);
        ConstantOp(b.create(state))
    }

    /// The `value` attribute (`None` only when the op is malformed).
    pub fn value(self, ctx: &Context) -> Option<Attribute> {
        ctx.attr(self.0, VALUE_ATTR)
    }

    /// The result.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

fn state_for(ctx: &mut Context, value: Attribute, ty: Type, loc: Location) -> OperationState {
    let (name, value_name) = (ctx.ident(ConstantOp::NAME), ctx.ident(VALUE_ATTR));
    OperationState::new(name, loc).with_results(&[ty]).with_attr(value_name, value)
}

/// The state of an `arith.constant` producing `value`, if `value` is a
/// typed integer, float or dense-elements attribute.
pub fn constant_state(ctx: &mut Context, value: Attribute, loc: Location) -> Option<OperationState> {
    let ty = ctx.attr_type(value)?;
    let valid = match ctx.attr_data(value) {
        AttributeData::Integer { .. } => {
            matches!(
                ctx.type_data(ty),
                TypeData::Index | TypeData::Integer { signedness: Signedness::Signless, .. }
            )
        }
        AttributeData::Float { .. } => ctx.float_kind(ty).is_some(),
        AttributeData::DenseElements { .. } => true,
        _ => false,
    };
    valid.then(|| state_for(ctx, value, ty, loc))
}

/// The arith dialect's constant materializer: a detached `arith.constant`
/// producing `value` as type `ty`, or `None` when arith cannot (the value
/// is not a typed integer, float or dense attribute of type `ty`).
pub fn materialize_constant(ctx: &mut Context, value: Attribute, ty: Type, loc: Location) -> Option<OpId> {
    if ctx.attr_type(value) != Some(ty) {
        return None;
    }
    let state = constant_state(ctx, value, loc)?;
    Some(ctx.create_op(state))
}

/// The constant value of `v`, if it is produced by a constant-like op
/// (`arith.constant` or any op with the `ConstantLike` trait and a `value`).
pub fn constant_value(ctx: &Context, v: Value) -> Option<Attribute> {
    let def = ctx.defining_op(v)?;
    let constant_like = ctx.op_info(def).is_some_and(|i| i.has(OpTraits::CONSTANT_LIKE));
    if constant_like {
        ctx.attr(def, VALUE_ATTR)
    } else {
        None
    }
}
