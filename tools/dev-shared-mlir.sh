#!/usr/bin/env bash
# Opt-in fast developer mode: link MLIR as shared libraries instead of
# statically (docs/mlir-bridge.md, "A faster developer mode").
#
#   tools/dev-shared-mlir.sh cargo build -p axtranslate   # run one command in the mode
#   tools/dev-shared-mlir.sh cargo test -p axir-mlir --test jit
#   eval "$(tools/dev-shared-mlir.sh)"                     # or: export the mode into this shell
#
# (Run it, don't `source` it: it would leave `set -euo pipefail` in your
# shell.) AXIR_MLIR_C_DIR (default ~/.cache/axir-mlir-c) and
# AXIR_SHARED_TARGET_DIR (default target-shared) move the two directories.
#
# Binaries land in target-shared/, never in target/: mlir-sys's build script
# does not ask cargo to rerun it when MLIR_SYS_LINK_SHARED changes, so one
# target directory used in both modes could keep linking the old way.
# They find the shared libraries through an rpath, so they only run on a
# machine with this cache and the same LLVM; CI and releases use the static
# default.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${MLIR_SYS_220_PREFIX:-/usr/lib/llvm-22}
llvm_lib=$prefix/lib
cache=${AXIR_MLIR_C_DIR:-$HOME/.cache/axir-mlir-c}
lib=$cache/libMLIR-C.so

for f in "$llvm_lib/libMLIR.so" "$llvm_lib/libLLVM-22.so" "$llvm_lib/libMLIRCAPIIR.a"; do
  [[ -e $f ]] || { echo "dev-shared-mlir: $f not found (is LLVM/MLIR 22 installed? tools/setup.sh)" >&2; exit 1; }
done

# mlir-sys in shared mode links -lMLIR -lMLIR-C -lLLVM-22. Debian ships
# libMLIR.so but no libMLIR-C.so, so link one from the C API archives.
# Only those archives go in: every other MLIR object comes from libMLIR.so,
# so the process has one copy of MLIR's registries and command-line options
# (the archives define no strong symbol that libMLIR.so also defines; their
# inline-function statics are hidden, and the fallback TypeIDs they hold are
# resolved by name in libMLIR.so, so they match). --no-undefined makes a
# missing symbol an error here rather than at load time.
stale=1
if [[ -e $lib ]] && [[ -z $(find "$llvm_lib" -maxdepth 1 \( -name 'libMLIRCAPI*.a' -o -name 'libMLIR.so*' \) -newer "$lib" -print -quit) ]]; then
  stale=0
fi
if [[ $stale == 1 ]]; then
  mkdir -p "$cache"
  trap 'rm -f "$lib.tmp.$$"' EXIT
  echo "dev-shared-mlir: linking $lib" >&2
  ${CXX:-c++} -shared -fPIC -o "$lib.tmp.$$" -Wl,-soname,libMLIR-C.so -Wl,--no-undefined \
    -Wl,--whole-archive "$llvm_lib"/libMLIRCAPI*.a -Wl,--no-whole-archive \
    -L"$llvm_lib" -lMLIR -lLLVM-22 -Wl,-rpath,"$llvm_lib"
  mv -f "$lib.tmp.$$" "$lib"
fi

# Nothing but an rpath finds libMLIR-C.so in the cache. The second rpath is
# for libMLIR.so.22.1, which is not on the default loader path, should a
# binary need it directly: libMLIR-C.so's own RUNPATH only serves its own
# dependencies.
export MLIR_SYS_LINK_SHARED=1
export CARGO_TARGET_DIR=${AXIR_SHARED_TARGET_DIR:-$repo/target-shared}
flags="-L native=$cache -C link-arg=-Wl,-rpath,$cache -C link-arg=-Wl,-rpath,$llvm_lib"
# Append once: running it again in a shell that has the flags must not
# change RUSTFLAGS (cargo would rebuild everything).
case " ${RUSTFLAGS:-} " in
  *" $flags "*) ;;
  *) export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$flags" ;;
esac

if [[ $# -eq 0 ]]; then
  printf 'export MLIR_SYS_LINK_SHARED=1\nexport CARGO_TARGET_DIR=%q\nexport RUSTFLAGS=%q\n' \
    "$CARGO_TARGET_DIR" "$RUSTFLAGS"
else
  exec "$@"
fi
