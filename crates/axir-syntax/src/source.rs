//! Source files and diagnostic rendering: [`SourceManager`] keeps the text of
//! each parsed file so that a [`Diagnostic`] with a `FileLineCol` location
//! renders as mlir-opt prints it:
//!
//! ```text
//! input.axir:2:19: error: use of undeclared SSA value name
//!   %0 = arith.addf %x, %x : f32
//!                   ^
//! ```
//!
//! It also owns `--split-input-file` splitting ([`split_input_file`]), which
//! keeps line numbers relative to the whole file, as MLIR does.

use axir_ir::{Context, Diagnostic, LocationData};
use std::fmt::Write;

/// One file known to a [`SourceManager`].
#[derive(Debug, Clone)]
struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

/// Owns source texts by file name, to render diagnostics with the offending
/// line and a caret.
///
/// ```
/// use axir_syntax::SourceManager;
/// let mut sm = SourceManager::new();
/// sm.add_file("a.axir", "first\nsecond line\n");
/// assert_eq!(sm.line("a.axir", 2), Some("second line"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SourceManager {
    files: Vec<SourceFile>,
}

impl SourceManager {
    /// An empty manager.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the text of file `name`.
    pub fn add_file(&mut self, name: impl Into<String>, text: impl Into<String>) {
        let name = name.into();
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        let file = SourceFile { name, text, line_starts };
        match self.files.iter_mut().find(|f| f.name == file.name) {
            Some(f) => *f = file,
            None => self.files.push(file),
        }
    }

    /// The text of line `line` (1-based) of file `name`, without its newline.
    pub fn line(&self, name: &str, line: u32) -> Option<&str> {
        let f = self.files.iter().find(|f| f.name == name)?;
        let idx = (line as usize).checked_sub(1)?;
        let start = *f.line_starts.get(idx)?;
        let end = f.line_starts.get(idx + 1).map_or(f.text.len(), |&e| e - 1);
        let text = &f.text[start..end.max(start)];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// Renders `diag` and its notes as mlir-opt does: `file:line:col:
    /// severity: message`, then the source line and a caret under the column
    /// when the file is known.
    pub fn render(&self, ctx: &Context, diag: &Diagnostic) -> String {
        let mut out = String::new();
        self.render_into(ctx, diag, &mut out);
        out
    }

    /// Renders every diagnostic of `diags`, in order.
    pub fn render_all(&self, ctx: &Context, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diags {
            self.render_into(ctx, d, &mut out);
        }
        out
    }

    fn render_into(&self, ctx: &Context, diag: &Diagnostic, out: &mut String) {
        match ctx.file_line_col(diag.location) {
            Some((file, line, col)) => {
                let _ = writeln!(out, "{file}:{line}:{col}: {}: {}", diag.severity.as_str(), diag.message);
                if let Some(text) = self.line(file, line) {
                    out.push_str(text);
                    out.push('\n');
                    // Keep tabs so the caret lines up under tabbed source.
                    for b in text.bytes().take((col as usize).saturating_sub(1)) {
                        out.push(if b == b'\t' { '\t' } else { ' ' });
                    }
                    out.push_str("^\n");
                }
            }
            None => {
                let prefix = match ctx.location_data(diag.location) {
                    LocationData::Name { name, .. } => format!("{name}: "),
                    _ => "<unknown>:0: ".to_string(),
                };
                let _ = writeln!(out, "{prefix}{}: {}", diag.severity.as_str(), diag.message);
            }
        }
        for note in &diag.notes {
            self.render_into(ctx, note, out);
        }
    }
}

/// A piece of a file split on `// -----` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceChunk<'s> {
    /// The chunk's text (the marker lines excluded).
    pub text: &'s str,
    /// Number of lines of the file before the chunk: pass it as
    /// [`ParseOptions::line_offset`](crate::ParseOptions::line_offset) so that
    /// locations are relative to the whole file.
    pub line_offset: u32,
    /// Byte offset of the chunk in the file.
    pub byte_offset: usize,
}

/// The split marker of `--split-input-file`.
pub const SPLIT_MARKER: &str = "// -----";

/// Splits `source` on lines that start with `// -----` (MLIR's
/// `--split-input-file`), keeping each chunk's position in the file.
///
/// ```
/// use axir_syntax::split_input_file;
/// let chunks = split_input_file("a\n// -----\nb\nc\n");
/// assert_eq!(chunks.len(), 2);
/// assert_eq!(chunks[1].text, "b\nc\n");
/// assert_eq!(chunks[1].line_offset, 2);
/// ```
pub fn split_input_file(source: &str) -> Vec<SourceChunk<'_>> {
    let mut chunks = Vec::new();
    let mut chunk_start = 0usize;
    let mut chunk_line = 0u32;
    let mut line_no = 0u32;
    let mut pos = 0usize;
    while pos < source.len() {
        let end = source[pos..].find('\n').map_or(source.len(), |i| pos + i + 1);
        let line = &source[pos..end];
        if line.trim_start().starts_with(SPLIT_MARKER) {
            chunks.push(SourceChunk {
                text: &source[chunk_start..pos],
                line_offset: chunk_line,
                byte_offset: chunk_start,
            });
            chunk_start = end;
            chunk_line = line_no + 1;
        }
        line_no += 1;
        pos = end;
    }
    chunks.push(SourceChunk {
        text: &source[chunk_start..],
        line_offset: chunk_line,
        byte_offset: chunk_start,
    });
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_line_numbers() {
        let src = "l1\nl2\n// -----\nl4\n// -----\n\nl7";
        let c = split_input_file(src);
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].text, c[0].line_offset), ("l1\nl2\n", 0));
        assert_eq!((c[1].text, c[1].line_offset), ("l4\n", 3));
        assert_eq!((c[2].text, c[2].line_offset), ("\nl7", 5));
        assert_eq!(&src[c[2].byte_offset..], c[2].text);
    }

    #[test]
    fn renders_caret_under_column() {
        let mut ctx = Context::default();
        let mut sm = SourceManager::new();
        sm.add_file("t.axir", "first\n\tab cd\n");
        let loc = ctx.file_loc("t.axir", 2, 5);
        let other = ctx.file_loc("t.axir", 1, 1);
        let d = Diagnostic::error(loc, "bad").with_note(other, "here");
        assert_eq!(
            sm.render(&ctx, &d),
            "t.axir:2:5: error: bad\n\tab cd\n\t   ^\nt.axir:1:1: note: here\nfirst\n^\n"
        );
        let unknown = ctx.unknown_loc();
        assert_eq!(sm.render(&ctx, &Diagnostic::error(unknown, "x")), "<unknown>:0: error: x\n");
    }
}
