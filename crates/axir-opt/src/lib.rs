//! axir-opt: the reusable driver behind `axopt`, like MLIR's `MlirOptMain`.
//!
//! A compiler built on axir gets its own opt tool by registering its
//! dialects and passes and handing the command line to [`axopt_main`]:
//!
//! ```no_run
//! use std::sync::Arc;
//! use axir_ir::DialectRegistry;
//! use axir_pass::PassRegistry;
//!
//! fn main() -> std::process::ExitCode {
//!     let mut dialects = DialectRegistry::new();
//!     // my_dialect::register(&mut dialects);
//!     let mut passes = PassRegistry::new();
//!     // my_passes::register_passes(&mut passes);
//!     axir_opt::axopt_main(std::env::args_os(), Arc::new(dialects), &passes)
//! }
//! ```
//!
//! The tool then takes mlir-opt's flags: an input file or `-`, `-o`,
//! `--pass-pipeline=...` or one flag per registered pass, `--split-input-file`,
//! `--verify-diagnostics`, the IR printing, timing, verification and
//! reproducer flags, `--list-passes`, `--show-dialects`, `--help`.
//!
//! # Code map
//!
//! - [`cli`]: the flags, parsed into [`OptOptions`].
//! - [`pipeline`]: the pass pipeline a command line asks for.
//! - `driver`: one run (read, split, parse, verify, run passes, print).
//! - [`verify_diagnostics`]: the `expected-*` checker.
//! - [`input`]: reading the input and rejecting non-UTF-8 text.
//! - [`guard`]: panics turned into internal errors.
//!
//! # Invariants
//!
//! - **Exit codes**: 0 on success, 1 on any diagnosed error (of the input,
//!   the command line or the file system), [`INTERNAL_ERROR_EXIT_CODE`] when
//!   the tool panicked, which is always a bug.
//! - **Every error goes to stderr located**: `file:line:col: error: message`,
//!   the source line and a caret; errors without a place in the input
//!   (command line, files) read `axopt: error: message`.

pub mod cli;
mod driver;
pub mod guard;
pub mod input;
pub mod pipeline;
pub mod verify_diagnostics;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use axir_ir::DialectRegistry;
use axir_pass::PassRegistry;

pub use cli::{CliError, OptOptions, PassFlag, VerifyDiagnosticsLevel};
pub use driver::{Outcome, Streams};
pub use guard::INTERNAL_ERROR_EXIT_CODE;
pub use pipeline::{Pipeline, PipelineSetupError};

/// The tool name used when the command line has no program name.
const DEFAULT_TOOL_NAME: &str = "axopt";

/// Runs an opt tool on the command line `args` (program name first, as
/// [`std::env::args_os`] gives it) with the dialects of `registry` and the
/// passes of `passes`, and returns the exit code.
///
/// Nothing panics out of it: an argument that is not UTF-8 is an error of
/// the command line, and a panic is caught and reported as an internal
/// error with exit code [`INTERNAL_ERROR_EXIT_CODE`].
pub fn axopt_main<I, A>(args: I, registry: Arc<DialectRegistry>, passes: &PassRegistry) -> ExitCode
where
    I: IntoIterator<Item = A>,
    A: Into<OsString>,
{
    init_logging();
    let mut args = args.into_iter().map(Into::into);
    let tool = args
        .next()
        .and_then(|a| std::path::Path::new(&a).file_name()?.to_str().map(String::from))
        .unwrap_or_else(|| DEFAULT_TOOL_NAME.to_string());
    let args: Result<Vec<String>, OsString> = args.map(OsString::into_string).collect();
    guard::run_guarded(&tool, || {
        let args = match args {
            Ok(args) => args,
            Err(bad) => {
                let _ = writeln!(std::io::stderr(), "{tool}: error: argument {bad:?} is not valid UTF-8");
                return ExitCode::from(1);
            }
        };
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        let mut out = stdout.lock();
        let mut err = stderr.lock();
        let mut streams = Streams { stdout: &mut out, stderr: &mut err };
        match run_command_line(&tool, args, registry, passes, &mut streams) {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failure => ExitCode::from(1),
        }
    })
}

