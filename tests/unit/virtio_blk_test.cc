// VirtioBlk behind VirtioMmio, driven like Linux's virtio_blk: requests in
// the ring, the tap sees BlockRequests, the test injects completions and
// checks data, status byte, used ring and interrupt line.
#include "emulator/devices/virtio/virtio_blk.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/unit/virtio_test_harness.h"

namespace tapvm {
namespace {

using namespace virtio_test;
using B = VirtioBlk;
using M = VirtioMmio;
using Buf = GuestRing::Buf;

constexpr TapDeviceId kDev = 3;
constexpr uint64_t kCapacity = 64;  // sectors
constexpr uint64_t kData = kBufBase + 0x10000;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

B::Options Capacity(uint64_t sectors) {
  B::Options o;
  o.capacity_sectors = sectors;
  return o;
}

class VirtioBlkTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(B::Options opts, uint64_t accept = ~0ull) {
    if (opts.capacity_sectors == 0) opts.capacity_sectors = kCapacity;
    dev.reset();
    blk = std::make_unique<VirtioBlk>(kDev, &tap, opts);
    dev = std::make_unique<VirtioMmio>("virtio0", &mem.bus, &irq, kLine, blk.get());
    driver = std::make_unique<GuestDriver>(&mem, dev.get());
    ring = driver->Init(accept, 64)[0];
  }

  // Request `slot` (its header at Hdr(slot), status byte at Status(slot)):
  // header, the given data buffers, status. Returns the head.
  static uint64_t Hdr(int slot) { return kBufBase + 0x100ull * slot; }
  static uint64_t StatusAddr(int slot) { return Hdr(slot) + 0x80; }
  void WriteHeader(int slot, uint32_t type, uint64_t sector) {
    mem.Put<uint32_t>(Hdr(slot), type);
    mem.Put<uint32_t>(Hdr(slot) + 4, 0);
    mem.Put<uint64_t>(Hdr(slot) + 8, sector);
    mem.Put<uint8_t>(StatusAddr(slot), 0xee);
  }
  uint16_t Request(int slot, uint32_t type, uint64_t sector, std::vector<Buf> data) {
    WriteHeader(slot, type, sector);
    std::vector<Buf> bufs = {{Hdr(slot), 16, false}};
    bufs.insert(bufs.end(), data.begin(), data.end());
    bufs.push_back({StatusAddr(slot), 1, true});
    return ring.AddChain(bufs);
  }
  uint8_t Status(int slot) { return mem.Get<uint8_t>(StatusAddr(slot)); }
  // A DISCARD / WRITE_ZEROES request with the given segments.
  uint16_t DiscardLike(int slot, uint32_t type, std::vector<std::array<uint64_t, 3>> segs, uint32_t bytes = 0) {
    const uint64_t at = kData + 0x1000ull * slot;
    for (size_t i = 0; i < segs.size(); ++i) {
      mem.Put<uint64_t>(at + 16 * i, segs[i][0]);
      mem.Put<uint32_t>(at + 16 * i + 8, static_cast<uint32_t>(segs[i][1]));
      mem.Put<uint32_t>(at + 16 * i + 12, static_cast<uint32_t>(segs[i][2]));
    }
    return Request(slot, type, 0, {{at, bytes ? bytes : static_cast<uint32_t>(16 * segs.size()), false}});
  }
  void Complete(uint64_t id, BlockCompletion::Status s = BlockCompletion::Status::kOk, std::vector<uint8_t> data = {}) {
    BlockCompletion c;
    c.dev = kDev;
    c.id = id;
    c.status = s;
    c.data = ToIoBytes(data);
    tap.Inject(kDev, c);
  }
  // Expects the next used element to be `head` with `len`, and status `s`.
  void ExpectUsed(uint16_t head, uint32_t len, int slot, uint8_t s) {
    ASSERT_TRUE(ring.HasUsed());
    const GuestRing::Used u = ring.PopUsed();
    EXPECT_EQ(u.id, head);
    EXPECT_EQ(u.len, len);
    EXPECT_EQ(Status(slot), s);
  }
  // Kicks, expects an immediate completion with status `s` and no tap request.
  void ExpectImmediate(uint16_t head, int slot, uint8_t s, uint32_t len = 1) {
    const size_t before = tap.block.size();
    driver->Kick(0);
    EXPECT_EQ(tap.block.size(), before);
    ExpectUsed(head, len, slot, s);
    EXPECT_TRUE(irq.level());
    driver->AckInterrupt();
  }

