//! One run of the driver over one input: read, split, parse, verify, run
//! the passes, print, and route every diagnostic either to stderr or to the
//! `--verify-diagnostics` checker.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use axir_ir::{verify, Context, Diagnostic, DialectRegistry, LocationData, OpId, Severity};
use axir_pass::{render_timing_report, split_reproducer, PassRegistry, TimingNode};
use axir_syntax::{parse_source, print_op, split_input_file, ParseOptions, PrintOptions, SourceManager};

use crate::cli::OptOptions;
use crate::input::{check_utf8, display_name, io_message, read_input};
use crate::pipeline::Pipeline;
use crate::verify_diagnostics::DiagnosticVerifier;

/// How a run ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything succeeded (or, with `--verify-diagnostics`, every
    /// diagnostic was expected and every expectation met).
    Success,
    /// An error was diagnosed and printed.
    Failure,
}

impl Outcome {
    fn and(self, other: Outcome) -> Outcome {
        if self == Outcome::Success {
            other
        } else {
            Outcome::Failure
        }
    }
}

/// Where a run writes: the IR output and the diagnostics.
pub struct Streams<'a> {
    /// Printed IR, when no `-o` is given.
    pub stdout: &'a mut dyn Write,
    /// Diagnostics and timing reports. IR dumps of `--print-ir-*` go to the
    /// process's stderr, where the pass manager writes them.
    pub stderr: &'a mut dyn Write,
}

/// The state of one run over one input file.
pub(crate) struct Run<'a> {
    tool: &'a str,
    options: &'a OptOptions,
    registry: Arc<DialectRegistry>,
    passes: &'a PassRegistry,
    pipeline: Option<Pipeline>,
    /// Phases and passes, for `--timing`; its `wall` is set at the end.
    timing: TimingNode,
}

/// Per-chunk sink of diagnostics: rendered to stderr, or checked.
struct DiagnosticSink<'s> {
    sources: &'s SourceManager,
    verifier: Option<DiagnosticVerifier>,
    /// Whether an error reached the sink (without a verifier).
    had_error: bool,
}

