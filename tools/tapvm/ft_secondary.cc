// The FT secondary: replays the primary's log in lockstep as it arrives
// (a ReplayTap over the LogReceiver), appends it to its own journal, keeps
// its own disk copy up to date, and shows nothing of the guest. When the
// primary is lost it replays everything received, claims the arbiter and,
// having won, goes live at exactly the icount where the log ends: it sends
// the outputs the primary may not have released, then runs on as `tapvm
// record` would, its journal going on from the primary's last event.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "ft/arbiter.h"
#include "ft/log_receiver.h"
#include "ft/pair_identity.h"
#include "recorder/recording.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/ft_pair.h"
#include "tools/tapvm/session.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

using namespace ft_pair;

namespace {

constexpr const char* kRole = "secondary";
// The lockstep replay's nice value (see RunFtSecondary).
constexpr int kLockstepNice = 10;

// The stream ended cleanly: the primary's run is over. The replay stopped
// where the primary's did (its final digest); check that and finish.
int EndWithThePrimary(Vm& vm, ft::LogReceiver& receiver, JournalPump& journal, const RunResult& r) {
  Board& board = vm.board();
  ReplayTap& replay = *vm.replay();
  const HartState& hs = board.hart().state();
  if (!replay.divergence() && replay.status().ok() && !replay.at_end()) board.ReportFinalDigest();
  std::string problem;
  if (replay.divergence()) problem = "DIVERGED: " + replay.divergence()->ToString();
  else if (!replay.status().ok()) problem = "the log is damaged: " + replay.status().ToString();
  else if (!replay.at_end()) problem = "the replay stopped before the end of the primary's log";
  else if (receiver.closed_cleanly() && hs.icount != receiver.final_icount())
    problem = "the replay ended at icount " + std::to_string(hs.icount) + ", the primary at " +
              std::to_string(receiver.final_icount());
  const std::string reason = receiver.primary_end_reason();
  Status js = journal.Close(receiver.final_icount(), reason.empty() ? "ft: primary ended" : reason);
  if (!problem.empty()) {
    Say(kRole, problem);
    return 1;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "the primary ended the run (%s) at icount %" PRIu64 "; replayed all %" PRIu64
                " events, zero divergences; final state digest %016" PRIx64,
                reason.c_str(), hs.icount, replay.consumed(), board.ComputeDigest().value);
  Say(kRole, line);
  if (!js.ok()) {
    std::fprintf(stderr, "tapvm: the journal is incomplete: %s\n", js.ToString().c_str());
    return kExitJournal;
  }
  SessionOutcome outcome;
  outcome.result = r;
  if (r.kind == RunResult::Kind::kLimit) return 0;  // the primary was stopped from the host
  return ReportOutcome(hs, outcome);
}

}  // namespace

