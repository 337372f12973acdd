#!/usr/bin/env python3
"""Seeking in a Linux workload journal through its checkpoints.

usage: seek_linux_test.py TAPVM GUEST_DIR GOLDEN_DIR

Records a boot and a workload (disk, entropy, console) with a checkpoint
every 20M instructions, then:
- `replay --from X` for X before the first checkpoint, exactly at one,
  between two, and at the very end lands on X with the same state digest
  and event count as `replay --until X`, and verifies to the end with the
  whole replay's final digest; past the end it is refused;
- `journal checkpoint --at X` then `replay --from-checkpoint` verifies to
  the end; that file is refused by a journal of another configuration and
  by another recording of this one;
- `journal index` makes a journal recorded with --checkpoint-interval 0
  seekable (its events unchanged), and an old-format golden journal too;
- a damaged page blob gives a clear error, not a crash.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
from guest_driver import Guest  # noqa: E402

FAILURES = []


def check(name, cond, detail=""):
    print("CHECK %s %s %s" % (name, "ok" if cond else "FAIL", detail if not cond else ""), flush=True)
    if not cond:
        FAILURES.append(name)


def tapvm(*args, timeout=600):
    p = subprocess.run([TAPVM] + list(args), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stderr + p.stdout


def final(err):
    m = re.search(r"replay matched (\d+) events up to icount (\d+); state digest ([0-9a-f]+) \(whole recording", err)
    return m.groups() if m else None


def until(journal, x):
    rc, err = tapvm("replay", "-q", journal, "--until", str(x))
    m = re.search(r"replay matched (\d+) events up to icount (\d+); state digest ([0-9a-f]+)", err)
    return m.groups() if rc == 0 and m else None


def checkpoints(journal):
    rc, _ = tapvm("journal", "info", journal)
    out = subprocess.run([TAPVM, "journal", "dump", journal], capture_output=True, text=True).stdout
    return [int(x) for x in re.findall(r"^   checkpoint @(\d+)", out, re.M)]


def record_workload(guest_dir, journal, interval):
    g = Guest(TAPVM, guest_dir, ["-o", journal, "--digest-interval", "20000000", "--checkpoint-interval",
                                 str(interval)], command="record")
    g.expect("TAPVM-INIT-READY", 240)
    _, rc = g.run("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt")
    assert rc == 0, "mount failed"
    g.run("(dd if=/dev/vda of=/dev/null bs=64k count=200 2>/dev/null; "
          "for i in 1 2 3; do dd if=/dev/hwrng of=/mnt/r$i.bin bs=4k count=8 2>/dev/null; sync; done) & "
          "for i in $(seq 1 800); do echo line-$i; done; wait", timeout=300)
    g.run("umount /mnt")
    g.send("poweroff -f")
    assert g.wait_exit(120) == 0, g.stderr


def ckpt_pages(path):
    """The RAM pages of a checkpoint file (docs/checkpoint-format.md)."""
    b = open(path, "rb").read()
    pos = 12
    pages = []
    while pos < len(b) - 8:
        n = struct.unpack_from("<Q", b, pos)[0]
        name = b[pos + 8:pos + 8 + n]
        pos += 8 + n
        ln = struct.unpack_from("<Q", b, pos)[0]
        pos += 8
        if name == b"ram":
            count = struct.unpack_from("<Q", b, pos)[0]
            p = pos + 8
            for _ in range(count):
                addr, data = struct.unpack_from("<QB", b, p)
                p += 9
                if data:
                    pages.append((addr, b[p:p + 4096]))
                    p += 4096
        pos += ln
    return pages


def main(guest_dir, golden_dir):
    if not os.path.exists(os.path.join(guest_dir, "Image")):
        print("no guest built", file=sys.stderr)
        return 77
    tmp = tempfile.mkdtemp(prefix="tapvm-seek-")
    try:
        j = os.path.join(tmp, "work.tapj")
        record_workload(guest_dir, j, 20000000)
        rc, err = tapvm("replay", "-q", j)
        whole = final(err)
        check("whole_replay", rc == 0 and whole is not None, err)
        if not whole:
            return 1
        end = int(whole[1])
        cps = checkpoints(j)
        check("has_checkpoints", len(cps) >= 3 and cps[0] == 20000000, str(cps))
        points = [5000000, cps[1], cps[1] + 1234567, (cps[-1] + end) // 2, end]
        for x in points:
            rc, err = tapvm("replay", "-q", j, "--from", str(x))
            m = re.search(r"at icount (\d+) \(event (\d+)\): state digest ([0-9a-f]+)", err)
            ref = until(j, x)
            # (At the end, --until also counts the final state digest event.)
            landed = m is not None and ref is not None and m.group(1) == str(x) and m.group(3) == ref[2] and \
                int(ref[0]) - int(m.group(2)) == (1 if x == end else 0)
            start = re.search(r"replay starts at (.*)", err)
            check("from_%d_lands" % x, landed, "%s vs --until %s" % (m and m.groups(), ref))
            check("from_%d_verifies" % x, rc == 0 and final(err) == whole, err)
            want = "the start of the journal" if x < cps[0] else "the checkpoint at icount %d " % max(
                c for c in cps if c <= x)
            check("from_%d_starts" % x, start is not None and start.group(1).startswith(want),
                  start and start.group(1))
        rc, err = tapvm("replay", "-q", j, "--from", str(end + 1))
        check("from_past_end_refused", rc == 2 and "past the end of the recording" in err, err)

        # A checkpoint file, and where it is refused.
        ck = os.path.join(tmp, "state.ckpt")
        x = cps[-2] + 777
        rc, err = tapvm("journal", "checkpoint", j, "--at", str(x), "-o", ck)
        check("checkpoint_file", rc == 0 and os.path.exists(ck), err)
        rc, err = tapvm("replay", "-q", j, "--from-checkpoint", ck)
        check("from_checkpoint_verifies", rc == 0 and final(err) == whole, err)
        other = os.path.join(tmp, "other.tapj")
        rc, err = tapvm("record", "-o", other, "--guest-dir", guest_dir, "--max-insns", "30000000",
                        "--digest-interval", "10000000", "--checkpoint-interval", "0")
        rc, err = tapvm("replay", "-q", other, "--from-checkpoint", ck)
        check("other_config_refused", rc == 2 and "from another machine" in err and "digest_interval" in err, err)
        boot = os.path.join(tmp, "boot.tapj")
        tapvm("record", "-o", boot, "--guest-dir", guest_dir, "--max-insns", "30000000",
              "--digest-interval", "20000000", "--checkpoint-interval", "0")
        rc, err = tapvm("replay", "-q", boot, "--from-checkpoint", ck)
        check("other_recording_refused", rc == 2 and ("from another recording" in err), err)

        # journal index: an unindexed recording, and an old-format golden one.
        plain = os.path.join(tmp, "plain.tapj")
        rc, err = tapvm("record", "-o", plain, "--guest-dir", guest_dir, "--max-insns", "60000000",
                        "--checkpoint-interval", "0")
        check("plain_has_none", checkpoints(plain) == [], "")
        rc, err = tapvm("replay", "-q", plain)
        plain_whole = final(err)
        rc, err = tapvm("journal", "index", plain, "--checkpoint-interval", "10000000")
        check("index_ok", rc == 0 and len(checkpoints(plain)) >= 4, err)
        rc, err = tapvm("replay", "-q", plain, "--from", "45000000")
        check("indexed_seeks", rc == 0 and "checkpoint at icount 40000000" in err and final(err) == plain_whole, err)
        rc, err = tapvm("journal", "verify", plain)
        check("indexed_verifies", rc == 0, err)
        golden = os.path.join(tmp, "golden.tapj")
        with open(golden, "wb") as f:
            subprocess.run(["xz", "-dc", os.path.join(golden_dir, "frozen-v1-echo.tapj.xz")], stdout=f, check=True)
        rc, err = tapvm("replay", "-q", golden)
        golden_whole = final(err)
        rc, err = tapvm("journal", "index", golden, "-o", golden + ".indexed", "--checkpoint-interval", "10")
        rc2, err2 = tapvm("replay", "-q", golden + ".indexed", "--from", "25")
        check("golden_v1_indexed", rc == 0 and rc2 == 0 and golden_whole and final(err2) == golden_whole,
              err + err2)

        # A damaged page blob: a page of the last journal checkpoint, found
        # once in the file, one byte flipped.
        at = cps[-1]
        ck2 = os.path.join(tmp, "at.ckpt")
        tapvm("journal", "checkpoint", j, "--at", str(at), "-o", ck2)
        data = bytearray(open(j, "rb").read())
        flipped = None
        for addr, page in ckpt_pages(ck2):
            page = page.rstrip(b"\0")  # stored without its trailing zeros
            if len(set(page)) < 64 or len(page) < 1024:
                continue  # a simple page may be stored in several places
            pos = data.find(page)
            if pos >= 0 and data.find(page, pos + 1) < 0:
                data[pos + 100] ^= 0xff
                flipped = addr
                break
        check("found_page_to_damage", flipped is not None)
        bad = os.path.join(tmp, "bad.tapj")
        open(bad, "wb").write(data)
        rc, err = tapvm("replay", "-q", bad, "--from", str(at))
        check("damaged_page_refused", rc == 2 and "damaged" in err and "checkpoint at icount %d" % at in err and
              "Corruption" in err, err)
        rc, err = tapvm("journal", "verify", bad)
        check("damaged_page_verify", rc == 1 and "checkpoint" in err + "", err)
    finally:
        shutil.rmtree(tmp)
    print("FAILED: %s" % FAILURES if FAILURES else "PASS")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    TAPVM = sys.argv[1]
    sys.exit(main(sys.argv[2], sys.argv[3]))
