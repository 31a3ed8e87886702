//! Differential tests of the array-to-loop pipeline: every program is run
//! twice by the reference interpreter, as written (array level, numpy's
//! semantics through `axir-ndarray`) and after `array-to-loop-pipeline`
//! (loop nests over buffers, `arith`/`math` semantics), on the same inputs,
//! and the results are compared.
//!
//! The programs:
//! - every case of `test/fixtures/array/manifest.txt` (every op family,
//!   every dtype, the example programs of `examples/` and their inputs, NaN
//!   and infinity, zero-size arrays, dynamic dims, Fortran-ordered inputs);
//! - the programs of `test/conversion/Inputs/differential/`, run on inputs
//!   made here, with each dynamic dim set to 3, then to 0, then to 1.
//!
//! Comparison: results must be bit-identical (NaN equals NaN, `-0.0` is not
//! `0.0`), except where the two levels legitimately differ in rounding:
//! - a float `sum`/`mean` is computed sequentially by the loop nest, while
//!   numpy adds runs of 8 or more elements pairwise: `allclose` with the
//!   tolerance of the result dtype;
//! - transcendental functions come from the `libm` crate at the array level
//!   and from Rust's `f32`/`f64` methods (the platform's libm) in the
//!   interpreter's `math` ops, which differ in the last bit now and then:
//!   the same tolerance (4 ulps, or `allclose` once the difference has gone
//!   through more arithmetic).
//!
//! A case whose array-level run fails (a numpy error such as `max` of an
//! empty array) is skipped and counted. `CONVERSION_CASES=softmax` runs the
//! cases whose name contains `softmax`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axir_interp::Interpreter;
use axir_ir::{Context, DialectRegistry, OpDefinition, OpId, TypeData};
use axir_ndarray::{load_npy, DType, NdArray};
use axir_pass::{parse_pipeline, PassRegistry};
use axir_syntax::{parse_source, ParseOptions};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dialects() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_interp::register_dialects(&mut r);
    Arc::new(r)
}

fn passes() -> PassRegistry {
    let mut p = PassRegistry::new();
    axir_transforms::register_passes(&mut p);
    axir_array::register_passes(&mut p);
    axir_loop::register_passes(&mut p);
    axir_conversion::register_passes(&mut p);
    p
}

/// How the lowered results are compared with the array-level ones.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Tolerance {
    Exact,
    /// `allclose` with the tolerance of each result's dtype, or 4 ulps.
    Reassociated,
}

/// The tolerance a program needs, from the ops it uses.
fn tolerance(src: &str) -> Tolerance {
    const TRANSCENDENTAL: &[&str] = &[
        "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan",
        "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "sigmoid", "pow", "atan2", "hypot",
    ];
    let float_sum = src.lines().any(|l| {
        (l.contains("array.reduce sum") || l.contains("array.reduce mean")) && l.contains("xf")
            || l.contains("array.reduce sum") && l.contains("tensor<f")
            || l.contains("array.reduce mean")
    });
    let transcendental = TRANSCENDENTAL
        .iter()
        .any(|op| src.contains(&format!("array.{op} ")) || src.contains(&format!("\"array.{op}\"")));
    if float_sum {
        Tolerance::Reassociated
    } else if transcendental {
        // A last-bit difference of a function feeds the arithmetic after it.
        Tolerance::Reassociated
    } else {
        Tolerance::Exact
    }
}

fn close(got: &NdArray, want: &NdArray, tol: Tolerance) -> bool {
    if got.same_values(want) {
        return true;
    }
    match tol {
        Tolerance::Exact => false,
        Tolerance::Reassociated => {
            let (rtol, atol) = match want.dtype() {
                DType::F64 => (1e-12, 1e-14),
                DType::F32 => (1e-5, 1e-6),
                DType::F16 => (4e-3, 1e-4),
                DType::BF16 => (3e-2, 1e-3),
                _ => return false,
            };
            got.allclose(want, rtol, atol) || got.ulp_close(want, 4)
        }
    }
}

/// ui8 tensors become i8 memrefs at the loop level: same bits.
fn to_loop_input(a: &NdArray) -> NdArray {
    if a.dtype() == DType::U8 {
        axir_ndarray::cast(a, DType::I8).unwrap_or_else(|_| a.clone())
    } else {
        a.clone()
    }
}

