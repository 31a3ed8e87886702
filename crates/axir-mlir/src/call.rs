//! Calling compiled code: caller-owned buffers described by data, shape,
//! strides (in elements) and offset; the checks that make a call safe; and
//! MLIR's memref descriptors built from them.
//!
//! A function that returns buffers (or several results) gets, through the C
//! interface, a pointer to a struct of the results as its first argument
//! (see `result_layout`); [`CompiledFunction::call_arrays`] copies each
//! returned buffer into an array and frees it.
//!
//! A buffer is passed as MLIR's descriptor `{allocated, aligned, offset,
//! sizes[rank], strides[rank]}` through the C interface
//! (`_mlir_ciface_NAME`), without copying: a Fortran-order array, a slice
//! or a stride-0 broadcast reaches the compiled code as it is, provided the
//! parameter's type admits its strides (`strided<[?, ?], offset: ?>` admits
//! any; the identity layout admits only row-major).
//!
//! **Every element a descriptor reaches lies inside the borrowed data**
//! (checked when a [`BufferRef`] or [`BufferMut`] is made), and a buffer
//! the function may write is borrowed mutably (checked by
//! [`CompiledFunction::call`]). What compiled code does beyond its
//! arguments is the program's business: an out-of-bounds `loop.load` in
//! the program is undefined behaviour in compiled code, as in MLIR (the
//! reference interpreter reports it).

use std::collections::HashMap;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::sync::Arc;

use axir_ndarray::{bf16, f16, DType, Data, Element, NdArray};

use crate::emit::STATUS_WORDS;
use crate::engine::{copy_returned, free_returned, invoke, Engine, PackedFn};
use crate::error::CallError;
use crate::signature::{BufferParam, OutputDim, Param, ResultKind, Signature};

// The descriptors below store pointers and i64s in the same words, and
// scalars in the low bytes of a u64.
#[cfg(not(all(target_pointer_width = "64", target_endian = "little")))]
compile_error!("the CPU path supports 64-bit little-endian targets only");

/// The shape of a strided view over a buffer's data.
#[derive(Clone, Debug, PartialEq, Eq)]
struct View {
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
}

fn row_major(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![1isize; shape.len()];
    let mut acc: isize = 1;
    for d in (0..shape.len()).rev() {
        strides[d] = acc;
        acc = acc.saturating_mul(isize::try_from(shape[d]).unwrap_or(isize::MAX));
    }
    strides
}

/// Checks that every element of the view lies in `0..len`.
fn check_view(view: &View, len: usize) -> Result<(), CallError> {
    if view.shape.len() != view.strides.len() {
        return Err(CallError::StridesRank { shape_len: view.shape.len(), strides_len: view.strides.len() });
    }
    if view.shape.contains(&0) {
        return Ok(());
    }
    let (mut lo, mut hi) = (view.offset as i128, view.offset as i128);
    for (&n, &s) in view.shape.iter().zip(&view.strides) {
        let span = (n as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let reach = if lo < 0 {
        Some(lo)
    } else if hi >= len as i128 {
        Some(hi)
    } else {
        None
    };
    match reach {
        Some(reach) => Err(CallError::OutOfBounds {
            offset: view.offset,
            shape: view.shape.clone(),
            strides: view.strides.clone(),
            reach,
            len,
        }),
        None => Ok(()),
    }
}

fn check_bytes(ptr: usize, len: usize, dtype: DType) -> Result<usize, CallError> {
    let size = dtype.size_bytes();
    if ptr % size != 0 {
        return Err(CallError::Misaligned { address: ptr, align: size, dtype });
    }
    if len % size != 0 {
        return Err(CallError::ByteLength { len, dtype });
    }
    Ok(len / size)
}

/// A buffer the compiled code only reads: a strided view of borrowed data.
#[derive(Debug)]
pub struct BufferRef<'a> {
    ptr: *const u8,
    view: View,
    _data: PhantomData<&'a [u8]>,
}

/// A buffer the compiled code may write (outputs, and inputs it updates).
#[derive(Debug)]
pub struct BufferMut<'a> {
    ptr: *mut u8,
    view: View,
    _data: PhantomData<&'a mut [u8]>,
}

