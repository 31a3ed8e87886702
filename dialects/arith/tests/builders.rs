//! The typed builders and accessors, used the way passes use them: build IR
//! with `OpBuilder`, verify it, read it back.

use std::sync::Arc;

use axir_arith::{
    AddFOp, AddIOp, CmpFOp, CmpFPredicate, CmpIOp, CmpIPredicate, ConstantOp, ExtFOp, NegFOp, SelectOp,
};
use axir_builtin::{create_module, FuncOp, ModuleOp, ReturnOp};
use axir_ir::{verify, Context, DialectRegistry, FoldResult, InsertPoint, OpBuilder, OpDefinition, TypeData};

fn context() -> Context {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    Context::new(Arc::new(r))
}

#[test]
fn build_verify_and_read_back() {
    let mut ctx = context();
    let module = create_module(&mut ctx);
    let body = ModuleOp(module).body(&ctx).expect("a module has a body");
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let i1 = ctx.i1_type();
    let mut b = OpBuilder::at(&mut ctx, InsertPoint::BlockEnd(body));
    let func = FuncOp::build(&mut b, "f", &[f32t, f32t], &[f32t], loc);
    let entry = func.entry_block(&b).expect("a definition has an entry block");
    let (x, y) = (func.arguments(&b)[0], func.arguments(&b)[1]);
    b.set_insert_point_to_end(entry);
    let one = ConstantOp::float(&mut b, 1.0, f32t, loc);
    let c1 = one.result(&b);
    let sum = AddFOp::build(&mut b, x, c1, loc);
    let s = sum.result(&b);
    let neg = NegFOp::build(&mut b, s, loc);
    let n = neg.result(&b);
    let cmp = CmpFOp::build(&mut b, CmpFPredicate::OLT, n, y, loc);
    let c = cmp.result(&b);
    let sel = SelectOp::build(&mut b, c, x, y, loc);
    let r = sel.result(&b);
    ReturnOp::build(&mut b, &[r], loc);

    assert_eq!(verify(&ctx, module), Ok(()));
    assert_eq!(sum.lhs(&ctx), x);
    assert_eq!(ctx.value_type(cmp.result(&ctx)), i1);
    assert_eq!(cmp.predicate(&ctx), Some(CmpFPredicate::OLT));
    assert_eq!(ctx.attr_as_float(one.value(&ctx).expect("a value")), Some(1.0));
    assert_eq!(sel.condition(&ctx), cmp.result(&ctx));
    assert_eq!(AddFOp::from_op(&ctx, sum.op()), Some(sum));
    assert_eq!(AddIOp::from_op(&ctx, sum.op()), None);
}

#[test]
fn comparisons_of_vectors_give_i1_vectors() {
    let mut ctx = context();
    let loc = ctx.unknown_loc();
    let i32t = ctx.integer_type(32);
    let v = ctx.vector_type(vec![4], i32t);
    let mut b = OpBuilder::new(&mut ctx);
    let a = ConstantOp::int(&mut b, 7, i32t, loc);
    let splat = axir_ir::AttributeData::DenseElements { ty: v, data: axir_ir::DenseData::Int(vec![3]) };
    let splat = b.intern_attr(splat);
    let vc = ConstantOp::build(&mut b, splat, loc).expect("a dense constant");
    let v4 = vc.result(&b);
    let cmp = CmpIOp::build(&mut b, CmpIPredicate::Sgt, v4, v4, loc);
    let ty = b.value_type(cmp.result(&b));
    assert!(matches!(b.type_data(ty), TypeData::Vector { shape, .. } if shape == &vec![4]));
    assert_eq!(b.value_type(a.result(&b)), i32t);
}

#[test]
fn registered_folders_fold_constants() {
    let mut ctx = context();
    let loc = ctx.unknown_loc();
    let f16t = ctx.float_type(axir_ir::FloatKind::F16);
    let f32t = ctx.f32_type();
    let mut b = OpBuilder::new(&mut ctx);
    let h = ConstantOp::float(&mut b, 0.1, f16t, loc);
    let hv = h.result(&b);
    let ext = ExtFOp::build(&mut b, hv, f32t, loc);
    let h_attr = h.value(&b).expect("a value");
    let fold = b.op_info(ext.op()).and_then(|i| i.fold).expect("extf has a folder");
    let folded = fold(&mut b, ext.op(), &[Some(h_attr)]).expect("extf of a constant folds");
    let [FoldResult::Attribute(a)] = folded.as_slice() else { panic!("expected a constant") };
    // The f16 nearest 0.1 is 0x2E66 = 0.0999755859375, exact in f32.
    assert_eq!(b.attr_as_float(*a), Some(0.0999755859375));
    assert_eq!(b.attr_type(*a), Some(f32t));
}

#[test]
fn materializer_builds_arith_constants() {
    let mut ctx = context();
    let loc = ctx.unknown_loc();
    let i8t = ctx.integer_type(8);
    let f32t = ctx.f32_type();
    let attr = ctx.integer_attr(-1, i8t);
    let op = axir_arith::materialize_constant(&mut ctx, attr, i8t, loc).expect("an i8 constant");
    assert_eq!(ctx.op_name(op), "arith.constant");
    // A value whose type is not the requested one is refused.
    assert_eq!(axir_arith::materialize_constant(&mut ctx, attr, f32t, loc), None);
    let s = ctx.string_attr("no");
    assert_eq!(axir_arith::materialize_constant(&mut ctx, s, f32t, loc), None);
}
