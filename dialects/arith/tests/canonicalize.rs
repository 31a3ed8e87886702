//! Algebraic folds and canonicalization patterns: each identity with a case
//! where it applies and a case where it must not (NaN, -0.0, wrap-around).

mod support;
use support::*;

/// A function of one `ty` argument `%x` (and `%y`) returning `%r`.
fn func(ty: &str, body: &str) -> String {
    format!("func.func @f(%x: {ty}, %y: {ty}) -> {ty} {{\n{body}\n  return %r : {ty}\n}}\n")
}

#[test]
fn float_identities_that_hold() {
    // x + -0.0 == x for every x, -0.0 and NaN included.
    check_canonical(
        &func("f32", "  %z = arith.constant -0.0 : f32\n  %r = arith.addf %x, %z : f32"),
        &["return %arg0 : f32"],
    );
    check_canonical(
        &func("f32", "  %z = arith.constant -0.0 : f32\n  %r = arith.addf %z, %x : f32"),
        &["return %arg0 : f32"],
    );
    // x - 0.0 == x.
    check_canonical(
        &func("f32", "  %z = arith.constant 0.0 : f32\n  %r = arith.subf %x, %z : f32"),
        &["return %arg0 : f32"],
    );
    // x * 1.0 == x, x / 1.0 == x.
    check_canonical(
        &func("f64", "  %c = arith.constant 1.0 : f64\n  %r = arith.mulf %x, %c : f64"),
        &["return %arg0 : f64"],
    );
    check_canonical(
        &func("f16", "  %c = arith.constant 1.0 : f16\n  %r = arith.divf %x, %c : f16"),
        &["return %arg0 : f16"],
    );
    // -(-x) == x, NaN payloads included.
    check_canonical(
        &func("f32", "  %n = arith.negf %x : f32\n  %r = arith.negf %n : f32"),
        &["return %arg0 : f32"],
    );
    // Splat identities on vectors.
    check_canonical(
        &func(
            "vector<4xf32>",
            "  %c = arith.constant dense<1.0> : vector<4xf32>\n  %r = arith.mulf %x, %c : vector<4xf32>",
        ),
        &["return %arg0 : vector<4xf32>"],
    );
}

#[test]
fn float_identities_that_do_not_hold_are_left_alone() {
    // -0.0 + 0.0 is +0.0, not -0.0: x + 0.0 is not x.
    check_canonical(
        &func("f32", "  %z = arith.constant 0.0 : f32\n  %r = arith.addf %x, %z : f32"),
        &["arith.addf %arg0, %0 : f32"],
    );
    // -0.0 - -0.0 is +0.0: x - (-0.0) is not x.
    check_canonical(
        &func("f32", "  %z = arith.constant -0.0 : f32\n  %r = arith.subf %x, %z : f32"),
        &["arith.subf %arg0, %0 : f32"],
    );
    // inf * 0 is NaN and -1 * 0 is -0.0: x * 0.0 is not 0.0.
    check_canonical(
        &func("f32", "  %z = arith.constant 0.0 : f32\n  %r = arith.mulf %x, %z : f32"),
        &["arith.mulf %arg0, %0 : f32"],
    );
    // inf - inf is NaN: x - x is not 0.0.
    check_canonical(&func("f32", "  %r = arith.subf %x, %x : f32"), &["arith.subf %arg0, %arg0 : f32"]);
    // x / x is NaN for 0, inf, NaN.
    check_canonical(&func("f32", "  %r = arith.divf %x, %x : f32"), &["arith.divf %arg0, %arg0 : f32"]);
    // x * -1.0 keeps a NaN's sign, negf flips it: not the same.
    check_canonical(
        &func("f32", "  %c = arith.constant -1.0 : f32\n  %r = arith.mulf %x, %c : f32"),
        &["arith.mulf %arg0, %0 : f32"],
    );
}

