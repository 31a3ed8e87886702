//! Index roles: how each dim of a value is indexed when a fusion group
//! computes one point of its root's iteration space.
//!
//! A group evaluates its root at index `(i0, i1, ...)`. An operand of an
//! elementwise op is then read at the same index (modulo broadcasting), the
//! operand of a transpose at the permuted index, and the operand of a
//! reduction at the kept indices plus every index of the reduced dims. The
//! [`Role`] of a dim says which of these it is. Fusion uses roles to decide
//! what a group can compute once per row (a reduction's result must be
//! indexed by root dims only, each once), and the lowering uses them to split
//! the loop nest into row loops and inner loops.

use super::shapes::{ShapeInfo, SymDim};
use crate::ops::{binary_op, i64_array_attr, slice_specs, unary_op};
use axir_ir::{Context, OpId, OpTraits, Value};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;

/// How one dim of a value is indexed, relative to the root of its group.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Role {
    /// By the loop over dim `k` of the root.
    Dim(u32),
    /// Always at 0: the dim has size 1 and is broadcast.
    Zero,
    /// By anything else: a reduced dim, or a dim that may be broadcast at
    /// run time.
    Other,
}

/// The roles of each dim of one value, at one place where a group reads it.
pub type Roles = Vec<Role>;

/// The roles of the root itself: dim `k` is indexed by the loop over dim
/// `k`, except that a dim of static size 1 is always 0.
pub fn root_roles(dims: &[SymDim]) -> Roles {
    dims.iter().enumerate().map(|(k, d)| if d.is_one() { Role::Zero } else { Role::Dim(k as u32) }).collect()
}

/// Roles of an operand of extents `od` read through numpy broadcasting by
/// a result of extents `rd` evaluated at `rr`.
pub fn broadcast_roles(od: &[SymDim], rd: &[SymDim], rr: &[Role]) -> Option<Roles> {
    let offset = rd.len().checked_sub(od.len())?;
    Some(
        od.iter()
            .enumerate()
            .map(|(j, &e)| {
                let (r, role) = (rd[j + offset], rr[j + offset]);
                if role == Role::Zero || (e.is_one() && !r.is_one()) {
                    Role::Zero
                } else if e == r {
                    role
                } else {
                    // Equal or 1 at run time, unknown which: read with a check.
                    Role::Other
                }
            })
            .collect(),
    )
}

/// Whether `op` is computed elementwise over its (broadcast) operands.
pub fn is_elementwise(ctx: &Context, op: OpId) -> bool {
    let name = ctx.op_name(op);
    unary_op(name).is_some()
        || binary_op(name).is_some()
        || matches!(name, "array.cmp" | "array.select" | "array.cast")
        || ctx.op_info(op).is_some_and(|i| i.has(OpTraits::ELEMENTWISE) && name.starts_with("array."))
}

