//! Lowering one fusion group (or one lone op) to a loop nest.
//!
//! A group's values are computed by *evaluation at an index*: to store
//! element `idx` of an output, the lowering evaluates the output's defining
//! op at `idx`, which evaluates its operands at the indices they are read at
//! (broadcast dims dropped, transposed, sliced, reduced dims looped over),
//! down to loads from the buffers of the group's inputs. Nothing in between
//! is stored: an elementwise chain is one loop body, a reduction is a
//! `loop.for` with `iter_args` placed (by the [`Emitter`]) in the outermost
//! loop where its indices exist, so it runs once per row.
//!
//! The loop nest of an output is split in two by its [`GroupRoles`]: outer
//! `loop.parallel` over the *row dims* (those that index the group's
//! reductions), inner `loop.parallel` over the other dims. Softmax over rows
//! is then, per row, a max loop, a sum loop and a store loop.
//!
//! **Staging through the output row.** An expensive value that the row's
//! reductions read and the store loop reads at its own point (softmax's
//! `exp(x - max)`) would be computed twice per element: once in the
//! reduction's loop and once in the store loop. When it has the output's
//! shape and element type, it is instead stored into the output's row by a
//! loop of its own before the reductions, and both read it back from there:
//! computed once, in a `loop.parallel` (which LLVM vectorizes, unlike the
//! in-order reduction loop), with no buffer allocated. The store loop then
//! overwrites each element after reading it ([`Lowering::staged_value`]
//! has the conditions that make this safe).

use super::builder::Emitter;
use super::scalar::{self, Elem};
use axir_array::ops::{binary_op, i64_array_attr, slice_specs, unary_op};
use axir_array::transforms::op_cost;
use axir_array::transforms::roles::{
    is_elementwise, is_row_indexed, is_row_op, operand_roles, root_roles, used_dims, GroupRoles, Role, Roles,
};
use axir_array::transforms::{ShapeInfo, SymDim};
use axir_ir::{AttributeData, Context, DenseData, Diagnostic, FloatKind, OpId, TypeData, Value};
use rustc_hash::{FxHashMap, FxHashSet};

/// An index that may be known when compiling.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Ix {
    /// A constant.
    C(i64),
    /// An `index` value.
    V(Value),
}

/// Where the elements of an array value live: a memref to load from and
/// its sizes.
#[derive(Clone, Debug)]
pub(crate) struct BufferRef {
    /// The memref (a buffer or a view of one).
    pub memref: Value,
}

/// A value whose chain of ops in the group costs at least this many flops
/// per element ([`op_cost`]: one transcendental function) is staged through
/// the output row when it can be; cheaper ones are recomputed, which costs
/// less than a store and a load.
const STAGE_MIN_COST: u32 = 8;

/// Where the loops of one output's nest read the values of its group.
#[derive(Default)]
struct Reads {
    /// The sites at which the store loop itself reads each value (outside
    /// the loops of reductions).
    direct: FxHashMap<Value, Vec<Roles>>,
    /// Every site, those inside reductions included.
    all: FxHashMap<Value, Vec<Roles>>,
    /// The values read inside the loop of a reduction.
    in_reductions: FxHashSet<Value>,
    /// False when some operand is read other than point by point (a matrix
    /// product's, a reshape's): the sites are then not all known.
    complete: bool,
}

/// The body of a [`Lowering::fold`]: given the induction variables and the
/// carried values, the next carried values.
pub(crate) type FoldBody<'f, L> =
    dyn FnMut(&mut L, &[Value], &[Value]) -> Result<Vec<Value>, Diagnostic> + 'f;

/// The state of the lowering of one function.
pub(crate) struct Lowering<'a, 'c> {
    pub e: Emitter<'c>,
    pub shapes: &'a ShapeInfo,
    /// The run-time value of each symbol of `shapes`.
    pub syms: FxHashMap<u32, Value>,
    /// Array values that live in buffers.
    pub leaves: FxHashMap<Value, BufferRef>,
    /// The ops of the group being lowered (evaluated, not loaded).
    pub members: FxHashSet<OpId>,
    /// Buffers made for the non-splat constants met inside groups.
    pub constant_buffers: Vec<Value>,
    /// The element kinds of the function's parameters, which are memrefs
    /// by now (and `ui8` became `i8`).
    pub arg_elems: FxHashMap<Value, Elem>,
}

fn err(ctx: &Context, op: OpId, msg: impl std::fmt::Display) -> Diagnostic {
    ctx.op_error(op, msg)
}

/// The element kind of an array value.
pub(crate) fn elem_of(ctx: &Context, v: Value) -> Option<Elem> {
    match ctx.type_data(ctx.value_type(v)) {
        TypeData::Tensor { element, .. } => Elem::of(ctx, *element),
        _ => None,
    }
}

impl<'a, 'c> Lowering<'a, 'c> {
    /// The run-time size of a symbolic dim.
    pub fn dim(&mut self, d: SymDim) -> Value {
        match d {
            SymDim::Static(n) => self.e.index(n as i64),
            SymDim::Sym(s) => match self.syms.get(&s) {
                Some(&v) => v,
                // Invariant: the function was checked to need no opaque dim.
                None => self.e.index(0),
            },
        }
    }

