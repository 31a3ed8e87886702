//! Tests of the IR core: handles, use-def chains, edits, the verifier.

use axir_ir::*;
use std::sync::Arc;

fn test_registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    r.register_dialect(DialectInfo::new("t", "test dialect")).unwrap();
    r.register_op(
        OpInfo::new("t.module", "", "")
            .traits(OpTraits::SYMBOL_TABLE | OpTraits::NO_TERMINATOR | OpTraits::ISOLATED_FROM_ABOVE)
            .regions(Arity::Exact(1)),
    )
    .unwrap();
    r.register_op(
        OpInfo::new("t.func", "", "")
            .traits(OpTraits::SYMBOL | OpTraits::ISOLATED_FROM_ABOVE)
            .regions(Arity::Exact(1)),
    )
    .unwrap();
    r.register_op(
        OpInfo::new("t.add", "", "")
            .traits(OpTraits::PURE | OpTraits::SAME_OPERANDS_AND_RESULT_TYPE)
            .operands(Arity::Exact(2))
            .results(Arity::Exact(1)),
    )
    .unwrap();
    r.register_op(OpInfo::new("t.const", "", "").traits(OpTraits::PURE).results(Arity::Exact(1))).unwrap();
    r.register_op(
        OpInfo::new("t.return", "", "")
            .traits(OpTraits::TERMINATOR | OpTraits::RETURN_LIKE)
            .operands(Arity::ANY),
    )
    .unwrap();
    r.register_op(
        OpInfo::new("t.br", "", "")
            .traits(OpTraits::TERMINATOR)
            .successors(Arity::Exact(1))
            .operands(Arity::ANY),
    )
    .unwrap();
    Arc::new(r)
}

struct Fixture {
    ctx: Context,
    module: OpId,
    body: BlockId,
}

fn module_with_func() -> Fixture {
    let mut ctx = Context::new(test_registry());
    let loc = ctx.unknown_loc();
    let mut b = OpBuilder::new(&mut ctx);
    let (mr, body) = b.create_region_with_block(&[]);
    let name = b.ident("t.module");
    let module = b.create(OperationState::new(name, loc).with_region(mr));
    Fixture { ctx, module, body }
}

fn add_func(f: &mut Fixture, name: &str) -> (OpId, BlockId) {
    let loc = f.ctx.unknown_loc();
    let f32t = f.ctx.f32_type();
    let mut b = OpBuilder::at(&mut f.ctx, InsertPoint::BlockEnd(f.body));
    let (r, entry) = b.create_region_with_block(&[(f32t, loc), (f32t, loc)]);
    let sym = b.string_attr(name);
    let func = b.create_named("t.func", loc, &[], &[], &[("sym_name", sym)]);
    b.ctx_regions_push(func, r);
    (func, entry)
}

trait PushRegion {
    fn ctx_regions_push(&mut self, op: OpId, r: RegionId);
}

impl PushRegion for OpBuilder<'_> {
    fn ctx_regions_push(&mut self, op: OpId, r: RegionId) {
        // Regions are given at creation; rebuild the op with the region.
        let state = OperationState {
            name: self.op(op).name,
            location: self.op_location(op),
            operands: self.operands(op).to_vec(),
            result_types: vec![],
            attributes: self.attrs(op).to_vec(),
            regions: vec![r],
            successors: vec![],
        };
        let new = self.create_op(state);
        self.insert_op(InsertPoint::Before(op), new);
        self.erase_op(op);
    }
}

#[test]
fn stale_handles_are_detected() {
    let mut f = module_with_func();
    let loc = f.ctx.unknown_loc();
    let i32t = f.ctx.integer_type(32);
    let mut b = OpBuilder::at(&mut f.ctx, InsertPoint::BlockEnd(f.body));
    let c = b.create_named("t.const", loc, &[], &[i32t], &[]);
    assert!(f.ctx.is_op_alive(c));
    f.ctx.erase_op(c);
    assert!(!f.ctx.is_op_alive(c));
    // A new op may reuse the slot, but the old handle stays stale.
    let mut b = OpBuilder::at(&mut f.ctx, InsertPoint::BlockEnd(f.body));
    let c2 = b.create_named("t.const", loc, &[], &[i32t], &[]);
    assert!(f.ctx.is_op_alive(c2));
    assert!(!f.ctx.is_op_alive(c));
}

