//! Failures of the rewrite drivers.

use crate::greedy::GreedyStats;
use axir_ir::Diagnostic;

/// Why the greedy driver stopped before reaching a fixed point.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum NonConvergence {
    /// Every allowed iteration still changed the IR.
    MaxIterations(u32),
    /// The configured limit on rewrites was reached.
    MaxRewrites(u64),
}

/// The greedy driver stopped without converging. The IR is valid (every
/// rewrite applied was complete) but not at a fixed point.
#[derive(Debug, thiserror::Error)]
#[error("{}", .diagnostic.message)]
pub struct ConvergenceError {
    /// What limit was hit.
    pub reason: NonConvergence,
    /// What the driver did before stopping.
    pub stats: GreedyStats,
    /// A located error naming the patterns that were still applying.
    pub diagnostic: Diagnostic,
}

impl ConvergenceError {
    /// The diagnostic to report.
    pub fn into_diagnostic(self) -> Diagnostic {
        self.diagnostic
    }
}
