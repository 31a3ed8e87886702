//! Custom textual forms of the `loop` ops, modelled on MLIR's `memref` and
//! `scf` ops. Each parser accepts exactly what its printer writes, plus the
//! documented shorthands (an omitted empty `loop.yield`).

use crate::memref::MemRefType;
use crate::ops::{parallel_rank, INDEX_ATTR, REDUCTIONS_ATTR};
use axir_ir::{Attribute, AttributeData, NamedAttr, OpId, OpTraits, OperationState, RegionId, Type, Value};
use axir_syntax::{Argument, Delimiter, OpAsmParser, OpAsmPrinter, ParseResult, UnresolvedOperand};

fn push_attr(p: &mut OpAsmParser<'_>, state: &mut OperationState, name: &str, value: Attribute) {
    let name = p.ctx().ident(name);
    state.attributes.push(NamedAttr { name, value });
}

/// Resolves each operand of `operands` as an `index`.
fn resolve_indices(
    p: &mut OpAsmParser<'_>,
    operands: &[UnresolvedOperand],
    out: &mut Vec<Value>,
) -> ParseResult {
    let index = p.ctx().index_type();
    p.resolve_operands_same_type(operands, index, out)
}

/// A memref type, or an error at the type.
fn parse_memref_type(p: &mut OpAsmParser<'_>) -> ParseResult<(Type, MemRefType)> {
    let pos = p.current_pos();
    let ty = p.parse_type()?;
    match MemRefType::of(p.ctx(), ty) {
        Some(m) => Ok((ty, m)),
        None => {
            let text = p.ctx().display_type(ty).to_string();
            Err(p.emit_error_at(
                pos,
                format!("expected a memref type with an identity or strided layout, but got {text}"),
            ))
        }
    }
}

/// Guards a printer against IR that breaks the op's declared structure (it
/// can be printed before verification): writes a marker instead of the
/// custom form and returns true when `op` has fewer operands, results or
/// regions than the form needs.
pub(crate) fn malformed(
    p: &mut OpAsmPrinter<'_>,
    op: OpId,
    operands: usize,
    results: usize,
    regions: usize,
) -> bool {
    let ctx = p.ctx();
    let bad = ctx.operands(op).len() < operands
        || ctx.results(op).len() < results
        || ctx.regions(op).len() < regions;
    if bad {
        p.write_str(" <<malformed op: run the verifier, or print it with --print-op-generic>>");
    }
    bad
}

fn print_value_list(p: &mut OpAsmPrinter<'_>, values: &[Value]) {
    p.write_str("[");
    p.print_operands(values);
    p.write_str("]");
}

fn print_type_of(p: &mut OpAsmPrinter<'_>, v: Value) {
    let ty = p.ctx().value_type(v);
    p.print_type(ty);
}

// ----- memory ops ------------------------------------------------------------

/// `%b = loop.alloc(%d0) : memref<?x8xf32>`
pub fn parse_alloc(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let sizes = p.parse_operand_list(Delimiter::Paren)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    resolve_indices(p, &sizes, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

/// Prints `loop.alloc`.
pub fn print_alloc(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 0, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str("(");
    p.print_operands(&operands);
    p.write_str(")");
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    print_type_of(p, p.ctx().result(op, 0));
}

/// `loop.dealloc %b : memref<?x8xf32>`
pub fn parse_dealloc(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let b = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    let v = p.resolve_operand(&b, ty)?;
    state.operands.push(v);
    Ok(())
}

/// Prints `loop.dealloc`.
pub fn print_dealloc(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 0, 0) {
        return;
    }
    let b = p.ctx().operand(op, 0);
    p.write_str(" ");
    p.print_operand(b);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    print_type_of(p, b);
}

/// `%n = loop.dim %b, 0 : memref<?x8xf32>`
pub fn parse_dim(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let b = p.parse_operand()?;
    p.parse_comma()?;
    let index = p.parse_integer()?;
    let i64t = p.ctx().integer_type(64);
    let attr = p.ctx().integer_attr(i128::from(index), i64t);
    push_attr(p, state, INDEX_ATTR, attr);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    let v = p.resolve_operand(&b, ty)?;
    state.operands.push(v);
    let index_ty = p.ctx().index_type();
    state.result_types.push(index_ty);
    Ok(())
}

/// Prints `loop.dim`.
pub fn print_dim(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 0, 0) {
        return;
    }
    let ctx = p.ctx();
    let b = ctx.operand(op, 0);
    let index = crate::ops::dim_index(ctx, op).unwrap_or(0);
    p.write_str(" ");
    p.print_operand(b);
    p.write_str(&format!(", {index}"));
    p.print_optional_attr_dict(op, &[INDEX_ATTR]);
    p.write_str(" : ");
    print_type_of(p, b);
}

