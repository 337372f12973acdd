#!/usr/bin/env bash
# MIPS benchmark: tapvm against QEMU on the same guest ELF.
#
# usage: mips_bench.sh TAPVM ELF [RUNS]   (RUNS defaults to 3)
#        mips_bench.sh none ELF [RUNS]    (QEMU only; see below)
#
# Runs the ELF RUNS times on each emulator, alternating them so that noise
# from other work on the machine hits both alike, and prints the median MIPS
# of each and the ratio tapvm/QEMU. It also checks that every run printed the
# same checksum lines (tapvm and QEMU, every run).
#
# Instruction count: tapvm reports it (`--stats`: icount=N seconds=S mips=M).
# QEMU does not, so QEMU's MIPS is tapvm's icount divided by QEMU's wall time
# (both execute the same ELF, so the same instructions); that wall time
# includes QEMU's start-up, a few tens of milliseconds. For a like-for-like
# ratio tapvm is measured the same way (icount / wall time, start-up
# included); its self-reported MIPS is shown beside it.
# On a busy machine wall time mostly measures the other load, so each run's
# CPU time (user + system, from /usr/bin/time when installed) gives a second
# figure, MIPS per CPU second, and a second ratio.
# With TAPVM = "none" the instruction count comes instead from one extra QEMU
# run with -icount shift=0, where the guest's "# minstret N" line is exact.
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 TAPVM|none ELF [RUNS]" >&2
  exit 2
fi
tapvm=$1 elf=$2 runs=${3:-3}
qemu=qemu-system-riscv64
timeout_s=900
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$tapvm" != none ] && [ ! -x "$tapvm" ]; then
  echo "error: tapvm binary '$tapvm' is not executable" >&2
  exit 2
fi
have_qemu=1
if ! command -v "$qemu" >/dev/null 2>&1; then
  have_qemu=0
  echo "QEMU: SKIPPED: $qemu not installed; measuring tapvm only"
  if [ "$tapvm" = none ]; then exit 0; fi
fi

