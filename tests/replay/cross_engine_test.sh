#!/usr/bin/env bash
# The engine is no part of a journal's identity: a bare-metal program
# recorded with one engine replays, event for event and digest for digest,
# with the other (interpreter -> JIT and JIT -> interpreter). ECHO_ELF takes
# console input, which arrives at a host-dependent icount; the other
# programs take none, so both of their recordings must also end in the same
# state digest (they use timers, interrupts, traps, paging and LR/SC).
# usage: cross_engine_test.sh TAPVM ECHO_ELF ELF...
set -u
tapvm=$1 echo_elf=$2
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# The JIT translates at once, so even short programs run translated.
engine_args() { if [ "$1" = jit ]; then echo "--engine jit --jit-hot-after 1"; else echo "--engine $1"; fi; }
for elf in "$@"; do
  name=$(basename "$elf" .elf)
  declare -A final=()
  for rec in interp jit; do
    rep=$([ $rec = interp ] && echo jit || echo interp)
    j="$tmp/$name-$rec.tapj"
    # Console input (itself an input, journaled when it arrives) only for echo.
    if [ "$elf" = "$echo_elf" ]; then input="hello"; else input=""; fi
    printf '%s\n' "$input" | head -c $((${#input} ? ${#input} + 1 : 0)) |
      "$tapvm" record -o "$j" $(engine_args $rec) --digest-interval 1000 --bios "$elf" \
      --max-insns 50000000 > "$tmp/rec.txt" 2>&1
    grep -q "recorded .* events" "$tmp/rec.txt" || { cat "$tmp/rec.txt"; fail "$name: recording with $rec"; }
    final[$rec]=$(sed -n 's/.*state digest \([0-9a-f]*\).*/\1/p' "$tmp/rec.txt")
    "$tapvm" replay -q $(engine_args $rep) "$j" > "$tmp/rep.txt" 2>&1 || { cat "$tmp/rep.txt"; fail "$name: recorded with $rec, replayed with $rep"; }
    grep -q "replay matched" "$tmp/rep.txt" || { cat "$tmp/rep.txt"; fail "$name: no match line ($rec -> $rep)"; }
    echo "ok: $name recorded with $rec replays with $rep: $(grep -m1 'replay matched' "$tmp/rep.txt")"
  done
  if [ "$elf" != "$echo_elf" ]; then
    [ -n "${final[interp]}" ] && [ "${final[interp]}" = "${final[jit]}" ] ||
      fail "$name: final digests differ: interp ${final[interp]} jit ${final[jit]}"
    echo "ok: $name ends in the same state with both engines: ${final[jit]}"
  fi
done
echo "PASS"
