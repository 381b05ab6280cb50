#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main command: build vireo, fetch (or reuse) the Debian riscv64 guest
# image, boot it on the virt machine (AIA, 2 harts) with a 4-queue virtio-net
# NIC on multiqueue user networking (no root needed) and show
# the queues in use from inside the guest, then power it off.
# scripts/guest-demo.py says what it shows; QMP_DEMO=1 also runs the short
# QMP walk-through (scripts/qmp-demo.py).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
if [ "${QMP_DEMO:-0}" = 1 ]; then
    python3 scripts/qmp-demo.py build/vireo
fi
exec python3 scripts/guest-demo.py build/vireo
