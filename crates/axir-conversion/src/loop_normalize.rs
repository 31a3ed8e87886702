//! `loop-normalize`: puts each `loop.parallel` nest in the order its memory
//! wants, then collapses dims that are contiguous together.
//!
//! Two patterns, applied by the greedy driver
//! ([`populate_loop_normalize_patterns`]):
//!
//! - [`OrderParallelByStride`]: the iterations of a `loop.parallel` are
//!   independent, so its induction variables may be permuted freely. Each
//!   one is ranked by the smallest (then the total) stride it walks in the
//!   loads of the body
//!   (the stores when it indexes no load), as the memref types state them
//!   (a dynamic stride counts as larger than any static one, and an earlier
//!   dim's as larger than a later one's); the smallest goes innermost. Loads
//!   decide because a nest usually reads more than it writes, so a transposed
//!   input makes the nest iterate in the input's memory order.
//! - [`CollapseContiguousParallel`]: two induction variables that are
//!   neighbors in the nest and index neighboring dims of every buffer they
//!   touch, each buffer being contiguous there (identity layout) and the
//!   inner loop covering the whole inner dim, become one loop over the
//!   product, reading through views with the two dims merged. A contiguous
//!   4x8x16 elementwise nest becomes one loop of 512.
//!
//! Both leave a nest alone when any induction variable is used other than
//! as a whole load or store index, since its value would change meaning.

use axir_ir::{BlockId, Context, Location, MemRefLayout, OpId, OperationState, Type, Value};
use axir_loop::memref::{constant_index, MemRefType};
use axir_pass::{Pass, PassFailure, PassInfo};
use axir_rewrite::{
    apply_patterns_greedily, FrozenPatternSet, GreedyConfig, PatternRewriter, RewritePattern,
    RewritePatternSet,
};

/// One access of a buffer in a loop body: the memref, its indices, whether
/// it is a load.
struct Access {
    op: OpId,
    memref: Value,
    /// Position of the first index among the operands.
    first_index: usize,
    indices: Vec<Value>,
    load: bool,
}

fn accesses(ctx: &Context, body: BlockId) -> Vec<Access> {
    let mut out = Vec::new();
    for top in ctx.block_ops(body) {
        for op in ctx.walk(top) {
            let (first, load) = match ctx.op_name(op) {
                "loop.load" => (1, true),
                "loop.store" => (2, false),
                _ => continue,
            };
            let operands = ctx.operands(op);
            if operands.len() < first {
                continue;
            }
            out.push(Access {
                op,
                memref: operands[first - 1],
                first_index: first,
                indices: operands[first..].to_vec(),
                load,
            });
        }
    }
    out
}

/// The parts of a `loop.parallel` the patterns need.
struct Nest {
    body: BlockId,
    ivs: Vec<Value>,
    lbs: Vec<Value>,
    ubs: Vec<Value>,
    steps: Vec<Value>,
}

fn nest(ctx: &Context, op: OpId) -> Option<Nest> {
    if ctx.op_name(op) != "loop.parallel" || !ctx.results(op).is_empty() {
        return None;
    }
    let body = ctx.regions(op).first().and_then(|&r| ctx.entry_block(r))?;
    let ivs = ctx.block_arguments(body).to_vec();
    let n = ivs.len();
    let operands = ctx.operands(op);
    if operands.len() != 3 * n {
        return None;
    }
    Some(Nest {
        body,
        lbs: operands[..n].to_vec(),
        ubs: operands[n..2 * n].to_vec(),
        steps: operands[2 * n..].to_vec(),
        ivs,
    })
}

/// Whether every use of each induction variable is a whole index of a load
/// or store.
fn ivs_only_index(ctx: &Context, n: &Nest) -> bool {
    n.ivs.iter().all(|&iv| {
        ctx.uses(iv).iter().all(|u| {
            let first = match ctx.op_name(u.op) {
                "loop.load" => 1,
                "loop.store" => 2,
                _ => return false,
            };
            u.operand as usize >= first
        })
    })
}

