// The event tap: the one choke point between the machine and the world.
//
// Everything that enters the machine from outside is an *input*, and the tap
// is the only way in: a device never reads a file, socket, terminal, clock or
// random source; it asks the tap (a *request*), and the answer comes back
// later as an input, handed to the device on the CPU thread at an
// instruction boundary and stamped with the instruction count (icount) at
// which it was delivered. Everything the guest does that the outside can
// see (device accesses, frames sent, block requests, console output,
// interrupt lines, state digests) is an *observation* the tap also sees.
//
// Modes are implementations of EventTap, and they compose:
//   run     PassthroughTap (emulator/tap/): requests go to host backends
//           (I/O threads), their results are queued and delivered at the
//           next slice boundary;
//   record  RecordingTap (recorder/) decorates any tap: it journals every
//           input the inner tap delivers, every clock warp, request and
//           observation, each with its icount and sequence number;
//   replay  ReplayTap (replayer/) reads events from an event source (a
//           journal file, or a live stream): recorded inputs are delivered
//           at their recorded icount; requests and observations are
//           compared and the first divergence is reported. It can go live
//           at an instruction boundary: from then on it forwards to a
//           pass-through tap, requests in flight handed over.
// FT: the primary is record over run; the secondary is replay from a
// stream, going live (record over run) when the primary fails.
//
// Threading: requests, observations and DeliverDue() happen on the CPU
// thread. Only an implementation's own backend plumbing crosses threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "emulator/base/io_bytes.h"

namespace tapvm {

// Identifies a device on the tap; assigned by the board in a fixed order, so
// it is the same in every run of the same machine configuration.
using TapDeviceId = uint16_t;

// ---------------------------------------------------------------- requests
// A block request submitted by a block device. `id` is chosen by the device
// and unique among its requests in flight.
struct BlockRequest {
  enum class Type : uint8_t { kRead, kWrite, kFlush, kDiscard, kWriteZeroes };
  TapDeviceId dev = 0;
  uint64_t id = 0;
  Type type = Type::kRead;
  uint64_t offset = 0;         // bytes
  uint64_t length = 0;         // bytes (0 for flush)
  IoBytes data;                // kWrite only
};

// ------------------------------------------------------------------ inputs
struct BlockCompletion {
  TapDeviceId dev = 0;
  uint64_t id = 0;
  enum class Status : uint8_t { kOk, kIoError, kUnsupported } status = Status::kOk;
  IoBytes data;  // kRead: the bytes read (IoBytes: backends read straight into it)
};
struct NetFrameIn {
  TapDeviceId dev = 0;
  std::vector<uint8_t> frame;  // an Ethernet frame, no virtio header
};
struct ConsoleIn {
  TapDeviceId dev = 0;
  std::vector<uint8_t> bytes;
};
struct EntropyIn {
  TapDeviceId dev = 0;
  std::vector<uint8_t> bytes;
};
// A drive's I/O limits, QEMU's `throttling.*` options (0: no limit). Each
// bucket has an average rate (bytes or operations per guest second), a
// burst rate `max` and how many seconds a burst may last (`max_length`);
// `iops_size` makes a request count as size / iops_size operations when
// larger. Validation and the option syntax: emulator/block/throttle_config.h.
struct ThrottleLimits {
  enum Bucket : uint8_t { kBpsTotal, kBpsRead, kBpsWrite, kIopsTotal, kIopsRead, kIopsWrite, kBucketCount };
  struct Limit {
    uint64_t avg = 0;
    uint64_t max = 0;
    uint64_t max_length = 1;  // seconds
    friend bool operator==(const Limit&, const Limit&) = default;
  };
  std::array<Limit, kBucketCount> bucket{};
  uint64_t iops_size = 0;
  bool any() const {
    for (const Limit& l : bucket)
      if (l.avg) return true;
    return false;
  }
  friend bool operator==(const ThrottleLimits&, const ThrottleLimits&) = default;
};
// New limits for drive `dev` (and the throttle group it belongs to), set
// while the guest runs (the control socket): an input, so a replay applies
// it at the same instruction. All-zero limits turn throttling off.
struct ThrottleSet {
  TapDeviceId dev = 0;
  ThrottleLimits limits{};
};
using TapInput = std::variant<BlockCompletion, NetFrameIn, ConsoleIn, EntropyIn, ThrottleSet>;

// A device that receives inputs. Called on the CPU thread only.
class TapInputSink {
 public:
  virtual ~TapInputSink() = default;
  virtual void OnInput(const TapInput& input) = 0;
};

// The machine's periodic state digest (Board::ComputeDigest): XXH3 of the
// hart's architectural state, of guest RAM and of every device's state,
// and `value`, the digest of the three.
struct MachineDigest {
  uint64_t value = 0;
  uint64_t hart = 0;
  uint64_t ram = 0;
  uint64_t devices = 0;
};

// ------------------------------------------------------------------- tap
class EventTap {
 public:
  virtual ~EventTap() = default;