  GuestMemory mem;
  FakeIrq irq;
  FakeTap tap;
  std::unique_ptr<VirtioBlk> blk;
  std::unique_ptr<VirtioMmio> dev;
  std::unique_ptr<GuestDriver> driver;
  GuestRing ring;
};

TEST_F(VirtioBlkTest, IdentityFeaturesAndConfig) {
  EXPECT_EQ(tap.sinks.at(kDev), blk.get());
  EXPECT_EQ(driver->Rd(M::kDeviceId), 2u);
  const uint64_t f = driver->DeviceFeatures();
  EXPECT_EQ(f & (B::kFSizeMax | B::kFSegMax | B::kFBlkSize | B::kFFlush | B::kFDiscard | B::kFWriteZeroes),
            B::kFSizeMax | B::kFSegMax | B::kFBlkSize | B::kFFlush | B::kFDiscard | B::kFWriteZeroes);
  EXPECT_EQ(f & B::kFRo, 0u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0), kCapacity);
  EXPECT_EQ(driver->Rd(M::kConfig + 4), 0u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x08), B::kSizeMax);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x0c), 254u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x14), 512u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x24), B::kMaxDiscardSectors);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x28), 1u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x30), B::kMaxWriteZeroesSectors);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x34), 1u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x38), 0u);
  EXPECT_EQ(driver->Rd(M::kConfig + 0x3c), 0u);  // past the end
}

