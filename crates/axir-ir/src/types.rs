//! Builtin types with MLIR's spelling, interned in the [`Context`].
//!
//! A [`Type`] is a 4-byte id; equal types have equal ids, so type equality is
//! an integer comparison. [`TypeData`] is the structural description.

use crate::context::Context;
use std::fmt;

/// An interned type. Compare with `==`; inspect with [`Context::type_data`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Type(pub(crate) u32);

/// A dimension size in a shaped type; `None` in a shape is written `?`.
pub type Dim = Option<u64>;

/// Signedness of an integer type: `i32` is signless, `si32`/`ui32` are not.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Signedness {
    /// `iN`: the operation decides how bits are interpreted.
    Signless,
    /// `siN`.
    Signed,
    /// `uiN`.
    Unsigned,
}

/// IEEE and brain floating-point formats.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum FloatKind {
    /// `f16`, IEEE binary16.
    F16,
    /// `bf16`, bfloat16.
    BF16,
    /// `f32`, IEEE binary32.
    F32,
    /// `f64`, IEEE binary64.
    F64,
}

impl FloatKind {
    /// Width in bits.
    pub fn width(self) -> u32 {
        match self {
            FloatKind::F16 | FloatKind::BF16 => 16,
            FloatKind::F32 => 32,
            FloatKind::F64 => 64,
        }
    }

    /// MLIR keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            FloatKind::F16 => "f16",
            FloatKind::BF16 => "bf16",
            FloatKind::F32 => "f32",
            FloatKind::F64 => "f64",
        }
    }
}

/// The layout of a memref.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum MemRefLayout {
    /// Row-major contiguous (no layout written).
    Identity,
    /// `strided<[s0, s1, ...], offset: o>`; `None` is a dynamic `?`.
    Strided {
        /// Stride of each dim in elements.
        strides: Vec<Option<i64>>,
        /// Offset from the base pointer in elements.
        offset: Option<i64>,
    },
    /// Any other layout attribute (for example an `affine_map<...>`), kept opaque.
    Other(crate::Attribute),
}

/// Structural description of a type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeData {
    /// `iN`, `siN`, `uiN`.
    Integer {
        /// Bit width, 1..=65535.
        width: u32,
        /// Signedness semantics.
        signedness: Signedness,
    },
    /// `index`: a target-sized signless integer used for sizes and subscripts.
    Index,
    /// `f16`, `bf16`, `f32`, `f64`.
    Float(FloatKind),
    /// `none`.
    None,
    /// `tensor<4x?xf32>`; `shape: None` is an unranked `tensor<*xf32>`.
    Tensor {
        /// Dims, `None` for `?`; absent for unranked tensors.
        shape: Option<Vec<Dim>>,
        /// Element type.
        element: Type,
    },
    /// `memref<4x?xf32, strided<[?, 1], offset: ?>, 1>`.
    MemRef {
        /// Dims, `None` for `?`.
        shape: Vec<Dim>,
        /// Element type.
        element: Type,
        /// Layout of the buffer.
        layout: MemRefLayout,
        /// Memory space attribute, if any.
        memory_space: Option<crate::Attribute>,
    },
    /// `vector<4x[8]xf32>`.
    Vector {
        /// Static dims.
        shape: Vec<u64>,
        /// Which dims are scalable (`[8]`).
        scalable: Vec<bool>,
        /// Element type.
        element: Type,
    },
    /// `(inputs) -> results`.
    Function {
        /// Argument types.
        inputs: Vec<Type>,
        /// Result types.
        results: Vec<Type>,
    },
    /// `tuple<a, b>`.
    Tuple(Vec<Type>),
    /// A type of a dialect that is not builtin, kept as text: `!llvm.ptr`
    /// is `Opaque { dialect: "llvm", body: "ptr" }`; `!foo<"x">` has the body
    /// `<"x">`; an empty dialect means the body is the whole text.
    Opaque {
        /// Dialect namespace.
        dialect: String,
        /// Everything after `!dialect.`.
        body: String,
    },
}

impl TypeData {
    /// The shape of a ranked shaped type (tensor, memref, vector).
    pub fn shape(&self) -> Option<Vec<Dim>> {
        match self {
            TypeData::Tensor { shape, .. } => shape.clone(),
            TypeData::MemRef { shape, .. } => Some(shape.clone()),
            TypeData::Vector { shape, .. } => Some(shape.iter().map(|&d| Some(d)).collect()),
            _ => None,
        }
    }

