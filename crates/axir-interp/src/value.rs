//! Run-time values of every level: arrays, scalars, vectors and buffers.
//!
//! A scalar is an exact [`Scalar`] of the arith dialect's folders: an
//! [`ApInt`] of its width (`index` is 64 bits) or an [`ApFloat`] in its own
//! format, so run-time arithmetic and folding agree bit for bit.
//!
//! A buffer (a `memref` value) is a view: shared storage plus an offset,
//! sizes and strides, all in elements. **Views share storage**: a store
//! through one is seen through every other. Storage is a flat vector of
//! scalars behind `Rc<RefCell<_>>`: interior mutability lives in run-time
//! values only, never in the IR. Freed storage is `None`, so any access
//! after `loop.dealloc` is an error instead of a stale read.

use axir_arith::apfloat::ApFloat;
use axir_arith::apint::ApInt;
use axir_arith::fold::{element_kind, ElementKind, Scalar};
use axir_ir::{Context, FloatKind, Type, TypeData};
use axir_ndarray::{bf16, f16, DType, Data, NdArray};
use std::cell::RefCell;
use std::rc::Rc;

/// A run-time value of any level.
#[derive(Clone, Debug)]
pub enum RunValue {
    /// A tensor.
    Array(NdArray),
    /// A scalar of any element type, `index` included.
    Scalar(Scalar),
    /// A vector.
    Vector(VectorValue),
    /// A buffer view.
    Buffer(Buffer),
}

impl RunValue {
    /// An `index` value.
    pub fn index(n: i64) -> RunValue {
        RunValue::Scalar(Scalar::Int(ApInt::from_i128(64, i128::from(n))))
    }

    /// What kind of value this is, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            RunValue::Array(_) => "an array",
            RunValue::Scalar(_) => "a scalar",
            RunValue::Vector(_) => "a vector",
            RunValue::Buffer(_) => "a buffer",
        }
    }
}

/// A vector value: a static shape and its lanes in row-major order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorValue {
    /// The vector's shape.
    pub shape: Vec<usize>,
    /// The lanes, `product(shape)` of them.
    pub elems: Vec<Scalar>,
}

/// The storage of a buffer: its elements, or `None` once freed.
#[derive(Debug)]
struct Storage {
    cells: RefCell<Option<Vec<Scalar>>>,
    /// Made by `loop.alloc` (and so freeable by `loop.dealloc`).
    allocated: bool,
}

/// A `memref` value: a view of shared storage.
///
/// Invariant: every element the view can reach (each index in `[0, size)`)
/// lies inside its storage; constructors check it.
#[derive(Clone, Debug)]
pub struct Buffer {
    storage: Rc<Storage>,
    /// Offset of element `[0, ..., 0]` in the storage, in elements.
    pub offset: i64,
    /// Size of each dim.
    pub sizes: Vec<i64>,
    /// Stride of each dim, in elements (0 repeats one element).
    pub strides: Vec<i64>,
}

/// The most elements a buffer may have in the interpreter (each element is
/// an exact scalar of a few dozen bytes).
pub const MAX_ELEMENTS: usize = 1 << 26;

/// Row-major strides of `sizes`.
pub fn contiguous_strides(sizes: &[i64]) -> Vec<i64> {
    let mut strides = vec![1i64; sizes.len()];
    let mut acc = 1i64;
    for i in (0..sizes.len()).rev() {
        strides[i] = acc;
        acc = acc.saturating_mul(sizes[i].max(1));
    }
    strides
}

/// The number of elements of `sizes`, if it fits memory indexing.
fn element_count(sizes: &[i64]) -> Result<usize, String> {
    sizes.iter().try_fold(1usize, |acc, &s| {
        let s = usize::try_from(s).map_err(|_| format!("negative size {s}"))?;
        acc.checked_mul(s).ok_or_else(|| "the buffer is too large".to_string())
    })
}

