//! Comparisons (`cmpf`, `cmpi`) and `select`.

use axir_ir::{
    declare_op, Arity, AttributeData, Context, DiagResult, Location, OpBuilder, OpDefinition, OpId, OpTraits,
    OperationState, Signedness, TypeData, Value,
};
use axir_rewrite::{CanonicalizationPatterns, RewritePatternSet};

use crate::attrs::{verify_fastmath, PREDICATE_ATTR};
use crate::canonicalize::{
    CmpConstantToRhs, CmpExtToNarrowCmp, SelectI1ToNot, SelectNotCondition, SelectToExtUI,
};
use crate::constraints::{
    check_elementwise, check_operand, check_result, same_container_and_shape, with_element_type,
    TypeConstraint,
};
use crate::predicate::{CmpFPredicate, CmpIPredicate};
use crate::{fold, shared_folder, syntax};

const CMP_TRAITS: OpTraits = OpTraits::PURE.union(OpTraits::SAME_TYPE_OPERANDS).union(OpTraits::ELEMENTWISE);

/// Checks that `predicate` is an `i64` attribute with a value below `count`.
fn verify_predicate(ctx: &Context, op: OpId, count: i128) -> DiagResult {
    let ok = ctx.attr(op, PREDICATE_ATTR).is_some_and(|a| match ctx.attr_data(a) {
        AttributeData::Integer { value, ty } => {
            matches!(ctx.type_data(*ty), TypeData::Integer { width: 64, signedness: Signedness::Signless })
                && (0..count).contains(value)
        }
        _ => false,
    });
    if ok {
        return Ok(());
    }
    let cases: Vec<String> = (0..count).map(|i| i.to_string()).collect();
    Err(ctx.op_error(
        op,
        format!(
            "attribute 'predicate' failed to satisfy constraint: allowed 64-bit signless integer cases: {}",
            cases.join(", ")
        ),
    ))
}

/// Checks the shared shape rules of comparisons: the result is `i1` of the
/// operands' shape.
fn verify_comparison(ctx: &Context, op: OpId, operand: TypeConstraint) -> DiagResult {
    check_operand(ctx, op, 0, operand)?;
    check_operand(ctx, op, 1, operand)?;
    check_result(ctx, op, 0, TypeConstraint::BoolLike)?;
    let (lhs, result) = (ctx.value_type(ctx.operand(op, 0)), ctx.value_type(ctx.result(op, 0)));
    if !same_container_and_shape(ctx, lhs, result) {
        return Err(ctx.op_error(
            op,
            "failed to verify that result type has i1 element type and same shape as operands",
        ));
    }
    check_elementwise(ctx, op)
}

fn verify_cmpf(ctx: &Context, op: OpId) -> DiagResult {
    verify_predicate(ctx, op, 16)?;
    verify_fastmath(ctx, op)?;
    verify_comparison(ctx, op, TypeConstraint::FloatLike)
}

fn verify_cmpi(ctx: &Context, op: OpId) -> DiagResult {
    verify_predicate(ctx, op, 10)?;
    verify_comparison(ctx, op, TypeConstraint::SignlessIntegerLike)
}

/// Creates a comparison with an `i1`-like result shaped like `lhs`.
fn build_cmp(
    b: &mut OpBuilder<'_>,
    name: &str,
    predicate: i64,
    lhs: Value,
    rhs: Value,
    loc: Location,
) -> OpId {
    let lhs_ty = b.value_type(lhs);
    let i1 = b.i1_type();
    let result = with_element_type(b, lhs_ty, i1);
    let i64t = b.integer_type(64);
    let pred = b.integer_attr(predicate as i128, i64t);
    let (op_name, pred_name) = (b.ident(name), b.ident(PREDICATE_ATTR));
    let state = OperationState::new(op_name, loc)
        .with_operands(&[lhs, rhs])
        .with_results(&[result])
        .with_attr(pred_name, pred);
    b.create(state)
}

declare_op! {
    /// Compares two floats with one of 16 predicates. Ordered predicates
    /// (`oeq ogt oge olt ole one ord`) are false when an operand is NaN,
    /// unordered ones (`ueq ugt uge ult ule une uno`) are true; `false` and
    /// `true` ignore the operands. `-0.0` equals `+0.0`. The predicate is
    /// stored as an `i64` attribute (`olt` is 4), as in MLIR.
    ///
    /// ```axir
    /// %0 = arith.cmpf olt, %a, %b : f32
    /// %1 = arith.cmpf uno, %v, %w : vector<4xf32>
    /// ```
    pub struct CmpFOp = "arith.cmpf";
    summary = "floating-point comparison operation";
    traits(CMP_TRAITS);
    operands(Arity::Exact(2));
    results(Arity::Exact(1));
    required_attrs(&[PREDICATE_ATTR]);
    verifier(verify_cmpf);
    folder(shared_folder!(fold::cmpf));
    interface(CanonicalizationPatterns { populate: populate_cmpf });
    interface(syntax::compare_assembly(syntax::PredicateKind::Float));
}

fn populate_cmpf(patterns: &mut RewritePatternSet) {
    patterns.add(CmpConstantToRhs::new("arith.cmpf"));
}