    /// The element type of a shaped type.
    pub fn element_type(&self) -> Option<Type> {
        match self {
            TypeData::Tensor { element, .. }
            | TypeData::MemRef { element, .. }
            | TypeData::Vector { element, .. } => Some(*element),
            _ => None,
        }
    }
}

impl Context {
    /// Interns a type.
    pub fn intern_type(&mut self, data: TypeData) -> Type {
        Type(self.types.intern(data))
    }

    /// The type with this structure, if it was ever interned. `i1`, `i64`,
    /// `index`, `f32` and `f64` always are, so verifiers holding `&Context`
    /// can name them.
    pub fn lookup_type(&self, data: &TypeData) -> Option<Type> {
        self.types.lookup(data).map(Type)
    }

    /// `i1`, without `&mut` (it is interned when the context is created).
    pub fn i1(&self) -> Type {
        self.lookup_type(&TypeData::Integer { width: 1, signedness: Signedness::Signless })
            .expect("i1 is interned at context creation")
    }

    /// `i64`, without `&mut` (it is interned when the context is created).
    pub fn i64(&self) -> Type {
        self.lookup_type(&TypeData::Integer { width: 64, signedness: Signedness::Signless })
            .expect("i64 is interned at context creation")
    }

    /// `index`, without `&mut` (it is interned when the context is created).
    pub fn index(&self) -> Type {
        self.lookup_type(&TypeData::Index).expect("index is interned at context creation")
    }

    /// The structure of a type.
    pub fn type_data(&self, ty: Type) -> &TypeData {
        self.types.get(ty.0)
    }

    /// `iN` (signless).
    pub fn integer_type(&mut self, width: u32) -> Type {
        self.intern_type(TypeData::Integer { width, signedness: Signedness::Signless })
    }

    /// `i1`.
    pub fn i1_type(&mut self) -> Type {
        self.integer_type(1)
    }

    /// `index`.
    pub fn index_type(&mut self) -> Type {
        self.intern_type(TypeData::Index)
    }

    /// A float type.
    pub fn float_type(&mut self, kind: FloatKind) -> Type {
        self.intern_type(TypeData::Float(kind))
    }

    /// `f32`.
    pub fn f32_type(&mut self) -> Type {
        self.float_type(FloatKind::F32)
    }

    /// `f64`.
    pub fn f64_type(&mut self) -> Type {
        self.float_type(FloatKind::F64)
    }

    /// `none`.
    pub fn none_type(&mut self) -> Type {
        self.intern_type(TypeData::None)
    }

    /// A ranked `tensor<...>`.
    pub fn tensor_type(&mut self, shape: Vec<Dim>, element: Type) -> Type {
        self.intern_type(TypeData::Tensor { shape: Some(shape), element })
    }

    /// A `vector<...>` with no scalable dims.
    pub fn vector_type(&mut self, shape: Vec<u64>, element: Type) -> Type {
        let scalable = vec![false; shape.len()];
        self.intern_type(TypeData::Vector { shape, scalable, element })
    }

    /// A `memref<...>` with the given layout and no memory space.
    pub fn memref_type(&mut self, shape: Vec<Dim>, element: Type, layout: MemRefLayout) -> Type {
        self.intern_type(TypeData::MemRef { shape, element, layout, memory_space: None })
    }

    /// `(inputs) -> results`.
    pub fn function_type(&mut self, inputs: Vec<Type>, results: Vec<Type>) -> Type {
        self.intern_type(TypeData::Function { inputs, results })
    }

    /// Whether `ty` is a float type.
    pub fn is_float(&self, ty: Type) -> bool {
        matches!(self.type_data(ty), TypeData::Float(_))
    }

    /// The float kind, if `ty` is a float type.
    pub fn float_kind(&self, ty: Type) -> Option<FloatKind> {
        match self.type_data(ty) {
            TypeData::Float(k) => Some(*k),
            _ => None,
        }
    }

    /// Whether `ty` is an integer (any signedness) type.
    pub fn is_integer(&self, ty: Type) -> bool {
        matches!(self.type_data(ty), TypeData::Integer { .. })
    }

    /// Integer width, if `ty` is an integer type.
    pub fn integer_width(&self, ty: Type) -> Option<u32> {
        match self.type_data(ty) {
            TypeData::Integer { width, .. } => Some(*width),
            _ => None,
        }
    }

    /// Whether `ty` is an integer or `index`.
    pub fn is_integer_or_index(&self, ty: Type) -> bool {
        matches!(self.type_data(ty), TypeData::Integer { .. } | TypeData::Index)
    }

