//! The folders of the arith ops: constant folding with exact semantics, and
//! algebraic identities that never change a result.
//!
//! **A folder never changes what a program computes.** Integer ops wrap to
//! their width; float ops round once in their own precision (see
//! [`ApFloat`]); an op whose result would be undefined (division by zero,
//! signed division overflow, a shift by the width or more, a float-to-int
//! conversion out of range) is left alone. Identities are only those that
//! hold for every input, NaNs and signed zeros included: `x + -0.0 -> x`
//! folds, `x + 0.0` does not (`-0.0 + 0.0` is `+0.0`); `x * 0.0` and
//! `x - x` never fold for floats.
//!
//! A folder only interns attributes; it never creates or edits ops. The
//! driver materializes constants through the dialect's materializer
//! ([`crate::materialize_constant`]), so they are deduplicated and hoisted.

mod value;

pub use value::{element_kind, map_elements, splat_data, to_attribute_data, ConstValue, ElementKind, Scalar};

use axir_ir::{Attribute, AttributeData, Context, FoldResult, OpDefinition, OpId, Type, Value};

use crate::apfloat::ApFloat;
use crate::apint::ApInt;
use crate::attrs::PREDICATE_ATTR;
use crate::predicate::{CmpFPredicate, CmpIPredicate};

/// The context as a folder sees it: readable, and able to intern the
/// attributes of its results (never to edit IR).
pub struct Folder<'a> {
    ctx: &'a mut Context,
}

impl<'a> Folder<'a> {
    /// A folder over `ctx`.
    pub fn new(ctx: &'a mut Context) -> Self {
        Folder { ctx }
    }

    /// The context.
    pub fn ctx(&self) -> &Context {
        self.ctx
    }

    /// Interns `data`.
    pub fn attr(&mut self, data: AttributeData) -> Attribute {
        self.ctx.intern_attr(data)
    }

    /// The fold result "the constant `value` of type `ty`".
    pub fn constant(&mut self, ty: Type, value: &ConstValue) -> Option<FoldResult> {
        let data = to_attribute_data(self.ctx(), ty, value)?;
        Some(FoldResult::Attribute(self.attr(data)))
    }

    /// The fold result "every element of type `ty` is `s`".
    pub fn splat(&mut self, ty: Type, s: Scalar) -> Option<FoldResult> {
        let data = splat_data(self.ctx(), ty, s)?;
        Some(FoldResult::Attribute(self.attr(data)))
    }
}

