// cache=none (O_DIRECT) in both backends: the plan for unaligned requests,
// the write serialisation, unaligned guest buffers, offsets and lengths
// through the bounce path, an image whose size is not whole blocks,
// concurrent read-modify-writes of one block, tmpfs; and io_uring's
// submission batching (one io_uring_submit per Plug/Unplug).
#include "emulator/block/backends/direct_io.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/open_block_backend.h"
#include "tests/unit/block_test_util.h"

namespace tapvm {
namespace {

using namespace blocktest;
using S = BlockCompletion::Status;
using Type = BlockRequest::Type;

TEST(DirectIoPlanTest, WidensUnalignedRequestsAndBouncesUnalignedMemory) {
  const DirectIoAlignment a{512, 4096};
  alignas(4096) static uint8_t aligned[8192];
  DirectPlan p = PlanDirectIo(Type::kRead, 4096, 4096, aligned, 1 << 20, a);
  EXPECT_FALSE(p.bounce);
  EXPECT_FALSE(p.rmw);
  p = PlanDirectIo(Type::kRead, 4096, 4096, aligned + 1, 1 << 20, a);  // memory not aligned
  EXPECT_TRUE(p.bounce);
  EXPECT_FALSE(p.rmw);
  p = PlanDirectIo(Type::kWrite, 4096 + 512, 1024, aligned, 1 << 20, a);
  EXPECT_TRUE(p.bounce);
  EXPECT_TRUE(p.rmw);
  EXPECT_EQ(p.begin, 4096u);
  EXPECT_EQ(p.end, 8192u);
  p = PlanDirectIo(Type::kWrite, (1 << 20) - 512, 512, aligned, (1 << 20) - 100, a);  // partial last block
  EXPECT_TRUE(p.buffered);
}

TEST(DirectIoPlanTest, SerializerKeepsReadModifyWritesApart) {
  WriteSerializer s;
  int a = 0, b = 0, c = 0, d = 0;
  EXPECT_TRUE(s.Add(&a, 0, 4096, false));
  EXPECT_TRUE(s.Add(&b, 4096, 8192, true));   // no overlap
  EXPECT_FALSE(s.Add(&c, 0, 4096, true));     // an RMW over a write in flight waits
  EXPECT_FALSE(s.Add(&d, 0, 8192, false));    // a write behind a waiting RMW waits (first come, first served)
  std::vector<const void*> ready;
  s.Remove(&a, &ready);
  EXPECT_EQ(ready, std::vector<const void*>{&c});
  ready.clear();
  s.Remove(&b, &ready);
  EXPECT_TRUE(ready.empty());  // d still overlaps c
  s.Remove(&c, &ready);
  EXPECT_EQ(ready, std::vector<const void*>{&d});
  EXPECT_TRUE(s.Started(&d));
}

class DirectBackend : public ::testing::TestWithParam<BlockAio> {
 protected:
  std::unique_ptr<BlockBackend> Open(const std::string& path, unsigned threads = 4) {
    BlockBackendOptions o;
    o.path = path;
    o.aio = GetParam();
    o.cache = BlockCache::kNone;
    o.threads = threads;
    std::unique_ptr<BlockBackend> b;
    Status st = OpenBlockBackend(o, &b);
    if (st.code() == Status::Code::kNotSupported) return nullptr;
    EXPECT_TRUE(st.ok()) << st.ToString();
    return b;
  }
};

#define OPEN_OR_SKIP(b, ...)  \
  auto b = Open(__VA_ARGS__); \
  if (!b) GTEST_SKIP() << "not supported here (io_uring or O_DIRECT)"

TEST_P(DirectBackend, UnalignedBuffersOffsetsAndLengthsRoundTrip) {
  TempImage img(1 << 20);
  img.WriteRaw(0, Pattern(1 << 20, 9));
  OPEN_OR_SKIP(b, img.path());
  std::vector<uint8_t> want = Pattern(1 << 20, 9);
  struct Case {
    uint64_t offset, length;
  } cases[] = {{8190, 5000}, {1, 1}, {4096, 4096}, {512, 512}, {4095, 8194}, {0, 65536 + 3}};
  uint8_t seed = 40;
  for (const Case& c : cases) {
    std::vector<uint8_t> data = Pattern(c.length, seed++);
    ASSERT_EQ(Execute(*b, WriteReq(c.offset, data)).status, S::kOk) << c.offset;
    std::copy(data.begin(), data.end(), want.begin() + c.offset);
    BlockCompletion r = Execute(*b, Req(Type::kRead, c.offset, c.length));
    ASSERT_EQ(r.status, S::kOk);
    EXPECT_EQ(r.data, data) << c.offset;
  }
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(0, 1 << 20), want);  // the bytes around each write survived its read-modify-write
  // A data vector that starts off any alignment (the bounce path for memory).
  std::vector<uint8_t> big = Pattern(8192 + 1, 3);
  BlockRequest w = WriteReq(0, std::vector<uint8_t>(big.begin() + 1, big.end()));
  EXPECT_EQ(Execute(*b, std::move(w)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(0, 8192), std::vector<uint8_t>(big.begin() + 1, big.end()));
}

TEST_P(DirectBackend, ImageOfPartialLastBlock) {
  const uint64_t size = (64 << 10) + 100;
  TempImage img(size);
  OPEN_OR_SKIP(b, img.path());
  EXPECT_EQ(b->size_bytes(), size);
  std::vector<uint8_t> tail = Pattern(300, 7);
  EXPECT_EQ(Execute(*b, WriteReq(size - 300, tail)).status, S::kOk);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, size - 300, 300)).data, tail);
  EXPECT_EQ(img.ReadRaw(size - 300, 300), tail);
  EXPECT_EQ(Execute(*b, Req(Type::kWriteZeroes, size - 50, 50)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(size - 50, 50), std::vector<uint8_t>(50, 0));
}