/// A sortable stand-in for the stride of dim `d` of memref type `ty`.
fn stride_key(ctx: &Context, ty: Type, d: usize) -> i64 {
    let Some(m) = MemRefType::of(ctx, ty) else { return i64::MAX };
    match m.strides.get(d).copied().flatten() {
        Some(s) => s.abs(),
        // Unknown: larger than any static stride, and larger for an earlier
        // dim of an identity layout, whose strides decrease.
        None => i64::MAX / 2 - d as i64,
    }
}

/// Recreates `op` (a `loop.parallel` without results) with its induction
/// variables in `order` (old positions) and the given bounds, moving the
/// body; `remap` maps each old induction variable to a value built in the
/// new body from its new induction variables.
fn rebuild(
    rewriter: &mut PatternRewriter<'_>,
    op: OpId,
    old: &Nest,
    lbs: &[Value],
    ubs: &[Value],
    steps: &[Value],
    remap: &dyn Fn(&mut Context, &[Value]) -> Vec<Value>,
) -> OpId {
    let loc: Location = rewriter.op_location(op);
    let ctx = rewriter.ctx();
    let index = ctx.index();
    let region = ctx.create_region();
    let args: Vec<(Type, Location)> = ubs.iter().map(|_| (index, loc)).collect();
    let block = ctx.append_new_block(region, &args);
    let new_ivs = ctx.block_arguments(block).to_vec();
    for o in ctx.take_block_ops(old.body) {
        ctx.append_op(block, o);
    }
    let replacement = remap(ctx, &new_ivs);
    for (&o, &n) in old.ivs.iter().zip(&replacement) {
        ctx.replace_all_uses(o, n);
    }
    let name = ctx.ident("loop.parallel");
    let mut operands = lbs.to_vec();
    operands.extend_from_slice(ubs);
    operands.extend_from_slice(steps);
    let attrs = ctx.attrs(op).to_vec();
    let mut state = OperationState::new(name, loc).with_operands(&operands).with_region(region);
    state.attributes = attrs;
    rewriter.set_insert_point_before(op);
    let new = rewriter.create(state);
    rewriter.replace_op(op, &[]);
    new
}

/// The (smallest, total) stride an induction variable walks in the loads,
/// and in the stores, of a nest: `None` where it indexes none.
type StrideKeys = (Option<(i64, i64)>, Option<(i64, i64)>);

/// `loop.parallel (i, j)` whose smallest-stride accesses are along `i`
/// -> `loop.parallel (j, i)`: the innermost loop walks the smallest stride.
pub struct OrderParallelByStride;

impl RewritePattern for OrderParallelByStride {
    fn name(&self) -> &'static str {
        "order-parallel-by-stride"
    }

    fn root(&self) -> Option<&'static str> {
        Some("loop.parallel")
    }

    fn match_and_rewrite(&self, op: OpId, rewriter: &mut PatternRewriter<'_>) -> bool {
        let ctx: &Context = rewriter;
        let Some(n) = nest(ctx, op) else { return false };
        if n.ivs.len() < 2 {
            return false;
        }
        let acc = accesses(ctx, n.body);
        // (smallest, total) load stride and (smallest, total) store stride of each iv.
        let keys: Vec<StrideKeys> = n
            .ivs
            .iter()
            .map(|&iv| {
                let mut k = (None, None);
                for a in &acc {
                    let ty = ctx.value_type(a.memref);
                    for (d, &i) in a.indices.iter().enumerate() {
                        if i != iv {
                            continue;
                        }
                        let s = stride_key(ctx, ty, d);
                        let slot = if a.load { &mut k.0 } else { &mut k.1 };
                        *slot =
                            Some(slot.map_or((s, s), |(m, t): (i64, i64)| (m.min(s), t.saturating_add(s))));
                    }
                }
                k
            })
            .collect();
        let rank = |k: &StrideKeys| k.0.or(k.1).unwrap_or((i64::MAX, i64::MAX));
        let mut order: Vec<usize> = (0..n.ivs.len()).collect();
        // Largest stride outermost; ties keep their order.
        order.sort_by(|&a, &b| rank(&keys[b]).cmp(&rank(&keys[a])));
        if order.iter().enumerate().all(|(i, &o)| i == o) {
            return false;
        }
        let pick = |v: &[Value]| -> Vec<Value> { order.iter().map(|&o| v[o]).collect() };
        let (lbs, ubs, steps) = (pick(&n.lbs), pick(&n.ubs), pick(&n.steps));
        let order2 = order.clone();
        rebuild(rewriter, op, &n, &lbs, &ubs, &steps, &move |_, new_ivs| {
            let mut old = vec![new_ivs[0]; new_ivs.len()];
            for (new_pos, &old_pos) in order2.iter().enumerate() {
                old[old_pos] = new_ivs[new_pos];
            }
            old
        });
        true
    }
}

