//! Loop-level programs against their array-level equivalents (run by the
//! same interpreter), the destination-passing calling convention, and
//! run-time errors that must be reported, never panic.

mod support;
use support::*;

use axir_ndarray::NdArray;
use proptest::prelude::*;

/// `x^T + y` at both levels; the loop level reads `x` through a transposed
/// view and writes a dynamic-shaped output parameter.
const TRANSPOSE_ADD: &str = r#"
func.func @array(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %t = array.transpose %x [1, 0] : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = array.add %t, %y : tensor<?x?xf32>
  return %s : tensor<?x?xf32>
}

func.func @loop(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32> {loop.output = [[1, 0], [1, 1]]}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = loop.dim %x, 0 : memref<?x?xf32>
  %n = loop.dim %x, 1 : memref<?x?xf32>
  %xt = loop.view %x offset %c0 sizes [%n, %m] strides [%c1, %n] : memref<?x?xf32> -> memref<?x?xf32, strided<[?, ?]>>
  loop.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    %a = loop.load %xt[%i, %j] : memref<?x?xf32, strided<[?, ?]>>
    %b = loop.load %y[%i, %j] : memref<?x?xf32>
    %s = arith.addf %a, %b : f32
    loop.store %s, %out[%i, %j] : memref<?x?xf32>
  }
  return
}
"#;

/// Row sums of an i64 matrix at both levels (integer sums are exact in any order).
const ROW_SUM: &str = r#"
func.func @array(%x: tensor<?x?xi64>) -> tensor<?xi64> {
  %s = array.reduce sum %x dims [1] : tensor<?x?xi64> -> tensor<?xi64>
  return %s : tensor<?xi64>
}

func.func @loop(%x: memref<?x?xi64>) -> memref<?xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %n = loop.dim %x, 0 : memref<?x?xi64>
  %m = loop.dim %x, 1 : memref<?x?xi64>
  %out = loop.alloc(%n) : memref<?xi64>
  loop.for %i = %c0 to %n step %c1 {
    %r = loop.for %j = %c0 to %m step %c1 iter_args(%acc = %zero) -> (i64) {
      %v = loop.load %x[%i, %j] : memref<?x?xi64>
      %s = arith.addi %acc, %v : i64
      loop.yield %s : i64
    }
    loop.store %r, %out[%i] : memref<?xi64>
  }
  return %out : memref<?xi64>
}
"#;

