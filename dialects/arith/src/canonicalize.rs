//! Canonicalization patterns of the arith ops, one per identity.
//!
//! Policy (as in Cranelift's mid-end): **a pattern never changes what the
//! program computes, never adds ops in the steady state, and never undoes
//! another pattern**, so the greedy driver converges. Each pattern's doc
//! comment states its identity; it returns `false` without touching the IR
//! when it does not apply.
//!
//! The canonical form: constants on the right of commutative ops and
//! comparisons; chains of constant additions/multiplications folded into
//! one constant; casts of casts collapsed; `select` on a negated condition
//! swapped.
//!
//! Like MLIR's, the patterns assume verified IR (the pass manager verifies
//! before and after each pass): they index operands by position.

use axir_ir::{Attribute, Context, FoldResult, OpDefinition, OpId, OperationState, Type, TypeData, Value};
use axir_rewrite::{PatternRewriter, RewritePattern};

use crate::apint::ApInt;
use crate::attrs::PREDICATE_ATTR;
use crate::constraints::with_element_type;
use crate::fold::{
    element_kind, map_elements, splat_data, to_attribute_data, ConstValue, ElementKind, Folder, FolderFn,
    Scalar,
};
use crate::ops::{constant_state, constant_value, state_one};
use crate::predicate::CmpIPredicate;
use crate::{AddIOp, CmpFOp, CmpIOp, ExtSIOp, ExtUIOp, MulIOp, SubIOp, TruncIOp, XOrIOp};

/// The constant value of `v`, unpacked.
fn const_of(ctx: &Context, v: Value) -> Option<ConstValue> {
    constant_value(ctx, v).and_then(|a| ConstValue::from_attr(ctx, a))
}

/// The op defining `v`, if it is a `T`.
fn def<T: OpDefinition>(ctx: &Context, v: Value) -> Option<T> {
    ctx.defining_op(v).and_then(|d| T::from_op(ctx, d))
}

/// Whether `v` is a constant whose every element is an integer satisfying `pred`.
fn is_const_int(ctx: &Context, v: Value, pred: impl Fn(ApInt) -> bool) -> bool {
    const_of(ctx, v).is_some_and(|c| c.all_ints(pred))
}

/// Creates `arith.constant` of `data` before `anchor` and returns its result.
fn create_constant(rw: &mut PatternRewriter<'_>, anchor: OpId, attr: Attribute) -> Option<Value> {
    let loc = rw.op_location(anchor);
    let state = constant_state(rw.ctx(), attr, loc)?;
    rw.set_insert_point_before(anchor);
    let c = rw.create(state);
    Some(rw.result(c, 0))
}

/// Creates a one-result op before `anchor` and returns its result.
fn create_op(rw: &mut PatternRewriter<'_>, anchor: OpId, state: OperationState) -> Value {
    rw.set_insert_point_before(anchor);
    let op = rw.create(state);
    rw.result(op, 0)
}

/// Replaces `op` by a new one-result op `name(operands) : ty` at its place.
fn replace_with_one(rw: &mut PatternRewriter<'_>, op: OpId, name: &str, operands: &[Value], ty: Type) {
    let state = one_result_state(rw, name, operands, ty, op);
    let new = create_op(rw, op, state);
    rw.replace_op(op, &[new]);
}

fn one_result_state(
    rw: &mut PatternRewriter<'_>,
    name: &str,
    operands: &[Value],
    ty: Type,
    anchor: OpId,
) -> OperationState {
    let loc = rw.op_location(anchor);
    state_one(rw.ctx(), name, operands, ty, loc)
}

/// Applies an op's folder as a pattern and replaces the op with the result:
/// `op(c1, c2) -> c` for constant operands, and the op's identities
/// (`addi(x, 0) -> x`, ...). Constants are materialized as `arith.constant`.
///
/// The greedy driver folds through `OpInfo::fold` itself, so the ops do not
/// register this pattern; it is for pattern drivers run without folding.
pub struct FoldPattern {
    root: &'static str,
    folder: FolderFn,
}

impl FoldPattern {
    /// The fold pattern of the op named `root`, folded by `folder`.
    pub fn new(root: &'static str, folder: FolderFn) -> Self {
        Self { root, folder }
    }
}

