//! The custom textual forms of the builtin and func ops, as mlir-opt prints
//! them:
//!
//! ```axir
//! module @m attributes {gpu.container_module} {
//!   func.func private @decl(f32 {llvm.noundef}) -> f32
//!   func.func @f(%arg0: f32) -> (f32, f32) attributes {inline} {
//!     %0 = call @decl(%arg0) : (f32) -> f32
//!     return %0, %0 : f32, f32
//!   }
//! }
//! ```
//!
//! Inside a function body the `func` prefix may be left out (`return`,
//! `call`): `func.func` declares `func` as the default dialect of its region.

use axir_ir::{
    Attribute, AttributeData, NamedAttr, OpId, OperationState, Type, TypeData, Value, SYM_NAME_ATTR,
    SYM_VISIBILITY_ATTR,
};
use axir_syntax::{Argument, CustomAssembly, Delimiter, OpAsmParser, OpAsmPrinter, ParseResult, TokenKind};

use crate::func::{ARG_ATTRS_ATTR, CALLEE_ATTR, FUNCTION_TYPE_ATTR, RES_ATTRS_ATTR};

pub(crate) fn module_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_module, print_module)
}

pub(crate) fn func_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_func, print_func).with_default_dialect("func")
}

pub(crate) fn return_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_return, print_return)
}

pub(crate) fn call_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_call, print_call)
}

pub(crate) fn cast_assembly() -> CustomAssembly {
    CustomAssembly::new(parse_cast, print_cast)
}

fn push_attr(p: &mut OpAsmParser<'_>, state: &mut OperationState, name: &str, value: Attribute) {
    let name = p.ctx().ident(name);
    state.attributes.push(NamedAttr { name, value });
}

/// `module [@name] [attributes {...}] { ... }`
fn parse_module(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    if let Some(name) = p.parse_optional_symbol_name()? {
        let value = p.ctx().string_attr(name);
        push_attr(p, state, SYM_NAME_ATTR, value);
    }
    p.parse_optional_attr_dict_with_keyword(&mut state.attributes)?;
    let region = p.parse_region(&[])?;
    // `module {}` prints an empty body; the op always has its one block.
    let ctx = p.ctx();
    if ctx.region_blocks(region).is_empty() {
        ctx.append_new_block(region, &[]);
    }
    state.regions.push(region);
    Ok(())
}

fn print_module(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    if let Some(name) = ctx.symbol_name(op) {
        p.write_str(" ");
        p.print_symbol_name(name);
    }
    p.print_optional_attr_dict_with_keyword(op, &[SYM_NAME_ATTR]);
    if let Some(&region) = ctx.regions(op).first() {
        p.write_str(" ");
        p.print_region(region, false, true);
    }
}

/// One entry of a signature: its type and optional attribute dictionary.
struct SigEntry {
    ty: Type,
    attrs: Option<Attribute>,
}

/// `(%a: f32 {attrs}, ...)` for a definition or `(f32 {attrs}, ...)` for a
/// declaration; the named arguments are returned for the body's entry block.
fn parse_signature_inputs(p: &mut OpAsmParser<'_>) -> ParseResult<(Vec<SigEntry>, Vec<Argument>)> {
    p.parse_lparen()?;
    let mut entries = Vec::new();
    let mut args = Vec::new();
    if p.parse_optional_rparen() {
        return Ok((entries, args));
    }
    if p.peek() == TokenKind::ValueId {
        loop {
            let a = p.parse_argument(true, true)?;
            entries.push(SigEntry { ty: a.ty, attrs: a.attrs });
            args.push(a);
            if !p.parse_optional_comma() {
                break;
            }
        }
    } else {
        loop {
            entries.push(parse_type_with_attrs(p)?);
            if !p.parse_optional_comma() {
                break;
            }
        }
    }
    p.parse_rparen()?;
    Ok((entries, args))
}

fn parse_type_with_attrs(p: &mut OpAsmParser<'_>) -> ParseResult<SigEntry> {
    let ty = p.parse_type()?;
    let mut attrs = Vec::new();
    p.parse_optional_attr_dict(&mut attrs)?;
    let attrs = (!attrs.is_empty()).then(|| {
        let ctx = p.ctx();
        let named = attrs.iter().map(|a| (ctx.ident_str(a.name).to_string(), a.value)).collect();
        ctx.dictionary_attr(named)
    });
    Ok(SigEntry { ty, attrs })
}

