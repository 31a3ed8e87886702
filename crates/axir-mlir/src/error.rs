//! Errors of the call API: each says which function, which parameter and
//! what is wrong, so that a caller can report it without the IR at hand.
//! (Problems with the program itself are located [`axir_ir::Diagnostic`]s.)

use axir_ndarray::DType;

/// Why a call of compiled code was refused (nothing ran) or, for
/// [`CallError::RunTime`], stopped by a run-time check before it touched
/// any buffer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// A run-time shape check of the function failed (dynamic dims that do
    /// not broadcast, contract or reshape, a reduction without identity
    /// over an empty dim): the message the interpreter would give, with
    /// the run-time sizes, and where in the program the check comes from.
    #[error("@{function}: {message}")]
    RunTime {
        /// The function.
        function: String,
        /// The check's message, its values filled in.
        message: String,
        /// `(file, line, column)` of the op the check is for, if known.
        location: Option<(String, u32, u32)>,
    },
    /// The module has no public function of that name.
    #[error("no function named @{name} in the compiled module (functions: {available})")]
    UnknownFunction {
        /// The name asked for.
        name: String,
        /// The functions there are, for the message.
        available: String,
    },
    /// The function's signature cannot be called through the C interface.
    #[error("@{function} cannot be called: {reason}")]
    UnsupportedSignature {
        /// The function.
        function: String,
        /// Why.
        reason: String,
    },
    /// Wrong number of arguments.
    #[error("@{function} takes {expected} arguments, but {got} were given")]
    Arity {
        /// The function.
        function: String,
        /// Its number of parameters.
        expected: usize,
        /// The number of arguments given.
        got: usize,
    },
    /// A buffer was given for a scalar, or the reverse, or a shared buffer
    /// where the function writes.
    #[error("@{function}: argument #{param} must be {expected}, but {got} was given")]
    Kind {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// What the parameter takes.
        expected: &'static str,
        /// What was given.
        got: &'static str,
    },
    /// Wrong element type.
    #[error("@{function}: argument #{param} must have dtype {}, but has dtype {}", expected.name(), got.name())]
    DType {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The parameter's element type.
        expected: DType,
        /// The argument's.
        got: DType,
    },
    /// Wrong rank.
    #[error("@{function}: argument #{param} must have rank {expected}, but has rank {got}")]
    Rank {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The parameter's rank.
        expected: usize,
        /// The argument's.
        got: usize,
    },
    /// A dim contradicts the parameter's static type, or the size an output
    /// must have.
    #[error("@{function}: dim {dim} of argument #{param} must be {expected} ({why}), but is {got}")]
    Dim {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The dim.
        dim: usize,
        /// The size it must have.
        expected: i64,
        /// The size it has.
        got: usize,
        /// Where the expected size comes from.
        why: String,
    },
    /// A stride contradicts the parameter's static layout.
    #[error(
        "@{function}: dim {dim} of argument #{param} must have stride {expected}, but has stride {got}; \
         a parameter typed with strided<[?, ...], offset: ?> accepts any strides"
    )]
    Stride {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The dim.
        dim: usize,
        /// The static stride.
        expected: i64,
        /// The argument's.
        got: isize,
    },
    /// The view starts before the static offset of the parameter's layout.
    #[error(
        "@{function}: argument #{param} has offset {got}, below the static offset {expected} of its type"
    )]
    Offset {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The static offset.
        expected: i64,
        /// The argument's.
        got: usize,
    },
    /// A scalar argument of the wrong type.
    #[error("@{function}: argument #{param} must be a scalar of dtype {}, but has dtype {}", expected.name(), got.name())]
    ScalarType {
        /// The function.
        function: String,
        /// The parameter.
        param: usize,
        /// The parameter's type.
        expected: DType,
        /// The argument's.
        got: DType,
    },
    /// The shape and strides given to a buffer constructor disagree.
    #[error("{shape_len} sizes but {strides_len} strides")]
    StridesRank {
        /// Number of sizes.
        shape_len: usize,
        /// Number of strides.
        strides_len: usize,
    },
    /// The view reaches elements outside the data it was built on.
    #[error("the view (offset {offset}, shape {shape:?}, strides {strides:?}) reaches element {reach} of data holding {len} elements")]
    OutOfBounds {
        /// Offset in elements.
        offset: usize,
        /// Sizes.
        shape: Vec<usize>,
        /// Strides in elements.
        strides: Vec<isize>,
        /// The first element index outside `0..len` the view reaches.
        reach: i128,
        /// Elements available.
        len: usize,
    },
    /// The data pointer is not aligned for the element type.
    #[error("data at address {address:#x} is not aligned to {align} bytes, as dtype {} needs", dtype.name())]
    Misaligned {
        /// The address.
        address: usize,
        /// The alignment needed.
        align: usize,
        /// The element type.
        dtype: DType,
    },
    /// A null data pointer.
    #[error("null data pointer")]
    NullPointer,
    /// The byte length is not a whole number of elements.
    #[error("{len} bytes is not a whole number of {} elements", dtype.name())]
    ByteLength {
        /// The length in bytes.
        len: usize,
        /// The element type.
        dtype: DType,
    },
}