/// Parses the flags `args` (without the program name) against the passes
/// of `passes`; an unknown flag gets a "did you mean" when one is close.
pub fn parse_command_line(args: Vec<String>, passes: &PassRegistry) -> Result<OptOptions, CliError> {
    cli::parse_args(args, &|name| pipeline::is_pass_flag(passes, name))
        .map_err(|e| cli::with_suggestion(e, passes.passes().map(|p| p.name)))
}

/// Runs the command line `args` (without the program name), writing to
/// `streams`: the informational flags (`--help`, `--version`,
/// `--list-passes`, `--show-dialects`) or a run over the input.
pub fn run_command_line(
    tool: &str,
    args: Vec<String>,
    registry: Arc<DialectRegistry>,
    passes: &PassRegistry,
    streams: &mut Streams<'_>,
) -> Outcome {
    let options = match parse_command_line(args, passes) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(streams.stderr, "{tool}: error: {e}\n{tool}: try '{tool} --help'");
            return Outcome::Failure;
        }
    };
    let info = if options.help {
        Some(help_text(tool, passes))
    } else if options.version {
        Some(format!("{tool} (axir) version {}\n", env!("CARGO_PKG_VERSION")))
    } else if options.list_passes {
        Some(passes.help())
    } else if options.show_dialects {
        Some(dialects_text(&registry))
    } else {
        None
    };
    if let Some(text) = info {
        return match streams.stdout.write_all(text.as_bytes()) {
            Ok(()) => Outcome::Success,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
            Err(_) => Outcome::Failure,
        };
    }
    run_opt(tool, &options, registry, passes, streams)
}

/// Runs the driver with options built in code (no command line): reads
/// `options.input`, runs the pipeline, writes the output.
pub fn run_opt(
    tool: &str,
    options: &OptOptions,
    registry: Arc<DialectRegistry>,
    passes: &PassRegistry,
    streams: &mut Streams<'_>,
) -> Outcome {
    let pipeline = match Pipeline::from_options(options, passes) {
        Ok(p) => p,
        Err(e) => {
            let _ = streams.stderr.write_all(e.render(tool).as_bytes());
            return Outcome::Failure;
        }
    };
    driver::Run::new(tool, options, registry, passes, pipeline).execute(streams)
}

/// `--help`: usage, the driver's options, then the passes.
pub fn help_text(tool: &str, passes: &PassRegistry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "OVERVIEW: {tool}: parse, transform and print axir (mlir-opt's flags)\n");
    let _ = writeln!(out, "USAGE: {tool} [options] [input file, '-' for stdin]\n");
    out.push_str("Flags are written --flag or -flag; values as --flag=value or --flag value.\n\n");
    out.push_str("OPTIONS:\n");
    out.push_str(&cli::options_help());
    out.push('\n');
    out.push_str(&passes.help());
    out
}

/// `--show-dialects`: mlir-opt's line, then each dialect with its ops.
pub fn dialects_text(registry: &DialectRegistry) -> String {
    let mut names: Vec<&str> = registry.dialects().iter().map(|d| d.name).collect();
    names.sort_unstable();
    let mut out = format!("Available Dialects: {}\n", names.join(","));
    for name in names {
        let Some(dialect) = registry.dialect(name) else { continue };
        let _ = writeln!(out, "{name}: {}", dialect.summary);
        let mut ops: Vec<_> = registry.ops().iter().filter(|op| op.dialect() == name).collect();
        ops.sort_by_key(|op| op.name);
        for op in ops {
            let _ = writeln!(out, "  {:<32} {}", op.name, op.summary);
        }
    }
    out
}

/// Logs through `tracing` to stderr when `AXIR_LOG` is set
/// (`AXIR_LOG=axir_pass=debug`); silent otherwise, so that stderr holds
/// only diagnostics.
fn init_logging() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("AXIR_LOG") {
        // Another subscriber may already be installed by an embedding tool.
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    }
}
