//! Shape ops: broadcasting, `reshape`, `transpose`, `broadcast_to`, `slice`,
//! `concat` and `iota`.
//!
//! All of them are gathers: they compute, for each output element, the flat
//! index of its source element through a strided view (offset plus per-dim
//! strides, which may be zero for broadcast dims or negative for reversed
//! slices) and copy. Simple rather than fast.

use crate::array::{numel, strides, try_vec, Data, NdArray};
use crate::dtype::DType;
use crate::error::{NdError, Result};

/// numpy's broadcast of two shapes: align from the right; each pair of dims
/// must be equal or one of them 1, which stretches.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for (i, o) in out.iter_mut().enumerate() {
        // Dims missing on the left count as 1.
        let da = if i + a.len() >= rank { a[i + a.len() - rank] } else { 1 };
        let db = if i + b.len() >= rank { b[i + b.len() - rank] } else { 1 };
        *o = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return Err(NdError::Broadcast { a: a.to_vec(), b: b.to_vec() }),
        };
    }
    Ok(out)
}

/// Flat source indices of every element of a view of shape `out_shape` whose
/// element `(i0, i1, ...)` sits at `offset + Σ ik * strides[k]`.
///
/// The caller guarantees every such position lies inside the source.
pub(crate) fn strided_indices(out_shape: &[usize], offset: isize, strides: &[isize]) -> Result<Vec<usize>> {
    let n = numel(out_shape)?;
    let mut idx = try_vec(n, out_shape)?;
    if n == 0 {
        return Ok(idx);
    }
    let rank = out_shape.len();
    let mut counter = vec![0usize; rank];
    let mut pos = offset;
    for _ in 0..n {
        // Invariant: pos >= 0 because every view we build stays inside its source.
        idx.push(pos as usize);
        for d in (0..rank).rev() {
            counter[d] += 1;
            pos += strides[d];
            if counter[d] < out_shape[d] {
                break;
            }
            pos -= strides[d] * out_shape[d] as isize;
            counter[d] = 0;
        }
    }
    Ok(idx)
}

/// Signed C-order strides of `shape`, in elements.
fn signed_strides(shape: &[usize]) -> Vec<isize> {
    strides(shape).into_iter().map(|s| s as isize).collect()
}

/// Gathers a strided view of `x` into a new C-contiguous array of shape `out_shape`.
fn view(x: &NdArray, out_shape: Vec<usize>, offset: isize, strides: &[isize]) -> Result<NdArray> {
    let idx = strided_indices(&out_shape, offset, strides)?;
    NdArray::new(out_shape, x.data().gather(&idx))
}

/// `numpy.broadcast_to(x, shape)`: the target rank must be at least `x`'s and
/// each dim of `x` (aligned right) must equal the target's or be 1.
pub fn broadcast_to(x: &NdArray, shape: &[usize]) -> Result<NdArray> {
    let err = || NdError::BroadcastTo { from: x.shape().to_vec(), to: shape.to_vec() };
    if shape.len() < x.rank() {
        return Err(err());
    }
    let lead = shape.len() - x.rank();
    let src = signed_strides(x.shape());
    let mut st = vec![0isize; shape.len()];
    for (i, &d) in x.shape().iter().enumerate() {
        if d == shape[lead + i] {
            st[lead + i] = src[i];
        } else if d != 1 {
            return Err(err());
        }
    }
    view(x, shape.to_vec(), 0, &st)
}

/// `reshape`: the same elements in C order under a new shape with the same element count.
pub fn reshape(x: &NdArray, shape: &[usize]) -> Result<NdArray> {
    if numel(shape)? != x.len() {
        return Err(NdError::Reshape { from: x.shape().to_vec(), to: shape.to_vec() });
    }
    NdArray::new(shape.to_vec(), x.data().clone())
}

/// `numpy.transpose(x, perm)`: output dim `i` is input dim `perm[i]`.
pub fn transpose(x: &NdArray, perm: &[usize]) -> Result<NdArray> {
    let rank = x.rank();
    let mut seen = vec![false; rank];
    let is_perm =
        perm.len() == rank && perm.iter().all(|&p| p < rank && !std::mem::replace(&mut seen[p], true));
    if !is_perm {
        return Err(NdError::Permutation { perm: perm.to_vec(), rank });
    }
    let src = signed_strides(x.shape());
    let shape: Vec<usize> = perm.iter().map(|&p| x.shape()[p]).collect();
    let st: Vec<isize> = perm.iter().map(|&p| src[p]).collect();
    view(x, shape, 0, &st)
}

/// One dimension of a numpy basic slice `start:stop:step`; `None` is an omitted part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SliceSpec {
    /// First index (negative counts from the end); `None` is numpy's omitted start.
    pub start: Option<i64>,
    /// One past the last index (negative counts from the end); `None` is omitted.
    pub stop: Option<i64>,
    /// Step, non-zero; `None` means 1.
    pub step: Option<i64>,
}