    /// The symbolic dims of `v`.
    pub fn dims_of(&self, v: Value) -> Vec<SymDim> {
        self.shapes.dims(v).map(<[SymDim]>::to_vec).unwrap_or_default()
    }

    /// The index to read an operand of dims `od` at, when a result of dims
    /// `rd` is read at `idx`, through numpy broadcasting.
    fn broadcast_index(&mut self, od: &[SymDim], rd: &[SymDim], idx: &[Value]) -> Vec<Value> {
        let offset = rd.len().saturating_sub(od.len());
        let mut out = Vec::with_capacity(od.len());
        for (j, &e) in od.iter().enumerate() {
            let r = rd.get(j + offset).copied().unwrap_or(SymDim::Static(1));
            let i = idx.get(j + offset).copied();
            let v = match i {
                _ if e.is_one() => self.e.index(0),
                Some(i) if e == r => i,
                Some(i) => {
                    // Equal sizes or a size-1 operand, known only at run time.
                    let size = self.dim(e);
                    let one = self.e.index(1);
                    let zero = self.e.index(0);
                    let is_one = self.e.cmpi(0, size, one);
                    self.e.select(is_one, zero, i)
                }
                None => self.e.index(0),
            };
            out.push(v);
        }
        out
    }

    /// Evaluates array value `v` at `idx` (one index per dim).
    pub fn eval(&mut self, v: Value, idx: &[Value]) -> Result<Value, Diagnostic> {
        let key = (v, idx.to_vec());
        if let Some(r) = self.e.lookup(&key) {
            return Ok(r);
        }
        let r = if let Some(buf) = self.leaves.get(&v).cloned() {
            let elem = self.elem(v)?;
            let ty = elem.loop_type(self.e.ctx);
            let mut operands = vec![buf.memref];
            operands.extend_from_slice(idx);
            self.e.value("loop.load", &operands, ty)
        } else {
            let Some(op) = self.e.ctx.defining_op(v).filter(|o| self.members.contains(o)) else {
                let loc = self.e.ctx.value_location(v);
                return Err(Diagnostic::error(
                    loc,
                    "internal error: a value of the group has no buffer and no definition in the group",
                ));
            };
            self.eval_op(op, idx)?
        };
        self.e.remember(key, r);
        Ok(r)
    }

    pub fn elem(&self, v: Value) -> Result<Elem, Diagnostic> {
        if let Some(&e) = self.arg_elems.get(&v) {
            return Ok(e);
        }
        elem_of(self.e.ctx, v).ok_or_else(|| {
            let loc = self.e.ctx.value_location(v);
            Diagnostic::error(loc, "expected a ranked tensor with a supported element type")
        })
    }

    fn eval_op(&mut self, op: OpId, idx: &[Value]) -> Result<Value, Diagnostic> {
        let ctx = &*self.e.ctx;
        let name = ctx.op_name(op).to_string();
        let result = ctx.result(op, 0);
        let rd = self.dims_of(result);
        let operands = ctx.operands(op).to_vec();
        let short = name.strip_prefix("array.").unwrap_or(&name).to_string();
        if unary_op(&name).is_some() {
            let x = operands[0];
            let elem = self.elem(x)?;
            let od = self.dims_of(x);
            let xi = self.broadcast_index(&od, &rd, idx);
            let xv = self.eval(x, &xi)?;
            return scalar::unary(&mut self.e, &short, xv, elem).map_err(|m| err(self.e.ctx, op, m));
        }
        if binary_op(&name).is_some() || name == "array.cmp" {
            let elem = self.elem(operands[0])?;
            let mut vals = Vec::new();
            for &x in &operands {
                let od = self.dims_of(x);
                let xi = self.broadcast_index(&od, &rd, idx);
                vals.push(self.eval(x, &xi)?);
            }
            let r = if name == "array.cmp" {
                let pred = self
                    .e
                    .ctx
                    .attr(op, "predicate")
                    .and_then(|a| self.e.ctx.attr_as_str(a))
                    .unwrap_or("")
                    .to_string();
                scalar::compare(&mut self.e, &pred, vals[0], vals[1], elem)
            } else {
                scalar::binary(&mut self.e, &short, vals[0], vals[1], elem)
            };
            return r.map_err(|m| err(self.e.ctx, op, m));
        }
        match name.as_str() {
            "array.select" => {
                let mut vals = Vec::new();
                for &x in &operands {
                    let od = self.dims_of(x);
                    let xi = self.broadcast_index(&od, &rd, idx);
                    vals.push(self.eval(x, &xi)?);
                }
                Ok(self.e.select(vals[0], vals[1], vals[2]))
            }
            "array.cast" => {
                let (from, to) = (self.elem(operands[0])?, self.elem(result)?);
                let xv = self.eval(operands[0], idx)?;
                Ok(scalar::cast(&mut self.e, xv, from, to))
            }
            "array.broadcast" => {
                let od = self.dims_of(operands[0]);
                let xi = self.broadcast_index(&od, &rd, idx);
                self.eval(operands[0], &xi)
            }
            "array.transpose" => {
                let perm = i64_array_attr(self.e.ctx, op, "permutation").unwrap_or_default();
                let mut xi = vec![idx.first().copied().unwrap_or_else(|| self.e.index(0)); perm.len()];
                for (i, &p) in perm.iter().enumerate() {
                    if let (Some(slot), Some(&v)) = (xi.get_mut(p as usize), idx.get(i)) {
                        *slot = v;
                    }
                }
                self.eval(operands[0], &xi)
            }
            "array.slice" => {
                let specs = slice_specs(self.e.ctx, op).unwrap_or_default();
                let od = self.dims_of(operands[0]);
                let mut xi = Vec::with_capacity(od.len());
                for (d, &i) in idx.iter().enumerate() {
                    let Some(s) = specs.get(d).copied() else {
                        xi.push(i);
                        continue;
                    };
                    let step = s.step.unwrap_or(1);
                    if s.start.is_none() && s.stop.is_none() && step == 1 {
                        xi.push(i);
                        continue;
                    }
                    let start = self.slice_start(od[d], s.start, step);
                    let st = self.e.index(step);
                    let scaled = self.e.bin("arith.muli", i, st);
                    xi.push(self.e.bin("arith.addi", start, scaled));
                }
                self.eval(operands[0], &xi)
            }
            "array.reshape" => {
                let od = self.dims_of(operands[0]);
                let xi = self.reshape_index(&od, &rd, idx);
                self.eval(operands[0], &xi)
            }
            "array.iota" => {
                let dim =
                    self.e.ctx.attr(op, "dim").and_then(|a| self.e.ctx.attr_as_int(a)).unwrap_or(0) as usize;
                let i = idx.get(dim).copied().unwrap_or_else(|| self.e.index(0));
                let elem = self.elem(result)?;
                Ok(self.index_to_elem(i, elem))
            }
            "array.constant" => self.eval_constant(op, idx),
            "array.reduce" => self.eval_reduce(op, idx),
            "array.matmul" => self.eval_matmul(op, idx),
            _ => Err(err(self.e.ctx, op, format!("failed to legalize operation '{name}'"))),
        }
    }

