//! Custom textual forms of the vector ops, exactly as mlir-opt prints them.

use super::{reduction_kind, CombiningKind, KIND_ATTR};
use crate::syntax::malformed;
use axir_ir::{NamedAttr, OpId, OperationState, Type, Value};
use axir_syntax::{Delimiter, OpAsmParser, OpAsmPrinter, ParseResult, UnresolvedOperand};

fn resolve_indices(
    p: &mut OpAsmParser<'_>,
    operands: &[UnresolvedOperand],
    out: &mut Vec<Value>,
) -> ParseResult {
    let index = p.ctx().index_type();
    p.resolve_operands_same_type(operands, index, out)
}

fn type_of(p: &OpAsmPrinter<'_>, v: Value) -> Type {
    p.ctx().value_type(v)
}

/// `%base[%i, ...]`
fn parse_base(p: &mut OpAsmParser<'_>) -> ParseResult<(UnresolvedOperand, Vec<UnresolvedOperand>)> {
    let base = p.parse_operand()?;
    let indices = p.parse_operand_list(Delimiter::Square)?;
    Ok((base, indices.into_vec()))
}

fn print_base(p: &mut OpAsmPrinter<'_>, operands: &[Value]) {
    p.print_operand(operands[0]);
    p.write_str("[");
    p.print_operands(&operands[1..]);
    p.write_str("]");
}

fn print_types(p: &mut OpAsmPrinter<'_>, types: &[Type]) {
    p.write_str(" : ");
    p.print_types(types);
}

/// `%v = vector.load %b[%i] : memref<?xf32>, vector<8xf32>`
pub fn parse_load(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let (base, indices) = parse_base(p)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let base_ty = p.parse_colon_type()?;
    p.parse_comma()?;
    let result = p.parse_type()?;
    let b = p.resolve_operand(&base, base_ty)?;
    state.operands.push(b);
    resolve_indices(p, &indices, &mut state.operands)?;
    state.result_types.push(result);
    Ok(())
}

/// Prints `vector.load`.
pub fn print_load(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    print_base(p, &operands);
    p.print_optional_attr_dict(op, &[]);
    let types = [type_of(p, operands[0]), type_of(p, p.ctx().result(op, 0))];
    print_types(p, &types);
}

/// `vector.store %v, %b[%i] : memref<?xf32>, vector<8xf32>`
pub fn parse_store(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let value = p.parse_operand()?;
    p.parse_comma()?;
    let (base, indices) = parse_base(p)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let base_ty = p.parse_colon_type()?;
    p.parse_comma()?;
    let value_ty = p.parse_type()?;
    let v = p.resolve_operand(&value, value_ty)?;
    let b = p.resolve_operand(&base, base_ty)?;
    state.operands.extend([v, b]);
    resolve_indices(p, &indices, &mut state.operands)
}

/// Prints `vector.store`.
pub fn print_store(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 2, 0, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operand(operands[0]);
    p.write_str(", ");
    print_base(p, &operands[1..]);
    p.print_optional_attr_dict(op, &[]);
    let types = [type_of(p, operands[1]), type_of(p, operands[0])];
    print_types(p, &types);
}

/// `%v = vector.maskedload %b[%i], %m, %pass : memref<?xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>`
pub fn parse_maskedload(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let (base, indices) = parse_base(p)?;
    p.parse_comma()?;
    let mask = p.parse_operand()?;
    p.parse_comma()?;
    let pass = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let base_ty = p.parse_colon_type()?;
    p.parse_comma()?;
    let mask_ty = p.parse_type()?;
    p.parse_comma()?;
    let pass_ty = p.parse_type()?;
    p.parse_keyword("into")?;
    let result = p.parse_type()?;
    let b = p.resolve_operand(&base, base_ty)?;
    state.operands.push(b);
    resolve_indices(p, &indices, &mut state.operands)?;
    let m = p.resolve_operand(&mask, mask_ty)?;
    let pt = p.resolve_operand(&pass, pass_ty)?;
    state.operands.extend([m, pt]);
    state.result_types.push(result);
    Ok(())
}

/// Prints `vector.maskedload`.
pub fn print_maskedload(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 3, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    let n = operands.len();
    p.write_str(" ");
    print_base(p, &operands[..n - 2]);
    p.write_str(", ");
    p.print_operands(&operands[n - 2..]);
    p.print_optional_attr_dict(op, &[]);
    let types = [type_of(p, operands[0]), type_of(p, operands[n - 2]), type_of(p, operands[n - 1])];
    print_types(p, &types);
    p.write_str(" into ");
    let result = type_of(p, p.ctx().result(op, 0));
    p.print_type(result);
}

