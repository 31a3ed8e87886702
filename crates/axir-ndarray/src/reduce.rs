//! Reductions (`array.reduce`): [`reduce`] with a [`ReduceKind`] over any
//! set of dims, with optional keepdims.
//!
//! axir's rule differs from numpy in one place: **the result keeps the
//! input's element type** (numpy promotes small integers to int64 for
//! `sum`/`prod` and integers to float64 for `mean`). So integer `sum`/`prod`
//! wrap in the input type, `sum`/`max` of `i1` is logical or and
//! `prod`/`min` of `i1` logical and, and `mean` accepts floats only (cast
//! first). `any`/`all` accept every dtype (truth is `x != 0`, NaN is true)
//! and give `i1`; `argmax`/`argmin` give `i64`.
//!
//! Empty reductions give numpy's identity (`sum` 0, `prod` 1, `any` false,
//! `all` true, `mean` NaN); `max`, `min`, `argmax`, `argmin` of an empty
//! dimension are [`NdError::EmptyReduction`], as numpy raises.
//!
//! Float summation order follows numpy's so results usually agree bit for
//! bit: numpy sums each run of contiguous reduced elements (the reduced
//! trailing dims) pairwise (8 accumulators, blocks of 128) and accumulates
//! the runs sequentially. f16 sums a run in f32 and rounds once per run;
//! bf16 (ml_dtypes) rounds after every addition. They can still differ in the
//! last bits for numpy's buffered paths (inputs over 8192 elements, or dims
//! numpy's iterator reorders), hence the tolerance in the fixture tests.

use std::ops::{Add, Mul};

use half::{bf16, f16};

use crate::array::{Data, NdArray};
use crate::dtype::DType;
use crate::elementwise::{bf16_binary, f16_binary, BinaryOp};
use crate::error::{NdError, Result};
use crate::scalar::{Int, Real};
use crate::shape::transpose;

named_enum! {
    /// Reduction kinds of `array.reduce`.
    pub enum ReduceKind ("reduce kind") {
        /// Sum (wrapping for integers, logical or for `i1`).
        Sum = "sum",
        /// Product (wrapping for integers, logical and for `i1`).
        Prod = "prod",
        /// Maximum (NaN propagates).
        Max = "max",
        /// Minimum (NaN propagates).
        Min = "min",
        /// Arithmetic mean (floats only).
        Mean = "mean",
        /// Any element non-zero, gives `i1`.
        Any = "any",
        /// All elements non-zero, gives `i1`.
        All = "all",
        /// Index of the first maximum (or first NaN) along one dim, gives `i64`.
        Argmax = "argmax",
        /// Index of the first minimum (or first NaN) along one dim, gives `i64`.
        Argmin = "argmin",
    }
}

/// Geometry of one reduction: `count` outputs, each over `len` elements
/// stored consecutively, made of runs of `run` elements contiguous in the input.
#[derive(Clone, Copy)]
struct Blocks {
    count: usize,
    len: usize,
    run: usize,
}

impl Blocks {
    fn of<'a, T>(&self, v: &'a [T]) -> impl Iterator<Item = &'a [T]> {
        let len = self.len;
        (0..self.count).map(move |i| &v[i * len..(i + 1) * len])
    }
}

/// Reduces `x` over `dims` (any subset, any order, no repeats).
///
/// With `keepdims` the reduced dims stay as size 1; otherwise they are
/// removed. `argmax`/`argmin` take exactly one dim. See the module docs for
/// the result types and empty-dimension rules.
pub fn reduce(kind: ReduceKind, x: &NdArray, dims: &[usize], keepdims: bool) -> Result<NdArray> {
    let rank = x.rank();
    let mut reduced = dims.to_vec();
    reduced.sort_unstable();
    for (i, &d) in reduced.iter().enumerate() {
        if d >= rank {
            return Err(NdError::DimOutOfRange { dim: d, rank });
        }
        if i > 0 && reduced[i - 1] == d {
            return Err(NdError::DuplicateDim(d));
        }
    }
    let is_arg = matches!(kind, ReduceKind::Argmax | ReduceKind::Argmin);
    if is_arg && dims.len() != 1 {
        return Err(NdError::ArgReduceDims { kind: kind.name(), count: dims.len() });
    }
    if kind == ReduceKind::Mean && !x.dtype().is_float() {
        return Err(NdError::UnsupportedDType { op: "mean", dtype: x.dtype() });
    }
    let kept: Vec<usize> = (0..rank).filter(|d| !reduced.contains(d)).collect();
    let perm: Vec<usize> = kept.iter().chain(&reduced).copied().collect();
    // Moving the reduced dims last (in C order) makes each output's inputs one block.
    let t = transpose(x, &perm)?;
    let shape = x.shape();
    let len: usize = reduced.iter().map(|&d| shape[d]).product();
    let count: usize = kept.iter().map(|&d| shape[d]).product();
    let run: usize = (0..rank).rev().take_while(|d| reduced.contains(d)).map(|d| shape[d]).product();
    let blocks = Blocks { count, len, run };
    let no_identity = matches!(kind, ReduceKind::Max | ReduceKind::Min) || is_arg;
    // numpy raises whenever the reduced extent is empty, even if the result is empty too.
    if no_identity && len == 0 {
        return Err(NdError::EmptyReduction(kind.name()));
    }
    let out_shape: Vec<usize> = if keepdims {
        (0..rank).map(|d| if reduced.contains(&d) { 1 } else { shape[d] }).collect()
    } else {
        kept.iter().map(|&d| shape[d]).collect()
    };
    let data = match kind {
        ReduceKind::Any | ReduceKind::All => {
            let truth = crate::cast::cast(&t, DType::I1)?;
            let v = truth.as_slice::<bool>().unwrap_or(&[]);
            let all = kind == ReduceKind::All;
            Data::I1(
                blocks.of(v).map(|b| if all { b.iter().all(|&e| e) } else { b.iter().any(|&e| e) }).collect(),
            )
        }
        ReduceKind::Argmax | ReduceKind::Argmin => Data::I64(arg_reduce(kind, t.data(), blocks)),
        _ => value_reduce(kind, t.data(), blocks),
    };
    NdArray::new(out_shape, data)
}

