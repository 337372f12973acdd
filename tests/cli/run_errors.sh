#!/usr/bin/env bash
# Bad input to `tapvm run` gets a clear message and a non-zero exit, never a
# crash; guest outcomes map to exit statuses.
# usage: run_errors.sh TAPVM ELF_DIR
set -u
tapvm=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

# expect NAME WANT_RC PATTERN -- CMD...
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
    passes=$((passes + 1))
  else
    fails=$((fails + 1))
    echo "FAIL $name: exit $rc (want $want), output:"
    echo "$out" | head -5
  fi
}

# expect_err NAME WANT_RC PATTERN -- CMD...: as expect, and the message is on
# standard error with nothing on standard output.
expect_err() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local rc
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq "$want" ] && grep -qE -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    passes=$((passes + 1))
  else
    fails=$((fails + 1))
    echo "FAIL $name: exit $rc (want $want); stdout:"
    head -3 "$tmp/out"
    echo "stderr:"
    head -3 "$tmp/err"
  fi
}

head -c 3000 /dev/urandom > "$tmp/garbage.bin"
printf '\x7fELF\x02\x01\x01' > "$tmp/short.elf"
cp "$dir/cli-spin.elf" "$tmp/corrupt.elf"
# Point the program headers far past the end of the file.
printf '\xff\xff\xff\x00' | dd of="$tmp/corrupt.elf" bs=1 seek=32 conv=notrunc 2>/dev/null

spin=$dir/cli-spin.elf
for t in inf 1e300 -1 nan; do
  expect_err "timeout-$t" 2 "'$t' is not a number of seconds" -- "$tapvm" run --bios "$spin" --timeout "$t"
done
expect_err max-insns-negative 2 "not a count" -- "$tapvm" run --bios "$spin" --max-insns -1
expect_err max-insns-huge 2 "too large" -- "$tapvm" run --bios "$spin" --max-insns 18446744073709551616
expect_err digest-interval-negative 2 "not a count" -- "$tapvm" record -o "$tmp/x.tapj" --digest-interval -5 --bios "$spin"
expect_err record-empty-path 2 "journal path is empty" -- "$tapvm" record -o "" --bios "$spin"
expect_err bad-memory 2 "bad memory size '12Q'" -- "$tapvm" run --bios "$spin" -m 12Q
for v in yes ON maybe; do
  expect_err "readonly-$v" 2 "readonly must be on, off, true or false \\(got '$v'\\)" -- \
    "$tapvm" run --bios "$spin" --kernel "$spin" --drive "file=$spin,readonly=$v"
done
# Throttling options: QEMU's names and validation, the option named.
thr() { "$tapvm" run --bios "$spin" --kernel "$spin" --drive "file=$spin,readonly=on,$1"; }
expect_err throttle-negative 2 "throttling.bps-read must be a whole number of bytes per second \(got '-1'\)" -- thr throttling.bps-read=-1
expect_err throttle-not-number 2 "throttling.iops-total must be a whole number of operations per second" -- thr throttling.iops-total=fast
expect_err throttle-total-and-read 2 "throttling.bps-total cannot be used together with throttling.bps-read" -- \
  thr throttling.bps-total=100,throttling.bps-read=10
expect_err throttle-max-below-avg 2 "throttling.iops-write-max \(5\) cannot be lower than throttling.iops-write" -- \
  thr throttling.iops-write=10,throttling.iops-write-max=5
expect_err throttle-length-without-max 2 "throttling.bps-write-max-length needs throttling.bps-write-max" -- \
  thr throttling.bps-write=10,throttling.bps-write-max-length=3
expect_err throttle-unknown 2 "unknown throttling option 'throttling.bps'" -- thr throttling.bps=10
cp "$spin" "$tmp/g1.img"; cp "$spin" "$tmp/g2.img"
expect_err throttle-group-mismatch 2 "drives 0 and 1 are in throttling.group=g" -- \
  "$tapvm" run --bios "$spin" --kernel "$spin" --drive "file=$tmp/g1.img,throttling.iops-total=10,throttling.group=g" \
  --drive "file=$tmp/g2.img,throttling.iops-total=20,throttling.group=g"
expect_err kernel-not-riscv-image 2 "ELF file for another machine \\(e_machine 62\\)" -- "$tapvm" run --bios "$spin" --kernel /bin/ls
expect_err kernel-riscv-elf 2 "RISC-V ELF \\(vmlinux\\?\\); boot the Image" -- "$tapvm" run --bios "$spin" --kernel "$spin"
printf 'MZ not a kernel at all, just some bytes that go on long enough to pass offset 64.' > "$tmp/notimage"
expect_err kernel-no-magic 2 "not a RISC-V Linux Image" -- "$tapvm" run --bios "$spin" --kernel "$tmp/notimage"
: > "$tmp/empty"
expect_err kernel-empty 2 "kernel image is empty" -- "$tapvm" run --bios "$spin" --kernel "$tmp/empty"
expect_err cannot-record 2 "cannot record to" -- "$tapvm" record -o "$tmp/no/such/dir/x.tapj" --bios "$spin"
# A recording that fails to start leaves no file behind.
expect_err record-bad-kernel 2 "kernel image is empty" -- "$tapvm" record -o "$tmp/nofile1.tapj" --bios "$spin" --kernel "$tmp/empty"
expect_err record-missing-disk 2 "cannot record" -- "$tapvm" record -o "$tmp/nofile2.tapj" --bios "$spin" --kernel "$spin" --drive "file=$tmp/nodisk.img"
for f in nofile1 nofile2; do
  if [ -e "$tmp/$f.tapj" ]; then fails=$((fails + 1)); echo "FAIL $f: a failed recording left $f.tapj behind"; else passes=$((passes + 1)); fi
