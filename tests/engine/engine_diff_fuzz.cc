// engine_diff_fuzz: a differential fuzzer between execution engines.
//
// Each program (rv_program_gen.h, one per seed) runs on two boards: one
// with the interpreter, the reference, and one with the engine under test.
// Both are driven slice by slice (ExecutionEngine::RunSlice) with the same
// random budgets, so a slice may end anywhere: inside a translated block,
// at a device access, at a trap. After every slice the two must agree on
// how it ended and on the whole hart state; every few slices and at the
// end, on the machine digest too (RAM and devices). The first
// difference is reported with the seed that reproduces it, the slice, the
// differing fields and a listing of the code the slice ran.
//
//   engine_diff_fuzz --engine=NAME [--seed=S] [--programs=N] [--seconds=T]
//                    [--insns=N] [--slices=N] [--list] [--verbose]
//
// NAME is an engine's name (interpreter, or any EngineKind), or
// broken:MNEMONIC: the interpreter with that instruction made to write a
// wrong result (bit 0 of its integer rd flipped), which the fuzzer must
// catch; CTest runs that as proof that the fuzzer can fail. Programs
// are seeds S, S+1, ...; --seconds bounds the time instead of the count.
// Exit status: 0 no difference, 1 a difference (reported), 2 bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "emulator/cpu/engine.h"
#include "emulator/cpu/hart_engine_access.h"
#include "emulator/cpu/interpreter.h"
#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/engine/rv_program_gen.h"

namespace tapvm {
namespace {

using test::GenProgram;

// The interpreter with one instruction broken (see the top comment).
class BrokenEngine final : public ExecutionEngine {
 public:
  BrokenEngine(HartEngineAccess hart, std::string mnemonic) : hart_(hart), inner_(hart), mnemonic_(std::move(mnemonic)) {}
  std::string_view name() const override { return "broken"; }
  SliceEnd RunSlice(uint64_t budget) override {
    HartState& s = hart_.state();
    for (uint64_t n = 0; n < budget; ++n) {
      hart_.DecodeCrossPage(s.pc);
      const DecodedInsn d = hart_.cross_page()[0];
      const uint64_t icount = s.icount;
      const SliceEnd end = inner_.RunSlice(1);
      if (d.op != Op::PAGE_END && s.icount == icount + 1 && Mnemonic(d.raw) == mnemonic_ &&
          OpBreakKind(d.op) == BreakKind::I && d.rd != 0 && d.rd < 32)
        s.x[d.rd] ^= 1;
      if (end != SliceEnd::kBudget) return end;
    }
    return SliceEnd::kBudget;
  }

