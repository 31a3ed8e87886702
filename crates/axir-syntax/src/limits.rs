//! Limits against hostile input, and the pre-scan that enforces the ones a
//! recursive parser cannot check in time.
//!
//! **Invariant: no input makes the parser recurse deeper than
//! `max_nesting_depth` bracket levels.** Both pest and the op parser recurse
//! once per nesting level, so before anything is parsed, [`prescan`] walks the
//! bytes once, counting `(` `[` `{` `<` outside strings and comments, and
//! rejects the file at the first bracket that goes past the limit.

/// Byte offset and message of a limit violation found by [`prescan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LimitError {
    pub offset: usize,
    pub message: String,
}

/// Result of a successful pre-scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanInfo {
    /// The deepest bracket nesting seen.
    pub max_depth: usize,
}

/// Checks the size and the bracket nesting depth of `src`.
pub(crate) fn prescan(src: &str, max_size: usize, max_depth: usize) -> Result<ScanInfo, LimitError> {
    if src.len() > max_size {
        return Err(LimitError {
            offset: 0,
            message: format!("input is too large ({} bytes; the limit is {max_size} bytes)", src.len()),
        });
    }
    let b = src.as_bytes();
    let mut depth = 0usize;
    // Angle-bracket nesting: inside `<...>` a dialect body may hold `//` as
    // text (pest's `pretty_body` is atomic), so comments are only skipped
    // outside angle brackets. Counting brackets in a comment over-estimates
    // the depth, which is the safe direction.
    let mut angle = 0usize;
    let mut max = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c @ (b'(' | b'[' | b'{' | b'<') => {
                depth += 1;
                if c == b'<' {
                    angle += 1;
                }
                if depth > max {
                    max = depth;
                    if depth > max_depth {
                        return Err(LimitError {
                            offset: i,
                            message: format!("nesting is too deep (the limit is {max_depth} levels)"),
                        });
                    }
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            // `->` and `>=` do not close an angle bracket (as in the grammar).
            b'>' if !(i > 0 && b[i - 1] == b'-') && b.get(i + 1) != Some(&b'=') => {
                depth = depth.saturating_sub(1);
                angle = angle.saturating_sub(1);
            }
            b'"' => {
                // Skip the string; an unterminated one is the lexer's error.
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if angle == 0 && b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(ScanInfo { max_depth: max })
}

/// Checks that `bytes` is UTF-8; the error is located at the first bad byte.
pub(crate) fn check_utf8(bytes: &[u8]) -> Result<&str, LimitError> {
    std::str::from_utf8(bytes)
        .map_err(|e| LimitError { offset: e.valid_up_to(), message: "input is not valid UTF-8".to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_not_arrows_or_strings() {
        assert_eq!(prescan("() -> (f32)", 100, 10).unwrap().max_depth, 1);
        assert_eq!(prescan("\"((((\" // [[[[\n", 100, 10).unwrap().max_depth, 0);
        let deep = "[".repeat(20);
        let e = prescan(&deep, 100, 10).unwrap_err();
        assert_eq!(e.offset, 10);
    }

    #[test]
    fn comments_inside_angle_brackets_count() {
        // pest reads `//` inside a dialect body as text, so its brackets count.
        let src = format!("#d.a<// {}\n", "<".repeat(50));
        assert!(prescan(&src, 1000, 10).is_err());
        assert_eq!(prescan("a // <<<<\n", 100, 2).unwrap().max_depth, 0);
        assert_eq!(prescan("#d.a<x >= y>", 100, 5).unwrap().max_depth, 1);
    }

    #[test]
    fn size_and_utf8() {
        assert!(prescan("abc", 2, 10).is_err());
        let e = check_utf8(b"ab\xffc").unwrap_err();
        assert_eq!(e.offset, 2);
    }
}