/// `sum prod max min mean` on data whose blocks are laid out by `blocks`.
fn value_reduce(kind: ReduceKind, data: &Data, b: Blocks) -> Data {
    match data {
        Data::I1(v) => Data::I1(
            b.of(v)
                .map(|blk| match kind {
                    ReduceKind::Sum | ReduceKind::Max => blk.iter().any(|&e| e),
                    _ => blk.iter().all(|&e| e),
                })
                .collect(),
        ),
        Data::I8(v) => Data::I8(b.of(v).map(|blk| int_reduce(kind, blk)).collect()),
        Data::I16(v) => Data::I16(b.of(v).map(|blk| int_reduce(kind, blk)).collect()),
        Data::I32(v) => Data::I32(b.of(v).map(|blk| int_reduce(kind, blk)).collect()),
        Data::I64(v) => Data::I64(b.of(v).map(|blk| int_reduce(kind, blk)).collect()),
        Data::U8(v) => Data::U8(b.of(v).map(|blk| int_reduce(kind, blk)).collect()),
        Data::F32(v) => Data::F32(b.of(v).map(|blk| float_reduce(kind, blk, b.run)).collect()),
        Data::F64(v) => Data::F64(b.of(v).map(|blk| float_reduce(kind, blk, b.run)).collect()),
        Data::F16(v) => Data::F16(b.of(v).map(|blk| f16_reduce(kind, blk, b.run)).collect()),
        Data::BF16(v) => Data::BF16(b.of(v).map(|blk| bf16_reduce(kind, blk, b.run)).collect()),
    }
}

/// Integer `sum prod max min` (wrapping).
fn int_reduce<T: Int>(kind: ReduceKind, blk: &[T]) -> T {
    match kind {
        ReduceKind::Sum => blk.iter().fold(T::narrow(0), |a, &e| T::narrow(a.wide() + e.wide())),
        ReduceKind::Prod => blk.iter().fold(T::narrow(1), |a, &e| T::narrow(a.wide() * e.wide())),
        ReduceKind::Max => blk.iter().copied().max().unwrap_or(T::narrow(0)),
        // Min; mean and the others never reach integers.
        _ => blk.iter().copied().min().unwrap_or(T::narrow(0)),
    }
}

/// The one, counts and division of an accumulation type (its zero is [`Real::ZERO`]).
trait Acc: Copy + Add<Output = Self> + Mul<Output = Self> + Real {
    const ONE: Self;
    fn from_count(n: usize) -> Self;
    fn div(self, other: Self) -> Self;
}

impl Acc for f32 {
    const ONE: f32 = 1.0;
    fn from_count(n: usize) -> f32 {
        n as f32
    }
    fn div(self, other: f32) -> f32 {
        self / other
    }
}

impl Acc for f64 {
    const ONE: f64 = 1.0;
    fn from_count(n: usize) -> f64 {
        n as f64
    }
    fn div(self, other: f64) -> f64 {
        self / other
    }
}