impl RewritePattern for FoldPattern {
    fn name(&self) -> &'static str {
        "fold"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn benefit(&self) -> u16 {
        // Folding subsumes every other rewrite of the op.
        10
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        if rw.results(op).len() != 1 || !crate::fold::has_declared_arity(rw, op) {
            return false;
        }
        let attrs: Vec<Option<Attribute>> = rw.operands(op).iter().map(|&v| constant_value(rw, v)).collect();
        let Some(result) = (self.folder)(&mut Folder::new(rw.ctx()), op, &attrs) else { return false };
        let value = match result {
            FoldResult::Value(v) => v,
            FoldResult::Attribute(a) => {
                if rw.attr_type(a) != Some(rw.value_type(rw.result(op, 0))) {
                    return false;
                }
                let Some(v) = create_constant(rw, op, a) else { return false };
                v
            }
        };
        if value == rw.result(op, 0) {
            return false;
        }
        rw.replace_op(op, &[value]);
        true
    }
}

/// `op(c, x) -> op(x, c)` for a commutative `op`, a constant `c` and a
/// non-constant `x`: constants go to the right, where folders look.
pub struct CommuteConstantToRhs {
    root: &'static str,
}

impl CommuteConstantToRhs {
    /// The pattern for the commutative op named `root`.
    pub fn new(root: &'static str) -> Self {
        Self { root }
    }
}

impl RewritePattern for CommuteConstantToRhs {
    fn name(&self) -> &'static str {
        "commute-constant-to-rhs"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        if constant_value(rw, lhs).is_none() || constant_value(rw, rhs).is_some() {
            return false;
        }
        rw.modify_in_place(op, |ctx| ctx.set_operands(op, &[rhs, lhs]));
        true
    }
}

/// `cmp p, c, x -> cmp swap(p), x, c` (`cmpi slt, c, x -> cmpi sgt, x, c`):
/// constants go to the right of comparisons too.
pub struct CmpConstantToRhs {
    root: &'static str,
}

impl CmpConstantToRhs {
    /// The pattern for `arith.cmpi` or `arith.cmpf`.
    pub fn new(root: &'static str) -> Self {
        Self { root }
    }
}

impl RewritePattern for CmpConstantToRhs {
    fn name(&self) -> &'static str {
        "cmp-constant-to-rhs"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        if constant_value(rw, lhs).is_none() || constant_value(rw, rhs).is_some() {
            return false;
        }
        let swapped = if let Some(cmp) = CmpIOp::from_op(rw, op) {
            cmp.predicate(rw).map(|p| p.swapped().value())
        } else {
            CmpFOp::from_op(rw, op).and_then(|c| c.predicate(rw)).map(|p| p.swapped().value())
        };
        let Some(swapped) = swapped else { return false };
        rw.modify_in_place(op, |ctx| {
            ctx.set_operands(op, &[rhs, lhs]);
            let i64t = ctx.integer_type(64);
            let pred = ctx.integer_attr(swapped as i128, i64t);
            ctx.set_attr(op, PREDICATE_ATTR, pred);
        });
        true
    }
}

/// Combines two constants of type `ty` elementwise.
fn combine(
    rw: &mut PatternRewriter<'_>,
    ty: Type,
    a: &ConstValue,
    b: &ConstValue,
    f: fn(ApInt, ApInt) -> ApInt,
) -> Option<Attribute> {
    let value = map_elements(&[a, b], |s| Some(Scalar::Int(f(s[0].int()?, s[1].int()?))))?;
    let data = to_attribute_data(rw, ty, &value)?;
    Some(rw.intern_attr(data))
}

/// Constant reassociation in wrapping integer arithmetic, which is exact
/// (integers modulo 2^n form a ring). Overflow flags are dropped.
///
/// - `addi(addi(x, c0), c1) -> addi(x, c0 + c1)`
/// - `addi(subi(x, c0), c1) -> addi(x, c1 - c0)`
/// - `addi(subi(c0, x), c1) -> subi(c0 + c1, x)`
/// - `subi(addi(x, c0), c1) -> addi(x, c0 - c1)`
/// - `subi(subi(x, c0), c1) -> subi(x, c0 + c1)`
/// - `subi(subi(c0, x), c1) -> subi(c0 - c1, x)`
/// - `subi(c1, addi(x, c0)) -> subi(c1 - c0, x)`
/// - `subi(c1, subi(x, c0)) -> subi(c1 + c0, x)`
/// - `subi(c1, subi(c0, x)) -> addi(x, c1 - c0)`
/// - `muli(muli(x, c0), c1) -> muli(x, c0 * c1)`
pub struct ReassociateConstants {
    root: &'static str,
}

