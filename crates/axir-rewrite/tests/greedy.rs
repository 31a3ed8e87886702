//! The greedy driver on a `test` dialect: folding, constant merging and
//! hoisting, dead-op erasure, pattern order and non-convergence.

mod common;

use axir_ir::{verify, OpId};
use axir_rewrite::{
    apply_patterns_greedily, FrozenPatternSet, GreedyConfig, NonConvergence, PatternRewriter, RewritePattern,
    RewritePatternSet,
};
use common::{region_op, setup, summary, Build};

/// `name(x) -> to(x)` for any two unary ops.
struct Rename {
    name: &'static str,
    from: &'static str,
    to: &'static str,
    benefit: u16,
}

impl RewritePattern for Rename {
    fn name(&self) -> &'static str {
        self.name
    }
    fn root(&self) -> Option<&'static str> {
        Some(self.from)
    }
    fn benefit(&self) -> u16 {
        self.benefit
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let x = rw.operand(op, 0);
        let ty = rw.value_type(rw.result(op, 0));
        let loc = rw.op_location(op);
        let name = rw.ctx().ident(self.to);
        let state = axir_ir::OperationState::new(name, loc).with_operands(&[x]).with_results(&[ty]);
        rw.replace_op_with_new(op, state);
        true
    }
}

fn rename(name: &'static str, from: &'static str, to: &'static str, benefit: u16) -> Rename {
    Rename { name, from, to, benefit }
}

fn frozen(patterns: Vec<Rename>) -> FrozenPatternSet {
    let mut set = RewritePatternSet::new();
    for p in patterns {
        set.add(p);
    }
    FrozenPatternSet::new(set)
}

#[test]
fn folds_constant_chains_and_erases_what_became_dead() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let c1 = b.constant(1);
    let c2 = b.constant(2);
    let a = b.op("test.addc", &[c1, c2]); // 3
    let s = b.op("test.addc", &[a, c1]); // 4
    b.sink(&[s]);
    let stats = apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &GreedyConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.constant 4", "test.use"]);
    assert_eq!(stats.folds, 2);
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn folds_to_existing_values() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let x = b.op("test.effect", &[]);
    let zero = b.constant(0);
    let y = b.op("test.add", &[x, zero]); // x + 0 -> x
    let z = b.op("test.add", &[zero, y]); // 0 + x -> x
    let sink = b.sink(&[z]);
    apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &GreedyConfig::default()).unwrap();
    assert_eq!(ctx.operand(sink, 0), x);
    assert_eq!(summary(&ctx, body), ["test.effect", "test.use"]);
}

#[test]
fn merges_equal_constants_and_hoists_them_to_the_scope_entry() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let x = b.op("test.effect", &[]);
    let c = b.constant(7);
    b.sink(&[x, c]);
    // A non-isolated region: its constants belong to the function's scope.
    let (_, inner) = region_op(&mut ctx, "test.region", axir_ir::InsertPoint::BlockEnd(body), &[]);
    let mut b = Build::at_end(&mut ctx, inner);
    let c_inner = b.constant(7);
    let other = b.constant(8);
    let inner_sink = b.sink(&[c_inner, other]);
    apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &GreedyConfig::default()).unwrap();
    assert_eq!(
        summary(&ctx, body),
        ["test.constant 7", "test.constant 8", "test.effect", "test.use", "test.region"]
    );
    assert_eq!(summary(&ctx, inner), ["test.use"]);
    assert_eq!(ctx.operand(inner_sink, 0), c);
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn constants_do_not_cross_isolated_regions() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let c = b.constant(5);
    b.sink(&[c]);
    let (_, inner) = region_op(&mut ctx, "test.func", axir_ir::InsertPoint::BlockEnd(body), &[]);
    let mut b = Build::at_end(&mut ctx, inner);
    let c_inner = b.constant(5);
    let sink = b.sink(&[c_inner]);
    apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &GreedyConfig::default()).unwrap();
    assert_eq!(ctx.operand(sink, 0), c_inner, "a constant of an isolated region must stay inside it");
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn erases_dead_pure_ops_but_keeps_side_effects() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let n = b.op("test.neg", &[e]);
    b.op("test.neg", &[n]);
    apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &GreedyConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect"]);
}

