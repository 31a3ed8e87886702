//! The subset of MLIR's `vector` dialect that vectorized loop nests need,
//! with MLIR's names, attributes, verifier wording and textual forms, so that
//! mlir-opt reads our output of these ops as its own.
//!
//! A vector of shape `v0 x ... x vk-1` read or written at `base[indices]`
//! covers the trailing `k` dims of the memref: element `(j0, ..., jk-1)` is at
//! `indices` with `jt` added to index `r - k + t` (`r` the memref rank).

pub mod syntax;

use crate::effects::MemoryEffects;
use crate::memref::{is_index, operand_ty, MemRefType};
use axir_ir::{declare_op, Arity, AttributeData, Context, DiagResult, OpId, OpTraits, Type, TypeData};
use axir_syntax::CustomAssembly;

/// The name of `vector.reduction`'s combining-kind attribute.
pub const KIND_ATTR: &str = "kind";

/// A combining kind of `vector.reduction` (MLIR's `#vector.kind<...>`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum CombiningKind {
    /// `add`: integer or float addition.
    Add,
    /// `mul`: integer or float multiplication.
    Mul,
    /// `minui`: unsigned integer minimum.
    MinUI,
    /// `minsi`: signed integer minimum.
    MinSI,
    /// `minnumf`: float minimum ignoring NaN (IEEE minNum).
    MinNumF,
    /// `maxui`: unsigned integer maximum.
    MaxUI,
    /// `maxsi`: signed integer maximum.
    MaxSI,
    /// `maxnumf`: float maximum ignoring NaN (IEEE maxNum).
    MaxNumF,
    /// `and`: bitwise and.
    And,
    /// `or`: bitwise or.
    Or,
    /// `xor`: bitwise exclusive or.
    Xor,
    /// `maximumf`: float maximum propagating NaN.
    MaximumF,
    /// `minimumf`: float minimum propagating NaN.
    MinimumF,
}

impl CombiningKind {
    /// Every kind, in MLIR's order.
    pub const ALL: [CombiningKind; 13] = [
        CombiningKind::Add,
        CombiningKind::Mul,
        CombiningKind::MinUI,
        CombiningKind::MinSI,
        CombiningKind::MinNumF,
        CombiningKind::MaxUI,
        CombiningKind::MaxSI,
        CombiningKind::MaxNumF,
        CombiningKind::And,
        CombiningKind::Or,
        CombiningKind::Xor,
        CombiningKind::MaximumF,
        CombiningKind::MinimumF,
    ];

    /// The keyword, e.g. `add`.
    pub fn keyword(self) -> &'static str {
        match self {
            CombiningKind::Add => "add",
            CombiningKind::Mul => "mul",
            CombiningKind::MinUI => "minui",
            CombiningKind::MinSI => "minsi",
            CombiningKind::MinNumF => "minnumf",
            CombiningKind::MaxUI => "maxui",
            CombiningKind::MaxSI => "maxsi",
            CombiningKind::MaxNumF => "maxnumf",
            CombiningKind::And => "and",
            CombiningKind::Or => "or",
            CombiningKind::Xor => "xor",
            CombiningKind::MaximumF => "maximumf",
            CombiningKind::MinimumF => "minimumf",
        }
    }

    /// The kind spelled `keyword`.
    pub fn from_keyword(keyword: &str) -> Option<CombiningKind> {
        Self::ALL.into_iter().find(|k| k.keyword() == keyword)
    }

    /// The kind of a `#vector.kind<...>` attribute.
    pub fn from_attr(ctx: &Context, attr: axir_ir::Attribute) -> Option<CombiningKind> {
        match ctx.attr_data(attr) {
            AttributeData::Opaque { dialect, body } if dialect == "vector" => {
                let inner = body.strip_prefix("kind<")?.strip_suffix('>')?;
                Self::from_keyword(inner.trim())
            }
            _ => None,
        }
    }

    /// The `#vector.kind<...>` attribute of this kind.
    pub fn to_attr(self, ctx: &mut Context) -> axir_ir::Attribute {
        ctx.intern_attr(AttributeData::Opaque {
            dialect: "vector".into(),
            body: format!("kind<{}>", self.keyword()),
        })
    }

    /// Whether the kind applies to elements of type `element` (MLIR's
    /// `isSupportedCombiningKind`).
    pub fn accepts(self, ctx: &Context, element: Type) -> bool {
        let is_int = matches!(ctx.type_data(element), TypeData::Integer { .. } | TypeData::Index);
        let is_float = matches!(ctx.type_data(element), TypeData::Float(_));
        match self {
            CombiningKind::Add | CombiningKind::Mul => is_int || is_float,
            CombiningKind::MinUI
            | CombiningKind::MinSI
            | CombiningKind::MaxUI
            | CombiningKind::MaxSI
            | CombiningKind::And
            | CombiningKind::Or
            | CombiningKind::Xor => is_int,
            CombiningKind::MinNumF
            | CombiningKind::MaxNumF
            | CombiningKind::MaximumF
            | CombiningKind::MinimumF => is_float,
        }
    }
}

