//! The printer: MLIR's textual form of ops, types, attributes and
//! locations, and [`OpAsmPrinter`], the API of custom-syntax print hooks.
//!
//! Values are numbered as mlir-opt numbers them: results and non-entry block
//! arguments `%0, %1, ...`, entry block arguments `%arg0, ...`, blocks
//! `^bb0, ...` per region; a nested region continues the counters of the
//! region that contains it, so no name shadows a visible one. Ops are
//! indented two spaces per region level; block labels sit at the level of
//! the op that owns the region.
//!
//! **Invariant: printing is a fixed point of parsing.** Every type and
//! attribute is written in a form the parser reads back to the same interned
//! value (floats re-parse to the same bits), so
//! `print(parse(print(parse(x)))) == print(parse(x))`.

use crate::custom::CustomAssembly;
use crate::float::write_float;
use crate::lexer::write_escaped_string;
use axir_ir::{
    is_bare_identifier, Attribute, AttributeData, BlockId, Context, DenseData, FloatKind, Handle, Location,
    LocationData, MemRefLayout, NamedAttr, OpId, OpTraits, RegionId, Signedness, Type, TypeData, Value,
};
use std::fmt::Write as _;

/// How to print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Print every op in the generic form (`"dialect.op"(...) : (...) -> ...`)
    /// instead of its custom form (mlir-opt's `--mlir-print-op-generic`).
    pub generic: bool,
    /// Print `loc(...)` after each op and block argument
    /// (mlir-opt's `--mlir-print-debuginfo`).
    pub debug_info: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValName {
    None,
    Num(u32),
    Arg(u32),
    Group { base: u32, idx: u32 },
}

/// Names of values and blocks, indexed by handle index.
#[derive(Default)]
struct NameTable {
    values: Vec<ValName>,
    blocks: Vec<u32>,
    /// Blocks some op branches to (by block index).
    targets: Vec<bool>,
    /// Deepest region nesting below the root.
    max_depth: usize,
}

impl NameTable {
    fn set_value(&mut self, v: Value, n: ValName) {
        let i = v.index();
        if i >= self.values.len() {
            self.values.resize(i + 1, ValName::None);
        }
        self.values[i] = n;
    }

    fn value(&self, v: Value) -> ValName {
        self.values.get(v.index()).copied().unwrap_or(ValName::None)
    }

    fn set_block(&mut self, b: BlockId, n: u32) {
        let i = b.index();
        if i >= self.blocks.len() {
            self.blocks.resize(i + 1, u32::MAX);
        }
        self.blocks[i] = n;
    }

    fn is_target(&self, b: BlockId) -> bool {
        self.targets.get(b.index()).copied().unwrap_or(false)
    }

    fn block(&self, b: BlockId) -> Option<u32> {
        self.blocks.get(b.index()).copied().filter(|&n| n != u32::MAX)
    }

    /// MLIR's numbering (`SSANameState`): each region starts from the
    /// counters its parent region had once fully numbered.
    fn number(ctx: &Context, root: OpId) -> NameTable {
        let mut t = NameTable::default();
        let mut next_value = 0u32;
        t.number_results(ctx, root, &mut next_value);
        let mut stack: Vec<(RegionId, u32, u32, usize)> =
            ctx.regions(root).iter().map(|&r| (r, next_value, 0, 1)).collect();
        while let Some((region, mut nv, mut na, depth)) = stack.pop() {
            t.max_depth = t.max_depth.max(depth);
            let blocks = ctx.region_blocks(region);
            for (i, &b) in blocks.iter().enumerate() {
                t.set_block(b, i as u32);
                for &a in ctx.block_arguments(b) {
                    if i == 0 {
                        t.set_value(a, ValName::Arg(na));
                        na += 1;
                    } else {
                        t.set_value(a, ValName::Num(nv));
                        nv += 1;
                    }
                }
                for op in ctx.block_ops_iter(b) {
                    t.number_results(ctx, op, &mut nv);
                    for &s in ctx.successors(op) {
                        if s.index() >= t.targets.len() {
                            t.targets.resize(s.index() + 1, false);
                        }
                        t.targets[s.index()] = true;
                    }
                }
            }
            for &b in blocks {
                for op in ctx.block_ops_iter(b) {
                    for &r in ctx.regions(op) {
                        stack.push((r, nv, na, depth + 1));
                    }
                }
            }
        }
        t
    }

