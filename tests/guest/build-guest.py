#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the riscv64 test guest: a Debian kernel plus a busybox initramfs.

Packages come from Debian `trixie` (riscv64) through the mirror this machine's
apt already uses, with a private apt configuration under the cache directory;
the machine's own apt setup is never touched.  The result is cached in
CACHE/<hash of the package versions>/ and rebuilt only when a version changes.

    build-guest.py [--cache DIR] [--suite trixie] [--offline] [--print]

prints (with --print) three lines: KERNEL=path, INITRD=path, VERSIONS=...
Exit status 0 on success, 2 when the image cannot be built (message on
stderr), so callers can skip with the reason.
"""

import argparse
import glob
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile

BUILDER_VERSION = "2"
DEFAULT_CACHE = os.environ.get("VIREO_GUEST_CACHE", "/var/cache/vireo-guest")
TOP_PACKAGES = ["linux-image-riscv64", "busybox-static", "iperf3", "ethtool"]
# Library closure roots: user-space programs and what they link against.
USER_PACKAGES = ["busybox-static", "iperf3", "ethtool"]
# 8021q: VLAN sub-interfaces for the receive-filter tests.
GUEST_MODULES = ["virtio_net", "virtio_mmio", "8021q"]  # plus their deps
READY_MARKER = "VIREO-GUEST-READY"


class BuildError(Exception):
    pass


def log(msg):
    print("build-guest: " + msg, file=sys.stderr, flush=True)


def find_mirror():
    """The Debian archive URI of the machine's apt sources (not security)."""
    candidates = []
    files = ["/etc/apt/sources.list"] + sorted(
        glob.glob("/etc/apt/sources.list.d/*.list")
        + glob.glob("/etc/apt/sources.list.d/*.sources"))
    for path in files:
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        if path.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                uris = re.search(r"^URIs:\s*(.+)$", stanza, re.M)
                suites = re.search(r"^Suites:\s*(.+)$", stanza, re.M)
                enabled = re.search(r"^Enabled:\s*no", stanza, re.M | re.I)
                if uris and suites and not enabled:
                    for uri in uris.group(1).split():
                        candidates.append((uri, suites.group(1)))
        else:
            for line in text.splitlines():
                m = re.match(r"\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
                if m:
                    candidates.append((m.group(2), m.group(3)))
    for uri, suites in candidates:
        if "security" in suites or "security" in uri:
            continue
        if uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    raise BuildError("no Debian mirror found in /etc/apt/sources.list(.d)")


class PrivateApt:
    """apt-get/apt-cache with their own state, lists and cache directories."""

    def __init__(self, root, mirror, suite):
        self.root = root
        for d in ["etc/apt/sources.list.d", "etc/apt/preferences.d",
                  "etc/apt/apt.conf.d", "var/lib/apt/lists/partial",
                  "var/cache/apt/archives/partial", "var/lib/dpkg", "debs"]:
            os.makedirs(os.path.join(root, d), exist_ok=True)
        status = os.path.join(root, "var/lib/dpkg/status")
        if not os.path.exists(status):
            open(status, "w").close()
        keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
        with open(os.path.join(root, "etc/apt/sources.list"), "w") as f:
            f.write("deb [arch=riscv64 signed-by=%s] %s %s main\n"
                    % (keyring, mirror, suite))
        self.opts = [
            "-o", "Dir=" + root,
            "-o", "Dir::State::status=" + status,
            "-o", "Dir::Etc::trusted=/etc/apt/trusted.gpg",
            "-o", "Dir::Etc::TrustedParts=/etc/apt/trusted.gpg.d",
            "-o", "APT::Architecture=riscv64",
            "-o", "APT::Architectures=riscv64",
            "-o", "Debug::NoLocking=1",
        ]

    def run(self, tool, args, cwd=None):
        cmd = [tool] + self.opts + args
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=900)
        if p.returncode != 0:
            raise BuildError("%s failed (%d): %s" % (" ".join(
                [tool] + args), p.returncode, p.stderr.strip()[-2000:]))
        return p.stdout

    def update(self):
        self.run("apt-get", ["-q", "update"])

    def show(self, pkg):
        """Candidate version's fields of @pkg as a dict."""
        out = self.run("apt-cache", ["show", "--no-all-versions", pkg])
        fields = {}
        key = None
        for line in out.splitlines():
            if not line.strip():
                if fields:
                    break
                continue
            if line[0] in " \t" and key:
                fields[key] += "\n" + line.strip()
                continue
            key, _, val = line.partition(":")
            fields[key] = val.strip()
        if "Version" not in fields:
            raise BuildError("package %s not found in the riscv64 index" % pkg)
        return fields

    def download(self, pkgs, dest):
        self.run("apt-get", ["-q", "download"] +
                 ["%s=%s" % (p, v) for p, v in pkgs], cwd=dest)


