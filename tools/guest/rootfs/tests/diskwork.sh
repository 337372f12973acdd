# A disk workload for record/replay tests that go live midway: eight steps,
# each writing ~140 KiB of deterministic data (seq output) to its own
# 512 KiB extent of the raw disk /dev/vda (from 1 MiB on), with a sync and
# a line of console output. Needs a scratch disk: it overwrites whatever
# filesystem is there. The disk's final content depends only on this
# script, so a run that went live midway must end with the same disk as a
# plain run.
set -e
i=0
while [ $i -lt 8 ]; do
  seq $((i * 100000)) $((i * 100000 + 20000)) > /tmp/chunk
  dd if=/tmp/chunk of=/dev/vda bs=4096 seek=$((256 + i * 128)) conv=notrunc 2>/dev/null
  sync
  echo "diskwork: step $i $(md5sum < /tmp/chunk)"
  i=$((i + 1))
done
echo "diskwork: disk $(dd if=/dev/vda bs=4096 skip=256 count=1024 2>/dev/null | md5sum)"