    /// numpy's start of a slice over a dim of size `n`.
    fn slice_start(&mut self, n: SymDim, start: Option<i64>, step: i64) -> Value {
        if let SymDim::Static(n) = n {
            let n = n as i64;
            let (lo, hi) = if step > 0 { (0, n) } else { (-1, n - 1) };
            let s = start
                .map_or(if step > 0 { lo } else { hi }, |v| (if v < 0 { v + n } else { v }).clamp(lo, hi));
            return self.e.index(s);
        }
        let nv = self.dim(n);
        let one = self.e.index(1);
        let (lo, hi) = if step > 0 {
            (self.e.index(0), nv)
        } else {
            (self.e.index(-1), self.e.bin("arith.subi", nv, one))
        };
        match start {
            None => {
                if step > 0 {
                    lo
                } else {
                    hi
                }
            }
            Some(v) => {
                let raw = if v < 0 {
                    let c = self.e.index(v);
                    self.e.bin("arith.addi", c, nv)
                } else {
                    self.e.index(v)
                };
                let c = self.e.bin("arith.maxsi", raw, lo);
                self.e.bin("arith.minsi", c, hi)
            }
        }
    }

    /// The operand index of a reshape read at `idx`: linearize in the
    /// result's row-major order, delinearize in the operand's.
    fn reshape_index(&mut self, od: &[SymDim], rd: &[SymDim], idx: &[Value]) -> Vec<Value> {
        let mut linear = self.e.index(0);
        for (d, &i) in idx.iter().enumerate() {
            let size = self.dim(rd[d]);
            let scaled = self.e.bin("arith.muli", linear, size);
            linear = self.e.bin("arith.addi", scaled, i);
        }
        let mut out = vec![linear; od.len()];
        let mut rest = linear;
        for d in (0..od.len()).rev() {
            let size = self.dim(od[d]);
            if d == 0 {
                out[d] = rest;
            } else {
                out[d] = self.e.bin("arith.remui", rest, size);
                rest = self.e.bin("arith.divui", rest, size);
            }
        }
        out
    }

    /// An `index` as an element of kind `elem` (iota).
    fn index_to_elem(&mut self, i: Value, elem: Elem) -> Value {
        let ty = elem.loop_type(self.e.ctx);
        match elem {
            Elem::Int { .. } | Elem::Bool => self.e.cast("arith.index_cast", i, ty),
            Elem::Float(k) => {
                let i64t = self.e.ctx.i64();
                let n = self.e.cast("arith.index_cast", i, i64t);
                let wide = if k == FloatKind::F64 { ty } else { self.e.ctx.f32_type() };
                let f = self.e.cast("arith.sitofp", n, wide);
                scalar::narrow(&mut self.e, f, k)
            }
        }
    }

    /// A scalar constant of element kind `elem` from dense data.
    pub fn dense_element(&mut self, data: &DenseData, i: usize, elem: Elem) -> Value {
        let ty = elem.loop_type(self.e.ctx);
        match data {
            DenseData::Int(v) => {
                let x = v.get(i).or(v.first()).copied().unwrap_or(0);
                match elem {
                    Elem::Bool => self.e.bool(x != 0),
                    _ => self.e.int(i128::from(x), ty),
                }
            }
            DenseData::Float(v) => {
                let bits = v.get(i).or(v.first()).copied().unwrap_or(0);
                self.e.float_bits(bits, ty)
            }
        }
    }

