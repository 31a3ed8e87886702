//! The nested [`PassManager`] and its instrumentation: verification after
//! each pass, IR printing, timing and failure reproducers.
//!
//! A pass manager is anchored on an op name (or on any op). Running it on an
//! op runs its items in order: a pass runs on the op itself; a nested
//! manager runs on every op with its anchor name directly inside the op's
//! regions.
//!
//! Invariants:
//! - **A pass that panics does not take the tool down**: the panic is
//!   caught and reported as a failure of that pass (the IR may then be
//!   inconsistent, so nothing else runs on it).
//! - With `verify_each` (the default), the IR a pass leaves is verified
//!   before the next pass runs, and a failure names the pass.

use crate::error::{PassManagerError, PipelineFailure};
use crate::options::PassOptions;
use crate::pass::{Pass, PassFailure};
use crate::reproducer::{reproducer_text, ReproducerConfig};
use crate::timing::TimingNode;
use axir_ir::{verify, Context, Diagnostic, OpId};
use axir_syntax::{print_op, PrintOptions};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Which passes get their IR printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IrPrintFilter {
    /// None (the default).
    #[default]
    None,
    /// Every pass (`--mlir-print-ir-before-all`, `--mlir-print-ir-after-all`).
    All,
    /// The passes with these flags (`--mlir-print-ir-after=cse,canonicalize`).
    Passes(Vec<String>),
}

impl IrPrintFilter {
    fn matches(&self, pass: &str) -> bool {
        match self {
            IrPrintFilter::None => false,
            IrPrintFilter::All => true,
            IrPrintFilter::Passes(names) => names.iter().any(|n| n == pass),
        }
    }
}

/// Instrumentation of a pipeline run, set on the top-level manager.
#[derive(Clone, Debug)]
pub struct PassManagerOptions {
    /// Verify the IR after each pass (`--verify-each`, on by default).
    pub verify_each: bool,
    /// Print the IR before these passes.
    pub print_ir_before: IrPrintFilter,
    /// Print the IR after these passes.
    pub print_ir_after: IrPrintFilter,
    /// With `print_ir_after`, print only when the pass changed the IR
    /// (`--mlir-print-ir-after-change`; compares a fingerprint of the
    /// printed IR).
    pub print_ir_after_change: bool,
    /// Print the IR after a pass that failed (`--mlir-print-ir-after-failure`).
    pub print_ir_after_failure: bool,
    /// Print the whole top-level op instead of the op the pass ran on
    /// (`--mlir-print-ir-module-scope`).
    pub print_module_scope: bool,
    /// How to print IR in dumps.
    pub print_options: PrintOptions,
    /// Time each pass (`--mlir-timing`).
    pub timing: bool,
    /// On failure, write a reproducer to this file
    /// (`--mlir-pass-pipeline-crash-reproducer=FILE`).
    pub reproducer: Option<PathBuf>,
}

impl Default for PassManagerOptions {
    fn default() -> Self {
        Self {
            verify_each: true,
            print_ir_before: IrPrintFilter::None,
            print_ir_after: IrPrintFilter::None,
            print_ir_after_change: false,
            print_ir_after_failure: false,
            print_module_scope: false,
            print_options: PrintOptions::default(),
            timing: false,
            reproducer: None,
        }
    }
}

/// A pass with the options it was built from.
struct PassEntry {
    pass: Box<dyn Pass>,
    options: PassOptions,
}

enum Item {
    Pass(PassEntry),
    Nested(PassManager),
}

/// A list of passes and nested pass managers, anchored on an op name.
pub struct PassManager {
    /// `None` runs on any op.
    anchor: Option<String>,
    items: Vec<Item>,
    options: PassManagerOptions,
    ir_sink: Option<Box<dyn Write>>,
    diagnostics: Vec<Diagnostic>,
    timing: Option<TimingNode>,
}

impl PassManager {
    /// A manager anchored on op `anchor` (`builtin.module`), or on any op
    /// when `anchor` is `any`.
    pub fn new(anchor: &str) -> Self {
        Self {
            anchor: (anchor != "any").then(|| anchor.to_string()),
            items: Vec::new(),
            options: PassManagerOptions::default(),
            ir_sink: None,
            diagnostics: Vec::new(),
            timing: None,
        }
    }