/// A folder of a single-result op: the op, and the constant value of each
/// operand (`None` when not constant).
pub type FolderFn = fn(&mut Folder<'_>, OpId, &[Option<Attribute>]) -> Option<FoldResult>;

/// Turns a [`FolderFn`] path into the IR core's [`axir_ir::FoldFn`].
///
/// The wrapper declines ops whose operand or result count is not the
/// declared one, so a folder may index operands of an op that the
/// verifier has not seen.
#[macro_export]
macro_rules! shared_folder {
    ($f:path) => {
        |ctx: &mut $crate::__private::Context,
         op: $crate::__private::OpId,
         operands: &[Option<$crate::__private::Attribute>]| {
            if !$crate::fold::has_declared_arity(ctx, op) {
                return None;
            }
            $f(&mut $crate::fold::Folder::new(ctx), op, operands).map(|r| vec![r])
        }
    };
}

/// Whether `op` has the operand and result counts its declaration says.
pub fn has_declared_arity(ctx: &Context, op: OpId) -> bool {
    ctx.op_info(op).is_some_and(|i| {
        i.operands.accepts(ctx.operands(op).len()) && i.results.accepts(ctx.results(op).len())
    })
}

/// The constant values of `op`'s operands.
fn consts<const N: usize>(ctx: &Context, attrs: &[Option<Attribute>]) -> [Option<ConstValue>; N] {
    std::array::from_fn(|i| attrs.get(i).copied().flatten().and_then(|a| ConstValue::from_attr(ctx, a)))
}

fn result_type(ctx: &Context, op: OpId) -> Type {
    ctx.value_type(ctx.result(op, 0))
}

/// The op defining `v`, if it is a `T`.
fn defined_by<T: OpDefinition>(ctx: &Context, v: Value) -> Option<T> {
    ctx.defining_op(v).and_then(|d| T::from_op(ctx, d))
}

/// Folds an elementwise op whose operands are all constant.
pub fn fold_elementwise(
    f: &mut Folder<'_>,
    op: OpId,
    operands: &[Option<ConstValue>],
    eval: impl Fn(&[Scalar]) -> Option<Scalar>,
) -> Option<FoldResult> {
    let all: Vec<&ConstValue> = operands.iter().map(Option::as_ref).collect::<Option<_>>()?;
    let value = map_elements(&all, eval)?;
    let ty = result_type(f.ctx(), op);
    f.constant(ty, &value)
}

/// Folds a float op of any arity whose operands are all constant.
pub fn fold_float_elementwise(
    f: &mut Folder<'_>,
    op: OpId,
    operands: &[Option<ConstValue>],
    eval: impl Fn(&[ApFloat]) -> Option<ApFloat>,
) -> Option<FoldResult> {
    fold_elementwise(f, op, operands, |args| {
        let floats: Vec<ApFloat> = args.iter().map(|s| s.float()).collect::<Option<_>>()?;
        eval(&floats).map(Scalar::Float)
    })
}

fn fold_int_binary(
    f: &mut Folder<'_>,
    op: OpId,
    operands: &[Option<ConstValue>],
    eval: impl Fn(ApInt, ApInt) -> Option<ApInt>,
) -> Option<FoldResult> {
    fold_elementwise(f, op, operands, |args| match args {
        [Scalar::Int(a), Scalar::Int(b)] => eval(*a, *b).map(Scalar::Int),
        _ => None,
    })
}

fn is_float(c: &Option<ConstValue>, pred: impl Fn(ApFloat) -> bool) -> bool {
    c.as_ref().is_some_and(|c| c.all_floats(pred))
}

fn is_int(c: &Option<ConstValue>, pred: impl Fn(ApInt) -> bool) -> bool {
    c.as_ref().is_some_and(|c| c.all_ints(pred))
}

fn is_neg_zero(v: ApFloat) -> bool {
    v.is_zero() && v.is_negative()
}

fn is_pos_zero(v: ApFloat) -> bool {
    v.is_zero() && !v.is_negative()
}

fn is_one(v: ApFloat) -> bool {
    v == ApFloat::one(v.kind())
}

fn lhs_rhs(ctx: &Context, op: OpId) -> (Value, Value) {
    (ctx.operand(op, 0), ctx.operand(op, 1))
}

// ----- float arithmetic -------------------------------------------------------

/// `addf`: constants; `x + -0.0 -> x` and `-0.0 + x -> x`.
pub(crate) fn addf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if is_float(&b, is_neg_zero) {
        return Some(FoldResult::Value(lhs));
    }
    if is_float(&a, is_neg_zero) {
        return Some(FoldResult::Value(rhs));
    }
    fold_float_elementwise(f, op, &[a, b], |v| Some(v[0] + v[1]))
}

/// `subf`: constants; `x - 0.0 -> x`.
pub(crate) fn subf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    if is_float(&b, is_pos_zero) {
        return Some(FoldResult::Value(ctx.operand(op, 0)));
    }
    fold_float_elementwise(f, op, &[a, b], |v| Some(v[0] - v[1]))
}

/// `mulf`: constants; `x * 1.0 -> x` and `1.0 * x -> x`.
pub(crate) fn mulf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if is_float(&b, is_one) {
        return Some(FoldResult::Value(lhs));
    }
    if is_float(&a, is_one) {
        return Some(FoldResult::Value(rhs));
    }
    fold_float_elementwise(f, op, &[a, b], |v| Some(v[0] * v[1]))
}

/// `divf`: constants; `x / 1.0 -> x`.
pub(crate) fn divf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    if is_float(&b, is_one) {
        return Some(FoldResult::Value(ctx.operand(op, 0)));
    }
    fold_float_elementwise(f, op, &[a, b], |v| Some(v[0] / v[1]))
}

