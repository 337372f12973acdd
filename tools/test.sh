#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings
# as errors, and runs every test (unit, ISA, mutation, differential, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh -DTAPVM_WERROR=ON
jobs=$(nproc 2>/dev/null || echo 2)
cd build
ctest --output-on-failure -j "$jobs" "$@"
