//! Calling an entry function with arrays: the convention tools such as
//! `axrun` use, for array-level and loop-level functions alike.
//!
//! **Inputs** are the function's parameters in order, except output
//! parameters. An array passed for a `tensor` parameter is the tensor; for a
//! `memref` parameter it is copied into a fresh contiguous buffer; for a
//! scalar or `index` parameter it must be a rank-0 array of that type (`index`
//! as `int64`); for a vector parameter, an array of the vector's shape.
//!
//! **Outputs** are the function's results, then its output parameters: the
//! `memref` parameters whose argument attributes contain
//! [`OUTPUT_ATTR`] (`loop.output`), in order (destination-passing style).
//! The interpreter allocates each output buffer, zero-filled, runs the
//! function, and reads the buffers back. An output's dims are its static
//! dims; a dynamic dim needs its size from the attribute's value:
//!
//! ```axir
//! func.func @f(%x: memref<?x8xf32>, %out: memref<?x8xf32> {loop.output = [[0, 0], 8]})
//! ```
//!
//! `loop.output` is `unit` when every dim is static, else an array with one
//! entry per dim: an integer (that size) or `[ARG, DIM]` (the size of dim
//! `DIM` of the array passed for parameter `ARG`, an input).

use crate::exec::{describe_shape, vector_type, Interpreter};
use crate::value::{array_of_scalars, dtype_of_element, scalars_of_array, Buffer, RunValue, VectorValue};
use axir_builtin::FuncOp;
use axir_ir::{Attribute, AttributeData, Context, Diagnostic, DialectRegistry, OpDefinition, Type, TypeData};
use axir_ndarray::NdArray;

/// The argument attribute that marks an output parameter.
pub const OUTPUT_ATTR: &str = "loop.output";

/// A run-time value passed to or returned from [`Interpreter::call`]: an
/// array, or an `index`.
#[derive(Clone, Debug, PartialEq)]
pub enum RtValue {
    /// A tensor (also a scalar as a rank-0 array, a vector or a buffer's contents).
    Array(NdArray),
    /// An `index` scalar.
    Index(i64),
}

/// Registers every dialect the interpreter runs: builtin, func, arith,
/// math, array, loop and vector. Dialects already in `registry` are kept.
pub fn register_dialects(registry: &mut DialectRegistry) {
    axir_builtin::register(registry);
    axir_arith::register(registry);
    if registry.dialect("math").is_none() {
        axir_math::register(registry);
    }
    if registry.dialect("array").is_none() {
        axir_array::register(registry);
    }
    axir_loop::register(registry);
}

/// The `loop.output` attribute of parameter `i` of `func`, if any.
fn output_attr(ctx: &Context, func: FuncOp, i: usize) -> Option<Attribute> {
    let attrs = ctx.attr(func.op(), axir_builtin::ARG_ATTRS_ATTR)?;
    let AttributeData::Array(per_arg) = ctx.attr_data(attrs) else { return None };
    let AttributeData::Dictionary(entries) = ctx.attr_data(*per_arg.get(i)?) else { return None };
    entries.iter().find(|(name, _)| name == OUTPUT_ATTR).map(|(_, a)| *a)
}

/// The output parameters of `func`, in order.
pub fn output_params(ctx: &Context, func: FuncOp) -> Vec<usize> {
    (0..func.input_types(ctx).len()).filter(|&i| output_attr(ctx, func, i).is_some()).collect()
}

/// How many arrays a call of `func` takes: its parameters minus its output parameters.
pub fn num_inputs(ctx: &Context, func: FuncOp) -> usize {
    func.input_types(ctx).len() - output_params(ctx, func).len()
}

/// How many arrays a call of `func` produces: its results, then its output parameters.
pub fn num_outputs(ctx: &Context, func: FuncOp) -> usize {
    func.result_types(ctx).len() + output_params(ctx, func).len()
}

/// The array dtype and static dims (`None` for `?`) that parameter type
/// `ty` expects, or why an array cannot be passed for it.
fn expected_array(ctx: &Context, ty: Type) -> Result<(axir_ndarray::DType, Vec<Option<u64>>), String> {
    let (element, dims) = match ctx.type_data(ty) {
        TypeData::Tensor { shape: Some(shape), element } | TypeData::MemRef { shape, element, .. } => {
            (*element, shape.clone())
        }
        TypeData::Vector { .. } => {
            let (shape, e) = vector_type(ctx, ty).ok_or("scalable vectors cannot be passed")?;
            (e, shape.iter().map(|&d| Some(d as u64)).collect())
        }
        TypeData::Integer { .. } | TypeData::Index | TypeData::Float(_) => (ty, Vec::new()),
        _ => return Err(format!("has type {}, which axrun cannot pass", ctx.display_type(ty))),
    };
    let dtype = dtype_of_element(ctx, element)
        .ok_or_else(|| format!("has unsupported element type {}", ctx.display_type(element)))?;
    Ok((dtype, dims))
}

