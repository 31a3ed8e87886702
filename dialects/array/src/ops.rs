//! Declarations of every `array` op and their verifiers.
//!
//! Each op is declared once with `declare_op!`; its doc comment is the op's
//! description and contains an example. Custom syntax lives in
//! `syntax.rs`, folders in `fold.rs`, patterns in `canonicalize.rs`.

use crate::shape::{
    broadcast_shapes, can_broadcast_to, element_kind, shape_compatible, shape_str, slice_len, ElementKind,
    TensorShape,
};
use axir_ir::{declare_op, Arity, AttributeData, Context, DenseData, DiagResult, Dim, OpId, OpTraits, Type};

/// How an elementwise op constrains its element type.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ElementRule {
    /// Any supported element type.
    Any,
    /// Integers or floats, not `i1`.
    Numeric,
    /// Floats only.
    Float,
    /// `i1` or integers.
    IntOrBool,
}

impl ElementRule {
    fn accepts(self, kind: ElementKind) -> bool {
        match self {
            ElementRule::Any => true,
            ElementRule::Numeric => kind != ElementKind::Bool,
            ElementRule::Float => kind == ElementKind::Float,
            ElementRule::IntOrBool => kind != ElementKind::Float,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ElementRule::Any => "any element type",
            ElementRule::Numeric => "integer or float elements",
            ElementRule::Float => "float elements",
            ElementRule::IntOrBool => "integer or i1 elements",
        }
    }
}

/// One elementwise op of the array dialect.
#[derive(Copy, Clone, Debug)]
pub struct ElementwiseOp {
    /// The name after `array.`.
    pub name: &'static str,
    /// Accepted element types.
    pub rule: ElementRule,
    /// Whether the result elements are `i1` (isnan, isinf, isfinite).
    pub bool_result: bool,
}

const fn ew(name: &'static str, rule: ElementRule) -> ElementwiseOp {
    ElementwiseOp { name, rule, bool_result: false }
}

const fn ew_bool(name: &'static str, rule: ElementRule) -> ElementwiseOp {
    ElementwiseOp { name, rule, bool_result: true }
}

use ElementRule::{Float as F, IntOrBool as IB, Numeric as N};

/// Every unary elementwise op.
pub const UNARY_OPS: &[ElementwiseOp] = &[
    ew("neg", N),
    ew("abs", N),
    ew("sign", N),
    ew("exp", F),
    ew("exp2", F),
    ew("expm1", F),
    ew("log", F),
    ew("log2", F),
    ew("log10", F),
    ew("log1p", F),
    ew("sqrt", F),
    ew("rsqrt", F),
    ew("square", N),
    ew("sin", F),
    ew("cos", F),
    ew("tan", F),
    ew("asin", F),
    ew("acos", F),
    ew("atan", F),
    ew("sinh", F),
    ew("cosh", F),
    ew("tanh", F),
    ew("asinh", F),
    ew("acosh", F),
    ew("atanh", F),
    ew("erf", F),
    ew("sigmoid", F),
    ew("floor", F),
    ew("ceil", F),
    ew("round", F),
    ew("trunc", F),
    ew("not", IB),
    ew_bool("isnan", F),
    ew_bool("isinf", F),
    ew_bool("isfinite", F),
];

/// Every binary elementwise op (numpy broadcasting).
pub const BINARY_OPS: &[ElementwiseOp] = &[
    ew("add", N),
    ew("sub", N),
    ew("mul", N),
    ew("div", N),
    ew("rem", N),
    ew("fmod", N),
    ew("pow", N),
    ew("max", N),
    ew("min", N),
    ew("atan2", F),
    ew("hypot", F),
    ew("copysign", F),
    ew("nextafter", F),
    ew("and", IB),
    ew("or", IB),
    ew("xor", IB),
];

/// Comparison predicates of `array.cmp`.
pub const CMP_PREDICATES: &[&str] = &["eq", "ne", "lt", "le", "gt", "ge"];

/// Reduction kinds of `array.reduce`.
pub const REDUCE_KINDS: &[&str] = &["sum", "prod", "max", "min", "mean", "any", "all", "argmax", "argmin"];

/// The unary elementwise op named `array.<name>`.
pub fn unary_op(full_name: &str) -> Option<&'static ElementwiseOp> {
    let name = full_name.strip_prefix("array.")?;
    UNARY_OPS.iter().find(|o| o.name == name)
}

/// The binary elementwise op named `array.<name>`.
pub fn binary_op(full_name: &str) -> Option<&'static ElementwiseOp> {
    let name = full_name.strip_prefix("array.")?;
    BINARY_OPS.iter().find(|o| o.name == name)
}

// ----- helpers for verifiers -------------------------------------------------