impl ReassociateConstants {
    /// The pattern for `arith.addi`, `arith.subi` or `arith.muli`.
    pub fn new(root: &'static str) -> Self {
        Self { root }
    }
}

/// An inner op of a reassociation: `x op c` or `c op x`.
enum Inner {
    /// `addi(x, c)`
    AddRhs(Value, ConstValue),
    /// `subi(x, c)`
    SubRhs(Value, ConstValue),
    /// `subi(c, x)`
    SubLhs(ConstValue, Value),
    /// `muli(x, c)`
    MulRhs(Value, ConstValue),
}

fn inner_of(ctx: &Context, v: Value) -> Option<Inner> {
    let op = ctx.defining_op(v)?;
    let (a, b) = (ctx.operands(op).first().copied()?, ctx.operands(op).get(1).copied()?);
    if AddIOp::from_op(ctx, op).is_some() {
        return Some(Inner::AddRhs(a, const_of(ctx, b)?));
    }
    if MulIOp::from_op(ctx, op).is_some() {
        return Some(Inner::MulRhs(a, const_of(ctx, b)?));
    }
    if SubIOp::from_op(ctx, op).is_some() {
        if let Some(c) = const_of(ctx, b) {
            return Some(Inner::SubRhs(a, c));
        }
        return Some(Inner::SubLhs(const_of(ctx, a)?, b));
    }
    None
}

impl RewritePattern for ReassociateConstants {
    fn name(&self) -> &'static str {
        "reassociate-constants"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let ty = rw.value_type(rw.result(op, 0));
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        let (add, sub, mul) = (AddIOp::NAME, SubIOp::NAME, MulIOp::NAME);
        // (new op, constant, x, constant on the left)
        let plan: Option<(&str, Option<Attribute>, Value, bool)> = match self.root {
            "arith.addi" => {
                let (Some(c1), Some(inner)) = (const_of(rw, rhs), inner_of(rw, lhs)) else { return false };
                match inner {
                    Inner::AddRhs(x, c0) => Some((add, combine(rw, ty, &c0, &c1, |a, b| a + b), x, false)),
                    Inner::SubRhs(x, c0) => Some((add, combine(rw, ty, &c1, &c0, |a, b| a - b), x, false)),
                    Inner::SubLhs(c0, x) => Some((sub, combine(rw, ty, &c0, &c1, |a, b| a + b), x, true)),
                    Inner::MulRhs(..) => None,
                }
            }
            "arith.subi" => {
                if let (Some(c1), Some(inner)) = (const_of(rw, rhs), inner_of(rw, lhs)) {
                    match inner {
                        Inner::AddRhs(x, c0) => {
                            Some((add, combine(rw, ty, &c0, &c1, |a, b| a - b), x, false))
                        }
                        Inner::SubRhs(x, c0) => {
                            Some((sub, combine(rw, ty, &c0, &c1, |a, b| a + b), x, false))
                        }
                        Inner::SubLhs(c0, x) => Some((sub, combine(rw, ty, &c0, &c1, |a, b| a - b), x, true)),
                        Inner::MulRhs(..) => None,
                    }
                } else if let (Some(c1), Some(inner)) = (const_of(rw, lhs), inner_of(rw, rhs)) {
                    match inner {
                        Inner::AddRhs(x, c0) => Some((sub, combine(rw, ty, &c1, &c0, |a, b| a - b), x, true)),
                        Inner::SubRhs(x, c0) => Some((sub, combine(rw, ty, &c1, &c0, |a, b| a + b), x, true)),
                        Inner::SubLhs(c0, x) => {
                            Some((add, combine(rw, ty, &c1, &c0, |a, b| a - b), x, false))
                        }
                        Inner::MulRhs(..) => None,
                    }
                } else {
                    None
                }
            }
            "arith.muli" => {
                let (Some(c1), Some(Inner::MulRhs(x, c0))) = (const_of(rw, rhs), inner_of(rw, lhs)) else {
                    return false;
                };
                Some((mul, combine(rw, ty, &c0, &c1, |a, b| a * b), x, false))
            }
            _ => None,
        };
        let Some((name, Some(c), x, c_on_left)) = plan else { return false };
        let Some(c) = create_constant(rw, op, c) else { return false };
        let operands = if c_on_left { [c, x] } else { [x, c] };
        replace_with_one(rw, op, name, &operands, ty);
        true
    }
}

