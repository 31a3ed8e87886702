//! The textual format of axir: MLIR's textual IR grammar, parsed and printed.
//!
//! ```
//! use axir_ir::Context;
//! use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};
//!
//! let mut ctx = Context::default();
//! let opts = ParseOptions { allow_unregistered_dialects: true, ..ParseOptions::default() };
//! let src = "%0 = \"test.c\"() {value = 1.5 : f32} : () -> f32\n\"test.use\"(%0) : (f32) -> ()\n";
//! let module = parse_source(&mut ctx, src, "in.axir", &opts).unwrap();
//! let text = print_op(&ctx, module, &PrintOptions::default());
//! assert_eq!(
//!     text,
//!     "\"builtin.module\"() ({\n  %0 = \"test.c\"() {value = 1.500000e+00 : f32} : () -> f32\n  \
//!      \"test.use\"(%0) : (f32) -> ()\n}) : () -> ()\n"
//! );
//! ```
//!
//! # Code map
//!
//! - `grammar.pest` / `grammar`: the grammar, the definition of the syntax
//!   (tokens, types, attributes, locations, the generic op form).
//! - [`lexer`]: the token layer custom-syntax hooks consume; tested to agree
//!   with the grammar's token rules.
//! - `parser`: op structure, SSA and block scoping, and [`OpAsmParser`], the
//!   API of parse hooks. Types, attributes and locations go through the pest
//!   rules at the cursor (with fast paths and a type cache).
//! - `convert`: pest trees to interned IR types, attributes, locations.
//! - `printer`: [`OpAsmPrinter`], value numbering, generic and custom forms.
//! - `custom`: [`CustomAssembly`], the per-op hook pair dialects attach.
//! - `source`: [`SourceManager`] (mlir-opt style rendering of diagnostics)
//!   and [`split_input_file`].
//! - `limits`: size, depth and UTF-8 checks done before parsing.
//! - `float`: float literals, parsed exactly and printed as MLIR does.
//!
//! # Invariants
//!
//! - **The parser never panics and never overflows the stack on any input**:
//!   every failure is a located [`Diagnostic`]; nesting deeper than
//!   [`ParseOptions::max_nesting_depth`] is rejected by a pre-scan before any
//!   recursive parsing starts.
//! - **Round trip is a fixed point** for the custom and the generic form:
//!   `print(parse(print(parse(x)))) == print(parse(x))`.
//! - The generic form printed here is accepted by
//!   `mlir-opt --allow-unregistered-dialect`.

mod convert;
mod custom;
mod float;
mod grammar;
pub mod lexer;
mod limits;
mod parser;
mod printer;
mod source;

pub use custom::{CustomAssembly, ParseFn, PrintFn};
pub use lexer::TokenKind;
pub use parser::{Argument, Delimiter, OpAsmParser, ParseError, ParseResult, UnresolvedOperand};
pub use printer::{write_attr, write_location, write_type, OpAsmPrinter, PrintOptions};
pub use source::{split_input_file, SourceChunk, SourceManager, SPLIT_MARKER};

use axir_ir::{Attribute, Context, Diagnostic, OpId, OperationState, Type};

/// How to parse, and the limits that protect against hostile input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept ops of dialects that are not registered (mlir-opt's
    /// `--allow-unregistered-dialect`). The context's own flag
    /// ([`Context::allows_unregistered`]) also allows them.
    pub allow_unregistered_dialects: bool,
    /// Deepest bracket/region nesting accepted (default 1000).
    pub max_nesting_depth: usize,
    /// Largest input accepted, in bytes (default 1 GiB).
    pub max_file_size: usize,
    /// Longest identifier accepted, in bytes (default 4096).
    pub max_identifier_len: usize,
    /// Lines of the file before the text being parsed, so that locations
    /// are relative to the whole file (see [`split_input_file`]).
    pub line_offset: u32,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            allow_unregistered_dialects: false,
            max_nesting_depth: 1000,
            max_file_size: 1 << 30,
            max_identifier_len: 4096,
            line_offset: 0,
        }
    }
}

/// Below this nesting depth the parser runs on the caller's stack; deeper
/// input gets a thread with a stack sized for it.
const SHALLOW_DEPTH: usize = 48;

/// Stack reserved per nesting level on the deep-input thread. Measured
/// frames are far smaller in release builds; debug builds need the margin.
const STACK_PER_LEVEL: usize = 96 << 10;

/// Parses `source` (the contents of `file_name`) into a `builtin.module` op.
///
/// A file whose only top-level op is a `builtin.module` yields that op;
/// otherwise the top-level ops are wrapped in a new module, as MLIR does.
/// Every op gets a `loc("file_name":line:col)` location unless the text gives
/// one. On failure the diagnostics say what is wrong and where; render them
/// with [`SourceManager`].
pub fn parse_source(
    ctx: &mut Context,
    source: &str,
    file_name: &str,
    options: &ParseOptions,
) -> Result<OpId, Vec<Diagnostic>> {
    let scan = match limits::prescan(source, options.max_file_size, options.max_nesting_depth) {
        Ok(s) => s,
        Err(e) => return Err(vec![limit_diagnostic(ctx, source, file_name, options, e)]),
    };
    if scan.max_depth <= SHALLOW_DEPTH {
        return parse_impl(ctx, source, file_name, options);
    }
    // Invariant: recursion is bounded by the pre-scanned depth, and the stack
    // given here is sized for that depth.
    let stack = (16 << 20) + scan.max_depth * STACK_PER_LEVEL;
    let joined = std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("axir-parse".into())
            .stack_size(stack)
            .spawn_scoped(s, || parse_impl(ctx, source, file_name, options));
        handle.ok().map(|h| match h.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    });
    joined.unwrap_or_else(|| {
        Err(vec![Diagnostic::error(
            ctx.unknown_loc(),
            "could not start a parser thread for deeply nested input",
        )])
    })
}

