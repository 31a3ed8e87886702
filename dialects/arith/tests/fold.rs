//! Constant folding of every arith op, with expected values worked out by
//! hand from IEEE 754 and two's complement arithmetic (not from the folder).

mod support;
use support::*;

/// A constant of type `ty` (booleans carry no type suffix).
fn constant(v: &str, ty: &str) -> String {
    match v {
        "true" | "false" => v.to_string(),
        _ => format!("{v} : {ty}"),
    }
}

/// `op` on constants `a` and `b` of type `ty` folds to the constant `want`
/// (written as the printer writes it, with its type).
fn binary(op: &str, ty: &str, a: &str, b: &str, want: &str) {
    let src = format!(
        "func.func @f() -> {ty} {{\n  %a = arith.constant {}\n  %b = arith.constant {}\n  \
         %r = {op} %a, %b : {ty}\n  return %r : {ty}\n}}\n",
        constant(a, ty),
        constant(b, ty)
    );
    let out = canonicalize(&src);
    check(&out, &[&format!("%0 = arith.constant {want}"), "return %0", &format!("!{op} ")]);
}

/// `op` on constants `a` and `b` of type `ty` is left alone.
fn binary_kept(op: &str, ty: &str, a: &str, b: &str) {
    let src = format!(
        "func.func @f() -> {ty} {{\n  %a = arith.constant {}\n  %b = arith.constant {}\n  \
         %r = {op} %a, %b : {ty}\n  return %r : {ty}\n}}\n",
        constant(a, ty),
        constant(b, ty)
    );
    let out = canonicalize(&src);
    check(&out, &[&format!("{op} %0, %1 : {ty}")]);
}

/// `cast` of the constant `a : from` to `to` folds to `want`.
fn cast(op: &str, from: &str, a: &str, to: &str, want: &str) {
    let src = format!(
        "func.func @f() -> {to} {{\n  %a = arith.constant {}\n  %r = {op} %a : {from} to {to}\n  \
         return %r : {to}\n}}\n",
        constant(a, from)
    );
    check(&canonicalize(&src), &[&format!("%0 = arith.constant {want}"), "return %0", &format!("!{op} ")]);
}

/// `cast` of the constant `a : from` to `to` is left alone.
fn cast_kept(op: &str, from: &str, a: &str, to: &str) {
    let src = format!(
        "func.func @f() -> {to} {{\n  %a = arith.constant {}\n  %r = {op} %a : {from} to {to}\n  \
         return %r : {to}\n}}\n",
        constant(a, from)
    );
    check(&canonicalize(&src), &[&format!("{op} %0 : {from} to {to}")]);
}

#[test]
fn float_arithmetic_rounds_in_the_ops_precision() {
    binary("arith.addf", "f32", "1.0", "2.0", "3.000000e+00 : f32");
    // 0.1f + 0.2f is the f32 nearest 0.3; in f64 the sum is 0.30000000000000004.
    binary("arith.addf", "f32", "0.1", "0.2", "3.000000e-01 : f32");
    binary("arith.addf", "f64", "0.1", "0.2", "3.0000000000000004e-01 : f64");
    // 1/3 in f32 is 0x3EAAAAAB (0.333333343...), in f64 0.3333333333333333.
    binary("arith.divf", "f32", "1.0", "3.0", "3.3333334e-01 : f32");
    binary("arith.divf", "f64", "1.0", "3.0", "3.333333333333333e-01 : f64");
    binary("arith.subf", "f32", "1.5", "0.25", "1.250000e+00 : f32");
    binary("arith.mulf", "f32", "1.5", "-4.0", "-6.000000e+00 : f32");
    // f16 has an 11-bit significand: 2048 + 1 ties to even (2048), 2048 + 3 to 2052.
    binary("arith.addf", "f16", "2048.0", "1.0", "2.048000e+03 : f16");
    binary("arith.addf", "f16", "2048.0", "3.0", "2.052000e+03 : f16");
    // bf16 has an 8-bit significand: 1 + 2^-8 ties to even (1.0).
    binary("arith.addf", "bf16", "1.0", "3.906250e-03", "1.000000e+00 : bf16");
    // 1 + 2^-7 = 1.0078125, printed with six digits (the tie goes to even).
    binary("arith.addf", "bf16", "1.0", "7.812500e-03", "1.007812e+00 : bf16");
}

