# -*- Python -*-
# The axir test suite under LLVM's lit:
#
#   /usr/lib/llvm-22/bin/lit test/            # all tests
#   /usr/lib/llvm-22/bin/lit -v test/arith    # one directory, with failures shown
#
# It runs the same files as `cargo test -p axopt --test lit` (crates/axir-lit)
# and must stay in step with it: same suffixes, same excluded directories,
# same features, and `axopt` found through PATH.

import os
import shutil
import subprocess

import lit.formats

config.name = "axir"
config.suffixes = [".axir", ".mlir"]
config.excludes = ["Inputs", "Output"]
# The external shell is bash, as in the cargo runner, so that RUN lines mean
# the same thing under both.
config.test_format = lit.formats.ShTest(execute_external=True)
config.pipefail = True

config.test_source_root = os.path.dirname(os.path.abspath(__file__))
repo_root = os.path.dirname(config.test_source_root)
# %t and %T live under target/, not in the source tree.
config.test_exec_root = os.path.join(repo_root, "target", "lit")

llvm_bin_dir = "/usr/lib/llvm-22/bin"
# Absolute: tests run in their own directories, so a relative PATH entry
# would find nothing.
axopt_dir = os.path.abspath(os.environ.get("AXIR_BIN_DIR") or os.path.join(repo_root, "target", "debug"))
if not os.access(os.path.join(axopt_dir, "axopt"), os.X_OK):
    lit_config.fatal(
        "axopt not found in %s: run `cargo build -p axopt`, or set AXIR_BIN_DIR "
        "to the directory that holds it (e.g. target/release)" % axopt_dir
    )

# Tools are found through PATH, as in the cargo runner: the axopt directory
# first, then LLVM 22's tools (FileCheck, not, count, mlir-opt).
tool_path = os.pathsep.join([axopt_dir, llvm_bin_dir, os.environ.get("PATH", "")])
config.environment["PATH"] = tool_path

if shutil.which("FileCheck", path=tool_path):
    config.available_features.add("llvm-tools")
else:
    lit_config.fatal("FileCheck not found in %s nor in PATH: run tools/setup.sh" % llvm_bin_dir)
if shutil.which("mlir-opt", path=tool_path):
    config.available_features.add("mlir-opt")
try:
    gpu = subprocess.run(
        ["nvidia-smi", "-L"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode == 0
except OSError:
    gpu = False
if gpu:
    config.available_features.add("gpu")

lit_config.note("axopt: %s" % os.path.join(axopt_dir, "axopt"))
lit_config.note("features: %s" % ", ".join(sorted(config.available_features)))