#[test]
fn use_lists_follow_edits() {
    let mut f = module_with_func();
    let (_func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let args = ctx.block_arguments(entry).to_vec();
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(entry));
    let add = b.create_named("t.add", loc, &[args[0], args[0]], &[f32t], &[]);
    let sum = b.result(add, 0);
    b.create_named("t.return", loc, &[sum], &[], &[]);
    assert_eq!(ctx.uses(args[0]).len(), 2);
    assert_eq!(ctx.uses(args[1]).len(), 0);
    ctx.set_operand(add, 1, args[1]);
    assert_eq!(ctx.uses(args[0]).len(), 1);
    assert_eq!(ctx.uses(args[1]), &[Use { op: add, operand: 1 }]);
    ctx.replace_all_uses(args[0], args[1]);
    assert_eq!(ctx.uses(args[1]).len(), 2);
    assert_eq!(ctx.operands(add), &[args[1], args[1]]);
    assert!(verify(ctx, f.module).is_ok(), "{:?}", verify(ctx, f.module));
}

#[test]
fn verifier_reports_every_error() {
    let mut f = module_with_func();
    let (_func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let i32t = ctx.integer_type(32);
    let args = ctx.block_arguments(entry).to_vec();
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(entry));
    // Wrong result type for a SameOperandsAndResultType op.
    b.create_named("t.add", loc, &[args[0], args[1]], &[i32t], &[]);
    // Wrong operand count.
    b.create_named("t.add", loc, &[args[0]], &[f32t], &[]);
    // Missing terminator: the block ends with t.add.
    let errs = verify(ctx, f.module).unwrap_err();
    let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.contains(&"'t.add' op requires the same type for all operands and results"), "{msgs:?}");
    assert!(msgs.contains(&"'t.add' op expected 2 operands, but found 1"), "{msgs:?}");
    assert!(msgs.contains(&"block with no terminator, has 't.add'"), "{msgs:?}");
}

#[test]
fn dominance_in_a_block_and_across_isolation() {
    let mut f = module_with_func();
    let (_func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let args = ctx.block_arguments(entry).to_vec();
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(entry));
    let a1 = b.create_named("t.add", loc, &[args[0], args[1]], &[f32t], &[]);
    let a2 = b.create_named("t.add", loc, &[args[0], args[1]], &[f32t], &[]);
    let r2 = b.result(a2, 0);
    b.create_named("t.return", loc, &[r2], &[], &[]);
    assert!(verify(ctx, f.module).is_ok());
    // Use a2's result in a1, which comes first.
    ctx.set_operand(a1, 0, r2);
    let errs = verify(ctx, f.module).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].message, "'t.add' op operand #0 does not dominate this use");
    assert_eq!(errs[0].notes[0].message, "operand defined here");
    ctx.set_operand(a1, 0, args[0]);

    // A second function that uses a value of the first violates isolation.
    let (_g, gentry) = add_func(&mut f, "g");
    let ctx = &mut f.ctx;
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(gentry));
    b.create_named("t.return", loc, &[r2], &[], &[]);
    let errs = verify(ctx, f.module).unwrap_err();
    assert_eq!(errs[0].message, "'t.return' op using value defined outside the region");
}

#[test]
fn cross_block_dominance() {
    let mut f = module_with_func();
    let (_func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let region = ctx.block_parent_region(entry).unwrap();
    let bb1 = ctx.append_new_block(region, &[]);
    let bb2 = ctx.append_new_block(region, &[]);
    let args = ctx.block_arguments(entry).to_vec();
    // entry: br bb2 ; bb1: %x = add ; br bb2 ; bb2: return %x  -> bb1 does not dominate bb2
    let br = ctx.ident("t.br");
    let st = OperationState { successors: vec![bb2], ..OperationState::new(br, loc) };
    let op = ctx.create_op(st);
    ctx.append_op(entry, op);
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(bb1));
    let x = b.create_named("t.add", loc, &[args[0], args[1]], &[f32t], &[]);
    let xv = b.result(x, 0);
    let st = OperationState { successors: vec![bb2], ..OperationState::new(br, loc) };
    b.create(st);
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(bb2));
    b.create_named("t.return", loc, &[xv], &[], &[]);
    let errs = verify(ctx, f.module).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].message, "'t.return' op operand #0 does not dominate this use");
}

