//! [`ApFloat`]: an IEEE value held in its own format (f16, bf16, f32, f64),
//! with the exact arithmetic the folders need.
//!
//! **Every operation rounds once, in the value's own precision.** f32 and
//! f64 compute natively. f16 and bf16 compute in f32 and round once to
//! their format: for `+ - * / sqrt` that is exact rounding, because f32
//! carries more than twice their precision plus two bits (Figueroa's
//! double-rounding theorem); `rem`, `neg`, `abs`, `copysign` and rounding to
//! an integral value are exact in any format.
//!
//! NaNs follow LLVM's APFloat, whose folds MLIR's are: an operation with a
//! NaN operand returns the first NaN operand, quieted, with its sign and
//! payload; an invalid operation on non-NaN operands (`inf - inf`, `0 / 0`)
//! returns the default NaN (positive, quiet, zero payload). Sign operations
//! (`neg`, `abs`, `copysign`) only touch the sign bit, even on NaNs.

use axir_ir::FloatKind;
use half::{bf16, f16};
use std::cmp::Ordering;

use crate::apint::ApInt;

/// An IEEE floating-point value stored as the bits of its own format.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct ApFloat {
    kind: FloatKind,
    bits: u64,
}

/// Width of the exponent and of the stored mantissa of each format.
fn layout(kind: FloatKind) -> (u32, u32) {
    match kind {
        FloatKind::F16 => (5, 10),
        FloatKind::BF16 => (8, 7),
        FloatKind::F32 => (8, 23),
        FloatKind::F64 => (11, 52),
    }
}

/// Rounds a finite or infinite `v` to the nearest value of `kind` (ties to
/// even), subnormals and overflow to infinity included; the result is
/// returned as the exact `f64` of that value.
fn round_f64_to(v: f64, kind: FloatKind) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    let (e_bits, m_bits) = layout(kind);
    let precision = m_bits as i32 + 1;
    let bias = (1i32 << (e_bits - 1)) - 1;
    let (emin, emax) = (1 - bias, bias);
    let bits = v.abs().to_bits();
    let (exp_field, frac) = ((bits >> 52) as i32, bits & ((1u64 << 52) - 1));
    // |v| = m * 2^e with an integer m.
    let (m, e) = if exp_field == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_field - 1075) };
    let value_exp = e + (63 - m.leading_zeros() as i32);
    // The spacing of `kind`'s values around |v|: fixed below the normal range.
    let quantum = (value_exp - (precision - 1)).max(emin - (precision - 1));
    if e >= quantum {
        return v;
    }
    let shift = (quantum - e) as u32;
    let q = if shift > 53 {
        // m < 2^53 <= half a quantum: rounds to zero.
        0
    } else {
        let q = m >> shift;
        let rem = m & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        q + (rem > half || (rem == half && q & 1 == 1)) as u64
    };
    let r = (q as f64) * 2f64.powi(quantum);
    let r = if r >= 2f64.powi(emax + 1) { f64::INFINITY } else { r };
    r.copysign(v)
}

impl ApFloat {
    /// The value whose bit pattern in `kind` is `bits` (extra high bits are dropped).
    pub fn from_bits(kind: FloatKind, bits: u64) -> Self {
        let width = kind.width();
        let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
        Self { kind, bits: bits & mask }
    }

    /// The bit pattern in the value's own format.
    pub fn bits(self) -> u64 {
        self.bits
    }

    /// The format.
    pub fn kind(self) -> FloatKind {
        self.kind
    }

    /// An f32 value.
    pub fn from_f32(v: f32) -> Self {
        Self { kind: FloatKind::F32, bits: v.to_bits() as u64 }
    }

    /// An f64 value.
    pub fn from_f64(v: f64) -> Self {
        Self { kind: FloatKind::F64, bits: v.to_bits() }
    }

    /// `value` rounded to `kind` (to nearest, ties to even).
    pub fn from_f64_rounded(value: f64, kind: FloatKind) -> Self {
        Self::from_f64(value).convert(kind)
    }

