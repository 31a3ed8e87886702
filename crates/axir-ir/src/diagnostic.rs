//! Diagnostics: located, user-facing messages in MLIR's wording.
//!
//! The IR core produces [`Diagnostic`] values; rendering them with the source
//! line and a caret is the textual-format crate's job, since only it knows the
//! source text.

use crate::context::Context;
use crate::location::Location;
use crate::operation::OpId;

/// How serious a diagnostic is.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Severity {
    /// Additional information attached to another diagnostic.
    Note,
    /// A remark.
    Remark,
    /// Something suspicious that does not stop compilation.
    Warning,
    /// The input is invalid.
    Error,
}

impl Severity {
    /// MLIR's word for the severity: `error`, `warning`, `note`, `remark`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Remark => "remark",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A located message with optional notes.
///
/// Messages follow MLIR's style: lower case, no final period, ops quoted as
/// `'arith.addf' op ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Severity.
    pub severity: Severity,
    /// Where the problem is.
    pub location: Location,
    /// The message.
    pub message: String,
    /// Notes that explain the message, each with its own location.
    pub notes: Vec<Diagnostic>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, location, message: message.into(), notes: Vec::new() }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, location, message: message.into(), notes: Vec::new() }
    }

    /// Attaches a note.
    pub fn with_note(mut self, location: Location, message: impl Into<String>) -> Self {
        self.notes.push(Diagnostic {
            severity: Severity::Note,
            location,
            message: message.into(),
            notes: Vec::new(),
        });
        self
    }

    /// Renders without source context: `file:line:col: error: message`.
    pub fn to_plain_string(&self, ctx: &Context) -> String {
        let mut out = String::new();
        self.write_plain(ctx, &mut out);
        out
    }

    fn write_plain(&self, ctx: &Context, out: &mut String) {
        use std::fmt::Write;
        match ctx.file_line_col(self.location) {
            Some((file, line, col)) => {
                let _ = write!(out, "{file}:{line}:{col}: ");
            }
            None => out.push_str("loc(unknown): "),
        }
        let _ = writeln!(out, "{}: {}", self.severity.as_str(), self.message);
        for note in &self.notes {
            note.write_plain(ctx, out);
        }
    }
}

impl Context {
    /// An error about `op`, worded like MLIR: `'name' op message`.
    pub fn op_error(&self, op: OpId, message: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::error(self.op(op).location, format!("'{}' op {}", self.op_name(op), message))
    }
}

/// The `Result` of fallible IR operations whose failure is user-facing.
pub type DiagResult<T = ()> = Result<T, Diagnostic>;
