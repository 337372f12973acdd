#!/usr/bin/env bash
# Installs every Debian package tapvm needs to build, test and build its
# guests. Idempotent: installs only what is missing, runs apt-get update only
# when something is. Run as root or with sudo available.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache git
  # libraries
  libspdlog-dev libfmt-dev libcli11-dev libxxhash-dev liburing-dev liblmdb-dev
  capnproto libcapnp-dev libfdt-dev libcurl4-openssl-dev nlohmann-json3-dev
  # the JIT's x86-64 assembler (emulator/cpu/jit)
  libasmjit-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # bare-metal RISC-V test programs
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  # test drivers (debugfs reads the guest's ext2 disk after a run; etcd:
  # the FT tests run a real one for the etcd arbiter)
  python3 e2fsprogs etcd-server
  # the gdb stub's end-to-end tests (tests/gdb) attach gdb-multiarch
  gdb-multiarch
  # block layer: fio is the io_uring benchmark's peer; socat is a real
  # client of the QMP control socket
  fio socat
  # reference emulator for differential tests and benchmarks (never a dependency of tapvm)
  qemu-system-misc
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
