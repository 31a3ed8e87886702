//! Errors of the lit runner: malformed directives in a test file, and
//! failures to find or read the tests themselves.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// A malformed directive in one test file.
///
/// Each variant carries the 1-based line it concerns, so that the runner can
/// print `file:line: message` the way a compiler would.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DirectiveError {
    /// A `RUN:` line ends with `\` but the file has no further `RUN:` line.
    #[error("RUN line continues with '\\' but no RUN line follows")]
    UnterminatedRun {
        /// Line of the `RUN:` that starts the unterminated command.
        line: usize,
    },
    /// A `RUN:` command is empty once its continuations are joined.
    #[error("empty RUN line")]
    EmptyRun {
        /// Line of the empty `RUN:`.
        line: usize,
    },
    /// An item of a `REQUIRES:`, `UNSUPPORTED:` or `XFAIL:` list is not a
    /// feature name, `!name`, or (outside `REQUIRES:`) `*`.
    #[error("malformed item '{item}' in {keyword}: expected a feature name or '!name'")]
    BadFeature {
        /// Line of the directive.
        line: usize,
        /// The directive keyword, without its colon.
        keyword: &'static str,
        /// The offending item, as written.
        item: String,
    },
    /// The file has no `RUN:` line at all.
    #[error("no RUN line: a test that runs nothing cannot fail")]
    NoRunLines,
}

impl DirectiveError {
    /// The 1-based line the error concerns, if it concerns one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::UnterminatedRun { line } | Self::EmptyRun { line } | Self::BadFeature { line, .. } => {
                Some(*line)
            }
            Self::NoRunLines => None,
        }
    }
}

/// A failure to find or read test files.
#[derive(Debug, Error)]
pub enum LitError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path that could not be read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}