    /// The element type of a shaped type, or the type itself for scalars.
    pub fn element_type_or_self(&self, ty: Type) -> Type {
        self.type_data(ty).element_type().unwrap_or(ty)
    }

    /// Displays a type in MLIR syntax.
    pub fn display_type(&self, ty: Type) -> DisplayType<'_> {
        DisplayType { ctx: self, ty }
    }
}

/// Writes an opaque dialect type or attribute. Conventions shared with the
/// parser: an empty `dialect` means `body` is the whole text (`affine_map<...>`);
/// a `body` starting with `<` is the dotless form (`!foo<"x">`).
pub(crate) fn write_opaque(
    f: &mut fmt::Formatter<'_>,
    sigil: char,
    dialect: &str,
    body: &str,
) -> fmt::Result {
    if dialect.is_empty() {
        f.write_str(body)
    } else if body.starts_with('<') {
        write!(f, "{sigil}{dialect}{body}")
    } else {
        write!(f, "{sigil}{dialect}.{body}")
    }
}

/// Displays a [`Type`] in MLIR syntax; see [`Context::display_type`].
pub struct DisplayType<'a> {
    ctx: &'a Context,
    ty: Type,
}

fn write_dims(f: &mut fmt::Formatter<'_>, shape: &[Dim]) -> fmt::Result {
    for d in shape {
        match d {
            Some(n) => write!(f, "{n}x")?,
            None => f.write_str("?x")?,
        }
    }
    Ok(())
}

fn write_stride(f: &mut fmt::Formatter<'_>, v: Option<i64>) -> fmt::Result {
    match v {
        Some(n) => write!(f, "{n}"),
        None => f.write_str("?"),
    }
}

impl fmt::Display for DisplayType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ctx = self.ctx;
        match ctx.type_data(self.ty) {
            TypeData::Integer { width, signedness } => match signedness {
                Signedness::Signless => write!(f, "i{width}"),
                Signedness::Signed => write!(f, "si{width}"),
                Signedness::Unsigned => write!(f, "ui{width}"),
            },
            TypeData::Index => f.write_str("index"),
            TypeData::Float(k) => f.write_str(k.keyword()),
            TypeData::None => f.write_str("none"),
            TypeData::Tensor { shape, element } => {
                f.write_str("tensor<")?;
                match shape {
                    Some(s) => write_dims(f, s)?,
                    None => f.write_str("*x")?,
                }
                write!(f, "{}>", ctx.display_type(*element))
            }
            TypeData::MemRef { shape, element, layout, memory_space } => {
                f.write_str("memref<")?;
                write_dims(f, shape)?;
                write!(f, "{}", ctx.display_type(*element))?;
                match layout {
                    MemRefLayout::Identity => {}
                    MemRefLayout::Strided { strides, offset } => {
                        f.write_str(", strided<[")?;
                        for (i, s) in strides.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write_stride(f, *s)?;
                        }
                        f.write_str("]")?;
                        if *offset != Some(0) {
                            f.write_str(", offset: ")?;
                            write_stride(f, *offset)?;
                        }
                        f.write_str(">")?;
                    }
                    MemRefLayout::Other(a) => write!(f, ", {}", ctx.display_attr(*a))?,
                }
                if let Some(space) = memory_space {
                    write!(f, ", {}", ctx.display_attr(*space))?;
                }
                f.write_str(">")
            }
            TypeData::Vector { shape, scalable, element } => {
                f.write_str("vector<")?;
                for (d, s) in shape.iter().zip(scalable) {
                    if *s {
                        write!(f, "[{d}]x")?;
                    } else {
                        write!(f, "{d}x")?;
                    }
                }
                write!(f, "{}>", ctx.display_type(*element))
            }
            TypeData::Function { inputs, results } => {
                f.write_str("(")?;
                for (i, t) in inputs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", ctx.display_type(*t))?;
                }
                f.write_str(") -> ")?;
                let single_plain =
                    results.len() == 1 && !matches!(ctx.type_data(results[0]), TypeData::Function { .. });
                if single_plain {
                    write!(f, "{}", ctx.display_type(results[0]))
                } else {
                    f.write_str("(")?;
                    for (i, t) in results.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}", ctx.display_type(*t))?;
                    }
                    f.write_str(")")
                }
            }
            TypeData::Tuple(elems) => {
                f.write_str("tuple<")?;
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", ctx.display_type(*t))?;
                }
                f.write_str(">")
            }
            TypeData::Opaque { dialect, body } => write_opaque(f, '!', dialect, body),
        }
    }
}
