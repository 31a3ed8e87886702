//! Rewriting: patterns, the rewriter they edit through, the greedy
//! pattern driver (with folding) and the dialect-conversion framework.

mod pattern;

pub use pattern::{CanonicalizationPatterns, PatternRewriter, RewriteLog, RewritePattern, RewritePatternSet};
