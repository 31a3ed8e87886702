//! The reference interpreter of axir.
//!
//! It runs programs of every level op by op: array-level programs (`func`,
//! `array`) through [`axir_ndarray`], the same kernels the array dialect's
//! folder uses, so its results are numpy's; loop-level programs (`loop`,
//! `vector`, `arith`, `math`) over buffers with MLIR's semantics, through
//! the arith dialect's exact scalar arithmetic. It is the oracle every
//! lowering is tested against: **simple and right, never fast**.
//!
//! - `value`: run-time values ([`RunValue`]): arrays, scalars, vectors, buffers.
//! - `scalar`: the `arith`/`math` evaluator.
//! - `exec`: functions, regions, array ops.
//! - `memory`: loops, buffers and vector ops.
//! - `entry`: the calling convention for tools ([`Interpreter::run_entry`]).
//!
//! Invariants:
//! - **Bad arguments and run-time failures are located [`Diagnostic`]s**
//!   (wrong count, dtype, rank or dim of an argument; an empty `max`; a
//!   dynamic dim that breaks broadcasting; an out-of-bounds access; a use
//!   after `loop.dealloc`; a division by zero), never panics.
//! - Every op's result is checked against its declared type: the run stops
//!   at the first op whose result contradicts a static dim, stride or offset.
//!
//! [`Diagnostic`]: axir_ir::Diagnostic

mod entry;
mod exec;
mod memory;
pub mod scalar;
pub mod value;

pub use entry::{
    check_arguments, num_inputs, num_outputs, output_params, register_dialects, RtValue, OUTPUT_ATTR,
};
pub use exec::Interpreter;
pub use value::{Buffer, RunValue, VectorValue};