now() { date +%s.%N; }
have_time=0
[ -x /usr/bin/time ] && have_time=1
# timed OUT ERR CMD...: runs CMD; sets rc, wall (seconds) and cpu (user +
# system seconds, empty without /usr/bin/time).
timed() {
  local out=$1 err=$2 t0 t1
  shift 2
  t0=$(now)
  if [ $have_time -eq 1 ]; then
    /usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >"$out" 2>"$err"
  else
    "$@" >"$out" 2>"$err"
  fi
  rc=$?
  t1=$(now)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  cpu=""
  if [ $have_time -eq 1 ]; then
    cpu=$(awk '{c = $1 + $2} END {printf "%.2f", c}' "$tmp/cpu")
  fi
}
mips_of() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.1f", n / s / 1e6}'; }
checksums() { tr -d '\r' <"$1" | grep -E '^[a-z0-9_]+ [0-9a-f]{16}$'; }
# Median of numbers on stdin (mean of the middle two for an even count).
median() {
  sort -g | awk '{v[NR] = $1} END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
stat_field() { sed -n "s/.*tapvm: stats:.*[[:space:]]$1=\([0-9.e+]*\).*/\1/p" "$2" | tail -1; }
qemu_cmd=(timeout "$timeout_s" "$qemu" -M virt -bios none -display none -monitor none
          -serial stdio -kernel "$elf")
fail=0
same_checksums() {  # same_checksums LABEL OUTPUT
  checksums "$2" >"$tmp/sums"
  if [ ! -s "$tmp/ref" ]; then
    cp "$tmp/sums" "$tmp/ref"
    if [ ! -s "$tmp/ref" ]; then
      echo "FAIL: $1 printed no checksum lines"
      fail=1
    fi
  elif ! diff -u "$tmp/ref" "$tmp/sums" >"$tmp/diff"; then
    echo "FAIL: $1 printed different checksums from the first run:"
    cat "$tmp/diff"
    fail=1
  fi
}

icount=""
if [ "$tapvm" = none ]; then
  echo "counting instructions: one QEMU run with -icount shift=0 ..."
  "${qemu_cmd[@]}" -icount shift=0 </dev/null >"$tmp/count" 2>"$tmp/count.err"
  icount=$(tr -d '\r' <"$tmp/count" | sed -n 's/^# minstret \([0-9]*\)$/\1/p' | tail -1)
  if [ -z "$icount" ]; then
    echo "error: the guest printed no '# minstret N' line" >&2
    exit 1
  fi
  same_checksums "QEMU -icount" "$tmp/count"
fi

: >"$tmp/tapvm_wall_mips"
: >"$tmp/tapvm_self_mips"
: >"$tmp/tapvm_cpu"
: >"$tmp/qemu_secs"
: >"$tmp/qemu_cpu"
for ((i = 1; i <= runs; ++i)); do
  if [ "$tapvm" != none ]; then
    timed "$tmp/t.out" "$tmp/t.err" "$tapvm" run --bios "$elf" --stats </dev/null
    if [ $rc -ne 0 ]; then
      echo "FAIL: tapvm run $i exited with status $rc"
      tail -n 5 "$tmp/t.out" "$tmp/t.err"
      exit 1
    fi
    n=$(stat_field icount "$tmp/t.err")
    self=$(stat_field mips "$tmp/t.err")
    if [ -z "$n" ]; then
      echo "error: tapvm printed no 'tapvm: stats: icount=...' line" >&2
      exit 1
    fi
    if [ -n "$icount" ] && [ "$n" != "$icount" ]; then
      echo "FAIL: tapvm icount changed between runs: $icount then $n"
      fail=1
    fi
    icount=$n
    wmips=$(mips_of "$n" "$wall")
    echo "run $i: tapvm icount=$n wall=${wall}s cpu=${cpu:-?}s" \
         "mips(wall)=$wmips mips(self)=${self:-?}"
    echo "$wmips" >>"$tmp/tapvm_wall_mips"
    [ -n "$self" ] && echo "$self" >>"$tmp/tapvm_self_mips"
    [ -n "$cpu" ] && echo "$cpu" >>"$tmp/tapvm_cpu"
    same_checksums "tapvm run $i" "$tmp/t.out"
  fi
  if [ $have_qemu -eq 1 ]; then
    timed "$tmp/q.out" "$tmp/q.err" "${qemu_cmd[@]}" </dev/null
    if [ $rc -ne 0 ]; then
      echo "FAIL: QEMU run $i exited with status $rc"
      tail -n 5 "$tmp/q.out" "$tmp/q.err"
      exit 1
    fi
    echo "run $i: QEMU  wall=${wall}s cpu=${cpu:-?}s mips(wall)=$(mips_of "$icount" "$wall")" \
         "(icount / QEMU time)"
    echo "$wall" >>"$tmp/qemu_secs"
    [ -n "$cpu" ] && echo "$cpu" >>"$tmp/qemu_cpu"
    same_checksums "QEMU run $i" "$tmp/q.out"
  fi
done

echo "---- $(basename "$elf"), $runs runs, icount=$icount"
if [ "$tapvm" != none ]; then
  tw=$(median <"$tmp/tapvm_wall_mips")
  ts=$(median <"$tmp/tapvm_self_mips")
  echo "tapvm median MIPS: $tw (wall clock, start-up included); self-reported: $ts"
  if [ -s "$tmp/tapvm_cpu" ]; then
    tc=$(mips_of "$icount" "$(median <"$tmp/tapvm_cpu")")
    echo "tapvm median MIPS per CPU second: $tc"
  fi
fi
if [ $have_qemu -eq 1 ]; then
  qs=$(median <"$tmp/qemu_secs")
  qm=$(mips_of "$icount" "$qs")
  echo "QEMU  median MIPS: $qm (icount / median wall time ${qs}s, start-up included)"
  if [ -s "$tmp/qemu_cpu" ]; then
    qc=$(mips_of "$icount" "$(median <"$tmp/qemu_cpu")")
    echo "QEMU  median MIPS per CPU second: $qc"
  fi
  if [ "$tapvm" != none ]; then
    awk -v t="$tw" -v q="$qm" 'BEGIN {printf "ratio tapvm/QEMU (wall): %.2f\n", t / q}'
    if [ -n "${tc:-}" ] && [ -n "${qc:-}" ]; then
      awk -v t="$tc" -v q="$qc" 'BEGIN {printf "ratio tapvm/QEMU (CPU):  %.2f\n", t / q}'
    fi
  fi
fi
if [ $fail -ne 0 ]; then
  echo "FAIL: checksums differ between runs or emulators"
  exit 1
fi
echo "checksums: identical in every run ($(wc -l <"$tmp/ref") lines)"