impl<'a> BufferRef<'a> {
    /// A view of `data` with `shape` and `strides` (in elements, may be 0 or
    /// negative) starting at element `offset`.
    pub fn new<T: Element>(
        data: &'a [T],
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, CallError> {
        let view = View { dtype: T::DTYPE, shape: shape.to_vec(), strides: strides.to_vec(), offset };
        check_view(&view, data.len())?;
        Ok(BufferRef { ptr: data.as_ptr().cast(), view, _data: PhantomData })
    }

    /// A row-major contiguous view of `data`.
    pub fn contiguous<T: Element>(data: &'a [T], shape: &[usize]) -> Result<Self, CallError> {
        Self::new(data, shape, &row_major(shape), 0)
    }

    /// A view of raw bytes holding elements of `dtype`; the bytes must be
    /// aligned for it.
    pub fn from_bytes(
        data: &'a [u8],
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, CallError> {
        let len = check_bytes(data.as_ptr() as usize, data.len(), dtype)?;
        let view = View { dtype, shape: shape.to_vec(), strides: strides.to_vec(), offset };
        check_view(&view, len)?;
        Ok(BufferRef { ptr: data.as_ptr(), view, _data: PhantomData })
    }
}

impl<'a> BufferMut<'a> {
    /// A view of `data` with `shape` and `strides` (in elements) starting at
    /// element `offset`.
    pub fn new<T: Element>(
        data: &'a mut [T],
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, CallError> {
        let view = View { dtype: T::DTYPE, shape: shape.to_vec(), strides: strides.to_vec(), offset };
        check_view(&view, data.len())?;
        Ok(BufferMut { ptr: data.as_mut_ptr().cast(), view, _data: PhantomData })
    }

    /// A row-major contiguous view of `data`.
    pub fn contiguous<T: Element>(data: &'a mut [T], shape: &[usize]) -> Result<Self, CallError> {
        let strides = row_major(shape);
        Self::new(data, shape, &strides, 0)
    }

    /// A view of raw bytes holding elements of `dtype`; the bytes must be
    /// aligned for it.
    pub fn from_bytes(
        data: &'a mut [u8],
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, CallError> {
        let len = check_bytes(data.as_ptr() as usize, data.len(), dtype)?;
        let view = View { dtype, shape: shape.to_vec(), strides: strides.to_vec(), offset };
        check_view(&view, len)?;
        Ok(BufferMut { ptr: data.as_mut_ptr(), view, _data: PhantomData })
    }
}

/// A scalar argument or result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// `i1`.
    I1(bool),
    /// `i8`.
    I8(i8),
    /// `i16`.
    I16(i16),
    /// `i32`.
    I32(i32),
    /// `i64` and `index`.
    I64(i64),
    /// `f16`.
    F16(f16),
    /// `bf16`.
    BF16(bf16),
    /// `f32`.
    F32(f32),
    /// `f64`.
    F64(f64),
}

impl Scalar {
    /// The dtype of the value.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::I1(_) => DType::I1,
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::F16(_) => DType::F16,
            Scalar::BF16(_) => DType::BF16,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// The value in the low bytes of a word, as the C interface reads it.
    fn to_word(self) -> u64 {
        match self {
            Scalar::I1(b) => u64::from(b),
            Scalar::I8(v) => u64::from(v as u8),
            Scalar::I16(v) => u64::from(v as u16),
            Scalar::I32(v) => u64::from(v as u32),
            Scalar::I64(v) => v as u64,
            Scalar::F16(v) => u64::from(v.to_bits()),
            Scalar::BF16(v) => u64::from(v.to_bits()),
            Scalar::F32(v) => u64::from(v.to_bits()),
            Scalar::F64(v) => v.to_bits(),
        }
    }

    fn from_word(dtype: DType, w: u64) -> Scalar {
        match dtype {
            DType::I1 => Scalar::I1(w & 1 != 0),
            DType::I8 | DType::U8 => Scalar::I8(w as u8 as i8),
            DType::I16 => Scalar::I16(w as u16 as i16),
            DType::I32 => Scalar::I32(w as u32 as i32),
            DType::I64 => Scalar::I64(w as i64),
            DType::F16 => Scalar::F16(f16::from_bits(w as u16)),
            DType::BF16 => Scalar::BF16(bf16::from_bits(w as u16)),
            DType::F32 => Scalar::F32(f32::from_bits(w as u32)),
            DType::F64 => Scalar::F64(f64::from_bits(w)),
        }
    }
}

/// One argument of a call.
#[derive(Debug)]
pub enum Arg<'a> {
    /// A buffer the function only reads.
    Buffer(BufferRef<'a>),
    /// A buffer the function may write.
    BufferMut(BufferMut<'a>),
    /// A scalar.
    Scalar(Scalar),
}

impl Arg<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Arg::Buffer(_) => "a read-only buffer",
            Arg::BufferMut(_) => "a mutable buffer",
            Arg::Scalar(_) => "a scalar",
        }
    }

    fn view(&self) -> Option<&View> {
        match self {
            Arg::Buffer(b) => Some(&b.view),
            Arg::BufferMut(b) => Some(&b.view),
            Arg::Scalar(_) => None,
        }
    }
}

impl<'a> From<BufferRef<'a>> for Arg<'a> {
    fn from(b: BufferRef<'a>) -> Self {
        Arg::Buffer(b)
    }
}

