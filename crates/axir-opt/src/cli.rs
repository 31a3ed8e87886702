//! The command line of an opt tool: mlir-opt's flags, parsed into
//! [`OptOptions`].
//!
//! Flags are accepted the way MLIR users type them: `--flag` or `-flag`,
//! `--flag=value` or `--flag value` for flags that take a value, and
//! `--flag=true|false` for switches. A registered pass is a flag of its own
//! (`--canonicalize`, `'--canonicalize=max-iterations=3'`), kept in
//! command-line order. `--` ends the flags.
//!
//! **Parsing never panics and never exits**: every problem is a [`CliError`]
//! for the driver to report.

use std::fmt::Write as _;

/// A pass named on the command line as a flag of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassFlag {
    /// The pass argument, e.g. `canonicalize`.
    pub name: String,
    /// The text after `=`, e.g. `max-iterations=3`, if any.
    pub options: Option<String>,
}

/// How strictly `--verify-diagnostics` checks, as in mlir-opt.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum VerifyDiagnosticsLevel {
    /// Every diagnostic must be expected and every expectation met (`all`).
    #[default]
    All,
    /// Only expectations are checked; unexpected diagnostics are ignored
    /// (`only-expected`).
    OnlyExpected,
}

/// Everything the command line of an opt tool asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptOptions {
    /// The input file; `-` is stdin.
    pub input: String,
    /// The output file (`-o`); `None` or `-` is stdout.
    pub output: Option<String>,
    /// `--pass-pipeline=...`.
    pub pass_pipeline: Option<String>,
    /// Pass flags (`--cse`), in command-line order.
    pub pass_flags: Vec<PassFlag>,
    /// `--list-passes`.
    pub list_passes: bool,
    /// `--show-dialects`.
    pub show_dialects: bool,
    /// `--split-input-file`.
    pub split_input_file: bool,
    /// `--verify-diagnostics[=all|only-expected]`.
    pub verify_diagnostics: Option<VerifyDiagnosticsLevel>,
    /// `--print-op-generic`.
    pub print_op_generic: bool,
    /// `--print-debuginfo`.
    pub print_debuginfo: bool,
    /// `--print-ir-before-all`.
    pub print_ir_before_all: bool,
    /// `--print-ir-after-all`.
    pub print_ir_after_all: bool,
    /// `--print-ir-after-change`.
    pub print_ir_after_change: bool,
    /// `--print-ir-after-failure`.
    pub print_ir_after_failure: bool,
    /// `--print-ir-before=PASS[,PASS...]`.
    pub print_ir_before: Vec<String>,
    /// `--print-ir-after=PASS[,PASS...]`.
    pub print_ir_after: Vec<String>,
    /// `--timing`.
    pub timing: bool,
    /// `--verify-each` (on unless `--verify-each=false`).
    pub verify_each: bool,
    /// `--reproducer=FILE`.
    pub reproducer: Option<String>,
    /// `--run-reproducer`: take the pipeline from the input's reproducer
    /// configuration.
    pub run_reproducer: bool,
    /// `--allow-unregistered-dialect`.
    pub allow_unregistered_dialect: bool,
    /// `--no-implicit-module`.
    pub no_implicit_module: bool,
    /// `--version`.
    pub version: bool,
    /// `--help`.
    pub help: bool,
}

impl Default for OptOptions {
    fn default() -> Self {
        Self {
            input: "-".to_string(),
            output: None,
            pass_pipeline: None,
            pass_flags: Vec::new(),
            list_passes: false,
            show_dialects: false,
            split_input_file: false,
            verify_diagnostics: None,
            print_op_generic: false,
            print_debuginfo: false,
            print_ir_before_all: false,
            print_ir_after_all: false,
            print_ir_after_change: false,
            print_ir_after_failure: false,
            print_ir_before: Vec::new(),
            print_ir_after: Vec::new(),
            timing: false,
            verify_each: true,
            reproducer: None,
            run_reproducer: false,
            allow_unregistered_dialect: false,
            no_implicit_module: false,
            version: false,
            help: false,
        }
    }
}

