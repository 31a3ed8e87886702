//! The bridge from axir's loop level to upstream MLIR (LLVM 22, through
//! melior), LLVM IR and native code. **The only crate of the workspace that
//! links MLIR; every melior lifetime stays inside it.**
//!
//! ```text
//!  loop-level module ──emit──▶ MLIR text (scf, memref, arith, math, vector, func)
//!        (axir)                   │ parse + verify (MLIR)
//!                                 ▼
//!                       upstream module ──LLVM_PIPELINE──▶ LLVM dialect
//!                                                            │
//!                        ┌──────────────────┬────────────────┤
//!                        ▼                  ▼                ▼
//!                     LLVM IR        ExecutionEngine   object file + C header
//!                   (to_llvm_ir)      (compile → CompiledModule)  (write_object)
//! ```
//!
//! # Code map
//! - `emit`: the translation, as MLIR text with `.axir` locations (no MLIR).
//! - `mathlib`: math functions the translation defines in the module (f32
//!   `exp`, `log`, `log2`, `log10`, `tanh`, vectorizable), as MLIR text (no
//!   MLIR).
//! - `signature`: the calling signature of each function (no MLIR).
//! - `mlir`: the MLIR session: parse, verify, lower, diagnostics (melior).
//! - `engine`: the FFI boundary; the only module with `unsafe` code.
//! - `call`: [`CompiledModule`], buffers and the checks that make calls safe.
//! - `header`: the C header for object files.
//!
//! # Invariants
//! - **User input never reaches MLIR unverified**: the axir module is
//!   verified before translation, the MLIR module before any pass, and the
//!   lowered module before code generation.
//! - **Every problem is a located [`Diagnostic`]**: MLIR's diagnostics are
//!   captured and mapped back to the `.axir` location of the op that made
//!   the MLIR op; nothing is printed to stderr by MLIR.
//! - **Compiled modules are `Send + Sync`**: nothing in them refers to an
//!   MLIR context.
//!
//! ```no_run
//! # use axir_ir::{Context, DialectRegistry};
//! # fn demo(ctx: &Context, module: axir_ir::OpId) -> Result<(), Box<dyn std::error::Error>> {
//! use axir_mlir::{compile, Arg, BufferMut, BufferRef, CompileOptions};
//! let compiled = compile(ctx, module, &CompileOptions::default()).map_err(|_| "compile failed")?;
//! let f = compiled.function("add")?;
//! let (x, y) = (vec![1.0f32; 8], vec![2.0f32; 8]);
//! let mut out = vec![0.0f32; 8];
//! f.call(&mut [
//!     Arg::Buffer(BufferRef::contiguous(&x, &[8])?),
//!     Arg::Buffer(BufferRef::contiguous(&y, &[8])?),
//!     Arg::BufferMut(BufferMut::contiguous(&mut out, &[8])?),
//! ])?;
//! # Ok(()) }
//! ```

mod call;
mod emit;
mod engine;
pub mod error;
mod header;
mod mathlib;
mod mlir;
pub mod signature;

use std::collections::HashMap;

use axir_ir::{Context, Diagnostic, DialectRegistry, OpId};

pub use call::{Arg, BufferMut, BufferRef, CompiledFunction, CompiledModule, Scalar};
pub use emit::{emit_module, Emitted, STATUS_WORDS};
pub use error::CallError;
pub use mlir::LLVM_PIPELINE;
pub use signature::{BufferParam, Check, OutputDim, Param, ResultKind, Signature};

use mlir::Stage;

/// How to compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompileOptions {
    /// LLVM's optimization level, 0 to 3.
    pub opt_level: u8,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions { opt_level: 3 }
    }
}

/// Registers the dialects a loop-level module may use: builtin and func,
/// arith, math, loop and vector.
pub fn register_dialects(registry: &mut DialectRegistry) {
    axir_builtin::register(registry);
    axir_arith::register(registry);
    axir_math::register(registry);
    axir_loop::register(registry);
}

fn translate(ctx: &Context, module: OpId) -> Result<Emitted, Vec<Diagnostic>> {
    axir_ir::verify(ctx, module)?;
    emit_module(ctx, module)
}

/// The module in upstream MLIR (`scf`, `memref`, `arith`, `math`, `vector`,
/// `func`), verified by MLIR and printed in its custom form; with
/// `debug_info`, every op carries its `.axir` location.
pub fn to_mlir(ctx: &Context, module: OpId, debug_info: bool) -> Result<String, Vec<Diagnostic>> {
    let emitted = translate(ctx, module)?;
    mlir::with_module(&emitted, Stage::Upstream, |m, e| mlir::print(m, e, debug_info))
}

