// Vm: a whole virtual machine as the `tapvm` commands run it — the machine
// built from its MachineConfig (BuildMachine), the tap stack of its mode,
// the host backends behind it, and the console on standard output with a
// watch for kernel panics. The modes:
//   run      PassthroughTap over the host backends;
//   record   RecordingTap over that, appending to a journal pump;
//   replay   ReplayTap over the journal's events; with disk copies it can
//            go live (GoLive): backends opened, a PassthroughTap takes over.
// Reading image files and opening backends happens in emulator/'s
// backends/ (HostBackends) and here, never in the machine itself.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/backends/host_backends.h"
#include "emulator/machine/board.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/tap/backends/passthrough_tap.h"
#include "emulator/tap/late_bound_tap.h"
#include "recorder/recording_tap.h"
#include "replayer/replay_tap.h"
#include "tools/tapvm/block_watch.h"

namespace tapvm::cli {

class Vm {
 public:
  // Wraps the pass-through tap (an FT primary's output commit): made once,
  // owned by the Vm, placed between the recording tap and the pass-through.
  using Decorator = std::function<std::unique_ptr<EventTap>(EventTap* passthrough)>;
  // Run mode, or record mode when `journal` is given (it must outlive the
  // Vm). `images` are the bytes to boot.
  static Status CreateLive(const MachineConfig& config, const BootImages& images, EventSink* journal,
                           std::unique_ptr<Vm>* out, const Decorator& decorate = {});
  // Replay mode: `source` (which must outlive the Vm) feeds the machine.
  // With `disk_copies` (the config's drives pointing at copies of the
  // recorded disks) the copies follow the guest's writes and GoLive works.
  // With `from`, the machine starts at that checkpoint instead (built on a
  // LateBoundTap, restored, then bound to the replay tap: docs/
  // checkpoint-format.md §5); `source` must then stand at the event after
  // the checkpoint's tap position.
  static Status CreateReplay(const MachineConfig& config, const BootImages& images,
                             const std::vector<uint64_t>& drive_sizes, EventSource* source, bool show_console,
                             bool disk_copies, std::unique_ptr<Vm>* out, const MachineCheckpoint* from = nullptr);
  ~Vm();

  Board& board() { return *board_; }
  const MachineConfig& config() const { return config_; }
  // The pass-through tap: run and record modes, and replay once live.
  PassthroughTap* passthrough() { return passthrough_.get(); }
  RecordingTap* recording() { return recording_.get(); }
  ReplayTap* replay() { return replay_.get(); }

  // Replay mode: opens the remaining backends (NICs, entropy) and hands the
  // machine to a pass-through tap over them. CPU thread, between runs.
  // With `journal`, the live part is recorded to it (a recording tap over
  // the pass-through), its events numbered from first_seq: an FT
  // secondary's journal goes on after the primary's events it holds.
  // Backends that cannot be opened yet (an address the other side of an FT
  // pair still holds, on one host) are tried again for up to `open_retry`.
  Status GoLive(EventSink* journal = nullptr, uint64_t first_seq = 1,
                std::chrono::milliseconds open_retry = std::chrono::milliseconds(0));
  // The outermost tap, counting block traffic (the control socket's view).
  BlockWatchTap& block_watch() { return *block_watch_; }
  const MachineLayout& layout() const { return layout_; }
  const std::vector<uint64_t>& drive_sizes() const { return drive_sizes_; }
  // The decorator CreateLive placed, or null.
  EventTap* decorator() { return decorator_.get(); }

  // Live change of a drive's I/O throttle (and its group's), for the
  // control socket: `drive` is its name (its id=, or "drive0", "drive1"...
  // in command-line order) or its bare index ("1"); all-zero `limits` turn throttling off for the
  // drive. The change is an input (a ThrottleSet): it is posted to the
  // pass-through tap and reaches the machine at the next slice boundary, at
  // an instruction boundary on the CPU thread, journaled when recording, so
  // a replay applies it at the same icount. A drive throttled in host time
  // (throttling.clock=host) has its host filter changed here at once too.
  // Thread-safe; not concurrently with GoLive. Refused (NotSupported)
  // in replay before it goes live: a replay takes its inputs from the
  // journal. Bad limits or an unknown drive: InvalidArgument / NotFound.
  Status SetBlockThrottle(const std::string& drive, const ThrottleLimits& limits);
  // Drive `index`'s throttle limits as last set (the configuration's, then
  // every SetBlockThrottle on it or on its group), for query-block.
  ThrottleLimits block_throttle(size_t index) const;

  // True once the guest printed a kernel panic banner on its console.
  bool kernel_panicked() const { return panicked_.load(); }
  // Called (on the CPU thread) when the console shows a kernel panic.
  void set_on_panic(std::function<void()> fn) { on_panic_ = std::move(fn); }
  // Called (on the CPU thread) with every console output, after it is shown.
  void set_on_console(std::function<void(std::span<const uint8_t>)> fn) { on_console_ = std::move(fn); }
  // Asked (on the CPU thread) before console output is shown: false drops
  // it unseen (a debugger replaying a stretch of the run again shows its
  // output once).
  void set_console_gate(std::function<bool()> fn) { console_gate_ = std::move(fn); }

 private:
  Vm() = default;
  void MakePassthrough();
  // Console output: to stdout, watched for a kernel panic banner.
  void OnConsole(std::span<const uint8_t> bytes);
  // Builds the board over `tap`, with the block watch on top.
  Status Build(const BootImages& images, const std::vector<uint64_t>& drive_sizes, EventTap* tap);

  MachineConfig config_;
  mutable std::mutex throttle_mu_;
  std::vector<ThrottleLimits> throttle_now_;  // by drive (see block_throttle)
  MachineLayout layout_;
  // Destroyed in reverse order: the board before the taps it calls, the
  // taps before the backends they call.
  std::unique_ptr<HostBackends> backends_;
  std::unique_ptr<PassthroughTap> passthrough_;
  std::unique_ptr<EventTap> decorator_;
  std::unique_ptr<RecordingTap> recording_;
  std::unique_ptr<ReplayTap> replay_;
  std::unique_ptr<LateBoundTap> late_;  // a replay restored from a checkpoint is built on it
  std::unique_ptr<BlockWatchTap> block_watch_;
  std::unique_ptr<Board> board_;
  std::vector<uint64_t> drive_sizes_;
  std::string console_tail_;
  std::atomic<bool> panicked_{false};
  std::function<void()> on_panic_;
  std::function<void(std::span<const uint8_t>)> on_console_;
  std::function<bool()> console_gate_;
};

}  // namespace tapvm::cli
