#include "tests/roundtrip/round_trip.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "emulator/machine/backends/host_backends.h"
#include "emulator/tap/backends/passthrough_tap.h"
#include "journal/reader.h"
#include "recorder/recording.h"
#include "recorder/recording_tap.h"
#include "replayer/event_source.h"
#include "replayer/recorded_machine.h"
#include "replayer/replay_tap.h"

namespace tapvm::test {

namespace {

const char* KindName(RunResult::Kind k) {
  switch (k) {
    case RunResult::Kind::kPass: return "pass";
    case RunResult::Kind::kFail: return "fail";
    case RunResult::Kind::kReset: return "reset";
    case RunResult::Kind::kExit: return "exit";
    case RunResult::Kind::kLimit: return "limit";
    case RunResult::Kind::kIdle: return "idle";
    case RunResult::Kind::kStuck: return "stuck";
    case RunResult::Kind::kQuit: return "quit";
    case RunResult::Kind::kDebug: return "debug";
  }
  return "?";
}

// Console output of the recording, answering the script as it goes. Runs
// on the CPU thread; PostInput is thread-safe.
class ScriptedConsole {
 public:
  ScriptedConsole(PassthroughTap* tap, const std::vector<ConsoleStep>& script) : tap_(tap), script_(script) {}
  void Output(std::span<const uint8_t> bytes) {
    text_.append(bytes.begin(), bytes.end());
    while (next_ < script_.size()) {
      size_t at = text_.find(script_[next_].expect, matched_);
      if (at == std::string::npos) break;
      matched_ = at + script_[next_].expect.size();
      const std::string& s = script_[next_].send;
      tap_->PostInput(ConsoleIn{Board::kConsoleTapId, std::vector<uint8_t>(s.begin(), s.end())});
      ++next_;
    }
  }
  const std::string& text() const { return text_; }

 private:
  PassthroughTap* tap_;
  const std::vector<ConsoleStep>& script_;
  std::string text_;
  size_t matched_ = 0, next_ = 0;
};

// The recorded machine stays alive until the replay is done, so the two
// machines never share host addresses: anything host-specific that leaked
// into machine state (a host pointer) makes their digests differ.
struct RecordSide {
  std::unique_ptr<HostBackends> backends;
  std::unique_ptr<JournalPump> pump;
  std::unique_ptr<PassthroughTap> passthrough;
  std::unique_ptr<ScriptedConsole> console;
  std::unique_ptr<RecordingTap> recording;
  std::unique_ptr<Board> board;
};

Status Record(const MachineConfig& config, const BootImages& images, const RoundTripOptions& o,
              const std::string& path, RecordSide* side, RoundTripResult* r) {
  TAPVM_RETURN_IF_ERROR(HostBackends::Open(config, &side->backends));
  RecordingOptions ro;
  ro.overwrite = true;
  TAPVM_RETURN_IF_ERROR(OpenRecording(path, config, images, ro, &side->pump));
  side->passthrough = std::make_unique<PassthroughTap>();
  PassthroughTap& passthrough = *side->passthrough;
  side->console = std::make_unique<ScriptedConsole>(&passthrough, o.script);
  ScriptedConsole& console = *side->console;
  passthrough.SetConsoleOutput([&console](TapDeviceId, std::span<const uint8_t> b) { console.Output(b); });
  // A Linux guest waits at its prompt in host time, as `tapvm run` does.
  passthrough.SetExternalInput(config.is_linux() && !o.script.empty());
  side->recording = std::make_unique<RecordingTap>(&passthrough, side->pump.get());
  RecordingTap& recording = *side->recording;
  std::unique_ptr<Board>& board = side->board;
  MachineLayout layout;
  TAPVM_RETURN_IF_ERROR(BuildMachine(config, images, side->backends->drive_sizes(), &recording, &board, &layout));
  side->backends->Attach(&passthrough, layout);
  if (!o.initial_input.empty())
    passthrough.PostInput(ConsoleIn{Board::kConsoleTapId, std::vector<uint8_t>(o.initial_input.begin(), o.initial_input.end())});
  r->recorded = board->Run(o.max_icount);
  r->recorded_icount = board->hart().state().icount;
  r->recorded_digest = board->ComputeDigest().value;
  r->recorded_console = console.text();
  board->ReportFinalDigest();
  TAPVM_RETURN_IF_ERROR(recording.status());
  TAPVM_RETURN_IF_ERROR(side->pump->Close(r->recorded_icount, RunEndName(r->recorded.kind)));
  r->events = recording.last_seq();
  return Status::Ok();
}

Status Replay(const std::string& path, EngineKind engine, RoundTripResult* r) {
  std::unique_ptr<journal::JournalReader> reader;
  TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open(path, &reader));
  RecordedMachine m;
  TAPVM_RETURN_IF_ERROR(LoadRecordedMachine(reader.get(), &m));
  m.config.engine = engine;
  m.config.jit_hot_after = 1;
  const journal::JournalHeader h = reader->header();
  JournalEventSource source(reader.get());
  Board* board_ptr = nullptr;
  std::string console;
  ReplayTap replay(
      &source, [&](std::span<const uint8_t> b) { console.append(b.begin(), b.end()); },
      [&] {
        if (board_ptr) board_ptr->RequestQuit();
      });
  std::unique_ptr<Board> board;
  MachineLayout layout;
  TAPVM_RETURN_IF_ERROR(BuildMachine(m.config, m.images, m.drive_sizes, &replay, &board, &layout));
  board_ptr = board.get();
  const RecordedEnd end = RecordedEndOf(h);
  r->replayed = board->Run(end.run_limit);
  if (end.final_digest && !replay.divergence() && replay.status().ok()) board->ReportFinalDigest();
  r->replayed_icount = board->hart().state().icount;
  r->replayed_digest = board->ComputeDigest().value;
  r->replayed_console = console;
  r->consumed = replay.consumed();
  r->replay_at_end = replay.at_end();
  TAPVM_RETURN_IF_ERROR(replay.status());
  if (replay.divergence()) r->divergence = replay.divergence()->ToString();
  return Status::Ok();
}

}  // namespace