#[test]
fn duplicate_symbols_and_unregistered_ops() {
    let mut f = module_with_func();
    add_func(&mut f, "f");
    add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.file_loc("x.axir", 3, 1);
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(f.body));
    b.create_named("foo.bar", loc, &[], &[], &[]);
    let errs = verify(ctx, f.module).unwrap_err();
    let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.contains(&"redefinition of symbol named 'f'"), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("unregistered operation 'foo.bar' found in dialect ('foo')")));
    ctx.set_allow_unregistered(true);
    let errs = verify(ctx, f.module).unwrap_err();
    assert!(errs.iter().all(|d| !d.message.starts_with("unregistered")), "{errs:?}");
    assert!(errs.iter().any(|d| d.message == "redefinition of symbol named 'f'"));
}

#[test]
fn clone_maps_nested_values() {
    let mut f = module_with_func();
    let (func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let args = ctx.block_arguments(entry).to_vec();
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(entry));
    let a = b.create_named("t.add", loc, &[args[0], args[1]], &[f32t], &[]);
    let av = b.result(a, 0);
    b.create_named("t.return", loc, &[av], &[], &[]);
    let func = ctx.parent_op(a).unwrap_or(func);
    let mut mapping = Default::default();
    let copy = ctx.clone_op(func, &mut mapping);
    ctx.insert_op(InsertPoint::After(func), copy);
    let sym = ctx.string_attr("g");
    ctx.set_attr(copy, "sym_name", sym);
    assert!(verify(ctx, f.module).is_ok(), "{:?}", verify(ctx, f.module));
    let copy_entry = ctx.entry_block(ctx.regions(copy)[0]).unwrap();
    let copy_add = ctx.first_op(copy_entry).unwrap();
    assert_eq!(ctx.operands(copy_add), ctx.block_arguments(copy_entry));
}

#[test]
fn types_and_attributes_print_like_mlir() {
    let mut ctx = Context::default();
    let f32t = ctx.f32_type();
    let t = ctx.tensor_type(vec![Some(4), None, Some(8)], f32t);
    assert_eq!(ctx.display_type(t).to_string(), "tensor<4x?x8xf32>");
    let t0 = ctx.tensor_type(vec![], f32t);
    assert_eq!(ctx.display_type(t0).to_string(), "tensor<f32>");
    let m = ctx.memref_type(
        vec![None, Some(8)],
        f32t,
        MemRefLayout::Strided { strides: vec![None, Some(1)], offset: None },
    );
    assert_eq!(ctx.display_type(m).to_string(), "memref<?x8xf32, strided<[?, 1], offset: ?>>");
    let i1 = ctx.i1_type();
    let fnt = ctx.function_type(vec![f32t, f32t], vec![f32t, i1]);
    assert_eq!(ctx.display_type(fnt).to_string(), "(f32, f32) -> (f32, i1)");
    let nan = ctx.float_attr(f64::NAN, f32t);
    assert_eq!(ctx.display_attr(nan).to_string(), "0x7FC00000 : f32");
    let half = ctx.float_attr(0.5, f32t);
    assert_eq!(ctx.display_attr(half).to_string(), "0.5 : f32");
    let big = ctx.float_attr(1e20, f32t);
    assert_eq!(ctx.display_attr(big).to_string(), "1.0e20 : f32");
    let tenth = ctx.float_attr(0.1, f32t);
    // 0.1 rounds to the nearest f32, whose shortest text is still 0.1.
    assert_eq!(ctx.display_attr(tenth).to_string(), "0.1 : f32");
    let i8t = ctx.integer_type(8);
    let wrapped = ctx.integer_attr(200, i8t);
    assert_eq!(ctx.display_attr(wrapped).to_string(), "-56 : i8");
    assert!(ctx.int_fits_type(200, i8t) && !ctx.int_fits_type(256, i8t) && !ctx.int_fits_type(-129, i8t));
    let t12 = ctx.tensor_type(vec![Some(1), Some(2)], f32t);
    let dense = ctx.intern_attr(AttributeData::DenseElements {
        ty: t12,
        data: DenseData::Float(vec![1.0f64.to_bits(), 2.0f64.to_bits()]),
    });
    assert_eq!(ctx.display_attr(dense).to_string(), "dense<[[1.0, 2.0]]> : tensor<1x2xf32>");
    let arr = ctx.i64_array_attr(&[1, 0]);
    assert_eq!(ctx.display_attr(arr).to_string(), "array<i64: 1, 0>");
    let s = ctx.string_attr("a\"b\n");
    assert_eq!(ctx.display_attr(s).to_string(), "\"a\\\"b\\n\"");
    let sym = ctx.symbol_ref_attr("my func");
    assert_eq!(ctx.display_attr(sym).to_string(), "@\"my func\"");
}

