// The tap modes compose: the recording tap decorates any tap and numbers
// what it journals; the replay tap reads any event source and can go live,
// handing requests in flight to the live tap; other threads run work on the
// CPU thread at a slice boundary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <thread>

#include "emulator/machine/board.h"
#include "emulator/tap/backends/passthrough_tap.h"
#include "emulator/tap/minimal_tap.h"
#include "journal/tap_events.h"
#include "recorder/recording_tap.h"
#include "replayer/replay_tap.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using journal::Event;
using journal::EventKind;

// Keeps what it is given; can be told to fail.
class VectorSink : public EventSink {
 public:
  Status Append(Event e) override {
    if (fail_after_ && events.size() >= *fail_after_) return Status::IOError("disk full");
    events.push_back(std::move(e));
    return Status::Ok();
  }
  std::vector<Event> events;
  std::optional<size_t> fail_after_;
};

// A device that logs what it gets, and the sink size when it got it.
class LoggingDevice : public TapInputSink {
 public:
  explicit LoggingDevice(const VectorSink* journal) : journal_(journal) {}
  void OnInput(const TapInput& in) override {
    inputs.push_back(in);
    journal_sizes.push_back(journal_ ? journal_->events.size() : 0);
  }
  std::vector<TapInput> inputs;
  std::vector<size_t> journal_sizes;

 private:
  const VectorSink* journal_;
};

// A tap that is none of the project's modes: logs every call, delivers
// inputs queued by the test.
class FakeTap : public EventTap {
 public:
  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { sinks[dev] = sink; }
  void SubmitBlock(BlockRequest r) override { calls.push_back("block " + std::to_string(r.id)); }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t>) override { calls.push_back("frame"); }
  void RequestEntropy(TapDeviceId dev, uint32_t n) override { calls.push_back("entropy " + std::to_string(n)); }
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override { calls.push_back("console"); }
  void ObserveIo(IoSpace, bool, uint64_t addr, unsigned, uint64_t) override { calls.push_back("io"); }
  unsigned DeliverDue(uint64_t) override {
    unsigned n = 0;
    for (; !queued.empty(); queued.pop_front(), ++n) sinks.at(DeviceOfInput(queued.front()))->OnInput(queued.front());
    return n;
  }
  uint64_t Idle(uint64_t now, uint64_t deadline) override { return now + 7; }
  static TapDeviceId DeviceOfInput(const TapInput& in) {
    return std::visit([](const auto& x) { return x.dev; }, in);
  }
  std::map<TapDeviceId, TapInputSink*> sinks;
  std::deque<TapInput> queued;
  std::vector<std::string> calls;
};

TEST(RecordingTapTest, DecoratesAnyTapJournalingInputsBeforeTheDeviceSeesThem) {
  FakeTap inner;
  VectorSink journal;
  RecordingTap rec(&inner, &journal);
  uint64_t icount = 100;
  rec.set_icount_source(&icount);
  LoggingDevice dev(&journal);
  rec.AttachDevice(3, &dev);
  ASSERT_TRUE(inner.sinks.count(3));
  EXPECT_NE(inner.sinks[3], &dev);  // the recording tap stands between them

  inner.queued.push_back(ConsoleIn{3, {'h', 'i'}});
  inner.queued.push_back(EntropyIn{3, {1, 2, 3}});
  EXPECT_EQ(rec.DeliverDue(icount), 2u);
  ASSERT_EQ(dev.inputs.size(), 2u);
  EXPECT_EQ(dev.journal_sizes, (std::vector<size_t>{1, 2}));  // journaled first
  icount = 150;
  rec.SubmitBlock(BlockRequest{3, 9, BlockRequest::Type::kRead, 0, 512, {}});
  rec.RequestEntropy(3, 16);
  rec.ObserveIo(EventTap::IoSpace::kMmio, true, 0x10000000, 1, 'x');
  EXPECT_EQ(rec.Idle(10, 50), 17u);  // the inner tap's answer
  EXPECT_EQ(inner.calls, (std::vector<std::string>{"block 9", "entropy 16", "io"}));

  ASSERT_EQ(journal.events.size(), 6u);
  for (size_t i = 0; i < journal.events.size(); ++i) EXPECT_EQ(journal.events[i].seq, i + 1);
  EXPECT_EQ(rec.last_seq(), 6u);
  EXPECT_EQ(journal::KindOf(journal.events[0]), EventKind::kConsoleIn);
  EXPECT_EQ(journal.events[0].icount, 100u);
  EXPECT_EQ(journal::KindOf(journal.events[2]), EventKind::kBlockRequest);
  EXPECT_EQ(journal.events[2].icount, 150u);
  EXPECT_EQ(journal::KindOf(journal.events[5]), EventKind::kClockWarp);
}

