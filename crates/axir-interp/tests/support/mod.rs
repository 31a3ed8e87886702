//! Shared helpers of the interpreter's tests: parse a program, run one
//! function with the entry convention, compare with expected arrays.

#![allow(dead_code)]

use std::sync::Arc;

use axir_builtin::FuncOp;
use axir_interp::{register_dialects, Interpreter};
use axir_ir::{Context, DialectRegistry, OpDefinition};
use axir_ndarray::NdArray;
use axir_syntax::{parse_source, ParseOptions};

/// A context with every dialect the interpreter runs.
pub fn context() -> Context {
    let mut r = DialectRegistry::new();
    register_dialects(&mut r);
    Context::new(Arc::new(r))
}

/// Parses and verifies `src`, runs `@entry` on `inputs`; a parse, verify or
/// run-time failure comes back as its message.
pub fn run(src: &str, entry: &str, inputs: Vec<NdArray>) -> Result<Vec<NdArray>, String> {
    let mut ctx = context();
    let module = parse_source(&mut ctx, src, "test.axir", &ParseOptions::default()).map_err(|d| {
        format!("parse: {}", d.iter().map(|d| d.to_plain_string(&ctx)).collect::<Vec<_>>().join("\n"))
    })?;
    axir_ir::verify(&ctx, module).map_err(|d| {
        format!("verify: {}", d.iter().map(|d| d.to_plain_string(&ctx)).collect::<Vec<_>>().join("\n"))
    })?;
    let func = ctx
        .walk(module)
        .into_iter()
        .filter_map(|op| FuncOp::from_op(&ctx, op))
        .find(|f| f.name(&ctx) == entry)
        .ok_or_else(|| format!("no function @{entry}"))?;
    Interpreter::new(&ctx).run_entry(func, inputs).map_err(|d| d.to_plain_string(&ctx))
}

/// Like [`run`], for programs that must run.
pub fn run_ok(src: &str, entry: &str, inputs: Vec<NdArray>) -> Vec<NdArray> {
    match run(src, entry, inputs) {
        Ok(v) => v,
        Err(e) => panic!("@{entry} failed: {e}"),
    }
}

/// Like [`run`], for programs that must fail; returns the message.
pub fn run_err(src: &str, entry: &str, inputs: Vec<NdArray>) -> String {
    match run(src, entry, inputs) {
        Ok(v) => panic!("@{entry} should fail, but returned {v:?}"),
        Err(e) => e,
    }
}

/// A 2-D f32 array.
pub fn f32s(shape: &[usize], values: &[f32]) -> NdArray {
    NdArray::from_vec(shape.to_vec(), values.to_vec()).expect("shape matches")
}
