#!/usr/bin/env bash
# `tapvm journal reblock` refuses bad input with exit 2 and a clear
# message: unknown --aio or --cache values, what this build cannot do
# (--cache none, --inject), a missing file, a file that is not a journal,
# a recording without a disk.
# usage: reblock_cli_test.sh TAPVM BARE_ELF
set -uo pipefail
tapvm=$1 elf=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$tapvm" record -o "$work/bare.tapj" --bios "$elf" --max-insns 2000000 </dev/null >/dev/null 2>&1
[ -f "$work/bare.tapj" ] || fail "could not record the bare program"
echo "not a journal" >"$work/junk.tapj"

expect() {  # expect RC PATTERN ARGS...
  local want=$1 pattern=$2
  shift 2
  "$tapvm" journal reblock "$@" >"$work/out" 2>&1
  local rc=$?
  [ $rc -eq "$want" ] || { cat "$work/out"; fail "reblock $* exited $rc, expected $want"; }
  grep -q -- "$pattern" "$work/out" || { cat "$work/out"; fail "reblock $*: no '$pattern' in the message"; }
  echo "ok: reblock $* -> $rc: $(head -n 1 "$work/out")"
}
expect 2 "aio must be threads or io_uring" "$work/bare.tapj" --aio posix
expect 2 "cache must be writeback or none (got 'unsafe')" "$work/bare.tapj" --cache unsafe
expect 2 "inject rule 'eio'" "$work/bare.tapj" --inject eio
expect 2 "inject rule 'read:melt:every=2'" "$work/bare.tapj" --inject "read:short:every=3;read:melt:every=2"
expect 2 "no such file" "$work/missing.tapj"
expect 2 "not a tapvm journal" "$work/junk.tapj"
expect 2 "the recorded machine has no disk" "$work/bare.tapj"
expect 2 "journal is required" 
echo "PASS"
