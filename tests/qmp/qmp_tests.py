#!/usr/bin/env python3
"""The QMP control socket, end to end over real sockets (ctest runs each by name).

usage: qmp_tests.py TAPVM SPIN_ELF BENCH_ELF GUEST_DIR TEST
tests: protocol, hostile, determinism, record_replay, linux
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
from qmp_client import Qmp, QmpError, connect_socket  # noqa: E402

TAPVM = SPIN = BENCH = GUEST_DIR = None
# Long enough that the QMP traffic below happens while the machine runs;
# short enough for a CI host (about 2 s at 350 MIPS).
BENCH_INSNS = "600000000"


def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(args):
    return subprocess.Popen([TAPVM] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def stats(err):
    m = re.search(r"stats: icount=(\d+) .* digest=([0-9a-f]+)", err)
    assert m, err
    return m.group(1), m.group(2)


def expect_error(r, cls, desc=None):
    assert "error" in r, r
    assert r["error"]["class"] == cls, r
    if desc is not None:
        assert r["error"]["desc"] == desc, r


def test_protocol(tmp):
    sock = os.path.join(tmp, "qmp.sock")
    p = start(["run", "--bios", SPIN, "--timeout", "120", "--qmp", f"unix:{sock},server"])
    try:
        q = Qmp(sock, negotiate=False)
        v = q.greeting["QMP"]
        assert v["capabilities"] == [] and "qemu" in v["version"] and "package" in v["version"], q.greeting
        # Capabilities negotiation mode: nothing but qmp_capabilities.
        expect_error(q.cmd("query-status", id=1), "CommandNotFound",
                     "Expecting capabilities negotiation with 'qmp_capabilities'")
        assert q.cmd("qmp_capabilities", id="neg") == {"return": {}, "id": "neg"}
        expect_error(q.cmd("qmp_capabilities"), "CommandNotFound")
        st = q.ok("query-status")
        assert st["status"] == "running" and st["running"] is True and st["replay-mode"] == "none", st
        assert q.ok("query-version") == v["version"]
        names = {c["name"] for c in q.ok("query-commands")}
        for n in ("qmp_capabilities", "query-status", "stop", "cont", "quit", "query-block", "query-blockstats",
                  "block_set_io_throttle", "query-replay", "query-version", "query-commands"):
            assert n in names, names
        # The id is echoed whatever it is, errors included.
        r = q.cmd("no-such-command", id={"a": [1, 2]})
        expect_error(r, "CommandNotFound", "The command no-such-command has not been found")
        assert r["id"] == {"a": [1, 2]}, r
        # Wrong and missing arguments.
        expect_error(q.cmd("query-status", {"x": 1}), "GenericError", "Parameter 'x' is unexpected")
        expect_error(q.cmd("block_set_io_throttle", {"device": "drive0"}), "GenericError",
                     "Parameter 'bps' is missing")
        thr = {"bps": 0, "bps_rd": 0, "bps_wr": 0, "iops": 0, "iops_rd": 0, "iops_wr": 0}
        expect_error(q.cmd("block_set_io_throttle", dict(thr, device=7)), "GenericError",
                     "Invalid parameter type for 'device', expected: string")
        expect_error(q.cmd("block_set_io_throttle", dict(thr, device="drive0", bps="fast")), "GenericError",
                     "Invalid parameter type for 'bps', expected: integer")
        expect_error(q.cmd("block_set_io_throttle", dict(thr, device="drive0", bps=-5)), "GenericError")
        expect_error(q.cmd("block_set_io_throttle", dict(thr, device="drive0")), "DeviceNotFound",
                     "Device 'drive0' not found")  # a bare machine has no drives
        assert q.ok("query-block") == [] and q.ok("query-blockstats") == []
        # Malformed requests.
        q.send_raw("this is not json\n")
        r = q.response()
        expect_error(r, "GenericError")
        assert r["error"]["desc"].startswith("JSON parse error"), r
        q.send_raw('{"execute": "query-status"')  # split across writes, no newline at all
        q.send_raw(', "id": 5}{"execute": "query-status", "id": 6}')
        assert q.response()["id"] == 5 and q.response()["id"] == 6
        expect_error(q.cmd(None), "GenericError", "QMP input member 'execute' must be a string")
        q.send_raw('{"arguments": {}}\n')
        expect_error(q.response(), "GenericError", "QMP input lacks member 'execute'")
        q.send_raw('[1, 2]\n')
        expect_error(q.response(), "GenericError", "QMP input must be a JSON object")
        # stop / cont: events with timestamps, then the answer; no second STOP.
        q2 = Qmp(sock)
        assert q.cmd("stop", id="s") == {"return": {}, "id": "s"}
        ev = q.wait_event("STOP")
        assert set(ev["timestamp"]) == {"seconds", "microseconds"} and ev["data"] == {}, ev
        q2.wait_event("STOP")  # every negotiated client gets events
        st = q.ok("query-status")
        assert st["status"] == "paused" and st["running"] is False, st
        i1 = q.ok("query-replay")["icount"]
        time.sleep(0.3)
        i2 = q.ok("query-replay")
        assert i2["icount"] == i1 and i2["mode"] == "none", (i1, i2)  # paused: no instruction runs
        assert q.ok("stop") == {}
        q.ok("cont")
        q.wait_event("RESUME")
        time.sleep(0.2)
        assert q.ok("query-replay")["icount"] > i1
        q2.close()
        # quit: the answer, then SHUTDOWN, then the connection closes and tapvm exits 0.
        assert q.cmd("quit", id="q") == {"return": {}, "id": "q"}
        ev = q.wait_event("SHUTDOWN")
        assert ev["data"]["guest"] is False and ev["data"]["reason"] == "host-qmp-quit", ev
        assert q.recv() is None
        rc, out, err = finish(p)
        assert rc == 0 and "stopped by a QMP quit" in err, (rc, err)
        assert not os.path.exists(sock), "the socket file was left behind"
        print("protocol: greeting, negotiation, errors, id echo, stop/cont/quit with events: ok")
    finally:
        p.kill()


def test_hostile(tmp):
    """Clients that misbehave get errors or are closed; the others, and the machine, go on."""
    sock = os.path.join(tmp, "qmp.sock")
    p = start(["run", "--bios", SPIN, "--timeout", "120", "--qmp", f"unix:{sock},server,nowait"])
    try:
        good = Qmp(sock)
        # A huge request: an error, then the connection closes.
        h = Qmp(sock)
        try:
            h.send_raw(b'{"execute": "' + b"x" * (1 << 20))
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = h.recv()
        expect_error(r, "GenericError")
        assert "longer than" in r["error"]["desc"], r
        assert h.recv() is None
        # Nesting too deep: the same.
        d = Qmp(sock)
        d.send_raw("[" * 10000)
        r = d.recv()
        expect_error(r, "GenericError")
        assert d.recv() is None
        # Invalid UTF-8 and NUL bytes: a parse error, the connection stays.
        b = Qmp(sock)
        b.send_raw(b'{"execute": "\xff\xfe"}\n\x00\n')
        expect_error(b.response(), "GenericError")
        expect_error(b.response(), "GenericError")
        assert b.ok("query-status")["status"] == "running"
        # Disconnecting mid-command: the command still runs, its answer is dropped.
        m = Qmp(sock)
        m.send_raw('{"execute": "stop"}\n')
        m.close()
        good.wait_event("STOP")
        assert good.ok("query-status")["status"] == "paused"
        good.ok("cont")
        # A flood of requests from one client is answered in order.
        f = Qmp(sock)
        f.send_raw("".join(json.dumps({"execute": "query-status", "id": i}) + "\n" for i in range(500)))
        for i in range(500):
            assert f.response()["id"] == i
        # 100 clients at once: up to the bound get a greeting, the rest one error line and a close.
        socks = []
        lock = threading.Lock()

        def one():
            try:
                s = connect_socket(sock)
            except OSError:
                return
            with lock:
                socks.append(s)
        threads = [threading.Thread(target=one) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        greeted = refused = 0
        for s in socks:
            s.settimeout(10)
            data = b""
            while b"\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            msg = json.loads(data.split(b"\n")[0])
            if "QMP" in msg:
                greeted += 1
            else:
                assert "too many QMP clients" in msg["error"]["desc"], msg
                refused += 1
        assert greeted + refused == 100 and greeted >= 1 and refused >= 1, (greeted, refused)
        for s in socks:
            s.close()
        # Once they are gone, clients are welcome again; the first client never noticed.
        time.sleep(0.3)
        again = Qmp(sock)
        assert again.ok("query-status")["status"] == "running"
        assert good.ok("query-status")["status"] == "running"
        good.ok("quit")
        rc, _, err = finish(p)
        assert rc == 0, (rc, err)
        print(f"hostile: huge/deep requests closed, bad bytes answered, flood in order, "
              f"100 clients: {greeted} greeted, {refused} refused: ok")
    finally:
        p.kill()


def run_bench(extra, qmp_traffic=None):
    p = start(["run", "--bios", BENCH, "--max-insns", BENCH_INSNS, "--stats"] + extra)
    if qmp_traffic:
        qmp_traffic()
    rc, _, err = finish(p)
    assert rc == 124, (rc, err)  # the instruction limit
    return stats(err)


def busy_client(address, stop_event, counts):
    """Stops and resumes the machine and queries it until told to stop."""
    try:
        q = Qmp(address)
        while not stop_event.is_set():
            q.ok("stop")
            q.ok("query-status")
            q.ok("query-replay")
            q.ok("query-blockstats")
            time.sleep(0.01)
            q.ok("cont")
            counts["pauses"] += 1
            time.sleep(0.02)
        q.close()
    except (QmpError, OSError):
        pass  # the machine ended under us


def garbage_client(address, stop_event):
    try:
        while not stop_event.is_set():
            s = connect_socket(address)
            s.sendall(b'{"execute": "stop"' + b"]]]}}}\n" + b"\xff" * 100 + b"\n")
            s.close()
            time.sleep(0.01)
    except OSError:
        pass


def test_determinism(tmp):
    """The guest cannot tell: the same final state with or without QMP traffic and pauses."""
    plain = run_bench([])
    port = free_tcp_port()
    address = ("127.0.0.1", port)
    stop_event = threading.Event()
    counts = {"pauses": 0}

    def traffic():
        q = Qmp(address)  # the machine waited for this first client
        workers = [threading.Thread(target=busy_client, args=(address, stop_event, counts)),
                   threading.Thread(target=garbage_client, args=(address, stop_event))]
        for w in workers:
            w.start()
        try:
            q.wait_event("SHUTDOWN", 120)
        finally:
            stop_event.set()
            for w in workers:
                w.join()
    busy = run_bench(["--qmp", f"tcp:127.0.0.1:{port},server"], traffic)
    assert counts["pauses"] >= 3, counts
    assert busy == plain, f"with QMP traffic: icount/digest {busy}, without: {plain}"
    print(f"determinism: {counts['pauses']} stop/cont cycles and garbage clients; final icount {plain[0]}, "
          f"digest {plain[1]} in both runs: ok")


def test_record_replay(tmp):
    """Pausing a recording leaves a journal that replays; pausing a replay keeps it verifying."""
    journal = os.path.join(tmp, "run.tapj")
    sock = os.path.join(tmp, "rec.sock")
    stop_event = threading.Event()
    counts = {"pauses": 0}
    p = start(["record", "-o", journal, "--digest-interval", "10000000", "--bios", BENCH, "--max-insns",
               BENCH_INSNS, "--qmp", f"unix:{sock},server"])
    q = Qmp(sock)
    assert q.ok("query-replay")["mode"] == "record"
    assert q.ok("query-status")["replay-mode"] == "record"
    w = threading.Thread(target=busy_client, args=(sock, stop_event, counts))
    w.start()
    q.wait_event("SHUTDOWN", 120)
    stop_event.set()
    w.join()
    rc, _, err = finish(p)
    assert rc == 124 and "recorded" in err, (rc, err)
    assert counts["pauses"] >= 3, counts
    # Replay with a control socket: stop it midway, look, go on; it still verifies.
    rsock = os.path.join(tmp, "replay.sock")
    r = start(["replay", journal, "-q", "--qmp", f"unix:{rsock},server"])
    rq = Qmp(rsock)
    rq.ok("stop")
    rq.wait_event("STOP")
    info = rq.ok("query-replay")
    assert info["mode"] == "play" and info["filename"] == journal, info
    st = rq.ok("query-status")
    assert st["status"] == "paused" and st["replay-mode"] == "play", st
    time.sleep(0.3)
    assert rq.ok("query-replay") == info, "a paused replay moved"
    expect_error(rq.cmd("block_set_io_throttle", {"device": "drive0", "bps": 1, "bps_rd": 0, "bps_wr": 0,
                                                  "iops": 0, "iops_rd": 0, "iops_wr": 0}), "DeviceNotFound")
    rq.ok("cont")
    ev = rq.wait_event("SHUTDOWN", 120)
    assert ev["data"]["reason"] == "none", ev
    rc, _, err = finish(r)
    assert rc == 0 and "replay matched" in err, (rc, err)
    # And a plain replay, for good measure.
    v = subprocess.run([TAPVM, "replay", journal, "-q"], capture_output=True, timeout=300)
    assert v.returncode == 0, v.stderr.decode()
    print(f"record_replay: a recording paused {counts['pauses']} times replays; a replay paused at icount "
          f"{info['icount']} (event {info['events']}) verifies: ok")


def test_linux(tmp):
    """A Linux guest: drive names, block statistics, BLOCK_IO_ERROR, stop/cont while recording."""
    from guest_driver import Guest
    disk = os.path.join(tmp, "disk.img")
    shutil.copy(os.path.join(GUEST_DIR, "disk.img"), disk)
    scratch = os.path.join(tmp, "scratch.img")
    with open(scratch, "wb") as f:
        f.write(b"\x5a" * (1 << 20))
    journal = os.path.join(tmp, "run.tapj")
    sock = os.path.join(tmp, "qmp.sock")
    g = Guest(TAPVM, GUEST_DIR, ["-o", journal, "--drive", "file=" + disk,
                                 "--drive", f"file={scratch},readonly=on,id=scratch",
                                 "--qmp", f"unix:{sock},server,nowait"], command="record")
    try:
        q = Qmp(sock, timeout=60)
        blocks = q.ok("query-block")
        assert [b["device"] for b in blocks] == ["drive0", "scratch"], blocks
        assert blocks[1]["inserted"]["ro"] is True and blocks[1]["inserted"]["image"]["virtual-size"] == 1 << 20
        g.expect("TAPVM-INIT-READY", 240)
        q.ok("stop")
        q.wait_event("STOP")
        time.sleep(0.5)  # the guest cannot tell
        q.ok("cont")
        before = {s["device"]: s["stats"] for s in q.ok("query-blockstats")}
        out, rc = g.run("dd if=/dev/vda of=/dev/null bs=4096 count=64 skip=1000 2>&1; echo 3 > /proc/sys/vm/drop_caches")
        assert rc == 0, out
        after = {s["device"]: s["stats"] for s in q.ok("query-blockstats")}
        grew = after["drive0"]["rd_bytes"] - before["drive0"]["rd_bytes"]
        assert grew >= 64 * 4096 and after["drive0"]["rd_operations"] > before["drive0"]["rd_operations"], \
            (before, after)
        # Live throttling (a journaled input): the guest's own clock sees the
        # new limit, query-block reports it, and the replay below repeats it.
        thr = {"device": "drive0", "bps": 0, "bps_rd": 262144, "bps_wr": 0, "iops": 0, "iops_rd": 0, "iops_wr": 0}
        r = q.cmd("block_set_io_throttle", dict(thr, group="elsewhere"))
        assert r.get("error", {}).get("class") == "GenericError" and "group" in r["error"]["desc"], r
        q.ok("block_set_io_throttle", thr)
        assert q.ok("query-block")[0]["inserted"]["bps_rd"] == 262144
        out, rc = g.run("dd if=/dev/vda of=/dev/null bs=65536 count=8 skip=128 iflag=direct 2>&1")
        m = re.search(r"copied, ([0-9.]+) seconds", out)
        assert rc == 0 and m, out
        throttled_s = float(m.group(1))
        # 8 requests of 64 KiB at 256 KiB/s: each is charged once it goes, so
        # the 8th goes 7 intervals (0.25 s) after the first, less the
        # bucket's slack (a tenth of a second's worth): 1.65 s.
        assert 1.55 < throttled_s < 1.9, out
        q.ok("block_set_io_throttle", dict(thr, bps_rd=0))
        assert q.ok("query-block")[0]["inserted"]["bps_rd"] == 0
        out, rc = g.run("dd if=/dev/vda of=/dev/null bs=65536 count=8 skip=256 iflag=direct 2>&1")
        m = re.search(r"copied, ([0-9.]+) seconds", out)
        assert rc == 0 and m and float(m.group(1)) < 0.5, out
        # The scratch disk's file shrinks under the guest: its next read fails.
        os.truncate(scratch, 0)
        out, rc = g.run("dd if=/dev/vdb of=/dev/null bs=4096 skip=128 count=1 2>&1")
        assert rc != 0, out
        ev = q.wait_event("BLOCK_IO_ERROR", 60)
        assert ev["data"]["device"] == "scratch" and ev["data"]["operation"] == "read", ev
        stats_ = {s["device"]: s["stats"] for s in q.ok("query-blockstats")}
        assert stats_["scratch"]["failed_rd_operations"] >= 1, stats_
        assert [b["io-status"] for b in q.ok("query-block")] == ["ok", "failed"]
        g.send("poweroff -f")
        ev = q.wait_event("SHUTDOWN", 120)
        assert ev["data"]["guest"] is True and ev["data"]["reason"] == "guest-shutdown", ev
        assert g.wait_exit(120) == 0, g.stderr
    finally:
        g.kill()
    rp = subprocess.run([TAPVM, "replay", journal, "-q"], capture_output=True, timeout=600)
    assert rp.returncode == 0, rp.stderr.decode()
    print(f"linux: drives drive0/scratch, +{grew} bytes read counted, 512 KiB read in {throttled_s} guest s "
          f"under a live bps_rd=256K, BLOCK_IO_ERROR on scratch, the paused "
          f"recording replays: {rp.stderr.decode().strip().splitlines()[-1]}")


def main():
    global TAPVM, SPIN, BENCH, GUEST_DIR
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    TAPVM, SPIN, BENCH, GUEST_DIR, name = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="tapvm-qmp-")
    try:
        globals()["test_" + name](tmp)
    except (AssertionError, QmpError, OSError, subprocess.TimeoutExpired) as e:
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
