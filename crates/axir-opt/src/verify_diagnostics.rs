//! `--verify-diagnostics`: checking the diagnostics of a run against the
//! `expected-*` comments of its input, with mlir-opt's syntax and wording.
//!
//! A directive is `expected-(error|warning|remark|note)(-re)?`, an optional
//! line designator (`@+N`, `@-N`, `@above`, `@below`, `@unknown`) and the
//! expected text between `{{` and the last `}}` of the line. The text matches
//! any diagnostic of that severity on that line whose message contains it;
//! with `-re`, the parts inside nested `{{...}}` are regular expressions.
//! `@above` and `@below` skip lines that hold directives themselves.
//!
//! **Every diagnostic, notes included, must be expected, and every
//! expectation must be met**; each problem is reported as an error in the
//! words of mlir-opt (`unexpected error: ...`, `expected error "..." was not
//! produced`, `'error' diagnostic emitted when expecting a 'note'`).

use std::sync::OnceLock;

use axir_ir::{Context, Diagnostic, Severity};
use regex::Regex;

use crate::cli::VerifyDiagnosticsLevel;

fn directive_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"expected-(error|note|remark|warning)(-re)? *(@([+-][0-9]+|above|below|unknown))? *\{\{(.*)\}\}$")
            .expect("the expected-* directive regex is valid")
    })
}

/// One `expected-*` directive.
#[derive(Clone, Debug)]
pub struct ExpectedDiagnostic {
    /// The severity it expects.
    pub severity: Severity,
    /// The 1-based line it expects the diagnostic on; `None` for `@unknown`.
    /// It may lie outside the file (`@-100`), and then nothing matches it.
    pub line: Option<i64>,
    /// The expected text as written between the braces.
    pub text: String,
    /// For `-re` directives, the compiled pattern.
    pub regex: Option<Regex>,
    /// 1-based line of the directive itself.
    pub directive_line: u32,
    /// 1-based byte column of `expected-` on that line.
    pub directive_col: u32,
    /// Whether a diagnostic has matched it.
    pub matched: bool,
}

impl ExpectedDiagnostic {
    fn matches(&self, message: &str) -> bool {
        match &self.regex {
            Some(re) => re.is_match(message),
            None => message.contains(&self.text),
        }
    }
}

/// A directive that cannot be used, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectiveError {
    /// 1-based line of the directive.
    pub line: u32,
    /// 1-based byte column of `expected-`.
    pub col: u32,
    /// What is wrong, e.g. `invalid regex: ...`.
    pub message: String,
}

/// Turns the text of an `-re` directive into a regex: text outside `{{...}}`
/// is literal, text inside is a pattern.
fn compile_expected_regex(text: &str) -> Result<Regex, String> {
    let mut pattern = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        pattern.push_str(&regex::escape(&rest[..open]));
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("found start of regex with no end '}}'".to_string());
        };
        pattern.push('(');
        pattern.push_str(&after[..close]);
        pattern.push(')');
        rest = &after[close + 2..];
    }
    pattern.push_str(&regex::escape(rest));
    Regex::new(&pattern).map_err(|e| {
        // The regex crate explains syntax errors over several lines, the
        // last of which says what is wrong; a diagnostic is one line.
        let text = e.to_string();
        let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        format!("invalid regex: {}", last.trim().trim_start_matches("error: "))
    })
}

