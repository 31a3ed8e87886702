//! Dialect conversion on a `test` dialect: legality, adaptors, type
//! conversion with materializations, recursive legalization and rollback.

mod common;

use axir_ir::{verify, Context, OpId, OperationState, Type};
use axir_rewrite::{
    apply_full_conversion, apply_partial_conversion, ConversionConfig, ConversionPattern,
    ConversionPatternSet, ConversionRewriter, ConversionTarget, OpAdaptor, TypeConverter,
};
use common::{setup, summary, Build};

/// `from(x, ...) -> to(x', ...)` where `x'` are the adaptor operands and
/// result types go through the type converter.
struct Convert {
    from: &'static str,
    to: &'static str,
}

impl ConversionPattern for Convert {
    fn name(&self) -> &'static str {
        "convert"
    }
    fn root(&self) -> Option<&'static str> {
        Some(self.from)
    }
    fn match_and_rewrite(&self, op: OpId, adaptor: &OpAdaptor, rw: &mut ConversionRewriter<'_>) -> bool {
        let types: Vec<Type> = rw.results(op).iter().map(|&r| rw.value_type(r)).collect();
        let Some(types) = rw.convert_types(&types) else { return false };
        let loc = rw.op_location(op);
        let name = rw.ctx_mut().ident(self.to);
        let state = OperationState::new(name, loc).with_operands(adaptor.operands()).with_results(&types);
        rw.replace_op_with_new(op, state);
        true
    }
}

/// Creates an op, then declines: its edits must be rolled back.
struct CreateThenDecline;

impl ConversionPattern for CreateThenDecline {
    fn name(&self) -> &'static str {
        "create-then-decline"
    }
    fn root(&self) -> Option<&'static str> {
        Some("test.add")
    }
    fn benefit(&self) -> u16 {
        10
    }
    fn match_and_rewrite(&self, op: OpId, adaptor: &OpAdaptor, rw: &mut ConversionRewriter<'_>) -> bool {
        let loc = rw.op_location(op);
        let ty = rw.value_type(rw.result(op, 0));
        rw.create_named("test.sub", loc, adaptor.operands(), &[ty], &[]);
        rw.modify_op_in_place(op, |ctx| {
            let unit = ctx.unit_attr();
            ctx.set_attr(op, "touched", unit);
        });
        false
    }
}

fn patterns(list: Vec<Box<dyn ConversionPattern>>) -> ConversionPatternSet {
    let mut set = ConversionPatternSet::new();
    for p in list {
        set.add_boxed(p);
    }
    set
}

fn convert(from: &'static str, to: &'static str) -> Box<dyn ConversionPattern> {
    Box::new(Convert { from, to })
}

fn base_target() -> ConversionTarget {
    let mut t = ConversionTarget::new();
    t.add_legal_op("test.constant").add_legal_op("test.use").add_legal_op("test.effect");
    t.add_legal_op("test.wide_add").add_legal_op("test.func").add_legal_op("test.cast");
    t
}

/// Builds `e = effect; c = constant 1; a = add(e, c); use(a)`.
fn add_program() -> (Context, OpId, axir_ir::BlockId) {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let c = b.constant(1);
    let a = b.op("test.add", &[e, c]);
    b.sink(&[a]);
    (ctx, module, body)
}

