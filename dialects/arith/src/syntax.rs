//! The custom textual forms of the arith ops: MLIR's assembly formats,
//! printed exactly as mlir-opt prints them.
//!
//! - binary: `%r = arith.addf %a, %b fastmath<fast> : f32`,
//!   `%r = arith.addi %a, %b overflow<nsw> : i32`
//! - unary: `%r = arith.negf %a : f32`
//! - cast: `%r = arith.extf %a : f16 to f32`
//! - comparison: `%r = arith.cmpf olt, %a, %b : f32`
//! - select: `%r = arith.select %c, %a, %b : f32` (a shaped condition's type
//!   is written first: `: vector<4xi1>, vector<4xf32>`)
//! - constant: `%r = arith.constant 1.000000e+00 : f32`, `arith.constant true`
//!
//! Flags equal to their default (`fastmath<none>`) are not printed, as in
//! MLIR. The parse hooks are public so that dialects with the same formats
//! (math) reuse them.

use axir_ir::{Attribute, NamedAttr, OpId, OperationState};
use axir_syntax::{CustomAssembly, Delimiter, OpAsmParser, OpAsmPrinter, ParseResult};

use crate::attrs::{
    FastMathFlags, IntegerOverflowFlags, FASTMATH_ATTR, OVERFLOW_ATTR, PREDICATE_ATTR, VALUE_ATTR,
};
use crate::constraints::with_element_type;
use crate::predicate::{CmpFPredicate, CmpIPredicate};

/// Which predicate keywords a comparison uses.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum PredicateKind {
    /// `cmpf` keywords (`olt`, `une`, ...).
    Float,
    /// `cmpi` keywords (`slt`, `uge`, ...).
    Integer,
}

/// `%r = op %a, %b [flags] attr-dict : type`
pub fn binary_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_same_type, print_same_type)
}

/// `%r = op %a [flags] attr-dict : type`
pub fn unary_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_same_type, print_same_type)
}

/// `%r = op %a [flags] attr-dict : from to to`
pub fn cast_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_cast, print_cast)
}

/// `%r = op pred, %a, %b [flags] attr-dict : type`
pub fn compare_assembly(kind: PredicateKind) -> CustomAssembly {
    match kind {
        PredicateKind::Float => CustomAssembly::new(parse_cmpf, print_cmp),
        PredicateKind::Integer => CustomAssembly::new(parse_cmpi, print_cmp),
    }
}

/// `%r = arith.select %c, %a, %b attr-dict : [cond-type,] type`
pub fn select_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_select, print_select)
}

/// `%r = arith.constant attr-dict value`
pub fn constant_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_constant, print_constant)
}

/// Parses the optional `fastmath<...>` and `overflow<...>` flags into
/// attributes of `state`.
pub fn parse_flags(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    if p.parse_optional_keyword("fastmath") {
        let pos = p.current_pos();
        let words = parse_angle_words(p)?;
        let Some(flags) = FastMathFlags::parse(&words) else {
            return Err(p.emit_error_at(
                pos,
                "expected one of [none, reassoc, nnan, ninf, nsz, arcp, contract, afn, fast] for fastmath flags",
            ));
        };
        let attr = flags.to_attr(p.ctx());
        push_attr(p, state, FASTMATH_ATTR, attr);
    }
    if p.parse_optional_keyword("overflow") {
        let pos = p.current_pos();
        let words = parse_angle_words(p)?;
        let Some(flags) = IntegerOverflowFlags::parse(&words) else {
            return Err(p.emit_error_at(pos, "expected one of [none, nsw, nuw] for overflow flags"));
        };
        let attr = flags.to_attr(p.ctx());
        push_attr(p, state, OVERFLOW_ATTR, attr);
    }
    Ok(())
}

/// `<word, word, ...>`, returned joined by commas.
fn parse_angle_words(p: &mut OpAsmParser<'_>) -> ParseResult<String> {
    p.parse_less()?;
    let mut words = vec![p.parse_keyword_str()?.to_string()];
    while p.parse_optional_comma() {
        words.push(p.parse_keyword_str()?.to_string());
    }
    p.parse_greater()?;
    Ok(words.join(","))
}

fn push_attr(p: &mut OpAsmParser<'_>, state: &mut OperationState, name: &str, value: Attribute) {
    let name = p.ctx().ident(name);
    state.attributes.push(NamedAttr { name, value });
}

