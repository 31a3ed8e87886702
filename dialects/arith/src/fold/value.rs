//! Constant operands unpacked into exact values ([`Scalar`]s), and packed
//! back into attributes of a result type.

use axir_ir::{
    wrap_int, Attribute, AttributeData, Context, DenseData, FloatKind, Signedness, Type, TypeData,
};

use crate::apfloat::ApFloat;
use crate::apint::{ApInt, MAX_WIDTH};

/// One element of a constant.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Scalar {
    /// An integer (or index, as 64 bits).
    Int(ApInt),
    /// A float in its own format.
    Float(ApFloat),
}

impl Scalar {
    /// The integer, if this is one.
    pub fn int(self) -> Option<ApInt> {
        match self {
            Scalar::Int(i) => Some(i),
            Scalar::Float(_) => None,
        }
    }

    /// The float, if this is one.
    pub fn float(self) -> Option<ApFloat> {
        match self {
            Scalar::Float(f) => Some(f),
            Scalar::Int(_) => None,
        }
    }
}

/// What an element type is made of.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ElementKind {
    /// An integer of this width (`index` is 64 bits, as in MLIR's folders).
    Int(u32),
    /// A float format.
    Float(FloatKind),
}

/// The element kind of a scalar or shaped type, if the folders handle it.
pub fn element_kind(ctx: &Context, ty: Type) -> Option<ElementKind> {
    match ctx.type_data(ctx.element_type_or_self(ty)) {
        TypeData::Integer { width, .. } if (1..=MAX_WIDTH).contains(width) => Some(ElementKind::Int(*width)),
        TypeData::Index => Some(ElementKind::Int(64)),
        TypeData::Float(k) => Some(ElementKind::Float(*k)),
        _ => None,
    }
}

/// A constant: a scalar, a splat (one element standing for all), or every
/// element of a dense vector/tensor in row-major order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConstValue {
    /// Whether the constant is a vector/tensor.
    pub shaped: bool,
    /// The elements: one for scalars and splats.
    pub elems: Vec<Scalar>,
}

impl ConstValue {
    /// Unpacks an integer, float or dense-elements attribute.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Option<Self> {
        let kind = element_kind(ctx, ctx.attr_type(attr)?)?;
        match (ctx.attr_data(attr), kind) {
            (AttributeData::Integer { value, .. }, ElementKind::Int(w)) => {
                Some(Self { shaped: false, elems: vec![Scalar::Int(ApInt::from_i128(w, *value))] })
            }
            (AttributeData::Float { bits, .. }, ElementKind::Float(k)) => {
                Some(Self { shaped: false, elems: vec![Scalar::Float(ApFloat::from_storage(k, *bits))] })
            }
            (AttributeData::DenseElements { data: DenseData::Int(v), .. }, ElementKind::Int(w)) => {
                let elems = v.iter().map(|&x| Scalar::Int(ApInt::from_i128(w, x as i128))).collect();
                Some(Self { shaped: true, elems }).filter(|c| !c.elems.is_empty())
            }
            (AttributeData::DenseElements { data: DenseData::Float(v), .. }, ElementKind::Float(k)) => {
                let elems = v.iter().map(|&b| Scalar::Float(ApFloat::from_storage(k, b))).collect();
                Some(Self { shaped: true, elems }).filter(|c| !c.elems.is_empty())
            }
            _ => None,
        }
    }

    /// The single element of a scalar or splat.
    pub fn splat(&self) -> Option<Scalar> {
        match self.elems.as_slice() {
            [s] => Some(*s),
            _ => None,
        }
    }

    /// Whether every element satisfies `pred`.
    pub fn all(&self, pred: impl Fn(Scalar) -> bool) -> bool {
        self.elems.iter().all(|&s| pred(s))
    }

    /// Whether every element is an integer satisfying `pred`.
    pub fn all_ints(&self, pred: impl Fn(ApInt) -> bool) -> bool {
        self.all(|s| s.int().is_some_and(&pred))
    }

    /// Whether every element is a float whose bits satisfy `pred`.
    pub fn all_floats(&self, pred: impl Fn(ApFloat) -> bool) -> bool {
        self.all(|s| s.float().is_some_and(&pred))
    }
}

