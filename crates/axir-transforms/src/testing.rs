//! Passes that exist to test the pass infrastructure (like MLIR's
//! `-test-*` passes): they fail, crash or break the IR on purpose.
//!
//! They are not part of [`register_passes`](crate::register_passes); a tool
//! opts in with [`register_test_passes`].

use axir_ir::{Context, InsertPoint, OpId};
use axir_pass::{Pass, PassFailure, PassInfo, PassRegistry};

#[derive(Copy, Clone)]
enum Mode {
    Fail,
    Crash,
    BreakTerminators,
}

impl Mode {
    fn description(self) -> &'static str {
        match self {
            Mode::Fail => "Test pass: fails with an error on the op it runs on",
            Mode::Crash => "Test pass: panics",
            Mode::BreakTerminators => "Test pass: moves each block's last op first, leaving invalid IR",
        }
    }
}

/// A pass that misbehaves on purpose.
struct TestPass {
    name: &'static str,
    mode: Mode,
}

impl Pass for TestPass {
    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.mode.description()
    }

    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        match self.mode {
            Mode::Fail => Err(PassFailure::new(ctx.op_error(op, "failed as requested by test-pass-failure"))),
            Mode::Crash => panic!("test-pass-crash crashed as requested"),
            Mode::BreakTerminators => {
                for nested in ctx.walk(op) {
                    for r in ctx.regions(nested).to_vec() {
                        for b in ctx.region_blocks(r).to_vec() {
                            let (Some(first), Some(last)) = (ctx.first_op(b), ctx.last_op(b)) else {
                                continue;
                            };
                            if first != last {
                                ctx.move_op(last, InsertPoint::Before(first));
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

/// Registers `test-pass-failure`, `test-pass-crash` and
/// `test-break-terminators`.
pub fn register_test_passes(registry: &mut PassRegistry) {
    let passes = [
        ("test-pass-failure", Mode::Fail),
        ("test-pass-crash", Mode::Crash),
        ("test-break-terminators", Mode::BreakTerminators),
    ];
    for (name, mode) in passes {
        if registry.pass(name).is_some() {
            continue;
        }
        let info = PassInfo::new(name, mode.description(), &[], move |_| {
            Ok(Box::new(TestPass { name, mode }) as Box<dyn Pass>)
        });
        if let Err(e) = registry.register_pass(info) {
            tracing::warn!("{e}");
        }
    }
}
