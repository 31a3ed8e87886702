//! [`Emitter`]: creates loop-level IR with loop-invariant placement.
//!
//! The emitter keeps a chain of *scopes*, one per open loop body plus the
//! outermost one. Every pure op (scalar math, index math, loads) is placed in
//! the outermost scope where all its operands are available, so a value that
//! depends only on the row index is computed once per row even when the first
//! request for it comes from an inner loop: loop-invariant code motion by
//! construction. Loads may be hoisted too, since their indices are in range
//! wherever the indices exist. Values are memoized per scope, which gives
//! common subexpression elimination for free.

use axir_ir::{
    Attribute, AttributeData, BlockId, Context, FloatKind, InsertPoint, Location, NamedAttr, OpId,
    OperationState, Type, TypeData, Value,
};
use rustc_hash::FxHashMap;

/// The key of a memoized value: what was computed, at which indices.
pub type MemoKey = (Value, Vec<Value>);

struct Scope {
    ip: InsertPoint,
    memo: FxHashMap<MemoKey, Value>,
}

/// An open `loop.for`: its op, induction variable, carried values and the
/// scopes set aside while it is open.
pub struct ForFrame {
    op: OpId,
    body: BlockId,
    level: usize,
    old_ip: InsertPoint,
    saved: Vec<Scope>,
    /// The induction variable.
    pub iv: Value,
    /// The carried values (`iter_args`) of this iteration.
    pub carried: Vec<Value>,
}

/// An open `loop.parallel`.
pub struct ParallelFrame {
    body: BlockId,
    level: usize,
    old_ip: InsertPoint,
    /// One induction variable per dim.
    pub ivs: Vec<Value>,
}

/// Creates ops at the right scope; see the module docs.
pub struct Emitter<'c> {
    /// The context ops are created in.
    pub ctx: &'c mut Context,
    /// The location of every op created.
    pub loc: Location,
    scopes: Vec<Scope>,
    level: FxHashMap<Value, usize>,
    constants: FxHashMap<Attribute, Value>,
}

impl<'c> Emitter<'c> {
    /// An emitter whose outermost scope inserts at `ip`.
    pub fn new(ctx: &'c mut Context, ip: InsertPoint, loc: Location) -> Self {
        Self {
            ctx,
            loc,
            scopes: vec![Scope { ip, memo: FxHashMap::default() }],
            level: FxHashMap::default(),
            constants: FxHashMap::default(),
        }
    }

    /// Moves the outermost scope (between groups); its memo is cleared but
    /// constants stay, since they were placed earlier.
    pub fn reset_outer(&mut self, ip: InsertPoint) {
        self.scopes.truncate(1);
        self.scopes[0].ip = ip;
        self.scopes[0].memo.clear();
    }

    /// The current depth: 0 outside every loop.
    pub fn depth(&self) -> usize {
        self.scopes.len() - 1
    }

    /// The scope level of `v` (0 for values defined outside every loop).
    pub fn level_of(&self, v: Value) -> usize {
        self.level.get(&v).copied().unwrap_or(0).min(self.depth())
    }

    fn level_of_all(&self, vs: &[Value]) -> usize {
        vs.iter().map(|&v| self.level_of(v)).max().unwrap_or(0)
    }

    /// A memoized value of the current chain of scopes.
    pub fn lookup(&self, key: &MemoKey) -> Option<Value> {
        self.scopes.iter().rev().find_map(|s| s.memo.get(key).copied())
    }

    /// Memoizes `v` for `key` in the scope where `v` lives.
    pub fn remember(&mut self, key: MemoKey, v: Value) {
        let l = self.level_of(v);
        self.scopes[l].memo.insert(key, v);
    }

    fn insert_at(&mut self, level: usize, state: OperationState) -> OpId {
        let op = self.ctx.create_op(state);
        self.ctx.insert_op(self.scopes[level].ip, op);
        for &r in self.ctx.results(op).to_vec().iter() {
            self.level.insert(r, level);
        }
        op
    }

    fn state(
        &mut self,
        name: &str,
        operands: &[Value],
        results: &[Type],
        attrs: &[(&str, Attribute)],
    ) -> OperationState {
        let ident = self.ctx.ident(name);
        let mut state = OperationState::new(ident, self.loc).with_operands(operands).with_results(results);
        for (n, a) in attrs {
            let n = self.ctx.ident(n);
            state.attributes.push(NamedAttr { name: n, value: *a });
        }
        state
    }

