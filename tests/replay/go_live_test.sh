#!/usr/bin/env bash
# A replay that goes live midway finishes the guest's disk workload with
# the disk a plain run gives. Records the guest running tapvm.script=diskwork
# (raw writes to /dev/vda in eight steps), replays it with --live-at set
# between the workload's writes on a fresh copy of the original disk, and
# compares that copy, after the live part, with the recorded disk and with
# the disk of a plain run. Also: a disk copy that is not the recorded image
# is refused.
# Usage: go_live_test.sh TAPVM GUEST_DIR
set -euo pipefail
tapvm=$1 guest=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
append="console=ttyS0 tapvm.script=diskwork"

cp "$guest/disk.img" "$work/rec.img"
"$tapvm" record -o "$work/j.tapj" --guest-dir "$guest" --append "$append" --drive "file=$work/rec.img" \
  --digest-interval 10000000 --timeout 300 >"$work/rec.out" 2>"$work/rec.err" || { cat "$work/rec.err"; fail "record"; }
grep -q "TAPVM-TEST-EXIT diskwork 0" "$work/rec.out" || fail "the recorded workload did not finish"

# Go live between the workload's first and last disk writes, just after a
# write was submitted and before its completion came: the live backend
# must take that request over.
"$tapvm" journal dump "$work/j.tapj" --kind block_request --kind block_completion >"$work/blocks.txt"
writes=$(grep -c 'type=write' "$work/blocks.txt" || true)
[ "$writes" -ge 8 ] || fail "expected >= 8 disk writes in the recording, got $writes"
# Any request (read or write) after the middle write whose completion comes
# later than the next instruction; a host under load may complete them all
# by then, and the test then goes live at the middle write, with nothing in
# flight (ReplayTapTest covers the hand-over deterministically).
live_at=$(awk -v half=$((writes / 2)) '
  { icount = substr($2, 2); id = ""; for (i = 3; i <= NF; i++) if ($i ~ /^id=/) id = $i }
  $3 == "block_request" && /type=write/ { n++; if (n == half) middle = icount }
  $3 == "block_request" && n >= half { pending[id] = icount }
  $3 == "block_completion" && (id in pending) {
    if (icount > pending[id] + 1) { print pending[id] + 1; found = 1; exit }
    delete pending[id]
  }
  END { if (!found) print middle + 1 }' "$work/blocks.txt")
[ -n "$live_at" ] || fail "no write to go live at"
echo "recorded $writes disk writes; going live at icount $live_at"

cp "$guest/disk.img" "$work/live.img"
"$tapvm" replay "$work/j.tapj" --live-at "$live_at" --drive "file=$work/live.img" >"$work/live.out" 2>"$work/live.err" \
  || { cat "$work/live.err"; fail "replay going live exited $?"; }
grep -q "going live with [0-9]* request(s) in flight" "$work/live.err" \
  || { cat "$work/live.err"; fail "no 'going live' line"; }
grep -o "going live with [0-9]* request(s) in flight" "$work/live.err"
grep -q "TAPVM-TEST-EXIT diskwork 0" "$work/live.out" || fail "the workload did not finish after going live"
cmp -s "$work/live.out" "$work/rec.out" || fail "console output of the live run differs from the recording"
cmp "$work/live.img" "$work/rec.img" || fail "the disk after going live differs from the recorded disk"

cp "$guest/disk.img" "$work/plain.img"
"$tapvm" run --guest-dir "$guest" --append "$append" --drive "file=$work/plain.img" --timeout 300 >/dev/null 2>&1 \
  || fail "plain run"
cmp "$work/plain.img" "$work/rec.img" || fail "the plain run's disk differs from the recorded disk"

# A copy that is not the recorded image: refused, with a message.
set +e
"$tapvm" replay "$work/j.tapj" --live-at "$live_at" --drive "file=$work/rec.img" >/dev/null 2>"$work/bad.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "a wrong disk copy gave exit $rc, expected 2"
grep -q "is not the disk image" "$work/bad.err" || { cat "$work/bad.err"; fail "no clear message for a wrong disk copy"; }
# A damaged stored disk image: verify names it, and replay refuses the
# journal (the replay never reads the disk, but a damaged image is a
# damaged journal).
python3 - "$work/j.tapj" "$guest/disk.img" "$work/baddisk.tapj" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
disk = open(sys.argv[2], "rb").read()
probe = disk[1024:1088]  # the ext2 superblock: not zeros, so stored once
pos = data.find(probe)
assert pos >= 0, "disk image bytes not found in the journal"
data[pos + 8] ^= 0x10
open(sys.argv[3], "wb").write(data)
PY
set +e
"$tapvm" journal verify "$work/baddisk.tapj" >"$work/v.out" 2>&1
rc_v=$?
"$tapvm" replay -q "$work/baddisk.tapj" >"$work/r.out" 2>&1
rc_r=$?
set -e
[ $rc_v -eq 1 ] && grep -q "FAILED" "$work/v.out" || { cat "$work/v.out"; fail "verify of a damaged disk image: exit $rc_v"; }
[ $rc_r -ne 0 ] && grep -qi "image disk" "$work/r.out" || { cat "$work/r.out"; fail "replay of a damaged disk image: exit $rc_r"; }
# Two damaged kernel chunks: verify lists both, not only the first.
python3 - "$work/j.tapj" "$guest/Image" "$work/bad2.tapj" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
image = open(sys.argv[2], "rb").read()
for off in (300000, 2000000):
    pos = data.find(image[off:off + 64])
    assert pos >= 0, "kernel bytes not found in the journal"
    data[pos + 8] ^= 0x10
open(sys.argv[3], "wb").write(data)
PY
set +e
"$tapvm" journal verify "$work/bad2.tapj" >"$work/v2.out" 2>&1
set -e
[ "$(grep -c 'damaged' "$work/v2.out")" -ge 2 ] || { cat "$work/v2.out"; fail "verify did not list both damaged chunks"; }
echo "PASS: went live at $live_at; disk equal to the recorded and the plain run's; damaged disk image refused; verify lists every problem"