    fn number_results(&mut self, ctx: &Context, op: OpId, next: &mut u32) {
        match ctx.results(op) {
            [] => {}
            [r] => {
                self.set_value(*r, ValName::Num(*next));
                *next += 1;
            }
            rs => {
                for (idx, r) in rs.iter().enumerate() {
                    self.set_value(*r, ValName::Group { base: *next, idx: idx as u32 });
                }
                *next += 1;
            }
        }
    }
}

fn push_u32(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Invariant: buf[i..] holds ASCII digits only.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// The printer, and the API of custom-syntax print hooks.
///
/// A print hook is called after the printer wrote the result names and the
/// op name; it writes the rest of the op, MLIR style (`p << ' ' << operand`).
///
/// ```
/// use axir_ir::OpId;
/// use axir_syntax::OpAsmPrinter;
///
/// /// Prints `%0 = test.add %a, %b : f32`.
/// fn print_add(p: &mut OpAsmPrinter<'_>, op: OpId) {
///     let operands = p.ctx().operands(op).to_vec();
///     let ty = p.ctx().value_type(p.ctx().result(op, 0));
///     p.write_str(" ");
///     p.print_operands(&operands);
///     p.print_optional_attr_dict(op, &[]);
///     p.write_str(" : ");
///     p.print_type(ty);
/// }
/// ```
pub struct OpAsmPrinter<'a> {
    ctx: &'a Context,
    out: String,
    opts: PrintOptions,
    names: NameTable,
    indent: usize,
    default_dialects: Vec<&'static str>,
}

impl<'a> OpAsmPrinter<'a> {
    pub(crate) fn new(ctx: &'a Context, root: OpId, opts: PrintOptions) -> Self {
        OpAsmPrinter {
            ctx,
            out: String::new(),
            opts,
            names: NameTable::number(ctx, root),
            indent: 0,
            default_dialects: vec!["builtin"],
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// Deepest region nesting below the printed op.
    pub(crate) fn nesting_depth(&self) -> usize {
        self.names.max_depth
    }

    /// The IR being printed.
    pub fn ctx(&self) -> &'a Context {
        self.ctx
    }

    /// The options in effect.
    pub fn options(&self) -> PrintOptions {
        self.opts
    }

    /// Writes text verbatim.
    pub fn write_str(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Writes a keyword (verbatim; for enum-like syntax such as `olt`).
    pub fn print_keyword(&mut self, kw: &str) {
        self.out.push_str(kw);
    }

    /// Writes a newline and the current indentation.
    pub fn print_new_line(&mut self) {
        self.out.push('\n');
        self.push_indent();
    }

    fn push_indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push(' ');
        }
    }

    // ----- values and blocks ------------------------------------------------

    /// Writes a value's name: `%0`, `%arg1`, `%3#1`.
    pub fn print_operand(&mut self, v: Value) {
        // An erased value's slot may hold a newer value: never print its name.
        if !self.ctx.is_value_alive(v) {
            self.out.push_str("<<UNKNOWN SSA VALUE>>");
            return;
        }
        match self.names.value(v) {
            ValName::Num(n) => {
                self.out.push('%');
                push_u32(&mut self.out, n);
            }
            ValName::Arg(n) => {
                self.out.push_str("%arg");
                push_u32(&mut self.out, n);
            }
            ValName::Group { base, idx } => {
                self.out.push('%');
                push_u32(&mut self.out, base);
                self.out.push('#');
                push_u32(&mut self.out, idx);
            }
            ValName::None => self.out.push_str("<<UNKNOWN SSA VALUE>>"),
        }
    }