#[test]
fn partial_conversion_replaces_illegal_ops() {
    let (mut ctx, module, body) = add_program();
    let mut target = base_target();
    target.add_illegal_op("test.add");
    let set = patterns(vec![convert("test.add", "test.wide_add")]);
    let stats =
        apply_partial_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.constant 1", "test.wide_add", "test.use"]);
    assert_eq!(stats.patterns_applied, 1);
    assert_eq!(stats.ops_replaced, 1);
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn failed_conversion_reports_every_op_and_rolls_back() {
    let (mut ctx, module, body) = add_program();
    let mut b = Build::at_end(&mut ctx, body);
    let x = b.op("test.illegal", &[]); // line 1 of this builder
    b.op("test.illegal", &[x]); // line 2
    let before_ops = ctx.block_ops(body);
    let before = summary(&ctx, body);
    let mut target = base_target();
    target.add_illegal_op("test.add").add_illegal_op("test.illegal");
    let set = patterns(vec![convert("test.add", "test.wide_add")]);
    let diags =
        apply_partial_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap_err();
    let messages: Vec<_> =
        diags.iter().map(|d| (d.message.as_str(), ctx.file_line_col(d.location))).collect();
    assert_eq!(
        messages,
        [
            (
                "failed to legalize operation 'test.illegal' that was explicitly marked illegal",
                Some(("test.axir", 1, 1))
            ),
            (
                "failed to legalize operation 'test.illegal' that was explicitly marked illegal",
                Some(("test.axir", 2, 1))
            ),
        ]
    );
    assert_eq!(summary(&ctx, body), before);
    assert_eq!(ctx.block_ops(body), before_ops, "the same ops, not copies");
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn partial_conversion_leaves_unknown_ops_but_full_conversion_does_not() {
    let (mut ctx, module, body) = add_program();
    let mut b = Build::at_end(&mut ctx, body);
    let x = b.op("test.effect", &[]);
    b.op("test.neg", &[x]); // unknown to the target; line 2 of this builder
    let mut target = base_target();
    target.add_illegal_op("test.add");
    let set = patterns(vec![convert("test.add", "test.wide_add")]);
    apply_partial_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap();
    assert!(summary(&ctx, body).contains(&"test.neg".to_string()));

    let (mut ctx, module, body) = add_program();
    let mut b = Build::at_end(&mut ctx, body);
    let x = b.op("test.effect", &[]);
    b.op("test.neg", &[x]);
    let before = summary(&ctx, body);
    let diags =
        apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "failed to legalize operation 'test.neg'");
    assert_eq!(ctx.file_line_col(diags[0].location), Some(("test.axir", 2, 1)));
    assert_eq!(summary(&ctx, body), before);
}

#[test]
fn a_declining_pattern_is_undone_before_the_next_is_tried() {
    let (mut ctx, module, body) = add_program();
    let mut target = base_target();
    target.add_illegal_op("test.add");
    let set = patterns(vec![Box::new(CreateThenDecline), convert("test.add", "test.wide_add")]);
    apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.constant 1", "test.wide_add", "test.use"]);
    let wide = ctx.block_ops(body)[2];
    assert!(ctx.attr(wide, "touched").is_none());
}

#[test]
fn ops_created_by_a_pattern_are_legalized_in_turn() {
    // add -> neg -> b; `neg` and `add` are illegal, `b` is legal.
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let a = b.op("test.a", &[e]);
    b.sink(&[a]);
    let mut target = base_target();
    target.add_illegal_op("test.a").add_illegal_op("test.neg").add_legal_op("test.b");
    let set = patterns(vec![convert("test.a", "test.neg"), convert("test.neg", "test.b")]);
    let stats = apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.b", "test.use"]);
    assert_eq!(stats.patterns_applied, 2);
}

#[test]
fn a_pattern_whose_products_cannot_be_legalized_is_rejected() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let a = b.op("test.a", &[e]);
    b.sink(&[a]);
    let before = summary(&ctx, body);
    let mut target = base_target();
    target.add_illegal_op("test.a").add_illegal_op("test.neg");
    let set = patterns(vec![convert("test.a", "test.neg")]);
    let diags =
        apply_partial_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap_err();
    assert_eq!(diags[0].message, "failed to legalize operation 'test.a' that was explicitly marked illegal");
    assert_eq!(summary(&ctx, body), before);
}

#[test]
fn patterns_are_not_applied_to_their_own_products() {
    // a -> a would recurse forever without the guard.
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let a = b.op("test.a", &[e]);
    b.sink(&[a]);
    let mut target = base_target();
    target.add_illegal_op("test.a");
    let set = patterns(vec![convert("test.a", "test.a")]);
    let diags =
        apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap_err();
    assert_eq!(diags[0].message, "failed to legalize operation 'test.a'");
}

fn widening_converter() -> TypeConverter {
    let mut tc = TypeConverter::new();
    tc.add_conversion(|_, t| Some(t));
    tc.add_conversion(|ctx, t| (ctx.integer_width(t) == Some(32)).then(|| ctx.integer_type(64)));
    let cast = |b: &mut axir_ir::OpBuilder<'_>, ty: Type, input: axir_ir::Value, loc| {
        let op = b.create_named("test.cast", loc, &[input], &[ty], &[]);
        Some(b.result(op, 0))
    };
    tc.add_source_materialization(cast).add_target_materialization(cast);
    tc
}

