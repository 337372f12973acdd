// Loading a program image (ELF64 RISC-V, or a raw binary) into guest memory.
//
// Works on bytes already read by the caller (the emulator reads no files):
// every header field is checked against the buffer and the bus before use,
// so a malformed or hostile image gives a clear Status, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "emulator/base/status.h"
#include "emulator/machine/bus.h"

namespace tapvm {

struct LoadedImage {
  uint64_t entry = 0;
  uint64_t lowest = 0, highest = 0;  // address range written
  // HTIF mailbox addresses, when the ELF defines these symbols.
  std::optional<uint64_t> tohost, fromhost;
};

// True when `image` starts with the ELF magic.
bool IsElf(std::span<const uint8_t> image);

// Loads the PT_LOAD segments of an ELF64 little-endian RISC-V executable.
// Every segment must lie inside one memory region of the bus.
Status LoadElf(std::span<const uint8_t> image, Bus* bus, LoadedImage* out);

// Copies a raw binary to `addr` (entry = addr).
Status LoadRaw(std::span<const uint8_t> image, uint64_t addr, Bus* bus, LoadedImage* out);

}  // namespace tapvm
