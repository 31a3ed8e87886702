//! The lit suite: every `.axir` and `.mlir` file under `<workspace>/test`,
//! run with the `axopt` that cargo just built.
//!
//! Run one test with `cargo test -p axopt --test lit -- NAME`, where NAME is
//! any part of the path relative to `test/` (`arith/ops.axir`).
//!
//! Tests also run `axrun` and `axtranslate`, which `cargo test` does not
//! build for this package: build them first (`cargo build --workspace
//! --bins`, as `tools/test.sh` does), or the suite stops and says so.

use std::path::Path;

use axir_lit::{LitConfig, LLVM_BIN_DIR};

fn main() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let axopt = Path::new(env!("CARGO_BIN_EXE_axopt"));
    let axopt_dir = axopt.parent().unwrap_or(Path::new("."));
    // Cargo gives a test only its own package's binaries; axrun sits beside
    // axopt when the workspace was built. Fail loudly rather than let every
    // axrun test fail with "command not found".
    for tool in ["axrun", "axtranslate"] {
        if !axopt_dir.join(tool).exists() {
            eprintln!(
                "lit: {tool} is not built in {}; run `cargo build --workspace --bins` first",
                axopt_dir.display()
            );
            std::process::exit(1);
        }
    }
    let config =
        LitConfig::new(manifest_dir.join("../../test"), Path::new(env!("CARGO_TARGET_TMPDIR")).join("lit"))
            .with_tool_dir(axopt_dir)
            .with_tool_dir(LLVM_BIN_DIR)
            .with_detected_features();
    axir_lit::run_main(config)
}