#[test]
fn type_conversion_materializes_at_both_boundaries() {
    let (mut ctx, module, body) = add_program();
    let mut target = base_target();
    target.add_illegal_op("test.add");
    let tc = widening_converter();
    let set = patterns(vec![convert("test.add", "test.wide_add")]);
    let config = ConversionConfig { type_converter: Some(&tc), ..ConversionConfig::default() };
    let stats = apply_partial_conversion(&mut ctx, module, &target, &set, config).unwrap();
    assert!(verify(&ctx, module).is_ok());
    let ops = ctx.block_ops(body);
    let names: Vec<&str> = ops.iter().map(|&o| ctx.op_name(o)).collect();
    // Each legal producer gets a target cast right after it; the legal user
    // of the widened add gets a source cast right after the new add.
    assert_eq!(
        names,
        ["test.effect", "test.cast", "test.constant", "test.cast", "test.wide_add", "test.cast", "test.use"]
    );
    let i32 = ctx.integer_type(32);
    let i64 = ctx.integer_type(64);
    let ty = |i: usize| ctx.value_type(ctx.result(ops[i], 0));
    assert_eq!([ty(1), ty(3), ty(4), ty(5)], [i64, i64, i64, i32]);
    assert_eq!(ctx.operands(ops[4]), [ctx.result(ops[1], 0), ctx.result(ops[3], 0)]);
    assert_eq!(ctx.operand(ops[6], 0), ctx.result(ops[5], 0));
    assert_eq!(stats.materializations, 3);
}

#[test]
fn a_missing_source_materialization_fails_and_rolls_back() {
    let (mut ctx, module, body) = add_program();
    let before = summary(&ctx, body);
    let mut target = base_target();
    target.add_illegal_op("test.add");
    let mut tc = TypeConverter::new();
    tc.add_conversion(|_, t| Some(t));
    tc.add_conversion(|ctx, t| (ctx.integer_width(t) == Some(32)).then(|| ctx.integer_type(64)));
    tc.add_target_materialization(|b, ty, input, loc| {
        let op = b.create_named("test.cast", loc, &[input], &[ty], &[]);
        Some(b.result(op, 0))
    });
    let set = patterns(vec![convert("test.add", "test.wide_add")]);
    let config = ConversionConfig { type_converter: Some(&tc), ..ConversionConfig::default() };
    let diags = apply_partial_conversion(&mut ctx, module, &target, &set, config).unwrap_err();
    assert_eq!(
        diags[0].message,
        "failed to materialize conversion for result #0 of operation 'test.add' that remained live after conversion"
    );
    assert_eq!(diags[0].notes[0].message, "see existing live user here: 'test.use'");
    assert_eq!(summary(&ctx, body), before);
    assert!(verify(&ctx, module).is_ok());
}

/// Retypes the entry block of `test.region` in place.
struct RetypeRegion;

impl ConversionPattern for RetypeRegion {
    fn name(&self) -> &'static str {
        "retype-region"
    }
    fn root(&self) -> Option<&'static str> {
        Some("test.region")
    }
    fn match_and_rewrite(&self, op: OpId, adaptor: &OpAdaptor, rw: &mut ConversionRewriter<'_>) -> bool {
        let region = rw.regions(op)[0];
        let Some(block) = rw.entry_block(region) else { return false };
        if !rw.convert_block_signature(block) {
            return false;
        }
        let operands = adaptor.operands().to_vec();
        rw.modify_op_in_place(op, |ctx| {
            ctx.set_operands(op, &operands);
            let unit = ctx.unit_attr();
            ctx.set_attr(op, "converted", unit);
        });
        true
    }
}