TEST(RecordingTapTest, AJournalErrorStopsJournalingNotTheMachine) {
  FakeTap inner;
  VectorSink journal;
  journal.fail_after_ = 1;
  RecordingTap rec(&inner, &journal);
  rec.SubmitBlock(BlockRequest{1, 1, BlockRequest::Type::kFlush, 0, 0, {}});
  rec.SubmitBlock(BlockRequest{1, 2, BlockRequest::Type::kFlush, 0, 0, {}});
  rec.SubmitBlock(BlockRequest{1, 3, BlockRequest::Type::kFlush, 0, 0, {}});
  EXPECT_EQ(inner.calls.size(), 3u);  // all forwarded
  EXPECT_FALSE(rec.status().ok());
  EXPECT_EQ(rec.last_seq(), 1u);
}

// Events from memory: the replay tap needs no journal file.
class VectorSource : public EventSource {
 public:
  explicit VectorSource(std::vector<Event> events, bool clean = true) : events_(std::move(events)), clean_(clean) {
    for (size_t i = 0; i < events_.size(); ++i) events_[i].seq = i + 1;
  }
  Status Next(Event* e, bool* end) override {
    *end = next_ >= events_.size();
    if (!*end) *e = events_[next_++];
    return Status::Ok();
  }
  bool closed_cleanly() const override { return clean_; }

 private:
  std::vector<Event> events_;
  size_t next_ = 0;
  bool clean_;
};

Event At(uint64_t icount, journal::EventBody body) {
  Event e;
  e.icount = icount;
  e.body = std::move(body);
  return e;
}

TEST(ReplayTapTest, ReadsAnyEventSourceAndGoesLiveHandingOverRequestsInFlight) {
  const BlockRequest read1{1, 1, BlockRequest::Type::kRead, 0, 4, {}};
  const BlockRequest read2{1, 2, BlockRequest::Type::kRead, 512, 4, {}};
  VectorSource source({
      At(10, journal::TapEvents::BlockRequested(read1)),
      At(11, journal::TapEvents::BlockRequested(read2)),
      At(12, journal::TapEvents::EntropyRequested(2, 8)),
      At(20, BlockCompletion{1, 1, BlockCompletion::Status::kOk, {1, 2, 3, 4}}),
      At(30, journal::TapEvents::ConsoleWritten(0, std::vector<uint8_t>{'z'})),
  });
  ReplayTap replay(&source, nullptr, nullptr);
  uint64_t icount = 10;
  replay.set_icount_source(&icount);
  LoggingDevice disk(nullptr), rng(nullptr);
  replay.AttachDevice(1, &disk);
  replay.AttachDevice(2, &rng);
  replay.SubmitBlock(read1);
  icount = 11;
  replay.SubmitBlock(read2);
  icount = 12;
  replay.RequestEntropy(2, 8);
  EXPECT_EQ(replay.NextInputIcount(), 20u);
  icount = 20;
  EXPECT_EQ(replay.DeliverDue(20), 1u);
  ASSERT_EQ(disk.inputs.size(), 1u);
  EXPECT_FALSE(replay.divergence());
  EXPECT_EQ(replay.requests_in_flight(), 2u);  // read2 and the entropy request

  FakeTap live;
  ASSERT_TRUE(replay.GoLive(&live).ok());
  EXPECT_TRUE(replay.live());
  EXPECT_EQ(live.sinks.at(1), &disk);
  EXPECT_EQ(live.sinks.at(2), &rng);
  EXPECT_EQ(live.calls, (std::vector<std::string>{"block 2", "entropy 8"}));
  // From now on everything goes to the live tap, whatever the recording says.
  icount = 25;
  replay.ConsoleOutput(0, std::vector<uint8_t>{'q'});
  EXPECT_EQ(live.calls.back(), "console");
  live.queued.push_back(BlockCompletion{1, 2, BlockCompletion::Status::kOk, {9, 9, 9, 9}});
  EXPECT_EQ(replay.DeliverDue(25), 1u);
  EXPECT_EQ(disk.inputs.size(), 2u);
  EXPECT_EQ(replay.Idle(100, 200), 107u);
  EXPECT_FALSE(replay.divergence());
  EXPECT_FALSE(replay.GoLive(&live).ok());  // once only
}

