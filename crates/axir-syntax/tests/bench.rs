//! Parse/print throughput on a large module in the syntax of
//! `bench/gen_scalar_module.py` (func.func bodies of arith ops). Ignored by
//! default; run in release:
//!
//! ```text
//! cargo test --release -p axir-syntax --test bench -- --ignored --nocapture
//! AXIR_BENCH_FILE=/tmp/scalar-1M.axir cargo test --release ...   # a given file
//! ```

mod common;
use axir_ir::{Arity, Context, DialectRegistry, OpId, OpInfo, OperationState};
use axir_syntax::{
    parse_source, print_op, CustomAssembly, OpAsmParser, OpAsmPrinter, ParseResult, PrintOptions,
};
use std::sync::Arc;
use std::time::Instant;

fn parse_binary(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let lhs = p.parse_operand()?;
    p.parse_comma()?;
    let rhs = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

fn print_binary(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.write_str(" ");
    p.print_operands(ctx.operands(op));
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.result(op, 0)));
}

fn parse_constant(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let value = p.parse_attribute()?;
    let ty = p.ctx().attr_type(value).expect("typed");
    let n = p.ctx().ident("value");
    state.attributes.push(axir_ir::NamedAttr { name: n, value });
    state.result_types.push(ty);
    Ok(())
}

fn print_constant(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.print_optional_attr_dict(op, &["value"]);
    p.write_str(" ");
    p.print_attribute(ctx.attr(op, "value").expect("value"));
}

const PREDS: &[&str] = &[
    "eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge", "false", "oeq", "ogt", "oge", "olt",
    "ole", "one", "ord", "ueq", "une", "uno", "true",
];

fn parse_cmp(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let pred = p.parse_keyword_of(PREDS)?;
    p.parse_comma()?;
    let lhs = p.parse_operand()?;
    p.parse_comma()?;
    let rhs = p.parse_operand()?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
    let ctx = p.ctx();
    let i64t = ctx.integer_type(64);
    let a = ctx.integer_attr(pred as i128, i64t);
    let n = ctx.ident("predicate");
    state.attributes.push(axir_ir::NamedAttr { name: n, value: a });
    let i1 = ctx.i1_type();
    state.result_types.push(i1);
    Ok(())
}

fn print_cmp(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    let pred = ctx.attr(op, "predicate").and_then(|a| ctx.attr_as_int(a)).unwrap_or(0);
    p.write_str(" ");
    p.print_keyword(PREDS[pred as usize]);
    p.write_str(", ");
    p.print_operands(ctx.operands(op));
    p.print_optional_attr_dict(op, &["predicate"]);
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.operand(op, 0)));
}

fn parse_select(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
    let ops = p.parse_operand_list(axir_syntax::Delimiter::None)?;
    p.parse_optional_attr_dict(&mut state.attributes)?;
    let ty = p.parse_colon_type()?;
    let i1 = p.ctx().i1_type();
    p.resolve_operands(&ops, &[i1, ty, ty], &mut state.operands)?;
    state.result_types.push(ty);
    Ok(())
}

fn print_select(p: &mut OpAsmPrinter<'_>, op: OpId) {
    let ctx = p.ctx();
    p.write_str(" ");
    p.print_operands(ctx.operands(op));
    p.print_optional_attr_dict(op, &[]);
    p.write_str(" : ");
    p.print_type(ctx.value_type(ctx.result(op, 0)));
}

fn registry() -> Arc<DialectRegistry> {
    let base = common::registry();
    let mut r = DialectRegistry::new();
    for d in base.dialects() {
        r.register_dialect(axir_ir::DialectInfo::new(d.name, d.summary)).unwrap();
    }
    r.register_dialect(axir_ir::DialectInfo::new("arith", "arith-like")).unwrap();
    drop(base);
    // Reuse the test dialects' builtin/func hooks through a fresh registry.
    let test = common::registry();
    for name in ["builtin.module", "func.func", "func.return"] {
        let info = test.op(test.op_index(name).unwrap());
        let hooks = *info.interfaces.get::<CustomAssembly>().unwrap();
        r.register_op(
            OpInfo::new(info.name, "", "")
                .traits(info.traits)
                .operands(Arity::ANY)
                .regions(Arity::ANY)
                .interface(hooks),
        )
        .unwrap();
    }
    for name in ["arith.addf", "arith.mulf", "arith.subf", "arith.divf", "arith.addi", "arith.muli"] {
        r.register_op(OpInfo::new(name, "", "").interface(CustomAssembly::new(parse_binary, print_binary)))
            .unwrap();
    }
    r.register_op(
        OpInfo::new("arith.constant", "", "").interface(CustomAssembly::new(parse_constant, print_constant)),
    )
    .unwrap();
    for name in ["arith.cmpf", "arith.cmpi"] {
        r.register_op(OpInfo::new(name, "", "").interface(CustomAssembly::new(parse_cmp, print_cmp)))
            .unwrap();
    }
    r.register_op(
        OpInfo::new("arith.select", "", "").interface(CustomAssembly::new(parse_select, print_select)),
    )
    .unwrap();
    Arc::new(r)
}

