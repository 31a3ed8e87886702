//! Turns pest parse trees of types, attributes and locations into interned
//! IR values, checking what the grammar cannot (literal ranges, shapes of
//! dense literals, alias names).
//!
//! Every error carries the byte offset of the offending text in the whole
//! source, in MLIR's wording.

use crate::float;
use crate::grammar::{parse_rule_at, Pair, Rule};
use crate::lexer::unescape_string;
use axir_ir::{
    wrap_int, Attribute, AttributeData, Context, DenseData, Dim, FloatKind, Location, LocationData,
    MemRefLayout, Signedness, Type, TypeData,
};
use rustc_hash::FxHashMap;

/// A located syntax error: byte offset in the whole source, message, notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SynErr {
    pub offset: usize,
    pub message: String,
    pub notes: Vec<(usize, String)>,
}

impl SynErr {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        SynErr { offset, message: message.into(), notes: Vec::new() }
    }

    fn with_note(mut self, offset: usize, message: impl Into<String>) -> Self {
        self.notes.push((offset, message.into()));
        self
    }
}

pub(crate) type ConvResult<T> = Result<T, SynErr>;

/// Largest integer width of the IR's integer types.
const MAX_INT_WIDTH: u32 = 65535;

/// Location aliases (`#loc1 = loc(...)`). mlir-opt prints them after the
/// ops that use them, so they are found by scanning the source for
/// top-level definitions the first time one is needed.
#[derive(Default)]
pub(crate) struct LocAliases {
    scanned: bool,
    /// Alias name (without `#`) -> offset of its `loc(` in the source.
    defs: FxHashMap<String, usize>,
    resolved: FxHashMap<String, Location>,
    /// Aliases being resolved, to reject cycles.
    in_progress: Vec<String>,
}

impl LocAliases {
    /// Records an alias defined while parsing top-level statements.
    pub(crate) fn define(&mut self, name: &str, loc: Location) {
        self.resolved.insert(name.to_string(), loc);
    }

    fn scan(&mut self, src: &str) {
        self.scanned = true;
        let mut pos = 0;
        for line in src.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix('#') {
                let name_len = rest
                    .bytes()
                    .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'-'))
                    .count();
                let after = rest[name_len..].trim_start();
                if let Some(value) = after.strip_prefix('=') {
                    let value_trim = value.trim_start();
                    if value_trim.starts_with("loc(") {
                        let off = pos + line.len() - value_trim.len();
                        self.defs.entry(rest[..name_len].to_string()).or_insert(off);
                    }
                }
            }
            pos += line.len();
        }
    }
}

/// Alias tables consulted while converting.
pub(crate) struct Aliases<'x> {
    pub types: &'x FxHashMap<String, Type>,
    pub attrs: &'x FxHashMap<String, Attribute>,
}

/// Converter from pest pairs to IR values.
pub(crate) struct Conv<'x, 'c> {
    pub ctx: &'c mut Context,
    pub src: &'x str,
    /// Offset of the pest input in `src`: pest spans are relative to it.
    pub base: usize,
    pub aliases: Aliases<'x>,
    pub locs: &'x mut LocAliases,
}

fn start(p: &Pair<'_>) -> usize {
    p.as_span().start()
}

/// Parses an integer literal token (`42`, `0x2A`).
pub(crate) fn parse_int_literal(text: &str) -> Option<u128> {
    match text.strip_prefix("0x") {
        Some(h) => u128::from_str_radix(h, 16).ok(),
        None => text.parse::<u128>().ok(),
    }
}

/// Splits `!dialect.body` / `#dialect<body>` (prefix already removed) into
/// the IR's `Opaque { dialect, body }`.
///
/// Convention shared with the printer: a body starting with `<` was written
/// without a dot (`!foo<"x">`); any other body follows a dot.
pub(crate) fn split_dialect_symbol(text: &str) -> (String, String) {
    let lt = text.find('<').unwrap_or(text.len());
    match text[..lt].find('.') {
        Some(dot) => (text[..dot].to_string(), text[dot + 1..].to_string()),
        None => (text[..lt].to_string(), text[lt..].to_string()),
    }
}

