//! [`CustomAssembly`]: the per-op hook that gives an op its custom textual
//! form. Dialect crates attach it to their ops' [`OpInfo`](axir_ir::OpInfo)
//! through the IR core's interface map, so the grammar never changes when a
//! dialect adds syntax.

use crate::parser::{OpAsmParser, ParseResult};
use crate::printer::OpAsmPrinter;
use axir_ir::{OpId, OperationState};

/// Parses an op's custom form. Called with the parser positioned just after
/// the op name; `state` already has the op's name and location. The hook
/// fills operands, result types, attributes, regions and successors.
pub type ParseFn = fn(&mut OpAsmParser<'_>, &mut OperationState) -> ParseResult;

/// Prints an op's custom form. Called after the printer has written the
/// result names and the op name; the hook writes the rest, starting with a
/// space when something follows the name.
pub type PrintFn = fn(&mut OpAsmPrinter<'_>, OpId);

/// The custom syntax of one op: its parse and print hooks.
///
/// Attach it when registering the op:
///
/// ```
/// use axir_ir::{Arity, DialectInfo, DialectRegistry, OpId, OpInfo, OpTraits, OperationState};
/// use axir_syntax::{CustomAssembly, OpAsmParser, OpAsmPrinter, ParseResult};
///
/// /// `%0 = demo.addf %a, %b : f32`
/// fn parse_addf(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
///     let lhs = p.parse_operand()?;
///     p.parse_comma()?;
///     let rhs = p.parse_operand()?;
///     p.parse_optional_attr_dict(&mut state.attributes)?;
///     let ty = p.parse_colon_type()?;
///     p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
///     state.result_types.push(ty);
///     Ok(())
/// }
///
/// fn print_addf(p: &mut OpAsmPrinter<'_>, op: OpId) {
///     let (lhs, rhs) = (p.ctx().operand(op, 0), p.ctx().operand(op, 1));
///     let ty = p.ctx().value_type(p.ctx().result(op, 0));
///     p.write_str(" ");
///     p.print_operand(lhs);
///     p.write_str(", ");
///     p.print_operand(rhs);
///     p.print_optional_attr_dict(op, &[]);
///     p.write_str(" : ");
///     p.print_type(ty);
/// }
///
/// let mut registry = DialectRegistry::new();
/// registry.register_dialect(DialectInfo::new("demo", "a demo dialect")).unwrap();
/// registry
///     .register_op(
///         OpInfo::new("demo.addf", "float addition", "`%0 = demo.addf %a, %b : f32`")
///             .traits(OpTraits::PURE)
///             .operands(Arity::Exact(2))
///             .results(Arity::Exact(1))
///             .interface(CustomAssembly::new(parse_addf, print_addf)),
///     )
///     .unwrap();
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CustomAssembly {
    /// Parses the custom form.
    pub parse: ParseFn,
    /// Prints the custom form.
    pub print: PrintFn,
    /// The dialect whose ops may be written without their prefix inside this
    /// op's regions (MLIR's `getDefaultDialect`): `func.func` sets `"func"`,
    /// so `func.return` is written `return` in a function body.
    pub default_dialect: Option<&'static str>,
}

impl CustomAssembly {
    /// Hooks with no default dialect.
    pub fn new(parse: ParseFn, print: PrintFn) -> Self {
        CustomAssembly { parse, print, default_dialect: None }
    }

    /// Sets the default dialect of this op's regions.
    pub fn with_default_dialect(mut self, dialect: &'static str) -> Self {
        self.default_dialect = Some(dialect);
        self
    }
}
