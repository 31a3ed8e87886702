//! Custom textual forms of the array ops.
//!
//! Every op ends with `: OPERAND_TYPES -> RESULT_TYPE`, or `: T` alone when
//! all operands and the result share one type; the printer writes the short
//! form whenever it applies, so both forms round-trip to one text.

use crate::ops::{slice_specs, CMP_PREDICATES, REDUCE_KINDS};
use axir_ir::{NamedAttr, OpId, OperationState, Type};
use axir_syntax::{OpAsmParser, OpAsmPrinter, ParseResult, TokenKind, UnresolvedOperand};

fn named(p: &mut OpAsmParser<'_>, name: &str, value: axir_ir::Attribute) -> NamedAttr {
    NamedAttr { name: p.ctx().ident(name), value }
}

/// Parses the trailing `: T` or `: T1, T2 -> R` and resolves `operands`.
fn parse_signature(
    p: &mut OpAsmParser<'_>,
    operands: &[UnresolvedOperand],
    state: &mut OperationState,
) -> ParseResult {
    p.parse_colon()?;
    let pos = p.current_pos();
    let mut types = Vec::new();
    p.parse_type_list(&mut types)?;
    if p.parse_optional_arrow() {
        let result = p.parse_type()?;
        if types.len() != operands.len() {
            return Err(p.emit_error_at(
                pos,
                format!("expected {} operand types, but got {}", operands.len(), types.len()),
            ));
        }
        p.resolve_operands(operands, &types, &mut state.operands)?;
        state.result_types.push(result);
    } else {
        if types.len() != 1 {
            return Err(p.emit_error_at(
                pos,
                "expected one type shared by operands and result, or 'OPERAND_TYPES -> RESULT_TYPE'",
            ));
        }
        p.resolve_operands_same_type(operands, types[0], &mut state.operands)?;
        state.result_types.push(types[0]);
    }
    Ok(())
}

/// Prints ` : T` when every operand and the result share `T`, else the full form.
fn print_signature(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let operand_types: Vec<Type> = ctx.operands(op).iter().map(|v| ctx.value_type(*v)).collect();
    let result = ctx.value_type(ctx.result(op, 0));
    p.write_str(" : ");
    if !operand_types.is_empty() && operand_types.iter().all(|t| *t == result) {
        p.print_type(result);
    } else {
        p.print_types(&operand_types);
        p.write_str(" -> ");
        p.print_type(result);
    }
}

fn parse_operands(p: &mut OpAsmParser<'_>, count: usize) -> ParseResult<Vec<UnresolvedOperand>> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if i > 0 {
            p.parse_comma()?;
        }
        out.push(p.parse_operand()?);
    }
    Ok(out)
}

fn print_operand_list(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
}

fn parse_dims_list(p: &mut OpAsmParser<'_>) -> ParseResult<Vec<i64>> {
    p.parse_lsquare()?;
    let mut dims = Vec::new();
    if !p.parse_optional_rsquare() {
        loop {
            dims.push(p.parse_integer()?);
            if !p.parse_optional_comma() {
                break;
            }
        }
        p.parse_rsquare()?;
    }
    Ok(dims)
}

fn print_dims_list(p: &mut OpAsmPrinter<'_>, dims: &[i64]) {
    let text = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
    p.write_str(&format!("[{text}]"));
}

fn i64_array(p: &OpAsmPrinter<'_>, op: OpId, name: &str) -> Vec<i64> {
    crate::ops::i64_array_attr(p.ctx(), op, name).unwrap_or_default()
}

fn int_attr(p: &OpAsmPrinter<'_>, op: OpId, name: &str) -> i128 {
    p.ctx().attr(op, name).and_then(|a| p.ctx().attr_as_int(a)).unwrap_or(0)
}

// ----- per-op forms ----------------------------------------------------------

/// `%y = array.exp %x : T` (unary ops, cast, broadcast, reshape).
pub fn parse_unary(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = parse_operands(p, 1)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &operands, state)
}

/// Prints the unary form.
pub fn print_unary(p: &mut OpAsmPrinter<'_>, op: OpId) {
    print_operand_list(p, op);
    p.print_optional_attr_dict(op, &[]);
    print_signature(p, op);
}

/// `%z = array.add %a, %b : ...` (binary ops, matmul).
pub fn parse_binary(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = parse_operands(p, 2)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &operands, state)
}

/// `%w = array.select %c, %a, %b : ...`.
pub fn parse_select(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = parse_operands(p, 3)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &operands, state)
}

/// Operand list, attributes, signature: the printer shared by the plain forms.
pub fn print_plain(p: &mut OpAsmPrinter<'_>, op: OpId) {
    print_unary(p, op);
}

