"""Parts the FT pair tests start themselves: a local etcd, a TCP proxy that
can cut a connection without closing it, and a reader of ftcounter's file
on a disk image."""
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
from netpeer import free_tcp_port  # noqa: E402,F401  (re-exported for the FT tests)


class Etcd:
    """A one-member etcd (Debian's etcd-server) on 127.0.0.1, with its data
    in a temporary directory; close() stops it and removes the data."""

    def __init__(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="tapvm-etcd-")
        client, peer = free_tcp_port(), free_tcp_port()
        self.url = f"http://127.0.0.1:{client}"
        peer_url = f"http://127.0.0.1:{peer}"
        self.log = open(os.path.join(self.dir, "etcd.log"), "wb")
        self.proc = subprocess.Popen(
            ["etcd", "--name", "tapvm-test", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
             "--initial-cluster", f"tapvm-test={peer_url}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if b"true" in r.read():
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("etcd did not start; see its log")
            time.sleep(0.1)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class StallProxy:
    """Forwards TCP connections made to `port` (127.0.0.1) to `target`;
    stall() stops forwarding in both directions while keeping every
    connection open: a partition, not a crash."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.stalled = threading.Event()
        self.closed = False
        self.socks = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                a, _ = self.listener.accept()
            except OSError:
                return
            try:
                b = socket.create_connection(self.target, timeout=5)
            except OSError:
                a.close()  # the primary is not there yet: the secondary retries
                continue
            self.socks += [a, b]
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a, b):
        peers = {a: b, b: a}
        while not self.closed:
            if self.stalled.is_set():
                time.sleep(0.05)
                continue
            r, _, _ = select.select([a, b], [], [], 0.05)
            for s in r:
                if self.stalled.is_set():
                    break
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    return
                try:
                    peers[s].sendall(data)
                except OSError:
                    return

    def stall(self):
        self.stalled.set()

    def close(self):
        self.closed = True
        self.listener.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass


def debugfs_numbers(disk):
    """The numbers in ftcounter's /counter on an ext2 image, in file order."""
    p = subprocess.run(["debugfs", "-R", "cat /counter", disk], capture_output=True, timeout=60)
    return [int(x) for x in p.stdout.decode().split() if x.isdigit()]
