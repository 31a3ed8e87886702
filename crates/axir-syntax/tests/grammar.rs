//! The grammar pieces one at a time: types, attributes, literals and
//! locations, each parsed and printed back (`check_*(input, printed)`).

mod common;
use axir_ir::{AttributeData, Context, FloatKind, TypeData};
use axir_syntax::{attribute_to_string, parse_attribute, parse_type, type_to_string};

fn check_type(input: &str, printed: &str) {
    let mut ctx = Context::default();
    let ty = parse_type(&mut ctx, input).unwrap_or_else(|d| panic!("{input}: {}", d[0].message));
    assert_eq!(type_to_string(&ctx, ty), printed, "{input}");
    // And the printed form parses to the same interned type.
    assert_eq!(parse_type(&mut ctx, printed).ok(), Some(ty), "{printed}");
}

fn check_attr(input: &str, printed: &str) {
    let mut ctx = Context::default();
    let a = parse_attribute(&mut ctx, input).unwrap_or_else(|d| panic!("{input}: {}", d[0].message));
    assert_eq!(attribute_to_string(&ctx, a), printed, "{input}");
    assert_eq!(parse_attribute(&mut ctx, printed).ok(), Some(a), "{printed}");
}

fn type_error(input: &str) -> String {
    let mut ctx = Context::default();
    parse_type(&mut ctx, input).map(|_| String::new()).unwrap_or_else(|d| d[0].message.clone())
}

fn attr_error(input: &str) -> String {
    let mut ctx = Context::default();
    parse_attribute(&mut ctx, input).map(|_| String::new()).unwrap_or_else(|d| d[0].message.clone())
}

#[test]
fn builtin_types() {
    for t in ["i1", "i8", "i64", "i65535", "si32", "ui8", "index", "f16", "bf16", "f32", "f64", "none"] {
        check_type(t, t);
    }
    check_type("tensor<4x?x8xf32>", "tensor<4x?x8xf32>");
    check_type("tensor<f32>", "tensor<f32>");
    check_type("tensor<*xf32>", "tensor<*xf32>");
    check_type("tensor<0xf32>", "tensor<0xf32>");
    check_type("tensor< 4x8xf32 >", "tensor<4x8xf32>");
    check_type(
        "memref<4x?xf32, strided<[?, 1], offset: ?>, 1>",
        "memref<4x?xf32, strided<[?, 1], offset: ?>, 1>",
    );
    check_type("memref<4xf32, strided<[1], offset: 0>>", "memref<4xf32, strided<[1]>>");
    check_type(
        "memref<8xf32, #gpu.address_space<workgroup>>",
        "memref<8xf32, #gpu.address_space<workgroup>>",
    );
    check_type("vector<8xf32>", "vector<8xf32>");
    check_type("vector<4x[8]xf32>", "vector<4x[8]xf32>");
    check_type("(f32, f32) -> f32", "(f32, f32) -> f32");
    check_type("() -> (f32, i1)", "() -> (f32, i1)");
    check_type("() -> ()", "() -> ()");
    check_type("(i32) -> (f32)", "(i32) -> f32");
    check_type("tuple<>", "tuple<>");
    check_type("tuple<i32, tuple<f32>>", "tuple<i32, tuple<f32>>");
    check_type("!llvm.ptr", "!llvm.ptr");
    check_type("!llvm.struct<(i32, ptr)>", "!llvm.struct<(i32, ptr)>");
    check_type("!foo<\"opaque > text\">", "!foo<\"opaque > text\">");
    check_type("!foo.bar<a -> b, [c]>", "!foo.bar<a -> b, [c]>");
}

#[test]
fn type_structure() {
    let mut ctx = Context::default();
    let t = parse_type(&mut ctx, "tensor<4x?xbf16>").unwrap();
    let TypeData::Tensor { shape: Some(shape), element } = ctx.type_data(t).clone() else { panic!() };
    assert_eq!(shape, vec![Some(4), None]);
    assert_eq!(ctx.float_kind(element), Some(FloatKind::BF16));
}