/// The kind of a `vector.reduction`.
pub fn reduction_kind(ctx: &Context, op: OpId) -> Option<CombiningKind> {
    ctx.attr(op, KIND_ATTR).and_then(|a| CombiningKind::from_attr(ctx, a))
}

/// The static shape and element type of a vector type.
pub fn vector_parts(ctx: &Context, ty: Type) -> Option<(Vec<u64>, Type)> {
    match ctx.type_data(ty) {
        TypeData::Vector { shape, scalable, element } if !scalable.iter().any(|s| *s) => {
            Some((shape.clone(), *element))
        }
        _ => None,
    }
}

fn ty_str(ctx: &Context, ty: Type) -> String {
    format!("'{}'", ctx.display_type(ty))
}

fn vector_operand(ctx: &Context, op: OpId, i: usize, what: &str) -> DiagResult<(Vec<u64>, Type)> {
    let ty = ctx.value_type(ctx.operand(op, i));
    vector_parts(ctx, ty)
        .ok_or_else(|| ctx.op_error(op, format!("operand #{i} must be {what}, but got {}", ty_str(ctx, ty))))
}

fn vector_result(ctx: &Context, op: OpId, what: &str) -> DiagResult<(Vec<u64>, Type)> {
    let ty = ctx.value_type(ctx.result(op, 0));
    vector_parts(ctx, ty)
        .ok_or_else(|| ctx.op_error(op, format!("result #0 must be {what}, but got {}", ty_str(ctx, ty))))
}

/// Checks the base memref at operand `base` and its indices (operands
/// `base + 1 .. base + 1 + rank`) of a vector memory op, with MLIR's
/// wording; returns the memref.
fn check_base(
    ctx: &Context,
    op: OpId,
    base: usize,
    vector_rank: usize,
    what: &str,
) -> DiagResult<MemRefType> {
    let ty = ctx.value_type(ctx.operand(op, base));
    let m = MemRefType::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(
            op,
            format!("operand #{base} must be memref of any type values, but got {}", ty_str(ctx, ty)),
        )
    })?;
    if m.rank() > 0 && m.strides.last() != Some(&Some(1)) {
        return Err(ctx.op_error(op, "most minor memref dim must have unit stride"));
    }
    if m.rank() < vector_rank {
        return Err(ctx.op_error(op, format!("{what} memref has lower rank than the result vector")));
    }
    Ok(m)
}

fn check_indices(ctx: &Context, op: OpId, first: usize, count: usize, rank: usize) -> DiagResult {
    if count != rank {
        return Err(ctx.op_error(op, format!("requires {rank} indices")));
    }
    for i in first..first + count {
        let ty = ctx.value_type(ctx.operand(op, i));
        if !is_index(ctx, ty) {
            return Err(ctx.op_error(
                op,
                format!("operand #{i} must be variadic of index, but got {}", ty_str(ctx, ty)),
            ));
        }
    }
    Ok(())
}

fn check_mask(ctx: &Context, op: OpId, mask: usize, shape: &[u64], what: &str) -> DiagResult {
    let (mshape, melem) = vector_operand(ctx, op, mask, "vector of 1-bit signless integer values")?;
    if !matches!(
        ctx.type_data(melem),
        TypeData::Integer { width: 1, signedness: axir_ir::Signedness::Signless }
    ) {
        return Err(ctx.op_error(
            op,
            format!(
                "operand #{mask} must be vector of 1-bit signless integer values, but got {}",
                operand_ty(ctx, op, mask)
            ),
        ));
    }
    if mshape != shape {
        return Err(ctx.op_error(op, format!("expected {what} shape to match mask shape")));
    }
    Ok(())
}