    /// The op name this manager runs on (`any` when unrestricted).
    pub fn anchor(&self) -> &str {
        self.anchor.as_deref().unwrap_or("any")
    }

    /// The instrumentation options (only the top-level manager's are used).
    pub fn options(&self) -> &PassManagerOptions {
        &self.options
    }

    /// The instrumentation options, to change them.
    pub fn options_mut(&mut self) -> &mut PassManagerOptions {
        &mut self.options
    }

    /// Where IR dumps go (standard error by default, as in MLIR).
    pub fn set_ir_dump_sink(&mut self, sink: Box<dyn Write>) {
        self.ir_sink = Some(sink);
    }

    /// Adds a pass built in code, with its default options.
    pub fn add_pass(&mut self, pass: Box<dyn Pass>) -> Result<(), PassManagerError> {
        self.add_pass_with_options(pass, PassOptions::default())
    }

    /// Adds a pass with the options it was built from (they are printed
    /// back in [`PassManager::to_pipeline_string`]).
    pub fn add_pass_with_options(
        &mut self,
        pass: Box<dyn Pass>,
        options: PassOptions,
    ) -> Result<(), PassManagerError> {
        if let (Some(pass_anchor), Some(manager_anchor)) = (pass.anchor(), &self.anchor) {
            if pass_anchor != manager_anchor {
                return Err(PassManagerError::AnchorMismatch {
                    pass: pass.name().to_string(),
                    pass_anchor: pass_anchor.to_string(),
                    manager_anchor: manager_anchor.clone(),
                });
            }
        }
        self.items.push(Item::Pass(PassEntry { pass, options }));
        Ok(())
    }

    /// A nested manager for ops named `anchor` directly inside this
    /// manager's op; consecutive nests on one anchor share a manager, as in
    /// MLIR.
    pub fn nest(&mut self, anchor: &str) -> &mut PassManager {
        let reuse = matches!(self.items.last(), Some(Item::Nested(pm)) if pm.anchor() == anchor);
        if !reuse {
            self.items.push(Item::Nested(PassManager::new(anchor)));
        }
        match self.items.last_mut() {
            Some(Item::Nested(pm)) => pm,
            // Invariant: a nested manager was pushed or found just above.
            _ => unreachable!("nest: last item is a nested manager"),
        }
    }

    /// Whether the manager has no pass at any depth.
    pub fn is_empty(&self) -> bool {
        self.items.iter().all(|i| match i {
            Item::Pass(_) => false,
            Item::Nested(pm) => pm.is_empty(),
        })
    }

    /// The pipeline as text, anchored:
    /// `builtin.module(func.func(canonicalize{max-iterations=3},cse))`.
    pub fn to_pipeline_string(&self) -> String {
        let mut out = String::new();
        self.write_pipeline(&mut out);
        out
    }