 private:
  HartEngineAccess hart_;
  Interpreter inner_;
  std::string mnemonic_;
};

using Factory = std::function<std::unique_ptr<ExecutionEngine>(HartEngineAccess)>;

bool FactoryFor(const std::string& name, Factory* out) {
  if (name.rfind("broken:", 0) == 0) {
    const std::string m = name.substr(7);
    *out = [m](HartEngineAccess h) { return std::make_unique<BrokenEngine>(h, m); };
    return true;
  }
  for (int k = 0; k < 16; ++k) {
    const auto kind = static_cast<EngineKind>(k);
    if (EngineKindName(kind) == name) {
      *out = [kind](HartEngineAccess h) { return MakeEngine(kind, h); };
      return true;
    }
  }
  return false;
}

struct Machine {
  MinimalTap tap;
  std::unique_ptr<Board> board;
  ExecutionEngine* engine = nullptr;
};

bool Build(const GenProgram& p, const Factory& make, Machine* m) {
  BoardConfig cfg;
  cfg.ram_size = test::kGenRamBytes;
  if (!Board::Create(cfg, &m->tap, &m->board).ok()) return false;
  for (const auto& c : p.chunks)
    std::memcpy(m->board->bus().HostPtrForWrite(c.addr, c.bytes.size()), c.bytes.data(), c.bytes.size());
  m->board->hart().FlushCaches();
  m->board->hart().InstallEngine([&](HartEngineAccess access) {
    auto e = make(access);
    m->engine = e.get();
    return e;
  });
  return m->engine != nullptr;
}

const char* EndName(SliceEnd e) {
  switch (e) {
    case SliceEnd::kBudget: return "budget";
    case SliceEnd::kEvent: return "event";
    case SliceEnd::kTrap: return "trap";
  }
  return "?";
}

struct Options {
  std::string engine;
  uint64_t seed = 1;
  uint64_t programs = 100;
  double seconds = 0;
  unsigned insns = 400;
  unsigned slices = 3000;
  bool list = false;
  bool verbose = false;
};

// Runs one program; false (after a report) when the engines differ.
bool RunProgram(uint64_t seed, const Options& o, const Factory& make, uint64_t* instructions) {
  test::GenOptions go;
  go.body_insns = o.insns;
  go.paging = seed & 1;             // seeds take turns: M-mode, S-mode under Sv39,
  go.interrupts = (seed >> 1) & 1;  // each with and without timer interrupts
  const GenProgram p = test::GenerateProgram(seed, go);
  if (o.list) std::fputs(test::ListBody(p).c_str(), stdout);
  Machine want, got;
  const Factory reference = [](HartEngineAccess h) { return MakeEngine(EngineKind::kInterpreter, h); };
  if (!Build(p, reference, &want) || !Build(p, make, &got)) {
    std::fprintf(stderr, "could not build the machines\n");
    return false;
  }
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull);
  const uint64_t end_pc = p.body.back().addr;  // `j .`
  for (unsigned i = 0; i < o.slices; ++i) {
    const unsigned r = static_cast<unsigned>(rng() % 100);
    const uint64_t budget = r < 15 ? 1 + rng() % 4 : r < 80 ? 1 + rng() % 64 : 64 + rng() % 2000;
    HartState& ws = want.board->hart().state();
    HartState& gs = got.board->hart().state();
    const uint64_t start_pc = ws.pc, start_icount = ws.icount;
    std::string diff;
    bool full_check = i % 8 == 7 || i + 1 == o.slices;
    bool stuck = false;
    if (go.interrupts) {
      // Hart::Run takes interrupts between slices, at timer deadlines.
      const StopReason wr = want.board->hart().Run(start_icount + budget);
      const StopReason gr = got.board->hart().Run(start_icount + budget);
      if (wr != gr) diff += " stop reason differs\n";
      if (wr == StopReason::kIdle) ws.waiting = gs.waiting = 0;  // wfi may end at any time
      stuck = wr == StopReason::kStuck;
      full_check |= wr != StopReason::kLimit;
    } else {
      const SliceEnd we = want.engine->RunSlice(budget);
      const SliceEnd ge = got.engine->RunSlice(budget);
      if (we != ge) diff += std::string(" end: ") + EndName(we) + " vs " + EndName(ge) + "\n";
      full_check |= we != SliceEnd::kBudget;
    }
    full_check |= ws.pc == end_pc;
    // The hart's state digest is cheap: compared after every slice, so a
    // difference is reported in the slice that made it.
    if (full_check || diff.size() || want.board->hart().StateDigest() != got.board->hart().StateDigest()) {
      std::vector<std::pair<const char*, uint64_t>> fields;
      VisitHartState(ws, [&](const char* n, auto v) { fields.emplace_back(n, static_cast<uint64_t>(v)); });
      size_t k = 0;
      VisitHartState(gs, [&](const char* n, auto v) {
        char line[160];
        if (static_cast<uint64_t>(v) != fields[k].second) {
          std::snprintf(line, sizeof line, " %s[%zu]: interpreter %#llx, %s %#llx\n", n, k < 32 ? k : k < 64 ? k - 32 : 0,
                        static_cast<unsigned long long>(fields[k].second), o.engine.c_str(),
                        static_cast<unsigned long long>(v));
          diff += line;
        }
        ++k;
      });
      if (diff.empty() && full_check && want.board->ComputeDigest().value != got.board->ComputeDigest().value)
        diff += " the machine digests differ (RAM or devices)\n";
    }
    if (!diff.empty()) {
      std::printf("DIFFERENCE: engine %s, seed %llu (%s%s), slice %u (start pc %#llx, icount %llu, budget %llu):\n%s",
                  o.engine.c_str(), static_cast<unsigned long long>(seed), go.paging ? "S-mode, Sv39" : "M-mode",
                  go.interrupts ? ", interrupts" : "", i,
                  static_cast<unsigned long long>(start_pc), static_cast<unsigned long long>(start_icount),
                  static_cast<unsigned long long>(budget), diff.c_str());
      std::printf("code from the slice's start (reproduce: --engine=%s --seed=%llu --programs=1):\n%s",
                  o.engine.c_str(), static_cast<unsigned long long>(seed),
                  test::ListBody(p, start_pc, start_pc + 64).c_str());
      return false;
    }
    if (ws.pc == end_pc || stuck) break;
  }
  *instructions += want.board->hart().state().icount;
  if (o.verbose)
    std::printf("seed %llu (%s%s): %llu instructions, %llu traps, ends at pc %#llx in %s mode\n",
                static_cast<unsigned long long>(seed), go.paging ? "S-mode, Sv39" : "M-mode",
                go.interrupts ? ", interrupts" : "",
                static_cast<unsigned long long>(want.board->hart().state().icount),
                static_cast<unsigned long long>(want.board->hart().state().traps),
                static_cast<unsigned long long>(want.board->hart().state().pc),
                want.board->hart().state().priv == Priv::kM ? "M" : "S/U");
  return true;
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&](const char* k) { return a.substr(std::strlen(k)); };
    auto is = [&](const char* k) { return a.rfind(k, 0) == 0; };
    if (is("--engine=")) o.engine = val("--engine=");
    else if (is("--seed=")) o.seed = std::strtoull(val("--seed=").c_str(), nullptr, 0);
    else if (is("--programs=")) o.programs = std::strtoull(val("--programs=").c_str(), nullptr, 0);
    else if (is("--seconds=")) o.seconds = std::atof(val("--seconds=").c_str());
    else if (is("--insns=")) o.insns = static_cast<unsigned>(std::atoi(val("--insns=").c_str()));
    else if (is("--slices=")) o.slices = static_cast<unsigned>(std::atoi(val("--slices=").c_str()));
    else if (a == "--list") o.list = true;
    else if (a == "--verbose") o.verbose = true;
    else {
      std::fprintf(stderr, "engine_diff_fuzz: unknown argument '%s' (see the top of engine_diff_fuzz.cc)\n", a.c_str());
      return 2;
    }
  }
  Factory make;
  if (o.engine.empty() || !FactoryFor(o.engine, &make)) {
    std::fprintf(stderr, "engine_diff_fuzz: --engine=NAME needs an engine's name or broken:MNEMONIC\n");
    return 2;
  }
  if (o.insns < 8 || o.slices < 1) {
    std::fprintf(stderr, "engine_diff_fuzz: --insns must be at least 8 and --slices at least 1\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  uint64_t done = 0, instructions = 0;
  for (uint64_t seed = o.seed;; ++seed) {
    if (o.seconds > 0) {
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o.seconds) break;
    } else if (done >= o.programs) {
      break;
    }
    if (!RunProgram(seed, o, make, &instructions)) return 1;
    ++done;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("engine %s: %llu programs (seeds %llu..%llu), %llu instructions, no difference (%.1f s)\n",
              o.engine.c_str(), static_cast<unsigned long long>(done), static_cast<unsigned long long>(o.seed),
              static_cast<unsigned long long>(o.seed + done - (done ? 1 : 0)),
              static_cast<unsigned long long>(instructions), secs);
  return 0;
}

}  // namespace
}  // namespace tapvm

int main(int argc, char** argv) { return tapvm::Main(argc, argv); }
