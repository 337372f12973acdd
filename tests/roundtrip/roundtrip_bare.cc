// roundtrip_bare: records and replays bare-metal programs in this process
// (RecordingTap, then ReplayTap over the journal) with a state digest every
// few instructions, and fails unless each replay is bit-exact.
//
// usage: roundtrip_bare [--digest-interval N] [--max-insns N]
//                       [--record-engine E] [--replay-engine E] ELF...
// (E: interp or jit; both interp by default).
// Prints one line per program; exits 1 if any round trip failed, 2 on bad
// usage.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "emulator/machine/backends/host_backends.h"
#include "tests/roundtrip/round_trip.h"

int main(int argc, char** argv) {
  uint64_t interval = 1000, max_insns = 200'000'000;
  tapvm::EngineKind record_engine = tapvm::EngineKind::kInterpreter, replay_engine = record_engine;
  std::vector<std::string> elfs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--digest-interval" || a == "--max-insns") && i + 1 < argc) {
      (a == "--max-insns" ? max_insns : interval) = std::strtoull(argv[++i], nullptr, 10);
    } else if ((a == "--record-engine" || a == "--replay-engine") && i + 1 < argc &&
               tapvm::ParseEngineKind(argv[i + 1], a == "--record-engine" ? &record_engine : &replay_engine)) {
      ++i;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "usage: roundtrip_bare [--digest-interval N] [--max-insns N] ELF...\n");
      return 2;
    } else {
      elfs.push_back(a);
    }
  }
  if (elfs.empty()) {
    std::fprintf(stderr, "usage: roundtrip_bare [--digest-interval N] [--max-insns N] ELF...\n");
    return 2;
  }
  int failed = 0;
  for (const std::string& elf : elfs) {
    tapvm::MachineConfig config;
    config.firmware = elf;
    config.digest_interval = interval;
    config.engine = record_engine;
    config.jit_hot_after = 1;
    tapvm::BootImages images;
    tapvm::Status st = tapvm::ReadBootImages(config, &images);
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", elf.c_str(), st.ToString().c_str());
      return 2;
    }
    tapvm::test::RoundTripOptions o;
    o.max_icount = max_insns;
    o.initial_input = "round trip\n";  // for programs that read the console
    o.replay_engine = replay_engine;
    tapvm::test::RoundTripResult r = tapvm::test::RecordAndReplay(config, images, o);
    std::string bad = r.Mismatch();
    std::printf("%s %s: %" PRIu64 " events, %" PRIu64 " instructions, digest %016" PRIx64 "%s%s\n",
                bad.empty() ? "ok  " : "FAIL", elf.c_str(), r.events, r.recorded_icount, r.recorded_digest,
                bad.empty() ? "" : "\n     ", bad.c_str());
    if (!bad.empty()) ++failed;
  }
  if (failed) std::printf("%d of %zu round trips failed\n", failed, elfs.size());
  return failed ? 1 : 0;
}