int RunFtSecondary(FtOptions& o) {
  ft::ReceiverOptions ro;
  ro.listen = false;
  ft_pair::Setup setup;
  Status st = o.journal.empty() ? Status::InvalidArgument("the secondary needs its own journal (-o FILE)")
                                : Prepare(o, &ro, &setup);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  const MachineConfig& config = o.run.machine;
  const BootImages& images = setup.images;
  ft::Arbiter* arbiter = setup.arbiter.get();
  // Acknowledge each batch read at once: every output of the primary
  // waits for it (the default batching would add up to ack_delay).
  ro.ack_delay = std::chrono::microseconds(0);
  ro.local_journal_later = true;  // its header names the run id the Hello brings
  std::unique_ptr<ft::LogReceiver> receiver;
  st = ft::LogReceiver::Start(ro, &receiver);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  Say(kRole, "waiting for the primary at " + o.endpoint);
  if (!receiver->WaitConnected(ro.connect_timeout + std::chrono::seconds(1))) {
    Say(kRole, "no primary: " + receiver->status().message());
    return kExitUsage;
  }
  const ft::RunId run_id = receiver->run_id();
  std::unique_ptr<JournalPump> journal;
  RecordingOptions jo;
  jo.overwrite = o.overwrite;
  jo.extra_config = {{"ft_run_id", run_id.ToHex()}, {"ft_role", kRole}};
  st = OpenRecording(o.journal, config, images, jo, &journal);
  if (!st.ok()) {
    spdlog::error("cannot record to '{}': {}", o.journal, st.ToString());
    return kExitUsage;
  }
  receiver->AttachLocalJournal(journal.get());
  std::unique_ptr<Vm> vm;
  std::vector<uint64_t> drive_sizes;
  for (const DriveConfig& d : config.drives) {
    std::error_code ec;
    drive_sizes.push_back(std::filesystem::file_size(d.file, ec));
  }
  st = Vm::CreateReplay(config, images, drive_sizes, receiver.get(), /*show_console=*/false, /*disk_copies=*/true,
                        &vm);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  Board& board = vm->board();
  ReplayTap& replay = *vm->replay();
  ft::LogReceiver* rx = receiver.get();
  replay.KeepOutputs([rx] { return rx->released_seq(); });
  replay.StopAtDigests(true);
  Say(kRole, "run " + run_id.ToHex() + "; replaying the primary's log in lockstep into " + o.journal);

  // On a host the pair shares, the lockstep replay is the one part with
  // slack (the lag bound): it runs on a thread of its own at a lower
  // priority, so the primary's guest and both ends of the log channel get
  // the cores first (on the boot, 1.13x the time of `run` became 1.09x).
  // The live part after a takeover runs on this thread at the process's
  // own priority, since an unprivileged thread cannot raise its own back.
  RunResult r;
  std::thread lockstep([&] {
    errno = 0;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kLockstepNice) != 0 && errno != 0) {
      spdlog::debug("cannot lower the lockstep thread's priority: {}", std::strerror(errno));
    }
    r = board.Run(UINT64_MAX);
  });
  lockstep.join();
  const HartState& hs = board.hart().state();
  if (replay.divergence() || !replay.at_end() || rx->closed_cleanly()) {
    if (replay.divergence()) {
      // A bug, never silent: say where, and drop the channel so the primary
      // goes on alone at once.
      Say(kRole, "DIVERGED from the primary: " + replay.divergence()->ToString());
      receiver.reset();
      (void)journal->Close(hs.icount, "ft: diverged");
      return 1;
    }
    return EndWithThePrimary(*vm, *rx, *journal, r);
  }
  // The stream was rejected for a fault of this side's (its journal) or a
  // damaged log: the primary may well be fine. Stop without claiming the
  // arbiter; dropping the connection lets the primary go on alone.
  if (rx->local_journal_failed() || rx->status().code() == Status::Code::kCorruption) {
    const bool ours = rx->local_journal_failed();
    Say(kRole, (ours ? "cannot keep its journal: " : "the primary's log is damaged: ") + rx->status().message() +
                   "; stopping without taking over (the primary goes on alone)");
    receiver.reset();
    return ours ? kExitJournal : 1;
  }
  // The primary is lost: the log ends here.
  if (rx->received_seq() == 0) {
    Say(kRole, "the primary left before its guest started (" +
                   (rx->status().ok() ? rx->end_reason() : rx->status().message()) + "); nothing to take over");
    return 1;
  }
  const std::string why = rx->status().ok() ? rx->end_reason() : rx->status().message();
  const int64_t silent = rx->silent_ms();
  bool won = false;
  st = arbiter->Claim(run_id, ft::Role::kSecondary, Ms(o.arbiter_timeout_s), &won);
  if (!st.ok() || !won) {
    Say(kRole, "primary lost (" + why + "); " +
                   (st.ok() ? "the arbiter " + arbiter->Describe() + " says the primary goes on"
                            : "cannot reach the arbiter: " + st.message()) +
                   ": stopping");
    (void)journal->Close(hs.icount, "ft: lost the arbiter");
    return kExitLostArbiter;
  }
  std::vector<ReplayTap::HeldOutput> held = replay.TakeHeldOutputs();
  const uint64_t events = rx->received_seq();
  const size_t after_end = replay.calls_after_end();
  // On one host the lost primary may still hold the network address for a
  // moment (a partition: it stops once it hears it lost the arbiter).
  st = vm->GoLive(journal.get(), events + 1, Ms(o.arbiter_timeout_s) + std::chrono::milliseconds(2 * o.heartbeat_ms));
  if (!st.ok()) {
    Say(kRole, "cannot go live: " + st.ToString());
    (void)journal->Close(hs.icount, "ft: could not go live");
    return 1;
  }
  // What the primary may not have sent, in the order the guest made it.
  PassthroughTap* out = vm->passthrough();
  for (const ReplayTap::HeldOutput& h : held) {
    if (h.is_frame) out->TransmitFrame(h.dev, h.bytes);
    else out->ConsoleOutput(h.dev, h.bytes);
  }
  char line[320];
  std::snprintf(line, sizeof line,
                "took over at icount %" PRIu64 ", event #%" PRIu64 ", primary silent for %" PRId64
                " ms (%s); won the arbiter %s; re-sent %zu held output(s)%s",
                hs.icount, events, silent, why.c_str(), arbiter->Describe().c_str(), held.size(),
                after_end ? (", " + std::to_string(after_end) + " call(s) after the log's end journaled").c_str() : "");
  Say(kRole, line);
  Board* b = &board;
  vm->recording()->set_on_error([b](const Status& e) {
    std::fprintf(stderr, "\r\ntapvm: cannot write the journal: %s; stopping the guest\n", e.ToString().c_str());
    b->RequestQuit();
  });
  SessionLimits limits;
  limits.max_icount = o.run.max_insns ? o.run.max_insns : UINT64_MAX;
  limits.timeout_s = o.run.timeout_s;
  limits.quit_at_eof = o.run.quit_at_eof;
  SessionOutcome outcome = RunSession(*vm, limits);
  board.ReportFinalDigest();
  Status js = vm->recording()->status();
  const std::string reason = EndReason(outcome);
  if (js.ok()) js = journal->Close(hs.icount, reason);
  Say(kRole, "the guest ended (" + reason + ") at icount " + std::to_string(hs.icount) + "; journal " + o.journal +
                 " holds the whole run");
  if (!js.ok()) {
    std::fprintf(stderr, "tapvm: the journal '%s' is incomplete: %s\n", o.journal.c_str(), js.ToString().c_str());
    return kExitJournal;
  }
  return ReportOutcome(hs, outcome);
}

}  // namespace tapvm::cli
