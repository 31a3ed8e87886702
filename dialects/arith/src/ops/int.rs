//! Integer arithmetic on signless integers and `index`: `addi subi muli
//! divsi divui remsi remui floordivsi ceildivsi andi ori xori shli shrsi
//! shrui maxsi minsi maxui minui`.
//!
//! Signless means the op, not the type, says how bits are read: `divsi`
//! reads them as two's complement, `divui` as unsigned. Results wrap to the
//! width. Division by zero and signed division overflow (`MIN / -1`) are
//! undefined behaviour; a shift by the width or more gives poison.

use axir_ir::{Context, DiagResult, OpId, OpTraits};

use super::binary_op;
use crate::attrs::verify_overflow_flags;
use crate::canonicalize::{AddIOfNegatedMul, CommuteConstantToRhs, NotOfComparison, ReassociateConstants};
use crate::constraints::{check_all, check_elementwise, TypeConstraint};
use crate::fold;

const TRAITS: OpTraits =
    OpTraits::PURE.union(OpTraits::SAME_OPERANDS_AND_RESULT_TYPE).union(OpTraits::ELEMENTWISE);
const COMMUTATIVE: OpTraits = TRAITS.union(OpTraits::COMMUTATIVE);

/// Verifies an integer op: signless-integer-like types, elementwise shapes.
pub fn verify_int_op(ctx: &Context, op: OpId) -> DiagResult {
    check_all(ctx, op, TypeConstraint::SignlessIntegerLike)?;
    check_elementwise(ctx, op)
}

/// Verifies an integer op that carries `overflowFlags`.
pub fn verify_int_op_with_overflow(ctx: &Context, op: OpId) -> DiagResult {
    verify_overflow_flags(ctx, op)?;
    verify_int_op(ctx, op)
}

binary_op! {
    /// Integer addition, wrapping modulo 2^width. With `overflow<nsw>` or
    /// `overflow<nuw>`, signed or unsigned overflow gives poison.
    ///
    /// ```axir
    /// %0 = arith.addi %a, %b : i32
    /// %1 = arith.addi %i, %j overflow<nsw, nuw> : index
    /// ```
    AddIOp = "arith.addi";
    summary = "integer addition operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op_with_overflow;
    folder = fold::addi;
    patterns = [
        CommuteConstantToRhs::new("arith.addi"),
        ReassociateConstants::new("arith.addi"),
        AddIOfNegatedMul,
    ];
}

binary_op! {
    /// Integer subtraction, wrapping modulo 2^width.
    ///
    /// ```axir
    /// %0 = arith.subi %a, %b : i64
    /// ```
    SubIOp = "arith.subi";
    summary = "integer subtraction operation";
    traits = TRAITS;
    verifier = verify_int_op_with_overflow;
    folder = fold::subi;
    patterns = [ReassociateConstants::new("arith.subi")];
}

binary_op! {
    /// Integer multiplication, wrapping modulo 2^width.
    ///
    /// ```axir
    /// %0 = arith.muli %a, %b : vector<4xi32>
    /// ```
    MulIOp = "arith.muli";
    summary = "integer multiplication operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op_with_overflow;
    folder = fold::muli;
    patterns = [CommuteConstantToRhs::new("arith.muli"), ReassociateConstants::new("arith.muli")];
}

binary_op! {
    /// Signed division rounding toward zero (`-7 / 2 = -3`). Division by
    /// zero and `MIN / -1` are undefined behaviour.
    ///
    /// ```axir
    /// %0 = arith.divsi %a, %b : i32
    /// ```
    DivSIOp = "arith.divsi";
    summary = "signed integer division operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::divsi;
}

binary_op! {
    /// Unsigned division. Division by zero is undefined behaviour.
    ///
    /// ```axir
    /// %0 = arith.divui %a, %b : i32
    /// ```
    DivUIOp = "arith.divui";
    summary = "unsigned integer division operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::divui;
}

binary_op! {
    /// Signed remainder with the sign of the dividend (`-7 % 2 = -1`).
    /// Division by zero is undefined behaviour (and `MIN % -1` is not
    /// folded, as its lowering to LLVM's `srem` is undefined).
    ///
    /// ```axir
    /// %0 = arith.remsi %a, %b : i32
    /// ```
    RemSIOp = "arith.remsi";
    summary = "signed integer division remainder operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::remsi;
}