/// Formats a shape or index list as `(2, 3)`.
pub fn tuple_str(values: &[i64]) -> String {
    if values.len() == 1 {
        return format!("({},)", values[0]);
    }
    format!("({})", values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "))
}

impl Buffer {
    /// A fresh contiguous buffer of `sizes` filled with `fill`.
    pub fn alloc(sizes: Vec<i64>, fill: Scalar, allocated: bool) -> Result<Buffer, String> {
        let n = element_count(&sizes)?;
        // Refuse absurd sizes instead of aborting on allocation failure.
        if n > MAX_ELEMENTS {
            return Err(format!("cannot allocate {n} elements: the interpreter's limit is {MAX_ELEMENTS}"));
        }
        let strides = contiguous_strides(&sizes);
        let storage = Rc::new(Storage { cells: RefCell::new(Some(vec![fill; n])), allocated });
        Ok(Buffer { storage, offset: 0, sizes, strides })
    }

    /// A fresh contiguous buffer holding a copy of `a`.
    pub fn from_array(a: &NdArray) -> Buffer {
        let sizes: Vec<i64> = a.shape().iter().map(|&d| d as i64).collect();
        let strides = contiguous_strides(&sizes);
        let storage = Rc::new(Storage { cells: RefCell::new(Some(scalars_of_array(a))), allocated: false });
        Buffer { storage, offset: 0, sizes, strides }
    }

    /// The rank.
    pub fn rank(&self) -> usize {
        self.sizes.len()
    }

    /// Whether this view and `other` share storage.
    pub fn same_storage(&self, other: &Buffer) -> bool {
        Rc::ptr_eq(&self.storage, &other.storage)
    }

    fn storage_len(&self) -> Result<usize, String> {
        match &*self.storage.cells.borrow() {
            Some(cells) => Ok(cells.len()),
            None => Err("use of a buffer after loop.dealloc".into()),
        }
    }

    /// A view of the same storage; checks that every element it reaches is
    /// inside the storage.
    pub fn view(&self, offset: i64, sizes: Vec<i64>, strides: Vec<i64>) -> Result<Buffer, String> {
        let len = self.storage_len()? as i128;
        if let Some(s) = sizes.iter().find(|s| **s < 0) {
            return Err(format!("negative size {s}"));
        }
        if !sizes.contains(&0) {
            let (mut lo, mut hi) = (i128::from(offset), i128::from(offset));
            for (&n, &s) in sizes.iter().zip(&strides) {
                let reach = i128::from(n - 1) * i128::from(s);
                if reach < 0 {
                    lo += reach;
                } else {
                    hi += reach;
                }
            }
            if lo < 0 || hi >= len {
                return Err(format!(
                    "the view with offset {offset}, sizes {} and strides {} reaches elements {lo} to {hi}, outside the storage of {len} elements",
                    tuple_str(&sizes),
                    tuple_str(&strides)
                ));
            }
        }
        Ok(Buffer { storage: Rc::clone(&self.storage), offset, sizes, strides })
    }

    /// The storage address of element `indices`, checking each index
    /// against its dim.
    pub fn address(&self, indices: &[i64]) -> Result<usize, String> {
        if indices.len() != self.rank() {
            return Err(format!("{} indices for a buffer of rank {}", indices.len(), self.rank()));
        }
        let mut addr = i128::from(self.offset);
        for (d, ((&i, &n), &s)) in indices.iter().zip(&self.sizes).zip(&self.strides).enumerate() {
            if i < 0 || i >= n {
                return Err(format!(
                    "index {} is out of bounds for a buffer of shape {} (dim {d})",
                    tuple_str(indices),
                    tuple_str(&self.sizes)
                ));
            }
            addr += i128::from(i) * i128::from(s);
        }
        usize::try_from(addr).map_err(|_| format!("address {addr} is outside the storage"))
    }

    /// Reads the element at storage address `addr`.
    pub fn read(&self, addr: usize) -> Result<Scalar, String> {
        match &*self.storage.cells.borrow() {
            Some(cells) => {
                cells.get(addr).copied().ok_or_else(|| format!("address {addr} is outside the storage"))
            }
            None => Err("use of a buffer after loop.dealloc".into()),
        }
    }

    /// Writes the element at storage address `addr`.
    pub fn write(&self, addr: usize, value: Scalar) -> Result<(), String> {
        match &mut *self.storage.cells.borrow_mut() {
            Some(cells) => match cells.get_mut(addr) {
                Some(c) => {
                    *c = value;
                    Ok(())
                }
                None => Err(format!("address {addr} is outside the storage")),
            },
            None => Err("use of a buffer after loop.dealloc".into()),
        }
    }

    /// Reads element `indices`.
    pub fn load(&self, indices: &[i64]) -> Result<Scalar, String> {
        self.read(self.address(indices)?)
    }

    /// Writes element `indices`.
    pub fn store(&self, indices: &[i64], value: Scalar) -> Result<(), String> {
        self.write(self.address(indices)?, value)
    }

    /// Frees the storage (`loop.dealloc`).
    pub fn free(&self) -> Result<(), String> {
        if !self.storage.allocated {
            return Err("loop.dealloc of a buffer that loop.alloc did not make".into());
        }
        let mut cells = self.storage.cells.borrow_mut();
        if cells.is_none() {
            return Err("loop.dealloc of a buffer that is already freed".into());
        }
        *cells = None;
        Ok(())
    }

    /// Every element in row-major order of the view.
    pub fn elements(&self) -> Result<Vec<Scalar>, String> {
        let n = element_count(&self.sizes)?;
        let mut out = Vec::with_capacity(n);
        for_each_index(&self.sizes, |idx| {
            out.push(self.load(idx)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Writes `values` (row-major order of the view) into the view.
    pub fn set_elements(&self, values: &[Scalar]) -> Result<(), String> {
        let mut it = values.iter();
        for_each_index(&self.sizes, |idx| {
            let v = it.next().ok_or("too few values for the buffer")?;
            self.store(idx, *v)
        })
    }

    /// A copy of the view's elements as an array of `dtype`.
    pub fn to_array(&self, dtype: DType) -> Result<NdArray, String> {
        let shape: Vec<usize> = self.sizes.iter().map(|&s| s as usize).collect();
        array_of_scalars(dtype, shape, &self.elements()?)
    }
}

/// Calls `f` on every index of `sizes` in row-major order.
pub fn for_each_index(sizes: &[i64], mut f: impl FnMut(&[i64]) -> Result<(), String>) -> Result<(), String> {
    if sizes.iter().any(|&s| s <= 0) {
        return Ok(());
    }
    let mut idx = vec![0i64; sizes.len()];
    loop {
        f(&idx)?;
        let mut d = sizes.len();
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < sizes[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// The ndarray dtype that holds elements of IR type `ty` (`index` as i64).
pub fn dtype_of_element(ctx: &Context, ty: Type) -> Option<DType> {
    if matches!(ctx.type_data(ty), TypeData::Index) {
        return Some(DType::I64);
    }
    axir_array::convert::dtype_of(ctx, ty)
}

/// The zero of element type `ty`.
pub fn zero_of(ctx: &Context, ty: Type) -> Option<Scalar> {
    Some(match element_kind(ctx, ty)? {
        ElementKind::Int(w) => Scalar::Int(ApInt::zero(w)),
        ElementKind::Float(k) => Scalar::Float(ApFloat::zero(k)),
    })
}

/// The elements of `a` as exact scalars, in row-major order.
pub fn scalars_of_array(a: &NdArray) -> Vec<Scalar> {
    let int = |w: u32, v: i128| Scalar::Int(ApInt::from_i128(w, v));
    match a.data() {
        Data::I1(v) => v.iter().map(|&b| int(1, i128::from(b))).collect(),
        Data::I8(v) => v.iter().map(|&x| int(8, i128::from(x))).collect(),
        Data::I16(v) => v.iter().map(|&x| int(16, i128::from(x))).collect(),
        Data::I32(v) => v.iter().map(|&x| int(32, i128::from(x))).collect(),
        Data::I64(v) => v.iter().map(|&x| int(64, i128::from(x))).collect(),
        Data::U8(v) => v.iter().map(|&x| int(8, i128::from(x))).collect(),
        Data::F16(v) => v
            .iter()
            .map(|x| Scalar::Float(ApFloat::from_bits(FloatKind::F16, u64::from(x.to_bits()))))
            .collect(),
        Data::BF16(v) => v
            .iter()
            .map(|x| Scalar::Float(ApFloat::from_bits(FloatKind::BF16, u64::from(x.to_bits()))))
            .collect(),
        Data::F32(v) => v.iter().map(|&x| Scalar::Float(ApFloat::from_f32(x))).collect(),
        Data::F64(v) => v.iter().map(|&x| Scalar::Float(ApFloat::from_f64(x))).collect(),
    }
}

/// An array of `dtype` and `shape` holding `values`; each value must be of
/// the dtype's kind and width.
pub fn array_of_scalars(dtype: DType, shape: Vec<usize>, values: &[Scalar]) -> Result<NdArray, String> {
    let mismatch = || format!("a value does not fit the element type {}", dtype.name());
    let int = |s: &Scalar| s.int().ok_or_else(mismatch);
    let float = |s: &Scalar| s.float().ok_or_else(mismatch);
    let data = match dtype {
        DType::I1 => Data::I1(values.iter().map(|s| int(s).map(|i| !i.is_zero())).collect::<Result<_, _>>()?),
        DType::I8 => {
            Data::I8(values.iter().map(|s| int(s).map(|i| i.sext_value() as i8)).collect::<Result<_, _>>()?)
        }
        DType::I16 => {
            Data::I16(values.iter().map(|s| int(s).map(|i| i.sext_value() as i16)).collect::<Result<_, _>>()?)
        }
        DType::I32 => {
            Data::I32(values.iter().map(|s| int(s).map(|i| i.sext_value() as i32)).collect::<Result<_, _>>()?)
        }
        DType::I64 => {
            Data::I64(values.iter().map(|s| int(s).map(|i| i.sext_value() as i64)).collect::<Result<_, _>>()?)
        }
        DType::U8 => {
            Data::U8(values.iter().map(|s| int(s).map(|i| i.zext_value() as u8)).collect::<Result<_, _>>()?)
        }
        DType::F16 => Data::F16(
            values
                .iter()
                .map(|s| float(s).map(|f| f16::from_bits(f.convert(FloatKind::F16).bits() as u16)))
                .collect::<Result<_, _>>()?,
        ),
        DType::BF16 => Data::BF16(
            values
                .iter()
                .map(|s| float(s).map(|f| bf16::from_bits(f.convert(FloatKind::BF16).bits() as u16)))
                .collect::<Result<_, _>>()?,
        ),
        DType::F32 => {
            Data::F32(values.iter().map(|s| float(s).map(|f| f.to_f32())).collect::<Result<_, _>>()?)
        }
        DType::F64 => {
            Data::F64(values.iter().map(|s| float(s).map(|f| f.to_f64())).collect::<Result<_, _>>()?)
        }
    };
    NdArray::new(shape, data).map_err(|e| e.to_string())
}
