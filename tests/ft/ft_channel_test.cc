// The FT log channel end to end over 127.0.0.1: a LogSender and a
// LogReceiver in one process stream events of every kind, in either start
// order; acks, releases and the clean end arrive; the queue bound holds.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ft/log_receiver.h"
#include "ft/log_sender.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "recorder/journal_pump.h"
#include "tests/ft/ft_test_util.h"

namespace tapvm::ft {
namespace {

using namespace std::chrono_literals;
using testutil::Options;

// Consumes a receiver on a thread of its own until the end or an error.
struct Consumer {
  explicit Consumer(LogReceiver* r) : thread([this, r] {
    for (;;) {
      journal::Event e;
      bool end = false;
      status = r->Next(&e, &end);
      if (!status.ok() || end) return;
      events.push_back(std::move(e));
    }
  }) {}
  void Join() { thread.join(); }
  std::vector<journal::Event> events;
  Status status;
  std::thread thread;
};

void ExpectSame(const std::vector<journal::Event>& sent, const std::vector<journal::Event>& got) {
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    ASSERT_EQ(got[i].seq, sent[i].seq) << i;
    ASSERT_TRUE(journal::testutil::SameEvent(got[i], sent[i])) << "event " << i + 1;
  }
}

// Streams `events` from `sender` to `receiver` and checks the whole run.
void StreamAndCheck(LogSender* sender, LogReceiver* receiver, const std::vector<journal::Event>& events) {
  Consumer consumer(receiver);
  for (const journal::Event& e : events) ASSERT_TRUE(sender->Append(e).ok()) << sender->status().ToString();
  const uint64_t last = events.size();
  EXPECT_TRUE(sender->WaitAcked(last, 10s)) << sender->status().ToString();
  sender->SendReleased(last);
  const uint64_t final_icount = events.empty() ? 0 : events.back().icount + 5;
  Status st = sender->Close(final_icount);
  EXPECT_TRUE(st.ok()) << st.ToString();
  consumer.Join();
  EXPECT_TRUE(consumer.status.ok()) << consumer.status.ToString();
  ExpectSame(events, consumer.events);
  EXPECT_EQ(sender->acked_seq(), last);
  EXPECT_TRUE(receiver->closed_cleanly()) << receiver->end_reason();
  EXPECT_EQ(receiver->end_reason(), "bye");
  EXPECT_EQ(receiver->final_icount(), final_icount);
  EXPECT_EQ(receiver->released_seq(), last);
  EXPECT_EQ(receiver->received_seq(), last);
}

TEST(FtChannel, TenThousandEventsOfEveryKindRoundTrip) {
  const std::vector<journal::Event> events = testutil::Stream(10'000);
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  ASSERT_NE(sender->port(), 0);
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());
  StreamAndCheck(sender.get(), receiver.get(), events);
}

TEST(FtChannel, ReceiverFirstRetriesUntilTheSenderListens) {
  const uint16_t port = testutil::FreePort();
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, port), &receiver).ok());
  std::this_thread::sleep_for(300ms);  // a few refused connects
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true, port), &sender).ok());
  EXPECT_TRUE(sender->WaitConnected(5s)) << sender->status().ToString();
  StreamAndCheck(sender.get(), receiver.get(), testutil::Stream(500));
}

TEST(FtChannel, SenderFirstRetriesUntilTheReceiverListens) {
  const uint16_t port = testutil::FreePort();
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(false, port), &sender).ok());
  // Appends before the secondary is there wait in the queue.
  const std::vector<journal::Event> events = testutil::Stream(500);
  std::this_thread::sleep_for(300ms);
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(true, port), &receiver).ok());
  StreamAndCheck(sender.get(), receiver.get(), events);
}

TEST(FtChannel, EmptyStreamEndsCleanly) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());
  ASSERT_TRUE(sender->WaitConnected(5s));
  EXPECT_TRUE(sender->Close(77).ok());
  journal::Event e;
  bool end = false;
  ASSERT_TRUE(receiver->Next(&e, &end).ok());
  EXPECT_TRUE(end);
  EXPECT_TRUE(receiver->closed_cleanly());
  EXPECT_EQ(receiver->final_icount(), 77u);
}