/// `remf`: constants (C's `fmod`).
pub(crate) fn remf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let [a, b] = consts::<2>(f.ctx(), attrs);
    fold_float_elementwise(f, op, &[a, b], |v| Some(v[0] % v[1]))
}

/// `negf`: constants; `-(-x) -> x`.
pub(crate) fn negf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    if let Some(inner) = defined_by::<crate::NegFOp>(ctx, ctx.operand(op, 0)) {
        return Some(FoldResult::Value(ctx.operand(inner.0, 0)));
    }
    let [a] = consts::<1>(ctx, attrs);
    fold_float_elementwise(f, op, &[a], |v| Some(-v[0]))
}

/// `maximumf`/`minimumf`/`maxnumf`/`minnumf`: constants; `m(x, x) -> x`;
/// and `x` with the identity element (`maximumf(x, -inf)`,
/// `minimumf(x, +inf)`; `maxnumf(x, NaN)`, `minnumf(x, NaN)`).
fn min_max_f(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApFloat, ApFloat) -> ApFloat,
    identity: fn(ApFloat) -> bool,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if lhs == rhs {
        return Some(FoldResult::Value(lhs));
    }
    if is_float(&b, identity) {
        return Some(FoldResult::Value(lhs));
    }
    if is_float(&a, identity) {
        return Some(FoldResult::Value(rhs));
    }
    fold_float_elementwise(f, op, &[a, b], |v| Some(eval(v[0], v[1])))
}

pub(crate) fn maximumf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_f(f, op, attrs, ApFloat::maximum, |v| v.is_infinite() && v.is_negative())
}

pub(crate) fn minimumf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_f(f, op, attrs, ApFloat::minimum, |v| v.is_infinite() && !v.is_negative())
}

pub(crate) fn maxnumf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_f(f, op, attrs, ApFloat::maxnum, ApFloat::is_nan)
}

pub(crate) fn minnumf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_f(f, op, attrs, ApFloat::minnum, ApFloat::is_nan)
}

// ----- integer arithmetic -----------------------------------------------------

/// A zero of the op's result type.
fn zero_of_result(f: &mut Folder<'_>, op: OpId) -> Option<FoldResult> {
    let ty = result_type(f.ctx(), op);
    let ElementKind::Int(w) = element_kind(f.ctx(), ty)? else { return None };
    f.splat(ty, Scalar::Int(ApInt::zero(w)))
}

/// `addi`: constants; `x + 0 -> x`, `0 + x -> x`, `(a - b) + b -> a`,
/// `b + (a - b) -> a`.
pub(crate) fn addi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if is_int(&b, ApInt::is_zero) {
        return Some(FoldResult::Value(lhs));
    }
    if is_int(&a, ApInt::is_zero) {
        return Some(FoldResult::Value(rhs));
    }
    for (sub, other) in [(lhs, rhs), (rhs, lhs)] {
        if let Some(s) = defined_by::<crate::SubIOp>(ctx, sub) {
            if ctx.operand(s.0, 1) == other {
                return Some(FoldResult::Value(ctx.operand(s.0, 0)));
            }
        }
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x + y))
}

/// `subi`: constants; `x - 0 -> x`, `x - x -> 0`, `(a + b) - b -> a`,
/// `(a + b) - a -> b`.
pub(crate) fn subi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if is_int(&b, ApInt::is_zero) {
        return Some(FoldResult::Value(lhs));
    }
    if let Some(add) = defined_by::<crate::AddIOp>(ctx, lhs) {
        let (x, y) = lhs_rhs(ctx, add.0);
        if y == rhs {
            return Some(FoldResult::Value(x));
        }
        if x == rhs {
            return Some(FoldResult::Value(y));
        }
    }
    if lhs == rhs {
        return zero_of_result(f, op);
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x - y))
}