TEST_F(VirtioBlkTest, Read) {
  const uint16_t head = Request(0, B::kTIn, 3, {{kData, 512, true}, {kData + 0x1000, 512, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  const BlockRequest& r = tap.block[0];
  EXPECT_EQ(r.dev, kDev);
  EXPECT_EQ(r.type, BlockRequest::Type::kRead);
  EXPECT_EQ(r.offset, 3u * 512);
  EXPECT_EQ(r.length, 1024u);
  EXPECT_FALSE(ring.HasUsed());
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(blk->in_flight(), 1u);

  const std::vector<uint8_t> data = Pattern(1024, 5);
  Complete(r.id, BlockCompletion::Status::kOk, data);
  ExpectUsed(head, 1025, 0, B::kSOk);
  EXPECT_EQ(mem.Bytes(kData, 512), std::vector<uint8_t>(data.begin(), data.begin() + 512));
  EXPECT_EQ(mem.Bytes(kData + 0x1000, 512), std::vector<uint8_t>(data.begin() + 512, data.end()));
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(driver->AckInterrupt(), M::kIntUsedBuffer);
  EXPECT_EQ(blk->in_flight(), 0u);
}

TEST_F(VirtioBlkTest, WriteWithHeaderSplitAndSharingADescriptor) {
  // Header bytes 0..7 alone, bytes 8..15 followed by the data in one buffer.
  const std::vector<uint8_t> data = Pattern(1024, 9);
  WriteHeader(0, B::kTOut, 10);
  mem.Write(kData, mem.Bytes(Hdr(0) + 8, 8));
  mem.Write(kData + 8, data);
  const uint16_t head = ring.AddChain({{Hdr(0), 8, false}, {kData, 8 + 1024, false}, {StatusAddr(0), 1, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  EXPECT_EQ(tap.block[0].type, BlockRequest::Type::kWrite);
  EXPECT_EQ(tap.block[0].offset, 10u * 512);
  EXPECT_EQ(tap.block[0].length, 1024u);
  EXPECT_EQ(tap.block[0].data, data);
  Complete(tap.block[0].id);
  ExpectUsed(head, 1, 0, B::kSOk);
}

TEST_F(VirtioBlkTest, IndirectRequest) {
  WriteHeader(0, B::kTIn, 0);
  const uint16_t head =
      ring.AddIndirect(kData + 0x8000, {{Hdr(0), 16, false}, {kData, 512, true}, {StatusAddr(0), 1, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(512, 1));
  ExpectUsed(head, 513, 0, B::kSOk);
  EXPECT_EQ(mem.Bytes(kData, 512), Pattern(512, 1));
}

TEST_F(VirtioBlkTest, ManyInFlightCompleteInAnyOrder) {
  uint16_t heads[16];
  for (int i = 0; i < 16; ++i) heads[i] = Request(i, B::kTIn, i, {{kData + 0x1000ull * i, 512, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 16u);
  EXPECT_EQ(blk->in_flight(), 16u);
  for (int i = 15; i >= 0; --i) {
    EXPECT_EQ(tap.block[i].offset, 512u * i);
    Complete(tap.block[i].id, BlockCompletion::Status::kOk, Pattern(512, static_cast<uint8_t>(i)));
    ExpectUsed(heads[i], 513, i, B::kSOk);
    EXPECT_EQ(mem.Bytes(kData + 0x1000ull * i, 512), Pattern(512, static_cast<uint8_t>(i)));
  }
}

// One kick's requests reach the tap between PlugBlock and UnplugBlock, so
// a backend can submit them to the host together.
TEST_F(VirtioBlkTest, OneKickIsOnePluggedBatch) {
  for (int i = 0; i < 16; ++i) Request(i, B::kTIn, i, {{kData + 0x1000ull * i, 512, true}});
  driver->Kick(0);
  EXPECT_EQ(tap.block.size(), 16u);
  EXPECT_EQ(tap.submitted_plugged, 16u);
  EXPECT_EQ(tap.plugs, 1);
  EXPECT_EQ(tap.unplugs, 1);
  EXPECT_EQ(tap.plug_depth, 0);
}

TEST_F(VirtioBlkTest, Flush) {
  const uint16_t head = Request(0, B::kTFlush, 0, {});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  EXPECT_EQ(tap.block[0].type, BlockRequest::Type::kFlush);
  EXPECT_EQ(tap.block[0].length, 0u);
  Complete(tap.block[0].id);
  ExpectUsed(head, 1, 0, B::kSOk);
}

TEST_F(VirtioBlkTest, GetIdIsAnsweredByTheDevice) {
  B::Options o;
  o.id = "tapvm-disk-0";
  Start(o);
  mem.Write(kData, std::vector<uint8_t>(20, 0xaa));
  const uint16_t head = Request(0, B::kTGetId, 0, {{kData, 20, true}});
  ExpectImmediate(head, 0, B::kSOk, 21);
  std::vector<uint8_t> want(20, 0);
  std::memcpy(want.data(), "tapvm-disk-0", 12);
  EXPECT_EQ(mem.Bytes(kData, 20), want);
}

TEST_F(VirtioBlkTest, ZeroLengthReadCompletesAtOnce) {
  const uint16_t head = Request(0, B::kTIn, 0, {});
  ExpectImmediate(head, 0, B::kSOk);
}

TEST_F(VirtioBlkTest, DiscardAndWriteZeroes) {
  uint16_t head = DiscardLike(0, B::kTDiscard, {{8, 16, 0}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  EXPECT_EQ(tap.block[0].type, BlockRequest::Type::kDiscard);
  EXPECT_EQ(tap.block[0].offset, 8u * 512);
  EXPECT_EQ(tap.block[0].length, 16u * 512);
  Complete(tap.block[0].id);
  ExpectUsed(head, 1, 0, B::kSOk);

  head = DiscardLike(1, B::kTWriteZeroes, {{0, kCapacity, 1}});  // unmap allowed here
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 2u);
  EXPECT_EQ(tap.block[1].type, BlockRequest::Type::kWriteZeroes);
  EXPECT_EQ(tap.block[1].length, kCapacity * 512);
  Complete(tap.block[1].id);
  ExpectUsed(head, 1, 1, B::kSOk);
}

TEST_F(VirtioBlkTest, BadDiscardRequests) {
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{0, 8, 1}}), 0, B::kSUnsupp);  // unmap on discard
  ExpectImmediate(DiscardLike(0, B::kTWriteZeroes, {{0, 8, 2}}), 0, B::kSUnsupp);  // unknown flag
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{0, 8, 0}, {16, 8, 0}}), 0, B::kSUnsupp);  // 2 segments
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{0, 8, 0}}, 8), 0, B::kSIoErr);  // partial segment
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{60, 8, 0}}), 0, B::kSIoErr);  // past the capacity
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{~0ull, 2, 0}}), 0, B::kSIoErr);  // sector overflow
  ExpectImmediate(Request(0, B::kTWriteZeroes, 0, {}), 0, B::kSIoErr);  // no segment
  EXPECT_TRUE(tap.block.empty());
}

