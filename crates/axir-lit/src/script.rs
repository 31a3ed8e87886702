//! Directives of a test file: `RUN:`, `REQUIRES:`, `UNSUPPORTED:` and
//! `XFAIL:`, parsed the way LLVM's lit parses them.
//!
//! A directive is its keyword followed by a colon, anywhere on a line, exactly
//! as lit finds them: `// RUN:`, `# RUN:`, and also `MYRUN:` or a
//! `// CHECK: RUN: x` line, so keep directive keywords out of other text. A
//! `RUN:` line that ends with `\` continues on the next `RUN:` line. Feature lists are comma-separated; each item is a
//! feature name or `!name`, and `XFAIL:`/`UNSUPPORTED:` also accept `*`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;

use crate::error::DirectiveError;

/// One shell command of a test, with its continuation lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    /// 1-based line of the `RUN:` that starts the command.
    pub line: usize,
    /// The command before substitution, trimmed.
    pub command: String,
}

/// One item of a feature list: `name`, `!name`, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureTerm {
    /// The feature name; `*` stands for any configuration.
    pub name: String,
    /// Whether the item was written `!name`.
    pub negated: bool,
}

impl FeatureTerm {
    /// Whether this item holds in a configuration with `features`.
    pub fn holds(&self, features: &BTreeSet<String>) -> bool {
        let present = self.name == "*" || features.contains(&self.name);
        present != self.negated
    }
}

impl std::fmt::Display for FeatureTerm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        f.write_str(&self.name)
    }
}

/// Everything the directives of one test file say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestScript {
    /// The commands to run, in order; all must exit 0.
    pub run_lines: Vec<RunLine>,
    /// Items that must all hold for the test to run.
    pub requires: Vec<FeatureTerm>,
    /// Items of which any one holding makes the test unsupported.
    pub unsupported: Vec<FeatureTerm>,
    /// Items of which any one holding makes the test expected to fail.
    pub xfail: Vec<FeatureTerm>,
}

impl TestScript {
    /// Why the test cannot run with `features`, or `None` when it can.
    ///
    /// The reason names the missing `REQUIRES:` items or the matching
    /// `UNSUPPORTED:` items, so that a skipped test says what it waits for.
    pub fn skip_reason(&self, features: &BTreeSet<String>) -> Option<String> {
        let missing: Vec<String> =
            self.requires.iter().filter(|t| !t.holds(features)).map(ToString::to_string).collect();
        if !missing.is_empty() {
            return Some(format!("requires {}", missing.join(", ")));
        }
        let matching: Vec<String> =
            self.unsupported.iter().filter(|t| t.holds(features)).map(ToString::to_string).collect();
        if !matching.is_empty() {
            return Some(format!("unsupported with {}", matching.join(", ")));
        }
        None
    }

    /// Whether the test is expected to fail with `features`.
    pub fn is_expected_to_fail(&self, features: &BTreeSet<String>) -> bool {
        self.xfail.iter().any(|t| t.holds(features))
    }
}

fn directive_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // No word boundary before the keyword: lit has none, and a file must
        // mean the same under both runners.
        Regex::new(r"(RUN|REQUIRES|UNSUPPORTED|XFAIL):(.*)$").expect("the directive regex is valid")
    })
}

fn feature_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(!?)([A-Za-z0-9_][A-Za-z0-9_.+=-]*|\*)$").expect("the feature regex is valid")
    })
}

/// Parses the directives of a test file.
///
/// **Parsing reports every malformed directive, not just the first**, and a
/// file without any `RUN:` line is an error: a test that runs nothing cannot
/// fail.
pub fn parse_script(text: &str) -> Result<TestScript, Vec<DirectiveError>> {
    let mut script = TestScript::default();
    let mut errors = Vec::new();
    // The command being continued with `\`, and the line it started on.
    let mut pending: Option<(usize, String)> = None;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let Some(caps) = directive_regex().captures(raw) else {
            continue;
        };
        let keyword = caps.get(1).map_or("", |m| m.as_str());
        let body = caps.get(2).map_or("", |m| m.as_str());
        match keyword {
            "RUN" => {
                let body = body.trim_end();
                let (start, mut command) = pending.take().unwrap_or((line, String::new()));
                if let Some(head) = body.strip_suffix('\\') {
                    command.push_str(head);
                    pending = Some((start, command));
                } else {
                    command.push_str(body);
                    push_run_line(&mut script, &mut errors, start, &command);
                }
            }
            "REQUIRES" => parse_features(body, line, "REQUIRES", &mut script.requires, &mut errors),
            "UNSUPPORTED" => parse_features(body, line, "UNSUPPORTED", &mut script.unsupported, &mut errors),
            "XFAIL" => parse_features(body, line, "XFAIL", &mut script.xfail, &mut errors),
            _ => unreachable!("the directive regex only matches known keywords"),
        }
    }

    if let Some((line, _)) = pending {
        errors.push(DirectiveError::UnterminatedRun { line });
    }
    if script.run_lines.is_empty() && errors.is_empty() {
        errors.push(DirectiveError::NoRunLines);
    }
    if errors.is_empty() {
        Ok(script)
    } else {
        Err(errors)
    }
}

fn push_run_line(script: &mut TestScript, errors: &mut Vec<DirectiveError>, line: usize, command: &str) {
    let command = command.trim();
    if command.is_empty() {
        errors.push(DirectiveError::EmptyRun { line });
    } else {
        script.run_lines.push(RunLine { line, command: command.to_owned() });
    }
}