    fn eval_constant(&mut self, op: OpId, idx: &[Value]) -> Result<Value, Diagnostic> {
        let result = self.e.ctx.result(op, 0);
        let elem = self.elem(result)?;
        let attr = self.e.ctx.attr(op, "value");
        let data = match attr.map(|a| self.e.ctx.attr_data(a).clone()) {
            Some(AttributeData::DenseElements { data, .. }) => data,
            _ => return Err(err(self.e.ctx, op, "expected a dense elements value")),
        };
        if data.len() == 1 {
            return Ok(self.dense_element(&data, 0, elem));
        }
        // A constant array inside a group: put it in a buffer once, at the
        // start of the function, and read it.
        let buf = super::function::constant_buffer(self, op)?;
        self.leaves.insert(result, BufferRef { memref: buf });
        self.constant_buffers.push(buf);
        self.eval(result, idx)
    }

    /// Nested `loop.for` over `extents` carrying `inits`; `body` gets the
    /// induction variables and the carried values, and returns the next ones.
    pub fn fold(
        &mut self,
        extents: &[Value],
        inits: Vec<Value>,
        outer: &[Value],
        body: &mut FoldBody<'_, Self>,
    ) -> Result<Vec<Value>, Diagnostic> {
        let mut frames = Vec::with_capacity(extents.len());
        let mut carried = inits;
        let mut ivs: Vec<Value> = Vec::new();
        let mut deps = outer.to_vec();
        for &ub in extents {
            let f = self.e.enter_for(ub, &carried, &deps);
            ivs.push(f.iv);
            deps.push(f.iv);
            carried = f.carried.clone();
            frames.push(f);
        }
        let result = body(self, &ivs, &carried);
        // On failure the loops are still closed, so the IR stays well formed.
        let mut next = match &result {
            Ok(v) => v.clone(),
            Err(_) => carried,
        };
        while let Some(f) = frames.pop() {
            next = self.e.exit_for(f, &next);
        }
        result.map(|_| next)
    }

