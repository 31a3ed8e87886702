//! The `%` substitutions of RUN lines: `%s`, `%S`, `%p`, `%t`, `%T` and `%%`.
//!
//! Substitution is one left-to-right scan, so a substituted path is never
//! substituted again and `%%s` is the literal `%s`. A `%` followed by any
//! other character is left as written (lit does the same), which keeps
//! `printf '%d'` intact.

use std::path::{Path, PathBuf};

/// The values of the substitutions for one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitutions {
    /// `%s`: the test file.
    pub source: PathBuf,
    /// `%S` and `%p`: the directory of the test file.
    pub source_dir: PathBuf,
    /// `%t`: a path unique to this test, for its temporary files.
    pub tmp: PathBuf,
    /// `%T`: the directory that holds `%t`.
    pub tmp_dir: PathBuf,
}

impl Substitutions {
    /// Substitutions for `source`, with its temporaries under `tmp_dir`.
    ///
    /// `%t` is `tmp_dir/<file name>.tmp`, as in lit.
    pub fn new(source: &Path, tmp_dir: &Path) -> Self {
        let source_dir = source.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut tmp_name = source.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(".tmp");
        Self {
            source: source.to_path_buf(),
            source_dir,
            tmp: tmp_dir.join(tmp_name),
            tmp_dir: tmp_dir.to_path_buf(),
        }
    }

    /// Applies the substitutions to one command.
    ///
    /// A path is inserted as is when it holds only characters that the shell
    /// leaves alone, and single-quoted otherwise, so that a checkout under a
    /// directory with a space still works.
    pub fn apply(&self, command: &str) -> String {
        let mut out = String::with_capacity(command.len());
        let mut chars = command.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let value = match chars.peek() {
                Some('%') => {
                    out.push('%');
                    chars.next();
                    continue;
                }
                Some('s') => &self.source,
                Some('S') | Some('p') => &self.source_dir,
                Some('t') => &self.tmp,
                Some('T') => &self.tmp_dir,
                _ => {
                    out.push('%');
                    continue;
                }
            };
            chars.next();
            out.push_str(&shell_quote(&value.to_string_lossy()));
        }
        out
    }
}

/// Quotes `word` for bash when it holds anything but plain path characters.
pub fn shell_quote(word: &str) -> String {
    let plain =
        !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_./+:,=@%-".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs() -> Substitutions {
        Substitutions::new(Path::new("/repo/test/arith/ops.axir"), Path::new("/repo/target/lit/arith/Output"))
    }

    #[test]
    fn paths_are_derived_like_lit() {
        let s = subs();
        assert_eq!(s.source_dir, Path::new("/repo/test/arith"));
        assert_eq!(s.tmp, Path::new("/repo/target/lit/arith/Output/ops.axir.tmp"));
    }

    #[test]
    fn each_substitution() {
        let s = subs();
        assert_eq!(
            s.apply("axopt %s | FileCheck %s"),
            "axopt /repo/test/arith/ops.axir | FileCheck /repo/test/arith/ops.axir"
        );
        assert_eq!(s.apply("cat %S/Inputs/a.axir"), "cat /repo/test/arith/Inputs/a.axir");
        assert_eq!(s.apply("cat %p/x"), "cat /repo/test/arith/x");
        assert_eq!(
            s.apply("axopt %s -o %t.axir && cat %t.axir"),
            "axopt /repo/test/arith/ops.axir -o /repo/target/lit/arith/Output/ops.axir.tmp.axir \
             && cat /repo/target/lit/arith/Output/ops.axir.tmp.axir"
        );
        assert_eq!(s.apply("ls %T"), "ls /repo/target/lit/arith/Output");
    }

    #[test]
    fn percent_escapes_and_unknown_sequences() {
        let s = subs();
        assert_eq!(s.apply("echo %%s 100%%"), "echo %s 100%");
        assert_eq!(s.apply("printf '%d %x' 1 2"), "printf '%d %x' 1 2");
        assert_eq!(s.apply("echo 50%"), "echo 50%");
        assert_eq!(s.apply("echo %%%s"), "echo %/repo/test/arith/ops.axir");
    }

    #[test]
    fn substituted_text_is_not_rescanned() {
        let s = Substitutions::new(Path::new("/a%t/x.axir"), Path::new("/tmp/o"));
        assert_eq!(s.apply("cat %s"), "cat /a%t/x.axir");
    }

    #[test]
    fn odd_paths_are_quoted() {
        let s = Substitutions::new(Path::new("/my repo/it's.axir"), Path::new("/tmp/o"));
        assert_eq!(s.apply("cat %s"), r"cat '/my repo/it'\''s.axir'");
        assert_eq!(shell_quote("/plain/path-1.0_x"), "/plain/path-1.0_x");
        assert_eq!(shell_quote(""), "''");
    }
}
