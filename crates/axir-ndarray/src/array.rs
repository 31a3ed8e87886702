//! The [`NdArray`] value: a shape plus C-contiguous typed data ([`Data`]),
//! its constructors, accessors and the equality helpers tests use.
//!
//! **Invariant: `data.len() == product(shape)`** for every `NdArray`; it is
//! checked by every constructor, so kernels index without further checks.

use half::{bf16, f16};

use crate::dtype::DType;
use crate::error::{NdError, Result};

/// Typed, C-contiguous element storage; one variant per [`DType`].
#[derive(Debug, Clone)]
pub enum Data {
    /// `i1` elements.
    I1(Vec<bool>),
    /// `i8` elements.
    I8(Vec<i8>),
    /// `i16` elements.
    I16(Vec<i16>),
    /// `i32` elements.
    I32(Vec<i32>),
    /// `i64` elements.
    I64(Vec<i64>),
    /// `ui8` elements.
    U8(Vec<u8>),
    /// `f16` elements.
    F16(Vec<f16>),
    /// `bf16` elements.
    BF16(Vec<bf16>),
    /// `f32` elements.
    F32(Vec<f32>),
    /// `f64` elements.
    F64(Vec<f64>),
}

impl Data {
    /// The element type of this storage.
    pub fn dtype(&self) -> DType {
        match self {
            Data::I1(_) => DType::I1,
            Data::I8(_) => DType::I8,
            Data::I16(_) => DType::I16,
            Data::I32(_) => DType::I32,
            Data::I64(_) => DType::I64,
            Data::U8(_) => DType::U8,
            Data::F16(_) => DType::F16,
            Data::BF16(_) => DType::BF16,
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        with_data!(self, v => v.len())
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new storage holding `self[idx[0]], self[idx[1]], ...`.
    ///
    /// Every index must be in range; callers derive them from validated shapes.
    pub(crate) fn gather(&self, idx: &[usize]) -> Data {
        map_data!(self, v => idx.iter().map(|&i| v[i]).collect())
    }

    /// Element `i` converted to f64 (lossy for i64 beyond 2^53); for printing and tolerances.
    pub(crate) fn get_f64(&self, i: usize) -> f64 {
        match self {
            Data::I1(v) => f64::from(u8::from(v[i])),
            Data::I8(v) => f64::from(v[i]),
            Data::I16(v) => f64::from(v[i]),
            Data::I32(v) => f64::from(v[i]),
            Data::I64(v) => v[i] as f64,
            Data::U8(v) => f64::from(v[i]),
            Data::F16(v) => f64::from(v[i]),
            Data::BF16(v) => f64::from(v[i]),
            Data::F32(v) => f64::from(v[i]),
            Data::F64(v) => v[i],
        }
    }

    /// Raw bits of element `i` zero-extended to u64 (floats: their IEEE pattern).
    pub(crate) fn bits(&self, i: usize) -> u64 {
        match self {
            Data::I1(v) => u64::from(v[i]),
            Data::I8(v) => u64::from(v[i] as u8),
            Data::I16(v) => u64::from(v[i] as u16),
            Data::I32(v) => u64::from(v[i] as u32),
            Data::I64(v) => v[i] as u64,
            Data::U8(v) => u64::from(v[i]),
            Data::F16(v) => u64::from(v[i].to_bits()),
            Data::BF16(v) => u64::from(v[i].to_bits()),
            Data::F32(v) => u64::from(v[i].to_bits()),
            Data::F64(v) => v[i].to_bits(),
        }
    }

    fn is_nan_at(&self, i: usize) -> bool {
        match self {
            Data::F16(v) => v[i].is_nan(),
            Data::BF16(v) => v[i].is_nan(),
            Data::F32(v) => v[i].is_nan(),
            Data::F64(v) => v[i].is_nan(),
            _ => false,
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust scalar type that is the storage of one [`DType`].
pub trait Element: Copy + PartialOrd + std::fmt::Debug + Send + Sync + 'static + sealed::Sealed {
    /// The element type this Rust type stores.
    const DTYPE: DType;
    /// Wraps a vector into the matching [`Data`] variant.
    fn into_data(v: Vec<Self>) -> Data;
    /// Borrows the vector of a [`Data`] when its variant matches `Self`.
    fn slice(d: &Data) -> Option<&[Self]>;
}

macro_rules! impl_element {
    ($($t:ty => $var:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$var;
            fn into_data(v: Vec<Self>) -> Data {
                Data::$var(v)
            }
            fn slice(d: &Data) -> Option<&[Self]> {
                match d {
                    Data::$var(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}
impl_element!(bool => I1, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8,
    f16 => F16, bf16 => BF16, f32 => F32, f64 => F64);

/// The number of elements of `shape`, or an error when it overflows.
pub fn numel(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| NdError::TooLarge(shape.to_vec()))
}

/// C-order (row-major) strides, in elements.
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        // Cannot overflow: the product of a suffix divides the validated total.
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// A vector with room for `n` elements, or a typed error instead of an
/// allocation abort when a user-supplied shape is absurdly large.
pub(crate) fn try_vec<T>(n: usize, shape: &[usize]) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| NdError::TooLarge(shape.to_vec()))?;
    Ok(v)
}

/// An n-dimensional array with numpy semantics, stored C-contiguous.
///
/// Equality (`==`) is *bitwise* ([`NdArray::bit_eq`]): same dtype, same shape,
/// same bit patterns, so `NaN == NaN` when the bits agree and `-0.0 != 0.0`.
#[derive(Debug, Clone)]
pub struct NdArray {
    shape: Vec<usize>,
    data: Data,
}

impl NdArray {
    /// Builds an array from a shape and matching storage.
    pub fn new(shape: Vec<usize>, data: Data) -> Result<NdArray> {
        let expected = numel(&shape)?;
        // Invariant: data.len() == product(shape).
        if data.len() != expected {
            return Err(NdError::DataLength { shape, len: data.len(), expected });
        }
        Ok(NdArray { shape, data })
    }

    /// Builds an array from a shape and a vector of Rust scalars.
    pub fn from_vec<T: Element>(shape: Vec<usize>, values: Vec<T>) -> Result<NdArray> {
        NdArray::new(shape, T::into_data(values))
    }

    /// A rank-0 array holding one value.
    pub fn scalar<T: Element>(value: T) -> NdArray {
        NdArray { shape: Vec::new(), data: T::into_data(vec![value]) }
    }

    /// An array of zeros (`false` for `i1`).
    pub fn zeros(dtype: DType, shape: Vec<usize>) -> Result<NdArray> {
        let n = numel(&shape)?;
        let data = match dtype {
            DType::I1 => Data::I1(filled(n, false, &shape)?),
            DType::I8 => Data::I8(filled(n, 0, &shape)?),
            DType::I16 => Data::I16(filled(n, 0, &shape)?),
            DType::I32 => Data::I32(filled(n, 0, &shape)?),
            DType::I64 => Data::I64(filled(n, 0, &shape)?),
            DType::U8 => Data::U8(filled(n, 0, &shape)?),
            DType::F16 => Data::F16(filled(n, f16::ZERO, &shape)?),
            DType::BF16 => Data::BF16(filled(n, bf16::ZERO, &shape)?),
            DType::F32 => Data::F32(filled(n, 0.0, &shape)?),
            DType::F64 => Data::F64(filled(n, 0.0, &shape)?),
        };
        Ok(NdArray { shape, data })
    }

    /// `iota(shape, dim, dtype)`: each element is its index along `dim`, cast to `dtype`.
    pub fn iota(shape: Vec<usize>, dim: usize, dtype: DType) -> Result<NdArray> {
        crate::shape::iota(shape, dim, dtype)
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// The shape (empty for rank 0).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the array has no elements (some dimension is 0).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The typed storage, C-contiguous.
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// Consumes the array, returning its shape and storage.
    pub fn into_parts(self) -> (Vec<usize>, Data) {
        (self.shape, self.data)
    }

    /// The elements as a slice of `T`, or `None` when `T` is not the storage type.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        T::slice(&self.data)
    }

    /// All elements converted to f64 (lossy for `i64` beyond 2^53).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        (0..self.len()).map(|i| self.data.get_f64(i)).collect()
    }

    /// Exact equality: same dtype, shape and bit patterns (NaN equals NaN only with the same bits).
    pub fn bit_eq(&self, other: &NdArray) -> bool {
        self.dtype() == other.dtype()
            && self.shape == other.shape
            && (0..self.len()).all(|i| self.data.bits(i) == other.data.bits(i))
    }

    /// Exact equality of values: like [`NdArray::bit_eq`], except that any NaN
    /// equals any NaN whatever its sign and payload (hardware and libraries
    /// disagree on NaN bits; numpy does not specify them). `-0.0 != 0.0`.
    pub fn same_values(&self, other: &NdArray) -> bool {
        self.dtype() == other.dtype()
            && self.shape == other.shape
            && (0..self.len()).all(|i| {
                (self.data.is_nan_at(i) && other.data.is_nan_at(i)) || self.data.bits(i) == other.data.bits(i)
            })
    }

    /// numpy's `allclose(self, other, rtol, atol, equal_nan=True)`:
    /// `|a - b| <= atol + rtol * |b|` elementwise, infinities equal only to
    /// themselves; also requires the same dtype and shape.
    pub fn allclose(&self, other: &NdArray, rtol: f64, atol: f64) -> bool {
        self.dtype() == other.dtype()
            && self.shape == other.shape
            && (0..self.len()).all(|i| {
                let (a, b) = (self.data.get_f64(i), other.data.get_f64(i));
                if a.is_nan() || b.is_nan() {
                    a.is_nan() && b.is_nan()
                } else if a.is_infinite() || b.is_infinite() {
                    a == b
                } else if self.dtype() == DType::I64 {
                    // f64 would round large i64 values: compare them exactly instead.
                    self.data.bits(i) == other.data.bits(i) || (a - b).abs() <= atol + rtol * b.abs()
                } else {
                    (a - b).abs() <= atol + rtol * b.abs()
                }
            })
    }

    /// Floats within `max_ulps` units in the last place of their own dtype
    /// (NaN equals NaN, `-0.0` and `0.0` are 0 ulps apart); non-floats must be
    /// equal. Also requires the same dtype and shape.
    pub fn ulp_close(&self, other: &NdArray, max_ulps: u64) -> bool {
        if self.dtype() != other.dtype() || self.shape != other.shape {
            return false;
        }
        let width = self.dtype().size_bytes() * 8;
        (0..self.len()).all(|i| {
            let (a_nan, b_nan) = (self.data.is_nan_at(i), other.data.is_nan_at(i));
            if a_nan || b_nan {
                return a_nan && b_nan;
            }
            let (a, b) = (self.data.bits(i), other.data.bits(i));
            if !self.dtype().is_float() {
                return a == b;
            }
            ordered(a, width).abs_diff(ordered(b, width)) <= u128::from(max_ulps)
        })
    }
}

/// Maps float bits of the given width onto a line where adjacent floats are
/// adjacent integers and both zeros meet, so ulp distance is a subtraction.
fn ordered(bits: u64, width: usize) -> u128 {
    let sign = (bits >> (width - 1)) & 1 == 1;
    let magnitude = u128::from(bits & ((1u64 << (width - 1)) - 1));
    let origin = 1u128 << 64;
    if sign {
        origin - magnitude
    } else {
        origin + magnitude
    }
}

impl PartialEq for NdArray {
    fn eq(&self, other: &NdArray) -> bool {
        self.bit_eq(other)
    }
}

impl Eq for NdArray {}

fn filled<T: Copy>(n: usize, value: T, shape: &[usize]) -> Result<Vec<T>> {
    let mut v = try_vec(n, shape)?;
    v.resize(n, value);
    Ok(v)
}