/// Whether `size` is the size of dim `d` of `memref` (same SSA value, same
/// constant, or the size operand that made it).
fn is_dim_size(ctx: &Context, memref: Value, d: usize, size: Value) -> bool {
    let ty = ctx.value_type(memref);
    let Some(m) = MemRefType::of(ctx, ty) else { return false };
    if let (Some(Some(n)), Some(c)) = (m.shape.get(d), constant_index(ctx, size)) {
        return *n as i64 == c;
    }
    if let Some(def) = ctx.defining_op(size) {
        if ctx.op_name(def) == "loop.dim" && ctx.operands(def).first() == Some(&memref) {
            let idx = ctx.attr(def, "index").and_then(|a| ctx.attr_as_int(a));
            if idx == Some(d as i128) {
                return true;
            }
        }
    }
    if let Some(def) = ctx.defining_op(memref) {
        if ctx.op_name(def) == "loop.alloc" {
            // The k-th operand sizes the k-th dynamic dim.
            let k = m.shape[..d].iter().filter(|s| s.is_none()).count();
            return m.shape.get(d) == Some(&None) && ctx.operands(def).get(k) == Some(&size);
        }
    }
    false
}

/// `loop.parallel (i, j) to (m, n)` reading `%b[i, j]` of contiguous
/// buffers -> `loop.parallel (k) to (m * n)` reading `%b'[k]`, where `%b'`
/// views `%b` with the two dims merged.
pub struct CollapseContiguousParallel;

