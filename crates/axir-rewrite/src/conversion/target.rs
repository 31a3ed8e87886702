//! [`ConversionTarget`]: which ops are legal after a conversion.

use axir_ir::{Context, OpId};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A legality callback: whether `op` is legal as it stands. It may intern
/// types (hence `&mut Context`) but must not edit the IR.
pub type DynamicLegalityFn = Arc<dyn Fn(&mut Context, OpId) -> bool + Send + Sync>;

/// How the target classifies an op.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Legality {
    /// Legal: left alone.
    Legal,
    /// Explicitly illegal (statically, or by a dynamic callback that said
    /// no): must be converted.
    Illegal,
    /// Neither: a partial conversion may leave it, a full one may not.
    Unknown,
}

#[derive(Clone)]
enum Action {
    Legal,
    Illegal,
    Dynamic(DynamicLegalityFn),
}

/// Legal and illegal ops and dialects, as in MLIR's `ConversionTarget`.
///
/// An op-level rule wins over its dialect's rule, which wins over the
/// unknown-op callback.
#[derive(Clone, Default)]
pub struct ConversionTarget {
    ops: FxHashMap<String, Action>,
    dialects: FxHashMap<String, Action>,
    unknown: Option<DynamicLegalityFn>,
}

impl ConversionTarget {
    /// A target with no rules: every op is of unknown legality.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks op `name` (`dialect.op`) legal.
    pub fn add_legal_op(&mut self, name: &str) -> &mut Self {
        self.ops.insert(name.to_string(), Action::Legal);
        self
    }

    /// Marks op `name` illegal: it must be converted.
    pub fn add_illegal_op(&mut self, name: &str) -> &mut Self {
        self.ops.insert(name.to_string(), Action::Illegal);
        self
    }

    /// Makes op `name` legal exactly when `legal` says so.
    pub fn add_dynamically_legal_op(
        &mut self,
        name: &str,
        legal: impl Fn(&mut Context, OpId) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.ops.insert(name.to_string(), Action::Dynamic(Arc::new(legal)));
        self
    }

    /// Marks every op of dialect `name` legal.
    pub fn add_legal_dialect(&mut self, name: &str) -> &mut Self {
        self.dialects.insert(name.to_string(), Action::Legal);
        self
    }

    /// Marks every op of dialect `name` illegal.
    pub fn add_illegal_dialect(&mut self, name: &str) -> &mut Self {
        self.dialects.insert(name.to_string(), Action::Illegal);
        self
    }

    /// Makes ops of dialect `name` legal exactly when `legal` says so.
    pub fn add_dynamically_legal_dialect(
        &mut self,
        name: &str,
        legal: impl Fn(&mut Context, OpId) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.dialects.insert(name.to_string(), Action::Dynamic(Arc::new(legal)));
        self
    }

    /// Decides the legality of ops no other rule covers.
    pub fn mark_unknown_op_dynamically_legal(
        &mut self,
        legal: impl Fn(&mut Context, OpId) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.unknown = Some(Arc::new(legal));
        self
    }

    /// Classifies `op`.
    pub fn legality(&self, ctx: &mut Context, op: OpId) -> Legality {
        let name = ctx.op_name(op);
        let action = match self.ops.get(name) {
            Some(a) => Some(a),
            None => {
                let dialect = name.split_once('.').map_or(name, |(d, _)| d);
                self.dialects.get(dialect)
            }
        };
        match action.cloned() {
            Some(Action::Legal) => Legality::Legal,
            Some(Action::Illegal) => Legality::Illegal,
            Some(Action::Dynamic(f)) => {
                if f(ctx, op) {
                    Legality::Legal
                } else {
                    Legality::Illegal
                }
            }
            None => match self.unknown.clone() {
                Some(f) if f(ctx, op) => Legality::Legal,
                _ => Legality::Unknown,
            },
        }
    }
}
