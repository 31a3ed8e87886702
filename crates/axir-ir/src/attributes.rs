//! Builtin attributes with MLIR's spelling, interned in the [`Context`].

use crate::context::Context;
use crate::types::{FloatKind, Signedness, Type, TypeData};
use std::fmt;

/// An interned attribute. Compare with `==`; inspect with [`Context::attr_data`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Attribute(pub(crate) u32);

/// Element storage shared by `dense<...>` and `array<...>` attributes.
///
/// Integers are stored as `i64` two's complement bit patterns (the element
/// type says how to read them); floats as the bits of an `f64` holding the
/// exact value of the element type (f16/bf16/f32 values are exact in f64).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DenseData {
    /// Integer or `i1` elements.
    Int(Vec<i64>),
    /// Float elements as `f64::to_bits`.
    Float(Vec<u64>),
}

impl DenseData {
    /// Number of stored elements (1 for a splat).
    pub fn len(&self) -> usize {
        match self {
            DenseData::Int(v) => v.len(),
            DenseData::Float(v) => v.len(),
        }
    }

    /// Whether no element is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Structural description of an attribute.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AttributeData {
    /// `unit`: presence is the information.
    Unit,
    /// `42 : i32`, `true` (an `i1`), `7 : index`.
    Integer {
        /// The value; its range is checked against `ty` when built.
        value: i128,
        /// An integer or index type.
        ty: Type,
    },
    /// `1.5 : f32`, `0x7FC00000 : f32`.
    Float {
        /// `f64::to_bits` of the value, already rounded to `ty`.
        bits: u64,
        /// A float type.
        ty: Type,
    },
    /// `"text"`.
    String(String),
    /// A type used as an attribute, e.g. `function_type = (f32) -> f32`.
    Type(Type),
    /// `[a, b, c]`.
    Array(Vec<Attribute>),
    /// `{a = 1 : i64, b}`, sorted by name.
    Dictionary(Vec<(String, Attribute)>),
    /// `@root::@nested`.
    SymbolRef {
        /// The root symbol name.
        root: String,
        /// Nested references, outermost first.
        nested: Vec<String>,
    },
    /// `dense<[1.0, 2.0]> : tensor<2xf32>`; a single stored element is a splat.
    DenseElements {
        /// A ranked tensor or vector type with static shape.
        ty: Type,
        /// The elements (one element means splat).
        data: DenseData,
    },
    /// `array<i64: 1, 0>`.
    DenseArray {
        /// The element type.
        element: Type,
        /// The elements.
        data: DenseData,
    },
    /// A dialect attribute kept as text, e.g. `#arith.fastmath<none>`; same
    /// conventions as [`TypeData::Opaque`](crate::TypeData::Opaque) (an empty
    /// dialect means verbatim text such as `affine_map<...>`).
    Opaque {
        /// Dialect namespace.
        dialect: String,
        /// Everything after `#dialect.`.
        body: String,
    },
}

impl Context {
    /// Interns an attribute.
    pub fn intern_attr(&mut self, data: AttributeData) -> Attribute {
        Attribute(self.attrs.intern(data))
    }

    /// The structure of an attribute.
    pub fn attr_data(&self, attr: Attribute) -> &AttributeData {
        self.attrs.get(attr.0)
    }

    /// `unit`.
    pub fn unit_attr(&mut self) -> Attribute {
        self.intern_attr(AttributeData::Unit)
    }

    /// An integer attribute of type `ty`, wrapped to the type's width.
    pub fn integer_attr(&mut self, value: i128, ty: Type) -> Attribute {
        let value = self.wrap_to_type(value, ty);
        self.intern_attr(AttributeData::Integer { value, ty })
    }

    /// `true`/`false`.
    pub fn bool_attr(&mut self, value: bool) -> Attribute {
        let ty = self.i1_type();
        self.intern_attr(AttributeData::Integer { value: value as i128, ty })
    }

    /// A float attribute; `value` is rounded to `ty`'s precision.
    pub fn float_attr(&mut self, value: f64, ty: Type) -> Attribute {
        let kind = self.float_kind(ty).unwrap_or(FloatKind::F64);
        let bits = round_to_float_kind(value, kind).to_bits();
        self.intern_attr(AttributeData::Float { bits, ty })
    }

    /// A string attribute.
    pub fn string_attr(&mut self, value: impl Into<String>) -> Attribute {
        self.intern_attr(AttributeData::String(value.into()))
    }

    /// A type attribute.
    pub fn type_attr(&mut self, ty: Type) -> Attribute {
        self.intern_attr(AttributeData::Type(ty))
    }

    /// An array attribute.
    pub fn array_attr(&mut self, elems: Vec<Attribute>) -> Attribute {
        self.intern_attr(AttributeData::Array(elems))
    }