    /// Writes values separated by `, `.
    pub fn print_operands(&mut self, values: &[Value]) {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.print_operand(*v);
        }
    }

    /// Writes `%name: type` for a block argument (a function parameter),
    /// with ` loc(...)` when printing debug info.
    pub fn print_argument(&mut self, v: Value) {
        self.print_operand(v);
        self.out.push_str(": ");
        self.print_type(self.ctx.value_type(v));
        if self.opts.debug_info {
            self.out.push(' ');
            self.print_location(self.ctx.value_location(v));
        }
    }

    /// Writes a block reference `^bbN`.
    pub fn print_successor(&mut self, b: BlockId) {
        match self.names.block(b) {
            Some(n) => {
                self.out.push_str("^bb");
                push_u32(&mut self.out, n);
            }
            None => self.out.push_str("<<UNKNOWN BLOCK>>"),
        }
    }

    // ----- types ------------------------------------------------------------

    /// Writes a type.
    pub fn print_type(&mut self, ty: Type) {
        write_type(self.ctx, ty, &mut self.out);
    }

    /// Writes types separated by `, `.
    pub fn print_types(&mut self, types: &[Type]) {
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.print_type(*t);
        }
    }

    /// Writes function results: `f32` for one non-function type, else
    /// `(a, b)` (`()` when empty).
    pub fn print_function_result_types(&mut self, types: &[Type]) {
        write_result_types(self.ctx, types, &mut self.out);
    }

    /// Writes `(inputs) -> results`.
    pub fn print_functional_type(&mut self, inputs: &[Type], results: &[Type]) {
        self.out.push('(');
        self.print_types(inputs);
        self.out.push_str(") -> ");
        self.print_function_result_types(results);
    }

    // ----- attributes -------------------------------------------------------

    /// Writes an attribute (with its type where MLIR writes one: `1 : i32`).
    pub fn print_attribute(&mut self, attr: Attribute) {
        write_attr(self.ctx, attr, &mut self.out);
    }

    /// Writes an integer or float attribute without its `: type` suffix
    /// (for syntax where the type is printed elsewhere); other attributes
    /// print as [`print_attribute`](Self::print_attribute).
    pub fn print_attribute_without_type(&mut self, attr: Attribute) {
        match self.ctx.attr_data(attr) {
            AttributeData::Integer { value, ty } => write_int_value(self.ctx, *value, *ty, &mut self.out),
            AttributeData::Float { bits, ty } => {
                let kind = self.ctx.float_kind(*ty).unwrap_or(FloatKind::F64);
                write_float(&mut self.out, f64::from_bits(*bits), kind);
            }
            _ => self.print_attribute(attr),
        }
    }

    /// Writes ` {a = 1, b}` with the op's attributes except those named in
    /// `elided`; writes nothing when none remain.
    pub fn print_optional_attr_dict(&mut self, op: OpId, elided: &[&str]) {
        let attrs = self.ctx.attrs(op);
        self.print_attr_entries(attrs, elided, false);
    }

    /// Like [`print_optional_attr_dict`](Self::print_optional_attr_dict),
    /// with the `attributes` keyword: ` attributes {a = 1}`.
    pub fn print_optional_attr_dict_with_keyword(&mut self, op: OpId, elided: &[&str]) {
        let attrs = self.ctx.attrs(op);
        self.print_attr_entries(attrs, elided, true);
    }

    /// Writes ` {...}` for an explicit list of attributes, minus `elided`.
    pub fn print_attr_entries(&mut self, attrs: &[NamedAttr], elided: &[&str], keyword: bool) {
        let ctx = self.ctx;
        let mut first = true;
        for a in attrs {
            let name = ctx.ident_str(a.name);
            if elided.contains(&name) {
                continue;
            }
            if first {
                self.out.push_str(if keyword { " attributes {" } else { " {" });
                first = false;
            } else {
                self.out.push_str(", ");
            }
            write_attr_entry(ctx, name, a.value, &mut self.out);
        }
        if !first {
            self.out.push('}');
        }
    }

    /// Writes `@name`, quoted when it is not a bare identifier.
    pub fn print_symbol_name(&mut self, name: &str) {
        write_symbol(name, &mut self.out);
    }

    /// Writes a string literal with MLIR's escapes.
    pub fn print_string(&mut self, s: &str) {
        let _ = write_escaped_string(&mut self.out, s.as_bytes());
    }

    /// Writes `loc(...)`.
    pub fn print_location(&mut self, loc: Location) {
        self.out.push_str("loc(");
        write_location_inner(self.ctx, loc, &mut self.out);
        self.out.push(')');
    }

    // ----- regions and ops --------------------------------------------------

    /// Writes a region `{ ... }`. `print_entry_block_args`: write the entry
    /// block's label and arguments (leave false when the op's syntax shows
    /// them, as `func.func` does). `print_block_terminators`: write a block's
    /// final terminator op (false for ops that recreate it when parsing).
    ///
    /// An empty entry block without arguments prints as an empty region
    /// (`{\n}`), which parses back as a region with no block: a parse hook
    /// whose op needs a block must create it.
    pub fn print_region(
        &mut self,
        region: RegionId,
        print_entry_block_args: bool,
        print_block_terminators: bool,
    ) {
        self.print_region_impl(region, print_entry_block_args, print_block_terminators, false);
    }

    fn print_region_impl(
        &mut self,
        region: RegionId,
        print_entry_block_args: bool,
        print_block_terminators: bool,
        print_empty_block: bool,
    ) {
        let ctx = self.ctx;
        self.out.push_str("{\n");
        let blocks = ctx.region_blocks(region);
        for (i, &b) in blocks.iter().enumerate() {
            // An entry block that is a branch target (invalid, but
            // parseable) keeps its label so the reference still resolves.
            let header = i > 0
                || (print_empty_block && ctx.first_op(b).is_none())
                || (print_entry_block_args && !ctx.block_arguments(b).is_empty())
                || self.names.is_target(b);
            if header {
                self.print_block_header(b);
            }
            let last = ctx.last_op(b);
            let skip_last = !print_block_terminators
                && last.is_some_and(|op| ctx.op_info(op).is_some_and(|i| i.has(OpTraits::TERMINATOR)));
            self.indent += 2;
            for op in ctx.block_ops_iter(b) {
                if skip_last && Some(op) == last {
                    break;
                }
                self.push_indent();
                self.print_operation(op);
                self.out.push('\n');
            }
            self.indent -= 2;
        }
        self.push_indent();
        self.out.push('}');
    }

    fn print_block_header(&mut self, b: BlockId) {
        self.push_indent();
        self.print_successor(b);
        let args = self.ctx.block_arguments(b);
        if !args.is_empty() {
            self.out.push('(');
            for (i, &a) in args.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.print_argument(a);
            }
            self.out.push(')');
        }
        self.out.push_str(":\n");
    }

    /// Writes one op (custom form when it has one and the options allow),
    /// without indentation or trailing newline.
    pub fn print_operation(&mut self, op: OpId) {
        let ctx = self.ctx;
        let results = ctx.results(op);
        if let Some(&first) = results.first() {
            match self.names.value(first) {
                ValName::Group { base, .. } => {
                    self.out.push('%');
                    push_u32(&mut self.out, base);
                    self.out.push(':');
                    push_u32(&mut self.out, results.len() as u32);
                }
                _ => self.print_operand(first),
            }
            self.out.push_str(" = ");
        }
        // Custom printers read their operands' types; IR with an erased
        // operand (printed after a failed pass, unverified) gets the
        // generic form, which marks what is missing.
        let dangling = ctx.operands(op).iter().any(|&v| !ctx.is_value_alive(v));
        let custom = if self.opts.generic || dangling {
            None
        } else {
            ctx.op_info(op).and_then(|i| i.interfaces.get::<CustomAssembly>()).copied()
        };
        match custom {
            Some(c) => {
                let name = ctx.op_name(op);
                let default = self.default_dialects.last().copied().unwrap_or("builtin");
                let short =
                    name.strip_prefix(default).and_then(|r| r.strip_prefix('.')).filter(|r| !r.contains('.'));
                self.out.push_str(short.unwrap_or(name));
                if let Some(d) = c.default_dialect {
                    self.default_dialects.push(d);
                }
                (c.print)(self, op);
                if c.default_dialect.is_some() {
                    self.default_dialects.pop();
                }
            }
            None => self.print_generic(op),
        }
        if self.opts.debug_info {
            self.out.push(' ');
            self.print_location(ctx.op_location(op));
        }
    }

    fn print_generic(&mut self, op: OpId) {
        let ctx = self.ctx;
        let _ = write_escaped_string(&mut self.out, ctx.op_name(op).as_bytes());
        self.out.push('(');
        self.print_operands(ctx.operands(op));
        self.out.push(')');
        let succ = ctx.successors(op);
        if !succ.is_empty() {
            self.out.push('[');
            for (i, &b) in succ.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.print_successor(b);
            }
            self.out.push(']');
        }
        let regions = ctx.regions(op);
        if !regions.is_empty() {
            self.out.push_str(" (");
            for (i, &r) in regions.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.print_region_impl(r, true, true, true);
            }
            self.out.push(')');
        }
        self.print_attr_entries(ctx.attrs(op), &[], false);
        self.out.push_str(" : (");
        for (i, &v) in ctx.operands(op).iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            if ctx.is_value_alive(v) {
                write_type(ctx, ctx.value_type(v), &mut self.out);
            } else {
                self.out.push_str("<<erased>>");
            }
        }
        self.out.push_str(") -> ");
        let results = ctx.results(op);
        let single_plain = results.len() == 1
            && !matches!(ctx.type_data(ctx.value_type(results[0])), TypeData::Function { .. });
        if single_plain {
            write_type(ctx, ctx.value_type(results[0]), &mut self.out);
        } else {
            self.out.push('(');
            for (i, &v) in results.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                write_type(ctx, ctx.value_type(v), &mut self.out);
            }
            self.out.push(')');
        }
    }
}

