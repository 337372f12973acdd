#!/usr/bin/env bash
# Configures and builds tapvm and its tests in build/ (Release, Ninja).
# Extra arguments are passed to cmake (e.g. -DTAPVM_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
# cmake's output goes to build/cmake.log, not to a file in the source tree.
mkdir -p build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" > build/cmake.log 2>&1 || { cat build/cmake.log; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build build -j "$jobs"