    fn eval_reduce(&mut self, op: OpId, idx: &[Value]) -> Result<Value, Diagnostic> {
        let ctx = &*self.e.ctx;
        let x = ctx.operand(op, 0);
        let kind = ctx.attr(op, "kind").and_then(|a| ctx.attr_as_str(a)).unwrap_or("").to_string();
        let keep = ctx.attr(op, "keepdims").is_some();
        let mut dims: Vec<usize> =
            i64_array_attr(ctx, op, "dims").unwrap_or_default().iter().map(|&d| d as usize).collect();
        dims.sort_unstable();
        let xd = self.dims_of(x);
        let elem = self.elem(x)?;
        // Where each operand dim's index comes from: the result's index for
        // a kept dim, a loop for a reduced one.
        let mut kept_idx: Vec<Option<Value>> = Vec::with_capacity(xd.len());
        let mut next = 0;
        for d in 0..xd.len() {
            if dims.contains(&d) {
                kept_idx.push(None);
                if keep {
                    next += 1;
                }
            } else {
                kept_idx.push(idx.get(next).copied());
                next += 1;
            }
        }
        let outer: Vec<Value> = kept_idx.iter().flatten().copied().collect();
        let full = |ivs: &[Value], order: &[usize]| -> Vec<Value> {
            let mut out: Vec<Value> = Vec::with_capacity(kept_idx.len());
            for (d, k) in kept_idx.iter().enumerate() {
                out.push(match k {
                    Some(v) => *v,
                    None => ivs[order.iter().position(|&o| o == d).unwrap_or(0)],
                });
            }
            out
        };
        // numpy sums the trailing run of reduced dims on its own, then adds
        // the runs in order; products and extrema go element by element.
        let mut run_start = xd.len();
        while run_start > 0 && dims.contains(&(run_start - 1)) {
            run_start -= 1;
        }
        let run: Vec<usize> = dims.iter().copied().filter(|&d| d >= run_start).collect();
        let lead: Vec<usize> = dims.iter().copied().filter(|&d| d < run_start).collect();
        let extents =
            |s: &mut Self, ds: &[usize]| -> Vec<Value> { ds.iter().map(|&d| s.dim(xd[d])).collect() };
        let all_ext = extents(self, &dims);
        let ty = elem.loop_type(self.e.ctx);
        let f32t = self.e.ctx.f32_type();
        match (kind.as_str(), elem) {
            ("sum" | "mean", Elem::Float(k)) if !(kind == "sum" && k == FloatKind::BF16) => {
                // Accumulators: the run's sum in the compute type; the total
                // in the element type for an f16 sum (rounded once per run,
                // as numpy's half loops), in the compute type otherwise.
                let wide_ty = if matches!(k, FloatKind::F16 | FloatKind::BF16) { f32t } else { ty };
                let total_in_elem = kind == "sum" && k == FloatKind::F16;
                let acc_ty = if total_in_elem { ty } else { wide_ty };
                let zero_acc = self.e.float(0.0, acc_ty);
                let zero_run = self.e.float(0.0, wide_ty);
                let lead_ext = extents(self, &lead);
                let run_ext = extents(self, &run);
                let all_order: Vec<usize> = lead.iter().chain(&run).copied().collect();
                let total = self.fold(&lead_ext, vec![zero_acc], &outer, &mut |s, lead_ivs, acc| {
                    let lead_ivs = lead_ivs.to_vec();
                    let mut deps = outer.clone();
                    deps.extend_from_slice(&lead_ivs);
                    let sums = s.fold(&run_ext, vec![zero_run], &deps, &mut |s, run_ivs, c| {
                        let ivs: Vec<Value> = lead_ivs.iter().chain(run_ivs).copied().collect();
                        let xv = s.eval(x, &full(&ivs, &all_order))?;
                        let w = scalar::widen(&mut s.e, xv, k);
                        Ok(vec![s.e.bin("arith.addf", c[0], w)])
                    })?;
                    // With no outer reduced dim the total is 0 + the run's sum,
                    // which is the run's sum: it started at +0.0, so it is never
                    // -0.0.
                    let t = if lead_ivs.is_empty() {
                        sums[0]
                    } else {
                        let a = if total_in_elem { scalar::widen(&mut s.e, acc[0], k) } else { acc[0] };
                        s.e.bin("arith.addf", a, sums[0])
                    };
                    Ok(vec![if total_in_elem { scalar::narrow(&mut s.e, t, k) } else { t }])
                })?[0];
                if kind == "sum" {
                    return Ok(if total_in_elem { total } else { scalar::narrow(&mut self.e, total, k) });
                }
                let mut count = self.e.index(1);
                for &n in &all_ext {
                    count = self.e.bin("arith.muli", count, n);
                }
                let i64t = self.e.ctx.i64();
                let c = self.e.cast("arith.index_cast", count, i64t);
                let cf = self.e.cast("arith.sitofp", c, wide_ty);
                let m = self.e.bin("arith.divf", total, cf);
                Ok(scalar::narrow(&mut self.e, m, k))
            }
            ("prod", Elem::Float(k)) if k == FloatKind::F16 => {
                // Rounded to f16 once per run, as numpy's half loops.
                let one = self.e.float(1.0, ty);
                let lead_ext = extents(self, &lead);
                let run_ext = extents(self, &run);
                let all_order: Vec<usize> = lead.iter().chain(&run).copied().collect();
                let r = self.fold(&lead_ext, vec![one], &outer, &mut |s, lead_ivs, acc| {
                    let lead_ivs = lead_ivs.to_vec();
                    let mut deps = outer.clone();
                    deps.extend_from_slice(&lead_ivs);
                    let start = scalar::widen(&mut s.e, acc[0], k);
                    let p = s.fold(&run_ext, vec![start], &deps, &mut |s, run_ivs, c| {
                        let ivs: Vec<Value> = lead_ivs.iter().chain(run_ivs).copied().collect();
                        let xv = s.eval(x, &full(&ivs, &all_order))?;
                        let w = scalar::widen(&mut s.e, xv, k);
                        Ok(vec![s.e.bin("arith.mulf", c[0], w)])
                    })?;
                    Ok(vec![scalar::narrow(&mut s.e, p[0], k)])
                })?;
                Ok(r[0])
            }
            ("argmax" | "argmin", _) => {
                let max = kind == "argmax";
                let i64t = self.e.ctx.i64();
                let (cmp_ty, init) = match elem {
                    Elem::Float(_) => {
                        let t = if ty == self.e.ctx.f64_type() { ty } else { f32t };
                        (t, self.e.float(if max { f64::NEG_INFINITY } else { f64::INFINITY }, t))
                    }
                    Elem::Int { width, unsigned } => {
                        let v = match (max, unsigned) {
                            (true, false) => -(1i128 << (width - 1)),
                            (false, false) => (1i128 << (width - 1)) - 1,
                            (true, true) => 0,
                            (false, true) => (1i128 << width) - 1,
                        };
                        (ty, self.e.int(v, ty))
                    }
                    Elem::Bool => (ty, self.e.bool(!max)),
                };
                let _ = cmp_ty;
                let zero = self.e.int(0, i64t);
                let r = self.fold(&all_ext, vec![init, zero], &outer, &mut |s, ivs, c| {
                    let xv = s.eval(x, &full(ivs, &dims))?;
                    let i = s.e.cast("arith.index_cast", ivs[0], i64t);
                    let (take, v) = match elem {
                        Elem::Float(k) => {
                            let w = scalar::widen(&mut s.e, xv, k);
                            let best_nan = s.e.cmpf(14, c[0], c[0]);
                            let t = s.e.bool(true);
                            let not_nan = s.e.bin("arith.xori", best_nan, t);
                            let v_nan = s.e.cmpf(14, w, w);
                            let better = s.e.cmpf(if max { 2 } else { 4 }, w, c[0]);
                            let either = s.e.bin("arith.ori", v_nan, better);
                            (s.e.bin("arith.andi", not_nan, either), w)
                        }
                        Elem::Int { unsigned, .. } => {
                            let p = match (max, unsigned) {
                                (true, false) => 4,
                                (false, false) => 2,
                                (true, true) => 8,
                                (false, true) => 6,
                            };
                            (s.e.cmpi(p, xv, c[0]), xv)
                        }
                        Elem::Bool => (s.e.cmpi(if max { 8 } else { 6 }, xv, c[0]), xv),
                    };
                    let best = s.e.select(take, v, c[0]);
                    let at = s.e.select(take, i, c[1]);
                    Ok(vec![best, at])
                })?;
                Ok(r[1])
            }
            _ => {
                // One accumulator, element by element.
                let (init, combine): (Value, &str) = match (kind.as_str(), elem) {
                    ("sum", Elem::Int { .. }) => (self.e.int(0, ty), "add"),
                    ("prod", Elem::Int { .. }) => (self.e.int(1, ty), "mul"),
                    ("sum", Elem::Float(_)) => (self.e.float(0.0, ty), "add"),
                    ("prod", Elem::Float(_)) => (self.e.float(1.0, ty), "mul"),
                    ("max", Elem::Float(_)) => (self.e.float(f64::NEG_INFINITY, ty), "max"),
                    ("min", Elem::Float(_)) => (self.e.float(f64::INFINITY, ty), "min"),
                    ("max", Elem::Int { width, unsigned }) => {
                        (self.e.int(if unsigned { 0 } else { -(1i128 << (width - 1)) }, ty), "max")
                    }
                    ("min", Elem::Int { width, unsigned }) => (
                        self.e.int(
                            if unsigned { (1i128 << width) - 1 } else { (1i128 << (width - 1)) - 1 },
                            ty,
                        ),
                        "min",
                    ),
                    ("max" | "sum" | "any", Elem::Bool) => (self.e.bool(false), "or"),
                    ("min" | "prod" | "all", Elem::Bool) => (self.e.bool(true), "and"),
                    ("any", _) => (self.e.bool(false), "any"),
                    ("all", _) => (self.e.bool(true), "all"),
                    _ => {
                        return Err(err(
                            self.e.ctx,
                            op,
                            format!("failed to legalize operation 'array.reduce' with kind '{kind}'"),
                        ))
                    }
                };
                let r = self.fold(&all_ext, vec![init], &outer, &mut |s, ivs, c| {
                    let xv = s.eval(x, &full(ivs, &dims))?;
                    let next = match combine {
                        "any" | "all" => {
                            let truth = scalar::cast(&mut s.e, xv, elem, Elem::Bool);
                            s.e.bin(if combine == "any" { "arith.ori" } else { "arith.andi" }, c[0], truth)
                        }
                        _ => scalar::binary(&mut s.e, combine, c[0], xv, elem)
                            .map_err(|m| err(s.e.ctx, op, m))?,
                    };
                    Ok(vec![next])
                })?;
                Ok(r[0])
            }
        }
    }

