//! Runs the lit runner on a throwaway tree of test files, written under the
//! target's temporary directory, and checks every outcome and message.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axir_lit::{collect_trials, LitConfig, LitTest, Verdict, LLVM_BIN_DIR};
use libtest_mimic::Arguments;

/// A fresh fixture tree, one per test function so they can run in parallel.
fn fixture(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axir-lit").join(name);
    let _ = fs::remove_dir_all(&root);
    for (rel, text) in files {
        let path = root.join("tests").join(rel);
        fs::create_dir_all(path.parent().expect("fixture files have a parent")).expect("create fixture dir");
        fs::write(&path, text).expect("write fixture file");
    }
    root
}

fn config(root: &Path) -> LitConfig {
    LitConfig::new(root.join("tests"), root.join("tmp")).with_tool_dir(LLVM_BIN_DIR).with_detected_features()
}

/// Loads and runs one fixture file directly, to see its verdict or message.
fn run_one(config: &LitConfig, rel: &str) -> Result<Verdict, String> {
    let root = config.test_root.canonicalize().expect("fixture root exists");
    LitTest::load(&root, &root.join(rel))?.run(config)
}

#[test]
fn file_check_is_installed() {
    let config = config(&fixture("features", &[]));
    assert!(
        config.features.contains("llvm-tools"),
        "FileCheck not found in {LLVM_BIN_DIR} or PATH; run tools/setup.sh"
    );
}