fn tensor_operand(ctx: &Context, op: OpId, i: usize) -> DiagResult<TensorShape> {
    let ty = ctx.value_type(ctx.operand(op, i));
    let shape = TensorShape::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(op, format!("operand #{i} must be a ranked tensor, but got {}", ctx.display_type(ty)))
    })?;
    if element_kind(ctx, shape.element).is_none() {
        return Err(ctx.op_error(
            op,
            format!(
                "operand #{i} has unsupported element type {}; expected one of i1, i8, i16, i32, i64, ui8, f16, bf16, f32, f64",
                ctx.display_type(shape.element)
            ),
        ));
    }
    Ok(shape)
}

fn tensor_result(ctx: &Context, op: OpId) -> DiagResult<TensorShape> {
    let ty = ctx.value_type(ctx.result(op, 0));
    TensorShape::of(ctx, ty).ok_or_else(|| {
        ctx.op_error(op, format!("result must be a ranked tensor, but got {}", ctx.display_type(ty)))
    })
}

fn ty_str(ctx: &Context, ty: Type) -> String {
    ctx.display_type(ty).to_string()
}

fn operand_ty(ctx: &Context, op: OpId, i: usize) -> String {
    ty_str(ctx, ctx.value_type(ctx.operand(op, i)))
}

fn result_ty(ctx: &Context, op: OpId) -> String {
    ty_str(ctx, ctx.value_type(ctx.result(op, 0)))
}

fn tensor_str(ctx: &Context, dims: &[Dim], element: Type) -> String {
    if dims.is_empty() {
        format!("tensor<{}>", ctx.display_type(element))
    } else {
        format!("tensor<{}x{}>", shape_str(dims), ctx.display_type(element))
    }
}

/// Checks the declared result against the inferred shape and element type.
fn check_result(ctx: &Context, op: OpId, dims: &[Dim], element: Type) -> DiagResult {
    let result = tensor_result(ctx, op)?;
    if result.element != element || !shape_compatible(&result.dims, dims) {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} does not match the inferred type {}",
                result_ty(ctx, op),
                tensor_str(ctx, dims, element)
            ),
        ));
    }
    Ok(())
}

/// Operands `i` and `j` must share one element type (no implicit promotion).
fn same_element_type(
    ctx: &Context,
    op: OpId,
    (i, a): (usize, &TensorShape),
    (j, b): (usize, &TensorShape),
    hint: &str,
) -> DiagResult {
    if a.element == b.element {
        return Ok(());
    }
    Err(ctx.op_error(
        op,
        format!(
            "operands #{i} and #{j} must have the same element type, but got {} and {}{hint}",
            operand_ty(ctx, op, i),
            operand_ty(ctx, op, j)
        ),
    ))
}

/// Operands `i` and `j` must broadcast together; returns the broadcast dims.
fn broadcast_operands(
    ctx: &Context,
    op: OpId,
    (i, a): (usize, &TensorShape),
    (j, b): (usize, &TensorShape),
) -> DiagResult<Vec<Dim>> {
    broadcast_shapes(&a.dims, &b.dims).ok_or_else(|| {
        ctx.op_error(
            op,
            format!(
                "operands #{i} and #{j} are not broadcast compatible: {} and {}",
                operand_ty(ctx, op, i),
                operand_ty(ctx, op, j)
            ),
        )
    })
}

fn int_attr(ctx: &Context, op: OpId, name: &str) -> DiagResult<i64> {
    let attr = ctx.attr(op, name).ok_or_else(|| ctx.op_error(op, format!("requires attribute '{name}'")))?;
    ctx.attr_as_int(attr)
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(|| ctx.op_error(op, format!("attribute '{name}' must be an integer")))
}

/// Reads an `array<i64: ...>` attribute.
pub fn i64_array_attr(ctx: &Context, op: OpId, name: &str) -> Option<Vec<i64>> {
    match ctx.attr_data(ctx.attr(op, name)?) {
        AttributeData::DenseArray { data: DenseData::Int(v), .. } => Some(v.clone()),
        _ => None,
    }
}

fn str_attr<'c>(ctx: &'c Context, op: OpId, name: &str) -> DiagResult<&'c str> {
    let attr = ctx.attr(op, name).ok_or_else(|| ctx.op_error(op, format!("requires attribute '{name}'")))?;
    ctx.attr_as_str(attr).ok_or_else(|| ctx.op_error(op, format!("attribute '{name}' must be a string")))
}

fn check_dim_in_range(ctx: &Context, op: OpId, what: &str, dim: i64, rank: usize) -> DiagResult<usize> {
    if dim < 0 || dim as usize >= rank {
        return Err(ctx.op_error(op, format!("{what} {dim} is out of range for rank {rank}")));
    }
    Ok(dim as usize)
}

