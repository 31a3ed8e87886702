//! Hostile input: every limit gives a located error, never a panic or a
//! stack overflow.

mod common;
use axir_syntax::{parse_attribute, parse_source, print_op, ParseOptions, PrintOptions};
use common::*;

fn first_line(errors: &str) -> &str {
    errors.lines().next().unwrap_or("")
}

#[test]
fn deeply_nested_brackets_are_rejected_before_parsing() {
    let src = format!("\"t2.x\"() {{a = {}}} : () -> ()\n", "[".repeat(100_000));
    assert_eq!(
        first_line(&parse_errors(&src)),
        "t.axir:1:1014: error: nesting is too deep (the limit is 1000 levels)"
    );
    let mut ctx = context();
    assert!(parse_attribute(&mut ctx, &"[".repeat(100_000)).is_err());
}

#[test]
fn deeply_nested_regions_are_rejected_before_parsing() {
    let src = "\"t2.r\"() ({\n".repeat(100_000);
    assert_eq!(
        first_line(&parse_errors(&src)),
        "t.axir:501:7: error: nesting is too deep (the limit is 1000 levels)"
    );
}

#[test]
fn nesting_just_under_the_limit_parses_and_prints() {
    // 490 regions: depth 981 in brackets.
    let n = 490;
    let mut src = String::new();
    for _ in 0..n {
        src.push_str("\"t2.r\"() ({\n");
    }
    src.push_str(&format!("\"t2.leaf\"() {{a = {}1{}}} : () -> ()\n", "[".repeat(8), "]".repeat(8)));
    for _ in 0..n {
        src.push_str("}) : () -> ()\n");
    }
    let printed = roundtrip_generic(&src);
    assert_eq!(printed.matches("\"t2.r\"").count(), n);
    // Attributes nested to the limit as well.
    let deep_attr = format!("\"t2.x\"() {{a = {}{}}} : () -> ()\n", "[".repeat(998), "]".repeat(998));
    let printed = roundtrip(&deep_attr);
    assert!(printed.contains(&"[".repeat(998)));
}

#[test]
fn nesting_limit_is_configurable() {
    let opts = ParseOptions { max_nesting_depth: 3, ..unregistered() };
    let out = parse_errors_with("\"t2.x\"() {a = [[[1]]]} : () -> ()\n", &opts);
    assert_eq!(first_line(&out), "t.axir:1:17: error: nesting is too deep (the limit is 3 levels)");
}

#[test]
fn long_identifiers() {
    let name = "a".repeat(5000);
    let out = parse_errors(&format!("%{name} = \"t2.x\"() : () -> i32\n"));
    assert_eq!(first_line(&out), "t.axir:1:1: error: identifier is too long (the limit is 4096 bytes)");
    let ok = format!("\"t2.x\"() {{{} = 1}} : () -> ()\n", "b".repeat(4096));
    assert!(roundtrip(&ok).contains(&"b".repeat(4096)));
}

#[test]
fn file_size_limit() {
    let opts = ParseOptions { max_file_size: 10, ..unregistered() };
    let out = parse_errors_with("\"t2.x\"() : () -> ()\n", &opts);
    assert_eq!(first_line(&out), "t.axir:1:1: error: input is too large (20 bytes; the limit is 10 bytes)");
}

#[test]
fn huge_counts_do_not_allocate() {
    let out = parse_errors("%0:4000000000 = \"t2.x\"() : () -> i32\n");
    assert_eq!(
        first_line(&out),
        "t.axir:1:1: error: operation defines 1 results but was provided 4000000000 to bind"
    );
    let out = parse_errors("%0:99999999999999999999 = \"t2.x\"() : () -> i32\n");
    assert_eq!(first_line(&out), "t.axir:1:4: error: expected integer number of results");
    // A splat over a huge shape stores one element.
    let big = "\"t2.x\"() {a = dense<1.0> : tensor<100000000x100000000xf32>} : () -> ()\n";
    assert!(roundtrip(big).contains("dense<1.000000e+00> : tensor<100000000x100000000xf32>"));
}

#[test]
fn truncated_inputs_never_panic() {
    let src = r#"module @m attributes {a = dense<[[1.0, 2.0]]> : tensor<1x2xf32>} {
  func.func @f(%a: f32, %b: tensor<?xf32>) -> (f32, i1) attributes {x} {
    %c = test.constant 1.0 : f32
    %0 = test.addf %a, %c : f32
    %p = test.cmpf olt, %0, %a : f32
    %1 = "t2.x"(%0) ({
    ^bb0(%z: f32 loc("x":1:1)):
      "t2.y"(%z)[^bb1] : (f32) -> ()
    ^bb1:
      "t2.z"() {s = "str\0A", m = memref<4x?xf32, strided<[?, 1], offset: ?>>} : () -> ()
    }) : (f32) -> i32 loc(callsite("a" at "b":1:2))
    return %0, %p : f32, i1
  }
}
"#;
    assert!(roundtrip(src).contains("test.cmpf olt"));
    let mut ctx = context();
    for end in 0..src.len() {
        if src.is_char_boundary(end) {
            let _ = parse_source(&mut ctx, &src[..end], "t.axir", &unregistered());
        }
    }
    let m = parse_source(&mut ctx, src, "t.axir", &unregistered()).unwrap();
    assert!(print_op(&ctx, m, &PrintOptions::default()).contains("module @m"));
}

#[test]
fn comments_inside_dialect_bodies_do_not_hide_nesting() {
    // pest reads `//` inside `#d.a<...>` as text and would recurse on every
    // `<` after it; the pre-scan must count them.
    let src = format!("\"t2.x\"() {{a = #d.a<// {}}} : () -> ()\n", "<".repeat(100_000));
    assert!(first_line(&parse_errors(&src)).contains("nesting is too deep"));
}

#[test]
fn deep_ir_built_in_code_prints() {
    // 3000 nested regions: deeper than the parser allows, as a pass could build.
    let mut ctx = context();
    let name = ctx.ident("t2.r");
    let loc = ctx.unknown_loc();
    let mut inner = ctx.create_op(axir_ir::OperationState::new(name, loc));
    for _ in 0..3_000 {
        let region = ctx.create_region();
        let block = ctx.append_new_block(region, &[]);
        ctx.append_op(block, inner);
        inner = ctx.create_op(axir_ir::OperationState::new(name, loc).with_region(region));
    }
    let text = print_op(&ctx, inner, &PrintOptions { generic: true, debug_info: false });
    assert_eq!(text.matches("\"t2.r\"").count(), 3_001);
}
