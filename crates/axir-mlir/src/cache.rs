//! The specialization cache: an array-level function compiled once per
//! shape and layout class of its arguments, and called with caller-owned
//! arrays.
//!
//! A [`JitCache`] owns the text of an array-level module. A call computes
//! the [`LayoutKey`] of its arguments (per argument: row-major or not, which
//! dims have size 1, which are broadcast with stride 0, whether the inner
//! dim has unit stride, whether it is empty) and looks it up; a hit costs a
//! read lock and one hash of a 32-byte key, never a compile, a string
//! format or a hash of IR. A miss lowers the module with
//! `array-to-loop-pipeline` and compiles it, specialized two ways:
//!
//! - **shape class**: each dim that is dynamic (`?`) in a parameter's
//!   array-level type and has size 1 in this call is refined to a static 1
//!   before lowering (entry block argument and function type), so the shape
//!   analysis knows the dim broadcasts and the lowering reads index 0
//!   instead of selecting, per element, between the index and 0 on a
//!   run-time size test. An empty argument is never refined (it does no
//!   work). The refined module is verified; when it does not verify, or
//!   does not lower or compile, the unrefined function is used instead, so
//!   refinement never makes a valid call fail. The call API's checks refuse
//!   a buffer whose size contradicts a static dim, so refined code only
//!   ever runs on the shapes it was refined for;
//! - **layout class**: when every argument is row-major, the lowered
//!   function takes identity-layout memrefs, so LLVM sees unit strides;
//!   otherwise each non-row-major parameter is retyped to
//!   `strided<[?, ...], offset: ?>` after `convert-array-to-loop` and
//!   before `loop-normalize`, so the code reads the caller's strides
//!   (Fortran order, slices, stride-0 broadcasts) without a copy.
//!
//! Keys share one compiled function when they retype the same parameters
//! and refine the same dims (one `Variant`): keys that differ only in, say,
//! the strides of a non-row-major argument, or in a size-1 dim that is
//! already static, share code.
//!
//! Retyping is only sound where the lowering reads the parameter through
//! loads, dims and copies alone (a view of it was computed for a row-major
//! root); otherwise the call is refused with [`CacheError::Layout`].
//!
//! **A buffer the function writes must not overlap itself** (a stride-0
//! dim, or strides that map two indices to one element): refused with
//! [`CacheError::OverlappingOutput`] before anything runs. Overlap between
//! an output and an input cannot be built in safe Rust (`&mut` and `&`
//! borrows), but is checked on addresses all the same, since the arrays may
//! come from foreign memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axir_builtin::FuncOp;
use axir_ir::{Context, Diagnostic, DialectRegistry, MemRefLayout, OpDefinition, OpId, Type, TypeData};
use axir_ndarray::{bf16, f16};
use rustc_hash::FxHashMap;

use crate::call::{Arg, BufferMut, BufferRef, CompiledFunction, CompiledModule, Scalar};
use crate::error::CallError;
use crate::CompileOptions;

/// The most arguments (inputs and outputs) a cached function may take.
pub const MAX_ARGS: usize = 16;
/// The highest rank a cached function's buffers may have.
pub const MAX_RANK: usize = 6;

/// Why a cached call was refused or its compilation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// The module does not parse, lower or compile; each diagnostic as text.
    #[error("@{function} could not be compiled:\n{messages}")]
    Compile {
        /// The function.
        function: String,
        /// The diagnostics, rendered with their locations.
        messages: String,
    },
    /// More arguments or a higher rank than the key holds.
    #[error("@{function}: the cache handles at most {MAX_ARGS} arguments of rank at most {MAX_RANK}")]
    TooLarge {
        /// The function.
        function: String,
    },
    /// A writable buffer reaches one element through two indices.
    #[error("@{function}: argument #{param} is written but its view overlaps itself (a stride-0 dim or overlapping strides)")]
    OverlappingOutput {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
    },
    /// A buffer the function writes shares memory with another argument.
    #[error("@{function}: argument #{param} is written but shares memory with argument #{other}")]
    Aliasing {
        /// The function.
        function: String,
        /// The written parameter.
        param: usize,
        /// The other one.
        other: usize,
    },
    /// The lowered function cannot take this parameter with any strides.
    #[error("@{function}: argument #{param} must be row-major contiguous: {reason}")]
    Layout {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// Why.
        reason: String,
    },
    /// The call itself was refused (see [`CallError`]).
    #[error(transparent)]
    Call(#[from] CallError),
}

