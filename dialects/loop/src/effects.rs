//! Memory effects of the loop level. The interface is the IR core's
//! ([`axir_ir::effects`]); each memory op of `loop` and `vector` attaches
//! one (`interface(MemoryEffects::READ)`), and `loop.for`/`loop.parallel`
//! have `RecursiveMemoryEffects`. Re-exported here for the dialect's users.

pub use axir_ir::effects::{effects_of, is_read_only, MemoryEffects};
