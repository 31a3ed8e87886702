//! The arith ops, each declared once with [`axir_ir::declare_op!`]: summary,
//! description with an example, traits, verifier, folder, canonicalization
//! patterns and textual form.

mod cast;
mod compare;
mod constant;
mod float;
mod int;

pub use cast::*;
pub use compare::*;
pub use constant::*;
pub use float::*;
pub use int::*;

use axir_ir::{Context, Location, OpBuilder, OperationState, Type, Value};

/// Creates a one-result op `name` with `operands` at the builder's insertion point.
pub(crate) fn build_one(
    b: &mut OpBuilder<'_>,
    name: &str,
    operands: &[Value],
    result: Type,
    loc: Location,
) -> axir_ir::OpId {
    let name = b.ident(name);
    b.create(OperationState::new(name, loc).with_operands(operands).with_results(&[result]))
}

/// The state of a one-result op `name` (for patterns, which create ops
/// through the rewriter).
pub(crate) fn state_one(
    ctx: &mut Context,
    name: &str,
    operands: &[Value],
    result: Type,
    loc: Location,
) -> OperationState {
    let name = ctx.ident(name);
    OperationState::new(name, loc).with_operands(operands).with_results(&[result])
}

/// Declares an elementwise binary op whose result has the type of its
/// operands, with `build`, `lhs`, `rhs` and `result`.
macro_rules! binary_op {
    (
        $(#[doc = $doc:expr])*
        $ty:ident = $name:literal;
        summary = $summary:literal;
        traits = $traits:expr;
        verifier = $verify:path;
        folder = $fold:path;
        $(patterns = [$($pattern:expr),+ $(,)?];)?
    ) => {
        axir_ir::declare_op! {
            $(#[doc = $doc])*
            pub struct $ty = $name;
            summary = $summary;
            traits($traits);
            operands(axir_ir::Arity::Exact(2));
            results(axir_ir::Arity::Exact(1));
            verifier($verify);
            folder($crate::shared_folder!($fold));
            $(interface($crate::ops::canonicalization_patterns!($($pattern),+));)?
            interface($crate::syntax::binary_assembly());
        }

        impl $ty {
            /// Creates `lhs op rhs` at the builder's insertion point; the
            /// result has the type of `lhs`.
            pub fn build(
                b: &mut axir_ir::OpBuilder<'_>,
                lhs: axir_ir::Value,
                rhs: axir_ir::Value,
                loc: axir_ir::Location,
            ) -> Self {
                let ty = b.value_type(lhs);
                Self($crate::ops::build_one(b, $name, &[lhs, rhs], ty, loc))
            }

            /// The left operand.
            pub fn lhs(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.operand(self.0, 0)
            }

            /// The right operand.
            pub fn rhs(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.operand(self.0, 1)
            }

            /// The result.
            pub fn result(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.result(self.0, 0)
            }
        }
    };
}

/// Declares a one-operand, one-result op with `input` and `result`; each
/// user adds the `build` that fits (casts take the result type, `negf` not).
macro_rules! unary_op {
    (
        $(#[doc = $doc:expr])*
        $ty:ident = $name:literal;
        summary = $summary:literal;
        traits = $traits:expr;
        verifier = $verify:path;
        folder = $fold:path;
        assembly = $assembly:expr;
        $(patterns = [$($pattern:expr),+ $(,)?];)?
    ) => {
        axir_ir::declare_op! {
            $(#[doc = $doc])*
            pub struct $ty = $name;
            summary = $summary;
            traits($traits);
            operands(axir_ir::Arity::Exact(1));
            results(axir_ir::Arity::Exact(1));
            verifier($verify);
            folder($crate::shared_folder!($fold));
            $(interface($crate::ops::canonicalization_patterns!($($pattern),+));)?
            interface($assembly);
        }

        impl $ty {
            /// The operand.
            pub fn input(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.operand(self.0, 0)
            }

            /// The result.
            pub fn result(self, ctx: &axir_ir::Context) -> axir_ir::Value {
                ctx.result(self.0, 0)
            }
        }
    };
}

/// The `CanonicalizationPatterns` interface adding the given patterns.
macro_rules! canonicalization_patterns {
    ($($pattern:expr),+) => {
        axir_rewrite::CanonicalizationPatterns {
            populate: {
                fn populate(patterns: &mut axir_rewrite::RewritePatternSet) {
                    $( patterns.add($pattern); )+
                }
                populate
            },
        }
    };
}

pub(crate) use binary_op;
pub(crate) use canonicalization_patterns;
pub(crate) use unary_op;
