//! `array-fuse`: groups array ops into `array.fusion` ops, one per loop nest.
//!
//! The pass plans groups over each block of each function, consumers first
//! (XLA's instruction fusion order), then rewrites the block: every group
//! of two or more ops becomes an `array.fusion` whose body holds its ops,
//! placed in a topological order of the groups.
//!
//! The rules, with the reasons (docs/passes.md has the user's version):
//!
//! - **Elementwise ops, broadcasts, transposes, slices and `iota` are
//!   light**: a group computes them at the point where it reads them. A
//!   light op read by one group at one index is fused; read at several
//!   places (several groups, or several loops of one group) it is
//!   recomputed at each when it costs at most `max-recompute-cost` flops per
//!   element ([`op_cost`]), and materialized otherwise (computed once into a
//!   buffer, by a group of its own, or yielded by the one group that reads
//!   it at the group's own iteration space).
//! - **A reduction joins the group of its consumer when the consumer reads
//!   it row by row**: every dim of its result is indexed by a distinct dim of
//!   the group's root (or is a broadcast size-1 dim). The group then runs an
//!   outer loop over those *row dims* and computes the reduction once per
//!   row; the other dims of the root become inner loops. Every reduction of a
//!   group has the same row dims. A reduction read along one of its own
//!   reduced dims (or along any loop that is not a root dim) is never fused:
//!   computing it inside that loop would compute something else (the shape
//!   of llvm-project issue #58398).
//! - **A matrix product is never fused into its consumer's loops as an
//!   operand**: its operands are materialized. Elementwise epilogues join
//!   its group when they read it at the group's full iteration space.
//! - **Groups never form a cycle**: a value leaves a group only if no path
//!   through other groups leads back into it.
//!
//! Splat constants are cloned into every group that reads them.

use super::roles::{is_elementwise, is_row_indexed, operand_roles, root_roles, used_dims, Roles};
use super::shapes::{ShapeInfo, SymDim};
use crate::fusion::{FusionOp, YieldOp};
use crate::ops::{binary_op, unary_op};
use axir_ir::{AttributeData, BlockId, Context, InsertPoint, OpBuilder, OpId, OpTraits, Type, Value};
use axir_pass::{OptionKind, Pass, PassFailure, PassInfo, PassOptionInfo, PassOptions};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// The options of `array-fuse`.
pub const ARRAY_FUSE_OPTIONS: &[PassOptionInfo] = &[
    PassOptionInfo {
        name: "max-recompute-cost",
        kind: OptionKind::UInt,
        default: "16",
        description: "Recompute a light op read at several places when it costs at most this many flops per element; materialize it otherwise",
    },
    PassOptionInfo {
        name: "fuse-reductions",
        kind: OptionKind::Bool,
        default: "true",
        description: "Fuse reductions into the groups of consumers that read them row by row",
    },
    PassOptionInfo {
        name: "fuse-matmul-epilogues",
        kind: OptionKind::Bool,
        default: "true",
        description: "Fuse elementwise epilogues (bias, activation) into the group of a matrix product",
    },
];

/// What `array-fuse` may do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FuseConfig {
    /// Light ops read at several places are recomputed when they cost at
    /// most this many flops per element ([`op_cost`]).
    pub max_recompute_cost: u32,
    /// Whether reductions join their consumers' groups.
    pub fuse_reductions: bool,
    /// Whether elementwise epilogues join a matrix product's group.
    pub fuse_matmul_epilogues: bool,
}

impl Default for FuseConfig {
    fn default() -> Self {
        Self { max_recompute_cost: 16, fuse_reductions: true, fuse_matmul_epilogues: true }
    }
}

impl FuseConfig {
    /// The configuration given by the pass options.
    pub fn from_options(options: &PassOptions) -> Self {
        Self {
            max_recompute_cost: u32::try_from(options.uint("max-recompute-cost")).unwrap_or(u32::MAX),
            fuse_reductions: options.bool("fuse-reductions"),
            fuse_matmul_epilogues: options.bool("fuse-matmul-epilogues"),
        }
    }
}