fn parse(ctx: &mut Context, src: &str, name: &str) -> Result<OpId, String> {
    parse_source(ctx, src, name, &ParseOptions::default())
        .map_err(|d| d.iter().map(|d| d.to_plain_string(ctx)).collect::<Vec<_>>().join("\n"))
}

fn run(ctx: &Context, module: OpId, entry: &str, inputs: Vec<NdArray>) -> Result<Vec<NdArray>, String> {
    let func = ctx
        .lookup_symbol_in(module, entry)
        .and_then(|f| axir_builtin::FuncOp::from_op(ctx, f))
        .ok_or_else(|| format!("no function @{entry}"))?;
    Interpreter::new(ctx).run_entry(func, inputs).map_err(|d| d.to_plain_string(ctx))
}

/// What happened to one case.
enum Outcome {
    Identical,
    WithinTolerance,
    Skipped(String),
}

/// Parses `src` and runs `pipeline` on it.
fn compile(
    reg: &Arc<DialectRegistry>,
    src: &str,
    name: &str,
    pipeline: &str,
) -> Result<(Context, OpId), String> {
    let mut ctx = Context::new(reg.clone());
    let module = parse(&mut ctx, src, name)?;
    let mut pm = parse_pipeline(pipeline, &passes()).map_err(|e| e.render())?;
    pm.run(&mut ctx, module)
        .map_err(|f| f.diagnostics.iter().map(|d| d.to_plain_string(&ctx)).collect::<Vec<_>>().join("\n"))?;
    Ok((ctx, module))
}

/// The array-level pipeline up to fusion: same kernels, so same bits.
const FUSED: &str = "builtin.module(func.func(canonicalize,cse),array-fuse)";

/// Runs `entry` of `src` at both levels on `inputs` and compares; the
/// fused array-level program must also give exactly the same results.
fn differential(src: &str, name: &str, entry: &str, inputs: &[NdArray]) -> Result<Outcome, String> {
    let reg = dialects();
    let mut actx = Context::new(reg.clone());
    let amod = parse(&mut actx, src, name)?;
    let want = match run(&actx, amod, entry, inputs.to_vec()) {
        Ok(w) => w,
        Err(e) => return Ok(Outcome::Skipped(e)),
    };
    let (fctx, fmod) = compile(&reg, src, name, FUSED)?;
    let fused =
        run(&fctx, fmod, entry, inputs.to_vec()).map_err(|e| format!("the fused program failed: {e}"))?;
    for (k, (g, w)) in fused.iter().zip(&want).enumerate() {
        if !g.same_values(w) {
            return Err(format!(
                "result #{k} of the fused array program differs\n  fused: {g}\n  array: {w}"
            ));
        }
    }
    let (lctx, lmod) = compile(&reg, src, name, axir_conversion::ARRAY_TO_LOOP_PIPELINE)?;
    let lowered_inputs: Vec<NdArray> = inputs.iter().map(to_loop_input).collect();
    let got = run(&lctx, lmod, entry, lowered_inputs).map_err(|e| {
        let text = if std::env::var("CONVERSION_VERBOSE").is_ok() {
            axir_syntax::print_op(&lctx, lmod, &axir_syntax::PrintOptions::default())
        } else {
            String::new()
        };
        format!("the lowered program failed: {e}\n{text}")
    })?;
    if got.len() != want.len() {
        return Err(format!("{} results, expected {}", got.len(), want.len()));
    }
    let tol = tolerance(src);
    let mut identical = true;
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        let g = if w.dtype() == DType::U8 && g.dtype() == DType::I8 {
            axir_ndarray::cast(g, DType::U8).map_err(|e| e.to_string())?
        } else {
            g.clone()
        };
        if g.same_values(w) {
            continue;
        }
        identical = false;
        if !close(&g, w, tol) {
            return Err(format!("result #{k} differs ({tol:?})\n  lowered: {g}\n  array:   {w}"));
        }
    }
    Ok(if identical { Outcome::Identical } else { Outcome::WithinTolerance })
}

/// One case: a program, an entry function, inputs.
struct Case {
    name: String,
    src: Arc<String>,
    path: String,
    entry: String,
    inputs: Vec<NdArray>,
}

