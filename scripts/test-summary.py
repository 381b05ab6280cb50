#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Add up meson test logs and print the closing 'N passed, N failed' line.

Each test program of each build counts once.  Exit status 1 when anything
failed, so scripts can rely on it.
"""
import argparse
import json
import sys


def count(path, totals):
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                result = json.loads(line).get("result", "")
                if result in ("OK", "EXPECTEDFAIL"):
                    totals["passed"] += 1
                elif result == "SKIP":
                    totals["skipped"] += 1
                else:
                    totals["failed"] += 1
                    totals["names"].append(path + ": " + json.loads(line)["name"])
    except OSError as e:
        print(f"cannot read {path}: {e}", file=sys.stderr)
        totals["failed"] += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra-pass", type=int, default=0)
    ap.add_argument("--extra-fail", type=int, default=0)
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    totals = {"passed": args.extra_pass, "failed": args.extra_fail,
              "skipped": 0, "names": []}
    for path in args.logs:
        count(path, totals)
    for name in totals["names"]:
        print("FAILED:", name)
    print(f"{totals['passed']} passed, {totals['failed']} failed, "
          f"{totals['skipped']} skipped")
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
