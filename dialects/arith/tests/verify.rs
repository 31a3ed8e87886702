//! The verifier rules of the arith ops, with MLIR's wording (the same cases
//! as `test/dialects/arith/invalid.axir`, checked here without `axopt`).

mod support;
use support::*;

/// A function with arguments `args` whose body is `body`.
fn func(args: &str, body: &str) -> String {
    format!("func.func @f({args}) {{\n{body}\n  return\n}}\n")
}

#[test]
fn valid_ops_verify() {
    assert_valid(&func("%a: f32, %b: f32", "  %0 = arith.addf %a, %b fastmath<fast> : f32"));
    assert_valid(&func("%a: vector<4xi8>", "  %0 = arith.cmpi ult, %a, %a : vector<4xi8>"));
    assert_valid(&func(
        "%c: vector<2xi1>, %a: vector<2xf32>",
        "  %0 = arith.select %c, %a, %a : vector<2xi1>, vector<2xf32>",
    ));
    assert_valid(&func("%c: i1, %a: tensor<2xf32>", "  %0 = arith.select %c, %a, %a : tensor<2xf32>"));
    assert_valid(&func("%m: memref<4xi32>", "  %0 = arith.index_cast %m : memref<4xi32> to memref<4xindex>"));
    assert_valid(&func("%a: tensor<*xf32>", "  %0 = arith.extf %a : tensor<*xf32> to tensor<*xf64>"));
    assert_valid(&func("%a: f16", "  %0 = arith.bitcast %a : f16 to bf16"));
}

#[test]
fn operand_and_result_constraints() {
    let cases = [
        ("%a: i32", "  %0 = arith.addf %a, %a : i32", "'arith.addf' op operand #0 must be floating-point-like, but got 'i32'"),
        ("%a: si32", "  %0 = arith.addi %a, %a : si32", "'arith.addi' op operand #0 must be signless-integer-like, but got 'si32'"),
        ("%a: index", "  %0 = arith.extui %a : index to i64", "'arith.extui' op operand #0 must be signless-fixed-width-integer-like, but got 'index'"),
        ("%a: i32", "  %0 = arith.sitofp %a : i32 to i64", "'arith.sitofp' op result #0 must be floating-point-like, but got 'i64'"),
        ("%a: f32", "  %0 = arith.index_cast %a : f32 to index", "'arith.index_cast' op operand #0 must be signless-integer-like or memref of signless-integer, but got 'f32'"),
        ("%c: i32, %a: f32", "  %0 = \"arith.select\"(%c, %a, %a) : (i32, f32, f32) -> f32", "'arith.select' op operand #0 must be bool-like, but got 'i32'"),
        ("%a: f32", "  %0 = \"arith.cmpf\"(%a, %a) {predicate = 4 : i64} : (f32, f32) -> i32", "'arith.cmpf' op result #0 must be bool-like, but got 'i32'"),
    ];
    for (args, body, msg) in cases {
        assert_error(&func(args, body), msg);
    }
}

#[test]
fn attribute_constraints() {
    let cases = [
        ("%a: f32", "  %0 = \"arith.mulf\"(%a, %a) {fastmath = 1 : i32} : (f32, f32) -> f32", "'arith.mulf' op attribute 'fastmath' failed to satisfy constraint: Floating point fast math flags"),
        ("%a: i32", "  %0 = \"arith.addi\"(%a, %a) {overflowFlags = #arith.fastmath<fast>} : (i32, i32) -> i32", "'arith.addi' op attribute 'overflowFlags' failed to satisfy constraint: Integer overflow arith flags"),
        ("%a: f32", "  %0 = \"arith.cmpf\"(%a, %a) {predicate = 16 : i64} : (f32, f32) -> i1", "'arith.cmpf' op attribute 'predicate' failed to satisfy constraint: allowed 64-bit signless integer cases: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15"),
        ("%a: i32", "  %0 = \"arith.cmpi\"(%a, %a) {predicate = -1 : i64} : (i32, i32) -> i1", "'arith.cmpi' op attribute 'predicate' failed to satisfy constraint: allowed 64-bit signless integer cases: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"),
        ("%a: i32", "  %0 = \"arith.cmpi\"(%a, %a) : (i32, i32) -> i1", "'arith.cmpi' op requires attribute 'predicate'"),
        ("", "  %0 = \"arith.constant\"() {value = 1 : i32} : () -> f32", "'arith.constant' op failed to verify that all of {value, result} have same type"),
        ("", "  %0 = \"arith.constant\"() {value = 1 : ui8} : () -> ui8", "'arith.constant' op integer return type must be signless"),
        ("", "  %0 = \"arith.constant\"() {value = \"s\"} : () -> f32", "'arith.constant' op failed to verify that all of {value, result} have same type"),
    ];
    for (args, body, msg) in cases {
        assert_error(&func(args, body), msg);
    }
}

