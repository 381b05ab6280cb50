# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the guest tests, the README demo and the benchmarks.

- guest_image(): the Debian test guest (tests/guest/build-guest.py), or a
  skip with the builder's reason.
- Guest: an emulator process (vireo, or QEMU for comparisons) booting that
  guest with a serial console on stdio and, optionally, a QMP socket.
- Qmp: a minimal QMP client that keeps the events it reads.
- Netns: a network namespace made (and removed) by the test.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vireo_console import SKIP, Console, ConsoleError  # noqa: E402,F401

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD_GUEST = os.path.join(SRC, "tests", "guest", "build-guest.py")
READY = rb"VIREO-GUEST-READY"

# A udhcpc event script (busybox-static ships none): configures the
# address, the default route and prints the lease for the caller.
UDHCPC_SCRIPT = r"""#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via ${router%% *} dev "$interface"
    echo "LEASE $interface $ip/${mask:-24} router=$router dns=$dns"
    ;;
esac
exit 0
"""


def exit_on_sigterm():
    """Turn SIGTERM (meson's timeout) into SystemExit so that cleanups run:
    vireo does not end at the end of its stdin, and namespaces stay."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(SKIP)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def guest_image(skip_on_error=True):
    """(kernel, initrd) of the test guest, built or taken from the cache."""
    p = subprocess.run([sys.executable, BUILD_GUEST, "--print"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=1800)
    if p.returncode != 0:
        reason = "guest image not available: " + p.stderr.strip()
        if skip_on_error:
            skip(reason)
        raise RuntimeError(reason)
    vals = dict(line.split("=", 1) for line in p.stdout.split())
    return vals["KERNEL"], vals["INITRD"]


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Qmp:
    """A QMP client on a unix socket; events are kept in self.events."""

    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise ConsoleError("QMP socket %s never came up" % path)
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.rfile = self.sock.makefile("rb")
        self.events = []
        greeting = self._read()
        check("QMP" in greeting, "QMP greeting %r" % greeting)
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.rfile.readline()
        if not line:
            raise ConsoleError("QMP connection closed")
        return json.loads(line)

    def cmd(self, command, **args):
        """Run a command; returns its "return" value, raises on "error"."""
        msg = {"execute": command}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
            elif "error" in r:
                raise AssertionError("QMP %s failed: %s" % (command,
                                                            r["error"]))
            else:
                return r["return"]

    def wait_event(self, name, timeout, pred=lambda ev: True):
        """The first kept or new event @name matching @pred (consumed)."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name and pred(ev):
                    self.events.remove(ev)
                    return ev
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %s event within %ds" % (name,
                                                                 timeout))
            self.sock.settimeout(left)
            try:
                r = self._read()
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(30)
            if "event" in r:
                self.events.append(r)

    def drop_events(self, name):
        self.events = [e for e in self.events if e["event"] != name]

    def close(self):
        self.sock.close()


