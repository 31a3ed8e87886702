//! The math dialect: folds (expected values are exact results or 50-digit
//! mpmath references rounded to the type), round trip and docs.

use std::sync::Arc;

use axir_ir::{verify, Context, DialectRegistry};
use axir_rewrite::{
    apply_patterns_greedily, CanonicalizationPatterns, FrozenPatternSet, GreedyConfig, RewritePatternSet,
};
use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};

fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    axir_math::register(&mut r);
    Arc::new(r)
}

fn parse(src: &str) -> (Context, axir_ir::OpId) {
    let mut ctx = Context::new(registry());
    match parse_source(&mut ctx, src, "t.axir", &ParseOptions::default()) {
        Ok(m) => (ctx, m),
        Err(d) => panic!("{}", d.iter().map(|d| d.to_plain_string(&ctx)).collect::<String>()),
    }
}

fn canonicalize(src: &str) -> String {
    let (mut ctx, m) = parse(src);
    let mut set = RewritePatternSet::new();
    for info in ctx.registry().ops() {
        if let Some(c) = info.interfaces.get::<CanonicalizationPatterns>() {
            (c.populate)(&mut set);
        }
    }
    let frozen = FrozenPatternSet::new(set);
    apply_patterns_greedily(&mut ctx, m, &frozen, &GreedyConfig::default()).expect("converges");
    assert!(verify(&ctx, m).is_ok());
    print_op(&ctx, m, &PrintOptions::default())
}

/// `math.OP` of the constants `args` (all of type `ty`) folds to `want`.
fn folds(op: &str, ty: &str, args: &[&str], want: &str) {
    let mut body = String::new();
    let mut names = Vec::new();
    for (i, a) in args.iter().enumerate() {
        body.push_str(&format!("  %a{i} = arith.constant {a} : {ty}\n"));
        names.push(format!("%a{i}"));
    }
    let src = format!(
        "func.func @f() -> {ty} {{\n{body}  %r = math.{op} {} : {ty}\n  return %r : {ty}\n}}\n",
        names.join(", ")
    );
    let out = canonicalize(&src);
    assert!(out.contains(&format!("%0 = arith.constant {want}\n")), "math.{op}{args:?}: {out}");
    assert!(!out.contains("math."), "math.{op}{args:?} not folded: {out}");
}

/// `math.OP` of the constants `args` is left alone.
fn kept(op: &str, ty: &str, args: &[&str]) {
    let mut body = String::new();
    let mut names = Vec::new();
    for (i, a) in args.iter().enumerate() {
        body.push_str(&format!("  %a{i} = arith.constant {a} : {ty}\n"));
        names.push(format!("%a{i}"));
    }
    let src = format!(
        "func.func @f() -> {ty} {{\n{body}  %r = math.{op} {} : {ty}\n  return %r : {ty}\n}}\n",
        names.join(", ")
    );
    let out = canonicalize(&src);
    assert!(out.contains(&format!("math.{op} ")), "math.{op}{args:?} folded: {out}");
}

#[test]
fn exact_functions_fold_in_every_type() {
    folds("floor", "f32", &["-2.5"], "-3.000000e+00 : f32");
    folds("ceil", "f64", &["-2.5"], "-2.000000e+00 : f64");
    folds("round", "f16", &["2.5"], "3.000000e+00 : f16");
    folds("round", "f32", &["-0.4"], "-0.000000e+00 : f32");
    folds("roundeven", "bf16", &["2.5"], "2.000000e+00 : bf16");
    folds("roundeven", "f32", &["-3.5"], "-4.000000e+00 : f32");
    folds("trunc", "f32", &["-2.7"], "-2.000000e+00 : f32");
    folds("absf", "f32", &["-0.0"], "0.000000e+00 : f32");
    folds("absf", "f32", &["0xFFC00001"], "0x7FC00001 : f32");
    folds("copysign", "f32", &["1.0", "-0.0"], "-1.000000e+00 : f32");
    folds("copysign", "f32", &["0x7FC00000", "-1.0"], "0xFFC00000 : f32");
    folds("sqrt", "f32", &["2.0"], "1.4142135e+00 : f32");
    folds("sqrt", "f16", &["2.0"], "1.414062e+00 : f16");
    folds("sqrt", "f64", &["-0.0"], "-0.000000e+00 : f64");
    folds("sqrt", "f32", &["-1.0"], "0x7FC00000 : f32");
    folds("sqrt", "f32", &["0x7F800000"], "0x7F800000 : f32");
}