    fn eval_matmul(&mut self, op: OpId, idx: &[Value]) -> Result<Value, Diagnostic> {
        let ctx = &*self.e.ctx;
        let (a, b) = (ctx.operand(op, 0), ctx.operand(op, 1));
        let result = ctx.result(op, 0);
        let (ad, bd, rd) = (self.dims_of(a), self.dims_of(b), self.dims_of(result));
        let elem = self.elem(a)?;
        let a_mat = ad.len() >= 2;
        let b_mat = bd.len() >= 2;
        let nb = rd.len().saturating_sub(usize::from(a_mat) + usize::from(b_mat));
        let batch_idx = &idx[..nb.min(idx.len())];
        let i = if a_mat { idx.get(nb).copied() } else { None };
        let j = if b_mat { idx.get(nb + usize::from(a_mat)).copied() } else { None };
        let batch_of = |s: &mut Self, d: &[SymDim], nmat: usize| -> Vec<Value> {
            let own = &d[..d.len().saturating_sub(nmat)];
            s.broadcast_index(own, &rd[..nb], batch_idx)
        };
        let a_batch = batch_of(self, &ad, if a_mat { 2 } else { 1 });
        let b_batch = batch_of(self, &bd, if b_mat { 2 } else { 1 });
        let k_ext = self.dim(*ad.last().unwrap_or(&SymDim::Static(0)));
        let ty = elem.loop_type(self.e.ctx);
        let (acc_ty, zero) = match elem {
            Elem::Float(k) => {
                let t =
                    if matches!(k, FloatKind::F16 | FloatKind::BF16) { self.e.ctx.f32_type() } else { ty };
                (t, self.e.float(0.0, t))
            }
            Elem::Int { .. } => (ty, self.e.int(0, ty)),
            Elem::Bool => (ty, self.e.bool(false)),
        };
        let _ = acc_ty;
        let mut outer: Vec<Value> = batch_idx.to_vec();
        outer.extend(i);
        outer.extend(j);
        let r = self.fold(&[k_ext], vec![zero], &outer, &mut |s, ivs, c| {
            let k = ivs[0];
            let mut ai = a_batch.clone();
            if let Some(i) = i {
                ai.push(i);
            }
            ai.push(k);
            let mut bi = b_batch.clone();
            bi.push(k);
            if let Some(j) = j {
                bi.push(j);
            }
            let (av, bv) = (s.eval(a, &ai)?, s.eval(b, &bi)?);
            Ok(vec![match elem {
                Elem::Float(k) => {
                    let (x, y) = (scalar::widen(&mut s.e, av, k), scalar::widen(&mut s.e, bv, k));
                    let p = s.e.bin("arith.mulf", x, y);
                    s.e.bin("arith.addf", c[0], p)
                }
                Elem::Int { .. } => {
                    let p = s.e.bin("arith.muli", av, bv);
                    s.e.bin("arith.addi", c[0], p)
                }
                Elem::Bool => {
                    let p = s.e.bin("arith.andi", av, bv);
                    s.e.bin("arith.ori", c[0], p)
                }
            }])
        })?;
        Ok(match elem {
            Elem::Float(k) => scalar::narrow(&mut self.e, r[0], k),
            _ => r[0],
        })
    }

