//! Printing a loop-level axir module as upstream MLIR text (`scf`, `memref`,
//! `arith`, `math`, `vector`, `func`), in the generic op form, with every op
//! carrying its `.axir` location so that MLIR's diagnostics come back
//! located. Pure Rust: nothing here touches MLIR.
//!
//! The translation (`docs/mlir-bridge.md` has the table):
//!
//! - `arith`, `math`, `vector`, `func.return`, `func.call`: unchanged (our
//!   generic form is MLIR's), except `vector.fma` → `math.fma`, whose
//!   lowering keeps the single rounding, and scalar f32 `math.exp`, `log`,
//!   `log2`, `log10`, `tanh` → `func.call` of a function defined in the
//!   module (`mathlib`);
//! - `func.func`: argument and result attributes (`loop.output`) dropped,
//!   `llvm.emit_c_interface` added to definitions;
//! - `loop.for` → `scf.for`; `loop.parallel` → `scf.parallel`, whose
//!   `loop.yield` becomes `scf.reduce` with one combining region per result;
//!   `loop.yield` in a `loop.for` → `scf.yield`;
//! - `loop.alloc`, `dealloc`, `load`, `store` → `memref.*`; `loop.dim` →
//!   `arith.constant` + `memref.dim`;
//! - `loop.subview` → `memref.subview`, `loop.view` →
//!   `memref.reinterpret_cast`, with constant operands folded into the
//!   static lists; both are followed by a `memref.cast` to the declared type
//!   where MLIR's inferred type is more precise;
//! - `loop.copy` → a `scf.for` nest of `memref.load`/`memref.store` (no
//!   run-time library needed, unlike `memref.copy` on strided buffers);
//! - `loop.assert` (only in a function's body, outside loops) → a
//!   `cf.cond_br` to a block that writes the check's number and values into
//!   the function's **status buffer** and returns. A function with checks
//!   takes that buffer, a `memref<16xi64>`, as an extra last parameter (see
//!   [`STATUS_WORDS`]); its results are `ub.poison` when a check fails.
//! - bf16 → `i16` bits in every type, its conversions and rounding written
//!   out as integer ops (`emit/bf16.rs`): LLVM flushes bf16 subnormals on x86-64.
//!
//! **Anything else is a located error**, all of them reported: array-level
//! ops and tensor types (lower with `--array-to-loop-pipeline` first),
//! unknown ops, memory spaces, opaque layouts.

use std::collections::HashMap;
use std::fmt::Write;

use axir_builtin::FuncOp;
use axir_ir::{
    AttributeData, BlockId, Context, Diagnostic, Dim, Location, LocationData, OpDefinition, OpId, RegionId,
    Type, TypeData, Value,
};
use axir_loop::memref::{constant_index, MemRefType};
use axir_syntax::{write_attr, write_location, write_type};

mod bf16;

/// MLIR's `ShapedType::kDynamic`, the marker of a dynamic entry in the
/// `static_offsets`, `static_sizes` and `static_strides` lists.
const DYNAMIC: i64 = i64::MIN;

/// The size of the status buffer of a function with `loop.assert`s:
/// word 0 is 0 while every check holds, else the number (from 1, in body
/// order) of the check that failed; words `1..` are the values its message
/// shows.
pub const STATUS_WORDS: usize = 16;

/// The status buffer's type.
const STATUS_TYPE: &str = "memref<16xi64>";

/// The `loop.assert`s of a function: those directly in its body, in order.
pub fn function_checks(ctx: &Context, func: OpId) -> Vec<OpId> {
    let Some(block) = ctx.regions(func).first().and_then(|r| ctx.entry_block(*r)) else { return Vec::new() };
    ctx.block_ops_iter(block).filter(|&o| ctx.op_name(o) == "loop.assert").collect()
}

/// How the checks of the function being translated fail.
struct CheckState {
    /// The function.
    func: OpId,
    /// The SSA name of the status buffer parameter.
    status: String,
    /// The function's result types, in MLIR text.
    results: Vec<String>,
    /// The checks translated so far.
    count: usize,
    /// The failure blocks, written after the body.
    fail_blocks: String,
}

/// The upstream MLIR text of a module, and what is needed to map MLIR's
/// diagnostics back to `.axir` locations.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The module in MLIR's generic form, every op located.
    pub text: String,
    /// `(file, line, col)` of each location written, to the axir location.
    pub locations: HashMap<(String, u32, u32), Location>,
    /// The location of the module op, for diagnostics MLIR cannot locate.
    pub module_loc: Location,
}

impl Emitted {
    /// The axir location of an MLIR `file:line:col`, if the text had it.
    pub fn location(&self, file: &str, line: u32, col: u32) -> Option<Location> {
        self.locations.get(&(file.to_string(), line, col)).copied()
    }
}

