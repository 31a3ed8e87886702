//! `axir-ndarray`: n-dimensional arrays with numpy semantics, the semantic
//! ground truth of axir's array level.
//!
//! The `array` dialect's reference interpreter and its constant folder both
//! compute through this crate, so it favours being simple and right over
//! being fast, and it knows nothing of IR.
//!
//! # Code map
//! - [`dtype`](mod@dtype): [`DType`] and its MLIR / numpy / `.npy` spellings.
//! - [`array`](mod@array): [`NdArray`] (shape + C-contiguous [`Data`]),
//!   constructors, equality helpers for tests.
//! - [`elementwise`](mod@elementwise): [`unary`], [`binary`], [`cmp`],
//!   [`select`] with numpy broadcasting.
//! - [`cast`](mod@cast): [`cast()`](fn@cast) between every pair of dtypes.
//! - [`shape`](mod@shape): [`broadcast_shapes`], [`broadcast_to`], [`reshape`],
//!   [`transpose`], [`slice()`](fn@slice), [`concat()`](fn@concat), [`iota`].
//! - [`matmul`](mod@matmul): [`matmul()`](fn@matmul) with `numpy.matmul` rules.
//! - [`reduce`](mod@reduce): [`reduce()`](fn@reduce) with a [`ReduceKind`].
//! - [`npy`](mod@npy): `.npy` read/write.
//! - [`print`](mod@print): numpy `repr` text (`NdArray`'s `Display`).
//!
//! # Invariants
//! - **No input panics**: bad shapes, dtypes, dims or files give an [`NdError`].
//! - **No implicit promotion**: operands of one op share a dtype and results
//!   keep it, except where an op's result type is fixed (`cmp`, predicates,
//!   `any`/`all` give `i1`; `argmax`/`argmin` give `i64`).
//! - **Math happens in the operands' dtype**; f16 and bf16 are computed in
//!   f32 and rounded once per element, as numpy (and ml_dtypes) do.

#[macro_use]
mod macros;

pub mod array;
pub mod cast;
pub mod dtype;
pub mod elementwise;
pub mod error;
pub mod matmul;
pub mod npy;
pub mod print;
pub mod reduce;
mod scalar;
pub mod shape;

pub use array::{numel, Data, Element, NdArray};
pub use cast::cast;
pub use dtype::DType;
pub use elementwise::{binary, cmp, select, unary, BinaryOp, CmpPredicate, UnaryOp};
pub use error::{NdError, NpyError, Result};
pub use half::{bf16, f16};
pub use matmul::matmul;
pub use npy::{load_npy, read_npy, save_npy, write_npy};
pub use print::repr;
pub use reduce::{reduce, ReduceKind};
pub use shape::{broadcast_shapes, broadcast_to, concat, iota, reshape, slice, transpose, SliceSpec};
