// OutputCommitTap: the output rule of an FT primary, as a tap decorator.
//
// It stands between the recording tap and the pass-through tap:
//   Board -> RecordingTap -> OutputCommitTap -> PassthroughTap -> backends
// The recording tap journals each output (a frame sent, console bytes) as
// event S and then hands it down; this tap holds it, and a release thread
// of its own sends it on to the pass-through tap only once the secondary
// has acknowledged every event up to S (`wait_acked(S)`). The guest never
// waits for it: outputs queue up and leave in the order the guest made
// them. After each release it reports the highest seq released
// (`on_released`, which the primary tells the secondary), so a secondary
// that takes over re-sends only what may not have left.
//
// Everything else (requests, inputs, observations, idling) is forwarded
// unchanged on the calling (CPU) thread.
//
// Modes, switched from any thread:
//   commit   (start) outputs wait for acknowledgement;
//   alone    the secondary is gone and this side won the arbiter: what is
//            held is released at once, and so is every later output;
//   drop     this side lost the arbiter: what is held is discarded and
//            nothing leaves any more (the other side sends it).
//
// Threading: the EventTap methods on the CPU thread; GoAlone, Drop,
// WaitIdle and stats from any thread. The inner tap's TransmitFrame and
// ConsoleOutput are called from the release thread (PassthroughTap allows
// that: NetBackend::Send is thread-safe, the console callback is only
// ever called from that thread).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/tap.h"
#include "emulator/tap/forwarding_tap.h"

namespace tapvm::ft {

struct OutputCommitStats {
  uint64_t outputs = 0;        // outputs the guest made
  uint64_t released = 0;       // ... that left
  uint64_t dropped = 0;        // ... discarded by Drop
  uint64_t max_held = 0;       // most outputs held at once
  // Time from the guest's output to its release, in microseconds: every
  // sample (bounded: the first kMaxSamples), for percentiles.
  std::vector<uint32_t> hold_us;
  static constexpr size_t kMaxSamples = 1 << 20;
};

class OutputCommitTap : public ForwardingTap {
 public:
  // Waits until the secondary holds every event up to `seq`; false on
  // timeout (the thread checks its mode and waits again).
  using WaitAckedFn = std::function<bool(uint64_t seq, std::chrono::milliseconds timeout)>;
  using ReleasedFn = std::function<void(uint64_t seq)>;
  // The seq of the event that journaled the output being made (the
  // recording tap's last_seq), read on the CPU thread.
  using SeqFn = std::function<uint64_t()>;

  // `inner` must outlive this tap.
  OutputCommitTap(EventTap* inner, WaitAckedFn wait_acked, ReleasedFn on_released);
  ~OutputCommitTap() override;
  OutputCommitTap(const OutputCommitTap&) = delete;
  OutputCommitTap& operator=(const OutputCommitTap&) = delete;

  // Set before the machine runs (the recording tap wraps this one, so it
  // exists only after it).
  void set_seq_source(SeqFn seq) { seq_ = std::move(seq); }

  void GoAlone();
  void Drop();
  // Waits until nothing is held (all released or dropped), up to `timeout`.
  bool WaitIdle(std::chrono::milliseconds timeout);
  OutputCommitStats stats() const;

  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;

 private:
  enum class Mode { kCommit, kAlone, kDrop };
  struct Held {
    uint64_t seq;
    bool is_frame;
    TapDeviceId dev;
    std::vector<uint8_t> bytes;
    std::chrono::steady_clock::time_point made;
  };
  void Hold(bool is_frame, TapDeviceId dev, std::span<const uint8_t> bytes);
  void Run();

  WaitAckedFn wait_acked_;
  ReleasedFn on_released_;
  SeqFn seq_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // work for the release thread; idle
  std::deque<Held> held_;
  Mode mode_ = Mode::kCommit;
  bool stop_ = false;
  bool releasing_ = false;  // the thread has taken outputs out of held_
  OutputCommitStats stats_;
  std::thread thread_;
};

}  // namespace tapvm::ft
