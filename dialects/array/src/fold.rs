//! Folders of the array ops: constant folding through [`axir_ndarray`] (the
//! same kernels the interpreter runs, so folding never changes results),
//! and folds to an existing value for identities.
//!
//! Constant folding is capped at [`FOLD_ELEMENT_LIMIT`] elements, except
//! where every constant operand is a splat: then the op is computed once on
//! a single element and the result is a splat of any size.

use crate::convert::{array_to_attr, attr_to_array, dtype_of};
use crate::ops::{binary_op, i64_array_attr, slice_specs, unary_op};
use crate::shape::TensorShape;
use axir_ir::{Attribute, AttributeData, Context, DenseData, FoldResult, OpId, Type, Value};
use axir_ndarray::{self as nd, BinaryOp, CmpPredicate, NdArray, ReduceKind, UnaryOp};

/// Largest number of result elements a non-splat constant fold may produce.
pub const FOLD_ELEMENT_LIMIT: u64 = 1 << 16;

fn result_type(ctx: &Context, op: OpId) -> Type {
    ctx.value_type(ctx.result(op, 0))
}

fn static_shape(ctx: &Context, ty: Type) -> Option<Vec<usize>> {
    TensorShape::of(ctx, ty)?.dims.iter().map(|d| d.map(|n| n as usize)).collect()
}

fn is_splat(ctx: &Context, attr: Attribute) -> bool {
    match ctx.attr_data(attr) {
        AttributeData::DenseElements { data, .. } => data.len() == 1,
        _ => false,
    }
}

/// The single element of a splat as a rank-0 array.
fn splat_scalar(ctx: &Context, attr: Attribute) -> Option<NdArray> {
    let full = attr_to_array(ctx, attr)?;
    if full.is_empty() {
        return None;
    }
    let flat = nd::reshape(&full, &[full.len()]).ok()?;
    let first = nd::slice(&flat, &[nd::SliceSpec::new(Some(0), Some(1), None)]).ok()?;
    nd::reshape(&first, &[]).ok()
}

/// Computes an elementwise op (`unary`, `binary`, `cmp`, `select`, `cast`).
fn eval_elementwise(ctx: &Context, op: OpId, args: &[NdArray]) -> Option<NdArray> {
    let name = ctx.op_name(op);
    if let Some(info) = unary_op(name) {
        return nd::unary(UnaryOp::from_name(info.name).ok()?, &args[0]).ok();
    }
    if let Some(info) = binary_op(name) {
        return nd::binary(BinaryOp::from_name(info.name).ok()?, &args[0], &args[1]).ok();
    }
    match name {
        "array.cmp" => {
            let pred = ctx.attr(op, "predicate").and_then(|a| ctx.attr_as_str(a))?;
            nd::cmp(CmpPredicate::from_name(pred).ok()?, &args[0], &args[1]).ok()
        }
        "array.select" => nd::select(&args[0], &args[1], &args[2]).ok(),
        "array.cast" => {
            let element = TensorShape::of(ctx, result_type(ctx, op))?.element;
            nd::cast(&args[0], dtype_of(ctx, element)?).ok()
        }
        _ => None,
    }
}

fn is_elementwise(ctx: &Context, op: OpId) -> bool {
    let name = ctx.op_name(op);
    unary_op(name).is_some()
        || binary_op(name).is_some()
        || matches!(name, "array.cmp" | "array.select" | "array.cast")
}

/// Computes a non-elementwise op on full arrays.
fn eval_structural(ctx: &Context, op: OpId, args: &[NdArray], out_shape: &[usize]) -> Option<NdArray> {
    match ctx.op_name(op) {
        "array.broadcast" => nd::broadcast_to(&args[0], out_shape).ok(),
        "array.reshape" => nd::reshape(&args[0], out_shape).ok(),
        "array.transpose" => {
            let perm: Vec<usize> =
                i64_array_attr(ctx, op, "permutation")?.iter().map(|&p| p as usize).collect();
            nd::transpose(&args[0], &perm).ok()
        }
        "array.slice" => {
            let specs: Vec<nd::SliceSpec> =
                slice_specs(ctx, op)?.iter().map(|s| nd::SliceSpec::new(s.start, s.stop, s.step)).collect();
            nd::slice(&args[0], &specs).ok()
        }
        "array.concat" => {
            let dim = ctx.attr(op, "dim").and_then(|a| ctx.attr_as_int(a))? as usize;
            let refs: Vec<&NdArray> = args.iter().collect();
            nd::concat(&refs, dim).ok()
        }
        "array.reduce" => {
            let kind = ReduceKind::from_name(ctx.attr(op, "kind").and_then(|a| ctx.attr_as_str(a))?).ok()?;
            let dims: Vec<usize> = i64_array_attr(ctx, op, "dims")?.iter().map(|&d| d as usize).collect();
            nd::reduce(kind, &args[0], &dims, crate::ops::keepdims(ctx, op)).ok()
        }
        "array.matmul" => nd::matmul(&args[0], &args[1]).ok(),
        _ => None,
    }
}

