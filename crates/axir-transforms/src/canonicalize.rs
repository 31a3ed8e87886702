//! `canonicalize`: the canonicalization patterns of every registered op and
//! dialect, plus folding, applied by the greedy driver.

use axir_ir::{Context, Diagnostic, DialectRegistry, OpId, Severity};
use axir_pass::{OptionKind, Pass, PassFailure, PassInfo, PassOptionInfo, PassOptions};
use axir_rewrite::{
    apply_patterns_greedily, CanonicalizationPatterns, FrozenPatternSet, GreedyConfig, RewritePatternSet,
};
use std::sync::Arc;

/// The options of `canonicalize`, as in MLIR.
pub const CANONICALIZE_OPTIONS: &[PassOptionInfo] = &[
    PassOptionInfo {
        name: "max-iterations",
        kind: OptionKind::UInt,
        default: "10",
        description: "Max. iterations between applying patterns / simplifying regions",
    },
    PassOptionInfo {
        name: "max-num-rewrites",
        kind: OptionKind::Int,
        default: "-1",
        description: "Max. number of pattern rewrites within an iteration (-1: no limit)",
    },
    PassOptionInfo {
        name: "top-down",
        kind: OptionKind::Bool,
        default: "true",
        description: "Seed the worklist in general top-down order",
    },
    PassOptionInfo {
        name: "test-convergence",
        kind: OptionKind::Bool,
        default: "false",
        description: "Fail (instead of warning) when the patterns do not converge",
    },
    PassOptionInfo {
        name: "disable-patterns",
        kind: OptionKind::List,
        default: "",
        description: "Labels of patterns that should be filtered out during application",
    },
    PassOptionInfo {
        name: "enable-patterns",
        kind: OptionKind::List,
        default: "",
        description:
            "Labels of patterns that should be used during application, all other patterns are filtered out",
    },
];

/// Adds the canonicalization patterns of every op and dialect in `registry`
/// (their [`CanonicalizationPatterns`] interface) to `set`.
pub fn populate_canonicalization_patterns(registry: &DialectRegistry, set: &mut RewritePatternSet) {
    for dialect in registry.dialects() {
        if let Some(p) = dialect.interfaces.get::<CanonicalizationPatterns>() {
            (p.populate)(set);
        }
    }
    for op in registry.ops() {
        if let Some(p) = op.interfaces.get::<CanonicalizationPatterns>() {
            (p.populate)(set);
        }
    }
}

/// Canonicalizes ops: folds them, merges and hoists constants, erases dead
/// pure ops and applies every registered canonicalization pattern until a
/// fixed point (MLIR's `Canonicalizer`).
pub struct Canonicalize {
    config: GreedyConfig,
    test_convergence: bool,
    disabled: Vec<String>,
    enabled: Vec<String>,
    /// The frozen patterns, and the registry they were collected from.
    patterns: Option<(Arc<DialectRegistry>, Arc<FrozenPatternSet>)>,
    warnings: Vec<Diagnostic>,
}

impl Default for Canonicalize {
    fn default() -> Self {
        Self::from_options(&PassOptions::defaults(CANONICALIZE_OPTIONS))
    }
}

impl Canonicalize {
    /// The pass configured by its options.
    pub fn from_options(options: &PassOptions) -> Self {
        let max_iterations = u32::try_from(options.uint("max-iterations")).unwrap_or(u32::MAX);
        let max_rewrites = u64::try_from(options.int("max-num-rewrites")).ok();
        let config =
            GreedyConfig { max_iterations, max_rewrites, top_down: options.bool("top-down"), fold: true };
        Self {
            config,
            test_convergence: options.bool("test-convergence"),
            disabled: options.list("disable-patterns"),
            enabled: options.list("enable-patterns"),
            patterns: None,
            warnings: Vec::new(),
        }
    }

    /// The registration of `canonicalize`.
    pub fn info() -> PassInfo {
        PassInfo::new("canonicalize", "Canonicalize operations", CANONICALIZE_OPTIONS, |o| {
            Ok(Box::new(Canonicalize::from_options(o)) as Box<dyn Pass>)
        })
    }

    fn patterns_for(&mut self, registry: Arc<DialectRegistry>) -> Arc<FrozenPatternSet> {
        if let Some((known, p)) = &self.patterns {
            if Arc::ptr_eq(known, &registry) {
                return p.clone();
            }
        }
        let mut set = RewritePatternSet::new();
        populate_canonicalization_patterns(&registry, &mut set);
        let (disabled, enabled) = (&self.disabled, &self.enabled);
        set.retain(|p| {
            !disabled.iter().any(|d| d == p.name())
                && (enabled.is_empty() || enabled.iter().any(|e| e == p.name()))
        });
        let frozen = Arc::new(FrozenPatternSet::new(set));
        self.patterns = Some((registry, frozen.clone()));
        frozen
    }
}

impl Pass for Canonicalize {
    fn name(&self) -> &'static str {
        "canonicalize"
    }

    fn display_name(&self) -> &'static str {
        "Canonicalizer"
    }

    fn description(&self) -> &'static str {
        "Canonicalize operations"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        let patterns = self.patterns_for(ctx.registry_arc());
        match apply_patterns_greedily(ctx, op, &patterns, &self.config) {
            Ok(_) => Ok(()),
            Err(e) if self.test_convergence => Err(PassFailure::new(e.into_diagnostic())),
            Err(e) => {
                // MLIR accepts non-convergence silently; a warning keeps the
                // IR valid and the pipeline going while saying it happened.
                let mut d = e.into_diagnostic();
                d.severity = Severity::Warning;
                self.warnings.push(d);
                Ok(())
            }
        }
    }

    fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
    }
}
