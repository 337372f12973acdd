// Builds the flattened device tree the board hands to firmware and kernel,
// with libfdt, from the devices actually present. Layout and compatible
// strings follow QEMU's riscv `virt` machine so OpenSBI's generic platform
// and Linux probe it unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm {

struct DeviceTreeConfig {
  uint64_t ram_base = 0x80000000;
  uint64_t ram_size = 0;
  uint32_t timebase_hz = 10'000'000;
  std::string isa = "rv64imafdc_zicsr_zifencei";
  std::string mmu_type = "riscv,sv48";
  std::string bootargs;
  uint64_t initrd_start = 0, initrd_end = 0;  // both 0: no initrd
  // virtio-mmio slots in use (index i: base 0x10001000 + 0x1000*i, irq 1+i).
  std::vector<unsigned> virtio_slots;
};

// Produces the DTB blob.
Status BuildDeviceTree(const DeviceTreeConfig& config, std::vector<uint8_t>* dtb);

}  // namespace tapvm
