// The machine options `run`, `record` and `ft` share: the command line a
// MachineConfig is made from (kernel, initrd, drives, netdevs, memory...),
// its defaults (the built guest when nothing is given) and its checks.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/cpu/engine.h"
#include "emulator/machine/machine_config.h"

namespace tapvm::cli {

// The command line, before it becomes a MachineConfig.
struct RunOptions {
  MachineConfig machine;
  std::vector<std::string> drives, netdevs;  // option strings, parsed into `machine`
  std::string memory;
  std::string engine{DefaultEngineName()};  // --engine, parsed into machine.engine
  // --engine cosim (run and record): machine.engine is the engine under
  // test (--cosim-engine), checked against the interpreter (cosim.h).
  bool cosim = false;
  std::string cosim_engine = "jit";
  uint64_t cosim_interval = 10'000;
  uint64_t cosim_digest_interval = 50'000'000;
  uint64_t max_insns = 0;
  bool stats = false;
  bool no_rng = false;
  std::string guest_dir;
  double timeout_s = 0;
  std::string record_path;  // tapvm record -o
  bool overwrite = false;
  uint64_t checkpoint_interval = 0;  // tapvm record --checkpoint-interval (0: none)
  bool quit_at_eof = false;
  bool console_immediate = false;
  std::string qmp;  // --qmp: the control socket (run and record)
  std::string gdb;  // --gdb HOST:PORT (run only)
};

// Registers the machine options on a subcommand; with `cosim`, --engine
// cosim and its options too (run and record).
void AddVmOptions(CLI::App* cmd, RunOptions* opt, bool cosim = false);
// --engine, --jit-cache-mb and --jit-hot-after (run, record, ft and replay);
// with `cosim`, --engine also takes cosim.
void AddEngineOptions(CLI::App* cmd, std::string* engine, unsigned* jit_cache_mb, unsigned* jit_hot_after,
                      bool cosim = false);
// Cross-option checks CLI11 cannot express (throws CLI::ValidationError).
void Validate(const RunOptions& opt);
// Fills in the defaults and parses the option strings into opt->machine.
Status Resolve(RunOptions* opt);

}  // namespace tapvm::cli
