#!/usr/bin/env python3
"""End-to-end tests of a Linux guest on tapvm (ctest runs each by name).

usage: linux_tests.py TAPVM GUEST_DIR TEST
tests: shell, disk, disk_io_uring, net_rng, udp_counter, panic, stuck, cosim
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_driver import Guest, GuestError  # noqa: E402
from netpeer import CounterClient, NetPeer, free_udp_port  # noqa: E402

PROMPT_READY = "TAPVM-INIT-READY"


def boot_to_shell(tapvm, guest_dir, extra=()):
    g = Guest(tapvm, guest_dir, extra)
    g.expect(PROMPT_READY, timeout=240)
    # Let the shell start, then make sure it answers.
    out, rc = g.run("echo $((6 * 7))")
    if out.strip() != "42" or rc != 0:
        raise GuestError(f"shell answered {out!r} (status {rc})")
    return g


def poweroff(g):
    g.send("poweroff -f")
    rc = g.wait_exit(120)
    if rc != 0:
        raise GuestError(f"tapvm exited {rc} after poweroff, want 0; stderr: {g.stderr}")


def test_shell(tapvm, guest_dir):
    g = boot_to_shell(tapvm, guest_dir)
    out, _ = g.run("uname -sm")
    assert "Linux riscv64" in out, out
    out, _ = g.run("cat /proc/cpuinfo | grep -c ^processor")
    assert out.strip() == "1", out
    out, rc = g.run("ls /nonexistent-dir")
    assert rc != 0, "a failing command must report its status"
    out, _ = g.run("for i in 1 2 3; do echo line$i; done | wc -l")
    assert out.strip() == "3", out
    poweroff(g)
    print("shell: commands ran and their output came back; poweroff ended tapvm with status 0")


def test_disk(tapvm, guest_dir, aio="threads"):
    tmp = tempfile.mkdtemp(prefix="tapvm-disk-")
    try:
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        drive = ["--drive", f"file={disk},aio={aio}"]
        g = boot_to_shell(tapvm, guest_dir, drive)
        _, rc = g.run("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt")
        assert rc == 0, "mount failed"
        _, rc = g.run("dd if=/dev/urandom of=/mnt/data.bin bs=1024 count=256 2>/dev/null")
        assert rc == 0
        first, _ = g.run("sha256sum /mnt/data.bin | cut -d' ' -f1")
        _, rc = g.run("sync && umount /mnt")
        assert rc == 0, "umount failed"
        poweroff(g)

        g = boot_to_shell(tapvm, guest_dir, drive)
        _, rc = g.run("mkdir -p /mnt && mount -t ext2 -o ro /dev/vda /mnt")
        assert rc == 0
        second, _ = g.run("sha256sum /mnt/data.bin | cut -d' ' -f1")
        poweroff(g)
        assert len(first) == 64 and first == second, f"{first!r} != {second!r}"
        # The host sees the same bytes in the image file.
        print(f"disk (aio={aio}): 256 KiB written, synced, read back after a second boot: sha256 {first}")
    finally:
        shutil.rmtree(tmp)


SKIP = 77  # ctest SKIP_RETURN_CODE


def test_disk_io_uring(tapvm, guest_dir):
    # Hosts (containers) may deny io_uring: then tapvm says so and this skips.
    probe = subprocess.run([tapvm, "run", "--drive", f"file={os.path.join(guest_dir, 'disk.img')},readonly=on,aio=io_uring",
                            "--max-insns", "1"], capture_output=True, timeout=60)
    if b"io_uring unavailable" in probe.stderr:
        print("skipped: io_uring unavailable on this host: " + probe.stderr.decode(errors="replace").strip())
        sys.exit(SKIP)
    test_disk(tapvm, guest_dir, aio="io_uring")


def test_net_rng(tapvm, guest_dir):
    vm_port = free_udp_port()
    peer = NetPeer(vm_port)
    g = boot_to_shell(tapvm, guest_dir, ["--netdev", peer.netdev(vm_port)])
    try:
        _, rc = g.run("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up")
        assert rc == 0, "could not configure eth0"
        out, _ = g.run("echo ping-from-guest | nc -u -w 3 10.0.2.2 7")
        assert "echo:ping-from-guest" in out, f"no echo over UDP: {out!r}"
        assert any(b"ping-from-guest" in p for p in peer.echoed), "the host peer saw nothing"
        out, rc = g.run("dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n'")
        assert rc == 0 and len(out.strip()) == 64, f"hwrng gave {out!r}"
        rng = out.strip()
        out2, _ = g.run("dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n'")
        assert out2.strip() != rng, "two hwrng reads gave the same bytes"
        poweroff(g)
        print(f"net_rng: UDP echo with the host peer on port {peer.port}; /dev/hwrng gave {rng[:16]}...")
    finally:
        peer.close()
        g.kill()


def serve_counter(tapvm, guest_dir, disk, first, requests):
    """Boots the guest running tapvm.script=ftcounter on `disk`, expects the
    counter to start at `first`, makes `requests` requests (with junk
    datagrams halfway), quits the service and waits for the power-off.
    Returns the numbers the requests got and the console output up to the
    service's ready line."""
    vm_port = free_udp_port()
    with NetPeer(vm_port) as peer:
        g = Guest(tapvm, guest_dir, ["--drive", "file=" + disk, "--netdev", peer.netdev(vm_port)],
                  append="console=ttyS0 tapvm.script=ftcounter")
        try:
            boot_log = g.expect(f"ftcounter: ready on port 9000, next {first}\r\n", timeout=240)
            client = CounterClient(peer)
            half = requests // 2
            numbers = client.count(half, per_try_timeout=10, timeout=60)
            for junk in JUNK_REQUESTS:
                peer.send_udp(client.port, 9000, junk)
            numbers += client.count(requests - half, per_try_timeout=10, timeout=60)
            assert client.retries == 0, f"{client.retries} requests were retried: {client.replies}"
            assert client.errors == JUNK_ANSWERS, f"junk was answered {client.errors}"
            last = client.quit()
            assert last == numbers[-1], f"QUIT said the last number was {last}, want {numbers[-1]}"
            g.expect("TAPVM-TEST-EXIT ftcounter 0", timeout=60)
            rc = g.wait_exit(60)
            assert rc == 0, f"tapvm exited {rc}; stderr: {g.stderr}"
        finally:
            g.kill()
    return numbers, boot_log


