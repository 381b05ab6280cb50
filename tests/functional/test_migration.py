# SPDX-License-Identifier: GPL-2.0-or-later
"""Migrate a booted Debian guest on -M virt (-nic none) to a second vireo.

The source boots the guest with its serial console on stdio; a file is
written and commands run there.  The destination starts with the same
command line plus -incoming unix:..., the source runs `migrate`, and the
guest's shell must answer on the destination's console: the file written
before migration, arithmetic, a clock that did not go backwards, timers
that still fire, and both harts alive.

Cases: smp2 (-smp 2), smp1 (-smp 1), aia (-smp 2, aia=aplic-imsic).
Exit status 77: skipped (no guest image or no OpenSBI).
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vireo_guest import (OPENSBI, ConsoleError, Guest, check,  # noqa: E402
                         exit_on_sigterm, guest_image, skip)

CASES = {
    "smp2": (2, []),
    "smp1": (1, []),
    "aia": (2, ["-M", "virt,aia=aplic-imsic"]),
}
# Under ASan the guest boots several times slower.
BOOT_TIMEOUT = 1500
MIGRATE_TIMEOUT = 600


def wait_status(qmp, want, timeout, what):
    """Poll query-migrate until its status is in @want; returns the info."""
    deadline = time.monotonic() + timeout
    info = {}
    while time.monotonic() < deadline:
        info = qmp.cmd("query-migrate")
        st = info.get("status")
        if st in want:
            return info
        check(st not in ("failed", "cancelled"),
              "%s migration %s: %s" % (what, st, info.get("error-desc")))
        time.sleep(0.2)
    raise AssertionError("%s: migration still %r after %ds"
                         % (what, info.get("status"), timeout))


def uptime(guest):
    return float(guest.ok("cat /proc/uptime").split()[0])


def run_case(vireo, logdir, case):
    smp, extra = CASES[case]
    image = guest_image()
    sock = os.path.join(tempfile.mkdtemp(prefix="vireo-mig-"), "mig.sock")
    common = ["-nic", "none"] + extra
    src = Guest(vireo, logdir, case + "-src", extra=common, smp=smp,
                mem="512M", image=image)
    dst = None
    try:
        src.wait_ready(BOOT_TIMEOUT)
        check(src.qmp.cmd("query-migrate").get("blocked-reasons") is None,
              "migration is blocked: %r" % src.qmp.cmd("query-migrate"))
        src.write_file("/tmp/before.txt", "written before migration\n")
        cpus = src.ok("grep -c ^processor /proc/cpuinfo").strip()
        check(cpus.endswith(str(smp)), "source sees %r harts" % cpus)
        if case == "aia":
            irqs = src.ok("cat /proc/interrupts")
            check("IMSIC" in irqs or "APLIC" in irqs,
                  "no AIA interrupt controller in %r" % irqs)
        t_before = uptime(src)

        dst = Guest(vireo, logdir, case + "-dst",
                    extra=common + ["-incoming", "unix:" + sock], smp=smp,
                    mem="512M", image=image)
        check(dst.qmp.cmd("query-status")["status"] == "inmigrate",
              "destination is not waiting for the migration")
        deadline = time.monotonic() + 60
        while not os.path.exists(sock):
            check(time.monotonic() < deadline, "destination never listened")
            time.sleep(0.1)

        src.qmp.cmd("migrate", uri="unix:" + sock)
        wait_status(src.qmp, ("completed",), MIGRATE_TIMEOUT, "source")
        wait_status(dst.qmp, ("completed",), MIGRATE_TIMEOUT, "destination")
        st = src.qmp.cmd("query-status")["status"]
        check(st == "postmigrate", "source status %r" % st)
        deadline = time.monotonic() + 30
        while dst.qmp.cmd("query-status")["status"] != "running":
            check(time.monotonic() < deadline, "destination never ran")
            time.sleep(0.1)

        # The guest's shell, now on the destination's console.
        out = dst.ok("cat /tmp/before.txt")
        check("written before migration" in out, "file read back %r" % out)
        out = dst.ok("echo $((6*7))")
        check(out.strip() == "42", "arithmetic gave %r" % out)
        t_after = uptime(dst)
        check(t_after >= t_before,
              "guest clock went back: %.2f -> %.2f" % (t_before, t_after))
        # Timer interrupts still arrive (sleep needs the timer).
        t0 = uptime(dst)
        dst.ok("sleep 1")
        t1 = uptime(dst)
        check(1.0 <= t1 - t0 < 60, "sleep 1 took %.2f s of guest time"
              % (t1 - t0))
        # Every hart runs on the destination.
        out = dst.ok("for c in $(seq 0 %d); do taskset -c $c echo hart$c; "
                     "done" % (smp - 1))
        for c in range(smp):
            check("hart%d" % c in out, "hart %d did not run: %r" % (c, out))
        dst.write_file("/tmp/after.txt", "written after migration\n")
        out = dst.ok("cat /tmp/after.txt /tmp/before.txt")
        check("after" in out and "before" in out, "files %r" % out)
        print("migration %s: guest uptime %.1f -> %.1f s"
              % (case, t_before, t_after))
    finally:
        for g in (dst, src):
            if g:
                g.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--logdir")
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    logdir = args.logdir or tempfile.mkdtemp(prefix="vireo-func-")
    os.makedirs(logdir, exist_ok=True)
    exit_on_sigterm()
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    try:
        run_case(args.vireo, logdir, args.case)
    except (AssertionError, ConsoleError) as e:
        print("FAIL: %s (logs in %s)" % (e, logdir))
        return 1
    print("PASS: %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
