"""End-to-end tests of a tapvm FT pair on the built Linux guest.

The guest runs ftcounter (tools/guest/ftcounter.c): each UDP request is
answered with the next number, which the guest first appends to /counter on
its disk. A host client (tests/linux/netpeer.py) asks for numbers through
the pair's dgram network; whichever side runs the guest answers.

usage: pair_test.py TAPVM GUEST_DIR TEST [options]
tests:
  lockstep         one pair to the guest's power-off: both exit 0 with the
                   same final digest, zero divergences, the secondary's
                   journal verifies and replays alone
  failover         --kills N: kill -9 of the primary at random moments;
                   the secondary takes over, the client sees no gap, the
                   surviving disk holds every number the client saw
  host_stop        SIGTERM to the primary: both end at the same instruction
  console          an interactive shell: the secondary takes the console over
  divergence       the secondary breaks an instruction: it reports the
                   divergence and stops; the primary goes on alone
  secondary_lost   kill -9 of the secondary: the primary goes on alone
  secondary_journal_full
                   the secondary cannot write its journal: it stops, the
                   primary goes on alone
  partition        --runs N --arbiter file|etcd: the log channel is cut by a
                   proxy; exactly one side goes on, the other exits 3
  mismatch         different machines: the pair refuses to start, naming it
Prints figures (failover times) on standard output.
"""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "linux"))
from netpeer import CounterClient, NetPeer, free_udp_port  # noqa: E402
from ft_helpers import Etcd, StallProxy, debugfs_numbers, free_tcp_port  # noqa: E402

APPEND = "console=ttyS0 tapvm.script=ftcounter"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Side:
    """One tapvm ft process, its output in files."""

    def __init__(self, args, tmp, name, stdin=subprocess.DEVNULL):
        self.name = name
        self.out_path = os.path.join(tmp, name + ".out")
        self.err_path = os.path.join(tmp, name + ".err")
        self.proc = subprocess.Popen(args, stdin=stdin, stdout=open(self.out_path, "wb"),
                                     stderr=open(self.err_path, "wb"))

    def type(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def expect_stdout(self, text, timeout):
        deadline = time.monotonic() + timeout
        while text not in self.stdout():
            if time.monotonic() > deadline or not self.alive():
                raise Failure(f"{self.name}: no {text!r} on its console; stdout tail:\n{self.stdout()[-1500:]}\n"
                              f"stderr:\n{self.stderr()}")
            time.sleep(0.05)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"{self.name} did not end within {timeout} s; stderr:\n{self.stderr()}")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def alive(self):
        return self.proc.poll() is None


class Pair:
    """A primary and a secondary on private disk copies, a NetPeer as their
    network and a CounterClient, optionally a proxy on the log channel."""

    def __init__(self, a, tmp, arbiter, proxy=False, extra_primary=(), extra_secondary=(), append=APPEND,
                 stdin=subprocess.DEVNULL, secondary_prefix=()):
        self.a = a
        self.tmp = tmp
        disk = os.path.join(a.guest_dir, "disk.img")
        self.pri_disk = os.path.join(tmp, "pri.img")
        self.sec_disk = os.path.join(tmp, "sec.img")
        shutil.copy(disk, self.pri_disk)
        shutil.copy(disk, self.sec_disk)
        self.sec_journal = os.path.join(tmp, "sec.tapj")
        self.pri_journal = os.path.join(tmp, "pri.tapj")
        vm_port = free_udp_port()
        self.peer = NetPeer(vm_port)
        self.client = CounterClient(self.peer)
        port = free_tcp_port()
        self.proxy = StallProxy(port) if proxy else None
        sec_port = self.proxy.port if proxy else port
        common = ["--guest-dir", a.guest_dir, "--append", append, "--netdev", self.peer.netdev(vm_port),
                  "--arbiter", arbiter, "--heartbeat-ms", str(a.heartbeat_ms), "--timeout", "300",
                  "--connect-timeout", "30"]
        self.secondary = Side(list(secondary_prefix) + [a.tapvm, "ft", "secondary", "--connect", f"127.0.0.1:{sec_port}", "-o",
                               self.sec_journal, "--drive", "file=" + self.sec_disk] + common +
                              list(extra_secondary), tmp, "secondary", stdin)
        self.primary = Side([a.tapvm, "ft", "primary", "--listen", f"127.0.0.1:{port}", "-o", self.pri_journal,
                             "--drive", "file=" + self.pri_disk] + common + list(extra_primary), tmp, "primary", stdin)
        self.started = time.monotonic()
        self.numbers = []  # (host time, number) of every answer, in arrival order
        self._stop = False
        self._idle_until = 0.0
        self._thread = None

    def start_client(self, idle_after=None):
        """Asks for numbers back to back from a thread; with idle_after=k,
        pauses after k answers until resume()."""
        def loop():
            while not self._stop:
                if idle_after is not None and len(self.numbers) >= idle_after and time.monotonic() < self._idle_until:
                    time.sleep(0.01)
                    continue
                try:
                    n = self.client.next_number(per_try_timeout=0.25, deadline=time.monotonic() + 1.0)
                except TimeoutError:
                    continue
                self.numbers.append((time.monotonic(), n))
        self._idle_until = float("inf")
        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def resume(self):
        self._idle_until = 0.0

    def wait_numbers(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.numbers) < count:
            if time.monotonic() > deadline:
                raise Failure(f"only {len(self.numbers)} answers of {count} within {timeout} s;\n"
                              f"primary:\n{self.primary.stderr()}\nsecondary:\n{self.secondary.stderr()}")
            time.sleep(0.01)

    def stop_client(self):
        self._stop = True
        if self._thread:
            self._thread.join(10)

    def finish(self):
        """Stops the service: the guest powers off."""
        self.stop_client()
        bye = self.client.quit(timeout=3.0, tries=10)
        check(bye is not None, "the service never said BYE")
        return bye

    def all_numbers(self):
        """Every number the client received (late answers included)."""
        return sorted(set(n for _, n in self.client.replies))

    def close(self):
        self._stop = True
        for s in (self.primary, self.secondary):
            if s.alive():
                s.proc.kill()
                s.proc.wait()
        if self.proxy:
            self.proxy.close()
        self.client.close()
        self.peer.close()


