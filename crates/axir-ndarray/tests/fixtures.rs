//! Checks every case of `test/fixtures/ndarray/manifest.txt` (numpy-generated
//! by `tools/fixtures/gen_ndarray_fixtures.py`; see its docstring for the
//! format). Python is not needed here: inputs and expected outputs are `.npy`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axir_ndarray::{
    binary, broadcast_to, cast, cmp, concat, iota, load_npy, matmul, reduce, repr, reshape, select, slice,
    transpose, unary, BinaryOp, CmpPredicate, DType, NdArray, ReduceKind, SliceSpec, UnaryOp,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test/fixtures/ndarray")
}

/// One manifest line.
struct Case {
    name: String,
    op: String,
    attrs: HashMap<String, String>,
    inputs: Vec<String>,
    out: String,
    cmp: String,
}

fn parse_line(line: &str) -> Option<Case> {
    let mut toks = line.split_whitespace();
    let name = toks.next()?.to_string();
    let op = toks.next()?.to_string();
    let mut attrs = HashMap::new();
    for t in toks {
        let (k, v) = t.split_once('=')?;
        attrs.insert(k.to_string(), v.to_string());
    }
    let inputs = match attrs.remove("in") {
        Some(s) if !s.is_empty() => s.split(',').map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let out = attrs.remove("out")?;
    let cmp = attrs.remove("cmp")?;
    Some(Case { name, op, attrs, inputs, out, cmp })
}

fn list(s: &str) -> Vec<usize> {
    s.split(',').filter(|p| !p.is_empty()).map(|p| p.parse().expect("bad list in manifest")).collect()
}

fn specs(s: &str) -> Vec<SliceSpec> {
    let part = |p: &str| if p.is_empty() { None } else { Some(p.parse::<i64>().expect("bad slice bound")) };
    s.split(';')
        .filter(|p| !p.is_empty())
        .map(|d| {
            let v: Vec<&str> = d.split(':').collect();
            SliceSpec::new(part(v[0]), part(v[1]), part(v[2]))
        })
        .collect()
}

/// What a case computed: an array, a text, or an error.
enum Outcome {
    Array(NdArray),
    Text(String),
}

fn run(c: &Case, ins: &[NdArray]) -> axir_ndarray::Result<Outcome> {
    let a = |k: &str| c.attrs.get(k).map(String::as_str).unwrap_or("");
    let arr = |r: axir_ndarray::Result<NdArray>| r.map(Outcome::Array);
    match c.op.as_str() {
        "unary" => arr(unary(UnaryOp::from_name(a("name"))?, &ins[0])),
        "binary" => arr(binary(BinaryOp::from_name(a("name"))?, &ins[0], &ins[1])),
        "cmp" => arr(cmp(CmpPredicate::from_name(a("pred"))?, &ins[0], &ins[1])),
        "select" => arr(select(&ins[0], &ins[1], &ins[2])),
        "cast" => arr(cast(&ins[0], DType::from_name(a("to"))?)),
        "reshape" => arr(reshape(&ins[0], &list(a("shape")))),
        "transpose" => arr(transpose(&ins[0], &list(a("perm")))),
        "broadcast_to" => arr(broadcast_to(&ins[0], &list(a("shape")))),
        "slice" => arr(slice(&ins[0], &specs(a("spec")))),
        "concat" => arr(concat(&ins.iter().collect::<Vec<_>>(), list(a("dim"))[0])),
        "matmul" => arr(matmul(&ins[0], &ins[1])),
        "reduce" => {
            arr(reduce(ReduceKind::from_name(a("kind"))?, &ins[0], &list(a("dims")), a("keepdims") == "1"))
        }
        "iota" => arr(iota(list(a("shape")), list(a("dim"))[0], DType::from_name(a("dtype"))?)),
        "npy" => Ok(Outcome::Array(ins[0].clone())),
        "repr" => Ok(Outcome::Text(repr(&ins[0]))),
        other => panic!("unknown op '{other}' in manifest"),
    }
}

fn check(c: &Case) -> Result<(), String> {
    let dir = root();
    let ins = c
        .inputs
        .iter()
        .map(|f| load_npy(dir.join(f)).map_err(|e| format!("loading {f}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let got = run(c, &ins);
    if c.out == "error" {
        return match got {
            Err(_) => Ok(()),
            Ok(_) => Err("expected an error, got a result".to_string()),
        };
    }
    let got = got.map_err(|e| format!("unexpected error: {e}"))?;
    match got {
        Outcome::Text(text) => {
            let want = std::fs::read_to_string(dir.join(&c.out)).map_err(|e| e.to_string())?;
            if text == want {
                Ok(())
            } else {
                Err(format!("repr mismatch:\n--- got\n{text}\n--- want\n{want}"))
            }
        }
        Outcome::Array(got) => {
            let want = load_npy(dir.join(&c.out)).map_err(|e| format!("loading {}: {e}", c.out))?;
            let ok = match c.cmp.split(':').collect::<Vec<_>>().as_slice() {
                ["exact"] => got.same_values(&want),
                ["ulp", n] => got.ulp_close(&want, n.parse().expect("bad ulp")),
                ["close", r, a] => {
                    got.allclose(&want, r.parse().expect("bad rtol"), a.parse().expect("bad atol"))
                }
                other => panic!("bad cmp {other:?}"),
            };
            if ok {
                Ok(())
            } else {
                Err(format!("mismatch ({})\n  got:  {got}\n  want: {want}", c.cmp))
            }
        }
    }
}

#[test]
fn numpy_fixtures() {
    let manifest = std::fs::read_to_string(root().join("manifest.txt")).expect("fixture manifest missing");
    let cases: Vec<Case> = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| parse_line(l).unwrap_or_else(|| panic!("bad manifest line: {l}")))
        .collect();
    let mut failures = Vec::new();
    for c in &cases {
        if let Err(msg) = check(c) {
            failures.push(format!("{}: {msg}", c.name));
        }
    }
    eprintln!(
        "numpy fixtures: {} cases, {} passed, {} failed",
        cases.len(),
        cases.len() - failures.len(),
        failures.len()
    );
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} of {} fixture cases failed", failures.len(), cases.len());
}