#[test]
fn float_casts_that_do_and_do_not_cancel() {
    // truncf(extf(x)) == x: the extension is exact.
    check_canonical(
        "func.func @f(%x: f16) -> f16 {\n  %e = arith.extf %x : f16 to f32\n  %r = arith.truncf %e : f32 to f16\n  return %r : f16\n}\n",
        &["return %arg0 : f16"],
    );
    // extf(truncf(x)) is not x: the truncation rounds.
    check_canonical(
        "func.func @f(%x: f32) -> f32 {\n  %t = arith.truncf %x : f32 to f16\n  %r = arith.extf %t : f16 to f32\n  return %r : f32\n}\n",
        &["arith.truncf %arg0 : f32 to f16", "arith.extf %0 : f16 to f32"],
    );
    // truncf(truncf(x)) rounds twice: not the same as one truncf.
    check_canonical(
        "func.func @f(%x: f64) -> f16 {\n  %t = arith.truncf %x : f64 to f32\n  %r = arith.truncf %t : f32 to f16\n  return %r : f16\n}\n",
        &["arith.truncf %arg0 : f64 to f32", "arith.truncf %0 : f32 to f16"],
    );
    // extf(extf(x)) == extf(x): both exact.
    check_canonical(
        "func.func @f(%x: f16) -> f64 {\n  %e = arith.extf %x : f16 to f32\n  %r = arith.extf %e : f32 to f64\n  return %r : f64\n}\n",
        &["%0 = arith.extf %arg0 : f16 to f64", "return %0 : f64"],
    );
}

#[test]
fn min_max_float_identities() {
    check_canonical(&func("f32", "  %r = arith.maximumf %x, %x : f32"), &["return %arg0 : f32"]);
    check_canonical(
        &func("f32", "  %c = arith.constant 0xFF800000 : f32\n  %r = arith.maximumf %x, %c : f32"),
        &["return %arg0 : f32"],
    );
    check_canonical(
        &func("f32", "  %c = arith.constant 0x7F800000 : f32\n  %r = arith.minimumf %x, %c : f32"),
        &["return %arg0 : f32"],
    );
    check_canonical(
        &func("f32", "  %c = arith.constant 0x7FC00000 : f32\n  %r = arith.maxnumf %x, %c : f32"),
        &["return %arg0 : f32"],
    );
    // maxnum(NaN, -inf) is -inf, not NaN: -inf is not maxnumf's identity.
    check_canonical(
        &func("f32", "  %c = arith.constant 0xFF800000 : f32\n  %r = arith.maxnumf %x, %c : f32"),
        &["arith.maxnumf %arg0, %0 : f32"],
    );
}

#[test]
fn integer_identities() {
    let cases = [
        ("  %c = arith.constant 0 : i32\n  %r = arith.addi %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.addi %c, %x : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.subi %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 1 : i32\n  %r = arith.muli %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 1 : i32\n  %r = arith.divsi %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 1 : i32\n  %r = arith.divui %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant -1 : i32\n  %r = arith.andi %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.ori %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.xori %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.shli %x, %c : i32", "return %arg0 : i32"),
        ("  %r = arith.andi %x, %x : i32", "return %arg0 : i32"),
        ("  %r = arith.ori %x, %x : i32", "return %arg0 : i32"),
        ("  %r = arith.maxsi %x, %x : i32", "return %arg0 : i32"),
        ("  %c = arith.constant -2147483648 : i32\n  %r = arith.maxsi %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.maxui %x, %c : i32", "return %arg0 : i32"),
        ("  %c = arith.constant -1 : i32\n  %r = arith.minui %x, %c : i32", "return %arg0 : i32"),
        ("  %s = arith.subi %x, %y : i32\n  %r = arith.addi %s, %y : i32", "return %arg0 : i32"),
        ("  %s = arith.addi %x, %y : i32\n  %r = arith.subi %s, %y : i32", "return %arg0 : i32"),
        ("  %s = arith.xori %x, %y : i32\n  %r = arith.xori %s, %y : i32", "return %arg0 : i32"),
    ];
    for (body, want) in cases {
        check_canonical(&func("i32", body), &[want]);
    }
}

#[test]
fn integer_folds_to_constants() {
    let cases = [
        ("  %c = arith.constant 0 : i32\n  %r = arith.muli %x, %c : i32", "arith.constant 0 : i32"),
        ("  %r = arith.subi %x, %x : i32", "arith.constant 0 : i32"),
        ("  %r = arith.xori %x, %x : i32", "arith.constant 0 : i32"),
        ("  %c = arith.constant 0 : i32\n  %r = arith.andi %x, %c : i32", "arith.constant 0 : i32"),
        ("  %c = arith.constant -1 : i32\n  %r = arith.ori %x, %c : i32", "arith.constant -1 : i32"),
        ("  %c = arith.constant 1 : i32\n  %r = arith.remsi %x, %c : i32", "arith.constant 0 : i32"),
        (
            "  %c = arith.constant 2147483647 : i32\n  %r = arith.maxsi %x, %c : i32",
            "arith.constant 2147483647 : i32",
        ),
        ("  %c = arith.constant 0 : i32\n  %r = arith.minui %x, %c : i32", "arith.constant 0 : i32"),
    ];
    for (body, want) in cases {
        check_canonical(&func("i32", body), &[&format!("%0 = {want}"), "return %0 : i32"]);
    }
    // On vectors the zero is a splat.
    check_canonical(
        &func("vector<4xi8>", "  %r = arith.subi %x, %x : vector<4xi8>"),
        &["%0 = arith.constant dense<0> : vector<4xi8>", "return %0"],
    );
}

