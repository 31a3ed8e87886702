//! Finding tools and detecting the features that `REQUIRES:` lines name.
//!
//! The features are:
//! - `llvm-tools`: `FileCheck` is found;
//! - `mlir-opt`: `mlir-opt` is found;
//! - `gpu`: `nvidia-smi -L` succeeds.
//!
//! A tool is looked up the way the shell of a RUN line will look it up: in
//! the configured tool directories first, then in `PATH`.

use std::collections::BTreeSet;
use std::env;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Debian's LLVM 22 packages install `FileCheck`, `not` and `mlir-opt`.
pub const LLVM_BIN_DIR: &str = "/usr/lib/llvm-22/bin";

/// The `PATH` for RUN lines: `tool_dirs` in order, then the current `PATH`.
pub fn search_path(tool_dirs: &[PathBuf]) -> OsString {
    let inherited = env::var_os("PATH").unwrap_or_default();
    let dirs = tool_dirs.iter().cloned().chain(env::split_paths(&inherited));
    // A tool directory with a ':' in its name cannot be put in PATH; it is
    // dropped rather than failing every test.
    env::join_paths(dirs).unwrap_or(inherited)
}

/// The executable `name` in `tool_dirs` or, failing that, in `PATH`.
pub fn find_tool(name: &str, tool_dirs: &[PathBuf]) -> Option<PathBuf> {
    env::split_paths(&search_path(tool_dirs))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Whether `nvidia-smi -L` runs and succeeds, i.e. a GPU is usable.
pub fn gpu_available() -> bool {
    Command::new("nvidia-smi")
        .arg("-L")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The features of this machine, with tools looked up in `tool_dirs` first.
pub fn detect_features(tool_dirs: &[PathBuf]) -> BTreeSet<String> {
    let mut features = BTreeSet::new();
    if find_tool("FileCheck", tool_dirs).is_some() {
        features.insert("llvm-tools".to_owned());
    }
    if find_tool("mlir-opt", tool_dirs).is_some() {
        features.insert("mlir-opt".to_owned());
    }
    if gpu_available() {
        features.insert("gpu".to_owned());
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_dirs_come_first_in_path() {
        let path = search_path(&[PathBuf::from("/opt/a"), PathBuf::from("/opt/b")]);
        let dirs: Vec<PathBuf> = env::split_paths(&path).take(2).collect();
        assert_eq!(dirs, vec![PathBuf::from("/opt/a"), PathBuf::from("/opt/b")]);
    }

    #[test]
    fn finds_bash_but_not_nonsense() {
        assert!(find_tool("bash", &[]).is_some());
        assert!(find_tool("axir-lit-no-such-tool", &[]).is_none());
    }
}
