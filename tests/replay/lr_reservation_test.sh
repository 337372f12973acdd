#!/usr/bin/env bash
# A guest holding an LR reservation across state digests records and
# replays bit-exactly, in separate processes with different address-space
# layouts (one without ASLR, one with): the hart digest holds guest values
# only. Also: `run --stats` digests agree across the same two layouts.
# Usage: lr_reservation_test.sh TAPVM LR_ELF
set -euo pipefail
tapvm=$1 elf=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
norand() { if setarch "$(uname -m)" -R true 2>/dev/null; then setarch "$(uname -m)" -R "$@"; else "$@"; fi; }

"$tapvm" record -o "$work/lr.tapj" --digest-interval 100000 --bios "$elf" 2>"$work/rec.err" \
  || { cat "$work/rec.err"; fail "record"; }
digests=$("$tapvm" journal dump "$work/lr.tapj" --kind state_digest | wc -l)
[ "$digests" -ge 20 ] || fail "expected >= 20 state digests, got $digests"
for layout in norand plain; do
  if [ $layout = norand ]; then cmd=(norand "$tapvm"); else cmd=("$tapvm"); fi
  "${cmd[@]}" replay -q "$work/lr.tapj" >"$work/rep.out" 2>&1 || { cat "$work/rep.out"; fail "replay ($layout)"; }
  grep -q "replay matched" "$work/rep.out" || fail "no match line ($layout)"
done
a=$(norand "$tapvm" run --stats --bios "$elf" 2>&1 | sed -n 's/.*digest=\([0-9a-f]*\).*/\1/p')
b=$("$tapvm" run --stats --bios "$elf" 2>&1 | sed -n 's/.*digest=\([0-9a-f]*\).*/\1/p')
[ -n "$a" ] && [ "$a" = "$b" ] || fail "run digests differ across processes: $a vs $b"
echo "PASS: $digests digests matched in two processes; run digest $a"