#[test]
fn retyped_block_arguments_keep_unconverted_users_working() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let (region_op, inner) =
        common::region_op(&mut ctx, "test.region", axir_ir::InsertPoint::BlockEnd(body), &[e]);
    let i32 = ctx.integer_type(32);
    let loc = ctx.unknown_loc();
    let arg = ctx.add_block_argument(inner, i32, loc);
    let mut b = Build::at_end(&mut ctx, inner);
    let user = b.sink(&[arg]);
    let mut target = base_target();
    target.add_dynamically_legal_op("test.region", |ctx, op| ctx.attr(op, "converted").is_some());
    let tc = widening_converter();
    let config = ConversionConfig { type_converter: Some(&tc), ..ConversionConfig::default() };
    let set = patterns(vec![Box::new(RetypeRegion)]);
    apply_full_conversion(&mut ctx, module, &target, &set, config).unwrap();
    let i64 = ctx.integer_type(64);
    assert_eq!(ctx.value_type(arg), i64);
    // The untouched `test.use` still sees an i32, through a cast at block start.
    let cast = ctx.first_op(inner).unwrap();
    assert_eq!(ctx.op_name(cast), "test.cast");
    assert_eq!(ctx.operand(user, 0), ctx.result(cast, 0));
    assert_eq!(ctx.value_type(ctx.result(cast, 0)), i32);
    assert_eq!(ctx.op_name(ctx.defining_op(ctx.operand(region_op, 0)).unwrap()), "test.cast");
    assert!(verify(&ctx, module).is_ok());
}

/// `test.region { body } -> test.func { body }`, moving the body.
struct RegionToFunc;

impl ConversionPattern for RegionToFunc {
    fn name(&self) -> &'static str {
        "region-to-func"
    }
    fn root(&self) -> Option<&'static str> {
        Some("test.region")
    }
    fn match_and_rewrite(&self, op: OpId, _: &OpAdaptor, rw: &mut ConversionRewriter<'_>) -> bool {
        let loc = rw.op_location(op);
        let from = rw.regions(op)[0];
        let to = rw.ctx_mut().create_region();
        let name = rw.ctx_mut().ident("test.func");
        let new = rw.create(OperationState::new(name, loc).with_region(to));
        let _ = new;
        if !rw.take_region_body(from, to) {
            return false;
        }
        rw.erase_op(op);
        true
    }
}

fn region_program(inner_op: &str) -> (Context, OpId, axir_ir::BlockId, axir_ir::BlockId) {
    let (mut ctx, module, body) = setup();
    let (_, inner) = common::region_op(&mut ctx, "test.region", axir_ir::InsertPoint::BlockEnd(body), &[]);
    let mut b = Build::at_end(&mut ctx, inner);
    let e = b.op("test.effect", &[]);
    let c = b.constant(2);
    let a = b.op(inner_op, &[e, c]);
    b.sink(&[a]);
    (ctx, module, body, inner)
}

#[test]
fn moved_bodies_are_converted_after_their_new_parent() {
    let (mut ctx, module, body, inner) = region_program("test.add");
    let mut target = base_target();
    target.add_illegal_op("test.add").add_illegal_op("test.region");
    let set = patterns(vec![Box::new(RegionToFunc), convert("test.add", "test.wide_add")]);
    apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.func"]);
    let func = ctx.first_op(body).unwrap();
    assert_eq!(ctx.entry_block(ctx.regions(func)[0]), Some(inner), "the same block, moved");
    assert_eq!(summary(&ctx, inner), ["test.effect", "test.constant 2", "test.wide_add", "test.use"]);
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn a_failure_inside_a_moved_body_moves_it_back() {
    let (mut ctx, module, body, inner) = region_program("test.illegal");
    let region_op = ctx.first_op(body).unwrap();
    let mut target = base_target();
    target.add_illegal_op("test.illegal").add_illegal_op("test.region");
    let set = patterns(vec![Box::new(RegionToFunc)]);
    let diags =
        apply_full_conversion(&mut ctx, module, &target, &set, ConversionConfig::default()).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "failed to legalize operation 'test.illegal'");
    assert_eq!(ctx.block_ops(body), [region_op]);
    assert_eq!(ctx.entry_block(ctx.regions(region_op)[0]), Some(inner));
    assert_eq!(summary(&ctx, inner), ["test.effect", "test.constant 2", "test.illegal", "test.use"]);
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn a_declining_pattern_leaves_no_trace_on_an_op_that_stays() {
    let (mut ctx, module, body) = add_program();
    let add = ctx.block_ops(body)[2];
    let set = patterns(vec![Box::new(CreateThenDecline)]);
    // `test.add` is of unknown legality: a partial conversion may keep it.
    apply_partial_conversion(&mut ctx, module, &base_target(), &set, ConversionConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.constant 1", "test.add", "test.use"]);
    assert!(ctx.attr(add, "touched").is_none());
}
