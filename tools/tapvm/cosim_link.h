// CosimLink: the in-process channel between the two machines of a
// co-simulation run (`--engine cosim`, see cosim.h).
//
// The main machine (the engine under test, with the real host backends)
// runs on the caller's thread with a recording tap whose sink is this link:
// every event `record` would journal — inputs with their icount, clock
// warps, requests, observations — is queued here (and passed on to a real
// journal when the run also records). The reference machine (the
// interpreter) runs on a thread of its own with a replay tap whose source
// is this link, so it receives exactly the inputs the main machine
// received, at the same instruction counts, and no device or backend is
// ever duplicated. Alongside the events the main thread queues
// checkpoints: its architectural state at an icount, which the reference
// runs to and compares.
//
// Check markers: at each checkpoint the main thread also queues a state
// digest event of its own at the checkpoint's icount (AppendMarker; never
// journaled), which the reference, having compared, reports too and so
// consumes. A replay reads one event ahead; without a marker it would wait
// for the main machine's next real event, which a stretch of pure
// computation may not make for billions of instructions, and no check
// could be made meanwhile. The marker also fences the checkpoint: events
// the main machine makes at that same icount after stopping there (an
// input taken, an idle step at the next run's start) come after it, so
// the reference cannot take them before comparing.
//
// Contract:
// - Events and checkpoints come out in the order they were queued.
// - Next() blocks while no event is queued and the link is open; after
//   Close() it reports the end, and closed_cleanly() is true: calls the
//   reference makes past the main machine's last event are divergences.
// - Backpressure: PushCheckpoint waits while `max_pending` checkpoints are
//   queued, so the reference lags by a bounded amount. It never waits while
//   the reference is itself blocked in Next() (the reference reads one
//   event ahead, possibly past the pending checkpoints: waiting then would
//   deadlock), nor after ReferenceDone(), nor once `stop_waiting` says so.
//   With a marker per checkpoint the reference can wait in Next() only
//   once it has caught up, so the bound holds.
// - After ReferenceDone() events are dropped (nothing reads them).
// Thread-safe: Append, PushCheckpoint and Close from the main thread; Next,
// NextCheckpoint and ReferenceDone from the reference thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "emulator/cpu/hart_state.h"
#include "emulator/machine/board.h"
#include "emulator/tap.h"
#include "recorder/event_sink.h"
#include "replayer/event_source.h"

namespace tapvm::cli {

struct CosimCheckpoint {
  uint64_t icount = 0;
  uint64_t events = 0;       // events the main machine had made by then
  HartState hart{};          // its architectural state there
  uint64_t hart_digest = 0;  // Hart::StateDigest of it
  std::optional<MachineDigest> machine;  // the whole machine's, every so often
  // The last checkpoint: where and how the main machine's run ended.
  bool final = false;
  RunResult main_end{RunResult::Kind::kLimit};
};

class CosimLink : public EventSink, public EventSource {
 public:
  // `also` (may be null) receives every event too: the journal of a
  // `record` run. It must outlive the link.
  CosimLink(EventSink* also, size_t max_pending) : also_(also), max_pending_(max_pending) {}

  // EventSink (main thread).
  Status Append(journal::Event e) override;
  // Main thread: queues a check marker (see above) with `digest` at
  // `icount`; for the reference only.
  void AppendMarker(uint64_t icount, const MachineDigest& digest);
  // Markers queued so far: the reference consumes these besides the
  // recording's events.
  uint64_t markers() const { return markers_; }
  // EventSource (reference thread).
  Status Next(journal::Event* e, bool* end) override;
  bool closed_cleanly() const override;

  // Main thread: queues a checkpoint, waiting first under backpressure
  // (see above); `stop_waiting` is polled while waiting.
  void PushCheckpoint(CosimCheckpoint c, const std::function<bool()>& stop_waiting);
  // Main thread: no more events or checkpoints.
  void Close();

  // Reference thread: the next checkpoint, blocking; false when the link
  // is closed and none is left.
  bool NextCheckpoint(CosimCheckpoint* c);
  // Reference thread: it stopped for good (a divergence, a failure).
  void ReferenceDone();

  // Most checkpoints ever queued at once (the reference's lag), for --stats.
  size_t max_lag() const;

 private:
  EventSink* also_;
  const size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable reader_cv_;  // events or checkpoints arrived, or closed
  std::condition_variable writer_cv_;  // a checkpoint taken, reader waiting or done
  std::deque<journal::Event> events_;
  std::deque<CosimCheckpoint> checkpoints_;
  bool closed_ = false;
  bool reader_waiting_ = false;  // the reference is blocked in Next()
  bool reference_done_ = false;
  size_t max_lag_ = 0;
  uint64_t markers_ = 0;  // main thread only
  uint64_t last_seq_ = 0;  // of the last recorded event: a marker's seq in reports
};

}  // namespace tapvm::cli
