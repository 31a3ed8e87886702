//! Explicit registration of dialects and ops.
//!
//! Invariant: nothing registers itself. Each dialect crate exposes
//! `register(&mut DialectRegistry)`, and a tool builds one registry and hands
//! it to every [`Context`](crate::Context) it creates.
//!
//! An [`OpInfo`] declares an op once: name, summary, description with an
//! example, traits, arity, verifier and folder. Layers above the IR core (the
//! textual format, the rewriter) attach their own per-op hooks through
//! [`InterfaceMap`], so the core stays ignorant of parsing and rewriting.

use crate::attributes::Attribute;
use crate::context::Context;
use crate::diagnostic::DiagResult;
use crate::location::Location;
use crate::operation::{OpId, Value};
use crate::symbol::SymbolTableCollection;
use crate::types::Type;
use rustc_hash::FxHashMap;
use std::any::{Any, TypeId};

/// Op traits, in MLIR's sense: properties the generic machinery relies on.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct OpTraits(u32);

impl OpTraits {
    /// No traits.
    pub const NONE: OpTraits = OpTraits(0);
    /// No side effects: unused results can be erased, equal ops merged.
    pub const PURE: OpTraits = OpTraits(1 << 0);
    /// Ends a block.
    pub const TERMINATOR: OpTraits = OpTraits(1 << 1);
    /// All operands and results have one type.
    pub const SAME_OPERANDS_AND_RESULT_TYPE: OpTraits = OpTraits(1 << 2);
    /// Regions cannot use values defined outside the op.
    pub const ISOLATED_FROM_ABOVE: OpTraits = OpTraits(1 << 3);
    /// Operand order does not matter (binary ops).
    pub const COMMUTATIVE: OpTraits = OpTraits(1 << 4);
    /// Defines a symbol through its `sym_name` attribute.
    pub const SYMBOL: OpTraits = OpTraits(1 << 5);
    /// Its single region holds a table of symbols with unique names.
    pub const SYMBOL_TABLE: OpTraits = OpTraits(1 << 6);
    /// Blocks of its regions need no terminator.
    pub const NO_TERMINATOR: OpTraits = OpTraits(1 << 7);
    /// Materializes a constant from its `value` attribute.
    pub const CONSTANT_LIKE: OpTraits = OpTraits(1 << 8);
    /// Each region has at most one block.
    pub const SINGLE_BLOCK: OpTraits = OpTraits(1 << 9);
    /// Returns control (and values) to the parent op.
    pub const RETURN_LIKE: OpTraits = OpTraits(1 << 10);
    /// Applies elementwise to shaped operands.
    pub const ELEMENTWISE: OpTraits = OpTraits(1 << 11);
    /// All operands have the same type.
    pub const SAME_TYPE_OPERANDS: OpTraits = OpTraits(1 << 12);
    /// `f(f(x)) == f(x)`.
    pub const IDEMPOTENT: OpTraits = OpTraits(1 << 13);
    /// `f(f(x)) == x`.
    pub const INVOLUTION: OpTraits = OpTraits(1 << 14);
    /// No memory effect of its own: its effects are those of the ops in
    /// its regions (control flow such as loops).
    pub const RECURSIVE_MEMORY_EFFECTS: OpTraits = OpTraits(1 << 15);

    const NAMES: [(OpTraits, &'static str); 16] = [
        (Self::PURE, "Pure"),
        (Self::TERMINATOR, "Terminator"),
        (Self::SAME_OPERANDS_AND_RESULT_TYPE, "SameOperandsAndResultType"),
        (Self::ISOLATED_FROM_ABOVE, "IsolatedFromAbove"),
        (Self::COMMUTATIVE, "Commutative"),
        (Self::SYMBOL, "Symbol"),
        (Self::SYMBOL_TABLE, "SymbolTable"),
        (Self::NO_TERMINATOR, "NoTerminator"),
        (Self::CONSTANT_LIKE, "ConstantLike"),
        (Self::SINGLE_BLOCK, "SingleBlock"),
        (Self::RETURN_LIKE, "ReturnLike"),
        (Self::ELEMENTWISE, "Elementwise"),
        (Self::SAME_TYPE_OPERANDS, "SameTypeOperands"),
        (Self::IDEMPOTENT, "Idempotent"),
        (Self::INVOLUTION, "Involution"),
        (Self::RECURSIVE_MEMORY_EFFECTS, "RecursiveMemoryEffects"),
    ];

    /// Whether every trait of `other` is present.
    pub const fn contains(self, other: OpTraits) -> bool {
        self.0 & other.0 == other.0
    }

    /// Union of two trait sets.
    pub const fn union(self, other: OpTraits) -> OpTraits {
        OpTraits(self.0 | other.0)
    }

    /// MLIR names of the traits present, for docs and `--show-dialects`.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES.iter().filter(|(t, _)| self.contains(*t)).map(|(_, n)| *n).collect()
    }
}