/// Translates `module` (a `builtin.module` at the loop level) to upstream MLIR
/// text. Every op that cannot be translated is reported.
pub fn emit_module(ctx: &Context, module: OpId) -> Result<Emitted, Vec<Diagnostic>> {
    let mut e = Emitter {
        ctx,
        out: String::new(),
        names: HashMap::new(),
        next: 0,
        diags: Vec::new(),
        locations: HashMap::new(),
        libm: std::collections::BTreeSet::new(),
        defined: std::collections::BTreeSet::new(),
        checks: None,
    };
    e.op(module, 0);
    if !e.diags.is_empty() {
        return Err(e.diags);
    }
    Ok(Emitted { text: e.out, locations: e.locations, module_loc: ctx.op_location(module) })
}

/// Why `ty` cannot cross to MLIR, if it cannot.
fn unsupported_type(ctx: &Context, ty: Type) -> Option<String> {
    let shown = || ctx.display_type(ty).to_string();
    match ctx.type_data(ty) {
        TypeData::Integer { signedness: axir_ir::Signedness::Signless, .. } | TypeData::Index | TypeData::Float(_) => {
            None
        }
        TypeData::Integer { .. } => Some(format!("signed and unsigned integer types ({}) have no arith semantics; use signless integers", shown())),
        TypeData::Vector { scalable, element, .. } => {
            if scalable.iter().any(|s| *s) {
                Some(format!("scalable vector type {} is not supported", shown()))
            } else {
                unsupported_type(ctx, *element)
            }
        }
        TypeData::MemRef { memory_space: Some(_), .. } => {
            Some(format!("memref type {} has a memory space, which the CPU path does not support", shown()))
        }
        TypeData::MemRef { element, .. } => {
            if MemRefType::of(ctx, ty).is_none() {
                Some(format!("memref type {} has a layout that is neither the identity nor strided", shown()))
            } else {
                unsupported_type(ctx, *element)
            }
        }
        TypeData::Tensor { .. } => Some(format!(
            "tensor type {} is array level; lower the module to the loop level first (axopt --array-to-loop-pipeline)",
            shown()
        )),
        _ => Some(format!("type {} has no MLIR lowering here", shown())),
    }
}

/// The dialects whose ops are printed unchanged in the generic form.
fn is_passthrough(name: &str) -> bool {
    let dialect = name.split('.').next().unwrap_or("");
    matches!(dialect, "arith" | "math" | "vector") || matches!(name, "func.return" | "func.call")
}

struct Emitter<'c> {
    ctx: &'c Context,
    out: String,
    names: HashMap<Value, u32>,
    next: u32,
    diags: Vec<Diagnostic>,
    locations: HashMap<(String, u32, u32), Location>,
    /// libm functions called by the translation, declared in the module.
    libm: std::collections::BTreeSet<(&'static str, String)>,
    /// Functions of `mathlib` called by the translation, defined in the
    /// module: `(name, definition)`.
    defined: std::collections::BTreeSet<(&'static str, &'static str)>,
    /// The checks of the function being translated, if it has any.
    checks: Option<CheckState>,
}

