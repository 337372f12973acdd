#!/usr/bin/env python3
"""JIT benchmark: tapvm's engines against QEMU TCG, ratios in the same run.

Jobs (each run alternates every contender, so machine noise hits all alike;
figures are medians of host wall seconds from start to exit):
  mips      the bare-metal MIPS benchmark ELF (tests/bench/mips): JIT,
            interpreter and QEMU plain TCG;
  boot      Linux to the init marker and power-off (tapvm.script=hello);
  workload  boot, then gzip/sort/sha256/awk (tapvm.script=workload).
For boot and workload: `run` with each engine, `record` with the JIT, QEMU
plain TCG and QEMU -icount shift=auto. Prints the goal ratios of issue 12:
  JIT run / QEMU plain        (goal <= 1.0)
  JIT record / QEMU plain     (goal <= 1.0)
  JIT record / QEMU icount    (goal <= 0.5)
and, from `--stats` of a JIT run, the share of time spent translating and
the code cache used.

usage: jit_bench.py TAPVM GUEST_DIR MIPS_ELF [RUNS] [JOB...]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, timeout=1800):
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed (exit {p.returncode}):\n"
                           f"{p.stdout[-1500:].decode(errors='replace')}{p.stderr[-1500:].decode(errors='replace')}")
    return elapsed, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def contenders(tapvm, guest, elf, job, tmp):
    qemu = shutil.which("qemu-system-riscv64")
    if job == "mips":
        c = {
            "tapvm jit run": [tapvm, "run", "--engine", "jit", "--stats", "--bios", elf],
            "tapvm interp run": [tapvm, "run", "--engine", "interp", "--stats", "--bios", elf],
        }
        if qemu:
            c["qemu plain"] = [qemu, "-M", "virt", "-bios", "none", "-display", "none", "-monitor", "none",
                               "-serial", "stdio", "-kernel", elf]
        return c
    script = {"boot": "hello", "workload": "workload"}[job]
    append = f"console=ttyS0 tapvm.script={script}"
    fw, image, initrd = (os.path.join(guest, n) for n in ("fw_dynamic.bin", "Image", "rootfs.cpio.gz"))
    machine = ["--bios", fw, "--kernel", image, "--initrd", initrd, "--append", append, "-m", "256M"]
    journal = os.path.join(tmp, f"{job}.tapj")
    c = {
        "tapvm jit run": [tapvm, "run", "--engine", "jit", "--stats", *machine],
        "tapvm interp run": [tapvm, "run", "--engine", "interp", "--stats", *machine],
        "tapvm jit record": [tapvm, "record", "--engine", "jit", "--force", "-o", journal, *machine],
    }
    if qemu:
        base = [qemu, "-M", "virt", "-m", "256M", "-nographic", "-bios", fw, "-kernel", image, "-initrd", initrd,
                "-append", append]
        c["qemu plain"] = base
        c["qemu icount"] = base + ["-icount", "shift=auto"]
    return c


def stat(out, key):
    m = re.findall(rf"\b{key}=([0-9.e+]+)", out)
    return float(m[-1]) if m else None


def bench(tapvm, guest, elf, job, runs, tmp):
    cmds = contenders(tapvm, guest, elf, job, tmp)
    times = {name: [] for name in cmds}
    jit_out = ""
    for _ in range(runs):
        for name, cmd in cmds.items():
            t, out = timed(cmd)
            times[name].append(t)
            if name == "tapvm jit run":
                jit_out = out
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"\n{job}: host seconds to exit, median of {runs} (runs alternate)")
    for name, t in times.items():
        print(f"  {name:17s} {med[name]:7.2f} s   (" + ", ".join(f"{x:.2f}" for x in t) + ")")
    icount = stat(jit_out, "icount")
    if icount:
        print(f"  instructions: {icount:.0f}; JIT {icount / med['tapvm jit run'] / 1e6:.0f} MIPS, "
              f"interpreter {icount / med['tapvm interp run'] / 1e6:.0f} MIPS (wall, start-up included)")
    print(f"  JIT run / interpreter run = {med['tapvm jit run'] / med['tapvm interp run']:.2f}")
    if "qemu plain" in med:
        print(f"  JIT run / QEMU plain = {med['tapvm jit run'] / med['qemu plain']:.2f}  (goal <= 1.0)")
        print(f"  interpreter run / QEMU plain = {med['tapvm interp run'] / med['qemu plain']:.2f}")
    if "tapvm jit record" in med and "qemu plain" in med:
        print(f"  JIT record / QEMU plain = {med['tapvm jit record'] / med['qemu plain']:.2f}  (goal <= 1.0)")
        print(f"  JIT record / QEMU icount = {med['tapvm jit record'] / med['qemu icount']:.2f}  (goal <= 0.5)")
    translate = stat(jit_out, "translate_seconds")
    seconds = stat(jit_out, "seconds")
    if translate is not None and seconds:
        print(f"  translating: {translate:.3f} s of {seconds:.2f} s ({100 * translate / seconds:.1f}%)"
              f"; blocks {stat(jit_out, 'blocks_translated'):.0f}, cache flushes {stat(jit_out, 'cache_flushes'):.0f}"
              f", code {stat(jit_out, 'code_bytes') / 1024:.0f} KiB"
              f", instructions interpreted {stat(jit_out, 'insns_interpreted'):.0f}")


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    tapvm, guest, elf = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    jobs = sys.argv[5:] or ["mips", "boot", "workload"]
    tmp = tempfile.mkdtemp(prefix="tapvm-jitbench-")
    try:
        for job in jobs:
            bench(tapvm, guest, elf, job, runs, tmp)
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
