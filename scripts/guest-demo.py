#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The README's main command: boot the Debian guest with a 4-queue NIC.

    guest-demo.py [VIREO]

Builds or reuses the guest image (tests/guest/build-guest.py) and boots
it on vireo's riscv64 virt machine with AIA (APLIC + IMSIC, so each
virtqueue has its own MSI-X vector) and two harts.  The NIC is
virtio-net-pci with mq=on on `-netdev user,queues=4`: multiqueue user
networking, a Vireo extension (QEMU's user networking has one queue).
No root is needed.  From inside the guest it shows the channels
(ethtool -l), turns all four pairs on (ethtool -L), takes a DHCP lease,
runs four parallel TCP streams each way through libslirp to a server on
the host's 127.0.0.1 (10.0.2.2 for the guest), and prints the per-queue
counters (ethtool -S kicks, /proc/interrupts: each virtqueue has its own
MSI-X vector) to show that several queue pairs carried traffic both ways.  Then
query-rx-filter and `info network` over QMP, and poweroff.

The host server is iperf3 when the host has it, else a small Python sink
and source with busybox nc in the guest.  The exit status is non-zero if
fewer than two queue pairs carried traffic in either direction.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "tests", "functional"))
from vireo_guest import (UDHCPC_SCRIPT, Guest, exit_on_sigterm,  # noqa: E402
                         free_tcp_port, guest_image, stop_process)

QUEUES = 4
STREAMS = 4
SECONDS = 3
BUSY_IRQS = 50  # interrupts for a queue to count as "carried traffic"


def show(g, cmd, timeout=120):
    print("guest# " + cmd, flush=True)
    st, out = g.run(cmd, timeout)
    sys.stdout.write(out)
    if st != 0:
        print("(exit status %d)" % st)
    return st, out


class PySink:
    """Without iperf3 on the host: a TCP server on 127.0.0.1 that drains
    every connection; one that starts with b"R" is sent data instead."""

    def __init__(self, port, seconds):
        self.seconds = seconds
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", port))
        self.lsock.listen(16)
        self.lsock.settimeout(0.5)
        self.stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _serve(self, c):
        c.settimeout(30)
        try:
            first = c.recv(65536)
            if first[:1] == b"R":
                end = time.monotonic() + self.seconds
                block = b"\0" * 65536
                while time.monotonic() < end and not self.stop:
                    c.sendall(block)
            else:
                while first and not self.stop:
                    first = c.recv(65536)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stop = True
        self.lsock.close()


def start_server(logdir):
    """(close, traffic): the host server's closer, and traffic(reverse)
    giving the guest command for one direction."""
    port = free_tcp_port()
    if shutil.which("iperf3"):
        log = open(os.path.join(logdir, "iperf3-server.log"), "wb")
        p = subprocess.Popen(["iperf3", "-s", "-B", "127.0.0.1", "-p",
                              str(port)], stdout=log,
                             stderr=subprocess.STDOUT)
        time.sleep(0.5)

        def close():
            stop_process(p)
            log.close()

        def traffic(reverse):
            return ("iperf3 -c 10.0.2.2 -p %d -P %d -t %d -i 0 -f m%s | "
                    "grep -E 'SUM.*receiver'"
                    % (port, STREAMS, SECONDS, " -R" if reverse else ""))
        print("host: iperf3 server on 127.0.0.1:%d (the guest's "
              "10.0.2.2:%d)" % (port, port))
        return close, traffic
    sink = PySink(port, SECONDS)

    def traffic(reverse):
        if reverse:
            one = ("(echo R; sleep %d) | busybox nc 10.0.2.2 %d | wc -c"
                   % (SECONDS + 1, port))
        else:
            one = ("dd if=/dev/zero bs=64k count=200 2>/dev/null | "
                   "busybox nc 10.0.2.2 %d" % port)
        return "for i in %s; do (%s) & done; wait" % (
            " ".join(str(i) for i in range(STREAMS)), one)
    print("host: no iperf3; a Python TCP sink/source on 127.0.0.1:%d "
          "(the guest's 10.0.2.2:%d)" % (port, port))
    return sink.close, traffic


