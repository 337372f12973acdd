#include "tools/tapvm/session.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "tools/tapvm/commands.h"
#include "tools/tapvm/signals.h"
#include "tools/tapvm/terminal.h"

namespace tapvm::cli {

SessionOutcome RunSession(Vm& vm, const SessionLimits& limits) {
  Board& board = vm.board();
  PassthroughTap* tap = vm.passthrough();
  SessionOutcome out;
  out.max_icount = limits.max_icount;
  out.timeout_s = limits.timeout_s;
  std::unique_ptr<TerminalConsole> console;
  std::atomic<bool> input_ended{false};
  if (tap && limits.terminal) {
    console = std::make_unique<TerminalConsole>(
        [tap](std::vector<uint8_t> bytes) { tap->PostInput(ConsoleIn{Board::kConsoleTapId, std::move(bytes)}); },
        [&board] { board.RequestQuit(); },
        limits.quit_at_eof ? std::function<void()>([&board, &input_ended] {
          input_ended = true;
          board.RequestQuitWhenIdle();
        })
                           : nullptr);
    console->Start();
    // A Linux guest, or anything on an interactive terminal, may be woken
    // by console input at any time: idle time then passes in host time
    // instead of jumping to the next timer (which would end a run with no
    // timer).
    tap->SetExternalInput(vm.config().is_linux() || isatty(STDIN_FILENO));
  }
  // A kernel panic ends the run (the kernel would otherwise spin forever).
  vm.set_on_panic([&board] { board.RequestQuit(); });
  // SIGINT, SIGTERM, SIGHUP: stop at an instruction boundary, like Ctrl-A x.
  signals::SetStopHandler([&board](int) { board.RequestQuit(); });
  // A host time limit, for guests that hang.
  std::atomic<bool> timed_out{false};
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  std::thread timer;
  if (limits.timeout_s > 0) {
    timer = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::duration<double>(limits.timeout_s), [&] { return done; })) {
        timed_out = true;
        board.RequestQuit();
      }
    });
  }
  auto t0 = std::chrono::steady_clock::now();
  const bool bound_idle_time = limits.max_icount != UINT64_MAX;
  out.result = limits.run ? limits.run(limits.max_icount, bound_idle_time) : board.Run(limits.max_icount, bound_idle_time);
  signals::ClearStopHandler();
  out.signal = signals::StopSignal();
  out.input_ended = input_ended.load();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  if (timer.joinable()) timer.join();
  console.reset();  // restores the terminal
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.timed_out = timed_out;
  out.panicked = vm.kernel_panicked();
  std::fflush(stdout);
  return out;
}

std::string EndReason(const SessionOutcome& o) {
  if (o.result.kind == RunResult::Kind::kQuit) {
    if (o.panicked) return "panic";
    if (o.timed_out) return "timeout";
    if (o.signal) return "signal";
    if (o.input_ended) return "end of input";
  }
  return RunEndName(o.result.kind);
}

int ReportOutcome(const HartState& s, const SessionOutcome& o) {
  const RunResult& r = o.result;
  switch (r.kind) {
    case RunResult::Kind::kPass:
      spdlog::info("guest passed (powered off) after {} instructions", s.icount);
      return 0;
    case RunResult::Kind::kExit:
      std::fprintf(stderr, "tapvm: guest wrote the debug-exit port: exit status %u\n", r.code);
      return static_cast<int>(r.code & 0xff);
    case RunResult::Kind::kQuit:
      if (o.panicked) {
        std::fprintf(stderr, "\r\ntapvm: the guest kernel panicked after %" PRIu64 " instructions\n", s.icount);
        return 1;
      }
      if (o.signal) {
        std::fprintf(stderr, "\r\ntapvm: stopped by %s after %" PRIu64 " instructions\n", signals::Name(o.signal),
                     s.icount);
        return 128 + o.signal;
      }
      if (o.timed_out) {
        std::fprintf(stderr, "\r\ntapvm: time limit of %g s reached after %" PRIu64
                     " instructions; the guest did not finish\n", o.timeout_s, s.icount);
        return kExitNoProgress;
      }
      if (o.input_ended) {
        std::fprintf(stderr, "tapvm: stopped at the end of the console input after %" PRIu64 " instructions\n",
                     s.icount);
        return 0;
      }
      if (o.control_quit) {
        std::fprintf(stderr, "tapvm: stopped by a QMP quit after %" PRIu64 " instructions\n", s.icount);
        return 0;
      }
      std::fprintf(stderr, "\r\ntapvm: stopped (Ctrl-A x) after %" PRIu64 " instructions\n", s.icount);
      return 0;
    case RunResult::Kind::kReset:
      std::fprintf(stderr, "tapvm: the guest rebooted after %" PRIu64 " instructions; tapvm stops on reboot\n",
                   s.icount);
      return 0;
    case RunResult::Kind::kFail:
      std::fprintf(stderr, "tapvm: guest reported failure (code %u) after %" PRIu64 " instructions\n", r.code,
                   s.icount);
      return (r.code & 0xff) ? static_cast<int>(r.code & 0xff) : 1;
    case RunResult::Kind::kLimit:
      std::fprintf(stderr, "tapvm: instruction limit of %" PRIu64 " reached at pc 0x%" PRIx64
                   "; the guest did not finish\n", o.max_icount, s.pc);
      return kExitNoProgress;
    case RunResult::Kind::kIdle:
      std::fprintf(stderr, "tapvm: guest waits for an interrupt that nothing can raise (wfi at pc 0x%" PRIx64
                   ", after %" PRIu64 " instructions)\n", s.pc, s.icount);
      return kExitNoProgress;
    case RunResult::Kind::kStuck:
      std::fprintf(stderr, "tapvm: guest is stuck taking traps without executing (pc 0x%" PRIx64
                   ", mcause 0x%" PRIx64 ", mtval 0x%" PRIx64 ")\n", s.pc, s.mcause, s.mtval);
      return kExitNoProgress;
    case RunResult::Kind::kDebug:
      std::fprintf(stderr, "tapvm: stopped by the debugger at pc 0x%" PRIx64 " after %" PRIu64 " instructions\n",
                   s.pc, s.icount);
      return 0;
  }
  return 1;
}

}  // namespace tapvm::cli
