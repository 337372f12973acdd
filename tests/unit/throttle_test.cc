// Throttling: the leaky-bucket math (ThrottleState), the option syntax and
// QEMU's validation (throttle_config), throttle groups' round robin, and the
// machine's throttles on a virtual clock (BlockThrottles).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "emulator/block/block_throttles.h"
#include "emulator/block/throttle.h"
#include "emulator/block/throttle_config.h"
#include "emulator/block/throttle_group.h"
#include "emulator/machine/machine_config.h"
#include "emulator/tap/minimal_tap.h"

namespace tapvm {
namespace {

using Dir = ThrottleState::Dir;
using L = ThrottleLimits;

ThrottleLimits One(unsigned bucket, uint64_t avg, uint64_t max = 0, uint64_t len = 1) {
  ThrottleLimits l;
  l.bucket[bucket] = {avg, max, len};
  return l;
}

// Sends `n` requests of `bytes` back to back, each as soon as the state
// lets it go; returns the tick each went at.
std::vector<uint64_t> Greedy(ThrottleState& s, Dir dir, uint64_t bytes, int n, uint64_t start = 0) {
  std::vector<uint64_t> at;
  uint64_t t = start;
  for (int i = 0; i < n; ++i) {
    t += s.Wait(dir, t);
    EXPECT_EQ(s.Wait(dir, t), 0u);
    s.Account(dir, bytes);
    at.push_back(t);
  }
  return at;
}

TEST(ThrottleState, WithoutABurstATenthOfASecondGoesAtOnce) {
  ThrottleState s(1000);  // ms ticks
  s.SetLimits(One(L::kBpsRead, 1000), 0);
  // The bucket holds 100 bytes: two 100-byte requests go at once (a request
  // goes while the level is at most the bucket), then one every 100 ms.
  const auto at = Greedy(s, Dir::kRead, 100, 5);
  EXPECT_EQ(at, (std::vector<uint64_t>{0, 0, 100, 200, 300}));
  // Writes are not limited by a read limit.
  EXPECT_EQ(s.Wait(Dir::kWrite, 300), 0u);
}

TEST(ThrottleState, SteadyRateIsTheAverageExactly) {
  ThrottleState s(10'000'000);  // the virt board's mtime
  s.SetLimits(One(L::kBpsWrite, 1 << 20), 0);
  const auto at = Greedy(s, Dir::kWrite, 65536, 161);
  // After the first 10% of a second worth, 64 KiB every 1/16 s.
  for (size_t i = 3; i < at.size(); ++i) EXPECT_EQ(at[i] - at[i - 1], 625'000u) << i;
  // 160 requests after the first: 10 MiB in (10 - 0.1 - 1/16) s.
  EXPECT_NEAR(static_cast<double>(at.back()), (10.0 - 0.1 + 1.0 / 16) * 1e7 - 625'000, 1.0);
}

TEST(ThrottleState, ALargeRequestGoesAndTheNextPaysForIt) {
  ThrottleState s(10'000'000);
  s.SetLimits(One(L::kBpsTotal, 65536), 0);
  EXPECT_EQ(s.Wait(Dir::kRead, 0), 0u);
  s.Account(Dir::kRead, 1 << 20);
  // 1 MiB less the 6553.6-byte bucket (0.1 s), drained at 64 KiB/s: 15.9 s.
  EXPECT_EQ(s.Wait(Dir::kWrite, 0), 159'000'000u);
  EXPECT_EQ(s.Wait(Dir::kRead, 159'000'000), 0u);
}

TEST(ThrottleState, BurstGoesAtMaxUntilTheBucketIsFull) {
  ThrottleState s(1000);
  // avg 100 B/s, bursts of 1000 B/s for 2 s: bucket 2000 bytes.
  s.SetLimits(One(L::kBpsRead, 100, 1000, 2), 0);
  const auto at = Greedy(s, Dir::kRead, 10, 400);
  // The burst bucket (max/10 = 100 bytes) goes at once, then 10 bytes per
  // 10 ms: the burst rate.
  EXPECT_EQ(at[10], 0u);
  EXPECT_EQ(at[11], 10u);
  EXPECT_EQ(at[50] - at[40], 100u);
  // The main bucket fills at max - avg = 900 B/s: full at ~2.2 s, after
  // which 10 bytes go every 100 ms (the average).
  EXPECT_LE(at[200], 2000u);  // the first max * max_length bytes, at the burst rate
  EXPECT_EQ(at[399] - at[398], 100u);
  EXPECT_EQ(at[399] - at[389], 1000u);
}

TEST(ThrottleState, IopsCountOperationsAndIopsSize) {
  ThrottleState s(1000);
  ThrottleLimits l = One(L::kIopsTotal, 10);
  l.iops_size = 4096;
  s.SetLimits(l, 0);
  // Bucket: 1 op. 8 KiB counts as 2 ops.
  s.Account(Dir::kWrite, 8192);
  EXPECT_EQ(s.Wait(Dir::kRead, 0), 100u);  // 1 op over, at 10 ops/s
  s.SetLimits(One(L::kIopsRead, 10), 0);  // without iops_size: 1 op whatever the size
  s.Account(Dir::kRead, 1 << 20);
  s.Account(Dir::kRead, 1 << 20);
  EXPECT_EQ(s.Wait(Dir::kRead, 0), 100u);
  EXPECT_EQ(s.Wait(Dir::kWrite, 0), 0u);
}

TEST(ThrottleState, NewLimitsEmptyTheBuckets) {
  ThrottleState s(1000);
  s.SetLimits(One(L::kBpsTotal, 100), 0);
  s.Account(Dir::kRead, 10000);
  EXPECT_GT(s.Wait(Dir::kRead, 5), 0u);
  s.SetLimits(One(L::kBpsTotal, 200), 5);
  EXPECT_EQ(s.Wait(Dir::kRead, 5), 0u);
}

// ------------------------------------------------------------- options

ThrottleConfig Parse(const std::vector<std::pair<std::string, std::string>>& kv, Status* st) {
  ThrottleConfig c;
  for (const auto& [k, v] : kv) {
    *st = ParseThrottleOption(k, v, &c);
    if (!st->ok()) return c;
  }
  *st = ValidateThrottleConfig(c);
  return c;
}

std::string Error(const std::vector<std::pair<std::string, std::string>>& kv) {
  Status st;
  Parse(kv, &st);
  return st.ok() ? "" : st.message();
}

TEST(ThrottleConfig, ParsesQemuNamesAndSpellsThemBack) {
  DriveConfig d;
  const std::string spec =
      "file=d.img,throttling.bps-read=1048576,throttling.bps-read-max=4194304,throttling.bps-read-max-length=3,"
      "throttling.iops-write=100,throttling.iops-size=4096,throttling.group=g1";
  ASSERT_TRUE(MachineConfig::ParseDrive(spec, &d).ok());
  EXPECT_EQ(d.throttle.limits.bucket[L::kBpsRead], (L::Limit{1048576, 4194304, 3}));
  EXPECT_EQ(d.throttle.limits.bucket[L::kIopsWrite], (L::Limit{100, 0, 1}));
  EXPECT_EQ(d.throttle.limits.iops_size, 4096u);
  EXPECT_EQ(d.throttle.group, "g1");
  EXPECT_EQ(d.throttle.clock, ThrottleConfig::Clock::kVirtual);
  EXPECT_EQ(MachineConfig::DriveSpec(d), spec);
  DriveConfig back;
  ASSERT_TRUE(MachineConfig::ParseDrive(MachineConfig::DriveSpec(d), &back).ok());
  EXPECT_EQ(back, d);
  ASSERT_TRUE(MachineConfig::ParseDrive("file=d.img,throttling.iops-total=5,throttling.clock=host", &d).ok());
  EXPECT_EQ(d.throttle.clock, ThrottleConfig::Clock::kHost);
}

TEST(ThrottleConfig, RefusesWhatQemuRefusesNamingTheOption) {
  EXPECT_NE(Error({{"throttling.bps-total", "1000"}, {"throttling.bps-read", "10"}}).find("throttling.bps-total cannot be used together"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.iops-total", "10"}, {"throttling.iops-write", "10"}}).find("throttling.iops-total"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-read", "1000"}, {"throttling.bps-read-max", "10"}})
                .find("throttling.bps-read-max (10) cannot be lower than throttling.bps-read"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.iops-read-max", "10"}}).find("throttling.iops-read-max needs throttling.iops-read"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-write", "10"}, {"throttling.bps-write-max-length", "5"}})
                .find("throttling.bps-write-max-length needs throttling.bps-write-max"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-write-max-length", "0"}}).find("throttling.bps-write-max-length cannot be 0"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-read", "-5"}}).find("throttling.bps-read must be a whole number"), std::string::npos);
  EXPECT_NE(Error({{"throttling.iops-read", "ten"}}).find("throttling.iops-read must be a whole number"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-read", "1000000000000001"}}).find("at most 10^15"), std::string::npos);
  EXPECT_NE(Error({{"throttling.bps-reads", "1"}}).find("unknown throttling option 'throttling.bps-reads'"),
            std::string::npos);
  EXPECT_NE(Error({{"throttling.clock", "wall"}}).find("throttling.clock must be virtual or host"), std::string::npos);
  EXPECT_NE(Error({{"throttling.group", "g"}}).find("need a limit"), std::string::npos);
  EXPECT_EQ(Error({{"throttling.bps-read", "10"}, {"throttling.bps-read-max", "10"}}), "");
}

TEST(ThrottleConfig, GroupsHaveOneSetOfLimits) {
  ThrottleConfig a, b;
  a.limits = b.limits = One(L::kIopsTotal, 100);
  a.group = b.group = "g";
  EXPECT_TRUE(ValidateThrottleGroups({a, b}).ok());
  b.limits = One(L::kIopsTotal, 50);
  EXPECT_NE(ValidateThrottleGroups({a, b}).message().find("drives 0 and 1 are in throttling.group=g"),
            std::string::npos);
}

TEST(ThrottleConfig, IsPartOfTheMachineFirstDifference) {
  MachineConfig a;
  a.kernel = "Image";
  a.drives.push_back(DriveConfig{"x.img"});
  MachineConfig b = a;
  b.drives[0].throttle.limits = One(L::kBpsRead, 100);
  EXPECT_NE(MachineConfig::FirstDifference(a, b).find("drive 0 throttling"), std::string::npos);
  MachineConfig decoded;
  ASSERT_TRUE(MachineConfig::Decode(b.Encode(), &decoded).ok());
  EXPECT_EQ(decoded.drives[0].throttle, b.drives[0].throttle);
}

// ------------------------------------------------------------- groups

TEST(ThrottleGroup, ServesMembersRoundRobin) {
  ThrottleGroup g("g", 1000);
  std::vector<std::pair<int, uint64_t>> sent;  // (member, request id)
  const unsigned a = g.AddMember([&](BlockRequest r) { sent.emplace_back(0, r.id); });
  const unsigned b = g.AddMember([&](BlockRequest r) { sent.emplace_back(1, r.id); });
  g.SetLimits(One(L::kIopsTotal, 10), 0);  // bucket: 1 op; one every 100 ms
  for (uint64_t i = 0; i < 4; ++i) g.Submit(a, BlockRequest{0, 10 + i, BlockRequest::Type::kRead, 0, 512, {}}, 0);
  for (uint64_t i = 0; i < 4; ++i) g.Submit(b, BlockRequest{1, 20 + i, BlockRequest::Type::kRead, 0, 512, {}}, 0);
  // A flush is not throttled.
  g.Submit(b, BlockRequest{1, 99, BlockRequest::Type::kFlush, 0, 0, {}}, 0);
  for (uint64_t t = 0; g.held() > 0; t = g.NextRelease()) g.Pump(t);
  const std::vector<std::pair<int, uint64_t>> want = {{0, 10}, {0, 11}, {1, 99}, {1, 20}, {0, 12}, {1, 21},
                                                      {0, 13}, {1, 22}, {1, 23}};
  EXPECT_EQ(sent, want);
}

TEST(ThrottleGroup, AMemberLeavingReleasesWhatItHeld) {
  ThrottleGroup g("g", 1000);
  int sent = 0;
  const unsigned a = g.AddMember([&](BlockRequest) { ++sent; });
  g.SetLimits(One(L::kIopsRead, 1), 0);
  for (uint64_t i = 0; i < 5; ++i) g.Submit(a, BlockRequest{0, i, BlockRequest::Type::kRead, 0, 512, {}}, 0);
  EXPECT_EQ(sent, 1);
  EXPECT_EQ(g.NextRelease(), 900u);  // 0.9 op over the 0.1-op bucket
  g.SetMemberActive(a, false, 10);
  EXPECT_EQ(sent, 5);
  EXPECT_EQ(g.NextRelease(), UINT64_MAX);
}

// ------------------------------------------------- the machine's throttles

class FakeClock : public HartPort {
 public:
  void SetInterruptLine(uint64_t, bool) override {}
  uint64_t Mtime() const override { return now; }
  uint64_t now = 0;
};

class SubmitLog : public MinimalTap {
 public:
  void SubmitBlock(BlockRequest r) override { sent.push_back({r.id, Mtime()}); }
  uint64_t Mtime() const { return clock->now; }
  const FakeClock* clock = nullptr;
  std::vector<std::pair<uint64_t, uint64_t>> sent;  // (id, mtime)
};

TEST(BlockThrottles, HoldReleaseAndLiveChange) {
  FakeClock clock;
  SubmitLog tap;
  tap.clock = &clock;
  BlockThrottles t(&clock, &tap, 1000);
  ThrottleConfig c;
  c.limits = One(L::kIopsWrite, 10);
  t.AddDrive(1, "drive0", c);
  t.AddDrive(2, "drive1", ThrottleConfig{});
  for (uint64_t i = 1; i <= 3; ++i) t.Submit(BlockRequest{1, i, BlockRequest::Type::kWrite, 0, 512, {}});
  t.Submit(BlockRequest{2, 7, BlockRequest::Type::kWrite, 0, 512, {}});  // drive1: not throttled
  EXPECT_EQ(tap.sent, (std::vector<std::pair<uint64_t, uint64_t>>{{1, 0}, {2, 0}, {7, 0}}));
  EXPECT_EQ(t.NextDeadline(0), 100u);
  clock.now = 99;
  t.Tick(99);
  EXPECT_EQ(tap.sent.size(), 3u);
  clock.now = 100;
  t.Tick(100);
  EXPECT_EQ(tap.sent.back(), (std::pair<uint64_t, uint64_t>{3, 100}));
  EXPECT_EQ(t.NextDeadline(100), UINT64_MAX);

  // Live: drive1 gets limits of its own; drive0 turns throttling off.
  t.SetLimits(2, One(L::kIopsTotal, 1));
  EXPECT_EQ(t.LimitsOf(2), One(L::kIopsTotal, 1));
  for (uint64_t i = 8; i <= 9; ++i) t.Submit(BlockRequest{2, i, BlockRequest::Type::kRead, 0, 512, {}});
  EXPECT_EQ(tap.sent.back().first, 8u);
  EXPECT_EQ(t.NextDeadline(100), 1000u);  // 0.9 op over a 0.1-op bucket, at 1 op/s
  t.SetLimits(1, ThrottleLimits{});
  for (uint64_t i = 4; i <= 6; ++i) t.Submit(BlockRequest{1, i, BlockRequest::Type::kWrite, 0, 512, {}});
  EXPECT_EQ(tap.sent.back(), (std::pair<uint64_t, uint64_t>{6, 100}));
  t.SetLimits(2, ThrottleLimits{});  // its held read goes at once
  EXPECT_EQ(tap.sent.back(), (std::pair<uint64_t, uint64_t>{9, 100}));
  EXPECT_EQ(t.held(), 0u);
}

TEST(BlockThrottles, AnUnthrottledMachineDigestsAsBefore) {
  FakeClock clock;
  MinimalTap tap;
  BlockThrottles t(&clock, &tap, 1000);
  t.AddDrive(1, "drive0", ThrottleConfig{});
  StateHasher a, b;
  t.HashState(a);
  EXPECT_EQ(a.Digest(), b.Digest());
  t.SetLimits(1, One(L::kBpsRead, 5));
  StateHasher c;
  t.HashState(c);
  EXPECT_NE(c.Digest(), b.Digest());
}

}  // namespace
}  // namespace tapvm