// ----- verifiers -------------------------------------------------------------

/// Unary elementwise: same shape, element rule, `i1` result for predicates.
pub fn verify_unary(ctx: &Context, op: OpId) -> DiagResult {
    let Some(info) = unary_op(ctx.op_name(op)) else { return Ok(()) };
    let x = tensor_operand(ctx, op, 0)?;
    let kind = element_kind(ctx, x.element).expect("checked by tensor_operand");
    if !info.rule.accepts(kind) {
        return Err(ctx.op_error(
            op,
            format!("operand #0 must have {}, but got {}", info.rule.describe(), operand_ty(ctx, op, 0)),
        ));
    }
    let element = if info.bool_result { ctx.i1() } else { x.element };
    check_result(ctx, op, &x.dims, element)
}

/// Binary elementwise: one element type, numpy broadcasting.
pub fn verify_binary(ctx: &Context, op: OpId) -> DiagResult {
    let Some(info) = binary_op(ctx.op_name(op)) else { return Ok(()) };
    let a = tensor_operand(ctx, op, 0)?;
    let b = tensor_operand(ctx, op, 1)?;
    same_element_type(ctx, op, (0, &a), (1, &b), "; insert an array.cast")?;
    let kind = element_kind(ctx, a.element).expect("checked by tensor_operand");
    if !info.rule.accepts(kind) {
        return Err(ctx.op_error(
            op,
            format!("operands must have {}, but got {}", info.rule.describe(), operand_ty(ctx, op, 0)),
        ));
    }
    let dims = broadcast_operands(ctx, op, (0, &a), (1, &b))?;
    check_result(ctx, op, &dims, a.element)
}

/// `array.cmp`: predicate, broadcasting, `i1` result.
pub fn verify_cmp(ctx: &Context, op: OpId) -> DiagResult {
    let pred = str_attr(ctx, op, "predicate")?;
    if !CMP_PREDICATES.contains(&pred) {
        return Err(ctx.op_error(
            op,
            format!("unknown comparison predicate '{pred}'; expected one of eq, ne, lt, le, gt, ge"),
        ));
    }
    let a = tensor_operand(ctx, op, 0)?;
    let b = tensor_operand(ctx, op, 1)?;
    same_element_type(ctx, op, (0, &a), (1, &b), "")?;
    let dims = broadcast_operands(ctx, op, (0, &a), (1, &b))?;
    let i1 = ctx.i1();
    check_result(ctx, op, &dims, i1)
}

/// `array.select`: `i1` condition, three-way broadcasting.
pub fn verify_select(ctx: &Context, op: OpId) -> DiagResult {
    let c = tensor_operand(ctx, op, 0)?;
    let a = tensor_operand(ctx, op, 1)?;
    let b = tensor_operand(ctx, op, 2)?;
    if element_kind(ctx, c.element) != Some(ElementKind::Bool) {
        return Err(
            ctx.op_error(op, format!("operand #0 must have i1 elements, but got {}", operand_ty(ctx, op, 0)))
        );
    }
    same_element_type(ctx, op, (1, &a), (2, &b), "")?;
    let dims =
        broadcast_shapes(&c.dims, &a.dims).and_then(|d| broadcast_shapes(&d, &b.dims)).ok_or_else(|| {
            ctx.op_error(
                op,
                format!(
                    "operands are not broadcast compatible: {}, {} and {}",
                    operand_ty(ctx, op, 0),
                    operand_ty(ctx, op, 1),
                    operand_ty(ctx, op, 2)
                ),
            )
        })?;
    check_result(ctx, op, &dims, a.element)
}

/// `array.cast`: same shape, any element types.
pub fn verify_cast(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let r = tensor_result(ctx, op)?;
    if element_kind(ctx, r.element).is_none() {
        return Err(
            ctx.op_error(op, format!("result has unsupported element type in {}", result_ty(ctx, op)))
        );
    }
    if !shape_compatible(&r.dims, &x.dims) {
        return Err(ctx.op_error(
            op,
            format!(
                "operand and result shapes differ: {} and {}",
                operand_ty(ctx, op, 0),
                result_ty(ctx, op)
            ),
        ));
    }
    Ok(())
}

/// `array.broadcast`: `numpy.broadcast_to`.
pub fn verify_broadcast(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let r = tensor_result(ctx, op)?;
    if r.element != x.element {
        return Err(ctx.op_error(op, "operand and result element types differ"));
    }
    if !can_broadcast_to(&x.dims, &r.dims) {
        return Err(ctx
            .op_error(op, format!("cannot broadcast {} to {}", operand_ty(ctx, op, 0), result_ty(ctx, op))));
    }
    Ok(())
}