#[test]
fn division_by_zero_is_left_alone() {
    for op in ["divsi", "divui", "remsi", "remui", "floordivsi", "ceildivsi"] {
        let body = format!("  %c = arith.constant 0 : i32\n  %r = arith.{op} %x, %c : i32");
        check_canonical(&func("i32", &body), &[&format!("arith.{op} %arg0, %0 : i32")]);
    }
}

#[test]
fn constants_move_to_the_right() {
    check_canonical(
        &func("i32", "  %c = arith.constant 5 : i32\n  %r = arith.addi %c, %x : i32"),
        &["arith.addi %arg0, %0 : i32"],
    );
    check_canonical(
        &func("f32", "  %c = arith.constant 5.0 : f32\n  %r = arith.mulf %c, %x : f32"),
        &["arith.mulf %arg0, %0 : f32"],
    );
    // Not commutative: subi keeps its order.
    check_canonical(
        &func("i32", "  %c = arith.constant 5 : i32\n  %r = arith.subi %c, %x : i32"),
        &["arith.subi %0, %arg0 : i32"],
    );
    // Comparisons swap their predicate.
    check_canonical(
        "func.func @f(%x: i32) -> i1 {\n  %c = arith.constant 5 : i32\n  %r = arith.cmpi slt, %c, %x : i32\n  return %r : i1\n}\n",
        &["arith.cmpi sgt, %arg0, %0 : i32"],
    );
    check_canonical(
        "func.func @f(%x: f32) -> i1 {\n  %c = arith.constant 5.0 : f32\n  %r = arith.cmpf ult, %c, %x : f32\n  return %r : i1\n}\n",
        &["arith.cmpf ugt, %arg0, %0 : f32"],
    );
}

#[test]
fn constant_chains_reassociate_with_wrap_around() {
    check_canonical(
        &func("i32", "  %a = arith.constant 1 : i32\n  %b = arith.constant 2 : i32\n  %s = arith.addi %x, %a : i32\n  %r = arith.addi %s, %b : i32"),
        &["%0 = arith.constant 3 : i32", "%1 = arith.addi %arg0, %0 : i32", "return %1"],
    );
    // (x + 127) + 1 on i8: the constants wrap to -128.
    check_canonical(
        &func("i8", "  %a = arith.constant 127 : i8\n  %b = arith.constant 1 : i8\n  %s = arith.addi %x, %a : i8\n  %r = arith.addi %s, %b : i8"),
        &["%0 = arith.constant -128 : i8", "arith.addi %arg0, %0 : i8"],
    );
    // (x - 5) + 2 = x + -3.
    check_canonical(
        &func("i32", "  %a = arith.constant 5 : i32\n  %b = arith.constant 2 : i32\n  %s = arith.subi %x, %a : i32\n  %r = arith.addi %s, %b : i32"),
        &["%0 = arith.constant -3 : i32", "arith.addi %arg0, %0 : i32"],
    );
    // 10 - (x + 3) = 7 - x.
    check_canonical(
        &func("i32", "  %a = arith.constant 3 : i32\n  %b = arith.constant 10 : i32\n  %s = arith.addi %x, %a : i32\n  %r = arith.subi %b, %s : i32"),
        &["%0 = arith.constant 7 : i32", "arith.subi %0, %arg0 : i32"],
    );
    // (x * 3) * 5 = x * 15.
    check_canonical(
        &func("i32", "  %a = arith.constant 3 : i32\n  %b = arith.constant 5 : i32\n  %s = arith.muli %x, %a : i32\n  %r = arith.muli %s, %b : i32"),
        &["%0 = arith.constant 15 : i32", "arith.muli %arg0, %0 : i32"],
    );
    // Float chains are not reassociated: (x + 1) + 2 rounds twice.
    check_canonical(
        &func("f32", "  %a = arith.constant 1.0 : f32\n  %b = arith.constant 2.0 : f32\n  %s = arith.addf %x, %a : f32\n  %r = arith.addf %s, %b : f32"),
        &["arith.addf %arg0, %0 : f32", "arith.addf %2, %1 : f32"],
    );
}