TEST(FtChannel, HeartbeatsKeepAnIdlePairAlive) {
  SenderOptions so = Options<SenderOptions>(true);
  so.heartbeat = 20ms;
  so.peer_timeout = 200ms;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.peer_timeout = 200ms;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  ASSERT_TRUE(sender->WaitConnected(5s));
  std::this_thread::sleep_for(600ms);  // three peer timeouts of idling
  EXPECT_TRUE(sender->status().ok()) << sender->status().ToString();
  EXPECT_LT(sender->peer_silent_ms(), 150);
  EXPECT_LT(receiver->silent_ms(), 150);
  StreamAndCheck(sender.get(), receiver.get(), testutil::Stream(30));
}

TEST(FtChannel, SmallQueuesOnBothSidesStillDeliverEverything) {
  SenderOptions so = Options<SenderOptions>(true);
  so.max_queued_bytes = 32 << 10;
  so.append_timeout = 5000ms;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.max_queued_bytes = 16 << 10;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  const std::vector<journal::Event> events = testutil::Stream(3000);
  Consumer consumer(receiver.get());
  for (const journal::Event& e : events) {
    ASSERT_TRUE(sender->Append(e).ok()) << sender->status().ToString();
    // One event over the bound may sit alone in the queue.
    const auto p = journal::PayloadOf(e.body);
    ASSERT_LE(sender->queued_bytes(), so.max_queued_bytes + kEventCostBytes + (p ? p->size() : 0));
  }
  EXPECT_TRUE(sender->Close(1).ok()) << sender->status().ToString();
  consumer.Join();
  EXPECT_TRUE(consumer.status.ok()) << consumer.status.ToString();
  ExpectSame(events, consumer.events);
}

TEST(FtChannel, ALaggingSecondaryIsNotTakenForASilentOne) {
  SenderOptions so = Options<SenderOptions>(true);
  so.heartbeat = 20ms;
  so.peer_timeout = 300ms;
  so.max_queued_bytes = 64 << 10;
  so.append_timeout = 5000ms;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.heartbeat = 20ms;
  ro.peer_timeout = 300ms;
  ro.max_queued_bytes = 16 << 10;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  const std::vector<journal::Event> events = testutil::Stream(2000);
  std::thread appender([&] {
    for (const journal::Event& e : events) {
      if (!sender->Append(e).ok()) return;
    }
  });
  std::this_thread::sleep_for(900ms);  // the consumer lags three peer timeouts
  EXPECT_TRUE(sender->status().ok()) << sender->status().ToString();
  Consumer consumer(receiver.get());
  appender.join();
  EXPECT_TRUE(sender->Close(1).ok()) << sender->status().ToString();
  consumer.Join();
  EXPECT_TRUE(consumer.status.ok()) << consumer.status.ToString();
  ExpectSame(events, consumer.events);
  EXPECT_TRUE(receiver->closed_cleanly()) << receiver->end_reason();
}

TEST(FtChannel, APrimaryGoneWithoutByeEndsTheStreamUncleanly) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());
  const std::vector<journal::Event> events = testutil::Stream(100);
  for (const journal::Event& e : events) ASSERT_TRUE(sender->Append(e).ok());
  ASSERT_TRUE(sender->WaitAcked(100, 5s));
  sender.reset();  // the primary dies
  const auto t0 = std::chrono::steady_clock::now();
  Consumer consumer(receiver.get());
  consumer.Join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);  // the close is seen, no need to wait for silence
  EXPECT_TRUE(consumer.status.ok()) << consumer.status.ToString();
  ExpectSame(events, consumer.events);
  EXPECT_FALSE(receiver->closed_cleanly());
  EXPECT_NE(receiver->end_reason().find("connection dropped"), std::string::npos) << receiver->end_reason();
}

