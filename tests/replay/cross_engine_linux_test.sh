#!/usr/bin/env bash
# The engines agree on Linux:
# 1. a boot to the shell (idle up to the instruction limit, a state digest
#    every 5 million instructions) recorded with each engine replays with
#    the other, event for event;
# 2. for the boot (tapvm.script=hello), the CPU workload (workload: gzip,
#    sort, sha256, awk) and the disk workload (diskwork: raw writes to a
#    scratch disk, with syncs), `run --stats` ends at the same icount with
#    the same machine digest on both engines, and each job recorded with
#    the JIT replays with the interpreter.
# usage: cross_engine_linux_test.sh TAPVM GUEST_DIR
set -u
tapvm=$1 guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for rec in interp jit; do
  rep=$([ $rec = interp ] && echo jit || echo interp)
  "$tapvm" record -o "$tmp/$rec.tapj" --engine $rec --guest-dir "$guest" --max-insns 150000000 \
    --digest-interval 5000000 < /dev/null > "$tmp/rec.txt" 2>&1
  grep -q "recorded .* events" "$tmp/rec.txt" || { tail -5 "$tmp/rec.txt"; fail "recording with $rec"; }
  "$tapvm" replay -q --engine $rep "$tmp/$rec.tapj" > "$tmp/rep.txt" 2>&1 || { cat "$tmp/rep.txt"; fail "recorded with $rec, replayed with $rep"; }
  grep -q "replay matched" "$tmp/rep.txt" || { cat "$tmp/rep.txt"; fail "no match line ($rec -> $rep)"; }
  echo "ok: Linux recorded with $rec replays with $rep: $(grep -m1 'replay matched' "$tmp/rep.txt")"
done

# job NAME [EXTRA OPTIONS...]: recorded with each engine, the job replays
# with both, and all four replays end at the same icount with the same
# machine digest as their recording. (`run` itself is not repeatable for
# a Linux guest, on either engine: it paces idle time by the host's clock.)
job() {
  local name=$1
  shift
  for rec in interp jit; do
    [ -f "$guest/disk.img" ] && cp "$guest/disk.img" "$tmp/disk.img"
    "$tapvm" record --engine $rec --stats -o "$tmp/$name-$rec.tapj" --guest-dir "$guest" \
      --append "console=ttyS0 tapvm.script=$name" "$@" --timeout 600 < /dev/null > "$tmp/rec.txt" 2>&1 ||
      { tail -5 "$tmp/rec.txt"; fail "recording $name with $rec"; }
    local want
    want=$(grep -o 'icount=[0-9]* .*digest=[0-9a-f]*' "$tmp/rec.txt" | sed 's/ seconds=[^ ]* mips=[^ ]*//')
    [ -n "$want" ] || fail "$name: no stats line from the recording"
    for rep in interp jit; do
      "$tapvm" replay -q --engine $rep "$tmp/$name-$rec.tapj" > "$tmp/rep.txt" 2>&1 ||
        { cat "$tmp/rep.txt"; fail "$name recorded with $rec, replayed with $rep"; }
      local got
      got=$(sed -n 's/.*replay matched [0-9]* events up to icount \([0-9]*\); state digest \([0-9a-f]*\).*/icount=\1 digest=\2/p' \
        "$tmp/rep.txt")
      [ "$got" = "$want" ] || fail "$name recorded with $rec ($want), replayed with $rep ($got)"
    done
    echo "ok: $name recorded with $rec ($want) replays to the same end on both engines"
  done
}
job hello
job workload
job diskwork --drive "file=$tmp/disk.img"
echo PASS