#[test]
fn libm_functions_at_exact_points() {
    folds("exp", "f32", &["0.0"], "1.000000e+00 : f32");
    folds("exp2", "f32", &["-1.0"], "5.000000e-01 : f32");
    folds("expm1", "f32", &["-0.0"], "-0.000000e+00 : f32");
    folds("log", "f32", &["1.0"], "0.000000e+00 : f32");
    folds("log", "f32", &["0.0"], "0xFF800000 : f32");
    folds("log", "f32", &["-1.0"], "0x7FC00000 : f32");
    folds("log2", "f64", &["8.0"], "3.000000e+00 : f64");
    folds("log10", "f32", &["1.0"], "0.000000e+00 : f32");
    folds("log1p", "f32", &["-1.0"], "0xFF800000 : f32");
    folds("sin", "f32", &["-0.0"], "-0.000000e+00 : f32");
    folds("cos", "f64", &["0.0"], "1.000000e+00 : f64");
    folds("tan", "f32", &["0.0"], "0.000000e+00 : f32");
    folds("asin", "f32", &["2.0"], "0x7FC00000 : f32");
    folds("acos", "f32", &["1.0"], "0.000000e+00 : f32");
    // atan(+inf) = pi/2, correctly rounded to f32: 0x3FC90FDB.
    folds("atan", "f32", &["0x7F800000"], "1.5707964e+00 : f32");
    folds("atan2", "f32", &["-0.0", "1.0"], "-0.000000e+00 : f32");
    folds("sinh", "f32", &["0.0"], "0.000000e+00 : f32");
    folds("cosh", "f32", &["0.0"], "1.000000e+00 : f32");
    folds("tanh", "f32", &["0x7F800000"], "1.000000e+00 : f32");
    folds("asinh", "f32", &["0.0"], "0.000000e+00 : f32");
    folds("acosh", "f32", &["1.0"], "0.000000e+00 : f32");
    folds("atanh", "f32", &["1.0"], "0x7F800000 : f32");
    folds("cbrt", "f64", &["-27.0"], "-3.000000e+00 : f64");
    folds("rsqrt", "f32", &["4.0"], "5.000000e-01 : f32");
    folds("powf", "f32", &["2.0", "10.0"], "1.024000e+03 : f32");
    folds("powf", "f32", &["0x7FC00000", "0.0"], "1.000000e+00 : f32");
    folds("powf", "f32", &["1.0", "0x7FC00000"], "1.000000e+00 : f32");
    folds("powf", "f32", &["0x7FC00007", "2.0"], "0x7FC00007 : f32");
    folds("exp", "f32", &["0x7FC00003"], "0x7FC00003 : f32");
}

#[test]
fn erf_and_erfc_match_mpmath() {
    // erf(0.5) = 0.520499877813046537..., erf(-1) = -0.842700792949714869...,
    // erfc(2) = 0.004677734981047265..., erfc(10) = 2.08848758376254476e-45.
    folds("erf", "f32", &["0.5"], "5.204999e-01 : f32");
    folds("erf", "f64", &["-1.0"], "-8.427007929497149e-01 : f64");
    folds("erfc", "f32", &["2.0"], "4.677735e-03 : f32");
    folds("erfc", "f64", &["10.0"], "2.088487583762545e-45 : f64");
    folds("erf", "f32", &["0xFF800000"], "-1.000000e+00 : f32");
    folds("erfc", "f32", &["0xFF800000"], "2.000000e+00 : f32");
}

