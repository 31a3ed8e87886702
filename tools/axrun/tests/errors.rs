//! `axrun`'s failures: every bad command line, file, input or run-time
//! shape must end with exit code 1 and a clear message on stderr, never a
//! panic, and nothing on stdout.
//!
//! Programs and inputs are in `test/fixtures/array/Inputs/errors/` and
//! `test/fixtures/array/errors/` (written by
//! `tools/fixtures/gen_array_programs.py`; `malformed_*.npy` are broken on
//! purpose). Each case is one line of [`CASES`]: arguments, then fragments
//! that stderr must contain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test/fixtures/array")
}

const PROG: &str = "Inputs/errors/errors.axir";

/// One failing invocation: a name, the arguments (paths relative to
/// `test/fixtures/array`, except `$TMP` which is a temporary directory), and
/// fragments that stderr must contain.
struct ErrorCase {
    name: &'static str,
    args: &'static [&'static str],
    stderr: &'static [&'static str],
}

const CASES: &[ErrorCase] = &[
    ErrorCase {
        name: "too few --arg",
        args: &[PROG, "-e", "two_args", "--arg", "errors/f32_2x8.npy"],
        stderr: &["@two_args takes 2 arguments, but 1 was given"],
    },
    ErrorCase {
        name: "too many --arg",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy", "--arg", "errors/f32_2x8.npy"],
        stderr: &["@softmax takes 1 argument, but 2 were given"],
    },
    ErrorCase {
        name: "no --arg",
        args: &[PROG, "-e", "softmax"],
        stderr: &["@softmax takes 1 argument, but 0 were given"],
    },
    ErrorCase {
        name: "wrong dtype (int32 for f32)",
        args: &[PROG, "-e", "softmax", "--arg", "errors/i32_2x8.npy"],
        stderr: &["argument #0", "i32_2x8.npy", "expected element type f32", "tensor<?x8xf32>", "int32"],
    },
    ErrorCase {
        name: "wrong dtype (float64 for f32)",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f64_2x8.npy"],
        stderr: &["argument #0", "expected element type f32", "float64"],
    },
    ErrorCase {
        name: "wrong dtype of the second argument",
        args: &[PROG, "-e", "two_args", "--arg", "errors/f32_2x8.npy", "--arg", "errors/i32_2x8.npy"],
        stderr: &["argument #1", "i32_2x8.npy", "expected element type f32", "int32"],
    },
    ErrorCase {
        name: "wrong rank (1-D for 2-D)",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_8.npy"],
        stderr: &["argument #0", "expected rank 2", "tensor<?x8xf32>", "shape (8,)"],
    },
    ErrorCase {
        name: "wrong rank (rank 0 for 2-D)",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_rank0.npy"],
        stderr: &["argument #0", "expected rank 2", "shape ()"],
    },
    ErrorCase {
        name: "wrong static dim",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x5.npy"],
        stderr: &["argument #0", "dim 1 must be 8", "tensor<?x8xf32>", "shape (2, 5)"],
    },
    ErrorCase {
        name: "wrong static dim of the second argument",
        args: &[PROG, "-e", "two_args", "--arg", "errors/f32_2x8.npy", "--arg", "errors/f32_4.npy"],
        stderr: &["argument #1", "dim 0 must be 8", "tensor<8xf32>", "shape (4,)"],
    },
    ErrorCase {
        name: "dynamic dims that do not broadcast at run time",
        args: &[PROG, "-e", "add_dyn", "--arg", "errors/f32_3.npy", "--arg", "errors/f32_4.npy"],
        stderr: &["errors.axir:19:8: error", "'array.add' op failed at run time", "(3,)", "(4,)"],
    },
    ErrorCase {
        name: "dynamic contracting dims that differ at run time",
        args: &[PROG, "-e", "matmul_dyn", "--arg", "errors/f32_2x8.npy", "--arg", "errors/f32_3x3.npy"],
        stderr: &["errors.axir:39:8: error", "'array.matmul' op failed at run time", "(2, 8)", "(3, 3)"],
    },
    ErrorCase {
        name: "dynamic reshape that cannot be inferred",
        args: &[PROG, "-e", "reshape_dyn", "--arg", "errors/f32_2x8.npy"],
        stderr: &[
            "errors.axir:34:8: error",
            "'array.reshape' op failed at run time",
            "16 elements",
            "(2, 8)",
        ],
    },
    ErrorCase {
        name: "max of an empty dim",
        args: &[PROG, "-e", "max_rows", "--arg", "errors/f32_0x8.npy"],
        stderr: &[
            "errors.axir:24:8: error",
            "'array.reduce' op failed at run time",
            "'max' of an empty",
            "(0, 8)",
        ],
    },
    ErrorCase {
        name: "argmin of an empty dim",
        args: &[PROG, "-e", "argmin_rows", "--arg", "errors/f32_0x8.npy"],
        stderr: &[
            "errors.axir:29:8: error",
            "'array.reduce' op failed at run time",
            "'argmin' of an empty",
            "(0, 8)",
        ],
    },
    ErrorCase {
        name: "missing program file",
        args: &["Inputs/errors/no-such-file.axir"],
        stderr: &["cannot read", "no-such-file.axir"],
    },
    ErrorCase {
        name: "missing input file",
        args: &[PROG, "-e", "softmax", "--arg", "errors/no-such-file.npy"],
        stderr: &["argument #0", "no-such-file.npy", "No such file"],
    },
    ErrorCase {
        name: "malformed .npy: bad magic",
        args: &[PROG, "-e", "softmax", "--arg", "errors/malformed_magic.npy"],
        stderr: &["argument #0", "malformed_magic.npy", "invalid .npy data", "magic"],
    },
    ErrorCase {
        name: "malformed .npy: truncated data",
        args: &[PROG, "-e", "softmax", "--arg", "errors/malformed_truncated.npy"],
        stderr: &["argument #0", "malformed_truncated.npy", "invalid .npy data"],
    },
    ErrorCase {
        name: "malformed .npy: header that does not parse",
        args: &[PROG, "-e", "softmax", "--arg", "errors/malformed_header.npy"],
        stderr: &["argument #0", "malformed_header.npy", "invalid .npy data", "header"],
    },
    ErrorCase {
        name: "malformed .npy: unsupported dtype",
        args: &[PROG, "-e", "softmax", "--arg", "errors/malformed_dtype.npy"],
        stderr: &["argument #0", "malformed_dtype.npy", "unsupported dtype", "<c8"],
    },
    ErrorCase {
        name: "malformed .npy: empty file",
        args: &[PROG, "-e", "softmax", "--arg", "errors/malformed_empty.npy"],
        stderr: &["argument #0", "malformed_empty.npy", "invalid .npy data"],
    },
    ErrorCase {
        name: "unknown entry",
        args: &[PROG, "-e", "nope", "--arg", "errors/f32_2x8.npy"],
        stderr: &["no function named @nope", "@softmax", "@two_args"],
    },
    ErrorCase {
        name: "several functions and no entry",
        args: &[PROG, "--arg", "errors/f32_2x8.npy"],
        stderr: &["several functions", "--entry"],
    },
    ErrorCase {
        name: "--emit with an unknown stage",
        args: &[PROG, "--emit=asm"],
        stderr: &["unknown stage 'asm' for --emit", "array, loop, mlir or llvm"],
    },
    ErrorCase {
        name: "--emit with the interpreter",
        args: &[PROG, "--emit=loop", "--backend", "interp"],
        stderr: &["--emit shows the stages of the cpu backend"],
    },
    ErrorCase {
        name: "--emit of a program that does not verify",
        args: &["Inputs/errors/invalid.axir", "--emit=llvm"],
        stderr: &["invalid.axir:3:", "'array.add' op operands #0 and #1 are not broadcast compatible"],
    },
    ErrorCase {
        name: "--backend=gpu is not available yet",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy", "--backend=gpu"],
        stderr: &["backend 'gpu' is not available yet"],
    },
    ErrorCase {
        name: "unknown backend",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy", "--backend", "tpu"],
        stderr: &["unknown backend 'tpu'", "cpu, interp or gpu"],
    },
    ErrorCase {
        name: "two -o for one result",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy", "-o", "$TMP/a.npy", "-o", "$TMP/b.npy"],
        stderr: &["@softmax returns 1 result, but 2 output files were given with -o"],
    },
    ErrorCase {
        name: "one -o for two results",
        args: &[PROG, "-e", "stats", "--arg", "errors/f32_2x8.npy", "-o", "$TMP/a.npy"],
        stderr: &["@stats returns 2 results, but 1 output file was given with -o"],
    },
    ErrorCase {
        name: "-o into a missing directory",
        args: &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy", "-o", "$TMP/no/such/dir/out.npy"],
        stderr: &["cannot write", "out.npy"],
    },
    ErrorCase {
        name: "program that does not verify",
        args: &["Inputs/errors/invalid.axir", "--arg", "errors/f32_4.npy", "--arg", "errors/f32_3.npy"],
        stderr: &["invalid.axir:3:", "'array.add' op operands #0 and #1 are not broadcast compatible"],
    },
    ErrorCase {
        name: "program that does not parse",
        args: &["Inputs/errors/syntax.axir", "--arg", "errors/f32_4.npy"],
        stderr: &["syntax.axir:3:", "error: expected ':'"],
    },
    ErrorCase { name: "no input file", args: &[], stderr: &["no input file", "usage: axrun"] },
    ErrorCase {
        name: "unknown option",
        args: &[PROG, "--bogus"],
        stderr: &["unknown option '--bogus'", "usage: axrun"],
    },
    ErrorCase {
        name: "option without its value",
        args: &[PROG, "-e", "softmax", "--arg"],
        stderr: &["option '--arg' needs a value"],
    },
];

