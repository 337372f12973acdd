#!/usr/bin/env python3
"""Checkpoints of a Linux guest busy on disk, network and console.

usage: checkpoint_linux_test.py TAPVM GUEST_DIR CHECKER

Records a boot and a workload that keeps the disk (reads and a synced
write), the network (UDP echoes) and the console (a stream of lines) busy,
with periodic state digests; then CHECKER (checkpoint_replay_check) replays
the journal, checkpoints it at several icounts, restores each checkpoint
into a new machine and replays on from there to the end, which must verify
every event and digest and end in the uninterrupted replay's final state.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
from guest_driver import Guest  # noqa: E402
from netpeer import NetPeer, free_udp_port  # noqa: E402


def main(tapvm, guest_dir, checker):
    if not os.path.exists(os.path.join(guest_dir, "Image")):
        print("no guest built", file=sys.stderr)
        return 77
    tmp = tempfile.mkdtemp(prefix="tapvm-ckpt-")
    try:
        journal = os.path.join(tmp, "run.tapj")
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
        port = free_udp_port()
        peer = NetPeer(port)
        g = Guest(tapvm, guest_dir, ["-o", journal, "--drive", "file=" + disk, "--netdev", peer.netdev(port),
                                     "--digest-interval", "20000000"], command="record")
        g.expect("TAPVM-INIT-READY", 240)
        _, rc = g.run("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && ip addr add 10.0.2.15/24 dev eth0 && "
                      "ip link set eth0 up")
        assert rc == 0, "setup failed"
        # Everything at once, in the background, while the console streams.
        g.run("(dd if=/dev/vda of=/dev/null bs=64k count=400 2>/dev/null; "
              "for i in 1 2 3 4 5 6; do dd if=/dev/hwrng of=/mnt/r$i.bin bs=4k count=8 2>/dev/null; sync; done) & "
              "(for i in 1 2 3 4 5 6 7 8; do echo ping$i | nc -u -w 1 10.0.2.2 7; done) & "
              "for i in $(seq 1 1500); do echo line-$i; done; wait", timeout=300)
        g.run("md5sum /mnt/r*.bin | cut -c1-8; umount /mnt")
        g.send("poweroff -f")
        assert g.wait_exit(120) == 0, g.stderr
        peer.close()
        if os.environ.get("TAPVM_KEEP_JOURNAL"):  # for measurements (checkpoint_replay_check --every)
            shutil.copy(journal, os.environ["TAPVM_KEEP_JOURNAL"])
        p = subprocess.run([checker, journal, "6"], capture_output=True, timeout=1100)
        print(p.stdout.decode(errors="replace"))
        print(p.stderr.decode(errors="replace"), file=sys.stderr)
        return p.returncode
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