#[test]
fn higher_benefit_wins() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let n = b.op("test.neg", &[e]);
    b.sink(&[n]);
    let patterns = frozen(vec![
        rename("neg-to-a", "test.neg", "test.a", 1),
        rename("neg-to-b", "test.neg", "test.b", 2),
    ]);
    let stats = apply_patterns_greedily(&mut ctx, module, &patterns, &GreedyConfig::default()).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.b", "test.use"]);
    assert_eq!(stats.pattern_rewrites, 1);
    assert_eq!(stats.iterations, 2, "one iteration that changes, one that confirms");
}

#[test]
fn chains_of_patterns_converge_bottom_up_too() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let n = b.op("test.neg", &[e]);
    b.sink(&[n]);
    let patterns =
        frozen(vec![rename("neg-to-a", "test.neg", "test.a", 1), rename("a-to-b", "test.a", "test.b", 1)]);
    let config = GreedyConfig { top_down: false, ..GreedyConfig::default() };
    let stats = apply_patterns_greedily(&mut ctx, module, &patterns, &config).unwrap();
    assert_eq!(summary(&ctx, body), ["test.effect", "test.b", "test.use"]);
    assert_eq!(stats.pattern_rewrites, 2);
}

#[test]
fn patterns_that_undo_each_other_are_reported_not_looped() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let n = b.op("test.a", &[e]); // line 2
    b.sink(&[n]);
    let patterns =
        frozen(vec![rename("a-to-b", "test.a", "test.b", 1), rename("b-to-a", "test.b", "test.a", 1)]);
    let err = apply_patterns_greedily(&mut ctx, module, &patterns, &GreedyConfig::default()).unwrap_err();
    assert_eq!(err.reason, NonConvergence::MaxIterations(10));
    assert_eq!(err.stats.iterations, 10);
    let d = &err.diagnostic;
    assert_eq!(d.message, "greedy pattern rewriting did not converge after 10 iterations");
    // Every rewritten op keeps the location of the op it replaced.
    assert_eq!(ctx.file_line_col(d.location), Some(("test.axir", 2, 1)));
    assert!(
        d.notes[0].message.contains("'a-to-b'") && d.notes[0].message.contains("'b-to-a'"),
        "{:?}",
        d.notes
    );
    // The IR is still valid: every rewrite was complete.
    assert!(verify(&ctx, module).is_ok());
}

#[test]
fn max_rewrites_stops_the_driver() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    let n = b.op("test.a", &[e]);
    b.sink(&[n]);
    let patterns =
        frozen(vec![rename("a-to-b", "test.a", "test.b", 1), rename("b-to-a", "test.b", "test.a", 1)]);
    let config = GreedyConfig { max_rewrites: Some(5), ..GreedyConfig::default() };
    let err = apply_patterns_greedily(&mut ctx, module, &patterns, &config).unwrap_err();
    assert_eq!(err.reason, NonConvergence::MaxRewrites(5));
    assert_eq!(err.stats.pattern_rewrites, 5);
    assert_eq!(err.diagnostic.message, "greedy pattern rewriting stopped after the maximum of 5 rewrites");
}

#[test]
fn one_iteration_is_enough_when_nothing_changes() {
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let e = b.op("test.effect", &[]);
    b.sink(&[e]);
    let config = GreedyConfig { max_iterations: 1, ..GreedyConfig::default() };
    let stats = apply_patterns_greedily(&mut ctx, module, &frozen(vec![]), &config).unwrap();
    assert_eq!(stats.iterations, 1);
    assert!(!stats.changed);
}

#[test]
fn long_rewrite_chains_are_linear() {
    // 100k ops rewritten twice each: quadratic behaviour would take minutes.
    // (Ops share no operand: erasing a use of a value with many uses is
    // linear in the IR core, see the report on `Context::remove_use`.)
    let (mut ctx, module, body) = setup();
    let mut b = Build::at_end(&mut ctx, body);
    let mut x = b.op("test.effect", &[]);
    for _ in 0..100_000 {
        x = b.op("test.neg", &[x]);
    }
    b.sink(&[x]);
    let patterns =
        frozen(vec![rename("neg-to-a", "test.neg", "test.a", 1), rename("a-to-b", "test.a", "test.b", 1)]);
    let start = std::time::Instant::now();
    let stats = apply_patterns_greedily(&mut ctx, module, &patterns, &GreedyConfig::default()).unwrap();
    assert_eq!(stats.pattern_rewrites, 200_000);
    assert_eq!(ctx.block_ops(body).len(), 100_002);
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
}
