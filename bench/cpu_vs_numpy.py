#!/usr/bin/env python3
"""Time axir's CPU path (JIT cache, compiled through MLIR) against numpy.

Runs `axir-embed-example --bench SIZES` (the Rust runner, examples/embed),
which prints `RESULT name elements seconds` (median of its repetitions) and
`CHECK name elements sum` lines, then times the same computations in numpy
on the same inputs (the same f32 formula as the runner's `input`), checks
the sums agree and prints medians and ratios (axir / numpy; below 1 means
axir is faster).

    cargo build --release -p axir-embed-example
    python3 bench/cpu_vs_numpy.py                    # 1e3, 1e5, 1e6 elements
    python3 bench/cpu_vs_numpy.py --sizes 1e3,1e4 --runner PATH

Cases, all f32, rows of 100 elements (`n / 100` rows):
  call_overhead  one cached call of a 4-element a*b+c (axir), one `a*b+c`
                 on 4-element arrays into `out=` (numpy)
  fma            a*b+c
  softmax        over the last dim (max-subtracted)
  layernorm      over the last dim, with gamma and beta, eps 1e-5
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

COLS = 100


def inputs(n, mul, scale, shift):
    k = np.arange(n, dtype=np.int64)
    return ((k * mul) % 1000).astype(np.float32) / np.float32(scale) - np.float32(shift)


def median_time(reps, f):
    f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return statistics.median(t)


def numpy_cases(n):
    rows = n // COLS
    n = rows * COLS
    a = inputs(n, 7919, 250.0, 2.0).reshape(rows, COLS)
    b = inputs(n, 104729, 500.0, 1.0).reshape(rows, COLS)
    c = inputs(n, 31, 1000.0, 0.0).reshape(rows, COLS)
    gamma = inputs(COLS, 17, 1000.0, -0.5)
    beta = inputs(COLS, 3, 2000.0, 0.25)
    eps = np.float32(1e-5)

    def fma():
        return a * b + c

    def softmax():
        e = np.exp(a - a.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    def layernorm():
        xc = a - a.mean(1, keepdims=True)
        return xc / np.sqrt((xc * xc).mean(1, keepdims=True) + eps) * gamma + beta

    return n, {"fma": fma, "softmax": softmax, "layernorm": layernorm}


def reps_for(n):
    return 200 if n <= 10_000 else 40 if n <= 200_000 else 11


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e3,1e5,1e6", help="element counts, comma separated")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    default_runner = os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "axir-embed-example"
    )
    ap.add_argument("--runner", default=default_runner, help="the axir-embed-example binary (release)")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]

    out = subprocess.run([args.runner, "--bench", *map(str, sizes)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{args.runner} failed:\n{out.stderr}")
    axir, sums = {}, {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "RESULT":
            axir[(parts[1], int(parts[2]))] = float(parts[3])
        elif len(parts) == 4 and parts[0] == "CHECK":
            sums[(parts[1], int(parts[2]))] = float(parts[3])

    rows = []
    # Per-call overhead: numpy's cheapest equivalent of one tiny call.
    x = np.array([1, 2, 3, 4], dtype=np.float32)
    o = np.empty(4, dtype=np.float32)

    def tiny():
        for _ in range(1000):
            np.multiply(x, x, out=o)
            np.add(o, x, out=o)

    np_tiny = median_time(25, tiny) / 1000
    rows.append(("call_overhead", 4, axir[("call_overhead", 4)], np_tiny))
    if ("cache_lookup", 4) in axir:
        rows.append(("cache_lookup", 4, axir[("cache_lookup", 4)], None))

    bad = []
    for n0 in sizes:
        n, cases = numpy_cases(n0)
        for name, f in cases.items():
            want = float(np.sum(f().astype(np.float64)))
            got = sums.get((name, n))
            if got is None or abs(got - want) > 1e-3 * max(1.0, abs(want)):
                bad.append(f"{name} n={n}: axir sum {got}, numpy sum {want}")
            rows.append((name, n, axir[(name, n)], median_time(reps_for(n), f)))

    print(f"{'case':<14} {'elements':>9} {'axir median':>12} {'numpy median':>13} {'axir/numpy':>10}")
    for name, n, ta, tn in rows:
        tn_s = f"{tn * 1e6:>10.2f} us" if tn is not None else f"{'-':>13}"
        ratio = f"{ta / tn:>10.2f}" if tn is not None else f"{'-':>10}"
        print(f"{name:<14} {n:>9} {ta * 1e6:>9.2f} us {tn_s} {ratio}")
    if bad:
        print("results disagree:\n  " + "\n  ".join(bad), file=sys.stderr)
        sys.exit(1)
    print("all sums agree with numpy's (relative 1e-3)")


if __name__ == "__main__":
    main()