TEST_F(VirtioBlkTest, DiscardTooLarge) {
  Start(Capacity(1ull << 30));
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{0, B::kMaxDiscardSectors + 1, 0}}), 0, B::kSIoErr);
  EXPECT_TRUE(tap.block.empty());
}

TEST_F(VirtioBlkTest, DiscardNotNegotiatedIsUnsupported) {
  Start({}, ~(B::kFDiscard | B::kFWriteZeroes));
  ExpectImmediate(DiscardLike(0, B::kTDiscard, {{0, 8, 0}}), 0, B::kSUnsupp);
  ExpectImmediate(DiscardLike(0, B::kTWriteZeroes, {{0, 8, 0}}), 0, B::kSUnsupp);
}

TEST_F(VirtioBlkTest, UnknownRequestTypes) {
  ExpectImmediate(Request(0, 10, 0, {{kData, 8, true}}), 0, B::kSUnsupp);  // GET_LIFETIME
  ExpectImmediate(Request(0, 14, 0, {}), 0, B::kSUnsupp);                  // SECURE_ERASE
  ExpectImmediate(Request(0, 0x12345678, 0, {}), 0, B::kSUnsupp);
}

TEST_F(VirtioBlkTest, OutOfRangeAndMisshapenTransfers) {
  ExpectImmediate(Request(0, B::kTIn, kCapacity - 1, {{kData, 1024, true}}), 0, B::kSIoErr);
  ExpectImmediate(Request(0, B::kTOut, kCapacity, {{kData, 512, false}}), 0, B::kSIoErr);
  ExpectImmediate(Request(0, B::kTIn, ~0ull, {{kData, 512, true}}), 0, B::kSIoErr);  // no overflow
  ExpectImmediate(Request(0, B::kTIn, 0, {{kData, 100, true}}), 0, B::kSIoErr);      // not sectors
  EXPECT_TRUE(tap.block.empty());
  // The last sector is fine.
  Request(0, B::kTIn, kCapacity - 1, {{kData, 512, true}});
  driver->Kick(0);
  EXPECT_EQ(tap.block.size(), 1u);
}

TEST_F(VirtioBlkTest, TransferAboveTheLimitIsAnIoError) {
  // 300 descriptors of 128 KiB (overlapping: fine, the memory is RAM).
  Start(Capacity(1ull << 30));
  WriteHeader(0, B::kTIn, 0);
  std::vector<Buf> bufs = {{Hdr(0), 16, false}};
  for (int i = 0; i < 300; ++i) bufs.push_back({kData, B::kSizeMax, true});
  bufs.push_back({StatusAddr(0), 1, true});
  const uint16_t head = ring.AddIndirect(kBufBase + 0x80000, bufs);
  ExpectImmediate(head, 0, B::kSIoErr);
}

TEST_F(VirtioBlkTest, ReadOnlyDrive) {
  B::Options o;
  o.read_only = true;
  Start(o);
  EXPECT_NE(dev->driver_features() & B::kFRo, 0u);
  mem.Write(kData, Pattern(512, 3));
  ExpectImmediate(Request(0, B::kTOut, 0, {{kData, 512, false}}), 0, B::kSIoErr);
  ExpectImmediate(DiscardLike(0, B::kTWriteZeroes, {{0, 8, 0}}), 0, B::kSIoErr);
  EXPECT_TRUE(tap.block.empty());
  Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  EXPECT_EQ(tap.block[0].type, BlockRequest::Type::kRead);
}