// Small writes into one block at once: each is a read-modify-write of the
// same block, and none may undo another.
TEST_P(DirectBackend, ConcurrentReadModifyWritesOfOneBlockAllLand) {
  TempImage img(64 << 10);
  OPEN_OR_SKIP(b, img.path());
  std::mutex mu;
  int done = 0, failed = 0;
  std::condition_variable cv;
  constexpr int kWrites = 32;  // 32 x 16 bytes inside the first 512 bytes
  for (int i = 0; i < kWrites; ++i)
    b->Submit(WriteReq(16 * i, std::vector<uint8_t>(16, static_cast<uint8_t>(i + 1)), i), [&](BlockCompletion c) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      failed += c.status != S::kOk;
      cv.notify_all();
    });
  b->Drain();
  EXPECT_EQ(done, kWrites);
  EXPECT_EQ(failed, 0);
  std::vector<uint8_t> want;
  for (int i = 0; i < kWrites; ++i) want.insert(want.end(), 16, static_cast<uint8_t>(i + 1));
  EXPECT_EQ(img.ReadRaw(0, want.size()), want);
}

TEST_P(DirectBackend, TmpfsEitherWorksOrSaysToUseWriteback) {
  if (access("/dev/shm", W_OK) != 0) GTEST_SKIP() << "no writable /dev/shm";
  TempImage img(64 << 10, "/dev/shm");
  BlockBackendOptions o;
  o.path = img.path();
  o.aio = GetParam();
  o.cache = BlockCache::kNone;
  std::unique_ptr<BlockBackend> b;
  Status st = OpenBlockBackend(o, &b);
  if (st.ok()) {  // Linux 6.6 and later accept O_DIRECT on tmpfs
    EXPECT_EQ(Execute(*b, WriteReq(100, Pattern(1000, 1))).status, S::kOk);
    EXPECT_EQ(Execute(*b, Req(Type::kRead, 100, 1000)).data, Pattern(1000, 1));
  } else if (st.message().find("io_uring unavailable") == std::string::npos) {
    EXPECT_EQ(st.code(), Status::Code::kNotSupported);
    EXPECT_NE(st.message().find("cache=writeback"), std::string::npos) << st.message();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectBackend, ::testing::Values(BlockAio::kThreads, BlockAio::kIoUring),
                         [](const ::testing::TestParamInfo<BlockAio>& info) { return BlockAioName(info.param); });

// What one Plug/Unplug brackets reaches the kernel in one io_uring_submit
// per ring: a short batch goes whole to one ring, a long one is spread
// over all of them, one submit each.
class IoUringBatchingTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(IoUringBatchingTest, OnePluggedBatchIsOneSubmitPerRing) {
  const unsigned rings = GetParam();
  TempImage img(1 << 20);
  BlockBackendOptions o;
  o.path = img.path();
  o.aio = BlockAio::kIoUring;
  o.rings = rings;
  std::unique_ptr<IoUringBackend> b;
  Status st = IoUringBackend::Open(o, &b);
  if (st.code() == Status::Code::kNotSupported) GTEST_SKIP() << st.ToString();
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(b->rings(), rings);
  std::atomic<int> ok{0};
  auto count = [&](BlockCompletion c) { ok += c.status == S::kOk; };
  for (int round = 0; round < 3; ++round) {
    uint64_t before = b->submit_calls();
    b->Plug();
    for (int i = 0; i < 16; ++i) b->Submit(Req(Type::kRead, 4096 * i, 4096, i), count);
    b->Plug();  // nested: only the outermost Unplug submits
    b->Submit(Req(Type::kFlush, 0, 0, 99), count);
    b->Unplug();
    b->Unplug();
    b->Drain();
    EXPECT_EQ(b->submit_calls() - before, rings) << "round " << round;
    before = b->submit_calls();
    b->Plug();
    for (int i = 0; i < 3; ++i) b->Submit(Req(Type::kRead, 4096 * i, 4096, 100 + i), count);
    b->Unplug();
    b->Drain();
    EXPECT_EQ(b->submit_calls() - before, 1u) << "round " << round;
  }
  EXPECT_EQ(ok.load(), 3 * 20);
}

INSTANTIATE_TEST_SUITE_P(Rings, IoUringBatchingTest, ::testing::Values(1u, 2u));

}  // namespace
}  // namespace tapvm