/// `%v = loop.load %b[%i, %j] : memref<?x8xf32>`
pub fn parse_load(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let b = p.parse_operand()?;
    let indices = p.parse_operand_list(Delimiter::Square)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    p.parse_colon()?;
    let (ty, m) = parse_memref_type(p)?;
    let v = p.resolve_operand(&b, ty)?;
    state.operands.push(v);
    resolve_indices(p, &indices, &mut state.operands)?;
    state.result_types.push(m.element);
    Ok(())
}

/// Prints `loop.load`.
pub fn print_load(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operand(operands[0]);
    print_value_list(p, &operands[1..]);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    print_type_of(p, operands[0]);
}

/// `loop.store %v, %b[%i, %j] : memref<?x8xf32>`
pub fn parse_store(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let value = p.parse_operand()?;
    p.parse_comma()?;
    let b = p.parse_operand()?;
    let indices = p.parse_operand_list(Delimiter::Square)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    p.parse_colon()?;
    let (ty, m) = parse_memref_type(p)?;
    let value = p.resolve_operand(&value, m.element)?;
    let b = p.resolve_operand(&b, ty)?;
    state.operands.extend([value, b]);
    resolve_indices(p, &indices, &mut state.operands)
}

/// Prints `loop.store`.
pub fn print_store(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 2, 0, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operand(operands[0]);
    p.write_str(", ");
    p.print_operand(operands[1]);
    print_value_list(p, &operands[2..]);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    print_type_of(p, operands[1]);
}

/// `: SRC_TYPE -> RESULT_TYPE`, resolving the source operand.
fn parse_view_types(
    p: &mut OpAsmParser<'_>,
    src: &UnresolvedOperand,
    state: &mut OperationState,
) -> ParseResult {
    p.parse_colon()?;
    let src_ty = p.parse_type()?;
    p.parse_arrow()?;
    let result = p.parse_type()?;
    let v = p.resolve_operand(src, src_ty)?;
    state.operands.insert(0, v);
    state.result_types.push(result);
    Ok(())
}

fn print_view_types(p: &mut OpAsmPrinter<'_>, op: OpId) {
    p.write_str(" : ");
    print_type_of(p, p.ctx().operand(op, 0));
    p.write_str(" -> ");
    print_type_of(p, p.ctx().result(op, 0));
}