/// The cost model: flops per element of a light op. Data movement
/// (broadcast, transpose, slice, iota, constants) is free; a comparison,
/// select, cast or add is 1; a division or square root 4; a transcendental
/// function 8.
pub fn op_cost(ctx: &Context, op: OpId) -> u32 {
    let name = ctx.op_name(op);
    let short = name.strip_prefix("array.").unwrap_or(name);
    if unary_op(name).is_some() || binary_op(name).is_some() {
        return match short {
            "div" | "rem" | "fmod" | "sqrt" | "rsqrt" | "hypot" => 4,
            "exp" | "exp2" | "expm1" | "log" | "log2" | "log10" | "log1p" | "sin" | "cos" | "tan"
            | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "asinh" | "acosh" | "atanh" | "erf"
            | "sigmoid" | "pow" | "atan2" => 8,
            _ => 1,
        };
    }
    match short {
        "cmp" | "select" | "cast" => 1,
        _ => 0,
    }
}

/// How the planner treats an op.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Kind {
    /// Computed where it is read; the cost per element.
    Light(u32),
    /// A reduction.
    Reduce,
    /// A matrix product.
    Matmul,
    /// A splat constant: cloned into every group that reads it.
    Splat,
    /// Not fused: stays an op of its own.
    Bare,
}

fn classify(ctx: &Context, op: OpId) -> Kind {
    let results = ctx.results(op);
    if results.len() != 1 || ctx.is_unused(results[0]) || !ctx.op_name(op).starts_with("array.") {
        return Kind::Bare;
    }
    if !matches!(ctx.type_data(ctx.value_type(results[0])), axir_ir::TypeData::Tensor { shape: Some(_), .. })
    {
        return Kind::Bare;
    }
    match ctx.op_name(op) {
        "array.constant" => {
            let splat = ctx.attr(op, "value").is_some_and(
                |a| matches!(ctx.attr_data(a), AttributeData::DenseElements { data, .. } if data.len() == 1),
            );
            if splat {
                Kind::Splat
            } else {
                Kind::Bare
            }
        }
        "array.reduce" => Kind::Reduce,
        "array.matmul" => Kind::Matmul,
        "array.broadcast" | "array.transpose" | "array.slice" | "array.iota" => Kind::Light(0),
        _ if is_elementwise(ctx, op) => Kind::Light(op_cost(ctx, op)),
        _ => Kind::Bare,
    }
}

/// A node of the group graph: a group, or an op left alone.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
enum Node {
    Group(usize),
    Op(OpId),
}

/// Where the planner put an op.
#[derive(Clone, Debug)]
enum Place {
    /// Left alone.
    Bare,
    /// Computed by each of these groups where they read it.
    Inlined(Vec<usize>),
    /// Materialized by this group (its root, or a value it yields).
    Home(usize),
}

/// One planned group.
#[derive(Clone, Debug)]
struct Group {
    root: OpId,
    root_dims: Vec<SymDim>,
    /// The row dims once a reduction or matrix product joined; `None` for a
    /// group of light ops only (every dim is a parallel loop).
    rows: Option<BTreeSet<u32>>,
    matmul: bool,
    members: Vec<OpId>,
    /// The distinct roles at which the group reads each member's result.
    sites: FxHashMap<OpId, Vec<Roles>>,
}

/// What the planner decided for a block, and what the rewrite did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FuseStats {
    /// `array.fusion` ops created.
    pub groups: usize,
    /// Ops moved into them (an op recomputed by two groups counts twice).
    pub fused_ops: usize,
}

struct Planner<'a> {
    ctx: &'a Context,
    shapes: &'a ShapeInfo,
    config: FuseConfig,
    groups: Vec<Group>,
    place: FxHashMap<OpId, Place>,
    /// Producer node to consumer nodes, among placed ops.
    edges: FxHashMap<Node, FxHashSet<Node>>,
}

/// The fusible places where a group reads one op, and the nodes that read
/// it as an input.
#[derive(Default)]
struct Readers {
    sites: Vec<(usize, Roles)>,
    inputs: FxHashSet<Node>,
}

impl Readers {
    fn groups(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for (g, _) in &self.sites {
            if !out.contains(g) {
                out.push(*g);
            }
        }
        out
    }

    fn roles_in(&self, g: usize) -> Vec<&Roles> {
        self.sites.iter().filter(|(h, _)| *h == g).map(|(_, r)| r).collect()
    }
}

