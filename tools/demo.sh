#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the
# main job. Today that is the MIPS benchmark guest (integer, memory and
# floating-point kernels) on tapvm; it prints its checksums and tapvm's speed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
exec build/tools/tapvm/tapvm run --bios build/tests/bench/mips/mips-bench-small.elf --stats
