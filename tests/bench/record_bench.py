#!/usr/bin/env python3
"""Record/replay benchmark: tapvm run, record and replay against QEMU's
-icount run and its rr=record / rr=replay, on the same kernel and initramfs.

Two guest jobs (init runs /tests/NAME.sh and powers off):
  boot      tapvm.script=hello: a Linux boot to init and straight off;
  workload  tapvm.script=workload: boot, then about a billion instructions
            of gzip, sort, sha256, awk and shell work.
Each round runs every engine once on a job, alternating, so machine noise
hits them alike; figures are medians of host wall seconds from start to
exit. Prints the record overhead (record / run), the replay speed
(record time / replay time: above 1 means replay is faster), the journal
size and bytes per million guest instructions (without the stored images,
and with them), and QEMU's replay log size.

usage: record_bench.py TAPVM GUEST_DIR [RUNS] [JOB...]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, timeout=900):
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... failed (exit {p.returncode}):\n"
                           f"{p.stdout[-1500:].decode(errors='replace')}{p.stderr[-1500:].decode(errors='replace')}")
    return elapsed, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def journal_figures(tapvm, journal):
    """(file bytes, stored image bytes, instructions) from `journal info`."""
    out = subprocess.run([tapvm, "journal", "info", journal], capture_output=True, check=True).stdout.decode()
    size = int(re.search(r"^journal .*\((\d+) bytes\)", out, re.M).group(1))
    images = sum(int(m) for m in re.findall(r"^image .*\((\d+) bytes, stored\)", out, re.M))
    insns = int(re.search(r"^duration\s+(\d+) instructions", out, re.M).group(1))
    return size, images, insns


def bench_job(tapvm, guest, job, runs, tmp):
    script = {"boot": "hello", "workload": "workload"}[job]
    append = f"console=ttyS0 tapvm.script={script}"
    fw, image, initrd = (os.path.join(guest, n) for n in ("fw_dynamic.bin", "Image", "rootfs.cpio.gz"))
    journal = os.path.join(tmp, f"{job}.tapj")
    rrfile = os.path.join(tmp, f"{job}.qemu-rr")
    machine = ["--bios", fw, "--kernel", image, "--initrd", initrd, "--append", append, "-m", "256M"]
    engines = {
        "tapvm run": [tapvm, "run", *machine],
        "tapvm record": [tapvm, "record", "--force", "-o", journal, *machine],
        "tapvm replay": [tapvm, "replay", "-q", journal],
    }
    qemu = shutil.which("qemu-system-riscv64")
    if qemu:
        base = [qemu, "-M", "virt", "-m", "256M", "-nographic", "-bios", fw, "-kernel", image, "-initrd", initrd,
                "-append", append]
        engines["qemu icount"] = base + ["-icount", "shift=auto"]
        engines["qemu rr=record"] = base + ["-icount", f"shift=auto,rr=record,rrfile={rrfile}"]
        engines["qemu rr=replay"] = base + ["-icount", f"shift=auto,rr=replay,rrfile={rrfile}"]
    times = {name: [] for name in engines}
    for _ in range(runs):
        for name, cmd in engines.items():  # in order: each replay follows its record
            times[name].append(timed(cmd)[0])
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"\n{job} (tapvm.script={script}), host seconds to exit, median of {runs} (runs alternate):")
    for name, t in times.items():
        print(f"  {name:15s} {med[name]:7.2f} s   (" + ", ".join(f"{x:.2f}" for x in t) + ")")
    size, images, insns = journal_figures(tapvm, journal)
    mi = insns / 1e6
    print(f"  record overhead: record/run = {med['tapvm record'] / med['tapvm run']:.3f}"
          f" ({(med['tapvm record'] / med['tapvm run'] - 1) * 100:+.1f}%)")
    print(f"  replay speed: record/replay = {med['tapvm record'] / med['tapvm replay']:.2f}x")
    print(f"  journal: {size} bytes for {insns} instructions; without the {images} bytes of stored images "
          f"{size - images} bytes = {(size - images) / mi:.0f} bytes per million instructions "
          f"({size / mi:.0f} with them)")
    if qemu:
        rr = os.path.getsize(rrfile)
        print(f"  qemu rr log: {rr} bytes (inputs only, no images); "
              f"tapvm record/qemu rr=record time = {med['tapvm record'] / med['qemu rr=record']:.2f}x, "
              f"tapvm replay/qemu rr=replay time = {med['tapvm replay'] / med['qemu rr=replay']:.2f}x")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    tapvm, guest = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    jobs = sys.argv[4:] or ["boot", "workload"]
    tmp = tempfile.mkdtemp(prefix="tapvm-recbench-")
    try:
        for job in jobs:
            bench_job(tapvm, guest, job, runs, tmp)
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