std::string RoundTripResult::Mismatch() const {
  char buf[512];
  if (!status.ok()) return "setup: " + status.ToString();
  if (!divergence.empty()) return "replay diverged: " + divergence;
  if (consumed != events || !replay_at_end) {
    snprintf(buf, sizeof buf, "replay consumed %" PRIu64 " of %" PRIu64 " events%s", consumed, events,
             replay_at_end ? "" : " (not at the end)");
    return buf;
  }
  if (recorded_icount != replayed_icount) {
    snprintf(buf, sizeof buf, "recording ended at icount %" PRIu64 ", replay at %" PRIu64, recorded_icount,
             replayed_icount);
    return buf;
  }
  if (recorded.kind != replayed.kind || recorded.code != replayed.code) {
    snprintf(buf, sizeof buf, "recording ended %s(%u), replay %s(%u)", KindName(recorded.kind), recorded.code,
             KindName(replayed.kind), replayed.code);
    return buf;
  }
  if (recorded_digest != replayed_digest) {
    snprintf(buf, sizeof buf, "final state digest %016" PRIx64 " recorded, %016" PRIx64 " replayed", recorded_digest,
             replayed_digest);
    return buf;
  }
  if (recorded_console != replayed_console) return "console output differs";
  return "";
}

RoundTripResult RecordAndReplay(const MachineConfig& config, const BootImages& images,
                                const RoundTripOptions& options) {
  RoundTripResult r;
  std::string path = options.journal_path;
  const bool temporary = path.empty();
  if (temporary)
    path = (std::filesystem::temp_directory_path() /
            ("tapvm-roundtrip-" + std::to_string(getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(&r)) +
             ".tapj"))
               .string();
  {
    RecordSide side;
    r.status = Record(config, images, options, path, &side, &r);
    if (r.status.ok()) r.status = Replay(path, options.replay_engine, &r);
  }
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    std::filesystem::remove(path + "-lock", ec);
  }
  return r;
}

}  // namespace tapvm::test