impl<'a> Planner<'a> {
    fn readers(&self, op: OpId) -> Readers {
        let ctx = self.ctx;
        let mut out = Readers::default();
        let Some(&v) = ctx.results(op).first() else { return out };
        for u in ctx.uses(v) {
            let user = u.op;
            match self.place.get(&user) {
                None | Some(Place::Bare) => {
                    out.inputs.insert(Node::Op(user));
                }
                Some(Place::Home(g)) => self.read_in(user, u.operand as usize, *g, &mut out),
                Some(Place::Inlined(gs)) => {
                    for &g in gs {
                        self.read_in(user, u.operand as usize, g, &mut out);
                    }
                }
            }
        }
        out
    }

    fn read_in(&self, user: OpId, operand: usize, g: usize, out: &mut Readers) {
        let roles = self.groups[g].sites.get(&user).cloned().unwrap_or_default();
        for r in roles {
            match operand_roles(self.ctx, self.shapes, user, operand, &r) {
                Some(x) if !out.sites.contains(&(g, x.clone())) => out.sites.push((g, x)),
                Some(_) => {}
                None => {
                    out.inputs.insert(Node::Group(g));
                }
            }
        }
    }

    fn add_edges(&mut self, from: Node, to: impl IntoIterator<Item = Node>) {
        let set = self.edges.entry(from).or_default();
        for n in to {
            if n != from {
                set.insert(n);
            }
        }
    }

    /// Whether adding edges from group `g` to `consumers` closes a cycle:
    /// some consumer already reaches `g`.
    fn would_cycle(&self, g: usize, consumers: &FxHashSet<Node>) -> bool {
        let target = Node::Group(g);
        let mut stack: Vec<Node> = consumers.iter().copied().filter(|&n| n != target).collect();
        let mut seen: FxHashSet<Node> = FxHashSet::default();
        while let Some(n) = stack.pop() {
            if n == target {
                return true;
            }
            if !seen.insert(n) {
                continue;
            }
            if let Some(next) = self.edges.get(&n) {
                stack.extend(next.iter().copied());
            }
        }
        false
    }

    fn new_group(&mut self, op: OpId, kind: Kind, readers: &Readers) {
        let ctx = self.ctx;
        let root_dims = ctx.results(op).first().and_then(|&v| self.shapes.dims(v)).map(<[SymDim]>::to_vec);
        let root_dims = root_dims.unwrap_or_default();
        let roles = root_roles(&root_dims);
        let rows = matches!(kind, Kind::Reduce | Kind::Matmul).then(|| used_dims(&roles));
        let g = self.groups.len();
        let mut sites = FxHashMap::default();
        sites.insert(op, vec![roles]);
        self.groups.push(Group {
            root: op,
            root_dims,
            rows,
            matmul: kind == Kind::Matmul,
            members: vec![op],
            sites,
        });
        self.place.insert(op, Place::Home(g));
        let mut to: Vec<Node> = readers.inputs.iter().copied().collect();
        to.extend(readers.groups().into_iter().map(Node::Group));
        self.add_edges(Node::Group(g), to);
    }

    fn join(&mut self, op: OpId, g: usize, roles: Vec<Roles>) {
        let group = &mut self.groups[g];
        if !group.members.contains(&op) {
            group.members.push(op);
        }
        let sites = group.sites.entry(op).or_default();
        for r in roles {
            if !sites.contains(&r) {
                sites.push(r);
            }
        }
    }

    /// Materializes `op` in group `g` (as a value the group yields), read
    /// by every other reader as an input, unless that closes a cycle.
    fn try_home(&mut self, op: OpId, g: usize, readers: &Readers) -> bool {
        let mut consumers = readers.inputs.clone();
        // A group cannot read, as an input, a value it computes itself.
        if consumers.contains(&Node::Group(g)) {
            return false;
        }
        consumers.extend(readers.groups().into_iter().filter(|&h| h != g).map(Node::Group));
        if self.would_cycle(g, &consumers) {
            return false;
        }
        let roles: Vec<Roles> = readers.roles_in(g).into_iter().cloned().collect();
        self.join(op, g, roles);
        self.place.insert(op, Place::Home(g));
        self.add_edges(Node::Group(g), consumers);
        true
    }

