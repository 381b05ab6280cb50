#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot benchmark: the Debian guest to its shell on the software CPU.

    bench_boot.py --vireo PATH [--smp 1,2] [--runs 1]

For each -smp value: seconds from process start to the OpenSBI banner, to
the kernel's console and to the guest's shell marker, then the time of a
fixed busybox shell loop (100000 iterations) inside the guest.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "functional"))
from vireo_console import SKIP, Console  # noqa: E402
import test_riscv_boot  # noqa: E402


def one_boot(vireo, kernel, initrd, smp):
    con = Console([vireo, "-M", "virt", "-m", "1G", "-smp", str(smp),
                   "-nographic", "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=ttyS0 panic=-1"])
    try:
        con.wait_for(rb"OpenSBI v", 60)
        t_sbi = con.elapsed()
        con.wait_for(rb"Linux version", 300)
        t_kernel = con.elapsed()
        con.wait_for(test_riscv_boot.READY, 900)
        t_shell = con.elapsed()
        con.wait_for(rb"# ", 60)
        t0 = time.monotonic()
        st, _ = con.run("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done",
                        600)
        t_loop = time.monotonic() - t0
        con.send("poweroff -f\n")
        con.wait_exit(120)
    finally:
        con.close()
    return t_sbi, t_kernel, t_shell, t_loop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--smp", default="1,2")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    if not os.path.exists(test_riscv_boot.OPENSBI):
        print("SKIP: opensbi package missing")
        return SKIP
    kernel, initrd = test_riscv_boot.build_guest()
    for smp in [int(s) for s in args.smp.split(",")]:
        for _ in range(args.runs):
            sbi, kern, shell, loop = one_boot(args.vireo, kernel, initrd, smp)
            print("riscv-boot: -smp %d: OpenSBI %.2f s, kernel console "
                  "%.1f s, shell %.1f s; 100000-iteration shell loop "
                  "%.2f s" % (smp, sbi, kern, shell, loop))
    return 0


if __name__ == "__main__":
    sys.exit(main())