#[test]
fn type_errors() {
    assert_eq!(type_error("i0"), "expected non-function type");
    assert_eq!(type_error("i70000"), "integer bitwidth is limited to 65535 bits");
    assert_eq!(type_error("f80"), "unsupported float type 'f80'");
    assert_eq!(type_error("complex<f32>"), "complex types are not supported");
    assert_eq!(type_error("vector<0xf32>"), "vector types must have positive constant sizes");
    assert_eq!(type_error("(f32)"), "expected '->'");
    assert!(type_error("tensor<4xf32").starts_with("expected "));
    assert_eq!(type_error("f32 f32"), "unexpected text after the end of the value");
}

#[test]
fn integer_and_bool_literals() {
    check_attr("42", "42 : i64");
    check_attr("-42 : i32", "-42 : i32");
    check_attr("0x2A : i8", "42 : i8");
    check_attr("255 : i8", "-1 : i8");
    check_attr("255 : ui8", "255 : ui8");
    check_attr("-128 : si8", "-128 : si8");
    check_attr("1 : i1", "true");
    check_attr("false", "false");
    check_attr("7 : index", "7 : index");
    check_attr("18446744073709551615 : i64", "-1 : i64");
    check_attr("- 5 : i16", "-5 : i16");
    assert_eq!(attr_error("256 : i8"), "integer constant out of range for attribute");
    assert_eq!(attr_error("-1 : ui8"), "integer constant out of range for attribute");
    assert_eq!(attr_error("18446744073709551616 : i64"), "integer constant out of range for attribute");
    assert_eq!(attr_error("2 : i1"), "integer constant out of range for attribute");
    assert_eq!(attr_error("1 : tensor<f32>"), "integer literal not valid for specified type");
}

#[test]
fn float_literals() {
    check_attr("1.0", "1.000000e+00 : f64");
    check_attr("1.5 : f32", "1.500000e+00 : f32");
    check_attr("-2.5e-3 : f32", "-2.500000e-03 : f32");
    check_attr("1. : f16", "1.000000e+00 : f16");
    check_attr("0.1 : f32", "1.000000e-01 : f32");
    check_attr("0.3 : f64", "3.000000e-01 : f64");
    check_attr("0.123456789 : f64", "1.23456789e-01 : f64");
    check_attr("0x7FC00000 : f32", "0x7FC00000 : f32");
    check_attr("0xFF800000 : f32", "0xFF800000 : f32");
    check_attr("0x7FF0000000000000 : f64", "0x7FF0000000000000 : f64");
    check_attr("0x3C00 : f16", "1.000000e+00 : f16");
    check_attr("0x7C00 : f16", "0x7C00 : f16");
    check_attr("1.0e40 : f32", "0x7F800000 : f32");
    let mut ctx = Context::default();
    let a = parse_attribute(&mut ctx, "0.1 : f32").unwrap();
    let AttributeData::Float { bits, .. } = ctx.attr_data(a) else { panic!() };
    assert_eq!(f64::from_bits(*bits), 0.1f32 as f64, "rounded once, decimal to f32");
}

#[test]
fn strings_symbols_and_containers() {
    check_attr("\"a\\\"b\\\\c\\n\\t\\0A\\7e\"", "\"a\\22b\\\\c\\0A\\09\\0A~\"");
    check_attr("@f", "@f");
    check_attr("@\"with space\"", "@\"with space\"");
    check_attr("@a::@b::@c", "@a::@b::@c");
    check_attr("[]", "[]");
    check_attr("[1, [2.0, \"x\"], unit]", "[1 : i64, [2.000000e+00 : f64, \"x\"], unit]");
    check_attr("{}", "{}");
    check_attr("{b = 1, a, \"q k\" = [f32]}", "{a, b = 1 : i64, \"q k\" = [f32]}");
    check_attr("unit", "unit");
    check_attr("f32", "f32");
    check_attr("(i32) -> i1", "(i32) -> i1");
    assert_eq!(attr_error("{a, a}"), "duplicate key 'a' in dictionary attribute");
    assert_eq!(attr_error("\"\\FF\""), "string literal is not valid UTF-8");
}

