//! Diagnostics of invalid input, rendered as mlir-opt renders them. Where
//! mlir-opt 22 has a message for the same input, the text here is its text.

mod common;
use axir_ir::Context;
use axir_syntax::{parse_source, parse_source_bytes, split_input_file, ParseOptions, SourceManager};
use common::*;

/// Checks the rendered diagnostics of parsing `src` (unregistered dialects
/// allowed).
fn check(src: &str, expected: &str) {
    assert_eq!(parse_errors(src), expected, "input:\n{src}");
}

#[test]
fn ssa_names() {
    check(
        "func.func @f() {\n  %0 = test.addf %x, %x : f32\n  return\n}\n",
        "t.axir:2:18: error: use of undeclared SSA value name\n  %0 = test.addf %x, %x : f32\n                 ^\n",
    );
    check(
        "func.func @f() {\n  %0 = test.constant 1.0 : f32\n  %0 = test.constant 1.0 : f32\n  return\n}\n",
        "t.axir:3:3: error: redefinition of SSA value '%0'\n  %0 = test.constant 1.0 : f32\n  ^\n\
         t.axir:2:3: note: previously defined here\n  %0 = test.constant 1.0 : f32\n  ^\n",
    );
    check(
        "\t\"t2.x\"(%0) : (i32) -> ()\n",
        "t.axir:1:9: error: use of undeclared SSA value name\n\t\"t2.x\"(%0) : (i32) -> ()\n\t       ^\n",
    );
    check(
        "%0:2 = \"t2.x\"() : () -> (i32,i32)\n\"t2.y\"(%0#2):(i32)->()\n",
        "t.axir:2:8: error: reference to invalid result number\n\"t2.y\"(%0#2):(i32)->()\n       ^\n",
    );
    check(
        "%0 = \"t2.x\"() : () -> (i32)\n\"t2.y\"(%0):(f32)->()\n",
        "t.axir:2:8: error: use of value '%0' expects different type than prior uses: 'f32' vs 'i32'\n\
         \"t2.y\"(%0):(f32)->()\n       ^\nt.axir:1:1: note: prior use here\n%0 = \"t2.x\"() : () -> (i32)\n^\n",
    );
    check(
        "\"t2.y\"(%0):(f32)->()\n%0 = \"t2.x\"() : () -> (i32)\n",
        "t.axir:2:1: error: definition of SSA value '%0#0' has type 'i32'\n%0 = \"t2.x\"() : () -> (i32)\n^\n\
         t.axir:1:8: note: previously used here with type 'f32'\n\"t2.y\"(%0):(f32)->()\n       ^\n",
    );
}

#[test]
fn every_undeclared_use_is_reported() {
    let out = parse_errors("\"t2.a\"(%x) : (i32) -> ()\n\"t2.b\"(%y) : (i32) -> ()\n");
    assert_eq!(out.matches("use of undeclared SSA value name").count(), 2, "{out}");
}

#[test]
fn values_of_isolated_regions_are_not_visible() {
    let out = parse_errors(
        "%0 = \"t2.c\"() : () -> f32\nfunc.func @f() {\n  \"t2.use\"(%0) : (f32) -> ()\n  return\n}\n",
    );
    assert!(out.starts_with("t.axir:3:12: error: use of undeclared SSA value name"), "{out}");
}

#[test]
fn values_of_a_finished_region_are_not_visible() {
    let out = parse_errors(
        "\"t2.r\"() ({\n  %0 = \"t2.c\"() : () -> f32\n}) : () -> ()\n\"t2.use\"(%0) : (f32) -> ()\n",
    );
    assert!(out.starts_with("t.axir:4:10: error: use of undeclared SSA value name"), "{out}");
}

#[test]
fn blocks() {
    check(
        "\"t2.y\"()[^bb1]:()->()\n",
        "t.axir:1:10: error: reference to an undefined block\n\"t2.y\"()[^bb1]:()->()\n         ^\n",
    );
    check(
        "\"t2.y\"() ({\n^bb1:\n\"t2.z\"() : () -> ()\n^bb1:\n\"t2.z\"() : () -> ()\n}) : () -> ()\n",
        "t.axir:4:1: error: redefinition of block '^bb1'\n^bb1:\n^\n",
    );
    check(
        "func.func @f(%a: f32) {\n  ^bb0:\n  return\n}\n",
        "t.axir:2:3: error: invalid block name in region with named arguments\n  ^bb0:\n  ^\n",
    );
}

