//! Declaring ops once: the [`declare_op!`](crate::declare_op) macro and the
//! [`OpDefinition`] trait it implements.

use crate::context::Context;
use crate::operation::OpId;
use crate::registry::OpInfo;

/// A typed op wrapper declared with [`declare_op!`](crate::declare_op).
pub trait OpDefinition: Sized + Copy {
    /// Full op name, `dialect.op`.
    const NAME: &'static str;
    /// The op's declaration, ready to register.
    fn info() -> OpInfo;
    /// Wraps `op` if it is this op.
    fn from_op(ctx: &Context, op: OpId) -> Option<Self>;
    /// The underlying op handle.
    fn op(self) -> OpId;
}

/// Declares an op once: a typed handle wrapper whose doc comment is the op's
/// description (with its example), and its [`OpInfo`](crate::OpInfo).
///
/// Each `method(args);` line after `summary` calls the `OpInfo` builder
/// method of that name, so every property of the declaration is in one place.
///
/// ```
/// use axir_ir::{declare_op, Arity, OpTraits, OpDefinition};
/// declare_op! {
///     /// Adds two floats.
///     ///
///     /// ```axir
///     /// %0 = test.addf %a, %b : f32
///     /// ```
///     pub struct AddFOp = "test.addf";
///     summary = "floating-point addition";
///     traits(OpTraits::PURE | OpTraits::COMMUTATIVE);
///     operands(Arity::Exact(2));
///     results(Arity::Exact(1));
/// }
/// assert_eq!(AddFOp::info().name, "test.addf");
/// assert!(AddFOp::info().description.contains("test.addf %a, %b"));
/// ```
#[macro_export]
macro_rules! declare_op {
    (
        $(#[doc = $doc:expr])*
        $vis:vis struct $ty:ident = $name:literal;
        summary = $summary:literal;
        $( $method:ident ( $($arg:expr),* $(,)? ); )*
    ) => {
        $(#[doc = $doc])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
        $vis struct $ty(pub $crate::OpId);

        impl $ty {
            /// One-line summary of the op.
            pub const SUMMARY: &'static str = $summary;
            /// The op's description, taken from its doc comment.
            pub const DESCRIPTION: &'static str = concat!($($doc, "\n"),*);
        }

        impl $crate::OpDefinition for $ty {
            const NAME: &'static str = $name;

            fn info() -> $crate::OpInfo {
                $crate::OpInfo::new($name, $summary, Self::DESCRIPTION)
                    $( .$method($($arg),*) )*
            }

            fn from_op(ctx: &$crate::Context, op: $crate::OpId) -> Option<Self> {
                (ctx.op_info(op).map(|i| i.name) == Some($name)).then_some($ty(op))
            }

            fn op(self) -> $crate::OpId {
                self.0
            }
        }
    };
}
