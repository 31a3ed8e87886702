//! `axrun`: runs a function of an axir program on `.npy` arrays.
//!
//! ```text
//! axrun FILE.axir [-e|--entry NAME] [--arg IN.npy]... [-o|--out OUT.npy]...
//!       [--backend cpu|interp|gpu] [--emit=array|loop|mlir|llvm] [--print-pipeline]
//! ```
//!
//! Results go to the `-o` files in order, or, with no `-o`, to stdout in
//! numpy's `repr` style. Every failure is a message on stderr and exit code 1.
//!
//! `--backend cpu` (the default) runs the whole default pipeline: an
//! array-level module is lowered in process by `array-to-loop-pipeline`
//! (skipped when the module is already at the loop level), translated to
//! upstream MLIR, compiled by LLVM (`axir-mlir`) and run as native code.
//! Run-time shape errors (dynamic dims that do not broadcast, an empty
//! `max`) are checked by the compiled code and reported at the op, as the
//! interpreter reports them.
//! `--backend interp` runs any level with the reference interpreter; `gpu`
//! is not implemented yet. `--emit=STAGE` stops the cpu pipeline after a
//! stage and prints it; `--print-pipeline` prints the pipelines it runs.

use axir_builtin::FuncOp;
use axir_interp::{check_arguments, Interpreter, RtValue};
use axir_ir::{Context, DialectRegistry, OpDefinition, OpId, Type, TypeData};
use axir_ndarray::{Data, NdArray};
use axir_pass::PassRegistry;
use axir_syntax::{parse_source_bytes, print_op, ParseOptions, PrintOptions, SourceManager};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str = "usage: axrun FILE.axir [-e|--entry NAME] [--arg IN.npy]... [-o|--out OUT.npy]... \
[--backend cpu|interp|gpu] [--emit=array|loop|mlir|llvm] [--print-pipeline]";

/// The named pipeline that lowers an array-level module to the loop level.
const LOWERING: &str = "array-to-loop-pipeline";

/// What the command line asks for.
#[derive(Debug, Default)]
struct Options {
    file: Option<String>,
    entry: Option<String>,
    args: Vec<String>,
    outs: Vec<String>,
    backend: Option<String>,
    emit: Option<String>,
    print_pipeline: bool,
}

fn parse_args(argv: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        // MLIR tools accept both `-flag` and `--flag`, and `--flag=value`.
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with('-') => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let flag = if flag.starts_with("--") { flag[1..].to_string() } else { flag };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            argv.get(i).cloned().ok_or_else(|| format!("option '{name}' needs a value"))
        };
        match flag.as_str() {
            "-e" | "-entry" => o.entry = Some(value("--entry")?),
            "-arg" => o.args.push(value("--arg")?),
            "-o" | "-out" => o.outs.push(value("--out")?),
            "-backend" => o.backend = Some(value("--backend")?),
            "-emit" => o.emit = Some(value("--emit")?),
            "-print-pipeline" => o.print_pipeline = true,
            "-h" | "-help" => return Err(String::new()),
            f if f.starts_with('-') && f != "-" => return Err(format!("unknown option '{a}'")),
            _ => {
                if o.file.replace(a.clone()).is_some() {
                    return Err(format!("unexpected extra argument '{a}'; give one input file"));
                }
            }
        }
        i += 1;
    }
    Ok(o)
}

fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_interp::register_dialects(&mut r);
    Arc::new(r)
}

/// Every pass and named pipeline of axir, as `axopt` registers them.
fn passes() -> PassRegistry {
    let mut passes = PassRegistry::new();
    axir_transforms::register_passes(&mut passes);
    axir_array::register_passes(&mut passes);
    axir_loop::register_passes(&mut passes);
    axir_conversion::register_passes(&mut passes);
    passes
}

/// The lowering the cpu backend runs on an array-level module.
fn lowering(passes: &PassRegistry) -> Result<axir_pass::PassManager, String> {
    axir_pass::parse_pipeline(&format!("builtin.module({LOWERING})"), passes)
        .map_err(|e| e.render().trim_end().to_string())
}

fn is_array_type(ctx: &Context, ty: Type) -> bool {
    matches!(ctx.type_data(ty), TypeData::Tensor { .. })
}