impl<'a> From<BufferMut<'a>> for Arg<'a> {
    fn from(b: BufferMut<'a>) -> Self {
        Arg::BufferMut(b)
    }
}

impl From<Scalar> for Arg<'_> {
    fn from(s: Scalar) -> Self {
        Arg::Scalar(s)
    }
}

/// A module compiled for the CPU. `Send + Sync`: MLIR's context is gone
/// once compilation ends, and the compiled functions are reentrant, so one
/// compiled module serves any number of threads.
pub struct CompiledModule {
    functions: HashMap<String, CompiledFunction>,
    unsupported: HashMap<String, String>,
}

/// A function of a [`CompiledModule`].
pub struct CompiledFunction {
    signature: Signature,
    entry: PackedFn,
    // Keeps the code `entry` points to alive.
    _engine: Arc<Engine>,
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.functions.keys().collect();
        names.sort();
        f.debug_struct("CompiledModule").field("functions", &names).finish()
    }
}

impl CompiledModule {
    pub(crate) fn new(
        engine: Engine,
        signatures: Vec<Signature>,
        unsupported: HashMap<String, String>,
    ) -> Result<Self, String> {
        let engine = Arc::new(engine);
        let mut functions = HashMap::new();
        for sig in signatures {
            let symbol = format!("_mlir_ciface_{}", sig.name);
            let entry = engine
                .lookup_packed(&symbol)
                .ok_or_else(|| format!("the compiled module has no entry point {symbol}"))?;
            functions.insert(
                sig.name.clone(),
                CompiledFunction { signature: sig, entry, _engine: Arc::clone(&engine) },
            );
        }
        Ok(CompiledModule { functions, unsupported })
    }

    /// The public functions, sorted by name.
    pub fn function_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.functions.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The function named `name`.
    pub fn function(&self, name: &str) -> Result<&CompiledFunction, CallError> {
        if let Some(reason) = self.unsupported.get(name) {
            return Err(CallError::UnsupportedSignature {
                function: name.to_string(),
                reason: reason.clone(),
            });
        }
        self.functions.get(name).ok_or_else(|| CallError::UnknownFunction {
            name: name.to_string(),
            available: self.function_names().iter().map(|n| format!("@{n}")).collect::<Vec<_>>().join(", "),
        })
    }
}

