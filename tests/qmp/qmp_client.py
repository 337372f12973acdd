"""A small QMP client for the control-socket tests (unix or TCP socket).

Every read has a deadline in host seconds, so a server that hangs fails
the test instead of hanging it. Events that arrive while a command waits
for its answer are kept in `events`.
"""
import json
import os
import socket
import time


class QmpError(Exception):
    pass


def connect_socket(address, timeout=10.0):
    """`address`: a unix socket path, or (host, port). Retries until the server listens."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if isinstance(address, str):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(address)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Qmp:
    def __init__(self, address, timeout=10.0, negotiate=True):
        self.sock = connect_socket(address, timeout)
        self.buf = b""
        self.events = []
        self.greeting = self.recv(timeout)
        if "QMP" not in self.greeting:
            raise QmpError(f"no greeting: {self.greeting}")
        if negotiate:
            r = self.cmd("qmp_capabilities")
            if r != {"return": {}}:
                raise QmpError(f"negotiation failed: {r}")

    def send_raw(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def recv(self, timeout=10.0):
        """The next JSON message (one per line); None at end of stream."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpError(f"no message within {timeout} s (have {self.buf[:200]!r})")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def response(self, timeout=10.0):
        """The next answer (return or error), keeping events aside."""
        while True:
            m = self.recv(timeout)
            if m is None:
                raise QmpError("connection closed before an answer")
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def cmd(self, name, args=None, id=None, timeout=10.0):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if id is not None:
            req["id"] = id
        self.send_raw(json.dumps(req) + "\n")
        return self.response(timeout)

    def ok(self, name, args=None, timeout=10.0):
        r = self.cmd(name, args, timeout=timeout)
        if "return" not in r:
            raise QmpError(f"{name} {args}: {r}")
        return r["return"]

    def wait_event(self, name, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpError(f"no {name} event within {timeout} s (events: {self.events})")
            m = self.recv(left)
            if m is None:
                raise QmpError(f"connection closed before a {name} event")
            if "event" in m:
                self.events.append(m)

    def close(self):
        self.sock.close()


def fresh_path(tmp, name):
    p = os.path.join(tmp, name)
    if os.path.exists(p):
        os.remove(p)
    return p