impl Conv<'_, '_> {
    fn off(&self, p: &Pair<'_>) -> usize {
        self.base + start(p)
    }

    fn err<T>(&self, p: &Pair<'_>, msg: impl Into<String>) -> ConvResult<T> {
        Err(SynErr::new(self.off(p), msg))
    }

    // ----- types ------------------------------------------------------------

    /// Builds a type from a `ty` pair or any concrete type rule's pair.
    pub(crate) fn ty(&mut self, p: Pair<'_>) -> ConvResult<Type> {
        match p.as_rule() {
            Rule::ty | Rule::type_attr => {
                let inner = p.into_inner().next().expect("ty has one child");
                self.ty(inner)
            }
            Rule::integer_type => {
                let t = p.as_str();
                let (signedness, digits) = if let Some(d) = t.strip_prefix("si") {
                    (Signedness::Signed, d)
                } else if let Some(d) = t.strip_prefix("ui") {
                    (Signedness::Unsigned, d)
                } else {
                    (Signedness::Signless, &t[1..])
                };
                match digits.parse::<u32>() {
                    Ok(width) if width <= MAX_INT_WIDTH => {
                        Ok(self.ctx.intern_type(TypeData::Integer { width, signedness }))
                    }
                    _ => self.err(&p, format!("integer bitwidth is limited to {MAX_INT_WIDTH} bits")),
                }
            }
            Rule::float_type => match float_kind_of(p.as_str()) {
                Some(k) => Ok(self.ctx.float_type(k)),
                None => self.err(&p, format!("unsupported float type '{}'", p.as_str())),
            },
            Rule::index_type => Ok(self.ctx.index_type()),
            Rule::none_type => Ok(self.ctx.none_type()),
            Rule::tensor_type => self.tensor_type(p),
            Rule::memref_type => self.memref_type(p),
            Rule::vector_type => self.vector_type(p),
            Rule::complex_type => self.err(&p, "complex types are not supported"),
            Rule::tuple_type => {
                let mut elems = Vec::new();
                for t in p.into_inner() {
                    elems.push(self.ty(t)?);
                }
                Ok(self.ctx.intern_type(TypeData::Tuple(elems)))
            }
            Rule::function_type => self.function_type(p),
            Rule::dialect_type => {
                let (dialect, body) = split_dialect_symbol(&p.as_str()[1..]);
                Ok(self.ctx.intern_type(TypeData::Opaque { dialect, body }))
            }
            Rule::type_alias_ref => {
                let name = &p.as_str()[1..];
                match self.aliases.types.get(name) {
                    Some(t) => Ok(*t),
                    None => self.err(&p, format!("undefined symbol alias id '{name}'")),
                }
            }
            r => self.err(&p, format!("expected type, found {r:?}")),
        }
    }

    fn type_list(&mut self, p: Pair<'_>) -> ConvResult<Vec<Type>> {
        p.into_inner().map(|t| self.ty(t)).collect()
    }

    fn function_type(&mut self, p: Pair<'_>) -> ConvResult<Type> {
        let mut it = p.into_inner();
        let inputs = self.type_list(it.next().expect("function inputs"))?;
        let res = it.next().expect("function results");
        let mut inner = res.into_inner();
        let first = inner.next().expect("function result child");
        let results =
            if first.as_rule() == Rule::type_list { self.type_list(first)? } else { vec![self.ty(first)?] };
        Ok(self.ctx.function_type(inputs, results))
    }

    fn dims(&self, p: Pair<'_>) -> ConvResult<Vec<Dim>> {
        let mut dims = Vec::new();
        for d in p.into_inner() {
            if d.as_str() == "?" {
                dims.push(None);
            } else {
                match d.as_str().parse::<u64>() {
                    Ok(n) if n < (1 << 62) => dims.push(Some(n)),
                    _ => return self.err(&d, "invalid dimension"),
                }
            }
        }
        Ok(dims)
    }

    fn tensor_type(&mut self, p: Pair<'_>) -> ConvResult<Type> {
        let mut it = p.into_inner();
        let dims = it.next().expect("tensor dims");
        let shape = match dims.as_rule() {
            Rule::unranked_dim => None,
            _ => Some(self.dims(dims)?),
        };
        let element = self.ty(it.next().expect("tensor element"))?;
        if let Some(enc) = it.next() {
            return self.err(&enc, "tensor encodings are not supported");
        }
        Ok(self.ctx.intern_type(TypeData::Tensor { shape, element }))
    }

