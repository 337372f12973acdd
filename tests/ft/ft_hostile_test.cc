// A LogReceiver facing a hostile or broken primary (a raw socket speaking
// the wire format by hand): every violation ends the stream with a Status
// naming the problem, in bounded time, never a crash or a hang; a silent
// primary ends it (not cleanly) within the peer timeout.
#include <gtest/gtest.h>

#include <thread>

#include "ft/log_receiver.h"
#include "ft/log_sender.h"
#include "tests/ft/ft_test_util.h"

namespace tapvm::ft {
namespace {

using namespace std::chrono_literals;
using testutil::Forger;
using testutil::Options;
using testutil::RawPeer;

class FtHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(true), &receiver_).ok());
    peer_ = std::make_unique<RawPeer>(receiver_->port());
    ASSERT_TRUE(peer_->connected());
    t0_ = std::chrono::steady_clock::now();
  }

  // Drains the receiver: the events it delivered, then its final Status
  // (which must be an error unless `expect_ok`).
  Status Drain(size_t* delivered = nullptr) {
    size_t n = 0;
    Status st;
    for (;;) {
      journal::Event e;
      bool end = false;
      st = receiver_->Next(&e, &end);
      if (!st.ok() || end) break;
      ++n;
    }
    if (delivered != nullptr) *delivered = n;
    EXPECT_LT(std::chrono::steady_clock::now() - t0_, 5s) << "not bounded in time";
    return st;
  }

  // Expects the stream to be rejected with `code` and a message naming
  // `what`, after `events_before` good events.
  void ExpectRejected(Status::Code code, const std::string& what, size_t events_before = 0) {
    size_t n = 0;
    Status st = Drain(&n);
    EXPECT_EQ(st.code(), code) << st.ToString();
    EXPECT_NE(st.message().find(what), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("ft log receiver"), std::string::npos) << st.ToString();
    EXPECT_EQ(n, events_before);
    EXPECT_FALSE(receiver_->closed_cleanly());
    EXPECT_EQ(receiver_->status().message(), st.message());
  }

  std::vector<journal::Event> events_ = testutil::Stream(40);  // blob-sized payloads included
  std::unique_ptr<LogReceiver> receiver_;
  std::unique_ptr<RawPeer> peer_;
  Forger forger_;
  std::chrono::steady_clock::time_point t0_;
};

TEST_F(FtHostile, GarbageBytes) {
  const std::string junk = "GET / HTTP/1.1\r\nHost: tapvm\r\n\r\n";
  peer_->SendBytes(std::vector<uint8_t>(junk.begin(), junk.end()));
  ExpectRejected(Status::Code::kCorruption, "bad frame magic");
}

TEST_F(FtHostile, GarbageMessageInAValidFrame) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  std::vector<uint8_t> frame(kFrameHeaderSize + 64, 0xa5);
  journal::PutLe32(frame.data(), kFrameMagic);
  journal::PutLe32(frame.data() + 4, 64);
  peer_->SendBytes(frame);
  ExpectRejected(Status::Code::kCorruption, "undecodable message");
}

TEST_F(FtHostile, FrameOverTheCap) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  std::vector<uint8_t> header(kFrameHeaderSize);
  journal::PutLe32(header.data(), kFrameMagic);
  journal::PutLe32(header.data() + 4, kMaxFrameBytes + 8);
  peer_->SendBytes(header);
  ExpectRejected(Status::Code::kCorruption, "exceeds the cap");
}

TEST_F(FtHostile, HelloOfAnotherRun) {
  Hello h = RawPeer::MakeHello(Role::kPrimary);
  h.run_id.low ^= 1;
  peer_->Send(h);
  ExpectRejected(Status::Code::kInvalidArgument, "run id");
}

TEST_F(FtHostile, HelloOfAnotherProtocolVersion) {
  Hello h = RawPeer::MakeHello(Role::kPrimary);
  h.protocol_version = kProtocolVersion + 1;
  peer_->Send(h);
  ExpectRejected(Status::Code::kNotSupported, "protocol version " + std::to_string(kProtocolVersion + 1));
}

TEST_F(FtHostile, HelloOfAnotherConfiguration) {
  Hello h = RawPeer::MakeHello(Role::kPrimary);
  h.config_hash ^= 0xff;
  peer_->Send(h);
  ExpectRejected(Status::Code::kInvalidArgument, "configuration hash");
}

