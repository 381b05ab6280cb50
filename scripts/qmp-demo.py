#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start vireo with a QMP socket and walk through a short QMP session."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/vireo"
    tmp = tempfile.mkdtemp(prefix="vireo-demo-")
    path = os.path.join(tmp, "qmp.sock")
    cmd = [binary, "-M", "virt", "-m", "256", "-name", "demo",
           "-display", "none", "-qmp", f"unix:{path},server=on,wait=off"]
    print("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd)
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    stream = sock.makefile("rb")

    def recv():
        line = stream.readline().decode()
        print("<- " + line.strip())
        return json.loads(line)

    def send(obj):
        print("-> " + json.dumps(obj))
        sock.sendall(json.dumps(obj).encode() + b"\n")
        while True:
            msg = recv()
            if "event" not in msg:
                return msg

    recv()
    send({"execute": "qmp_capabilities"})
    send({"execute": "query-version"})
    send({"execute": "query-name"})
    send({"execute": "query-status"})
    send({"execute": "stop"})
    send({"execute": "human-monitor-command",
          "arguments": {"command-line": "info status"}})
    send({"execute": "cont"})
    send({"execute": "query-machines"})
    send({"execute": "quit"})
    status = proc.wait(timeout=10)
    print(f"vireo exited with status {status}")
    return status


if __name__ == "__main__":
    sys.exit(main())
