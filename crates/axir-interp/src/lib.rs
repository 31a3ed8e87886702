//! The reference interpreter of axir.
//!
//! It runs array-level programs (`func`, `array`, scalar `arith` on `index`)
//! op by op through [`axir_ndarray`], the same kernels the array dialect's
//! folder uses, so its results are numpy's. It is the oracle every lowering
//! is tested against: **simple and right, never fast**.
//!
//! Invariants:
//! - **Bad arguments and run-time failures are located [`Diagnostic`]s**
//!   (wrong count, dtype, rank or dim of an argument; an empty `max`; a
//!   dynamic dim that breaks broadcasting), never panics.
//! - Every op's result is checked against its declared type: the run stops
//!   at the first op whose result contradicts a static dim.

mod exec;

pub use exec::{check_arguments, Interpreter, RtValue};