/// `array.reshape`: same element count.
pub fn verify_reshape(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let r = tensor_result(ctx, op)?;
    if r.element != x.element {
        return Err(ctx.op_error(op, "operand and result element types differ"));
    }
    let dynamic = r.dims.iter().filter(|d| d.is_none()).count();
    if dynamic > 1 {
        return Err(ctx.op_error(
            op,
            format!(
                "result type {} has {dynamic} dynamic dims; at most one can be inferred",
                result_ty(ctx, op)
            ),
        ));
    }
    if let (Some(a), 1) = (x.static_num_elements(), dynamic) {
        let known: u64 = r.dims.iter().flatten().product();
        if known == 0 || a % known != 0 {
            return Err(ctx.op_error(
                op,
                format!(
                    "cannot reshape {} ({a} elements) to {}: the static dims do not divide the element count",
                    operand_ty(ctx, op, 0),
                    result_ty(ctx, op)
                ),
            ));
        }
    }
    if let (Some(a), Some(b)) = (x.static_num_elements(), r.static_num_elements()) {
        if a != b {
            return Err(ctx.op_error(
                op,
                format!(
                    "cannot reshape {} ({a} elements) to {} ({b} elements)",
                    operand_ty(ctx, op, 0),
                    result_ty(ctx, op)
                ),
            ));
        }
    }
    Ok(())
}

/// `array.transpose`: a permutation of the operand's dims.
pub fn verify_transpose(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let perm = i64_array_attr(ctx, op, "permutation")
        .ok_or_else(|| ctx.op_error(op, "requires attribute 'permutation' of type array<i64>"))?;
    let perm_str = format!("[{}]", perm.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "));
    let mut seen = vec![false; x.rank()];
    let valid = perm.len() == x.rank()
        && perm
            .iter()
            .all(|&p| p >= 0 && (p as usize) < x.rank() && !std::mem::replace(&mut seen[p as usize], true));
    if !valid {
        return Err(ctx.op_error(
            op,
            format!(
                "permutation {perm_str} does not match operand rank {} of {}",
                x.rank(),
                operand_ty(ctx, op, 0)
            ),
        ));
    }
    let dims: Vec<Dim> = perm.iter().map(|&p| x.dims[p as usize]).collect();
    check_result(ctx, op, &dims, x.element)
}

/// One dim of a slice: `start:stop:step`, each part optional.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct SliceSpec {
    /// Start index (negative counts from the end).
    pub start: Option<i64>,
    /// Stop index (exclusive).
    pub stop: Option<i64>,
    /// Step; never 0.
    pub step: Option<i64>,
}

