//! Element types: [`DType`], its MLIR and numpy spellings.
//!
//! The MLIR name (`f32`, `ui8`, ...) is what the `array` dialect prints; the
//! numpy name (`float32`, `uint8`, ...) is what `repr` prints; the `.npy`
//! descr (`<f4`, `|u1`, ...) is what files carry.

use std::fmt;

use crate::error::{NdError, Result};

/// The element types of axir arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// Boolean, MLIR `i1`, numpy `bool`.
    I1,
    /// Signed 8-bit integer.
    I8,
    /// Signed 16-bit integer.
    I16,
    /// Signed 32-bit integer.
    I32,
    /// Signed 64-bit integer.
    I64,
    /// Unsigned 8-bit integer, MLIR `ui8`.
    U8,
    /// IEEE binary16.
    F16,
    /// bfloat16 (8-bit exponent, 7-bit mantissa).
    BF16,
    /// IEEE binary32.
    F32,
    /// IEEE binary64.
    F64,
}

impl DType {
    /// Every element type, in declaration order.
    pub const ALL: [DType; 10] = [
        DType::I1,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
    ];

    /// The MLIR element type name: `i1 i8 i16 i32 i64 ui8 f16 bf16 f32 f64`.
    pub fn name(self) -> &'static str {
        match self {
            DType::I1 => "i1",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "ui8",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// Parses an MLIR element type name (the inverse of [`DType::name`]).
    pub fn from_name(name: &str) -> Result<DType> {
        DType::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| NdError::UnknownName { what: "element type", name: name.to_string() })
    }

    /// The numpy dtype name (`bool`, `int8`, ..., `float64`; `bfloat16` as in ml_dtypes).
    pub fn numpy_name(self) -> &'static str {
        match self {
            DType::I1 => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The little-endian `.npy` descr written for this type.
    ///
    /// bf16 has no numpy dtype: it is written as `<V2` (two raw bytes, the
    /// bfloat16 bit pattern little-endian), which is exactly what `np.save`
    /// writes for an `ml_dtypes.bfloat16` array; `np.load(...).view(ml_dtypes.bfloat16)`
    /// recovers it.
    pub fn npy_descr(self) -> &'static str {
        match self {
            DType::I1 => "|b1",
            DType::I8 => "|i1",
            DType::I16 => "<i2",
            DType::I32 => "<i4",
            DType::I64 => "<i8",
            DType::U8 => "|u1",
            DType::F16 => "<f2",
            DType::BF16 => "<V2",
            DType::F32 => "<f4",
            DType::F64 => "<f8",
        }
    }

    /// Size of one element in bytes.
    pub fn size_bytes(self) -> usize {
        match self {
            DType::I1 | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// True for `f16 bf16 f32 f64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// True for the integer types other than `i1`: `i8 i16 i32 i64 ui8`.
    pub fn is_integer(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64 | DType::U8)
    }

    /// True for `i1`.
    pub fn is_bool(self) -> bool {
        self == DType::I1
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