impl DiagnosticSink<'_> {
    fn emit(&mut self, ctx: &mut Context, diag: &Diagnostic, stderr: &mut dyn Write) {
        match &mut self.verifier {
            Some(v) => {
                let reports = v.process(ctx, diag);
                let _ = stderr.write_all(self.sources.render_all(ctx, &reports).as_bytes());
            }
            None => {
                if diag.severity == Severity::Error {
                    self.had_error = true;
                }
                let _ = stderr.write_all(self.sources.render(ctx, diag).as_bytes());
            }
        }
    }

    fn emit_all(&mut self, ctx: &mut Context, diags: &[Diagnostic], stderr: &mut dyn Write) {
        for d in diags {
            self.emit(ctx, d, stderr);
        }
    }
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        tool: &'a str,
        options: &'a OptOptions,
        registry: Arc<DialectRegistry>,
        passes: &'a PassRegistry,
        pipeline: Option<Pipeline>,
    ) -> Self {
        Self { tool, options, registry, passes, pipeline, timing: TimingNode::new("root") }
    }

    fn error(&self, stderr: &mut dyn Write, message: impl std::fmt::Display) -> Outcome {
        let _ = writeln!(stderr, "{}: error: {message}", self.tool);
        Outcome::Failure
    }

    /// Processes the input file and writes the output.
    pub(crate) fn execute(&mut self, streams: &mut Streams<'_>) -> Outcome {
        let start = Instant::now();
        let opts = self.options;
        let file = display_name(&opts.input).to_string();
        let bytes = match read_input(&opts.input) {
            Ok(b) => b,
            Err(message) => return self.error(streams.stderr, message),
        };
        let mut text = match check_utf8(&bytes, &file) {
            Ok(t) => t,
            Err(rendered) => {
                let _ = streams.stderr.write_all(rendered.as_bytes());
                return Outcome::Failure;
            }
        };
        if opts.run_reproducer {
            match split_reproducer(text) {
                Ok((ir, Some(config))) => match Pipeline::from_text(&config.pipeline, opts, self.passes) {
                    Ok(mut p) => {
                        p.set_verify_each(config.verify_each && opts.verify_each);
                        self.pipeline = Some(p);
                        text = ir;
                    }
                    Err(e) => {
                        let _ = streams.stderr.write_all(e.render(self.tool).as_bytes());
                        return Outcome::Failure;
                    }
                },
                Ok((_, None)) => {
                    return self.error(
                        streams.stderr,
                        format!("'{file}' has no reproducer configuration ('{{-# external_resources: {{ mlir_reproducer: ... }} #-}}')"),
                    )
                }
                Err(message) => return self.error(streams.stderr, format!("{file}: {message}")),
            }
        }
        let mut sources = SourceManager::new();
        sources.add_file(file.clone(), text);

        let mut outputs = Vec::new();
        let mut outcome = Outcome::Success;
        if opts.split_input_file {
            for chunk in split_input_file(text) {
                let (result, output) =
                    self.process_chunk(chunk.text, chunk.line_offset, &file, &sources, streams.stderr);
                outcome = outcome.and(result);
                outputs.push(output);
            }
        } else {
            let (result, output) = self.process_chunk(text, 0, &file, &sources, streams.stderr);
            outcome = outcome.and(result);
            outputs.push(output);
        }
        // mlir-opt joins the outputs of the chunks the same way.
        let joined = outputs.join("\n// -----\n");
        let write_start = Instant::now();
        outcome = outcome.and(self.write_output(&joined, outcome, streams));
        self.timing.child("Output").wall += write_start.elapsed();
        if opts.timing {
            self.timing.wall = start.elapsed();
            let _ = streams.stderr.write_all(render_timing_report(&self.timing).as_bytes());
        }
        outcome
    }

    /// Writes the printed IR to `-o` or stdout.
    ///
    /// As with mlir-opt, an output file is only written when the run
    /// succeeded, while stdout gets whatever was printed.
    fn write_output(&self, text: &str, outcome: Outcome, streams: &mut Streams<'_>) -> Outcome {
        match self.options.output.as_deref() {
            Some(path) if path != "-" => {
                if outcome == Outcome::Failure {
                    return Outcome::Failure;
                }
                match std::fs::write(path, text) {
                    Ok(()) => Outcome::Success,
                    Err(e) => self.error(
                        streams.stderr,
                        format!("cannot open output file '{path}': {}", io_message(&e)),
                    ),
                }
            }
            _ => match streams.stdout.write_all(text.as_bytes()).and_then(|()| streams.stdout.flush()) {
                Ok(()) => Outcome::Success,
                // A closed pipe (`axopt ... | head`) is the reader's choice,
                // not an error of the run.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
                Err(e) => self.error(streams.stderr, format!("cannot write the output: {}", io_message(&e))),
            },
        }
    }

    /// Parses, verifies, transforms and prints one chunk (the whole file
    /// when not splitting). Returns the outcome and the printed IR, empty
    /// when the chunk failed.
    fn process_chunk(
        &mut self,
        text: &str,
        line_offset: u32,
        file: &str,
        sources: &SourceManager,
        stderr: &mut dyn Write,
    ) -> (Outcome, String) {
        let opts = self.options;
        tracing::debug!(file, first_line = line_offset + 1, bytes = text.len(), "processing input");
        let mut ctx = Context::new(Arc::clone(&self.registry));
        ctx.set_allow_unregistered(opts.allow_unregistered_dialect);
        let verifier = opts
            .verify_diagnostics
            .map(|level| DiagnosticVerifier::new(file, text, line_offset as usize, level));
        let mut sink = DiagnosticSink { sources, verifier, had_error: false };

        let output = self.parse_and_transform(&mut ctx, text, line_offset, file, &mut sink, stderr);
        let outcome = match sink.verifier.take() {
            Some(v) => {
                let (ok, reports) = v.finish(&mut ctx);
                let _ = stderr.write_all(sources.render_all(&ctx, &reports).as_bytes());
                if ok {
                    Outcome::Success
                } else {
                    Outcome::Failure
                }
            }
            None if output.is_some() && !sink.had_error => Outcome::Success,
            None => Outcome::Failure,
        };
        (outcome, output.unwrap_or_default())
    }

    /// The IR printed after the pipeline, or `None` when a step failed (its
    /// diagnostics already went to `sink`).
    fn parse_and_transform(
        &mut self,
        ctx: &mut Context,
        text: &str,
        line_offset: u32,
        file: &str,
        sink: &mut DiagnosticSink<'_>,
        stderr: &mut dyn Write,
    ) -> Option<String> {
        let opts = self.options;
        let parse_options = ParseOptions {
            allow_unregistered_dialects: opts.allow_unregistered_dialect,
            line_offset,
            ..ParseOptions::default()
        };
        let start = Instant::now();
        let parsed = parse_source(ctx, text, file, &parse_options);
        self.timing.child("Parser").wall += start.elapsed();
        let module = match parsed {
            Ok(m) => m,
            Err(diags) => {
                sink.emit_all(ctx, &diags, stderr);
                return None;
            }
        };
        let top = if opts.no_implicit_module {
            match unwrap_implicit_module(ctx, module, file, line_offset) {
                Ok(op) => op,
                Err(diag) => {
                    sink.emit(ctx, &diag, stderr);
                    return None;
                }
            }
        } else {
            module
        };

        let start = Instant::now();
        let verified = verify(ctx, top);
        self.timing.child("Verifier").wall += start.elapsed();
        if let Err(diags) = verified {
            sink.emit_all(ctx, &diags, stderr);
            return None;
        }

        if let Some(pipeline) = &mut self.pipeline {
            tracing::debug!(pipeline = %pipeline.to_pipeline_string(), "running passes");
            let (result, warnings) = pipeline.run(ctx, top);
            if let Some(t) = pipeline.timing() {
                for child in &t.children {
                    self.timing.merge_child(child.clone());
                }
            }
            sink.emit_all(ctx, &warnings, stderr);
            if let Err(failure) = result {
                sink.emit_all(ctx, &failure.diagnostics, stderr);
                return None;
            }
        }

        let start = Instant::now();
        let print_options = PrintOptions { generic: opts.print_op_generic, debug_info: opts.print_debuginfo };
        let text = print_op(ctx, top, &print_options);
        self.timing.child("Output").wall += start.elapsed();
        Some(text)
    }
}

