#!/usr/bin/env bash
# Runs an ISA test program with one instruction deliberately broken and
# passes only when the guest itself reports a failure (not when tapvm errors
# out or crashes): the proof that the test is able to fail.
# usage: expect_guest_fail.sh TAPVM ELF MNEMONIC [TAPVM RUN OPTIONS...]
set -u
tapvm=$1 elf=$2 insn=$3
shift 3
out=$("$tapvm" run --bios "$elf" --max-insns 200000000 --break-insn "$insn" "$@" 2>&1)
rc=$?
if grep -q "guest reported failure" <<<"$out"; then
  echo "ok: breaking '$insn' makes $(basename "$elf") fail (exit $rc)"
  exit 0
fi
echo "FAIL: with '$insn' broken, $(basename "$elf") did not report a failure (exit $rc):"
echo "$out" | tail -5
exit 1
