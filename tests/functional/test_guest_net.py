#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian guest's virtio-net driver against vireo's virtio-net-pci.

    test_guest_net.py --vireo PATH [--logdir DIR] CASE

CASE is one of:
  tap-mq     a 4-queue tap (queues=4) whose host side is moved into a
             network namespace; ethtool -l/-L; ping; iperf3 with 4 streams
             in both directions against a server in the namespace; every
             TX queue's kick counter moves; every RX queue's interrupt
             under MSI-X, RX refill kicks under INTx; no drops, errors or
             timeouts.
  rx-filter  promisc on/off, a VLAN sub-interface, a multicast group (an
             IPv6 address's solicited-node group: busybox ip has no maddr)
             and a MAC change from the guest: each gives
             NIC_RX_FILTER_CHANGED and query-rx-filter shows the new state.
  link       set_link off/on over QMP: the guest's carrier goes 0 then 1.
  user       -netdev user: one queue pair offered with mq=on; udhcpc
             leases 10.0.2.15 with the default route; ping the gateway.
  user-hostfwd  the same with hostfwd=tcp:127.0.0.1:PORT-:8080: the port
             reaches busybox httpd in the guest.
Exits 77 (skip) with the reason when a prerequisite is missing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vireo_guest import (OPENSBI, ConsoleError, Guest,  # noqa: E402
                         Netns, check, exit_on_sigterm, free_tcp_port,
                         netns_unavailable, skip, unique_ifname)

QUEUES = 4
HOST_IP = "192.168.77.1"
GUEST_IP = "192.168.77.2"


def mq_nic_args(ifname, queues=QUEUES):
    return ["-netdev", "tap,id=n0,queues=%d,script=no,downscript=no,"
            "ifname=%s" % (queues, ifname),
            "-device", "virtio-net-pci,netdev=n0,mq=on,vectors=%d,id=nic0"
            % (2 * queues + 2)]


def iperf_sum(out):
    """Receiver throughput in Mbit/s from iperf3's text summary."""
    rx = re.findall(r"\[SUM\].*?([\d.]+) Mbits/sec.*receiver", out)
    if not rx:  # a single stream has no [SUM] line
        rx = re.findall(r"([\d.]+) Mbits/sec.*receiver", out)
    check(rx, "no iperf3 receiver summary in %r" % out[-800:])
    return float(rx[-1])


def queue_kicks(stats, kind, queues):
    return [stats.get("%s%d_kicks" % (kind, i), 0) for i in range(queues)]


def input_irqs(g, queues):
    """Interrupt counts of the RX queues' MSI-X vectors (0s under INTx)."""
    counts = [0] * queues
    for line in g.ok("cat /proc/interrupts").splitlines():
        m = re.search(r"virtio\d+-input\.(\d+)", line)
        if m and int(m.group(1)) < queues:
            counts[int(m.group(1))] = sum(
                int(x) for x in line.split(":", 1)[1].split()
                if x.isdigit())
    return counts


def check_no_errors(g, ifname="eth0"):
    stats = g.ethtool_stats(ifname)
    bad = {k: v for k, v in stats.items()
           if v and (k.endswith("drops") or k.endswith("timeouts"))}
    check(not bad, "ethtool -S reports %s" % bad)
    for c in ["rx_errors", "tx_errors", "rx_length_errors",
              "rx_frame_errors", "tx_fifo_errors"]:
        v = int(g.ok("cat /sys/class/net/%s/statistics/%s" % (ifname, c)))
        check(v == 0, "%s %s = %d" % (ifname, c, v))
    # The stack's own drops (rx_dropped counts frames no protocol wanted)
    # are not the device's: shown, not judged.
    print("%s stack drops: %s" % (ifname, g.ok(
        "cat /sys/class/net/%s/statistics/[rt]x_dropped | tr '\\n' ' '"
        % ifname).strip()))
    dmesg = g.ok("dmesg | grep -iE 'watchdog|virtio.*(error|fail)|"
                 "bad|corrupt' || true")
    check(not dmesg.strip(), "guest kernel complains: %s" % dmesg)
    return stats


def test_tap_mq(vireo, logdir):
    why = netns_unavailable()
    if why:
        skip(why)
    if not shutil.which("iperf3"):
        skip("iperf3 is missing on the host (Debian package iperf3)")
    tap = unique_ifname("mq")
    ns = None
    g = Guest(vireo, logdir, "tap-mq", mq_nic_args(tap))
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists("/sys/class/net/" + tap):
            check(time.monotonic() < deadline, "tap %s never appeared" % tap)
            time.sleep(0.05)
        ns = Netns("vireo-mq")
        # The tap's queues are open in vireo; the interface itself moves.
        ns.adopt(tap, HOST_IP + "/24")
        print("boot to shell: %.1f s" % g.wait_ready())
        maxc, cur = g.channels("eth0")
        check(maxc == QUEUES, "max combined %d, expected %d" % (maxc, QUEUES))
        g.ok("ethtool -L eth0 combined %d" % QUEUES)
        maxc, cur = g.channels("eth0")
        check(cur == QUEUES, "combined %d after ethtool -L" % cur)
        g.ok("ethtool -L eth0 combined 1")
        check(g.channels("eth0")[1] == 1, "combined not back to 1")
        g.ok("ethtool -L eth0 combined %d" % QUEUES)
        g.ok("ip addr add %s/24 dev eth0 && ip link set eth0 up" % GUEST_IP)
        out = g.ok("ip addr show eth0")
        check(GUEST_IP in out and "LOWER_UP" in out, "eth0: %s" % out)
        g.ok("ping -c 3 -W 5 %s" % HOST_IP, 60)
        ns.popen(["iperf3", "-s"], os.path.join(logdir, "iperf3-server.log"))
        time.sleep(0.5)
        before = g.ethtool_stats("eth0")
        irq_before = input_irqs(g, QUEUES)
        rates = {}
        for label, flag in [("guest->host", ""), ("host->guest", "-R")]:
            out = g.ok("iperf3 -c %s -P %d -t 5 -i 0 -f m %s"
                       % (HOST_IP, QUEUES, flag), 180)
            rates[label] = iperf_sum(out)
            check(rates[label] > 0, "no %s throughput" % label)
        after = check_no_errors(g)
        tx = [a - b for a, b in zip(queue_kicks(after, "tx", QUEUES),
                                    queue_kicks(before, "tx", QUEUES))]
        rx = [a - b for a, b in zip(queue_kicks(after, "rx", QUEUES),
                                    queue_kicks(before, "rx", QUEUES))]
        print("iperf3 4 streams: %s Mbit/s" % ", ".join(
            "%s %.1f" % kv for kv in rates.items()))
        print("per-queue kicks during iperf3: tx %s rx %s" % (tx, rx))
        check(all(k > 0 for k in tx), "a TX queue carried nothing: %s" % tx)
        irq = [a - b for a, b in zip(input_irqs(g, QUEUES), irq_before)]
        if any(irq):
            # MSI-X: each RX queue has its own interrupt.
            print("per-queue RX interrupts during iperf3: %s" % irq)
            check(all(k > 0 for k in irq), "an RX queue got nothing: %s"
                  % irq)
        else:
            # INTx: one shared interrupt, and the driver kicks an RX queue
            # only when its ring ran low (so a slow build may kick just
            # one): kicks prove use, not absence.  None at all means the
            # device never asked for refills: the stall of an event index
            # left behind the avail index.
            check(any(k > 0 for k in rx), "no RX refill kick at all: %s"
                  % rx)
            print("RX queues with refill kicks: %d of %d (INTx: no "
                  "per-queue RX counter)" % (sum(1 for k in rx if k), QUEUES))
        st = g.poweroff()
        check(st == 0, "vireo exited %d after poweroff" % st)
    finally:
        g.close()
        if ns:
            ns.close()


def rx_filter(g, qmp_name="nic0"):
    """The single query-rx-filter entry of @qmp_name (clears the event)."""
    res = g.qmp.cmd("query-rx-filter", name=qmp_name)
    check(len(res) == 1, "query-rx-filter returned %r" % res)
    return res[0]


def expect_filter_change(g, action, pred, what, qmp_name="nic0"):
    """Run @action in the guest; an event comes and @pred holds after."""
    rx_filter(g, qmp_name)
    g.qmp.drop_events("NIC_RX_FILTER_CHANGED")
    g.ok(action)
    ev = g.qmp.wait_event("NIC_RX_FILTER_CHANGED", 30)
    check(ev["data"].get("name") == qmp_name,
          "event for %r: %r" % (qmp_name, ev))
    check("path" in ev["data"], "event without a path: %r" % ev)
    # One event per query; the guest may issue several commands, so
    # query until the state settles.
    deadline = time.monotonic() + 10
    while True:
        info = rx_filter(g, qmp_name)
        if pred(info):
            print("%s: NIC_RX_FILTER_CHANGED, then %s" % (what, {
                k: info[k] for k in ["promiscuous", "multicast", "vlan",
                                     "main-mac"] if k in info}))
            return info
        check(time.monotonic() < deadline,
              "after %s query-rx-filter shows %r" % (what, info))
        time.sleep(0.2)


def test_rx_filter(vireo, logdir):
    g = Guest(vireo, logdir, "rx-filter",
              ["-netdev", "user,id=n0", "-device",
               "virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:12:34:66"])
    try:
        print("boot to shell: %.1f s" % g.wait_ready())
        info = rx_filter(g)
        check(info["main-mac"] == "52:54:00:12:34:66", "mac %r" % info)
        expect_filter_change(g, "ip link set eth0 up",
                             lambda i: not i["promiscuous"], "link up")
        expect_filter_change(g, "ip link set eth0 promisc on",
                             lambda i: i["promiscuous"], "promisc on")
        expect_filter_change(g, "ip link set eth0 promisc off",
                             lambda i: not i["promiscuous"], "promisc off")
        expect_filter_change(
            g, "ip link add link eth0 name eth0.100 type vlan id 100 && "
            "ip link set eth0.100 up",
            lambda i: 100 in i["vlan-table"] and i["vlan"] == "normal",
            "vlan 100 added")
        expect_filter_change(g, "ip link del eth0.100",
                             lambda i: 100 not in i["vlan-table"],
                             "vlan 100 removed")
        # busybox ip has no "maddr": an IPv6 address makes the kernel join
        # its solicited-node group, which adds 33:33:ff:xx:xx:xx to eth0.
        group = "33:33:ff:00:12:34"
        expect_filter_change(g, "ip addr add fd00::1234/64 dev eth0",
                             lambda i: group in i["multicast-table"],
                             "multicast group joined")
        expect_filter_change(g, "ip addr del fd00::1234/64 dev eth0",
                             lambda i: group not in i["multicast-table"],
                             "multicast group left")
        mac = "52:54:00:ab:cd:ef"
        expect_filter_change(g, "ip link set eth0 address %s" % mac,
                             lambda i: i["main-mac"] == mac, "mac change")
        out = g.ok("ip link show eth0")
        check(mac in out, "guest MAC: %s" % out)
        st = g.poweroff()
        check(st == 0, "vireo exited %d after poweroff" % st)
    finally:
        g.close()


def carrier(g):
    return g.ok("cat /sys/class/net/eth0/carrier").strip()


def wait_carrier(g, want, timeout=20):
    deadline = time.monotonic() + timeout
    while carrier(g) != want:
        check(time.monotonic() < deadline,
              "carrier not %s after %ds" % (want, timeout))
        time.sleep(0.5)


def test_link(vireo, logdir):
    g = Guest(vireo, logdir, "link",
              ["-netdev", "user,id=n0", "-device",
               "virtio-net-pci,netdev=n0,id=nic0"])
    try:
        print("boot to shell: %.1f s" % g.wait_ready())
        g.ok("ip link set eth0 up")
        wait_carrier(g, "1")
        for name in ["nic0", "n0"]:  # the device's and the netdev's name
            g.qmp.cmd("set_link", name=name, up=False)
            wait_carrier(g, "0")
            out = g.ok("ip link show eth0")
            check("NO-CARRIER" in out, "link down not shown: %s" % out)
            g.qmp.cmd("set_link", name=name, up=True)
            wait_carrier(g, "1")
            out = g.ok("ip link show eth0")
            check("LOWER_UP" in out, "link up not shown: %s" % out)
            print("set_link %s off/on: guest carrier 1 -> 0 -> 1" % name)
        changes = int(g.ok("cat /sys/class/net/eth0/carrier_changes"))
        check(changes >= 4, "carrier_changes %d" % changes)
        st = g.poweroff()
        check(st == 0, "vireo exited %d after poweroff" % st)
    finally:
        g.close()


def user_guest(vireo, logdir, name, netdev_opts=""):
    g = Guest(vireo, logdir, name,
              ["-netdev", "user,id=n0" + netdev_opts, "-device",
               "virtio-net-pci,netdev=n0,mq=on,id=nic0"])
    print("boot to shell: %.1f s" % g.wait_ready())
    # A 1-queue backend: the device offers one queue pair, as QEMU.
    maxc, cur = g.channels("eth0")
    check(maxc == 1 and cur == 1, "user backend channels %d/%d" % (maxc, cur))
    lease = g.dhcp("eth0", 120)
    check(lease == "10.0.2.15/24", "DHCP lease %r" % lease)
    out = g.ok("ip route")
    check("default via 10.0.2.2" in out, "routes: %s" % out)
    return g, lease


def test_user(vireo, logdir):
    g = None
    try:
        g, lease = user_guest(vireo, logdir, "user")
        g.ok("ping -c 2 -W 5 10.0.2.2", 60)
        check_no_errors(g)
        print("DHCP lease %s; ping to the slirp gateway" % lease)
        st = g.poweroff()
        check(st == 0, "vireo exited %d after poweroff" % st)
    finally:
        if g:
            g.close()


def test_user_hostfwd(vireo, logdir):
    port = free_tcp_port()
    g = None
    try:
        g, lease = user_guest(vireo, logdir, "user-hostfwd",
                              ",hostfwd=tcp:127.0.0.1:%d-:8080" % port)
        body = "vireo-hostfwd-%d\n" % os.getpid()
        g.ok("mkdir -p /tmp/www")
        g.write_file("/tmp/www/index.html", body)
        g.ok("httpd -p 8080 -h /tmp/www")
        got = None
        for _ in range(20):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % port,
                                            timeout=20) as r:
                    got = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        check(got == body, "hostfwd answer %r" % got)
        print("DHCP lease %s; hostfwd 127.0.0.1:%d -> guest:8080 answered"
              % (lease, port))
        check_no_errors(g)
        st = g.poweroff()
        check(st == 0, "vireo exited %d after poweroff" % st)
    finally:
        if g:
            g.close()


CASES = {"tap-mq": test_tap_mq, "rx-filter": test_rx_filter,
         "link": test_link, "user": test_user,
         "user-hostfwd": test_user_hostfwd}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--logdir")
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    exit_on_sigterm()
    if not os.path.exists(OPENSBI):
        skip("%s is missing (Debian package opensbi)" % OPENSBI)
    logdir = args.logdir or tempfile.mkdtemp(prefix="vireo-guestnet-")
    os.makedirs(logdir, exist_ok=True)
    t0 = time.monotonic()
    try:
        CASES[args.case](args.vireo, logdir)
    except (AssertionError, ConsoleError, subprocess.SubprocessError) as e:
        print("FAIL: %s (logs in %s)" % (e, logdir))
        return 1
    print("PASS: %s in %.1f s" % (args.case, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