#[test]
fn negated_multiplication_becomes_subtraction() {
    check_canonical(
        &func("i32", "  %m1 = arith.constant -1 : i32\n  %n = arith.muli %y, %m1 : i32\n  %r = arith.addi %x, %n : i32"),
        &["%0 = arith.subi %arg0, %arg1 : i32", "return %0"],
    );
}

#[test]
fn comparisons_of_a_value_with_itself() {
    for (pred, want) in
        [("eq", true), ("sle", true), ("uge", true), ("ne", false), ("slt", false), ("ugt", false)]
    {
        check_canonical(
            &format!("func.func @f(%x: i32) -> i1 {{\n  %r = arith.cmpi {pred}, %x, %x : i32\n  return %r : i1\n}}\n"),
            &[&format!("%0 = arith.constant {want}"), "return %0 : i1"],
        );
    }
    // cmpf oeq x, x is false for NaN: not folded.
    check_canonical(
        "func.func @f(%x: f32) -> i1 {\n  %r = arith.cmpf oeq, %x, %x : f32\n  return %r : i1\n}\n",
        &["arith.cmpf oeq, %arg0, %arg0 : f32"],
    );
    // ... but the `true` predicate holds for any operands.
    check_canonical(
        "func.func @f(%x: f32, %y: f32) -> i1 {\n  %r = arith.cmpf true, %x, %y : f32\n  return %r : i1\n}\n",
        &["%0 = arith.constant true", "return %0 : i1"],
    );
}

#[test]
fn negated_comparisons_invert_their_predicate() {
    check_canonical(
        "func.func @f(%x: i32, %y: i32) -> i1 {\n  %t = arith.constant true\n  %c = arith.cmpi slt, %x, %y : i32\n  %r = arith.xori %c, %t : i1\n  return %r : i1\n}\n",
        &["%0 = arith.cmpi sge, %arg0, %arg1 : i32", "return %0 : i1"],
    );
    // !(x olt y) is (x uge y): true when unordered.
    check_canonical(
        "func.func @f(%x: f32, %y: f32) -> i1 {\n  %t = arith.constant true\n  %c = arith.cmpf olt, %x, %y : f32\n  %r = arith.xori %c, %t : i1\n  return %r : i1\n}\n",
        &["%0 = arith.cmpf uge, %arg0, %arg1 : f32", "return %0 : i1"],
    );
}

#[test]
fn select_folds_and_patterns() {
    let sel = |body: &str| {
        format!("func.func @f(%c: i1, %x: i32, %y: i32) -> i32 {{\n{body}\n  return %r : i32\n}}\n")
    };
    check_canonical(
        &sel("  %t = arith.constant true\n  %r = arith.select %t, %x, %y : i32"),
        &["return %arg1 : i32"],
    );
    check_canonical(
        &sel("  %f = arith.constant false\n  %r = arith.select %f, %x, %y : i32"),
        &["return %arg2 : i32"],
    );
    check_canonical(&sel("  %r = arith.select %c, %x, %x : i32"), &["return %arg1 : i32"]);
    // select(not c, a, b) = select(c, b, a).
    check_canonical(
        &sel(
            "  %t = arith.constant true\n  %n = arith.xori %c, %t : i1\n  %r = arith.select %n, %x, %y : i32",
        ),
        &["%0 = arith.select %arg0, %arg2, %arg1 : i32"],
    );
    // select(c, 1, 0) = extui(c).
    check_canonical(
        &sel("  %one = arith.constant 1 : i32\n  %zero = arith.constant 0 : i32\n  %r = arith.select %c, %one, %zero : i32"),
        &["%0 = arith.extui %arg0 : i1 to i32", "return %0 : i32"],
    );
    // On i1: select(c, true, false) = c, select(c, false, true) = not c.
    let sel1 = |body: &str| format!("func.func @f(%c: i1) -> i1 {{\n{body}\n  return %r : i1\n}}\n");
    check_canonical(
        &sel1("  %t = arith.constant true\n  %f = arith.constant false\n  %r = arith.select %c, %t, %f : i1"),
        &["return %arg0 : i1"],
    );
    check_canonical(
        &sel1("  %t = arith.constant true\n  %f = arith.constant false\n  %r = arith.select %c, %f, %t : i1"),
        &["arith.xori %arg0, %0 : i1"],
    );
    // A constant vector condition selects element by element.
    check_canonical(
        "func.func @f() -> vector<2xi32> {\n  %c = arith.constant dense<[true, false]> : vector<2xi1>\n  \
         %a = arith.constant dense<[1, 2]> : vector<2xi32>\n  %b = arith.constant dense<[3, 4]> : vector<2xi32>\n  \
         %r = arith.select %c, %a, %b : vector<2xi1>, vector<2xi32>\n  return %r : vector<2xi32>\n}\n",
        &["arith.constant dense<[1, 4]> : vector<2xi32>", "!arith.select"],
    );
}

