// VmControl: the QMP control socket of a running Vm (`--qmp` on run,
// record, replay).
//
// It owns the QMP server (tools/qmp/) and the CpuExecutor, and registers
// the machine's commands: query-status, stop, cont, quit, query-replay,
// query-block, query-blockstats, block_set_io_throttle (besides the
// protocol's own qmp_capabilities, query-commands, query-version). It
// emits STOP and RESUME (stop/cont), BLOCK_IO_ERROR (a block request the
// guest sees fail) and SHUTDOWN (the machine ended).
//
// Threads: the server's threads run the commands; whatever reads or
// changes machine state goes through the CpuExecutor (the CPU thread, at a
// slice boundary). Nothing here changes what the guest observes: stop/cont
// is host-side scheduling (see cpu_executor.h), queries only read, and a
// throttle change goes to ApplyBlockIoThrottle (block_throttle_control.h),
// whose job is to make it a journaled input.
//
// Lifetime: create after the Vm is built and before it runs; call
// MachineEnded on the CPU thread once the machine will not run again; destroy
// before the Vm (the destructor flushes what clients are owed and closes).
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "emulator/base/status.h"
#include "tools/qmp/qmp_address.h"
#include "tools/qmp/qmp_dispatcher.h"
#include "tools/qmp/qmp_server.h"
#include "tools/tapvm/cpu_executor.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

// Registers --qmp on a subcommand.
void AddQmpOption(CLI::App* cmd, std::string* spec);

class VmControl {
 public:
  // What query-replay calls the mode: none (run, or a replay gone live
  // without recording), record, play.
  enum class Mode { kNone, kRecord, kPlay };

  // Checks a --qmp value before anything is built.
  static Status CheckSpec(const std::string& spec);
  // Listens at `spec`; with QEMU's `wait` (the default) blocks until a
  // first client connects. `journal`: the file recorded or replayed.
  static Status Start(const std::string& spec, Vm* vm, Mode mode, const std::string& journal,
                      std::unique_ptr<VmControl>* out);
  ~VmControl();

  // The replay went live (CPU thread, between runs).
  void SetMode(Mode mode) { mode_.store(mode); }
  // CPU thread: the machine has stopped for good; `reason` is how
  // (EndReason / RunEndName words). Emits SHUTDOWN.
  void MachineEnded(const std::string& reason);
  // A QMP `quit` ended the run.
  bool quit_requested() const { return quit_.load(); }

 private:
  VmControl(Vm* vm, Mode mode, std::string journal);
  void RegisterCommands();
  void RegisterBlockCommands();
  // The drive QMP calls `name`, or -1.
  int FindDrive(const std::string& name) const;
  qmp::Json ReplayInfo();

  Vm* vm_;
  std::atomic<Mode> mode_;
  std::string journal_;
  CpuExecutor cpu_;
  qmp::QmpDispatcher dispatcher_;
  std::unique_ptr<qmp::QmpServer> server_;
  std::atomic<bool> quit_{false};
  std::atomic<bool> ended_{false};
  std::mutex mu_;
  qmp::Json final_replay_info_;  // query-replay's answer once the machine ended
  std::vector<bool> drive_failed_;  // io-status (CPU thread writes, under mu_)
};

}  // namespace tapvm::cli