/// `%m = array.cmp lt %a, %b : ...`.
pub fn parse_cmp(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let pos = p.current_pos();
    let pred = p.parse_keyword_str()?;
    if !CMP_PREDICATES.contains(&pred) {
        return Err(p.emit_error_at(
            pos,
            format!("unknown comparison predicate '{pred}'; expected one of eq, ne, lt, le, gt, ge"),
        ));
    }
    let attr = p.ctx().string_attr(pred);
    let pred_attr = named(p, "predicate", attr);
    state.attributes.push(pred_attr);
    parse_binary(p, state)
}

/// Prints `array.cmp`.
pub fn print_cmp(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let pred = p.ctx().attr(op, "predicate").and_then(|a| p.ctx().attr_as_str(a)).unwrap_or("?").to_string();
    p.write_str(" ");
    p.write_str(&pred);
    print_operand_list(p, op);
    p.print_optional_attr_dict(op, &["predicate"]);
    print_signature(p, op);
}

/// `%c = array.constant dense<...> : tensor<...>`.
pub fn parse_constant(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let pos = p.current_pos();
    let value = p.parse_attribute()?;
    let Some(ty) = p.ctx().attr_type(value) else {
        return Err(p.emit_error_at(pos, "expected a dense elements attribute with a type"));
    };
    let attr = named(p, "value", value);
    state.attributes.push(attr);
    state.result_types.push(ty);
    Ok(())
}

/// Prints `array.constant`.
pub fn print_constant(p: &mut OpAsmPrinter<'_>, op: OpId) {
    p.print_optional_attr_dict(op, &["value"]);
    if let Some(v) = p.ctx().attr(op, "value") {
        p.write_str(" ");
        p.print_attribute(v);
    }
}

/// `%i = array.iota dim 1 : tensor<4x8xi64>`.
pub fn parse_iota(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_keyword("dim")?;
    let dim = p.parse_integer()?;
    let i64t = p.ctx().integer_type(64);
    let attr = p.ctx().integer_attr(dim as i128, i64t);
    let dim_attr = named(p, "dim", attr);
    state.attributes.push(dim_attr);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    state.result_types.push(ty);
    Ok(())
}

/// Prints `array.iota`.
pub fn print_iota(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let dim = int_attr(p, op, "dim");
    p.write_str(&format!(" dim {dim}"));
    p.print_optional_attr_dict(op, &["dim"]);
    p.write_str(" : ");
    let ty = p.ctx().value_type(p.ctx().result(op, 0));
    p.print_type(ty);
}

/// `%n = array.dim %x, 0 : tensor<?x8xf32> -> index`.
pub fn parse_dim(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let x = p.parse_operand()?;
    p.parse_comma()?;
    let index = p.parse_integer()?;
    let i64t = p.ctx().integer_type(64);
    let attr = p.ctx().integer_attr(index as i128, i64t);
    let index_attr = named(p, "index", attr);
    state.attributes.push(index_attr);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &[x], state)
}

/// Prints `array.dim`.
pub fn print_dim(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let x = p.ctx().operand(op, 0);
    let index = int_attr(p, op, "index");
    p.write_str(" ");
    p.print_operand(x);
    p.write_str(&format!(", {index}"));
    p.print_optional_attr_dict(op, &["index"]);
    print_signature(p, op);
}

/// `%t = array.transpose %x [1, 0] : ...`.
pub fn parse_transpose(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let x = p.parse_operand()?;
    let perm = parse_dims_list(p)?;
    let attr = p.ctx().i64_array_attr(&perm);
    let perm_attr = named(p, "permutation", attr);
    state.attributes.push(perm_attr);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &[x], state)
}

/// Prints `array.transpose`.
pub fn print_transpose(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let perm = i64_array(p, op, "permutation");
    print_operand_list(p, op);
    p.write_str(" ");
    print_dims_list(p, &perm);
    p.print_optional_attr_dict(op, &["permutation"]);
    print_signature(p, op);
}

/// `%j = array.concat %x, %y dim 0 : ...`.
pub fn parse_concat(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let mut operands = vec![p.parse_operand()?];
    while p.parse_optional_comma() {
        operands.push(p.parse_operand()?);
    }
    p.parse_keyword("dim")?;
    let dim = p.parse_integer()?;
    let i64t = p.ctx().integer_type(64);
    let attr = p.ctx().integer_attr(dim as i128, i64t);
    let dim_attr = named(p, "dim", attr);
    state.attributes.push(dim_attr);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &operands, state)
}

/// Prints `array.concat`.
pub fn print_concat(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let dim = int_attr(p, op, "dim");
    print_operand_list(p, op);
    p.write_str(&format!(" dim {dim}"));
    p.print_optional_attr_dict(op, &["dim"]);
    print_signature(p, op);
}

