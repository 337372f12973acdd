// `tapvm run` and `tapvm record`: build the machine from the command line
// (a MachineConfig), run it with host backends, optionally journal it.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "emulator/machine/backends/host_backends.h"
#include "recorder/checkpoint_recorder.h"
#include "recorder/journal_pump.h"
#include "recorder/recording.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/cosim.h"
#include "tools/gdb/gdb_server.h"
#include "tools/tapvm/gdb_command.h"
#include "tools/tapvm/session.h"
#include "tools/tapvm/vm.h"
#include "tools/tapvm/vm_control.h"
#include "tools/tapvm/vm_options.h"

namespace tapvm::cli {

namespace {

// The JIT's translation timer (statistics only; the machine never reads it).
uint64_t HostNowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

void PrintEngineStats(const ExecutionEngine& engine) {
  const EngineStats e = engine.stats();
  std::fprintf(stderr,
               "tapvm: stats: engine=%.*s blocks_translated=%" PRIu64 " insns_translated=%" PRIu64
               " code_bytes=%" PRIu64 " links=%" PRIu64 " cache_flushes=%" PRIu64 " insns_interpreted=%" PRIu64
               " translate_seconds=%.3f\n",
               static_cast<int>(engine.name().size()), engine.name().data(), e.blocks_translated, e.insns_translated,
               e.code_bytes, e.links, e.cache_flushes, e.insns_interpreted, static_cast<double>(e.translate_ns) / 1e9);
}

int RunVm(RunOptions& opt) {
  Status st = Resolve(&opt);
  if (st.ok() && !opt.qmp.empty()) st = VmControl::CheckSpec(opt.qmp);
  if (st.ok() && !opt.gdb.empty()) st = gdb::GdbServer::CheckSpec(opt.gdb);
  if (st.ok() && !opt.gdb.empty() && (opt.cosim || !opt.record_path.empty()))
    st = Status::InvalidArgument("--gdb debugs a plain run: not with --engine cosim");
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    return kExitUsage;
  }
  const MachineConfig& config = opt.machine;
  if (!config.break_insn.empty())
    spdlog::warn("instruction '{}' is deliberately broken (--break-insn)", config.break_insn);
  // Read once: the machine boots from these very bytes, and a recording
  // stores them.
  BootImages images;
  st = ReadBootImages(config, &images);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  // Record mode: the journal outlives the machine.
  std::unique_ptr<JournalPump> journal;
  if (!opt.record_path.empty()) {
    RecordingOptions ro;
    ro.overwrite = opt.overwrite;
    st = OpenRecording(opt.record_path, config, images, ro, &journal);
    if (!st.ok()) {
      spdlog::error("cannot record to '{}': {}", opt.record_path, st.ToString());
      return kExitUsage;
    }
  }
  // Co-simulation: the machine records into the cosim link (and through
  // it into the journal), which the interpreter's reference replays.
  std::unique_ptr<Cosim> cosim;
  EventSink* sink = journal.get();
  if (opt.cosim) {
    CosimOptions co;
    co.interval = opt.cosim_interval;
    co.digest_interval = opt.cosim_digest_interval;
    cosim = std::make_unique<Cosim>(co, journal.get(), config.engine);
    sink = cosim->sink();
  }
  std::unique_ptr<Vm> vm;
  st = Vm::CreateLive(config, images, sink, &vm);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    if (journal) {  // nothing was recorded: leave no file behind
      journal.reset();
      std::remove(opt.record_path.c_str());
    }
    return kExitUsage;
  }
  if (cosim) cosim->StartReference(*vm, images);
  if (journal) {
    // A journal that cannot be written ends the recording at once.
    Board* board = &vm->board();
    vm->recording()->set_on_error([board, path = opt.record_path](const Status& st) {
      std::fprintf(stderr, "\r\ntapvm: cannot write the journal '%s': %s; stopping the guest\n", path.c_str(),
                   st.ToString().c_str());
      board->RequestQuit();
    });
  }
  std::unique_ptr<VmControl> control;  // destroyed before the Vm
  if (!opt.qmp.empty()) {
    st = VmControl::Start(opt.qmp, vm.get(), journal ? VmControl::Mode::kRecord : VmControl::Mode::kNone,
                          opt.record_path, &control);
    if (!st.ok()) {
      spdlog::error("{}", st.ToString());
      if (journal) {  // nothing was recorded: leave no file behind
        vm.reset();
        journal.reset();
        std::remove(opt.record_path.c_str());
      }
      return kExitUsage;
    }
  }
  if (!opt.gdb.empty()) return DebugLive(*vm, opt.gdb, opt.max_insns ? opt.max_insns : UINT64_MAX);
  if (opt.stats) vm->board().hart().engine().set_stats_clock(&HostNowNs);
  SessionLimits limits;
  limits.max_icount = opt.max_insns ? opt.max_insns : UINT64_MAX;
  limits.timeout_s = opt.timeout_s;
  limits.quit_at_eof = opt.quit_at_eof;
  if (cosim) limits.run = [c = cosim.get()](uint64_t max, bool bound) { return c->RunMain(max, bound); };
  // Checkpoints in the journal, at every multiple of the interval (not
  // under a co-simulation, which runs the machine in its own stretches).
  std::unique_ptr<CheckpointRecorder> checkpoints;
  if (journal && !cosim && opt.checkpoint_interval) {
    checkpoints = std::make_unique<CheckpointRecorder>(journal.get(), opt.checkpoint_interval);
    RecordingTap* rec = vm->recording();
    limits.run = [c = checkpoints.get(), board = &vm->board(), rec](uint64_t max, bool bound) {
      return c->Run(*board, max, bound, [rec] { return CheckpointRecorder::Position{rec->last_seq(), std::nullopt}; });
    };
  }
  SessionOutcome outcome = RunSession(*vm, limits);
  if (control) {
    control->MachineEnded(EndReason(outcome));
    outcome.control_quit = control->quit_requested();
  }
  Board& board = vm->board();
  const HartState& s = board.hart().state();
  // The final state digest is the recording's last event; a cosim reports
  // it itself, with its final check.
  const bool cosim_ok = cosim ? cosim->Finish(outcome.result) : true;
  if (journal) {
    if (!cosim) board.ReportFinalDigest();
    Status js = vm->recording()->status();
    if (js.ok()) js = journal->Close(s.icount, EndReason(outcome));
    if (!js.ok()) {
      std::fprintf(stderr, "tapvm: the journal '%s' is incomplete: %s; what was committed before the error "
                   "verifies and replays\n", opt.record_path.c_str(), js.ToString().c_str());
      return kExitJournal;
    } else {
      std::fprintf(stderr, "tapvm: recorded %" PRIu64 " events over %" PRIu64 " instructions to %s; state digest %016" PRIx64 "\n",
                   vm->recording()->events(), s.icount, opt.record_path.c_str(), board.ComputeDigest().value);
    }
    if (checkpoints) {
      const CheckpointRecorderStats& cs = checkpoints->stats();
      if (!checkpoints->status().ok())
        std::fprintf(stderr, "tapvm: checkpoints stopped: %s\n", checkpoints->status().ToString().c_str());
      if (opt.stats || !checkpoints->status().ok())
        std::fprintf(stderr, "tapvm: stats: checkpoints=%" PRIu64 " interval=%" PRIu64 " full_capture_ms=%.1f "
                     "full_pages=%" PRIu64 " incremental_capture_ms=%.1f max_incremental_ms=%.1f incremental_pages=%"
                     PRIu64 "\n", cs.taken, checkpoints->interval(), cs.full_ms, cs.full_pages, cs.incremental_ms,
                     cs.max_incremental_ms, cs.incremental_pages);
    }
  }
  if (opt.stats)
    std::fprintf(stderr, "tapvm: stats: icount=%" PRIu64 " seconds=%.3f mips=%.1f digest=%016" PRIx64 "\n", s.icount,
                 outcome.seconds, outcome.seconds > 0 ? static_cast<double>(s.icount) / outcome.seconds / 1e6 : 0.0,
                 board.ComputeDigest().value);
  if (opt.stats) PrintEngineStats(board.hart().engine());
  if (opt.stats && cosim) std::fprintf(stderr, "tapvm: stats: %s\n", cosim->Stats().c_str());
  if (cosim) {
    if (!cosim_ok) {
      std::fprintf(stderr, "tapvm: cosim DIVERGED: %s\n", cosim->report().c_str());
      return kExitDiverged;
    }
    std::fprintf(stderr, "tapvm: %s\n", cosim->Summary().c_str());
  }
  return ReportOutcome(s, outcome);
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a program or a Linux guest (with no arguments: the guest tools/guest/build.sh built)");
  AddVmOptions(run, opt.get(), /*cosim=*/true);
  AddQmpOption(run, &opt->qmp);
  run->add_option("--gdb", opt->gdb,
                  "Wait, halted at the first instruction, for gdb at HOST:PORT (gdb-multiarch: target remote "
                  "HOST:PORT) and run under its control")
      ->excludes("--qmp");
  run->callback([opt, exit_code] {
    Validate(*opt);
    *exit_code = RunVm(*opt);
  });

