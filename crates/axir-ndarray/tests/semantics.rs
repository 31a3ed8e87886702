//! Hand-written checks of semantics the numpy fixtures do not pin down, and
//! of the error contract (typed errors that name what went wrong).

use axir_ndarray::{
    binary, broadcast_shapes, cast, concat, matmul, reduce, reshape, slice, unary, BinaryOp, CmpPredicate,
    DType, NdArray, NdError, ReduceKind, SliceSpec, UnaryOp,
};

fn v<T: axir_ndarray::Element>(values: Vec<T>) -> NdArray {
    NdArray::from_vec(vec![values.len()], values).expect("valid vector")
}

#[test]
fn names_round_trip() {
    for &op in UnaryOp::ALL {
        assert_eq!(UnaryOp::from_name(op.name()).expect("name"), op);
    }
    for &op in BinaryOp::ALL {
        assert_eq!(BinaryOp::from_name(op.name()).expect("name"), op);
    }
    for &p in CmpPredicate::ALL {
        assert_eq!(CmpPredicate::from_name(p.name()).expect("name"), p);
    }
    for &k in ReduceKind::ALL {
        assert_eq!(ReduceKind::from_name(k.name()).expect("name"), k);
    }
    for d in DType::ALL {
        assert_eq!(DType::from_name(d.name()).expect("name"), d);
    }
    assert_eq!(UnaryOp::ALL.len(), 35);
    assert_eq!(BinaryOp::ALL.len(), 16);
    assert!(matches!(UnaryOp::from_name("cbrt"), Err(NdError::UnknownName { .. })));
}

#[test]
fn integer_wrapping() {
    let r = binary(BinaryOp::Add, &v(vec![127i8]), &v(vec![1i8])).expect("add");
    assert_eq!(r, v(vec![-128i8]));
    let r = binary(BinaryOp::Div, &v(vec![i64::MIN]), &v(vec![-1i64])).expect("div");
    assert_eq!(r, v(vec![i64::MIN]));
    let r = unary(UnaryOp::Abs, &v(vec![-128i8])).expect("abs");
    assert_eq!(r, v(vec![-128i8]));
    let r = binary(BinaryOp::Pow, &v(vec![3i8]), &v(vec![5i8])).expect("pow");
    assert_eq!(r, v(vec![(243u8) as i8]));
    assert!(matches!(
        binary(BinaryOp::Pow, &v(vec![2i32]), &v(vec![-1i32])),
        Err(NdError::NegativeIntegerPower)
    ));
}

#[test]
fn errors_name_their_inputs() {
    let e = binary(BinaryOp::Add, &NdArray::zeros(DType::F32, vec![2, 3]).expect("z"), &v(vec![1f32, 2.0]))
        .expect_err("incompatible");
    assert_eq!(e.to_string(), "shapes [2, 3] and [2] cannot be broadcast together");
    let e = unary(UnaryOp::Exp, &v(vec![1i32])).expect_err("float only");
    assert_eq!(e.to_string(), "'exp' does not support element type i32");
    assert!(matches!(broadcast_shapes(&[3], &[4]), Err(NdError::Broadcast { .. })));
    assert!(matches!(reshape(&v(vec![1u8, 2]), &[3]), Err(NdError::Reshape { .. })));
    assert!(matches!(concat(&[], 0), Err(NdError::EmptyConcat)));
    assert!(matches!(matmul(&NdArray::scalar(1f32), &v(vec![1f32])), Err(NdError::MatmulRank)));
}

#[test]
fn extreme_slices_do_not_overflow() {
    let x = v((0..10i32).collect());
    for step in [i64::MIN, i64::MAX, -1, 1] {
        for bound in [None, Some(i64::MIN), Some(i64::MAX), Some(-1), Some(0)] {
            let s = slice(&x, &[SliceSpec::new(bound, bound.map(|b| b.wrapping_neg()), Some(step))]);
            let r = s.expect("valid slice");
            assert!(r.len() <= 10);
        }
    }
    assert!(matches!(slice(&x, &[SliceSpec::new(None, None, Some(0))]), Err(NdError::ZeroStep(0))));
}

#[test]
fn huge_shapes_are_errors_not_aborts() {
    assert!(matches!(NdArray::zeros(DType::F64, vec![usize::MAX, 2]), Err(NdError::TooLarge(_))));
    assert!(matches!(NdArray::zeros(DType::F64, vec![1 << 60]), Err(NdError::TooLarge(_))));
    let a = NdArray::zeros(DType::F32, vec![1 << 31, 0]).expect("empty");
    let b = NdArray::zeros(DType::F32, vec![0, 1 << 31]).expect("empty");
    assert!(matches!(matmul(&a, &b), Err(NdError::TooLarge(_))));
    let one = NdArray::scalar(1u8);
    assert!(matches!(axir_ndarray::broadcast_to(&one, &[1 << 62]), Err(NdError::TooLarge(_))));
}

#[test]
fn cast_rules() {
    let x = v(vec![f32::NAN, 1e10, -1e10, -2.7, 2.7]);
    assert_eq!(cast(&x, DType::I32).expect("cast"), v(vec![0i32, i32::MAX, i32::MIN, -2, 2]));
    assert_eq!(cast(&x, DType::U8).expect("cast"), v(vec![0u8, 255, 0, 0, 2]));
    assert_eq!(cast(&x, DType::I1).expect("cast"), v(vec![true, true, true, true, true]));
    assert_eq!(cast(&v(vec![300i32, -1]), DType::U8).expect("cast"), v(vec![44u8, 255]));
}

#[test]
fn reductions_keep_dtype() {
    let x = v(vec![100i8, 100, 100]);
    assert_eq!(reduce(ReduceKind::Sum, &x, &[0], false).expect("sum"), NdArray::scalar(44i8));
    let b = v(vec![true, true]);
    assert_eq!(reduce(ReduceKind::Sum, &b, &[0], false).expect("sum"), NdArray::scalar(true));
    assert!(matches!(reduce(ReduceKind::Mean, &x, &[0], false), Err(NdError::UnsupportedDType { .. })));
    let e = NdArray::zeros(DType::F32, vec![0]).expect("empty");
    let m = reduce(ReduceKind::Mean, &e, &[0], false).expect("mean");
    assert!(m.as_slice::<f32>().expect("f32")[0].is_nan());
    assert!(matches!(reduce(ReduceKind::Max, &e, &[0], false), Err(NdError::EmptyReduction("max"))));
}

#[test]
fn display_is_numpy_repr() {
    let x = NdArray::from_vec(vec![2, 2], vec![1f32, 2.0, 3.0, 4.0]).expect("2x2");
    assert_eq!(x.to_string(), "array([[1., 2.],\n       [3., 4.]], dtype=float32)");
    assert_eq!(NdArray::scalar(true).to_string(), "array(True)");
}

#[test]
fn equality_helpers() {
    let a = v(vec![f64::NAN, -0.0, 1.0]);
    let b = v(vec![-f64::NAN, 0.0, 1.0 + f64::EPSILON]);
    assert!(a.bit_eq(&a) && !a.bit_eq(&b));
    assert!(!a.same_values(&b));
    assert!(a.allclose(&b, 1e-12, 0.0));
    assert!(a.ulp_close(&b, 1));
    assert!(!a.ulp_close(&v(vec![f64::NAN, 0.0, 1.0 + 4.0 * f64::EPSILON]), 1));
}
