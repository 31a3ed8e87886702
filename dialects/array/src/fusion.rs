//! `array.fusion` and `array.yield`: a fusion group made visible in the IR.
//!
//! The `array-fuse` pass (`transforms::fuse`) moves the array ops that one
//! loop nest will compute into the body of an `array.fusion` op. The body is
//! an ordinary array-level program over the group's inputs, so the
//! reference interpreter runs it unchanged and every other pass can look
//! into it; `convert-array-to-loop` turns each group into one loop nest.

use axir_ir::{
    declare_op, Arity, BlockId, Context, DiagResult, Location, OpBuilder, OpDefinition, OpId, OpTraits,
    OperationState, RegionId, Type, TypeData, Value,
};
use axir_syntax::{CustomAssembly, OpAsmParser, OpAsmPrinter, ParseResult};

declare_op! {
    /// A fusion group: array ops that one loop nest computes, with the
    /// values they read from outside as explicit inputs.
    ///
    /// The operands are the group's inputs; the single block of the body
    /// takes one argument per input, of the same type, and ends with an
    /// `array.yield` of the group's outputs, one per result. The body is
    /// isolated from above (it sees only its arguments) and holds only array
    /// ops; splat constants are cloned into it rather than passed in. Its
    /// meaning is the meaning of its body: running the body on the inputs
    /// gives the results.
    ///
    /// Custom form: the inputs in parentheses, an optional attribute
    /// dictionary, the functional type, then the body with its entry block
    /// label and arguments written out.
    ///
    /// ```axir
    /// %r:2 = array.fusion (%x, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?xf32>) {
    /// ^bb0(%a: tensor<?x8xf32>, %c: tensor<8xf32>):
    ///   %0 = array.add %a, %c : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
    ///   %1 = array.reduce max %0 dims [1] : tensor<?x8xf32> -> tensor<?xf32>
    ///   array.yield %0, %1 : tensor<?x8xf32>, tensor<?xf32>
    /// }
    /// ```
    ///
    /// Generic form:
    ///
    /// ```axir
    /// %r = "array.fusion"(%x) ({
    /// ^bb0(%a: tensor<4xf32>):
    ///   %0 = "array.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    ///   "array.yield"(%0) : (tensor<4xf32>) -> ()
    /// }) : (tensor<4xf32>) -> tensor<4xf32>
    /// ```
    pub struct FusionOp = "array.fusion";
    summary = "a group of array ops computed by one loop nest";
    traits(OpTraits::PURE | OpTraits::ISOLATED_FROM_ABOVE | OpTraits::SINGLE_BLOCK);
    operands(Arity::ANY);
    results(Arity::AtLeast(1));
    regions(Arity::Exact(1));
    verifier(verify_fusion);
    interface(CustomAssembly::new(parse_fusion, print_fusion));
}

declare_op! {
    /// Ends the body of an `array.fusion`: its operands are the group's
    /// outputs, one per result of the enclosing op, of the same types.
    ///
    /// ```axir
    /// array.yield %v, %w : tensor<?x8xf32>, tensor<?xf32>
    /// ```
    pub struct YieldOp = "array.yield";
    summary = "the outputs of a fusion group";
    traits(OpTraits::PURE | OpTraits::TERMINATOR | OpTraits::RETURN_LIKE);
    operands(Arity::ANY);
    verifier(verify_yield);
    interface(CustomAssembly::new(parse_yield, print_yield));
}

impl FusionOp {
    /// Creates a fusion op with the given inputs and result types at the
    /// builder's insertion point, with an empty entry block taking one
    /// argument per input. Fill the block and end it with [`YieldOp::build`].
    pub fn build(
        b: &mut OpBuilder<'_>,
        inputs: &[Value],
        result_types: &[Type],
        loc: Location,
    ) -> (Self, BlockId) {
        let args: Vec<(Type, Location)> = inputs.iter().map(|&v| (b.value_type(v), loc)).collect();
        let (region, block) = b.create_region_with_block(&args);
        let name = b.ident(Self::NAME);
        let state = OperationState::new(name, loc)
            .with_operands(inputs)
            .with_results(result_types)
            .with_region(region);
        (FusionOp(b.create(state)), block)
    }

    /// The group's inputs.
    pub fn inputs(self, ctx: &Context) -> &[Value] {
        ctx.operands(self.0)
    }

    /// The body region.
    pub fn region(self, ctx: &Context) -> Option<RegionId> {
        ctx.regions(self.0).first().copied()
    }

    /// The body's single block, if the op has one.
    pub fn body(self, ctx: &Context) -> Option<BlockId> {
        self.region(ctx).and_then(|r| ctx.entry_block(r))
    }

    /// The `array.yield` ending the body, if the body ends with one.
    pub fn yield_op(self, ctx: &Context) -> Option<YieldOp> {
        self.body(ctx).and_then(|b| ctx.last_op(b)).and_then(|t| YieldOp::from_op(ctx, t))
    }
}

impl YieldOp {
    /// Creates `array.yield values` at the builder's insertion point.
    pub fn build(b: &mut OpBuilder<'_>, values: &[Value], loc: Location) -> Self {
        let name = b.ident(Self::NAME);
        YieldOp(b.create(OperationState::new(name, loc).with_operands(values)))
    }

    /// The yielded values.
    pub fn values(self, ctx: &Context) -> &[Value] {
        ctx.operands(self.0)
    }
}

fn is_ranked_tensor(ctx: &Context, ty: Type) -> bool {
    matches!(ctx.type_data(ty), TypeData::Tensor { shape: Some(_), .. })
}

