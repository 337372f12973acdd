#!/usr/bin/env python3
"""On a terminal, every way tapvm ends gives the terminal back as it was
(echo and canonical mode on): SIGINT, SIGTERM, SIGHUP (a clean stop), SIGQUIT,
SIGUSR1, SIGALRM (the process dies, the terminal comes back first) and
SIGPIPE (ignored; the run goes on and is then ended with Ctrl-A x).

usage: terminal_signals_test.py TAPVM SPIN_ELF
"""
import os
import pty
import select
import signal
import sys
import termios
import time


def run_on_pty(tapvm, elf, sig):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(tapvm, [tapvm, "run", "--bios", elf, "--timeout", "30"])
    before = termios.tcgetattr(fd)
    # Wait until tapvm has put the terminal in raw mode.
    deadline = time.monotonic() + 10
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        if time.monotonic() > deadline:
            return "the terminal never went raw"
        time.sleep(0.02)
    os.kill(pid, sig)
    if sig == signal.SIGPIPE:
        time.sleep(0.3)
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return "SIGPIPE ended tapvm"
        os.write(fd, b"\x01x")  # Ctrl-A x
    out = b""
    end = time.monotonic() + 20
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        return "tapvm did not end"
    after = termios.tcgetattr(fd)
    os.close(fd)
    lflag = after[3]
    if not (lflag & termios.ECHO) or not (lflag & termios.ICANON):
        return f"terminal left raw (lflag {lflag:#x}, was {before[3]:#x}); output {out[-200:]!r}"
    return None


def main():
    tapvm, elf = sys.argv[1:3]
    failures = 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGALRM,
                signal.SIGPIPE):
        problem = run_on_pty(tapvm, elf, sig)
        print(f"{'FAIL' if problem else 'ok  '} {sig.name}{': ' + problem if problem else ''}")
        failures += problem is not None
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