/// A module like gen_scalar_module.py's: `n` ops in functions of 1000.
fn synthetic(n: usize) -> String {
    let mut s = String::from("module {\n");
    let mut rng = common::gen::Rng::new(7);
    let mut made = 0;
    let mut f = 0;
    while made < n {
        s.push_str(&format!("  func.func @f{f}(%arg0: f32, %arg1: f32, %arg2: i32) -> f32 {{\n"));
        f += 1;
        made += 1;
        let mut floats: Vec<String> = vec!["%arg0".into(), "%arg1".into()];
        let mut ints: Vec<String> = vec!["%arg2".into()];
        let mut bools: Vec<String> = Vec::new();
        let body = 998.min(n.saturating_sub(made + 1));
        for i in 0..body {
            let v = format!("%{i}");
            let pick = |rng: &mut common::gen::Rng, xs: &Vec<String>| {
                xs[rng.below(xs.len() as u64) as usize].clone()
            };
            match rng.below(10) {
                0..=3 => {
                    let op = ["addf", "mulf", "subf", "divf"][rng.below(4) as usize];
                    let (a, b) = (pick(&mut rng, &floats), pick(&mut rng, &floats));
                    s.push_str(&format!("    {v} = arith.{op} {a}, {b} : f32\n"));
                    floats.push(v);
                }
                4 | 5 => {
                    let op = ["addi", "muli"][rng.below(2) as usize];
                    let (a, b) = (pick(&mut rng, &ints), pick(&mut rng, &ints));
                    s.push_str(&format!("    {v} = arith.{op} {a}, {b} : i32\n"));
                    ints.push(v);
                }
                6 => {
                    s.push_str(&format!("    {v} = arith.constant {}.0 : f32\n", rng.below(4)));
                    floats.push(v);
                }
                7 => {
                    let (a, b) = (pick(&mut rng, &floats), pick(&mut rng, &floats));
                    s.push_str(&format!("    {v} = arith.cmpf olt, {a}, {b} : f32\n"));
                    bools.push(v);
                }
                8 if !bools.is_empty() => {
                    let c = pick(&mut rng, &bools);
                    let (a, b) = (pick(&mut rng, &floats), pick(&mut rng, &floats));
                    s.push_str(&format!("    {v} = arith.select {c}, {a}, {b} : f32\n"));
                    floats.push(v);
                }
                _ => {
                    s.push_str(&format!("    {v} = arith.constant {} : i32\n", rng.below(4)));
                    ints.push(v);
                }
            }
        }
        made += body + 1;
        s.push_str(&format!("    func.return {} : f32\n  }}\n", floats.last().unwrap()));
    }
    s.push_str("}\n");
    s
}

#[test]
#[ignore = "benchmark; run with --ignored --nocapture in release"]
fn parse_print_throughput() {
    let text = match std::env::var("AXIR_BENCH_FILE") {
        Ok(path) => std::fs::read_to_string(path).expect("read AXIR_BENCH_FILE"),
        Err(_) => synthetic(1_000_000),
    };
    let registry = registry();
    for round in 0..3 {
        let mut ctx = Context::new(registry.clone());
        let t0 = Instant::now();
        let module = match parse_source(&mut ctx, &text, "bench.axir", &Default::default()) {
            Ok(m) => m,
            Err(d) => panic!("{}", axir_syntax::SourceManager::new().render_all(&ctx, &d)),
        };
        let parse = t0.elapsed();
        let ops = ctx.num_live_ops();
        if std::env::var("AXIR_BENCH_PARSE_ONLY").is_ok() {
            println!("round {round}: {ops} ops: parse {:.3}s", parse.as_secs_f64());
            std::mem::forget(ctx);
            continue;
        }
        let t1 = Instant::now();
        let custom = print_op(&ctx, module, &PrintOptions::default());
        let print = t1.elapsed();
        let t2 = Instant::now();
        let generic = print_op(&ctx, module, &PrintOptions { generic: true, debug_info: false });
        let print_generic = t2.elapsed();
        let mut ctx2 = Context::new(registry.clone());
        let t3 = Instant::now();
        parse_source(&mut ctx2, &generic, "bench-generic.axir", &Default::default()).unwrap();
        let parse_generic = t3.elapsed();
        let rate = |d: std::time::Duration| ops as f64 / d.as_secs_f64() / 1e6;
        println!(
            "round {round}: {ops} ops, {} MB: parse {:.3}s ({:.2} Mops/s), print {:.3}s ({:.2} Mops/s), \
             print generic {:.3}s ({:.2} Mops/s), parse generic {:.3}s ({:.2} Mops/s)",
            text.len() / 1_000_000,
            parse.as_secs_f64(),
            rate(parse),
            print.as_secs_f64(),
            rate(print),
            print_generic.as_secs_f64(),
            rate(print_generic),
            parse_generic.as_secs_f64(),
            rate(parse_generic)
        );
        assert!(custom.len() > text.len() / 2);
    }
}

#[test]
#[ignore = "benchmark; run with --ignored --nocapture in release"]
fn lex_throughput() {
    let text = synthetic(1_000_000);
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut lx = axir_syntax::lexer::Lexer::new(&text, 0, 4096);
        let mut n = 0usize;
        while lx.next_token().kind != axir_syntax::TokenKind::Eof {
            n += 1;
        }
        println!("lexed {n} tokens in {:.3}s", t0.elapsed().as_secs_f64());
    }
}
