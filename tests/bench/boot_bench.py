#!/usr/bin/env python3
"""Boot benchmark: tapvm against QEMU on the same kernel and initramfs.

Each run boots the guest with `tapvm.script=hello` (init prints its marker,
runs a trivial script and powers off) and measures, in host seconds, the
time from process start to the init marker and to process exit. The
engines alternate run by run so machine noise hits all of them alike.

usage: boot_bench.py TAPVM GUEST_DIR [RUNS] [--baseline OTHER_TAPVM]

--baseline adds another tapvm build (say, the commit before a change) to
the same alternating runs and prints the ratio of the two.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

MARKER = b"TAPVM-INIT-READY"


def measure(cmd, timeout=600):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    marker_at = None
    while True:
        chunk = p.stdout.read1(65536) if hasattr(p.stdout, "read1") else p.stdout.read(4096)
        if not chunk:
            break
        out += chunk
        if marker_at is None and MARKER in out:
            marker_at = time.monotonic() - start
        if time.monotonic() - start > timeout:
            p.kill()
            break
    rc = p.wait()
    total = time.monotonic() - start
    if marker_at is None or rc != 0:
        raise RuntimeError(f"{cmd[0]} failed (exit {rc}); output tail:\n{out[-1500:].decode(errors='replace')}")
    return marker_at, total


def main():
    args = sys.argv[1:]
    baseline = None
    if "--baseline" in args:
        i = args.index("--baseline")
        if i + 1 >= len(args):
            print(__doc__)
            return 2
        baseline = args[i + 1]
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__)
        return 2
    tapvm, d = args[0], args[1]
    runs = int(args[2]) if len(args) > 2 else 3
    append = "console=ttyS0 tapvm.script=hello"
    image, initrd, fw = (os.path.join(d, n) for n in ("Image", "rootfs.cpio.gz", "fw_dynamic.bin"))
    engines = {
        "tapvm": [tapvm, "run", "--bios", fw, "--kernel", image, "--initrd", initrd, "--append", append,
                  "-m", "256M"],
    }
    if baseline:
        engines["tapvm-base"] = [baseline] + engines["tapvm"][1:]
    qemu = shutil.which("qemu-system-riscv64")
    if qemu:
        base = [qemu, "-M", "virt", "-m", "256M", "-nographic", "-bios", fw, "-kernel", image,
                "-initrd", initrd, "-append", append, "-device", "virtio-rng-device"]
        engines["qemu"] = base
        engines["qemu-icount"] = base + ["-icount", "shift=auto"]
    else:
        print("qemu-system-riscv64 not installed: tapvm only")
    results = {name: [] for name in engines}
    for i in range(runs):
        for name, cmd in engines.items():
            results[name].append(measure(cmd))
    print(f"boot to init marker / to power-off, host seconds, median of {runs} (runs alternate):")
    med = {}
    for name, rs in results.items():
        m = statistics.median(r[0] for r in rs)
        t = statistics.median(r[1] for r in rs)
        med[name] = (m, t)
        print(f"  {name:12s} marker {m:6.2f} s   total {t:6.2f} s   (runs: " +
              ", ".join(f"{r[0]:.2f}/{r[1]:.2f}" for r in rs) + ")")
    if baseline:
        print(f"  ratio tapvm/tapvm-base: marker {med['tapvm'][0] / med['tapvm-base'][0]:.3f}x, "
              f"total {med['tapvm'][1] / med['tapvm-base'][1]:.3f}x")
    if "qemu" in med:
        for ref in ("qemu", "qemu-icount"):
            print(f"  ratio tapvm/{ref}: marker {med['tapvm'][0] / med[ref][0]:.2f}x, "
                  f"total {med['tapvm'][1] / med[ref][1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
