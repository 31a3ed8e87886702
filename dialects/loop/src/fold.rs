//! The folder of `loop.dim`.

use crate::memref::MemRefType;
use crate::ops::dim_index;
use axir_ir::{Attribute, Context, FoldResult, OpId};

/// `loop.dim` of a static dim `n` -> `n`; `loop.dim %b, d` where `%b =
/// loop.alloc(...)` and dim `d` is dynamic -> the alloc's size operand for
/// that dim.
pub fn fold_dim(ctx: &mut Context, op: OpId, _operands: &[Option<Attribute>]) -> Option<Vec<FoldResult>> {
    let b = *ctx.operands(op).first()?;
    let m = MemRefType::of(ctx, ctx.value_type(b))?;
    let d = usize::try_from(dim_index(ctx, op)?).ok()?;
    match *m.shape.get(d)? {
        Some(n) => {
            let index = ctx.index_type();
            let attr = ctx.integer_attr(i128::from(n), index);
            Some(vec![FoldResult::Attribute(attr)])
        }
        None => {
            let alloc = ctx.defining_op(b).filter(|&a| ctx.op_name(a) == "loop.alloc")?;
            // The alloc's operands are its dynamic sizes, in dim order.
            let k = m.shape[..d].iter().filter(|s| s.is_none()).count();
            let size = *ctx.operands(alloc).get(k)?;
            Some(vec![FoldResult::Value(size)])
        }
    }
}
