// The FT primary: runs the guest with its real backends (as `tapvm record`
// does), streams every journal event to the secondary, and lets an output
// leave only once the secondary holds the log up to it (OutputCommitTap).
// When the secondary is lost it must win the arbiter to go on alone;
// losing it stops the guest (exit 3).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "ft/arbiter.h"
#include "ft/log_sender.h"
#include "ft/output_commit.h"
#include "ft/pair_identity.h"
#include "ft/primary_sink.h"
#include "recorder/recording.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/ft_pair.h"
#include "tools/tapvm/session.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

using namespace ft_pair;

namespace {

constexpr const char* kRole = "primary";

// Watches the log sender from a thread of its own: when the secondary is
// lost it claims the arbiter, and either lets the guest go on alone or
// stops it. Its verdict is final.
class SecondaryWatch {
 public:
  SecondaryWatch(ft::LogSender* sender, ft::Arbiter* arbiter, ft::RunId run_id, std::chrono::milliseconds timeout,
                 ft::OutputCommitTap* gate, Board* board)
      : sender_(sender), arbiter_(arbiter), run_id_(run_id), timeout_(timeout), gate_(gate), board_(board) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SecondaryWatch() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // After Stop: what happened.
  bool lost_secondary() const { return lost_secondary_; }
  bool lost_arbiter() const { return lost_arbiter_; }

  // Called on the CPU thread when the channel failed at the end of the run
  // (the watch is stopped): decides as the watch would.
  void DecideNow() { Decide(); }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(5));
      if (stop_ || sender_->status().ok()) continue;
      lock.unlock();
      Decide();
      return;
    }
  }

  void Decide() {
    if (lost_secondary_) return;
    lost_secondary_ = true;
    const std::string why = sender_->status().message();
    bool won = false;
    Status st = arbiter_->Claim(run_id_, ft::Role::kPrimary, timeout_, &won);
    if (st.ok() && won) {
      gate_->GoAlone();
      Say(kRole, "secondary lost (" + why + "); won the arbiter " + arbiter_->Describe() +
                     ": the guest goes on alone, unprotected");
      return;
    }
    lost_arbiter_ = true;
    gate_->Drop();
    board_->RequestQuit();
    Say(kRole, "secondary lost (" + why + "); " +
                   (st.ok() ? "the arbiter " + arbiter_->Describe() + " says the secondary took over"
                            : "cannot reach the arbiter: " + st.message()) +
                   ": stopping the guest");
  }

  ft::LogSender* sender_;
  ft::Arbiter* arbiter_;
  ft::RunId run_id_;
  std::chrono::milliseconds timeout_;
  ft::OutputCommitTap* gate_;
  Board* board_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> lost_secondary_{false};
  std::atomic<bool> lost_arbiter_{false};
  std::thread thread_;
};

}  // namespace