  auto rec = std::make_shared<RunOptions>();
  CLI::App* record = app.add_subcommand(
      "record", "Run like `run` and record every input and observation into a journal (-o FILE)");
  record->add_option("-o,--output", rec->record_path, "The journal to write")
      ->required()
      ->check(CLI::Validator(
          [](std::string& s) { return s.empty() ? std::string("the journal path is empty") : std::string(); }, "PATH"));
  record->add_flag("--force", rec->overwrite, "Replace an existing journal");
  rec->machine.digest_interval = 100'000'000;
  record->add_option("--digest-interval", rec->machine.digest_interval,
                     "Journal a digest of the whole machine state (hart, RAM, devices) every N instructions (0: none)")
      ->capture_default_str()
      ->check(CountValidator(false));
  rec->checkpoint_interval = kDefaultCheckpointInterval;
  record->add_option("--checkpoint-interval", rec->checkpoint_interval,
                     "Keep a checkpoint of the machine in the journal every N instructions, so a replay can start "
                     "near any point (replay --from, gdb's reverse execution); 0: none")
      ->capture_default_str()
      ->check(CountValidator(false));
  AddVmOptions(record, rec.get(), /*cosim=*/true);
  AddQmpOption(record, &rec->qmp);
  record->callback([rec, exit_code] {
    Validate(*rec);
    *exit_code = RunVm(*rec);
  });
}

}  // namespace tapvm::cli
