//! Run-time shape checks: one `loop.assert` per [`ShapeCheck`] the shape
//! analysis found, written at the start of the function, right after the
//! symbols are computed and before any buffer is allocated or read. Without
//! them, dynamic dims that do not broadcast, contract or reshape would make
//! the loops read out of bounds; with them, the function stops with the
//! message the interpreter would give, located at the op that needs it.
//!
//! Each message names the op (`'array.add' op failed at run time: ...`)
//! and shows the run-time sizes through `loop.assert`'s `{N}` placeholders.

use super::group::Lowering;
use axir_array::transforms::{ShapeCheck, SymDim};
use axir_ir::{OpId, TypeData, Value};

/// MLIR's `arith.cmpi` predicates used here.
const EQ: i128 = 0;
const NE: i128 = 1;

/// A message template and the values its `{N}` placeholders show.
#[derive(Default)]
struct Message {
    text: String,
    values: Vec<Value>,
}

impl Message {
    /// The placeholder of `v`, numbering each value once.
    fn placeholder(&mut self, v: Value) -> String {
        let k = match self.values.iter().position(|&x| x == v) {
            Some(k) => k,
            None => {
                self.values.push(v);
                self.values.len() - 1
            }
        };
        format!("{{{k}}}")
    }

    /// numpy's shape text, `(2, {0})` or `({0},)`, a placeholder per
    /// dynamic dim.
    fn shape(&mut self, l: &mut Lowering<'_, '_>, dims: &[SymDim]) -> String {
        let parts: Vec<String> = dims
            .iter()
            .map(|&d| match d {
                SymDim::Static(n) => n.to_string(),
                SymDim::Sym(_) => {
                    let v = l.dim(d);
                    self.placeholder(v)
                }
            })
            .collect();
        match parts.as_slice() {
            [one] => format!("({one},)"),
            _ => format!("({})", parts.join(", ")),
        }
    }

    /// The shapes of the array operands of `op`: `A and B`, `A, B and C`.
    /// (Parameters are memrefs by now: the shape analysis knows which
    /// values are arrays.)
    fn operand_shapes(&mut self, l: &mut Lowering<'_, '_>, op: OpId) -> String {
        let operands: Vec<Value> =
            l.e.ctx.operands(op).iter().copied().filter(|&v| l.shapes.dims(v).is_some()).collect();
        let shapes: Vec<String> = operands
            .iter()
            .map(|&v| {
                let dims = l.dims_of(v);
                self.shape(l, &dims)
            })
            .collect();
        match shapes.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => String::new(),
        }
    }
}

/// The product of `dims` at run time.
fn product(l: &mut Lowering<'_, '_>, dims: &[SymDim]) -> Value {
    let mut acc = l.e.index(1);
    for &d in dims {
        let v = l.dim(d);
        acc = l.e.bin("arith.muli", acc, v);
    }
    acc
}

/// `a == b`, or `a == b || a == 1` with `one_stretches`.
fn equal_or_one(l: &mut Lowering<'_, '_>, a: SymDim, b: SymDim, one_stretches: bool) -> Value {
    let (va, vb) = (l.dim(a), l.dim(b));
    let mut ok = l.e.cmpi(EQ, va, vb);
    if one_stretches {
        let one = l.e.index(1);
        let a_one = l.e.cmpi(EQ, va, one);
        ok = l.e.bin("arith.ori", ok, a_one);
    }
    ok
}

