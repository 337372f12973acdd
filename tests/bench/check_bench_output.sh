#!/usr/bin/env bash
# The MIPS benchmark's smoke test: runs the guest ELF on tapvm and checks that
# its checksum lines equal the output of the same kernels built for the host.
# usage: check_bench_output.sh TAPVM ELF HOST_PROGRAM
set -u
if [ $# -ne 3 ]; then
  echo "usage: $0 TAPVM ELF HOST_PROGRAM" >&2
  exit 2
fi
tapvm=$1 elf=$2 host=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Checksum lines only: "<kernel> <16 hex digits>". Comments ("# minstret"),
# carriage returns and anything tapvm itself prints are dropped.
checksums() { tr -d '\r' <"$1" | grep -E '^[a-z0-9_]+ [0-9a-f]{16}$'; }

if ! "$host" >"$tmp/expected"; then
  echo "FAIL: host reference program $host failed"
  exit 1
fi
"$tapvm" run --bios "$elf" --max-insns 2000000000 --stats </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
checksums "$tmp/out" >"$tmp/got"
checksums "$tmp/expected" >"$tmp/want"
grep 'tapvm: stats:' "$tmp/err"
if [ $rc -ne 0 ]; then
  echo "FAIL: tapvm exited with status $rc"
  tail -5 "$tmp/out" "$tmp/err"
  exit 1
fi
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
  echo "FAIL: guest checksums differ from the host's (--- host, +++ tapvm):"
  cat "$tmp/diff"
  exit 1
fi
echo "ok: $(wc -l <"$tmp/got") checksum lines match the host reference"
