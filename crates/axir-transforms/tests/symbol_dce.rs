//! `symbol-dce` on the `test` dialect.

mod common;

use common::{check, run};

#[test]
fn erases_unreferenced_private_symbols_transitively() {
    check(
        "symbol-dce",
        r#"
        "test.sym"() {sym_name = "public_root", refs = [@used]} : () -> ()
        "test.sym"() {sym_name = "used", sym_visibility = "private", refs = {x = @used_by_used}} : () -> ()
        "test.sym"() {sym_name = "used_by_used", sym_visibility = "private"} : () -> ()
        "test.sym"() {sym_name = "dead", sym_visibility = "private", refs = [@dead_by_dead]} : () -> ()
        "test.sym"() {sym_name = "dead_by_dead", sym_visibility = "private"} : () -> ()
        "test.sym"() {sym_name = "nested", sym_visibility = "nested"} : () -> ()
        "test.use"() {ref = @from_non_symbol} : () -> ()
        "test.sym"() {sym_name = "from_non_symbol", sym_visibility = "private"} : () -> ()
        "#,
        r#"
        "test.sym"() {sym_name = "public_root", refs = [@used]} : () -> ()
        "test.sym"() {sym_name = "used", sym_visibility = "private", refs = {x = @used_by_used}} : () -> ()
        "test.sym"() {sym_name = "used_by_used", sym_visibility = "private"} : () -> ()
        "test.sym"() {sym_name = "nested", sym_visibility = "nested"} : () -> ()
        "test.use"() {ref = @from_non_symbol} : () -> ()
        "test.sym"() {sym_name = "from_non_symbol", sym_visibility = "private"} : () -> ()
        "#,
    );
}

#[test]
fn nested_tables_live_only_when_referenced() {
    check(
        "symbol-dce",
        r#"
        "test.sym"() {sym_name = "main", refs = [@inner::@f]} : () -> ()
        "test.table"() ({
          "test.sym"() {sym_name = "f", sym_visibility = "private"} : () -> ()
          "test.sym"() {sym_name = "g", sym_visibility = "private"} : () -> ()
        }) {sym_name = "inner", sym_visibility = "private"} : () -> ()
        "test.table"() ({
          "test.sym"() {sym_name = "h"} : () -> ()
        }) {sym_name = "unused", sym_visibility = "private"} : () -> ()
        "#,
        r#"
        "test.sym"() {sym_name = "main", refs = [@inner::@f]} : () -> ()
        "test.table"() ({
          "test.sym"() {sym_name = "f", sym_visibility = "private"} : () -> ()
        }) {sym_name = "inner", sym_visibility = "private"} : () -> ()
        "#,
    );
}

#[test]
fn references_from_inside_functions_keep_symbols_alive() {
    check(
        "symbol-dce",
        r#"
        "func.func"() ({
          "func.call"() {callee = @helper} : () -> ()
          "func.return"() : () -> ()
        }) {sym_name = "main"} : () -> ()
        "func.func"() ({
          "func.return"() : () -> ()
        }) {sym_name = "helper", sym_visibility = "private"} : () -> ()
        "func.func"() ({
          "func.call"() {callee = @helper} : () -> ()
          "func.return"() : () -> ()
        }) {sym_name = "unused", sym_visibility = "private"} : () -> ()
        "#,
        r#"
        "func.func"() ({
          "func.call"() {callee = @helper} : () -> ()
          "func.return"() : () -> ()
        }) {sym_name = "main"} : () -> ()
        "func.func"() ({
          "func.return"() : () -> ()
        }) {sym_name = "helper", sym_visibility = "private"} : () -> ()
        "#,
    );
}

#[test]
fn requires_a_symbol_table() {
    let errors = run("test.isolated(symbol-dce)", r#""test.isolated"() ({}) : () -> ()"#).unwrap_err();
    assert_eq!(
        errors[0],
        "in.axir:1:1: error: 'test.isolated' op was scheduled to run under symbol-dce, but does not define a symbol table\n"
    );
}