TEST_F(FtHostile, HelloFromASecondary) {
  peer_->Send(RawPeer::MakeHello(Role::kSecondary));
  ExpectRejected(Status::Code::kInvalidArgument, "expected a primary");
}

TEST_F(FtHostile, EventBeforeHello) {
  peer_->Send(forger_.Make(1, events_[0]));
  ExpectRejected(Status::Code::kCorruption, "expected a hello");
}

TEST_F(FtHostile, RecordChecksumWrong) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(forger_.Make(1, events_[0]));
  EventMsg m = forger_.Make(2, events_[1]);
  m.record.back() ^= 0x40;
  peer_->Send(m);
  ExpectRejected(Status::Code::kCorruption, "checksum mismatch", 1);
}

TEST_F(FtHostile, RecordOfAnotherSeq) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  EventMsg m = forger_.Make(2, events_[0]);
  m.seq = 1;  // the record is seq 2's: its checksum is seeded with 2
  peer_->Send(m);
  ExpectRejected(Status::Code::kCorruption, "checksum mismatch");
}

TEST_F(FtHostile, ChainBreak) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(forger_.Make(1, events_[0]));
  peer_->Send(forger_.Make(2, events_[1]));
  const uint64_t stale = testutil::Forger().chain();  // links to the start again
  peer_->Send(forger_.Make(3, events_[2], &stale));
  ExpectRejected(Status::Code::kCorruption, "chain break", 2);
}

TEST_F(FtHostile, ReorderedSeq) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(forger_.Make(1, events_[0]));
  peer_->Send(forger_.Make(3, events_[2]));
  ExpectRejected(Status::Code::kCorruption, "seq 3 arrived where seq 2 was due", 1);
}

TEST_F(FtHostile, ReplayedSeq) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  const EventMsg first = forger_.Make(1, events_[0]);
  peer_->Send(first);
  peer_->Send(forger_.Make(2, events_[1]));
  peer_->Send(first);
  ExpectRejected(Status::Code::kCorruption, "seq 1 arrived again", 2);
}

TEST_F(FtHostile, BlobPayloadDoesNotMatchItsHash) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  EventMsg m = forger_.Make(1, events_[0]);  // a 4 KiB block read: blob-sized
  ASSERT_FALSE(m.payload.empty());
  m.payload[100] ^= 1;
  peer_->Send(m);
  ExpectRejected(Status::Code::kCorruption, "payload hashes to");
}

TEST_F(FtHostile, BlobPayloadMissing) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  EventMsg m = forger_.Make(1, events_[0]);
  m.payload.clear();
  peer_->Send(m);
  ExpectRejected(Status::Code::kCorruption, "payload of 0 bytes");
}

TEST_F(FtHostile, UnexpectedAckFromThePrimary) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(Ack{1, 0});
  ExpectRejected(Status::Code::kCorruption, "unexpected ack");
}

TEST_F(FtHostile, ByeThatMissesEvents) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(forger_.Make(1, events_[0]));
  peer_->Send(Bye{100, 5, "quit"});
  ExpectRejected(Status::Code::kCorruption, "bye says the last event is seq 5", 1);
}

TEST_F(FtHostile, ConnectionCutInTheMiddleOfAFrame) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  peer_->Send(forger_.Make(1, events_[0]));
  std::vector<uint8_t> frame = EncodeFrame(forger_.Make(2, events_[1]));
  frame.resize(frame.size() / 2);
  peer_->SendBytes(frame);
  peer_->HalfClose();
  ExpectRejected(Status::Code::kIOError, "connection cut in the middle of a frame", 1);
}

TEST_F(FtHostile, ConnectionDroppedBetweenFramesIsAnUncleanEnd) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  for (uint64_t i = 0; i < 5; ++i) peer_->Send(forger_.Make(i + 1, events_[i]));
  peer_->HalfClose();
  size_t n = 0;
  Status st = Drain(&n);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(n, 5u);
  EXPECT_FALSE(receiver_->closed_cleanly());
  EXPECT_NE(receiver_->end_reason().find("connection dropped"), std::string::npos) << receiver_->end_reason();
}