  // Registers the device that inputs for `dev` are delivered to.
  virtual void AttachDevice(TapDeviceId dev, TapInputSink* sink) = 0;

  // Requests (CPU thread). The answer, if any, arrives as an input.
  virtual void SubmitBlock(BlockRequest request) = 0;
  // Bracket the SubmitBlock calls of one queue notification of block
  // device `dev` (BlockBackend::Plug), so a backend can hand them to the
  // host in one go. Host-side hints, not events: never journaled, ignored
  // by replay; a decorator passes them on. Default: nothing.
  virtual void PlugBlock(TapDeviceId dev) {}
  virtual void UnplugBlock(TapDeviceId dev) {}
  virtual void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) = 0;
  // Asks for up to `max_bytes` of entropy; answered by an EntropyIn.
  virtual void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) = 0;
  // Console output; no answer.
  virtual void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) = 0;

  // ---- observations (CPU thread) ----
  // What the guest did that the outside could see, reported by the board
  // for record (journal it) and replay (compare it). Run mode ignores them.
  enum class IoSpace : uint8_t { kMmio, kPio };
  // A device register access (not RAM): address, size, value read/written.
  virtual void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) {}
  // A device drove interrupt source `line` of the interrupt controller.
  virtual void ObserveIrq(unsigned line, bool level) {}
  // The machine's state digest at a digest boundary.
  virtual void ObserveDigest(const MachineDigest& digest) {}

  // The instruction count of the request or observation being reported,
  // read from the hart (which keeps it exact at every device access). Set
  // by the board; modes that stamp events use it. A decorator passes it on
  // to the tap it wraps.
  virtual void set_icount_source(const uint64_t* icount) { icount_ = icount; }
  uint64_t icount() const { return icount_ ? *icount_ : 0; }

  // Delivers the inputs that are due at `icount` to their devices (CPU
  // thread, at an instruction boundary). Returns how many were delivered.
  virtual unsigned DeliverDue(uint64_t icount) = 0;
  // True when inputs wait for DeliverDue (cheap: checked after every run
  // slice, so a busy guest still gets its inputs promptly).
  virtual bool InputPending() const { return false; }
  // The icount at which the next input must be delivered, when the mode
  // knows it (replay); UINT64_MAX otherwise. The board never runs past it.
  virtual uint64_t NextInputIcount() const { return UINT64_MAX; }
  // Where the run must stop (Board::Run returns kLimit there, as at its
  // own limit), when the mode knows the recording stopped there: a replay
  // of a stream, which has no header to say where the recording ended,
  // stops where its next event is the recording's final state digest.
  // UINT64_MAX otherwise.
  virtual uint64_t StopIcount() const { return UINT64_MAX; }
  // Blocks the CPU thread until an input is pending or `host_timeout_ns`
  // passes (run mode, when the guest idles in WFI). Returns true if an
  // input is pending. Modes without host backends return false at once.
  virtual bool WaitForInput(uint64_t host_timeout_ns) { return false; }
  // Ends a WaitForInput or Idle wait early (thread-safe): another thread
  // has work for the CPU thread (Board::RunOnCpuThread, a quit request).
  virtual void Wake() {}

  // True when an input may still arrive from outside (a wait in host time
  // could end): a terminal, a network, a block request in flight.
  virtual bool InputPossible() const { return false; }

  // True when Idle would answer at once from what the tap already holds,
  // at the current icount (a replay whose recording idled here). The board
  // asks at a run's instruction limit, where it must not wait.
  virtual bool IdleAnswerReady() const { return false; }

  // The guest idles in WFI at virtual time `now` (mtime ticks) and its next
  // timer fires at `deadline` (UINT64_MAX: none armed). Returns the mtime
  // virtual time jumps to (a clock warp, itself an input of the run):
  // `deadline` when nothing arrives before it, something earlier when an
  // input arrived (run mode waits in host time for that), UINT64_MAX when
  // nothing can ever wake the guest. The default warps straight to the
  // deadline: right for a machine with no host backends.
  virtual uint64_t Idle(uint64_t now, uint64_t deadline) { return deadline; }

 private:
  const uint64_t* icount_ = nullptr;
};

}  // namespace tapvm
