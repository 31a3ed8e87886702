//! `axtranslate`: translates a loop-level axir module out of axir, like
//! `mlir-translate`.
//!
//! ```text
//! axtranslate FILE.axir --to-mlir [--mlir-print-debuginfo] [-o OUT.mlir]
//! axtranslate FILE.axir --to-llvm-dialect [-o OUT.mlir]
//! axtranslate FILE.axir --to-llvmir [-o OUT.ll]
//! axtranslate FILE.axir --to-object -o OUT.o [--header OUT.h] [-O0|-O1|-O2|-O3]
//! ```
//!
//! `--to-object` also writes a C header (`OUT.h` unless `--header` says
//! otherwise) declaring `_mlir_ciface_NAME` for each public function and the
//! memref descriptor structs they take. The input must be at the loop level
//! (`axopt --array-to-loop-pipeline` lowers array-level programs). Every
//! failure is a located message on stderr and exit code 1.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axir_ir::{Context, DialectRegistry};
use axir_mlir::CompileOptions;
use axir_syntax::{parse_source_bytes, ParseOptions, SourceManager};

const USAGE: &str =
    "usage: axtranslate FILE.axir (--to-mlir [--mlir-print-debuginfo] | --to-llvm-dialect | --to-llvmir | \
--to-object --header OUT.h) [-o OUT] [-O0|-O1|-O2|-O3]";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Mlir,
    LlvmDialect,
    LlvmIr,
    Object,
}

#[derive(Debug, Default)]
struct Options {
    file: Option<String>,
    target: Option<Target>,
    out: Option<String>,
    header: Option<String>,
    debug_info: bool,
    opt_level: Option<u8>,
}

fn parse_args(argv: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with('-') => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        // MLIR tools accept both `-flag` and `--flag`.
        let flag = if flag.starts_with("--") { flag[1..].to_string() } else { flag };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            argv.get(i).cloned().ok_or_else(|| format!("option '{name}' needs a value"))
        };
        let mut set_target = |t: Target| match o.target.replace(t) {
            Some(prev) if prev != t => {
                Err("give one of --to-mlir, --to-llvm-dialect, --to-llvmir, --to-object".to_string())
            }
            _ => Ok(()),
        };
        match flag.as_str() {
            "-to-mlir" => set_target(Target::Mlir)?,
            "-to-llvm-dialect" => set_target(Target::LlvmDialect)?,
            "-to-llvmir" => set_target(Target::LlvmIr)?,
            "-to-object" => set_target(Target::Object)?,
            "-mlir-print-debuginfo" => o.debug_info = true,
            "-o" => o.out = Some(value("-o")?),
            "-header" => o.header = Some(value("--header")?),
            "-O0" | "-O1" | "-O2" | "-O3" => o.opt_level = flag[2..].parse().ok(),
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
    axir_mlir::register_dialects(&mut r);
    // Array-level input parses, so that the error can say to lower it first.
    axir_array::register(&mut r);
    Arc::new(r)
}

fn write_output(out: Option<&str>, text: &str) -> Result<(), String> {
    match out {
        None | Some("-") => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| format!("cannot write to stdout: {e}"))
        }
        Some(path) => std::fs::write(path, text).map_err(|e| format!("cannot write '{path}': {e}")),
    }
}

/// The include guard for a header at `path`: `AXIR_<STEM>_H`.
fn guard_for(path: &str) -> String {
    let stem = std::path::Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("module");
    let cleaned: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("AXIR_{cleaned}_H")
}

fn run(o: Options) -> Result<(), String> {
    let file = o.file.ok_or_else(|| format!("no input file\n{USAGE}"))?;
    let target = o.target.ok_or_else(|| format!("no output format given\n{USAGE}"))?;
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
    let render = |ctx: &Context, d: &[axir_ir::Diagnostic]| sources.render_all(ctx, d).trim_end().to_string();
    let module = parse_source_bytes(&mut ctx, &bytes, &file, &ParseOptions::default())
        .map_err(|d| render(&ctx, &d))?;
    let options = CompileOptions { opt_level: o.opt_level.unwrap_or(3) };
    let text = match target {
        Target::Mlir => axir_mlir::to_mlir(&ctx, module, o.debug_info),
        Target::LlvmDialect => axir_mlir::to_llvm_dialect(&ctx, module),
        Target::LlvmIr => axir_mlir::to_llvm_ir(&ctx, module),
        Target::Object => {
            let out =
                o.out.as_deref().filter(|p| *p != "-").ok_or("--to-object needs an output file: -o OUT.o")?;
            let header = o
                .header
                .clone()
                .unwrap_or_else(|| PathBuf::from(out).with_extension("h").to_string_lossy().into_owned());
            let text = axir_mlir::write_object(
                &ctx,
                module,
                std::path::Path::new(out),
                &guard_for(&header),
                &options,
            )
            .map_err(|d| render(&ctx, &d))?;
            return write_output(Some(&header), &text);
        }
    }
    .map_err(|d| render(&ctx, &d))?;
    write_output(o.out.as_deref(), &text)
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
            let msg = if msg.contains(": error: ") { msg } else { format!("axtranslate: error: {msg}") };
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}
