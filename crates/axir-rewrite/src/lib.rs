//! Rewriting: patterns, the rewriter they edit IR through, the greedy
//! pattern driver (with folding) and the dialect-conversion framework.
//!
//! - [`apply_patterns_greedily`] rewrites to a fixed point and **always
//!   terminates**: non-convergence is reported as a [`ConvergenceError`].
//! - [`apply_partial_conversion`] and [`apply_full_conversion`] legalize IR
//!   against a [`ConversionTarget`] and **leave the IR untouched on failure**
//!   (every change is journaled and rolled back).

mod conversion;
mod error;
mod folder;
mod greedy;
mod pattern;

pub use conversion::{
    apply_full_conversion, apply_partial_conversion, ConversionConfig, ConversionPattern,
    ConversionPatternSet, ConversionRewriter, ConversionStats, ConversionTarget, DynamicLegalityFn, Legality,
    MaterializationFn, OpAdaptor, TypeConversionFn, TypeConverter,
};
pub use error::{ConvergenceError, NonConvergence};
pub use greedy::{apply_patterns_greedily, GreedyConfig, GreedyStats};
pub use pattern::{
    CanonicalizationPatterns, FrozenPatternSet, PatternRewriter, RewriteLog, RewritePattern,
    RewritePatternSet,
};