fn parse_features(
    body: &str,
    line: usize,
    keyword: &'static str,
    out: &mut Vec<FeatureTerm>,
    errors: &mut Vec<DirectiveError>,
) {
    for item in body.split(',') {
        let item = item.trim();
        let parsed = feature_regex().captures(item).and_then(|caps| {
            let negated = !caps[1].is_empty();
            let name = caps[2].to_owned();
            // `*` in REQUIRES would make a test that never runs or always
            // runs; lit rejects it too.
            (name != "*" || keyword != "REQUIRES").then_some(FeatureTerm { name, negated })
        });
        match parsed {
            Some(term) => out.push(term),
            None => errors.push(DirectiveError::BadFeature { line, keyword, item: item.to_owned() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn commands(text: &str) -> Vec<(usize, String)> {
        parse_script(text)
            .expect("script parses")
            .run_lines
            .into_iter()
            .map(|r| (r.line, r.command))
            .collect()
    }

    #[test]
    fn run_lines_in_order_with_their_lines() {
        let text = "// RUN: axopt %s | FileCheck %s\n\nfunc.func @f()\n// RUN: not axopt %s 2>&1\n";
        assert_eq!(
            commands(text),
            vec![(1, "axopt %s | FileCheck %s".to_owned()), (4, "not axopt %s 2>&1".to_owned()),]
        );
    }

    #[test]
    fn continuation_joins_lines_like_lit() {
        let text = "// RUN: axopt %s \\\n// RUN:   --canonicalize \\\n// RUN: | FileCheck %s\n";
        assert_eq!(commands(text), vec![(1, "axopt %s    --canonicalize  | FileCheck %s".to_owned())]);
    }

    #[test]
    fn keywords_count_anywhere_like_lit() {
        let text = "# RUN: echo a\n; RUN: echo b\n// MYRUN: echo c\nRUN: echo d\n// CHECK: RUNNING\n";
        assert_eq!(
            commands(text),
            vec![
                (1, "echo a".to_owned()),
                (2, "echo b".to_owned()),
                (3, "echo c".to_owned()),
                (4, "echo d".to_owned()),
            ]
        );
    }

    #[test]
    fn check_lines_are_not_directives() {
        let text = "// RUN: true\n// CHECK: RUNNING:\n// CHECK-NOT: REQUIRES-X\n";
        let script = parse_script(text).expect("script parses");
        assert_eq!(script.run_lines.len(), 1);
        assert!(script.requires.is_empty());
    }

    #[test]
    fn feature_lists() {
        let text = "// RUN: true\n// REQUIRES: gpu, llvm-tools\n// REQUIRES: !asan\n\
                    // UNSUPPORTED: mlir-opt\n// XFAIL: *\n";
        let script = parse_script(text).expect("script parses");
        let names: Vec<String> = script.requires.iter().map(ToString::to_string).collect();
        assert_eq!(names, vec!["gpu", "llvm-tools", "!asan"]);
        assert_eq!(script.unsupported[0].name, "mlir-opt");
        assert_eq!(script.xfail[0].name, "*");
    }

    #[test]
    fn skip_reason_names_what_is_missing() {
        let script =
            parse_script("// RUN: true\n// REQUIRES: gpu, llvm-tools, !asan\n").expect("script parses");
        assert_eq!(script.skip_reason(&features(&["llvm-tools"])), Some("requires gpu".to_owned()));
        assert_eq!(
            script.skip_reason(&features(&["asan"])),
            Some("requires gpu, llvm-tools, !asan".to_owned())
        );
        assert_eq!(script.skip_reason(&features(&["gpu", "llvm-tools"])), None);
    }

    #[test]
    fn unsupported_matches_any_item() {
        let script = parse_script("// RUN: true\n// UNSUPPORTED: gpu, !llvm-tools\n").expect("script parses");
        assert_eq!(
            script.skip_reason(&features(&["gpu", "llvm-tools"])),
            Some("unsupported with gpu".to_owned())
        );
        assert_eq!(script.skip_reason(&features(&[])), Some("unsupported with !llvm-tools".to_owned()));
        assert_eq!(script.skip_reason(&features(&["llvm-tools"])), None);
    }

    #[test]
    fn xfail() {
        let script = parse_script("// RUN: false\n// XFAIL: gpu\n").expect("script parses");
        assert!(script.is_expected_to_fail(&features(&["gpu"])));
        assert!(!script.is_expected_to_fail(&features(&[])));
        let star = parse_script("// RUN: false\n// XFAIL: *\n").expect("script parses");
        assert!(star.is_expected_to_fail(&features(&[])));
    }

    #[test]
    fn no_run_line_is_an_error() {
        assert_eq!(
            parse_script("func.func @f() {\n}\n// CHECK: foo\n"),
            Err(vec![DirectiveError::NoRunLines])
        );
    }

    #[test]
    fn all_errors_are_reported() {
        let text = "// RUN:\n// REQUIRES: gpu && x, *\n// RUN: echo \\\n";
        assert_eq!(
            parse_script(text),
            Err(vec![
                DirectiveError::EmptyRun { line: 1 },
                DirectiveError::BadFeature { line: 2, keyword: "REQUIRES", item: "gpu && x".to_owned() },
                DirectiveError::BadFeature { line: 2, keyword: "REQUIRES", item: "*".to_owned() },
                DirectiveError::UnterminatedRun { line: 3 },
            ])
        );
    }
}
