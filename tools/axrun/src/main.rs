//! `axrun`: runs a function of an axir program on `.npy` arrays.
//!
//! ```text
//! axrun FILE.axir [-e|--entry NAME] [--arg IN.npy]... [-o|--out OUT.npy]... [--backend interp|cpu|gpu]
//! ```
//!
//! Results go to the `-o` files in order, or, with no `-o`, to stdout in
//! numpy's `repr` style. Every failure is a message on stderr and exit code 1.
//!
//! `--backend interp` (the default) runs any level with the reference
//! interpreter; `--backend cpu` compiles a loop-level module through MLIR and
//! LLVM (`axir-mlir`) and runs the native code; `gpu` is not implemented yet.

use axir_builtin::FuncOp;
use axir_interp::{check_arguments, Interpreter, RtValue};
use axir_ir::{Context, DialectRegistry, OpDefinition, OpId};
use axir_ndarray::NdArray;
use axir_syntax::{parse_source_bytes, ParseOptions, SourceManager};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str = "usage: axrun FILE.axir [-e|--entry NAME] [--arg IN.npy]... [-o|--out OUT.npy]... \
[--backend interp|cpu|gpu]";

/// What the command line asks for.
#[derive(Debug, Default)]
struct Options {
    file: Option<String>,
    entry: Option<String>,
    args: Vec<String>,
    outs: Vec<String>,
    backend: Option<String>,
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
    let file = o.file.ok_or_else(|| format!("no input file\n{USAGE}"))?;
    let backend = o.backend.clone().unwrap_or_else(|| "interp".into());
    match backend.as_str() {
        "interp" | "cpu" => {}
        "gpu" => {
            return Err(
                "backend 'gpu' is not available yet: compilation for GPUs is not implemented in this build; use --backend interp or cpu".into(),
            )
        }
        other => return Err(format!("unknown backend '{other}'; expected interp, cpu or gpu")),
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
        // Compiled through MLIR and LLVM (crates/axir-mlir): the module must
        // be at the loop level (axopt --array-to-loop-pipeline).
        let compiled = axir_mlir::compile(&ctx, module, &axir_mlir::CompileOptions::default())
            .map_err(|d| sources.render_all(&ctx, &d).trim_end().to_string())?;
        compiled.function(func.name(&ctx)).and_then(|f| f.call_arrays(&args)).map_err(|e| e.to_string())?
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