    fn memref_type(&mut self, p: Pair<'_>) -> ConvResult<Type> {
        let mut it = p.into_inner();
        let dims = it.next().expect("memref dims");
        if dims.as_rule() == Rule::unranked_dim {
            return self.err(&dims, "unranked memrefs are not supported");
        }
        let shape = self.dims(dims)?;
        let element = self.ty(it.next().expect("memref element"))?;
        let mut layout = MemRefLayout::Identity;
        let mut memory_space = None;
        for (i, a) in it.enumerate() {
            let inner = a.clone().into_inner().next().expect("attribute child");
            let is_layout = matches!(inner.as_rule(), Rule::strided_attr | Rule::affine_map_attr);
            if i == 0 && is_layout {
                layout = match inner.as_rule() {
                    Rule::strided_attr => self.strided(inner)?,
                    _ => MemRefLayout::Other(self.attr(a)?),
                };
            } else if memory_space.is_none() {
                memory_space = Some(self.attr(a)?);
            } else {
                return self.err(&a, "expected '>' to end memref type");
            }
        }
        Ok(self.ctx.intern_type(TypeData::MemRef { shape, element, layout, memory_space }))
    }

    fn stride(&self, p: &Pair<'_>) -> ConvResult<Option<i64>> {
        if p.as_str() == "?" {
            return Ok(None);
        }
        match p.as_str().parse::<i64>() {
            Ok(v) => Ok(Some(v)),
            Err(_) => self.err(p, "integer constant out of range for attribute"),
        }
    }