/// The condition of `check` (true when it holds) and what to say when it
/// does not, for op `op`.
fn condition(l: &mut Lowering<'_, '_>, op: OpId, check: &ShapeCheck) -> (Value, Message) {
    let name = l.e.ctx.op_name(op).to_string();
    let mut m = Message::default();
    let ok = match check {
        ShapeCheck::Broadcast(a, b) => {
            let ab = equal_or_one(l, *a, *b, true);
            let vb = l.dim(*b);
            let one = l.e.index(1);
            let b_one = l.e.cmpi(EQ, vb, one);
            let ok = l.e.bin("arith.ori", ab, b_one);
            let shapes = m.operand_shapes(l, op);
            m.text = if name == "array.matmul" {
                format!("the batch dims of shapes {shapes} cannot be broadcast together")
            } else {
                format!("operand shapes {shapes} cannot be broadcast together")
            };
            ok
        }
        ShapeCheck::BroadcastTo { from, to } => {
            let ok = equal_or_one(l, *from, *to, true);
            let shapes = m.operand_shapes(l, op);
            let result = l.e.ctx.result(op, 0);
            let dims = l.dims_of(result);
            let target = m.shape(l, &dims);
            m.text = format!("cannot broadcast shape {shapes} to shape {target}");
            ok
        }
        ShapeCheck::Equal(a, b) => {
            let ok = equal_or_one(l, *a, *b, false);
            let shapes = m.operand_shapes(l, op);
            m.text = if name == "array.matmul" {
                format!("'matmul' contraction mismatch between shapes {shapes}")
            } else {
                format!("operand shapes {shapes} differ outside the concatenated dim")
            };
            ok
        }
        ShapeCheck::Declared { dim, inferred, declared } => {
            let ok = equal_or_one(l, *inferred, SymDim::Static(*declared), false);
            let size = l.dim(*inferred);
            let p = m.placeholder(size);
            let ty = l.e.ctx.value_type(l.e.ctx.result(op, 0));
            let ty = l.e.ctx.display_type(ty).to_string();
            m.text = format!("result dim {dim} is {p}, but the declared type {ty} says {declared}");
            ok
        }
        ShapeCheck::Divisible { dims, divisor } => {
            let total = product(l, dims);
            let ok = if *divisor == 0 {
                l.e.bool(false)
            } else {
                let d = l.e.index(*divisor as i64);
                let rem = l.e.bin("arith.remui", total, d);
                let zero = l.e.index(0);
                l.e.cmpi(EQ, rem, zero)
            };
            let p = m.placeholder(total);
            let shapes = m.operand_shapes(l, op);
            let ty = l.e.ctx.value_type(l.e.ctx.result(op, 0));
            let target = reshape_target_text(l, ty);
            m.text = format!(
                "cannot infer the dynamic dims of {target} from {p} elements (operand shapes {shapes})"
            );
            ok
        }
        ShapeCheck::ElementCount { dims, count } => {
            let total = product(l, dims);
            let want = l.e.index(*count as i64);
            let ok = l.e.cmpi(EQ, total, want);
            let shapes = m.operand_shapes(l, op);
            let ty = l.e.ctx.value_type(l.e.ctx.result(op, 0));
            let target = reshape_target_text(l, ty);
            m.text = format!("cannot reshape an array of shape {shapes} to shape {target}");
            ok
        }
        ShapeCheck::NonEmpty(dims) => {
            let total = product(l, dims);
            let zero = l.e.index(0);
            let ok = l.e.cmpi(NE, total, zero);
            let kind = l.e.ctx.attr(op, "kind").and_then(|a| l.e.ctx.attr_as_str(a)).unwrap_or("reduce");
            let kind = kind.to_string();
            let shapes = m.operand_shapes(l, op);
            m.text = format!("'{kind}' of an empty dimension has no identity (operand shapes {shapes})");
            ok
        }
    };
    m.text = format!("'{name}' op failed at run time: {}", m.text);
    (ok, m)
}

/// A declared result shape in numpy's text, `?` for a dynamic dim.
fn reshape_target_text(l: &Lowering<'_, '_>, ty: axir_ir::Type) -> String {
    let dims: Vec<String> = match l.e.ctx.type_data(ty) {
        TypeData::Tensor { shape: Some(s), .. } => {
            s.iter().map(|d| d.map_or_else(|| "?".to_string(), |n| n.to_string())).collect()
        }
        _ => Vec::new(),
    };
    match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    }
}

/// Writes a `loop.assert` for every check of the function's shape
/// analysis, each located at the op that needs it.
pub(crate) fn emit_shape_checks(l: &mut Lowering<'_, '_>) {
    let checks = l.shapes.checks().to_vec();
    let saved = l.e.loc;
    for c in &checks {
        l.e.loc = l.e.ctx.op_location(c.op);
        let (ok, m) = condition(l, c.op, &c.check);
        let msg = l.e.ctx.string_attr(m.text);
        let mut operands = vec![ok];
        operands.extend(m.values);
        l.e.op_here("loop.assert", &operands, &[], &[(axir_loop::MSG_ATTR, msg)]);
    }
    l.e.loc = saved;
}
