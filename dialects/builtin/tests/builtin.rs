//! The builtin and func dialects: builders, accessors, verifiers (through
//! the API, including IR the parser cannot produce), round trip and docs.

use std::sync::Arc;

use axir_builtin::{
    create_module, lookup_func, CallOp, FuncOp, ModuleOp, ReturnOp, UnrealizedConversionCastOp,
};
use axir_ir::{verify, Context, DialectRegistry, InsertPoint, OpBuilder, OpDefinition};
use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};

fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    Arc::new(r)
}

fn errors(ctx: &Context, root: axir_ir::OpId) -> Vec<String> {
    match verify(ctx, root) {
        Ok(()) => Vec::new(),
        Err(d) => d.iter().map(|d| d.message.clone()).collect(),
    }
}

fn parse(src: &str) -> (Context, axir_ir::OpId) {
    let mut ctx = Context::new(registry());
    let m = parse_source(&mut ctx, src, "t.axir", &ParseOptions::default());
    match m {
        Ok(m) => (ctx, m),
        Err(d) => panic!("{}", d.iter().map(|d| d.to_plain_string(&ctx)).collect::<String>()),
    }
}

#[test]
fn build_a_module_with_a_call() {
    let mut ctx = Context::new(registry());
    let module = create_module(&mut ctx);
    let body = ModuleOp(module).body(&ctx).expect("a body");
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let mut b = OpBuilder::at(&mut ctx, InsertPoint::BlockEnd(body));
    let callee = FuncOp::build_declaration(&mut b, "sqrt", &[f32t], &[f32t], loc);
    let f = FuncOp::build(&mut b, "f", &[f32t], &[f32t], loc);
    let entry = f.entry_block(&b).expect("an entry block");
    let x = f.arguments(&b)[0];
    b.set_insert_point_to_end(entry);
    let call = CallOp::build_to(&mut b, callee, &[x], loc);
    let r = b.result(call.op(), 0);
    ReturnOp::build(&mut b, &[r], loc);

    assert_eq!(errors(&ctx, module), Vec::<String>::new());
    assert_eq!(callee.visibility(&ctx), "private");
    assert!(callee.is_declaration(&ctx));
    assert_eq!(f.input_types(&ctx), &[f32t]);
    assert_eq!(call.callee(&ctx), "sqrt");
    assert_eq!(lookup_func(&ctx, call.op(), "sqrt"), Some(callee));
    assert_eq!(lookup_func(&ctx, call.op(), "nope"), None);
    let text = print_op(&ctx, module, &PrintOptions::default());
    assert_eq!(
        text,
        "module {\n  func.func private @sqrt(f32) -> f32\n  func.func @f(%arg0: f32) -> f32 {\n    \
         %0 = call @sqrt(%arg0) : (f32) -> f32\n    return %0 : f32\n  }\n}\n"
    );
}

#[test]
fn named_module_and_casts() {
    let mut ctx = Context::new(registry());
    let loc = ctx.unknown_loc();
    let (i32t, f32t) = (ctx.integer_type(32), ctx.f32_type());
    let mut b = OpBuilder::new(&mut ctx);
    let m = ModuleOp::build(&mut b, Some("m"), loc);
    let body = m.body(&b).expect("a body");
    b.set_insert_point_to_end(body);
    let f = FuncOp::build(&mut b, "f", &[i32t], &[f32t], loc);
    b.set_insert_point_to_end(f.entry_block(&b).expect("entry"));
    let x = f.arguments(&b)[0];
    let cast = UnrealizedConversionCastOp::build(&mut b, &[x], &[f32t], loc);
    let out = cast.outputs(&b)[0];
    ReturnOp::build(&mut b, &[out], loc);
    assert_eq!(m.name(&ctx), Some("m"));
    assert_eq!(errors(&ctx, m.op()), Vec::<String>::new());
}

#[test]
fn module_with_two_blocks_is_rejected() {
    let mut ctx = Context::new(registry());
    let module = create_module(&mut ctx);
    let region = ctx.regions(module)[0];
    ctx.append_new_block(region, &[]);
    assert_eq!(errors(&ctx, module), vec!["'builtin.module' op expects region #0 to have 0 or 1 blocks"]);
}

#[test]
fn func_with_a_non_string_name_is_rejected() {
    // The core's Symbol trait check words it; MLIR reports the attribute
    // constraint instead (see docs/dialects/builtin.md).
    let (mut ctx, m) = parse("func.func private @d(f32) -> f32\n");
    let f = ctx.block_ops(ModuleOp(m).body(&ctx).expect("body"))[0];
    let i = ctx.integer_type(32);
    let one = ctx.integer_attr(1, i);
    ctx.set_attr(f, "sym_name", one);
    assert_eq!(errors(&ctx, m), vec!["'func.func' op requires string attribute 'sym_name'"]);
}

