#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian 12 packages the build and the tests need, if missing.
set -eu

pkgs=(
    meson ninja-build gcc clang libclang-rt-14-dev pkg-config python3
    libglib2.0-dev libslirp-dev libfdt-dev libjansson-dev
    iproute2 iperf3 opensbi device-tree-compiler cpio dpdk-dev
    gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
