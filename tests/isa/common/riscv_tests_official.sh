#!/usr/bin/env bash
# Builds programs of the official riscv-tests suite (not packaged in Debian)
# from a checkout named by RISCV_TESTS_DIR, with its "p" environment, the
# way its own Makefile does, and runs each on tapvm's interpreter and JIT.
# Without RISCV_TESTS_DIR it exits 77, which CTest reports as skipped.
# usage: riscv_tests_official.sh TAPVM SUITE/NAME...   (e.g. rv64mi/breakpoint)
#   RISCV_TESTS_DIR  a riscv-tests checkout with its env submodule
#   RISCV_GCC        the compiler (default riscv64-unknown-elf-gcc)
set -u
tapvm=$1
shift
if [ -z "${RISCV_TESTS_DIR:-}" ]; then
  echo "RISCV_TESTS_DIR is not set: skipped (point it at a riscv-tests checkout)"
  exit 77
fi
dir=$RISCV_TESTS_DIR
gcc=${RISCV_GCC:-riscv64-unknown-elf-gcc}
[ -f "$dir/env/p/riscv_test.h" ] || { echo "FAIL: no $dir/env/p/riscv_test.h (git submodule update --init?)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for t in "$@"; do
  suite=${t%%/*} name=${t#*/}
  elf=$work/$suite-p-$name
  if ! "$gcc" -march=rv64g -mabi=lp64 -static -mcmodel=medany -fvisibility=hidden -nostdlib -nostartfiles \
      -I"$dir/env/p" -I"$dir/isa/macros/scalar" -T"$dir/env/p/link.ld" "$dir/isa/$suite/$name.S" -o "$elf"; then
    echo "FAIL: $suite-p-$name does not build"
    failed=1
    continue
  fi
  for engine in interp jit; do
    out=$("$tapvm" run --bios "$elf" --max-insns 100000000 --engine "$engine" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
      echo "ok: $suite-p-$name passes ($engine)"
    else
      echo "FAIL: $suite-p-$name on $engine exited $rc: $(tail -1 <<<"$out")"
      failed=1
    fi
  done
done
exit $failed
