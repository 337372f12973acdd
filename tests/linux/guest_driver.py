"""Drives a tapvm Linux guest through its console, for the guest tests.

A Guest is a running `tapvm run` process with the console on pipes: the
test types commands and waits for the output it expects, with deadlines in
host seconds so a hung guest fails the test instead of hanging it.
"""
import os
import select
import shutil
import subprocess
import tempfile
import time


class GuestError(Exception):
    pass


class Guest:
    def __init__(self, tapvm, guest_dir, extra_args=(), append=None, timeout=300, command="run"):
        args = [tapvm, command, "--guest-dir", guest_dir, "--timeout", str(timeout)]
        if append is not None:
            args += ["--kernel", os.path.join(guest_dir, "Image"),
                     "--initrd", os.path.join(guest_dir, "rootfs.cpio.gz"),
                     "--append", append]
        args += list(extra_args)
        # tapvm locks a writable disk image: tests running side by side
        # each boot from a private copy of the built guest's disk.
        self.disk_dir = None
        if command in ("run", "record") and "--drive" not in extra_args and \
                os.path.exists(os.path.join(guest_dir, "disk.img")):
            self.disk_dir = tempfile.mkdtemp(prefix="tapvm-guest-disk-")
            copy = os.path.join(self.disk_dir, "disk.img")
            shutil.copy(os.path.join(guest_dir, "disk.img"), copy)
            args += ["--drive", "file=" + copy]
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.output = b""
        self.seen = 0  # output before this offset has been matched already

    def _read_some(self, deadline):
        wait = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([self.proc.stdout], [], [], min(wait, 1.0))
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return False
            self.output += chunk
        return True

    def expect(self, text, timeout=120):
        """Waits until `text` appears in new output; returns the output up to it."""
        want = text.encode() if isinstance(text, str) else text
        deadline = time.monotonic() + timeout
        while True:
            pos = self.output.find(want, self.seen)
            if pos >= 0:
                before = self.output[self.seen:pos]
                self.seen = pos + len(want)
                return before.decode(errors="replace")
            if time.monotonic() > deadline:
                raise GuestError(f"timed out waiting for {text!r}; last output:\n" +
                                 self.output[-2000:].decode(errors="replace"))
            if not self._read_some(deadline) and self.proc.poll() is not None:
                raise GuestError(f"tapvm exited ({self.proc.returncode}) before {text!r}; last output:\n" +
                                 self.output[-2000:].decode(errors="replace") +
                                 "\nstderr:\n" + self.proc.stderr.read().decode(errors="replace"))

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def run(self, command, timeout=120):
        """Runs a shell command; returns its output (between unique markers)."""
        Guest._n = getattr(Guest, "_n", 0) + 1
        tag = f"T{Guest._n}X"
        # The markers are built by the shell so the echoed command line
        # itself never matches them.
        self.send(f"echo {tag}''BEGIN; {command}; echo {tag}''END$?")
        self.expect(f"{tag}BEGIN", timeout)
        out = self.expect(f"{tag}END", timeout)
        status = self.expect("\n", timeout).strip()
        return out.strip("\r\n"), int(status or "0")

    def wait_exit(self, timeout=120):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                raise GuestError("tapvm did not exit; last output:\n" + self.output[-2000:].decode(errors="replace"))
            self._read_some(deadline)
        while self._read_some(time.monotonic()) and select.select([self.proc.stdout], [], [], 0)[0]:
            pass
        self.stderr = self.proc.stderr.read().decode(errors="replace")
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __del__(self):
        if self.disk_dir:
            shutil.rmtree(self.disk_dir, ignore_errors=True)
