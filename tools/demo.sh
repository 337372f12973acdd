#!/usr/bin/env bash
# The README's first command: installs what is missing, builds tapvm and the
# Linux guest (kernel, busybox initramfs, disk image; cached after the first
# time), then the main job: boots the guest while recording it into a
# journal, and replays that journal bit-exactly from the journal alone.
#
# On a terminal, the guest's shell is yours while it records: try `ls /`,
# `cat /proc/cpuinfo`, `dd if=/dev/hwrng bs=16 count=1 | od -x`, then
# `poweroff -f` (Ctrl-A x quits at any time). Without a terminal, or with
# arguments (passed to `tapvm record`), it records a scripted job instead:
# the guest runs /tests/workload.sh and powers off.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
tools/guest/build.sh build/guest
tapvm=build/tools/tapvm/tapvm
journal=build/demo.tapj

if [ $# -gt 0 ]; then
  args=("$@")
elif [ -t 0 ] && [ -t 1 ]; then
  args=()
  echo "== recording this session to $journal: power the guest off (poweroff -f) or press Ctrl-A x to end it"
else
  args=(--append "console=ttyS0 tapvm.script=workload")
  echo "== recording a scripted guest job to $journal"
fi
rc=0
"$tapvm" record --force -o "$journal" "${args[@]}" || rc=$?
echo
echo "== the guest ended with status $rc; the journal:"
"$tapvm" journal info "$journal"
"$tapvm" journal verify "$journal"
echo
echo "== replaying it from the journal alone (no disk image, network or terminal used)"
"$tapvm" replay -q "$journal"
