//! Test-only dialects with custom syntax, registered the way real dialect
//! crates register theirs. They mirror the shapes the real `builtin`, `func`
//! and `arith` syntax needs, so the hook API is exercised on them:
//!
//! ```text
//! module @m attributes {a} { ... }
//! func.func private @decl(f32) -> f32
//! func.func @f(%a: f32, %b: tensor<?xf32>) -> (f32, i1) attributes {x} { ... }
//! return %x : f32
//! %r = func.call @f(%a) : (f32) -> f32
//! %0 = test.addf %a, %b : f32
//! %c = test.constant 1.0 : f32
//! %p = test.cmpf olt, %a, %b : f32
//! %l = test.loop %n : index { ^bb0(%i: index): ... }   (non-isolated region)
//! %0:2 = test.pair %a : f32
//! ```
#![allow(dead_code)]

pub mod gen;

use axir_ir::{
    Arity, AttributeData, Context, DialectInfo, DialectRegistry, OpId, OpInfo, OpTraits, OperationState,
    TypeData,
};
use axir_syntax::{
    parse_source, print_op, Argument, CustomAssembly, Delimiter, OpAsmParser, OpAsmPrinter, ParseOptions,
    ParseResult, PrintOptions, SourceManager,
};
use std::sync::Arc;

// ----- builtin.module -------------------------------------------------------

fn parse_module(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    if let Some(name) = p.parse_optional_symbol_name()? {
        let a = p.ctx().string_attr(name);
        let n = p.ctx().ident("sym_name");
        state.attributes.push(axir_ir::NamedAttr { name: n, value: a });
    }
    p.parse_optional_attr_dict_with_keyword(&mut state.attributes)?;
    let region = p.parse_region(&[])?;
    // The body block always exists, even for `module {}`.
    if p.ctx().region_blocks(region).is_empty() {
        p.ctx().append_new_block(region, &[]);
    }
    state.regions.push(region);
    Ok(())
}

fn print_module(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    if let Some(name) = ctx.attr(op, "sym_name").and_then(|a| ctx.attr_as_str(a)) {
        p.write_str(" ");
        p.print_symbol_name(name);
    }
    p.print_optional_attr_dict_with_keyword(op, &["sym_name"]);
    p.write_str(" ");
    p.print_region(ctx.regions(op)[0], false, false);
}

// ----- func -------------------------------------------------------------------

fn parse_func(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    if p.parse_optional_keyword("private") {
        let v = p.ctx().string_attr("private");
        let n = p.ctx().ident("sym_visibility");
        state.attributes.push(axir_ir::NamedAttr { name: n, value: v });
    }
    let name = p.parse_symbol_name()?;
    // Either named arguments `(%a: f32)` (a definition) or bare types `(f32)`.
    p.parse_lparen()?;
    let mut args: Vec<Argument> = Vec::new();
    let mut inputs = Vec::new();
    if p.peek() == axir_syntax::TokenKind::ValueId {
        args = p.parse_argument_list(Delimiter::None, true, true)?;
        inputs.extend(args.iter().map(|a| a.ty));
    } else if p.peek() != axir_syntax::TokenKind::RParen {
        p.parse_type_list(&mut inputs)?;
    }
    p.parse_rparen()?;
    let mut results = Vec::new();
    p.parse_optional_arrow_type_list(&mut results)?;
    p.parse_optional_attr_dict_with_keyword(&mut state.attributes)?;
    let ctx = p.ctx();
    let fty = ctx.function_type(inputs, results);
    let fty_attr = ctx.type_attr(fty);
    let name_attr = ctx.string_attr(name);
    let (n1, n2) = (ctx.ident("function_type"), ctx.ident("sym_name"));
    state.attributes.push(axir_ir::NamedAttr { name: n1, value: fty_attr });
    state.attributes.push(axir_ir::NamedAttr { name: n2, value: name_attr });
    match p.parse_optional_region(&args)? {
        Some(r) => state.regions.push(r),
        None => {
            let r = p.ctx().create_region();
            state.regions.push(r);
        }
    }
    Ok(())
}