TEST(ReplayTapTest, ACutShortEndKeepsLaterCallsForTheLiveTapAndHoldsUnreleasedOutputs) {
  const std::vector<uint8_t> frame{1, 2, 3};
  VectorSource source({At(10, journal::TapEvents::ConsoleWritten(0, std::vector<uint8_t>{'a'})),
                       At(11, journal::TapEvents::FrameTransmitted(3, frame)),
                       At(12, journal::TapEvents::ConsoleWritten(0, std::vector<uint8_t>{'c'}))},
                      /*clean=*/false);
  bool stopped = false;
  ReplayTap replay(&source, nullptr, [&] { stopped = true; });
  uint64_t released = 1;  // the primary said outputs up to event 1 left
  replay.KeepOutputs([&] { return released; });
  uint64_t icount = 10;
  replay.set_icount_source(&icount);
  replay.ConsoleOutput(0, std::vector<uint8_t>{'a'});
  icount = 11;
  replay.TransmitFrame(3, frame);
  EXPECT_FALSE(stopped);
  icount = 12;
  replay.ConsoleOutput(0, std::vector<uint8_t>{'c'});
  EXPECT_TRUE(stopped);  // the log ended: stop at once
  // The rest of the instruction runs on: kept, not compared.
  icount = 13;
  replay.ConsoleOutput(0, std::vector<uint8_t>{'d'});
  replay.ObserveIrq(7, true);
  EXPECT_FALSE(replay.divergence());
  EXPECT_EQ(replay.calls_after_end(), 2u);

  const std::vector<ReplayTap::HeldOutput> held = replay.TakeHeldOutputs();
  ASSERT_EQ(held.size(), 2u);  // event 1 was released
  EXPECT_EQ(held[0].seq, 2u);
  EXPECT_TRUE(held[0].is_frame);
  EXPECT_EQ(held[0].bytes, frame);
  EXPECT_EQ(held[1].seq, 3u);
  EXPECT_EQ(held[1].bytes, std::vector<uint8_t>{'c'});

  // Going live, the kept calls are journaled at the icount they were made,
  // numbered after the recording's events.
  FakeTap inner;
  VectorSink journal;
  RecordingTap live(&inner, &journal, 4);
  icount = 14;
  ASSERT_TRUE(replay.GoLive(&live).ok());
  ASSERT_EQ(journal.events.size(), 2u);
  EXPECT_EQ(journal.events[0].seq, 4u);
  EXPECT_EQ(journal.events[0].icount, 13u);
  EXPECT_EQ(journal::KindOf(journal.events[0]), EventKind::kConsoleOut);
  EXPECT_EQ(journal::KindOf(journal.events[1]), EventKind::kIrqLine);
  EXPECT_EQ(journal.events[1].icount, 13u);
  replay.ConsoleOutput(0, std::vector<uint8_t>{'e'});
  EXPECT_EQ(journal.events.back().icount, 14u);  // the real icount again
}

