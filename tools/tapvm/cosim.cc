#include "tools/tapvm/cosim.h"

#include <cinttypes>
#include <cstdio>
#include <map>
#include <utility>

namespace tapvm::cli {

namespace {

std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

// Every architectural field of `s` with its indexed name ("x[3]", "pc").
std::vector<std::pair<std::string, uint64_t>> Fields(const HartState& s) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::map<std::string, int> seen;
  VisitHartState(s, [&](const char* name, const auto& value) {
    std::string n = name;
    // Arrays are visited one element after the other under one name.
    const bool array = n == "x" || n == "f" || n == "pmpcfg" || n == "pmpaddr";
    if (array) n += "[" + std::to_string(seen[name]++) + "]";
    out.emplace_back(std::move(n), static_cast<uint64_t>(value));
  });
  return out;
}

// A check marker's digest when no whole-machine digest is due.
MachineDigest HartOnly(uint64_t hart_digest) { return MachineDigest{hart_digest, hart_digest, 0, 0}; }

bool GuestEnded(RunResult::Kind k) {
  return k != RunResult::Kind::kLimit && k != RunResult::Kind::kQuit;
}

}  // namespace

std::string DescribeHartDifference(const HartState& a, const HartState& b, size_t max_lines) {
  const auto fa = Fields(a), fb = Fields(b);
  std::string out;
  size_t shown = 0, differ = 0;
  for (size_t i = 0; i < fa.size() && i < fb.size(); ++i) {
    if (fa[i].second == fb[i].second) continue;
    if (++differ > max_lines) continue;
    ++shown;
    out += "    " + fa[i].first + ": " + Hex(fa[i].second) + " vs " + Hex(fb[i].second) + "\n";
  }
  if (differ > shown) out += "    ... and " + std::to_string(differ - shown) + " more\n";
  return out;
}

Cosim::Cosim(const CosimOptions& options, EventSink* journal, EngineKind engine)
    : options_(options), engine_(engine), link_(std::make_unique<CosimLink>(journal, options.max_lag)) {}

Cosim::~Cosim() {
  if (thread_.joinable()) {
    link_->Close();
    thread_.join();
  }
}

void Cosim::StartReference(Vm& main, const BootImages& images) {
  main_ = &main;
  MachineConfig config = main.config();
  config.engine = EngineKind::kInterpreter;
  config.break_insn.clear();  // a deliberately broken engine is the main machine's
  // Built on its own thread: the replay tap reads its first event at once,
  // and the main machine has not made it yet.
  thread_ = std::thread(&Cosim::ReferenceMain, this, std::move(config), &images, main.drive_sizes());
}

void Cosim::ReferenceMain(MachineConfig config, const BootImages* images, std::vector<uint64_t> drive_sizes) {
  Status st = Vm::CreateReplay(config, *images, drive_sizes, link_.get(), /*show_console=*/false,
                               /*disk_copies=*/false, &reference_);
  if (!st.ok()) {
    Fail("cannot build the reference machine: " + st.ToString());
  } else {
    CosimCheckpoint c;
    while (link_->NextCheckpoint(&c))
      if (!Check(c) || c.final) break;
  }
  link_->ReferenceDone();
  reference_.reset();
}

std::string Cosim::Window(uint64_t icount) const {
  return "in the window icount " + std::to_string(last_ok_) + ".." + std::to_string(icount) +
         (last_ok_ ? " (last matching check at " + std::to_string(last_ok_) + ")" : " (no check matched before it)");
}

void Cosim::Fail(std::string report) {
  report_ = std::move(report);
  failed_ = true;
  if (main_) main_->board().RequestQuit();
}