impl CompiledFunction {
    /// The parameters and result the function takes and gives.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Calls the function. Outputs (and inputs the function writes) must be
    /// [`Arg::BufferMut`]; the result is the function's scalar result, if
    /// any. Every argument is checked first; on error nothing runs. A
    /// function that returns buffers (or several results) is called with
    /// [`CompiledFunction::call_arrays`], which takes ownership of them.
    pub fn call(&self, args: &mut [Arg<'_>]) -> Result<Option<Scalar>, CallError> {
        if self.signature.returns_by_pointer() {
            return Err(CallError::UnsupportedSignature {
                function: self.signature.name.clone(),
                reason: "it returns buffers or several results; call it with call_arrays".into(),
            });
        }
        match self.call_raw(args)? {
            Returned::Value(v) => Ok(v),
            Returned::Struct(_) => unreachable!("checked above: the results are returned by value"),
        }
    }

    /// Checks `args` and calls the function; the results come back by value
    /// or, where [`Signature::returns_by_pointer`], as the struct the C
    /// interface wrote (see [`result_layout`]).
    fn call_raw(&self, args: &mut [Arg<'_>]) -> Result<Returned, CallError> {
        let sig = &self.signature;
        let function = || sig.name.clone();
        if args.len() != sig.params.len() {
            return Err(CallError::Arity {
                function: function(),
                expected: sig.params.len(),
                got: args.len(),
            });
        }
        let mut descriptors: Vec<Vec<usize>> = Vec::new();
        let mut scalars: Vec<u64> = Vec::new();
        // Which storage each slot points into, in parameter order.
        enum Slot {
            Descriptor(usize),
            Scalar(usize),
        }
        let mut slots = Vec::with_capacity(args.len());
        for (i, (param, arg)) in sig.params.iter().zip(args.iter()).enumerate() {
            match (param, arg) {
                (Param::Scalar(want), Arg::Scalar(s)) => {
                    if s.dtype() != *want {
                        return Err(CallError::ScalarType {
                            function: function(),
                            param: i,
                            expected: *want,
                            got: s.dtype(),
                        });
                    }
                    slots.push(Slot::Scalar(scalars.len()));
                    scalars.push(s.to_word());
                }
                (Param::Buffer(p), Arg::Buffer(_) | Arg::BufferMut(_)) => {
                    if p.written && matches!(arg, Arg::Buffer(_)) {
                        return Err(CallError::Kind {
                            function: function(),
                            param: i,
                            expected: if p.output {
                                "a mutable buffer (it is an output)"
                            } else {
                                "a mutable buffer (the function writes it)"
                            },
                            got: arg.describe(),
                        });
                    }
                    let ptr = match arg {
                        Arg::Buffer(b) => b.ptr.cast_mut(),
                        Arg::BufferMut(b) => b.ptr,
                        Arg::Scalar(_) => unreachable!("matched above"),
                    };
                    let view = arg.view().unwrap_or_else(|| unreachable!("matched above"));
                    check_param(sig, i, p, view, args)?;
                    slots.push(Slot::Descriptor(descriptors.len()));
                    descriptors.push(descriptor(p, view, ptr));
                }
                (Param::Scalar(_), _) => {
                    return Err(CallError::Kind {
                        function: function(),
                        param: i,
                        expected: "a scalar",
                        got: arg.describe(),
                    })
                }
                (Param::Buffer(_), _) => {
                    return Err(CallError::Kind {
                        function: function(),
                        param: i,
                        expected: "a buffer",
                        got: arg.describe(),
                    })
                }
            }
        }
        // Slot storage is complete: pointers into it stay valid below.
        let mut desc_ptrs: Vec<*mut usize> = descriptors.iter_mut().map(|d| d.as_mut_ptr()).collect();
        let desc_base = desc_ptrs.as_mut_ptr();
        let scalar_base = scalars.as_mut_ptr();
        let mut raw: Vec<*mut c_void> = slots
            .iter()
            .map(|s| match s {
                Slot::Descriptor(k) => desc_base.wrapping_add(*k).cast(),
                Slot::Scalar(k) => scalar_base.wrapping_add(*k).cast(),
            })
            .collect();
        // The status buffer of a function with checks: its last parameter.
        let mut status = [0i64; STATUS_WORDS];
        let status_ptr = status.as_mut_ptr().expose_provenance();
        // Its descriptor: allocated, aligned, offset, size, stride.
        let mut status_desc: [usize; 5] = [status_ptr, status_ptr, 0, STATUS_WORDS, 1];
        // As for every buffer, the slot holds a pointer to the descriptor.
        let mut status_slot: *mut usize = status_desc.as_mut_ptr();
        if !sig.checks.is_empty() {
            raw.push((&mut status_slot as *mut *mut usize).cast());
        }
        if sig.returns_by_pointer() {
            // The C interface takes a pointer to the result struct first;
            // the packed entry reads that pointer through slot 0.
            let (_, size) = result_layout(&sig.results);
            let mut words = vec![0u64; size.div_ceil(8)];
            let mut target: *mut c_void = words.as_mut_ptr().cast();
            raw.insert(0, (&mut target as *mut *mut c_void).cast());
            invoke(self.entry, &mut raw, None);
            // On a failed check the results are poison: nothing to free.
            self.check_status(&status)?;
            return Ok(Returned::Struct(words));
        }
        let mut result = 0u64;
        invoke(self.entry, &mut raw, sig.result.map(|_| &mut result));
        self.check_status(&status)?;
        Ok(Returned::Value(sig.result.map(|dtype| Scalar::from_word(dtype, result))))
    }
}

impl CompiledFunction {
    /// The error of the check that failed, if one did (word 0 of the status
    /// buffer numbers it from 1; the next words are its values).
    fn check_status(&self, status: &[i64; STATUS_WORDS]) -> Result<(), CallError> {
        let failed = usize::try_from(status[0]).ok().filter(|&k| k > 0);
        let Some(k) = failed else { return Ok(()) };
        let check = self.signature.checks.get(k - 1);
        let message = match check {
            Some(c) => axir_loop::format_assert_message(&c.message, &status[1..]),
            None => format!("run-time check #{k} failed"),
        };
        Err(CallError::RunTime {
            function: self.signature.name.clone(),
            message,
            location: check.and_then(|c| c.location.clone()),
        })
    }
}

/// What a call gave back.
enum Returned {
    /// Nothing, or the one scalar result.
    Value(Option<Scalar>),
    /// The struct of results the C interface wrote through the result
    /// pointer (as words; see [`result_layout`]).
    Struct(Vec<u64>),
}

/// The byte offset of each result in the struct the C interface returns
/// through its result pointer, and the struct's size: LLVM's layout of a
/// struct of the lowered results, each at its natural alignment (a buffer
/// is its descriptor, `3 + 2 * rank` words).
fn result_layout(results: &[ResultKind]) -> (Vec<usize>, usize) {
    let mut offsets = Vec::with_capacity(results.len());
    let mut at = 0usize;
    for r in results {
        let (size, align) = match r {
            ResultKind::Scalar(d) => (d.size_bytes(), d.size_bytes()),
            ResultKind::Buffer { rank, .. } => (8 * (3 + 2 * rank), 8),
        };
        at = at.next_multiple_of(align);
        offsets.push(at);
        at += size;
    }
    (offsets, at.next_multiple_of(8))
}

/// A read-only contiguous buffer over all of `a`.
fn array_ref(a: &NdArray) -> Result<BufferRef<'_>, CallError> {
    let s = a.shape();
    match a.data() {
        Data::I1(v) => BufferRef::contiguous(v, s),
        Data::I8(v) => BufferRef::contiguous(v, s),
        Data::I16(v) => BufferRef::contiguous(v, s),
        Data::I32(v) => BufferRef::contiguous(v, s),
        Data::I64(v) => BufferRef::contiguous(v, s),
        Data::U8(v) => BufferRef::contiguous(v, s),
        Data::F16(v) => BufferRef::contiguous(v, s),
        Data::BF16(v) => BufferRef::contiguous(v, s),
        Data::F32(v) => BufferRef::contiguous(v, s),
        Data::F64(v) => BufferRef::contiguous(v, s),
    }
}

/// A mutable contiguous buffer over `d`, of `shape`.
fn data_mut<'a>(d: &'a mut Data, shape: &[usize]) -> Result<BufferMut<'a>, CallError> {
    match d {
        Data::I1(v) => BufferMut::contiguous(v, shape),
        Data::I8(v) => BufferMut::contiguous(v, shape),
        Data::I16(v) => BufferMut::contiguous(v, shape),
        Data::I32(v) => BufferMut::contiguous(v, shape),
        Data::I64(v) => BufferMut::contiguous(v, shape),
        Data::U8(v) => BufferMut::contiguous(v, shape),
        Data::F16(v) => BufferMut::contiguous(v, shape),
        Data::BF16(v) => BufferMut::contiguous(v, shape),
        Data::F32(v) => BufferMut::contiguous(v, shape),
        Data::F64(v) => BufferMut::contiguous(v, shape),
    }
}

