#!/usr/bin/env python3
"""FT pair benchmark: what protection costs, measured against `tapvm run` in
the same run (ratios, so a noisy shared machine hits both alike).

  slowdown   host wall seconds of `tapvm ft primary` (with its secondary
             running beside it) against `tapvm run`, on the boot
             (tapvm.script=hello) and on the CPU workload
             (tapvm.script=workload); medians of alternating rounds
  latency    round-trip time of UDP requests to the guest's ftcounter
             (tools/guest/ftcounter.c), under `run` and under the pair:
             p50/p99 and what output commit adds
  log        bytes the primary streamed, per guest second (guest seconds:
             instructions at the virt board's 10 MHz mtime, 2^4
             instructions a tick) and per host second
  lag        the largest secondary lag the primary saw, and its waits
  failover   kill -9 of the primary: time to the next answer (pair_test.py)

usage: ft_bench.py TAPVM GUEST_DIR [ROUNDS] [PART...]
  PART: boot, workload, latency, failover (default: all)
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "linux"))
sys.path.insert(0, os.path.join(HERE, "..", "ft"))
from ft_helpers import free_tcp_port  # noqa: E402
from netpeer import CounterClient, NetPeer, free_udp_port  # noqa: E402

GUEST_HZ = 10_000_000 * 16  # instructions per guest second at time_shift 4


class Runner:
    def __init__(self, tapvm, guest_dir, tmp):
        self.tapvm, self.guest_dir, self.tmp = tapvm, guest_dir, tmp

    def disk(self, name):
        return os.path.join(self.tmp, name)

    def fresh_disks(self, *names):
        """Fresh copies of the guest's disk, made before a timed start."""
        for name in names:
            shutil.copy(os.path.join(self.guest_dir, "disk.img"), self.disk(name))

    def common(self, script, netdev=None):
        args = ["--guest-dir", self.guest_dir, "--append", f"console=ttyS0 tapvm.script={script}",
                "--timeout", "600"]
        return args + (["--netdev", netdev] if netdev else [])

    def start_run(self, script, netdev=None):
        return subprocess.Popen([self.tapvm, "run", "--drive", "file=" + self.disk("run.img")] +
                                self.common(script, netdev), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start_pair(self, script, netdev=None):
        port = free_tcp_port()
        lock = os.path.join(self.tmp, "pair.lock")
        if os.path.exists(lock):
            os.remove(lock)
        sec = subprocess.Popen([self.tapvm, "ft", "secondary", "--connect", f"127.0.0.1:{port}", "--arbiter",
                                "file:" + lock, "--force", "-o", os.path.join(self.tmp, "sec.tapj"),
                                "--drive", "file=" + self.disk("sec.img")] + self.common(script, netdev),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pri = subprocess.Popen([self.tapvm, "ft", "primary", "--listen", f"127.0.0.1:{port}", "--arbiter",
                                "file:" + lock, "--drive", "file=" + self.disk("pri.img")] +
                               self.common(script, netdev), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return pri, sec


def wait_ok(p, what):
    _, err = p.communicate(timeout=900)
    if p.returncode != 0:
        raise SystemExit(f"{what} exited {p.returncode}: {err.decode(errors='replace')}")
    return err.decode(errors="replace")


def slowdown(r, script, rounds):
    runs, pairs, lines = [], [], []
    for _ in range(rounds):
        r.fresh_disks("run.img", "pri.img", "sec.img")
        t = time.monotonic()
        wait_ok(r.start_run(script), "run")
        runs.append(time.monotonic() - t)
        t = time.monotonic()
        pri, sec = r.start_pair(script)
        err = wait_ok(pri, "ft primary")
        pairs.append(time.monotonic() - t)
        wait_ok(sec, "ft secondary")
        lines.append(err)
    mr, mp = statistics.median(runs), statistics.median(pairs)
    print(f"slowdown {script:8s}: run {mr:.2f} s, ft primary {mp:.2f} s (medians of {rounds}): "
          f"ratio {mp / mr:.3f} ({(mp / mr - 1) * 100:+.1f}%)")
    return lines[-1]


def log_and_lag(line):
    m = re.search(r"at icount (\d+) after (\d+) events.*?log ([0-9.]+) MB sent.*?lag waits (\d+) \(([0-9.]+) ms\), "
                  r"largest lag (\d+) instructions", line)
    if not m:
        print("could not read the primary's figures:", line)
        return
    icount, events, mb, waits, waited, lag = m.groups()
    guest_s = int(icount) / GUEST_HZ
    print(f"  log: {float(mb):.2f} MB over {int(icount) / 1e6:.0f} M instructions ({guest_s:.2f} guest s): "
          f"{float(mb) / guest_s:.2f} MB per guest second, {int(events)} events; "
          f"secondary lag: largest {int(lag) / 1e6:.1f} M instructions, {waits} waits ({waited} ms)")


def rtts(r, pair, requests):
    vm_port = free_udp_port()
    peer = NetPeer(vm_port)
    client = CounterClient(peer)
    r.fresh_disks("run.img", "pri.img", "sec.img")
    if pair:
        pri, sec = r.start_pair("ftcounter", peer.netdev(vm_port))
    else:
        pri, sec = r.start_run("ftcounter", peer.netdev(vm_port)), None
    try:
        client.count(3, per_try_timeout=1.0, timeout=240)  # booted and serving
        samples = []
        for _ in range(requests):
            t = time.monotonic()
            client.next_number(per_try_timeout=2.0, deadline=time.monotonic() + 30)
            samples.append((time.monotonic() - t) * 1000)
        client.quit(timeout=3.0, tries=10)
        err = wait_ok(pri, "ft primary" if pair else "run")
        if sec:
            wait_ok(sec, "ft secondary")
        samples.sort()
        return samples, err
    finally:
        client.close()
        peer.close()
        for p in (pri, sec):
            if p and p.poll() is None:
                p.kill()


def pct(s, p):
    return s[min(len(s) - 1, int(p * len(s)))]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    tapvm, guest_dir = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    parts = sys.argv[4:] or ["boot", "workload", "latency", "failover"]
    tmp = tempfile.mkdtemp(prefix="tapvm-ftbench-")
    try:
        r = Runner(tapvm, guest_dir, tmp)
        if "boot" in parts:
            slowdown(r, "hello", rounds)
        if "workload" in parts:
            log_and_lag(slowdown(r, "workload", rounds))
        if "latency" in parts:
            latency(r)
        if "failover" in parts:
            failover(tapvm, guest_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def latency(r):
    base, _ = rtts(r, False, 1000)
    ft, err = rtts(r, True, 1000)
    print(f"latency (UDP request to the guest, 1000 each): run p50 {pct(base, .5):.3f} ms p99 {pct(base, .99):.3f} ms;"
          f" ft p50 {pct(ft, .5):.3f} ms p99 {pct(ft, .99):.3f} ms; output commit adds p50 "
          f"{pct(ft, .5) - pct(base, .5):.3f} ms, p99 {pct(ft, .99) - pct(base, .99):.3f} ms")
    held = re.search(r"held p50 ([0-9.]+) ms p99 ([0-9.]+) ms", err)
    if held:
        print(f"  outputs held by the primary until acknowledged: p50 {held.group(1)} ms, p99 {held.group(2)} ms")


def failover(tapvm, guest_dir):
    f = subprocess.run([sys.executable, os.path.join(HERE, "..", "ft", "pair_test.py"), tapvm, guest_dir,
                        "failover", "--kills", "10", "--replay-every", "0"], capture_output=True, timeout=1800)
    summary = [ln for ln in f.stdout.decode().splitlines() if ln.startswith("failover:") or ln.startswith("FAIL")]
    print(summary[-1] if summary else f.stdout.decode()[-500:])


if __name__ == "__main__":
    sys.exit(main())