// ----- verifiers -------------------------------------------------------------

/// `vector.load %base[indices]`: operands `1 + memref rank`.
pub fn verify_load(ctx: &Context, op: OpId) -> DiagResult {
    let (shape, element) = vector_result(ctx, op, "vector of any type values")?;
    let m = check_base(ctx, op, 0, shape.len(), "destination")?;
    check_indices(ctx, op, 1, ctx.operands(op).len() - 1, m.rank())?;
    if element != m.element {
        return Err(ctx.op_error(op, "base and result element types should match"));
    }
    Ok(())
}

/// `vector.store %v, %base[indices]`: operands `2 + memref rank`.
pub fn verify_store(ctx: &Context, op: OpId) -> DiagResult {
    let (shape, element) = vector_operand(ctx, op, 0, "vector of any type values")?;
    let m = check_base(ctx, op, 1, shape.len(), "source")?;
    check_indices(ctx, op, 2, ctx.operands(op).len() - 2, m.rank())?;
    if element != m.element {
        return Err(ctx.op_error(op, "base and valueToStore element type should match"));
    }
    Ok(())
}

/// `vector.maskedload %base[indices], %mask, %pass_thru`: operands `3 + rank`.
pub fn verify_maskedload(ctx: &Context, op: OpId) -> DiagResult {
    let (shape, element) = vector_result(ctx, op, "vector of any type values")?;
    let n = ctx.operands(op).len();
    let ty = ctx.value_type(ctx.operand(op, 0));
    let m = MemRefType::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(op, format!("operand #0 must be memref of any type values, but got {}", ty_str(ctx, ty)))
    })?;
    check_indices(ctx, op, 1, n - 3, m.rank())?;
    if element != m.element {
        return Err(ctx.op_error(op, "base and result element type should match"));
    }
    check_mask(ctx, op, n - 2, &shape, "result")?;
    if ctx.value_type(ctx.operand(op, n - 1)) != ctx.value_type(ctx.result(op, 0)) {
        return Err(ctx.op_error(op, "expected pass_thru of same type as result type"));
    }
    Ok(())
}

/// `vector.maskedstore %base[indices], %mask, %value`: operands `3 + rank`.
pub fn verify_maskedstore(ctx: &Context, op: OpId) -> DiagResult {
    let n = ctx.operands(op).len();
    let (shape, element) = vector_operand(ctx, op, n - 1, "vector of any type values")?;
    let ty = ctx.value_type(ctx.operand(op, 0));
    let m = MemRefType::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(op, format!("operand #0 must be memref of any type values, but got {}", ty_str(ctx, ty)))
    })?;
    check_indices(ctx, op, 1, n - 3, m.rank())?;
    if element != m.element {
        return Err(ctx.op_error(op, "base and valueToStore element type should match"));
    }
    check_mask(ctx, op, n - 2, &shape, "valueToStore")
}

/// `vector.broadcast`: a scalar, or a vector whose dims broadcast (1 or
/// equal, aligned from the right), to a vector of the same element type.
pub fn verify_broadcast(ctx: &Context, op: OpId) -> DiagResult {
    let (shape, element) = vector_result(ctx, op, "vector of any type values")?;
    let src_ty = ctx.value_type(ctx.operand(op, 0));
    let (src_shape, src_element) = match vector_parts(ctx, src_ty) {
        Some(parts) => parts,
        None => (Vec::new(), src_ty),
    };
    if src_element != element {
        return Err(
            ctx.op_error(op, "failed to verify that source operand and result have same element type")
        );
    }
    if src_shape.len() > shape.len() {
        return Err(ctx.op_error(op, "source rank higher than destination rank"));
    }
    let lead = shape.len() - src_shape.len();
    for (s, d) in src_shape.iter().zip(&shape[lead..]) {
        if *s != 1 && s != d {
            return Err(ctx.op_error(op, format!("dimension mismatch ({s} vs. {d})")));
        }
    }
    Ok(())
}