def dep_names(field):
    """Package names of a Depends field (first alternative of each)."""
    names = []
    for clause in field.split(","):
        first = clause.split("|")[0].strip()
        m = re.match(r"([a-z0-9][a-z0-9+.-]*)", first)
        if m:
            names.append(m.group(1))
    return names


def resolve(apt):
    """{package: version} for the kernel, the tools and their libraries."""
    versions = {}
    kmeta = apt.show("linux-image-riscv64")
    versions["linux-image-riscv64"] = kmeta["Version"]
    kimg = [d for d in dep_names(kmeta.get("Depends", ""))
            if d.startswith("linux-image-")]
    if not kimg:
        raise BuildError("linux-image-riscv64 names no kernel image package")
    versions[kimg[0]] = apt.show(kimg[0])["Version"]
    todo = list(USER_PACKAGES)
    while todo:
        pkg = todo.pop()
        if pkg in versions:
            continue
        fields = apt.show(pkg)
        versions[pkg] = fields["Version"]
        deps = dep_names(fields.get("Pre-Depends", "")) + dep_names(
            fields.get("Depends", ""))
        # Only shared libraries matter inside the initramfs (zlib1g is
        # libz.so.1, which iperf3 needs through libssl).
        todo += [d for d in deps if (d.startswith("lib") or d == "zlib1g")
                 and d not in versions]
    return versions, kimg[0]


def extract(deb, dest):
    subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)


def module_order(moddir, wanted):
    """Module files (relative to moddir) in load order for @wanted.

    Debian's package ships no modules.dep (depmod makes it at install
    time), so the dependencies come from each module's .modinfo strings.
    """
    by_name = {}
    for dirpath, _, filenames in os.walk(os.path.join(moddir, "kernel")):
        for n in filenames:
            if ".ko" in n:
                base = n.split(".ko")[0].replace("-", "_")
                by_name[base] = os.path.relpath(os.path.join(dirpath, n),
                                                moddir)
    try:
        builtin = open(os.path.join(moddir, "modules.builtin")).read()
    except OSError:
        builtin = ""
    builtin_names = {os.path.basename(l).split(".ko")[0].replace("-", "_")
                     for l in builtin.split()}
    order = []

    def visit(name, chain):
        if name in builtin_names:
            return
        if name not in by_name:
            raise BuildError("module %s not found in the kernel package"
                             % name)
        path = by_name[name]
        if path in order:
            return
        if name in chain:
            raise BuildError("module dependency loop at %s" % name)
        info = read_module(os.path.join(moddir, path))
        m = re.search(rb"(?:^|\0)depends=([^\0]*)", info)
        for dep in (m.group(1).decode().split(",") if m else []):
            if dep:
                visit(dep.replace("-", "_"), chain + [name])
        order.append(path)

    for name in wanted:
        visit(name, [])
    return order


def read_module(path):
    data = open(path, "rb").read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        p = subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE,
                           check=True)
        return p.stdout
    return data


class Cpio:
    """A cpio "newc" archive written from memory."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.seen = set()

    def _entry(self, name, mode, data=b"", nlink=1):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08x" % v for v in [
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
            len(name_b), 0])
        self.ino += 1
        self.buf.write(hdr.encode() + name_b)
        self.buf.write(b"\0" * (-(110 + len(name_b)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        if name and name not in self.seen:
            self.dir(os.path.dirname(name))
            self.seen.add(name)
            self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        self.dir(os.path.dirname(name))
        self.seen.add(name)
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self.dir(os.path.dirname(name))
        self.seen.add(name)
        self._entry(name, 0o120777, target.encode())

    def tree(self, root, prefix=""):
        """Add a host directory tree (files, symlinks, dirs)."""
        for dirpath, dirnames, filenames in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            rel = "" if rel == "." else rel
            for n in sorted(dirnames + filenames):
                src = os.path.join(dirpath, n)
                dst = os.path.join(prefix, rel, n).lstrip("/")
                if os.path.islink(src):
                    self.symlink(dst, os.readlink(src))
                elif os.path.isdir(src):
                    self.dir(dst)
                elif os.path.isfile(src):
                    mode = os.stat(src).st_mode & 0o777
                    self.file(dst, open(src, "rb").read(), mode)

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


INIT_SCRIPT = """#!/bin/busybox sh
# Init of the vireo test guest: mount, load virtio-net, lo up, then a shell.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp /run
mount -t devpts devpts /dev/pts
for m in $(cat /etc/vireo-modules); do
    insmod /lib/modules/$m || echo "vireo-init: insmod $m failed"