/// `-> type` or `-> (type {attrs}, ...)`, if an arrow is next.
fn parse_signature_results(p: &mut OpAsmParser<'_>) -> ParseResult<Vec<SigEntry>> {
    let mut out = Vec::new();
    if !p.parse_optional_arrow() {
        return Ok(out);
    }
    if !p.parse_optional_lparen() {
        out.push(SigEntry { ty: p.parse_type()?, attrs: None });
        return Ok(out);
    }
    if p.parse_optional_rparen() {
        return Ok(out);
    }
    loop {
        out.push(parse_type_with_attrs(p)?);
        if !p.parse_optional_comma() {
            break;
        }
    }
    p.parse_rparen()?;
    Ok(out)
}

/// The `arg_attrs`/`res_attrs` array, if any entry has attributes.
fn attrs_array(p: &mut OpAsmParser<'_>, entries: &[SigEntry]) -> Option<Attribute> {
    if entries.iter().all(|e| e.attrs.is_none()) {
        return None;
    }
    let ctx = p.ctx();
    let empty = ctx.dictionary_attr(Vec::new());
    let elems = entries.iter().map(|e| e.attrs.unwrap_or(empty)).collect();
    Some(ctx.array_attr(elems))
}

/// `func.func [visibility] @name(args) [-> results] [attributes {...}] [{ body }]`
fn parse_func(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    for visibility in ["private", "public", "nested"] {
        if p.parse_optional_keyword(visibility) {
            let value = p.ctx().string_attr(visibility);
            push_attr(p, state, SYM_VISIBILITY_ATTR, value);
            break;
        }
    }
    let name = p.parse_symbol_name()?;
    let name = p.ctx().string_attr(name);
    push_attr(p, state, SYM_NAME_ATTR, name);
    let (inputs, args) = parse_signature_inputs(p)?;
    let results = parse_signature_results(p)?;
    let ctx = p.ctx();
    let fn_ty =
        ctx.function_type(inputs.iter().map(|e| e.ty).collect(), results.iter().map(|e| e.ty).collect());
    let fn_ty = ctx.type_attr(fn_ty);
    push_attr(p, state, FUNCTION_TYPE_ATTR, fn_ty);
    if let Some(a) = attrs_array(p, &inputs) {
        push_attr(p, state, ARG_ATTRS_ATTR, a);
    }
    if let Some(a) = attrs_array(p, &results) {
        push_attr(p, state, RES_ATTRS_ATTR, a);
    }
    p.parse_optional_attr_dict_with_keyword(&mut state.attributes)?;
    let pos = p.current_pos();
    let region = match p.parse_optional_region(&args)? {
        Some(r) => r,
        None => {
            if !args.is_empty() {
                return Err(p.emit_error_at(
                    pos,
                    "expected '{' to begin the body of a function with named arguments",
                ));
            }
            p.ctx().create_region()
        }
    };
    state.regions.push(region);
    Ok(())
}

/// The dictionary at `index` of the array attribute `name`, if non-empty.
fn entry_attrs(p: &OpAsmPrinter<'_>, op: OpId, name: &str, index: usize) -> Option<Attribute> {
    let ctx = p.ctx();
    let array = ctx.attr(op, name)?;
    let AttributeData::Array(elems) = ctx.attr_data(array) else { return None };
    let dict = *elems.get(index)?;
    match ctx.attr_data(dict) {
        AttributeData::Dictionary(entries) if !entries.is_empty() => Some(dict),
        _ => None,
    }
}

fn print_func(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let fn_ty = ctx.attr(op, FUNCTION_TYPE_ATTR).and_then(|a| ctx.attr_as_type(a));
    let (inputs, results) = match fn_ty.map(|t| ctx.type_data(t)) {
        Some(TypeData::Function { inputs, results }) => (inputs.clone(), results.clone()),
        _ => (Vec::new(), Vec::new()),
    };
    p.write_str(" ");
    if let Some(vis) = ctx.attr(op, SYM_VISIBILITY_ATTR).and_then(|a| ctx.attr_as_str(a)) {
        p.write_str(vis);
        p.write_str(" ");
    }
    p.print_symbol_name(ctx.symbol_name(op).unwrap_or(""));
    let region = ctx.regions(op).first().copied();
    let entry = region.and_then(|r| ctx.entry_block(r));
    let args: Vec<Value> = entry.map(|b| ctx.block_arguments(b).to_vec()).unwrap_or_default();
    p.write_str("(");
    for (i, ty) in inputs.iter().enumerate() {
        if i > 0 {
            p.write_str(", ");
        }
        match args.get(i) {
            Some(&a) => p.print_argument(a),
            None => p.print_type(*ty),
        }
        if let Some(d) = entry_attrs(p, op, ARG_ATTRS_ATTR, i) {
            p.write_str(" ");
            p.print_attribute(d);
        }
    }
    p.write_str(")");
    let any_res_attrs = (0..results.len()).any(|i| entry_attrs(p, op, RES_ATTRS_ATTR, i).is_some());
    if !results.is_empty() {
        p.write_str(" -> ");
        let plain = results.len() == 1
            && !any_res_attrs
            && !matches!(ctx.type_data(results[0]), TypeData::Function { .. });
        if plain {
            p.print_type(results[0]);
        } else {
            p.write_str("(");
            for (i, ty) in results.iter().enumerate() {
                if i > 0 {
                    p.write_str(", ");
                }
                p.print_type(*ty);
                if let Some(d) = entry_attrs(p, op, RES_ATTRS_ATTR, i) {
                    p.write_str(" ");
                    p.print_attribute(d);
                }
            }
            p.write_str(")");
        }
    }
    p.print_optional_attr_dict_with_keyword(
        op,
        &[SYM_NAME_ATTR, SYM_VISIBILITY_ATTR, FUNCTION_TYPE_ATTR, ARG_ATTRS_ATTR, RES_ATTRS_ATTR],
    );
    if let (Some(region), Some(_)) = (region, entry) {
        p.write_str(" ");
        p.print_region(region, false, true);
    }
}

