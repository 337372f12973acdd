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
// NAME is an engine's name (interpreter, or any EngineKind), jit-at-once
// (the JIT translating each block the first time it is reached), or
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
#include "emulator/cpu/jit/jit_engine.h"
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
  if (name == "jit-at-once") {  // the JIT translating every block the first time (most of a program runs translated)
    *out = [](HartEngineAccess h) { return std::make_unique<jit::JitEngine>(h, size_t{64} << 20, 1); };
    return true;
  }
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

// The two machines of one program, and how to drive them one slice at a time.
class Pair {
 public:
  Pair(const GenProgram& p, const test::GenOptions& go, const Options& o, const Factory& make)
      : go_(go), o_(o), end_pc_(p.body.back().addr) {
    const Factory reference = [](HartEngineAccess h) { return MakeEngine(EngineKind::kInterpreter, h); };
    ok_ = Build(p, reference, &want_) && Build(p, make, &got_);
  }
  bool ok() const { return ok_; }
  const HartState& state() const { return want_.board->hart().state(); }
  bool at_end() const { return state().pc == end_pc_ || stuck_; }

  // Runs one slice of `budget` on both; returns what differs ("" if
  // nothing). `full` also compares the machine digests.
  std::string Step(uint64_t budget, bool full) {
    HartState& ws = want_.board->hart().state();
    HartState& gs = got_.board->hart().state();
    std::string diff;
    if (go_.interrupts) {
      // Hart::Run takes interrupts between slices, at timer deadlines.
      const StopReason wr = want_.board->hart().Run(ws.icount + budget);
      const StopReason gr = got_.board->hart().Run(gs.icount + budget);
      if (wr != gr) diff += " stop reason differs\n";
      if (wr == StopReason::kIdle) ws.waiting = gs.waiting = 0;  // wfi may end at any time
      stuck_ = wr == StopReason::kStuck;
      full |= wr != StopReason::kLimit;
    } else {
      const SliceEnd we = want_.engine->RunSlice(budget);
      const SliceEnd ge = got_.engine->RunSlice(budget);
      if (we != ge) diff += std::string(" end: ") + EndName(we) + " vs " + EndName(ge) + "\n";
      full |= we != SliceEnd::kBudget;
    }
    full |= at_end();
    // The hart's state digest is cheap: compared after every slice, so a
    // difference is reported in the slice that made it.
    if (!full && diff.empty() && want_.board->hart().StateDigest() == got_.board->hart().StateDigest()) return diff;
    std::vector<std::pair<const char*, uint64_t>> fields;
    VisitHartState(ws, [&](const char* n, auto v) { fields.emplace_back(n, static_cast<uint64_t>(v)); });
    size_t k = 0;
    VisitHartState(gs, [&](const char* n, auto v) {
      char line[160];
      if (static_cast<uint64_t>(v) != fields[k].second) {
        std::snprintf(line, sizeof line, " %s%s: interpreter %#llx, %s %#llx\n", n,
                      k < 64 ? std::to_string(k % 32).c_str() : "", static_cast<unsigned long long>(fields[k].second),
                      o_.engine.c_str(), static_cast<unsigned long long>(v));
        diff += line;
      }
      ++k;
    });
    if (diff.empty() && full && want_.board->ComputeDigest().value != got_.board->ComputeDigest().value)
      diff += " the machine digests differ (RAM or devices)\n";
    return diff;
  }

 private:
  test::GenOptions go_;
  const Options& o_;
  uint64_t end_pc_;
  Machine want_, got_;
  bool ok_ = false;
  bool stuck_ = false;
};

std::string Hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

