#!/usr/bin/env python3
"""Generate a module of N scalar `arith` ops in `func.func`s, for benchmarks.

The module is valid MLIR in the custom syntax MLIR prints, so that both axopt
and mlir-opt read it. Each function has about --ops-per-func ops and returns
an f32. The mix is arith.constant, addf, mulf, subf, divf, addi, muli, cmpf,
cmpi and select, with redundancy left in on purpose so that CSE and canonicalize
have work: constants drawn from a small set (duplicates), repeated
expressions, identities (x * 1.0, x + -0.0, i + 0, i * 1) and operations on
constants that fold.

    python3 bench/gen_scalar_module.py 100000 -o /tmp/scalar-100k.axir

N counts every op inside the functions, func.return included.
"""

import argparse
import random
import sys

F32_CONSTANTS = ["0.0", "1.0", "2.0", "0.5", "-1.0", "3.0", "1.0e-03", "4.25"]
I32_CONSTANTS = ["0", "1", "2", "3", "7", "-1", "42", "100"]
CMPF_PREDICATES = ["olt", "ogt", "oeq", "ole", "oge", "une"]
CMPI_PREDICATES = ["slt", "sgt", "eq", "ne", "ule", "uge"]

# (kind, weight); the weights are relative.
MIX = [
    ("constf", 10),
    ("addf", 14),
    ("mulf", 14),
    ("subf", 10),
    ("divf", 6),
    ("consti", 4),
    ("addi", 8),
    ("muli", 6),
    ("cmpf", 5),
    ("cmpi", 4),
    ("select", 8),
    ("duplicate", 8),
    ("identity", 4),
]

# Operands are mostly the oldest values not used yet, so that few values are
# left dead, and otherwise recent values, so that values form long chains.
WINDOW = 24
PREFER_UNUSED = 0.7


class FunctionBuilder:
    """Emits the body of one function, one op per call to `op`."""

    def __init__(self, rng, name):
        self.rng = rng
        self.name = name
        self.lines = []
        self.next_id = 0
        self.values = {"f32": ["%arg0", "%arg1"], "i32": ["%arg2"], "i1": []}
        self.unused = {ty: list(names) for ty, names in self.values.items()}
        # Binary ops already emitted, as (opcode, lhs, rhs, type), to repeat.
        self.binaries = []
        self.constants = {}

    def fresh(self, ty):
        name = "%" + str(self.next_id)
        self.next_id += 1
        self.values[ty].append(name)
        self.unused[ty].append(name)
        return name

    def pick(self, ty):
        unused = self.unused[ty]
        if unused and self.rng.random() < PREFER_UNUSED:
            return unused.pop(0)
        pool = self.values[ty]
        name = pool[-1 - min(int(self.rng.expovariate(0.25)), len(pool) - 1, WINDOW)]
        if name in unused[-WINDOW - 1 :]:
            unused.remove(name)
        return name

    def emit(self, text):
        self.lines.append("    " + text)

    def constant(self, ty, literal):
        result = self.fresh(ty)
        self.emit(f"{result} = arith.constant {literal} : {ty}")
        return result

    def binary(self, opcode, lhs, rhs, ty):
        result = self.fresh(ty)
        self.emit(f"{result} = arith.{opcode} {lhs}, {rhs} : {ty}")
        self.binaries.append((opcode, lhs, rhs, ty))
        return result

    def op(self, budget):
        """Emits one op, or two for an identity when `budget` allows."""
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind == "identity" and budget < 2:
            kind = "mulf"
        if kind == "select" and not self.values["i1"]:
            kind = "cmpi"
        if kind == "duplicate" and not self.binaries:
            kind = "addf"
        if kind == "constf":
            self.constant("f32", self.rng.choice(F32_CONSTANTS))
        elif kind == "consti":
            self.constant("i32", self.rng.choice(I32_CONSTANTS))
        elif kind in ("addf", "mulf", "subf", "divf"):
            self.binary(kind, self.pick("f32"), self.pick("f32"), "f32")
        elif kind in ("addi", "muli"):
            self.binary(kind, self.pick("i32"), self.pick("i32"), "i32")
        elif kind == "cmpf":
            predicate = self.rng.choice(CMPF_PREDICATES)
            lhs, rhs = self.pick("f32"), self.pick("f32")
            result = self.fresh("i1")
            self.emit(f"{result} = arith.cmpf {predicate}, {lhs}, {rhs} : f32")
        elif kind == "cmpi":
            predicate = self.rng.choice(CMPI_PREDICATES)
            lhs, rhs = self.pick("i32"), self.pick("i32")
            result = self.fresh("i1")
            self.emit(f"{result} = arith.cmpi {predicate}, {lhs}, {rhs} : i32")
        elif kind == "select":
            cond, lhs, rhs = self.pick("i1"), self.pick("f32"), self.pick("f32")
            result = self.fresh("f32")
            self.emit(f"{result} = arith.select {cond}, {lhs}, {rhs} : f32")
        elif kind == "duplicate":
            # The same expression again: CSE removes it.
            self.binary(*self.rng.choice(self.binaries[-64:]))
        elif kind == "identity":
            self.identity()
        else:
            raise AssertionError(kind)

    def identity(self):
        """x * 1.0, x + -0.0, i + 0 or i * 1, each with its constant: two ops."""
        choice = self.rng.randrange(4)
        if choice == 0:
            one = self.constant("f32", "1.0")
            self.binary("mulf", self.pick("f32"), one, "f32")
        elif choice == 1:
            zero = self.constant("f32", "-0.0")
            self.binary("addf", self.pick("f32"), zero, "f32")
        elif choice == 2:
            zero = self.constant("i32", "0")
            self.binary("addi", self.pick("i32"), zero, "i32")
        else:
            one = self.constant("i32", "1")
            self.binary("muli", self.pick("i32"), one, "i32")

    def text(self, body_ops):
        """The function with exactly `body_ops` ops before its func.return."""
        while len(self.lines) < body_ops:
            self.op(body_ops - len(self.lines))
        header = f"  func.func @{self.name}(%arg0: f32, %arg1: f32, %arg2: i32) -> f32 {{"
        result = self.values["f32"][-1]
        return "\n".join([header, *self.lines, f"    func.return {result} : f32", "  }"])


def generate(num_ops, ops_per_func=1000, seed=0):
    """The text of a module with exactly `num_ops` ops inside its functions."""
    if num_ops < 1 or ops_per_func < 1:
        raise ValueError("num_ops and ops_per_func must be positive")
    rng = random.Random(seed)
    functions = []
    remaining = num_ops
    index = 0
    while remaining > 0:
        size = min(ops_per_func, remaining)
        builder = FunctionBuilder(rng, f"f{index}")
        functions.append(builder.text(size - 1))
        remaining -= size
        index += 1
    return "module {\n" + "\n".join(functions) + "\n}\n"


def parse_count(text):
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}
    if text and text[-1] in scale:
        return int(float(text[:-1]) * scale[text[-1]])
    return int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("num_ops", type=parse_count, help="number of ops, e.g. 10000 or 10k")
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    parser.add_argument("--ops-per-func", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    text = generate(args.num_ops, args.ops_per_func, args.seed)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
