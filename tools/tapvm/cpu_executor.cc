#include "tools/tapvm/cpu_executor.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

namespace tapvm::cli {

// Shared with the work queued on the board, which may outlive the executor
// (never run: the board does not run again after Close).
struct CpuExecutor::State {
  Board* board;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  bool closed = false;
  bool pause_wanted = false;  // between Pause and Resume
  bool in_pause = false;      // the CPU thread waits in PauseLoop

  // Runs the queued work (CPU thread).
  void Drain() {
    std::unique_lock<std::mutex> lock(mu);
    while (!queue.empty()) {
      auto work = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      work();
      lock.lock();
    }
  }

  void PauseLoop() {
    std::unique_lock<std::mutex> lock(mu);
    in_pause = true;
    cv.notify_all();
    // The board's quit flag is polled: a signal or timer that ends the run
    // does not know about this wait.
    while (pause_wanted && !closed && !board->quit_requested()) {
      if (!queue.empty()) {
        auto work = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        work();
        lock.lock();
        continue;
      }
      cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    pause_wanted = false;
    in_pause = false;
    cv.notify_all();
  }

  // Queues `work` (mu held by the caller); false when closed.
  bool Queue(std::function<void()> work) {
    if (closed) return false;
    queue.push_back(std::move(work));
    cv.notify_all();
    return true;
  }
};

CpuExecutor::CpuExecutor(Board* board) : state_(std::make_shared<State>()) { state_->board = board; }

CpuExecutor::~CpuExecutor() = default;

bool CpuExecutor::Call(std::function<void()> work, std::chrono::milliseconds timeout) {
  auto task = std::make_shared<std::packaged_task<void()>>(std::move(work));
  std::future<void> done = task->get_future();
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->Queue([task] { (*task)(); })) return false;
  }
  state_->board->RunOnCpuThread([state = state_] { state->Drain(); });
  return done.wait_for(timeout) == std::future_status::ready;
}

bool CpuExecutor::Pause(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (state_->closed) return false;
  if (!state_->pause_wanted) {
    state_->pause_wanted = true;
    state_->Queue([state = state_] { state->PauseLoop(); });
    lock.unlock();
    state_->board->RunOnCpuThread([state = state_] { state->Drain(); });
    lock.lock();
  }
  return state_->cv.wait_for(lock, timeout, [this] {
    return state_->in_pause || state_->closed || !state_->pause_wanted;
  }) && state_->in_pause;
}

void CpuExecutor::Resume() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->pause_wanted = false;
  state_->cv.notify_all();
}

bool CpuExecutor::paused() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->pause_wanted;
}

void CpuExecutor::Close() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->closed = true;
    state_->cv.notify_all();
  }
  state_->Drain();
}

}  // namespace tapvm::cli
