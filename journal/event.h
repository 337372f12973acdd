// Event: the in-memory form of one journal record.
//
// The body is a variant whose first five alternatives are exactly the tap's
// inputs (emulator/tap.h, in TapInput's order) and whose others are the
// journal's own types for clock warps and observations, so a recorder turns
// a TapInput into an Event with MakeInputEvent() and a replayer turns it back
// with ToTapInput(). Requests are journaled as observations (BlockRequest is
// the tap's own type).
//
// Byte payloads (frames, block data, console and entropy bytes) live in the
// body's vectors. How the payload is stored on disk (inline or as a blob) is
// the writer's choice; the reader reports it in Event::payload.
//
// Plain values; the free functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "emulator/tap.h"
#include "journal/hash.h"

namespace tapvm::journal {

enum class EventKind : uint8_t {
  // Inputs: replay delivers them at their recorded icount.
  kBlockCompletion,
  kNetFrameIn,
  kConsoleIn,
  kEntropyIn,
  kThrottleSet,
  kClockWarp,
  // Observations: replay compares them.
  kMmioRead,
  kMmioWrite,
  kPioRead,
  kPioWrite,
  kNetFrameOut,
  kBlockRequest,
  kEntropyRequest,
  kConsoleOut,
  kIrqLine,
  kStateDigest,
};
inline constexpr size_t kEventKindCount = 16;

// Device id of machine-wide events (clock warps, state digests).
inline constexpr TapDeviceId kMachineDevice = 0xffff;

// Virtual time jumped from `from_mtime` to `to_mtime` while the guest idled
// (EventTap::Idle's answer). Machine-wide: no device.
struct ClockWarp {
  uint64_t from_mtime = 0;
  uint64_t to_mtime = 0;
};

// A device register access that took the bus slow path.
struct IoAccess {
  enum class Space : uint8_t { kMmio, kPio };
  Space space = Space::kMmio;
  bool is_write = false;
  TapDeviceId dev = 0;
  uint64_t addr = 0;
  uint8_t size = 0;  // bytes
  uint64_t value = 0;
};

struct NetFrameOut {
  TapDeviceId dev = 0;
  std::vector<uint8_t> frame;
};

// EventTap::RequestEntropy.
struct EntropyRequest {
  TapDeviceId dev = 0;
  uint32_t max_bytes = 0;
};

// EventTap::ConsoleOutput.
struct ConsoleOut {
  TapDeviceId dev = 0;
  std::vector<uint8_t> bytes;
};

// An interrupt line raised or lowered by device `dev`.
struct IrqLine {
  TapDeviceId dev = 0;
  uint32_t line = 0;
  bool level = false;
};

struct DigestParts {
  uint64_t hart = 0;
  uint64_t ram = 0;
  uint64_t devices = 0;
  friend bool operator==(const DigestParts&, const DigestParts&) = default;
};

// A periodic digest of the whole machine state. Machine-wide: no device.
struct StateDigest {
  uint64_t value = 0;
  std::optional<DigestParts> parts;
};

using EventBody = std::variant<BlockCompletion, NetFrameIn, ConsoleIn, EntropyIn, ThrottleSet,  // = TapInput
                               ClockWarp, IoAccess, NetFrameOut, BlockRequest, EntropyRequest, ConsoleOut,
                               IrqLine, StateDigest>;

// Where the reader found an event's payload. Ignored by the writer.
struct PayloadLocation {
  bool in_blob = false;  // stored in `blobs` (else inline in the record)
  Hash128 hash;          // the blob key, when in_blob
  uint64_t size = 0;     // payload bytes
  bool loaded = true;    // false: the reader was told not to load blobs
};

struct Event {
  uint64_t seq = 0;     // assigned by JournalWriter::Append; 1, 2, 3...
  uint64_t icount = 0;  // instruction count at which it happened
  EventBody body;
  PayloadLocation payload;
};

EventKind KindOf(const EventBody& body);
inline EventKind KindOf(const Event& e) { return KindOf(e.body); }
bool IsInput(EventKind kind);

// "block_completion", "mmio_write", ... (stable: used by dump filters).
const char* EventKindName(EventKind kind);
bool ParseEventKind(std::string_view name, EventKind* kind);

// The device an event belongs to; kMachineDevice (0xffff) for clock warps
// and state digests.
TapDeviceId DeviceOf(const EventBody& body);

// The body's byte payload; nullopt for kinds without one.
std::optional<std::span<const uint8_t>> PayloadOf(const EventBody& body);

// A handle on a body's byte payload, which lives in a std::vector<uint8_t>
// or, for block data, an IoBytes; false for kinds without one.
class PayloadRef {
 public:
  PayloadRef() = default;
  explicit PayloadRef(std::vector<uint8_t>* v) : vec_(v) {}
  explicit PayloadRef(IoBytes* v) : io_(v) {}
  explicit operator bool() const { return vec_ != nullptr || io_ != nullptr; }
  std::span<uint8_t> bytes() const {
    if (vec_ != nullptr) return *vec_;
    if (io_ != nullptr) return *io_;
    return {};
  }
  void Assign(std::span<const uint8_t> b) const {
    if (vec_ != nullptr) vec_->assign(b.begin(), b.end());
    if (io_ != nullptr) io_->assign(b.begin(), b.end());
  }
  // Takes `b` over without a copy where the payload is a vector.
  void Assign(std::vector<uint8_t>&& b) const {
    if (vec_ != nullptr) *vec_ = std::move(b);
    if (io_ != nullptr) io_->assign(b.begin(), b.end());
  }

 private:
  std::vector<uint8_t>* vec_ = nullptr;
  IoBytes* io_ = nullptr;
};
PayloadRef MutablePayloadOf(EventBody& body);

// Recorder side: the event for a tap input delivered at `icount`.
Event MakeInputEvent(uint64_t icount, TapInput input);
// Replayer side: the tap input an input event carries. False for clock
// warps (they are answers to EventTap::Idle, not TapInputs) and
// observations.
bool ToTapInput(const Event& e, TapInput* out);

// Equal kind and fields, payload bytes included (seq, icount and
// PayloadLocation are not compared).
bool SameBody(const EventBody& a, const EventBody& b);

// One line: "#12 @345678 mmio_write dev=2 addr=0x10000000 size=1
// value=0x41". Payloads show their length and a short prefix (console bytes
// as an escaped string).
std::string DescribeEvent(const Event& e);

}  // namespace tapvm::journal