fn print_func(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let vis = ctx.attr(op, "sym_visibility").and_then(|a| ctx.attr_as_str(a));
    if let Some(v) = vis {
        p.write_str(" ");
        p.print_keyword(v);
    }
    let name = ctx.attr(op, "sym_name").and_then(|a| ctx.attr_as_str(a)).unwrap_or("");
    p.write_str(" ");
    p.print_symbol_name(name);
    let fty = ctx.attr(op, "function_type").and_then(|a| ctx.attr_as_type(a)).expect("function_type");
    let TypeData::Function { inputs, results } = ctx.type_data(fty) else { panic!("function type") };
    let region = ctx.regions(op)[0];
    p.write_str("(");
    match ctx.entry_block(region) {
        Some(entry) => {
            for (i, &a) in ctx.block_arguments(entry).iter().enumerate() {
                if i > 0 {
                    p.write_str(", ");
                }
                p.print_argument(a);
            }
        }
        None => p.print_types(inputs),
    }
    p.write_str(")");
    if !results.is_empty() {
        p.write_str(" -> ");
        p.print_function_result_types(results);
    }
    p.print_optional_attr_dict_with_keyword(op, &["sym_name", "function_type", "sym_visibility"]);
    if ctx.entry_block(region).is_some() {
        p.write_str(" ");
        p.print_region(region, false, true);
    }
}

fn parse_return(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    if !operands.is_empty() {
        let mut types = Vec::new();
        p.parse_colon_type_list(&mut types)?;
        p.resolve_operands(&operands, &types, &mut state.operands)?;
    }
    Ok(())
}

fn print_return(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let ops = ctx.operands(op);
    p.print_optional_attr_dict(op, &[]);
    if !ops.is_empty() {
        p.write_str(" ");
        p.print_operands(ops);
        p.write_str(" : ");
        let types: Vec<_> = ops.iter().map(|v| ctx.value_type(*v)).collect();
        p.print_types(&types);
    }
}

fn parse_call(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let callee = p.parse_symbol_name()?;
    let operands = p.parse_operand_list(Delimiter::Paren)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let pos = p.current_pos();
    let fty = p.parse_colon_type()?;
    let TypeData::Function { inputs, results } = p.ctx().type_data(fty).clone() else {
        return Err(p.emit_error_at(pos + 2, "expected function type"));
    };
    p.resolve_operands(&operands, &inputs, &mut state.operands)?;
    state.result_types = results;
    let ctx = p.ctx();
    let a = ctx.symbol_ref_attr(callee);
    let n = ctx.ident("callee");
    state.attributes.push(axir_ir::NamedAttr { name: n, value: a });
    Ok(())
}

fn print_call(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let callee = ctx.attr(op, "callee").and_then(|a| ctx.attr_as_symbol(a)).unwrap_or("");
    p.write_str(" ");
    p.print_symbol_name(callee);
    p.write_str("(");
    p.print_operands(ctx.operands(op));
    p.write_str(")");
    p.print_optional_attr_dict(op, &["callee"]);
    p.write_str(" : ");
    let ins: Vec<_> = ctx.operands(op).iter().map(|v| ctx.value_type(*v)).collect();
    let outs: Vec<_> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    p.print_functional_type(&ins, &outs);
}

// ----- test -------------------------------------------------------------------

fn parse_binary(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let lhs = p.parse_operand()?;
    p.parse_comma()?;
    let rhs = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

fn print_binary(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.write_str(" ");
    p.print_operands(ctx.operands(op));
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.result(op, 0)));
}

fn parse_constant(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let pos = p.current_pos();
    let value = p.parse_attribute()?;
    let Some(ty) = p.ctx().attr_type(value) else {
        return Err(p.emit_error_at(pos, "expected a typed attribute"));
    };
    let n = p.ctx().ident("value");
    state.attributes.push(axir_ir::NamedAttr { name: n, value });
    state.result_types.push(ty);
    Ok(())
}