impl RewritePattern for CollapseContiguousParallel {
    fn name(&self) -> &'static str {
        "collapse-contiguous-parallel"
    }

    fn root(&self) -> Option<&'static str> {
        Some("loop.parallel")
    }

    fn match_and_rewrite(&self, op: OpId, rewriter: &mut PatternRewriter<'_>) -> bool {
        let ctx: &Context = rewriter;
        let Some(n) = nest(ctx, op) else { return false };
        if n.ivs.len() < 2 || !ivs_only_index(ctx, &n) {
            return false;
        }
        let all_unit = |vs: &[Value], c: i64| vs.iter().all(|&v| constant_index(ctx, v) == Some(c));
        if !all_unit(&n.lbs, 0) || !all_unit(&n.steps, 1) {
            return false;
        }
        let acc = accesses(ctx, n.body);
        // Neighbors (k, k + 1) that every access reads as neighbor dims of
        // an identity-layout buffer, the inner one whole.
        let mergeable = |k: usize| {
            let (a, b) = (n.ivs[k], n.ivs[k + 1]);
            acc.iter().all(|x| {
                let pa = x.indices.iter().position(|&i| i == a);
                let pb = x.indices.iter().position(|&i| i == b);
                match (pa, pb) {
                    (None, None) => true,
                    (Some(da), Some(db)) if db == da + 1 => {
                        let identity =
                            MemRefType::of(ctx, ctx.value_type(x.memref)).is_some_and(|m| m.identity);
                        identity && is_dim_size(ctx, x.memref, db, n.ubs[k + 1])
                    }
                    _ => false,
                }
            })
        };
        let Some(k) = (0..n.ivs.len() - 1).find(|&k| mergeable(k)) else { return false };
        // The whole run of mergeable neighbors goes at once.
        let mut last = k + 1;
        while last + 1 < n.ivs.len() && mergeable(last) {
            last += 1;
        }
        let count = last - k;
        let loc = rewriter.op_location(op);
        rewriter.set_insert_point_before(op);
        let mut merged = n.ubs[k];
        for &ub in &n.ubs[k + 1..=last] {
            let state = {
                let ctx = rewriter.ctx();
                let index = ctx.index();
                let name = ctx.ident("arith.muli");
                OperationState::new(name, loc).with_operands(&[merged, ub]).with_results(&[index])
            };
            let m = rewriter.create(state);
            merged = rewriter.ctx().result(m, 0);
        }
        // One collapsed view per buffer and first dim.
        let mut views: Vec<(Value, usize, Value)> = Vec::new();
        for x in &acc {
            let Some(d) = x.indices.iter().position(|&i| i == n.ivs[k]) else { continue };
            if views.iter().any(|(m, dd, _)| *m == x.memref && *dd == d) {
                continue;
            }
            let Some(v) = collapsed_view(rewriter, x.memref, d, count, loc) else { return false };
            views.push((x.memref, d, v));
        }
        for x in &acc {
            let Some(d) = x.indices.iter().position(|&i| i == n.ivs[k]) else { continue };
            let Some(&(_, _, v)) = views.iter().find(|(m, dd, _)| *m == x.memref && *dd == d) else {
                continue;
            };
            let mut operands = rewriter.operands(x.op).to_vec();
            operands[x.first_index - 1] = v;
            let at = x.first_index + d + 1;
            operands.drain(at..at + count);
            rewriter.modify_in_place(x.op, |ctx| ctx.set_operands(x.op, &operands));
        }
        let keep = |v: &[Value]| -> Vec<Value> {
            v.iter().enumerate().filter(|(i, _)| *i <= k || *i > last).map(|(_, &x)| x).collect()
        };
        let (lbs, mut ubs, steps) = (keep(&n.lbs), keep(&n.ubs), keep(&n.steps));
        ubs[k] = merged;
        rebuild(rewriter, op, &n, &lbs, &ubs, &steps, &move |_, new_ivs| {
            // The k-th iv now stands for the merged run; the others of the
            // run have no use left.
            let mut old: Vec<Value> = new_ivs.to_vec();
            for _ in 0..count {
                old.insert(k + 1, new_ivs[k]);
            }
            old
        });
        true
    }
}