/// Whether `module` holds array-level IR: an `array` op or a tensor in a
/// function's signature. A loop-level module is compiled as it is.
fn is_array_level(ctx: &Context, module: OpId) -> bool {
    ctx.walk(module).into_iter().any(|op| {
        ctx.op_name(op).starts_with("array.")
            || FuncOp::from_op(ctx, op).is_some_and(|f| {
                f.input_types(ctx).iter().chain(f.result_types(ctx)).any(|t| is_array_type(ctx, *t))
            })
    })
}

/// Whether `ty` is a tensor of `ui8`, whose arrays are `uint8` while the
/// lowered buffers are signless `i8` with the same bits.
fn is_ui8_tensor(ctx: &Context, ty: Type) -> bool {
    match ctx.type_data(ty) {
        TypeData::Tensor { element, .. } => matches!(
            ctx.type_data(*element),
            TypeData::Integer { width: 8, signedness: axir_ir::Signedness::Unsigned }
        ),
        _ => false,
    }
}

/// Reinterprets the bits of a `uint8` array as `int8` (`to_signed`) or back.
fn recast_u8(a: NdArray, to_signed: bool) -> NdArray {
    let (shape, data) = a.into_parts();
    let data = match data {
        Data::U8(v) if to_signed => Data::I8(v.into_iter().map(|x| x as i8).collect()),
        Data::I8(v) if !to_signed => Data::U8(v.into_iter().map(|x| x as u8).collect()),
        other => other,
    };
    NdArray::new(shape.clone(), data).unwrap_or_else(|_| unreachable!("same shape and length"))
}

/// The function to run: `--entry NAME`, else the only function, else `@main`.
fn pick_entry(ctx: &Context, module: OpId, entry: Option<&str>) -> Result<FuncOp, String> {
    let funcs: Vec<FuncOp> = ctx
        .regions(module)
        .iter()
        .flat_map(|r| ctx.region_blocks(*r).to_vec())
        .flat_map(|b| ctx.block_ops(b))
        .filter_map(|op| FuncOp::from_op(ctx, op))
        .filter(|f| !f.is_declaration(ctx))
        .collect();
    let names = || funcs.iter().map(|f| format!("@{}", f.name(ctx))).collect::<Vec<_>>().join(", ");
    match entry {
        Some(name) => funcs
            .iter()
            .copied()
            .find(|f| f.name(ctx) == name)
            .ok_or_else(|| format!("no function named @{name} in the module (functions: {})", names())),
        None => match funcs.as_slice() {
            [only] => Ok(*only),
            [] => Err("the module has no function to run".into()),
            _ => funcs.iter().copied().find(|f| f.name(ctx) == "main").ok_or_else(|| {
                format!("the module has several functions ({}); choose one with --entry", names())
            }),
        },
    }
}

