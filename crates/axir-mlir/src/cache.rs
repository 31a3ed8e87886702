//! The specialization cache: an array-level function compiled once per
//! layout class of its arguments, and called with caller-owned arrays.
//!
//! A [`JitCache`] owns the text of an array-level module. A call computes
//! the [`LayoutKey`] of its arguments (per argument: row-major or not, which
//! dims have size 1, which are broadcast with stride 0, whether the inner
//! dim has unit stride) and looks it up; a hit costs a read lock and one
//! hash of a 32-byte key, never a compile, a string format or a hash of IR.
//! A miss lowers the module with `array-to-loop-pipeline` and compiles it:
//!
//! - **every argument row-major**: the lowered function as it is; its
//!   memrefs have identity layouts, so LLVM sees unit strides;
//! - **otherwise**: the same lowering, but each non-row-major parameter is
//!   retyped to `strided<[?, ...], offset: ?>` after `convert-array-to-loop`
//!   and before `loop-normalize`, so the code reads the caller's strides
//!   (Fortran order, slices, stride-0 broadcasts) without a copy. Classes
//!   that retype the same parameters share one compiled function.
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
use axir_ir::{Context, Diagnostic, DialectRegistry, MemRefLayout, OpDefinition, OpId, TypeData};
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

/// The layout class of a call's arguments: 16 bits per argument (bit 0:
/// not row-major; bit 1: inner dim not unit-stride; bits 2..8: dims of
/// size 0 or 1; bits 8..14: broadcast dims, stride 0 with size > 1; bit 15:
/// a buffer). Cheap to compute and to hash.
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

    /// The arguments that are not row-major, as a bit mask.
    fn strided_mask(&self) -> u32 {
        self.0.iter().enumerate().fold(0, |m, (i, b)| if b & 1 != 0 { m | 1 << i } else { m })
    }
}

/// One compiled specialization: a module holding the function, lowered for
/// the layouts of one or more [`LayoutKey`]s. `Send + Sync`.
#[derive(Debug)]
pub struct Specialization {
    module: CompiledModule,
    name: String,
    strided: u32,
}

impl Specialization {
    /// The compiled function.
    pub fn function(&self) -> Result<&CompiledFunction, CallError> {
        self.module.function(&self.name)
    }

    /// Whether parameter `i` was compiled with a dynamic strided layout
    /// (otherwise it has the identity layout and must be row-major).
    pub fn is_strided(&self, i: usize) -> bool {
        self.strided & (1 << i) != 0
    }
}

/// Counters of a [`JitCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Calls whose key was found.
    pub hits: u64,
    /// Calls whose key was new.
    pub misses: u64,
    /// Compilations (a miss whose retyped parameters were already compiled
    /// for another key shares that code).
    pub compiles: u64,
}

/// An array-level function compiled once per layout class of its
/// arguments. `Send + Sync`: one cache serves any number of threads.
pub struct JitCache {
    source: String,
    file_name: String,
    function: String,
    options: CompileOptions,
    by_key: RwLock<FxHashMap<LayoutKey, Arc<Specialization>>>,
    // Serializes compilations; maps a mask of retyped parameters to its
    // code, or to why it cannot be compiled (so a refused class is lowered
    // once, not on every call).
    by_mask: Mutex<FxHashMap<u32, Result<Arc<Specialization>, CacheError>>>,
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
        let cache = JitCache {
            source: source.to_string(),
            file_name: file_name.to_string(),
            function: function.to_string(),
            options,
            by_key: RwLock::new(FxHashMap::default()),
            by_mask: Mutex::new(FxHashMap::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            compiles: AtomicU64::new(0),
        };
        cache.lower(0)?;
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
        let mut by_mask = self.by_mask.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have compiled it while this one waited.
        if let Some(s) = self.by_key.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Arc::clone(s));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let mask = key.strided_mask();
        let spec = match by_mask.get(&mask) {
            Some(s) => s.clone()?,
            None => {
                let s = self.compile(mask).map(Arc::new);
                if s.is_ok() {
                    self.compiles.fetch_add(1, Ordering::Relaxed);
                }
                by_mask.insert(mask, s.clone());
                s?
            }
        };
        self.by_key.write().unwrap_or_else(|p| p.into_inner()).insert(key, Arc::clone(&spec));
        Ok(spec)
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

    /// Parses the module and lowers it to the loop level, retyping the
    /// parameters in `mask` to dynamic strided layouts.
    fn lower(&self, mask: u32) -> Result<(Context, OpId), CacheError> {
        let mut registry = DialectRegistry::new();
        crate::register_dialects(&mut registry);
        axir_array::register(&mut registry);
        let mut ctx = Context::new(Arc::new(registry));
        let fail = |ctx: &Context, d: &[Diagnostic]| CacheError::Compile {
            function: self.function.clone(),
            messages: d.iter().map(|d| d.to_plain_string(ctx)).collect(),
        };
        let module = axir_syntax::parse_source(&mut ctx, &self.source, &self.file_name, &Default::default())
            .map_err(|d| fail(&ctx, &d))?;
        let mut passes = axir_pass::PassRegistry::new();
        axir_transforms::register_passes(&mut passes);
        axir_array::register_passes(&mut passes);
        axir_loop::register_passes(&mut passes);
        axir_conversion::register_passes(&mut passes);
        // The stages of `array-to-loop-pipeline`, split where layouts are set.
        let run = |ctx: &mut Context, pipeline: &str| -> Result<(), CacheError> {
            let mut pm = axir_pass::parse_pipeline(pipeline, &passes)
                .map_err(|e| CacheError::Compile { function: self.function.clone(), messages: e.render() })?;
            pm.run(ctx, module).map_err(|f| fail(ctx, &f.diagnostics))
        };
        run(&mut ctx, "builtin.module(func.func(canonicalize,cse),array-fuse,convert-array-to-loop)")?;
        if mask != 0 {
            self.retype(&mut ctx, module, mask)?;
        }
        run(&mut ctx, "builtin.module(func.func(loop-normalize,canonicalize,cse))")?;
        Ok((ctx, module))
    }

    /// Gives each parameter in `mask` the layout `strided<[?, ...], offset: ?>`.
    fn retype(&self, ctx: &mut Context, module: OpId, mask: u32) -> Result<(), CacheError> {
        let f = ctx
            .walk(module)
            .into_iter()
            .filter_map(|op| FuncOp::from_op(ctx, op))
            .find(|f| f.name(ctx) == self.function)
            .ok_or_else(|| CacheError::Compile {
                function: self.function.clone(),
                messages: format!("no function @{} in {}", self.function, self.file_name),
            })?;
        let args = f.arguments(ctx).to_vec();
        let mut inputs = f.input_types(ctx).to_vec();
        let results = f.result_types(ctx).to_vec();
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
        let fty = ctx.function_type(inputs, results);
        let attr = ctx.type_attr(fty);
        ctx.set_attr(f.op(), axir_builtin::FUNCTION_TYPE_ATTR, attr);
        Ok(())
    }

    fn compile(&self, mask: u32) -> Result<Specialization, CacheError> {
        let (ctx, module) = self.lower(mask)?;
        tracing::debug!(function = %self.function, mask, "compiling a specialization");
        let compiled = crate::compile(&ctx, module, &self.options).map_err(|d| CacheError::Compile {
            function: self.function.clone(),
            messages: d.iter().map(|d| d.to_plain_string(&ctx)).collect(),
        })?;
        compiled.function(&self.function)?;
        Ok(Specialization { module: compiled, name: self.function.clone(), strided: mask })
    }
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
