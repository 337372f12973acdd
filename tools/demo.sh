#!/usr/bin/env bash
# The README's first command: installs what is missing, builds tapvm and the
# Linux guest (kernel, busybox initramfs, disk image; cached after the first
# time), and boots the guest on tapvm with its console on this terminal.
# At the busybox prompt try `ls /`, `cat /proc/cpuinfo`, `poweroff -f`;
# Ctrl-A x quits at any time.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
tools/guest/build.sh build/guest
exec build/tools/tapvm/tapvm run "$@"
