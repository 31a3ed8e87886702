//! The `array` dialect: whole-array operations with numpy semantics.
//!
//! Programs at this level are what users (or other compilers) write: every
//! value is a ranked tensor, every op is a numpy operation. The reference
//! interpreter runs them; lowerings turn them into fused loop nests.
//!
//! - `ops`: the op declarations and verifiers (shape inference).
//! - `shape`: broadcasting and dynamic-dim rules.
//! - `syntax`: custom textual forms.
//! - `fold`, `canonicalize`: the canonical form (see docs/passes.md).
//! - `convert`: IR attributes and types to and from `axir_ndarray` arrays.
//! - `fusion`: `array.fusion` and `array.yield`, fusion groups in the IR.
//! - `transforms`: the passes of the array level (`array-fuse`).

pub mod canonicalize;
pub mod convert;
pub mod fold;
pub mod fusion;
pub mod ops;
pub mod shape;
pub mod syntax;
pub mod transforms;

pub use fusion::{FusionOp, YieldOp};
pub use ops::*;

use axir_ir::{
    Attribute, AttributeData, Context, DialectInfo, DialectRegistry, Location, OpDefinition, OpId, OpInfo,
    OperationState, Type,
};
use axir_rewrite::CanonicalizationPatterns;
use axir_syntax::CustomAssembly;

/// Builds an `array.constant` for the folder driver.
fn materialize_constant(ctx: &mut Context, value: Attribute, ty: Type, loc: Location) -> Option<OpId> {
    let AttributeData::DenseElements { ty: attr_ty, .. } = ctx.attr_data(value) else { return None };
    if *attr_ty != ty {
        return None;
    }
    let name = ctx.ident(ConstantOp::NAME);
    let value_name = ctx.ident("value");
    Some(ctx.create_op(OperationState::new(name, loc).with_results(&[ty]).with_attr(value_name, value)))
}

fn with_syntax(info: OpInfo, parse: axir_syntax::ParseFn, print: axir_syntax::PrintFn) -> OpInfo {
    info.interface(CustomAssembly::new(parse, print))
}

fn canonical(info: OpInfo, populate: fn(&mut axir_rewrite::RewritePatternSet)) -> OpInfo {
    info.interface(CanonicalizationPatterns { populate })
}

/// The declarations of every elementwise op, in the order of `UNARY_OPS`
/// and `BINARY_OPS`.
fn elementwise_infos() -> Vec<OpInfo> {
    vec![
        NegOp::info(),
        AbsOp::info(),
        SignOp::info(),
        ExpOp::info(),
        Exp2Op::info(),
        Expm1Op::info(),
        LogOp::info(),
        Log2Op::info(),
        Log10Op::info(),
        Log1pOp::info(),
        SqrtOp::info(),
        RsqrtOp::info(),
        SquareOp::info(),
        SinOp::info(),
        CosOp::info(),
        TanOp::info(),
        AsinOp::info(),
        AcosOp::info(),
        AtanOp::info(),
        SinhOp::info(),
        CoshOp::info(),
        TanhOp::info(),
        AsinhOp::info(),
        AcoshOp::info(),
        AtanhOp::info(),
        ErfOp::info(),
        SigmoidOp::info(),
        FloorOp::info(),
        CeilOp::info(),
        RoundOp::info(),
        TruncOp::info(),
        NotOp::info(),
        IsNanOp::info(),
        IsInfOp::info(),
        IsFiniteOp::info(),
        AddOp::info(),
        SubOp::info(),
        MulOp::info(),
        DivOp::info(),
        RemOp::info(),
        FmodOp::info(),
        PowOp::info(),
        MaxOp::info(),
        MinOp::info(),
        Atan2Op::info(),
        HypotOp::info(),
        CopysignOp::info(),
        NextafterOp::info(),
        AndOp::info(),
        OrOp::info(),
        XorOp::info(),
    ]
}

/// Registers the passes of the array level: `array-fuse`.
pub fn register_passes(registry: &mut axir_pass::PassRegistry) {
    transforms::register_passes(registry);
}

/// Registers the `array` dialect and all its ops.
pub fn register(registry: &mut DialectRegistry) {
    use syntax::*;
    let dialect = DialectInfo::new("array", "whole-array operations with numpy semantics")
        .constant_materializer(materialize_constant);
    // Registration failures are programming errors of this crate (duplicate
    // names), caught by its tests.
    let ok = |r: Result<(), axir_ir::RegistryError>| r.expect("array dialect registration");
    ok(registry.register_dialect(dialect));
    let f = fold::fold;
    let ops = [
        with_syntax(ConstantOp::info().folder(fold::fold_constant_op), parse_constant, print_constant),
        with_syntax(IotaOp::info(), parse_iota, print_iota),
        with_syntax(DimOp::info(), parse_dim, print_dim),
        with_syntax(CmpOp::info().folder(f), parse_cmp, print_cmp),
        with_syntax(SelectOp::info().folder(f), parse_select, print_plain),
        with_syntax(CastOp::info().folder(f), parse_unary, print_plain),
        canonical(
            with_syntax(BroadcastOp::info().folder(f), parse_unary, print_plain),
            canonicalize::populate_broadcast,
        ),
        canonical(
            with_syntax(ReshapeOp::info().folder(f), parse_unary, print_plain),
            canonicalize::populate_reshape,
        ),
        canonical(
            with_syntax(TransposeOp::info().folder(f), parse_transpose, print_transpose),
            canonicalize::populate_transpose,
        ),
        with_syntax(SliceOp::info().folder(f), parse_slice, print_slice),
        with_syntax(ConcatOp::info().folder(f), parse_concat, print_concat),
        with_syntax(ReduceOp::info().folder(f), parse_reduce, print_reduce),
        with_syntax(MatmulOp::info().folder(f), parse_binary, print_plain),
        // Fusion groups carry their syntax in their declarations.
        FusionOp::info(),
        YieldOp::info(),
    ];
    for info in ops {
        ok(registry.register_op(info));
    }
    for info in elementwise_infos() {
        let parse = if info.operands == axir_ir::Arity::Exact(1) { parse_unary } else { parse_binary };
        ok(registry.register_op(with_syntax(info.folder(f), parse, print_plain)));
    }
}