    fn strided(&self, p: Pair<'_>) -> ConvResult<MemRefLayout> {
        let mut strides = Vec::new();
        let mut offset = Some(0);
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::stride_list => {
                    for s in part.into_inner() {
                        strides.push(self.stride(&s)?);
                    }
                }
                _ => {
                    let s = part.into_inner().next().expect("offset stride");
                    offset = self.stride(&s)?;
                }
            }
        }
        Ok(MemRefLayout::Strided { strides, offset })
    }

    fn vector_type(&mut self, p: Pair<'_>) -> ConvResult<Type> {
        let mut it = p.into_inner();
        let dims = it.next().expect("vector dims");
        let mut shape = Vec::new();
        let mut scalable = Vec::new();
        for d in dims.into_inner() {
            let (num, is_scalable) = match d.as_rule() {
                Rule::scalable_dim => (d.clone().into_inner().next().expect("dim"), true),
                _ => (d.clone(), false),
            };
            match num.as_str().parse::<u64>() {
                Ok(n) if n > 0 && n < (1 << 62) => {
                    shape.push(n);
                    scalable.push(is_scalable);
                }
                _ => return self.err(&d, "vector types must have positive constant sizes"),
            }
        }
        let element = self.ty(it.next().expect("vector element"))?;
        Ok(self.ctx.intern_type(TypeData::Vector { shape, scalable, element }))
    }

    // ----- attributes -------------------------------------------------------

    /// Builds an attribute from an `attribute` pair.
    pub(crate) fn attr(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let inner = match p.as_rule() {
            Rule::attribute => p.into_inner().next().expect("attribute child"),
            _ => p,
        };
        match inner.as_rule() {
            Rule::float_attr => self.float_attr(inner),
            Rule::integer_attr => self.integer_attr(inner),
            Rule::bool_attr => Ok(self.ctx.bool_attr(inner.as_str() == "true")),
            Rule::unit_attr => Ok(self.ctx.unit_attr()),
            Rule::string_attr => {
                let mut it = inner.into_inner();
                let lit = it.next().expect("string literal");
                if let Some(t) = it.next() {
                    return self.err(&t, "typed string attributes are not supported");
                }
                let s = self.string(&lit)?;
                Ok(self.ctx.string_attr(s))
            }
            Rule::symbol_ref_attr => {
                let mut names = Vec::new();
                for at in inner.into_inner() {
                    names.push(self.symbol(&at)?);
                }
                let root = names.remove(0);
                Ok(self.ctx.intern_attr(AttributeData::SymbolRef { root, nested: names }))
            }
            Rule::array_attr => {
                let mut elems = Vec::new();
                for a in inner.into_inner() {
                    elems.push(self.attr(a)?);
                }
                Ok(self.ctx.array_attr(elems))
            }
            Rule::dictionary_attr => self.dictionary(inner),
            Rule::dense_attr => self.dense_attr(inner),
            Rule::dense_array_attr => self.dense_array_attr(inner),
            Rule::affine_map_attr | Rule::affine_set_attr | Rule::strided_attr | Rule::loc_attr => {
                // Kept as text; an empty dialect marks verbatim text (see the printer).
                Ok(self.ctx.intern_attr(AttributeData::Opaque {
                    dialect: String::new(),
                    body: inner.as_str().to_string(),
                }))
            }
            Rule::dialect_attr => {
                let (dialect, body) = split_dialect_symbol(&inner.as_str()[1..]);
                Ok(self.ctx.intern_attr(AttributeData::Opaque { dialect, body }))
            }
            Rule::attr_alias_ref => {
                let name = &inner.as_str()[1..];
                match self.aliases.attrs.get(name) {
                    Some(a) => Ok(*a),
                    None => self.err(&inner, format!("undefined symbol alias id '{name}'")),
                }
            }
            Rule::type_attr => {
                let t = self.ty(inner)?;
                Ok(self.ctx.type_attr(t))
            }
            r => self.err(&inner, format!("expected attribute value, found {r:?}")),
        }
    }

    /// Decodes a string literal pair to UTF-8 text.
    pub(crate) fn string(&self, p: &Pair<'_>) -> ConvResult<String> {
        String::from_utf8(unescape_string(p.as_str()))
            .or_else(|_| self.err(p, "string literal is not valid UTF-8"))
    }

    fn symbol(&self, p: &Pair<'_>) -> ConvResult<String> {
        let t = &p.as_str()[1..];
        if t.starts_with('"') {
            String::from_utf8(unescape_string(t)).or_else(|_| self.err(p, "symbol name is not valid UTF-8"))
        } else {
            Ok(t.to_string())
        }
    }

    fn dictionary(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let mut entries: Vec<(String, Attribute)> = Vec::new();
        for e in p.into_inner() {
            let mut it = e.into_inner();
            let name_pair = it.next().expect("attr name");
            let name = if name_pair.as_str().starts_with('"') {
                self.string(&name_pair)?
            } else {
                name_pair.as_str().to_string()
            };
            if entries.iter().any(|(n, _)| *n == name) {
                return self.err(&name_pair, format!("duplicate key '{name}' in dictionary attribute"));
            }
            let value = match it.next() {
                Some(v) => self.attr(v)?,
                None => self.ctx.unit_attr(),
            };
            entries.push((name, value));
        }
        Ok(self.ctx.dictionary_attr(entries))
    }

    fn float_attr(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let mut neg = false;
        let mut lit = None;
        let mut ty = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::neg => neg = true,
                Rule::float_literal => lit = Some(c),
                _ => ty = Some(c),
            }
        }
        let lit = lit.expect("float literal");
        let (t, kind) = match ty {
            Some(tp) => {
                let t = self.ty(tp.clone())?;
                match self.ctx.float_kind(t) {
                    Some(k) => (t, k),
                    None => return self.err(&tp, "floating point value not valid for specified type"),
                }
            }
            None => (self.ctx.f64_type(), FloatKind::F64),
        };
        let v = float::parse_decimal(lit.as_str(), neg, kind)
            .ok_or_else(|| SynErr::new(self.off(&lit), "invalid floating point literal"))?;
        Ok(self.ctx.intern_attr(AttributeData::Float { bits: v.to_bits(), ty: t }))
    }

    fn integer_attr(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let mut neg = false;
        let mut lit = None;
        let mut ty = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::neg => neg = true,
                Rule::integer_literal => lit = Some(c),
                _ => ty = Some(c),
            }
        }
        let lit = lit.expect("integer literal");
        let (t, ty_off) = match ty {
            Some(tp) => {
                let off = self.off(&tp);
                (self.ty(tp)?, Some(off))
            }
            None => (self.ctx.integer_type(64), None),
        };
        let off = self.off(&lit);
        number_attr(self.ctx, NumberLit::Int(lit.as_str()), neg, t, off, ty_off)
    }

    fn dense_attr(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let attr_off = self.off(&p);
        let children: Vec<Pair<'_>> = p.into_inner().collect();
        let (body, ty_pair) = match children.as_slice() {
            [t] => (None, t.clone()),
            [b, t] => (Some(b.clone()), t.clone()),
            _ => unreachable!("dense_attr has a type and an optional body"),
        };
        let ty = self.ty(ty_pair.clone())?;
        let data = self.ctx.type_data(ty).clone();
        let (shape, element) = match &data {
            TypeData::Tensor { shape: Some(s), element } if s.iter().all(Option::is_some) => {
                (s.iter().map(|d| d.unwrap_or(0)).collect::<Vec<u64>>(), *element)
            }
            TypeData::Vector { shape, element, .. } => (shape.clone(), *element),
            _ => {
                return self.err(
                    &ty_pair,
                    "elements literal type must be a ranked tensor or vector with static shape",
                )
            }
        };
        let count: u128 = shape.iter().map(|&d| d as u128).product();
        let elt = ElementKind::of(self.ctx, element).ok_or_else(|| {
            SynErr::new(self.off(&ty_pair), "dense elements of this element type are not supported")
        })?;
        let data = match body {
            None => {
                if count != 0 {
                    return Err(SynErr::new(
                        attr_off,
                        format!(
                            "inferred shape of elements literal ([0]) does not match type ({})",
                            shape_str(&shape)
                        ),
                    ));
                }
                elt.empty()
            }
            Some(b) if b.as_rule() == Rule::dense_hex => self.dense_hex(&b, elt, count)?,
            Some(b) => {
                let mut out = elt.empty();
                let mut inferred: Option<Vec<u64>> = None;
                let scalar = self.dense_walk(b.clone(), elt, &mut out, 0, &mut Vec::new(), &mut inferred)?;
                let inferred = inferred.unwrap_or_default();
                if !scalar && inferred != shape {
                    return Err(SynErr::new(
                        attr_off,
                        format!(
                            "inferred shape of elements literal ({}) does not match type ({})",
                            shape_str(&inferred),
                            shape_str(&shape)
                        ),
                    ));
                }
                out
            }
        };
        // As in MLIR, elements that are all equal are stored as a splat.
        let data = match data {
            DenseData::Int(v) if v.len() > 1 && v.iter().all(|x| *x == v[0]) => DenseData::Int(vec![v[0]]),
            DenseData::Float(v) if v.len() > 1 && v.iter().all(|x| *x == v[0]) => {
                DenseData::Float(vec![v[0]])
            }
            d => d,
        };
        Ok(self.ctx.intern_attr(AttributeData::DenseElements { ty, data }))
    }

    /// Walks nested `dense_elements`; records the shape at the first leaf
    /// and checks every other leaf has the same. Returns whether the literal
    /// is a single scalar (a splat).
    fn dense_walk(
        &mut self,
        p: Pair<'_>,
        elt: ElementKind,
        out: &mut DenseData,
        depth: usize,
        cur: &mut Vec<u64>,
        inferred: &mut Option<Vec<u64>>,
    ) -> ConvResult<bool> {
        let inner = p.into_inner().next().expect("dense elements child");
        if inner.as_rule() == Rule::dense_scalar {
            match inferred {
                None => *inferred = Some(cur.clone()),
                Some(s) if s != cur => {
                    return self.err(
                        &inner,
                        "tensor literal is invalid; ranks or shapes are not consistent between elements",
                    )
                }
                _ => {}
            }
            self.dense_scalar(inner, elt, out)?;
            return Ok(depth == 0);
        }
        // A list: count children, then recurse.
        let items: Vec<Pair<'_>> = inner.clone().into_inner().collect();
        cur.push(items.len() as u64);
        if items.is_empty() {
            match inferred {
                None => *inferred = Some(cur.clone()),
                Some(s) if s != cur => {
                    return self.err(
                        &inner,
                        "tensor literal is invalid; ranks or shapes are not consistent between elements",
                    )
                }
                _ => {}
            }
        }
        for it in items {
            self.dense_walk(it, elt, out, depth + 1, cur, inferred)?;
        }
        cur.pop();
        Ok(false)
    }

    fn dense_scalar(&mut self, p: Pair<'_>, elt: ElementKind, out: &mut DenseData) -> ConvResult<()> {
        let inner = p.into_inner().next().expect("dense scalar child");
        match inner.as_rule() {
            Rule::dense_complex => self.err(&inner, "complex elements are not supported"),
            Rule::dense_bool => {
                let v = inner.as_str() == "true";
                match (elt, out) {
                    (ElementKind::Int { width: 1, .. }, DenseData::Int(v_out)) => {
                        v_out.push(v as i64);
                        Ok(())
                    }
                    _ => self.err(&inner, "expected integer elements, but parsed boolean"),
                }
            }
            _ => {
                let (neg, lit) = split_number(&inner);
                let off = self.off(&lit);
                self.push_number(lit, neg, elt, out, off)
            }
        }
    }

    fn push_number(
        &mut self,
        lit: Pair<'_>,
        neg: bool,
        elt: ElementKind,
        out: &mut DenseData,
        off: usize,
    ) -> ConvResult<()> {
        let num = match lit.as_rule() {
            Rule::float_literal => NumberLit::Float(lit.as_str()),
            _ => NumberLit::Int(lit.as_str()),
        };
        let a = number_attr(self.ctx, num, neg, elt.ty(), off, None)?;
        match (self.ctx.attr_data(a), out) {
            (AttributeData::Integer { value, .. }, DenseData::Int(v)) => v.push(*value as i64),
            (AttributeData::Float { bits, .. }, DenseData::Float(v)) => v.push(*bits),
            _ => return Err(SynErr::new(off, "element literal does not match the element type")),
        }
        Ok(())
    }

    fn dense_hex(&mut self, p: &Pair<'_>, elt: ElementKind, count: u128) -> ConvResult<DenseData> {
        let hex = &p.as_str()[3..p.as_str().len() - 1];
        if hex.len() % 2 != 0 {
            return self.err(p, "expected an even number of hex digits");
        }
        let bytes: Vec<u8> =
            (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0)).collect();
        let width = elt.width();
        let esize = (width as usize).div_ceil(8);
        let n = bytes.len() / esize.max(1);
        if bytes.len() % esize != 0 || (n as u128 != count && n != 1) {
            return self.err(p, "elements hex data size is invalid for provided type");
        }
        let mut out = elt.empty();
        for chunk in bytes.chunks(esize) {
            let mut raw = 0u64;
            for (i, b) in chunk.iter().enumerate() {
                raw |= (*b as u64) << (8 * i);
            }
            match (&mut out, elt) {
                (DenseData::Int(v), ElementKind::Int { width, signedness, .. }) => {
                    let value = if width == 1 {
                        (raw != 0) as i128
                    } else {
                        wrap_int(raw as i128, width, signedness)
                    };
                    v.push(value as i64);
                }
                (DenseData::Float(v), ElementKind::Float(k, _)) => {
                    v.push(axir_ir::float_from_bits_in_kind(raw, k).to_bits())
                }
                _ => unreachable!("element storage matches its kind"),
            }
        }
        Ok(out)
    }

    fn dense_array_attr(&mut self, p: Pair<'_>) -> ConvResult<Attribute> {
        let mut it = p.into_inner();
        let ty_pair = it.next().expect("array element type");
        let element = self.ty(ty_pair.clone())?;
        let elt = match ElementKind::of(self.ctx, element) {
            Some(e @ ElementKind::Int { width: 1 | 8 | 16 | 32 | 64, .. })
            | Some(e @ ElementKind::Float(FloatKind::F32 | FloatKind::F64, _)) => e,
            _ => return self.err(&ty_pair, "expected integer or float type"),
        };
        let mut out = elt.empty();
        for v in it {
            if v.as_rule() == Rule::dense_bool {
                match (&mut out, elt) {
                    (DenseData::Int(o), ElementKind::Int { width: 1, .. }) => {
                        o.push((v.as_str() == "true") as i64)
                    }
                    _ => return self.err(&v, "expected integer elements, but parsed boolean"),
                }
                continue;
            }
            let (neg, lit) = split_number(&v);
            let off = self.off(&lit);
            self.push_number(lit, neg, elt, &mut out, off)?;
        }
        Ok(self.ctx.intern_attr(AttributeData::DenseArray { element, data: out }))
    }

    // ----- locations --------------------------------------------------------

    /// Builds a location from a `location` pair or any location-inner pair.
    pub(crate) fn loc(&mut self, p: Pair<'_>) -> ConvResult<Location> {
        match p.as_rule() {
            Rule::location => {
                let inner = p.into_inner().next().expect("location child");
                self.loc(inner)
            }
            Rule::unknown_loc => Ok(self.ctx.unknown_loc()),
            Rule::callsite_loc => {
                let mut it = p.into_inner();
                let callee = self.loc(it.next().expect("callee"))?;
                let caller = self.loc(it.next().expect("caller"))?;
                Ok(self.ctx.intern_location(LocationData::CallSite { callee, caller }))
            }
            Rule::fused_loc => {
                let mut locs = Vec::new();
                for c in p.into_inner() {
                    // Fusion metadata (`fused<#attr>[...]`) has no IR field; it is dropped.
                    if c.as_rule() != Rule::attribute {
                        locs.push(self.loc(c)?);
                    }
                }
                Ok(self.ctx.intern_location(LocationData::Fused(locs)))
            }
            Rule::file_loc => {
                let mut it = p.into_inner();
                let file_pair = it.next().expect("file");
                let file = self.string(&file_pair)?;
                let line = self.u32_lit(it.next().expect("line"))?;
                let col = self.u32_lit(it.next().expect("col"))?;
                // A range's end (`to 3:4`) has no IR field; it is dropped.
                Ok(self.ctx.file_loc(&file, line, col))
            }
            Rule::name_loc => {
                let mut it = p.into_inner();
                let name_pair = it.next().expect("name");
                let name = self.string(&name_pair)?;
                let child = match it.next() {
                    Some(c) => Some(self.loc(c)?),
                    None => None,
                };
                Ok(self.ctx.intern_location(LocationData::Name { name, child }))
            }
            Rule::loc_alias_ref => {
                let name = &p.as_str()[1..];
                let off = self.off(&p);
                self.loc_alias(name, off)
            }
            r => self.err(&p, format!("expected location, found {r:?}")),
        }
    }

    fn u32_lit(&self, p: Pair<'_>) -> ConvResult<u32> {
        p.as_str().parse::<u32>().or_else(|_| self.err(&p, "expected integer in location"))
    }

    fn loc_alias(&mut self, name: &str, off: usize) -> ConvResult<Location> {
        if let Some(l) = self.locs.resolved.get(name) {
            return Ok(*l);
        }
        if !self.locs.scanned {
            self.locs.scan(self.src);
        }
        let Some(&def) = self.locs.defs.get(name) else {
            return Err(SynErr::new(off, format!("undefined symbol alias id '{name}'")));
        };
        if self.locs.in_progress.iter().any(|n| n == name) {
            return Err(SynErr::new(off, format!("location alias '{name}' refers to itself")));
        }
        let pair = parse_rule_at(Rule::location, self.src, def)
            .map_err(|e| SynErr::new(e.offset, "expected location"))?;
        self.locs.in_progress.push(name.to_string());
        let saved = self.base;
        self.base = def;
        let res = self.loc(pair);
        self.base = saved;
        self.locs.in_progress.pop();
        let l = res?;
        self.locs.resolved.insert(name.to_string(), l);
        Ok(l)
    }
}

