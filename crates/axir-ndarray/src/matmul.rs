//! `matmul` with `numpy.matmul` shape rules.
//!
//! A 1-D left operand gets a leading 1 and a 1-D right operand a trailing 1,
//! both removed from the result; leading (batch) dims broadcast; rank-0
//! operands are an error. Products are accumulated in order over `k`: in the
//! dtype for f32/f64 (numpy calls BLAS, whose blocking differs, so results
//! may differ in the last bits for long sums), in f32 for f16/bf16 (rounded
//! once at the end, like numpy's half loop), wrapping for integers, and as
//! or-of-ands for `i1`.

use half::{bf16, f16};

use crate::array::{numel, try_vec, Data, NdArray};
use crate::error::{NdError, Result};
use crate::scalar::Int;
use crate::shape::{broadcast_shapes, broadcast_to, reshape};

/// Sizes of one batched product: `batch` products of `[m, k] @ [k, n]`.
#[derive(Clone, Copy)]
struct Dims<'s> {
    out_shape: &'s [usize],
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
}

/// `numpy.matmul(a, b)` (the `@` operator); both operands must share a dtype.
pub fn matmul(a: &NdArray, b: &NdArray) -> Result<NdArray> {
    if a.dtype() != b.dtype() {
        return Err(NdError::DTypeMismatch { op: "matmul", a: a.dtype(), b: b.dtype() });
    }
    if a.rank() == 0 || b.rank() == 0 {
        return Err(NdError::MatmulRank);
    }
    let mismatch = || NdError::MatmulShape { a: a.shape().to_vec(), b: b.shape().to_vec() };
    let a2 = if a.rank() == 1 { reshape(a, &[1, a.len()])? } else { a.clone() };
    let b2 = if b.rank() == 1 { reshape(b, &[b.len(), 1])? } else { b.clone() };
    let (ra, rb) = (a2.rank(), b2.rank());
    let (m, k) = (a2.shape()[ra - 2], a2.shape()[ra - 1]);
    let (k2, n) = (b2.shape()[rb - 2], b2.shape()[rb - 1]);
    if k != k2 {
        return Err(mismatch());
    }
    let batch = broadcast_shapes(&a2.shape()[..ra - 2], &b2.shape()[..rb - 2]).map_err(|_| mismatch())?;
    let with = |x: usize, y: usize| batch.iter().copied().chain([x, y]).collect::<Vec<_>>();
    let a3 = broadcast_to(&a2, &with(m, k))?;
    let b3 = broadcast_to(&b2, &with(k, n))?;
    let out_shape = with(m, n);
    // Checked: with k == 0 the output can dwarf both inputs.
    numel(&out_shape)?;
    let d = Dims { out_shape: &out_shape, batch: batch.iter().product(), m, k, n };
    let data = match (a3.data(), b3.data()) {
        (Data::I1(x), Data::I1(y)) => Data::I1(mm(x, y, d, false, |e| e, |acc, p, q| acc | (p & q), |e| e)?),
        (Data::I8(x), Data::I8(y)) => Data::I8(int_mm(x, y, d)?),
        (Data::I16(x), Data::I16(y)) => Data::I16(int_mm(x, y, d)?),
        (Data::I32(x), Data::I32(y)) => Data::I32(int_mm(x, y, d)?),
        (Data::I64(x), Data::I64(y)) => Data::I64(int_mm(x, y, d)?),
        (Data::U8(x), Data::U8(y)) => Data::U8(int_mm(x, y, d)?),
        (Data::F16(x), Data::F16(y)) => {
            Data::F16(mm(x, y, d, 0.0f32, f16::to_f32, |acc, p, q| acc + p * q, f16::from_f32)?)
        }
        (Data::BF16(x), Data::BF16(y)) => {
            Data::BF16(mm(x, y, d, 0.0f32, bf16::to_f32, |acc, p, q| acc + p * q, bf16::from_f32)?)
        }
        (Data::F32(x), Data::F32(y)) => Data::F32(mm(x, y, d, 0.0, |e| e, |acc, p, q| acc + p * q, |e| e)?),
        (Data::F64(x), Data::F64(y)) => Data::F64(mm(x, y, d, 0.0, |e| e, |acc, p, q| acc + p * q, |e| e)?),
        // The dtypes were checked equal above.
        _ => return Err(NdError::DTypeMismatch { op: "matmul", a: a.dtype(), b: b.dtype() }),
    };
    let mut shape = out_shape;
    if b.rank() == 1 {
        shape.remove(shape.len() - 1);
    }
    if a.rank() == 1 {
        shape.remove(shape.len() - if b.rank() == 1 { 1 } else { 2 });
    }
    NdArray::new(shape, data)
}

/// Batched product with accumulator type `A`: `acc = step(acc, widen(a), widen(b))`.
fn mm<T: Copy, A: Copy>(
    a: &[T],
    b: &[T],
    d: Dims<'_>,
    zero: A,
    widen: impl Fn(T) -> A,
    step: impl Fn(A, A, A) -> A,
    narrow: impl Fn(A) -> T,
) -> Result<Vec<T>> {
    let mut out = try_vec(d.batch * d.m * d.n, d.out_shape)?;
    for p in 0..d.batch {
        let (ab, bb) = (p * d.m * d.k, p * d.k * d.n);
        for i in 0..d.m {
            for j in 0..d.n {
                let acc = (0..d.k)
                    .fold(zero, |acc, l| step(acc, widen(a[ab + i * d.k + l]), widen(b[bb + l * d.n + j])));
                out.push(narrow(acc));
            }
        }
    }
    Ok(out)
}

fn int_mm<T: Int>(a: &[T], b: &[T], d: Dims<'_>) -> Result<Vec<T>> {
    // Wrapping after each step equals wrapping once at the end in two's complement,
    // but narrowing each step keeps the i128 accumulator from overflowing for huge k.
    mm(a, b, d, T::narrow(0), |e| e, |acc, p, q| T::narrow(acc.wide() + p.wide() * q.wide()), |e| e)
}
