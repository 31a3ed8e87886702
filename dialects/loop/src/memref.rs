//! Reading `memref` types and constant `index` operands: the small queries
//! that the verifiers, folders and patterns of the loop level share.

use axir_ir::{Context, Dim, MemRefLayout, OpId, Type, TypeData, Value};

/// The parts of a `memref` type the loop level uses.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MemRefType {
    /// Dims, `None` for `?`.
    pub shape: Vec<Dim>,
    /// The element type.
    pub element: Type,
    /// Stride of each dim in elements, `None` for `?`. The identity layout
    /// gives the row-major strides (dynamic where a later dim is dynamic).
    pub strides: Vec<Option<i64>>,
    /// Offset in elements, `None` for `?`; 0 for the identity layout.
    pub offset: Option<i64>,
    /// Whether the layout is written as the identity (no layout).
    pub identity: bool,
}

impl MemRefType {
    /// The memref description of `ty`, or `None` when `ty` is not a memref
    /// or has an opaque layout (an `affine_map`).
    pub fn of(ctx: &Context, ty: Type) -> Option<MemRefType> {
        let TypeData::MemRef { shape, element, layout, .. } = ctx.type_data(ty) else { return None };
        let (strides, offset, identity) = match layout {
            MemRefLayout::Identity => (row_major_strides(shape), Some(0), true),
            MemRefLayout::Strided { strides, offset } => (strides.clone(), *offset, false),
            MemRefLayout::Other(_) => return None,
        };
        if strides.len() != shape.len() {
            return None;
        }
        Some(MemRefType { shape: shape.clone(), element: *element, strides, offset, identity })
    }

    /// The number of dims.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// How many dims are dynamic (`?`).
    pub fn num_dynamic_dims(&self) -> usize {
        self.shape.iter().filter(|d| d.is_none()).count()
    }
}

/// Row-major strides of `shape`: the last dim has stride 1, each other dim
/// the product of the later dims (unknown once a later dim is `?`).
pub fn row_major_strides(shape: &[Dim]) -> Vec<Option<i64>> {
    let mut strides = vec![Some(1i64); shape.len()];
    let mut acc = Some(1i64);
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc = match (acc, shape[i]) {
            (Some(a), Some(d)) => i64::try_from(d).ok().and_then(|d| a.checked_mul(d)),
            _ => None,
        };
    }
    strides
}

/// The value of a constant `index` (or integer) operand: the `value` of an
/// `arith.constant` that defines `v`.
pub fn constant_index(ctx: &Context, v: Value) -> Option<i64> {
    let def = ctx.defining_op(v)?;
    if ctx.op_name(def) != "arith.constant" {
        return None;
    }
    let value = ctx.attr(def, "value")?;
    ctx.attr_as_int(value).and_then(|n| i64::try_from(n).ok())
}

/// Whether `ty` is `index`.
pub fn is_index(ctx: &Context, ty: Type) -> bool {
    matches!(ctx.type_data(ty), TypeData::Index)
}

/// Shape text such as `?x8` (empty for rank 0), for messages.
pub fn shape_str(shape: &[Dim]) -> String {
    shape.iter().map(|d| d.map_or("?".to_string(), |n| n.to_string())).collect::<Vec<_>>().join("x")
}

/// The type of operand `i` of `op`, as text, for messages.
pub fn operand_ty(ctx: &Context, op: OpId, i: usize) -> String {
    ctx.display_type(ctx.value_type(ctx.operand(op, i))).to_string()
}