def queue_irqs(g):
    """{("input"|"output", queue): MSI-X interrupts summed over the CPUs}."""
    out = {}
    for line in g.ok("cat /proc/interrupts").splitlines():
        m = re.search(r"virtio\d+-(input|output)\.(\d+)", line)
        if m:
            out[(m.group(1), int(m.group(2)))] = sum(
                int(x) for x in line.split(":", 1)[1].split() if x.isdigit())
    return out


def busy_queues(before, after, kind):
    """Queues whose @kind vector fired at least BUSY_IRQS times."""
    return sorted(q for (k, q), n in after.items()
                  if k == kind and n - before.get((k, q), 0) >= BUSY_IRQS)


def main():
    vireo = sys.argv[1] if len(sys.argv) > 1 else "build/vireo"
    exit_on_sigterm()
    print("== guest image (Debian trixie riscv64, tests/guest)", flush=True)
    image = guest_image(skip_on_error=False)
    print("kernel %s\ninitrd %s" % image)
    logdir = os.path.join(os.path.dirname(os.path.abspath(vireo)),
                          "guest-demo")
    os.makedirs(logdir, exist_ok=True)
    # A second -M adds to the Guest helper's "-M virt".
    extra = ["-M", "virt,aia=aplic-imsic",
             "-netdev", "user,id=u0,queues=%d" % QUEUES,
             "-device", "virtio-net-pci,netdev=u0,mq=on,vectors=%d,id=nic0"
             % (2 * QUEUES + 2)]
    close_server, traffic = start_server(logdir)
    t0 = time.monotonic()
    g = Guest(vireo, logdir, "console", extra, smp=2, image=image)
    print("$ " + " ".join(g.argv), flush=True)
    try:
        print("== booting (console log in %s)" % logdir, flush=True)
        print("shell after %.1f s" % g.wait_ready())
        show(g, "ethtool -l eth0")
        show(g, "ethtool -L eth0 combined %d && ethtool -l eth0 | tail -2"
             % QUEUES)
        g.write_file("/tmp/udhcpc.sh", UDHCPC_SCRIPT, "755")
        show(g, "udhcpc -i eth0 -s /tmp/udhcpc.sh -n -q -t 5 -T 2")
        show(g, "ip -o -f inet addr show eth0")
        before = queue_irqs(g)
        for reverse in (False, True):
            show(g, traffic(reverse), timeout=SECONDS * 20 + 60)
        after = queue_irqs(g)
        show(g, "ethtool -S eth0 | grep -E "
                "'^ *[rt]x_?(queue_)?[0-9]+_(packets|bytes|kicks):'")
        show(g, "grep -E 'virtio0-(input|output)' /proc/interrupts | "
                "awk '{print $1, $2, $3, $NF}'")
        busy_rx = busy_queues(before, after, "input")
        busy_tx = busy_queues(before, after, "output")
        print("queue pairs that carried traffic (MSI-X interrupts of the "
              "rx/tx virtqueues): rx %s, tx %s" % (busy_rx, busy_tx))
        f = g.qmp.cmd("query-rx-filter", name="nic0")[0]
        print("QMP query-rx-filter nic0: main-mac %s promiscuous %s "
              "broadcast-allowed %s" % (f["main-mac"], f["promiscuous"],
                                        f["broadcast-allowed"]))
        info = g.qmp.cmd("human-monitor-command",
                         **{"command-line": "info network"})
        print("QMP human-monitor-command 'info network':")
        sys.stdout.write(info.replace("\r\n", "\n"))
        print("guest# poweroff -f", flush=True)
        st = g.poweroff()
        print("vireo exited with status %d after %.1f s"
              % (st, time.monotonic() - t0))
        if len(busy_rx) < 2 or len(busy_tx) < 2:
            print("FAIL: fewer than two queue pairs carried traffic")
            return 1
        return st
    finally:
        g.close()
        close_server()


if __name__ == "__main__":
    sys.exit(main())