class Guest:
    """The test guest on an emulator; console on stdio, QMP on a socket.

    @emulator is the vireo binary, or a qemu-system-riscv64 (then
    -bios default picks QEMU's own OpenSBI).  @extra are more options
    (netdevs, devices).  The log goes to @logdir/@name.log.
    """

    def __init__(self, emulator, logdir, name, extra=(), smp=2, mem="1G",
                 append="console=ttyS0 panic=-1", qmp=True, image=None):
        self.kernel, self.initrd = image or guest_image()
        self.tmp = tempfile.mkdtemp(prefix="vireo-guest-")
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        argv = [emulator, "-M", "virt", "-m", mem, "-smp", str(smp),
                "-nographic", "-kernel", self.kernel, "-initrd",
                self.initrd, "-append", append]
        if qmp:
            argv += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        argv += list(extra)
        self.argv = argv
        self.con = Console(argv, os.path.join(logdir, name + ".log"))
        self.qmp = Qmp(self.qmp_path) if qmp else None
        self.boot_time = None

    def wait_ready(self, timeout=900):
        """Wait for the shell; returns the boot time in seconds."""
        self.con.wait_for(READY, timeout)
        self.boot_time = self.con.elapsed()
        self.con.wait_for(rb"# ", 60)
        # Kernel messages on the console would interleave with output.
        self.run("dmesg -n 1")
        return self.boot_time

    def run(self, cmd, timeout=60):
        return self.con.run(cmd, timeout)

    def ok(self, cmd, timeout=60):
        """Run @cmd; it must exit 0.  Returns its output."""
        st, out = self.con.run(cmd, timeout)
        check(st == 0, "guest command %r exited %d: %s" % (cmd, st, out))
        return out

    def write_file(self, path, text, mode="644"):
        """Create a guest file through the console (text without 'EOF')."""
        self.ok("cat > %s <<'VIREO_EOF'\n%sVIREO_EOF\nchmod %s %s"
                % (path, text, mode, path))

    def dhcp(self, ifname, timeout=60):
        """udhcpc on @ifname; returns the leased address (a.b.c.d/len)."""
        self.write_file("/tmp/udhcpc.sh", UDHCPC_SCRIPT, "755")
        out = self.ok("udhcpc -i %s -s /tmp/udhcpc.sh -n -q -t 5 -T 2"
                      % ifname, timeout)
        for line in out.splitlines():
            if line.startswith("LEASE %s " % ifname):
                return line.split()[2]
        raise AssertionError("no DHCP lease in %r" % out)

    def ethtool_stats(self, ifname):
        """`ethtool -S` as a dict of counters."""
        stats = {}
        for line in self.ok("ethtool -S %s" % ifname).splitlines():
            k, sep, v = line.strip().partition(":")
            if sep and v.strip().isdigit():
                stats[k.strip()] = int(v)
        return stats

    def channels(self, ifname):
        """(max combined, current combined) from `ethtool -l`."""
        out = self.ok("ethtool -l %s" % ifname)
        vals = [int(line.split(":")[1]) for line in out.splitlines()
                if line.strip().startswith("Combined:")]
        check(len(vals) == 2, "ethtool -l output %r" % out)
        return vals[0], vals[1]

    def poweroff(self, timeout=120):
        """`poweroff -f` in the guest; returns the emulator's exit status."""
        self.con.send("poweroff -f\n")
        return self.con.wait_exit(timeout)

    def close(self):
        if self.qmp:
            self.qmp.close()
        self.con.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def netns_unavailable():
    """None when network namespaces can be made here, else the reason."""
    if os.geteuid() != 0:
        return "needs root (tap devices and network namespaces)"
    if not shutil.which("ip"):
        return "ip (iproute2) is missing"
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun is missing"
    name = "vireo-probe-%d" % os.getpid()
    p = subprocess.run(["ip", "netns", "add", name], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return "cannot create a network namespace: " + p.stdout.strip()
    subprocess.run(["ip", "netns", "del", name])
    return None


class Netns:
    """A network namespace of this process, removed by close()."""

    def __init__(self, prefix="vireo"):
        self.name = "%s-%d" % (prefix, os.getpid())
        subprocess.run(["ip", "netns", "del", self.name],
                       stderr=subprocess.DEVNULL)
        self.sh("ip netns add %s" % self.name, host=True)
        self.sh("ip link set lo up")
        self.procs = []

    def sh(self, cmd, host=False, timeout=60):
        """Run @cmd (a shell line) in the namespace; must exit 0."""
        argv = ["sh", "-c", cmd]
        if not host:
            argv = ["ip", "netns", "exec", self.name] + argv
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
        check(p.returncode == 0, "%r exited %d: %s" % (cmd, p.returncode,
                                                       p.stdout))
        return p.stdout

    def adopt(self, ifname, addr):
        """Move host interface @ifname in, give it @addr and bring it up."""
        self.sh("ip link set %s netns %s" % (ifname, self.name), host=True)
        self.sh("ip addr add %s dev %s && ip link set %s up"
                % (addr, ifname, ifname))

    def popen(self, argv, log_path):
        log = open(log_path, "wb")
        p = subprocess.Popen(["ip", "netns", "exec", self.name] + argv,
                             stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((p, log))
        return p

    def close(self):
        for p, log in self.procs:
            stop_process(p)
            log.close()
        subprocess.run(["ip", "netns", "del", self.name],
                       stderr=subprocess.DEVNULL)


def stop_process(p, timeout=10):
    """SIGTERM @p (a Popen) if it still runs; SIGKILL after @timeout s."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def unique_ifname(tag):
    """A tap name unique to this process (at most 15 characters)."""
    return ("vg%s%d" % (tag, os.getpid()))[:15]
