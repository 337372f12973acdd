#!/usr/bin/env bash
# Checks of `tapvm run|record --engine cosim` (tools/tapvm/cosim.h).
# usage: cosim_test.sh TAPVM MODE ELF [ARGS...]
#   pass ELF [RUN OPTIONS...]     the program passes and every check matched
#   diverge ELF INSN [OPTIONS...] with INSN broken in the engine under test,
#                                 cosim reports a divergence with its window
#                                 and exits 4 (not the guest's own failure)
#   fields ELF INSN [OPTIONS...]  as diverge, and the report names the
#                                 architectural fields that differ
#   record ELF [OPTIONS...]       a cosim recording replays bit-exactly
set -u
tapvm=$1 mode=$2 elf=$3
shift 3
name=$(basename "$elf")
fail() {
  echo "FAIL ($mode $name): $1"
  echo "$out" | tail -15
  exit 1
}
case "$mode" in
  pass)
    out=$("$tapvm" run --bios "$elf" --max-insns 200000000 --engine cosim --stats "$@" 2>&1)
    rc=$?
    [ $rc -eq 0 ] || fail "exit $rc, want 0"
    grep -q "matched the interpreter" <<<"$out" || fail "no cosim summary"
    checks=$(grep -o "cosim_checks=[0-9]*" <<<"$out" | cut -d= -f2)
    [ "${checks:-0}" -gt 0 ] || fail "no state check was done"
    echo "ok: $name under cosim: $checks checks matched"
    ;;
  diverge | fields)
    insn=$1
    shift
    out=$("$tapvm" run --bios "$elf" --max-insns 200000000 --engine cosim --break-insn "$insn" "$@" 2>&1)
    rc=$?
    [ $rc -eq 4 ] || fail "exit $rc, want 4 (a divergence)"
    grep -q "cosim DIVERGED" <<<"$out" || fail "no divergence report"
    grep -q "window icount [0-9]*\.\.[0-9]*" <<<"$out" || fail "the report names no window"
    if [ "$mode" = fields ]; then
      grep -q "architectural state differs" <<<"$out" || fail "not found as a state difference"
      grep -qE "^ +[a-z_]+(\[[0-9]+\])?: 0x[0-9a-f]+ vs 0x[0-9a-f]+" <<<"$out" || fail "no differing field named"
    fi
    echo "ok: breaking '$insn' in $name is caught: $(grep -o "window icount [0-9.]*" <<<"$out" | head -1)"
    ;;
  record)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    out=$("$tapvm" record -o "$tmp/j" --bios "$elf" --max-insns 200000000 --engine cosim "$@" 2>&1)
    rc=$?
    [ $rc -eq 0 ] || fail "cosim record: exit $rc"
    grep -q "matched the interpreter" <<<"$out" || fail "no cosim summary"
    for engine in interp jit; do
      out=$("$tapvm" replay -q "$tmp/j" --engine "$engine" 2>&1)
      rc=$?
      [ $rc -eq 0 ] || fail "replay of the cosim recording with $engine: exit $rc"
    done
    echo "ok: the cosim recording of $name replays with both engines"
    ;;
  *)
    echo "unknown mode $mode"
    exit 2
    ;;
esac
