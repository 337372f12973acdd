#!/bin/bash
# Runs engine_diff_fuzz with the arguments given and passes only if it
# reports a difference (exit 1 with a DIFFERENCE report): for engines that
# are broken on purpose, proof that the fuzzer catches a wrong instruction.
out=$("$@" 2>&1)
rc=$?
echo "$out" | head -40
if [ $rc -eq 1 ] && grep -q '^DIFFERENCE' <<<"$out"; then
  echo "caught, as it must be"
  exit 0
fi
echo "FAIL: expected a reported difference, got exit $rc" >&2
exit 1
