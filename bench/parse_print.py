#!/usr/bin/env python3
"""Time axopt against mlir-opt on generated scalar modules.

For each size (default 10k, 100k and 1M ops) the module is generated once
with gen_scalar_module.py, then two cases are timed, interleaved in one run:

  parse+print  TOOL FILE -o /dev/null                             (parse, verify, print)
  cse+canon    TOOL FILE --cse --canonicalize -o /dev/null

Each repetition runs every (case, tool) pair once, so that drift of the
machine hits both tools alike. The table reports the median wall time, the
ratio axopt / mlir-opt, and the time per op, which stays flat across sizes
when a tool is linear.

    python3 bench/parse_print.py                       # needs target/release/axopt
    python3 bench/parse_print.py --sizes 10k,100k --reps 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_scalar_module  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    ("parse+print", []),
    ("cse+canon", ["--cse", "--canonicalize"]),
]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="10k,100k,1M",
        help="comma-separated op counts, with k/M suffixes (default: 10k,100k,1M)",
    )
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions (default: 5)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed runs of each pair first (default: 1)"
    )
    parser.add_argument(
        "--axopt",
        default=os.path.join(REPO_ROOT, "target", "release", "axopt"),
        help="axopt binary (default: target/release/axopt)",
    )
    parser.add_argument(
        "--mlir-opt",
        default="/usr/lib/llvm-22/bin/mlir-opt",
        help="mlir-opt binary (default: /usr/lib/llvm-22/bin/mlir-opt)",
    )
    parser.add_argument(
        "--tools",
        default="axopt,mlir-opt",
        help="which tools to run, comma-separated (default: axopt,mlir-opt)",
    )
    parser.add_argument(
        "--mlir-disable-threading",
        action="store_true",
        help="pass --mlir-disable-threading to mlir-opt, for a single-threaded comparison",
    )
    parser.add_argument("--ops-per-func", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir",
        default=os.path.join(REPO_ROOT, "target", "bench"),
        help="where the generated modules go (default: target/bench)",
    )
    parser.add_argument("--json", help="also write the results to this file")
    return parser.parse_args()


def command(tool, path, flags, args):
    binary = args.axopt if tool == "axopt" else args.mlir_opt
    extra = ["--mlir-disable-threading"] if tool == "mlir-opt" and args.mlir_disable_threading else []
    return [binary, path, *flags, *extra, "-o", os.devnull]


def run_once(cmd):
    """Wall seconds of one run, or raises RuntimeError with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(
            "%s exited with %d:\n%s" % (" ".join(cmd), proc.returncode, err[-2000:])
        )
    return elapsed


def module_path(args, size):
    os.makedirs(args.workdir, exist_ok=True)
    path = os.path.join(
        args.workdir, "scalar-%d-f%d-s%d.axir" % (size, args.ops_per_func, args.seed)
    )
    if not os.path.exists(path):
        start = time.perf_counter()
        text = gen_scalar_module.generate(size, args.ops_per_func, args.seed)
        with open(path + ".part", "w") as f:
            f.write(text)
        os.replace(path + ".part", path)
        print(
            "generated %s (%.1f MB) in %.1f s"
            % (path, os.path.getsize(path) / 1e6, time.perf_counter() - start),
            file=sys.stderr,
        )
    return path


def bench_size(args, tools, size):
    """{(case, tool): [seconds, ...]} for one size; a failing pair maps to its error."""
    path = module_path(args, size)
    pairs = [(case, flags, tool) for case, flags in CASES for tool in tools]
    times = {(case, tool): [] for case, _, tool in pairs}
    errors = {}
    for rep in range(args.warmup + args.reps):
        for case, flags, tool in pairs:
            if (case, tool) in errors:
                continue
            try:
                elapsed = run_once(command(tool, path, flags, args))
            except (RuntimeError, OSError) as e:
                errors[(case, tool)] = str(e)
                continue
            if rep >= args.warmup:
                times[(case, tool)].append(elapsed)
    return times, errors


def fmt_seconds(value):
    return "-" if value is None else "%.4f" % value


def main():
    args = parse_args()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - {"axopt", "mlir-opt"}
    if unknown:
        sys.exit("unknown tool(s): %s" % ", ".join(sorted(unknown)))
    for tool in tools:
        binary = args.axopt if tool == "axopt" else args.mlir_opt
        if not os.access(binary, os.X_OK):
            hint = " (cargo build --release -p axopt)" if tool == "axopt" else ""
            sys.exit("%s not found at %s%s" % (tool, binary, hint))
    sizes = [gen_scalar_module.parse_count(s) for s in args.sizes.split(",") if s]

    header = [
        "ops", "case", "axopt s", "mlir-opt s", "ratio", "axopt us/op", "mlir-opt us/op"
    ]
    rows = []
    results = []
    failures = []
    for size in sizes:
        times, errors = bench_size(args, tools, size)
        failures.extend("%d %s %s: %s" % (size, c, t, e) for (c, t), e in errors.items())
        for case, _ in CASES:
            med = {}
            for tool in ("axopt", "mlir-opt"):
                samples = times.get((case, tool), [])
                med[tool] = statistics.median(samples) if samples else None
            ratio = (
                med["axopt"] / med["mlir-opt"]
                if med["axopt"] is not None and med["mlir-opt"]
                else None
            )
            per_op = {t: (None if m is None else m / size * 1e6) for t, m in med.items()}
            rows.append([
                str(size), case, fmt_seconds(med["axopt"]), fmt_seconds(med["mlir-opt"]),
                "-" if ratio is None else "%.2f" % ratio,
                "-" if per_op["axopt"] is None else "%.3f" % per_op["axopt"],
                "-" if per_op["mlir-opt"] is None else "%.3f" % per_op["mlir-opt"],
            ])
            results.append({
                "ops": size, "case": case,
                "median_s": med, "ratio": ratio, "us_per_op": per_op,
                "samples_s": {t: times.get((case, t), []) for t in tools},
            })

    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    print("median of %d runs (after %d warm-up)" % (args.reps, args.warmup))
    for row in [header] + rows:
        print("  ".join(cell.rjust(w) if i != 1 else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"reps": args.reps, "results": results, "failures": failures}, f, indent=2)
    if failures:
        print("\nfailures:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