int RunFtPrimary(FtOptions& o) {
  ft::SenderOptions so;
  so.listen = true;
  ft_pair::Setup setup;
  Status st = Prepare(o, &so, &setup);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  const MachineConfig& config = o.run.machine;
  const BootImages& images = setup.images;
  ft::Arbiter* arbiter = setup.arbiter.get();
  so.run_id = ft::NewRunId();
  so.max_lag = o.max_lag;
  std::unique_ptr<ft::LogSender> sender;
  st = ft::LogSender::Start(so, &sender);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  const std::string run_hex = so.run_id.ToHex();
  Say(kRole, "run " + run_hex + "; waiting for the secondary on " + so.host + ":" + std::to_string(sender->port()));
  if (!sender->WaitConnected(so.connect_timeout)) {
    Say(kRole, "no secondary: " + (sender->status().ok() ? std::string("none connected within the connect timeout")
                                                          : sender->status().message()) +
                   "; the guest was not started");
    return kExitUsage;
  }
  // Optional journal of the primary's own.
  std::unique_ptr<JournalPump> journal;
  if (!o.journal.empty()) {
    RecordingOptions ro;
    ro.overwrite = o.overwrite;
    ro.extra_config = {{"ft_run_id", run_hex}, {"ft_role", kRole}};
    st = OpenRecording(o.journal, config, images, ro, &journal);
    if (!st.ok()) {
      spdlog::error("cannot record to '{}': {}", o.journal, st.ToString());
      return kExitUsage;
    }
  }
  ft::PrimarySink sink(sender.get(), journal.get());
  ft::LogSender* s = sender.get();
  ft::OutputCommitTap* gate = nullptr;
  std::unique_ptr<Vm> vm;
  st = Vm::CreateLive(config, images, &sink, &vm, [&](EventTap* passthrough) {
    auto g = std::make_unique<ft::OutputCommitTap>(
        passthrough, [s](uint64_t seq, std::chrono::milliseconds t) { return s->WaitAcked(seq, t); },
        [s](uint64_t seq) { s->SendReleased(seq); });
    gate = g.get();
    return g;
  });
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  RecordingTap* rec = vm->recording();
  gate->set_seq_source([rec] { return rec->last_seq(); });
  Board* board = &vm->board();
  rec->set_on_error([board](const Status& e) {
    std::fprintf(stderr, "\r\ntapvm: cannot write the journal: %s; stopping the guest\n", e.ToString().c_str());
    board->RequestQuit();
  });
  Say(kRole, "secondary connected; the guest starts, protected (outputs wait for the secondary; max lag " +
                 std::to_string(o.max_lag) + " instructions)");
  SecondaryWatch watch(sender.get(), arbiter, so.run_id, Ms(o.arbiter_timeout_s), gate, board);

  SessionLimits limits;
  limits.max_icount = o.run.max_insns ? o.run.max_insns : UINT64_MAX;
  limits.timeout_s = o.run.timeout_s;
  limits.quit_at_eof = o.run.quit_at_eof;
  SessionOutcome outcome = RunSession(*vm, limits);
  const HartState& hs = board->hart().state();
  watch.Stop();
  if (watch.lost_arbiter()) {
    if (journal) (void)journal->Close(hs.icount, "ft: lost the arbiter");
    Say(kRole, "stopped at icount " + std::to_string(hs.icount) + "; the secondary goes on");
    return kExitLostArbiter;
  }
  board->ReportFinalDigest();
  const std::string reason = EndReason(outcome);
  if (!watch.lost_secondary()) {
    // Bye, and the secondary's last acknowledgement: every output may go.
    if (sink.sender_lost() || !sender->Close(hs.icount, reason).ok()) watch.DecideNow();
  }
  if (watch.lost_arbiter()) {
    if (journal) (void)journal->Close(hs.icount, "ft: lost the arbiter");
    Say(kRole, "stopped at icount " + std::to_string(hs.icount) + "; the secondary goes on");
    return kExitLostArbiter;
  }
  gate->WaitIdle(Ms(o.arbiter_timeout_s + o.heartbeat_ms / 1000.0 + 1));
  std::fflush(stdout);
  Status js = rec->status();
  if (journal && js.ok()) js = journal->Close(hs.icount, reason);
  const ft::OutputCommitStats os = gate->stats();
  const ft::LagStats lag = sender->lag_stats();
  std::vector<uint32_t> hold = os.hold_us;
  std::sort(hold.begin(), hold.end());
  auto pct = [&](double p) { return hold.empty() ? 0.0 : hold[static_cast<size_t>(p * (hold.size() - 1))] / 1000.0; };
  char line[512];
  std::snprintf(line, sizeof line,
                "the guest ended (%s) at icount %" PRIu64 " after %" PRIu64 " events; %s; log %.2f MB sent; %" PRIu64
                " outputs released, held p50 %.3f ms p99 %.3f ms; lag waits %" PRIu64 " (%.1f ms), largest lag %" PRIu64
                " instructions",
                reason.c_str(), hs.icount, rec->last_seq(),
                watch.lost_secondary() ? "ran alone after losing the secondary" : "the secondary holds every event",
                static_cast<double>(sender->event_bytes_sent()) / 1e6, os.released, pct(0.5), pct(0.99), lag.waits,
                static_cast<double>(lag.waited_us) / 1000.0, lag.max_lag_seen);
  Say(kRole, line);
  if (!js.ok()) {
    std::fprintf(stderr, "tapvm: the journal '%s' is incomplete: %s\n", o.journal.c_str(), js.ToString().c_str());
    return kExitJournal;
  }
  return ReportOutcome(hs, outcome);
}

}  // namespace tapvm::cli