/// `addi(x, muli(y, -1)) -> subi(x, y)` and `addi(muli(y, -1), x) -> subi(x, y)`.
pub struct AddIOfNegatedMul;

impl RewritePattern for AddIOfNegatedMul {
    fn name(&self) -> &'static str {
        "addi-of-negated-mul"
    }

    fn root(&self) -> Option<&'static str> {
        Some(AddIOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        let negated = |ctx: &Context, v: Value| {
            let m = def::<MulIOp>(ctx, v)?;
            is_const_int(ctx, m.rhs(ctx), ApInt::is_all_ones).then(|| m.lhs(ctx))
        };
        let (x, y) = match (negated(rw, rhs), negated(rw, lhs)) {
            (Some(y), _) => (lhs, y),
            (None, Some(y)) => (rhs, y),
            (None, None) => return false,
        };
        let ty = rw.value_type(rw.result(op, 0));
        replace_with_one(rw, op, SubIOp::NAME, &[x, y], ty);
        true
    }
}

/// `xori(cmpi(p, a, b), true) -> cmpi(!p, a, b)`, and the same for `cmpf`
/// (`!(a olt b) == (a uge b)`, exact with NaNs).
pub struct NotOfComparison;

impl RewritePattern for NotOfComparison {
    fn name(&self) -> &'static str {
        "not-of-comparison"
    }

    fn root(&self) -> Option<&'static str> {
        Some(XOrIOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        if !is_const_int(rw, rhs, |v| v.width() == 1 && v.is_one()) {
            return false;
        }
        let Some(cmp) = rw.defining_op(lhs) else { return false };
        let inverse = if let Some(c) = CmpIOp::from_op(rw, cmp) {
            c.predicate(rw).map(|p| p.inverse().value())
        } else if let Some(c) = CmpFOp::from_op(rw, cmp) {
            c.predicate(rw).map(|p| p.inverse().value())
        } else {
            None
        };
        let Some(inverse) = inverse else { return false };
        let loc = rw.op_location(cmp);
        let data = rw.op(cmp);
        let mut state = OperationState::new(data.name, loc)
            .with_operands(rw.operands(cmp))
            .with_results(&[rw.value_type(lhs)]);
        state.attributes = rw.attrs(cmp).to_vec();
        let i64t = rw.integer_type(64);
        let pred = rw.integer_attr(inverse as i128, i64t);
        let pred_name = rw.ident(PREDICATE_ATTR);
        state = state.with_attr(pred_name, pred);
        let new = create_op(rw, op, state);
        rw.replace_op(op, &[new]);
        true
    }
}

/// `select(xori(c, true), a, b) -> select(c, b, a)`.
pub struct SelectNotCondition;

impl RewritePattern for SelectNotCondition {
    fn name(&self) -> &'static str {
        "select-not-condition"
    }

    fn root(&self) -> Option<&'static str> {
        Some(crate::SelectOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (cond, a, b) = (rw.operand(op, 0), rw.operand(op, 1), rw.operand(op, 2));
        let Some(not) = def::<XOrIOp>(rw, cond) else { return false };
        if !is_const_int(rw, not.rhs(rw), |v| v.width() == 1 && v.is_one()) {
            return false;
        }
        let c = not.lhs(rw);
        rw.modify_in_place(op, |ctx| ctx.set_operands(op, &[c, b, a]));
        true
    }
}

/// `select(c, false, true) -> xori(c, true)` when the result is `i1` of
/// the condition's type.
pub struct SelectI1ToNot;

