//! The calling signature of each function of a module, read from the axir
//! IR before it crosses to MLIR: what the call API checks arguments
//! against, and what the C header declares. Pure Rust.

use axir_builtin::FuncOp;
use axir_ir::{AttributeData, Context, OpDefinition, Type, TypeData, Value};
use axir_loop::memref::MemRefType;
use axir_ndarray::DType;

/// The argument attribute that marks an output parameter (destination
/// passing; see `docs/dialects/loop.md`).
pub const OUTPUT_ATTR: &str = "loop.output";

/// The element type of a buffer or the type of a scalar, as a dtype.
/// `index` is 64 bits wide on every target the CPU path supports.
pub fn dtype_of(ctx: &Context, ty: Type) -> Option<DType> {
    Some(match ctx.type_data(ty) {
        TypeData::Index => DType::I64,
        TypeData::Integer { width, signedness: axir_ir::Signedness::Signless } => match width {
            1 => DType::I1,
            8 => DType::I8,
            16 => DType::I16,
            32 => DType::I32,
            64 => DType::I64,
            _ => return None,
        },
        TypeData::Float(k) => match k {
            axir_ir::FloatKind::F16 => DType::F16,
            axir_ir::FloatKind::BF16 => DType::BF16,
            axir_ir::FloatKind::F32 => DType::F32,
            axir_ir::FloatKind::F64 => DType::F64,
        },
        _ => return None,
    })
}

/// Where the size of one dim of an output buffer comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputDim {
    /// A fixed size.
    Fixed(i64),
    /// Dim `dim` of parameter `param` (an input).
    Like {
        /// The parameter, counting every parameter of the function.
        param: usize,
        /// The dim of that parameter.
        dim: usize,
    },
}

/// A `memref` parameter: what the buffer passed for it must look like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferParam {
    /// The element type.
    pub dtype: DType,
    /// Static sizes (`None` for `?`).
    pub shape: Vec<Option<u64>>,
    /// Static strides in elements (`None` for `?`); row-major for the
    /// identity layout.
    pub strides: Vec<Option<i64>>,
    /// Static offset in elements (`None` for `?`).
    pub offset: Option<i64>,
    /// Whether the type has the identity layout: the buffer must be
    /// row-major contiguous whatever its sizes (code lowered from it may
    /// rely on that, e.g. to collapse dims).
    pub contiguous: bool,
    /// Whether the parameter is an output (`loop.output`).
    pub output: bool,
    /// The sizes an output must have, from its `loop.output` attribute
    /// (`None` when the attribute is `unit` or absent).
    pub output_dims: Option<Vec<OutputDim>>,
    /// Whether the function may write through the buffer (always true for
    /// outputs; for an input, any store, copy target, dealloc, call or
    /// unknown use reached through its views).
    pub written: bool,
}

/// A parameter of a compiled function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// A `memref`, passed as a pointer to its descriptor.
    Buffer(BufferParam),
    /// A scalar (`index`, integer or float), passed by value.
    Scalar(DType),
}

/// A result of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// A scalar (`index`, integer or float).
    Scalar(DType),
    /// A `memref` the function allocated (with `malloc`) and returns; the
    /// caller owns it and frees it.
    Buffer {
        /// The element type.
        dtype: DType,
        /// The rank.
        rank: usize,
    },
}

/// A run-time check of a function (a `loop.assert` in its body), as the
/// caller reports it when it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The message, with `{N}` where value N goes.
    pub message: String,
    /// `(file, line, column)` of the check, if it has a file location.
    pub location: Option<(String, u32, u32)>,
}

/// The signature of a function, for calls and C headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The function's symbol name.
    pub name: String,
    /// One entry per parameter, in order.
    pub params: Vec<Param>,
    /// The result type, for a function with one scalar result (returned by
    /// value through the C interface).
    pub result: Option<DType>,
    /// Every result, in order. When the function returns a buffer or
    /// several results, the C interface returns them all in one struct
    /// through a pointer passed before the parameters.
    pub results: Vec<ResultKind>,
    /// The function's run-time checks, numbered from 1 in this order. When
    /// there are any, the compiled function takes a status buffer (a
    /// `memref<16xi64>`) after its parameters; see
    /// [`crate::emit::STATUS_WORDS`].
    pub checks: Vec<Check>,
}

impl Signature {
    /// Whether the C interface returns the results through a pointer (a
    /// buffer or several results) rather than by value.
    pub fn returns_by_pointer(&self) -> bool {
        self.result.is_none() && !self.results.is_empty()
    }
}

