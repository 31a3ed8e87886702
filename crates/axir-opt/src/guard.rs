//! The last line of defence: a panic anywhere in a run becomes an internal
//! error with its own exit code, never a raw Rust panic message.
//!
//! **A panic on any input is a bug.** The guard exists so that such a bug is
//! reported as one (`internal error: ...` and [`INTERNAL_ERROR_EXIT_CODE`])
//! instead of being mistaken for a diagnosed error of the input, and so that
//! tests can tell the two apart.

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

/// The exit code of a run that panicked: distinct from 1, the exit code of
/// a diagnosed error.
pub const INTERNAL_ERROR_EXIT_CODE: u8 = 101;

/// The message and place of the last panic, recorded by the hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs `run`; when it panics, prints an internal-error report to stderr
/// and returns [`INTERNAL_ERROR_EXIT_CODE`].
///
/// The default panic hook is replaced while `run` runs, so that the report
/// is the only thing printed; set `RUST_BACKTRACE=1` to get a backtrace in
/// it.
pub fn run_guarded(tool: &str, run: impl FnOnce() -> ExitCode) -> ExitCode {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let message = match (info.payload().downcast_ref::<&str>(), info.payload().downcast_ref::<String>()) {
            (Some(s), _) => (*s).to_string(),
            (_, Some(s)) => s.clone(),
            _ => "(no message)".to_string(),
        };
        let place = info.location().map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("\n{backtrace}"),
            _ => String::new(),
        };
        *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(format!("{message}{place}{backtrace}"));
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    panic::set_hook(previous);
    match result {
        Ok(code) => code,
        Err(_) => {
            let what = LAST_PANIC
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .unwrap_or_else(|| "(no message)".to_string());
            // Not `eprintln!`, which panics when stderr is closed.
            let _ = writeln!(
                std::io::stderr(),
                "{tool}: internal error: {what}\n\
                 note: this is a bug in {tool}, not in the input; please report it with the input \
                 and the command line"
            );
            ExitCode::from(INTERNAL_ERROR_EXIT_CODE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_exit_codes_pass_through() {
        assert_eq!(run_guarded("t", || ExitCode::from(1)), ExitCode::from(1));
        assert_eq!(run_guarded("t", || ExitCode::SUCCESS), ExitCode::SUCCESS);
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let code = run_guarded("t", || panic!("boom"));
        assert_eq!(code, ExitCode::from(INTERNAL_ERROR_EXIT_CODE));
    }
}
