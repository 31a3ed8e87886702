//! Property tests over random well-formed modules of the registered dialects
//! (func, arith, math, array):
//!
//! - print → parse → print is identical, in the custom and the generic form,
//!   and the generic form parses back to the same custom text;
//! - the verifier accepts what the generator builds, and never panics on
//!   IR broken at random through the API (operands swapped to values of other
//!   types or defined later, ops erased while still used).

use axir_ir::{Context, DialectRegistry, OpId, Value};
use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};
use proptest::prelude::*;
use std::sync::Arc;

fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    axir_math::register(&mut r);
    axir_array::register(&mut r);
    Arc::new(r)
}

/// A small deterministic generator (xorshift), so a failing seed replays.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TYPES: [&str; 5] = ["f32", "f64", "i32", "i1", "tensor<4x?xf32>"];

/// Writes a module of `funcs` functions whose bodies use only values of the
/// right types that are already defined: well formed by construction.
fn random_module(seed: u64, funcs: usize, ops: usize) -> String {
    let mut g = Gen(seed | 1);
    let mut out = String::new();
    for f in 0..funcs {
        let mut vals: Vec<(String, &str)> = Vec::new();
        let nargs = 1 + g.below(4);
        let mut args = Vec::new();
        for a in 0..nargs {
            let ty = *g.pick(&TYPES);
            vals.push((format!("%a{a}"), ty));
            args.push(format!("%a{a}: {ty}"));
        }
        let ret = *g.pick(&TYPES);
        out.push_str(&format!("func.func @f{f}({}) -> {ret} {{\n", args.join(", ")));
        let mut n = 0;
        let mut fresh = |vals: &mut Vec<(String, &'static str)>, ty: &'static str| {
            n += 1;
            let name = format!("%v{n}");
            vals.push((name.clone(), ty));
            name
        };
        for _ in 0..ops {
            let ty = *g.pick(&TYPES);
            let of_ty: Vec<String> = vals.iter().filter(|(_, t)| *t == ty).map(|(v, _)| v.clone()).collect();
            let line = match (ty, of_ty.is_empty(), g.below(4)) {
                ("f32" | "f64", _, 0) | ("f32" | "f64", true, _) => {
                    let v = fresh(&mut vals, ty);
                    let c = [0.5, -0.0, 1.0e10, 3.25][g.below(4)];
                    format!("{v} = arith.constant {c:?} : {ty}")
                }
                ("i32", _, 0) | ("i32", true, _) => {
                    let v = fresh(&mut vals, ty);
                    format!("{v} = arith.constant {} : i32", g.next() as i32)
                }
                ("i1", true, _) => {
                    let v = fresh(&mut vals, ty);
                    format!("{v} = arith.constant {}", ["true", "false"][g.below(2)])
                }
                ("tensor<4x?xf32>", true, _) => continue,
                ("f32" | "f64", false, k) => {
                    let (a, b) = (g.pick(&of_ty).clone(), g.pick(&of_ty).clone());
                    let v = fresh(&mut vals, ty);
                    match k {
                        1 => format!(
                            "{v} = arith.{} {a}, {b} : {ty}",
                            ["addf", "mulf", "subf", "divf"][g.below(4)]
                        ),
                        2 => {
                            format!("{v} = math.{} {a} : {ty}", ["exp", "sqrt", "tanh", "floor"][g.below(4)])
                        }
                        _ => format!("{v} = arith.maximumf {a}, {b} : {ty}"),
                    }
                }
                ("i32", false, _) => {
                    let (a, b) = (g.pick(&of_ty).clone(), g.pick(&of_ty).clone());
                    let v = fresh(&mut vals, ty);
                    format!("{v} = arith.{} {a}, {b} : i32", ["addi", "muli", "xori", "subi"][g.below(4)])
                }
                ("i1", false, _) => {
                    let floats: Vec<String> =
                        vals.iter().filter(|(_, t)| *t == "f32").map(|(v, _)| v.clone()).collect();
                    if floats.is_empty() {
                        let (a, b) = (g.pick(&of_ty).clone(), g.pick(&of_ty).clone());
                        let v = fresh(&mut vals, ty);
                        format!("{v} = arith.andi {a}, {b} : i1")
                    } else {
                        let (a, b) = (g.pick(&floats).clone(), g.pick(&floats).clone());
                        let v = fresh(&mut vals, ty);
                        format!("{v} = arith.cmpf {}, {a}, {b} : f32", ["olt", "uge", "one"][g.below(3)])
                    }
                }
                (_, false, _) => {
                    let (a, b) = (g.pick(&of_ty).clone(), g.pick(&of_ty).clone());
                    let v = fresh(&mut vals, ty);
                    match g.below(3) {
                        0 => format!("{v} = array.add {a}, {b} : {ty}"),
                        1 => format!("{v} = array.exp {a} : {ty}"),
                        _ => format!("{v} = array.max {a}, {b} : {ty}"),
                    }
                }
                _ => continue,
            };
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
        let of_ret: Vec<String> = vals.iter().filter(|(_, t)| *t == ret).map(|(v, _)| v.clone()).collect();
        let result = if of_ret.is_empty() {
            // A value of the result type, from an argument-free constant.
            let v = "%ret".to_string();
            let c = match ret {
                "f32" | "f64" => format!("{v} = arith.constant 2.0 : {ret}"),
                "i32" => format!("{v} = arith.constant 7 : i32"),
                "i1" => format!("{v} = arith.constant true"),
                _ => format!("{v} = array.constant dense<1.0> : tensor<4x1xf32>\n  %retc = array.broadcast %ret : tensor<4x1xf32> -> {ret}"),
            };
            out.push_str(&format!("  {c}\n"));
            if ret.starts_with("tensor") {
                "%retc".to_string()
            } else {
                v
            }
        } else {
            g.pick(&of_ret).clone()
        };
        out.push_str(&format!("  func.return {result} : {ret}\n}}\n"));
    }
    out
}

fn parse(ctx: &mut Context, text: &str) -> OpId {
    match parse_source(ctx, text, "random.axir", &ParseOptions::default()) {
        Ok(m) => m,
        Err(d) => panic!("generated module does not parse: {d:?}\n{text}"),
    }
}

fn check_round_trip(seed: u64) {
    let text = random_module(seed, 3, 30);
    let custom = PrintOptions::default();
    let generic = PrintOptions { generic: true, ..PrintOptions::default() };

    let mut ctx = Context::new(registry());
    let m = parse(&mut ctx, &text);
    if let Err(d) = axir_ir::verify(&ctx, m) {
        panic!("generated module does not verify: {d:?}\n{text}");
    }
    let first = print_op(&ctx, m, &custom);
    let first_generic = print_op(&ctx, m, &generic);

    let mut ctx2 = Context::new(registry());
    let m2 = parse(&mut ctx2, &first);
    assert_eq!(print_op(&ctx2, m2, &custom), first, "custom form is not a fixed point");

    let mut ctx3 = Context::new(registry());
    let m3 = parse(&mut ctx3, &first_generic);
    assert_eq!(print_op(&ctx3, m3, &generic), first_generic, "generic form is not a fixed point");
    assert_eq!(print_op(&ctx3, m3, &custom), first, "generic form does not parse back to the same IR");
}

/// Breaks the IR at random through the API and runs the verifier, which
/// must report (or accept) without panicking.
fn check_verifier_never_panics(seed: u64, edits: usize) {
    let text = random_module(seed, 2, 25);
    let mut ctx = Context::new(registry());
    let m = parse(&mut ctx, &text);
    let mut g = Gen(seed.rotate_left(17) | 1);
    for _ in 0..edits {
        let ops: Vec<OpId> = ctx.walk(m).into_iter().filter(|o| !ctx.operands(*o).is_empty()).collect();
        let values: Vec<Value> = ctx
            .walk(m)
            .into_iter()
            .flat_map(|o| {
                let mut v = ctx.results(o).to_vec();
                for r in ctx.regions(o) {
                    for b in ctx.region_blocks(*r) {
                        v.extend_from_slice(ctx.block_arguments(*b));
                    }
                }
                v
            })
            .collect();
        if ops.is_empty() || values.is_empty() {
            break;
        }
        let op = *g.pick(&ops);
        match g.below(3) {
            // Any value, of any type, defined anywhere (maybe later, maybe
            // in another function).
            0 | 1 => {
                let i = g.below(ctx.operands(op).len());
                let v = *g.pick(&values);
                ctx.set_operand(op, i, v);
            }
            // Erase an op even if its results are still used.
            _ => {
                if ctx.op_name(op) != "func.func" && ctx.op_name(op) != "builtin.module" {
                    ctx.erase_op(op);
                }
            }
        }
    }
    let _ = axir_ir::verify(&ctx, m);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_modules_round_trip(seed in any::<u64>()) {
        check_round_trip(seed);
    }

    #[test]
    fn verifier_never_panics_on_broken_ir(seed in any::<u64>(), edits in 1usize..8) {
        check_verifier_never_panics(seed, edits);
    }
}

/// Returning a value of the wrong type must be caught by the verifier: the
/// generator's modules verify because they are well formed, not because the
/// verifier accepts anything.
#[test]
fn verifier_rejects_a_type_broken_module() {
    let mut ctx = Context::new(registry());
    let m = parse(&mut ctx, &random_module(42, 1, 10));
    let ret = ctx.walk(m).into_iter().find(|o| ctx.op_name(*o) == "func.return").expect("a return");
    let ret_ty = ctx.value_type(ctx.operand(ret, 0));
    let wrong = ctx
        .walk(m)
        .into_iter()
        .flat_map(|o| ctx.results(o).to_vec())
        .find(|v| ctx.value_type(*v) != ret_ty)
        .expect("a value of another type");
    ctx.set_operand(ret, 0, wrong);
    let errors = axir_ir::verify(&ctx, m).expect_err("a return of the wrong type must not verify");
    assert!(errors.iter().any(|d| d.message.contains("doesn't match function result type")), "{errors:?}");
}
