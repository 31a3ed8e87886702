//! Conversions between IR element types / dense attributes and
//! [`axir_ndarray`] arrays, shared by the folder and the interpreter.

use axir_ir::{Attribute, AttributeData, Context, DenseData, FloatKind, Signedness, Type, TypeData};
use axir_ndarray::{bf16, f16, DType, Data, NdArray};

/// The ndarray dtype of an IR element type.
pub fn dtype_of(ctx: &Context, element: Type) -> Option<DType> {
    Some(match ctx.type_data(element) {
        TypeData::Integer { width: 1, signedness: Signedness::Signless } => DType::I1,
        TypeData::Integer { width: 8, signedness: Signedness::Signless } => DType::I8,
        TypeData::Integer { width: 16, signedness: Signedness::Signless } => DType::I16,
        TypeData::Integer { width: 32, signedness: Signedness::Signless } => DType::I32,
        TypeData::Integer { width: 64, signedness: Signedness::Signless } => DType::I64,
        TypeData::Integer { width: 8, signedness: Signedness::Unsigned } => DType::U8,
        TypeData::Float(FloatKind::F16) => DType::F16,
        TypeData::Float(FloatKind::BF16) => DType::BF16,
        TypeData::Float(FloatKind::F32) => DType::F32,
        TypeData::Float(FloatKind::F64) => DType::F64,
        _ => return None,
    })
}

/// The IR element type of an ndarray dtype.
pub fn element_type_of(ctx: &mut Context, dtype: DType) -> Type {
    match dtype {
        DType::I1 => ctx.integer_type(1),
        DType::I8 => ctx.integer_type(8),
        DType::I16 => ctx.integer_type(16),
        DType::I32 => ctx.integer_type(32),
        DType::I64 => ctx.integer_type(64),
        DType::U8 => ctx.intern_type(TypeData::Integer { width: 8, signedness: Signedness::Unsigned }),
        DType::F16 => ctx.float_type(FloatKind::F16),
        DType::BF16 => ctx.float_type(FloatKind::BF16),
        DType::F32 => ctx.f32_type(),
        DType::F64 => ctx.f64_type(),
    }
}

/// The array held by a `dense<...>` attribute of a static tensor type.
pub fn attr_to_array(ctx: &Context, attr: Attribute) -> Option<NdArray> {
    let AttributeData::DenseElements { ty, data } = ctx.attr_data(attr) else { return None };
    let shape: Vec<usize> = ctx
        .type_data(*ty)
        .shape()?
        .iter()
        .map(|d| d.and_then(|n| usize::try_from(n).ok()))
        .collect::<Option<_>>()?;
    let dtype = dtype_of(ctx, ctx.type_data(*ty).element_type()?)?;
    let count: usize = shape.iter().product();
    let expand = |stored: usize| -> Option<Vec<usize>> {
        // One stored element is a splat.
        match stored {
            1 => Some(vec![0; count]),
            n if n == count => Some((0..count).collect()),
            _ => None,
        }
    };
    let data = match data {
        DenseData::Int(v) => {
            let idx = expand(v.len())?;
            let get = |i: usize| v[i];
            match dtype {
                DType::I1 => Data::I1(idx.iter().map(|&i| get(i) != 0).collect()),
                DType::I8 => Data::I8(idx.iter().map(|&i| get(i) as i8).collect()),
                DType::I16 => Data::I16(idx.iter().map(|&i| get(i) as i16).collect()),
                DType::I32 => Data::I32(idx.iter().map(|&i| get(i) as i32).collect()),
                DType::I64 => Data::I64(idx.iter().map(|&i| get(i)).collect()),
                DType::U8 => Data::U8(idx.iter().map(|&i| get(i) as u8).collect()),
                _ => return None,
            }
        }
        DenseData::Float(v) => {
            let idx = expand(v.len())?;
            let get = |i: usize| f64::from_bits(v[i]);
            match dtype {
                DType::F16 => Data::F16(idx.iter().map(|&i| f16::from_f64(get(i))).collect()),
                DType::BF16 => Data::BF16(idx.iter().map(|&i| bf16::from_f64(get(i))).collect()),
                DType::F32 => Data::F32(idx.iter().map(|&i| get(i) as f32).collect()),
                DType::F64 => Data::F64(idx.iter().map(|&i| get(i)).collect()),
                _ => return None,
            }
        }
    };
    NdArray::new(shape, data).ok()
}

/// A `dense<...>` attribute holding `array`; a splat when all elements are
/// bitwise equal.
pub fn array_to_attr(ctx: &mut Context, array: &NdArray) -> Attribute {
    let element = element_type_of(ctx, array.dtype());
    let dims = array.shape().iter().map(|&d| Some(d as u64)).collect();
    let ty = ctx.tensor_type(dims, element);
    let mut data = match array.data() {
        Data::I1(v) => DenseData::Int(v.iter().map(|&b| b as i64).collect()),
        Data::I8(v) => DenseData::Int(v.iter().map(|&x| x as i64).collect()),
        Data::I16(v) => DenseData::Int(v.iter().map(|&x| x as i64).collect()),
        Data::I32(v) => DenseData::Int(v.iter().map(|&x| x as i64).collect()),
        Data::I64(v) => DenseData::Int(v.clone()),
        Data::U8(v) => DenseData::Int(v.iter().map(|&x| x as i64).collect()),
        Data::F16(v) => DenseData::Float(v.iter().map(|x| x.to_f64().to_bits()).collect()),
        Data::BF16(v) => DenseData::Float(v.iter().map(|x| x.to_f64().to_bits()).collect()),
        Data::F32(v) => DenseData::Float(v.iter().map(|&x| (x as f64).to_bits()).collect()),
        Data::F64(v) => DenseData::Float(v.iter().map(|x| x.to_bits()).collect()),
    };
    match &mut data {
        DenseData::Int(v) if v.len() > 1 && v.iter().all(|x| *x == v[0]) => v.truncate(1),
        DenseData::Float(v) if v.len() > 1 && v.iter().all(|x| *x == v[0]) => v.truncate(1),
        _ => {}
    }
    ctx.intern_attr(AttributeData::DenseElements { ty, data })
}
