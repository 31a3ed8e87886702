//! `inline`: inlines `func.call`s of single-block functions, then erases
//! the private callees that became unused.
//!
//! The call graph of the `func.func`s under the root is built once and its
//! strongly connected components computed. **A callee that is part of a
//! cycle (recursive, directly or not) is never inlined.** Functions are
//! processed callees first, so a function's body is final when it is
//! inlined and one pass suffices. Declarations and functions whose body has
//! more than one block are not inlined (no `cf` dialect to merge them).
//!
//! The `func` ops are recognized by name (`func.func`, `func.call`,
//! `func.return`) and their attributes (`callee`, `sym_name`), so the pass
//! does not depend on the dialect crate.

use axir_ir::{AttributeData, Context, Diagnostic, OpId, SymbolTableCollection, Value};
use axir_pass::{Pass, PassFailure, PassInfo};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

const FUNC: &str = "func.func";
const CALL: &str = "func.call";
const RETURN: &str = "func.return";
const CALLEE: &str = "callee";

/// Inlines calls to non-recursive single-block functions (MLIR's `Inliner`,
/// without its cost model: every eligible call is inlined).
#[derive(Default)]
pub struct Inline {
    /// Calls inlined by the last run.
    pub num_inlined: u64,
    /// Private functions erased by the last run.
    pub num_erased: u64,
}

impl Inline {
    /// The registration of `inline`.
    pub fn info() -> PassInfo {
        PassInfo::new("inline", "Inline function calls", &[], |_| {
            Ok(Box::new(Inline::default()) as Box<dyn Pass>)
        })
    }
}

