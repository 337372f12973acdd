// journal/event.h helpers and journal/codec.h round trips, without LMDB.
#include <cstring>
#include <set>

#include "gtest/gtest.h"
#include "journal/codec.h"
#include "journal/event.h"
#include "journal/format.h"
#include "journal_test_util.h"

namespace tapvm::journal {
namespace {

using testutil::AllKinds;
using testutil::Bytes;
using testutil::SameEvent;
using testutil::Text;

TEST(JournalEvent, KindNamesAreUniqueAndParse) {
  std::set<std::string> names;
  for (size_t i = 0; i < kEventKindCount; ++i) {
    const auto kind = static_cast<EventKind>(i);
    const std::string name = EventKindName(kind);
    EXPECT_TRUE(names.insert(name).second) << name;
    EventKind parsed;
    ASSERT_TRUE(ParseEventKind(name, &parsed));
    EXPECT_EQ(parsed, kind);
  }
  EventKind k;
  EXPECT_FALSE(ParseEventKind("no_such_kind", &k));
}

TEST(JournalEvent, AllKindsCoversEveryKind) {
  std::set<EventKind> seen;
  for (const Event& e : AllKinds()) seen.insert(KindOf(e));
  EXPECT_EQ(seen.size(), kEventKindCount);
}

TEST(JournalEvent, InputsAndDevices) {
  EXPECT_TRUE(IsInput(EventKind::kBlockCompletion));
  EXPECT_TRUE(IsInput(EventKind::kClockWarp));
  EXPECT_TRUE(IsInput(EventKind::kThrottleSet));
  EXPECT_FALSE(IsInput(EventKind::kMmioRead));
  EXPECT_FALSE(IsInput(EventKind::kStateDigest));
  EXPECT_EQ(DeviceOf(ClockWarp{1, 2}), kMachineDevice);
  EXPECT_EQ(DeviceOf(StateDigest{}), kMachineDevice);
  EXPECT_EQ(DeviceOf(NetFrameOut{5, {}}), 5);
  EXPECT_EQ(DeviceOf(IoAccess{IoAccess::Space::kPio, true, 9, 0, 1, 0}), 9);
}

TEST(JournalEvent, TapInputRoundTrip) {
  const std::vector<TapInput> inputs = {
      BlockCompletion{1, 42, BlockCompletion::Status::kOk, ToIoBytes(Bytes(512, 1))},
      NetFrameIn{2, Bytes(64, 2)},
      ConsoleIn{0, Text("x")},
      EntropyIn{3, Bytes(16, 3)},
      ThrottleSet{1, ThrottleLimits{}},
  };
  for (const TapInput& in : inputs) {
    const Event e = MakeInputEvent(777, in);
    EXPECT_EQ(e.icount, 777u);
    EXPECT_TRUE(IsInput(KindOf(e)));
    TapInput back;
    ASSERT_TRUE(ToTapInput(e, &back));
    EXPECT_EQ(back.index(), in.index());
    Event again = MakeInputEvent(777, back);
    EXPECT_TRUE(SameBody(e.body, again.body));
  }
  Event warp;
  warp.body = ClockWarp{1, 2};
  TapInput out;
  EXPECT_FALSE(ToTapInput(warp, &out));
}

TEST(JournalEvent, SameBodyComparesEveryField) {
  const auto events = AllKinds();
  for (size_t i = 0; i < events.size(); ++i) {
    for (size_t j = 0; j < events.size(); ++j) {
      EXPECT_EQ(SameBody(events[i].body, events[j].body), i == j) << i << " " << j;
    }
  }
}

TEST(JournalEvent, DescribeEvent) {
  Event e;
  e.seq = 12;
  e.icount = 345678;
  e.body = IoAccess{IoAccess::Space::kMmio, true, 2, 0x10000000, 1, 0x41};
  EXPECT_EQ(DescribeEvent(e), "#12 @345678 mmio_write dev=2 addr=0x10000000 size=1 value=0x41");
  e.body = ConsoleOut{0, Text("hi\n\"\x01")};
  EXPECT_EQ(DescribeEvent(e), "#12 @345678 console_out dev=0 len=5 \"hi\\n\\\"\\x01\"");
  e.body = ClockWarp{5, 9};
  EXPECT_EQ(DescribeEvent(e), "#12 @345678 clock_warp mtime=5->9");
  ThrottleSet t{3, {}};
  t.limits.bucket[ThrottleLimits::kBpsWrite] = {65536, 131072, 4};
  e.body = t;
  EXPECT_EQ(DescribeEvent(e),
            "#12 @345678 throttle_set dev=3 bps-write=65536 bps-write-max=131072 bps-write-max-length=4");
  e.body = ThrottleSet{3, {}};
  EXPECT_EQ(DescribeEvent(e), "#12 @345678 throttle_set dev=3 (no limits)");
  e.body = NetFrameIn{2, Bytes(40, 1)};
  const std::string d = DescribeEvent(e);
  EXPECT_NE(d.find("net_frame_in dev=2 len=40 "), std::string::npos) << d;
  EXPECT_NE(d.find("..."), std::string::npos) << d;
  for (const Event& any : AllKinds()) EXPECT_FALSE(DescribeEvent(any).empty());
}

TEST(JournalCodec, EveryKindRoundTripsInline) {
  EventEncoder enc;
  EventDecoder dec;
  uint64_t chain = 99;
  uint64_t seq = 1;
  for (const Event& e : AllKinds()) {
    std::span<const uint8_t> rec;
    uint64_t checksum = 0;
    ASSERT_TRUE(enc.Encode(seq, e, chain, nullptr, &rec, &checksum).ok());
    const std::vector<uint8_t> copy(rec.begin(), rec.end());
    Event back;
    DecodedEvent info;
    Status st = dec.Decode(seq, copy, &back, &info);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(back.seq, seq);
    EXPECT_EQ(info.checksum, checksum);
    EXPECT_EQ(info.prev_chain, chain);
    EXPECT_FALSE(info.blob.has_value());
    EXPECT_TRUE(SameEvent(e, back));
    chain = ChainNext(chain, checksum);
    ++seq;
  }
}

TEST(JournalCodec, BlobReference) {
  EventEncoder enc;
  EventDecoder dec;
  Event e;
  e.icount = 5;
  e.body = NetFrameOut{2, Bytes(1000, 1)};
  const BlobRef ref{ContentHash(std::get<NetFrameOut>(e.body).frame), 1000};
  std::span<const uint8_t> rec;
  uint64_t checksum;
  ASSERT_TRUE(enc.Encode(3, e, 0, &ref, &rec, &checksum).ok());
  EXPECT_LT(rec.size(), 100u);  // the frame is not in the record
  const std::vector<uint8_t> copy(rec.begin(), rec.end());
  Event back;
  DecodedEvent info;
  ASSERT_TRUE(dec.Decode(3, copy, &back, &info).ok());
  ASSERT_TRUE(info.blob.has_value());
  EXPECT_EQ(info.blob->hash, ref.hash);
  EXPECT_EQ(info.blob->size, 1000u);
  EXPECT_TRUE(back.payload.in_blob);
  EXPECT_EQ(back.payload.size, 1000u);
  EXPECT_TRUE(std::get<NetFrameOut>(back.body).frame.empty());
}

TEST(JournalCodec, ChecksumCoversEveryByteAndTheSeq) {
  EventEncoder enc;
  EventDecoder dec;
  Event e;
  e.icount = 5;
  e.body = IrqLine{1, 3, true};
  std::span<const uint8_t> rec;
  uint64_t checksum;
  ASSERT_TRUE(enc.Encode(7, e, 1234, nullptr, &rec, &checksum).ok());
  const std::vector<uint8_t> good(rec.begin(), rec.end());
  Event back;
  DecodedEvent info;
  EXPECT_EQ(dec.Decode(8, good, &back, &info).code(), Status::Code::kCorruption);  // wrong key
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= static_cast<uint8_t>(1 << bit);
      const Status st = dec.Decode(7, bad, &back, &info);
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << "byte " << i << " bit " << bit;
    }
  }
  const std::vector<uint8_t> shorter(good.begin(), good.end() - 1);
  EXPECT_EQ(dec.Decode(7, shorter, &back, &info).code(), Status::Code::kCorruption);
  EXPECT_EQ(dec.Decode(7, std::span<const uint8_t>(good.data(), 5), &back, &info).code(), Status::Code::kCorruption);
}