#[test]
fn unknown_ops() {
    check(
        "func.func @f() {\n  %0 = test.foo : i32\n  return\n}\n",
        "t.axir:2:8: error: custom op 'test.foo' is unknown\n  %0 = test.foo : i32\n       ^\n",
    );
    check(
        "%0 = foo.bar : i32\n",
        "t.axir:1:6: error: Dialect `foo' not found for custom op 'foo.bar' \n%0 = foo.bar : i32\n     ^\n\
         t.axir:1:6: note: Available dialects: builtin, func, test ; for more info on dialect registration see \
         https://mlir.llvm.org/getting_started/Faq/#registered-loaded-dependent-whats-up-with-dialects-management\n\
         %0 = foo.bar : i32\n     ^\n",
    );
    check(
        "\"test.unknown\"() : () -> ()\n",
        "t.axir:1:1: error: unregistered operation 'test.unknown' found in dialect ('test') that does not allow \
         unknown operations\n\"test.unknown\"() : () -> ()\n^\n",
    );
    assert_eq!(
        parse_errors_with("%0 = \"foo.bar\"() : () -> i32\n", &ParseOptions::default()),
        "t.axir:1:6: error: operation being parsed with an unregistered dialect. If this is intended, please use \
         -allow-unregistered-dialect with the MLIR tool used\n%0 = \"foo.bar\"() : () -> i32\n     ^\n"
    );
    // The context's flag allows them too.
    let mut ctx = context();
    ctx.set_allow_unregistered(true);
    assert!(parse_source(&mut ctx, "\"foo.bar\"() : () -> ()", "t.axir", &ParseOptions::default()).is_ok());
}

#[test]
fn generic_op_structure() {
    check(
        "%0:2 = \"t2.x\"() : () -> (i32)\n",
        "t.axir:1:1: error: operation defines 1 results but was provided 2 to bind\n%0:2 = \"t2.x\"() : () -> (i32)\n^\n",
    );
    check(
        "\"t2.x\"(%0) : () -> ()\n",
        "t.axir:1:14: error: expected 1 operand type  but had 0\n\"t2.x\"(%0) : () -> ()\n             ^\n",
    );
    check(
        "\"t2.x\"() : (i32, i32) -> ()\n",
        "t.axir:1:12: error: expected 0 operand types but had 2\n\"t2.x\"() : (i32, i32) -> ()\n           ^\n",
    );
    check(
        "%0 = \"t2.x\"() : () -> (i32)\n}\n",
        "t.axir:2:1: error: expected operation name in quotes\n}\n^\n",
    );
    check("\"t2.x\"( : () -> ()\n", "t.axir:1:9: error: expected ')'\n\"t2.x\"( : () -> ()\n        ^\n");
}

#[test]
fn literals_and_attributes() {
    check(
        "\"t2.x\"() {a = -129 : i8, b = 255 : i8} : () -> ()\n",
        "t.axir:1:16: error: integer constant out of range for attribute\n\
         \"t2.x\"() {a = -129 : i8, b = 255 : i8} : () -> ()\n               ^\n",
    );
    check(
        "\"t2.x\"() {a = 256 : i8} : () -> ()\n",
        "t.axir:1:15: error: integer constant out of range for attribute\n\"t2.x\"() {a = 256 : i8} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = 99999999999999999999999999999999999999999 : i64} : () -> ()\n",
        "t.axir:1:15: error: integer constant out of range for attribute\n\
         \"t2.x\"() {a = 99999999999999999999999999999999999999999 : i64} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = 1.5 : i32} : () -> ()\n",
        "t.axir:1:21: error: floating point value not valid for specified type\n\"t2.x\"() {a = 1.5 : i32} : () -> ()\n                    ^\n",
    );
    check(
        "\"t2.x\"() {a = 15 : f32} : () -> ()\n",
        "t.axir:1:15: error: unexpected decimal integer literal for a floating point value\n\
         \"t2.x\"() {a = 15 : f32} : () -> ()\n              ^\n\
         t.axir:1:15: note: add a trailing dot to make the literal a float\n\"t2.x\"() {a = 15 : f32} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = -0x7 : f32} : () -> ()\n",
        "t.axir:1:16: error: hexadecimal float literal should not have a leading minus\n\
         \"t2.x\"() {a = -0x7 : f32} : () -> ()\n               ^\n",
    );
    check(
        "\"t2.x\"() {a = 0x7FFFFFFFF : f32} : () -> ()\n",
        "t.axir:1:15: error: hexadecimal float constant out of range for type\n\
         \"t2.x\"() {a = 0x7FFFFFFFF : f32} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = 1, a = 2} : () -> ()\n",
        "t.axir:1:18: error: duplicate key 'a' in dictionary attribute\n\"t2.x\"() {a = 1, a = 2} : () -> ()\n                 ^\n",
    );
    check(
        "\"t2.x\"() {a = dense<[1.0]> : tensor<1x2xf32>} : () -> ()\n",
        "t.axir:1:15: error: inferred shape of elements literal ([1]) does not match type ([1, 2])\n\
         \"t2.x\"() {a = dense<[1.0]> : tensor<1x2xf32>} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = !undefined} : () -> ()\n",
        "t.axir:1:15: error: undefined symbol alias id 'undefined'\n\"t2.x\"() {a = !undefined} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = i99999999} : () -> ()\n",
        "t.axir:1:15: error: integer bitwidth is limited to 65535 bits\n\"t2.x\"() {a = i99999999} : () -> ()\n              ^\n",
    );
}