/// `array.fusion`: ranked tensor results, one block whose arguments match
/// the inputs, only array ops in the body, no nested groups.
pub fn verify_fusion(ctx: &Context, op: OpId) -> DiagResult {
    for (i, &r) in ctx.results(op).iter().enumerate() {
        let ty = ctx.value_type(r);
        if !is_ranked_tensor(ctx, ty) {
            return Err(ctx.op_error(
                op,
                format!("result #{i} must be a ranked tensor, but got {}", ctx.display_type(ty)),
            ));
        }
    }
    let Some(block) = FusionOp(op).body(ctx) else {
        return Err(ctx.op_error(op, "expects a body with one block"));
    };
    let args = ctx.block_arguments(block);
    let inputs = ctx.operands(op);
    if args.len() != inputs.len() {
        return Err(ctx.op_error(
            op,
            format!("has {} inputs, but its body takes {} arguments", inputs.len(), args.len()),
        ));
    }
    for (i, (&a, &v)) in args.iter().zip(inputs).enumerate() {
        let (at, vt) = (ctx.value_type(a), ctx.value_type(v));
        if at != vt {
            return Err(ctx.op_error(
                op,
                format!(
                    "type of body argument #{i} ({}) does not match the type of input #{i} ({})",
                    ctx.display_type(at),
                    ctx.display_type(vt)
                ),
            ));
        }
    }
    for inner in ctx.block_ops_iter(block) {
        let name = ctx.op_name(inner);
        if name == FusionOp::NAME {
            return Err(ctx.op_error(op, "body must not contain another 'array.fusion'"));
        }
        if !name.starts_with("array.") {
            return Err(ctx.op_error(op, format!("body may only contain array ops, but found '{name}'")));
        }
    }
    Ok(())
}

/// `array.yield`: inside an `array.fusion`, one operand per result, same types.
pub fn verify_yield(ctx: &Context, op: OpId) -> DiagResult {
    let Some(parent) = ctx.parent_op(op).and_then(|p| FusionOp::from_op(ctx, p)) else {
        return Err(ctx.op_error(op, "expects parent op 'array.fusion'"));
    };
    let results = ctx.results(parent.0);
    let operands = ctx.operands(op);
    if operands.len() != results.len() {
        return Err(ctx.op_error(
            op,
            format!(
                "has {} operands, but the enclosing 'array.fusion' has {} results",
                operands.len(),
                results.len()
            ),
        ));
    }
    for (i, (&v, &r)) in operands.iter().zip(results).enumerate() {
        let (vt, rt) = (ctx.value_type(v), ctx.value_type(r));
        if vt != rt {
            return Err(ctx.op_error(
                op,
                format!(
                    "type of operand #{i} ({}) does not match the type of result #{i} ({}) of the enclosing 'array.fusion'",
                    ctx.display_type(vt),
                    ctx.display_type(rt)
                ),
            ));
        }
    }
    Ok(())
}

/// `array.fusion (%x, %b) {attrs} : (T, U) -> (R, S) { ^bb0(...): ... }`.
fn parse_fusion(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_lparen()?;
    let mut operands = Vec::new();
    if !p.parse_optional_rparen() {
        loop {
            operands.push(p.parse_operand()?);
            if !p.parse_optional_comma() {
                break;
            }
        }
        p.parse_rparen()?;
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    p.parse_colon()?;
    let pos = p.current_pos();
    let ty = p.parse_type()?;
    let TypeData::Function { inputs, results } = p.ctx().type_data(ty).clone() else {
        return Err(p.emit_error_at(pos, "expected a function type '(INPUT_TYPES) -> RESULT_TYPES'"));
    };
    if inputs.len() != operands.len() {
        return Err(p.emit_error_at(
            pos,
            format!("expected {} input types, but got {}", operands.len(), inputs.len()),
        ));
    }
    p.resolve_operands(&operands, &inputs, &mut state.operands)?;
    state.result_types.extend(results);
    let region = p.parse_region(&[])?;
    state.regions.push(region);
    Ok(())
}

fn print_fusion(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let inputs = ctx.operands(op).to_vec();
    let input_types: Vec<Type> = inputs.iter().map(|&v| ctx.value_type(v)).collect();
    let result_types: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    p.write_str(" (");
    p.print_operands(&inputs);
    p.write_str(")");
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    p.print_functional_type(&input_types, &result_types);
    if let Some(&region) = ctx.regions(op).first() {
        p.write_str(" ");
        p.print_region(region, true, true);
    }
}

/// `array.yield %a, %b : T, U`.
fn parse_yield(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let mut operands = Vec::new();
    if let Some(first) = p.parse_optional_operand() {
        operands.push(first);
        while p.parse_optional_comma() {
            operands.push(p.parse_operand()?);
        }
    }
    p.parse_optional_attr_dict(&mut state.attributes)?;
    if operands.is_empty() {
        return Ok(());
    }
    p.parse_colon()?;
    let pos = p.current_pos();
    let mut types = Vec::new();
    p.parse_type_list(&mut types)?;
    if types.len() != operands.len() {
        return Err(
            p.emit_error_at(pos, format!("expected {} types, but got {}", operands.len(), types.len()))
        );
    }
    p.resolve_operands(&operands, &types, &mut state.operands)
}

fn print_yield(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let values = ctx.operands(op).to_vec();
    let types: Vec<Type> = values.iter().map(|&v| ctx.value_type(v)).collect();
    if !values.is_empty() {
        p.write_str(" ");
        p.print_operands(&values);
    }
    p.print_optional_attr_dict(op, &[]);
    if !values.is_empty() {
        p.write_str(" : ");
        p.print_types(&types);
    }
}