/// `vector.reduction <kind>, %v [, %acc]`: a 1-D vector into its element type.
pub fn verify_reduction(ctx: &Context, op: OpId) -> DiagResult {
    let (shape, element) = vector_operand(ctx, op, 0, "vector of any type values")?;
    if shape.len() != 1 {
        return Err(ctx.op_error(op, format!("unsupported reduction rank: {}", shape.len())));
    }
    let result = ctx.value_type(ctx.result(op, 0));
    if result != element {
        return Err(
            ctx.op_error(op, "failed to verify that source operand and result have same element type")
        );
    }
    if let Some(acc) = ctx.operands(op).get(1) {
        if ctx.value_type(*acc) != result {
            return Err(
                ctx.op_error(op, "failed to verify that source operand and result have same element type")
            );
        }
    }
    let kind = reduction_kind(ctx, op).ok_or_else(|| {
        ctx.op_error(op, "attribute 'kind' failed to satisfy constraint: Kind of combining function for contractions and reductions")
    })?;
    if !kind.accepts(ctx, element) {
        return Err(ctx.op_error(
            op,
            format!("unsupported reduction type '{}' for kind '{}'", ty_str(ctx, element), kind.keyword()),
        ));
    }
    Ok(())
}

/// `vector.fma %a, %b, %c`: float vectors of one type.
pub fn verify_fma(ctx: &Context, op: OpId) -> DiagResult {
    for i in 0..3 {
        let ty = ctx.value_type(ctx.operand(op, i));
        let ok = vector_parts(ctx, ty).is_some_and(|(_, e)| ctx.is_float(e));
        if !ok {
            return Err(ctx.op_error(
                op,
                format!("operand #{i} must be vector of floating-point values, but got {}", ty_str(ctx, ty)),
            ));
        }
    }
    Ok(())
}

/// `vector.create_mask %n...`: one `index` per dim of an `i1` vector.
pub fn verify_create_mask(ctx: &Context, op: OpId) -> DiagResult {
    let ty = ctx.value_type(ctx.result(op, 0));
    let ok = vector_parts(ctx, ty).filter(|(_, e)| {
        matches!(ctx.type_data(*e), TypeData::Integer { width: 1, signedness: axir_ir::Signedness::Signless })
    });
    let Some((shape, _)) = ok else {
        return Err(ctx.op_error(
            op,
            format!("result #0 must be vector of 1-bit signless integer values, but got {}", ty_str(ctx, ty)),
        ));
    };
    if ctx.operands(op).len() != shape.len() {
        return Err(ctx.op_error(op, "must specify an operand for each result vector dimension"));
    }
    check_indices(ctx, op, 0, shape.len(), shape.len())
}

// ----- declarations ----------------------------------------------------------

declare_op! {
    /// Reads a vector from a buffer at `base[indices]`; the vector covers the
    /// trailing dims of the buffer, whose most minor stride must be 1. Every
    /// element must be in bounds (checked at run time).
    ///
    /// ```axir
    /// %v = vector.load %b[%i] : memref<?xf32>, vector<8xf32>
    /// ```
    pub struct LoadOp = "vector.load";
    summary = "reads a vector from memory";
    operands(Arity::AtLeast(1));
    results(Arity::Exact(1));
    verifier(verify_load);
    interface(MemoryEffects::READ);
    interface(CustomAssembly::new(syntax::parse_load, syntax::print_load));
}

declare_op! {
    /// Writes a vector to a buffer at `base[indices]`, as `vector.load` reads.
    ///
    /// ```axir
    /// vector.store %v, %b[%i] : memref<?xf32>, vector<8xf32>
    /// ```
    pub struct StoreOp = "vector.store";
    summary = "writes a vector to memory";
    operands(Arity::AtLeast(2));
    verifier(verify_store);
    interface(MemoryEffects::WRITE);
    interface(CustomAssembly::new(syntax::parse_store, syntax::print_store));
}