#[test]
fn integer_cast_chains() {
    let f = |from: &str, to: &str, body: &str| {
        format!("func.func @f(%x: {from}) -> {to} {{\n{body}\n  return %r : {to}\n}}\n")
    };
    check_canonical(
        &f("i8", "i64", "  %e = arith.extsi %x : i8 to i32\n  %r = arith.extsi %e : i32 to i64"),
        &["%0 = arith.extsi %arg0 : i8 to i64"],
    );
    check_canonical(
        &f("i8", "i64", "  %e = arith.extui %x : i8 to i32\n  %r = arith.extsi %e : i32 to i64"),
        &["%0 = arith.extui %arg0 : i8 to i64"],
    );
    // extui then extsi is not extsi.
    check_canonical(
        &f("i8", "i64", "  %e = arith.extsi %x : i8 to i32\n  %r = arith.extui %e : i32 to i64"),
        &["arith.extsi %arg0 : i8 to i32", "arith.extui %0 : i32 to i64"],
    );
    check_canonical(
        &f("i8", "i8", "  %e = arith.extsi %x : i8 to i32\n  %r = arith.trunci %e : i32 to i8"),
        &["return %arg0 : i8"],
    );
    check_canonical(
        &f("i8", "i16", "  %e = arith.extsi %x : i8 to i32\n  %r = arith.trunci %e : i32 to i16"),
        &["%0 = arith.extsi %arg0 : i8 to i16"],
    );
    check_canonical(
        &f("i64", "i8", "  %t = arith.trunci %x : i64 to i32\n  %r = arith.trunci %t : i32 to i8"),
        &["%0 = arith.trunci %arg0 : i64 to i8"],
    );
    // i32 -> index -> i32 loses nothing; index -> i32 -> index truncates.
    check_canonical(
        &f(
            "i32",
            "i32",
            "  %i = arith.index_cast %x : i32 to index\n  %r = arith.index_cast %i : index to i32",
        ),
        &["return %arg0 : i32"],
    );
    check_canonical(
        &f(
            "index",
            "index",
            "  %i = arith.index_cast %x : index to i32\n  %r = arith.index_cast %i : i32 to index",
        ),
        &["arith.index_cast %arg0 : index to i32", "arith.index_cast %0 : i32 to index"],
    );
    check_canonical(
        &f("i8", "index", "  %e = arith.extsi %x : i8 to i32\n  %r = arith.index_cast %e : i32 to index"),
        &["%0 = arith.index_cast %arg0 : i8 to index"],
    );
    // Equality of zero-extended values is equality of the values.
    check_canonical(
        "func.func @f(%x: i8, %y: i8) -> i1 {\n  %a = arith.extui %x : i8 to i32\n  %b = arith.extui %y : i8 to i32\n  \
         %r = arith.cmpi ult, %a, %b : i32\n  return %r : i1\n}\n",
        &["%0 = arith.cmpi ult, %arg0, %arg1 : i8"],
    );
    // ... but a signed order is not preserved by zero extension.
    check_canonical(
        "func.func @f(%x: i8, %y: i8) -> i1 {\n  %a = arith.extui %x : i8 to i32\n  %b = arith.extui %y : i8 to i32\n  \
         %r = arith.cmpi slt, %a, %b : i32\n  return %r : i1\n}\n",
        &["arith.cmpi slt, %0, %1 : i32"],
    );
}

#[test]
fn bitcast_round_trip() {
    check_canonical(
        "func.func @f(%x: f32) -> f32 {\n  %b = arith.bitcast %x : f32 to i32\n  %r = arith.bitcast %b : i32 to f32\n  return %r : f32\n}\n",
        &["return %arg0 : f32"],
    );
}