fn print_constant(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.print_optional_attr_dict(op, &["value"]);
    p.write_str(" ");
    p.print_attribute(ctx.attr(op, "value").expect("value"));
}

const PREDICATES: &[&str] = &["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord"];

fn parse_cmpf(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let pred = p.parse_keyword_of(PREDICATES)?;
    p.parse_comma()?;
    let lhs = p.parse_operand()?;
    p.parse_comma()?;
    let rhs = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
    let ctx = p.ctx();
    let i64t = ctx.integer_type(64);
    let a = ctx.integer_attr(pred as i128, i64t);
    let n = ctx.ident("predicate");
    state.attributes.push(axir_ir::NamedAttr { name: n, value: a });
    let i1 = ctx.i1_type();
    state.result_types.push(i1);
    Ok(())
}

fn print_cmpf(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let pred = ctx.attr(op, "predicate").and_then(|a| ctx.attr_as_int(a)).unwrap_or(0);
    p.write_str(" ");
    p.print_keyword(PREDICATES[pred as usize]);
    p.write_str(", ");
    p.print_operands(ctx.operands(op));
    p.print_optional_attr_dict(op, &["predicate"]);
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.operand(op, 0)));
}

/// `%r = test.loop %n : index { ^bb0(%i: index): ... }` with a
/// non-isolated region whose entry argument comes from the syntax.
fn parse_loop(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let n = p.parse_operand()?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[n], ty, &mut state.operands)?;
    p.parse_keyword("iter")?;
    let args = p.parse_argument_list(Delimiter::Paren, true, false)?;
    let region = p.parse_region(&args)?;
    state.regions.push(region);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let mut results = Vec::new();
    p.parse_optional_arrow_type_list(&mut results)?;
    state.result_types = results;
    Ok(())
}

fn print_loop(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let n = ctx.operand(op, 0);
    p.write_str(" ");
    p.print_operand(n);
    p.write_str(" : ");
    p.print_type(ctx.value_type(n));
    p.write_str(" iter(");
    let region = ctx.regions(op)[0];
    let entry = ctx.entry_block(region).expect("loop body");
    for (i, &a) in ctx.block_arguments(entry).iter().enumerate() {
        if i > 0 {
            p.write_str(", ");
        }
        p.print_argument(a);
    }
    p.write_str(") ");
    p.print_region(region, false, true);
    p.print_optional_attr_dict(op, &[]);
    let results: Vec<_> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    if !results.is_empty() {
        p.write_str(" -> ");
        p.print_function_result_types(&results);
    }
}

/// `%0:2 = test.pair %a : f32` (two results).
fn parse_pair(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let a = p.parse_operand()?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[a], ty, &mut state.operands)?;
    state.result_types = vec![ty, ty];
    Ok(())
}

fn print_pair(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.write_str(" ");
    p.print_operand(ctx.operand(op, 0));
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.operand(op, 0)));
}

/// `test.br ^bb1` (a terminator with a successor).
fn parse_br(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let b = p.parse_successor()?;
    state.successors.push(b);
    Ok(())
}

fn print_br(p: &mut OpAsmPrinter<'_>, op: OpId) {
    p.write_str(" ");
    p.print_successor(p.ctx().successors(op)[0]);
}

