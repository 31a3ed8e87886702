//! `inline` on `func` stand-in ops.

mod common;

use common::{check, run};

#[test]
fn inlines_calls_and_erases_private_callees() {
    check(
        "inline",
        r#"
        "func.func"() ({
        ^bb0(%a: i32, %b: i32):
          %0 = "func.call"(%a, %b) {callee = @add} : (i32, i32) -> i32
          %1 = "func.call"(%0, %a) {callee = @add} : (i32, i32) -> i32
          %2 = "func.call"(%1) {callee = @public} : (i32) -> i32
          "func.return"(%2) : (i32) -> ()
        }) {sym_name = "main"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32, %y: i32):
          %s = "test.add"(%x, %y) : (i32, i32) -> i32
          %n = "test.neg"(%s) : (i32) -> i32
          "func.return"(%n) : (i32) -> ()
        }) {sym_name = "add", sym_visibility = "private"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32):
          "func.return"(%x) : (i32) -> ()
        }) {sym_name = "public"} : () -> ()
        "#,
        r#"
        "func.func"() ({
        ^bb0(%a: i32, %b: i32):
          %s0 = "test.add"(%a, %b) : (i32, i32) -> i32
          %n0 = "test.neg"(%s0) : (i32) -> i32
          %s1 = "test.add"(%n0, %a) : (i32, i32) -> i32
          %n1 = "test.neg"(%s1) : (i32) -> i32
          "func.return"(%n1) : (i32) -> ()
        }) {sym_name = "main"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32):
          "func.return"(%x) : (i32) -> ()
        }) {sym_name = "public"} : () -> ()
        "#,
    );
}

#[test]
fn inlines_chains_callees_first() {
    check(
        "inline",
        r#"
        "func.func"() ({
        ^bb0(%a: i32):
          %0 = "func.call"(%a) {callee = @b} : (i32) -> i32
          "func.return"(%0) : (i32) -> ()
        }) {sym_name = "a"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32):
          %0 = "func.call"(%x) {callee = @c} : (i32) -> i32
          %1 = "test.neg"(%0) : (i32) -> i32
          "func.return"(%1) : (i32) -> ()
        }) {sym_name = "b", sym_visibility = "private"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32):
          %0 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "func.return"(%0) : (i32) -> ()
        }) {sym_name = "c", sym_visibility = "private"} : () -> ()
        "#,
        r#"
        "func.func"() ({
        ^bb0(%a: i32):
          %0 = "test.sub"(%a, %a) : (i32, i32) -> i32
          %1 = "test.neg"(%0) : (i32) -> i32
          "func.return"(%1) : (i32) -> ()
        }) {sym_name = "a"} : () -> ()
        "#,
    );
}

const RECURSIVE: &str = r#"
"func.func"() ({
^bb0(%a: i32):
  %0 = "func.call"(%a) {callee = @self} : (i32) -> i32
  %1 = "func.call"(%0) {callee = @ping} : (i32) -> i32
  "func.return"(%1) : (i32) -> ()
}) {sym_name = "main"} : () -> ()
"func.func"() ({
^bb0(%x: i32):
  %0 = "func.call"(%x) {callee = @self} : (i32) -> i32
  "func.return"(%0) : (i32) -> ()
}) {sym_name = "self", sym_visibility = "private"} : () -> ()
"func.func"() ({
^bb0(%x: i32):
  %0 = "func.call"(%x) {callee = @pong} : (i32) -> i32
  "func.return"(%0) : (i32) -> ()
}) {sym_name = "ping", sym_visibility = "private"} : () -> ()
"func.func"() ({
^bb0(%x: i32):
  %0 = "func.call"(%x) {callee = @ping} : (i32) -> i32
  "func.return"(%0) : (i32) -> ()
}) {sym_name = "pong", sym_visibility = "private"} : () -> ()
"#;

#[test]
fn never_inlines_recursive_functions() {
    check("inline", RECURSIVE, RECURSIVE);
}

const NOT_INLINABLE: &str = r#"
"func.func"() ({
^bb0(%a: i32):
  %0 = "func.call"(%a) {callee = @decl} : (i32) -> i32
  %1 = "func.call"(%0) {callee = @two_blocks} : (i32) -> i32
  "func.return"(%1) : (i32) -> ()
}) {sym_name = "main"} : () -> ()
"func.func"() ({
}) {sym_name = "decl", sym_visibility = "private"} : () -> ()
"func.func"() ({
^bb0(%x: i32):
  "test.br"()[^bb1] : () -> ()
^bb1:
  "func.return"(%x) : (i32) -> ()
}) {sym_name = "two_blocks", sym_visibility = "private"} : () -> ()
"#;

#[test]
fn leaves_declarations_and_multi_block_callees() {
    check("inline", NOT_INLINABLE, NOT_INLINABLE);
}

#[test]
fn mismatched_calls_are_located_errors() {
    let errors = run(
        "inline",
        r#"
        "func.func"() ({
        ^bb0(%a: i64):
          %0 = "func.call"(%a) {callee = @f} : (i64) -> i32
          "func.return"(%0) : (i32) -> ()
        }) {sym_name = "main"} : () -> ()
        "func.func"() ({
        ^bb0(%x: i32):
          "func.return"(%x) : (i32) -> ()
        }) {sym_name = "f", sym_visibility = "private"} : () -> ()
        "#,
    )
    .unwrap_err();
    assert_eq!(
        errors[0],
        "in.axir:4:16: error: 'func.call' op cannot be inlined: operand #0 type does not match the callee argument type\n\
         in.axir:7:9: note: callee @f defined here\n"
    );
}
