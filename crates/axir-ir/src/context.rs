//! The [`Context`]: owner of every IR entity.
//!
//! Invariant: all IR is reached through handles into one `Context`. Reading
//! takes `&Context`, mutating takes `&mut Context`; there is no interior
//! mutability and no reference counting in the IR graph.

use crate::arena::{Arena, Interner, StrInterner};
use crate::attributes::AttributeData;
use crate::location::LocationData;
use crate::operation::{BlockData, BlockId, OpId, OperationData, RegionData, RegionId, Value, ValueData};
use crate::registry::{DialectRegistry, OpInfo};
use crate::types::TypeData;
use std::sync::Arc;

/// An interned identifier: op names, attribute names.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Ident(pub(crate) u32);

const UNREGISTERED: u32 = u32::MAX;

/// Owns the IR: arenas of operations, blocks, regions and values, interned
/// types, attributes, locations and identifiers, and the dialect registry.
pub struct Context {
    pub(crate) ops: Arena<OpId, OperationData>,
    pub(crate) blocks: Arena<BlockId, BlockData>,
    pub(crate) regions: Arena<RegionId, RegionData>,
    pub(crate) values: Arena<Value, ValueData>,
    pub(crate) types: Interner<TypeData>,
    pub(crate) attrs: Interner<AttributeData>,
    pub(crate) locations: Interner<LocationData>,
    idents: StrInterner,
    /// Registry index of the op named by each identifier, or `UNREGISTERED`.
    ident_op_info: Vec<u32>,
    registry: Arc<DialectRegistry>,
    allow_unregistered: bool,
}

impl Default for Context {
    fn default() -> Self {
        Self::new(Arc::new(DialectRegistry::new()))
    }
}

impl Context {
    /// A context whose registered dialects are those of `registry`.
    pub fn new(registry: Arc<DialectRegistry>) -> Self {
        let mut ctx = Self {
            ops: Arena::default(),
            blocks: Arena::default(),
            regions: Arena::default(),
            values: Arena::default(),
            types: Interner::default(),
            attrs: Interner::default(),
            locations: Interner::default(),
            idents: StrInterner::default(),
            ident_op_info: Vec::new(),
            registry,
            allow_unregistered: false,
        };
        // Invariant: `Unknown` is location 0 (see `unknown_loc`).
        ctx.locations.intern(LocationData::Unknown);
        // Invariant: these are always interned, so `&Context` can name them.
        ctx.i1_type();
        ctx.integer_type(64);
        ctx.index_type();
        ctx.f32_type();
        ctx.f64_type();
        ctx
    }

    /// The dialects and ops this context knows.
    pub fn registry(&self) -> &DialectRegistry {
        &self.registry
    }

    /// A shared handle to the registry, to build another context with it.
    pub fn registry_arc(&self) -> Arc<DialectRegistry> {
        self.registry.clone()
    }

    /// Whether ops of unregistered dialects are accepted (`--allow-unregistered-dialect`).
    pub fn allows_unregistered(&self) -> bool {
        self.allow_unregistered
    }

    /// Accept or reject ops of unregistered dialects.
    pub fn set_allow_unregistered(&mut self, allow: bool) {
        self.allow_unregistered = allow;
    }

    /// Interns an identifier.
    pub fn ident(&mut self, name: &str) -> Ident {
        let (id, is_new) = self.idents.intern(name);
        if !is_new {
            return Ident(id);
        }
        let info = self.registry.op_index(name).map_or(UNREGISTERED, |i| i as u32);
        debug_assert_eq!(self.ident_op_info.len(), id as usize);
        self.ident_op_info.push(info);
        Ident(id)
    }

    /// Looks up an identifier without interning it.
    pub fn lookup_ident(&self, name: &str) -> Option<Ident> {
        self.idents.lookup(name).map(Ident)
    }

    /// The text of an identifier.
    pub fn ident_str(&self, ident: Ident) -> &str {
        self.idents.get(ident.0)
    }

    /// The registered op named by `name`, if any.
    pub fn op_info_by_ident(&self, name: Ident) -> Option<&OpInfo> {
        match self.ident_op_info[name.0 as usize] {
            UNREGISTERED => None,
            i => Some(self.registry.op(i as usize)),
        }
    }

    /// The registered op named `name`, if any.
    pub fn op_info_by_name(&self, name: &str) -> Option<&OpInfo> {
        self.registry.op_index(name).map(|i| self.registry.op(i))
    }

    /// Number of live operations (for statistics and limits).
    pub fn num_live_ops(&self) -> usize {
        self.ops.len()
    }
}
