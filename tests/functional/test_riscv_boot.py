#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Functional tests of the riscv virt machine on the software CPU.

    test_riscv_boot.py --vireo PATH CASE

CASE is one of:
  opensbi  OpenSBI alone (no kernel): its banner on the serial console
  dtb      -machine virt,dumpdtb=FILE: exits 0; dtc decompiles the blob and
           the nodes Linux and OpenSBI need are there
  linux    the Debian guest (tests/guest/build-guest.py) boots to its shell
           with -smp 2; /proc/cpuinfo shows both harts; a command runs;
           `poweroff -f` ends vireo with status 0.  Prints the boot time.
  aclint-dtb    -machine virt,aclint=on (also with aia=aplic and
           aia=aplic-imsic): the ACLINT MSWI, MTIMER and SSWI nodes as QEMU
           writes them, and no SiFive CLINT node
  aclint-linux  OpenSBI and the Debian guest with aclint=on and -smp 2:
           OpenSBI takes its IPIs from the MSWI and its timer from the
           MTIMER; Linux reaches its shell and has taken IPIs on both harts
  reboot   `reboot -f` in the guest (SBI SRST): the machine resets, OpenSBI
           and Linux come up again and run commands; with -no-reboot the
           same request ends vireo with status 0
Exits 77 (skip) with the reason when a prerequisite is missing.

Every vireo started here gets SIGKILL when this process dies, so a test
killed by a timeout or by hand leaves no emulator behind.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vireo_console import SKIP, Console, ConsoleError  # noqa: E402

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD_GUEST = os.path.join(SRC, "tests", "guest", "build-guest.py")
READY = rb"VIREO-GUEST-READY"


# Run as `python3 -c BOUND_EXEC PARENT_PID PROGRAM ARGS...`: asks the kernel
# for SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG = 1), makes sure
# the parent is still there, then becomes PROGRAM (same pid, so the
# Console's signals and wait() still reach it).
BOUND_EXEC = """
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_PDEATHSIG): " + os.strerror(ctypes.get_errno()))
if os.getppid() != int(sys.argv[1]):
    sys.exit("parent already gone")
os.execv(sys.argv[2], sys.argv[2:])
"""


def bound(argv):
    """@argv run so that it dies with this process."""
    return [sys.executable, "-c", BOUND_EXEC, str(os.getpid())] + argv


def exit_on_signal(signum, frame):
    # Unwind through the finally blocks, which close the Console.
    raise SystemExit(128 + signum)


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def test_opensbi(vireo, logdir):
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    con = Console(bound([vireo, "-M", "virt", "-m", "256M", "-nographic",
                         "-smp", "2"]), os.path.join(logdir, "opensbi.log"))
    try:
        con.wait_for(rb"OpenSBI v\d+\.\d+", 60)
        m = con.wait_for(rb"Platform HART Count\s*: (\d+)", 60)
        check(m.group(1) == b"2", "HART count %r, expected 2" % m.group(1))
        con.wait_for(rb"Platform Console Device\s*: uart8250", 30)
        con.wait_for(rb"Platform Shutdown Device\s*: sifive_test", 30)
        con.wait_for(rb"Boot HART ISA Extensions", 60)
        print("OpenSBI banner after %.2f s" % con.elapsed())
    finally:
        con.close()