    /// Stores every output of the group: `(value, memref)` pairs, the first
    /// one deciding the loop nest; others that fit in it are stored there.
    pub fn emit_outputs(&mut self, outputs: &[(Value, Value)]) -> Result<(), Diagnostic> {
        let mut pending: Vec<(Value, Value)> = outputs.to_vec();
        while !pending.is_empty() {
            let (primary, dest) = pending.remove(0);
            let members = self.members.clone();
            let roles = GroupRoles::analyze(self.e.ctx, self.shapes, primary, |o| members.contains(&o));
            let pd = self.dims_of(primary);
            let non_unit: Vec<usize> = (0..pd.len()).filter(|&k| !pd[k].is_one()).collect();
            let outer: Vec<usize> =
                non_unit.iter().copied().filter(|k| roles.rows.contains(&(*k as u32))).collect();
            let inner: Vec<usize> =
                non_unit.iter().copied().filter(|k| !roles.rows.contains(&(*k as u32))).collect();
            let outer_set: std::collections::BTreeSet<u32> = outer.iter().map(|&k| k as u32).collect();
            let whole = root_roles(&pd);
            let mut row_stores = Vec::new();
            let mut inner_stores = Vec::new();
            pending.retain(|&(v, m)| {
                let Some(sites) = roles.sites.get(&v) else { return true };
                let vd = self.shapes.dims(v).unwrap_or(&[]);
                if vd == pd.as_slice() && sites.contains(&whole) {
                    inner_stores.push((v, m));
                    return false;
                }
                if let [r] = sites.as_slice() {
                    if is_row_indexed(r) && used_dims(r) == outer_set {
                        row_stores.push((v, m, r.clone()));
                        return false;
                    }
                }
                true
            });
            let staged = if roles.irregular || inner.is_empty() {
                None
            } else {
                let inner_others: Vec<Value> = inner_stores.iter().map(|&(v, _)| v).collect();
                let row_others: Vec<(Value, Roles)> =
                    row_stores.iter().map(|(v, _, r)| (*v, r.clone())).collect();
                self.staged_value(primary, &outer, &inner_others, &row_others)
            };
            let c0 = self.e.index(0);
            let outer_ub: Vec<Value> = outer.iter().map(|&k| self.dim(pd[k])).collect();
            let inner_ub: Vec<Value> = inner.iter().map(|&k| self.dim(pd[k])).collect();
            let mut point = vec![c0; pd.len()];
            let outer_frame = (!outer.is_empty()).then(|| self.e.enter_parallel(&outer_ub));
            if let Some(f) = &outer_frame {
                for (&k, &iv) in outer.iter().zip(&f.ivs) {
                    point[k] = iv;
                }
            }
            let mut result = Ok(());
            if let Some(v) = staged {
                // The staging loop, before anything reads the value: from
                // here to the end of this nest, the value is read from `dest`.
                let f = self.e.enter_parallel(&inner_ub);
                let mut at = point.clone();
                for (&k, &iv) in inner.iter().zip(&f.ivs) {
                    at[k] = iv;
                }
                result = self.store(v, dest, &at);
                self.e.exit_parallel(f);
                self.leaves.insert(v, BufferRef { memref: dest });
            }
            for (v, m, r) in row_stores {
                let vidx: Vec<Value> = r
                    .iter()
                    .map(|role| match role {
                        axir_array::transforms::Role::Dim(k) => point[*k as usize],
                        _ => c0,
                    })
                    .collect();
                if let Err(d) = self.store(v, m, &vidx) {
                    result = Err(d);
                }
            }
            let inner_frame = (!inner.is_empty()).then(|| self.e.enter_parallel(&inner_ub));
            if let Some(f) = &inner_frame {
                for (&k, &iv) in inner.iter().zip(&f.ivs) {
                    point[k] = iv;
                }
            }
            if result.is_ok() {
                result = self.store(primary, dest, &point);
            }
            for (v, m) in inner_stores {
                if result.is_ok() {
                    result = self.store(v, m, &point);
                }
            }
            if let Some(f) = inner_frame {
                self.e.exit_parallel(f);
            }
            if let Some(f) = outer_frame {
                self.e.exit_parallel(f);
            }
            if let Some(v) = staged {
                // Later nests (other outputs) compute it again: `dest` now
                // holds the primary.
                self.leaves.remove(&v);
            }
            result?;
        }
        Ok(())
    }

