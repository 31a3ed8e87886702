//! The upstream MLIR session: a context with every dialect loaded, parsing
//! and verifying the text `emit` wrote, running the lowering pipeline to the
//! LLVM dialect, and turning MLIR's diagnostics into axir [`Diagnostic`]s at
//! the `.axir` locations.
//!
//! **Every melior lifetime ends in this module** (and in `engine`, which
//! takes a `&Module` only for the duration of a call): nothing that borrows
//! an MLIR context is returned to callers.
//!
//! Invariants, in the order they are enforced:
//! - every dialect is registered and loaded before parsing, so no op of the
//!   text is unregistered;
//! - the parsed module is verified before any pass runs (passes assume
//!   verified IR and may crash otherwise);
//! - after the pipeline, the module is verified again and every op must be in
//!   the `llvm` dialect before LLVM IR is made or code is generated.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Mutex;

use axir_ir::{Diagnostic, Location as AxLocation, Severity};
use melior::diagnostic::DiagnosticSeverity;
use melior::dialect::DialectRegistry;
use melior::ir::operation::{OperationLike, OperationPrintingFlags, WalkOrder, WalkResult};
use melior::ir::{Location, Module};
use melior::pass::PassManager;
use melior::utility::{
    parse_pass_pipeline, register_all_dialects, register_all_llvm_translations, register_all_passes,
};
use melior::Context;

use crate::emit::Emitted;

/// The pipeline from the translated module (`scf`, `memref`, `arith`,
/// `math`, `vector`, `func`) to the LLVM dialect.
///
/// - `convert-scf-to-cf` first: it also lowers `scf.parallel` (to a
///   sequential nest; the reductions become loop-carried values);
/// - `expand-strided-metadata` + `lower-affine` turn subviews and casts into
///   descriptor arithmetic before `finalize-memref-to-llvm`;
/// - `convert-math-to-llvm` uses LLVM intrinsics where they exist and
///   `convert-math-to-libm` calls libm for the rest (`tanh`, `erf`, ...).
pub const LLVM_PIPELINE: &str = "builtin.module(convert-scf-to-cf,expand-strided-metadata,lower-affine,\
convert-vector-to-llvm,finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,convert-arith-to-llvm,\
convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts)";

/// How far to take the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Parsed and verified: the translation itself.
    Upstream,
    /// Lowered to the LLVM dialect by [`LLVM_PIPELINE`].
    LlvmDialect,
}

/// MLIR and LLVM keep process-wide state (pass and translation
/// registration, the LLVM target registry, `cl::opt`s) that is not safe to
/// initialize from several threads at once; one compilation runs at a time.
/// Compiled code runs without this lock.
static MLIR_LOCK: Mutex<()> = Mutex::new(());

/// `(file, line, col)` of an MLIR location.
type FileLineCol = (String, u32, u32);

/// A diagnostic as MLIR reported it, before mapping back to axir.
struct RawDiagnostic {
    severity: Severity,
    file_loc: Option<FileLineCol>,
    loc_text: String,
    message: String,
    notes: Vec<RawDiagnostic>,
}

fn file_line_col(loc: Location<'_>, depth: usize) -> Option<FileLineCol> {
    if depth > 16 {
        return None;
    }
    if loc.is_file_line_col_range() {
        let file = loc.file_line_col_range_filename().as_string_ref().as_str().ok()?.to_string();
        let line = u32::try_from(loc.file_line_col_range_start_line()).ok()?;
        let col = u32::try_from(loc.file_line_col_range_start_column()).ok()?;
        return Some((file, line, col));
    }
    if loc.is_name() {
        return file_line_col(loc.name_child_location(), depth + 1);
    }
    if loc.is_call_site() {
        return file_line_col(loc.call_site_callee(), depth + 1);
    }
    if loc.is_fused() {
        return (0..loc.fused_num_locations()).find_map(|i| file_line_col(loc.fused_location(i), depth + 1));
    }
    None
}

fn raw_diagnostic(d: &melior::diagnostic::Diagnostic<'_>) -> RawDiagnostic {
    let severity = match d.severity() {
        DiagnosticSeverity::Error => Severity::Error,
        DiagnosticSeverity::Warning => Severity::Warning,
        DiagnosticSeverity::Remark => Severity::Remark,
        DiagnosticSeverity::Note => Severity::Note,
    };
    let loc = d.location();
    let notes = (0..d.note_count()).filter_map(|i| d.note(i).ok()).map(|n| raw_diagnostic(&n)).collect();
    RawDiagnostic {
        severity,
        file_loc: file_line_col(loc, 0),
        loc_text: loc.to_string(),
        message: d.to_string(),
        notes,
    }
}

fn to_diagnostic(raw: &RawDiagnostic, emitted: &Emitted) -> Diagnostic {
    let mapped = raw.file_loc.as_ref().and_then(|(f, l, c)| emitted.location(f, *l, *c));
    let (location, message): (AxLocation, String) = match mapped {
        Some(loc) => (loc, raw.message.clone()),
        None => (emitted.module_loc, format!("{} (at MLIR location {})", raw.message, raw.loc_text)),
    };
    let mut d = Diagnostic { severity: raw.severity, location, message, notes: Vec::new() };
    for n in &raw.notes {
        // MLIR attaches the whole generic op text on verifier failures;
        // it names upstream ops the user never wrote, so it is left out.
        if n.message.starts_with("see current operation") {
            continue;
        }
        d.notes.push(to_diagnostic(n, emitted));
    }
    d
}