    fn write_pipeline(&self, out: &mut String) {
        out.push_str(self.anchor());
        out.push('(');
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match item {
                Item::Pass(e) => {
                    out.push_str(e.pass.name());
                    out.push_str(&e.options.to_pipeline_string());
                }
                Item::Nested(pm) => pm.write_pipeline(out),
            }
        }
        out.push(')');
    }

    /// Warnings and remarks the passes emitted during the last runs.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }

    /// The timing of the last run (with `timing` on): a root whose `wall`
    /// is the pipeline's total and whose children are its passes and
    /// nested pipelines. Render it with
    /// [`render_timing_report`](crate::render_timing_report).
    pub fn timing(&self) -> Option<&TimingNode> {
        self.timing.as_ref()
    }

    /// Runs the pipeline on `op`, which must be named like the anchor.
    pub fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PipelineFailure> {
        if let Some(anchor) = &self.anchor {
            if ctx.op_name(op) != anchor {
                let message = format!("can't run '{anchor}' pass manager on '{}' op", ctx.op_name(op));
                return Err(PipelineFailure {
                    pass: String::new(),
                    diagnostics: vec![Diagnostic::error(ctx.op_location(op), message)],
                    reproducer: None,
                });
            }
        }
        let pipeline = self.to_pipeline_string();
        let options = self.options.clone();
        let reproducer_input = options.reproducer.as_ref().map(|_| {
            let flags = PrintOptions { generic: true, debug_info: true };
            print_op(ctx, op, &flags)
        });
        let mut stderr_sink;
        let sink: &mut dyn Write = match self.ir_sink.as_mut() {
            Some(s) => s.as_mut(),
            None => {
                stderr_sink = std::io::stderr();
                &mut stderr_sink
            }
        };
        let mut run = Run { options: &options, sink, diagnostics: &mut self.diagnostics, top: op };
        let mut root = TimingNode::new("root");
        let start = Instant::now();
        let result = run_items(&mut self.items, ctx, op, &mut run, &mut root);
        root.wall = start.elapsed();
        if options.timing {
            self.timing = Some(root);
        }
        let Err(failure) = result else { return Ok(()) };
        let mut diagnostics = failure.diagnostics;
        let mut written = None;
        if let (Some(path), Some(input)) = (&options.reproducer, reproducer_input) {
            let config =
                ReproducerConfig { pipeline, disable_threading: true, verify_each: options.verify_each };
            let location = ctx.op_location(failure.op.filter(|&o| ctx.is_op_alive(o)).unwrap_or(op));
            match std::fs::write(path, reproducer_text(&input, &config)) {
                Ok(()) => {
                    let on = failure
                        .op
                        .filter(|&o| ctx.is_op_alive(o))
                        .map_or(String::new(), |o| format!(" on {}", describe_op(ctx, o)));
                    diagnostics.push(
                        Diagnostic::error(
                            location,
                            "failures have been detected while processing a pass pipeline",
                        )
                        .with_note(
                            location,
                            format!(
                                "pipeline failed while executing '{}'{on}: reproducer generated at '{}'",
                                failure.pass,
                                path.display()
                            ),
                        ),
                    );
                    written = Some(path.clone());
                }
                Err(e) => diagnostics.push(Diagnostic::error(
                    location,
                    format!("could not write the reproducer to '{}': {e}", path.display()),
                )),
            }
        }
        Err(PipelineFailure { pass: failure.pass, diagnostics, reproducer: written })
    }
}

/// `'func.func' operation: @name`, or `'test.op' operation`.
fn describe_op(ctx: &Context, op: OpId) -> String {
    match ctx.symbol_name(op) {
        Some(name) => format!("'{}' operation: @{name}", ctx.op_name(op)),
        None => format!("'{}' operation", ctx.op_name(op)),
    }
}

/// What a run shares across nesting levels.
struct Run<'r> {
    options: &'r PassManagerOptions,
    sink: &'r mut dyn Write,
    diagnostics: &'r mut Vec<Diagnostic>,
    top: OpId,
}

/// A failure inside the run, before the reproducer is added.
struct Failure {
    pass: String,
    op: Option<OpId>,
    diagnostics: Vec<Diagnostic>,
}

fn run_items(
    items: &mut [Item],
    ctx: &mut Context,
    op: OpId,
    run: &mut Run<'_>,
    timing: &mut TimingNode,
) -> Result<(), Failure> {
    for item in items.iter_mut() {
        match item {
            Item::Pass(entry) => {
                let start = Instant::now();
                let result = run_pass(entry, ctx, op, run);
                let node = timing.child(entry.pass.display_name());
                node.wall += start.elapsed();
                result?;
            }
            Item::Nested(pm) => {
                let start = Instant::now();
                let name = format!("'{}' Pipeline", pm.anchor());
                let mut node = TimingNode::new(name);
                let targets: Vec<OpId> = nested_targets(ctx, op, pm.anchor.as_deref());
                let mut result = Ok(());
                for target in targets {
                    if !ctx.is_op_alive(target) {
                        continue;
                    }
                    result = run_items(&mut pm.items, ctx, target, run, &mut node);
                    if result.is_err() {
                        break;
                    }
                }
                node.wall = start.elapsed();
                timing.merge_child(node);
                result?;
            }
        }
    }
    Ok(())
}