/// The scalar held by rank-0 array `a`.
fn scalar_of(a: &NdArray) -> Option<Scalar> {
    if a.rank() != 0 {
        return None;
    }
    Some(match a.data() {
        Data::I1(v) => Scalar::I1(*v.first()?),
        Data::I8(v) => Scalar::I8(*v.first()?),
        Data::I16(v) => Scalar::I16(*v.first()?),
        Data::I32(v) => Scalar::I32(*v.first()?),
        Data::I64(v) => Scalar::I64(*v.first()?),
        Data::U8(_) => return None,
        Data::F16(v) => Scalar::F16(*v.first()?),
        Data::BF16(v) => Scalar::BF16(*v.first()?),
        Data::F32(v) => Scalar::F32(*v.first()?),
        Data::F64(v) => Scalar::F64(*v.first()?),
    })
}

fn array_of_scalar(s: Scalar) -> NdArray {
    match s {
        Scalar::I1(v) => NdArray::scalar(v),
        Scalar::I8(v) => NdArray::scalar(v),
        Scalar::I16(v) => NdArray::scalar(v),
        Scalar::I32(v) => NdArray::scalar(v),
        Scalar::I64(v) => NdArray::scalar(v),
        Scalar::F16(v) => NdArray::scalar(v),
        Scalar::BF16(v) => NdArray::scalar(v),
        Scalar::F32(v) => NdArray::scalar(v),
        Scalar::F64(v) => NdArray::scalar(v),
    }
}

