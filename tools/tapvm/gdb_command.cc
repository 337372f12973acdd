#include "tools/tapvm/gdb_command.h"

#include <cinttypes>
#include <cstdio>
#include <memory>

#include "journal/reader.h"
#include "replayer/event_source.h"
#include "tools/gdb/checkpoint_seeker.h"
#include "tools/gdb/gdb_server.h"
#include "tools/gdb/machine_target.h"
#include "tools/gdb/replay_seeker.h"
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

void Log(const std::string& line) {
  std::fprintf(stderr, "tapvm: %s\n", line.c_str());
  std::fflush(stderr);
}

// One replay machine: the journal reader and event source it reads, and
// the Vm. Members are destroyed bottom-up: the Vm before its source.
class ReplayMachine final : public gdb::DebuggedMachine {
 public:
  std::unique_ptr<journal::JournalReader> reader;
  std::unique_ptr<JournalEventSource> source;
  std::unique_ptr<Vm> vm;
  Board& board() override { return vm->board(); }
  ReplayTap* replay() override { return vm->replay(); }
};

class LiveMachine final : public gdb::DebuggedMachine {
 public:
  explicit LiveMachine(Vm* vm) : vm_(vm) {}
  Board& board() override { return vm_->board(); }
  ReplayTap* replay() override { return nullptr; }

 private:
  Vm* vm_;
};

Status Listen(const std::string& spec, std::unique_ptr<gdb::GdbServer>* server) {
  TAPVM_RETURN_IF_ERROR(gdb::GdbServer::Listen(spec, server));
  std::fprintf(stderr, "tapvm: gdb: waiting for gdb on %s:%u (target remote %s:%u)\n", (*server)->host().c_str(),
               (*server)->port(), (*server)->host().c_str(), (*server)->port());
  std::fflush(stderr);
  return Status::Ok();
}

}  // namespace

int DebugReplay(GdbReplayOptions o) {
  auto shared = std::make_shared<GdbReplayOptions>(std::move(o));
  // Every restart replays the console output again: show each byte once,
  // the first time the replay passes its icount.
  auto shown_up_to = std::make_shared<uint64_t>(0);
  // A replay machine at the journal's start, or restored from a checkpoint
  // with its journal positioned after it.
  auto make = [shared, shown_up_to](const MachineCheckpoint* from, uint64_t chain,
                                    std::unique_ptr<gdb::DebuggedMachine>* out) -> Status {
    auto m = std::make_unique<ReplayMachine>();
    TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open(shared->journal_path, &m->reader));
    if (from) TAPVM_RETURN_IF_ERROR(m->reader->Seek(from->tap_position + 1, chain));
    m->source = std::make_unique<JournalEventSource>(m->reader.get());
    const RecordedMachine& rm = shared->machine;
    TAPVM_RETURN_IF_ERROR(Vm::CreateReplay(rm.config, rm.images, rm.drive_sizes, m->source.get(),
                                           shared->show_console, false, &m->vm, from));
    Vm* vm = m->vm.get();
    vm->set_console_gate([vm, shown_up_to] {
      const uint64_t icount = vm->board().hart().state().icount;
      if (icount < *shown_up_to) return false;
      *shown_up_to = icount + 1;
      return true;
    });
    *out = std::move(m);
    return Status::Ok();
  };
  // Checkpoints in the journal: seek from the nearest one; none: from the
  // start every time.
  std::unique_ptr<journal::JournalReader> index;
  Status st = journal::JournalReader::Open(shared->journal_path, &index);
  std::unique_ptr<gdb::CheckpointSeeker> checkpoint_seeker;
  std::unique_ptr<gdb::RestartSeeker> restart_seeker;
  gdb::ReplaySeeker* seeker = nullptr;
  if (st.ok() && index->has_checkpoints()) {
    st = gdb::CheckpointSeeker::Create(std::move(index), make, gdb::CheckpointSeeker::Options(), &checkpoint_seeker);
    seeker = checkpoint_seeker.get();
    if (st.ok())
      Log("gdb: reverse execution seeks from the journal's " + std::to_string(checkpoint_seeker->journal_checkpoints()) +
          " checkpoints");
  } else if (st.ok()) {
    st = gdb::RestartSeeker::Create([make](std::unique_ptr<gdb::DebuggedMachine>* out) { return make(nullptr, 0, out); },
                                    &restart_seeker);
    seeker = restart_seeker.get();
    if (st.ok()) Log("gdb: the journal has no checkpoints: reverse execution replays from its start (journal index adds them)");
  }
  if (st.ok() && shared->start_at) st = seeker->SeekTo(shared->start_at);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: cannot rebuild the recorded machine: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  std::unique_ptr<gdb::GdbServer> server;
  if (st = Listen(shared->spec, &server); !st.ok()) {
    std::fprintf(stderr, "tapvm: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  gdb::MachineTarget::Options to;
  to.end_icount = shared->end.run_limit;
  to.final_digest = shared->end.final_digest;
  to.log = Log;
  gdb::MachineTarget target(seeker, to);
  st = server->Serve(&target, Log);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s\n", st.ToString().c_str());
    return 1;
  }
  ReplayTap& replay = *seeker->machine().replay();
  const HartState& s = seeker->machine().board().hart().state();
  if (replay.divergence()) {
    std::fprintf(stderr, "tapvm: replay DIVERGED: %s\n", replay.divergence()->ToString().c_str());
    return 1;
  }
  if (checkpoint_seeker) {
    const gdb::CheckpointSeekerStats& cs = checkpoint_seeker->stats();
    std::fprintf(stderr, "tapvm: gdb detached at icount %" PRIu64 "; %" PRIu64 " seeks, %" PRIu64
                 " machines restored (%" PRIu64 " journal checkpoints loaded, %" PRIu64 " kept in memory)\n",
                 s.icount, cs.seeks, cs.restores, cs.journal_loads, cs.memory_checkpoints);
  } else {
    std::fprintf(stderr, "tapvm: gdb detached at icount %" PRIu64 "; the replay matched %" PRIu64
                 " events (%" PRIu64 " restarts)\n", s.icount, replay.consumed(), restart_seeker->restarts());
  }
  return 0;
}

int DebugLive(Vm& vm, const std::string& spec, uint64_t max_icount) {
  std::unique_ptr<gdb::GdbServer> server;
  if (Status st = Listen(spec, &server); !st.ok()) {
    std::fprintf(stderr, "tapvm: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  LiveMachine machine(&vm);
  gdb::MachineTarget::Options to;
  to.end_icount = max_icount;
  to.log = Log;
  gdb::MachineTarget target(&machine, to);
  if (Status st = server->Serve(&target, Log); !st.ok()) {
    std::fprintf(stderr, "tapvm: %s\n", st.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "tapvm: gdb detached at icount %" PRIu64 "\n", vm.board().hart().state().icount);
  return 0;
}

}  // namespace tapvm::cli