/// Finds the directives in `text`, whose first line is line
/// `first_line + 1` of the file.
pub fn parse_expectations(text: &str, first_line: usize) -> (Vec<ExpectedDiagnostic>, Vec<DirectiveError>) {
    let mut expected: Vec<ExpectedDiagnostic> = Vec::new();
    let mut errors = Vec::new();
    // Line (1-based) of the last line without a directive, for `@above`.
    let mut last_plain_line = first_line as i64;
    // Directives waiting for the next line without a directive (`@below`).
    let mut pending_below: Vec<usize> = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
    let end_line = (first_line + lines.len()) as i64;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = (first_line + i + 1) as i64;
        let line = raw.trim_end();
        let Some(caps) = directive_regex().captures(line) else {
            for idx in pending_below.drain(..) {
                expected[idx].line = Some(line_no);
            }
            last_plain_line = line_no;
            continue;
        };
        let whole = caps.get(0).map_or(0, |m| m.start());
        let directive_line = u32::try_from(line_no).unwrap_or(u32::MAX);
        let directive_col = u32::try_from(whole + 1).unwrap_or(u32::MAX);
        let severity = match caps.get(1).map(|m| m.as_str()) {
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some("remark") => Severity::Remark,
            _ => Severity::Note,
        };
        let text = caps.get(5).map_or("", |m| m.as_str()).to_string();
        let regex = if caps.get(2).is_some() {
            match compile_expected_regex(&text) {
                Ok(re) => Some(re),
                Err(message) => {
                    errors.push(DirectiveError { line: directive_line, col: directive_col, message });
                    continue;
                }
            }
        } else {
            None
        };
        let mut record = ExpectedDiagnostic {
            severity,
            line: Some(line_no),
            text,
            regex,
            directive_line,
            directive_col,
            matched: false,
        };
        match caps.get(4).map(|m| m.as_str()) {
            None => {}
            Some("unknown") => record.line = None,
            Some("above") => record.line = Some(last_plain_line),
            Some("below") => {
                // A dangling `@below` expects a diagnostic past the end.
                record.line = Some(end_line);
                pending_below.push(expected.len());
            }
            Some(offset) => {
                let n: i64 = offset[1..].parse().unwrap_or(i64::MAX / 2);
                record.line = Some(if offset.starts_with('-') { line_no - n } else { line_no + n });
            }
        }
        expected.push(record);
    }
    (expected, errors)
}

/// Checks the diagnostics of one buffer (a file or a chunk of it) against
/// its `expected-*` directives.
#[derive(Debug)]
pub struct DiagnosticVerifier {
    file: String,
    expected: Vec<ExpectedDiagnostic>,
    directive_errors: Vec<DirectiveError>,
    level: VerifyDiagnosticsLevel,
    ok: bool,
}

impl DiagnosticVerifier {
    /// A verifier for `text`, the part of `file` that starts on line
    /// `first_line + 1`.
    pub fn new(file: &str, text: &str, first_line: usize, level: VerifyDiagnosticsLevel) -> Self {
        let (expected, directive_errors) = parse_expectations(text, first_line);
        let ok = directive_errors.is_empty();
        Self { file: file.to_string(), expected, directive_errors, level, ok }
    }

    /// The directives found.
    pub fn expectations(&self) -> &[ExpectedDiagnostic] {
        &self.expected
    }

    /// Whether everything checked so far was as expected.
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// Checks `diag` and each of its notes; returns the errors to report.
    pub fn process(&mut self, ctx: &mut Context, diag: &Diagnostic) -> Vec<Diagnostic> {
        let mut reports = Vec::new();
        self.process_one(ctx, diag, &mut reports);
        for note in &diag.notes {
            self.process_one(ctx, note, &mut reports);
        }
        reports
    }

