//! Error types of `axir-ndarray`.
//!
//! Every fallible entry point returns [`Result`]: a bad shape, element type,
//! dimension list or `.npy` file becomes a typed [`NdError`], never a panic.

use crate::dtype::DType;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, NdError>;

/// Everything that can go wrong when building or computing on an [`crate::NdArray`].
#[derive(Debug, thiserror::Error)]
pub enum NdError {
    /// Two shapes cannot be broadcast together (numpy's alignment from the right).
    #[error("shapes {a:?} and {b:?} cannot be broadcast together")]
    Broadcast {
        /// The first shape.
        a: Vec<usize>,
        /// The second shape.
        b: Vec<usize>,
    },
    /// An array cannot be broadcast to a requested shape.
    #[error("cannot broadcast shape {from:?} to shape {to:?}")]
    BroadcastTo {
        /// The source shape.
        from: Vec<usize>,
        /// The requested shape.
        to: Vec<usize>,
    },
    /// An operation does not accept this element type.
    #[error("'{op}' does not support element type {dtype}")]
    UnsupportedDType {
        /// The operation name, as in the `array` dialect (`exp`, `sub`, ...).
        op: &'static str,
        /// The offending element type.
        dtype: DType,
    },
    /// Operands that must share an element type do not (axir never promotes implicitly).
    #[error("'{op}' operands have different element types {a} and {b}")]
    DTypeMismatch {
        /// The operation name.
        op: &'static str,
        /// Element type of the first operand.
        a: DType,
        /// Element type of the offending operand.
        b: DType,
    },
    /// The condition of `select` is not `i1`.
    #[error("'select' condition must have element type i1, got {0}")]
    SelectCondition(DType),
    /// A data vector does not hold as many elements as its shape says.
    #[error("data holds {len} elements but shape {shape:?} needs {expected}")]
    DataLength {
        /// The shape.
        shape: Vec<usize>,
        /// Elements present.
        len: usize,
        /// Elements required by the shape.
        expected: usize,
    },
    /// The number of elements of a shape overflows `usize` or is too large to allocate.
    #[error("shape {0:?} has too many elements")]
    TooLarge(Vec<usize>),
    /// `reshape` changes the number of elements.
    #[error("cannot reshape array of shape {from:?} into shape {to:?}")]
    Reshape {
        /// The source shape.
        from: Vec<usize>,
        /// The requested shape.
        to: Vec<usize>,
    },
    /// A `transpose` permutation is not a permutation of `0..rank`.
    #[error("permutation {perm:?} is not a permutation of the dimensions of a rank-{rank} array")]
    Permutation {
        /// The requested permutation.
        perm: Vec<usize>,
        /// The array rank.
        rank: usize,
    },
    /// A dimension index is out of range.
    #[error("dimension {dim} is out of range for an array of rank {rank}")]
    DimOutOfRange {
        /// The dimension.
        dim: usize,
        /// The array rank.
        rank: usize,
    },
    /// A dimension appears twice in a reduction's dimension list.
    #[error("dimension {0} is repeated")]
    DuplicateDim(usize),
    /// A slice has a step of zero.
    #[error("slice step cannot be zero (dimension {0})")]
    ZeroStep(usize),
    /// More slice specifications than dimensions.
    #[error("too many slice specifications: {count} for an array of rank {rank}")]
    TooManySlices {
        /// Number of specifications given.
        count: usize,
        /// The array rank.
        rank: usize,
    },
    /// `concat` got no operands.
    #[error("'concat' needs at least one operand")]
    EmptyConcat,
    /// A `concat` operand does not fit the first one.
    #[error("'concat' operand #{index} has shape {shape:?}, which does not match {expected:?} outside dimension {dim}")]
    ConcatShape {
        /// Operand index.
        index: usize,
        /// Its shape.
        shape: Vec<usize>,
        /// Shape of operand #0.
        expected: Vec<usize>,
        /// The concatenation dimension.
        dim: usize,
    },
    /// A `matmul` operand has rank 0 (numpy raises the same).
    #[error("'matmul' operands must have rank at least 1")]
    MatmulRank,
    /// The contracted dimensions of `matmul` differ.
    #[error("'matmul' contraction mismatch between shapes {a:?} and {b:?}")]
    MatmulShape {
        /// Shape of the left operand.
        a: Vec<usize>,
        /// Shape of the right operand.
        b: Vec<usize>,
    },
    /// A reduction without identity (max, min, argmax, argmin) over an empty dimension.
    #[error("'{0}' of an empty dimension has no identity")]
    EmptyReduction(&'static str),
    /// `argmax`/`argmin` take exactly one dimension.
    #[error("'{kind}' takes exactly one dimension, got {count}")]
    ArgReduceDims {
        /// `argmax` or `argmin`.
        kind: &'static str,
        /// Number of dimensions given.
        count: usize,
    },
    /// Integer `pow` with a negative exponent (numpy raises `ValueError`).
    #[error("integers to negative integer powers are not allowed")]
    NegativeIntegerPower,
    /// A name that does not denote a known op, predicate, reduction or dtype.
    #[error("unknown {what} '{name}'")]
    UnknownName {
        /// What kind of name was looked up.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A malformed or unsupported `.npy` file.
    #[error("invalid .npy data: {0}")]
    Npy(#[from] NpyError),
    /// An I/O failure while loading or saving a `.npy` file.
    #[error("i/o error on '{path}': {source}")]
    Io {
        /// The file path.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Why a `.npy` byte stream was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpyError {
    /// The stream does not start with `\x93NUMPY`.
    #[error("missing magic string")]
    BadMagic,
    /// The stream ends before a field that must be present.
    #[error("truncated: needed {needed} bytes for the {what}, found {found}")]
    Truncated {
        /// The part being read.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        found: usize,
    },
    /// A format version other than 1.0, 2.0 or 3.0.
    #[error("unsupported format version {0}.{1}")]
    Version(u8, u8),
    /// The header is not valid latin-1 (v1, v2) or UTF-8 (v3) text.
    #[error("header is not valid text")]
    HeaderEncoding,
    /// The header dictionary does not parse.
    #[error("header syntax error at byte {pos}: {message}")]
    HeaderSyntax {
        /// Byte offset inside the header text.
        pos: usize,
        /// What was expected.
        message: String,
    },
    /// A required key is missing from the header.
    #[error("header lacks key '{0}'")]
    MissingKey(&'static str),
    /// The header has a key other than `descr`, `fortran_order`, `shape`.
    #[error("header has unexpected key '{0}'")]
    UnknownKey(String),
    /// A key has a value of the wrong kind.
    #[error("header key '{0}' has a value of the wrong kind")]
    BadValue(&'static str),
    /// The `descr` names an element type axir does not have.
    #[error("unsupported dtype descr '{0}'")]
    UnsupportedDescr(String),
    /// The shape's element count overflows.
    #[error("shape {0:?} has too many elements")]
    ShapeOverflow(Vec<usize>),
    /// The data section is shorter or longer than the shape requires.
    #[error("data section has {found} bytes, shape and dtype need {expected}")]
    DataLength {
        /// Bytes required.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
}