/// The roles of operand `i` of `op` when its result is read at `result`
/// roles, or `None` when the operand is not read point by point (matmul
/// operands, reshapes, concatenations, unknown ops): such an operand must be
/// materialized before the op runs.
pub fn operand_roles(
    ctx: &Context,
    shapes: &ShapeInfo,
    op: OpId,
    i: usize,
    result: &[Role],
) -> Option<Roles> {
    let operand = *ctx.operands(op).get(i)?;
    let od = shapes.dims(operand)?;
    let rd = shapes.dims(*ctx.results(op).first()?)?;
    if rd.len() != result.len() {
        return None;
    }
    let name = ctx.op_name(op);
    if is_elementwise(ctx, op) || name == "array.broadcast" {
        return broadcast_roles(od, rd, result);
    }
    match name {
        "array.transpose" => {
            let perm = i64_array_attr(ctx, op, "permutation")?;
            let mut out = vec![Role::Other; od.len()];
            for (res_dim, &p) in perm.iter().enumerate() {
                let p = usize::try_from(p).ok()?;
                *out.get_mut(p)? = if od[p].is_one() { Role::Zero } else { result[res_dim] };
            }
            Some(out)
        }
        "array.slice" => {
            let specs = slice_specs(ctx, op)?;
            Some(
                od.iter()
                    .enumerate()
                    .map(|(d, &e)| {
                        let full = specs.get(d).is_none_or(|s| {
                            s.start.is_none() && s.stop.is_none() && s.step.unwrap_or(1) == 1
                        });
                        match full {
                            _ if e.is_one() => Role::Zero,
                            true => result[d],
                            false => Role::Other,
                        }
                    })
                    .collect(),
            )
        }
        "array.reduce" => {
            let dims = i64_array_attr(ctx, op, "dims")?;
            let keep = ctx.attr(op, "keepdims").is_some();
            let mut next = 0;
            Some(
                (0..od.len())
                    .map(|d| {
                        if dims.contains(&(d as i64)) {
                            if keep {
                                next += 1;
                            }
                            Role::Other
                        } else {
                            let r = result.get(next).copied().unwrap_or(Role::Other);
                            next += 1;
                            r
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Whether `op` computes a whole row before its result can be read: a
/// reduction or a matrix product.
pub fn is_row_op(ctx: &Context, op: OpId) -> bool {
    matches!(ctx.op_name(op), "array.reduce" | "array.matmul")
}

/// Whether a row op's result can be computed once per point of the group's
/// row loops when it is read at `roles`: every dim is indexed by a distinct
/// root dim, or is a broadcast size-1 dim.
pub fn is_row_indexed(roles: &[Role]) -> bool {
    let mut seen = FxHashSet::default();
    roles.iter().all(|r| match r {
        Role::Dim(k) => seen.insert(*k),
        Role::Zero => true,
        Role::Other => false,
    })
}

/// The root dims that index a row-indexed value.
pub fn used_dims(roles: &[Role]) -> BTreeSet<u32> {
    roles
        .iter()
        .filter_map(|r| match r {
            Role::Dim(k) => Some(*k),
            _ => None,
        })
        .collect()
}

/// The roles at which a group reads every value it computes from `root`.
#[derive(Clone, Debug, Default)]
pub struct GroupRoles {
    /// Every distinct role vector of each value read.
    pub sites: FxHashMap<Value, Vec<Roles>>,
    /// The root dims indexing row ops (reductions, matrix products) whose
    /// every site is row-indexed: the dims of the group's row loops.
    pub rows: BTreeSet<u32>,
    /// Whether some row op is read at a site that is not row-indexed (it is
    /// then recomputed at each point, which is correct but slow).
    pub irregular: bool,
}

impl GroupRoles {
    /// Walks from `root` (evaluated at [`root_roles`]) through the operands
    /// of the ops `member` accepts.
    pub fn analyze(ctx: &Context, shapes: &ShapeInfo, root: Value, member: impl Fn(OpId) -> bool) -> Self {
        let mut out = GroupRoles::default();
        let Some(rd) = shapes.dims(root) else { return out };
        let mut stack = vec![(root, root_roles(rd))];
        let mut seen: FxHashSet<(Value, Roles)> = FxHashSet::default();
        while let Some((v, roles)) = stack.pop() {
            if !seen.insert((v, roles.clone())) {
                continue;
            }
            out.sites.entry(v).or_default().push(roles.clone());
            let Some(op) = ctx.defining_op(v).filter(|&o| member(o)) else { continue };
            if is_row_op(ctx, op) {
                if is_row_indexed(&roles) {
                    out.rows.extend(used_dims(&roles));
                } else {
                    out.irregular = true;
                }
            }
            for i in 0..ctx.operands(op).len() {
                if let Some(r) = operand_roles(ctx, shapes, op, i, &roles) {
                    stack.push((ctx.operand(op, i), r));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: SymDim = SymDim::Sym(0);
    const M: SymDim = SymDim::Sym(1);

    #[test]
    fn broadcast_dims_are_read_at_zero_or_checked() {
        let rd = [N, SymDim::Static(8)];
        let rr = root_roles(&rd);
        assert_eq!(rr, vec![Role::Dim(0), Role::Dim(1)]);
        // A row vector is read along dim 1 only; a column at 0 along dim 1.
        assert_eq!(broadcast_roles(&[SymDim::Static(8)], &rd, &rr), Some(vec![Role::Dim(1)]));
        assert_eq!(broadcast_roles(&[N, SymDim::Static(1)], &rd, &rr), Some(vec![Role::Dim(0), Role::Zero]));
        // A dim that may be 1 at run time is neither.
        assert_eq!(broadcast_roles(&[M, SymDim::Static(8)], &rd, &rr), Some(vec![Role::Other, Role::Dim(1)]));
    }

    #[test]
    fn row_indexed_means_distinct_root_dims() {
        assert!(is_row_indexed(&[Role::Dim(0), Role::Zero]));
        assert!(!is_row_indexed(&[Role::Dim(0), Role::Dim(0)]));
        assert!(!is_row_indexed(&[Role::Other]));
        assert_eq!(used_dims(&[Role::Dim(2), Role::Zero, Role::Dim(0)]), BTreeSet::from([0, 2]));
    }
}
