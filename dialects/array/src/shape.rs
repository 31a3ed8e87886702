//! Shape and element-type rules of the array dialect: numpy broadcasting,
//! and what "compatible" means when a dim is dynamic (`?`).

use axir_ir::{Context, Dim, FloatKind, Signedness, Type, TypeData};

/// The element types the array dialect accepts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ElementKind {
    /// `i1`: booleans.
    Bool,
    /// `i8 i16 i32 i64 ui8`.
    Int,
    /// `f16 bf16 f32 f64`.
    Float,
}

/// The element kind of `ty`, or `None` when the array dialect does not support it.
pub fn element_kind(ctx: &Context, ty: Type) -> Option<ElementKind> {
    match ctx.type_data(ty) {
        TypeData::Integer { width: 1, signedness: Signedness::Signless } => Some(ElementKind::Bool),
        TypeData::Integer { width: 8 | 16 | 32 | 64, signedness: Signedness::Signless } => {
            Some(ElementKind::Int)
        }
        TypeData::Integer { width: 8, signedness: Signedness::Unsigned } => Some(ElementKind::Int),
        TypeData::Float(FloatKind::F16 | FloatKind::BF16 | FloatKind::F32 | FloatKind::F64) => {
            Some(ElementKind::Float)
        }
        _ => None,
    }
}

/// A ranked tensor's shape and element type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TensorShape {
    /// Dims; `None` is dynamic.
    pub dims: Vec<Dim>,
    /// Element type.
    pub element: Type,
}

impl TensorShape {
    /// The shape of `ty` if it is a ranked tensor.
    pub fn of(ctx: &Context, ty: Type) -> Option<TensorShape> {
        match ctx.type_data(ty) {
            TypeData::Tensor { shape: Some(dims), element } => {
                Some(TensorShape { dims: dims.clone(), element: *element })
            }
            _ => None,
        }
    }

    /// Rank.
    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    /// Number of elements if every dim is static.
    pub fn static_num_elements(&self) -> Option<u64> {
        self.dims.iter().try_fold(1u64, |acc, d| d.and_then(|n| acc.checked_mul(n)))
    }

    /// Builds the tensor type.
    pub fn to_type(&self, ctx: &mut Context) -> Type {
        ctx.tensor_type(self.dims.clone(), self.element)
    }
}

/// Broadcasts two dims the numpy way, `None` (`?`) standing for a size
/// known only at run time. Returns `None` when both are static and differ
/// with neither being 1.
pub fn broadcast_dim(a: Dim, b: Dim) -> Option<Dim> {
    match (a, b) {
        (Some(x), Some(y)) if x == y => Some(Some(x)),
        (Some(1), other) | (other, Some(1)) => Some(other),
        (Some(_), Some(_)) => None,
        // A dynamic dim against a static n > 1 must be 1 or n at run time:
        // either way the result is n.
        (None, Some(n)) | (Some(n), None) => Some(Some(n)),
        (None, None) => Some(None),
    }
}

/// numpy broadcasting of two shapes: align from the right, size-1 dims stretch.
pub fn broadcast_shapes(a: &[Dim], b: &[Dim]) -> Option<Vec<Dim>> {
    let rank = a.len().max(b.len());
    let mut out = vec![None; rank];
    for (i, slot) in out.iter_mut().enumerate() {
        let da = (i + a.len()).checked_sub(rank).map_or(Some(1), |j| a[j]);
        let db = (i + b.len()).checked_sub(rank).map_or(Some(1), |j| b[j]);
        *slot = broadcast_dim(da, db)?;
    }
    Some(out)
}

/// Whether a declared dim agrees with an inferred one (`?` matches anything).
pub fn dim_compatible(declared: Dim, inferred: Dim) -> bool {
    match (declared, inferred) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// Whether a declared shape agrees with an inferred one.
pub fn shape_compatible(declared: &[Dim], inferred: &[Dim]) -> bool {
    declared.len() == inferred.len() && declared.iter().zip(inferred).all(|(d, i)| dim_compatible(*d, *i))
}

/// Whether `from` can be broadcast to `to` (`numpy.broadcast_to`).
pub fn can_broadcast_to(from: &[Dim], to: &[Dim]) -> bool {
    if from.len() > to.len() {
        return false;
    }
    let offset = to.len() - from.len();
    from.iter().enumerate().all(|(i, d)| match (*d, to[i + offset]) {
        (Some(1), _) => true,
        (Some(x), Some(y)) => x == y,
        _ => true,
    })
}

/// Writes a shape as `4x?x8` for messages.
pub fn shape_str(dims: &[Dim]) -> String {
    dims.iter().map(|d| d.map_or("?".to_string(), |n| n.to_string())).collect::<Vec<_>>().join("x")
}

/// Result dim of a numpy basic slice `start:stop:step` over a dim of size `n`.
pub fn slice_len(n: u64, start: Option<i64>, stop: Option<i64>, step: i64) -> u64 {
    // i128 throughout: bounds and steps may be anywhere in i64's range
    // (`[::-9223372036854775808]` is valid Python), and their sums overflow i64.
    let (n, start, stop, step) = (n as i128, start.map(i128::from), stop.map(i128::from), i128::from(step));
    let (lo, hi) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let clamp = |v: i128| {
        let v = if v < 0 { v + n } else { v };
        v.clamp(lo, hi)
    };
    let start = start.map_or(if step > 0 { lo } else { hi }, clamp);
    let stop = stop.map_or(if step > 0 { hi } else { lo }, clamp);
    let len = if step > 0 {
        (stop - start + step - 1).div_euclid(step)
    } else {
        (start - stop + (-step) - 1).div_euclid(-step)
    };
    len.max(0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_shapes(&[Some(4), Some(8)], &[Some(8)]), Some(vec![Some(4), Some(8)]));
        assert_eq!(broadcast_shapes(&[Some(4), Some(1)], &[Some(3)]), Some(vec![Some(4), Some(3)]));
        assert_eq!(broadcast_shapes(&[Some(4)], &[Some(3)]), None);
        assert_eq!(broadcast_shapes(&[None, Some(8)], &[Some(1), Some(8)]), Some(vec![None, Some(8)]));
        assert_eq!(broadcast_shapes(&[None], &[Some(5)]), Some(vec![Some(5)]));
        assert_eq!(broadcast_shapes(&[], &[Some(2), Some(0)]), Some(vec![Some(2), Some(0)]));
    }

    #[test]
    fn slices_match_python() {
        // len(range(10)[1:4]) == 3, [::2] == 5, [::-1] == 10, [-3:] == 3, [5:1] == 0, [8:2:-2] == 3
        assert_eq!(slice_len(10, Some(1), Some(4), 1), 3);
        assert_eq!(slice_len(10, None, None, 2), 5);
        assert_eq!(slice_len(10, None, None, -1), 10);
        assert_eq!(slice_len(10, Some(-3), None, 1), 3);
        assert_eq!(slice_len(10, Some(5), Some(1), 1), 0);
        assert_eq!(slice_len(10, Some(8), Some(2), -2), 3);
        assert_eq!(slice_len(10, Some(-100), Some(100), 1), 10);
        assert_eq!(slice_len(0, None, None, -1), 0);
        // Extreme bounds and steps: len(range(10)[::2**63-1]) == 1, etc.
        assert_eq!(slice_len(10, None, None, i64::MAX), 1);
        assert_eq!(slice_len(10, None, None, i64::MIN), 1);
        assert_eq!(slice_len(10, Some(i64::MIN), Some(i64::MAX), 1), 10);
        assert_eq!(slice_len(10, Some(i64::MAX), Some(i64::MIN), -1), 10);
    }
}