    fn place_light(&mut self, op: OpId, cost: u32, readers: Readers) {
        let groups = readers.groups();
        let recompute = readers.sites.len() <= 1 || cost <= self.config.max_recompute_cost;
        if readers.inputs.is_empty() && !groups.is_empty() && recompute {
            for &g in &groups {
                let roles = readers.roles_in(g).into_iter().cloned().collect();
                self.join(op, g, roles);
            }
            self.place.insert(op, Place::Inlined(groups));
            return;
        }
        // Materialized: by the one group that reads it at its whole
        // iteration space, which then yields it, or by a group of its own.
        if let [g] = groups.as_slice() {
            let group = &self.groups[*g];
            let dims = self.ctx.results(op).first().and_then(|&v| self.shapes.dims(v));
            let whole = dims == Some(group.root_dims.as_slice())
                && readers.roles_in(*g) == vec![&root_roles(&group.root_dims)];
            if whole && self.try_home(op, *g, &readers) {
                return;
            }
        }
        self.new_group(op, Kind::Light(cost), &readers);
    }

    fn place_reduce(&mut self, op: OpId, readers: Readers) {
        if self.config.fuse_reductions {
            for g in readers.groups() {
                let roles = readers.roles_in(g);
                let [r] = roles.as_slice() else { continue };
                let group = &self.groups[g];
                if group.matmul || !is_row_indexed(r) {
                    continue;
                }
                let used = used_dims(r);
                if group.rows.as_ref().is_some_and(|rows| *rows != used) {
                    continue;
                }
                if self.try_home(op, g, &readers) {
                    self.groups[g].rows = Some(used);
                    return;
                }
            }
        }
        self.new_group(op, Kind::Reduce, &readers);
    }

    fn place_matmul(&mut self, op: OpId, readers: Readers) {
        if self.config.fuse_matmul_epilogues {
            for g in readers.groups() {
                let group = &self.groups[g];
                let whole = root_roles(&group.root_dims);
                let dims = self.ctx.results(op).first().and_then(|&v| self.shapes.dims(v));
                if group.rows.is_some()
                    || group.matmul
                    || dims != Some(group.root_dims.as_slice())
                    || readers.roles_in(g) != vec![&whole]
                {
                    continue;
                }
                if self.try_home(op, g, &readers) {
                    self.groups[g].rows = Some(used_dims(&whole));
                    self.groups[g].matmul = true;
                    return;
                }
            }
        }
        self.new_group(op, Kind::Matmul, &readers);
    }

    fn plan(&mut self, block: BlockId) {
        let ops = self.ctx.block_ops(block);
        for &op in ops.iter().rev() {
            let kind = classify(self.ctx, op);
            let readers = self.readers(op);
            match kind {
                Kind::Bare | Kind::Splat => {
                    self.place.insert(op, Place::Bare);
                    let mut to: Vec<Node> = readers.inputs.iter().copied().collect();
                    if kind == Kind::Bare {
                        to.extend(readers.groups().into_iter().map(Node::Group));
                    }
                    self.add_edges(Node::Op(op), to);
                }
                Kind::Light(cost) => self.place_light(op, cost, readers),
                Kind::Reduce => self.place_reduce(op, readers),
                Kind::Matmul => self.place_matmul(op, readers),
            }
        }
    }
}

fn is_splat_constant(ctx: &Context, op: OpId) -> bool {
    classify(ctx, op) == Kind::Splat || {
        ctx.op_name(op) == "array.constant"
            && ctx.attr(op, "value").is_some_and(
                |a| matches!(ctx.attr_data(a), AttributeData::DenseElements { data, .. } if data.len() == 1),
            )
    }
}

