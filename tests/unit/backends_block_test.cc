// The block backends (worker threads, io_uring) on temporary image files:
// the BlockBackend contract for each (every request type round trips, the
// zero-writing fallback, many requests in flight, range and read-only
// checks), and each one's own opening and shutdown.
#include "emulator/block/backends/host_throttle_backend.h"
#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/thread_pool_backend.h"
#include "tests/unit/block_test_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tapvm {
namespace {

using S = BlockCompletion::Status;
using Type = BlockRequest::Type;
constexpr auto kWait = std::chrono::seconds(2);

using blocktest::Pattern;
using blocktest::Req;
using blocktest::TempImage;


BlockRequest WriteReq(uint64_t offset, std::vector<uint8_t> data, uint64_t id = 1) {
  BlockRequest r = Req(Type::kWrite, offset, data.size(), id);
  r.data = ToIoBytes(data);
  return r;
}

// Submits one request and waits (bounded) for its completion.
BlockCompletion Execute(BlockBackend& b, BlockRequest r) {
  auto promise = std::make_shared<std::promise<BlockCompletion>>();
  std::future<BlockCompletion> f = promise->get_future();
  b.Submit(std::move(r), [promise](BlockCompletion c) { promise->set_value(std::move(c)); });
  if (f.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "block request timed out";
    return BlockCompletion{};
  }
  return f.get();
}

// Gathers completions from any thread.
class Collector {
 public:
  BlockBackend::DoneCallback Callback() {
    return [this](BlockCompletion c) {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(c));
      cv_.notify_all();
    };
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return done_.size() >= n; });
  }
  std::vector<BlockCompletion> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(done_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<BlockCompletion> done_;
};

std::unique_ptr<ThreadPoolBackend> OpenOrDie(const std::string& path, bool read_only = false,
                                             unsigned threads = 2) {
  std::unique_ptr<ThreadPoolBackend> b;
  Status st = ThreadPoolBackend::Open(path, read_only, threads, &b);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return b;
}

// The contract tests run once per backend.
struct BackendKind {
  const char* name;
  // Opens the image; `no_fallocate` makes discard/write-zeroes write zeros;
  // `one_thread` asks for a single thread calling `done` (io_uring always
  // has one).
  std::function<std::unique_ptr<BlockBackend>(const std::string&, bool read_only, bool no_fallocate,
                                              bool one_thread)>
      open;
};

void PrintTo(const BackendKind& kind, std::ostream* os) { *os << kind.name; }

const BackendKind kBackends[] = {
    {"threads",
     [](const std::string& path, bool ro, bool no_fallocate, bool one_thread) -> std::unique_ptr<BlockBackend> {
       auto b = OpenOrDie(path, ro, one_thread ? 1 : 4);
       if (b && no_fallocate) b->DisableFallocateForTesting();
       return b;
     }},
    {"io_uring",
     [](const std::string& path, bool ro, bool no_fallocate, bool one_thread) -> std::unique_ptr<BlockBackend> {
       // The default spreads requests over several rings (threads).
       BlockBackendOptions o;
       o.path = path;
       o.read_only = ro;
       o.aio = BlockAio::kIoUring;
       o.rings = one_thread ? 1 : 0;
       std::unique_ptr<IoUringBackend> b;
       Status st = IoUringBackend::Open(o, &b);
       if (st.ok() && !one_thread) {
         EXPECT_GE(b->rings(), 2u);
       }
       if (st.code() == Status::Code::kNotSupported) return nullptr;  // the fixture skips
       EXPECT_TRUE(st.ok()) << st.ToString();
       if (b && no_fallocate) b->DisableFallocateForTesting();
       return b;
     }},
    // The host-clock throttle is a BlockBackend filter: it keeps the
    // contract (limits high enough not to slow the suite, low enough that
    // the buckets are at work).
    {"host_throttle",
     [](const std::string& path, bool ro, bool no_fallocate, bool one_thread) -> std::unique_ptr<BlockBackend> {
       auto b = OpenOrDie(path, ro, one_thread ? 1 : 4);
       if (!b) return nullptr;
       if (no_fallocate) b->DisableFallocateForTesting();
       ThrottleLimits limits;
       limits.bucket[ThrottleLimits::kIopsTotal] = {20000, 0, 1};
       return std::make_unique<HostThrottleBackend>(std::move(b),
                                                    std::make_shared<HostThrottleGroup>("contract", limits));
     }},
};

