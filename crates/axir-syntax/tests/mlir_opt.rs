//! Interoperability with LLVM 22's `mlir-opt`: it accepts the generic form
//! we print, and we parse what it prints. Skipped, with a message, when
//! `mlir-opt` is not installed.

mod common;
use axir_syntax::{parse_source, print_op, PrintOptions};
use common::gen::Gen;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const MLIR_OPT: &str = "/usr/lib/llvm-22/bin/mlir-opt";

fn mlir_opt() -> Option<&'static Path> {
    let p = Path::new(MLIR_OPT);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {MLIR_OPT} not found");
        None
    }
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("axir-syntax-mlir-opt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs mlir-opt on `text`; returns its stdout or panics with its stderr.
fn run(tool: &Path, name: &str, text: &str, extra: &[&str]) -> String {
    let path = temp_file(name, text);
    let out = Command::new(tool)
        .arg("--allow-unregistered-dialect")
        .args(extra)
        .arg(&path)
        .output()
        .expect("run mlir-opt");
    assert!(
        out.status.success(),
        "mlir-opt rejected {name}:\n{}\n--- input ---\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn mlir_opt_accepts_our_generic_form_and_we_parse_its_output() {
    let Some(tool) = mlir_opt() else { return };
    let generic = PrintOptions { generic: true, debug_info: false };
    for seed in 0..40u64 {
        let text = Gen::new(seed).module();
        let printed = roundtrip_with(&text, &unregistered(), generic);
        let theirs = run(tool, &format!("gen{seed}.mlir"), &printed, &["--mlir-print-op-generic"]);
        // Their output parses and prints back to our text.
        let mut ctx = context();
        let m = parse_source(&mut ctx, &theirs, "theirs.mlir", &unregistered())
            .unwrap_or_else(|_| panic!("seed {seed}: cannot parse mlir-opt output:\n{theirs}"));
        assert_eq!(print_op(&ctx, m, &generic), printed, "seed {seed}");
        // With debug info, our locations are accepted too.
        let debug = roundtrip_with(&text, &unregistered(), PrintOptions { generic: true, debug_info: true });
        run(tool, &format!("gen{seed}-debug.mlir"), &debug, &[]);
    }
}

#[test]
fn mlir_opt_accepts_our_builtin_and_func_custom_forms() {
    let Some(tool) = mlir_opt() else { return };
    let src = r#"module @m {
  func.func private @decl(f32) -> f32
  func.func @f(%a: f32, %b: tensor<?xf32>) -> (f32, i1) attributes {llvm.emit_c_interface} {
    %0 = func.call @decl(%a) : (f32) -> f32
    %1 = "arith.cmpf"(%0, %a) <{predicate = 4 : i64}> : (f32, f32) -> i1
    return %0, %1 : f32, i1
  }
}
"#;
    let ours = roundtrip(src);
    let theirs = run(tool, "custom.mlir", &ours, &[]);
    // mlir-opt prints arith.cmpf in its custom form; everything else matches.
    assert_eq!(
        theirs.trim_end().replace(
            "%1 = arith.cmpf olt, %0, %arg0 : f32",
            "%1 = \"arith.cmpf\"(%0, %arg0) {predicate = 4 : i64} : (f32, f32) -> i1"
        ) + "\n",
        ours
    );
}

#[test]
fn we_parse_mlir_opt_debug_output_with_location_aliases() {
    let Some(tool) = mlir_opt() else { return };
    let src = "\"t2.a\"() : () -> () loc(\"x.mlir\":3:5)\n\"t2.b\"() : () -> () loc(callsite(\"f\" at \"y.mlir\":1:2))\n";
    let theirs = run(tool, "locs.mlir", src, &["--mlir-print-debuginfo"]);
    assert!(theirs.contains("#loc"), "mlir-opt prints location aliases:\n{theirs}");
    let printed = roundtrip_with(&theirs, &unregistered(), PrintOptions { generic: true, debug_info: true });
    assert!(printed.contains("loc(\"x.mlir\":3:5)"), "{printed}");
    assert!(printed.contains("loc(callsite(\"f\" at \"y.mlir\":1:2))"), "{printed}");
}
