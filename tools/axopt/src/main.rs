//! `axopt`: parse, transform and print axir, like `mlir-opt`.
//!
//! A thin main: it registers every dialect and pass of axir and hands the
//! command line to the driver in `axir-opt`.

use std::process::ExitCode;
use std::sync::Arc;

use axir_ir::DialectRegistry;
use axir_pass::PassRegistry;

fn main() -> ExitCode {
    let mut dialects = DialectRegistry::new();
    axir_builtin::register(&mut dialects);
    axir_arith::register(&mut dialects);
    axir_math::register(&mut dialects);
    axir_array::register(&mut dialects);
    axir_loop::register(&mut dialects);
    let mut passes = PassRegistry::new();
    axir_transforms::register_passes(&mut passes);
    axir_array::register_passes(&mut passes);
    axir_loop::register_passes(&mut passes);
    axir_conversion::register_passes(&mut passes);
    // As in mlir-opt, the passes that test the pass infrastructure (failing,
    // crashing, breaking the IR on purpose) are available, named `test-*`.
    axir_transforms::register_test_passes(&mut passes);
    axir_opt::axopt_main(std::env::args_os(), Arc::new(dialects), &passes)
}