// ---------------------------------------------------------------------------
// Types, attributes and locations as text
// ---------------------------------------------------------------------------

fn write_dims(shape: &[Option<u64>], out: &mut String) {
    for d in shape {
        match d {
            Some(n) => {
                let _ = write!(out, "{n}x");
            }
            None => out.push_str("?x"),
        }
    }
}

fn write_stride(v: Option<i64>, out: &mut String) {
    match v {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push('?'),
    }
}

fn write_result_types(ctx: &Context, types: &[Type], out: &mut String) {
    let single_plain = types.len() == 1 && !matches!(ctx.type_data(types[0]), TypeData::Function { .. });
    if single_plain {
        write_type(ctx, types[0], out);
        return;
    }
    out.push('(');
    write_type_list(ctx, types, out);
    out.push(')');
}

fn write_type_list(ctx: &Context, types: &[Type], out: &mut String) {
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_type(ctx, *t, out);
    }
}

/// Writes `!dialect.body`, or `!dialect<body>` for the form without a dot,
/// or the text itself for verbatim attributes (empty dialect).
fn write_opaque(sigil: char, dialect: &str, body: &str, out: &mut String) {
    if dialect.is_empty() {
        out.push_str(body);
        return;
    }
    out.push(sigil);
    out.push_str(dialect);
    if !body.starts_with('<') {
        out.push('.');
    }
    out.push_str(body);
}

