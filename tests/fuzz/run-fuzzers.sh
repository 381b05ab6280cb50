#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every libFuzzer target for a while on a scratch copy of its corpus.
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS
# BUILD_DIR was configured with: CC=clang meson setup BUILD_DIR -Dfuzzing=true
# Prints one line per target; exits non-zero if any target crashed (or
# could not be run).  Crash inputs and logs stay in the scratch directory,
# whose path is printed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
secs=$2
srcdir=$(cd "$(dirname "$0")" && pwd)
targets="fuzz-keyval fuzz-json-stream fuzz-virtqueue fuzz-virtio-net-ctrl fuzz-qapi-netdev fuzz-slirp-flow fuzz-migration-load"

case $secs in
''|*[!0-9]*) echo "SECONDS must be a number" >&2; exit 2 ;;
esac

# (Re)build the targets; an up-to-date build dir needs nothing.
if ! ninja -C "$build" $(for t in $targets; do printf 'tests/fuzz/%s ' "$t"; done) \
        >/dev/null 2>&1; then
    echo "warning: could not (re)build the fuzz targets, using what exists" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vireo-fuzz.XXXXXX")
status=0
for t in $targets; do
    bin=$build/tests/fuzz/$t
    corpus=$work/$t-corpus
    log=$work/$t.log
    mkdir -p "$corpus" "$work/$t-artifacts"
    cp "$srcdir/corpus/$t"/* "$corpus"/
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$work/$t-artifacts/" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    files=$(ls "$corpus" | wc -l)
    if [ $rc -eq 0 ]; then
        echo "$t: OK, ${runs:-?} runs in ${secs}s, corpus $files files"
    else
        crash=$(ls "$work/$t-artifacts" 2>/dev/null | head -1)
        echo "$t: FAILED (exit $rc), input $work/$t-artifacts/$crash, log $log"
        status=1
    fi
done
if [ $status -eq 0 ]; then
    rm -rf "$work"
fi
exit $status