impl std::ops::BitOr for OpTraits {
    type Output = OpTraits;
    fn bitor(self, rhs: OpTraits) -> OpTraits {
        self.union(rhs)
    }
}

/// How many operands, results, regions or successors an op takes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Arity {
    /// Exactly this many.
    Exact(usize),
    /// At least this many.
    AtLeast(usize),
    /// Between these, inclusive.
    Range(usize, usize),
}

impl Arity {
    /// Any number.
    pub const ANY: Arity = Arity::AtLeast(0);

    /// Whether `n` is allowed.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exact(k) => n == k,
            Arity::AtLeast(k) => n >= k,
            Arity::Range(lo, hi) => (lo..=hi).contains(&n),
        }
    }

    /// How MLIR words the expectation: `2`, `at least 1`, `between 1 and 3`.
    pub fn describe(self) -> String {
        match self {
            Arity::Exact(k) => k.to_string(),
            Arity::AtLeast(k) => format!("at least {k}"),
            Arity::Range(lo, hi) => format!("between {lo} and {hi}"),
        }
    }
}

/// An op's own verifier: reports the first problem with the op.
pub type VerifyFn = fn(&Context, OpId) -> DiagResult;

/// A verifier of symbol references (e.g. `func.call`'s callee).
pub type VerifySymbolUsesFn = fn(&Context, OpId, &mut SymbolTableCollection) -> DiagResult;

/// One folded result: a constant, or an existing value.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FoldResult {
    /// The result is this constant.
    Attribute(Attribute),
    /// The result is this existing value.
    Value(Value),
}

/// A folder: given the op and the constant value of each operand (`None` when
/// not constant), returns one [`FoldResult`] per result, or `None` for no
/// change.
///
/// The context is mutable only so that a folder can intern the attributes
/// and types of its results. Invariant: a folder never edits IR (no op is
/// created, erased or changed); constants are materialized by the dialect's
/// [`MaterializeConstantFn`] under the driver's control.
pub type FoldFn = fn(&mut Context, OpId, &[Option<Attribute>]) -> Option<Vec<FoldResult>>;

/// Creates a detached constant op of the dialect producing `value` of type `ty`.
pub type MaterializeConstantFn = fn(&mut Context, Attribute, Type, Location) -> Option<OpId>;

/// Per-op or per-dialect hooks owned by layers above the IR core, keyed by
/// their Rust type.
#[derive(Default)]
pub struct InterfaceMap {
    entries: FxHashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl InterfaceMap {
    /// Attaches (or replaces) an interface implementation.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.entries.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// The implementation of interface `T`, if attached.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.entries.get(&TypeId::of::<T>()).and_then(|b| b.downcast_ref::<T>())
    }
}

/// The single declaration of an op.
pub struct OpInfo {
    /// Full name, `dialect.op`.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Semantics, with an `.axir` example.
    pub description: &'static str,
    /// Traits.
    pub traits: OpTraits,
    /// Operand count.
    pub operands: Arity,
    /// Result count.
    pub results: Arity,
    /// Region count.
    pub regions: Arity,
    /// Successor count.
    pub successors: Arity,
    /// Attributes the op requires, checked before `verify` runs.
    pub required_attrs: &'static [&'static str],
    /// The op's own verifier.
    pub verify: Option<VerifyFn>,
    /// Verifier of symbol references.
    pub verify_symbol_uses: Option<VerifySymbolUsesFn>,
    /// The folder.
    pub fold: Option<FoldFn>,
    /// Hooks of higher layers (custom syntax, canonicalization patterns, ...).
    pub interfaces: InterfaceMap,
}

impl OpInfo {
    /// A declaration with no operands, results, regions, traits or hooks.
    pub fn new(name: &'static str, summary: &'static str, description: &'static str) -> Self {
        Self {
            name,
            summary,
            description,
            traits: OpTraits::NONE,
            operands: Arity::Exact(0),
            results: Arity::Exact(0),
            regions: Arity::Exact(0),
            successors: Arity::Exact(0),
            required_attrs: &[],
            verify: None,
            verify_symbol_uses: None,
            fold: None,
            interfaces: InterfaceMap::default(),
        }
    }

    /// Sets the traits.
    pub fn traits(mut self, traits: OpTraits) -> Self {
        self.traits = traits;
        self
    }

    /// Sets the operand count.
    pub fn operands(mut self, arity: Arity) -> Self {
        self.operands = arity;
        self
    }

    /// Sets the result count.
    pub fn results(mut self, arity: Arity) -> Self {
        self.results = arity;
        self
    }

