#!/usr/bin/env python3
"""Record/replay of a Linux guest (ctest runs each by name).

usage: record_replay_tests.py TAPVM GUEST_DIR TEST
tests: round_trip, kill9, flipped_byte, entropy_divergence, injected_eio
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_driver import Guest, GuestError  # noqa: E402
from netpeer import NetPeer, free_udp_port  # noqa: E402


def replay(tapvm, journal, *extra):
    p = subprocess.run([tapvm, "replay", journal, *extra], capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def test_round_trip(tapvm, guest_dir):
    tmp = tempfile.mkdtemp(prefix="tapvm-rr-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        port = free_udp_port()
        peer = NetPeer(port)
        g = Guest(tapvm, guest_dir, ["-o", journal, "--drive", "file=" + disk, "--netdev", peer.netdev(port)],
                  command="record")
        g.expect("TAPVM-INIT-READY", 240)
        g.run("echo $((6 * 7))")
        _, rc = g.run("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && cat /mnt/hello.txt")
        assert rc == 0, "mount failed"
        g.run("dd if=/dev/hwrng bs=32 count=2 2>/dev/null | od -An -tx1 > /mnt/rng.txt; sync")
        _, rc = g.run("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up")
        out, _ = g.run("echo ping-recorded | nc -u -w 3 10.0.2.2 7")
        assert "echo:ping-recorded" in out, out
        g.run("cat /mnt/rng.txt; umount /mnt")
        g.send("poweroff -f")
        assert g.wait_exit(120) == 0, g.stderr
        recorded_console = g.output.decode(errors="replace")
        m = [l for l in g.stderr.splitlines() if "recorded" in l]
        assert m, g.stderr
        peer.close()
        # The journal alone: no disk image, no peer, no terminal.
        os.remove(disk)
        copy = os.path.join(tmp, "copy.tapj")
        shutil.copy(journal, copy)
        digests = set()
        for i in range(3):
            rc, out, err = replay(tapvm, copy)
            assert rc == 0, f"replay {i + 1} failed ({rc}): {err}"
            assert out == recorded_console, f"replay {i + 1}: console output differs"
            line = [l for l in err.splitlines() if "replay matched" in l][0]
            digests.add(line.split("state digest ")[1].split()[0])
        assert len(digests) == 1, digests
        print(f"round_trip: {m[0].strip()}; 3 replays matched every event, console output identical, "
              f"final digest {digests.pop()}")
    finally:
        shutil.rmtree(tmp)


def test_kill9(tapvm, guest_dir):
    tmp = tempfile.mkdtemp(prefix="tapvm-k9-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        g = Guest(tapvm, guest_dir, ["-o", journal], command="record")
        g.expect("TAPVM-INIT-READY", 240)
        g.run("echo before-kill")
        g.send("while true; do echo tick; done")
        time.sleep(2)
        os.kill(g.proc.pid, signal.SIGKILL)
        g.proc.wait()
        v = subprocess.run([tapvm, "journal", "verify", journal], capture_output=True, timeout=300)
        out = v.stdout.decode()
        assert v.returncode == 0 and "not closed cleanly" in out, out + v.stderr.decode()
        rc, _, err = replay(tapvm, journal, "-q")
        assert rc == 0, f"replay of the committed prefix failed: {err}"
        print(f"kill9: verify: {out.strip().splitlines()[0]}; replay: {err.strip().splitlines()[-1]}")
    finally:
        shutil.rmtree(tmp)


def test_flipped_byte(tapvm, guest_dir):
    tmp = tempfile.mkdtemp(prefix="tapvm-flip-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        g = Guest(tapvm, guest_dir, ["-o", journal], command="record")
        g.expect("TAPVM-INIT-READY", 240)
        marker = "FLIPME-0123456789abcdef-0123456789abcdef"
        g.run(f"echo {marker}")
        g.send("poweroff -f")
        assert g.wait_exit(120) == 0
        data = bytearray(open(journal, "rb").read())
        # The echo's console output is journaled inline or as a blob. LMDB
        # may also keep stale copies of a page in free pages, which verify
        # rightly never reads: flip a byte of every copy of the marker, so
        # the live one is among them.
        flipped = []
        pos = data.find(marker.encode())
        while pos >= 0:
            data[pos + 5] ^= 0x01
            flipped.append(pos + 5)
            pos = data.find(marker.encode(), pos + 1)
        assert flipped, "marker not found in the journal file"
        bad = os.path.join(tmp, "bad.tapj")
        open(bad, "wb").write(data)
        v = subprocess.run([tapvm, "journal", "verify", bad], capture_output=True, timeout=300)
        out = v.stdout.decode()
        assert v.returncode != 0 and "FAILED" in out, out
        print(f"flipped_byte: bytes at file offsets {flipped} flipped; verify says: {out.strip().splitlines()[-1]}")
    finally:
        shutil.rmtree(tmp)


def test_entropy_divergence(tapvm, guest_dir):
    """One entropy byte changed in a Linux recording: nothing the guest does
    outside may show it at once, but the next state digest must (RAM
    differs), so replay stops at or before the first digest after it."""
    interval = 10_000_000
    tmp = tempfile.mkdtemp(prefix="tapvm-ent-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        g = Guest(tapvm, guest_dir, ["-o", journal, "--digest-interval", str(interval)], command="record")
        g.expect("TAPVM-INIT-READY", 240)
        g.run("dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 > /dev/null")
        g.send("poweroff -f")
        assert g.wait_exit(120) == 0, g.stderr
        edited = os.path.join(tmp, "edited.tapj")
        e = subprocess.run([os.environ["TAPVM_JOURNAL_EDIT"], journal, edited, "entropy_in"], capture_output=True,
                           timeout=300)
        assert e.returncode == 0, e.stderr.decode()
        seq, icount = (int(x) for x in e.stdout.split())
        rc, _, err = replay(tapvm, edited, "-q")
        m = re.search(r"divergence at event #(\d+), icount (\d+)", err)
        assert rc == 1 and m, f"expected a divergence (rc={rc}): {err}"
        at = int(m.group(2))
        next_digest = (icount // interval + 1) * interval
        assert icount <= at <= next_digest, f"divergence at {at}, edit at {icount}, next digest {next_digest}"
        print(f"entropy_divergence: entropy input #{seq} at icount {icount} changed; replay stopped at "
              f"#{m.group(1)} icount {at} (next digest boundary {next_digest}): "
              + " ".join(err.strip().splitlines()[1:3]))
    finally:
        shutil.rmtree(tmp)


def test_injected_eio(tapvm, guest_dir):
    for aio in ("threads", "io_uring"):
        injected_eio(tapvm, guest_dir, aio)


def injected_eio(tapvm, guest_dir, aio):
    """A host EIO injected under one range of the disk (--drive inject=)
    reaches the guest as an I/O error: dd over that range fails, dd next to
    it succeeds with the right bytes, and a short transfer plus EAGAIN on
    every other host call stay invisible. The recording replays (the failed
    completion is a journaled input like any other)."""
    tmp = tempfile.mkdtemp(prefix="tapvm-eio-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        with open(disk, "rb") as f:
            f.seek(3 << 20)
            want = f.read(4096)
        rules = "read:eio:offset=4M-5M;read:short:every=3;any:eagain:every=2"
        g = Guest(tapvm, guest_dir, ["-o", journal, "--drive", f"file={disk},aio={aio},inject={rules}"],
                  command="record")
        g.expect("TAPVM-INIT-READY", 240)
        out, rc = g.run("dd if=/dev/vda of=/dev/null bs=4096 skip=1100 count=1 iflag=direct 2>&1")
        assert rc != 0 and "I/O error" in out, f"dd over the injected range: status {rc}, {out!r}"
        out, rc = g.run("dd if=/dev/vda bs=4096 skip=768 count=1 iflag=direct 2>/dev/null | sha256sum")
        assert rc == 0 and hashlib.sha256(want).hexdigest() in out, f"dd beside it: status {rc}, {out!r}"
        g.send("poweroff -f")
        assert g.wait_exit(120) == 0, g.stderr
        recorded_console = g.output.decode(errors="replace")
        assert "I/O error" in recorded_console
        os.remove(disk)
        rc, out, err = replay(tapvm, journal)
        assert rc == 0, f"replay failed ({rc}): {err}"
        assert out == recorded_console, "replayed console output differs"
        print(f"injected_eio (aio={aio}): dd over 4M-5M failed with an I/O error, the block beside it read "
              f"right through short transfers and EAGAIN; replay matched: {err.strip().splitlines()[-1]}")
    finally:
        shutil.rmtree(tmp)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    tapvm, guest_dir, name = sys.argv[1:]
    try:
        globals()["test_" + name](tapvm, guest_dir)
    except (GuestError, AssertionError) as e:
        print(f"FAIL {name}: {e}")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