impl SliceSpec {
    /// A slice `start:stop:step`.
    pub fn new(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> SliceSpec {
        SliceSpec { start, stop, step }
    }

    /// The full slice `:`.
    pub fn full() -> SliceSpec {
        SliceSpec::default()
    }

    /// Python's `slice.indices(len)` followed by the length computation:
    /// `(start, step, count)` of the selected elements. i128 keeps extreme
    /// user values (`i64::MIN` steps) from overflowing.
    fn resolve(&self, len: usize, dim: usize) -> Result<(i128, i128, usize)> {
        let step = i128::from(self.step.unwrap_or(1));
        if step == 0 {
            return Err(NdError::ZeroStep(dim));
        }
        let len = len as i128;
        let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
        let clamp = |v: Option<i64>, default: i128| match v {
            None => default,
            Some(v) => {
                let v = i128::from(v);
                if v < 0 {
                    (v + len).max(lower)
                } else {
                    v.min(upper)
                }
            }
        };
        let start = clamp(self.start, if step > 0 { lower } else { upper });
        let stop = clamp(self.stop, if step > 0 { upper } else { lower });
        let count = if step > 0 && start < stop {
            (stop - start - 1) / step + 1
        } else if step < 0 && stop < start {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        };
        // count <= len, so it fits usize.
        Ok((start, step, count as usize))
    }
}

/// numpy basic slicing `x[s0, s1, ...]`: one [`SliceSpec`] per leading dim,
/// remaining dims taken whole. Negative indices count from the end, out of
/// range bounds clamp, negative steps walk backwards; step 0 is an error.
pub fn slice(x: &NdArray, specs: &[SliceSpec]) -> Result<NdArray> {
    if specs.len() > x.rank() {
        return Err(NdError::TooManySlices { count: specs.len(), rank: x.rank() });
    }
    let src = signed_strides(x.shape());
    let mut shape = x.shape().to_vec();
    let mut st = src.clone();
    let mut offset = 0isize;
    for (d, spec) in specs.iter().enumerate() {
        let (start, step, count) = spec.resolve(x.shape()[d], d)?;
        shape[d] = count;
        if count > 0 {
            // start and step*count lie within the dim here, so they fit isize.
            offset += start as isize * src[d];
            st[d] = step as isize * src[d];
        }
    }
    if numel(&shape)? == 0 {
        return NdArray::new(shape, x.data().gather(&[]));
    }
    view(x, shape, offset, &st)
}

/// `numpy.concatenate(arrays, axis=dim)`: same dtype and rank, equal dims except `dim`.
pub fn concat(arrays: &[&NdArray], dim: usize) -> Result<NdArray> {
    let first = arrays.first().ok_or(NdError::EmptyConcat)?;
    if dim >= first.rank() {
        return Err(NdError::DimOutOfRange { dim, rank: first.rank() });
    }
    let mut total = 0usize;
    for (index, a) in arrays.iter().enumerate() {
        if a.dtype() != first.dtype() {
            return Err(NdError::DTypeMismatch { op: "concat", a: first.dtype(), b: a.dtype() });
        }
        let fits = a.rank() == first.rank()
            && a.shape().iter().zip(first.shape()).enumerate().all(|(d, (x, y))| d == dim || x == y);
        if !fits {
            return Err(NdError::ConcatShape {
                index,
                shape: a.shape().to_vec(),
                expected: first.shape().to_vec(),
                dim,
            });
        }
        total = total.checked_add(a.shape()[dim]).ok_or_else(|| NdError::TooLarge(first.shape().to_vec()))?;
    }
    let mut shape = first.shape().to_vec();
    shape[dim] = total;
    let outer: usize = first.shape()[..dim].iter().product();
    let inner: usize = first.shape()[dim + 1..].iter().product();
    // Pieces interleave: for each outer index, each operand contributes a
    // contiguous run of `shape[dim] * inner` elements.
    let mut out = Vec::with_capacity(arrays.len());
    for o in 0..outer {
        for a in arrays {
            let run = a.shape()[dim] * inner;
            out.push(a.data().gather(&(o * run..(o + 1) * run).collect::<Vec<_>>()));
        }
    }
    let data = append_all(first.dtype(), out);
    NdArray::new(shape, data)
}

/// Concatenates storages of one dtype.
fn append_all(dtype: DType, parts: Vec<Data>) -> Data {
    let mut acc = crate::cast::empty_data(dtype);
    for p in parts {
        match (&mut acc, p) {
            (Data::I1(a), Data::I1(b)) => a.extend(b),
            (Data::I8(a), Data::I8(b)) => a.extend(b),
            (Data::I16(a), Data::I16(b)) => a.extend(b),
            (Data::I32(a), Data::I32(b)) => a.extend(b),
            (Data::I64(a), Data::I64(b)) => a.extend(b),
            (Data::U8(a), Data::U8(b)) => a.extend(b),
            (Data::F16(a), Data::F16(b)) => a.extend(b),
            (Data::BF16(a), Data::BF16(b)) => a.extend(b),
            (Data::F32(a), Data::F32(b)) => a.extend(b),
            (Data::F64(a), Data::F64(b)) => a.extend(b),
            // Unreachable: concat checked that every operand has `dtype`.
            _ => {}
        }
    }
    acc
}

/// `iota(shape, dim, dtype)`: element `(i0, ..., in)` is `i_dim` cast to
/// `dtype` with [`cast`](mod@crate::cast)'s rules (so it wraps in narrow integer types
/// and is `i != 0` in `i1`).
pub fn iota(shape: Vec<usize>, dim: usize, dtype: DType) -> Result<NdArray> {
    if dim >= shape.len() {
        return Err(NdError::DimOutOfRange { dim, rank: shape.len() });
    }
    let n = numel(&shape)?;
    let inner: usize = shape[dim + 1..].iter().product();
    let mut v = try_vec(n, &shape)?;
    // inner > 0 whenever n > 0.
    v.extend((0..n).map(|i| ((i / inner) % shape[dim]) as i64));
    let idx = NdArray::new(shape, Data::I64(v))?;
    crate::cast::cast(&idx, dtype)
}
