//! The lit suite: every `.axir` and `.mlir` file under `<workspace>/test`,
//! run with the `axopt` that cargo just built.
//!
//! Run one test with `cargo test -p axopt --test lit -- NAME`, where NAME is
//! any part of the path relative to `test/` (`arith/ops.axir`).

use std::path::Path;

use axir_lit::{LitConfig, LLVM_BIN_DIR};

fn main() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let axopt = Path::new(env!("CARGO_BIN_EXE_axopt"));
    let axopt_dir = axopt.parent().unwrap_or(Path::new("."));
    let config =
        LitConfig::new(manifest_dir.join("../../test"), Path::new(env!("CARGO_TARGET_TMPDIR")).join("lit"))
            .with_tool_dir(axopt_dir)
            .with_tool_dir(LLVM_BIN_DIR)
            .with_detected_features();
    axir_lit::run_main(config)
}
