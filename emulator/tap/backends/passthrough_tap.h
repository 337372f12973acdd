// PassthroughTap: the run-mode event tap. Requests go to real host
// backends; their answers, and input arriving on its own (network frames,
// console bytes), are queued by the backends' threads and handed to the
// devices on the CPU thread by DeliverDue(), in arrival order, stamped
// with the icount of that call.
//
// Nothing reaches a device synchronously — not even the answer to
// RequestEntropy, which is read at once but queued like any input — so a
// recording tap over this one, which journals each input on its way to the
// device, sees every input the machine ever consumes.
//
// Wiring (on the CPU thread, before the machine runs): AttachDevice for
// each device that takes inputs; AttachBlockBackend / AttachNetBackend /
// AttachEntropy / SetConsoleOutput for the host side. AttachNetBackend
// starts the backend's receive thread; its owner stops it. The tap does not
// own backends or sinks. Backend callbacks keep only the tap's input queue
// alive (shared ownership), so a backend may finish a request or receive a
// frame after the tap is gone: that input is dropped. Backends and sinks
// must outlive their use through the tap's request methods.
//
// Idling (EventTap::Idle, the guest waits in WFI): when an input could
// arrive — a network backend is attached, a block request is in flight, or
// the owner declared an outside source with SetExternalInput(true) (the
// terminal reader) — the tap waits in host time, paced at the timebase
// (mtime ticks per host second), until the guest's timer deadline; an input
// or Kick() ends the wait early, and virtual time then moves on by the host
// time waited. When no input can arrive it warps straight to the deadline
// (nothing could happen before it), or reports that nothing can wake the
// guest (UINT64_MAX) if no timer is armed.
//
// Threading: PostInput and Kick from any thread; everything else on the
// CPU thread.
//
// Limits: at most kMaxQueuedFrames received frames (kMaxQueuedFrameBytes
// bytes) wait in the queue — more are dropped, like a NIC whose ring is
// full, so a flood cannot exhaust host memory while the guest is slow.
// Other inputs are never dropped. An entropy request is served with at most
// kMaxEntropyBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>

#include "emulator/block/block_backend.h"
#include "emulator/net/net_backend.h"
#include "emulator/tap.h"
#include "emulator/tap/backends/entropy_source.h"

namespace tapvm {

class PassthroughTap final : public EventTap {
 public:
  using ConsoleOutputFn = std::function<void(TapDeviceId, std::span<const uint8_t>)>;

  static constexpr size_t kMaxQueuedFrames = 1024;
  static constexpr size_t kMaxQueuedFrameBytes = 16u << 20;
  static constexpr uint32_t kMaxEntropyBytes = 4096;
  static constexpr uint64_t kDefaultTimebaseHz = 10'000'000;  // the virt board's mtime

  PassthroughTap();
  ~PassthroughTap() override;
  PassthroughTap(const PassthroughTap&) = delete;
  PassthroughTap& operator=(const PassthroughTap&) = delete;

  // ------------------------------------------------------------ wiring
  // A null sink detaches the device; its inputs are then dropped.
  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override;
  // Block requests of `dev` go to `backend`; without one they fail (kIoError).
  void AttachBlockBackend(TapDeviceId dev, BlockBackend* backend);
  // Frames transmitted by `dev` go to `backend`, and it is started with a
  // callback that queues each received frame as a NetFrameIn for `dev`.
  void AttachNetBackend(TapDeviceId dev, NetBackend* backend);
  // Serves RequestEntropy; without a source the answer is empty.
  void AttachEntropy(EntropySource* source);
  // Receives ConsoleOutput; without it console output is discarded.
  void SetConsoleOutput(ConsoleOutputFn fn);
  // Declares whether something besides the attached backends may post
  // inputs at any time (see Idling above). Default: no.
  void SetExternalInput(bool present) { external_input_ = present; }
  // mtime ticks per host second, for pacing Idle. Default 10 MHz.
  void SetTimebaseHz(uint64_t hz) { timebase_hz_ = hz == 0 ? kDefaultTimebaseHz : hz; }

  // ----------------------------------------------- from any thread
  // Queues an input for the next DeliverDue and wakes WaitForInput. Used by
  // the backends' callbacks and by the terminal reader (ConsoleIn).
  void PostInput(TapInput input);
  // Wakes WaitForInput without an input (shutdown, a control request).
  void Kick();

  // ------------------------------------------------------- EventTap
  void SubmitBlock(BlockRequest request) override;
  void PlugBlock(TapDeviceId dev) override;
  void UnplugBlock(TapDeviceId dev) override;
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;
  // Delivers the inputs queued when the call starts; inputs posted while it
  // runs (say, by a device's OnInput making a request) wait for the next
  // call.
  unsigned DeliverDue(uint64_t icount) override;
  bool WaitForInput(uint64_t host_timeout_ns) override;
  void Wake() override { Kick(); }
  uint64_t Idle(uint64_t now, uint64_t deadline) override;

  // Inputs waiting, and received frames dropped because the queue was full.
  size_t pending_inputs() const;
  bool InputPending() const override;
  bool InputPossible() const override;
  uint64_t dropped_frames() const;

 private:
  struct Inbox;  // the queue, shared with backend callbacks

  std::shared_ptr<Inbox> inbox_;
  std::map<TapDeviceId, TapInputSink*> sinks_;
  std::map<TapDeviceId, BlockBackend*> block_;
  std::map<TapDeviceId, NetBackend*> net_;
  EntropySource* entropy_ = nullptr;
  ConsoleOutputFn console_;
  bool external_input_ = false;
  uint64_t timebase_hz_ = kDefaultTimebaseHz;
};

}  // namespace tapvm
