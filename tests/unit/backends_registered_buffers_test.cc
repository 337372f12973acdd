// io_uring's registered read buffers (registered_buffers.h): the pool lends
// disjoint granule runs and takes them back from any thread, outlives its
// ring while buffers are out; and the backend's large reads land in them,
// return the right bytes (short transfers continued inside the registered
// region included), fall back to plain memory when the consumer holds
// every registered buffer, and, buffered and 256 KiB or more, are
// submitted one by one.
#include "emulator/block/backends/registered_buffers.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/open_block_backend.h"
#include "emulator/block/inject.h"
#include "tests/unit/block_test_util.h"

namespace tapvm {
namespace {

using S = BlockCompletion::Status;
using Type = BlockRequest::Type;
using blocktest::Execute;
using blocktest::Pattern;
using blocktest::Req;
using blocktest::TempImage;
constexpr uint64_t kGranule = RegisteredBuffers::kGranule;

// A bare ring for the pool tests; skips where io_uring is unavailable.
class RegisteredBuffersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (io_uring_queue_init(8, &ring_, 0) != 0) GTEST_SKIP() << "io_uring is not available on this host";
    have_ring_ = true;
  }
  void TearDown() override {
    if (have_ring_) io_uring_queue_exit(&ring_);
  }
  io_uring ring_{};
  bool have_ring_ = false;
};

TEST_F(RegisteredBuffersTest, LendsDisjointAlignedRunsUntilFull) {
  RegisteredBuffers* pool = RegisteredBuffers::Create(&ring_, 1 << 20);
  ASSERT_NE(pool, nullptr) << "could not register 1 MiB (RLIMIT_MEMLOCK?)";
  ASSERT_EQ(pool->bytes(), 1u << 20);
  std::vector<IoBytes> out;
  const uint64_t sizes[] = {kGranule, 3 * kGranule - 100, 4 * kGranule, kGranule + 1};  // 1+3+4+2 granules
  for (uint64_t size : sizes) {
    IoBytes b;
    ASSERT_TRUE(pool->Take(size, &b)) << size;
    EXPECT_EQ(b.size(), size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 4096, 0u);
    EXPECT_TRUE(pool->Contains(b.data(), size));
    std::fill(b.begin(), b.end(), static_cast<uint8_t>(out.size() + 1));
    out.push_back(std::move(b));
  }
  EXPECT_EQ(pool->lent(), 10u);
  // No byte of one buffer is another's: each still holds its own fill.
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_TRUE(std::all_of(out[i].begin(), out[i].end(), [&](uint8_t v) { return v == i + 1; })) << i;
  IoBytes big;
  EXPECT_FALSE(pool->Take(7 * kGranule, &big));  // 6 granules are left
  EXPECT_FALSE(pool->Take((1 << 20) + 1, &big));
  EXPECT_TRUE(big.empty());
  EXPECT_TRUE(pool->Take(6 * kGranule, &big));
  EXPECT_EQ(pool->lent(), 16u);
  // Freed on another thread, as a consumer does: the granules come back.
  std::thread([moved = std::move(out)]() mutable { moved.clear(); }).join();
  EXPECT_EQ(pool->lent(), 6u);
  IoBytes again;
  EXPECT_TRUE(pool->Take(10 * kGranule, &again));
  EXPECT_FALSE(pool->Contains(again.data() - 1, 2));
  EXPECT_FALSE(pool->Contains(again.data(), (1 << 20) + 1));
  again = IoBytes();
  big = IoBytes();
  EXPECT_EQ(pool->lent(), 0u);
  pool->Close();
}

// A buffer still out when the ring closes its pool stays valid; growing
// it moves the bytes out of the pool.
TEST_F(RegisteredBuffersTest, LentBuffersOutliveTheirPool) {
  RegisteredBuffers* pool = RegisteredBuffers::Create(&ring_, 1 << 20);
  ASSERT_NE(pool, nullptr);
  IoBytes a, b;
  ASSERT_TRUE(pool->Take(kGranule, &a));
  ASSERT_TRUE(pool->Take(kGranule, &b));
  std::fill(a.begin(), a.end(), 0x5a);
  std::fill(b.begin(), b.end(), 0xa5);
  pool->Close();
  b.resize(2 * kGranule);  // reallocates and releases b's granule
  EXPECT_TRUE(std::all_of(b.begin(), b.begin() + kGranule, [](uint8_t v) { return v == 0xa5; }));
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](uint8_t v) { return v == 0x5a; }));
  a = IoBytes();  // the last one: the pool goes (ASan/valgrind would see a leak or a bad free)
}

std::unique_ptr<IoUringBackend> OpenUring(const std::string& path, unsigned rings, bool registered) {
  BlockBackendOptions o;
  o.path = path;
  o.aio = BlockAio::kIoUring;
  o.rings = rings;
  o.registered_buffers = registered;
  std::unique_ptr<IoUringBackend> b;
  Status st = IoUringBackend::Open(o, &b);
  if (st.code() == Status::Code::kNotSupported) return nullptr;
  EXPECT_TRUE(st.ok()) << st.ToString();
  return b;
}

