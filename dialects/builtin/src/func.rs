//! The `func` dialect: functions (`func.func`), returns (`func.return`) and
//! direct calls (`func.call`), with MLIR's verifiers and wording.

use axir_ir::{
    declare_op, Arity, AttributeData, BlockId, Context, DiagResult, Diagnostic, Location, OpBuilder,
    OpDefinition, OpId, OpTraits, OperationState, RegionId, SymbolTableCollection, Type, TypeData, Value,
    SYM_NAME_ATTR, SYM_VISIBILITY_ATTR,
};

use crate::verify_string_attr;

/// Name of the attribute holding a function's type.
pub const FUNCTION_TYPE_ATTR: &str = "function_type";
/// Name of the optional array of per-argument attribute dictionaries.
pub const ARG_ATTRS_ATTR: &str = "arg_attrs";
/// Name of the optional array of per-result attribute dictionaries.
pub const RES_ATTRS_ATTR: &str = "res_attrs";
/// Name of `func.call`'s callee attribute.
pub const CALLEE_ATTR: &str = "callee";

declare_op! {
    /// A function: a symbol with a function type and a body region whose
    /// entry block takes the function's arguments.
    ///
    /// A function with an empty body is a declaration; declarations must not
    /// be public. Optional `arg_attrs`/`res_attrs` hold one dictionary per
    /// argument/result. The body is isolated from above: it sees only its
    /// arguments and symbols.
    ///
    /// ```axir
    /// func.func @axpy(%a: f32, %x: f32, %y: f32) -> f32 {
    ///   %0 = arith.mulf %a, %x : f32
    ///   %1 = arith.addf %0, %y : f32
    ///   func.return %1 : f32
    /// }
    /// func.func private @sqrt(f32) -> f32
    /// ```
    pub struct FuncOp = "func.func";
    summary = "an operation with a name containing a single `SSACFG` region";
    traits(OpTraits::SYMBOL | OpTraits::ISOLATED_FROM_ABOVE);
    regions(Arity::Exact(1));
    required_attrs(&[FUNCTION_TYPE_ATTR, SYM_NAME_ATTR]);
    verifier(verify_func);
    interface(crate::syntax::func_assembly());
}

impl FuncOp {
    /// Creates a function with an entry block taking `inputs`, at the
    /// builder's insertion point; fill the body through [`FuncOp::entry_block`].
    pub fn build(
        b: &mut OpBuilder<'_>,
        name: &str,
        inputs: &[Type],
        results: &[Type],
        loc: Location,
    ) -> Self {
        let args: Vec<(Type, Location)> = inputs.iter().map(|&t| (t, loc)).collect();
        let (region, _) = b.create_region_with_block(&args);
        Self::build_with_region(b, name, inputs, results, region, loc)
    }

    /// Creates a private declaration (a function without a body).
    pub fn build_declaration(
        b: &mut OpBuilder<'_>,
        name: &str,
        inputs: &[Type],
        results: &[Type],
        loc: Location,
    ) -> Self {
        let region = b.create_region();
        let f = Self::build_with_region(b, name, inputs, results, region, loc);
        let private = b.string_attr("private");
        b.set_attr(f.0, SYM_VISIBILITY_ATTR, private);
        f
    }

    fn build_with_region(
        b: &mut OpBuilder<'_>,
        name: &str,
        inputs: &[Type],
        results: &[Type],
        region: RegionId,
        loc: Location,
    ) -> Self {
        let ty = b.function_type(inputs.to_vec(), results.to_vec());
        let ty_attr = b.type_attr(ty);
        let name_attr = b.string_attr(name);
        let (op_name, ty_name, sym_name) =
            (b.ident(Self::NAME), b.ident(FUNCTION_TYPE_ATTR), b.ident(SYM_NAME_ATTR));
        let state = OperationState::new(op_name, loc)
            .with_attr(ty_name, ty_attr)
            .with_attr(sym_name, name_attr)
            .with_region(region);
        FuncOp(b.create(state))
    }

    /// The function's symbol name (empty when the op is malformed).
    pub fn name(self, ctx: &Context) -> &str {
        ctx.symbol_name(self.0).unwrap_or("")
    }

