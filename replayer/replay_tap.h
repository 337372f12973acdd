// ReplayTap: the replay mode of the event tap.
//
// No host backend is involved: the machine runs against the events of a
// recorded run, read from an EventSource (a journal file; an FT primary's
// stream). Inputs are delivered at exactly their recorded icount (the
// board never runs past NextInputIcount(), and the tap reports an input
// pending as soon as the next event is one, so a running hart stops for
// it); clock warps are answered from the recording; every request and
// observation the machine makes is compared with the next recorded event.
// The first mismatch is a divergence: it is kept (event number, icount,
// expected versus actual, last matching digest) and the run is asked to
// stop through the on-divergence callback.
//
// Disk copies: a drive given a backend with KeepDiskCopy receives every
// write, discard and write-zeroes the guest made, as the recording's
// completion for it is delivered, so the copy follows the recorded disk
// (an FT secondary's own disk; the disk a replay goes live on). Reads are
// never sent to it: their data comes from the recording.
//
// Going live: GoLive(live), at an instruction boundary on the CPU thread,
// ends the replay. From then on every call is forwarded to `live` (a
// pass-through tap, or a recording tap over one): the devices are attached
// to it, and the requests still in flight — block requests and entropy
// requests whose answers the recording does not hold yet — are submitted
// to it again, in the order the guest made them. Disk copies are drained
// first, so the live backend sees every write that completed.
//
// The end of a cut-short source (a recorder killed, an FT primary lost):
// the run is asked to stop at once (on_divergence), which it does at the
// end of the current run slice. Anything the machine does between the last
// recorded event and that stop — requests, outputs, observations, at most
// the rest of one instruction's device access — is not the recording's and
// not a divergence: it is kept, with its icount, and handed to the live
// tap by GoLive, so a recording that goes on (an FT secondary) journals it
// and sends its outputs.
//
// Held outputs (FT): with KeepOutputs, console output and frames matched
// against the recording are kept, with their seq, until `released()`
// (the primary's "outputs released up to seq") passes them; at takeover
// the caller sends what is still held (TakeHeldOutputs), so an output the
// primary may not have sent is never lost.
//
// Console output is still shown through the display callback, so a replay
// looks like the run it reproduces. Not thread-safe: CPU thread only,
// except Wake.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"
#include "emulator/tap.h"
#include "journal/event.h"
#include "replayer/event_source.h"

namespace tapvm {

struct Divergence {
  uint64_t seq = 0;                 // the journal event that did not match (0: past the end)
  uint64_t icount = 0;              // where the replay was
  std::string expected, actual;     // one line each
  uint64_t last_digest_seq = 0;     // the last state digest that matched
  uint64_t last_digest_icount = 0;
  std::string ToString() const;
};

class ReplayTap : public EventTap {
 public:
  using DisplayFn = std::function<void(std::span<const uint8_t>)>;
  // `source` must outlive the tap. `on_divergence` is called to stop the
  // run: at a divergence, on a damaged source, and at the end of a
  // recording that was not closed cleanly (the run ends where it does:
  // what comes after is not a divergence).
  ReplayTap(EventSource* source, DisplayFn display, std::function<void()> on_divergence);

  // Keeps a copy of drive `dev`'s disk up to date through `backend` (see
  // above). Call before the run; `backend` must outlive the tap.
  void KeepDiskCopy(TapDeviceId dev, BlockBackend* backend);
  // Ends the replay and forwards everything to `live` from now on (see
  // above). CPU thread, at an instruction boundary (between Board::Run
  // calls, or in work run by Board::RunOnCpuThread). `live` must outlive
  // the tap. Fails if the disk copies could not be written.
  // In-flight requests go to `resubmit` when given (a pass-through tap
  // under a recording `live` tap: they are in the recording already).
  Status GoLive(EventTap* live, EventTap* resubmit = nullptr);
  bool live() const { return live_.load() != nullptr; }
  // Requests made and not yet answered by the recording (what GoLive hands
  // over).
  size_t requests_in_flight() const { return blocks_in_flight_.size() + entropy_in_flight_.size(); }
  // Calls made after the end of a cut-short source (see above).
  size_t calls_after_end() const { return after_end_.size(); }