/// Prints the flags of `op` that differ from their default, and returns the
/// names of the attributes printed that way (to elide from the dictionary).
pub fn print_flags(p: &mut OpAsmPrinter<'_>, op: OpId) -> Vec<&'static str> {
    let ctx = p.ctx();
    let mut elided = Vec::new();
    if let Some(flags) = ctx.attr(op, FASTMATH_ATTR).and_then(|a| FastMathFlags::from_attr(ctx, a)) {
        if !flags.is_none() {
            p.write_str(" fastmath<");
            p.write_str(&flags.keywords());
            p.write_str(">");
        }
        elided.push(FASTMATH_ATTR);
    }
    if let Some(flags) = ctx.attr(op, OVERFLOW_ATTR).and_then(|a| IntegerOverflowFlags::from_attr(ctx, a)) {
        if !flags.is_none() {
            p.write_str(" overflow<");
            p.write_str(&flags.keywords());
            p.write_str(">");
        }
        elided.push(OVERFLOW_ATTR);
    }
    elided
}

/// Parses `%a (, %b)* [flags] attr-dict : type` for an op whose operands
/// and single result share one type.
pub fn parse_same_type(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    parse_flags(p, state)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&operands, ty, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

/// Prints the form [`parse_same_type`] reads.
pub fn print_same_type(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    let elided = print_flags(p, op);
    p.print_optional_attr_dict(op, &elided);
    p.write_str(" : ");
    print_result_type(p, op);
}

/// Writes the type of `op`'s first result (or of its first operand when it
/// has none, which only malformed IR does).
fn print_result_type(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let v = ctx.results(op).first().or(ctx.operands(op).first()).copied();
    if let Some(v) = v {
        p.print_type(ctx.value_type(v));
    }
}

fn parse_cast(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let input = p.parse_operand()?;
    parse_flags(p, state)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let from = p.parse_colon_type()?;
    p.parse_keyword("to")?;
    let to = p.parse_type()?;
    let v = p.resolve_operand(&input, from)?;
    state.operands.push(v);
    state.result_types.push(to);
    Ok(())
}

fn print_cast(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    let elided = print_flags(p, op);
    p.print_optional_attr_dict(op, &elided);
    p.write_str(" : ");
    if let Some(&v) = operands.first() {
        p.print_type(ctx.value_type(v));
    }
    p.write_str(" to ");
    print_result_type(p, op);
}

fn parse_cmp(p: &mut OpAsmParser<'_>, state: &mut OperationState, keywords: &[&str]) -> ParseResult {
    let predicate = p.parse_keyword_of(keywords)?;
    p.parse_comma()?;
    let lhs = p.parse_operand()?;
    p.parse_comma()?;
    let rhs = p.parse_operand()?;
    parse_flags(p, state)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
    let ctx = p.ctx();
    let i64t = ctx.integer_type(64);
    let pred = ctx.integer_attr(predicate as i128, i64t);
    push_attr(p, state, PREDICATE_ATTR, pred);
    let ctx = p.ctx();
    let i1 = ctx.i1_type();
    let result = with_element_type(ctx, ty, i1);
    state.result_types.push(result);
    Ok(())
}

fn parse_cmpf(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let keywords: Vec<&str> = CmpFPredicate::ALL.iter().map(|k| k.keyword()).collect();
    parse_cmp(p, state, &keywords)
}

fn parse_cmpi(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let keywords: Vec<&str> = CmpIPredicate::ALL.iter().map(|k| k.keyword()).collect();
    parse_cmp(p, state, &keywords)
}

fn print_cmp(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let value = ctx.attr(op, PREDICATE_ATTR).and_then(|a| ctx.attr_as_int(a));
    let keyword = match ctx.op_name(op) {
        "arith.cmpf" => value.and_then(CmpFPredicate::from_value).map(CmpFPredicate::keyword),
        _ => value.and_then(CmpIPredicate::from_value).map(CmpIPredicate::keyword),
    };
    let (operands, result) = (ctx.operands(op).to_vec(), ctx.results(op).to_vec());
    // Only a malformed op lacks a known predicate or its operands: print it
    // generically so that nothing is lost.
    let (Some(keyword), [lhs, rhs], [_]) = (keyword, operands.as_slice(), result.as_slice()) else {
        p.write_str(" ");
        p.print_operands(&operands);
        p.print_optional_attr_dict(op, &[]);
        p.write_str(" : ");
        print_result_type(p, op);
        return;
    };
    p.write_str(" ");
    p.print_keyword(keyword);
    p.write_str(", ");
    p.print_operands(&[*lhs, *rhs]);
    let mut elided = print_flags(p, op);
    elided.push(PREDICATE_ATTR);
    p.print_optional_attr_dict(op, &elided);
    p.write_str(" : ");
    p.print_type(ctx.value_type(*lhs));
}

fn parse_select(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let mut types = Vec::new();
    p.parse_colon_type_list(&mut types)?;
    let (cond_ty, ty) = match types.as_slice() {
        [ty] => (p.ctx().i1_type(), *ty),
        [c, ty] => (*c, *ty),
        _ => return Err(p.emit_error("expected one or two types")),
    };
    let [c, a, b] = operands.as_slice() else {
        return Err(
            p.emit_error_at(p.name_pos(), format!("{} operands present, but expected 3", operands.len()))
        );
    };
    let cond = p.resolve_operand(c, cond_ty)?;
    let t = p.resolve_operand(a, ty)?;
    let f = p.resolve_operand(b, ty)?;
    state.operands.extend([cond, t, f]);
    state.result_types.push(ty);
    Ok(())
}

fn print_select(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    if let Some(&c) = operands.first() {
        let cond_ty = ctx.value_type(c);
        // A scalar `i1` condition is implied; any other is written.
        if !matches!(ctx.type_data(cond_ty), axir_ir::TypeData::Integer { width: 1, .. }) {
            p.print_type(cond_ty);
            p.write_str(", ");
        }
    }
    print_result_type(p, op);
}

fn parse_constant(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let pos = p.current_pos();
    let value = p.parse_attribute()?;
    let Some(ty) = p.ctx().attr_type(value) else {
        return Err(p.emit_error_at(pos, "expected a typed integer, float or elements attribute"));
    };
    push_attr(p, state, VALUE_ATTR, value);
    state.result_types.push(ty);
    Ok(())
}

fn print_constant(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.print_optional_attr_dict(op, &[VALUE_ATTR]);
    if let Some(value) = ctx.attr(op, VALUE_ATTR) {
        p.write_str(" ");
        p.print_attribute(value);
    }
}