TEST(JournalCodec, HostileBodiesWithValidChecksumsAreCorruption) {
  EventDecoder dec;
  std::vector<std::vector<uint8_t>> bodies = {
      {},
      {0x00},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
      Bytes(7, 1),
      Bytes(64, 2),
      Bytes(4096, 3),
  };
  // A segment table claiming 2^31 segments, and one claiming a huge segment.
  bodies.push_back({0x10, 0xff, 0xff, 0xff, 0x7f});
  bodies.push_back({0xf0, 0xff, 0xff, 0xff, 0xff});
  for (size_t i = 0; i < bodies.size(); ++i) {
    const std::vector<uint8_t> rec = FrameEventRecord(1, 0, bodies[i]);
    Event e;
    DecodedEvent info;
    const Status st = dec.Decode(1, rec, &e, &info);
    // Either rejected, or (by chance) a well-formed message: never a crash.
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << i;
    }
  }
}

TEST(JournalCodec, TruncatedBodiesFailQuietly) {
  // Prefixes of a valid body: Corruption each time, and nothing written to
  // stderr (KJ logs a second exception thrown while unwinding unless told
  // not to). The payload is large enough for a two-segment message, whose
  // second segment Cap'n Proto reads lazily: the case that logs.
  EventEncoder enc;
  EventDecoder dec;
  Event e;
  e.icount = 1;
  e.body = ConsoleOut{0, Bytes(20000, 1)};
  std::span<const uint8_t> rec;
  uint64_t checksum;
  ASSERT_TRUE(enc.Encode(1, e, 0, nullptr, &rec, &checksum).ok());
  const std::vector<uint8_t> body(rec.begin() + kEventPrefixSize, rec.end());
  ::testing::internal::CaptureStderr();
  for (size_t n = 0; n < body.size(); n += n < 64 || n + 64 > body.size() ? 1 : 61) {
    Event back;
    std::optional<BlobRef> blob;
    const Status st = dec.DecodeBody(std::span<const uint8_t>(body.data(), n), &back, &blob);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << n;
  }
  // A two-segment message whose packed runs straddle the segment boundary
  // (found by the fuzzer): KJ used to log this one.
  const std::vector<uint8_t> straddle = {0x11, 0x01, 0x01, 0x01, 0x0d, 0x7c, 0x87, 0x98,
                                         0xdc, 0x00, 0x00, 0x00, 0x5e, 0x00, 0x98};
  Event back;
  std::optional<BlobRef> blob;
  EXPECT_EQ(dec.DecodeBody(straddle, &back, &blob).code(), Status::Code::kCorruption);
  TailInfo t;
  const std::vector<uint8_t> tail = EncodeTailRecord(TailInfo{1, 2, 3, false, 0, ""});
  for (size_t n = kMetaPrefixSize; n < tail.size(); ++n) {
    std::vector<uint8_t> cut(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(n));
    PutLe64(cut.data(), Checksum64(std::span<const uint8_t>(cut).subspan(kMetaPrefixSize)));
    EXPECT_EQ(DecodeTailRecord(cut, &t).code(), Status::Code::kCorruption) << n;
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(JournalCodec, HeaderRecord) {
  JournalHeader h = testutil::SampleHeader();
  h.format_version = kFormatVersion;
  h.inline_limit = 64;
  ImageInfo im;
  im.role = ImageRole::kDisk;
  im.name = "rootfs.img";
  im.size = 12345;
  im.hash = Hash128{1, 2};
  h.images.push_back(im);
  const std::vector<uint8_t> rec = EncodeHeaderRecord(h);
  JournalHeader back;
  ASSERT_TRUE(DecodeHeaderRecord(rec, &back).ok());
  EXPECT_EQ(back.writer_version, h.writer_version);
  EXPECT_EQ(back.config, h.config);
  EXPECT_EQ(back.digest_interval, h.digest_interval);
  EXPECT_EQ(back.inline_limit, 64u);
  ASSERT_EQ(back.images.size(), 1u);
  EXPECT_EQ(back.images[0].name, "rootfs.img");
  EXPECT_EQ(back.images[0].hash, (Hash128{1, 2}));
  EXPECT_EQ(*back.FindConfig("ram_mib"), "256");
  EXPECT_EQ(back.FindConfig("nope"), nullptr);

  std::vector<uint8_t> bad = rec;
  bad[0] ^= 1;
  EXPECT_EQ(DecodeHeaderRecord(bad, &back).code(), Status::Code::kInvalidArgument);
  bad = rec;
  bad[rec.size() - 1] ^= 0x40;
  EXPECT_EQ(DecodeHeaderRecord(bad, &back).code(), Status::Code::kCorruption);
  bad = rec;
  bad[9] ^= 1;  // version field, checksum not recomputed: damage, not a newer version
  EXPECT_EQ(DecodeHeaderRecord(bad, &back).code(), Status::Code::kCorruption);

  h.format_version = kFormatVersion + 1;
  const std::vector<uint8_t> newer = EncodeHeaderRecord(h);
  const Status st = DecodeHeaderRecord(newer, &back);
  EXPECT_EQ(st.code(), Status::Code::kNotSupported) << st.ToString();
  EXPECT_EQ(DecodeHeaderRecord(std::span<const uint8_t>(rec.data(), 10), &back).code(), Status::Code::kCorruption);
}

TEST(JournalCodec, TailAndImageRecords) {
  TailInfo t{10, 20, 30, true, 40, "stuck"};
  TailInfo back;
  const auto rec = EncodeTailRecord(t);
  ASSERT_TRUE(DecodeTailRecord(rec, &back).ok());
  EXPECT_EQ(back.last_seq, 10u);
  EXPECT_EQ(back.last_icount, 20u);
  EXPECT_EQ(back.chain, 30u);
  EXPECT_TRUE(back.clean_close);
  EXPECT_EQ(back.final_icount, 40u);
  EXPECT_EQ(back.end_reason, "stuck");
  auto bad = rec;
  bad.back() ^= 1;
  EXPECT_EQ(DecodeTailRecord(bad, &back).code(), Status::Code::kCorruption);

  ImageInfo im;
  im.role = ImageRole::kInitrd;
  im.name = "initrd.cpio";
  im.size = 100;
  im.hash = Hash128{3, 4};
  im.chunk_size = 64;
  im.chunks = {Hash128{5, 6}, Hash128{7, 8}};
  ImageInfo ib;
  ASSERT_TRUE(DecodeImageRecord(EncodeImageRecord(im), &ib).ok());
  EXPECT_TRUE(ib.stored);
  EXPECT_EQ(ib.chunks, im.chunks);
  EXPECT_EQ(ib.chunk_size, 64u);
  EXPECT_EQ(ImageKey(ImageRole::kInitrd, "initrd.cpio"), "image/initrd/initrd.cpio");
}

TEST(JournalHash, CanonicalBytesAndStreaming) {
  const auto data = Bytes(100000, 1);
  const Hash128 h = ContentHash(data);
  uint8_t b[16];
  h.ToBytes(b);
  EXPECT_EQ(Hash128::FromBytes(b), h);
  EXPECT_EQ(h.ToHex().size(), 32u);
  ContentHasher s;
  s.Update(std::span<const uint8_t>(data).subspan(0, 777));
  s.Update(std::span<const uint8_t>(data).subspan(777));
  EXPECT_EQ(s.Digest(), h);
  EXPECT_NE(ContentHash(Bytes(100, 1)), ContentHash(Bytes(100, 2)));
}

}  // namespace
}  // namespace tapvm::journal
