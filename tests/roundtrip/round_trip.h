// RoundTrip: record a machine and replay its journal in this very process,
// through RecordingTap and ReplayTap (no command line in between), and say
// whether the replay reproduced the recording bit for bit.
//
// The recording runs the machine built from `config` with host backends
// behind a PassthroughTap, as `tapvm record` does; console input can be
// scripted (each `send` is posted once the console has shown its `expect`).
// The replay rebuilds the machine from the journal alone. A round trip
// passes when the replay reports no divergence, consumes every recorded
// event, stops at the recorded final icount with the same outcome and the
// same final state digest, and shows the same console output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/board.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"

namespace tapvm::test {

struct ConsoleStep {
  std::string expect;  // wait until the console has shown this (after the previous step's match)
  std::string send;    // then type this
};

struct RoundTripOptions {
  uint64_t max_icount = 50'000'000;
  std::vector<ConsoleStep> script;
  std::string initial_input;  // console input waiting when the machine starts
  std::string journal_path;  // where to record (a temporary file when empty; removed at the end)
  // The replay's engine (the recording runs the config's): a journal must
  // replay with either. The JIT translates at once here (hot after 1), so
  // short programs run translated.
  EngineKind replay_engine = EngineKind::kInterpreter;
};

struct RoundTripResult {
  Status status;  // a setup failure (journal, images, machine)
  RunResult recorded{RunResult::Kind::kLimit}, replayed{RunResult::Kind::kLimit};
  uint64_t recorded_icount = 0, replayed_icount = 0;
  uint64_t recorded_digest = 0, replayed_digest = 0;
  uint64_t events = 0, consumed = 0;
  bool replay_at_end = false;
  std::string divergence;  // empty when none
  std::string recorded_console, replayed_console;
  // "" when the round trip is bit-exact; otherwise what differed.
  std::string Mismatch() const;
};

RoundTripResult RecordAndReplay(const MachineConfig& config, const BootImages& images,
                                const RoundTripOptions& options);

}  // namespace tapvm::test