// True when this host has io_uring (a container's seccomp profile or the
// io_uring_disabled sysctl can deny it; then the io_uring cases skip).
bool HostHasIoUring() {
  TempImage img(4096);
  std::unique_ptr<IoUringBackend> b;
  return IoUringBackend::Open(img.path(), true, &b).code() != Status::Code::kNotSupported;
}

class BlockBackendContract : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().name) == "io_uring" && !HostHasIoUring())
      GTEST_SKIP() << "io_uring is not available on this host";
  }
  std::unique_ptr<BlockBackend> Open(const std::string& path, bool read_only = false, bool no_fallocate = false,
                                     bool one_thread = false) {
    return GetParam().open(path, read_only, no_fallocate, one_thread);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, BlockBackendContract, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<BackendKind>& info) { return info.param.name; });

TEST(ThreadPoolBackendTest, OpenReportsBadArguments) {
  std::unique_ptr<ThreadPoolBackend> b;
  EXPECT_EQ(ThreadPoolBackend::Open("/nonexistent/tapvm.img", false, 1, &b).code(),
            Status::Code::kNotFound);
  TempImage img(4096);
  EXPECT_EQ(ThreadPoolBackend::Open(img.path(), false, 0, &b).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ThreadPoolBackend::Open(img.path(), false, ThreadPoolBackend::kMaxThreads + 1, &b)
                .code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ThreadPoolBackend::Open("/tmp", false, 1, &b).code(), Status::Code::kIOError);
  EXPECT_EQ(b, nullptr);
}

TEST_P(BlockBackendContract, ReadWriteFlushRoundTrip) {
  TempImage img(1 << 20);
  auto b = Open(img.path());
  EXPECT_EQ(b->size_bytes(), 1u << 20);
  EXPECT_FALSE(b->read_only());

  std::vector<uint8_t> data = Pattern(5000, 1);  // not sector-sized on purpose
  BlockCompletion w = Execute(*b, WriteReq(8190, data, 41));
  EXPECT_EQ(w.status, S::kOk);
  EXPECT_EQ(w.dev, 3);
  EXPECT_EQ(w.id, 41u);
  EXPECT_TRUE(w.data.empty());

  BlockCompletion r = Execute(*b, Req(Type::kRead, 8190, 5000, 42));
  EXPECT_EQ(r.status, S::kOk);
  EXPECT_EQ(r.id, 42u);
  EXPECT_EQ(r.data, data);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, 8190)).data, std::vector<uint8_t>(8190, 0));
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(8190, 5000), data);

  // The last byte of the image and an empty read at its end are in range.
  EXPECT_EQ(Execute(*b, WriteReq((1 << 20) - 1, {0xab})).status, S::kOk);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, (1 << 20) - 1, 1)).data, std::vector<uint8_t>{0xab});
  BlockCompletion empty = Execute(*b, Req(Type::kRead, 1 << 20, 0));
  EXPECT_EQ(empty.status, S::kOk);
  EXPECT_TRUE(empty.data.empty());
}

// Writes a pattern over [0, 64 KiB), applies `type` to an unaligned range
// inside it and checks that exactly that range reads as zeros.
void CheckZeroingRequest(BlockBackend& b, Type type) {
  const uint64_t kLen = 64 << 10, kOff = 4096 + 100, kZeroLen = 20000;
  std::vector<uint8_t> data = Pattern(kLen, 9);
  ASSERT_EQ(Execute(b, WriteReq(0, data)).status, S::kOk);
  EXPECT_EQ(Execute(b, Req(type, kOff, kZeroLen, 77)).status, S::kOk);
  std::fill(data.begin() + kOff, data.begin() + kOff + kZeroLen, 0);
  EXPECT_EQ(Execute(b, Req(Type::kRead, 0, kLen)).data, data);
  EXPECT_EQ(Execute(b, Req(type, 0, 0)).status, S::kOk);  // empty range
}

