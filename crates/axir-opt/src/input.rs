//! Reading the input of a run: a file or stdin, as bytes, checked to be
//! UTF-8 before any parsing.
//!
//! The parser works on `&str`, so invalid UTF-8 is rejected here, with the
//! position of the first bad byte and the source line shown as the renderer
//! shows any other error (`file:line:col: error: ...`, the line, a caret).

use std::fmt::Write as _;
use std::io::Read;

/// The name under which stdin appears in diagnostics, as in mlir-opt.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads `path`, or stdin when `path` is `-`.
///
/// The error is a message ready to print, worded like mlir-opt's
/// (`cannot open input file 'x': No such file or directory`).
pub fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {}", io_message(&e)))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| format!("cannot open input file '{path}': {}", io_message(&e)))
}

/// The name of the input in diagnostics: the path as given, or `<stdin>`.
pub fn display_name(path: &str) -> &str {
    if path == "-" {
        STDIN_NAME
    } else {
        path
    }
}

/// An I/O error without Rust's `(os error 2)` suffix, capitalized as the
/// C library words it, like LLVM tools print it.
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Checks that `bytes` is UTF-8; the error is the rendered diagnostic at
/// the first invalid byte.
pub fn check_utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, String> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let bad = error.valid_up_to();
    // Everything before `bad` is valid, so the line up to the bad byte is
    // text and byte columns match the characters' widths in bytes.
    let line_start = bytes[..bad].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line_no = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
    let col = bad - line_start + 1;
    let message = match error.error_len() {
        Some(len) => {
            let seq: Vec<String> = bytes[bad..bad + len].iter().map(|b| format!("0x{b:02x}")).collect();
            format!("input is not valid UTF-8: invalid byte sequence {}", seq.join(" "))
        }
        None => "input is not valid UTF-8: incomplete byte sequence at end of input".to_string(),
    };
    let line_end =
        bytes[line_start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| line_start + i);
    let line_text = String::from_utf8_lossy(&bytes[line_start..line_end]);
    let mut out = format!("{file}:{line_no}:{col}: error: {message}\n{}\n", line_text.trim_end_matches('\r'));
    for &b in &bytes[line_start..bad] {
        out.push(if b == b'\t' { '\t' } else { ' ' });
    }
    let _ = writeln!(out, "^");
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_passes() {
        assert_eq!(check_utf8("a é\n".as_bytes(), "f"), Ok("a é\n"));
    }

    #[test]
    fn bad_byte_is_located() {
        let err = check_utf8(b"ok\n\tx \xff y\n", "in.axir").unwrap_err();
        assert_eq!(
            err,
            "in.axir:2:4: error: input is not valid UTF-8: invalid byte sequence 0xff\n\tx \u{fffd} y\n\t  ^\n"
        );
    }

    #[test]
    fn columns_count_bytes() {
        // 'é' is two bytes, so the bad byte after it is in column 4.
        let err = check_utf8(b"\xc3\xa9x\xc0\x80", "f").unwrap_err();
        assert!(
            err.starts_with("f:1:4: error: input is not valid UTF-8: invalid byte sequence 0xc0\n"),
            "{err}"
        );
    }

    #[test]
    fn truncated_sequence_at_end() {
        let err = check_utf8(b"ab\xe2\x82", "f").unwrap_err();
        assert!(err
            .starts_with("f:1:3: error: input is not valid UTF-8: incomplete byte sequence at end of input"));
    }

    #[test]
    fn io_messages_drop_the_os_error_number() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&e), "No such file or directory");
        assert!(read_input("/nonexistent/axir/input.axir")
            .unwrap_err()
            .starts_with("cannot open input file '/nonexistent/axir/input.axir': No such file"));
    }
}
