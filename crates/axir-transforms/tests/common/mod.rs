//! A `test` dialect (plus minimal `builtin` and `func` stand-ins) and a
//! `check` helper: parse generic-form IR, run a pipeline, compare with the
//! expected IR normalized through the same parser and printer.

#![allow(dead_code)]

use axir_ir::{
    Arity, Attribute, Context, DialectInfo, DialectRegistry, FoldResult, Location, OpBuilder, OpId, OpInfo,
    OpTraits, Type,
};
use axir_pass::{parse_pipeline, PassRegistry};
use axir_rewrite::{CanonicalizationPatterns, PatternRewriter, RewritePattern, RewritePatternSet};
use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};
use std::sync::Arc;

/// `test.add` folds `x + 0` and `0 + x` to `x`.
fn fold_add(ctx: &mut Context, op: OpId, operands: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    let int = |a: Option<Attribute>| a.and_then(|a| ctx.attr_as_int(a));
    match (int(operands[0]), int(operands[1])) {
        (_, Some(0)) => Some(vec![FoldResult::Value(ctx.operand(op, 0))]),
        (Some(0), _) => Some(vec![FoldResult::Value(ctx.operand(op, 1))]),
        _ => None,
    }
}

/// neg(neg(x)) -> x
struct NegNeg;

impl RewritePattern for NegNeg {
    fn name(&self) -> &'static str {
        "neg-neg"
    }
    fn root(&self) -> Option<&'static str> {
        Some("test.neg")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let inner = rw.operand(op, 0);
        let Some(def) = rw.defining_op(inner) else { return false };
        if rw.op_name(def) != "test.neg" {
            return false;
        }
        let x = rw.operand(def, 0);
        rw.replace_op(op, &[x]);
        true
    }
}

/// flip(x) -> flop(x) and flop(x) -> flip(x): patterns that never converge.
struct Swap(&'static str, &'static str, &'static str);

impl RewritePattern for Swap {
    fn name(&self) -> &'static str {
        self.0
    }
    fn root(&self) -> Option<&'static str> {
        Some(self.1)
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let x = rw.operand(op, 0);
        let ty = rw.value_type(rw.result(op, 0));
        let loc = rw.op_location(op);
        let name = rw.ctx().ident(self.2);
        rw.replace_op_with_new(
            op,
            axir_ir::OperationState::new(name, loc).with_operands(&[x]).with_results(&[ty]),
        );
        true
    }
}

fn materialize(ctx: &mut Context, value: Attribute, ty: Type, loc: Location) -> Option<OpId> {
    let mut b = OpBuilder::new(ctx);
    Some(b.create_named("test.constant", loc, &[], &[ty], &[("value", value)]))
}