    /// Reads the storage of a float attribute: the `f64` bits of a value of
    /// `kind`. Exact for every value, NaN payloads included (NaNs are moved
    /// bit by bit, not through a hardware conversion that may quiet them).
    pub fn from_storage(kind: FloatKind, storage: u64) -> Self {
        let wide = Self::from_f64(f64::from_bits(storage));
        if wide.is_nan() {
            wide.convert_nan(kind)
        } else {
            wide.convert(kind)
        }
    }

    /// The storage of a float attribute for this value: the `f64` bits of
    /// the same value, NaN payloads moved bit by bit. Inverse of
    /// [`ApFloat::from_storage`].
    pub fn to_storage(self) -> u64 {
        if self.is_nan() {
            self.convert_nan(FloatKind::F64).bits
        } else {
            self.to_f64().to_bits()
        }
    }

    /// Positive zero of `kind`.
    pub fn zero(kind: FloatKind) -> Self {
        Self { kind, bits: 0 }
    }

    /// `-0.0` of `kind`.
    pub fn neg_zero(kind: FloatKind) -> Self {
        -Self::zero(kind)
    }

    /// `1.0` of `kind`.
    pub fn one(kind: FloatKind) -> Self {
        Self::from_f64_rounded(1.0, kind)
    }

    /// `+inf` of `kind`.
    pub fn infinity(kind: FloatKind) -> Self {
        let (e, m) = layout(kind);
        Self { kind, bits: ((1u64 << e) - 1) << m }
    }

    /// The default NaN of `kind`: positive, quiet, zero payload (APFloat's `getNaN`).
    pub fn default_nan(kind: FloatKind) -> Self {
        let (_, m) = layout(kind);
        Self { kind, bits: Self::infinity(kind).bits | (1u64 << (m - 1)) }
    }

    fn sign_bit(self) -> u64 {
        1u64 << (self.kind.width() - 1)
    }

    fn exponent_field(self) -> u64 {
        let (e, m) = layout(self.kind);
        (self.bits >> m) & ((1u64 << e) - 1)
    }

    fn mantissa_field(self) -> u64 {
        let (_, m) = layout(self.kind);
        self.bits & ((1u64 << m) - 1)
    }

    /// Whether the value is a NaN.
    pub fn is_nan(self) -> bool {
        let (e, _) = layout(self.kind);
        self.exponent_field() == (1u64 << e) - 1 && self.mantissa_field() != 0
    }

    /// Whether the value is a signaling NaN (quiet bit clear).
    pub fn is_signaling(self) -> bool {
        let (_, m) = layout(self.kind);
        self.is_nan() && self.bits & (1u64 << (m - 1)) == 0
    }

    /// Whether the value is `+inf` or `-inf`.
    pub fn is_infinite(self) -> bool {
        let (e, _) = layout(self.kind);
        self.exponent_field() == (1u64 << e) - 1 && self.mantissa_field() == 0
    }

    /// Whether the value is `+0.0` or `-0.0`.
    pub fn is_zero(self) -> bool {
        self.bits & !self.sign_bit() == 0
    }

    /// Whether the sign bit is set (also for `-0.0` and negative NaNs).
    pub fn is_negative(self) -> bool {
        self.bits & self.sign_bit() != 0
    }

    /// The same NaN with its quiet bit set; other values unchanged.
    pub fn quiet(self) -> Self {
        if !self.is_nan() {
            return self;
        }
        let (_, m) = layout(self.kind);
        Self { kind: self.kind, bits: self.bits | (1u64 << (m - 1)) }
    }

    /// The value with its sign bit cleared (`math.absf`).
    pub fn abs(self) -> Self {
        Self { kind: self.kind, bits: self.bits & !self.sign_bit() }
    }

    /// The magnitude of `self` with the sign of `sign` (`math.copysign`).
    pub fn copysign(self, sign: ApFloat) -> Self {
        let s = if sign.is_negative() { self.sign_bit() } else { 0 };
        Self { kind: self.kind, bits: (self.bits & !self.sign_bit()) | s }
    }

    /// The value as an `f64`: exact for every non-NaN value of every format.
    pub fn to_f64(self) -> f64 {
        match self.kind {
            FloatKind::F16 => f16::from_bits(self.bits as u16).to_f64(),
            FloatKind::BF16 => bf16::from_bits(self.bits as u16).to_f64(),
            FloatKind::F32 => f32::from_bits(self.bits as u32) as f64,
            FloatKind::F64 => f64::from_bits(self.bits),
        }
    }