impl CmpFOp {
    /// Creates `cmpf predicate, lhs, rhs`; the result is `i1` shaped like `lhs`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        predicate: CmpFPredicate,
        lhs: Value,
        rhs: Value,
        loc: Location,
    ) -> Self {
        CmpFOp(build_cmp(b, Self::NAME, predicate.value(), lhs, rhs, loc))
    }

    /// The predicate (`None` only when the op is malformed).
    pub fn predicate(self, ctx: &Context) -> Option<CmpFPredicate> {
        ctx.attr(self.0, PREDICATE_ATTR).and_then(|a| ctx.attr_as_int(a)).and_then(CmpFPredicate::from_value)
    }

    /// The left operand.
    pub fn lhs(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 0)
    }

    /// The right operand.
    pub fn rhs(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 1)
    }

    /// The result.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

declare_op! {
    /// Compares two integers (or indices) with one of 10 predicates; `s*`
    /// predicates read the operands as signed, `u*` ones as unsigned. The
    /// predicate is stored as an `i64` attribute (`slt` is 2), as in MLIR.
    ///
    /// ```axir
    /// %0 = arith.cmpi slt, %a, %b : i32
    /// %1 = arith.cmpi eq, %i, %j : index
    /// ```
    pub struct CmpIOp = "arith.cmpi";
    summary = "integer comparison operation";
    traits(CMP_TRAITS);
    operands(Arity::Exact(2));
    results(Arity::Exact(1));
    required_attrs(&[PREDICATE_ATTR]);
    verifier(verify_cmpi);
    folder(shared_folder!(fold::cmpi));
    interface(CanonicalizationPatterns { populate: populate_cmpi });
    interface(syntax::compare_assembly(syntax::PredicateKind::Integer));
}

fn populate_cmpi(patterns: &mut RewritePatternSet) {
    patterns.add(CmpConstantToRhs::new("arith.cmpi"));
    patterns.add(CmpExtToNarrowCmp);
}

impl CmpIOp {
    /// Creates `cmpi predicate, lhs, rhs`; the result is `i1` shaped like `lhs`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        predicate: CmpIPredicate,
        lhs: Value,
        rhs: Value,
        loc: Location,
    ) -> Self {
        CmpIOp(build_cmp(b, Self::NAME, predicate.value(), lhs, rhs, loc))
    }

    /// The predicate (`None` only when the op is malformed).
    pub fn predicate(self, ctx: &Context) -> Option<CmpIPredicate> {
        ctx.attr(self.0, PREDICATE_ATTR).and_then(|a| ctx.attr_as_int(a)).and_then(CmpIPredicate::from_value)
    }

    /// The left operand.
    pub fn lhs(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 0)
    }

    /// The right operand.
    pub fn rhs(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 1)
    }

    /// The result.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}

fn verify_select(ctx: &Context, op: OpId) -> DiagResult {
    check_operand(ctx, op, 0, TypeConstraint::BoolLike)?;
    let (t, e, r) = (
        ctx.value_type(ctx.operand(op, 1)),
        ctx.value_type(ctx.operand(op, 2)),
        ctx.value_type(ctx.result(op, 0)),
    );
    if t != e || t != r {
        return Err(
            ctx.op_error(op, "failed to verify that all of {true_value, false_value, result} have same type")
        );
    }
    // The condition is a scalar i1, or has the result's shape (whatever
    // the container: a container mismatch is the elementwise rule's).
    let cond = ctx.value_type(ctx.operand(op, 0));
    let scalar_i1 = matches!(ctx.type_data(cond), TypeData::Integer { .. });
    if !scalar_i1 && ctx.type_data(cond).shape() != ctx.type_data(r).shape() {
        return Err(ctx.op_error(op, "failed to verify that condition is signless i1 or has matching shape"));
    }
    check_elementwise(ctx, op)
}

declare_op! {
    /// Chooses between two values: `true_value` where the condition is true,
    /// `false_value` where it is false. A scalar `i1` condition chooses
    /// whole values; an `i1` vector or tensor condition of the result's
    /// shape chooses element by element.
    ///
    /// ```axir
    /// %0 = arith.select %c, %a, %b : f32
    /// %1 = arith.select %m, %v, %w : vector<4xi1>, vector<4xf32>
    /// ```
    pub struct SelectOp = "arith.select";
    summary = "select operation";
    traits(OpTraits::PURE.union(OpTraits::ELEMENTWISE));
    operands(Arity::Exact(3));
    results(Arity::Exact(1));
    verifier(verify_select);
    folder(shared_folder!(fold::select));
    interface(CanonicalizationPatterns { populate: populate_select });
    interface(syntax::select_assembly());
}

fn populate_select(patterns: &mut RewritePatternSet) {
    patterns.add(SelectNotCondition);
    patterns.add(SelectI1ToNot);
    patterns.add(SelectToExtUI);
}

impl SelectOp {
    /// Creates `select cond, true_value, false_value`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        cond: Value,
        true_value: Value,
        false_value: Value,
        loc: Location,
    ) -> Self {
        let ty = b.value_type(true_value);
        SelectOp(super::build_one(b, Self::NAME, &[cond, true_value, false_value], ty, loc))
    }

    /// The condition.
    pub fn condition(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 0)
    }

    /// The value chosen where the condition is true.
    pub fn true_value(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 1)
    }

    /// The value chosen where the condition is false.
    pub fn false_value(self, ctx: &Context) -> Value {
        ctx.operand(self.0, 2)
    }

    /// The result.
    pub fn result(self, ctx: &Context) -> Value {
        ctx.result(self.0, 0)
    }
}