#[test]
fn float_arithmetic_special_values() {
    // Signed zeros: x - x is +0.0; -0.0 - +0.0 is -0.0; -1 * 0 is -0.0.
    binary("arith.subf", "f32", "1.0", "1.0", "0.000000e+00 : f32");
    binary("arith.subf", "f32", "-0.0", "0.0", "-0.000000e+00 : f32");
    binary("arith.mulf", "f32", "-1.0", "0.0", "-0.000000e+00 : f32");
    // Overflow and division by zero give infinities; 0/0 the default NaN.
    binary("arith.mulf", "f32", "3.0e38", "10.0", "0x7F800000 : f32");
    binary("arith.divf", "f32", "1.0", "0.0", "0x7F800000 : f32");
    binary("arith.divf", "f32", "-1.0", "0.0", "0xFF800000 : f32");
    binary("arith.divf", "f32", "0.0", "0.0", "0x7FC00000 : f32");
    binary("arith.subf", "f64", "0x7FF0000000000000", "0x7FF0000000000000", "0x7FF8000000000000 : f64");
    // fmod: exact, sign of the dividend; x rem 0 and inf rem y are NaN.
    binary("arith.remf", "f32", "5.5", "2.0", "1.500000e+00 : f32");
    binary("arith.remf", "f32", "-5.5", "2.0", "-1.500000e+00 : f32");
    binary("arith.remf", "f32", "1.0", "0.0", "0x7FC00000 : f32");
    binary("arith.remf", "f32", "0x7F800000", "1.0", "0x7FC00000 : f32");
    binary("arith.remf", "f32", "1.0", "0x7F800000", "1.000000e+00 : f32");
}

#[test]
fn nan_operands_propagate_with_their_payload() {
    binary("arith.addf", "f32", "0x7FC00001", "1.0", "0x7FC00001 : f32");
    binary("arith.mulf", "f32", "1.0", "0xFFC00002", "0xFFC00002 : f32");
    // Both NaN: the first operand's.
    binary("arith.subf", "f32", "0x7FC00003", "0x7FC00004", "0x7FC00003 : f32");
    binary("arith.divf", "f16", "0x7E01", "2.0", "0x7E01 : f16");
}

#[test]
fn min_max_follow_ieee_754_2019() {
    binary("arith.maximumf", "f32", "0.0", "-0.0", "0.000000e+00 : f32");
    binary("arith.maximumf", "f32", "-0.0", "0.0", "0.000000e+00 : f32");
    binary("arith.minimumf", "f32", "0.0", "-0.0", "-0.000000e+00 : f32");
    binary("arith.maximumf", "f32", "1.0", "0x7FC00005", "0x7FC00005 : f32");
    binary("arith.minimumf", "f32", "0x7FC00005", "1.0", "0x7FC00005 : f32");
    // maxnum/minnum ignore a NaN operand.
    binary("arith.maxnumf", "f32", "1.0", "0x7FC00005", "1.000000e+00 : f32");
    binary("arith.minnumf", "f32", "0x7FC00005", "-2.0", "-2.000000e+00 : f32");
    binary("arith.maxnumf", "f32", "-3.0", "2.0", "2.000000e+00 : f32");
}

#[test]
fn negf_flips_only_the_sign_bit() {
    let src = "func.func @f() -> (f32, f32, f32) {\n  %z = arith.constant 0.0 : f32\n  \
               %n = arith.constant 0x7FC00000 : f32\n  %o = arith.constant 1.0 : f32\n  \
               %0 = arith.negf %z : f32\n  %1 = arith.negf %n : f32\n  %2 = arith.negf %o : f32\n  \
               return %0, %1, %2 : f32, f32, f32\n}\n";
    check(
        &canonicalize(src),
        &[
            "arith.constant -0.000000e+00 : f32",
            "arith.constant 0xFFC00000 : f32",
            "arith.constant -1.000000e+00 : f32",
            "!arith.negf",
        ],
    );
}

#[test]
fn integer_arithmetic_wraps() {
    binary("arith.addi", "i8", "127", "1", "-128 : i8");
    binary("arith.subi", "i32", "0", "1", "-1 : i32");
    binary("arith.muli", "i32", "65536", "65536", "0 : i32");
    binary("arith.addi", "i64", "9223372036854775807", "1", "-9223372036854775808 : i64");
    binary("arith.addi", "index", "9223372036854775807", "1", "-9223372036854775808 : index");
    binary("arith.addi", "i1", "true", "true", "false");
    binary("arith.muli", "i16", "300", "300", "24464 : i16"); // 90000 - 65536
}