    /// The `function_type` attribute's type, if it is a function type.
    pub fn function_type(self, ctx: &Context) -> Option<Type> {
        let ty = ctx.attr(self.0, FUNCTION_TYPE_ATTR).and_then(|a| ctx.attr_as_type(a))?;
        matches!(ctx.type_data(ty), TypeData::Function { .. }).then_some(ty)
    }

    /// Replaces the signature. The entry block's argument types are the
    /// caller's to keep in step.
    pub fn set_function_type(self, ctx: &mut Context, inputs: Vec<Type>, results: Vec<Type>) {
        let ty = ctx.function_type(inputs, results);
        let attr = ctx.type_attr(ty);
        ctx.set_attr(self.0, FUNCTION_TYPE_ATTR, attr);
    }

    /// Argument types of the signature (empty when the op is malformed).
    pub fn input_types(self, ctx: &Context) -> &[Type] {
        function_parts(ctx, self.function_type(ctx)).0
    }

    /// Result types of the signature (empty when the op is malformed).
    pub fn result_types(self, ctx: &Context) -> &[Type] {
        function_parts(ctx, self.function_type(ctx)).1
    }

    /// The body region (`None` only when the op is malformed).
    pub fn body(self, ctx: &Context) -> Option<RegionId> {
        ctx.regions(self.0).first().copied()
    }

    /// The entry block; `None` for a declaration.
    pub fn entry_block(self, ctx: &Context) -> Option<BlockId> {
        ctx.regions(self.0).first().and_then(|&r| ctx.entry_block(r))
    }

    /// The arguments of the entry block (empty for a declaration).
    pub fn arguments(self, ctx: &Context) -> &[Value] {
        match self.entry_block(ctx) {
            Some(b) => ctx.block_arguments(b),
            None => &[],
        }
    }

    /// Whether the function has no body.
    pub fn is_declaration(self, ctx: &Context) -> bool {
        self.entry_block(ctx).is_none()
    }

    /// The symbol visibility: `"public"` unless `sym_visibility` says otherwise.
    pub fn visibility(self, ctx: &Context) -> &str {
        ctx.attr(self.0, SYM_VISIBILITY_ATTR).and_then(|a| ctx.attr_as_str(a)).unwrap_or("public")
    }
}

/// The inputs and results of a function type (empty for anything else).
fn function_parts(ctx: &Context, ty: Option<Type>) -> (&[Type], &[Type]) {
    match ty.map(|t| ctx.type_data(t)) {
        Some(TypeData::Function { inputs, results }) => (inputs, results),
        _ => (&[], &[]),
    }
}

/// Finds the `func.func` named `name`, resolving from `from` outward through
/// the enclosing symbol tables.
pub fn lookup_func(ctx: &Context, from: OpId, name: &str) -> Option<FuncOp> {
    ctx.lookup_symbol_from(from, name).and_then(|op| FuncOp::from_op(ctx, op))
}

