//! The dialect-agnostic passes of axir:
//!
//! | flag         | pass            | what it does                                        |
//! |--------------|-----------------|-----------------------------------------------------|
//! | `canonicalize` | [`Canonicalize`] | folding, constant merging, dead code, patterns    |
//! | `cse`        | [`Cse`]         | common subexpression elimination by dominance       |
//! | `symbol-dce` | [`SymbolDce`]   | erases unreferenced private symbols                 |
//! | `inline`     | [`Inline`]      | inlines calls of non-recursive single-block functions |
//!
//! Nothing registers itself: a tool calls [`register_passes`], and
//! [`register_test_passes`] for the passes that test the pass manager
//! (`test-pass-failure`, `test-pass-crash`, `test-break-terminators`). Every pass
//! reports IR it cannot process with a located diagnostic and never panics.

mod canonicalize;
mod cse;
mod inline;
mod symbol_dce;
mod testing;

pub use canonicalize::{populate_canonicalization_patterns, Canonicalize, CANONICALIZE_OPTIONS};
pub use cse::Cse;
pub use inline::Inline;
pub use symbol_dce::SymbolDce;
pub use testing::register_test_passes;

use axir_pass::PassRegistry;

/// Registers `canonicalize`, `cse`, `symbol-dce` and `inline`.
///
/// Registering twice is harmless: passes already in `registry` are kept.
pub fn register_passes(registry: &mut PassRegistry) {
    for info in [Canonicalize::info(), Cse::info(), SymbolDce::info(), Inline::info()] {
        if registry.pass(info.name).is_some() {
            continue;
        }
        if let Err(e) = registry.register_pass(info) {
            tracing::warn!("{e}");
        }
    }
}