/// `vector.maskedstore %b[%i], %m, %v : memref<?xf32>, vector<8xi1>, vector<8xf32>`
pub fn parse_maskedstore(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let (base, indices) = parse_base(p)?;
    p.parse_comma()?;
    let mask = p.parse_operand()?;
    p.parse_comma()?;
    let value = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let base_ty = p.parse_colon_type()?;
    p.parse_comma()?;
    let mask_ty = p.parse_type()?;
    p.parse_comma()?;
    let value_ty = p.parse_type()?;
    let b = p.resolve_operand(&base, base_ty)?;
    state.operands.push(b);
    resolve_indices(p, &indices, &mut state.operands)?;
    let m = p.resolve_operand(&mask, mask_ty)?;
    let v = p.resolve_operand(&value, value_ty)?;
    state.operands.extend([m, v]);
    Ok(())
}

/// Prints `vector.maskedstore`.
pub fn print_maskedstore(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 3, 0, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    let n = operands.len();
    p.write_str(" ");
    print_base(p, &operands[..n - 2]);
    p.write_str(", ");
    p.print_operands(&operands[n - 2..]);
    p.print_optional_attr_dict(op, &[]);
    let types = [type_of(p, operands[0]), type_of(p, operands[n - 2]), type_of(p, operands[n - 1])];
    print_types(p, &types);
}

/// `%v = vector.broadcast %s : f32 to vector<8xf32>`
pub fn parse_broadcast(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let src = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let src_ty = p.parse_colon_type()?;
    p.parse_keyword("to")?;
    let result = p.parse_type()?;
    let s = p.resolve_operand(&src, src_ty)?;
    state.operands.push(s);
    state.result_types.push(result);
    Ok(())
}

/// Prints `vector.broadcast`.
pub fn print_broadcast(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 1, 0) {
        return;
    }
    let src = p.ctx().operand(op, 0);
    p.write_str(" ");
    p.print_operand(src);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    p.print_type(type_of(p, src));
    p.write_str(" to ");
    let result = type_of(p, p.ctx().result(op, 0));
    p.print_type(result);
}

/// `%s = vector.reduction <add>, %v [, %acc] : vector<8xf32> into f32`
pub fn parse_reduction(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_less()?;
    let pos = p.current_pos();
    let keyword = p.parse_keyword_str()?;
    let Some(kind) = CombiningKind::from_keyword(keyword) else {
        let all: Vec<&str> = CombiningKind::ALL.iter().map(|k| k.keyword()).collect();
        return Err(p.emit_error_at(
            pos,
            format!("expected ::mlir::vector::CombiningKind to be one of: {}", all.join(", ")),
        ));
    };
    p.parse_greater()?;
    let attr = kind.to_attr(p.ctx());
    let name = p.ctx().ident(KIND_ATTR);
    state.attributes.push(NamedAttr { name, value: attr });
    p.parse_comma()?;
    let v = p.parse_operand()?;
    let acc = if p.parse_optional_comma() { Some(p.parse_operand()?) } else { None };
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let vty = p.parse_colon_type()?;
    p.parse_keyword("into")?;
    let result = p.parse_type()?;
    let v = p.resolve_operand(&v, vty)?;
    state.operands.push(v);
    if let Some(acc) = acc {
        let a = p.resolve_operand(&acc, result)?;
        state.operands.push(a);
    }
    state.result_types.push(result);
    Ok(())
}

/// Prints `vector.reduction`.
pub fn print_reduction(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 1, 0) {
        return;
    }
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    let kind = reduction_kind(ctx, op);
    p.write_str(" <");
    p.write_str(kind.map_or("<<INVALID KIND>>", |k| k.keyword()));
    p.write_str(">, ");
    p.print_operands(&operands);
    // A kind the printer cannot spell stays in the dictionary, so nothing is lost.
    let elided: &[&str] = if kind.is_some() { &[KIND_ATTR] } else { &[] };
    p.print_optional_attr_dict(op, elided);
    p.write_str(" : ");
    p.print_type(type_of(p, operands[0]));
    p.write_str(" into ");
    let result = type_of(p, p.ctx().result(op, 0));
    p.print_type(result);
}

/// `%r = vector.fma %a, %b, %c : vector<8xf32>`
pub fn parse_fma(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    if operands.len() != 3 {
        return Err(p.emit_error(format!("expected 3 operands, but got {}", operands.len())));
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&operands, ty, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

/// Prints `vector.fma`.
pub fn print_fma(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 0, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    let result = type_of(p, p.ctx().result(op, 0));
    p.print_type(result);
}

/// `%m = vector.create_mask %n : vector<8xi1>`
pub fn parse_create_mask(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    resolve_indices(p, &operands, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

/// Prints `vector.create_mask`.
pub fn print_create_mask(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 0, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    let result = type_of(p, p.ctx().result(op, 0));
    p.print_type(result);
}
