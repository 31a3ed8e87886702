//! Lowerings between axir's levels, and the passes that prepare their
//! output. Each lowering lives in its own module and is a pass registered by
//! [`register_passes`]:
//!
//! | flag | pass | what it does |
//! |------|------|--------------|
//! | `convert-array-to-loop` | [`ConvertArrayToLoop`] | array-level functions and fusion groups to loop nests over buffers |
//! | `loop-normalize` | [`LoopNormalize`] | orders each loop nest by the strides it walks, collapses contiguous dims |
//!
//! and the pipeline `array-to-loop-pipeline` ([`ARRAY_TO_LOOP_PIPELINE`]).
//! A test checks that the anchored text and the registered passes agree.

pub mod array_to_loop;
pub mod loop_normalize;

pub use array_to_loop::{array_to_loop_target, convert_array_to_loop, ConvertArrayToLoop};
pub use loop_normalize::{normalize_loops, populate_loop_normalize_patterns, LoopNormalize};

use axir_pass::PassRegistry;

/// The passes of `array-to-loop-pipeline`, the default pipeline from the
/// array level to fused, normalized loop nests: clean up, fuse, lower, then
/// order and simplify the loops. It runs on a `builtin.module`.
pub const ARRAY_TO_LOOP_PASSES: &str =
    "func.func(canonicalize,cse),array-fuse,convert-array-to-loop,func.func(loop-normalize,canonicalize,cse)";

/// The default pipeline as an anchored pipeline, for `--pass-pipeline`.
pub const ARRAY_TO_LOOP_PIPELINE: &str = "builtin.module(func.func(canonicalize,cse),array-fuse,convert-array-to-loop,func.func(loop-normalize,canonicalize,cse))";

/// Registers every conversion pass and the `array-to-loop-pipeline`.
///
/// Registering twice is harmless: what `registry` already has is kept.
pub fn register_passes(registry: &mut PassRegistry) {
    for info in [ConvertArrayToLoop::info(), LoopNormalize::info()] {
        if registry.pass(info.name).is_none() {
            if let Err(e) = registry.register_pass(info) {
                tracing::error!("{e}");
            }
        }
    }
    if registry.pipeline("array-to-loop-pipeline").is_none() {
        let description = format!("Array level to fused, normalized loop nests: {ARRAY_TO_LOOP_PIPELINE}");
        if let Err(e) =
            registry.register_pipeline("array-to-loop-pipeline", &description, ARRAY_TO_LOOP_PASSES)
        {
            tracing::error!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipeline_constants_agree() {
        assert_eq!(ARRAY_TO_LOOP_PIPELINE, format!("builtin.module({ARRAY_TO_LOOP_PASSES})"));
    }
}