/// `muli`: constants; `x * 1 -> x`, `x * 0 -> 0` (and mirrored).
pub(crate) fn muli(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    for (c, attr, other) in [(&b, attrs.get(1), lhs), (&a, attrs.first(), rhs)] {
        if is_int(c, ApInt::is_one) {
            return Some(FoldResult::Value(other));
        }
        if is_int(c, ApInt::is_zero) {
            // The zero operand has the result type: reuse its attribute.
            return attr.copied().flatten().map(FoldResult::Attribute);
        }
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x * y))
}

/// Divisions: constants (never by zero, never `MIN / -1`); `x / 1 -> x`.
fn division(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApInt, ApInt) -> Option<ApInt>,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    if is_int(&b, ApInt::is_one) {
        return Some(FoldResult::Value(ctx.operand(op, 0)));
    }
    fold_int_binary(f, op, &[a, b], eval)
}

pub(crate) fn divsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    division(f, op, attrs, ApInt::sdiv)
}

pub(crate) fn divui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    division(f, op, attrs, ApInt::udiv)
}

pub(crate) fn floordivsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    division(f, op, attrs, ApInt::floordiv_s)
}

pub(crate) fn ceildivsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    division(f, op, attrs, ApInt::ceildiv_s)
}

/// Remainders: constants (never by zero); `x % 1 -> 0`.
fn remainder(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApInt, ApInt) -> Option<ApInt>,
) -> Option<FoldResult> {
    let [a, b] = consts::<2>(f.ctx(), attrs);
    if is_int(&b, ApInt::is_one) {
        return zero_of_result(f, op);
    }
    fold_int_binary(f, op, &[a, b], eval)
}

pub(crate) fn remsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    remainder(f, op, attrs, ApInt::srem)
}

pub(crate) fn remui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    remainder(f, op, attrs, ApInt::urem)
}

/// `andi`: constants; `x & x -> x`, `x & -1 -> x`, `x & 0 -> 0`.
pub(crate) fn andi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if lhs == rhs {
        return Some(FoldResult::Value(lhs));
    }
    for (c, attr, other) in [(&b, attrs.get(1), lhs), (&a, attrs.first(), rhs)] {
        if is_int(c, ApInt::is_all_ones) {
            return Some(FoldResult::Value(other));
        }
        if is_int(c, ApInt::is_zero) {
            return attr.copied().flatten().map(FoldResult::Attribute);
        }
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x.and(y)))
}

/// `ori`: constants; `x | x -> x`, `x | 0 -> x`, `x | -1 -> -1`.
pub(crate) fn ori(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if lhs == rhs {
        return Some(FoldResult::Value(lhs));
    }
    for (c, attr, other) in [(&b, attrs.get(1), lhs), (&a, attrs.first(), rhs)] {
        if is_int(c, ApInt::is_zero) {
            return Some(FoldResult::Value(other));
        }
        if is_int(c, ApInt::is_all_ones) {
            return attr.copied().flatten().map(FoldResult::Attribute);
        }
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x.or(y)))
}

/// `xori`: constants; `x ^ 0 -> x`, `x ^ x -> 0`, `(x ^ y) ^ y -> x`.
pub(crate) fn xori(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if is_int(&b, ApInt::is_zero) {
        return Some(FoldResult::Value(lhs));
    }
    if is_int(&a, ApInt::is_zero) {
        return Some(FoldResult::Value(rhs));
    }
    if let Some(inner) = defined_by::<crate::XOrIOp>(ctx, lhs) {
        let (x, y) = lhs_rhs(ctx, inner.0);
        if y == rhs {
            return Some(FoldResult::Value(x));
        }
        if x == rhs {
            return Some(FoldResult::Value(y));
        }
    }
    if lhs == rhs {
        return zero_of_result(f, op);
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(x.xor(y)))
}

/// Shifts: constants (never by the width or more); `x << 0 -> x`.
fn shift(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApInt, ApInt) -> Option<ApInt>,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    if is_int(&b, ApInt::is_zero) {
        return Some(FoldResult::Value(ctx.operand(op, 0)));
    }
    fold_int_binary(f, op, &[a, b], eval)
}

pub(crate) fn shli(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    shift(f, op, attrs, ApInt::shift_left)
}