impl Emitter<'_> {
    fn error(&mut self, op: OpId, msg: impl std::fmt::Display) {
        self.diags.push(self.ctx.op_error(op, msg));
    }

    /// A fresh SSA name for a value the translation makes up.
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%t{}", self.next)
    }

    fn name(&mut self, v: Value) -> String {
        let next = &mut self.next;
        let n = *self.names.entry(v).or_insert_with(|| {
            *next += 1;
            *next
        });
        format!("%v{n}")
    }

    fn names(&mut self, vs: &[Value]) -> String {
        vs.iter().map(|v| self.name(*v)).collect::<Vec<_>>().join(", ")
    }

    fn ty(&self, t: Type) -> String {
        let mut s = String::new();
        write_type(self.ctx, t, &mut s);
        // bf16 values cross as their i16 bits (emit/bf16.rs).
        bf16::as_bits(s)
    }

    fn types(&self, vs: &[Value]) -> String {
        vs.iter().map(|v| self.ty(self.ctx.value_type(*v))).collect::<Vec<_>>().join(", ")
    }

    /// ` loc(...)`, remembering the location so MLIR's diagnostics map back.
    fn loc(&mut self, loc: Location) -> String {
        let mut file_loc = loc;
        // Record the innermost file location of names, call sites and fusions too.
        loop {
            match self.ctx.location_data(file_loc) {
                LocationData::Name { child: Some(c), .. } => file_loc = *c,
                LocationData::CallSite { callee, .. } => file_loc = *callee,
                LocationData::Fused(ls) if !ls.is_empty() => file_loc = ls[0],
                _ => break,
            }
        }
        if let Some((file, line, col)) = self.ctx.file_line_col(file_loc) {
            self.locations.entry((file.to_string(), line, col)).or_insert(loc);
        }
        let mut s = String::from(" ");
        write_location(self.ctx, loc, &mut s);
        s
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    /// Writes one full line: indentation, `text`, location, newline.
    fn line(&mut self, depth: usize, text: &str, loc: Location) {
        self.indent(depth);
        self.out.push_str(text);
        let l = self.loc(loc);
        self.out.push_str(&l);
        self.out.push('\n');
    }

    fn results_prefix(&mut self, op: OpId) -> String {
        let results = self.ctx.results(op).to_vec();
        if results.is_empty() {
            String::new()
        } else {
            format!("{} = ", self.names(&results))
        }
    }

    fn check_types(&mut self, op: OpId) {
        let ctx = self.ctx;
        let types: Vec<Type> =
            ctx.operands(op).iter().chain(ctx.results(op)).map(|v| ctx.value_type(*v)).collect();
        for t in types {
            if matches!(ctx.type_data(t), TypeData::Tensor { .. }) {
                continue;
            }
            if let Some(why) = unsupported_type(ctx, t) {
                self.error(op, why);
                return;
            }
        }
    }

    fn op(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let name = ctx.op_name(op).to_string();
        let loc = ctx.op_location(op);
        // Tensors are reported once, at the function signature or the array op.
        if name != "builtin.module" && name != "func.func" && !name.starts_with("array.") {
            self.check_types(op);
        }
        match name.as_str() {
            "builtin.module" => {
                self.indent(depth);
                self.out.push_str("\"builtin.module\"() ({\n");
                for r in ctx.regions(op).to_vec() {
                    for b in ctx.region_blocks(r).to_vec() {
                        for o in ctx.block_ops(b) {
                            self.op(o, depth + 1);
                        }
                    }
                }
                for (func, ty) in std::mem::take(&mut self.libm) {
                    self.indent(depth + 1);
                    self.out.push_str(&format!(
                        "\"func.func\"() <{{function_type = ({ty}) -> {ty}, sym_name = \"{func}\", sym_visibility = \"private\"}}> ({{\n}}) : () -> ()\n"
                    ));
                }
                for (_, definition) in std::mem::take(&mut self.defined) {
                    self.out.push_str(definition);
                }
                self.indent(depth);
                self.out.push_str("}) : () -> ()");
                let l = self.loc(loc);
                self.out.push_str(&l);
                self.out.push('\n');
            }
            "func.func" => self.func(op, depth),
            "loop.for" => self.for_op(op, depth),
            "loop.parallel" => self.parallel(op, depth),
            "loop.yield" => {
                // Reached only for a loop.yield outside any loop, which the verifier rejects.
                self.error(op, "expects parent op to be one of 'loop.for, loop.parallel'");
            }
            "loop.alloc" => {
                let ops = ctx.operands(op).to_vec();
                let text = format!(
                    "{}\"memref.alloc\"({}) <{{operandSegmentSizes = array<i32: {}, 0>}}> : ({}) -> {}",
                    self.results_prefix(op),
                    self.names(&ops),
                    ops.len(),
                    self.types(&ops),
                    self.types(ctx.results(op))
                );
                self.line(depth, &text, loc);
            }
            "loop.dealloc" | "loop.load" | "loop.store" => {
                let upstream = name.replace("loop.", "memref.");
                let text = self.generic_text(op, &upstream, false);
                self.line(depth, &text, loc);
            }
            "loop.dim" => {
                let Some(index) = axir_loop::dim_index(ctx, op) else {
                    self.error(op, "requires attribute 'index'");
                    return;
                };
                let c = self.fresh();
                self.line(
                    depth,
                    &format!("{c} = \"arith.constant\"() <{{value = {index} : index}}> : () -> index"),
                    loc,
                );
                let src = ctx.operand(op, 0);
                let text = format!(
                    "{}\"memref.dim\"({}, {c}) : ({}, index) -> index",
                    self.results_prefix(op),
                    self.name(src),
                    self.types(&[src])
                );
                self.line(depth, &text, loc);
            }
            // LLVM's bf16 conversions flush subnormals on x86-64 (emit/bf16.rs).
            _ if bf16::handles(ctx, op) => self.bf16_op(op, depth),
            // MLIR lowers vector.fma to llvm.intr.fmuladd, which may round
            // twice; math.fma lowers to llvm.intr.fma, the single rounding
            // vector.fma promises (docs/dialects/vector.md).
            "vector.fma" => {
                let text = self.generic_text(op, "math.fma", false);
                self.line(depth, &text, loc);
            }
            // MLIR's convert-math-to-llvm expands these as exp(x) - 1 and
            // log(1 + x), losing the precision near 0 that is their reason to
            // exist; scalar ones call libm instead, as numpy does.
            "math.expm1" | "math.log1p" if self.libm_name(op).is_some() => {
                let (func, ty) = self.libm_name(op).expect("checked by the guard");
                self.libm.insert((func, ty));
                self.call_instead(op, func, depth);
            }
            // Scalar f32 exp, log, log2, log10, tanh: a function defined in
            // the module, which LLVM inlines and vectorizes (upstream calls
            // libm per element).
            _ if name.starts_with("math.") && self.defined_function(op).is_some() => {
                let (func, definition) = self.defined_function(op).expect("checked by the guard");
                self.defined.insert((func, definition));
                self.call_instead(op, func, depth);
            }
            "loop.assert" => self.assert(op, depth),
            "loop.subview" => self.subview(op, depth),
            "loop.view" => self.view(op, depth),
            "loop.copy" => self.copy(op, depth),
            // The callee takes a status buffer the caller does not have.
            "func.call" if self.calls_checked_function(op) => self.error(
                op,
                "calls a function with loop.assert checks, and the translation to MLIR does not pass their status buffer through calls; inline the call first",
            ),
            _ if is_passthrough(&name) && ctx.op_info(op).is_some() => {
                if !ctx.regions(op).is_empty() {
                    self.error(op, "ops with regions cannot be passed to MLIR unchanged");
                    return;
                }
                let text = self.generic_text(op, &name, true);
                self.line(depth, &text, loc);
            }
            _ if name.starts_with("array.") => self.error(
                op,
                "is array level; lower the module to the loop level first (axopt --array-to-loop-pipeline)",
            ),
            _ => self.error(op, "has no translation to upstream MLIR"),
        }
    }

    /// Whether `call` (a `func.call`) calls a function that has checks.
    fn calls_checked_function(&self, call: OpId) -> bool {
        let ctx = self.ctx;
        let callee = ctx.attr(call, axir_builtin::CALLEE_ATTR).and_then(|a| ctx.attr_as_symbol(a));
        let target = callee.and_then(|name| ctx.lookup_symbol_from(call, name));
        target.is_some_and(|f| !function_checks(ctx, f).is_empty())
    }

    /// `op` as a `func.call` of `func`, which takes its operands and gives
    /// its results.
    fn call_instead(&mut self, op: OpId, func: &str, depth: usize) {
        let ctx = self.ctx;
        let text = format!(
            "{}\"func.call\"({}) <{{callee = @{func}}}> : ({}) -> ({})",
            self.results_prefix(op),
            self.names(ctx.operands(op)),
            self.types(ctx.operands(op)),
            self.types(ctx.results(op))
        );
        self.line(depth, &text, ctx.op_location(op));
    }

    /// The `mathlib` function computing `op` and its definition, if there is one.
    fn defined_function(&self, op: OpId) -> Option<(&'static str, &'static str)> {
        let result = *self.ctx.results(op).first()?;
        let ty = self.ty(self.ctx.value_type(result));
        crate::mathlib::defined_function(self.ctx.op_name(op), &ty)
    }

    /// The libm function computing a scalar f32/f64 `math.expm1`/`math.log1p`.
    fn libm_name(&self, op: OpId) -> Option<(&'static str, String)> {
        let ctx = self.ctx;
        let ty = ctx.value_type(ctx.result(op, 0));
        let f32 = match ctx.type_data(ty) {
            TypeData::Float(axir_ir::FloatKind::F32) => true,
            TypeData::Float(axir_ir::FloatKind::F64) => false,
            _ => return None,
        };
        let func = match (ctx.op_name(op), f32) {
            ("math.expm1", true) => "expm1f",
            ("math.expm1", false) => "expm1",
            ("math.log1p", true) => "log1pf",
            ("math.log1p", false) => "log1p",
            _ => return None,
        };
        Some((func, self.ty(ty)))
    }

    /// The attribute dictionary of `op` (` {...}`, or empty).
    fn attr_dict(&self, op: OpId) -> String {
        let ctx = self.ctx;
        if ctx.attrs(op).is_empty() {
            return String::new();
        }
        let mut s = String::from(" {");
        for (i, a) in ctx.attrs(op).iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            write_attr_name(ctx.ident_str(a.name), &mut s);
            if !matches!(ctx.attr_data(a.value), AttributeData::Unit) {
                s.push_str(" = ");
                write_attr(ctx, a.value, &mut s);
            }
        }
        s.push('}');
        s
    }

    /// `%r = "name"(operands) {attrs} : (types) -> (types)`.
    fn generic_text(&mut self, op: OpId, name: &str, keep_attrs: bool) -> String {
        let ctx = self.ctx;
        let operands = ctx.operands(op).to_vec();
        let results = ctx.results(op).to_vec();
        let mut s = self.results_prefix(op);
        let _ = write!(s, "\"{name}\"({})", self.names(&operands));
        if keep_attrs {
            s.push_str(&self.attr_dict(op));
        }
        let _ = write!(s, " : ({}) -> ({})", self.types(&operands), self.types(&results));
        s
    }

    fn block_header(&mut self, block: BlockId, depth: usize) {
        self.block_header_with(block, depth, None);
    }

    /// The header of `block`, with `extra` (name, type, location) as one
    /// more argument at the end.
    fn block_header_with(&mut self, block: BlockId, depth: usize, extra: Option<(&str, &str, Location)>) {
        let ctx = self.ctx;
        let args = ctx.block_arguments(block).to_vec();
        let mut s = String::from("^bb0(");
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let (n, t, l) = (self.name(*a), self.ty(ctx.value_type(*a)), self.loc(ctx.value_location(*a)));
            let _ = write!(s, "{n}: {t}{l}");
        }
        if let Some((n, t, loc)) = extra {
            if !args.is_empty() {
                s.push_str(", ");
            }
            let l = self.loc(loc);
            let _ = write!(s, "{n}: {t}{l}");
        }
        s.push_str("):");
        self.indent(depth);
        self.out.push_str(&s);
        self.out.push('\n');
    }

    /// The ops of `block` except a trailing `loop.yield`, which is returned.
    fn body(&mut self, block: BlockId, depth: usize) -> Option<OpId> {
        let mut terminator = None;
        for o in self.ctx.block_ops(block) {
            if self.ctx.op_name(o) == "loop.yield" {
                terminator = Some(o);
            } else {
                self.op(o, depth);
            }
        }
        terminator
    }

    fn single_block(&mut self, op: OpId) -> Option<BlockId> {
        let r: Option<RegionId> = self.ctx.regions(op).first().copied();
        let b = r.and_then(|r| self.ctx.entry_block(r));
        if b.is_none() {
            self.error(op, "expects a region with one block");
        }
        b
    }

    fn func(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let Some(f) = FuncOp::from_op(ctx, op) else { return };
        let bad =
            f.input_types(ctx).iter().chain(f.result_types(ctx)).find_map(|&t| unsupported_type(ctx, t));
        if let Some(why) = bad {
            self.error(op, format!("@{}: {why}", f.name(ctx)));
        }
        let Some(fty) = f.function_type(ctx) else {
            self.error(op, "requires attribute 'function_type'");
            return;
        };
        let checks = function_checks(ctx, op);
        let fty_text = if checks.is_empty() {
            self.ty(fty)
        } else {
            // The status buffer is one more parameter.
            let mut inputs: Vec<String> = f.input_types(ctx).iter().map(|&t| self.ty(t)).collect();
            inputs.push(STATUS_TYPE.to_string());
            let results: Vec<String> = f.result_types(ctx).iter().map(|&t| self.ty(t)).collect();
            format!("({}) -> ({})", inputs.join(", "), results.join(", "))
        };
        let mut attrs = format!("function_type = {fty_text}, sym_name = ");
        let _ = axir_syntax::lexer::write_escaped_string(&mut attrs, f.name(ctx).as_bytes());
        if ctx.attr(op, "sym_visibility").is_some() {
            let _ = write!(attrs, ", sym_visibility = \"{}\"", f.visibility(ctx));
        }
        self.indent(depth);
        self.out.push_str("\"func.func\"() ({\n");
        if let Some(block) = f.entry_block(ctx) {
            // A stable C calling convention: `_mlir_ciface_NAME` takes each
            // memref as a pointer to its descriptor.
            attrs.push_str(", llvm.emit_c_interface");
            if f.body(ctx).is_some_and(|r| ctx.region_blocks(r).len() > 1) {
                self.error(op, "functions with several blocks are not supported");
            }
            if checks.is_empty() {
                self.block_header(block, depth);
            } else {
                let status = self.fresh();
                let results = f.result_types(ctx).iter().map(|&t| self.ty(t)).collect();
                self.block_header_with(block, depth, Some((&status, STATUS_TYPE, ctx.op_location(op))));
                self.checks =
                    Some(CheckState { func: op, status, results, count: 0, fail_blocks: String::new() });
            }
            for o in ctx.block_ops(block) {
                self.op(o, depth + 1);
            }
            if let Some(state) = self.checks.take() {
                self.out.push_str(&state.fail_blocks);
            }
        }
        self.indent(depth);
        let _ = write!(self.out, "}}) {{{attrs}}} : () -> ()");
        let l = self.loc(ctx.op_location(op));
        self.out.push_str(&l);
        self.out.push('\n');
    }

    /// `loop.assert`: branch on the condition; the failure block stores the
    /// check's number and values in the status buffer and returns.
    fn assert(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let loc = ctx.op_location(op);
        let at_top = self.checks.as_ref().is_some_and(|s| ctx.parent_op(op) == Some(s.func));
        if !at_top {
            self.error(op, "is translated to MLIR only in a function's body, outside loops");
            return;
        }
        let operands = ctx.operands(op).to_vec();
        let values = &operands[1..];
        if values.len() >= STATUS_WORDS {
            self.error(
                op,
                format!(
                    "shows {} values, but compiled code reports at most {}",
                    values.len(),
                    STATUS_WORDS - 1
                ),
            );
            return;
        }
        let cond = self.name(operands[0]);
        let k = {
            let state = self.checks.as_mut().expect("checked above: the function has checks");
            state.count += 1;
            state.count
        };
        self.line(
            depth,
            &format!(
                "\"cf.cond_br\"({cond})[^ok{k}, ^fail{k}] <{{operandSegmentSizes = array<i32: 1, 0, 0>}}> : (i1) -> ()"
            ),
            loc,
        );
        self.indent(depth.saturating_sub(1));
        self.out.push_str(&format!("^ok{k}:\n"));

        // The failure block, written after the body (its values dominate it).
        let body = std::mem::take(&mut self.out);
        self.indent(depth.saturating_sub(1));
        self.out.push_str(&format!("^fail{k}:\n"));
        let status = self.checks.as_ref().map(|s| s.status.clone()).unwrap_or_default();
        let store = |e: &mut Self, word: usize, value: String| {
            let at = e.fresh();
            e.line(
                depth,
                &format!("{at} = \"arith.constant\"() <{{value = {word} : index}}> : () -> index"),
                loc,
            );
            e.line(
                depth,
                &format!("\"memref.store\"({value}, {status}, {at}) : (i64, {STATUS_TYPE}, index) -> ()"),
                loc,
            );
        };
        let code = self.fresh();
        self.line(depth, &format!("{code} = \"arith.constant\"() <{{value = {k} : i64}}> : () -> i64"), loc);
        store(self, 0, code);
        for (j, &v) in values.iter().enumerate() {
            let (x, name) = (self.fresh(), self.name(v));
            self.line(depth, &format!("{x} = \"arith.index_cast\"({name}) : (index) -> i64"), loc);
            store(self, j + 1, x);
        }
        let results = self.checks.as_ref().map(|s| s.results.clone()).unwrap_or_default();
        let mut poisons = Vec::new();
        for t in &results {
            let p = self.fresh();
            self.line(depth, &format!("{p} = \"ub.poison\"() <{{value = #ub.poison}}> : () -> {t}"), loc);
            poisons.push(p);
        }
        self.line(
            depth,
            &format!("\"func.return\"({}) : ({}) -> ()", poisons.join(", "), results.join(", ")),
            loc,
        );
        let block = std::mem::replace(&mut self.out, body);
        if let Some(state) = self.checks.as_mut() {
            state.fail_blocks.push_str(&block);
        }
    }

    fn for_op(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let Some(block) = self.single_block(op) else { return };
        let operands = ctx.operands(op).to_vec();
        let results = ctx.results(op).to_vec();
        let head = format!("{}\"scf.for\"({}) ({{", self.results_prefix(op), self.names(&operands));
        self.indent(depth);
        self.out.push_str(&head);
        self.out.push('\n');
        self.block_header(block, depth);
        let terminator = self.body(block, depth + 1);
        let (vals, tloc) = match terminator {
            Some(t) => (ctx.operands(t).to_vec(), ctx.op_location(t)),
            None => (Vec::new(), ctx.op_location(op)),
        };
        let y = format!("\"scf.yield\"({}) : ({}) -> ()", self.names(&vals), self.types(&vals));
        self.line(depth + 1, &y, tloc);
        let tail = format!("}}) : ({}) -> ({})", self.types(&operands), self.types(&results));
        self.line(depth, &tail, ctx.op_location(op));
    }

    fn parallel(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let Some(block) = self.single_block(op) else { return };
        let n = ctx.block_arguments(block).len();
        let operands = ctx.operands(op).to_vec();
        let results = ctx.results(op).to_vec();
        let Some(kinds) = axir_loop::parallel_reductions(ctx, op) else {
            self.error(op, "requires 'reductions' to be an array of op names");
            return;
        };
        let head = format!(
            "{}\"scf.parallel\"({}) <{{operandSegmentSizes = array<i32: {n}, {n}, {n}, {}>}}> ({{",
            self.results_prefix(op),
            self.names(&operands),
            results.len()
        );
        self.indent(depth);
        self.out.push_str(&head);
        self.out.push('\n');
        self.block_header(block, depth);
        let terminator = self.body(block, depth + 1);
        let (vals, tloc) = match terminator {
            Some(t) => (ctx.operands(t).to_vec(), ctx.op_location(t)),
            None => (Vec::new(), ctx.op_location(op)),
        };
        if vals.len() != kinds.len() {
            self.error(
                op,
                format!("expects {} reduction ops (one per result), but got {}", vals.len(), kinds.len()),
            );
            return;
        }
        let mut regions = Vec::new();
        for (v, kind) in vals.iter().zip(&kinds) {
            let Some(kind) = kind else {
                self.error(op, "has an unsupported reduction op");
                return;
            };
            let t = self.ty(ctx.value_type(*v));
            let (l, r, x) = (self.fresh(), self.fresh(), self.fresh());
            let lc = self.loc(tloc);
            let ind = "  ".repeat(depth + 1);
            let combine = self
                .bf16_combine(kind.op_name(), &l, &r, &x, ctx.value_type(*v), depth + 2, tloc)
                .unwrap_or_else(|| {
                    format!("{ind}  {x} = \"{}\"({l}, {r}) : ({t}, {t}) -> {t}{lc}\n", kind.op_name())
                });
            regions.push(format!(
                "{{\n{ind}^bb0({l}: {t}{lc}, {r}: {t}{lc}):\n{combine}{ind}  \"scf.reduce.return\"({x}) : ({t}) -> (){lc}\n{ind}}}"
            ));
        }
        let regions = if regions.is_empty() { String::new() } else { format!(" ({})", regions.join(", ")) };
        let reduce =
            format!("\"scf.reduce\"({}){regions} : ({}) -> ()", self.names(&vals), self.types(&vals));
        self.line(depth + 1, &reduce, tloc);
        let tail = format!("}}) : ({}) -> ({})", self.types(&operands), self.types(&results));
        self.line(depth, &tail, ctx.op_location(op));
    }

    /// Splits operands into MLIR's static list (constants folded) and the
    /// dynamic operands that remain.
    fn mixed(&mut self, vs: &[Value]) -> (Vec<i64>, Vec<Value>) {
        let mut statics = Vec::with_capacity(vs.len());
        let mut dynamic = Vec::new();
        for &v in vs {
            match constant_index(self.ctx, v) {
                Some(c) if c != DYNAMIC => statics.push(c),
                _ => {
                    statics.push(DYNAMIC);
                    dynamic.push(v);
                }
            }
        }
        (statics, dynamic)
    }

    /// Writes `%r = <op text producing exact type>` and, where the declared
    /// result type differs, a `memref.cast` to it.
    fn with_cast(&mut self, op: OpId, depth: usize, text_for: impl FnOnce(&str) -> String, exact: String) {
        let ctx = self.ctx;
        let result = ctx.result(op, 0);
        let declared = self.ty(ctx.value_type(result));
        let loc = ctx.op_location(op);
        let r = self.name(result);
        if exact == declared {
            let t = text_for(&exact);
            self.line(depth, &format!("{r} = {t}"), loc);
        } else {
            let tmp = self.fresh();
            let t = text_for(&exact);
            self.line(depth, &format!("{tmp} = {t}"), loc);
            self.line(depth, &format!("{r} = \"memref.cast\"({tmp}) : ({exact}) -> {declared}"), loc);
        }
    }

    fn subview(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let operands = ctx.operands(op).to_vec();
        let src = operands[0];
        let Some(m) = MemRefType::of(ctx, ctx.value_type(src)) else { return };
        let rank = m.rank();
        if operands.len() != 1 + 3 * rank {
            self.error(op, format!("expected {rank} offsets, {rank} sizes and {rank} strides"));
            return;
        }
        let (offs, dyn_offs) = self.mixed(&operands[1..1 + rank]);
        let (sizes, dyn_sizes) = self.mixed(&operands[1 + rank..1 + 2 * rank]);
        let (strides, dyn_strides) = self.mixed(&operands[1 + 2 * rank..]);
        // MLIR's SubViewOp::inferResultType.
        let res_strides: Vec<Option<i64>> = (0..rank)
            .map(|d| match (m.strides[d], strides[d]) {
                (Some(a), b) if b != DYNAMIC => a.checked_mul(b),
                _ => None,
            })
            .collect();
        let mut res_off = m.offset;
        for (&src_stride, &k) in m.strides.iter().zip(&offs) {
            res_off = match (res_off, src_stride, k) {
                (Some(o), Some(s), k) if k != DYNAMIC => k.checked_mul(s).and_then(|x| o.checked_add(x)),
                _ => None,
            };
        }
        let exact = strided_type(self, &sizes, m.element, &res_strides, res_off);
        let src_ty = self.ty(ctx.value_type(src));
        let src_name = self.name(src);
        let all: Vec<Value> = dyn_offs.iter().chain(&dyn_sizes).chain(&dyn_strides).copied().collect();
        let (names, types) = (self.names(&all), self.types(&all));
        let args = if all.is_empty() { src_name } else { format!("{src_name}, {names}") };
        let arg_types = if all.is_empty() { src_ty } else { format!("{src_ty}, {types}") };
        let props = format!(
            "operandSegmentSizes = array<i32: 1, {}, {}, {}>, static_offsets = {}, static_sizes = {}, static_strides = {}",
            dyn_offs.len(),
            dyn_sizes.len(),
            dyn_strides.len(),
            i64_array(&offs),
            i64_array(&sizes),
            i64_array(&strides)
        );
        self.with_cast(
            op,
            depth,
            |t| format!("\"memref.subview\"({args}) <{{{props}}}> : ({arg_types}) -> {t}"),
            exact,
        );
    }

    fn view(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let operands = ctx.operands(op).to_vec();
        let result = ctx.result(op, 0);
        let Some(m) = MemRefType::of(ctx, ctx.value_type(result)) else { return };
        let rank = m.rank();
        if operands.len() != 2 + 2 * rank {
            self.error(op, format!("expected an offset, {rank} sizes and {rank} strides"));
            return;
        }
        let src = operands[0];
        let (off, dyn_off) = self.mixed(&operands[1..2]);
        let (sizes, dyn_sizes) = self.mixed(&operands[2..2 + rank]);
        let (strides, dyn_strides) = self.mixed(&operands[2 + rank..]);
        let res_strides: Vec<Option<i64>> = strides.iter().map(|&s| (s != DYNAMIC).then_some(s)).collect();
        let exact =
            strided_type(self, &sizes, m.element, &res_strides, (off[0] != DYNAMIC).then_some(off[0]));
        let src_ty = self.ty(ctx.value_type(src));
        let src_name = self.name(src);
        let all: Vec<Value> = dyn_off.iter().chain(&dyn_sizes).chain(&dyn_strides).copied().collect();
        let (names, types) = (self.names(&all), self.types(&all));
        let args = if all.is_empty() { src_name } else { format!("{src_name}, {names}") };
        let arg_types = if all.is_empty() { src_ty } else { format!("{src_ty}, {types}") };
        let props = format!(
            "operandSegmentSizes = array<i32: 1, {}, {}, {}>, static_offsets = {}, static_sizes = {}, static_strides = {}",
            dyn_off.len(),
            dyn_sizes.len(),
            dyn_strides.len(),
            i64_array(&off),
            i64_array(&sizes),
            i64_array(&strides)
        );
        self.with_cast(
            op,
            depth,
            |t| format!("\"memref.reinterpret_cast\"({args}) <{{{props}}}> : ({arg_types}) -> {t}"),
            exact,
        );
    }

    /// `loop.copy %src, %dst` as a loop nest over the dims of `%src`.
    fn copy(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let loc = ctx.op_location(op);
        let (src, dst) = (ctx.operand(op, 0), ctx.operand(op, 1));
        let Some(m) = MemRefType::of(ctx, ctx.value_type(src)) else { return };
        let (s, d) = (self.name(src), self.name(dst));
        let (st, dt) = (self.ty(ctx.value_type(src)), self.ty(ctx.value_type(dst)));
        let et = self.ty(m.element);
        let (c0, c1) = (self.fresh(), self.fresh());
        self.line(depth, &format!("{c0} = \"arith.constant\"() <{{value = 0 : index}}> : () -> index"), loc);
        self.line(depth, &format!("{c1} = \"arith.constant\"() <{{value = 1 : index}}> : () -> index"), loc);
        let mut ivs = Vec::new();
        for k in 0..m.rank() {
            let (ck, dk, iv) = (self.fresh(), self.fresh(), self.fresh());
            let dd = depth + k;
            self.line(
                dd,
                &format!("{ck} = \"arith.constant\"() <{{value = {k} : index}}> : () -> index"),
                loc,
            );
            self.line(dd, &format!("{dk} = \"memref.dim\"({s}, {ck}) : ({st}, index) -> index"), loc);
            self.indent(dd);
            let l = self.loc(loc);
            let _ = writeln!(
                self.out,
                "\"scf.for\"({c0}, {dk}, {c1}) ({{\n{}^bb0({iv}: index{l}):",
                "  ".repeat(dd)
            );
            ivs.push(iv);
        }
        let inner = depth + m.rank();
        let x = self.fresh();
        let idx = ivs.join(", ");
        let idx_types = vec!["index"; ivs.len()].join(", ");
        let sep = if ivs.is_empty() { "" } else { ", " };
        self.line(
            inner,
            &format!("{x} = \"memref.load\"({s}{sep}{idx}) : ({st}{sep}{idx_types}) -> {et}"),
            loc,
        );
        self.line(
            inner,
            &format!("\"memref.store\"({x}, {d}{sep}{idx}) : ({et}, {dt}{sep}{idx_types}) -> ()"),
            loc,
        );
        for k in (0..m.rank()).rev() {
            self.line(depth + k + 1, "\"scf.yield\"() : () -> ()", loc);
            self.line(depth + k, "}) : (index, index, index) -> ()", loc);
        }
    }
}