/// The ops directly inside `op`'s regions that a nested manager runs on.
fn nested_targets(ctx: &Context, op: OpId, anchor: Option<&str>) -> Vec<OpId> {
    let mut out = Vec::new();
    for &r in ctx.regions(op) {
        for &b in ctx.region_blocks(r) {
            out.extend(ctx.block_ops_iter(b).filter(|&o| anchor.is_none_or(|a| ctx.op_name(o) == a)));
        }
    }
    out
}

fn run_pass(entry: &mut PassEntry, ctx: &mut Context, op: OpId, run: &mut Run<'_>) -> Result<(), Failure> {
    let pass = entry.pass.as_mut();
    let name = pass.name();
    let display = pass.display_name();
    let fail = |diagnostics: Vec<Diagnostic>| Failure { pass: name.to_string(), op: Some(op), diagnostics };
    if let Some(anchor) = pass.anchor() {
        if ctx.op_name(op) != anchor {
            let message =
                format!("can't run pass '{name}' restricted to '{anchor}' on a '{}' op", ctx.op_name(op));
            return Err(fail(vec![Diagnostic::error(ctx.op_location(op), message)]));
        }
    }
    let options = run.options;
    if options.print_ir_before.matches(name) {
        let header = format!("// -----// IR Dump Before {display} ({name})");
        dump(ctx, op, run, &header);
    }
    let print_after = options.print_ir_after.matches(name);
    let before = (print_after && options.print_ir_after_change).then(|| fingerprint(ctx, op, run));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pass.run(ctx, op)));
    run.diagnostics.extend(pass.take_warnings());
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(PassFailure { mut diagnostics })) => {
            if diagnostics.is_empty() {
                diagnostics.push(Diagnostic::error(ctx.op_location(op), format!("pass '{name}' failed")));
            }
            if options.print_ir_after_failure {
                let header = format!("// -----// IR Dump After {display} Failed ({name})");
                dump(ctx, op, run, &header);
            }
            return Err(fail(diagnostics));
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            // The op may have been erased mid-rewrite: then locate at the top.
            let at = if ctx.is_op_alive(op) { op } else { run.top };
            let location = ctx.op_location(at);
            let message = format!("pass '{name}' crashed: {what}");
            return Err(fail(vec![Diagnostic::error(location, message)]));
        }
    }
    if options.verify_each {
        if let Err(mut errors) = verify(ctx, op) {
            let mut diagnostics = vec![Diagnostic::error(
                ctx.op_location(op),
                format!("pass '{name}' produced IR that fails to verify"),
            )];
            diagnostics.append(&mut errors);
            if options.print_ir_after_failure {
                let header = format!("// -----// IR Dump After {display} Failed ({name})");
                dump(ctx, op, run, &header);
            }
            return Err(fail(diagnostics));
        }
    }
    if print_after && before.is_none_or(|b| b != fingerprint(ctx, op, run)) {
        let header = format!("// -----// IR Dump After {display} ({name})");
        dump(ctx, op, run, &header);
    }
    Ok(())
}

/// The op printed in dumps: the op itself, or the top-level op with
/// module scope.
fn dump_target(ctx: &Context, op: OpId, run: &Run<'_>) -> OpId {
    if run.options.print_module_scope {
        let mut top = op;
        while let Some(p) = ctx.parent_op(top) {
            top = p;
        }
        top
    } else {
        op
    }
}

fn fingerprint(ctx: &Context, op: OpId, run: &Run<'_>) -> u64 {
    let text = print_op(ctx, dump_target(ctx, op, run), &run.options.print_options);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Writes `header //----- //` and the IR, as MLIR's IR printer does.
fn dump(ctx: &Context, op: OpId, run: &mut Run<'_>, header: &str) {
    let mut text = String::from(header);
    if run.options.print_module_scope {
        text.push_str(&format!(" ({})", describe_op(ctx, op)));
    }
    text.push_str(" //----- //\n");
    text.push_str(&print_op(ctx, dump_target(ctx, op, run), &run.options.print_options));
    text.push('\n');
    // A dump that cannot be written (closed pipe) must not fail the pipeline.
    let _ = run.sink.write_all(text.as_bytes());
    let _ = run.sink.flush();
}
