#!/usr/bin/env bash
# The main job: build axopt in release mode and run a pass pipeline on an
# example.
#
#   tools/main.sh [FILE [PIPELINE]]
#
# FILE defaults to examples/basic.axir; PIPELINE defaults to
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
cargo build --release -p axopt
"${CARGO_TARGET_DIR:-target}/release/axopt" "$input" --pass-pipeline="$pipeline"
