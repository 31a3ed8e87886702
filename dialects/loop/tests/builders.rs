//! The typed builders make verified IR that prints as the documented
//! syntax, and the memory effects say what each op does.

use std::sync::Arc;

use axir_builtin::{create_module, FuncOp, ModuleOp, ReturnOp};
use axir_ir::{verify, Context, DialectRegistry, InsertPoint, MemRefLayout, OpBuilder, OpDefinition};
use axir_loop::effects::{effects_of, is_read_only, MemoryEffects};
use axir_loop::{AllocOp, DimOp, ForOp, LoadOp, ParallelOp, ReductionKind, StoreOp, YieldOp};
use axir_syntax::{print_op, PrintOptions};

fn context() -> Context {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    axir_loop::register(&mut r);
    Context::new(Arc::new(r))
}

#[test]
fn build_a_reduction_nest() {
    let mut ctx = context();
    let module = create_module(&mut ctx);
    let body = ModuleOp(module).body(&ctx).expect("a module has a body");
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let index = ctx.index_type();
    let buf = ctx.memref_type(vec![None, Some(8)], f32t, MemRefLayout::Identity);
    let mut b = OpBuilder::at(&mut ctx, InsertPoint::BlockEnd(body));
    let func = FuncOp::build(&mut b, "f", &[buf, f32t], &[f32t], loc);
    let entry = func.entry_block(&b).expect("a definition has an entry block");
    let (x, zero) = (func.arguments(&b)[0], func.arguments(&b)[1]);
    b.set_insert_point_to_end(entry);
    let c0 = axir_arith::ConstantOp::index(&mut b, 0, loc).result(&b);
    let c1 = axir_arith::ConstantOp::index(&mut b, 1, loc).result(&b);
    let n = DimOp::build(&mut b, x, 0, loc).result(&b);
    let c8 = axir_arith::ConstantOp::index(&mut b, 8, loc).result(&b);
    let tmp = AllocOp::build(&mut b, buf, &[n], loc).result(&b);
    let par =
        ParallelOp::build(&mut b, [&[c0, c0], &[n, c8], &[c1, c1]], &[(ReductionKind::AddF, zero)], loc);
    let pbody = par.body(&b).expect("a body");
    let ivs = par.induction_vars(&b);
    b.set_insert_point_to_end(pbody);
    let v = LoadOp::build(&mut b, x, &ivs, loc).expect("x is a memref").result(&b);
    StoreOp::build(&mut b, v, tmp, &ivs, loc);
    YieldOp::build(&mut b, &[v], loc);
    b.set_insert_point_to_end(entry);
    let seq = ForOp::build(&mut b, c0, n, c1, &[], loc);
    let r = par.results(&b)[0];
    ReturnOp::build(&mut b, &[r], loc);
    assert_eq!(verify(&ctx, module), Ok(()));
    assert_eq!(ctx.value_type(seq.induction_var(&ctx).expect("an induction variable")), index);
    let text = print_op(&ctx, module, &PrintOptions::default());
    for line in [
        "%2 = loop.dim %arg0, 0 : memref<?x8xf32>",
        "%4 = loop.alloc(%2) : memref<?x8xf32>",
        "%5 = loop.parallel (%arg2, %arg3) = (%0, %0) to (%2, %3) step (%1, %1) reduce([\"arith.addf\"]) init(%arg1) -> (f32) {",
        "%6 = loop.load %arg0[%arg2, %arg3] : memref<?x8xf32>",
        "loop.store %6, %4[%arg2, %arg3] : memref<?x8xf32>",
        "loop.yield %6 : f32",
        "loop.for %arg2 = %0 to %2 step %1 {",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
}

#[test]
fn memory_effects() {
    let src = r#"
func.func @f(%b: memref<4xf32>, %i: index, %v: f32) {
  %x = loop.load %b[%i] : memref<4xf32>
  loop.store %v, %b[%i] : memref<4xf32>
  %d = loop.dim %b, 0 : memref<4xf32>
  loop.for %j = %i to %d step %d {
    %y = loop.load %b[%j] : memref<4xf32>
  }
  loop.for %j = %i to %d step %d {
    loop.store %v, %b[%j] : memref<4xf32>
  }
  return
}
"#;
    let mut ctx = context();
    let module = axir_syntax::parse_source(&mut ctx, src, "t.axir", &axir_syntax::ParseOptions::default())
        .unwrap_or_else(|d| panic!("{}", d[0].to_plain_string(&ctx)));
    let ops: Vec<_> = ctx.walk(module).into_iter().filter(|&o| ctx.op_name(o).starts_with("loop.")).collect();
    let by_name =
        |name: &str, k: usize| ops.iter().copied().filter(|&o| ctx.op_name(o) == name).nth(k).expect("op");
    assert_eq!(effects_of(&ctx, by_name("loop.load", 0)), MemoryEffects::READ);
    assert!(is_read_only(&ctx, by_name("loop.load", 0)));
    assert_eq!(effects_of(&ctx, by_name("loop.store", 0)), MemoryEffects::WRITE);
    assert_eq!(effects_of(&ctx, by_name("loop.dim", 0)), MemoryEffects::NONE);
    assert!(is_read_only(&ctx, by_name("loop.for", 0)));
    assert!(effects_of(&ctx, by_name("loop.for", 1)).may_write());
    let func =
        ctx.walk(module).into_iter().find(|&o| FuncOp::from_op(&ctx, o).is_some()).expect("a function");
    assert!(effects_of(&ctx, func).may_write());
}
