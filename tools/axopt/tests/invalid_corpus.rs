//! Runs `axopt` on every input of the malformed-input corpus (`test/invalid`)
//! and checks that each one is *diagnosed*: exit code 1, an error located
//! `file:line:col` inside the file, nothing on stdout, and no trace of a
//! panic or a crash.
//!
//! The lit tests of the corpus check the exact message of each input; this
//! test checks the properties every malformed input must have, so that a
//! new input only needs to be dropped into the corpus.
//!
//! The inputs are the files under `test/invalid/Inputs/` (raw bytes, e.g.
//! non-UTF-8) and every other `.axir` file under `test/invalid/` whose RUN
//! lines run `axopt %s`, i.e. that is its own input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest time one input may take; a hang is a bug too.
const TIMEOUT: Duration = Duration::from_secs(60);

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test/invalid")
}

fn collect(dir: &Path, in_inputs: bool, out: &mut Vec<(PathBuf, Vec<String>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if path.is_dir() {
            collect(&path, in_inputs || name == "Inputs", out);
        } else if in_inputs {
            out.push((path, Vec::new()));
        } else if name.ends_with(".axir") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let runs: Vec<&str> = text.lines().filter_map(|l| l.split_once("RUN:").map(|(_, r)| r)).collect();
            if runs.iter().any(|r| r.contains("axopt %s")) {
                // The flag that changes which error an input reaches; the
                // others (`--verify-diagnostics`, `--split-input-file`) are
                // left out so that the first error is printed as is.
                let flags = if runs.iter().any(|r| r.contains("--allow-unregistered-dialect")) {
                    vec!["--allow-unregistered-dialect".to_string()]
                } else {
                    Vec::new()
                };
                out.push((path, flags));
            }
        }
    }
}

struct RunResult {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_axopt(path: &Path, flags: &[String]) -> Result<RunResult, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_axopt"))
        .arg(path)
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start axopt: {e}"))?;
    // Drain the pipes on threads so that a large output cannot block the child.
    let mut out_pipe = child.stdout.take().ok_or("no stdout pipe")?;
    let mut err_pipe = child.stderr.take().ok_or("no stderr pipe")?;
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {} s", TIMEOUT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let stdout = String::from_utf8_lossy(&out_thread.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    Ok(RunResult { code: status.code(), stdout, stderr })
}

/// The line of the first error located in `path`, checked to lie in the
/// file; `Err` says what is wrong.
fn located_error_line(stderr: &str, path: &Path, line_count: usize) -> Result<u32, String> {
    let prefix = format!("{}:", path.display());
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else { continue };
        let mut parts = rest.splitn(3, ':');
        let (Some(l), Some(c), Some(tail)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (Ok(l), Ok(_c)) = (l.parse::<u32>(), c.parse::<u32>()) else { continue };
        if !tail.starts_with(" error: ") {
            continue;
        }
        if l == 0 || l as usize > line_count + 1 {
            return Err(format!("error located on line {l}, outside the file ({line_count} lines)"));
        }
        return Ok(l);
    }
    Err(format!("no error located `{prefix}LINE:COL: error: ...`"))
}

const PANIC_MARKERS: &[&str] =
    &["panicked", "internal error", "RUST_BACKTRACE", "stack overflow", "has overflowed its stack"];

fn check_input(path: &Path, flags: &[String]) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let line_count = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let r = run_axopt(path, flags)?;
    let mut problems = Vec::new();
    match r.code {
        Some(1) => {}
        Some(code) => problems.push(format!("exit code {code}, expected 1")),
        None => problems.push("killed by a signal".to_string()),
    }
    if let Err(e) = located_error_line(&r.stderr, path, line_count) {
        problems.push(e);
    }
    for marker in PANIC_MARKERS {
        if r.stderr.contains(marker) {
            problems.push(format!("stderr mentions `{marker}`"));
        }
    }
    if !r.stdout.is_empty() {
        problems.push("stdout is not empty".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n--- stderr ---\n{}", problems.join("; "), r.stderr))
    }
}

#[test]
fn every_malformed_input_is_diagnosed_without_panicking() {
    let root = corpus_root();
    let mut inputs = Vec::new();
    collect(&root, false, &mut inputs);
    assert!(inputs.len() >= 60, "the corpus has {} inputs, expected at least 60", inputs.len());

    let mut failures = Vec::new();
    for (path, flags) in &inputs {
        if let Err(e) = check_input(path, flags) {
            failures.push(format!("{} {}: {e}", path.display(), flags.join(" ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus inputs are not diagnosed properly:\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_corpus_covers_at_least_ten_classes() {
    let classes: Vec<String> = std::fs::read_dir(corpus_root())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n != "Inputs")
                .collect()
        })
        .unwrap_or_default();
    assert!(classes.len() >= 10, "corpus classes: {classes:?}");
}

#[test]
fn located_error_line_rejects_what_it_should() {
    let p = Path::new("/t/x.axir");
    assert_eq!(located_error_line("/t/x.axir:3:7: error: boom\n", p, 5), Ok(3));
    assert!(located_error_line("/t/x.axir:9:1: error: boom\n", p, 5).is_err());
    assert!(located_error_line("/t/x.axir:3:7: note: boom\n", p, 5).is_err());
    assert!(located_error_line("x.axir:3:7: error: boom\n", p, 5).is_err());
    assert!(located_error_line("axopt: error: boom\n", p, 5).is_err());
}