/// `return [attr-dict] [%a, %b : f32, f32]`
fn parse_return(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let operands = p.parse_operand_list(Delimiter::None)?;
    if operands.is_empty() {
        return Ok(());
    }
    let mut types = Vec::new();
    p.parse_colon_type_list(&mut types)?;
    p.resolve_operands(&operands, &types, &mut state.operands)
}

fn print_return(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.print_optional_attr_dict(op, &[]);
    let operands = ctx.operands(op).to_vec();
    if operands.is_empty() {
        return;
    }
    p.write_str(" ");
    p.print_operands(&operands);
    p.write_str(" : ");
    let types: Vec<Type> = operands.iter().map(|&v| ctx.value_type(v)).collect();
    p.print_types(&types);
}

/// `call @callee(%a, %b) [attr-dict] : (f32, f32) -> f32`
fn parse_call(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let callee = p.parse_symbol_name()?;
    let operands = p.parse_operand_list(Delimiter::Paren)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    p.parse_colon()?;
    let pos = p.current_pos();
    let ty = p.parse_type()?;
    let (inputs, results) = match p.ctx().type_data(ty) {
        TypeData::Function { inputs, results } => (inputs.clone(), results.clone()),
        _ => return Err(p.emit_error_at(pos, "expected function type")),
    };
    p.resolve_operands(&operands, &inputs, &mut state.operands)?;
    state.result_types.extend(results);
    let callee = p.ctx().symbol_ref_attr(callee);
    push_attr(p, state, CALLEE_ATTR, callee);
    Ok(())
}

fn print_call(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.write_str(" ");
    match ctx.attr(op, CALLEE_ATTR).and_then(|a| ctx.attr_as_symbol(a)) {
        Some(name) => p.print_symbol_name(name),
        None => p.write_str("@"),
    }
    let operands = ctx.operands(op).to_vec();
    p.write_str("(");
    p.print_operands(&operands);
    p.write_str(")");
    let elided: &[&str] = if ctx.attr(op, CALLEE_ATTR).and_then(|a| ctx.attr_as_symbol(a)).is_some() {
        &[CALLEE_ATTR]
    } else {
        &[]
    };
    p.print_optional_attr_dict(op, elided);
    p.write_str(" : ");
    let inputs: Vec<Type> = operands.iter().map(|&v| ctx.value_type(v)).collect();
    let results: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    p.print_functional_type(&inputs, &results);
}

/// `[%a, %b : i32, i32] to f32, f32 [attr-dict]`
fn parse_cast(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let operands = p.parse_operand_list(Delimiter::None)?;
    if !operands.is_empty() {
        let mut types = Vec::new();
        p.parse_colon_type_list(&mut types)?;
        p.resolve_operands(&operands, &types, &mut state.operands)?;
    }
    p.parse_keyword("to")?;
    p.parse_type_list(&mut state.result_types)?;
    p.parse_optional_attr_dict(&mut state.attributes)
}

fn print_cast(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let operands = ctx.operands(op).to_vec();
    if !operands.is_empty() {
        p.write_str(" ");
        p.print_operands(&operands);
        p.write_str(" : ");
        let types: Vec<Type> = operands.iter().map(|&v| ctx.value_type(v)).collect();
        p.print_types(&types);
    }
    p.write_str(" to ");
    let results: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    p.print_types(&results);
    p.print_optional_attr_dict(op, &[]);
}
