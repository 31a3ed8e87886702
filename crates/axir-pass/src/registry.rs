//! [`PassRegistry`]: explicit registration of passes and named pipelines.
//!
//! Invariant: nothing registers itself. Each crate that defines passes
//! exposes `register_passes(&mut PassRegistry)`, and a tool calls them on
//! the one registry it builds.

use crate::error::RegistryError;
use crate::options::{PassOptionInfo, PassOptions};
use crate::pass::Pass;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds a pass from its (already checked) options; an `Err` is a message
/// about an option combination the pass rejects.
pub type PassConstructor = Arc<dyn Fn(&PassOptions) -> Result<Box<dyn Pass>, String> + Send + Sync>;

/// A registered pass: its flag, documentation, options and constructor.
#[derive(Clone)]
pub struct PassInfo {
    /// The flag, e.g. `canonicalize`.
    pub name: &'static str,
    /// One line saying what the pass does.
    pub description: &'static str,
    /// The options it accepts.
    pub options: &'static [PassOptionInfo],
    /// Builds an instance.
    pub constructor: PassConstructor,
}

impl PassInfo {
    /// A registration for pass `name`.
    pub fn new(
        name: &'static str,
        description: &'static str,
        options: &'static [PassOptionInfo],
        constructor: impl Fn(&PassOptions) -> Result<Box<dyn Pass>, String> + Send + Sync + 'static,
    ) -> Self {
        Self { name, description, options, constructor: Arc::new(constructor) }
    }
}

/// A registered pipeline: a name standing for a list of passes.
#[derive(Clone, Debug)]
pub struct PipelineInfo {
    /// The name used in pipelines.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its passes, as pipeline text (`canonicalize,cse`).
    pub pipeline: String,
}

/// Every pass and pipeline a tool knows, by name.
#[derive(Clone, Default)]
pub struct PassRegistry {
    passes: BTreeMap<&'static str, PassInfo>,
    pipelines: BTreeMap<String, PipelineInfo>,
}

impl PassRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a pass.
    pub fn register_pass(&mut self, info: PassInfo) -> Result<(), RegistryError> {
        if self.passes.contains_key(info.name) || self.pipelines.contains_key(info.name) {
            return Err(RegistryError::Duplicate(info.name.to_string()));
        }
        self.passes.insert(info.name, info);
        Ok(())
    }

    /// Registers a named pipeline, e.g. `("simplify", "...", "canonicalize,cse")`.
    /// Its text is parsed when the name is used.
    pub fn register_pipeline(
        &mut self,
        name: &str,
        description: &str,
        pipeline: &str,
    ) -> Result<(), RegistryError> {
        if self.passes.contains_key(name) || self.pipelines.contains_key(name) {
            return Err(RegistryError::Duplicate(name.to_string()));
        }
        let info =
            PipelineInfo { name: name.into(), description: description.into(), pipeline: pipeline.into() };
        self.pipelines.insert(name.to_string(), info);
        Ok(())
    }

    /// The pass registered as `name`.
    pub fn pass(&self, name: &str) -> Option<&PassInfo> {
        self.passes.get(name)
    }

    /// The pipeline registered as `name`.
    pub fn pipeline(&self, name: &str) -> Option<&PipelineInfo> {
        self.pipelines.get(name)
    }

    /// Every pass, sorted by flag.
    pub fn passes(&self) -> impl Iterator<Item = &PassInfo> {
        self.passes.values()
    }

    /// Every named pipeline, sorted by name.
    pub fn pipelines(&self) -> impl Iterator<Item = &PipelineInfo> {
        self.pipelines.values()
    }

    /// The `--help` text for passes: each flag, its description and options.
    pub fn help(&self) -> String {
        let mut out = String::from("Passes:\n");
        for p in self.passes() {
            out.push_str(&format!("  --{:<28} - {}\n", p.name, p.description));
            for o in p.options {
                let arg = format!("{}=<{}>", o.name, o.kind.as_str());
                out.push_str(&format!("      {arg:<26} - {} (default: {})\n", o.description, o.default));
            }
        }
        if !self.pipelines.is_empty() {
            out.push_str("Pass pipelines:\n");
            for p in self.pipelines() {
                out.push_str(&format!("  --{:<28} - {}\n", p.name, p.description));
            }
        }
        out
    }
}