declare_op! {
    /// Reads the lanes of a vector whose mask bit is set; other lanes come
    /// from `pass_thru` and their addresses are not accessed (they may be out
    /// of bounds), which makes it the tail of a vectorized loop.
    ///
    /// ```axir
    /// %v = vector.maskedload %b[%i], %m, %pass : memref<?xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
    /// ```
    pub struct MaskedLoadOp = "vector.maskedload";
    summary = "reads the masked lanes of a vector from memory";
    operands(Arity::AtLeast(3));
    results(Arity::Exact(1));
    verifier(verify_maskedload);
    interface(MemoryEffects::READ);
    interface(CustomAssembly::new(syntax::parse_maskedload, syntax::print_maskedload));
}

declare_op! {
    /// Writes the lanes of a vector whose mask bit is set; other addresses are
    /// neither accessed nor checked.
    ///
    /// ```axir
    /// vector.maskedstore %b[%i], %m, %v : memref<?xf32>, vector<8xi1>, vector<8xf32>
    /// ```
    pub struct MaskedStoreOp = "vector.maskedstore";
    summary = "writes the masked lanes of a vector to memory";
    operands(Arity::AtLeast(3));
    verifier(verify_maskedstore);
    interface(MemoryEffects::WRITE);
    interface(CustomAssembly::new(syntax::parse_maskedstore, syntax::print_maskedstore));
}

declare_op! {
    /// Broadcasts a scalar (or a smaller vector, aligned from the right) to a vector.
    ///
    /// ```axir
    /// %v = vector.broadcast %s : f32 to vector<8xf32>
    /// ```
    pub struct BroadcastOp = "vector.broadcast";
    summary = "broadcast a scalar or vector to a vector";
    traits(OpTraits::PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_broadcast);
    interface(CustomAssembly::new(syntax::parse_broadcast, syntax::print_broadcast));
}

declare_op! {
    /// Combines the lanes of a 1-D vector, and the optional accumulator, with
    /// the kind's operation (`add mul minui minsi minnumf maxui maxsi maxnumf
    /// and or xor maximumf minimumf`). Float `add`/`mul` combine in an
    /// unspecified order; the interpreter goes left to right from the
    /// accumulator.
    ///
    /// ```axir
    /// %s = vector.reduction <add>, %v : vector<8xf32> into f32
    /// %t = vector.reduction <maximumf>, %v, %acc : vector<8xf32> into f32
    /// ```
    pub struct ReductionOp = "vector.reduction";
    summary = "reduce a vector to a scalar";
    traits(OpTraits::PURE);
    operands(Arity::Range(1, 2));
    results(Arity::Exact(1));
    required_attrs(&[KIND_ATTR]);
    verifier(verify_reduction);
    interface(CustomAssembly::new(syntax::parse_reduction, syntax::print_reduction));
}

declare_op! {
    /// Fused multiply-add `a * b + c` per lane, rounded once.
    ///
    /// ```axir
    /// %r = vector.fma %a, %b, %c : vector<8xf32>
    /// ```
    pub struct FmaOp = "vector.fma";
    summary = "fused multiply-add of vectors";
    traits(OpTraits::PURE | OpTraits::SAME_OPERANDS_AND_RESULT_TYPE | OpTraits::ELEMENTWISE);
    operands(Arity::Exact(3));
    results(Arity::Exact(1));
    verifier(verify_fma);
    interface(CustomAssembly::new(syntax::parse_fma, syntax::print_fma));
}

declare_op! {
    /// A mask whose lane `(j0, ...)` is set when `jd < n_d` for every dim `d`
    /// (a negative `n` sets no lane, one past the size sets all).
    ///
    /// ```axir
    /// %m = vector.create_mask %n : vector<8xi1>
    /// ```
    pub struct CreateMaskOp = "vector.create_mask";
    summary = "creates a vector mask";
    traits(OpTraits::PURE);
    operands(Arity::AtLeast(1));
    results(Arity::Exact(1));
    verifier(verify_create_mask);
    interface(CustomAssembly::new(syntax::parse_create_mask, syntax::print_create_mask));
}

/// The declarations of every vector op, in registration order.
pub fn op_infos() -> Vec<axir_ir::OpInfo> {
    use axir_ir::OpDefinition;
    vec![
        LoadOp::info(),
        StoreOp::info(),
        MaskedLoadOp::info(),
        MaskedStoreOp::info(),
        BroadcastOp::info(),
        ReductionOp::info(),
        FmaOp::info(),
        CreateMaskOp::info(),
    ]
}