TEST_F(VirtioBlkTest, BackendErrors) {
  uint16_t head = Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  Complete(tap.block.back().id, BlockCompletion::Status::kIoError);
  ExpectUsed(head, 1, 0, B::kSIoErr);

  head = Request(0, B::kTFlush, 0, {});
  driver->Kick(0);
  Complete(tap.block.back().id, BlockCompletion::Status::kUnsupported);
  ExpectUsed(head, 1, 0, B::kSUnsupp);

  // Read data of the wrong length: an I/O error, nothing copied.
  mem.Write(kData, std::vector<uint8_t>(512, 0x77));
  head = Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  Complete(tap.block.back().id, BlockCompletion::Status::kOk, Pattern(100, 0));
  ExpectUsed(head, 1, 0, B::kSIoErr);
  EXPECT_EQ(mem.Bytes(kData, 512), std::vector<uint8_t>(512, 0x77));
}

TEST_F(VirtioBlkTest, CompletionForUnknownIdIsDropped) {
  Complete(12345, BlockCompletion::Status::kOk, Pattern(512, 0));
  BlockCompletion other;
  other.dev = kDev + 1;  // misrouted
  other.id = 1;
  blk->OnInput(other);
  EXPECT_FALSE(ring.HasUsed());
  EXPECT_EQ(blk->stats().stale_completions, 2u);
}

TEST_F(VirtioBlkTest, CompletionAfterResetIsDropped) {
  Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 1u);
  const uint64_t old_id = tap.block[0].id;

  ring = driver->Init(~0ull, 64)[0];  // the driver resets and starts over
  EXPECT_EQ(blk->in_flight(), 0u);
  const uint16_t head = Request(1, B::kTIn, 1, {{kData + 0x1000, 512, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 2u);
  EXPECT_NE(tap.block[1].id, old_id);  // ids are not reused across a reset

  mem.Write(kData, std::vector<uint8_t>(512, 0x55));
  Complete(old_id, BlockCompletion::Status::kOk, Pattern(512, 0));
  EXPECT_FALSE(ring.HasUsed());
  EXPECT_EQ(mem.Bytes(kData, 512), std::vector<uint8_t>(512, 0x55));  // untouched
  EXPECT_EQ(blk->stats().stale_completions, 1u);

  Complete(tap.block[1].id, BlockCompletion::Status::kOk, Pattern(512, 1));
  ExpectUsed(head, 513, 1, B::kSOk);
}

TEST_F(VirtioBlkTest, CompletionWhileTheDeviceNeedsResetIsDropped) {
  Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  driver->Kick(9);  // invalid: DEVICE_NEEDS_RESET
  ASSERT_TRUE(driver->NeedsReset());
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(512, 0));
  EXPECT_FALSE(ring.HasUsed());
  EXPECT_EQ(Status(0), 0xee);
}

TEST_F(VirtioBlkTest, CompletionAfterTheQueueWasStoppedIsDropped) {
  Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  driver->Wr(M::kQueueSel, 0);
  driver->Wr(M::kQueueReady, 0);
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(512, 0));
  EXPECT_FALSE(ring.HasUsed());
  EXPECT_FALSE(driver->NeedsReset()) << dev->last_error();
  EXPECT_FALSE(irq.level());
}

TEST_F(VirtioBlkTest, DescriptorsRewrittenBeforeCompletionDoNotMatter) {
  // The device keeps the validated guest-physical segments: a driver that
  // scribbles over its descriptor table while the request is in flight
  // cannot redirect the completion outside RAM.
  const uint16_t head = Request(0, B::kTIn, 0, {{kData, 512, true}});
  driver->Kick(0);
  for (uint16_t i = 0; i < 64; ++i) ring.SetDesc(i, 0xfffffffffffff000ull, 0xffffffff, Virtqueue::kDescFWrite, 0);
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(512, 4));
  ExpectUsed(head, 513, 0, B::kSOk);
  EXPECT_EQ(mem.Bytes(kData, 512), Pattern(512, 4));
}

