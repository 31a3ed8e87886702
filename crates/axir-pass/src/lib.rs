//! Passes and how they run: the [`Pass`] trait, the nested [`PassManager`]
//! with its instrumentation (verification after each pass, IR printing,
//! timing, failure reproducers), the [`PassRegistry`] and the textual
//! pipeline parser.
//!
//! ```text
//! builtin.module(func.func(canonicalize{max-iterations=3},cse),symbol-dce)
//! ```
//!
//! # Code map
//!
//! - `pass`: [`Pass`], [`PassFailure`].
//! - `options`: option declarations and the `{key=value}` syntax.
//! - `registry`: [`PassRegistry`], explicit registration by name.
//! - `pipeline`: [`parse_pipeline`], [`parse_pass_list`].
//! - `manager`: [`PassManager`] and its instrumentation.
//! - `timing`: `--mlir-timing` style reports.
//! - `reproducer`: writing and reading failure reproducers.
//!
//! # Invariants
//!
//! - **Pipeline parsing never panics**: every problem is a
//!   [`PipelineError`] with the offset of the offending text.
//! - **A pass failure, a verifier failure after a pass, or a panic in a
//!   pass is a [`PipelineFailure`] with located diagnostics**, never a crash
//!   of the tool.

mod error;
mod manager;
mod options;
mod pass;
mod pipeline;
mod registry;
mod reproducer;
mod timing;

pub use error::{OptionError, PassManagerError, PipelineError, PipelineFailure, RegistryError};
pub use manager::{IrPrintFilter, PassManager, PassManagerOptions};
pub use options::{OptionKind, OptionValue, PassOptionInfo, PassOptions};
pub use pass::{Pass, PassFailure};
pub use pipeline::{parse_pass_list, parse_pipeline};
pub use registry::{PassConstructor, PassInfo, PassRegistry, PipelineInfo};
pub use reproducer::{reproducer_text, split_reproducer, ReproducerConfig};
pub use timing::{render_timing_report, TimingNode};