    /// Creates a pure op in the outermost scope where its operands exist.
    pub fn op(
        &mut self,
        name: &str,
        operands: &[Value],
        results: &[Type],
        attrs: &[(&str, Attribute)],
    ) -> OpId {
        let level = self.level_of_all(operands);
        let state = self.state(name, operands, results, attrs);
        self.insert_at(level, state)
    }

    /// Creates an op in the current (innermost) scope: for stores, copies,
    /// and other ops with effects.
    pub fn op_here(
        &mut self,
        name: &str,
        operands: &[Value],
        results: &[Type],
        attrs: &[(&str, Attribute)],
    ) -> OpId {
        let level = self.depth();
        let state = self.state(name, operands, results, attrs);
        self.insert_at(level, state)
    }

    /// A one-result pure op.
    pub fn value(&mut self, name: &str, operands: &[Value], ty: Type) -> Value {
        let op = self.op(name, operands, &[ty], &[]);
        self.ctx.result(op, 0)
    }

    /// A one-result pure op with attributes.
    pub fn value_with(
        &mut self,
        name: &str,
        operands: &[Value],
        ty: Type,
        attrs: &[(&str, Attribute)],
    ) -> Value {
        let op = self.op(name, operands, &[ty], attrs);
        self.ctx.result(op, 0)
    }

    /// A binary op whose result has the type of `a`.
    pub fn bin(&mut self, name: &str, a: Value, b: Value) -> Value {
        let ty = self.ctx.value_type(a);
        self.value(name, &[a, b], ty)
    }

    /// A unary op whose result has the type of `a`.
    pub fn un(&mut self, name: &str, a: Value) -> Value {
        let ty = self.ctx.value_type(a);
        self.value(name, &[a], ty)
    }

    /// `arith.cmpf` with MLIR's predicate number.
    pub fn cmpf(&mut self, pred: i128, a: Value, b: Value) -> Value {
        let i64t = self.ctx.i64();
        let i1 = self.ctx.i1();
        let p = self.ctx.integer_attr(pred, i64t);
        self.value_with("arith.cmpf", &[a, b], i1, &[("predicate", p)])
    }

    /// `arith.cmpi` with MLIR's predicate number.
    pub fn cmpi(&mut self, pred: i128, a: Value, b: Value) -> Value {
        let i64t = self.ctx.i64();
        let i1 = self.ctx.i1();
        let p = self.ctx.integer_attr(pred, i64t);
        self.value_with("arith.cmpi", &[a, b], i1, &[("predicate", p)])
    }

