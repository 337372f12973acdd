# A CPU, memory and console workload for the record/replay benchmark
# (tests/bench/record_bench.py): compression, hashing, sorting and process
# creation, with a line of console output per step. Uses no device beyond
# the console, so QEMU's record/replay can run it too. About 0.3 billion
# guest instructions.
set -e
echo "workload: start"
dd if=/dev/zero of=/tmp/zero bs=64k count=32 2>/dev/null
gzip -c /tmp/zero > /tmp/zero.gz
echo "workload: gzip $(wc -c < /tmp/zero.gz) bytes"
seq 1 40000 | sort -rn > /tmp/sorted
echo "workload: sort $(head -n 1 /tmp/sorted) $(md5sum < /tmp/sorted)"
i=0
while [ $i -lt 200 ]; do
  i=$((i + 1))
  echo "line $i $((i * i))" >> /tmp/lines
done
echo "workload: shell $(sha256sum < /tmp/lines)"
awk 'BEGIN { s = 0; for (i = 1; i <= 100000; i++) s += i % 7; print "workload: awk", s }'
for n in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done
echo "workload: done"
