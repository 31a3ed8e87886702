//! Round-trip tests over small modules: custom and generic forms, and the
//! fixed-point property print(parse(print(parse(x)))) == print(parse(x)).

mod common;
use axir_syntax::PrintOptions;
use common::*;

/// Parses `src`, checks the printed custom form equals `expected`, and that
/// both the custom and the generic output are fixed points.
fn check(src: &str, expected: &str) {
    let printed = roundtrip(src);
    assert_eq!(printed, expected, "custom form");
    assert_fixed_point(&printed, PrintOptions::default());
    let generic = roundtrip_generic(src);
    assert_fixed_point(&generic, PrintOptions { generic: true, debug_info: false });
    // The generic output parses back to the same custom form.
    assert_eq!(roundtrip(&generic), expected, "custom form of the generic output");
}

#[test]
fn func_with_arith_like_ops() {
    check(
        "func.func @f(%a: f32, %b: f32) -> f32 {\n\
           %c = test.constant 1.0 : f32\n\
           %0 = test.addf %a, %c : f32\n\
           %p = test.cmpf olt, %0, %b : f32\n\
           return %0 : f32\n\
         }\n",
        "module {\n  func.func @f(%arg0: f32, %arg1: f32) -> f32 {\n    %0 = test.constant 1.000000e+00 : f32\n    %1 = test.addf %arg0, %0 : f32\n    %2 = test.cmpf olt, %1, %arg1 : f32\n    return %1 : f32\n  }\n}\n",
    );
}

#[test]
fn numbering_matches_mlir_opt() {
    // The same input through mlir-opt 22 prints exactly this (value numbers
    // continue into nested regions; sibling regions restart from the same
    // counters; entry block arguments are %argN).
    let src = r#"
func.func @f(%a: f32, %c: i1) -> f32 {
  %0 = "test2.a"() : () -> f32
  %1 = "test2.r"(%c) ({
    %5 = "test2.b"(%0) : (f32) -> f32
    "test2.y"(%5)[^bb1] : (f32) -> ()
  ^bb1(%q: f32):
    "test2.yield"(%q) : (f32) -> ()
  }, {
  ^bb0(%z: f32):
    %6 = "test2.b"(%z) : (f32) -> f32
    "test2.yield"(%6) : (f32) -> ()
  }) : (i1) -> f32
  %2 = "test2.a"() : () -> f32
  return %2 : f32
}
func.func @g(%a: f32) -> f32 {
  return %a : f32
}
"#;
    check(
        src,
        r#"module {
  func.func @f(%arg0: f32, %arg1: i1) -> f32 {
    %0 = "test2.a"() : () -> f32
    %1 = "test2.r"(%arg1) ({
      %3 = "test2.b"(%0) : (f32) -> f32
      "test2.y"(%3)[^bb1] : (f32) -> ()
    ^bb1(%4: f32):
      "test2.yield"(%4) : (f32) -> ()
    }, {
    ^bb0(%arg2: f32):
      %3 = "test2.b"(%arg2) : (f32) -> f32
      "test2.yield"(%3) : (f32) -> ()
    }) : (i1) -> f32
    %2 = "test2.a"() : () -> f32
    return %2 : f32
  }
  func.func @g(%arg0: f32) -> f32 {
    return %arg0 : f32
  }
}
"#,
    );
}