    /// A flat symbol reference `@name`.
    pub fn symbol_ref_attr(&mut self, name: impl Into<String>) -> Attribute {
        self.intern_attr(AttributeData::SymbolRef { root: name.into(), nested: Vec::new() })
    }

    /// `array<i64: ...>`.
    pub fn i64_array_attr(&mut self, values: &[i64]) -> Attribute {
        let element = self.integer_type(64);
        self.intern_attr(AttributeData::DenseArray { element, data: DenseData::Int(values.to_vec()) })
    }

    /// A dictionary attribute; entries are sorted by name.
    pub fn dictionary_attr(&mut self, mut entries: Vec<(String, Attribute)>) -> Attribute {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.intern_attr(AttributeData::Dictionary(entries))
    }

    /// The integer value of an integer attribute.
    pub fn attr_as_int(&self, attr: Attribute) -> Option<i128> {
        match self.attr_data(attr) {
            AttributeData::Integer { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The value of a float attribute.
    pub fn attr_as_float(&self, attr: Attribute) -> Option<f64> {
        match self.attr_data(attr) {
            AttributeData::Float { bits, .. } => Some(f64::from_bits(*bits)),
            _ => None,
        }
    }

    /// The text of a string attribute.
    pub fn attr_as_str(&self, attr: Attribute) -> Option<&str> {
        match self.attr_data(attr) {
            AttributeData::String(s) => Some(s),
            _ => None,
        }
    }

    /// The type of a type attribute.
    pub fn attr_as_type(&self, attr: Attribute) -> Option<Type> {
        match self.attr_data(attr) {
            AttributeData::Type(t) => Some(*t),
            _ => None,
        }
    }

    /// The root name of a symbol reference.
    pub fn attr_as_symbol(&self, attr: Attribute) -> Option<&str> {
        match self.attr_data(attr) {
            AttributeData::SymbolRef { root, nested } if nested.is_empty() => Some(root),
            _ => None,
        }
    }

    /// The type carried by a typed attribute (integer, float, dense elements).
    pub fn attr_type(&self, attr: Attribute) -> Option<Type> {
        match self.attr_data(attr) {
            AttributeData::Integer { ty, .. }
            | AttributeData::Float { ty, .. }
            | AttributeData::DenseElements { ty, .. } => Some(*ty),
            _ => None,
        }
    }

    /// Wraps `value` to the width of integer type `ty` (two's complement,
    /// sign-extended for signless/signed, zero-extended for unsigned).
    pub fn wrap_to_type(&self, value: i128, ty: Type) -> i128 {
        match self.type_data(ty) {
            TypeData::Integer { width, signedness } => wrap_int(value, *width, *signedness),
            TypeData::Index => wrap_int(value, 64, Signedness::Signless),
            _ => value,
        }
    }

    /// Whether `value` fits integer type `ty` without wrapping, accepting
    /// both the signed and the unsigned reading for signless types (as MLIR does).
    pub fn int_fits_type(&self, value: i128, ty: Type) -> bool {
        let (width, signedness) = match self.type_data(ty) {
            TypeData::Integer { width, signedness } => (*width, *signedness),
            TypeData::Index => (64, Signedness::Signless),
            _ => return false,
        };
        if width >= 128 {
            return true;
        }
        let umax = (1i128 << width) - 1;
        let smin = -(1i128 << (width - 1));
        match signedness {
            Signedness::Unsigned => (0..=umax).contains(&value),
            Signedness::Signed => (smin..=(umax >> 1)).contains(&value),
            Signedness::Signless if width == 1 => (-1..=1).contains(&value),
            Signedness::Signless => (smin..=umax).contains(&value),
        }
    }

    /// Displays an attribute in MLIR syntax.
    pub fn display_attr(&self, attr: Attribute) -> DisplayAttr<'_> {
        DisplayAttr { ctx: self, attr }
    }
}

/// Wraps to `width` bits: sign-extends unless `signedness` is unsigned.
pub fn wrap_int(value: i128, width: u32, signedness: Signedness) -> i128 {
    if width >= 128 {
        return value;
    }
    let mask = (1i128 << width) - 1;
    let low = value & mask;
    if signedness == Signedness::Unsigned || width == 0 {
        return low;
    }
    if width == 1 {
        // i1 is a boolean: 1 stays 1 so that `true` prints as `true`.
        return low;
    }
    let sign = 1i128 << (width - 1);
    if low & sign != 0 {
        low - (1i128 << width)
    } else {
        low
    }
}

/// Rounds an `f64` to the nearest value of `kind` (round to nearest even,
/// once: converting through `f32` first would round twice).
pub fn round_to_float_kind(value: f64, kind: FloatKind) -> f64 {
    match kind {
        FloatKind::F64 => value,
        FloatKind::F32 => value as f32 as f64,
        // 10 explicit mantissa bits, normal exponents -14..=15.
        FloatKind::F16 => round_to_binary_format(value, 10, -14, 15),
        // 7 explicit mantissa bits, normal exponents -126..=127.
        FloatKind::BF16 => round_to_binary_format(value, 7, -126, 127),
    }
}

/// Rounds `x` to nearest even in a binary format with `mantissa_bits`
/// explicit bits and normal exponents `min_exp..=max_exp` (with
/// subnormals), overflowing to infinity.
fn round_to_binary_format(x: f64, mantissa_bits: i32, min_exp: i32, max_exp: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let biased = ((x.to_bits() >> 52) & 0x7FF) as i32;
    // f64 subnormals are far below any narrower format's range: they round to
    // zero, which the general path computes too when `exp` is clamped.
    let exp = if biased == 0 { -1023 } else { biased - 1023 };
    let quantum = exp.max(min_exp) - mantissa_bits;
    // Scaling by a power of two is exact here: the scaled value is within
    // f64's normal range for every format narrower than f64.
    let scale = 2f64.powi(quantum);
    let rounded = (x / scale).round_ties_even() * scale;
    let max_finite = (2.0 - 2f64.powi(-mantissa_bits)) * 2f64.powi(max_exp);
    if rounded.abs() > max_finite {
        f64::INFINITY.copysign(x)
    } else {
        rounded
    }
}

/// The bit pattern of `value` in `kind`'s own format.
pub fn float_bits_in_kind(value: f64, kind: FloatKind) -> u64 {
    // After rounding, the value is exact in the narrow format, so `half`'s
    // conversion (which may round twice on inexact input) is exact.
    let v = round_to_float_kind(value, kind);
    match kind {
        FloatKind::F64 => v.to_bits(),
        FloatKind::F32 => (v as f32).to_bits() as u64,
        FloatKind::F16 => half::f16::from_f64(v).to_bits() as u64,
        FloatKind::BF16 => half::bf16::from_f64(v).to_bits() as u64,
    }
}

/// The value of `bits` read in `kind`'s own format.
pub fn float_from_bits_in_kind(bits: u64, kind: FloatKind) -> f64 {
    match kind {
        FloatKind::F64 => f64::from_bits(bits),
        FloatKind::F32 => f32::from_bits(bits as u32) as f64,
        FloatKind::F16 => half::f16::from_bits(bits as u16).to_f64(),
        FloatKind::BF16 => half::bf16::from_bits(bits as u16).to_f64(),
    }
}

/// Writes a float the way MLIR accepts it and so that it re-parses to the
/// same bits: a decimal with a `.` for finite values, hex bits for NaN/Inf.
pub fn format_float(value: f64, kind: FloatKind) -> String {
    if !value.is_finite() {
        let digits = (kind.width() / 4) as usize;
        return format!("0x{:0digits$X}", float_bits_in_kind(value, kind));
    }
    // Shortest round-trip text of the value in its own precision; f16/bf16
    // values are exact in f32, so f32's shortest form re-rounds to them.
    let text = match kind {
        FloatKind::F64 => format_shortest(value, |v| format!("{v:e}"), |v| format!("{v}")),
        _ => {
            let v = value as f32;
            format_shortest(v as f64, |_| format!("{v:e}"), |_| format!("{v}"))
        }
    };
    text
}

fn format_shortest(value: f64, sci: impl Fn(f64) -> String, plain: impl Fn(f64) -> String) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        let s = plain(value);
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Rust writes `1e20` / `1.5e-7`; MLIR needs a `.` before the exponent.
        let s = sci(value);
        match s.split_once('e') {
            Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0e{exp}"),
            _ => s,
        }
    }
}