/// Like [`parse_source`] for raw bytes: input that is not UTF-8 is rejected
/// with `input is not valid UTF-8`, located at the first bad byte.
pub fn parse_source_bytes(
    ctx: &mut Context,
    source: &[u8],
    file_name: &str,
    options: &ParseOptions,
) -> Result<OpId, Vec<Diagnostic>> {
    match limits::check_utf8(source) {
        Ok(text) => parse_source(ctx, text, file_name, options),
        Err(e) => {
            let valid = std::str::from_utf8(&source[..e.offset]).unwrap_or_default();
            Err(vec![limit_diagnostic(ctx, valid, file_name, options, e)])
        }
    }
}

fn limit_diagnostic(
    ctx: &mut Context,
    source: &str,
    file_name: &str,
    options: &ParseOptions,
    e: limits::LimitError,
) -> Diagnostic {
    let before = &source.as_bytes()[..e.offset.min(source.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = (e.offset - line_start) as u32 + 1;
    let loc = ctx.file_loc(file_name, line + options.line_offset, col);
    Diagnostic::error(loc, e.message)
}

fn parse_impl(
    ctx: &mut Context,
    source: &str,
    file_name: &str,
    options: &ParseOptions,
) -> Result<OpId, Vec<Diagnostic>> {
    let top = ctx.create_block(&[]);
    let mut p = OpAsmParser::new(ctx, source, file_name, options);
    let result = p.parse_top_level(top);
    let mut diags = std::mem::take(&mut p.diags);
    let failed = result.is_err() || !diags.is_empty();
    if failed {
        // Drop what was built (uses first), before the placeholder values.
        p.discard(top);
    }
    p.finish();
    if failed {
        if diags.is_empty() {
            diags.push(Diagnostic::error(ctx.unknown_loc(), "failed to parse"));
        }
        return Err(diags);
    }
    let ops = ctx.block_ops(top);
    if let [only] = ops.as_slice() {
        if ctx.op_name(*only) == "builtin.module" {
            ctx.detach_op(*only);
            ctx.erase_block(top);
            return Ok(*only);
        }
    }
    let region = ctx.create_region();
    ctx.append_block(region, top);
    let name = ctx.ident("builtin.module");
    let loc = ctx.file_loc(file_name, options.line_offset, 0);
    Ok(ctx.create_op(OperationState::new(name, loc).with_region(region)))
}

/// Parses a single type, e.g. `tensor<4x?xf32>`.
pub fn parse_type(ctx: &mut Context, text: &str) -> Result<Type, Vec<Diagnostic>> {
    parse_fragment(ctx, text, |p| p.parse_type())
}

/// Parses a single attribute, e.g. `dense<1.0> : tensor<2xf32>`.
pub fn parse_attribute(ctx: &mut Context, text: &str) -> Result<Attribute, Vec<Diagnostic>> {
    parse_fragment(ctx, text, |p| p.parse_attribute())
}

fn parse_fragment<T>(
    ctx: &mut Context,
    text: &str,
    f: impl FnOnce(&mut OpAsmParser<'_>) -> ParseResult<T>,
) -> Result<T, Vec<Diagnostic>> {
    let options = ParseOptions::default();
    if let Err(e) = limits::prescan(text, options.max_file_size, options.max_nesting_depth) {
        return Err(vec![limit_diagnostic(ctx, text, "<string>", &options, e)]);
    }
    let mut p = OpAsmParser::new(ctx, text, "<string>", &options);
    let r = f(&mut p);
    if r.is_ok() && p.peek() != TokenKind::Eof {
        let _ = p.emit_error("unexpected text after the end of the value");
    }
    let diags = std::mem::take(&mut p.diags);
    match r {
        Ok(v) if diags.is_empty() => Ok(v),
        _ => Err(diags),
    }
}

/// Prints `op` (usually a module) and everything nested in it, followed by a
/// newline.
pub fn print_op(ctx: &Context, op: OpId, options: &PrintOptions) -> String {
    let print = |mut p: OpAsmPrinter<'_>| {
        p.print_operation(op);
        let mut out = p.finish();
        out.push('\n');
        out
    };
    let p = OpAsmPrinter::new(ctx, op, *options);
    let depth = p.nesting_depth();
    if depth <= SHALLOW_DEPTH {
        return print(p);
    }
    // The printer recurses once per region level; IR built by passes is not
    // bounded by the parser's limit, so deep IR gets a stack sized for it.
    let stack = (16 << 20) + depth * STACK_PER_LEVEL;
    let printed = std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("axir-print".into())
            .stack_size(stack)
            .spawn_scoped(s, move || print(p));
        handle.ok().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    printed.unwrap_or_else(|| print(OpAsmPrinter::new(ctx, op, *options)))
}

/// Prints `op` into `out`; see [`print_op`].
pub fn print_op_to(
    ctx: &Context,
    op: OpId,
    options: &PrintOptions,
    out: &mut dyn std::fmt::Write,
) -> std::fmt::Result {
    out.write_str(&print_op(ctx, op, options))
}

/// A type as text, e.g. for messages.
pub fn type_to_string(ctx: &Context, ty: Type) -> String {
    let mut s = String::new();
    write_type(ctx, ty, &mut s);
    s
}

/// An attribute as text, e.g. for messages.
pub fn attribute_to_string(ctx: &Context, attr: Attribute) -> String {
    let mut s = String::new();
    write_attr(ctx, attr, &mut s);
    s
}
