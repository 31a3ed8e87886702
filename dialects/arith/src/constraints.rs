//! Type constraints of arith operands and results, and the shape rules of
//! elementwise and cast ops, each reported with MLIR's wording.
//!
//! `*-like` means a scalar of the element type, or a vector or tensor (ranked
//! or not) of it. These checks are `pub` because the math dialect and other
//! dialects built on arith use the same ones.

use axir_ir::{Context, DiagResult, Dim, OpId, Signedness, Type, TypeData};

/// A constraint on the type of one operand or result.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TypeConstraint {
    /// A float, or a vector/tensor of floats.
    FloatLike,
    /// A signless integer or `index`, or a vector/tensor of them.
    SignlessIntegerLike,
    /// A signless integer (not `index`), or a vector/tensor of them.
    SignlessFixedWidthIntegerLike,
    /// `i1`, or a vector/tensor of `i1`.
    BoolLike,
    /// Signless-integer-like, or a memref of signless integers or index.
    SignlessIntegerLikeOrMemRef,
    /// A signless integer or float, a vector/tensor of them, or a memref of them.
    IntegerOrFloatLikeOrMemRef,
}

impl TypeConstraint {
    /// MLIR's description, as it appears in `must be ..., but got ...`.
    pub fn description(self) -> &'static str {
        match self {
            TypeConstraint::FloatLike => "floating-point-like",
            TypeConstraint::SignlessIntegerLike => "signless-integer-like",
            TypeConstraint::SignlessFixedWidthIntegerLike => "signless-fixed-width-integer-like",
            TypeConstraint::BoolLike => "bool-like",
            TypeConstraint::SignlessIntegerLikeOrMemRef => {
                "signless-integer-like or memref of signless-integer"
            }
            TypeConstraint::IntegerOrFloatLikeOrMemRef => {
                "signless-integer-or-float-like or memref of signless-integer or float"
            }
        }
    }

    /// Whether `ty` satisfies the constraint.
    pub fn accepts(self, ctx: &Context, ty: Type) -> bool {
        let data = ctx.type_data(ty);
        let (element, container) = match data {
            TypeData::Vector { element, .. } | TypeData::Tensor { element, .. } => {
                (*element, Container::Shaped)
            }
            TypeData::MemRef { element, .. } => (*element, Container::MemRef),
            _ => (ty, Container::Scalar),
        };
        let allows_memref = matches!(
            self,
            TypeConstraint::SignlessIntegerLikeOrMemRef | TypeConstraint::IntegerOrFloatLikeOrMemRef
        );
        if container == Container::MemRef && !allows_memref {
            return false;
        }
        let element = ctx.type_data(element);
        let signless_int = matches!(element, TypeData::Integer { signedness: Signedness::Signless, .. });
        let float = matches!(element, TypeData::Float(_));
        match self {
            TypeConstraint::FloatLike => float,
            TypeConstraint::SignlessIntegerLike | TypeConstraint::SignlessIntegerLikeOrMemRef => {
                signless_int || matches!(element, TypeData::Index)
            }
            TypeConstraint::SignlessFixedWidthIntegerLike => signless_int,
            TypeConstraint::BoolLike => {
                matches!(element, TypeData::Integer { width: 1, signedness: Signedness::Signless })
            }
            TypeConstraint::IntegerOrFloatLikeOrMemRef => signless_int || float,
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Container {
    Scalar,
    Shaped,
    MemRef,
}

/// Checks operand `index` of `op` against `constraint`.
pub fn check_operand(ctx: &Context, op: OpId, index: usize, constraint: TypeConstraint) -> DiagResult {
    let ty = ctx.value_type(ctx.operand(op, index));
    check(ctx, op, "operand", index, ty, constraint)
}

/// Checks result `index` of `op` against `constraint`.
pub fn check_result(ctx: &Context, op: OpId, index: usize, constraint: TypeConstraint) -> DiagResult {
    let ty = ctx.value_type(ctx.result(op, index));
    check(ctx, op, "result", index, ty, constraint)
}

/// Checks every operand, then every result, against `constraint`.
pub fn check_all(ctx: &Context, op: OpId, constraint: TypeConstraint) -> DiagResult {
    for i in 0..ctx.operands(op).len() {
        check_operand(ctx, op, i, constraint)?;
    }
    for i in 0..ctx.results(op).len() {
        check_result(ctx, op, i, constraint)?;
    }
    Ok(())
}

fn check(ctx: &Context, op: OpId, what: &str, index: usize, ty: Type, c: TypeConstraint) -> DiagResult {
    if c.accepts(ctx, ty) {
        return Ok(());
    }
    Err(ctx.op_error(
        op,
        format!("{what} #{index} must be {}, but got '{}'", c.description(), ctx.display_type(ty)),
    ))
}

/// The shape of a type for shape-compatibility checks.
#[derive(Clone, PartialEq, Eq, Debug)]
enum ShapeOf {
    Scalar,
    Unranked,
    /// Dims (with `None` for `?`) and, for vectors, which dims are scalable.
    Ranked(Vec<Dim>, Vec<bool>),
}

fn shape_of(ctx: &Context, ty: Type) -> ShapeOf {
    match ctx.type_data(ty) {
        TypeData::Tensor { shape: None, .. } => ShapeOf::Unranked,
        TypeData::Tensor { shape: Some(s), .. } => ShapeOf::Ranked(s.clone(), vec![false; s.len()]),
        TypeData::MemRef { shape, .. } => ShapeOf::Ranked(shape.clone(), vec![false; shape.len()]),
        TypeData::Vector { shape, scalable, .. } => {
            ShapeOf::Ranked(shape.iter().map(|&d| Some(d)).collect(), scalable.clone())
        }
        _ => ShapeOf::Scalar,
    }
}

/// MLIR's `verifyCompatibleShape`: both scalars, or shaped with equal ranks
/// and dims that are equal or dynamic (unranked matches any shape).
fn compatible_shapes(a: &ShapeOf, b: &ShapeOf) -> bool {
    match (a, b) {
        (ShapeOf::Scalar, ShapeOf::Scalar) => true,
        (ShapeOf::Scalar, _) | (_, ShapeOf::Scalar) => false,
        (ShapeOf::Unranked, _) | (_, ShapeOf::Unranked) => true,
        (ShapeOf::Ranked(da, sa), ShapeOf::Ranked(db, sb)) => {
            da.len() == db.len()
                && sa == sb
                && da.iter().zip(db).all(|(x, y)| x.is_none() || y.is_none() || x == y)
        }
    }
}

/// The `SameOperandsAndResultShape` rule of cast ops.
pub fn check_same_shape(ctx: &Context, op: OpId) -> DiagResult {
    let mut types = ctx.operands(op).iter().chain(ctx.results(op)).map(|&v| shape_of(ctx, ctx.value_type(v)));
    if let Some(first) = types.next() {
        if types.any(|s| !compatible_shapes(&first, &s)) {
            return Err(ctx.op_error(op, "requires the same shape for all operands and results"));
        }
    }
    Ok(())
}

/// The rule that a cast from or to a tensor keeps exactly the same tensor
/// dims (`SameInputOutputTensorDims`).
pub fn check_same_tensor_dims(ctx: &Context, op: OpId) -> DiagResult {
    let tensor_shape = |v| match ctx.type_data(ctx.value_type(v)) {
        TypeData::Tensor { shape, .. } => Some(shape.clone()),
        _ => None,
    };
    let (a, b) = (tensor_shape(ctx.operand(op, 0)), tensor_shape(ctx.result(op, 0)));
    if (a.is_some() || b.is_some()) && a != b {
        return Err(
            ctx.op_error(op, "failed to verify that input and output have the same tensor dimensions")
        );
    }
    Ok(())
}

/// MLIR's `Elementwise` rule: if anything is a vector or tensor, every
/// result is, and all vectors/tensors have the same kind and compatible shapes.
pub fn check_elementwise(ctx: &Context, op: OpId) -> DiagResult {
    let kind = |ty: Type| match ctx.type_data(ty) {
        TypeData::Vector { .. } => Some(0),
        TypeData::Tensor { shape: Some(_), .. } => Some(1),
        TypeData::Tensor { shape: None, .. } => Some(2),
        _ => None,
    };
    let operand_types: Vec<Type> = ctx.operands(op).iter().map(|&v| ctx.value_type(v)).collect();
    let result_types: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    let shaped_operands: Vec<Type> = operand_types.iter().copied().filter(|&t| kind(t).is_some()).collect();
    let shaped_results: Vec<Type> = result_types.iter().copied().filter(|&t| kind(t).is_some()).collect();
    if shaped_operands.is_empty() && shaped_results.is_empty() {
        return Ok(());
    }
    if shaped_operands.is_empty() {
        return Err(
            ctx.op_error(op, "if a result is non-scalar, then at least one operand must be non-scalar")
        );
    }
    if shaped_results.is_empty() {
        return Err(ctx
            .op_error(op, "if an operand is non-scalar, then there must be at least one non-scalar result"));
    }
    if shaped_results.len() != result_types.len() {
        return Err(ctx.op_error(op, "if an operand is non-scalar, then all results must be non-scalar"));
    }
    let all: Vec<Type> = shaped_operands.into_iter().chain(shaped_results).collect();
    let first_kind = kind(all[0]);
    let first_shape = shape_of(ctx, all[0]);
    if all.iter().any(|&t| kind(t) != first_kind || !compatible_shapes(&first_shape, &shape_of(ctx, t))) {
        return Err(
            ctx.op_error(op, "all non-scalar operands/results must have the same shape and base type")
        );
    }
    Ok(())
}

/// `ty` with its element type replaced by `element` (the type of a
/// comparison's result, of a cast's result in the same container).
pub fn with_element_type(ctx: &mut Context, ty: Type, element: Type) -> Type {
    let data = match ctx.type_data(ty).clone() {
        TypeData::Vector { shape, scalable, .. } => TypeData::Vector { shape, scalable, element },
        TypeData::Tensor { shape, .. } => TypeData::Tensor { shape, element },
        TypeData::MemRef { shape, layout, memory_space, .. } => {
            TypeData::MemRef { shape, element, layout, memory_space }
        }
        _ => return element,
    };
    ctx.intern_type(data)
}

/// Whether `a` and `b` have the same container and shape, ignoring their
/// element types (`vector<4xf32>` and `vector<4xi1>` do).
pub fn same_container_and_shape(ctx: &Context, a: Type, b: Type) -> bool {
    match (ctx.type_data(a), ctx.type_data(b)) {
        (
            TypeData::Vector { shape: s1, scalable: c1, .. },
            TypeData::Vector { shape: s2, scalable: c2, .. },
        ) => s1 == s2 && c1 == c2,
        (TypeData::Tensor { shape: s1, .. }, TypeData::Tensor { shape: s2, .. }) => s1 == s2,
        (TypeData::MemRef { shape: s1, .. }, TypeData::MemRef { shape: s2, .. }) => s1 == s2,
        (x, y) => x.element_type().is_none() && y.element_type().is_none(),
    }
}