impl RewritePattern for SelectI1ToNot {
    fn name(&self) -> &'static str {
        "select-i1-to-not"
    }

    fn root(&self) -> Option<&'static str> {
        Some(crate::SelectOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (cond, a, b) = (rw.operand(op, 0), rw.operand(op, 1), rw.operand(op, 2));
        let ty = rw.value_type(rw.result(op, 0));
        if rw.value_type(cond) != ty
            || !is_const_int(rw, a, |v| v.width() == 1 && v.is_zero())
            || !is_const_int(rw, b, |v| v.width() == 1 && v.is_one())
        {
            return false;
        }
        replace_with_one(rw, op, XOrIOp::NAME, &[cond, b], ty);
        true
    }
}

/// `select(c, 1, 0) -> extui(c)` and `select(c, 0, 1) -> extui(xori(c, true))`
/// for integer results wider than `i1`.
pub struct SelectToExtUI;

impl RewritePattern for SelectToExtUI {
    fn name(&self) -> &'static str {
        "select-to-extui"
    }

    fn root(&self) -> Option<&'static str> {
        Some(crate::SelectOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let (cond, a, b) = (rw.operand(op, 0), rw.operand(op, 1), rw.operand(op, 2));
        let ty = rw.value_type(rw.result(op, 0));
        let is_int_type = matches!(rw.type_data(rw.element_type_or_self(ty)), TypeData::Integer { .. });
        if !is_int_type || !matches!(element_kind(rw, ty), Some(ElementKind::Int(w)) if w > 1) {
            return false;
        }
        let i1 = rw.i1_type();
        if with_element_type(rw.ctx(), ty, i1) != rw.value_type(cond) {
            return false;
        }
        let one_zero = is_const_int(rw, a, ApInt::is_one) && is_const_int(rw, b, ApInt::is_zero);
        let zero_one = is_const_int(rw, a, ApInt::is_zero) && is_const_int(rw, b, ApInt::is_one);
        let source = if one_zero {
            cond
        } else if zero_one {
            let cond_ty = rw.value_type(cond);
            let Some(data) = splat_data(rw, cond_ty, Scalar::Int(ApInt::one(1))) else { return false };
            let t = rw.intern_attr(data);
            let Some(t) = create_constant(rw, op, t) else { return false };
            let state = one_result_state(rw, XOrIOp::NAME, &[cond, t], cond_ty, op);
            create_op(rw, op, state)
        } else {
            return false;
        };
        replace_with_one(rw, op, ExtUIOp::NAME, &[source], ty);
        true
    }
}

/// Extensions of extensions collapse, as each is exact:
/// `extsi(extsi(x)) -> extsi(x)`, `extui(extui(x)) -> extui(x)`,
/// `extsi(extui(x)) -> extui(x)` (the inner result is non-negative), and
/// `extf(extf(x)) -> extf(x)`.
pub struct ExtOfExt {
    root: &'static str,
}

impl ExtOfExt {
    /// The pattern for `arith.extsi`, `arith.extui` or `arith.extf`.
    pub fn new(root: &'static str) -> Self {
        Self { root }
    }
}

impl RewritePattern for ExtOfExt {
    fn name(&self) -> &'static str {
        "ext-of-ext"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = rw.defining_op(rw.operand(op, 0)) else { return false };
        let inner_name = rw.op_name(inner);
        let new_name = match (self.root, inner_name) {
            ("arith.extsi", "arith.extsi") => "arith.extsi",
            ("arith.extsi" | "arith.extui", "arith.extui") => "arith.extui",
            ("arith.extf", "arith.extf") => "arith.extf",
            _ => return false,
        };
        let x = rw.operand(inner, 0);
        let ty = rw.value_type(rw.result(op, 0));
        replace_with_one(rw, op, new_name, &[x], ty);
        true
    }
}

/// `trunci(trunci(x)) -> trunci(x)`: keeping the low bits twice keeps the low bits.
pub struct TruncIOfTruncI;

impl RewritePattern for TruncIOfTruncI {
    fn name(&self) -> &'static str {
        "trunci-of-trunci"
    }

    fn root(&self) -> Option<&'static str> {
        Some(TruncIOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = def::<TruncIOp>(rw, rw.operand(op, 0)) else { return false };
        let x = inner.input(rw);
        let ty = rw.value_type(rw.result(op, 0));
        replace_with_one(rw, op, TruncIOp::NAME, &[x], ty);
        true
    }
}