/// A view of identity-layout `memref` with dims `d..=d + count` merged,
/// created at the rewriter's insertion point.
fn collapsed_view(
    rewriter: &mut PatternRewriter<'_>,
    memref: Value,
    d: usize,
    count: usize,
    loc: Location,
) -> Option<Value> {
    let ty = rewriter.value_type(memref);
    let m = MemRefType::of(rewriter, ty)?;
    let rank = m.rank();
    if !m.identity || d + count >= rank {
        return None;
    }
    let create = |rewriter: &mut PatternRewriter<'_>,
                  name: &str,
                  operands: &[Value],
                  result: Type,
                  attrs: Vec<(&str, axir_ir::Attribute)>| {
        let ctx = rewriter.ctx();
        let ident = ctx.ident(name);
        let mut state = OperationState::new(ident, loc).with_operands(operands).with_results(&[result]);
        for (n, a) in attrs {
            let n = ctx.ident(n);
            state.attributes.push(axir_ir::NamedAttr { name: n, value: a });
        }
        let op = rewriter.create(state);
        rewriter.ctx().result(op, 0)
    };
    let index = rewriter.ctx().index();
    let cst = |rewriter: &mut PatternRewriter<'_>, c: i64| {
        let a = rewriter.ctx().integer_attr(c as i128, index);
        create(rewriter, "arith.constant", &[], index, vec![("value", a)])
    };
    // Sizes of the source, static where the type says so.
    let mut sizes: Vec<Value> = Vec::with_capacity(rank);
    for (i, s) in m.shape.iter().enumerate() {
        sizes.push(match s {
            Some(n) => cst(rewriter, *n as i64),
            None => {
                let i64t = rewriter.ctx().i64();
                let a = rewriter.ctx().integer_attr(i as i128, i64t);
                create(rewriter, "loop.dim", &[memref], index, vec![("index", a)])
            }
        });
    }
    let mut merged = sizes[d];
    for &s in &sizes[d + 1..=d + count] {
        merged = create(rewriter, "arith.muli", &[merged, s], index, vec![]);
    }
    let mut new_sizes = sizes.clone();
    new_sizes[d] = merged;
    new_sizes.drain(d + 1..=d + count);
    let mut new_shape: Vec<Option<u64>> = m.shape.clone();
    new_shape[d] = m.shape[d..=d + count].iter().try_fold(1u64, |a, s| s.and_then(|s| a.checked_mul(s)));
    new_shape.drain(d + 1..=d + count);
    // Row-major strides of the collapsed shape.
    let new_rank = new_sizes.len();
    let mut strides: Vec<Value> = Vec::with_capacity(new_rank);
    let mut static_strides: Vec<Option<i64>> = vec![None; new_rank];
    let mut acc = cst(rewriter, 1);
    let mut acc_static = Some(1i64);
    for i in (0..new_rank).rev() {
        strides.push(acc);
        static_strides[i] = acc_static;
        acc = create(rewriter, "arith.muli", &[acc, new_sizes[i]], index, vec![]);
        acc_static = match (acc_static, new_shape[i]) {
            (Some(a), Some(b)) => a.checked_mul(b as i64),
            _ => None,
        };
    }
    strides.reverse();
    let zero = cst(rewriter, 0);
    let layout = MemRefLayout::Strided { strides: static_strides, offset: Some(0) };
    let vty = rewriter.ctx().memref_type(new_shape, m.element, layout);
    let mut operands = vec![memref, zero];
    operands.extend(new_sizes);
    operands.extend(strides);
    Some(create(rewriter, "loop.view", &operands, vty, vec![]))
}

/// Adds the patterns of `loop-normalize`: ordering by stride, then
/// collapsing contiguous dims.
pub fn populate_loop_normalize_patterns(set: &mut RewritePatternSet) {
    set.add(OrderParallelByStride);
    set.add(CollapseContiguousParallel);
}

/// Applies the `loop-normalize` patterns to every nest under `root`.
pub fn normalize_loops(ctx: &mut Context, root: OpId) -> Result<(), axir_ir::Diagnostic> {
    let mut set = RewritePatternSet::new();
    populate_loop_normalize_patterns(&mut set);
    let frozen = FrozenPatternSet::new(set);
    apply_patterns_greedily(ctx, root, &frozen, &GreedyConfig::default())
        .map(|_| ())
        .map_err(|e| e.into_diagnostic())
}

/// The `loop-normalize` pass.
#[derive(Default)]
pub struct LoopNormalize;

impl LoopNormalize {
    /// The registration of `loop-normalize`.
    pub fn info() -> PassInfo {
        PassInfo::new(
            "loop-normalize",
            "Order each loop.parallel nest by the strides it walks and collapse contiguous dims",
            &[],
            |_| Ok(Box::new(LoopNormalize) as Box<dyn Pass>),
        )
    }
}

impl Pass for LoopNormalize {
    fn name(&self) -> &'static str {
        "loop-normalize"
    }

    fn display_name(&self) -> &'static str {
        "LoopNormalize"
    }

    fn description(&self) -> &'static str {
        "Order each loop.parallel nest by the strides it walks and collapse contiguous dims"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        normalize_loops(ctx, op).map_err(PassFailure::new)
    }
}
