//! The predicates of `arith.cmpf` and `arith.cmpi`, with MLIR's keywords and
//! the integer values stored in their `predicate` attribute.

use std::cmp::Ordering;

use crate::apfloat::ApFloat;
use crate::apint::ApInt;

/// A floating-point comparison predicate. `o*` predicates are false when
/// either operand is NaN (ordered), `u*` ones are true (unordered).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum CmpFPredicate {
    /// Always false.
    AlwaysFalse = 0,
    /// Ordered and equal.
    OEQ = 1,
    /// Ordered and greater than.
    OGT = 2,
    /// Ordered and greater than or equal.
    OGE = 3,
    /// Ordered and less than.
    OLT = 4,
    /// Ordered and less than or equal.
    OLE = 5,
    /// Ordered and not equal.
    ONE = 6,
    /// Neither operand is NaN.
    ORD = 7,
    /// Unordered or equal.
    UEQ = 8,
    /// Unordered or greater than.
    UGT = 9,
    /// Unordered or greater than or equal.
    UGE = 10,
    /// Unordered or less than.
    ULT = 11,
    /// Unordered or less than or equal.
    ULE = 12,
    /// Unordered or not equal.
    UNE = 13,
    /// Either operand is NaN.
    UNO = 14,
    /// Always true.
    AlwaysTrue = 15,
}

const CMPF_ALL: [CmpFPredicate; 16] = {
    use CmpFPredicate::*;
    [AlwaysFalse, OEQ, OGT, OGE, OLT, OLE, ONE, ORD, UEQ, UGT, UGE, ULT, ULE, UNE, UNO, AlwaysTrue]
};

const CMPF_KEYWORDS: [&str; 16] = [
    "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule", "une",
    "uno", "true",
];

impl CmpFPredicate {
    /// Every predicate, in the order of their values.
    pub const ALL: [CmpFPredicate; 16] = CMPF_ALL;

    /// The predicate stored as `value`.
    pub fn from_value(value: i128) -> Option<Self> {
        usize::try_from(value).ok().and_then(|i| CMPF_ALL.get(i).copied())
    }

    /// The predicate written `keyword`.
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        CMPF_KEYWORDS.iter().position(|k| *k == keyword).map(|i| CMPF_ALL[i])
    }

    /// The value stored in the `predicate` attribute.
    pub fn value(self) -> i64 {
        self as i64
    }

    /// MLIR's keyword (`olt`, `une`, ...).
    pub fn keyword(self) -> &'static str {
        CMPF_KEYWORDS[self as usize]
    }

    /// The predicate that holds exactly when this one does not:
    /// `!(a olt b) == (a uge b)`.
    pub fn inverse(self) -> Self {
        Self::from_outcomes(!self.outcomes() & 0b1111)
    }

    /// The outcomes for which the predicate holds, as LLVM encodes fcmp
    /// predicates: bit 3 unordered, bit 2 less, bit 1 greater, bit 0 equal.
    /// (MLIR numbers the unordered predicates differently from LLVM.)
    fn outcomes(self) -> u8 {
        use CmpFPredicate::*;
        match self {
            AlwaysFalse => 0b0000,
            OEQ => 0b0001,
            OGT => 0b0010,
            OGE => 0b0011,
            OLT => 0b0100,
            OLE => 0b0101,
            ONE => 0b0110,
            ORD => 0b0111,
            UNO => 0b1000,
            UEQ => 0b1001,
            UGT => 0b1010,
            UGE => 0b1011,
            ULT => 0b1100,
            ULE => 0b1101,
            UNE => 0b1110,
            AlwaysTrue => 0b1111,
        }
    }

    fn from_outcomes(outcomes: u8) -> Self {
        // Invariant: `outcomes` is a bijection onto 0..16.
        CMPF_ALL.into_iter().find(|p| p.outcomes() == outcomes).unwrap_or(CmpFPredicate::AlwaysFalse)
    }

    /// The predicate with operands swapped: `(a olt b) == (b ogt a)`.
    pub fn swapped(self) -> Self {
        use CmpFPredicate::*;
        match self {
            OGT => OLT,
            OGE => OLE,
            OLT => OGT,
            OLE => OGE,
            UGT => ULT,
            UGE => ULE,
            ULT => UGT,
            ULE => UGE,
            p => p,
        }
    }

    /// Evaluates the predicate (IEEE 754 comparison).
    pub fn evaluate(self, a: ApFloat, b: ApFloat) -> bool {
        let (unordered, less, greater, equal) = match a.partial_cmp(b) {
            None => (true, false, false, false),
            Some(Ordering::Less) => (false, true, false, false),
            Some(Ordering::Greater) => (false, false, true, false),
            Some(Ordering::Equal) => (false, false, false, true),
        };
        let v = self.outcomes();
        (unordered && v & 8 != 0) || (less && v & 4 != 0) || (greater && v & 2 != 0) || (equal && v & 1 != 0)
    }
}

