#!/usr/bin/env bash
# A Linux boot (to the shell, then idle up to the instruction limit, with a
# state digest every 5 million instructions) recorded with each engine
# replays with the other, event for event.
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
echo PASS