/// numpy's pairwise summation (`@TYPE@_pairwise_sum`): sequential below 8
/// elements, 8 interleaved accumulators up to 128, halving above.
fn pairwise<T: Acc>(a: &[T]) -> T {
    let n = a.len();
    if n < 8 {
        a.iter().fold(T::ZERO, |r, &x| r + x)
    } else if n <= 128 {
        let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
        let mut i = 8;
        while i < n - n % 8 {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc = *acc + a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[i..] {
            res = res + x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(&a[..n2]) + pairwise(&a[n2..])
    }
}

/// Sum of one block: pairwise within each contiguous run, runs accumulated in order.
fn float_sum<T: Acc>(blk: &[T], run: usize) -> T {
    blk.chunks(run.max(1)).fold(T::ZERO, |acc, c| acc + pairwise(c))
}

/// f32/f64 `sum prod max min mean` of one block.
fn float_reduce<T: Acc>(kind: ReduceKind, blk: &[T], run: usize) -> T {
    match kind {
        ReduceKind::Sum => float_sum(blk, run),
        ReduceKind::Prod => blk.iter().fold(T::ONE, |a, &e| a * e),
        ReduceKind::Max | ReduceKind::Min => {
            let op = if kind == ReduceKind::Max { BinaryOp::Max } else { BinaryOp::Min };
            blk.iter().skip(1).fold(blk.first().copied().unwrap_or(T::ZERO), |a, &e| T::binary(op, a, e))
        }
        // Mean; 0 / 0 gives NaN for an empty block as numpy does.
        _ => float_sum(blk, run).div(T::from_count(blk.len())),
    }
}

/// f16 reductions: runs summed (or multiplied) in f32 and rounded once per
/// run, like numpy's half loops; `mean` sums in f32 throughout (numpy passes
/// `dtype=float32`) and rounds once.
fn f16_reduce(kind: ReduceKind, blk: &[f16], run: usize) -> f16 {
    let wide: Vec<f32> = blk.iter().map(|e| e.to_f32()).collect();
    let step = run.max(1);
    match kind {
        ReduceKind::Sum => {
            wide.chunks(step).fold(f16::ZERO, |acc, c| f16::from_f32(acc.to_f32() + pairwise(c)))
        }
        ReduceKind::Prod => wide
            .chunks(step)
            .fold(f16::ONE, |acc, c| f16::from_f32(c.iter().fold(acc.to_f32(), |p, &e| p * e))),
        ReduceKind::Max | ReduceKind::Min => {
            let op = if kind == ReduceKind::Max { BinaryOp::Max } else { BinaryOp::Min };
            blk.iter().skip(1).fold(blk.first().copied().unwrap_or(f16::ZERO), |a, &e| f16_binary(op, a, e))
        }
        _ => f16::from_f32(float_sum(&wide, run) / blk.len() as f32),
    }
}

/// bf16 reductions: ml_dtypes' loops round to bf16 after every step; `mean`
/// is axir's choice (numpy gives ml_dtypes no special path): the f32 mean
/// of the widened values rounded once, exactly like f16.
fn bf16_reduce(kind: ReduceKind, blk: &[bf16], run: usize) -> bf16 {
    match kind {
        ReduceKind::Sum => blk.iter().fold(bf16::ZERO, |a, &e| bf16::from_f32(a.to_f32() + e.to_f32())),
        ReduceKind::Prod => blk.iter().fold(bf16::ONE, |a, &e| bf16::from_f32(a.to_f32() * e.to_f32())),
        ReduceKind::Max | ReduceKind::Min => {
            let op = if kind == ReduceKind::Max { BinaryOp::Max } else { BinaryOp::Min };
            blk.iter().skip(1).fold(blk.first().copied().unwrap_or(bf16::ZERO), |a, &e| bf16_binary(op, a, e))
        }
        _ => {
            let wide: Vec<f32> = blk.iter().map(|e| e.to_f32()).collect();
            bf16::from_f32(float_sum(&wide, run) / blk.len() as f32)
        }
    }
}

/// `argmax`/`argmin` of every block: first extreme, or the first NaN if any.
fn arg_reduce(kind: ReduceKind, data: &Data, b: Blocks) -> Vec<i64> {
    fn go<T: PartialOrd + Copy>(v: &[T], b: Blocks, max: bool, nan: impl Fn(T) -> bool) -> Vec<i64> {
        b.of(v)
            .map(|blk| {
                if let Some(i) = blk.iter().position(|&e| nan(e)) {
                    return i as i64;
                }
                let mut best = 0;
                for (i, &e) in blk.iter().enumerate().skip(1) {
                    if (max && e > blk[best]) || (!max && e < blk[best]) {
                        best = i;
                    }
                }
                best as i64
            })
            .collect()
    }
    fn never<T>(_: T) -> bool {
        false
    }
    let max = kind == ReduceKind::Argmax;
    match data {
        Data::I1(v) => go(v, b, max, never),
        Data::I8(v) => go(v, b, max, never),
        Data::I16(v) => go(v, b, max, never),
        Data::I32(v) => go(v, b, max, never),
        Data::I64(v) => go(v, b, max, never),
        Data::U8(v) => go(v, b, max, never),
        Data::F16(v) => go(&v.iter().map(|e| e.to_f32()).collect::<Vec<_>>(), b, max, f32::is_nan),
        Data::BF16(v) => go(&v.iter().map(|e| e.to_f32()).collect::<Vec<_>>(), b, max, f32::is_nan),
        Data::F32(v) => go(v, b, max, f32::is_nan),
        Data::F64(v) => go(v, b, max, f64::is_nan),
    }
}