/// An integer comparison predicate; `s*`/`u*` read the operands as
/// signed/unsigned.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum CmpIPredicate {
    /// Equal.
    Eq = 0,
    /// Not equal.
    Ne = 1,
    /// Signed less than.
    Slt = 2,
    /// Signed less than or equal.
    Sle = 3,
    /// Signed greater than.
    Sgt = 4,
    /// Signed greater than or equal.
    Sge = 5,
    /// Unsigned less than.
    Ult = 6,
    /// Unsigned less than or equal.
    Ule = 7,
    /// Unsigned greater than.
    Ugt = 8,
    /// Unsigned greater than or equal.
    Uge = 9,
}

const CMPI_ALL: [CmpIPredicate; 10] = {
    use CmpIPredicate::*;
    [Eq, Ne, Slt, Sle, Sgt, Sge, Ult, Ule, Ugt, Uge]
};

const CMPI_KEYWORDS: [&str; 10] = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"];

impl CmpIPredicate {
    /// Every predicate, in the order of their values.
    pub const ALL: [CmpIPredicate; 10] = CMPI_ALL;

    /// The predicate stored as `value`.
    pub fn from_value(value: i128) -> Option<Self> {
        usize::try_from(value).ok().and_then(|i| CMPI_ALL.get(i).copied())
    }