impl Pass for Inline {
    fn name(&self) -> &'static str {
        "inline"
    }

    fn display_name(&self) -> &'static str {
        "Inliner"
    }

    fn description(&self) -> &'static str {
        "Inline function calls"
    }

    fn run(&mut self, ctx: &mut Context, root: OpId) -> Result<(), PassFailure> {
        let graph = CallGraph::build(ctx, root);
        let mut diagnostics = Vec::new();
        let mut inlined_callees = FxHashSet::default();
        self.num_inlined = 0;
        for node in graph.bottom_up_order() {
            for &(call, callee) in &graph.calls[node] {
                if graph.is_recursive(callee) || !ctx.is_op_alive(call) {
                    continue;
                }
                match inline_call(ctx, call, graph.funcs[callee]) {
                    Ok(true) => {
                        self.num_inlined += 1;
                        inlined_callees.insert(graph.funcs[callee]);
                    }
                    Ok(false) => {}
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        if !diagnostics.is_empty() {
            return Err(PassFailure::with_diagnostics(diagnostics));
        }
        self.num_erased = erase_unused_private(ctx, root, &inlined_callees);
        Ok(())
    }
}

/// Functions, the calls in each (with their resolved callee), and the SCCs.
struct CallGraph {
    /// Every `func.func` under the root; the last node stands for calls
    /// outside any function.
    funcs: Vec<OpId>,
    /// Per node: (call op, callee node).
    calls: Vec<Vec<(OpId, usize)>>,
    /// SCC id per node, in Tarjan's order (callees' SCCs first).
    scc: Vec<usize>,
    /// Whether each SCC has a cycle (size > 1, or a self call).
    cyclic: Vec<bool>,
}

impl CallGraph {
    fn build(ctx: &Context, root: OpId) -> Self {
        let all = ctx.walk(root);
        let mut funcs: Vec<OpId> = all.iter().copied().filter(|&o| ctx.op_name(o) == FUNC).collect();
        let index: FxHashMap<OpId, usize> = funcs.iter().enumerate().map(|(i, &f)| (f, i)).collect();
        let outside = funcs.len();
        funcs.push(root);
        let mut calls = vec![Vec::new(); funcs.len()];
        let mut symbols = SymbolTableCollection::new();
        for &op in &all {
            if ctx.op_name(op) != CALL {
                continue;
            }
            let Some(name) = ctx.attr(op, CALLEE).and_then(|a| ctx.attr_as_symbol(a)) else { continue };
            let Some(&callee) = symbols.lookup_from(ctx, op, name).and_then(|f| index.get(&f)) else {
                continue;
            };
            let caller =
                enclosing_func(ctx, op, root).and_then(|f| index.get(&f).copied()).unwrap_or(outside);
            calls[caller].push((op, callee));
        }
        let (scc, count) = tarjan(&calls);
        let mut size = vec![0usize; count];
        for &s in &scc {
            size[s] += 1;
        }
        let mut cyclic: Vec<bool> = size.iter().map(|&n| n > 1).collect();
        for (caller, list) in calls.iter().enumerate() {
            if list.iter().any(|&(_, callee)| callee == caller) {
                cyclic[scc[caller]] = true;
            }
        }
        Self { funcs, calls, scc, cyclic }
    }

    fn is_recursive(&self, node: usize) -> bool {
        self.cyclic[self.scc[node]]
    }

    /// Nodes with callees before callers (Tarjan numbers SCCs in reverse
    /// topological order of the call graph).
    fn bottom_up_order(&self) -> Vec<usize> {
        let mut nodes: Vec<usize> = (0..self.funcs.len()).collect();
        nodes.sort_by_key(|&n| (self.scc[n], n));
        nodes
    }
}

fn enclosing_func(ctx: &Context, op: OpId, root: OpId) -> Option<OpId> {
    let mut cur = ctx.parent_op(op);
    while let Some(p) = cur {
        if ctx.op_name(p) == FUNC {
            return Some(p);
        }
        if p == root {
            return None;
        }
        cur = ctx.parent_op(p);
    }
    None
}

/// Iterative Tarjan: the SCC of each node and the number of SCCs. SCCs are
/// numbered in the order they complete, i.e. callees before callers.
fn tarjan(edges: &[Vec<(OpId, usize)>]) -> (Vec<usize>, usize) {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut scc = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut count = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut frames: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut edge)) = frames.last_mut() {
            if *edge < edges[v].len() {
                let w = edges[v][*edge].1;
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc[w] = count;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    (scc, count)
}

/// Inlines `call` if `callee` is eligible; `Ok(false)` when it is not (a
/// declaration, several blocks), `Err` when the call does not match the
/// callee (IR the verifier rejects).
fn inline_call(ctx: &mut Context, call: OpId, callee: OpId) -> Result<bool, Diagnostic> {
    let Some(&region) = ctx.regions(callee).first() else { return Ok(false) };
    let [body] = ctx.region_blocks(region) else { return Ok(false) };
    let body = *body;
    let Some(terminator) = ctx.last_op(body) else { return Ok(false) };
    if ctx.op_name(terminator) != RETURN {
        return Ok(false);
    }
    let name = ctx.symbol_name(callee).unwrap_or("").to_string();
    let args: SmallVec<[Value; 4]> = ctx.block_arguments(body).into();
    let operands: SmallVec<[Value; 4]> = ctx.operands(call).into();
    let cannot = |ctx: &Context, why: String| {
        ctx.op_error(call, format!("cannot be inlined: {why}"))
            .with_note(ctx.op_location(callee), format!("callee @{name} defined here"))
    };
    if args.len() != operands.len() {
        let why = format!("{} operands for {} callee arguments", operands.len(), args.len());
        return Err(cannot(ctx, why));
    }
    for (i, (&a, &o)) in args.iter().zip(&operands).enumerate() {
        if ctx.value_type(a) != ctx.value_type(o) {
            return Err(cannot(ctx, format!("operand #{i} type does not match the callee argument type")));
        }
    }
    let returned: SmallVec<[Value; 2]> = ctx.operands(terminator).into();
    let results: SmallVec<[Value; 2]> = ctx.results(call).into();
    if returned.len() != results.len() {
        let why = format!("{} results for {} values returned by the callee", results.len(), returned.len());
        return Err(cannot(ctx, why));
    }
    for (i, (&r, &v)) in results.iter().zip(&returned).enumerate() {
        if ctx.value_type(r) != ctx.value_type(v) {
            return Err(cannot(ctx, format!("result #{i} type does not match the returned value type")));
        }
    }
    let mut mapping: FxHashMap<Value, Value> = args.iter().copied().zip(operands.iter().copied()).collect();
    for op in ctx.block_ops(body) {
        if op == terminator {
            break;
        }
        let copy = ctx.clone_op(op, &mut mapping);
        ctx.insert_op(axir_ir::InsertPoint::Before(call), copy);
    }
    let values: SmallVec<[Value; 2]> = returned
        .iter()
        .map(|v| match mapping.get(v) {
            Some(&m) => m,
            // A returned value defined outside the body would break the
            // callee's isolation; the verifier rejects that IR.
            None => *v,
        })
        .collect();
    ctx.replace_op(call, &values);
    Ok(true)
}

/// Erases the private functions of `candidates` that no remaining symbol
/// reference names; returns how many.
fn erase_unused_private(ctx: &mut Context, root: OpId, candidates: &FxHashSet<OpId>) -> u64 {
    let private: FxHashMap<String, OpId> = candidates
        .iter()
        .filter(|&&f| ctx.is_op_alive(f) && ctx.is_private_symbol(f))
        .filter_map(|&f| ctx.symbol_name(f).map(|n| (n.to_string(), f)))
        .collect();
    if private.is_empty() {
        return 0;
    }
    // References from outside the candidates make them live; references
    // from a live candidate's body make their targets live in turn.
    let mut from_outside: FxHashSet<String> = FxHashSet::default();
    let mut from_candidate: FxHashMap<OpId, Vec<String>> = FxHashMap::default();
    let candidate_ops: FxHashSet<OpId> = private.values().copied().collect();
    let mut stack = vec![(root, None::<OpId>)];
    while let Some((op, owner)) = stack.pop() {
        let owner = if candidate_ops.contains(&op) { Some(op) } else { owner };
        for a in ctx.attrs(op) {
            let mut names = Vec::new();
            collect_ref_roots(ctx, a.value, &mut names);
            match owner {
                Some(o) => from_candidate.entry(o).or_default().extend(names),
                None => from_outside.extend(names),
            }
        }
        for &r in ctx.regions(op) {
            for &b in ctx.region_blocks(r) {
                stack.extend(ctx.block_ops_iter(b).map(|o| (o, owner)));
            }
        }
    }
    let mut live: FxHashSet<String> = FxHashSet::default();
    let mut work: Vec<String> = from_outside.into_iter().collect();
    while let Some(name) = work.pop() {
        if !live.insert(name.clone()) {
            continue;
        }
        if let Some(refs) = private.get(&name).and_then(|f| from_candidate.get(f)) {
            work.extend(refs.iter().cloned());
        }
    }
    let dead: Vec<OpId> = private.iter().filter(|(n, _)| !live.contains(*n)).map(|(_, &f)| f).collect();
    for &f in &dead {
        ctx.drop_all_uses_in(f);
    }
    for &f in &dead {
        ctx.erase_op(f);
    }
    dead.len() as u64
}

fn collect_ref_roots(ctx: &Context, attr: axir_ir::Attribute, out: &mut Vec<String>) {
    match ctx.attr_data(attr) {
        AttributeData::SymbolRef { root, .. } => out.push(root.clone()),
        AttributeData::Array(items) => items.iter().for_each(|&a| collect_ref_roots(ctx, a, out)),
        AttributeData::Dictionary(entries) => {
            entries.iter().for_each(|(_, a)| collect_ref_roots(ctx, *a, out))
        }
        _ => {}
    }
}
