// The FT channel's frames: every message survives a round trip, and bad
// frame headers and undecodable messages are refused with a clear reason.
#include <gtest/gtest.h>

#include "ft/wire.h"

namespace tapvm::ft {
namespace {

Message RoundTrip(const Message& m) {
  std::vector<uint8_t> frame = EncodeFrame(m);
  uint32_t len = 0;
  EXPECT_TRUE(ParseFrameHeader(frame.data(), kMaxFrameBytes, &len).ok());
  EXPECT_EQ(len + kFrameHeaderSize, frame.size());
  std::vector<uint8_t> body(frame.begin() + kFrameHeaderSize, frame.end());
  Message out;
  Status st = DecodeMessage(body, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(FtWire, EveryMessageRoundTrips) {
  Hello h;
  h.run_id = {0x0123456789abcdefull, 0xfedcba9876543210ull};
  h.role = Role::kSecondary;
  h.config_hash = 42;
  Message m = RoundTrip(h);
  ASSERT_TRUE(std::holds_alternative<Hello>(m));
  EXPECT_EQ(std::get<Hello>(m).run_id, h.run_id);
  EXPECT_EQ(std::get<Hello>(m).role, Role::kSecondary);
  EXPECT_EQ(std::get<Hello>(m).config_hash, 42u);
  EXPECT_EQ(std::get<Hello>(m).protocol_version, kProtocolVersion);

  EventMsg e{7, {1, 2, 3}, std::vector<uint8_t>(100000, 9)};
  m = RoundTrip(e);
  ASSERT_TRUE(std::holds_alternative<EventMsg>(m));
  EXPECT_EQ(std::get<EventMsg>(m).seq, 7u);
  EXPECT_EQ(std::get<EventMsg>(m).record, e.record);
  EXPECT_EQ(std::get<EventMsg>(m).payload, e.payload);

  EXPECT_EQ(std::get<Ack>(RoundTrip(Ack{5, 77})).seq, 5u);
  EXPECT_EQ(std::get<Ack>(RoundTrip(Ack{5, 77})).replayed_icount, 77u);
  EXPECT_EQ(std::get<Heartbeat>(RoundTrip(Heartbeat{3, 2, 9})).echo, 2u);
  EXPECT_EQ(std::get<Heartbeat>(RoundTrip(Heartbeat{3, 2, 9})).replayed_icount, 9u);
  EXPECT_EQ(std::get<Released>(RoundTrip(Released{9})).seq, 9u);
  EXPECT_EQ(std::get<Bye>(RoundTrip(Bye{1000, 12, "power-off"})).final_icount, 1000u);
  EXPECT_EQ(std::get<Bye>(RoundTrip(Bye{1000, 12, "power-off"})).end_reason, "power-off");
}

TEST(FtWire, BadHeadersAreRefused) {
  std::vector<uint8_t> frame = EncodeFrame(Ack{1});
  uint32_t len = 0;
  std::vector<uint8_t> bad = frame;
  bad[0] ^= 1;
  EXPECT_NE(ParseFrameHeader(bad.data(), kMaxFrameBytes, &len).message().find("bad frame magic"), std::string::npos);
  bad = frame;
  bad[7] = 0x7f;
  EXPECT_NE(ParseFrameHeader(bad.data(), kMaxFrameBytes, &len).message().find("exceeds the cap"), std::string::npos);
  bad = frame;
  bad[4] = 3;
  bad[5] = bad[6] = bad[7] = 0;
  EXPECT_NE(ParseFrameHeader(bad.data(), kMaxFrameBytes, &len).message().find("whole number"), std::string::npos);
}

TEST(FtWire, GarbageMessageIsCorruption) {
  std::vector<uint8_t> body(64, 0xff);
  Message m;
  Status st = DecodeMessage(body, &m);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("undecodable message"), std::string::npos) << st.ToString();
}

TEST(FtWire, HelloChecksNameTheMismatch) {
  Hello mine;
  mine.run_id = {1, 2};
  mine.config_hash = 3;
  Hello theirs = mine;
  theirs.role = Role::kSecondary;
  EXPECT_TRUE(CheckHello(mine, theirs, Role::kSecondary).ok());
  Hello t = theirs;
  t.run_id.low = 9;
  EXPECT_NE(CheckHello(mine, t, Role::kSecondary).message().find("run id"), std::string::npos);
  t = theirs;
  t.protocol_version = 99;
  EXPECT_NE(CheckHello(mine, t, Role::kSecondary).message().find("protocol version 99"), std::string::npos);
  t = theirs;
  t.config_hash = 4;
  EXPECT_NE(CheckHello(mine, t, Role::kSecondary).message().find("configuration hash"), std::string::npos);
  EXPECT_NE(CheckHello(mine, theirs, Role::kPrimary).message().find("expected a primary"), std::string::npos);
}

TEST(FtWire, HelloIdentityRoundTripsAndNamesTheDifference) {
  Hello mine;
  mine.run_id = {1, 2};
  mine.config_hash = 3;
  mine.identity = {{"ram_bytes", "268435456"}, {"drive0", "size=1024 hash=aa"}};
  Hello sent = mine;
  sent.role = Role::kSecondary;
  Message m;
  std::vector<uint8_t> frame = EncodeFrame(sent);
  ASSERT_TRUE(DecodeMessage(std::span<const uint8_t>(frame).subspan(kFrameHeaderSize), &m).ok());
  Hello theirs = std::get<Hello>(m);
  EXPECT_EQ(theirs.identity, mine.identity);
  theirs.config_hash = 4;
  theirs.identity[1].second = "size=1024 hash=bb";
  const std::string msg = CheckHello(mine, theirs, Role::kSecondary).message();
  EXPECT_NE(msg.find("drive0 is 'size=1024 hash=aa' here, 'size=1024 hash=bb' on the secondary"), std::string::npos)
      << msg;
  theirs.identity.pop_back();
  EXPECT_NE(CheckHello(mine, theirs, Role::kSecondary).message().find("drive0 is 'size=1024 hash=aa' here, absent"),
            std::string::npos);
}

TEST(FtWire, ASecondaryWithoutRunIdAdoptsThePrimarys) {
  Hello secondary;  // run id zero: not learnt yet
  secondary.role = Role::kSecondary;
  secondary.config_hash = 3;
  Hello primary = secondary;
  primary.role = Role::kPrimary;
  primary.run_id = {5, 6};
  EXPECT_TRUE(CheckHello(secondary, primary, Role::kPrimary).ok());
  // A primary must name its run.
  primary.run_id = {};
  EXPECT_NE(CheckHello(secondary, primary, Role::kPrimary).message().find("no run id"), std::string::npos);
  // The primary accepts a secondary that has no run id yet (it adopts the
  // primary's), never one of another run.
  primary.run_id = {5, 6};
  EXPECT_TRUE(CheckHello(primary, secondary, Role::kSecondary).ok());
  secondary.run_id = {7, 8};
  EXPECT_FALSE(CheckHello(primary, secondary, Role::kSecondary).ok());
}

TEST(FtWire, RunIdHexRoundTrips) {
  const RunId id{0x0123456789abcdefull, 0xfedcba9876543210ull};
  RunId back;
  ASSERT_TRUE(RunId::FromHex(id.ToHex(), &back));
  EXPECT_EQ(back, id);
  EXPECT_FALSE(RunId::FromHex("0123", &back));
  EXPECT_FALSE(RunId::FromHex(std::string(31, '0') + "g", &back));
}

}  // namespace
}  // namespace tapvm::ft
