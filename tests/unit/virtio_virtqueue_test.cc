// Virtqueue against hostile rings: every malformed-ring case the device
// must reject, plus the normal paths (chains, indirect tables, copies,
// notification suppression).
#include "emulator/devices/virtio/virtqueue.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/virtio_test_harness.h"

namespace tapvm {
namespace {

using namespace virtio_test;
using PR = Virtqueue::PopResult;

constexpr uint16_t kSize = 8;
constexpr uint64_t kBuf = kBufBase;
constexpr uint64_t kTable = kBufBase + 0x10000;  // indirect tables

class VirtqueueTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(/*indirect=*/true, /*event_idx=*/false); }

  void Start(bool indirect, bool event_idx) {
    ring = GuestRing(&mem, kRamBase, kSize);
    vq.Reset();
    ASSERT_EQ(vq.SetSize(kSize), "");
    vq.SetDescAddr(ring.desc);
    vq.SetDriverAddr(ring.avail);
    vq.SetDeviceAddr(ring.used);
    ASSERT_EQ(vq.Enable(indirect, event_idx), "");
  }
  PR Pop() {
    error.clear();
    return vq.Pop(&chain, &error);
  }
  void ExpectError(const std::string& what) {
    EXPECT_EQ(Pop(), PR::kError);
    EXPECT_NE(error.find(what), std::string::npos) << "error was: " << error;
    EXPECT_TRUE(chain.segments.empty());
  }

  GuestMemory mem;
  Virtqueue vq{&mem.bus, 256};
  GuestRing ring;
  VirtqChain chain;
  std::string error;
};

TEST_F(VirtqueueTest, EmptyQueuePopsNothing) {
  EXPECT_EQ(Pop(), PR::kEmpty);
  vq.Disable();
  ring.AddChain({{kBuf, 16, false}});
  EXPECT_EQ(Pop(), PR::kEmpty);  // not ready: the rings are not touched
}

TEST_F(VirtqueueTest, ChainOfReadableThenWritableBuffers) {
  const uint16_t head = ring.AddChain({{kBuf, 16, false}, {kBuf + 0x100, 32, false}, {kBuf + 0x200, 100, true}});
  ASSERT_EQ(Pop(), PR::kChain) << error;
  EXPECT_EQ(chain.head, head);
  ASSERT_EQ(chain.segments.size(), 3u);
  EXPECT_EQ(chain.segments[1].gpa, kBuf + 0x100);
  EXPECT_FALSE(chain.segments[1].writable);
  EXPECT_TRUE(chain.segments[2].writable);
  EXPECT_EQ(chain.readable_bytes, 48u);
  EXPECT_EQ(chain.writable_bytes, 100u);
  EXPECT_EQ(vq.state().in_flight, 1);
  EXPECT_EQ(Pop(), PR::kEmpty);

  ASSERT_TRUE(vq.Push(head, 77, &error)) << error;
  EXPECT_EQ(ring.UsedIdx(), 1);
  const GuestRing::Used u = ring.PopUsed();
  EXPECT_EQ(u.id, head);
  EXPECT_EQ(u.len, 77u);
  EXPECT_EQ(vq.state().in_flight, 0);
}

TEST_F(VirtqueueTest, ZeroLengthBuffersAreSkipped) {
  ring.AddChain({{kBuf, 4, false}, {0x1234, 0, false}, {kBuf + 8, 4, true}});
  ASSERT_EQ(Pop(), PR::kChain) << error;
  EXPECT_EQ(chain.segments.size(), 2u);
}