/// `memref<4x?xf32, strided<[?, 1], offset: 3>>`; sizes use [`DYNAMIC`].
fn strided_type(
    e: &Emitter<'_>,
    sizes: &[i64],
    element: Type,
    strides: &[Option<i64>],
    offset: Option<i64>,
) -> String {
    let dims: Vec<Dim> = sizes.iter().map(|&s| (s != DYNAMIC && s >= 0).then_some(s as u64)).collect();
    let mut s = String::from("memref<");
    for d in &dims {
        match d {
            Some(n) => {
                let _ = write!(s, "{n}x");
            }
            None => s.push_str("?x"),
        }
    }
    s.push_str(&e.ty(element));
    let show = |v: Option<i64>| v.map_or("?".to_string(), |n| n.to_string());
    let _ = write!(s, ", strided<[{}]", strides.iter().map(|v| show(*v)).collect::<Vec<_>>().join(", "));
    // MLIR leaves out a zero offset, as our printer does, so equal types print equally.
    if offset != Some(0) {
        let _ = write!(s, ", offset: {}", show(offset));
    }
    s.push_str(">>");
    s
}

fn i64_array(vs: &[i64]) -> String {
    if vs.is_empty() {
        return "array<i64>".to_string();
    }
    format!("array<i64: {}>", vs.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "))
}

/// An attribute name: a bare identifier, or quoted.
fn write_attr_name(name: &str, out: &mut String) {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if bare {
        out.push_str(name);
    } else {
        let _ = axir_syntax::lexer::write_escaped_string(out, name.as_bytes());
    }
}
