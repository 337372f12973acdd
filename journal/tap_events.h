// The one mapping from event-tap calls to journal event bodies.
//
// Every mode that journals or compares what the machine does (the
// recording tap, the replay tap, an FT secondary) builds its events here,
// so a tap call is encoded one way only. Inputs map with MakeInputEvent /
// ToTapInput (journal/event.h).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "emulator/tap.h"
#include "journal/event.h"

namespace tapvm::journal {

struct TapEvents {
  static EventBody BlockRequested(BlockRequest request) { return EventBody{std::move(request)}; }
  static EventBody FrameTransmitted(TapDeviceId dev, std::span<const uint8_t> frame) {
    return EventBody{NetFrameOut{dev, std::vector<uint8_t>(frame.begin(), frame.end())}};
  }
  static EventBody EntropyRequested(TapDeviceId dev, uint32_t max_bytes) {
    return EventBody{EntropyRequest{dev, max_bytes}};
  }
  static EventBody ConsoleWritten(TapDeviceId dev, std::span<const uint8_t> bytes) {
    return EventBody{ConsoleOut{dev, std::vector<uint8_t>(bytes.begin(), bytes.end())}};
  }
  static EventBody IoAccessed(EventTap::IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {
    IoAccess io;
    io.space = space == EventTap::IoSpace::kPio ? IoAccess::Space::kPio : IoAccess::Space::kMmio;
    io.is_write = is_write;
    io.dev = kMachineDevice;
    io.addr = addr;
    io.size = static_cast<uint8_t>(size);
    io.value = value;
    return EventBody{io};
  }
  static EventBody IrqDriven(unsigned line, bool level) { return EventBody{IrqLine{kMachineDevice, line, level}}; }
  static EventBody Digested(const MachineDigest& digest) {
    StateDigest d;
    d.value = digest.value;
    d.parts = DigestParts{digest.hart, digest.ram, digest.devices};
    return EventBody{d};
  }
  static EventBody Warped(uint64_t from_mtime, uint64_t to_mtime) { return EventBody{ClockWarp{from_mtime, to_mtime}}; }
};

}  // namespace tapvm::journal