#[test]
fn integer_division_rounding() {
    binary("arith.divsi", "i32", "-7", "2", "-3 : i32");
    binary("arith.divui", "i8", "255", "16", "15 : i8");
    binary("arith.remsi", "i32", "-7", "2", "-1 : i32");
    binary("arith.remui", "i8", "255", "16", "15 : i8");
    binary("arith.floordivsi", "i32", "-7", "2", "-4 : i32");
    binary("arith.floordivsi", "i32", "7", "-2", "-4 : i32");
    binary("arith.floordivsi", "i32", "-6", "2", "-3 : i32");
    binary("arith.ceildivsi", "i32", "7", "2", "4 : i32");
    binary("arith.ceildivsi", "i32", "-7", "2", "-3 : i32");
    binary("arith.ceildivsi", "i32", "-7", "-2", "4 : i32");
}

#[test]
fn undefined_integer_ops_are_left_alone() {
    for op in
        ["arith.divsi", "arith.divui", "arith.remsi", "arith.remui", "arith.floordivsi", "arith.ceildivsi"]
    {
        binary_kept(op, "i32", "7", "0");
    }
    // Signed division overflow: MIN / -1.
    binary_kept("arith.divsi", "i8", "-128", "-1");
    binary_kept("arith.floordivsi", "i8", "-128", "-1");
    binary_kept("arith.ceildivsi", "i8", "-128", "-1");
    binary_kept("arith.remsi", "i8", "-128", "-1");
    // Shifts by the width or more are poison.
    binary_kept("arith.shli", "i8", "1", "8");
    binary_kept("arith.shrsi", "i8", "1", "9");
    binary_kept("arith.shrui", "i8", "1", "-1");
}

#[test]
fn bitwise_and_shifts() {
    binary("arith.andi", "i32", "12", "10", "8 : i32");
    binary("arith.ori", "i32", "12", "10", "14 : i32");
    binary("arith.xori", "i32", "12", "10", "6 : i32");
    binary("arith.xori", "i1", "true", "true", "false");
    binary("arith.shli", "i8", "1", "7", "-128 : i8");
    binary("arith.shrsi", "i8", "-128", "7", "-1 : i8");
    binary("arith.shrui", "i8", "-128", "7", "1 : i8");
}

#[test]
fn integer_min_max() {
    binary("arith.maxsi", "i8", "-1", "1", "1 : i8");
    binary("arith.maxui", "i8", "-1", "1", "-1 : i8");
    binary("arith.minsi", "i8", "-1", "1", "-1 : i8");
    binary("arith.minui", "i8", "-1", "1", "1 : i8");
}

#[test]
fn shaped_constants_fold_elementwise() {
    binary("arith.addi", "vector<2xi32>", "dense<[1, 2]>", "dense<[3, 4]>", "dense<[4, 6]> : vector<2xi32>");
    binary("arith.addi", "tensor<4xi32>", "dense<1>", "dense<2>", "dense<3> : tensor<4xi32>");
    binary(
        "arith.mulf",
        "vector<2xf32>",
        "dense<[1.5, -2.0]>",
        "dense<2.0>",
        "dense<[3.000000e+00, -4.000000e+00]> : vector<2xf32>",
    );
    // One division by zero keeps the whole op.
    binary_kept("arith.divsi", "vector<2xi32>", "dense<[4, 6]>", "dense<[2, 0]>");
}

/// `cmp pred` on constants `a`, `b` of type `ty` folds to `want`.
fn compare(op: &str, pred: &str, ty: &str, a: &str, b: &str, want: bool) {
    let src = format!(
        "func.func @f() -> i1 {{\n  %a = arith.constant {a} : {ty}\n  %b = arith.constant {b} : {ty}\n  \
         %r = {op} {pred}, %a, %b : {ty}\n  return %r : i1\n}}\n"
    );
    let out = canonicalize(&src);
    check(&out, &[&format!("%0 = arith.constant {want}"), &format!("!{op}")]);
}

#[test]
fn cmpf_all_predicates() {
    // (predicate, 1 vs 2, 1 vs 1, 1 vs NaN), from IEEE 754: ordered
    // predicates are false on NaN, unordered ones true.
    let table = [
        ("false", false, false, false),
        ("oeq", false, true, false),
        ("ogt", false, false, false),
        ("oge", false, true, false),
        ("olt", true, false, false),
        ("ole", true, true, false),
        ("one", true, false, false),
        ("ord", true, true, false),
        ("ueq", false, true, true),
        ("ugt", false, false, true),
        ("uge", false, true, true),
        ("ult", true, false, true),
        ("ule", true, true, true),
        ("une", true, false, true),
        ("uno", false, false, true),
        ("true", true, true, true),
    ];
    for (p, lt, eq, nan) in table {
        compare("arith.cmpf", p, "f32", "1.0", "2.0", lt);
        compare("arith.cmpf", p, "f32", "1.0", "1.0", eq);
        compare("arith.cmpf", p, "f32", "1.0", "0x7FC00000", nan);
    }
    compare("arith.cmpf", "oeq", "f32", "-0.0", "0.0", true);
    compare("arith.cmpf", "une", "f64", "0x7FF8000000000000", "0x7FF8000000000000", true);
}

