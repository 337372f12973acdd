#include "tools/tapvm/signals.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include "tools/tapvm/terminal.h"

namespace tapvm::cli::signals {

namespace {

std::mutex g_mu;
std::function<void(int)> g_on_stop;
std::atomic<int> g_stop_signal{0};

sigset_t StopSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void Watch() {
  const sigset_t set = StopSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    {
      std::lock_guard<std::mutex> lock(g_mu);
      if (g_on_stop) {
        int expected = 0;
        g_stop_signal.compare_exchange_strong(expected, sig);
        g_on_stop(sig);
        continue;
      }
    }
    // Nothing to stop: end as the signal would have, terminal restored.
    RestoreTerminalNow();
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    raise(sig);
  }
}

}  // namespace

void Install() {
  signal(SIGPIPE, SIG_IGN);
  const sigset_t set = StopSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(Watch).detach();
}

void SetStopHandler(std::function<void(int)> on_stop) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_on_stop = std::move(on_stop);
}

void ClearStopHandler() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_on_stop = nullptr;
}

int StopSignal() { return g_stop_signal.load(); }

const char* Name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

}  // namespace tapvm::cli::signals