/// A malformed command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// A flag that is neither a driver option nor a registered pass.
    #[error("unknown command line argument '{arg}'{}", suggestion_text(.suggestion))]
    UnknownArgument {
        /// The argument as written.
        arg: String,
        /// The closest known flag, spelled `--name`.
        suggestion: Option<String>,
    },
    /// A flag that needs a value came last.
    #[error("option '{0}' requires a value")]
    MissingValue(String),
    /// A switch was given a value that is not a boolean.
    #[error("invalid value '{value}' for option '{flag}': expected 'true' or 'false'")]
    InvalidBool {
        /// The flag as written.
        flag: String,
        /// The value after `=`.
        value: String,
    },
    /// A flag with a fixed set of values was given another one.
    #[error("invalid value '{value}' for option '{flag}': expected {expected}")]
    InvalidValue {
        /// The flag as written.
        flag: String,
        /// The value after `=`.
        value: String,
        /// The accepted values, in words.
        expected: &'static str,
    },
    /// A flag that may appear once appeared again.
    #[error("option '{0}' may only occur once")]
    Repeated(String),
    /// More than one input file.
    #[error("too many positional arguments: '{first}' and '{extra}' (at most one input file)")]
    TooManyInputs {
        /// The input file already given.
        first: String,
        /// The next one.
        extra: String,
    },
    /// `--run-reproducer` together with a pipeline: the reproducer names its own.
    #[error("'--run-reproducer' cannot be used with '--pass-pipeline' or pass flags: the reproducer names its pipeline")]
    ReproducerWithPipeline,
    /// `--pass-pipeline` together with pass flags, which mlir-opt rejects too.
    #[error("'--pass-pipeline' cannot be used with individual pass flags (here '--{0}')")]
    PipelineWithPassFlags(String),
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean '{s}'?"),
        None => String::new(),
    }
}

/// What a flag does with a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum ValueKind {
    /// A switch: no value, or `=true`/`=false`.
    Switch,
    /// A value, after `=` or as the next argument.
    Required,
    /// A value only after `=`.
    Optional,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum FlagId {
    Output,
    PassPipeline,
    ListPasses,
    ShowDialects,
    SplitInputFile,
    VerifyDiagnostics,
    PrintOpGeneric,
    PrintDebuginfo,
    PrintIrBeforeAll,
    PrintIrAfterAll,
    PrintIrAfterChange,
    PrintIrAfterFailure,
    PrintIrBefore,
    PrintIrAfter,
    Timing,
    VerifyEach,
    Reproducer,
    RunReproducer,
    AllowUnregisteredDialect,
    NoImplicitModule,
    Version,
    Help,
}

/// One driver option: its spellings (the first is canonical), its value and
/// its help line.
struct FlagSpec {
    id: FlagId,
    names: &'static [&'static str],
    kind: ValueKind,
    value_name: &'static str,
    help: &'static str,
}