fn int_width(ctx: &Context, ty: Type) -> Option<u32> {
    ctx.integer_width(ctx.element_type_or_self(ty))
}

/// `trunci(ext(x))` where `ext` is `extsi` or `extui`: `ext(x)` to the
/// result type when `x` is narrower than the result (the low bits of the
/// extension are the extension to fewer bits), `trunci(x)` when `x` is
/// wider. (Equal widths fold to `x`.)
pub struct TruncIOfExt;

impl RewritePattern for TruncIOfExt {
    fn name(&self) -> &'static str {
        "trunci-of-ext"
    }

    fn root(&self) -> Option<&'static str> {
        Some(TruncIOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = rw.defining_op(rw.operand(op, 0)) else { return false };
        let ext_name = match rw.op_name(inner) {
            n @ ("arith.extsi" | "arith.extui") => {
                if n == "arith.extsi" {
                    ExtSIOp::NAME
                } else {
                    ExtUIOp::NAME
                }
            }
            _ => return false,
        };
        let x = rw.operand(inner, 0);
        let ty = rw.value_type(rw.result(op, 0));
        let (Some(wx), Some(wr)) = (int_width(rw, rw.value_type(x)), int_width(rw, ty)) else { return false };
        let name = match wx.cmp(&wr) {
            std::cmp::Ordering::Less => ext_name,
            std::cmp::Ordering::Greater => TruncIOp::NAME,
            std::cmp::Ordering::Equal => return false,
        };
        replace_with_one(rw, op, name, &[x], ty);
        true
    }
}

/// `index_cast(extsi(x)) -> index_cast(x)` and
/// `index_castui(extui(x)) -> index_castui(x)`: extending twice the same
/// way is extending once.
pub struct IndexCastOfExt {
    root: &'static str,
}

impl IndexCastOfExt {
    /// The pattern for `arith.index_cast` or `arith.index_castui`.
    pub fn new(root: &'static str) -> Self {
        Self { root }
    }
}

impl RewritePattern for IndexCastOfExt {
    fn name(&self) -> &'static str {
        "index-cast-of-ext"
    }

    fn root(&self) -> Option<&'static str> {
        Some(self.root)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = rw.defining_op(rw.operand(op, 0)) else { return false };
        let matches = matches!(
            (self.root, rw.op_name(inner)),
            ("arith.index_cast", "arith.extsi") | ("arith.index_castui", "arith.extui")
        );
        if !matches {
            return false;
        }
        let x = rw.operand(inner, 0);
        rw.modify_in_place(op, |ctx| ctx.set_operand(op, 0, x));
        true
    }
}

/// `cmpi(p, ext(a), ext(b)) -> cmpi(p, a, b)` when both operands are the
/// same extension of the same type and the extension preserves `p`: `eq`
/// and `ne` always, signed predicates under `extsi`, unsigned ones under
/// `extui`.
pub struct CmpExtToNarrowCmp;

impl RewritePattern for CmpExtToNarrowCmp {
    fn name(&self) -> &'static str {
        "cmpi-of-ext"
    }

    fn root(&self) -> Option<&'static str> {
        Some(CmpIOp::NAME)
    }

    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        use CmpIPredicate::*;
        let Some(pred) = CmpIOp(op).predicate(rw) else { return false };
        let (lhs, rhs) = (rw.operand(op, 0), rw.operand(op, 1));
        let (Some(l), Some(r)) = (rw.defining_op(lhs), rw.defining_op(rhs)) else { return false };
        let kind = rw.op_name(l);
        if kind != rw.op_name(r) {
            return false;
        }
        let preserved = match kind {
            "arith.extsi" => !matches!(pred, Ult | Ule | Ugt | Uge),
            "arith.extui" => !matches!(pred, Slt | Sle | Sgt | Sge),
            _ => false,
        };
        let (a, b) = (rw.operand(l, 0), rw.operand(r, 0));
        if !preserved || rw.value_type(a) != rw.value_type(b) {
            return false;
        }
        rw.modify_in_place(op, |ctx| ctx.set_operands(op, &[a, b]));
        true
    }
}