def no_gaps(numbers, what):
    check(numbers and numbers == list(range(1, numbers[-1] + 1)),
          f"{what}: the client's numbers have gaps: {gaps(numbers)}")


def gaps(numbers):
    have = set(numbers)
    return [n for n in range(1, (max(numbers) if numbers else 0) + 1) if n not in have][:20]


def digest_of(text):
    m = re.findall(r"digest ([0-9a-f]{16})", text)
    return m[-1] if m else None


def verify_and_replay(a, journal):
    v = subprocess.run([a.tapvm, "journal", "verify", journal], capture_output=True, timeout=300)
    check(v.returncode == 0, f"journal verify {journal}: {v.stdout.decode()}{v.stderr.decode()}")
    r = subprocess.run([a.tapvm, "replay", "-q", journal], capture_output=True, timeout=600)
    check(r.returncode == 0, f"replay {journal}: {r.stderr.decode()}")
    return r.stderr.decode()


# ----------------------------------------------------------------- tests

def test_lockstep(a):
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"))
    try:
        got = p.client.count(40, per_try_timeout=1.0, timeout=240)
        check(got == list(range(1, 41)), f"answers {got}")
        p.peer.send_udp(p.client.port, 9000, b"REQ 2000")  # one more, without waiting for it
        bye = p.finish()
        rp, rs = p.primary.wait(120), p.secondary.wait(120)
        pe, se = p.primary.stderr(), p.secondary.stderr()
        check(rp == 0 and rs == 0, f"exit statuses {rp} (primary), {rs} (secondary);\n{pe}\n{se}")
        check("zero divergences" in se, f"the secondary did not report zero divergences:\n{se}")
        ds = digest_of(se)
        check("ftcounter: ready" in p.primary.stdout(), "the primary did not show the console")
        check(p.secondary.stdout() == "", "the secondary showed console output while in lockstep")
        # The final digests: the secondary's status line and the primary's journal.
        rep = verify_and_replay(a, p.sec_journal)
        check(ds and ds in rep, f"secondary's digest {ds} not reproduced by replaying its journal: {rep}")
        rep_p = verify_and_replay(a, p.pri_journal)
        check(digest_of(rep_p) == ds, f"primary's journal ends at digest {digest_of(rep_p)}, the secondary at {ds}")
        info = subprocess.run([a.tapvm, "journal", "info", p.sec_journal], capture_output=True, timeout=60).stdout.decode()
        counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+([a-z_]+)\s+(\d+)\s+\d+$", info, re.M)}
        kinds = {k: counts.get(k, 0) for k in ("block_request", "block_completion", "net_frame_in", "net_frame_out",
                                                "console_out", "entropy_in")}
        check(all(kinds.values()), f"the workload did not use every device: {kinds}")
        on_disk = debugfs_numbers(p.sec_disk)
        check(on_disk == list(range(1, bye + 1)), f"the secondary's disk holds {on_disk[-5:]}, want 1..{bye}")
        on_disk_p = debugfs_numbers(p.pri_disk)
        check(on_disk_p == on_disk, "the two disks differ")
        print(f"lockstep: {bye} numbers; both exit 0; final digest {ds} on both sides (primary's journal and "
              f"secondary's replay); secondary journal verifies and replays alone; events by kind: {kinds}")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def one_failover(a, i, rng, figures):
    tmp = tempfile.mkdtemp(prefix=f"tapvm-ft-kill{i}-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"))
    mode = ["boot", "busy", "idle"][i % 3]
    try:
        if mode == "boot":
            p.start_client()
            time.sleep(rng.uniform(0.05, 1.0))
        else:
            p.start_client(idle_after=5 if mode == "idle" else None)
            p.wait_numbers(rng.randint(3, 5) if mode == "idle" else rng.randint(5, 60), 240)
            if mode == "idle":
                time.sleep(rng.uniform(0.0, 0.5))
            else:
                time.sleep(rng.uniform(0.0, 0.2))
        before = len(p.numbers)
        killed_at = time.monotonic()
        p.primary.kill9()
        p.resume()
        p.wait_numbers(before + 10, 120)
        first_after = next((t for t, _ in p.numbers[before:] if t > killed_at), None)
        bye = p.finish()
        rs = p.secondary.wait(120)
        se = p.secondary.stderr()
        check(rs == 0, f"kill {i} ({mode}): the secondary exited {rs}:\n{se}")
        check("took over at icount" in se, f"kill {i}: no takeover line:\n{se}")
        nums = p.all_numbers()
        no_gaps(nums, f"kill {i} ({mode})")
        on_disk = debugfs_numbers(p.sec_disk)
        missing = sorted(set(nums) - set(on_disk))
        check(not missing, f"kill {i}: numbers the client received are not on the surviving disk: {missing[:10]}")
        check(on_disk == list(range(1, bye + 1)), f"kill {i}: the surviving disk holds {on_disk[-5:]}, BYE said {bye}")
        if a.replay_every and i % a.replay_every == 0:
            verify_and_replay(a, p.sec_journal)
        took = re.search(r"took over at icount (\d+), event #(\d+), primary silent for (\d+) ms", se)
        ft = (first_after - killed_at) if first_after else None
        figures.append((mode, ft))
        print(f"kill {i:2d} ({mode:4s}): answers before the kill {before}, highest {nums[-1]}, "
              f"takeover at icount {took.group(1)} event #{took.group(2)}, "
              f"kill to next answer {ft * 1000:.0f} ms" if ft else f"kill {i}: no answer timing")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_failover(a):
    rng = random.Random(a.seed)
    figures = []
    for i in range(a.kills):
        one_failover(a, i, rng, figures)
    def spread(modes):
        ms = sorted(f * 1000 for m, f in figures if f is not None and m in modes)
        if not ms:
            return "none"
        return f"min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms ({len(ms)} kills)"
    print(f"failover: {a.kills} kills, all taken over with no gap; kill to the first answer from the new primary: "
          f"service running {spread(('busy', 'idle'))}; killed during boot {spread(('boot',))} (the rest of the "
          f"boot included)")