/// For `--no-implicit-module`: the single top-level op of the source, taken
/// out of the module the parser wrapped it in.
///
/// The parser returns a module written in the source as is, and wraps
/// anything else in a module located at column 0 of the chunk's first line,
/// a position no op in the text can have; that is how the two are told
/// apart.
fn unwrap_implicit_module(
    ctx: &mut Context,
    module: OpId,
    file: &str,
    line_offset: u32,
) -> Result<OpId, Diagnostic> {
    let implicit = matches!(
        ctx.location_data(ctx.op_location(module)),
        LocationData::FileLineCol { file: f, line, col: 0 } if ctx.ident_str(*f) == file && *line == line_offset
    );
    if !implicit {
        return Ok(module);
    }
    let body: Vec<OpId> = ctx
        .regions(module)
        .first()
        .and_then(|&r| ctx.entry_block(r))
        .map(|b| ctx.block_ops(b))
        .unwrap_or_default();
    match body.as_slice() {
        [only] => {
            let only = *only;
            ctx.detach_op(only);
            ctx.erase_op(module);
            Ok(only)
        }
        ops => {
            let loc = ctx.file_loc(file, line_offset, 0);
            Err(Diagnostic::error(
                loc,
                format!("source must contain a single top-level operation, found: {}", ops.len()),
            ))
        }
    }
}