pub(crate) fn shrsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    shift(f, op, attrs, ApInt::ashr)
}

pub(crate) fn shrui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    shift(f, op, attrs, ApInt::lshr)
}

/// Integer min/max: constants; `m(x, x) -> x`; the absorbing element wins
/// (`maxsi(x, MAX) -> MAX`) and the neutral one is dropped (`maxsi(x, MIN) -> x`).
fn min_max_i(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApInt, ApInt) -> ApInt,
    absorbing: fn(u32) -> ApInt,
    neutral: fn(u32) -> ApInt,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let [a, b] = consts::<2>(ctx, attrs);
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if lhs == rhs {
        return Some(FoldResult::Value(lhs));
    }
    for (c, attr, other) in [(&b, attrs.get(1), lhs), (&a, attrs.first(), rhs)] {
        if is_int(c, |v| v == absorbing(v.width())) {
            return attr.copied().flatten().map(FoldResult::Attribute);
        }
        if is_int(c, |v| v == neutral(v.width())) {
            return Some(FoldResult::Value(other));
        }
    }
    fold_int_binary(f, op, &[a, b], |x, y| Some(eval(x, y)))
}

pub(crate) fn maxsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_i(f, op, attrs, ApInt::smax, ApInt::signed_max, ApInt::signed_min)
}

pub(crate) fn minsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_i(f, op, attrs, ApInt::smin, ApInt::signed_min, ApInt::signed_max)
}

pub(crate) fn maxui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_i(f, op, attrs, ApInt::umax, ApInt::all_ones, ApInt::zero)
}

pub(crate) fn minui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    min_max_i(f, op, attrs, ApInt::umin, ApInt::zero, ApInt::all_ones)
}

// ----- comparisons and select ---------------------------------------------------

fn predicate_value(ctx: &Context, op: OpId) -> Option<i128> {
    ctx.attr(op, PREDICATE_ATTR).and_then(|a| ctx.attr_as_int(a))
}

fn bool_result(f: &mut Folder<'_>, op: OpId, value: bool) -> Option<FoldResult> {
    let ty = result_type(f.ctx(), op);
    f.splat(ty, Scalar::Int(ApInt::from_u128(1, value as u128)))
}

/// `cmpf`: constants; `false`/`true` predicates fold for any operands.
pub(crate) fn cmpf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let pred = predicate_value(ctx, op).and_then(CmpFPredicate::from_value)?;
    match pred {
        CmpFPredicate::AlwaysFalse => return bool_result(f, op, false),
        CmpFPredicate::AlwaysTrue => return bool_result(f, op, true),
        _ => {}
    }
    let [a, b] = consts::<2>(ctx, attrs);
    fold_elementwise(f, op, &[a, b], |args| match args {
        [Scalar::Float(x), Scalar::Float(y)] => {
            Some(Scalar::Int(ApInt::from_u128(1, pred.evaluate(*x, *y) as u128)))
        }
        _ => None,
    })
}

/// `cmpi`: constants; `cmpi p, x, x` is known for every predicate.
pub(crate) fn cmpi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let pred = predicate_value(ctx, op).and_then(CmpIPredicate::from_value)?;
    let (lhs, rhs) = lhs_rhs(ctx, op);
    if lhs == rhs {
        return bool_result(f, op, pred.holds_for_equal());
    }
    let [a, b] = consts::<2>(ctx, attrs);
    fold_elementwise(f, op, &[a, b], |args| match args {
        [Scalar::Int(x), Scalar::Int(y)] => {
            Some(Scalar::Int(ApInt::from_u128(1, pred.evaluate(*x, *y) as u128)))
        }
        _ => None,
    })
}