    fn process_one(&mut self, ctx: &mut Context, diag: &Diagnostic, reports: &mut Vec<Diagnostic>) {
        let position = ctx.file_line_col(diag.location).map(|(f, l, _)| (f == self.file, l));
        let mut near_miss: Option<usize> = None;
        for (i, e) in self.expected.iter_mut().enumerate() {
            let line_ok = match (position, e.line) {
                // A diagnostic in another file can match nothing here.
                (Some((false, _)), _) => false,
                (Some((true, line)), Some(expected)) => i64::from(line) == expected,
                (None, None) => true,
                _ => false,
            };
            if !line_ok || !e.matches(&diag.message) {
                continue;
            }
            // As in MLIR, one directive may match several equal diagnostics.
            if e.severity == diag.severity {
                e.matched = true;
                return;
            }
            near_miss = Some(i);
        }
        if self.level == VerifyDiagnosticsLevel::OnlyExpected {
            return;
        }
        self.ok = false;
        let report = match near_miss {
            Some(i) => {
                let e = &self.expected[i];
                let loc = ctx.file_loc(&self.file, e.directive_line, e.directive_col);
                Diagnostic::error(
                    loc,
                    format!(
                        "'{}' diagnostic emitted when expecting a '{}'",
                        diag.severity.as_str(),
                        e.severity.as_str()
                    ),
                )
            }
            None => Diagnostic::error(
                diag.location,
                format!("unexpected {}: {}", diag.severity.as_str(), diag.message),
            ),
        };
        reports.push(report);
    }

    /// Ends the check: an error for each unusable directive and each
    /// expectation that no diagnostic met.
    pub fn finish(mut self, ctx: &mut Context) -> (bool, Vec<Diagnostic>) {
        let mut reports = Vec::new();
        for e in std::mem::take(&mut self.directive_errors) {
            let loc = ctx.file_loc(&self.file, e.line, e.col);
            reports.push(Diagnostic::error(loc, e.message));
        }
        for e in self.expected.iter().filter(|e| !e.matched) {
            let loc = ctx.file_loc(&self.file, e.directive_line, e.directive_col);
            reports.push(Diagnostic::error(
                loc,
                format!("expected {} \"{}\" was not produced", e.severity.as_str(), e.text),
            ));
        }
        let ok = self.ok && reports.is_empty();
        (ok, reports)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<(Severity, Option<i64>, String)> {
        let (e, errs) = parse_expectations(text, 0);
        assert!(errs.is_empty(), "{errs:?}");
        e.into_iter().map(|e| (e.severity, e.line, e.text)).collect()
    }

    #[test]
    fn designators() {
        let text = "\
a
// expected-error @+1 {{one}}
b
// expected-warning@-2 {{two}}
c // expected-remark {{three}}
// expected-note @below {{four}}
// expected-error @above {{five}}
d
// expected-error @unknown {{six}}";
        assert_eq!(
            lines_of(text),
            vec![
                (Severity::Error, Some(3), "one".into()),
                (Severity::Warning, Some(2), "two".into()),
                (Severity::Remark, Some(5), "three".into()),
                (Severity::Note, Some(8), "four".into()),
                // Line 5 holds a directive, so `@above` skips it, as in MLIR.
                (Severity::Error, Some(3), "five".into()),
                (Severity::Error, None, "six".into()),
            ]
        );
    }

    #[test]
    fn offsets_are_relative_to_the_whole_file() {
        let (e, _) = parse_expectations("x\n// expected-error @+1 {{t}}\n", 10);
        assert_eq!(e[0].line, Some(13));
        assert_eq!(e[0].directive_line, 12);
        assert_eq!(e[0].directive_col, 4);
    }

    #[test]
    fn text_runs_to_the_last_braces_and_malformed_lines_are_ignored() {
        assert_eq!(
            lines_of("// expected-error {{a {{b}} c}}\n// expected-error {{x}} junk\n// expected-error {{"),
            vec![(Severity::Error, Some(1), "a {{b}} c".into())]
        );
    }

    #[test]
    fn dangling_below_points_past_the_end() {
        assert_eq!(lines_of("// expected-error @below {{x}}"), vec![(Severity::Error, Some(1), "x".into())]);
        assert_eq!(
            lines_of("a\n// expected-error @below {{x}}"),
            vec![(Severity::Error, Some(2), "x".into())]
        );
    }

    #[test]
    fn regex_directives() {
        let (e, errs) = parse_expectations("// expected-error-re {{op has {{[0-9]+}} operands (.)}}", 0);
        assert!(errs.is_empty());
        assert!(e[0].matches("'x' op has 12 operands (.)"));
        assert!(!e[0].matches("'x' op has 12 operands (!)"));
        assert!(!e[0].matches("'x' op has N operands (.)"));
        let (_, errs) = parse_expectations("// expected-error-re {{bad {{(}}}}", 0);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "invalid regex: unclosed group");
    }

