//! Embedding axir in another program: parse array-level source, compile it
//! for this CPU through the specialization cache ([`axir_mlir::JitCache`]),
//! and call it on arrays the program owns, without copying them, including
//! a Fortran-order (transposed) view and a stride-0 broadcast view. Every
//! result is checked against the reference interpreter.
//!
//! ```text
//! cargo run -p axir-embed-example                      # the demo
//! cargo run --release -p axir-embed-example -- --bench # timings, for bench/cpu_vs_numpy.py
//! ```
//!
//! This binary links MLIR (through `axir-mlir`), as `axtranslate` and
//! `axrun` do.

use std::sync::Arc;
use std::time::Instant;

use axir_builtin::FuncOp;
use axir_interp::Interpreter;
use axir_ir::{Context, DialectRegistry, OpDefinition};
use axir_mlir::{CacheArg, CompileOptions, JitCache};
use axir_ndarray::{Data, NdArray};

/// `a * b + c`. Dynamic dims broadcast against each other would make the
/// lowering return its result instead of writing an output parameter, so
/// the shape is static here.
fn fma_source(rows: usize, cols: usize) -> String {
    let t = format!("tensor<{rows}x{cols}xf32>");
    format!(
        "func.func @fma(%a: {t}, %b: {t}, %c: {t}) -> {t} {{
  %0 = array.mul %a, %b : {t}
  %1 = array.add %0, %c : {t}
  func.return %1 : {t}
}}
"
    )
}

/// Softmax over the last dim (`examples/softmax.axir` in f32, any row length).
fn softmax_source(cols: usize) -> String {
    let (t, r) = (format!("tensor<?x{cols}xf32>"), "tensor<?x1xf32>");
    format!(
        "func.func @softmax(%x: {t}) -> {t} {{
  %m = array.reduce max %x dims [1] keepdims : {t} -> {r}
  %d = array.sub %x, %m : {t}, {r} -> {t}
  %e = array.exp %d : {t}
  %s = array.reduce sum %e dims [1] keepdims : {t} -> {r}
  %y = array.div %e, %s : {t}, {r} -> {t}
  func.return %y : {t}
}}
"
    )
}

/// Layer normalization over the last dim (`examples/layernorm.axir` in f32).
fn layernorm_source(cols: usize) -> String {
    let (t, r, v) = (format!("tensor<?x{cols}xf32>"), "tensor<?x1xf32>", format!("tensor<{cols}xf32>"));
    format!(
        "func.func @layernorm(%x: {t}, %gamma: {v}, %beta: {v}) -> {t} {{
  %mu = array.reduce mean %x dims [1] keepdims : {t} -> {r}
  %xc = array.sub %x, %mu : {t}, {r} -> {t}
  %sq = array.mul %xc, %xc : {t}
  %var = array.reduce mean %sq dims [1] keepdims : {t} -> {r}
  %eps = array.constant dense<1.0e-05> : tensor<f32>
  %ve = array.add %var, %eps : {r}, tensor<f32> -> {r}
  %rs = array.rsqrt %ve : {r}
  %n = array.mul %xc, %rs : {t}, {r} -> {t}
  %g = array.mul %n, %gamma : {t}, {v} -> {t}
  %y = array.add %g, %beta : {t}, {v} -> {t}
  func.return %y : {t}
}}
"
    )
}

/// The reference interpreter's result of `name` in `src` on `inputs`.
fn interpret(src: &str, name: &str, inputs: &[NdArray]) -> Result<NdArray, String> {
    let mut registry = DialectRegistry::new();
    axir_interp::register_dialects(&mut registry);
    let mut ctx = Context::new(Arc::new(registry));
    let module = axir_syntax::parse_source(&mut ctx, src, name, &Default::default())
        .map_err(|d| d.iter().map(|d| d.to_plain_string(&ctx)).collect::<String>())?;
    let f = ctx
        .walk(module)
        .into_iter()
        .filter_map(|op| FuncOp::from_op(&ctx, op))
        .find(|f| f.name(&ctx) == name)
        .ok_or_else(|| format!("no @{name}"))?;
    let mut out =
        Interpreter::new(&ctx).run_entry(f, inputs.to_vec()).map_err(|d| d.to_plain_string(&ctx))?;
    Ok(out.remove(0))
}