def test_host_stop(a):
    """SIGTERM to the primary: it stops the guest as `run` does (exit 143);
    the secondary ends with it at the same instruction and digest (exit 0)."""
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-stop-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"))
    try:
        p.start_client()
        p.wait_numbers(10, 240)
        p.primary.proc.send_signal(signal.SIGTERM)
        rp, rs = p.primary.wait(60), p.secondary.wait(60)
        pe, se = p.primary.stderr(), p.secondary.stderr()
        check(rp == 128 + signal.SIGTERM, f"the primary exited {rp}, want {128 + signal.SIGTERM}:\n{pe}")
        check(rs == 0 and "zero divergences" in se, f"the secondary exited {rs}:\n{se}")
        m = re.search(r"ended the run \(signal\) at icount (\d+)", se)
        check(m and f"at icount {m.group(1)} " in pe, f"the two sides ended at different icounts:\n{pe}\n{se}")
        rep = verify_and_replay(a, p.sec_journal)
        check(digest_of(se) in rep, f"replaying the secondary's journal does not end at {digest_of(se)}: {rep}")
        print(f"host_stop: SIGTERM to the primary: exit {rp}; the secondary ended with it at icount {m.group(1)}, "
              f"digest {digest_of(se)}, exit 0; its journal replays")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_console(a):
    """An interactive guest: the primary shows the console and takes input;
    after a takeover the secondary does, as `tapvm run` would."""
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-console-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"), append="console=ttyS0", stdin=subprocess.PIPE)
    try:
        p.primary.type("echo before-$((6 * 7))")
        p.primary.expect_stdout("before-42", 240)
        check(p.secondary.stdout() == "", "the secondary showed the console while in lockstep")
        p.primary.kill9()
        p.secondary.type("echo after-$((7 * 8))")
        p.secondary.expect_stdout("after-56", 60)
        p.secondary.type("poweroff -f")
        rs = p.secondary.wait(60)
        check(rs == 0, f"the secondary exited {rs} after poweroff:\n{p.secondary.stderr()}")
        verify_and_replay(a, p.sec_journal)
        print("console: the primary showed the shell and took input; after kill -9 the secondary showed it, took "
              "input and powered off with exit 0; its journal replays")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_secondary_journal_full(a):
    """The secondary cannot write its journal (a file size limit, as a full
    disk): it stops without taking over (exit 3); the primary goes on alone
    and finishes the workload."""
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-full-")
    # A file size limit that the journal's boot images fit under and the
    # workload's events do not: the size of a journal of the first
    # instructions alone, plus 150 KiB.
    probe_disk, probe = os.path.join(tmp, "probe.img"), os.path.join(tmp, "probe.tapj")
    shutil.copy(os.path.join(a.guest_dir, "disk.img"), probe_disk)
    subprocess.run([a.tapvm, "record", "-o", probe, "--guest-dir", a.guest_dir, "--drive", "file=" + probe_disk,
                    "--max-insns", "1000"], capture_output=True, timeout=120)
    limit_kb = os.path.getsize(probe) // 1024 + 150
    limit = ["bash", "-c", f"trap '' XFSZ; ulimit -f {limit_kb}; exec \"$@\"", "bash"]
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"), append="console=ttyS0 tapvm.script=workload",
             secondary_prefix=limit)
    try:
        rs, rp = p.secondary.wait(300), p.primary.wait(300)
        se, pe = p.secondary.stderr(), p.primary.stderr()
        check(rs == 3 and "cannot keep its journal" in se, f"the secondary exited {rs}:\n{se}")
        check("took over" not in se, f"the secondary took over:\n{se}")
        check(rp == 0 and "goes on alone" in pe, f"the primary exited {rp}:\n{pe}")
        check("workload: done" in p.primary.stdout(), "the workload did not finish on the primary")
        verify_and_replay(a, p.pri_journal)
        line = [ln for ln in se.splitlines() if "cannot keep its journal" in ln][0]
        print(f"secondary_journal_full: journal limited to {limit_kb} KiB; secondary exit 3 ({line.strip()}); "
              f"the primary finished alone, exit 0")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_divergence(a):
    """The secondary executes one instruction wrongly (--break-insn, a
    testing aid): it reports the divergence at once and stops (exit 1); the
    primary goes on alone, losing nothing."""
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-diverge-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"), extra_secondary=["--break-insn", "add"])
    try:
        rs = p.secondary.wait(120)
        se = p.secondary.stderr()
        check(rs == 1 and "DIVERGED from the primary" in se, f"the secondary exited {rs}:\n{se}")
        check("took over" not in se, f"the secondary took over:\n{se}")
        got = p.client.count(20, per_try_timeout=1.0, timeout=240)
        check(got == list(range(1, 21)), f"answers {got}")
        bye = p.finish()
        rp = p.primary.wait(120)
        pe = p.primary.stderr()
        check(rp == 0 and "goes on alone" in pe, f"the primary exited {rp}:\n{pe}")
        on_disk = debugfs_numbers(p.pri_disk)
        check(on_disk == list(range(1, bye + 1)), f"the primary's disk holds {on_disk[-5:]}, BYE said {bye}")
        where = re.search(r"divergence at event #(\d+), icount (\d+)", se)
        print(f"divergence: the secondary diverged at event #{where.group(1)}, icount {where.group(2)} and exited 1; "
              f"the primary went on alone: {bye} numbers, exit 0")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_secondary_lost(a):
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-seclost-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"))
    try:
        p.start_client()
        p.wait_numbers(20, 240)
        p.secondary.kill9()
        before = len(p.numbers)
        p.wait_numbers(before + 20, 60)
        bye = p.finish()
        rp = p.primary.wait(120)
        pe = p.primary.stderr()
        check(rp == 0, f"the primary exited {rp}:\n{pe}")
        check("goes on alone" in pe, f"the primary did not say it went on alone:\n{pe}")
        nums = p.all_numbers()
        no_gaps(nums, "secondary lost")
        on_disk = debugfs_numbers(p.pri_disk)
        check(on_disk == list(range(1, bye + 1)), f"the primary's disk holds {on_disk[-5:]}, BYE said {bye}")
        verify_and_replay(a, p.pri_journal)
        print(f"secondary_lost: the primary went on alone; {bye} numbers, no gap; its journal replays")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_partition(a):
    etcd = Etcd() if a.arbiter == "etcd" else None
    try:
        outcomes = {"primary": 0, "secondary": 0}
        for i in range(a.runs):
            tmp = tempfile.mkdtemp(prefix=f"tapvm-ft-part{i}-")
            spec = f"etcd:{etcd.url}" if etcd else "file:" + os.path.join(tmp, "pair.lock")
            p = Pair(a, tmp, spec, proxy=True)
            try:
                p.start_client()
                p.wait_numbers(random.Random(a.seed + i).randint(3, 20), 240)
                p.proxy.stall()
                deadline = time.monotonic() + 30
                while p.primary.alive() and p.secondary.alive() and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(0.5)  # would the other one stop too?
                alive = [s for s in (p.primary, p.secondary) if s.alive()]
                dead = [s for s in (p.primary, p.secondary) if not s.alive()]
                check(len(alive) == 1, f"partition {i}: {len(alive)} sides still run;\n"
                      f"primary:\n{p.primary.stderr()}\nsecondary:\n{p.secondary.stderr()}")
                rc = dead[0].proc.returncode
                check(rc == 3, f"partition {i}: the {dead[0].name} exited {rc}, want 3:\n{dead[0].stderr()}")
                before = len(p.numbers)
                p.wait_numbers(before + 5, 60)
                p.finish()
                rc = alive[0].wait(120)
                check(rc == 0, f"partition {i}: the winner ({alive[0].name}) exited {rc}:\n{alive[0].stderr()}")
                no_gaps(p.all_numbers(), f"partition {i}")
                outcomes[alive[0].name] += 1
            finally:
                p.close()
                shutil.rmtree(tmp, ignore_errors=True)
        print(f"partition ({a.arbiter} arbiter): {a.runs} runs, exactly one side went on each time "
              f"(primary {outcomes['primary']}, secondary {outcomes['secondary']}); the other exited 3")
    finally:
        if etcd:
            etcd.close()


