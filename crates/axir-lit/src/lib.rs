//! A lit-style runner for axir's test files, run by `cargo test`.
//!
//! Each `.axir` (or `.mlir`) file under a test root is one test, as in LLVM's
//! `lit`: its `// RUN:` lines are shell commands, after the `%s`, `%S`, `%p`,
//! `%t`, `%T` and `%%` substitutions, and the test passes when every one
//! exits 0. `REQUIRES:` and `UNSUPPORTED:` lines name features; a test that
//! cannot run here is reported as *ignored*, never as passed. `XFAIL:` marks
//! a test expected to fail.
//!
//! The same files run unchanged under LLVM's `lit` with `test/lit.cfg.py`.
//!
//! A test binary with `harness = false` hands a [`LitConfig`] to [`run_main`]:
//!
//! ```no_run
//! use std::path::PathBuf;
//! use axir_lit::{LitConfig, LLVM_BIN_DIR};
//!
//! let config = LitConfig::new("test", "target/lit")
//!     .with_tool_dir(PathBuf::from("target/debug"))
//!     .with_tool_dir(PathBuf::from(LLVM_BIN_DIR))
//!     .with_detected_features();
//! axir_lit::run_main(config);
//! ```

mod discover;
mod error;
mod features;
mod run;
mod script;
mod subst;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

pub use discover::{discover_tests, EXCLUDED_DIRS, TEST_SUFFIXES};
pub use error::{DirectiveError, LitError};
pub use features::{detect_features, find_tool, gpu_available, search_path, LLVM_BIN_DIR};
pub use run::{test_name, LitTest, Verdict};
pub use script::{parse_script, FeatureTerm, RunLine, TestScript};
pub use subst::{shell_quote, Substitutions};

/// How long one RUN line may run before it is killed, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Where the tests are, which tools and features they get, and where their
/// temporary files go.
#[derive(Debug, Clone)]
pub struct LitConfig {
    /// The directory searched recursively for test files.
    pub test_root: PathBuf,
    /// Directories put in front of `PATH` for RUN lines, in order.
    pub tool_dirs: Vec<PathBuf>,
    /// The features `REQUIRES:`, `UNSUPPORTED:` and `XFAIL:` are checked against.
    pub features: BTreeSet<String>,
    /// The root of the `%t`/`%T` temporaries; each test gets
    /// `<tmp_root>/<its directory>/Output`.
    pub tmp_root: PathBuf,
    /// The time limit of one RUN line; `None` waits forever.
    pub timeout: Option<Duration>,
}

impl LitConfig {
    /// A configuration with no tool directories, no features, and
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(test_root: impl Into<PathBuf>, tmp_root: impl Into<PathBuf>) -> Self {
        Self {
            test_root: test_root.into(),
            tool_dirs: Vec::new(),
            features: BTreeSet::new(),
            tmp_root: tmp_root.into(),
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }

    /// Appends `dir` to the tool directories.
    pub fn with_tool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.tool_dirs.push(dir.into());
        self
    }

    /// Adds the features of this machine, as [`detect_features`] finds them
    /// with the configured tool directories.
    pub fn with_detected_features(mut self) -> Self {
        self.features.extend(detect_features(&self.tool_dirs));
        self
    }
}

/// One trial per test file under `config.test_root`, named by its path
/// relative to the root (`dialects/arith/ops.axir`).
///
/// Tests that cannot run with the configured features carry the ignored flag
/// and the reason as their kind (`[requires gpu]`); run anyway with
/// `--include-ignored`, they still end as ignored. A problem with the setup
/// itself is a failing trial named `lit-setup: ...`: `FileCheck` not found,
/// an unreadable test root, or a root without tests.
pub fn collect_trials(config: &LitConfig) -> Vec<Trial> {
    let mut trials = Vec::new();
    if find_tool("FileCheck", &config.tool_dirs).is_none() {
        let dirs: Vec<String> = config.tool_dirs.iter().map(|d| d.display().to_string()).collect();
        trials.push(failing_trial(
            "lit-setup: FileCheck",
            format!(
                "FileCheck was not found in {} nor in PATH; install LLVM 22's tools with \
                 tools/setup.sh",
                dirs.join(", ")
            ),
        ));
    }

    // Canonical paths make `%s` absolute and trial names independent of how
    // the root was spelled (`tools/axopt/../../test`).
    let root = config.test_root.canonicalize().unwrap_or_else(|_| config.test_root.clone());
    let files = match discover_tests(&root) {
        Ok(files) => files,
        Err(e) => {
            trials.push(failing_trial("lit-setup: discover", e.to_string()));
            return trials;
        }
    };
    if files.is_empty() {
        trials.push(failing_trial(
            "lit-setup: discover",
            format!("no test files ({}) under {}", TEST_SUFFIXES.join(", "), root.display()),
        ));
    }

    let config = Arc::new(config.clone());
    for path in files {
        trials.push(trial_for(&config, &root, &path));
    }
    trials
}

fn trial_for(config: &Arc<LitConfig>, root: &Path, path: &Path) -> Trial {
    let test = match LitTest::load(root, path) {
        Ok(test) => test,
        Err(message) => return failing_trial(&test_name(root, path), message),
    };
    let skip = test.script.skip_reason(&config.features);
    let name = test.name.clone();
    let config = Arc::clone(config);
    let trial = Trial::ignorable_test(name, move || match test.run(&config) {
        Ok(Verdict::Passed | Verdict::ExpectedFailure) => Ok(Completion::Completed),
        Ok(Verdict::Skipped(reason)) => Ok(Completion::ignored_with(reason)),
        Err(message) => Err(Failed::from(message)),
    });
    match skip {
        Some(reason) => trial.with_ignored_flag(true).with_kind(reason),
        None => trial,
    }
}

fn failing_trial(name: &str, message: String) -> Trial {
    Trial::test(name, move || Err(Failed::from(message)))
}

/// Runs the trials of `config` with the command-line arguments of libtest
/// (`cargo test -- FILTER`, `--list`, `--include-ignored`, ...) and exits
/// with the outcome.
pub fn run_main(config: LitConfig) -> ! {
    let args = Arguments::from_args();
    let trials = collect_trials(&config);
    libtest_mimic::run(&args, trials).exit()
}
