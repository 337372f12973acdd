// The output rule (ft/output_commit.h): outputs leave, in order, only once
// the events that journaled them are acknowledged; the guest never waits;
// alone releases everything, drop discards everything.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "ft/output_commit.h"
#include "tests/ft/ft_test_util.h"

namespace tapvm::ft {
namespace {

using namespace std::chrono_literals;

// The tap below the gate: records what left (from the release thread).
class SentLog : public EventTap {
 public:
  void AttachDevice(TapDeviceId, TapInputSink*) override {}
  void SubmitBlock(BlockRequest) override { Add("block"); }
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> f) override {
    Add("frame" + std::to_string(dev) + ":" + std::string(f.begin(), f.end()));
  }
  void RequestEntropy(TapDeviceId, uint32_t) override {}
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t> b) override { Add("console:" + std::string(b.begin(), b.end())); }
  unsigned DeliverDue(uint64_t) override { return 0; }

  std::vector<std::string> Sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  void Add(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::string> sent_;
};

// The secondary's acknowledgements, moved by the test.
class Acks {
 public:
  bool Wait(uint64_t seq, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return acked_ >= seq; });
  }
  void Ack(uint64_t seq) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      acked_ = seq;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t acked_ = 0;
};

struct Gate {
  SentLog below;
  Acks acks;
  std::mutex mu;
  uint64_t released = 0;
  uint64_t seq = 0;  // the recording tap's last seq, as the test sets it
  OutputCommitTap tap{&below, [this](uint64_t s, std::chrono::milliseconds t) { return acks.Wait(s, t); },
                      [this](uint64_t s) {
                        std::lock_guard<std::mutex> lock(mu);
                        released = s;
                      }};
  Gate() { tap.set_seq_source([this] { return seq; }); }
  void Console(uint64_t at_seq, const std::string& text) {
    seq = at_seq;
    tap.ConsoleOutput(0, std::vector<uint8_t>(text.begin(), text.end()));
  }
  uint64_t Released() {
    std::lock_guard<std::mutex> lock(mu);
    return released;
  }
};

bool Eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 500 && !cond(); ++i) std::this_thread::sleep_for(2ms);
  return cond();
}

TEST(OutputCommit, OutputsLeaveInOrderOnlyOnceAcknowledged) {
  Gate g;
  g.Console(3, "a");
  g.seq = 5;
  g.tap.TransmitFrame(2, std::vector<uint8_t>{'f'});
  g.Console(8, "b");
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(g.below.Sent().empty());  // held: nothing acknowledged
  g.acks.Ack(5);
  ASSERT_TRUE(Eventually([&] { return g.below.Sent().size() == 2; }));
  EXPECT_EQ(g.below.Sent(), (std::vector<std::string>{"console:a", "frame2:f"}));
  EXPECT_TRUE(Eventually([&] { return g.Released() == 5; }));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(g.below.Sent().size(), 2u);  // "b" (event 8) still waits
  g.acks.Ack(8);
  ASSERT_TRUE(g.tap.WaitIdle(2s));
  EXPECT_EQ(g.below.Sent().back(), "console:b");
  EXPECT_EQ(g.Released(), 8u);
  const OutputCommitStats st = g.tap.stats();
  EXPECT_EQ(st.outputs, 3u);
  EXPECT_EQ(st.released, 3u);
  EXPECT_EQ(st.hold_us.size(), 3u);
}

TEST(OutputCommit, OtherCallsPassStraightThrough) {
  Gate g;
  g.tap.SubmitBlock(BlockRequest{1, 1, BlockRequest::Type::kFlush, 0, 0, {}});
  EXPECT_EQ(g.below.Sent(), (std::vector<std::string>{"block"}));
}

TEST(OutputCommit, AloneReleasesWhatIsHeldAndEverythingAfter) {
  Gate g;
  g.Console(4, "x");
  g.Console(6, "y");
  std::this_thread::sleep_for(30ms);
  EXPECT_TRUE(g.below.Sent().empty());
  g.tap.GoAlone();  // the secondary is gone, this side won the arbiter
  ASSERT_TRUE(g.tap.WaitIdle(2s));
  g.Console(9, "z");
  ASSERT_TRUE(g.tap.WaitIdle(2s));
  EXPECT_EQ(g.below.Sent(), (std::vector<std::string>{"console:x", "console:y", "console:z"}));
}

TEST(OutputCommit, DropDiscardsWhatIsHeldAndEverythingAfter) {
  Gate g;
  g.Console(4, "x");
  g.tap.Drop();  // this side lost the arbiter: the other sends it
  g.Console(6, "y");
  g.acks.Ack(10);
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(g.below.Sent().empty());
  EXPECT_EQ(g.tap.stats().dropped, 2u);
}

}  // namespace
}  // namespace tapvm::ft