/// The module lowered to MLIR's LLVM dialect by [`LLVM_PIPELINE`].
pub fn to_llvm_dialect(ctx: &Context, module: OpId) -> Result<String, Vec<Diagnostic>> {
    let emitted = translate(ctx, module)?;
    mlir::with_module(&emitted, Stage::LlvmDialect, |m, e| mlir::print(m, e, false))
}

/// The module as LLVM IR text (not optimized).
pub fn to_llvm_ir(ctx: &Context, module: OpId) -> Result<String, Vec<Diagnostic>> {
    let emitted = translate(ctx, module)?;
    mlir::with_module(&emitted, Stage::LlvmDialect, |m, e| {
        engine::llvm_ir(m)
            .ok_or_else(|| vec![Diagnostic::error(e.module_loc, "translation to LLVM IR failed")])
    })
}

/// Splits the signatures of `module`'s public functions into those the C
/// interface can call and the reasons the others cannot be called.
fn split_signatures(ctx: &Context, module: OpId) -> (Vec<Signature>, HashMap<String, String>) {
    let mut ok = Vec::new();
    let mut unsupported = HashMap::new();
    for op in ctx.walk(module) {
        let Some(f) = <axir_builtin::FuncOp as axir_ir::OpDefinition>::from_op(ctx, op) else { continue };
        if f.is_declaration(ctx) || f.visibility(ctx) == "private" {
            continue;
        }
        match signature::signature_of(ctx, f) {
            Ok(s) => ok.push(s),
            Err(reason) => {
                unsupported.insert(f.name(ctx).to_string(), reason);
            }
        }
    }
    ok.sort_by(|a, b| a.name.cmp(&b.name));
    (ok, unsupported)
}

/// Compiles `module` for this CPU with MLIR's execution engine.
pub fn compile(
    ctx: &Context,
    module: OpId,
    options: &CompileOptions,
) -> Result<CompiledModule, Vec<Diagnostic>> {
    let emitted = translate(ctx, module)?;
    let (signatures, unsupported) = split_signatures(ctx, module);
    let opt = i32::from(options.opt_level.min(3));
    mlir::with_module(&emitted, Stage::LlvmDialect, |m, e| {
        let engine = engine::Engine::new(m, opt, false).ok_or_else(|| {
            vec![Diagnostic::error(e.module_loc, "MLIR's execution engine could not compile the module")]
        })?;
        CompiledModule::new(engine, signatures, unsupported)
            .map_err(|msg| vec![Diagnostic::error(e.module_loc, msg)])
    })
}

/// Compiles `module` to a relocatable object file at `path` (position
/// independent; link with `-lm`), and returns its C header, whose include
/// guard is `guard`. Every public function is callable from C through
/// `_mlir_ciface_NAME`.
pub fn write_object(
    ctx: &Context,
    module: OpId,
    path: &std::path::Path,
    guard: &str,
    options: &CompileOptions,
) -> Result<String, Vec<Diagnostic>> {
    let emitted = translate(ctx, module)?;
    let (signatures, mut unsupported) = split_signatures(ctx, module);
    for s in signatures.iter().filter(|s| s.returns_by_pointer()) {
        unsupported.insert(
            s.name.clone(),
            "object files support functions that return nothing or one scalar; write results through 'loop.output' parameters".into(),
        );
    }
    if !unsupported.is_empty() {
        let mut names: Vec<_> = unsupported.into_iter().collect();
        names.sort();
        return Err(names
            .into_iter()
            .map(|(n, why)| Diagnostic::error(emitted.module_loc, format!("@{n} has no C interface: {why}")))
            .collect());
    }
    let path_str = path.to_str().ok_or_else(|| {
        vec![Diagnostic::error(emitted.module_loc, format!("output path {} is not UTF-8", path.display()))]
    })?;
    let _ = std::fs::remove_file(path);
    let opt = i32::from(options.opt_level.min(3));
    mlir::with_module(&emitted, Stage::LlvmDialect, |m, e| {
        let err = |msg: String| vec![Diagnostic::error(e.module_loc, msg)];
        let engine = engine::Engine::new(m, opt, true)
            .ok_or_else(|| err("MLIR's execution engine could not compile the module".into()))?;
        // Code is generated on the first lookup; the dump holds what was generated.
        for s in &signatures {
            engine
                .lookup_packed(&format!("_mlir_ciface_{}", s.name))
                .ok_or_else(|| err(format!("no entry point for @{}", s.name)))?;
        }
        engine.dump_object(path_str);
        match std::fs::metadata(path) {
            Ok(m) if m.len() > 0 => Ok(()),
            _ => Err(err(format!("could not write the object file {path_str}"))),
        }
    })?;
    Ok(header::c_header(&signatures, guard))
}

mod cache;
pub use cache::{
    CacheArg, CacheError, CacheStats, Elems, ElemsMut, JitCache, LayoutKey, Specialization, MAX_ARGS,
    MAX_RANK,
};
