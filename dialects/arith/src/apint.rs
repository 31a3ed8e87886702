//! [`ApInt`]: a fixed-width two's complement integer of 1 to 128 bits, with
//! the wrapping arithmetic of MLIR's signless integers.
//!
//! **Operations whose result is undefined in arith return `None`**: division
//! by zero, signed division overflow (`MIN / -1`) and shifts by the width or
//! more. Folders leave such ops alone.

use std::cmp::Ordering;

/// The widest integer the folders compute with.
pub const MAX_WIDTH: u32 = 128;

/// A `width`-bit integer; the bits above `width` are always zero.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct ApInt {
    bits: u128,
    width: u32,
}

fn mask(width: u32) -> u128 {
    if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

impl ApInt {
    /// `value` wrapped to `width` bits (1..=128).
    pub fn from_i128(width: u32, value: i128) -> Self {
        debug_assert!((1..=MAX_WIDTH).contains(&width));
        Self { bits: value as u128 & mask(width), width }
    }

    /// `bits` wrapped to `width` bits (1..=128).
    pub fn from_u128(width: u32, bits: u128) -> Self {
        debug_assert!((1..=MAX_WIDTH).contains(&width));
        Self { bits: bits & mask(width), width }
    }

    /// Zero of `width` bits.
    pub fn zero(width: u32) -> Self {
        Self::from_u128(width, 0)
    }

    /// One of `width` bits (for `i1`, `true`).
    pub fn one(width: u32) -> Self {
        Self::from_u128(width, 1)
    }

    /// All bits set: `-1`, or the unsigned maximum.
    pub fn all_ones(width: u32) -> Self {
        Self::from_u128(width, u128::MAX)
    }

    /// The signed minimum (only the sign bit set).
    pub fn signed_min(width: u32) -> Self {
        Self::from_u128(width, 1u128 << (width - 1))
    }

    /// The signed maximum (all bits but the sign bit set).
    pub fn signed_max(width: u32) -> Self {
        Self::from_u128(width, mask(width) >> 1)
    }

    /// Width in bits.
    pub fn width(self) -> u32 {
        self.width
    }

    /// The bits read as unsigned.
    pub fn zext_value(self) -> u128 {
        self.bits
    }

    /// The bits read as two's complement.
    pub fn sext_value(self) -> i128 {
        let shift = 128 - self.width;
        ((self.bits << shift) as i128) >> shift
    }

    /// Whether the top bit is set.
    pub fn is_sign_bit_set(self) -> bool {
        self.bits >> (self.width - 1) & 1 == 1
    }

    /// Whether every bit is zero.
    pub fn is_zero(self) -> bool {
        self.bits == 0
    }

    /// Whether the value is one.
    pub fn is_one(self) -> bool {
        self.bits == 1
    }

    /// Whether every bit is set.
    pub fn is_all_ones(self) -> bool {
        self.bits == mask(self.width)
    }

    fn same(self, bits: u128) -> Self {
        Self::from_u128(self.width, bits)
    }

    /// Whether `self / rhs` is undefined as a signed division.
    fn signed_div_is_undefined(self, rhs: Self) -> bool {
        rhs.is_zero() || (self == Self::signed_min(self.width) && rhs.is_all_ones())
    }

    /// Signed division rounding toward zero (`arith.divsi`).
    pub fn sdiv(self, rhs: Self) -> Option<Self> {
        if self.signed_div_is_undefined(rhs) {
            return None;
        }
        Some(self.same(self.sext_value().wrapping_div(rhs.sext_value()) as u128))
    }

    /// Unsigned division (`arith.divui`).
    pub fn udiv(self, rhs: Self) -> Option<Self> {
        (!rhs.is_zero()).then(|| self.same(self.bits / rhs.bits))
    }

    /// Signed remainder with the sign of the dividend (`arith.remsi`).
    /// `MIN % -1` is left undefined, as its lowering (LLVM's `srem`) is.
    pub fn srem(self, rhs: Self) -> Option<Self> {
        if self.signed_div_is_undefined(rhs) {
            return None;
        }
        Some(self.same(self.sext_value().wrapping_rem(rhs.sext_value()) as u128))
    }

    /// Unsigned remainder (`arith.remui`).
    pub fn urem(self, rhs: Self) -> Option<Self> {
        (!rhs.is_zero()).then(|| self.same(self.bits % rhs.bits))
    }

    /// Signed division rounding toward negative infinity (`arith.floordivsi`).
    pub fn floordiv_s(self, rhs: Self) -> Option<Self> {
        if self.signed_div_is_undefined(rhs) {
            return None;
        }
        let (a, b) = (self.sext_value(), rhs.sext_value());
        let q = a.wrapping_div(b);
        let inexact = a.wrapping_rem(b) != 0;
        Some(self.same((q - (inexact && (a < 0) != (b < 0)) as i128) as u128))
    }

    /// Signed division rounding toward positive infinity (`arith.ceildivsi`).
    pub fn ceildiv_s(self, rhs: Self) -> Option<Self> {
        if self.signed_div_is_undefined(rhs) {
            return None;
        }
        let (a, b) = (self.sext_value(), rhs.sext_value());
        let q = a.wrapping_div(b);
        let inexact = a.wrapping_rem(b) != 0;
        Some(self.same((q + (inexact && (a < 0) == (b < 0)) as i128) as u128))
    }

    /// Bitwise and.
    pub fn and(self, rhs: Self) -> Self {
        self.same(self.bits & rhs.bits)
    }

    /// Bitwise or.
    pub fn or(self, rhs: Self) -> Self {
        self.same(self.bits | rhs.bits)
    }

    /// Bitwise exclusive or.
    pub fn xor(self, rhs: Self) -> Self {
        self.same(self.bits ^ rhs.bits)
    }

    /// The shift amount `rhs` read as unsigned, if below the width.
    fn shift_amount(self, rhs: Self) -> Option<u32> {
        (rhs.bits < self.width as u128).then_some(rhs.bits as u32)
    }

    /// Shift left (`arith.shli`); `None` when `rhs >= width` (poison).
    pub fn shift_left(self, rhs: Self) -> Option<Self> {
        self.shift_amount(rhs).map(|s| self.same(self.bits << s))
    }

    /// Arithmetic shift right (`arith.shrsi`); `None` when `rhs >= width`.
    pub fn ashr(self, rhs: Self) -> Option<Self> {
        self.shift_amount(rhs).map(|s| self.same((self.sext_value() >> s) as u128))
    }

    /// Logical shift right (`arith.shrui`); `None` when `rhs >= width`.
    pub fn lshr(self, rhs: Self) -> Option<Self> {
        self.shift_amount(rhs).map(|s| self.same(self.bits >> s))
    }

    /// Signed comparison.
    pub fn scmp(self, rhs: Self) -> Ordering {
        self.sext_value().cmp(&rhs.sext_value())
    }

    /// Unsigned comparison.
    pub fn ucmp(self, rhs: Self) -> Ordering {
        self.bits.cmp(&rhs.bits)
    }

    /// Signed maximum.
    pub fn smax(self, rhs: Self) -> Self {
        if self.scmp(rhs) == Ordering::Less {
            rhs
        } else {
            self
        }
    }

    /// Signed minimum.
    pub fn smin(self, rhs: Self) -> Self {
        if self.scmp(rhs) == Ordering::Greater {
            rhs
        } else {
            self
        }
    }

    /// Unsigned maximum.
    pub fn umax(self, rhs: Self) -> Self {
        if self.ucmp(rhs) == Ordering::Less {
            rhs
        } else {
            self
        }
    }

    /// Unsigned minimum.
    pub fn umin(self, rhs: Self) -> Self {
        if self.ucmp(rhs) == Ordering::Greater {
            rhs
        } else {
            self
        }
    }

    /// Sign-extends or truncates to `width`.
    pub fn sext_or_trunc(self, width: u32) -> Self {
        Self::from_i128(width, self.sext_value())
    }

    /// Zero-extends or truncates to `width`.
    pub fn zext_or_trunc(self, width: u32) -> Self {
        Self::from_u128(width, self.bits)
    }
}

/// Wrapping addition.
impl std::ops::Add for ApInt {
    type Output = ApInt;
    fn add(self, rhs: Self) -> Self {
        self.same(self.bits.wrapping_add(rhs.bits))
    }
}

/// Wrapping subtraction.
impl std::ops::Sub for ApInt {
    type Output = ApInt;
    fn sub(self, rhs: Self) -> Self {
        self.same(self.bits.wrapping_sub(rhs.bits))
    }
}

/// Wrapping multiplication.
impl std::ops::Mul for ApInt {
    type Output = ApInt;
    fn mul(self, rhs: Self) -> Self {
        self.same(self.bits.wrapping_mul(rhs.bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(width: u32, v: i128) -> ApInt {
        ApInt::from_i128(width, v)
    }

    #[test]
    fn wraps_to_width() {
        assert_eq!((i(8, 127) + i(8, 1)).sext_value(), -128);
        assert_eq!((i(8, 0) - i(8, 1)).zext_value(), 255);
        assert_eq!((i(32, 65536) * i(32, 65536)).sext_value(), 0);
        assert_eq!((i(1, 1) + i(1, 1)).zext_value(), 0);
        assert_eq!((i(128, i128::MAX) + i(128, 1)).sext_value(), i128::MIN);
    }

    #[test]
    fn division_rounding() {
        assert_eq!(i(32, -7).sdiv(i(32, 2)).map(ApInt::sext_value), Some(-3));
        assert_eq!(i(32, -7).floordiv_s(i(32, 2)).map(ApInt::sext_value), Some(-4));
        assert_eq!(i(32, -7).ceildiv_s(i(32, 2)).map(ApInt::sext_value), Some(-3));
        assert_eq!(i(32, 7).ceildiv_s(i(32, 2)).map(ApInt::sext_value), Some(4));
        assert_eq!(i(32, 7).floordiv_s(i(32, -2)).map(ApInt::sext_value), Some(-4));
        assert_eq!(i(32, -6).floordiv_s(i(32, 2)).map(ApInt::sext_value), Some(-3));
        assert_eq!(i(32, -7).srem(i(32, 2)).map(ApInt::sext_value), Some(-1));
        assert_eq!(i(8, -1).udiv(i(8, 16)).map(ApInt::zext_value), Some(15));
        assert_eq!(i(8, -1).urem(i(8, 16)).map(ApInt::zext_value), Some(15));
    }

    #[test]
    fn undefined_divisions_do_not_fold() {
        assert_eq!(i(32, 1).sdiv(i(32, 0)), None);
        assert_eq!(i(32, 1).udiv(i(32, 0)), None);
        assert_eq!(i(32, 1).srem(i(32, 0)), None);
        assert_eq!(i(32, 1).urem(i(32, 0)), None);
        assert_eq!(i(8, -128).sdiv(i(8, -1)), None);
        assert_eq!(i(8, -128).srem(i(8, -1)), None);
        assert_eq!(i(8, -128).floordiv_s(i(8, -1)), None);
        assert_eq!(i(8, -128).ceildiv_s(i(8, -1)), None);
        // i1: -1 / -1 = 1 does not fit.
        assert_eq!(i(1, -1).sdiv(i(1, -1)), None);
    }

    #[test]
    fn shifts() {
        assert_eq!(i(8, 1).shift_left(i(8, 7)).map(ApInt::sext_value), Some(-128));
        assert_eq!(i(8, 1).shift_left(i(8, 8)), None);
        assert_eq!(i(8, -128).ashr(i(8, 7)).map(ApInt::sext_value), Some(-1));
        assert_eq!(i(8, -128).lshr(i(8, 7)).map(ApInt::sext_value), Some(1));
        // A negative shift amount is a huge unsigned one.
        assert_eq!(i(8, 1).shift_left(i(8, -1)), None);
    }

    #[test]
    fn min_max_and_extension() {
        assert_eq!(i(8, -1).smax(i(8, 1)).sext_value(), 1);
        assert_eq!(i(8, -1).umax(i(8, 1)).sext_value(), -1);
        assert_eq!(i(8, -1).sext_or_trunc(16).sext_value(), -1);
        assert_eq!(i(8, -1).zext_or_trunc(16).sext_value(), 255);
        assert_eq!(i(16, 0x1234).sext_or_trunc(8).zext_value(), 0x34);
    }
}