fn verify_func(ctx: &Context, op: OpId) -> DiagResult {
    // Attribute constraints first, in MLIR's order, so that the structural
    // checks below may rely on well-typed attributes.
    verify_string_attr(ctx, op, SYM_NAME_ATTR)?;
    let Some(fn_ty) = FuncOp(op).function_type(ctx) else {
        return Err(ctx.op_error(
            op,
            "attribute 'function_type' failed to satisfy constraint: type attribute of function type",
        ));
    };
    verify_string_attr(ctx, op, SYM_VISIBILITY_ATTR)?;
    let (inputs, results) = function_parts(ctx, Some(fn_ty));
    let arg_attrs = dictionary_array(ctx, op, ARG_ATTRS_ATTR)?;
    let res_attrs = dictionary_array(ctx, op, RES_ATTRS_ATTR)?;

    let func = FuncOp(op);
    let visibility = func.visibility(ctx);
    if !matches!(visibility, "public" | "private" | "nested") {
        return Err(ctx.op_error(
            op,
            format!(
                "visibility expected to be one of [\"public\", \"private\", \"nested\"], but got \"{visibility}\""
            ),
        ));
    }
    if func.is_declaration(ctx) && visibility == "public" {
        return Err(ctx.op_error(op, "symbol declaration cannot have public visibility"));
    }
    if let Some(n) = arg_attrs.filter(|&n| n != inputs.len()) {
        return Err(ctx.op_error(
            op,
            format!(
                "expects argument attribute array to have the same number of elements as the number of \
                 function arguments, got {n}, but expected {}",
                inputs.len()
            ),
        ));
    }
    if let Some(n) = res_attrs.filter(|&n| n != results.len()) {
        return Err(ctx.op_error(
            op,
            format!(
                "expects result attribute array to have the same number of elements as the number of \
                 function results, got {n}, but expected {}",
                results.len()
            ),
        ));
    }
    // Invariant: in verified IR the entry block arguments are the function
    // arguments, so passes may read either.
    if let Some(entry) = func.entry_block(ctx) {
        let args = ctx.block_arguments(entry);
        if args.len() != inputs.len() {
            return Err(ctx.op_error(
                op,
                format!("entry block must have {} arguments to match function signature", inputs.len()),
            ));
        }
        for (i, (&arg, &expected)) in args.iter().zip(inputs).enumerate() {
            let found = ctx.value_type(arg);
            if found != expected {
                return Err(ctx.op_error(
                    op,
                    format!(
                        "type of entry block argument #{i}('{}') must match the type of the corresponding \
                         argument in function signature('{}')",
                        ctx.display_type(found),
                        ctx.display_type(expected)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks that the optional attribute `name` is an array of dictionaries
/// and returns its length.
fn dictionary_array(ctx: &Context, op: OpId, name: &str) -> DiagResult<Option<usize>> {
    let Some(attr) = ctx.attr(op, name) else { return Ok(None) };
    match ctx.attr_data(attr) {
        AttributeData::Array(elems)
            if elems.iter().all(|e| matches!(ctx.attr_data(*e), AttributeData::Dictionary(_))) =>
        {
            Ok(Some(elems.len()))
        }
        _ => Err(ctx.op_error(
            op,
            format!("attribute '{name}' failed to satisfy constraint: Array of dictionary attributes"),
        )),
    }
}

declare_op! {
    /// Returns control and values from a function. It must be the last op
    /// of a block of a `func.func`, and its operands must match the
    /// function's result types.
    ///
    /// ```axir
    /// func.func @pair(%a: f32) -> (f32, f32) {
    ///   func.return %a, %a : f32, f32
    /// }
    /// ```
    pub struct ReturnOp = "func.return";
    summary = "function return operation";
    traits(OpTraits::PURE | OpTraits::TERMINATOR | OpTraits::RETURN_LIKE);
    operands(Arity::ANY);
    verifier(verify_return);
    interface(crate::syntax::return_assembly());
}

impl ReturnOp {
    /// Creates a return of `values` at the builder's insertion point.
    pub fn build(b: &mut OpBuilder<'_>, values: &[Value], loc: Location) -> Self {
        let name = b.ident(Self::NAME);
        ReturnOp(b.create(OperationState::new(name, loc).with_operands(values)))
    }

    /// The returned values.
    pub fn values(self, ctx: &Context) -> &[Value] {
        ctx.operands(self.0)
    }
}

fn verify_return(ctx: &Context, op: OpId) -> DiagResult {
    let Some(func) = ctx.parent_op(op).and_then(|p| FuncOp::from_op(ctx, p)) else {
        return Err(ctx.op_error(op, "expects parent op 'func.func'"));
    };
    let results = func.result_types(ctx);
    let operands = ctx.operands(op);
    if operands.len() != results.len() {
        return Err(ctx.op_error(
            op,
            format!(
                "has {} operands, but enclosing function (@{}) returns {}",
                operands.len(),
                func.name(ctx),
                results.len()
            ),
        ));
    }
    for (i, (&v, &expected)) in operands.iter().zip(results).enumerate() {
        let found = ctx.value_type(v);
        if found != expected {
            // MLIR words this one without the `'func.return' op` prefix.
            return Err(Diagnostic::error(
                ctx.op_location(op),
                format!(
                    "type of return operand {i} ('{}') doesn't match function result type ('{}') in function @{}",
                    ctx.display_type(found),
                    ctx.display_type(expected),
                    func.name(ctx)
                ),
            ));
        }
    }
    Ok(())
}

declare_op! {
    /// Calls the function named by the `callee` symbol with the operands as
    /// arguments. The callee must be a `func.func` visible from the call,
    /// and the operand and result types must match its signature.
    ///
    /// ```axir
    /// %r = func.call @sqrt(%x) : (f32) -> f32
    /// ```
    pub struct CallOp = "func.call";
    summary = "call operation";
    operands(Arity::ANY);
    results(Arity::ANY);
    required_attrs(&[CALLEE_ATTR]);
    verifier(verify_call);
    symbol_uses_verifier(verify_call_symbol_uses);
    interface(crate::syntax::call_assembly());
}

impl CallOp {
    /// Creates a call of `callee` with `args` returning `result_types`.
    pub fn build(
        b: &mut OpBuilder<'_>,
        callee: &str,
        args: &[Value],
        result_types: &[Type],
        loc: Location,
    ) -> Self {
        let callee = b.symbol_ref_attr(callee);
        let (name, callee_name) = (b.ident(Self::NAME), b.ident(CALLEE_ATTR));
        let state = OperationState::new(name, loc)
            .with_operands(args)
            .with_results(result_types)
            .with_attr(callee_name, callee);
        CallOp(b.create(state))
    }

    /// Creates a call of `func`, taking the result types from its signature.
    pub fn build_to(b: &mut OpBuilder<'_>, func: FuncOp, args: &[Value], loc: Location) -> Self {
        let name = func.name(b).to_string();
        let results = func.result_types(b).to_vec();
        Self::build(b, &name, args, &results, loc)
    }

    /// The callee's name (empty when the op is malformed).
    pub fn callee(self, ctx: &Context) -> &str {
        ctx.attr(self.0, CALLEE_ATTR).and_then(|a| ctx.attr_as_symbol(a)).unwrap_or("")
    }

    /// The call arguments.
    pub fn args(self, ctx: &Context) -> &[Value] {
        ctx.operands(self.0)
    }
}

fn verify_call(ctx: &Context, op: OpId) -> DiagResult {
    let flat = ctx.attr(op, CALLEE_ATTR).is_some_and(|a| ctx.attr_as_symbol(a).is_some());
    if !flat {
        return Err(ctx.op_error(
            op,
            "attribute 'callee' failed to satisfy constraint: flat symbol reference attribute",
        ));
    }
    Ok(())
}

fn verify_call_symbol_uses(ctx: &Context, op: OpId, symbols: &mut SymbolTableCollection) -> DiagResult {
    let call = CallOp(op);
    let callee = call.callee(ctx);
    if callee.is_empty() {
        // Reported by `verify_call`.
        return Ok(());
    }
    let Some(func) = symbols.lookup_from(ctx, op, callee).and_then(|f| FuncOp::from_op(ctx, f)) else {
        return Err(ctx.op_error(op, format!("'{callee}' does not reference a valid function")));
    };
    let (inputs, results) = (func.input_types(ctx), func.result_types(ctx));
    let operands = ctx.operands(op);
    if operands.len() != inputs.len() {
        return Err(ctx.op_error(op, "incorrect number of operands for callee"));
    }
    for (i, (&v, &expected)) in operands.iter().zip(inputs).enumerate() {
        let found = ctx.value_type(v);
        if found != expected {
            return Err(ctx.op_error(
                op,
                format!(
                    "operand type mismatch: expected operand type '{}', but provided '{}' for operand number {i}",
                    ctx.display_type(expected),
                    ctx.display_type(found)
                ),
            ));
        }
    }
    let op_results: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    if op_results.len() != results.len() {
        return Err(ctx.op_error(op, "incorrect number of results for callee"));
    }
    if let Some(i) = op_results.iter().zip(results).position(|(a, b)| a != b) {
        let loc = ctx.op_location(op);
        return Err(ctx
            .op_error(op, format!("result type mismatch at index {i}"))
            .with_note(loc, format!("      op result types: {}", type_list(ctx, &op_results)))
            .with_note(loc, format!("function result types: {}", type_list(ctx, results))));
    }
    Ok(())
}

/// Types quoted and comma separated, as MLIR streams a type range into a
/// diagnostic.
fn type_list(ctx: &Context, types: &[Type]) -> String {
    types.iter().map(|&t| format!("'{}'", ctx.display_type(t))).collect::<Vec<_>>().join(", ")
}