/// Appends `ty` in MLIR syntax.
pub fn write_type(ctx: &Context, ty: Type, out: &mut String) {
    match ctx.type_data(ty) {
        TypeData::Integer { width, signedness } => {
            out.push_str(match signedness {
                Signedness::Signless => "i",
                Signedness::Signed => "si",
                Signedness::Unsigned => "ui",
            });
            push_u32(out, *width);
        }
        TypeData::Index => out.push_str("index"),
        TypeData::Float(k) => out.push_str(k.keyword()),
        TypeData::None => out.push_str("none"),
        TypeData::Tensor { shape, element } => {
            out.push_str("tensor<");
            match shape {
                Some(s) => write_dims(s, out),
                None => out.push_str("*x"),
            }
            write_type(ctx, *element, out);
            out.push('>');
        }
        TypeData::MemRef { shape, element, layout, memory_space } => {
            out.push_str("memref<");
            write_dims(shape, out);
            write_type(ctx, *element, out);
            match layout {
                MemRefLayout::Identity => {}
                MemRefLayout::Strided { strides, offset } => {
                    out.push_str(", strided<[");
                    for (i, s) in strides.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        write_stride(*s, out);
                    }
                    out.push(']');
                    if *offset != Some(0) {
                        out.push_str(", offset: ");
                        write_stride(*offset, out);
                    }
                    out.push('>');
                }
                MemRefLayout::Other(a) => {
                    out.push_str(", ");
                    write_attr(ctx, *a, out);
                }
            }
            if let Some(space) = memory_space {
                out.push_str(", ");
                // MLIR elides the default `i64` of an integer memory space.
                match ctx.attr_data(*space) {
                    AttributeData::Integer { value, ty }
                        if matches!(
                            ctx.type_data(*ty),
                            TypeData::Integer { width: 64, signedness: Signedness::Signless }
                        ) =>
                    {
                        let _ = write!(out, "{value}");
                    }
                    _ => write_attr(ctx, *space, out),
                }
            }
            out.push('>');
        }
        TypeData::Vector { shape, scalable, element } => {
            out.push_str("vector<");
            for (d, s) in shape.iter().zip(scalable) {
                if *s {
                    let _ = write!(out, "[{d}]x");
                } else {
                    let _ = write!(out, "{d}x");
                }
            }
            write_type(ctx, *element, out);
            out.push('>');
        }
        TypeData::Function { inputs, results } => {
            out.push('(');
            write_type_list(ctx, inputs, out);
            out.push_str(") -> ");
            write_result_types(ctx, results, out);
        }
        TypeData::Tuple(elems) => {
            out.push_str("tuple<");
            write_type_list(ctx, elems, out);
            out.push('>');
        }
        TypeData::Opaque { dialect, body } => write_opaque('!', dialect, body, out),
    }
}