#[test]
fn generic_form_of_everything() {
    let src = r#"
"t2.op"() <{p = 1 : i32}> {a = 2, b, c = "s\0A", d = [1.5, true, @s::@t], e = {x = unit}} : () -> ()
%0:2 = "t2.two"() : () -> (i32, f32)
"t2.use"(%0#1, %0#0) : (f32, i32) -> ()
"t2.regions"() ({
}, {
^bb0:
}, {
^bb0(%a: i32):
  "t2.br"()[^bb2, ^bb1] : () -> ()
^bb1:
  "t2.end"() : () -> ()
^bb2:
  "t2.br"()[^bb1] : () -> ()
}) : () -> ()
"#;
    check(
        src,
        r#"module {
  "t2.op"() {a = 2 : i64, b, c = "s\0A", d = [1.500000e+00 : f64, true, @s::@t], e = {x}, p = 1 : i32} : () -> ()
  %0:2 = "t2.two"() : () -> (i32, f32)
  "t2.use"(%0#1, %0#0) : (f32, i32) -> ()
  "t2.regions"() ({
  }, {
  ^bb0:
  }, {
  ^bb0(%arg0: i32):
    "t2.br"()[^bb2, ^bb1] : () -> ()
  ^bb1:
    "t2.end"() : () -> ()
  ^bb2:
    "t2.br"()[^bb1] : () -> ()
  }) : () -> ()
}
"#,
    );
}

#[test]
fn forward_references_and_graph_regions() {
    check(
        r#""t2.graph"() ({
  %1 = "t2.add"(%0, %0) : (i32, i32) -> i32
  %0 = "t2.c"() : () -> i32
  "t2.inner"() ({
    "t2.use"(%2) : (i32) -> ()
  }) : () -> ()
  %2 = "t2.c"() : () -> i32
}) : () -> ()
"#,
        r#"module {
  "t2.graph"() ({
    %0 = "t2.add"(%1, %1) : (i32, i32) -> i32
    %1 = "t2.c"() : () -> i32
    "t2.inner"() ({
      "t2.use"(%2) : (i32) -> ()
    }) : () -> ()
    %2 = "t2.c"() : () -> i32
  }) : () -> ()
}
"#,
    );
}

#[test]
fn named_module_declarations_calls_and_default_dialect() {
    check(
        r#"module @m attributes {test.flag, n = 3 : i32} {
  func.func private @decl(f32, tensor<?xf32>) -> (f32, i1)
  func.func @caller(%x: f32, %t: tensor<?xf32>) -> f32 attributes {inline} {
    %r:2 = func.call @decl(%x, %t) : (f32, tensor<?xf32>) -> (f32, i1)
    %p:2 = test.pair %r#0 : f32
    func.return %p#1 : f32
  }
  func.func @none() {
    return
  }
}
"#,
        r#"module @m attributes {n = 3 : i32, test.flag} {
  func.func private @decl(f32, tensor<?xf32>) -> (f32, i1)
  func.func @caller(%arg0: f32, %arg1: tensor<?xf32>) -> f32 attributes {inline} {
    %0:2 = call @decl(%arg0, %arg1) : (f32, tensor<?xf32>) -> (f32, i1)
    %1:2 = test.pair %0#0 : f32
    return %1#1 : f32
  }
  func.func @none() {
    return
  }
}
"#,
    );
}

#[test]
fn region_with_entry_arguments_from_custom_syntax() {
    check(
        r#"func.func @f(%n: index) -> f32 {
  %r = test.loop %n : index iter(%i: index) {
    %c = test.constant 2.5 : f32
    test.br ^bb1
  ^bb1:
    return %c : f32
  } -> f32
  return %r : f32
}
"#,
        r#"module {
  func.func @f(%arg0: index) -> f32 {
    %0 = test.loop %arg0 : index iter(%arg1: index) {
      %1 = test.constant 2.500000e+00 : f32
      test.br ^bb1
    ^bb1:
      return %1 : f32
    } -> f32
    return %0 : f32
  }
}
"#,
    );
}