/// `select`: `select(true, a, b) -> a`, `select(false, a, b) -> b`,
/// `select(c, a, a) -> a`, `select(c, true, false) -> c` on `i1`, and
/// elementwise constants.
pub(crate) fn select(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let (cond, t, e) = (ctx.operand(op, 0), ctx.operand(op, 1), ctx.operand(op, 2));
    if t == e {
        return Some(FoldResult::Value(t));
    }
    let [c, a, b] = consts::<3>(ctx, attrs);
    if is_int(&c, ApInt::is_one) {
        return Some(FoldResult::Value(t));
    }
    if is_int(&c, ApInt::is_zero) {
        return Some(FoldResult::Value(e));
    }
    let cond_ty = ctx.value_type(cond);
    if cond_ty == result_type(ctx, op)
        && is_int(&a, |v| v.width() == 1 && v.is_one())
        && is_int(&b, |v| v.width() == 1 && v.is_zero())
    {
        return Some(FoldResult::Value(cond));
    }
    fold_elementwise(f, op, &[c, a, b], |args| match args[0] {
        Scalar::Int(c) => Some(if c.is_one() { args[1] } else { args[2] }),
        Scalar::Float(_) => None,
    })
}

// ----- casts --------------------------------------------------------------------

/// The element kind of the op's result.
fn result_kind(ctx: &Context, op: OpId) -> Option<ElementKind> {
    element_kind(ctx, result_type(ctx, op))
}

fn fold_cast(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: impl Fn(Scalar, ElementKind) -> Option<Scalar>,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let to = result_kind(ctx, op)?;
    let [a] = consts::<1>(ctx, attrs);
    fold_elementwise(f, op, &[a], |args| eval(args[0], to))
}

/// If `v` is the result of a `T` cast from a value of type `ty`, that value.
fn cast_source_of_type<T: OpDefinition>(ctx: &Context, v: Value, ty: Type) -> Option<Value> {
    let inner = defined_by::<T>(ctx, v)?;
    let src = ctx.operand(inner.op(), 0);
    (ctx.value_type(src) == ty).then_some(src)
}

/// `extf`: constants (exact).
pub(crate) fn extf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    fold_cast(f, op, attrs, |s, to| match to {
        ElementKind::Float(k) => s.float().map(|v| Scalar::Float(v.convert(k))),
        ElementKind::Int(_) => None,
    })
}

/// `truncf`: constants, rounded to nearest-even; `truncf(extf(x)) -> x`
/// when the types round-trip (exact: the extension lost nothing; a
/// signaling NaN comes out quiet either way in LLVM's model).
pub(crate) fn truncf(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    if let Some(src) = cast_source_of_type::<crate::ExtFOp>(ctx, ctx.operand(op, 0), result_type(ctx, op)) {
        return Some(FoldResult::Value(src));
    }
    // An explicit rounding mode other than the default is not modelled.
    if ctx.attr(op, crate::ROUNDING_MODE_ATTR).is_some() {
        return None;
    }
    fold_cast(f, op, attrs, |s, to| match to {
        ElementKind::Float(k) => s.float().map(|v| Scalar::Float(v.convert(k))),
        ElementKind::Int(_) => None,
    })
}

fn int_cast(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    eval: fn(ApInt, u32) -> ApInt,
) -> Option<FoldResult> {
    fold_cast(f, op, attrs, move |s, to| match to {
        ElementKind::Int(w) => s.int().map(|v| Scalar::Int(eval(v, w))),
        ElementKind::Float(_) => None,
    })
}

/// `extsi`: constants.
pub(crate) fn extsi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    int_cast(f, op, attrs, ApInt::sext_or_trunc)
}

/// `extui`: constants.
pub(crate) fn extui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    int_cast(f, op, attrs, ApInt::zext_or_trunc)
}

/// `trunci`: constants; `trunci(extsi(x)) -> x` and `trunci(extui(x)) -> x`
/// when the types round-trip.
pub(crate) fn trunci(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let (src, ty) = (ctx.operand(op, 0), result_type(ctx, op));
    if let Some(x) = cast_source_of_type::<crate::ExtSIOp>(ctx, src, ty)
        .or_else(|| cast_source_of_type::<crate::ExtUIOp>(ctx, src, ty))
    {
        return Some(FoldResult::Value(x));
    }
    int_cast(f, op, attrs, ApInt::zext_or_trunc)
}