fn run(args: &[&str], tmp: &Path) -> Output {
    let dir = root();
    let args: Vec<String> = args.iter().map(|a| a.replace("$TMP", &tmp.display().to_string())).collect();
    Command::new(env!("CARGO_BIN_EXE_axrun"))
        .args(&args)
        .current_dir(&dir)
        .output()
        .expect("cannot run axrun")
}

/// What a failure must look like; `None` when it does.
fn check_failure(c: &ErrorCase, out: &Output) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!("exit status {} (want 1)", out.status));
    }
    if !out.stdout.is_empty() {
        problems.push(format!("stdout is not empty: {}", String::from_utf8_lossy(&out.stdout)));
    }
    for bad in ["panicked", "RUST_BACKTRACE", "thread 'main'"] {
        if stderr.contains(bad) {
            problems.push(format!("stderr shows a panic ('{bad}')"));
        }
    }
    if !stderr.contains("error") {
        problems.push("stderr does not say 'error'".to_string());
    }
    for want in c.stderr {
        if !stderr.contains(want) {
            problems.push(format!("stderr lacks '{want}'"));
        }
    }
    (!problems.is_empty()).then(|| format!("{}: {}\n--- stderr\n{stderr}", c.name, problems.join("; ")))
}

/// Run-time shape errors: the cpu backend (the default) reports them from
/// the compiled code's checks, the interpreter as it runs the op; both at
/// the op, with the run-time shapes.
const RUN_TIME: &[&str] = &[
    "dynamic dims that do not broadcast at run time",
    "dynamic contracting dims that differ at run time",
    "dynamic reshape that cannot be inferred",
    "max of an empty dim",
    "argmin of an empty dim",
];