# Datagrams ftcounter must refuse without counting, and its answers.
JUNK_REQUESTS = [b"hello", b"", b"REQ two words", b"REQ " + b"x" * 65, b"\xff" * 300]
JUNK_ANSWERS = ["ERR bad request"] * 4 + ["ERR too long"]


def debugfs(disk, request, write=False):
    """Runs one debugfs request on an ext2 image (no mount needed); returns its output."""
    args = ["debugfs"] + (["-w"] if write else []) + ["-R", request, disk]
    p = subprocess.run(args, capture_output=True, timeout=60)
    err = p.stderr.decode(errors="replace")
    # debugfs reports a failed request on stderr but exits 0; its banner
    # ("debugfs 1.47.0 (...)") is the one line expected there.
    assert p.returncode == 0 and len(err.strip().splitlines()) <= 1, f"debugfs {request!r}: {err}"
    return p.stdout.decode()


def test_udp_counter(tapvm, guest_dir):
    if shutil.which("debugfs") is None:
        raise GuestError("debugfs (e2fsprogs) is missing: run tools/setup.sh")
    tmp = tempfile.mkdtemp(prefix="tapvm-counter-")
    try:
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        for boot, first in ((1, 1), (2, 51)):
            start = time.monotonic()
            numbers, boot_log = serve_counter(tapvm, guest_dir, disk, first, 50)
            want = list(range(first, first + 50))
            assert numbers == want, f"the requests got {numbers}, want {want}"
            on_disk = debugfs(disk, "cat /counter")
            assert on_disk == "".join(f"{n}\n" for n in range(1, first + 50)), \
                f"/counter holds {on_disk!r}"
            print(f"udp_counter: boot {boot}: answers {first}..{first + 49}, /counter holds "
                  f"1..{first + 49}, junk refused ({time.monotonic() - start:.1f} s)")
            if boot == 2:
                assert "cutting a torn last line of 1 bytes" in boot_log, boot_log[-2000:]
                break
            # As if the guest died while appending "51\n": the next boot must
            # cut the torn "5" off and still continue at 51.
            torn = os.path.join(tmp, "counter")
            with open(torn, "w") as f:
                f.write(on_disk + "5")
            debugfs(disk, "rm /counter", write=True)
            debugfs(disk, f"write {torn} counter", write=True)
    finally:
        shutil.rmtree(tmp)