TEST_P(BlockBackendContract, DiscardAndWriteZeroesReadBackZeros) {
  TempImage img(1 << 20);
  auto b = Open(img.path());
  CheckZeroingRequest(*b, Type::kDiscard);
  CheckZeroingRequest(*b, Type::kWriteZeroes);
  EXPECT_EQ(b->size_bytes(), 1u << 20);  // KEEP_SIZE: the image never changes size
}

TEST_P(BlockBackendContract, ZeroWriteFallbackWhenFallocateIsUnavailable) {
  TempImage img(1 << 20);
  auto b = Open(img.path(), false, true);
  CheckZeroingRequest(*b, Type::kDiscard);
  CheckZeroingRequest(*b, Type::kWriteZeroes);
  // Larger than the fallback's 1 MiB chunk would need the loop; the image
  // is only 1 MiB, so zero all of it.
  EXPECT_EQ(Execute(*b, Req(Type::kWriteZeroes, 0, 1 << 20)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(0, 1 << 20), std::vector<uint8_t>(1 << 20, 0));
}

TEST_P(BlockBackendContract, WriteZeroesOnTmpfsFallsBackOrSucceeds) {
  // tmpfs punches holes but has no ZERO_RANGE: the fallback path for real.
  if (access("/dev/shm", W_OK) != 0) GTEST_SKIP() << "no writable /dev/shm";
  TempImage img(1 << 20, "/dev/shm");
  auto b = Open(img.path());
  CheckZeroingRequest(*b, Type::kWriteZeroes);
  CheckZeroingRequest(*b, Type::kDiscard);
}

TEST_P(BlockBackendContract, ManyRequestsInFlight) {
  constexpr unsigned kBlocks = 512, kBlock = 4096;
  TempImage img(kBlocks * kBlock);
  auto b = Open(img.path());
  Collector writes;
  for (unsigned i = 0; i < kBlocks; ++i) {
    b->Submit(WriteReq(uint64_t{i} * kBlock, Pattern(kBlock, static_cast<uint8_t>(i)), i),
              writes.Callback());
  }
  ASSERT_TRUE(writes.WaitFor(kBlocks));
  std::set<uint64_t> ids;
  for (const BlockCompletion& c : writes.Take()) {
    EXPECT_EQ(c.status, S::kOk);
    ids.insert(c.id);
  }
  EXPECT_EQ(ids.size(), kBlocks);

  Collector reads;
  for (unsigned i = 0; i < kBlocks; ++i) {
    b->Submit(Req(Type::kRead, uint64_t{i} * kBlock, kBlock, 1000 + i), reads.Callback());
  }
  b->Drain();
  std::vector<BlockCompletion> done = reads.Take();  // complete: Drain returned
  ASSERT_EQ(done.size(), kBlocks);
  for (const BlockCompletion& c : done) {
    ASSERT_EQ(c.status, S::kOk);
    EXPECT_EQ(c.data, Pattern(kBlock, static_cast<uint8_t>(c.id - 1000))) << c.id;
  }
}

TEST_P(BlockBackendContract, RequestsOutsideTheImageFail) {
  TempImage img(64 << 10);
  const uint64_t size = 64 << 10;
  auto b = Open(img.path());
  BlockCompletion c = Execute(*b, Req(Type::kRead, size - 10, 11, 5));
  EXPECT_EQ(c.status, S::kIoError);
  EXPECT_EQ(c.id, 5u);
  EXPECT_EQ(c.dev, 3);
  EXPECT_TRUE(c.data.empty());
  EXPECT_EQ(Execute(*b, Req(Type::kRead, size + 1, 0)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, UINT64_MAX - 1, 4)).status, S::kIoError);  // wraps
  EXPECT_EQ(Execute(*b, WriteReq(size - 2, {1, 2, 3})).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kDiscard, size - 4096, 8192)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kWriteZeroes, size, 1)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, kMaxBlockTransferBytes + 1)).status, S::kIoError);
  BlockRequest bad = WriteReq(0, {1, 2, 3});
  bad.length = 2;  // disagrees with data.size()
  EXPECT_EQ(Execute(*b, bad).status, S::kIoError);
  EXPECT_EQ(img.ReadRaw(0, 4), std::vector<uint8_t>(4, 0));  // nothing written
  EXPECT_EQ(b->size_bytes(), size);
}