#[test]
fn failures_are_clear_errors() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axrun-errors");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("cannot create the temporary directory");
    let mut failures: Vec<String> =
        CASES.iter().filter_map(|c| check_failure(c, &run(c.args, &tmp))).collect();
    // The run-time errors again, on the interpreter named explicitly, which
    // also says which operand is which argument.
    for c in CASES.iter().filter(|c| RUN_TIME.contains(&c.name)) {
        let mut args = c.args.to_vec();
        args.extend(["--backend", "interp"]);
        let out = run(&args, &tmp);
        failures.extend(check_failure(c, &out));
        let note = c.args.contains(&"add_dyn").then_some("note: operand #1 is argument #1");
        if let Some(note) = note.filter(|n| !String::from_utf8_lossy(&out.stderr).contains(n)) {
            failures.push(format!("{} (interp): stderr lacks '{note}'", c.name));
        }
    }
    assert_eq!(CASES.iter().filter(|c| RUN_TIME.contains(&c.name)).count(), RUN_TIME.len());
    eprintln!("axrun error cases: {}, {} failed", CASES.len(), failures.len());
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} of {} error cases failed", failures.len(), CASES.len());
}

/// The error cases must fail because of what they test: the same command
/// with the fault removed succeeds.
#[test]
fn error_inputs_are_otherwise_valid() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axrun-errors-ok");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("cannot create the temporary directory");
    let ok: &[&[&str]] = &[
        &[PROG, "-e", "softmax", "--arg", "errors/f32_2x8.npy"],
        &[PROG, "-e", "softmax", "--arg", "errors/f32_3x8.npy", "--backend", "interp"],
        &[PROG, "-e", "softmax", "--arg", "errors/f32_3x8.npy", "--backend", "cpu"],
        &[PROG, "--emit=array"],
        &[PROG, "--emit=loop"],
        &[PROG, "--emit=mlir"],
        &[PROG, "--emit=llvm"],
        &["--print-pipeline"],
        &[PROG, "-e", "softmax", "--arg", "errors/f32_8x8_fortran.npy"],
        &[PROG, "-e", "softmax", "--arg", "errors/f32_0x8.npy"],
        &[PROG, "-e", "two_args", "--arg", "errors/f32_2x8.npy", "--arg", "errors/f32_8.npy"],
        &[PROG, "-e", "add_dyn", "--arg", "errors/f32_3.npy", "--arg", "errors/f32_3.npy"],
        &[PROG, "-e", "matmul_dyn", "--arg", "errors/f32_3x3.npy", "--arg", "errors/f32_3x3.npy"],
        &[PROG, "-e", "max_rows", "--arg", "errors/f32_2x8.npy"],
        &[PROG, "-e", "stats", "--arg", "errors/f32_2x8.npy", "-o", "$TMP/s.npy", "-o", "$TMP/m.npy"],
        &[PROG, "-e", "stats", "--arg", "errors/f32_0x8.npy"],
    ];
    for args in ok {
        let out = run(args, &tmp);
        assert!(out.status.success(), "axrun {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        // Without -o the results go to stdout.
        assert_eq!(out.stdout.is_empty(), args.contains(&"-o"), "axrun {args:?}: unexpected stdout");
    }
    // The fault removed from the run-time errors: the same programs on
    // inputs whose shapes agree, on the cpu backend.
    let fixed: &[&[&str]] = &[
        &[
            PROG,
            "-e",
            "add_dyn",
            "--arg",
            "errors/f32_3.npy",
            "--arg",
            "errors/f32_3.npy",
            "--backend",
            "cpu",
        ],
        &[
            PROG,
            "-e",
            "matmul_dyn",
            "--arg",
            "errors/f32_3x3.npy",
            "--arg",
            "errors/f32_3x3.npy",
            "--backend=cpu",
        ],
        &[PROG, "-e", "max_rows", "--arg", "errors/f32_2x8.npy", "--backend", "cpu"],
    ];
    for args in fixed {
        let out = run(args, &tmp);
        assert!(out.status.success(), "axrun {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    for f in ["s.npy", "m.npy"] {
        assert!(tmp.join(f).exists(), "-o did not write {f}");
    }
}