/// `%u = array.reduce sum %x dims [1] keepdims : ...`.
pub fn parse_reduce(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let pos = p.current_pos();
    let kind = p.parse_keyword_str()?;
    if !REDUCE_KINDS.contains(&kind) {
        return Err(p.emit_error_at(
            pos,
            format!("unknown reduction '{kind}'; expected one of {}", REDUCE_KINDS.join(", ")),
        ));
    }
    let kind_attr = p.ctx().string_attr(kind);
    let kind_attr = named(p, "kind", kind_attr);
    state.attributes.push(kind_attr);
    let x = p.parse_operand()?;
    p.parse_keyword("dims")?;
    let dims = parse_dims_list(p)?;
    let dims_attr = p.ctx().i64_array_attr(&dims);
    let dims_attr = named(p, "dims", dims_attr);
    state.attributes.push(dims_attr);
    if p.parse_optional_keyword("keepdims") {
        let unit = p.ctx().unit_attr();
        let keep = named(p, "keepdims", unit);
        state.attributes.push(keep);
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &[x], state)
}

/// Prints `array.reduce`.
pub fn print_reduce(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let kind = ctx.attr(op, "kind").and_then(|a| ctx.attr_as_str(a)).unwrap_or("?").to_string();
    let dims = i64_array(p, op, "dims");
    let keepdims = crate::ops::keepdims(p.ctx(), op);
    p.write_str(" ");
    p.write_str(&kind);
    print_operand_list(p, op);
    p.write_str(" dims ");
    print_dims_list(p, &dims);
    if keepdims {
        p.write_str(" keepdims");
    }
    // `keepdims = false` is the default: printing the keyword form drops it.
    p.print_optional_attr_dict(op, &["kind", "dims", "keepdims"]);
    print_signature(p, op);
}

/// `%v = array.slice %x [1:4, ::2, -1] : ...`: `start:stop:step` per dim,
/// each part optional; a lone integer `i` means `i:i+1` is NOT supported
/// (basic slicing that drops a dim is a reshape): write `i:i+1`.
pub fn parse_slice(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let x = p.parse_operand()?;
    p.parse_lsquare()?;
    let (mut starts, mut stops, mut steps) = (Vec::new(), Vec::new(), Vec::new());
    if !p.parse_optional_rsquare() {
        loop {
            let (start, stop, step) = parse_slice_entry(p)?;
            starts.push(start);
            stops.push(stop);
            steps.push(step);
            if !p.parse_optional_comma() {
                break;
            }
        }
        p.parse_rsquare()?;
    }
    for (name, parts) in [("starts", starts), ("stops", stops), ("steps", steps)] {
        let i64t = p.ctx().integer_type(64);
        let items: Vec<axir_ir::Attribute> = parts
            .into_iter()
            .map(|v| match v {
                Some(n) => p.ctx().integer_attr(n as i128, i64t),
                None => p.ctx().unit_attr(),
            })
            .collect();
        let arr = p.ctx().array_attr(items);
        let a = named(p, name, arr);
        state.attributes.push(a);
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    parse_signature(p, &[x], state)
}

type SliceEntry = (Option<i64>, Option<i64>, Option<i64>);

fn parse_slice_entry(p: &mut OpAsmParser<'_>) -> ParseResult<SliceEntry> {
    let start = p.parse_optional_integer()?;
    // `::` lexes as one token: it closes `start` and the empty `stop` together.
    if p.parse_optional_token(TokenKind::ColonColon) {
        let step = p.parse_optional_integer()?;
        return Ok((start, None, step));
    }
    if !p.parse_optional_colon() {
        return Err(p.emit_error("expected ':' in slice 'start:stop:step'"));
    }
    let stop = p.parse_optional_integer()?;
    let step = if p.parse_optional_colon() { p.parse_optional_integer()? } else { None };
    Ok((start, stop, step))
}

/// Prints `array.slice`.
pub fn print_slice(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let specs = slice_specs(p.ctx(), op).unwrap_or_default();
    let part = |v: Option<i64>| v.map_or(String::new(), |n| n.to_string());
    let text = specs
        .iter()
        .map(|s| match s.step {
            None => format!("{}:{}", part(s.start), part(s.stop)),
            Some(step) => format!("{}:{}:{step}", part(s.start), part(s.stop)),
        })
        .collect::<Vec<_>>()
        .join(", ");
    print_operand_list(p, op);
    p.write_str(&format!(" [{text}]"));
    p.print_optional_attr_dict(op, &["starts", "stops", "steps"]);
    print_signature(p, op);
}