#[test]
fn lexical_errors() {
    check(
        "\"t2.x\"() {a = \"abc\n\"} : () -> ()\n",
        "t.axir:1:15: error: expected '\"' in string literal\n\"t2.x\"() {a = \"abc\n              ^\n",
    );
    check(
        "\"t2.x\"() {a = \"a\\qc\"} : () -> ()\n",
        "t.axir:1:15: error: unknown escape in string literal\n\"t2.x\"() {a = \"a\\qc\"} : () -> ()\n              ^\n",
    );
    check(
        "\"t2.x\"() : () -> () $\n",
        "t.axir:1:21: error: unexpected character\n\"t2.x\"() : () -> () $\n                    ^\n",
    );
    check(
        "\"t2.x\"() : () -> ()  loc(\"unterminated)\n",
        "t.axir:1:26: error: expected '\"' in string literal\n\"t2.x\"() : () -> ()  loc(\"unterminated)\n                         ^\n",
    );
}

#[test]
fn grammar_errors_are_located() {
    let out = parse_errors("\"t2.x\"() {a = tensor<4xf32} : () -> ()\n");
    assert!(out.starts_with("t.axir:1:27: error: expected "), "{out}");
    let out = parse_errors("\"t2.x\"() {a = dense<1.0> : f32} : () -> ()\n");
    assert!(
        out.starts_with(
            "t.axir:1:28: error: elements literal type must be a ranked tensor or vector with static shape"
        ),
        "{out}"
    );
}

#[test]
fn non_utf8_input_is_located_at_the_first_bad_byte() {
    let mut ctx = context();
    let err = parse_source_bytes(&mut ctx, b"\"t2.x\"() : () -> ()\n  \xff\n", "t.axir", &unregistered())
        .unwrap_err();
    let mut sm = SourceManager::new();
    sm.add_file("t.axir", "\"t2.x\"() : () -> ()\n  ?\n");
    assert_eq!(sm.render_all(&ctx, &err), "t.axir:2:3: error: input is not valid UTF-8\n  ?\n  ^\n");
}

#[test]
fn split_input_file_keeps_whole_file_line_numbers() {
    let src = "\"t2.ok\"() : () -> ()\n// -----\n\n\"t2.bad\"(%x) : (i32) -> ()\n";
    let chunks = split_input_file(src);
    assert_eq!(chunks.len(), 2);
    let mut ctx = Context::new(registry());
    let opts = ParseOptions { line_offset: chunks[1].line_offset, ..unregistered() };
    let err = parse_source(&mut ctx, chunks[1].text, "t.axir", &opts).unwrap_err();
    let mut sm = SourceManager::new();
    sm.add_file("t.axir", src);
    assert_eq!(
        sm.render_all(&ctx, &err),
        "t.axir:4:10: error: use of undeclared SSA value name\n\"t2.bad\"(%x) : (i32) -> ()\n         ^\n"
    );
}

#[test]
fn failed_parse_leaves_no_live_ops() {
    let mut ctx = context();
    let before = ctx.num_live_ops();
    let _ = parse_source(
        &mut ctx,
        "\"t2.a\"() : () -> ()\n\"t2.b\"(%x) : (i32) -> ()\n",
        "t.axir",
        &unregistered(),
    );
    assert_eq!(ctx.num_live_ops(), before);
}

#[test]
fn hook_failing_after_its_region_leaves_no_live_ops() {
    let mut ctx = context();
    let before = ctx.num_live_ops();
    // test.loop fails at `-> )`, after its region (with a forward block
    // reference) was parsed.
    let src = "func.func @f(%n: index) {\n  %r = test.loop %n : index iter(%i: index) {\n    \"t2.x\"()[^bb9] : () -> ()\n  ^bb9:\n    \"t2.y\"() : () -> ()\n  } -> )\n}\n";
    assert!(parse_source(&mut ctx, src, "t.axir", &unregistered()).is_err());
    assert_eq!(ctx.num_live_ops(), before);
    let src = "\"t2.x\"() ({\n  \"t2.y\"()[^nowhere] : () -> ()\n}) : () -> ()\n";
    assert!(parse_source(&mut ctx, src, "t.axir", &unregistered()).is_err());
    assert_eq!(ctx.num_live_ops(), before);
}