TEST(IoUringRegisteredReads, LargeReadsUseThemAndReturnTheImage) {
  TempImage img(8 << 20);
  img.WriteRaw(0, Pattern(8 << 20, 9));
  auto b = OpenUring(img.path(), 2, true);
  if (!b) GTEST_SKIP() << "io_uring is not available on this host";
  // Sizes around the threshold, offsets not aligned to anything.
  const uint64_t lengths[] = {IoUringRing::kRegisteredReadBytes - 512, IoUringRing::kRegisteredReadBytes,
                              (1 << 20) + 512, 3 << 20};
  uint64_t offset = 512 * 3;
  for (uint64_t length : lengths) {
    BlockCompletion c = Execute(*b, Req(Type::kRead, offset, length));
    ASSERT_EQ(c.status, S::kOk) << length;
    EXPECT_EQ(c.data, img.ReadRaw(offset, length)) << length;
    offset += 4096 + 512;
  }
  EXPECT_EQ(b->fixed_reads(), 3u);  // all but the one below the threshold
  b.reset();

  auto plain = OpenUring(img.path(), 2, false);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(Execute(*plain, Req(Type::kRead, 4096, 1 << 20)).data, img.ReadRaw(4096, 1 << 20));
  EXPECT_EQ(plain->fixed_reads(), 0u);
}

// The consumer keeps every completion: once the registered buffers are all
// lent, reads go to plain memory, and every one is right.
TEST(IoUringRegisteredReads, AConsumerHoldingEveryBufferGetsPlainOnes) {
  constexpr uint64_t kBlock = 1 << 20;
  constexpr unsigned kReads = 2 * RegisteredBuffers::kDefaultBytes / kBlock + 4;
  TempImage img(kReads * kBlock);
  img.WriteRaw(0, Pattern(kReads * kBlock, 4));
  auto b = OpenUring(img.path(), 1, true);
  if (!b) GTEST_SKIP() << "io_uring is not available on this host";
  std::vector<BlockCompletion> held;
  for (unsigned i = 0; i < kReads; ++i) held.push_back(Execute(*b, Req(Type::kRead, i * kBlock, kBlock, i)));
  for (unsigned i = 0; i < kReads; ++i) {
    ASSERT_EQ(held[i].status, S::kOk) << i;
    EXPECT_EQ(held[i].data, img.ReadRaw(i * kBlock, kBlock)) << i;
  }
  EXPECT_GE(b->fixed_reads(), 1u);
  EXPECT_LE(b->fixed_reads(), RegisteredBuffers::kDefaultBytes / kBlock);
  // Released, they serve again.
  const uint64_t before = b->fixed_reads();
  held.clear();
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, kBlock)).data, img.ReadRaw(0, kBlock));
  EXPECT_EQ(b->fixed_reads(), before + 1);
  b.reset();  // the backend goes before buffers it lent would
}

// Large buffered reads of one plugged batch are submitted one by one (each
// copy reaped before the next buffer is taken); small ones stay one submit
// per batch. Reads that miss the page cache (evicted first) come back
// right either way.
TEST(IoUringRegisteredReads, LargeBufferedReadsAreSubmittedOneByOne) {
  constexpr uint64_t kBlock = 1 << 20;
  constexpr unsigned kReads = 6;
  TempImage img(kReads * kBlock);
  img.WriteRaw(0, Pattern(kReads * kBlock, 8));
  auto b = OpenUring(img.path(), 2, true);
  if (!b) GTEST_SKIP() << "io_uring is not available on this host";
  for (bool cold : {false, true}) {
    if (cold) {
      const int fd = open(img.path().c_str(), O_RDONLY);
      ASSERT_GE(fd, 0);
      EXPECT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
      close(fd);
    }
    std::mutex mu;
    std::vector<BlockCompletion> done;
    const uint64_t before = b->submit_calls();
    b->Plug();
    for (unsigned i = 0; i < kReads; ++i)
      b->Submit(Req(Type::kRead, i * kBlock, kBlock, i), [&](BlockCompletion c) {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back(std::move(c));
      });
    b->Unplug();
    b->Drain();
    EXPECT_EQ(b->submit_calls() - before, kReads) << "cold " << cold;
    ASSERT_EQ(done.size(), kReads);
    for (const BlockCompletion& c : done) {
      ASSERT_EQ(c.status, S::kOk);
      EXPECT_EQ(c.data, img.ReadRaw(c.id * kBlock, kBlock)) << c.id << " cold " << cold;
    }
  }
  const uint64_t before = b->submit_calls();
  b->Plug();
  for (unsigned i = 0; i < 4; ++i) b->Submit(Req(Type::kRead, i * 65536, 65536, i), [](BlockCompletion) {});
  b->Unplug();
  b->Drain();
  EXPECT_EQ(b->submit_calls() - before, 1u);  // a batch under kSplitBatch goes whole to one ring
}

// A host short read into a registered buffer continues inside it.
TEST(IoUringRegisteredReads, ShortReadsContinueInTheRegion) {
  TempImage img(4 << 20);
  img.WriteRaw(0, Pattern(4 << 20, 6));
  BlockBackendOptions o;
  o.path = img.path();
  o.aio = BlockAio::kIoUring;
  ASSERT_TRUE(FaultInjector::Create("read:short:every=1", 1, &o.injector).ok());
  std::unique_ptr<BlockBackend> b;
  Status st = OpenBlockBackend(o, &b);
  if (st.code() == Status::Code::kNotSupported) GTEST_SKIP() << "io_uring is not available on this host";
  ASSERT_TRUE(st.ok()) << st.ToString();
  BlockCompletion c = Execute(*b, Req(Type::kRead, 1234 * 512, 2 << 20));
  ASSERT_EQ(c.status, S::kOk);
  EXPECT_EQ(c.data, img.ReadRaw(1234 * 512, 2 << 20));
  EXPECT_GT(o.injector->fired(0), 1u);
  auto* uring = dynamic_cast<IoUringBackend*>(b.get());
  ASSERT_NE(uring, nullptr);
  EXPECT_GT(uring->fixed_reads(), 1u);
}

}  // namespace
}  // namespace tapvm