fn fixture_cases(filter: &str) -> Vec<Case> {
    let root = repo().join("test/fixtures/array");
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.txt")) else {
        eprintln!("note: test/fixtures/array/manifest.txt is missing; fixture cases skipped");
        return Vec::new();
    };
    let mut sources: BTreeMap<String, Arc<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut toks = line.split_whitespace();
        let Some(name) = toks.next() else { continue };
        if !name.contains(filter) {
            continue;
        }
        let kv: BTreeMap<&str, &str> = toks.filter_map(|t| t.split_once('=')).collect();
        let (Some(prog), Some(entry)) = (kv.get("prog"), kv.get("entry")) else { continue };
        let path = root.join(prog);
        let src = match sources.get(*prog) {
            Some(s) => s.clone(),
            None => {
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let s = Arc::new(text);
                sources.insert(prog.to_string(), s.clone());
                s
            }
        };
        let inputs: Vec<NdArray> = kv
            .get("in")
            .map(|v| {
                v.split(',').filter(|s| !s.is_empty()).filter_map(|f| load_npy(root.join(f)).ok()).collect()
            })
            .unwrap_or_default();
        out.push(Case {
            name: name.to_string(),
            src,
            path: path.display().to_string(),
            entry: entry.to_string(),
            inputs,
        });
    }
    out
}

/// A deterministic generator of test values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn array(&mut self, dtype: DType, shape: Vec<usize>, specials: bool) -> NdArray {
        let n: usize = shape.iter().product();
        let mut f = Vec::with_capacity(n);
        for i in 0..n {
            let r = self.next();
            let x = ((r % 2001) as f64 - 1000.0) / 250.0;
            let x = if specials {
                match (r >> 20) % 11 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => f64::NEG_INFINITY,
                    3 => -0.0,
                    4 => 0.0,
                    _ => x,
                }
            } else {
                x
            };
            f.push((i, x, r));
        }
        let ints = |bits: u32, r: u64, x: f64| -> i64 {
            match (r >> 32) % 5 {
                0 => 0,
                1 => -1,
                2 => (r as i64) >> (64 - bits),
                _ => (x * 4.0) as i64,
            }
        };
        let shape_c = shape.clone();
        let result = match dtype {
            DType::F32 => NdArray::from_vec(shape, f.iter().map(|t| t.1 as f32).collect::<Vec<f32>>()),
            DType::F64 => NdArray::from_vec(shape, f.iter().map(|t| t.1).collect::<Vec<f64>>()),
            DType::F16 => NdArray::from_vec(
                shape,
                f.iter().map(|t| axir_ndarray::f16::from_f64(t.1)).collect::<Vec<_>>(),
            ),
            DType::BF16 => NdArray::from_vec(
                shape,
                f.iter().map(|t| axir_ndarray::bf16::from_f64(t.1)).collect::<Vec<_>>(),
            ),
            DType::I8 => {
                NdArray::from_vec(shape, f.iter().map(|t| ints(8, t.2, t.1) as i8).collect::<Vec<i8>>())
            }
            DType::I16 => {
                NdArray::from_vec(shape, f.iter().map(|t| ints(16, t.2, t.1) as i16).collect::<Vec<i16>>())
            }
            DType::I32 => {
                NdArray::from_vec(shape, f.iter().map(|t| ints(32, t.2, t.1) as i32).collect::<Vec<i32>>())
            }
            DType::I64 => {
                NdArray::from_vec(shape, f.iter().map(|t| ints(64, t.2, t.1)).collect::<Vec<i64>>())
            }
            DType::U8 => {
                NdArray::from_vec(shape, f.iter().map(|t| ints(8, t.2, t.1) as u8).collect::<Vec<u8>>())
            }
            DType::I1 => NdArray::from_vec(shape, f.iter().map(|t| t.2 % 2 == 0).collect::<Vec<bool>>()),
        };
        result.unwrap_or_else(|_| NdArray::zeros(dtype, shape_c).expect("zeros"))
    }
}

fn dtype_of(ctx: &Context, ty: axir_ir::Type) -> Option<DType> {
    axir_array::convert::dtype_of(ctx, ty)
}