#[test]
fn use_lists_stay_exact_under_many_edits() {
    let mut f = module_with_func();
    let (_func, entry) = add_func(&mut f, "f");
    let ctx = &mut f.ctx;
    let loc = ctx.unknown_loc();
    let f32t = ctx.f32_type();
    let args = ctx.block_arguments(entry).to_vec();
    let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(entry));
    // 20k users of args[0], some using it twice, so swap-removal moves uses
    // of the same op around.
    let users: Vec<OpId> = (0..20_000)
        .map(|i| {
            let rhs = if i % 3 == 0 { args[0] } else { args[1] };
            b.create_named("t.add", loc, &[args[0], rhs], &[f32t], &[])
        })
        .collect();
    let expected_uses = |ctx: &Context, alive: &[OpId]| -> usize {
        alive.iter().map(|op| ctx.operands(*op).iter().filter(|v| **v == args[0]).count()).sum()
    };
    let mut alive = users.clone();
    // Erase every other op, retarget some, and check the lists after each phase.
    for (k, op) in users.iter().enumerate() {
        if k % 2 == 0 {
            ctx.erase_op(*op);
        } else if k % 5 == 0 {
            ctx.set_operand(*op, 0, args[1]);
        }
    }
    alive.retain(|op| ctx.is_op_alive(*op));
    assert_eq!(ctx.uses(args[0]).len(), expected_uses(ctx, &alive));
    for u in ctx.uses(args[0]).to_vec() {
        assert_eq!(ctx.operand(u.op, u.operand as usize), args[0]);
    }
    ctx.replace_all_uses(args[0], args[1]);
    assert!(ctx.is_unused(args[0]));
    for u in ctx.uses(args[1]).to_vec() {
        assert_eq!(ctx.operand(u.op, u.operand as usize), args[1]);
    }
    // After all this, erasing the rest must keep the remaining lists exact.
    for op in &alive {
        ctx.erase_op(*op);
    }
    assert!(ctx.is_unused(args[1]));
}

#[test]
fn narrow_floats_round_once() {
    // 1 + 2^-11 + 2^-40 is just above the midpoint between the f16 values 1
    // and 1 + 2^-10: correct rounding goes up. Dropping the low bits first
    // (as a conversion through f32 truncation would) lands on the midpoint
    // and rounds to even, i.e. down.
    let x = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
    assert_eq!(round_to_float_kind(x, FloatKind::F16), 1.0 + 2f64.powi(-10));
    // Exactly on the midpoint: ties to even (1.0 has an even mantissa).
    assert_eq!(round_to_float_kind(1.0 + 2f64.powi(-11), FloatKind::F16), 1.0);
    // Overflow and the largest finite values.
    assert_eq!(round_to_float_kind(65504.0, FloatKind::F16), 65504.0);
    assert_eq!(round_to_float_kind(65520.0, FloatKind::F16), f64::INFINITY);
    assert_eq!(round_to_float_kind(-65519.99, FloatKind::F16), -65504.0);
    // Subnormals: the smallest f16 subnormal is 2^-24; half of it ties to 0.
    assert_eq!(round_to_float_kind(2f64.powi(-24), FloatKind::F16), 2f64.powi(-24));
    assert_eq!(round_to_float_kind(2f64.powi(-25), FloatKind::F16), 0.0);
    assert_eq!(round_to_float_kind(1.5 * 2f64.powi(-25), FloatKind::F16), 2f64.powi(-24));
    // bf16 keeps 8 significant bits.
    assert_eq!(
        round_to_float_kind(1.0 + 2f64.powi(-8) + 2f64.powi(-30), FloatKind::BF16),
        1.0 + 2f64.powi(-7)
    );
    assert_eq!(float_bits_in_kind(1.0, FloatKind::BF16), 0x3F80);
    assert_eq!(float_bits_in_kind(-2.0, FloatKind::F16), 0xC000);
    assert!(round_to_float_kind(f64::NAN, FloatKind::F16).is_nan());
}