#[test]
fn types_and_attributes_round_trip() {
    let src = r#""t2.types"() {
  a = tensor<4x?x8xf32>, b = tensor<f32>, c = tensor<*xf32>, d = tensor<0xf32>,
  e = memref<4x?xf32, strided<[?, 1], offset: ?>, 1>, f = memref<2x2xi8, affine_map<(d0, d1) -> (d1, d0)>>,
  g = vector<8xf32>, h = vector<4x[8]xf32>, i = (f32, f32) -> f32, j = () -> (f32, i1), k = tuple<i32, tuple<>>,
  l = !foo.bar<"x" -> (a)>, m = !llvm.ptr, n = si8, o = ui16, p = i1, q = index, r = none, s = bf16, t = f16,
  u = (i32) -> (() -> f32), v = memref<4xf32, strided<[2]>>, w = !foo<"opaque">
} : () -> ()
"t2.attrs"() {
  a = 42 : i32, b = -7 : si8, c = 255 : ui8, d = 255 : i8, e = 0x7FC00000 : f32, f = 0x7FF0000000000000 : f64,
  g = -0.0 : f32, h = 0.1 : f64, i = 0.123456789 : f64, j = 2.5 : f16, k = 1.1 : bf16, l = 3 : index,
  m = dense<[[1.0, 2.0]]> : tensor<1x2xf32>, n = dense<0.5> : tensor<4xf32>, o = dense<[1, -2]> : tensor<2xi32>,
  p = dense<true> : tensor<2xi1>, q = array<i64: 1, 0>, r = array<f32>, s = array<i1: true, false>,
  t = #arith.fastmath<none>, u = @a::@"b c", v = unit, w = affine_map<(d0) -> (d0)>, x = "\"q\"\\",
  y = dense<"0x0100000002000000"> : tensor<2xi32>, z = dense<> : tensor<0xf32>, aa = 1.0e100 : f64,
  ab = 0x8000000000000000 : i64, ac = 170141183460469231731687303715884105727 : i128, ad = #foo<"o">,
  ae = 1 : i1, af = dense<[]> : tensor<0xi32>, ag = dense<[[1], [2]]> : vector<2x1xui8>
} : () -> ()
"#;
    check(
        src,
        r#"module {
  "t2.types"() {a = tensor<4x?x8xf32>, b = tensor<f32>, c = tensor<*xf32>, d = tensor<0xf32>, e = memref<4x?xf32, strided<[?, 1], offset: ?>, 1>, f = memref<2x2xi8, affine_map<(d0, d1) -> (d1, d0)>>, g = vector<8xf32>, h = vector<4x[8]xf32>, i = (f32, f32) -> f32, j = () -> (f32, i1), k = tuple<i32, tuple<>>, l = !foo.bar<"x" -> (a)>, m = !llvm.ptr, n = si8, o = ui16, p = i1, q = index, r = none, s = bf16, t = f16, u = (i32) -> (() -> f32), v = memref<4xf32, strided<[2]>>, w = !foo<"opaque">} : () -> ()
  "t2.attrs"() {a = 42 : i32, aa = 1.000000e+100 : f64, ab = -9223372036854775808 : i64, ac = 170141183460469231731687303715884105727 : i128, ad = #foo<"o">, ae = true, af = dense<> : tensor<0xi32>, ag = dense<[[1], [2]]> : vector<2x1xui8>, b = -7 : si8, c = 255 : ui8, d = -1 : i8, e = 0x7FC00000 : f32, f = 0x7FF0000000000000 : f64, g = -0.000000e+00 : f32, h = 1.000000e-01 : f64, i = 1.23456789e-01 : f64, j = 2.500000e+00 : f16, k = 1.101562e+00 : bf16, l = 3 : index, m = dense<[[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>, n = dense<5.000000e-01> : tensor<4xf32>, o = dense<[1, -2]> : tensor<2xi32>, p = dense<true> : tensor<2xi1>, q = array<i64: 1, 0>, r = array<f32>, s = array<i1: true, false>, t = #arith.fastmath<none>, u = @a::@"b c", v, w = affine_map<(d0) -> (d0)>, x = "\22q\22\\", y = dense<[1, 2]> : tensor<2xi32>, z = dense<> : tensor<0xf32>} : () -> ()
}
"#,
    );
}

#[test]
fn debug_info_locations_round_trip() {
    let src = r#""t2.a"() : () -> () loc(callsite("foo" at "a.cc":10:8))
"t2.b"() : () -> () loc(fused["a", "b":1:2])
"t2.c"() : () -> () loc("n"("f":1:2))
"t2.d"() : () -> () loc(unknown)
"t2.e"() ({
^bb0(%x: f32 loc("arg":4:4)):
  "t2.f"(%x) : (f32) -> () loc(#loc1)
}) : () -> ()
#loc1 = loc("aliased.mlir":7:9)
"#;
    let opts = PrintOptions { generic: false, debug_info: true };
    let printed = roundtrip_with(src, &unregistered(), opts);
    assert_eq!(
        printed,
        r#""builtin.module"() ({
  "t2.a"() : () -> () loc(callsite("foo" at "a.cc":10:8))
  "t2.b"() : () -> () loc(fused["a", "b":1:2])
  "t2.c"() : () -> () loc("n"("f":1:2))
  "t2.d"() : () -> () loc(unknown)
  "t2.e"() ({
  ^bb0(%arg0: f32 loc("arg":4:4)):
    "t2.f"(%arg0) : (f32) -> () loc("aliased.mlir":7:9)
  }) : () -> () loc("t.axir":5:1)
}) : () -> () loc("t.axir":0:0)
"#
        .replace("\"builtin.module\"() ({", "module {")
        .replace("}) : () -> () loc(\"t.axir\":0:0)", "} loc(\"t.axir\":0:0)")
    );
    assert_fixed_point(&printed, opts);
}