/// Reads the `starts`/`stops`/`steps` attributes of `array.slice` (each an
/// array whose entries are integers or `unit` for an omitted part).
pub fn slice_specs(ctx: &Context, op: OpId) -> Option<Vec<SliceSpec>> {
    let read = |name: &str| -> Option<Vec<Option<i64>>> {
        match ctx.attr_data(ctx.attr(op, name)?) {
            AttributeData::Array(items) => items
                .iter()
                .map(|a| match ctx.attr_data(*a) {
                    AttributeData::Unit => Some(None),
                    AttributeData::Integer { value, .. } => i64::try_from(*value).ok().map(Some),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    };
    let (starts, stops, steps) = (read("starts")?, read("stops")?, read("steps")?);
    if starts.len() != stops.len() || starts.len() != steps.len() {
        return None;
    }
    Some(
        starts
            .into_iter()
            .zip(stops)
            .zip(steps)
            .map(|((start, stop), step)| SliceSpec { start, stop, step })
            .collect(),
    )
}

/// `array.slice`: numpy basic slicing with static bounds.
pub fn verify_slice(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let specs = slice_specs(ctx, op).ok_or_else(|| {
        ctx.op_error(
            op,
            "requires attributes 'starts', 'stops' and 'steps': arrays of equal length of integers or unit",
        )
    })?;
    if specs.len() > x.rank() {
        return Err(ctx.op_error(
            op,
            format!(
                "has {} slice dims but operand {} has rank {}",
                specs.len(),
                operand_ty(ctx, op, 0),
                x.rank()
            ),
        ));
    }
    let mut dims = Vec::with_capacity(x.rank());
    for (i, d) in x.dims.iter().enumerate() {
        let spec = specs.get(i).copied().unwrap_or(SliceSpec { start: None, stop: None, step: None });
        let step = spec.step.unwrap_or(1);
        if step == 0 {
            return Err(ctx.op_error(op, format!("slice step of dim {i} must not be zero")));
        }
        dims.push(d.map(|n| slice_len(n, spec.start, spec.stop, step)));
    }
    check_result(ctx, op, &dims, x.element)
}

/// `array.concat`: equal ranks and dims except along `dim`.
pub fn verify_concat(ctx: &Context, op: OpId) -> DiagResult {
    let first = tensor_operand(ctx, op, 0)?;
    let dim = check_dim_in_range(ctx, op, "dim", int_attr(ctx, op, "dim")?, first.rank().max(1))?;
    if first.rank() == 0 {
        return Err(ctx.op_error(op, "cannot concatenate rank-0 tensors"));
    }
    let mut dims = first.dims.clone();
    for i in 1..ctx.operands(op).len() {
        let t = tensor_operand(ctx, op, i)?;
        if t.element != first.element || t.rank() != first.rank() {
            return Err(ctx.op_error(
                op,
                format!(
                    "operand #{i} of type {} does not match operand #0 of type {} in rank or element type",
                    operand_ty(ctx, op, i),
                    operand_ty(ctx, op, 0)
                ),
            ));
        }
        for (d, (acc, cur)) in dims.iter_mut().zip(&t.dims).enumerate() {
            if d == dim {
                *acc = match (*acc, *cur) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            } else if let (Some(a), Some(b)) = (*acc, *cur) {
                if a != b {
                    return Err(ctx.op_error(
                        op,
                        format!(
                            "operand #{i} of type {} does not match operand #0 of type {} in dim {d}",
                            operand_ty(ctx, op, i),
                            operand_ty(ctx, op, 0)
                        ),
                    ));
                }
            } else if acc.is_none() {
                *acc = *cur;
            }
        }
    }
    check_result(ctx, op, &dims, first.element)
}

/// `array.reduce`: kind, dims, keepdims.
pub fn verify_reduce(ctx: &Context, op: OpId) -> DiagResult {
    let kind = str_attr(ctx, op, "kind")?;
    if !REDUCE_KINDS.contains(&kind) {
        return Err(ctx.op_error(
            op,
            format!("unknown reduction '{kind}'; expected one of {}", REDUCE_KINDS.join(", ")),
        ));
    }
    let x = tensor_operand(ctx, op, 0)?;
    let dims = i64_array_attr(ctx, op, "dims")
        .ok_or_else(|| ctx.op_error(op, "requires attribute 'dims' of type array<i64>"))?;
    let mut reduced = vec![false; x.rank()];
    for &d in &dims {
        let d = check_dim_in_range(ctx, op, "reduction dim", d, x.rank())?;
        if std::mem::replace(&mut reduced[d], true) {
            return Err(ctx.op_error(op, format!("reduction dim {d} appears twice")));
        }
    }
    let elem_kind = element_kind(ctx, x.element).expect("checked by tensor_operand");
    let element = match kind {
        "argmax" | "argmin" => {
            if dims.len() != 1 {
                return Err(ctx.op_error(op, format!("{kind} takes exactly one dim, but got {}", dims.len())));
            }
            ctx.i64()
        }
        "any" | "all" => ctx.i1(),
        "mean" if elem_kind != ElementKind::Float => {
            return Err(
                ctx.op_error(op, format!("mean needs float elements, but got {}", operand_ty(ctx, op, 0)))
            )
        }
        "sum" | "prod" if elem_kind == ElementKind::Bool => {
            return Err(ctx.op_error(
                op,
                format!("{kind} is not defined on i1 elements; use 'any'/'all' or cast first"),
            ))
        }
        _ => x.element,
    };
    let keepdims = keepdims(ctx, op);
    let out: Vec<Dim> = x
        .dims
        .iter()
        .zip(&reduced)
        .filter_map(|(d, r)| match (r, keepdims) {
            (false, _) => Some(*d),
            (true, true) => Some(Some(1)),
            (true, false) => None,
        })
        .collect();
    check_result(ctx, op, &out, element)
}

/// Whether `array.reduce` keeps reduced dims: a `keepdims` attribute that is
/// unit or `true` (a generic-form `keepdims = false` means no).
pub fn keepdims(ctx: &Context, op: OpId) -> bool {
    ctx.attr(op, "keepdims").is_some_and(|a| ctx.attr_as_int(a) != Some(0))
}

/// `array.matmul`: `numpy.matmul` shape rules.
pub fn verify_matmul(ctx: &Context, op: OpId) -> DiagResult {
    let a = tensor_operand(ctx, op, 0)?;
    let b = tensor_operand(ctx, op, 1)?;
    same_element_type(ctx, op, (0, &a), (1, &b), "")?;
    if element_kind(ctx, a.element) == Some(ElementKind::Bool) {
        return Err(ctx.op_error(op, "matmul is not defined on i1 elements"));
    }
    let dims = matmul_shape(&a.dims, &b.dims).map_err(|why| {
        ctx.op_error(op, format!("{why}: {} and {}", operand_ty(ctx, op, 0), operand_ty(ctx, op, 1)))
    })?;
    check_result(ctx, op, &dims, a.element)
}

/// The result shape of `numpy.matmul(a, b)`.
pub fn matmul_shape(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, &'static str> {
    if a.is_empty() || b.is_empty() {
        return Err("matmul operands must have rank at least 1");
    }
    let a2: Vec<Dim> = if a.len() == 1 { vec![Some(1), a[0]] } else { a.to_vec() };
    let b2: Vec<Dim> = if b.len() == 1 { vec![b[0], Some(1)] } else { b.to_vec() };
    let (ak, bk) = (a2[a2.len() - 1], b2[b2.len() - 2]);
    if let (Some(x), Some(y)) = (ak, bk) {
        if x != y {
            return Err("contracting dims differ");
        }
    }
    let batch = broadcast_shapes(&a2[..a2.len() - 2], &b2[..b2.len() - 2])
        .ok_or("batch dims are not broadcast compatible")?;
    let mut out = batch;
    if a.len() > 1 {
        out.push(a2[a2.len() - 2]);
    }
    if b.len() > 1 {
        out.push(b2[b2.len() - 1]);
    }
    Ok(out)
}

/// `array.constant`: the result type is the value's type.
pub fn verify_constant(ctx: &Context, op: OpId) -> DiagResult {
    let attr = ctx.attr(op, "value").ok_or_else(|| ctx.op_error(op, "requires attribute 'value'"))?;
    let AttributeData::DenseElements { ty, .. } = ctx.attr_data(attr) else {
        return Err(ctx.op_error(op, "attribute 'value' must be a dense elements attribute"));
    };
    if *ty != ctx.value_type(ctx.result(op, 0)) {
        return Err(ctx.op_error(
            op,
            format!("value type {} does not match result type {}", ty_str(ctx, *ty), result_ty(ctx, op)),
        ));
    }
    let r = tensor_result(ctx, op)?;
    if element_kind(ctx, r.element).is_none() {
        return Err(ctx.op_error(op, format!("unsupported element type in {}", result_ty(ctx, op))));
    }
    Ok(())
}

/// `array.iota`: a static shape and a dim in range.
pub fn verify_iota(ctx: &Context, op: OpId) -> DiagResult {
    let r = tensor_result(ctx, op)?;
    let dim = int_attr(ctx, op, "dim")?;
    check_dim_in_range(ctx, op, "dim", dim, r.rank())?;
    if r.static_num_elements().is_none() {
        return Err(ctx.op_error(op, format!("result {} must have a static shape", result_ty(ctx, op))));
    }
    match element_kind(ctx, r.element) {
        Some(ElementKind::Int | ElementKind::Float) => Ok(()),
        _ => Err(ctx.op_error(
            op,
            format!("result must have integer or float elements, but got {}", result_ty(ctx, op)),
        )),
    }
}

/// `array.dim`: an index in range, an `index` result.
pub fn verify_dim(ctx: &Context, op: OpId) -> DiagResult {
    let x = tensor_operand(ctx, op, 0)?;
    let index = int_attr(ctx, op, "index")?;
    check_dim_in_range(ctx, op, "index", index, x.rank())?;
    if !matches!(ctx.type_data(ctx.value_type(ctx.result(op, 0))), axir_ir::TypeData::Index) {
        return Err(ctx.op_error(op, format!("result must be of type index, but got {}", result_ty(ctx, op))));
    }
    Ok(())
}

// ----- declarations ----------------------------------------------------------

const PURE: OpTraits = OpTraits::PURE;

declare_op! {
    /// A constant array.
    ///
    /// The `value` is a dense elements attribute whose type is the result type.
    ///
    /// ```axir
    /// %c = array.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    /// %s = array.constant dense<0.5> : tensor<f32>
    /// ```
    pub struct ConstantOp = "array.constant";
    summary = "constant array";
    traits(PURE | OpTraits::CONSTANT_LIKE);
    results(Arity::Exact(1));
    verifier(verify_constant);
}

declare_op! {
    /// Indices along one dim, like `numpy.indices(shape)[dim]`.
    ///
    /// ```axir
    /// %i = array.iota dim 1 : tensor<4x8xi64>
    /// ```
    pub struct IotaOp = "array.iota";
    summary = "index values along a dim";
    traits(PURE);
    results(Arity::Exact(1));
    verifier(verify_iota);
}

declare_op! {
    /// The size of one dim of an array, as an `index`.
    ///
    /// ```axir
    /// %n = array.dim %x, 0 : tensor<?x8xf32> -> index
    /// ```
    pub struct DimOp = "array.dim";
    summary = "size of a dim";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_dim);
}

declare_op! {
    /// Elementwise comparison with numpy broadcasting; the result is `i1`.
    /// Predicates: `eq ne lt le gt ge`; NaN compares like IEEE (only `ne` holds).
    ///
    /// ```axir
    /// %m = array.cmp lt %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    /// ```
    pub struct CmpOp = "array.cmp";
    summary = "elementwise comparison";
    traits(PURE | OpTraits::ELEMENTWISE);
    operands(Arity::Exact(2));
    results(Arity::Exact(1));
    verifier(verify_cmp);
}

declare_op! {
    /// Elementwise choice with three-way broadcasting, like `numpy.where`.
    ///
    /// ```axir
    /// %w = array.select %m, %x, %s : tensor<4xi1>, tensor<4xf32>, tensor<f32> -> tensor<4xf32>
    /// ```
    pub struct SelectOp = "array.select";
    summary = "elementwise select";
    traits(PURE | OpTraits::ELEMENTWISE);
    operands(Arity::Exact(3));
    results(Arity::Exact(1));
    verifier(verify_select);
}

declare_op! {
    /// Elementwise conversion of the element type. Float to integer truncates
    /// toward zero; integer to float rounds to nearest; to `i1` is `!= 0`.
    ///
    /// ```axir
    /// %k = array.cast %x : tensor<4xf32> -> tensor<4xi32>
    /// ```
    pub struct CastOp = "array.cast";
    summary = "element type conversion";
    traits(PURE | OpTraits::ELEMENTWISE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_cast);
}

declare_op! {
    /// Broadcasts to a larger shape, like `numpy.broadcast_to`.
    ///
    /// ```axir
    /// %b2 = array.broadcast %b : tensor<8xf32> -> tensor<4x8xf32>
    /// ```
    pub struct BroadcastOp = "array.broadcast";
    summary = "broadcast to a shape";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_broadcast);
}

declare_op! {
    /// Reinterprets the elements (in C order) with a new shape.
    ///
    /// ```axir
    /// %r = array.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
    /// ```
    pub struct ReshapeOp = "array.reshape";
    summary = "change the shape";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_reshape);
}

