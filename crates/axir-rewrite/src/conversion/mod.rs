//! Dialect conversion, as in MLIR: a [`ConversionTarget`] says which ops are
//! legal, a [`TypeConverter`] how types change, and [`ConversionPattern`]s
//! rewrite illegal ops given their already-converted operands.

mod driver;
mod rewriter;
mod target;
mod type_converter;

pub use driver::{apply_full_conversion, apply_partial_conversion, ConversionConfig, ConversionStats};
pub use rewriter::{ConversionPattern, ConversionPatternSet, ConversionRewriter, OpAdaptor};
pub use target::{ConversionTarget, DynamicLegalityFn, Legality};
pub use type_converter::{MaterializationFn, TypeConversionFn, TypeConverter};