impl CompiledFunction {
    /// Calls the function with the convention of the interpreter's
    /// `run_entry`, which tools use: `inputs` are the parameters that are
    /// not outputs, in order (a scalar as a rank-0 array); each output is
    /// allocated zero-filled with the sizes of its type and `loop.output`
    /// attribute. Returns the results in order (a scalar as a rank-0 array;
    /// a returned buffer copied into an array, then freed with the C
    /// library's `free`, the `malloc` compiled code allocates it with), then
    /// the outputs. Inputs are passed without copies.
    pub fn call_arrays(&self, inputs: &[NdArray]) -> Result<Vec<NdArray>, CallError> {
        let sig = &self.signature;
        let function = || sig.name.clone();
        let n_inputs = sig.params.iter().filter(|p| !matches!(p, Param::Buffer(b) if b.output)).count();
        if inputs.len() != n_inputs {
            return Err(CallError::Arity { function: function(), expected: n_inputs, got: inputs.len() });
        }
        // The array passed for each parameter that is an input.
        let mut by_param: Vec<Option<&NdArray>> = Vec::with_capacity(sig.params.len());
        let mut it = inputs.iter();
        for p in &sig.params {
            by_param.push(if matches!(p, Param::Buffer(b) if b.output) { None } else { it.next() });
        }
        let mut outputs: Vec<(Vec<usize>, Data)> = Vec::new();
        for (i, p) in sig.params.iter().enumerate() {
            let Param::Buffer(b) = p else { continue };
            if !b.output {
                continue;
            }
            let mut shape = Vec::with_capacity(b.shape.len());
            for (d, dim) in b.shape.iter().enumerate() {
                let size = match (dim, b.output_dims.as_ref().and_then(|o| o.get(d))) {
                    (Some(n), _) => Some(*n as usize),
                    (None, Some(OutputDim::Fixed(n))) => usize::try_from(*n).ok(),
                    (None, Some(OutputDim::Like { param, dim })) => {
                        by_param.get(*param).copied().flatten().and_then(|a| a.shape().get(*dim).copied())
                    }
                    (None, None) => None,
                };
                shape.push(size.ok_or_else(|| CallError::UnsupportedSignature {
                    function: function(),
                    reason: format!(
                        "dim {d} of output argument #{i} is dynamic and its 'loop.output' attribute gives no size for it"
                    ),
                })?);
            }
            let zeros =
                NdArray::zeros(b.dtype, shape.clone()).map_err(|e| CallError::UnsupportedSignature {
                    function: function(),
                    reason: format!("output argument #{i}: {e}"),
                })?;
            outputs.push(zeros.into_parts());
        }
        // An input the function writes gets a private copy, as in the
        // interpreter, so the caller's array is left as it was.
        let mut copies: Vec<(Vec<usize>, Data)> = Vec::new();
        for (p, a) in sig.params.iter().zip(&by_param) {
            if let (Param::Buffer(b), Some(a)) = (p, a) {
                if b.written && !b.output {
                    copies.push((*a).clone().into_parts());
                }
            }
        }
        let mut args = Vec::with_capacity(sig.params.len());
        let (mut outs, mut copied) = (outputs.iter_mut(), copies.iter_mut());
        for (i, (p, a)) in sig.params.iter().zip(&by_param).enumerate() {
            let arg = match (p, a) {
                (Param::Buffer(b), _) if b.output || b.written => {
                    let (shape, data) = if b.output { outs.next() } else { copied.next() }
                        .unwrap_or_else(|| unreachable!("one buffer was made per output and written input"));
                    Arg::BufferMut(data_mut(data, shape)?)
                }
                (Param::Buffer(_), Some(a)) => Arg::Buffer(array_ref(a)?),
                (Param::Scalar(_), Some(a)) => Arg::Scalar(scalar_of(a).ok_or(CallError::Kind {
                    function: function(),
                    param: i,
                    expected: "a rank-0 array (a scalar)",
                    got: "an array of another rank or dtype",
                })?),
                (_, None) => unreachable!("only outputs have no input array"),
            };
            args.push(arg);
        }
        // A returned buffer that is an argument (or a view of one) is not
        // the function's to give away: it is copied, never freed.
        let borrowed: Vec<usize> = args
            .iter()
            .filter_map(|a| match a {
                Arg::Buffer(b) => Some(b.ptr.expose_provenance()),
                Arg::BufferMut(b) => Some(b.ptr.expose_provenance()),
                Arg::Scalar(_) => None,
            })
            .collect();
        let returned = self.call_raw(&mut args)?;
        drop(args);
        let mut arrays: Vec<NdArray> = match returned {
            Returned::Value(v) => v.into_iter().map(array_of_scalar).collect(),
            Returned::Struct(words) => self.take_results(&words, &borrowed)?,
        };
        for (shape, data) in outputs {
            arrays.push(NdArray::new(shape, data).map_err(|e| CallError::UnsupportedSignature {
                function: function(),
                reason: format!("cannot make an array of an output: {e}"),
            })?);
        }
        Ok(arrays)
    }
}

