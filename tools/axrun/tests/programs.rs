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

fn axrun(c: &Case) -> Command {
    let dir = root();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_axrun"));
    cmd.arg(dir.join(&c.prog)).arg("--entry").arg(&c.entry);
    for i in &c.inputs {
        cmd.arg("--arg").arg(dir.join(i));
    }
    cmd
}

/// Runs one case: every result against numpy's, and stdout against numpy's repr.
fn run_case(c: &Case, tmp: &Path) -> Result<(), String> {
    let dir = root();
    let stem = c.name.replace(['/', '.'], "_");
    let out_paths: Vec<PathBuf> = (0..c.outs.len()).map(|k| tmp.join(format!("{stem}.{k}.npy"))).collect();
    let mut cmd = axrun(c);
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
    for (k, (got_path, want_file)) in out_paths.iter().zip(&c.outs).enumerate() {
        let got = load_npy(got_path).map_err(|e| format!("result #{k}: cannot load axrun's output: {e}"))?;
        let want = load_npy(dir.join(want_file))
            .map_err(|e| format!("result #{k}: cannot load {want_file}: {e}"))?;
        if !c.cmp.holds(&got, &want) {
            return Err(format!(
                "result #{k} differs from numpy ({:?})\n  got:  {got}\n  want: {want}",
                c.cmp
            ));
        }
        expected.push(want);
    }
    if let Some(repr_file) = &c.repr {
        let want = std::fs::read_to_string(dir.join(repr_file)).map_err(|e| format!("{repr_file}: {e}"))?;
        let output = axrun(c).output().map_err(|e| format!("cannot run axrun: {e}"))?;
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

#[test]
fn numpy_programs() {
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

    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axrun-programs");
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
                match run_case(c, &tmp) {
                    Ok(()) => {}
                    Err(msg) => {
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{}: {msg}", c.name))
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort();

    let summary: Vec<String> = per_category.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let with_repr = cases.iter().filter(|c| c.repr.is_some()).count();
    eprintln!(
        "axrun programs: {} cases ({}); ran {}, {} with a stdout repr check);\
         {} passed, {} failed",
        all.len(),
        summary.join(", "),
        cases.len(),
        with_repr,
        cases.len() - failures.len(),
        failures.len()
    );
    for f in &failures {
        eprintln!("FAIL {f}\n");
    }
    assert!(failures.is_empty(), "{} of {} axrun cases failed", failures.len(), cases.len());
}