/// Checks `args` against the inputs of `func`: count, dtype, rank and
/// every static dim. Messages name the argument (`argument #1`), counting
/// the function's parameters.
pub fn check_arguments(ctx: &Context, func: FuncOp, args: &[NdArray]) -> Result<(), String> {
    let inputs = func.input_types(ctx);
    let outputs = output_params(ctx, func);
    let expected = inputs.len() - outputs.len();
    if expected != args.len() {
        return Err(format!(
            "function @{} takes {} argument{}, but {} {} given",
            func.name(ctx),
            expected,
            if expected == 1 { "" } else { "s" },
            args.len(),
            if args.len() == 1 { "was" } else { "were" }
        ));
    }
    let params = (0..inputs.len()).filter(|i| !outputs.contains(i));
    for (i, arg) in params.zip(args) {
        let ty = inputs[i];
        let (want, dims) = expected_array(ctx, ty).map_err(|why| format!("argument #{i} {why}"))?;
        if arg.dtype() != want {
            return Err(format!(
                "argument #{i}: expected element type {} ({}), but got an array of dtype {}",
                want.name(),
                ctx.display_type(ty),
                arg.dtype().numpy_name()
            ));
        }
        if arg.rank() != dims.len() {
            return Err(format!(
                "argument #{i}: expected rank {} ({}), but got an array of shape {}",
                dims.len(),
                ctx.display_type(ty),
                describe_shape(arg.shape())
            ));
        }
        for (d, (want, got)) in dims.iter().zip(arg.shape()).enumerate() {
            if let Some(n) = want {
                if *n as usize != *got {
                    return Err(format!(
                        "argument #{i}: dim {d} must be {n} ({}), but the array has shape {}",
                        ctx.display_type(ty),
                        describe_shape(arg.shape())
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The run-time value of parameter type `ty` holding `a` (checked by
/// [`check_arguments`]).
fn to_run_value(ctx: &Context, ty: Type, a: NdArray) -> Result<RunValue, String> {
    let (want, _) = expected_array(ctx, ty)?;
    if a.dtype() != want {
        return Err(format!("expected dtype {}, but got {}", want.name(), a.dtype().name()));
    }
    Ok(match ctx.type_data(ty) {
        TypeData::Tensor { .. } => RunValue::Array(a),
        TypeData::MemRef { .. } => RunValue::Buffer(Buffer::from_array(&a)),
        TypeData::Vector { .. } => {
            RunValue::Vector(VectorValue { shape: a.shape().to_vec(), elems: scalars_of_array(&a) })
        }
        _ => match scalars_of_array(&a).as_slice() {
            [s] if a.rank() == 0 => RunValue::Scalar(*s),
            _ => return Err(format!("expected a rank-0 array, but got shape {}", describe_shape(a.shape()))),
        },
    })
}

/// The array holding run-time value `v` of type `ty`.
fn to_array(ctx: &Context, ty: Type, v: RunValue) -> Result<NdArray, String> {
    let element = ctx.element_type_or_self(ty);
    let dtype = || {
        dtype_of_element(ctx, element)
            .ok_or_else(|| format!("values of type {} cannot be returned", ctx.display_type(ty)))
    };
    match v {
        RunValue::Array(a) => Ok(a),
        RunValue::Buffer(b) => b.to_array(dtype()?),
        RunValue::Vector(v) => array_of_scalars(dtype()?, v.shape, &v.elems),
        RunValue::Scalar(s) => array_of_scalars(dtype()?, Vec::new(), &[s]),
    }
}

/// The sizes of output parameter `i` of type `ty`, from its static dims and
/// its `loop.output` attribute `spec`; `inputs[k]` is the array passed for
/// parameter `k`.
fn output_sizes(
    ctx: &Context,
    i: usize,
    ty: Type,
    spec: Attribute,
    inputs: &[Option<&NdArray>],
) -> Result<Vec<i64>, String> {
    let TypeData::MemRef { shape, .. } = ctx.type_data(ty) else {
        return Err(format!("output argument #{i} must be a memref, but has type {}", ctx.display_type(ty)));
    };
    let hint = format!(
        "output argument #{i} of type {} has dynamic dims: give the size of each dim in its '{OUTPUT_ATTR}' attribute, e.g. {{{OUTPUT_ATTR} = [[0, 0], 8]}} (an integer, or [ARG, DIM] for dim DIM of argument ARG)",
        ctx.display_type(ty)
    );
    let entries = match ctx.attr_data(spec) {
        AttributeData::Unit => None,
        AttributeData::Array(items) => Some(items.clone()),
        _ => return Err(hint),
    };
    let Some(entries) = entries else {
        return shape.iter().map(|d| d.map(|n| n as i64).ok_or_else(|| hint.clone())).collect();
    };
    if entries.len() != shape.len() {
        return Err(format!(
            "the '{OUTPUT_ATTR}' attribute of output argument #{i} must have one entry per dim ({})",
            shape.len()
        ));
    }
    let mut sizes = Vec::with_capacity(shape.len());
    for (d, (entry, declared)) in entries.iter().zip(shape).enumerate() {
        let size = match ctx.attr_data(*entry) {
            AttributeData::Integer { value, .. } => i64::try_from(*value).map_err(|_| hint.clone())?,
            AttributeData::Array(pair) => {
                let ints: Option<Vec<usize>> =
                    pair.iter().map(|a| ctx.attr_as_int(*a).and_then(|n| usize::try_from(n).ok())).collect();
                let Some([arg, dim]) = ints.as_deref().and_then(|v| <[usize; 2]>::try_from(v).ok()) else {
                    return Err(hint);
                };
                let a = inputs.get(arg).copied().flatten().ok_or_else(|| {
                    format!(
                        "dim {d} of output argument #{i} refers to argument #{arg}, which is not an input"
                    )
                })?;
                *a.shape().get(dim).ok_or_else(|| {
                    format!("dim {d} of output argument #{i} refers to dim {dim} of argument #{arg}, which has shape {}", describe_shape(a.shape()))
                })? as i64
            }
            _ => return Err(hint),
        };
        if declared.is_some_and(|n| n as i64 != size) {
            return Err(format!(
                "dim {d} of output argument #{i} is {size}, but its type {} says otherwise",
                ctx.display_type(ty)
            ));
        }
        sizes.push(size);
    }
    Ok(sizes)
}

impl Interpreter<'_> {
    /// Runs entry function `func` on `inputs` (see the module docs for the
    /// convention) and returns its outputs: the results, then the contents
    /// of the output parameters.
    pub fn run_entry(&mut self, func: FuncOp, inputs: Vec<NdArray>) -> Result<Vec<NdArray>, Diagnostic> {
        let ctx = self.ctx;
        let op = func.op();
        let types = func.input_types(ctx).to_vec();
        let outputs = output_params(ctx, func);
        let err = |msg: String| ctx.op_error(op, msg);
        check_arguments(ctx, func, &inputs).map_err(err)?;
        let mut by_param: Vec<Option<NdArray>> = vec![None; types.len()];
        let mut it = inputs.into_iter();
        for (i, slot) in by_param.iter_mut().enumerate() {
            if !outputs.contains(&i) {
                *slot = it.next();
            }
        }
        let refs: Vec<Option<&NdArray>> = by_param.iter().map(Option::as_ref).collect();
        let mut out_sizes = Vec::with_capacity(outputs.len());
        for &i in &outputs {
            let spec = output_attr(ctx, func, i)
                .ok_or_else(|| err(format!("output argument #{i} is not marked")))?;
            out_sizes.push(output_sizes(ctx, i, types[i], spec, &refs).map_err(err)?);
        }
        let mut out_sizes = out_sizes.into_iter();
        let mut args = Vec::with_capacity(types.len());
        let mut out_buffers = Vec::with_capacity(outputs.len());
        for (i, ty) in types.iter().enumerate() {
            if outputs.contains(&i) {
                let sizes =
                    out_sizes.next().ok_or_else(|| err(format!("output argument #{i} has no size")))?;
                let element = ctx.element_type_or_self(*ty);
                let zero = crate::value::zero_of(ctx, element)
                    .ok_or_else(|| err(format!("output argument #{i} has an unsupported element type")))?;
                let b = Buffer::alloc(sizes, zero, false)
                    .map_err(|e| err(format!("output argument #{i}: {e}")))?;
                out_buffers.push((*ty, b.clone()));
                args.push(RunValue::Buffer(b));
            } else {
                let a = by_param[i].take().ok_or_else(|| err(format!("argument #{i} is missing")))?;
                args.push(to_run_value(ctx, *ty, a).map_err(|e| err(format!("argument #{i}: {e}")))?);
            }
        }
        let results = self.call_values(func, args)?;
        let result_types = func.result_types(ctx).to_vec();
        let mut out = Vec::with_capacity(results.len() + out_buffers.len());
        for (i, (ty, v)) in result_types.iter().zip(results).enumerate() {
            out.push(to_array(ctx, *ty, v).map_err(|e| err(format!("result #{i}: {e}")))?);
        }
        for (k, (ty, b)) in out_buffers.into_iter().enumerate() {
            out.push(to_array(ctx, ty, RunValue::Buffer(b)).map_err(|e| err(format!("output #{k}: {e}")))?);
        }
        Ok(out)
    }

    /// Runs `func` on `args` and returns its outputs, with the convention of
    /// [`Interpreter::run_entry`]: an [`RtValue::Index`] stands for a rank-0
    /// `int64` array, and a result of type `index` comes back as one.
    pub fn call(&mut self, func: FuncOp, args: Vec<RtValue>) -> Result<Vec<RtValue>, Diagnostic> {
        let ctx = self.ctx;
        let inputs = args
            .into_iter()
            .map(|a| match a {
                RtValue::Array(a) => a,
                RtValue::Index(n) => NdArray::scalar(n),
            })
            .collect();
        let outs = self.run_entry(func, inputs)?;
        let result_types = func.result_types(ctx);
        Ok(outs
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let is_index =
                    result_types.get(i).is_some_and(|t| matches!(ctx.type_data(*t), TypeData::Index));
                match a.as_slice::<i64>() {
                    Some([n]) if is_index && a.rank() == 0 => RtValue::Index(*n),
                    _ => RtValue::Array(a),
                }
            })
            .collect())
    }
}