/// Element `[i, j]` of a strided 2-D view, gathered row-major.
fn gather(data: &[f32], shape: [usize; 2], strides: [isize; 2]) -> Vec<f32> {
    let mut v = Vec::with_capacity(shape[0] * shape[1]);
    for i in 0..shape[0] {
        for j in 0..shape[1] {
            v.push(data[(i as isize * strides[0] + j as isize * strides[1]) as usize]);
        }
    }
    v
}

fn array(shape: [usize; 2], v: Vec<f32>) -> NdArray {
    NdArray::new(shape.to_vec(), Data::F32(v)).expect("shape and data agree")
}

/// Deterministic inputs in f32 arithmetic, reproduced by bench/cpu_vs_numpy.py.
fn input(n: usize, mul: usize, scale: f32, shift: f32) -> Vec<f32> {
    (0..n).map(|k| ((k * mul) % 1000) as f32 / scale - shift).collect()
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn demo() -> Res<()> {
    let shape = [4usize, 3usize];
    let dense = [3isize, 1isize];
    // `a` is stored column by column (Fortran order, a transposed view),
    // `c` is one row broadcast over the rows (stride 0): no copies are made.
    let a_storage = input(12, 7919, 250.0, 2.0);
    let a_strides = [1isize, 4isize];
    let b = input(12, 13, 8.0, 0.5);
    let c_row = vec![0.5f32, -1.0, 2.0];
    let c_strides = [0isize, 1isize];

    let src = fma_source(4, 3);
    let fma = JitCache::new(&src, "fma.axir", "fma", CompileOptions::default())?;
    let mut out = vec![0f32; 12];
    fma.call(&mut [
        CacheArg::input(&a_storage, &shape, &a_strides, 0),
        CacheArg::input(&b, &shape, &dense, 0),
        CacheArg::input(&c_row, &shape, &c_strides, 0),
        CacheArg::output(&mut out, &shape, &dense, 0),
    ])?;
    let want = interpret(
        &src,
        "fma",
        &[
            array(shape, gather(&a_storage, shape, a_strides)),
            array(shape, b.clone()),
            array(shape, gather(&c_row, shape, c_strides)),
        ],
    )?;
    let got = array(shape, out);
    println!("a*b+c (a in Fortran order, c broadcast):\n{got}");
    if !got.same_values(&want) {
        return Err(format!("a*b+c differs from the interpreter:\n{want}").into());
    }

    // Softmax, once row-major and once on the transposed storage of the
    // same values: two layout classes, two specializations.
    let src = softmax_source(3);
    let softmax = JitCache::new(&src, "softmax.axir", "softmax", CompileOptions::default())?;
    let want = interpret(&src, "softmax", &[array(shape, gather(&a_storage, shape, a_strides))])?;
    let a_rows = gather(&a_storage, shape, a_strides);
    for (data, strides) in [(&a_rows, dense), (&a_storage, a_strides)] {
        let mut out = vec![0f32; 12];
        softmax.call(&mut [
            CacheArg::input(data, &shape, &strides, 0),
            CacheArg::output(&mut out, &shape, &dense, 0),
        ])?;
        let got = array(shape, out);
        println!("softmax (input strides {strides:?}):\n{got}");
        // exp may round differently in LLVM's libm calls: compare closely.
        if !got.allclose(&want, 1e-6, 1e-6) {
            return Err(format!("softmax differs from the interpreter:\n{want}").into());
        }
    }
    println!("cache: fma {:?}, softmax {:?}", fma.stats(), softmax.stats());
    println!("all results equal the interpreter's");
    Ok(())
}

/// The median of `reps` timings of `f`, in seconds, after one warm-up call
/// (which compiles on the first use of a cache).
fn median(reps: usize, mut f: impl FnMut() -> Res<()>) -> Res<f64> {
    f()?;
    let mut t = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        f()?;
        t.push(start.elapsed().as_secs_f64());
    }
    t.sort_by(f64::total_cmp);
    Ok(t[reps / 2])
}