#[test]
fn dense_and_array_literals() {
    check_attr(
        "dense<[[1.0, 2.0]]> : tensor<1x2xf32>",
        "dense<[[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>",
    );
    check_attr("dense<0.5> : tensor<4xf32>", "dense<5.000000e-01> : tensor<4xf32>");
    check_attr("dense<[3, 3]> : tensor<2xi32>", "dense<3> : tensor<2xi32>");
    check_attr("dense<[true, false]> : vector<2xi1>", "dense<[true, false]> : vector<2xi1>");
    check_attr("dense<[255, 0]> : tensor<2xui8>", "dense<[255, 0]> : tensor<2xui8>");
    check_attr(
        "dense<\"0x0000803F00000040\"> : tensor<2xf32>",
        "dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>",
    );
    check_attr("dense<> : tensor<0xi64>", "dense<> : tensor<0xi64>");
    check_attr("dense<0x7FC00000> : tensor<2xf32>", "dense<0x7FC00000> : tensor<2xf32>");
    check_attr("array<i64: 1, 0>", "array<i64: 1, 0>");
    check_attr("array<i32>", "array<i32>");
    check_attr("array<f64: 1.5, -2.0>", "array<f64: 1.500000e+00, -2.000000e+00>");
    check_attr("array<i1: true>", "array<i1: true>");
    assert_eq!(
        attr_error("dense<[1, 2]> : tensor<3xi32>"),
        "inferred shape of elements literal ([2]) does not match type ([3])"
    );
    assert_eq!(
        attr_error("dense<1> : tensor<?xi32>"),
        "elements literal type must be a ranked tensor or vector with static shape"
    );
    assert_eq!(
        attr_error("dense<1> : tensor<2xf32>"),
        "unexpected decimal integer literal for a floating point value"
    );
    assert_eq!(attr_error("dense<(1.0, 2.0)> : tensor<2xf32>"), "complex elements are not supported");
    assert_eq!(
        attr_error("dense<\"0x00\"> : tensor<2xi32>"),
        "elements hex data size is invalid for provided type"
    );
    assert_eq!(attr_error("array<i64: 1.5>"), "floating point value not valid for specified type");
}

#[test]
fn opaque_attributes_keep_their_text() {
    check_attr("#arith.fastmath<none>", "#arith.fastmath<nsz, arcp>".replace("nsz, arcp", "none").as_str());
    check_attr("#arith.fastmath<nsz, arcp>", "#arith.fastmath<nsz, arcp>");
    check_attr("#foo<\"opaque\">", "#foo<\"opaque\">");
    check_attr("#dialect.flag", "#dialect.flag");
    check_attr("affine_map<(d0, d1) -> (d1, d0)>", "affine_map<(d0, d1) -> (d1, d0)>");
    check_attr("affine_set<(d0) : (d0 - 1 >= 0)>", "affine_set<(d0) : (d0 - 1 >= 0)>");
    assert_eq!(attr_error("#undefined"), "undefined symbol alias id 'undefined'");
}

#[test]
fn locations() {
    let src = r#""t.a"() : () -> () loc(unknown)
"t.b"() : () -> () loc("file.mlir":3:5)
"t.c"() : () -> () loc("name")
"t.d"() : () -> () loc("name"("file.mlir":1:2))
"t.e"() : () -> () loc(callsite("callee" at "caller.mlir":10:8))
"t.f"() : () -> () loc(fused["a", "b.mlir":1:2, unknown])
"t.g"() : () -> () loc(fused<"meta">["a"])
"t.h"() : () -> () loc("range.mlir":1:2 to 3:4)
"t.i"() : () -> () loc(#alias)
#alias = loc("aliased.mlir":9:9)
"#;
    let printed = common::roundtrip_with(
        src,
        &common::unregistered(),
        axir_syntax::PrintOptions { generic: true, debug_info: true },
    );
    let locs: Vec<&str> = printed.lines().filter_map(|l| l.split_once(" loc(").map(|(_, r)| r)).collect();
    assert_eq!(
        locs,
        [
            "unknown)",
            "\"file.mlir\":3:5)",
            "\"name\")",
            "\"name\"(\"file.mlir\":1:2))",
            "callsite(\"callee\" at \"caller.mlir\":10:8))",
            "fused[\"a\", \"b.mlir\":1:2, unknown])",
            // Fusion metadata and range ends have no IR field: dropped.
            "fused[\"a\"])",
            "\"range.mlir\":1:2)",
            "\"aliased.mlir\":9:9)",
            "\"t.axir\":0:0)",
        ]
    );
}
