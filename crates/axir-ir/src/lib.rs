//! The IR core of axir: a [`Context`] that owns operations, blocks, regions
//! and values in generational arenas, interned types, attributes and
//! locations, explicit dialect registration, the op declaration macro, and
//! the verifier.
//!
//! **The IR core knows nothing of parsing, passes or MLIR.** Higher layers
//! attach their per-op hooks through [`InterfaceMap`].

mod arena;
mod attributes;
mod builder;
mod context;
mod diagnostic;
pub mod effects;
mod location;
mod op_def;
mod operation;
mod registry;
mod symbol;
mod types;
mod verifier;

pub use arena::Handle;
pub use attributes::{
    float_bits_in_kind, float_from_bits_in_kind, format_float, is_bare_identifier, round_to_float_kind,
    wrap_int, write_attr_name, write_escaped_string, write_symbol_name, Attribute, AttributeData, DenseData,
    DisplayAttr,
};
pub use builder::OpBuilder;
pub use context::{Context, Ident};
pub use diagnostic::{DiagResult, Diagnostic, Severity};
pub use location::{DisplayLocation, Location, LocationData};
pub use op_def::OpDefinition;
pub use operation::{
    BlockId, BlockOps, InsertPoint, NamedAttr, OpId, OperationData, OperationState, RegionId, Use, Value,
    ValueDef,
};
pub use registry::{
    Arity, DialectInfo, DialectRegistry, FoldFn, FoldResult, InterfaceMap, MaterializeConstantFn, OpInfo,
    OpTraits, RegistryError, VerifyFn, VerifySymbolUsesFn,
};
pub use symbol::{SymbolTableCollection, SYM_NAME_ATTR, SYM_VISIBILITY_ATTR};
pub use types::{Dim, DisplayType, FloatKind, MemRefLayout, Signedness, Type, TypeData};
pub use verifier::verify;
