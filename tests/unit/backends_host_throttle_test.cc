// HostThrottleBackend (throttling.clock=host): requests wait in host time
// for the group's buckets, Stop fails what is held, limits change live, and
// a group's drives share one set of buckets.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/block/backends/host_throttle_backend.h"

namespace tapvm {
namespace {

using Clock = std::chrono::steady_clock;

// Completes every request at once, on the submitting thread.
class InstantBackend : public BlockBackend {
 public:
  void Submit(BlockRequest r, DoneCallback done) override {
    ++served;
    BlockCompletion c;
    c.dev = r.dev;
    c.id = r.id;
    if (r.type == BlockRequest::Type::kRead) c.data.assign(r.length, 0);
    done(std::move(c));
  }
  uint64_t size_bytes() const override { return 1 << 20; }
  bool read_only() const override { return false; }
  void Drain() override {}
  void Stop() override {}
  std::atomic<int> served{0};
};

ThrottleLimits Iops(uint64_t n) {
  ThrottleLimits l;
  l.bucket[ThrottleLimits::kIopsTotal] = {n, 0, 1};
  return l;
}

BlockRequest Read(uint64_t id) { return BlockRequest{1, id, BlockRequest::Type::kRead, 0, 512, {}}; }

struct Done {
  std::mutex mu;
  std::vector<BlockCompletion> got;
  BlockBackend::DoneCallback Callback() {
    return [this](BlockCompletion c) {
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(std::move(c));
    };
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return got.size();
  }
};

TEST(HostThrottleBackend, RequestsWaitInHostTime) {
  auto inner = std::make_unique<InstantBackend>();
  InstantBackend* raw = inner.get();
  HostThrottleBackend b(std::move(inner), std::make_shared<HostThrottleGroup>("g", Iops(100)));
  Done done;
  const auto start = Clock::now();
  // The bucket holds 10 ops (a tenth of a second): 11 go at once, the other
  // 19 at 100/s.
  for (uint64_t i = 0; i < 30; ++i) b.Submit(Read(i), done.Callback());
  EXPECT_EQ(raw->served.load(), 11);
  b.Drain();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(done.size(), 30u);
  EXPECT_GE(seconds, 0.18);  // 19 requests at 10 ms
  EXPECT_LT(seconds, 5.0);   // a loaded host may be late, never early
}

TEST(HostThrottleBackend, LiveChangeAndStop) {
  auto inner = std::make_unique<InstantBackend>();
  InstantBackend* raw = inner.get();
  auto group = std::make_shared<HostThrottleGroup>("g", Iops(1));
  auto a = std::make_unique<HostThrottleBackend>(std::move(inner), group);
  auto other = std::make_unique<InstantBackend>();
  HostThrottleBackend b(std::move(other), group);  // same group: same buckets
  Done done;
  a->Submit(Read(1), done.Callback());  // goes: the bucket holds 0.1 op
  a->Submit(Read(2), done.Callback());
  b.Submit(Read(3), done.Callback());
  EXPECT_EQ(done.size(), 1u);
  EXPECT_EQ(b.held(), 1u);
  // Off: what the group held goes now.
  group->SetLimits(ThrottleLimits{});
  EXPECT_EQ(done.size(), 3u);
  // Throttled again; Stop fails what a drive still holds, with kIoError.
  group->SetLimits(Iops(1));
  a->Submit(Read(4), done.Callback());
  a->Submit(Read(5), done.Callback());
  EXPECT_EQ(a->held(), 1u);
  a->Stop();
  ASSERT_EQ(done.size(), 5u);
  EXPECT_EQ(done.got.back().id, 5u);
  EXPECT_EQ(done.got.back().status, BlockCompletion::Status::kIoError);
  EXPECT_EQ(raw->served.load(), 3);
  a->Submit(Read(6), done.Callback());  // after Stop: kIoError at once
  EXPECT_EQ(done.got.back().status, BlockCompletion::Status::kIoError);
}

}  // namespace
}  // namespace tapvm
