//! Errors of pass registration, options, pipeline parsing and running.

use axir_ir::Diagnostic;
use std::path::PathBuf;

/// A bad pass option.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// The pass declares no option of that name.
    #[error("no such option '{0}'")]
    Unknown(String),
    /// The value does not have the declared type.
    #[error("invalid value '{value}' for option '{option}': {expected}")]
    InvalidValue {
        /// The option.
        option: String,
        /// The text given.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The option text is malformed.
    #[error("{0}")]
    Syntax(String),
}

/// A registration mistake (a programming error of a pass author).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two passes or pipelines with one name.
    #[error("pass or pipeline '{0}' is already registered")]
    Duplicate(String),
}

/// A pass that cannot be added to a pass manager.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PassManagerError {
    /// The pass is restricted to another op than the manager's anchor.
    #[error(
        "can't add pass '{pass}' restricted to '{pass_anchor}' on a pass manager intended to run on '{manager_anchor}', did you intend to nest?"
    )]
    AnchorMismatch {
        /// The pass flag.
        pass: String,
        /// The op the pass requires.
        pass_anchor: String,
        /// The op the manager runs on.
        manager_anchor: String,
    },
}

/// A pipeline text that cannot be parsed or built; `offset` is the byte
/// offset of the problem in `pipeline`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PipelineError {
    /// What is wrong, in MLIR's wording.
    pub message: String,
    /// Byte offset in the pipeline text.
    pub offset: usize,
    /// The pipeline text.
    pub pipeline: String,
}

impl PipelineError {
    pub(crate) fn new(message: impl Into<String>, offset: usize, pipeline: &str) -> Self {
        Self { message: message.into(), offset: offset.min(pipeline.len()), pipeline: pipeline.to_string() }
    }

    /// Renders like MLIR's pipeline parser, with the text and a caret:
    ///
    /// ```text
    /// pass pipeline:1:16: error: 'foo' does not refer to a registered pass or pass pipeline
    /// builtin.module(foo)
    ///                ^
    /// ```
    pub fn render(&self) -> String {
        let before = &self.pipeline[..self.offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let line_end = self.pipeline[line_start..].find('\n').map_or(self.pipeline.len(), |p| line_start + p);
        let col = self.pipeline[line_start..self.offset].chars().count() + 1;
        format!(
            "pass pipeline:{line}:{col}: error: {}\n{}\n{}^\n",
            self.message,
            &self.pipeline[line_start..line_end],
            " ".repeat(col - 1)
        )
    }
}

/// A pipeline run failed. The IR is in the state the failing pass (or the
/// verifier) left it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("pass pipeline failed while running '{pass}'")]
pub struct PipelineFailure {
    /// The flag of the pass that failed (or `verify-each` context), empty
    /// when the pipeline could not start.
    pub pass: String,
    /// Every diagnostic, located.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the reproducer was written, if one was requested.
    pub reproducer: Option<PathBuf>,
}