/// The elements of a read-only array, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub enum Elems<'a> {
    /// `i1`.
    I1(&'a [bool]),
    /// `i8`.
    I8(&'a [i8]),
    /// `i16`.
    I16(&'a [i16]),
    /// `i32`.
    I32(&'a [i32]),
    /// `i64` and `index`.
    I64(&'a [i64]),
    /// `f16`.
    F16(&'a [f16]),
    /// `bf16`.
    BF16(&'a [bf16]),
    /// `f32`.
    F32(&'a [f32]),
    /// `f64`.
    F64(&'a [f64]),
}

/// The elements of an array the function may write, borrowed from the caller.
#[derive(Debug)]
pub enum ElemsMut<'a> {
    /// `i1`.
    I1(&'a mut [bool]),
    /// `i8`.
    I8(&'a mut [i8]),
    /// `i16`.
    I16(&'a mut [i16]),
    /// `i32`.
    I32(&'a mut [i32]),
    /// `i64` and `index`.
    I64(&'a mut [i64]),
    /// `f16`.
    F16(&'a mut [f16]),
    /// `bf16`.
    BF16(&'a mut [bf16]),
    /// `f32`.
    F32(&'a mut [f32]),
    /// `f64`.
    F64(&'a mut [f64]),
}

macro_rules! elems_from {
    ($($t:ty => $var:ident),*) => {$(
        impl<'a> From<&'a [$t]> for Elems<'a> {
            fn from(s: &'a [$t]) -> Self { Elems::$var(s) }
        }
        impl<'a> From<&'a Vec<$t>> for Elems<'a> {
            fn from(s: &'a Vec<$t>) -> Self { Elems::$var(s) }
        }
        impl<'a> From<&'a mut [$t]> for ElemsMut<'a> {
            fn from(s: &'a mut [$t]) -> Self { ElemsMut::$var(s) }
        }
        impl<'a> From<&'a mut Vec<$t>> for ElemsMut<'a> {
            fn from(s: &'a mut Vec<$t>) -> Self { ElemsMut::$var(s) }
        }
    )*};
}
elems_from!(bool => I1, i8 => I8, i16 => I16, i32 => I32, i64 => I64, f16 => F16, bf16 => BF16, f32 => F32, f64 => F64);

/// Where an argument's view lies: element 0 and the element size, for the
/// overlap check.
fn base_of(e: &Elems<'_>) -> (usize, usize) {
    macro_rules! b {
        ($($var:ident),*) => {
            match e { $(Elems::$var(s) => (s.as_ptr() as usize, std::mem::size_of_val(&s[..s.len().min(1)]).max(1)),)* }
        };
    }
    b!(I1, I8, I16, I32, I64, F16, BF16, F32, F64)
}

fn base_of_mut(e: &ElemsMut<'_>) -> (usize, usize) {
    macro_rules! b {
        ($($var:ident),*) => {
            match e { $(ElemsMut::$var(s) => (s.as_ptr() as usize, std::mem::size_of_val(&s[..s.len().min(1)]).max(1)),)* }
        };
    }
    b!(I1, I8, I16, I32, I64, F16, BF16, F32, F64)
}

/// One argument of a cached call: a strided view of caller-owned data.
#[derive(Debug)]
pub enum CacheArg<'a> {
    /// An array the function only reads.
    In {
        /// The data.
        data: Elems<'a>,
        /// Sizes.
        shape: &'a [usize],
        /// Strides in elements (0 for a broadcast dim, negative allowed).
        strides: &'a [isize],
        /// The first element's index in `data`.
        offset: usize,
    },
    /// An array the function writes (an output).
    Out {
        /// The data.
        data: ElemsMut<'a>,
        /// Sizes.
        shape: &'a [usize],
        /// Strides in elements.
        strides: &'a [isize],
        /// The first element's index in `data`.
        offset: usize,
    },
    /// A scalar.
    Scalar(Scalar),
}

impl<'a> CacheArg<'a> {
    /// A read-only view of `data`.
    pub fn input(
        data: impl Into<Elems<'a>>,
        shape: &'a [usize],
        strides: &'a [isize],
        offset: usize,
    ) -> Self {
        CacheArg::In { data: data.into(), shape, strides, offset }
    }

    /// A writable view of `data`.
    pub fn output(
        data: impl Into<ElemsMut<'a>>,
        shape: &'a [usize],
        strides: &'a [isize],
        offset: usize,
    ) -> Self {
        CacheArg::Out { data: data.into(), shape, strides, offset }
    }

    fn view(&self) -> Option<(&[usize], &[isize], usize)> {
        match self {
            CacheArg::In { shape, strides, offset, .. } | CacheArg::Out { shape, strides, offset, .. } => {
                Some((shape, strides, *offset))
            }
            CacheArg::Scalar(_) => None,
        }
    }

    /// The call API's argument for this view.
    fn as_call_arg(&mut self) -> Result<Arg<'_>, CallError> {
        macro_rules! conv {
            ($e:expr, $ty:ident, $sh:expr, $st:expr, $o:expr, $($var:ident),*) => {
                match $e { $($ty::$var(s) => conv!(@mk $ty, s, $sh, $st, $o),)* }
            };
            (@mk Elems, $s:expr, $sh:expr, $st:expr, $o:expr) => { Arg::Buffer(BufferRef::new(*$s, $sh, $st, $o)?) };
            (@mk ElemsMut, $s:expr, $sh:expr, $st:expr, $o:expr) => { Arg::BufferMut(BufferMut::new(&mut **$s, $sh, $st, $o)?) };
        }
        Ok(match self {
            CacheArg::In { data, shape, strides, offset } => {
                conv!(data, Elems, shape, strides, *offset, I1, I8, I16, I32, I64, F16, BF16, F32, F64)
            }
            CacheArg::Out { data, shape, strides, offset } => {
                conv!(data, ElemsMut, shape, strides, *offset, I1, I8, I16, I32, I64, F16, BF16, F32, F64)
            }
            CacheArg::Scalar(s) => Arg::Scalar(*s),
        })
    }
}

/// The shape and layout class of a call's arguments: 16 bits per argument
/// (bit 0: not row-major; bit 1: inner dim not unit-stride; bits 2..8: dims
/// of size 0 or 1; bits 8..14: broadcast dims, stride 0 with size > 1; bit
/// 14: empty, some dim of size 0; bit 15: a buffer). Cheap to compute and
/// to hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct LayoutKey([u16; MAX_ARGS]);

impl LayoutKey {
    /// The key of `args`, or `None` when they exceed [`MAX_ARGS`] or
    /// [`MAX_RANK`].
    pub fn of(args: &[CacheArg<'_>]) -> Option<LayoutKey> {
        if args.len() > MAX_ARGS {
            return None;
        }
        let mut key = [0u16; MAX_ARGS];
        for (k, a) in key.iter_mut().zip(args) {
            let Some((shape, strides, _)) = a.view() else { continue };
            if shape.len() > MAX_RANK || strides.len() != shape.len() {
                return None;
            }
            let mut bits = 1u16 << 15;
            let mut dense: isize = 1;
            for d in (0..shape.len()).rev() {
                let (n, s) = (shape[d], strides[d]);
                if n <= 1 {
                    bits |= 1 << (2 + d);
                    if n == 0 {
                        bits |= EMPTY;
                    }
                } else {
                    if s != dense {
                        bits |= 1;
                    }
                    if s == 0 {
                        bits |= 1 << (8 + d);
                    }
                }
                dense = dense.saturating_mul(isize::try_from(n).unwrap_or(isize::MAX));
            }
            if let (Some(&n), Some(&s)) = (shape.last(), strides.last()) {
                if n > 1 && s != 1 {
                    bits |= 2;
                }
            }
            *k = bits;
        }
        Some(LayoutKey(key))
    }

    /// Whether argument `i` is a buffer that is not row-major contiguous.
    pub fn is_strided(&self, i: usize) -> bool {
        self.0.get(i).is_some_and(|b| b & 1 != 0)
    }

    /// The dims of argument `i` that have size 1, as a bit mask; none for
    /// an empty argument, whose bits 2..8 mix sizes 0 and 1.
    pub fn unit_dims(&self, i: usize) -> u8 {
        match self.0.get(i) {
            Some(&b) if b & EMPTY == 0 => (b >> 2) as u8 & UNIT_DIMS,
            _ => 0,
        }
    }

    /// The arguments that are not row-major, as a bit mask.
    fn strided_mask(&self) -> u32 {
        self.0.iter().enumerate().fold(0, |m, (i, b)| if b & 1 != 0 { m | 1 << i } else { m })
    }
}

/// [`LayoutKey`] bit 14: the argument has a dim of size 0.
const EMPTY: u16 = 1 << 14;
/// One bit per dim of [`MAX_RANK`].
const UNIT_DIMS: u8 = (1 << MAX_RANK) - 1;

/// What the code of a specialization depends on, and so what keys share:
/// the parameters retyped to dynamic strided layouts, and per parameter the
/// dims, dynamic in its array-level type, refined to a static 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
struct Variant {
    strided: u32,
    unit_dims: [u8; MAX_ARGS],
}

impl Variant {
    fn is_refined(&self) -> bool {
        self.unit_dims.iter().any(|&m| m != 0)
    }

    /// The same layouts, with no dim refined.
    fn unrefined(self) -> Variant {
        Variant { unit_dims: [0; MAX_ARGS], ..self }
    }
}

/// One compiled specialization: a module holding the function, lowered for
/// the layouts of one or more [`LayoutKey`]s. `Send + Sync`.
#[derive(Debug)]
pub struct Specialization {
    module: CompiledModule,
    name: String,
    variant: Variant,
}

impl Specialization {
    /// The compiled function.
    pub fn function(&self) -> Result<&CompiledFunction, CallError> {
        self.module.function(&self.name)
    }

    /// Whether parameter `i` was compiled with a dynamic strided layout
    /// (otherwise it has the identity layout and must be row-major).
    pub fn is_strided(&self, i: usize) -> bool {
        self.variant.strided & (1 << i) != 0
    }

    /// Whether dim `dim` of parameter `i`, dynamic in the array-level type,
    /// was compiled as a static 1 (the call's shape class had size 1 there
    /// and the refined function lowered). Such a parameter only accepts
    /// buffers of size 1 in that dim.
    pub fn is_refined(&self, i: usize, dim: usize) -> bool {
        dim < MAX_RANK && self.variant.unit_dims.get(i).is_some_and(|m| m & (1 << dim) != 0)
    }
}

/// Counters of a [`JitCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Calls whose key was found.
    pub hits: u64,
    /// Calls whose key was new.
    pub misses: u64,
    /// Compilations (a miss whose retyped parameters and refined dims were
    /// already compiled for another key shares that code; a refinement
    /// that fails counts nothing, the unrefined code it falls back to is
    /// compiled once).
    pub compiles: u64,
}

/// An array-level function compiled once per shape and layout class of
/// its arguments. `Send + Sync`: one cache serves any number of threads.
pub struct JitCache {
    source: String,
    file_name: String,
    function: String,
    options: CompileOptions,
    // Per array-level parameter, its dynamic dims as a bit mask: the only
    // dims a shape class may refine.
    dynamic_dims: [u8; MAX_ARGS],
    by_key: RwLock<FxHashMap<LayoutKey, Arc<Specialization>>>,
    // Serializes compilations; maps a variant to its code, or to why it
    // cannot be compiled (so a refused class is lowered once, not on every
    // call).
    by_variant: Mutex<FxHashMap<Variant, Result<Arc<Specialization>, CacheError>>>,
    hits: AtomicU64,
    misses: AtomicU64,
    compiles: AtomicU64,
}

impl std::fmt::Debug for JitCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitCache")
            .field("file_name", &self.file_name)
            .field("function", &self.function)
            .field("stats", &self.stats())
            .finish()
    }
}

impl JitCache {
    /// A cache for `@function` of the array-level module `source` (named
    /// `file_name` in diagnostics). The module is parsed and lowered once
    /// here, so errors in it are reported now; nothing is compiled yet.
    pub fn new(
        source: &str,
        file_name: &str,
        function: &str,
        options: CompileOptions,
    ) -> Result<Self, CacheError> {
        let mut cache = JitCache {
            source: source.to_string(),
            file_name: file_name.to_string(),
            function: function.to_string(),
            options,
            dynamic_dims: [0; MAX_ARGS],
            by_key: RwLock::new(FxHashMap::default()),
            by_variant: Mutex::new(FxHashMap::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            compiles: AtomicU64::new(0),
        };
        let (mut ctx, module) = cache.parse()?;
        cache.dynamic_dims = dynamic_dims(&ctx, cache.find_function(&ctx, module)?);
        cache.lower_parsed(&mut ctx, module, 0)?;
        Ok(cache)
    }

    /// The function's name.
    pub fn function_name(&self) -> &str {
        &self.function
    }

    /// Hits, misses and compilations so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            compiles: self.compiles.load(Ordering::Relaxed),
        }
    }

    /// The specialization for `args`' layout class, compiling it on a miss.
    pub fn specialize(&self, args: &[CacheArg<'_>]) -> Result<Arc<Specialization>, CacheError> {
        let key =
            LayoutKey::of(args).ok_or_else(|| CacheError::TooLarge { function: self.function.clone() })?;
        if let Some(s) = self.by_key.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Arc::clone(s));
        }
        let mut by_variant = self.by_variant.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have compiled it while this one waited.
        if let Some(s) = self.by_key.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Arc::clone(s));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let mut variant = Variant { strided: key.strided_mask(), unit_dims: [0; MAX_ARGS] };
        for (i, (m, dynamic)) in variant.unit_dims.iter_mut().zip(self.dynamic_dims).enumerate() {
            *m = key.unit_dims(i) & dynamic;
        }
        let spec = self.specialization(&mut by_variant, variant)?;
        self.by_key.write().unwrap_or_else(|p| p.into_inner()).insert(key, Arc::clone(&spec));
        Ok(spec)
    }

    /// The code of `variant`, compiled unless known. A refined variant that
    /// cannot be compiled falls back to its unrefined one (and is recorded
    /// as that): refinement is an optimization, never a new way to fail.
    fn specialization(
        &self,
        by_variant: &mut FxHashMap<Variant, Result<Arc<Specialization>, CacheError>>,
        variant: Variant,
    ) -> Result<Arc<Specialization>, CacheError> {
        if let Some(s) = by_variant.get(&variant) {
            return s.clone();
        }
        let s = match self.compile(variant) {
            Ok(s) => {
                self.compiles.fetch_add(1, Ordering::Relaxed);
                Ok(Arc::new(s))
            }
            Err(e) if variant.is_refined() => {
                tracing::debug!(function = %self.function, error = %e, "refined specialization failed; using the unrefined one");
                self.specialization(by_variant, variant.unrefined())
            }
            Err(e) => Err(e),
        };
        by_variant.insert(variant, s.clone());
        s
    }

    /// Calls the function on `args` (the lowered signature: the array-level
    /// parameters, then one output per tensor result), compiling a
    /// specialization first on a miss. Every check runs before any code.
    pub fn call(&self, args: &mut [CacheArg<'_>]) -> Result<Option<Scalar>, CacheError> {
        // Before the lookup, so that a refused call compiles nothing.
        self.check_overlap(args)?;
        let spec = self.specialize(args)?;
        let f = spec.function()?;
        let mut call_args = Vec::with_capacity(args.len());
        for a in args.iter_mut() {
            call_args.push(a.as_call_arg()?);
        }
        Ok(f.call(&mut call_args)?)
    }

    /// A writable buffer must not overlap itself nor any other argument.
    fn check_overlap(&self, args: &[CacheArg<'_>]) -> Result<(), CacheError> {
        for (i, a) in args.iter().enumerate() {
            let CacheArg::Out { data, shape, strides, offset } = a else { continue };
            if !non_overlapping(shape, strides) {
                return Err(CacheError::OverlappingOutput { function: self.function.clone(), param: i });
            }
            let (base, size) = base_of_mut(data);
            let range = byte_range(base, size, shape, strides, *offset);
            for (j, b) in args.iter().enumerate() {
                if j == i {
                    continue;
                }
                let other = match b {
                    CacheArg::In { data, shape, strides, offset } => {
                        let (base, size) = base_of(data);
                        byte_range(base, size, shape, strides, *offset)
                    }
                    CacheArg::Out { data, shape, strides, offset } => {
                        let (base, size) = base_of_mut(data);
                        byte_range(base, size, shape, strides, *offset)
                    }
                    CacheArg::Scalar(_) => None,
                };
                if let (Some(r), Some(o)) = (range, other) {
                    if r.0 < o.1 && o.0 < r.1 {
                        return Err(CacheError::Aliasing {
                            function: self.function.clone(),
                            param: i,
                            other: j,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// A compile error made of `diagnostics`, rendered with their locations.
    fn compile_error(&self, ctx: &Context, diagnostics: &[Diagnostic]) -> CacheError {
        CacheError::Compile {
            function: self.function.clone(),
            messages: diagnostics.iter().map(|d| d.to_plain_string(ctx)).collect(),
        }
    }

    /// Parses the module into a fresh context.
    fn parse(&self) -> Result<(Context, OpId), CacheError> {
        let mut registry = DialectRegistry::new();
        crate::register_dialects(&mut registry);
        axir_array::register(&mut registry);
        let mut ctx = Context::new(Arc::new(registry));
        let module = axir_syntax::parse_source(&mut ctx, &self.source, &self.file_name, &Default::default())
            .map_err(|d| self.compile_error(&ctx, &d))?;
        Ok((ctx, module))
    }

    /// The function in `module`.
    fn find_function(&self, ctx: &Context, module: OpId) -> Result<FuncOp, CacheError> {
        ctx.lookup_symbol_in(module, &self.function).and_then(|op| FuncOp::from_op(ctx, op)).ok_or_else(
            || CacheError::Compile {
                function: self.function.clone(),
                messages: format!("no function @{} in {}", self.function, self.file_name),
            },
        )
    }

    /// Parses the module and lowers it to the loop level as `variant` says:
    /// its size-1 dims refined (and the result verified), its strided
    /// parameters retyped.
    fn lower(&self, variant: Variant) -> Result<(Context, OpId), CacheError> {
        let (mut ctx, module) = self.parse()?;
        if variant.is_refined() {
            self.refine(&mut ctx, module, &variant.unit_dims)?;
            // A use that needs the declared type (the input of an
            // `array.fusion` written in the source, whose body argument
            // keeps it; a `func.return` or `func.call` of the parameter) no
            // longer verifies: the caller falls back to the unrefined code.
            axir_ir::verify(&ctx, module).map_err(|d| self.compile_error(&ctx, &d))?;
        }
        self.lower_parsed(&mut ctx, module, variant.strided)?;
        Ok((ctx, module))
    }

    /// Lowers the parsed `module` to the loop level, retyping the
    /// parameters in `strided` to dynamic strided layouts.
    fn lower_parsed(&self, ctx: &mut Context, module: OpId, strided: u32) -> Result<(), CacheError> {
        let mut passes = axir_pass::PassRegistry::new();
        axir_transforms::register_passes(&mut passes);
        axir_array::register_passes(&mut passes);
        axir_loop::register_passes(&mut passes);
        axir_conversion::register_passes(&mut passes);
        // The stages of `array-to-loop-pipeline`, split where layouts are set.
        let run = |ctx: &mut Context, pipeline: &str| -> Result<(), CacheError> {
            let mut pm = axir_pass::parse_pipeline(pipeline, &passes)
                .map_err(|e| CacheError::Compile { function: self.function.clone(), messages: e.render() })?;
            pm.run(ctx, module).map_err(|f| self.compile_error(ctx, &f.diagnostics))
        };
        run(ctx, "builtin.module(func.func(canonicalize,cse),array-fuse,convert-array-to-loop)")?;
        if strided != 0 {
            self.retype(ctx, module, strided)?;
        }
        run(ctx, "builtin.module(func.func(loop-normalize,canonicalize,cse))")
    }

    /// Gives dim `d` of array-level parameter `i` the static size 1 for
    /// each bit `d` of `unit_dims[i]` (each such dim is dynamic), in the
    /// entry block and in the function type.
    fn refine(&self, ctx: &mut Context, module: OpId, unit_dims: &[u8; MAX_ARGS]) -> Result<(), CacheError> {
        let f = self.find_function(ctx, module)?;
        let args = f.arguments(ctx).to_vec();
        let mut inputs = f.input_types(ctx).to_vec();
        for ((&v, ty), &mask) in args.iter().zip(inputs.iter_mut()).zip(unit_dims) {
            if mask == 0 {
                continue;
            }
            let TypeData::Tensor { shape: Some(dims), element } = ctx.type_data(*ty).clone() else {
                continue;
            };
            let dims = dims.iter().enumerate().map(|(d, &n)| if mask & (1 << d) != 0 { Some(1) } else { n });
            let refined = ctx.tensor_type(dims.collect(), element);
            ctx.set_value_type(v, refined);
            *ty = refined;
        }
        set_input_types(ctx, f, inputs);
        Ok(())
    }

    /// Gives each parameter in `mask` the layout `strided<[?, ...], offset: ?>`.
    fn retype(&self, ctx: &mut Context, module: OpId, mask: u32) -> Result<(), CacheError> {
        let f = self.find_function(ctx, module)?;
        let args = f.arguments(ctx).to_vec();
        let mut inputs = f.input_types(ctx).to_vec();
        for (i, (&v, ty)) in args.iter().zip(inputs.iter_mut()).enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            let TypeData::MemRef { shape, element, layout: MemRefLayout::Identity, memory_space: None } =
                ctx.type_data(*ty).clone()
            else {
                continue;
            };
            // Invariant: only loads, stores, dims and copies use the
            // parameter, so none of them assumed its layout.
            let bad = ctx.uses(v).iter().find(|u| {
                !matches!(
                    (ctx.op_name(u.op), u.operand),
                    ("loop.load" | "loop.dim" | "loop.copy", 0) | ("loop.store" | "loop.copy", 1)
                )
            });
            if let Some(u) = bad {
                return Err(CacheError::Layout {
                    function: self.function.clone(),
                    param: i,
                    reason: format!("the lowered function uses it through '{}'", ctx.op_name(u.op)),
                });
            }
            let layout = MemRefLayout::Strided { strides: vec![None; shape.len()], offset: None };
            let strided = ctx.memref_type(shape, element, layout);
            ctx.set_value_type(v, strided);
            *ty = strided;
        }
        set_input_types(ctx, f, inputs);
        Ok(())
    }

    fn compile(&self, variant: Variant) -> Result<Specialization, CacheError> {
        let (ctx, module) = self.lower(variant)?;
        tracing::debug!(function = %self.function, ?variant, "compiling a specialization");
        let compiled =
            crate::compile(&ctx, module, &self.options).map_err(|d| self.compile_error(&ctx, &d))?;
        compiled.function(&self.function)?;
        Ok(Specialization { module: compiled, name: self.function.clone(), variant })
    }
}

/// Per parameter of `f` (the first [`MAX_ARGS`]), the dims dynamic in its
/// ranked tensor type (the first [`MAX_RANK`]), as a bit mask.
fn dynamic_dims(ctx: &Context, f: FuncOp) -> [u8; MAX_ARGS] {
    let mut masks = [0u8; MAX_ARGS];
    for (mask, &ty) in masks.iter_mut().zip(f.input_types(ctx)) {
        if let TypeData::Tensor { shape: Some(dims), .. } = ctx.type_data(ty) {
            for (d, n) in dims.iter().take(MAX_RANK).enumerate() {
                if n.is_none() {
                    *mask |= 1 << d;
                }
            }
        }
    }
    masks
}

/// Sets the function type of `f` to take `inputs` (its block arguments
/// already have those types).
fn set_input_types(ctx: &mut Context, f: FuncOp, inputs: Vec<Type>) {
    let results = f.result_types(ctx).to_vec();
    f.set_function_type(ctx, inputs, results);
}

/// Whether no two indices of the view reach the same element: with dims
/// sorted by |stride|, each stride exceeds the reach of the smaller ones.
/// Sufficient, not necessary (interleaved views are refused too).
fn non_overlapping(shape: &[usize], strides: &[isize]) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut dims: Vec<(usize, usize)> =
        shape.iter().zip(strides).filter(|(&n, _)| n > 1).map(|(&n, &s)| (s.unsigned_abs(), n)).collect();
    dims.sort_unstable();
    let mut reach = 0usize;
    for (s, n) in dims {
        if s <= reach {
            return false;
        }
        reach = reach.saturating_add(s.saturating_mul(n - 1));
    }
    true
}

/// The bytes `[lo, hi)` a view spans, or `None` when it is empty.
fn byte_range(
    base: usize,
    size: usize,
    shape: &[usize],
    strides: &[isize],
    offset: usize,
) -> Option<(usize, usize)> {
    if shape.contains(&0) {
        return None;
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&n, &s) in shape.iter().zip(strides) {
        let span = (n as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let at = |e: i128| (base as i128 + e * size as i128).max(0) as usize;
    Some((at(lo), at(hi + 1)))
}