// After a difference in slice `i` (budgets[i]), finds the shortest budget
// for that slice which still differs, on fresh machines that replay the
// slices before it: the last instruction of that budget is where the
// engines part. Returns a description of it.
std::string Bisect(const GenProgram& p, const test::GenOptions& go, const Options& o, const Factory& make,
                   const std::vector<uint64_t>& budgets) {
  const size_t i = budgets.size() - 1;
  uint64_t lo = 1, hi = budgets[i];  // hi differs
  uint64_t start_pc = 0, start_icount = 0;
  auto differs = [&](uint64_t b) {
    Pair pair(p, go, o, make);
    for (size_t k = 0; k < i; ++k) pair.Step(budgets[k], false);
    start_pc = pair.state().pc;
    start_icount = pair.state().icount;
    return !pair.Step(b, true).empty();
  };
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (differs(mid)) hi = mid;
    else lo = mid + 1;
  }
  // Where the last instruction of that budget ran: the pc after a budget
  // of hi - 1, on the reference.
  Pair pair(p, go, o, make);
  for (size_t k = 0; k < i; ++k) pair.Step(budgets[k], false);
  if (hi > 1) pair.Step(hi - 1, false);
  const uint64_t pc = pair.state().pc;
  return "the slice from pc " + Hex(start_pc) + " (icount " + std::to_string(start_icount) +
         ") differs first with a budget of " + std::to_string(hi) + ": the instruction at pc " + Hex(pc) +
         " (icount " + std::to_string(pair.state().icount) + ") or the slice end after it\n" +
         test::ListBody(p, pc, pc + 3);
}

// Runs one program; false (after a report) when the engines differ.
bool RunProgram(uint64_t seed, const Options& o, const Factory& make, uint64_t* instructions) {
  test::GenOptions go;
  go.body_insns = o.insns;
  go.paging = seed & 1;             // seeds take turns: M-mode, S-mode under Sv39,
  go.interrupts = (seed >> 1) & 1;  // each with and without timer interrupts
  go.triggers = go.interrupts && ((seed >> 2) & 1);  // and half of those with Sdtrig triggers armed
  const GenProgram p = test::GenerateProgram(seed, go);
  if (o.list) std::fputs(test::ListBody(p).c_str(), stdout);
  Pair pair(p, go, o, make);
  if (!pair.ok()) {
    std::fprintf(stderr, "could not build the machines\n");
    return false;
  }
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull);
  std::vector<uint64_t> budgets;
  for (unsigned i = 0; i < o.slices && !pair.at_end(); ++i) {
    const unsigned r = static_cast<unsigned>(rng() % 100);
    budgets.push_back(r < 15 ? 1 + rng() % 4 : r < 80 ? 1 + rng() % 64 : 64 + rng() % 2000);
    const uint64_t start_pc = pair.state().pc, start_icount = pair.state().icount;
    const std::string diff = pair.Step(budgets.back(), i % 8 == 7 || i + 1 == o.slices);
    if (diff.empty()) continue;
    std::printf("DIFFERENCE: engine %s, seed %llu (%s%s%s), slice %u (start pc %#llx, icount %llu, budget %llu):\n%s",
                o.engine.c_str(), static_cast<unsigned long long>(seed), go.paging ? "S-mode, Sv39" : "M-mode",
                go.interrupts ? ", interrupts" : "", go.triggers ? ", triggers" : "", i, static_cast<unsigned long long>(start_pc),
                static_cast<unsigned long long>(start_icount), static_cast<unsigned long long>(budgets.back()),
                diff.c_str());
    std::printf("%s(reproduce: --engine=%s --seed=%llu --programs=1; --list for the whole body)\n",
                Bisect(p, go, o, make, budgets).c_str(), o.engine.c_str(), static_cast<unsigned long long>(seed));
    return false;
  }
  const HartState& s = pair.state();
  *instructions += s.icount;
  if (o.verbose) {
    unsigned hits = 0;  // triggers that fired (their hit bit), while the body left them
    for (unsigned k = 0; k < 4; ++k) hits |= ((s.tdata1[k] >> 20) & 1) << k;
    std::printf("seed %llu (%s%s%s): %llu instructions, %llu traps, ends at pc %#llx in %s mode%s\n",
                static_cast<unsigned long long>(seed), go.paging ? "S-mode, Sv39" : "M-mode",
                go.interrupts ? ", interrupts" : "", go.triggers ? ", triggers" : "",
                static_cast<unsigned long long>(s.icount), static_cast<unsigned long long>(s.traps),
                static_cast<unsigned long long>(s.pc), s.priv == Priv::kM ? "M" : "S/U",
                hits ? (", triggers hit: " + std::to_string(hits)).c_str() : "");
  }
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