/// `%s = loop.subview %b[%o0, %o1] [%s0, %s1] [%t0, %t1] : T -> R`
pub fn parse_subview(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let src = p.parse_operand()?;
    let mut all = Vec::new();
    for _ in 0..3 {
        all.extend(p.parse_operand_list(Delimiter::Square)?);
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    resolve_indices(p, &all, &mut state.operands)?;
    parse_view_types(p, &src, state)
}

/// Prints `loop.subview`; the three lists split the index operands evenly
/// (the verifier guarantees `3 * rank` of them).
pub fn print_subview(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    let rank = (operands.len() - 1) / 3;
    p.write_str(" ");
    p.print_operand(operands[0]);
    for k in 0..3 {
        if k > 0 {
            p.write_str(" ");
        }
        let end = if k == 2 { operands.len() } else { 1 + (k + 1) * rank };
        print_value_list(p, &operands[1 + k * rank..end]);
    }
    p.print_optional_attr_dict(op, &[]);
    print_view_types(p, op);
}

/// `%w = loop.view %b offset %o sizes [%s0] strides [%t0] : T -> R`
pub fn parse_view(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let src = p.parse_operand()?;
    p.parse_keyword("offset")?;
    let mut all = vec![p.parse_operand()?];
    p.parse_keyword("sizes")?;
    let sizes = p.parse_operand_list(Delimiter::Square)?;
    p.parse_keyword("strides")?;
    let pos = p.current_pos();
    let strides = p.parse_operand_list(Delimiter::Square)?;
    if sizes.len() != strides.len() {
        return Err(p.emit_error_at(
            pos,
            format!("expected {} strides, one per size, but got {}", sizes.len(), strides.len()),
        ));
    }
    all.extend(sizes);
    all.extend(strides);
    p.parse_optional_attr_dict(&mut state.attributes)?;
    resolve_indices(p, &all, &mut state.operands)?;
    parse_view_types(p, &src, state)
}

/// Prints `loop.view`.
pub fn print_view(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 2, 1, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    let rank = operands.len().saturating_sub(2) / 2;
    p.write_str(" ");
    p.print_operand(operands[0]);
    p.write_str(" offset ");
    p.print_operand(operands[1]);
    p.write_str(" sizes ");
    print_value_list(p, &operands[2..2 + rank]);
    p.write_str(" strides ");
    print_value_list(p, &operands[2 + rank..]);
    p.print_optional_attr_dict(op, &[]);
    print_view_types(p, op);
}

/// `loop.copy %src, %dst : T1, T2`
pub fn parse_copy(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let src = p.parse_operand()?;
    p.parse_comma()?;
    let dst = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    p.parse_colon()?;
    let src_ty = p.parse_type()?;
    p.parse_comma()?;
    let dst_ty = p.parse_type()?;
    let src = p.resolve_operand(&src, src_ty)?;
    let dst = p.resolve_operand(&dst, dst_ty)?;
    state.operands.extend([src, dst]);
    Ok(())
}

/// Prints `loop.copy`.
pub fn print_copy(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 2, 0, 0) {
        return;
    }
    let operands = p.ctx().operands(op).to_vec();
    p.write_str(" ");
    p.print_operands(&operands);
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    print_type_of(p, operands[0]);
    p.write_str(", ");
    print_type_of(p, operands[1]);
}

// ----- loops -----------------------------------------------------------------

/// A region argument written without a type; `ty` is known from elsewhere.
fn typed(mut a: Argument, ty: Type) -> Argument {
    a.ty = ty;
    a
}

/// Appends an empty `loop.yield` to the body when it does not end with a
/// terminator: the text may leave it out when the loop has no results.
fn ensure_yield(p: &mut OpAsmParser<'_>, region: RegionId, state: &OperationState) {
    let ctx = p.ctx();
    let Some(block) = ctx.entry_block(region) else { return };
    let terminated =
        ctx.last_op(block).is_some_and(|last| ctx.op_info(last).is_some_and(|i| i.has(OpTraits::TERMINATOR)));
    if terminated {
        return;
    }
    let name = ctx.ident("loop.yield");
    let y = ctx.create_op(OperationState::new(name, state.location));
    ctx.append_op(block, y);
}

/// `(%a = %x, ...)` after `iter_args`: the region arguments and their inits.
fn parse_assignments(p: &mut OpAsmParser<'_>) -> ParseResult<(Vec<Argument>, Vec<UnresolvedOperand>)> {
    p.parse_lparen()?;
    let (mut args, mut inits) = (Vec::new(), Vec::new());
    if !p.parse_optional_rparen() {
        loop {
            args.push(p.parse_argument(false, false)?);
            p.parse_equal()?;
            inits.push(p.parse_operand()?);
            if !p.parse_optional_comma() {
                break;
            }
        }
        p.parse_rparen()?;
    }
    Ok((args, inits))
}

/// `-> (T, ...)` or `-> T`, with exactly `n` types.
fn parse_result_types(p: &mut OpAsmParser<'_>, n: usize) -> ParseResult<Vec<Type>> {
    let pos = p.current_pos();
    let mut types = Vec::new();
    p.parse_arrow()?;
    p.parse_function_result_types(&mut types)?;
    if types.len() != n {
        return Err(p.emit_error_at(
            pos,
            format!("expected {n} result types, one per init value, but got {}", types.len()),
        ));
    }
    Ok(types)
}

/// Whether the body's terminator is an empty `loop.yield` the printer may leave out.
fn elidable_yield(p: &OpAsmPrinter<'_>, op: OpId) -> bool {
    let ctx = p.ctx();
    if !ctx.results(op).is_empty() {
        return false;
    }
    let Some(block) = ctx.regions(op).first().and_then(|r| ctx.entry_block(*r)) else { return true };
    ctx.last_op(block).is_some_and(|y| {
        ctx.op_name(y) == "loop.yield" && ctx.operands(y).is_empty() && ctx.attrs(y).is_empty()
    })
}

