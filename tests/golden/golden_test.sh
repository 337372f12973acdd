#!/usr/bin/env bash
# Golden journals (README.md), replayed by CTest on every run.
# usage: golden_test.sh TAPVM MODE JOURNAL.tapj.xz [ARG]
#   replay      the journal verifies and replays: every event and digest
#               matched, as many events as it holds
#   frozen      replay, and `journal dump` reads every event as it read
#               when the journal was written (the .dump beside it): an
#               older tapvm's journal of this format keeps reading
#   divergence  replayed with --break-insn ARG it must fail, naming the
#               first changed event exactly as the journal holds it
#   reblock     `journal reblock` passes on it through both backends
#   compact     `journal compact` copies it: the same journal (journal
#               diff), verified; it refuses to overwrite a file
#   budget      ARG: the most bytes all goldens may take together
set -uo pipefail
tapvm=$1 mode=$2 xz=$3 arg=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
name=$(basename "$xz" .tapj.xz)
j=$work/$name.tapj
unpack() {  # xz(1), or Python's lzma where xz is missing
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

if [ "$mode" = budget ]; then
  total=$(cat "$(dirname "$xz")"/*.tapj.xz "$(dirname "$xz")"/*.dump | wc -c)
  echo "golden journals: $total bytes in all (budget $arg)"
  [ "$total" -le "$arg" ] || fail "the golden journals take $total bytes, more than the $arg budgeted"
  exit 0
fi
unpack "$xz" "$j" || fail "cannot unpack $xz"

replay() {
  "$tapvm" journal verify "$j" >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; fail "$name does not verify"; }
  "$tapvm" replay -q "$j" >"$work/replay.out" 2>&1
  local rc=$?
  cat "$work/replay.out"
  [ $rc -eq 0 ] || fail "$name: replay exited $rc"
  local events
  events=$("$tapvm" journal info "$j" | sed -n 's/^events *\([0-9]*\) .*/\1/p')
  grep -q "replay matched $events events up to icount [0-9]*; .*(whole recording" "$work/replay.out" \
    || fail "$name: the replay did not match all $events events of the whole recording"
}

case $mode in
  replay) replay ;;
  frozen)
    replay
    dump=$(dirname "$xz")/$name.dump
    "$tapvm" journal dump "$j" >"$work/dump" || fail "$name: dump failed"
    diff -u "$dump" "$work/dump" | head -n 40 >"$work/dump.diff"
    [ -s "$work/dump.diff" ] && { cat "$work/dump.diff"; fail "$name: the reader reads it differently now"; }
    echo "$name: read as when it was written: $(wc -l <"$dump") events" ;;
  divergence)
    "$tapvm" replay -q --break-insn "$arg" "$j" >"$work/div.out" 2>&1
    rc=$?
    cat "$work/div.out"
    [ $rc -eq 1 ] || fail "$name with $arg broken: replay exited $rc, expected 1"
    seq=$(sed -n 's/.*replay DIVERGED: divergence at event #\([0-9]*\), icount [0-9]*$/\1/p' "$work/div.out")
    [ -n "$seq" ] || fail "no 'divergence at event #N, icount I' line"
    recorded=$("$tapvm" journal dump "$j" | grep -m1 "^#$seq @")
    grep -qxF "  expected: $recorded" "$work/div.out" \
      || fail "the divergence does not show event #$seq as the journal holds it: $recorded"
    echo "$name with '$arg' broken: divergence named at event #$seq: $recorded" ;;
  reblock)
    for aio in threads io_uring; do
      "$tapvm" journal reblock --aio "$aio" "$j" >"$work/rb.out" 2>&1
      rc=$?
      cat "$work/rb.out"
      if [ "$aio" = io_uring ] && [ $rc -eq 2 ] && grep -q "io_uring unavailable" "$work/rb.out"; then continue; fi
      [ $rc -eq 0 ] && grep -q "^PASS" "$work/rb.out" || fail "$name: reblock --aio $aio exited $rc"
    done ;;
  compact)
    "$tapvm" journal compact "$j" "$work/copy.tapj" >"$work/c.out" 2>&1 || { cat "$work/c.out"; fail "compact failed"; }
    cat "$work/c.out"
    "$tapvm" journal diff "$j" "$work/copy.tapj" >"$work/d.out" || { cat "$work/d.out"; fail "the copy differs"; }
    "$tapvm" journal compact "$j" "$work/copy.tapj" >"$work/c2.out" 2>&1
    rc=$?
    [ $rc -eq 1 ] && grep -q "exists" "$work/c2.out" || { cat "$work/c2.out"; fail "compact over a file: exit $rc"; }
    ;;
  *) fail "unknown mode $mode" ;;
esac
echo "PASS"