def test_panic(tapvm, guest_dir):
    g = Guest(tapvm, guest_dir, append="console=ttyS0 rdinit=/no-such-init init=/no-such-init")
    rc = g.wait_exit(240)
    assert rc != 0, "a kernel panic must end tapvm with a non-zero status"
    assert "panicked" in g.stderr, g.stderr
    print(f"panic: exit status {rc}, message: {g.stderr.strip()}")


def test_stuck(tapvm, guest_dir):
    g = Guest(tapvm, guest_dir, ["--max-insns", "2000000"])
    rc = g.wait_exit(120)
    assert rc == 124 and "instruction limit" in g.stderr, (rc, g.stderr)
    g = Guest(tapvm, guest_dir, [], timeout=1)
    rc = g.wait_exit(60)
    assert rc == 124 and "time limit" in g.stderr, (rc, g.stderr)
    print("stuck: --max-insns and --timeout end the run with status 124 and a message")


def test_cosim(tapvm, guest_dir):
    """--engine cosim on an interactive guest: console input, a disk, the
    network and the entropy device reach the JIT machine from the host and
    the interpreter's reference through the event stream; every check must
    match and poweroff must end tapvm with status 0."""
    tmp = tempfile.mkdtemp(prefix="tapvm-cosim-")
    vm_port = free_udp_port()
    peer = NetPeer(vm_port)
    g = None
    try:
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        g = boot_to_shell(tapvm, guest_dir, ["--engine", "cosim", "--stats", "--drive", f"file={disk}",
                                             "--netdev", peer.netdev(vm_port)])
        _, rc = g.run("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && "
                      "dd if=/dev/hwrng of=/mnt/r.bin bs=512 count=8 2>/dev/null && sync && umount /mnt")
        assert rc == 0, "disk and hwrng work failed"
        _, rc = g.run("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up")
        assert rc == 0, "could not configure eth0"
        out, _ = g.run("echo ping-from-guest | nc -u -w 3 10.0.2.2 7")
        assert "echo:ping-from-guest" in out, f"no echo over UDP: {out!r}"
        g.send("poweroff -f")
        rc = g.wait_exit(300)
        assert rc == 0, f"tapvm exited {rc}; stderr: {g.stderr}"
        assert "matched the interpreter" in g.stderr, g.stderr
        line = [x for x in g.stderr.splitlines() if "cosim_checks=" in x]
        assert line, g.stderr
        print("cosim: " + line[0])
    finally:
        peer.close()
        if g:
            g.kill()
        shutil.rmtree(tmp)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    tapvm, guest_dir, name = sys.argv[1:]
    if not os.path.exists(os.path.join(guest_dir, "Image")):
        print(f"no guest in {guest_dir}: run tools/guest/build.sh")
        return 1
    try:
        globals()["test_" + name](tapvm, guest_dir)
    except (GuestError, AssertionError) as e:
        print(f"FAIL {name}: {e}")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