TEST_P(BlockBackendContract, ReadOnlyImageRefusesModification) {
  TempImage img(64 << 10);
  {
    auto rw = Open(img.path());
    ASSERT_EQ(Execute(*rw, WriteReq(0, Pattern(4096, 3))).status, S::kOk);
  }
  auto b = Open(img.path(), true);
  EXPECT_TRUE(b->read_only());
  EXPECT_EQ(Execute(*b, WriteReq(0, {9})).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kDiscard, 0, 4096)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kWriteZeroes, 0, 4096)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kOk);
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, 4096)).data, Pattern(4096, 3));
  EXPECT_EQ(img.ReadRaw(0, 4096), Pattern(4096, 3));
}

TEST_P(BlockBackendContract, StopCancelsQueuedRequestsAndRefusesNewOnes) {
  TempImage img(64 << 10);
  auto b = Open(img.path(), false, false, true);
  // Hold the only thread that serves requests inside the first callback.
  std::promise<void> entered, release;
  std::shared_future<void> release_f = release.get_future().share();
  b->Submit(Req(Type::kRead, 0, 16, 100), [&entered, release_f](BlockCompletion c) {
    EXPECT_EQ(c.status, S::kOk);
    entered.set_value();
    release_f.wait_for(kWait);
  });
  ASSERT_EQ(entered.get_future().wait_for(kWait), std::future_status::ready);
  Collector queued;
  for (uint64_t i = 0; i < 10; ++i) b->Submit(WriteReq(i * 16, Pattern(16, 1), i), queued.Callback());

  std::thread stopper([&] { b->Stop(); });
  ASSERT_TRUE(queued.WaitFor(10));  // cancelled while the worker is still busy
  for (const BlockCompletion& c : queued.Take()) EXPECT_EQ(c.status, S::kIoError);
  release.set_value();
  stopper.join();
  EXPECT_EQ(img.ReadRaw(0, 160), std::vector<uint8_t>(160, 0));  // none was written

  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, 16, 7)).status, S::kIoError);
  b->Stop();  // idempotent
  b->Drain();
}

TEST(IoUringBackendTest, OpenReportsBadArguments) {
  std::unique_ptr<IoUringBackend> b;
  EXPECT_EQ(IoUringBackend::Open("/nonexistent/tapvm.img", false, &b).code(), Status::Code::kNotFound);
  EXPECT_EQ(IoUringBackend::Open("/tmp", false, &b).code(), Status::Code::kIOError);
  EXPECT_EQ(b, nullptr);
}

// More requests than the ring holds, all at once: the rest wait in the host
// queue and every one completes.
TEST(IoUringBackendTest, RequestsBeyondTheQueueDepthWait) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  constexpr unsigned kRequests = 4 * IoUringRing::kQueueDepth + 3;
  TempImage img(kRequests * 512);
  std::unique_ptr<IoUringBackend> b;
  ASSERT_TRUE(IoUringBackend::Open(img.path(), false, &b).ok());
  Collector done;
  for (unsigned i = 0; i < kRequests; ++i)
    b->Submit(WriteReq(uint64_t{i} * 512, Pattern(512, static_cast<uint8_t>(i)), i), done.Callback());
  b->Drain();
  std::vector<BlockCompletion> all = done.Take();
  ASSERT_EQ(all.size(), kRequests);
  for (const BlockCompletion& c : all) EXPECT_EQ(c.status, S::kOk);
  for (unsigned i = 0; i < kRequests; i += 37) EXPECT_EQ(img.ReadRaw(uint64_t{i} * 512, 512), Pattern(512, static_cast<uint8_t>(i)));
}

// Opens an io_uring backend on `path` with `rings` rings.
Status OpenIoUring(const std::string& path, unsigned rings, BlockCache cache, std::unique_ptr<IoUringBackend>* out) {
  BlockBackendOptions o;
  o.path = path;
  o.aio = BlockAio::kIoUring;
  o.rings = rings;
  o.cache = cache;
  return IoUringBackend::Open(o, out);
}

