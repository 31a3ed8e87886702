//! Running one test: substituting its RUN lines and executing them with bash.
//!
//! Each RUN line runs as `bash -o pipefail -c LINE` in the test's directory,
//! in a process group of its own, so that a timeout kills the whole pipeline.
//! **A test passes only when every RUN line exits 0**; the first failing line
//! ends the test.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use crate::features::search_path;
use crate::script::{parse_script, TestScript};
use crate::subst::Substitutions;
use crate::LitConfig;

/// How many characters of a stream a failure message shows.
const MAX_STREAM_CHARS: usize = 4000;
/// Of those, how many come from the start; the rest come from the end,
/// where FileCheck and the shell say what went wrong.
const HEAD_CHARS: usize = 1000;

/// A test file with its parsed directives.
#[derive(Debug, Clone)]
pub struct LitTest {
    /// The path relative to the test root, with `/` separators; the trial name.
    pub name: String,
    /// The absolute path of the file.
    pub path: PathBuf,
    /// Its directives.
    pub script: TestScript,
}

/// How a test that did not fail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every RUN line exited 0.
    Passed,
    /// The test is marked `XFAIL` here and a RUN line failed, as expected.
    ExpectedFailure,
    /// The test cannot run in this configuration; the reason says why.
    Skipped(String),
}

impl LitTest {
    /// Reads and parses the test at `path`, named relative to `root`.
    ///
    /// The error is a message ready to print, one `file:line: error: ...`
    /// line per malformed directive.
    pub fn load(root: &Path, path: &Path) -> Result<Self, String> {
        let text =
            fs::read_to_string(path).map_err(|e| format!("{}: error: cannot read: {e}", path.display()))?;
        let script = parse_script(&text).map_err(|errors| {
            errors
                .iter()
                .map(|e| match e.line() {
                    Some(line) => format!("{}:{line}: error: {e}", path.display()),
                    None => format!("{}: error: {e}", path.display()),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        Ok(Self { name: test_name(root, path), path: path.to_path_buf(), script })
    }

    /// The directory that holds `%t` for this test:
    /// `<tmp_root>/<directory of the test>/Output`.
    pub fn tmp_dir(&self, config: &LitConfig) -> PathBuf {
        let rel_dir = Path::new(&self.name).parent().unwrap_or(Path::new(""));
        config.tmp_root.join(rel_dir).join("Output")
    }

    /// Runs the test under `config`.
    ///
    /// The error is the failure message: the file, the failing RUN line after
    /// substitution, its exit status, and excerpts of its stdout and stderr.
    pub fn run(&self, config: &LitConfig) -> Result<Verdict, String> {
        if let Some(reason) = self.script.skip_reason(&config.features) {
            return Ok(Verdict::Skipped(reason));
        }
        let tmp_dir = self.tmp_dir(config);
        fs::create_dir_all(&tmp_dir).map_err(|e| {
            format!(
                "{}: error: cannot create the temporary directory {}: {e}",
                self.path.display(),
                tmp_dir.display()
            )
        })?;
        let subs = Substitutions::new(&self.path, &tmp_dir);
        let cwd = self.path.parent().unwrap_or(Path::new("/"));
        let path_env = search_path(&config.tool_dirs);
        let expect_failure = self.script.is_expected_to_fail(&config.features);

        for run in &self.script.run_lines {
            let command = subs.apply(&run.command);
            let output = run_shell(&command, cwd, &path_env, config.timeout).map_err(|e| {
                format!("{}:{}: error: cannot start bash: {e}", self.path.display(), run.line)
            })?;
            if output.timed_out || !output.status.success() {
                if expect_failure {
                    return Ok(Verdict::ExpectedFailure);
                }
                return Err(self.failure_message(config, run.line, &command, &output));
            }
        }
        if expect_failure {
            return Err(format!(
                "{}: error: unexpected pass: the test is marked XFAIL here but every RUN line \
                 exited 0",
                self.path.display()
            ));
        }
        Ok(Verdict::Passed)
    }

    fn failure_message(
        &self,
        config: &LitConfig,
        line: usize,
        command: &str,
        output: &ShellOutput,
    ) -> String {
        let how = if output.timed_out {
            let secs = config.timeout.map_or(0, |t| t.as_secs());
            format!("timed out after {secs} s")
        } else if let Some(code) = output.status.code() {
            format!("failed with exit code {code}")
        } else if let Some(signal) = output.status.signal() {
            format!("was killed by signal {signal}")
        } else {
            format!("failed ({})", output.status)
        };
        let mut msg = format!("{}:{line}: RUN line {how}\n$ {command}\n", self.path.display());
        if output.status.code() == Some(127) {
            let dirs: Vec<String> = config.tool_dirs.iter().map(|d| d.display().to_string()).collect();
            let _ = writeln!(
                msg,
                "note: exit code 127 means a command was not found; RUN lines search {} \
                 before PATH",
                dirs.join(":")
            );
        }
        let _ = write!(
            msg,
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            excerpt(&output.stdout),
            excerpt(&output.stderr)
        );
        msg
    }
}

/// The trial name of `path`: relative to `root`, with `/` separators.
pub fn test_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

struct ShellOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    timed_out: bool,
}

fn run_shell(
    command: &str,
    cwd: &Path,
    path_env: &std::ffi::OsStr,
    timeout: Option<Duration>,
) -> io::Result<ShellOutput> {
    let child = Command::new("bash")
        .args(["-o", "pipefail", "-c", command])
        .current_dir(cwd)
        .env("PATH", path_env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let pgid = child.id();
    let (done, wait_done) = mpsc::channel::<()>();
    let watchdog = timeout.map(|limit| {
        thread::spawn(move || {
            if wait_done.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                // Killing the group, not just bash, also closes the pipes
                // that the pipeline's other processes hold.
                let _ = Command::new("bash")
                    .args(["-c", &format!("kill -KILL -- -{pgid}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                true
            } else {
                false
            }
        })
    });
    let output = child.wait_with_output();
    drop(done);
    let timed_out = watchdog.is_some_and(|w| w.join().unwrap_or(false));
    let output = output?;
    Ok(ShellOutput { status: output.status, stdout: output.stdout, stderr: output.stderr, timed_out })
}

/// `bytes` as text, cut in the middle when longer than [`MAX_STREAM_CHARS`].
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end();
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    let count = text.chars().count();
    if count <= MAX_STREAM_CHARS {
        return text.to_owned();
    }
    let tail = MAX_STREAM_CHARS - HEAD_CHARS;
    let head: String = text.chars().take(HEAD_CHARS).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{head}\n[... {} characters left out ...]\n{end}", count - MAX_STREAM_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_with_slashes() {
        assert_eq!(
            test_name(Path::new("/repo/test"), Path::new("/repo/test/dialects/arith/ops.axir")),
            "dialects/arith/ops.axir"
        );
    }

    #[test]
    fn short_streams_are_kept_whole() {
        assert_eq!(excerpt(b"error: x\n\n"), "error: x");
    }

    #[test]
    fn long_streams_keep_head_and_tail() {
        let text = format!("{}{}", "a".repeat(5000), "z".repeat(10));
        let cut = excerpt(text.as_bytes());
        assert!(cut.starts_with(&"a".repeat(HEAD_CHARS)));
        assert!(cut.ends_with("zzzzzzzzzz"));
        assert!(cut.contains("[... 1010 characters left out ...]"));
    }
}