TEST_F(FtHostile, AcksAndHeartbeatAnswersReachThePrimary) {
  ASSERT_TRUE(peer_->HelloAsPrimary());
  for (uint64_t i = 0; i < 3; ++i) peer_->Send(forger_.Make(i + 1, events_[i]));
  peer_->Send(Heartbeat{7, 0, 0});
  uint64_t acked = 0, echo = 0;
  while (acked < 3 || echo != 7) {
    Message m;
    ASSERT_TRUE(peer_->Read(&m)) << "no ack or heartbeat answer";
    if (const Ack* a = std::get_if<Ack>(&m)) acked = a->seq;
    if (const Heartbeat* h = std::get_if<Heartbeat>(&m)) echo = h->echo;
  }
  EXPECT_EQ(receiver_->received_seq(), 3u);
}

// The primary's side: a hostile or silent secondary is a sticky error.
class FtHostileSecondary : public ::testing::Test {
 protected:
  void SetUp() override {
    SenderOptions so = Options<SenderOptions>(true);
    so.peer_timeout = 300ms;
    ASSERT_TRUE(LogSender::Start(so, &sender_).ok());
    peer_ = std::make_unique<RawPeer>(sender_->port());
    ASSERT_TRUE(peer_->connected());
    peer_->Send(RawPeer::MakeHello(Role::kSecondary));
    Message m;
    ASSERT_TRUE(peer_->Read(&m));
    ASSERT_TRUE(std::holds_alternative<Hello>(m));
    ASSERT_TRUE(sender_->WaitConnected(5s));
  }
  // Waits (bounded) for the sender's sticky error.
  Status ErrorOf() {
    const auto t0 = std::chrono::steady_clock::now();
    while (sender_->status().ok() && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(5ms);
    return sender_->status();
  }
  std::unique_ptr<LogSender> sender_;
  std::unique_ptr<RawPeer> peer_;
};

TEST_F(FtHostileSecondary, GarbageBytes) {
  peer_->SendBytes(std::vector<uint8_t>(64, 0x5a));
  Status st = ErrorOf();
  EXPECT_NE(st.message().find("ft log sender: bad frame magic"), std::string::npos) << st.ToString();
  journal::Event e = testutil::Stream(1)[0];
  EXPECT_FALSE(sender_->Append(e).ok());  // sticky
}

TEST_F(FtHostileSecondary, AckBeyondTheEventsSent) {
  peer_->Send(Ack{10, 0});
  Status st = ErrorOf();
  EXPECT_NE(st.message().find("acknowledged seq 10, only 0 were sent"), std::string::npos) << st.ToString();
}

TEST_F(FtHostileSecondary, EventFromTheSecondary) {
  Forger forger;
  peer_->Send(forger.Make(1, testutil::Stream(1)[0]));
  Status st = ErrorOf();
  EXPECT_NE(st.message().find("unexpected event message from the secondary"), std::string::npos) << st.ToString();
}

TEST_F(FtHostileSecondary, SilentSecondaryIsAnErrorWithinThePeerTimeout) {
  const auto t0 = std::chrono::steady_clock::now();
  Status st = ErrorOf();  // the raw peer never answers a heartbeat
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms + 700ms);
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_NE(st.message().find("the secondary has been silent"), std::string::npos) << st.ToString();
  EXPECT_GE(sender_->peer_silent_ms(), 300);
  EXPECT_FALSE(sender_->WaitAcked(1, 10ms));
}

TEST(FtSilence, SilentPrimaryEndsTheStreamWithinThePeerTimeout) {
  ReceiverOptions ro = Options<ReceiverOptions>(true);
  ro.peer_timeout = 300ms;
  std::unique_ptr<LogReceiver> receiver;
  ASSERT_TRUE(LogReceiver::Start(ro, &receiver).ok());
  RawPeer peer(receiver->port());
  ASSERT_TRUE(peer.HelloAsPrimary());
  Forger forger;
  peer.Send(forger.Make(1, testutil::Stream(1)[0]));
  const auto t0 = std::chrono::steady_clock::now();
  journal::Event e;
  bool end = false;
  ASSERT_TRUE(receiver->Next(&e, &end).ok());
  ASSERT_FALSE(end);
  ASSERT_TRUE(receiver->Next(&e, &end).ok());  // then nothing more: the primary fell silent
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(end);
  EXPECT_FALSE(receiver->closed_cleanly());
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 300ms + 700ms);
  EXPECT_GE(receiver->silent_ms(), 300);
  EXPECT_NE(receiver->end_reason().find("primary silent"), std::string::npos) << receiver->end_reason();
}

}  // namespace
}  // namespace tapvm::ft