    /// Sets the region count.
    pub fn regions(mut self, arity: Arity) -> Self {
        self.regions = arity;
        self
    }

    /// Sets the successor count.
    pub fn successors(mut self, arity: Arity) -> Self {
        self.successors = arity;
        self
    }

    /// Declares required attributes.
    pub fn required_attrs(mut self, names: &'static [&'static str]) -> Self {
        self.required_attrs = names;
        self
    }

    /// Sets the verifier.
    pub fn verifier(mut self, f: VerifyFn) -> Self {
        self.verify = Some(f);
        self
    }

    /// Sets the symbol-use verifier.
    pub fn symbol_uses_verifier(mut self, f: VerifySymbolUsesFn) -> Self {
        self.verify_symbol_uses = Some(f);
        self
    }

    /// Sets the folder.
    pub fn folder(mut self, f: FoldFn) -> Self {
        self.fold = Some(f);
        self
    }

    /// Attaches a higher-layer interface.
    pub fn interface<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.interfaces.insert(value);
        self
    }

    /// Whether the op has all of `traits`.
    pub fn has(&self, traits: OpTraits) -> bool {
        self.traits.contains(traits)
    }

    /// The dialect namespace (text before the first `.`).
    pub fn dialect(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(d, _)| d)
    }
}

/// A dialect's declaration.
pub struct DialectInfo {
    /// Namespace, e.g. `arith`.
    pub name: &'static str,
    /// What the dialect is for.
    pub summary: &'static str,
    /// Builds constants of this dialect for the folder driver.
    pub materialize_constant: Option<MaterializeConstantFn>,
    /// Hooks of higher layers.
    pub interfaces: InterfaceMap,
}

impl DialectInfo {
    /// A dialect with no hooks.
    pub fn new(name: &'static str, summary: &'static str) -> Self {
        Self { name, summary, materialize_constant: None, interfaces: InterfaceMap::default() }
    }

    /// Sets the constant materializer.
    pub fn constant_materializer(mut self, f: MaterializeConstantFn) -> Self {
        self.materialize_constant = Some(f);
        self
    }
}

/// Registration failures: programming errors of a dialect author.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// An op was registered twice.
    #[error("op '{0}' is already registered")]
    DuplicateOp(String),
    /// A dialect was registered twice.
    #[error("dialect '{0}' is already registered")]
    DuplicateDialect(String),
    /// An op was registered before its dialect.
    #[error("op '{0}' belongs to dialect '{1}', which is not registered")]
    UnknownDialect(String, String),
}

/// All dialects and ops a tool knows.
#[derive(Default)]
pub struct DialectRegistry {
    dialects: Vec<DialectInfo>,
    ops: Vec<OpInfo>,
    op_index: FxHashMap<&'static str, usize>,
}

impl DialectRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a dialect.
    pub fn register_dialect(&mut self, dialect: DialectInfo) -> Result<(), RegistryError> {
        if self.dialect(dialect.name).is_some() {
            return Err(RegistryError::DuplicateDialect(dialect.name.into()));
        }
        self.dialects.push(dialect);
        Ok(())
    }

    /// Registers an op of an already registered dialect.
    pub fn register_op(&mut self, op: OpInfo) -> Result<(), RegistryError> {
        if self.op_index.contains_key(op.name) {
            return Err(RegistryError::DuplicateOp(op.name.into()));
        }
        if self.dialect(op.dialect()).is_none() {
            return Err(RegistryError::UnknownDialect(op.name.into(), op.dialect().into()));
        }
        self.op_index.insert(op.name, self.ops.len());
        self.ops.push(op);
        Ok(())
    }

    /// The dialect named `name`.
    pub fn dialect(&self, name: &str) -> Option<&DialectInfo> {
        self.dialects.iter().find(|d| d.name == name)
    }

    /// The dialect named `name`, mutably (to attach interfaces).
    pub fn dialect_mut(&mut self, name: &str) -> Option<&mut DialectInfo> {
        self.dialects.iter_mut().find(|d| d.name == name)
    }

    /// All dialects, in registration order.
    pub fn dialects(&self) -> &[DialectInfo] {
        &self.dialects
    }

    /// All ops, in registration order.
    pub fn ops(&self) -> &[OpInfo] {
        &self.ops
    }

    /// The index of the op named `name`.
    pub fn op_index(&self, name: &str) -> Option<usize> {
        self.op_index.get(name).copied()
    }

    /// The op at `index`.
    pub fn op(&self, index: usize) -> &OpInfo {
        &self.ops[index]
    }

    /// The op named `name`, mutably (to attach interfaces after registration).
    pub fn op_mut(&mut self, name: &str) -> Option<&mut OpInfo> {
        let i = self.op_index(name)?;
        Some(&mut self.ops[i])
    }
}