fn write_symbol(name: &str, out: &mut String) {
    out.push('@');
    if is_bare_identifier(name) {
        out.push_str(name);
    } else {
        let _ = write_escaped_string(out, name.as_bytes());
    }
}

fn write_attr_entry(ctx: &Context, name: &str, value: Attribute, out: &mut String) {
    if is_bare_identifier(name) {
        out.push_str(name);
    } else {
        let _ = write_escaped_string(out, name.as_bytes());
    }
    if !matches!(ctx.attr_data(value), AttributeData::Unit) {
        out.push_str(" = ");
        write_attr(ctx, value, out);
    }
}

/// Writes an integer of type `ty`: `true`/`false` for `i1`, unsigned
/// values as unsigned, the rest as signed.
fn write_int_value(ctx: &Context, value: i128, ty: Type, out: &mut String) {
    match ctx.type_data(ty) {
        TypeData::Integer { width: 1, signedness: Signedness::Signless } => {
            out.push_str(if value != 0 { "true" } else { "false" })
        }
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

fn write_element(ctx: &Context, data: &DenseData, i: usize, element: Type, out: &mut String) {
    match data {
        DenseData::Int(v) => match ctx.type_data(element) {
            TypeData::Integer { width: 1, .. } => out.push_str(if v[i] != 0 { "true" } else { "false" }),
            TypeData::Integer { width, signedness: Signedness::Unsigned } => {
                let value = axir_ir::wrap_int(v[i] as i128, *width, Signedness::Unsigned);
                let _ = write!(out, "{value}");
            }
            _ => {
                let _ = write!(out, "{}", v[i]);
            }
        },
        DenseData::Float(v) => {
            let kind = ctx.float_kind(element).unwrap_or(FloatKind::F64);
            write_float(out, f64::from_bits(v[i]), kind);
        }
    }
}

fn write_nested(
    ctx: &Context,
    data: &DenseData,
    shape: &[u64],
    next: &mut usize,
    element: Type,
    out: &mut String,
) {
    let Some((&outer, inner)) = shape.split_first() else {
        write_element(ctx, data, *next, element, out);
        *next += 1;
        return;
    };
    out.push('[');
    for i in 0..outer {
        if i > 0 {
            out.push_str(", ");
        }
        write_nested(ctx, data, inner, next, element, out);
    }
    out.push(']');
}

fn write_dense(ctx: &Context, ty: Type, data: &DenseData, out: &mut String) {
    let td = ctx.type_data(ty);
    let element = td.element_type().unwrap_or(ty);
    let shape: Vec<u64> = td.shape().unwrap_or_default().iter().map(|d| d.unwrap_or(0)).collect();
    let count: u128 = shape.iter().map(|&d| d as u128).product();
    out.push_str("dense<");
    if data.len() == 1 {
        write_element(ctx, data, 0, element, out);
    } else if count == data.len() as u128 && count > 0 {
        let mut next = 0;
        write_nested(ctx, data, &shape, &mut next, element, out);
    } else if !data.is_empty() {
        // Element count disagrees with the type: print what is there
        // rather than index past it.
        out.push('[');
        for i in 0..data.len() {
            if i > 0 {
                out.push_str(", ");
            }
            write_element(ctx, data, i, element, out);
        }
        out.push(']');
    }
    out.push_str("> : ");
    write_type(ctx, ty, out);
}

/// Appends `attr` in MLIR syntax.
pub fn write_attr(ctx: &Context, attr: Attribute, out: &mut String) {
    match ctx.attr_data(attr) {
        AttributeData::Unit => out.push_str("unit"),
        AttributeData::Integer { value, ty } => {
            write_int_value(ctx, *value, *ty, out);
            if !matches!(ctx.type_data(*ty), TypeData::Integer { width: 1, signedness: Signedness::Signless })
            {
                out.push_str(" : ");
                write_type(ctx, *ty, out);
            }
        }
        AttributeData::Float { bits, ty } => {
            let kind = ctx.float_kind(*ty).unwrap_or(FloatKind::F64);
            write_float(out, f64::from_bits(*bits), kind);
            out.push_str(" : ");
            write_type(ctx, *ty, out);
        }
        AttributeData::String(s) => {
            let _ = write_escaped_string(out, s.as_bytes());
        }
        AttributeData::Type(t) => write_type(ctx, *t, out),
        AttributeData::Array(elems) => {
            out.push('[');
            for (i, a) in elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_attr(ctx, *a, out);
            }
            out.push(']');
        }
        AttributeData::Dictionary(entries) => {
            out.push('{');
            for (i, (name, a)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_attr_entry(ctx, name, *a, out);
            }
            out.push('}');
        }
        AttributeData::SymbolRef { root, nested } => {
            write_symbol(root, out);
            for n in nested {
                out.push_str("::");
                write_symbol(n, out);
            }
        }
        AttributeData::DenseElements { ty, data } => write_dense(ctx, *ty, data, out),
        AttributeData::DenseArray { element, data } => {
            out.push_str("array<");
            write_type(ctx, *element, out);
            for i in 0..data.len() {
                out.push_str(if i == 0 { ": " } else { ", " });
                write_element(ctx, data, i, *element, out);
            }
            out.push('>');
        }
        AttributeData::Opaque { dialect, body } => write_opaque('#', dialect, body, out),
    }
}

fn write_location_inner(ctx: &Context, loc: Location, out: &mut String) {
    match ctx.location_data(loc) {
        LocationData::Unknown => out.push_str("unknown"),
        LocationData::FileLineCol { file, line, col } => {
            let _ = write_escaped_string(out, ctx.ident_str(*file).as_bytes());
            let _ = write!(out, ":{line}:{col}");
        }
        LocationData::Name { name, child } => {
            let _ = write_escaped_string(out, name.as_bytes());
            if let Some(c) = child {
                out.push('(');
                write_location_inner(ctx, *c, out);
                out.push(')');
            }
        }
        LocationData::CallSite { callee, caller } => {
            out.push_str("callsite(");
            write_location_inner(ctx, *callee, out);
            out.push_str(" at ");
            write_location_inner(ctx, *caller, out);
            out.push(')');
        }
        LocationData::Fused(locs) => {
            out.push_str("fused[");
            for (i, l) in locs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_location_inner(ctx, *l, out);
            }
            out.push(']');
        }
    }
}

/// Appends `loc` as `loc(...)`.
pub fn write_location(ctx: &Context, loc: Location, out: &mut String) {
    out.push_str("loc(");
    write_location_inner(ctx, loc, out);
    out.push(')');
}