TEST_F(VirtqueueTest, CopiesSpanSegments) {
  mem.Write(kBuf, std::vector<uint8_t>{1, 2, 3});
  mem.Write(kBuf + 0x100, std::vector<uint8_t>{4, 5, 6, 7, 8});
  ring.AddChain({{kBuf, 3, false}, {kBuf + 0x100, 5, false}, {kBuf + 0x200, 2, true}, {kBuf + 0x300, 6, true}});
  ASSERT_EQ(Pop(), PR::kChain) << error;
  uint8_t out[10] = {};
  EXPECT_EQ(chain.CopyFrom(mem.bus, 1, std::span<uint8_t>(out, 5)), 5u);
  EXPECT_EQ(std::vector<uint8_t>(out, out + 5), (std::vector<uint8_t>{2, 3, 4, 5, 6}));
  EXPECT_EQ(chain.CopyFrom(mem.bus, 6, out), 2u);  // only 8 readable bytes
  const uint8_t in[] = {9, 9, 9, 9, 9, 9, 9};
  EXPECT_EQ(chain.CopyTo(mem.bus, 1, std::span<const uint8_t>(in, 4)), 4u);
  EXPECT_EQ(mem.Bytes(kBuf + 0x200, 2), (std::vector<uint8_t>{0, 9}));
  EXPECT_EQ(mem.Bytes(kBuf + 0x300, 4), (std::vector<uint8_t>{9, 9, 9, 0}));
  EXPECT_EQ(chain.CopyTo(mem.bus, 0, in), 7u);
  EXPECT_EQ(chain.CopyTo(mem.bus, 5, in), 3u);  // 8 writable bytes in all
}

TEST_F(VirtqueueTest, IndirectTable) {
  const uint16_t head = ring.AddIndirect(kTable, {{kBuf, 16, false}, {kBuf + 0x100, 512, true}, {kBuf + 0x400, 1, true}});
  ASSERT_EQ(Pop(), PR::kChain) << error;
  EXPECT_EQ(chain.head, head);
  ASSERT_EQ(chain.segments.size(), 3u);
  EXPECT_EQ(chain.readable_bytes, 16u);
  EXPECT_EQ(chain.writable_bytes, 513u);
}

TEST_F(VirtqueueTest, DirectDescriptorsThenIndirectTable) {
  ring.SetDescAt(kTable, 0, kBuf + 0x100, 8, Virtqueue::kDescFWrite, 0);
  ring.SetDesc(0, kBuf, 16, Virtqueue::kDescFNext, 1);
  ring.SetDesc(1, kTable, 16, Virtqueue::kDescFIndirect | Virtqueue::kDescFWrite, 0);  // WRITE ignored
  ring.Publish(0);
  ASSERT_EQ(Pop(), PR::kChain) << error;
  EXPECT_EQ(chain.readable_bytes, 16u);
  EXPECT_EQ(chain.writable_bytes, 8u);
}

// ---------------------------------------------------------------- errors

TEST_F(VirtqueueTest, HeadIndexOutOfRange) {
  ring.Publish(kSize);
  ExpectError("head index out of range");
}

TEST_F(VirtqueueTest, NextIndexOutOfRange) {
  ring.SetDesc(0, kBuf, 16, Virtqueue::kDescFNext, kSize);
  ring.Publish(0);
  ExpectError("next index 8 out of range");
}

TEST_F(VirtqueueTest, ChainLoop) {
  ring.SetDesc(0, kBuf, 16, Virtqueue::kDescFNext, 1);
  ring.SetDesc(1, kBuf, 16, Virtqueue::kDescFNext, 0);
  ring.Publish(0);
  ExpectError("longer than its queue");
}

TEST_F(VirtqueueTest, SelfLoop) {
  ring.SetDesc(3, kBuf, 16, Virtqueue::kDescFNext | Virtqueue::kDescFWrite, 3);
  ring.Publish(3);
  ExpectError("longer than its queue");
}

TEST_F(VirtqueueTest, BufferOutsideRam) {
  ring.AddChain({{0x1000, 16, false}});
  ExpectError("outside RAM");
}

TEST_F(VirtqueueTest, BufferCrossingTheEndOfRam) {
  ring.AddChain({{kRamBase + kRamSize - 8, 16, true}});
  ExpectError("outside writable RAM");
}

TEST_F(VirtqueueTest, BufferAddressPlusLengthWraps) {
  ring.AddChain({{0xfffffffffffffff0ull, 0x20, false}});
  ExpectError("wraps");
}

TEST_F(VirtqueueTest, ReadableAfterWritable) {
  ring.AddChain({{kBuf, 16, true}, {kBuf + 0x100, 16, false}});
  ExpectError("device-readable descriptor after a device-writable one");
}

TEST_F(VirtqueueTest, WritableBufferInReadOnlyMemory) {
  ring.AddChain({{kRomBase, 16, false}});  // reading ROM is fine
  ASSERT_EQ(Pop(), PR::kChain) << error;
  ring.AddChain({{kRomBase, 16, true}});
  ExpectError("outside writable RAM");
}