fn matrix() -> impl Strategy<Value = (usize, usize, Vec<f32>, Vec<f32>)> {
    (1usize..6, 1usize..6).prop_flat_map(|(m, n)| {
        let values = proptest::collection::vec(-1.0e3f32..1.0e3, m * n);
        (Just(m), Just(n), values.clone(), values)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn transposed_view_add_matches_array_level((m, n, x, y) in matrix()) {
        let x = f32s(&[m, n], &x);
        let y = f32s(&[n, m], &y);
        let want = run_ok(TRANSPOSE_ADD, "array", vec![x.clone(), y.clone()]);
        let got = run_ok(TRANSPOSE_ADD, "loop", vec![x, y]);
        prop_assert!(got[0].bit_eq(&want[0]), "{} vs {}", got[0], want[0]);
    }

    #[test]
    fn row_sums_match_array_level(m in 1usize..6, n in 0usize..7, seed in proptest::collection::vec(-1000i64..1000, 42)) {
        let x = NdArray::from_vec(vec![m, n], seed[..m * n].to_vec()).expect("shape");
        let want = run_ok(ROW_SUM, "array", vec![x.clone()]);
        let got = run_ok(ROW_SUM, "loop", vec![x]);
        prop_assert!(got[0].bit_eq(&want[0]), "{} vs {}", got[0], want[0]);
    }
}

#[test]
fn parallel_reductions_and_scalar_results() {
    // Sum and max of [[1, 2, 3], [4, 5, 6]], product of 1..6 in i32.
    let src = r#"
func.func @f(%x: memref<2x3xf32>, %k: memref<6xi32>) -> (f32, f32, i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -1.0e30 : f32
  %one = arith.constant 1 : i32
  %r:2 = loop.parallel (%i, %j) = (%c0, %c0) to (%c2, %c3) step (%c1, %c1) reduce(["arith.addf", "arith.maximumf"]) init(%zero, %low) -> (f32, f32) {
    %v = loop.load %x[%i, %j] : memref<2x3xf32>
    loop.yield %v, %v : f32, f32
  }
  %p = loop.parallel (%i) = (%c0) to (%c6) step (%c1) reduce(["arith.muli"]) init(%one) -> (i32) {
    %v = loop.load %k[%i] : memref<6xi32>
    loop.yield %v : i32
  }
  return %r#0, %r#1, %p : f32, f32, i32
}
"#;
    let x = f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let k = NdArray::from_vec(vec![6], vec![1i32, 2, 3, 4, 5, 6]).expect("shape");
    let r = run_ok(src, "f", vec![x, k]);
    assert_eq!(r[0].as_slice::<f32>(), Some(&[21.0f32][..]));
    assert_eq!(r[1].as_slice::<f32>(), Some(&[6.0f32][..]));
    assert_eq!(r[2].as_slice::<i32>(), Some(&[720][..]));
    assert_eq!(r[0].rank(), 0);
}

#[test]
fn views_share_storage() {
    // A store through a subview is seen through the buffer and through a
    // stride-0 view of the same storage.
    let src = r#"
func.func @f() -> (memref<2x3xi32>, i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %seven = arith.constant 7 : i32
  %b = loop.alloc() : memref<2x3xi32>
  %s = loop.subview %b[%c1, %c1] [%c1, %c2] [%c1, %c1] : memref<2x3xi32> -> memref<1x2xi32, strided<[3, 1], offset: 4>>
  loop.store %seven, %s[%c0, %c1] : memref<1x2xi32, strided<[3, 1], offset: 4>>
  %z = loop.view %b offset %c1 sizes [%c4, %c2] strides [%c0, %c4] : memref<2x3xi32> -> memref<4x2xi32, strided<[0, 4], offset: 1>>
  %v = loop.load %z[%c2, %c1] : memref<4x2xi32, strided<[0, 4], offset: 1>>
  return %b, %v : memref<2x3xi32>, i32
}
"#;
    let r = run_ok(src, "f", vec![]);
    assert_eq!(r[0].as_slice::<i32>(), Some(&[0, 0, 0, 0, 0, 7][..]));
    assert_eq!(r[1].as_slice::<i32>(), Some(&[7][..]));
}

#[test]
fn copy_between_layouts() {
    let src = r#"
func.func @f(%x: memref<2x3xf32>, %out: memref<3x2xf32> {loop.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %t = loop.view %x offset %c0 sizes [%c3, %c2] strides [%c1, %c3] : memref<2x3xf32> -> memref<3x2xf32, strided<[1, 3]>>
  loop.copy %t, %out : memref<3x2xf32, strided<[1, 3]>>, memref<3x2xf32>
  return
}
"#;
    let r = run_ok(src, "f", vec![f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]);
    assert_eq!(r[0].as_slice::<f32>(), Some(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0][..]));
    assert_eq!(r[0].shape(), &[3, 2]);
}

#[test]
fn outputs_follow_results_and_need_sizes() {
    let src = r#"
func.func @f(%x: memref<?xf32>, %out: memref<?xf32> {loop.output = [[0, 0]]}) -> index {
  %n = loop.dim %x, 0 : memref<?xf32>
  loop.copy %x, %out : memref<?xf32>, memref<?xf32>
  return %n : index
}

func.func @unsized(%x: memref<?xf32>, %out: memref<?xf32> {loop.output}) {
  return
}

func.func @bad_ref(%x: memref<?xf32>, %out: memref<?xf32> {loop.output = [[1, 0]]}) {
  return
}
"#;
    let r = run_ok(src, "f", vec![f32s(&[3], &[1.0, 2.0, 3.0])]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].as_slice::<i64>(), Some(&[3i64][..]));
    assert_eq!(r[1].as_slice::<f32>(), Some(&[1.0, 2.0, 3.0][..]));
    let e = run_err(src, "unsized", vec![f32s(&[3], &[1.0, 2.0, 3.0])]);
    assert!(e.contains("output argument #1 of type memref<?xf32> has dynamic dims"), "{e}");
    let e = run_err(src, "bad_ref", vec![f32s(&[3], &[1.0, 2.0, 3.0])]);
    assert!(e.contains("refers to argument #1, which is not an input"), "{e}");
    let e = run_err(src, "f", vec![]);
    assert!(e.contains("@f takes 1 argument, but 0 were given"), "{e}");
    let e = run_err(src, "f", vec![NdArray::from_vec(vec![2], vec![1i32, 2]).expect("shape")]);
    assert!(e.contains("argument #0: expected element type f32"), "{e}");
}

/// Runs `body` (which may use `%b: memref<4xf32>` from loop.alloc, and the
/// constants `%c0`..`%c4`) and returns the error message.
fn failing(body: &str) -> String {
    let src = format!(
        "func.func @f(%arg: memref<4xf32>) {{\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c2 = arith.constant 2 : index\n  %c4 = arith.constant 4 : index\n  %cm1 = arith.constant -1 : index\n  %x = arith.constant 1.0 : f32\n  %b = loop.alloc() : memref<4xf32>\n{body}\n  return\n}}\n"
    );
    run_err(&src, "f", vec![f32s(&[4], &[0.0; 4])])
}

#[test]
fn run_time_errors_are_reported() {
    let cases: &[(&str, &str)] = &[
        ("  %v = loop.load %b[%c4] : memref<4xf32>", "index (4,) is out of bounds for a buffer of shape (4,)"),
        ("  loop.store %x, %b[%cm1] : memref<4xf32>", "index (-1,) is out of bounds"),
        ("  loop.dealloc %b : memref<4xf32>\n  %v = loop.load %b[%c0] : memref<4xf32>", "use of a buffer after loop.dealloc"),
        ("  loop.dealloc %b : memref<4xf32>\n  loop.dealloc %b : memref<4xf32>", "already freed"),
        ("  loop.dealloc %arg : memref<4xf32>", "loop.alloc did not make"),
        (
            "  %s = loop.subview %b[%c2] [%c4] [%c1] : memref<4xf32> -> memref<?xf32, strided<[1], offset: ?>>",
            "is outside the source of shape (4,)",
        ),
        (
            "  %s = loop.view %b offset %c4 sizes [%c1] strides [%c1] : memref<4xf32> -> memref<?xf32, strided<[1], offset: ?>>",
            "outside the storage of 4 elements",
        ),
        (
            "  %s = loop.view %b offset %c0 sizes [%c2] strides [%cm1] : memref<4xf32> -> memref<?xf32, strided<[?], offset: ?>>",
            "reaches elements -1 to 0",
        ),
        ("  %n = loop.alloc(%cm1) : memref<?xf32>", "negative size -1"),
        ("  %st = arith.subi %c0, %c1 : index\n  loop.for %i = %c0 to %c4 step %st {\n  }", "the step must be positive, but is -1"),
        (
            "  %two = arith.addi %c1, %c1 : index\n  %s = loop.view %b offset %c0 sizes [%c2] strides [%two] : memref<4xf32> -> memref<?xf32, strided<[1]>>",
            "contradicts the declared type memref<?xf32, strided<[1]>>",
        ),
        ("  %v = vector.load %b[%c2] : memref<4xf32>, vector<4xf32>", "lane (2,): index (4,) is out of bounds"),
    ];
    for (body, want) in cases {
        let e = failing(body);
        assert!(e.contains("failed at run time") || e.contains("contradicts"), "{body}: {e}");
        assert!(e.contains(want), "{body}:\n  got {e}\n  want {want}");
    }
}

#[test]
fn fusion_regions_run_with_their_arguments_bound() {
    // array.fusion is dispatched by name: an unregistered op in a module
    // that allows them behaves the same once the array dialect declares it.
    let src = r#"
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = "array.fusion"(%x) ({
  ^bb0(%a: tensor<3xf32>):
    %s = array.add %a, %a : tensor<3xf32>
    "array.yield"(%s) : (tensor<3xf32>) -> ()
  }) : (tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
"#;
    let mut ctx = context();
    ctx.set_allow_unregistered(true);
    let module = axir_syntax::parse_source(&mut ctx, src, "t.axir", &axir_syntax::ParseOptions::default())
        .unwrap_or_else(|d| panic!("{}", d[0].to_plain_string(&ctx)));
    let func = ctx
        .walk(module)
        .into_iter()
        .find_map(|op| <axir_builtin::FuncOp as axir_ir::OpDefinition>::from_op(&ctx, op))
        .expect("a function");
    let r = axir_interp::Interpreter::new(&ctx).run_entry(func, vec![f32s(&[3], &[1.0, 2.0, 3.5])]);
    let r = r.unwrap_or_else(|d| panic!("{}", d.to_plain_string(&ctx)));
    assert_eq!(r[0].as_slice::<f32>(), Some(&[2.0, 4.0, 7.0][..]));
}