TEST(FtChannel, ReleasedIsNeverAnnouncedBeyondTheEventsSent) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  sender->SendReleased(5);  // before any event: held back
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());
  StreamAndCheck(sender.get(), receiver.get(), testutil::Stream(10));
}

TEST(FtChannel, AppendPastTheBoundFailsAfterTheAppendTimeout) {
  SenderOptions so = Options<SenderOptions>(true);  // nobody ever connects
  so.max_queued_bytes = 64 << 10;
  so.append_timeout = 100ms;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  journal::Event e;
  e.body = NetFrameIn{2, std::vector<uint8_t>(4000, 1)};
  const auto t0 = std::chrono::steady_clock::now();
  Status st;
  uint64_t seq = 0;
  while (st.ok() && seq < 1000) {
    e.seq = ++seq;
    st = sender->Append(e);
    ASSERT_LE(sender->queued_bytes(), so.max_queued_bytes);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(st.code(), Status::Code::kOutOfRange);
  EXPECT_NE(st.message().find("send queue full"), std::string::npos) << st.ToString();
  EXPECT_EQ(seq, (64u << 10) / 4064 + 1);  // the first that did not fit
  EXPECT_EQ(sender->status().code(), Status::Code::kOutOfRange);  // sticky
  e.seq = seq + 1;
  EXPECT_FALSE(sender->Append(e).ok());
}

TEST(FtChannel, ALargeBlockPayloadCrossesInOneFrame) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());
  std::vector<journal::Event> events(2);
  events[0].seq = 1;
  events[0].icount = 10;
  events[0].body = BlockCompletion{1, 7, BlockCompletion::Status::kOk, ToIoBytes(journal::testutil::Bytes(40u << 20, 3))};
  events[1].seq = 2;
  events[1].icount = 20;
  events[1].body = journal::IrqLine{1, 3, true};
  StreamAndCheck(sender.get(), receiver.get(), events);
}

TEST(FtChannel, AppendRefusesAPayloadOverTheFrameCap) {
  SenderOptions so = Options<SenderOptions>(true);
  so.max_frame_bytes = 1 << 20;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  journal::Event e;
  e.seq = 1;
  e.body = NetFrameIn{2, std::vector<uint8_t>(1 << 20, 1)};
  Status st = sender->Append(e);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("over the frame cap"), std::string::npos) << st.ToString();
}

TEST(FtChannel, AppendRefusesASeqGap) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  std::vector<journal::Event> events = testutil::Stream(3);
  ASSERT_TRUE(sender->Append(events[0]).ok());
  Status st = sender->Append(events[2]);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("seq 3 appended where seq 2 was due"), std::string::npos) << st.ToString();
}

TEST(FtChannel, SenderRefusesASecondaryOfAnotherConfiguration) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  testutil::RawPeer peer(sender->port());
  ASSERT_TRUE(peer.connected());
  Hello h = testutil::RawPeer::MakeHello(Role::kSecondary);
  h.config_hash = 1;
  peer.Send(h);
  EXPECT_FALSE(sender->WaitConnected(5s));
  EXPECT_NE(sender->status().message().find("configuration hash"), std::string::npos) << sender->status().ToString();
}

TEST(FtChannel, SecondaryKeepsALocalJournalOfTheStream) {
  const std::string path = journal::testutil::TempPath("ft_local");
  std::unique_ptr<journal::JournalWriter> writer;
  ASSERT_TRUE(journal::JournalWriter::Create(path, journal::testutil::SampleHeader(), journal::WriterOptions(), &writer)
                  .ok());
  JournalPump pump(std::move(writer));
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.local_journal = &pump;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  const std::vector<journal::Event> events = testutil::Stream(1000);
  StreamAndCheck(sender.get(), receiver.get(), events);
  ASSERT_TRUE(pump.Close(receiver->final_icount()).ok());

  std::unique_ptr<journal::JournalReader> reader;
  ASSERT_TRUE(journal::JournalReader::Open(path, &reader).ok());
  std::vector<journal::Event> got;
  for (;;) {
    journal::Event e;
    bool end = false;
    Status st = reader->Next(&e, &end);
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (end) break;
    got.push_back(std::move(e));
  }
  ExpectSame(events, got);
  EXPECT_TRUE(reader->header().clean_close);
  unlink(path.c_str());
}