    /// The sites at which storing `root`, read at `start`, reads each value
    /// of the group.
    fn reads_from(&self, root: Value, start: Roles) -> Reads {
        let ctx = &*self.e.ctx;
        let mut out = Reads { complete: true, ..Reads::default() };
        // (value, roles, read inside a reduction's loop)
        let mut stack = vec![(root, start, false)];
        let mut seen: FxHashSet<(Value, Roles, bool)> = FxHashSet::default();
        while let Some((v, roles, inside)) = stack.pop() {
            if !seen.insert((v, roles.clone(), inside)) {
                continue;
            }
            if inside {
                out.in_reductions.insert(v);
            } else {
                out.direct.entry(v).or_default().push(roles.clone());
            }
            out.all.entry(v).or_default().push(roles.clone());
            let Some(op) = ctx.defining_op(v).filter(|o| self.members.contains(o)) else { continue };
            let inside = inside || is_row_op(ctx, op);
            for i in 0..ctx.operands(op).len() {
                match operand_roles(ctx, self.shapes, op, i, &roles) {
                    Some(r) => stack.push((ctx.operand(op, i), r, inside)),
                    None => out.complete = false,
                }
            }
        }
        out
    }

    /// The flops per element of computing `v` in the group: its op and the
    /// ops it reads, up to the group's inputs and reductions.
    fn chain_cost(&self, v: Value) -> u32 {
        let ctx = &*self.e.ctx;
        let mut seen: FxHashSet<OpId> = FxHashSet::default();
        let mut stack = vec![v];
        let mut cost = 0u32;
        while let Some(v) = stack.pop() {
            let Some(op) = ctx.defining_op(v).filter(|o| self.members.contains(o)) else { continue };
            if is_row_op(ctx, op) || !seen.insert(op) {
                continue;
            }
            cost = cost.saturating_add(op_cost(ctx, op));
            stack.extend(ctx.operands(op).iter().copied());
        }
        cost
    }

    /// The value of the group to stage through `primary`'s output row, if
    /// one is worth it and safe. `outer` are the dims of the row loops,
    /// `inner_others` the other outputs stored in the store loop,
    /// `row_others` those stored once per row (before it), with their sites.
    ///
    /// The staging loop writes the value at every point of the current row
    /// of the output; the reductions of the row then read it, and the store
    /// loop reads it at its own point before overwriting that point. So:
    ///
    /// - it is an elementwise op of the group, not the primary itself, with
    ///   the primary's dims and element type (the output holds it exactly,
    ///   so reading it back gives the same bits);
    /// - every read of it is in the current row (each row dim read by the
    ///   row loop's index), every site known, no reduction recomputed per
    ///   point (`irregular`, checked by the caller); reads for the outputs
    ///   stored once per row come before the store loop, so they see it;
    /// - the store loop reads it at most at its own point, and no other
    ///   output of that loop reads it (it would see the primary once
    ///   stored);
    /// - a reduction reads it (whose in-order loop LLVM does not vectorize;
    ///   the staging loop it does), and its chain costs at least
    ///   [`STAGE_MIN_COST`]; the costliest wins.
    fn staged_value(
        &self,
        primary: Value,
        outer: &[usize],
        inner_others: &[Value],
        row_others: &[(Value, Roles)],
    ) -> Option<Value> {
        let ctx = &*self.e.ctx;
        let pd = self.shapes.dims(primary)?;
        let whole = root_roles(pd);
        let mut reads = self.reads_from(primary, whole.clone());
        if !reads.complete {
            return None;
        }
        let mut read_by_others: FxHashSet<Value> = FxHashSet::default();
        for &o in inner_others {
            let r = self.reads_from(o, whole.clone());
            if !r.complete {
                return None;
            }
            read_by_others.extend(r.direct.keys().copied());
        }
        for (o, site) in row_others {
            let r = self.reads_from(*o, site.clone());
            if !r.complete {
                return None;
            }
            for (v, sites) in r.all {
                reads.all.entry(v).or_default().extend(sites);
            }
            reads.in_reductions.extend(r.in_reductions);
        }
        let primary_elem = self.elem(primary).ok()?;
        let mut best: Option<(u32, Value)> = None;
        for (&v, all) in &reads.all {
            let Some(op) = ctx.defining_op(v).filter(|o| self.members.contains(o)) else { continue };
            let direct = reads.direct.get(&v).map_or(&[][..], Vec::as_slice);
            let ok = v != primary
                && reads.in_reductions.contains(&v)
                && is_elementwise(ctx, op)
                && self.shapes.dims(v) == Some(pd)
                && self.elem(v).ok() == Some(primary_elem)
                && !read_by_others.contains(&v)
                && direct.iter().all(|r| *r == whole)
                && all.iter().all(|r| outer.iter().all(|&k| r.get(k) == Some(&Role::Dim(k as u32))));
            if !ok {
                continue;
            }
            let cost = self.chain_cost(v);
            // Ties: the op created first, for a deterministic choice.
            let better = match best {
                None => true,
                Some((c, b)) => cost > c || (cost == c && ctx.defining_op(v) < ctx.defining_op(b)),
            };
            if cost >= STAGE_MIN_COST && better {
                best = Some((cost, v));
            }
        }
        best.map(|(_, v)| v)
    }

    fn store(&mut self, v: Value, memref: Value, idx: &[Value]) -> Result<(), Diagnostic> {
        let x = self.eval(v, idx)?;
        let mut operands = vec![x, memref];
        operands.extend_from_slice(idx);
        self.e.op_here("loop.store", &operands, &[], &[]);
        Ok(())
    }
}