/// Timings for bench/cpu_vs_numpy.py, one `RESULT name elements seconds`
/// line each, and `CHECK name elements sum` lines to check the results.
fn bench(sizes: &[usize]) -> Res<()> {
    const COLS: usize = 100;
    // Per-call overhead: a 4-element a*b+c, batches of 1000 calls.
    let tiny = JitCache::new(&fma_source(1, 4), "tiny.axir", "fma", CompileOptions::default())?;
    let x = [1f32, 2.0, 3.0, 4.0];
    let mut out = [0f32; 4];
    let batch = median(25, || {
        for _ in 0..1000 {
            tiny.call(&mut [
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::output(&mut out[..], &[1, 4], &[4, 1], 0),
            ])?;
        }
        Ok(())
    })?;
    println!("RESULT call_overhead 4 {:e}", batch / 1000.0);
    let lookup = median(25, || {
        for _ in 0..1000 {
            std::hint::black_box(tiny.specialize(&[
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::input(&x[..], &[1, 4], &[4, 1], 0),
                CacheArg::output(&mut out[..], &[1, 4], &[4, 1], 0),
            ])?);
        }
        Ok(())
    })?;
    println!("RESULT cache_lookup 4 {:e}", lookup / 1000.0);

    for &n in sizes {
        let rows = n / COLS;
        let n = rows * COLS;
        let shape = [rows, COLS];
        let st = [COLS as isize, 1];
        let reps = if n <= 10_000 {
            200
        } else if n <= 200_000 {
            40
        } else {
            11
        };
        let (a, b, c) =
            (input(n, 7919, 250.0, 2.0), input(n, 104_729, 500.0, 1.0), input(n, 31, 1000.0, 0.0));
        let (gamma, beta) = (input(COLS, 17, 1000.0, -0.5), input(COLS, 3, 2000.0, 0.25));
        let mut out = vec![0f32; n];

        let fma = JitCache::new(&fma_source(rows, COLS), "fma.axir", "fma", CompileOptions::default())?;
        let t = median(reps, || {
            fma.call(&mut [
                CacheArg::input(&a, &shape, &st, 0),
                CacheArg::input(&b, &shape, &st, 0),
                CacheArg::input(&c, &shape, &st, 0),
                CacheArg::output(&mut out, &shape, &st, 0),
            ])?;
            Ok(())
        })?;
        println!("RESULT fma {n} {t:e}");
        println!("CHECK fma {n} {}", out.iter().map(|&v| f64::from(v)).sum::<f64>());

        let softmax =
            JitCache::new(&softmax_source(COLS), "softmax.axir", "softmax", CompileOptions::default())?;
        let t = median(reps, || {
            softmax.call(&mut [
                CacheArg::input(&a, &shape, &st, 0),
                CacheArg::output(&mut out, &shape, &st, 0),
            ])?;
            Ok(())
        })?;
        println!("RESULT softmax {n} {t:e}");
        println!("CHECK softmax {n} {}", out.iter().map(|&v| f64::from(v)).sum::<f64>());

        let ln =
            JitCache::new(&layernorm_source(COLS), "layernorm.axir", "layernorm", CompileOptions::default())?;
        let t = median(reps, || {
            ln.call(&mut [
                CacheArg::input(&a, &shape, &st, 0),
                CacheArg::input(&gamma, &[COLS], &[1], 0),
                CacheArg::input(&beta, &[COLS], &[1], 0),
                CacheArg::output(&mut out, &shape, &st, 0),
            ])?;
            Ok(())
        })?;
        println!("RESULT layernorm {n} {t:e}");
        println!("CHECK layernorm {n} {}", out.iter().map(|&v| f64::from(v)).sum::<f64>());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--bench") => {
            let sizes: Result<Vec<usize>, _> =
                args[1..].iter().map(|s| s.parse::<f64>().map(|v| v as usize)).collect();
            match sizes {
                Ok(s) if !s.is_empty() => bench(&s),
                Ok(_) => bench(&[1_000, 100_000, 1_000_000]),
                Err(e) => Err(format!("bad size: {e}").into()),
            }
        }
        None => demo(),
        Some(other) => {
            Err(format!("unknown argument {other}; usage: axir-embed-example [--bench [SIZES...]]").into())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
