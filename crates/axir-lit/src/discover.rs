//! Finding the test files under a root directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::LitError;

/// File extensions of test files.
pub const TEST_SUFFIXES: &[&str] = &["axir", "mlir"];

/// Directory names that never hold tests: `Inputs` holds files that tests
/// read, and `Output` holds what LLVM's lit writes when run in the tree.
pub const EXCLUDED_DIRS: &[&str] = &["Inputs", "Output"];

/// Every test file under `root`, recursively, sorted by path.
///
/// Hidden entries (a leading `.`) and [`EXCLUDED_DIRS`] are skipped.
pub fn discover_tests(root: &Path) -> Result<Vec<PathBuf>, LitError> {
    let mut tests = Vec::new();
    walk(root, &mut tests)?;
    tests.sort();
    Ok(tests)
}

fn walk(dir: &Path, tests: &mut Vec<PathBuf>) -> Result<(), LitError> {
    let io_err = |source| LitError::Io { path: dir.to_path_buf(), source };
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if !EXCLUDED_DIRS.contains(&name) {
                walk(&path, tests)?;
            }
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| TEST_SUFFIXES.contains(&e)) {
            tests.push(path);
        }
    }
    Ok(())
}
