//! `canonicalize` on the `test` dialect: registered patterns, folding,
//! constant hoisting, options and non-convergence.

mod common;

use common::{check, run};

#[test]
fn applies_registered_patterns_and_folds() {
    check(
        "canonicalize",
        r#"
        "func.func"() ({
        ^bb0(%x: i32):
          %0 = "test.neg"(%x) : (i32) -> i32
          %1 = "test.neg"(%0) : (i32) -> i32
          %z = "test.constant"() {value = 0 : i32} : () -> i32
          %2 = "test.add"(%1, %z) : (i32, i32) -> i32
          %3 = "test.add"(%z, %2) : (i32, i32) -> i32
          "func.return"(%3) : (i32) -> ()
        }) {sym_name = "f"} : () -> ()
        "#,
        // neg(neg(x)) -> x, x + 0 -> x, 0 + x -> x; what is left is dead.
        r#"
        "func.func"() ({
        ^bb0(%x: i32):
          "func.return"(%x) : (i32) -> ()
        }) {sym_name = "f"} : () -> ()
        "#,
    );
}

#[test]
fn merges_constants_and_hoists_them_per_function() {
    check(
        "canonicalize",
        r#"
        "func.func"() ({
          %e = "test.effect"() : () -> i32
          %a = "test.constant"() {value = 5 : i32} : () -> i32
          "test.region"() ({
            %b = "test.constant"() {value = 5 : i32} : () -> i32
            %c = "test.constant"() {value = 6 : i32} : () -> i32
            "test.use"(%b, %c) : (i32, i32) -> ()
          }) : () -> ()
          "test.use"(%e, %a) : (i32, i32) -> ()
          "func.return"() : () -> ()
        }) {sym_name = "f"} : () -> ()
        "func.func"() ({
          %d = "test.constant"() {value = 5 : i32} : () -> i32
          "test.use"(%d) : (i32) -> ()
          "func.return"() : () -> ()
        }) {sym_name = "g"} : () -> ()
        "#,
        r#"
        "func.func"() ({
          %a = "test.constant"() {value = 5 : i32} : () -> i32
          %c = "test.constant"() {value = 6 : i32} : () -> i32
          %e = "test.effect"() : () -> i32
          "test.region"() ({
            "test.use"(%a, %c) : (i32, i32) -> ()
          }) : () -> ()
          "test.use"(%e, %a) : (i32, i32) -> ()
          "func.return"() : () -> ()
        }) {sym_name = "f"} : () -> ()
        "func.func"() ({
          %d = "test.constant"() {value = 5 : i32} : () -> i32
          "test.use"(%d) : (i32) -> ()
          "func.return"() : () -> ()
        }) {sym_name = "g"} : () -> ()
        "#,
    );
}

const NEG_NEG: &str = r#"
"func.func"() ({
^bb0(%x: i32):
  %0 = "test.neg"(%x) : (i32) -> i32
  %1 = "test.neg"(%0) : (i32) -> i32
  "func.return"(%1) : (i32) -> ()
}) {sym_name = "f"} : () -> ()
"#;

#[test]
fn disabled_patterns_do_not_apply() {
    check("canonicalize{disable-patterns=neg-neg}", NEG_NEG, NEG_NEG);
    check("canonicalize{enable-patterns=other}", NEG_NEG, NEG_NEG);
}

#[test]
fn non_convergence_is_an_error_with_test_convergence() {
    let errors = run("canonicalize{max-iterations=1 test-convergence=true}", NEG_NEG).unwrap_err();
    assert_eq!(
        errors[0].lines().next().unwrap(),
        "in.axir:4:8: error: greedy pattern rewriting did not converge after 1 iteration"
    );
}

const FLIP: &str = r#"
"func.func"() ({
^bb0(%x: i32):
  %0 = "test.flip"(%x) : (i32) -> i32
  "func.return"(%0) : (i32) -> ()
}) {sym_name = "f"} : () -> ()
"#;

#[test]
fn patterns_undoing_each_other_end_with_a_report() {
    let errors = run("canonicalize{test-convergence=true}", FLIP).unwrap_err();
    let text = errors.join("");
    assert!(text
        .starts_with("in.axir:4:8: error: greedy pattern rewriting did not converge after 10 iterations\n"));
    assert!(text.contains("note: still changing the IR in the last iteration: pattern "), "{text}");
    assert!(text.contains("'flip-to-flop'") && text.contains("'flop-to-flip'"), "{text}");
}

#[test]
fn non_convergence_is_a_warning_by_default() {
    let mut ctx = axir_ir::Context::new(common::registry());
    let module = common::parse(&mut ctx, FLIP);
    let mut pm = axir_pass::parse_pipeline("builtin.module(canonicalize)", &common::passes()).unwrap();
    pm.run(&mut ctx, module).unwrap();
    let warnings = pm.take_diagnostics();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, axir_ir::Severity::Warning);
    assert!(axir_ir::verify(&ctx, module).is_ok());
}
