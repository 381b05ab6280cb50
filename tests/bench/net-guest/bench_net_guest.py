#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest benchmarks on vireo beside Debian's qemu-system-riscv64, one run.

    bench_net_guest.py --vireo PATH [--qemu PATH] [--seconds N]
                       [--append-doc docs/performance.md]

For each emulator, the Debian test guest (tests/guest) boots with -smp 2,
1 GiB and a virtio-net-pci NIC with mq=on on a 4-queue tap whose host side
is moved into a network namespace, and we measure:
  - boot time: process start to the guest's shell marker;
  - guest MIPS: a fixed loop of 4 x 2^28 instructions (a static RV64
    program written here, sent through the console), timed in the guest;
  - iperf3 TCP throughput, 4 streams, guest to host and host to guest,
    with 1 and with 4 queue pairs (ethtool -L combined N).
Without root (no tap, no namespace) only boot time and MIPS are measured.
qemu-system-riscv64 comes from the Debian package qemu-system-misc, which
is installed when missing (as root).
"""

import argparse
import base64
import datetime
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "functional"))
from vireo_guest import (Guest, Netns, exit_on_sigterm,  # noqa: E402
                         guest_image, netns_unavailable, unique_ifname)

QUEUES = 4
LOOP_ITERS = 1 << 28
INSNS_PER_ITER = 4
HOST_IP = "192.168.78.1"
GUEST_IP = "192.168.78.2"


def i_type(op, rd, f3, rs1, imm):
    return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def b_type(f3, rs1, rs2, off):
    o = off & 0x1fff
    return (((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 |
            rs1 << 15 | f3 << 12 | ((o >> 1) & 0xf) << 8 |
            ((o >> 11) & 1) << 7 | 0x63)


def loop_elf():
    """A static riscv64 ELF: LOOP_ITERS x (addi, addi, xor, bne), exit 0."""
    t0, t1, t2, a0, a7 = 5, 6, 7, 10, 17
    code = [
        (LOOP_ITERS & ~0xfff) | (t0 << 7) | 0x37,   # lui t0, iters
        i_type(0x13, t1, 0, 0, 0),                  # li t1, 0
        i_type(0x13, t0, 0, t0, -1),                # 1: addi t0, t0, -1
        i_type(0x13, t1, 0, t1, 1),                 # addi t1, t1, 1
        (t1 << 20) | (t2 << 15) | (4 << 12) | (t2 << 7) | 0x33,  # xor
        b_type(1, t0, 0, -12),                      # bnez t0, 1b
        i_type(0x13, a0, 0, 0, 0),                  # li a0, 0
        i_type(0x13, a7, 0, 0, 93),                 # li a7, exit
        0x00000073,                                 # ecall
    ]
    text = b"".join(struct.pack("<I", c) for c in code)
    base, off = 0x10000, 64 + 56
    ehdr = (b"\x7fELF\x02\x01\x01" + b"\0" * 9 +
            struct.pack("<HHIQQQIHHHHHH", 2, 243, 1, base + off, 64, 0, 0,
                        64, 56, 1, 0, 0, 0))
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, off + len(text),
                       off + len(text), 0x1000)
    return ehdr + phdr + text


def find_qemu(path):
    if path:
        return path
    q = shutil.which("qemu-system-riscv64")
    if q or os.geteuid() != 0:
        return q
    print("installing qemu-system-misc for the comparison", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q",
                    "--no-install-recommends", "qemu-system-misc"],
                   stdout=subprocess.DEVNULL, env=env)
    return shutil.which("qemu-system-riscv64")


def emulator_version(path):
    out = subprocess.run([path, "-version"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    return out.splitlines()[0].strip() if out else "?"


def guest_mips(g):
    blob = base64.b64encode(loop_elf()).decode()
    g.ok("echo %s | base64 -d > /tmp/loop && chmod 755 /tmp/loop" % blob)
    g.ok("/tmp/loop")  # warm up: page in, caches
    out = g.ok("read a b < /proc/uptime; /tmp/loop; read c d < /proc/uptime;"
               " echo $a $c", 600)
    a, c = (float(x) for x in out.split()[-2:])
    secs = max(c - a, 0.01)
    return LOOP_ITERS * INSNS_PER_ITER / secs / 1e6


def iperf(g, reverse, seconds):
    out = g.ok("iperf3 -c %s -P %d -t %d -i 0 -f m %s"
               % (HOST_IP, QUEUES, seconds, "-R" if reverse else ""),
               seconds * 4 + 120)
    for line in reversed(out.splitlines()):
        if line.startswith("[SUM]") and "receiver" in line:
            return float(line.split("Mbits/sec")[0].split()[-1])
    raise AssertionError("no iperf3 summary: %r" % out[-500:])


def bench_one(label, emulator, is_qemu, image, logdir, seconds, use_tap):
    res = {"emulator": label}
    tap = unique_ifname("b" + label[0])
    extra = []
    if use_tap:
        netdev = ("tap,id=n0,queues=%d,script=no,downscript=no,ifname=%s"
                  % (QUEUES, tap))
        if is_qemu:
            netdev += ",vhost=off"
        extra = ["-netdev", netdev, "-device",
                 "virtio-net-pci,netdev=n0,mq=on,vectors=%d"
                 % (2 * QUEUES + 2)]
    if is_qemu:
        extra += ["-bios", "default"]
    ns = None
    g = Guest(emulator, logdir, "bench-" + label, extra, qmp=not is_qemu,
              image=image)
    try:
        if use_tap:
            deadline = time.monotonic() + 30
            while not os.path.exists("/sys/class/net/" + tap):
                if time.monotonic() > deadline:
                    raise AssertionError("tap %s never appeared" % tap)
                time.sleep(0.05)
            ns = Netns("vireo-bench")
            ns.adopt(tap, HOST_IP + "/24")
        res["boot"] = g.wait_ready()
        res["mips"] = guest_mips(g)
        if use_tap:
            g.ok("ip addr add %s/24 dev eth0 && ip link set eth0 up"
                 % GUEST_IP)
            g.ok("ping -c 2 -W 5 %s" % HOST_IP, 60)
            ns.popen(["iperf3", "-s"], os.path.join(logdir,
                                                     "iperf3-%s.log" % label))
            time.sleep(0.5)
            for pairs in [1, QUEUES]:
                g.ok("ethtool -L eth0 combined %d" % pairs)
                res["tx%d" % pairs] = iperf(g, False, seconds)
                res["rx%d" % pairs] = iperf(g, True, seconds)
        g.con.send("poweroff -f\n")
        g.con.wait_exit(120)
    finally:
        g.close()
        if ns:
            ns.close()
    print("%s: %s" % (label, res), flush=True)
    return res


def fmt(res, key, f="%.0f"):
    return f % res[key] if key in res else "n/a"


def report(results, versions, cmd, seconds):
    day = datetime.date.today().isoformat()
    lines = [
        "",
        "### Guest benchmarks, %s" % day,
        "",
        "Debian trixie guest (6.12), `-smp 2`, 1 GiB; a virtio-net-pci NIC "
        "with `mq=on` on a 4-queue tap in a network namespace (INTx through "
        "the PLIC on both). MIPS: a fixed 2^30-instruction loop timed in the "
        "guest. iperf3: TCP, 4 streams, %d s; tx = guest to host, "
        "rx = host to guest, in Mbit/s with 1 and 4 queue pairs." % seconds,
        "",
        "| emulator | boot to shell | guest MIPS | tx 1q | rx 1q | tx 4q | "
        "rx 4q |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append("| %s | %s s | %s | %s | %s | %s | %s |" % (
            versions[r["emulator"]], fmt(r, "boot", "%.1f"), fmt(r, "mips"),
            fmt(r, "tx1"), fmt(r, "rx1"), fmt(r, "tx4"), fmt(r, "rx4")))
    lines += ["", "Machine: %s, %d cores, load average %.1f at the end "
              "(other work shares it). Command:" % (
                  platform.machine(), os.cpu_count(), os.getloadavg()[0]),
              "```", cmd, "```", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--qemu")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--logdir")
    ap.add_argument("--append-doc")
    args = ap.parse_args()
    exit_on_sigterm()
    logdir = args.logdir or tempfile.mkdtemp(prefix="vireo-bench-")
    os.makedirs(logdir, exist_ok=True)
    image = guest_image()
    why = netns_unavailable()
    use_tap = why is None and shutil.which("iperf3") is not None
    if not use_tap:
        print("no iperf3 figures: %s" % (why or "iperf3 missing on the host"))
    runs = [("vireo", os.path.abspath(args.vireo), False)]
    qemu = find_qemu(args.qemu)
    if qemu:
        runs.append(("qemu", qemu, True))
    else:
        print("qemu-system-riscv64 not available: vireo only")
    versions, results = {}, []
    for label, path, is_qemu in runs:
        versions[label] = "vireo" if not is_qemu else emulator_version(path)
        results.append(bench_one(label, path, is_qemu, image, logdir,
                                 args.seconds, use_tap))
    cmd = "python3 tests/bench/net-guest/bench_net_guest.py --vireo %s" % (
        os.path.relpath(args.vireo))
    if args.append_doc:
        cmd += " --append-doc " + os.path.relpath(args.append_doc)
    text = report(results, versions, cmd, args.seconds)
    print(text)
    if args.append_doc:
        with open(args.append_doc, "a") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
