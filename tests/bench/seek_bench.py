#!/usr/bin/env python3
"""Checkpoint benchmark: what checkpoints in the journal cost when
recording, and what they buy when seeking.

For each job (boot: a Linux boot to init and off; workload: boot, then
about 1.3 billion instructions of gzip, sort, sha256, awk and shell work;
the jobs of record_bench.py) and each round, alternating so machine noise
hits them alike:
  run                        tapvm run
  record, no checkpoints     tapvm record --checkpoint-interval 0
  record, every N            tapvm record --checkpoint-interval N (each N given)
Host wall seconds from start to exit, and the guest's run alone (the
`seconds` of --stats: the CPU thread's run, without start-up and the
journal's final sync), each as median and minimum (the minimum is the
least disturbed by other load on a shared host); overheads against run and
against record without checkpoints; journal sizes; the capture figures of `record --stats`
(first full checkpoint, incremental ones). Then, on the workload journal
of each N, seeks into its last 10%: `replay --from X --until X` (open the
journal, load and fold the checkpoint, restore, replay to X), wall time
median and max over points spread over that stretch.

usage: seek_bench.py TAPVM GUEST_DIR [RUNS] [INTERVAL...]
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd[:4]), p.returncode, p.stderr[-1500:]))
    return dt, p.stderr


def main():
    tapvm, guest = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    intervals = [int(x) for x in sys.argv[4:]] or [100_000_000]
    tmp = tempfile.mkdtemp(prefix="tapvm-seekbench-")
    fw, image, initrd = (os.path.join(guest, n) for n in ("fw_dynamic.bin", "Image", "rootfs.cpio.gz"))
    for job, script in (("boot", "hello"), ("workload", "workload")):
        machine = ["--bios", fw, "--kernel", image, "--initrd", initrd, "-m", "256M", "--append",
                   "console=ttyS0 tapvm.script=" + script]
        cmds = {"run": [tapvm, "run", "--stats"] + machine,
                "record, no checkpoints": [tapvm, "record", "--force", "--stats", "-o",
                                           os.path.join(tmp, job + "-0.tapj"), "--checkpoint-interval", "0"] + machine}
        for n in intervals:
            cmds["record, every %d" % n] = [tapvm, "record", "--force", "--stats", "-o",
                                            os.path.join(tmp, "%s-%d.tapj" % (job, n)), "--checkpoint-interval",
                                            str(n)] + machine
        times = {k: [] for k in cmds}
        guest = {k: [] for k in cmds}
        stats = {}
        for _ in range(runs):
            for k, cmd in cmds.items():
                dt, err = timed(cmd)
                times[k].append(dt)
                guest[k].append(float(re.search(r"stats: icount=\d+ seconds=([0-9.]+)", err).group(1)))
                m = re.search(r"stats: checkpoints=.*", err)
                if m:
                    stats[k] = m.group(0)
        print("== %s (%d rounds)" % (job, runs))
        for what, fig in (("wall, median", lambda k: statistics.median(times[k])),
                          ("wall, minimum", lambda k: min(times[k])),
                          ("guest run, median", lambda k: statistics.median(guest[k])),
                          ("guest run, minimum", lambda k: min(guest[k]))):
            base, plain = fig("run"), fig("record, no checkpoints")
            print("  -- %s" % what)
            for k in cmds:
                print("  %-28s %7.3f s  %+6.1f%% vs run  %+6.1f%% vs record without" %
                      (k, fig(k), 100 * (fig(k) - base) / base, 100 * (fig(k) - plain) / plain))
        for k in cmds:
            if "-o" in cmds[k]:
                print("  journal, %-22s %6.1f MiB" % (k, os.path.getsize(cmds[k][cmds[k].index("-o") + 1]) / 2**20))
            if k in stats:
                print("  %-28s %s" % (k, stats[k]))
    # Seeks into the last 10% of the workload.
    for n in intervals:
        journal = os.path.join(tmp, "workload-%d.tapj" % n)
        info = subprocess.run([tapvm, "journal", "info", journal], capture_output=True, text=True).stdout
        total = int(re.search(r"duration\s+(\d+) instructions", info).group(1))
        seeks = []
        for i in range(10):
            x = total * 9 // 10 + (total // 10) * i // 10 + 12345
            dt, err = timed([tapvm, "replay", "-q", journal, "--from", str(x), "--until", str(x)])
            seeks.append(dt)
        print("== seek into the last 10%% of the workload (%d instructions), checkpoint every %d: median %.3f s, "
              "max %.3f s over %d points" % (total, n, statistics.median(seeks), max(seeks), len(seeks)))
        dt, err = timed([tapvm, "replay", "-q", journal, "--until", str(total * 95 // 100)])
        print("   without: replay from the start to 95%%: %.3f s" % dt)


if __name__ == "__main__":
    main()