bool Cosim::Check(const CosimCheckpoint& c) {
  const std::string under_test(EngineKindName(engine_));
  Board& board = reference_->board();
  ReplayTap& replay = *reference_->replay();
  // A main run that ended stuck retires nothing more: let the reference
  // past the icount to enter the same trap loop (as a replay does).
  const bool stuck = c.final && c.main_end.kind == RunResult::Kind::kStuck;
  const RunResult r = board.Run(stuck ? c.icount + 1 : c.icount);
  const HartState& s = board.hart().state();
  if (!replay.status().ok()) {
    Fail("the event stream failed: " + replay.status().ToString());
    return false;
  }
  if (replay.divergence()) {
    Fail("the interpreter, given the " + under_test + " machine's inputs, did not do what it did, " +
         Window(c.icount) + ":\n  " + replay.divergence()->ToString() + "\n  " + under_test + " pc at icount " +
         std::to_string(c.icount) + ": " + Hex(c.hart.pc) + "; interpreter pc " + Hex(s.pc) + " at icount " +
         std::to_string(s.icount));
    return false;
  }
  if (s.icount != c.icount || (!c.final && r.kind != RunResult::Kind::kLimit) ||
      (c.final && GuestEnded(c.main_end.kind) && r.kind != c.main_end.kind)) {
    Fail(std::string("the interpreter's run ended (") + RunEndName(r.kind) + ") at icount " +
         std::to_string(s.icount) + ", pc " + Hex(s.pc) + "; the " + under_test + " machine's " +
         (c.final ? std::string("ended (") + RunEndName(c.main_end.kind) + ")" : std::string("ran on")) +
         " at icount " + std::to_string(c.icount) + ", pc " + Hex(c.hart.pc) + ", " + Window(c.icount));
    return false;
  }
  if (replay.consumed() != c.events) {
    // The marker fences the events (cosim_link.h): this is a bug of cosim's.
    Fail("the interpreter took " + std::to_string(replay.consumed()) + " of the " + under_test + " machine's " +
         std::to_string(c.events) + " events at the check at icount " + std::to_string(c.icount));
    return false;
  }
  if (board.hart().StateDigest() != c.hart_digest) {
    Fail("architectural state differs at icount " + std::to_string(c.icount) + ", " + Window(c.icount) + ":\n  " +
         under_test + " pc " + Hex(c.hart.pc) + ", interpreter pc " + Hex(s.pc) + "\n  fields (" + under_test +
         " vs interpreter):\n" + DescribeHartDifference(c.hart, s) +
         (c.icount - last_ok_ > 1 ? "  (a run with --cosim-interval 1 narrows the window to one instruction, when the "
                                    "guest's inputs are the same)\n"
                                  : ""));
    return false;
  }
  MachineDigest marker = HartOnly(board.hart().StateDigest());
  if (c.machine) {
    const MachineDigest d = board.ComputeDigest();
    marker = d;
    if (d.value != c.machine->value) {
      std::string parts;
      if (d.hart != c.machine->hart) parts += " hart";
      if (d.ram != c.machine->ram) parts += " RAM";
      if (d.devices != c.machine->devices) parts += " devices";
      Fail("the whole-machine digest differs at icount " + std::to_string(c.icount) + " (in:" + parts + "), " +
           Window(c.icount) + "; pc " + Hex(s.pc));
      return false;
    }
    ++full_checks_;
  }
  // Consumes the check's marker, or at the end the main machine's final
  // digest: both are equal by now, but the replay must see them.
  if (c.final) board.ReportFinalDigest();
  else replay.ObserveDigest(marker);
  if (replay.divergence()) {
    Fail("the replay did not match the check's digest at icount " + std::to_string(c.icount) + ": " +
         replay.divergence()->ToString());
    return false;
  }
  ++checks_;
  last_ok_ = c.icount;
  return true;
}

CosimCheckpoint Cosim::Snapshot(bool final, RunResult end) {
  Board& board = main_->board();
  CosimCheckpoint c;
  c.hart = board.hart().state();
  c.icount = c.hart.icount;
  c.events = main_->recording()->last_seq() + link_->markers();
  c.hart_digest = board.hart().StateDigest();
  const uint64_t every = options_.digest_interval;
  if (final || (every && c.icount / every != last_full_ / every)) {
    c.machine = board.ComputeDigest();
    last_full_ = c.icount;
  }
  c.final = final;
  c.main_end = end;
  return c;
}

RunResult Cosim::RunMain(uint64_t max_icount, bool bound_idle_time) {
  Board& board = main_->board();
  const uint64_t every = options_.interval;
  for (;;) {
    const uint64_t at = board.hart().state().icount;
    const uint64_t aligned = at / every * every;
    const uint64_t next = UINT64_MAX - aligned < every ? UINT64_MAX : aligned + every;
    const bool last = next >= max_icount;
    // Only the last chunk bounds idle time (--max-insns): the others end at
    // an icount, as an unchunked run passes through it.
    const RunResult r = board.Run(last ? max_icount : next, last && bound_idle_time);
    if (r.kind != RunResult::Kind::kLimit || last) return r;
    CosimCheckpoint c = Snapshot(false, r);
    link_->AppendMarker(c.icount, c.machine ? *c.machine : HartOnly(c.hart_digest));
    link_->PushCheckpoint(std::move(c), [&board] { return board.quit_requested(); });
  }
}

bool Cosim::Finish(RunResult end) {
  CosimCheckpoint c = Snapshot(true, end);
  main_->board().ReportFinalDigest();
  link_->PushCheckpoint(std::move(c), nullptr);
  link_->Close();
  if (thread_.joinable()) thread_.join();
  if (!failed_ && checks_ == 0) {
    report_ = "the reference never reached the final check";
    return false;
  }
  return !failed_;
}

std::string Cosim::Summary() const {
  char line[320];
  std::snprintf(line, sizeof line,
                "cosim: %s matched the interpreter at %" PRIu64 " state checks (every %" PRIu64
                " instructions) and %" PRIu64 " whole-machine digests",
                std::string(EngineKindName(engine_)).c_str(), checks_, options_.interval, full_checks_);
  return line;
}

std::string Cosim::Stats() const {
  char line[200];
  std::snprintf(line, sizeof line,
                "cosim_checks=%" PRIu64 " cosim_machine_digests=%" PRIu64 " cosim_max_lag=%zu", checks_,
                full_checks_, link_->max_lag());
  return line;
}

}  // namespace tapvm::cli
