#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build and run every test: a normal build, an ASan+UBSan build, and the
# libFuzzer targets for a bounded time.  Ends with "N passed, N failed,
# N skipped".  Benchmarks are separate: scripts/bench.sh.
#
# Environment: FUZZ_SECONDS (per target, default 20), CI=true adds -Werror.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

werror=false
[ "${CI:-}" = "true" ] && werror=true
fuzz_seconds=${FUZZ_SECONDS:-20}
logs=()
extra_pass=0
extra_fail=0

# configure DIR [meson args...]: set up once, reconfigure when it exists.
configure() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" -Dwerror=$werror "$@" >/dev/null
    else
        meson setup "$dir" -Dwerror=$werror "$@" >/dev/null
    fi
}

build_and_test() {
    local dir=$1
    shift
    echo "=== $dir: build"
    if ! configure "$dir" "$@" || ! ninja -C "$dir"; then
        echo "=== $dir: BUILD FAILED"
        extra_fail=$((extra_fail + 1))
        return
    fi
    echo "=== $dir: test"
    meson test -C "$dir" --no-rebuild --num-processes 2 --print-errorlogs \
        --no-suite bench --no-suite fuzz
    logs+=("$dir/meson-logs/testlog.json")
}

build_and_test build
# A small quarantine: memory-bound tests measure our RSS, not ASan's.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=8 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    build_and_test build-asan -Db_sanitize=address,undefined -Db_lundef=false

echo "=== build-fuzz: libFuzzer targets, ${fuzz_seconds}s each"
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=true >/dev/null
fi
if ninja -C build-fuzz >/dev/null &&
   meson test -C build-fuzz --no-rebuild --suite fuzz --print-errorlogs; then
    logs+=("build-fuzz/meson-logs/testlog.json")
    if tests/fuzz/run-fuzzers.sh build-fuzz "$fuzz_seconds"; then
        extra_pass=$((extra_pass + 1))
    else
        extra_fail=$((extra_fail + 1))
    fi
else
    echo "=== build-fuzz: FAILED"
    extra_fail=$((extra_fail + 1))
fi

python3 "$top/scripts/test-summary.py" --extra-pass $extra_pass \
    --extra-fail $extra_fail "${logs[@]}"
