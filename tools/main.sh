#!/usr/bin/env bash
# The main job: build axopt and axrun in release mode, run a pass pipeline
# over an example with axopt, then run the softmax example with axrun on the
# cpu backend (lowered to loops, compiled through MLIR and LLVM) and print
# its result.
#
#   tools/main.sh [FILE [PIPELINE]]
#
# FILE (for axopt) defaults to examples/basic.axir; PIPELINE defaults to
# 'builtin.module(func.func(canonicalize,cse))'.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A FILE given on the command line is relative to where the script was started.
if [ "$#" -ge 1 ]; then
    input="$(realpath -- "$1")"
else
    input="$repo_root/examples/basic.axir"
fi
pipeline="${2:-builtin.module(func.func(canonicalize,cse))}"

cd "$repo_root"
source tools/setup.sh
cargo build --release -p axopt -p axrun
bin="${CARGO_TARGET_DIR:-target}/release"

echo "== axopt $(basename "$input") --pass-pipeline='$pipeline'"
"$bin/axopt" "$input" --pass-pipeline="$pipeline"

echo "== axrun examples/softmax.axir --arg examples/inputs/softmax/x.npy --backend cpu"
"$bin/axrun" examples/softmax.axir --arg examples/inputs/softmax/x.npy --backend cpu
