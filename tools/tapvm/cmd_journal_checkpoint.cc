// `tapvm journal checkpoint JOURNAL --at ICOUNT -o FILE` and `tapvm journal
// index JOURNAL`: the machine state at an icount of a recording, as a file;
// and checkpoints added to a journal that has none, so it can be sought in
// (docs/journal-format.md §6.1).
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "emulator/cpu/engine.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "recorder/checkpoint_recorder.h"
#include "recorder/journal_pump.h"
#include "replayer/event_source.h"
#include "replayer/recorded_machine.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/replay_start.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

namespace {

struct CheckpointOptions {
  std::string path;
  uint64_t at = 0;
  std::string output;
  uint64_t interval = kDefaultCheckpointInterval;
};

int Fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "tapvm: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

// The journal and its machine, on this host's default engine.
Status OpenRecorded(const std::string& path, std::unique_ptr<journal::JournalReader>* reader, RecordedMachine* m) {
  TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open(path, reader));
  TAPVM_RETURN_IF_ERROR(LoadRecordedMachine(reader->get(), m));
  if (!ParseEngineKind(DefaultEngineName(), &m->config.engine)) return Status::InvalidArgument("no default engine");
  return Status::Ok();
}

// The replay's health after a run: a divergence or a damaged journal.
Status Health(ReplayTap& replay) {
  if (replay.divergence()) return Status::Corruption("the replay diverged: " + replay.divergence()->ToString());
  return replay.status();
}

int CheckpointAt(const CheckpointOptions& o) {
  std::unique_ptr<journal::JournalReader> reader;
  RecordedMachine m;
  if (Status st = OpenRecorded(o.path, &reader, &m); !st.ok()) return Fail(o.path, st) + 1;
  const RecordedEnd end = RecordedEndOf(reader->header());
  if (o.at > end.icount) {
    std::fprintf(stderr, "tapvm: --at %" PRIu64 " is past the end of the recording (icount %" PRIu64 ")\n", o.at,
                 end.icount);
    return kExitUsage;
  }
  const auto t0 = std::chrono::steady_clock::now();
  JournalEventSource source(reader.get());
  std::unique_ptr<Vm> vm;
  ReplayStart start;
  if (Status st = StartReplayAt(reader.get(), m, o.at, false, &source, &vm, &start); !st.ok())
    return Fail(o.path, st);
  Board& board = vm->board();
  board.Run(o.at);
  if (Status st = Health(*vm->replay()); !st.ok()) return Fail(o.path, st);
  if (board.hart().state().icount != o.at) {
    std::fprintf(stderr, "tapvm: the replay stopped at icount %" PRIu64 " before reaching %" PRIu64 "\n",
                 board.hart().state().icount, o.at);
    return 1;
  }
  const uint64_t events = start.events + vm->replay()->consumed();
  const uint64_t digest = board.ComputeDigest().value;
  uint64_t bytes = 0;
  if (Status st = WriteCheckpointFile(reader.get(), board, events, o.output, &bytes); !st.ok())
    return Fail(o.output, st);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "tapvm: the machine at icount %" PRIu64 " (after event %" PRIu64 "; state digest %016" PRIx64
               ") is in %s (%" PRIu64 " bytes); replayed from %s in %.2f s\n", o.at, events, digest,
               o.output.c_str(), bytes, start.Describe().c_str(), s);
  return 0;
}

int Index(const CheckpointOptions& o) {
  std::unique_ptr<journal::JournalReader> reader;
  RecordedMachine m;
  if (Status st = OpenRecorded(o.path, &reader, &m); !st.ok()) return Fail(o.path, st) + 1;
  if (reader->has_checkpoints()) {
    std::fprintf(stderr, "tapvm: %s has checkpoints already\n", o.path.c_str());
    return 1;
  }
  // The checkpoints go into a copy, which replaces the original (or is
  // the output) only once complete and synced: a crash leaves the
  // original as it was, and at worst a stale copy.
  const std::string out = o.output.empty() ? o.path : o.output;
  const std::string tmp = out + ".index-tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  auto discard = [&](const std::string& what, const Status& st) {
    std::filesystem::remove(tmp, ec);
    return Fail(what, st);
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (Status st = reader->CopyCompact(tmp); !st.ok()) return discard(tmp, st);
  std::unique_ptr<journal::JournalWriter> writer;
  if (Status st = journal::JournalWriter::OpenForCheckpoints(tmp, journal::WriterOptions(), &writer); !st.ok())
    return discard(tmp, st);
  JournalPump pump(std::move(writer));
  JournalEventSource source(reader.get());
  std::unique_ptr<Vm> vm;
  if (Status st = Vm::CreateReplay(m.config, m.images, m.drive_sizes, &source, false, false, &vm); !st.ok())
    return discard(o.path, st);
  ReplayTap& replay = *vm->replay();
  CheckpointRecorder recorder(&pump, o.interval);
  const RecordedEnd end = RecordedEndOf(reader->header());
  Status chain_st;
  recorder.Run(vm->board(), end.run_limit, false, [&] {
    CheckpointRecorder::Position p;
    p.events = replay.consumed();
    uint64_t chain = 0;
    Status st = reader->ChainAfter(p.events, &chain);
    if (!st.ok() && chain_st.ok()) chain_st = st;
    p.chain = chain;
    return p;
  });
  if (end.final_digest && Health(replay).ok()) vm->board().ReportFinalDigest();
  Status st = Health(replay);
  if (st.ok() && !replay.at_end()) st = Status::Corruption("the replay stopped before the end of the journal");
  if (st.ok()) st = chain_st;
  if (st.ok()) st = recorder.status();
  Status closed = pump.Close(0);
  if (st.ok()) st = closed;
  if (!st.ok()) return discard(o.path, st);
  vm.reset();
  if (std::filesystem::rename(tmp, out, ec); ec) return discard(out, Status::IOError(ec.message()));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "tapvm: %s: %" PRIu64 " checkpoints every %" PRIu64 " instructions, the journal verified on "
               "the way (%.1f s); %" PRIu64 " -> %" PRIu64 " bytes\n", out.c_str(), recorder.stats().taken,
               o.interval, s, reader->file_size(), static_cast<uint64_t>(std::filesystem::file_size(out, ec)));
  return 0;
}

}  // namespace

void AddJournalCheckpointCommands(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<CheckpointOptions>();
  CLI::App* ck = journal.add_subcommand(
      "checkpoint", "Write the machine state at an instruction count of a recording to a file (replay --from-checkpoint)");
  ck->add_option("journal", o->path, "Journal file")->required();
  ck->add_option("--at", o->at, "The instruction count")->required()->check(CountValidator(false));
  ck->add_option("-o,--output", o->output, "The checkpoint file to write")->required();
  ck->callback([o, exit_code] { *exit_code = CheckpointAt(*o); });

  auto x = std::make_shared<CheckpointOptions>();
  CLI::App* index = journal.add_subcommand(
      "index", "Replay a journal that has no checkpoints, verifying it, and add them (in place, or to a copy with -o)");
  index->add_option("journal", x->path, "Journal file")->required();
  index->add_option("-o,--output", x->output, "Write the indexed journal here instead of replacing JOURNAL");
  index->add_option("--checkpoint-interval", x->interval, "A checkpoint every N instructions")
      ->capture_default_str()
      ->check(CountValidator(true));
  index->callback([x, exit_code] { *exit_code = Index(*x); });
}

}  // namespace tapvm::cli