#[test]
fn verdicts_and_messages() {
    let root = fixture(
        "verdicts",
        &[
            ("pass.axir", "// RUN: echo hello | FileCheck %s\n// CHECK: hello\n"),
            ("continued.axir", "// RUN: echo one \\\n// RUN:   two | FileCheck %s\n// CHECK: one two\n"),
            ("not.axir", "// RUN: not false\n// RUN: true\n"),
            (
                "tmp.axir",
                "// RUN: echo data > %t && test -f %t && test -d %T\n\
                 // RUN: test %S = %p && test -f %s && test \"$PWD\" = %S\n\
                 // RUN: printf '%%s\\n' 100%% | FileCheck %s\n// CHECK: 100%\n",
            ),
            ("checkfail.axir", "// RUN: echo goodbye | FileCheck %s\n// CHECK: hello\n"),
            ("pipefail.axir", "// RUN: true\n// RUN: false | cat\n// RUN: echo unreachable > %t\n"),
            ("missing.axir", "// RUN: axir-no-such-tool %s\n"),
            ("norun.axir", "func.func @f() {\n  func.return\n}\n"),
            ("gpu.axir", "// REQUIRES: gpu, no-such-feature\n// RUN: false\n"),
            ("unsupported.axir", "// UNSUPPORTED: llvm-tools\n// RUN: false\n"),
            ("xfail.axir", "// XFAIL: *\n// RUN: false\n"),
            ("xpass.axir", "// XFAIL: llvm-tools\n// RUN: true\n"),
            ("sub/dir/nested.mlir", "# RUN: true\n"),
            ("sub/Inputs/helper.axir", "no RUN line, and never run\n"),
            ("sub/notes.txt", "// RUN: false\n"),
        ],
    );
    let config = config(&root);

    assert_eq!(run_one(&config, "pass.axir"), Ok(Verdict::Passed));
    assert_eq!(run_one(&config, "continued.axir"), Ok(Verdict::Passed));
    assert_eq!(run_one(&config, "not.axir"), Ok(Verdict::Passed));
    assert_eq!(run_one(&config, "tmp.axir"), Ok(Verdict::Passed));
    assert_eq!(run_one(&config, "xfail.axir"), Ok(Verdict::ExpectedFailure));
    let gpu_reason = if config.features.contains("gpu") {
        "requires no-such-feature"
    } else {
        "requires gpu, no-such-feature"
    };
    assert_eq!(run_one(&config, "gpu.axir"), Ok(Verdict::Skipped(gpu_reason.to_owned())));
    assert_eq!(
        run_one(&config, "unsupported.axir"),
        Ok(Verdict::Skipped("unsupported with llvm-tools".to_owned()))
    );

    let msg = run_one(&config, "checkfail.axir").expect_err("FileCheck mismatch fails");
    assert!(msg.contains("checkfail.axir:1: RUN line failed with exit code 1"), "{msg}");
    assert!(msg.contains("| FileCheck /"), "the command is shown substituted: {msg}");
    assert!(msg.contains("error: CHECK: expected string not found"), "{msg}");

    let msg = run_one(&config, "pipefail.axir").expect_err("pipefail makes `false | cat` fail");
    assert!(msg.contains("pipefail.axir:2: RUN line failed with exit code 1"), "{msg}");
    assert!(msg.contains("$ false | cat"), "{msg}");

    let msg = run_one(&config, "missing.axir").expect_err("a missing tool fails");
    assert!(msg.contains("exit code 127"), "{msg}");
    assert!(msg.contains("command not found"), "{msg}");

    let msg = run_one(&config, "norun.axir").expect_err("no RUN line is an error");
    assert!(msg.contains("no RUN line"), "{msg}");

    let msg = run_one(&config, "xpass.axir").expect_err("an unexpected pass fails");
    assert!(msg.contains("unexpected pass"), "{msg}");

    // The whole tree through libtest-mimic: names, ignored flags, counts.
    let trials = collect_trials(&config);
    let names: Vec<&str> = trials.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        vec![
            "checkfail.axir",
            "continued.axir",
            "gpu.axir",
            "missing.axir",
            "norun.axir",
            "not.axir",
            "pass.axir",
            "pipefail.axir",
            "sub/dir/nested.mlir",
            "tmp.axir",
            "unsupported.axir",
            "xfail.axir",
            "xpass.axir",
        ]
    );
    let ignored: Vec<&str> = trials.iter().filter(|t| t.has_ignored_flag()).map(|t| t.name()).collect();
    assert_eq!(ignored, vec!["gpu.axir", "unsupported.axir"]);

    // The failing ones are skipped here only to keep their messages, checked
    // above, out of this test's output.
    let mut args = vec!["harness", "--test-threads", "2", "--quiet"];
    for failing in ["checkfail", "missing", "norun", "pipefail", "xpass"] {
        args.extend(["--skip", failing]);
    }
    let conclusion = libtest_mimic::run(&Arguments::from_iter(args), trials);
    assert_eq!(conclusion.num_passed, 6);
    assert_eq!(conclusion.num_failed, 0);
    assert_eq!(conclusion.num_ignored, 2);
    assert_eq!(conclusion.num_filtered_out, 5);

    // Forced to run, a test whose features are missing still ends ignored.
    let args = Arguments::from_iter(["harness", "--include-ignored", "--quiet", "gpu.axir"]);
    let conclusion = libtest_mimic::run(&args, collect_trials(&config));
    assert_eq!((conclusion.num_passed, conclusion.num_ignored), (0, 1));
}

#[test]
fn timeout_kills_the_whole_pipeline() {
    let root = fixture("timeout", &[("slow.axir", "// RUN: sleep 30 | cat\n")]);
    let mut config = config(&root);
    config.timeout = Some(Duration::from_millis(300));
    let start = std::time::Instant::now();
    let msg = run_one(&config, "slow.axir").expect_err("a hung test fails");
    assert!(msg.contains("timed out"), "{msg}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn setup_problems_are_failing_trials() {
    let root = fixture("empty", &[]);
    fs::create_dir_all(root.join("tests")).expect("create empty root");
    let trials = collect_trials(&config(&root));
    let names: Vec<&str> = trials.iter().map(|t| t.name()).collect();
    assert_eq!(names, vec!["lit-setup: discover"]);

    let missing_root = LitConfig { test_root: root.join("does-not-exist"), ..config(&root) };
    let trials = collect_trials(&missing_root);
    let names: Vec<&str> = trials.iter().map(|t| t.name()).collect();
    assert_eq!(names, vec!["lit-setup: discover"]);
}