impl CompiledFunction {
    /// The results in the struct `words` a call just returned, as arrays.
    /// Every returned buffer is copied, then each distinct allocation that
    /// is not `borrowed` (an argument's data) is freed once.
    fn take_results(&self, words: &[u64], borrowed: &[usize]) -> Result<Vec<NdArray>, CallError> {
        let sig = &self.signature;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let word_at = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(b) as usize
        };
        let (offsets, _) = result_layout(&sig.results);
        let mut arrays = Vec::with_capacity(sig.results.len());
        let mut to_free: Vec<usize> = Vec::new();
        let mut failure = None;
        for (r, &at) in sig.results.iter().zip(&offsets) {
            match *r {
                ResultKind::Scalar(dtype) => {
                    let mut b = [0u8; 8];
                    let n = dtype.size_bytes();
                    b[..n].copy_from_slice(&bytes[at..at + n]);
                    arrays.push(array_of_scalar(Scalar::from_word(dtype, u64::from_le_bytes(b))));
                }
                ResultKind::Buffer { dtype, rank } => {
                    let desc: Vec<usize> = (0..3 + 2 * rank).map(|k| word_at(at + 8 * k)).collect();
                    let allocated = desc[0];
                    if allocated != 0 && !borrowed.contains(&allocated) && !to_free.contains(&allocated) {
                        to_free.push(allocated);
                    }
                    let shape = desc[3..3 + rank].to_vec();
                    match NdArray::zeros(dtype, shape.clone()) {
                        Ok(zeros) => {
                            let (shape, mut data) = zeros.into_parts();
                            let dst = data_mut(&mut data, &shape)?.ptr;
                            copy_returned(&desc, rank, dtype.size_bytes(), dst);
                            match NdArray::new(shape, data) {
                                Ok(a) => arrays.push(a),
                                Err(e) => failure = failure.or(Some(e.to_string())),
                            }
                        }
                        Err(e) => failure = failure.or(Some(e.to_string())),
                    }
                }
            }
        }
        // Every copy is made: no buffer is read after this.
        for allocated in to_free {
            free_returned(allocated);
        }
        match failure {
            Some(e) => Err(CallError::UnsupportedSignature {
                function: sig.name.clone(),
                reason: format!("cannot make an array of a returned buffer: {e}"),
            }),
            None => Ok(arrays),
        }
    }
}