/// Applies `f` elementwise to constants of the same shape (a splat stands
/// for every element). `None` if any application is `None`: one undefined
/// element (a division by zero) keeps the whole op.
pub fn map_elements(operands: &[&ConstValue], f: impl Fn(&[Scalar]) -> Option<Scalar>) -> Option<ConstValue> {
    let shaped = operands.first()?.shaped;
    if operands.iter().any(|c| c.shaped != shaped) {
        return None;
    }
    let len = operands.iter().map(|c| c.elems.len()).max()?;
    if operands.iter().any(|c| c.elems.len() != len && c.elems.len() != 1) {
        return None;
    }
    let mut elems = Vec::with_capacity(len);
    let mut args = Vec::with_capacity(operands.len());
    for i in 0..len {
        args.clear();
        args.extend(operands.iter().map(|c| if c.elems.len() == 1 { c.elems[0] } else { c.elems[i] }));
        elems.push(f(&args)?);
    }
    Some(ConstValue { shaped, elems })
}

/// Packs `value` as an attribute of type `ty` (a scalar type, or a vector or
/// tensor with static shape). `None` when `ty` cannot hold it: an element
/// kind that does not match, dense integers wider than 64 bits, or a
/// non-splat whose element count is not the type's.
pub fn to_attribute_data(ctx: &Context, ty: Type, value: &ConstValue) -> Option<AttributeData> {
    let kind = element_kind(ctx, ty)?;
    let data = ctx.type_data(ty);
    let shaped = matches!(data, TypeData::Vector { .. } | TypeData::Tensor { .. });
    if shaped != value.shaped {
        return None;
    }
    let int_of = |s: Scalar, w: u32| s.int().filter(|i| i.width() == w);
    let float_of = |s: Scalar, k: FloatKind| s.float().filter(|f| f.kind() == k);
    if !shaped {
        let s = value.splat()?;
        return match kind {
            ElementKind::Int(w) => {
                let v = int_of(s, w)?;
                // Signless integers are stored sign-extended, `i1` as 0/1,
                // as `Context::integer_attr` does.
                Some(AttributeData::Integer { value: wrap_int(v.sext_value(), w, Signedness::Signless), ty })
            }
            ElementKind::Float(k) => Some(AttributeData::Float { bits: float_of(s, k)?.to_storage(), ty }),
        };
    }
    let count = data.shape()?.iter().try_fold(1u64, |acc, d| d.and_then(|d| acc.checked_mul(d)))?;
    if value.elems.len() != 1 && value.elems.len() as u64 != count {
        return None;
    }
    let dense = match kind {
        ElementKind::Int(w) if w <= 64 => DenseData::Int(
            value
                .elems
                .iter()
                .map(|&s| int_of(s, w).map(|v| wrap_int(v.sext_value(), w, Signedness::Signless) as i64))
                .collect::<Option<_>>()?,
        ),
        ElementKind::Int(_) => return None,
        ElementKind::Float(k) => DenseData::Float(
            value.elems.iter().map(|&s| float_of(s, k).map(ApFloat::to_storage)).collect::<Option<_>>()?,
        ),
    };
    Some(AttributeData::DenseElements { ty, data: dense })
}

/// A constant of type `ty` whose every element is `s`.
pub fn splat_data(ctx: &Context, ty: Type, s: Scalar) -> Option<AttributeData> {
    let shaped = matches!(ctx.type_data(ty), TypeData::Vector { .. } | TypeData::Tensor { .. });
    to_attribute_data(ctx, ty, &ConstValue { shaped, elems: vec![s] })
}