    /// The predicate written `keyword`.
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        CMPI_KEYWORDS.iter().position(|k| *k == keyword).map(|i| CMPI_ALL[i])
    }

    /// The value stored in the `predicate` attribute.
    pub fn value(self) -> i64 {
        self as i64
    }

    /// MLIR's keyword (`slt`, `uge`, ...).
    pub fn keyword(self) -> &'static str {
        CMPI_KEYWORDS[self as usize]
    }

    /// The predicate that holds exactly when this one does not.
    pub fn inverse(self) -> Self {
        use CmpIPredicate::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            Slt => Sge,
            Sle => Sgt,
            Sgt => Sle,
            Sge => Slt,
            Ult => Uge,
            Ule => Ugt,
            Ugt => Ule,
            Uge => Ult,
        }
    }

    /// The predicate with operands swapped: `(a slt b) == (b sgt a)`.
    pub fn swapped(self) -> Self {
        use CmpIPredicate::*;
        match self {
            Slt => Sgt,
            Sle => Sge,
            Sgt => Slt,
            Sge => Sle,
            Ult => Ugt,
            Ule => Uge,
            Ugt => Ult,
            Uge => Ule,
            p => p,
        }
    }

    /// Whether the predicate holds for equal operands (`eq`, `sle`, `uge`, ...).
    pub fn holds_for_equal(self) -> bool {
        use CmpIPredicate::*;
        matches!(self, Eq | Sle | Sge | Ule | Uge)
    }

    /// Evaluates the predicate.
    pub fn evaluate(self, a: ApInt, b: ApInt) -> bool {
        use CmpIPredicate::*;
        let (s, u) = (a.scmp(b), a.ucmp(b));
        match self {
            Eq => a == b,
            Ne => a != b,
            Slt => s.is_lt(),
            Sle => s.is_le(),
            Sgt => s.is_gt(),
            Sge => s.is_ge(),
            Ult => u.is_lt(),
            Ule => u.is_le(),
            Ugt => u.is_gt(),
            Uge => u.is_ge(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axir_ir::FloatKind;

    #[test]
    fn cmpf_truth_table() {
        use CmpFPredicate::*;
        let one = ApFloat::from_f32(1.0);
        let two = ApFloat::from_f32(2.0);
        let nan = ApFloat::default_nan(FloatKind::F32);
        // (predicate, 1 vs 2, 2 vs 1, 1 vs 1, 1 vs NaN), written from IEEE 754.
        let table = [
            (AlwaysFalse, false, false, false, false),
            (OEQ, false, false, true, false),
            (OGT, false, true, false, false),
            (OGE, false, true, true, false),
            (OLT, true, false, false, false),
            (OLE, true, false, true, false),
            (ONE, true, true, false, false),
            (ORD, true, true, true, false),
            (UEQ, false, false, true, true),
            (UGT, false, true, false, true),
            (UGE, false, true, true, true),
            (ULT, true, false, false, true),
            (ULE, true, false, true, true),
            (UNE, true, true, false, true),
            (UNO, false, false, false, true),
            (AlwaysTrue, true, true, true, true),
        ];
        for (p, lt, gt, eq, uno) in table {
            assert_eq!(p.evaluate(one, two), lt, "{p:?} 1 2");
            assert_eq!(p.evaluate(two, one), gt, "{p:?} 2 1");
            assert_eq!(p.evaluate(one, one), eq, "{p:?} 1 1");
            assert_eq!(p.evaluate(one, nan), uno, "{p:?} 1 nan");
            assert_eq!(p.evaluate(nan, one), uno, "{p:?} nan 1");
        }
        // -0.0 == +0.0.
        assert!(OEQ.evaluate(ApFloat::from_f32(-0.0), ApFloat::from_f32(0.0)));
    }

    #[test]
    fn cmpf_inverse_and_swap() {
        assert_eq!(CmpFPredicate::OLT.inverse(), CmpFPredicate::UGE);
        assert_eq!(CmpFPredicate::OEQ.inverse(), CmpFPredicate::UNE);
        assert_eq!(CmpFPredicate::ORD.inverse(), CmpFPredicate::UNO);
        let vals = [ApFloat::from_f32(1.0), ApFloat::from_f32(2.0), ApFloat::default_nan(FloatKind::F32)];
        for p in CmpFPredicate::ALL {
            for a in vals {
                for b in vals {
                    assert_eq!(p.inverse().evaluate(a, b), !p.evaluate(a, b));
                    assert_eq!(p.swapped().evaluate(b, a), p.evaluate(a, b));
                }
            }
        }
    }

    #[test]
    fn cmpi_semantics() {
        use CmpIPredicate::*;
        let m1 = ApInt::from_i128(8, -1);
        let one = ApInt::from_i128(8, 1);
        assert!(Slt.evaluate(m1, one));
        assert!(Ugt.evaluate(m1, one));
        assert!(!Ult.evaluate(m1, one));
        for p in CmpIPredicate::ALL {
            for (a, b) in [(m1, one), (one, m1), (one, one)] {
                assert_eq!(p.inverse().evaluate(a, b), !p.evaluate(a, b));
                assert_eq!(p.swapped().evaluate(b, a), p.evaluate(a, b));
            }
            assert_eq!(p.holds_for_equal(), p.evaluate(one, one));
        }
    }

    #[test]
    fn keywords_round_trip() {
        for p in CmpFPredicate::ALL {
            assert_eq!(CmpFPredicate::from_keyword(p.keyword()), Some(p));
            assert_eq!(CmpFPredicate::from_value(p.value() as i128), Some(p));
        }
        for p in CmpIPredicate::ALL {
            assert_eq!(CmpIPredicate::from_keyword(p.keyword()), Some(p));
            assert_eq!(CmpIPredicate::from_value(p.value() as i128), Some(p));
        }
        assert_eq!(CmpFPredicate::from_value(16), None);
        assert_eq!(CmpIPredicate::from_value(-1), None);
    }
}
