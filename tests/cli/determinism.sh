#!/usr/bin/env bash
# The same program run twice ends with the same instruction count and the
# same hart state digest (timer interrupts included: the benchmark's runtime
# takes none, so this also runs an interrupt-driven ISA program).
# usage: determinism.sh TAPVM ELF...
set -u
tapvm=$1
shift
fails=0 passes=0
for elf in "$@"; do
  a=$("$tapvm" run --bios "$elf" --stats 2>&1 >/dev/null | grep -o 'icount=[0-9]* .*digest=[0-9a-f]*' | sed 's/seconds=[^ ]* mips=[^ ]* //')
  b=$("$tapvm" run --bios "$elf" --stats 2>&1 >/dev/null | grep -o 'icount=[0-9]* .*digest=[0-9a-f]*' | sed 's/seconds=[^ ]* mips=[^ ]* //')
  if [ -n "$a" ] && [ "$a" = "$b" ]; then
    echo "same: $(basename "$elf"): $a"
    passes=$((passes + 1))
  else
    echo "DIFFERENT: $(basename "$elf"): '$a' vs '$b'"
    fails=$((fails + 1))
  fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