    /// `arith.select`.
    pub fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        if a == b {
            return a;
        }
        let ty = self.ctx.value_type(a);
        self.value("arith.select", &[c, a, b], ty)
    }

    /// A cast op to `ty` (`arith.extf`, `arith.sitofp`, ...).
    pub fn cast(&mut self, name: &str, a: Value, ty: Type) -> Value {
        if self.ctx.value_type(a) == ty {
            return a;
        }
        self.value(name, &[a], ty)
    }

    /// An `arith.constant` with this value, placed in the outermost scope.
    pub fn constant(&mut self, value: Attribute) -> Value {
        if let Some(&v) = self.constants.get(&value) {
            return v;
        }
        let ty = self.ctx.attr_type(value).unwrap_or_else(|| self.ctx.index());
        let state = self.state("arith.constant", &[], &[ty], &[("value", value)]);
        let op = self.insert_at(0, state);
        let v = self.ctx.result(op, 0);
        self.constants.insert(value, v);
        v
    }

    /// An `index` constant.
    pub fn index(&mut self, n: i64) -> Value {
        let ty = self.ctx.index();
        let a = self.ctx.integer_attr(n as i128, ty);
        self.constant(a)
    }

    /// An integer constant of type `ty` (wrapped to its width).
    pub fn int(&mut self, n: i128, ty: Type) -> Value {
        let v = match self.ctx.type_data(ty) {
            TypeData::Integer { width, .. } => axir_ir::wrap_int(n, *width, axir_ir::Signedness::Signless),
            _ => n,
        };
        let a = self.ctx.integer_attr(v, ty);
        self.constant(a)
    }

    /// A float constant of type `ty`, rounded to its precision.
    pub fn float(&mut self, x: f64, ty: Type) -> Value {
        let a = self.ctx.float_attr(x, ty);
        self.constant(a)
    }

    /// A float constant given by the bits of an exactly representable `f64`.
    pub fn float_bits(&mut self, bits: u64, ty: Type) -> Value {
        let a = self.ctx.intern_attr(AttributeData::Float { bits, ty });
        self.constant(a)
    }

    /// An `i1` constant.
    pub fn bool(&mut self, b: bool) -> Value {
        let a = self.ctx.bool_attr(b);
        self.constant(a)
    }

    /// The float kind of `ty`, if it is a float.
    pub fn float_kind(&self, ty: Type) -> Option<FloatKind> {
        match self.ctx.type_data(ty) {
            TypeData::Float(k) => Some(*k),
            _ => None,
        }
    }

    /// Opens a `loop.for` from 0 to `ub` by 1 carrying `inits`, in the
    /// outermost scope where `ub`, `inits` and `extra` (values the body will
    /// need) are available. Scopes deeper than that are set aside until the
    /// loop is closed.
    pub fn enter_for(&mut self, ub: Value, inits: &[Value], extra: &[Value]) -> ForFrame {
        let mut deps = vec![ub];
        deps.extend_from_slice(inits);
        deps.extend_from_slice(extra);
        let level = self.level_of_all(&deps);
        let (c0, c1) = (self.index(0), self.index(1));
        let index = self.ctx.index();
        let types: Vec<Type> = inits.iter().map(|&v| self.ctx.value_type(v)).collect();
        let region = self.ctx.create_region();
        let mut args = vec![(index, self.loc)];
        args.extend(types.iter().map(|&t| (t, self.loc)));
        let body = self.ctx.append_new_block(region, &args);
        let mut operands = vec![c0, ub, c1];
        operands.extend_from_slice(inits);
        let mut state = self.state("loop.for", &operands, &types, &[]);
        state.regions.push(region);
        let saved = self.scopes.split_off(level + 1);
        let op = self.insert_at(level, state);
        let old_ip = self.scopes[level].ip;
        self.scopes[level].ip = InsertPoint::Before(op);
        self.scopes.push(Scope { ip: InsertPoint::BlockEnd(body), memo: FxHashMap::default() });
        let block_args = self.ctx.block_arguments(body).to_vec();
        for &a in &block_args {
            self.level.insert(a, level + 1);
        }
        ForFrame { op, body, level, old_ip, saved, iv: block_args[0], carried: block_args[1..].to_vec() }
    }

    /// Closes a `loop.for` whose next carried values are `next`; returns
    /// its results.
    pub fn exit_for(&mut self, frame: ForFrame, next: &[Value]) -> Vec<Value> {
        let state = self.state("loop.yield", next, &[], &[]);
        let y = self.ctx.create_op(state);
        self.ctx.append_op(frame.body, y);
        self.scopes.truncate(frame.level + 1);
        self.scopes[frame.level].ip = frame.old_ip;
        self.scopes.extend(frame.saved);
        self.ctx.results(frame.op).to_vec()
    }

    /// Opens a `loop.parallel` from 0 to each of `ubs` by 1 in the current
    /// scope.
    pub fn enter_parallel(&mut self, ubs: &[Value]) -> ParallelFrame {
        let level = self.depth();
        let (c0, c1) = (self.index(0), self.index(1));
        let index = self.ctx.index();
        let region = self.ctx.create_region();
        let args: Vec<(Type, Location)> = ubs.iter().map(|_| (index, self.loc)).collect();
        let body = self.ctx.append_new_block(region, &args);
        let mut operands = vec![c0; ubs.len()];
        operands.extend_from_slice(ubs);
        operands.extend(std::iter::repeat_n(c1, ubs.len()));
        let mut state = self.state("loop.parallel", &operands, &[], &[]);
        state.regions.push(region);
        let op = self.insert_at(level, state);
        let old_ip = self.scopes[level].ip;
        self.scopes[level].ip = InsertPoint::Before(op);
        self.scopes.push(Scope { ip: InsertPoint::BlockEnd(body), memo: FxHashMap::default() });
        let ivs = self.ctx.block_arguments(body).to_vec();
        for &a in &ivs {
            self.level.insert(a, level + 1);
        }
        ParallelFrame { body, level, old_ip, ivs }
    }

    /// Closes a `loop.parallel`.
    pub fn exit_parallel(&mut self, frame: ParallelFrame) {
        let state = self.state("loop.yield", &[], &[], &[]);
        let y = self.ctx.create_op(state);
        self.ctx.append_op(frame.body, y);
        self.scopes.truncate(frame.level + 1);
        self.scopes[frame.level].ip = frame.old_ip;
    }
}