TEST_F(VirtqueueTest, IndirectWithoutTheFeature) {
  Start(/*indirect=*/false, /*event_idx=*/false);
  ring.AddIndirect(kTable, {{kBuf, 16, false}});
  ExpectError("without VIRTIO_F_RING_INDIRECT_DESC");
}

TEST_F(VirtqueueTest, NestedIndirect) {
  ring.SetDescAt(kTable, 0, kTable + 0x100, 16, Virtqueue::kDescFIndirect, 0);
  ring.SetDesc(0, kTable, 16, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("inside an indirect table");
}

TEST_F(VirtqueueTest, IndirectTogetherWithNext) {
  ring.SetDescAt(kTable, 0, kBuf, 16, 0, 0);
  ring.SetDesc(0, kTable, 16, Virtqueue::kDescFIndirect | Virtqueue::kDescFNext, 1);
  ring.SetDesc(1, kBuf, 16, 0, 0);
  ring.Publish(0);
  ExpectError("INDIRECT together with NEXT");
}

TEST_F(VirtqueueTest, IndirectLengthNotAMultipleOf16) {
  ring.SetDesc(0, kTable, 24, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("not a non-zero multiple of 16");
}

TEST_F(VirtqueueTest, IndirectLengthZero) {
  ring.SetDesc(0, kTable, 0, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("not a non-zero multiple of 16");
}

TEST_F(VirtqueueTest, IndirectTableOutsideRam) {
  ring.SetDesc(0, kRamBase + kRamSize - 16, 32, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("indirect table at 0x803ffff0 is outside RAM");
}

TEST_F(VirtqueueTest, IndirectTableTooLarge) {
  ring.SetDesc(0, kTable, 16 * (Virtqueue::kMaxIndirectEntries + 1), Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("indirect table of 1025 entries");
}

TEST_F(VirtqueueTest, IndirectNextOutOfRange) {
  ring.SetDescAt(kTable, 0, kBuf, 16, Virtqueue::kDescFNext, 2);
  ring.SetDescAt(kTable, 1, kBuf, 16, 0, 0);
  ring.SetDesc(0, kTable, 32, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("next index 2 out of range (2 descriptors)");
}

TEST_F(VirtqueueTest, IndirectLoop) {
  ring.SetDescAt(kTable, 0, kBuf, 16, Virtqueue::kDescFNext, 1);
  ring.SetDescAt(kTable, 1, kBuf, 16, Virtqueue::kDescFNext, 0);
  ring.SetDesc(0, kTable, 32, Virtqueue::kDescFIndirect, 0);
  ring.Publish(0);
  ExpectError("longer than its indirect table");
}

TEST_F(VirtqueueTest, AvailableIndexTooFarAhead) {
  ring.SetAvailIdx(kSize + 1);
  ExpectError("available index 9 is 9 entries ahead");
}

TEST_F(VirtqueueTest, MoreChainsInFlightThanTheQueueSize) {
  // A driver reusing descriptors it has not got back: publish the same
  // head over and over.
  ring.SetDesc(0, kBuf, 16, 0, 0);
  for (int i = 0; i < kSize; ++i) {
    ring.Publish(0);
    ASSERT_EQ(Pop(), PR::kChain) << i << ": " << error;
  }
  ring.Publish(0);
  ExpectError("more than 8 chains in flight");
}

TEST_F(VirtqueueTest, PushWithNothingInFlight) {
  EXPECT_FALSE(vq.Push(0, 0, &error));
  EXPECT_NE(error.find("no chain in flight"), std::string::npos);
}

TEST_F(VirtqueueTest, EnableChecksSizeAndAreas) {
  Virtqueue q(&mem.bus, 16);
  EXPECT_NE(q.SetSize(0), "");
  EXPECT_NE(q.SetSize(12), "");
  EXPECT_NE(q.SetSize(32), "");
  EXPECT_EQ(q.Enable(false, false), "queue enabled without a size");
  ASSERT_EQ(q.SetSize(16), "");
  const uint64_t b = kRamBase + 0x20000;
  q.SetDescAddr(b + 8);  // misaligned
  q.SetDriverAddr(b + 0x1000);
  q.SetDeviceAddr(b + 0x2000);
  EXPECT_NE(q.Enable(false, false).find("descriptor table"), std::string::npos);
  q.SetDescAddr(kRamBase + kRamSize - 16 * 8);  // runs off the end
  EXPECT_NE(q.Enable(false, false).find("descriptor table"), std::string::npos);
  q.SetDescAddr(b);
  q.SetDriverAddr(b + 0x1001);
  EXPECT_NE(q.Enable(false, false).find("available ring"), std::string::npos);
  q.SetDriverAddr(b + 0x1000);
  q.SetDeviceAddr(b + 0x2002);
  EXPECT_NE(q.Enable(false, false).find("used ring"), std::string::npos);
  q.SetDeviceAddr(kRomBase);  // the device writes the used ring
  EXPECT_NE(q.Enable(false, false).find("used ring"), std::string::npos);
  q.SetDeviceAddr(b + 0x2000);
  EXPECT_EQ(q.Enable(false, false), "");
  EXPECT_TRUE(q.ready());
}

// ---------------------------------------------------- notification suppression

TEST_F(VirtqueueTest, NoInterruptFlagWithoutEventIdx) {
  EXPECT_FALSE(vq.ShouldInterrupt());  // nothing used
  const uint16_t h = ring.AddChain({{kBuf, 4, true}});
  ASSERT_EQ(Pop(), PR::kChain);
  ring.SetAvailFlags(Virtqueue::kAvailFNoInterrupt);
  ASSERT_TRUE(vq.Push(h, 4, &error));
  EXPECT_FALSE(vq.ShouldInterrupt());
  ring.SetAvailFlags(0);
  const uint16_t h2 = ring.AddChain({{kBuf, 4, true}});
  ASSERT_EQ(Pop(), PR::kChain);
  ASSERT_TRUE(vq.Push(h2, 4, &error));
  EXPECT_TRUE(vq.ShouldInterrupt());
  EXPECT_FALSE(vq.ShouldInterrupt());  // already decided for that entry
}

TEST_F(VirtqueueTest, EventIdx) {
  Start(/*indirect=*/true, /*event_idx=*/true);
  EXPECT_EQ(Pop(), PR::kEmpty);
  EXPECT_EQ(ring.AvailEvent(), 0);  // notify me about entry 0
  ring.SetAvailFlags(Virtqueue::kAvailFNoInterrupt);  // ignored with EVENT_IDX
  uint16_t heads[4];
  for (uint16_t& h : heads) h = ring.AddChain({{kBuf, 4, true}});
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Pop(), PR::kChain);
  EXPECT_EQ(ring.AvailEvent(), 4);
  EXPECT_EQ(Pop(), PR::kEmpty);

  ring.SetUsedEvent(0);  // the driver wants to hear about used entry 0
  ASSERT_TRUE(vq.Push(heads[0], 4, &error));
  EXPECT_TRUE(vq.ShouldInterrupt());
  ring.SetUsedEvent(2);  // ... then not before entry 2
  ASSERT_TRUE(vq.Push(heads[1], 4, &error));
  EXPECT_FALSE(vq.ShouldInterrupt());
  ASSERT_TRUE(vq.Push(heads[2], 4, &error));
  ASSERT_TRUE(vq.Push(heads[3], 4, &error));
  EXPECT_TRUE(vq.ShouldInterrupt());  // entry 2 is in [2, 4)
}

TEST_F(VirtqueueTest, EventIdxAcrossIndexWrap) {
  Start(/*indirect=*/true, /*event_idx=*/true);
  // Run the indices up to just below the 16-bit wrap.
  for (int i = 0; i < 65534; ++i) {
    const uint16_t h = ring.AddChain({{kBuf, 4, true}});
    ASSERT_EQ(Pop(), PR::kChain) << i;
    ASSERT_TRUE(vq.Push(h, 4, &error));
  }
  ring.SetUsedEvent(65535);
  EXPECT_FALSE(vq.ShouldInterrupt());  // used entries 0..65533 are before the event
  for (int i = 0; i < 3; ++i) {
    const uint16_t h = ring.AddChain({{kBuf, 4, true}});
    ASSERT_EQ(Pop(), PR::kChain) << error;
    ASSERT_TRUE(vq.Push(h, 4, &error));
  }
  EXPECT_EQ(ring.UsedIdx(), 1);  // wrapped
  EXPECT_TRUE(vq.ShouldInterrupt());
}

}  // namespace
}  // namespace tapvm