fn run(o: Options) -> Result<(), String> {
    if o.print_pipeline {
        let passes = passes();
        let pm = lowering(&passes)?;
        println!("{}", pm.to_pipeline_string());
        println!("{}", axir_mlir::LLVM_PIPELINE);
        return Ok(());
    }
    let file = o.file.clone().ok_or_else(|| format!("no input file\n{USAGE}"))?;
    let backend = o.backend.clone().unwrap_or_else(|| "cpu".into());
    match backend.as_str() {
        "interp" | "cpu" => {}
        "gpu" => {
            return Err(
                "backend 'gpu' is not available yet: compilation for GPUs is not implemented in this build; use --backend cpu or interp".into(),
            )
        }
        other => return Err(format!("unknown backend '{other}'; expected cpu, interp or gpu")),
    }
    if let Some(stage) = &o.emit {
        if !matches!(stage.as_str(), "array" | "loop" | "mlir" | "llvm") {
            return Err(format!("unknown stage '{stage}' for --emit; expected array, loop, mlir or llvm"));
        }
        if backend != "cpu" {
            return Err(format!("--emit shows the stages of the cpu backend, not of '{backend}'"));
        }
    }
    let bytes = if file == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        buf
    } else {
        std::fs::read(&file).map_err(|e| format!("cannot read '{file}': {e}"))?
    };
    let mut ctx = Context::new(registry());
    let mut sources = SourceManager::new();
    sources.add_file(file.clone(), String::from_utf8_lossy(&bytes).into_owned());
    let module = parse_source_bytes(&mut ctx, &bytes, &file, &ParseOptions::default())
        .map_err(|d| sources.render_all(&ctx, &d).trim_end().to_string())?;
    axir_ir::verify(&ctx, module).map_err(|d| sources.render_all(&ctx, &d).trim_end().to_string())?;
    if let Some(stage) = o.emit.as_deref() {
        return emit(&mut ctx, module, stage, &sources);
    }
    let func = pick_entry(&ctx, module, o.entry.as_deref())?;
    let mut args = Vec::with_capacity(o.args.len());
    for (i, path) in o.args.iter().enumerate() {
        let a = axir_ndarray::load_npy(path).map_err(|e| format!("argument #{i} ('{path}'): {e}"))?;
        args.push(a);
    }
    check_arguments(&ctx, func, &args).map_err(|e| match e.split_once(": ") {
        // Name the file of the argument the message is about.
        Some((head, rest)) if head.starts_with("argument #") => {
            let index: usize = head["argument #".len()..].parse().unwrap_or(usize::MAX);
            match o.args.get(index) {
                Some(path) => format!("{head} ('{path}'): {rest}"),
                None => e.clone(),
            }
        }
        _ => e.clone(),
    })?;
    let n_results = axir_interp::num_outputs(&ctx, func);
    if !o.outs.is_empty() && o.outs.len() != n_results {
        return Err(format!(
            "@{} returns {n_results} result{}, but {} output file{} given with -o",
            func.name(&ctx),
            if n_results == 1 { "" } else { "s" },
            o.outs.len(),
            if o.outs.len() == 1 { " was" } else { "s were" }
        ));
    }
    let arrays: Vec<NdArray> = if backend == "cpu" {
        // Static shapes were checked with the arguments; the compiled code
        // checks the dynamic ones (the lowering's `loop.assert`s).
        run_cpu(&mut ctx, module, func, args, &sources)?
    } else {
        let results = Interpreter::new(&ctx)
            .call(func, args.into_iter().map(RtValue::Array).collect())
            .map_err(|d| sources.render(&ctx, &d).trim_end().to_string())?;
        results
            .into_iter()
            .map(|r| match r {
                RtValue::Array(a) => a,
                RtValue::Index(n) => NdArray::scalar(n),
            })
            .collect()
    };
    if o.outs.is_empty() {
        let mut out = std::io::stdout().lock();
        for a in &arrays {
            writeln!(out, "{a}").map_err(|e| format!("cannot write to stdout: {e}"))?;
        }
    } else {
        for (a, path) in arrays.iter().zip(&o.outs) {
            axir_ndarray::save_npy(path, a).map_err(|e| format!("cannot write '{path}': {e}"))?;
        }
    }
    Ok(())
}

/// Lowers an array-level `module` to the loop level in place; a module
/// already at the loop level is left as it is.
fn lower(ctx: &mut Context, module: OpId, sources: &SourceManager) -> Result<(), String> {
    if !is_array_level(ctx, module) {
        return Ok(());
    }
    let passes = passes();
    let mut pm = lowering(&passes)?;
    pm.run(ctx, module).map_err(|f| {
        let mut msg = sources.render_all(ctx, &f.diagnostics).trim_end().to_string();
        if msg.is_empty() {
            msg = format!("{LOWERING} failed in pass '{}'", f.pass);
        }
        msg
    })
}

/// Erases the functions of `module` that `entry` does not call, directly or
/// not, so that only what runs is lowered and compiled (a test file may
/// hold dozens of functions).
fn keep_only(ctx: &mut Context, module: OpId, entry: &str) {
    let funcs: Vec<FuncOp> = ctx
        .regions(module)
        .iter()
        .flat_map(|r| ctx.region_blocks(*r).to_vec())
        .flat_map(|b| ctx.block_ops(b))
        .filter_map(|op| FuncOp::from_op(ctx, op))
        .collect();
    let mut kept = vec![entry.to_string()];
    let mut k = 0;
    while k < kept.len() {
        if let Some(f) = funcs.iter().find(|f| f.name(ctx) == kept[k]) {
            for op in ctx.walk(f.op()) {
                let callee = ctx.attr(op, axir_builtin::CALLEE_ATTR).and_then(|a| ctx.attr_as_symbol(a));
                if let Some(name) = callee {
                    if !kept.iter().any(|n| n == name) {
                        kept.push(name.to_string());
                    }
                }
            }
        }
        k += 1;
    }
    for f in funcs {
        if !kept.iter().any(|n| n == f.name(ctx)) {
            ctx.erase_op(f.op());
        }
    }
}

