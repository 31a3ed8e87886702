//! Scalar semantics of `arith` and `math` at run time, checked against
//! MLIR's definitions with values worked out by hand (not by the evaluator).

mod support;
use support::*;

use axir_ndarray::NdArray;

/// A function `@f(%a: T, %b: T) -> R` whose body computes `%r`.
fn binary(ty: &str, result: &str, body: &str) -> String {
    format!("func.func @f(%a: {ty}, %b: {ty}) -> {result} {{\n{body}\n  return %r : {result}\n}}\n")
}

fn i32_op(op: &str, a: i32, b: i32) -> Result<i32, String> {
    let src = binary("i32", "i32", &format!("  %r = arith.{op} %a, %b : i32"));
    let out = run(&src, "f", vec![NdArray::scalar(a), NdArray::scalar(b)])?;
    Ok(out[0].as_slice::<i32>().expect("i32 result")[0])
}

fn f32_op(body: &str, result: &str, a: f32, b: f32) -> NdArray {
    let src = binary("f32", result, body);
    run_ok(&src, "f", vec![NdArray::scalar(a), NdArray::scalar(b)]).remove(0)
}

fn f32_of(a: &NdArray) -> f32 {
    a.as_slice::<f32>().expect("f32 result")[0]
}

fn bool_of(a: &NdArray) -> bool {
    a.as_slice::<bool>().expect("i1 result")[0]
}

#[test]
fn integer_division_rounds_as_mlir_says() {
    // divsi truncates toward zero; floordivsi floors; ceildivsi ceils;
    // remsi takes the sign of the dividend; divui reads the bits unsigned.
    assert_eq!(i32_op("divsi", -7, 2), Ok(-3));
    assert_eq!(i32_op("floordivsi", -7, 2), Ok(-4));
    assert_eq!(i32_op("ceildivsi", -7, 2), Ok(-3));
    assert_eq!(i32_op("ceildivsi", 7, 2), Ok(4));
    assert_eq!(i32_op("remsi", -7, 2), Ok(-1));
    assert_eq!(i32_op("divui", -2, 2), Ok(0x7FFF_FFFF));
    assert_eq!(i32_op("remui", -1, 10), Ok(5)); // 4294967295 % 10
}

#[test]
fn undefined_integer_ops_are_errors() {
    for op in ["divsi", "divui", "remsi", "remui", "floordivsi", "ceildivsi"] {
        let e = i32_op(op, 7, 0).expect_err("division by zero");
        assert!(e.contains(&format!("'arith.{op}' op failed at run time: division by zero")), "{e}");
    }
    let e = i32_op("divsi", i32::MIN, -1).expect_err("overflow");
    assert!(e.contains("signed division overflow"), "{e}");
    let e = i32_op("shli", 1, 32).expect_err("shift by the width");
    assert!(e.contains("shift amount 32 is not less than the bit width 32"), "{e}");
}

#[test]
fn integers_wrap() {
    assert_eq!(i32_op("addi", i32::MAX, 1), Ok(i32::MIN));
    assert_eq!(i32_op("muli", 65536, 65536), Ok(0));
    assert_eq!(i32_op("subi", i32::MIN, 1), Ok(i32::MAX));
    assert_eq!(i32_op("shrsi", -8, 1), Ok(-4));
    assert_eq!(i32_op("shrui", -8, 28), Ok(15));
    assert_eq!(i32_op("maxui", -1, 3), Ok(-1));
    assert_eq!(i32_op("minsi", -1, 3), Ok(-1));
    let src = binary("i8", "i8", "  %r = arith.addi %a, %b : i8");
    let out = run_ok(&src, "f", vec![NdArray::scalar(100i8), NdArray::scalar(100i8)]);
    assert_eq!(out[0].as_slice::<i8>(), Some(&[-56i8][..]));
}

