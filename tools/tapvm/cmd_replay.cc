// `tapvm replay JOURNAL`: re-runs a recorded run from its journal alone (no
// disk image, network or terminal needed), delivering every input at its
// recorded instruction count and checking every observation; reports the
// first divergence precisely. With --live-at it replays to an instruction
// count and then goes on live, with real backends, from that exact state.
#include <spdlog/spdlog.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>

#include "emulator/cpu/engine.h"
#include "emulator/machine/drive_host_options.h"
#include "journal/hash.h"
#include "journal/reader.h"
#include "replayer/event_source.h"
#include "replayer/recorded_machine.h"
#include "tools/tapvm/commands.h"
#include "tools/gdb/gdb_server.h"
#include "tools/tapvm/gdb_command.h"
#include "tools/tapvm/replay_start.h"
#include "tools/tapvm/session.h"
#include "tools/tapvm/vm.h"
#include "tools/tapvm/vm_control.h"
#include "tools/tapvm/vm_options.h"

namespace tapvm::cli {

namespace {

struct ReplayOptions {
  std::string path;
  uint64_t until = 0;    // 0: the whole journal
  uint64_t live_at = 0;  // 0: never go live
  std::vector<std::string> drives;  // copies of the recorded disks
  bool quiet = false;
  std::string break_insn;  // testing aid: overrides the recording's
  std::string engine{DefaultEngineName()};  // not part of a recording: the user's choice
  unsigned jit_cache_mb = 64;
  unsigned jit_hot_after = 8;
  std::string qmp;
  std::string gdb;  // --gdb HOST:PORT
  std::optional<uint64_t> from;  // --from ICOUNT: start at the nearest checkpoint at or before it
  std::string from_checkpoint;   // --from-checkpoint FILE
};

// Points the recorded drives at the user's copies, which must hold exactly
// the recorded disk images (else the replay would go live on another disk).
Status UseDiskCopies(const std::vector<std::string>& specs, RecordedMachine* m) {
  if (specs.size() != m->config.drives.size())
    return Status::InvalidArgument("the recording has " + std::to_string(m->config.drives.size()) +
                                   " drives; give a copy of each with --drive (got " + std::to_string(specs.size()) +
                                   ")");
  for (size_t i = 0; i < specs.size(); ++i) {
    DriveConfig copy;
    TAPVM_RETURN_IF_ERROR(MachineConfig::ParseDrive(specs[i], &copy));
    journal::Hash128 hash;
    TAPVM_RETURN_IF_ERROR(journal::HashFile(copy.file, &hash));
    if (hash != m->drive_hashes[i])
      return Status::InvalidArgument("'" + copy.file + "' is not the disk image drive " + std::to_string(i) +
                                     " was recorded with (content hash " + hash.ToHex() + ", recorded " +
                                     m->drive_hashes[i].ToHex() + ")");
    m->config.drives[i].file = copy.file;
    TakeDriveHostOptions(copy, &m->config.drives[i]);  // aio, cache, inject: the user's, not the recording's
    if (!copy.id.empty()) m->config.drives[i].id = copy.id;
  }
  return MachineConfig::CheckDriveNames(m->config.drives);
}

int Replay(const ReplayOptions& o) {
  std::unique_ptr<journal::JournalReader> reader;
  Status st = journal::JournalReader::Open(o.path, &reader);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  RecordedMachine m;
  st = LoadRecordedMachine(reader.get(), &m);
  if (st.ok() && !o.drives.empty()) st = UseDiskCopies(o.drives, &m);
  if (!o.break_insn.empty()) m.config.break_insn = o.break_insn;
  if (st.ok() && !ParseEngineKind(o.engine, &m.config.engine)) st = Status::InvalidArgument("unknown engine " + o.engine);
  m.config.jit_cache_mb = o.jit_cache_mb;
  m.config.jit_hot_after = o.jit_hot_after;
  if (st.ok() && !o.qmp.empty()) st = VmControl::CheckSpec(o.qmp);
  if (st.ok() && !o.gdb.empty()) st = gdb::GdbServer::CheckSpec(o.gdb);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  if (o.live_at && !m.config.drives.empty() && o.drives.empty()) {
    std::fprintf(stderr, "tapvm: --live-at needs a copy of each recorded disk to go on with (--drive file=COPY)\n");
    return kExitUsage;
  }
  const journal::JournalHeader h = reader->header();
  const RecordedEnd recorded = RecordedEndOf(h);
  if (o.from && *o.from > recorded.icount) {
    std::fprintf(stderr, "tapvm: --from %" PRIu64 " is past the end of the recording (icount %" PRIu64 ")\n", *o.from,
                 recorded.icount);
    return kExitUsage;
  }
  if (o.from && o.until && o.until < *o.from) {
    std::fprintf(stderr, "tapvm: --until %" PRIu64 " is before --from %" PRIu64 "\n", o.until, *o.from);
    return kExitUsage;
  }
  if (!o.gdb.empty()) {
    GdbReplayOptions g;
    g.spec = o.gdb;
    g.journal_path = o.path;
    g.machine = std::move(m);
    g.end = RecordedEndOf(h);
    g.show_console = !o.quiet;
    g.start_at = o.from.value_or(0);
    reader.reset();  // each replay machine opens its own
    return DebugReplay(std::move(g));
  }
  JournalEventSource source(reader.get());
  std::unique_ptr<Vm> vm;
  ReplayStart start;
  if (o.from) {
    st = StartReplayAt(reader.get(), m, *o.from, !o.quiet, &source, &vm, &start);
  } else if (!o.from_checkpoint.empty()) {
    st = StartReplayFromFile(reader.get(), m, o.from_checkpoint, !o.quiet, &source, &vm, &start);
  } else {
    st = Vm::CreateReplay(m.config, m.images, m.drive_sizes, &source, !o.quiet, !o.drives.empty(), &vm);
  }
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: cannot rebuild the recorded machine: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  if (o.from || start.checkpoint) {
    std::fprintf(stderr, "tapvm: replay starts at %s\n", start.Describe().c_str());
    std::fflush(stderr);
  }
  std::unique_ptr<VmControl> control;  // destroyed before the Vm
  if (!o.qmp.empty()) {
    st = VmControl::Start(o.qmp, vm.get(), VmControl::Mode::kPlay, o.path, &control);
    if (!st.ok()) {
      std::fprintf(stderr, "tapvm: %s\n", st.ToString().c_str());
      return kExitUsage;
    }
  }
  Board& board = vm->board();
  ReplayTap& replay = *vm->replay();
  // --from: to that icount first, saying where it landed.
  if (o.from && board.hart().state().icount <= *o.from) {
    board.Run(*o.from);
    if (board.hart().state().icount == *o.from && !replay.divergence() && replay.status().ok())
      std::fprintf(stderr, "tapvm: at icount %" PRIu64 " (event %" PRIu64 "): state digest %016" PRIx64 "\n", *o.from,
                   start.events + replay.consumed(), board.ComputeDigest().value);
  }
  // Run to where the recording stopped (or --until, --live-at).
  const uint64_t recorded_end = recorded.icount;
  uint64_t end = o.until ? std::min(recorded_end, o.until) : recorded_end;
  if (o.live_at) end = std::min(end, o.live_at);
  RunResult r = board.Run(end == recorded_end ? recorded.run_limit : end);
  const HartState& s = board.hart().state();
  const bool going_live = o.live_at && r.kind == RunResult::Kind::kLimit && s.icount == o.live_at &&
                          replay.status().ok() && !replay.divergence();
  if (control && !going_live) control->MachineEnded(replay.divergence() ? "divergence" : RunEndName(r.kind));
  if (end == recorded_end && recorded.final_digest && !replay.divergence() && replay.status().ok())
    board.ReportFinalDigest();
  std::fflush(stdout);
  if (!replay.status().ok()) {
    std::fprintf(stderr, "tapvm: the journal is damaged: %s\n", replay.status().ToString().c_str());
    return 1;
  }
  if (replay.divergence()) {
    std::fprintf(stderr, "tapvm: replay DIVERGED: %s\n", replay.divergence()->ToString().c_str());
    return 1;
  }
  if (o.live_at && r.kind == RunResult::Kind::kLimit && s.icount == o.live_at) {
    const uint64_t events = replay.consumed();
    const size_t in_flight = replay.requests_in_flight();
    st = vm->GoLive();
    if (!st.ok()) {
      std::fprintf(stderr, "tapvm: cannot go live: %s\n", st.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "tapvm: replay matched %" PRIu64 " events up to icount %" PRIu64
                 "; state digest %016" PRIx64 "; going live with %zu request(s) in flight\n", events, s.icount,
                 board.ComputeDigest().value, in_flight);
    if (control) control->SetMode(VmControl::Mode::kNone);
    SessionOutcome outcome = RunSession(*vm, SessionLimits{});
    if (control) {
      control->MachineEnded(EndReason(outcome));
      outcome.control_quit = control->quit_requested();
    }
    return ReportOutcome(s, outcome);
  }
  if (control && control->quit_requested() && r.kind == RunResult::Kind::kQuit) {
    std::fprintf(stderr, "tapvm: replay stopped by a QMP quit: it matched %" PRIu64 " events up to icount %" PRIu64
                 "; state digest %016" PRIx64 "\n", replay.consumed(), s.icount, board.ComputeDigest().value);
    return 0;
  }
  const bool whole = end == recorded_end;
  if (whole && (!replay.at_end() || (h.clean_close && s.icount != end))) {
    std::fprintf(stderr, "tapvm: replay DIVERGED: the recording ran to icount %" PRIu64
                 " with %" PRIu64 " events; the replay stopped at %" PRIu64 " after %" PRIu64 " events (%s)\n",
                 end, h.final_seq, s.icount, start.events + replay.consumed(), r.kind == RunResult::Kind::kLimit ? "limit" : "guest stopped");
    return 1;
  }
  if (o.live_at)
    std::fprintf(stderr, "tapvm: the recording ended before icount %" PRIu64 "; nothing to go live from\n", o.live_at);
  std::string how = whole ? " (whole recording" : " (--until";
  if (whole && !recorded.reason.empty()) how += "; it ended: " + recorded.reason;
  if (start.checkpoint) how += "; from icount " + std::to_string(start.icount);
  std::fprintf(stderr, "tapvm: replay matched %" PRIu64 " events up to icount %" PRIu64 "; state digest %016" PRIx64
               "%s)\n", start.events + replay.consumed(), s.icount, board.ComputeDigest().value, how.c_str());
  return 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* rep = app.add_subcommand("replay", "Replay a journal bit-exactly and verify every event");
  rep->add_option("journal", o->path, "Journal written by `tapvm record`")->required();
  rep->add_option("--until", o->until, "Stop at this instruction count (> 0)")->check(CountValidator(true));
  rep->add_option("--live-at", o->live_at,
                  "Replay to this instruction count, then go on live with real backends (> 0)")
      ->check(CountValidator(true));
  rep->add_option("--drive", o->drives,
                  "A copy of a recorded disk, in drive order: file=PATH[,aio=threads|io_uring]; it must hold the "
                  "recorded image, follows the guest's writes during the replay and serves the disk once live");
  rep->add_flag("-q,--quiet", o->quiet, "Do not show the guest's console output");
  auto* from = rep->add_option("--from", o->from,
                               "Start at the journal's nearest checkpoint at or before this instruction count, replay "
                               "to it (printing the state digest there) and on to the end, verifying as usual")
                   ->check(CountValidator(false));
  rep->add_option("--from-checkpoint", o->from_checkpoint,
                  "Start from a checkpoint file `tapvm journal checkpoint` wrote from this journal")
      ->excludes(from)
      ->excludes("--live-at")
      ->excludes("--drive");
  from->excludes("--live-at")->excludes("--drive");
  rep->add_option("--break-insn", o->break_insn,
                  "Testing aid: execute this instruction (mnemonic) wrongly in the replay, as a change of "
                  "guest-visible behaviour would, to show the replay finds it")
      ->group("Testing");
  AddEngineOptions(rep, &o->engine, &o->jit_cache_mb, &o->jit_hot_after);
  AddQmpOption(rep, &o->qmp);
  rep->add_option("--gdb", o->gdb,
                  "Wait for gdb at HOST:PORT (gdb-multiarch: target remote HOST:PORT) and replay under its "
                  "control, backwards too (reverse-stepi, reverse-continue...); the replay still verifies")
      ->excludes("--live-at")
      ->excludes("--until")
      ->excludes("--qmp")
      ->excludes("--drive")
      ->excludes("--from-checkpoint");
  rep->callback([o, exit_code] { *exit_code = Replay(*o); });
}

}  // namespace tapvm::cli
