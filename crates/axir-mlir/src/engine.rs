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
//!   memory the caller borrowed for the call (checked in `call`);
//! - [`copy_returned`] and [`free_returned`] receive descriptors of buffers
//!   the compiled code just returned, each freed once, after every copy.
//!
//! Returned buffers are allocated by the compiled code with `malloc`
//! (`finalize-memref-to-llvm` without generic allocation functions); the JIT
//! resolves `malloc` to the process's C library, so they are released with
//! that library's `free`, declared below (std links the C library already).
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

extern "C" {
    /// The C library's `free`, the counterpart of the `malloc` that compiled
    /// code calls.
    fn free(ptr: *mut c_void);
}

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

/// Copies the elements of a returned buffer, described by MLIR's descriptor
/// `desc` (`{allocated, aligned, offset, sizes[rank], strides[rank]}` as
/// words) with elements of `elem_size` bytes, to `dst` in row-major order.
///
/// Invariant (the caller, `call::CompiledFunction::call_arrays`, guarantees
/// it): `desc` was just returned by compiled code, which allocated the
/// buffer it describes and has not freed it, and `dst` points to writable
/// memory for the product of the sizes times `elem_size` bytes, which does
/// not overlap the buffer.
pub(crate) fn copy_returned(desc: &[usize], rank: usize, elem_size: usize, dst: *mut u8) {
    let aligned = std::ptr::with_exposed_provenance::<u8>(desc[1]);
    let offset = desc[2] as isize;
    let sizes = &desc[3..3 + rank];
    let strides: Vec<isize> = desc[3 + rank..3 + 2 * rank].iter().map(|&s| s as isize).collect();
    if sizes.contains(&0) {
        return;
    }
    let mut index = vec![0usize; rank];
    let mut k = 0usize;
    loop {
        let at = offset + index.iter().zip(&strides).map(|(&i, &s)| i as isize * s).sum::<isize>();
        // SAFETY: by the invariant, element `at` of the returned buffer is
        // inside the allocation the compiled code made (it wrote the
        // descriptor for exactly these sizes and strides), and element `k`
        // of `dst` is inside the caller's memory; the two do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                aligned.offset(at * elem_size as isize),
                dst.add(k * elem_size),
                elem_size,
            );
        }
        k += 1;
        // The next row-major index, or the end.
        let mut d = rank;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < sizes[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// Frees a buffer that compiled code allocated and returned (`allocated`,
/// the first word of its descriptor).
///
/// Invariant (guaranteed by `call`): the buffer was returned by the call
/// that just ended, is not one of the arguments, and is freed once.
pub(crate) fn free_returned(allocated: usize) {
    // SAFETY: by the invariant, `allocated` came from the compiled code's
    // `malloc` (or is null, which `free` accepts) and is freed only here.
    unsafe { free(std::ptr::with_exposed_provenance_mut::<c_void>(allocated)) }
}
