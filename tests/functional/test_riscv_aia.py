#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Functional tests of the AIA (APLIC, IMSIC) on the riscv virt machine.

    test_riscv_aia.py --vireo PATH CASE

CASE is one of:
  dtb    -machine virt,aia=aplic-imsic / aia=aplic with dumpdtb: the IMSIC
         and APLIC nodes are laid out as QEMU's, the PCIe host has an
         msi-parent, the harts advertise smaia/ssaia; aia=none keeps the PLIC
  linux  the Debian guest boots with aia=aplic-imsic, -smp 2 and a
         virtio-net-pci NIC on user networking; /proc/interrupts shows the
         NIC's vectors as PCI-MSIX and the UART behind the APLIC; a ping to
         the slirp gateway makes the NIC's MSI-X counters move
Exits 77 (skip) with the reason when a prerequisite is missing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vireo_console import SKIP, Console, ConsoleError  # noqa: E402
from test_riscv_boot import (OPENSBI, READY, build_guest, check,  # noqa: E402
                             skip)


def dump_dts(vireo, logdir, machine, smp=2):
    path = os.path.join(logdir, "virt-%s.dtb" % machine.replace(",", "_"))
    p = subprocess.run([vireo, "-M", machine + ",dumpdtb=" + path,
                        "-smp", str(smp), "-accel", "qtest"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    check(p.returncode == 0, "dumpdtb (%s) exited %d: %s"
          % (machine, p.returncode, p.stdout))
    dtc = shutil.which("dtc")
    if not dtc:
        skip("dtc is missing (Debian package device-tree-compiler)")
    return subprocess.run([dtc, "-I", "dtb", "-O", "dts", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=True).stdout


def node(dts, name):
    m = re.search(r"\b%s \{(.*?)\n\t\t\};" % re.escape(name), dts, re.S)
    check(m, "device tree lacks node %s" % name)
    return m.group(1)


def test_dtb(vireo, logdir):
    dts = dump_dts(vireo, logdir, "virt,aia=aplic-imsic,aia-guests=3")
    check(not re.search(r"\bplic@", dts), "a PLIC node with aia=aplic-imsic")
    m_imsic = node(dts, "imsics@24000000")
    s_imsic = node(dts, "imsics@28000000")
    for body in (m_imsic, s_imsic):
        for needle in ['compatible = "riscv,imsics"', "msi-controller;",
                       "interrupt-controller;", "#interrupt-cells = <0x00>",
                       "riscv,num-ids = <0xff>"]:
            check(needle in body, "IMSIC node lacks %r" % needle)
    check("reg = <0x00 0x24000000 0x00 0x2000>" in m_imsic, "M IMSIC reg")
    # 3 guests -> 2 guest index bits -> 4 pages per hart.
    check("reg = <0x00 0x28000000 0x00 0x8000>" in s_imsic, "S IMSIC reg")
    check("riscv,guest-index-bits = <0x02>" in s_imsic, "guest bits")
    check(re.search(r"interrupts-extended = <0x[0-9a-f]+ 0x0b 0x[0-9a-f]+ "
                    r"0x0b>", m_imsic), "M IMSIC is not on MEI")
    check(re.search(r"interrupts-extended = <0x[0-9a-f]+ 0x09 0x[0-9a-f]+ "
                    r"0x09>", s_imsic), "S IMSIC is not on SEI")
    ph = lambda body: re.search(r"phandle = <(0x[0-9a-f]+)>", body).group(1)
    aplic_m = node(dts, "aplic@c000000")
    aplic_s = node(dts, "aplic@d000000")
    check("msi-parent = <%s>" % ph(m_imsic) in aplic_m, "APLIC-M msi-parent")
    check("msi-parent = <%s>" % ph(s_imsic) in aplic_s, "APLIC-S msi-parent")
    check("riscv,children = <%s>" % ph(aplic_s) in aplic_m, "children")
    check("riscv,delegation = <%s 0x01 0x60>" % ph(aplic_s) in aplic_m,
          "delegation")
    for body in (aplic_m, aplic_s):
        for needle in ['compatible = "riscv,aplic"', "#interrupt-cells = "
                       "<0x02>", "riscv,num-sources = <0x60>"]:
            check(needle in body, "APLIC node lacks %r" % needle)
    pci = node(dts, "pci@30000000")
    check("msi-parent = <%s>" % ph(s_imsic) in pci, "PCIe msi-parent")
    check(re.search(r"interrupt-map = <0x00 0x00 0x00 0x01 %s 0x20 0x04 "
                    % ph(aplic_s), pci), "INTx map to the S APLIC")
    serial = node(dts, "serial@10000000")
    check("interrupts = <0x0a 0x04>" in serial and
          "interrupt-parent = <%s>" % ph(aplic_s) in serial, "UART irq")
    check("_smaia_ssaia" in dts and '\\0smaia\\0ssaia"' in dts,
          "harts do not advertise smaia/ssaia")

    dts = dump_dts(vireo, logdir, "virt,aia=aplic")
    check("imsics@" not in dts, "IMSICs with aia=aplic")
    check("smaia" not in dts, "smaia without an IMSIC")
    aplic_s = node(dts, "aplic@d000000")
    check(re.search(r"interrupts-extended = <0x[0-9a-f]+ 0x09 ", aplic_s),
          "direct-mode APLIC-S is not wired to SEI")
    check("msi-parent" not in node(dts, "pci@30000000"),
          "msi-parent without an IMSIC")

    dts = dump_dts(vireo, logdir, "virt,aia=none")
    check("plic@c000000" in dts and "aplic@" not in dts, "aia=none")

    p = subprocess.run([vireo, "-M", "virt,aia=aplic-imsic,aia-guests=8",
                        "-accel", "qtest", "-display", "none"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, text=True)
    check(p.returncode != 0 and "AIA IMSIC guests" in p.stdout,
          "aia-guests=8 accepted: %d %r" % (p.returncode, p.stdout))
    print("AIA device trees OK")


def irq_counts(out, pattern):
    """Sum of the per-CPU counts of /proc/interrupts lines matching."""
    total, lines = 0, 0
    for line in out.splitlines():
        if re.search(pattern, line):
            lines += 1
            total += sum(int(x) for x in line.split()[1:3] if x.isdigit())
    return lines, total


def test_linux(vireo, logdir):
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    kernel, initrd = build_guest()
    con = Console([vireo, "-M", "virt,aia=aplic-imsic", "-m", "1G",
                   "-smp", "2", "-nographic", "-kernel", kernel,
                   "-initrd", initrd, "-append", "console=ttyS0 panic=-1",
                   "-netdev", "user,id=n0",
                   "-device", "virtio-net-pci,netdev=n0"],
                  os.path.join(logdir, "linux-aia.log"))
    try:
        con.wait_for(rb"Linux version 6\.", 120)
        con.wait_for(rb"riscv-imsic: .*per-CPU IDs", 300)
        con.wait_for(rb"riscv-aplic d000000\.aplic: \d+ interrupts "
                     rb"forwarded to MSI", 300)
        con.wait_for(READY, 900)
        con.wait_for(rb"# ", 60)
        st, out = con.run("ip link set eth0 up && "
                          "ip addr add 10.0.2.15/24 dev eth0 && "
                          "ping -c 3 -W 5 10.0.2.2", 120)
        check(st == 0 and "3 packets received" in out,
              "ping to the slirp gateway failed: %r" % out)
        st, out = con.run("cat /proc/interrupts")
        check(st == 0, "cat /proc/interrupts failed")
        n, total = irq_counts(out, r"PCI-MSIX.*virtio0-(input|output)")
        check(n >= 2, "no PCI-MSIX virtio queue vectors: %r" % out)
        check(total > 0, "virtio MSI-X vectors never fired: %r" % out)
        n, uart = irq_counts(out, r"APLIC.*ttyS0")
        check(n == 1 and uart > 0, "UART not behind the APLIC: %r" % out)
        check("PLIC" not in out.replace("APLIC", ""),
              "a PLIC with aia=aplic-imsic: %r" % out)
        print(out)
        con.send("poweroff -f\n")
        rc = con.wait_exit(120)
        check(rc == 0, "vireo exited %d after poweroff" % rc)
        print("MSI-X: %d interrupts on the NIC's queues" % total)
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--logdir")
    ap.add_argument("case", choices=["dtb", "linux"])
    args = ap.parse_args()
    logdir = args.logdir or tempfile.mkdtemp(prefix="vireo-aia-")
    os.makedirs(logdir, exist_ok=True)
    try:
        {"dtb": test_dtb, "linux": test_linux}[args.case](args.vireo, logdir)
    except (AssertionError, ConsoleError, subprocess.SubprocessError) as e:
        print("FAIL: %s (logs in %s)" % (e, logdir))
        return 1
    print("PASS: %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