    fn run(text: &str, diags: &[(Severity, u32, &str)]) -> (bool, Vec<String>) {
        let mut ctx = Context::default();
        let mut v = DiagnosticVerifier::new("t.axir", text, 0, VerifyDiagnosticsLevel::All);
        let mut out = Vec::new();
        for &(severity, line, msg) in diags {
            let loc = ctx.file_loc("t.axir", line, 1);
            let d = Diagnostic { severity, location: loc, message: msg.into(), notes: vec![] };
            out.extend(v.process(&mut ctx, &d));
        }
        let (ok, rest) = v.finish(&mut ctx);
        out.extend(rest);
        (ok, out.iter().map(|d| d.to_plain_string(&ctx).trim_end().to_string()).collect())
    }

    #[test]
    fn matching_and_mlir_wording() {
        let text = "// expected-error @+1 {{bad thing}}\nx\n// expected-note {{never}}";
        let (ok, out) = run(text, &[(Severity::Error, 2, "a bad thing happened")]);
        assert!(!ok);
        assert_eq!(out, vec!["t.axir:3:4: error: expected note \"never\" was not produced"]);

        let (ok, out) = run(text, &[(Severity::Error, 3, "bad thing"), (Severity::Note, 3, "never")]);
        assert!(!ok);
        assert_eq!(
            out,
            vec![
                "t.axir:3:1: error: unexpected error: bad thing",
                "t.axir:1:4: error: expected error \"bad thing\" was not produced",
            ]
        );
    }

    #[test]
    fn severity_mismatch_is_a_near_miss() {
        let (ok, out) = run("x // expected-note {{boom}}", &[(Severity::Error, 1, "boom")]);
        assert!(!ok);
        assert_eq!(
            out,
            vec![
                "t.axir:1:6: error: 'error' diagnostic emitted when expecting a 'note'",
                "t.axir:1:6: error: expected note \"boom\" was not produced",
            ]
        );
    }

    #[test]
    fn one_directive_absorbs_equal_diagnostics() {
        let text = "x // expected-error {{dup}}";
        assert_eq!(run(text, &[(Severity::Error, 1, "dup"), (Severity::Error, 1, "dup")]), (true, vec![]));
    }

    #[test]
    fn unknown_locations_and_other_files() {
        let mut ctx = Context::default();
        let mut v =
            DiagnosticVerifier::new("t.axir", "// expected-error @unknown {{u}}", 0, Default::default());
        let unknown = ctx.unknown_loc();
        assert!(v.process(&mut ctx, &Diagnostic::error(unknown, "u!")).is_empty());
        let other = ctx.file_loc("other.axir", 1, 1);
        assert_eq!(v.process(&mut ctx, &Diagnostic::error(other, "u")).len(), 1);
        let (ok, rest) = v.finish(&mut ctx);
        assert!(!ok);
        assert!(rest.is_empty());
    }

    #[test]
    fn notes_are_checked_too() {
        let mut ctx = Context::default();
        let text = "a\n// expected-error @-1 {{e}}";
        let mut v = DiagnosticVerifier::new("t.axir", text, 0, VerifyDiagnosticsLevel::All);
        let l1 = ctx.file_loc("t.axir", 1, 1);
        let d = Diagnostic::error(l1, "e").with_note(l1, "n");
        let reports = v.process(&mut ctx, &d);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].message, "unexpected note: n");

        let mut v = DiagnosticVerifier::new("t.axir", text, 0, VerifyDiagnosticsLevel::OnlyExpected);
        assert!(v.process(&mut ctx, &d).is_empty());
        assert!(v.finish(&mut ctx).0);
    }
}