fn print_body(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let elide = elidable_yield(p, op);
    if let Some(&region) = p.ctx().regions(op).first() {
        p.write_str(" ");
        p.print_region(region, false, !elide);
    }
}

/// `%r = loop.for %i = %lb to %ub step %st [iter_args(%a = %x) -> (T)] { ... }`
pub fn parse_for(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let iv = p.parse_argument(false, false)?;
    p.parse_equal()?;
    let lb = p.parse_operand()?;
    p.parse_keyword("to")?;
    let ub = p.parse_operand()?;
    p.parse_keyword("step")?;
    let step = p.parse_operand()?;
    resolve_indices(p, &[lb, ub, step], &mut state.operands)?;
    let index = p.ctx().index_type();
    let mut args = vec![typed(iv, index)];
    if p.parse_optional_keyword("iter_args") {
        let (iter_args, inits) = parse_assignments(p)?;
        let types = parse_result_types(p, inits.len())?;
        p.resolve_operands(&inits, &types, &mut state.operands)?;
        args.extend(iter_args.into_iter().zip(&types).map(|(a, t)| typed(a, *t)));
        state.result_types.extend(types);
    }
    let region = p.parse_region(&args)?;
    ensure_yield(p, region, state);
    state.regions.push(region);
    p.parse_optional_attr_dict(&mut state.attributes)
}

/// Prints `loop.for`.
pub fn print_for(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 3, 0, 1) {
        return;
    }
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    let args: Vec<Value> = ctx
        .regions(op)
        .first()
        .and_then(|r| ctx.entry_block(*r))
        .map(|b| ctx.block_arguments(b).to_vec())
        .unwrap_or_default();
    let results: Vec<Type> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    p.write_str(" ");
    match args.first() {
        Some(iv) => p.print_operand(*iv),
        None => p.write_str("%<<NO INDUCTION VARIABLE>>"),
    }
    p.write_str(" = ");
    p.print_operand(operands[0]);
    p.write_str(" to ");
    p.print_operand(operands[1]);
    p.write_str(" step ");
    p.print_operand(operands[2]);
    if operands.len() > 3 {
        p.write_str(" iter_args(");
        for (i, init) in operands[3..].iter().enumerate() {
            if i > 0 {
                p.write_str(", ");
            }
            match args.get(i + 1) {
                Some(a) => p.print_operand(*a),
                None => p.write_str("%<<MISSING ARGUMENT>>"),
            }
            p.write_str(" = ");
            p.print_operand(*init);
        }
        p.write_str(") -> (");
        p.print_types(&results);
        p.write_str(")");
    }
    print_body(p, op);
    p.print_optional_attr_dict(op, &[]);
}

/// `%r = loop.parallel (%i) = (%lb) to (%ub) step (%s) [reduce([...]) init(%x) -> (T)] { ... }`
pub fn parse_parallel(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let ivs = p.parse_argument_list(Delimiter::Paren, false, false)?;
    p.parse_equal()?;
    let n = ivs.len();
    let mut bounds = Vec::new();
    for (i, kw) in ["", "to", "step"].iter().enumerate() {
        if i > 0 {
            p.parse_keyword(kw)?;
        }
        let pos = p.current_pos();
        let list = p.parse_operand_list(Delimiter::Paren)?;
        if list.len() != n {
            let what = ["lower bounds", "upper bounds", "steps"][i];
            return Err(p.emit_error_at(
                pos,
                format!("expected {n} {what}, one per induction variable, but got {}", list.len()),
            ));
        }
        bounds.extend(list);
    }
    resolve_indices(p, &bounds, &mut state.operands)?;
    if p.parse_optional_keyword("reduce") {
        p.parse_lparen()?;
        let pos = p.current_pos();
        let kinds = p.parse_attribute()?;
        let count = match p.ctx().attr_data(kinds) {
            AttributeData::Array(items) => items.len(),
            _ => return Err(p.emit_error_at(pos, "expected an array of reduction op names")),
        };
        p.parse_rparen()?;
        push_attr(p, state, REDUCTIONS_ATTR, kinds);
        p.parse_keyword("init")?;
        let pos = p.current_pos();
        let inits = p.parse_operand_list(Delimiter::Paren)?;
        if inits.len() != count {
            return Err(p.emit_error_at(
                pos,
                format!("expected {count} init values, one per reduction, but got {}", inits.len()),
            ));
        }
        let types = parse_result_types(p, count)?;
        p.resolve_operands(&inits, &types, &mut state.operands)?;
        state.result_types.extend(types);
    }
    let index = p.ctx().index_type();
    let args: Vec<Argument> = ivs.into_iter().map(|a| typed(a, index)).collect();
    let region = p.parse_region(&args)?;
    ensure_yield(p, region, state);
    state.regions.push(region);
    p.parse_optional_attr_dict(&mut state.attributes)
}

