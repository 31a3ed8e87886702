//! `cast` between every pair of element types, and the scalar float
//! conversions the rest of the crate shares.
//!
//! Rules (numpy `astype` where numpy defines the result):
//! - int → int wraps (two's complement truncation), like numpy;
//! - int → float rounds to nearest even (i64 → f32 directly, not via f64);
//! - float → int truncates toward zero; out-of-range values **saturate** and
//!   NaN gives 0, like Rust's `as` (numpy leaves this undefined: it is C UB
//!   and platform dependent);
//! - anything → `i1` is `x != 0` (so NaN → true, as `bool(nan)` in numpy);
//!   `i1` → anything is 0 or 1;
//! - float → float rounds to nearest even; f64 → f16 is correctly rounded
//!   (numpy's `npy_double_to_half` is direct too);
//! - → bf16 goes through f32 (so f64 and i32/i64 sources round twice): that
//!   is what `ml_dtypes.bfloat16` (Eigen's conversion) does, and ml_dtypes is
//!   the reference for bf16.

use half::{bf16, f16};

use crate::array::{Data, NdArray};
use crate::dtype::DType;
use crate::error::Result;

/// f64 → f16 correctly rounded (nearest even).
///
/// `half`'s own conversion goes through f32 (or truncates low bits), which
/// rounds twice; rounding to f32 *to odd* first keeps a sticky bit, and f32
/// has more than 11 + 2 bits, so the final nearest-even rounding is exact.
pub(crate) fn f16_from_f64(x: f64) -> f16 {
    let r = x as f32;
    if !r.is_finite() || f64::from(r) == x {
        return f16::from_f32(r);
    }
    let mut bits = r.to_bits();
    if f64::from(r).abs() > x.abs() {
        // Step the magnitude down one ulp: truncation toward zero.
        bits -= 1;
    }
    f16::from_f32(f32::from_bits(bits | 1))
}

/// f64 → bf16 through f32, like ml_dtypes.
pub(crate) fn bf16_from_f64(x: f64) -> bf16 {
    bf16::from_f32(x as f32)
}

/// An empty storage of the given type.
pub(crate) fn empty_data(dtype: DType) -> Data {
    match dtype {
        DType::I1 => Data::I1(Vec::new()),
        DType::I8 => Data::I8(Vec::new()),
        DType::I16 => Data::I16(Vec::new()),
        DType::I32 => Data::I32(Vec::new()),
        DType::I64 => Data::I64(Vec::new()),
        DType::U8 => Data::U8(Vec::new()),
        DType::F16 => Data::F16(Vec::new()),
        DType::BF16 => Data::BF16(Vec::new()),
        DType::F32 => Data::F32(Vec::new()),
        DType::F64 => Data::F64(Vec::new()),
    }
}

/// Builds a storage of `dtype` from an iterator of integer values (wrapping rules).
fn from_ints(dtype: DType, it: impl Iterator<Item = i64>) -> Data {
    match dtype {
        DType::I1 => Data::I1(it.map(|v| v != 0).collect()),
        DType::I8 => Data::I8(it.map(|v| v as i8).collect()),
        DType::I16 => Data::I16(it.map(|v| v as i16).collect()),
        DType::I32 => Data::I32(it.map(|v| v as i32).collect()),
        DType::I64 => Data::I64(it.collect()),
        DType::U8 => Data::U8(it.map(|v| v as u8).collect()),
        DType::F16 => Data::F16(it.map(|v| f16_from_f64(v as f64)).collect()),
        DType::BF16 => Data::BF16(it.map(|v| bf16::from_f32(v as f32)).collect()),
        DType::F32 => Data::F32(it.map(|v| v as f32).collect()),
        DType::F64 => Data::F64(it.map(|v| v as f64).collect()),
    }
}

/// Builds a storage of `dtype` from exact f64 images of float values.
fn from_floats(dtype: DType, it: impl Iterator<Item = f64>) -> Data {
    match dtype {
        DType::I1 => Data::I1(it.map(|v| v != 0.0).collect()),
        // Rust's float → int `as` truncates toward zero, saturates and maps NaN to 0.
        DType::I8 => Data::I8(it.map(|v| v as i8).collect()),
        DType::I16 => Data::I16(it.map(|v| v as i16).collect()),
        DType::I32 => Data::I32(it.map(|v| v as i32).collect()),
        DType::I64 => Data::I64(it.map(|v| v as i64).collect()),
        DType::U8 => Data::U8(it.map(|v| v as u8).collect()),
        DType::F16 => Data::F16(it.map(f16_from_f64).collect()),
        DType::BF16 => Data::BF16(it.map(bf16_from_f64).collect()),
        DType::F32 => Data::F32(it.map(|v| v as f32).collect()),
        DType::F64 => Data::F64(it.collect()),
    }
}

/// `cast(x, dtype)`: converts every element (see the module docs for the rules).
pub fn cast(x: &NdArray, dtype: DType) -> Result<NdArray> {
    let data = match x.data() {
        Data::I1(v) => from_ints(dtype, v.iter().map(|&b| i64::from(b))),
        Data::I8(v) => from_ints(dtype, v.iter().map(|&b| i64::from(b))),
        Data::I16(v) => from_ints(dtype, v.iter().map(|&b| i64::from(b))),
        Data::I32(v) => from_ints(dtype, v.iter().map(|&b| i64::from(b))),
        Data::I64(v) => from_ints(dtype, v.iter().copied()),
        Data::U8(v) => from_ints(dtype, v.iter().map(|&b| i64::from(b))),
        // f16 and bf16 keep their NaN-ness and exact value through f64.
        Data::F16(v) => match dtype {
            DType::F16 => Data::F16(v.clone()),
            _ => from_floats(dtype, v.iter().map(|&b| f64::from(b))),
        },
        Data::BF16(v) => match dtype {
            DType::BF16 => Data::BF16(v.clone()),
            _ => from_floats(dtype, v.iter().map(|&b| f64::from(b))),
        },
        Data::F32(v) => from_floats(dtype, v.iter().map(|&b| f64::from(b))),
        Data::F64(v) => from_floats(dtype, v.iter().copied()),
    };
    NdArray::new(x.shape().to_vec(), data)
}
