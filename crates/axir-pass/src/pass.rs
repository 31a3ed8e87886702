//! The [`Pass`] trait and [`PassFailure`].

use axir_ir::{Context, Diagnostic, OpId};

/// A transformation or analysis run on one op (and what is nested in it).
///
/// A pass is built by its registered constructor from parsed options, then
/// run on every op its pass manager is anchored on. It reports problems as
/// located diagnostics and never panics on any input.
pub trait Pass {
    /// The flag that names the pass in pipelines, e.g. `canonicalize`.
    fn name(&self) -> &'static str;

    /// The name shown in IR dumps and timing reports, e.g. `Canonicalizer`
    /// (MLIR shows the pass class name there).
    fn display_name(&self) -> &'static str {
        self.name()
    }

    /// One line saying what the pass does.
    fn description(&self) -> &'static str;

    /// The op name the pass must run on, or `None` for any op.
    fn anchor(&self) -> Option<&'static str> {
        None
    }

    /// Runs the pass on `op`.
    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure>;

    /// Non-fatal diagnostics (warnings, remarks) emitted by the last runs;
    /// the pass manager collects them after each run.
    fn take_warnings(&mut self) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// A pass failed; the diagnostics say why and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassFailure {
    /// What went wrong, each with a location.
    pub diagnostics: Vec<Diagnostic>,
}

impl PassFailure {
    /// A failure with one diagnostic.
    pub fn new(diagnostic: Diagnostic) -> Self {
        Self { diagnostics: vec![diagnostic] }
    }

    /// A failure with several diagnostics.
    pub fn with_diagnostics(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}

impl From<Diagnostic> for PassFailure {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::new(diagnostic)
    }
}

impl From<Vec<Diagnostic>> for PassFailure {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}
