//! Lowerings between axir's levels. Each lowering lives in its own module
//! (`array_to_loop`, ...) and is a pass registered by [`register_passes`].

use axir_pass::PassRegistry;

/// Registers every conversion pass.
pub fn register_passes(_registry: &mut PassRegistry) {}