TEST(ReplayTapTest, AMismatchIsADivergenceAtItsEvent) {
  VectorSource source({At(5, journal::TapEvents::ConsoleWritten(0, std::vector<uint8_t>{'a'}))});
  bool stopped = false;
  ReplayTap replay(&source, nullptr, [&] { stopped = true; });
  uint64_t icount = 5;
  replay.set_icount_source(&icount);
  replay.ConsoleOutput(0, std::vector<uint8_t>{'b'});
  ASSERT_TRUE(replay.divergence());
  EXPECT_TRUE(stopped);
  EXPECT_EQ(replay.divergence()->seq, 1u);
  EXPECT_NE(replay.divergence()->ToString().find("expected"), std::string::npos);
}

using namespace tapvm::test;

std::unique_ptr<Board> SpinBoard(EventTap* tap, std::vector<uint32_t> program) {
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 1 << 20;
  EXPECT_TRUE(Board::Create(cfg, tap, &b).ok());
  std::memcpy(b->bus().HostPtrForWrite(0x80000000, program.size() * 4), program.data(), program.size() * 4);
  b->hart().FlushCaches();
  return b;
}

TEST(BoardTest, WorkFromAnotherThreadRunsOnTheCpuThreadAtASliceBoundary) {
  MinimalTap tap;
  auto board = SpinBoard(&tap, {Jal(0, 0)});  // spins forever
  std::thread::id ran_on;
  uint64_t icount_seen = 0;
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    board->RunOnCpuThread([&] {
      ran_on = std::this_thread::get_id();
      icount_seen = board->hart().state().icount;
      board->RequestQuit();
    });
  });
  RunResult r = board->Run(UINT64_MAX);
  other.join();
  EXPECT_EQ(r.kind, RunResult::Kind::kQuit);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_GT(icount_seen, 0u);
  EXPECT_EQ(icount_seen, board->hart().state().icount);  // nothing ran after it
}

TEST(BoardTest, AReplayThatRunsPastARecordedAccessDivergesThere) {
  // The recording made a device access at icount 5000; this machine spins
  // and never does: found at the next slice boundary, not never.
  FakeTap inner;
  VectorSink recorded;
  RecordingTap rec(&inner, &recorded);
  SpinBoard(&rec, {Jal(0, 0)})->Run(100);  // what the machine does by itself (reset-time IRQ lines)
  std::vector<Event> events = recorded.events;
  events.push_back(At(5000, journal::TapEvents::IoAccessed(EventTap::IoSpace::kMmio, true, 0x10000000, 1, 'x')));
  const uint64_t missed_seq = events.size();
  VectorSource source(events);
  bool stopped = false;
  ReplayTap replay(&source, nullptr, [&] { stopped = true; });
  auto board = SpinBoard(&replay, {Jal(0, 0)});  // spins forever
  board->Run(50'000'000);
  ASSERT_TRUE(replay.divergence());
  EXPECT_TRUE(stopped);
  EXPECT_EQ(replay.divergence()->seq, missed_seq);
  EXPECT_GT(replay.divergence()->icount, 5000u);
  EXPECT_LE(replay.divergence()->icount, 5000u + (1u << 20));  // within a slice
  EXPECT_NE(replay.divergence()->actual.find("ran past icount 5000"), std::string::npos)
      << replay.divergence()->ToString();
}

TEST(BoardTest, WorkWakesAMachineIdlingInHostTime) {
  PassthroughTap tap;
  tap.SetExternalInput(true);  // idle waits in host time
  // No timer armed: the hart waits in wfi, the tap in host time.
  auto board = SpinBoard(&tap, {kWfi, Jal(0, -4)});
  std::atomic<bool> ran{false};
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    board->RunOnCpuThread([&] {
      ran = true;
      board->RequestQuit();
    });
  });
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = board->Run(UINT64_MAX);
  other.join();
  EXPECT_TRUE(ran);
  EXPECT_EQ(r.kind, RunResult::Kind::kQuit);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace tapvm