def test_dtb(vireo, logdir):
    dtc = shutil.which("dtc")
    path = os.path.join(logdir, "virt.dtb")
    p = subprocess.run(bound([vireo, "-M", "virt,dumpdtb=" + path,
                              "-m", "1G", "-smp", "3", "-accel", "qtest",
                              "-append", "a=b c"]),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    check(p.returncode == 0, "dumpdtb exited %d: %s" % (p.returncode,
                                                       p.stdout))
    blob = open(path, "rb").read()
    check(blob[:4] == b"\xd0\x0d\xfe\xed", "not a device tree blob")
    if not dtc:
        skip("dtc is missing (Debian package device-tree-compiler); the "
             "blob was written")
    dts = subprocess.run([dtc, "-I", "dtb", "-O", "dts", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, check=True).stdout
    for needle in [
        'bootargs = "a=b c"',
        'stdout-path = "/soc/serial@10000000"',
        "memory@80000000",
        "reg = <0x00 0x80000000 0x00 0x40000000>",
        "timebase-frequency = <0x989680>",
        "cpu@0", "cpu@1", "cpu@2",
        'compatible = "riscv,cpu-intc"',
        'riscv,isa-base = "rv64i"',
        'compatible = "sifive,clint0\\0riscv,clint0"',
        'compatible = "sifive,plic-1.0.0\\0riscv,plic0"',
        "riscv,ndev = <0x5f>",
        'compatible = "ns16550a"',
        "interrupts = <0x0a>",
        "virtio_mmio@10001000", "virtio_mmio@10008000",
        'compatible = "pci-host-ecam-generic"',
        "bus-range = <0x00 0xff>",
        "interrupt-map-mask = <0x1800 0x00 0x00 0x07>",
        'compatible = "sifive,test1\\0sifive,test0\\0syscon"',
        'compatible = "syscon-poweroff"',
        'compatible = "syscon-reboot"',
    ]:
        check(needle in dts, "device tree lacks %r" % needle)
    # PCI windows: PIO, 32-bit MMIO, 64-bit MMIO at 16 GiB for 1 GiB RAM.
    check(re.search(r"ranges = <0x1000000 0x00 0x00 0x00 0x3000000 0x00 "
                    r"0x10000 0x2000000 0x00 0x40000000 0x00 0x40000000 "
                    r"0x00 0x40000000 0x3000000 0x04 0x00 0x04 0x00 0x04 "
                    r"0x00>", dts), "PCIe ranges differ")
    # Swizzle: slot 1 INTA goes to PLIC source 33.
    check(re.search(r"interrupt-map = <0x00 0x00 0x00 0x01 0x[0-9a-f]+ "
                    r"0x20 ", dts), "interrupt-map entry of 00.0 INTA")
    check(re.search(r"0x800 0x00 0x00 0x01 0x[0-9a-f]+ 0x21 ", dts),
          "interrupt-map entry of slot 1 INTA")
    # dtc may print 0x384000 as a string; ask fdtget for the number.
    fdtget = shutil.which("fdtget")
    if fdtget:
        freq = subprocess.run([fdtget, "-t", "u", path,
                               "/soc/serial@10000000", "clock-frequency"],
                              stdout=subprocess.PIPE, text=True).stdout
        check(freq.strip() == "3686400", "UART clock %r" % freq)
    isa = re.search(r'riscv,isa = "([^"]+)"', dts).group(1)
    check(isa.startswith("rv64imafdc"), "riscv,isa %r" % isa)
    print("device tree OK (%d bytes), riscv,isa = %s" % (len(blob), isa))


def fdt_words(fdtget, path, node, prop):
    """Property @prop of @node as a list of 32-bit numbers (None if absent).
    """
    p = subprocess.run([fdtget, "-t", "x", path, node, prop],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return [int(w, 16) for w in p.stdout.split()] if p.returncode == 0 \
        else None


def fdt_has(fdtget, path, node):
    p = subprocess.run([fdtget, "-l", path, node], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode == 0


def check_aclint_dtb(vireo, logdir, fdtget, aia, smp):
    """One aclint=on device tree against QEMU's layout."""
    path = os.path.join(logdir, "aclint-%s.dtb" % aia)
    p = subprocess.run(bound([vireo, "-M", "virt,aclint=on,aia=%s,dumpdtb=%s"
                              % (aia, path), "-smp", str(smp),
                              "-accel", "qtest"]),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    check(p.returncode == 0, "dumpdtb (aia=%s) exited %d: %s"
          % (aia, p.returncode, p.stdout))
    intc = [fdt_words(fdtget, path, "/cpus/cpu@%d/interrupt-controller" % h,
                      "phandle")[0] for h in range(smp)]

    def irqs(irq):
        return [w for h in range(smp) for w in (intc[h], irq)]

    def node(name, compat, reg, irq, controller):
        where = "/soc/" + name
        check(fdt_has(fdtget, path, where), "aia=%s: no %s" % (aia, where))
        got = subprocess.run([fdtget, path, where, "compatible"],
                             stdout=subprocess.PIPE, text=True).stdout
        check(got.strip() == compat, "%s compatible %r" % (where, got))
        got = fdt_words(fdtget, path, where, "reg")
        check(got == reg, "%s reg %s, expected %s"
              % (where, [hex(w) for w in got or []], [hex(w) for w in reg]))
        got = fdt_words(fdtget, path, where, "interrupts-extended")
        check(got == irqs(irq), "%s interrupts-extended %s, expected %s"
              % (where, got, irqs(irq)))
        if controller:
            check(fdt_words(fdtget, path, where, "#interrupt-cells") == [0],
                  "%s #interrupt-cells" % where)
            check(fdt_words(fdtget, path, where,
                            "interrupt-controller") == [],
                  "%s is no interrupt-controller" % where)

    check(fdt_words(fdtget, path, "/cpus", "timebase-frequency") ==
          [10000000], "timebase-frequency")
    check(not fdt_has(fdtget, path, "/soc/clint@2000000"),
          "aia=%s: the SiFive CLINT is still described" % aia)
    if aia == "aplic-imsic":
        # IPIs are MSIs: no MSWI or SSWI, the MTIMER at the CLINT base.
        node("mtimer@2000000", "riscv,aclint-mtimer",
             [0, 0x2007ff8, 0, 0x8, 0, 0x2000000, 0, 0x7ff8], 7, False)
        for gone in ["mswi@2000000", "sswi@2f00000", "mtimer@2004000"]:
            check(not fdt_has(fdtget, path, "/soc/" + gone),
                  "aia=aplic-imsic has %s" % gone)
        return
    node("mswi@2000000", "riscv,aclint-mswi", [0, 0x2000000, 0, 0x4000], 3,
         True)
    # mtime first, then the mtimecmp array; sizes as QEMU writes them.
    node("mtimer@2004000", "riscv,aclint-mtimer",
         [0, 0x200bff8, 0, 0x4008, 0, 0x2004000, 0, 0x7ff8], 7, False)
    node("sswi@2f00000", "riscv,aclint-sswi", [0, 0x2f00000, 0, 0x4000], 1,
         True)


def test_aclint_dtb(vireo, logdir):
    fdtget = shutil.which("fdtget")
    if not fdtget:
        skip("fdtget is missing (Debian package device-tree-compiler)")
    for aia, smp in [("none", 2), ("aplic", 3), ("aplic-imsic", 2)]:
        check_aclint_dtb(vireo, logdir, fdtget, aia, smp)
    print("aclint=on device trees OK (aia=none, aplic, aplic-imsic)")


def ipi_counts(text):
    """Per-CPU totals of the IPI lines of /proc/interrupts."""
    lines = text.strip().splitlines()
    ncpu = len(lines[0].split())
    total = [0] * ncpu
    for line in lines[1:]:
        f = line.split()
        if f and f[0].startswith("IPI"):
            for i in range(ncpu):
                total[i] += int(f[1 + i])
    return total


def test_aclint_linux(vireo, logdir):
    seen = {}

    def firmware(con):
        con.wait_for(rb"Platform IPI Device\s*: aclint-mswi", 60)
        con.wait_for(rb"Platform Timer Device\s*: aclint-mtimer "
                     rb"@ 10000000Hz", 30)

    def guest(con):
        st, out = con.run("cat /proc/interrupts")
        check(st == 0, "cat /proc/interrupts failed")
        ipis = ipi_counts(out)
        check(len(ipis) == 2 and all(ipis), "IPIs per hart %r:\n%s"
              % (ipis, out))
        seen["ipis"] = ipis
        seen["sswi"] = "sswi" in out.lower()
        st, out = con.run("dmesg | grep -i -e aclint -e sswi -e mswi; true")
        seen["dmesg"] = out.strip()

    test_linux(vireo, logdir, machine="virt,aclint=on",
               firmware_check=firmware, guest_check=guest)
    print("aclint=on: IPIs taken per hart %s; Linux SSWI driver: %s"
          % (seen["ipis"], "yes" if seen["sswi"] else
             "no (IPIs go through SBI and the MSWI)"))
    if seen["dmesg"]:
        print("kernel log:\n" + seen["dmesg"])


def build_guest():
    p = subprocess.run(bound([sys.executable, BUILD_GUEST, "--print"]),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=1800)
    if p.returncode != 0:
        skip("guest image not available: " + p.stderr.strip())
    vals = dict(line.split("=", 1) for line in p.stdout.split())
    return vals["KERNEL"], vals["INITRD"]


def test_linux(vireo, logdir, smp=2, machine="virt", firmware_check=None,
               guest_check=None):
    """Boot the guest; @firmware_check(con) runs on OpenSBI's banner and
    @guest_check(con) at the shell, for variants of the machine."""
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    kernel, initrd = build_guest()
    con = Console(bound([vireo, "-M", machine, "-m", "1G", "-smp", str(smp),
                         "-nographic", "-kernel", kernel, "-initrd", initrd,
                         "-append", "console=ttyS0 panic=-1"]),
                  os.path.join(logdir, "linux.log"))
    try:
        if firmware_check:
            firmware_check(con)
        con.wait_for(rb"Linux version 6\.", 120)
        t_kernel = con.elapsed()
        con.wait_for(READY, 900)
        t_ready = con.elapsed()
        con.wait_for(rb"# ", 60)
        st, out = con.run("grep -c ^processor /proc/cpuinfo")
        check(st == 0 and out.strip().endswith(str(smp)),
              "cpuinfo shows %r harts" % out)
        st, out = con.run("grep -m1 ^isa /proc/cpuinfo")
        check("rv64imafdc" in out, "isa line %r" % out)
        st, out = con.run("cat /proc/interrupts")
        check("ttyS0" in out or "serial" in out,
              "UART interrupt missing: %r" % out)
        st, out = con.run("ls /sys/bus/virtio/drivers; echo $((6 * 7))")
        check(st == 0 and "virtio_net" in out and "42" in out,
              "command output %r" % out)
        st, out = con.run("false")
        check(st == 1, "exit status of false is %d" % st)
        if guest_check:
            guest_check(con)
        con.send("poweroff -f\n")
        rc = con.wait_exit(120)
        check(rc == 0, "vireo exited %d after poweroff" % rc)
        print("boot: kernel banner at %.1f s, shell at %.1f s (-smp %d)"
              % (t_kernel, t_ready, smp))
    finally:
        con.close()


def guest_argv(vireo, extra=()):
    kernel, initrd = build_guest()
    return bound([vireo, "-M", "virt", "-m", "1G", "-smp", "1",
                  "-nographic", "-kernel", kernel, "-initrd", initrd,
                  "-append", "console=ttyS0 panic=-1"] + list(extra))


def wait_shell(con):
    con.wait_for(rb"Linux version 6\.", 120)
    con.wait_for(READY, 900)
    con.wait_for(rb"# ", 60)


def test_reboot(vireo, logdir):
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    con = Console(guest_argv(vireo), os.path.join(logdir, "reboot.log"))
    try:
        wait_shell(con)
        con.run("echo before > /tmp/mark")
        con.send("reboot -f\n")
        # A reset starts over from the firmware, with fresh RAM contents.
        con.wait_for(rb"OpenSBI v\d", 120)
        wait_shell(con)
        st, out = con.run("cat /tmp/mark 2>/dev/null; echo $((6 * 7))")
        check(st == 0 and "42" in out and "before" not in out,
              "after the reboot: %r" % out)
        con.send("poweroff -f\n")
        rc = con.wait_exit(120)
        check(rc == 0, "vireo exited %d after poweroff" % rc)
    finally:
        con.close()
    con = Console(guest_argv(vireo, ["-no-reboot"]),
                  os.path.join(logdir, "no-reboot.log"))
    try:
        wait_shell(con)
        con.send("reboot -f\n")
        rc = con.wait_exit(120)
        check(rc == 0, "-no-reboot: vireo exited %d on reboot" % rc)
    finally:
        con.close()
    print("reboot resets the machine; -no-reboot exits with status 0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--logdir")
    ap.add_argument("case", choices=["opensbi", "dtb", "linux", "aclint-dtb",
                                     "aclint-linux", "reboot"])
    args = ap.parse_args()
    logdir = args.logdir or tempfile.mkdtemp(prefix="vireo-func-")
    os.makedirs(logdir, exist_ok=True)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, exit_on_signal)
    try:
        {"opensbi": test_opensbi, "dtb": test_dtb, "linux": test_linux,
         "aclint-dtb": test_aclint_dtb,
         "aclint-linux": test_aclint_linux,
         "reboot": test_reboot}[args.case](args.vireo, logdir)
    except (AssertionError, ConsoleError, subprocess.SubprocessError) as e:
        print("FAIL: %s (logs in %s)" % (e, logdir))
        return 1
    print("PASS: %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