/// Constant folding of every foldable array op.
pub fn fold_constant(ctx: &mut Context, op: OpId, operands: &[Option<Attribute>]) -> Option<Attribute> {
    if operands.is_empty() || operands.iter().any(Option::is_none) {
        return None;
    }
    let attrs: Vec<Attribute> = operands.iter().map(|a| a.expect("checked above")).collect();
    let ty = result_type(ctx, op);
    let out_shape = static_shape(ctx, ty)?;
    let all_splat = attrs.iter().all(|a| is_splat(ctx, *a));
    let splat_result = all_splat && (is_elementwise(ctx, op) || ctx.op_name(op) == "array.broadcast");
    let result = if splat_result {
        let scalars: Vec<NdArray> = attrs.iter().map(|a| splat_scalar(ctx, *a)).collect::<Option<_>>()?;
        let one = if ctx.op_name(op) == "array.broadcast" {
            scalars.into_iter().next()?
        } else {
            eval_elementwise(ctx, op, &scalars)?
        };
        // Splat of the computed element over the whole result shape.
        let attr = array_to_attr(ctx, &one);
        let AttributeData::DenseElements { data, .. } = ctx.attr_data(attr).clone() else { return None };
        return Some(ctx.intern_attr(AttributeData::DenseElements { ty, data }));
    } else {
        let count: u64 = out_shape.iter().map(|&d| d as u64).product();
        if count > FOLD_ELEMENT_LIMIT {
            return None;
        }
        let arrays: Vec<NdArray> = attrs.iter().map(|a| attr_to_array(ctx, *a)).collect::<Option<_>>()?;
        if is_elementwise(ctx, op) {
            eval_elementwise(ctx, op, &arrays)?
        } else {
            eval_structural(ctx, op, &arrays, &out_shape)?
        }
    };
    if result.shape() != out_shape.as_slice() {
        return None;
    }
    let attr = array_to_attr(ctx, &result);
    // The folded constant must have exactly the op's result type.
    (ctx.attr_type(attr) == Some(ty)).then_some(attr)
}

/// Whether `attr` is a splat whose element is the integer `value`.
fn is_int_splat(ctx: &Context, attr: Option<Attribute>, value: i64) -> bool {
    match attr.map(|a| ctx.attr_data(a)) {
        Some(AttributeData::DenseElements { data: DenseData::Int(v), .. }) => {
            !v.is_empty() && v.iter().all(|x| *x == value)
        }
        _ => false,
    }
}

fn same_type(ctx: &Context, v: Value, op: OpId) -> bool {
    ctx.value_type(v) == result_type(ctx, op)
}

/// Folds of an op to one of its operands.
fn fold_to_value(ctx: &Context, op: OpId, operands: &[Option<Attribute>]) -> Option<Value> {
    let name = ctx.op_name(op);
    let x = *ctx.operands(op).first()?;
    match name {
        // cast/broadcast/reshape to the operand's own type: x
        "array.cast" | "array.broadcast" | "array.reshape" if same_type(ctx, x, op) => Some(x),
        // transpose(x, identity) -> x
        "array.transpose" => {
            let perm = i64_array_attr(ctx, op, "permutation")?;
            (perm.iter().enumerate().all(|(i, p)| *p == i as i64) && same_type(ctx, x, op)).then_some(x)
        }
        // slice(x, [::] in every dim) -> x
        "array.slice" => {
            let full = slice_specs(ctx, op)?
                .iter()
                .all(|s| s.start.is_none() && s.stop.is_none() && s.step.unwrap_or(1) == 1);
            (full && same_type(ctx, x, op)).then_some(x)
        }
        // neg(neg(x)) -> x ; not(not(x)) -> x
        "array.neg" | "array.not" => {
            let inner = ctx.defining_op(x)?;
            (ctx.op_name(inner) == name && same_type(ctx, ctx.operand(inner, 0), op))
                .then(|| ctx.operand(inner, 0))
        }
        // x + 0 -> x, 0 + x -> x, x - 0 -> x, x * 1 -> x, 1 * x -> x (integers only:
        // for floats, -0.0 + 0 is +0.0, so x + 0 is not x)
        "array.add" | "array.sub" | "array.mul" | "array.or" | "array.xor" => {
            let int_elems =
                TensorShape::of(ctx, result_type(ctx, op)).is_some_and(|t| ctx.is_integer(t.element));
            if !int_elems {
                return None;
            }
            let y = ctx.operand(op, 1);
            let identity = if name == "array.mul" { 1 } else { 0 };
            let rhs_identity = is_int_splat(ctx, operands.get(1).copied().flatten(), identity);
            let lhs_identity = is_int_splat(ctx, operands.first().copied().flatten(), identity);
            if rhs_identity && same_type(ctx, x, op) {
                Some(x)
            } else if lhs_identity && name != "array.sub" && same_type(ctx, y, op) {
                Some(y)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The folder registered for every array op.
pub fn fold(ctx: &mut Context, op: OpId, operands: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    if ctx.results(op).len() != 1 {
        return None;
    }
    if let Some(v) = fold_to_value(ctx, op, operands) {
        return Some(vec![FoldResult::Value(v)]);
    }
    fold_constant(ctx, op, operands).map(|a| vec![FoldResult::Attribute(a)])
}

/// `array.constant` folds to its value (so the driver knows it is constant).
pub fn fold_constant_op(ctx: &mut Context, op: OpId, _: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    ctx.attr(op, "value").map(|a| vec![FoldResult::Attribute(a)])
}
