#!/usr/bin/env bash
# Boots the guest that tools/guest/build.sh made on QEMU's riscv virt board,
# the reference machine tapvm mirrors. Console on stdio; Ctrl-A X quits.
#
# Usage: tools/guest/qemu.sh [-d GUESTDIR] [-s SCRIPT] [-i] [-a "KERNEL ARGS"] [-- QEMU ARGS...]
#   -d GUESTDIR  artifacts (default build/guest under the repo root)
#   -s SCRIPT    run /tests/SCRIPT.sh in the guest and power off (tapvm.script=)
#   -i           deterministic instruction counting: -icount shift=auto
#   -a ARGS      extra kernel command line arguments
# Devices: disk.img as virtio-blk (snapshot=on: writes never reach the file),
# virtio-rng, virtio-net on an isolated user-mode network (restrict=on: the
# guest cannot reach anything outside QEMU). The exit status is QEMU's: 0
# after poweroff, or the failing test's status through the sifive_test finisher.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$HERE/../../build/guest
script= icount=() extra_args=
while getopts "d:s:ia:h" opt; do
  case "$opt" in
    d) dir=$OPTARG ;;
    s) script=$OPTARG ;;
    i) icount=(-icount shift=auto) ;;
    a) extra_args=$OPTARG ;;
    *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
append="console=ttyS0 earlycon=sbi${script:+ tapvm.script=$script}${extra_args:+ $extra_args}"
exec qemu-system-riscv64 -M virt -m 256M -smp 1 -nographic "${icount[@]}" \
  -bios "$dir/fw_dynamic.bin" -kernel "$dir/Image" -initrd "$dir/rootfs.cpio.gz" \
  -append "$append" \
  -drive "file=$dir/disk.img,format=raw,if=none,id=hd0,snapshot=on" \
  -device virtio-blk-device,drive=hd0 \
  -device virtio-rng-device \
  -netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0 \
  "$@"