    /// The value as an `f32`: exact for f16, bf16 and f32 values.
    pub fn to_f32(self) -> f32 {
        match self.kind {
            FloatKind::F16 => f16::from_bits(self.bits as u16).to_f32(),
            FloatKind::BF16 => bf16::from_bits(self.bits as u16).to_f32(),
            FloatKind::F32 => f32::from_bits(self.bits as u32),
            FloatKind::F64 => f64::from_bits(self.bits) as f32,
        }
    }

    /// Rounds an f32 result to `kind` (exact for f32, f64).
    fn round_f32(v: f32, kind: FloatKind) -> Self {
        let bits = match kind {
            FloatKind::F16 => f16::from_f32(v).to_bits() as u64,
            FloatKind::BF16 => bf16::from_f32(v).to_bits() as u64,
            FloatKind::F32 => v.to_bits() as u64,
            FloatKind::F64 => (v as f64).to_bits(),
        };
        Self { kind, bits }
    }

    /// Converts to `kind`, rounding to nearest with ties to even
    /// (`arith.extf` is exact, `arith.truncf` rounds). NaNs keep their sign
    /// and the high bits of their payload, and come out quiet.
    pub fn convert(self, kind: FloatKind) -> Self {
        if self.is_nan() {
            return self.convert_nan(kind).quiet();
        }
        if kind == self.kind {
            return self;
        }
        // Every non-NaN value is exact in f64. The `half` crate's f64
        // conversions drop low bits before rounding, so the rounding to
        // f16/bf16 is done here and `half` only re-encodes exact values.
        let v = self.to_f64();
        let bits = match kind {
            FloatKind::F16 => f16::from_f64(round_f64_to(v, kind)).to_bits() as u64,
            FloatKind::BF16 => bf16::from_f64(round_f64_to(v, kind)).to_bits() as u64,
            FloatKind::F32 => (v as f32).to_bits() as u64,
            FloatKind::F64 => v.to_bits(),
        };
        Self { kind, bits }
    }

    /// Moves a NaN to `kind` bit by bit: sign, then the payload aligned on
    /// its most significant bit. A payload that would vanish becomes quiet.
    fn convert_nan(self, kind: FloatKind) -> Self {
        let (_, m_from) = layout(self.kind);
        let (_, m_to) = layout(kind);
        let payload = self.mantissa_field();
        let mut moved = if m_to >= m_from { payload << (m_to - m_from) } else { payload >> (m_from - m_to) };
        if moved == 0 {
            moved = 1u64 << (m_to - 1);
        }
        let to = Self::infinity(kind);
        let sign = if self.is_negative() { to.sign_bit() } else { 0 };
        Self { kind, bits: sign | to.bits | moved }
    }

    /// Applies a binary IEEE operation: NaN operands propagate (first one
    /// wins, quieted), otherwise `f32`/`f64` compute the result, and a NaN
    /// created by an invalid operation becomes the default NaN.
    fn binary(self, rhs: Self, f32_op: fn(f32, f32) -> f32, f64_op: fn(f64, f64) -> f64) -> Self {
        debug_assert_eq!(self.kind, rhs.kind);
        if self.is_nan() {
            return self.quiet();
        }
        if rhs.is_nan() {
            return rhs.quiet();
        }
        let r = match self.kind {
            FloatKind::F64 => Self::from_f64(f64_op(self.to_f64(), rhs.to_f64())),
            kind => Self::round_f32(f32_op(self.to_f32(), rhs.to_f32()), kind),
        };
        if r.is_nan() {
            Self::default_nan(self.kind)
        } else {
            r
        }
    }

    /// Applies a unary operation with the same NaN rules as binary ones.
    /// `f32_op` must be exactly rounded for f16/bf16 results to be exact.
    pub fn unary(self, f32_op: impl Fn(f32) -> f32, f64_op: impl Fn(f64) -> f64) -> Self {
        if self.is_nan() {
            return self.quiet();
        }
        let r = match self.kind {
            FloatKind::F64 => Self::from_f64(f64_op(self.to_f64())),
            kind => Self::round_f32(f32_op(self.to_f32()), kind),
        };
        if r.is_nan() {
            Self::default_nan(self.kind)
        } else {
            r
        }
    }

