//! Canonicalization patterns of the array dialect. Each pattern's doc
//! comment states the identity it applies; none changes results, NaN, Inf
//! and signed zeros included.

use crate::ops::i64_array_attr;
use axir_ir::{NamedAttr, OpId, OperationState};
use axir_rewrite::{PatternRewriter, RewritePattern, RewritePatternSet};

fn producer_named(rw: &PatternRewriter<'_>, op: OpId, name: &str) -> Option<OpId> {
    let x = rw.operand(op, 0);
    let producer = rw.defining_op(x)?;
    (rw.op_name(producer) == name).then_some(producer)
}

/// `transpose(transpose(x, p), q) -> transpose(x, p∘q)`, where result dim
/// `i` is `x`'s dim `p[q[i]]`; an identity composition folds away later.
pub struct ComposeTransposes;

impl RewritePattern for ComposeTransposes {
    fn name(&self) -> &'static str {
        "compose-transposes"
    }
    fn root(&self) -> Option<&'static str> {
        Some("array.transpose")
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = producer_named(rw, op, "array.transpose") else { return false };
        let (Some(p), Some(q)) =
            (i64_array_attr(rw, inner, "permutation"), i64_array_attr(rw, op, "permutation"))
        else {
            return false;
        };
        if p.len() != q.len() || q.iter().any(|&i| i < 0 || i as usize >= p.len()) {
            return false;
        }
        let composed: Vec<i64> = q.iter().map(|&i| p[i as usize]).collect();
        let x = rw.operand(inner, 0);
        let result_ty = rw.value_type(rw.result(op, 0));
        let name = rw.op(op).name;
        let loc = rw.op_location(op);
        let perm_name = rw.ident("permutation");
        let perm = rw.i64_array_attr(&composed);
        let state = OperationState::new(name, loc)
            .with_operands(&[x])
            .with_results(&[result_ty])
            .with_attr(perm_name, perm);
        rw.replace_op_with_new(op, state);
        true
    }
}

/// `reshape(reshape(x)) -> reshape(x)`; likewise `broadcast(broadcast(x)) -> broadcast(x)`
/// when the outer broadcast's result shape is static (a `?` in it is resolved
/// at run time from the operand's dims, which the inner broadcast may have
/// grown: dropping it would change the result).
pub struct CollapseChain {
    op_name: &'static str,
}

impl RewritePattern for CollapseChain {
    fn name(&self) -> &'static str {
        "collapse-reshape-or-broadcast-chain"
    }
    fn root(&self) -> Option<&'static str> {
        Some(self.op_name)
    }
    fn match_and_rewrite(&self, op: OpId, rw: &mut PatternRewriter<'_>) -> bool {
        let Some(inner) = producer_named(rw, op, self.op_name) else { return false };
        let x = rw.operand(inner, 0);
        let result_ty = rw.value_type(rw.result(op, 0));
        let static_result =
            crate::shape::TensorShape::of(rw, result_ty).is_some_and(|t| t.static_num_elements().is_some());
        if self.op_name == "array.broadcast" && !static_result {
            return false;
        }
        let attrs: Vec<NamedAttr> = rw.attrs(op).to_vec();
        let name = rw.op(op).name;
        let loc = rw.op_location(op);
        let mut state = OperationState::new(name, loc).with_operands(&[x]).with_results(&[result_ty]);
        state.attributes = attrs;
        rw.replace_op_with_new(op, state);
        true
    }
}

/// Adds the array dialect's canonicalization patterns.
pub fn populate_canonicalization_patterns(set: &mut RewritePatternSet) {
    set.add(ComposeTransposes);
    set.add(CollapseChain { op_name: "array.reshape" });
    set.add(CollapseChain { op_name: "array.broadcast" });
}

/// Per-op hook: `array.transpose` patterns.
pub fn populate_transpose(set: &mut RewritePatternSet) {
    set.add(ComposeTransposes);
}

/// Per-op hook: `array.reshape` patterns.
pub fn populate_reshape(set: &mut RewritePatternSet) {
    set.add(CollapseChain { op_name: "array.reshape" });
}

/// Per-op hook: `array.broadcast` patterns.
pub fn populate_broadcast(set: &mut RewritePatternSet) {
    set.add(CollapseChain { op_name: "array.broadcast" });
}
