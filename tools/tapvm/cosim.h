// Cosim: `tapvm run|record --engine cosim`, a co-simulation that checks an
// execution engine (the JIT) against the interpreter while the guest runs.
//
// The main machine is the ordinary run (or record) machine on the engine
// under test, with the real host backends, the terminal, the control
// socket. Its tap stack records, as `record` would, into a CosimLink; a
// reference machine — the same configuration on the interpreter, with no
// host backend and no deliberate break (--break-insn) — replays that event
// stream on a thread of its own. So the reference receives exactly the
// main machine's inputs at the same icounts, every request and observation
// of the main machine is checked by the replay, and, every `interval`
// instructions, the main machine stops (Board::Run to an exact icount:
// chunked runs are unchunked ones), leaves its architectural state at a
// checkpoint, and runs on while the reference runs to the same icount and
// compares Hart::StateDigest (and, every `digest_interval` instructions and
// at the end, the whole machine's digest: RAM and devices).
//
// Each checkpoint is also a marker event in the stream (cosim_link.h), so
// the reference never waits for the main machine's next real event to
// check, and takes at a checkpoint exactly the events the main machine had
// taken when it stopped there.
//
// The first difference stops both machines: the report names the window
// (the last matching check and this one), both pcs, and the architectural
// fields that differ, or the event the replay found different.
//
// Threads: Create, StartReference, RunMain and Finish on the main
// machine's CPU thread; the reference runs on a thread Cosim owns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/cpu/engine.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"
#include "tools/tapvm/cosim_link.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

struct CosimOptions {
  uint64_t interval = 10'000;              // instructions between state checks (> 0)
  uint64_t digest_interval = 50'000'000;   // instructions between whole-machine digests (0: at the end only)
  size_t max_lag = 256;                    // checkpoints the reference may fall behind by
};

class Cosim {
 public:
  // `journal` (may be null) is the recording's own sink: events reach it
  // through the link. `engine` names the engine under test, for reports.
  Cosim(const CosimOptions& options, EventSink* journal, EngineKind engine);
  ~Cosim();

  // What the main machine's recording tap appends to.
  EventSink* sink() { return link_.get(); }

  // Builds the reference machine for `main` (its config with the
  // interpreter and no --break-insn) on the reference thread and starts it;
  // `images` must outlive the Cosim.
  void StartReference(Vm& main, const BootImages& images);

  // The session's runner: Board::Run of the main machine, in chunks ending
  // at every checkpoint.
  RunResult RunMain(uint64_t max_icount, bool bound_idle_time);

  // The main machine's run ended with `end`: reports its final state digest
  // (the recording's last event), hands the reference the final
  // checkpoint, waits for it. True when every check matched.
  bool Finish(RunResult end);

  // The divergence report (several lines), when Finish returned false.
  const std::string& report() const { return report_; }
  // One line: what was checked.
  std::string Summary() const;
  // For --stats, after Finish: "cosim_checks=N ...".
  std::string Stats() const;

 private:
  CosimCheckpoint Snapshot(bool final, RunResult end);
  void ReferenceMain(MachineConfig config, const BootImages* images, std::vector<uint64_t> drive_sizes);
  // Runs the reference to `c` and compares; false (with report_ set) at the
  // first difference.
  bool Check(const CosimCheckpoint& c);
  // Sets the report, stops the main machine.
  void Fail(std::string report);
  std::string Window(uint64_t icount) const;

  const CosimOptions options_;
  const EngineKind engine_;
  std::unique_ptr<CosimLink> link_;
  Vm* main_ = nullptr;
  std::unique_ptr<Vm> reference_;  // built, run and destroyed on the reference thread
  std::thread thread_;
  uint64_t last_full_ = 0;  // main thread: icount of the last whole-machine digest

  // Written by the reference thread; read after it is joined.
  std::string report_;
  std::atomic<bool> failed_{false};
  uint64_t checks_ = 0, full_checks_ = 0;
  uint64_t last_ok_ = 0;  // icount of the last matching check (0: reset)
};

// The architectural fields in which `a` and `b` differ, one per line
// ("x[10]: 0x5 vs 0x7"), at most `max_lines` of them.
std::string DescribeHartDifference(const HartState& a, const HartState& b, size_t max_lines = 24);

}  // namespace tapvm::cli