binary_op! {
    /// Unsigned remainder. Division by zero is undefined behaviour.
    ///
    /// ```axir
    /// %0 = arith.remui %a, %b : i32
    /// ```
    RemUIOp = "arith.remui";
    summary = "unsigned integer division remainder operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::remui;
}

binary_op! {
    /// Signed division rounding toward negative infinity (`-7 floordiv 2 = -4`).
    /// Division by zero and `MIN / -1` are undefined behaviour.
    ///
    /// ```axir
    /// %0 = arith.floordivsi %a, %b : i32
    /// ```
    FloorDivSIOp = "arith.floordivsi";
    summary = "signed floor integer division operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::floordivsi;
}

binary_op! {
    /// Signed division rounding toward positive infinity (`7 ceildiv 2 = 4`).
    /// Division by zero and `MIN / -1` are undefined behaviour.
    ///
    /// ```axir
    /// %0 = arith.ceildivsi %a, %b : i32
    /// ```
    CeilDivSIOp = "arith.ceildivsi";
    summary = "signed ceil integer division operation";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::ceildivsi;
}

binary_op! {
    /// Bitwise and.
    ///
    /// ```axir
    /// %0 = arith.andi %a, %b : i1
    /// ```
    AndIOp = "arith.andi";
    summary = "integer binary and";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::andi;
    patterns = [CommuteConstantToRhs::new("arith.andi")];
}

binary_op! {
    /// Bitwise or.
    ///
    /// ```axir
    /// %0 = arith.ori %a, %b : i8
    /// ```
    OrIOp = "arith.ori";
    summary = "integer binary or";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::ori;
    patterns = [CommuteConstantToRhs::new("arith.ori")];
}

binary_op! {
    /// Bitwise exclusive or; `xori %c, true` is the logical not of an `i1`.
    ///
    /// ```axir
    /// %0 = arith.xori %a, %b : i32
    /// ```
    XOrIOp = "arith.xori";
    summary = "integer binary xor";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::xori;
    patterns = [CommuteConstantToRhs::new("arith.xori"), NotOfComparison];
}

binary_op! {
    /// Shift left. A shift amount (read as unsigned) of the width or more
    /// gives poison.
    ///
    /// ```axir
    /// %0 = arith.shli %a, %b : i32
    /// ```
    ShLIOp = "arith.shli";
    summary = "integer left-shift";
    traits = TRAITS;
    verifier = verify_int_op_with_overflow;
    folder = fold::shli;
}

binary_op! {
    /// Arithmetic shift right (the sign bit is replicated). A shift amount of
    /// the width or more gives poison.
    ///
    /// ```axir
    /// %0 = arith.shrsi %a, %b : i32
    /// ```
    ShRSIOp = "arith.shrsi";
    summary = "signed integer right-shift";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::shrsi;
}

binary_op! {
    /// Logical shift right (zeros are shifted in). A shift amount of the
    /// width or more gives poison.
    ///
    /// ```axir
    /// %0 = arith.shrui %a, %b : i32
    /// ```
    ShRUIOp = "arith.shrui";
    summary = "unsigned integer right-shift";
    traits = TRAITS;
    verifier = verify_int_op;
    folder = fold::shrui;
}

binary_op! {
    /// Signed maximum.
    ///
    /// ```axir
    /// %0 = arith.maxsi %a, %b : i32
    /// ```
    MaxSIOp = "arith.maxsi";
    summary = "signed integer maximum operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::maxsi;
    patterns = [CommuteConstantToRhs::new("arith.maxsi")];
}

binary_op! {
    /// Signed minimum.
    ///
    /// ```axir
    /// %0 = arith.minsi %a, %b : i32
    /// ```
    MinSIOp = "arith.minsi";
    summary = "signed integer minimum operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::minsi;
    patterns = [CommuteConstantToRhs::new("arith.minsi")];
}

binary_op! {
    /// Unsigned maximum.
    ///
    /// ```axir
    /// %0 = arith.maxui %a, %b : i32
    /// ```
    MaxUIOp = "arith.maxui";
    summary = "unsigned integer maximum operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::maxui;
    patterns = [CommuteConstantToRhs::new("arith.maxui")];
}

binary_op! {
    /// Unsigned minimum.
    ///
    /// ```axir
    /// %0 = arith.minui %a, %b : i32
    /// ```
    MinUIOp = "arith.minui";
    summary = "unsigned integer minimum operation";
    traits = COMMUTATIVE;
    verifier = verify_int_op;
    folder = fold::minui;
    patterns = [CommuteConstantToRhs::new("arith.minui")];
}
