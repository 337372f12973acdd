// The RSP framing: packets, checksums, acks, the interrupt byte, binary
// escapes, and a decoder fed garbage.
#include "tools/gdb/rsp_packet.h"

#include <gtest/gtest.h>

#include <random>

namespace tapvm::gdb {
namespace {

std::vector<RspEvent> Decode(std::string_view bytes, size_t max = 64) {
  RspDecoder d(max);
  std::vector<RspEvent> out;
  d.Feed(bytes, &out);
  return out;
}

TEST(RspPacketTest, EncodesWithChecksum) {
  EXPECT_EQ(EncodePacket("OK"), "$OK#9a");
  EXPECT_EQ(EncodePacket(""), "$#00");
}

TEST(RspPacketTest, EscapesSpecialBytes) {
  const std::string enc = EncodePacket(std::string("a#b$c}d*e"));
  EXPECT_EQ(enc.substr(0, enc.size() - 2), "$a}\x03" "b}\x04" "c}]d}\x0a" "e#");
  auto ev = Decode(enc);
  ASSERT_EQ(ev.size(), 1u);
  ASSERT_EQ(ev[0].kind, RspEvent::Kind::kPacket);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(UnescapeBinary(ev[0].payload, &bytes));
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "a#b$c}d*e");
}

TEST(RspPacketTest, DecodesPacketsAcksAndInterrupts) {
  auto ev = Decode("+$g#67-\x03$m0,4#fd junk+");
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].kind, RspEvent::Kind::kAck);
  EXPECT_EQ(ev[1].kind, RspEvent::Kind::kPacket);
  EXPECT_EQ(ev[1].payload, "g");
  EXPECT_EQ(ev[2].kind, RspEvent::Kind::kNak);
  EXPECT_EQ(ev[3].kind, RspEvent::Kind::kInterrupt);
  EXPECT_EQ(ev[4].kind, RspEvent::Kind::kPacket);
  EXPECT_EQ(ev[4].payload, "m0,4");
  EXPECT_EQ(ev[5].kind, RspEvent::Kind::kAck);
}

TEST(RspPacketTest, PacketsSplitAcrossFeeds) {
  RspDecoder d(64);
  std::vector<RspEvent> out;
  for (char c : std::string("$qC#b4")) d.Feed(std::string_view(&c, 1), &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "qC");
}

TEST(RspPacketTest, BadChecksumIsReported) {
  auto ev = Decode("$g#00$g#6z$g#67");
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].kind, RspEvent::Kind::kBadChecksum);
  EXPECT_EQ(ev[1].kind, RspEvent::Kind::kBadChecksum);
  EXPECT_EQ(ev[2].kind, RspEvent::Kind::kPacket);
}

TEST(RspPacketTest, DollarRestartsAPacket) {
  auto ev = Decode("$garbage$g#67");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].payload, "g");
}

TEST(RspPacketTest, OversizedPacketIsDroppedAndBounded) {
  std::string big = "$" + std::string(1000, 'x') + "#00$g#67";
  auto ev = Decode(big, 16);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, RspEvent::Kind::kOversized);
  EXPECT_TRUE(ev[0].payload.empty());
  EXPECT_EQ(ev[1].payload, "g");
}

TEST(RspPacketTest, HexHelpers) {
  std::vector<uint8_t> b;
  EXPECT_TRUE(FromHex("00fFa1", &b));
  EXPECT_EQ(b, (std::vector<uint8_t>{0, 0xff, 0xa1}));
  EXPECT_FALSE(FromHex("abc", &b));
  EXPECT_FALSE(FromHex("zz", &b));
  uint64_t v;
  EXPECT_TRUE(ParseHex("80000000", &v));
  EXPECT_EQ(v, 0x80000000u);
  EXPECT_FALSE(ParseHex("", &v));
  EXPECT_FALSE(ParseHex("12345678901234567", &v));
  EXPECT_FALSE(ParseHex("-1", &v));
  EXPECT_EQ(LittleEndianHex(0x1122334455667788ull, 8), "8877665544332211");
  EXPECT_EQ(LittleEndianHex(0x1f, 4), "1f000000");
  EXPECT_FALSE(UnescapeBinary("ab}", &b));
}

// Random bytes, random splits: the decoder never crashes, never holds more
// than its bound, and every packet it returns has a matching checksum.
TEST(RspPacketTest, FuzzedStreams) {
  std::mt19937_64 rng(1234);
  const char alphabet[] = "$#+-}*\x03" "0123456789abcdefgmXZ";
  for (int round = 0; round < 2000; ++round) {
    RspDecoder d(32);
    std::vector<RspEvent> out;
    std::string stream;
    const size_t n = rng() % 300;
    for (size_t i = 0; i < n; ++i)
      stream.push_back(rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % (sizeof alphabet - 1)]);
    // Sometimes a valid packet in the middle of the noise.
    if (round % 3 == 0) stream.insert(stream.size() / 2, EncodePacket("qSupported"));
    size_t at = 0;
    while (at < stream.size()) {
      const size_t len = 1 + rng() % 17;
      d.Feed(std::string_view(stream).substr(at, len), &out);
      at += len;
    }
    bool found = false;
    for (const RspEvent& e : out) {
      EXPECT_LE(e.payload.size(), 32u);
      found = found || (e.kind == RspEvent::Kind::kPacket && e.payload == "qSupported");
    }
    // A whole packet survives any noise before it.
    if (round % 3 == 0) {
      EXPECT_TRUE(found) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace tapvm::gdb