#[test]
fn shape_rules() {
    let cases = [
        ("%a: f32, %b: f64", "  %0 = \"arith.addf\"(%a, %b) : (f32, f64) -> f32", "'arith.addf' op requires the same type for all operands and results"),
        ("%a: i32, %b: i64", "  %0 = \"arith.cmpi\"(%a, %b) {predicate = 1 : i64} : (i32, i64) -> i1", "'arith.cmpi' op requires all operands to have the same type"),
        ("%a: vector<2xi32>", "  %0 = \"arith.cmpi\"(%a, %a) {predicate = 1 : i64} : (vector<2xi32>, vector<2xi32>) -> i1", "'arith.cmpi' op failed to verify that result type has i1 element type and same shape as operands"),
        ("%c: vector<2xi1>, %a: vector<4xf32>", "  %0 = arith.select %c, %a, %a : vector<2xi1>, vector<4xf32>", "'arith.select' op failed to verify that condition is signless i1 or has matching shape"),
        ("%c: vector<2xi1>, %a: tensor<2xf32>", "  %0 = \"arith.select\"(%c, %a, %a) : (vector<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>", "'arith.select' op all non-scalar operands/results must have the same shape and base type"),
        ("%c: i1, %a: f32, %b: f64", "  %0 = \"arith.select\"(%c, %a, %b) : (i1, f32, f64) -> f32", "'arith.select' op failed to verify that all of {true_value, false_value, result} have same type"),
        ("%a: vector<4xf32>", "  %0 = arith.extf %a : vector<4xf32> to vector<2xf64>", "'arith.extf' op requires the same shape for all operands and results"),
        ("%a: vector<[4]xi32>", "  %0 = arith.trunci %a : vector<[4]xi32> to vector<4xi16>", "'arith.trunci' op requires the same shape for all operands and results"),
        ("%a: tensor<?xf32>", "  %0 = arith.extf %a : tensor<?xf32> to tensor<4xf64>", "'arith.extf' op failed to verify that input and output have the same tensor dimensions"),
    ];
    for (args, body, msg) in cases {
        assert_error(&func(args, body), msg);
    }
}

#[test]
fn cast_compatibility() {
    let cases = [
        (
            "%a: f32",
            "  %0 = arith.extf %a : f32 to f16",
            "'arith.extf' op operand type 'f32' and result type 'f16' are cast incompatible",
        ),
        (
            "%a: f16",
            "  %0 = arith.extf %a : f16 to bf16",
            "'arith.extf' op operand type 'f16' and result type 'bf16' are cast incompatible",
        ),
        (
            "%a: f32",
            "  %0 = arith.truncf %a : f32 to f32",
            "'arith.truncf' op operand type 'f32' and result type 'f32' are cast incompatible",
        ),
        (
            "%a: i32",
            "  %0 = arith.extsi %a : i32 to i16",
            "'arith.extsi' op operand type 'i32' and result type 'i16' are cast incompatible",
        ),
        (
            "%a: i32",
            "  %0 = arith.trunci %a : i32 to i64",
            "'arith.trunci' op operand type 'i32' and result type 'i64' are cast incompatible",
        ),
        (
            "%a: i32",
            "  %0 = arith.index_cast %a : i32 to i64",
            "'arith.index_cast' op operand type 'i32' and result type 'i64' are cast incompatible",
        ),
        (
            "%a: index",
            "  %0 = arith.index_castui %a : index to index",
            "'arith.index_castui' op operand type 'index' and result type 'index' are cast incompatible",
        ),
        (
            "%a: i32",
            "  %0 = arith.bitcast %a : i32 to f64",
            "'arith.bitcast' op operand type 'i32' and result type 'f64' are cast incompatible",
        ),
    ];
    for (args, body, msg) in cases {
        assert_error(&func(args, body), msg);
    }
}
