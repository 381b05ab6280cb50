# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a vireo process through its serial console on stdio (-nographic)."""

import os
import re
import select
import signal
import subprocess
import time

SKIP = 77  # meson's exit status for a skipped test


class ConsoleError(Exception):
    pass


class Console:
    """A vireo process whose serial console is on its stdin/stdout."""

    def __init__(self, argv, log_path=None):
        self.argv = argv
        self.buf = b""
        self.log = open(log_path, "wb") if log_path else None
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.t0 = time.monotonic()

    def _read_some(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        if self.log:
            self.log.write(data)
            self.log.flush()
        self.buf += data
        return True

    def wait_for(self, pattern, timeout):
        """Wait for @pattern (bytes regex) in the output; returns the match.

        Output up to the end of the match is consumed."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConsoleError("timed out after %ds waiting for %r; "
                                   "last output: %r" % (timeout, pattern,
                                                        self.buf[-600:]))
            if not self._read_some(min(left, 1.0)):
                self.proc.wait(timeout=10)
                raise ConsoleError("vireo exited (status %s) while waiting "
                                   "for %r; last output: %r"
                                   % (self.proc.returncode, pattern,
                                      self.buf[-600:]))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, cmd, timeout=60):
        """Run a shell command in the guest; returns (status, output)."""
        tag = "%08x" % (int(time.monotonic() * 1e6) & 0xffffffff)
        # The markers are split so that the echoed command line cannot
        # match them.
        self.send("echo V'B'%s; %s; echo V'E'%s $?\n" % (tag, cmd, tag))
        self.wait_for(rb"VB" + tag.encode() + rb"\r?\n", timeout)
        m = self.wait_for(rb"(?s)(.*?)VE" + tag.encode() + rb" (\d+)",
                          timeout)
        out = m.group(1).decode(errors="replace").replace("\r", "")
        return int(m.group(2)), out

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise ConsoleError("vireo did not exit within %ds" % timeout)
            self._read_some(0.2)
        while self._read_some(0):
            if not select.select([self.proc.stdout], [], [], 0)[0]:
                break
        return self.proc.returncode

    def elapsed(self):
        return time.monotonic() - self.t0

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
