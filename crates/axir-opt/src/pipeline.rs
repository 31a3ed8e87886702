//! The pass pipeline a command line asks for: `--pass-pipeline=...` or one
//! flag per pass, with the instrumentation flags applied.
//!
//! The pipeline is built and checked before any input is read, as mlir-opt
//! does, so that a typo in a pass name costs no parsing.

use axir_ir::{Context, Diagnostic, OpId};
use axir_pass::{
    parse_pass_list, parse_pipeline, IrPrintFilter, PassManager, PassManagerOptions, PassRegistry,
    PipelineError, PipelineFailure, TimingNode,
};
use axir_syntax::PrintOptions;

use crate::cli::{OptOptions, PassFlag};

/// Why the pipeline of a command line cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineSetupError {
    /// The text of `--pass-pipeline` is malformed or names unknown passes.
    #[error("{}", .0.render().trim_end())]
    Pipeline(PipelineError),
    /// A pass flag's options are malformed.
    #[error("for the --{flag} option: {message}")]
    PassFlag {
        /// The pass flag.
        flag: String,
        /// What is wrong with its options.
        message: String,
    },
}

impl PipelineSetupError {
    /// The error as printed by `tool`: a pipeline error with its text and a
    /// caret (`pass pipeline:1:16: error: ...`), a flag error as
    /// `tool: error: ...`.
    pub fn render(&self, tool: &str) -> String {
        match self {
            PipelineSetupError::Pipeline(e) => e.render(),
            PipelineSetupError::PassFlag { .. } => format!("{tool}: error: {self}\n"),
        }
    }
}

/// A pass manager built from a command line, with its instrumentation set.
pub struct Pipeline {
    pm: PassManager,
}

impl Pipeline {
    /// The pipeline of `opts`: its `--pass-pipeline`, or its pass flags on
    /// a manager anchored on `builtin.module` (`any` op with
    /// `--no-implicit-module`, where the top-level op may be anything).
    /// `None` when the command line names no pass.
    pub fn from_options(
        opts: &OptOptions,
        passes: &PassRegistry,
    ) -> Result<Option<Pipeline>, PipelineSetupError> {
        let pm = match &opts.pass_pipeline {
            Some(text) => parse_pipeline(text, passes).map_err(PipelineSetupError::Pipeline)?,
            None if opts.pass_flags.is_empty() => return Ok(None),
            None => {
                let anchor = if opts.no_implicit_module { "any" } else { "builtin.module" };
                let mut pm = PassManager::new(anchor);
                for flag in &opts.pass_flags {
                    add_pass_flag(&mut pm, flag, passes)?;
                }
                pm
            }
        };
        Ok(Some(Self::with_instrumentation(pm, opts)))
    }

    /// The pipeline of a reproducer's configuration (`--run-reproducer`).
    pub fn from_text(
        text: &str,
        opts: &OptOptions,
        passes: &PassRegistry,
    ) -> Result<Pipeline, PipelineSetupError> {
        let pm = parse_pipeline(text, passes).map_err(PipelineSetupError::Pipeline)?;
        Ok(Self::with_instrumentation(pm, opts))
    }

    fn with_instrumentation(mut pm: PassManager, opts: &OptOptions) -> Pipeline {
        let filter = |all: bool, names: &[String]| {
            if all {
                IrPrintFilter::All
            } else if names.is_empty() {
                IrPrintFilter::None
            } else {
                IrPrintFilter::Passes(names.to_vec())
            }
        };
        let mut print_ir_after = filter(opts.print_ir_after_all, &opts.print_ir_after);
        // Unlike mlir-opt, where it only filters `--print-ir-after-all`,
        // `--print-ir-after-change` alone prints after every pass that
        // changed the IR: asked for on its own, it would otherwise do nothing.
        if opts.print_ir_after_change && print_ir_after == IrPrintFilter::None {
            print_ir_after = IrPrintFilter::All;
        }
        *pm.options_mut() = PassManagerOptions {
            verify_each: opts.verify_each,
            print_ir_before: filter(opts.print_ir_before_all, &opts.print_ir_before),
            print_ir_after,
            print_ir_after_change: opts.print_ir_after_change,
            print_ir_after_failure: opts.print_ir_after_failure,
            print_module_scope: false,
            print_options: PrintOptions { generic: opts.print_op_generic, debug_info: opts.print_debuginfo },
            timing: opts.timing,
            reproducer: opts.reproducer.as_ref().map(Into::into),
        };
        Pipeline { pm }
    }

    /// Turns verification after each pass on or off.
    pub fn set_verify_each(&mut self, verify_each: bool) {
        self.pm.options_mut().verify_each = verify_each;
    }

    /// The pipeline as text, anchored (`builtin.module(cse)`).
    pub fn to_pipeline_string(&self) -> String {
        self.pm.to_pipeline_string()
    }

    /// Runs the pipeline on `op`; warnings and remarks of the passes are
    /// returned with the outcome.
    pub fn run(&mut self, ctx: &mut Context, op: OpId) -> (Result<(), PipelineFailure>, Vec<Diagnostic>) {
        let result = self.pm.run(ctx, op);
        (result, self.pm.take_diagnostics())
    }

    /// The timing of the last run, with `--timing`.
    pub fn timing(&self) -> Option<&TimingNode> {
        self.pm.timing()
    }
}

/// Adds the pass (or registered pipeline) of one `--name[=options]` flag.
fn add_pass_flag(
    pm: &mut PassManager,
    flag: &PassFlag,
    passes: &PassRegistry,
) -> Result<(), PipelineSetupError> {
    // The flag's value is the option list of the pipeline syntax
    // (`--canonicalize='max-iterations=3 top-down=false'`), as in mlir-opt.
    let text = match &flag.options {
        Some(options) => format!("{}{{{options}}}", flag.name),
        None => flag.name.clone(),
    };
    parse_pass_list(&text, passes, pm)
        .map_err(|e| PipelineSetupError::PassFlag { flag: flag.name.clone(), message: e.message })
}

/// Whether `name` is a pass or a named pipeline of `passes`, i.e. a flag.
pub fn is_pass_flag(passes: &PassRegistry, name: &str) -> bool {
    passes.pass(name).is_some() || passes.pipeline(name).is_some()
}