/// Plans the groups of one block and rewrites it.
pub fn fuse_block(ctx: &mut Context, block: BlockId, shapes: &ShapeInfo, config: FuseConfig) -> FuseStats {
    let ops = ctx.block_ops(block);
    let pos: FxHashMap<OpId, usize> = ops.iter().enumerate().map(|(i, &o)| (o, i)).collect();
    let (groups, place) = {
        let mut planner = Planner {
            ctx,
            shapes,
            config,
            groups: Vec::new(),
            place: FxHashMap::default(),
            edges: FxHashMap::default(),
        };
        planner.plan(block);
        (planner.groups, planner.place)
    };
    let wrapped: Vec<bool> = groups.iter().map(|g| g.members.len() >= 2).collect();
    // The node each op belongs to for ordering: a wrapped group, or itself.
    let node_of = |op: OpId| -> Node {
        match place.get(&op) {
            Some(Place::Home(g)) if wrapped[*g] => Node::Group(*g),
            _ => Node::Op(op),
        }
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut seen: FxHashSet<Node> = FxHashSet::default();
    for &op in &ops {
        let in_wrapped_only =
            matches!(place.get(&op), Some(Place::Inlined(gs)) if gs.iter().all(|&g| wrapped[g]));
        if in_wrapped_only {
            continue;
        }
        let n = node_of(op);
        if seen.insert(n) {
            nodes.push(n);
        }
    }
    let members_of = |n: Node| -> Vec<OpId> {
        match n {
            Node::Group(g) => groups[g].members.clone(),
            Node::Op(op) => vec![op],
        }
    };
    // Data dependencies between nodes, and program order between ops with
    // side effects.
    let index: FxHashMap<Node, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut preds: Vec<FxHashSet<usize>> = vec![FxHashSet::default(); nodes.len()];
    let mut last_effect: Option<usize> = None;
    for (i, &n) in nodes.iter().enumerate() {
        let members = members_of(n);
        let member_set: FxHashSet<OpId> = members.iter().copied().collect();
        for &m in &members {
            for nested in ctx.walk(m) {
                for &v in ctx.operands(nested) {
                    let Some(def) = ctx.defining_op(v) else { continue };
                    if ctx.parent_block(def) != Some(block) || member_set.contains(&def) {
                        continue;
                    }
                    if matches!(n, Node::Group(_)) && is_splat_constant(ctx, def) {
                        continue;
                    }
                    if let Some(&j) = index.get(&node_of(def)) {
                        if j != i {
                            preds[i].insert(j);
                        }
                    }
                }
            }
        }
        if let Node::Op(op) = n {
            if !ctx.op_info(op).is_some_and(|inf| inf.has(OpTraits::PURE)) {
                if let Some(j) = last_effect {
                    preds[i].insert(j);
                }
                last_effect = Some(i);
            }
        }
    }
    let priority =
        |n: Node| -> usize { members_of(n).iter().filter_map(|m| pos.get(m)).copied().max().unwrap_or(0) };
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut indegree: Vec<usize> = vec![0; nodes.len()];
    for (i, p) in preds.iter().enumerate() {
        indegree[i] = p.len();
        for &j in p {
            succs[j].push(i);
        }
    }
    let mut heap: BinaryHeap<Reverse<(usize, usize)>> = BinaryHeap::new();
    for (i, &n) in nodes.iter().enumerate() {
        if indegree[i] == 0 {
            heap.push(Reverse((priority(n), i)));
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, i))) = heap.pop() {
        order.push(i);
        for &s in &succs[i] {
            indegree[s] -= 1;
            if indegree[s] == 0 {
                heap.push(Reverse((priority(nodes[s]), s)));
            }
        }
    }
    if order.len() != nodes.len() {
        // Invariant: the planner never closes a cycle; if it ever did, the
        // block is left as it was rather than reordered wrongly.
        return FuseStats::default();
    }
    let mut stats = FuseStats::default();
    let mut replacements: Vec<(Value, Value)> = Vec::new();
    let mut erase: FxHashSet<OpId> = FxHashSet::default();
    for i in order {
        match nodes[i] {
            Node::Op(op) => ctx.move_op(op, InsertPoint::BlockEnd(block)),
            Node::Group(g) => {
                let group = &groups[g];
                let mut members = group.members.clone();
                members.sort_by_key(|m| pos.get(m).copied().unwrap_or(0));
                // The root, then every value the group materializes for a
                // reader outside it: an op that is not a member, or a member
                // inlined into other groups too, whose copies there read the
                // value as an input.
                let read_outside = |m: OpId| {
                    ctx.results(m).iter().any(|&r| {
                        ctx.uses(r).iter().any(|u| {
                            !members.contains(&u.op)
                                || matches!(place.get(&u.op), Some(Place::Inlined(gs)) if gs.iter().any(|&h| h != g))
                        })
                    })
                };
                let outputs: Vec<OpId> = std::iter::once(group.root)
                    .chain(members.iter().copied().filter(|&m| {
                        m != group.root
                            && matches!(place.get(&m), Some(Place::Home(h)) if *h == g)
                            && read_outside(m)
                    }))
                    .collect();
                let rs = build_group(ctx, block, &members, &outputs);
                stats.groups += 1;
                stats.fused_ops += members.len();
                for (o, r) in outputs.iter().zip(rs) {
                    replacements.push((ctx.result(*o, 0), r));
                }
                erase.extend(members.iter().copied());
            }
        }
    }
    for (from, to) in replacements {
        ctx.replace_all_uses(from, to);
    }
    let erase: Vec<OpId> = erase.into_iter().filter(|&op| ctx.is_op_alive(op)).collect();
    for &op in &erase {
        ctx.drop_all_uses_in(op);
    }
    for op in erase {
        ctx.erase_op(op);
    }
    // Splat constants only groups read are now dead.
    for op in ops {
        if ctx.is_op_alive(op)
            && is_splat_constant(ctx, op)
            && ctx.results(op).iter().all(|&r| ctx.is_unused(r))
        {
            ctx.erase_op(op);
        }
    }
    stats
}