// Buffered images get rings that leave io-wq's task work to their thread
// (COOP_TASKRUN) wherever the kernel has the flag; cache=none images do
// not (IoUringRing::Open says why).
TEST(IoUringBackendTest, BufferedRingsAreCooperativeDirectOnesAreNot) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  io_uring probe{};
  const bool kernel_has_it = io_uring_queue_init(4, &probe, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG) == 0;
  if (kernel_has_it) io_uring_queue_exit(&probe);
  TempImage img(1 << 20);
  std::unique_ptr<IoUringBackend> b;
  ASSERT_TRUE(OpenIoUring(img.path(), 3, BlockCache::kWriteback, &b).ok());
  EXPECT_EQ(b->coop_taskrun_rings(), kernel_has_it ? 3u : 0u);
  b.reset();  // the image is locked while a backend has it
  std::unique_ptr<IoUringBackend> direct;
  const Status st = OpenIoUring(img.path(), 3, BlockCache::kNone, &direct);
  if (!st.ok()) GTEST_SKIP() << "cache=none is not supported here: " << st.message();
  EXPECT_EQ(direct->coop_taskrun_rings(), 0u);
}

// Writes of every kind go to ring 0 whatever ring is next, reads and
// flushes are spread (io_uring_backend.h: one io-wq worker writing back
// to back beats several contending for the inode lock).
TEST(IoUringBackendTest, WritesGoToTheWriteRingReadsAreSpread) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  TempImage img(1 << 20);
  std::unique_ptr<IoUringBackend> b;
  ASSERT_TRUE(OpenIoUring(img.path(), 3, BlockCache::kWriteback, &b).ok());
  Collector done;
  for (unsigned i = 0; i < 12; ++i) {
    b->Submit(WriteReq(i * 4096, Pattern(4096, static_cast<uint8_t>(i)), i), done.Callback());
    b->Drain();  // one request at a time: each would go to the next ring
  }
  b->Submit(Req(Type::kDiscard, 0, 4096, 100), done.Callback());
  b->Drain();
  b->Submit(Req(Type::kWriteZeroes, 4096, 4096, 101), done.Callback());
  b->Drain();
  EXPECT_GE(b->submit_calls(0), 14u);
  EXPECT_EQ(b->submit_calls(1), 0u);
  EXPECT_EQ(b->submit_calls(2), 0u);
  for (unsigned i = 0; i < 12; ++i) {
    b->Submit(Req(Type::kRead, i * 4096, 4096, 200 + i), done.Callback());
    b->Drain();
  }
  EXPECT_GE(b->submit_calls(1), 4u);
  EXPECT_GE(b->submit_calls(2), 4u);
  std::vector<BlockCompletion> all = done.Take();
  ASSERT_EQ(all.size(), 26u);
  for (const BlockCompletion& c : all) EXPECT_EQ(c.status, S::kOk);
  EXPECT_EQ(img.ReadRaw(5 * 4096, 4096), Pattern(4096, 5));
  EXPECT_EQ(img.ReadRaw(0, 4096), std::vector<uint8_t>(4096, 0));
}

// A read goes to the ring with the fewest requests in hand, not simply
// the next one: here one ring's thread is held inside a callback, and
// reads submitted one after another must go to the other ring. One may
// still reach the held ring: a ring's load drops only after its callbacks
// return, so the other ring can be tied with it for a moment, and ties go
// round robin. Taking turns would send every second read there.
TEST(IoUringBackendTest, ReadsGoToTheLeastLoadedRing) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  TempImage img(1 << 20);
  std::unique_ptr<IoUringBackend> b;
  ASSERT_TRUE(OpenIoUring(img.path(), 2, BlockCache::kWriteback, &b).ok());
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  b->Submit(Req(Type::kRead, 0, 4096, 1), [&](BlockCompletion) {
    entered.set_value();
    released.wait();
  });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  unsigned ok = 0, held = 0;
  std::vector<std::future<S>> stuck;
  for (unsigned i = 0; i < 8; ++i) {
    auto p = std::make_shared<std::promise<S>>();
    std::future<S> f = p->get_future();
    b->Submit(Req(Type::kRead, 4096 * (i + 1), 4096, 10 + i), [p](BlockCompletion c) { p->set_value(c.status); });
    if (f.wait_for(std::chrono::seconds(3)) != std::future_status::ready) {
      ++held;  // behind the held ring
      stuck.push_back(std::move(f));
      continue;
    }
    ok += f.get() == S::kOk ? 1 : 0;
  }
  release.set_value();
  b->Drain();
  EXPECT_LE(held, 1u);
  for (std::future<S>& f : stuck) ok += f.get() == S::kOk ? 1 : 0;
  EXPECT_EQ(ok, 8u);
}

