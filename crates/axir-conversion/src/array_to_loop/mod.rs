//! `convert-array-to-loop`: array-level functions to loop nests over buffers.
//!
//! Each function is lowered on its own ([`lower_function`]): its tensor
//! parameters become memrefs, its tensor results become output parameters
//! (destination-passing style, see `function`), each `array.fusion` becomes
//! one loop nest and each array op outside a group a loop nest of its own
//! (or a view, for broadcasts, transposes, slices and contiguous reshapes).
//!
//! - `builder`: the [`Emitter`](builder::Emitter), which places every pure
//!   op in the outermost loop where its operands exist.
//! - `scalar`: what one element of each array op is in `arith`/`math`.
//! - `group`: evaluating a group's values at an index; loop nests.
//! - `function`: the calling convention, buffers and their reuse.
//! - `checks`: the run-time shape checks (`loop.assert`) at function entry.
//!
//! Why not one `ConversionPattern` per op: bufferization is a decision about
//! the whole function (which value is written where, which buffer is free
//! again), and a fused group is lowered as one unit, so the rewrite is done
//! per function, after a check that reports every op it cannot lower (in the
//! conversion framework's words, `failed to legalize operation 'x'`) and
//! changes nothing when there is one. The result is then checked against
//! [`array_to_loop_target`], the conversion target the pass promises.

pub mod builder;
mod checks;
mod function;
mod group;
pub mod scalar;

use axir_ir::{Context, Diagnostic, OpId};
use axir_pass::{Pass, PassFailure, PassInfo};
use axir_rewrite::{apply_partial_conversion, ConversionConfig, ConversionPatternSet, ConversionTarget};

/// What the output of `convert-array-to-loop` may contain: the loop level
/// (`loop`, `arith`, `math`, `vector`, `builtin`, `func`), and no `array` op.
pub fn array_to_loop_target() -> ConversionTarget {
    let mut target = ConversionTarget::new();
    for d in ["loop", "arith", "math", "vector", "builtin", "func"] {
        target.add_legal_dialect(d);
    }
    target.add_illegal_dialect("array");
    target
}

/// Lowers every `func.func` under `root` (and `root` itself). Functions
/// that use no tensor are left alone. On error, the functions that failed
/// the check are unchanged and every problem is reported.
pub fn convert_array_to_loop(ctx: &mut Context, root: OpId) -> Result<(), Vec<Diagnostic>> {
    let funcs: Vec<OpId> = ctx.walk(root).into_iter().filter(|&op| ctx.op_name(op) == "func.func").collect();
    let mut errors = Vec::new();
    for f in funcs {
        if let Err(mut e) = function::lower_function(ctx, f) {
            errors.append(&mut e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Nothing is left to convert; this reports any array op that survived,
    // as the conversion framework words it.
    let patterns = ConversionPatternSet::new();
    apply_partial_conversion(ctx, root, &array_to_loop_target(), &patterns, ConversionConfig::default())
        .map(|_| ())
}

/// The `convert-array-to-loop` pass.
#[derive(Default)]
pub struct ConvertArrayToLoop;

impl ConvertArrayToLoop {
    /// The registration of `convert-array-to-loop`.
    pub fn info() -> PassInfo {
        PassInfo::new(
            "convert-array-to-loop",
            "Lower array-level functions and fusion groups to loop nests over buffers",
            &[],
            |_| Ok(Box::new(ConvertArrayToLoop) as Box<dyn Pass>),
        )
    }
}

impl Pass for ConvertArrayToLoop {
    fn name(&self) -> &'static str {
        "convert-array-to-loop"
    }

    fn display_name(&self) -> &'static str {
        "ConvertArrayToLoop"
    }

    fn description(&self) -> &'static str {
        "Lower array-level functions and fusion groups to loop nests over buffers"
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        convert_array_to_loop(ctx, op).map_err(PassFailure::from)
    }
}