/// Checks a buffer argument against its parameter: dtype, rank, static
/// dims, strides and offset, and an output's sizes against the inputs.
fn check_param(
    sig: &Signature,
    i: usize,
    p: &BufferParam,
    view: &View,
    args: &[Arg<'_>],
) -> Result<(), CallError> {
    let function = || sig.name.clone();
    if view.dtype != p.dtype {
        return Err(CallError::DType { function: function(), param: i, expected: p.dtype, got: view.dtype });
    }
    if view.shape.len() != p.shape.len() {
        return Err(CallError::Rank {
            function: function(),
            param: i,
            expected: p.shape.len(),
            got: view.shape.len(),
        });
    }
    for (d, (&want, &got)) in p.shape.iter().zip(&view.shape).enumerate() {
        if let Some(n) = want {
            if n as usize != got {
                return Err(CallError::Dim {
                    function: function(),
                    param: i,
                    dim: d,
                    expected: n as i64,
                    got,
                    why: "its static size".into(),
                });
            }
        }
    }
    if let Some(dims) = &p.output_dims {
        for (d, (spec, &got)) in dims.iter().zip(&view.shape).enumerate() {
            let (expected, why) = match *spec {
                OutputDim::Fixed(n) => (n, "the size in its 'loop.output' attribute".to_string()),
                OutputDim::Like { param, dim } => {
                    match args.get(param).and_then(Arg::view).and_then(|v| v.shape.get(dim)) {
                        Some(&n) => (n as i64, format!("dim {dim} of argument #{param}")),
                        None => continue,
                    }
                }
            };
            if expected != got as i64 {
                return Err(CallError::Dim { function: function(), param: i, dim: d, expected, got, why });
            }
        }
    }
    // A dim of size 0 or 1 never uses its stride; an empty view uses none.
    if !view.shape.contains(&0) {
        let dense = row_major(&view.shape);
        for (d, (&n, &got)) in view.shape.iter().zip(&view.strides).enumerate() {
            let want = if p.contiguous { Some(dense[d] as i64) } else { p.strides[d] };
            if let Some(s) = want {
                if n > 1 && s as isize != got {
                    return Err(CallError::Stride {
                        function: function(),
                        param: i,
                        dim: d,
                        expected: s,
                        got,
                    });
                }
            }
        }
    }
    if let Some(o) = p.offset {
        if (view.offset as i128) < o as i128 {
            return Err(CallError::Offset { function: function(), param: i, expected: o, got: view.offset });
        }
    }
    Ok(())
}

/// MLIR's descriptor `{allocated, aligned, offset, sizes[], strides[]}` as
/// words. A static offset `o` in the type is honoured by moving the aligned
/// pointer `view.offset - o` elements in (checked non-negative by
/// `check_param`), since compiled code uses the constant, not the field.
fn descriptor(p: &BufferParam, view: &View, ptr: *mut u8) -> Vec<usize> {
    let size = view.dtype.size_bytes();
    let (aligned, offset) = match p.offset {
        Some(o) => (ptr.wrapping_add((view.offset - o as usize) * size), o as usize),
        None => (ptr, view.offset),
    };
    let mut d = Vec::with_capacity(3 + 2 * view.shape.len());
    d.push(ptr.expose_provenance());
    d.push(aligned.expose_provenance());
    d.push(offset);
    d.extend(view.shape.iter().copied());
    let dense = row_major(&view.shape);
    for (k, &s) in view.strides.iter().enumerate() {
        // Where a dim's stride is unused (size 0 or 1) the stride the type
        // implies is passed, so the descriptor agrees with the type.
        let implied = if p.contiguous { Some(dense[k]) } else { p.strides[k].map(|st| st as isize) };
        d.push(implied.unwrap_or(s) as usize);
    }
    d
}
