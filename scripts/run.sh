#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build vireo, start it on the riscv64 virt machine with a
# QMP socket, and show a short scripted QMP session.  (Booting a guest
# arrives with the CPU work.)
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec python3 scripts/qmp-demo.py build/vireo