/// Creates the `array.fusion` of `members` at the end of `block`; returns
/// its results, one per output.
fn build_group(ctx: &mut Context, block: BlockId, members: &[OpId], outputs: &[OpId]) -> Vec<Value> {
    let member_set: FxHashSet<OpId> = members.iter().copied().collect();
    let mut inputs: Vec<Value> = Vec::new();
    let mut constants: Vec<OpId> = Vec::new();
    for &m in members {
        for &v in ctx.operands(m) {
            match ctx.defining_op(v) {
                Some(d) if member_set.contains(&d) => {}
                Some(d) if is_splat_constant(ctx, d) => {
                    if !constants.contains(&d) {
                        constants.push(d);
                    }
                }
                _ => {
                    if !inputs.contains(&v) {
                        inputs.push(v);
                    }
                }
            }
        }
    }
    let result_types: Vec<Type> = outputs.iter().map(|&o| ctx.value_type(ctx.result(o, 0))).collect();
    let loc = outputs.first().map_or_else(|| ctx.unknown_loc(), |&o| ctx.op_location(o));
    let (fusion, body) = {
        let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(block));
        FusionOp::build(&mut b, &inputs, &result_types, loc)
    };
    let mut mapping: FxHashMap<Value, Value> = FxHashMap::default();
    for (&v, &a) in inputs.iter().zip(ctx.block_arguments(body).to_vec().iter()) {
        mapping.insert(v, a);
    }
    for &c in constants.iter().chain(members) {
        let copy = ctx.clone_op(c, &mut mapping);
        ctx.append_op(body, copy);
    }
    let yielded: Vec<Value> =
        outputs.iter().map(|&o| ctx.result(o, 0)).map(|v| mapping.get(&v).copied().unwrap_or(v)).collect();
    {
        let mut b = OpBuilder::at(ctx, InsertPoint::BlockEnd(body));
        YieldOp::build(&mut b, &yielded, loc);
    }
    ctx.results(fusion.0).to_vec()
}

/// Fuses the body of every `func.func` under `root` (and `root` itself).
pub fn fuse_functions(ctx: &mut Context, root: OpId, config: FuseConfig) -> FuseStats {
    let mut stats = FuseStats::default();
    let funcs: Vec<OpId> = ctx.walk(root).into_iter().filter(|&op| ctx.op_name(op) == "func.func").collect();
    for f in funcs {
        let Some(&region) = ctx.regions(f).first() else { continue };
        let Some(entry) = ctx.entry_block(region) else { continue };
        let shapes = ShapeInfo::analyze(ctx, entry);
        for block in ctx.region_blocks(region).to_vec() {
            let s = fuse_block(ctx, block, &shapes, config);
            stats.groups += s.groups;
            stats.fused_ops += s.fused_ops;
        }
    }
    stats
}

/// The `array-fuse` pass.
pub struct ArrayFuse {
    config: FuseConfig,
}

impl ArrayFuse {
    /// The pass with the given configuration.
    pub fn new(config: FuseConfig) -> Self {
        Self { config }
    }

    /// The registration of `array-fuse`.
    pub fn info() -> PassInfo {
        PassInfo::new(
            "array-fuse",
            "Group array ops into array.fusion ops, one per loop nest",
            ARRAY_FUSE_OPTIONS,
            |o| Ok(Box::new(ArrayFuse::new(FuseConfig::from_options(o))) as Box<dyn Pass>),
        )
    }
}

impl Pass for ArrayFuse {
    fn name(&self) -> &'static str {
        "array-fuse"
    }

    fn display_name(&self) -> &'static str {
        "ArrayFuse"
    }

    fn description(&self) -> &'static str {
        "Group array ops into array.fusion ops, one per loop nest"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        fuse_functions(ctx, op, self.config);
        Ok(())
    }
}