/// Whether `name` can be written without quotes as an MLIR bare identifier.
pub fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
}

/// Writes `s` as an MLIR string literal with escapes.
pub fn write_escaped_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for b in s.bytes() {
        match b {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\t' => f.write_str("\\t")?,
            0x20..=0x7e => f.write_char(b as char)?,
            _ => write!(f, "\\{b:02X}")?,
        }
    }
    f.write_char('"')
}

/// Writes a symbol name, quoting it when it is not a bare identifier.
pub fn write_symbol_name(f: &mut impl fmt::Write, name: &str) -> fmt::Result {
    f.write_char('@')?;
    if is_bare_identifier(name) {
        f.write_str(name)
    } else {
        write_escaped_string(f, name)
    }
}

/// Displays an [`Attribute`] in MLIR syntax; see [`Context::display_attr`].
pub struct DisplayAttr<'a> {
    ctx: &'a Context,
    attr: Attribute,
}

impl DisplayAttr<'_> {
    fn write_int_element(&self, f: &mut fmt::Formatter<'_>, v: i64, element: Type) -> fmt::Result {
        match self.ctx.type_data(element) {
            TypeData::Integer { width: 1, .. } => f.write_str(if v != 0 { "true" } else { "false" }),
            TypeData::Integer { width, signedness: Signedness::Unsigned } if *width <= 64 => {
                write!(f, "{}", wrap_int(v as i128, *width, Signedness::Unsigned))
            }
            _ => write!(f, "{v}"),
        }
    }

    fn write_element(
        &self,
        f: &mut fmt::Formatter<'_>,
        data: &DenseData,
        index: usize,
        element: Type,
    ) -> fmt::Result {
        match data {
            DenseData::Int(v) => self.write_int_element(f, v[index], element),
            DenseData::Float(v) => {
                let kind = self.ctx.float_kind(element).unwrap_or(FloatKind::F64);
                f.write_str(&format_float(f64::from_bits(v[index]), kind))
            }
        }
    }

    fn write_nested(
        &self,
        f: &mut fmt::Formatter<'_>,
        data: &DenseData,
        shape: &[u64],
        offset: &mut usize,
        element: Type,
    ) -> fmt::Result {
        let Some((&outer, inner)) = shape.split_first() else {
            self.write_element(f, data, *offset, element)?;
            *offset += 1;
            return Ok(());
        };
        f.write_str("[")?;
        for i in 0..outer {
            if i > 0 {
                f.write_str(", ")?;
            }
            self.write_nested(f, data, inner, offset, element)?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for DisplayAttr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ctx = self.ctx;
        match ctx.attr_data(self.attr) {
            AttributeData::Unit => f.write_str("unit"),
            AttributeData::Integer { value, ty } => match ctx.type_data(*ty) {
                TypeData::Integer { width: 1, signedness: Signedness::Signless } => {
                    f.write_str(if *value != 0 { "true" } else { "false" })
                }
                _ => write!(f, "{value} : {}", ctx.display_type(*ty)),
            },
            AttributeData::Float { bits, ty } => {
                let kind = ctx.float_kind(*ty).unwrap_or(FloatKind::F64);
                write!(f, "{} : {}", format_float(f64::from_bits(*bits), kind), ctx.display_type(*ty))
            }
            AttributeData::String(s) => write_escaped_string(f, s),
            AttributeData::Type(t) => write!(f, "{}", ctx.display_type(*t)),
            AttributeData::Array(elems) => {
                f.write_str("[")?;
                for (i, a) in elems.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", ctx.display_attr(*a))?;
                }
                f.write_str("]")
            }
            AttributeData::Dictionary(entries) => {
                f.write_str("{")?;
                for (i, (name, a)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_attr_name(f, name)?;
                    if !matches!(ctx.attr_data(*a), AttributeData::Unit) {
                        write!(f, " = {}", ctx.display_attr(*a))?;
                    }
                }
                f.write_str("}")
            }
            AttributeData::SymbolRef { root, nested } => {
                write_symbol_name(f, root)?;
                for n in nested {
                    f.write_str("::")?;
                    write_symbol_name(f, n)?;
                }
                Ok(())
            }
            AttributeData::DenseElements { ty, data } => {
                let data_ty = ctx.type_data(*ty);
                let element = data_ty.element_type().unwrap_or(*ty);
                f.write_str("dense<")?;
                if data.len() == 1 {
                    self.write_element(f, data, 0, element)?;
                } else {
                    let shape: Vec<u64> =
                        data_ty.shape().unwrap_or_default().iter().map(|d| d.unwrap_or(0)).collect();
                    let mut offset = 0;
                    if shape.is_empty() && data.is_empty() {
                        f.write_str("[]")?;
                    } else {
                        self.write_nested(f, data, &shape, &mut offset, element)?;
                    }
                }
                write!(f, "> : {}", ctx.display_type(*ty))
            }
            AttributeData::DenseArray { element, data } => {
                write!(f, "array<{}", ctx.display_type(*element))?;
                for i in 0..data.len() {
                    f.write_str(if i == 0 { ": " } else { ", " })?;
                    self.write_element(f, data, i, *element)?;
                }
                f.write_str(">")
            }
            AttributeData::Opaque { dialect, body } => crate::types::write_opaque(f, '#', dialect, body),
        }
    }
}

/// Writes an attribute-dictionary key, quoting it when it is not a bare identifier.
pub fn write_attr_name(f: &mut impl fmt::Write, name: &str) -> fmt::Result {
    if is_bare_identifier(name) {
        f.write_str(name)
    } else {
        write_escaped_string(f, name)
    }
}