// A sink that fails after `ok` appends, as a full disk would.
class FailingSink : public EventSink {
 public:
  explicit FailingSink(size_t ok) : ok_(ok) {}
  Status Append(journal::Event) override {
    if (ok_ == 0) return Status::IOError("No space left on device");
    --ok_;
    return Status::Ok();
  }

 private:
  size_t ok_;
};

TEST(FtChannel, ASecondaryAdoptsThePrimarysRunIdAndReadsOnlyOnceItsJournalIsThere) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.run_id = {};
  ro.local_journal_later = true;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  ASSERT_TRUE(receiver->WaitConnected(5s));
  EXPECT_EQ(receiver->run_id(), testutil::kRun);
  const std::vector<journal::Event> events = testutil::Stream(50);
  for (const journal::Event& e : events) ASSERT_TRUE(sender->Append(e).ok());
  // Nothing is held (so nothing acknowledged) before the journal is there.
  EXPECT_FALSE(sender->WaitAcked(1, 300ms));
  EXPECT_EQ(receiver->received_seq(), 0u);
  FailingSink journal(1000);
  receiver->AttachLocalJournal(&journal);
  EXPECT_TRUE(sender->WaitAcked(events.size(), 5s)) << sender->status().ToString();
}

TEST(FtChannel, ALocalJournalThatFailsIsTheSecondarysOwnError) {
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  FailingSink journal(10);
  ro.local_journal = &journal;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  for (const journal::Event& e : testutil::Stream(20)) ASSERT_TRUE(sender->Append(e).ok());
  Consumer consumer(receiver.get());
  consumer.Join();
  EXPECT_EQ(consumer.events.size(), 10u);
  EXPECT_FALSE(consumer.status.ok());
  EXPECT_NE(consumer.status.message().find("local journal: No space left on device"), std::string::npos)
      << consumer.status.ToString();
  EXPECT_TRUE(receiver->local_journal_failed());
  EXPECT_LE(sender->acked_seq(), 10u);  // never an event the journal lost
}

TEST(FtChannel, TheLagBoundHoldsThePrimaryUntilTheSecondaryReplays) {
  SenderOptions so = Options<SenderOptions>(true);
  so.max_lag = 10'000;
  std::unique_ptr<LogSender> sender;
  ASSERT_TRUE(LogSender::Start(so, &sender).ok());
  ReceiverOptions ro = Options<ReceiverOptions>(false, sender->port());
  ro.progress_step = 1000;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  // Icounts rise by 1000 every 15 events: past event ~150 the previous
  // event is more than 10'000 instructions ahead of a replay at 0.
  const std::vector<journal::Event> events = testutil::Stream(400);
  std::atomic<size_t> appended{0};
  std::thread primary([&] {
    for (const journal::Event& e : events) {
      if (!sender->Append(e).ok()) return;
      ++appended;
    }
  });
  std::this_thread::sleep_for(400ms);
  const size_t held_at = appended.load();
  EXPECT_LT(held_at, events.size());
  EXPECT_GT(held_at, 100u);
  // The secondary replays: the primary goes on.
  Consumer consumer(receiver.get());
  primary.join();
  EXPECT_EQ(appended.load(), events.size());
  EXPECT_GE(sender->lag_stats().waits, 1u);
  EXPECT_LE(sender->lag_stats().max_lag_seen, so.max_lag + 1000);
  ASSERT_TRUE(sender->Close(events.back().icount).ok());
  consumer.Join();
  EXPECT_EQ(consumer.events.size(), events.size());
}

}  // namespace
}  // namespace tapvm::ft
