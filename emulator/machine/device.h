// Device interfaces shared by the bus and every device model.
//
// A device model is registered on the bus for an address range in either the
// MMIO or the port-I/O space and sees only offsets into its own range. All
// guest accesses to devices go through Bus::Read/Bus::Write, the single
// dispatch point the event tap wraps. Device models run on the CPU thread and
// must be deterministic: their state changes only as a result of guest
// accesses, inputs delivered through the tap, and virtual time.
//
// A device must treat every access as hostile: any offset inside its range and
// any size of 1, 2, 4 or 8 bytes may arrive. Out-of-spec accesses return false
// (the hart raises an access fault) or are ignored, never crash.
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/base/state_hasher.h"
#include "emulator/base/state_io.h"
#include "emulator/base/status.h"

namespace tapvm {

class Device {
 public:
  virtual ~Device() = default;

  // A short stable name ("uart0", "clint"), used in logs and journals.
  virtual std::string_view name() const = 0;

  // `offset` is relative to the start of the device's range; `size` is 1, 2,
  // 4 or 8. Returns false when the access is not supported (the hart then
  // raises a load/store access fault).
  virtual bool Read(uint64_t offset, unsigned size, uint64_t* value) = 0;
  virtual bool Write(uint64_t offset, unsigned size, uint64_t value) = 0;

  // Feeds the device's guest-visible state (registers, queues, requests in
  // flight; not host resources) to the machine's periodic state digest, so
  // a replay that drifts inside a device is caught at the next digest.
  virtual void HashState(StateHasher& h) const = 0;

  // Checkpoints (docs/checkpoint-format.md). SaveState writes everything
  // HashState digests, and whatever else the device needs to go on exactly
  // as it would have (never host resources), in the board's section named
  // name(). LoadState reads it back into a device built with the same
  // configuration, at an instruction boundary, on the CPU thread:
  // - it reads everything into temporaries, validates it (the input is
  //   untrusted: an index past an array, a size that is not a power of 2),
  //   and changes the device only when all of it is good, so an error
  //   leaves the device as it was and is returned (StateReader::status());
  // - it sets state and nothing else: it drives no interrupt line (the
  //   levels are restored with the interrupt controller and the hart),
  //   makes no tap call and touches no guest memory.
  // The round trip must leave HashState unchanged (tests/checkpoint).
  virtual void SaveState(StateWriter& w) const = 0;
  virtual Status LoadState(StateReader& r) = 0;
};

// An interrupt input: a device drives a numbered line of an interrupt
// controller (the PLIC's sources, or a hart's mip bits). Level-triggered.
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void SetIrq(unsigned line, bool level) = 0;
};

// Bits of mip that devices drive (others are written by software only).
inline constexpr uint64_t kMipSSIP = 1ull << 1;
inline constexpr uint64_t kMipMSIP = 1ull << 3;
inline constexpr uint64_t kMipSTIP = 1ull << 5;
inline constexpr uint64_t kMipMTIP = 1ull << 7;
inline constexpr uint64_t kMipSEIP = 1ull << 9;
inline constexpr uint64_t kMipMEIP = 1ull << 11;

// What a hart offers to the devices wired to it: interrupt lines into its mip
// register, and virtual time. Virtual time is derived from the hart's
// instruction count (plus clock warps taken in WFI); it never reads a host
// clock.
class HartPort {
 public:
  virtual ~HartPort() = default;
  // Drives the given mip bit(s) (one of kMip*) to `level`.
  virtual void SetInterruptLine(uint64_t mip_bits, bool level) = 0;
  // The current value of the machine timer (mtime), in timebase ticks.
  virtual uint64_t Mtime() const = 0;
};

// A device that needs to act at a point in virtual time (the CLINT's
// mtimecmp). The hart bounds each run slice by NextDeadline() and calls
// Tick() at slice boundaries, so timer interrupts arrive at a deterministic
// instruction count.
class TimedDevice {
 public:
  virtual ~TimedDevice() = default;
  // Updates interrupt lines for the given mtime.
  virtual void Tick(uint64_t mtime) = 0;
  // The smallest mtime > now at which Tick would change something, or
  // UINT64_MAX when nothing is pending.
  virtual uint64_t NextDeadline(uint64_t mtime) const = 0;
};

// A machine part that acts on its own at points of virtual time and whose
// state is the machine's (the block throttles releasing held requests):
// Board::AddTimedModel ticks it like the CLINT and digests its state.
class TimedModel : public TimedDevice {
 public:
  // A short stable name, the model's checkpoint section.
  virtual std::string_view name() const = 0;
  virtual void HashState(StateHasher& h) const = 0;
  // As Device::SaveState / LoadState.
  virtual void SaveState(StateWriter& w) const = 0;
  virtual Status LoadState(StateReader& r) = 0;
};

}  // namespace tapvm