done
ip link set lo up
echo
echo %s
exec /bin/sh
""" % READY_MARKER


def build_initrd(user_root, kroot, kver, out_path):
    moddir = os.path.join(kroot, "usr/lib/modules", kver)
    if not os.path.isdir(moddir):
        moddir = os.path.join(kroot, "lib/modules", kver)
    mods = module_order(moddir, GUEST_MODULES)
    cpio = Cpio()
    for d in ["dev", "proc", "sys", "tmp", "run", "etc", "root", "sbin",
              "usr/bin", "usr/sbin"]:
        cpio.dir(d)
    # Debian's merged /usr: programs and libraries live under /usr.
    for name, target in [("lib", "usr/lib"), ("bin", "usr/bin")]:
        src = os.path.join(user_root, name)
        if os.path.islink(src) or not os.path.exists(src):
            cpio.symlink(name, target)
    cpio.tree(user_root)
    cpio.symlink("lib64", "usr/lib")
    names = []
    for m in mods:
        plain = re.sub(r"\.(xz|gz|zst)$", "", os.path.basename(m))
        cpio.file("usr/lib/modules/" + plain,
                  read_module(os.path.join(moddir, m)))
        names.append(plain)
    cpio.file("etc/vireo-modules", ("\n".join(names) + "\n").encode())
    cpio.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    cpio.file("etc/group", b"root:x:0:\n")
    cpio.file("init", INIT_SCRIPT.encode(), 0o755)
    with open(out_path, "wb") as f:
        f.write(gzip.compress(cpio.finish(), 6))
    return names


def build(cache, suite, offline):
    os.makedirs(cache, exist_ok=True)
    apt = PrivateApt(os.path.join(cache, "apt-" + suite), find_mirror(),
                     suite)
    if offline:
        return latest(cache)
    try:
        apt.update()
    except BuildError as e:
        log("cannot reach the mirror (%s); trying the cache" % e)
        return latest(cache)
    versions, kpkg = resolve(apt)
    key_text = "builder %s\n" % BUILDER_VERSION + "".join(
        "%s=%s\n" % kv for kv in sorted(versions.items()))
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    out = os.path.join(cache, key)
    if os.path.exists(os.path.join(out, "done")):
        return out
    log("building %s" % out)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        debs = os.path.join(tmp, "debs")
        os.makedirs(debs)
        apt.download(sorted(versions.items()), debs)
        kroot = os.path.join(tmp, "kernel")
        uroot = os.path.join(tmp, "user")
        for deb in glob.glob(os.path.join(debs, "*.deb")):
            base = os.path.basename(deb)
            if base.startswith("linux-image"):
                extract(deb, kroot)
            else:
                extract(deb, uroot)
        for junk in ["usr/share/doc", "usr/share/man", "usr/share/locale",
                     "usr/share/lintian", "etc/init.d", "usr/lib/systemd"]:
            shutil.rmtree(os.path.join(uroot, junk), ignore_errors=True)
        images = glob.glob(os.path.join(kroot, "boot/vmlinu*"))
        if not images:
            raise BuildError("no kernel image in " + kpkg)
        kver = os.path.basename(images[0]).split("-", 1)[1]
        stage = os.path.join(tmp, "out")
        os.makedirs(stage)
        kdata = open(images[0], "rb").read()
        if kdata[:2] == b"\x1f\x8b":
            kdata = gzip.decompress(kdata)
        with open(os.path.join(stage, "Image"), "wb") as f:
            f.write(kdata)
        mods = build_initrd(uroot, kroot, kver, os.path.join(stage,
                                                             "initrd.gz"))
        with open(os.path.join(stage, "versions.txt"), "w") as f:
            f.write(key_text + "kernel %s\nmodules %s\n" % (kver,
                                                           " ".join(mods)))
        open(os.path.join(stage, "done"), "w").close()
        if os.path.exists(out):
            shutil.rmtree(out)
        shutil.move(stage, out)
    with open(os.path.join(cache, "latest"), "w") as f:
        f.write(key + "\n")
    return out


def latest(cache):
    try:
        key = open(os.path.join(cache, "latest")).read().strip()
    except OSError:
        raise BuildError("no cached guest image in %s" % cache)
    out = os.path.join(cache, key)
    if not os.path.exists(os.path.join(out, "done")):
        raise BuildError("cached guest image %s is incomplete" % out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=DEFAULT_CACHE)
    ap.add_argument("--suite", default="trixie")
    ap.add_argument("--offline", action="store_true",
                    help="use the newest cached image, do not ask the mirror")
    ap.add_argument("--print", action="store_true",
                    help="print KERNEL=, INITRD= and VERSIONS= lines")
    args = ap.parse_args()
    try:
        out = build(args.cache, args.suite, args.offline)
    except (BuildError, OSError, subprocess.SubprocessError) as e:
        print("build-guest: cannot build the guest image: %s" % e,
              file=sys.stderr)
        return 2
    if not os.path.exists(os.path.join(out, "versions.txt")):
        print("build-guest: %s is incomplete" % out, file=sys.stderr)
        return 2
    with open(os.path.join(args.cache, "latest"), "w") as f:
        f.write(os.path.basename(out) + "\n")
    if args.print:
        print("KERNEL=" + os.path.join(out, "Image"))
        print("INITRD=" + os.path.join(out, "initrd.gz"))
        print("VERSIONS=" + os.path.join(out, "versions.txt"))
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
