//! Generational arenas and the typed handles that index them.
//!
//! Every IR entity that can be erased (operations, blocks, regions, values)
//! lives in an [`Arena`]. A handle is an index plus the generation of the slot
//! at the time it was created, so a handle that outlives its entity is caught
//! on the next access instead of silently aliasing a newer entity.

use std::fmt;
use std::marker::PhantomData;

/// A slot index paired with the generation it was allocated in.
///
/// Typed wrappers (`OpId`, `BlockId`, ...) are declared with [`define_handle!`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawHandle {
    index: u32,
    generation: u32,
}

impl RawHandle {
    /// The slot index, dense from zero; useful as a key in side tables.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

impl fmt::Debug for RawHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}v{}", self.index, self.generation)
    }
}

/// Implemented by typed handles so an [`Arena`] can hand them out.
pub trait Handle: Copy + Eq + std::hash::Hash + fmt::Debug {
    /// Wraps a raw handle.
    fn from_raw(raw: RawHandle) -> Self;
    /// Unwraps to the raw handle.
    fn raw(self) -> RawHandle;
    /// The slot index; dense, so usable to size side tables.
    fn index(self) -> usize {
        self.raw().index()
    }
}

macro_rules! define_handle {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($crate::arena::RawHandle);

        impl $crate::arena::Handle for $name {
            fn from_raw(raw: $crate::arena::RawHandle) -> Self {
                Self(raw)
            }
            fn raw(self) -> $crate::arena::RawHandle {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    };
}
pub(crate) use define_handle;

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// A generational arena of `T` addressed by handles of type `H`.
pub struct Arena<H, T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: usize,
    _handle: PhantomData<H>,
}

impl<H: Handle, T> Default for Arena<H, T> {
    fn default() -> Self {
        Self { slots: Vec::new(), free: Vec::new(), live: 0, _handle: PhantomData }
    }
}

impl<H: Handle, T> Arena<H, T> {
    /// Stores `value` and returns its handle.
    pub fn alloc(&mut self, value: T) -> H {
        self.live += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.value = Some(value);
            return H::from_raw(RawHandle { index, generation: slot.generation });
        }
        let index = u32::try_from(self.slots.len()).expect("arena exceeds u32::MAX entries");
        self.slots.push(Slot { generation: 0, value: Some(value) });
        H::from_raw(RawHandle { index, generation: 0 })
    }

    /// Removes the entity; its handle (and every copy of it) becomes stale.
    pub fn free(&mut self, handle: H) -> Option<T> {
        let raw = handle.raw();
        let slot = self.slots.get_mut(raw.index as usize)?;
        if slot.generation != raw.generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(raw.index);
        self.live -= 1;
        Some(value)
    }

    /// The entity, or `None` when the handle is stale.
    pub fn get(&self, handle: H) -> Option<&T> {
        let raw = handle.raw();
        let slot = self.slots.get(raw.index as usize)?;
        if slot.generation != raw.generation {
            return None;
        }
        slot.value.as_ref()
    }

    /// The entity mutably, or `None` when the handle is stale.
    pub fn get_mut(&mut self, handle: H) -> Option<&mut T> {
        let raw = handle.raw();
        let slot = self.slots.get_mut(raw.index as usize)?;
        if slot.generation != raw.generation {
            return None;
        }
        slot.value.as_mut()
    }

    /// Whether the handle still names a live entity.
    pub fn contains(&self, handle: H) -> bool {
        self.get(handle).is_some()
    }

    /// Number of live entities.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Upper bound of slot indices ever used; sizes dense side tables.
    pub fn capacity_bound(&self) -> usize {
        self.slots.len()
    }
}

impl<H: Handle, T> std::ops::Index<H> for Arena<H, T> {
    type Output = T;
    fn index(&self, handle: H) -> &T {
        match self.get(handle) {
            Some(v) => v,
            None => panic!("stale or foreign handle {handle:?}"),
        }
    }
}

impl<H: Handle, T> std::ops::IndexMut<H> for Arena<H, T> {
    fn index_mut(&mut self, handle: H) -> &mut T {
        match self.get_mut(handle) {
            Some(v) => v,
            None => panic!("stale or foreign handle {handle:?}"),
        }
    }
}

/// Deduplicating storage: equal values get the same dense id.
pub struct Interner<T> {
    items: Vec<T>,
    map: rustc_hash::FxHashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self { items: Vec::new(), map: Default::default() }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Interner<T> {
    /// Returns the id of `value`, inserting it if new.
    pub fn intern(&mut self, value: T) -> u32 {
        if let Some(&id) = self.map.get(&value) {
            return id;
        }
        let id = u32::try_from(self.items.len()).expect("interner exceeds u32::MAX entries");
        self.items.push(value.clone());
        self.map.insert(value, id);
        id
    }

    /// Looks up without inserting.
    pub fn lookup(&self, value: &T) -> Option<u32> {
        self.map.get(value).copied()
    }

    /// The value behind an id.
    pub fn get(&self, id: u32) -> &T {
        &self.items[id as usize]
    }
}

/// A string interner whose lookups take `&str` without allocating.
#[derive(Default)]
pub struct StrInterner {
    items: Vec<Box<str>>,
    map: rustc_hash::FxHashMap<Box<str>, u32>,
}

impl StrInterner {
    /// Returns the id of `s` and whether it was newly inserted.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        if let Some(&id) = self.map.get(s) {
            return (id, false);
        }
        let id = u32::try_from(self.items.len()).expect("interner exceeds u32::MAX entries");
        self.items.push(s.into());
        self.map.insert(s.into(), id);
        (id, true)
    }

    /// Looks up without inserting.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// The string behind an id.
    pub fn get(&self, id: u32) -> &str {
        &self.items[id as usize]
    }
}