#[test]
fn float_ops_round_in_their_own_precision() {
    // 2^24 + 1 is not an f32: the sum rounds (to even) back to 2^24.
    let r = f32_op("  %r = arith.addf %a, %b : f32", "f32", 16_777_216.0, 1.0);
    assert_eq!(f32_of(&r), 16_777_216.0);
    // sqrt is correctly rounded: sqrt(2) in f32 is 0x3FB504F3.
    let r = f32_op("  %r = math.sqrt %a : f32", "f32", 2.0, 0.0);
    assert_eq!(f32_of(&r).to_bits(), 0x3FB5_04F3);
    // 0.1 + 0.2 in f32 is 0x3E99999A (in f64 it would round differently).
    let r = f32_op("  %r = arith.addf %a, %b : f32", "f32", 0.1, 0.2);
    assert_eq!(f32_of(&r).to_bits(), 0x3E99_999A);
    // remf is C's fmod: the sign of the dividend.
    let r = f32_op("  %r = arith.remf %a, %b : f32", "f32", -7.5, 2.0);
    assert_eq!(f32_of(&r), -1.5);
}

#[test]
fn min_max_follow_ieee_754_2019() {
    let r = f32_op("  %r = arith.maximumf %a, %b : f32", "f32", f32::NAN, 1.0);
    assert!(f32_of(&r).is_nan());
    let r = f32_op("  %r = arith.maxnumf %a, %b : f32", "f32", f32::NAN, 1.0);
    assert_eq!(f32_of(&r), 1.0);
    let r = f32_op("  %r = arith.minimumf %a, %b : f32", "f32", 0.0, -0.0);
    assert!(f32_of(&r) == 0.0 && f32_of(&r).is_sign_negative());
}

#[test]
fn cmpf_ordered_and_unordered() {
    let cmp = |pred: &str, a: f32, b: f32| {
        bool_of(&f32_op(&format!("  %r = arith.cmpf {pred}, %a, %b : f32"), "i1", a, b))
    };
    assert!(!cmp("olt", f32::NAN, 1.0));
    assert!(cmp("ult", f32::NAN, 1.0));
    assert!(!cmp("one", f32::NAN, 1.0));
    assert!(cmp("une", f32::NAN, 1.0));
    assert!(!cmp("ord", f32::NAN, 1.0));
    assert!(cmp("uno", 1.0, f32::NAN));
    assert!(cmp("oeq", 0.0, -0.0));
    assert!(cmp("olt", -1.0, 1.0));
    assert!(!cmp("false", 1.0, 1.0));
    assert!(cmp("true", f32::NAN, f32::NAN));
}

#[test]
fn casts() {
    // 2^24 + 1 rounds to 2^24 in f32 (ties to even).
    let src = "func.func @f(%a: i32) -> f32 {\n  %r = arith.sitofp %a : i32 to f32\n  return %r : f32\n}\n";
    assert_eq!(f32_of(&run_ok(src, "f", vec![NdArray::scalar(16_777_217i32)])[0]), 16_777_216.0);
    // uitofp reads -1 as 2^32 - 1, which rounds to 2^32.
    let src = "func.func @f(%a: i32) -> f32 {\n  %r = arith.uitofp %a : i32 to f32\n  return %r : f32\n}\n";
    assert_eq!(f32_of(&run_ok(src, "f", vec![NdArray::scalar(-1i32)])[0]), 4_294_967_296.0);
    // fptosi truncates toward zero.
    let src = "func.func @f(%a: f32) -> i32 {\n  %r = arith.fptosi %a : f32 to i32\n  return %r : i32\n}\n";
    assert_eq!(run_ok(src, "f", vec![NdArray::scalar(-2.7f32)])[0].as_slice::<i32>(), Some(&[-2][..]));
    assert_eq!(run_ok(src, "f", vec![NdArray::scalar(2.7f32)])[0].as_slice::<i32>(), Some(&[2][..]));
    // Out of range and NaN are poison in MLIR: errors here.
    let e = run_err(src, "f", vec![NdArray::scalar(3.0e9f32)]);
    assert!(e.contains("fptosi of 3000000000 is out of range for i32"), "{e}");
    let e = run_err(src, "f", vec![NdArray::scalar(f32::NAN)]);
    assert!(e.contains("out of range"), "{e}");
    // truncf rounds to nearest even; extf is exact.
    let src = "func.func @f(%a: f64) -> f64 {\n  %t = arith.truncf %a : f64 to f32\n  %r = arith.extf %t : f32 to f64\n  return %r : f64\n}\n";
    let r = run_ok(src, "f", vec![NdArray::scalar(0.1f64)]);
    assert_eq!(r[0].as_slice::<f64>(), Some(&[f64::from(0.1f32)][..]));
    // trunci keeps the low bits; extui zero-extends; extsi sign-extends.
    let src = "func.func @f(%a: i32) -> (i8, i32, i32) {\n  %t = arith.trunci %a : i32 to i8\n  %u = arith.extui %t : i8 to i32\n  %s = arith.extsi %t : i8 to i32\n  return %t, %u, %s : i8, i32, i32\n}\n";
    let r = run_ok(src, "f", vec![NdArray::scalar(200i32)]);
    assert_eq!(r[0].as_slice::<i8>(), Some(&[-56i8][..]));
    assert_eq!(r[1].as_slice::<i32>(), Some(&[200][..]));
    assert_eq!(r[2].as_slice::<i32>(), Some(&[-56][..]));
    // index_cast sign-extends, index_castui zero-extends.
    let src = "func.func @f(%a: i32) -> (index, index) {\n  %s = arith.index_cast %a : i32 to index\n  %u = arith.index_castui %a : i32 to index\n  return %s, %u : index, index\n}\n";
    let r = run_ok(src, "f", vec![NdArray::scalar(-1i32)]);
    assert_eq!(r[0].as_slice::<i64>(), Some(&[-1i64][..]));
    assert_eq!(r[1].as_slice::<i64>(), Some(&[4_294_967_295i64][..]));
    // bitcast reinterprets the bits.
    let src = "func.func @f(%a: f32) -> i32 {\n  %r = arith.bitcast %a : f32 to i32\n  return %r : i32\n}\n";
    assert_eq!(
        run_ok(src, "f", vec![NdArray::scalar(1.0f32)])[0].as_slice::<i32>(),
        Some(&[0x3F80_0000][..])
    );
}

