//! The FFI boundary: MLIR's execution engine (JIT and object files), LLVM
//! IR export, and calling compiled code. **The only module of the workspace
//! with `unsafe` code** (the workspace denies it elsewhere).
//!
//! It calls the C API of MLIR through `mlir-sys` (melior's binding crate)
//! directly where melior's wrapper does not report failure: melior's
//! `ExecutionEngine::new` keeps a null engine when creation fails, and its
//! first lookup would then crash.
//!
//! Invariants the callers (`mlir`, `call`) guarantee, and every `unsafe`
//! block relies on:
//! - a module handed to [`Engine::new`] or [`llvm_ir`] is verified and holds
//!   only `llvm` dialect ops (checked in `mlir::run_stages`);
//! - an [`Engine`] is used only to look up functions and write objects
//!   while it is being built, under the MLIR lock; afterwards it is only
//!   dropped. So it is never used from two threads at once;
//! - [`invoke`] receives one argument slot per parameter of the C interface
//!   (`_mlir_ciface_NAME`), each pointing to a value of the parameter's
//!   type, and descriptors whose every reachable element lies inside
//!   memory the caller borrowed for the call (checked in `call`).
#![allow(unsafe_code)]

use std::ffi::{c_char, c_void, CStr};

use melior::ir::Module;
use melior::StringRef;
use mlir_sys::{
    mlirExecutionEngineCreate, mlirExecutionEngineDestroy, mlirExecutionEngineDumpToObjectFile,
    mlirExecutionEngineLookupPacked, mlirTranslateModuleToLLVMIR, LLVMContextCreate, LLVMContextDispose,
    LLVMDisposeMessage, LLVMDisposeModule, LLVMPrintModuleToString, MlirExecutionEngine,
};

/// The packed entry of a compiled function: MLIR's `_mlir_NAME(void **)`,
/// which reads each argument through a pointer and writes the result
/// through the pointer after the last argument.
pub(crate) type PackedFn = unsafe extern "C" fn(*mut *mut c_void);

/// An MLIR execution engine (LLVM's ORC JIT holding the compiled module).
pub(crate) struct Engine {
    raw: MlirExecutionEngine,
}

// SAFETY: the engine is a heap object owned by this handle alone; after
// construction it is never called again except by `Drop` (see the module
// invariants), so moving the handle to another thread or sharing it cannot
// race. The code it compiled holds no mutable global state (the pipeline
// makes no globals other than constants), so calling it from several threads
// at once is as safe as calling any reentrant C function.
unsafe impl Send for Engine {}
// SAFETY: as for `Send`: `&Engine` gives access to nothing mutable.
unsafe impl Sync for Engine {}

impl Engine {
    /// JIT-compiles `module` at `opt_level` (0 to 3) as position-independent
    /// code; `None` when MLIR cannot make an engine (translation or target
    /// setup failed).
    pub(crate) fn new(module: &Module<'_>, opt_level: i32, object_dump: bool) -> Option<Engine> {
        // SAFETY: `module` is a live, verified LLVM dialect module (module
        // invariant); no shared library paths are passed (count 0, null).
        let raw = unsafe {
            mlirExecutionEngineCreate(module.to_raw(), opt_level, 0, std::ptr::null(), object_dump, true)
        };
        (!raw.ptr.is_null()).then_some(Engine { raw })
    }

    /// The packed entry of `name`, compiling it if needed; `None` if the
    /// module has no such function.
    pub(crate) fn lookup_packed(&self, name: &str) -> Option<PackedFn> {
        // SAFETY: `self.raw` is a live engine; the string outlives the call.
        let ptr = unsafe { mlirExecutionEngineLookupPacked(self.raw, StringRef::new(name).to_raw()) };
        if ptr.is_null() {
            return None;
        }
        // SAFETY: MLIR's packed wrappers have exactly the `PackedFn` type.
        Some(unsafe { std::mem::transmute::<*mut c_void, PackedFn>(ptr) })
    }

    /// Writes the code compiled so far (every function looked up) to an
    /// object file. MLIR reports no failure here; callers check the file.
    pub(crate) fn dump_object(&self, path: &str) {
        // SAFETY: `self.raw` is a live engine created with object dumps on.
        unsafe { mlirExecutionEngineDumpToObjectFile(self.raw, StringRef::new(path).to_raw()) }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: `raw` is live and owned by this handle alone; it is not
        // used after this.
        unsafe { mlirExecutionEngineDestroy(self.raw) }
    }
}

/// The LLVM IR of `module`, or `None` when the translation fails.
pub(crate) fn llvm_ir(module: &Module<'_>) -> Option<String> {
    // SAFETY: a fresh LLVM context, used by this thread only and disposed of
    // after the LLVM module made in it; the MLIR module is live and holds
    // only LLVM dialect ops (module invariant); a null module (failed
    // translation) is never printed; the printed string is freed with
    // LLVM's own deallocator after being copied.
    unsafe {
        let llvm_ctx = LLVMContextCreate();
        let llvm_module = mlirTranslateModuleToLLVMIR(module.as_operation().to_raw(), llvm_ctx);
        let text = if llvm_module.is_null() {
            None
        } else {
            let s: *mut c_char = LLVMPrintModuleToString(llvm_module);
            let text = (!s.is_null()).then(|| CStr::from_ptr(s).to_string_lossy().into_owned());
            if !s.is_null() {
                LLVMDisposeMessage(s);
            }
            LLVMDisposeModule(llvm_module);
            text
        };
        LLVMContextDispose(llvm_ctx);
        text
    }
}

/// Calls `entry` with `args`: each slot points to one argument of the C
/// interface, and `result` (if any) receives the returned scalar.
///
/// Invariant (checked by `call::CompiledFunction::call` before it gets
/// here): the slots match the function's C interface, and every element
/// each descriptor reaches lies inside memory borrowed for the call,
/// mutably where the function may write.
pub(crate) fn invoke(entry: PackedFn, args: &mut Vec<*mut c_void>, result: Option<&mut u64>) {
    if let Some(r) = result {
        args.push((r as *mut u64).cast());
    }
    // SAFETY: by the invariant above, `entry` reads exactly `args.len()`
    // valid pointers and accesses only memory the caller made available.
    unsafe { entry(args.as_mut_ptr()) }
}
