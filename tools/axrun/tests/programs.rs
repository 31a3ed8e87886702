//! Runs every case of `test/fixtures/array/manifest.txt` through the `axrun`
//! binary and compares its results with numpy's.
//!
//! The programs, inputs and expected outputs are generated once by
//! `tools/fixtures/gen_array_programs.py` (see its docstring for the manifest
//! format) and committed; this test needs no Python. Each case runs
//! `axrun PROG --entry E --arg IN... -o OUT...`, loads the outputs and
//! compares them with the expected `.npy` files (`exact`, `ulp:N` or
//! `allclose:RTOL:ATOL`). Cases with a `repr=` file also run without `-o`
//! and must print numpy's `repr` text exactly.
//!
//! `AXRUN_CASES=softmax cargo test -p axrun --test programs` runs only the
//! cases whose name contains `softmax`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use axir_ndarray::{load_npy, NdArray};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test/fixtures/array")
}

/// How results are compared with numpy's.
#[derive(Debug, Clone, Copy)]
enum Cmp {
    /// Same dtype, shape and bits (any NaN equals any NaN; -0.0 != 0.0).
    Exact,
    /// Floats within N units in the last place; other dtypes exact.
    Ulp(u64),
    /// numpy `allclose(rtol, atol, equal_nan=True)`.
    AllClose(f64, f64),
}

impl Cmp {
    fn parse(s: &str) -> Option<Cmp> {
        match s.split(':').collect::<Vec<_>>().as_slice() {
            ["exact"] => Some(Cmp::Exact),
            ["ulp", n] => n.parse().ok().map(Cmp::Ulp),
            ["allclose", r, a] => Some(Cmp::AllClose(r.parse().ok()?, a.parse().ok()?)),
            _ => None,
        }
    }

    fn holds(self, got: &NdArray, want: &NdArray) -> bool {
        match self {
            Cmp::Exact => got.same_values(want),
            Cmp::Ulp(n) => got.ulp_close(want, n),
            Cmp::AllClose(rtol, atol) => got.allclose(want, rtol, atol),
        }
    }
}

/// One manifest line.
#[derive(Debug)]
struct Case {
    name: String,
    prog: String,
    entry: String,
    inputs: Vec<String>,
    outs: Vec<String>,
    cmp: Cmp,
    repr: Option<String>,
}

impl Case {
    fn category(&self) -> &str {
        self.name.split('/').next().unwrap_or("")
    }
}