    /// `self * b + c` with a single rounding; `None` for f16/bf16, where
    /// computing in f32 would round twice.
    pub fn fma(self, b: Self, c: Self) -> Option<Self> {
        for v in [self, b, c] {
            if v.is_nan() {
                return Some(v.quiet());
            }
        }
        let r = match self.kind {
            FloatKind::F64 => Self::from_f64(self.to_f64().mul_add(b.to_f64(), c.to_f64())),
            FloatKind::F32 => Self::from_f32(self.to_f32().mul_add(b.to_f32(), c.to_f32())),
            FloatKind::F16 | FloatKind::BF16 => return None,
        };
        Some(if r.is_nan() { Self::default_nan(self.kind) } else { r })
    }

    /// IEEE 754-2019 `maximum` (`arith.maximumf`): NaN if either is NaN,
    /// and `-0.0 < +0.0`.
    pub fn maximum(self, rhs: Self) -> Self {
        self.min_max(rhs, true, true)
    }

    /// IEEE 754-2019 `minimum` (`arith.minimumf`): NaN if either is NaN,
    /// and `-0.0 < +0.0`.
    pub fn minimum(self, rhs: Self) -> Self {
        self.min_max(rhs, false, true)
    }

    /// `maxnum` (`arith.maxnumf`): a NaN operand is ignored in favour of
    /// the other; `-0.0 < +0.0`.
    pub fn maxnum(self, rhs: Self) -> Self {
        self.min_max(rhs, true, false)
    }

    /// `minnum` (`arith.minnumf`): a NaN operand is ignored in favour of
    /// the other; `-0.0 < +0.0`.
    pub fn minnum(self, rhs: Self) -> Self {
        self.min_max(rhs, false, false)
    }

    fn min_max(self, rhs: Self, max: bool, propagate_nan: bool) -> Self {
        match (self.is_nan(), rhs.is_nan()) {
            (true, _) if propagate_nan => return self.quiet(),
            (_, true) if propagate_nan => return rhs.quiet(),
            (true, true) => return self.quiet(),
            (true, false) => return rhs,
            (false, true) => return self,
            (false, false) => {}
        }
        if self.is_zero() && rhs.is_zero() {
            // Signed zeros are ordered: -0.0 < +0.0.
            let self_first = self.is_negative() != max;
            return if self_first { self } else { rhs };
        }
        let self_greater = self.to_f64() > rhs.to_f64();
        if self_greater == max {
            self
        } else {
            rhs
        }
    }

    /// IEEE comparison; `None` when unordered (either is NaN).
    pub fn partial_cmp(self, rhs: Self) -> Option<Ordering> {
        if self.is_nan() || rhs.is_nan() {
            return None;
        }
        self.to_f64().partial_cmp(&rhs.to_f64())
    }

    /// Converts to an integer of `width` bits, truncating toward zero
    /// (`arith.fptosi`/`fptoui`); `None` for NaN and values out of range,
    /// which are poison.
    pub fn to_int(self, width: u32, signed: bool) -> Option<ApInt> {
        if self.is_nan() || self.is_infinite() {
            return None;
        }
        let t = self.to_f64().trunc();
        // Powers of two are exact in f64 for every supported width.
        let (lo, hi) = if signed {
            (-(2f64.powi(width as i32 - 1)), 2f64.powi(width as i32 - 1))
        } else {
            (0.0, 2f64.powi(width as i32))
        };
        if !(lo..hi).contains(&t) {
            return None;
        }
        // In range and integral: the casts below are exact.
        Some(if t < 0.0 { ApInt::from_i128(width, t as i128) } else { ApInt::from_u128(width, t as u128) })
    }

    /// Converts an integer to `kind`, rounding to nearest with ties to even
    /// (`arith.sitofp`/`uitofp`). The rounding is done on the integer, once,
    /// so it is exact even where going through f64 would round twice.
    pub fn from_int(value: ApInt, signed: bool, kind: FloatKind) -> Self {
        let (negative, magnitude) = if signed && value.is_sign_bit_set() {
            (true, value.sext_value().unsigned_abs())
        } else {
            (false, value.zext_value())
        };
        let r = Self::from_magnitude(magnitude, kind);
        if negative {
            -r
        } else {
            r
        }
    }