/// An error MLIR did not report itself (a failed step without a
/// diagnostic), at the module's location.
fn internal(emitted: &Emitted, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(emitted.module_loc, message)
}

/// Parses `emitted` in a fresh MLIR context, takes it to `stage`, and calls
/// `f` with the module. Everything MLIR reports becomes a located
/// diagnostic; errors fail the call.
pub(crate) fn with_module<R>(
    emitted: &Emitted,
    stage: Stage,
    f: impl FnOnce(&Module<'_>, &Emitted) -> Result<R, Vec<Diagnostic>>,
) -> Result<R, Vec<Diagnostic>> {
    // A panic while the lock was held leaves no MLIR state behind (each
    // compilation has its own context), so a poisoned lock is usable.
    let _guard = MLIR_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    let context = Context::new_with_registry(&registry, false);
    context.load_all_available_dialects();
    register_all_llvm_translations(&context);
    register_all_passes();

    let collected: Rc<RefCell<Vec<RawDiagnostic>>> = Rc::default();
    let sink = Rc::clone(&collected);
    let handler = context.attach_diagnostic_handler(move |d| {
        sink.borrow_mut().push(raw_diagnostic(&d));
        true
    });
    let result = run_stages(&context, emitted, stage, f);
    context.detach_diagnostic_handler(handler);
    let mut diags: Vec<Diagnostic> = collected.borrow().iter().map(|r| to_diagnostic(r, emitted)).collect();
    match result {
        Ok(r) if !diags.iter().any(|d| d.severity == Severity::Error) => Ok(r),
        Ok(_) => Err(diags),
        Err(mut extra) => {
            if diags.iter().all(|d| d.severity != Severity::Error)
                || extra.iter().any(|d| d.severity == Severity::Error)
            {
                diags.append(&mut extra);
            }
            Err(diags)
        }
    }
}

fn run_stages<R>(
    context: &Context,
    emitted: &Emitted,
    stage: Stage,
    f: impl FnOnce(&Module<'_>, &Emitted) -> Result<R, Vec<Diagnostic>>,
) -> Result<R, Vec<Diagnostic>> {
    let fail = |m: &str| vec![internal(emitted, m)];
    let Some(mut module) = Module::parse(context, &emitted.text) else {
        return Err(fail("MLIR could not parse the translated module"));
    };
    // Invariant: passes only ever see verified IR.
    if !module.as_operation().verify() {
        return Err(fail("the translated module does not verify in MLIR"));
    }
    if stage == Stage::LlvmDialect {
        let pm = PassManager::new(context);
        parse_pass_pipeline(pm.as_operation_pass_manager(), LLVM_PIPELINE)
            .map_err(|e| fail(&format!("invalid lowering pipeline: {e}")))?;
        pm.run(&mut module).map_err(|_| fail("lowering to the LLVM dialect failed"))?;
        if !module.as_operation().verify() {
            return Err(fail("the module does not verify after lowering to the LLVM dialect"));
        }
        // Invariant: only LLVM dialect ops reach LLVM IR translation and code
        // generation, which assume it.
        let mut stray: Vec<(String, Option<FileLineCol>)> = Vec::new();
        module.as_operation().walk(WalkOrder::PreOrder, |op| {
            let name = op.name().as_string_ref().as_str().unwrap_or("?").to_string();
            if name != "builtin.module" && !name.starts_with("llvm.") {
                stray.push((name, file_line_col(op.location(), 0)));
            }
            WalkResult::Advance
        });
        // Casts are left around ops that failed to lower; those ops are the news.
        if stray.iter().any(|(n, _)| n != "builtin.unrealized_conversion_cast") {
            stray.retain(|(n, _)| n != "builtin.unrealized_conversion_cast");
        }
        if !stray.is_empty() {
            return Err(stray
                .into_iter()
                .map(|(name, at)| {
                    let loc = at.and_then(|(f, l, c)| emitted.location(&f, l, c)).unwrap_or(emitted.module_loc);
                    Diagnostic::error(
                        loc,
                        format!("'{name}' op was left after lowering to the LLVM dialect: the CPU path cannot lower it"),
                    )
                })
                .collect());
        }
    }
    f(&module, emitted)
}

/// The module as MLIR prints it (custom form); with `debug_info`, with
/// locations.
pub(crate) fn print(
    module: &Module<'_>,
    emitted: &Emitted,
    debug_info: bool,
) -> Result<String, Vec<Diagnostic>> {
    let flags = OperationPrintingFlags::new().enable_debug_info(debug_info, false);
    module
        .as_operation()
        .to_string_with_flags(flags)
        .map_err(|e| vec![internal(emitted, format!("cannot print the MLIR module: {e}"))])
}