/// Prints `loop.parallel`.
pub fn print_parallel(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 0, 0, 1) {
        return;
    }
    let ctx = p.ctx();
    let n = parallel_rank(ctx, op);
    let operands = ctx.operands(op).to_vec();
    let args: Vec<Value> = ctx
        .regions(op)
        .first()
        .and_then(|r| ctx.entry_block(*r))
        .map(|b| ctx.block_arguments(b).to_vec())
        .unwrap_or_default();
    let results: Vec<Type> = ctx.results(op).iter().map(|v| ctx.value_type(*v)).collect();
    let reductions = ctx.attr(op, REDUCTIONS_ATTR);
    // Invalid IR (an operand count that does not match the region) still
    // prints, as the operands it has.
    let group = |k: usize| operands.get(k * n..((k + 1) * n).min(operands.len())).unwrap_or(&[]).to_vec();
    p.write_str(" (");
    p.print_operands(&args);
    p.write_str(") = (");
    p.print_operands(&group(0));
    p.write_str(") to (");
    p.print_operands(&group(1));
    p.write_str(") step (");
    p.print_operands(&group(2));
    p.write_str(")");
    if !results.is_empty() || reductions.is_some() {
        let inits = operands.get(3 * n..).unwrap_or(&[]).to_vec();
        p.write_str(" reduce(");
        match reductions {
            Some(r) => p.print_attribute(r),
            None => p.write_str("[]"),
        }
        p.write_str(") init(");
        p.print_operands(&inits);
        p.write_str(") -> (");
        p.print_types(&results);
        p.write_str(")");
    }
    print_body(p, op);
    p.print_optional_attr_dict(op, &[REDUCTIONS_ATTR]);
}

/// `loop.yield %a, %b : f32, f32` or `loop.yield`
pub fn parse_yield(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    if operands.is_empty() {
        return Ok(());
    }
    let mut types = Vec::new();
    p.parse_colon_type_list(&mut types)?;
    p.resolve_operands(&operands, &types, &mut state.operands)
}

/// Prints `loop.yield`.
pub fn print_yield(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let operands = p.ctx().operands(op).to_vec();
    if !operands.is_empty() {
        p.write_str(" ");
        p.print_operands(&operands);
    }
    p.print_optional_attr_dict(op, &[]);
    if !operands.is_empty() {
        let types: Vec<Type> = operands.iter().map(|v| p.ctx().value_type(*v)).collect();
        p.write_str(" : ");
        p.print_types(&types);
    }
}

// ----- checks ----------------------------------------------------------------

/// `loop.assert %ok, "message {0}" (%n)`
pub fn parse_assert(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let cond = p.parse_operand()?;
    p.parse_comma()?;
    let msg = p.parse_string()?;
    let values = p.parse_operand_list(Delimiter::OptionalParen)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let i1 = p.ctx().integer_type(1);
    let c = p.resolve_operand(&cond, i1)?;
    state.operands.push(c);
    resolve_indices(p, &values, &mut state.operands)?;
    let attr = p.ctx().string_attr(msg);
    push_attr(p, state, crate::ops::MSG_ATTR, attr);
    Ok(())
}

/// Prints `loop.assert`.
pub fn print_assert(p: &mut OpAsmPrinter<'_>, op: OpId) {
    if malformed(p, op, 1, 0, 0) {
        return;
    }
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    let Some(msg) = crate::ops::assert_message(ctx, op).map(str::to_string) else {
        p.write_str(" <<malformed op: run the verifier, or print it with --print-op-generic>>");
        return;
    };
    p.write_str(" ");
    p.print_operand(operands[0]);
    p.write_str(", ");
    p.print_string(&msg);
    if operands.len() > 1 {
        p.write_str(" (");
        p.print_operands(&operands[1..]);
        p.write_str(")");
    }
    p.print_optional_attr_dict(op, &[crate::ops::MSG_ATTR]);
}