// The benchmark's shape: `total` writes to an image of `blocks` 4 KiB
// blocks, kDepth in flight, each completion submitting the next write from
// inside its callback (on the ring thread). The last write to each block
// carries the number of that block. Returns once all completed, or after
// 20 s; `failed` counts errors.
constexpr unsigned kClosedLoopDepth = 32;
unsigned RunClosedLoopWrites(IoUringBackend* b, unsigned total, unsigned blocks, unsigned* failed) {
  std::mutex mu;
  std::condition_variable cv;
  unsigned issued = 0, completed = 0;
  *failed = 0;
  std::function<void()> issue_next = [&] {
    unsigned n;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (issued == total) return;
      n = issued++;
    }
    const uint64_t block = n % blocks;
    const uint8_t fill = n + blocks >= total ? static_cast<uint8_t>(block) : static_cast<uint8_t>(0xEE);
    b->Submit(WriteReq(block * 4096, Pattern(4096, fill), n), [&](BlockCompletion c) {
      {
        std::lock_guard<std::mutex> lock(mu);
        ++completed;
        if (c.status != S::kOk) ++*failed;
      }
      cv.notify_all();
      issue_next();
    });
  };
  for (unsigned i = 0; i < kClosedLoopDepth; ++i) issue_next();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::seconds(20), [&] { return completed == total; });
  const unsigned done = completed;
  lock.unlock();
  if (done == total) b->Drain();  // `issue_next` must outlive every callback
  return done;
}

// The benchmark's shape on one cooperative ring: io-wq's task work for the
// finished writes only runs when the ring thread next enters the kernel.
// Every write must still complete, and land; and with writes in flight
// the ring thread finds its next completion by yielding, not sleeping
// (IoUringRing::SpinForWork).
TEST(IoUringBackendTest, ClosedLoopBufferedWritesOnOneRingAllComplete) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  constexpr unsigned kTotal = 4000, kBlocks = 256;
  TempImage img(kBlocks * 4096);
  std::unique_ptr<IoUringBackend> b;
  ASSERT_TRUE(OpenIoUring(img.path(), 1, BlockCache::kWriteback, &b).ok());
  unsigned failed = 0;
  ASSERT_EQ(RunClosedLoopWrites(b.get(), kTotal, kBlocks, &failed), kTotal);
  EXPECT_EQ(failed, 0u);
  // A block's writes are kBlocks apart and at most kClosedLoopDepth are in
  // flight, so its last write is the last to land.
  static_assert(kClosedLoopDepth < kBlocks);
  for (uint64_t block = 0; block < kBlocks; block += 17)
    EXPECT_EQ(img.ReadRaw(block * 4096, 4096), Pattern(4096, static_cast<uint8_t>(block))) << block;
  if (b->coop_taskrun_rings() == 1) {
    EXPECT_GT(b->spin_hits(), 0u);
  }
}

// The spin is for buffered rings with requests in flight only: a
// cache=none ring never spins, and an idle backend burns no CPU.
TEST(IoUringBackendTest, DirectAndIdleRingsDoNotSpin) {
  if (!HostHasIoUring()) GTEST_SKIP() << "io_uring is not available on this host";
  constexpr unsigned kBlocks = 256;
  TempImage img(kBlocks * 4096);
  std::unique_ptr<IoUringBackend> b;
  unsigned failed = 0;
  if (OpenIoUring(img.path(), 1, BlockCache::kNone, &b).ok()) {
    ASSERT_EQ(RunClosedLoopWrites(b.get(), 1000, kBlocks, &failed), 1000u);
    EXPECT_EQ(failed, 0u);
    EXPECT_EQ(b->spin_hits(), 0u);
    b.reset();
  }
  ASSERT_TRUE(OpenIoUring(img.path(), 2, BlockCache::kWriteback, &b).ok());
  ASSERT_EQ(RunClosedLoopWrites(b.get(), 1000, kBlocks, &failed), 1000u);
  auto cpu_ms = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
  };
  const double before = cpu_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A ring thread spinning all along would use ~300 ms.
  EXPECT_LT(cpu_ms() - before, 30.0);
}

}  // namespace
}  // namespace tapvm
