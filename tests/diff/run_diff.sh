#!/usr/bin/env bash
# Differential test: runs each signature program on tapvm and on QEMU and
# compares the signatures line by line (the lines between "BEGIN <name>" and
# "END <name>"; see sig.h).
#
# usage: run_diff.sh [--engine interp|jit] [--break-insn MNEMONIC] TAPVM ELF...
# Exit status: 0 when every program matches (or QEMU is not installed, which
# is reported as SKIPPED), 1 on any difference or failed run, 2 on misuse.
# --break-insn runs tapvm with that instruction deliberately broken and
# inverts the verdict: exit 0 only if every program then differs (the proof
# that the signature catches the bug).
# --engine picks tapvm's engine (jit translates every block at once,
# --jit-hot-after 1, so these short programs run translated).
# Each program runs well under 20M instructions; tapvm stops at 200M (a
# broken instruction can make a program loop).
# Environment: DIFF_KEEP_DIR=<dir> keeps both raw outputs there.
set -u
engine_args=()
if [ "${1:-}" = --engine ] && [ $# -ge 2 ]; then
  engine_args=(--engine "$2")
  [ "$2" = jit ] && engine_args+=(--jit-hot-after 1)
  shift 2
fi
break_insn=""
if [ "${1:-}" = --break-insn ] && [ $# -ge 2 ]; then
  break_insn=$2
  shift 2
fi
if [ $# -lt 2 ]; then
  echo "usage: $0 [--engine interp|jit] [--break-insn MNEMONIC] TAPVM ELF..." >&2
  exit 2
fi
tapvm=$1
shift
tapvm_args=("${engine_args[@]}")
[ -n "$break_insn" ] && tapvm_args+=(--break-insn "$break_insn")
qemu=qemu-system-riscv64
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "SKIPPED: $qemu not installed"
  exit 0
fi
if [ ! -x "$tapvm" ]; then
  echo "error: tapvm binary '$tapvm' is not executable" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=${DIFF_KEEP_DIR:-}
[ -n "$keep" ] && mkdir -p "$keep"

# signature FILE: the lines from BEGIN to END, without carriage returns (and
# without any "tapvm: ..." message the emulator itself may print).
signature() { tr -d '\r' <"$1" | sed -n '/^BEGIN /,/^END /p' | grep -v '^tapvm: '; }

# check_run WHO RC OUT ERR SIG: the run exited 0 and printed a complete
# signature.
check_run() {
  local who=$1 rc=$2 out=$3 err=$4 sig=$5
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $who exited with status $rc; last output:"
    tr -d '\r' <"$out" | tail -5 | sed 's/^/  out: /'
    tail -5 "$err" | sed 's/^/  err: /'
    return 1
  fi
  if ! grep -q '^END ' "$sig"; then
    echo "FAIL: $who printed no complete signature (no END line); last output:"
    tr -d '\r' <"$out" | tail -5 | sed 's/^/  /'
    return 1
  fi
}

status=0
caught=0  # programs whose tapvm run failed or differed
for elf in "$@"; do
  name=$(basename "$elf" .elf)
  echo "== $name"
  timeout 120 "$tapvm" run --bios "$elf" --max-insns 200000000 "${tapvm_args[@]}" \
    </dev/null >"$tmp/tapvm.out" 2>"$tmp/tapvm.err"
  trc=$?
  timeout 60 "$qemu" -M virt -bios none -display none -monitor none -serial stdio \
    -kernel "$elf" </dev/null >"$tmp/qemu.out" 2>"$tmp/qemu.err"
  qrc=$?
  if [ -n "$keep" ]; then
    cp "$tmp/tapvm.out" "$keep/$name.tapvm.out"
    cp "$tmp/qemu.out" "$keep/$name.qemu.out"
  fi
  signature "$tmp/tapvm.out" >"$tmp/tapvm.sig"
  signature "$tmp/qemu.out" >"$tmp/qemu.sig"
  # QEMU is the reference: if it fails, the program (not tapvm) is broken.
  if ! check_run QEMU $qrc "$tmp/qemu.out" "$tmp/qemu.err" "$tmp/qemu.sig"; then
    status=1
    continue
  fi
  tapvm_ok=1
  check_run tapvm $trc "$tmp/tapvm.out" "$tmp/tapvm.err" "$tmp/tapvm.sig" || tapvm_ok=0
  # Even after a failed run, the common prefix shows where tapvm went wrong.
  first=$(awk 'NR == FNR { q[FNR] = $0; nq = FNR; next }
               { if (!(FNR in q) || q[FNR] != $0) { print FNR; found = 1; exit } }
               END { if (!found && FNR < nq) print FNR + 1 }' \
              "$tmp/qemu.sig" "$tmp/tapvm.sig")
  if [ -z "$first" ] && [ $tapvm_ok -eq 1 ]; then
    echo "ok: $name: $(wc -l <"$tmp/qemu.sig") signature lines identical"
    continue
  fi
  status=1
  caught=$((caught + 1))
  if [ -n "$first" ]; then
    ndiff=$(diff "$tmp/qemu.sig" "$tmp/tapvm.sig" | grep -c '^<')
    echo "FAIL: $name: signatures differ from line $first on ($ndiff lines differ in all)"
    from=$((first > 3 ? first - 3 : 1))
    echo "  context (identical):"
    sed -n "${from},$((first - 1))p" "$tmp/qemu.sig" | sed 's/^/    /'
    line_or_end() { sed -n "${first}p" "$1" | grep . || echo "(end of signature)"; }
    echo "  QEMU : $(line_or_end "$tmp/qemu.sig")"
    echo "  tapvm: $(line_or_end "$tmp/tapvm.sig")"
  fi
done
if [ -n "$break_insn" ]; then
  if [ $caught -eq $# ]; then
    echo "ok: with '$break_insn' broken, every program's signature differs"
    exit 0
  fi
  echo "FAIL: with '$break_insn' broken, $(($# - caught)) of $# programs still match"
  exit 1
fi
exit $status