/// `--emit=STAGE`: runs the cpu pipeline up to `stage` and prints it.
fn emit(ctx: &mut Context, module: OpId, stage: &str, sources: &SourceManager) -> Result<(), String> {
    let render =
        |ctx: &Context, d: Vec<axir_ir::Diagnostic>| sources.render_all(ctx, &d).trim_end().to_string();
    let text = match stage {
        "array" => print_op(ctx, module, &PrintOptions::default()),
        _ => {
            lower(ctx, module, sources)?;
            match stage {
                "loop" => print_op(ctx, module, &PrintOptions::default()),
                "mlir" => axir_mlir::to_mlir(ctx, module, false).map_err(|d| render(ctx, d))?,
                _ => axir_mlir::to_llvm_ir(ctx, module).map_err(|d| render(ctx, d))?,
            }
        }
    };
    let mut out = std::io::stdout().lock();
    write!(out, "{text}").map_err(|e| format!("cannot write to stdout: {e}"))?;
    if !text.ends_with('\n') {
        writeln!(out).map_err(|e| format!("cannot write to stdout: {e}"))?;
    }
    Ok(())
}

/// The cpu backend: lowers the module, compiles it and calls `func` (of the
/// module as given) on `args`, which were checked against its signature.
/// Returns the results in the order of `func`'s results, then its output
/// parameters, as the interpreter does.
fn run_cpu(
    ctx: &mut Context,
    module: OpId,
    func: FuncOp,
    args: Vec<NdArray>,
    sources: &SourceManager,
) -> Result<Vec<NdArray>, String> {
    let name = func.name(ctx).to_string();
    // What the array-level signature says, before lowering rewrites it.
    let ui8_inputs: Vec<bool> = func.input_types(ctx).iter().map(|t| is_ui8_tensor(ctx, *t)).collect();
    let results: Vec<(bool, bool)> =
        func.result_types(ctx).iter().map(|t| (is_array_type(ctx, *t), is_ui8_tensor(ctx, *t))).collect();
    keep_only(ctx, module, &name);
    lower(ctx, module, sources)?;
    let lowered = pick_entry(ctx, module, Some(&name))?;
    // `call_arrays` gives the lowered function's results in order (each a
    // returned buffer or a scalar), then its output parameters.
    let lowered_results: Vec<bool> = lowered
        .result_types(ctx)
        .iter()
        .map(|t| matches!(ctx.type_data(*t), TypeData::MemRef { .. }))
        .collect();
    let args: Vec<NdArray> = args
        .into_iter()
        .zip(ui8_inputs.iter().chain(std::iter::repeat(&false)))
        .map(|(a, &u)| if u { recast_u8(a, true) } else { a })
        .collect();
    let compiled = axir_mlir::compile(ctx, module, &axir_mlir::CompileOptions::default())
        .map_err(|d| sources.render_all(ctx, &d).trim_end().to_string())?;
    let got = compiled.function(&name).and_then(|f| f.call_arrays(&args)).map_err(|e| match e {
        // A failed run-time check is reported at the op it checks for, as
        // the interpreter reports it.
        axir_mlir::CallError::RunTime { message, location: Some((file, line, col)), .. } => {
            let loc = ctx.file_loc(&file, line, col);
            sources.render(ctx, &axir_ir::Diagnostic::error(loc, message)).trim_end().to_string()
        }
        e => e.to_string(),
    })?;
    if results.iter().all(|(t, _)| !*t) {
        return Ok(got);
    }
    // Tensor results come back as buffers (returned or output parameters),
    // other results as scalars: put them back in the order of `func`.
    let mut buffers = Vec::new();
    let mut scalars = Vec::new();
    let mut got = got.into_iter();
    for is_buffer in &lowered_results {
        let a = got.next().ok_or("the compiled function returned fewer results than its signature says")?;
        if *is_buffer {
            buffers.push(a)
        } else {
            scalars.push(a)
        }
    }
    buffers.extend(got);
    let (mut buffers, mut scalars) = (buffers.into_iter(), scalars.into_iter());
    let mut ordered = Vec::with_capacity(results.len());
    for (is_tensor, is_ui8) in results {
        let a = if is_tensor { buffers.next() } else { scalars.next() }
            .ok_or("the compiled function returned fewer results than the array-level function")?;
        ordered.push(if is_ui8 { recast_u8(a, false) } else { a });
    }
    ordered.extend(buffers);
    Ok(ordered)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match parse_args(&argv) {
        Ok(o) => run(o),
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => Err(format!("{msg}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            let msg = if msg.contains(": error: ") { msg } else { format!("axrun: error: {msg}") };
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}