fn parse_line(line: &str) -> Result<Case, String> {
    let mut toks = line.split_whitespace();
    let name = toks.next().ok_or("empty line")?.to_string();
    let mut kv = BTreeMap::new();
    for t in toks {
        let (k, v) = t.split_once('=').ok_or_else(|| format!("token '{t}' is not key=value"))?;
        kv.insert(k, v);
    }
    let list = |k: &str| -> Vec<String> {
        kv.get(k).map_or(Vec::new(), |v| v.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
    };
    let get = |k: &str| kv.get(k).map(|v| v.to_string()).ok_or_else(|| format!("missing '{k}='"));
    let cmp = get("cmp")?;
    Ok(Case {
        prog: get("prog")?,
        entry: get("entry")?,
        inputs: list("in"),
        outs: list("out"),
        cmp: Cmp::parse(&cmp).ok_or_else(|| format!("bad cmp '{cmp}'"))?,
        repr: kv.get("repr").map(|v| v.to_string()),
        name,
    })
}

fn axrun(c: &Case, backend: Backend) -> Command {
    let dir = root();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_axrun"));
    cmd.arg(dir.join(&c.prog)).arg("--entry").arg(&c.entry).arg("--backend").arg(backend.flag());
    for i in &c.inputs {
        cmd.arg("--arg").arg(dir.join(i));
    }
    cmd
}

/// Runs one case: every result against numpy's, and stdout against numpy's repr.
fn run_case(c: &Case, backend: Backend, tmp: &Path) -> Result<(), String> {
    let dir = root();
    let stem = format!("{}.{}", c.name.replace(['/', '.'], "_"), backend.flag());
    let out_paths: Vec<PathBuf> = (0..c.outs.len()).map(|k| tmp.join(format!("{stem}.{k}.npy"))).collect();
    let mut cmd = axrun(c, backend);
    for p in &out_paths {
        cmd.arg("-o").arg(p);
    }
    let output = cmd.output().map_err(|e| format!("cannot run axrun: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "axrun failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut expected = Vec::with_capacity(c.outs.len());
    let mut relaxed = false;
    for (k, (got_path, want_file)) in out_paths.iter().zip(&c.outs).enumerate() {
        let got = load_npy(got_path).map_err(|e| format!("result #{k}: cannot load axrun's output: {e}"))?;
        let want = load_npy(dir.join(want_file))
            .map_err(|e| format!("result #{k}: cannot load {want_file}: {e}"))?;
        let cmp = backend.cmp(c, &want);
        // numpy's repr is exact text: it can only match where the values
        // must match exactly.
        relaxed |= !matches!(cmp, Cmp::Exact) && matches!(c.cmp, Cmp::Exact);
        if !cmp.holds(&got, &want) {
            return Err(format!("result #{k} differs from numpy ({cmp:?})\n  got:  {got}\n  want: {want}"));
        }
        expected.push(want);
    }
    if let Some(repr_file) = c.repr.as_ref().filter(|_| !relaxed) {
        let want = std::fs::read_to_string(dir.join(repr_file)).map_err(|e| format!("{repr_file}: {e}"))?;
        let output = axrun(c, backend).output().map_err(|e| format!("cannot run axrun: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "axrun without -o failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let got = String::from_utf8_lossy(&output.stdout);
        if got != want {
            return Err(format!("stdout differs from numpy's repr\n--- got\n{got}--- want\n{want}"));
        }
    }
    Ok(())
}

fn load_cases() -> Vec<Case> {
    let manifest = std::fs::read_to_string(root().join("manifest.txt"))
        .expect("test/fixtures/array/manifest.txt is missing: run tools/fixtures/gen_array_programs.py");
    manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| parse_line(l).unwrap_or_else(|e| panic!("bad manifest line ({e}): {l}")))
        .collect()
}

/// Categories the generator must produce, so that a generator that silently
/// drops a whole category fails here.
const CATEGORIES: &[&str] = &[
    "unary",
    "binary",
    "cmp",
    "select",
    "cast",
    "broadcast",
    "reshape",
    "transpose",
    "slice",
    "concat",
    "reduce",
    "matmul",
    "iota",
    "constant",
    "dim",
    "programs",
    "examples",
];

/// Which backend runs the cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    /// The reference interpreter, on the array-level program as written.
    Interp,
    /// The default pipeline: array-to-loop-pipeline, MLIR, LLVM, native code.
    Cpu,
}

impl Backend {
    fn flag(self) -> &'static str {
        match self {
            Backend::Interp => "interp",
            Backend::Cpu => "cpu",
        }
    }

    /// The comparison for one result of case `c`: the manifest's, except
    /// for float sums, products and means on the cpu backend (see
    /// [`reduction_tolerance`]).
    fn cmp(self, c: &Case, want: &NdArray) -> Cmp {
        match (self, c.cmp) {
            (Backend::Cpu, Cmp::Exact) if is_float_accumulation(c) && want.dtype().is_float() => {
                let n = reduction_len(c, want);
                let tol = reduction_tolerance(want.dtype(), n);
                let scale = max_abs(want);
                Cmp::AllClose(tol, tol * scale)
            }
            (_, cmp) => cmp,
        }
    }
}

/// Whether case `c` accumulates floats (`sum`, `prod`, `mean`, the `nan*`
/// forms): numpy sums pairwise, in blocks of 8 along the contiguous axis,
/// and the interpreter copies that order exactly, but compiled loops add in
/// index order. Min, max, arg*, any and all are exact in any order.
fn is_float_accumulation(c: &Case) -> bool {
    c.category() == "reduce"
        && ["sum", "prod", "mean", "nan"].iter().any(|op| c.name["reduce/".len()..].starts_with(op))
}

/// How many elements fold into each result: the first input's elements
/// over the result's (at least 1).
fn reduction_len(c: &Case, want: &NdArray) -> usize {
    let input = c.inputs.first().and_then(|i| load_npy(root().join(i)).ok());
    let n_in = input.map_or(1, |a| a.len());
    (n_in / want.len().max(1)).max(1)
}

/// The relative tolerance of a reduction of `n` elements summed in another
/// order: `4 · eps · n`, the classic bound of recursive summation (each
/// addition rounds by at most eps; error grows linearly with the length),
/// where eps is the dtype's machine epsilon. The same amount times the
/// largest |expected| value is the absolute tolerance, for sums that
/// cancel to near zero.
fn reduction_tolerance(dtype: axir_ndarray::DType, n: usize) -> f64 {
    use axir_ndarray::DType;
    let eps = match dtype {
        DType::F16 => 2f64.powi(-10),
        DType::BF16 => 2f64.powi(-7),
        DType::F32 => f64::from(f32::EPSILON),
        _ => f64::EPSILON,
    };
    4.0 * eps * n as f64
}

/// The largest finite |value| of `a`, or 0.
fn max_abs(a: &NdArray) -> f64 {
    let f64s = a.to_f64_vec();
    f64s.into_iter().filter(|v| v.is_finite()).fold(0.0, |m, v| m.max(v.abs()))
}

/// Runs every case (or those matching `AXRUN_CASES`) on `backend`; returns
/// the failures as `(name, message)`, sorted, and the number of cases run.
fn run_all(backend: Backend) -> (Vec<(String, String)>, usize) {
    let all = load_cases();
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &all {
        *per_category.entry(c.category()).or_default() += 1;
    }
    for cat in CATEGORIES {
        assert!(per_category.contains_key(cat), "the manifest has no '{cat}' cases");
    }
    let filter = std::env::var("AXRUN_CASES").unwrap_or_default();
    let cases: Vec<&Case> = all.iter().filter(|c| c.name.contains(&filter)).collect();
    assert!(!cases.is_empty(), "no case matches AXRUN_CASES='{filter}'");

    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("axrun-programs-{}", backend.flag()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("cannot create the temporary directory");

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                if let Err(msg) = run_case(c, backend, &tmp) {
                    failures.lock().unwrap_or_else(|e| e.into_inner()).push((c.name.clone(), msg));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort();

    let summary: Vec<String> = per_category.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let with_repr = cases.iter().filter(|c| c.repr.is_some()).count();
    eprintln!(
        "axrun programs (--backend {}): {} cases ({}); ran {}, {} with a stdout repr check; \
         {} passed, {} failed",
        backend.flag(),
        all.len(),
        summary.join(", "),
        cases.len(),
        with_repr,
        cases.len() - failures.len(),
        failures.len()
    );
    (failures, cases.len())
}

#[test]
fn numpy_programs() {
    let (failures, ran) = run_all(Backend::Interp);
    for (name, msg) in &failures {
        eprintln!("FAIL {name}: {msg}\n");
    }
    assert!(failures.is_empty(), "{} of {ran} axrun cases failed", failures.len());
}

/// Cases the cpu backend cannot run or gets wrong yet, each with the
/// reason. The list only shrinks: a listed case that passes fails the test.
const CPU_KNOWN_FAILURES: &[(&str, &str)] = &[];

/// Every case on the default pipeline (array-to-loop-pipeline, MLIR, LLVM,
/// native code), against numpy's results with the comparison rules of
/// [`Backend::cmp`].
#[test]
fn numpy_programs_cpu() {
    let (failures, _) = run_all(Backend::Cpu);
    let filter = std::env::var("AXRUN_CASES").unwrap_or_default();
    let known: BTreeMap<&str, &str> = CPU_KNOWN_FAILURES.iter().copied().collect();
    let mut unexpected = Vec::new();
    for (name, msg) in &failures {
        if !known.contains_key(name.as_str()) {
            eprintln!("FAIL {name}: {msg}\n");
            unexpected.push(name.clone());
        }
    }
    let failed: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
    let fixed: Vec<&str> =
        known.keys().copied().filter(|n| n.contains(&filter) && !failed.contains(n)).collect();
    eprintln!(
        "{} known failures on the cpu backend ({} of them ran)",
        known.len(),
        known.keys().filter(|n| n.contains(&filter)).count()
    );
    assert!(unexpected.is_empty(), "{} cases failed on the cpu backend: {unexpected:?}", unexpected.len());
    assert!(
        fixed.is_empty(),
        "these cases now pass on the cpu backend: remove them from CPU_KNOWN_FAILURES: {fixed:?}"
    );
}