/// Cases for the programs written for this test: every function, with each
/// dynamic dim 3, 0 and 1 (functions named `*nan*` get NaN, infinities and
/// signed zeros among their inputs).
fn own_cases(filter: &str) -> Vec<Case> {
    let dir = repo().join("test/conversion/Inputs/differential");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let mut out = Vec::new();
    for path in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "axir")) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let src = Arc::new(text);
        let mut ctx = Context::new(dialects());
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        let Ok(module) = parse(&mut ctx, &src, &stem) else {
            panic!("{} does not parse", path.display());
        };
        let funcs: Vec<OpId> =
            ctx.walk(module).into_iter().filter(|&o| ctx.op_name(o) == "func.func").collect();
        for f in funcs {
            let fname = ctx.symbol_name(f).unwrap_or("").to_string();
            let func = axir_builtin::FuncOp(f);
            let types = func.input_types(&ctx).to_vec();
            let specials = fname.contains("nan");
            let has_dynamic = types.iter().any(|&t| matches!(ctx.type_data(t), TypeData::Tensor { shape: Some(s), .. } if s.iter().any(|d| d.is_none())));
            let sizes: &[usize] = if has_dynamic { &[3, 0, 1] } else { &[3] };
            for &n in sizes {
                let name = format!("own/{stem}.{fname}.dyn{n}");
                if !name.contains(filter) {
                    continue;
                }
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (name.len() as u64 * 7919));
                let inputs: Vec<NdArray> = types
                    .iter()
                    .filter_map(|&t| match ctx.type_data(t) {
                        TypeData::Tensor { shape: Some(s), element } => {
                            let dt = dtype_of(&ctx, *element)?;
                            let shape = s.iter().map(|d| d.map_or(n, |x| x as usize)).collect();
                            Some(rng.array(dt, shape, specials))
                        }
                        _ => None,
                    })
                    .collect();
                out.push(Case {
                    name,
                    src: src.clone(),
                    path: path.display().to_string(),
                    entry: fname.clone(),
                    inputs,
                });
            }
        }
    }
    out
}

/// Cases that fail because of a known problem outside the lowering, with
/// the problem. Each must still fail: when one passes, its entry goes.
const KNOWN_ISSUES: &[(&str, &str)] = &[];

/// Whether case `name` matches `pattern`: a name, with an optional
/// `[a|b]` alternative at its end.
fn matches_pattern(name: &str, pattern: &str) -> bool {
    match pattern.split_once('[') {
        Some((head, alts)) => alts.trim_end_matches(']').split('|').any(|a| name == format!("{head}{a}")),
        None => name.contains(pattern),
    }
}

fn known_issue(name: &str) -> Option<&'static str> {
    KNOWN_ISSUES.iter().find(|(n, _)| matches_pattern(name, n)).map(|(_, why)| *why)
}

#[test]
fn lowered_programs_match_the_array_level() {
    let filter = std::env::var("CONVERSION_CASES").unwrap_or_default();
    let mut cases = fixture_cases(&filter);
    let fixtures = cases.len();
    cases.extend(own_cases(&filter));
    let own = cases.len() - fixtures;
    assert!(!cases.is_empty(), "no case matches CONVERSION_CASES='{filter}'");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Result<Outcome, String>)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    differential(&c.src, &c.path, &c.entry, &c.inputs)
                }))
                .unwrap_or_else(|_| Err("panicked".to_string()));
                results.lock().unwrap_or_else(|e| e.into_inner()).push((c.name.clone(), r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut identical, mut close, mut skipped, mut failed) = (0, 0, 0, Vec::new());
    let mut known: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, r) in &results {
        if let Some(why) = KNOWN_ISSUES.iter().find(|(n, _)| matches_pattern(name, n)).map(|(_, w)| *w) {
            if r.is_ok() {
                failed
                    .push(format!("{name}: passes, but is listed in KNOWN_ISSUES ({why}); remove the entry"));
            } else {
                *known.entry(why).or_default() += 1;
            }
            continue;
        }
        match r {
            Ok(Outcome::Identical) => identical += 1,
            Ok(Outcome::WithinTolerance) => close += 1,
            Ok(Outcome::Skipped(why)) => {
                skipped += 1;
                if std::env::var("CONVERSION_VERBOSE").is_ok() {
                    eprintln!("skipped {name}: {why}");
                }
            }
            Err(e) => match known_issue(name) {
                Some(why) => *known.entry(why).or_default() += 1,
                None => failed.push(format!("{name}: {e}")),
            },
        }
    }
    eprintln!(
        "array-to-loop differential: {} cases ({fixtures} fixtures, {own} own): {identical} bit-identical, \
         {close} within tolerance, {skipped} skipped (the array level fails), {} known interpreter issues, {} failed",
        results.len(),
        known.values().sum::<usize>(),
        failed.len()
    );
    for (why, n) in &known {
        eprintln!("known issue ({n} cases): {why}");
    }
    for f in &failed {
        eprintln!("FAIL {f}\n");
    }
    assert!(failed.is_empty(), "{} of {} cases failed", failed.len(), results.len());
}