/// `sitofp`/`uitofp`: constants, rounded to nearest-even.
fn int_to_float(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    signed: bool,
) -> Option<FoldResult> {
    fold_cast(f, op, attrs, |s, to| match to {
        ElementKind::Float(k) => s.int().map(|v| Scalar::Float(ApFloat::from_int(v, signed, k))),
        ElementKind::Int(_) => None,
    })
}

pub(crate) fn sitofp(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    int_to_float(f, op, attrs, true)
}

pub(crate) fn uitofp(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    int_to_float(f, op, attrs, false)
}

/// `fptosi`/`fptoui`: constants, truncated toward zero; NaN, infinities and
/// out-of-range values (poison) do not fold.
fn float_to_int(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    signed: bool,
) -> Option<FoldResult> {
    fold_cast(f, op, attrs, |s, to| match to {
        ElementKind::Int(w) => s.float().and_then(|v| v.to_int(w, signed)).map(Scalar::Int),
        ElementKind::Float(_) => None,
    })
}

pub(crate) fn fptosi(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    float_to_int(f, op, attrs, true)
}

pub(crate) fn fptoui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    float_to_int(f, op, attrs, false)
}

/// `index_cast`/`index_castui`: constants (index is 64 bits, as in MLIR's
/// folders); `cast(cast(x : iN -> index) -> iN) -> x` for N <= 64, the
/// round trip that widens first and so loses nothing.
fn index_cast_impl<T: OpDefinition>(
    f: &mut Folder<'_>,
    op: OpId,
    attrs: &[Option<Attribute>],
    extend: fn(ApInt, u32) -> ApInt,
) -> Option<FoldResult> {
    let ctx = f.ctx();
    let ty = result_type(ctx, op);
    let narrow_int = matches!(element_kind(ctx, ty), Some(ElementKind::Int(w)) if w <= 64)
        && !matches!(ctx.type_data(ctx.element_type_or_self(ty)), axir_ir::TypeData::Index);
    if narrow_int {
        if let Some(x) = cast_source_of_type::<T>(ctx, ctx.operand(op, 0), ty) {
            return Some(FoldResult::Value(x));
        }
    }
    let src_ty = ctx.value_type(ctx.operand(op, 0));
    let from_index = matches!(ctx.type_data(ctx.element_type_or_self(src_ty)), axir_ir::TypeData::Index);
    fold_cast(f, op, attrs, move |s, to| match to {
        // Widening to index extends as the op says; narrowing from index truncates.
        ElementKind::Int(w) => {
            s.int().map(|v| Scalar::Int(if from_index { v.zext_or_trunc(w) } else { extend(v, w) }))
        }
        ElementKind::Float(_) => None,
    })
}

pub(crate) fn index_cast(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    index_cast_impl::<crate::IndexCastOp>(f, op, attrs, ApInt::sext_or_trunc)
}

pub(crate) fn index_castui(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    index_cast_impl::<crate::IndexCastUIOp>(f, op, attrs, ApInt::zext_or_trunc)
}

/// `bitcast`: constants (bits reinterpreted exactly, NaN payloads kept);
/// `bitcast(bitcast(x)) -> x` when the types round-trip; a cast to the
/// same type is `x`.
pub(crate) fn bitcast(f: &mut Folder<'_>, op: OpId, attrs: &[Option<Attribute>]) -> Option<FoldResult> {
    let ctx = f.ctx();
    let (src, ty) = (ctx.operand(op, 0), result_type(ctx, op));
    if ctx.value_type(src) == ty {
        return Some(FoldResult::Value(src));
    }
    if let Some(x) = cast_source_of_type::<crate::BitcastOp>(ctx, src, ty) {
        return Some(FoldResult::Value(x));
    }
    fold_cast(f, op, attrs, |s, to| {
        let bits = match s {
            Scalar::Int(i) => i.zext_value(),
            Scalar::Float(v) => v.bits() as u128,
        };
        match to {
            ElementKind::Int(w) => Some(Scalar::Int(ApInt::from_u128(w, bits))),
            ElementKind::Float(k) => Some(Scalar::Float(ApFloat::from_bits(k, bits as u64))),
        }
    })
}