declare_op! {
    /// Permutes dims: result dim `i` is operand dim `permutation[i]`.
    ///
    /// ```axir
    /// %t = array.transpose %x [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
    /// ```
    pub struct TransposeOp = "array.transpose";
    summary = "permute dims";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_transpose);
}

declare_op! {
    /// numpy basic slicing with static `start:stop:step` per dim.
    ///
    /// ```axir
    /// %v = array.slice %x [1:4, ::2] : tensor<8x8xf32> -> tensor<3x4xf32>
    /// ```
    pub struct SliceOp = "array.slice";
    summary = "basic slicing";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_slice);
}

declare_op! {
    /// Concatenates arrays along `dim`.
    ///
    /// ```axir
    /// %j = array.concat %x, %y dim 0 : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<5x4xf32>
    /// ```
    pub struct ConcatOp = "array.concat";
    summary = "concatenate along a dim";
    traits(PURE);
    operands(Arity::AtLeast(1));
    results(Arity::Exact(1));
    verifier(verify_concat);
}

declare_op! {
    /// Reduces over a set of dims: `sum prod max min mean any all argmax argmin`.
    /// `keepdims` keeps reduced dims with size 1. Empty reductions give
    /// numpy's identity (sum 0, prod 1, any false, all true); max/min/argmax/
    /// argmin of an empty dim are errors at run time, as in numpy.
    ///
    /// ```axir
    /// %u = array.reduce sum %x dims [1] : tensor<4x8xf32> -> tensor<4xf32>
    /// %q = array.reduce max %x dims [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
    /// ```
    pub struct ReduceOp = "array.reduce";
    summary = "reduction over dims";
    traits(PURE);
    operands(Arity::Exact(1));
    results(Arity::Exact(1));
    verifier(verify_reduce);
}