#[test]
fn cmpi_all_predicates() {
    // -1 vs 1 as i8: signed -1 < 1, unsigned 255 > 1.
    let table = [
        ("eq", false),
        ("ne", true),
        ("slt", true),
        ("sle", true),
        ("sgt", false),
        ("sge", false),
        ("ult", false),
        ("ule", false),
        ("ugt", true),
        ("uge", true),
    ];
    for (p, want) in table {
        compare("arith.cmpi", p, "i8", "-1", "1", want);
    }
}

#[test]
fn float_casts_round_to_nearest_even() {
    cast("arith.extf", "f16", "65504.0", "f32", "6.550400e+04 : f32");
    cast("arith.extf", "bf16", "1.0", "f64", "1.000000e+00 : f64");
    // f16's largest value is 65504; 65520 is half-way to 65536: ties to even, inf.
    cast("arith.truncf", "f32", "65520.0", "f16", "0x7C00 : f16");
    cast("arith.truncf", "f32", "65519.0", "f16", "6.550400e+04 : f16");
    // 1e-8 is below half the smallest f16 subnormal (2^-24 ~ 5.96e-8).
    cast("arith.truncf", "f32", "1.0e-8", "f16", "0.000000e+00 : f16");
    cast("arith.truncf", "f64", "0.1", "f32", "1.000000e-01 : f32");
    // A NaN keeps its sign and the high bits of its payload, quieted.
    cast("arith.truncf", "f64", "0xFFF8000020000000", "f32", "0xFFC00001 : f32");
    cast("arith.extf", "f32", "0x7FC00001", "f64", "0x7FF8000020000000 : f64");
}

#[test]
fn integer_casts() {
    cast("arith.extsi", "i8", "-1", "i32", "-1 : i32");
    cast("arith.extui", "i8", "-1", "i32", "255 : i32");
    cast("arith.extui", "i1", "true", "i32", "1 : i32");
    cast("arith.extsi", "i1", "true", "i32", "-1 : i32");
    cast("arith.trunci", "i32", "257", "i8", "1 : i8");
    cast("arith.trunci", "i32", "-129", "i8", "127 : i8");
    cast("arith.index_cast", "i32", "-1", "index", "-1 : index");
    cast("arith.index_castui", "i32", "-1", "index", "4294967295 : index");
    cast("arith.index_cast", "index", "4294967297", "i32", "1 : i32");
}

#[test]
fn int_float_conversions() {
    cast("arith.sitofp", "i32", "-1", "f32", "-1.000000e+00 : f32");
    // 2^32 - 1 rounds to 2^32 in f32.
    cast("arith.uitofp", "i32", "-1", "f32", "4.2949673e+09 : f32");
    // 2^53 + 2^29 + 1 is just above the f32 half-way point between 2^53 and
    // 2^53 + 2^30: it rounds up. (Through f64 it would round down.)
    cast("arith.sitofp", "i64", "9007199791611905", "f32", "9.007200e+15 : f32");
    cast("arith.sitofp", "i32", "65520", "f16", "0x7C00 : f16");
    cast("arith.fptosi", "f32", "-2.9", "i32", "-2 : i32");
    cast("arith.fptoui", "f32", "255.9", "i8", "-1 : i8");
    cast("arith.fptosi", "f32", "-128.0", "i8", "-128 : i8");
    // Out of range, NaN and infinities are poison: not folded.
    cast_kept("arith.fptosi", "f32", "128.0", "i8");
    cast_kept("arith.fptoui", "f32", "-1.0", "i32");
    cast_kept("arith.fptosi", "f32", "0x7FC00000", "i32");
    cast_kept("arith.fptoui", "f32", "0x7F800000", "i64");
}

#[test]
fn bitcast_moves_bits_exactly() {
    cast("arith.bitcast", "f32", "1.0", "i32", "1065353216 : i32");
    cast("arith.bitcast", "f32", "-0.0", "i32", "-2147483648 : i32");
    cast("arith.bitcast", "i32", "2143289345", "f32", "0x7FC00001 : f32");
    cast("arith.bitcast", "i16", "15360", "f16", "1.000000e+00 : f16");
}