#[test]
fn comments_whitespace_and_empty_module() {
    assert_eq!(roundtrip(""), "module {\n}\n");
    assert_eq!(roundtrip("// only a comment\n"), "module {\n}\n");
    assert_eq!(roundtrip("module {}"), "module {\n}\n");
    assert_eq!(
        roundtrip("  \"t2.x\"  (  )  // trailing\n :  (  )->(  )"),
        "module {\n  \"t2.x\"() : () -> ()\n}\n"
    );
}

#[test]
fn registered_op_without_custom_form_prints_generic() {
    check(
        "func.func @f(%a: f32) {\n  \"test.generic_only\"(%a) : (f32) -> ()\n  return\n}\n",
        "module {\n  func.func @f(%arg0: f32) {\n    \"test.generic_only\"(%arg0) : (f32) -> ()\n    return\n  }\n}\n",
    );
}

#[test]
fn entry_block_used_as_a_branch_target_keeps_its_label() {
    // Invalid for the verifier, but it must still print to a fixed point.
    check(
        "\"t2.r\"() ({\n^bb0:\n  \"t2.br\"()[^bb0] : () -> ()\n}) : () -> ()\n",
        "module {\n  \"t2.r\"() ({\n  ^bb0:\n    \"t2.br\"()[^bb0] : () -> ()\n  }) : () -> ()\n}\n",
    );
}

#[test]
fn empty_blocks_in_multi_block_regions_are_rejected_like_mlir() {
    assert_eq!(
        parse_errors("\"t.x\"() ({\n^bb0:\n^bb1:\n \"t.y\"() : () -> ()\n}) : () -> ()\n"),
        "t.axir:1:1: error: empty block: expect at least a terminator\n\"t.x\"() ({\n^\n"
    );
}

/// IR a buggy pass left with an operand whose definition was erased (and
/// its slot reused) prints without panicking, in the generic form, the
/// operand marked: that is what `--verify-each=false` shows.
#[test]
fn erased_operands_print_as_unknown() {
    let mut ctx = context();
    let src = "func.func @f(%a: f32) -> f32 {\n  %c = test.constant 1.0 : f32\n  %0 = test.addf %a, %c : f32\n  return %0 : f32\n}\n";
    let module = axir_syntax::parse_source(&mut ctx, src, "t.axir", &unregistered()).expect("parses");
    let constant = ctx.walk(module).into_iter().find(|&o| ctx.op_name(o) == "test.constant").unwrap();
    let add = ctx.walk(module).into_iter().find(|&o| ctx.op_name(o) == "test.addf").unwrap();
    let old = ctx.result(constant, 0);
    ctx.erase_op(constant);
    // A new op may take the erased result's slot: its name must not appear.
    let block = ctx.parent_block(add).unwrap();
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let mut b = axir_ir::OpBuilder::at(&mut ctx, axir_ir::InsertPoint::BlockStart(block));
    b.create_named("other.value", loc, &[], &[f32t], &[]);
    assert!(!ctx.is_value_alive(old));
    for opts in [PrintOptions::default(), PrintOptions { generic: true, debug_info: false }] {
        let text = axir_syntax::print_op(&ctx, module, &opts);
        assert!(
            text.contains("\"test.addf\"(%arg0, <<UNKNOWN SSA VALUE>>) : (f32, <<erased>>) -> f32"),
            "{text}"
        );
    }
}