#[test]
fn using_a_value_from_outside_a_function_is_rejected() {
    // The parser already refuses such text, so build it.
    let mut ctx = Context::new(registry());
    let module = create_module(&mut ctx);
    let body = ModuleOp(module).body(&ctx).expect("body");
    let loc = ctx.unknown_loc();
    let i32t = ctx.integer_type(32);
    let mut b = OpBuilder::at(&mut ctx, InsertPoint::BlockEnd(body));
    let c = axir_arith::ConstantOp::int(&mut b, 1, i32t, loc);
    let cv = c.result(&b);
    let f = FuncOp::build(&mut b, "f", &[], &[i32t], loc);
    b.set_insert_point_to_end(f.entry_block(&b).expect("entry"));
    ReturnOp::build(&mut b, &[cv], loc);
    assert_eq!(errors(&ctx, module), vec!["'func.return' op using value defined outside the region"]);
}

#[test]
fn return_and_call_rules() {
    let cases = [
        (
            "func.func @f(%a: f32) -> (f32, f32) {\n  return %a : f32\n}\n",
            "'func.return' op has 1 operands, but enclosing function (@f) returns 2",
        ),
        (
            "func.func @f(%a: i32) -> f32 {\n  return %a : i32\n}\n",
            "type of return operand 0 ('i32') doesn't match function result type ('f32') in function @f",
        ),
        (
            "func.func @f(%a: f32) {\n  %0 = call @g(%a) : (f32) -> f32\n  return\n}\n",
            "'func.call' op 'g' does not reference a valid function",
        ),
        (
            "func.func private @g(f32) -> f32\nfunc.func @f(%a: i32) {\n  %0 = call @g(%a) : (i32) -> f32\n  return\n}\n",
            "'func.call' op operand type mismatch: expected operand type 'f32', but provided 'i32' for operand number 0",
        ),
        (
            "func.func private @g(f32) -> f32\nfunc.func @f(%a: f32) {\n  %0 = call @g(%a, %a) : (f32, f32) -> f32\n  return\n}\n",
            "'func.call' op incorrect number of operands for callee",
        ),
        (
            "func.func private @g(f32) -> f32\nfunc.func @f(%a: f32) {\n  call @g(%a) : (f32) -> ()\n  return\n}\n",
            "'func.call' op incorrect number of results for callee",
        ),
        (
            "func.func private @g(f32) -> f32\nfunc.func @f(%a: f32) {\n  %0 = call @g(%a) : (f32) -> i32\n  return\n}\n",
            "'func.call' op result type mismatch at index 0",
        ),
        ("func.func @d(f32) -> f32\n", "'func.func' op symbol declaration cannot have public visibility"),
        (
            "\"builtin.module\"() ({\n^bb0:\n}) {foo = 1} : () -> ()\n",
            "'builtin.module' op can only contain attributes with dialect-prefixed names, found: 'foo'",
        ),
    ];
    for (src, msg) in cases {
        let (ctx, m) = parse(src);
        assert_eq!(errors(&ctx, m), vec![msg.to_string()], "for:\n{src}");
    }
}

#[test]
fn call_result_mismatch_has_notes() {
    let (ctx, m) = parse(
        "func.func private @g(f32) -> (f32, i32)\nfunc.func @f(%a: f32) {\n  %0:2 = call @g(%a) : (f32) -> (f32, f32)\n  return\n}\n",
    );
    let diags = verify(&ctx, m).expect_err("the call is invalid");
    let notes: Vec<&str> = diags[0].notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(notes, vec!["      op result types: 'f32', 'f32'", "function result types: 'f32', 'i32'"]);
}

#[test]
fn module_keyword_and_default_dialect_parse() {
    let (ctx, m) = parse("module @x {\n  func.func @f() {\n    return\n  }\n}\n");
    assert_eq!(ModuleOp(m).name(&ctx), Some("x"));
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
    let (ctx, m) = parse("builtin.module {\n}\n");
    assert!(ModuleOp::from_op(&ctx, m).is_some());
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
}

#[test]
fn ops_round_trip_in_both_forms() {
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/dialects/builtin/ops.axir"))
            .expect("test/dialects/builtin/ops.axir is readable");
    let generic = PrintOptions { generic: true, ..PrintOptions::default() };
    let (ctx, m) = parse(&src);
    let custom1 = print_op(&ctx, m, &PrintOptions::default());
    let generic1 = print_op(&ctx, m, &generic);
    let (ctx2, m2) = parse(&custom1);
    assert_eq!(print_op(&ctx2, m2, &PrintOptions::default()), custom1);
    let (ctx3, m3) = parse(&generic1);
    assert_eq!(print_op(&ctx3, m3, &PrintOptions::default()), custom1);
    assert_eq!(print_op(&ctx3, m3, &generic), generic1);
}

#[test]
fn every_op_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/dialects/builtin.md"))
        .expect("docs/dialects/builtin.md is readable");
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    for info in r.ops() {
        assert!(doc.contains(&format!("`{}`", info.name)), "{} is not documented", info.name);
        assert!(info.description.contains(&format!("{} ", info.name.trim_start_matches("builtin."))));
    }
    // Registering twice changes nothing.
    let before = r.ops().len();
    axir_builtin::register(&mut r);
    assert_eq!(r.ops().len(), before);
}