pub fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    r.register_dialect(DialectInfo::new("test", "test ops").constant_materializer(materialize)).unwrap();
    r.register_dialect(DialectInfo::new("builtin", "stand-in")).unwrap();
    r.register_dialect(DialectInfo::new("func", "stand-in")).unwrap();
    let pure = |name: &'static str, n: usize| {
        OpInfo::new(name, "", "").traits(OpTraits::PURE).operands(Arity::Exact(n)).results(Arity::Exact(1))
    };
    let ops = vec![
        OpInfo::new("builtin.module", "", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::NO_TERMINATOR | OpTraits::SYMBOL_TABLE)
            .regions(Arity::Exact(1)),
        OpInfo::new("func.func", "", "")
            .traits(OpTraits::ISOLATED_FROM_ABOVE | OpTraits::SYMBOL)
            .regions(Arity::Exact(1)),
        OpInfo::new("func.return", "", "").traits(OpTraits::PURE | OpTraits::TERMINATOR).operands(Arity::ANY),
        OpInfo::new("func.call", "", "").operands(Arity::ANY).results(Arity::ANY),
        OpInfo::new("test.constant", "", "")
            .traits(OpTraits::PURE | OpTraits::CONSTANT_LIKE)
            .results(Arity::Exact(1))
            .required_attrs(&["value"]),
        pure("test.add", 2).traits(OpTraits::PURE | OpTraits::COMMUTATIVE).folder(fold_add),
        pure("test.sub", 2),
        pure("test.neg", 1)
            .interface(CanonicalizationPatterns { populate: |set: &mut RewritePatternSet| set.add(NegNeg) }),
        pure("test.flip", 1).interface(CanonicalizationPatterns {
            populate: |set: &mut RewritePatternSet| set.add(Swap("flip-to-flop", "test.flip", "test.flop")),
        }),
        pure("test.flop", 1).interface(CanonicalizationPatterns {
            populate: |set: &mut RewritePatternSet| set.add(Swap("flop-to-flip", "test.flop", "test.flip")),
        }),
        OpInfo::new("test.effect", "", "").operands(Arity::ANY).results(Arity::ANY),
        OpInfo::new("test.use", "", "").operands(Arity::ANY),
        OpInfo::new("test.region", "", "")
            .traits(OpTraits::NO_TERMINATOR)
            .operands(Arity::ANY)
            .results(Arity::ANY)
            .regions(Arity::ANY),
        OpInfo::new("test.isolated", "", "")
            .traits(OpTraits::NO_TERMINATOR | OpTraits::ISOLATED_FROM_ABOVE)
            .regions(Arity::ANY),
        OpInfo::new("test.cfg", "", "").regions(Arity::ANY),
        OpInfo::new("test.br", "", "").traits(OpTraits::TERMINATOR).successors(Arity::ANY),
        OpInfo::new("test.ret", "", "").traits(OpTraits::TERMINATOR),
        OpInfo::new("test.table", "", "")
            .traits(OpTraits::SYMBOL_TABLE | OpTraits::SYMBOL | OpTraits::NO_TERMINATOR)
            .regions(Arity::Exact(1)),
        OpInfo::new("test.sym", "", "").traits(OpTraits::SYMBOL),
    ];
    for op in ops {
        r.register_op(op).unwrap();
    }
    Arc::new(r)
}

pub fn passes() -> PassRegistry {
    let mut r = PassRegistry::new();
    axir_transforms::register_passes(&mut r);
    r
}

pub fn parse(ctx: &mut Context, text: &str) -> OpId {
    match parse_source(ctx, text, "in.axir", &ParseOptions::default()) {
        Ok(op) => op,
        Err(d) => panic!("parse error: {:?}", d.iter().map(|d| d.to_plain_string(ctx)).collect::<Vec<_>>()),
    }
}

pub fn print(ctx: &Context, op: OpId) -> String {
    print_op(ctx, op, &PrintOptions::default())
}

/// Parses `input`, runs `passes` (e.g. `cse` or `canonicalize{top-down=false}`)
/// on the module, and returns the printed IR or the rendered diagnostics.
pub fn run(passes_text: &str, input: &str) -> Result<String, Vec<String>> {
    let mut ctx = Context::new(registry());
    let module = parse(&mut ctx, input);
    assert!(axir_ir::verify(&ctx, module).is_ok(), "test input must verify");
    let mut pm = parse_pipeline(&format!("builtin.module({passes_text})"), &passes()).unwrap();
    match pm.run(&mut ctx, module) {
        Ok(()) => Ok(print(&ctx, module)),
        Err(f) => Err(f.diagnostics.iter().map(|d| d.to_plain_string(&ctx)).collect()),
    }
}

/// `expected` normalized through the parser and printer.
pub fn normalize(expected: &str) -> String {
    let mut ctx = Context::new(registry());
    let module = parse(&mut ctx, expected);
    print(&ctx, module)
}

#[track_caller]
pub fn check(passes_text: &str, input: &str, expected: &str) {
    let got = run(passes_text, input).unwrap_or_else(|d| panic!("pass failed: {d:?}"));
    let want = normalize(expected);
    assert_eq!(got, want, "\n--- got ---\n{got}\n--- want ---\n{want}");
}
