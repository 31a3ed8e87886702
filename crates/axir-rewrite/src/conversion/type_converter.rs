//! [`TypeConverter`]: how types change in a conversion, and how values are
//! bridged between old and new types where both must coexist.

use axir_ir::{Context, Location, OpBuilder, OpId, Type, TypeData, Value};
use std::sync::Arc;

/// A type conversion rule: `Some(new)` converts (possibly to the same
/// type, meaning "legal as is"); `None` lets the next rule try.
pub type TypeConversionFn = Arc<dyn Fn(&mut Context, Type) -> Option<Type> + Send + Sync>;

/// Builds a value of the requested type from `input` with ops created
/// through the builder (already positioned), or returns `None` when it
/// cannot.
pub type MaterializationFn =
    Arc<dyn Fn(&mut OpBuilder<'_>, Type, Value, Location) -> Option<Value> + Send + Sync>;

/// Type conversion rules and materializations, as in MLIR's `TypeConverter`
/// (restricted to 1:1 conversions).
///
/// Rules are tried from the most recently added; a type no rule converts is
/// illegal and cannot be converted.
#[derive(Clone, Default)]
pub struct TypeConverter {
    conversions: Vec<TypeConversionFn>,
    source_materializations: Vec<MaterializationFn>,
    target_materializations: Vec<MaterializationFn>,
}

impl TypeConverter {
    /// A converter with no rules (every type is unconvertible).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a conversion rule, tried before the earlier ones.
    pub fn add_conversion(
        &mut self,
        rule: impl Fn(&mut Context, Type) -> Option<Type> + Send + Sync + 'static,
    ) -> &mut Self {
        self.conversions.push(Arc::new(rule));
        self
    }

    /// Adds a source materialization: from a converted value back to its
    /// original type, for users that were not converted.
    pub fn add_source_materialization(
        &mut self,
        f: impl Fn(&mut OpBuilder<'_>, Type, Value, Location) -> Option<Value> + Send + Sync + 'static,
    ) -> &mut Self {
        self.source_materializations.push(Arc::new(f));
        self
    }

    /// Adds a target materialization: from an unconverted value to the
    /// converted type a pattern expects in its adaptor.
    pub fn add_target_materialization(
        &mut self,
        f: impl Fn(&mut OpBuilder<'_>, Type, Value, Location) -> Option<Value> + Send + Sync + 'static,
    ) -> &mut Self {
        self.target_materializations.push(Arc::new(f));
        self
    }

    /// The converted form of `ty`, or `None` when no rule converts it.
    pub fn convert_type(&self, ctx: &mut Context, ty: Type) -> Option<Type> {
        self.conversions.iter().rev().find_map(|rule| rule(ctx, ty))
    }

    /// Converts every type, or returns `None` if one cannot be converted.
    pub fn convert_types(&self, ctx: &mut Context, types: &[Type]) -> Option<Vec<Type>> {
        types.iter().map(|&t| self.convert_type(ctx, t)).collect()
    }

    /// Whether `ty` converts to itself.
    pub fn is_legal_type(&self, ctx: &mut Context, ty: Type) -> bool {
        self.convert_type(ctx, ty) == Some(ty)
    }

    /// Whether every operand and result type of `op` is legal.
    pub fn is_legal_op(&self, ctx: &mut Context, op: OpId) -> bool {
        let types: Vec<Type> =
            ctx.operands(op).iter().chain(ctx.results(op)).map(|&v| ctx.value_type(v)).collect();
        types.into_iter().all(|t| self.is_legal_type(ctx, t))
    }

    /// Whether the inputs and results of function type `ty` are legal
    /// (`false` for a type that is not a function type).
    pub fn is_signature_legal(&self, ctx: &mut Context, ty: Type) -> bool {
        let TypeData::Function { inputs, results } = ctx.type_data(ty).clone() else { return false };
        inputs.into_iter().chain(results).all(|t| self.is_legal_type(ctx, t))
    }

    /// Converts a function type, or `None` if one of its types cannot be.
    pub fn convert_signature(&self, ctx: &mut Context, ty: Type) -> Option<Type> {
        let TypeData::Function { inputs, results } = ctx.type_data(ty).clone() else { return None };
        let inputs = self.convert_types(ctx, &inputs)?;
        let results = self.convert_types(ctx, &results)?;
        Some(ctx.function_type(inputs, results))
    }

    pub(crate) fn source_materializations(&self) -> &[MaterializationFn] {
        &self.source_materializations
    }

    pub(crate) fn target_materializations(&self) -> &[MaterializationFn] {
        &self.target_materializations
    }
}