const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        id: FlagId::Output,
        names: &["o"],
        kind: ValueKind::Required,
        value_name: "FILE",
        help: "Write the output to FILE ('-' is stdout)",
    },
    FlagSpec {
        id: FlagId::PassPipeline,
        names: &["pass-pipeline"],
        kind: ValueKind::Required,
        value_name: "PIPELINE",
        help: "Run a textual pass pipeline, e.g. 'builtin.module(func.func(canonicalize,cse))'",
    },
    FlagSpec {
        id: FlagId::ListPasses,
        names: &["list-passes"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the registered passes and their options, then exit",
    },
    FlagSpec {
        id: FlagId::ShowDialects,
        names: &["show-dialects"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the registered dialects and their ops, then exit",
    },
    FlagSpec {
        id: FlagId::SplitInputFile,
        names: &["split-input-file"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Split the input at '// -----' lines and process each chunk on its own",
    },
    FlagSpec {
        id: FlagId::VerifyDiagnostics,
        names: &["verify-diagnostics"],
        kind: ValueKind::Optional,
        value_name: "all|only-expected",
        help: "Check the diagnostics against the expected-* comments of the input",
    },
    FlagSpec {
        id: FlagId::PrintOpGeneric,
        names: &["print-op-generic", "mlir-print-op-generic"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print every op in the generic form",
    },
    FlagSpec {
        id: FlagId::PrintDebuginfo,
        names: &["print-debuginfo", "mlir-print-debuginfo"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the location of every op",
    },
    FlagSpec {
        id: FlagId::PrintIrBeforeAll,
        names: &["print-ir-before-all", "mlir-print-ir-before-all"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the IR to stderr before each pass",
    },
    FlagSpec {
        id: FlagId::PrintIrAfterAll,
        names: &["print-ir-after-all", "mlir-print-ir-after-all"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the IR to stderr after each pass",
    },
    FlagSpec {
        id: FlagId::PrintIrAfterChange,
        names: &["print-ir-after-change", "mlir-print-ir-after-change"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the IR after a pass only if the pass changed it (alone: after every such pass)",
    },
    FlagSpec {
        id: FlagId::PrintIrAfterFailure,
        names: &["print-ir-after-failure", "mlir-print-ir-after-failure"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the IR to stderr after a pass that fails",
    },
    FlagSpec {
        id: FlagId::PrintIrBefore,
        names: &["print-ir-before", "mlir-print-ir-before"],
        kind: ValueKind::Required,
        value_name: "PASS",
        help: "Print the IR to stderr before the named passes (comma-separated, repeatable)",
    },
    FlagSpec {
        id: FlagId::PrintIrAfter,
        names: &["print-ir-after", "mlir-print-ir-after"],
        kind: ValueKind::Required,
        value_name: "PASS",
        help: "Print the IR to stderr after the named passes (comma-separated, repeatable)",
    },
    FlagSpec {
        id: FlagId::Timing,
        names: &["timing", "mlir-timing"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the time spent in parsing, each pass and printing to stderr",
    },
    FlagSpec {
        id: FlagId::VerifyEach,
        names: &["verify-each"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Verify the IR after each pass (default true; --verify-each=false to disable)",
    },
    FlagSpec {
        id: FlagId::Reproducer,
        names: &["reproducer", "mlir-pass-pipeline-crash-reproducer"],
        kind: ValueKind::Required,
        value_name: "FILE",
        help: "When a pass fails, write the input IR and the pipeline to FILE",
    },
    FlagSpec {
        id: FlagId::RunReproducer,
        names: &["run-reproducer"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Run the pipeline recorded in the input, a reproducer written by --reproducer",
    },
    FlagSpec {
        id: FlagId::AllowUnregisteredDialect,
        names: &["allow-unregistered-dialect"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Accept ops of dialects that are not registered",
    },
    FlagSpec {
        id: FlagId::NoImplicitModule,
        names: &["no-implicit-module"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Do not wrap the input in a builtin.module; it must hold exactly one op",
    },
    FlagSpec {
        id: FlagId::Version,
        names: &["version"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print the version and exit",
    },
    FlagSpec {
        id: FlagId::Help,
        names: &["help", "h"],
        kind: ValueKind::Switch,
        value_name: "",
        help: "Print this help and exit",
    },
];

fn find_flag(name: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|f| f.names.contains(&name))
}

fn parse_bool(flag: &str, value: &str) -> Result<bool, CliError> {
    match value {
        "" | "true" | "TRUE" | "True" | "1" => Ok(true),
        "false" | "FALSE" | "False" | "0" => Ok(false),
        _ => Err(CliError::InvalidBool { flag: flag.to_string(), value: value.to_string() }),
    }
}

/// Parses the arguments after the program name.
///
/// `is_pass` says whether a name is a registered pass argument, so that
/// `--cse` becomes a [`PassFlag`]; driver options take precedence over passes
/// of the same name.
pub fn parse_args<I, S>(args: I, is_pass: &dyn Fn(&str) -> bool) -> Result<OptOptions, CliError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut opts = OptOptions::default();
    let mut input: Option<String> = None;
    let mut seen_once: Vec<FlagId> = Vec::new();
    let mut args = args.into_iter().map(Into::into);
    let mut only_positional = false;

    while let Some(arg) = args.next() {
        let body = if only_positional || arg == "-" {
            None
        } else if arg == "--" {
            only_positional = true;
            continue;
        } else {
            arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')).filter(|b| !b.is_empty())
        };
        let Some(body) = body else {
            if let Some(first) = &input {
                return Err(CliError::TooManyInputs { first: first.clone(), extra: arg });
            }
            input = Some(arg);
            continue;
        };
        let (name, inline_value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        // The flag as the user spelled it, for messages.
        let dashes = &arg[..arg.len() - body.len()];
        let spelled = format!("{dashes}{name}");

        let Some(spec) = find_flag(name) else {
            if is_pass(name) {
                opts.pass_flags.push(PassFlag { name: name.to_string(), options: inline_value });
                continue;
            }
            return Err(CliError::UnknownArgument { arg: spelled, suggestion: None });
        };
        let value = match spec.kind {
            ValueKind::Switch => Some(parse_bool(&spelled, inline_value.as_deref().unwrap_or(""))?),
            ValueKind::Required | ValueKind::Optional => None,
        };
        let text = match spec.kind {
            ValueKind::Required => match inline_value {
                Some(v) => Some(v),
                None => Some(args.next().ok_or_else(|| CliError::MissingValue(spelled.clone()))?),
            },
            ValueKind::Optional => inline_value,
            ValueKind::Switch => None,
        };
        let switch = value.unwrap_or(true);
        match spec.id {
            FlagId::Output | FlagId::PassPipeline | FlagId::Reproducer => {
                if seen_once.contains(&spec.id) {
                    return Err(CliError::Repeated(spelled));
                }
                seen_once.push(spec.id);
                let slot = match spec.id {
                    FlagId::Output => &mut opts.output,
                    FlagId::PassPipeline => &mut opts.pass_pipeline,
                    _ => &mut opts.reproducer,
                };
                *slot = text;
            }
            FlagId::ListPasses => opts.list_passes = switch,
            FlagId::ShowDialects => opts.show_dialects = switch,
            FlagId::SplitInputFile => opts.split_input_file = switch,
            FlagId::VerifyDiagnostics => {
                let level = match text.as_deref() {
                    None | Some("") | Some("all") => VerifyDiagnosticsLevel::All,
                    Some("only-expected") => VerifyDiagnosticsLevel::OnlyExpected,
                    Some(other) => {
                        return Err(CliError::InvalidValue {
                            flag: spelled,
                            value: other.to_string(),
                            expected: "'all' or 'only-expected'",
                        })
                    }
                };
                opts.verify_diagnostics = Some(level);
            }
            FlagId::PrintOpGeneric => opts.print_op_generic = switch,
            FlagId::PrintDebuginfo => opts.print_debuginfo = switch,
            FlagId::PrintIrBeforeAll => opts.print_ir_before_all = switch,
            FlagId::PrintIrAfterAll => opts.print_ir_after_all = switch,
            FlagId::PrintIrAfterChange => opts.print_ir_after_change = switch,
            FlagId::PrintIrAfterFailure => opts.print_ir_after_failure = switch,
            FlagId::PrintIrBefore | FlagId::PrintIrAfter => {
                let list = if spec.id == FlagId::PrintIrBefore {
                    &mut opts.print_ir_before
                } else {
                    &mut opts.print_ir_after
                };
                let text = text.unwrap_or_default();
                list.extend(text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
            }
            FlagId::Timing => opts.timing = switch,
            FlagId::RunReproducer => opts.run_reproducer = switch,
            FlagId::VerifyEach => opts.verify_each = switch,
            FlagId::AllowUnregisteredDialect => opts.allow_unregistered_dialect = switch,
            FlagId::NoImplicitModule => opts.no_implicit_module = switch,
            FlagId::Version => opts.version = switch,
            FlagId::Help => opts.help = switch,
        }
    }
    if opts.run_reproducer && (opts.pass_pipeline.is_some() || !opts.pass_flags.is_empty()) {
        return Err(CliError::ReproducerWithPipeline);
    }
    if let (Some(_), Some(first)) = (&opts.pass_pipeline, opts.pass_flags.first()) {
        return Err(CliError::PipelineWithPassFlags(first.name.clone()));
    }
    if let Some(input) = input {
        opts.input = input;
    }
    Ok(opts)
}

/// Adds a "did you mean" to an [`CliError::UnknownArgument`], choosing among
/// the driver's flags and `pass_names`.
pub fn with_suggestion<'a>(error: CliError, pass_names: impl IntoIterator<Item = &'a str>) -> CliError {
    let CliError::UnknownArgument { arg, .. } = error else { return error };
    let name = arg.trim_start_matches('-');
    let name = name.split_once('=').map_or(name, |(n, _)| n);
    let candidates = FLAGS.iter().flat_map(|f| f.names.iter().copied()).chain(pass_names);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = edit_distance(name, candidate);
        // Only close misspellings: a third of the name, at least one edit.
        if d <= (name.len() / 3).max(1) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    let suggestion = best.map(|(_, c)| if c.len() == 1 { format!("-{c}") } else { format!("--{c}") });
    CliError::UnknownArgument { arg, suggestion }
}

/// Levenshtein distance, for suggestions on short flag names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The help text of the driver's own options, aligned in two columns.
pub fn options_help() -> String {
    let mut out = String::new();
    let rows: Vec<(String, &str)> = FLAGS
        .iter()
        .map(|f| {
            let name = f.names[0];
            let dashes = if name.len() == 1 { "-" } else { "--" };
            let mut spelled = format!("{dashes}{name}");
            match f.kind {
                ValueKind::Switch => {}
                ValueKind::Required if name.len() == 1 => {
                    let _ = write!(spelled, " {}", f.value_name);
                }
                ValueKind::Required => {
                    let _ = write!(spelled, "={}", f.value_name);
                }
                ValueKind::Optional => {
                    let _ = write!(spelled, "[={}]", f.value_name);
                }
            }
            let aliases: Vec<String> = f.names[1..]
                .iter()
                .map(|a| if a.len() == 1 { format!("-{a}") } else { format!("--{a}") })
                .collect();
            if !aliases.is_empty() {
                let _ = write!(spelled, " (alias {})", aliases.join(", "));
            }
            (spelled, f.help)
        })
        .collect();
    let width = rows.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    for (spelled, help) in rows {
        let _ = writeln!(out, "  {spelled:<width$}  {help}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<OptOptions, CliError> {
        parse_args(args.iter().copied(), &|n| matches!(n, "cse" | "canonicalize" | "inline"))
    }

    #[test]
    fn defaults_read_stdin_and_verify_each() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.input, "-");
        assert!(o.verify_each);
        assert!(o.pass_flags.is_empty());
        assert!(!o.split_input_file);
    }

    #[test]
    fn single_and_double_dash_and_values() {
        let o = parse(&["-split-input-file", "x.axir", "--o", "out", "-verify-diagnostics"]).unwrap();
        assert_eq!(o.input, "x.axir");
        assert_eq!(o.output.as_deref(), Some("out"));
        assert!(o.split_input_file);
        assert_eq!(o.verify_diagnostics, Some(VerifyDiagnosticsLevel::All));
        let o = parse(&["-o=out2", "--pass-pipeline", "builtin.module(cse)"]).unwrap();
        assert_eq!(o.output.as_deref(), Some("out2"));
        assert_eq!(o.pass_pipeline.as_deref(), Some("builtin.module(cse)"));
    }

    #[test]
    fn pass_flags_keep_order_and_options() {
        let o = parse(&["--canonicalize=max-iterations=3", "-cse", "--inline", "in.axir"]).unwrap();
        let names: Vec<(&str, Option<&str>)> =
            o.pass_flags.iter().map(|p| (p.name.as_str(), p.options.as_deref())).collect();
        assert_eq!(names, vec![("canonicalize", Some("max-iterations=3")), ("cse", None), ("inline", None)]);
    }

    #[test]
    fn switches_take_booleans() {
        let o = parse(&["--verify-each=false", "--mlir-timing", "--print-debuginfo=0"]).unwrap();
        assert!(!o.verify_each);
        assert!(o.timing);
        assert!(!o.print_debuginfo);
        assert_eq!(
            parse(&["--timing=maybe"]),
            Err(CliError::InvalidBool { flag: "--timing".into(), value: "maybe".into() })
        );
    }

    #[test]
    fn aliases() {
        let o = parse(&[
            "--mlir-print-op-generic",
            "--mlir-print-debuginfo",
            "--mlir-pass-pipeline-crash-reproducer=r.axir",
            "--mlir-print-ir-after=cse,canonicalize",
            "--print-ir-after",
            "inline",
        ])
        .unwrap();
        assert!(o.print_op_generic && o.print_debuginfo);
        assert_eq!(o.reproducer.as_deref(), Some("r.axir"));
        assert_eq!(o.print_ir_after, vec!["cse", "canonicalize", "inline"]);
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse(&["--bogus"]),
            Err(CliError::UnknownArgument { arg: "--bogus".into(), suggestion: None })
        );
        assert_eq!(parse(&["-o"]), Err(CliError::MissingValue("-o".into())));
        assert_eq!(parse(&["a", "b"]), Err(CliError::TooManyInputs { first: "a".into(), extra: "b".into() }));
        assert_eq!(parse(&["-o", "a", "-o", "b"]), Err(CliError::Repeated("-o".into())));
        assert_eq!(
            parse(&["--cse", "--pass-pipeline=builtin.module(cse)"]),
            Err(CliError::PipelineWithPassFlags("cse".into()))
        );
        assert_eq!(parse(&["--run-reproducer", "--cse"]), Err(CliError::ReproducerWithPipeline));
        assert!(matches!(parse(&["--verify-diagnostics=some"]), Err(CliError::InvalidValue { .. })));
    }

    #[test]
    fn dash_is_stdin_and_double_dash_ends_flags() {
        assert_eq!(parse(&["-"]).unwrap().input, "-");
        assert_eq!(parse(&["--", "-weird.axir"]).unwrap().input, "-weird.axir");
    }

    #[test]
    fn suggestions_pick_close_names() {
        let e = with_suggestion(
            CliError::UnknownArgument { arg: "--canonicalise".into(), suggestion: None },
            ["canonicalize", "cse"],
        );
        assert_eq!(
            e.to_string(),
            "unknown command line argument '--canonicalise'; did you mean '--canonicalize'?"
        );
        let e = with_suggestion(
            CliError::UnknownArgument { arg: "--split-input-fil".into(), suggestion: None },
            [],
        );
        assert_eq!(
            e,
            CliError::UnknownArgument {
                arg: "--split-input-fil".into(),
                suggestion: Some("--split-input-file".into())
            }
        );
        let e = with_suggestion(CliError::UnknownArgument { arg: "--zzzzzz".into(), suggestion: None }, []);
        assert_eq!(e.to_string(), "unknown command line argument '--zzzzzz'");
    }

    #[test]
    fn help_lists_every_flag() {
        let help = options_help();
        for f in FLAGS {
            assert!(help.contains(f.names[0]), "{} missing from help", f.names[0]);
        }
        assert!(help.contains("--verify-diagnostics[=all|only-expected]"));
        assert!(help.contains("-o FILE"));
    }
}