    fn from_magnitude(magnitude: u128, kind: FloatKind) -> Self {
        if magnitude == 0 {
            return Self::zero(kind);
        }
        let precision = layout(kind).1 + 1;
        let len = 128 - magnitude.leading_zeros();
        let (q, shift) = if len <= precision {
            (magnitude, 0)
        } else {
            let shift = len - precision;
            let q = magnitude >> shift;
            let rem = magnitude & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            let up = rem > half || (rem == half && q & 1 == 1);
            (q + up as u128, shift)
        };
        // q has at most 54 significant bits and q * 2^shift is below
        // 2^129: both are exact in f64, and converting to `kind` can only
        // overflow to infinity, never round again.
        let value = (q as f64) * 2f64.powi(shift as i32);
        Self::from_f64(value).convert(kind)
    }
}

/// IEEE addition, rounded once in the operands' format.
impl std::ops::Add for ApFloat {
    type Output = ApFloat;
    fn add(self, rhs: Self) -> Self {
        self.binary(rhs, |a, b| a + b, |a, b| a + b)
    }
}

/// IEEE subtraction, rounded once in the operands' format.
impl std::ops::Sub for ApFloat {
    type Output = ApFloat;
    fn sub(self, rhs: Self) -> Self {
        self.binary(rhs, |a, b| a - b, |a, b| a - b)
    }
}

/// IEEE multiplication, rounded once in the operands' format.
impl std::ops::Mul for ApFloat {
    type Output = ApFloat;
    fn mul(self, rhs: Self) -> Self {
        self.binary(rhs, |a, b| a * b, |a, b| a * b)
    }
}

/// IEEE division, rounded once in the operands' format.
impl std::ops::Div for ApFloat {
    type Output = ApFloat;
    fn div(self, rhs: Self) -> Self {
        self.binary(rhs, |a, b| a / b, |a, b| a / b)
    }
}

/// The remainder of the division truncated toward zero (C's `fmod`,
/// APFloat's `mod`): exact, with the sign of the dividend.
impl std::ops::Rem for ApFloat {
    type Output = ApFloat;
    fn rem(self, rhs: Self) -> Self {
        self.binary(rhs, |a, b| a % b, |a, b| a % b)
    }
}