def test_mismatch(a):
    tmp = tempfile.mkdtemp(prefix="tapvm-ft-mismatch-")
    p = Pair(a, tmp, "file:" + os.path.join(tmp, "pair.lock"), extra_secondary=["-m", "128M"])
    try:
        rs, rp = p.secondary.wait(60), p.primary.wait(60)
        se, pe = p.secondary.stderr(), p.primary.stderr()
        check(rs != 0 and rp != 0, f"a mismatched pair ran: {rs} {rp}")
        both = se + pe
        check("ram_bytes is '268435456'" in both or "ram_bytes is '134217728'" in both,
              f"the difference is not named:\n{se}\n{pe}")
        line = [ln for ln in both.splitlines() if "ram_bytes" in ln][0]
        print(f"mismatch: both refused (exit {rp}, {rs}): {line.strip()}")
    finally:
        p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tapvm")
    ap.add_argument("guest_dir")
    ap.add_argument("test", choices=["lockstep", "failover", "host_stop", "console", "divergence", "secondary_lost",
                                     "secondary_journal_full", "partition", "mismatch"])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--arbiter", choices=["file", "etcd"], default="file")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("TAPVM_FT_SEED", "1")))
    ap.add_argument("--heartbeat-ms", type=int, default=500)
    ap.add_argument("--replay-every", type=int, default=5, help="verify and replay every Nth kill's journal")
    a = ap.parse_args()
    if shutil.which("debugfs") is None:
        print("debugfs (e2fsprogs) is missing: run tools/setup.sh")
        return 1
    try:
        globals()["test_" + a.test](a)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
