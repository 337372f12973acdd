#!/usr/bin/env bash
# `tapvm journal reblock` on a recording of the Linux disk workload
# (tapvm.script=diskwork: raw writes to /dev/vda in eight synced steps, then
# a 4 MiB read back): it passes through both backends, its final image is
# byte for byte the disk the recorded run left, and it fails — exit 1,
# naming the request — when the journal's recorded read data is changed,
# and refuses (exit 2) a journal whose stored disk image is damaged.
# Prints the throughput figures.
# usage: reblock_linux_test.sh TAPVM JOURNAL_EDIT GUEST_DIR
set -uo pipefail
tapvm=$1 edit=$2 guest=$3
# Under the working directory (the build tree), not /tmp: cache=none needs
# a file system with O_DIRECT, which tmpfs is not.
work=$(mktemp -d -p "$PWD")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp "$guest/disk.img" "$work/rec.img"
"$tapvm" record -o "$work/j.tapj" --guest-dir "$guest" --append "console=ttyS0 tapvm.script=diskwork" \
  --drive "file=$work/rec.img" --timeout 300 >"$work/rec.out" 2>"$work/rec.err" || { cat "$work/rec.err"; fail "record"; }
grep -q "TAPVM-TEST-EXIT diskwork 0" "$work/rec.out" || fail "the recorded workload did not finish"

# Both backends pass; the reblocked image is the recorded run's disk.
for aio in threads io_uring; do
  "$tapvm" journal reblock "$work/j.tapj" --aio "$aio" --image-dir "$work/img-$aio" >"$work/rb-$aio.out" 2>&1
  rc=$?
  cat "$work/rb-$aio.out"
  if [ "$aio" = io_uring ] && [ $rc -eq 2 ] && grep -q "io_uring unavailable" "$work/rb-$aio.out"; then
    echo "io_uring unavailable on this host: its reblock is skipped"
    continue
  fi
  [ $rc -eq 0 ] || fail "reblock --aio $aio exited $rc"
  grep -q "^PASS: " "$work/rb-$aio.out" || fail "no PASS verdict (aio=$aio)"
  grep -Eq "^throughput .* MB/s, [0-9]+ requests/s \(aio=$aio, cache=writeback\)" "$work/rb-$aio.out" \
    || fail "no throughput line (aio=$aio)"
  cmp "$work/img-$aio/drive0.img" "$work/rec.img" || fail "the reblocked image (aio=$aio) is not the recorded disk"
done
# Host faults (short transfers, EAGAIN, delays) must pass unseen through
# either backend, with the host page cache or without it (cache=none:
# O_DIRECT through aligned bounce buffers); an EIO where the recording read
# fine is a mismatch.
host_faults="read:short:every=3;write:short:every=2;any:eagain:every=4;any:delay=1ms:every=5"
for aio in threads io_uring; do
  for cache in writeback none; do
    "$tapvm" journal reblock "$work/j.tapj" --aio "$aio" --cache "$cache" --inject "$host_faults" \
      >"$work/rbf.out" 2>&1
    rc=$?
    cat "$work/rbf.out"
    if [ "$aio" = io_uring ] && [ $rc -eq 2 ] && grep -q "io_uring unavailable" "$work/rbf.out"; then continue; fi
    [ $rc -eq 0 ] || fail "reblock --aio $aio --cache $cache with host faults exited $rc"
    n=$(sed -n 's/^injected *\([0-9]*\) host fault.*/\1/p' "$work/rbf.out")
    [ "${n:-0}" -ge 10 ] || fail "only ${n:-0} host faults injected (aio=$aio cache=$cache)"
  done
  "$tapvm" journal reblock "$work/j.tapj" --aio "$aio" --inject "read:eio:every=2" >"$work/rbe.out" 2>&1
  rc=$?
  if [ "$aio" = io_uring ] && [ $rc -eq 2 ] && grep -q "io_uring unavailable" "$work/rbe.out"; then continue; fi
  [ $rc -eq 1 ] || { cat "$work/rbe.out"; fail "reblock --aio $aio with injected EIO exited $rc, expected 1"; }
  grep -q "^MISMATCH .*read" "$work/rbe.out" || { cat "$work/rbe.out"; fail "the EIO mismatch names no read"; }
done

reads=$(sed -n 's/^requests *[0-9]* (\([0-9]*\) reads.*/\1/p' "$work/rb-threads.out")
[ "${reads:-0}" -ge 1 ] || fail "the workload recorded no reads"

# Recorded read data changed (a journal that verifies, telling another
# story): reblock fails and names the request.
read -r seq icount < <("$edit" "$work/j.tapj" "$work/edited.tapj" block_read) || fail "journal_edit"
"$tapvm" journal reblock "$work/edited.tapj" >"$work/edited.out" 2>&1
rc=$?
cat "$work/edited.out"
[ $rc -eq 1 ] || fail "a changed recorded read gave exit $rc, expected 1"
grep -q "^MISMATCH    request #$seq @$icount dev=1 id=[0-9]* read offset=[0-9]* length=[0-9]*: data differ from the recording at byte 0 " \
  "$work/edited.out" || fail "the mismatch does not name request #$seq @$icount"
grep -q "^FAIL: 1 request(s) answered differently" "$work/edited.out" || fail "no FAIL verdict"

# A damaged stored disk image: refused, exit 2, saying which image.
python3 - "$work/j.tapj" "$guest/disk.img" "$work/baddisk.tapj" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
disk = open(sys.argv[2], "rb").read()
pos = data.find(disk[1024:1088])  # the ext2 superblock: stored once, in a chunk
assert pos >= 0, "disk image bytes not found in the journal"
data[pos + 8] ^= 0x10
open(sys.argv[3], "wb").write(data)
PY
"$tapvm" journal reblock "$work/baddisk.tapj" >"$work/bad.out" 2>&1
rc=$?
cat "$work/bad.out"
[ $rc -eq 2 ] || fail "a damaged disk image gave exit $rc, expected 2"
grep -qi "image disk" "$work/bad.out" || fail "the message does not name the disk image"
echo "PASS: reblock passes on both backends with the recorded disk as result, and with host faults (cache=writeback and none); an injected EIO fails; a changed read (#$seq) fails; a damaged image is refused"