/// The registry with the test dialects.
pub fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    r.register_dialect(DialectInfo::new("builtin", "test builtin")).unwrap();
    r.register_dialect(DialectInfo::new("func", "test func")).unwrap();
    r.register_dialect(DialectInfo::new("test", "test ops")).unwrap();
    let ops = vec![
        OpInfo::new("builtin.module", "module", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::NO_TERMINATOR | OpTraits::SYMBOL_TABLE)
            .regions(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_module, print_module)),
        OpInfo::new("func.func", "function", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::SYMBOL)
            .regions(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_func, print_func).with_default_dialect("func")),
        OpInfo::new("func.return", "return", "")
            .traits(OpTraits::TERMINATOR | OpTraits::RETURN_LIKE)
            .operands(Arity::ANY)
            .interface(CustomAssembly::new(parse_return, print_return)),
        OpInfo::new("func.call", "call", "")
            .operands(Arity::ANY)
            .results(Arity::ANY)
            .interface(CustomAssembly::new(parse_call, print_call)),
        OpInfo::new("test.addf", "add", "")
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_binary, print_binary)),
        OpInfo::new("test.constant", "constant", "")
            .results(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_constant, print_constant)),
        OpInfo::new("test.cmpf", "compare", "")
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_cmpf, print_cmpf)),
        OpInfo::new("test.loop", "loop", "")
            .operands(Arity::Exact(1))
            .results(Arity::ANY)
            .regions(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_loop, print_loop)),
        OpInfo::new("test.pair", "two results", "")
            .operands(Arity::Exact(1))
            .results(Arity::Exact(2))
            .interface(CustomAssembly::new(parse_pair, print_pair)),
        OpInfo::new("test.br", "branch", "")
            .traits(OpTraits::TERMINATOR)
            .successors(Arity::Exact(1))
            .interface(CustomAssembly::new(parse_br, print_br)),
        OpInfo::new("test.generic_only", "no custom syntax", "").operands(Arity::ANY),
    ];
    for op in ops {
        r.register_op(op).unwrap();
    }
    Arc::new(r)
}

/// A context with the test dialects.
pub fn context() -> Context {
    Context::new(registry())
}

/// Options that allow unregistered dialects.
pub fn unregistered() -> ParseOptions {
    ParseOptions { allow_unregistered_dialects: true, ..ParseOptions::default() }
}

/// Parses `src` and prints it with `opts`; panics with rendered diagnostics.
pub fn roundtrip_with(src: &str, popts: &ParseOptions, opts: PrintOptions) -> String {
    let mut ctx = context();
    match parse_source(&mut ctx, src, "t.axir", popts) {
        Ok(m) => print_op(&ctx, m, &opts),
        Err(d) => {
            let mut sm = SourceManager::new();
            sm.add_file("t.axir", src);
            panic!("parse failed:\n{}\ninput:\n{src}", sm.render_all(&ctx, &d));
        }
    }
}

/// Parses and prints (custom form) with unregistered dialects allowed.
pub fn roundtrip(src: &str) -> String {
    roundtrip_with(src, &unregistered(), PrintOptions::default())
}

/// Parses and prints in generic form with unregistered dialects allowed.
pub fn roundtrip_generic(src: &str) -> String {
    roundtrip_with(src, &unregistered(), PrintOptions { generic: true, debug_info: false })
}

/// The rendered diagnostics of a failing parse.
pub fn parse_errors_with(src: &str, popts: &ParseOptions) -> String {
    let mut ctx = context();
    match parse_source(&mut ctx, src, "t.axir", popts) {
        Ok(m) => panic!("expected an error, got:\n{}", print_op(&ctx, m, &PrintOptions::default())),
        Err(d) => {
            let mut sm = SourceManager::new();
            sm.add_file("t.axir", src);
            sm.render_all(&ctx, &d)
        }
    }
}

/// The rendered diagnostics of a failing parse (unregistered allowed).
pub fn parse_errors(src: &str) -> String {
    parse_errors_with(src, &unregistered())
}

/// Checks the fixed point: printing the parse of `printed` gives `printed`.
pub fn assert_fixed_point(printed: &str, opts: PrintOptions) {
    let again = roundtrip_with(printed, &unregistered(), opts);
    assert_eq!(again, printed, "print(parse(print(parse(x)))) differs");
}

/// Unused-attribute silencer for tests that only build data.
pub fn is_unit(ctx: &Context, a: axir_ir::Attribute) -> bool {
    matches!(ctx.attr_data(a), AttributeData::Unit)
}