/// Flips the sign bit (`arith.negf`), also of zeros and NaNs.
impl std::ops::Neg for ApFloat {
    type Output = ApFloat;
    fn neg(self) -> Self {
        Self { kind: self.kind, bits: self.bits ^ self.sign_bit() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32v(v: f32) -> ApFloat {
        ApFloat::from_f32(v)
    }

    #[test]
    fn nan_propagation_keeps_first_payload_and_sign() {
        let a = ApFloat::from_bits(FloatKind::F32, 0xFFC0_0123);
        let b = ApFloat::from_bits(FloatKind::F32, 0x7FC0_0456);
        assert_eq!((a + b).bits(), 0xFFC0_0123);
        assert_eq!((b + a).bits(), 0x7FC0_0456);
        assert_eq!((f32v(1.0) * b).bits(), 0x7FC0_0456);
        // A signaling NaN comes out quiet, payload kept.
        let s = ApFloat::from_bits(FloatKind::F32, 0x7F80_0001);
        assert!(s.is_signaling());
        assert_eq!((s - f32v(1.0)).bits(), 0x7FC0_0001);
    }

    #[test]
    fn invalid_operations_give_the_default_nan() {
        let inf = ApFloat::infinity(FloatKind::F32);
        assert_eq!((inf - inf).bits(), 0x7FC0_0000);
        assert_eq!((f32v(0.0) / f32v(0.0)).bits(), 0x7FC0_0000);
        assert_eq!((f32v(1.0) % f32v(0.0)).bits(), 0x7FC0_0000);
        assert_eq!(ApFloat::default_nan(FloatKind::F64).bits(), 0x7FF8_0000_0000_0000);
        assert_eq!(ApFloat::default_nan(FloatKind::F16).bits(), 0x7E00);
        assert_eq!(ApFloat::default_nan(FloatKind::BF16).bits(), 0x7FC0);
    }

    #[test]
    fn f32_arithmetic_is_done_in_f32() {
        // 16777216 + 1 is 16777217 in f64 but rounds to 16777216 in f32.
        assert_eq!((f32v(16_777_216.0) + f32v(1.0)).to_f64(), 16_777_216.0);
        // 0.1f + 0.2f rounds to 0x3E99999A in f32.
        assert_eq!((f32v(0.1) + f32v(0.2)).bits(), 0x3E99_999A);
    }

    #[test]
    fn signed_zero_rules() {
        let pz = f32v(0.0);
        let nz = f32v(-0.0);
        assert_eq!((nz + nz).bits(), 0x8000_0000);
        assert_eq!((nz + pz).bits(), 0);
        assert_eq!((pz - pz).bits(), 0);
        assert_eq!(pz.maximum(nz).bits(), 0);
        assert_eq!(nz.maximum(pz).bits(), 0);
        assert_eq!(pz.minimum(nz).bits(), 0x8000_0000);
        assert_eq!(nz.minnum(pz).bits(), 0x8000_0000);
        assert_eq!(pz.maxnum(nz).bits(), 0);
    }

    #[test]
    fn min_max_nan_rules() {
        let nan = ApFloat::from_bits(FloatKind::F32, 0x7FC0_0007);
        let one = f32v(1.0);
        assert_eq!(one.maximum(nan).bits(), 0x7FC0_0007);
        assert_eq!(nan.minimum(one).bits(), 0x7FC0_0007);
        assert_eq!(one.maxnum(nan), one);
        assert_eq!(nan.minnum(one), one);
    }

    #[test]
    fn f16_rounds_once() {
        // 2049 is not an f16 (11-bit significand): ties to even gives 2048.
        let a = ApFloat::from_f64_rounded(2048.0, FloatKind::F16);
        let one = ApFloat::one(FloatKind::F16);
        assert_eq!((a + one).to_f64(), 2048.0);
        // 65504 + 16 is exactly half-way to 65536: rounds to even, i.e. inf.
        let max = ApFloat::from_f64_rounded(65504.0, FloatKind::F16);
        let sixteen = ApFloat::from_f64_rounded(16.0, FloatKind::F16);
        assert!((max + sixteen).is_infinite());
        let eight = ApFloat::from_f64_rounded(8.0, FloatKind::F16);
        assert_eq!((max + eight).to_f64(), 65504.0);
    }

    #[test]
    fn f64_to_f16_rounds_directly() {
        // 1 + 2^-11 + 2^-40: just above the half-way point between f16's
        // 1.0 and 1 + 2^-10. Rounding through f32 would drop 2^-40 and tie
        // to 1.0; the exact result is 1 + 2^-10.
        let v = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(ApFloat::from_f64(v).convert(FloatKind::F16).to_f64(), 1.0 + 2f64.powi(-10));
    }

    #[test]
    fn f64_to_half_formats_round_to_nearest_even() {
        let f16v = |v: f64| ApFloat::from_f64(v).convert(FloatKind::F16);
        // The smallest f16 subnormal is 2^-24; half of it ties to even (0).
        assert_eq!(f16v(2f64.powi(-25)).bits(), 0);
        assert_eq!(f16v(2f64.powi(-25) * 1.000001).bits(), 1);
        assert_eq!(f16v(3.0 * 2f64.powi(-25)).bits(), 2);
        assert_eq!(f16v(-1e-10).bits(), 0x8000);
        assert_eq!(f16v(65519.99).to_f64(), 65504.0);
        assert_eq!(f16v(65520.0).bits(), 0x7C00);
        assert_eq!(f16v(-1e300).bits(), 0xFC00);
        // bf16 keeps 8 significant bits: 1 + 2^-8 ties to even (1.0);
        // anything above rounds up.
        let bf16v = |v: f64| ApFloat::from_f64(v).convert(FloatKind::BF16).to_f64();
        assert_eq!(bf16v(1.0 + 2f64.powi(-8)), 1.0);
        assert_eq!(bf16v(1.0 + 2f64.powi(-8) + 2f64.powi(-40)), 1.0 + 2f64.powi(-7));
        // 3e38 = 1.7632.. * 2^127: the nearest 8-bit significand is 226/128.
        assert_eq!(bf16v(3.0e38), 226.0 / 128.0 * 2f64.powi(127));
    }

    #[test]
    fn storage_round_trip_keeps_nan_payloads() {
        for bits in [0x7FC0_0001u64, 0xFF80_0001, 0x7F80_0100, 0x7FFF_FFFF] {
            let v = ApFloat::from_bits(FloatKind::F32, bits);
            assert_eq!(ApFloat::from_storage(FloatKind::F32, v.to_storage()).bits(), bits);
        }
        for bits in [0x7E01u64, 0x7C01, 0xFE00] {
            let v = ApFloat::from_bits(FloatKind::F16, bits);
            assert_eq!(ApFloat::from_storage(FloatKind::F16, v.to_storage()).bits(), bits);
        }
    }

    #[test]
    fn int_conversions_round_once() {
        // 2^53 + 2^29 + 1 is just above the f32 half-way point between
        // 2^53 and 2^53 + 2^30: the exact result rounds up. Going through
        // f64 first would round to the half-way point and then to even, down.
        let x = ApInt::from_i128(64, (1i128 << 53) + (1 << 29) + 1);
        assert_eq!(
            ApFloat::from_int(x, true, FloatKind::F32).to_f64(),
            (1u64 << 53) as f64 + (1u64 << 30) as f64
        );
        // i32 -> f16: 65520 is half-way between 65504 and 65536: ties to even, inf.
        let x = ApInt::from_i128(32, 65520);
        assert!(ApFloat::from_int(x, true, FloatKind::F16).is_infinite());
        let x = ApInt::from_i128(32, 65519);
        assert_eq!(ApFloat::from_int(x, true, FloatKind::F16).to_f64(), 65504.0);
        // Negative values and unsigned reads of the same bits.
        let m1 = ApInt::from_i128(8, -1);
        assert_eq!(ApFloat::from_int(m1, true, FloatKind::F32).to_f64(), -1.0);
        assert_eq!(ApFloat::from_int(m1, false, FloatKind::F32).to_f64(), 255.0);
        // u128::MAX rounds to 2^128, which overflows f32 to +inf.
        let big = ApInt::from_u128(128, u128::MAX);
        assert!(ApFloat::from_int(big, false, FloatKind::F32).is_infinite());
        assert_eq!(ApFloat::from_int(big, false, FloatKind::F64).to_f64(), 2f64.powi(128));
    }

    #[test]
    fn float_to_int_truncates_and_rejects_out_of_range() {
        assert_eq!(f32v(-2.9).to_int(32, true).map(|v| v.sext_value()), Some(-2));
        assert_eq!(f32v(127.9).to_int(8, true).map(|v| v.sext_value()), Some(127));
        assert_eq!(f32v(128.0).to_int(8, true), None);
        assert_eq!(f32v(-128.0).to_int(8, true).map(|v| v.sext_value()), Some(-128));
        assert_eq!(f32v(-129.0).to_int(8, true), None);
        assert_eq!(f32v(255.5).to_int(8, false).map(|v| v.zext_value()), Some(255));
        assert_eq!(f32v(-0.5).to_int(8, false).map(|v| v.zext_value()), Some(0));
        assert_eq!(f32v(-1.0).to_int(8, false), None);
        assert_eq!(ApFloat::default_nan(FloatKind::F32).to_int(32, true), None);
        assert_eq!(ApFloat::infinity(FloatKind::F32).to_int(64, true), None);
    }

    #[test]
    fn narrowing_nans_keep_high_payload_bits() {
        let v = ApFloat::from_bits(FloatKind::F64, 0x7FF8_0000_0000_0001);
        // The payload's only set bit is below f32's mantissa: quiet NaN remains.
        assert_eq!(v.convert(FloatKind::F32).bits(), 0x7FC0_0000);
        let v = ApFloat::from_bits(FloatKind::F64, 0xFFF4_0000_2000_0000);
        assert_eq!(v.convert(FloatKind::F32).bits(), 0xFFE0_0001);
    }
}