  struct HeldOutput {
    uint64_t seq = 0;
    bool is_frame = false;  // else console output
    TapDeviceId dev = 0;
    std::vector<uint8_t> bytes;
  };
  // StopIcount: with this on, the run stops where the next event is a state
  // digest (the recording's final one; periodic ones are taken there
  // anyway). For a stream, whose end no header tells.
  void StopAtDigests(bool on) { stop_at_digests_ = on; }
  // See "Held outputs". `released` is called on the CPU thread.
  void KeepOutputs(std::function<uint64_t()> released) { released_ = std::move(released); }
  std::vector<HeldOutput> TakeHeldOutputs();

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override;
  void SubmitBlock(BlockRequest request) override;
  // Batching hints reach the live tap once gone live; replay ignores them.
  void PlugBlock(TapDeviceId dev) override {
    if (EventTap* l = Live()) l->PlugBlock(dev);
  }
  void UnplugBlock(TapDeviceId dev) override {
    if (EventTap* l = Live()) l->UnplugBlock(dev);
  }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override;
  void ObserveIrq(unsigned line, bool level) override;
  void ObserveDigest(const MachineDigest& digest) override;
  void set_icount_source(const uint64_t* icount) override;
  unsigned DeliverDue(uint64_t icount) override;
  bool InputPending() const override;
  uint64_t NextInputIcount() const override;
  uint64_t StopIcount() const override;
  bool WaitForInput(uint64_t host_timeout_ns) override;
  void Wake() override;
  uint64_t Idle(uint64_t now, uint64_t deadline) override;
  bool IdleAnswerReady() const override;
  bool InputPossible() const override;

  const std::optional<Divergence>& divergence() const { return divergence_; }
  // A source that could not be read (corruption): the replay stops too.
  const Status& status() const { return status_; }
  // Events matched or delivered so far, and whether every recorded event was.
  uint64_t consumed() const { return consumed_; }
  bool at_end() const { return end_; }
  // The next recorded event, not yet delivered or matched (a debugger's
  // view of where the replay is); nullptr at the end.
  const journal::Event* next_event() const { return end_ ? nullptr : &next_; }

 private:
  // Loads the next event into next_ (end_ at the end).
  void Advance();
  // The machine is past the icount of the next event, an observation it
  // never made: a divergence, found at the next run slice boundary (a
  // slice is at most 2^20 instructions) rather than at the next access.
  bool MissedObservation() const;
  // Compares an observation/request with the next event; consumes it.
  void Expect(journal::EventBody actual);
  void Diverge(const std::string& expected, const std::string& actual);
  // The live tap, or null while replaying (CPU thread).
  EventTap* Live() const { return live_.load(std::memory_order_relaxed); }
  // A recorded block completion is about to be delivered: write it through
  // to the drive's disk copy if it completes a write.
  void UpdateDiskCopy(const BlockCompletion& done);
  // True when the source was cut short and has ended: calls are kept for
  // the live tap instead of being compared.
  bool AfterCutShortEnd() const { return end_ && !source_->closed_cleanly() && status_.ok(); }
  // Keeps a call made after a cut-short end.
  void KeepForLive(std::function<void(EventTap*)> call);
  // Keeps the output just matched as event `seq` (KeepOutputs).
  void HoldOutput(uint64_t seq, bool is_frame, TapDeviceId dev, std::span<const uint8_t> bytes);

  EventSource* source_;
  DisplayFn display_;
  std::function<void()> on_divergence_;
  std::map<TapDeviceId, TapInputSink*> sinks_;
  journal::Event next_;
  bool end_ = false;
  Status status_;
  std::optional<Divergence> divergence_;
  uint64_t consumed_ = 0;
  uint64_t last_digest_seq_ = 0, last_digest_icount_ = 0;

  // Requests made and not yet answered, in the order made (handed to the
  // live tap by GoLive). Block requests by (device, request id).
  std::vector<BlockRequest> blocks_in_flight_;
  struct EntropyAsk {
    TapDeviceId dev;
    uint32_t max_bytes;
  };
  std::vector<EntropyAsk> entropy_in_flight_;
  std::map<TapDeviceId, BlockBackend*> disk_copies_;
  Status disk_copy_status_;
  std::atomic<EventTap*> live_{nullptr};
  const uint64_t* icount_source_ = nullptr;

  struct AfterEndCall {
    uint64_t icount;
    std::function<void(EventTap*)> call;
  };
  static constexpr size_t kMaxCallsAfterEnd = 65536;
  std::vector<AfterEndCall> after_end_;
  bool after_end_overflow_ = false;
  uint64_t last_matched_seq_ = 0;
  bool stop_at_digests_ = false;
  std::function<uint64_t()> released_;
  std::deque<HeldOutput> held_;
};

}  // namespace tapvm
