#!/usr/bin/env bash
# Bad journals given to replay, journal info/verify/dump/diff: each gets a
# clear error and a non-zero exit status, never a crash (a signal) or a
# silent success.
# usage: bad_journal_test.sh TAPVM JOURNAL_EDIT ECHO_ELF
set -u
tapvm=$1 edit=$2 elf=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'hello\n' | "$tapvm" record -o "$tmp/good.tapj" --bios "$elf" > /dev/null 2>&1 || { echo "FAIL: record"; exit 1; }
size=$(stat -c %s "$tmp/good.tapj")

printf 'this is not a journal\n' > "$tmp/text.tapj"
: > "$tmp/empty.tapj"
head -c $((size / 2)) "$tmp/good.tapj" > "$tmp/half.tapj"
head -c 4096 "$tmp/good.tapj" > "$tmp/page.tapj"
# The firmware image is stored in the journal: damage one byte of it.
python3 - "$tmp/good.tapj" "$elf" "$tmp/badimage.tapj" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
elf = open(sys.argv[2], "rb").read()
pos = data.find(elf[64:128])
assert pos >= 0, "image bytes not found"
data[pos + 8] ^= 0x10
open(sys.argv[3], "wb").write(data)
PY
"$edit" "$tmp/good.tapj" "$tmp/noimage.tapj" drop_images || { echo "FAIL: edit"; exit 1; }

fails=0 passes=0
# expect NAME PATTERN CMD...: CMD exits 1..125 and prints PATTERN.
expect() {
  local name=$1 pattern=$2
  shift 2
  "$@" > "$tmp/out.txt" 2>&1
  local rc=$?
  if [ "$rc" -ge 1 ] && [ "$rc" -le 125 ] && grep -qi -- "$pattern" "$tmp/out.txt"; then
    passes=$((passes + 1))
    echo "ok   $name (exit $rc): $(grep -i -m1 -- "$pattern" "$tmp/out.txt")"
  else
    fails=$((fails + 1))
    echo "FAIL $name (exit $rc, wanted /$pattern/):"
    cat "$tmp/out.txt"
  fi
}
expect replay_text      "not a tapvm journal" "$tapvm" replay -q "$tmp/text.tapj"
expect replay_empty     "journal"             "$tapvm" replay -q "$tmp/empty.tapj"
expect replay_missing   "no such file"        "$tapvm" replay -q "$tmp/nothere.tapj"
expect replay_half      "truncated\|damaged\|corrupt" "$tapvm" replay -q "$tmp/half.tapj"
expect replay_page      "truncated\|damaged\|corrupt" "$tapvm" replay -q "$tmp/page.tapj"
expect replay_badimage  "image"               "$tapvm" replay -q "$tmp/badimage.tapj"
expect replay_noimage   "not stored"          "$tapvm" replay -q "$tmp/noimage.tapj"
expect verify_badimage  "FAILED"              "$tapvm" journal verify "$tmp/badimage.tapj"
expect verify_half      "truncated\|damaged\|corrupt" "$tapvm" journal verify "$tmp/half.tapj"
expect verify_noimage   "cannot be replayed"  "$tapvm" journal verify "$tmp/noimage.tapj"
mkfifo "$tmp/fifo.tapj"
for cmd in "replay -q" "journal info" "journal verify" "journal dump"; do
  expect "fifo_${cmd// /_}" "not a regular file" timeout 10 "$tapvm" $cmd "$tmp/fifo.tapj"
done
expect info_text        "not a tapvm journal" "$tapvm" journal info "$tmp/text.tapj"
expect dump_text        "not a tapvm journal" "$tapvm" journal dump "$tmp/text.tapj"
expect diff_text        "not a tapvm journal" "$tapvm" journal diff "$tmp/good.tapj" "$tmp/text.tapj"
expect replay_until_bad "until\|number"       "$tapvm" replay --until xyz "$tmp/good.tapj"
expect replay_until_neg "not a count"   "$tapvm" replay --until -5 "$tmp/good.tapj"
expect replay_until_big "too large"     "$tapvm" replay --until 18446744073709551616 "$tmp/good.tapj"
expect dump_from_neg    "not a count"     "$tapvm" journal dump --from -1 "$tmp/good.tapj"
expect dump_bad_kind    "unknown event kind"  "$tapvm" journal dump --kind nosuch "$tmp/good.tapj"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
