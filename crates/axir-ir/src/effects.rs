//! Memory effects: what an op does to memory, attached to an op's
//! [`OpInfo`](crate::OpInfo) as an interface (MLIR's
//! `MemoryEffectOpInterface`, reduced to four flags).
//!
//! `Pure` says "no effect at all"; it does not fit a load, which reads
//! memory that a store may change. Loads carry [`MemoryEffects::READ`]
//! instead: the **read-only** property. A read-only op may be moved or
//! merged only where no op that may write runs in between. Control flow
//! whose effects are those of its body has the trait
//! [`OpTraits::RECURSIVE_MEMORY_EFFECTS`]. Passes ask [`effects_of`], which
//! is conservative: an op that is neither `Pure` nor carries the interface
//! nor that trait (an unregistered op, `func.call`) may read and write
//! anything.
//!
//! The IR core defines the interface so that dialect-independent passes
//! (`cse`) and dialects (`loop`'s LICM) share one notion of effects.

use crate::{Context, OpId, OpTraits};

/// What an op may do to memory. Attach one to an op's declaration with
/// `interface(MemoryEffects::READ)`.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct MemoryEffects {
    /// Reads a buffer operand.
    pub read: bool,
    /// Writes a buffer operand.
    pub write: bool,
    /// Creates a buffer.
    pub alloc: bool,
    /// Frees a buffer operand.
    pub free: bool,
}

impl MemoryEffects {
    /// No effect (what `Pure` means).
    pub const NONE: MemoryEffects = MemoryEffects { read: false, write: false, alloc: false, free: false };
    /// Reads only: the read-only property (`loop.load`).
    pub const READ: MemoryEffects = MemoryEffects { read: true, write: false, alloc: false, free: false };
    /// Writes only (`loop.store`).
    pub const WRITE: MemoryEffects = MemoryEffects { read: false, write: true, alloc: false, free: false };
    /// Reads and writes (`loop.copy`).
    pub const READ_WRITE: MemoryEffects =
        MemoryEffects { read: true, write: true, alloc: false, free: false };
    /// Allocates (`loop.alloc`).
    pub const ALLOC: MemoryEffects = MemoryEffects { read: false, write: false, alloc: true, free: false };
    /// Frees (`loop.dealloc`).
    pub const FREE: MemoryEffects = MemoryEffects { read: false, write: false, alloc: false, free: true };
    /// Anything: the assumption for an op that says nothing.
    pub const UNKNOWN: MemoryEffects = MemoryEffects { read: true, write: true, alloc: true, free: true };

    /// Whether the op only reads (the read-only property).
    pub fn is_read_only(self) -> bool {
        !self.write && !self.alloc && !self.free
    }

    /// Whether the op may change memory that another op reads.
    pub fn may_write(self) -> bool {
        self.write || self.free
    }

    fn union(self, other: MemoryEffects) -> MemoryEffects {
        MemoryEffects {
            read: self.read || other.read,
            write: self.write || other.write,
            alloc: self.alloc || other.alloc,
            free: self.free || other.free,
        }
    }
}

/// The effects of `op` itself, not counting its regions: none for a `Pure`
/// op, the attached [`MemoryEffects`] if any, else [`MemoryEffects::UNKNOWN`].
fn own_effects(ctx: &Context, op: OpId) -> MemoryEffects {
    let Some(info) = ctx.op_info(op) else { return MemoryEffects::UNKNOWN };
    if info.has(OpTraits::PURE) {
        return MemoryEffects::NONE;
    }
    if let Some(e) = info.interfaces.get::<MemoryEffects>() {
        return *e;
    }
    if info.has(OpTraits::RECURSIVE_MEMORY_EFFECTS) {
        return MemoryEffects::NONE;
    }
    MemoryEffects::UNKNOWN
}

/// The effects of `op` and of every op nested in its regions.
pub fn effects_of(ctx: &Context, op: OpId) -> MemoryEffects {
    ctx.walk(op).into_iter().fold(MemoryEffects::NONE, |acc, o| acc.union(own_effects(ctx, o)))
}

/// Whether `op` (with its regions) only reads memory, or has no effect.
pub fn is_read_only(ctx: &Context, op: OpId) -> bool {
    effects_of(ctx, op).is_read_only()
}
