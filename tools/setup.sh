#!/usr/bin/env bash
# Installs what building and testing axir needs, and only what is missing:
# LLVM/MLIR 22 and the Debian packages they build with, and Rust with rustfmt
# and clippy. Idempotent, and fast when everything is present.
#
# Run it (`bash tools/setup.sh`) or source it (`source tools/setup.sh`, as
# tools/test.sh and tools/main.sh do, so that a freshly installed cargo is in
# PATH afterwards). Works as root on a fresh Debian 12, or as a user with sudo.
set -euo pipefail

AXIR_DEB_PACKAGES=(
    llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libclang-22-dev libpolly-22-dev
    libzstd-dev libz3-dev libxml2-dev
    build-essential pkg-config python3 git curl ca-certificates
)

axir_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "setup: error: '$*' needs root, and sudo is not installed" >&2
        return 1
    fi
}

axir_deb_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

axir_install_debs() {
    local missing=() pkg
    for pkg in "${AXIR_DEB_PACKAGES[@]}"; do
        axir_deb_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: error: missing ${missing[*]}, and apt-get is not available;" \
            "install them by hand (this script knows Debian 12 only)" >&2
        return 1
    fi
    echo "setup: installing ${missing[*]}" >&2
    axir_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    if ! apt-cache policy llvm-22-tools | grep -Eq '^\s*Candidate: [^(]'; then
        cat >&2 <<'MSG'
setup: error: apt has no candidate for llvm-22-tools, so LLVM/MLIR 22 cannot be installed.
  axir needs the LLVM 22 packages (llvm-22-dev, libmlir-22-dev, mlir-22-tools, ...).
  On Debian 12 they come from bookworm-security or from LLVM's own repository:
    https://apt.llvm.org  (suite llvm-toolchain-bookworm-22)
  Add one of them to /etc/apt/sources.list.d/, then run tools/setup.sh again.
MSG
        return 1
    fi
    axir_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

axir_install_rust() {
    if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
        # shellcheck source=/dev/null
        source "$HOME/.cargo/env"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "setup: installing Rust with rustup" >&2
        if ! curl https://sh.rustup.rs -sSf |
            sh -s -- -y --profile minimal --component rustfmt,clippy; then
            echo "setup: error: installing Rust with rustup failed" >&2
            return 1
        fi
        # shellcheck source=/dev/null
        source "$HOME/.cargo/env" || return 1
    fi
    if command -v rustup >/dev/null 2>&1; then
        cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt || return 1
        cargo clippy --version >/dev/null 2>&1 || rustup component add clippy || return 1
    fi
    local tool
    for tool in fmt clippy; do
        if ! cargo "$tool" --version >/dev/null 2>&1; then
            echo "setup: error: 'cargo $tool' is missing and rustup is not there to add it" >&2
            return 1
        fi
    done
}

# Checked explicitly rather than through `set -e`, which a caller that sources
# this file from a condition (`source tools/setup.sh && ...`) turns off.
if ! axir_install_debs || ! axir_install_rust; then
    echo "setup: failed" >&2
    return 1 2>/dev/null || exit 1
fi