done
# --force never destroys a journal another recorder is writing.
"$tapvm" record -o "$tmp/busy.tapj" --bios "$spin" --timeout 4 >/dev/null 2>&1 &
busy=$!
sleep 1
expect_err force-busy 2 "another process is using that journal" -- \
  "$tapvm" record --force -o "$tmp/busy.tapj" --bios "$spin" --max-insns 1000
wait $busy
if "$tapvm" journal verify "$tmp/busy.tapj" 2>&1 | grep -q "^OK"; then passes=$((passes + 1)); else
  fails=$((fails + 1)); echo "FAIL force-busy: the first recording's journal does not verify"; fi
# A writable disk image is locked: not twice in one machine, not by two tapvm.
cp "$spin" "$tmp/disk.img"
expect_err disk-twice 2 "image is in use" -- \
  "$tapvm" run --bios "$spin" --kernel "$spin" --drive "file=$tmp/disk.img" --drive "file=$tmp/disk.img"
exec 9<"$tmp/disk.img"
flock -x 9  # another process holding the image, as a second tapvm would
expect_err disk-held 2 "image is in use" -- "$tapvm" run --bios "$spin" --kernel "$spin" --drive "file=$tmp/disk.img"
exec 9<&-
wait
expect missing-file 2 "does not exist|cannot open" -- "$tapvm" run --bios "$tmp/nope.elf"
expect truncated-elf 2 "too short" -- "$tapvm" run --bios "$tmp/short.elf"
expect corrupt-elf 2 "outside the file" -- "$tapvm" run --bios "$tmp/corrupt.elf"
expect segment-outside-ram 2 "outside guest RAM" -- "$tapvm" run --bios "$dir/cli-outside.elf"
expect max-insns 124 "instruction limit of 100000 reached" -- "$tapvm" run --bios "$dir/cli-spin.elf" --max-insns 100000
expect bad-memory-size 2 "bad memory size" -- "$tapvm" run --bios "$dir/cli-spin.elf" -m 12X
expect unknown-option 2 "" -- "$tapvm" run --bios "$dir/cli-spin.elf" --no-such-option
expect no-subcommand 2 "" -- "$tapvm"
expect guest-fail-code 7 "guest reported failure \(code 7\)" -- "$tapvm" run --bios "$dir/cli-fail7.elf"
expect pio-debug-exit 7 "debug-exit port: exit status 7" -- "$tapvm" run --bios "$dir/cli-pio_exit.elf"
expect htif-pass 0 "" -- "$tapvm" run --bios "$dir/cli-htif_pass.elf" --max-insns 10000000
# A raw binary is loaded at the RAM base: random bytes must end in a clean
# guest outcome (fault loop, limit), never a host crash.
"$tapvm" run --bios "$tmp/garbage.bin" --max-insns 1000000 > /dev/null 2>&1
rc=$?
if [ "$rc" -ge 128 ]; then echo "FAIL garbage: tapvm crashed (exit $rc)"; fails=$((fails + 1)); else passes=$((passes + 1)); fi
expect help 0 "Run a program" -- "$tapvm" --help
expect run-help 0 "--bios" -- "$tapvm" run --help
# An unknown command is named, with --help after it too (CLI11 alone would
# print the top-level help and exit 0).
expect unknown-command 2 "^tapvm: unknown command 'bogus' \(commands: run, record, replay, journal, ft\)$" -- "$tapvm" bogus
expect unknown-command-help 2 "^tapvm: unknown command 'bogus' \(commands: run, record, replay, journal, ft\)$" -- "$tapvm" bogus --help
expect unknown-ft-command 2 "^tapvm ft: unknown command 'bogus' \(commands: primary, secondary\)$" -- "$tapvm" ft bogus
expect ft-bad-listen 2 "--listen wants HOST:PORT, got 'nonsense'" -- "$tapvm" ft primary --listen nonsense --arbiter file:/tmp/tapvm-none.lock --guest-dir "$dir/no-guest"
expect ft-bad-arbiter 2 "bad arbiter spec \"bogus:x\"" -- "$tapvm" ft secondary --connect 127.0.0.1:9 --arbiter bogus:x -o /tmp/tapvm-none.tapj --guest-dir "$dir/no-guest"
expect ft-no-arbiter 2 "--arbiter is required" -- "$tapvm" ft primary --listen 127.0.0.1:1
expect unknown-journal-command 2 "^tapvm journal: unknown command 'bogus' \(commands: info, verify, dump, diff, compact, reblock, checkpoint, index\)$" -- "$tapvm" journal bogus --help

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