#[test]
fn select_and_vectors() {
    // A scalar condition selects whole vectors; a vector condition lane by lane.
    let src = r#"
func.func @f(%c: i1, %m: vector<4xi1>) -> (vector<4xi32>, vector<4xi32>) {
  %a = arith.constant dense<[1, 2, 3, 4]> : vector<4xi32>
  %b = arith.constant dense<10> : vector<4xi32>
  %r = arith.select %c, %a, %b : vector<4xi32>
  %s = arith.select %m, %a, %b : vector<4xi1>, vector<4xi32>
  return %r, %s : vector<4xi32>, vector<4xi32>
}
"#;
    let mask = NdArray::from_vec(vec![4], vec![true, false, true, false]).expect("shape");
    let r = run_ok(src, "f", vec![NdArray::scalar(false), mask]);
    assert_eq!(r[0].as_slice::<i32>(), Some(&[10, 10, 10, 10][..]));
    assert_eq!(r[1].as_slice::<i32>(), Some(&[1, 10, 3, 10][..]));
}

#[test]
fn math_in_f16_rounds_once_to_f16() {
    // sqrt(2) in f16 is 0x3DA8 (1.4140625).
    let src = "func.func @f(%a: f16) -> f16 {\n  %r = math.sqrt %a : f16\n  return %r : f16\n}\n";
    let r = run_ok(src, "f", vec![NdArray::scalar(axir_ndarray::f16::from_f32(2.0))]);
    assert_eq!(r[0].as_slice::<axir_ndarray::f16>().map(|v| v[0].to_bits()), Some(0x3DA8));
}

#[test]
fn overflow_flags_make_overflow_an_error() {
    let run_flag = |flag: &str, a: i32, b: i32| {
        let src = binary("i32", "i32", &format!("  %r = arith.addi %a, %b overflow<{flag}> : i32"));
        run(&src, "f", vec![NdArray::scalar(a), NdArray::scalar(b)])
    };
    let e = run_flag("nsw", i32::MAX, 1).expect_err("signed overflow");
    assert!(e.contains("signed overflow in an op with overflow<nsw> (poison in MLIR)"), "{e}");
    // -1 + 1 wraps unsigned (0xFFFFFFFF + 1) but not signed.
    assert!(run_flag("nsw", -1, 1).is_ok());
    let e = run_flag("nuw", -1, 1).expect_err("unsigned overflow");
    assert!(e.contains("unsigned overflow"), "{e}");
    assert!(run_flag("nuw", i32::MAX, 1).is_ok());
}