/// The signature of `f`, or why the C interface cannot express it (a
/// vector parameter or result, an unsupported element type or layout).
pub fn signature_of(ctx: &Context, f: FuncOp) -> Result<Signature, String> {
    let mut results = Vec::new();
    for (k, &t) in f.result_types(ctx).iter().enumerate() {
        let kind = match ctx.type_data(t) {
            TypeData::MemRef { element, shape, .. } => {
                MemRefType::of(ctx, t).ok_or_else(|| format!("result #{k} has an unsupported layout"))?;
                ResultKind::Buffer {
                    dtype: dtype_of(ctx, *element).ok_or_else(|| {
                        format!("result #{k} has unsupported element type {}", ctx.display_type(*element))
                    })?,
                    rank: shape.len(),
                }
            }
            _ => ResultKind::Scalar(dtype_of(ctx, t).ok_or_else(|| {
                format!("result type {} cannot be returned through the C interface", ctx.display_type(t))
            })?),
        };
        results.push(kind);
    }
    let result = match results.as_slice() {
        [ResultKind::Scalar(d)] => Some(*d),
        _ => None,
    };
    let args = f.arguments(ctx).to_vec();
    let mut params = Vec::new();
    for (i, &ty) in f.input_types(ctx).iter().enumerate() {
        let spec = arg_attr(ctx, f, i, OUTPUT_ATTR);
        let p = match ctx.type_data(ty) {
            TypeData::MemRef { element, .. } => {
                let m = MemRefType::of(ctx, ty)
                    .ok_or_else(|| format!("parameter #{i} has an unsupported layout"))?;
                let dtype = dtype_of(ctx, *element).ok_or_else(|| {
                    format!("parameter #{i} has unsupported element type {}", ctx.display_type(*element))
                })?;
                let output_dims = match spec.map(|a| ctx.attr_data(a)) {
                    Some(AttributeData::Array(items)) => Some(
                        items
                            .iter()
                            .map(|a| match ctx.attr_data(*a) {
                                AttributeData::Integer { value, .. } => {
                                    i64::try_from(*value).ok().map(OutputDim::Fixed)
                                }
                                AttributeData::Array(pair) => match pair.as_slice() {
                                    [p, d] => Some(OutputDim::Like {
                                        param: usize::try_from(ctx.attr_as_int(*p)?).ok()?,
                                        dim: usize::try_from(ctx.attr_as_int(*d)?).ok()?,
                                    }),
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                format!("parameter #{i} has a malformed '{OUTPUT_ATTR}' attribute")
                            })?,
                    ),
                    _ => None,
                };
                let output = spec.is_some();
                let written = output || args.get(i).is_none_or(|v| may_write(ctx, *v, 0));
                Param::Buffer(BufferParam {
                    dtype,
                    shape: m.shape.clone(),
                    strides: m.strides.clone(),
                    offset: m.offset,
                    contiguous: m.identity,
                    output,
                    output_dims,
                    written,
                })
            }
            _ => Param::Scalar(dtype_of(ctx, ty).ok_or_else(|| {
                format!(
                    "parameter #{i} of type {} cannot be passed through the C interface",
                    ctx.display_type(ty)
                )
            })?),
        };
        params.push(p);
    }
    let checks = crate::emit::function_checks(ctx, f.op())
        .into_iter()
        .map(|op| Check {
            message: axir_loop::assert_message(ctx, op).unwrap_or("").to_string(),
            location: ctx.file_line_col(ctx.op_location(op)).map(|(f, l, c)| (f.to_string(), l, c)),
        })
        .collect();
    Ok(Signature { name: f.name(ctx).to_string(), params, result, results, checks })
}

fn arg_attr(ctx: &Context, f: FuncOp, i: usize, name: &str) -> Option<axir_ir::Attribute> {
    let attrs = ctx.attr(f.op(), axir_builtin::ARG_ATTRS_ATTR)?;
    let AttributeData::Array(per_arg) = ctx.attr_data(attrs) else { return None };
    let AttributeData::Dictionary(entries) = ctx.attr_data(*per_arg.get(i)?) else { return None };
    entries.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
}

/// Whether code may write through buffer `v` or a view of it. Conservative:
/// only reads, dims and views of it are known not to write.
fn may_write(ctx: &Context, v: Value, depth: usize) -> bool {
    // Views of views nest only as deep as the program text; the bound keeps
    // hostile input from exhausting the stack.
    if depth > 64 {
        return true;
    }
    ctx.uses(v).iter().any(|u| match (ctx.op_name(u.op), u.operand) {
        ("loop.load" | "loop.dim" | "vector.load" | "vector.maskedload", 0) => false,
        ("loop.copy", 0) => false,
        ("loop.subview" | "loop.view", 0) => ctx.results(u.op).iter().any(|r| may_write(ctx, *r, depth + 1)),
        _ => true,
    })
}
