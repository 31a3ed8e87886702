//! The driver as a library: another tool builds its own opt tool with its
//! own dialects and passes, and runs it in-process with captured streams.

use std::path::PathBuf;
use std::sync::Arc;

use axir_ir::{Context, DialectRegistry, OpId};
use axir_opt::{run_command_line, Outcome, Streams};
use axir_pass::{Pass, PassFailure, PassInfo, PassRegistry};

/// A pass of the embedding tool: renames every `func.func` to `@renamed`.
struct Rename;

impl Pass for Rename {
    fn name(&self) -> &'static str {
        "my-rename"
    }

    fn description(&self) -> &'static str {
        "Renames every function to @renamed"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        let funcs: Vec<OpId> = ctx.walk(op).into_iter().filter(|&o| ctx.op_name(o) == "func.func").collect();
        for f in funcs {
            let name = ctx.string_attr("renamed");
            ctx.set_attr(f, "sym_name", name);
        }
        Ok(())
    }
}

fn tool() -> (Arc<DialectRegistry>, PassRegistry) {
    let mut dialects = DialectRegistry::new();
    axir_builtin::register(&mut dialects);
    axir_arith::register(&mut dialects);
    let mut passes = PassRegistry::new();
    let info = PassInfo::new("my-rename", "Renames every function to @renamed", &[], |_| {
        Ok(Box::new(Rename) as Box<dyn Pass>)
    });
    passes.register_pass(info).expect("one registration");
    (Arc::new(dialects), passes)
}

/// Writes `text` to a file of its own under the test's temporary directory.
fn input(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("the temporary directory is writable");
    path
}

/// Runs `args` as the tool `myopt`; returns the outcome, stdout and stderr.
fn run(args: &[&str]) -> (Outcome, String, String) {
    let (dialects, passes) = tool();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let outcome = {
        let mut streams = Streams { stdout: &mut out, stderr: &mut err };
        let args = args.iter().map(|a| a.to_string()).collect();
        run_command_line("myopt", args, dialects, &passes, &mut streams)
    };
    (outcome, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

const PROGRAM: &str =
    "func.func @f(%a: i32) -> i32 {\n  %0 = arith.addi %a, %a : i32\n  func.return %0 : i32\n}\n";

#[test]
fn the_tools_own_pass_is_a_flag_and_runs() {
    let path = input("own-pass.axir", PROGRAM);
    let (outcome, out, err) = run(&[path.to_str().unwrap_or_default(), "--my-rename"]);
    assert_eq!(outcome, Outcome::Success, "{err}");
    assert!(out.contains("func.func @renamed(%arg0: i32) -> i32 {"), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn the_tools_own_name_is_used_in_messages_and_help() {
    let (outcome, _, err) = run(&["--my-renam"]);
    assert_eq!(outcome, Outcome::Failure);
    assert_eq!(
        err,
        "myopt: error: unknown command line argument '--my-renam'; did you mean '--my-rename'?\n\
         myopt: try 'myopt --help'\n"
    );
    let (outcome, out, _) = run(&["--help"]);
    assert_eq!(outcome, Outcome::Success);
    assert!(out.contains("USAGE: myopt [options]"), "{out}");
    assert!(out.contains("--my-rename"), "{out}");
}

#[test]
fn only_the_registered_dialects_are_known() {
    let (_, out, _) = run(&["--show-dialects"]);
    assert!(out.starts_with("Available Dialects: arith,builtin,func\n"), "{out}");
    let path = input(
        "no-math.axir",
        "func.func @f(%a: f32) -> f32 {\n  %0 = math.sqrt %a : f32\n  func.return %0 : f32\n}\n",
    );
    let (outcome, out, err) = run(&[path.to_str().unwrap_or_default()]);
    assert_eq!(outcome, Outcome::Failure);
    assert!(out.is_empty());
    assert!(
        err.contains("no-math.axir:2:8: error: Dialect `math' not found for custom op 'math.sqrt'"),
        "{err}"
    );
}

#[test]
fn errors_are_rendered_with_the_source_line_and_a_caret() {
    let path = input("bad.axir", "func.func @f() -> i32 {\n  func.return %nope : i32\n}\n");
    let (outcome, out, err) = run(&[path.to_str().unwrap_or_default()]);
    assert_eq!(outcome, Outcome::Failure);
    assert!(out.is_empty(), "{out}");
    let expected = format!(
        "{}:2:15: error: use of undeclared SSA value name\n  func.return %nope : i32\n              ^\n",
        path.display()
    );
    assert_eq!(err, expected);
}

#[test]
fn verify_diagnostics_turns_expected_errors_into_success() {
    let text = "func.func @f() -> i32 {\n  // expected-error @+1 {{use of undeclared SSA value name}}\n  func.return %nope : i32\n}\n";
    let path = input("expected.axir", text);
    let (outcome, _, err) = run(&[path.to_str().unwrap_or_default(), "--verify-diagnostics"]);
    assert_eq!(outcome, Outcome::Success, "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn split_chunks_are_independent_and_joined() {
    let text = format!("{PROGRAM}// -----\n{PROGRAM}");
    let path = input("split.axir", &text);
    let (outcome, out, err) = run(&[path.to_str().unwrap_or_default(), "-split-input-file"]);
    assert_eq!(outcome, Outcome::Success, "{err}");
    assert_eq!(out.matches("func.func @f(").count(), 2, "{out}");
    assert_eq!(out.matches("\n// -----\n").count(), 1, "{out}");
}
