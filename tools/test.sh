#!/usr/bin/env bash
# The test job: formatting, lints, then every test of the workspace (unit
# tests, and the lit suite under test/ through `cargo test -p axopt --test lit`).
# Runs every step even after a failure, then exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() {
    printf '\n==== %s ====\n' "$*"
}

section "setup"
source tools/setup.sh
cargo --version

failed=()
step() {
    section "$*"
    if ! "$@"; then
        failed+=("$*")
    fi
}

step cargo fmt --all --check
step cargo clippy --workspace --all-targets -- -D warnings
# The lit suite runs axrun and axtranslate beside axopt; `cargo test` builds
# a package's binaries only for that package's own integration tests, so
# build every binary first.
step cargo build --workspace --bins
step cargo test --workspace

if [ "${#failed[@]}" -ne 0 ]; then
    section "FAILED"
    printf '  %s\n' "${failed[@]}"
    exit 1
fi
section "all checks passed"
