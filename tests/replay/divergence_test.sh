#!/usr/bin/env bash
# Divergence: record the echo program reading "hello\n" from the console,
# change the first recorded input byte, replay. The replay must stop at the
# first RBR read after that input (the first observation the change alters)
# and name that event and icount; the unchanged journal must replay cleanly.
# usage: divergence_test.sh TAPVM JOURNAL_EDIT ECHO_ELF
set -u
tapvm=$1 edit=$2 elf=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'hello\n' | "$tapvm" record -o "$tmp/run.tapj" --bios "$elf" --max-insns 500000000 > "$tmp/out.txt" 2>&1 || {
  echo "FAIL: recording failed"; cat "$tmp/out.txt"; exit 1; }
"$tapvm" replay -q "$tmp/run.tapj" > "$tmp/replay.txt" 2>&1 || { echo "FAIL: clean replay failed"; cat "$tmp/replay.txt"; exit 1; }
# --until stops at exactly that instruction count, matching so far.
# (The input arrives at a host-dependent point, so the recording's length
# varies: stop halfway.)
total=$("$tapvm" journal info "$tmp/run.tapj" | sed -n 's/^duration *\([0-9]*\) instructions.*/\1/p')
half=$((total / 2))
"$tapvm" replay -q --until "$half" "$tmp/run.tapj" > "$tmp/until.txt" 2>&1 || { echo "FAIL: --until"; cat "$tmp/until.txt"; exit 1; }
grep -q "up to icount $half; .*(--until)" "$tmp/until.txt" || { echo "FAIL: --until did not stop at $half of $total"; cat "$tmp/until.txt"; exit 1; }
read -r seq icount < <("$edit" "$tmp/run.tapj" "$tmp/edited.tapj" console_in) || { echo "FAIL: edit"; exit 1; }
# The first RBR read (mmio_read addr=0x10000000) after the edited input.
want=$("$tapvm" journal dump "$tmp/run.tapj" --kind mmio_read --from "$icount" | grep -m1 'addr=0x10000000 ')
want_seq=$(sed 's/^#\([0-9]*\) .*/\1/' <<<"$want")
want_icount=$(sed 's/^#[0-9]* @\([0-9]*\) .*/\1/' <<<"$want")
"$tapvm" replay -q "$tmp/edited.tapj" > "$tmp/div.txt" 2>&1
rc=$?
cat "$tmp/div.txt"
# journal diff names the edited input itself as the first difference.
"$tapvm" journal diff "$tmp/run.tapj" "$tmp/edited.tapj" > "$tmp/diff.txt"
diff_rc=$?
cat "$tmp/diff.txt"
if [ "$diff_rc" -ne 1 ] || ! grep -q "^first difference at event #$seq " "$tmp/diff.txt"; then
  echo "FAIL: journal diff should report event #$seq (rc=$diff_rc)"; exit 1
fi
if [ "$rc" -ne 0 ] && grep -q "divergence at event #$want_seq, icount $want_icount" "$tmp/div.txt"; then
  echo "edited input #$seq at icount $icount; divergence found at #$want_seq, icount $want_icount"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "FAIL: expected a divergence at #$want_seq icount $want_icount (rc=$rc)"
exit 1