#[test]
fn fma_rounds_once() {
    // (1 + 2^-52) * (1 - 2^-53) - 1 = 2^-53 - 2^-105 exactly in f64; with a
    // rounded product it would be 0.
    folds(
        "fma",
        "f64",
        &["0x3FF0000000000001", "0x3FEFFFFFFFFFFFFF", "-1.0"],
        "1.1102230246251563e-16 : f64",
    );
    folds("fma", "f32", &["2.0", "3.0", "4.0"], "1.000000e+01 : f32");
    kept("fma", "f16", &["2.0", "3.0", "4.0"]);
}

#[test]
fn half_precision_transcendentals_are_not_folded() {
    kept("exp", "f16", &["1.0"]);
    kept("sin", "bf16", &["1.0"]);
    kept("powf", "f16", &["2.0", "2.0"]);
    kept("erf", "bf16", &["0.5"]);
}

#[test]
fn shaped_constants() {
    folds(
        "sqrt",
        "vector<2xf32>",
        &["dense<[1.0, 4.0]>"],
        "dense<[1.000000e+00, 2.000000e+00]> : vector<2xf32>",
    );
    folds("absf", "tensor<3xf64>", &["dense<-2.0>"], "dense<2.000000e+00> : tensor<3xf64>");
}

#[test]
fn identities() {
    let out = canonicalize(
        "func.func @f(%x: f32) -> (f32, f32, f32) {\n  %0 = math.ceil %x : f32\n  %1 = math.ceil %0 : f32\n  \
         %n = arith.negf %x : f32\n  %2 = math.absf %n : f32\n  %3 = math.absf %2 : f32\n  \
         %4 = math.sqrt %x : f32\n  %5 = math.sqrt %4 : f32\n  return %1, %3, %5 : f32, f32, f32\n}\n",
    );
    assert!(out.contains("%0 = math.ceil %arg0 : f32\n"), "{out}");
    assert!(out.contains("%1 = math.absf %arg0 : f32\n"), "{out}");
    // sqrt(sqrt(x)) is the fourth root: both stay.
    assert!(out.contains("%3 = math.sqrt %2 : f32\n"), "{out}");
    assert!(out.contains("return %0, %1, %3"), "{out}");
}

#[test]
fn verifier_wording() {
    let (ctx, m) = parse("func.func @f(%a: i32) {\n  %0 = math.exp %a : i32\n  return\n}\n");
    let d = verify(&ctx, m).expect_err("math.exp on i32 is invalid");
    assert_eq!(d[0].message, "'math.exp' op operand #0 must be floating-point-like, but got 'i32'");
}

#[test]
fn ops_round_trip_in_both_forms() {
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/dialects/math/ops.axir"))
            .expect("test/dialects/math/ops.axir is readable");
    let generic = PrintOptions { generic: true, ..PrintOptions::default() };
    let (ctx, m) = parse(&src);
    let custom1 = print_op(&ctx, m, &PrintOptions::default());
    let generic1 = print_op(&ctx, m, &generic);
    let (ctx2, m2) = parse(&custom1);
    assert_eq!(print_op(&ctx2, m2, &PrintOptions::default()), custom1);
    let (ctx3, m3) = parse(&generic1);
    assert_eq!(print_op(&ctx3, m3, &PrintOptions::default()), custom1);
}

#[test]
fn every_op_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/dialects/math.md"))
        .expect("docs/dialects/math.md is readable");
    let ops = axir_math::op_infos();
    assert_eq!(ops.len(), 34);
    for info in ops {
        assert!(doc.contains(&format!("`{}`", info.name)), "{} is not documented", info.name);
        assert!(info.description.contains(&format!("{} ", info.name)), "{} has no example", info.name);
    }
}