declare_op! {
    /// Matrix product following `numpy.matmul`: 1-D operands are promoted,
    /// batch dims broadcast.
    ///
    /// ```axir
    /// %p = array.matmul %a, %w : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
    /// ```
    pub struct MatmulOp = "array.matmul";
    summary = "matrix product";
    traits(PURE);
    operands(Arity::Exact(2));
    results(Arity::Exact(1));
    verifier(verify_matmul);
}

/// Declares the unary elementwise ops, each with its doc and example.
macro_rules! unary_ops {
    ($($ty:ident = $name:literal, $summary:literal;)*) => {$(
        declare_op! {
            #[doc = concat!("Elementwise ", $summary, ". See the table of element rules in `UNARY_OPS`.")]
            #[doc = ""]
            #[doc = "```axir"]
            #[doc = concat!("%y = ", $name, " %x : tensor<4x8xf32>")]
            #[doc = "```"]
            pub struct $ty = $name;
            summary = $summary;
            traits(PURE | OpTraits::ELEMENTWISE);
            operands(Arity::Exact(1));
            results(Arity::Exact(1));
            verifier(verify_unary);
        }
    )*};
}

/// Declares the binary elementwise ops, each with its doc and example.
macro_rules! binary_ops {
    ($($ty:ident = $name:literal, $summary:literal, $traits:expr;)*) => {$(
        declare_op! {
            #[doc = concat!("Elementwise ", $summary, " with numpy broadcasting.")]
            #[doc = ""]
            #[doc = "```axir"]
            #[doc = concat!("%z = ", $name, " %x, %b : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>")]
            #[doc = "```"]
            pub struct $ty = $name;
            summary = $summary;
            traits($traits);
            operands(Arity::Exact(2));
            results(Arity::Exact(1));
            verifier(verify_binary);
        }
    )*};
}