fn split_number<'i>(p: &Pair<'i>) -> (bool, Pair<'i>) {
    let mut neg = false;
    let mut lit = None;
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::neg => neg = true,
            _ => lit = Some(c),
        }
    }
    (neg, lit.expect("number literal"))
}

fn shape_str(shape: &[u64]) -> String {
    let parts: Vec<String> = shape.iter().map(u64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// The `FloatKind` of a float type keyword.
pub(crate) fn float_kind_of(kw: &str) -> Option<FloatKind> {
    match kw {
        "f16" => Some(FloatKind::F16),
        "bf16" => Some(FloatKind::BF16),
        "f32" => Some(FloatKind::F32),
        "f64" => Some(FloatKind::F64),
        _ => None,
    }
}

/// Element type classes storable in `DenseData`, with the element type.
#[derive(Clone, Copy, Debug)]
enum ElementKind {
    Int { width: u32, signedness: Signedness, ty: Type },
    Float(FloatKind, Type),
}

impl ElementKind {
    fn of(ctx: &Context, ty: Type) -> Option<ElementKind> {
        match ctx.type_data(ty) {
            TypeData::Integer { width, signedness } if *width <= 64 => {
                Some(ElementKind::Int { width: *width, signedness: *signedness, ty })
            }
            TypeData::Index => Some(ElementKind::Int { width: 64, signedness: Signedness::Signless, ty }),
            TypeData::Float(k) => Some(ElementKind::Float(*k, ty)),
            _ => None,
        }
    }

    fn empty(self) -> DenseData {
        match self {
            ElementKind::Float(..) => DenseData::Float(Vec::new()),
            ElementKind::Int { .. } => DenseData::Int(Vec::new()),
        }
    }

    fn width(self) -> u32 {
        match self {
            ElementKind::Int { width, .. } => width,
            ElementKind::Float(k, _) => k.width(),
        }
    }

    fn ty(self) -> Type {
        match self {
            ElementKind::Int { ty, .. } | ElementKind::Float(_, ty) => ty,
        }
    }
}

/// A number literal's text and kind.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NumberLit<'s> {
    /// `42`, `0x2A`.
    Int(&'s str),
    /// `1.5e3`.
    Float(&'s str),
}

/// Builds the attribute a (possibly negated) number literal denotes at type
/// `ty`, with MLIR's checks and messages; `off` is the literal's offset and
/// `ty_off` the offset of an explicit type, where MLIR reports type errors.
pub(crate) fn number_attr(
    ctx: &mut Context,
    lit: NumberLit<'_>,
    neg: bool,
    ty: Type,
    off: usize,
    ty_off: Option<usize>,
) -> ConvResult<Attribute> {
    let kind = ctx.float_kind(ty);
    match (lit, kind) {
        (NumberLit::Float(text), Some(k)) => {
            let v = float::parse_decimal(text, neg, k)
                .ok_or_else(|| SynErr::new(off, "invalid floating point literal"))?;
            Ok(ctx.intern_attr(AttributeData::Float { bits: v.to_bits(), ty }))
        }
        (NumberLit::Float(_), None) => {
            Err(SynErr::new(ty_off.unwrap_or(off), "floating point value not valid for specified type"))
        }
        (NumberLit::Int(text), Some(k)) => {
            let Some(hex) = text.strip_prefix("0x") else {
                return Err(SynErr::new(
                    off,
                    "unexpected decimal integer literal for a floating point value",
                )
                .with_note(off, "add a trailing dot to make the literal a float"));
            };
            if neg {
                return Err(SynErr::new(off, "hexadecimal float literal should not have a leading minus"));
            }
            let v = float::from_hex_bits(hex, k)
                .ok_or_else(|| SynErr::new(off, "hexadecimal float constant out of range for type"))?;
            Ok(ctx.intern_attr(AttributeData::Float { bits: v.to_bits(), ty }))
        }
        (NumberLit::Int(text), None) => {
            if !ctx.is_integer_or_index(ty) {
                return Err(SynErr::new(
                    ty_off.unwrap_or(off),
                    "integer literal not valid for specified type",
                ));
            }
            let out_of_range = || SynErr::new(off, "integer constant out of range for attribute");
            let mag = parse_int_literal(text).ok_or_else(out_of_range)?;
            let mag = i128::try_from(mag).map_err(|_| out_of_range())?;
            let value = if neg { -mag } else { mag };
            if !ctx.int_fits_type(value, ty) {
                return Err(out_of_range());
            }
            Ok(ctx.integer_attr(value, ty))
        }
    }
}