TEST_F(VirtioBlkTest, RequestWithoutStatusByteNeedsReset) {
  WriteHeader(0, B::kTIn, 0);
  ring.AddChain({{Hdr(0), 16, false}});
  driver->Kick(0);
  EXPECT_TRUE(driver->NeedsReset());
  EXPECT_NE(dev->last_error().find("status byte"), std::string::npos);
  EXPECT_TRUE(tap.block.empty());
}

TEST_F(VirtioBlkTest, RequestWithShortHeaderNeedsReset) {
  WriteHeader(0, B::kTIn, 0);
  ring.AddChain({{Hdr(0), 8, false}, {StatusAddr(0), 1, true}});
  driver->Kick(0);
  EXPECT_TRUE(driver->NeedsReset());
  EXPECT_TRUE(tap.block.empty());
}

TEST_F(VirtioBlkTest, BytesInFlightAreBounded) {
  B::Options o = Capacity(kCapacity);
  o.max_bytes_in_flight = 3000;  // two 1 KiB reads (plus their fixed cost) fit
  Start(o);
  uint16_t heads[4];
  for (int i = 0; i < 4; ++i) heads[i] = Request(i, B::kTIn, 0, {{kData + 0x1000ull * i, 1024, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 2u);  // the other two wait in the ring
  EXPECT_EQ(blk->bytes_in_flight(), 2 * (1024 + B::kRequestCostBytes));
  driver->Kick(0);                  // the driver nagging changes nothing
  EXPECT_EQ(tap.block.size(), 2u);
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(1024, 0));
  ExpectUsed(heads[0], 1025, 0, B::kSOk);
  ASSERT_EQ(tap.block.size(), 3u);  // taken as soon as the budget allows
  Complete(tap.block[1].id, BlockCompletion::Status::kOk, Pattern(1024, 1));
  Complete(tap.block[2].id, BlockCompletion::Status::kOk, Pattern(1024, 2));
  ASSERT_EQ(tap.block.size(), 4u);
  Complete(tap.block[3].id, BlockCompletion::Status::kOk, Pattern(1024, 3));
  EXPECT_EQ(ring.UsedIdx(), 4);
  EXPECT_EQ(blk->bytes_in_flight(), 0u);
}

TEST_F(VirtioBlkTest, RequestsOrphanedByAResetStayCountedUntilTheyComplete) {
  B::Options o = Capacity(kCapacity);
  o.max_bytes_in_flight = 3000;
  Start(o);
  Request(0, B::kTIn, 0, {{kData, 1024, true}});
  Request(1, B::kTIn, 0, {{kData + 0x1000, 1024, true}});
  driver->Kick(0);
  ASSERT_EQ(tap.block.size(), 2u);
  ring = driver->Init(~0ull, 64)[0];  // reset: both orphaned, still at the tap
  const uint16_t head = Request(2, B::kTIn, 0, {{kData + 0x2000, 1024, true}});
  driver->Kick(0);
  EXPECT_EQ(tap.block.size(), 2u);  // no budget yet
  Complete(tap.block[0].id, BlockCompletion::Status::kOk, Pattern(1024, 0));
  ASSERT_EQ(tap.block.size(), 3u);  // the orphan's completion freed it
  EXPECT_FALSE(ring.HasUsed());
  Complete(tap.block[2].id, BlockCompletion::Status::kOk, Pattern(1024, 2));
  ExpectUsed(head, 1025, 2, B::kSOk);
  Complete(tap.block[1].id, BlockCompletion::Status::kOk, Pattern(1024, 1));
  EXPECT_EQ(blk->bytes_in_flight(), 0u);
  EXPECT_EQ(blk->stats().stale_completions, 2u);
}

TEST_F(VirtioBlkTest, ResizeNotifiesTheDriver) {
  const uint32_t gen = driver->Rd(M::kConfigGeneration);
  blk->SetCapacity(128);
  EXPECT_EQ(driver->Rd(M::kConfig), 128u);
  EXPECT_EQ(driver->Rd(M::kConfigGeneration), gen + 1);
  EXPECT_EQ(driver->AckInterrupt(), M::kIntConfigChange);
}

}  // namespace
}  // namespace tapvm