unary_ops! {
    NegOp = "array.neg", "negation (integers wrap)";
    AbsOp = "array.abs", "absolute value (integers wrap)";
    SignOp = "array.sign", "sign: -1, 0 or 1 (NaN stays NaN)";
    ExpOp = "array.exp", "natural exponential";
    Exp2Op = "array.exp2", "base-2 exponential";
    Expm1Op = "array.expm1", "exp(x) - 1, accurate near 0";
    LogOp = "array.log", "natural logarithm";
    Log2Op = "array.log2", "base-2 logarithm";
    Log10Op = "array.log10", "base-10 logarithm";
    Log1pOp = "array.log1p", "log(1 + x), accurate near 0";
    SqrtOp = "array.sqrt", "square root";
    RsqrtOp = "array.rsqrt", "reciprocal square root";
    SquareOp = "array.square", "square (integers wrap)";
    SinOp = "array.sin", "sine";
    CosOp = "array.cos", "cosine";
    TanOp = "array.tan", "tangent";
    AsinOp = "array.asin", "arc sine";
    AcosOp = "array.acos", "arc cosine";
    AtanOp = "array.atan", "arc tangent";
    SinhOp = "array.sinh", "hyperbolic sine";
    CoshOp = "array.cosh", "hyperbolic cosine";
    TanhOp = "array.tanh", "hyperbolic tangent";
    AsinhOp = "array.asinh", "inverse hyperbolic sine";
    AcoshOp = "array.acosh", "inverse hyperbolic cosine";
    AtanhOp = "array.atanh", "inverse hyperbolic tangent";
    ErfOp = "array.erf", "error function";
    SigmoidOp = "array.sigmoid", "logistic sigmoid 1 / (1 + exp(-x))";
    FloorOp = "array.floor", "floor";
    CeilOp = "array.ceil", "ceiling";
    RoundOp = "array.round", "rounding half to even";
    TruncOp = "array.trunc", "rounding toward zero";
    NotOp = "array.not", "logical (i1) or bitwise (integers) not";
    IsNanOp = "array.isnan", "NaN test, giving i1";
    IsInfOp = "array.isinf", "infinity test, giving i1";
    IsFiniteOp = "array.isfinite", "finiteness test, giving i1";
}

binary_ops! {
    AddOp = "array.add", "addition (integers wrap)", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    SubOp = "array.sub", "subtraction (integers wrap)", PURE | OpTraits::ELEMENTWISE;
    MulOp = "array.mul", "multiplication (integers wrap)", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    DivOp = "array.div", "division (floor division for integers, 0 on division by zero)", PURE | OpTraits::ELEMENTWISE;
    RemOp = "array.rem", "remainder with the sign of the divisor (numpy %)", PURE | OpTraits::ELEMENTWISE;
    FmodOp = "array.fmod", "C fmod remainder with the sign of the dividend", PURE | OpTraits::ELEMENTWISE;
    PowOp = "array.pow", "power", PURE | OpTraits::ELEMENTWISE;
    MaxOp = "array.max", "maximum propagating NaN (numpy.maximum)", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    MinOp = "array.min", "minimum propagating NaN (numpy.minimum)", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    Atan2Op = "array.atan2", "two-argument arc tangent", PURE | OpTraits::ELEMENTWISE;
    HypotOp = "array.hypot", "hypotenuse sqrt(x*x + y*y) without overflow", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    CopysignOp = "array.copysign", "magnitude of x with the sign of y", PURE | OpTraits::ELEMENTWISE;
    NextafterOp = "array.nextafter", "next representable value after x toward y", PURE | OpTraits::ELEMENTWISE;
    AndOp = "array.and", "logical (i1) or bitwise (integers) and", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    OrOp = "array.or", "logical (i1) or bitwise (integers) or", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
    XorOp = "array.xor", "logical (i1) or bitwise (integers) exclusive or", PURE | OpTraits::ELEMENTWISE | OpTraits::COMMUTATIVE;
}
